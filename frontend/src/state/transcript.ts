// The transcript model: the party's event log folded into what the window
// shows. It is pure data (no Go calls, no DOM) and owned by AppState, which is
// the only writer. Items are replaced, never mutated, when they change, so
// components can compare them by identity and re-render only those. The list
// itself is one array that grows in place (a 10,000-event party must not copy
// it per event); `version` rises whenever it changed.

import type { Approval, Batch, FileChange, Member, PartyEvent, Permission, Prompt, Rejected, Turn, Withdrawn } from './types';
import { CANCELLED_MARK, CANCELLED_RESULT } from './host-control';

/** Consecutive assistant text of one turn: the reply as written so far. */
export interface ReplySegment {
  kind: 'reply';
  text: string;
  /** Output of an attempt the host retried (a retry event): void, shown struck through. */
  void?: boolean;
}

/** One line (or chunk) of tool or stderr output. */
export interface ActivityLine {
  /** Its stream; a tool group's lines are 'tool' or, for a tool's own output, 'tool_output'. */
  stream: string;
  text: string;
}

/**
 * Consecutive output of one stream other than the reply: tool lines (the agent's tool
 * calls and their results) or the agent's stderr, shown as one collapsible group labelled
 * by its stream.
 */
export interface ActivitySegment {
  kind: 'activity';
  /** 'tool', 'stderr', or a stream a later protocol adds. */
  stream: string;
  lines: readonly ActivityLine[];
  /** As ReplySegment.void. */
  void?: boolean;
}

/**
 * A notice that belongs to a turn, shown inside it where it happened: an error while the
 * turn ran ("claude stopped unexpectedly: …") and the retry's "restarting claude …".
 * Never void: it is what happened.
 */
export interface NoticeSegment {
  kind: 'notice';
  level: 'system' | 'error';
  text: string;
  seq: number;
  void?: undefined;
}

/**
 * A party's notice that came while the turn ran, at its place among the turn's output: a
 * system notice or someone joining, leaving or changing role. Not the agent's doing nor
 * about the turn, and shown as the party's notices are between items, after the turn's
 * card (transcript-view.ts); kept in the turn so that it reads before what came after the
 * turn (a window tester's "hostie made bob a co-host", made while a Bash request waited,
 * showed under the next prompt). Never void: it is what happened.
 */
export interface EventSegment {
  kind: 'event';
  item: NoticeItem | MembersItem;
  void?: undefined;
}

/** The first line of a transcript whose history was cut (TranscriptModel.startsLater). */
export const HISTORY_CUT_TEXT =
  'Earlier events of this party are not shown: the window shows its newest ones. Save as Markdown, once the party ends, writes all of it.';

/** The notice in a turn whose start a cut history left out (TranscriptModel.startsLater). */
export const TURN_CUT_TEXT = '… the start of this turn\'s output is not shown';

/** The stream of a tool's own output (PROTOCOL.md §5, tool_output). */
export const STREAM_TOOL_OUTPUT = 'tool_output';

/**
 * One tool step of a tool group: the call ("Bash: ls -la") and what came back: the lines
 * opening the step shows. Each result is the tool's own output when the host sent it (a
 * tool_output after the result line), else its summary line ("file-a (+2 lines)").
 */
export interface ToolStep {
  call: string;
  output: readonly string[];
  /** Whether output holds a tool's own output (tool_output), not summary lines only. */
  full: boolean;
  /** Set when a result of the step came back as an error ("-> (error) …"). */
  failed?: true;
  /** Set when the step's request was denied: its result is the denial ("-> (denied) …", PROTOCOL.md §5). */
  denied?: true;
  /** Set when the step's request was cancelled, not denied: the turn stopped before anyone decided ("-> (cancelled) …", or an older host's CANCELLED_RESULT). */
  cancelled?: true;
}

/**
 * Splits tool lines into steps: a line that starts with "->" (after a subagent's
 * indentation) is a result, of the oldest step of the same indentation still without one
 * (parallel calls come as call, call, result, result: a reviewer's had both results, and
 * the first one's failure, under the second call), else of the last step; a tool_output
 * line is the tool's own output of the result line just before it and stands in for that
 * summary line (keeping its "(error)" or "(denied)" mark); any other line starts a step. A result or tool
 * output with no step before it is a step of its own with no call.
 */
export function toolSteps(lines: readonly ActivityLine[]): ToolStep[] {
  const steps: ToolStep[] = [];
  const outs: string[][] = [];
  const indents: number[] = [];
  /** Steps with no result yet, oldest first. */
  let waiting: number[] = [];
  // The previous line: a call, a result (its step, and its summary's index in the step's output) or tool output (its step).
  let prev: { kind: 'call' } | { kind: 'result'; step: number; at: number } | { kind: 'output'; step: number } = { kind: 'call' };
  const add = (call: string, first: string[], full: boolean, indent: number): number => {
    outs.push(first);
    steps.push({ call, output: first, full });
    indents.push(indent);
    return steps.length - 1;
  };
  for (const l of lines) {
    if (l.stream === STREAM_TOOL_OUTPUT) {
      if (prev.kind === 'result') {
        const out = outs[prev.step]!;
        const summary = out[prev.at]!;
        const mark = /^\((error|denied|cancelled)\) /.exec(summary)?.[0] ?? '';
        out[prev.at] = mark !== '' && !l.text.startsWith(mark) ? `${mark}${l.text}` : l.text;
        steps[prev.step]!.full = true;
        prev = { kind: 'output', step: prev.step };
      } else if (prev.kind === 'output') {
        outs[prev.step]!.push(l.text);
      } else {
        prev = { kind: 'output', step: add('', [l.text], true, 0) };
      }
      continue;
    }
    const t = l.text.trimStart();
    const indent = l.text.length - t.length;
    if (t.startsWith('->')) {
      const text = t.replace(/^->\s?/, '');
      let step = waiting.find((i) => indents[i] === indent) ?? steps.length - 1;
      if (step < 0) step = add('', [], false, indent);
      waiting = waiting.filter((i) => i !== step);
      outs[step]!.push(text);
      // As Go's transcript.IsFailedResult: "(error) …", or "(error; its text is not shown…)";
      // and IsCancelledResult: "(cancelled) …" (since 2026-12-07: it came as "(error) The
      // user doesn't want to proceed…", a step that failed beside a cancelled request, a
      // user tester's), or what an older host's agent was told of it.
      if (/^\(error[);]/.test(text)) steps[step]!.failed = true;
      else if (text.startsWith(CANCELLED_MARK) || text.startsWith(CANCELLED_RESULT)) steps[step]!.cancelled = true; // nobody refused it
      else if (text.startsWith('(denied) ')) steps[step]!.denied = true;
      prev = { kind: 'result', step, at: outs[step]!.length - 1 };
    } else {
      waiting.push(add(l.text, [], false, indent));
      prev = { kind: 'call' };
    }
  }
  return steps;
}

