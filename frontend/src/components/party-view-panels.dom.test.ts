// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { AppState } from '../state/app-state';
import { AppState as State } from '../state/app-state';
import { FakeBackend, fakeSession } from '../state/fake-backend';
import { createReq, inParty } from '../state/party.test-helpers';
import { JOIN_BUTTON } from '../state/join';

import './dom.test-helpers'; // jsdom's missing matchMedia and ResizeObserver
await import('./party-view');
await import('./app-root');

type View = HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };

function windowSize(w: number, h: number): void {
  Object.defineProperty(window, 'innerWidth', { configurable: true, value: w });
  Object.defineProperty(window, 'innerHeight', { configurable: true, value: h });
  window.dispatchEvent(new Event('resize'));
}

async function hostView(): Promise<{ el: View; st: AppState }> {
  const { st } = await inParty('host');
  const el = document.createElement('party-view') as View;
  el.state = st;
  document.body.append(el);
  await el.updateComplete;
  return { el, st };
}

const $ = <T extends HTMLElement>(el: HTMLElement, testid: string) => el.shadowRoot!.querySelector<T>(`[data-testid="${testid}"]`)!;
const escape = () => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

describe('<party-view> size classes', () => {
  // The party screen came back with the wide layout at 800 px after a resize on the home
  // screen (WebKitGTK's stale @media): its size classes are read as it connects.
  it('has the narrow layout from the start in a window resized before it opened', async () => {
    windowSize(800, 600);
    const { el, st } = await hostView();
    expect(el.getAttribute('vw')).toContain('lt900');
    windowSize(1180, 720);
    expect(el.getAttribute('vw')).toBe('lt1400 lt1200');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> the People drawer and the Changes panel at 1180×720', () => {
  it('Escape closes the drawer, then the Changes panel; the drawer opens at its top', async () => {
    windowSize(1180, 720);
    const { el, st } = await hostView();
    const layout = () => el.shadowRoot!.querySelector('.layout')!;
    $(el, 'changes-toggle').click();
    await el.updateComplete;
    expect(st.workspace.open).toBe(true);

    // Scrolled down to Host controls the last time: it opens at People again.
    const aside = el.shadowRoot!.querySelector('aside')!;
    const scrolls: number[] = [];
    Object.defineProperty(aside, 'scrollTop', { configurable: true, get: () => 0, set: (v: number) => void scrolls.push(v) });
    $(el, 'panel-toggle').click();
    await el.updateComplete;
    await el.updateComplete;
    expect(layout().classList.contains('panel-open')).toBe(true);
    expect(scrolls).toContain(0);

    escape();
    await el.updateComplete;
    expect(layout().classList.contains('panel-open')).toBe(false);
    expect(st.workspace.open).toBe(true);
    // A second Escape closes the Changes panel (it did nothing: a tester's).
    escape();
    await el.updateComplete;
    expect(st.workspace.open).toBe(false);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> a tool request in a narrow window', () => {
  // A window tester's Allow and Deny sat under the Changes drawer at 640×480.
  it('closes a drawer over the conversation when a host has a request to decide, once', async () => {
    windowSize(640, 480);
    const { be, st } = await inParty('host');
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const layout = () => el.shadowRoot!.querySelector('.layout')!;
    $(el, 'changes-toggle').click();
    await el.updateComplete;
    expect(st.workspace.open).toBe(true);
    be.emit('party:event', { seq: 1, ts: '', kind: 'phase', phase: 'running' });
    await el.updateComplete;
    expect(st.workspace.open).toBe(true); // work alone does not close it
    be.emit('party:event', { seq: 2, ts: '', kind: 'phase', phase: 'awaiting_permission' });
    be.emit('party:event', { seq: 3, ts: '', kind: 'permission', permission: { id: 'r1', tool: 'Bash', summary: 'touch x', batch: 'b1', status: 'pending' } });
    await el.updateComplete;
    expect(st.workspace.open).toBe(false);
    // Opened again while the request waits: it stays.
    $(el, 'panel-toggle').click();
    await el.updateComplete;
    expect(layout().classList.contains('panel-open')).toBe(true);
    be.emit('party:event', { seq: 4, ts: '', kind: 'output', stream: 'tool', text: 'Bash: touch x\n' });
    await el.updateComplete;
    expect(layout().classList.contains('panel-open')).toBe(true);
    // A moment out of touch with the host is not a new request (a reviewer's closed again).
    be.emit('party:status', { status: 'reconnecting', attempt: 1, error: 'connection refused', retry_ms: 100 });
    await el.updateComplete;
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(layout().classList.contains('panel-open')).toBe(true);
    // Another request, while the first still waits: it goes.
    be.emit('party:event', { seq: 5, ts: '', kind: 'permission', permission: { id: 'r2', tool: 'Bash', summary: 'rm y', batch: 'b1', status: 'pending' } });
    await el.updateComplete;
    expect(layout().classList.contains('panel-open')).toBe(false);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> Escape while typing', () => {
  it('leaves a Changes column beside the prompt box open, and the focus in the text', async () => {
    windowSize(1180, 720);
    const { el, st } = await hostView();
    $(el, 'changes-toggle').click();
    await el.updateComplete;
    const box = document.createElement('textarea'); // stands for the prompt box's textarea
    el.shadowRoot!.append(box);
    box.focus();
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true }));
    await el.updateComplete;
    expect(st.workspace.open).toBe(true);
    escape(); // not typing: it closes
    await el.updateComplete;
    expect(st.workspace.open).toBe(false);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> focus after a confirmation', () => {
  it('goes back to /clear after its confirmation is cancelled with Escape', async () => {
    windowSize(1500, 900);
    const { el, st } = await hostView();
    const clear = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="agent-command"][data-command="/clear"]')!;
    clear.focus();
    clear.click();
    await el.updateComplete;
    await el.updateComplete;
    const dialog = $(el, 'command-dialog');
    expect(dialog).not.toBeNull();
    expect(el.shadowRoot!.activeElement).toBe($(el, 'command-cancel'));
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true }));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid="command-dialog"]')).toBeNull();
    expect(el.shadowRoot!.activeElement).toBe(clear);
    el.remove();
    st.dispose();
  });

  it('New invites… brings its question into view; Cancel gives the focus back to it', async () => {
    windowSize(1500, 900);
    const scrolled: Element[] = [];
    const spy = vi.fn(function (this: Element) {
      scrolled.push(this);
    });
    Element.prototype.scrollIntoView = spy;
    const { el, st } = await hostView();
    $(el, 'invites-rotate').click();
    await el.updateComplete;
    await el.updateComplete;
    await frame();
    expect(scrolled).toContain($(el, 'invites-confirm'));
    $(el, 'invites-confirm-no').focus();
    $(el, 'invites-confirm-no').click();
    await el.updateComplete;
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe($(el, 'invites-rotate'));
    el.remove();
    st.dispose();
  });

  // A tester removed bob and bob was back at once with the link he had: the hint had said
  // removing one keeps them out, where the Remove dialog (rightly) said a link still works.
  it('says that keeping one out takes removing them and new invites', async () => {
    windowSize(1500, 900);
    const { el, st } = await hostView();
    const hint = $(el, 'invites-rotate').parentElement!.querySelector('.hint')!.textContent!;
    expect(hint).toContain('To keep one out, remove them (here or under Away) and make new invites.');
    expect(hint).not.toMatch(/removing one[^.]*keeps them out/);
    el.remove();
    st.dispose();
  });
});

