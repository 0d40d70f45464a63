import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppState, REORDER_WAIT_MS, describeKey, validateSettings, type Connection } from './app-state';
import { FakeBackend, deferred, emptyState, fakeSession, fakeSettings, noKey } from './fake-backend';
import { at, batch, joined, left, out, phase, prompt, sys, t, turn } from './events.test-helpers';
import type { BackendEventName } from './backend';
import type { PartyStatus, Session } from './types';
import { HISTORY_CUT_TEXT, TURN_CUT_TEXT } from './transcript';

const pA = { id: 'a', user: 'ann', text: 'add tests' };
const pB = { id: 'b', user: 'bob', text: 'fix lint' };
const bob = { id: 'm2', name: 'bob', role: 'participant' as const };

/** A started AppState in a party (host unless said), with a fake backend. */
async function inParty(session: Session = fakeSession('host'), now = () => t(0)) {
  const be = new FakeBackend();
  be.handlers.CreateParty = async () => session;
  be.handlers.JoinParty = async () => session;
  const st = new AppState(be, { now, checkDelayMs: 10 });
  await st.start();
  expect(await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
  return { be, st };
}

const PARTY_EVENTS: BackendEventName[] = ['party:event', 'party:state', 'party:info', 'party:status', 'party:ended'];

describe('events', () => {
  it('drops duplicate and old events by seq', async () => {
    const { be, st } = await inParty(fakeSession('host', emptyState({ seq: 2, events: [sys(1, 'one'), sys(2, 'two')] })));
    for (const e of [sys(2, 'two'), sys(1, 'one'), sys(3, 'three'), sys(3, 'three')]) be.emit('party:event', e);
    expect(st.transcript.map((i) => (i.type === 'system' ? i.text : i.type))).toEqual(['one', 'two', 'three']);
    expect(st.lastSeq).toBe(3);
  });

  it('a full resync replaces the transcript, pending, phase and participants', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', sys(1, 'old'));
    be.emit('party:event', prompt(2, pA));
    be.emit('party:state', emptyState({
      seq: 9, phase: 'running', participants: [bob], pending: [pB],
      events: [sys(8, 'after reconnect'), prompt(9, pB)],
    }));
    expect(st.transcript.map((i) => i.seq)).toEqual([8, 9]);
    expect(st.pending).toEqual([pB]);
    expect(st.phase).toBe('running');
    expect(st.participants).toEqual([bob]);
    be.emit('party:event', sys(9, 'dup after resync'));
    be.emit('party:event', sys(10, 'new'));
    expect(st.transcript.map((i) => i.seq)).toEqual([8, 9, 10]);
  });

  it('a history cut to its newest events opens with a line that says so, on join and on resync', async () => {
    const { be, st } = await inParty(fakeSession('participant', emptyState({ seq: 9, truncated: true, events: [sys(8, 'eight'), sys(9, 'nine')] })));
    const texts = () => st.transcript.map((i) => (i.type === 'system' ? i.text : i.type));
    expect(texts()).toEqual([HISTORY_CUT_TEXT, 'eight', 'nine']);
    expect(st.transcript[0]!.key).toBe('history-cut');
    be.emit('party:event', sys(10, 'ten'));
    expect(texts()).toEqual([HISTORY_CUT_TEXT, 'eight', 'nine', 'ten']);
    // A resync that carries the whole history has no such line; one that is cut has it once.
    be.emit('party:state', emptyState({ seq: 10, events: [sys(1, 'one'), sys(10, 'ten')] }));
    expect(texts()).toEqual(['one', 'ten']);
    be.emit('party:state', emptyState({ seq: 11, truncated: true, events: [sys(11, 'eleven')] }));
    expect(texts()).toEqual([HISTORY_CUT_TEXT, 'eleven']);
  });

  it('after a cut history, the first change list is a baseline, not the first turn\'s doing', async () => {
    const files = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `f${i}.go`, status: 'modified', additions: 1, deletions: 0 }));
    const { be, st } = await inParty(fakeSession('participant', emptyState({
      seq: 12, truncated: true,
      events: [batch(10, { id: 'b1', prompts: [], merged: 'go', merger: 'local' }), out(11, 'working'), { seq: 12, ts: at(1200), kind: 'changes', files: files(300) }],
    })));
    be.emit('party:event', { seq: 13, ts: at(1300), kind: 'changes', files: [...files(300), { path: 'new.go', status: 'added', additions: 2, deletions: 0 }] });
    const card = st.transcript.find((i) => i.type === 'turn');
    expect(card?.type === 'turn' ? card.files : null).toEqual(['new.go']);
  });

  it('a turn the cut falls in says where its output resumes; a turn after the cut does not', async () => {
    const b1 = { id: 'b1', prompts: ['a'], merged: 'add tests', merger: 'local' };
    const b2 = { id: 'b2', prompts: ['b'], merged: 'fix lint', merger: 'local' };
    const { be, st } = await inParty(fakeSession('participant', emptyState({
      seq: 40, truncated: true,
      // The prompt and batch sent along from before the cut, then the turn from its piece 30.
      events: [prompt(3, pA), batch(4, b1), out(30, 'piece 30'), out(31, 'piece 31'), turn(32, 'b1'), prompt(33, pB), batch(34, b2), out(35, 'whole'), turn(36, 'b2')],
    })));
    const cards = st.transcript.filter((i) => i.type === 'turn');
    const notices = (c: (typeof cards)[number]) => (c.type === 'turn' ? c.segments.filter((g) => g.kind === 'notice').map((g) => (g.kind === 'notice' ? g.text : '')) : []);
    expect(cards.map(notices)).toEqual([[TURN_CUT_TEXT], []]);
    const first = cards[0]!;
    expect(first.type === 'turn' ? first.segments.map((g) => g.kind) : []).toEqual(['notice', 'reply']);
    be.emit('party:event', sys(41, 'later'));
    expect(st.transcript.filter((i) => i.type === 'turn').map(notices)).toEqual([[TURN_CUT_TEXT], []]);
    // A history cut at a turn's start marks nothing.
    be.emit('party:state', emptyState({ seq: 52, truncated: true, events: [prompt(50, pA), batch(51, b1), out(52, 'all of it')] }));
    expect(st.transcript.filter((i) => i.type === 'turn').map(notices)).toEqual([[]]);
  });

  it('a resync takes this window\'s own role from the member list (a cut history may not hold its change)', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    expect(st.session?.you.role).toBe('participant');
    be.emit('party:state', emptyState({ seq: 30, truncated: true, participants: [{ id: 'm1', name: 'ann', role: 'viewer' }, bob], events: [sys(30, 'later')] }));
    expect(st.session?.you.role).toBe('viewer');
  });

  it('after a resync, the party info of the new hello replaces what the session said', async () => {
    const { be, st } = await inParty();
    expect(st.session?.party.merger).toBe('local');
    be.emit('party:state', emptyState({ seq: 3, events: [sys(3, 'the party was resumed')] }));
    be.emit('party:info', { ...st.session!.party, merger: 'gemini', window_ms: 500 });
    expect(st.session?.party.merger).toBe('gemini');
    expect(st.session?.party.window_ms).toBe(500);
  });

  it('the party info holds even when it comes before its resync, whose history names an older merger', async () => {
    const { be, st } = await inParty();
    const settings = (seq: number, merger: 'gemini' | 'local') => ({ seq, ts: '2026-12-03T10:00:00Z', kind: 'settings' as const, approval: false, permission_mode: 'ask', always: [], merger });
    be.emit('party:info', { ...st.session!.party, merger: 'local' });
    be.emit('party:state', emptyState({ seq: 2, events: [settings(1, 'gemini'), sys(2, 'the party was resumed')] }));
    expect(st.session?.party.merger).toBe('local');
  });

  it('concatenates the assistant output of a turn', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', prompt(1, pA));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['a'], merged: 'add tests', merger: 'local' }));
    for (const [i, s] of ['Sure', ', adding ', 'tests.'].entries()) be.emit('party:event', out(3 + i, s));
    const item = st.transcript[1];
    expect(item?.type === 'turn' && item.segments).toEqual([{ kind: 'reply', text: 'Sure, adding tests.' }]);
  });

  it('applies events that arrive out of order in seq order', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', prompt(1, pA));
    be.emit('party:event', out(3, 'Sure, '));
    be.emit('party:event', out(4, 'adding tests.'));
    expect(st.transcript.map((i) => i.seq)).toEqual([1]); // 3 and 4 wait for 2
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['a'], merged: 'add tests', merger: 'local' }));
    expect(st.transcript.map((i) => i.seq)).toEqual([1, 2]);
    const item = st.transcript[1];
    expect(item?.type === 'turn' && item.segments).toEqual([{ kind: 'reply', text: 'Sure, adding tests.' }]);
    expect(st.pending).toEqual([]);
    expect(st.lastSeq).toBe(4);
  });

  it('stops waiting for a missing seq after a while', async () => {
    vi.useFakeTimers();
    try {
      const { be, st } = await inParty();
      be.emit('party:event', sys(1, 'one'));
      be.emit('party:event', sys(4, 'four'));
      be.emit('party:event', sys(3, 'three'));
      expect(st.lastSeq).toBe(1);
      await vi.advanceTimersByTimeAsync(REORDER_WAIT_MS);
      expect(st.transcript.map((i) => (i.type === 'system' ? i.text : i.type))).toEqual(['one', 'three', 'four']);
      be.emit('party:event', sys(2, 'two, too late'));
      be.emit('party:event', sys(5, 'five'));
      expect(st.transcript.map((i) => i.seq)).toEqual([1, 3, 4, 5]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a resync covers the events held for a gap', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', sys(1, 'one'));
    be.emit('party:event', sys(3, 'three, held'));
    be.emit('party:event', sys(5, 'five, held'));
    be.emit('party:state', emptyState({ seq: 4, events: [sys(3, 'three'), sys(4, 'four')] }));
    expect(st.transcript.map((i) => (i.type === 'system' ? i.text : i.type))).toEqual(['three', 'four', 'five, held']);
  });

  it('tracks participants and phase from events', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', joined(2, bob)); // a different seq repeating a join must not list bob twice
    be.emit('party:event', phase(3, 'collecting'));
    expect(st.participants).toEqual([bob]);
    expect(st.phase).toBe('collecting');
    be.emit('party:event', left(4, bob));
    expect(st.participants).toEqual([]);
  });

  // A window tester's bea went below cy in the host's list after her connection flapped: she
  // came back, was appended, and stayed there. The list keeps the host's order (hosts first,
  // then by first join) whatever reconnects and resyncs happen.
  it('keeps the people in their order across a member\'s reconnects and a resync', async () => {
    const { be, st } = await inParty();
    const cy = { id: 'm3', name: 'cy', role: 'participant' as const };
    const names = () => st.participants.map((m) => m.name);
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', joined(2, cy));
    be.emit('party:event', { ...left(3, bob), why: 'connection_lost' });
    be.emit('party:event', joined(4, bob));
    expect(names()).toEqual(['bob', 'cy']);
    // This window's own resync: a list in another order does not reorder what is shown.
    be.emit('party:state', emptyState({ seq: 4, participants: [cy, bob] }));
    expect(names()).toEqual(['bob', 'cy']);
    // A co-host goes with the hosts, as in the host's own list.
    be.emit('party:event', { seq: 5, ts: at(5), kind: 'participants', changed: { ...cy, role: 'host' }, count: 2 });
    expect(names()).toEqual(['cy', 'bob']);
  });

  // A window tester's host read "People at the end 1" (itself) while the participant
  // connected at the end read 2: those who left because the party ended were there at its end.
  it('keeps who was connected at the end among the people at the end', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', sys(2, 'the host ended the party'));
    be.emit('party:event', { ...left(3, bob), text: 'bob left when the party ended', why: 'party_ended' });
    be.emit('party:ended', { reason: 'you ended the party' });
    expect(st.participants).toEqual([bob]);
  });
});

