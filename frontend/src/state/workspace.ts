// The workspace as the window shows it (PROTOCOL.md §9): the files the agent changed,
// one file's diff, and the folder tree when the host shares it. Owned by AppState, which
// feeds it the party's changes and settings events; it owns the workspace calls into Go
// (Changes, Diff, Tree, SetWorkspace). Components read it and call its methods.
//
// Everything here is peer data: paths and diffs are shown as text (highlighting goes
// through render/markdown.ts's highlightLine, which escapes first).

import { errorText, type Backend } from './backend';
import type { FileChange, FileDiff, TreeEntry, WorkspaceLevel } from './types';

/** One line of a unified diff, with its numbers in the old and the new file. */
export interface DiffLine {
  kind: 'meta' | 'hunk' | 'add' | 'del' | 'ctx';
  text: string;
  old?: number;
  new?: number;
}

/**
 * Splits a unified diff into lines with old/new line numbers. Header lines (diff --git,
 * index, ---, +++, "\ No newline") are meta; "@@ -a,b +c,d @@" starts a hunk.
 */
export function parseDiff(diff: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldNo = 0;
  let newNo = 0;
  let inHunk = false;
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      oldNo = Number(h[1]);
      newNo = Number(h[2]);
      inHunk = true;
      out.push({ kind: 'hunk', text: line });
    } else if (!inHunk || line.startsWith('\\')) {
      out.push({ kind: 'meta', text: line });
    } else if (line.startsWith('+')) {
      out.push({ kind: 'add', text: line.slice(1), new: newNo++ });
    } else if (line.startsWith('-')) {
      out.push({ kind: 'del', text: line.slice(1), old: oldNo++ });
    } else if (line.startsWith(' ') || line === '') {
      out.push({ kind: 'ctx', text: line.slice(1), old: oldNo++, new: newNo++ });
    } else {
      // Another file's header in a multi-file diff.
      inHunk = line.startsWith('diff ') ? false : inHunk;
      out.push({ kind: 'meta', text: line });
    }
  }
  return out;
}

/**
 * What a diff with no hunk changed, in words ("" when it has a hunk): git's header lines
 * alone say it ("new file mode", "index 0000000..e69de29"), which a tester read as a diff
 * of nothing (an empty new file showed "+0 −0" and three raw lines).
 */
export function noLinesText(lines: readonly DiffLine[]): string {
  if (lines.some((l) => l.kind === 'hunk')) return '';
  const has = (prefix: string) => lines.some((l) => l.kind === 'meta' && l.text.startsWith(prefix));
  if (has('new file mode')) return 'New empty file.';
  if (has('deleted file mode')) return 'Deleted an empty file.';
  const renamed = has('rename from') || has('copy from');
  const mode = has('old mode') && has('new mode');
  if (renamed && mode) return 'Renamed, and its mode changed; no line changes.';
  if (renamed) return 'Renamed; no line changes.';
  if (mode) return 'Only its mode changed (whether it can be run); no line changes.';
  return 'No line changes.';
}

/** highlight.js's name for a file's language, from its extension ("" = none). */
export function languageOf(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  const map: Record<string, string> = {
    go: 'go', ts: 'typescript', tsx: 'typescript', mts: 'typescript', js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
    py: 'python', rs: 'rust', json: 'json', yaml: 'yaml', yml: 'yaml', css: 'css', html: 'xml', xml: 'xml', svg: 'xml',
    sh: 'bash', bash: 'bash', sql: 'sql',
  };
  return map[ext] ?? '';
}

/** How a change is described: "added", "renamed from old.go". */
export function statusText(f: FileChange): string {
  return f.status === 'renamed' && f.from ? `renamed from ${f.from}` : f.status;
}

/** A folder of the tree: its entries once loaded. */
export interface Folder {
  entries: readonly TreeEntry[] | null;
  loading: boolean;
  error: string;
  open: boolean;
}

/** What the workspace state tells its owner. */
export interface WorkspaceHooks {
  changed(): void;
  notify(kind: 'info' | 'error', text: string): void;
  /** The party has ended: the host no longer answers for its files. */
  over(): boolean;
}

/** What a symbolic link's diff says: the host never follows one (PROTOCOL.md §9). */
export const LINK_NOTE = 'A symbolic link: links are never followed, so where it points is not shown.';

/**
 * What a file shows, once the party is over for this window (ended, left or removed from),
 * when its diff was not opened before. Not "the host no longer shows its diffs": a removed
 * member read that as the host's sharing (a tester's).
 */
