import { describe, expect, it } from 'vitest';
import { AGENT_EXITED_IDLE, HOST_STOPPED, LOST_END, LOST_END_TURN, TranscriptModel, firstWaitingCard, toolSteps, type TranscriptItem, type TurnItem } from './transcript';
import { at, batch, err, out, permission, phase, prompt, retry, sys, turn } from './events.test-helpers';
import type { Member, PartyEvent } from './types';
// Recorded from the real party with the crashing fake agent (internal/host TestRecordCrashAndRetry).
import crashOnce from './testdata/crash-once.json';
import crashAlways from './testdata/crash-always.json';

function fold(events: PartyEvent[]): TranscriptModel {
  const m = new TranscriptModel();
  for (const e of events) m.apply(e);
  return m;
}

/** A compact description of the items, for comparing whole transcripts. */
function describeItems(items: readonly TranscriptItem[]): string[] {
  return items.map((it) => {
    switch (it.type) {
      case 'prompt':
        return `prompt ${it.prompt.user}: ${it.prompt.text}`;
      case 'system':
      case 'error':
        return `${it.type} ${it.text}`;
      case 'participants':
        return `members +${it.joined?.name ?? ''} -${it.left?.name ?? ''}${it.flaps ? ` x${it.flaps}` : ''}`;
      case 'turn':
        return `turn ${it.batch?.id ?? '-'} [${it.segments
          .map((s) =>
            (s.void ? '~' : '') +
            (s.kind === 'reply'
              ? `reply:${s.text}`
              : s.kind === 'permission'
                ? `perm:${s.permission.id}:${s.permission.status}`
                : s.kind === 'notice'
                  ? `${s.level}:${s.text}`
                  : s.kind === 'event'
                    ? `event:${s.item.type === 'participants' ? `members +${s.item.joined?.name ?? ''} -${s.item.left?.name ?? ''}${s.item.changed ? ` =${s.item.changed.name}` : ''}${s.item.flaps ? ` x${s.item.flaps}` : ''}` : `${s.item.type} ${s.item.text}`}`
                    : `${s.stream}:${s.lines.map((l) => l.text).join('|')}`),
          )
          .join(', ')}] ${it.end ? it.end.status : 'open'}`;
      case 'approval':
        return `approval ${it.approval.batch} ${it.status}${it.edited !== null ? ` edited:${it.edited}` : ''}${it.rejected ? ` by ${it.rejected.by}: ${it.rejected.reason ?? ''}` : ''}`;
    }
  });
}

const pA = { id: 'a', user: 'ann', text: 'add tests' };
const pB = { id: 'b', user: 'bob', text: 'fix lint' };
const b1 = { id: 'b1', prompts: ['a', 'b'], merged: 'ann: add tests; bob: fix lint', merger: 'local' as const };

describe('TranscriptModel lastBatchMerger', () => {
  // A window tester's side panel kept "(the last prompts were merged locally)" after a resume:
  // the resumed party had merged nothing yet.
  it('forgets the last merger when the party is resumed', () => {
    const two = (seq: number, id: string, merger: string) => batch(seq, { id, prompts: ['p1', 'p2'], merged: 'x', merger });
    const m = fold([prompt(1, { id: 'p1', user: 'ann', text: 'a' }), prompt(2, { id: 'p2', user: 'bob', text: 'b' }), two(3, 'b1', 'local')]);
    expect(m.lastBatchMerger).toBe('local');
    m.apply(sys(4, 'the party was resumedly said')); // not the resume's notice
    expect(m.lastBatchMerger).toBe('local');
    m.apply(sys(5, 'the party was resumed'));
    expect(m.lastBatchMerger).toBe('');
    m.apply(two(6, 'b2', 'local'));
    expect(m.lastBatchMerger).toBe('local');
    m.apply(sys(7, 'the party was resumed: 1 prompt queued again'));
    expect(m.lastBatchMerger).toBe('');
    m.apply(two(8, 'b3', 'gemini'));
    m.apply(sys(9, LOST_END + ' (disk full)'));
    expect(m.lastBatchMerger).toBe('');
  });
});

