// <prompt-box>: where a person writes to the agent. Enter sends, Shift+Enter
// adds a line. The text stays in the box until the host has accepted it, so
// nothing typed is lost to a failed send.

import { LitElement, css, html, nothing } from 'lit';
import { MAX_PROMPT_BYTES, type AppState } from '../state/app-state';
import { StateObserver } from './observe';
import { ViewportController } from './viewport';
import { base } from './styles';
import { iconAlert, iconSend } from './icons';
import { Ticker } from './ticker';
import { Typing, keepFocus } from './settle';

/** How long a send may take before the box says the host has not answered yet. */
export const SLOW_SEND_MS = 5000;

export class PromptBox extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  #text = '';

  constructor() {
    super();
    new StateObserver(this);
    new ViewportController(this);
    // While a send waits: a host that stopped answering (frozen, its network gone) left
    // the button spinning for 30 s under "Connected", with no word (a window tester's).
    new Ticker(this, 1000, () => Boolean(this.state?.sending));
  }

  static override styles = [
    base,
    css`
      :host { display: block; border-top: 1px solid var(--border); background: var(--surface); }
      .inner { max-width: 860px; margin: 0 auto; padding: 12px 24px 12px; display: grid; gap: 6px; }
      .box {
        position: relative;
        display: flex; gap: 8px; align-items: flex-end;
        background: var(--surface-2); border: 1px solid var(--border); border-radius: 12px; padding: 6px 6px 6px 12px;
        transition: border-color 0.12s;
      }
      .box:focus-within { border-color: var(--accent); }
      .box.disabled { opacity: 0.7; }
      /* The whole box is dimmed already: the field in it is not dimmed twice. */
      textarea:disabled { opacity: 1; }
      textarea {
        border: 0; background: transparent; padding: 6px 0; min-height: 0; resize: none;
        max-height: 200px; line-height: 1.45; outline: none;
      }
      textarea:focus-visible { outline: none; }
      /* Measures the prompt's height (#autosize) out of the page's flow, inside a clip the
         size of the box: the copy keeps the width the box had when it last measured, and
         after the window narrowed, a copy left wider than the page scrolled it sideways
         onto an empty strip (a window tester's, at 640×480). */
      .measurer { position: absolute; inset: 0; overflow: hidden; visibility: hidden; pointer-events: none; z-index: -1; }
      textarea.measure { position: absolute; left: 0; top: 0; height: auto; overflow: hidden; }
      button.primary { border-radius: 9px; }
      .foot { display: flex; gap: 12px; align-items: center; font-size: calc(12px * var(--zoom, 1)); color: var(--faint); min-height: 18px; }
      .foot .reason { color: var(--warn); display: inline-flex; gap: 6px; align-items: center; }
      .foot .err { color: var(--danger); display: inline-flex; gap: 6px; align-items: center; }
      .foot .count.over { color: var(--danger); font-weight: 600; }
      kbd { font-family: var(--font-mono); font-size: calc(11px * var(--zoom, 1)); padding: 0 4px; border: 1px solid var(--border); border-radius: 4px; background: var(--surface-2); }
      /* Narrow windows: less margin. Short ones: the box grows less, so the transcript keeps most of the height. */
      :host([vw~=lt720]) .inner { padding: 8px 12px 8px; }
      :host([vh~=lt560]) textarea { max-height: 96px; }
    `,
  ];

  /** Puts the keyboard focus in the prompt (after a host's decision in a card); false when the box is disabled. */
  focusInput(): boolean {
    const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]');
    if (!ta || ta.disabled) return false;
    ta.focus();
    return true;
  }

  /**
   * Fits the box to the prompt, measured on a hidden copy: made 'auto' for a moment, the
   * box itself shrank the page's layout to one row and back, and the conversation above,
   * followed at its end, was held where that moment left it, off its end, under Latest
   * (a window tester's, at every key of a prompt of several lines).
   */
  #autosize(ta: HTMLTextAreaElement): void {
    const m = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea.measure');
    if (!m) return;
    m.style.width = `${ta.offsetWidth}px`;
    m.value = ta.value;
    // The CSS max-height (lower in short windows) caps it; the box scrolls beyond.
    ta.style.height = `${Math.min(m.scrollHeight, 200)}px`;
  }

  /** Enter was pressed while the prompt could not be sent: the foot says it was not. */
  #triedBlocked = false;

  /**
   * The typing: a click on Send reads the prompt once the keys still on their way have
   * landed (settle.ts); Enter comes after them, and sends at once.
   */
  #typing = new Typing();

  async #send(): Promise<void> {
    const s = this.state;
    if (!s || this.#text.trim() === '') return;
    if (s.sendBlockedReason) {
      // Kept, and said: Enter while reconnecting did nothing a window tester could see.
      this.#triedBlocked = true;
      this.requestUpdate();
      return;
    }
    const sent = this.#text;
    if (await s.sendPrompt(sent)) {
      // Only clear what was sent: the person may have kept typing meanwhile, and what
      // they typed after it stays (it was glued to the prompt sent, to be sent again: a
      // window tester's "part oneand part two").
      if (this.#text === sent) this.#text = '';
      else if (this.#text.startsWith(sent)) this.#text = this.#text.slice(sent.length).replace(/^\s+/, '');
      else {
        // A prompt given back meanwhile went above it (takeRefill): the one sent is cut out
        // below it (a reviewer's: it stayed in the box, to be sent twice).
        const at = this.#text.lastIndexOf(`\n\n${sent}`);
        if (at >= 0) {
          const after = this.#text.slice(at + 2 + sent.length).replace(/^\s+/, '');
          this.#text = after ? `${this.#text.slice(0, at)}\n\n${after}` : this.#text.slice(0, at);
        }
      }
      s.unsentDraft = this.#text;
      this.requestUpdate();
      await this.updateComplete;
      const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]');
      if (ta) {
        this.#autosize(ta);
        ta.focus();
      }
    } else if (this.#text.startsWith(sent) && this.#text.slice(sent.length).trim() !== '' && !/^\s*\n/.test(this.#text.slice(sent.length))) {
      // Refused (too fast, too large, no answer), and typed on meanwhile: what was typed
      // goes below it, not glued to it (a user tester's "mei fast 12mei fast 13"), as a
      // prompt given back goes above what is typed.
      const after = this.#text.slice(sent.length).replace(/^\s+/, '');
      this.#text = `${sent}\n\n${after}`;
      s.editDraft(this.#text);
      this.#refilled = true; // the caret to its end, the box sized
      this.requestUpdate();
    }
  }

  #onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void this.#send();
    }
  }

  #refilled = false;
  /** Where the caret goes once refilled: where it was in what was typed; null: the end. */
  #caret: [number, number] | null = null;

  protected override willUpdate(): void {
    // A page loaded again into its party: what the box held before comes back.
    const restored = this.state?.takeRestoredDraft() ?? null;
    if (restored !== null && this.#text === '') {
      this.#text = restored;
      this.#refilled = true;
    }
    // My prompt just withdrawn comes back to be corrected (above anything typed meanwhile,
    // the caret kept where it was in it, for the typing to go on there).
    const next = this.state?.takeRefill(this.#text) ?? null;
    if (next !== null) {
      const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]');
      const shift = next.length - this.#text.length;
      this.#caret = ta && this.#text.trim() !== '' && ta.value === this.#text
        ? [ta.selectionStart + shift, ta.selectionEnd + shift]
        : null;
      this.#text = next;
      this.#refilled = true;
    }
    // My prompt that had no answer reached the host after all: the box lets it go.
    const arrived = this.state?.takeArrived(this.#text) ?? null;
    if (arrived !== null) this.#text = arrived;
  }

  protected override updated(): void {
    if (!this.#refilled) return;
    this.#refilled = false;
    const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]');
    if (ta) {
      this.#autosize(ta);
      ta.focus();
      const [start, end] = this.#caret ?? [ta.value.length, ta.value.length];
      ta.setSelectionRange(start, end);
    }
    this.#caret = null;
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const reason = s.sendBlockedReason;
    if (!reason) this.#triedBlocked = false; // sendable again: the next Enter sends
    const bytes = new TextEncoder().encode(this.#text).length;
    const near = bytes > MAX_PROMPT_BYTES * 0.8;
    s.unsentDraft = this.#text; // this box's, whatever the party before left there
    const mine = s.myPending.length;
    const approving = s.myAwaitingApproval;
    return html`<div class="inner">
      <div class="box ${s.canDraft ? '' : 'disabled'}">
        <textarea rows="1" data-testid="prompt-input" aria-label=${reason ? `Prompt (${reason})` : 'Prompt'} .value=${this.#text} ?disabled=${!s.canDraft}
          placeholder=${!s.canDraft ? '' : reason ? 'Write your prompt: it can be sent once connected' : 'Tell the agent what to do…'}
          @input=${(e: InputEvent) => {
            const ta = e.target as HTMLTextAreaElement;
            this.#typing.typed();
            this.#text = ta.value;
            s.editDraft(ta.value);
            this.#autosize(ta);
            this.requestUpdate();
          }}
          @keydown=${(e: KeyboardEvent) => this.#onKey(e)}></textarea>
        <div class="measurer" aria-hidden="true"><textarea class="measure" rows="1" tabindex="-1"></textarea></div>
        <button class="primary icon" data-testid="prompt-send" aria-label="Send" title="Send (Enter)"
          ?disabled=${Boolean(reason) || s.sending || this.#text.trim() === '' || bytes > MAX_PROMPT_BYTES}
          @mousedown=${keepFocus} @click=${() => void this.#typing.whenSettled(() => this.#send())}>${s.sending ? html`<span class="spinner"></span>` : iconSend()}</button>
      </div>
      <div class="foot">
        ${reason && this.#triedBlocked && s.canDraft
          ? html`<span class="reason" data-testid="prompt-disabled-reason" role="alert">${iconAlert()} Not sent: ${notSentWhy(reason)}. Your prompt stays here${s.connection.status === 'reconnecting' || s.connection.status === 'connecting' ? '; press Enter again once connected' : ''}.</span>`
          : reason && !s.ended && (s.connection.status === 'connected' || !s.canDraft)
          ? // Not while the banner above says it (the party over, the host out of reach): a
            // window tester's screen said "Reconnecting" four times, "Left" as many. The
            // placeholder says a prompt can be written to send once connected. A viewer's
            // notice is said whatever the connection: reconnecting, the box said "Enter to
            // send" under a box that could not take a word (a window tester's).
            html`<span class="reason" data-testid="prompt-disabled-reason">${iconAlert()} ${reason}</span>`
          : s.ended
            ? // The banner says why, in its words; this only says that the box is closed, not
              // "Enter to send" under a box that cannot send (a window tester's, after the end).
              html`<span data-testid="prompt-closed">Nothing more can be sent in this party.</span>`
          : s.sendError
            ? html`<span class="err" data-testid="prompt-error" role="alert">${iconAlert()} ${s.sendError}</span>`
            : s.sending && s.sendingSince > 0 && Date.now() - s.sendingSince >= SLOW_SEND_MS
              ? html`<span class="reason" data-testid="prompt-slow" role="status">The host has not answered for ${Math.floor((Date.now() - s.sendingSince) / 1000)} s. Your prompt stays here until it does; if no answer comes, this says so.</span>`
            : this.#text.trimStart().startsWith('/')
              ? // A window tester's "/kick bob" went to the agent as a prompt, with no word.
                html`<span class="reason" data-testid="prompt-slash-hint">${slashHint(s.isHost)}</span>`
            : mine > 0
              ? html`<span data-testid="prompt-my-pending">${pendingHint(mine, approving, s.isHost)}</span>`
              : reason
                ? // Out of reach of the host (the banner says so): what is written waits here.
                  html`<span data-testid="prompt-waits">What you write stays here, to send once connected.</span>`
                : html`<span data-testid="prompt-keys"><kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line</span>`}
        <span class="grow"></span>
        ${near ? html`<span class="count ${bytes > MAX_PROMPT_BYTES ? 'over' : ''}">${bytes.toLocaleString('en')} / ${MAX_PROMPT_BYTES.toLocaleString('en')} bytes</span>` : nothing}
      </div>
    </div>`;
  }
}

customElements.define('prompt-box', PromptBox);

/** Said under a prompt that starts with "/": it is words for the agent, not a command. */
export function slashHint(host: boolean): string {
  const where = host ? ' Removing someone, new invites and agent commands (/compact) are in the side panel.' : '';
  return `Starts with “/”: the agent gets it as words, not as a command.${where}`;
}

/**
 * Where my waiting prompts are: in a merged batch a host has to approve, or queued for the
 * next batch. A host is pointed at the approval card in front of them, not told to wait.
 */
export function pendingHint(mine: number, approving: number, host = false): string {
  const your = (n: number) => (n === 1 ? (mine === 1 ? 'Your prompt is' : '1 of your prompts is') : `${n} of your prompts are`);
  const queued = mine - approving;
  // Not "in the merged prompt": a lone prompt waits there too, merged with nothing (a window
  // tester's).
  const approval = host ? 'waiting for approval in the card above' : "waiting for a host's approval";
  if (approving === 0) return `${your(mine)} waiting for the next batch`;
  if (queued === 0) return `${your(approving)} ${approval}`;
  return `${your(approving)} ${approval}, ${queued} for the next batch`;
}

/** A reason a prompt cannot be sent, to follow "Not sent: " (lower case, no closing ellipsis). */
function notSentWhy(reason: string): string {
  const why = reason.replace('… (', ' (').replace(/…$/, '').replace(/\.$/, '');
  return why.charAt(0).toLowerCase() + why.slice(1);
}

