// FakeBackend is a Backend for unit tests: every method records its call and
// answers from a per-method handler the test sets; emit() delivers events to
// whoever subscribed, exactly as Wails would.

import type { Backend, BackendEventName, BackendEvents } from './backend';
import type {
  JoinedAs,
  BootInfo,
  CreateRequest,
  Decision,
  KeyCheck,
  KeyStatus,
  PartyState,
  PromptAck,
  Session,
  Settings,
  WorkspaceLevel,
} from './types';

type Handlers = { [K in keyof Omit<Backend, 'on'>]: Backend[K] };

/** Settings a fake Boot returns unless a test says otherwise. */
export const fakeSettings: Settings = {
  name: 'ann',
  workdir: '/home/ann/src',
  window_ms: 3000,
  min_prompts: 1,
  merger: 'auto',
  claude_path: '',
  claude_args: '',
  permission_mode: 'ask',
  approve: false,
  permission_timeout_ms: 120_000,
  share_workspace: 'changes',
  listen: ':8765',
  public_host: '',
  notifications: true,
  zoom: 100,
};

/** A key status with no key anywhere. */
export const noKey: KeyStatus = { source: 'none', keyring_available: true, keyring_error: '', legacy_file: '', unchecked: false };

/** An empty party state. */
export function emptyState(over: Partial<PartyState> = {}): PartyState {
  return { seq: 0, phase: 'idle', participants: [], pending: [], events: [], truncated: false, ...over };
}

/** A session for the given role, with an empty state unless given. */
export function fakeSession(role: 'host' | 'participant', state: PartyState = emptyState()): Session {
  return {
    role,
    you: { id: 'm1', name: 'ann', role },
    party: { id: 'p1', host: 'hostbox', window_ms: 3000, min_prompts: 1, merger: 'local', agent: 'claude-code', approval: false, permission_mode: 'ask' },
    invite: 'concordia://hostbox:8765/tok?fp=ab',
    viewer_invite: role === 'host' ? 'concordia://hostbox:8765/vtok?fp=ab' : '',
    state,
  };
}

/** A fake of the Go side. */
export class FakeBackend implements Backend {
  /** Every call, in order, as [method, args]. */
  calls: Array<[string, unknown[]]> = [];
  readonly #subs = new Map<string, Set<(p: never) => void>>();

  handlers: Handlers = {
    Boot: async (): Promise<BootInfo> => ({
      settings: fakeSettings,
      key: noKey,
      version: 'test',
      link: '',
      tray: { available: true, reason: '' },
      home: '/home/test',
      dismissed: [],
    }),
    GetSettings: async () => fakeSettings,
    SaveSettings: async (s: Settings) => s,
    SetZoom: async (percent: number) => percent,
    KeyStatus: async () => noKey,
    SetKey: async () => ({ ...noKey, source: 'keyring' }),
    DeleteKey: async () => noKey,
    CheckKey: async (): Promise<KeyCheck> => ({ result: 'accepted', text: 'Google accepted this key.' }),
    PickDirectory: async () => '',
    ClipboardInvite: async () => '',
    CheckInvite: async () => '',
    InviteWarning: async () => '',
    JoinName: async (): Promise<JoinedAs> => ({ name: '', role: '' }),
    CheckCreate: async (_req: CreateRequest) => '',
    PickClaude: async () => '',
    CreateParty: async (_req: CreateRequest) => fakeSession('host'),
    CurrentParty: async (): Promise<Session | null> => null,
    KeepDraft: async (_text: string) => {},
    JoinParty: async () => fakeSession('participant'),
    CancelJoin: async () => {},
    SendPrompt: async (): Promise<PromptAck> => ({ id: 'x', seq: 1 }),
    WithdrawPrompt: async (_id: string) => {},
    Leave: async () => {},
    EndParty: async () => {},
    CopyInvite: async () => {},
    CopyViewerInvite: async () => {},
    CopyHostInvite: async () => {},
    SetApproval: async () => {},
    SetPermissionMode: async () => {},
    ApproveBatch: async () => {},
    ApproveEditedBatch: async () => {},
    RejectBatch: async () => {},
    EditingBatch: async () => {},
    StopTurn: async () => {},
    SendNow: async () => {},
    DecidePermission: async () => {},
    RevokeAlways: async () => {},
    RetryNow: async () => {},
    SetRole: async () => {},
    Kick: async () => {},
    NewInvites: async () => ({ invite: 'concordia://hostbox:8765/new?fp=ab', viewer_invite: 'concordia://hostbox:8765/newv?fp=ab' }),
    AgentCommand: async () => {},
    Notify: async () => {},
    RecentParties: async () => [],
    ResumeUnanswered: async (_id: string) => ({ text: '', prompts: [] }),
    ForgetParty: async (_id: string) => {},
    ExportParty: async (_id: string) => '/home/ann/concordia-ann.md',
    ResumeParty: async () => fakeSession('host'),
    Changes: async () => ({ files: [], base: 'the start' }),
    Diff: async (path: string) => ({ path, diff: '', truncated: false, binary: false }),
    Tree: async () => ({ entries: [] }),
    SetWorkspace: async () => {},
    SaveTranscript: async () => '/home/ann/party.md',
    DismissParty: async () => {},
    DismissNote: async () => {},
  };