describe('TranscriptModel', () => {
  const cases: Array<{ name: string; events: PartyEvent[]; want: string[]; lastSeq: number }> = [
    {
      name: 'duplicate seq is dropped',
      events: [sys(1, 'claude started'), sys(1, 'claude started'), prompt(2, pA), prompt(2, pA)],
      want: ['system claude started', 'prompt ann: add tests'],
      lastSeq: 2,
    },
    {
      name: 'an older seq after a newer one is dropped',
      events: [sys(1, 'one'), sys(3, 'three'), sys(2, 'two')],
      want: ['system one', 'system three'],
      lastSeq: 3,
    },
    {
      name: 'assistant deltas of a turn are concatenated',
      events: [prompt(1, pA), prompt(2, pB), batch(3, b1), out(4, 'Hel'), out(5, 'lo, '), out(6, 'world'), turn(7, 'b1')],
      want: ['prompt ann: add tests', 'prompt bob: fix lint', 'turn b1 [reply:Hello, world] done'],
      lastSeq: 7,
    },
    {
      name: 'tool output splits the reply and groups consecutive lines of one stream; stderr is a group of its own',
      events: [batch(1, b1), out(2, 'Let me look. '), out(3, 'Read main.go', 'tool'), out(4, 'warn: x', 'stderr'), out(5, 'Done.')],
      want: ['turn b1 [reply:Let me look. , tool:Read main.go, stderr:warn: x, reply:Done.] open'],
      lastSeq: 5,
    },
    {
      name: 'coalesced tool lines in one event become separate lines',
      events: [batch(1, b1), out(2, 'Bash: ls -la\n-> file-a (+2 lines)\n', 'tool'), out(3, 'Edit: x.go\n', 'tool')],
      want: ['turn b1 [tool:Bash: ls -la|-> file-a (+2 lines)|Edit: x.go] open'],
      lastSeq: 3,
    },
    {
      name: 'each turn keeps its own output',
      events: [
        batch(1, b1), out(2, 'first'), turn(3, 'b1'),
        batch(4, { ...b1, id: 'b2', prompts: [] }), out(5, 'second'), turn(6, 'b2', 'error'),
      ],
      want: ['turn b1 [reply:first] done', 'turn b2 [reply:second] error'],
      lastSeq: 6,
    },
    {
      name: 'a prompt arriving during a turn does not split its output',
      events: [batch(1, b1), out(2, 'Hel'), prompt(3, pA), out(4, 'lo'), turn(5, 'b1')],
      want: ['turn b1 [reply:Hello] done', 'prompt ann: add tests'],
      lastSeq: 5,
    },
    {
      name: 'output after a turn ended starts a new item',
      events: [batch(1, b1), out(2, 'reply'), turn(3, 'b1'), out(4, 'late', 'stderr')],
      want: ['turn b1 [reply:reply] done', 'turn - [stderr:late] open'],
      lastSeq: 4,
    },
    {
      name: 'output outside a batch gets its own item',
      events: [out(1, 'booting', 'stderr'), sys(2, 'ready')],
      want: ['turn - [stderr:booting] open', 'system ready'],
      lastSeq: 2,
    },
    {
      name: 'phase and unknown kinds add no item but count',
      events: [phase(1, 'collecting'), { seq: 2, ts: '', kind: 'vote', text: 'x' }, err(3, 'merge failed')],
      want: ['error merge failed'],
      lastSeq: 3,
    },
    {
      name: 'a turn whose batch is unknown is still shown',
      events: [turn(1, 'gone', 'interrupted')],
      want: ['turn - [] interrupted'],
      lastSeq: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = fold(c.events);
      expect(describeItems(m.items)).toEqual(c.want);
      expect(m.lastSeq).toBe(c.lastSeq);
    });
  }

  it('resolves batch prompt ids to the prompts, placeholders for unknown ones', () => {
    const m = fold([prompt(1, pA), batch(2, { ...b1, prompts: ['a', 'zz'] })]);
    const tItem = m.items[1] as TurnItem;
    expect(tItem.prompts).toEqual([pA, { id: 'zz', user: '?', text: '' }]);
  });

  it('replaces a changed item instead of mutating it; the list grows in place with a version', () => {
    const m = fold([sys(1, 'hello'), batch(2, b1), out(3, 'a')]);
    const first = m.items[0];
    const before = m.items[1];
    const arr = m.items;
    const v = m.version;
    m.apply(out(4, 'b'));
    expect(m.items[1]).not.toBe(before);
    expect(m.items[0]).toBe(first); // untouched items keep their identity: they are not re-rendered
    expect(m.items).toBe(arr);
    expect(m.version).toBeGreaterThan(v);
    expect((before as TurnItem).segments).toEqual([{ kind: 'reply', text: 'a' }]);
    const v2 = m.version;
    m.apply(out(4, 'dup'));
    expect(m.version).toBe(v2);
  });

  it('links each turn to the files its changes events touched', () => {
    const f = (path: string, additions: number, status = 'modified', from?: string) => ({ path, status, additions, deletions: 0, ...(from ? { from } : {}) });
    const changes = (seq: number, files: ReturnType<typeof f>[]): PartyEvent => ({ seq, ts: '', kind: 'changes', files });
    const b2 = { id: 'b2', prompts: ['b'], merged: 'fix lint', merger: 'local' as const };
    const m = fold([
      changes(1, [f('old.go', 1)]), // before any turn: nobody's
      prompt(2, pA),
      batch(3, { ...b1, prompts: ['a'] }),
      changes(4, [f('old.go', 1), f('a.go', 2, 'added')]), // while it runs
      turn(5, 'b1'),
      changes(6, [f('old.go', 1), f('a.go', 5, 'added'), f('b.go', 1)]), // after it ended
      prompt(7, pB),
      batch(8, b2),
      changes(9, [f('a.go', 5, 'added'), f('b.go', 1), f('c.go', 1, 'renamed', 'old.go')]), // old.go renamed to c.go
      changes(10, [f('a.go', 5, 'added'), f('b.go', 1), f('c.go', 1, 'renamed', 'old.go')]), // the same list again
      turn(11, 'b2'),
    ]);
    const turns = m.items.filter((it): it is TurnItem => it.type === 'turn');
    expect(turns.map((t) => t.files)).toEqual([
      ['a.go', 'b.go'],
      ['c.go', 'old.go'],
    ]);
    // A rename with the name it had, as the Changes panel says it (a window tester's card
    // showed only the new name).
    expect(turns.map((t) => t.renamedFrom)).toEqual([undefined, { 'c.go': 'old.go' }]);
    // A new sharing level shows more (.env with the whole folder): no turn touched that.
    const settings = (seq: number, workspace: string): PartyEvent => ({ seq, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace });
    m.apply(settings(12, 'changes'));
    m.apply(settings(13, 'tree'));
    m.apply(changes(14, [f('a.go', 5, 'added'), f('b.go', 1), f('c.go', 1, 'renamed', 'old.go'), f('.env', 1)]));
    m.apply(changes(15, [f('a.go', 6, 'added'), f('b.go', 1), f('c.go', 1, 'renamed', 'old.go'), f('.env', 1)]));
    expect((m.items.filter((it): it is TurnItem => it.type === 'turn').at(-1) as TurnItem).files).toEqual(['c.go', 'old.go', 'a.go']);
  });

  // A window tester's Bash turn rewrote created-by-bash.txt (a new date, one line for one)
  // and its card listed no file changed: the lists' counts were the same. A rev that
  // changes with the content says the turn touched it.
  it('credits a turn with a file rewritten with the same counts, by its rev', () => {
    const f = (path: string, rev: string) => ({ path, status: 'added', additions: 1, deletions: 0, rev });
    const changes = (seq: number, files: ReturnType<typeof f>[]): PartyEvent => ({ seq, ts: '', kind: 'changes', files });
    const m = fold([
      changes(1, [f('created-by-bash.txt', 'aaa'), f('kept.txt', 'kkk')]),
      prompt(2, pA),
      batch(3, { ...b1, prompts: ['a'] }),
      changes(4, [f('created-by-bash.txt', 'bbb'), f('kept.txt', 'kkk')]),
      turn(5, 'b1'),
    ]);
    const turns = m.items.filter((it): it is TurnItem => it.type === 'turn');
    expect(turns.map((t) => t.files)).toEqual([['created-by-bash.txt']]);
  });

  // Files a person edits between turns are not the agent's. The host lists the changes after
  // each turn and while one runs (§9); a list after that turn's own, before the next batch,
  // is of what changed since (a tester's edits read as the last turn's "Files changed").
  it("gives a turn only the lists that came while it ran and the one after it", () => {
    const f = (path: string, additions: number) => ({ path, status: 'modified', additions, deletions: 0 });
    const changes = (seq: number, files: ReturnType<typeof f>[]): PartyEvent => ({ seq, ts: '', kind: 'changes', files });
    const m = fold([
      prompt(1, pA),
      batch(2, { ...b1, prompts: ['a'] }),
      turn(3, 'b1'),
      changes(4, [f('a.go', 1)]), // the turn's own list
      changes(5, [f('a.go', 1), f('notes.md', 3)]), // a later list: someone's edit
    ]);
    const turns = m.items.filter((it): it is TurnItem => it.type === 'turn');
    expect(turns.map((t) => t.files)).toEqual([['a.go']]);
    // The next turn gets only what changed from that list on.
    m.apply(prompt(6, pB));
    m.apply(batch(7, { id: 'b2', prompts: ['b'], merged: 'x', merger: 'local' }));
    m.apply(changes(8, [f('a.go', 1), f('notes.md', 3), f('b.go', 2)]));
    expect(m.items.filter((it): it is TurnItem => it.type === 'turn').map((t) => t.files)).toEqual([['a.go'], ['b.go']]);
  });

  it('answers awaiting-approval and rejection per prompt from its approval', () => {
    const ap = (seq: number, batchId: string, prompts: string[]): PartyEvent => ({ seq, ts: '', kind: 'approval', approval: { batch: batchId, prompts, merged: 'x', merger: 'local' } });
    const m = fold([prompt(1, pA), prompt(2, pB), ap(3, 'b1', ['a'])]);
    expect(m.awaitingApproval('a')).toBe(true);
    expect(m.awaitingApproval('b')).toBe(false);
    m.apply({ seq: 4, ts: '', kind: 'rejected', rejected: { batch: 'b1', prompts: ['a'], by: 'hazel', reason: 'no' } });
    expect(m.awaitingApproval('a')).toBe(false);
    expect(m.rejection('a')?.by).toBe('hazel');
    m.apply(ap(5, 'b2', ['b']));
    m.apply(batch(6, { id: 'b2', prompts: ['b'], merged: 'x', merger: 'local' }));
    expect(m.awaitingApproval('b')).toBe(false);
    expect(m.rejection('b')).toBeUndefined();
  });

  it('a newer approval replaces one still waiting, as after a host stopped and resumed', () => {
    const ap = (seq: number, batchId: string, prompts: string[]): PartyEvent => ({ seq, ts: '', kind: 'approval', approval: { batch: batchId, prompts, merged: 'x', merger: 'local' } });
    const m = fold([prompt(1, pA), ap(2, 'b5', ['a']), sys(3, 'the host resumed the party'), ap(4, 'b7', ['a'])]);
    const approvals = m.items.filter((it) => it.type === 'approval');
    expect(approvals.map((it) => (it.type === 'approval' ? `${it.approval.batch} ${it.status}` : ''))).toEqual(['b5 replaced', 'b7 waiting']);
    expect(m.awaitingApproval('a')).toBe(true);
    m.apply(batch(5, { id: 'b7', prompts: ['a'], merged: 'x', merger: 'local' }));
    expect(m.awaitingApproval('a')).toBe(false);
  });

  it('a batch of the same prompts under another id replaces an approval still waiting (resumed with approval off)', () => {
    const ap = (seq: number, batchId: string, prompts: string[]): PartyEvent => ({ seq, ts: '', kind: 'approval', approval: { batch: batchId, prompts, merged: 'x', merger: 'local' } });
    const m = fold([prompt(1, pA), prompt(2, pB), ap(3, 'b5', ['a']), batch(4, { id: 'b7', prompts: ['a', 'b'], merged: 'x', merger: 'local' })]);
    const approvals = m.items.filter((it) => it.type === 'approval');
    expect(approvals.map((it) => (it.type === 'approval' ? `${it.approval.batch} ${it.status}` : ''))).toEqual(['b5 replaced']);
    expect(m.awaitingApproval('a')).toBe(false);
  });

  it("says claude's exit between turns as a note, not an error: it starts again with the next batch", () => {
    const m = fold([
      err(1, `claude exited (signal: killed)${AGENT_EXITED_IDLE}`),
      err(2, 'claude could not start: claude exited (exit status 1)'),
    ]);
    expect(describeItems(m.items)).toEqual([
      `system claude exited (signal: killed)${AGENT_EXITED_IDLE}`,
      'error claude could not start: claude exited (exit status 1)',
    ]);
  });

  it('reset forgets items and seq', () => {
    const m = fold([sys(1, 'a'), sys(2, 'b')]);
    m.reset();
    expect(m.items).toEqual([]);
    expect(m.lastSeq).toBe(0);
    expect(m.apply(sys(1, 'again'))).toBe(true);
  });

  describe('a crash and its retry, as the real party sends them', () => {
    const turnOf = (events: PartyEvent[]) => {
      const m = fold(events);
      return { m, turns: m.items.filter((it): it is TurnItem => it.type === 'turn') };
    };
    const seg = (s: TurnItem['segments'][number]) =>
      (s.void ? '~' : '') + (s.kind === 'notice' ? `${s.level}:${s.text.split(':')[0]}` : s.kind === 'activity' ? `${s.stream}` : s.kind);

    it('retried and then done: the failure, the restart and the new output read in order inside the turn', () => {
      const { m, turns } = turnOf(crashOnce as PartyEvent[]);
      expect(turns).toHaveLength(1);
      const t = turns[0]!;
      expect(t.segments.map(seg)).toEqual([
        '~reply', '~stderr', // the attempt that crashed, void
        'error:claude stopped unexpectedly', 'system:restarting claude and retrying the batch',
        'reply', 'tool', 'reply',
      ]);
      expect(t.end?.status).toBe('done');
      // Nothing of the turn is left outside it.
      expect(m.items.filter((it) => it.type === 'error' || (it.type === 'system' && it.text.startsWith('restarting')))).toEqual([]);
    });

    it('failed twice: the error reads once before the retry and once as the footer, not three times', () => {
      const { m, turns } = turnOf(crashAlways as PartyEvent[]);
      const t = turns[0]!;
      expect(t.segments.map(seg)).toEqual([
        '~stderr', '~reply',
        'error:claude stopped unexpectedly', 'system:restarting claude and retrying the batch', 'stderr', 'reply',
      ]);
      expect(t.end?.status).toBe('error');
      // The "the batch failed: …" error repeats the footer: no item of its own.
      expect(m.items.map((it) => it.type)).toEqual(['participants', 'system', 'prompt', 'turn']);
      const texts = [...t.segments.flatMap((s) => (s.kind === 'notice' ? [s.text] : [])), t.end?.error ?? ''];
      expect(texts.filter((x) => x.includes('claude exited'))).toHaveLength(2); // first failure, then the outcome
    });
  });

  it('an error while a turn runs goes into it, and so does a party notice (at its place); errors between turns stay items', () => {
    const m = fold([
      batch(1, b1), out(2, 'working'), err(3, 'claude was silent for 10m0s; stopping the turn'), sys(4, 'ann made bob a viewer'),
      turn(5, 'b1', 'interrupted'), err(6, 'merging failed (quota); merged locally'),
    ]);
    expect(describeItems(m.items)).toEqual([
      'turn b1 [reply:working, error:claude was silent for 10m0s; stopping the turn, event:system ann made bob a viewer] interrupted',
      'error merging failed (quota); merged locally',
    ]);
  });

  it("a role change is a line of its own, unless the host's next event says it with who made it", () => {
    const bob: Member = { id: 'm2', name: 'bob', role: 'host' };
    const cy: Member = { id: 'm3', name: 'cy', role: 'viewer' };
    const changed = (seq: number, m: Member): PartyEvent => ({ seq, ts: '', kind: 'participants', changed: m, count: 3 });
    const m = fold([
      changed(1, bob), sys(2, 'ann made bob a co-host'), // our host: its words take the line's place
      changed(3, cy), // a host that sends only the event
      sys(4, 'ann made bob a co-host'), // not about cy: both stay
      changed(5, { ...bob, role: 'participant' }), sys(6, 'bob made themselves a participant'),
      changed(7, cy), prompt(8, { id: 'p1', user: 'ann', text: 'hi' }), sys(9, 'ann made cy a viewer'), // not next: both stay
    ]);
    expect(m.items.map((it) => (it.type === 'participants' ? `changed ${it.changed?.name}:${it.changed?.role}` : it.type === 'system' ? `system ${it.text}` : it.type))).toEqual([
      'system ann made bob a co-host',
      'changed cy:viewer',
      'system ann made bob a co-host',
      'system bob made themselves a participant',
      'changed cy:viewer',
      'prompt',
      'system ann made cy a viewer',
    ]);
    expect(m.items.map((it) => it.seq)).toEqual([2, 3, 4, 6, 7, 8, 9]);
  });

  it("an error after a failed turn stays when it says something else than the turn's error", () => {
    const failed: PartyEvent = { seq: 3, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'error', duration_ms: 5, error: 'boom' } };
    expect(describeItems(fold([batch(1, b1), out(2, 'x'), failed, err(4, 'the batch failed: boom')]).items)).toEqual(['turn b1 [reply:x] error']);
    expect(describeItems(fold([batch(1, b1), out(2, 'x'), failed, err(4, 'disk full')]).items)).toEqual(['turn b1 [reply:x] error', 'error disk full']);
  });
});

