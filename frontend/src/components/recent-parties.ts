// <recent-parties>: the parties kept in the data directory, on the home screen, with
// Resume for each one no host is running (PROTOCOL.md §8). Everything goes through
// AppState.recent; the list is read again whenever the element is shown.

import { LitElement, css, html, nothing } from 'lit';
import type { AppState } from '../state/app-state';
import { canResume, recentStateText, type RecentParty } from '../state/recent-parties';
import { StateObserver } from './observe';
import { base } from './styles';
import { iconAlert } from './icons';

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
      h2 { font-size: 15px; margin: 0 0 10px; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
      li { display: grid; grid-template-columns: 1fr auto; gap: 4px 14px; align-items: center; padding: 10px 14px; }
      .name { font-weight: 600; }
      .meta { color: var(--faint); font-size: 12.5px; }
      .dir { font-size: 12.5px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .state { font-size: 12px; color: var(--muted); }
      .state.running { color: var(--ok, #2a7); }
      .error-box { grid-column: 1 / -1; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.state?.recent.load();
  }

  #row(p: RecentParty) {
    const r = this.state!.recent;
    const busy = r.resuming === p.id;
    return html`<li class="card" data-testid="recent-party" data-id=${p.id}>
      <div>
        <div><span class="name">${p.host ? `${p.host}'s party` : p.id}</span>
          <span class="state ${p.state}" data-testid="recent-state">· ${recentStateText(p)}</span></div>
        <div class="dir mono" title=${p.workdir}>${p.workdir}</div>
        <div class="meta">${p.id} · created ${when(p.created)} · last active ${when(p.last_active)} · ${p.turns} ${p.turns === 1 ? 'turn' : 'turns'}</div>
      </div>
      ${canResume(p)
        ? html`<button data-testid="recent-resume" ?disabled=${Boolean(r.resuming) || this.state!.creating}
            @click=${() => void r.resume(p.id)}>${busy ? html`<span class="spinner"></span> Resuming…` : 'Resume'}</button>`
        : html`<span></span>`}
      ${r.resumeError && r.resumeErrorId === p.id
        ? html`<div class="error-box" role="alert" data-testid="recent-error">${iconAlert()}<span>${r.resumeError}</span></div>`
        : nothing}
    </li>`;
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
      <ul>${r.parties.map((p) => this.#row(p))}</ul>
    </section>`;
  }
}

customElements.define('recent-parties', RecentParties);
