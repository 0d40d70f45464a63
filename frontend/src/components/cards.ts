// The host-control cards of the transcript (PROTOCOL.md §7): a tool request the agent
// makes (<permission-card>) and a merged batch that waits for a host (<approval-card>).
// A host decides on them; everyone else sees that the host is deciding, then what was
// decided. Peer text is rendered as text nodes only.

import { LitElement, css, html, nothing, type PropertyValues, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { live } from 'lit/directives/live.js';
import type { AppState } from '../state/app-state';
import { EXIT_PLAN_TOOL, isCancelledRequest } from '../state/host-control';
import { seenIn } from '../render/in-view';
import type { ApprovalItem } from '../state/transcript';
import type { Permission, Prompt } from '../state/types';
import { StateObserver } from './observe';
import { base } from './styles';
import { formatWait, initials, nameHue } from '../state/format';
import { NO_READER, RESUMED_WITHOUT, isReader, outcomeWords, rejectedBy, shownSummary, splitDetail } from '../state/shown-words';
import { iconAlert, iconCheck, iconMerge, iconPencil, iconTool, iconX } from './icons';
import { Typing, keepFocus } from './settle';
import './time-left';
import './markdown-view';

/**
 * A reason typed into a card, and when it was last typed in. A decision made with the mouse
 * waits until the field has been quiet for REASON_QUIET_MS (at most REASON_WAIT_MS): keys
 * typed just before the click can reach the page after it (an input method's queue, a busy
 * machine). A window tester's reason was cut to its first word, and the rest went into the
 * prompt box, which the card hands the focus to: one Enter from being sent as a prompt.
 */
export class Reason {
  text = '';
  #at = 0;
  readonly #card: { requestUpdate(): void };
  readonly #now: () => number;
  /** card re-renders as a wait starts and ends (its buttons are disabled meanwhile). */
  constructor(card: { requestUpdate(): void }, now: () => number = Date.now) {
    this.#card = card;
    this.#now = now;
  }
  typed(text: string): void {
    this.text = text;
    this.#at = this.#now();
  }
  /** A decision waits for the field (settled): a second click then does nothing. */
  waiting = false;
  /** Resolves with the text once the field is quiet. */
  async settled(): Promise<string> {
    const start = this.#now();
    this.waiting = true;
    this.#card.requestUpdate();
    try {
      while (this.#now() - this.#at < REASON_QUIET_MS && this.#now() - start < REASON_WAIT_MS) {
        await new Promise((r) => setTimeout(r, 40));
      }
    } finally {
      this.waiting = false;
      this.#card.requestUpdate();
    }
    return this.text;
  }
}


/**
 * Whether the window is out of touch with the host (reconnecting): a decision made now
 * would fail or be lost, so a card's buttons that decide are disabled meanwhile, as the
 * header's Stop and Send now are (party-view.ts). What only prepares one (a reason, the
 * editor of "Edit and send…") stays: the editor is said to the other hosts on reconnect.
 */
function outOfTouch(s: AppState): boolean {
  return s.connection.status !== 'connected';
}

/** The disabled decision buttons' tooltip while the host cannot be reached. */
export const OFFLINE_TITLE = 'Reconnecting to the host: you can decide once it is back';

export const REASON_QUIET_MS = 200;
export const REASON_WAIT_MS = 2000;

/**
 * Runs a host's decision from a card. A card that held the keyboard focus hands it on once
 * the decision is made (its buttons are gone, and the focus fell to the page): it says so
 * with a card-decided event, on which the party view focuses the prompt box.
 */
async function decided(card: LitElement, run: () => Promise<boolean>): Promise<boolean> {
  const focused = card.matches(':focus-within');
  const ok = await run();
  // Not if the person has put the focus elsewhere meanwhile.
  const still = card.matches(':focus-within') || document.activeElement === document.body || document.activeElement === null;
  if (ok && focused && still) card.dispatchEvent(new CustomEvent('card-decided', { bubbles: true, composed: true }));
  return ok;
}

/**
 * Puts the keyboard on a card (its .card box), not on one of its buttons: a key held on
 * what brought the card into view ("A tool request waits for you") would press that button.
 * Tab goes on to its first button. Focusable only while it has the focus: a click on the
 * card's text does not take it.
 */
function focusBox(root: ParentNode): void {
  const box = root.querySelector<HTMLElement>('.card');
  if (!box) return;
  box.tabIndex = -1;
  box.addEventListener('blur', () => box.removeAttribute('tabindex'), { once: true });
  box.focus({ preventScroll: true });
}

const cardStyles = css`
  :host { display: block; }
  .card {
    border: 1px solid color-mix(in srgb, var(--warn) 45%, var(--border)); border-radius: var(--radius);
    background: var(--surface); overflow: hidden; box-shadow: var(--shadow);
  }
  .card.done { border-color: var(--border); box-shadow: none; }
  .card:focus { outline: 2px solid var(--accent); outline-offset: 2px; } /* only focused by focusBox */
  .card.denied { border-color: color-mix(in srgb, var(--danger) 35%, var(--border)); }
  .head { display: flex; gap: 8px; align-items: center; padding: 8px 12px; font-size: calc(12.5px * var(--zoom, 1)); color: var(--muted); background: var(--warn-soft); flex-wrap: wrap; }
  .done .head { background: var(--surface-2); }
  .head b { color: var(--text); }
  .body { padding: 10px 12px; display: grid; gap: 8px; }
  .detail { margin-top: 8px; }
  .detail .label { display: block; font-size: calc(12px * var(--zoom, 1)); color: var(--muted); margin-bottom: 2px; }
  .detail .owner-note { display: block; font-size: calc(12px * var(--zoom, 1)); color: var(--warn); margin-bottom: 4px; }
  .detail pre { margin: 0; font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); white-space: pre-wrap; overflow-wrap: anywhere;
    max-height: 14em; overflow: auto; background: var(--surface-2); border-radius: var(--radius-sm); padding: 6px 10px; }
  /* Padded above and below as well: with none, the plan's last line sat on the box's bottom
     border and read as cut off (a window tester's "2. Add a test"). */
  .detail.plan { max-height: 22em; overflow: auto; border: 1px solid var(--border); border-radius: var(--radius-sm); padding: 8px 10px; }
  .summary { font-family: var(--font-mono); font-size: calc(12.5px * var(--zoom, 1)); white-space: pre-wrap; overflow-wrap: anywhere; background: var(--surface-2); border-radius: var(--radius-sm); padding: 6px 10px; }
  .actions { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  .actions input { flex: 1 1 180px; min-width: 140px; }
  /* The reason and Deny wrap together (at 640 px Deny wrapped alone below its reason). */
  .actions .deny { display: flex; gap: 8px; flex: 1 1 280px; min-width: min(280px, 100%); }
  .actions .deny input { min-width: 0; }
  .wait { display: inline-flex; gap: 8px; align-items: center; color: var(--warn); font-size: calc(13px * var(--zoom, 1)); font-weight: 550; }
  .expires { font-size: calc(12px * var(--zoom, 1)); color: var(--muted); }
  .confirm-always { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 10px; border-radius: var(--radius-sm); background: var(--warn-soft); font-size: calc(12.5px * var(--zoom, 1)); }
  .confirm-always span { flex: 1 1 240px; }
  .outcome { display: inline-flex; gap: 6px; align-items: center; font-size: calc(13px * var(--zoom, 1)); font-weight: 550; }
  .outcome.allowed { color: var(--ok); }
  .outcome.denied, .outcome.rejected { color: var(--danger); }
  .outcome.cancelled { color: var(--muted); }
  .outcome .why { font-weight: 400; color: var(--muted); overflow-wrap: anywhere; }
  .authors { display: flex; gap: 6px; flex-wrap: wrap; }
  .author { display: inline-flex; gap: 5px; align-items: center; font-size: calc(12px * var(--zoom, 1)); color: var(--muted); }
  .avatar { width: 18px; height: 18px; border-radius: 50%; display: grid; place-items: center; font-size: calc(9px * var(--zoom, 1)); font-weight: 700; color: #fff; }
  ul.prompts { margin: 0; padding: 0; list-style: none; display: grid; gap: 4px; font-size: calc(12.5px * var(--zoom, 1)); }
  ul.prompts li { display: flex; gap: 6px; align-items: baseline; }
  ul.prompts .t { color: var(--muted); overflow-wrap: anywhere; white-space: pre-wrap; }
  textarea { font-size: calc(13px * var(--zoom, 1)); line-height: 1.45; min-height: 84px; max-height: 260px; }
  /* Read, not written: no grip to resize it, no ring that offers typing (a window tester's
     participant typed into it and nothing happened); its text can still be selected. */
  textarea[readonly] { color: var(--muted); background: var(--surface-2); resize: none; cursor: default; }
  textarea[readonly]:focus { border-color: var(--border); box-shadow: none; outline: none; }
  textarea[readonly]:focus-visible { outline: 1px dashed var(--muted); outline-offset: 2px; } /* where the keyboard is, still */
  .grow { flex: 1; }
  .overtaken { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 12px; font-size: calc(12.5px * var(--zoom, 1)); background: var(--warn-soft); border-top: 1px solid var(--border); }
  .overtaken span { flex: 1 1 240px; }
  .editing-note { display: flex; gap: 8px; align-items: center; padding: 6px 10px; margin-bottom: 8px; font-size: calc(12.5px * var(--zoom, 1)); border-radius: 6px; background: var(--warn-soft); }
`;

function avatar(name: string) {
  return html`<span class="avatar" style="background: hsl(${nameHue(name)} 55% 48%)" aria-hidden="true">${initials(name)}</span>`;
}

/** The prompts' authors; repeat: the item names them already (its turn's header), and find passes them by. */
function authors(prompts: readonly Prompt[], repeat = false) {
  const names = [...new Set(prompts.map((p) => p.user))];
  return html`<span class="authors" ?data-find-skip=${repeat}>${names.map((n) => html`<span class="author">${avatar(n)}${n}</span>`)}</span>`;
}

/** Capitalises the first letter ("stopped by ann" → "Stopped by ann"). */
export { sentenceCase } from '../state/shown-words';

/**
 * A request's Allow and Always allow take clicks only this long after its card shows it,
 * and after any other request is decided. A decided card shrinks and the next request's
 * card takes its place, its Allow right under the pointer: a double click, or a second
 * click meant for the card before, would allow a tool use nobody read. With two requests
 * waiting at once the second card was shown long before (a tester's second click, 900 ms
 * after the first, allowed an `rm -rf`), so it re-arms when the first is decided too.
 */
export const ARM_MS = 600;

/** How far (px) a waiting card may move by itself before it takes clicks only after ARM_MS again. */
export const MOVED_PX = 4;

/**
 * When a waiting card's buttons that let something run (a tool request's Allow and Always
 * allow, a merged prompt's Send) take clicks: ARM_MS after the card armed them (it showed
 * what waits, or something moved it), and again after the card moved by itself. The
 * timer and the last place seen go when the card leaves the page (a Lit controller).
 */
export class Arming implements ReactiveController {
  /** Whether the buttons take clicks now. */
  armed = false;
  readonly #card: ReactiveControllerHost & HTMLElement;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Where the card's top was in the window when the transcript last looked, while it waits. */
  #lastTop: number | undefined;

  constructor(card: ReactiveControllerHost & HTMLElement) {
    this.#card = card;
    card.addController(this);
  }

  /** The buttons take clicks ARM_MS from now. */
  arm(): void {
    const was = this.armed;
    this.armed = false;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.armed = true;
      this.#card.requestUpdate();
    }, ARM_MS);
    if (was) this.#card.requestUpdate();
  }

  /**
   * The transcript looked at the cards (after an update or a scroll), byPerson when the
   * person scrolled it just before; waiting: the card shows something that waits for a
   * host. One that moved by itself MOVED_PX or more since the last look (notes that came
   * in above it, the view following the end) arms its buttons again, as after a decision:
   * a window tester's click, aimed as notes arrived, landed 56 px off, where Allow could
   * have been.
   */
  movedBy(waiting: boolean, byPerson: boolean): void {
    if (!waiting || !this.#card.isConnected) {
      this.#lastTop = undefined;
      return;
    }
    const top = this.#card.getBoundingClientRect().top;
    const before = this.#lastTop;
    this.#lastTop = top;
    if (before === undefined || byPerson || Math.abs(top - before) < MOVED_PX || !this.armed) return;
    this.arm();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#lastTop = undefined;
  }
}

