// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { AppState } from '../state/app-state';
import { inParty } from '../state/party.test-helpers';
import { joined, prompt } from '../state/events.test-helpers';

// jsdom has no matchMedia (every drawer query answers "no": a wide window), nor the
// ResizeObserver the transcript measures rows with.
window.matchMedia ??= ((query: string) =>
  ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }) as unknown as MediaQueryList);
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
} as unknown as typeof ResizeObserver;
await import('./party-view');

type View = HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };

describe('<party-view> removing someone', () => {
  it('says what the invites do in words true before and after New invites', async () => {
    const { be, st } = await inParty('host');
    be.emit('party:event', joined(1, { id: 'm2', name: 'bob', role: 'participant' }));
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-name=bob] [data-testid=member-kick]')!.click();
    await el.updateComplete;
    const text = el.shadowRoot!.querySelector('[data-testid=kick-dialog] .body p')!.textContent!.replace(/\s+/g, ' ');
    // "The invite still lets people in" read as if nothing could be done, also right after New invites.
    expect(text).not.toMatch(/The invite still lets people in/);
    expect(text).toMatch(/Anyone with a current invite link can still join, bob too if they have one/);
    expect(text).toMatch(/New invites makes the links given out so far stop working/);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> ending the party', () => {
  const dialog = (el: View) => el.shadowRoot!.querySelector('[data-testid=end-party-dialog]');

  // The tray's End party… used to end the party at once; it now brings the window forward
  // and asks here, as the window's own button does.
  it("opens the End party dialog when the tray asks, focused on Keep going; Keep going keeps the party", async () => {
    const { be, st } = await inParty('host');
    let ended = 0;
    be.handlers.EndParty = async () => void ended++;
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    expect(dialog(el)).toBeNull();

    be.emit('tray:end-party', null);
    await el.updateComplete;
    expect(dialog(el)).not.toBeNull();
    expect(el.shadowRoot!.querySelector('[data-testid=end-party-unsent]')).toBeNull(); // nothing waits
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('end-party-cancel');
    expect(ended).toBe(0);

    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=end-party-cancel]')!.click();
    await el.updateComplete;
    expect(dialog(el)).toBeNull();
    expect(ended).toBe(0);
    expect(st.ended).toBeNull();

    // Asked again, and confirmed: now it ends, and the dialog goes.
    be.emit('tray:end-party', null);
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=end-party-confirm]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(ended).toBe(1);
    expect(dialog(el)).toBeNull();
    el.remove();
    st.dispose();
  });
});

describe('<party-view> ending with prompts waiting', () => {
  it('says how many waiting prompts are not sent', async () => {
    const { be, st } = await inParty('host');
    be.emit('party:event', prompt(1, { id: 'p1', user: 'bob', member: 'm2', text: 'one' }));
    be.emit('party:event', prompt(2, { id: 'p2', user: 'bob', member: 'm2', text: 'two' }));
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    st.askEnd();
    await el.updateComplete;
    const unsent = el.shadowRoot!.querySelector('[data-testid=end-party-unsent]');
    expect(unsent?.textContent?.replace(/\s+/g, ' ').trim()).toBe('2 waiting prompts are not sent. Everyone is told which; resuming this party from the home screen queues them again.');
    el.remove();
    st.dispose();
  });
});
