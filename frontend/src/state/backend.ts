// The Backend is everything the window can ask of Go (docs/app-api.md): the
// bound methods of app.App and the Wails events. Only the state module holds a
// Backend; tests and the demo pass their own implementation.

import type {
  BootInfo,
  ChangesResult,
  CreateRequest,
  FileDiff,
  TreeResult,
  Decision,
  Editors,
  Invites,
  JoinedAs,
  PartyInfo,
  KeyCheck,
  KeyStatus,
  PartyEnded,
  PartyEvent,
  PartyState,
  PartyStatus,
  PromptAck,
  Session,
  Settings,
  TrayStatus,
  WorkspaceLevel,
} from './types';
import type { RecentParty, Unanswered } from './recent-parties';
import { withoutBidi } from './bidi';

/** Payload type of each event Go emits to the window. */
export interface BackendEvents {
  'party:event': PartyEvent;
  'party:state': PartyState;
  /** After a party:state: the party as the reconnect's hello describes it. */
  'party:info': PartyInfo;
  'party:status': PartyStatus;
  'party:ended': PartyEnded;
  'party:invites': Invites;
  /** To a host: who edits the prompt held for approval (no seq; matched by batch). */
  'party:editing': Editors;
  /** To the window that runs the party only: what its owner can do about a folder that could not be shared. */
  'party:sharefix': string;
  'app:link': string;
  'tray:status': TrayStatus;
  /** The tray's End party…: open the End party dialog (the window was brought forward). */
  'tray:end-party': null;
}

/** Name of an event Go emits to the window. */
export type BackendEventName = keyof BackendEvents;

/**
 * The Go side as the window sees it. Every method returns a promise; a
 * rejected promise carries a sentence meant for a person.
 */
