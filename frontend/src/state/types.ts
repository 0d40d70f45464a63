// Types that cross the boundary between Go and the window: the wire shapes of
// PROTOCOL.md §4–§5 and the binding shapes of docs/app-api.md. They mirror the
// Go structs field for field (snake_case JSON names); nothing here has behaviour.

/** A member's role (PROTOCOL.md §7): hosts decide, participants prompt, viewers watch. */
export type Role = 'host' | 'participant' | 'viewer';

/** A person in the party. */
export interface Member {
  id: string;
  name: string;
  role: Role;
  /** The member's own rejoin secret; only in its own hello reply. */
  session?: string;
}

/** The party as the hello reply describes it. */
export interface PartyInfo {
  id: string;
  host: string;
  window_ms: number;
  min_prompts: number;
  merger: 'gemini' | 'local';
  agent: string;
  /** Approval mode: each merged prompt waits for a host (v1.1 §7). */
  approval?: boolean;
  /** What the agent may do without asking a host. */
  permission_mode?: PermissionMode;
  /** What the party sees of the host's working folder (v1.1 §9). */
  workspace?: WorkspaceLevel;
  /** The tools a host allowed for the rest of the party ("Always allow"), sorted. */
  always?: string[];
  /** Started with sharing off: the party cannot share its folder in this run (our extension of §9). */
  cannot_share?: boolean;
  /** With cannot_share: why, when this run meant to share and its first snapshot failed; left out otherwise. */
  share_error?: string;
  /**
   * The host is still taking its folder's first snapshot (our extension of §9, since
   * 2026-12-08): not shared yet, and it may turn out not to be. A system event
   * (WORKSPACE_READY) or a settings event with share_error says how it went. Left out otherwise.
   */
  share_pending?: boolean;
  /**
   * How long an undecided tool request waits before it is denied as timed_out, in ms
   * (the host's --permission-timeout; our extension of §7, since 2026-12-07). Left out by
   * an older host: nothing is said of it then.
   */
  permission_timeout_ms?: number;
}

/** Workspace sharing (PROTOCOL.md §9): nothing, the changed files and diffs, or the whole folder. */
export type WorkspaceLevel = 'off' | 'changes' | 'tree';

/** One file the agent changed since the party began. */
export interface FileChange {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed' | string;
  /** renamed: the old path. */
  from?: string;
  additions: number;
  deletions: number;
  /** Git counts no lines of it (additions and deletions are 0 and say nothing). */
  binary?: boolean;
  /** Larger than the host tracks: its counts are of the line that says so, not of the file. */
  large?: boolean;
  /** A symbolic link (our extension): listed, never followed; no counts, and Diff refuses it. */
  link?: boolean;
  /** Opaque (our extension): changes whenever the file's content does; absent for a deleted file. */
  rev?: string;
}

/** Party.changes' reply. */
export interface ChangesResult {
  files: FileChange[];
  base: string;
  /** Changed files kept from members because they may hold credentials (absent: none). */
  hidden?: number;
  /** Changed files not listed: the host lists 2,000 at most (absent: none). */
  more?: number;
}

/** Party.diff's reply: a unified diff, cut past 256 KiB; binary files have none. */
export interface FileDiff {
  path: string;
  diff: string;
  truncated: boolean;
  binary: boolean;
}

/** One entry of a folder (Party.tree). */
export interface TreeEntry {
  name: string;
  dir: boolean;
  size: number;
  /** A symbolic link: listed, never followed nor read. */
  link?: boolean;
}

/** Party.tree's reply. */
export interface TreeResult {
  entries: TreeEntry[];
}

/** What the agent may do without asking: each tool use, file edits, nothing (plan), everything. */
export type PermissionMode = 'ask' | 'edits' | 'plan' | 'all';

/** One participant's request. */
export interface Prompt {
  id: string;
  user: string;
  text: string;
  /** The author's member id (our extension; absent from older hosts). */
  member?: string;
}

