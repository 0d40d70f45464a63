import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppState, VIEWER_REASON } from './app-state';
import { TranscriptModel, type TurnItem, type ApprovalItem, type MembersItem } from './transcript';
import { removalOf } from './party';
import { attentionFor } from './attention';
import { PERMISSION_MODES, permissionModeLabel } from './host-control';
import { FakeBackend, deferred, emptyState, fakeSession } from './fake-backend';
import { DEMO_INVITE, DemoBackend } from './demo-backend';
import { approval, batch, changed, joined, left, out, permission, prompt, rejected, retry, settings, sys, turn } from './events.test-helpers';
import type { PartyEvent, Session } from './types';

const bob = { id: 'm2', name: 'bob', role: 'participant' as const };
const req = { name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask' as const, claude_args: '', approve: false };

async function inParty(session: Session = fakeSession('host'), attentive = true) {
  const be = new FakeBackend();
  be.handlers.CreateParty = async () => session;
  const st = new AppState(be, { checkDelayMs: 10, attentive: () => attentive });
  await st.start();
  expect(await st.createParty(req)).toBe(true);
  return { be, st };
}

function fold(events: PartyEvent[]): TranscriptModel {
  const m = new TranscriptModel();
  for (const e of events) m.apply(e);
  return m;
}

describe('transcript: approval, permissions, retry', () => {
  const p1 = { id: 'p1', user: 'bob', text: 'touch x' };

  it('an approval waits, then is sent with edits and its turn follows', () => {
    const m = fold([
      prompt(1, p1),
      approval(2, { batch: 'b1', prompts: ['p1'], merged: 'touch x', merger: 'local' }),
    ]);
    const a = m.items[1] as ApprovalItem;
    expect(a.type).toBe('approval');
    expect(a.status).toBe('waiting');
    expect(a.prompts[0]?.user).toBe('bob');
    expect(m.awaitingApproval('p1')).toBe(true);
    m.apply(batch(3, { id: 'b1', prompts: ['p1'], merged: 'touch y', merger: 'local' }));
    const sent = m.items[1] as ApprovalItem;
    expect(sent.status).toBe('sent');
    expect(sent.edited).toBe('touch y');
    expect(m.awaitingApproval('p1')).toBe(false);
    expect(m.items[2]?.type).toBe('turn');
  });

  it('a rejection says who and why, also without its approval in the log', () => {
    const m = fold([
      prompt(1, p1),
      approval(2, { batch: 'b1', prompts: ['p1'], merged: 'touch x', merger: 'local' }),
      rejected(3, { batch: 'b1', prompts: ['p1'], by: 'ann', reason: 'not now' }),
    ]);
    const a = m.items[1] as ApprovalItem;
    expect(a.status).toBe('rejected');
    expect(a.rejected).toEqual({ batch: 'b1', prompts: ['p1'], by: 'ann', reason: 'not now' });
    expect(m.rejection('p1')?.by).toBe('ann');
    const orphan = fold([rejected(1, { batch: 'b9', prompts: ['p9'], by: 'ann' })]);
    expect((orphan.items[0] as ApprovalItem).status).toBe('rejected');
  });

  it('a tool request is a segment of its turn, updated in place when decided', () => {
    const perm = { id: 't1', tool: 'Bash', summary: 'touch file-1', batch: 'b1', status: 'pending' };
    const m = fold([
      prompt(1, p1),
      batch(2, { id: 'b1', prompts: ['p1'], merged: 'touch x', merger: 'local' }),
      out(3, 'Let me check.'),
      permission(4, perm),
    ]);
    let t = m.items[1] as TurnItem;
    expect(t.segments.map((s) => s.kind)).toEqual(['reply', 'permission']);
    m.apply(permission(5, { ...perm, status: 'denied', by: 'ann', reason: 'no' }));
    m.apply(out(6, 'Understood.'));
    m.apply({ ...turn(7, 'b1'), turn: { batch: 'b1', status: 'done', duration_ms: 5, denied: 1 } });
    t = m.items[1] as TurnItem;
    expect(t.segments).toHaveLength(3);
    const seg = t.segments[1]!;
    expect(seg.kind === 'permission' && seg.permission.status).toBe('denied');
    expect(t.end?.denied).toBe(1);
  });

  it('a retry voids what the batch showed before it', () => {
    const m = fold([
      prompt(1, p1),
      batch(2, { id: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }),
      out(3, 'half a rep'),
      out(4, 'Read x', 'tool'),
      retry(5, 'b1'),
      out(6, 'the whole reply'),
      turn(7, 'b1'),
    ]);
    const t = m.items[1] as TurnItem;
    expect(t.segments.map((s) => [s.kind, Boolean(s.void)])).toEqual([
      ['reply', true],
      ['activity', true],
      ['reply', false],
    ]);
    const last = t.segments[2]!;
    expect(last.kind === 'reply' && last.text).toBe('the whole reply');
  });

  it('a batch run again after a resume is a card below the resume\'s notices, the first run stopped above', () => {
    const m = fold([
      prompt(1, p1),
      batch(2, { id: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }),
      out(3, 'half a rep'),
      // The host was killed; the resumed host says who was disconnected and what it does.
      { ...left(4, { id: 'm2', name: 'bob', role: 'participant' }), text: 'bob was disconnected when the host stopped', why: 'host_stopped' },
      sys(5, 'the party was resumed: the batch that was running is sent to the agent again'),
      { ...retry(6, 'b1'), resumed: true },
      out(8, 'the whole reply'),
      sys(9, 'claude started'),
      turn(10, 'b1'),
    ]);
    // "claude started" came while the run again ran: inside its card, after its reply.
    expect(m.items.map((it) => it.type)).toEqual(['prompt', 'turn', 'participants', 'system', 'turn']);
    expect((m.items[2] as MembersItem).text).toBe('bob was disconnected when the host stopped');
    expect((m.items[2] as MembersItem).why).toBe('host_stopped');
    const first = m.items[1] as TurnItem;
    const again = m.items[4] as TurnItem;
    expect(first.segments.map((s) => [s.kind, Boolean(s.void)])).toEqual([['reply', true]]);
    expect(first.end?.status).toBe('interrupted');
    expect(first.end?.error).toBe('the host stopped during this turn; it runs again below');
    expect(first.again).toBeFalsy();
    expect(again.again).toBe(true);
    expect(again.batch?.id).toBe('b1');
    expect(again.prompts).toEqual([p1]);
    expect(again.segments.map((s) => (s.kind === 'reply' || s.kind === 'notice' ? [s.kind, s.text] : s.kind === 'event' && s.item.type === 'system' ? [s.kind, s.item.text] : [s.kind]))).toEqual([
      ['reply', 'the whole reply'],
      ['event', 'claude started'],
    ]);
    expect(again.end?.status).toBe('done');
  });

  it('a party resumed after its end does not say who was there at the end (the end was said)', () => {
    const m = fold([
      sys(1, 'the host ended the party'),
      { ...left(2, { id: 'm1', name: 'hazel', role: 'host' }), text: 'hazel left when the party ended', why: 'party_ended' },
      sys(3, 'the party was resumed'),
    ]);
    expect(m.items.map((it) => it.type)).toEqual(['system', 'system']);
  });

  it('a removal is said once: by the host\'s notice, not again as "left" (also for someone who was away)', () => {
    const m = fold([
      sys(1, 'hazel removed bob from the party: spam'),
      { ...left(2, { id: 'm2', name: 'bob', role: 'participant' }), why: 'kicked' },
    ]);
    expect(m.items.map((it) => it.type)).toEqual(['system']);
  });

  it('an agent crash keeps one card, whatever came after it (people typing, joining)', () => {
    const m = fold([
      batch(1, { id: 'b1', prompts: [], merged: 'x', merger: 'local' }),
      out(2, 'half'),
      prompt(3, p1),
      joined(4, { id: 'm3', name: 'carol', role: 'participant' }),
      retry(5, 'b1'),
      sys(6, 'restarting claude and retrying the batch'),
      out(7, 'whole'),
      turn(8, 'b1'),
    ]);
    // carol's joining came while the turn ran: in its card, where it happened.
    expect(m.items.map((it) => it.type)).toEqual(['turn', 'prompt']);
    const t = m.items[0] as TurnItem;
    expect(t.segments.map((s) => s.kind)).toEqual(['reply', 'event', 'notice', 'reply']);
    expect(t.end?.status).toBe('done');
    expect(t.again).toBeFalsy();
  });
});

describe('AppState: host control', () => {
  it('settings and role changes update the session; a viewer cannot prompt and is told why', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    expect(st.isHost).toBe(false);
    expect(st.sendBlockedReason).toBe('');
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', settings(2, true, 'edits'));
    expect(st.session?.party.approval).toBe(true);
    expect(st.session?.party.permission_mode).toBe('edits');
    be.emit('party:event', changed(3, { id: 'm1', name: 'ann', role: 'viewer' }));
    expect(st.session?.you.role).toBe('viewer');
    expect(st.sendBlockedReason).toBe(VIEWER_REASON);
    expect(await st.sendPrompt('hello')).toBe(false);
    expect(be.count('SendPrompt')).toBe(0);
    be.emit('party:event', changed(4, { id: 'm1', name: 'ann', role: 'host' }));
    expect(st.isHost).toBe(true);
    expect(st.isOwner).toBe(false);
    be.emit('party:event', changed(5, { ...bob, role: 'viewer' }));
    expect(st.participants.find((m) => m.id === 'm2')?.role).toBe('viewer');
  });

  it('what is always allowed follows settings events; an older host that omits it changes nothing', async () => {
    const { be, st } = await inParty();
    expect(st.session?.party.always ?? []).toEqual([]);
    be.emit('party:event', { ...settings(1, false), always: ['Bash', 'Edit'] });
    expect(st.session?.party.always).toEqual(['Bash', 'Edit']);
    be.emit('party:event', settings(2, true));
    expect(st.session?.party.always).toEqual(['Bash', 'Edit']);
    be.emit('party:event', { ...settings(3, true), always: ['Edit'] });
    expect(st.session?.party.always).toEqual(['Edit']);
    expect(await st.control.revokeAlways('Edit')).toBe(true);
    expect(be.calls.filter(([n]) => n === 'RevokeAlways')).toEqual([['RevokeAlways', ['Edit']]]);
    be.handlers.RevokeAlways = () => Promise.reject('"Edit" is not always allowed.');
    expect(await st.control.revokeAlways('Edit')).toBe(false);
    expect(st.notices.at(-1)?.text).toBe('Could not make Edit ask again: "Edit" is not always allowed.');
  });

  it('the merger follows settings events (a Gemini key set while the party runs); an older host that omits it changes nothing', async () => {
    const { be, st } = await inParty();
    const before = st.session?.party.merger;
    be.emit('party:event', settings(1, false));
    expect(st.session?.party.merger).toBe(before);
    be.emit('party:event', { ...settings(2, false), merger: 'gemini' });
    expect(st.session?.party.merger).toBe('gemini');
    be.emit('party:event', { ...settings(3, false), merger: 'local' });
    expect(st.session?.party.merger).toBe('local');
    be.emit('party:event', { ...settings(4, false), merger: 'something-else' });
    expect(st.session?.party.merger).toBe('local');
  });

  it('host methods go to Go with their arguments; a refusal is a notice', async () => {
    const { be, st } = await inParty();
    expect(await st.control.decide('t1', 'deny', '  not here ')).toBe(true);
    expect(await st.control.approveEdited('b1', 'edited')).toBe(true);
    expect(await st.control.reject('b2', ' later ')).toBe(true);
    expect(await st.control.stop()).toBe(true);
    expect(await st.control.setRole('m2', 'viewer')).toBe(true);
    expect(await st.control.kick('m2', '')).toBe(true);
    expect(await st.control.agentCommand(' /compact ')).toBe(true);
    expect(await st.control.setApproval(true)).toBe(true);
    expect(be.calls.filter(([n]) => n !== 'Boot' && n !== 'CurrentParty' && n !== 'CreateParty' && n !== 'GetSettings')).toEqual([
      ['DecidePermission', ['t1', 'deny', 'not here']],
      ['ApproveEditedBatch', ['b1', 'edited']],
      ['RejectBatch', ['b2', 'later']],
      ['StopTurn', []],
      ['SetRole', ['m2', 'viewer']],
      ['Kick', ['m2', '']],
      ['AgentCommand', ['/compact']],
      ['SetApproval', [true]],
    ]);
    be.handlers.StopTurn = () => Promise.reject('No turn is running.');
    expect(await st.control.stop()).toBe(false);
    expect(st.notices.at(-1)?.text).toBe('Could not stop the turn: No turn is running.');
    expect(st.control.busy('stop')).toBe(false);
  });

  it('new invites replace both links, from the reply and from party:invites', async () => {
    const { be, st } = await inParty();
    expect(st.session?.viewer_invite).toMatch(/vtok/);
    expect(await st.control.newInvites()).toBe(true);
    expect(st.session?.invite).toMatch(/\/new\?/);
    expect(st.session?.viewer_invite).toMatch(/\/newv\?/);
    be.emit('party:invites', { invite: 'concordia://h:1/a', viewer_invite: 'concordia://h:1/b' });
    expect(st.session?.invite).toBe('concordia://h:1/a');
    expect(st.session?.viewer_invite).toBe('concordia://h:1/b');
  });

  it('a rejected batch takes its prompts out of the queue', async () => {
    const { be, st } = await inParty();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'x' }));
    be.emit('party:event', approval(2, { batch: 'b1', prompts: ['p1'], merged: 'x', merger: 'local' }));
    expect(st.pending).toHaveLength(1);
    expect(st.isAwaitingApproval('p1')).toBe(true);
    expect(st.myPending).toHaveLength(1); // ann's own prompt
    expect(st.myAwaitingApproval).toBe(1); // the composer says "a host's approval"
    be.emit('party:event', rejected(3, { batch: 'b1', prompts: ['p1'], by: 'ann', reason: 'no' }));
    expect(st.pending).toHaveLength(0);
    expect(st.rejectionOf('p1')?.reason).toBe('no');
  });

  it('kicked: the transcript stays and says a host removed you, not that the party ended', async () => {
    const { be, st } = await inParty(fakeSession('participant'));
    be.emit('party:ended', { reason: 'whatever the host said', kicked: true });
    expect(st.screen).toBe('party');
    expect(st.endedText).toBe('You were removed from the party by a host.');
    expect(st.displayPhase).toBe('removed');
    expect(st.sendBlockedReason).toBe('You were removed from this party.');
  });

  it("kicked: who removed you and why, from the host's words before the close (4001 says neither)", async () => {
    const { be, st } = await inParty(fakeSession('participant'), false);
    be.emit('party:event', sys(1, 'bob removed carol from the party: not her'));
    be.emit('party:event', sys(2, "Alice removed ann from the party: testing, sorry (ann's 2 waiting prompts are withdrawn)"));
    be.emit('party:ended', { reason: 'a host removed you from the party', kicked: true });
    expect(st.endedText).toBe('You were removed from the party by Alice: testing, sorry.');
    expect(st.displayPhase).toBe('removed');
    expect(be.calls.filter(([n]) => n === 'Notify')).toEqual([['Notify', ['You were removed from the party', 'You were removed from the party by Alice: testing, sorry.']]]);
    expect(removalOf([{ type: 'system', key: '1', seq: 1, ts: 0, text: 'Alice removed ann from the party' }], 'ann')).toEqual({ by: 'Alice', reason: '' });
    expect(removalOf([{ type: 'system', key: '1', seq: 1, ts: 0, text: 'Alice removed ann.b from the party' }], 'ann')).toBeNull();
  });

  it('the Stop button shows only for a host while a turn runs', async () => {
    const { be, st } = await inParty(fakeSession('host', emptyState({ phase: 'idle' })));
    expect(st.turnRunning).toBe(false);
    be.emit('party:event', { seq: 1, ts: '', kind: 'phase', phase: 'awaiting_permission' });
    expect(st.turnRunning && st.isHost).toBe(true);
  });

  it('notifies only when the window is not looked at, and only hosts about decisions', async () => {
    const looked = await inParty(fakeSession('host'), true);
    looked.be.emit('party:event', permission(1, { id: 't1', tool: 'Bash', summary: 'touch x', batch: 'b1', status: 'pending' }));
    expect(looked.be.count('Notify')).toBe(0);
    const away = await inParty(fakeSession('host'), false);
    away.be.emit('party:event', permission(1, { id: 't1', tool: 'Bash', summary: 'touch x', batch: 'b1', status: 'pending' }));
    away.be.emit('party:event', { ...turn(2, 'b1'), turn: { batch: 'b1', status: 'done', duration_ms: 1, denied: 2 } });
    expect(away.be.calls.filter(([n]) => n === 'Notify')).toEqual([
      ['Notify', ['The agent asks to use a tool', 'Bash: touch x']],
      ['Notify', ['The agent finished', 'Done — 2 tool requests denied']],
    ]);
    expect(attentionFor(permission(1, { id: 't', tool: 'Bash', summary: 's', batch: 'b', status: 'pending' }), 'participant')).toBeNull();
    expect(attentionFor(approval(1, { batch: 'b', prompts: [], merged: 'm', merger: 'local' }), 'host')?.title).toMatch(/approval/);
  });

  it('setPermissionMode goes to Go with the mode; the party\'s mode changes only with the settings event', async () => {
    const { be, st } = await inParty();
    const call = deferred<void>();
    be.handlers.SetPermissionMode = () => call.promise;
    const done = st.control.setPermissionMode('edits');
    expect(st.control.busy('permission-mode')).toBe(true);
    expect(be.calls.filter(([n]) => n === 'SetPermissionMode')).toEqual([['SetPermissionMode', ['edits']]]);
    expect(await st.control.setPermissionMode('plan')).toBe(false); // one at a time
    expect(be.count('SetPermissionMode')).toBe(1);
    call.resolve();
    expect(await done).toBe(true);
    expect(st.control.busy('permission-mode')).toBe(false);
    expect(st.session?.party.permission_mode).toBe('ask'); // not until the host says so
    be.emit('party:event', sys(1, 'ann set tool permissions to edits: file edits are allowed, every other tool use that needs permission asks a host'));
    be.emit('party:event', settings(2, false, 'edits'));
    expect(st.session?.party.permission_mode).toBe('edits');
  });

  it('a refused permission mode is a notice and leaves the party\'s mode', async () => {
    const { be, st } = await inParty();
    be.handlers.SetPermissionMode = () => Promise.reject('Only a host can do this.');
    expect(await st.control.setPermissionMode('all')).toBe(false);
    expect(st.notices.at(-1)?.text).toBe('Could not change the tool permissions: Only a host can do this.');
    expect(st.notices.at(-1)?.kind).toBe('error');
    expect(st.control.busy('permission-mode')).toBe(false);
    expect(st.session?.party.permission_mode).toBe('ask');
  });

  it('offers the four permission modes in words, with a warning for "all"', () => {
    expect(PERMISSION_MODES.map((m) => m.value)).toEqual(['ask', 'edits', 'plan', 'all']);
    expect(permissionModeLabel('ask')).toBe('Ask me before each tool use');
    expect(PERMISSION_MODES.find((m) => m.value === 'all')?.warning).toMatch(/any command and change any file on this computer without asking/);
  });
});

