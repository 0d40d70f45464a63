// <recent-parties>: the parties kept in the data directory, on the home screen, with
// Resume for each one no host is running (PROTOCOL.md §8). Everything goes through
// AppState.recent; the list is read again whenever the element is shown, when the window
// comes back to the front, and every few seconds while it is in view and shows a party
// that is running (a terminal's party ends without a word to this window).

import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { AppState } from '../state/app-state';
import { showBidi } from '../state/bidi';
import { canForget, canResume, forgetQuestion, recentStateText, unansweredSentence, unansweredThem, withoutWhat, withoutWords, type RecentParty, type Unanswered } from '../state/recent-parties';
import type { WorkspaceLevel } from '../state/types';
import { StateObserver } from './observe';
import { base } from './styles';
import { iconAlert } from './icons';

/** Who asked the cut turn's request, for the question (" (asked by ann and bob)"; "" when not known). Peer text: shown as text. */
function by(u: Unanswered): string {
  const names = (u.turn_by ?? []).map(showBidi);
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return ` (asked by ${list})`;
}

/** "12 Mar, 14:05" in the person's locale (peer text: shown as text only). */
function when(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export class RecentParties extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;

  constructor() {
    super();
    new StateObserver(this);
  }

  static override styles = [
    base,
    css`
      :host { display: block; margin-top: 22px; }
      h2 { font-size: calc(15px * var(--zoom, 1)); margin: 0 0 10px; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
      /* minmax(0, …): a long folder is cut with …, rather than widening the column past the page. */
      li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 4px 14px; align-items: center; padding: 10px 14px; }
      .name { font-weight: 600; }
      .meta { color: var(--faint); font-size: calc(12.5px * var(--zoom, 1)); }
      .dir { font-size: calc(12.5px * var(--zoom, 1)); color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      /* Two parties of one host and folder read the same but for it (a window tester's). */
      .first { font-size: calc(12.5px * var(--zoom, 1)); color: var(--text); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .state { font-size: calc(12px * var(--zoom, 1)); color: var(--muted); }
      .state.running { color: var(--ok, #2a7); }
      .error-box, .warnbox { grid-column: 1 / -1; }
      /* The question's sentences, one under the other; what waits, one a line, cut with …. */
      .ask > span { display: block; }
      .ask > span + span { margin-top: 6px; }
      .taken { display: block; margin: 4px 0 0; padding: 0; list-style: none; }
      /* Two lines each at most (a tester's cut turn read "SL…" after its label): the rest in its tooltip. */
      .taken > span { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden; overflow-wrap: anywhere; color: var(--muted); }
      .taken b { color: var(--text); font-weight: 600; }
      /* Under the question, over its buttons, as wide. */
      .leave { flex-basis: 100%; padding-left: 24px; }
      .actions { display: flex; flex-direction: column; gap: 6px; align-items: stretch; }
    `,
  ];

  /** How often the list is read again while it shows something that changes elsewhere. */
  static pollMs = 5000;
  #poll: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.state?.recent.load();
    window.addEventListener('focus', this.#reload);
    document.addEventListener('visibilitychange', this.#reload);
    this.#poll = setInterval(() => {
      if (this.state?.recent.parties.some((p) => p.state === 'running')) this.#reload();
    }, RecentParties.pollMs);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('focus', this.#reload);
    document.removeEventListener('visibilitychange', this.#reload);
    clearInterval(this.#poll);
    // A question left open as the person went into a party would be back, unasked, later.
    this.state?.recent.cancelAsking();
    super.disconnectedCallback();
  }

  /** When the last reading of its own accord began: the window's focus and visibility come together. */
  #lastRead = 0;

  /** A quiet reading, while the window is in view, no Resume is under way, and none began just now. */
  readonly #reload = () => {
    const r = this.state?.recent;
    const now = Date.now();
    if (!r || r.resuming || document.visibilityState === 'hidden' || now - this.#lastRead < RecentParties.pollMs / 2) return;
    this.#lastRead = now;
    void r.load(true);
  };

  /**
   * Resume; a party that shared the whole folder, or that holds prompts the agent never
   * had (or a turn cut short), asks first, its safe answer focused: sharing only the
   * changes, or, when only what it takes up is asked about, Cancel.
   */
  async #resume(id: string): Promise<void> {
    await this.state!.recent.resume(id);
    const r = this.state!.recent;
    if (r.asking !== id) return;
    await this.updateComplete;
    const safe = r.askingTree ? 'recent-tree-changes' : 'recent-unanswered-cancel';
    this.renderRoot.querySelector<HTMLButtonElement>(`[data-testid="${safe}"]`)?.focus();
  }

  /** The question about what a resume takes up answered "Resume" (or "Resume without them"); when the party did not come back, focus goes to its Resume. */
  async #answerResume(id: string, without = false): Promise<void> {
    if (!(await this.state!.recent.resumeAsked(without))) this.focusResume(id);
  }

  /** The question put away; focus goes back to the party's Resume. */
  #cancel(id: string): void {
    this.state!.recent.cancelAsking();
    this.focusResume(id);
  }

  /** The question answered (without what it takes up when that was ticked); when the party did not come back, focus goes to its Resume. */
  async #answer(id: string, level: WorkspaceLevel): Promise<void> {
    const r = this.state!.recent;
    if (!(await r.resumeSharing(level, r.leaveUnanswered))) this.focusResume(id);
  }

  /** Forget clicked: the question shows in the card, its "Keep it" focused (the safe answer). */
  #askForget(id: string): void {
    this.state!.recent.askForget(id);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="recent-forget-no"]')?.focus());
  }

  /** Kept: the question goes, focus back to its Forget. */
  #keepParty(id: string): void {
    this.state!.recent.keepParty();
    void this.updateComplete.then(() => {
      const row = [...this.renderRoot.querySelectorAll<HTMLElement>('[data-testid="recent-party"]')].find((li) => li.dataset.id === id);
      row?.querySelector<HTMLButtonElement>('[data-testid="recent-forget"]')?.focus();
    });
  }

  /** Brings the party's row into view and focuses its Resume (also the home screen's "Show it"). */
  focusResume(id: string): void {
    void this.updateComplete.then(() => {
      const row = [...this.renderRoot.querySelectorAll<HTMLElement>('[data-testid="recent-party"]')].find((li) => li.dataset.id === id);
      row?.scrollIntoView?.({ block: 'center' }); // (jsdom has none)
      row?.querySelector<HTMLButtonElement>('[data-testid="recent-resume"]')?.focus();
    });
  }

  #row(p: RecentParty) {
    const r = this.state!.recent;
    const busy = r.resuming === p.id;
    const blocked = Boolean(r.resuming) || Boolean(r.checking) || this.state!.creating;
    return html`<li class="card" data-testid="recent-party" data-id=${p.id} data-workspace=${p.workspace}>
      <div>
        <div><span class="name">${p.host ? `${p.host}'s party` : p.id}</span>
          <span class="state ${p.state}" data-testid="recent-state">· ${recentStateText(p)}</span></div>
        <div class="dir mono" title=${p.workdir}>${p.workdir}</div>
        ${p.first_prompt
          ? html`<div class="first" data-testid="recent-first-prompt" title=${`Its first prompt: ${showBidi(p.first_prompt)}`}>“${showBidi(p.first_prompt)}”</div>`
          : nothing}
        <div class="meta">${p.id} · created ${when(p.created)} · last active ${when(p.last_active)} · ${p.turns} ${p.turns === 1 ? 'turn' : 'turns'}</div>
      </div>
      <div class="actions">
        ${canResume(p)
          ? html`<button data-testid="recent-resume" ?disabled=${blocked || r.asking === p.id || r.forgetting === p.id}
              @click=${() => void this.#resume(p.id)}>${busy ? html`<span class="spinner"></span> Resuming…` : 'Resume'}</button>`
          : nothing}
        <button type="button" class="ghost small" data-testid="recent-export" title="Save this party's transcript as Markdown"
          ?disabled=${Boolean(r.exporting) || r.forgetBusy === p.id} @click=${() => void r.exportParty(p.id)}>${r.exporting === p.id ? html`<span class="spinner"></span> Exporting…` : 'Export…'}</button>
        ${canForget(p)
          ? html`<button type="button" class="ghost small" data-testid="recent-forget" title="Delete this party's journal: it leaves this list"
              ?disabled=${blocked || Boolean(r.forgetBusy) || r.forgetting === p.id || r.asking === p.id} @click=${() => this.#askForget(p.id)}>Forget…</button>`
          : nothing}
      </div>
      ${r.asking === p.id ? this.#question(p, r.askingTree, r.askingUnanswered, blocked) : nothing}
      ${r.forgetting === p.id
        ? html`<div class="warnbox confirm" role="alertdialog" aria-labelledby=${`forget-${p.id}`} data-testid="recent-forget-confirm"
            @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (e.preventDefault(), this.#keepParty(p.id))}>
            ${iconAlert()}<span id=${`forget-${p.id}`} data-testid="recent-forget-question">${forgetQuestion(p)}</span>
            <span class="buttons">
              <button type="button" class="small danger" data-testid="recent-forget-yes" ?disabled=${Boolean(r.forgetBusy)}
                @click=${() => void r.forget()}>${r.forgetBusy === p.id ? html`<span class="spinner"></span> Deleting…` : 'Forget it, delete its journal'}</button>
              <button type="button" class="small" data-testid="recent-forget-no" ?disabled=${Boolean(r.forgetBusy)} @click=${() => this.#keepParty(p.id)}>Keep it</button>
            </span>
          </div>`
        : nothing}
      ${r.forgetError && r.forgetErrorId === p.id
        ? html`<div class="error-box" role="alert" data-testid="recent-forget-error">${iconAlert()}<span>${r.forgetError}</span></div>`
        : nothing}
      ${r.resumeError && r.resumeErrorId === p.id
        ? html`<div class="error-box" role="alert" data-testid="recent-error">${iconAlert()}<span>${r.resumeError}</span></div>`
        : nothing}
    </li>`;
  }

  /**
   * The question before a Resume, in the party's card: what it would take up at once (who
   * asked what, the request cut short: peer text, shown as text), and whether it would
   * share the whole folder again; both when both hold, answered with the folder's buttons.
   */
  #question(p: RecentParty, tree: boolean, u: Unanswered | null, blocked: boolean) {
    const prompts = u?.prompts ?? [];
    const them = u ? unansweredThem(u) : 'them';
    return html`<div class="warnbox confirm" role="alertdialog" aria-labelledby="recent-ask-${p.id}"
        data-testid=${tree ? 'recent-tree-confirm' : 'recent-unanswered-confirm'}
        @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (e.preventDefault(), this.#cancel(p.id))}>
        ${iconAlert()}
        <span id="recent-ask-${p.id}" class="ask">
          ${u
            ? html`<span data-testid="recent-unanswered">${unansweredSentence(u, tree && this.state!.recent.leaveUnanswered)}</span>
                <span class="taken" data-testid="recent-unanswered-list">
                  ${prompts.map(
                    (pr) => html`<span data-testid="recent-unanswered-prompt" title=${`${showBidi(pr.user)}: ${showBidi(pr.text)}`}><b>${showBidi(pr.user)}</b>: “${showBidi(pr.text)}”</span>`,
                  )}
                  ${u.cut
                    ? html`<span data-testid="recent-unanswered-turn" title=${u.turn ? `The turn cut short${by(u)}: ${showBidi(u.turn)}` : 'The turn cut short'}><b>The turn cut short</b>${by(u)}${u.turn ? html`: “${showBidi(u.turn)}”` : nothing}</span>`
                    : nothing}
                </span>`
            : nothing}
          ${tree
            ? html`<span>This party shared the whole folder with everyone in it, <b>.env files and other secrets included</b>. Resume it sharing only the files that change, or the whole folder again?</span>`
            : nothing}
        </span>
        ${tree && u
          ? html`<label class="check leave"><input type="checkbox" data-testid="recent-unanswered-leave" .checked=${this.state!.recent.leaveUnanswered} ?disabled=${blocked}
                @change=${(e: Event) => this.state!.recent.setLeaveUnanswered((e.target as HTMLInputElement).checked)}> <span>Resume without ${them} (${withoutWhat(u)})</span></label>`
          : nothing}
        <span class="buttons">
          ${tree
            ? html`<button type="button" class="small primary" data-testid="recent-tree-changes" ?disabled=${blocked}
                  @click=${() => void this.#answer(p.id, 'changes')}>Resume, share the changes only</button>
                <button type="button" class="small danger" data-testid="recent-tree-keep" ?disabled=${blocked}
                  @click=${() => void this.#answer(p.id, 'tree')}>Resume, share the whole folder</button>
                <button type="button" class="small" data-testid="recent-tree-cancel" @click=${() => this.#cancel(p.id)}>Cancel</button>`
            : html`<button type="button" class="small primary" data-testid="recent-unanswered-resume" ?disabled=${blocked}
                  @click=${() => void this.#answerResume(p.id)}>Resume</button>
                <button type="button" class="small" data-testid="recent-unanswered-without" ?disabled=${blocked} title=${u ? withoutWords(u) : ''}
                  @click=${() => void this.#answerResume(p.id, true)}>Resume without ${them}</button>
                <button type="button" class="small" data-testid="recent-unanswered-cancel" @click=${() => this.#cancel(p.id)}>Cancel</button>`}
        </span>
      </div>`;
  }

  override render() {
    const r = this.state?.recent;
    if (!r) return nothing;
    if (r.loadError) {
      return html`<section aria-labelledby="recent-h"><h2 id="recent-h">Recent parties</h2>
        <div class="error-box" role="alert" data-testid="recent-load-error">${iconAlert()}<span>${r.loadError}</span></div></section>`;
    }
    if (r.parties.length === 0) return nothing;
    return html`<section aria-labelledby="recent-h" data-testid="recent-parties">
      <h2 id="recent-h">Recent parties</h2>
      <ul>${repeat(r.parties, (p) => p.id, (p) => this.#row(p))}</ul>
    </section>`;
  }
}

customElements.define('recent-parties', RecentParties);
