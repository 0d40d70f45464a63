// Types that cross the boundary between Go and the window: the wire shapes of
// PROTOCOL.md §4–§5 and the binding shapes of docs/app-api.md. They mirror the
// Go structs field for field (snake_case JSON names); nothing here has behaviour.

/** A person in the party. */
export interface Member {
  id: string;
  name: string;
  role: 'host' | 'participant';
}

/** The party as the hello reply describes it. */
export interface PartyInfo {
  id: string;
  host: string;
  window_ms: number;
  min_prompts: number;
  merger: 'gemini' | 'local';
  agent: string;
}

/** One participant's request. */
export interface Prompt {
  id: string;
  user: string;
  text: string;
}

/** Prompts merged into the text that went to the agent. */
export interface Batch {
  id: string;
  prompts: string[];
  merged: string;
  merger: 'gemini' | 'local';
}

/** The outcome of one batch on the agent. */
export interface Turn {
  batch: string;
  status: 'done' | 'error' | 'interrupted' | string;
  duration_ms: number;
  error?: string;
}

/** Pipeline phases (State.phase and the phase event). */
export type Phase = 'idle' | 'collecting' | 'merging' | 'awaiting_approval' | 'running';

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
  count?: number;
  text?: string;
  stream?: 'assistant' | 'tool' | 'stderr' | string;
  prompt?: Prompt;
  phase?: Phase | string;
  batch?: Batch;
  turn?: Turn;
}

/** The party as needed to (re)build a view. */
export interface PartyState {
  seq: number;
  phase: Phase | string;
  participants: Member[];
  pending: Prompt[];
  events: PartyEvent[];
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
  listen: string;
  public_host: string;
}

/** The merger a host asks for; "auto" means Gemini when a key is available. */
export type MergerChoice = 'auto' | 'gemini' | 'local';

/** Where the Gemini key comes from; never the key itself. */
export interface KeyStatus {
  source: 'env' | 'keyring' | 'none';
  keyring_available: boolean;
  keyring_error: string;
  legacy_file: string;
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
}

/** CreateParty's argument. */
export interface CreateRequest {
  name: string;
  workdir: string;
  window_ms: number;
  min_prompts: number;
  merger: string;
  claude_path: string;
}

/** A party this window takes part in, as CreateParty and JoinParty return it. */
export interface Session {
  role: 'host' | 'participant';
  you: Member;
  party: PartyInfo;
  invite: string;
  state: PartyState;
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
}

/** The party:ended event's payload. */
export interface PartyEnded {
  reason: string;
}
