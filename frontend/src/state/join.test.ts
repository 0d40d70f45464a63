import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppState } from './app-state';
import { CreateFormCheck } from './create-form';
import { FakeBackend, fakeSettings } from './fake-backend';
import { DEMO_HOST_INVITE, DEMO_INVITE, DEMO_VIEWER_INVITE, DemoBackend, checkInvite } from './demo-backend';
import { UNPINNED_WARNING, clipboardLink, inviteSummary, inviteWarning, normalizeLink, unwrapInvite } from './join';
import type { CreateRequest, JoinedAs } from './types';

const tok = 'TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms';
const pinned = (port: number) => `concordia://127.0.0.1:${port}/${tok}?fp=${'ab'.repeat(32)}`;

async function started(be = new FakeBackend()) {
  const st = new AppState(be, { checkDelayMs: 250 });
  await st.start();
  return { be, st };
}

/** In a party joined with pinned(4444), the clipboard holding pinned(6666). */
async function joinedWithClipboard() {
  const be = new FakeBackend();
  be.handlers.ClipboardInvite = async () => pinned(6666);
  const { st } = await started(be);
  await st.openJoin(pinned(4444));
  await vi.advanceTimersByTimeAsync(300);
  expect(await st.submitJoin()).toBe(true);
  return { be, st };
}

