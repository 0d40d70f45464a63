import { describe, expect, it } from 'vitest';
import { AppState } from './app-state';
import { FakeBackend, emptyState, fakeSession } from './fake-backend';
import { canResume, recentStateText, unansweredSentence, type RecentParty } from './recent-parties';
import { sys } from './events.test-helpers';

const party = (over: Partial<RecentParty> = {}): RecentParty => ({
  id: 'p1',
  host: 'ann',
  created: '2026-11-30T10:00:00Z',
  last_active: '2026-11-30T11:00:00Z',
  turns: 4,
  state: 'not_ended_cleanly',
  workdir: '/home/ann/src',
  workspace: 'changes',
  ...over,
});

async function started(list: RecentParty[]) {
  const be = new FakeBackend();
  be.handlers.RecentParties = async () => list;
  const st = new AppState(be, { checkDelayMs: 10 });
  await st.start();
  await st.recent.load();
  return { be, st };
}

describe('recent parties', () => {
  it('lists the parties and says which can be resumed', async () => {
    // p4's journal a full disk cut short: it cannot be resumed, and says why. p5's too, but
    // with its cut mark: it can, and says what a resume does.
    // p6's last turn was cut short when it ended: said, as a resume does not run it again.
    const cut = "the last turn, for alice's prompt, was cut short when the party ended";
    const list = [party(), party({ id: 'p2', state: 'ended' }), party({ id: 'p3', state: 'running' }), party({ id: 'p4', incomplete: true }), party({ id: 'p5', lost_end: true }), party({ id: 'p6', state: 'ended', end_cut: cut })];
    const { st } = await started(list);
    expect(st.recent.loaded).toBe(true);
    expect(st.recent.parties.map((p) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(st.recent.parties.map(canResume)).toEqual([true, true, false, false, true, true]);
    expect(st.recent.parties.map(recentStateText)).toEqual([
      'stopped without ending',
      'ended',
      'running',
      'cannot be resumed: its journal could not be written to its end (was the disk full?)',
      'its journal lost its end (was the disk full?): a resume goes on after it and runs nothing from before again',
      `ended; ${cut}`,
    ]);
  });

  it('says the end-cut turn whenever the app gives it: Go decides when (journal.Summary.EndCutShown)', () => {
    const cut = "the last turn, for alice's prompt, was cut short when the party ended";
    expect([party({ end_cut: cut }), party({ state: 'ended', end_cut: cut }), party({ state: 'running', end_cut: cut })].map(recentStateText)).toEqual([
      `stopped without ending; ${cut}`,
      `ended; ${cut}`,
      `running; ${cut}`,
    ]);
  });

  it('resumes a party into the party screen with its history', async () => {
    const { be, st } = await started([party({ id: 'p9', state: 'ended' })]);
    const s = fakeSession('host', emptyState({ seq: 2, events: [sys(1, 'earlier'), sys(2, 'the party was resumed')] }));
    s.party.id = 'p9';
    be.handlers.ResumeParty = async () => s;
    expect(await st.recent.resume('p9')).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p9', 'changes', false, 0]]]); // at most what the list showed
    expect(st.screen).toBe('party');
    expect(st.session?.party.id).toBe('p9');
    expect(st.isHost).toBe(true);
    expect(st.transcript.map((i) => (i.type === 'system' ? i.text : i.type))).toEqual(['earlier', 'the party was resumed']);
    expect(st.recent.resuming).toBe('');
    expect(st.recent.resumeError).toBe('');
  });

  it('does not resume a running party, and says why a resume failed', async () => {
    const { be, st } = await started([party({ id: 'run', state: 'running' }), party({ id: 'p1' })]);
    expect(await st.recent.resume('run')).toBe(false);
    expect(be.count('ResumeParty')).toBe(0);

    be.handlers.ResumeParty = async () => {
      throw 'This party is running already, in another Concordia window or terminal.';
    };
    be.handlers.RecentParties = async () => [party({ id: 'p1', state: 'running' })];
    expect(await st.recent.resume('p1')).toBe(false);
    expect(st.screen).toBe('home');
    expect(st.session).toBeNull();
    expect(st.recent.resumeError).toBe('This party is running already, in another Concordia window or terminal.');
    expect(st.recent.resumeErrorId).toBe('p1');
    await st.recent.load(); // the list is read again after a failure
    expect(st.recent.parties[0]?.state).toBe('running');
  });

  it('asks before resuming a party that shared the whole folder, and resumes as answered', async () => {
    const { be, st } = await started([party({ id: 'p1', workspace: 'tree' }), party({ id: 'p2', workspace: 'tree' })]);
    expect(await st.recent.resume('p1')).toBe(false);
    expect(be.count('ResumeParty')).toBe(0); // nothing is shared again unasked
    expect(st.recent.asking).toBe('p1');
    expect(st.screen).toBe('home');

    st.recent.cancelAsking();
    expect(st.recent.asking).toBe('');
    expect(be.count('ResumeParty')).toBe(0);

    // The answer "the changes only" resumes sharing less.
    expect(await st.recent.resume('p1')).toBe(false);
    expect(await st.recent.resumeSharing('changes')).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'changes', false, 0]]]);
    expect(st.recent.asking).toBe('');
    expect(st.screen).toBe('party');

    // With nothing asked, an answer does nothing.
    expect(await st.recent.resumeSharing('tree')).toBe(false);
    expect(be.count('ResumeParty')).toBe(1);
  });

  it('resumes sharing the whole folder again only when that is the answer', async () => {
    const { be, st } = await started([party({ id: 'p1', workspace: 'tree' })]);
    await st.recent.resume('p1');
    expect(await st.recent.resumeSharing('tree')).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'tree', false, 0]]]);
  });

  it('drops the question when the list no longer has that party to resume', async () => {
    const { be, st } = await started([party({ id: 'p1', workspace: 'tree' })]);
    await st.recent.resume('p1');
    expect(st.recent.asking).toBe('p1');
    be.handlers.RecentParties = async () => [party({ id: 'p1', workspace: 'tree', state: 'running' })];
    await st.recent.load(); // resumed in another window meanwhile
    expect(st.recent.asking).toBe('');
    expect(await st.recent.resumeSharing('changes')).toBe(false);
    expect(be.count('ResumeParty')).toBe(0);
  });

  it("a failed Resume's sentence goes once the list shows the party in another state", async () => {
    const { be, st } = await started([party({ id: 'p1', state: 'ended' })]);
    be.handlers.ResumeParty = async () => {
      throw 'This party is running already, in another Concordia window or terminal.';
    };
    be.handlers.RecentParties = async () => [party({ id: 'p1', state: 'running' })];
    expect(await st.recent.resume('p1')).toBe(false);
    await new Promise((r) => setTimeout(r, 0)); // the reading the failure asks for
    await st.recent.load(); // read again, nothing changed: the sentence still holds
    expect(st.recent.resumeError).toMatch(/running already/);
    be.handlers.RecentParties = async () => [party({ id: 'p1', state: 'not_ended_cleanly' })];
    await st.recent.load(); // the terminal's host stopped
    expect(st.recent.resumeError).toBe('');
    expect(st.recent.resumeErrorId).toBe('');
  });

  it("a reading that overtakes the failure's own still explains it, and does not clear it", async () => {
    const { be, st } = await started([party({ id: 'p1', state: 'ended' })]);
    be.handlers.ResumeParty = async () => {
      throw 'This party is running already, in another Concordia window or terminal.';
    };
    const pending: ((l: RecentParty[]) => void)[] = [];
    be.handlers.RecentParties = () => new Promise((resolve) => pending.push(resolve));
    expect(await st.recent.resume('p1')).toBe(false);
    const poll = st.recent.load(true); // a poll begun before the failure's reading answered
    pending[0]!([party({ id: 'p1', state: 'ended' })]); // the failure's reading: overtaken, dropped
    await new Promise((r) => setTimeout(r, 0));
    pending[1]!([party({ id: 'p1', state: 'running' })]);
    await poll;
    expect(st.recent.resumeError).toMatch(/running already/);
    be.handlers.RecentParties = async () => [party({ id: 'p1', state: 'running' })];
    await st.recent.load(true);
    expect(st.recent.resumeError).toMatch(/running already/); // nothing changed since
  });

  it('a quiet reading that fails keeps the list shown', async () => {
    const { be, st } = await started([party({ id: 'p1' })]);
    be.handlers.RecentParties = async () => {
      throw new Error('Cannot read the data directory.');
    };
    await st.recent.load(true);
    expect(st.recent.loadError).toBe('');
    expect(st.recent.parties.map((p) => p.id)).toEqual(['p1']);
    await st.recent.load();
    expect(st.recent.loadError).toBe('Cannot read the data directory.');
  });

  it('shows a sentence when the list cannot be read', async () => {
    const be = new FakeBackend();
    be.handlers.RecentParties = async () => {
      throw new Error('Cannot read the data directory.');
    };
    const st = new AppState(be);
    await st.recent.load();
    expect(st.recent.loadError).toBe('Cannot read the data directory.');
    expect(st.recent.parties).toEqual([]);
  });
});