/**
 * How many tool steps of a turn's segments came back as errors, how many as denials and how
 * many cancelled (void segments, of a retried turn, left out). A host from before "(denied)"
 * marked a denied step "(error)": then denied and cancelled are 0 while the turn's end
 * counts denials.
 */
export function toolStepOutcomes(segments: readonly Segment[]): { failed: number; denied: number; cancelled: number } {
  let failed = 0;
  let denied = 0;
  let cancelled = 0;
  for (const sg of segments) {
    if (sg.kind !== 'activity' || sg.stream !== 'tool' || sg.void) continue;
    for (const st of toolSteps(sg.lines)) {
      if (st.failed) failed++;
      else if (st.denied) denied++;
      else if (st.cancelled) cancelled++;
    }
  }
  return { failed, denied, cancelled };
}

/** Whether a tool line is what came back from a call: a result ("-> …") or the tool's own output. */
function isResultLine(l: ActivityLine): boolean {
  return l.stream === STREAM_TOOL_OUTPUT || l.text.trimStart().startsWith('->');
}

/** A tool request of the turn, pending or decided (one segment per request id). */
export interface PermissionSegment {
  kind: 'permission';
  permission: Permission;
  void?: boolean;
  /**
   * Allowed with nobody asked: the owner's "always" for the tool (its first event is the
   * decision, PROTOCOL.md §7). A line, not a card: a card per shell command in a long turn
   * would bury the work.
   */
  unasked?: boolean;
  /** The seq of the request's last event (its decision, once decided): said "by you" by name only when it came live. */
  seq?: number;
}

/** A piece of a turn's output, in order. */
export type Segment = ReplySegment | ActivitySegment | PermissionSegment | NoticeSegment | EventSegment;

/**
 * Index of the last segment that is output of the turn (not a party's event that came while
 * it ran); -1 if none. Output that goes on goes on there: a join in the middle of a reply
 * does not cut its Markdown (a code block) in two; the event reads after it.
 */
export function lastOutputSegment(segments: readonly Segment[]): number {
  let i = segments.length - 1;
  while (i >= 0 && segments[i]!.kind === 'event') i--;
  return i;
}

interface ItemBase {
  /** Stable key for rendering: the seq of the event that created the item. */
  key: string;
  seq: number;
  /** The host's timestamp of that event, in ms since the epoch (NaN if unparsable). */
  ts: number;
}

/** A prompt someone sent. */
export interface PromptItem extends ItemBase {
  type: 'prompt';
  prompt: Prompt;
}

/** A notice for people (system) or something that went wrong (error). */
export interface NoticeItem extends ItemBase {
  type: 'system' | 'error';
  text: string;
  /** Whose act a host's notice says, and on whom, by member id (PartyEvent.by_member, about_member). */
  acts?: Acts;
}

/** The members a notice of an act names (a system event's by, by_member, about, about_member). */
export interface Acts {
  by?: string;
  by_member?: string;
  about?: string;
  about_member?: string;
}

/** Someone joined or left, or a member's role changed. */
export interface MembersItem extends ItemBase {
  type: 'participants';
  joined?: Member;
  left?: Member;
  /** A member with its new role: shown only when no system event of the host says it (see apply). */
  changed?: Member;
  count?: number;
  /** Why, in words, when the host says (a resumed host: "bob was disconnected when the host stopped"). */
  text?: string;
  /** Why, as the host's code says it (PartyEvent.why). */
  why?: string;
  /** joined: the member left earlier in this transcript (back after a drop, a /quit or the host's stop). */
  back?: boolean;
  /**
   * A flapping connection, folded (#foldFlap): the member (joined, as they last came back)
   * lost the connection and came back this many times (2 or more), with nothing but such
   * lines between. Set on the item of the first of them, which keeps its key and place.
   */
  flaps?: number;
}

/** Whether a line says that a member lost the connection (not that they left). */
function lostLine(it: NoticeItem | MembersItem, id: string): boolean {
  return it.type === 'participants' && it.left?.id === id && it.why === WHY_LOST && it.flaps === undefined;
}

/** The host's why of a member whose connection broke off (wire.WhyLost). */
export const WHY_LOST = 'connection_lost';

/**
 * Whether a line is part of a flapping connection's lines, anyone's: a lost connection, a
 * member back after one, or such lines folded. Only these may stand between the lines that
 * fold into one (#foldFlap).
 */
function flapLine(it: NoticeItem | MembersItem): boolean {
  if (it.type !== 'participants') return false;
  if (it.flaps !== undefined) return true;
  if (it.left) return it.why === WHY_LOST;
  return it.joined !== undefined && it.back === true;
}

/**
 * A batch and what the agent did with it. batch is null for output that
 * arrived outside any batch (start-up messages, say); end is null while the
 * turn runs.
 */
/**
 * A prompt's text as the party sends it to the agent (PROTOCOL.md §4): one that starts
 * with "/" goes with one space in front, so that the agent takes it as words, not as its
 * command (Go's wire.AsText).
 */
export function asText(text: string): string {
  return text.startsWith('/') ? ` ${text}` : text;
}

export interface TurnItem extends ItemBase {
  type: 'turn';
  batch: Batch | null;
  /** The batch's prompts, resolved from their ids (unknown ids become placeholders). */
  prompts: readonly Prompt[];
  segments: readonly Segment[];
  end: Turn | null;
  /** The seq of the turn event that ended it (a stop said "by you" by name only when it came live). */
  endSeq?: number;
  /** This card is its batch run again after a resume: an earlier card shows the first run. */
  again?: boolean;
  /** A host edited the merged prompt that waited for approval: the agent got the host's text. */
  edited?: boolean;
  /**
   * Who ran it, for a host's agent command (merger "command"): the host's notice just
   * before its batch names the member (a tester's card said "from a host" under "Hana ran
   * the agent command /compact").
   */
  commandBy?: Acts;
  /**
   * The files this turn touched: those whose entry in a changes event that followed the
   * turn's batch (while it ran, or the one after it ended) was new or different.
   */
  files: readonly string[];
  /**
   * The name each renamed file of files had, as the Changes panel says it ("new_name.txt
   * from old_name.txt"; a window tester's card showed only the new name).
   */
  renamedFrom?: Readonly<Record<string, string>>;
}

