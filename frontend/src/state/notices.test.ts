import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INFO_MS, Notices } from './notices';
import { AppState } from './app-state';
import { FakeBackend, fakeSession } from './fake-backend';
import type { Session } from './types';

describe('Notices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('an info toast dismisses itself; an error stays until dismissed', () => {
    let changes = 0;
    const n = new Notices(() => changes++);
    n.add('info', 'Saved', 'app');
    const e = n.add('error', 'Could not save', 'app');
    expect(n.list.map((x) => x.text)).toEqual(['Saved', 'Could not save']);
    vi.advanceTimersByTime(INFO_MS - 1);
    expect(n.list).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(n.list.map((x) => x.text)).toEqual(['Could not save']);
    vi.advanceTimersByTime(10 * INFO_MS);
    expect(n.list.map((x) => x.text)).toEqual(['Could not save']);
    n.dismiss(e);
    expect(n.list).toEqual([]);
    expect(changes).toBe(4);
  });

  it('the pointer on the toasts holds them; leaving gives them the full time again', () => {
    const n = new Notices(() => {});
    n.add('info', 'one', 'app');
    vi.advanceTimersByTime(INFO_MS - 100);
    n.pause();
    vi.advanceTimersByTime(3 * INFO_MS);
    n.add('info', 'two', 'app'); // raised while held: held too
    vi.advanceTimersByTime(3 * INFO_MS);
    expect(n.list).toHaveLength(2);
    n.resume();
    vi.advanceTimersByTime(INFO_MS - 1);
    expect(n.list).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(n.list).toEqual([]);
  });

  it('dropParty drops the party toasts (and their timers), keeps app ones', () => {
    const n = new Notices(() => {});
    n.add('error', 'party error', 'party');
    n.add('info', 'party info', 'party');
    n.add('info', 'app info', 'app');
    n.add('error', 'app error', 'app');
    n.dropParty();
    expect(n.list.map((x) => x.text)).toEqual(['app info', 'app error']);
    vi.advanceTimersByTime(INFO_MS);
    expect(n.list.map((x) => x.text)).toEqual(['app error']);
  });
});

describe('AppState notices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function started(session: Session) {
    const be = new FakeBackend();
    be.handlers.CreateParty = async () => session;
    be.handlers.JoinParty = async () => session;
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    return { be, st };
  }
  const create = (st: AppState) =>
    st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '' , approve: false });

  it("a party's toasts go when it is left for home; app toasts stay", async () => {
    const { be, st } = await started(fakeSession('participant'));
    st.notify('error', 'before any party'); // on home: an app toast
    expect(await create(st)).toBe(true);
    be.handlers.CopyInvite = () => Promise.reject('no clipboard');
    await st.copyInvite();
    expect(st.notices.map((n) => [n.scope, n.kind])).toEqual([['app', 'error'], ['party', 'error']]);
    await st.leave();
    expect(st.notices).toHaveLength(2); // the ended party is still on screen
    st.backHome();
    expect(st.notices.map((n) => n.text)).toEqual(['before any party']);
  });

  it('a new party starts without the last one’s toasts', async () => {
    const { st } = await started(fakeSession('host'));
    expect(await create(st)).toBe(true);
    st.notify('error', 'from party one');
    await st.endParty();
    // A new party while the ended one is still shown (Create from the ended view's flow).
    st.backHome();
    st.notify('error', 'party one, late', 'party');
    expect(await create(st)).toBe(true);
    expect(st.notices).toEqual([]);
  });
});
