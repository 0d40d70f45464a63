// AppState is the window's one state module (the restic-browser pattern): it
// owns every call into Go and every event subscription, and holds everything
// the components render. Components read its fields, call its methods, and
// re-render when it notifies; they never talk to Go themselves.
//
// Its concerns live in modules of their own that it creates and wires together:
// the party (party.ts), the join dialog (join.ts), settings and the Gemini key
// (settings.ts), host methods (host-control.ts), Resume (recent-parties.ts), the
// Changes panel (workspace.ts), toasts (notices.ts) and the Create party form's
// check (create-form.ts). AppState stays the one object components talk to.
//
// Concurrency: JavaScript runs it on one thread; the only hazard is promises
// resolving out of order, which the request counters (the join dialog's check,
// the party's gen) guard against.

import { errorText, type Backend } from './backend';
import { waitingForHosts, type TranscriptItem } from './transcript';
import type { ShownMore } from './shown-more';
import { HostControl } from './host-control';
import { RecentPartiesState } from './recent-parties';
import { WorkspaceState } from './workspace';
import { Notices, type Notice } from './notices';
import { CreateFormCheck, localCreateProblem } from './create-form';
import { Draft } from './draft';
import { JoinDialog, inviteSummary, type JoinState } from './join';
import { SettingsState, type SettingsProblems } from './settings';
import { DEFAULT_ZOOM, zoomStep } from './zoom';
import { NO_READER, type Reader } from './shown-words';
import { PartySession, type Connection, type Ended, type SessionInfo } from './party';
import type {
  BootInfo,
  CreateRequest,
  KeyCheck,
  KeyStatus,
  Member,
  Prompt,
  Session,
  Settings,
  TrayStatus,
} from './types';

/** Which screen the window shows. */
export type Screen = 'home' | 'party';

export type { Notice } from './notices';
export type { InviteCheck, JoinState } from './join';
export { validateSettings, describeKey, keyClass, networkWords, type SettingsProblems } from './settings';
export { MAX_PROMPT_BYTES, REORDER_WAIT_MS, VIEWER_REASON, type Connection, type Ended, type SessionInfo } from './party';

/** Options for tests: the clock and the invite-check debounce. */
export interface AppStateOptions {
  now?: () => number;
  checkDelayMs?: number;
  /** Whether the person is looking at the window (no notification then). */
  attentive?: () => boolean;
}

/** The window is visible and focused. */
function documentAttentive(): boolean {
  return typeof document === 'undefined' || (!document.hidden && document.hasFocus());
}

/**
 * AppState holds the window's state. Call start() once; dispose() undoes
 * every subscription. subscribe() lets components re-render on changes.
 */
export class AppState {
  // --- what components read -------------------------------------------------
  screen: Screen = 'home';
  boot: BootInfo | null = null;
  bootError = '';
  tray: TrayStatus | null = null;
  /** The notes dismissed, by their text: now and in earlier runs (BootInfo.dismissed). */
  readonly #dismissed = new Set<string>();
  /** The party generation the End party dialog was opened in (-1: closed); a new party never inherits it. */
  #endAsked = -1;
  /** The toasts (see notices.ts): info ones dismiss themselves, party ones go with the party. */
  get notices(): readonly Notice[] {
    return this.#notices.list;
  }

  creating = false;
  createError = '';

  /** The host methods (approval, tool requests, stop, roles, invites, agent commands). */
  readonly control: HostControl;
  /** The parties kept in the data directory (Resume on the home screen). */
  readonly recent: RecentPartiesState;
  /** The host's working folder as the party shares it (the Changes panel). */
  readonly workspace: WorkspaceState;

  readonly #backend: Backend;
  readonly #listeners = new Set<() => void>();
  #appSubs: Array<() => void> = [];
  readonly #notices: Notices;
  readonly #party: PartySession;
  readonly #join: JoinDialog;
  readonly #settings: SettingsState;
  readonly #createCheck: CreateFormCheck;
  readonly #draft: Draft;

