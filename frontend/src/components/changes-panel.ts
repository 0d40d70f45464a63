// <changes-panel>: what the agent changed in the host's working folder (PROTOCOL.md §9),
// beside the conversation: the files with their status and line counts, one file's diff
// with line numbers and colours, and the folder tree when the host shares it. A host
// picks what the party sees here too. Everything comes from state.workspace.
//
// Paths and diffs are peer data: they are rendered as text; the only HTML is
// highlightLine's (highlight.js over escaped text, sanitised again).

import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { AppState } from '../state/app-state';
import type { FileChange, WorkspaceLevel } from '../state/types';
import { SHARE_LEVELS, countText, hiddenText, languageOf, noLinesText, statusText, unlistedText, type DiffLine } from '../state/workspace';
import { showBidi } from '../state/bidi';
import { highlightLine } from '../render/markdown';
import { StateObserver } from './observe';
import { ViewportController } from './viewport';
import { base, codeTokens } from './styles';
import { count, splitPath } from '../state/format';
import { iconChevron, iconFolder, iconX } from './icons';

/** Lines beyond this many are shown without colours (a 256 KiB diff has thousands). */
const HIGHLIGHT_MAX_LINES = 3000;

/**
 * A diff's lines, and the list's files, are put on the page this many at a time: a
 * tester's 300,000-line file (a 26,000-line diff once cut) and 25,000 new files each held
 * the window for a minute at full CPU.
 */
export const pageSizes = { diffLines: 2000, listFiles: 500 }; // smaller in the DOM tests (jsdom is slow)

/**
 * A list of more files than this has a filter box: a tester's hundreds of changed files
 * were one flat list, a file found only by scrolling.
 */
export const FILTER_FROM = 12;

const LETTER: Record<string, string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R' };

