// <party-view>: the party screen. Header with phase and connection, the
// transcript and prompt box, and a side panel with people, the queue, the
// invite (host) and the way out.

import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { AppState } from '../state/app-state';
import type { TranscriptItem } from '../state/transcript';
import { AGENT_COMMANDS, PARTY_PERMISSION_MODES, PERMISSION_MODES, permissionModeInParty, roleLabel } from '../state/host-control';
import { SHARE_LEVELS, countText } from '../state/workspace';
import type { Member, PermissionMode, Role } from '../state/types';
import { StateObserver } from './observe';
import { FocusReturn, ViewportController, focusedElement } from './viewport';
import { base } from './styles';
import { modalStyles, trapTab } from './modal';
import { agentLabel, formatWait, formatWindow, historyProgress, initials, nameHue } from '../state/format';
import './time-left';
import { Ticker } from './ticker';
import { iconAlert, iconArrowDown, iconCheck, iconCopy, iconDoor, iconFolder, iconGear, iconSearch, iconSend, iconStop, iconUsers, iconX, logo } from './icons';
import './transcript-view';
import type { TranscriptView } from './transcript-view';
import './changes-panel';
import { SLOW_SEND_MS, type PromptBox } from './prompt-box';
import './prompt-box';
import './countdown-pill';
import { Typing, keepFocus } from './settle';

/**
 * A closed list's arrow keys choose the next role at once, each key a role change everyone is
 * told of (a tester's ArrowDown made bob a viewer), and so does a letter. They do nothing
 * here: Space, Enter or Alt+ArrowDown opens the list, where the arrows move and Enter
 * chooses.
 */
function noArrowChoice(e: KeyboardEvent): void {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const moves = ['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'].includes(e.key);
  const typed = e.key.length === 1 && e.key !== ' '; // a letter chooses the role it begins too
  if (moves || typed) e.preventDefault();
}

/** The attempt from which the reconnect banner says what to do if the party moved (some 15 s of tries in). */
export const MOVED_HINT_FROM = 4;

/** A header button clicked: its tooltip goes (tip-off) until the pointer leaves it (tipBack), or the keyboard's focus does (tipBackFocus). */
function tipOff(e: Event): void {
  (e.target as Element | null)?.closest?.('[data-tip]')?.classList.add('tip-off');
}

function tipBack(e: MouseEvent): void {
  const b = (e.target as Element | null)?.closest?.('[data-tip].tip-off');
  if (b && !b.contains(e.relatedTarget as Node | null)) b.classList.remove('tip-off');
}

/**
 * What removing a member does to its prompts not sent yet, said before (a user tester's
 * host found out after, and sent a removed member's words held for approval by reflex).
 */
function kickPromptsWords(name: string, p: { waiting: number; held: number }) {
  return html`${p.waiting > 0
    ? html`<p data-testid="kick-waiting">${p.waiting === 1 ? `${name}'s waiting prompt is withdrawn` : `${name}'s ${p.waiting} waiting prompts are withdrawn`}: ${p.waiting === 1 ? 'it is' : 'they are'} not sent.</p>`
    : nothing}${p.held > 0
    ? html`<p data-testid="kick-held">${p.held === 1 ? `${name}'s prompt` : `${p.held} of ${name}'s prompts`} in the merged prompt that waits for approval ${p.held === 1 ? 'stays' : 'stay'} in it: reject it, or edit ${p.held === 1 ? 'it' : 'them'} out, before you send it.</p>`
    : nothing}`;
}

/** This button's tooltip back (Remove's, #kickButton): the pointer or the focus left it. */
function tipBackHere(e: Event): void {
  (e.currentTarget as HTMLElement).classList.remove('tip-off');
}

function tipBackFocus(e: FocusEvent): void {
  (e.target as Element | null)?.closest?.('[data-tip].tip-off')?.classList.remove('tip-off');
}

