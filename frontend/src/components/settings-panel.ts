// <settings-panel>: the Gemini key and the saved defaults. The form draft is
// local; saving and key changes go through AppState, which validates first.

import { LitElement, css, html, nothing } from 'lit';
import { keyClass, type AppState } from '../state/app-state';
import type { MergerChoice, Settings, WorkspaceLevel } from '../state/types';
import { StateObserver } from './observe';
import { base } from './styles';
import { modalStyles, trapTab } from './modal';
import { iconAlert, iconCheck, iconX } from './icons';
import { claudeArgsField, permissionFields, type HostOptionsDraft } from './host-options';
import { partyPermissionModeLabel } from '../state/host-control';
import { unreachableInviteWarning } from '../state/settings';
import { decimal, formatWindow, minutes, whole } from '../state/format';
import { SHARE_LEVELS } from '../state/workspace';
import { Typing, keepFocus } from './settle';
import { DEFAULT_ZOOM, MAX_ZOOM, MIN_ZOOM, zoomStep } from '../state/zoom';

interface Draft extends HostOptionsDraft {
  name: string;
  workdir: string;
  windowSec: string;
  minPrompts: string;
  merger: MergerChoice;
  claudePath: string;
  /** The tool request timeout, in minutes (Go keeps milliseconds). */
  permissionTimeoutMin: string;
  listen: string;
  publicHost: string;
  notifications: boolean;
  share: WorkspaceLevel;
}

/** The settings field each field of the form edits (for the problems said of them). */
const SETTINGS_KEY: Record<keyof Draft, keyof Settings> = {
  name: 'name',
  workdir: 'workdir',
  windowSec: 'window_ms',
  minPrompts: 'min_prompts',
  merger: 'merger',
  claudePath: 'claude_path',
  permissionTimeoutMin: 'permission_timeout_ms',
  listen: 'listen',
  publicHost: 'public_host',
  notifications: 'notifications',
  share: 'share_workspace',
  permissionMode: 'permission_mode',
  approve: 'approve',
  claudeArgs: 'claude_args',
};

/** The form's fields for saved settings. */
function draftFrom(st: Settings): Draft {
  return {
    name: st.name,
    workdir: st.workdir,
    windowSec: String(st.window_ms / 1000),
    minPrompts: String(st.min_prompts),
    merger: st.merger,
    claudePath: st.claude_path,
    permissionTimeoutMin: minutes(st.permission_timeout_ms),
    listen: st.listen,
    publicHost: st.public_host,
    permissionMode: st.permission_mode,
    approve: st.approve,
    claudeArgs: st.claude_args,
    notifications: st.notifications,
    share: st.share_workspace ?? 'changes',
  };
}