export interface Backend {
  Boot(): Promise<BootInfo>;
  GetSettings(): Promise<Settings>;
  SaveSettings(s: Settings): Promise<Settings>;
  /** Saves the window's text size alone (percent, 80 to 150); resolves to the size saved. */
  SetZoom(percent: number): Promise<number>;
  KeyStatus(): Promise<KeyStatus>;
  SetKey(key: string): Promise<KeyStatus>;
  DeleteKey(): Promise<KeyStatus>;
  /** Asks Google whether the key works (one request, no tokens); rejects when there is none. */
  CheckKey(): Promise<KeyCheck>;
  PickDirectory(start: string): Promise<string>;
  ClipboardInvite(): Promise<string>;
  CheckInvite(text: string): Promise<string>;
  /** Of a valid invite: what may still be wrong (a token unlike Concordia's, as a link cut short has); "" when nothing. */
  InviteWarning(text: string): Promise<string>;
  /** The name this computer last joined the party of a valid invite under, and the role it last had; name "" when none is known. */
  JoinName(text: string): Promise<JoinedAs>;
  /** What is wrong with the Create party form, as CreateParty would say; "" when nothing. */
  CheckCreate(req: CreateRequest): Promise<string>;
  /** The native file dialog for the Claude Code program; "" when cancelled. */
  PickClaude(current: string): Promise<string>;
  CreateParty(req: CreateRequest): Promise<Session>;
  /** The party the window is in, for a page loaded again while it runs; null when none. */
  CurrentParty(): Promise<Session | null>;
  /** Keeps what the prompt box holds unsent, in Go's memory, for a page loaded again (CurrentParty's draft). */
  KeepDraft(text: string): Promise<void>;
  JoinParty(invite: string, name: string): Promise<Session>;
  /** Ends a JoinParty in flight, which then fails with "You cancelled the join."; else nothing. */
  CancelJoin(): Promise<void>;
  SendPrompt(text: string): Promise<PromptAck>;
  /** Takes back a prompt no batch has taken yet (one's own, or anyone's for a host). */
  WithdrawPrompt(id: string): Promise<void>;
  Leave(): Promise<void>;
  EndParty(): Promise<void>;
  CopyInvite(): Promise<void>;
  CopyViewerInvite(): Promise<void>;
  CopyHostInvite(): Promise<void>;
  // Host methods (PROTOCOL.md §7): a host of the party only; the party checks the role.
  SetApproval(on: boolean): Promise<void>;
  /** What the agent may do without asking: "ask", "edits", "plan" or "all" (Go checks it). */
  SetPermissionMode(mode: string): Promise<void>;
  ApproveBatch(batch: string): Promise<void>;
  ApproveEditedBatch(batch: string, text: string): Promise<void>;
  RejectBatch(batch: string, reason: string): Promise<void>;
  /** Tells the other hosts this window opened (true) or closed "Edit and send…" on batch. */
  EditingBatch(batch: string, editing: boolean): Promise<void>;
  StopTurn(): Promise<void>;
  /** Sends the prompts waiting for a batch without waiting for the window or min prompts. */
  SendNow(): Promise<void>;
  DecidePermission(id: string, decision: Decision, reason: string): Promise<void>;
  /** Tries to reach the host at once while reconnecting. */
  RetryNow(): Promise<void>;
  /** Makes a tool allowed with "Always allow" ask again. */
  RevokeAlways(tool: string): Promise<void>;
  SetRole(member: string, role: string): Promise<void>;
  Kick(member: string, reason: string): Promise<void>;
  NewInvites(): Promise<Invites>;
  AgentCommand(command: string): Promise<void>;
  /** Shows a desktop notification (best effort). */
  Notify(title: string, body: string): Promise<void>;
  /** The parties kept in the data directory, the most recently active first (ten at most). */
  RecentParties(): Promise<RecentParty[]>;
  /**
   * What resuming the party would take up at once, read from its journal: prompts that
   * never reached the agent and a turn cut short (text "" = nothing). Asked on Resume only.
   */
  ResumeUnanswered(id: string): Promise<Unanswered>;
  /**
   * Deletes a party that is not running from the data directory: its journal (transcript,
   * invites, members' sessions) and workspace record. It can no longer be resumed.
   */
  ForgetParty(id: string): Promise<void>;
  /**
   * Asks where (a native dialog) and saves a recent party's transcript as Markdown, from its
   * journal (as `concordia export`); the path, or "" when cancelled.
   */
  ExportParty(id: string): Promise<string>;
  /**
   * Brings a party back from its journal, this window's person its host again; shareAtMost
   * caps what it shares of its folder ("" = the level it had).
   */
  ResumeParty(id: string, shareAtMost: WorkspaceLevel | '', without: boolean, askedAt: number): Promise<Session>;
  // The workspace (PROTOCOL.md §9): every member, at the level the host shares.
  Changes(): Promise<ChangesResult>;
  Diff(path: string): Promise<FileDiff>;
  Tree(path: string): Promise<TreeResult>;
  /** A host: "off", "changes" or "tree". */
  SetWorkspace(level: string): Promise<void>;
  /** Asks where (a native dialog) and saves the transcript as Markdown; the path, or "" when cancelled. */
  SaveTranscript(): Promise<string>;
  /** Forgets the ended party's transcript (the person went home). */
  DismissParty(): Promise<void>;
  /** Remembers that the note known by key (its text) was dismissed, across restarts. */
  DismissNote(key: string): Promise<void>;

  /** Subscribes to an event; the returned function unsubscribes exactly this handler. */
  on<K extends BackendEventName>(name: K, handler: (payload: BackendEvents[K]) => void): () => void;
}

/** The bindings whose results carry what peers said (a party's state and history, invites, names). */
const PEER_RESULTS = new Set(['CreateParty', 'CurrentParty', 'JoinParty', 'ResumeParty', 'Changes', 'SendPrompt', 'NewInvites', 'RecentParties', 'ResumeUnanswered']);

/** The shape of the bound struct Wails puts at window.go.app.App. */
type BoundApp = Omit<Backend, 'on'>;

/** The subset of the Wails runtime (window.runtime) used here. */
interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | undefined;
  EventsOff(name: string, ...more: string[]): void;
}

declare global {
  interface Window {
    go?: { app?: { App?: BoundApp } };
    runtime?: WailsRuntime;
  }
}

