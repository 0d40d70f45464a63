// <phase-pill>: the pipeline phase, with a live countdown while prompts are
// being collected. It ticks on its own timer only while a deadline is set.

import { LitElement, css, html } from 'lit';
import { phaseLabel } from '../state/format';
import { exitWords } from '../render/stderr';
import { base } from './styles';
import { Ticker } from './ticker';

export class PhasePill extends LitElement {
  static override properties = {
    phase: { attribute: false },
    deadline: { attribute: false },
    needed: { attribute: false },
    trouble: { attribute: false },
    since: { attribute: false },
  };
  declare phase: string;
  /** Local ms when the window closes, or null. */
  declare deadline: number | null;
  /** Prompts still needed before a batch is cut. */
  declare needed: number;
  /** Why the agent is not running (phases agent_down, agent_restarts): the pill's tooltip says it. */
  declare trouble: string;
  /** Local ms when the phase began, or null: merging and running say how long so far. */
  declare since: number | null;

  constructor() {
    super();
    this.phase = 'idle';
    this.deadline = null;
    this.needed = 0;
    this.trouble = '';
    this.since = null;
    new Ticker(this, 200, () => this.deadline !== null || this.#timed());
  }

  static override styles = [
    base,
    css`
      /* No percentage widths inside: WebKitGTK sized the host from them to "Id…" beside a long
         party name (a tester's); the header caps the pill's width. */
      :host { display: inline-flex; min-width: 0; }
      .pill { font-variant-numeric: tabular-nums; min-width: 0; }
      /* A narrow header shortens the label rather than pushing things out of the window. */
      .text { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .idle { color: var(--muted); }
      .collecting { color: var(--warn); background: var(--warn-soft); border-color: transparent; }
      .merging, .awaiting_approval, .awaiting_permission { color: var(--accent); background: var(--accent-soft); border-color: transparent; }
      .agent_down { color: var(--danger); background: var(--danger-soft); border-color: transparent; }
      .running { color: var(--ok); background: var(--ok-soft); border-color: transparent; }
      .running .dot, .merging .dot { animation: pulse 1.2s ease-in-out infinite; }
      @keyframes pulse { 50% { opacity: 0.3; } }
    `,
  ];

  /** Whether the pill shows how long the phase has lasted. */
  #timed(): boolean {
    return this.since !== null && TIMED.has(this.phase);
  }

  override render() {
    let extra = '';
    if (this.#timed()) {
      // Whole seconds, from the first: "Merging · 3 s", "Agent working · 1 min 05 s".
      const s = Math.floor(Math.max(0, Date.now() - this.since!) / 1000);
      if (s >= 1) extra = ` · ${s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`}`;
    }
    if (this.phase === 'collecting') {
      if (this.needed > 0) extra = ` · waiting for ${this.needed} more`;
      else if (this.deadline !== null) {
        const left = Math.max(0, this.deadline - Date.now());
        extra = left > 0 ? ` · ${(left / 1000).toFixed(1)} s` : ' · now';
      }
    }
    const title = (this.phase === 'agent_down' || this.phase === 'agent_restarts') && this.trouble ? exitWords(this.trouble) : phaseLabel(this.phase) + extra;
    return html`<span class="pill ${this.phase}" data-testid="party-phase" data-phase=${this.phase}
      title=${title}
      ><span class="dot"></span><span class="text">${phaseLabel(this.phase)}<span data-testid="party-countdown">${extra}</span></span></span
    >`;
  }
}

/** The phases whose pill says how long they have lasted. */
const TIMED = new Set(['merging', 'running']);

customElements.define('phase-pill', PhasePill);