describe('pending prompts', () => {
  it('stay pending until a batch carries them; mine are marked', async () => {
    const { be, st } = await inParty();
    be.handlers.SendPrompt = async () => ({ id: 'a', seq: 1 });
    expect(await st.sendPrompt('add tests')).toBe(true);
    be.emit('party:event', prompt(1, { ...pA, user: 'ann-renamed' })); // mine by ack id, not by name
    be.emit('party:event', prompt(2, pB));
    expect(st.pending.map((p) => p.id)).toEqual(['a', 'b']);
    expect(st.myPending.map((p) => p.id)).toEqual(['a']);
    expect(st.isPending('a')).toBe(true);
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['a'], merged: 'x', merger: 'local' }));
    expect(st.pending.map((p) => p.id)).toEqual(['b']);
    expect(st.myPending).toEqual([]);
    expect(st.isPending('a')).toBe(false);
  });

  it('pending from the session state are kept and resolved', async () => {
    const { be, st } = await inParty(fakeSession('participant', emptyState({ seq: 1, pending: [pA], events: [prompt(1, pA)] })));
    expect(st.myPending).toEqual([pA]); // user "ann" is the session's own name
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['a'], merged: 'x', merger: 'local' }));
    expect(st.pending).toEqual([]);
  });
});

describe('countdown', () => {
  const W = 3000;
  const cases: Array<{
    name: string;
    phase: string;
    prompts: Array<[string, number]>; // id, host ms after T0
    minPrompts?: number;
    skew?: number; // our clock minus the host's
    want: number | null;
  }> = [
    { name: 'one prompt: window after it', phase: 'collecting', prompts: [['a', 1000]], want: t(1000 + W) },
    { name: 'last prompt decides', phase: 'collecting', prompts: [['a', 0], ['b', 2000]], want: t(2000 + W) },
    { name: 'capped at 3x window after the oldest', phase: 'collecting', prompts: [['a', 0], ['b', 3000], ['c', 6000], ['d', 8500]], want: t(3 * W) },
    { name: 'not collecting: none', phase: 'running', prompts: [['a', 0]], want: null },
    { name: 'nothing pending: none', phase: 'collecting', prompts: [], want: null },
    { name: 'fewer than min prompts: none', phase: 'collecting', prompts: [['a', 0]], minPrompts: 2, want: null },
    { name: 'min prompts reached', phase: 'collecting', prompts: [['a', 0], ['b', 500]], minPrompts: 2, want: t(500 + W) },
    { name: 'host clock behind ours', phase: 'collecting', prompts: [['a', 0]], skew: 5000, want: t(W + 5000) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = fakeSession('participant');
      s.party.window_ms = W;
      s.party.min_prompts = c.minPrompts ?? 1;
      let now = t(0);
      const { be, st } = await inParty(s, () => now);
      let seq = 0;
      for (const [id, ms] of c.prompts) {
        now = t(ms) + (c.skew ?? 0); // each event arrives when the host sent it, in our clock
        be.emit('party:event', prompt(++seq, { id, user: 'x', text: id }, ms));
      }
      be.emit('party:event', { seq: ++seq, ts: at(c.prompts.at(-1)?.[1] ?? 0), kind: 'phase', phase: c.phase });
      expect(st.collectDeadline).toBe(c.want);
    });
  }

  it("a host time (a tool request's expires) reads on our clock", async () => {
    let now = t(0);
    const { be, st } = await inParty(fakeSession('participant'), () => now);
    expect(st.hostToLocal(t(1000))).toBe(t(1000)); // nothing known yet: the same clock
    now = t(60_000); // the host's clock is a minute behind ours
    be.emit('party:event', prompt(1, { id: 'a', user: 'x', text: 'a' }, 0));
    expect(st.hostToLocal(t(120_000))).toBe(t(180_000));
  });

  it('reports how many more prompts the host waits for', async () => {
    const s = fakeSession('participant');
    s.party.min_prompts = 3;
    const { be, st } = await inParty(s);
    be.emit('party:event', prompt(1, pA));
    expect(st.promptsNeeded).toBe(2);
  });
});

