// <markdown-view>: agent text rendered as sanitised Markdown. The only place
// HTML produced from peer or agent text enters the DOM, and it enters only
// after renderMarkdown (marked without raw HTML, then DOMPurify).
//
// A streaming reply is rendered incrementally (render/incremental.ts): completed
// blocks are rendered once and their DOM kept; only the growing tail changes.

import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { CUT_CLASS, IncrementalMarkdown } from '../render/incremental';
import { CELL_BREAK_CLASS, CELL_SHORT_CLASS, HTML_BLOCK_CLASS } from '../render/markdown';
import { base, codeTokens } from './styles';

/** A growing tail longer than this (a huge code block or list, or a paragraph render/cut.ts finds no place to cut) is re-rendered at most every TAIL_EVERY_MS. */
const TAIL_THROTTLE_CHARS = 8192;
const TAIL_EVERY_MS = 120;
/**
 * After a render that took c ms, the next waits until COST_FACTOR × c ms have passed (at
 * most MAX_WAIT_MS): re-rendering a streaming reply then takes at most about a tenth of the
 * main thread however slow its parsing is. In WebKitGTK a growing paragraph of a few KB took
 * tens of milliseconds a delta (marked's regular expressions run in JavaScriptCore's
 * interpreter there, which maps and unmaps memory per match), so 10 deltas a second kept
 * the window busy and typing fell behind. (A factor of 4 left it at 55-75% of a CPU, 9 at
 * 35-55%; docs/PERFORMANCE.md.)
 */
const COST_FACTOR = 9;
const MAX_WAIT_MS = 1000;

