import { describe, expect, it } from 'vitest';
import { attentionFor, attentionForEnd } from './attention';
import { AppState } from './app-state';
import { FakeBackend, fakeSession, fakeSettings } from './fake-backend';
import { batch, joined, out, turn } from './events.test-helpers';
import type { Session } from './types';

const bob = { id: 'm2', name: 'bob', role: 'participant' as const };
const me = { id: 'm1', name: 'ann', role: 'host' as const };

describe('attentionFor: joined and ended', () => {
  it('someone else joining is news; you joining (or a role change) is not', () => {
    expect(attentionFor({ ...joined(1, bob), count: 3 }, 'participant', me)).toEqual({ title: 'bob joined the party', body: '3 people are in the party now' });
    expect(attentionFor(joined(1, me), 'host', me)).toBeNull();
    expect(attentionFor({ seq: 1, ts: '', kind: 'participants', changed: bob, count: 2 }, 'host', me)).toBeNull();
  });

  it('the party ended, unless you ended or left it', () => {
    expect(attentionForEnd('the host ended the party')).toEqual({ title: 'The party ended', body: 'The host ended the party' });
    expect(attentionForEnd('a host removed you from the party')?.body).toBe('A host removed you from the party');
    expect(attentionForEnd('you left the party')).toBeNull();
    expect(attentionForEnd('you ended the party')).toBeNull();
  });
});

describe('AppState desktop notifications', () => {
  async function inParty(session: Session, attentive: boolean, notifications = true) {
    const be = new FakeBackend();
    be.handlers.Boot = async () => ({ settings: { ...fakeSettings, notifications }, key: { source: 'none', keyring_available: true, keyring_error: '', legacy_file: '', unchecked: false }, version: 'test', link: '', tray: { available: true, reason: '' }, home: '', dismissed: [] });
    be.handlers.GetSettings = async () => ({ ...fakeSettings, notifications });
    be.handlers.JoinParty = async () => session;
    be.handlers.CreateParty = async () => session;
    const st = new AppState(be, { attentive: () => attentive, checkDelayMs: 10 });
    await st.start();
    expect(await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
    return { be, st };
  }
  const notes = (be: FakeBackend) => be.calls.filter(([n]) => n === 'Notify').map(([, a]) => a);

  it('away: someone joined, the agent failed, the party ended', async () => {
    const { be } = await inParty(fakeSession('participant'), false);
    be.emit('party:event', { ...joined(1, bob), count: 2 });
    be.emit('party:event', { ...turn(2, 'b1'), turn: { batch: 'b1', status: 'error', duration_ms: 5, error: 'claude failed twice' } });
    be.emit('party:ended', { reason: 'the host ended the party' });
    expect(notes(be)).toEqual([
      ['bob joined the party', '2 people are in the party now'],
      ['The agent failed', 'claude failed twice'],
      ['The party ended', 'The host ended the party'],
    ]);
  });

  // A turn whose step failed, or whose plan was sent back, ends as its footer says (the
  // notification said "Done" of a failed step, and "1 tool request denied" of a plan).
  it('a finished turn is said as the transcript says it', async () => {
    const { be } = await inParty(fakeSession('participant'), false);
    be.emit('party:event', batch(1, { id: 'b1', prompts: [], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(2, 'Bash: false\n-> (error) exit status 1\n', 'tool'));
    be.emit('party:event', { ...turn(3, 'b1'), turn: { batch: 'b1', status: 'done', duration_ms: 5 } });
    be.emit('party:event', batch(4, { id: 'b2', prompts: [], merged: 'plan', merger: 'local' }));
    be.emit('party:event', { seq: 5, ts: '', kind: 'permission', permission: { id: 't1', tool: 'ExitPlanMode', summary: 'leave plan mode: x', batch: 'b2', status: 'denied', by: 'ann' } });
    be.emit('party:event', { ...turn(6, 'b2'), turn: { batch: 'b2', status: 'done', duration_ms: 5, denied: 1 } });
    expect(notes(be)).toEqual([
      ['The agent finished', 'Done — 1 tool step failed'],
      ['The agent finished', 'Done — the plan was sent back for changes'],
    ]);
  });

  it('nothing while the window is looked at, and nothing when you leave yourself', async () => {
    const looked = await inParty(fakeSession('participant'), true);
    looked.be.emit('party:event', joined(1, bob));
    looked.be.emit('party:ended', { reason: 'the host ended the party' });
    expect(notes(looked.be)).toEqual([]);
    const away = await inParty(fakeSession('participant'), false);
    await away.st.leave();
    expect(notes(away.be)).toEqual([]);
  });

  it('nothing when Settings has desktop notifications off', async () => {
    const { be } = await inParty(fakeSession('participant'), false, false);
    be.emit('party:event', joined(1, bob));
    be.emit('party:ended', { reason: 'the host ended the party' });
    expect(notes(be)).toEqual([]);
  });
});
