// The parties kept in the data directory (PROTOCOL.md §8), for Resume on the home screen.
// Owned by AppState, which enters the resumed party; this module owns the RecentParties
// and ResumeParty calls into Go. Components read it and call its methods.

import { errorText, type Backend } from './backend';
import type { Session, WorkspaceLevel } from './types';

/** A party kept in the data directory (Go: session.RecentParty). */
export interface RecentParty {
  id: string;
  /** The host's name: "<host>'s party". */
  host: string;
  created: string;
  last_active: string;
  turns: number;
  /** running: a host holds it (this window or another); not_ended_cleanly: killed or the machine stopped. */
  state: 'running' | 'ended' | 'not_ended_cleanly';
  workdir: string;
  /** What it shares of its folder when resumed as it was; "tree" (secrets included) is asked first. */
  workspace: WorkspaceLevel;
  /** Its journal could not be written to its end (a full disk): it cannot be resumed (absent: false). */
  incomplete?: boolean;
  /** Its journal could not be written to its end, and it resumes past what it lost, running nothing from before again (absent: false). */
  lost_end?: boolean;
  /** The start of its first prompt, on one line (absent: none yet): peer text, shown as text. */
  first_prompt?: string;
}

/** What the recent-parties state tells its owner. */
export interface RecentHooks {
  changed(): void;
  /** Enters the party open() starts, as creating one does; resolves to "" or the error sentence. */
  enter(open: () => Promise<Session>): Promise<string>;
}

/** How a party's state reads on the home screen. */
export function recentStateText(p: RecentParty): string {
  if (p.incomplete && p.state !== 'running') return 'cannot be resumed: its journal could not be written to its end (was the disk full?)';
  // Not "stopped without ending": its end may be what the journal lost (a window tester's host had ended it).
  if (p.lost_end && p.state !== 'running') return 'its journal lost its end (was the disk full?): a resume goes on after it and runs nothing from before again';
  switch (p.state) {
    case 'running':
      return 'running';
    case 'ended':
      return 'ended';
    default:
      return 'stopped without ending';
  }
}

/** A party can be resumed unless a host is running it, or its journal was cut short. */
export function canResume(p: RecentParty): boolean {
  return p.state !== 'running' && !p.incomplete;
}

export class RecentPartiesState {
  parties: readonly RecentParty[] = [];
  loaded = false;
  /** Why the list could not be read, as a sentence ("" = it could). */
  loadError = '';
  /** The party being resumed ("" = none). */
  resuming = '';
  /**
   * The party whose Resume waits for an answer: it shared the whole folder, .env files
   * included, and bringing it back would share it again ("" = none).
   */
  asking = '';
  /** Why the last resume failed, as a sentence, and which party it was. */
  resumeError = '';
  resumeErrorId = '';

  readonly #backend: Pick<Backend, 'RecentParties' | 'ResumeParty'>;
  readonly #hooks: RecentHooks;
  #loadSeq = 0;
  /**
   * The failed party's state as the first reading begun after its failure found it
   * (undefined: none has yet; readings numbered #errorSeq and later count): the error goes
   * once a later reading finds the party in another state (the terminal that ran it
   * stopped, say), since it no longer says how things stand.
   */
  #errorState: string | undefined;
  #errorSeq = Infinity;

  constructor(backend: Pick<Backend, 'RecentParties' | 'ResumeParty'>, hooks: RecentHooks) {
    this.#backend = backend;
    this.#hooks = hooks;
  }

  /**
   * Reads the list again (the home screen calls it when it shows). quiet: a reading of its
   * own accord (the window came back, a poll), whose failure keeps the list it has.
   */
  async load(quiet = false): Promise<void> {
    const seq = ++this.#loadSeq;
    try {
      const list = await this.#backend.RecentParties();
      if (seq !== this.#loadSeq) return;
      this.parties = Array.isArray(list) ? list : [];
      this.loadError = '';
      const asked = this.parties.find((p) => p.id === this.asking);
      if (!asked || !canResume(asked) || asked.workspace !== 'tree') this.asking = ''; // gone, running, or no longer a question
      if (this.resumeErrorId && seq >= this.#errorSeq) {
        const now = this.parties.find((p) => p.id === this.resumeErrorId)?.state ?? '';
        if (this.#errorState === undefined) this.#errorState = now;
        else if (now !== this.#errorState) this.#clearError();
      }
    } catch (err) {
      if (seq !== this.#loadSeq) return;
      if (quiet && this.loaded && !this.loadError) return; // the list shown stays
      this.loadError = errorText(err);
    }
    this.loaded = true;
    this.#hooks.changed();
  }

  /**
   * Brings the party back; resolves true when the party screen is showing. A party that
   * shared the whole folder is not brought back yet: it is asked about first (asking), and
   * resumeSharing() answers. What the list showed is the most the party may share (Go's
   * ResumeOptions.ShareAtMost): a list gone stale while a terminal widened the sharing
   * never brings the party back sharing more than the person saw.
   */
  async resume(id: string): Promise<boolean> {
    const p = this.parties.find((x) => x.id === id);
    if (this.resuming || !p || !canResume(p)) return false;
    if (p.workspace === 'tree') {
      this.asking = id;
      this.#clearError();
      this.#hooks.changed();
      return false;
    }
    return this.#resume(id, p.workspace);
  }

  /** The answer to asking: resume sharing at most this level ("tree": the whole folder again). */
  async resumeSharing(level: WorkspaceLevel): Promise<boolean> {
    const id = this.asking;
    if (!id || this.resuming) return false;
    this.asking = '';
    return this.#resume(id, level);
  }

  /** Puts the question away; the party stays as it is. */
  cancelAsking(): void {
    if (!this.asking) return;
    this.asking = '';
    this.#hooks.changed();
  }

  #clearError(): void {
    this.resumeError = '';
    this.resumeErrorId = '';
    this.#errorState = undefined;
    this.#errorSeq = Infinity;
  }

  async #resume(id: string, level: WorkspaceLevel): Promise<boolean> {
    this.resuming = id;
    this.asking = '';
    this.#clearError();
    this.#hooks.changed();
    let problem = '';
    try {
      problem = await this.#hooks.enter(() => this.#backend.ResumeParty(id, level));
    } finally {
      this.resuming = '';
    }
    if (problem) {
      this.resumeError = problem;
      this.resumeErrorId = id;
      this.#hooks.changed();
      // It may be running now, or gone: the list is read again, and what it then says is
      // the state the error explains.
      this.#errorSeq = this.#loadSeq + 1;
      void this.load();
      return false;
    }
    this.#hooks.changed();
    return true;
  }
}
