// @vitest-environment jsdom
import { LitElement, html } from 'lit';
import { describe, expect, it } from 'vitest';
import type { AppState } from '../state/app-state';
import { StateObserver } from './observe';

class Watcher extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  constructor() {
    super();
    new StateObserver(this);
  }
  override render() {
    return html`watching`;
  }
}
customElements.define('observe-test-watcher', Watcher);

/** A state that counts its subscribers. */
function fakeState() {
  const listeners = new Set<() => void>();
  const state = { subscribe: (fn: () => void) => (listeners.add(fn), () => listeners.delete(fn)) } as unknown as AppState;
  return { state, listeners };
}

describe('StateObserver', () => {
  it('subscribes while connected, and a removed component that updates does not subscribe again', async () => {
    const { state, listeners } = fakeState();
    const el = document.createElement('observe-test-watcher') as Watcher;
    el.state = state;
    document.body.append(el);
    await el.updateComplete;
    expect(listeners.size).toBe(1);
    el.remove();
    expect(listeners.size).toBe(0);
    // An update after its removal (one it had asked for, or a property set): it used to
    // subscribe again, and so took what was meant for the component that replaced it.
    el.requestUpdate();
    await el.updateComplete;
    expect(listeners.size).toBe(0);
    document.body.append(el);
    await el.updateComplete;
    expect(listeners.size).toBe(1);
    el.remove();
  });
});