describe('connection status', () => {
  const cases: Array<{ name: string; status: PartyStatus; want: Connection; reason: RegExp | '' }> = [
    { name: 'reconnecting with attempt', status: { status: 'reconnecting', attempt: 3, error: 'EOF', retry_ms: 2000 }, want: { status: 'reconnecting', attempt: 3, error: 'EOF', retryMs: 2000 }, reason: /Reconnecting.*attempt 3/ },
    { name: 'connected again', status: { status: 'connected', attempt: 0, error: '', retry_ms: 0 }, want: { status: 'connected', attempt: 0, error: '', retryMs: 0 }, reason: '' },
    { name: 'closed', status: { status: 'closed', attempt: 0, error: 'gone', retry_ms: 0 }, want: { status: 'closed', attempt: 0, error: 'gone', retryMs: 0 }, reason: /Disconnected/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { be, st } = await inParty(fakeSession('participant'));
      be.emit('party:status', c.status);
      expect(st.connection).toEqual(c.want);
      if (c.reason) expect(st.sendBlockedReason).toMatch(c.reason);
      else expect(st.sendBlockedReason).toBe('');
    });
  }

  it('does not send while reconnecting, and says why', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:status', { status: 'reconnecting', attempt: 1, error: '', retry_ms: 500 });
    expect(await st.sendPrompt('hello')).toBe(false);
    expect(be.count('SendPrompt')).toBe(0);
    expect(st.sendError).toMatch(/Reconnecting/);
  });

  // A tester's "Could not turn approval on: … Concordia is reconnecting. Try again in a
  // moment." stayed up once connected again, beside a party that worked.
  it('drops what was said of the connection being down once it is back', async () => {
    const { be, st } = await inParty(fakeSession('host'));
    be.emit('party:status', { status: 'reconnecting', attempt: 1, error: '', retry_ms: 500 });
    be.handlers.SetApproval = () => Promise.reject('Not connected to the host right now; Concordia is reconnecting. Try again in a moment.');
    await st.control.setApproval(true);
    be.handlers.Kick = () => Promise.reject('Only a host can do this.');
    await st.control.kick('m2', '');
    expect(st.notices.map((n) => n.text)).toEqual([
      'Could not turn approval on: Not connected to the host right now; Concordia is reconnecting. Try again in a moment.',
      expect.stringContaining('Only a host can do this.'),
    ]);
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    expect(st.notices.map((n) => n.text)).toEqual([expect.stringContaining('Only a host can do this.')]);
  });

  it('Retry now asks Go only while reconnecting; a failure is a notice', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    await st.retryNow(); // connected: nothing to retry
    expect(be.count('RetryNow')).toBe(0);
    be.emit('party:status', { status: 'reconnecting', attempt: 2, error: 'connection refused', retry_ms: 15000 });
    await st.retryNow();
    expect(be.count('RetryNow')).toBe(1);
    be.handlers.RetryNow = () => Promise.reject('You are not in a party.');
    await st.retryNow();
    expect(st.notices.at(-1)?.text).toBe('Could not retry: You are not in a party.');
  });

  it('knows since when the party has been in its phase: live, and from a resync\'s history', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    const before = Date.now();
    be.emit('party:event', { seq: 1, ts: new Date().toISOString(), kind: 'phase', phase: 'merging' });
    expect(st.phaseSince).toBeGreaterThanOrEqual(before);
    const merging = st.phaseSince;
    be.emit('party:event', { seq: 2, ts: new Date().toISOString(), kind: 'phase', phase: 'merging' }); // the same phase again
    expect(st.phaseSince).toBe(merging);
    // A tool decision is part of the turn: back to running, the time counts from its start.
    be.emit('party:event', { seq: 3, ts: new Date().toISOString(), kind: 'phase', phase: 'running' });
    const running = st.phaseSince;
    await new Promise((r) => setTimeout(r, 5));
    be.emit('party:event', { seq: 4, ts: new Date().toISOString(), kind: 'phase', phase: 'awaiting_permission' });
    be.emit('party:event', { seq: 5, ts: new Date().toISOString(), kind: 'phase', phase: 'running' });
    expect(st.phaseSince).toBe(running);
    // A resync: the history's last phase event says when "running" began, 42 s ago.
    const began = new Date(Date.now() - 42_000).toISOString();
    be.emit('party:state', emptyState({ seq: 7, phase: 'running', events: [{ seq: 6, ts: began, kind: 'phase', phase: 'running' }, sys(7, 'x')] }));
    expect(Date.now() - st.phaseSince!).toBeGreaterThanOrEqual(41_000);
    // A history that does not reach back to it: unknown, no time shown.
    be.emit('party:state', emptyState({ seq: 9, phase: 'running', events: [sys(9, 'y')] }));
    expect(st.phaseSince).toBeNull();
  });

  // The tray's End party… while Settings is open: the party view, where the End dialog
  // is, is inert behind Settings (a reviewer's); Settings makes way.
  it('closes Settings when the End party dialog is asked for', async () => {
    const { be, st } = await inParty(fakeSession('host'));
    st.openSettings();
    expect(st.settingsOpen).toBe(true);
    be.emit('tray:end-party', null);
    expect(st.endAsked).toBe(true);
    expect(st.settingsOpen).toBe(false);
  });

  // A tester's window showed "Waiting for a host's approval…" with its spinner, and a
  // "pending" prompt in the queue, after the host had ended the party.
  it('shows the prompts the party ended with as not sent, none as waiting', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, pA));
    be.emit('party:event', prompt(2, pB));
    be.emit('party:event', { seq: 3, ts: at(300), kind: 'approval', approval: { batch: 'b1', prompts: [pA.id], merged: 'x', merger: 'local' } });
    expect(st.isAwaitingApproval(pA.id)).toBe(true);
    expect(st.pending.map((p) => p.id)).toContain(pB.id);
    be.emit('party:ended', { reason: 'the host ended the party' });
    expect(st.pending).toEqual([]);
    expect(st.isAwaitingApproval(pA.id)).toBe(false);
    expect(st.unsentAtEnd(pB.id)).toBe(true);
    const card = st.transcript.find((i) => i.type === 'approval');
    expect(card?.type === 'approval' && card.status).toBe('unsent');
    // The next party's prompts have ids of their own, the same ones (a reviewer's: its b
    // would have shown "not sent").
    st.backHome();
    expect(st.unsentAtEnd(pB.id)).toBe(false);
  });

  // A removed member's card read "Not sent: the party ended before a host decided" while
  // the party went on: a merged prompt that waits for approval stays in it when a member is
  // removed, theirs in it too, for a host to send or reject (internal/party Kick).
  it('keeps a prompt waiting for approval as still waiting in the party when this window was removed', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, pA));
    be.emit('party:event', { seq: 2, ts: at(300), kind: 'approval', approval: { batch: 'b1', prompts: [pA.id], merged: 'x', merger: 'local' } });
    expect(st.pending.map((p) => p.id)).toContain(pA.id); // still pending in the party
    be.emit('party:ended', { reason: 'a host removed you from the party', kicked: true });
    expect(st.isAwaitingApproval(pA.id)).toBe(false);
    const card = st.transcript.find((i) => i.type === 'approval');
    expect(card?.type === 'approval' && card.status).toBe('removed');
    expect(st.unsentAtEnd(pA.id)).toBe(false); // not "not sent" beside the card that says it stays
  });

  it('claims no phase while the host cannot be reached, and says when the party is over', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', { seq: 1, ts: new Date().toISOString(), kind: 'phase', phase: 'running' });
    expect(st.displayPhase).toBe('running');
    be.emit('party:status', { status: 'reconnecting', attempt: 1, error: '', retry_ms: 500 });
    expect(st.displayPhase).toBe('reconnecting'); // not "Agent working" while nobody knows
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    expect(st.displayPhase).toBe('running');
    be.emit('party:ended', { reason: 'the host ended the party' });
    expect(st.displayPhase).toBe('ended');
  });
});