  constructor(backend: Backend, opts: AppStateOptions = {}) {
    this.#backend = backend;
    this.#notices = new Notices(() => this.#changed());
    this.#settings = new SettingsState(backend, () => this.#changed());
    this.#draft = new Draft((text) => this.#backend.KeepDraft(text));
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
      setInvites: (inv) => this.#party.setInvites(inv),
    });
    this.recent = new RecentPartiesState(backend, {
      changed: () => this.#changed(),
      notify: (kind, text) => this.notify(kind, text, 'app'),
      enter: (open) => this.#openParty(open),
    });
    this.workspace = new WorkspaceState(backend, {
      changed: () => this.#changed(),
      notify: (kind, text) => this.notify(kind, text),
      over: () => this.#party.ended !== null,
    });
    this.#party = new PartySession(
      backend,
      {
        changed: () => this.#changed(),
        notify: (kind, text) => this.notify(kind, text),
        dropNotices: () => this.#notices.dropParty(),
        connectedAgain: () => this.#notices.dropOffline(),
        show: (screen) => {
          this.screen = screen;
          // Back home, the next Create party offers what Go saved meanwhile: the extra
          // arguments are remembered only once Claude Code started with them, after
          // CreateParty returned (App.CreateParty), and refused ones never.
          if (screen === 'home') this.#reloadSettings();
        },
        notificationsOff: () => this.settings?.notifications === false,
        keyRefused: (text, denied) => this.#settings.refused(text, denied),
        keyWorked: () => void this.#settings.worked(),
      },
      { now: opts.now ?? (() => Date.now()), attentive: opts.attentive ?? documentAttentive, control: this.control, workspace: this.workspace },
    );
    this.#join = new JoinDialog(
      backend,
      {
        changed: () => this.#changed(),
        notify: (kind, text) => this.notify(kind, text),
        name: () => this.settings?.name ?? '',
        // Go keeps a name chosen to join as the settings' (App.JoinParty): Create party offers it.
        joined: () => this.#reloadSettings(),
      },
      this.#party,
      opts.checkDelayMs ?? 250,
    );
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

  /** Takes the saved settings again: Go saved what was chosen to create or join a party. */
  #reloadSettings(): void {
    this.#backend.GetSettings().then(
      (st) => {
        this.#settings.settings = st;
        this.#changed();
      },
      () => {},
    );
  }

  /**
   * The tray note's text while it should show, else ''. It is about closing the window of a
   * party this window runs, so it shows only then: a window tester read it on a joiner's
   * Home and after the party had ended, where it did not apply.
   */
  get trayNote(): string {
    if (!this.tray || this.tray.available || !this.isOwner) return '';
    const text = this.tray.reason || 'No system tray is available.';
    return this.#dismissed.has(text) ? '' : text;
  }

  // --- start and stop -------------------------------------------------------

  /** Subscribes to app-level events and loads BootInfo. Call once. */
  async start(): Promise<void> {
    this.#appSubs.push(
      this.#backend.on('app:link', (link) => {
        const behind = this.settingsOpen && !this.join.open;
        this.#join.onLink(link);
        // The join dialog opens under Settings: said, or the link seemed to do nothing until
        // Settings closed (a user tester's).
        if (behind && this.join.open) this.notify('info', 'An invite was opened: the Join dialog is behind Settings, and shows once you close them.');
      }),
      this.#backend.on('tray:status', (t) => {
        this.tray = t; // a note with other words shows, even if this one was dismissed
        this.#changed();
      }),
      this.#backend.on('tray:end-party', () => this.askEnd()),
    );
    try {
      const b = await this.#backend.Boot();
      this.boot = b;
      this.#settings.settings = b.settings;
      this.#settings.key = b.key;
      this.tray = b.tray;
      for (const key of b.dismissed ?? []) this.#dismissed.add(key);
      this.#join.state = { ...this.#join.state, name: b.settings.name };
      this.#changed();
      if (await this.#backToParty()) return;
      if (b.link) await this.openJoin(b.link);
    } catch (err) {
      this.bootError = errorText(err);
      this.#changed();
    }
  }

  /**
   * A page loaded again while the window is in a party (the web view reloaded: its web
   * process crashed) goes back into it; true when it did. It came back to Home, the party
   * running with no way back into it (a window tester's).
   */
  async #backToParty(): Promise<boolean> {
    const gen = this.#party.subscribe();
    try {
      const s = await this.#backend.CurrentParty();
      if (s && gen === this.#party.gen) {
        this.#party.enter(s);
        this.#draft.restore(s.draft ?? '');
        this.#changed();
        return true;
      }
    } catch (err) {
      this.notify('error', `Could not show the party again: ${errorText(err)}`, 'app');
    }
    if (gen === this.#party.gen) this.#party.unsubscribe();
    return false;
  }

  /** Drops every subscription and timer (the window is going away). */
  dispose(): void {
    for (const off of this.#appSubs) off();
    this.#appSubs = [];
    this.#party.dispose();
    this.#join.dispose();
    this.#settings.dispose();
    this.#createCheck.reset();
    this.#draft.dispose();
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

  /** Hides the tray note, and Go remembers it: it stays hidden after a restart (until its words change). */
  dismissTrayNote(): void {
    const text = this.trayNote;
    if (!text) return;
    this.#dismissed.add(text);
    this.#changed();
    this.#backend.DismissNote(text).catch(() => {
      // Not remembered (an unwritable config folder): hidden for this run all the same.
    });
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
   * the form's values in the settings file once the party has started (the extra
   * arguments once Claude Code started with them).
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
    const gen = this.#party.subscribe();
    try {
      const s = await this.#backend.CreateParty(req);
      if (gen !== this.#party.gen) return false;
      this.#party.enter(s);
      // The form's values are now the saved settings: the next Create party offers them.
      this.#reloadSettings();
      return true;
    } catch (err) {
      if (gen === this.#party.gen) this.#party.unsubscribe();
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
    const gen = this.#party.subscribe();
    try {
      const s = await open();
      if (gen !== this.#party.gen) return 'The party was left before it started.';
      this.#party.enter(s);
      return '';
    } catch (err) {
      if (gen === this.#party.gen) this.#party.unsubscribe();
      return errorText(err);
    } finally {
      this.creating = false;
      this.#changed();
    }
  }

  // --- join dialog (join.ts) -----------------------------------------------

  /** The join dialog's state. */
  get join(): JoinState {
    return this.#join.state;
  }

  /** Opens the join dialog; with no link it prefills a concordia:// link from the clipboard. */
  openJoin(link?: string): Promise<void> {
    return this.#join.openJoin(link);
  }

  /** Closes the join dialog (Escape, Cancel, ✕); a join in flight is cancelled. */
  closeJoin(): void {
    this.#join.closeJoin();
  }

  /** Updates the invite text (checked after a short pause); typed is false when the window filled it. */
  setJoinInvite(text: string, typed = true): void {
    this.#join.setJoinInvite(text, typed);
  }

  /** Puts back the invite a link opened from the desktop replaced in the open join dialog. */
  restoreReplacedInvite(): void {
    this.#join.restoreReplacedInvite();
  }

  /** Updates the name to join with. */
  setJoinName(name: string): void {
    this.#join.setJoinName(name);
  }

  /** Whether the Join button can be pressed. */
  get canJoin(): boolean {
    return this.#join.canJoin;
  }

  /** Joins with the dialog's invite and name. The dialog stays open on failure. */
  submitJoin(): Promise<boolean> {
    return this.#join.submitJoin();
  }

  // --- settings (settings.ts) ----------------------------------------------

  get settings(): Settings | null {
    return this.#settings.settings;
  }
  /** The window's text size, in percent (state/zoom.ts; <concordia-app> applies it). */
  get zoom(): number {
    return this.#settings.zoom;
  }
  /** Ctrl+plus (1), Ctrl+minus (-1), Ctrl+0 (0): the text a step larger, smaller, or the usual size. */
  zoomBy(dir: 1 | -1 | 0): void {
    void this.setZoom(dir === 0 ? DEFAULT_ZOOM : zoomStep(this.zoom, dir));
  }
  /** The text at percent (kept within the sizes allowed), saved for the next start. */
  async setZoom(percent: number): Promise<void> {
    try {
      await this.#settings.setZoom(percent);
    } catch (err) {
      this.notify('error', `The text size could not be saved for the next start: ${errorText(err)}`, 'app');
    }
  }
  get key(): KeyStatus | null {
    return this.#settings.key;
  }
  get settingsOpen(): boolean {
    return this.#settings.settingsOpen;
  }
  /** The field the settings panel opens at ('' for its first). */
  get settingsFocus(): keyof Settings | '' {
    return this.#settings.settingsFocus;
  }
  get settingsBusy(): boolean {
    return this.#settings.settingsBusy;
  }
  get settingsError(): string {
    return this.#settings.settingsError;
  }
  get settingsProblems(): SettingsProblems {
    return this.#settings.settingsProblems;
  }
  get settingsSaved(): boolean {
    return this.#settings.settingsSaved;
  }
  get keyBusy(): boolean {
    return this.#settings.keyBusy;
  }
  get keyError(): string {
    return this.#settings.keyError;
  }
  /** What Google said about the key at the last check (null: not checked since it changed). */
  get keyCheck(): KeyCheck | null {
    return this.#settings.keyCheck;
  }
  get keyChecking(): boolean {
    return this.#settings.keyChecking;
  }
  /** What said Google refused the key as it is now; '' when nothing did (SettingsState.keyRefused). */
  get keyRefused(): string {
    return this.#settings.keyRefused;
  }
  /** Whether a key is set and Google refused it: Settings and the Create form say so, not that it merges. */
  get keyShownRefused(): boolean {
    // A refusal noted on disk counts too: a window started after it said nothing of it.
    return this.key !== null && this.key.source !== 'none' && (this.keyRefused !== '' || !!this.key.refused);
  }
  /**
   * Whether what said Google refused the key said it refused only this use of it (its
   * project or restrictions): what to change is on Google's side, the key itself kept.
   */
  get keyShownDenied(): boolean {
    return this.keyShownRefused && this.#settings.keyDenied;
  }


  /** Shows the settings panel. */
  openSettings(focus: keyof Settings | '' = ''): void {
    this.#settings.openSettings(focus);
  }

  /** Hides the settings panel. */
  closeSettings(): void {
    this.#settings.closeSettings();
  }

  /** Validates and saves settings. Resolves true when Go accepted them. */
  /** A Settings field was edited: a problem said of it goes (see SettingsState.edited). */
  settingsEdited(field: keyof Settings): void {
    this.#settings.edited(field);
  }

  async saveSettings(s: Settings): Promise<boolean> {
    const saved = await this.#settings.saveSettings(s);
    if (saved && this.createError !== '' && !this.#createCheck.armed) {
      // Create party's error that no field of the form can fix (the listen address in
      // use) was said of the settings before: the next try tells anew.
      this.createError = '';
      this.#changed();
    }
    return saved;
  }

  /** Stores a Gemini key in the OS keyring. */
  setKey(key: string): Promise<boolean> {
    return this.#settings.setKey(key);
  }

  /** Removes the Gemini key from the OS keyring. */
  deleteKey(): Promise<boolean> {
    return this.#settings.deleteKey();
  }

  /** Asks Google whether the Gemini key works. */
  checkKey(): Promise<void> {
    return this.#settings.checkKey();
  }

  // --- the party (party.ts) -------------------------------------------------

  get session(): SessionInfo | null {
    return this.#party.session;
  }
  /**
   * Who reads the transcript here (shown-words.ts): one object while it is the same, so
   * find's counts of the words that depend on it are kept (transcript-search.ts).
   */
  get reader(): Reader {
    const sess = this.session;
    if (!sess) return NO_READER;
    const now: Reader = { you: sess.you.id, name: sess.you.name, hostSession: sess.role === 'host', owner: this.isOwner, host: sess.party.host, joinedAt: this.joinedAt, envKey: this.#settings.key?.source === 'env' };
    const r = this.#reader;
    if (r && (Object.keys(now) as (keyof Reader)[]).every((k) => r[k] === now[k])) return r;
    this.#reader = now;
    return now;
  }
  #reader: Reader | null = null;

  /** The seq this window entered the party at (PartySession.joinedAt). */
  get joinedAt(): number {
    return this.#party.joinedAt;
  }
  get phase(): string {
    return this.#party.phase;
  }

  /**
   * The phase to show: the pipeline's while connected; "ended" once the party is over for
   * this window ("left" when this person left it, "removed" when a host removed them: it
   * goes on without them); "reconnecting" while the host cannot be reached (what the agent does then
   * is not known here, so nothing claims it is working); "agent_down" instead of "idle" while
   * the last turn ended unsent because Claude Code could not start; "agent_restarts" while
   * it exited between turns and the next prompt simply starts it again.
   */
  get displayPhase(): string {
    return this.#party.displayPhase;
  }

  /** Why the agent is not running, while it is not (see PartySession.agentTrouble). */
  get agentTrouble(): string {
    return this.#party.agentTrouble;
  }
  /** The party's journal cannot be written (a full disk): a party ended or stopped now loses what happened since from its history. */
  get journalBehind(): boolean {
    return this.#party.journalBehind;
  }
  /** And it will not catch up: room on the disk no longer helps. */
  get journalGaveUp(): boolean {
    return this.#party.journalGaveUp;
  }
  get participants(): readonly Member[] {
    return this.#party.participants;
  }
  /**
   * What would be left with no host to decide it if this window left: the tool requests
   * and merged prompts that wait for a host, when this window's person is a co-host and no
   * other host is here (a tester's co-host left at once, and the requests waited out their
   * time). Nothing for a participant, the owner (End party asks of its own), or while
   * another host is here.
   */
  get leftWithNoHost(): { requests: number; approvals: number; alone: boolean } {
    const you = this.session?.you.id;
    if (!this.isHost || this.isOwner || this.participants.some((m) => m.role === 'host' && m.id !== you)) return { requests: 0, approvals: 0, alone: false };
    return { ...waitingForHosts(this.transcript), alone: true };
  }
  /** Members who left and may come back; a host may still remove one. */
  get away(): readonly Member[] {
    return this.#party.away;
  }
  /** A member's prompts not sent yet: waiting for a batch, and held for approval in a merged prompt. */
  promptsOf(member: string): { waiting: number; held: number } {
    return this.#party.promptsOf(member);
  }
  /** Every prompt not yet sent to the agent, oldest first. */
  get pending(): readonly Prompt[] {
    return this.#party.pending;
  }
  get connection(): Connection {
    return this.#party.connection;
  }
  /** When (local ms) the next reconnect attempt starts; 0 when not known. */
  get retryAt(): number {
    return this.#party.retryAt;
  }
  get sending(): boolean {
    return this.#party.sending;
  }
  /** When (local ms) the send under way began; 0 when none is. */
  get sendingSince(): number {
    return this.#party.sendingSince;
  }
  get sendError(): string {
    return this.#party.sendError;
  }
  get inviteCopied(): boolean {
    return this.#party.inviteCopied;
  }
  get viewerInviteCopied(): boolean {
    return this.#party.viewerInviteCopied;
  }
  get hostInviteCopied(): boolean {
    return this.#party.hostInviteCopied;
  }
  get ending(): boolean {
    return this.#party.ending;
  }
  /** Set once the party is over: the transcript stays until backHome(). */
  get ended(): Ended | null {
    return this.#party.ended;
  }
  get savingTranscript(): boolean {
    return this.#party.savingTranscript;
  }

  /** What the transcript shows beyond its first look: a turn's other files, a tool step's whole output (find counts it). */
  get shownMore(): ShownMore {
    return this.#party.shownMore;
  }

  /** The transcript items, oldest first (one array that grows: see transcriptVersion). */
  get transcript(): readonly TranscriptItem[] {
    return this.#party.transcript;
  }

  /** Rises whenever the transcript changed. */
  get transcriptVersion(): number {
    return this.#party.transcriptVersion;
  }

  /** Rises when a waiting tool request is decided or times out: its card shrinks and the next moves up. */
  get permissionsSettled(): number {
    return this.#party.permissionsSettled;
  }

  /** The merger of the last batch sent to the agent ("" before any). */
  get lastBatchMerger(): string {
    return this.#party.lastBatchMerger;
  }

  /** "The party has ended: …" ("You left …", "You were removed …") while the ended party is on screen, else "". */
  get endedText(): string {
    return this.#party.endedText;
  }

  /** The highest event seq seen in this party. */
  get lastSeq(): number {
    return this.#party.lastSeq;
  }

  /** Whether a prompt was sent from this window (by ack id or by our member name). */
  isMine(p: Prompt): boolean {
    return this.#party.isMine(p);
  }

  /** Whether the window's person is a host of the party (the owner or a co-host). */
  /** The party's traffic is not encrypted (its invite has no ?fp=: a host started with
   * --insecure, on loopback). */
  get unencrypted(): boolean {
    const inv = this.session?.invite;
    return Boolean(inv) && inviteSummary(inv!)?.pinned === false;
  }

  get isHost(): boolean {
    return this.#party.isHost;
  }

  /** Whether this window runs the party (End party, the tray). */
  get isOwner(): boolean {
    return this.#party.isOwner;
  }

  /** Whether a turn is running (the Stop button shows). */
  get turnRunning(): boolean {
    return this.#party.turnRunning;
  }

  /** Whether a prompt is in a batch waiting for a host's approval. */
  /** Whether a prompt never reached the agent because the party ended first. */
  unsentAtEnd(id: string): boolean {
    return this.#party.unsentAtEnd(id);
  }

  /** Whether a prompt still waited when this window left a party that goes on without it. */
  waitingWhenLeft(id: string): boolean {
    return this.#party.waitingWhenLeft(id);
  }
  isAwaitingApproval(id: string): boolean {
    return this.#party.isAwaitingApproval(id);
  }

  /** Who rejected a prompt's batch and why, if a host did. */
  rejectionOf(id: string) {
    return this.#party.rejectionOf(id);
  }

  /** Whether a prompt is still waiting for a batch. */
  isPending(id: string): boolean {
    return this.#party.isPending(id);
  }

  /** Who took back a prompt and whose it was, if it was withdrawn. */
  withdrawalOf(id: string) {
    return this.#party.withdrawalOf(id);
  }

  /** Whether the window's person may take back this waiting prompt (theirs, or as a host). */
  canWithdraw(p: Prompt): boolean {
    return this.#party.canWithdraw(p);
  }

  /** Whether this prompt's withdrawal is under way. */
  isWithdrawing(id: string): boolean {
    return this.#party.withdrawing.has(id);
  }

  /** Takes back a waiting prompt; my own comes back into the prompt box (see takeRefill). */
  withdraw(p: Prompt): Promise<void> {
    return this.#party.withdraw(p);
  }

  /** Puts my prompts of a failed turn back into the prompt box, to be sent again (once). */
  recallPrompts(batch: string): void {
    this.#party.recall(batch);
  }

  /** Puts my text (edits to a prompt that went without them) into the prompt box. */
  putInPromptBox(text: string): void {
    this.#party.giveBackText(text);
  }

  /** Whether my prompt someone else withdrew can be put back in the prompt box (once, not as a viewer). */
  canRecallWithdrawn(p: Prompt): boolean {
    return this.#party.canRecallWithdrawn(p);
  }

  /** Puts my prompt someone else withdrew back into the prompt box. */
  recallWithdrawn(p: Prompt): void {
    this.#party.recallWithdrawn(p);
  }

  /** Whether recallPrompts can put them back: not twice, nor as a viewer. */
  canRecall(batch: string): boolean {
    return this.#party.canRecall(batch);
  }

  /** The prompt box's new text now that my withdrawn prompt came back into it, once; null when none did. */
  takeRefill(draft: string): string | null {
    return this.#party.takeRefill(draft);
  }

  /** The prompt box's new text once a prompt it kept (its send had no answer) reached the host after all, once; null when none did. */
  takeArrived(draft: string): string | null {
    return this.#party.takeArrived(draft);
  }

  /**
   * What the prompt box holds and has not sent. The box writes it as the person types
   * (no re-render); leaving asks first when it is not empty. Go keeps it for a page
   * loaded again (state/draft.ts).
   */
  get unsentDraft(): string {
    return this.#draft.text;
  }
  set unsentDraft(text: string) {
    this.#draft.text = text;
  }

  /** What a page loaded again brought back for the prompt box, once; null when nothing. */
  takeRestoredDraft(): string | null {
    return this.#draft.takeRestored();
  }

  /** The person changed the prompt box's text: an error about what it held before goes. */
  editDraft(text: string): void {
    this.unsentDraft = text;
    this.#party.draftChanged(text);
  }

  /** My prompts that no batch has carried yet. */
  get myPending(): readonly Prompt[] {
    return this.#party.myPending;
  }

  /** How many of my pending prompts wait for a host's approval (in a merged batch). */
  get myAwaitingApproval(): number {
    return this.#party.myAwaitingApproval;
  }

  /** Why the prompt box is disabled, or "" when prompts can be sent. */
  get sendBlockedReason(): string {
    return this.#party.sendBlockedReason;
  }
  /** Whether the prompt box takes text now (it may still not send: sendBlockedReason). */
  get canDraft(): boolean {
    return this.#party.canDraft;
  }

  /** A time on the host's clock (ms, e.g. a tool request's expires), as this machine's clock reads it. */
  hostToLocal(hostMs: number): number {
    return this.#party.hostToLocal(hostMs);
  }

  /** Our clock's time (ms) when the party's current phase began, or null when unknown. */
  get phaseSince(): number | null {
    return this.#party.phaseSince;
  }

  /** The local time (ms) at which the batching window closes, or null when no countdown applies. */
  get collectDeadline(): number | null {
    return this.#party.collectDeadline;
  }

  /** How many more prompts the host waits for before it cuts a batch (0 when none). */
  get promptsNeeded(): number {
    return this.#party.promptsNeeded;
  }

  /** How many prompts this window sent in the party (it rises with each one the host took). */
  get promptsSent(): number {
    return this.#party.promptsSent;
  }

  /** Sends a prompt. Resolves true when the host accepted it (the box may then be cleared). */
  sendPrompt(text: string): Promise<boolean> {
    return this.#party.sendPrompt(text);
  }

  /** Puts the invite on the clipboard. */
  copyInvite(): Promise<void> {
    return this.#party.copyInvite();
  }

  /** Puts the viewer invite on the clipboard. */
  copyViewerInvite(): Promise<void> {
    return this.#party.copyViewerInvite();
  }
  copyHostInvite(): Promise<void> {
    return this.#party.copyHostInvite();
  }

  /** Tries to reach the host at once while reconnecting. */
  retryNow(): Promise<void> {
    return this.#party.retryNow();
  }

  /** Leaves the party (a participant); its transcript stays until backHome(), even if the host cannot be told. */
  leave(): Promise<void> {
    return this.#party.leave();
  }

  /**
   * Whether the End party dialog is open: the window's End party button or the tray's
   * End party… opened it. It goes with the party, and is never open for a participant.
   */
  get endAsked(): boolean {
    return this.#endAsked === this.#party.gen && this.isHost && !this.ended;
  }

  /** Opens the End party dialog (ending needs its confirmation). */
  askEnd(): void {
    if (!this.isHost || this.ended) return;
    // The tray can ask while Settings is open: the party view, where the dialog is, is
    // inert behind Settings, so its buttons could not be pressed (a reviewer's).
    if (this.settingsOpen) this.#settings.closeSettings();
    this.#endAsked = this.#party.gen;
    this.#changed();
  }

  /** Closes the End party dialog; the party goes on. */
  cancelEnd(): void {
    this.#endAsked = -1;
    this.#changed();
  }

  /** Ends the party (the host). On failure the party stays, the reason is shown, and the dialog stays open. */
  async endParty(): Promise<boolean> {
    const ok = await this.#party.endParty();
    if (ok) this.cancelEnd();
    return ok;
  }

  /** Saves the transcript as Markdown where the person chooses (a native dialog, in Go). */
  saveTranscript(): Promise<void> {
    return this.#party.saveTranscript();
  }

  /** Leaves the ended party's view for home; Go forgets its transcript. */
  backHome(): void {
    this.#party.backHome();
  }
}
