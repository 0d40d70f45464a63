// <transcript-view>: the party's transcript. Prompts, batches with the agent's
// streaming reply (Markdown), compact tool activity, notices and turn ends.
// It follows new output until the person scrolls up, and offers a way back.
//
// At scale (a 10,000-event party) it renders only the items on screen plus a margin
// (render/virtual-window.ts: measured heights, spacers for the rest), and each rendered
// item only when its item (replaced, never mutated, by the state module) or what it shows
// about the party changed (guard).

import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { HeightIndex, visibleRange } from '../render/virtual-window';
import { exitWords, splitStderr } from '../render/stderr';
import type { AppState } from '../state/app-state';
import { deniedWords, doneWords, turnRequests } from '../state/turn-end';
import { showBidi } from '../state/bidi';
import { HOST_STOPPED, asText, firstWaitingCard, lastOutputSegment, type MembersItem, type NoticeItem, type NoticeSegment, type PromptItem, type Segment, type TranscriptItem, type TurnItem, type WaitingCard } from '../state/transcript';
import { StateObserver } from './observe';
import { ViewportController } from './viewport';
import { base } from './styles';
import { count, formatClock, formatCutTurnTime, formatTurnTime, initials, nameHue } from '../state/format';
import { iconAlert, iconArrowDown, iconArrowUp, iconCheck, iconChevron, iconFolder, iconMerge, iconStop, iconX } from './icons';
import './markdown-view';
import './activity-group';
import './transcript-find';
import type { TranscriptFind } from './transcript-find';
import { NOTHING_FOUND, findInTranscript, firstMatchFrom, matchAt, matchCount, matchOf, warmFind, type Found } from '../state/transcript-search';
import { findAllText, highlight, refold, settled, unfold } from '../render/find-in-dom';
import { seenIn } from '../render/in-view';
import './cards';
import type { ApprovalCard, PermissionCard } from './cards';
import { NO_READER, editedByWords, errorWords, failedWords, rejectedBy, interruptedWords, stoppedWords, membersWords, noticeWords, recallTitle, recallWords, unaskedWords, NOT_RUN_AGAIN, NOT_RUN_AGAIN_WORDS, RESUMED_WITHOUT, TURN_FILES_OPEN, TURN_FILES_SHOWN } from '../state/shown-words';
import { filePath } from './changes-panel';

/** How close to the bottom (px) still counts as "at the bottom". */
const STICK_PX = 48;
/**
 * While a query is typed, the view goes to its match once the typing pauses this long (ms):
 * each move renders the rows around the match, and in a long party keys typed meanwhile
 * waited behind it (a tester's click on Next, with keys still waiting, sent them to the
 * button: "section 17 of" became "section 17"). The count follows every key.
 */
const TYPING_PAUSE_MS = 120;
/** How many times a reveal brings the match back into place as what is around it settles. */
const REVEAL_ROUNDS = 4;
/** How many times a reveal aims at its item again when the rows rendered around it moved it out. */
const REVEAL_TRIES = 6;

/** Two animation frames: what was rendered is laid out, and its ResizeObserver told. */
const twoFrames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
/** The room under an item, inside its row (the rows are measured with it). */
const ROW_GAP_PX = 12;

/**
 * The room the find bar takes over the transcript's top while it is open (its 8 px from the
 * top, its height, a gap): the transcript starts below it, or the bar covered the first line
 * (a window tester's).
 */
const FIND_BAR_ROOM_PX = 44;

/** While the find bar is open and the transcript changes, it finds again at most this often (ms). */
const REFIND_MS = 250;
/** How long one slice of reading the replies ahead of the typing takes at most (#warm). */
const WARM_SLICE_MS = 8;
/** An item's height before it is measured (px, with the gap below it). */
const ESTIMATE_PX = 140;
/** Rendered beyond the visible part, above and below (px). */
const MARGIN_PX = 900;

/** Keys that scroll a scrolling box, unless a control or a text field has them. */
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);

/**
 * Whether a key pressed in the transcript scrolls it: not one a field takes (arrows move
 * its caret), nor Space on a button, a link or a summary (it presses them). The arrows,
 * Page Up/Down, Home and End on a focused button do scroll.
 */
function scrollsTheTranscript(e: KeyboardEvent): boolean {
  if (!SCROLL_KEYS.has(e.key)) return false;
  const at = e.composedPath()[0];
  if (!(at instanceof HTMLElement)) return true;
  if (at.isContentEditable || at.closest('input, textarea, select') !== null) return false;
  return !(e.key === ' ' && at.closest('button, a[href], summary') !== null);
}


/** The host's notice when its owner ends the party (internal/host: Host.Shutdown). */

/** What a search found depends on: the transcript, and what of it is shown more (a step's whole output, more files). */
function findVersion(s: AppState): string {
  return `${s.transcriptVersion}/${s.shownMore.version}`;
}