/** <permission-card>: one tool request of a turn. */
export class PermissionCard extends LitElement {
  static override properties = { state: { attribute: false }, permission: { attribute: false }, seq: { attribute: false }, prompts: { attribute: false } };
  declare state: AppState | undefined;
  declare permission: Permission | undefined;
  /** The seq of the request's last event: a decision said "by you" by name only when it came live. */
  declare seq: number | undefined;
  /** The prompts of the batch the request belongs to (who asked). */
  declare prompts: readonly Prompt[] | undefined;
  #reason = new Reason(this);
  /** The pending request this card shows. */
  #shownId = '';
  /** Whether Allow and Always allow take clicks yet. */
  #arming = new Arming(this);
  /** "Always allow Bash" was pressed once: it asks before allowing every command. */
  #confirmAlways = false;
  /** The reason I was typing when someone else decided the request first. */
  #lostReason = '';
  /** The height (px) the card had while its request waited, kept since it was decided: see #keepPlace. */
  #waitedHeight = 0;
  /** The window was out of touch with the host at the last render (outOfTouch). */
  #offline = false;

  /** The transcript looked at the cards: see Arming.movedBy. */
  movedBy(byPerson: boolean): void {
    this.#arming.movedBy(this.permission?.status === 'pending', byPerson);
  }

