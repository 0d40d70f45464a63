// HostControl owns the window's host methods (PROTOCOL.md §7): approval, the permission
// mode, tool requests, stopping a turn, roles, kicking, new invites and agent commands. It
// is part of the state module: AppState creates one and hands it the backend; components
// call its methods and read busy() to disable what is in flight. Go (the party) checks the
// member's role and every argument; a refusal comes back as a sentence, shown as a notice.

import { errorText, type Backend } from './backend';
import type { Decision, Editors, Invites, Permission, PermissionMode, Role } from './types';

/**
 * The tool with which the agent presents its plan and asks to leave plan mode (Go's
 * party.ExitPlanTool): allowed, the agent works on; denied, the plan goes back to it.
 */
export const EXIT_PLAN_TOOL = 'ExitPlanMode';

/**
 * Whether a tool request ended undecided rather than denied, as Go's
 * transcript.IsCancelledRequest: the party records `denied` with no `by` when the turn
 * ended (stopped, interrupted, its timeout), claude stopped, or the host stopped before
 * anyone decided, or its journal lost the decision (PROTOCOL.md §7). Nobody refused it: it
 * was cancelled (a user tester read "denied" and looked for who). Plan mode's own denials
 * also name nobody, but are the party's rule ("plan mode: nothing is changed"): denials.
 */
export function isCancelledRequest(p: Permission): boolean {
  return p.status === 'denied' && (p.by ?? '') === '' && !(p.reason ?? '').startsWith('plan mode');
}

/**
 * The reason of a request the turn's end left undecided (Go's party.TurnEnded): the one
 * cancelled request the turn's `denied` counts.
 */
export const TURN_ENDED = 'the turn ended before a decision';

/**
 * What a cancelled request's step came back with from a host from before 2026-12-07: the
 * agent is told this (Go's party.StoppedBeforeADecision), marked "(denied)" as any refusal.
 */
export const CANCELLED_RESULT = '(denied) The turn was stopped before anyone decided.';

/**
 * The mark of a cancelled request's step since 2026-12-07 (PROTOCOL.md §5): what follows is
 * what Claude Code wrote of the tool use it withdrew.
 */
export const CANCELLED_MARK = '(cancelled) ';

/** What HostControl needs from AppState. */
export interface ControlContext {
  /** Re-render. */
  changed(): void;
  /** Shows a message for people. */
  notify(kind: 'info' | 'error', text: string): void;
  /** Takes new invites (the reply of NewInvites; party:invites brings them too). */
  setInvites(inv: Invites): void;
}

/** The permission modes in words a person understands (Go checks the value). */
export const PERMISSION_MODES: ReadonlyArray<{ value: PermissionMode; label: string; warning?: string }> = [
  { value: 'ask', label: 'Ask me before each tool use' },
  { value: 'edits', label: 'Allow file edits, ask for the rest' },
  { value: 'plan', label: 'Plan only — nothing is changed' },
  {
    value: 'all',
    label: 'Allow everything',
    warning: 'The agent can then run any command and change any file on this computer without asking anyone.',
  },
];

/** The words for a permission mode ("" for an unknown one), as a host chooses it. */
export function permissionModeLabel(mode: string | undefined): string {
  return PERMISSION_MODES.find((m) => m.value === mode)?.label ?? '';
}

/**
 * The permission modes as a running party's host controls offer them: a tool request there
 * asks any host, the owner or a co-host, not "me" (a co-host's select said "Ask me before
 * each tool use" above "What the agent may do without asking a host": a window tester's).
 * The defaults for a party to come (Create party, Settings) say "me": its host is asked.
 */
export const PARTY_PERMISSION_MODES: ReadonlyArray<{ value: PermissionMode; label: string; warning?: string }> = PERMISSION_MODES.map((m) => {
  switch (m.value) {
    case 'ask':
      return { ...m, label: 'Ask a host before each tool use' };
    case 'edits':
      return { ...m, label: 'Allow file edits, ask a host for the rest' };
    default:
      return m;
  }
});

