// The party this window takes part in (PROTOCOL.md §5–§7): the session, its live events
// in seq order, the people, the pending prompts, the connection, and how the party ends.
// Owned by AppState, which starts parties (create, join, resume) and hands this module the
// session; it owns the party's event subscriptions and the SendPrompt, CopyInvite, Leave,
// EndParty, SaveTranscript and DismissParty calls into Go. Components read it through
// AppState and call its methods there.
//
// Concurrency: the only hazard is promises resolving out of order, which the party
// generation (gen) guards against.

import { HOST_ENDED, KEY_DENIED, KEY_REFUSED } from './shown-words';
import { awayAfter } from './away';
import { errorText, type Backend, type BackendEvents } from './backend';
import { AGENT_EXITED_IDLE, AGENT_NOT_STARTED, TranscriptModel, parseTS, type TranscriptItem } from './transcript';
import { ShownMore } from './shown-more';
import { attentionFor, attentionForEnd, type Attention } from './attention';
import type { HostControl } from './host-control';
import type { WorkspaceState } from './workspace';
import type {
  ConnStatus,
  HistoryProgress,
  Editors,
  Invites,
  Member,
  MergerChoice,
  PartyEnded,
  PartyEvent,
  PartyInfo,
  PartyState,
  PartyStatus,
  Prompt,
  Session,
} from './types';

/** The party this window takes part in, without its (separately kept) state. */
export interface SessionInfo {
  /** "host": this window runs the party; "participant": it joined one. */
  role: 'host' | 'participant';
  /** The window's person; you.role is kept current (host, participant, viewer). */
  you: Member;
  /** The party; approval and permission_mode follow settings events. */
  party: PartyInfo;
  invite: string;
  viewer_invite: string;
  /** The party's host invite ("" when it has none, or this window's person is no host). */
  host_invite: string;
  /** Hosted: the merger it was hosted with (Session.merge_mode); left out when joined. */
  merge_mode?: MergerChoice;
}

/** The connection to the party, from party:status. */
export interface Connection {
  status: ConnStatus;
  attempt: number;
  error: string;
  retryMs: number;
  /** The history caught up so far (Go says it when a catch-up takes more than a moment). */
  history?: HistoryProgress;
}

/** Why a viewer's prompt box is disabled. */
export const VIEWER_REASON = "You're watching: viewers can't send prompts. A host can make you a participant.";

/** Largest prompt in bytes of UTF-8 (PROTOCOL.md §4). */
export const MAX_PROMPT_BYTES = 32768;

/** Why a party ended, from a party:ended event (a clause: "the host ended the party"). */
function endedReason(e: PartyEnded): string {
  if (e.kicked) return 'a host removed you from the party';
  return e.reason || 'the connection to the host closed';
}

/** The party is over; the window keeps its transcript until the person goes home. */
export interface Ended {
  /** Why, as a clause: "the host ended the party". */
  reason: string;
  /** This person left; the party goes on without them (reason: "" or a note). */
  left?: boolean;
  /** A host removed this person (kicked, close code 4001); the party goes on without them. */
  removed?: Removal;
}

/** Who removed this window's person from the party, and why, as far as the host said. */
export interface Removal {
  /** The host's name; "" when its words were not seen. */
  by: string;
  /** The reason the host gave; "" when none. */
  reason: string;
}

/**
 * Who removed the member named name, and why, from the host's system event: the kicked
 * connection closes with 4001 alone, so "alice removed bob from the party[: reason]" (with
 * " (bob's N waiting prompts are withdrawn)" after it when some were) is the only place the
 * host says it (PROTOCOL.md §7, Party.kick). The latest such notice counts; null when none.
 */
export function removalOf(items: readonly TranscriptItem[], name: string): Removal | null {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const said = new RegExp(`^(.+?) removed ${n} from the party(?:: (.*?))?(?: \\(${n}'s (?:waiting prompt is|\\d+ waiting prompts are) withdrawn\\))?$`);
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type !== 'system') continue;
    const m = said.exec(it.text);
    if (m) return { by: m[1] ?? '', reason: (m[2] ?? '').trim() };
  }
  return null;
}