/** Prompts merged into the text that went to the agent. */
export interface Batch {
  id: string;
  prompts: string[];
  merged: string;
  /** "command" for a host's agent command (its merged text is the command). */
  merger: 'gemini' | 'local' | 'command' | string;
  /** The host who edited it while it waited for approval (our extension); absent when none did, and from older hosts. */
  edited_by?: string;
  /** edited_by's member id (our extension, since 2026-12-07): "edited by you" is told by it. */
  edited_by_member?: string;
  /** The exact text the agent got when it is not merged: a note that the request before failed, then merged (our extension). */
  sent?: string;
}

/** A merged batch waiting for a host's approval. */
export interface Approval {
  batch: string;
  prompts: string[];
  merged: string;
  merger: string;
}

/** A batch a host dropped. */
export interface Rejected {
  batch: string;
  prompts: string[];
  by: string;
  /** by's member id (our extension, since 2026-12-07): "you rejected" is told by it. */
  by_member?: string;
  reason?: string;
}

/** A waiting prompt taken back (Party.withdraw): user wrote it, by took it back. */
export interface Withdrawn {
  prompt: string;
  user: string;
  by: string;
  /** by's member id (from 2026-12-03 hosts). */
  by_member?: string;
  /** Withdrawn by a resume that did not take it up (by: the party's owner), not by a person's hand (from 2026-12-07). */
  resumed?: boolean;
}

/** Statuses of a tool request. */
export type PermissionStatus = 'pending' | 'allowed' | 'denied' | 'timed_out';

/** The agent's request to use a tool, and what was decided. */
export interface Permission {
  id: string;
  tool: string;
  summary: string;
  batch: string;
  status: PermissionStatus | string;
  by?: string;
  /** by's member id, on a decision (our extension, since 2026-12-07): "allowed by you" is told by it. */
  by_member?: string;
  reason?: string;
  /** pending: when it is denied as timed_out if nobody decides (RFC 3339, the host's clock). */
  expires?: string;
  /**
   * pending (our extension, PROTOCOL.md §7): what a host needs beyond the summary, as plain
   * text: the text a Write would write, an Edit's "- old" and "+ new" lines, a Bash
   * command's description, the agent's plan (Markdown).
   */
  detail?: string;
  /** pending (our extension, PROTOCOL.md §7): an "always" for the tool would not cover this request; none is offered. */
  uncovered?: boolean;
}

/** A host's answer to a tool request. */
export type Decision = 'allow' | 'deny' | 'always';

/**
 * Who has "Edit and send…" open on the batch held for approval (party:editing, to a host):
 * this window's member included; [] when nobody. No seq: matched to the card by batch.
 */
export interface Editors {
  batch: string;
  editors: Member[];
}

/** The participant and viewer invites (after NewInvites, and the party:invites event), and
 * the host invite of a party hosted with no terminal of its own, which its hosts see. */
export interface Invites {
  invite: string;
  viewer_invite: string;
  host_invite?: string;
}

/** The outcome of one batch on the agent. */
export interface Turn {
  batch: string;
  status: 'done' | 'error' | 'interrupted' | string;
  duration_ms: number;
  error?: string;
  /** Tool requests of this turn that were denied or timed out. */
  denied?: number;
  /** The agent could not start: this batch's prompts were never sent (they can be sent again). */
  unsent?: boolean;
  /** No agent runs after this turn (it could not start, or not again): "not running", not idle. */
  agent_down?: boolean;
  /** A turn a host stopped (error "stopped by NAME"): that host's member id (our extension, since 2026-12-07). */
  by_member?: string;
}

/** Pipeline phases (State.phase and the phase event). */
export type Phase = 'idle' | 'collecting' | 'merging' | 'awaiting_approval' | 'running' | 'awaiting_permission';

/**
 * One entry of the party's ordered log. Fields beyond seq, ts and kind depend
 * on the kind; unknown kinds and fields are ignored (later versions add them).
 */