describe('invite summary and warning', () => {
  it('a link without ?fp= is a warning, not just valid', () => {
    expect(inviteWarning(`concordia://h:1/${tok}`)).toBe(UNPINNED_WARNING);
    expect(inviteWarning(pinned(1))).toBe('');
    expect(inviteSummary(pinned(8765))).toEqual({ host: '127.0.0.1:8765', pinned: true });
  });
  it('reads a link as it comes out of chat and mail, as Go does', () => {
    for (const wrapped of [`<${pinned(1)}>`, `(${pinned(1)}).`, `"${pinned(1)}"`, `${pinned(1)}.`]) {
      expect(inviteSummary(wrapped)).toEqual({ host: '127.0.0.1:1', pinned: true });
    }
    expect(inviteWarning(`<concordia://h:1/${tok}>`)).toBe(UNPINNED_WARNING);
  });
  it('takes off square brackets, and a closing quote or bracket alone after the link', () => {
    const link = pinned(1);
    for (const text of [`[${link}]`, `${link}"`, `${link}].`, `see [${link}] ok`]) {
      expect(unwrapInvite(text)).toBe(link);
    }
    expect(clipboardLink(`see [${link}] ok`)).toBe(link);
    expect(unwrapInvite(`[concordia://[::1]:8765/${tok}]`)).toBe(`concordia://[::1]:8765/${tok}`);
    // A link cut after its IPv6 host keeps its ] (Go then says the port is missing).
    expect(unwrapInvite('concordia://[::1]')).toBe('concordia://[::1]');
    expect(clipboardLink('see concordia://[::1]')).toBe('concordia://[::1]');
  });
  // A user tester's chat app wrote the link's ?fp= as %3Ffp%3D; Go reads it as the pin, and
  // so does the dialog: not "Not encrypted". A "/" after the link is read past as in Go.
  it('reads a percent-encoded pin as the pin, and a link with a slash after it', () => {
    const encoded = `concordia://127.0.0.1:1/${tok}%3Ffp%3D${'ab'.repeat(32)}`;
    expect(inviteSummary(encoded)).toEqual({ host: '127.0.0.1:1', pinned: true });
    expect(inviteWarning(encoded)).toBe('');
    expect(inviteSummary(`join: ${encoded} thanks`)).toEqual({ host: '127.0.0.1:1', pinned: true });
    expect(clipboardLink(`Join: concordia://h:8765/${tok} %3Ffp%3D${'ab'.repeat(32)}`)).toContain('%3Ffp%3D'); // never without its pin
    expect(inviteSummary(`${pinned(1)}/`)).toEqual({ host: '127.0.0.1:1', pinned: true });
    expect(unwrapInvite(`${pinned(1)}/\nsee you`)).toBe(`${pinned(1)}/`);
  });
  // Go's invite.parse: %3F and %3D after the host read as ? and =, and one "/" off the end
  // after a token's or a fingerprint's character — no more.
  it('normalizes a link as Go reads it before taking it apart', () => {
    const fp = 'ab'.repeat(32);
    expect(normalizeLink(`concordia://h:1/${tok}%3Ffp%3D${fp}`)).toBe(`concordia://h:1/${tok}?fp=${fp}`);
    expect(normalizeLink(`concordia://h:1/${tok}%3ffp%3d${fp}/`)).toBe(`concordia://h:1/${tok}?fp=${fp}`);
    expect(normalizeLink(`concordia://h:1/${tok}/`)).toBe(`concordia://h:1/${tok}`);
    expect(normalizeLink(`concordia://h:1/${tok}//`)).toBe(`concordia://h:1/${tok}//`); // not after a "/": a second path segment
    expect(normalizeLink('concordia://h:1/')).toBe('concordia://h:1/'); // the token is still missing
    expect(normalizeLink('concordia://h%3F:1/x')).toBe('concordia://h%3F:1/x'); // the host is not touched
    expect(normalizeLink('not a link/')).toBe('not a link/');
  });
  // The demo's own check (?demo=1) refused what Go takes: a user tester's chat app's
  // %3Ffp%3D and another's "/" after the link.
  it('the demo takes the links Go takes: an escaped query, a "/" after the link', async () => {
    const escaped = DEMO_INVITE.replace('?fp=', '%3Ffp%3D');
    for (const link of [`${DEMO_INVITE}/`, escaped, `${escaped}/`, DEMO_INVITE.replace('?fp=', '%3Ffp=')]) {
      expect(checkInvite(link)).toBe('');
    }
    expect(checkInvite(`${DEMO_INVITE}//`)).not.toBe(''); // as Go: a second path segment
    expect(checkInvite(DEMO_INVITE.replace('?fp=', '%3Ffp%3D') + '0')).toBe('The fingerprint (fp) must be 64 hex digits.');
    const demo = new DemoBackend({ teammates: false, history: false });
    expect(await demo.InviteWarning(`${DEMO_INVITE}/`)).toContain('cut short'); // its 24-character token, as without the "/"
    expect(await demo.InviteWarning(`${DEMO_INVITE}/`)).toBe(await demo.InviteWarning(DEMO_INVITE));
    vi.useFakeTimers();
    try {
      const joined = demo.JoinParty(`${DEMO_VIEWER_INVITE.replace('?fp=', '%3Ffp%3D')}/`, 'vic');
      await vi.advanceTimersByTimeAsync(1000);
      expect((await joined).you.role).toBe('viewer'); // the viewer invite, escaped, is still it
      await demo.Leave();
    } finally {
      vi.useRealTimers();
    }
  });
  // Go's client says "connected" before JoinParty returns; the demo did not, and its joined
  // window kept the join's "connecting" (newer than the session): "Connecting… (attempt 1)"
  // over a party it was in, its host controls disabled (a co-host's header could not be
  // looked at in the demo).
  it('a window that joined the demo is connected, as one that joined a real host', async () => {
    vi.useFakeTimers();
    try {
      const st = new AppState(new DemoBackend({ teammates: false, history: false }), { checkDelayMs: 10, attentive: () => true });
      await st.start();
      await st.openJoin(DEMO_HOST_INVITE);
      const joined = st.submitJoin();
      await vi.advanceTimersByTimeAsync(1000);
      await joined;
      expect(st.isHost).toBe(true);
      expect(st.isOwner).toBe(false);
      expect(st.connection.status).toBe('connected');
      expect(st.displayPhase).toBe('idle');
      st.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
  it('never offers a pinned text as a link without its pin', () => {
    for (const text of [`Join: concordia://h:8765/${tok} ?fp=${'ab'.repeat(32)}`, `Join: concordia://h:8765/${tok}] ?fp=${'ab'.repeat(32)}`]) {
      expect(clipboardLink(text)).toBe(text);
    }
  });
  it('finds the link in a chat message, and rejoins one a terminal wrapped', () => {
    const link = pinned(1);
    for (const text of [`Join my party: ${link} thanks!`, `(see ${link})`, `${link}\nsee you`, `${link.slice(0, 50)}\n${link.slice(50)}`, `${link.slice(0, 67)}\n${link.slice(67)}`, `${link.slice(0, 30)}\r\n${link.slice(30, 70)}\r\n${link.slice(70)}`]) {
      expect(inviteSummary(text)).toEqual({ host: '127.0.0.1:1', pinned: true });
    }
    expect(inviteSummary('no link here')).toBeNull();
    expect(inviteSummary(`İyi eğlenceler! ${link}`)).toEqual({ host: '127.0.0.1:1', pinned: true });
    // A text with a pin is never read without it (it would connect without TLS).
    expect(inviteSummary(`${link.slice(0, 67)} ${link.slice(67)}`)).toBeNull();
  });
});

describe('join dialog and the clipboard', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('takes a fresh link from the clipboard each time it opens', async () => {
    const be = new FakeBackend();
    let clip = pinned(1111);
    be.handlers.ClipboardInvite = async () => clip;
    const { st } = await started(be);
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(1111));
    st.closeJoin();
    clip = pinned(2222); // a new invite was copied
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(2222));
  });

  it('a broken link in a chat message is filled in and explained, as the same link alone is', async () => {
    const be = new FakeBackend();
    const broken = `concordia://192.0.2.2:8891/${tok}?fp=${'ab'.repeat(22)}`; // the fingerprint cut short
    let clip = `Join us! ${broken}`;
    be.handlers.ClipboardInvite = async () => clip; // Go offers the message: it has a link, if broken
    be.handlers.CheckInvite = async (text: string) => (text.includes('?fp=' + 'ab'.repeat(22)) ? 'The fingerprint (?fp=) is 44 characters long; it should be 64.' : '');
    const { st } = await started(be);
    for (const text of [`Join us! ${broken}`, broken, `(${broken})`]) {
      clip = text;
      await st.openJoin();
      expect(st.join.invite).toBe(broken);
      await vi.advanceTimersByTimeAsync(300);
      expect(st.join).toMatchObject({ check: 'invalid', problem: 'The fingerprint (?fp=) is 44 characters long; it should be 64.' });
      st.setJoinInvite('');
      st.closeJoin();
    }
    clip = 'see concordia://nonsense, thanks'; // not even a link's shape: still the link, not the message
    await st.openJoin();
    expect(st.join.invite).toBe('concordia://nonsense');
    st.setJoinInvite('');
    st.closeJoin();
    clip = 'no link in this message';
    await st.openJoin();
    expect(st.join.invite).toBe('');
  });

  // A window tester reopened the window and joined again with the same invite under the
  // settings' name ("root"), and came in as someone new while "Cleo" stayed away.
  it('offers the name last joined under with that party, unless one was typed here', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => pinned(1111);
    be.handlers.JoinName = async (text: string): Promise<JoinedAs> => (text === pinned(1111) ? { name: 'Cleo', role: 'viewer' } : { name: '', role: '' });
    const { st } = await started(be);
    await st.openJoin();
    expect(st.join.name).toBe('ann'); // until the link is checked
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', name: 'Cleo', nameKnown: true, knownRole: 'viewer' });
    st.closeJoin();
    await st.openJoin(); // the same link again: still Cleo
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ name: 'Cleo', nameKnown: true });
    st.setJoinInvite(pinned(2222)); // a party never joined: the settings' name again
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', name: 'ann', nameKnown: false, knownRole: '' });
    st.setJoinInvite(pinned(1111));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.name).toBe('Cleo');
    st.setJoinName('Cleo B'); // typed: kept, whatever the link
    st.setJoinInvite(pinned(2222));
    await vi.advanceTimersByTimeAsync(300);
    st.setJoinInvite(pinned(1111));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ name: 'Cleo B', nameKnown: false });
  });

  it('offers the known name again after a join under a typed one, and joins under the name shown', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    be.handlers.JoinName = async (text: string): Promise<JoinedAs> => (text === pinned(1111) ? { name: 'Cleo', role: 'viewer' } : { name: '', role: '' });
    const joinedAs: string[] = [];
    const joinParty = be.handlers.JoinParty!;
    be.handlers.JoinParty = async (invite: string, name: string) => {
      joinedAs.push(name);
      return joinParty(invite, name);
    };
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinName('Typed');
    st.setJoinInvite(pinned(2222));
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    await st.leave();
    st.backHome();
    // A join before the link's check came: under the name shown, not one the check finds.
    await st.openJoin();
    st.setJoinInvite(pinned(1111));
    const joined = st.submitJoin();
    await vi.advanceTimersByTimeAsync(300);
    await joined;
    expect(joinedAs).toEqual(['Typed', 'ann']);
  });

  it('reads the settings again after a join: Go keeps the name chosen for it', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    let saved = 'ann';
    be.handlers.GetSettings = async () => ({ ...fakeSettings, name: saved });
    const joinParty = be.handlers.JoinParty!;
    be.handlers.JoinParty = async (invite: string, name: string) => {
      saved = name; // App.JoinParty remembers a chosen name
      return joinParty(invite, name);
    };
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinName('Bob');
    st.setJoinInvite(pinned(2222));
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    // Create party offers it (a window tester who joined as Bob was offered "root").
    expect(st.settings?.name).toBe('Bob');
  });

  it('offers the display name the settings have now, unless one was typed here', async () => {
    const { st } = await started();
    await st.openJoin();
    expect(st.join.name).toBe('ann');
    st.closeJoin();
    // A party hosted under another name saved it (it offered the name from the window's start).
    expect(await st.saveSettings({ ...st.settings!, name: 'hazel' })).toBe(true);
    await st.openJoin();
    expect(st.join.name).toBe('hazel');
    st.setJoinName('just for this party');
    st.closeJoin();
    await st.openJoin();
    expect(st.join.name).toBe('just for this party');
  });

  it('keeps what the person typed', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => pinned(1111);
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinInvite(pinned(3333)); // typed or pasted in the field
    st.closeJoin();
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(3333));
    // Emptying the field lets the clipboard fill it again.
    st.setJoinInvite('');
    st.closeJoin();
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(1111));
  });

  // A user tester, removed, pasted the old link, was refused, pasted it again, then copied
  // the new invite the host made: the dialog opened on the refused one, marked valid.
  it('lets a link the host refused give way to another one copied since', async () => {
    const be = new FakeBackend();
    let clip = '';
    be.handlers.ClipboardInvite = async () => clip;
    be.handlers.JoinParty = async () => {
      throw new Error('alice removed you from this party, and this invite no longer lets you in: ask a host for a new one.');
    };
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinInvite(pinned(6666));
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(false);
    st.setJoinInvite(pinned(6666)); // pasted again
    await vi.advanceTimersByTimeAsync(300);
    st.closeJoin();
    clip = pinned(7777);
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(7777));
  });

  it('lets a broken link typed there give way to a whole one copied since', async () => {
    // A window tester cancelled over a broken link, copied the right one, and the dialog
    // opened on the broken one again.
    const be = new FakeBackend();
    let clip = '';
    be.handlers.ClipboardInvite = async () => clip;
    be.handlers.CheckInvite = async (text: string) => (text.includes('broken') ? 'The token is cut short.' : '');
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinInvite('concordia://192.0.2.2:8891/broken');
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.check).toBe('invalid');
    st.closeJoin();
    clip = `here: ${pinned(4444)}`;
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(4444));
    // A valid link typed there stays, whatever the clipboard holds.
    st.setJoinInvite(pinned(5555));
    await vi.advanceTimersByTimeAsync(300);
    st.closeJoin();
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(5555));
    // A broken one copied does not replace a broken one typed.
    st.setJoinInvite('concordia://192.0.2.2:8891/broken-typed');
    await vi.advanceTimersByTimeAsync(300);
    st.closeJoin();
    clip = 'concordia://192.0.2.2:8891/broken-copied';
    await st.openJoin();
    expect(st.join.invite).toBe('concordia://192.0.2.2:8891/broken-typed');
  });

  it('checks a link again whose check the closing cut short, and lets it go if broken', async () => {
    // A reviewer's: a broken link pasted and the dialog closed within the check's delay
    // stayed "Checking…" for good, the clipboard's whole invite ignored.
    const be = new FakeBackend();
    let clip = '';
    be.handlers.ClipboardInvite = async () => clip;
    be.handlers.CheckInvite = async (text: string) => (text.includes('broken') ? 'The token is cut short.' : '');
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinInvite('concordia://192.0.2.2:8891/broken');
    st.closeJoin(); // before the check ran
    clip = `here: ${pinned(4444)}`;
    await st.openJoin();
    await vi.advanceTimersByTimeAsync(1000);
    expect(st.join).toMatchObject({ invite: pinned(4444), check: 'valid' });
    // A whole link typed, closed as fast: kept, and checked.
    st.setJoinInvite(pinned(5555));
    st.closeJoin();
    await st.openJoin();
    await vi.advanceTimersByTimeAsync(1000);
    expect(st.join).toMatchObject({ invite: pinned(5555), check: 'valid' });
  });

  it('keeps a filled link when the clipboard has none', async () => {
    const be = new FakeBackend();
    let clip = pinned(1111);
    be.handlers.ClipboardInvite = async () => clip;
    const { st } = await started(be);
    await st.openJoin();
    st.closeJoin();
    clip = '';
    await st.openJoin();
    expect(st.join.invite).toBe(pinned(1111));
  });

  it('typing while the clipboard is read wins', async () => {
    const be = new FakeBackend();
    let answer: (s: string) => void = () => {};
    be.handlers.ClipboardInvite = () => new Promise<string>((r) => (answer = r));
    const { st } = await started(be);
    const opening = st.openJoin();
    st.setJoinInvite('concordia://typed');
    answer(pinned(1111));
    await opening;
    expect(st.join.invite).toBe('concordia://typed');
  });

  it('a desktop link still prefills, and a joined party leaves no link behind', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    const { st } = await started(be);
    await st.openJoin(pinned(4444));
    expect(st.join.invite).toBe(pinned(4444));
    expect(be.count('ClipboardInvite')).toBe(0);
    expect(await st.submitJoin()).toBe(true);
    expect(st.join).toMatchObject({ open: false, invite: '', typed: false });
  });

  it('after a refused join, the refusal stays with its link, and a fresh link on the clipboard replaces it', async () => {
    const be = new FakeBackend();
    let clip = '';
    be.handlers.ClipboardInvite = async () => clip;
    be.handlers.JoinParty = async () => {
      throw new Error('The host refused this invite.');
    };
    const { st } = await started(be);
    await st.openJoin();
    st.setJoinInvite(pinned(5555)); // pasted in the field
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(false);
    expect(st.join.error).toBe('The host refused this invite.');
    st.closeJoin();
    await st.openJoin(); // nothing new on the clipboard: the refusal is still said
    expect(st.join).toMatchObject({ invite: pinned(5555), error: 'The host refused this invite.' });
    st.closeJoin();
    clip = pinned(6666); // the host sent a new invite
    await st.openJoin();
    expect(st.join).toMatchObject({ invite: pinned(6666), error: '' });
  });

  // A host that took the connection and never answered held the dialog on "Connecting…"
  // for 10 s with Cancel, ✕ and Escape dead (a tester's).
  it('closing the dialog while it joins cancels the join, and says nothing of its failure', async () => {
    const be = new FakeBackend();
    let fail: (e: Error) => void = () => {};
    be.handlers.JoinParty = () => new Promise((_, reject) => (fail = reject));
    be.handlers.CancelJoin = async () => fail(new Error('You cancelled the join.'));
    const { st } = await started(be);
    await st.openJoin(pinned(7777));
    await vi.advanceTimersByTimeAsync(300);
    const joining = st.submitJoin();
    await vi.advanceTimersByTimeAsync(0);
    expect(st.join).toMatchObject({ open: true, busy: true });
    st.closeJoin();
    expect(st.join.open).toBe(false);
    expect(be.count('CancelJoin')).toBe(1);
    expect(await joining).toBe(false);
    expect(st.join).toMatchObject({ open: false, busy: false, error: '' });
    expect(st.session).toBeNull();
  });

  // After being removed (or leaving), a link opened from the desktop was refused with
  // "you are already in a party. Leave it first", and lost (a tester's).
  it('a link opened over a party that is over opens the dialog, and joining leaves that party', async () => {
    const be = new FakeBackend();
    let dismissed = 0;
    be.handlers.DismissParty = async () => void dismissed++;
    const { st } = await started(be);
    await st.openJoin(pinned(4444));
    await vi.advanceTimersByTimeAsync(300);
    expect(await st.submitJoin()).toBe(true);
    be.emit('app:link', pinned(5555)); // in a party that runs: refused, with a word
    expect(st.join.open).toBe(false);
    be.emit('party:ended', { reason: 'removed by the host', kicked: true });
    expect(st.ended).not.toBeNull();
    be.emit('app:link', pinned(5555));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ open: true, invite: pinned(5555) });
    expect(await st.submitJoin()).toBe(true);
    expect(dismissed).toBe(1);
    expect(st.ended).toBeNull();
    expect(st.session).not.toBeNull();
  });

  // A link opened during a party was dropped: after leaving, a window tester had to find
  // it again. It is kept for the next join dialog, which takes it over the clipboard's.
  it('a link opened during a party is kept for the join dialog after it', async () => {
    const { be, st } = await joinedWithClipboard();
    be.emit('app:link', 'concordia://127.0.0.1:1/short?fp=zz junk');
    expect(st.notices.at(-1)?.text).toContain('it is not a whole invite'); // said at once (a user tester's)
    // The button it names is the home screen's (a user tester's read "Join party", which is none).
    expect(st.notices.at(-1)?.text).toContain('once you have left this party, Join with an invite… on the home screen says what is wrong with it');
    be.emit('app:link', pinned(5555)); // the last one opened is kept
    expect(st.join.open).toBe(false);
    expect(st.notices.at(-1)?.text).toContain('It is kept: once you have left this one, Join with an invite… on the home screen opens with it.');
    be.emit('party:ended', { reason: 'the host ended the party', kicked: false });
    await st.openJoin();
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ open: true, invite: pinned(5555) });
    // Once: the dialog after that goes back to the clipboard.
    st.closeJoin();
    await st.openJoin();
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.invite).toBe(pinned(6666));
  });

  // A tester opened their own party's invite while hosting: it was "kept", and after the
  // party ended the join dialog opened with its dead link.
  it("this party's own invite, opened during it, is said so and not kept", async () => {
    const { be, st } = await joinedWithClipboard();
    const own = st.session!.invite.replace('concordia://hostbox', 'concordia://HostBox');
    be.emit('app:link', own); // its own invite (the host's name in any case)
    expect(st.notices.at(-1)?.text).toBe('That invite is to the party you are in.');
    be.emit('party:ended', { reason: 'the host ended the party', kicked: false });
    await st.openJoin();
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.invite).toBe(pinned(6666));
    // Another token to the same address (a host invite, new invites): kept, as any other (a reviewer's).
    const again = await joinedWithClipboard();
    again.be.emit('app:link', again.st.session!.invite.replace('/tok?', '/host-token?'));
    expect(again.st.notices.at(-1)?.text).toContain('It is kept');
  });

  it('a broken link opened over a whole invite in the dialog leaves it there', async () => {
    const { be, st } = await started();
    await st.openJoin(pinned(4444));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.check).toBe('valid');
    be.emit('app:link', 'concordia://');
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.invite).toBe(pinned(4444));
    expect(st.notices.at(-1)?.text).toBe('A concordia:// link was opened, but it is not a whole invite: the invite in the Join dialog stays.');
    be.emit('app:link', pinned(5555)); // a whole one replaces it, as before
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.invite).toBe(pinned(5555));
  });

  // A window tester typed a name over a participant link, then opened a watch-only one: the
  // field swapped without a word, and they joined as a viewer.
  it('a link opened over the one the dialog shows is said, and the one before can be put back', async () => {
    const { be, st } = await started();
    await st.openJoin(pinned(4444));
    st.setJoinName('gus');
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.replaced).toBeUndefined();
    be.emit('app:link', pinned(5555));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ invite: pinned(5555), name: 'gus', check: 'valid', replaced: { invite: pinned(4444), typed: false } });
    st.restoreReplacedInvite();
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ invite: pinned(4444), name: 'gus', check: 'valid' });
    expect(st.join.replaced).toBeUndefined();
    // The same link again is no replacement; nor is one opened into a closed dialog.
    be.emit('app:link', pinned(4444));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.replaced).toBeUndefined();
    be.emit('app:link', pinned(5555));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join.replaced).toBeDefined();
    st.setJoinInvite(pinned(6666)); // typing over it: what is in the field is the person's own
    expect(st.join.replaced).toBeUndefined();
    st.closeJoin();
    be.emit('app:link', pinned(7777));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ open: true, invite: pinned(7777) });
    expect(st.join.replaced).toBeUndefined();
  });

  it('a valid link without ?fp= carries the unencrypted warning', async () => {
    const { st } = await started();
    await st.openJoin(`concordia://127.0.0.1:1/${tok}`);
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', warning: UNPINNED_WARNING });
    st.setJoinInvite(pinned(1));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', warning: '' });
  });

  it('a link Go calls cut short is not joined', async () => {
    const be = new FakeBackend();
    be.handlers.CheckInvite = async () => 'The link looks cut short: its token has 30 characters, but a Concordia invite\'s has 43; copy the whole link again.';
    const { st } = await started(be);
    await st.openJoin(`concordia://127.0.0.1:1/${tok.slice(0, 30)}`);
    expect(await st.submitJoin()).toBe(false);
    expect(st.join.check).toBe('invalid');
    expect(be.count('JoinParty')).toBe(0);
  });

  // A window tester's cut link (a token of 25 characters) was shown "Valid invite"; it was
  // said to look cut short only once the host refused it. Another host's tokens may be of
  // another length, so it may still be tried.
  it('says a valid link looks cut short before connecting, and still lets it be tried', async () => {
    const cut = 'The link looks cut short: its token has 25 characters, but a Concordia invite\'s has 43; copy the whole link again.';
    const be = new FakeBackend();
    be.handlers.InviteWarning = async (text: string) => (text.includes(tok) ? '' : cut);
    const { st } = await started(be);
    await st.openJoin(pinned(1).replace(tok, tok.slice(0, 25)));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', warning: cut });
    expect(st.canJoin).toBe(true);
    st.setJoinInvite(pinned(1));
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', warning: '' });
    // Cut short and without ?fp=: both said (a reviewer's: the second was hidden).
    st.setJoinInvite(`concordia://127.0.0.1:1/${tok.slice(0, 25)}`);
    await vi.advanceTimersByTimeAsync(300);
    expect(st.join).toMatchObject({ check: 'valid', warning: `${cut} ${UNPINNED_WARNING}` });
  });
});

