import { describe, expect, it } from 'vitest';
import { AppState } from './app-state';
import { FakeBackend, fakeSession } from './fake-backend';
import { approval, batch, changed, phase, prompt, turn, withdrawn } from './events.test-helpers';
import type { Session } from './types';
import { phaseLabel } from './format';

const req = { name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask' as const, claude_args: '', approve: false };

async function inParty(session: Session) {
  const be = new FakeBackend();
  be.handlers.CreateParty = async () => session;
  const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
  await st.start();
  expect(await st.createParty(req)).toBe(true); // the fake hands back the session given, whatever its role
  return { be, st };
}

const mine = { id: 'p1', user: 'ann', text: 'fix teh typo' };
const bobs = { id: 'p2', user: 'bob', text: 'bob asks' };

describe('withdrawing a waiting prompt', () => {
  it('a participant takes back their own, which comes back into the prompt box', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', prompt(2, bobs));
    expect(st.canWithdraw(mine)).toBe(true);
    expect(st.canWithdraw(bobs)).toBe(false); // someone else's, and not a host
    let answer!: () => void;
    be.handlers.WithdrawPrompt = () => new Promise<void>((r) => (answer = r));
    const done = st.withdraw(mine);
    expect(st.isWithdrawing('p1')).toBe(true);
    void st.withdraw(mine); // a second click while the first is under way is not a second call
    answer();
    await done;
    expect(be.calls.filter(([n]) => n === 'WithdrawPrompt')).toEqual([['WithdrawPrompt', ['p1']]]);
    expect(st.isWithdrawing('p1')).toBe(false);
    expect(st.takeRefill('')).toBe('fix teh typo');
    expect(st.takeRefill('')).toBeNull(); // once
    be.emit('party:event', withdrawn(3, { prompt: 'p1', user: 'ann', by: 'ann' }));
    expect(st.pending.map((p) => p.id)).toEqual(['p2']);
    expect(st.withdrawalOf('p1')).toEqual({ prompt: 'p1', user: 'ann', by: 'ann' });
    expect(st.canWithdraw(mine)).toBe(false); // gone from the queue
  });

  it('a typed draft is kept, the prompt comes back above it; a refusal is said in a notice', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    await st.withdraw(mine);
    expect(st.takeRefill('something new  \n')).toBe('fix teh typo\n\nsomething new  \n');
    be.emit('party:event', prompt(2, { ...mine, id: 'p3' }));
    be.handlers.WithdrawPrompt = () => Promise.reject('Prompt "p3" is being merged into a batch, too late to withdraw it.');
    await st.withdraw({ ...mine, id: 'p3' });
    expect(st.takeRefill('')).toBeNull();
    expect(st.notices.at(-1)?.text).toBe('Could not withdraw the prompt: Prompt "p3" is being merged into a batch, too late to withdraw it.');
  });

  it('a host may take back anyone\'s, but not from a batch waiting for approval; a viewer never', async () => {
    const { be, st } = await inParty(fakeSession('host'));
    be.emit('party:event', prompt(1, bobs));
    expect(st.canWithdraw(bobs)).toBe(true);
    await st.withdraw(bobs);
    expect(st.takeRefill('')).toBeNull(); // not mine: nothing comes into my box
    be.emit('party:event', prompt(2, mine));
    be.emit('party:event', approval(3, { batch: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }));
    expect(st.canWithdraw(mine)).toBe(false);

    const asViewer = fakeSession('participant');
    const v = await inParty({ ...asViewer, you: { ...asViewer.you, role: 'viewer' } });
    v.be.emit('party:event', prompt(1, bobs));
    expect(v.st.canWithdraw(bobs)).toBe(false);
  });

  it('mine by member id where the host sends it: a name now someone else\'s is not enough', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    const you = st.session!.you;
    const older = { id: 'p7', user: you.name, text: 'an earlier member of my name', member: 'm-earlier' };
    const renamed = { id: 'p8', user: `${you.name}-2`, text: 'mine, renamed', member: you.id };
    be.emit('party:event', prompt(1, older));
    be.emit('party:event', prompt(2, renamed));
    expect(st.isMine(older)).toBe(false);
    expect(st.canWithdraw(older)).toBe(false);
    expect(st.isMine(renamed)).toBe(true);
    expect(st.canWithdraw(renamed)).toBe(true);
  });

  it('no Withdraw for prompts the host is merging; a prompt sent meanwhile has it', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', phase(2, 'merging'));
    expect(st.canWithdraw(mine)).toBe(false);
    const later = { ...mine, id: 'p9', text: 'sent while it merges' };
    be.emit('party:event', prompt(3, later));
    expect(st.canWithdraw(later)).toBe(true);
    be.emit('party:event', batch(4, { id: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }));
    expect(st.canWithdraw(later)).toBe(true);
    be.emit('party:event', phase(5, 'running'));
    expect(st.canWithdraw(later)).toBe(true);
  });

  it('another member\'s withdrawal shows who took back whose prompt', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, bobs));
    be.emit('party:event', withdrawn(2, { prompt: 'p2', user: 'bob', by: 'hosty' }));
    expect(st.pending).toEqual([]);
    expect(st.withdrawalOf('p2')?.by).toBe('hosty');
  });
});

