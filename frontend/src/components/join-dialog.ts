// <join-dialog>: paste an invite, check it as it is typed, join. The dialog
// stays open on failure so the person can fix and retry.

import { LitElement, css, html, nothing } from 'lit';
import type { AppState } from '../state/app-state';
import { StateObserver } from './observe';
import { base } from './styles';
import { modalStyles, trapTab } from './modal';
import { clipboardLink, inviteSummary } from '../state/join';
import { roleLabel } from '../state/host-control';
import type { Role } from '../state/types';
import { iconAlert, iconCheck, iconX } from './icons';
import { historyProgress } from '../state/format';
import { Typing, keepFocus } from './settle';

export class JoinDialog extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;

  constructor() {
    super();
    new StateObserver(this);
  }

  static override styles = [
    base,
    modalStyles,
    css`
      /*
       * The dialog hangs from the top instead of being centred, and the line under the link keeps
       * room for two lines: as the link was typed that line went from one to three lines and back,
       * and the whole centred dialog, the field being typed into too, jumped up and down (a click
       * on "Your name" missed it).
       */
      /* A share of the window's width, not of 100vh (kept stale by WebKitGTK, modal.ts): 12 px at 640. */
      .backdrop { align-items: flex-start; padding-top: clamp(12px, 7% - 32px, 84px); }
      .hint.known { display: grid; gap: 2px; }
      .hint.known b { color: var(--text); font-weight: 600; }
      textarea { min-height: 64px; resize: none; word-break: break-all; }
      .status { display: flex; gap: 6px; align-items: flex-start; font-size: calc(12.5px * var(--zoom, 1)); line-height: 1.5; min-height: calc(2 * 1.5em); }
      .status.checking { color: var(--faint); }
      .status.valid { color: var(--ok); }
      .status.valid.warn { color: var(--warn); }
      /* A well-formed invite that failed to join is not good news (a tester's read green). */
      .status.valid.failed { color: var(--muted); }
      .status.invalid { color: var(--danger); }
      .status svg { margin-top: 1px; flex: none; }
      .replaced { display: flex; gap: 6px; align-items: flex-start; font-size: calc(12.5px * var(--zoom, 1)); line-height: 1.5; color: var(--warn); }
      .replaced svg { margin-top: 1px; flex: none; }
      .replaced button.link { padding: 0; border: 0; background: none; color: var(--accent); font: inherit; text-decoration: underline; cursor: pointer; }
      .progress {
        display: flex; gap: 10px; align-items: center;
        padding: 10px 12px; border-radius: var(--radius-sm);
        background: var(--accent-soft); color: var(--accent); font-size: calc(13px * var(--zoom, 1));
      }
      .progress small { display: block; color: var(--muted); }
      .bar { height: 3px; border-radius: 3px; background: var(--surface-3); overflow: hidden; margin-top: 6px; }
      .bar::after { content: ''; display: block; height: 100%; width: 35%; background: var(--accent); animation: slide 1.1s ease-in-out infinite; }
      .bar.known::after { animation: none; width: var(--done); transition: width 0.2s linear; }
      @keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(300%); } }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.#onKey);
    super.disconnectedCallback();
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
  }

  readonly #onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.state?.closeJoin();
    }
  };

  /** The form's typing: Join reads the invite and the name once it has landed (settle.ts). */
  #typing = new Typing();

  #submit(e: Event): void {
    e.preventDefault();
    const s = this.state;
    if (!s) return;
    void this.#typing.whenSettled(() => s.submitJoin()).then(async (ok) => {
      // A join failed: the fields were disabled while it ran and the button pressed went
      // with them, so the focus had fallen to the page (a tester's). It goes to the invite,
      // what the error (announced by its role) is about and what to fix.
      if (ok || !s.join.open || !s.join.error) return;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid=join-invite]')?.focus();
    });
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const j = s.join;
    const summary = j.check === 'valid' ? inviteSummary(j.invite) : null;
    // The last join with this very link failed: no green "Valid invite" above the red reason
    // (a tester read both at once).
    const failedHere = j.error !== '' && j.failedInvite === j.invite.trim();
    const c = s.connection;
    return html`
      <div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && s.closeJoin()}>
        <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="join-title" data-testid="join-dialog" @submit=${this.#submit} @keydown=${trapTab}
          @input=${this.#typing.typed} @change=${this.#typing.typed} novalidate>
          <header>
            <h2 id="join-title">Join a party</h2>
            <button type="button" class="ghost icon" aria-label="Close" data-testid="join-close" @click=${() => s.closeJoin()}>${iconX()}</button>
          </header>
          <div class="body">
            <label class="field">
              <span class="label">Invite link</span>
              <!-- Three rows: a whole pinned invite, read at once (two scrolled its last line). -->
              <textarea class="mono" data-testid="join-invite" rows="3" spellcheck="false" placeholder="concordia://host:8765/token?fp=…"
                aria-invalid=${j.check === 'invalid' ? 'true' : 'false'} ?disabled=${j.busy}
                .value=${j.invite}
                @input=${(e: InputEvent) => s.setJoinInvite((e.target as HTMLTextAreaElement).value)}
                @paste=${(e: ClipboardEvent) => {
                  // A whole chat message pasted into an empty (or all selected) field leaves
                  // its link, as the dialog's own look at the clipboard does: a window
                  // tester's two-invite message showed its viewer link, while Join used the
                  // first one.
                  const ta = e.target as HTMLTextAreaElement;
                  const text = e.clipboardData?.getData('text/plain') ?? '';
                  const found = clipboardLink(text);
                  if (!found || found === text.trim() || ta.selectionStart !== 0 || ta.selectionEnd !== ta.value.length) return;
                  e.preventDefault();
                  s.setJoinInvite(found);
                }}
                @keydown=${(e: KeyboardEvent) => {
                  if (e.key === 'Enter' && !e.shiftKey) this.#submit(e);
                }}></textarea>
              <div class="status ${j.check} ${j.warning ? 'warn' : ''} ${failedHere ? 'failed' : ''}" data-testid="join-invite-status" data-check=${j.check} aria-live="polite">
                ${j.check === 'checking' ? html`<span class="spinner" style="width:12px;height:12px"></span> Checking…` : nothing}
                ${j.check === 'invalid' ? html`${iconAlert()}<span data-testid="join-invite-error">${j.problem}</span>` : nothing}
                ${j.check === 'valid' && !j.warning && !failedHere
                  ? html`${iconCheck()}<span>Valid invite${summary ? html` to <b>${summary.host}</b> · certificate pinned` : nothing}</span>`
                  : nothing}
                ${j.check === 'valid' && !j.warning && failedHere
                  ? html`<span data-testid="join-invite-failed">An invite${summary ? html` to <b>${summary.host}</b>` : nothing}, well formed; joining with it failed (below)</span>`
                  : nothing}
                ${j.check === 'valid' && j.warning
                  ? html`${iconAlert()}<span data-testid="join-invite-warning">${summary ? html`To <b>${summary.host}</b> · ` : nothing}${j.warning}</span>`
                  : nothing}
                ${j.check === 'empty' ? html`<span class="hint">Paste the link your host sent you.</span>` : nothing}
              </div>
              ${j.replaced ? this.#replaced(s) : nothing}
            </label>
            <label class="field">
              <span class="label">Your name</span>
              <input data-testid="join-name" .value=${j.name} autocomplete="off" spellcheck="false" ?disabled=${j.busy}
                aria-invalid=${j.name.trim() === '' ? 'true' : 'false'} aria-describedby="join-name-needed"
                @input=${(e: InputEvent) => s.setJoinName((e.target as HTMLInputElement).value)} />
              ${j.name.trim() === ''
                ? // Join was greyed out with no word of why (a tester's, who typed only spaces).
                  html`<span class="hint" id="join-name-needed" data-testid="join-name-needed">Type the name the others will see you by.</span>`
                : j.nameKnown
                  ? // Two short lines: one long sentence with its exceptions was hard to read (a window tester's).
                    html`<span class="hint known" data-testid="join-name-known"><span data-testid="join-name-known-as">${rejoinAs(j.name.trim(), j.knownRole)}</span>
                      <span>Not if a host removed you, or you took part and this link only watches. Another name joins as someone new.</span></span>`
                  : nothing}
            </label>
            ${j.busy
              ? html`<div class="progress" data-testid="join-progress" role="status">
                  <span class="spinner"></span>
                  ${c.history
                    ? this.#catchingUp(historyProgress(c.history))
                    : html`<div class="grow">
                        Connecting to ${summary?.host ?? 'the host'}…
                        ${c.attempt > 1 ? html`<small>Attempt ${c.attempt}${c.error ? ` — last try: ${c.error}` : ''}</small>` : nothing}
                        <div class="bar"></div>
                      </div>`}
                </div>`
              : nothing}
            ${j.error ? html`<div class="error-box" role="alert" data-testid="join-error">${iconAlert()}<span>${j.error}</span></div>` : nothing}
          </div>
          <footer>
            <button type="button" data-testid="join-cancel" @click=${() => s.closeJoin()}>Cancel</button>
            <button type="submit" class="primary" data-testid="join-submit" ?disabled=${!s.canJoin} @mousedown=${keepFocus}>
              ${j.busy ? html`<span class="spinner"></span> Joining…` : j.error ? 'Try again' : 'Join'}
            </button>
          </footer>
        </form>
      </div>
    `;
  }

  /**
   * The link in the field is not the one the person saw there: another was opened from the
   * desktop meanwhile (a watch-only one took a participant one's place unseen, and its
   * joiner became a viewer). Which of the two only watches is the host's to know, so both
   * are offered: this one, or the one before.
   */
  #replaced(s: AppState) {
    return html`<div class="replaced" role="alert" data-testid="join-invite-replaced">
      ${iconAlert()}
      <span>The link was replaced by the one just opened; it may give you another role than the one before.
        <button type="button" class="link" data-testid="join-invite-restore" ?disabled=${s.join.busy} @click=${() => s.restoreReplacedInvite()}>Use the previous link</button></span>
    </div>`;
  }

  /**
   * A long party's history takes a while over a slow link: said, with how far it has come
   * (it stood at "Connecting…" for 17 s).
   */
  #catchingUp(h: { text: string; pct: number }) {
    return html`<div class="grow" data-testid="join-history">
      Catching up on the party's history…
      <small>${h.text}</small>
      <div class="bar known" style="--done: ${h.pct}%" role="progressbar" aria-label="History caught up"
        aria-valuemin="0" aria-valuemax="100" aria-valuenow=${h.pct}></div>
    </div>`;
  }
}

customElements.define('join-dialog', JoinDialog);

/**
 * "You'll rejoin as Gus (co-host).": the name this computer last joined the party under,
 * with the role it last had there (the dialog could only say "with the role you last
 * had"), which a membership kept before roles were does not know.
 */
function rejoinAs(name: string, role: Role | '' | undefined) {
  return role ? html`You'll rejoin as <b>${name}</b> (${roleLabel(role)}).` : html`You'll rejoin as <b>${name}</b>, with the role you last had.`;
}
