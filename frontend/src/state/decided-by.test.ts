import { describe, expect, it } from 'vitest';
import { TranscriptModel, type ApprovalItem, type PermissionSegment, type TurnItem } from './transcript';
import { NO_READER, editedByWords, outcomeWords, stoppedWords, unaskedWords, type Reader } from './shown-words';
import { matchesIn } from './transcript-search';
import type { PartyEvent } from './types';

// A host's decision on a tool request, its stop of a turn and its edit of a held prompt
// say "you" of the reader's own member by the event's member id (permission by_member,
// turn by_member, batch edited_by_member: since 2026-12-07), in the history too, and never
// of a newcomer who has that host's name. From a host without the ids, the name is all
// there is, and it is trusted only live (as a notice without ids is, noticeWords).

const hana: Reader = { ...NO_READER, you: 'm1', name: 'hana', hostSession: true };
const newHana: Reader = { ...hana, you: 'm9' }; // hana's name, after hana left

/** The reader, as one who joined before the events (live) or after them (the history). */
function as(r: Reader, history: boolean): Reader {
  return { ...r, joinedAt: history ? 100 : 1 };
}

/** A turn of bob's prompt, then evs, each given the next seq from 3. */
function turn(evs: Partial<PartyEvent>[], approval = false): TranscriptModel {
  const m = new TranscriptModel();
  const all: Partial<PartyEvent>[] = [{ kind: 'prompt', prompt: { id: 'p1', user: 'bob', text: 'touch x', member: 'm2' } }];
  if (approval) all.push({ kind: 'approval', approval: { batch: 'b1', prompts: ['p1'], merged: 'touch x', merger: 'local' } });
  else all.push({ kind: 'batch', batch: { id: 'b1', prompts: ['p1'], merged: 'touch x', merger: 'local' } });
  all.push(...evs);
  all.forEach((ev, i) => m.apply({ seq: i + 2, ts: '2026-12-07T10:00:00Z', kind: 'system', ...ev } as PartyEvent));
  return m;
}

function turnItem(m: TranscriptModel): TurnItem {
  const t = m.items.find((i): i is TurnItem => i.type === 'turn');
  if (!t) throw new Error('no turn');
  return t;
}

function decision(m: TranscriptModel): PermissionSegment {
  const sg = turnItem(m).segments.find((s): s is PermissionSegment => s.kind === 'permission');
  if (!sg) throw new Error('no request');
  return sg;
}

const pending: Partial<PartyEvent> = { kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'touch x', batch: 'b1', status: 'pending' } };
const decided = (status: string, reason: string, ids: boolean): Partial<PartyEvent> => ({
  kind: 'permission',
  permission: { id: 't1', tool: 'Bash', summary: 'touch x', batch: 'b1', status, by: 'hana', reason, ...(ids ? { by_member: 'm1' } : {}) },
});

const scenarios: { name: string; says: (ids: boolean, r: Reader) => string; mine: string; theirs: string }[] = [
  {
    name: 'allowed',
    says: (ids, r) => {
      const sg = decision(turn([pending, decided('allowed', '', ids)]));
      return outcomeWords(sg.permission, r, sg.seq).text;
    },
    mine: 'Allowed by you',
    theirs: 'Allowed by hana',
  },
  {
    name: 'denied',
    says: (ids, r) => {
      const sg = decision(turn([pending, decided('denied', 'not now', ids)]));
      return outcomeWords(sg.permission, r, sg.seq).text;
    },
    mine: 'Denied by you:',
    theirs: 'Denied by hana:',
  },
  {
    name: 'allowed unasked by an "always"',
    says: (ids, r) => {
      const sg = decision(turn([decided('allowed', 'always allow Bash', ids)]));
      return unaskedWords(sg.permission, r, sg.seq);
    },
    mine: 'Bash: touch x — allowed without asking (you allowed Bash for the rest of the party)',
    theirs: 'Bash: touch x — allowed without asking (hana allowed Bash for the rest of the party)',
  },
  {
    name: 'stopped',
    says: (ids, r) => {
      const t = turnItem(turn([{ kind: 'turn', turn: { batch: 'b1', status: 'interrupted', duration_ms: 1500, error: 'stopped by hana', ...(ids ? { by_member: 'm1' } : {}) } }]));
      if (!t.end) throw new Error('no end');
      return stoppedWords(t.end, r, t.endSeq ?? t.seq);
    },
    mine: 'stopped by you',
    theirs: 'stopped by hana',
  },
  {
    name: 'edited',
    says: (ids, r) => {
      const m = turn([{ kind: 'batch', batch: { id: 'b1', prompts: ['p1'], merged: 'touch y', merger: 'local', edited_by: 'hana', ...(ids ? { edited_by_member: 'm1' } : {}) } }], true);
      const a = m.items.find((i): i is ApprovalItem => i.type === 'approval');
      expect(a?.editedByMember).toBe(ids ? 'm1' : undefined);
      const t = turnItem(m);
      return editedByWords(t.batch, r, t.seq);
    },
    mine: 'edited by you',
    theirs: 'edited by hana',
  },
];

describe('a host\'s decision, stop and edit, by member id', () => {
  for (const sc of scenarios) {
    it(`${sc.name}: "you" by id, live and in the history`, () => {
      expect(sc.says(true, as(hana, false))).toBe(sc.mine);
      expect(sc.says(true, as(hana, true))).toBe(sc.mine);
    });
    it(`${sc.name}: never of a newcomer with the host's name`, () => {
      expect(sc.says(true, as(newHana, false))).toBe(sc.theirs);
      expect(sc.says(true, as(newHana, true))).toBe(sc.theirs);
    });
    it(`${sc.name}: from a host without ids, by name and live only`, () => {
      expect(sc.says(false, as(hana, false))).toBe(sc.mine);
      expect(sc.says(false, as(hana, true))).toBe(sc.theirs);
    });
  }
});

describe('find counts them as the transcript shows them', () => {
  // The view and find take their words from one place (shown-words.ts): "you" is found
  // where it is shown, in the history too, and not in a newcomer's window.
  const cases: [string, Partial<PartyEvent>[], string][] = [
    ['allowed', [pending, decided('allowed', '', true)], 'allowed by you'],
    ['allowed unasked', [decided('allowed', 'always allow Bash', true)], '(you allowed bash'],
    ['stopped', [{ kind: 'turn', turn: { batch: 'b1', status: 'interrupted', duration_ms: 1500, error: 'stopped by hana', by_member: 'm1' } }], 'stopped by you'],
  ];
  for (const [name, evs, q] of cases) {
    it(name, () => {
      const t = turnItem(turn(evs));
      expect(matchesIn(t, q, undefined, undefined, as(hana, true))).toBe(1);
      expect(matchesIn(t, q, undefined, undefined, as(newHana, false))).toBe(0);
    });
  }
});
