// <time-left>: a countdown to a deadline ("1:45"), ticking once a second while it is
// shown. It stops at "0:00" (what happens then is for the party to say).

import { LitElement, css, html } from 'lit';
import { formatTimeLeft } from './format';
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
