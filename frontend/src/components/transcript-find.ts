// <transcript-find>: the find bar over the transcript (Ctrl+F). It holds what is typed and
// says how many times the transcript holds it; the transcript view finds the matches
// (state/transcript-search.ts) and brings each into view. Events: find-query (detail: the
// text), find-step (detail: 1 for the next match, -1 for the one before), find-close.

import { LitElement, css, html } from 'lit';
import { base } from './styles';
import { iconArrowDown, iconArrowUp, iconSearch, iconX } from './icons';

export class TranscriptFind extends LitElement {
  static override properties = { query: { attribute: false }, count: { attribute: false }, at: { attribute: false } };
  /** What is typed. */
  declare query: string;
  /** How many matches there are. */
  declare count: number;
  /** Which of them is shown (0-based); -1 for none. */
  declare at: number;

  constructor() {
    super();
    this.query = '';
    this.count = 0;
    this.at = -1;
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      .bar {
        display: flex; align-items: center; gap: 4px; padding: 4px 4px 4px 10px; border-radius: var(--radius-sm);
        background: var(--surface); border: 1px solid var(--border-strong); box-shadow: var(--shadow-lg);
      }
      .bar > svg { flex: none; color: var(--faint); }
      input { width: 220px; min-width: 0; flex: 1; border: 0; background: transparent; padding: 4px 2px; font: inherit; color: inherit; outline: none; }
      /* Wide enough for "9999 of 99999": the field kept changing width as the count grew (a tester's). */
      .count { flex: none; min-width: 13ch; text-align: right; font-size: calc(12px * var(--zoom, 1)); color: var(--muted); font-variant-numeric: tabular-nums; }
      .count.none { color: var(--danger); }
    `,
  ];

  /** Focuses the field, its text selected (Ctrl+F again selects what was typed, as a browser's find bar does). */
  focusField(): void {
    const input = this.renderRoot.querySelector('input');
    input?.focus();
    input?.select();
  }

  #emit(name: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** On the whole bar: Escape from its buttons too (else the party view's took it, and closed a drawer). */
  #onKey = (e: KeyboardEvent): void => {
    if (e.isComposing) return;
    const inField = e.composedPath()[0] instanceof HTMLInputElement;
    if ((e.key === 'Enter' && inField) || e.key === 'F3') {
      e.preventDefault();
      this.#emit('find-step', e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation(); // not also the party view's (a drawer it would close)
      this.#emit('find-close');
    }
  };

  override render() {
    const typed = this.query.trim() !== '';
    const none = typed && this.count === 0;
    const words = !typed ? '' : none ? 'No matches' : `${this.at + 1} of ${this.count}`;
    return html`<div class="bar" role="search" data-testid="find-bar" @keydown=${this.#onKey}>
      ${iconSearch()}
      <input type="text" data-testid="find-input" aria-label="Find in the conversation" placeholder="Find in the conversation" .value=${this.query}
        autocomplete="off" spellcheck="false"
        @input=${(e: Event) => this.#emit('find-query', (e.target as HTMLInputElement).value)} />
      <span class="count ${none ? 'none' : ''}" data-testid="find-count" aria-live="polite">${words}</span>
      <button class="ghost icon small" data-testid="find-prev" aria-label="Previous match" title="Previous match (Shift+Enter)" ?disabled=${this.count === 0}
        @click=${() => this.#emit('find-step', -1)}>${iconArrowUp()}</button>
      <button class="ghost icon small" data-testid="find-next" aria-label="Next match" title="Next match (Enter)" ?disabled=${this.count === 0}
        @click=${() => this.#emit('find-step', 1)}>${iconArrowDown()}</button>
      <button class="ghost icon small" data-testid="find-close" aria-label="Close the find bar" title="Close (Esc)" @click=${() => this.#emit('find-close')}>${iconX()}</button>
    </div>`;
  }
}
customElements.define('transcript-find', TranscriptFind);

declare global {
  interface HTMLElementTagNameMap {
    'transcript-find': TranscriptFind;
  }
}