export class TranscriptView extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  #stick = true;
  #lastTop = 0;
  /** When the person last used the wheel, a key, a touch or the pointer on the transcript. */
  #inputAt = -Infinity;
  /** A pointer is down on the transcript (dragging its scroll bar takes as long as it takes). */
  #pointerDown = false;
  /** That pointer went down on the scroll bar, not on an item. */
  #pointerOnBar = false;
  #resize: ResizeObserver | undefined;
  #viewport: ResizeObserver | undefined;
  /** Heights of the items, measured when rendered. */
  readonly #heights = new HeightIndex(ESTIMATE_PX);
  /** The first item's key: a different one means a new transcript (a resync). */
  #firstKey = '';
  /** Measures rendered rows; only rows on screen are observed. */
  readonly #rows = new ResizeObserver((entries) => this.#measured(entries));
  readonly #observed = new Set<Element>();
  /** A card that waits for a decision is in view: Latest need not say it waits (it covered the card: a user tester's). */
  #waitingInView = false;
  /**
   * The find bar (Ctrl+F): what is typed, its matches, which of them is shown (-1: none
   * yet; also as its item's key and which match in that item, to keep it while the
   * transcript changes), and the transcript they were found in (its version).
   */
  /** The find bar's search; version: findVersion() when it was found ('' = to be found again). */
  #find = { open: false, query: '', found: NOTHING_FOUND as Found, at: -1, version: '', shownKey: '', shownN: 0, foundAt: 0 };
  /** A find again that waits (#refind: at most one every REFIND_MS while the transcript changes). */
  #refindTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    new StateObserver(this);
    new ViewportController(this); // the narrow margins below (WebKitGTK keeps @media stale)
  }

  static override styles = [
    base,
    css`
      :host { display: block; position: relative; min-height: 0; }
      /* No scroll anchoring (Chromium, so WebView2, has it; WebKitGTK has not): the view is
         kept in place by #measured alone, and a scrollTop lowered by the engine would read
         as the person scrolling up (#movedUp). */
      .scroller { position: absolute; inset: 0; overflow-y: auto; overflow-x: hidden; overscroll-behavior: contain; overflow-anchor: none; }
      .list { max-width: 860px; margin: 0 auto; padding: 20px 24px 28px; }
      /* Not "row": the shared styles' .row centres its items, which put others' prompts and
         the approval card in the middle of the column. */
      .item-row { display: flex; flex-direction: column; align-items: flex-start; padding-bottom: ${ROW_GAP_PX}px; }
      .item-row > approval-card, .item-row > .error { align-self: stretch; }
      .empty { margin: 12vh auto 0; max-width: 380px; text-align: center; color: var(--muted); display: grid; gap: 8px; }
      .empty b { color: var(--text); font-size: calc(15px * var(--zoom, 1)); }

      .avatar {
        width: 26px; height: 26px; border-radius: 50%; flex: none;
        display: grid; place-items: center; font-size: calc(11px * var(--zoom, 1)); font-weight: 700; color: #fff;
      }
      .prompt { display: flex; gap: 10px; align-items: flex-start; max-width: 78%; }
      .prompt.mine { align-self: flex-end; flex-direction: row-reverse; }
      .bubble {
        background: var(--surface); border: 1px solid var(--border); border-radius: 12px; border-top-left-radius: 4px;
        padding: 8px 12px; min-width: 0;
      }
      .mine .bubble { background: var(--accent-soft); border-color: transparent; border-top-left-radius: 12px; border-top-right-radius: 4px; }
      /* A long name is cut, and the chips and the time keep to one line each, wrapping as a whole (a tester's long name broke them into blobs). */
      .meta { display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: baseline; font-size: calc(12px * var(--zoom, 1)); color: var(--faint); margin-bottom: 2px; min-width: 0; }
      .meta .who { font-weight: 650; color: var(--text); min-width: 0; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .meta .when { white-space: nowrap; }
      .mine .meta { justify-content: flex-end; }
      .text { white-space: pre-wrap; overflow-wrap: anywhere; }
      .chip {
        font-size: calc(11px * var(--zoom, 1)); font-weight: 650; padding: 0 7px; border-radius: 999px; line-height: calc(18px * var(--zoom, 1)); white-space: nowrap;
        background: var(--warn-soft); color: var(--warn);
      }
      .chip.you { background: var(--accent); color: var(--accent-text); }
      .chip.pending::before { content: ''; display: inline-block; width: 6px; height: 6px; border-radius: 50%; background: currentColor; margin-right: 5px; vertical-align: 1px; animation: pulse 1.4s ease-in-out infinite; }
      @keyframes pulse { 50% { opacity: 0.25; } }

      .notice { align-self: center; font-size: calc(12.5px * var(--zoom, 1)); color: var(--faint); display: flex; gap: 8px; align-items: center; text-align: center; }
      .notice::before, .notice::after { content: ''; width: 24px; border-top: 1px solid var(--border); }
      .error {
        display: flex; gap: 10px; align-items: flex-start;
        background: var(--danger-soft); color: var(--danger);
        border: 1px solid color-mix(in srgb, var(--danger) 40%, transparent);
        border-radius: var(--radius); padding: 10px 14px; font-weight: 550;
      }
      .error svg { margin-top: 3px; flex: none; }
      .stderr { margin-top: 4px; font-weight: 400; }
      .stderr summary { cursor: pointer; font-size: calc(12.5px * var(--zoom, 1)); list-style: none; }
      .stderr summary::-webkit-details-marker { display: none; }
      .stderr summary::before { content: '▸ '; }
      .stderr[open] summary::before { content: '▾ '; }
      /* Under a failed turn's footer. */
      .turn > .stderr { margin: 0; padding: 4px 14px 8px 38px; background: var(--danger-soft); color: var(--danger); }
      .stderr pre { margin: 4px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: calc(12px * var(--zoom, 1)); color: var(--text); }
      .stderr-last { font-family: var(--mono, ui-monospace, monospace); font-size: calc(12px * var(--zoom, 1)); overflow-wrap: anywhere; }
      /* A notice inside a turn: what happened between its output, quieter than the footer. */
      .body > .error, .void ~ .error { font-size: calc(13px * var(--zoom, 1)); font-weight: 500; padding: 7px 12px; border-radius: var(--radius-sm); }
      .body > .notice { justify-self: center; }

      .turn { align-self: stretch; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); overflow: hidden; }
      /* A turn with the party's notices that came while it ran (#turn): its card, then the
         notices, as between items. */
      .turn.with-events { background: none; border: 0; border-radius: 0; box-shadow: none; overflow: visible; display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
      .turn.with-events > .notice { justify-self: center; }
      .turn > header {
        display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center;
        padding: 9px 14px; background: var(--surface-2); border-bottom: 1px solid var(--border);
        font-size: calc(12.5px * var(--zoom, 1)); color: var(--muted);
      }
      .turn > header .title { display: inline-flex; gap: 6px; align-items: center; font-weight: 650; color: var(--text); }
      .turn > header .title .again { font-weight: 500; color: var(--muted); }
      .authors { display: flex; gap: 4px; flex-wrap: wrap; }
      .author { display: inline-flex; align-items: center; gap: 5px; padding: 1px 8px 1px 2px; border-radius: 999px; background: var(--surface); border: 1px solid var(--border); font-size: calc(12px * var(--zoom, 1)); color: var(--text); }
      .author .avatar { width: 18px; height: 18px; font-size: calc(9px * var(--zoom, 1)); }
      .merged { border-bottom: 1px solid var(--border); }
      summary { cursor: pointer; user-select: none; list-style: none; display: flex; gap: 6px; align-items: center; }
      summary::-webkit-details-marker { display: none; }
      summary .chev { transition: transform 0.15s; display: inline-flex; }
      details[open] > summary .chev { transform: rotate(90deg); }
      .merged summary { padding: 7px 14px; font-size: calc(12.5px * var(--zoom, 1)); color: var(--muted); }
      .merged .text { padding: 0 14px 12px 34px; font-size: calc(13px * var(--zoom, 1)); color: var(--muted); }
      .body { padding: 12px 16px; display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
      .working { display: inline-flex; align-items: center; gap: 8px; color: var(--faint); font-size: calc(13px * var(--zoom, 1)); }
      .dots span { display: inline-block; width: 5px; height: 5px; margin-right: 3px; border-radius: 50%; background: currentColor; animation: pulse 1.2s infinite; }
      .dots span:nth-child(2) { animation-delay: 0.2s; } .dots span:nth-child(3) { animation-delay: 0.4s; }
      .turn > footer { display: flex; gap: 8px; align-items: center; padding: 7px 14px; border-top: 1px solid var(--border); font-size: calc(12.5px * var(--zoom, 1)); }
      .turn > footer.done { color: var(--ok); }
      .turn > footer.error { color: var(--danger); background: var(--danger-soft); font-weight: 550; }
      .turn > footer.interrupted { color: var(--warn); }
      .turn > footer.denied { color: var(--warn); background: var(--warn-soft); }
      /* The note says why the output under it is struck out; struck out and pale itself, it
         was hard to read (a tester's). */
      .void, .void-body { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
      .void-body { opacity: 0.55; text-decoration: line-through; }
      .void-note { font-size: calc(12px * var(--zoom, 1)); color: var(--muted); }
      .chip.rejected { background: var(--danger-soft); color: var(--danger); }
      .chip.withdrawn { background: var(--surface-2); color: var(--muted); }
      .prompt.withdrawn .text { text-decoration: line-through; color: var(--muted); }
      .withdraw {
        font: inherit; font-size: calc(11.5px * var(--zoom, 1)); color: var(--muted); background: none; border: 0; padding: 0 2px;
        text-decoration: underline; text-underline-offset: 2px; cursor: pointer;
      }
      .withdraw:hover:not(:disabled) { color: var(--text); }
      .withdraw:disabled { cursor: default; opacity: 0.6; }
      /* Beside a long error the time stays whole ("17.2" / "s", a tester) and the icon keeps its size. */
      .turn > footer .dur { color: var(--faint); font-weight: 400; margin-left: auto; font-variant-numeric: tabular-nums; flex: none; white-space: nowrap; }
      .turn > footer svg { flex: none; }
      /* The end's words in an element of their own: WebKitGTK painted no find mark on text
         that was a flex item by itself (a user tester's "Done" counted, never marked). */
      .turn > footer .end-words { min-width: 0; }
      .files { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 8px 14px; border-top: 1px solid var(--border); font-size: calc(12px * var(--zoom, 1)); }
      .files-label { display: inline-flex; gap: 5px; align-items: center; color: var(--faint); margin-right: 2px; }
      /* A chip no wider than the card: a long path is cut in its folder part (it stuck out past the card). */
      .file-link {
        min-height: 22px; padding: 0 8px; font-family: var(--font-mono); font-size: calc(11.5px * var(--zoom, 1)); font-weight: 500;
        border-radius: 999px; background: var(--surface-2); border: 1px solid var(--border); color: var(--accent);
        max-width: 100%; min-width: 0;
      }
      .file-link .from { color: var(--muted); font-weight: 400; }
      .jump {
        position: absolute; left: 50%; bottom: 14px; transform: translateX(-50%);
        box-shadow: var(--shadow-lg); border-radius: 999px; background: var(--surface);
      }
      .jump.waits { color: var(--warn); border-color: var(--warn); font-weight: 600; }
      transcript-find { position: absolute; top: 8px; right: 16px; z-index: 2; max-width: calc(100% - 32px); }
      /* The item the find bar shows. */
      /* Drawn around the item, not its row: the row's own gap below it is not outlined. An
         outline of the row (offset out) crossed the next item's first line (a window tester's). */
      .item-row.hit { position: relative; }
      .item-row.hit::after {
        content: ''; position: absolute; inset: -4px -4px ${ROW_GAP_PX - 4}px; pointer-events: none;
        border: 2px solid var(--accent); border-radius: var(--radius-sm);
      }
      /* Narrow windows (down to 640 px): less margin, prompts may use more of the row. */
      :host([vw~=lt720]) .list { padding: 14px 12px 20px; }
      :host([vw~=lt720]) .prompt { max-width: 90%; }
    `,
  ];

  override firstUpdated(): void {
    const list = this.renderRoot.querySelector('.list');
    if (!list) return;
    // Content grows after child components render; follow it while stuck to the bottom.
    this.#resize = new ResizeObserver(() => this.#follow());
    this.#resize.observe(list);
    this.#watchViewport();
    this.#toBottom();
  }

  override disconnectedCallback(): void {
    this.#revealGen++;
    clearTimeout(this.#revealTimer);
    clearTimeout(this.#warmTimer);
    cancelAnimationFrame(this.#lookFrame);
    this.#lookFrame = 0;
    highlight(null); // (a Range into this view would keep its nodes)
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#viewport?.disconnect();
    this.#viewport = undefined;
    this.#rows.disconnect();
    this.#observed.clear();
    window.removeEventListener('pointerup', this.#onPointerUp);
    window.removeEventListener('pointercancel', this.#onPointerUp);
    this.#pointerDown = false;
    super.disconnectedCallback();
  }

  /** promptsSent when last rendered: one's own new prompt brings the end back into view. */
  #sentSeen = -1;

  /** Watches the rows now rendered, and only those. */
  override updated(): void {
    const sent = this.state?.promptsSent ?? 0;
    if (sent !== this.#sentSeen) {
      // Someone who scrolled up and then sent a prompt expects to see it, as in a chat (a
      // tester had to find Latest): the view follows the end again.
      const first = this.#sentSeen < 0;
      this.#sentSeen = sent;
      if (!first && !this.#stick) {
        this.#stick = true;
        this.#toBottom();
        this.requestUpdate();
      }
    }
    const now = new Set(this.renderRoot.querySelectorAll('.item-row'));
    for (const el of this.#observed) {
      if (!now.has(el)) {
        this.#rows.unobserve(el);
        this.#observed.delete(el);
      }
    }
    for (const el of now) {
      if (!this.#observed.has(el)) {
        this.#rows.observe(el);
        this.#observed.add(el);
      }
    }
    this.#follow();
    this.#lookSoon();
  }

  /** The frame a look for waiting cards waits for (#lookSoon), or 0. */
  #lookFrame = 0;

  /**
   * #lookForWaitingCards at the next frame, once for however many scroll events and updates
   * come before it: each look reads the layout of every card (a kept place's, a waiting
   * one's), and it was made on every scroll event, then again on the update each asked for.
   * The frame comes before the browser paints what they changed: nothing shows later.
   */
  #lookSoon(): void {
    if (this.#lookFrame !== 0 || !this.isConnected) return; // (an update after removal: none)
    this.#lookFrame = requestAnimationFrame(() => {
      this.#lookFrame = 0;
      this.#lookForWaitingCards();
    });
  }

  /**
   * Whether a card that waits for this host (a tool request's, a merged prompt's) is in
   * view: 40 px of it or more (its header and first line; a window tester found "waits for
   * you" over a card whose header and command were in view). Read from the rows rendered,
   * after updates and scrolls, at most once a frame (#lookSoon).
   */
  #lookForWaitingCards(): void {
    const el = this.#scroller();
    if (!el) return;
    // A decided card that keeps its place looks again too: a scroll or a resize may have
    // taken every waiting card out of view (cards.ts, #keepPlace).
    const byPerson = this.#touched();
    for (const c of this.renderRoot.querySelectorAll<PermissionCard>('permission-card')) {
      c.recheckPlace();
      c.movedBy(byPerson);
    }
    for (const c of this.renderRoot.querySelectorAll<ApprovalCard>('approval-card')) c.movedBy(byPerson);
    const view = el.getBoundingClientRect();
    const cards = [
      ...[...this.renderRoot.querySelectorAll<PermissionCard>('permission-card')].filter((c) => c.permission?.status === 'pending'),
      ...[...this.renderRoot.querySelectorAll<ApprovalCard>('approval-card')].filter((c) => c.item?.status === 'waiting'),
    ];
    const inView = cards.some((c) => seenIn(c, view));
    if (inView !== this.#waitingInView) {
      this.#waitingInView = inView;
      this.requestUpdate();
    }
  }

  /**
   * Rows were measured. Heights that changed above what the person looks at would move
   * the view: the scroll position is moved by as much (WebKit has no scroll anchoring).
   */
  #measured(entries: ResizeObserverEntry[]): void {
    const el = this.#scroller();
    let changed = false;
    let above = 0;
    for (const e of entries) {
      const t = e.target as HTMLElement;
      if (!t.isConnected) continue;
      const i = Number(t.dataset['index']);
      const h = e.borderBoxSize?.[0]?.blockSize ?? t.offsetHeight;
      const old = this.#heights.get(i);
      if (!Number.isFinite(i) || !this.#heights.set(i, h)) continue;
      changed = true;
      if (el && !this.#stick && this.#heights.offsetOf(i) + old <= el.scrollTop) above += h - old;
    }
    if (!changed) return;
    if (el && above !== 0) {
      el.scrollTop += above;
      this.#lastTop = el.scrollTop;
    }
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#findChange(this.#find.open); // (a view before it may have left it said open)
    const list = this.renderRoot?.querySelector('.list');
    if (list && !this.#resize) {
      this.#resize = new ResizeObserver(() => this.#follow());
      this.#resize.observe(list);
      this.#watchViewport();
    }
  }

  /**
   * The visible area shrinks too (a taller prompt box, a smaller window): the end followed
   * then went out of view, with no Latest to say so, and a tool request's card with it (a
   * tester's). Watched as the content is; a taller area may show rows not rendered yet.
   */
  #watchViewport(): void {
    const el = this.#scroller();
    if (!el || !this.#resize) return;
    this.#viewport?.disconnect();
    this.#viewport = new ResizeObserver(() => {
      this.#follow();
      this.requestUpdate();
    });
    this.#viewport.observe(el);
  }

  #scroller(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.scroller');
  }

  #toBottom(): void {
    const el = this.#scroller();
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    this.#lastTop = el.scrollTop;
  }

  /**
   * Keeps the end in view while following it. A move up that no scroll event has reported
   * yet (they wait for the next frame) is the person leaving the end when they have just
   * used the wheel, a key, a touch or the pointer here: it stops the following rather than
   * being undone (output arriving in that frame snapped the view back, and the scroll event
   * then found it at the end). Without such input it is the engine's: content that shrank
   * under the bottom lowers scrollTop too, and new output in the same update must not read
   * that as the person leaving (a reviewer's).
   */
  #follow(): void {
    const el = this.#scroller();
    if (!el || !this.#stick) return;
    if (this.#movedUp(el) && this.#touched()) {
      this.#stick = false;
      this.#lastTop = el.scrollTop;
      this.requestUpdate();
      return;
    }
    this.#toBottom();
  }

  /**
   * Input that may scroll the transcript. A click on an item (Allow, Send) or a key that
   * does not scroll (Enter on a button, typing in a card) is not: the card it decides
   * shrinks right after, and that read as the person scrolling up, so the view stopped
   * following and the next card sat below the fold (a tester's). A pointer held on an item
   * still counts while it is down (selecting text scrolls).
   */
  #onInput = (e: Event) => {
    if (e.type === 'pointerdown') {
      this.#pointerDown = true;
      this.#pointerOnBar = e.target === e.currentTarget; // the scroll bar, not an item
      if (this.#pointerOnBar) this.#inputAt = performance.now();
      window.addEventListener('pointerup', this.#onPointerUp, { once: true });
      window.addEventListener('pointercancel', this.#onPointerUp, { once: true });
      return;
    }
    if (e instanceof KeyboardEvent && !scrollsTheTranscript(e)) return;
    this.#inputAt = performance.now();
  };
  /** #onInput for wheel and touch, passive: it never holds a scroll up. */
  readonly #passiveInput = { handleEvent: (e: Event) => this.#onInput(e), passive: true };
  #onPointerUp = () => {
    this.#pointerDown = false;
    if (this.#pointerOnBar) this.#inputAt = performance.now();
  };

  #touched(): boolean {
    return this.#pointerDown || performance.now() - this.#inputAt < 1000;
  }

  // Growing content never moves scrollTop, so only a move up is the person
  // scrolling away; a check of the distance alone would race the stream. A move up
  // counts however small (one wheel notch is less than STICK_PX), unless it only
  // followed content that shrank under the bottom (then the view is still at the end).
  #movedUp(el: HTMLElement): boolean {
    return el.scrollTop < this.#lastTop - 2 && el.scrollHeight - el.scrollTop - el.clientHeight > 1;
  }

  /**
   * A move up that no input of the person's came with is the engine's, as in #follow: a
   * wider window unwraps the lines under the bottom, the content shrinks and scrollTop is
   * clamped; output that came before this event then left the view short of the end, and it
   * read as the person scrolling up (a window tester's, 640 to 1920 px: Latest, and the view
   * stayed behind while the reply went on). While following, the end is followed again.
   */
  #onScroll = () => {
    const el = this.#scroller();
    if (!el) return;
    if (this.#movedUp(el)) {
      if (this.#stick && !this.#touched()) this.#toBottom();
      else this.#stick = false;
    } else if (el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX) this.#stick = true;
    this.#lastTop = el.scrollTop;
    // Another part of the list may come into view.
    this.requestUpdate();
    this.#lookSoon();
  };

  /**
   * A card changed under the pointer, and what was under it moved by e.detail px (cards.ts,
   * #inPlace): the view moves as much, so that it is where it was.
   */
  #onKeepPlace = (e: CustomEvent<number>): void => {
    const el = this.#scroller();
    if (!el || !Number.isFinite(e.detail)) return;
    el.scrollTop += Math.round(e.detail); // whole pixels, as the scroll position is kept at 1x
    this.#lastTop = el.scrollTop;
  };

  /**
   * Latest, shown while the view is away from the end. To a host, it says when a decision
   * waits down there: a tool request's card, and its countdown to being denied, was out of
   * view under a plain "Latest" (a window tester found Allow only by chance).
   */
  #jumpButton(s: AppState) {
    const waits = !s.isHost || this.#waitingInView ? '' : s.phase === 'awaiting_permission' ? 'A tool request waits for you' : s.phase === 'awaiting_approval' ? 'A prompt waits for your approval' : '';
    return html`<button class="jump small ${waits ? 'waits' : ''}" data-testid="jump-latest" @click=${() => this.#jumpFor(waits ? firstWaitingCard(s.transcript) : null)}>${iconArrowDown()} ${waits || 'Latest'}</button>`;
  }

  /**
   * At the end, a card that waits for a decision may be far above: the party's notices (a
   * flapping connection's), the prompts typed meanwhile, another request's card pushed it up,
   * while the header said "Waiting for a tool decision" and nothing pointed back up to it
   * (a window tester's). This says it waits, to everyone (a participant may want to read what
   * is asked), and takes them to it, as "… waits for you" does away from the end.
   */
  #waitingButton(s: AppState) {
    if (this.#waitingInView) return nothing;
    const tool = s.phase === 'awaiting_permission';
    if (!tool && s.phase !== 'awaiting_approval') return nothing;
    if (firstWaitingCard(s.transcript) === null) return nothing;
    const words = s.isHost ? (tool ? 'A tool request waits for you' : 'A prompt waits for your approval') : tool ? 'A tool request waits for a host' : "A prompt waits for a host's approval";
    return html`<button class="jump small waits" data-testid="jump-waiting" @click=${() => this.#jumpFor(firstWaitingCard(s.transcript))}>${iconArrowUp()} ${words}</button>`;
  }

  /**
   * "… waits for you" goes to the card that waits (firstWaitingCard); Latest, or a card
   * that is not there once rendered, to the end. The end was no place for it: a re-tester's 480 px window
   * had decided cards below the waiting one that filled the view, so the jump left the
   * waiting card above it, still unseen, and the button gone.
   */
  #jumpFor(w: WaitingCard | null): void {
    if (w === null) {
      this.#jump();
      return;
    }
    const el = this.#scroller();
    if (!el) return;
    // Its item first (it may not be rendered: only what is near the view is), then the card.
    const gen = ++this.#revealGen; // a find's reveal after it wins, as one before it stops
    const current = () => gen === this.#revealGen;
    void (async () => {
      const row = await this.#bringRow(w.index, current);
      if (!current()) return;
      const card = !row
        ? undefined
        : w.kind === 'permission'
          ? [...row.querySelectorAll<PermissionCard>('permission-card')].find((c) => c.permission?.id === w.id)
          : (row.querySelector<ApprovalCard>('approval-card') ?? undefined);
      if (!card) {
        this.#jump();
        return;
      }
      this.#showCard(el, card, card.actionsRow());
      this.#lastTop = el.scrollTop;
      // The keyboard on the card, not on a button: Enter held on this button would press it.
      card.focusCard();
    })();
  }

  /**
   * Scrolls el as little as brings card into view, clear of the button at the bottom; a card
   * taller than the view shows its buttons (actions) and what fits above them.
   */
  #showCard(el: HTMLElement, card: HTMLElement, actions: HTMLElement | null): void {
    const v = el.getBoundingClientRect();
    const jump = this.renderRoot.querySelector('.jump')?.getBoundingClientRect();
    const top = v.top + 8;
    const bottom = Math.min(v.bottom, jump && jump.height > 0 ? jump.top : v.bottom) - 8;
    const r = card.getBoundingClientRect();
    let by = r.top < top ? r.top - top : r.bottom > bottom ? r.bottom - bottom : 0;
    if (r.height > bottom - top) {
      by = r.top - top;
      const a = actions?.getBoundingClientRect();
      if (a && a.bottom - by > bottom) by = a.bottom - bottom;
    }
    el.scrollTop += by;
  }

  /** Latest: back to the end, following it; the button goes, so the focus goes to the prompt box (it fell to the page: a tester's). */
  #jump(): void {
    this.#stick = true;
    this.#toBottom();
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('focus-prompt', { bubbles: true, composed: true }));
  }

  /** Opens the find bar, or focuses it again (its text selected); what it held is found again, from the view. */
  openFind(): void {
    const reopen = !this.#find.open && this.#find.query.trim() !== '';
    if (!this.#find.open) {
      this.#findChange(true);
      this.#find.open = true;
      this.#warm(0);
    }
    if (reopen) this.#findFresh(this.#find.query);
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<TranscriptFind>('transcript-find')?.focusField());
  }

  #warmTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Reads the replies' shown text ahead of the typing, a slice at a time between events,
   * while the bar is open (from its opening, and again after the transcript changed): a
   * search parses replies for PARSE_BUDGET_MS at most and counts the rest by their source
   * (a reviewer's first key froze the window for 0.9 s on a 7.8 MB party). Once a pass has
   * parsed any, the matches are counted again (#refind), now of what the replies show.
   */
  #warm(from: number, parsed = false): void {
    clearTimeout(this.#warmTimer);
    this.#warmTimer = undefined;
    const items = this.state?.transcript;
    if (!this.#find.open || !items) return;
    if (from >= items.length) {
      if (parsed) {
        this.#find.version = '';
        this.requestUpdate();
      }
      return;
    }
    const r = warmFind(items, from, performance.now() + WARM_SLICE_MS);
    this.#warmTimer = setTimeout(() => this.#warm(r.next, parsed || r.parsed), 0);
  }

  /**
   * Says the find bar opened or closed (find-change, detail: open): the window's toasts,
   * top centre, go below it (a tester's rejoin toast covered its field and count).
   */
  #findChange(open: boolean): void {
    this.dispatchEvent(new CustomEvent<boolean>('find-change', { detail: open, bubbles: true, composed: true }));
  }

  /** Closes the find bar; the view stays where it is, and the focus goes to the prompt box. */
  #closeFind = (): void => {
    if (this.#find.open) this.#findChange(false);
    this.#revealGen++;
    highlight(null);
    refold();
    clearTimeout(this.#queryTimer);
    this.#queryTimer = undefined;
    clearTimeout(this.#revealTimer);
    clearTimeout(this.#warmTimer);
    this.#find = { ...this.#find, open: false, found: NOTHING_FOUND, at: -1, version: '', shownKey: '', shownN: 0 };
    clearTimeout(this.#refindTimer);
    this.#refindTimer = undefined;
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('focus-prompt', { bubbles: true, composed: true }));
  };

  #onFindQuery = (e: CustomEvent<string>): void => {
    // A search that took a frame or more (a long party) waits for a pause in the typing: a
    // user tester's keys lagged seconds behind on a 5,500-piece transcript.
    this.#find.query = e.detail;
    clearTimeout(this.#queryTimer);
    const run = () => {
      this.#queryTimer = undefined;
      const t0 = performance.now();
      this.#findFresh(this.#find.query, TYPING_PAUSE_MS);
      this.#findSlow = performance.now() - t0 >= 16;
      this.requestUpdate();
    };
    if (this.#findSlow) this.#queryTimer = setTimeout(run, 150);
    else run();
  };
  /** The last search took a frame or more: the next waits for a pause in the typing. */
  #findSlow = false;
  /** Rises with each reveal, and when a reveal under way is to stop (#reveal). */
  #revealGen = 0;
  #queryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A reveal that waits for a pause in the typing (TYPING_PAUSE_MS). */
  #revealTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Finds query anew and shows a match: from the item shown, as the query is typed on (the
   * match found by its first letters, then another above it as the word grew: a window
   * test's); else the newest while following the end; else the first from what is on
   * screen down, as a browser's find does. It is brought into view after wait ms (typing).
   */
  #findFresh(query: string, wait = 0): void {
    const s = this.state;
    if (!s) return;
    const found = findInTranscript(s.transcript, query, undefined, s.reader, s.shownMore);
    const total = matchCount(found);
    const f = this.#find;
    const shown = f.open && f.shownKey !== '' ? s.transcript.findIndex((it) => it.key === f.shownKey) : -1;
    const from = shown >= 0 ? shown : this.#heights.indexAt(this.#scroller()?.scrollTop ?? 0);
    const at = total === 0 ? -1 : shown < 0 && this.#stick ? total - 1 : firstMatchFrom(found, from);
    const m = matchAt(found, at);
    this.#find = { open: true, query, found, at, version: findVersion(s), shownKey: m ? (s.transcript[m.index]?.key ?? '') : '', shownN: m?.n ?? 0, foundAt: performance.now() };
    if (m) this.#reveal(m.index, m.n, wait);
    else {
      this.#revealGen++;
      highlight(null);
    }
  }

  #onFindStep = (e: CustomEvent<number>): void => {
    if (this.#queryTimer !== undefined) {
      // Typed, not searched yet: searched now, so the step is through what is typed.
      clearTimeout(this.#queryTimer);
      this.#queryTimer = undefined;
      this.#findFresh(this.#find.query);
      this.requestUpdate();
      return;
    }
    const f = this.#find;
    const total = matchCount(f.found);
    if (total === 0) return;
    f.at = (f.at + e.detail + total) % total; // around from the last to the first
    const m = matchAt(f.found, f.at)!;
    f.shownKey = this.state?.transcript[m.index]?.key ?? '';
    f.shownN = m.n;
    this.#reveal(m.index, m.n);
    this.requestUpdate();
  };

  /**
   * Finds again in a transcript that changed while the bar is open (new events, a resync):
   * the match shown stays the one shown (by its item's key, and which in that item) while
   * its item still holds the text. While the transcript changes fast (a streaming reply),
   * at most once every REFIND_MS.
   */
  #refind(s: AppState): void {
    const f = this.#find;
    if (!f.open || f.version === findVersion(s) || this.#refindTimer !== undefined) return;
    const wait = f.foundAt + REFIND_MS - performance.now();
    if (wait > 0) {
      this.#refindTimer = setTimeout(() => {
        this.#refindTimer = undefined;
        this.requestUpdate();
      }, wait);
      return;
    }
    f.found = findInTranscript(s.transcript, f.query, undefined, s.reader, s.shownMore);
    f.version = findVersion(s);
    f.foundAt = performance.now();
    if (this.#warmTimer === undefined) this.#warm(0); // what came since is read ahead too
    const total = matchCount(f.found);
    const item = f.shownKey === '' ? -1 : s.transcript.findIndex((it) => it.key === f.shownKey);
    const again = item < 0 ? -1 : matchOf(f.found, item, f.shownN);
    f.at = again >= 0 ? again : total > 0 ? Math.min(Math.max(f.at, 0), total - 1) : -1;
    const m = matchAt(f.found, f.at);
    f.shownKey = m ? (s.transcript[m.index]?.key ?? '') : '';
    f.shownN = m?.n ?? 0;
    if (again < 0) {
      // The item marked holds it no more (or is gone): its mark goes with it.
      this.#revealGen++;
      highlight(null);
    }
  }

  /**
   * Brings item i's match n into view, in the middle: first where the item's estimated
   * offset says (it may not be rendered), then, rendered and measured, the match itself.
   * The view stops following the end. After wait ms, when given: a newer reveal, or the bar
   * closed, meanwhile, and it does not come.
   */
  #reveal(i: number, n: number, wait = 0): void {
    clearTimeout(this.#revealTimer);
    if (wait > 0) {
      const gen = ++this.#revealGen;
      this.#revealTimer = setTimeout(() => {
        if (gen !== this.#revealGen || !this.#find.open) return;
        // The match shown, by its item's key: the items may have moved meanwhile (a
        // reviewer's: a refind or a cut history, and the index pointed at another item).
        const f = this.#find;
        const at = this.state?.transcript.findIndex((it) => it.key === f.shownKey) ?? -1;
        if (at >= 0) this.#reveal(at, f.shownN);
      }, wait);
      return;
    }
    const el = this.#scroller();
    if (!el) return;
    const q = this.#find.query.trim().toLocaleLowerCase();
    // A newer reveal, a search that found nothing, or the bar closed: this one stops (a
    // reviewer's typed on, and an older reveal scrolled back to its match; one after Esc
    // left its mark).
    const gen = ++this.#revealGen;
    const current = () => gen === this.#revealGen && this.#find.open;
    const nth = (all: Range[]) => all[Math.min(n, all.length - 1)] ?? null;
    void (async () => {
      let row = await this.#bringRow(i, current);
      if (!current()) return;
      if (!row) {
        highlight(null); // not the last match's mark
        return;
      }
      // The words themselves, not only their item: a long reply's match was off screen, a
      // tool step's folded (a user tester's). Unfolded, it is found again once laid out.
      let all = findAllText(row, q);
      let match = nth(all);
      refold(match?.startContainer); // what an earlier match unfolded, but what holds this one
      if (match && unfold(match.startContainer)) {
        await new Promise((r) => requestAnimationFrame(r));
        if (!current()) return;
        all = findAllText(row, q);
        match = nth(all);
      }
      highlight(match, all);
      // Brought to the match, then again while what renders around it moves it, until it
      // stays.
      for (let round = 0; ; round++) {
        const at = match?.getBoundingClientRect?.();
        if (!at || at.height === 0) {
          if (row.isConnected && typeof row.scrollIntoView === 'function') row.scrollIntoView({ block: 'center' }); // (jsdom has none)
          break;
        }
        const by = at.top - el.getBoundingClientRect().top - el.clientHeight / 3;
        if (Math.abs(by) < 4 || round === REVEAL_ROUNDS) break;
        el.scrollTop += by;
        this.#lastTop = el.scrollTop;
        await twoFrames();
        if (!current()) return;
        // Rows are reused as the view moves: the match is found in its row again.
        const now = this.#rowOf(i);
        if (!now) break;
        row = now;
        all = findAllText(now, q);
        match = nth(all);
        highlight(match, all);
      }
      this.#lastTop = el.scrollTop;
    })();
  }

  /** Item i's row, when it is rendered. */
  #rowOf(i: number): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`.item-row[data-index="${i}"]`);
  }

  /**
   * Brings item i into view, a third down, and resolves with its row once it stays there
   * rendered: its own components rendered (a tool step's text was not there yet, a
   * reviewer's) and the rows around it measured. #measured moves the view by what the rows
   * above it grew, and items far taller than estimated (a long party's 40-line replies)
   * took it out of the rows rendered: a user tester's find stopped three turns short,
   * nothing marked. It is aimed at again from what is measured, REVEAL_TRIES times at most;
   * null then, or once current() says to stop. The view stops following the end. Find's
   * reveal and "A tool request waits for you" both go through it.
   */
  async #bringRow(i: number, current: () => boolean): Promise<HTMLElement | null> {
    const el = this.#scroller();
    if (!el) return null;
    this.#stick = false;
    for (let tries = 0; ; tries++) {
      el.scrollTop = Math.max(0, this.#heights.offsetOf(i) - el.clientHeight / 3);
      this.#lastTop = el.scrollTop;
      this.requestUpdate();
      await this.updateComplete;
      if (!current()) return null;
      const row = this.#rowOf(i);
      if (row) {
        await settled(row);
        await twoFrames();
        if (!current()) return null;
        if (row.isConnected && row.dataset['index'] === String(i)) return row;
      }
      if (tries === REVEAL_TRIES) return null;
    }
  }

  #avatar(name: string) {
    return html`<span class="avatar" style="background: hsl(${nameHue(name)} 55% 48%)" aria-hidden="true">${initials(name)}</span>`;
  }

  #prompt(s: AppState, it: PromptItem, pendingIds: Set<string>) {
    const mine = s.isMine(it.prompt);
    const awaiting = s.isAwaitingApproval(it.prompt.id);
    const rejected = s.rejectionOf(it.prompt.id);
    const withdrawn = s.withdrawalOf(it.prompt.id);
    const pending = pendingIds.has(it.prompt.id) && !awaiting;
    const canWithdraw = pending && s.canWithdraw(it.prompt);
    const busy = s.isWithdrawing(it.prompt.id);
    const whose = mine ? 'your prompt' : `${it.prompt.user}'s prompt`;
    return html`<div class="prompt ${mine ? 'mine' : ''} ${withdrawn ? 'withdrawn' : ''}" data-testid="transcript-item" data-kind="prompt" data-mine=${mine} data-pending=${pending}>
      ${this.#avatar(it.prompt.user)}
      <div class="bubble">
        <div class="meta">
          <span class="who" title=${it.prompt.user}>${it.prompt.user}</span>
          ${mine ? html`<span class="chip you" data-find-skip>you</span>` : nothing}
          ${pending ? html`<span class="chip pending" data-find-skip data-testid="prompt-pending">pending</span>` : nothing}
          ${awaiting ? html`<span class="chip pending" data-find-skip data-testid="prompt-awaiting-approval">awaiting approval</span>` : nothing}
          ${s.unsentAtEnd(it.prompt.id) ? html`<span class="chip rejected" data-find-skip data-testid="prompt-unsent" title="The party ended before this prompt reached the agent">not sent</span>` : nothing}
          ${s.waitingWhenLeft(it.prompt.id)
            ? html`<span class="chip pending" data-find-skip data-testid="prompt-left-waiting" title="You left while it waited: it stays in the party and goes to the agent without you">${mine ? 'waiting — goes to the agent without you' : 'waiting when you left'}</span>`
            : nothing}
          ${rejected
            ? rejected.reason === RESUMED_WITHOUT
              ? html`<span class="chip withdrawn" data-find-skip data-testid="prompt-rejected" title="Not taken up when the party was resumed: send it again if it is still wanted">not taken up on resume</span>`
              : html`<span class="chip rejected" data-find-skip data-testid="prompt-rejected" title=${rejected.reason ?? ''}>rejected by ${rejectedBy(rejected, this.state?.reader ?? NO_READER)}</span>`
            : nothing}
          ${withdrawn
            ? withdrawn.resumed
              ? html`<span class="chip withdrawn" data-find-skip data-testid="prompt-withdrawn" title="Not taken up when the party was resumed: send it again if it is still wanted">not taken up on resume</span>`
              : html`<span class="chip withdrawn" data-find-skip data-testid="prompt-withdrawn" title="Taken back before it was sent">${withdrawn.by === withdrawn.user ? 'withdrawn' : `withdrawn by ${withdrawn.by}`}</span>`
            : nothing}
          ${(withdrawn || rejected) && s.canRecallWithdrawn(it.prompt)
            ? html`<button class="withdraw" data-find-skip data-testid="prompt-recall" title=${recallTitle('It was not sent', 1)}
                @click=${() => s.recallWithdrawn(it.prompt)}>${recallWords(1)}</button>`
            : nothing}
          ${canWithdraw
            ? html`<button class="withdraw" data-find-skip data-testid="prompt-withdraw" ?disabled=${busy} aria-label=${`${mine ? 'Withdraw' : 'Remove'} ${whose}`}
                title=${mine ? 'Take it back before a batch takes it; it comes back into the prompt box' : 'Take it out before a batch takes it, as a host: it is not sent (its author sees who removed it)'}
                @click=${() => void s.withdraw(it.prompt)}>${busy ? (mine ? 'withdrawing…' : 'removing…') : mine ? 'withdraw' : 'remove'}</button>`
            : nothing}
          <span class="when" data-find-skip>${formatClock(it.ts)}</span>
        </div>
        <div class="text">${it.prompt.text}</div>
      </div>
    </div>`;
  }

  /** A party's notice: an item of its own, or (testid "turn-event") inside the turn that ran when it came. */
  #notice(it: NoticeItem, testid = 'transcript-item') {
    if (it.type === 'error') {
      return html`<div class="error" role="alert" data-testid=${testid} data-kind="error">${iconAlert()}<span class="text">${agentError(errorWords(it.text, this.state?.reader ?? NO_READER))}</span></div>`;
    }
    const e = splitStderr(it.text);
    if (e.stderr.length > 0) {
      // A note with what claude last wrote to stderr (its exit between turns, no one's
      // failure): the lines behind a disclosure, as an error's are.
      return html`<div class="notice" data-testid=${testid} data-kind="system"><span>${e.text}${stderrDetails(e.stderr)}</span></div>`;
    }
    const text = exitWords(noticeWords(it, (this.state?.reader ?? NO_READER)));
    return html`<div class="notice" data-testid=${testid} data-kind="system"><span>${text}</span></div>`;
  }

  #members(it: MembersItem, testid = 'transcript-item') {
    return html`<div class="notice" data-testid=${testid} data-kind="participants"><span>${membersWords(it, (this.state?.reader ?? NO_READER))}</span></div>`;
  }


  /** A notice inside a turn (an error while it ran, the retry's restart), where it happened. */
  #turnNotice(sg: NoticeSegment) {
    return sg.level === 'error'
      ? html`<div class="error" role="alert" data-testid="turn-notice" data-level="error">${iconAlert()}<span class="text">${agentError(errorWords(sg.text, this.state?.reader ?? NO_READER))}</span></div>`
      : html`<div class="notice" data-testid="turn-notice" data-level="system"><span>${sg.text}</span></div>`;
  }

  /** The files a turn changed: the first TURN_FILES_SHOWN, "and N more" shows the rest (up to TURN_FILES_OPEN; past that, the panel). */
  #turnFiles(s: AppState, it: TurnItem) {
    const open = s.shownMore.filesOpen(it.key);
    const shown = it.files.slice(0, open ? TURN_FILES_OPEN : TURN_FILES_SHOWN);
    const rest = it.files.length - shown.length;
    const why = 'The host no longer shares the folder';
    const toggle = (on: boolean) => s.shownMore.setFilesOpen(it.key, on);
    let more: unknown = nothing;
    if (!open && rest > 0) {
      more = html`<button class="file-link" data-find-skip data-testid="turn-files-more" title="Show them here" @click=${() => toggle(true)}>and ${count(rest)} more</button>`;
    } else if (rest > 0) {
      // Too many for a card: the panel's list, not a diff it had open.
      more = html`<button class="file-link" data-find-skip data-testid="turn-files-panel" ?disabled=${!s.workspace.shared} title=${s.workspace.shared ? 'The Changes panel lists every changed file' : why}
        @click=${() => (s.workspace.closeDiff(), s.workspace.toggle(true))}>and ${count(rest)} more in the Changes panel</button>`;
    }
    return html`<div class="files" data-testid="turn-files"><span class="files-label" data-find-skip title="By the agent, or by anyone by hand, while this turn ran">${iconFolder()} Files changed during this turn</span>
      ${shown.map((p) => {
        // A renamed file with the name it had, as the Changes panel says it (a window
        // tester's card showed only new_name.txt).
        const from = it.renamedFrom?.[p];
        return html`<button class="file-link" data-testid="turn-file" data-path=${p} ?disabled=${!s.workspace.shared}
          title=${`${showBidi(p)}${from ? `\nRenamed from ${showBidi(from)}` : ''}\n${s.workspace.shared ? 'Show the diff' : why}`} @click=${() => void s.workspace.showDiff(p)}>${filePath(p)}${from
            ? html`<span class="from" data-testid="turn-file-from"> from ${showBidi(from)}</span>`
            : nothing}</button>`;
      })}
      ${more}
      ${open ? html`<button class="file-link" data-find-skip data-testid="turn-files-fewer" @click=${() => toggle(false)}>show fewer</button>` : nothing}
    </div>`;
  }

  #turn(s: AppState, it: TurnItem, isLast: boolean) {
    const b = it.batch;
    const running = it.end === null && b !== null && isLast && s.displayPhase === 'running';
    // Waiting for a tool decision, the turn is still at work: its tool row names the call the
    // request cards ask about (a user tester's named the last call, as of a finished turn).
    const asking = it.end === null && b !== null && isLast && s.displayPhase === 'awaiting_permission';
    const command = b?.merger === 'command';
    const one = b !== null && !command && it.prompts.length === 1;
    // As written: the space the party puts before a "/" text is no edit (a reviewer's).
    const single = one && asText(it.prompts[0]?.text ?? '') === b?.merged;
    // As the side panel, the notices and the terminal say it (wire.MergedHow).
    const merger = b?.merger === 'gemini' ? 'merged by Gemini' : 'merged locally';
    // Who edited it, when the host said (a window tester read "edited by a host" of an edit
    // of their own).
    const editedBy = editedByWords(b, s.reader, it.seq);
    // Who ran an agent command, by member id ("you" of this window's own), as "Stopped by
    // Hana" names who stopped a turn (a tester's card said "from a host").
    const cb = it.commandBy;
    const commandFrom = !cb?.by ? 'from a host' : cb.by_member && cb.by_member === s.session?.you.id ? 'from you' : `from ${cb.by}`;
    let footer: TemplateResult | typeof nothing = nothing;
    if (it.end) {
      // A batch the agent never had took no time on it (a reviewer read "… under 0.1 s").
      // A turn the host stopped during ran until the journal's last event at least: when the
      // host died after it is not known (a tester's ran 15 s, and read "4.3 s").
      const cut = it.end.error === NOT_RUN_AGAIN || it.end.error === HOST_STOPPED;
      const took = cut ? formatCutTurnTime(it.end.duration_ms) : formatTurnTime(it.end.duration_ms);
      const dur = it.end.unsent || !took ? nothing : html`<span class="dur" data-find-skip>${took}</span>`;
      const deniedText = deniedWords(it.end.denied ?? 0, turnRequests(it.segments));
      if (it.end.status === 'done') {
        const w = doneWords(it);
        footer = html`<footer class=${w.warn ? 'denied' : 'done'} data-testid="turn-end" data-status="done" data-denied=${w.denied} data-failed=${w.failed} data-plan-back=${w.plansBack}>${w.warn ? iconAlert() : iconCheck()} <span class="end-words">${w.text}</span> ${dur}</footer>`;
      } else if (it.end.status === 'interrupted') {
        footer = html`<footer class="interrupted" data-testid="turn-end" data-status="interrupted">${iconStop()} <span class="end-words">${interruptedWords(stoppedWords(it.end, s.reader, it.endSeq ?? it.seq), deniedText)}</span> ${dur}</footer>`;
      } else {
        // The error asks the authors to send their prompts again: mine come back on a click
        // (an unsent batch's came back by themselves).
        const mine = b !== null && !it.end.unsent && s.canRecall(b.id) ? it.prompts.filter((p) => s.isMine(p)).length : 0;
        const recall = mine
          ? html`<button class="withdraw" data-find-skip data-testid="turn-recall" title=${recallTitle('The turn did not finish', mine)}
              @click=${() => s.recallPrompts(b!.id)}>${recallWords(mine)}</button>`
          : nothing;
        // What claude wrote to stderr under the footer, not in its row (a tester's read it
        // as part of the sentence).
        const e = splitStderr(it.end.error ?? '');
        footer =
          it.end.error === NOT_RUN_AGAIN
            ? // The host's choice as it resumed, not a failure (a tester read a red "Failed").
              html`<footer class="interrupted" data-testid="turn-end" data-status=${it.end.status} data-not-run-again>${iconStop()} <span class="end-words">${NOT_RUN_AGAIN_WORDS}</span> ${recall} ${dur}</footer>`
            : html`<footer class="error" data-testid="turn-end" data-status=${it.end.status}>${iconX()} <span class="end-words">${failedWords(e.text)}</span> ${recall} ${dur}</footer>${stderrDetails(e.stderr)}`;
      }
    } else if (b !== null && isLast && s.ended) {
      // Cut off where this window stopped following it: say so, not nothing.
      const why =
        s.displayPhase === 'left'
          ? 'You left before this turn finished'
          : s.displayPhase === 'removed'
            ? 'You were removed before this turn finished'
            : 'The party ended before this turn finished';
      footer = html`<footer class="interrupted" data-find-skip data-testid="turn-end" data-status="unfinished">${iconStop()} ${why}</footer>`;
    }
    const lastSeg = it.segments.length - 1;
    // The group whose calls the request cards after it ask about is the live one: its row
    // names the call under way (a window tester's named the second of two Bash calls while
    // the card under it asked about the first).
    let liveGroup = lastSeg;
    while (liveGroup >= 0 && (it.segments[liveGroup]!.kind === 'permission' || it.segments[liveGroup]!.kind === 'event')) liveGroup--;
    // The reply being written is the last output, party events after it or not.
    const growing = lastOutputSegment(it.segments);
    const seg = (sg: Segment, i: number) =>
      sg.kind === 'reply'
        ? html`<markdown-view data-testid="reply" .text=${sg.text} .final=${!(running && i === growing)}></markdown-view>`
        : sg.kind === 'permission' && sg.unasked
          ? html`<div class="notice" data-testid="permission-unasked">${unaskedWords(sg.permission, s.reader, sg.seq)}</div>`
          : sg.kind === 'permission'
          ? html`<permission-card .state=${s} .permission=${sg.permission} .seq=${sg.seq ?? 0} .prompts=${it.prompts}></permission-card>`
          : sg.kind === 'notice'
            ? this.#turnNotice(sg)
            : sg.kind === 'event'
              ? // The party's, not the turn's: as it reads between items, where it came.
                sg.item.type === 'participants' ? this.#members(sg.item, 'turn-event') : this.#notice(sg.item, 'turn-event')
              : html`<activity-group .segment=${sg} ?live=${(running || asking) && i === liveGroup} .item=${it.key} .index=${i} .shown=${s.shownMore} .version=${s.shownMore.of(it.key)}></activity-group>`;
    // In order; output before a retry is void: each run of it shown struck through, in one block.
    // The party's notices that came while the turn ran (EventSegment) are not in the card:
    // they read after it, in the order they came, as the party's notices read between items
    // (a window tester's "Hana made you a co-host" sat between a tool card and the reply).
    // The card is one, and grows above them: split where they came, as it was, a flapping
    // connection's 22 notices stood between a turn's header and its end, and a resumed
    // turn's "again" header was a card of its own, empty (a window tester's). That holds for
    // a host's acts too — a role change of this reader, "hostie stopped the turn" — which
    // are about the party, not the agent's work: the turn's own words for them are in the
    // card (its end's "Stopped by hostie", a tool card that now has buttons). What the turn
    // itself says (an error while it ran, the retry's restart: NoticeSegment) stays inside.
    // The model keeps them in the turn (find, export); find counts the item's matches in the
    // segments' own order (transcript-search.ts), not in this one: the item's total agrees.
    const parts: TemplateResult[] = [];
    const events: TemplateResult[] = [];
    for (let i = 0; i < it.segments.length; ) {
      const sg = it.segments[i]!;
      if (sg.kind === 'event') {
        events.push(seg(sg, i));
        i++;
        continue;
      }
      if (!sg.void) {
        parts.push(seg(sg, i));
        i++;
        continue;
      }
      const run: TemplateResult[] = [];
      for (; i < it.segments.length && (it.segments[i]!.void || it.segments[i]!.kind === 'event'); i++) {
        const v = it.segments[i]!;
        if (v.kind === 'event') events.push(seg(v, i));
        else run.push(seg(v, i));
      }
      parts.push(
        html`<div class="void" data-testid="void-output"><span class="void-note" data-find-skip>${it.end?.error === HOST_STOPPED ? 'The host stopped before this batch finished; this output was discarded.' : 'The agent was restarted and the batch was run again; this output was discarded.'}</span><div class="void-body">${run}</div></div>`,
      );
    }
    const working = running ? html`<span class="working" data-find-skip data-testid="turn-working"><span class="dots"><span></span><span></span><span></span></span> Working…</span>` : nothing;
    const card = html`${this.#turnHead(it, b, command, one, single, editedBy, merger, commandFrom)}
      ${parts.length > 0 || running
        ? html`<div class="body">
            ${parts}
            ${working}
          </div>`
        : nothing}
      ${it.files.length > 0 ? this.#turnFiles(s, it) : nothing}
      ${footer}`;
    if (events.length > 0) {
      return html`<article class="turn with-events" data-testid="transcript-item" data-kind="turn" data-again=${Boolean(it.again)}>
        <div class="turn" data-testid="turn-card">${card}</div>
        ${events}
      </article>`;
    }
    return html`<article class="turn" data-testid="transcript-item" data-kind="turn" data-again=${Boolean(it.again)}>${card}</article>`;
  }

  /** A turn's header (its batch: who, how merged) and its merged prompt. */
  #turnHead(it: TurnItem, b: TurnItem['batch'], command: boolean, one: boolean, single: boolean, editedBy: string, merger: string, commandFrom: string) {
    return html`${b
        ? html`<header>
              <span class="title">${iconMerge()} ${command ? html`<span data-find-skip>Agent command</span> <code>${b.merged}</code>` : html`<span data-find-skip>${one ? 'Sent to the agent' : `Batch of ${it.prompts.length} prompts`}</span>`}${it.again ? html` <span class="again" data-find-skip data-testid="turn-again">again, after the resume</span>` : nothing}</span>
              <span class="authors">${[...new Set(it.prompts.map((p) => p.user))].map((u) => html`<span class="author">${this.#avatar(u)}${u}</span>`)}</span>
              <span class="grow"></span>
              <span data-find-skip data-testid="batch-merger">${command ? commandFrom : single ? 'as written' : one || it.edited ? editedBy : merger}</span>
            </header>
            ${single || command
              ? nothing
              : html`<details class="merged" data-testid="batch-merged">
                  <summary data-find-skip data-testid="batch-merged-toggle"><span class="chev">${iconChevron()}</span> ${one ? 'The prompt as sent' : it.edited ? 'The merged prompt as sent' : 'Merged prompt'}</summary>
                  <div class="text">${b.merged}</div>
                </details>`}`
        : nothing}`;
  }

  #item(s: AppState, it: TranscriptItem, pendingIds: Set<string>, isLast: boolean) {
    switch (it.type) {
      case 'prompt':
        return this.#prompt(s, it, pendingIds);
      case 'system':
      case 'error':
        return this.#notice(it);
      case 'participants':
        return this.#members(it);
      case 'turn':
        return this.#turn(s, it, isLast);
      case 'approval':
        return html`<approval-card data-testid="transcript-item" data-kind="approval" .state=${s} .item=${it}></approval-card>`;
    }
  }

  /** What an item shows beyond the item itself: it re-renders when one of these changes. */
  #deps(s: AppState, it: TranscriptItem, pendingIds: Set<string>, isLast: boolean): unknown[] {
    switch (it.type) {
      case 'prompt':
        return [it, s.isMine(it.prompt), pendingIds.has(it.prompt.id), s.isAwaitingApproval(it.prompt.id), s.unsentAtEnd(it.prompt.id), s.waitingWhenLeft(it.prompt.id), s.rejectionOf(it.prompt.id),
          s.withdrawalOf(it.prompt.id), s.canWithdraw(it.prompt), s.isWithdrawing(it.prompt.id), s.canRecallWithdrawn(it.prompt)];
      case 'turn':
        // What #turn reads: displayPhase, not phase (a card drawn while reconnecting must
        // show the agent at work once connected, with no phase event between).
        // And whether this window stopped following the party (its footer says so).
        // And whether its changed files are all shown (#turnFiles).
        return [it, isLast ? s.displayPhase : '', isLast && s.ended !== null, s.workspace.shared, it.batch !== null && s.canRecall(it.batch.id), s.shownMore.of(it.key)];
      default:
        return [it];
    }
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const items = s.transcript;
    const pendingIds = new Set(s.pending.map((p) => p.id));
    // The open turn is the last turn item, even with prompts queued after it.
    let lastTurn = -1;
    for (let i = items.length - 1; i >= 0; i--) {
      if (items[i]!.type === 'turn') {
        lastTurn = i;
        break;
      }
    }
    const first = items[0]?.key ?? '';
    if (items.length < this.#heights.length || first !== this.#firstKey) this.#heights.resize(0); // a new transcript
    this.#firstKey = first;
    this.#heights.resize(items.length);
    const el = this.#scroller();
    const r = visibleRange(this.#heights, el?.scrollTop ?? 0, el?.clientHeight || 800, MARGIN_PX, this.#stick, 1);
    const shown = items.slice(r.start, r.end);
    this.#refind(s);
    const f = this.#find;
    const hit = f.open ? (matchAt(f.found, f.at)?.index ?? -1) : -1;
    return html`
      <div class="scroller" data-testid="transcript" data-seq=${s.lastSeq} data-items=${items.length} data-rendered=${shown.length} @scroll=${this.#onScroll} @keep-place=${this.#onKeepPlace}
        @wheel=${this.#passiveInput} @touchstart=${this.#passiveInput} @keydown=${this.#onInput} @pointerdown=${this.#onInput}>
        <div class="list" style="padding-top: ${20 + (f.open ? FIND_BAR_ROOM_PX : 0) + r.top}px; padding-bottom: ${28 + r.bottom}px">
          ${items.length === 0
            ? html`<div class="empty" data-testid="transcript-empty">
                <b>Nothing here yet</b>
                <span>Say what you want the agent to do. Prompts sent within the batching window are merged into one.</span>
              </div>`
            : repeat(
                shown,
                (it) => it.key,
                (it, k) => {
                  const i = r.start + k;
                  return html`<div class="item-row ${i === hit ? 'hit' : ''}" data-index=${i}>${guard(this.#deps(s, it, pendingIds, i === lastTurn), () => this.#item(s, it, pendingIds, i === lastTurn))}</div>`;
                },
              )}
        </div>
      </div>
      ${this.#stick ? this.#waitingButton(s) : this.#jumpButton(s)}
      ${f.open
        ? html`<transcript-find .query=${f.query} .count=${matchCount(f.found)} .at=${f.at}
            @find-query=${this.#onFindQuery} @find-step=${this.#onFindStep} @find-close=${this.#closeFind}></transcript-find>`
        : nothing}
    `;
  }
}

customElements.define('transcript-view', TranscriptView);

/**
 * An error's words, with the lines claude wrote to stderr behind a disclosure: they are
 * for whoever wants them, not part of the sentence (a tester's read "…exited (exit status
 * 3); stderr: fake claude ready | …" as one sentence).
 */
function agentError(text: string) {
  const e = splitStderr(text);
  if (e.stderr.length === 0) return e.text;
  return html`${e.text}${stderrDetails(e.stderr)}`;
}

/** The lines claude last wrote to stderr, behind a disclosure; nothing when there are none. */
function stderrDetails(lines: string[]) {
  if (lines.length === 0) return nothing;
  // Its last line shown without opening it: "invalid API key · Please run /login" was the
  // reason, hidden under the disclosure (a window tester's).
  const last = lines[lines.length - 1]!.trim();
  const shown = last.length > 200 ? `${last.slice(0, 200)}…` : last;
  return html`<details class="stderr" data-testid="agent-stderr"><summary data-find-skip>What claude last wrote to stderr: <span class="stderr-last" data-testid="agent-stderr-last">${shown}</span></summary><pre>${lines.join('\n')}</pre></details>`;
}

