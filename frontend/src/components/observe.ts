// StateObserver re-renders a component whenever AppState changes. It
// subscribes while the component is connected and lets go when it is removed,
// so a closed dialog or a left party keeps no listener behind.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AppState } from '../state/app-state';

/** A component that has an AppState to observe. */
export type StateHost = ReactiveControllerHost & { state?: AppState };

/** Subscribes its host to its host's `state` property. */
export class StateObserver implements ReactiveController {
  readonly #host: StateHost;
  #watched: AppState | undefined;
  #off: (() => void) | undefined;
  #connected = false;

  constructor(host: StateHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.#follow();
  }

  // The state property may be set or replaced after connection. A removed component can
  // still update (one already asked for): it must not subscribe again then. A party view
  // left behind by Leave did, and took the withdrawn prompt meant for the new view's
  // prompt box (a tester's: the box stayed empty after leaving and joining again).
  hostUpdate(): void {
    if (this.#connected) this.#follow();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#off?.();
    this.#off = undefined;
    this.#watched = undefined;
  }

  #follow(): void {
    const s = this.#host.state;
    if (s === this.#watched) return;
    this.#off?.();
    this.#watched = s;
    this.#off = s?.subscribe(() => this.#host.requestUpdate());
  }
}
