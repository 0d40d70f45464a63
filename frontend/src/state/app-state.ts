// AppState is the window's one state module (the restic-browser pattern): it
// owns every call into Go and every event subscription, and holds everything
// the components render. Components read its fields, call its methods, and
// re-render when it notifies; they never talk to Go themselves.
//
// Concurrency: JavaScript runs it on one thread; the only hazard is promises
// resolving out of order, which the request counters (#checkSeq, #partyGen)
// guard against.

import { errorText, type Backend, type BackendEvents } from './backend';
import { TranscriptModel, parseTS, type TranscriptItem } from './transcript';
import { HostControl } from './host-control';
import { RecentPartiesState } from './recent-parties';
import { WorkspaceState } from './workspace';
import { attentionFor, attentionForEnd, type Attention } from './attention';
import { Notices, type Notice } from './notices';
import { CreateFormCheck, localCreateProblem } from './create-form';
import { inviteWarning, isInviteLink } from './join';
import type {
  BootInfo,
  ConnStatus,
  CreateRequest,
  Invites,
  KeyStatus,
  Member,
  PartyEnded,
  PartyEvent,
  PartyInfo,
  PartyState,
  PartyStatus,
  Prompt,
  Session,
  Settings,
  TrayStatus,
} from './types';

/** Which screen the window shows. */
export type Screen = 'home' | 'party';

export type { Notice } from './notices';

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
}

/** The connection to the party, from party:status. */
export interface Connection {
  status: ConnStatus;
  attempt: number;
  error: string;
  retryMs: number;
}

/** Where invite validation stands. */
export type InviteCheck = 'empty' | 'checking' | 'valid' | 'invalid';

/** The join dialog's state. */
export interface JoinState {
  open: boolean;
  invite: string;
  name: string;
  check: InviteCheck;
  /** Exactly what is wrong with the invite when check is "invalid". */
  problem: string;
  busy: boolean;
  /** Why the last join failed (unreachable, fingerprint mismatch, refused token…). */
  error: string;
  /** Said of a valid invite before connecting (no ?fp=: not encrypted, or cut short). */
  warning: string;
  /** The person typed or pasted in the field: opening the dialog keeps their text. */
  typed: boolean;
}

/** Options for tests: the clock and the invite-check debounce. */
export interface AppStateOptions {
  now?: () => number;
  checkDelayMs?: number;
  /** Whether the person is looking at the window (no notification then). */
  attentive?: () => boolean;
}

/** Why a viewer's prompt box is disabled. */
export const VIEWER_REASON = "You're watching: viewers can't send prompts. A host can make you a participant.";

/** The window is visible and focused. */
function documentAttentive(): boolean {
  return typeof document === 'undefined' || (!document.hidden && document.hasFocus());
}

/** Largest prompt in bytes of UTF-8 (PROTOCOL.md §4). */
export const MAX_PROMPT_BYTES = 32768;

/** Field name → problem, for settings validation. */
export type SettingsProblems = Partial<Record<keyof Settings, string>>;

/**
 * Checks settings before they go to Go (which checks again). It catches what a
 * person can fix in the form: bad numbers and a malformed listen address.
 */
export function validateSettings(s: Settings): SettingsProblems {
  const p: SettingsProblems = {};
  if (!Number.isFinite(s.window_ms) || s.window_ms < 100) p.window_ms = 'The window must be at least 0.1 seconds.';
  else if (s.window_ms > 10 * 60 * 1000) p.window_ms = 'The window can be at most 600 seconds.';
  if (!Number.isInteger(s.min_prompts) || s.min_prompts < 1) p.min_prompts = 'Min prompts must be a whole number, 1 or more.';
  if (!['auto', 'gemini', 'local'].includes(s.merger)) p.merger = 'Choose auto, gemini or local.';
  const listen = s.listen.trim();
  if (listen !== '') {
    const m = /^(.*):(\d{1,5})$/.exec(listen);
    if (!m || Number(m[2]) > 65535) p.listen = 'Use HOST:PORT or :PORT, e.g. ":8765" or "127.0.0.1:0".';
  }
  if (/\s/.test(s.public_host.trim())) p.public_host = 'The public host cannot contain spaces.';
  return p;
}

