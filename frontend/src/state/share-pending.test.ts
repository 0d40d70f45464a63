import { describe, expect, it } from 'vitest';
import { AppState } from './app-state';
import { FakeBackend, fakeSession } from './fake-backend';
import { at, sys } from './events.test-helpers';
import { WORKSPACE_READY, WORKSPACE_READY_OFF } from './party';
import type { PartyEvent, Session } from './types';

const TOO_LARGE = 'it has 50001 files, more than the 20000 a party can track';
const FIX = 'list build output and dependencies in a .gitignore, or host from a smaller folder';

/** A started AppState in session's party, with a fake backend. */
async function inParty(session: Session) {
  const be = new FakeBackend();
  let listed = 0;
  be.handlers.Changes = async () => (listed++, { files: [{ path: 'main.go', status: 'modified' as const, additions: 1, deletions: 0 }], base: 'the start' });
  be.handlers.CreateParty = async () => session;
  const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
  await st.start();
  // The session says how the window is in the party (role), whichever call gave it.
  expect(await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false })).toBe(true);
  await new Promise((r) => setTimeout(r, 0));
  return { be, st, listed: () => listed };
}

/** A party whose host is still taking its folder's first snapshot (the hello's share_pending). */
function pending(role: 'host' | 'participant'): Session {
  const base = fakeSession(role);
  return { ...base, party: { ...base.party, workspace: 'changes', share_pending: true } };
}

const failed = (seq: number): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'off', always: [], share_error: TOO_LARGE });

describe('a folder whose first snapshot is being taken', () => {
  // A joiner was told the party saw every file that changed, then that it did not.
  it('is not shared until the party says it is', async () => {
    const { be, st, listed } = await inParty(pending('participant'));
    expect(st.workspace.pending).toBe(true);
    expect(st.workspace.shared).toBe(false);
    expect(listed()).toBe(0); // nothing to list yet
    be.emit('party:event', sys(1, WORKSPACE_READY));
    await new Promise((r) => setTimeout(r, 0));
    expect(st.workspace.pending).toBe(false);
    expect(st.workspace.shared).toBe(true);
    expect(st.session!.party.share_pending).toBe(false);
    expect(listed()).toBe(1);
    expect(st.workspace.files.map((f) => f.path)).toEqual(['main.go']);
    st.dispose();
  });

  // A host turned the sharing off while the snapshot was taken: the window said "Not shared
  // yet" for ever (a reviewer's).
  it('is over when the snapshot is taken with the sharing turned off meanwhile', async () => {
    const { be, st, listed } = await inParty(pending('participant'));
    be.emit('party:event', { seq: 1, ts: at(100), kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'off', always: [] });
    be.emit('party:event', sys(2, WORKSPACE_READY_OFF));
    await new Promise((r) => setTimeout(r, 0));
    expect(st.workspace.pending).toBe(false);
    expect(st.workspace.shared).toBe(false);
    expect(st.session!.party.share_pending).toBe(false);
    expect(listed()).toBe(0);
    st.dispose();
  });

  it('follows a snapshot that failed: not shared, and why', async () => {
    const { be, st } = await inParty(pending('participant'));
    be.emit('party:event', failed(1));
    expect(st.workspace.pending).toBe(false);
    expect(st.workspace.shared).toBe(false);
    expect(st.workspace.cannotShare).toBe(true);
    expect(st.workspace.shareError).toBe(TOO_LARGE);
    expect(st.session!.party.share_pending).toBe(false);
    st.dispose();
  });

  // The hello of a reconnect says it as it is now.
  it('takes share_pending from a reconnect’s hello', async () => {
    const { be, st } = await inParty(pending('participant'));
    const { share_pending: _, ...now } = st.session!.party; // as Go sends it: the key left out
    be.emit('party:info', now);
    expect(st.workspace.pending).toBe(false);
    expect(st.workspace.shared).toBe(true);
    st.dispose();
  });
});

describe('the remedy for a folder that could not be shared', () => {
  // Go says it to the window that runs the party only; the owner had lost it once the
  // party stopped saying it to every member.
  it('reaches the owner, live and in a reloaded page', async () => {
    const { be, st } = await inParty(pending('host'));
    be.emit('party:event', failed(1));
    be.emit('party:sharefix', FIX);
    expect(st.workspace.shareFix).toBe(FIX);

    const base = fakeSession('host');
    const again = await inParty({ ...base, party: { ...base.party, workspace: 'off', cannot_share: true, share_error: TOO_LARGE }, share_fix: FIX });
    expect(again.st.workspace.shareFix).toBe(FIX);
    st.dispose();
    again.st.dispose();
  });

  it('is never a joined window’s', async () => {
    const base = fakeSession('participant');
    const { be, st } = await inParty({ ...base, party: { ...base.party, workspace: 'off', cannot_share: true, share_error: TOO_LARGE }, share_fix: FIX });
    expect(st.workspace.shareFix).toBe('');
    be.emit('party:sharefix', FIX);
    expect(st.workspace.shareFix).toBe('');
    st.dispose();
  });
});