describe('DemoBackend: tool permissions', () => {
  afterEach(() => vi.useRealTimers());

  it('a host sets the mode as the real host does: a notice, then a settings event; a participant is refused', async () => {
    vi.useFakeTimers();
    const demo = new DemoBackend({ teammates: false, history: false, ask: true });
    const events: PartyEvent[] = [];
    demo.on('party:event', (e) => events.push(e));
    const created = demo.CreateParty(req);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await created).party.permission_mode).toBe('ask');
    events.length = 0;
    const set = demo.SetPermissionMode('edits');
    await vi.advanceTimersByTimeAsync(1000);
    await set;
    expect(events.map((e) => [e.kind, e.text ?? e.permission_mode])).toEqual([
      ['system', 'ann set tool permissions to edits: file edits are allowed, every other tool use that needs permission asks a host'],
      ['settings', 'edits'],
    ]);
    events.length = 0;
    const again = demo.SetPermissionMode('edits'); // unchanged: nothing said
    await vi.advanceTimersByTimeAsync(1000);
    await again;
    expect(events).toEqual([]);
    await expect(demo.SetPermissionMode('toString')).rejects.toThrow(/must be ask, edits, plan or all/);

    const joined = demo.JoinParty(DEMO_INVITE, 'bob');
    await vi.advanceTimersByTimeAsync(2000);
    await joined;
    await expect(demo.SetPermissionMode('plan')).rejects.toThrow(/Only a host/);
  });
});