/**
 * A merged batch that waited for a host's approval (PROTOCOL.md §7): waiting, then sent
 * (as merged or edited: its turn follows as a turn item) or rejected.
 */
export interface ApprovalItem extends ItemBase {
  type: 'approval';
  approval: Approval;
  prompts: readonly Prompt[];
  /**
   * 'replaced': a newer merged prompt came while this one waited, which happens only when
   * the host stopped before anyone decided and, resumed, merged its prompts again (only one
   * batch waits at a time). Its buttons would name a batch the host no longer holds.
   * 'unsent': the party ended while it waited. 'left': this window left the party (which
   * goes on) while it waited: what became of it is not seen here. 'removed': a host removed
   * this window's person while it waited; the party keeps a merged prompt that waits, theirs
   * in it too, for a host to send or reject (internal/party Kick), unseen here.
   */
  status: 'waiting' | 'sent' | 'rejected' | 'replaced' | 'unsent' | 'left' | 'removed';
  /** The text that went to the agent, when it differs from the merged text. */
  edited: string | null;
  /** Sent because a host turned approval off while it waited, not approved (a tester's card said "Approved and sent"). */
  released?: boolean;
  /** The host whose edits were sent (the batch's edited_by), when one edited it. */
  editedBy?: string;
  /** editedBy's member id (the batch's edited_by_member), from hosts since 2026-12-07. */
  editedByMember?: string;
  rejected: Rejected | null;
  /** The seq of the event that decided it (its batch, or its rejected event): "you" by name only when it came live (isReader). */
  decidedSeq?: number;
}

/** How the host's error event begins when Claude Code could not start (agent.NotStartedPrefix). */
export const AGENT_NOT_STARTED = 'claude could not start';
/**
 * How the host's error event ends when Claude Code exited by itself between turns
 * (host.IdleExitNotice): no failure of anyone's, it is started again with the next batch,
 * so the transcript says it as a note, not a red error (a tester's read it as one beside
 * the header's neutral "Agent restarts with the next prompt").
 */
export const AGENT_EXITED_IDLE = '; it was idle, and will be started again with the next batch';

/**
 * How a resumed party's notice begins when its journal lost its end (party.LostEndPrefix):
 * the turn the journal ended in never gets a turn event, and is closed by it.
 */
export const LOST_END = "the party was resumed: its journal could not be written to its end";

/** How the notice of a resumed party begins (PROTOCOL.md: a `system` event says `the party was resumed`, maybe with more after ": "). */
export const RESUMED = 'the party was resumed';
/** The end the window gives that turn. */
export const LOST_END_TURN = "the party's journal lost how this turn ended (was the disk full?): it is not run again";

/**
 * The end the window gives a turn the host stopped during, at base, for why: it ran ranMs
 * (the host's word for it: a resumed retry's ran_ms), else until base (a lost end's notice),
 * which a resume's retry would stretch over the host's downtime (a tester's).
 */
function stoppedAt(base: ItemBase, turn: TurnItem, batch: string, why: string, ranMs?: unknown): Turn {
  const ran = typeof ranMs === 'number' && Number.isFinite(ranMs) && ranMs > 0 ? ranMs : base.ts - turn.ts;
  return { batch, status: 'interrupted', duration_ms: Number.isFinite(ran) ? Math.max(0, ran) : 0, error: why };
}

/** The end the window gives a batch's first card when the host is resumed during its turn. */
export const HOST_STOPPED = 'the host stopped during this turn; it runs again below';

/** Anything the transcript shows. */
export type TranscriptItem = PromptItem | NoticeItem | MembersItem | TurnItem | ApprovalItem;

/** A card that waits for a host: a tool request's (by its id) or a merged prompt's (by its batch). */
export interface WaitingCard {
  /** The index of its item in the transcript. */
  index: number;
  kind: 'permission' | 'approval';
  /** The request's id, or the approval's batch. */
  id: string;
}

/**
 * The card that waits for a host's decision, the first from the top of the last item that
 * has one (the requests a turn makes at once are in its item; a request an earlier turn
 * left undecided is not what waits now): what "A tool request waits for you" brings into
 * view (a re-tester's went to the end, below it). A tool request allowed unasked (an
 * "always") has no card.
 */
export function firstWaitingCard(items: readonly TranscriptItem[]): WaitingCard | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type === 'approval' && it.status === 'waiting') return { index: i, kind: 'approval', id: it.approval.batch };
    if (it.type !== 'turn') continue;
    for (const sg of it.segments) {
      if (sg.kind === 'permission' && !sg.unasked && sg.permission.status === 'pending') return { index: i, kind: 'permission', id: sg.permission.id };
    }
  }
  return null;
}

/**
 * What waits for a host's decision now: the tool requests of the last item that has one
 * waiting (as firstWaitingCard), and the merged prompts waiting for approval.
 */
export function waitingForHosts(items: readonly TranscriptItem[]): { requests: number; approvals: number } {
  let requests = 0;
  let approvals = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type === 'approval' && it.status === 'waiting') approvals++;
    if (it.type !== 'turn' || requests > 0) continue;
    for (const sg of it.segments) if (sg.kind === 'permission' && !sg.unasked && sg.permission.status === 'pending') requests++;
  }
  return { requests, approvals };
}

/** Parses an RFC 3339 time to ms since the epoch (NaN when it cannot). */
export function parseTS(ts: string | undefined): number {
  return ts ? Date.parse(ts) : NaN;
}

/**
 * A member back after a lost connection, when the lines before it (lines: the last of the
 * transcript, or of the turn, that are all flapLine) already hold that member losing the
 * connection and coming back, and then losing it again: the lot is one line that counts
 * (MembersItem.flaps): a window tester's flapping connection put 11 pairs of "bea lost the
 * connection… / bea came back" in everyone's transcript, and pushed a waiting tool request
 * out of view. Another member's such lines between do not stop it (two members on one bad
 * network); anything else does. A single drop and return keeps its two lines, with the
 * host's words for why. Returns which line becomes the folded one (into) and which go
 * (drop), by index into lines; null when item does not fold.
 */
