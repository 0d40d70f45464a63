// Ticker: re-renders its component on an interval while the component says it should
// (a countdown that is running), and not otherwise; it stops when the component leaves
// the page.

import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class Ticker implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #ms: number;
  readonly #active: () => boolean;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Re-renders host every ms milliseconds while active() is true (checked after each render). */
  constructor(host: ReactiveControllerHost, ms: number, active: () => boolean) {
    this.#host = host;
    this.#ms = ms;
    this.#active = active;
    host.addController(this);
  }

  hostConnected(): void {
    this.hostUpdated();
  }

  hostUpdated(): void {
    const on = this.#active();
    if (on && !this.#timer) this.#timer = setInterval(() => this.#host.requestUpdate(), this.#ms);
    if (!on) this.#stop();
  }

  hostDisconnected(): void {
    this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
