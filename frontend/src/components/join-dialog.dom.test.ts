// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AppState } from '../state/app-state';
import { FakeBackend } from '../state/fake-backend';
import type { JoinedAs } from '../state/types';
import './join-dialog';
import { SETTLE_MS } from './settle';

type Dialog = HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
const link = `concordia://192.0.2.2:8765/TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms?fp=${'ab'.repeat(32)}`;

describe('<join-dialog> after a failed join', () => {
  it('does not call the link valid above the reason it failed; another link is valid again', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    be.handlers.JoinParty = async () => {
      throw new Error('The host refused this invite.');
    };
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin();
    st.setJoinInvite(link);
    await new Promise((r) => setTimeout(r, 20));
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const text = () => el.shadowRoot!.querySelector('[data-testid=join-invite-status]')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(text()).toContain('Valid invite to 192.0.2.2');
    expect(await st.submitJoin()).toBe(false);
    await el.updateComplete;
    expect(text()).not.toContain('Valid invite');
    expect(text()).toContain('joining with it failed');
    // Not in the colour of good news (a tester's read green above the red error).
    expect(el.shadowRoot!.querySelector('[data-testid=join-invite-status]')!.classList.contains('failed')).toBe(true);
    expect(el.shadowRoot!.querySelector('[data-testid=join-error]')?.textContent).toContain('refused');
    st.setJoinInvite(link.replace('192.0.2.2', '192.0.2.3'));
    await new Promise((r) => setTimeout(r, 20));
    await el.updateComplete;
    expect(text()).toContain('Valid invite to 192.0.2.3');
    el.remove();
    st.dispose();
  });
});

describe('<join-dialog> a blank name', () => {
  // A tester typed only spaces: Join went grey, with no word of why.
  it('says a name is needed while there is none', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin();
    st.setJoinInvite(link);
    st.setJoinName('   ');
    await new Promise((r) => setTimeout(r, 20));
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    expect(q('join-submit')?.hasAttribute('disabled')).toBe(true);
    expect(q('join-name-needed')?.textContent).toBe('Type the name the others will see you by.');
    st.setJoinName('ann');
    await el.updateComplete;
    expect(q('join-name-needed')).toBeNull();
    expect(q('join-submit')?.hasAttribute('disabled')).toBe(false);
    el.remove();
    st.dispose();
  });
});

describe('<join-dialog> focus after a failed join', () => {
  // A tester clicked Join; the host refused, and the keyboard focus was on the page, not in
  // the dialog (the button clicked had been disabled while it ran).
  it('puts the focus in the invite field when a join started with the mouse fails', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    be.handlers.JoinParty = async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('The host refused this invite.');
    };
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin();
    st.setJoinInvite(link);
    st.setJoinName('ann');
    await new Promise((r) => setTimeout(r, 20));
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const submit = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=join-submit]')!;
    submit.focus();
    submit.click();
    await new Promise((r) => setTimeout(r, 30));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=join-error]')?.textContent).toContain('refused');
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('join-invite');
    el.remove();
    st.dispose();
  });
});

describe('<join-dialog> a long catch-up', () => {
  // A long party's history over a slow link stood at "Connecting…" for 17 s, with no word
  // of why: Go says how far the catch-up has come, and the dialog shows it.
  it('says how much of the history is in while the join catches up', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    let fail: (e: Error) => void = () => {};
    be.handlers.JoinParty = () => new Promise((_, reject) => (fail = reject));
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin();
    st.setJoinInvite(link);
    st.setJoinName('ann');
    await new Promise((r) => setTimeout(r, 20));
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    void st.submitJoin();
    await el.updateComplete;
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    expect(q('join-progress')?.textContent).toContain('Connecting to 192.0.2.2');
    be.emit('party:status', { status: 'connecting', attempt: 1, error: '', retry_ms: 0, history: { have: 12345, of: 40000 } });
    await el.updateComplete;
    const text = q('join-history')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(text).toBe("Catching up on the party's history… 12,345 of 40,000 events");
    expect(q('join-history')?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')).toBe('30');
    // A status with no catch-up (a retry) says connecting again.
    be.emit('party:status', { status: 'connecting', attempt: 2, error: 'refused', retry_ms: 500 });
    await el.updateComplete;
    expect(q('join-history')).toBeNull();
    expect(q('join-progress')?.textContent).toContain('Attempt 2');
    fail(new Error('The host refused this invite.'));
    await new Promise((r) => setTimeout(r, 5));
    el.remove();
    st.dispose();
  });
});