export function foldFlap(lines: readonly (NoticeItem | MembersItem)[], item: NoticeItem | MembersItem): { into: number; item: MembersItem; drop: number[] } | null {
  if (item.type !== 'participants' || !item.joined || !item.back) return null;
  const id = item.joined.id;
  const mine: number[] = [];
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.type === 'participants' && (l.joined?.id === id || l.left?.id === id)) mine.push(k);
  }
  // From the end: the lost connection this is back from, then before it a folded line, or a
  // return after an earlier lost connection.
  const at = (n: number) => lines[mine[mine.length - n]!] as MembersItem | undefined;
  const lost = at(1);
  if (!lost || !lostLine(lost, id)) return null;
  const before = at(2);
  if (before?.flaps !== undefined) {
    return { into: mine[mine.length - 2]!, item: { ...before, joined: item.joined, count: item.count, flaps: before.flaps + 1 }, drop: [mine[mine.length - 1]!] };
  }
  const first = at(3);
  if (!before?.joined || !before.back || !first || !lostLine(first, id)) return null;
  const { left: _l, text: _t, why: _w, ...base } = first;
  return { into: mine[mine.length - 3]!, item: { ...base, joined: item.joined, count: item.count, back: true, flaps: 2 }, drop: [mine[mine.length - 2]!, mine[mine.length - 1]!] };
}

/**
 * TranscriptModel folds events into items. apply() drops an event whose seq
 * it has already seen, so feeding it duplicates or overlapping resyncs is safe.
 */
export class TranscriptModel {
  #items: TranscriptItem[] = [];
  #version = 0;
  #lastSeq = 0;
  #prompts = new Map<string, Prompt>();
  #promptTS = new Map<string, number>();
  /** Prompt id → index of the newest approval item that carries it. */
  #approvalOf = new Map<string, number>();
  /** Withdrawn prompts by id. */
  readonly #withdrawn = new Map<string, Withdrawn>();
  /** Members whose last participants item here was their leaving (MembersItem.back). */
  readonly #away = new Set<string>();
  /** The last changes event's list, by path (see #changes). */
  #files = new Map<string, string>();
  /** Index of the newest turn item with a batch; -1 before any. */
  #lastBatchTurn = -1;
  /** The merger of the last batch that merged prompts (lastBatchMerger). */
  #lastMerger = '';
  /** The last system event that named whose act it was (for the agent command's batch after it). */
  #lastAct: { seq: number; text: string; acts: Acts } | null = null;
  /** Whether a changes event came after that turn ended (the host's one "after each turn", §9). */
  #listedAfterEnd = false;
  /** The sharing level the settings events said; a change makes the next list a new baseline. */
  #level = '';
  #rebase = false;
  /** A cut history's line was shown and no output or turn end came after it yet (#markCut). */
  #cutOpen = false;
  /** Since the last batch, an event came after a gap in the seqs: the cut (#markCut). */
  #cutGap = false;
  /** The last retry event: its seq, the index of its turn, and whether a resume sent it (see #turnNotice). */
  #retry = { seq: -1, index: -1, resumed: false };
  /** The last turn event that ended a batch with an error: its seq and error. */
  #failed = { seq: -1, error: '' };
  /** A settings event turned approval off while a batch waited: the next batch event sends it unapproved. */
  #approvalOff = false;
  /** How many tool requests were decided (or timed out) here: see permissionsSettled. */
  #settled = 0;

  /** The items, oldest first. The same array, updated in place: watch version. */
  get items(): readonly TranscriptItem[] {
    return this.#items;
  }

  /** Rises whenever items changed. */
  get version(): number {
    return this.#version;
  }

  /**
   * Rises when a waiting tool request is decided or times out: its card shrinks, and the
   * cards after it move up, a waiting one's Allow to where the pointer may be about to click
   * (a tester's second click allowed an `rm -rf` nobody read). Cards re-arm on it.
   */
  get permissionsSettled(): number {
    return this.#settled;
  }

  /** The highest seq applied so far (0 before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * The merger of the last batch of two prompts or more sent to the agent ("" before any,
   * and since the party was last resumed):
   * a Gemini party's falls back to local. One prompt goes as written, merged by no one: its
   * batch says "local", and the party panel said a working Gemini's last prompt "was merged
   * locally" (a user tester's).
   */
  get lastBatchMerger(): string {
    return this.#lastMerger;
  }

  /** The host timestamp (ms) of a prompt's event, if the transcript has it. */
  promptTime(id: string): number | undefined {
    return this.#promptTS.get(id);
  }

  /** A prompt by id, if the transcript has its event. */
  prompt(id: string): Prompt | undefined {
    return this.#prompts.get(id);
  }

  /** Forgets everything (before a full resync). */
  reset(): void {
    this.#items = [];
    this.#version++;
    this.#lastSeq = 0;
    this.#prompts.clear();
    this.#promptTS.clear();
    this.#approvalOf.clear();
    this.#withdrawn.clear();
    this.#away.clear();
    this.#files.clear();
    this.#lastBatchTurn = -1;
    this.#lastMerger = '';
    this.#lastAct = null;
    this.#listedAfterEnd = false;
    this.#level = '';
    this.#rebase = false;
    this.#cutOpen = this.#cutGap = false;
    this.#retry = { seq: -1, index: -1, resumed: false };
    this.#failed = { seq: -1, error: '' };
  }

  /**
   * Opens the transcript with a line saying that the party's history starts before it:
   * the window was handed its newest events only (a state with `truncated`). Call after
   * reset, before the state's events.
   */
  startsLater(): void {
    this.#push({ key: 'history-cut', seq: 0, ts: NaN, type: 'system', text: HISTORY_CUT_TEXT });
    this.#cutOpen = true;
    // The first change list after the cut is a baseline: what changed before it is not
    // one turn's doing (a reviewer's: the whole party's changes on the first turn shown).
    this.#rebase = true;
  }