export class PartyView extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  /** Leave was clicked with a prompt typed and not sent, or prompts of mine waiting. */
  #confirmLeave = false;
  /** The host clicked "New invites" and has not confirmed it yet. */
  #confirmInvites = false;
  /** Whether the side panel is open where it is a drawer (narrow windows, or beside Changes). */
  #panel = false;
  /** The member a host is about to remove (the confirm dialog), and why. */
  #kick: Member | null = null;
  #kickReason = '';
  /** The Remove dialog's reason typing: Remove reads it once it has landed (settle.ts). */
  #kickTyping = new Typing();
  /** The Remove dialog's "also make new invites": the removed one's link stops working too. */
  #kickRotate = false;
  /** The agent command waiting for a confirm (/clear), and the free-text command. */
  #confirmCommand: { command: string; text: string } | null = null;
  #command = '';
  /** A host chose "Allow everything" for the tool permissions and has not confirmed it yet. */
  #confirmAll = false;
  /**
   * People's order as shown (member ids) while the pointer or the focus is in the list, else
   * null: the list is not re-sorted under them (#peopleShown). A window tester made "root" a
   * co-host; root jumped to the top (hosts first), and the select under the pointer, with the
   * focus, was now another member's, one click from changing the wrong person. Held, the row
   * acted on stays where it is, the focus in it; the list takes the host's order once both
   * have left. (Keeping the focus alone with the moved row would still have put another
   * member's row under the pointer.)
   */
  #peopleHeld: string[] | null = null;
  #pointerInPeople = false;

  /** The window's size classes (the styles' breakpoints); crossing one closes the drawer. */
  readonly #viewport = new ViewportController(this, () => this.#onResize());
  /** The control a dialog of this view was opened from, focused again when it closes. */
  readonly #focusReturn = new FocusReturn();
  /** Whether one of this view's dialogs was open at the last update. */
  #wasDialog = false;
  /** Whether the party had ended at the last update. */
  #wasEnded = false;
  /**
   * A member removed by this window's host, and its place in People: its row goes (when
   * the host says it left, before or after Kick returns), and with it the focus.
   */
  #kicked: { id: string; index: number; away: boolean } | null = null;

  constructor() {
    super();
    new StateObserver(this);
    // While a send waits, the header may have to say the host is not answering.
    new Ticker(this, 1000, () => Boolean(this.state?.sending));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.#onKey);
    document.addEventListener('pointerdown', this.#onPointer, true);
    this.addEventListener('focusout', this.#onFocusOut);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.#onKey);
    document.removeEventListener('pointerdown', this.#onPointer, true);
    this.removeEventListener('focusout', this.#onFocusOut);
    super.disconnectedCallback();
  }

  /**
   * A control disabled while its call is in flight drops the keyboard focus to the page (a
   * tester's approval box, role list, Ask again, Run: a second Space did nothing, Tab
   * started over at the window's top). It is given it back once enabled again, unless the
   * focus went somewhere meanwhile; a control that went away leaves it to whoever moves it
   * (a decided card, to the prompt box).
   */
  #disabledWithFocus: HTMLElement | null = null;
  readonly #onFocusOut = (e: FocusEvent): void => {
    const t = e.composedPath()[0];
    if (e.relatedTarget === null && t instanceof HTMLElement && (t as HTMLButtonElement).disabled) this.#disabledWithFocus = t;
  };

  #giveFocusBack(): void {
    const el = this.#disabledWithFocus;
    if (!el || (el as HTMLButtonElement).disabled) return;
    this.#disabledWithFocus = null;
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (el.isConnected && lost) el.focus();
  }

  /** The tool requests waiting for a host's decision that already uncovered the conversation. */
  #uncoveredFor = new Set<string>();

  override willUpdate(): void {
    // A tool request for a host to decide, with a drawer over the conversation where its
    // card is: the drawer goes (a window tester's Allow and Deny sat under the Changes
    // drawer at 640×480, the request said only by the phase pill). Once per request, by
    // its id: a drawer opened again while it waits stays, across a reconnect too.
    const waiting = this.state?.isHost ? pendingRequestIds(this.state.transcript) : [];
    if (waiting.some((id) => !this.#uncoveredFor.has(id))) this.#uncoverConversation();
    this.#uncoveredFor = new Set(waiting);
    // The party ended while Leave was asking: there is nothing to leave, here or in the
    // next party this view shows.
    if (this.state?.ended) this.#confirmLeave = false;
    // Only a host may change the tool permissions (a host made a participant, or the end).
    if (!this.state?.isHost) this.#confirmAll = false;
    // A dialog opens: the control it was opened from (still focused now) gets the focus back
    // when it closes (Tab went on from the window's top after Escape, a tester's).
    const open = this.#ownDialogOpen();
    if (open && !this.#wasDialog) this.#focusReturn.opened();
  }

  /** Whether the End party dialog was open at the last render (to focus it once as it opens). */
  #endShown = false;

  override firstUpdated(): void {
    // Joined or hosting: the keyboard is in the prompt box, where "Enter to send" is (a
    // tester's first typed prompt went nowhere, and Tab showed no focus, until a click).
    void this.updateComplete.then(() => {
      if (!this.#dialogOpen()) this.renderRoot.querySelector<PromptBox>('prompt-box')?.focusInput();
    });
  }

  override updated(): void {
    const open = this.#ownDialogOpen();
    if (!open && this.#wasDialog) this.#focusReturn.closed();
    const asked = Boolean(this.state?.endAsked);
    // The dialog opens on "Keep going", whoever opened it (this view's button or the tray);
    // the others on their first button, the one that changes nothing (Stay, Cancel).
    if (asked && !this.#endShown) this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="end-party-cancel"]')?.focus();
    else if (open && !this.#wasDialog) this.renderRoot.querySelector<HTMLButtonElement>('.backdrop.confirm footer button')?.focus();
    // The app makes what is outside this view inert too (toasts, the tray note: Tab reached
    // their buttons from a tester's Leave dialog).
    if (open !== this.#wasDialog) this.dispatchEvent(new CustomEvent<boolean>('modal-change', { detail: open, bubbles: true, composed: true }));
    this.#wasDialog = open;
    this.#endShown = asked;
    // After the nested components' own updates (a card's buttons, the Changes panel's).
    void Promise.resolve().then(() => this.#giveFocusBack());
    this.#keepFocus();
  }

  /** Whether the keyboard focus fell to the page (or onto nothing that takes it). */
  #focusLost(): boolean {
    const a = document.activeElement;
    if (a === null || a === document.body) return true;
    const f = focusedElement();
    return f === null || !f.isConnected || f.matches(':disabled') || f.tabIndex < 0;
  }

  /**
   * Where the focus goes when what had it went away with the party's change (it fell to the
   * page, a tester's, and Tab started over at the window's top): the ended view's Back to
   * home, whatever ended it (End party, Leave, removed); after a Remove, the next person in
   * People (or the one before), else the prompt box.
   */
  #keepFocus(): void {
    const s = this.state;
    const ended = Boolean(s?.ended);
    const justEnded = ended && !this.#wasEnded;
    this.#wasEnded = ended;
    const k = this.#kicked;
    const kickDone = k !== null && !ended && !(k.away ? s?.away : s?.participants)?.some((m) => m.id === k.id);
    if (ended || kickDone) this.#kicked = null;
    if (!justEnded && !kickDone) return;
    // After the nested components' updates (the prompt box's, as the party ends).
    void this.updateComplete.then(() => Promise.resolve()).then(() => {
      if (this.#dialogOpen() || !this.#focusLost()) return;
      if (justEnded) {
        this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="back-home"]')?.focus();
        return;
      }
      // The next in the list the member was in (a member away: the Away list's; a
      // reviewer's went to the last person here).
      const rows = [...this.renderRoot.querySelectorAll<HTMLElement>(k!.away ? '[data-testid="away-item"]' : '[data-testid="participant-item"]')];
      const at = Math.max(0, Math.min(k!.index, rows.length - 1));
      const order = [...rows.slice(at), ...rows.slice(0, at).reverse()];
      const control = order.map((r) => r.querySelector<HTMLElement>('select:not(:disabled), button:not(:disabled)')).find((c) => c);
      if (control) control.focus();
      else this.#focusPrompt();
    });
  }

  /** Whether a dialog of this view is open (End party, Leave, Remove, /clear, Allow everything). */
  #ownDialogOpen(): boolean {
    return Boolean(this.state?.endAsked) || this.#confirmLeave || this.#kick !== null || this.#confirmCommand !== null || this.#confirmAll;
  }

  /** Whether a dialog of this view or the app's is open (Escape and clicks are theirs then). */
  #dialogOpen(): boolean {
    const s = this.state;
    return this.#ownDialogOpen() || Boolean(s?.settingsOpen || s?.join.open);
  }

  /**
   * Narrow windows: the side panel and the Changes panel are drawers in the same place, and
   * from 1100 to 1399 px the side panel's drawer covers the Changes column: one is open at a time.
   */
  #narrow(): boolean {
    return this.#viewport.below(900);
  }

  #togglePanel(): void {
    if (this.#panel) {
      this.#closePanel(false);
      return;
    }
    this.#panel = true;
    const w = this.state?.workspace;
    if (w?.open && this.#narrow()) w.toggle(false);
    this.requestUpdate();
    // It opens at its top (People), not where it was last scrolled to (Host controls, with
    // its heading cut: a tester's).
    void this.updateComplete.then(() => {
      const aside = this.renderRoot.querySelector('aside');
      if (aside) aside.scrollTop = 0;
    });
  }

  /**
   * The approval box: it shows the click at once, and goes back to the party's setting when
   * the change is refused (a tester's stayed ticked, while reconnecting, with approval off:
   * bound to a value that was the same before and after, nothing reset it).
   */
  async #setApproval(s: AppState, box: HTMLInputElement): Promise<void> {
    if (!(await s.control.setApproval(box.checked))) box.checked = Boolean(s.session?.party.approval);
  }

  /** The keyboard to the prompt box (a card decided, Latest: the control that had it went). */
  readonly #focusPrompt = (): void => void this.renderRoot.querySelector<PromptBox>('prompt-box')?.focusInput();

  /** Stop: its button goes with the turn, and the focus to the prompt box (it fell to the page: a tester's). */
  async #stop(s: AppState): Promise<void> {
    const ok = await s.control.stop();
    const f = focusedElement();
    if (ok && (f === null || f.dataset.testid === 'stop-turn')) this.#focusPrompt();
  }

  /** Closes what covers the conversation in a narrow window: the Changes drawer, the side panel's. */
  #uncoverConversation(): void {
    const w = this.state?.workspace;
    if (w?.open && this.#viewport.below(1100)) w.toggle(false);
    if (this.#panel && this.#narrow()) this.#panel = false;
  }

  #toggleChanges(): void {
    const w = this.state?.workspace;
    if (!w) return;
    if (!w.open && this.#narrow()) this.#panel = false;
    w.toggle();
    this.requestUpdate();
  }

  /** Closes the side panel's drawer; focus goes back to its button when it was inside. */
  #closePanel(refocus: boolean): void {
    if (!this.#panel) return;
    const inside = refocus || this.renderRoot.querySelector('aside')?.matches(':focus-within');
    this.#panel = false;
    // A drawer closed under the pointer sends no mouseleave: People is not held for it.
    this.#pointerInPeople = false;
    this.#peopleHeld = null;
    this.requestUpdate();
    if (inside) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="panel-toggle"]')?.focus());
  }

  /**
   * Escape closes the top-most open panel, one each time: the side panel's drawer first, then
   * the Changes panel, a drawer or a column (after the drawer over the Changes column went,
   * a second Escape did nothing: a tester's).
   */
  readonly #onKey = (e: KeyboardEvent): void => {
    if (isFindKey(e) && !e.defaultPrevented && !this.#dialogOpen()) {
      // The window has no find bar of its own, and the transcript renders only what is on
      // screen: Ctrl+F finds in the transcript's items (a long party's words were lost).
      e.preventDefault();
      this.#openFind();
      return;
    }
    if (e.key !== 'Escape' || e.defaultPrevented || this.#dialogOpen()) return;
    if (this.#panel) {
      e.preventDefault();
      this.#closePanel(true);
      return;
    }
    const w = this.state?.workspace;
    if (!w?.open) return;
    // Typing (the prompt box, a field): Escape leaves a Changes column beside it alone, and
    // never takes the focus from the text; a drawer over the conversation still closes.
    const typing = e.composedPath().some((n) => n instanceof HTMLTextAreaElement || n instanceof HTMLInputElement);
    if (typing && !this.#viewport.below(1100)) return;
    e.preventDefault();
    w.toggle(false);
    if (!typing) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="changes-toggle"]')?.focus());
  };

  #openFind(): void {
    this.renderRoot.querySelector<TranscriptView>('transcript-view')?.openFind();
  }

  /** A click outside the side panel's drawer (and its button) closes it. */
  readonly #onPointer = (e: PointerEvent): void => {
    if (!this.#panel || this.#dialogOpen()) return;
    const aside = this.renderRoot.querySelector('aside');
    const toggle = this.renderRoot.querySelector('[data-testid="panel-toggle"]');
    const path = e.composedPath();
    if ((aside && path.includes(aside)) || (toggle && path.includes(toggle))) return;
    this.#closePanel(false);
  };

  /** Crossing a breakpoint closes the drawer: it starts closed at every size. */
  #onResize(): void {
    if (!this.#panel) return;
    this.#panel = false;
    this.requestUpdate();
  }

  static override styles = [
    base,
    modalStyles,
    css`
      :host { display: flex; flex-direction: column; height: 100%; min-height: 0; }
      /* The banner's place: no box of its own (the layout's rows stay as they were); inert under a dialog. */
      .banner-slot { display: contents; }
      .top {
        display: flex; align-items: center; gap: 14px; padding: 10px 16px;
        background: var(--surface); border-bottom: 1px solid var(--border);
      }
      .top > * { flex: none; }
      /* The party's name gives way first (cut with …), the phase pill only when the name is down to
         its least: a long display name cut the pill to "I…" at 1180 px (a tester's). */
      .top > .party-name { flex: 0 1000 auto; min-width: 48px; }
      /* The pill does not shrink at all (WebKitGTK still cut it to "Id…" beside a long name
         with the weights alone, a tester's); at most half the header, where a long label cuts. */
      .top > phase-pill { flex: none; max-width: 50%; }
      .top > .grow { flex: 1 1 0; min-width: 0; }
      /* From 720 px the party's name keeps a first name's worth; then your own name gives way
         (cut with …; whole in its tooltip and in People). A co-host's header, where both names
         can be long and a party without TLS has its mark, cut the party's name to 49 px at
         720–800 px (the pill's budgets below assume a short name of your own). Your name, not
         the pill: the pill does not shrink (see above). Its box clips, so that nothing in it
         overlaps Find. */
      :host(:not([vw~=lt720])) .top > .party-name { min-width: 88px; }
      .top > .me { flex: 0 1 auto; min-width: 0; overflow: hidden; }
      .me-name { min-width: 0; }
      .party-name { display: flex; flex-direction: column; line-height: 1.25; min-width: 48px; }
      .party-name b { font-size: calc(14.5px * var(--zoom, 1)); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      /* The agent's name on one line: beside a cut party name it wrapped to two and made the
         header a row taller (a tester's 900 px header during a tool request). */
      .party-name span { font-size: calc(12px * var(--zoom, 1)); color: var(--faint); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .conn { font-size: calc(12px * var(--zoom, 1)); display: inline-flex; gap: 6px; align-items: center; color: var(--faint); }
      .conn.connected { color: var(--ok); }
      .conn.connected.silent { color: var(--warn); }
      .conn.reconnecting, .conn.connecting { color: var(--warn); }
      .conn.closed { color: var(--danger); }
      .me, .me-name { display: inline-flex; gap: 8px; align-items: center; font-size: calc(13px * var(--zoom, 1)); }
      /* Your name takes the room the header has, up to a quarter of the window (the party's
         name gives way first, and your own long name would have cut it to its least): a fixed
         180 px, 120 px below 1100 px, cut a 40-letter name at 1920 px with half the header
         empty (a window tester's). With no room it is cut with …, whole in its tooltip. */
      .me b { max-width: max(120px, 25vw); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .role { font-size: calc(11px * var(--zoom, 1)); text-transform: uppercase; letter-spacing: 0.06em; color: var(--faint); font-weight: 650; }
      .banner {
        display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; justify-content: center; text-align: center;
        padding: 7px 16px; font-size: calc(13px * var(--zoom, 1)); font-weight: 550; overflow-wrap: anywhere;
        background: var(--warn-soft); color: var(--warn);
        border-bottom: 1px solid color-mix(in srgb, var(--warn) 30%, transparent);
      }
      .banner.closed { background: var(--danger-soft); color: var(--danger); }
      .banner.reconnect { flex-direction: column; flex-wrap: nowrap; gap: 2px; }
      .banner.reconnect .status-line { display: inline-flex; align-items: center; gap: 10px; }
      .banner.reconnect .status-line button { margin-left: 4px; }
      .banner.reconnect .details { display: flex; flex-wrap: wrap; justify-content: center; gap: 0 10px; }
      .banner .num { font-variant-numeric: tabular-nums; }
      .banner.ended { background: var(--surface-2); color: var(--text); border-bottom-color: var(--border); flex-wrap: wrap; padding: 9px 16px; }
      .banner.ended b { font-weight: 650; }
      .banner.ended button { font-weight: 550; }
      .changes-toggle .n { background: var(--surface-3); color: var(--muted); border-radius: 999px; padding: 0 6px; font-size: calc(11px * var(--zoom, 1)); }
      .banner small { font-weight: 400; opacity: 0.85; }
      /* Text with its count inline after the last word: as a flex row, a heading that wrapped
         ("People when you were removed") left its count floating beside both lines (a window
         tester's). */
      aside h3 {
        font-size: calc(11.5px * var(--zoom, 1)); text-transform: uppercase; letter-spacing: 0.07em; color: var(--faint);
        font-weight: 650; margin-bottom: 8px; line-height: 1.6;
      }
      aside h3 .last { white-space: nowrap; }
      aside h3 .n { display: inline-block; margin-left: 2px; white-space: nowrap; background: var(--surface-3); color: var(--muted); border-radius: 999px; padding: 0 7px; font-size: calc(11px * var(--zoom, 1)); line-height: 1.5; letter-spacing: 0; }
      .invite { display: grid; gap: 8px; }
      /* Brought into view clear of the sticky End party / Leave under it. */
      .confirm-inline { scroll-margin-bottom: 84px; display: grid; gap: 8px; padding: 10px; border-radius: var(--radius-sm); background: var(--warn-soft); color: var(--text); font-size: calc(12.5px * var(--zoom, 1)); }
      .confirm-inline .buttons { display: flex; gap: 8px; flex-wrap: wrap; }
      .invite code {
        display: block; font-family: var(--font-mono); font-size: calc(11.5px * var(--zoom, 1)); color: var(--muted);
        background: var(--surface-2); border: 1px solid var(--border); border-radius: var(--radius-sm);
        padding: 8px 10px; word-break: break-all; user-select: all;
      }
      /* One column no wider than the panel: an auto column grew to the longest name, and a
         57-character one pushed every row's role, Remove and tags out of the panel (a tester). */
      ul { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: minmax(0, 1fr); gap: 4px; }
      /* The role always in one place, under the name (its tag, or a host's select), with
         "you" beside it and Remove at the row's right: beside a short name and under a long
         one, the role made the list ragged (a window tester's), and beside the name a host's
         select left it little room (in the panel's 289 px "member2" was cut to "mem…", a
         tester's). The name has the row's width, on two lines at most, then is cut with …,
         whole in its tooltip. */
      li.person { display: flex; align-items: center; gap: 9px; padding: 4px 6px; border-radius: var(--radius-sm); font-size: calc(13px * var(--zoom, 1)); min-width: 0; }
      li.person .who { flex: 1 1 0; min-width: 0; display: flex; align-items: center; gap: 9px; }
      li.person .id { flex: 1 1 0; min-width: 0; display: grid; gap: 2px; justify-items: start; }
      li.person .name {
        max-width: 100%; overflow: hidden; overflow-wrap: break-word; line-height: 1.3;
        display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;
      }
      li.person .role-line { display: flex; flex-wrap: wrap; align-items: center; gap: 2px 8px; }
      li.person > :not(.who) { flex: none; }
      li.person:hover { background: var(--surface-2); }
      .avatar { width: 24px; height: 24px; border-radius: 50%; display: grid; place-items: center; font-size: calc(10px * var(--zoom, 1)); font-weight: 700; color: #fff; flex: none; }
      .tag { font-size: calc(11px * var(--zoom, 1)); color: var(--faint); }
      li.queued { font-size: calc(12.5px * var(--zoom, 1)); padding: 6px 8px; border-radius: var(--radius-sm); background: var(--surface-2); border: 1px solid var(--border); }
      li.queued b { font-weight: 650; display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      li.queued .t { color: var(--muted); display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; overflow-wrap: anywhere; }
      dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; font-size: calc(12.5px * var(--zoom, 1)); }
      dt { color: var(--faint); }
      dd { margin: 0; color: var(--text); overflow-wrap: anywhere; }
      .spacer { flex: 1; }
      .leave { display: grid; position: sticky; bottom: -16px; margin: 0 -16px -16px; padding: 12px 16px 16px; background: var(--surface); border-top: 1px solid var(--border); }
      .save-running { margin-top: 10px; }
      .confirm .dialog { width: min(420px, 100%); overflow-wrap: anywhere; }
      /* "Keep <name>" gives way to Remove: a 57-character name ran out of the dialog (a tester). */
      .confirm footer { min-width: 0; }
      .confirm button.keep { display: inline-flex; gap: 0.3em; min-width: 0; max-width: 60%; }
      .confirm button.keep .who { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .stop { color: var(--danger); border-color: color-mix(in srgb, var(--danger) 45%, var(--border)); position: relative; }
      /* Its own tooltip, not a title: WebKitGTK kept a native one on screen after the button
         went away with the turn (a tester). This one goes with the button. */
      /* Send now too (it also goes away), and on the keyboard's focus: icon-only at narrow
         widths, they had only an aria-label to say what they do (a tester's 480 px). Kept in
         the window: from the button's right edge for Stop, its left for Send now. */
      .top [data-tip] { position: relative; }
      .top [data-tip]:hover::after, .top [data-tip]:focus-visible::after {
        content: attr(data-tip); position: absolute; top: calc(100% + 6px); left: 0;
        width: max-content; max-width: min(320px, 80vw); white-space: normal; text-align: left;
        padding: 4px 8px; border-radius: var(--radius-sm); font-size: calc(12px * var(--zoom, 1)); font-weight: 500;
        background: var(--text); color: var(--bg); pointer-events: none; z-index: 20;
      }
      .top .stop[data-tip]:hover::after, .top .stop[data-tip]:focus-visible::after,
      .top .tip-end[data-tip]:hover::after, .top .tip-end[data-tip]:focus-visible::after { left: auto; right: 0; }
      /* Clicked, a button's tooltip goes until the pointer leaves it: it stood over the panel
         or dialog the click opened (a user tester's Changes and Settings, WebKitGTK). The
         buttons at the header's end open it from their right edge, inside the window. */
      .top [data-tip].tip-off::after { display: none; }
      .roles { width: auto; min-height: 26px; padding: 2px 6px; font-size: calc(12px * var(--zoom, 1)); }
      li.person .kick { min-height: 26px; padding: 0 8px; }
      /* Remove's explanation (#kickButton): under the button, opening leftwards from its right
         edge and no wider than the panel's rows, so that it stays inside the panel and the
         window (a native title ran past the window's right edge: a tester's). */
      .tipped { position: relative; display: inline-flex; }
      .tipped > .tip {
        display: none; position: absolute; top: calc(100% + 6px); right: 0; z-index: 30;
        width: max-content; max-width: min(240px, calc(100vw - 48px)); white-space: normal; overflow-wrap: anywhere;
        text-align: left; padding: 4px 8px; border-radius: var(--radius-sm); font-size: calc(12px * var(--zoom, 1)); font-weight: 500;
        background: var(--text); color: var(--bg); pointer-events: none;
      }
      /* Not once clicked, until the pointer or the focus leaves: it stood over the Remove
         dialog's backdrop (a user tester's). */
      .tipped > button:not(.tip-off):hover + .tip, .tipped > button:not(.tip-off):focus-visible + .tip { display: block; }
      /* Nor under a dialog of this view (the header and the layout are inert then): the dialog
         takes the focus, whose blur ends tip-off, and WebKitGTK keeps :hover on the button
         until the pointer moves, so the tooltip came back under the Remove dialog's dimmed
         backdrop (a window tester's). */
      [inert] .tipped > .tip, .top[inert] [data-tip]::after { display: none !important; }
      li.person.away .name { color: var(--faint); }
      .away-head { margin: 12px 0 6px; font-size: calc(11px * var(--zoom, 1)); font-weight: 650; color: var(--faint); text-transform: uppercase; letter-spacing: 0.07em; display: flex; align-items: center; gap: 6px; }
      .away-head .n { background: var(--surface-3); color: var(--muted); border-radius: 999px; padding: 0 7px; font-size: calc(11px * var(--zoom, 1)); letter-spacing: 0; }
      .invite .label { font-size: calc(12px * var(--zoom, 1)); }
      ul.stale { opacity: 0.6; }
      /* The whole link, as it is handed out: a box of three lines and a scrollbar cut it at
         every size (a window tester's, even at 1920 wide). */
      .control { display: grid; gap: 8px; }
      fieldset.bare { display: contents; }
      .control .cmds { display: flex; gap: 6px; flex-wrap: wrap; }
      .control .busy { display: inline-flex; gap: 6px; align-items: center; }
      /* The longest choice, "Allow file edits, ask for the rest", whole in the 258 px the panel
         gives it (at 14 px WebKitGTK cut it to "…ask for the res"); its tooltip has it too. */
      .control select { font-size: calc(13px * var(--zoom, 1)); padding-left: 8px; padding-right: 6px; }
      .control .always { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
      .control .always li { display: flex; align-items: center; gap: 8px; justify-content: space-between; }
      .control .always code { font-family: var(--font-mono); font-size: calc(12.5px * var(--zoom, 1)); overflow-wrap: anywhere; }
      .control form { display: flex; gap: 6px; }
      .control form input { font-family: var(--font-mono); font-size: calc(12.5px * var(--zoom, 1)); }

      /*
       * The layout at every size (frontend/README.md, "Window sizes"). One grid: the
       * conversation (transcript over prompt box) in the first column, then the Changes panel
       * and the side panel (people, queue, controls) as columns while there is room. When
       * there is not, they become drawers over the transcript, opened from the header; a
       * drawer never covers the prompt box.
       *
       *   ≥ 1400 px   conversation | Changes (when open) | side panel
       *   1100–1399   conversation | Changes; the side panel is a drawer over the Changes column
       *   900–1099    conversation | side panel; Changes is a drawer over the transcript
       *   < 900       conversation only; the side panel and Changes are drawers over the transcript
       */
      .layout {
        flex: 1; min-height: 0; display: grid;
        grid-template-columns: minmax(0, 1fr) 290px; grid-template-rows: minmax(0, 1fr) auto;
      }
      .layout.changes-open { grid-template-columns: minmax(0, 1fr) minmax(340px, 34%) 290px; }
      transcript-view { grid-row: 1; grid-column: 1; min-height: 0; min-width: 0; }
      prompt-box { grid-row: 2; grid-column: 1; min-width: 0; }
      changes-panel { grid-row: 1 / -1; grid-column: 2; border-left: 1px solid var(--border); min-height: 0; }
      aside {
        grid-row: 1 / -1; grid-column: -2;
        border-left: 1px solid var(--border); background: var(--surface); min-height: 0; min-width: 0;
        overflow-y: auto; overflow-x: hidden; padding: 16px; display: flex; flex-direction: column; gap: 20px;
        /* What the keyboard reaches scrolls clear of the sticky End party / Leave bar (a
           window tester's Tab went under it). */
        scroll-padding-bottom: 84px;
      }
      .drawer-head { display: none; }
      .panel-toggle { display: none; }
      .panel-toggle .n { background: var(--surface-3); color: var(--muted); border-radius: 999px; padding: 0 6px; font-size: calc(11px * var(--zoom, 1)); }
      /* The breakpoints are attributes (viewport.ts), not @media: WebKitGTK kept a party screen
         shown once at full width in its wide layout when it came back at 800 px. */
      :host([vw~=lt1400]) .layout.changes-open { grid-template-columns: minmax(0, 1fr) minmax(360px, 40%); }
      :host([vw~=lt1400]) .layout.changes-open aside { display: none; }
      /* Over the whole Changes column, not beside half of it: its cut lines showed past the
         drawer's edge (a tester, 1180×720). Escape closes the drawer, then Changes. */
      :host([vw~=lt1400]) .layout.changes-open.panel-open aside {
        display: flex; grid-column: 2; justify-self: stretch; width: auto; z-index: 20; box-shadow: var(--shadow-lg);
      }
      :host([vw~=lt1400]) .top.changes-open .panel-toggle { display: inline-flex; }
      :host([vw~=lt1400]) .layout.changes-open .drawer-head { display: flex; }

      :host([vw~=lt1100]) .layout.changes-open { grid-template-columns: minmax(0, 1fr) 290px; }
      :host([vw~=lt1100]) .layout.changes-open aside { display: flex; }
      :host([vw~=lt1100]) .layout.changes-open .drawer-head { display: none; }
      :host([vw~=lt1100]) .top.changes-open .panel-toggle { display: none; }
      :host([vw~=lt1100]) .layout.changes-open changes-panel {
        grid-row: 1; grid-column: 1; justify-self: end; width: min(460px, 94%); z-index: 15;
        box-shadow: var(--shadow-lg);
      }
      :host([vw~=lt1100]) .layout.changes-open.panel-open aside { grid-column: -2; box-shadow: none; }

      :host([vw~=lt900]) .layout, :host([vw~=lt900]) .layout.changes-open { grid-template-columns: minmax(0, 1fr); }
      :host([vw~=lt900]) .layout aside, :host([vw~=lt900]) .layout.changes-open aside { display: none; }
      :host([vw~=lt900]) .layout.panel-open aside, :host([vw~=lt900]) .layout.changes-open.panel-open aside {
        display: flex; grid-row: 1; grid-column: 1; justify-self: end; width: min(340px, 88%);
        z-index: 20; box-shadow: var(--shadow-lg);
      }
      :host([vw~=lt900]) .layout.changes-open changes-panel { width: min(460px, 88%); }
      :host([vw~=lt900]) .layout .drawer-head, :host([vw~=lt900]) .layout.changes-open .drawer-head { display: flex; }
      :host([vw~=lt900]) .top .panel-toggle, :host([vw~=lt900]) .top.changes-open .panel-toggle { display: inline-flex; }
      :host([vw~=lt900]) .narrow-hide { display: none; }
      /*
       * What the header gives up as it narrows, first to last (a window tester's 800 px
       * header during a tool request had kept HOST while Stop lost its word, Changes its
       * word, and your own name went; a co-host's party name was cut to "Hana's …"):
       *
       *   1. the role's word (HOST, CO-HOST): People lists it, and your name's tooltip says it;
       *   2. your avatar (your name stays, cut with … where there is no room, whole in its tooltip);
       *   3. People's word (its icon and count stay, and its tooltip);
       *   4. the connection's word, beside Stop or Send now (has-action: a host's turn running,
       *      or prompts waiting for more) below 1100 px: its coloured dot stays, named for a
       *      screen reader and in its tooltip, and when it is not connected the banner under
       *      the header says so (900 px with Stop cut "Margaret's party" without this);
       *   5. Changes' word beside Stop or Send now (its folder and count stay, named likewise);
       *   6. the phase, cut with … (its tooltip has it whole) where the name would have less
       *      than a first name's worth;
       *   7. below 720 px only: Stop's word and your name, in every phase (Stop is its icon,
       *      named and in its tooltip as Send now is its arrow below 900 px; your name is in
       *      People). Above it, your name is cut with … before the party's name goes below a
       *      first name's worth (88 px). Idle, a co-host's or a participant's long name pushed
       *      Settings out of a 520–560 px window and the header to a third row at 400 px.
       *
       * Never: Find (Ctrl+F's button: a tester's 800 px header lost it once), Settings, the
       * party's name (cut to its least, whole in its tooltip), Stop itself.
       */
      :host([vw~=lt1100]) .top { gap: 10px; }
      :host([vw~=lt1100]) .top.has-action .role,
      :host([vw~=lt1100]) .top.has-action .me .avatar,
      :host([vw~=lt1100]) .top.has-action .conn-word { display: none; }
      /* 1100–1399 px with Changes open and Stop: People comes back to the header, and the
         party's name was cut to "Margar…" (a builder's look). The role and your avatar give
         way there too; below 1200 px the connection's word as well. */
      :host([vw~=lt1400]) .top.has-action.changes-open .role,
      :host([vw~=lt1400]) .top.has-action.changes-open .me .avatar,
      :host([vw~=lt1200]) .top.has-action.changes-open .conn-word { display: none; }
      :host([vw~=lt900]) .people-word, :host([vw~=lt900]) .role, :host([vw~=lt900]) .me .avatar { display: none; }
      /* Below 900 px Send now is its arrow (named for a screen reader, and in its tooltip): with
         its word, Settings, the role and at 760 px Changes were pushed out of the window (a
         colleague's look at 520–800 px). */
      :host([vw~=lt900]) .send-word { display: none; }
      :host([vw~=lt900]) .top.has-action .changes-word { display: none; }
      :host([vw~=lt900]:not([vw~=lt720])) .top.has-action > phase-pill { max-width: calc(100% - 545px); }
      :host([vw~=lt760]) .changes-word { display: none; }
      :host([vw~=lt720]) .conn-word, :host([vw~=lt720]) .stop-word, :host([vw~=lt720]) .top > .me { display: none; }
      :host([vw~=lt900]) .top { gap: 8px; padding: 10px 12px; }

      :host([vw~=lt720]) .tiny-hide { display: none; }
      :host([vw~=lt720]) .top > svg { display: none; }
      /* 520–719 px with Stop or Send now: the longer phases ("Collecting · waiting for 2 more",
         "Waiting for a tool decision") pushed Settings, at 520 px Changes too, out of the window
         (a colleague's look). The pill is cut (its tooltip has it whole) to what the name at its
         least and the buttons leave: the action's icon, the connection's dot, People, Changes and
         Settings, with some room for longer counts. Without an action too, less its icon: a
         participant's "Waiting for a tool decision" is as long, and pushed Settings out of a
         520 px window beside a long name. A party without TLS has its mark beside the dot
         (plain): 24 px more. */
      :host([vw~=lt720]:not([vw~=lt520])) .top > phase-pill { max-width: calc(100% - 326px); }
      :host([vw~=lt720]:not([vw~=lt520])) .top.plain > phase-pill { max-width: calc(100% - 350px); }
      :host([vw~=lt720]:not([vw~=lt520])) .top.has-action > phase-pill { max-width: calc(100% - 372px); }
      :host([vw~=lt720]:not([vw~=lt520])) .top.has-action.plain > phase-pill { max-width: calc(100% - 396px); }
      /* Too narrow for the phase beside the buttons (a tester's 400 px window scrolled sideways
         during a tool request, People and Settings out of view): the phase and Send now have a
         second row, whatever the phase's length (the header jumped between one row and two as
         the phase changed: a reviewer's). */
      .top > .row-break { display: none; }
      /* Column gaps of 6 px: Find beside Stop left a long party name 87 px at 400 px. */
      :host([vw~=lt520]) .top { flex-wrap: wrap; row-gap: 6px; column-gap: 6px; }
      :host([vw~=lt520]) .top > .row-break { display: block; flex: 0 0 100%; height: 0; order: 1; }
      :host([vw~=lt520]) .top > phase-pill, :host([vw~=lt520]) .top > [data-testid='send-now'] { order: 2; }
      :host([vw~=lt520]) .top > phase-pill { max-width: calc(100% - 60px); }
      /* The first row: the name takes what the buttons leave, cut with … (its tooltip has it
         whole), and the spacer goes. Its whole width (flex-basis auto) wrapped a long name
         ("Bartholomew-Alexander's party") to a row of its own, the buttons to a third. */
      :host([vw~=lt520]) .top > .party-name { flex: 1 1 0; }
      :host([vw~=lt520]) .top > .grow { display: none; }
      .drawer-head { align-items: center; gap: 8px; margin: -6px -6px -8px 0; }
      .drawer-head b { font-size: calc(13px * var(--zoom, 1)); font-weight: 650; flex: 1; }
      .confirm .body p { color: var(--muted); }
      .conn .plain { margin-left: 6px; color: var(--warn, #b7791f); display: inline-flex; align-items: center; gap: 3px; }
      .conn .plain svg { width: 12px; height: 12px; flex: none; }
    `,
  ];

  /**
   * The person's role in the header: none once the party is over for them (a tester's header
   * still said "participant"; then it said "LEFT" beside the phase's "Left" and the banner's
   * "You left": the phase and the banner say it).
   */
  #roleWord(s: AppState): string {
    const sess = s.session!;
    if (s.ended) return '';
    return sess.you.role === 'host' && sess.role !== 'host' ? 'co-host' : sess.you.role;
  }

  #avatar(name: string) {
    return html`<span class="avatar" style="background: hsl(${nameHue(name)} 55% 48%)" aria-hidden="true">${initials(name)}</span>`;
  }

  #connection(s: AppState) {
    const c = s.connection;
    // Not connected, the word goes: the phase ("Reconnecting…") and the banner under the
    // header say it, with the attempts and Retry now (a window tester's screen said
    // "Reconnecting" four times). The dot stays, coloured, named and in its tooltip.
    // Connected, but a send has had no answer for a while: the host may be frozen (a window
    // tester's header said "Connected" beside "The host has not answered for 21 s").
    const silent = c.status === 'connected' && s.sending && s.sendingSince > 0 && Date.now() - s.sendingSince >= SLOW_SEND_MS;
    const label = silent
      ? 'Not answering'
      : c.status === 'connected'
        ? 'Connected'
        : c.status === 'reconnecting'
          ? 'Reconnecting'
          : c.status === 'connecting'
            ? 'Connecting'
            : 'Disconnected';
    const plain = s.unencrypted
      ? html`<span class="plain" data-testid="party-unencrypted" title="This party's traffic is not encrypted (its host was started with --insecure)"
          aria-label="not encrypted">${iconAlert()}<span class="narrow-hide">not encrypted</span></span>`
      : nothing;
    return html`<span class="conn ${c.status} ${silent ? 'silent' : ''}" data-testid="party-connection" data-status=${c.status} title=${silent ? 'Connected, but the host has not answered your prompt yet' : label}
      role="img" aria-label=${s.unencrypted ? `${label}, not encrypted` : label}><span class="dot"></span>${c.status === 'connected' ? html`<span class="conn-word">${label}</span>` : nothing}${plain}</span>`;
  }

  #banner(s: AppState) {
    if (s.ended) {
      return html`<div class="banner ended" data-testid="party-ended" role="status">
        ${iconAlert()} <b data-testid="party-ended-reason">${s.endedText}</b>
        <button class="small primary" data-testid="save-transcript" ?disabled=${s.savingTranscript} @click=${() => void s.saveTranscript()}>
          ${s.savingTranscript ? html`<span class="spinner"></span> Saving…` : html`${iconArrowDown()} Save as Markdown`}
        </button>
        <button class="small" data-testid="back-home" @click=${() => s.backHome()}>${iconDoor()} Back to home</button>
      </div>`;
    }
    const c = s.connection;
    if (c.status === 'connected') return nothing;
    if (c.status === 'closed') {
      return html`<div class="banner closed" data-testid="reconnect-banner" role="alert">${iconAlert()} Disconnected from the host${c.error ? html`<small>— ${c.error}</small>` : nothing}</div>`;
    }
    if (c.history) {
      // The host answered; what was missed is on its way (a long party's took a while).
      // Nothing to retry: Retry now did nothing here (a reviewer's).
      const h = historyProgress(c.history);
      return html`<div class="banner reconnect" data-testid="reconnect-banner" role="status">
        <span class="status-line"><span class="spinner"></span><span>Reconnected; catching up on what you missed…</span></span>
        <span class="details" data-testid="reconnect-history"><small>${h.text} (${h.pct}%)</small></span>
      </div>`;
    }
    // Retry now keeps one place, at the end of the first line, whatever the lines under it
    // say (it moved from a line of its own to beside the countdown as the texts changed).
    return html`<div class="banner reconnect" data-testid="reconnect-banner" role="status">
      <span class="status-line"><span class="spinner"></span>
        <span>${c.status === 'connecting' ? 'Connecting…' : 'Reconnecting…'}${c.attempt > 0 ? html` (attempt <span class="num">${c.attempt}</span>)` : ''}</span>
        ${c.status === 'reconnecting' ? html`<button class="small" data-testid="retry-now" title="Try to reach the host now" @click=${() => void s.retryNow()}>Retry now</button>` : nothing}</span>
      ${c.error || c.retryMs > 0
        ? html`<span class="details">${c.error ? html`<small>last error: ${c.error}</small>` : nothing}
            ${c.retryMs > 0 && s.retryAt > 0 ? html`<small data-testid="retry-in"><retry-in .deadline=${s.retryAt}></retry-in></small>` : nothing}</span>`
        : nothing}
      ${c.status === 'reconnecting' && c.attempt >= MOVED_HINT_FROM
        ? // Retried for good at an address the party left (a window tester's host resumed it
          // on another port): what else there is to do.
          html`<span class="details"><small data-testid="reconnect-moved">If the host started the party again at another address, leave it and join with the link they send.</small></span>`
        : nothing}
    </div>`;
  }

  #confirm(s: AppState) {
    return html`<div class="backdrop confirm" @click=${(e: Event) => e.target === e.currentTarget && this.#setConfirm(false)}>
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="end-title" data-testid="end-party-dialog"
        @keydown=${(e: KeyboardEvent) => escape(e, () => this.#setConfirm(false))}>
        <header><h2 id="end-title">End the party?</h2></header>
        <div class="body"><p>The agent stops and everyone is disconnected, you included.</p>${this.#lost(s)}
          ${s.unsentDraft.trim() !== ''
            ? // As Leave says it (a window tester's host ended the party over a draft, unwarned).
              // Not "will be lost": the ended party's page still shows it, to copy (a window
              // tester's).
              html`<p data-testid="end-party-draft">What you typed in the prompt box has not been sent, and will not be.</p>`
            : nothing}</div>
        <footer>
          <button data-testid="end-party-cancel" @click=${() => this.#setConfirm(false)}>Keep going</button>
          <button class="danger solid" data-testid="end-party-confirm" ?disabled=${s.ending}
            @click=${async () => {
              await s.endParty();
            }}>${s.ending ? html`<span class="spinner"></span> Ending…` : 'End party'}</button>
        </footer>
      </div>
    </div>`;
  }

  /**
   * What ending now would cut short or leave unsent (the terminal's /quit says the same): the
   * agent's turn under way, a tool request waiting for a decision, waiting prompts. It said
   * only the prompts, and a tester's pending tool request was denied without a word.
   */
  #lost(s: AppState) {
    const n = s.pending.length;
    const turn =
      s.phase === 'awaiting_permission'
        ? html`<p data-testid="end-party-turn"><b>The agent's tool request waiting for a decision is denied,</b> and its turn is stopped where it is.</p>`
        : s.phase === 'running'
          ? html`<p data-testid="end-party-turn"><b>The agent's turn under way is stopped</b> where it is.</p>`
          : nothing;
    const prompts =
      n === 0
        ? nothing
        : html`<p data-testid="end-party-unsent"><b>${n === 1 ? '1 waiting prompt is' : `${n} waiting prompts are`} not sent.</b>
            Everyone is told which; resuming this party from the home screen queues ${n === 1 ? 'it' : 'them'} again.</p>`;
    // A chaos tester's host stopped while the disk was full: the party could never be resumed.
    // It can now, without what the journal lacks, unless that changed the party's rules.
    const journal = !s.journalBehind
      ? nothing
      : s.journalGaveUp
        ? html`<p data-testid="end-party-journal"><b>The party's journal gave up catching up:</b> what happened since it fell behind is missing from its history, and the party cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do).</p>`
        : html`<p data-testid="end-party-journal"><b>The party's journal could not be written (is the disk full?):</b> ended now, what happened since is missing from its history, and the party cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do). Make room first: it catches up within seconds.</p>`;
    return html`${journal}${turn}${prompts}`;
  }

  #invites(s: AppState) {
    const sess = s.session!;
    return html`<section class="invite">
      <h3>Invites</h3>
      <span class="label">To take part (prompt the agent)</span>
      ${sess.invite
        ? html`<code data-testid="invite-link">${sess.invite}</code>
            <button data-testid="invite-copy" @click=${() => void s.copyInvite()}>
              ${s.inviteCopied ? html`${iconCheck()} Copied` : html`${iconCopy()} Copy invite link`}
            </button>`
        : html`<span class="hint" data-testid="invite-unknown">Asking the host for the party's invites…</span>`}
      <span class="label">To watch only</span>
      ${sess.viewer_invite
        ? html`<code data-testid="viewer-invite-link">${sess.viewer_invite}</code>
            <button data-testid="viewer-invite-copy" @click=${() => void s.copyViewerInvite()}>
              ${s.viewerInviteCopied ? html`${iconCheck()} Copied` : html`${iconCopy()} Copy viewer link`}
            </button>`
        : html`<span class="hint" data-testid="viewer-invite-unknown">Make new invites to get a viewer link.</span>`}
      ${sess.host_invite
        ? html`<span class="label">To be a host (decides what the agent may do)</span>
            <code data-testid="host-invite-link">${sess.host_invite}</code>
            <button data-testid="host-invite-copy" @click=${() => void s.copyHostInvite()}>
              ${s.hostInviteCopied ? html`${iconCheck()} Copied` : html`${iconCopy()} Copy host link`}
            </button>
            <span class="hint">Whoever joins with this link can allow tools and send prompts for the whole party: give it only to someone you trust.</span>`
        : nothing}
      ${this.#confirmInvites
        ? html`<div class="confirm-inline" role="alertdialog" aria-labelledby="invites-confirm-text" data-testid="invites-confirm"
            @keydown=${(e: KeyboardEvent) => escape(e, () => this.#setConfirmInvites(false))}>
            <span id="invites-confirm-text">Replace the ${sess.host_invite ? 'three' : 'two'} links? Anyone who has not joined yet will need a new one. People already here stay.</span>
            <div class="buttons">
              <button class="small danger" data-testid="invites-confirm-yes" ?disabled=${s.control.busy('invites')}
                @click=${async () => {
                  await s.control.newInvites();
                  this.#setConfirmInvites(false);
                }}>Make new invites</button>
              <button class="small" data-testid="invites-confirm-no" @click=${() => this.#setConfirmInvites(false)}>Cancel</button>
            </div>
          </div>`
        : html`<button class="ghost small" data-testid="invites-rotate" ?disabled=${s.control.busy('invites')}
            @click=${() => this.#setConfirmInvites(true)}>New invites…</button>`}
      <span class="hint">Anyone with a link can join. New invites make the old links stop working for anyone new; members already in the party can still come back. To keep one out, remove them (here or under Away) and make new invites.</span>
    </section>`;
  }

  #hostControls(s: AppState) {
    const p = s.session!.party;
    // Disabled while the host cannot be reached (see render, offline).
    return html`<section class="control">
      <h3>Host controls</h3>
      <fieldset class="bare" data-testid="host-controls" ?disabled=${s.connection.status !== 'connected'}>
      <label class="check">
        <input type="checkbox" data-testid="approval-toggle" .checked=${Boolean(p.approval)} ?disabled=${s.control.busy('approval-mode')}
          @change=${(e: Event) => void this.#setApproval(s, e.target as HTMLInputElement)} />
        <span>Approve each merged prompt before it is sent</span>
      </label>
      ${this.#permissionMode(s, p.permission_mode)}
      ${this.#always(s, p.always ?? [])}
      <span class="label">Agent commands</span>
      <div class="cmds">
        ${AGENT_COMMANDS.map(
          (c) => html`<button class="small" data-testid="agent-command" data-command=${c.command} title=${c.label} ?disabled=${s.control.busy('command')}
            @click=${() => this.#runCommand(s, c.command, c.confirm)}>${c.command}</button>`,
        )}
      </div>
      <form @submit=${(e: Event) => {
        e.preventDefault();
        this.#runCommand(s, this.#command, undefined);
      }}>
        <input data-testid="agent-command-input" placeholder="/command" aria-label="Agent command" .value=${this.#command}
          @input=${(e: InputEvent) => (this.#command = (e.target as HTMLInputElement).value)} />
        <button class="small" type="submit" data-testid="agent-command-run" ?disabled=${s.control.busy('command')}>Run</button>
      </form>
      <span class="hint">Runs in the agent when it is free. Prompts are always sent as text.</span>
      </fieldset>
    </section>`;
  }

  /**
   * The party's tool permissions, for a host to change. The select shows the party's mode and
   * nothing else: choosing asks Go, and the mode changes when the host's settings event says
   * so (a refusal is a notice and leaves it as it was). "Allow everything" asks first.
   */
  #permissionMode(s: AppState, mode: PermissionMode | undefined) {
    const busy = s.control.busy('permission-mode');
    const shown = shownMode(mode);
    return html`<label class="field">
        <span class="label">Tool permissions</span>
        <select data-testid="permission-mode-select" .value=${live(shown)} ?disabled=${busy}
          title=${PARTY_PERMISSION_MODES.find((m) => m.value === shown)?.label ?? ''}
          @change=${(e: Event) => this.#pickMode(s, e.target as HTMLSelectElement)}>
          ${shown === '' ? html`<option value="" disabled selected>Not known</option>` : nothing}
          ${PARTY_PERMISSION_MODES.map((m) => {
            // Only the owner may allow everything: the agent runs on the owner's computer
            // (the host refuses a co-host's "all").
            const ownerOnly = m.value === 'all' && !s.isOwner;
            return html`<option value=${m.value} ?selected=${m.value === shown} ?disabled=${ownerOnly && m.value !== shown}>${m.label}${ownerOnly ? ' (the owner only)' : ''}</option>`;
          })}
        </select>
      </label>
      ${busy
        ? html`<span class="hint busy" role="status" data-testid="permission-mode-busy"><span class="spinner"></span> Changing the tool permissions…</span>`
        : html`<span class="hint">What the agent may do without asking a host, from its next tool use on. Everyone is told.</span>`}`;
  }

  #pickMode(s: AppState, sel: HTMLSelectElement): void {
    const mode = sel.value;
    const current = s.session?.party.permission_mode;
    // The select goes back to the party's mode at once: it shows a new one when the host says so.
    sel.value = shownMode(current);
    const chosen = PERMISSION_MODES.find((m) => m.value === mode)?.value;
    if (!chosen || chosen === current) return;
    if (chosen === 'all') {
      this.#confirmAll = true;
      this.requestUpdate();
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="permission-all-cancel"]')?.focus());
      return;
    }
    void s.control.setPermissionMode(chosen);
  }

  #allDialog(s: AppState) {
    const close = () => {
      this.#confirmAll = false;
      this.requestUpdate();
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLSelectElement>('[data-testid="permission-mode-select"]')?.focus());
    };
    const where = s.isOwner ? 'on this computer' : `on ${s.session?.party.host || 'the host'}'s computer`;
    return html`<div class="backdrop confirm" @click=${(e: Event) => e.target === e.currentTarget && close()}>
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="mode-all-title" aria-describedby="mode-all-text"
        data-testid="permission-all-dialog" @keydown=${(e: KeyboardEvent) => escape(e, close)}>
        <header><h2 id="mode-all-title">Allow everything?</h2></header>
        <div class="body"><p id="mode-all-text" data-testid="permission-all-text">The agent can then run any command and change any file ${where}
          without asking anyone, until a host changes the tool permissions again. Everyone in the party is told.</p></div>
        <footer>
          <button data-testid="permission-all-cancel" @click=${close}>Cancel</button>
          <button class="danger solid" data-testid="permission-all-confirm" ?disabled=${s.control.busy('permission-mode')}
            @click=${async () => {
              await s.control.setPermissionMode('all');
              close();
            }}>Allow everything</button>
        </footer>
      </div>
    </div>`;
  }

  /** The tools allowed with "Always allow", each with a way to make it ask again. */
  #always(s: AppState, tools: string[]) {
    if (tools.length === 0) return nothing;
    return html`<span class="label">Always allowed</span>
      <ul class="always" data-testid="always-list">
        ${tools.map(
          (t) => html`<li data-testid="always-tool" data-tool=${t}><code>${t}</code>
            <button class="ghost small" data-testid="always-revoke" ?disabled=${s.control.busy(`always:${t}`)}
              title=${`${t} asks a host again before each use`} aria-label=${`Make ${t} ask again`} @click=${() => void s.control.revokeAlways(t)}>Ask again</button></li>`,
        )}
      </ul>
      <span class="hint">Used without asking anyone, for the rest of the party.</span>`;
  }

  #runCommand(s: AppState, command: string, confirm: string | undefined): void {
    const c = command.trim();
    if (c === '') return;
    if (confirm) {
      this.#confirmCommand = { command: c, text: confirm };
      this.requestUpdate();
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="command-cancel"]')?.focus());
      return;
    }
    void s.control.agentCommand(c).then((ok) => {
      if (ok && c === this.#command.trim()) this.#command = '';
      this.requestUpdate();
    });
  }

  /** The members in the order People shows them: as held (#peopleHeld), newcomers last. */
  #peopleShown(list: readonly Member[]): readonly Member[] {
    const held = this.#peopleHeld;
    if (!held) return list;
    const byId = new Map(list.map((m) => [m.id, m]));
    const shown = held.flatMap((id) => byId.get(id) ?? []);
    for (const m of list) if (!held.includes(m.id)) shown.push(m);
    this.#peopleHeld = shown.map((m) => m.id);
    return shown;
  }

  readonly #holdPeople = (e: Event) => {
    if (e.type === 'mouseenter') this.#pointerInPeople = true;
    this.#peopleHeld ??= (this.state?.participants ?? []).map((m) => m.id);
  };

  readonly #pointerLeftPeople = () => {
    this.#pointerInPeople = false;
    const list = this.renderRoot.querySelector('[data-testid=participants-list]');
    if (!list?.contains(focusedElement())) this.#releasePeople();
  };

  readonly #focusLeftPeople = (e: FocusEvent) => {
    const list = e.currentTarget as HTMLElement;
    if (this.#pointerInPeople || list.contains(e.relatedTarget as Node | null)) return;
    this.#releasePeople();
  };

  /** People takes the host's order again. */
  #releasePeople(): void {
    if (!this.#peopleHeld) return;
    this.#peopleHeld = null;
    this.requestUpdate();
  }

  #member(s: AppState, m: Member) {
    const sess = s.session!;
    const me = m.id === sess.you.id;
    // The party's owner (the host whose name the party carries) is always a host and
    // cannot be removed: a co-host gets no controls for it, only its tag.
    const owner = m.role === 'host' && m.name === sess.party.host;
    const manage = s.isHost && !me && !owner;
    const busy = s.control.busy(`member:${m.id}`) || s.connection.status !== 'connected';
    return html`<li class="person" data-testid="participant-item" data-name=${m.name} data-role=${m.role}>
      <span class="who">${this.#avatar(m.name)}<span class="id"><span class="name" title=${m.name}>${m.name}</span>
        <span class="role-line">${manage
          ? html`<select class="roles" data-testid="member-role" aria-label="Role of ${m.name}" ?disabled=${busy} .value=${live(m.role)}
              @keydown=${noArrowChoice}
              @change=${(e: Event) => void s.control.setRole(m.id, (e.target as HTMLSelectElement).value as Role).then(() => this.requestUpdate())}>
              ${(['host', 'participant', 'viewer'] as const).map((r) => html`<option value=${r} ?selected=${m.role === r}>${roleLabel(r)}</option>`)}
            </select>`
          : html`<span class="tag" data-testid="member-role-tag">${owner ? 'host' : roleLabel(m.role)}</span>`}
        ${me ? html`<span class="tag">you</span>` : nothing}</span></span></span>
      ${manage ? this.#kickButton(m, 'member-kick', `Remove ${m.name} from the party`, busy) : nothing}
    </li>`;
  }

  /**
   * Who left and may come back with their session, new invites or not: a host removes one
   * here (a window tester's co-host, killed, could not be removed from the window).
   */
  #away(s: AppState) {
    const sess = s.session!;
    return html`<h4 class="away-head">Away <span class="n">${s.away.length}</span></h4>
      <ul data-testid="away-list">
        ${s.away.map((m) => {
          const owner = m.role === 'host' && m.name === sess.party.host;
          return html`<li class="person away" data-testid="away-item" data-name=${m.name} data-role=${m.role}>
            <span class="who">${this.#avatar(m.name)}<span class="id"><span class="name" title=${`${m.name} left and may come back`}>${m.name}</span>
              <span class="role-line"><span class="tag">${owner ? 'host' : roleLabel(m.role)}</span></span></span></span>
            ${owner
              ? nothing
              : this.#kickButton(m, 'away-kick', `Remove ${m.name}: they will not come back as themselves`, s.control.busy(`member:${m.id}`))}
          </li>`;
        })}
      </ul>`;
  }

  /**
   * A Remove button (✕) with its explanation as a tooltip of its own, shown on hover and on
   * the keyboard's focus and named by aria-describedby: a native title at the panel's right
   * edge ran past the window's (a window tester's, WebKitGTK). It opens leftwards from the
   * button's right edge, inside the panel.
   */
  #kickButton(m: Member, testid: 'member-kick' | 'away-kick', tip: string, busy: boolean) {
    const id = `${testid}-tip-${m.id}`;
    return html`<span class="tipped"><button class="ghost small kick" data-testid=${testid} aria-label="Remove ${m.name}" aria-describedby=${id}
        ?disabled=${busy} @click=${(e: Event) => {
          (e.currentTarget as HTMLElement).classList.add('tip-off');
          this.#askKick(m);
        }} @mouseleave=${tipBackHere} @blur=${tipBackHere}>${iconX()}</button><span class="tip" role="tooltip" id=${id} data-testid="${testid}-tip">${tip}</span></span>`;
  }

  #askKick(m: Member): void {
    this.#kick = m;
    this.#kickReason = '';
    this.#kickRotate = false;
    this.requestUpdate();
    // The dialog takes the focus, so that Escape (and Tab) work in it.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('[data-testid="kick-reason"]')?.focus());
  }

  #kickDialog(s: AppState, m: Member) {
    const close = () => {
      this.#kick = null;
      this.requestUpdate();
    };
    const remove = async () => {
      const here = s.participants.findIndex((p) => p.id === m.id);
      const away = here < 0;
      const index = away ? s.away.findIndex((p) => p.id === m.id) : here;
      // New invites first: the removed one's link stops working before they are
      // disconnected, with no moment to come back through it (a tester's rerun join did).
      // But a co-host is removed first: a host may read the new links (a reviewer's).
      const rotate = this.#kickRotate;
      const first = rotate && m.role !== 'host';
      if (first && !(await s.control.newInvites())) return;
      if (!(await s.control.kick(m.id, this.#kickReason))) {
        // The invites are new already: not made again by the next click (a reviewer's).
        if (first) this.#kickRotate = false;
        this.requestUpdate();
        return;
      }
      if (rotate && !first) await s.control.newInvites(); // a failure is said by the control
      this.#kicked = { id: m.id, index, away };
      close();
    };
    return html`<div class="backdrop confirm" @click=${(e: Event) => e.target === e.currentTarget && close()}>
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="kick-title" data-testid="kick-dialog"
        @keydown=${(e: KeyboardEvent) => escape(e, close)}>
        <header><h2 id="kick-title">Remove ${m.name}?</h2></header>
        <div class="body">
          <p>${s.participants.some((p) => p.id === m.id) ? html`${m.name} will be disconnected from the party.` : html`${m.name} is away: they will not come back as themselves.`} Anyone with a current invite link can still join, ${m.name} too if they
            still have one${m.role === 'viewer' ? html`, as a viewer again from the same window or terminal` : nothing}, unless new invites are made: the links given out so far then stop working.</p>
          ${kickPromptsWords(m.name, s.promptsOf(m.id))}
          <input data-testid="kick-reason" placeholder="Reason (optional, everyone sees it)" .value=${this.#kickReason}
            @input=${(e: InputEvent) => {
              this.#kickTyping.typed();
              this.#kickReason = (e.target as HTMLInputElement).value;
            }}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && !e.isComposing && !s.control.busy(`member:${m.id}`) && void remove()} />
          <label class="check">
            <input type="checkbox" data-testid="kick-rotate" .checked=${this.#kickRotate}
              @change=${(e: Event) => {
                this.#kickRotate = (e.target as HTMLInputElement).checked;
                this.requestUpdate();
              }} />
            <span>Also make new invites, to keep ${m.name} out (everyone still to join needs a new link; people here stay)</span>
          </label>
        </div>
        <footer>
          <button data-testid="kick-cancel" class="keep" title=${`Keep ${m.name}`} @click=${close}>Keep <span class="who">${m.name}</span></button>
          <button class="danger solid" data-testid="kick-confirm" ?disabled=${s.control.busy(`member:${m.id}`) || s.control.busy('invites')}
            @mousedown=${keepFocus} @click=${() => void this.#kickTyping.whenSettled(remove)}>${this.#kickRotate ? 'Remove and make new invites' : 'Remove'}</button>
        </footer>
      </div>
    </div>`;
  }

  #commandDialog(s: AppState, c: { command: string; text: string }) {
    const close = () => {
      this.#confirmCommand = null;
      this.requestUpdate();
    };
    return html`<div class="backdrop confirm" @click=${(e: Event) => e.target === e.currentTarget && close()}>
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="cmd-title" data-testid="command-dialog"
        @keydown=${(e: KeyboardEvent) => escape(e, close)}>
        <header><h2 id="cmd-title">Run ${c.command}?</h2></header>
        <div class="body"><p>${c.text}</p></div>
        <footer>
          <button data-testid="command-cancel" @click=${close}>Cancel</button>
          <button class="danger solid" data-testid="command-confirm"
            @click=${async () => {
              if (await s.control.agentCommand(c.command)) close();
            }}>Run ${c.command}</button>
        </footer>
      </div>
    </div>`;
  }

  /**
   * Shows or hides the "New invites" confirmation; it is scrolled into view (it opens below
   * a button that may be at the panel's lower edge, where it was out of sight and the click
   * looked dead) and the focus goes to its safe choice.
   */
  #setConfirmInvites(v: boolean): void {
    const was = this.#confirmInvites;
    this.#confirmInvites = v;
    this.requestUpdate();
    if (!v) {
      // The question goes: the focus goes back to its button, not to the top of the window.
      if (was) {
        void this.updateComplete.then(() => {
          if (!focusedElement()) this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="invites-rotate"]')?.focus({ preventScroll: true });
        });
      }
      return;
    }
    void this.updateComplete.then(() => {
      this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="invites-confirm-no"]')?.focus({ preventScroll: true });
      // After a frame: laid out, the question's whole box is known.
      requestAnimationFrame(() => this.renderRoot.querySelector<HTMLElement>('[data-testid="invites-confirm"]')?.scrollIntoView({ block: 'nearest' }));
    });
  }

  /**
   * Leave, asking first when something would be lost or left behind: a prompt typed and
   * not sent (it was simply gone), prompts of mine still waiting for a batch, or (the last
   * host here) what waits for a host's decision, or that nobody will decide.
   */
  #leave(s: AppState): void {
    const orphaned = s.leftWithNoHost;
    if (s.unsentDraft.trim() === '' && s.myPending.length === 0 && !orphaned.alone) {
      void s.leave();
      return;
    }
    this.#confirmLeave = true;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="leave-cancel"]')?.focus());
  }

  #leaveDialog(s: AppState) {
    const close = () => {
      this.#confirmLeave = false;
      this.requestUpdate();
    };
    const waiting = s.myPending.length;
    const orphaned = s.leftWithNoHost;
    const n = orphaned.requests;
    return html`<div class="backdrop confirm" @click=${(e: Event) => e.target === e.currentTarget && close()}>
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="leave-title" data-testid="leave-dialog"
        @keydown=${(e: KeyboardEvent) => escape(e, close)}>
        <header><h2 id="leave-title">Leave the party?</h2></header>
        <div class="body">
          ${s.unsentDraft.trim() !== '' ? html`<p data-testid="leave-draft">What you typed in the prompt box has not been sent, and will be lost.</p>` : nothing}
          ${waiting > 0
            ? html`<p data-testid="leave-pending">${waiting === 1 ? 'Your prompt is' : `${waiting} of your prompts are`} still waiting: ${waiting === 1 ? 'it stays' : 'they stay'} in the party and ${waiting === 1 ? 'goes' : 'go'} to the agent without you.</p>`
            : nothing}
          ${n > 0
            ? html`<p data-testid="leave-requests">${n === 1 ? 'A tool request waits' : `${n} tool requests wait`} for a host's decision, and no other host is here: if you leave, ${n === 1 ? 'it is' : 'they are'} denied when ${n === 1 ? 'its' : 'their'} time runs out.</p>`
            : nothing}
          ${orphaned.approvals > 0
            ? html`<p data-testid="leave-approvals">${orphaned.approvals === 1 ? 'A merged prompt waits' : `${orphaned.approvals} merged prompts wait`} for a host's approval, and no other host is here: ${orphaned.approvals === 1 ? 'it waits' : 'they wait'} until one comes.</p>`
            : nothing}
          ${orphaned.alone && n + orphaned.approvals === 0
            ? // Nothing waits yet, but the party goes on without a host: a user tester's last
              // co-host of a party hosted with --no-local-repl left with no word of it.
              html`<p data-testid="leave-alone">You are the last host here: until another comes back, nobody can stop a turn or decide a tool request (each is denied when its time runs out).</p>`
            : nothing}
        </div>
        <footer>
          <button data-testid="leave-cancel" @click=${close}>Stay</button>
          <button class="danger solid" data-testid="leave-confirm" ?disabled=${s.ending} @click=${() => {
            close();
            void s.leave();
          }}>Leave</button>
        </footer>
      </div>
    </div>`;
  }

  #setConfirm(v: boolean): void {
    if (v) this.state?.askEnd();
    else this.state?.cancelEnd();
  }

  override render() {
    const s = this.state;
    const sess = s?.session;
    if (!s || !sess) return nothing;
    const p = sess.party;
    // A joined window out of touch with the host: its list of people is the last it had.
    const stale = sess.role === 'participant' && s.connection.status !== 'connected' && !s.ended;
    // The prompts no batch has taken, and those in a merged prompt that waits for approval.
    const queued = s.pending.filter((q) => !s.isAwaitingApproval(q.id));
    const held = s.pending.length - queued.length;
    // The Changes count leaves out the files kept back as secrets: its tooltip says them.
    const changesNote = countText(s.workspace.files.length, s.workspace.hidden, s.workspace.more);
    const changesTip = s.workspace.shared
      ? `What changed in the working folder, by the agent or by hand${changesNote ? `: ${changesNote}` : ''}`
      : s.workspace.pending && s.workspace.level !== 'off'
        ? 'The working folder is not shared yet: it is being read'
        : 'The host does not share the working folder';
    const sendNow = s.isHost && s.phase === 'collecting' && s.promptsNeeded > 0 && s.pending.length > 0;
    // Stop and Send now take the same room in the header: what gives way for one gives way for the other (see the styles).
    const action = sendNow || (s.isHost && s.turnRunning);
    // Out of touch with the host (a co-host's window reconnecting): what asks the host to do
    // something is disabled, not a click that ends in an error over the banner (a window
    // tester's Stop while reconnecting).
    const offline = s.connection.status !== 'connected';
    return html`
      <div class="top ${s.workspace.open ? 'changes-open' : ''} ${action ? 'has-action' : ''} ${s.unencrypted && !s.ended ? 'plain' : ''}" data-testid="party-view" ?inert=${this.#ownDialogOpen()}
        @click=${tipOff} @mouseout=${tipBack} @focusout=${tipBackFocus}>
        ${logo(24)}
        <div class="party-name">
          <!-- Its tooltip: a narrow header cuts a long name. -->
          <b data-testid="party-host" title=${`${p.host}'s party`}>${p.host}'s party</b>
          <span>${agentLabel(p.agent)}</span>
        </div>
        <span class="row-break" aria-hidden="true"></span>
        <phase-pill data-testid="phase-pill" .phase=${s.displayPhase} .since=${s.phaseSince} .trouble=${s.agentTrouble} .deadline=${s.collectDeadline} .needed=${s.phase === 'collecting' ? s.promptsNeeded : 0}></phase-pill>
        ${sendNow
          ? html`<button class="small" data-testid="send-now" data-tip="Send the waiting prompts now, without waiting for more"
              aria-label="Send the waiting prompts now" ?disabled=${offline || s.control.busy('send-now')} @click=${() => void s.control.sendNow()}>${iconSend()} <span class="tiny-hide send-word">Send now</span></button>`
          : nothing}
        <span class="grow"></span>
        ${s.isHost && s.turnRunning
          ? html`<button class="stop small" data-testid="stop-turn" data-tip="Stop the agent's turn (it keeps what it wrote so far)"
              aria-label="Stop the agent's turn" ?disabled=${offline || s.control.busy('stop')} @click=${() => void this.#stop(s)}>${iconStop()} <span class="stop-word">Stop</span></button>`
          : nothing}
        ${s.ended ? nothing : this.#connection(s)}
        <!-- People before Changes: it shows only beside an open Changes (1100–1399 px), and
             after it, it pushed Changes left, where a second click on Changes opened People
             (a window tester's). -->
        <button class="small panel-toggle tip-end" data-testid="panel-toggle" aria-controls="side-panel" aria-expanded=${this.#panel}
          aria-label=${this.#panel ? 'Close the side panel' : `People${s.isHost ? ' and host controls' : ''}`}
          data-tip=${this.#panel ? 'Close the side panel (Esc)' : `People, the queue${s.isHost ? ', host controls and invites' : ''}`}
          @click=${() => this.#togglePanel()}>${this.#panel ? iconX() : iconUsers()} <span class="people-word">${this.#panel ? 'Close' : 'People'}</span>
          ${this.#panel ? nothing : html`<span class="n" data-testid="panel-toggle-count">${s.participants.length}</span>`}</button>
        <button class="small changes-toggle tip-end" data-testid="changes-toggle" aria-label="Changes" aria-expanded=${s.workspace.open}
          aria-describedby="changes-tip" data-tip=${changesTip}
          @click=${() => this.#toggleChanges()}>${iconFolder()} <span class="changes-word">Changes</span> <span class="n" data-testid="changes-toggle-count">${s.workspace.files.length}</span></button>
        <!-- The tooltip's words for a screen reader (it reads no ::after): the files kept back are said there. -->
        <span id="changes-tip" class="sr-only">${changesTip}</span>
        <span class="me" data-testid="party-you" title=${`You: ${sess.you.name}${this.#roleWord(s) ? `, ${this.#roleWord(s)}` : ''}`}><span class="me-name">${this.#avatar(sess.you.name)} <b>${sess.you.name}</b></span> ${this.#roleWord(s) ? html`<span class="role" data-testid="party-you-role">${this.#roleWord(s)}</span>` : nothing}</span>
        <!-- At every width and in every phase (see the styles). -->
        <button class="ghost icon find-open tip-end" data-tip="Find in the conversation (Ctrl+F)" aria-keyshortcuts="Control+F" aria-label="Find in the conversation" data-testid="find-open" @click=${() => this.#openFind()}>${iconSearch()}</button>
        <button class="ghost icon tip-end" data-tip="Settings" aria-label="Settings" data-testid="party-settings" @click=${() => s.openSettings()}>${iconGear()}</button>
      </div>
      <div class="banner-slot" ?inert=${this.#ownDialogOpen()}>${this.#banner(s)}</div>
      <div class="layout ${this.#panel ? 'panel-open' : ''} ${s.workspace.open ? 'changes-open' : ''}" ?inert=${this.#ownDialogOpen()}
        @card-decided=${this.#focusPrompt}
        @focus-prompt=${this.#focusPrompt}
        @changes-closed=${() => void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="changes-toggle"]')?.focus())}>
        <transcript-view .state=${s}></transcript-view>
        <prompt-box .state=${s}></prompt-box>
        ${s.workspace.open ? html`<changes-panel data-testid="changes-panel" .state=${s}></changes-panel>` : nothing}
        <aside id="side-panel" data-testid="side-panel" aria-label="People and party">
          <div class="drawer-head">
            <b>${s.isHost ? 'People & controls' : 'People & party'}</b>
            <button class="ghost icon small" data-testid="panel-close" aria-label="Close the side panel" title="Close (Esc)"
              @click=${() => this.#closePanel(true)}>${iconX()}</button>
          </div>
          <section>
            <!-- Ended: who was here at its end, said so (a user tester read the list as live). -->
            <h3>${headingWithCount(peopleTitle(s), s.participants.length)}</h3>
            ${stale
              ? // Not the host's list now: it looked as it did, the host listed, while the
                // host could not be reached (a window tester's).
                html`<span class="hint" data-testid="people-stale">As they were when the host was last reached.</span>`
              : nothing}
            <ul data-testid="participants-list" class=${stale ? 'stale' : ''}
              @mouseenter=${this.#holdPeople} @focusin=${this.#holdPeople}
              @mouseleave=${this.#pointerLeftPeople} @focusout=${this.#focusLeftPeople}>
              <!-- Keyed: a row (and the focus in it) stays with its member when others join or leave. -->
              ${repeat(this.#peopleShown(s.participants), (m) => m.id, (m) => this.#member(s, m))}
            </ul>
            ${s.isHost && s.away.length > 0 && !s.ended ? this.#away(s) : nothing}
            ${sess.party.host && !s.participants.some((m) => m.role === 'host' && m.name === sess.party.host)
              ? html`<span class="hint" data-testid="host-not-in-party">${sess.party.host} hosts this party without taking part in it.</span>`
              : nothing}
          </section>
          <section>
            <h3>Queue <span class="n">${queued.length}</span></h3>
            ${held > 0
              ? // Shown once, in its approval card: listed here too, the same prompt was twice
                // on screen (a window tester's).
                html`<span class="hint" data-testid="queue-held">${held === 1 ? '1 prompt is' : `${held} prompts are`} in the merged prompt that waits for a host's approval.</span>`
              : nothing}
            ${queued.length === 0
              ? held > 0 ? nothing : html`<span class="hint">No prompts waiting.</span>`
              : html`<ul data-testid="queue-list">
                  ${queued.map(
                    (q) => html`<li class="queued" data-testid="queue-item"><b title=${q.user}>${q.user}${s.isMine(q) ? ' (you)' : ''}</b><span class="t">${q.text}</span></li>`,
                  )}
                </ul>`}
          </section>
          ${s.isHost ? this.#invites(s) : nothing}
          ${s.isHost ? this.#hostControls(s) : nothing}
          <section>
            <h3>Party</h3>
            <dl>
              <dt>Merger</dt><dd data-testid="party-merger">${p.merger !== 'gemini'
                ? 'Local'
                : s.lastBatchMerger === 'local'
                  ? // Gemini did not answer (or refused): the batch card says why; here too,
                    // or "Gemini" stood beside prompts all merged locally (a window tester's).
                    html`Gemini <small class="hint">(the last prompts were merged locally)</small>`
                  : 'Gemini'}</dd>
              <dt>Window</dt><dd>${formatWindow(p.window_ms)}</dd>
              <dt>Min prompts</dt><dd>${p.min_prompts}</dd>
              <dt>Tools</dt><dd data-testid="party-permission-mode">${permissionModeInParty(p.permission_mode, Boolean(p.always?.length)) || 'Ask a host'}</dd>
              ${p.permission_timeout_ms && p.permission_mode !== 'all'
                ? // How long hosts have to decide a tool request: before, only a waiting one's countdown said it.
                  html`<dt>Tool requests</dt><dd data-testid="party-permission-timeout">Denied after ${formatWait(p.permission_timeout_ms)} if nobody decides</dd>`
                : nothing}
              <dt>Approval</dt><dd data-testid="party-approval">${p.approval ? 'Each prompt waits for a host' : 'Off'}</dd>
              ${p.always?.length ? html`<dt>Always allowed</dt><dd data-testid="party-always">${p.always.join(', ')}</dd>` : nothing}
              <dt>Folder</dt><dd data-testid="party-workspace">${SHARE_LEVELS.find((l) => l.level === s.workspace.level)?.label ?? 'Off'}${s.workspace.pending && s.workspace.level !== 'off' ? ' (not yet: being read)' : ''}</dd>
            </dl>
            ${s.ended
              ? nothing // the banner offers it
              : // The transcript so far: it was offered only once the party ended (a window tester's).
                html`<button class="small save-running" data-testid="save-transcript-running" title="Save the transcript so far as Markdown"
                  ?disabled=${s.savingTranscript} @click=${() => void s.saveTranscript()}>${s.savingTranscript
                  ? html`<span class="spinner"></span> Saving…`
                  : html`${iconArrowDown()} Save as Markdown`}</button>`}
          </section>
          <span class="spacer"></span>
          <section class="leave">
            ${s.ended
              ? html`<button data-testid="back-home-panel" @click=${() => s.backHome()}>${iconDoor()} Back to home</button>`
              : s.isOwner
                ? html`<button class="danger" data-testid="end-party" ?disabled=${s.ending} @click=${() => this.#setConfirm(true)}>${iconStop()} End party</button>`
                : html`<button data-testid="leave-party" ?disabled=${s.ending} @click=${() => this.#leave(s)}>${iconDoor()} Leave</button>`}
          </section>
        </aside>
      </div>
      ${s.endAsked ? this.#confirm(s) : nothing}
      ${this.#confirmLeave ? this.#leaveDialog(s) : nothing}
      ${this.#kick ? this.#kickDialog(s, this.#kick) : nothing}
      ${this.#confirmCommand ? this.#commandDialog(s, this.#confirmCommand) : nothing}
      ${this.#confirmAll ? this.#allDialog(s) : nothing}
    `;
  }
}

/** The select's value for a party's permission mode: "" (Not known) for none or one it does not offer. */
function shownMode(mode: string | undefined): string {
  return PERMISSION_MODES.find((m) => m.value === mode)?.value ?? '';
}

/** The ids of the tool requests of the last turn still waiting for a decision. */
function pendingRequestIds(items: readonly TranscriptItem[]): string[] {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type !== 'turn') continue;
    return it.segments.flatMap((sg) => (sg.kind === 'permission' && !sg.void && sg.permission.status === 'pending' ? [sg.permission.id] : []));
  }
  return [];
}

/**
 * A dialog's keys: Escape closes it, and only it (the drawer behind it stays open); Tab
 * stays inside it (trapTab).
 */
/** A heading's words and its count, the count kept on one line with the last word (it wraps with it). */
function headingWithCount(title: string, n: number) {
  const cut = title.lastIndexOf(' ') + 1;
  return html`${title.slice(0, cut)}<span class="last">${title.slice(cut)} <span class="n">${n}</span></span>`;
}

/**
 * The side panel's People heading. Once this window is out of the party its list is the last
 * it had: "at the end" only when the party ended; a participant who left or was removed read
 * "People at the end" while the party went on (a window tester's).
 */
function peopleTitle(s: AppState): string {
  if (!s.ended) return 'People';
  if (s.ended.removed) return 'People when you were removed';
  if (s.ended.left && s.session?.role !== 'host') return 'People when you left';
  return 'People at the end';
}

/**
 * Whether a key is the find shortcut: ⌘F on a Mac, Ctrl+F elsewhere (on a Mac, Ctrl+F in
 * a text field moves the caret forward, which the prompt box must keep: a reviewer's).
 */
export function isFindKey(e: KeyboardEvent, mac = /Mac/.test(navigator.platform)): boolean {
  if (e.altKey || e.shiftKey || e.key.toLowerCase() !== 'f') return false;
  return mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
}

function escape(e: KeyboardEvent, close: () => void): void {
  trapTab(e);
  if (e.key !== 'Escape') return;
  e.preventDefault();
  close();
}

customElements.define('party-view', PartyView);