/** Reports whether the window runs inside Wails with the app bindings present. */
export function wailsAvailable(w: Window = window): boolean {
  return Boolean(w.go?.app?.App && w.runtime);
}

/**
 * Turns whatever a rejected binding call carries into a sentence. Wails
 * rejects with the Go error's text as a plain string; other code throws Errors.
 */
export function errorText(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
    return err.message;
  }
  return String(err);
}

/**
 * WailsBackend calls the bindings the way Wails' generated wrappers do
 * (window.go.app.App.Method(...)), so it works whether or not
 * frontend/wailsjs/ has been generated.
 */
export class WailsBackend implements Backend {
  readonly #w: Window;

  constructor(w: Window = window) {
    this.#w = w;
  }

  /**
   * The bindings. What the ones in PEER_RESULTS return comes from peers, and every refusal
   * may quote one: those are handed on without bidi controls (bidi.ts). The others' results
   * are this computer's own (settings, a folder picked) or a path's (Tree, Diff), which
   * the window shows with showBidi and hands back to Go as they are.
   */
  get #app(): BoundApp {
    const app = this.#w.go?.app?.App;
    if (!app) throw new Error('The Concordia backend is not available in this window.');
    return new Proxy(app, {
      get(target, name, receiver) {
        const f: unknown = Reflect.get(target, name, receiver);
        if (typeof f !== 'function') return f;
        const result = PEER_RESULTS.has(String(name)) ? withoutBidi : <T>(v: T) => v;
        return (...args: unknown[]) =>
          Promise.resolve((f as (...a: unknown[]) => unknown).apply(target, args)).then(result, (err: unknown) => Promise.reject(withoutBidi(err)));
      },
    });
  }

  Boot(): Promise<BootInfo> {
    return this.#app.Boot();
  }
  GetSettings(): Promise<Settings> {
    return this.#app.GetSettings();
  }
  SaveSettings(s: Settings): Promise<Settings> {
    return this.#app.SaveSettings(s);
  }
  SetZoom(percent: number): Promise<number> {
    return this.#app.SetZoom(percent);
  }
  KeyStatus(): Promise<KeyStatus> {
    return this.#app.KeyStatus();
  }
  SetKey(key: string): Promise<KeyStatus> {
    return this.#app.SetKey(key);
  }
  DeleteKey(): Promise<KeyStatus> {
    return this.#app.DeleteKey();
  }
  CheckKey(): Promise<KeyCheck> {
    return this.#app.CheckKey();
  }
  PickDirectory(start: string): Promise<string> {
    return this.#app.PickDirectory(start);
  }
  ClipboardInvite(): Promise<string> {
    return this.#app.ClipboardInvite();
  }
  CheckInvite(text: string): Promise<string> {
    return this.#app.CheckInvite(text);
  }
  InviteWarning(text: string): Promise<string> {
    return this.#app.InviteWarning(text);
  }
  async JoinName(text: string): Promise<JoinedAs> {
    const j = await this.#app.JoinName(text);
    return { name: j.name, role: j.role === 'host' || j.role === 'participant' || j.role === 'viewer' ? j.role : '' };
  }
  CheckCreate(req: CreateRequest): Promise<string> {
    return this.#app.CheckCreate(req);
  }
  PickClaude(current: string): Promise<string> {
    return this.#app.PickClaude(current);
  }
  CreateParty(req: CreateRequest): Promise<Session> {
    return this.#app.CreateParty(req);
  }
  CurrentParty(): Promise<Session | null> {
    return this.#app.CurrentParty();
  }
  KeepDraft(text: string): Promise<void> {
    return this.#app.KeepDraft(text);
  }
  JoinParty(invite: string, name: string): Promise<Session> {
    return this.#app.JoinParty(invite, name);
  }
  CancelJoin(): Promise<void> {
    return this.#app.CancelJoin();
  }
  SendPrompt(text: string): Promise<PromptAck> {
    return this.#app.SendPrompt(text);
  }
  WithdrawPrompt(id: string): Promise<void> {
    return this.#app.WithdrawPrompt(id);
  }
  Leave(): Promise<void> {
    return this.#app.Leave();
  }
  EndParty(): Promise<void> {
    return this.#app.EndParty();
  }
  CopyInvite(): Promise<void> {
    return this.#app.CopyInvite();
  }
  CopyViewerInvite(): Promise<void> {
    return this.#app.CopyViewerInvite();
  }
  CopyHostInvite(): Promise<void> {
    return this.#app.CopyHostInvite();
  }
  SetApproval(on: boolean): Promise<void> {
    return this.#app.SetApproval(on);
  }
  SetPermissionMode(mode: string): Promise<void> {
    return this.#app.SetPermissionMode(mode);
  }
  ApproveBatch(batch: string): Promise<void> {
    return this.#app.ApproveBatch(batch);
  }
  ApproveEditedBatch(batch: string, text: string): Promise<void> {
    return this.#app.ApproveEditedBatch(batch, text);
  }
  RejectBatch(batch: string, reason: string): Promise<void> {
    return this.#app.RejectBatch(batch, reason);
  }
  EditingBatch(batch: string, editing: boolean): Promise<void> {
    return this.#app.EditingBatch(batch, editing);
  }
  StopTurn(): Promise<void> {
    return this.#app.StopTurn();
  }
  SendNow(): Promise<void> {
    return this.#app.SendNow();
  }
  DecidePermission(id: string, decision: Decision, reason: string): Promise<void> {
    return this.#app.DecidePermission(id, decision, reason);
  }
  RetryNow(): Promise<void> {
    return this.#app.RetryNow();
  }
  RevokeAlways(tool: string): Promise<void> {
    return this.#app.RevokeAlways(tool);
  }
  SetRole(member: string, role: string): Promise<void> {
    return this.#app.SetRole(member, role);
  }
  Kick(member: string, reason: string): Promise<void> {
    return this.#app.Kick(member, reason);
  }
  NewInvites(): Promise<Invites> {
    return this.#app.NewInvites();
  }
  AgentCommand(command: string): Promise<void> {
    return this.#app.AgentCommand(command);
  }
  Notify(title: string, body: string): Promise<void> {
    return this.#app.Notify(title, body);
  }
  RecentParties(): Promise<RecentParty[]> {
    return this.#app.RecentParties();
  }
  ResumeUnanswered(id: string): Promise<Unanswered> {
    return this.#app.ResumeUnanswered(id);
  }
  ForgetParty(id: string): Promise<void> {
    return this.#app.ForgetParty(id);
  }
  ExportParty(id: string): Promise<string> {
    return this.#app.ExportParty(id);
  }
  ResumeParty(id: string, shareAtMost: WorkspaceLevel | '', without: boolean, askedAt: number): Promise<Session> {
    return this.#app.ResumeParty(id, shareAtMost, without, askedAt);
  }
  Changes(): Promise<ChangesResult> {
    return this.#app.Changes();
  }
  Diff(path: string): Promise<FileDiff> {
    return this.#app.Diff(path);
  }
  Tree(path: string): Promise<TreeResult> {
    return this.#app.Tree(path);
  }
  SetWorkspace(level: string): Promise<void> {
    return this.#app.SetWorkspace(level);
  }
  SaveTranscript(): Promise<string> {
    return this.#app.SaveTranscript();
  }
  DismissParty(): Promise<void> {
    return this.#app.DismissParty();
  }
  DismissNote(key: string): Promise<void> {
    return this.#app.DismissNote(key);
  }

  on<K extends BackendEventName>(name: K, handler: (payload: BackendEvents[K]) => void): () => void {
    const rt = this.#w.runtime;
    if (!rt) return () => {};
    // Wails passes the emitted values as separate arguments; each of our events carries one.
    const cancel = rt.EventsOn(name, (...data: unknown[]) => handler(withoutBidi(data[0]) as BackendEvents[K]));
    // EventsOn returns a canceller for this listener in Wails v2.x; EventsOff(name)
    // would drop every listener of the name, so it is only the fallback.
    return typeof cancel === 'function' ? cancel : () => rt.EventsOff(name);
  }
}