  /**
   * Raises lastSeq without adding items, so that events the host already
   * counted (State.seq) are not applied again when they show up late.
   */
  advanceTo(seq: number): void {
    if (seq > this.#lastSeq) this.#lastSeq = seq;
  }

  /**
   * Applies one event. Returns false when it was a duplicate (seq already
   * seen) and nothing changed. Unknown kinds only advance lastSeq.
   */
  apply(ev: PartyEvent): boolean {
    if (!Number.isFinite(ev.seq) || ev.seq <= this.#lastSeq) return false;
    if (this.#cutOpen) {
      if (ev.seq !== this.#lastSeq + 1) this.#cutGap = true;
      if (ev.kind === 'batch') this.#cutGap = false; // a turn that starts whole
      else if (ev.kind === 'output' || ev.kind === 'turn') this.#markCut(ev.seq);
    }
    this.#lastSeq = ev.seq;
    const base: ItemBase = { key: String(ev.seq), seq: ev.seq, ts: parseTS(ev.ts) };
    switch (ev.kind) {
      case 'prompt':
        if (ev.prompt) {
          this.#prompts.set(ev.prompt.id, ev.prompt);
          this.#promptTS.set(ev.prompt.id, base.ts);
          this.#push({ ...base, type: 'prompt', prompt: ev.prompt });
        }
        break;
      case 'system':
      case 'error': {
        const text = ev.text ?? '';
        if (ev.kind === 'system' && (text === RESUMED || text.startsWith(RESUMED + ':'))) {
          // The resumed party has merged nothing yet: what the last batch before the stop
          // was merged with is not said of it (a window tester's side panel kept "the last
          // prompts were merged locally" beside a resumed party merging with Gemini).
          this.#lastMerger = '';
        }
        if (ev.kind === 'system' && text.startsWith(LOST_END)) {
          // No turn event will close the turn the journal ended in (it may have finished in
          // what was lost): closed here, and later notices go below, not into it (a window
          // tester's went into it); said as a warning, not as a quiet line.
          this.#closeLostTurn(base);
          this.#push({ ...base, type: 'error', text });
          break;
        }
        const last = this.#items.length - 1;
        const acts: { acts?: Acts } = ev.kind === 'system' && (ev.by_member || ev.about_member) ? { acts: { by: ev.by, by_member: ev.by_member, about: ev.about, about_member: ev.about_member } } : {};
        if (acts.acts?.by) this.#lastAct = { seq: ev.seq, text, acts: acts.acts };
        if (ev.kind === 'system' && this.#saysRoleChange(this.#items[last], ev.seq, text)) {
          // It says the role change just shown, and who made it: it takes that line's place.
          this.#replace(last, { ...base, type: 'system', text, ...acts });
        } else if (ev.kind === 'system' && this.#saysRoleChangeInTurn(ev.seq, text)) {
          this.#replaceLastEvent({ ...base, type: 'system', text, ...acts });
        } else {
          const kind = ev.kind === 'error' && text.endsWith(AGENT_EXITED_IDLE) ? 'system' : ev.kind;
          if (!this.#turnNotice(kind, ev.seq, text)) this.#note({ ...base, type: kind, text, ...acts });
        }
        break;
      }
      case 'participants':
        // A resumed party's note that someone was there when it ended is not shown: the end
        // was. Nor a removal's: the host's notice just before says who removed whom, and why.
        // One there at the end is away all the same: back after a resume, they "came back",
        // as after the host's crash, and as the terminal says it (a window tester's host read
        // "you came back" after a kill -9, "you joined" after ending it).
        if (ev.left && ev.why === 'party_ended') this.#away.add(ev.left.id);
        if (ev.left && (ev.why === 'party_ended' || ev.why === 'kicked')) break;
        if (ev.joined || ev.left) {
          if (ev.left) this.#away.add(ev.left.id);
          const back = ev.joined ? this.#away.delete(ev.joined.id) : undefined;
          this.#note({ ...base, type: 'participants', joined: ev.joined, left: ev.left, count: ev.count, text: ev.left ? ev.text : undefined, why: ev.left ? ev.why : undefined, ...(back ? { back } : {}) });
        } else if (ev.changed && typeof ev.changed.name === 'string') {
          // A role change. Our host follows it with a system event that says who made it
          // ("hana made bob a co-host"), which then replaces this item; a host that sends
          // only this event (all PROTOCOL.md §7 promises) gets this item's line.
          this.#note({ ...base, type: 'participants', changed: ev.changed, count: ev.count });
        }
        break;
      case 'batch':
        if (ev.batch && typeof ev.batch === 'object') {
          const batch = ev.batch;
          let edited = false;
          const released = this.#approvalOff;
          this.#approvalOff = false;
          this.#settleApproval(batch.id, (it) => {
            edited = batch.merged !== it.approval.merged;
            return { ...it, status: 'sent', decidedSeq: ev.seq, edited: edited ? batch.merged : null, ...(released ? { released } : {}), ...(batch.edited_by ? { editedBy: batch.edited_by } : {}), ...(batch.edited_by_member ? { editedByMember: batch.edited_by_member } : {}) };
          });
          // A batch of the same prompts under another id: the host stopped before anyone
          // decided, and, resumed with approval off, sent them (a reviewer's).
          const carried = new Set(batch.prompts ?? []);
          for (let i = 0; i < this.#items.length; i++) {
            const it = this.#items[i]!;
            if (it.type === 'approval' && it.status === 'waiting' && it.approval.batch !== batch.id && (it.approval.prompts ?? []).some((p) => carried.has(p))) {
              this.#replace(i, { ...it, status: 'replaced' });
            }
          }
          // Our host says who ran an agent command in the event just before its batch.
          const act = this.#lastAct;
          const commandBy = batch.merger === 'command' && act && act.seq === ev.seq - 1 && act.text.endsWith(` the agent command ${batch.merged}`) ? { commandBy: act.acts } : {};
          this.#push({ ...base, type: 'turn', batch, prompts: this.#resolve(batch.prompts), segments: [], end: null, files: [], ...(edited ? { edited } : {}), ...commandBy });
          this.#lastBatchTurn = this.#items.length - 1;
          if ((batch.prompts?.length ?? 0) > 1) this.#lastMerger = batch.merger ?? '';
          this.#listedAfterEnd = false;
        }
        break;
      case 'approval':
        if (ev.approval && typeof ev.approval === 'object') {
          const a = ev.approval;
          // Only one batch waits at a time: one still waiting here was left by a host that
          // stopped (a tester's window kept its Send after the resume, next to the new one).
          for (let i = 0; i < this.#items.length; i++) {
            const it = this.#items[i]!;
            if (it.type === 'approval' && it.status === 'waiting' && it.approval.batch !== a.batch) this.#replace(i, { ...it, status: 'replaced' });
          }
          this.#push({ ...base, type: 'approval', approval: a, prompts: this.#resolve(a.prompts), status: 'waiting', edited: null, rejected: null });
          for (const id of a.prompts ?? []) this.#approvalOf.set(id, this.#items.length - 1);
        }
        break;
      case 'rejected':
        if (ev.rejected) {
          const r = ev.rejected;
          if (!this.#settleApproval(r.batch, (it) => ({ ...it, status: 'rejected', rejected: r, decidedSeq: ev.seq }))) {
            // The approval is not in our log (a truncated history): show the outcome alone.
            const approval: Approval = { batch: r.batch, prompts: r.prompts ?? [], merged: '', merger: '' };
            this.#push({ ...base, type: 'approval', approval, prompts: this.#resolve(approval.prompts), status: 'rejected', edited: null, rejected: r });
            for (const id of approval.prompts) this.#approvalOf.set(id, this.#items.length - 1);
          }
        }
        break;
      case 'withdrawn':
        // The prompt's item shows it (withdrawal()); a new version re-renders it.
        if (ev.withdrawn) {
          this.#withdrawn.set(ev.withdrawn.prompt, ev.withdrawn);
          this.#version++;
        }
        break;
      case 'permission':
        if (ev.permission) this.#permission(base, ev.permission);
        break;
      case 'retry':
        if (typeof ev.batch === 'string') this.#retryBatch(base, ev.batch, ev.resumed === true, ev.ran_ms);
        break;
      case 'output':
        this.#output(base, ev.stream ?? 'assistant', ev.text ?? '');
        break;
      case 'turn':
        if (ev.turn) {
          this.#endTurn(base, ev.turn);
          if (ev.turn.status === 'error') this.#failed = { seq: ev.seq, error: ev.turn.error ?? '' };
        }
        break;
      case 'changes':
        if (Array.isArray(ev.files)) this.#changes(ev.files);
        break;
      case 'settings':
        // Approval turned off sends the batch that waited for it, in the batch event next.
        this.#approvalOff = ev.approval === false && this.#items.some((it) => it.type === 'approval' && it.status === 'waiting');
        // The list that follows a new sharing level shows what that level shows (.env with
        // the whole folder): no turn touched what only became visible.
        if (typeof ev.workspace === 'string' && ev.workspace !== this.#level) {
          if (this.#level !== '') this.#rebase = true;
          this.#level = ev.workspace;
        }
        break;
      default:
        // phase and kinds from later protocol versions have no transcript item.
        break;
    }
    return true;
  }

  /** Whether a prompt is in a batch that waits for a host's approval. */
  /**
   * The party ended ('unsent': a merged prompt still waiting for approval was never sent),
   * or this window left it ('left': the batch waits on without it), or its person was
   * removed ('removed': the batch stays in the party, for a host to send or reject).
   */
  endWaiting(status: 'unsent' | 'left' | 'removed' = 'unsent'): void {
    this.#items.forEach((it, i) => {
      if (it.type === 'approval' && it.status === 'waiting') this.#replace(i, { ...it, status });
    });
  }

  awaitingApproval(promptId: string): boolean {
    const it = this.#items[this.#approvalOf.get(promptId) ?? -1];
    return it?.type === 'approval' && it.status === 'waiting';
  }

  /** Who took back a prompt, if it was withdrawn. */
  withdrawal(promptId: string): Withdrawn | undefined {
    return this.#withdrawn.get(promptId);
  }

  /** The rejection of a prompt's batch, if a host rejected it. */
  rejection(promptId: string): Rejected | undefined {
    const it = this.#items[this.#approvalOf.get(promptId) ?? -1];
    return it?.type === 'approval' && it.rejected ? it.rejected : undefined;
  }

  /**
   * A changes event (the whole current list): the files whose entry is new, different or
   * gone since the last list were touched by the newest turn that has a batch.
   */
  #changes(files: readonly FileChange[]): void {
    const next = new Map<string, string>();
    // With rev: a file rewritten with the same counts is touched too (a window tester's
    // turn that rewrote one listed no file changed).
    for (const f of files) next.set(f.path, `${f.status}\u0000${f.from ?? ''}\u0000${f.additions}\u0000${f.deletions}\u0000${f.rev ?? ''}`);
    const touched: string[] = [];
    for (const [path, sig] of next) if (this.#files.get(path) !== sig) touched.push(path);
    for (const path of this.#files.keys()) if (!next.has(path)) touched.push(path);
    this.#files = next;
    if (this.#rebase) {
      this.#rebase = false;
      return;
    }
    const i = this.#lastBatchTurn;
    const turn = this.#items[i];
    if (turn?.type !== 'turn') return;
    if (turn.end !== null) {
      // The turn's own list is the one that follows it; a later one (before the next batch)
      // is of what changed since, not the agent's doing in this turn.
      if (this.#listedAfterEnd) return;
      this.#listedAfterEnd = true;
    }
    if (touched.length === 0) return;
    const have = new Set(turn.files);
    const add = touched.filter((p) => !have.has(p));
    // A renamed file's old name, as the list says it now (a file renamed back, or renamed
    // again, says so in this list).
    const renamed: Record<string, string> = { ...turn.renamedFrom };
    let renames = false;
    for (const f of files) {
      if (!touched.includes(f.path) || renamed[f.path] === (f.status === 'renamed' && f.from ? f.from : undefined)) continue;
      if (f.status === 'renamed' && f.from) renamed[f.path] = f.from;
      else delete renamed[f.path];
      renames = true;
    }
    if (add.length > 0 || renames) {
      const next: TurnItem = { ...turn, files: [...turn.files, ...add] };
      if (Object.keys(renamed).length > 0) next.renamedFrom = renamed;
      else delete next.renamedFrom;
      this.#replace(i, next);
    }
  }

  #resolve(ids: readonly string[] | undefined): Prompt[] {
    return (ids ?? []).map((id) => this.#prompts.get(id) ?? { id, user: '?', text: '' });
  }

  /** Updates the waiting approval item of a batch; false when there is none. */
  #settleApproval(batch: string, f: (it: ApprovalItem) => ApprovalItem): boolean {
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const it = this.#items[i]!;
      if (it.type === 'approval' && it.approval.batch === batch && it.status === 'waiting') {
        this.#replace(i, f(it));
        return true;
      }
    }
    return false;
  }

  /** The turn item of a batch (its last run), if any. */
  turnItem(batch: string): TurnItem | undefined {
    const it = this.#items[this.#turnOf(batch)];
    return it?.type === 'turn' ? it : undefined;
  }

  /** Index of the turn item of a batch, searching from the end; -1 if none. */
  #turnOf(batch: string): number {
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const it = this.#items[i]!;
      if (it.type === 'turn' && it.batch?.id === batch) return i;
    }
    return -1;
  }

  /** A tool request: a new segment of its batch's turn, or the update of one. */
  #permission(base: ItemBase, perm: Permission): void {
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const it = this.#items[i]!;
      if (it.type !== 'turn') continue;
      const j = it.segments.findIndex((sg) => sg.kind === 'permission' && sg.permission.id === perm.id);
      if (j >= 0) {
        const segs = it.segments.slice();
        if ((segs[j] as PermissionSegment).permission.status === 'pending' && perm.status !== 'pending') this.#settled++;
        segs[j] = { ...(segs[j] as PermissionSegment), permission: perm, seq: base.seq };
        this.#replace(i, { ...it, segments: segs });
        return;
      }
    }
    let i = this.#turnOf(perm.batch);
    if (i < 0) i = this.#openTurn();
    if (i < 0) {
      this.#push({ ...base, type: 'turn', batch: null, prompts: [], segments: [], end: null, files: [] });
      i = this.#items.length - 1;
    }
    const turn = this.#items[i] as TurnItem;
    // Only an "always" allows unasked: a cut history may start between a request and its
    // decision (a reviewer's), which is then no use nobody was asked about.
    const unasked = perm.status === 'allowed' && (perm.reason ?? '').startsWith('always allow ');
    this.#replace(i, { ...turn, segments: [...turn.segments, { kind: 'permission', permission: perm, seq: base.seq, ...(unasked ? { unasked } : {}) }] });
  }

  /**
   * A retried batch: what its turn showed so far is void (the agent starts over); the
   * notices that led to the retry stay.
   */
  #retryBatch(base: ItemBase, batch: string, resumed: boolean, ranMs: unknown): void {
    const i = this.#turnOf(batch);
    if (i < 0) return;
    const turn = this.#items[i] as TurnItem;
    let segments = turn.segments.map((sg) => (sg.void || sg.kind === 'notice' || sg.kind === 'event' ? sg : { ...sg, void: true }));
    // The party's events since the first run's last output: after a resume, what the host
    // said as it came back (who was disconnected, "the party was resumed").
    const out = lastOutputSegment(segments);
    const since = segments.slice(out + 1) as EventSegment[];
    // After a resume (the host says so on the retry), notices — who was disconnected, "the
    // party was resumed" — stand between the first run's card and its retry: the run again
    // gets a card of its own below them, so that the reply reads after what led to it (a
    // tester saw it above). An agent crash keeps one card, whatever came in between.
    if (resumed && (i < this.#items.length - 1 || since.length > 0)) {
      segments = segments.slice(0, out + 1);
      this.#replace(i, { ...turn, segments, end: turn.end ?? stoppedAt(base, turn, batch, HOST_STOPPED, ranMs) });
      // Items again, between the two cards, in their order (nothing else came after the card).
      for (const ev of since) this.#push(ev.item);
      this.#push({ ...base, type: 'turn', batch: turn.batch, prompts: turn.prompts, segments: [], end: null, files: [], again: true });
      const j = this.#items.length - 1;
      if (this.#lastBatchTurn === i) {
        this.#lastBatchTurn = j;
        this.#listedAfterEnd = false;
      }
      this.#retry = { seq: base.seq, index: j, resumed };
      return;
    }
    this.#retry = { seq: base.seq, index: i, resumed };
    this.#replace(i, { ...turn, segments });
  }

  /**
   * Places a notice inside the turn it is about, so that a failure, its retry and the
   * outcome read top to bottom in the turn's card, above its footer (PROTOCOL.md §5,
   * retry: error, retry, system, the output again, turn; a failed turn is followed by an
   * error). Returns true when the notice needs no item of its own:
   * - an error while a batch's turn runs goes into that turn;
   * - the system notice right after a retry goes into the retried turn (not after a resume's);
   * - the error right after a failed turn that repeats the turn's error is already its
   *   footer ("Failed: …"): it is dropped.
   */
  #turnNotice(level: 'system' | 'error', seq: number, text: string): boolean {
    if (level === 'error' && seq === this.#failed.seq + 1 && this.#failed.error !== '' && text.endsWith(this.#failed.error)) return true;
    let i = -1;
    // After a resume's retry the host says no "restarting claude" (its resume notice said
    // it): the system notice next is the party's ("merging with Gemini"), not the turn's.
    if (level === 'system' && seq === this.#retry.seq + 1 && !this.#retry.resumed) i = this.#retry.index;
    else if (level === 'error') {
      i = this.#openTurn();
      if (i >= 0 && (this.#items[i] as TurnItem).batch === null) i = -1;
    }
    const turn = this.#items[i];
    if (turn?.type !== 'turn') return false;
    this.#replace(i, { ...turn, segments: [...turn.segments, { kind: 'notice', level, text, seq }] });
    return true;
  }

  /**
   * The first output or turn end after a cut history's line: when the seqs jumped since
   * the last batch, the cut fell inside that turn (the Go side sends its batch along), and
   * the turn's card says its start is not shown, where it resumes (a tester's card began
   * mid-reply with no mark).
   */
  #markCut(seq: number): void {
    const gap = this.#cutGap;
    this.#cutOpen = this.#cutGap = false;
    const i = this.#openTurn();
    const turn = this.#items[i];
    if (!gap || turn?.type !== 'turn') return;
    this.#replace(i, { ...turn, segments: [...turn.segments, { kind: 'notice', level: 'system', text: TURN_CUT_TEXT, seq }] });
  }

  /** Whether a system event at seq is the host's words for the role change item it follows. */
  #saysRoleChange(it: TranscriptItem | undefined, seq: number, text: string): boolean {
    if (it?.type !== 'participants' || !it.changed || it.seq !== seq - 1) return false;
    const name = it.changed.name;
    return text.includes(` made ${name} `) || text.startsWith(`${name} made themselves `);
  }

  /**
   * A party's notice (a system notice, someone joining, leaving or changing role): into the
   * batch's turn that runs, at its place among the turn's output (EventSegment); else an
   * item of its own. Prompts typed while the turn runs stay below its card (they wait for
   * the next batch): a notice that came after one of them shows above it, in the card,
   * where it happened in the turn — a demo party's teammates type during every turn, and
   * its "made bob a co-host" showed under the card's "Done" again.
   */
  #note(item: NoticeItem | MembersItem): void {
    const i = this.#openTurn();
    const turn = this.#items[i];
    if (turn?.type === 'turn' && turn.batch !== null) {
      const segs = turn.segments.slice();
      const lines: number[] = [];
      // The turn's party events show together after its card (transcript-view.ts): its
      // output between them does not part them.
      for (let j = segs.length - 1; j >= 0; j--) {
        const sg = segs[j]!;
        if (sg.kind !== 'event') continue;
        if (!flapLine(sg.item)) break;
        lines.unshift(j);
      }
      const fold = foldFlap(lines.map((j) => (segs[j] as EventSegment).item), item);
      if (fold) {
        segs[lines[fold.into]!] = { kind: 'event', item: fold.item };
        for (const k of fold.drop.map((d) => lines[d]!).sort((a, b) => b - a)) segs.splice(k, 1);
        this.#replace(i, { ...turn, segments: segs });
        return;
      }
      this.#replace(i, { ...turn, segments: [...segs, { kind: 'event', item }] });
      return;
    }
    // The lines at the end of the transcript. Only lines of people are dropped, and only
    // there, after every item an index is kept of (turns, approvals).
    let from = this.#items.length;
    for (let it = this.#items[from - 1]; it?.type === 'participants' && flapLine(it); it = this.#items[from - 1]) from--;
    const fold = foldFlap(this.#items.slice(from) as MembersItem[], item);
    if (fold) {
      this.#items[from + fold.into] = fold.item;
      for (const d of [...fold.drop].sort((a, b) => b - a)) this.#items.splice(from + d, 1);
      this.#version++;
      return;
    }
    this.#push(item);
  }

  /** As #saysRoleChange, of the last segment of the running turn (the role change went into it). */
  #saysRoleChangeInTurn(seq: number, text: string): boolean {
    const turn = this.#items[this.#openTurn()];
    if (turn?.type !== 'turn') return false;
    const sg = turn.segments[turn.segments.length - 1];
    return sg?.kind === 'event' && this.#saysRoleChange(sg.item, seq, text);
  }

  /** Replaces the running turn's last segment, a party's event, with item (#saysRoleChangeInTurn). */
  #replaceLastEvent(item: NoticeItem): void {
    const i = this.#openTurn();
    const turn = this.#items[i] as TurnItem;
    const segs = turn.segments.slice();
    segs[segs.length - 1] = { kind: 'event', item };
    this.#replace(i, { ...turn, segments: segs });
  }

  #push(item: TranscriptItem): void {
    this.#items.push(item);
    this.#version++;
  }

  #replace(index: number, item: TranscriptItem): void {
    this.#items[index] = item;
    this.#version++;
  }

  /**
   * Index of the turn output goes to: the last turn item, if it is still
   * open. Prompts and notices that arrive while a turn runs come after it in
   * the list but do not end it.
   */
  /** Closes the open batch turn, if any, as lost with the journal's end (LOST_END). */
  #closeLostTurn(base: ItemBase): void {
    const i = this.#openTurn();
    const turn = this.#items[i];
    if (turn?.type !== 'turn' || turn.batch === null) return;
    this.#replace(i, { ...turn, end: stoppedAt(base, turn, turn.batch.id, LOST_END_TURN) });
  }

  #openTurn(): number {
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const it = this.#items[i]!;
      if (it.type === 'turn') return it.end === null ? i : -1;
    }
    return -1;
  }

  #output(base: ItemBase, stream: string, text: string): void {
    if (text === '') return;
    let i = this.#openTurn();
    if (i < 0) {
      this.#push({ ...base, type: 'turn', batch: null, prompts: [], segments: [], end: null, files: [] });
      i = this.#items.length - 1;
    }
    const turn = this.#items[i] as TurnItem;
    const segs = turn.segments.slice();
    // Output goes on at the turn's last output, before the party's events that came since
    // (lastOutputSegment); new output comes after them.
    const at = lastOutputSegment(segs);
    const last = segs[at];
    if (stream === 'assistant') {
      if (last && last.kind === 'reply' && !last.void) segs[at] = { kind: 'reply', text: last.text + text };
      else segs.push({ kind: 'reply', text });
    } else {
      // Tool and stderr output come as whole lines, each ending in "\n"; the host may
      // coalesce several into one event, so each line becomes its own activity line. Each
      // stream has groups of its own: stderr is not a tool step. A tool's own output
      // (tool_output) joins the tool group it follows, where toolSteps gives it to the step
      // of the result line before it; with no tool group before it, it starts one.
      const group = stream === STREAM_TOOL_OUTPUT ? 'tool' : stream;
      let lines = text.replace(/\n$/, '').split('\n').map((l) => ({ stream, text: l }));
      // A tool's result comes after the request to use it was decided: it belongs to the
      // call before the request's card, not to a group of its own after it — where the
      // next call joined it, and a step showed one tool's result under another's call.
      if (group === 'tool' && last?.kind === 'permission' && !last.void) {
        let j = at;
        while (j >= 0 && (segs[j]!.kind === 'permission' || segs[j]!.kind === 'event') && !segs[j]!.void) j--;
        const call = segs[j];
        const results = lines.findIndex((l) => !isResultLine(l));
        const k = results < 0 ? lines.length : results;
        if (k > 0 && call && call.kind === 'activity' && !call.void && call.stream === 'tool') {
          segs[j] = { kind: 'activity', stream: 'tool', lines: [...call.lines, ...lines.slice(0, k)] };
          lines = lines.slice(k);
        }
      }
      const now = segs[at];
      if (lines.length === 0) {
        // all of it went to the call's group
      } else if (now && now.kind === 'activity' && !now.void && now.stream === group) {
        segs[at] = { kind: 'activity', stream: group, lines: [...now.lines, ...lines] };
      } else {
        segs.push({ kind: 'activity', stream: group, lines });
      }
    }
    this.#replace(i, { ...turn, segments: segs });
  }

  #endTurn(base: ItemBase, turn: Turn): void {
    // The turn belongs to its batch; search from the end (it is nearly always the last item).
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const it = this.#items[i]!;
      if (it.type === 'turn' && it.batch?.id === turn.batch) {
        this.#replace(i, { ...it, end: turn, endSeq: base.seq });
        return;
      }
    }
    // The batch event is not in our log (a truncated history): show the outcome alone.
    this.#push({ ...base, type: 'turn', batch: null, prompts: [], segments: [], end: turn, endSeq: base.seq, files: [] });
  }
}