// A resume without what was left unanswered withdraws waiting prompts as the host, and
// asks their authors to send again what is still wanted; a host may remove one too: the
// author puts it back in the box with a click, once (it was typed anew by hand).
describe('my prompt someone else withdrew', () => {
  it('comes back into the prompt box when I ask, once; not a viewer\'s, nor one I withdrew, nor someone else\'s', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', prompt(2, bobs));
    expect(st.canRecallWithdrawn(mine)).toBe(false); // still waiting
    be.emit('party:event', withdrawn(3, { prompt: 'p1', user: 'ann', by: 'hosty' }));
    be.emit('party:event', withdrawn(4, { prompt: 'p2', user: 'bob', by: 'hosty' }));
    expect(st.canRecallWithdrawn(bobs)).toBe(false);
    expect(st.canRecallWithdrawn(mine)).toBe(true);
    st.recallWithdrawn(mine);
    expect(st.takeRefill('typed meanwhile')).toBe('fix teh typo\n\ntyped meanwhile');
    expect(st.canRecallWithdrawn(mine)).toBe(false);
    st.recallWithdrawn(mine);
    expect(st.takeRefill('')).toBeNull();

    const own = await inParty(fakeSession('participant'));
    own.be.emit('party:event', prompt(1, mine));
    own.be.emit('party:event', withdrawn(2, { prompt: 'p1', user: 'ann', by: 'ann' }));
    expect(own.st.canRecallWithdrawn(mine)).toBe(false); // came back by itself when I withdrew it

    // A host's own waiting prompt, withdrawn in its name by a resume without it (a tester's
    // could not be put back): it can.
    const host = await inParty(fakeSession('host'));
    const me = host.st.session!.you;
    const hosts = { id: 'p1', user: me.name, text: 'left by the resume', member: me.id };
    host.be.emit('party:event', prompt(1, hosts));
    host.be.emit('party:event', withdrawn(2, { prompt: 'p1', user: me.name, by: me.name, by_member: me.id, resumed: true }));
    expect(host.st.canRecallWithdrawn(hosts)).toBe(true);
    const byHand = { ...hosts, id: 'p2' };
    host.be.emit('party:event', prompt(3, byHand));
    host.be.emit('party:event', withdrawn(4, { prompt: 'p2', user: me.name, by: me.name, by_member: me.id }));
    expect(host.st.canRecallWithdrawn(byHand)).toBe(false);

    // Held for approval and rejected (by a host, or by a resume without it): mine comes back too.
    const held = { ...hosts, id: 'p3', text: 'held, then rejected' };
    host.be.emit('party:event', prompt(5, held));
    host.be.emit('party:event', approval(6, { batch: 'b9', prompts: ['p3'], merged: 'held', merger: 'local' }));
    host.be.emit('party:event', { seq: 7, ts: '', kind: 'rejected', rejected: { batch: 'b9', prompts: ['p3'], by: me.name, reason: 'the party was resumed without it: send again what is still wanted' } });
    expect(host.st.canRecallWithdrawn(held)).toBe(true);
    host.st.recallWithdrawn(held);
    expect(host.st.takeRefill('')).toBe('held, then rejected');

    const asViewer = fakeSession('participant');
    const v = await inParty({ ...asViewer, you: { ...asViewer.you, role: 'viewer' } });
    v.be.emit('party:event', prompt(1, mine));
    v.be.emit('party:event', withdrawn(2, { prompt: 'p1', user: 'ann', by: 'hosty' }));
    expect(v.st.canRecallWithdrawn(mine)).toBe(false);
  });
});