/** The words for a running party's permission mode ("" for an unknown one), as PARTY_PERMISSION_MODES has them. */
export function partyPermissionModeLabel(mode: string | undefined): string {
  return PARTY_PERMISSION_MODES.find((m) => m.value === mode)?.label ?? '';
}

/** What a party's permission mode means, for everyone in it (a participant is not the "me"
 * of "Ask me before each tool use"); "" for an unknown one. always: tools are always
 * allowed too (beside "Always allowed: Write", "Every tool use that needs permission asks a host" read as a
 * contradiction: a window tester's). */
export function permissionModeInParty(mode: string | undefined, always = false): string {
  switch (mode) {
    case 'ask':
      return always ? 'Every other tool use that needs permission asks a host' : 'Every tool use that needs permission asks a host';
    case 'edits':
      return 'File edits allowed; other tools ask a host';
    case 'plan':
      return 'Plan only — nothing is changed';
    case 'all':
      return 'Everything allowed without asking';
  }
  return '';
}

/** A role in words, as the member list and its menu show it. */
export function roleLabel(role: Role | string): string {
  switch (role) {
    case 'host':
      return 'co-host';
    case 'viewer':
      return 'viewer';
    default:
      return 'participant';
  }
}

/** Agent commands offered in the menu; /clear asks first (it wipes the agent's context). */
export const AGENT_COMMANDS: ReadonlyArray<{ command: string; label: string; confirm?: string }> = [
  { command: '/compact', label: 'Compact the context (/compact)' },
  {
    command: '/clear',
    label: 'Clear the context (/clear)',
    confirm: 'The agent forgets everything said so far in this party. Prompts and the transcript stay.',
  },
];

export class HostControl {
  readonly #backend: Backend;
  readonly #ctx: ControlContext;
  readonly #busy = new Set<string>();
  /** Who edits the prompt held for approval, as the host last said (party:editing). */
  #editors: Editors | null = null;
  /** The batch whose "Edit and send…" this window has open: said again after a reconnect. */
  #mine: string | null = null;

  constructor(backend: Backend, ctx: ControlContext) {
    this.#backend = backend;
    this.#ctx = ctx;
  }

  /** Whether the action with this key is in flight (e.g. "perm:t1", "batch:b2", "stop"). */
  busy(key: string): boolean {
    return this.#busy.has(key);
  }

  /** Forgets what was in flight (the party ended). */
  reset(): void {
    this.#busy.clear();
    this.#editors = null;
    this.#mine = null;
  }

  /** The host said who edits the prompt held for approval (party:editing). */
  setEditors(ed: Editors): void {
    this.#editors = ed;
    this.#ctx.changed();
  }

  /**
   * The names of the other hosts who have "Edit and send…" open on batch, never mine (myId):
   * sending it now would drop their edits (a window tester's co-host lost his so).
   */
  othersEditing(batch: string, myId: string): string[] {
    const ed = this.#editors;
    if (!ed || ed.batch !== batch) return [];
    return ed.editors.filter((m) => m.id !== myId).map((m) => m.name);
  }