/** Says where the Gemini key comes from, for the home card and settings. */
export function describeKey(k: KeyStatus | null): string {
  if (!k) return 'Gemini key: unknown';
  switch (k.source) {
    case 'env':
      return 'Gemini key: from GEMINI_API_KEY';
    case 'keyring':
      return 'Gemini key: in the OS keyring';
    default:
      return 'Gemini key: none — merging locally';
  }
}

/** Why a party ended, from a party:ended event (a clause: "the host ended the party"). */
function endedReason(e: PartyEnded): string {
  if (e.kicked) return 'a host removed you from the party';
  return e.reason || 'the connection to the host closed';
}

/** The party is over; the window keeps its transcript until the person goes home. */
export interface Ended {
  /** Why, as a clause: "the host ended the party". */
  reason: string;
}

/** Bytes of UTF-8 a string takes. */
function utf8Len(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Number of skew samples kept (see #skew). */
const SKEW_SAMPLES = 16;

/** How long an event that arrived ahead of a missing seq waits for it (see #onEvent). */
export const REORDER_WAIT_MS = 1000;

/**
 * AppState holds the window's state. Call start() once; dispose() undoes
 * every subscription. subscribe() lets components re-render on changes.
 */
export class AppState {
  // --- what components read -------------------------------------------------
  screen: Screen = 'home';
  boot: BootInfo | null = null;
  bootError = '';
  settings: Settings | null = null;
  key: KeyStatus | null = null;
  tray: TrayStatus | null = null;
  trayNoteDismissed = false;
  /** The toasts (see notices.ts): info ones dismiss themselves, party ones go with the party. */
  get notices(): readonly Notice[] {
    return this.#notices.list;
  }

  creating = false;
  createError = '';

  join: JoinState = { open: false, invite: '', name: '', check: 'empty', problem: '', busy: false, error: '', warning: '', typed: false };

  settingsOpen = false;
  settingsBusy = false;
  settingsError = '';
  settingsProblems: SettingsProblems = {};
  settingsSaved = false;
  keyBusy = false;
  keyError = '';

  session: SessionInfo | null = null;
  phase: string = 'idle';
  participants: readonly Member[] = [];
  /** Every prompt not yet sent to the agent, oldest first. */
  pending: readonly Prompt[] = [];
  connection: Connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
  sending = false;
  sendError = '';
  inviteCopied = false;
  viewerInviteCopied = false;
  ending = false;
  /** Set once the party is over: the transcript stays until backHome(). */
  ended: Ended | null = null;
  savingTranscript = false;

  /** The host methods (approval, tool requests, stop, roles, invites, agent commands). */
  readonly control: HostControl;
  /** The parties kept in the data directory (Resume on the home screen). */
  readonly recent: RecentPartiesState;
  /** The host's working folder as the party shares it (the Changes panel). */
  readonly workspace: WorkspaceState;

  readonly #backend: Backend;
  readonly #attentive: () => boolean;
  readonly #now: () => number;
  readonly #checkDelay: number;
  readonly #listeners = new Set<() => void>();
  readonly #transcript = new TranscriptModel();
  readonly #myPromptIds = new Set<string>();
  #appSubs: Array<() => void> = [];
  #partySubs: Array<() => void> = [];
  /** Events that arrive while CreateParty/JoinParty is still in flight. */
  #early: Array<{ name: 'party:event' | 'party:state' | 'party:ended' | 'party:invites'; payload: unknown }> = [];
  /** Live events that arrived ahead of a missing seq, by seq (see #onEvent). */
  readonly #held = new Map<number, PartyEvent>();
  #heldTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever a party is entered or left; stale callbacks compare it. */
  #partyGen = 0;
  #checkSeq = 0;
  #checkTimer: ReturnType<typeof setTimeout> | undefined;
  #copiedTimer: ReturnType<typeof setTimeout> | undefined;
  #savedTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #notices: Notices;
  readonly #createCheck: CreateFormCheck;
  /** Local arrival time minus host timestamp of recent live events (ms). */
  #skewSamples: number[] = [];
  /** Local fallback times for pending prompts whose event we do not have. */
  #fallbackTimes = new Map<string, number>();

  constructor(backend: Backend, opts: AppStateOptions = {}) {
    this.#backend = backend;
    this.#now = opts.now ?? (() => Date.now());
    this.#checkDelay = opts.checkDelayMs ?? 250;
    this.#attentive = opts.attentive ?? documentAttentive;
    this.#notices = new Notices(() => this.#changed());
    this.#createCheck = new CreateFormCheck(
      (req) => this.#backend.CheckCreate(req),
      (problem) => {
        this.createError = problem;
        this.#changed();
      },
      opts.checkDelayMs ?? 300,
    );
    this.control = new HostControl(backend, {
      changed: () => this.#changed(),
      notify: (kind, text) => this.notify(kind, text),
      setInvites: (inv) => this.#setInvites(inv),
    });
    this.recent = new RecentPartiesState(backend, {
      changed: () => this.#changed(),
      enter: (open) => this.#openParty(open),
    });
    this.workspace = new WorkspaceState(backend, {
      changed: () => this.#changed(),
      notify: (kind, text) => this.notify(kind, text),
    });
  }

  // --- observation ----------------------------------------------------------

  /** Calls fn after every change; returns the unsubscriber. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    for (const fn of [...this.#listeners]) fn();
  }

  /** The transcript items, oldest first (one array that grows: see transcriptVersion). */
  get transcript(): readonly TranscriptItem[] {
    return this.#transcript.items;
  }

  /** Rises whenever the transcript changed. */
  get transcriptVersion(): number {
    return this.#transcript.version;
  }

  /** "The party has ended: …" while the ended party is on screen, else "". */
  get endedText(): string {
    return this.ended ? `The party has ended: ${this.ended.reason}.` : '';
  }

  /** The highest event seq seen in this party. */
  get lastSeq(): number {
    return this.#transcript.lastSeq;
  }

  /** Whether a prompt was sent from this window (by ack id or by our member name). */
  isMine(p: Prompt): boolean {
    return this.#myPromptIds.has(p.id) || (this.session !== null && p.user === this.session.you.name);
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

  /** Whether a prompt is still waiting for a batch. */
  isPending(id: string): boolean {
    return this.pending.some((p) => p.id === id);
  }

  /** My prompts that no batch has carried yet. */
  get myPending(): readonly Prompt[] {
    return this.pending.filter((p) => this.isMine(p));
  }

  /** Whether the tray note should show. */
  get trayNote(): string {
    if (!this.tray || this.tray.available || this.trayNoteDismissed) return '';
    return this.tray.reason || 'No system tray is available.';
  }

  /** Why the prompt box is disabled, or "" when prompts can be sent. */
  get sendBlockedReason(): string {
    if (!this.session) return 'Not in a party.';
    if (this.ended) return this.endedText;
    if (this.session.you.role === 'viewer') return VIEWER_REASON;
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

  // --- start and stop -------------------------------------------------------

  /** Subscribes to app-level events and loads BootInfo. Call once. */
  async start(): Promise<void> {
    this.#appSubs.push(
      this.#backend.on('app:link', (link) => this.#onLink(link)),
      this.#backend.on('tray:status', (t) => {
        this.tray = t;
        this.trayNoteDismissed = false;
        this.#changed();
      }),
    );
    try {
      const b = await this.#backend.Boot();
      this.boot = b;
      this.settings = b.settings;
      this.key = b.key;
      this.tray = b.tray;
      this.join = { ...this.join, name: b.settings.name };
      this.#changed();
      if (b.link) await this.openJoin(b.link);
    } catch (err) {
      this.bootError = errorText(err);
      this.#changed();
    }
  }

  /** Drops every subscription and timer (the window is going away). */
  dispose(): void {
    for (const off of this.#appSubs) off();
    this.#appSubs = [];
    this.#unsubscribeParty();
    clearTimeout(this.#checkTimer);
    clearTimeout(this.#copiedTimer);
    clearTimeout(this.#savedTimer);
    this.#createCheck.reset();
    this.#notices.dispose();
    this.#listeners.clear();
  }

  // --- notices --------------------------------------------------------------

  /**
   * Shows a message for people: info ones go by themselves, errors stay until dismissed.
   * Raised in a party, it belongs to the party unless scope says 'app'.
   */
  notify(kind: Notice['kind'], text: string, scope: Notice['scope'] = this.session ? 'party' : 'app'): void {
    this.#notices.add(kind, text, scope);
  }

  /** Removes a notice. */
  dismissNotice(id: number): void {
    this.#notices.dismiss(id);
  }

  /** The pointer rests on the toasts: they stay while it does. */
  holdNotices(hold: boolean): void {
    if (hold) this.#notices.pause();
    else this.#notices.resume();
  }

  /** Hides the tray note until the tray status changes again. */
  dismissTrayNote(): void {
    this.trayNoteDismissed = true;
    this.#changed();
  }

  // --- home: create ---------------------------------------------------------

  /** Opens the native folder dialog; "" when cancelled or failed (failure becomes a notice). */
  async pickDirectory(start: string): Promise<string> {
    try {
      return await this.#backend.PickDirectory(start);
    } catch (err) {
      this.notify('error', `Could not open the folder dialog: ${errorText(err)}`);
      return '';
    }
  }

  /** Opens the native file dialog for the Claude Code program; "" when cancelled or failed. */
  async pickClaude(current: string): Promise<string> {
    try {
      return await this.#backend.PickClaude(current);
    } catch (err) {
      this.notify('error', `Could not open the file dialog: ${errorText(err)}`);
      return '';
    }
  }

  /**
   * The Create party form changed (a field was edited). When its error came from the form
   * itself, the form is re-checked after a pause: the error goes once the field is fixed.
   */
  editCreate(req: CreateRequest): void {
    this.#createCheck.edited(req);
  }

  /**
   * Starts hosting a party. Resolves true when the party screen is showing. Go remembers
   * the form's values in the settings file once the party has started.
   */
  async createParty(req: CreateRequest): Promise<boolean> {
    if (this.creating || this.session) return false;
    this.#createCheck.reset();
    const local = localCreateProblem(req);
    if (local) {
      this.createError = local;
      void this.#createCheck.failed(req);
      this.#changed();
      return false;
    }
    this.creating = true;
    this.createError = '';
    this.#changed();
    const gen = this.#subscribeParty();
    try {
      const s = await this.#backend.CreateParty(req);
      if (gen !== this.#partyGen) return false;
      this.#enterParty(s);
      // The form's values are now the saved settings: the next Create party offers them.
      this.#backend.GetSettings().then(
        (st) => {
          this.settings = st;
          this.#changed();
        },
        () => {},
      );
      return true;
    } catch (err) {
      if (gen === this.#partyGen) this.#unsubscribeParty();
      this.createError = errorText(err);
      void this.#createCheck.failed(req);
      return false;
    } finally {
      this.creating = false;
      this.#changed();
    }
  }

  /** Enters the party open() starts (a resumed one), as createParty does; "" or the error sentence. */
  async #openParty(open: () => Promise<Session>): Promise<string> {
    if (this.creating || this.session) return 'You are already in a party. Leave it first.';
    this.creating = true;
    this.createError = '';
    this.#changed();
    const gen = this.#subscribeParty();
    try {
      const s = await open();
      if (gen !== this.#partyGen) return 'The party was left before it started.';
      this.#enterParty(s);
      return '';
    } catch (err) {
      if (gen === this.#partyGen) this.#unsubscribeParty();
      return errorText(err);
    } finally {
      this.creating = false;
      this.#changed();
    }
  }

  // --- join dialog ----------------------------------------------------------

  /**
   * Opens the join dialog. With no link it looks at the clipboard and
   * prefills a concordia:// link found there.
   */
  async openJoin(link?: string): Promise<void> {
    if (this.session) {
      this.notify('info', 'Leave this party before joining another one.');
      return;
    }
    this.join = { ...this.join, open: true, error: '', busy: false };
    this.#changed();
    if (link) {
      this.setJoinInvite(link, false); // a link opened from the desktop
      return;
    }
    let text = '';
    try {
      text = (await this.#backend.ClipboardInvite()).trim();
    } catch {
      text = ''; // an unreadable clipboard is no reason to complain
    }
    // A fresh link on the clipboard replaces the field, unless the person typed there
    // (also while the clipboard was read) or closed the dialog meanwhile.
    const j = this.join;
    if (!j.open || j.typed || !isInviteLink(text) || text === j.invite.trim()) return;
    this.setJoinInvite(text, false);
  }

  /** Closes the join dialog (Escape, Cancel). A join in flight is not cancelled. */
  closeJoin(): void {
    if (this.join.busy) return;
    clearTimeout(this.#checkTimer);
    this.#checkSeq++;
    this.join = { ...this.join, open: false, error: '' };
    this.#changed();
  }

  /**
   * Updates the invite text; it is checked with CheckInvite after a short pause. typed is
   * false when the window filled it (the clipboard, a desktop link): a fresh link may then
   * replace it when the dialog opens again.
   */
  setJoinInvite(text: string, typed = true): void {
    clearTimeout(this.#checkTimer);
    const seq = ++this.#checkSeq;
    typed = typed && text.trim() !== '';
    if (text.trim() === '') {
      this.join = { ...this.join, invite: text, check: 'empty', problem: '', error: '', warning: '', typed };
      this.#changed();
      return;
    }
    this.join = { ...this.join, invite: text, check: 'checking', error: '', warning: '', typed };
    this.#changed();
    this.#checkTimer = setTimeout(() => void this.#runCheck(seq, text), this.#checkDelay);
  }

  /** Updates the name to join with. */
  setJoinName(name: string): void {
    this.join = { ...this.join, name, error: '' };
    this.#changed();
  }

  /** Whether the Join button can be pressed. */
  get canJoin(): boolean {
    const j = this.join;
    return !j.busy && j.check === 'valid' && j.name.trim() !== '';
  }

  async #runCheck(seq: number, text: string): Promise<boolean> {
    let problem: string;
    try {
      problem = await this.#backend.CheckInvite(text);
    } catch (err) {
      problem = errorText(err);
    }
    if (seq !== this.#checkSeq) return false; // the text changed meanwhile
    this.join = { ...this.join, check: problem ? 'invalid' : 'valid', problem, warning: problem ? '' : inviteWarning(text) };
    this.#changed();
    return !problem;
  }

  /** Joins with the dialog's invite and name. The dialog stays open on failure. */
  async submitJoin(): Promise<boolean> {
    const j = this.join;
    if (j.busy || this.session) return false;
    if (j.name.trim() === '') {
      this.join = { ...j, error: 'Enter the name the others will see.' };
      this.#changed();
      return false;
    }
    if (j.check !== 'valid') {
      if (j.check === 'empty') return false;
      // Don't wait for the debounce: check now.
      clearTimeout(this.#checkTimer);
      if (!(await this.#runCheck(++this.#checkSeq, j.invite))) return false;
    }
    const invite = this.join.invite.trim();
    const name = this.join.name.trim();
    this.join = { ...this.join, busy: true, error: '' };
    this.connection = { status: 'connecting', attempt: 0, error: '', retryMs: 0 };
    this.#changed();
    const gen = this.#subscribeParty();
    try {
      const s = await this.#backend.JoinParty(invite, name);
      if (gen !== this.#partyGen) return false;
      // This party's link is used: the next join starts from the clipboard, not from it.
      this.join = { ...this.join, open: false, busy: false, error: '', invite: '', check: 'empty', problem: '', warning: '', typed: false };
      this.#enterParty(s);
      return true;
    } catch (err) {
      if (gen === this.#partyGen) this.#unsubscribeParty();
      this.join = { ...this.join, busy: false, error: errorText(err) };
      this.connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
      return false;
    } finally {
      this.#changed();
    }
  }

  #onLink(link: string): void {
    if (this.session) {
      this.notify('info', 'An invite was opened, but you are already in a party. Leave it first to join another.');
      return;
    }
    void this.openJoin(link);
  }

  // --- settings -------------------------------------------------------------

  /** Shows the settings panel. */
  openSettings(): void {
    this.settingsOpen = true;
    this.settingsError = '';
    this.settingsProblems = {};
    this.settingsSaved = false;
    this.keyError = '';
    this.#changed();
  }

  /** Hides the settings panel. */
  closeSettings(): void {
    this.settingsOpen = false;
    this.#changed();
  }

  /** Validates and saves settings. Resolves true when Go accepted them. */
  async saveSettings(s: Settings): Promise<boolean> {
    if (this.settingsBusy) return false;
    const problems = validateSettings(s);
    this.settingsProblems = problems;
    this.settingsSaved = false;
    if (Object.keys(problems).length > 0) {
      this.settingsError = 'Please fix the marked fields.';
      this.#changed();
      return false;
    }
    this.settingsBusy = true;
    this.settingsError = '';
    this.#changed();
    try {
      this.settings = await this.#backend.SaveSettings(s);
      this.settingsSaved = true;
      clearTimeout(this.#savedTimer);
      this.#savedTimer = setTimeout(() => {
        this.settingsSaved = false;
        this.#changed();
      }, 2500);
      return true;
    } catch (err) {
      this.settingsError = errorText(err);
      return false;
    } finally {
      this.settingsBusy = false;
      this.#changed();
    }
  }

  /** Stores a Gemini key in the OS keyring. */
  async setKey(key: string): Promise<boolean> {
    if (this.keyBusy) return false;
    if (key.trim() === '') {
      this.keyError = 'Paste a key first.';
      this.#changed();
      return false;
    }
    return this.#keyOp(() => this.#backend.SetKey(key.trim()));
  }

  /** Removes the Gemini key from the OS keyring. */
  async deleteKey(): Promise<boolean> {
    if (this.keyBusy) return false;
    return this.#keyOp(() => this.#backend.DeleteKey());
  }

  async #keyOp(op: () => Promise<KeyStatus>): Promise<boolean> {
    this.keyBusy = true;
    this.keyError = '';
    this.#changed();
    try {
      this.key = await op();
      return true;
    } catch (err) {
      this.keyError = errorText(err);
      return false;
    } finally {
      this.keyBusy = false;
      this.#changed();
    }
  }

  // --- the party ------------------------------------------------------------

  /**
   * Subscribes to the party events before CreateParty/JoinParty is called so
   * that nothing emitted in between is lost; until the session arrives the
   * events wait in #early.
   */
  #subscribeParty(): number {
    this.#unsubscribeParty();
    const gen = ++this.#partyGen;
    const early = <K extends 'party:event' | 'party:state' | 'party:ended' | 'party:invites'>(
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
      early('party:ended', (e) => this.#endParty(endedReason(e))),
      early('party:invites', (inv) => this.#setInvites(inv)),
      this.#backend.on('party:status', (st) => {
        if (gen === this.#partyGen) this.#onStatus(st);
      }),
    ];
    return gen;
  }

  #unsubscribeParty(): void {
    for (const off of this.#partySubs) off();
    this.#partySubs = [];
    this.#early = [];
    this.#held.clear();
    clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    this.#partyGen++;
  }

  #enterParty(s: Session): void {
    this.session = { role: s.role, you: s.you, party: s.party, invite: s.invite, viewer_invite: s.viewer_invite ?? '' };
    this.#notices.dropParty(); // a new party starts: the last one's toasts are not about it
    this.#myPromptIds.clear();
    this.#skewSamples = [];
    this.sendError = '';
    this.inviteCopied = false;
    this.viewerInviteCopied = false;
    this.ending = false;
    this.ended = null;
    this.control.reset();
    this.workspace.reset(s.party.workspace);
    this.screen = 'party';
    this.connection = { status: 'connected', attempt: 0, error: '', retryMs: 0 };
    this.#replaceState(s.state);
    void this.workspace.load();
    const early = this.#early;
    this.#early = [];
    for (const e of early) {
      if (!this.session) break; // an early party:ended
      if (e.name === 'party:event') this.#onEvent(e.payload as PartyEvent);
      else if (e.name === 'party:invites') this.#setInvites(e.payload as Invites);
      else if (e.name === 'party:state') {
        // A resync older than the session's own state would go backwards.
        const st = e.payload as PartyState;
        if (st.seq >= this.#transcript.lastSeq) this.#replaceState(st);
      } else this.#endParty(endedReason(e.payload as PartyEnded));
    }
    this.#changed();
  }

  #replaceState(st: PartyState): void {
    this.#transcript.reset();
    this.#fallbackTimes.clear();
    for (const e of st.events ?? []) this.#transcript.apply(e);
    this.#transcript.advanceTo(st.seq);
    this.phase = st.phase;
    this.participants = [...(st.participants ?? [])];
    this.pending = [...(st.pending ?? [])];
    // The state's history says what changed since the session began (roles, settings).
    for (const e of st.events ?? []) this.#applyPartyFacts(e);
    this.#drainHeld();
  }

  /**
   * Applies what an event says about the party beyond the transcript: a member's role,
   * the approval mode and permission mode. Safe to apply twice.
   */
  #applyPartyFacts(e: PartyEvent): void {
    const s = this.session;
    if (!s) return;
    if (e.kind === 'participants' && e.changed) {
      const m = e.changed;
      this.participants = this.participants.map((p) => (p.id === m.id ? { ...p, role: m.role } : p));
      if (m.id === s.you.id && m.role !== s.you.role) this.session = { ...s, you: { ...s.you, role: m.role } };
    } else if (e.kind === 'settings' && typeof e.approval === 'boolean') {
      const workspace = (e.workspace ?? s.party.workspace) as PartyInfo['workspace'];
      this.session = { ...s, party: { ...s.party, approval: e.approval, permission_mode: (e.permission_mode ?? s.party.permission_mode) as PartyInfo['permission_mode'], workspace } };
      if (e.workspace) this.workspace.onLevel(e.workspace);
    } else if (e.kind === 'changes' && Array.isArray(e.files)) {
      this.workspace.onChanges(e.files);
    }
  }

  #setInvites(inv: Invites): void {
    if (!this.session) return;
    this.session = { ...this.session, invite: inv.invite, viewer_invite: inv.viewer_invite };
    this.#changed();
  }

  #onState(st: PartyState): void {
    if (!this.session) return;
    this.#replaceState(st);
    this.#changed();
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
    this.#applyPartyFacts(e);
    this.#attention(e);
    switch (e.kind) {
      case 'phase':
        if (e.phase) this.phase = e.phase;
        break;
      case 'prompt':
        if (e.prompt && !this.pending.some((p) => p.id === e.prompt!.id)) {
          this.pending = [...this.pending, e.prompt];
        }
        break;
      case 'rejected':
        if (e.rejected) {
          const dropped = new Set(e.rejected.prompts ?? []);
          this.pending = this.pending.filter((p) => !dropped.has(p.id));
        }
        break;
      case 'batch':
        if (e.batch && typeof e.batch === 'object') {
          const carried = new Set(e.batch.prompts);
          this.pending = this.pending.filter((p) => !carried.has(p.id));
          for (const id of carried) this.#fallbackTimes.delete(id);
        }
        break;
      case 'participants':
        if (e.joined && !this.participants.some((m) => m.id === e.joined!.id)) {
          this.participants = [...this.participants, e.joined];
        }
        if (e.left) this.participants = this.participants.filter((m) => m.id !== e.left!.id);
        break;
    }
    this.#changed();
  }

  /** Asks for attention with a desktop notification when the window is not looked at. */
  #attention(e: PartyEvent): void {
    const s = this.session;
    if (s) this.#notifyDesktop(attentionFor(e, s.you.role, s.you));
  }

  /** Shows a desktop notification unless the window is looked at or Settings turned them off. */
  #notifyDesktop(a: Attention | null): void {
    if (!a || this.settings?.notifications === false || this.#attentive()) return;
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
    this.connection = { status: st.status, attempt: st.attempt ?? 0, error: st.error ?? '', retryMs: st.retry_ms ?? 0 };
    this.#changed();
  }

  /** Sends a prompt. Resolves true when the host accepted it (the box may then be cleared). */
  async sendPrompt(text: string): Promise<boolean> {
    if (this.sending) return false;
    const reason = this.sendBlockedReason;
    if (reason) {
      this.sendError = reason;
      this.#changed();
      return false;
    }
    if (text.trim() === '') return false;
    const n = utf8Len(text);
    if (n > MAX_PROMPT_BYTES) {
      this.sendError = `This prompt is ${n.toLocaleString('en')} bytes; the limit is ${MAX_PROMPT_BYTES.toLocaleString('en')}.`;
      this.#changed();
      return false;
    }
    this.sending = true;
    this.sendError = '';
    this.#changed();
    const gen = this.#partyGen;
    try {
      const ack = await this.#backend.SendPrompt(text);
      if (gen === this.#partyGen) this.#myPromptIds.add(ack.id);
      return true;
    } catch (err) {
      if (gen === this.#partyGen) this.sendError = errorText(err);
      return false;
    } finally {
      this.sending = false;
      this.#changed();
    }
  }

  /** Puts the invite on the clipboard. */
  async copyInvite(): Promise<void> {
    try {
      await this.#backend.CopyInvite();
      this.inviteCopied = true;
      clearTimeout(this.#copiedTimer);
      this.#copiedTimer = setTimeout(() => {
        this.inviteCopied = false;
        this.#changed();
      }, 2000);
    } catch (err) {
      this.notify('error', `Could not copy the invite: ${errorText(err)}`);
    }
    this.#changed();
  }

  /** Puts the viewer invite on the clipboard. */
  async copyViewerInvite(): Promise<void> {
    try {
      await this.#backend.CopyViewerInvite();
      this.viewerInviteCopied = true;
      setTimeout(() => {
        this.viewerInviteCopied = false;
        this.#changed();
      }, 2000);
    } catch (err) {
      this.notify('error', `Could not copy the viewer invite: ${errorText(err)}`);
    }
    this.#changed();
  }

  /** Leaves the party (a participant); its transcript stays until backHome(), even if the host cannot be told. */
  async leave(): Promise<void> {
    if (!this.session || this.ending || this.ended) return;
    this.ending = true;
    this.#changed();
    try {
      await this.#backend.Leave();
      this.#endParty('you left the party');
    } catch (err) {
      this.#endParty(`you left the party (the host could not be told: ${errorText(err)})`);
    }
  }

  /** Ends the party (the host). On failure the party stays and the reason is shown. */
  async endParty(): Promise<boolean> {
    if (!this.session || this.ending) return false;
    this.ending = true;
    this.#changed();
    try {
      await this.#backend.EndParty();
      this.#endParty('you ended the party');
      return true;
    } catch (err) {
      this.ending = false;
      this.notify('error', `Could not end the party: ${errorText(err)}`);
      return false;
    }
  }

  /**
   * The party is over: the transcript, people and changes stay on screen with the reason
   * until backHome(). Safe to reach twice (EndParty and party:ended): the first reason stays.
   */
  #endParty(reason: string): void {
    this.#unsubscribeParty();
    if (!this.session) return;
    if (!this.ended) {
      this.ended = { reason };
      this.#notifyDesktop(attentionForEnd(reason));
    }
    this.phase = 'idle';
    this.sending = false;
    this.ending = false;
    this.control.reset();
    this.connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
    this.#changed();
  }

  /** Saves the transcript as Markdown where the person chooses (a native dialog, in Go). */
  async saveTranscript(): Promise<void> {
    if (!this.session || this.savingTranscript) return;
    this.savingTranscript = true;
    this.#changed();
    try {
      const path = await this.#backend.SaveTranscript();
      if (path) this.notify('info', `Saved the transcript to ${path}`);
    } catch (err) {
      this.notify('error', `Could not save the transcript: ${errorText(err)}`);
    } finally {
      this.savingTranscript = false;
      this.#changed();
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
    this.#unsubscribeParty();
    this.session = null;
    this.ended = null;
    this.#notices.dropParty();
    this.workspace.reset('off');
    this.workspace.open = false;
    this.screen = 'home';
    this.#transcript.reset();
    this.#myPromptIds.clear();
    this.#fallbackTimes.clear();
    this.pending = [];
    this.participants = [];
    this.phase = 'idle';
    this.sending = false;
    this.sendError = '';
    this.ending = false;
    this.control.reset();
    this.connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
    this.#changed();
  }
}