export const DIFF_AFTER_END = 'You are no longer in the party, so its diffs cannot be fetched: only those opened before can still be shown.';

/**
 * What the panel says, as a note and not an error, of a file a turn's "Files changed" names
 * that has no changes now: a tester's chip of a file renamed away in a later turn opened a
 * red "renamed.txt has no changes since the party began".
 */
export function goneText(path: string): string {
  return `${path} has no changes now: it was renamed, deleted or changed back after that turn. The list has the files as they are now.`;
}

/**
 * What the Changes panel says of the files the host keeps back (PROTOCOL.md §9, "hidden"),
 * n of them, beside shown others.
 */
export function hiddenText(n: number, shown: number): string {
  const also = shown > 0 ? ' also' : '';
  const files = n === 1 ? `1 file that may hold credentials (such as .env or a key)${also} changed` : `${n} files that may hold credentials (such as .env or keys)${also} changed`;
  return `${files}. The host shares changes only, so ${n === 1 ? 'it is' : 'they are'} not shown.`;
}

/**
 * What the Changes panel's header says of its count when the host keeps files back or does
 * not list them all ("" when the count is all there is): its count, "Changes 2", left out a
 * changed .env the terminal mentioned, and read as wrong (a window tester's).
 */
export function countText(shown: number, hidden: number, more: number): string {
  if (hidden <= 0 && more <= 0) return '';
  const n = (k: number) => k.toLocaleString('en-US');
  const parts = [`${n(shown)} ${shown === 1 ? 'file' : 'files'}`];
  if (more > 0) parts.push(`${n(more)} more not listed`);
  if (hidden > 0) parts.push(`${n(hidden)} that may hold credentials (not shown)`);
  const last = parts.pop()!;
  return `${parts.join(', ')}, and ${last}`;
}

/** What the Changes panel says of the changed files the host did not list (PROTOCOL.md §9, "more"). */
export function unlistedText(more: number): string {
  const n = more.toLocaleString('en-US');
  return `${n} more changed ${more === 1 ? 'file is' : 'files are'} not listed: the host lists ${MAX_LISTED.toLocaleString('en-US')} at most — the changes to files that were there at the start first, then new files from the top folder down.`;
}

/** How many files a change list names at most (Go: wire.MaxListed). */
export const MAX_LISTED = 2000;

/** The sentence that explains each sharing level (Create party, the panel). */
export const SHARE_LEVELS: ReadonlyArray<{ level: WorkspaceLevel; label: string; choice: string; hint: string }> = [
  { level: 'off', label: 'Off', choice: 'Off: nothing of the folder', hint: 'Nobody sees the working folder.' },
  { level: 'changes', label: 'Changes only', choice: 'Changes only (never .env)', hint: 'Everyone sees which files change in the folder, and their diffs: the agent\'s edits and anyone\'s by hand. Files such as .env are never shown.' },
  { level: 'tree', label: 'Whole folder', choice: 'Whole folder (.env included)', hint: 'Everyone can also list every file in the folder, and see the changes to .env and similar files too.' },
];

/** The workspace panel's state. */
export class WorkspaceState {
  level: WorkspaceLevel = 'off';
  files: readonly FileChange[] = [];
  /** Changed files the host keeps back because they may hold credentials (.env, keys). */
  hidden = 0;
  /** Changed files the host did not list (it lists 2,000 at most). */
  more = 0;
  base = '';
  /** The Changes panel (a drawer in narrow windows) is showing. */
  open = false;
  /** The file whose diff is shown, or null for the list. */
  selected: string | null = null;
  diff: FileDiff | null = null;
  diffLines: readonly DiffLine[] = [];
  diffLoading = false;
  diffError = '';
  /** Not an error: the file has no changes now (goneText). */
  diffNote = '';
  folders = new Map<string, Folder>();
  levelBusy = false;
  /** The party runs with sharing off and cannot share its folder in this run (the hello's party.cannot_share). */
  cannotShare = false;
  /** With cannotShare: why, when the party meant to share and could not (the hello's party.share_error); '' otherwise. */
  shareError = '';
  /**
   * The host is still taking the folder's first snapshot (the hello's party.share_pending):
   * not shared yet, whatever the level says; it may turn out not to be (shareError).
   */
  pending = false;
  /** To the party's owner only: what it can do about a folder that could not be shared (Session.share_fix, party:sharefix); '' otherwise. */
  shareFix = '';