describe('a journal that lost its end', () => {
  // A window tester's resumed transcript kept the turn the journal ended in open (no turn
  // event ever closes it), and drew the next error inside it.
  it('closes the turn the journal ended in at the resume, and what follows goes below', () => {
    const m = new TranscriptModel();
    const notice = `${LOST_END} (was the disk full?), so what members saw after 2026-12-06 23:12 UTC is not in its history`;
    for (const ev of [
      prompt(1, { id: 'p1', user: 'ann', text: 'go' }),
      batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }),
      out(3, 'half a reply'),
      sys(4100, notice),
      err(4101, "the party's journal cannot be written (no space left on device)"),
    ]) m.apply(ev);
    expect(describeItems(m.items)).toEqual([
      'prompt ann: go',
      'turn b1 [reply:half a reply] interrupted',
      `error ${notice}`,
      "error the party's journal cannot be written (no space left on device)",
    ]);
    expect((m.items[1] as TurnItem).end?.error).toBe(LOST_END_TURN);
  });
});

describe('a tool\'s own output (tool_output)', () => {
  /** The turn's segments: replies as text, tool groups as their steps. */
  const shape = (m: TranscriptModel) =>
    m.items.map((it) =>
      it.type !== 'turn'
        ? it.type
        : it.segments.map((s) =>
            s.kind === 'activity' && s.stream === 'tool'
              ? { [s.void ? 'voidTool' : 'tool']: toolSteps(s.lines) }
              : (s.void ? '~' : '') + (s.kind === 'reply' ? `reply:${s.text}` : s.kind === 'activity' ? `${s.stream}:${s.lines.map((l) => l.text).join('|')}` : s.kind),
          ),
    );
  const ls = 'file-a\nfile-b\nfile-c\n';
  const merged = (seq: number, first: number, text: string, stream: string): PartyEvent => Object.assign(out(seq, text, stream), { first_seq: first });

  it('goes to the step of the result just before it, in place of the summary line, never as reply text', () => {
    const m = fold([batch(1, b1), out(2, 'Looking. '), out(3, 'Bash: ls -la\n', 'tool'), out(4, '-> file-a (+2 lines)\n', 'tool'), out(5, ls, 'tool_output'), out(6, 'Done.'), turn(7, 'b1')]);
    expect(shape(m)).toEqual([
      ['reply:Looking. ', { tool: [{ call: 'Bash: ls -la', output: ['file-a', 'file-b', 'file-c'], full: true }] }, 'reply:Done.'],
    ]);
  });

  it('works with merged events: several steps in one event, and output as two pieces', () => {
    const m = fold([
      batch(1, b1),
      merged(3, 2, 'Bash: ls -la\n-> file-a (+2 lines)\n', 'tool'),
      out(4, ls, 'tool_output'),
      merged(7, 5, 'Edit: x.go\n-> ok\nBash: go test\n-> (error) exit status 1 (+2 lines)\n', 'tool'),
      out(8, 'exit status 1\n--- FAIL: TestX\n', 'tool_output'),
      out(9, 'FAIL\n', 'tool_output'),
      out(10, 'Read: y.go\n', 'tool'),
    ]);
    expect(shape(m)).toEqual([
      [
        {
          tool: [
            { call: 'Bash: ls -la', output: ['file-a', 'file-b', 'file-c'], full: true },
            { call: 'Edit: x.go', output: ['ok'], full: false },
            { call: 'Bash: go test', output: ['(error) exit status 1', '--- FAIL: TestX', 'FAIL'], full: true, failed: true },
            { call: 'Read: y.go', output: [], full: false },
          ],
        },
      ],
    ]);
  });

  it('with no step before it is a step of its own, not dropped and not a stray line', () => {
    // After the reply (no tool group to join), after a retry voided the group, after the turn.
    const m = fold([
      batch(1, b1), out(2, 'Looking.'), out(3, 'orphan 1\norphan 2\n', 'tool_output'),
      out(4, 'Bash: ls\n-> file-a (+2 lines)\n', 'tool'), retry(5, 'b1'), out(6, ls, 'tool_output'),
      turn(7, 'b1'), out(8, 'late\nlines\n', 'tool_output'),
    ]);
    expect(shape(m)).toEqual([
      [
        '~reply:Looking.',
        { voidTool: [{ call: '', output: ['orphan 1', 'orphan 2'], full: true }, { call: 'Bash: ls', output: ['file-a (+2 lines)'], full: false }] },
        { tool: [{ call: '', output: ['file-a', 'file-b', 'file-c'], full: true }] },
      ],
      [{ tool: [{ call: '', output: ['late', 'lines'], full: true }] }],
    ]);
    // A call with no result before the output: the output is not that call's.
    const n = fold([batch(1, b1), out(2, 'Bash: ls\n', 'tool'), out(3, ls, 'tool_output')]);
    expect(shape(n)).toEqual([[{ tool: [{ call: 'Bash: ls', output: [], full: false }, { call: '', output: ['file-a', 'file-b', 'file-c'], full: true }] }]]);
  });

  it('without it a step shows its summary line only', () => {
    const m = fold([batch(1, b1), out(2, 'Bash: ls -la\n-> file-a (+2 lines)\nBash: true\n-> (no output)\n', 'tool'), out(3, 'Done.')]);
    expect(shape(m)).toEqual([
      [{ tool: [{ call: 'Bash: ls -la', output: ['file-a (+2 lines)'], full: false }, { call: 'Bash: true', output: ['(no output)'], full: false }] }, 'reply:Done.'],
    ]);
  });
});