// What a resume takes up at once is read on Resume, never with the list, and asked about.
describe('recent parties: what a resume takes up', () => {
  const one = { text: '1 prompt never reached the agent', prompts: [{ user: 'Kai', text: 'fix the…' }] };

  it('says what resuming does with it', () => {
    expect(unansweredSentence(one)).toBe('1 prompt never reached the agent: resuming sends it to the agent at once.');
    expect(unansweredSentence({ text: 'its last turn was cut short', prompts: [], cut: true, turn: 'x' })).toBe(
      'Its last turn was cut short: resuming sends its request to the agent again at once.',
    );
    expect(unansweredSentence({ ...one, text: '1 prompt never reached the agent, and its last turn was cut short', cut: true })).toBe(
      '1 prompt never reached the agent, and its last turn was cut short: resuming sends the waiting prompt and the cut turn\'s request to the agent at once.',
    );
    expect(unansweredSentence({ ...one, approval: true })).toBe("1 prompt never reached the agent: resuming holds it for a host's approval before the agent has it.");
    expect(unansweredSentence({ ...one, text: '1 prompt never reached the agent, and its last turn was cut short', cut: true, approval: true })).toBe(
      "1 prompt never reached the agent, and its last turn was cut short: resuming sends the cut turn's request to the agent again at once, and holds the waiting prompt for a host's approval.",
    );
  });

  it('asks, and resumes at most at the level the list showed', async () => {
    const { be, st } = await started([party({ id: 'p1', workspace: 'off' })]);
    be.handlers.ResumeUnanswered = async () => one;
    expect(be.count('ResumeUnanswered')).toBe(0);
    expect(await st.recent.resume('p1')).toBe(false);
    expect(st.recent.asking).toBe('p1');
    expect(st.recent.askingTree).toBe(false);
    expect(st.recent.askingUnanswered).toEqual(one);
    expect(be.count('ResumeParty')).toBe(0);
    await st.recent.load(); // a reading of the list keeps the question, and reads no journal
    expect(st.recent.asking).toBe('p1');
    expect(be.count('ResumeUnanswered')).toBe(1);
    expect(await st.recent.resumeAsked()).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'off', false, 0]]]);
    expect(st.recent.asking).toBe('');
  });

  it('drops the question once the party ran again elsewhere, and an answer that comes after Cancel', async () => {
    const { be, st } = await started([party({ id: 'p1' })]);
    be.handlers.ResumeUnanswered = async () => one;
    await st.recent.resume('p1');
    be.handlers.RecentParties = async () => [party({ id: 'p1', last_active: '2026-11-30T12:00:00Z' })];
    await st.recent.load(); // resumed and stopped in a terminal meanwhile: what it said may not hold
    expect(st.recent.asking).toBe('');
    expect(await st.recent.resumeAsked()).toBe(false);

    let answer!: (u: typeof one) => void;
    be.handlers.ResumeUnanswered = () => new Promise((r) => (answer = r));
    const asked = st.recent.resume('p1');
    expect(st.recent.checking).toBe('p1');
    expect(await st.recent.resume('p1')).toBe(false); // one at a time
    st.recent.cancelAsking(); // the list was left
    answer(one);
    expect(await asked).toBe(false);
    expect(st.recent.asking).toBe('');
    expect(st.recent.checking).toBe('');
    expect(be.count('ResumeParty')).toBe(0);
  });

  it('a folder question that is no longer one keeps what the resume takes up', async () => {
    const { be, st } = await started([party({ id: 'p1', workspace: 'tree' })]);
    be.handlers.ResumeUnanswered = async () => one;
    await st.recent.resume('p1');
    expect([st.recent.asking, st.recent.askingTree]).toEqual(['p1', true]);
    expect(await st.recent.resumeAsked()).toBe(false); // the folder question says the level
    be.handlers.RecentParties = async () => [party({ id: 'p1', workspace: 'changes' })];
    await st.recent.load();
    expect([st.recent.asking, st.recent.askingTree]).toEqual(['p1', false]);
    expect(await st.recent.resumeAsked()).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'changes', false, 0]]]);
  });

  it('resumes without what it would take up, when that is the answer', async () => {
    const list = [party({ id: 'p1' }), party({ id: 'p2', workspace: 'tree' }), party({ id: 'p3', workspace: 'tree' })];
    const unanswered = async (id: string) => (id === 'p3' ? { text: '', prompts: [] } : { ...one, last_seq: 42 });
    let { be, st } = await started(list);
    be.handlers.ResumeUnanswered = unanswered;
    await st.recent.resume('p1');
    expect(await st.recent.resumeAsked(true)).toBe(true);
    // With the journal's last event when it was asked: Go refuses it if the party ran since.
    expect(be.calls.filter(([m]) => m === 'ResumeParty').at(-1)).toEqual(['ResumeParty', ['p1', 'changes', true, 42]]);
    // Asked about both: the tick goes with the folder's answer, and is forgotten with the question.
    ({ be, st } = await started(list));
    be.handlers.ResumeUnanswered = unanswered;
    await st.recent.resume('p2');
    st.recent.setLeaveUnanswered(true);
    expect(st.recent.leaveUnanswered).toBe(true);
    st.recent.cancelAsking();
    expect(st.recent.leaveUnanswered).toBe(false);
    await st.recent.resume('p2');
    st.recent.setLeaveUnanswered(true);
    expect(await st.recent.resumeSharing('tree', st.recent.leaveUnanswered)).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty').at(-1)).toEqual(['ResumeParty', ['p2', 'tree', true, 42]]);
    // Asked only about the folder: there is nothing to leave behind.
    ({ be, st } = await started(list));
    be.handlers.ResumeUnanswered = unanswered;
    await st.recent.resume('p3');
    st.recent.setLeaveUnanswered(true);
    expect(st.recent.leaveUnanswered).toBe(false);
    expect(await st.recent.resumeSharing('changes', true)).toBe(true);
    expect(be.calls.filter(([m]) => m === 'ResumeParty').at(-1)).toEqual(['ResumeParty', ['p3', 'changes', false, 0]]);
  });

  it('says why it could not be read, and resumes nothing', async () => {
    const { be, st } = await started([party({ id: 'p1' })]);
    be.handlers.ResumeUnanswered = async () => {
      throw "This party's journal cannot be read.";
    };
    expect(await st.recent.resume('p1')).toBe(false);
    expect([st.recent.resumeError, st.recent.resumeErrorId]).toEqual(["This party's journal cannot be read.", 'p1']);
    expect(st.recent.checking).toBe('');
    expect(be.count('ResumeParty')).toBe(0);
  });
});
