// <time-left>: a countdown to a deadline ("1:45"), ticking once a second while it is
// shown. It stops at "0:00" (what happens then is for the party to say).

import { LitElement, css, html } from 'lit';
import { formatTimeLeft } from '../state/format';
import { Ticker } from './ticker';

export class TimeLeft extends LitElement {
  static override properties = { deadline: { attribute: false } };
  /** Local ms of the deadline. */
  declare deadline: number;

  constructor() {
    super();
    this.deadline = 0;
    // A deadline that moves later (a better clock estimate) ticks again.
    new Ticker(this, 1000, () => this.deadline > Date.now());
  }

  static override styles = css`
    :host { font-variant-numeric: tabular-nums; }
  `;

  override render() {
    return html`${formatTimeLeft(this.deadline - Date.now())}`;
  }
}

customElements.define('time-left', TimeLeft);

/**
 * <retry-in>: "Next try in 12 s.", counting down once a second to the reconnect attempt at
 * deadline, then "Trying to reach the host…" (the attempt itself may take a while). It
 * showed the backoff step ("15.0 s") and never moved. A <time-left> that says it in words
 * (deadline: local ms of the next attempt).
 */
export class RetryIn extends TimeLeft {
  static override styles = css`
    .num { font-variant-numeric: tabular-nums; }
  `;

  override render() {
    const left = Math.ceil((this.deadline - Date.now()) / 1000);
    return left > 0
      ? html`Next try in <span class="num">${left}</span> s.`
      : html`Trying to reach the host…`;
  }
}

customElements.define('retry-in', RetryIn);