  readonly #backend: Backend;
  readonly #hooks: WorkspaceHooks;
  /** Bumped by reset; answers of an older party are dropped. */
  #gen = 0;
  #diffSeq = 0;
  /** The selected file's entry when its diff was fetched (a new one means refetch). */
  #diffOf = '';
  /** The last diff fetched of each path in this party: what an ended party can still show. */
  #fetched = new Map<string, FileDiff>();

  constructor(backend: Backend, hooks: WorkspaceHooks) {
    this.#backend = backend;
    this.#hooks = hooks;
  }

  /** Whether the host shares anything: not while its folder's first snapshot is being taken. */
  get shared(): boolean {
    return this.level !== 'off' && !this.pending;
  }

  /**
   * A new party (or none): its level, nothing loaded yet; cannotShare, shareError and
   * pending as the party's cannot_share, share_error and share_pending; shareFix as the
   * session's share_fix (its owner's only).
   */
  reset(level: WorkspaceLevel | string | undefined, cannotShare = false, shareError = '', pending = false, shareFix = ''): void {
    this.#gen++;
    this.level = asLevel(level);
    this.cannotShare = cannotShare;
    this.shareError = shareError;
    this.pending = pending && !cannotShare;
    this.shareFix = shareFix;
    this.files = [];
    this.hidden = 0;
    this.more = 0;
    this.base = '';
    this.selected = null;
    this.diff = null;
    this.diffLines = [];
    this.diffLoading = false;
    this.diffError = '';
    this.diffNote = '';
    this.folders = new Map();
    this.levelBusy = false;
    this.#fetched = new Map();
  }

  /** The folder's first snapshot is over (the party's WORKSPACE_READY, or a share_error): its list, when it is shared. */
  snapshotDone(): void {
    if (!this.pending) return;
    this.pending = false;
    void this.load();
  }

