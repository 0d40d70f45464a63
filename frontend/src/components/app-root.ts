// <concordia-app>: the window's root. It picks the screen, shows notices and
// the dialogs, and guards the page against navigation (nothing inside the app
// may open or follow a link).

import { LitElement, css, html, nothing } from 'lit';
import type { AppState } from '../state/app-state';
import { StateObserver } from './observe';
import { FocusReturn, ViewportController, ZOOM_CHANGE } from './viewport';
import { base } from './styles';
import { iconAlert, iconInfo, iconX } from './icons';
import { zoomKey } from '../state/zoom';
import './home-screen';
import './party-view';
import './join-dialog';
import './settings-panel';

export class ConcordiaApp extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;

  /** The control Join or Settings was opened from, focused again when the dialog closes. */
  readonly #focusReturn = new FocusReturn();
  #wasDialog = false;
  /** Whether the party view shows a modal dialog of its own (Leave, Remove, End party…). */
  #viewModal = false;

  constructor() {
    super();
    new StateObserver(this);
    new ViewportController(this);
    // Links never navigate the window; the Markdown renderer makes none, this catches the rest.
    this.addEventListener('click', (e) => {
      if (e.composedPath().some((n) => n instanceof HTMLAnchorElement)) e.preventDefault();
    });
  }

  static override styles = [
    base,
    css`
      :host { display: flex; flex-direction: column; height: 100%; }
      main { flex: 1; min-height: 0; display: flex; flex-direction: column; position: relative; }
      main > home-screen, main > party-view { flex: 1; min-height: 0; }
      .toasts {
        /*
         * Top centre, just below the screen's header (as GNOME's in-app notifications): the
         * corners hold the prompt box and the side panel's Leave and End party. Below the
         * dialogs' backdrop (z-index 40, modal.ts): a toast never covers a dialog's buttons.
         */
        position: absolute; top: 64px; left: 50%; transform: translateX(-50%); z-index: 30;
        display: flex; flex-direction: column; gap: 8px; width: min(440px, calc(100% - 32px));
        pointer-events: none;
      }
      /*
       * Below the party's banner when it shows one (ended, reconnecting): a toast over its
       * buttons (the transcript just saved, over Back to home) hid them, and held itself
       * there while the pointer rested on it. The banner wraps to two lines when narrow.
       */
      .toasts.below-banner { top: 112px; }
      :host([vw~=lt760]) .toasts.below-banner { top: 150px; }
      /*
       * Beside the Changes panel when it is open, over the transcript's own column: centred,
       * an error stayed over the panel's title and its "← Files" (a tester's could not be
       * clicked). From 1100 px the panel is a column of its own, right of 60% at most.
       */
      :host(:not([vw~=lt1100])) .toasts.beside-changes { left: 16px; transform: none; width: min(440px, calc(55% - 32px)); }
      /* Below the find bar, top right of the transcript, when it is open (a tester's rejoin toast covered its field and count). */
      .toasts.below-find { top: 120px; }
      .toasts.below-find.below-banner { top: 168px; }
      :host([vw~=lt760]) .toasts.below-find.below-banner { top: 206px; }
      .toasts > * { pointer-events: auto; }
      .toast {
        display: flex; gap: 10px; align-items: flex-start;
        padding: 10px 10px 10px 14px;
        background: var(--surface); border: 1px solid var(--border); border-left: 3px solid var(--accent);
        border-radius: var(--radius-sm); box-shadow: var(--shadow-lg);
        font-size: calc(13px * var(--zoom, 1)); overflow-wrap: anywhere;
        animation: rise 0.18s ease-out;
      }
      .toast.error { border-left-color: var(--danger); }
      .toast .ic { color: var(--accent); margin-top: 2px; }
      .toast.error .ic { color: var(--danger); }
      .toast p { flex: 1; padding-top: 1px; }
      .traynote {
        display: flex; gap: 10px; align-items: center; justify-content: center;
        padding: 6px 12px; font-size: calc(12.5px * var(--zoom, 1));
        background: var(--warn-soft); color: var(--warn);
        border-bottom: 1px solid color-mix(in srgb, var(--warn) 30%, transparent);
      }
      .boot { margin: auto; max-width: 480px; padding: 32px; text-align: center; display: grid; gap: 12px; }
      @keyframes rise { from { transform: translateY(6px); opacity: 0; } }
    `,
  ];

  /** Join or Settings open: the focused control (their button, say) is remembered before they take the focus. */
  override willUpdate(): void {
    // The party view went (home) with its dialog: the next one starts with none.
    if (this.state?.screen !== 'party') this.#viewModal = false;
    const open = this.#dialogOpen();
    if (open && !this.#wasDialog) this.#focusReturn.opened();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.#onZoomKey);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.#onZoomKey);
    super.disconnectedCallback();
  }

  /** Ctrl+plus, Ctrl+minus, Ctrl+0: the text size, wherever the focus is (the browser's own zoom is held back). */
  readonly #onZoomKey = (e: KeyboardEvent): void => {
    const dir = zoomKey(e);
    if (dir === null || !this.state) return;
    e.preventDefault();
    this.state.zoomBy(dir);
  };

  /** The size every font size is multiplied by (state/zoom.ts), as the custom property --zoom of the page. */
  #applyZoom(): void {
    const z = String((this.state?.zoom ?? 100) / 100);
    const root = document.documentElement.style;
    if (root.getPropertyValue('--zoom') === z) return;
    root.setProperty('--zoom', z);
    window.dispatchEvent(new Event(ZOOM_CHANGE)); // the size classes, as for a smaller or larger window
  }

  /** ...and gets it back when they close (Escape, Close, Save and close), when it is still there. */
  override updated(): void {
    this.#applyZoom();
    const open = this.#dialogOpen();
    if (!open && this.#wasDialog) this.#focusReturn.closed();
    this.#wasDialog = open;
  }

  #dialogOpen(): boolean {
    return Boolean(this.state?.join.open || this.state?.settingsOpen);
  }

  /**
   * Whether any modal dialog is open, the party view's included: what is outside it is
   * inert, or out of the Tab order, so that the keyboard stays in the dialog.
   */
  #anyModal(): boolean {
    return this.#dialogOpen() || (this.state?.screen === 'party' && this.#viewModal);
  }

  readonly #onViewModal = (e: CustomEvent<boolean>): void => {
    this.#viewModal = e.detail;
    this.requestUpdate();
  };

  /** Whether the party's find bar is open (find-change): the toasts go below it. */
  #findOpen = false;
  readonly #onFind = (e: CustomEvent<boolean>): void => {
    this.#findOpen = e.detail;
    this.requestUpdate();
  };

  override render() {
    const s = this.state;
    if (!s) return nothing;
    // Toasts stay out of the Tab order, not inert, behind a dialog: an error in one (a
    // Remove that failed) is still announced.
    const modal = this.#anyModal();
    return html`
      ${s.trayNote
        ? html`<div class="traynote" data-testid="tray-note" role="status" ?inert=${modal}>
            ${iconInfo()} <span>${s.trayNote}</span>
            <button class="ghost small" data-testid="tray-note-dismiss" @click=${() => s.dismissTrayNote()}>Dismiss</button>
          </div>`
        : nothing}
      <main>
        ${s.bootError
          ? html`<div class="boot card" data-testid="boot-error">
              <h2>Concordia could not start</h2>
              <p class="error-text">${s.bootError}</p>
            </div>`
          : s.screen === 'party'
            ? html`<party-view .state=${s} ?inert=${this.#dialogOpen()} @modal-change=${this.#onViewModal} @find-change=${this.#onFind}></party-view>`
            : html`<home-screen .state=${s} ?inert=${this.#dialogOpen()}></home-screen>`}
        <div class="toasts ${s.screen === 'party' && (s.ended || s.connection.status !== 'connected') ? 'below-banner' : ''} ${s.screen === 'party' && s.workspace.open ? 'beside-changes' : ''} ${s.screen === 'party' && this.#findOpen ? 'below-find' : ''}" aria-live="polite" data-testid="notices" @mouseenter=${() => s.holdNotices(true)} @mouseleave=${() => s.holdNotices(false)}>
          ${s.notices.map(
            (n) => html`<div class="toast ${n.kind}" data-testid="notice" data-kind=${n.kind} data-scope=${n.scope} role=${n.kind === 'error' ? 'alert' : 'status'}>
              <span class="ic">${n.kind === 'error' ? iconAlert() : iconInfo()}</span>
              <p>${n.text}</p>
              <button class="ghost icon small" title="Dismiss" aria-label="Dismiss" data-testid="notice-dismiss" tabindex=${modal ? '-1' : nothing}
                @click=${() => s.dismissNotice(n.id)}>${iconX()}</button>
            </div>`,
          )}
        </div>
      </main>
      ${s.join.open ? html`<join-dialog .state=${s}></join-dialog>` : nothing}
      ${s.settingsOpen ? html`<settings-panel .state=${s}></settings-panel>` : nothing}
    `;
  }
}

customElements.define('concordia-app', ConcordiaApp);

declare global {
  interface HTMLElementTagNameMap {
    'concordia-app': ConcordiaApp;
  }
}