describe('<concordia-app> focus after Join', () => {
  it('goes back to "Join with an invite…" after Escape closes the dialog', async () => {
    windowSize(1180, 720);
    const be = new FakeBackend();
    be.handlers.ClipboardInvite = async () => '';
    const st = new State(be, { checkDelayMs: 1 });
    await st.start();
    const app = document.createElement('concordia-app') as View;
    app.state = st;
    document.body.append(app);
    await app.updateComplete;
    const home = app.shadowRoot!.querySelector('home-screen') as View;
    await home.updateComplete;
    const join = $(home, 'home-join');
    expect(join.textContent?.trim()).toBe(JOIN_BUTTON); // what a notice about a kept link names
    join.focus();
    join.click();
    await new Promise((r) => setTimeout(r, 10));
    await app.updateComplete;
    const dialog = app.shadowRoot!.querySelector('join-dialog') as View;
    expect(dialog).not.toBeNull();
    await dialog.updateComplete;
    expect(home.shadowRoot!.activeElement).toBeNull(); // the dialog has it
    escape();
    await app.updateComplete;
    expect(app.shadowRoot!.querySelector('join-dialog')).toBeNull();
    expect(home.shadowRoot!.activeElement).toBe(join);
    app.remove();
    st.dispose();
  });
});

describe('<concordia-app> behind a dialog of the party view', () => {
  // With a tester's Leave dialog open, Tab reached the toasts' and the tray note's Dismiss.
  it("keeps the toasts' and the tray note's buttons out of the keyboard's reach", async () => {
    windowSize(1180, 720);
    const be = new FakeBackend();
    const boot = be.handlers.Boot;
    be.handlers.Boot = async () => ({ ...(await boot()), tray: { available: false, reason: 'No system tray here.' } });
    be.handlers.CreateParty = async () => fakeSession('host');
    const st = new State(be, { checkDelayMs: 1, attentive: () => true });
    await st.start();
    expect(await st.createParty(createReq)).toBe(true);
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    st.notify('error', 'Something went wrong.');
    const app = document.createElement('concordia-app') as View;
    app.state = st;
    document.body.append(app);
    await app.updateComplete;
    const view = app.shadowRoot!.querySelector('party-view') as View;
    await view.updateComplete;
    const note = () => $(app, 'tray-note');
    const dismiss = () => $(app, 'notice-dismiss');
    expect(note().hasAttribute('inert')).toBe(false);
    expect(dismiss().tabIndex).toBe(0);

    $(view, 'end-party').click();
    await view.updateComplete;
    await app.updateComplete;
    expect(view.shadowRoot!.querySelector('[data-testid=end-party-dialog]')).not.toBeNull();
    expect(note().hasAttribute('inert')).toBe(true);
    expect(dismiss().tabIndex).toBe(-1);

    $(view, 'end-party-cancel').click();
    await view.updateComplete;
    await app.updateComplete;
    expect(note().hasAttribute('inert')).toBe(false);
    expect(dismiss().tabIndex).toBe(0);
    app.remove();
    st.dispose();
  });
});