/** Bytes of UTF-8 a string takes. */
function utf8Len(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Why text is too long to send, or "" when it is not. */
function tooLongText(text: string): string {
  const n = utf8Len(text);
  return n > MAX_PROMPT_BYTES ? `This prompt is ${n.toLocaleString('en')} bytes; the limit is ${MAX_PROMPT_BYTES.toLocaleString('en')}.` : '';
}

/** Number of skew samples kept (see #skew). */
const SKEW_SAMPLES = 16;

/** How long an event that arrived ahead of a missing seq waits for it (see #onEvent). */
export const REORDER_WAIT_MS = 1000;

/** What the party tells its owner, and what it asks of it. */
export interface PartyHooks {
  /** Re-render. */
  changed(): void;
  /** Shows a message for people. */
  notify(kind: 'info' | 'error', text: string): void;
  /** Drops the toasts of the party (it was left, or another one starts). */
  dropNotices(): void;
  /** The connection is back: what was said of it being down is stale. */
  connectedAgain(): void;
  /** Shows the home screen or the party. */
  show(screen: 'home' | 'party'): void;
  /** Whether Settings turned desktop notifications off. */
  notificationsOff(): boolean;
  /**
   * The party this window runs says Google refused its Gemini key (text: its words; denied:
   * for this use only, the key itself kept).
   */
  keyRefused(text: string, denied: boolean): void;
  /** The party this window runs merged a batch with Gemini: its key works. */
  keyWorked(): void;
}

/** What the party needs besides its hooks: the clock, whether the window is looked at, and the parts reset with the party. */
export interface PartyOptions {
  now: () => number;
  attentive: () => boolean;
  control: Pick<HostControl, 'reset' | 'setEditors' | 'connectedAgain'>;
  workspace: WorkspaceState;
}

export { AGENT_NOT_STARTED, AGENT_EXITED_IDLE };
/** How the party's error event begins when its journal cannot be written (party.JournalFailedPrefix). */
export const JOURNAL_FAILED = "the party's journal cannot be written (";
/** How the party's error event begins when its journal will not catch up (party.JournalGaveUpPrefix). */
export const JOURNAL_GAVE_UP = "the party's journal gave up catching up (";
/** The party's system event once its journal caught up (party.JournalRecoveredText). */
export const JOURNAL_RECOVERED = "the party's journal is written again and holds everything: the party can be resumed";
/** The party's system event once its folder's first snapshot is taken, to those told it was pending (party.WorkspaceReadyNotice). */
export const WORKSPACE_READY = "the working directory's first snapshot is taken: the party now sees the files that change in it";
/** WORKSPACE_READY when a host turned the sharing off meanwhile (party.WorkspaceReadyOffNotice): the wait is over all the same. */
export const WORKSPACE_READY_OFF = "the working directory's first snapshot is taken, but it is not shared: a host turned the sharing off";

/**
 * The party's state. subscribe() before CreateParty/JoinParty/ResumeParty, enter() with
 * the session it returns; dispose() undoes every subscription.
 */
export class PartySession {
  session: SessionInfo | null = null;
  /**
   * The seq of the state this window entered the party with: a leaving of its own member
   * after it is the host losing this window's connection (it came back since), not the
   * person leaving, which ends the session (Infinity outside a party).
   */
  joinedAt = Infinity;
  phase: string = 'idle';
  /**
   * Our clock's time (ms) when the current phase began, or null when unknown: the phase
   * pill says how long the party has been merging or the agent working (the terminal did,
   * the window did not: a tester watched a bare "Merging" for 45 s while Gemini hung).
   */
  phaseSince: number | null = null;
  /** When the turn under way began running (our clock), across its tool decisions; null when none runs. */
  #runningSince: number | null = null;
  /** How many prompts this window sent in the party: the transcript shows the end when it rises. */
  promptsSent = 0;
  participants: readonly Member[] = [];
  /** When this window first listed each member of the party (a rank): #inOrder's order. */
  readonly #firstSeen = new Map<string, number>();
  #firstSeenOf = '';

  /** list in the people list's order (peopleOrder), members new to it ranked after the others. */
  #inOrder(list: readonly Member[]): Member[] {
    const party = this.session?.party.id ?? '';
    if (party !== this.#firstSeenOf) this.#firstSeen.clear();
    this.#firstSeenOf = party;
    for (const m of list) if (!this.#firstSeen.has(m.id)) this.#firstSeen.set(m.id, this.#firstSeen.size);
    return peopleOrder(list, this.#firstSeen);
  }
  /** Members who left and may come back (away.ts): a host may still remove one. */
  away: readonly Member[] = [];
  /** The party whose members away is of. */
  #awayOf = '';
  /** Every prompt not yet sent to the agent, oldest first. */
  pending: readonly Prompt[] = [];
  connection: Connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
  /** The last party:status between subscribe and enter: newer than the session's own status. */
  #statusBeforeEnter: PartyStatus | null = null;
  /** When (local ms) the next reconnect attempt starts, as party:status said; 0 when not known. */
  retryAt = 0;
  sending = false;
  /** When (local ms, Date.now) the send under way began; 0 when none is. */
  sendingSince = 0;
  sendError = '';
  /** sendError says the prompt is too long (draftChanged says it again of a changed draft). */
  #sendErrorTooLong = false;
  inviteCopied = false;
  viewerInviteCopied = false;
  hostInviteCopied = false;
  ending = false;
  /** leave() was called: the party:ended that follows is this window leaving. */
  #leaving = false;
  /** Set once the party is over: the transcript stays until backHome(). */
  ended: Ended | null = null;
  savingTranscript = false;
  /**
   * Why the agent is not running, while it is not: the last turn ended unsent because
   * Claude Code could not start (its error), until the next batch tries again. '' otherwise.
   */
  agentTrouble = '';
  /** The party said its journal cannot be written (a full disk), and not yet that it caught up. */
  journalBehind = false;
  /** And that it will not catch up (it gave up). */
  journalGaveUp = false;
  /** Prompts taken into a batch being merged (see the phase event): too late to withdraw. */
  #merging = new Set<string>();
  /** Prompts whose withdrawal was asked for and not yet answered. */
  readonly withdrawing = new Set<string>();
  /** The text of my withdrawn prompt, for the prompt box to take back (takeRefill). */
  #refill: string | null = null;
  /**
   * My prompt whose send failed with no answer (it may have reached the host), until its
   * prompt event says it did; and then the text the prompt box lets go (takeArrived).
   */
  #unanswered: string | null = null;
  #arrived: string | null = null;
  /** The failed turns (by batch id) and the prompts others withdrew (by prompt id) that I put back in the box: once each. */
  #recalled = new Set<string>();

  readonly #backend: Backend;
  readonly #hooks: PartyHooks;
  readonly #now: () => number;
  readonly #attentive: () => boolean;
  readonly #control: Pick<HostControl, 'reset' | 'setEditors' | 'connectedAgain'>;
  readonly #workspace: WorkspaceState;
  readonly #transcript = new TranscriptModel();
  readonly #myPromptIds = new Set<string>();
  #partySubs: Array<() => void> = [];
  /** Events that arrive while CreateParty/JoinParty is still in flight. */
  #early: Array<{ name: 'party:event' | 'party:state' | 'party:ended' | 'party:invites' | 'party:editing' | 'party:sharefix'; payload: unknown }> = [];
  /** The last party:info of this party (a reconnect's hello), applied after every resync. */
  #info: PartyInfo | null = null;
  /** Live events that arrived ahead of a missing seq, by seq (see #onEvent). */
  readonly #held = new Map<number, PartyEvent>();
  #heldTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever a party is entered or left; stale callbacks compare it. */
  #partyGen = 0;
  #copiedTimer: ReturnType<typeof setTimeout> | undefined;
  /** Local arrival time minus host timestamp of recent live events (ms). */
  #skewSamples: number[] = [];
  /** Local fallback times for pending prompts whose event we do not have. */
  #fallbackTimes = new Map<string, number>();

  /** What the transcript shows beyond its first look (more files, a step's whole output). */
  readonly shownMore: ShownMore;

  constructor(backend: Backend, hooks: PartyHooks, opts: PartyOptions) {
    this.#backend = backend;
    this.#hooks = hooks;
    this.shownMore = new ShownMore(() => this.#hooks.changed());
    this.#now = opts.now;
    this.#attentive = opts.attentive;
    this.#control = opts.control;
    this.#workspace = opts.workspace;
  }

  /** Bumped whenever a party is entered or left; stale callbacks compare it. */
  get gen(): number {
    return this.#partyGen;
  }

  /** Drops the party's subscriptions and timers (the window is going away). */
  dispose(): void {
    this.unsubscribe();
    clearTimeout(this.#copiedTimer);
  }

  /** The transcript items, oldest first (one array that grows: see transcriptVersion). */
  get transcript(): readonly TranscriptItem[] {
    return this.#transcript.items;
  }

  /** Rises whenever the transcript changed. */
  /** The merger of the last batch sent to the agent ("" before any, or past the history kept). */
  get lastBatchMerger(): string {
    return this.#transcript.lastBatchMerger;
  }

  get transcriptVersion(): number {
    return this.#transcript.version;
  }

  /** Rises when a waiting tool request is decided (TranscriptModel.permissionsSettled). */
  get permissionsSettled(): number {
    return this.#transcript.permissionsSettled;
  }

  /** The phase to show (see AppState.displayPhase). */
  get displayPhase(): string {
    // Leaving a party someone else hosts ends it only for this window: it goes on. So does
    // being removed from it.
    if (this.ended?.removed) return 'removed';
    if (this.ended) return this.ended.left && this.session?.role !== 'host' ? 'left' : 'ended';
    if (this.session && this.connection.status !== 'connected') return 'reconnecting';
    // Claude Code exited between turns (killed, crashed while idle): nothing failed, the next
    // prompt starts it again, so not the red "Agent not running" of a start that failed (a
    // window tester's). A turn that then fails says so as its own trouble.
    if (this.phase === 'idle' && this.agentTrouble) return this.agentTrouble.endsWith(AGENT_EXITED_IDLE) ? 'agent_restarts' : 'agent_down';
    return this.phase;
  }

  /** "The party has ended: …" ("You left …", "You were removed …") while the ended party is on screen, else "". */
  get endedText(): string {
    if (!this.ended) return '';
    const r = this.ended.removed;
    if (r) {
      const text = `You were removed from the party by ${r.by || 'a host'}${r.reason ? `: ${r.reason}` : ''}`;
      return /[.!?]$/.test(text) ? text : `${text}.`;
    }
    if (this.ended.left) {
      const host = this.session?.party.host;
      return `You left ${host ? `${host}'s party` : 'the party'}${this.ended.reason ? ` ${this.ended.reason}` : ''}.`;
    }
    // The reader's own end is its own sentence ("The party has ended: you ended the
    // party." said it twice, a window tester's), and a guest reads who ended it, as after
    // a crash ("Hana, the host, stopped"), not "the host".
    const reason = this.ended.reason;
    if (reason === 'you ended the party') return 'You ended the party.';
    const host = this.session?.party.host;
    if (reason === HOST_ENDED && host) return `The party has ended: ${host}, the host, ended it.`;
    return `The party has ended: ${reason}.`;
  }

  /** The highest event seq seen in this party. */
  get lastSeq(): number {
    return this.#transcript.lastSeq;
  }

  /** Whether a prompt was sent from this window (by ack id or by our member name). */
  isMine(p: Prompt): boolean {
    if (this.#myPromptIds.has(p.id)) return true;
    // By member id where the host sends it: a name can belong to someone else by now.
    if (p.member) return this.session !== null && p.member === this.session.you.id;
    return this.session !== null && p.user === this.session.you.name;
  }

  /** Whether the window's person is a host of the party (the owner or a co-host). */
  get isHost(): boolean {
    return this.session?.you.role === 'host' && !this.ended;
  }

  /** Whether this window runs the party (End party, the tray). */
  get isOwner(): boolean {
    return this.session?.role === 'host' && !this.ended;
  }

  /** Whether a turn is running (the Stop button shows). */
  get turnRunning(): boolean {
    return this.phase === 'running' || this.phase === 'awaiting_permission';
  }

  /** Whether a prompt is in a batch waiting for a host's approval. */
  isAwaitingApproval(id: string): boolean {
    return this.#transcript.awaitingApproval(id);
  }

  /** Who rejected a prompt's batch and why, if a host did. */
  rejectionOf(id: string) {
    return this.#transcript.rejection(id);
  }

  /** Who took back a prompt and whose it was, if it was withdrawn. */
  withdrawalOf(id: string) {
    return this.#transcript.withdrawal(id);
  }

  /**
   * Whether the window's person may take back this prompt now: it waits for a batch (not
   * in one waiting for approval), and it is theirs or they are a host.
   */
  canWithdraw(p: Prompt): boolean {
    const s = this.session;
    // A viewer only has prompts of its own from before a host made it one: still its to take back.
    if (!s || this.ended || this.connection.status !== 'connected') return false;
    if (!this.isPending(p.id) || this.#merging.has(p.id) || this.#transcript.awaitingApproval(p.id)) return false;
    return this.isMine(p) || this.isHost;
  }

  /**
   * Takes back a waiting prompt. My own comes back into the prompt box, to be corrected
   * and sent again; a refusal (a batch took it meanwhile) is said.
   */
  async withdraw(p: Prompt): Promise<void> {
    if (!this.canWithdraw(p) || this.withdrawing.has(p.id)) return;
    this.withdrawing.add(p.id);
    this.#hooks.changed();
    const gen = this.#partyGen;
    try {
      await this.#backend.WithdrawPrompt(p.id);
      if (gen === this.#partyGen && this.isMine(p)) this.#refill = p.text;
    } catch (err) {
      if (gen === this.#partyGen) this.#hooks.notify('error', `Could not withdraw the prompt: ${errorText(err)}`);
    } finally {
      this.withdrawing.delete(p.id);
      this.#hooks.changed();
    }
  }

  /**
   * My prompts of a failed turn that reached the agent come back into the prompt box when I
   * ask (the card's button): the turn's error asks their authors to send them again, and a
   * terminal's tester could not recall one typed elsewhere. Not by themselves, as an unsent
   * batch's do: the agent may have done part of the work.
   */
  recall(batch: string): void {
    if (!this.canRecall(batch)) return;
    this.#recalled.add(batch);
    this.#giveBack(batch);
    this.#hooks.changed();
  }

  /** Puts text of mine (edits a host made to a prompt that went without them) into the prompt box. */
  giveBackText(text: string): void {
    if (!this.canDraft || text.trim() === '') return;
    this.#addRefill(text);
    this.#hooks.changed();
  }

  /** Adds text to what comes back into the prompt box (takeRefill), after what already waits there. */
  #addRefill(text: string): void {
    this.#refill = this.#refill === null ? text : `${this.#refill}\n\n${text}`;
  }

  /** Whether my prompts of a failed turn can be put back in the box: not twice, nor by a viewer. */
  canRecall(batch: string): boolean {
    return this.canDraft && !this.#recalled.has(batch);
  }

  /**
   * Whether my prompt, withdrawn by someone else (a host, or a resume without what was left
   * unanswered, which asks its author to send it again), can be put back in the box: once,
   * not by a viewer. One I withdrew myself came back by itself.
   */
  canRecallWithdrawn(p: Prompt): boolean {
    if (!this.isMine(p) || !this.canDraft || this.#recalled.has(p.id)) return false;
    if (this.rejectionOf(p.id)) return true; // not sent: a host rejected it, or a resume without it
    const w = this.withdrawalOf(p.id);
    if (!w) return false;
    // Not one withdrawn by my own hand (it came back then), unless by the resume's (a host's
    // own waiting prompt, withdrawn in its name: a tester's could not be put back).
    const byMe = w.by_member !== undefined ? w.by_member === this.session?.you.id : w.by === w.user;
    return w.resumed === true || !byMe;
  }

  /** Puts my prompt a host withdrew back into the prompt box (canRecallWithdrawn). */
  recallWithdrawn(p: Prompt): void {
    if (!this.canRecallWithdrawn(p)) return;
    this.#recalled.add(p.id);
    this.#addRefill(p.text);
    this.#hooks.changed();
  }

  /**
   * My prompts of a batch the agent never got (it could not start) come back into the prompt
   * box, to be sent again: the turn's error asks their authors to, and a tester had to type
   * them anew.
   */
  #giveBack(batch: string): void {
    const it = this.#transcript.items.find((i) => i.type === 'turn' && i.batch?.id === batch);
    if (!it || it.type !== 'turn') return;
    const mine = it.prompts.filter((p) => this.isMine(p)).map((p) => p.text);
    if (mine.length === 0) return;
    this.#addRefill(mine.join('\n\n'));
  }

  /**
   * What the prompt box holding draft should hold now that my prompt came back (once):
   * the prompt itself in an empty box, else above what was typed, so neither is lost and
   * the typing goes on where it was (a terminal tester's next keys ran on from the end of
   * the prompt given back); null when nothing came back.
   */
  takeRefill(draft: string): string | null {
    const t = this.#refill;
    this.#refill = null;
    if (t === null) return null;
    return draft.trim() === '' ? t : `${t}\n\n${draft}`;
  }

  /** Whether a prompt is still waiting for a batch. */
  isPending(id: string): boolean {
    return this.pending.some((p) => p.id === id);
  }

  /** My prompts that no batch has carried yet (those in a batch awaiting approval included). */
  get myPending(): readonly Prompt[] {
    return this.pending.filter((p) => this.isMine(p));
  }

  /**
   * A member's prompts not sent yet: waiting for a batch (a removal withdraws them), and in
   * a merged prompt held for a host's approval (a removal leaves them in it).
   */
  promptsOf(member: string): { waiting: number; held: number } {
    let waiting = 0;
    let held = 0;
    for (const p of this.pending) {
      if (p.member !== member) continue;
      if (this.#transcript.awaitingApproval(p.id)) held++;
      else waiting++;
    }
    return { waiting, held };
  }

  /** How many of my pending prompts are in a merged batch that waits for a host's approval. */
  get myAwaitingApproval(): number {
    return this.myPending.filter((p) => this.#transcript.awaitingApproval(p.id)).length;
  }

  /**
   * Whether a prompt can be written now (to send later): not after the party, nor as a
   * viewer, but while the host cannot be reached, as in the terminal.
   */
  get canDraft(): boolean {
    return this.#draftBlockedReason() === '';
  }

  /** Why a prompt cannot even be written now, or "" when it can (canDraft). */
  #draftBlockedReason(): string {
    if (!this.session) return 'Not in a party.';
    // Short: the banner above says why (its words were said three times on one screen).
    if (this.ended) {
      const phase = this.displayPhase;
      return phase === 'left' ? 'You left this party.' : phase === 'removed' ? 'You were removed from this party.' : 'This party has ended.';
    }
    if (this.session.you.role === 'viewer') return VIEWER_REASON;
    return '';
  }

  /** Why a prompt cannot be sent now, or "" when it can. */
  get sendBlockedReason(): string {
    const draft = this.#draftBlockedReason();
    if (draft) return draft;
    const c = this.connection;
    switch (c.status) {
      case 'connected':
        return '';
      case 'reconnecting':
        return c.attempt > 0 ? `Reconnecting to the host… (attempt ${c.attempt})` : 'Reconnecting to the host…';
      case 'connecting':
        return 'Connecting to the host…';
      default:
        return 'Disconnected from the host.';
    }
  }

  /**
   * The local time (ms) at which the batching window closes, or null when no
   * countdown applies: not collecting, nothing pending, or fewer than
   * min_prompts pending. It is window_ms after the last pending prompt,
   * capped at 3 × window_ms after the oldest (DESIGN.md's pipeline rules).
   */
  get collectDeadline(): number | null {
    if (this.phase !== 'collecting' || !this.session || this.pending.length === 0) return null;
    const w = this.session.party.window_ms;
    if (this.pending.length < Math.max(1, this.session.party.min_prompts)) return null;
    let oldest = Infinity;
    let newest = -Infinity;
    for (const p of this.pending) {
      const t = this.#promptLocalTime(p.id);
      oldest = Math.min(oldest, t);
      newest = Math.max(newest, t);
    }
    return Math.min(newest + w, oldest + 3 * w);
  }

  /** How many more prompts the host waits for before it cuts a batch (0 when none). */
  get promptsNeeded(): number {
    if (!this.session) return 0;
    return Math.max(0, this.session.party.min_prompts - this.pending.length);
  }

  /** A time on the host's clock (ms), as our clock reads it (the skew estimated below). */
  hostToLocal(hostMs: number): number {
    return hostMs + this.#skew;
  }

  /** The host's clock minus ours is unknown; this is our best estimate of our − theirs. */
  get #skew(): number {
    return this.#skewSamples.length ? Math.min(...this.#skewSamples) : 0;
  }

  #promptLocalTime(id: string): number {
    const host = this.#transcript.promptTime(id);
    if (host !== undefined && Number.isFinite(host)) return host + this.#skew;
    let t = this.#fallbackTimes.get(id);
    if (t === undefined) {
      t = this.#now();
      this.#fallbackTimes.set(id, t);
    }
    return t;
  }

  /**
   * Subscribes to the party events before CreateParty/JoinParty is called so
   * that nothing emitted in between is lost; until the session arrives the
   * events wait in #early.
   */
  subscribe(): number {
    this.unsubscribe();
    const gen = ++this.#partyGen;
    const early = <K extends 'party:event' | 'party:state' | 'party:ended' | 'party:invites' | 'party:editing' | 'party:sharefix'>(
      name: K,
      apply: (p: BackendEvents[K]) => void,
    ) =>
      this.#backend.on(name, (payload) => {
        if (gen !== this.#partyGen) return;
        if (this.session) apply(payload);
        else this.#early.push({ name, payload });
      });
    this.#partySubs = [
      early('party:event', (e) => this.#onEvent(e)),
      early('party:state', (s) => this.#onState(s)),
      // Leaving, Go's own party:ended ("you left the party") comes before Leave returns:
      // it is this window's leaving, not the party's end.
      early('party:ended', (e) => (this.#leaving ? this.#endParty('', true) : this.#ended(e))),
      early('party:invites', (inv) => this.setInvites(inv)),
      early('party:editing', (ed) => this.#control.setEditors(ed)),
      early('party:sharefix', (fix) => this.#onShareFix(fix)),
      this.#backend.on('party:info', (info) => {
        if (gen === this.#partyGen) this.#onInfo(info);
      }),
      this.#backend.on('party:status', (st) => {
        if (gen !== this.#partyGen) return;
        if (!this.session) this.#statusBeforeEnter = st; // newer than what the session says
        this.#onStatus(st);
      }),
    ];
    return gen;
  }

  unsubscribe(): void {
    for (const off of this.#partySubs) off();
    this.#partySubs = [];
    this.#early = [];
    this.#statusBeforeEnter = null;
    this.#held.clear();
    clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    this.#partyGen++;
  }

  enter(s: Session): void {
    this.#unsentAtEnd = new Set();
    this.session = { role: s.role, you: s.you, party: s.party, invite: s.invite, viewer_invite: s.viewer_invite ?? '', host_invite: '', ...(s.merge_mode ? { merge_mode: s.merge_mode } : {}) };
    this.joinedAt = s.state.seq;
    this.#hooks.dropNotices(); // a new party starts: the last one's toasts are not about it
    this.#myPromptIds.clear();
    this.#recalled.clear();
    this.#unanswered = null; // the last party's
    this.#arrived = null;
    this.#leaving = false;
    this.#skewSamples = [];
    this.sendError = '';
    this.inviteCopied = false;
    this.viewerInviteCopied = false;
    this.ending = false;
    this.ended = null;
    this.#control.reset();
    // The remedy for a folder that could not be shared is its owner's alone (Go gives it to
    // no joined window; nor is it shown to one).
    this.#workspace.reset(s.party.workspace, s.party.cannot_share === true, s.party.share_error ?? '', s.party.share_pending === true, s.role === 'host' ? s.share_fix ?? '' : '');
    this.#info = null;
    this.#hooks.show('party');
    this.connection = { status: 'connected', attempt: 0, error: '', retryMs: 0 };
    this.retryAt = 0;
    // A page loaded again while its joined party reconnects: the banner says so from the
    // start. A party:status that came since the session was asked for is newer than the
    // session's (a reviewer's: "connected" then, the page stayed on Reconnecting…).
    const st = this.#statusBeforeEnter ?? s.status;
    this.#statusBeforeEnter = null;
    if (st && st.status !== 'connected') this.#onStatus(st);
    this.#replaceState(s.state);
    void this.#workspace.load();
    const early = this.#early;
    this.#early = [];
    for (const e of early) {
      if (!this.session) break; // an early party:ended
      if (e.name === 'party:event') this.#onEvent(e.payload as PartyEvent);
      else if (e.name === 'party:invites') this.setInvites(e.payload as Invites);
      else if (e.name === 'party:editing') this.#control.setEditors(e.payload as Editors);
      else if (e.name === 'party:sharefix') this.#onShareFix(e.payload as string);
      else if (e.name === 'party:state') {
        // A resync older than the session's own state would go backwards.
        const st = e.payload as PartyState;
        if (st.seq >= this.#transcript.lastSeq) this.#replaceState(st);
      } else this.#ended(e.payload as PartyEnded);
    }
    this.#hooks.changed();
  }

  #replaceState(st: PartyState): void {
    const seen = this.#transcript.lastSeq;
    this.#transcript.reset();
    this.#fallbackTimes.clear();
    if (st.truncated) this.#transcript.startsLater();
    for (const e of st.events ?? []) this.#transcript.apply(e);
    this.#transcript.advanceTo(st.seq);
    this.phase = st.phase;
    // When it began: the history's last phase event, if it is this phase's (a long
    // history may not reach back to it: no time is shown then).
    const last = [...(st.events ?? [])].reverse().find((e) => e.kind === 'phase');
    const began = last?.phase === st.phase ? Date.parse(last.ts) : NaN;
    this.phaseSince = Number.isFinite(began) ? this.hostToLocal(began) : null;
    this.#runningSince = st.phase === 'running' ? this.phaseSince : null;
    this.participants = this.#inOrder(st.participants ?? []);
    // A history cut short (a long party) holds only its newest events: who was away
    // before stays (a reviewer's co-host, away since the morning, left the list at a
    // reconnect); events already applied apply again the same.
    const party = this.session?.party.id ?? '';
    if (!st.truncated || party !== this.#awayOf) this.away = [];
    this.#awayOf = party;
    this.pending = [...(st.pending ?? [])];
    this.#merging = new Set(st.phase === 'merging' ? this.pending.map((p) => p.id) : []);
    this.agentTrouble = '';
    // The state's history says what changed since the session began (roles, settings).
    for (const e of st.events ?? []) this.#applyPartyFacts(e);
    this.away = this.away.filter((m) => !this.participants.some((p) => p.id === m.id)); // a history cut short
    // A prompt with no answer may be in what came since (a reconnect's): it reached the
    // host after all (a window tester's stayed in the box, and Enter sent it twice).
    for (const e of st.events ?? []) if (e.seq > seen && e.kind === 'prompt' && e.prompt) this.#promptArrived(e.prompt);
    // A history cut to its newest events may not hold the change of this window's own
    // role: the member list has it (a reviewer's).
    const s = this.session;
    const me = s ? this.participants.find((p) => p.id === s.you.id) : undefined;
    if (s && me && me.role !== s.you.role) this.session = { ...s, you: { ...s.you, role: me.role } };
    // Then the reconnect's hello, newer than that history: its info may have come first
    // (the browser build's events can arrive out of order; a reviewer's).
    if (this.#info) this.#applyInfo(this.#info);
    this.#drainHeld();
  }

  /**
   * Applies what an event says about the party beyond the transcript: a member's role,
   * the approval mode, permission mode and merger. Safe to apply twice. live: a live event,
   * not one of a state's history (which may be of a run before a resume).
   */
  #applyPartyFacts(e: PartyEvent, live = false): void {
    const s = this.session;
    if (!s) return;
    this.away = awayAfter(this.away, e, s.you.id);
    if (e.kind === 'participants' && e.changed) {
      const m = e.changed;
      this.participants = this.#inOrder(this.participants.map((p) => (p.id === m.id ? { ...p, role: m.role } : p)));
      if (m.id === s.you.id && m.role !== s.you.role) this.session = { ...s, you: { ...s.you, role: m.role } };
    } else if (e.kind === 'settings' && typeof e.approval === 'boolean') {
      const workspace = (e.workspace ?? s.party.workspace) as PartyInfo['workspace'];
      const always = Array.isArray(e.always) ? e.always.filter((t): t is string => typeof t === 'string') : s.party.always;
      const merger = e.merger === 'gemini' || e.merger === 'local' ? e.merger : s.party.merger;
      // The folder could not be shared in this run: said as a later joiner's hello says it.
      // Only from a live event: one in the history may be of a run before a resume that
      // shares (the hello, or CurrentParty, says it of this run).
      const failed = live && typeof e.share_error === 'string' && e.share_error !== '' ? { cannot_share: true, share_error: e.share_error, share_pending: false } : {};
      this.session = { ...s, party: { ...s.party, approval: e.approval, permission_mode: (e.permission_mode ?? s.party.permission_mode) as PartyInfo['permission_mode'], workspace, always, merger, ...failed } };
      if (e.workspace) this.#workspace.onLevel(e.workspace);
      if (failed.share_error) {
        this.#workspace.cannotShare = true;
        this.#workspace.shareError = failed.share_error;
        this.#workspace.snapshotDone();
      }
    } else if (e.kind === 'changes' && Array.isArray(e.files)) {
      this.#workspace.onChanges(e.files, e.hidden, e.more);
    } else if (e.kind === 'turn' && e.turn) {
      this.agentTrouble = e.turn.unsent || e.turn.agent_down ? e.turn.error || 'Claude Code could not start' : '';
    } else if (e.kind === 'batch') {
      this.agentTrouble = ''; // the next try; its turn says how it went
      // Merged with Gemini by the party this window runs: its key works (Go dropped its
      // "not yet checked" note; Home and Settings follow without asking again).
      if (live && this.isOwner && typeof e.batch === 'object' && e.batch.merger === 'gemini') this.#hooks.keyWorked();
    } else if (live && e.kind === 'error' && typeof e.text === 'string' && e.text.startsWith(KEY_REFUSED)) {
      // This machine's key only when this window runs the party; a joiner's is another's.
      if (this.isOwner) this.#hooks.keyRefused(e.text, e.text.startsWith(KEY_DENIED));
    } else if (e.kind === 'error' && typeof e.text === 'string' && (e.text.startsWith(AGENT_NOT_STARTED) || e.text.endsWith(AGENT_EXITED_IDLE))) {
      // Claude Code could not start with the party, or exited between turns: not "Idle"
      // until a prompt failed too (a window tester's party looked ready, its invites out,
      // with no agent). The next batch starts it again.
      this.agentTrouble = e.text;
    } else if (e.kind === 'system' && e.text === 'claude started') {
      this.agentTrouble = '';
    } else if (live && e.kind === 'system' && (e.text === WORKSPACE_READY || e.text === WORKSPACE_READY_OFF)) {
      // The folder said pending is shared now (a replayed one may be of a run before a resume).
      this.session = { ...s, party: { ...s.party, share_pending: false } };
      this.#workspace.snapshotDone();
    }
    if (e.kind === 'error' && typeof e.text === 'string' && e.text.startsWith(JOURNAL_FAILED)) this.journalBehind = true;
    else if (e.kind === 'error' && typeof e.text === 'string' && e.text.startsWith(JOURNAL_GAVE_UP)) this.journalBehind = this.journalGaveUp = true;
    else if (e.kind === 'system' && e.text === JOURNAL_RECOVERED) this.journalBehind = false;
  }

  /** Go's party:sharefix: what this window's owner can do about a folder that could not be shared. */
  #onShareFix(fix: string): void {
    if (!this.session || this.session.role !== 'host' || typeof fix !== 'string') return;
    this.#workspace.shareFix = fix;
    this.#hooks.changed();
  }

  setInvites(inv: Invites): void {
    if (!this.session) return;
    this.session = { ...this.session, invite: inv.invite, viewer_invite: inv.viewer_invite, host_invite: inv.host_invite ?? '' };
    this.#hooks.changed();
  }

  /**
   * The party as a reconnect's hello describes it, after its resync: a resumed host may
   * merge otherwise or batch in another window (a tester's window kept "Merger: Gemini").
   */
  #onInfo(info: PartyInfo): void {
    if (!this.session || this.ended) return;
    this.#info = info;
    this.#applyInfo(info);
    this.#hooks.changed();
  }

  #applyInfo(info: PartyInfo): void {
    const s = this.session;
    if (!s) return;
    // cannot_share is left out when false: a merge alone would keep the last run's true.
    this.session = { ...s, party: { ...s.party, ...info, cannot_share: info.cannot_share === true, share_error: info.share_error ?? '', share_pending: info.share_pending === true } };
    // A resumed host may share where the last run could not, or the other way round.
    this.#workspace.cannotShare = info.cannot_share === true;
    this.#workspace.shareError = info.share_error ?? '';
    if (info.share_pending === true && info.cannot_share !== true) this.#workspace.pending = true;
    else this.#workspace.snapshotDone();
    if (info.workspace) this.#workspace.onLevel(info.workspace);
  }

  #onState(st: PartyState): void {
    if (!this.session) return;
    this.#replaceState(st);
    // The list as it is now: the history's last changes event may be older than what
    // changed while this window was away (a tester's resumed host, files written by hand).
    void this.#workspace.load();
    this.#hooks.changed();
  }

  /**
   * A live event (party:event). Seqs rise by one per event (PROTOCOL.md §5), but events
   * can arrive out of order (Wails' dev server, used by the browser build, sends each one
   * from a goroutine of its own): one that comes ahead of a missing seq is held until the
   * gap fills, or for at most REORDER_WAIT_MS, so that events are applied in seq order.
   */
  #onEvent(e: PartyEvent): void {
    if (!this.session) return;
    if (Number.isFinite(e.seq) && e.seq > this.#transcript.lastSeq + 1) {
      this.#held.set(e.seq, e);
      this.#heldTimer ??= setTimeout(() => this.#flushHeld(), REORDER_WAIT_MS);
      return;
    }
    this.#applyEvent(e);
    this.#drainHeld();
  }

  /** Applies the held events that now follow on, and drops those already covered. */
  #drainHeld(): void {
    for (let e = this.#held.get(this.#transcript.lastSeq + 1); e; e = this.#held.get(this.#transcript.lastSeq + 1)) {
      this.#held.delete(e.seq);
      this.#applyEvent(e);
    }
    for (const seq of this.#held.keys()) if (seq <= this.#transcript.lastSeq) this.#held.delete(seq);
    if (this.#held.size === 0) {
      clearTimeout(this.#heldTimer);
      this.#heldTimer = undefined;
    }
  }

  /** Stops waiting for a missing seq: applies every held event, in seq order. */
  #flushHeld(): void {
    this.#heldTimer = undefined;
    const held = [...this.#held.values()].sort((a, b) => a.seq - b.seq);
    this.#held.clear();
    for (const e of held) this.#applyEvent(e);
  }

  /** Applies one live event in order. Events inside a State never come here: their ts says nothing about our clock. */
  #applyEvent(e: PartyEvent): void {
    if (!this.session) return;
    if (!this.#transcript.apply(e)) return; // a duplicate
    this.#sampleSkew(e.ts);
    const sharedBefore = this.session.party.workspace;
    this.#applyPartyFacts(e, true);
    if (e.kind === 'settings' && e.workspace === 'tree' && sharedBefore !== 'tree' && this.isOwner && !this.#workspace.ownChange('tree')) {
      // A co-host exposed the whole folder, .env files included: the machine is the owner's,
      // so the owner hears of it in more than a grey line (a tester).
      this.#hooks.notify('error', 'A co-host now shares the whole working folder with everyone in the party, .env files and other secrets included. The Changes panel can take it back.');
    }
    this.#attention(e);
    switch (e.kind) {
      case 'turn':
        if (e.turn?.unsent) this.#giveBack(e.turn.batch);
        break;
      case 'phase':
        if (e.phase && e.phase !== this.phase) {
          // A tool decision is part of the turn: "Agent working" goes on counting from the
          // turn's start after one (a reviewer saw it start again at 0 s).
          const back = e.phase === 'running' && this.phase === 'awaiting_permission' && this.#runningSince !== null;
          this.phaseSince = back ? this.#runningSince : Date.now();
          if (e.phase === 'running') this.#runningSince = this.phaseSince;
          else if (e.phase !== 'awaiting_permission') this.#runningSince = null;
        }
        if (e.phase) this.phase = e.phase;
        // The host cuts a batch of every waiting prompt as it moves to merging: those are
        // no longer the author's to withdraw, until the batch (or approval) names them.
        if (e.phase === 'merging') this.#merging = new Set(this.pending.map((p) => p.id));
        else if (e.phase !== 'awaiting_approval') this.#merging.clear();
        break;
      case 'prompt':
        if (e.prompt && !this.pending.some((p) => p.id === e.prompt!.id)) {
          this.pending = [...this.pending, e.prompt];
        }
        if (e.prompt) this.#promptArrived(e.prompt);
        break;
      case 'rejected':
        if (e.rejected) {
          const dropped = new Set(e.rejected.prompts ?? []);
          this.pending = this.pending.filter((p) => !dropped.has(p.id));
        }
        break;
      case 'withdrawn':
        if (e.withdrawn) {
          const id = e.withdrawn.prompt;
          this.pending = this.pending.filter((p) => p.id !== id);
          this.#fallbackTimes.delete(id);
        }
        break;
      case 'batch':
        this.#merging.clear();
        if (e.batch && typeof e.batch === 'object') {
          const carried = new Set(e.batch.prompts);
          this.pending = this.pending.filter((p) => !carried.has(p.id));
          for (const id of carried) this.#fallbackTimes.delete(id);
        }
        break;
      case 'participants':
        if (e.joined && !this.participants.some((m) => m.id === e.joined!.id)) {
          this.participants = this.#inOrder([...this.participants, e.joined]);
        }
        // Those who leave because the party ended were there at its end, and stay listed
        // as such (a window tester's host read "People at the end 1", its participant 2).
        if (e.left && e.why !== 'party_ended') this.participants = this.participants.filter((m) => m.id !== e.left!.id);
        break;
    }
    this.#hooks.changed();
  }

  /** Asks for attention with a desktop notification when the window is not looked at. */
  #attention(e: PartyEvent): void {
    const s = this.session;
    if (!s) return;
    // A turn's end is said as its footer says it (the transcript has the event already).
    const batch = e.kind === 'turn' ? e.turn?.batch : undefined;
    const turn = batch === undefined ? undefined : this.#transcript.turnItem(batch);
    this.#notifyDesktop(attentionFor(e, s.you.role, s.you, turn));
  }

  /** Shows a desktop notification unless the window is looked at or Settings turned them off. */
  #notifyDesktop(a: Attention | null): void {
    if (!a || this.#hooks.notificationsOff() || this.#attentive()) return;
    this.#backend.Notify(a.title, a.body).catch(() => {
      // Best effort: no notification is no reason to bother anyone.
    });
  }

  #sampleSkew(ts: string): void {
    const host = parseTS(ts);
    if (!Number.isFinite(host)) return;
    this.#skewSamples.push(this.#now() - host);
    if (this.#skewSamples.length > SKEW_SAMPLES) this.#skewSamples.shift();
  }

  #onStatus(st: PartyStatus): void {
    const was = this.connection.status;
    this.connection = { status: st.status, attempt: st.attempt ?? 0, error: st.error ?? '', retryMs: st.retry_ms ?? 0 };
    if (st.history && st.history.of > 0 && st.status !== 'connected') this.connection.history = { have: st.history.have, of: st.history.of };
    // Go says how long it waits from now, as it starts waiting: the banner counts down to it.
    this.retryAt = st.status === 'reconnecting' && (st.retry_ms ?? 0) > 0 ? this.#now() + (st.retry_ms ?? 0) : 0;
    if (st.status === 'connected' && was !== 'connected') {
      this.#hooks.connectedAgain();
      this.#control.connectedAgain();
    }
    this.#hooks.changed();
  }

  /**
   * The prompt box's text changed. An error about sending what it held before goes: it was
   * about that text (it stayed under the box after the text was cleared). One that still
   * holds for the new text, a prompt too long, is said again of it.
   */
  draftChanged(text: string): void {
    if (!this.sendError || this.sending) return;
    const next = this.#sendErrorTooLong ? tooLongText(text) : '';
    if (next === this.sendError) return;
    this.sendError = next;
    this.#sendErrorTooLong = next !== '';
    this.#hooks.changed();
  }

  /** Sends a prompt. Resolves true when the host accepted it (the box may then be cleared). */
  async sendPrompt(text: string): Promise<boolean> {
    if (this.sending) return false;
    const reason = this.sendBlockedReason;
    if (reason) {
      this.sendError = reason;
      this.#sendErrorTooLong = false;
      this.#hooks.changed();
      return false;
    }
    if (text.trim() === '') return false;
    const tooLong = tooLongText(text);
    if (tooLong) {
      this.sendError = tooLong;
      this.#sendErrorTooLong = true;
      this.#hooks.changed();
      return false;
    }
    this.sending = true;
    this.sendingSince = Date.now();
    this.sendError = '';
    this.#sendErrorTooLong = false;
    this.#hooks.changed();
    const gen = this.#partyGen;
    try {
      const ack = await this.#backend.SendPrompt(text);
      if (gen === this.#partyGen) {
        this.#myPromptIds.add(ack.id);
        this.promptsSent++;
        // Sent again, and answered: a late event of the one before must not clear the
        // box of what is typed next (a reviewer's).
        this.#unanswered = null;
      }
      return true;
    } catch (err) {
      if (gen === this.#partyGen) {
        this.sendError = errorText(err);
        this.#unanswered = text;
      }
      return false;
    } finally {
      this.sending = false;
      this.sendingSince = 0;
      this.#hooks.changed();
    }
  }

  /**
   * A prompt of mine arrived: if it is the one whose send had no answer, it reached the
   * host after all. Its error goes, and the box lets its text go (a tester's stayed in
   * the box under "send it again", and one Enter sent it twice).
   */
  #promptArrived(p: Prompt): void {
    const sent = this.#unanswered;
    if (sent === null || !this.isMine(p) || p.text.trim() !== sent.trim()) return;
    this.#unanswered = null;
    this.#arrived = sent;
    this.sendError = '';
    this.#sendErrorTooLong = false;
  }

  /** The prompt box's new text once a prompt it kept had reached the host after all, once; null when none did. */
  takeArrived(draft: string): string | null {
    const t = this.#arrived;
    this.#arrived = null;
    if (t === null || draft !== t) return null; // changed since: the person's now
    return '';
  }

  /** Puts the invite on the clipboard. */
  async copyInvite(): Promise<void> {
    try {
      await this.#backend.CopyInvite();
      this.inviteCopied = true;
      clearTimeout(this.#copiedTimer);
      this.#copiedTimer = setTimeout(() => {
        this.inviteCopied = false;
        this.#hooks.changed();
      }, 2000);
    } catch (err) {
      this.#hooks.notify('error', `Could not copy the invite: ${errorText(err)}`);
    }
    this.#hooks.changed();
  }

  /** Puts the viewer invite on the clipboard. */
  copyViewerInvite(): Promise<void> {
    return this.#copyLink('viewer invite', () => this.#backend.CopyViewerInvite(), (v) => (this.viewerInviteCopied = v));
  }

  /** Puts the host invite on the clipboard. */
  copyHostInvite(): Promise<void> {
    return this.#copyLink('host invite', () => this.#backend.CopyHostInvite(), (v) => (this.hostInviteCopied = v));
  }

  /** Copies a link through call; its "Copied" flag shows for 2 s. */
  async #copyLink(what: string, call: () => Promise<void>, copied: (v: boolean) => void): Promise<void> {
    try {
      await call();
      copied(true);
      setTimeout(() => {
        copied(false);
        this.#hooks.changed();
      }, 2000);
    } catch (err) {
      this.#hooks.notify('error', `Could not copy the ${what}: ${errorText(err)}`);
    }
    this.#hooks.changed();
  }

  /** Tries to reach the host at once while reconnecting (the banner's Retry now). */
  async retryNow(): Promise<void> {
    if (!this.session || this.connection.status !== 'reconnecting') return;
    try {
      await this.#backend.RetryNow();
      // The attempt starts now: the banner stops counting down to the one Go had planned.
      if (this.connection.status === 'reconnecting' && this.retryAt > this.#now()) {
        this.retryAt = this.#now();
        this.#hooks.changed();
      }
    } catch (err) {
      this.#hooks.notify('error', `Could not retry: ${errorText(err)}`);
    }
  }

  /** Leaves the party (a participant); its transcript stays until backHome(), even if the host cannot be told. */
  async leave(): Promise<void> {
    if (!this.session || this.ending || this.ended) return;
    this.ending = true;
    this.#leaving = true;
    this.#hooks.changed();
    try {
      await this.#backend.Leave();
      this.#endParty('', true);
    } catch (err) {
      this.#endParty(`(the host could not be told: ${errorText(err)})`, true);
    }
  }

  /** Ends the party (the host). On failure the party stays and the reason is shown. */
  async endParty(): Promise<boolean> {
    if (!this.session || this.ending) return false;
    this.ending = true;
    this.#hooks.changed();
    try {
      await this.#backend.EndParty();
      this.#endParty('you ended the party');
      return true;
    } catch (err) {
      this.ending = false;
      this.#hooks.notify('error', `Could not end the party: ${errorText(err)}`);
      return false;
    }
  }

  /**
   * Go's party:ended. Removed by a host, the host's words for it are looked for among the
   * events that came before (held ones too: they arrived, only out of order).
   */
  #ended(e: PartyEnded): void {
    if (!e.kicked) {
      this.#endParty(endedReason(e));
      return;
    }
    if (this.#held.size > 0) this.#flushHeld();
    const you = this.session?.you.name ?? '';
    this.#endParty(endedReason(e), false, removalOf(this.#transcript.items, you) ?? { by: '', reason: '' });
  }

  /**
   * The party is over: the transcript, people and changes stay on screen with the reason
   * until backHome(). Safe to reach twice (EndParty and party:ended): the first reason stays.
   */
  #endParty(reason: string, left = false, removed?: Removal): void {
    this.unsubscribe();
    if (!this.session) return;
    if (!this.ended) {
      this.ended = left ? { reason, left } : removed ? { reason, removed } : { reason };
      if (!left) this.#notifyDesktop(attentionForEnd(reason, removed && this.endedText)); // nothing to tell someone who left
    } else if (left && this.ended.left && reason && !this.ended.reason) {
      this.ended = { reason, left }; // Leave's own outcome, after Go's party:ended
    }
    if (left || removed) {
      // People stay on screen, but not this window's person, who is no longer in it (a
      // tester's People still listed them after Leave).
      const me = this.session.you.id;
      this.participants = this.participants.filter((m) => m.id !== me);
    }
    // What never reached the agent stays on screen as such, not as waiting: no prompt is
    // "pending" and no card "Waiting for a host's approval…" once the party is over (a
    // tester's spinner turned on after the end).
    // Leaving a party someone else hosts does not end it: what waited stays in the party and
    // goes on without this window (as the Leave dialog says), its outcome unseen here; it
    // reads as "not sent" only when the party itself ended (a tester's read "not sent: the
    // party ended" for a prompt that was answered after she left).
    const goesOn = left && this.session.role !== 'host';
    if (this.pending.length > 0) {
      // Removed, the prompts of the merged prompt that waits for approval stay in the party
      // (its card says so): not "not sent" beside it (a removed window's said both).
      const stay = removed ? this.pending.filter((p) => this.#transcript.awaitingApproval(p.id)).map((p) => p.id) : [];
      this.#unsentAtEnd = new Set(this.pending.map((p) => p.id).filter((id) => !stay.includes(id)));
      this.#leftWaiting = goesOn;
      this.pending = [];
    }
    // Removed, a merged prompt that waits for approval stays in the party, the removed
    // person's prompts in it too, for a host to send or reject (internal/party Kick): it
    // read "the party ended before a host decided" while the party went on.
    this.#transcript.endWaiting(removed ? 'removed' : goesOn ? 'left' : 'unsent');
    this.phase = 'idle';
    this.sending = false;
    this.ending = false;
    this.#control.reset();
    this.connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
    this.#hooks.changed();
  }

  /** Prompts the party ended with before they reached the agent. */
  #unsentAtEnd: ReadonlySet<string> = new Set();

  /** Whether the prompts of #unsentAtEnd were left waiting in a party that goes on (Leave). */
  #leftWaiting = false;

  /** Whether a prompt never reached the agent because the party ended first. */
  unsentAtEnd(id: string): boolean {
    return !this.#leftWaiting && this.#unsentAtEnd.has(id);
  }

  /**
   * Whether a prompt still waited when this window left a party that goes on: it stays in
   * the party and may reach the agent without this window, which no longer sees it.
   */
  waitingWhenLeft(id: string): boolean {
    return this.#leftWaiting && this.#unsentAtEnd.has(id);
  }

  /** Saves the transcript as Markdown where the person chooses (a native dialog, in Go). */
  async saveTranscript(): Promise<void> {
    if (!this.session || this.savingTranscript) return;
    this.savingTranscript = true;
    this.#hooks.changed();
    try {
      const path = await this.#backend.SaveTranscript();
      if (path) this.#hooks.notify('info', `Saved the transcript to ${path}`);
    } catch (err) {
      this.#hooks.notify('error', `Could not save the transcript: ${errorText(err)}`);
    } finally {
      this.savingTranscript = false;
      this.#hooks.changed();
    }
  }

  /** Leaves the ended party's view for home; Go forgets its transcript. */
  backHome(): void {
    if (!this.ended) return;
    this.#backend.DismissParty().catch(() => {
      // Best effort: the next party replaces it anyway.
    });
    this.#finishParty();
  }

  /** Back to home: everything of the party goes. */
  #finishParty(): void {
    this.unsubscribe();
    this.session = null;
    this.joinedAt = Infinity;
    this.ended = null;
    this.#unsentAtEnd = new Set(); // prompt ids are the party's own: the next one has a p7 too
    this.#leftWaiting = false;
    this.#hooks.dropNotices();
    this.#workspace.reset('off');
    this.#workspace.open = false;
    this.#hooks.show('home');
    this.#transcript.reset();
    this.shownMore.clear(); // item keys are seqs: the next party's name other items
    this.#myPromptIds.clear();
    this.#recalled.clear();
    this.#fallbackTimes.clear();
    this.#info = null;
    this.pending = [];
    this.participants = [];
    this.#firstSeen.clear();
    this.away = [];
    this.phase = 'idle';
    this.phaseSince = null;
    this.agentTrouble = '';
    this.sending = false;
    this.sendError = '';
    this.ending = false;
    this.#control.reset();
    this.connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
    this.#hooks.changed();
  }
}

/**
 * The people list's order, the host's own (internal/party memberList): hosts (the party's and
 * co-hosts) first, then everyone by when they first joined — here, when this window first saw
 * them in the party (firstSeen, a rank by member id), which a state's list seeds in its order.
 * A reconnect moves no one: a member who comes back was appended to the list, and a window
 * tester's bea went below cy after her connection flapped.
 */
export function peopleOrder(list: readonly Member[], firstSeen: ReadonlyMap<string, number>): Member[] {
  const hostFirst = (m: Member) => (m.role === 'host' ? 0 : 1);
  const rank = (m: Member) => firstSeen.get(m.id) ?? Number.MAX_SAFE_INTEGER;
  return [...list].sort((a, b) => hostFirst(a) - hostFirst(b) || rank(a) - rank(b));
}