describe('join', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function started(be = new FakeBackend()) {
    const st = new AppState(be, { checkDelayMs: 250 });
    await st.start();
    return { be, st };
  }

  it('prefills the invite from the clipboard and validates it', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => 'concordia://h:1/tok';
    const { st } = await started(be);
    await st.openJoin();
    expect(st.join).toMatchObject({ open: true, invite: 'concordia://h:1/tok', check: 'checking', name: 'ann' });
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.check).toBe('valid');
    expect(st.canJoin).toBe(true);
  });

  const checks: Array<{ name: string; typed: string[]; answer: (s: string) => string; want: { check: string; problem: string; calls: number } }> = [
    { name: 'empty text is not checked', typed: ['  '], answer: () => 'x', want: { check: 'empty', problem: '', calls: 0 } },
    { name: 'a bad invite says what is wrong', typed: ['concordia://h/t'], answer: () => 'the port is missing', want: { check: 'invalid', problem: 'the port is missing', calls: 1 } },
    { name: 'typing is debounced to one check', typed: ['c', 'co', 'con', 'concordia://h:1/t'], answer: (s) => (s.endsWith('/t') ? '' : 'bad'), want: { check: 'valid', problem: '', calls: 1 } },
  ];
  for (const c of checks) {
    it(c.name, async () => {
      const be = new FakeBackend();
      be.handlers.CheckInvite = async (s) => c.answer(s);
      const { st } = await started(be);
      await st.openJoin('x');
      await vi.advanceTimersByTimeAsync(300);
      be.calls = [];
      for (const s of c.typed) {
        st.setJoinInvite(s);
        await vi.advanceTimersByTimeAsync(50);
      }
      await vi.advanceTimersByTimeAsync(300);
      expect(st.join.check).toBe(c.want.check);
      expect(st.join.problem).toBe(c.want.problem);
      expect(be.count('CheckInvite')).toBe(c.want.calls);
      expect(st.canJoin).toBe(c.want.check === 'valid');
    });
  }

  it('ignores a stale check answer', async () => {
    const be = new FakeBackend();
    const slow = deferred<string>();
    be.handlers.CheckInvite = (s) => (s === 'first' ? slow.promise : Promise.resolve(''));
    const { st } = await started(be);
    await st.openJoin('first');
    await vi.advanceTimersByTimeAsync(300); // "first" is being checked
    st.setJoinInvite('second');
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.check).toBe('valid');
    slow.resolve('first is wrong');
    await vi.advanceTimersByTimeAsync(0);
    expect(st.join).toMatchObject({ invite: 'second', check: 'valid', problem: '' });
  });

  it('a failed join keeps the dialog open with the reason, and unsubscribes', async () => {
    const be = new FakeBackend();
    be.handlers.JoinParty = async () => {
      throw new Error('the host certificate does not match the invite (fingerprint mismatch)');
    };
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t?fp=ab');
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(false);
    expect(st.join).toMatchObject({ open: true, busy: false, error: expect.stringMatching(/fingerprint mismatch/) });
    expect(st.screen).toBe('home');
    for (const n of PARTY_EVENTS) expect(be.listeners(n)).toBe(0);
  });

  it('says so when the host gave this person another name, the one asked for being taken', async () => {
    const be = new FakeBackend();
    const base = fakeSession('participant');
    be.handlers.JoinParty = async () => ({ ...base, you: { ...base.you, name: 'tina-2' }, asked_name: 'tina' });
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    st.setJoinName('tina');
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    expect(st.notices.map((n) => n.text)).toContain('You are called tina-2 in this party: tina is taken.');
  });

  it('says why a co-host back with a rotated invite is someone new (a terminal tester read only "alice is taken")', async () => {
    const be = new FakeBackend();
    const base = fakeSession('participant');
    be.handlers.JoinParty = async () => ({ ...base, you: { ...base.you, name: 'tina-2' }, asked_name: 'tina', seat_not_back: true });
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    st.setJoinName('tina');
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    expect(st.notices.map((n) => n.text)).toContain(
      'You are called tina-2 in this party: tina is taken. If tina was you as a co-host, only the link you joined with then, or a host invite, brings that seat back: this one cannot raise a role.',
    );
  });

  it('says so when this window came back as the member it was (a restarted app was someone new)', async () => {
    const be = new FakeBackend();
    const base = fakeSession('participant');
    be.handlers.JoinParty = async () => ({ ...base, you: { ...base.you, role: 'host' as const }, rejoined: true });
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    expect(st.notices.map((n) => n.text)).toContain('You are back as the member you were in this party (a co-host).');
  });

  it('says why the participant link made this window a viewer (a terminal tester read only that she was one)', async () => {
    const cases = [
      { kept: 'returned' as const, want: 'You came back as vic, who was a viewer: a member back keeps its role, whatever the link. A host can make you a participant.' },
      { kept: 'removed' as const, want: 'You joined as a viewer, not as a participant: this window was a viewer when a host removed it from the party, and joining again from it keeps that. A host can make you a participant.' },
    ];
    for (const c of cases) {
      const be = new FakeBackend();
      const base = fakeSession('participant');
      be.handlers.JoinParty = async () => ({ ...base, you: { ...base.you, name: 'vic', role: 'viewer' as const }, viewer_kept: c.kept });
      const { st } = await started(be);
      await st.openJoin('concordia://h:1/t');
      await vi.advanceTimersByTimeAsync(300);
      expect(await st.submitJoin()).toBe(true);
      expect(st.notices.map((n) => n.text)).toContain(c.want);
    }
  });

  it('says who removed the member this window was when it joins again as someone new', async () => {
    const be = new FakeBackend();
    const why = 'alice removed you from this party. You joined again as someone new: this invite still lets people in.';
    be.handlers.JoinParty = async () => ({ ...fakeSession('participant'), removed: why });
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    expect(st.notices.filter((n) => n.text === why).map((n) => n.kind)).toEqual(['info']);
  });

  it('says so, and keeps saying so, when this window could not keep its membership', async () => {
    const be = new FakeBackend();
    const why = 'This window could not keep its membership of the party in /d/joined (no space left on device), so if you join again later you will be someone new in it.';
    be.handlers.JoinParty = async () => ({ ...fakeSession('participant'), not_kept: why });
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    expect(st.notices.filter((n) => n.text === why).map((n) => n.kind)).toEqual(['error']);
    await vi.advanceTimersByTimeAsync(60_000); // an info toast would be gone
    expect(st.notices.map((n) => n.text)).toContain(why);
  });

  it('joins, shows progress, and keeps events that arrive before the answer', async () => {
    const be = new FakeBackend();
    const answer = deferred<Session>();
    be.handlers.JoinParty = () => answer.promise;
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    const done = st.submitJoin();
    await vi.advanceTimersByTimeAsync(0);
    expect(st.join.busy).toBe(true);
    be.emit('party:status', { status: 'connecting', attempt: 2, error: 'connection refused', retry_ms: 1000 });
    expect(st.connection).toMatchObject({ status: 'connecting', attempt: 2 });
    be.emit('party:event', sys(5, 'early')); // emitted before JoinParty resolved
    answer.resolve(fakeSession('participant', emptyState({ seq: 4, events: [sys(4, 'from hello')] })));
    expect(await done).toBe(true);
    expect(st.screen).toBe('party');
    expect(st.join.open).toBe(false);
    expect(st.transcript.map((i) => i.seq)).toEqual([4, 5]);
  });

  it('an early stale resync is ignored, an early party:ended wins', async () => {
    const be = new FakeBackend();
    const answer = deferred<Session>();
    be.handlers.JoinParty = () => answer.promise;
    const { st } = await started(be);
    await st.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    const done = st.submitJoin();
    await vi.advanceTimersByTimeAsync(0);
    be.emit('party:state', emptyState({ seq: 2, events: [sys(2, 'stale')] }));
    answer.resolve(fakeSession('participant', emptyState({ seq: 7, events: [sys(7, 'fresh')] })));
    expect(await done).toBe(true);
    expect(st.transcript.map((i) => i.seq)).toEqual([7]);

    st.dispose();
    const be2 = new FakeBackend();
    const answer2 = deferred<Session>();
    be2.handlers.JoinParty = () => answer2.promise;
    const { st: st2 } = await started(be2);
    await st2.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    const done2 = st2.submitJoin();
    await vi.advanceTimersByTimeAsync(0);
    be2.emit('party:ended', { reason: 'the host went away' });
    answer2.resolve(fakeSession('participant'));
    await done2;
    expect(st2.screen).toBe('party');
    expect(st2.endedText).toBe('The party has ended: the host went away.');
    for (const n of PARTY_EVENTS) expect(be2.listeners(n)).toBe(0);
  });

  it('submit checks an invite still waiting for its debounce', async () => {
    const { be, st } = await started();
    await st.openJoin('concordia://h:1/t');
    expect(st.join.check).toBe('checking');
    expect(await st.submitJoin()).toBe(true);
    expect(be.count('CheckInvite')).toBe(1);
    expect(be.count('JoinParty')).toBe(1);
  });

  it('refuses without a name', async () => {
    const { be, st } = await started();
    await st.openJoin('concordia://h:1/t');
    await vi.advanceTimersByTimeAsync(300);
    st.setJoinName('  ');
    expect(st.canJoin).toBe(false);
    expect(await st.submitJoin()).toBe(false);
    expect(st.join.error).toMatch(/name/);
    expect(be.count('JoinParty')).toBe(0);
  });

  it('an app:link event opens the dialog prefilled, a boot link too', async () => {
    const be = new FakeBackend();
    be.handlers.Boot = async () => ({ settings: fakeSettings, key: noKey, version: 't', link: 'concordia://boot:1/t', tray: { available: true, reason: '' }, home: '', dismissed: [] });
    const { st } = await started(be);
    expect(st.join).toMatchObject({ open: true, invite: 'concordia://boot:1/t' });
    st.closeJoin();
    be.emit('app:link', 'concordia://link:2/t');
    await vi.advanceTimersByTimeAsync(0);
    expect(st.join).toMatchObject({ open: true, invite: 'concordia://link:2/t' });
    expect(be.count('ClipboardInvite')).toBe(0);
  });

  // A user tester's link opened with Settings open seemed to do nothing: the dialog was
  // behind Settings until they closed it.
  it('an app:link event with Settings open says where the Join dialog is', async () => {
    const { be, st } = await started();
    st.openSettings();
    be.emit('app:link', 'concordia://link:2/t');
    await vi.advanceTimersByTimeAsync(0);
    expect(st.join.open).toBe(true);
    expect(st.notices.at(-1)?.text).toBe('An invite was opened: the Join dialog is behind Settings, and shows once you close them.');
    st.closeJoin();
    st.closeSettings();
    const before = st.notices.length;
    be.emit('app:link', 'concordia://link:3/t'); // without Settings: nothing to say
    await vi.advanceTimersByTimeAsync(0);
    expect(st.notices.length).toBe(before);
  });
});