const req: CreateRequest = {
  name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'local', claude_path: '/nowhere/claude',
  permission_mode: 'ask', claude_args: '', approve: false, share_workspace: 'changes',
};

describe('Create party errors clear once fixed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function withCheck(be: FakeBackend) {
    be.handlers.CheckCreate = async (r) => (r.claude_path === '/nowhere/claude' ? 'Claude Code was not found (looked for "/nowhere/claude").' : '');
    be.handlers.CreateParty = async () => {
      throw new Error('Claude Code was not found (looked for "/nowhere/claude").');
    };
  }

  it('a "not found" error goes once the path is fixed, and not before', async () => {
    const be = new FakeBackend();
    withCheck(be);
    const { st } = await started(be);
    expect(await st.createParty(req)).toBe(false);
    expect(st.createError).toMatch(/not found/);
    await vi.advanceTimersByTimeAsync(0);
    st.editCreate({ ...req, name: 'anna' }); // another field: the cause is still there
    await vi.advanceTimersByTimeAsync(400);
    expect(st.createError).toMatch(/not found/);
    st.editCreate({ ...req, claude_path: '/usr/bin/clau' });
    st.editCreate({ ...req, claude_path: '/usr/bin/claude' }); // debounced: one check
    await vi.advanceTimersByTimeAsync(400);
    expect(st.createError).toBe('');
    expect(be.count('CheckCreate')).toBe(3); // after the failure, 'anna', the fixed path
  });

  it('an error the form cannot fix stays', async () => {
    const be = new FakeBackend();
    be.handlers.CheckCreate = async () => '';
    be.handlers.CreateParty = async () => {
      throw new Error('The listen address :8765 is already in use.');
    };
    const { st } = await started(be);
    await st.createParty(req);
    await vi.advanceTimersByTimeAsync(0);
    st.editCreate({ ...req, name: 'x' });
    await vi.advanceTimersByTimeAsync(400);
    expect(st.createError).toMatch(/in use/);
    // Settings saved (another listen address, say): the error said of the old ones goes
    // (a tester's stayed on the form after fixing the port).
    expect(await st.saveSettings({ ...st.settings!, listen: ':8766' })).toBe(true);
    expect(st.createError).toBe('');
  });

  it('the window field is checked in the window, and cleared when fixed', async () => {
    const { st } = await started();
    await st.createParty({ ...req, window_ms: 0 });
    expect(st.createError).toMatch(/window/);
    await vi.advanceTimersByTimeAsync(0);
    st.editCreate({ ...req, claude_path: 'claude', window_ms: 2000 });
    await vi.advanceTimersByTimeAsync(400);
    expect(st.createError).toBe('');
  });

  it('a started party reads back the remembered settings', async () => {
    const be = new FakeBackend();
    const { st } = await started(be);
    expect(await st.createParty({ ...req, claude_path: 'claude' })).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(be.count('GetSettings')).toBe(1);
    expect(be.count('SaveSettings')).toBe(0);
  });

  it('CreateFormCheck ignores an answer overtaken by an edit', async () => {
    let resolveFirst: (s: string) => void = () => {};
    const answers = [new Promise<string>((r) => (resolveFirst = r)), Promise.resolve('')];
    const shown: string[] = [];
    const c = new CreateFormCheck(() => answers.shift() ?? Promise.resolve(''), (p) => shown.push(p), 100);
    const armed = c.failed(req);
    resolveFirst('bad');
    await armed;
    expect(c.armed).toBe(true);
    c.edited(req);
    await vi.advanceTimersByTimeAsync(150);
    expect(shown).toEqual(['']);
    expect(c.armed).toBe(false);
  });
});