// Save as Markdown was offered only once the party ended (a window tester's): the side
// panel offers the transcript so far while it runs.
describe('<party-view> Save as Markdown while the party runs', () => {
  it('saves the transcript so far and says where', async () => {
    const { st, be } = await inParty('participant');
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const btn = $<HTMLButtonElement>(el, 'save-transcript-running');
    expect(btn).not.toBeNull();
    btn.click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(be.count('SaveTranscript')).toBe(1);
    expect(st.notices.at(-1)?.text).toBe('Saved the transcript to /home/ann/party.md');
    el.remove();
    st.dispose();
  });
});

// A window tester: Ctrl-+ / Ctrl-= / Ctrl-- / Ctrl-0 did nothing, and Settings had no text
// size. The keys work wherever the focus is, Settings shows the size with a reset, and the
// page's font sizes follow (--zoom).
describe('<concordia-app> text size', () => {
  it('Ctrl and +, - or 0 change it anywhere; Settings shows it and resets it', async () => {
    windowSize(1180, 720);
    const be = new FakeBackend();
    const st = new State(be, { checkDelayMs: 1 });
    await st.start();
    const app = document.createElement('concordia-app') as View;
    app.state = st;
    document.body.append(app);
    await app.updateComplete;
    const zoom = () => document.documentElement.style.getPropertyValue('--zoom');
    const press = (key: string, target: EventTarget = document.body) => {
      const e = new KeyboardEvent('keydown', { key, ctrlKey: true, bubbles: true, composed: true, cancelable: true });
      target.dispatchEvent(e);
      return e.defaultPrevented;
    };
    const settled = async () => {
      await new Promise((r) => setTimeout(r, 0));
      await app.updateComplete;
    };
    expect(press('=')).toBe(true); // not the browser's own zoom
    await settled();
    expect(zoom()).toBe('1.1');
    press('+');
    await settled();
    expect(zoom()).toBe('1.25');
    // From inside the settings panel's shadow root too.
    st.openSettings();
    await settled();
    const panel = app.shadowRoot!.querySelector('settings-panel') as View;
    await panel.updateComplete;
    const q = (id: string) => panel.shadowRoot!.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!;
    expect(q('settings-zoom').textContent).toBe('125%');
    press('-', q('settings-zoom-in'));
    await settled();
    await panel.updateComplete;
    expect(q('settings-zoom').textContent).toBe('110%');
    expect(zoom()).toBe('1.1');
    q('settings-zoom-reset').click();
    await settled();
    await panel.updateComplete;
    expect(q('settings-zoom').textContent).toBe('100%');
    expect(q('settings-zoom-reset').disabled).toBe(true);
    expect(zoom()).toBe('1');
    for (let i = 0; i < 3; i++) {
      q('settings-zoom-out').click();
      await settled();
      await panel.updateComplete;
    }
    expect(q('settings-zoom').textContent).toBe('80%');
    expect(q('settings-zoom-out').disabled).toBe(true);
    press('0');
    await settled();
    expect(zoom()).toBe('1');
    expect(be.calls.filter(([n]) => n === 'SetZoom').map(([, a]) => a[0])).toEqual([110, 125, 110, 100, 90, 80, 100]);
    // Typing = or 0 without Ctrl is text.
    const plain = new KeyboardEvent('keydown', { key: '=', bubbles: true, cancelable: true });
    document.body.dispatchEvent(plain);
    expect(plain.defaultPrevented).toBe(false);
    app.remove();
  });
});