describe('tool results and their requests', () => {
  it('three calls in one reply, each asked or always allowed, keep each its own result', () => {
    // A window tester's three Writes in one reply, the first asked and "always allowed":
    // the results must not all go under the last call.
    const perm = (seq: number, id: string, status: string, file: string) => permission(seq, { id, tool: 'Write', summary: file, batch: 'b1', status });
    // The events as the real Claude Code 2.1.197's party sends them (its result lines are
    // long: each comes with the tool's own output too).
    const m = fold([
      batch(1, b1),
      out(2, 'Write: w1.txt\n', 'tool'),
      out(3, 'Write: docs/w2.md\n', 'tool'),
      out(4, 'Write: w3.py\n', 'tool'),
      perm(5, 'r1', 'pending', 'w1.txt'),
      perm(6, 'r1', 'allowed', 'w1.txt'),
      out(7, '-> File created successfully at: /x/w1.txt\n', 'tool'),
      out(8, 'File created successfully at: /x/w1.txt\n', 'tool_output'),
      perm(9, 'r2', 'allowed', 'docs/w2.md'),
      out(10, '-> File created successfully at: /x/docs/w2.md\n', 'tool'),
      out(11, 'File created successfully at: /x/docs/w2.md\n', 'tool_output'),
      perm(12, 'r3', 'allowed', 'w3.py'),
      out(13, '-> File created successfully at: /x/w3.py\n', 'tool'),
      out(14, 'File created successfully at: /x/w3.py\n', 'tool_output'),
    ]);
    const turnItem = m.items.find((it) => it.type === 'turn') as TurnItem;
    const groups = turnItem.segments.filter((sg) => sg.kind === 'activity');
    expect(groups).toHaveLength(1);
    expect(toolSteps(groups[0]!.kind === 'activity' ? groups[0]!.lines : []).map((st) => [st.call, st.output.join('|')])).toEqual([
      ['Write: w1.txt', 'File created successfully at: /x/w1.txt'],
      ['Write: docs/w2.md', 'File created successfully at: /x/docs/w2.md'],
      ['Write: w3.py', 'File created successfully at: /x/w3.py'],
    ]);
  });

  it("a result after a request's card goes with its call, not with the next call", () => {
    const perm = (seq: number, id: string, status: string) => permission(seq, { id, tool: 'Bash', summary: `touch ${id}`, batch: 'b1', status });
    const m = fold([
      prompt(1, pA),
      batch(2, { ...b1, prompts: ['a'] }),
      out(3, 'Bash: touch file-1\n', 'tool'),
      perm(4, 'r1', 'pending'),
      perm(5, 'r1', 'allowed'),
      out(6, '-> allowed\nBash: touch file-2\n', 'tool'), // coalesced: a result, then the next call
      perm(7, 'r2', 'pending'),
      perm(8, 'r2', 'denied'),
      out(9, '-> (error) denied: no\n', 'tool'),
      out(10, 'the denied output, in full\n', 'tool_output'),
      out(11, 'done'),
      turn(12, 'b1'),
    ]);
    expect(describeItems(m.items)).toEqual([
      'prompt ann: add tests',
      'turn b1 [tool:Bash: touch file-1|-> allowed, perm:r1:allowed, tool:Bash: touch file-2|-> (error) denied: no|the denied output, in full, perm:r2:denied, reply:done] done',
    ]);
  });
});

