// The parties kept in the data directory (PROTOCOL.md §8), for Resume on the home screen.
// Owned by AppState, which enters the resumed party; this module owns the RecentParties,
// ResumeUnanswered and ResumeParty calls into Go. Components read it and call its methods.

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
  /** "the last turn, for alice's prompt, was cut short when the party ended": a resume does not run it again (absent: it was not). Peer text. */
  end_cut?: string;
}

/**
 * What resuming a party would take up at once (Go: session.Unanswered), read from its
 * journal when Resume is clicked: prompts that never reached the agent, and a turn its host
 * stopped during. Names and texts are peer text: shown as text.
 */
export interface Unanswered {
  /** As `concordia parties` says it: "1 prompt never reached the agent, and its last turn was cut short"; "" = nothing. */
  text: string;
  /** The waiting prompts, oldest first: each author's name and the start of the text, on one line. */
  prompts: UnansweredPrompt[] | null;
  /** The start of the request whose turn was cut short (absent: none, or blank). */
  turn?: string;
  /** A turn was cut short: a resume sends its request to the agent again. */
  cut?: boolean;
  /** The cut turn's authors, each once (absent: none known, as for a host's agent command). */
  turn_by?: string[] | null;
  /** The waiting prompts' batch is held for a host's approval before the agent has it. */
  approval?: boolean;
  /** The journal's last event when it was read: a resume without them is refused if it went on since. */
  last_seq?: number;
}

/** A prompt that never reached the agent. */
export interface UnansweredPrompt {
  user: string;
  text: string;
}

/**
 * The question's sentence: what a resume takes up (Go's words) and what it does with it,
 * e.g. "1 prompt never reached the agent: resuming sends it to the agent at once."
 */
export function unansweredSentence(u: Unanswered, without = false): string {
  if (without) {
    // Ticked "Resume without them": what happens then (a tester read "resuming sends" beside the tick).
    return `${u.text.charAt(0).toUpperCase()}${u.text.slice(1)}: resuming without ${unansweredThem(u)}, ${withoutWhat(u)}.`;
  }
  const n = u.prompts?.length ?? 0;
  const cut = Boolean(u.cut);
  const them = unansweredThem(u);
  let does: string;
  if (n > 0 && u.approval) {
    const waiting = n === 1 ? 'the waiting prompt' : 'the waiting prompts';
    does = cut
      ? `resuming sends the cut turn's request to the agent again at once, and holds ${waiting} for a host's approval`
      : `resuming holds ${them} for a host's approval before the agent has ${them}`;
  } else if (n === 0) {
    does = 'resuming sends its request to the agent again at once';
  } else if (cut) {
    // Not "sends them": a tester could not tell what "them" were.
    does = `resuming sends ${n === 1 ? 'the waiting prompt' : 'the waiting prompts'} and the cut turn's request to the agent at once`;
  } else {
    does = `resuming sends ${them} to the agent at once`;
  }
  return `${u.text.charAt(0).toUpperCase()}${u.text.slice(1)}: ${does}.`;
}

/** How the question names what was left unanswered: "it" (one prompt, or the cut turn alone) or "them". */
export function unansweredThem(u: Unanswered): 'it' | 'them' {
  return (u.prompts?.length ?? 0) + (u.cut ? 1 : 0) === 1 ? 'it' : 'them';
}

/**
 * What resuming without them does (Go's ResumeOptions.WithoutUnanswered): "the waiting
 * prompt is withdrawn and the turn cut short is not run again".
 */
export function withoutWhat(u: Unanswered): string {
  const n = u.prompts?.length ?? 0;
  const parts: string[] = [];
  if (n > 0) parts.push(n === 1 ? 'the waiting prompt is withdrawn' : `the ${n} waiting prompts are withdrawn`);
  if (u.cut) parts.push('the turn cut short is not run again');
  return parts.join(' and ');
}

/** withoutWhat as the answer's tooltip says it, with what the party is told. */
export function withoutWords(u: Unanswered): string {
  const what = withoutWhat(u);
  const n = u.prompts?.length ?? 0;
  return `${what.charAt(0).toUpperCase()}${what.slice(1)}; the party is told, so that ${n === 1 && !u.cut ? 'its author' : 'their authors'} can send again what is still wanted.`;
}

/** What the recent-parties state tells its owner. */
export interface RecentHooks {
  changed(): void;
  /** Says how an export went (a toast). */
  notify(kind: 'info' | 'error', text: string): void;
  /** Enters the party open() starts, as creating one does; resolves to "" or the error sentence. */
  enter(open: () => Promise<Session>): Promise<string>;
}

/** How a party's state reads on the home screen. */
export function recentStateText(p: RecentParty): string {
  if (p.incomplete && p.state !== 'running') return 'cannot be resumed: its journal could not be written to its end (was the disk full?)';
  // Not "stopped without ending": its end may be what the journal lost (a window tester's host had ended it).
  if (p.lost_end && p.state !== 'running') return 'its journal lost its end (was the disk full?): a resume goes on after it and runs nothing from before again';
  // The turn the party's end cut short: not run again by a resume, and said nowhere else
  // once the party was over (a tester's). Said whenever given: Go decides when it is
  // (journal.Summary.EndCutShown), as for `concordia parties` (three rules disagreed, a reviewer's).
  const cut = p.end_cut ? `; ${p.end_cut}` : '';
  switch (p.state) {
    case 'running':
      return `running${cut}`;
    case 'ended':
      return `ended${cut}`;
    default:
      return `stopped without ending${cut}`;
  }
}