describe('a batch the agent never got', () => {
  it('gives my prompts back to the prompt box, not anyone else\'s, and only when it was unsent', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', prompt(2, bobs));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1', 'p2'], merged: 'both', merger: 'local' }));
    const failed = turn(4, 'b1', 'error');
    be.emit('party:event', { ...failed, turn: { ...failed.turn!, error: 'claude could not start: …', unsent: true } });
    expect(st.takeRefill('')).toBe('fix teh typo');
    expect(st.takeRefill('')).toBeNull(); // once
    // A batch that reached the agent and failed there gives nothing back.
    be.emit('party:event', prompt(5, { ...mine, id: 'p3' }));
    be.emit('party:event', batch(6, { id: 'b2', prompts: ['p3'], merged: 'again', merger: 'local' }));
    be.emit('party:event', turn(7, 'b2', 'error'));
    expect(st.takeRefill('')).toBeNull();
  });

  // A batch that reached the agent and failed there asks its authors to send their prompts
  // again: mine come back when I ask (the card's button), never anyone else's.
  it('gives my prompts of a failed turn back when asked', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', prompt(2, bobs));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1', 'p2'], merged: 'both', merger: 'local' }));
    const failed = turn(4, 'b1', 'error');
    be.emit('party:event', { ...failed, turn: { ...failed.turn!, error: 'claude failed twice: exit 1; the turn did not finish: send the prompts again to try once more' } });
    expect(st.takeRefill('')).toBeNull();
    expect(st.canRecall('b1')).toBe(true);
    st.recallPrompts('b1');
    expect(st.takeRefill('typed meanwhile')).toBe('fix teh typo\n\ntyped meanwhile');
    // Once: a second click added them again (a reviewer's).
    expect(st.canRecall('b1')).toBe(false);
    st.recallPrompts('b1');
    expect(st.takeRefill('')).toBeNull();
    st.recallPrompts('b9'); // no such turn
    expect(st.takeRefill('')).toBeNull();
  });

  it('gives a viewer nothing back: its prompt box is closed', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }));
    be.emit('party:event', turn(3, 'b1', 'error'));
    be.emit('party:event', changed(4, { ...st.session!.you, role: 'viewer' }));
    expect(st.canRecall('b1')).toBe(false);
    st.recallPrompts('b1');
    expect(st.takeRefill('')).toBeNull();
  });

  it('the header says the agent is not running until the next batch tries it again', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', prompt(1, mine));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }));
    be.emit('party:event', phase(3, 'running'));
    const failed = turn(4, 'b1', 'error');
    be.emit('party:event', { ...failed, turn: { ...failed.turn!, error: 'claude could not start: exec: "claude": not found', unsent: true } });
    be.emit('party:event', phase(5, 'idle'));
    expect(st.displayPhase).toBe('agent_down');
    expect(st.agentTrouble).toBe('claude could not start: exec: "claude": not found');
    be.emit('party:event', prompt(6, { ...mine, id: 'p2' }));
    be.emit('party:event', phase(7, 'collecting'));
    expect(st.displayPhase).toBe('collecting'); // the pipeline's own phase wins while it works
    be.emit('party:event', batch(8, { id: 'b2', prompts: ['p2'], merged: 'x', merger: 'local' }));
    be.emit('party:event', phase(9, 'running'));
    be.emit('party:event', turn(10, 'b2', 'done'));
    be.emit('party:event', phase(11, 'idle'));
    expect(st.displayPhase).toBe('idle');
    expect(st.agentTrouble).toBe('');
  });

  it('says the agent is not running from the start when claude could not start with the party', async () => {
    // A window tester's party read "Idle", its invites out, until a prompt failed too.
    const { be, st } = await inParty(fakeSession('host'));
    const why = 'claude could not start: claude exited (exit status 1); stderr: Error: invalid API key · Please run /login; it will be tried again with the next batch';
    be.emit('party:event', { seq: 1, ts: '', kind: 'error', text: why });
    expect(st.displayPhase).toBe('agent_down');
    expect(st.agentTrouble).toBe(why);
    be.emit('party:event', { seq: 2, ts: '', kind: 'error', text: 'merging failed (timeout); merged locally' }); // another error: no change
    expect(st.agentTrouble).toBe(why);
    be.emit('party:event', { seq: 3, ts: '', kind: 'system', text: 'claude started' });
    expect(st.displayPhase).toBe('idle');
  });

  // Not the red "Agent not running" of a start that failed (a window tester's, after claude
  // was killed while idle): the next prompt simply starts it again.
  it('says the agent restarts with the next prompt when claude exited between turns', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    const why = 'claude exited (signal: killed); stderr: fake claude ready; it was idle, and will be started again with the next batch';
    be.emit('party:event', { seq: 1, ts: '', kind: 'system', text: 'claude started' });
    be.emit('party:event', { seq: 2, ts: '', kind: 'error', text: why });
    expect(st.displayPhase).toBe('agent_restarts');
    expect(phaseLabel(st.displayPhase)).toBe('Agent restarts with the next prompt');
    expect(st.agentTrouble).toBe(why);
    be.emit('party:event', batch(3, { id: 'b1', prompts: [], merged: 'x', merger: 'local' })); // the next try
    expect(st.agentTrouble).toBe('');
  });

  it('a turn that reached the agent and failed leaves the header at idle, unless no agent runs after it', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:event', batch(1, { id: 'b1', prompts: [], merged: 'x', merger: 'local' }));
    be.emit('party:event', turn(2, 'b1', 'error'));
    be.emit('party:event', phase(3, 'idle'));
    expect(st.displayPhase).toBe('idle');
    // It crashed and could not be started again: agent_down (a reviewer's).
    be.emit('party:event', batch(4, { id: 'b2', prompts: [], merged: 'y', merger: 'local' }));
    const failed = turn(5, 'b2', 'error');
    be.emit('party:event', { ...failed, turn: { ...failed.turn!, error: 'claude failed twice: claude could not start', agent_down: true } });
    be.emit('party:event', phase(6, 'idle'));
    expect(st.displayPhase).toBe('agent_down');
    expect(st.agentTrouble).toBe('claude failed twice: claude could not start');
  });
});