  #call<K extends keyof Handlers>(name: K, ...args: Parameters<Handlers[K]>): ReturnType<Handlers[K]> {
    this.calls.push([name, args]);
    const fn = this.handlers[name] as (...a: unknown[]) => ReturnType<Handlers[K]>;
    return fn(...args);
  }

  /** How many calls of a method were made. */
  count(name: keyof Handlers): number {
    return this.calls.filter(([n]) => n === name).length;
  }

  Boot() { return this.#call('Boot'); }
  GetSettings() { return this.#call('GetSettings'); }
  SaveSettings(s: Settings) { return this.#call('SaveSettings', s); }
  SetZoom(percent: number) { return this.#call('SetZoom', percent); }
  KeyStatus() { return this.#call('KeyStatus'); }
  SetKey(k: string) { return this.#call('SetKey', k); }
  DeleteKey() { return this.#call('DeleteKey'); }
  CheckKey() { return this.#call('CheckKey'); }
  PickDirectory(s: string) { return this.#call('PickDirectory', s); }
  ClipboardInvite() { return this.#call('ClipboardInvite'); }
  CheckInvite(t: string) { return this.#call('CheckInvite', t); }
  InviteWarning(t: string) { return this.#call('InviteWarning', t); }
  JoinName(t: string) { return this.#call('JoinName', t); }
  CheckCreate(r: CreateRequest) { return this.#call('CheckCreate', r); }
  PickClaude(c: string) { return this.#call('PickClaude', c); }
  CreateParty(r: CreateRequest) { return this.#call('CreateParty', r); }
  CurrentParty() { return this.#call('CurrentParty'); }
  KeepDraft(t: string) { return this.#call('KeepDraft', t); }
  JoinParty(i: string, n: string) { return this.#call('JoinParty', i, n); }
  CancelJoin() { return this.#call('CancelJoin'); }
  SendPrompt(t: string) { return this.#call('SendPrompt', t); }
  WithdrawPrompt(id: string) { return this.#call('WithdrawPrompt', id); }
  Leave() { return this.#call('Leave'); }
  EndParty() { return this.#call('EndParty'); }
  CopyInvite() { return this.#call('CopyInvite'); }
  CopyViewerInvite() { return this.#call('CopyViewerInvite'); }
  CopyHostInvite() { return this.#call('CopyHostInvite'); }
  SetApproval(on: boolean) { return this.#call('SetApproval', on); }
  SetPermissionMode(mode: string) { return this.#call('SetPermissionMode', mode); }
  ApproveBatch(b: string) { return this.#call('ApproveBatch', b); }
  ApproveEditedBatch(b: string, t: string) { return this.#call('ApproveEditedBatch', b, t); }
  RejectBatch(b: string, r: string) { return this.#call('RejectBatch', b, r); }
  EditingBatch(b: string, on: boolean) { return this.#call('EditingBatch', b, on); }
  StopTurn() { return this.#call('StopTurn'); }
  SendNow() { return this.#call('SendNow'); }
  DecidePermission(id: string, d: Decision, r: string) { return this.#call('DecidePermission', id, d, r); }
  RevokeAlways(tool: string) { return this.#call('RevokeAlways', tool); }
  RetryNow() { return this.#call('RetryNow'); }
  SetRole(m: string, r: string) { return this.#call('SetRole', m, r); }
  Kick(m: string, r: string) { return this.#call('Kick', m, r); }
  NewInvites() { return this.#call('NewInvites'); }
  AgentCommand(c: string) { return this.#call('AgentCommand', c); }
  Notify(t: string, b: string) { return this.#call('Notify', t, b); }
  RecentParties() { return this.#call('RecentParties'); }
  ResumeUnanswered(id: string) { return this.#call('ResumeUnanswered', id); }
  ForgetParty(id: string) { return this.#call('ForgetParty', id); }
  ExportParty(id: string) { return this.#call('ExportParty', id); }
  ResumeParty(id: string, w: WorkspaceLevel | '', without: boolean, askedAt: number) { return this.#call('ResumeParty', id, w, without, askedAt); }
  Changes() { return this.#call('Changes'); }
  Diff(p: string) { return this.#call('Diff', p); }
  Tree(p: string) { return this.#call('Tree', p); }
  SetWorkspace(l: string) { return this.#call('SetWorkspace', l); }
  SaveTranscript() { return this.#call('SaveTranscript'); }
  DismissParty() { return this.#call('DismissParty'); }
  DismissNote(k: string) { return this.#call('DismissNote', k); }

  on<K extends BackendEventName>(name: K, handler: (payload: BackendEvents[K]) => void): () => void {
    let set = this.#subs.get(name);
    if (!set) this.#subs.set(name, (set = new Set()));
    const h = handler as (p: never) => void;
    set.add(h);
    return () => set.delete(h);
  }

  /** Delivers an event to its current subscribers. */
  emit<K extends BackendEventName>(name: K, payload: BackendEvents[K]): void {
    for (const h of [...(this.#subs.get(name) ?? [])]) (h as (p: BackendEvents[K]) => void)(payload);
  }

  /** How many handlers are subscribed to an event. */
  listeners(name: BackendEventName): number {
    return this.#subs.get(name)?.size ?? 0;
  }
}

/** A promise with its resolve/reject exposed, for controlling call timing. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