  /**
   * Looks again at whether to keep its place: the transcript calls it after a scroll or a
   * resize, which can take every waiting card out of view (a reviewer's blank space stayed
   * with the waiting cards all above the view).
   */
  recheckPlace(): void {
    if (this.#waitedHeight > 0) this.#keepPlace();
  }

  /** Its row of buttons, while a host can decide (else null). */
  actionsRow(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.actions');
  }

  /** Takes the keyboard focus (see focusBox). */
  focusCard(): void {
    focusBox(this.renderRoot);
  }

  constructor() {
    super();
    new StateObserver(this);
  }

  static override styles = [base, cardStyles];

  protected override willUpdate(changed: PropertyValues<this>): void {
    const p = this.permission;
    const before = changed.get('permission') as Permission | undefined;
    if (p && before?.id === p.id && before.status === 'pending' && p.status !== 'pending' && this.isConnected) {
      // Measured before it shrinks to its outcome (the page still shows it waiting).
      this.#waitedHeight = this.getBoundingClientRect().height;
      if (keptHeights.size >= KEPT_MAX) keptHeights.clear();
      keptHeights.set(this.#keptKey(), this.#waitedHeight);
      // Kept before it renders shrunk: #keepPlace measures the cards (a layout), and WebKit
      // then clamped the view at the end to the shorter list, so the other cards moved all
      // the same (a user tester's, in the real window; Chromium lays out later).
      this.style.minHeight = `${this.#waitedHeight}px`;
    }
    if (p && p.status !== 'pending' && this.#reason.text.trim() !== '' && !this.#reason.waiting) {
      // A reason typed here, and someone else decided first (a tester's vanished unsaid).
      // Mine as the outcome's "by you" reads it (isReader): a name alone only live, as in
      // the history it may be another's who had it (written inline here, it trusted one).
      const mine = isReader(p.by_member, p.by, this.seq ?? 0, this.state?.reader ?? NO_READER);
      if (!mine) this.#lostReason = this.#reason.text.trim();
      this.#reason.text = '';
    }
    // Keyed on the role too: made a host while the request waits, the buttons appear then;
    // and on the requests decided so far: one decided above moves this card up.
    const shown = p ? `${p.id}\u0000${this.state?.isHost ?? false}\u0000${this.state?.permissionsSettled ?? 0}` : '';
    // Back in touch: Allow and Always allow come back only a moment later, as after any
    // change under the pointer (the resync may also have moved the card).
    const offline = this.state ? outOfTouch(this.state) : false;
    const back = this.#offline && !offline;
    this.#offline = offline;
    if (back && p?.status === 'pending' && shown === this.#shownId) this.#arming.arm();
    if (!p || p.status !== 'pending' || shown === this.#shownId) return;
    this.#shownId = shown;
    this.#confirmAlways = false;
    this.#arming.arm();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Its row rendered again (the transcript renders only what is near the view): the place
    // it kept is kept again (a reviewer's middle card moved after a scroll up and back).
    this.#waitedHeight = keptHeights.get(this.#keptKey()) ?? 0;
    if (this.#waitedHeight > 0) this.style.minHeight = `${this.#waitedHeight}px`;
    this.requestUpdate(); // shown again (scrolled back into view): armed again after a pause
  }

  override disconnectedCallback(): void {
    this.#shownId = '';
    this.#waitedHeight = 0;
    this.style.minHeight = '';
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.#keepPlace();
    // Just decided: the cards decided before it look again at whether to keep their place
    // (given up once no request in view waits).
    const before = changed.get('permission') as Permission | undefined;
    if (before?.status === 'pending' && this.permission?.status !== 'pending') {
      for (const c of (this.getRootNode() as ParentNode).querySelectorAll<PermissionCard>('permission-card')) if (c !== this && c.#waitedHeight > 0) c.requestUpdate();
    }
  }

  /**
   * A decided card keeps the height it had while it waited, as blank space under its
   * outcome, while another request it was asked with still waits in view. It shrank at
   * once, and the cards above it moved down by as much (the view follows the end, and the
   * browser keeps a view at the end when what it shows gets shorter) or those below moved
   * up: a user tester who denied the bottom one of three then clicked where the middle
   * one's Deny had been, and the click landed 110 px above it, where Allow or Always allow
   * could have been. Nothing moves while the host goes from one card to the next, in any
   * order.
   *
   * Given up once no other request waits, or none in view: the view then follows the end
   * again as it did, and a request whose card is out of view (above the end the view
   * follows) comes into view rather than waiting there unseen. Its Allow and Always allow
   * take clicks only a moment later (ARM_MS), as after any decision.
   */
  /** This card's key in keptHeights: request ids ("t1") are a party's own, so the party's too. */
  #keptKey(): string {
    return `${this.state?.session?.party.id ?? ''}\u0000${this.permission?.id ?? ''}`;
  }

  #keepPlace(): void {
    let h = '';
    const batch = this.permission?.batch;
    if (this.#waitedHeight > 0 && this.permission?.status !== 'pending' && waitingCards(this).some((c) => c !== this && c.permission?.batch === batch && inView(c))) {
      h = `${this.#waitedHeight}px`;
    } else {
      this.#waitedHeight = 0;
      keptHeights.delete(this.#keptKey());
    }
    if (this.style.minHeight !== h) this.style.minHeight = h;
  }

  /**
   * Always allow: at once, but for Bash, which would run any command on the owner's computer
   * unasked for the rest of the party; that asks first, as Allow everything does (a tester's).
   */
  #always(s: AppState, p: Permission): void {
    if (p.tool !== 'Bash') {
      void decided(this, () => s.control.decide(p.id, 'always'));
      return;
    }
    void this.#inPlace(() => (this.#confirmAlways = true)).then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid=permission-always-no]')?.focus());
  }

  /** Cancel (or Escape): the question goes, and the focus back to Always allow (it fell to the page: a reviewer's). */
  async #cancelAlways(): Promise<void> {
    await this.#inPlace(() => (this.#confirmAlways = false));
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid=permission-always]')?.focus();
  }

  /**
   * Makes change, keeping the card's buttons where they are on screen: the question of
   * Always allow Bash opens (and goes) above them, and the transcript scrolls by as much as
   * they moved, with a keep-place event (transcript-view.ts). Opened under them, it made the
   * card taller, and with the view following the end the buttons went up under the pointer:
   * a second click could land on another button (a tester's).
   */
  async #inPlace(change: () => void): Promise<void> {
    const before = this.actionsRow()?.getBoundingClientRect().top;
    this.#set(change);
    await this.updateComplete;
    const after = this.actionsRow()?.getBoundingClientRect().top;
    if (before === undefined || after === undefined || after === before) return;
    this.dispatchEvent(new CustomEvent<number>('keep-place', { detail: after - before, bubbles: true, composed: true }));
  }

  #set(f: () => unknown): void {
    f();
    this.requestUpdate();
  }