export interface PartyEvent {
  seq: number;
  ts: string;
  kind: string;
  joined?: Member;
  left?: Member;
  /** participants: a member whose role changed. */
  changed?: Member;
  count?: number;
  text?: string;
  /**
   * system (our extension, since 2026-12-07): the member whose act the notice says (its
   * text starts with by's name), and the member the act is on; "you" is told by these ids.
   */
  by?: string;
  by_member?: string;
  about?: string;
  about_member?: string;
  /** participants with left (our extension): why the member is gone, from a resumed host. */
  why?: 'host_stopped' | 'party_ended' | 'kicked' | 'connection_lost' | string;
  stream?: 'assistant' | 'tool' | 'stderr' | 'tool_output' | string;
  prompt?: Prompt;
  phase?: Phase | string;
  /** A Batch, except on a retry event, where it is the retried batch's id. */
  batch?: Batch | string;
  turn?: Turn;
  /** An Approval, except on a settings event, where it is the approval mode. */
  approval?: Approval | boolean;
  rejected?: Rejected;
  permission?: Permission;
  /** retry event (our extension): the batch runs again because the host was resumed. */
  resumed?: boolean;
  /** A resumed retry (our extension): how long the first run had run when the host stopped (absent: not known). */
  ran_ms?: number;
  /** withdrawn event (our extension). */
  withdrawn?: Withdrawn;
  /** settings event. */
  permission_mode?: PermissionMode | string;
  /** settings event: the workspace sharing level. */
  workspace?: WorkspaceLevel | string;
  /** settings event: the tools allowed for the rest of the party (absent from older hosts). */
  always?: string[];
  /** settings event: the merger the party uses now (absent from older hosts). */
  merger?: string;
  /** settings event: why this run cannot share its folder, once its first snapshot failed (absent otherwise). */
  share_error?: string;
  /** changes event: the whole current list. */
  files?: FileChange[];
  /** changes event: how many changed files are kept back as secrets (absent: none). */
  hidden?: number;
  /** changes event: how many more changed files there are than it lists (absent: none). */
  more?: number;
}

/** The party as needed to (re)build a view. */
export interface PartyState {
  seq: number;
  phase: Phase | string;
  participants: Member[];
  pending: Prompt[];
  events: PartyEvent[];
  /**
   * Handed to the window (JoinParty, CreateParty, party:state): the events are the party's
   * newest only, its history starts before them (docs/app-api.md).
   */
  truncated: boolean;
}

/** Settings saved in the OS config dir. */
export interface Settings {
  name: string;
  workdir: string;
  window_ms: number;
  min_prompts: number;
  merger: MergerChoice;
  claude_path: string;
  /** Extra Claude Code arguments, shell-like words ("--model opus"); Go checks them. */
  claude_args: string;
  permission_mode: PermissionMode;
  /** Whether new parties start in approval mode. */
  approve: boolean;
  /** A tool request no host decided is denied after this (15 s to 24 h; default 2 minutes). */
  permission_timeout_ms: number;
  /** What new parties show of the working folder. */
  share_workspace: WorkspaceLevel;
  listen: string;
  public_host: string;
  /** Desktop notifications when the window is hidden or unfocused (Go shows none when off). */
  notifications: boolean;
  /** The window's text size in percent, 80 to 150 (state/zoom.ts); saved alone by SetZoom. */
  zoom: number;
}

/** The merger a host asks for; "auto" means Gemini when a key is available. */
export type MergerChoice = 'auto' | 'gemini' | 'local';

/** Where the Gemini key comes from; never the key itself. */
export interface KeyStatus {
  source: 'env' | 'keyring' | 'none';
  keyring_available: boolean;
  keyring_error: string;
  legacy_file: string;
  /**
   * The keyring's key was saved while Google could not be asked whether it works, and
   * nothing has said so since (a Check, or a party's merge with Gemini).
   */
  unchecked: boolean;
  /** What saving the key had to say (SetKey only): why it is unchecked. */
  note?: string;
  /**
   * The note says Google refused this use of the key (its project or restrictions; the key
   * is stored all the same), not that Google could not be asked (SetKey only).
   */
  note_refused?: boolean;
  /**
   * Google refused the key in use now as a key when it was last checked (Settings' Check,
   * `concordia key check` or a party's merge, in this window or another process): when that
   * was and what to do, in the words `concordia key status` uses. Absent when no refusal of
   * it is noted, or Google has accepted it since.
   */
  refused?: string;
}