export class MarkdownView extends LitElement {
  static override properties = { text: { attribute: false }, final: { attribute: false } };
  declare text: string;
  /**
   * The text does not grow any more (its turn ended, or its output moved on): it is rendered
   * at once. Put off like a streaming reply's, its last words appeared after the turn's card
   * said "Stopped" (a tester).
   */
  declare final: boolean;
  readonly #md = new IncrementalMarkdown();
  /** When the last render started, and how long it took (to its DOM in place). */
  #renderedAt = 0;
  #cost = 0;
  #deferred: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.text = '';
    this.final = false;
  }

  static override styles = [
    base,
    codeTokens,
    css`
      :host { display: block; font-size: calc(14px * var(--zoom, 1)); line-height: 1.6; overflow-wrap: anywhere; }
      .md > :first-child { margin-top: 0; }
      .md > :last-child { margin-bottom: 0; }
      p, ul, ol, blockquote, pre, table { margin: 0 0 10px; }
      /* A very long paragraph cut into blocks (render/incremental.ts) reads as one, with a line break at each cut. */
      .${unsafeCSS(CUT_CLASS)} > p:last-child { margin-bottom: 0; }
      /* A block of raw HTML, shown as text: a paragraph that keeps its lines. */
      p.${unsafeCSS(HTML_BLOCK_CLASS)} { white-space: pre-wrap; }
      h1, h2, h3, h4, h5, h6 { margin: 16px 0 8px; line-height: 1.3; }
      h1 { font-size: 1.35em; } h2 { font-size: 1.2em; } h3 { font-size: 1.08em; } h4, h5, h6 { font-size: 1em; }
      ul, ol { padding-left: 22px; }
      li + li { margin-top: 3px; }
      blockquote { border-left: 3px solid var(--border-strong); padding: 2px 12px; color: var(--muted); }
      hr { border: 0; border-top: 1px solid var(--border); margin: 14px 0; }
      code { font-family: var(--font-mono); font-size: 0.88em; background: var(--code-bg); border: 1px solid var(--border); border-radius: 4px; padding: 1px 5px; }
      /* The code scrolls sideways inside the box, not the box: the language label is the box's,
         so it stays at the top right while a long line scrolls (it moved with the text, a
         window tester's "GO" half-way along the line). */
      pre.code {
        position: relative; background: var(--code-bg); border: 1px solid var(--border); border-radius: 8px;
        padding: 0; overflow: hidden; line-height: 1.5;
      }
      pre.code code {
        tab-size: 4; background: none; border: 0; border-radius: 0; padding: 12px 14px; font-size: calc(12.5px * var(--zoom, 1)); white-space: pre; display: block;
        overflow-x: auto;
      }
      /* A scrollbar drawn at all times under a line too long for the box: WebKitGTK's overlay
         one showed only while scrolling, so a long line looked cut off (a window tester's).
         Styled, it is a classic one in WebKit and Chromium, with room of its own. */
      pre.code code::-webkit-scrollbar { height: 10px; }
      pre.code code::-webkit-scrollbar-track { background: transparent; }
      pre.code code::-webkit-scrollbar-thumb { background: var(--border-strong); border-radius: 5px; border: 2px solid var(--code-bg); }
      .code-lang { position: absolute; top: 6px; right: 10px; z-index: 1; font-size: calc(10.5px * var(--zoom, 1)); color: var(--faint); font-family: var(--font-ui); text-transform: uppercase; letter-spacing: 0.06em; pointer-events: none; }
      /* The label has a row of its own above the code: on a long first line it sat on the code's text. */
      pre.code .code-lang + code { padding-top: 26px; }
      table { border-collapse: collapse; display: block; overflow-x: auto; }
      th, td { border: 1px solid var(--border); padding: 5px 10px; text-align: left; }
      /* As the table's Markdown aligns its columns (|--:|, |:-:|). */
      th[align='right'], td[align='right'] { text-align: right; }
      th[align='center'], td[align='center'] { text-align: center; }
      /* Short code in a narrow column stays whole (it broke as "co / de"); the table scrolls. */
      td code, th code { overflow-wrap: normal; white-space: nowrap; }
      /* A cell breaks a word only when it must (break-word does not count toward its
         narrowest width, anywhere does): short cells beside long text kept one letter a
         line, "end" as e / n / d (a tester). A short cell (render/markdown.ts) keeps to one
         line, so a short column keeps its width; a cell with a long unbroken word may break
         it anywhere, so a 200-character one no longer makes the table as wide as itself (it
         squeezed "Col A" onto two lines and pushed a centred column out of view: a tester's).
         What is still too wide scrolls inside the table's own box. */
      th, td { overflow-wrap: break-word; }
      th.${unsafeCSS(CELL_SHORT_CLASS)}, td.${unsafeCSS(CELL_SHORT_CLASS)} { white-space: nowrap; }
      th.${unsafeCSS(CELL_BREAK_CLASS)}, td.${unsafeCSS(CELL_BREAK_CLASS)} { overflow-wrap: anywhere; min-width: 12ch; }
      th { background: var(--surface-2); }
      .md-link { text-decoration: underline dotted; text-underline-offset: 2px; }
      .md-href { color: var(--muted); font-size: 0.92em; }
      .md-image { color: var(--muted); font-style: italic; }

    `,
  ];

  /**
   * A streaming reply is rendered again at most as often as its cost allows (COST_FACTOR),
   * and a long growing tail at most every TAIL_EVERY_MS; the last text is always rendered,
   * and a final one at once.
   */
  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (!changed.has('text') || this.final) {
      clearTimeout(this.#deferred); // this render shows the last text
      this.#deferred = undefined;
      return true;
    }
    let gap = this.#cost * COST_FACTOR;
    if (this.#md.tailLength(this.text) >= TAIL_THROTTLE_CHARS) gap = Math.max(gap, TAIL_EVERY_MS);
    const wait = this.#renderedAt + this.#cost + Math.min(gap, MAX_WAIT_MS) - performance.now();
    if (wait <= 0) return true;
    this.#deferred ??= setTimeout(() => {
      this.#deferred = undefined;
      this.requestUpdate();
    }, wait);
    return false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A render put off when it was taken out (moved in the DOM) is asked for again: the
    // text may not change any more, and the last of it would never show.
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#deferred);
    this.#deferred = undefined;
    super.disconnectedCallback();
  }

  protected override updated(): void {
    this.#cost = performance.now() - this.#renderedAt;
  }

  override render() {
    this.#renderedAt = performance.now();
    // Each block's HTML comes from renderMarkdown (sanitised); unsafeHTML keeps a block's
    // DOM as long as its string is the same.
    const r = this.#md.update(this.text);
    return html`<div class="md">${repeat(r.blocks, (b) => b.key, (b) => unsafeHTML(b.html))}${r.tail ? unsafeHTML(r.tail) : nothing}</div>`;
  }
}

customElements.define('markdown-view', MarkdownView);