  /**
   * Tells the other hosts this window opened (on) or closed "Edit and send…" on batch. Only a
   * hint for them: a refusal (the batch was decided meanwhile, a host from before it) is not
   * this person's to read, and is not shown.
   */
  editing(batch: string, on: boolean): void {
    if (on ? this.#mine === batch : this.#mine !== batch) return; // said already
    this.#mine = on ? batch : null;
    this.#backend.EditingBatch(batch, on).catch(() => {});
  }

  /** The card's editor closed because batch was decided: the party forgot it already. */
  editingEnded(batch: string): void {
    if (this.#mine === batch) this.#mine = null;
  }

  /** Back in touch with the host, which forgot this window's editor with the connection. */
  connectedAgain(): void {
    if (this.#mine !== null) this.#backend.EditingBatch(this.#mine, true).catch(() => {});
  }

  /** Runs one call once at a time per key; failures become a notice. Resolves true on success. */
  async #run(key: string, what: string, call: () => Promise<unknown>): Promise<boolean> {
    if (this.#busy.has(key)) return false;
    this.#busy.add(key);
    this.#ctx.changed();
    try {
      await call();
      return true;
    } catch (err) {
      this.#ctx.notify('error', `Could not ${what}: ${errorText(err)}`);
      return false;
    } finally {
      this.#busy.delete(key);
      this.#ctx.changed();
    }
  }

  /** Turns approval mode on or off. */
  setApproval(on: boolean): Promise<boolean> {
    return this.#run('approval-mode', on ? 'turn approval on' : 'turn approval off', () => this.#backend.SetApproval(on));
  }

  /**
   * Sets what the agent may do without asking a host ("ask", "edits", "plan" or "all"),
   * from its next tool request on. The party's mode changes only when the host's settings
   * event says so (everyone gets it, with a notice in the transcript), never here.
   */
  setPermissionMode(mode: PermissionMode): Promise<boolean> {
    return this.#run('permission-mode', 'change the tool permissions', () => this.#backend.SetPermissionMode(mode));
  }

  /** Sends a waiting batch as merged. */
  approve(batch: string): Promise<boolean> {
    return this.#run(`batch:${batch}`, 'send the batch', () => this.#backend.ApproveBatch(batch));
  }

  /** Sends a waiting batch with edited text. */
  approveEdited(batch: string, text: string): Promise<boolean> {
    return this.#run(`batch:${batch}`, 'send the edited batch', () => this.#backend.ApproveEditedBatch(batch, text));
  }

  /** Drops a waiting batch; its authors see who and why. */
  reject(batch: string, reason: string): Promise<boolean> {
    return this.#run(`batch:${batch}`, 'reject the batch', () => this.#backend.RejectBatch(batch, reason.trim()));
  }

  /** Stops the running turn. */
  stop(): Promise<boolean> {
    return this.#run('stop', 'stop the turn', () => this.#backend.StopTurn());
  }

  /** Sends the prompts waiting for a batch without waiting for more (Party.sendNow). */
  sendNow(): Promise<boolean> {
    return this.#run('send-now', 'send the waiting prompts', () => this.#backend.SendNow());
  }

  /** Answers a tool request. */
  decide(id: string, decision: Decision, reason = ''): Promise<boolean> {
    return this.#run(`perm:${id}`, 'answer the tool request', () => this.#backend.DecidePermission(id, decision, reason.trim()));
  }

  /** Makes a tool allowed with "Always allow" ask again. */
  revokeAlways(tool: string): Promise<boolean> {
    return this.#run(`always:${tool}`, `make ${tool} ask again`, () => this.#backend.RevokeAlways(tool));
  }

  /** Makes a member a co-host, participant or viewer. */
  setRole(member: string, role: Role): Promise<boolean> {
    return this.#run(`member:${member}`, 'change the role', () => this.#backend.SetRole(member, role));
  }

  /** Removes a member from the party. */
  kick(member: string, reason = ''): Promise<boolean> {
    return this.#run(`member:${member}`, 'remove them', () => this.#backend.Kick(member, reason.trim()));
  }

  /** Makes new invites; the old links stop working. */
  newInvites(): Promise<boolean> {
    return this.#run('invites', 'make new invites', async () => {
      // The transcript says it too (a system event); no notice over the buttons.
      this.#ctx.setInvites(await this.#backend.NewInvites());
    });
  }

  /** Queues an agent command such as /compact; it runs when the agent is free. */
  agentCommand(command: string): Promise<boolean> {
    return this.#run('command', `run ${command.trim() || 'the command'}`, () => this.#backend.AgentCommand(command.trim()));
  }
}