  /** Loads the current list (after entering a party; changes events keep it current). */
  async load(): Promise<void> {
    if (!this.shared) return;
    const gen = this.#gen;
    try {
      const res = await this.#backend.Changes();
      if (gen !== this.#gen) return;
      this.files = res.files ?? [];
      this.hidden = count(res.hidden);
      this.more = count(res.more);
      this.base = res.base ?? '';
    } catch {
      // An older host, or sharing just turned off: the changes events will tell.
    }
    this.#hooks.changed();
  }

  /** A changes event: the whole current list. A shown diff whose file changed is fetched again. */
  onChanges(files: readonly FileChange[], hidden?: number, more?: number): void {
    this.files = files;
    this.hidden = count(hidden);
    this.more = count(more);
    if (this.selected !== null) {
      const f = files.find((x) => x.path === this.selected);
      if (f && sig(f) !== this.#diffOf) void this.showDiff(this.selected);
    }
  }

  /** A settings event with the level. */
  onLevel(level: WorkspaceLevel | string | undefined): void {
    const next = asLevel(level);
    if (next === this.level) return;
    this.level = next;
    if (next === 'off') {
      this.files = [];
      this.hidden = 0;
      this.more = 0;
      this.selected = null;
      this.diff = null;
      this.diffLines = [];
    }
    if (next !== 'tree') this.folders = new Map();
    void this.load();
  }

  /**
   * Shows or hides the panel. Opened, it asks for the list as it is now: changes events
   * come with the agent's turns, so edits made by hand since the last one would not show.
   */
  toggle(open = !this.open): void {
    const opening = open && !this.open;
    const closing = !open && this.open;
    this.open = open;
    // Closed, it forgets the diff it showed: opened again it shows the list (a window
    // tester's opened on the last diff looked at); a file's chip still opens its diff.
    if (closing && this.selected !== null) this.#clearDiff();
    this.#hooks.changed();
    if (opening) void this.load();
  }

  /** Fetches and shows one file's diff (the panel opens). */
  async showDiff(path: string): Promise<void> {
    this.open = true;
    this.selected = path;
    this.diffLoading = true;
    this.diffError = '';
    this.diffNote = '';
    const entry = this.files.find((x) => x.path === path);
    this.#diffOf = entry ? sig(entry) : '';
    if (entry?.link) {
      // The host refuses a link's diff: said as what it is, not as an error.
      this.diff = null;
      this.diffLines = [];
      this.diffNote = LINK_NOTE;
      this.diffLoading = false;
      this.#hooks.changed();
      return;
    }
    this.#hooks.changed();
    const seq = ++this.#diffSeq;
    const gen = this.#gen;
    if (this.#hooks.over()) {
      // Nobody to ask any more: what was fetched during the party, or a plain sentence.
      const kept = this.#fetched.get(path);
      this.diff = kept ?? null;
      this.diffLines = kept && !kept.binary ? parseDiff(kept.diff) : [];
      this.diffError = kept ? '' : DIFF_AFTER_END;
      this.diffLoading = false;
      this.#hooks.changed();
      return;
    }
    try {
      const d = await this.#backend.Diff(path);
      if (seq !== this.#diffSeq || gen !== this.#gen) return;
      this.diff = d;
      this.diffLines = d.binary ? [] : parseDiff(d.diff);
      this.#fetched.set(path, d);
      // The diff is of the file as it is now; the list may be older (a window tester's
      // "+1 −0" over a diff of two added lines, edited by hand since the last list): one
      // whose counts the diff contradicts is asked for again.
      const listed = this.files.find((x) => x.path === path);
      if (listed && !d.binary && !d.truncated && !listed.binary && !listed.large && !listed.link) {
        const n = lineCounts(this.diffLines);
        if (n.additions !== listed.additions || n.deletions !== listed.deletions) void this.load();
      }
    } catch (err) {
      if (seq !== this.#diffSeq || gen !== this.#gen) return;
      this.diff = null;
      this.diffLines = [];
      const text = errorText(err);
      // Not listed, and the host says it has no changes (workspace.UnchangedError): it
      // changed after the turn that named it.
      if (!entry && /has no changes since (the party began|sharing began)/.test(text)) this.diffNote = goneText(path);
      else this.diffError = text;
    } finally {
      if (seq === this.#diffSeq) this.diffLoading = false;
      this.#hooks.changed();
    }
  }

  /** Back from a diff to the list. */
  closeDiff(): void {
    this.#clearDiff();
    this.#hooks.changed();
  }

  #clearDiff(): void {
    this.#diffSeq++;
    this.selected = null;
    this.diff = null;
    this.diffLines = [];
    this.diffLoading = false;
    this.diffError = '';
    this.diffNote = '';
  }

  /** The folder at path ("" is the top), if it was ever asked for. */
  folder(path: string): Folder | undefined {
    return this.folders.get(path);
  }

  /** Opens or closes a folder of the tree, loading it the first time. */
  async toggleFolder(path: string): Promise<void> {
    const f = this.folders.get(path);
    if (f && f.entries !== null) {
      this.folders.set(path, { ...f, open: !f.open });
      this.#hooks.changed();
      return;
    }
    if (f?.loading) return;
    this.folders.set(path, { entries: null, loading: true, error: '', open: true });
    this.#hooks.changed();
    const gen = this.#gen;
    try {
      const res = await this.#backend.Tree(path);
      if (gen !== this.#gen) return;
      this.folders.set(path, { entries: res.entries ?? [], loading: false, error: '', open: true });
    } catch (err) {
      if (gen !== this.#gen) return;
      this.folders.set(path, { entries: null, loading: false, error: errorText(err), open: true });
    }
    this.#hooks.changed();
  }

  /** The level this window asked for last, and when (see ownChange). */
  #asked: { level: WorkspaceLevel; at: number } | null = null;

  /**
   * Whether a settings event's level is this window's own change (asked for in the last
   * 30 s), and forgets it: a change someone else made is news to the owner.
   */
  ownChange(level: WorkspaceLevel | string): boolean {
    const a = this.#asked;
    this.#asked = null;
    return a !== null && a.level === level && Date.now() - a.at < 30_000;
  }

  /** Changes the sharing level (a host). */
  async setLevel(level: WorkspaceLevel): Promise<boolean> {
    if (this.levelBusy || level === this.level) return false;
    this.levelBusy = true;
    this.#asked = { level, at: Date.now() };
    this.#hooks.changed();
    try {
      await this.#backend.SetWorkspace(level);
      this.onLevel(level); // the settings event confirms it
      return true;
    } catch (err) {
      this.#hooks.notify('error', `Could not change what the party sees: ${errorText(err)}`);
      return false;
    } finally {
      this.levelBusy = false;
      this.#hooks.changed();
    }
  }
}

function asLevel(level: string | undefined): WorkspaceLevel {
  return level === 'changes' || level === 'tree' ? level : 'off';
}

/** A peer's count, or 0 when it is none (an older host sends no "hidden"). */
function count(n: unknown): number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The lines a parsed diff adds and deletes. */
export function lineCounts(lines: readonly DiffLine[]): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const l of lines) {
    if (l.kind === 'add') additions++;
    else if (l.kind === 'del') deletions++;
  }
  return { additions, deletions };
}

function sig(f: FileChange): string {
  return `${f.status}\u0000${f.from ?? ''}\u0000${f.additions}\u0000${f.deletions}`;
}
