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

  constructor(host: StateHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.#follow();
  }

  // The state property may be set or replaced after connection.
  hostUpdate(): void {
    this.#follow();
  }

  hostDisconnected(): void {
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
