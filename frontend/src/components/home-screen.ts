// <home-screen>: create a party or join one. The create form's draft lives
// here (it is only the person's typing); everything it does goes through AppState.

import { LitElement, css, html, nothing } from 'lit';
import { describeKey, keyClass, networkWords, type AppState } from '../state/app-state';
import type { CreateRequest, MergerChoice, WorkspaceLevel } from '../state/types';
import { SHARE_LEVELS } from '../state/workspace';
import { canResume } from '../state/recent-parties';
import { StateObserver } from './observe';
import { ViewportController } from './viewport';
import './recent-parties';
import { base } from './styles';
import { iconAlert, iconFolder, iconGear, iconLink, logo } from './icons';
import { claudeArgsField, permissionFields, type HostOptionsDraft } from './host-options';
import { decimal, minutes } from '../state/format';
import { JOIN_BUTTON } from '../state/join';
import { Typing, keepFocus } from './settle';


interface Draft extends HostOptionsDraft {
  name: string;
  workdir: string;
  windowSec: string;
  merger: MergerChoice;
  minPrompts: string;
  claudePath: string;
  /** The tool request timeout, in minutes (Go keeps milliseconds). */
  permissionTimeoutMin: string;
  share: WorkspaceLevel;
}

export class HomeScreen extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  #draft: Draft | null = null;

  constructor() {
    super();
    new StateObserver(this);
    new ViewportController(this);
  }

  static override styles = [
    base,
    css`
      /* What Tab brings into view stops above the sticky Create party bar (its height, 52 px,
         and a margin): see #fieldInView. */
      :host { display: block; height: 100%; overflow: auto; scroll-padding-bottom: 64px; }
      .wrap { max-width: 980px; margin: 0 auto; padding: 22px 28px 48px; }
      header { display: flex; align-items: center; gap: 10px; margin-bottom: 36px; }
      .brand { font-weight: 700; font-size: calc(16px * var(--zoom, 1)); letter-spacing: -0.01em; }
      .version { color: var(--faint); font-size: calc(12px * var(--zoom, 1)); }
      .hero { margin-bottom: 26px; }
      .hero h1 { font-size: calc(28px * var(--zoom, 1)); letter-spacing: -0.02em; line-height: 1.2; margin-bottom: 8px; font-weight: 700; }
      .hero p { color: var(--muted); font-size: calc(15px * var(--zoom, 1)); max-width: 620px; }
      .grid { display: grid; grid-template-columns: minmax(0, 1.45fr) minmax(0, 1fr); gap: 20px; align-items: start; }
      /* Breakpoints as attributes, not @media (kept stale by WebKitGTK: viewport.ts). */
      :host([vw~=lt760]) .grid { grid-template-columns: 1fr; }
      .stopped-note { display: none; align-items: center; gap: 8px; margin-bottom: 16px; padding: 8px 12px; border-radius: var(--radius-sm); background: var(--warn-soft); color: var(--text); font-size: calc(13px * var(--zoom, 1)); }
      .stopped-note span { flex: 1; min-width: 0; overflow-wrap: anywhere; }
      .stopped-note code { font-size: calc(12px * var(--zoom, 1)); }
      :host([vw~=lt760]) .stopped-note { display: flex; }
      /* In one column the Join card is under the whole Create form: a joiner finds its button
         in the header (a window tester's, at 640×480, had to scroll past every field to find
         it). In the header, not above the form: at 640×480 a row there put Create party out of view. */
      .join-top { display: none; }
      :host([vw~=lt760]) .join-top { display: inline-flex; }
      header > * { flex: none; }
      header > .grow { flex: 1; }
      :host([vw~=lt520]) .version, :host([vw~=lt520]) header .words { display: none; }
      .side { display: grid; align-content: start; min-width: 0; }
      .card { padding: 22px; }
      .card h2 { font-size: calc(16px * var(--zoom, 1)); margin-bottom: 4px; }
      .card .sub { color: var(--muted); font-size: calc(13px * var(--zoom, 1)); margin-bottom: 18px; }
      form { display: grid; gap: 14px; }
      .two { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
      .keyline { display: flex; align-items: center; gap: 8px; font-size: calc(12.5px * var(--zoom, 1)); color: var(--muted); }
      .keyline .dot { color: var(--faint); }
      .keyline.has .dot { color: var(--ok); }
      .keyline.refused .dot { color: var(--danger); }
      .keyline.unchecked .dot { color: var(--warn); }
      .keyline button { margin-left: auto; }
      .keynote { font-size: calc(12px * var(--zoom, 1)); color: var(--muted); margin: -6px 0 0 16px; }
      .net { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; }
      .net .hint { flex: 1 1 240px; min-width: 0; overflow-wrap: anywhere; }
      details.more summary { cursor: pointer; color: var(--muted); font-size: calc(13px * var(--zoom, 1)); user-select: none; }
      details.more[open] summary { margin-bottom: 12px; }
      details.more > .field + .two, details.more > .two + .field, details.more > .field + .field { margin-top: 12px; }
      div.field { display: flex; flex-direction: column; gap: 5px; }
      /* The button stays in view when the form is taller than the window (800×600, a banner above).
         Its top fades, so that fields scrolled under it show that the form goes on below. */
      /* As low as the button, with a short fade, at every height: its 18 px padding and fade
         covered a line of the form at first view wherever the form went on below (at 640×480 a
         third of the fields, a tester's; at 1180×720 the approval checkbox's hint, a window
         tester's). It stays sticky: Create party must be in view wherever the form is scrolled
         (a button out of view after a failed Create looked dead, an earlier tester's). */
      .actions {
        display: flex; justify-content: flex-end; gap: 8px; margin: -4px -22px -22px; padding: 8px 22px 12px;
        position: sticky; bottom: 0; border-radius: 0 0 var(--radius) var(--radius);
        background: linear-gradient(to bottom, transparent, var(--surface) 6px);
        /* An edge of its own: over a field scrolled under it, the bar read as the field cut off
           (a window tester's approval caption, "What may the agent do" at 800 px). */
        box-shadow: 0 -1px 0 var(--border);
      }
      .join-card { display: flex; flex-direction: column; gap: 14px; }
      .join-card .big {
        width: 100%; min-height: 44px; font-size: calc(14.5px * var(--zoom, 1));
      }
      .steps { margin: 0; padding: 0 0 0 18px; color: var(--muted); font-size: calc(13px * var(--zoom, 1)); display: grid; gap: 6px; }
      .link-eg { font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); color: var(--faint); overflow-wrap: anywhere; }
    `,
  ];

  /** The saved settings the draft was made from: saving new ones in Settings refills it. */
  #draftFrom: unknown = null;
  /** The draft as those settings made it: a field that differs from it was edited here. */
  #draftBase: Draft | null = null;

  #ensureDraft(s: AppState): Draft | null {
    if (s.settings && (!this.#draft || this.#draftFrom !== s.settings)) {
      const st = s.settings;
      const fresh: Draft = {
        name: st.name,
        workdir: st.workdir,
        windowSec: String(st.window_ms / 1000),
        merger: st.merger,
        minPrompts: String(st.min_prompts),
        claudePath: st.claude_path,
        permissionTimeoutMin: minutes(st.permission_timeout_ms),
        permissionMode: st.permission_mode,
        approve: st.approve,
        claudeArgs: st.claude_args,
        share: st.share_workspace ?? 'changes',
      };
      this.#draft = refillDraft(fresh, this.#draft, this.#draftBase);
      this.#draftFrom = st;
      this.#draftBase = fresh;
    }
    return this.#draft;
  }

  /** Create was clicked and its error, if any, has not been brought into view yet. */
  #submitted = false;
  /** Set while a focus is given without scrolling (after a failed Create): #fieldInView leaves the view alone. */
  #keepView = false;

  override updated(): void {
    const error = this.state?.createError ?? '';
    const field = errorField(error);
    // An error about a field under More options shows it (opened, never closed here: the
    // person may have opened it).
    if (field === 'claudePath' || field === 'minPrompts' || field === 'claudeArgs' || field === 'permissionTimeout') {
      const more = this.renderRoot.querySelector<HTMLDetailsElement>('details.more');
      if (more && !more.open) more.open = true;
    }
    // After a Create that failed, the error and its field are brought into view: the form
    // is taller than the window, the error sits at its end, and the button is sticky, so
    // a failed Create looked like a dead button.
    if (this.#submitted && !this.state?.creating) {
      this.#submitted = false;
      if (!error) return;
      const box = this.renderRoot.querySelector<HTMLElement>('[data-testid="home-create-error"]');
      box?.scrollIntoView({ block: 'center' });
      const input = field ? this.renderRoot.querySelector<HTMLElement>(`[data-testid="${FIELD_TESTIDS[field]}"]`) : null;
      // Its focus leaves the view where it is: the error centred, not the field (#fieldInView).
      this.#keepView = true;
      input?.focus({ preventScroll: true });
      this.#keepView = false;
    }
  }

  #set<K extends keyof Draft>(k: K, v: Draft[K]): void {
    if (!this.#draft) return;
    if (k === 'workdir') {
      this.#askHome = false;
      this.#homeConfirmed = ''; // asked again, even back at the same folder
    }
    this.#draft = { ...this.#draft, [k]: v };
    this.requestUpdate();
    // An error about the form goes once the edit fixes its cause (AppState re-checks).
    this.state?.editCreate(this.#request(this.#draft));
  }

  async #browse(): Promise<void> {
    const s = this.state;
    if (!s || !this.#draft) return;
    const dir = await s.pickDirectory(this.#draft.workdir);
    if (dir) this.#set('workdir', dir);
  }

  async #browseClaude(): Promise<void> {
    const s = this.state;
    if (!s || !this.#draft) return;
    const path = await s.pickClaude(this.#draft.claudePath);
    if (path) this.#set('claudePath', path);
  }

  /** Create was clicked with the home folder as the working folder: asked first. */
  #askHome = false;
  /** The home folder the person confirmed on this form. */
  #homeConfirmed = '';

  /**
   * The form's typing: Create reads the form once the typing still on its way has landed (a
   * window tester's Create ran with "/tm" of "/tmp/t2/ws2"; settle.ts).
   */
  #typing = new Typing();

  /**
   * A control reached with Tab (or focused after an error) brings its whole field into view,
   * label and caption with it, above the sticky Create party bar (the host's scroll padding):
   * the browser brings only the control, and the approval checkbox's caption, a select's box
   * went under the bar (a window tester's).
   */
  #fieldInView = (e: FocusEvent): void => {
    const el = e.target as Element;
    if (this.#keepView || el.closest('.actions')) return;
    (el.closest('label.check, .field') ?? el).scrollIntoView?.({ block: 'nearest' }); // (not in jsdom)
  };

  #create(e: Event): void {
    e.preventDefault();
    void this.#typing.whenSettled(() => this.#createNow());
  }

  async #createNow(): Promise<void> {
    const s = this.state;
    const d = this.#draft; // read after the wait: the typing that was on its way is in it
    if (!s || !d) return;
    if (isHome(d.workdir, s.boot?.home ?? '') && this.#homeConfirmed !== d.workdir.trim()) {
      // The agent would run with the whole home folder as its own (a tester's went ahead
      // on the default, $HOME, with a warning only): asked first, as Allow everything is.
      this.#askHome = true;
      this.requestUpdate();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="home-workdir-cancel"]')?.focus();
      return;
    }
    this.#askHome = false;
    this.#submitted = true;
    await s.createParty(this.#request(d));
    this.requestUpdate(); // updated() brings a new error into view
  }

  #confirmHome(): void {
    this.#homeConfirmed = this.#draft?.workdir.trim() ?? '';
    this.#askHome = false;
    this.renderRoot.querySelector<HTMLFormElement>('form')?.requestSubmit();
  }

  #chooseOtherFolder(): void {
    this.#askHome = false;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('[data-testid="home-workdir"]')?.select());
  }

  #request(d: Draft): CreateRequest {
    return {
      name: d.name.trim(),
      workdir: d.workdir.trim(),
      window_ms: Math.round(decimal(d.windowSec) * 1000),
      min_prompts: Number(d.minPrompts) || 1,
      merger: d.merger,
      claude_path: d.claudePath.trim(),
      permission_mode: d.permissionMode,
      claude_args: d.claudeArgs,
      approve: d.approve,
      permission_timeout_ms: Math.round(decimal(d.permissionTimeoutMin) * 60_000),
      share_workspace: d.share,
    };
  }

  /** "Show it": the stopped party's row in the list, its Resume focused. */
  #showStopped(id: string): void {
    const list = this.renderRoot.querySelector('recent-parties') as (HTMLElement & { focusResume(id: string): void }) | null;
    list?.focusResume(id);
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const d = this.#ensureDraft(s);
    const keyLine = describeKey(s.key, s.keyShownRefused, s.keyShownDenied);
    const bad = errorField(s.createError);
    const stopped = s.recent.parties.find((p) => p.state === 'not_ended_cleanly' && canResume(p));
    return html`
      <div class="wrap" data-testid="home">
        <header>
          ${logo(26)}
          <span class="brand">Concordia</span>
          ${s.boot ? html`<span class="version">${s.boot.version}</span>` : nothing}
          <span class="grow"></span>
          <!-- No native tooltips on these: WebKitGTK kept one over the dialog the click opened
               (a user tester's); their words say what they do. -->
          <button class="join-top" data-testid="home-join-top" @click=${() => void s.openJoin()}>${iconLink()} Join a party…</button>
          <button class="ghost" data-testid="home-settings" aria-label="Settings" @click=${() => s.openSettings()}>${iconGear()}<span class="words">Settings</span></button>
        </header>
        <section class="hero">
          <h1>Steer one Claude Code agent, together.</h1>
          <p>Host a party on this machine or join a teammate's. Everyone's prompts are batched, merged into one, and the agent's work streams to all of you live.</p>
        </section>
        ${stopped
          ? // In one column (a small window) the list of parties is under the form, out of
            // view: a party that stopped while its people wait is said at the top (a window
            // tester's, at 640×480, saw only Create party).
            html`<div class="stopped-note" role="status" data-testid="home-stopped">${iconAlert()}<span>A party stopped without ending${stopped.workdir ? html` (in <code>${stopped.workdir}</code>)` : nothing}: its people may be waiting for it to come back.</span>
              <button class="small" data-testid="home-stopped-show" @click=${() => this.#showStopped(stopped.id)}>Show it</button></div>`
          : nothing}
        <div class="grid">
          <section class="card" aria-labelledby="create-h">
            <h2 id="create-h">Create a party</h2>
            <p class="sub">The agent runs here, in the folder you choose.</p>
            ${d
              ? html`<form @submit=${this.#create} @focusin=${this.#fieldInView} @input=${this.#typing.typed} @change=${this.#typing.typed} novalidate>
                  <label class="field">
                    <span class="label">Your display name</span>
                    <input data-testid="home-name" aria-invalid=${bad === 'name' ? 'true' : 'false'} .value=${d.name} autocomplete="off" spellcheck="false"
                      aria-describedby=${bad === 'name' ? 'home-name-error' : nothing}
                      @input=${(e: InputEvent) => this.#set('name', (e.target as HTMLInputElement).value)} />
                    ${bad === 'name'
                      ? // Under the field, not at the form's end: the field is at the top.
                        html`<span class="error-box" role="alert" id="home-name-error" data-testid="home-create-error">${iconAlert()}<span>${s.createError}</span></span>`
                      : nothing}
                  </label>
                  <label class="field">
                    <span class="label">Working directory</span>
                    <div class="row">
                      <input class="mono grow" data-testid="home-workdir" aria-invalid=${bad === 'workdir' ? 'true' : 'false'} .value=${d.workdir} spellcheck="false" placeholder="/path/to/project"
                        @input=${(e: InputEvent) => this.#set('workdir', (e.target as HTMLInputElement).value)} />
                      <button type="button" data-testid="home-browse" @click=${() => void this.#browse()}>${iconFolder()} Browse…</button>
                    </div>
                    ${isHome(d.workdir, s.boot?.home ?? '') && !this.#askHome
                      ? html`<span class="warnbox" role="note" data-testid="home-workdir-warning">${iconAlert()}<span>This folder is, or holds, your whole home folder: the agent could read and change anything in it. Choose the project's folder.</span></span>`
                      : nothing}
                    ${this.#askHome
                      ? html`<div class="warnbox confirm" role="alertdialog" aria-labelledby="home-workdir-ask" data-testid="home-workdir-confirm"
                          @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (e.preventDefault(), this.#chooseOtherFolder())}>
                          ${iconAlert()}
                          <span id="home-workdir-ask">Create the party in <b class="mono">${d.workdir.trim()}</b>? It is, or holds, your whole home folder: the agent could read and change anything in it, and the party sees what it changes.</span>
                          <span class="buttons">
                            <button type="button" class="small danger" data-testid="home-workdir-confirm-yes" @click=${() => this.#confirmHome()}>Create it there</button>
                            <button type="button" class="small" data-testid="home-workdir-cancel" @click=${() => this.#chooseOtherFolder()}>Choose another folder</button>
                          </span>
                        </div>`
                      : nothing}
                  </label>
                  <div class="two">
                    <label class="field">
                      <span class="label">Batching window (seconds)</span>
                      <input type="text" inputmode="decimal" data-testid="home-window" aria-invalid=${bad === 'windowSec' ? 'true' : 'false'} .value=${d.windowSec}
                        @input=${(e: InputEvent) => this.#set('windowSec', (e.target as HTMLInputElement).value)} />
                    </label>
                    <label class="field">
                      <span class="label">Prompt merger</span>
                      <select data-testid="home-merger" .value=${d.merger}
                        @change=${(e: Event) => this.#set('merger', (e.target as HTMLSelectElement).value as MergerChoice)}>
                        <option value="auto" ?selected=${d.merger === 'auto'}>Auto</option>
                        <option value="gemini" ?selected=${d.merger === 'gemini'}>Gemini</option>
                        <option value="local" ?selected=${d.merger === 'local'}>Local</option>
                      </select>
                    </label>
                  </div>
                  ${permissionFields('home', d, (k, v) => this.#set(k, v as never))}
                  <label class="field">
                    <span class="label">What may the party see of the folder?</span>
                    <select data-testid="home-share" title=${SHARE_LEVELS.find((l) => l.level === d.share)?.hint ?? ''}
                      @change=${(e: Event) => this.#set('share', (e.target as HTMLSelectElement).value as WorkspaceLevel)}>
                      ${SHARE_LEVELS.map((l) => html`<option value=${l.level} ?selected=${l.level === d.share}>${l.choice}</option>`)}
                    </select>
                    ${d.share === 'tree'
                      ? html`<span class="warnbox" role="note" data-testid="home-share-warning">${iconAlert()}<span>Everyone in the party, viewers too, will see the name of every file in this folder, and the changes to all of them — <b>.env files, keys and other secrets included</b>. Chosen for this party only: the next one starts from what you share by default.</span></span>`
                      : nothing}
                  </label>
                  <div class="keyline ${keyClass(s.key, s.keyShownRefused)}" data-testid="home-key-status">
                    <span class="dot"></span><span>${keyLine}</span>
                    <button type="button" class="ghost small" @click=${() => s.openSettings()}>Change</button>
                  </div>
                  ${s.keyShownRefused && !s.keyShownDenied && s.key?.refused
                    ? // Noted on disk (a check or a merge, maybe in another process): when,
                      // and what to do, as Settings and "concordia key status" say it.
                      html`<div class="keynote" data-testid="home-key-refused">${s.key.refused}</div>`
                    : nothing}
                  <details class="more" data-testid="home-more">
                    <summary>More options</summary>
                    <label class="field">
                      <span class="label">Claude Code executable</span>
                      <div class="row">
                        <input class="mono grow" data-testid="home-claude-path" aria-invalid=${bad === 'claudePath' ? 'true' : 'false'} .value=${d.claudePath} placeholder="claude (on PATH)" spellcheck="false"
                          @input=${(e: InputEvent) => this.#set('claudePath', (e.target as HTMLInputElement).value)} />
                        <button type="button" data-testid="home-claude-browse" @click=${() => void this.#browseClaude()}>${iconFolder()} Browse…</button>
                      </div>
                    </label>
                    <div class="two">
                      <label class="field">
                        <span class="label">Min prompts per batch</span>
                        <input type="number" min="1" step="1" data-testid="home-min-prompts" aria-invalid=${bad === 'minPrompts' ? 'true' : 'false'} .value=${d.minPrompts}
                          @input=${(e: InputEvent) => this.#set('minPrompts', (e.target as HTMLInputElement).value)} />
                      </label>
                      ${claudeArgsField('home', d, (k, v) => this.#set(k, v))}
                    </div>
                    <label class="field">
                      <span class="label">Deny an undecided tool request after (minutes)</span>
                      <input type="text" inputmode="decimal" data-testid="home-permission-timeout" aria-invalid=${bad === 'permissionTimeout' ? 'true' : 'false'} .value=${d.permissionTimeoutMin}
                        @input=${(e: InputEvent) => this.#set('permissionTimeoutMin', (e.target as HTMLInputElement).value)} />
                      <span class="hint">${d.permissionMode === 'all'
                        ? 'With Allow everything the agent never asks.'
                        : 'How long a tool request waits for a host before the agent is told no: from 0.25 to 1440 (a day).'}</span>
                    </label>
                    ${s.settings
                      ? html`<div class="field">
                          <span class="label">Network</span>
                          <span class="net"><span class="hint" data-testid="home-network">${networkWords(s.settings.listen, s.settings.public_host)}</span>
                            <button type="button" class="small" data-testid="home-network-change" @click=${() => s.openSettings('listen')}>Change in Settings…</button></span>
                        </div>`
                      : nothing}
                  </details>
                  ${s.createError && bad !== 'name'
                    ? html`<div class="error-box" role="alert" data-testid="home-create-error">${iconAlert()}<span>${s.createError}</span></div>`
                    : nothing}
                  <div class="actions">
                    <!-- A click leaves the focus in the field typed in (keepFocus). -->
                    <button class="primary" type="submit" data-testid="home-create" ?disabled=${s.creating} @mousedown=${keepFocus}>
                      ${s.creating ? html`<span class="spinner"></span> Starting…` : 'Create party'}
                    </button>
                  </div>
                </form>`
              : html`<p class="hint">Loading settings…</p>`}
          </section>
          <div class="side">
          <section class="card join-card" aria-labelledby="join-h">
            <div>
              <h2 id="join-h">Join a party</h2>
              <p class="sub" style="margin-bottom:0">Got an invite from a teammate?</p>
            </div>
            <ol class="steps">
              <li>Copy the invite link they sent you.</li>
              <li>Press the button below — the link is picked up from your clipboard.</li>
              <li>Check the name others will see, and go.</li>
            </ol>
            <div class="link-eg">concordia://host:8765/…?fp=…</div>
            <button class="primary big" data-testid="home-join" @click=${() => void s.openJoin()}>${iconLink()} ${JOIN_BUTTON}</button>
          </section>
          <!-- Beside the form, not under it: a party to resume after a crash is seen at once. -->
          <recent-parties .state=${s}></recent-parties>
          </div>
        </div>
      </div>
    `;
  }
}

/**
 * The Create party form refilled from newly saved settings (fresh): a field the person
 * edited — it differs from what the settings before (base) put there — keeps what they typed
 * (Settings' Save wiped a typed name and folder, and the home folder came back); the others
 * take the new defaults.
 */
export function refillDraft<D extends object>(fresh: D, draft: D | null, base: D | null): D {
  if (!draft || !base) return fresh;
  const out = { ...fresh };
  for (const k of Object.keys(fresh) as Array<keyof D>) {
    if (draft[k] !== base[k]) out[k] = draft[k];
  }
  return out;
}

/**
 * Whether dir is the home folder (the first start's default working folder), or a folder
 * that holds it (/, /home). Windows paths compare in any case and with either slash.
 */
export function isHome(dir: string, home: string): boolean {
  if (dir.trim() === '' || home.trim() === '') return false;
  const win = /^[A-Za-z]:/.test(home) || home.includes('\\');
  // Its segments, as the file system reads them: "/home//ann/." and "/home/x/../ann" are
  // "/home/ann" (a reviewer's got past the question). The root is no segment at all.
  const norm = (p: string): string[] => {
    const out: string[] = [];
    for (const seg of p.trim().split(win ? /[/\\]+/ : /\/+/)) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') out.pop();
      else out.push(win ? seg.toLowerCase() : seg);
    }
    return out;
  };
  const d = norm(dir);
  const h = norm(home);
  return d.length <= h.length && d.every((seg, i) => seg === h[i]);
}

/** A field of the Create party form that an error can be about. */
type FormField = 'name' | 'workdir' | 'windowSec' | 'minPrompts' | 'claudePath' | 'claudeArgs' | 'permissionTimeout';

const FIELD_TESTIDS: Record<FormField, string> = {
  name: 'home-name',
  workdir: 'home-workdir',
  windowSec: 'home-window',
  minPrompts: 'home-min-prompts',
  claudePath: 'home-claude-path',
  claudeArgs: 'home-args',
  permissionTimeout: 'home-permission-timeout',
};

/** The field a Create party error is about (Go's settings checks and CheckHost), if any. */
export function errorField(error: string): FormField | null {
  if (!error) return null;
  if (/Claude Code arguments|Claude Code in its own mode/.test(error)) return 'claudeArgs';
  if (/^The working folder|not a folder|folder Claude Code works in/.test(error)) return 'workdir';
  if (/Claude Code (was not found|path)/.test(error)) return 'claudePath';
  if (/batching window/i.test(error)) return 'windowSec';
  if (/^Min prompts/.test(error)) return 'minPrompts';
  if (/^The tool request timeout/.test(error)) return 'permissionTimeout';
  if (/display name/i.test(error)) return 'name';
  return null;
}

customElements.define('home-screen', HomeScreen);