/** What Google said about the Gemini key (CheckKey). */
export interface KeyCheck {
  result: 'accepted' | 'refused' | 'rejected' | 'unavailable' | string;
  /** A sentence for the person, with the way on. */
  text: string;
  /**
   * A "refused" for this use only (Go's merge.ErrKeyDenied: the key's project or
   * restrictions): the key itself need not change, so nothing may say to replace it.
   */
  denied?: boolean;
  /**
   * The window's own mark, never Go's: the answer came with the key just saved (SetKey),
   * not a Check of the key there was. A party this window hosts that merges locally uses a
   * newly saved key from its next batch of two or more prompts (PROTOCOL.md §7).
   */
  saved?: true;
}

/** Whether a system tray icon could be shown. */
export interface TrayStatus {
  available: boolean;
  reason: string;
}

/** What Boot() returns once at start. */
export interface BootInfo {
  settings: Settings;
  key: KeyStatus;
  version: string;
  link: string;
  tray: TrayStatus;
  /** The user's home folder ("" when unknown). */
  home: string;
  /** The notes a person dismissed (DismissNote): they stay hidden. */
  dismissed: string[] | null;
}

/** CreateParty's argument. */
export interface CreateRequest {
  name: string;
  workdir: string;
  window_ms: number;
  min_prompts: number;
  merger: string;
  claude_path: string;
  permission_mode: PermissionMode;
  claude_args: string;
  approve: boolean;
  /** An undecided tool request is denied after this (15 s to 24 h); omitted or 0 = the saved setting. */
  permission_timeout_ms?: number;
  /** Omitted or "" = the saved setting. */
  share_workspace?: WorkspaceLevel | '';
}

/** The name this computer last joined a party under, and the role it last had there (Go: session.JoinedAs). */
export interface JoinedAs {
  /** "" when none is known. */
  name: string;
  /** "" when not known (a membership kept before roles were). */
  role: Role | '';
}

/**
 * A party this window takes part in, as CreateParty and JoinParty return it. role says
 * how the window is in it ("host": it runs the party; "participant": it joined one); the
 * person's own role is you.role, which participants events with "changed" update.
 */
export interface Session {
  role: 'host' | 'participant';
  you: Member;
  party: PartyInfo;
  invite: string;
  /** "" when this window does not know it (a joined member, until it makes new invites). */
  viewer_invite: string;
  state: PartyState;
  /** The name asked for, when the host gave another (it was taken); left out otherwise. */
  asked_name?: string;
  /** Joined: this window came back as the member it was the last time (Go keeps it per link and name). */
  rejoined?: boolean;
  /** Why the participant invite made this window a viewer (the hello's viewer_kept): the viewer it was came back, or it was a viewer when a host removed it; left out otherwise. */
  viewer_kept?: 'returned' | 'removed';
  /** With asked_name: this window's data directory was a member of that name, maybe a co-host whose seat this invite cannot bring back. */
  seat_not_back?: boolean;
  /** Joined, and this window could not keep its membership (a full disk): Go's sentence saying so; left out when kept. */
  not_kept?: string;
  /** Joined as someone new because a host had removed the member this window was: Go's sentence saying who; left out otherwise. */
  removed?: string;
  /** The connection when it is not connected (CurrentParty of a joined party reconnecting); left out when connected. */
  status?: PartyStatus;
  /** What the prompt box held unsent (KeepDraft), given back by CurrentParty; left out when empty. */
  draft?: string;
  /** Hosted: the merger the party was hosted with (a resumed one's from its journal); left out when joined. */
  merge_mode?: MergerChoice;
  /** Hosted: what its owner can do about a folder that could not be shared (Go's host.ShareFix); never given to a joined window. */
  share_fix?: string;
}

/** SendPrompt's reply: the prompt's id and its event's seq. */
export interface PromptAck {
  id: string;
  seq: number;
}

/** Connection states of the party:status event. */
export type ConnStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The party:status event's payload. */
export interface PartyStatus {
  status: ConnStatus;
  attempt: number;
  error: string;
  retry_ms: number;
  /** How far a catch-up of the party's history has come, while it takes more than a moment. */
  history?: HistoryProgress;
}

/** A catch-up's events: have of of are in. */
export interface HistoryProgress {
  have: number;
  of: number;
}

/** The party:ended event's payload. */
export interface PartyEnded {
  reason: string;
  /** A host removed this window's person from the party. */
  kicked?: boolean;
}