// A window tester's "hostie made bob a co-host", made while the agent's Bash request
// waited, showed under the finished turn's "Done"; after a resume, "hostie came back /
// claude started / You came back" showed after the batch run again, though they came
// before its output. The terminals print them in order; so does the window now.
describe('TranscriptModel: the party\'s notices while a turn runs', () => {
  const bob: Member = { id: 'm2', name: 'bob', role: 'host' };
  const hostie: Member = { id: 'm1', name: 'hostie', role: 'host' };
  const you: Member = { id: 'm3', name: 'ann', role: 'participant' };
  const changed = (seq: number, m: Member): PartyEvent => ({ seq, ts: '', kind: 'participants', changed: m, count: 3 });
  const joined = (seq: number, m: Member): PartyEvent => ({ seq, ts: '', kind: 'participants', joined: m, count: 3 });
  const leftEv = (seq: number, m: Member, why?: string, text?: string): PartyEvent => ({ seq, ts: '', kind: 'participants', left: m, count: 2, ...(why ? { why } : {}), ...(text ? { text } : {}) });
  const perm = (seq: number, id: string, status: string) => permission(seq, { id, tool: 'Bash', summary: 'go test ./...', batch: 'b1', status });

  it('a role change while a request waits is in the turn, after the card, before the result and the end', () => {
    const m = fold([
      prompt(1, pA),
      batch(2, { ...b1, prompts: ['a'] }),
      out(3, 'Bash: go test ./...\n', 'tool'),
      perm(4, 'r1', 'pending'),
      changed(5, bob), sys(6, 'hostie made bob a co-host'), // the host's words take the change's place
      perm(7, 'r1', 'allowed'),
      out(8, '-> ok\n', 'tool'),
      out(9, 'All tests pass.'),
      turn(10, 'b1'),
    ]);
    expect(describeItems(m.items)).toEqual([
      'prompt ann: add tests',
      'turn b1 [tool:Bash: go test ./...|-> ok, perm:r1:allowed, event:system hostie made bob a co-host, reply:All tests pass.] done',
    ]);
  });

  it('output that goes on goes on where it was: a join does not cut a reply or a tool group in two', () => {
    const m = fold([
      batch(1, b1), out(2, '```go\nfunc a() {'), joined(3, bob), out(4, '}\n```'),
      out(5, 'Read a.go\n', 'tool'), leftEv(6, bob), out(7, 'Read b.go\n', 'tool'),
      turn(8, 'b1'),
    ]);
    expect(describeItems(m.items)).toEqual([
      'turn b1 [reply:```go\nfunc a() {}\n```, event:members +bob -, tool:Read a.go|Read b.go, event:members + -bob] done',
    ]);
  });

  it('a notice goes into the running turn also when a prompt typed meanwhile is below the card (it waits for the next batch)', () => {
    const m = fold([batch(1, b1), out(2, 'working'), prompt(3, pB), joined(4, bob), out(5, ' still'), turn(6, 'b1')]);
    expect(describeItems(m.items)).toEqual(['turn b1 [reply:working still, event:members +bob -] done', 'prompt bob: fix lint']);
  });

  it('notices between turns, and in a batchless turn, stay items', () => {
    const m = fold([out(1, 'starting up'), joined(2, bob), batch(3, b1), turn(4, 'b1'), sys(5, 'after')]);
    expect(describeItems(m.items)).toEqual(['turn - [reply:starting up] open', 'members +bob -', 'turn b1 [] done', 'system after']);
  });

  it('after a resume, what came before the run again stands between the cards; what came after its start, in its card, in order', () => {
    const m = fold([
      prompt(1, pA),
      batch(2, { ...b1, prompts: ['a'] }),
      out(3, 'half a rep'),
      leftEv(4, bob, 'host_stopped', 'bob was disconnected when the host stopped'),
      sys(5, 'the party was resumed: the batch that was running is sent to the agent again'),
      { ...retry(6, 'b1'), resumed: true },
      joined(7, hostie), sys(8, 'claude started'), joined(9, you),
      out(10, 'the whole reply'),
      turn(11, 'b1'),
    ]);
    expect(describeItems(m.items)).toEqual([
      'prompt ann: add tests',
      'turn b1 [~reply:half a rep] interrupted',
      'members + -bob',
      'system the party was resumed: the batch that was running is sent to the agent again',
      'turn b1 [event:members +hostie -, event:system claude started, event:members +ann -, reply:the whole reply] done',
    ]);
    expect((m.items[4] as TurnItem).again).toBe(true);
  });

  // A tester's first card said the time the host was down as the time it ran: the host's
  // ran_ms says how long it ran; without it (an older host), until the retry.
  it("the first run's card ends after the time it ran, as the resumed retry says", () => {
    const events = (ran?: number): PartyEvent[] => [
      prompt(1, pA),
      batch(2, { ...b1, prompts: ['a'] }),
      out(3, 'half a rep'),
      sys(4, 'the party was resumed: the batch that was running is sent to the agent again'),
      { ...retry(5, 'b1'), ts: at(2 * 3_600_000), resumed: true, ...(ran === undefined ? {} : { ran_ms: ran }) },
    ];
    const first = (m: TranscriptModel) => m.items.find((it): it is TurnItem => it.type === 'turn')!;
    expect(first(fold(events(1500))).end).toEqual({ batch: 'b1', status: 'interrupted', duration_ms: 1500, error: HOST_STOPPED });
    expect(first(fold(events())).end?.duration_ms).toBe(2 * 3_600_000 - 200);
  });

  it('an agent crash keeps its card; the notices in it stay, not struck through', () => {
    const m = fold([
      batch(1, b1), out(2, 'half'), joined(3, bob), err(4, 'claude stopped unexpectedly: boom'), retry(5, 'b1'),
      sys(6, 'restarting claude and retrying the batch'), out(7, 'whole'), turn(8, 'b1'),
    ]);
    expect(describeItems(m.items)).toEqual([
      'turn b1 [~reply:half, event:members +bob -, error:claude stopped unexpectedly: boom, system:restarting claude and retrying the batch, reply:whole] done',
    ]);
  });
});