/** A party can be forgotten (its journal deleted) unless a host is running it. */
export function canForget(p: RecentParty): boolean {
  return p.state !== 'running';
}

/**
 * What Forget asks before it deletes a party's journal: what goes, and, for a party that
 * did not end cleanly, that it could still be resumed.
 */
export function forgetQuestion(p: RecentParty): string {
  const what = 'Its journal is deleted — the transcript, its invites and members\' sessions — so it can no longer be resumed or exported. The working folder is not touched.';
  const name = p.host ? `${p.host}'s party` : 'this party';
  if (p.state !== 'ended' && canResume(p)) return `Forget ${name}? It did not end cleanly, so it can still be resumed; forgetting it ends that. ${what}`;
  return `Forget ${name}? ${what}`;
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
   * The party whose Resume waits for an answer ("" = none): it shared the whole folder,
   * .env files included, and bringing it back would share it again (askingTree), or it
   * holds prompts the agent never had, or a turn cut short, which bringing it back sends
   * to the agent at once (askingUnanswered) — or both.
   */
  asking = '';
  /** The question is about sharing the whole folder again. */
  askingTree = false;
  /** The question is about what a resume takes up (null: it takes up nothing). */
  askingUnanswered: Unanswered | null = null;
  /**
   * Asked about both the folder and what it takes up: the answer is to leave what it takes
   * up behind (the folder's buttons then resume without it).
   */
  leaveUnanswered = false;
  /** The party whose Resume is reading what a resume would take up ("" = none). */
  checking = '';
  /** Why the last resume failed, as a sentence, and which party it was. */
  resumeError = '';
  resumeErrorId = '';
  /** The party whose Forget waits for the person's yes ("" = none). */
  forgetting = '';
  /** The party being forgotten now ("" = none). */
  forgetBusy = '';
  /** Why the last Forget failed, as a sentence, and which party it was. */
  forgetError = '';
  forgetErrorId = '';
  /** The party whose transcript is being exported ("" = none). */
  exporting = '';

  readonly #backend: Pick<Backend, 'RecentParties' | 'ResumeParty' | 'ResumeUnanswered' | 'ForgetParty' | 'ExportParty'>;
  readonly #hooks: RecentHooks;
  #loadSeq = 0;
  /** Bumped when a question is put away: a reading of what a resume takes up, answered later, is dropped. */
  #askSeq = 0;
  /** The level the list showed when Resume was clicked: the most the party asked about may share. */
  #askedLevel: WorkspaceLevel = 'off';
  /** The party's last activity as the list showed it then: once another run changes it, the question is stale. */
  #askedActive = '';
  /**
   * The failed party's state as the first reading begun after its failure found it
   * (undefined: none has yet; readings numbered #errorSeq and later count): the error goes
   * once a later reading finds the party in another state (the terminal that ran it
   * stopped, say), since it no longer says how things stand.
   */
  #errorState: string | undefined;
  #errorSeq = Infinity;

  constructor(backend: Pick<Backend, 'RecentParties' | 'ResumeParty' | 'ResumeUnanswered' | 'ForgetParty' | 'ExportParty'>, hooks: RecentHooks) {
    this.#backend = backend;
    this.#hooks = hooks;
  }

  /**
   * Export clicked: Go asks where (a save dialog) and writes the party's transcript as
   * Markdown from its journal, as `concordia export` does; a toast says where, or why not.
   * Forget's warning said a forgotten party could no longer be exported, while no kept one
   * could be (a window tester's). Resolves to the path, "" when cancelled or failed.
   */
  async exportParty(id: string): Promise<string> {
    if (this.exporting) return '';
    this.exporting = id;
    this.#hooks.changed();
    try {
      const path = await this.#backend.ExportParty(id);
      if (path) this.#hooks.notify('info', `Saved the transcript to ${path}`);
      return path;
    } catch (err) {
      this.#hooks.notify('error', `Could not export the transcript: ${errorText(err)}`);
      return '';
    } finally {
      this.exporting = '';
      this.#hooks.changed();
    }
  }

  /** Forget was clicked: asks first (forgetQuestion), in the party's card. */
  askForget(id: string): void {
    const p = this.parties.find((x) => x.id === id);
    if (!p || !canForget(p) || this.forgetBusy) return;
    this.forgetting = id;
    this.forgetError = '';
    this.forgetErrorId = '';
    this.#hooks.changed();
  }

  /** The question put away: nothing is deleted. */
  keepParty(): void {
    if (!this.forgetting) return;
    this.forgetting = '';
    this.#hooks.changed();
  }

  /**
   * The question answered yes: Go deletes the party's journal, and the list is read again.
   * Resolves true when it was deleted; otherwise forgetError says why.
   */
  async forget(): Promise<boolean> {
    const id = this.forgetting;
    if (!id || this.forgetBusy) return false;
    this.forgetBusy = id;
    this.#hooks.changed();
    try {
      await this.#backend.ForgetParty(id);
      this.forgetting = '';
      return true;
    } catch (err) {
      this.forgetting = '';
      this.forgetError = errorText(err);
      this.forgetErrorId = id;
      return false;
    } finally {
      this.forgetBusy = '';
      await this.load();
    }
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
      // Its question is about a party gone meanwhile, or running again: put away.
      if (this.forgetting && !this.parties.some((p) => p.id === this.forgetting && canForget(p))) this.forgetting = '';
      if (this.asking) {
        const asked = this.parties.find((p) => p.id === this.asking);
        if (!asked || !canResume(asked) || asked.last_active !== this.#askedActive) {
          this.#putAway(); // gone, running, or run again since: what it said may no longer hold
        } else if (this.askingTree && asked.workspace !== 'tree') {
          // No longer shares the whole folder: that question is gone, what it takes up stays.
          this.askingTree = false;
          this.leaveUnanswered = false; // its tick went with the folder's answers: the question's own buttons now say it
          this.#askedLevel = asked.workspace;
          if (!this.askingUnanswered) this.#putAway();
        }
      }
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
   * Brings the party back; resolves true when the party screen is showing. What a resume
   * would take up at once is read first (ResumeUnanswered: only now, never by load): a party
   * holding prompts the agent never had, or a turn cut short, is not brought back yet, nor
   * one that shared the whole folder; it is asked about (asking), and resumeSharing() or
   * resumeAsked() answers. What the list showed is the most the party may share (Go's
   * ResumeOptions.ShareAtMost): a list gone stale while a terminal widened the sharing
   * never brings the party back sharing more than the person saw.
   */
  async resume(id: string): Promise<boolean> {
    const p = this.parties.find((x) => x.id === id);
    if (this.resuming || this.checking || !p || !canResume(p)) return false;
    const seq = ++this.#askSeq;
    this.checking = id;
    this.asking = '';
    this.#clearError();
    this.#hooks.changed();
    let u: Unanswered;
    try {
      u = await this.#backend.ResumeUnanswered(id);
    } catch (err) {
      if (seq !== this.#askSeq) return false;
      this.checking = '';
      this.resumeError = errorText(err);
      this.resumeErrorId = id;
      this.#hooks.changed();
      this.#errorSeq = this.#loadSeq + 1;
      void this.load();
      return false;
    }
    if (seq !== this.#askSeq) return false; // put away meanwhile (the list was left)
    this.checking = '';
    const unanswered = u && u.text ? u : null;
    if (p.workspace === 'tree' || unanswered) {
      this.asking = id;
      this.askingTree = p.workspace === 'tree';
      this.askingUnanswered = unanswered;
      this.#askedLevel = p.workspace;
      this.#askedActive = p.last_active;
      this.#hooks.changed();
      return false;
    }
    return this.#resume(id, p.workspace);
  }

  /**
   * The answer to asking: resume sharing at most this level ("tree": the whole folder
   * again); without: without what it left unanswered (its waiting prompts withdrawn, a turn
   * cut short not run again: Go's ResumeOptions.WithoutUnanswered).
   */
  async resumeSharing(level: WorkspaceLevel, without = false): Promise<boolean> {
    const id = this.asking;
    if (!id || this.resuming) return false;
    const askedAt = this.askingUnanswered?.last_seq ?? 0;
    without = without && this.askingUnanswered !== null;
    this.#putAway();
    return this.#resume(id, level, without, without ? askedAt : 0);
  }

  /** The answer "Resume" (or "Resume without them") to a question that is not about the folder: at most the level the list showed. */
  async resumeAsked(without = false): Promise<boolean> {
    if (this.askingTree) return false; // that question's answer says the level
    return this.resumeSharing(this.#askedLevel, without);
  }

  /** Puts the question away (and a reading for one under way); the party stays as it is. */
  cancelAsking(): void {
    if (!this.asking && !this.checking) return;
    this.#putAway();
    this.#hooks.changed();
  }

  #putAway(): void {
    this.#askSeq++;
    this.asking = '';
    this.askingTree = false;
    this.askingUnanswered = null;
    this.leaveUnanswered = false;
    this.checking = '';
  }

  /** Ticks or unticks "without them" in a question about both the folder and what a resume takes up. */
  setLeaveUnanswered(leave: boolean): void {
    if (!this.asking || !this.askingUnanswered) return;
    this.leaveUnanswered = leave;
    this.#hooks.changed();
  }

  #clearError(): void {
    this.resumeError = '';
    this.resumeErrorId = '';
    this.#errorState = undefined;
    this.#errorSeq = Infinity;
  }

  async #resume(id: string, level: WorkspaceLevel, without = false, askedAt = 0): Promise<boolean> {
    this.resuming = id;
    this.#putAway();
    this.#clearError();
    this.#hooks.changed();
    let problem = '';
    try {
      problem = await this.#hooks.enter(() => this.#backend.ResumeParty(id, level, without, askedAt));
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