export class SettingsPanel extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  #draft: Draft | null = null;
  #key = '';
  /** Close was asked for with changes not saved: the footer asks whether to drop them. */
  #askClose = false;
  /** Remove was clicked: the key goes from the keyring only once that is confirmed. */
  #askRemove = false;

  constructor() {
    super();
    new StateObserver(this);
  }

  static override styles = [
    base,
    modalStyles,
    css`
      .dialog { width: min(620px, 100%); }
      section { display: grid; gap: 12px; }
      .zoom { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
      .zoom output { min-width: 4.5ch; text-align: center; font-weight: 650; font-variant-numeric: tabular-nums; }
      section + section, section + form { border-top: 1px solid var(--border); padding-top: 16px; }
      .body { padding-bottom: 16px; }
      footer { border-top-color: var(--border) !important; }
      /* Between the scrolling body and the footer: always in view, beside the buttons it is about. */
      .warnbox.unsaved { flex: none; margin: 10px 20px 0; }
      h3 { font-size: calc(13px * var(--zoom, 1)); text-transform: uppercase; letter-spacing: 0.06em; color: var(--faint); font-weight: 650; }
      .two { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
      .keystate {
        display: flex; gap: 10px; align-items: center; padding: 10px 12px;
        border-radius: var(--radius-sm); background: var(--surface-2); border: 1px solid var(--border); font-size: calc(13px * var(--zoom, 1));
      }
      .keystate .dot { color: var(--faint); }
      .keystate.has .dot { color: var(--ok); }
      .keystate.refused .dot { color: var(--danger); }
      .keystate.unchecked .dot { color: var(--warn); }
      .keycheck { display: flex; gap: 8px; align-items: flex-start; font-size: calc(13px * var(--zoom, 1)); }
      .keycheck svg { margin-top: 2px; flex: none; }
      .keycheck.accepted { color: var(--ok); }
      .keycheck.checking { color: var(--muted); }
      code { font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); }
      .problem { color: var(--danger); font-size: calc(12px * var(--zoom, 1)); }
      footer .saved { color: var(--ok); display: inline-flex; gap: 6px; align-items: center; font-size: calc(13px * var(--zoom, 1)); margin-right: auto; }
      footer .err { margin-right: auto; align-self: center; }
      .party-note > div { display: grid; gap: 4px; min-width: 0; }
      .party-note dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; font-size: calc(12.5px * var(--zoom, 1)); }
      .party-note dt { color: var(--muted); }
      .party-note dd { margin: 0; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.#onKey);
  }

  /** Whether the keyboard was put in the panel since it opened. */
  #focused = false;

  /**
   * Opened: the keyboard is in it, on its first field, once it shows one (a tester's first
   * Tab reached the transcript behind it).
   */
  override updated(): void {
    if (this.#focused) return;
    // Opened at a field (Create's "Change in Settings" opens it at Network), else its first.
    const asked = this.state?.settingsFocus ? this.renderRoot.querySelector<HTMLElement>(`[data-settings-key="${this.state.settingsFocus}"]`) : null;
    const field = asked ?? this.renderRoot.querySelector<HTMLElement>('.body :is(input, select, textarea):not([disabled])');
    const close = this.renderRoot.querySelector<HTMLElement>('[data-testid="settings-close"]');
    if (field) {
      // The fields came after the panel (its settings were loading): the keyboard moves
      // from Close to them, unless the person has moved it themselves.
      const at = (this.renderRoot as ShadowRoot).activeElement;
      if (at === null || at === close) {
        // Its section from its start: scrolled just far enough to show the field, a small
        // window cut off the note above it that says these are the defaults for the next
        // party (a tester's participant, at 640×480, read them as the current party's).
        // From the first section, though, when the field is further down and the panel
        // shows both. A small window keeps the field and its section's note in view.
        // No keyring, so no key field: the keyboard stays on Close. On the first field it
        // could use, a window tester's pasted key went into the display name, and Enter
        // saved it to the settings file in plain text.
        const noKeyring = this.renderRoot.querySelector('[data-testid="settings-keyring-unavailable"]') !== null;
        (noKeyring && close ? close : field).focus({ preventScroll: true });
        const first = this.renderRoot.querySelector<HTMLElement>('.body section');
        const body = this.renderRoot.querySelector<HTMLElement>('.body');
        const fits = first && body && field.getBoundingClientRect().bottom - first.getBoundingClientRect().top <= body.clientHeight;
        (first && !first.contains(field) && fits && !asked ? first : field.closest('section'))?.scrollIntoView?.({ block: 'start' }); // (not in jsdom)
      }
      this.#focused = true;
    } else if (close && (this.renderRoot as ShadowRoot).activeElement === null) {
      close.focus();
    }
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.#onKey);
    super.disconnectedCallback();
  }

  readonly #onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      if (this.#askClose) this.#keepEditing();
      else this.#close();
    }
  };

  /**
   * Whether closing would lose something typed: a field that differs from the saved
   * settings, or a Gemini key pasted and not set.
   */
  #unsaved(s: AppState): boolean {
    return this.#key.trim() !== '' || this.#fieldsChanged(s);
  }

  /**
   * A field differs from the saved settings, both read as Save would send them (so a saved
   * value with stray spaces is not a change; a number not yet valid is).
   */
  #fieldsChanged(s: AppState): boolean {
    if (!this.#draft || !s.settings) return false;
    const now = this.#toSettings(this.#draft);
    const saved = this.#toSettings(draftFrom(s.settings));
    return (Object.keys(now) as (keyof Settings)[]).some((k) => now[k] !== saved[k]);
  }

  #askToRemove(): void {
    this.#askRemove = true;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="settings-key-remove-no"]')?.focus());
  }

  #remove(): void {
    this.#askRemove = false;
    void this.state?.deleteKey();
  }

  #keepKey(): void {
    this.#askRemove = false;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="settings-key-remove"]')?.focus());
  }

  /** Close, Escape and a click beside the dialog: what was typed and not saved is asked about first. */
  #close(): void {
    const s = this.state;
    if (!s) return;
    if (!this.#unsaved(s)) {
      s.closeSettings();
      return;
    }
    this.#askClose = true;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="settings-keep-editing"]')?.focus());
  }

  /** The question goes; focus goes to Close, beside where it was, not to the page behind. */
  #keepEditing(): void {
    this.#askClose = false;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="settings-cancel"]')?.focus());
  }

  #ensureDraft(s: AppState): Draft | null {
    if (!this.#draft && s.settings) this.#draft = draftFrom(s.settings);
    return this.#draft;
  }

  #set<K extends keyof Draft>(k: K, v: Draft[K]): void {
    if (!this.#draft) return;
    this.#draft = { ...this.#draft, [k]: v };
    this.#askClose = false;
    this.requestUpdate();
    this.state?.settingsEdited(SETTINGS_KEY[k]);
  }

  #toSettings(d: Draft): Settings {
    return {
      name: d.name.trim(),
      workdir: d.workdir.trim(),
      window_ms: Math.round(decimal(d.windowSec) * 1000),
      min_prompts: whole(d.minPrompts),
      merger: d.merger,
      claude_path: d.claudePath.trim(),
      permission_timeout_ms: Math.round(decimal(d.permissionTimeoutMin) * 60_000),
      listen: d.listen.trim(),
      public_host: d.publicHost.trim(),
      permission_mode: d.permissionMode,
      approve: d.approve,
      claude_args: d.claudeArgs.trim(),
      notifications: d.notifications,
      share_workspace: d.share,
      zoom: this.state?.zoom ?? DEFAULT_ZOOM, // saved at once by its own buttons, not by Save
    };
  }

  /**
   * The panel's typing: Save and Save key read the fields once the typing still on its way
   * has landed (settle.ts).
   */
  #typing = new Typing();

  #save(e: Event): void {
    e.preventDefault();
    void this.#typing.whenSettled(() => this.#saveNow());
  }

  async #saveNow(): Promise<void> {
    if (!this.state || !this.#draft) return;
    const sent = this.#draft;
    const saved = await this.state.saveSettings(this.#toSettings(sent));
    if (!saved && Object.keys(this.state.settingsProblems).length > 0) {
      // The keyboard (and so the scroll) goes to the first marked field: a tester's stayed
      // on Save, under "Please fix the marked fields.", with the fields out of view.
      await this.updateComplete;
      const bad = this.renderRoot.querySelector<HTMLElement>('form [aria-invalid="true"]');
      bad?.focus();
      // And what is wrong with it, under it: focus showed the field only, its sentence cut
      // off at the panel's bottom until scrolled (a window tester's listen address).
      bad?.closest('label')?.querySelector('.problem')?.scrollIntoView?.({ block: 'nearest' });
      return;
    }
    if (saved && this.#draft === sent) {
      // The fields show what was saved, as Go keeps it (a path made whole, say): a Close
      // after a Save has nothing to ask about. (Not when a field was typed in meanwhile.)
      this.#draft = null;
      this.requestUpdate();
    }
    // A key pasted and not set is set too: Save said "Saved" while the key was left out,
    // and Close then asked about it (a tester's). Not when the settings were refused: the
    // person is fixing a field, and the key waits with the rest (a reviewer's).
    if (saved && this.#key.trim() !== '' && !(await this.#setKey())) {
      await this.updateComplete;
      this.renderRoot.querySelector('[data-testid="settings-key-error"]')?.scrollIntoView({ block: 'nearest' });
    }
  }

  /** Sets the pasted key; whether it was set. */
  async #setKey(): Promise<boolean> {
    if (!this.state) return false;
    if (await this.state.setKey(this.#key)) {
      this.#key = '';
      this.requestUpdate();
      return true;
    }
    return false;
  }

  #keySection(s: AppState) {
    const k = s.key;
    const where =
      k?.source === 'env'
        ? 'GEMINI_API_KEY is set in the environment; it overrides the keyring for this run.'
        : k?.source === 'keyring'
          ? 'Stored in the OS keyring. Prompts are merged with Gemini when the merger is auto or gemini.'
          : 'No key: prompts are merged locally.';
    // Google refused it, at a check or in a party: not said to merge with Gemini in green
    // until it is replaced or a check finds it works.
    const refused = s.keyShownRefused;
    // Saved while Google could not be asked: amber, not said to work.
    const unchecked = !refused && k?.source === 'keyring' && k.unchecked;
    return html`
      <section>
        <h3>Gemini API key</h3>
        <div class="keystate ${keyClass(k, refused)}" data-testid="settings-key-status" data-refused=${refused ? '1' : '0'} data-unchecked=${unchecked ? '1' : '0'}>
          <span class="dot"></span>
          <div class="grow"><b>${k?.source === 'env' ? 'From the environment' : k?.source === 'keyring' ? (unchecked ? 'In the OS keyring — not yet checked' : 'In the OS keyring') : 'No key set'}</b><div class="hint">${refused
            ? s.keyShownDenied
              ? // Its project or restrictions: "until it is replaced" stood beside Check's "The
                // key itself need not change" (a builder's).
                'Google refused this use of the key when it was last tried: prompts are merged locally until its Google Cloud project or restrictions allow it. The key itself need not change; Check asks again.'
              : // Noted on disk, maybe by another process: when, and what to do, as the
                // terminal's "concordia key status" says it (Go's words).
                k?.refused || 'Google refused this key when it was last tried: prompts are merged locally until it is replaced (or Check finds it works).'
            : unchecked
              ? 'Saved while Google could not be asked whether it works. Check asks again; a party that merges with it shows it works too.'
              : where}</div></div>
          ${k && k.source !== 'none'
            ? html`<button class="small" data-testid="settings-key-check" ?disabled=${s.keyBusy || s.keyChecking} title="Ask Google whether the key works (one request, no tokens used)"
                @click=${() => void s.checkKey()}>Check</button>`
            : nothing}
          ${k?.source === 'keyring'
            ? html`<button class="danger small" data-testid="settings-key-remove" ?disabled=${s.keyBusy || this.#askRemove} @click=${() => this.#askToRemove()}>Remove</button>`
            : nothing}
        </div>
        ${this.#askRemove && k?.source === 'keyring'
          ? // Asked first: it deleted the key from the keyring at once, with no way back (a
            // window tester's).
            html`<div class="warnbox confirm" role="alertdialog" aria-labelledby="settings-key-remove-ask" data-testid="settings-key-remove-confirm">
              ${iconAlert()}<span id="settings-key-remove-ask">Remove the Gemini key from the OS keyring? Prompts are then merged locally until a key is set again.</span>
              <span class="buttons">
                <button type="button" class="small danger" data-testid="settings-key-remove-yes" @click=${() => this.#remove()}>Remove the key</button>
                <button type="button" class="small" data-testid="settings-key-remove-no" @click=${() => this.#keepKey()}>Keep it</button>
              </span>
            </div>`
          : nothing}
        ${this.#keyCheck(s)}
        ${k && !k.keyring_available
          ? html`<div class="warnbox" data-testid="settings-keyring-unavailable">${iconAlert()}<span>
              The OS keyring is unavailable${k.keyring_error ? html`: ${k.keyring_error}` : ''}. Set <code>GEMINI_API_KEY</code> in the
              environment before starting Concordia instead.</span></div>`
          : nothing}
        ${k?.legacy_file
          ? html`<div class="hint">A key from <code>${k.legacy_file}</code> was found; it is moved into the keyring when the keyring is available.</div>`
          : nothing}
        <div class="row">
          <input type="password" class="grow mono" data-testid="settings-key-input" autocomplete="off" spellcheck="false"
            placeholder=${k?.source === 'keyring' ? 'Paste a new key to replace it' : 'Paste your Gemini API key'}
            .value=${this.#key} ?disabled=${s.keyBusy || (k !== null && !k.keyring_available)}
            @input=${(e: InputEvent) => {
              this.#key = (e.target as HTMLInputElement).value;
              this.requestUpdate();
            }}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void this.#typing.whenSettled(() => this.#setKey());
              }
            }} />
          <button data-testid="settings-key-save" ?disabled=${s.keyBusy || this.#key.trim() === ''} @mousedown=${keepFocus}
            @click=${() => void this.#typing.whenSettled(() => this.#setKey())}>
            ${s.keyBusy ? html`<span class="spinner"></span>` : nothing} ${k?.source === 'keyring' ? 'Replace key' : 'Save key'}
          </button>
        </div>
        ${s.keyError ? html`<div class="error-box" role="alert" data-testid="settings-key-error">${iconAlert()}<span>${s.keyError}</span></div>` : nothing}
      </section>
    `;
  }

  /** What Google said about the key, under its state: accepted, refused, or not reachable. */
  #keyCheck(s: AppState) {
    if (s.keyChecking) {
      return html`<div class="keycheck checking" data-testid="settings-key-check-result" data-result="checking" role="status"><span class="spinner"></span><span>Asking Google whether the key works…</span></div>`;
    }
    const c = s.keyCheck;
    if (!c) return nothing;
    if (c.result === 'accepted') {
      return html`<div class="keycheck accepted" data-testid="settings-key-check-result" data-result="accepted" role="status">${iconCheck()}<span>${c.text}</span></div>`;
    }
    return c.result === 'refused'
      ? html`<div class="error-box" data-testid="settings-key-check-result" data-result=${c.result} role="alert">${iconAlert()}<span>${c.text}</span></div>`
      : html`<div class="warnbox" data-testid="settings-key-check-result" data-result=${c.result} role="status">${iconAlert()}<span>${c.text}</span></div>`;
  }

  /**
   * What new parties show of the working folder. The whole folder (.env files included) is
   * never a default: Create party offers it for one party at a time (so Go's Remember never
   * keeps it). A settings file that still says so shows it, with what it means.
   */
  #shareField(d: Draft, problem: string | undefined) {
    const levels = SHARE_LEVELS.filter((l) => l.level !== 'tree' || d.share === 'tree');
    return html`<label class="field">
      <span class="label">What new parties show of the folder</span>
      <select data-testid="settings-share" aria-invalid=${problem ? 'true' : 'false'}
        @change=${(e: Event) => this.#set('share', (e.target as HTMLSelectElement).value as WorkspaceLevel)}>
        ${levels.map((l) => html`<option value=${l.level} ?selected=${l.level === d.share}>${l.choice}</option>`)}
      </select>
      ${problem
        ? html`<span class="problem" data-testid="settings-share-problem">${problem}</span>`
        : d.share === 'tree'
          ? html`<span class="warnbox" role="note" data-testid="settings-share-warning">${iconAlert()}<span>Every new party would show everyone in it, viewers too, the name of every file in the folder and the changes to all of them — <b>.env files, keys and other secrets included</b>. Create party offers this for one party at a time.</span></span>`
          : html`<span class="hint">${SHARE_LEVELS.find((l) => l.level === d.share)?.hint ?? ''} Create party can also share the whole folder, for that party only.</span>`}
    </label>`;
  }

  /** The text size: shown, changed and kept at once (not by Save), as Ctrl+plus, Ctrl+minus and Ctrl+0 do. */
  #zoomSection(s: AppState) {
    const z = s.zoom;
    return html`<section>
      <h3 id="settings-zoom-label">Text size</h3>
      <div class="zoom" role="group" aria-labelledby="settings-zoom-label">
        <button type="button" class="small" data-testid="settings-zoom-out" aria-label="Smaller text" ?disabled=${z <= MIN_ZOOM} @click=${() => void s.setZoom(zoomStep(z, -1))}>A−</button>
        <output data-testid="settings-zoom" aria-live="polite">${z}%</output>
        <button type="button" class="small" data-testid="settings-zoom-in" aria-label="Larger text" ?disabled=${z >= MAX_ZOOM} @click=${() => void s.setZoom(zoomStep(z, 1))}>A+</button>
        <button type="button" class="small" data-testid="settings-zoom-reset" ?disabled=${z === DEFAULT_ZOOM} @click=${() => void s.setZoom(DEFAULT_ZOOM)}>Reset to ${DEFAULT_ZOOM}%</button>
      </div>
      <span class="hint">From ${MIN_ZOOM}% to ${MAX_ZOOM}%, kept at once. Ctrl and +, − or 0 too, anywhere in the window.</span>
    </section>`;
  }

  #field(label: string, testid: string, key: keyof Draft, problem: string | undefined, opts: { inputmode?: 'decimal' | 'numeric'; mono?: boolean; placeholder?: string; hint?: string } = {}) {
    const d = this.#draft!;
    return html`<label class="field">
      <span class="label">${label}</span>
      <input data-testid=${testid} data-settings-key=${SETTINGS_KEY[key]} type="text" inputmode=${opts.inputmode ?? 'text'} class=${opts.mono ? 'mono' : ''} spellcheck="false"
        placeholder=${opts.placeholder ?? ''} aria-invalid=${problem ? 'true' : 'false'} .value=${d[key]}
        @input=${(e: InputEvent) => this.#set(key, (e.target as HTMLInputElement).value as never)} />
      ${problem ? html`<span class="problem" data-testid="${testid}-problem">${problem}</span>` : opts.hint ? html`<span class="hint">${opts.hint}</span>` : nothing}
    </label>`;
  }

  /**
   * While a party runs, what saving here does to it: nothing. The defaults are for the next
   * party hosted; what this one uses is shown (a tester changed the mode, read "Saved", and
   * the running party kept its own). Approval and the tool permissions can change in a
   * running party (§7), from Host controls.
   */
  #partyNote(s: AppState) {
    const p = s.session?.party;
    if (!p || s.ended) return nothing;
    return html`<div class="warnbox party-note" role="note" data-testid="settings-party-note">
      ${iconAlert()}
      <div>
        <b>These are the defaults for the next party you host.</b> Saving them does not change the party you are in; it keeps
        its own${s.isHost ? ' (you can change its approval and tool permissions under Host controls in the side panel)' : ''}:
        <dl>
          <dt>Tools</dt><dd data-testid="settings-party-mode">${partyPermissionModeLabel(p.permission_mode) || 'Ask a host'}</dd>
          <dt>Approval</dt><dd>${p.approval ? 'Each prompt waits for a host' : 'Off'}</dd>
          <dt>Merger</dt><dd data-testid="settings-party-merger">${this.#partyMerger(s, p.merger)}</dd>
          <dt>Window</dt><dd>${formatWindow(p.window_ms)}</dd>
          <dt>Min prompts</dt><dd>${p.min_prompts}</dd>
        </dl>
      </div>
    </div>`;
  }

  /**
   * The running party's merger, and what a key just saved here changes: a party this window
   * hosts that merges locally uses it from its next batch of two or more prompts (PROTOCOL.md
   * §7 settings.merger), unless it was hosted with the merger set to local. A window
   * tester's read "Google accepted this key" above "Merger: Local", and nothing said when
   * Gemini would be used.
   */
  #partyMerger(s: AppState, merger: string) {
    if (merger === 'gemini') return 'Gemini';
    const saved = s.isOwner && s.keyCheck?.result === 'accepted' && s.keyCheck.saved === true && s.key?.source === 'keyring';
    if (!saved) return 'Local';
    return s.session?.merge_mode === 'local'
      ? 'Local: this party was hosted with the merger set to local, so the new key is for the next party'
      : 'Local now; Gemini from the next batch of 2 or more prompts';
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const d = this.#ensureDraft(s);
    const inParty = Boolean(s.session && !s.ended);
    const runningMode = partyPermissionModeLabel(s.session?.party.permission_mode);
    const p = s.settingsProblems;
    const unreachable = d ? unreachableInviteWarning(d.listen, d.publicHost) : '';
    return html`
      <div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && this.#close()}>
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="settings-title" data-testid="settings-panel" @keydown=${trapTab}>
          <header>
            <h2 id="settings-title">Settings</h2>
            <button class="ghost icon" aria-label="Close" data-testid="settings-close" @click=${() => this.#close()}>${iconX()}</button>
          </header>
          <div class="body" @input=${this.#typing.typed} @change=${this.#typing.typed}>
            ${this.#keySection(s)}
            ${d
              ? html`<form id="settings-form" @submit=${this.#save} novalidate style="display:grid;gap:16px">
                  <section>
                    <h3>Hosting defaults</h3>
                    ${this.#partyNote(s)}
                    <div class="two">
                      ${this.#field('Display name', 'settings-name', 'name', p.name)}
                      <label class="field">
                        <span class="label">Merger</span>
                        <select data-testid="settings-merger" @change=${(e: Event) => this.#set('merger', (e.target as HTMLSelectElement).value as MergerChoice)}>
                          <option value="auto" ?selected=${d.merger === 'auto'}>Auto</option>
                          <option value="gemini" ?selected=${d.merger === 'gemini'}>Gemini</option>
                          <option value="local" ?selected=${d.merger === 'local'}>Local</option>
                        </select>
                      </label>
                      ${this.#field('Batching window (seconds)', 'settings-window', 'windowSec', p.window_ms, { inputmode: 'decimal' })}
                      ${this.#field('Min prompts per batch', 'settings-min-prompts', 'minPrompts', p.min_prompts, { inputmode: 'numeric' })}
                    </div>
                    ${this.#field('Working directory', 'settings-workdir', 'workdir', p.workdir, { mono: true })}
                    ${this.#field('Claude Code executable', 'settings-claude-path', 'claudePath', p.claude_path, { mono: true, placeholder: 'claude (found on PATH)' })}
                  </section>
                  <section>
                    <h3>The agent's permissions</h3>
                    ${inParty
                      ? html`<span class="hint" data-testid="settings-party-mode-hint">For the next party you host. The party you are in keeps
                          ${runningMode ? html`<b>${runningMode}</b>` : 'its mode'}.</span>`
                      : nothing}
                    ${permissionFields('settings', d, (k, v) => this.#set(k, v as never))}
                    ${this.#field('Deny an undecided tool request after (minutes)', 'settings-permission-timeout', 'permissionTimeoutMin', p.permission_timeout_ms, {
                      inputmode: 'decimal',
                      hint: 'How long a tool request waits for a host before the agent is told no: from 0.25 to 1440 (a day).',
                    })}
                    ${claudeArgsField('settings', d, (k, v) => this.#set(k, v), p.claude_args)}
                    ${this.#shareField(d, p.share_workspace)}
                  </section>
                  ${this.#zoomSection(s)}
                  <section>
                    <h3>Notifications</h3>
                    <label class="check">
                      <input type="checkbox" data-testid="settings-notifications" .checked=${d.notifications}
                        @change=${(e: Event) => this.#set('notifications', (e.target as HTMLInputElement).checked)} />
                      <span>Desktop notifications<span class="hint" style="display:block">When the window is hidden or in the background: the agent finished or failed, a tool request or a prompt waits for a host, someone joined, the party ended.</span></span>
                    </label>
                  </section>
                  <section>
                    <h3>Network</h3>
                    <div class="two">
                      ${this.#field('Listen address', 'settings-listen', 'listen', p.listen, { mono: true, placeholder: ':8765', hint: 'HOST:PORT or :PORT' })}
                      ${this.#field('Public host', 'settings-public-host', 'publicHost', p.public_host, { mono: true, placeholder: 'detected', hint: 'Name or IP written into invites' })}
                    </div>
                    ${unreachable
                      ? html`<span class="warnbox" role="note" data-testid="settings-unreachable">${iconAlert()}<span>${unreachable}</span></span>`
                      : nothing}
                  </section>
                </form>`
              : html`<p class="hint">Loading settings…</p>`}
          </div>
          ${this.#askClose
            ? html`<div class="warnbox confirm unsaved" role="alertdialog" aria-labelledby="settings-unsaved-ask" data-testid="settings-unsaved">
                ${iconAlert()}
                <span id="settings-unsaved-ask">${this.#key.trim() !== '' && !this.#fieldsChanged(s)
                  ? 'The Gemini key you pasted is not set. Close without setting it?'
                  : 'Your changes are not saved. Close without saving them?'}</span>
                <span class="buttons">
                  <button type="button" class="small danger" data-testid="settings-discard" @click=${() => s.closeSettings()}>Close without saving</button>
                  <button type="button" class="small" data-testid="settings-keep-editing" @click=${() => this.#keepEditing()}>Keep editing</button>
                </span>
              </div>`
            : nothing}
          <footer>
            ${s.settingsSaved ? html`<span class="saved" data-testid="settings-saved" role="status">${iconCheck()} ${inParty ? 'Saved for the next party you host' : 'Saved'}</span>` : nothing}
            ${s.settingsError ? html`<span class="error-text err" role="alert" data-testid="settings-error">${s.settingsError}</span>` : nothing}
            <button class="ring" data-testid="settings-cancel" @click=${() => this.#close()}>Close</button>
            <button class="primary" type="submit" form="settings-form" data-testid="settings-save" ?disabled=${s.settingsBusy || !d} @mousedown=${keepFocus}>
              ${s.settingsBusy ? html`<span class="spinner"></span> Saving…` : 'Save'}
            </button>
          </footer>
        </div>
      </div>
    `;
  }
}

customElements.define('settings-panel', SettingsPanel);