// A window tester's flapping connection (killed over and over for 12 s) put 11 pairs of
// "bea lost the connection… / bea came back" in everyone's transcript, and a waiting tool
// request went out of view under them.
describe('TranscriptModel: a flapping connection', () => {
  const bea: Member = { id: 'm2', name: 'bea', role: 'host' };
  const cy: Member = { id: 'm4', name: 'cy', role: 'participant' };
  const lost = (seq: number, m: Member): PartyEvent => ({ seq, ts: '', kind: 'participants', left: m, count: 2, why: 'connection_lost', text: `${m.name} lost the connection: it broke off without leaving the party` });
  const quit = (seq: number, m: Member): PartyEvent => ({ seq, ts: '', kind: 'participants', left: m, count: 2 });
  const back = (seq: number, m: Member): PartyEvent => ({ seq, ts: '', kind: 'participants', joined: m, count: 3 });
  /** n drops and returns of m from seq on. */
  const flaps = (seq: number, m: Member, n: number) => Array.from({ length: n }, (_, k) => [lost(seq + 2 * k, m), back(seq + 2 * k + 1, m)]).flat();

  it('one drop and return keeps its two lines; more fold into one that counts, between turns', () => {
    expect(describeItems(fold([back(1, bea), ...flaps(2, bea, 1)]).items)).toEqual(['members +bea -', 'members + -bea', 'members +bea -']);
    const m = fold([back(1, bea), ...flaps(2, bea, 11)]);
    expect(describeItems(m.items)).toEqual(['members +bea -', 'members +bea - x11']);
    // Away again: the count so far, and the drop that is not over.
    expect(describeItems(fold([back(1, bea), ...flaps(2, bea, 3), lost(8, bea)]).items)).toEqual(['members +bea -', 'members +bea - x3', 'members + -bea']);
  });

  it('folds inside a running turn, past its output and another member flapping, not past other notices', () => {
    const m = fold([
      batch(1, b1), out(2, 'Bash: ls\n', 'tool'),
      permission(3, { id: 'r1', tool: 'Bash', summary: 'ls', batch: 'b1', status: 'pending' }),
      lost(4, bea), back(5, bea), lost(6, cy), out(7, 'more'), lost(8, bea), back(9, cy), back(10, bea), ...flaps(11, bea, 2), lost(15, cy), back(16, cy),
      sys(17, 'hostie made cy a viewer'), ...flaps(18, bea, 2),
    ]);
    expect(describeItems(m.items)).toEqual([
      'turn b1 [tool:Bash: ls, perm:r1:pending, event:members +bea - x4, event:members +cy - x2, reply:more, event:system hostie made cy a viewer, event:members +bea - x2] open',
    ]);
  });

  it('a return after leaving, not after a lost connection, is no flap', () => {
    const m = fold([back(1, bea), lost(2, bea), back(3, bea), quit(4, bea), back(5, bea)]);
    expect(describeItems(m.items)).toEqual(['members +bea -', 'members + -bea', 'members +bea -', 'members + -bea', 'members +bea -']);
  });

  it('keeps the items that come after it in their place, and its first line\'s key', () => {
    const m = fold([prompt(1, pA), ...flaps(2, bea, 4), prompt(10, pB)]);
    expect(describeItems(m.items)).toEqual(['prompt ann: add tests', 'members +bea - x4', 'prompt bob: fix lint']);
    expect(m.items[1]!.key).toBe('2');
  });
});