export class ChangesPanel extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: AppState | undefined;
  /** Which list the panel shows in tree mode. */
  #tab: 'changes' | 'tree' = 'changes';
  /** The host chose "Whole folder" and has not confirmed it yet. */
  #confirmTree = false;
  /** How many of the diff's lines, and of the list's files, are on the page; of which diff. */
  #diffShown = pageSizes.diffLines;
  #diffOf: unknown = null;
  #listShown = pageSizes.listFiles;
  /** What the list's filter box holds. */
  #filter = '';

  constructor() {
    super();
    new StateObserver(this);
    new ViewportController(this);
    // Escape in a file's diff goes back to the list, as "← Files" does; the next one closes
    // the panel (party-view). It closed the whole panel from a diff (a window tester's).
    this.addEventListener('keydown', (e: KeyboardEvent) => {
      const s = this.state;
      if (e.key !== 'Escape' || e.defaultPrevented || !s || s.workspace.selected === null) return;
      e.preventDefault();
      void this.#back(s);
    });
  }

  static override styles = [
    base,
    codeTokens,
    css`
      :host { display: flex; flex-direction: column; min-height: 0; min-width: 0; background: var(--surface); }
      header { display: flex; align-items: center; gap: 8px; padding: 10px 12px 10px 14px; border-bottom: 1px solid var(--border); }
      header h3 { font-size: calc(13px * var(--zoom, 1)); font-weight: 650; display: flex; gap: 6px; align-items: center; }
      header .count-note { font-size: calc(12px * var(--zoom, 1)); color: var(--muted); min-width: 0; flex: 0 1 auto; }
      header .n { background: var(--surface-3); color: var(--muted); border-radius: 999px; padding: 0 7px; font-size: calc(11px * var(--zoom, 1)); font-weight: 600; }
      .share { padding: 10px 14px; border-bottom: 1px solid var(--border); display: grid; gap: 6px; }
      /* A low window keeps the list's room: the level's hint is the menu's tooltip then (at
         640×480 a tester's drawer showed two and a half files under it). */
      :host([vh~=lt560]) .level-hint { display: none; }
      .share select { min-height: 30px; padding: 3px 8px; font-size: calc(12.5px * var(--zoom, 1)); }
      .share .confirm { display: grid; gap: 8px; padding: 10px; border-radius: var(--radius-sm); background: var(--warn-soft); color: var(--text); font-size: calc(12.5px * var(--zoom, 1)); }
      .share .confirm .buttons { display: flex; gap: 8px; flex-wrap: wrap; }
      .tabs { display: flex; gap: 4px; padding: 8px 12px 0; border-bottom: 1px solid var(--border); }
      .tabs button { border-radius: 6px 6px 0 0; border-bottom: 0; min-height: 28px; font-size: calc(12.5px * var(--zoom, 1)); background: transparent; border-color: transparent; color: var(--muted); }
      .tabs button[aria-selected='true'] { background: var(--surface-2); border-color: var(--border); color: var(--text); }
      .body { flex: 1; min-height: 0; overflow: auto; }
      .empty { padding: 24px 16px; color: var(--faint); font-size: calc(13px * var(--zoom, 1)); text-align: center; display: grid; gap: 6px; }
      /* One column no wider than the panel: a long path is cut (below), never widens the list
         (its row grew to the path's length, the counts went out of view, the panel scrolled sideways). */
      ul { list-style: none; margin: 0; padding: 6px; display: grid; grid-template-columns: minmax(0, 1fr); gap: 2px; }
      li { min-width: 0; }
      li button.file {
        width: 100%; justify-content: flex-start; gap: 8px; border: 0; background: transparent; padding: 5px 8px; min-height: 30px;
        font-weight: 450; text-align: left; border-radius: var(--radius-sm);
      }
      li button.file:hover { background: var(--surface-2); }
      .status { font-family: var(--font-mono); font-size: calc(11px * var(--zoom, 1)); font-weight: 700; width: 18px; height: 18px; border-radius: 4px; display: grid; place-items: center; flex: none; }
      .status.added { background: var(--ok-soft, #e6f4ea); color: var(--ok); }
      .status.modified { background: var(--warn-soft); color: var(--warn); }
      .status.deleted { background: var(--danger-soft); color: var(--danger); }
      .status.renamed { background: var(--accent-soft); color: var(--accent); }
      .path { font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); min-width: 0; flex: 1; display: flex; flex-direction: column; }
      .from { font-size: calc(11px * var(--zoom, 1)); color: var(--faint); font-family: var(--font-ui); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .counts { font-family: var(--font-mono); font-size: calc(11.5px * var(--zoom, 1)); white-space: nowrap; font-variant-numeric: tabular-nums; flex: none; }
      .counts.binary { color: var(--faint); }
      .plus { color: var(--ok); } .minus { color: var(--danger); }
      .base { padding: 8px 14px 12px; font-size: calc(11.5px * var(--zoom, 1)); color: var(--faint); }
      button.more { margin: 6px 12px 10px; }
      .filter { padding: 8px 12px 2px; display: grid; gap: 4px; }
      .filter input { min-height: 30px; padding: 3px 8px; font-size: calc(12.5px * var(--zoom, 1)); }

      .diff-head { display: flex; align-items: center; gap: 8px; padding: 8px 12px; border-bottom: 1px solid var(--border); background: var(--surface-2); }
      /* A long path wraps after a "/", not inside a name (it split "….t" / "xt", a tester). */
      .diff-head .path { display: block; white-space: normal; overflow-wrap: break-word; }
      /* A note may name a long path: it wraps, never runs past the panel (a tester's did). */
      .note { margin: 10px 12px; padding: 8px 10px; border-radius: var(--radius-sm); font-size: calc(12.5px * var(--zoom, 1)); background: var(--warn-soft); color: var(--warn); overflow-wrap: anywhere; }
      .note.error { background: var(--danger-soft); color: var(--danger); }
      .note.info { background: var(--surface-2); color: var(--muted); }
      .diff { font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); line-height: 1.5; min-width: max-content; }
      .ln { display: grid; grid-template-columns: 44px 44px 16px auto; white-space: pre; }
      .ln .no { color: var(--faint); text-align: right; padding-right: 8px; user-select: none; font-variant-numeric: tabular-nums; }
      .ln .sign { user-select: none; color: var(--faint); text-align: center; }
      .ln .code { padding-right: 16px; tab-size: 4; }
      .ln.add { background: color-mix(in srgb, var(--ok) 12%, transparent); }
      .ln.add .sign { color: var(--ok); }
      .ln.del { background: color-mix(in srgb, var(--danger) 12%, transparent); }
      .ln.del .sign { color: var(--danger); }
      .ln.hunk { background: color-mix(in srgb, var(--accent) 9%, transparent); color: var(--muted); }
      .ln.hunk .code, .ln.meta .code { grid-column: 1 / -1; padding-left: 10px; }
      .ln.meta { color: var(--faint); }

      .tree { padding: 6px; font-size: calc(12.5px * var(--zoom, 1)); }
      .tree ul { padding: 0 0 0 14px; gap: 0; }
      .tree > ul { padding-left: 0; }
      .node { display: flex; align-items: center; gap: 6px; min-height: 26px; padding: 0 6px; border-radius: var(--radius-sm); width: 100%; border: 0; background: transparent; font-weight: 450; justify-content: flex-start; }
      button.node:hover { background: var(--surface-2); }
      .node .chev { display: inline-flex; transition: transform 0.15s; color: var(--faint); }
      .node .chev.open { transform: rotate(90deg); }
      .node .name { font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .node .size { margin-left: auto; color: var(--faint); font-size: calc(11px * var(--zoom, 1)); }
      .node .status { width: 16px; height: 16px; font-size: calc(10px * var(--zoom, 1)); }
    `,
  ];

  #counts(f: FileChange) {
    // Never followed: where it points is not shown (PROTOCOL.md §9).
    if (f.link) return html`<span class="counts binary" data-testid="file-link" title="A symbolic link: never followed, so where it points is not shown">link</span>`;
    // No lines to count: "+0 −0" read as nothing changed (a tester's, in the terminal).
    if (f.binary) return html`<span class="counts binary" data-testid="file-binary">binary</span>`;
    // Its counts are of the host's line about it (a tester's 70 MiB file read "+1 −0").
    if (f.large) return html`<span class="counts binary" data-testid="file-large" title="Larger than the host tracks: only its size and time are compared">too large</span>`;
    return html`<span class="counts"><span class="plus">+${f.additions}</span> <span class="minus">−${f.deletions}</span></span>`;
  }

  #status(status: string) {
    return html`<span class="status ${status}" title=${status}>${LETTER[status] ?? '?'}</span>`;
  }

  #list(s: AppState) {
    const w = s.workspace;
    const hidden = w.hidden > 0 ? html`<div class="note info" data-testid="changes-hidden">${hiddenText(w.hidden, w.files.length)}</div>` : nothing;
    if (w.files.length === 0) {
      const title = w.hidden > 0 ? 'No changes to show' : 'No changes yet';
      return html`<div class="empty" data-testid="changes-empty"><b>${title}</b><span>Files the agent writes, renames or deletes show up here as it works.</span></div>${hidden}`;
    }
    // A box that holds text stays while the list is short, so that what it hides can be seen
    // and cleared (it vanished with its text, which came back to hide files when the list
    // grew again).
    const filtering = w.files.length > FILTER_FROM || this.#filter !== '';
    const matching = filtering ? filterFiles(w.files, this.#filter) : w.files;
    const files = matching.length > this.#listShown ? matching.slice(0, this.#listShown) : matching;
    const more = matching.length - files.length;
    return html`${filtering ? this.#filterBox(s, w.files.length, matching) : nothing}
      ${matching.length === 0
        ? html`<div class="empty" data-testid="changes-none-match">No changed file’s path holds “${this.#filter.trim()}”.</div>`
        : nothing}
      <ul data-testid="changes-list">
        ${repeat(
          files,
          (f) => f.path,
          (f) => html`<li>
            <button class="file" data-testid="changes-file" data-path=${f.path} data-status=${f.status} title=${showBidi(`${f.path}: ${statusText(f)}`)}
              @click=${() => void this.#open(s, f.path)}>
              ${this.#status(f.status)}
              <span class="path" title=${showBidi(f.path)}>${filePath(f.path)}${f.status === 'renamed' && f.from ? html`<span class="from" title=${`from ${showBidi(f.from)}`}>from ${showBidi(f.from)}</span>` : nothing}</span>
              ${this.#counts(f)}
            </button>
          </li>`,
        )}
      </ul>
      ${more > 0
        ? html`<button class="ghost small more" data-testid="changes-more" @click=${() => ((this.#listShown += pageSizes.listFiles), this.requestUpdate())}>
            Show ${Math.min(more, pageSizes.listFiles)} more of ${more} not listed yet
          </button>`
        : nothing}
      ${w.more > 0 ? html`<div class="note info" data-testid="changes-unlisted">${unlistedText(w.more)}</div>` : nothing}
      ${hidden}
      ${w.base ? html`<div class="base">Compared with ${w.base}.</div>` : nothing}`;
  }

  /**
   * The filter box over a long list: what it holds narrows the list to the paths holding it.
   * Enter opens the first file listed, the only one or the best guess among several (as a
   * search box goes to its first result): a window tester's Enter on its one match did
   * nothing.
   */
  #filterBox(s: AppState, all: number, matching: readonly FileChange[]) {
    const shown = matching.length;
    const set = (value: string) => {
      this.#filter = value;
      this.#listShown = pageSizes.listFiles; // the matches from their first page
      this.requestUpdate();
    };
    return html`<div class="filter">
      <input type="search" data-testid="changes-filter" aria-label="Filter the changed files by path" placeholder=${`Filter ${count(all)} files by path`}
        .value=${live(this.#filter)}
        @input=${(e: Event) => set((e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => {
          // Escape empties the box first; the next one closes the panel (party-view).
          if (e.key === 'Escape' && this.#filter !== '') {
            e.preventDefault();
            set('');
          }
          const first = matching[0];
          if (e.key === 'Enter' && !e.isComposing && this.#filter.trim() !== '' && first) {
            e.preventDefault();
            void this.#open(s, first.path);
          }
        }} />
      ${this.#filter.trim() && shown > 0 ? html`<span class="hint" data-testid="changes-filter-count">${count(shown)} of ${count(all)} files</span>` : nothing}
    </div>`;
  }

  #line(l: DiffLine, lang: string) {
    const text = showBidi(l.text); // code that reads otherwise than it is, shown as it is
    const code = lang ? unsafeHTML(highlightLine(text, lang)) : text;
    switch (l.kind) {
      case 'hunk':
      case 'meta':
        return html`<div class="ln ${l.kind}"><span class="code">${text}</span></div>`;
      default:
        return html`<div class="ln ${l.kind}"><span class="no">${l.old ?? ''}</span><span class="no">${l.new ?? ''}</span><span class="sign">${l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ''}</span><span class="code">${code}</span></div>`;
    }
  }

  #diff(s: AppState) {
    const w = s.workspace;
    const path = w.selected ?? '';
    const f = w.files.find((x) => x.path === path);
    const lang = w.diffLines.length <= HIGHLIGHT_MAX_LINES ? languageOf(path) : '';
    if (this.#diffOf !== w.diffLines) {
      this.#diffOf = w.diffLines; // another diff (or the same file's again): from its top
      this.#diffShown = pageSizes.diffLines;
    }
    const lines = w.diffLines.length > this.#diffShown ? w.diffLines.slice(0, this.#diffShown) : w.diffLines;
    const moreLines = w.diffLines.length - lines.length;
    return html`<div class="diff-head">
        <button class="ghost small" data-testid="diff-back" @click=${() => this.#back(s)} aria-label="Back to the list">← Files</button>
        ${f ? this.#status(f.status) : nothing}
        <span class="path" data-testid="diff-path" title=${showBidi(path)}>${pathBreaks(showBidi(path))}</span>
        ${f ? this.#counts(f) : nothing}
      </div>
      <div class="body" data-testid="diff-view">
        ${w.diffLoading && !w.diff ? html`<div class="empty"><span class="spinner"></span></div>` : nothing}
        ${w.diffError ? html`<div class="note error" role="alert" data-testid="diff-error">${w.diffError}</div>` : nothing}
        ${w.diffNote ? html`<div class="note info" data-testid="diff-note">${w.diffNote}</div>` : nothing}
        ${w.diff?.binary ? html`<div class="note info" data-testid="diff-binary">Binary file: its contents are not shown.</div>` : nothing}
        ${w.diff?.truncated ? html`<div class="note" data-testid="diff-truncated">This diff is longer than 256 KiB; only its beginning is shown.</div>` : nothing}
        ${w.diff && !w.diff.binary && !w.diff.truncated && noLinesText(w.diffLines) ? html`<div class="note info" data-testid="diff-no-lines">${noLinesText(w.diffLines)}</div>` : nothing}
        ${w.diffLines.length > 0 ? html`<div class="diff" data-testid="diff-lines">${lines.map((l) => this.#line(l, lang))}</div>` : nothing}
        ${moreLines > 0
          ? html`<button class="ghost small more" data-testid="diff-more" @click=${() => ((this.#diffShown += pageSizes.diffLines), this.requestUpdate())}>
              Show ${count(Math.min(moreLines, pageSizes.diffLines))} more lines (${count(moreLines)} not shown yet)
            </button>`
          : nothing}
        ${w.diff
          ? html`<div class="base" data-testid="diff-base">${w.base
              ? `Compared with ${w.base}: every change since, from every turn and by hand.`
              : 'Every change since the party began, from every turn and by hand.'}</div>`
          : nothing}
      </div>`;
  }

  #folder(s: AppState, path: string): unknown {
    const w = s.workspace;
    const folder = w.folder(path);
    if (!folder || !folder.open) return nothing;
    if (folder.loading) return html`<div class="hint" style="padding: 4px 8px">Loading…</div>`;
    if (folder.error) return html`<div class="note error">${folder.error}</div>`;
    const changed = new Map(w.files.map((f) => [f.path, f]));
    return html`<ul>
      ${(folder.entries ?? []).map((e) => {
        const full = path ? `${path}/${e.name}` : e.name;
        if (e.link) {
          return html`<li>
            <div class="node" data-testid="tree-link" data-path=${full} title="A symbolic link: never followed, nor shown"><span class="chev"></span><span class="status"></span><span class="name">${showBidi(e.name)}</span><span class="size">link</span></div>
          </li>`;
        }
        if (e.dir) {
          const open = w.folder(full)?.open ?? false;
          return html`<li>
            <button class="node" data-testid="tree-folder" data-path=${full} aria-expanded=${open} @click=${() => void w.toggleFolder(full)}>
              <span class="chev ${open ? 'open' : ''}">${iconChevron()}</span>${iconFolder()}<span class="name">${showBidi(e.name)}</span>
            </button>
            ${this.#folder(s, full)}
          </li>`;
        }
        const f = changed.get(full);
        return html`<li>
          ${f
            ? html`<button class="node" data-testid="tree-file" data-path=${full} title="Show the diff" @click=${() => void this.#open(s, full)}>
                <span class="chev"></span>${this.#status(f.status)}<span class="name">${showBidi(e.name)}</span><span class="size">${sizeText(e.size)}</span>
              </button>`
            : html`<div class="node" data-testid="tree-file" data-path=${full}><span class="chev"></span><span class="status"></span><span class="name">${showBidi(e.name)}</span><span class="size">${sizeText(e.size)}</span></div>`}
        </li>`;
      })}
    </ul>`;
  }

  #tree(s: AppState) {
    return html`<div class="tree" data-testid="tree">${this.#folder(s, '')}</div>`;
  }

  // Where the focus goes when what held it goes (it fell to the page: a tester's): a file's
  // diff to its "← Files", back to the file's row, and the panel closed to its button.

  async #open(s: AppState, path: string): Promise<void> {
    const p = s.workspace.showDiff(path);
    this.requestUpdate();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="diff-back"]')?.focus();
    await p;
  }

  async #back(s: AppState): Promise<void> {
    const path = s.workspace.selected;
    s.workspace.closeDiff();
    this.requestUpdate();
    await this.updateComplete;
    const row = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[data-testid="changes-file"], [data-testid="tree-file"]')].find((b) => b.dataset.path === path);
    (row ?? this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="changes-close"]'))?.focus();
  }

  #close(s: AppState): void {
    s.workspace.toggle(false);
    this.dispatchEvent(new CustomEvent('changes-closed', { bubbles: true, composed: true }));
  }

  #showTree(s: AppState): void {
    this.#tab = 'tree';
    if (!s.workspace.folder('')) void s.workspace.toggleFolder('');
    this.requestUpdate();
  }

  /** Why a party cannot share its folder in this run, and who can change that. */
  #cannotShareHint(s: AppState) {
    const resume = html`<code>concordia host --resume ${s.session?.party.id ?? 'ID'} --share-workspace changes</code>`;
    if (s.workspace.shareError) {
      // Its first snapshot failed (a folder too large): the reason, and to the owner the way on.
      return html`The folder could not be shared in this run: ${s.workspace.shareError}. ${s.isOwner ? html`${shareFixWords(s.workspace.shareFix)}Once that is fixed, ended, then resumed in a terminal with ${resume}, it can.` : ''}`;
    }
    return html`This run of the party was started with sharing off, so it has no record of the folder to compare with: it cannot share the folder in this run. ${s.isOwner
      ? html`Ended, then resumed in a terminal with ${resume}, it can.`
      : html`If its owner, ${s.session?.party.host || 'the host'}, ends it and resumes it with sharing on, it can.`}`;
  }

  #share(s: AppState) {
    const w = s.workspace;
    if (w.cannotShare) {
      // Offering the levels would only end in a refusal (a tester confirmed the whole folder, then was refused).
      return html`<div class="share">
        <label class="field">
          <span class="label">The party sees</span>
          <select data-testid="share-level" disabled><option selected>Off</option></select>
        </label>
        <span class="hint" data-testid="share-hint">${this.#cannotShareHint(s)}</span>
      </div>`;
    }
    const hint = SHARE_LEVELS.find((l) => l.level === w.level)?.hint ?? '';
    const shown = this.#confirmTree ? 'tree' : w.level;
    return html`<div class="share">
      <label class="field">
        <span class="label">The party sees</span>
        <select data-testid="share-level" title=${hint} .value=${live(shown)} ?disabled=${w.levelBusy || this.#confirmTree} @change=${(e: Event) => this.#choose(s, (e.target as HTMLSelectElement).value as WorkspaceLevel)}>
          ${SHARE_LEVELS.map((l, i) => {
            // A co-host never shares the whole folder; it may narrow the sharing, and undo
            // its own narrowing (the host refuses more than the owner's last choice, and
            // the refusal is a notice).
            const wider = !s.isOwner && l.level === 'tree' && i > SHARE_LEVELS.findIndex((x) => x.level === w.level);
            const why = 'Only the party’s owner, whose computer it is, can share the whole folder';
            return html`<option value=${l.level} ?selected=${l.level === shown} ?disabled=${wider && l.level !== shown} title=${wider ? why : ''}>${l.label}</option>`;
          })}
        </select>
      </label>
      ${this.#confirmTree
        ? html`<div class="confirm" role="alertdialog" aria-labelledby="share-confirm-text" data-testid="share-confirm"
            @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (e.preventDefault(), this.#cancelTree())}>
            <span id="share-confirm-text">Everyone in the party, viewers too, will see the name of every file in the working folder,
              and the changes to all of them — <b>.env files, keys and other secrets included</b> (files git ignores stay hidden).</span>
            <span class="buttons">
              <button class="small danger" data-testid="share-confirm-yes" @click=${() => void this.#shareTree(s)}>Share the whole folder</button>
              <button class="small" data-testid="share-confirm-no" @click=${() => this.#cancelTree()}>Cancel</button>
            </span>
          </div>`
        : html`<span class="hint level-hint" data-testid="share-hint">${hint}</span>`}
    </div>`;
  }

  /** A level chosen in the menu: the whole folder (secrets included) is confirmed first. */
  #choose(s: AppState, level: WorkspaceLevel): void {
    if (level !== 'tree') {
      void s.workspace.setLevel(level);
      return;
    }
    this.#confirmTree = true;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="share-confirm-no"]')?.focus());
  }

  async #shareTree(s: AppState): Promise<void> {
    this.#confirmTree = false;
    this.requestUpdate();
    await s.workspace.setLevel('tree');
  }

  #cancelTree(): void {
    this.#confirmTree = false;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLSelectElement>('[data-testid="share-level"]')?.focus());
  }

  override render() {
    const s = this.state;
    if (!s) return nothing;
    const w = s.workspace;
    const tree = w.level === 'tree';
    if (!tree) this.#tab = 'changes';
    let body: unknown;
    if (w.selected !== null) body = this.#diff(s);
    else if (w.pending && w.level !== 'off') {
      // Its first snapshot is being taken: not shared yet, and it may not be (a joiner was told it saw every change, then that it did not).
      const whose = s.isOwner ? 'Your working folder' : 'The host’s working folder';
      body = html`<div class="empty" data-testid="changes-pending"><b>Not shared yet</b><span>${whose} is being read: the party sees the files that change in it once that is done.</span></div>`;
    }
    else if (!w.shared) {
      // To the owner, whose folder it is, not "the host does not share" (as the terminal says it).
      const who = s.isOwner ? 'You do not share' : 'The host does not share';
      // A party that meant to share and could not says why (a joiner was told it saw every change).
      const why = w.shareError
        ? html`The working folder could not be shared in this run: ${w.shareError}.${s.isOwner && w.shareFix ? html` ${shareFixWords(w.shareFix)}` : ''}`
        : html`${who} the working folder in this party.`;
      body = html`<div class="empty" data-testid="changes-off"><b>Not shared</b><span>${why}</span></div>`;
    }
    else body = html`<div class="body">${tree && this.#tab === 'tree' ? this.#tree(s) : this.#list(s)}</div>`;
    return html`
      <header>
        <h3>Changes <span class="n" data-testid="changes-count">${w.files.length}</span></h3>
        ${w.shared && countText(w.files.length, w.hidden, w.more)
          ? html`<span class="count-note" data-testid="changes-count-note">${countText(w.files.length, w.hidden, w.more)}</span>`
          : nothing}
        <span class="grow"></span>
        <button class="ghost icon small" data-testid="changes-close" aria-label="Close the changes" title="Close" @click=${() => this.#close(s)}>${iconX()}</button>
      </header>
      ${s.isHost && (w.selected === null || this.#confirmTree)
        ? // Not over a diff: at 640×480 the control and its hint left a diff 4 lines (a
          // tester's); "← Files" brings it back.
          this.#share(s)
        : nothing}
      ${tree && w.selected === null
        ? html`<div class="tabs" role="tablist">
            <button role="tab" data-testid="tab-changes" aria-selected=${this.#tab === 'changes'} @click=${() => ((this.#tab = 'changes'), this.requestUpdate())}>Changed files</button>
            <button role="tab" data-testid="tab-tree" aria-selected=${this.#tab === 'tree'} @click=${() => this.#showTree(s)}>Folder</button>
          </div>`
        : nothing}
      ${body}
    `;
  }
}

/** The owner's remedy for a folder that could not be shared (Go's host.ShareFix, in its words) as a sentence; '' when there is none. */
export function shareFixWords(fix: string): string {
  const f = fix.trim();
  return f ? `To share it, ${f}. ` : '';
}

/**
 * The files whose path (or the path a renamed one came from) holds every word of query,
 * in any case; all of them for an empty query.
 */
export function filterFiles(files: readonly FileChange[], query: string): readonly FileChange[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return files;
  return files.filter((f) => {
    const path = `${f.path}\n${f.from ?? ''}`.toLowerCase();
    return words.every((w) => path.includes(w));
  });
}

/** A path on one line, its folder part cut first (.fpath in the base styles); peer data, as text. */
export function filePath(path: string) {
  const [dir, name] = splitPath(showBidi(path));
  return html`<span class="fpath" data-testid="file-path">${dir ? html`<span class="dir">${dir}</span>` : nothing}<span class="name">${name}</span></span>`;
}

function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

customElements.define('changes-panel', ChangesPanel);

/** A path with a line-break opportunity after each "/", for a header that wraps. */
function pathBreaks(path: string) {
  const parts = path.split('/');
  return parts.map((seg, i) => (i < parts.length - 1 ? html`${seg}/<wbr>` : seg));
}