describe('<join-dialog> the name last joined under', () => {
  // A window tester's reopened window joined again under the settings' name, someone new.
  // The dialog could not say the role it rejoins with, only "the role you last had".
  const cases: Array<{ role: JoinedAs['role']; said: string }> = [
    { role: 'host', said: "You'll rejoin as Cleo (co-host)." },
    { role: 'participant', said: "You'll rejoin as Cleo (participant)." },
    { role: 'viewer', said: "You'll rejoin as Cleo (viewer)." },
    { role: '', said: "You'll rejoin as Cleo, with the role you last had." }, // a membership kept before roles were
  ];
  for (const c of cases) {
    it(`fills it in and says why: ${c.role || 'role not known'}`, async () => {
      const be = new FakeBackend();
      be.handlers.ClipboardInvite = async () => link;
      be.handlers.JoinName = async (): Promise<JoinedAs> => ({ name: 'Cleo', role: c.role });
      const st = new AppState(be, { checkDelayMs: 1 });
      await st.start();
      await st.openJoin();
      await new Promise((r) => setTimeout(r, 20));
      const el = document.createElement('join-dialog') as Dialog;
      el.state = st;
      document.body.append(el);
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=join-name]')!.value).toBe('Cleo');
      // Two short lines, not one long sentence with its exceptions (a window tester's). Not
      // "as the member you were" whatever the link: a user tester's watch-only link came back
      // as someone new (a viewer invite never brings back a participant's seat). Nor "with a
      // link of the same kind": another's, once a viewer, came back a viewer with the
      // participant link (the role a host last gave is kept).
      const lines = [...el.shadowRoot!.querySelectorAll('[data-testid=join-name-known] > span')].map((l) => l.textContent!.replace(/\s+/g, ' ').trim());
      expect(lines).toEqual([c.said, 'Not if a host removed you, or you took part and this link only watches. Another name joins as someone new.']);
      expect(el.shadowRoot!.querySelector('[data-testid=join-name-known-as] b')?.textContent).toBe('Cleo');
      st.setJoinName('Someone else');
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[data-testid=join-name-known]')).toBeNull();
      el.remove();
      st.dispose();
    });
  }
});

describe('<join-dialog> a chat message pasted', () => {
  // A window tester's two-invite message, pasted with Ctrl+V, showed its viewer link while
  // Join used the first.
  it('leaves its first link in an empty field, and a partial edit alone', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin();
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const ta = el.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid=join-invite]')!;
    const paste = (text: string) => {
      const ev = new Event('paste', { bubbles: true, cancelable: true, composed: true });
      Object.defineProperty(ev, 'clipboardData', { value: { getData: () => text } });
      ta.dispatchEvent(ev);
      return ev;
    };
    const viewer = link.replace('TgNMDR0', 'XgNMDR0');
    const ev = paste(`invite code: ${link}\nviewer invite: ${viewer}`);
    await el.updateComplete;
    expect(ev.defaultPrevented).toBe(true);
    expect(st.join.invite).toBe(link);
    ta.value = 'concordia://';
    ta.setSelectionRange(ta.value.length, ta.value.length);
    expect(paste(`see ${link}`).defaultPrevented).toBe(false); // typed there: the paste goes in as it is
    el.remove();
    st.dispose();
  });
});

// As Create's (home-screen): WebKitGTK, loaded, queues keys and clicks apart, so a click on
// Join could reach the page before the last keys of the name typed just before it, and join
// with what had landed. Join reads the dialog once the typing has settled.
describe('<join-dialog> Join clicked while typing is still arriving', () => {
  it('joins with the whole name, the keys that reach the field after the click included', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin();
    st.setJoinInvite(link);
    await new Promise((r) => setTimeout(r, 20));
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const q = <E extends HTMLElement>(id: string) => el.shadowRoot!.querySelector<E>(`[data-testid=${id}]`)!;
    const type = (text: string) => {
      q<HTMLInputElement>('join-name').value = text;
      q('join-name').dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    };
    type('ha');
    const down = new MouseEvent('mousedown', { bubbles: true, composed: true, cancelable: true });
    q('join-submit').dispatchEvent(down);
    expect(down.defaultPrevented).toBe(true); // the focus stays in the field, where the keys go
    q('join-dialog').dispatchEvent(new Event('submit', { cancelable: true }));
    for (const typed of ['haz', 'haze', 'hazel']) {
      await new Promise((r) => setTimeout(r, 20));
      type(typed);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS + 50));
    expect(be.count('JoinParty')).toBe(1);
    expect(be.calls.find(([n]) => n === 'JoinParty')?.[1][1]).toBe('hazel');
    el.remove();
    st.dispose();
  });
});

describe('<join-dialog> a link opened over the one shown', () => {
  // A window tester's participant link was swapped for a watch-only one without a word.
  it('says the link was replaced, and puts the previous one back on request', async () => {
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    const st = new AppState(be, { checkDelayMs: 1 });
    await st.start();
    await st.openJoin(link);
    st.setJoinName('gus');
    await new Promise((r) => setTimeout(r, 20));
    const el = document.createElement('join-dialog') as Dialog;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    expect(q('join-invite-replaced')).toBeNull();
    const other = link.replace('192.0.2.2', '192.0.2.9');
    be.emit('app:link', other);
    await new Promise((r) => setTimeout(r, 20));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid=join-invite]')!.value).toBe(other);
    expect(q('join-invite-replaced')?.textContent).toContain('The link was replaced by the one just opened');
    q('join-invite-restore')!.click();
    await new Promise((r) => setTimeout(r, 20));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid=join-invite]')!.value).toBe(link);
    expect(q('join-invite-replaced')).toBeNull();
    expect(el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=join-name]')!.value).toBe('gus');
    el.remove();
    st.dispose();
  });
});