// "A tool request waits for you" brings this card into view: a re-tester's went to the end,
// below it, where decided cards filled the view.
describe('firstWaitingCard', () => {
  const perm = (seq: number, id: string, status: string, batchId = 'b1', reason?: string) =>
    permission(seq, { id, tool: 'Bash', summary: `touch ${id}`, batch: batchId, status, ...(reason ? { reason } : {}) });
  const cases: Array<{ name: string; events: PartyEvent[]; want: ReturnType<typeof firstWaitingCard> }> = [
    { name: 'nothing waits', events: [prompt(1, pA), batch(2, { ...b1, prompts: ['a'] }), perm(3, 'r1', 'pending'), perm(4, 'r1', 'allowed')], want: null },
    {
      name: 'the first pending request from the top, decided ones below it',
      events: [prompt(1, pA), batch(2, { ...b1, prompts: ['a'] }), perm(3, 'r1', 'pending'), perm(4, 'r2', 'pending'), perm(5, 'r3', 'pending'), perm(6, 'r3', 'denied'), perm(7, 'r2', 'denied')],
      want: { index: 1, kind: 'permission', id: 'r1' },
    },
    {
      name: 'a decided request above is passed over',
      events: [prompt(1, pA), batch(2, { ...b1, prompts: ['a'] }), perm(3, 'r1', 'pending'), perm(4, 'r2', 'pending'), perm(5, 'r1', 'allowed')],
      want: { index: 1, kind: 'permission', id: 'r2' },
    },
    {
      name: "the turn's own, not one an earlier turn left undecided",
      events: [
        prompt(1, pA), batch(2, { ...b1, prompts: ['a'] }), perm(3, 'r1', 'pending'), turn(4, 'b1', 'interrupted'),
        prompt(5, pB), batch(6, { id: 'b2', prompts: ['b'], merged: 'fix lint', merger: 'local' }), perm(7, 'r2', 'pending', 'b2'), perm(8, 'r3', 'pending', 'b2'),
      ],
      want: { index: 3, kind: 'permission', id: 'r2' },
    },
    { name: 'one allowed unasked (an always) has no card', events: [prompt(1, pA), batch(2, { ...b1, prompts: ['a'] }), perm(3, 'r1', 'allowed', 'b1', 'always allow Bash')], want: null },
    {
      name: 'a merged prompt that waits for approval',
      events: [prompt(1, pA), { seq: 2, ts: '', kind: 'approval', approval: { batch: 'b9', prompts: ['a'], merged: 'x', merger: 'local' } }],
      want: { index: 1, kind: 'approval', id: 'b9' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(firstWaitingCard(fold(c.events).items)).toEqual(c.want);
    });
  }
});
