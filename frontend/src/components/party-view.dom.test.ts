// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { AppState } from '../state/app-state';
import { inParty } from '../state/party.test-helpers';
import { joined } from '../state/events.test-helpers';

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