  /** The words are outcomeWords', each one text (find counts them so: state/shown-words.ts). */
  #outcome(p: Permission) {
    const w = outcomeWords(p, this.state?.reader ?? NO_READER, this.seq ?? 0);
    const why = w.why ? html`<span class="why">${w.why}</span>` : nothing;
    switch (w.status) {
      case 'allowed':
        return html`<span class="outcome allowed" data-testid="permission-outcome" data-status="allowed">${iconCheck()} <span>${w.text}</span>${why}</span>`;
      case 'timed_out':
        return html`<span class="outcome denied" data-testid="permission-outcome" data-status="timed_out">${iconX()} <span>${w.text}</span>${why}</span>`;
      case 'cancelled':
        // Nobody refused it: it ended undecided (a user tester read "Denied" and looked for who).
        return html`<span class="outcome cancelled" data-testid="permission-outcome" data-status="cancelled">${iconX()} <span>${w.text}</span>${why}</span>`;
      default:
        // A plan sent back is the review plan mode is for, not a refusal: said as the turn's
        // end says it (a user tester read a red "Denied" over a green "Done — the plan was
        // sent back for changes").
        return w.sentBack
          ? html`<span class="outcome" data-testid="permission-outcome" data-status="denied">${iconCheck()} <span>${w.text}</span>${why}</span>`
          : html`<span class="outcome denied" data-testid="permission-outcome" data-status="denied">${iconX()} <span>${w.text}</span>${why}</span>`;
    }
  }

  /**
   * What the request would do beyond its one line (a tester approved a Write seeing only the
   * file's name): the plan as Markdown (rendered safely, as the agent's replies are), anything
   * else as text; a long one scrolls inside the card.
   */
  #detail(p: Permission) {
    if (p.tool === EXIT_PLAN_TOOL) {
      return html`<div class="detail plan" data-testid="permission-detail"><markdown-view .text=${p.detail} .final=${true}></markdown-view></div>`;
    }
    // The owner's own view opens with a note of its own line, "(only you see this text …)":
    // said above the text, not inside it, where it read as part of the file (a window
    // tester's).
    const { note, text } = splitDetail(p.detail ?? '');
    // A Bash detail that starts "$ " is the whole command (its line above is cut), then the
    // agent's description of it on "# " lines (PROTOCOL.md §7).
    const bash = text.startsWith('$ ') ? 'The whole command, then what the agent says it does' : 'What the agent says it does';
    const label = p.tool === 'Write' ? 'What it would write' : p.tool === 'Edit' || p.tool === 'MultiEdit' ? 'The change (- removed, + added)' : p.tool === 'Bash' ? bash : 'Details';
    return html`<div class="detail" data-testid="permission-detail"><span class="label" data-find-skip>${label}</span>${note
      ? html`<span class="owner-note" data-find-skip data-testid="permission-owner-note">${note.charAt(0).toUpperCase() + note.slice(1)}.</span>`
      : nothing}<pre>${text}</pre></div>`;
  }

  /** How long until an undecided request is denied, from the host's `expires` (host clock). */
  #expires(s: AppState, p: Permission) {
    if (s.ended) return nothing; // the party is over: nobody will decide, nothing counts down
    if (outOfTouch(s)) {
      // The countdown is the host's: with the host out of reach, what it will say of this
      // request is not known here (a host that stops ends it as denied). A host is told why
      // the buttons are disabled, and that they come back.
      const words = 'The host cannot be reached: this request waits for it';
      return html`<span class="expires" data-find-skip data-testid="permission-expires" role="status">${s.isHost
        ? html`<span data-testid="card-offline">${words}. You can decide once reconnected.</span>`
        : words}</span>`;
    }
    const host = p.expires ? Date.parse(p.expires) : NaN;
    if (!Number.isFinite(host)) return nothing;
    const at = s.hostToLocal(host);
    // And of how long: the party's timeout, from the hello (a newer host's), said once on
    // the same line, so that the card keeps its height as the countdown runs.
    const of = formatWait(s.session?.party.permission_timeout_ms ?? NaN);
    return html`<span class="expires" data-find-skip data-testid="permission-expires">Denied automatically in <time-left .deadline=${at}></time-left>${of ? ` (of ${of})` : ''} if nobody decides</span>`;
  }

  override render() {
    const s = this.state;
    const p = this.permission;
    if (!s || !p) return nothing;
    const pending = p.status === 'pending';
    const busy = s.control.busy(`perm:${p.id}`);
    // Out of touch with the host: no decision is sent (the reason field still takes one).
    const offline = outOfTouch(s);
    const offTitle = offline ? OFFLINE_TITLE : nothing;
    const plan = p.tool === EXIT_PLAN_TOOL; // a plan is sent back to be changed, not refused
    const prompts = this.prompts ?? [];
    const refused = p.status !== 'allowed' && !(plan && p.status === 'denied' && p.by) && !isCancelledRequest(p);
    return html`<div class="card ${pending ? '' : refused ? 'done denied' : 'done'}" data-testid="permission-card" data-status=${p.status} data-id=${p.id}>
      <div class="head">
        ${iconTool()} <span><span data-find-skip>The agent wants to use </span><b data-testid="permission-tool">${p.tool}</b></span>
        <span class="grow"></span>
        ${prompts.length > 0 ? html`<span data-find-skip>for</span>${authors(prompts, true)}` : nothing}
      </div>
      <div class="body">
        <div class="summary" data-testid="permission-summary">${shownSummary(p, pending)}</div>
        ${pending && p.detail ? this.#detail(p) : nothing}
        ${!pending
          ? html`${this.#outcome(p)}${this.#lostReason
              ? html`<span class="expires" data-find-skip role="status" data-testid="permission-reason-unsent">Your reason was not sent, as ${p.status === 'timed_out' ? 'its time ran out' : p.by ? `${p.by} decided` : 'it was decided'} first: “${this.#lostReason}”</span>`
              : nothing}`
          : s.isHost
            ? html`${this.#confirmAlways
                ? // Above the buttons, which stay where they were clicked (#inPlace).
                  html`<div class="confirm-always" data-find-skip role="alertdialog" aria-labelledby="always-q-${p.id}" data-testid="permission-always-confirm"
                    @keydown=${(e: KeyboardEvent) => {
                      if (e.key !== 'Escape') return;
                      e.preventDefault(); // the view's Escape would also close a drawer
                      void this.#cancelAlways();
                    }}>
                    <span id="always-q-${p.id}">Allow every shell command the agent runs, for the rest of the party, without asking? They run on this computer, as you. (One whose words name a file that usually holds secrets still asks; a command can reach one without naming it.)</span>
                    <button class="danger solid small" data-testid="permission-always-yes" ?disabled=${busy || offline} title=${offTitle}
                      @click=${() => void decided(this, () => s.control.decide(p.id, 'always'))}>Yes, allow every command</button>
                    <button class="small" data-testid="permission-always-no" @click=${() => void this.#cancelAlways()}>Cancel</button>
                  </div>`
                : nothing}
              <div class="actions" data-find-skip>
                <button class="primary" data-testid="permission-allow" ?disabled=${busy || offline || !this.#arming.armed || this.#reason.waiting} title=${offTitle} @click=${() => void decided(this, () => s.control.decide(p.id, 'allow'))}>${iconCheck()} Allow</button>
                ${p.tool === EXIT_PLAN_TOOL || !s.isOwner || (s.session?.party.always ?? []).includes(p.tool) || editAsksInEditsMode(s, p.tool) || p.uncovered
                  ? // A plan is approved one at a time; "always" is the owner's (PROTOCOL.md §7); a
                    // tool always allowed that asks all the same (a file that usually holds
                    // secrets) is not covered by it, and was offered it again (a tester's).
                    nothing
                  : html`<button data-testid="permission-always" ?disabled=${busy || offline || !this.#arming.armed || this.#reason.waiting} title=${offline ? OFFLINE_TITLE : alwaysTitle(p.tool)} @click=${() => this.#always(s, p)}>Always allow ${p.tool}</button>`}
                <span class="deny">
                  <input data-testid="permission-reason" placeholder=${plan ? 'What to change (optional)' : 'Reason to deny (optional)'}
                    title=${plan ? 'What the plan should change: the agent sees it, and plans again' : 'Why it is denied: the agent sees it'} .value=${this.#reason.text} ?disabled=${busy}
                    @input=${(e: InputEvent) => this.#reason.typed((e.target as HTMLInputElement).value)}
                    @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && !offline && !this.#reason.waiting && void decided(this, () => s.control.decide(p.id, 'deny', this.#reason.text))} />
                  <button class="danger" data-testid="permission-deny" ?disabled=${busy || offline || this.#reason.waiting} title=${offTitle}
                    @mousedown=${keepFocus}
                    @click=${() => !this.#reason.waiting && void decided(this, async () => s.control.decide(p.id, 'deny', await this.#reason.settled()))}>${iconX()} ${plan ? 'Send back' : 'Deny'}</button>
                </span>
              </div>
              ${(s.session?.party.always ?? []).includes(p.tool)
                ? html`<span class="expires" data-find-skip data-testid="permission-always-covered">${p.tool} is always allowed, but not for ${uncoveredWords(p.tool)}: it asks each time.</span>`
                : editAsksInEditsMode(s, p.tool)
                  ? html`<span class="expires" data-find-skip data-testid="permission-always-covered">Edits mode allows the folder's files; ${uncoveredWords(p.tool)} ask each time.</span>`
                  : p.uncovered
                    ? // The party says an always would not cover it (a window tester was offered
                      // one on a .env write); true for a co-host too, who read that only the
                      // owner could allow it for good (a later tester's).
                      html`<span class="expires" data-find-skip data-testid="permission-always-covered">An always for ${p.tool} would not cover this one: ${uncoveredWords(p.tool)} ${EDIT_TOOLS.has(p.tool) ? 'ask' : 'asks'} each time.</span>`
                    : p.tool !== EXIT_PLAN_TOOL && !s.isOwner
                      ? // Said, not just left out (a tester's co-host looked for it): PROTOCOL.md §7.
                        html`<span class="expires" data-find-skip data-testid="permission-always-owner">Only the party's owner can allow a tool for the rest of the party.</span>`
                      : nothing}`
            : s.ended
              ? // Over for this window: the hosts at the party's end stay listed, and were still
                // named as deciding it, under a spinner (as the approval card no longer waits).
                html`<span class="wait" data-find-skip data-testid="permission-waiting" data-ended>${endedWaitWords(s.displayPhase)}</span>`
            : s.participants.some((m) => m.role === 'host')
              ? html`<span class="wait" data-find-skip data-testid="permission-waiting"><span class="spinner"></span> Waiting for ${deciders(s)} to allow or deny it…</span>`
              : html`<span class="wait" data-find-skip data-testid="permission-waiting" data-nohost>No host is in the party to decide: it is denied when its time runs out, unless a host comes back.</span>`}
        ${pending ? this.#expires(s, p) : nothing}
      </div>
    </div>`;
  }
}
customElements.define('permission-card', PermissionCard);


/**
 * The heights decided cards keep (#keepPlace), by request id: outside the element, which
 * the transcript drops with its row when it scrolls away and makes anew when it comes
 * back. An entry goes when its card gives its place up.
 */
const keptHeights = new Map<string, number>();
/** More kept heights than this is a leak (cards that went with their party): forgotten. */
const KEPT_MAX = 256;

/** The tool request cards shown beside card (in its transcript) that wait for a decision. */
function waitingCards(card: PermissionCard): PermissionCard[] {
  const all = (card.getRootNode() as ParentNode).querySelectorAll<PermissionCard>('permission-card');
  return [...all].filter((c) => c.permission?.status === 'pending');
}

/** Whether a card is in the transcript's view, as the transcript counts a waiting card seen. */
function inView(card: HTMLElement): boolean {
  const scroller = card.closest('.scroller');
  return scroller ? seenIn(card, scroller.getBoundingClientRect()) : card.isConnected;
}

/** <approval-card>: a merged batch that waits for a host's approval, then its outcome. */
export class ApprovalCard extends LitElement {
  static override properties = { state: { attribute: false }, item: { attribute: false } };
  declare state: AppState | undefined;
  declare item: ApprovalItem | undefined;
  #editing = false;
  /** The batch whose editor this card's leaving the page said closed (the other hosts were told): said open again when shown again. */
  #saidClosed = '';
  #text: string | null = null;
  /** Escape was pressed once on edits: the next one undoes them. */
  #escapeArmed = false;
  #rejecting = false;
  #reason = new Reason(this);
  /** The editor's typing: Send edited prompt reads the edits once it has landed (settle.ts). */
  #typing = new Typing();
  /**
   * My edits, when the prompt went without them: another host sent or rejected it, or
   * turned approval off, while I edited (a tester's edits vanished with no word).
   */
  #overtaken: { text: string; what: 'edits' | 'reason' } | null = null;
  /** The waiting batch this card shows, to a host or not (Send appears when made one). */
  #shownKey = '';
  /** Whether Send takes clicks yet: the same pause as a tool request's Allow (Arming). */
  #arming = new Arming(this);
  /** The window was out of touch with the host at the last render (outOfTouch). */
  #offline = false;

  constructor() {
    super();
    new StateObserver(this);
  }

  static override styles = [base, cardStyles];

  /** The transcript looked at the cards: see Arming.movedBy. */
  movedBy(byPerson: boolean): void {
    this.#arming.movedBy(this.item?.status === 'waiting', byPerson);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate(); // shown again (scrolled back into view): armed again after a pause
    // Shown again with its editor open, after its leaving said the editor closed: the other
    // hosts are told again. A move in the page said nothing, and says nothing again (it
    // did, at every move, and only the control's memory kept it from the host).
    const closed = this.#saidClosed;
    this.#saidClosed = '';
    const it = this.item;
    if (closed !== '' && this.#editing && it?.status === 'waiting' && it.approval.batch === closed && this.state?.isHost) this.state.control.editing(closed, true);
  }

  override disconnectedCallback(): void {
    this.#shownKey = '';
    super.disconnectedCallback();
    // Gone from the page with its editor open (scrolled out of the transcript's window, the
    // transcript replaced, the party view closed): nobody sees the editor, so the other
    // hosts must not be left reading "gus is editing this prompt". Said a moment later, so
    // that a card only moved in the page says nothing.
    const it = this.item;
    if (!this.#editing || it?.status !== 'waiting') return;
    queueMicrotask(() => {
      if (this.isConnected || !this.#editing || !this.state) return;
      this.state.control.editing(it.approval.batch, false);
      this.#saidClosed = it.approval.batch;
    });
  }

  /** Its row of buttons, while a host can decide (else null). */
  actionsRow(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.actions');
  }

  /** Takes the keyboard focus (see focusBox). */
  focusCard(): void {
    focusBox(this.renderRoot);
  }

  protected override willUpdate(): void {
    const it = this.item;
    const key = it?.status === 'waiting' ? `${it.approval.batch}\u0000${this.state?.isHost ?? false}` : '';
    // Back in touch with the host: Send comes back a moment later, as a tool request's Allow.
    const offline = this.state ? outOfTouch(this.state) : false;
    const back = this.#offline && !offline;
    this.#offline = offline;
    if (key !== '' && (key !== this.#shownKey || back)) this.#arming.arm();
    this.#shownKey = key;
    if (it?.status === 'waiting' && (this.#editing || this.#rejecting)) this.#noLongerHost(it);
    if (!it || it.status === 'waiting' || !(this.#editing || this.#rejecting)) return;
    const reader = this.state?.reader ?? NO_READER;
    const seq = it.decidedSeq ?? it.seq;
    // Mine when the batch says I edited it: the host may have changed the text on its way
    // (a leading space before "/", hidden characters taken out), so it is not compared (a
    // reviewer's own "/review the diff" was said not sent). Told as isReader tells it: by
    // name only live (written inline here, it trusted a name in the history).
    const text = this.#text;
    const mine = it.status === 'sent' && isReader(it.editedByMember, it.editedBy, seq, reader);
    if (this.#editing && !mine && (it.status === 'sent' || it.status === 'rejected') && text !== null && text.trim() !== '' && text !== it.approval.merged) {
      this.#overtaken = { text, what: 'edits' };
    }
    const reason = this.#reason.text.trim();
    if (this.#rejecting && reason !== '' && !(it.status === 'rejected' && isReader(it.rejected?.by_member, it.rejected?.by, seq, reader))) this.#overtaken = { text: reason, what: 'reason' };
    if (this.#editing) this.state?.control.editingEnded(it.approval.batch); // decided: the party forgot my editor
    this.#editing = false;
    this.#rejecting = false;
    this.#text = null;
    this.#escapeArmed = false;
    this.#reason.text = '';
  }

  /**
   * Made a participant or a viewer while editing the waiting prompt (or giving a reason to
   * reject it): the editor closes, its edits offered as overtaken ones. The host forgot the
   * editor with the role; kept open, it was said again after a reconnect, and made a host
   * again this window showed an editor the other hosts were not told of.
   */
  #noLongerHost(it: ApprovalItem): void {
    const s = this.state;
    if (!s || s.isHost || s.ended) return;
    const text = this.#text;
    if (this.#editing && text !== null && text.trim() !== '' && text !== it.approval.merged) this.#overtaken = { text, what: 'edits' };
    if (this.#editing) s.control.editingEnded(it.approval.batch);
    this.#editing = false;
    this.#rejecting = false;
    this.#text = null;
    this.#escapeArmed = false;
    this.#reason.text = '';
  }

  /** What became of the prompt my edits (or reason to reject it) were for, and a way to keep edits. */
  #overtakenNote(s: AppState, it: ApprovalItem) {
    const o = this.#overtaken;
    if (o === null) return nothing;
    const first =
      it.status === 'rejected'
        ? `${it.rejected?.by ?? 'a host'} rejected the prompt first`
        : it.released
          ? 'approval was turned off, and the prompt went as it was'
          : it.status === 'sent'
            ? 'another host sent the prompt first'
            : it.status === 'waiting'
              ? 'you are no longer a host'
              : 'the prompt was not sent';
    return html`<div class="overtaken" role="status" data-testid="approval-overtaken">
      <span>${o.what === 'edits' ? html`Your edits were not sent: ${first}.` : html`Your reason was not given: ${first}. It was: “${o.text}”`}</span>
      ${o.what === 'edits' && s.canDraft
        ? html`<button class="small" data-testid="approval-overtaken-keep" @click=${() => {
            s.putInPromptBox(o.text);
            this.#set(() => (this.#overtaken = null));
          }}>Put my edits in the prompt box</button>`
        : nothing}
      <button class="ghost small" data-testid="approval-overtaken-dismiss" aria-label="Dismiss" @click=${() => this.#set(() => (this.#overtaken = null))}>${iconX()}</button>
    </div>`;
  }

  /** "gus is editing this prompt", to the other hosts (party:editing). */
  #othersEditingNote(s: AppState, it: ApprovalItem) {
    const names = s.control.othersEditing(it.approval.batch, s.session?.you.id ?? '');
    if (names.length === 0) return nothing;
    const who = names.length === 1 ? `${names[0]} is` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are`;
    return html`<div class="editing-note" role="status" data-testid="approval-others-editing">${iconPencil()}
      <span>${who} editing this prompt${this.#editing ? '' : `: Send anyway sends it as it is, without ${names.length === 1 ? `${names[0]}'s` : 'their'} edits`}.</span></div>`;
  }

  #prompts(it: ApprovalItem) {
    return html`<ul class="prompts" data-testid="approval-prompts">
      ${it.prompts.map((p) => html`<li>${avatar(p.user)}<b>${p.user}</b><span class="t">${p.text}</span></li>`)}
    </ul>`;
  }

  #hostActions(s: AppState, it: ApprovalItem) {
    const batch = it.approval.batch;
    const busy = s.control.busy(`batch:${batch}`);
    // Out of touch with the host: nothing is decided (what prepares a decision stays).
    const offline = outOfTouch(s);
    const offTitle = offline ? OFFLINE_TITLE : nothing;
    if (this.#rejecting) {
      // Typed Enter comes after the keys before it; a click may not (Reason).
      const reject = async (settle: boolean) => {
        if (this.#reason.waiting || outOfTouch(s)) return;
        if (await decided(this, async () => s.control.reject(batch, settle ? await this.#reason.settled() : this.#reason.text))) this.#rejecting = false;
        this.requestUpdate();
      };
      return html`<div class="actions">
        <input data-testid="approval-reject-reason" placeholder="Reason (optional)" title="Why it is rejected: its authors see it" .value=${this.#reason.text}
          @input=${(e: InputEvent) => this.#reason.typed((e.target as HTMLInputElement).value)}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && !e.isComposing && !busy) void reject(false);
            if (e.key === 'Escape') {
              e.preventDefault(); // the view's Escape would also close a drawer and take the focus
              void this.#cancelReject();
            }
          }} />
        <button class="danger solid" data-testid="approval-reject-confirm" ?disabled=${busy || offline || this.#reason.waiting} title=${offTitle} @mousedown=${keepFocus} @click=${() => void reject(true)}>Reject</button>
        <button class="ghost" data-testid="approval-reject-cancel" @click=${() => void this.#cancelReject()}>Cancel</button>
      </div>`;
    }
    if (this.#editing) {
      const text = this.#text ?? it.approval.merged;
      return html`<div class="actions">
        <button class="primary" data-testid="approval-send-edited" ?disabled=${busy || offline || text.trim() === ''} title=${offTitle}
          @mousedown=${keepFocus}
          @click=${() =>
            // The edits read once the typing still on its way has landed (settle.ts): a click
            // could reach the page before the last keys typed into the prompt.
            void this.#typing.whenSettled(() => decided(this, () => s.control.approveEdited(batch, this.#text ?? it.approval.merged)))}>Send edited prompt</button>
        <button class="ghost" data-testid="approval-edit-cancel" @click=${() => void this.#cancelEdit()}>${text === it.approval.merged ? 'Cancel' : 'Undo edits'}</button>
        <span class="hint">Ctrl+Enter sends</span>
        ${this.#escapeArmed
          ? html`<span class="hint" role="status" data-testid="approval-escape-hint">Press Escape again to undo your edits.</span>`
          : nothing}
        ${text.trimStart().startsWith('/')
          ? // The party sends it as words (PROTOCOL.md §4): a host who typed /clear here
            // must not take it for a cleared session (a tester's, in the terminal).
            html`<span class="hint" data-testid="approval-slash-hint">Sent as words for the agent, not run as its command: <i>Agent commands</i> under Host controls run those.</span>`
          : nothing}
      </div>`;
    }
    // Another host has "Edit and send…" open: Send still sends, as it is, and says so
    // (their edits would be lost: a window tester's co-host lost his unseen).
    const others = s.control.othersEditing(batch, s.session?.you.id ?? '');
    return html`<div class="actions">
      <button class="primary" data-testid="approval-send" ?disabled=${busy || offline || !this.#arming.armed}
        title=${offline ? OFFLINE_TITLE : others.length > 0 ? 'Sends the prompt as it is now, without their edits' : nothing}
        @click=${() => void decided(this, () => s.control.approve(batch))}>${iconCheck()} ${others.length > 0 ? 'Send anyway' : 'Send'}</button>
      <button data-testid="approval-edit" ?disabled=${busy} @click=${() => this.#startEdit()}>Edit and send…</button>
      <span class="grow"></span>
      <button class="danger" data-testid="approval-reject" ?disabled=${busy} @click=${() => void this.#startReject()}>${iconX()} Reject…</button>
    </div>`;
  }

  #set(f: () => unknown): void {
    f();
    this.requestUpdate();
  }

  /** Opens the reason field, with the focus in it (it was left on the page). */
  async #startReject(): Promise<void> {
    this.#set(() => (this.#rejecting = true));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('[data-testid=approval-reject-reason]')?.focus();
  }

  /** Closes the reason field; the focus goes back to Reject…. */
  async #cancelReject(): Promise<void> {
    this.#set(() => (this.#rejecting = false));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid=approval-reject]')?.focus();
  }

  /** Leaves editing, its edits undone (Cancel, Escape); the focus goes back to Edit and send…. */
  async #cancelEdit(): Promise<void> {
    const batch = this.item?.approval.batch;
    if (this.#editing && batch !== undefined) this.state?.control.editing(batch, false);
    this.#set(() => ((this.#editing = false), (this.#text = null), (this.#escapeArmed = false)));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid=approval-edit]')?.focus();
  }

  async #startEdit(): Promise<void> {
    const batch = this.item?.approval.batch;
    if (batch !== undefined) this.state?.control.editing(batch, true); // the other hosts are told
    this.#set(() => ((this.#editing = true), (this.#escapeArmed = false)));
    await this.updateComplete;
    const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    ta?.focus();
  }

  override render() {
    const s = this.state;
    const it = this.item;
    if (!s || !it) return nothing;
    const waiting = it.status === 'waiting';
    if (!waiting) {
      const r = it.rejected;
      return html`<div class="card done ${r ? 'denied' : ''}" data-testid="approval-card" data-status=${it.status} data-batch=${it.approval.batch}>
        <div class="head">${iconMerge()} <span>${it.prompts.length === 1 ? 'Prompt' : `Batch of ${it.prompts.length} prompts`} from</span>${authors(it.prompts)}
          <span class="grow"></span>
          ${r
            ? r.reason === RESUMED_WITHOUT
              ? html`<span class="outcome" data-testid="approval-outcome">Not taken up on resume: send again what is still wanted</span>`
              : html`<span class="outcome rejected" data-testid="approval-outcome">${iconX()} <span>Rejected by ${rejectedBy(r, s.reader)}${r.reason ? ':' : ''}</span>${r.reason ? html`<span class="why">${r.reason}</span>` : nothing}</span>`
            : it.status === 'replaced'
              ? html`<span class="outcome" data-testid="approval-outcome">Not decided before the host stopped: merged again below</span>`
              : it.status === 'unsent'
                ? html`<span class="outcome rejected" data-testid="approval-outcome">Not sent: the party ended before a host decided</span>`
              : it.status === 'left'
                ? html`<span class="outcome" data-testid="approval-outcome">Still waiting for a host when you left: it goes on without you</span>`
              : it.status === 'removed'
                ? html`<span class="outcome" data-testid="approval-outcome">Still waiting for a host when you were removed: it stays in the party, for a host to send or reject</span>`
              : html`<span class="outcome allowed" data-testid="approval-outcome">${iconCheck()} ${it.released ? 'Sent: approval was turned off' : it.edited !== null ? 'Sent with edits' : 'Approved and sent'}</span>`}
        </div>
        ${this.#overtakenNote(s, it)}
      </div>`;
    }
    const host = s.isHost;
    return html`<div class="card" data-testid="approval-card" data-status="waiting" data-batch=${it.approval.batch}>
      <div class="head">${iconAlert()} <b>${host ? 'Approve this prompt before it is sent' : "Waiting for a host's approval"}</b>
        <span class="grow"></span>${authors(it.prompts)}</div>
      <div class="body">
        ${this.#prompts(it)}
        <label class="field">
          <span class="label">${it.prompts.length === 1 ? 'The prompt' : 'The merged prompt'}${this.#editing ? ' (editing)' : ''}</span>
          <textarea data-testid="approval-text" rows=${Math.min(12, (this.#text ?? it.approval.merged).split('\n').length + 1)}
            .value=${live(this.#text ?? it.approval.merged)} ?readonly=${!host || !this.#editing}
            @input=${(e: InputEvent) => {
              this.#typing.typed();
              this.#set(() => ((this.#text = (e.target as HTMLTextAreaElement).value), (this.#escapeArmed = false)));
            }}
            @blur=${() => this.#escapeArmed && this.#set(() => (this.#escapeArmed = false))}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && this.#editing && !e.isComposing) {
                // Sent from the keyboard, as the prompt box sends with Enter (a tester's
                // Ctrl+Enter did nothing): Enter alone is a new line here.
                e.preventDefault();
                this.renderRoot.querySelector<HTMLButtonElement>('[data-testid=approval-send-edited]')?.click();
                return;
              }
              if (e.key !== 'Escape' || !this.#editing || e.isComposing) return;
              e.preventDefault(); // as Reject's: the view's Escape would also close a drawer
              // Edits are not thrown away by one key (a tester's were, with no undo): the
              // first Escape says what the second does.
              const edited = this.#text !== null && this.#text !== it.approval.merged;
              if (edited && !this.#escapeArmed) {
                this.#set(() => (this.#escapeArmed = true));
                return;
              }
              void this.#cancelEdit();
            }}
            @change=${() => this.requestUpdate()}></textarea>
        </label>
        ${this.#overtakenNote(s, it)}
        ${host ? this.#othersEditingNote(s, it) : nothing}
        ${host
          ? html`${this.#hostActions(s, it)}${outOfTouch(s)
              ? html`<span class="expires" data-find-skip role="status" data-testid="card-offline">The host cannot be reached: the prompt waits for it. You can send or reject it once reconnected.</span>`
              : nothing}`
          : html`<span class="wait" data-testid="approval-waiting"><span class="spinner"></span> Waiting for a host's approval…</span>`}
      </div>
    </div>`;
  }
}
customElements.define('approval-card', ApprovalCard);

/** The tools with which the agent edits files: an "always" covers the folder's files but those the "edits" mode asks about. */
const EDIT_TOOLS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);

/** Which requests of tool an "always" leaves asking (the party's alwaysCovers). */
export function uncoveredWords(tool: string): string {
  if (EDIT_TOOLS.has(tool)) return 'files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets';
  if (tool === 'Bash') return 'a command that names a file that usually holds secrets';
  return 'a file that usually holds secrets';
}

/** An edit that asks in edits mode is one an "always" would not cover either: none is offered (a reviewer's). */
function editAsksInEditsMode(s: AppState, tool: string): boolean {
  return EDIT_TOOLS.has(tool) && s.session?.party.permission_mode === 'edits';
}

/** What Always allow does, as its tooltip: an edit tool's covers the folder, not all of it (a tester took it to cover a git hook). */
function alwaysTitle(tool: string): string {
  if (EDIT_TOOLS.has(tool)) return `Allow ${tool} in the folder for the rest of the party; ${uncoveredWords(tool)} still ask`;
  if (tool === 'Read' || tool === 'NotebookRead' || tool === 'Bash') return `Allow ${tool} for the rest of the party; ${uncoveredWords(tool)} still asks`;
  return `Allow ${tool} for the rest of the party, without asking`;
}

/**
 * What a tool request still undecided says once the party is over for this window
 * (displayPhase): it goes on without one who left or was removed; else nobody decides it.
 */
export function endedWaitWords(phase: string): string {
  if (phase === 'left') return 'Still waiting for a host when you left: it goes on without you';
  if (phase === 'removed') return 'Still waiting for a host when you were removed: it goes on without you';
  return 'Undecided: the party ended before a host allowed or denied it';
}

/**
 * Who may decide a tool request, by name: "hosty", "a host (hosty or Dana)". "The host" was
 * read as the party's owner alone, while a co-host decided it (a window tester's).
 */
export function deciders(s: Pick<AppState, 'participants'>): string {
  const hosts = s.participants.filter((m) => m.role === 'host').map((m) => m.name);
  if (hosts.length === 1) return hosts[0]!;
  if (hosts.length > 3) return 'a host';
  return `a host (${hosts.slice(0, -1).join(', ')} or ${hosts[hosts.length - 1]})`;
}
