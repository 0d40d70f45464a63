// <time-left>: a countdown to a deadline ("1:45"), ticking once a second while it is
// shown. It stops at "0:00" (what happens then is for the party to say).

import { LitElement, css, html } from 'lit';
import { formatTimeLeft } from './format';

export class TimeLeft extends LitElement {
  static override properties = { deadline: { attribute: false } };
  /** Local ms of the deadline. */
  declare deadline: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.deadline = 0;
  }

  static override styles = css`
    :host { font-variant-numeric: tabular-nums; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#start();
  }

  /** A deadline moved later (a better clock estimate) ticks again. */
  override updated(): void {
    if (this.deadline > Date.now()) this.#start();
  }

  #start(): void {
    this.#timer ??= setInterval(() => {
      this.requestUpdate();
      if (this.deadline <= Date.now()) this.#stop();
    }, 1000);
  }

  override disconnectedCallback(): void {
    this.#stop();
    super.disconnectedCallback();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  override render() {
    return html`${formatTimeLeft(this.deadline - Date.now())}`;
  }
}

customElements.define('time-left', TimeLeft);