describe('errors for people', () => {
  it('create failure', async () => {
    const be = new FakeBackend();
    be.handlers.CreateParty = async () => {
      throw new Error('claude was not found on PATH');
    };
    const st = new AppState(be);
    await st.start();
    expect(await st.createParty({ name: 'a', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(false);
    expect(st.createError).toBe('claude was not found on PATH');
    expect(st.creating).toBe(false);
    expect(st.screen).toBe('home');
    for (const n of PARTY_EVENTS) expect(be.listeners(n)).toBe(0);
  });

  it('a bad window is refused before Go is asked', async () => {
    const be = new FakeBackend();
    const st = new AppState(be);
    expect(await st.createParty({ name: 'a', workdir: '/w', window_ms: 0, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(false);
    expect(st.createError).toMatch(/window/);
    expect(be.count('CreateParty')).toBe(0);
  });

  it('a rejected string (as Wails sends) is shown as is', async () => {
    const { be, st } = await inParty();
    be.handlers.SendPrompt = () => Promise.reject('rate limited: slow down');
    expect(await st.sendPrompt('hi')).toBe(false);
    expect(st.sendError).toBe('rate limited: slow down');
  });

  it('a prompt over 32 KiB is refused with the sizes', async () => {
    const { be, st } = await inParty();
    expect(await st.sendPrompt('é'.repeat(16385))).toBe(false); // 32,770 bytes
    expect(st.sendError).toMatch(/32,770 bytes.*32,768/);
    expect(be.count('SendPrompt')).toBe(0);
  });

  it('settings: field problems, then Go refusing', async () => {
    const be = new FakeBackend();
    be.handlers.SaveSettings = async () => {
      throw new Error('the listen address is in use');
    };
    const st = new AppState(be);
    await st.start();
    expect(await st.saveSettings({ ...fakeSettings, window_ms: -1, listen: 'nope' })).toBe(false);
    expect(Object.keys(st.settingsProblems).sort()).toEqual(['listen', 'window_ms']);
    expect(be.count('SaveSettings')).toBe(0);
    expect(await st.saveSettings(fakeSettings)).toBe(false);
    expect(st.settingsError).toBe('the listen address is in use');
  });

  it('settings: what Go says of a field is said under it, and goes once the field is edited', async () => {
    const be = new FakeBackend();
    let refusal = 'The display name is empty.';
    be.handlers.SaveSettings = async () => {
      throw new Error(refusal);
    };
    const st = new AppState(be);
    await st.start();
    expect(await st.saveSettings({ ...fakeSettings, name: '' })).toBe(false);
    expect(st.settingsProblems).toEqual({ name: 'The display name is empty.' });
    expect(st.settingsError).toBe('Please fix the marked fields.');
    st.settingsEdited('workdir'); // another field: the name still needs fixing
    expect(st.settingsProblems).toEqual({ name: 'The display name is empty.' });
    st.settingsEdited('name');
    expect(st.settingsProblems).toEqual({});
    expect(st.settingsError).toBe(''); // the footer went with it (a tester's stayed)
    refusal = 'The extra Claude Code arguments have a " without its closing ".';
    expect(await st.saveSettings({ ...fakeSettings, claude_args: '--model "opus' })).toBe(false);
    expect(st.settingsProblems).toEqual({ claude_args: refusal });
    // Every refusal of a flag Concordia sets itself is the field's too (a window tester's
    // --dangerously-skip-permissions stayed in the footer, the field unmarked, after it was cleared).
    for (refusal of [
      'Use the permission mode "Allow everything" instead of --dangerously-skip-permissions.',
      'Choose the permission mode in its own setting instead of --permission-mode.',
      'Concordia asks the party\'s hosts about tool use itself; remove --permission-prompt-tool.',
      'Concordia runs Claude Code in its own mode; remove -p.',
      'Concordia sets --output-format itself; remove it.',
      'Concordia resumes Claude Code\'s session itself; remove --resume.',
      'The extra Claude Code argument --model needs a value after it (e.g. --model opus). A value that starts with - goes as --model=VALUE.',
    ]) {
      expect(await st.saveSettings({ ...fakeSettings, claude_args: 'x' })).toBe(false);
      expect(st.settingsProblems).toEqual({ claude_args: refusal });
      st.settingsEdited('claude_args');
      expect(st.settingsError).toBe('');
    }
  });

  it('key: keyring failure is shown, success updates the status', async () => {
    const be = new FakeBackend();
    be.handlers.SetKey = async () => {
      throw new Error('the OS keyring is locked');
    };
    const st = new AppState(be);
    await st.start();
    expect(await st.setKey('k')).toBe(false);
    expect(st.keyError).toBe('the OS keyring is locked');
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring' });
    expect(await st.setKey('k')).toBe(true);
    expect(st.keyError).toBe('');
    expect(describeKey(st.key)).toBe('Gemini key: in the OS keyring');
  });

  it('key: a key just saved was checked with Google by Go; its answer, or why there is none, is shown', async () => {
    const be = new FakeBackend();
    // Refused: Go did not store it, and says so.
    be.handlers.SetKey = async () => {
      throw new Error('Google refused the API key (400 INVALID_ARGUMENT), so it was not saved. Paste it again, copied whole, or make a new one at aistudio.google.com/apikey.');
    };
    const st = new AppState(be);
    await st.start();
    expect(await st.setKey('AIza-typo')).toBe(false);
    expect(st.keyError).toMatch(/^Google refused the API key \(400 INVALID_ARGUMENT\), so it was not saved/);
    expect(st.key?.source).toBe('none');
    // Google could not be asked: stored, and said so.
    const note = 'Saved, but not checked: Google could not be reached (unavailable (503)).';
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note });
    expect(await st.setKey('AIza-good')).toBe(true);
    expect(st.keyCheck).toEqual({ result: 'unavailable', text: note });
    expect(st.key?.unchecked).toBe(true);
    // Accepted.
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring' });
    expect(await st.setKey('AIza-good')).toBe(true);
    expect(st.keyCheck).toEqual({ result: 'accepted', text: 'Google accepted this key.', saved: true });
    expect(be.count('CheckKey')).toBe(0); // not asked twice
    be.handlers.CheckKey = async () => ({ result: 'accepted', text: 'Google accepted this key.' });
    await st.checkKey();
    expect(st.keyCheck).toEqual({ result: 'accepted', text: 'Google accepted this key.' });
    be.handlers.CheckKey = () => Promise.reject('There is no Gemini key to check: paste one first.');
    await st.deleteKey();
    expect(st.keyCheck).toBeNull();
    await st.checkKey();
    expect(st.keyCheck).toEqual({ result: 'unavailable', text: 'There is no Gemini key to check: paste one first.' });
    // Settings opened again later: the old answer is gone (a window tester's stood for minutes).
    st.closeSettings();
    st.openSettings();
    expect(st.keyCheck).toBeNull();
  });

  it('key: a whole key Google refused for this use (its project, its restrictions) is saved, and said refused with what to change', async () => {
    // Go stores it (the fix is on Google's side, not another paste) and says what Google
    // answered: shown as a refusal, not as "could not be asked", and not as working.
    const be = new FakeBackend();
    const note =
      "Saved, but Google refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED), so prompts are merged locally. The key itself need not change: enable the Generative Language API in the key's Google Cloud project, then check again.";
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note, note_refused: true });
    const st = new AppState(be);
    await st.start();
    expect(await st.setKey('AIza-whole-key-0123456789')).toBe(true);
    expect(st.keyError).toBe('');
    expect(st.keyCheck).toEqual({ result: 'refused', denied: true, text: note });
    expect(st.keyRefused).toBe(note);
    expect(describeKey(st.key, st.keyShownRefused, st.keyShownDenied)).toBe('Gemini key: in the OS keyring — Google refused this use of it; merging locally');
    // Fixed on Google's side: a check finds it works, without pasting it again.
    be.handlers.CheckKey = async () => ({ result: 'accepted', text: 'Google accepted this key.' });
    await st.checkKey();
    expect(st.keyRefused).toBe('');
    expect(st.key?.unchecked).toBe(false);
  });

  it('key: a key Google refused is said refused until it is replaced or a check finds it works, also after Settings opens again', async () => {
    // A window tester's Settings showed green "Stored in the OS keyring. Prompts are merged
    // with Gemini" beside the refusal, and again after reopening; so did the Create form.
    const be = new FakeBackend();
    be.handlers.CheckKey = async () => ({ result: 'refused', text: 'Google refused the API key (400 INVALID_ARGUMENT).' });
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring' });
    const st = new AppState(be);
    await st.start();
    expect(await st.setKey('AIza-typo')).toBe(true);
    await st.checkKey(); // refused later (Go's check at saving accepted it)
    expect(st.keyRefused).toBe('Google refused the API key (400 INVALID_ARGUMENT).');
    st.closeSettings();
    st.openSettings();
    expect(st.keyCheck).toBeNull();
    expect(st.keyRefused).not.toBe('');
    expect(describeKey(st.key, st.keyRefused !== '')).toBe('Gemini key: in the OS keyring — Google refused it; merging locally');
    be.handlers.CheckKey = () => Promise.reject('unreachable'); // not an answer about the key
    await st.checkKey();
    expect(st.keyRefused).not.toBe('');
    be.handlers.CheckKey = async () => ({ result: 'accepted', text: 'Google accepted this key.' });
    await st.checkKey();
    expect(st.keyRefused).toBe('');
    // A party this window runs says so: refused again; a new key forgets it.
    be.handlers.CheckKey = () => new Promise(() => {}); // the new key's check does not answer here
    const { be: pbe, st: host } = await inParty(fakeSession('host'));
    pbe.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note: 'Saved, but not checked.' });
    pbe.handlers.CheckKey = () => new Promise(() => {});
    expect(await host.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true);
    pbe.emit('party:event', { seq: 1, ts: '', kind: 'error', text: "Gemini refused the host's API key; merging locally until the host replaces it (Settings)" });
    expect(host.keyRefused).toMatch(/^Gemini refused the host's API key/);
    pbe.handlers.SetKey = async () => ({ ...noKey, source: 'keyring' });
    pbe.handlers.CheckKey = () => new Promise(() => {});
    expect(await host.setKey('AIza-new')).toBe(true);
    expect(host.keyRefused).toBe('');
    // A joiner's window: the host's key is not this machine's.
    const { be: jbe, st: joiner } = await inParty(fakeSession('participant'));
    jbe.emit('party:event', { seq: 1, ts: '', kind: 'error', text: "Gemini refused the host's API key; merging locally until the host replaces it (Settings)" });
    expect(joiner.keyRefused).toBe('');
  });

  it('key: a key saved unchecked is no longer said unchecked once the party this window runs merges with Gemini', async () => {
    const { be, st } = await inParty(fakeSession('host'));
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note: 'Saved, but not checked.' });
    expect(await st.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true);
    be.emit('party:event', { seq: 1, ts: '', kind: 'batch', batch: { id: 'b1', prompts: ['p1', 'p2'], merged: 'x', merger: 'local' } });
    expect(st.key?.unchecked).toBe(true); // merged locally: nothing said of the key
    // Go marked it checked as it merged (its id is the stored key's): the status says so.
    be.handlers.KeyStatus = async () => ({ ...noKey, source: 'keyring', unchecked: false });
    be.emit('party:event', { seq: 2, ts: '', kind: 'batch', batch: { id: 'b2', prompts: ['p3', 'p4'], merged: 'y', merger: 'gemini' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.key?.unchecked).toBe(false);
    expect(describeKey(st.key)).toBe('Gemini key: in the OS keyring');
  });

  it('key: a refusal for this use only is said so, wherever it came from, and forgotten once the party this window runs merges with Gemini', async () => {
    const be = new FakeBackend();
    be.handlers.CheckKey = async () => ({ result: 'refused', denied: true, text: 'Google refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED).' });
    const st = new AppState(be);
    await st.start();
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring' });
    expect(await st.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true);
    await st.checkKey();
    expect(st.keyShownRefused).toBe(true);
    expect(st.keyShownDenied).toBe(true);
    expect(describeKey(st.key, st.keyShownRefused, st.keyShownDenied)).toBe('Gemini key: in the OS keyring — Google refused this use of it; merging locally');
    // A refusal of the key itself is not one for this use.
    be.handlers.CheckKey = async () => ({ result: 'refused', text: 'Google refused the API key (400 INVALID_ARGUMENT).' });
    await st.checkKey();
    expect(st.keyShownDenied).toBe(false);
    expect(describeKey(st.key, st.keyShownRefused, st.keyShownDenied)).toBe('Gemini key: in the OS keyring — Google refused it; merging locally');

    // The party this window runs says so, in the merger's words.
    const { be: pbe, st: host } = await inParty(fakeSession('host'));
    pbe.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note: 'Saved, but not checked.' });
    pbe.handlers.CheckKey = () => new Promise(() => {});
    expect(await host.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true);
    pbe.emit('party:event', { seq: 1, ts: '', kind: 'error', text: "Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED); merging locally until the host fixes it" });
    expect(host.keyShownRefused).toBe(true);
    expect(host.keyShownDenied).toBe(true);
    // Put right on Google's side, a later party merges with the stored key; Go marked the
    // key checked as it merged: the window stops saying refused.
    pbe.handlers.KeyStatus = async () => ({ ...noKey, source: 'keyring', unchecked: false });
    pbe.emit('party:event', { seq: 2, ts: '', kind: 'batch', batch: { id: 'b1', prompts: ['p1', 'p2'], merged: 'y', merger: 'gemini' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(host.keyShownRefused).toBe(false);
    expect(host.keyShownDenied).toBe(false);
    expect(describeKey(host.key, host.keyShownRefused)).toBe('Gemini key: in the OS keyring');
  });

  it('key: a refusal of GEMINI_API_KEY is forgotten once the party this window runs merges with it', async () => {
    // The environment's key cannot change while the window runs: the party merged with it.
    const { be, st } = await inParty(fakeSession('host'));
    be.handlers.KeyStatus = async () => ({ ...noKey, source: 'env' });
    be.handlers.SetKey = async () => ({ ...noKey, source: 'env' });
    be.handlers.CheckKey = async () => ({ result: 'refused', denied: true, text: 'Google refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED).' });
    expect(await st.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true); // stands in for a boot with the key in the environment
    await st.checkKey();
    expect(st.keyShownDenied).toBe(true);
    be.emit('party:event', { seq: 1, ts: '', kind: 'batch', batch: { id: 'b1', prompts: ['p1', 'p2'], merged: 'y', merger: 'gemini' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.keyShownRefused).toBe(false);
    expect(describeKey(st.key, st.keyShownRefused)).toBe('Gemini key: from GEMINI_API_KEY');
  });

  it('key: a merge with Gemini says nothing of a refused key the party did not merge with', async () => {
    // The key was replaced during the party: Go keeps the new one unchecked, and what was
    // said of the new one stands.
    const { be, st } = await inParty(fakeSession('host'));
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note: 'Saved, but Google refused this use of the API key.', note_refused: true });
    expect(await st.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true);
    be.handlers.KeyStatus = async () => ({ ...noKey, source: 'keyring', unchecked: true });
    be.emit('party:event', { seq: 1, ts: '', kind: 'batch', batch: { id: 'b1', prompts: ['p1', 'p2'], merged: 'y', merger: 'gemini' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.keyShownRefused).toBe(true);
  });

  it('key: a key replaced during the party stays unchecked when the party merges with Gemini', async () => {
    const { be, st } = await inParty(fakeSession('host'));
    be.handlers.SetKey = async () => ({ ...noKey, source: 'keyring', unchecked: true, note: 'Saved, but not checked.' });
    expect(await st.setKey('AIza-0123456789-0123456789-abcdef')).toBe(true);
    // The party merges with the key it started with; Go keeps the new one's note.
    be.handlers.KeyStatus = async () => ({ ...noKey, source: 'keyring', unchecked: true });
    be.emit('party:event', { seq: 1, ts: '', kind: 'batch', batch: { id: 'b1', prompts: ['p1', 'p2'], merged: 'y', merger: 'gemini' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.key?.unchecked).toBe(true);
  });

  it('key: an answer about a key replaced or removed meanwhile is dropped', async () => {
    const be = new FakeBackend();
    const answers: Array<(c: { result: string; text: string }) => void> = [];
    be.handlers.CheckKey = () => new Promise((r) => answers.push(r));
    const st = new AppState(be);
    await st.start();
    expect(await st.setKey('AIza-A')).toBe(true);
    void st.checkKey(); // its check waits
    expect(await st.setKey('AIza-B')).toBe(true);
    void st.checkKey(); // so does this one
    expect(answers).toHaveLength(2);
    answers[0]!({ result: 'refused', text: 'about A' });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.keyCheck).toBeNull(); // not shown under B
    expect(st.keyChecking).toBe(true);
    answers[1]!({ result: 'accepted', text: 'about B' });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.keyCheck).toEqual({ result: 'accepted', text: 'about B' });
    void st.checkKey();
    await st.deleteKey(); // removed while Google is asked
    answers[2]!({ result: 'accepted', text: 'about the removed key' });
    await new Promise((r) => setTimeout(r, 0));
    expect(st.keyCheck).toBeNull();
    expect(st.keyChecking).toBe(false);
  });

  it('end party failure keeps the party and says why', async () => {
    const { be, st } = await inParty();
    be.handlers.EndParty = async () => {
      throw new Error('agent did not stop');
    };
    expect(await st.endParty()).toBe(false);
    expect(st.screen).toBe('party');
    expect(st.notices.at(-1)).toMatchObject({ kind: 'error', text: expect.stringMatching(/agent did not stop/) });
  });

  it("the tray's End party… opens the dialog for a host only, and never for the next party", async () => {
    const { be, st } = await inParty();
    expect(st.endAsked).toBe(false);
    be.emit('tray:end-party', null);
    expect(st.endAsked).toBe(true);
    // A failed end keeps the dialog (and the party), with the reason shown.
    be.handlers.EndParty = () => Promise.reject('agent did not stop');
    expect(await st.endParty()).toBe(false);
    expect(st.endAsked).toBe(true);
    st.cancelEnd();
    expect(st.endAsked).toBe(false);

    // Asked, then the party ends some other way: the dialog goes with it, and the next
    // party does not open with it.
    be.emit('tray:end-party', null);
    be.emit('party:ended', { reason: 'agent exited' });
    expect(st.endAsked).toBe(false);
    st.backHome();
    expect(await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
    expect(st.endAsked).toBe(false);

    // A participant is never asked (the tray's item is disabled for them too).
    const p = await inParty(fakeSession('participant'));
    p.be.emit('tray:end-party', null);
    expect(p.st.endAsked).toBe(false);
  });

  it('back home, the next Create party offers the settings Go saved during the party', async () => {
    // Go remembers the extra arguments once Claude Code started with them, after
    // CreateParty returned, and never ones it refused: the form takes the settings again.
    const { be, st } = await inParty();
    const started = { ...fakeSettings, claude_args: '--model opus' };
    be.handlers.GetSettings = async () => started;
    be.emit('party:ended', { reason: 'the host ended the party' });
    st.backHome();
    await vi.waitFor(() => expect(st.settings?.claude_args).toBe('--model opus'));
  });

  it('boot failure', async () => {
    const be = new FakeBackend();
    be.handlers.Boot = () => Promise.reject('config dir unreadable');
    const st = new AppState(be);
    await st.start();
    expect(st.bootError).toBe('config dir unreadable');
  });

  it('tray unavailable shows a dismissible note, and Go remembers the dismissal', async () => {
    const { be, st } = await inParty();
    expect(st.trayNote).toBe('');
    be.emit('tray:status', { available: false, reason: 'no tray host' });
    expect(st.trayNote).toBe('no tray host');
    st.dismissTrayNote();
    expect(st.trayNote).toBe('');
    expect(be.calls.filter(([n]) => n === 'DismissNote')).toEqual([['DismissNote', ['no tray host']]]);
    be.emit('tray:status', { available: true, reason: '' });
    be.emit('tray:status', { available: false, reason: 'no tray host' });
    expect(st.trayNote).toBe(''); // the same note stays dismissed
    be.emit('tray:status', { available: false, reason: 'the tray host went away' });
    expect(st.trayNote).toBe('the tray host went away'); // another one shows
  });

  it('a note dismissed in an earlier run stays hidden', async () => {
    const be = new FakeBackend();
    const boot = be.handlers.Boot;
    be.handlers.Boot = async () => ({ ...(await boot()), tray: { available: false, reason: 'no tray host' }, dismissed: ['no tray host'] });
    be.handlers.CreateParty = async () => fakeSession('host');
    const host = async () => {
      const st = new AppState(be);
      await st.start();
      expect(await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
      return st;
    };
    expect((await host()).trayNote).toBe('');
    be.handlers.Boot = async () => ({ ...(await boot()), tray: { available: false, reason: 'no tray host' }, dismissed: null });
    expect((await host()).trayNote).toBe('no tray host'); // no list (null, as Go's JSON of none may be): it shows
  });

  // A window tester read "While you host a party, closing the window asks first…" on a
  // joiner's Home, in a joined party and after the party had ended.
  it('shows the tray note only while this window hosts a party', async () => {
    const tray = async (be: FakeBackend) => {
      const boot = be.handlers.Boot;
      be.handlers.Boot = async () => ({ ...(await boot()), tray: { available: false, reason: 'no tray host' } });
    };
    const home = new FakeBackend();
    await tray(home);
    const st = new AppState(home);
    await st.start();
    expect(st.trayNote).toBe(''); // Home
    expect(st.tray?.available).toBe(false);

    const be = new FakeBackend();
    await tray(be);
    be.handlers.CreateParty = async () => fakeSession('participant'); // as a joined party's session
    const joined = new AppState(be);
    await joined.start();
    expect(await joined.createParty({ name: 'bob', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
    expect(joined.session?.role).toBe('participant');
    expect(joined.trayNote).toBe(''); // a joined party

    const hosting = new FakeBackend();
    await tray(hosting);
    hosting.handlers.CreateParty = async () => fakeSession('host');
    const host = new AppState(hosting);
    await host.start();
    expect(await host.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
    expect(host.trayNote).toBe('no tray host'); // hosting
    hosting.emit('party:ended', { reason: 'the host ended the party', kicked: false });
    expect(host.ended).not.toBeNull();
    expect(host.trayNote).toBe(''); // ended
    for (const s of [st, joined, host]) s.dispose();
  });
});

describe('leaving', () => {
  const ways: Array<{ name: string; role: 'host' | 'participant'; act: (st: AppState, be: FakeBackend) => Promise<unknown> | void; ended: RegExp }> = [
    { name: 'participant leaves', role: 'participant', act: (st) => st.leave(), ended: /^You left (\S+)'s party\.$/ },
    { name: 'participant leaves though the host is gone', role: 'participant', act: (st, be) => { be.handlers.Leave = () => Promise.reject('not connected'); return st.leave(); }, ended: /^You left .*party \(the host could not be told: .*not connected.*\)\.$/ },
    // What Go does: its own party:ended ("you left the party") comes before Leave returns.
    // The window used to read it as the party's end: "The party has ended: you left the party."
    { name: 'participant leaves, Go ending the session first', role: 'participant', act: (st, be) => { be.handlers.Leave = async () => { be.emit('party:ended', { reason: 'you left the party' }); }; return st.leave(); }, ended: /^You left (\S+)'s party\.$/ },
    { name: 'participant leaves though the host is gone, Go ending the session first', role: 'participant', act: (st, be) => { be.handlers.Leave = async () => { be.emit('party:ended', { reason: 'you left the party' }); throw 'not connected'; }; return st.leave(); }, ended: /^You left .*party \(the host could not be told: .*not connected.*\)\.$/ },
    { name: 'host ends the party', role: 'host', act: (st) => st.endParty(), ended: /^You ended the party\.$/ },
    { name: 'party:ended event', role: 'participant', act: (_st, be) => be.emit('party:ended', { reason: 'the host ended the party' }), ended: /^The party has ended: \S+, the host, ended it\.$/ },
  ];
  for (const w of ways) {
    it(`${w.name}: the transcript stays with the reason until Back to home; unsubscribed, later events ignored`, async () => {
      const { be, st } = await inParty(fakeSession(w.role));
      be.emit('party:event', sys(1, 'hello'));
      for (const n of PARTY_EVENTS) expect(be.listeners(n)).toBe(1);
      const me = st.session!.you.id;
      be.emit('party:event', joined(2, st.session!.you));
      expect(st.participants.map((m) => m.id)).toContain(me);
      await w.act(st, be);
      // Someone who left is no longer listed among the people (a tester's People still
      // listed them); an ended party keeps its people on screen.
      expect(st.participants.some((m) => m.id === me)).toBe(!w.ended.source.startsWith('^You left'));
      expect(st.screen).toBe('party');
      expect(st.session).not.toBeNull();
      expect(st.transcript.map((i) => i.seq)).toEqual([1, 2]);
      expect(st.endedText).toMatch(w.ended);
      // Leaving a party someone else hosts does not end it: the chip says "Left".
      expect(st.displayPhase).toBe(w.ended.source.startsWith('^You left') ? 'left' : 'ended');
      // The prompt box is disabled, in a word: the banner says why.
      expect(st.sendBlockedReason).toBe(st.displayPhase === 'left' || w.ended.source.startsWith('^You left') ? 'You left this party.' : 'This party has ended.');
      expect(st.isHost).toBe(false); // no host controls on an ended party
      expect(st.isOwner).toBe(false);
      expect(await st.sendPrompt('too late')).toBe(false);
      for (const n of PARTY_EVENTS) expect(be.listeners(n)).toBe(0);
      expect(be.listeners('app:link')).toBe(1); // app-level subscriptions stay
      be.emit('party:event', sys(3, 'late'));
      expect(st.transcript.map((i) => i.seq)).toEqual([1, 2]);

      await st.saveTranscript();
      expect(be.count('SaveTranscript')).toBe(1);
      expect(st.notices.at(-1)?.text).toBe('Saved the transcript to /home/ann/party.md');

      st.backHome();
      expect(st.screen).toBe('home');
      expect(st.session).toBeNull();
      expect(st.ended).toBeNull();
      expect(st.transcript).toEqual([]);
      expect(be.count('DismissParty')).toBe(1);
    });
  }

  it('a cancelled save says nothing; a failed one says why', async () => {
    const { be, st } = await inParty();
    be.emit('party:ended', { reason: 'the host ended the party' });
    const n0 = st.notices.length;
    be.handlers.SaveTranscript = async () => '';
    await st.saveTranscript();
    expect(st.notices.length).toBe(n0);
    be.handlers.SaveTranscript = () => Promise.reject('Permission denied.');
    await st.saveTranscript();
    expect(st.notices.at(-1)).toMatchObject({ kind: 'error', text: 'Could not save the transcript: Permission denied.' });
    expect(st.savingTranscript).toBe(false);
  });

  it('dispose drops every subscription', async () => {
    const { be, st } = await inParty();
    st.dispose();
    for (const n of [...PARTY_EVENTS, 'app:link', 'tray:status', 'tray:end-party'] as BackendEventName[]) expect(be.listeners(n)).toBe(0);
  });

  it('ending twice (EndParty, then party:ended) keeps the first reason', async () => {
    const { be, st } = await inParty();
    await st.endParty();
    be.emit('party:ended', { reason: 'host ended' });
    expect(st.endedText).toBe('You ended the party.');
  });
});

describe('pure helpers', () => {
  it('validateSettings accepts defaults and common listen forms', () => {
    for (const listen of ['', ':8765', '127.0.0.1:0', '[::1]:9000', 'example.org:443']) {
      expect(validateSettings({ ...fakeSettings, listen })).toEqual({});
    }
    expect(validateSettings({ ...fakeSettings, listen: ':99999' }).listen).toBeTruthy();
    expect(validateSettings({ ...fakeSettings, min_prompts: 1.5 }).min_prompts).toBeTruthy();
    // The same floor as Go's settings check (0.1 s), so the field is marked before saving.
    expect(validateSettings({ ...fakeSettings, window_ms: 50 }).window_ms).toBeTruthy();
    expect(validateSettings({ ...fakeSettings, window_ms: 100 }).window_ms).toBeUndefined();
  });

  it('describeKey', () => {
    expect(describeKey({ ...noKey, source: 'env' })).toMatch(/GEMINI_API_KEY/);
    expect(describeKey(noKey)).toMatch(/merging locally/);
  });
});

describe('an unencrypted party', () => {
  it('is said when its invite has no ?fp=, and only then', async () => {
    const { st } = await inParty({ ...fakeSession('participant'), invite: 'concordia://127.0.0.1:8765/TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms' });
    expect(st.unencrypted).toBe(true);
    const { st: pinned } = await inParty(fakeSession('participant'));
    expect(pinned.unencrypted).toBe(false);
  });
});

describe('a page loaded again while the window is in a party', () => {
  // A window tester's reloaded web view showed Home, the party running with no way back
  // into it, and Create said "already in a party".
  it('goes back into the party, with its history, and follows its events', async () => {
    const be = new FakeBackend();
    be.handlers.CurrentParty = async () => fakeSession('host', { ...emptyState(), seq: 2, events: [prompt(1, pA), sys(2, 'before the reload')] });
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    expect(st.session?.role).toBe('host');
    expect(st.transcript.map((it) => it.type)).toContain('prompt');
    be.emit('party:event', sys(2, 'before the reload')); // one it has: dropped
    be.emit('party:event', sys(3, 'after it'));
    expect(st.lastSeq).toBe(3);
    st.dispose();
  });

  // It showed "connected" until the next status, which a long backoff left for minutes.
  it('says it is reconnecting when its joined party is, counting down to the next try', async () => {
    const now = 1_000_000;
    const be = new FakeBackend();
    be.handlers.CurrentParty = async () => ({
      ...fakeSession('participant', emptyState()),
      status: { status: 'reconnecting', attempt: 3, error: 'the host does not answer', retry_ms: 40_000 },
    });
    const st = new AppState(be, { checkDelayMs: 10, now: () => now });
    await st.start();
    expect(st.connection).toEqual({ status: 'reconnecting', attempt: 3, error: 'the host does not answer', retryMs: 40_000 });
    expect(st.retryAt).toBe(now + 40_000);
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    expect(st.connection.status).toBe('connected');
    st.dispose();
  });

  // Connected again after Go took the session's status, before the page entered: the newer
  // status wins (a reviewer's: the page stayed on Reconnecting…, sending blocked).
  it('takes a status that came while it asked over the one the session carries', async () => {
    const be = new FakeBackend();
    be.handlers.CurrentParty = async () => {
      be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
      return { ...fakeSession('participant', emptyState()), status: { status: 'reconnecting', attempt: 3, error: 'the host does not answer', retry_ms: 40_000 } };
    };
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    expect(st.connection.status).toBe('connected');
    st.dispose();
  });

  it('stays at Home when the window is in none, and says so when Go cannot tell', async () => {
    const be = new FakeBackend();
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    expect(st.session).toBeNull();
    const be2 = new FakeBackend();
    be2.handlers.CurrentParty = () => Promise.reject('the party state: party ended');
    const st2 = new AppState(be2, { checkDelayMs: 10 });
    await st2.start();
    expect(st2.session).toBeNull();
    expect(st2.notices.at(-1)?.text).toBe('Could not show the party again: the party state: party ended');
    st.dispose();
    st2.dispose();
  });
});

// A window tester: Ctrl-+ / Ctrl-= / Ctrl-- / Ctrl-0 did nothing, and no setting made the
// text larger (poor eyesight, HiDPI). The size steps, is saved alone, and outlives the form.
describe('text size', () => {
  it('steps larger and smaller within the sizes allowed, saved each time; Ctrl+0 is the usual size', async () => {
    const be = new FakeBackend();
    const st = new AppState(be);
    await st.start();
    expect(st.zoom).toBe(100);
    const saved = () => be.calls.filter(([n]) => n === 'SetZoom').map(([, a]) => a[0]);
    for (let i = 0; i < 6; i++) st.zoomBy(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(st.zoom).toBe(150);
    expect(saved()).toEqual([110, 125, 150]); // none past the largest
    expect(st.settings?.zoom).toBe(150);
    st.zoomBy(0);
    st.zoomBy(-1);
    st.zoomBy(-1);
    st.zoomBy(-1);
    await new Promise((r) => setTimeout(r, 0));
    expect(st.zoom).toBe(80);
    expect(saved()).toEqual([110, 125, 150, 100, 90, 80]);
  });

  it('starts at the saved size, and saving the settings form keeps it', async () => {
    const be = new FakeBackend();
    be.handlers.Boot = async () => ({ settings: { ...fakeSettings, zoom: 125 }, key: noKey, version: 'test', link: '', tray: { available: true, reason: '' }, home: '/home/test', dismissed: [] });
    const st = new AppState(be);
    await st.start();
    expect(st.zoom).toBe(125);
    st.zoomBy(1);
    // The form was filled before the key: it sends the size it read, the key's is saved.
    expect(await st.saveSettings({ ...fakeSettings, zoom: 125 })).toBe(true);
    expect(be.calls.find(([n]) => n === 'SaveSettings')?.[1][0]).toMatchObject({ zoom: 150 });
    expect(st.zoom).toBe(150);
  });

  it('a size Go could not save stays for this session, and says so', async () => {
    const be = new FakeBackend();
    be.handlers.SetZoom = () => Promise.reject('The settings file could not be written: disk full.');
    const st = new AppState(be);
    await st.start();
    await st.setZoom(110);
    expect(st.zoom).toBe(110);
    expect(st.notices.map((n) => [n.kind, n.text])).toEqual([['error', 'The text size could not be saved for the next start: The settings file could not be written: disk full.']]);
  });
});
