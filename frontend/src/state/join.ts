// The join dialog: the invite and name, the invite's check, and joining. Owned by AppState,
// which hands it the party to enter; this module owns the ClipboardInvite, CheckInvite and
// JoinParty calls into Go. Also what the dialog says about an invite before connecting, for
// display (Go is the parser: CheckInvite says whether the link is valid).

import { errorText, type Backend } from './backend';
import { roleLabel } from './host-control';
import type { PartySession } from './party';
import type { JoinedAs, Role } from './types';

/**
 * The link without what it picked up on its way through chat and mail — a pair of <>, (),
 * [] or quotes around it, a closing one alone after a link that starts the text, a
 * sentence's . , ; or : after it, a message around it, line breaks a terminal put in it —
 * as Go's invite.Parse reads it (its find: the text as a link, else the link cut out of the
 * text, else that with its line breaks taken out).
 */
export function unwrapInvite(text: string): string {
  const whole = unwrapPairs(text);
  if (LINK.test(whole)) return whole;
  const cut = unwrapPairs(extractInvite(text, false));
  const glued = unwrapPairs(extractInvite(text, true));
  // A text with ?fp= after the scheme meant a pinned link: never read it without the pin.
  const at = text.search(/concordia:\/\//i);
  const pinned = at >= 0 && FP.test(text.slice(at));
  const found = [cut, glued].filter((c) => LINK.test(c) && (!pinned || FP.test(c)));
  return found.find((c) => complete(c, pinned)) ?? found[0] ?? whole;
}

/** A link's shape: what inviteSummary reads. */
const LINK = /^concordia:\/\/([^/\s]+)\/[^?\s]*(\?\S*)?$/i;

/**
 * Whether link is one of this party's own invites (links: the session's): the same address
 * and token. Another token to the same party (a host invite, after new invites) is kept.
 */
function ownInvite(link: string, links: readonly string[]): boolean {
  const parts = (l: string) => {
    const m = /^concordia:\/\/([^/\s?]+)\/([^?\s/]*)/i.exec(l.trim());
    return m ? `${m[1]!.toLowerCase()}/${m[2]}` : '';
  };
  const x = parts(link);
  return x !== '' && links.some((l) => l !== '' && parts(l) === x);
}

/** A pin (?fp=), also percent-encoded as some chat apps write it (%3Ffp%3D), as Go reads it. */
const FP = /(?:\?|%3F)fp(?:=|%3D)/i;

/** The query's ? and = for their percent-escapes (Go's invite.decodeQuery). */
function decodeQuery(link: string): string {
  return link.replace(/%3F/gi, '?').replace(/%3D/gi, '=');
}

/**
 * A link as Go's invite.parse reads it before taking it apart: after the host, %3F and %3D
 * as the ? and = they stand for (a chat app's TOKEN%3Ffp%3DFPR: invite.decodeQuery), and
 * one "/" off its end after a token's or a fingerprint's character (an app's TOKEN/:
 * invite.trimSlash). Any other text comes back as it is; what is around a link in a message
 * is unwrapInvite's. The demo's invite check reads links by it, as Go does (PROTOCOL.md §2).
 */
export function normalizeLink(link: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^]*)$/i.exec(link);
  if (!m) return link;
  let rest = m[2]!;
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash + 1) + decodeQuery(rest.slice(slash + 1)); // the host is not touched
  const n = rest.length;
  if (n >= 2 && rest.endsWith('/') && /[A-Za-z0-9_-]/.test(rest[n - 2]!) && rest.slice(0, -1).includes('/')) rest = rest.slice(0, -1);
  return m[1]! + rest;
}

/** Whether a link has the shape of a whole Concordia invite (Go's invite.CheckComplete). */
function complete(link: string, wantFP: boolean): boolean {
  const m = /^concordia:\/\/[^/\s]+\/([^?\s/]*)(?:\?fp=([0-9a-f]*))?$/i.exec(normalizeLink(link));
  if (!m) return false;
  const token = m[1] ?? '';
  const whole = token.length === 43 || (token.length === 32 && /^[0-9a-f]+$/.test(token));
  return whole && (m[2] ? m[2].length === 64 : !wantFP);
}

function unwrapPairs(text: string): string {
  let s = text;
  for (;;) {
    const before = s;
    s = s.trim().replace(/[.,;:]+$/, '');
    for (const [open, close] of ['<>', '()', '[]', '""', "''", '``']) {
      if (s.length >= 2 && s.startsWith(open!) && s.endsWith(close!)) s = s.slice(1, -1);
    }
    if (/^concordia:\/\//i.test(s)) s = trimEnd(s, CLOSERS);
    if (s === before) return s;
  }
}

/** The link cut out of the text around it (Go's invite.extract). */
function extractInvite(text: string, glue: boolean): string {
  let s = text.trim();
  let at = s.search(/concordia:\/\//i); // not toLowerCase(): it can change the length before the link
  if (at < 0) return s;
  const inText = at > 0;
  if (inText && OPENERS.includes(s[at - 1]!)) at--;
  s = s.slice(at);
  if (glue) s = s.replace(/(\S)\r?\n(?=\S)/g, '$1');
  const end = s.search(/\s/);
  if (end >= 0) s = s.slice(0, end);
  if (inText && !OPENERS.includes(s[0]!)) s = trimEnd(s, '.,;:!?' + CLOSERS);
  return s;
}

/** The characters of set off the end of s, but not a ] that closes an IPv6 host's [ (Go's trimEnd). */
function trimEnd(s: string, set: string): string {
  const count = (c: string) => s.split(c).length - 1;
  while (s !== '' && set.includes(s[s.length - 1]!)) {
    if (s.endsWith(']') && count('[') >= count(']')) break;
    s = s.slice(0, -1);
  }
  return s;
}

/** What a link may be put between in a text (Go's openers and closers). */
const OPENERS = '<(["\'`';
const CLOSERS = ')>]"\'`';

/** Where the invite leads and whether it pins the host's certificate (?fp=). */
export function inviteSummary(text: string): { host: string; pinned: boolean } | null {
  const m = LINK.exec(unwrapInvite(text));
  if (!m) return null;
  return { host: m[1] ?? '', pinned: FP.test(m[0]) };
}

/** The home screen's button that opens the join dialog: what a notice about a kept link names. */
export const JOIN_BUTTON = 'Join with an invite…';

/** The warning for a valid link without ?fp=: a plain host, or a link cut short. */
export const UNPINNED_WARNING =
  'Not encrypted: this link has no ?fp= part. That is right only for a party started with --insecure; if the host uses encryption, the link was cut off — copy it whole.';

/** The warning for a valid invite ("" when none). */
export function inviteWarning(text: string): string {
  const s = inviteSummary(text);
  return s && !s.pinned ? UNPINNED_WARNING : '';
}

/**
 * The link the clipboard's text offers, or "" when it has none: the text itself, or the link
 * cut out of a chat message around it (unwrapInvite, as Go reads it) — a broken one too, so
 * that the dialog says what is wrong with it (one in a message was dropped without a word).
 */
export function clipboardLink(text: string): string {
  if (!/concordia:\/\//i.test(text)) return '';
  if (/^\s*concordia:\/\//i.test(text)) return text.trim();
  const link = unwrapInvite(text);
  if (LINK.test(link)) return link;
  const cut = unwrapPairs(extractInvite(text, false));
  // A text with ?fp= after the link's start whose cut-out link lost it ("…/TOKEN ?fp=…"):
  // the text as it is, for Go to explain; the cut would read as a link without TLS.
  const at = text.search(/concordia:\/\//i);
  if (FP.test(text.slice(at)) && !FP.test(cut)) return text.trim();
  return cut;
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
  /** The person changed the name here: opening the dialog keeps it. */
  nameTyped?: boolean;
  /** The name is the one this computer last joined the invite's party under (JoinName). */
  nameKnown?: boolean;
  /** With nameKnown: the role it last had there ("" when not known). */
  knownRole?: Role | '';
  /** The invite the last join failed with: opening the dialog again keeps its error. */
  failedInvite?: string;
  /**
   * The invite a link opened from the desktop took the place of while the dialog showed it
   * (else unset): said in the dialog, with a way back.
   */
  replaced?: { invite: string; typed: boolean };
}

/** What the join dialog tells its owner. */
export interface JoinHooks {
  /** Re-render. */
  changed(): void;
  /** Shows a message for people. */
  notify(kind: 'info' | 'error', text: string): void;
  /** The display name in the settings now (the create form saves a changed one there). */
  name(): string;
  /** A join succeeded: Go saved a name chosen for it as the settings' (App.JoinParty). */
  joined(): void;
}

/** What of Go the join dialog calls. */
type JoinBackend = Pick<Backend, 'ClipboardInvite' | 'CheckInvite' | 'InviteWarning' | 'JoinName' | 'JoinParty' | 'CancelJoin'>;

/** The join dialog's state and methods; it enters the party through the PartySession. */
export class JoinDialog {
  state: JoinState = { open: false, invite: '', name: '', check: 'empty', problem: '', busy: false, error: '', warning: '', typed: false };

  readonly #backend: JoinBackend;
  readonly #hooks: JoinHooks;
  readonly #party: Pick<PartySession, 'session' | 'connection' | 'gen' | 'subscribe' | 'unsubscribe' | 'enter' | 'ended' | 'backHome'>;
  readonly #checkDelay: number;
  #checkSeq = 0;
  #checkTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    backend: JoinBackend,
    hooks: JoinHooks,
    party: Pick<PartySession, 'session' | 'connection' | 'gen' | 'subscribe' | 'unsubscribe' | 'enter' | 'ended' | 'backHome'>,
    checkDelayMs = 250,
  ) {
    this.#backend = backend;
    this.#hooks = hooks;
    this.#party = party;
    this.#checkDelay = checkDelayMs;
  }

  /** Cancels the pending invite check (the window goes away). */
  dispose(): void {
    clearTimeout(this.#checkTimer);
  }

  /**
   * Opens the join dialog. With no link it looks at the clipboard and
   * prefills a concordia:// link found there, valid or not (CheckInvite says what is wrong).
   */
  async openJoin(link?: string): Promise<void> {
    if (this.#party.session && !this.#party.ended) {
      this.#hooks.notify('info', 'Leave this party before joining another one.');
      return;
    }
    link ||= this.#kept;
    this.#kept = '';
    const shownBefore = this.state.open;
    // The name as the settings have it now, unless it was changed in this dialog: it was
    // the name at the window's start, after a party had been hosted under another.
    const name = this.state.nameTyped || this.state.nameKnown ? this.state.name : this.#hooks.name() || this.state.name;
    // Why the join with this very link failed still holds: a tester reopened the dialog
    // and saw the refused link marked valid, the refusal gone.
    const error = this.state.failedInvite === this.state.invite.trim() ? this.state.error : '';
    this.state = { ...this.state, open: true, error, busy: false, name };
    this.#hooks.changed();
    if (link) {
      // A link opened over the one the open dialog shows is said, with a way back: a window
      // tester's watch-only link took the place of a participant one under a typed name,
      // without a word, and they joined as a viewer.
      const shown = shownBefore ? { invite: this.state.invite, typed: this.state.typed } : undefined;
      this.setJoinInvite(link, false); // a link opened from the desktop
      if (shown && shown.invite.trim() !== '' && shown.invite.trim() !== link.trim()) {
        this.state = { ...this.state, replaced: shown };
        this.#hooks.changed();
      }
      return;
    }
    const before = this.state.invite;
    let text = '';
    try {
      text = (await this.#backend.ClipboardInvite()).trim();
    } catch {
      text = ''; // an unreadable clipboard is no reason to complain
    }
    // A fresh link on the clipboard replaces the field, unless the person typed there
    // (also while the clipboard was read) or closed the dialog meanwhile. A link typed
    // there that is broken gives way to a whole one copied since (a window tester cancelled
    // over a broken link, copied the right one, and found the broken one back); so does one
    // the host refused (a user tester's, removed, pasted the old link, then copied the new
    // one the host made, and found the refused one back, "valid").
    const j = this.state;
    const found = clipboardLink(text);
    if (j.open && found && found !== j.invite.trim()) {
      // A check the closing cut short counts as not done (a reviewer's spun "Checking…").
      const refused = j.failedInvite !== '' && j.failedInvite === j.invite.trim();
      const broken = refused || j.check === 'invalid' || (j.check === 'checking' && !(await this.#valid(j.invite)));
      const replace = !j.typed || (j.invite === before && broken && (await this.#valid(found)));
      if (replace && this.state.invite === j.invite && this.state.open) {
        this.setJoinInvite(found, false);
        return;
      }
    }
    // The dialog closed before its check of the link came: it runs again.
    if (this.state.open && this.state.check === 'checking') this.setJoinInvite(this.state.invite, this.state.typed);
  }

  /** Whether Go takes link as a whole invite (CheckInvite says nothing wrong). */
  async #valid(link: string): Promise<boolean> {
    try {
      return (await this.#backend.CheckInvite(link)) === '';
    } catch {
      return false;
    }
  }

  /**
   * Closes the join dialog (Escape, Cancel, ✕). A join in flight is cancelled (a host that
   * never answered held the dialog on "Connecting…" for 10 s, Cancel dead: a tester's);
   * its failure, which says so, is not shown.
   */
  closeJoin(): void {
    if (this.state.busy) {
      this.#cancelled = true;
      void this.#backend.CancelJoin().catch(() => {});
    }
    clearTimeout(this.#checkTimer);
    this.#checkSeq++;
    this.state = { ...this.state, open: false, replaced: undefined }; // its error: openJoin decides
    this.#hooks.changed();
  }

  /** Puts back the invite a link opened from the desktop replaced (JoinState.replaced). */
  restoreReplacedInvite(): void {
    const r = this.state.replaced;
    if (r && !this.state.busy) this.setJoinInvite(r.invite, r.typed);
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
      this.state = { ...this.state, invite: text, check: 'empty', problem: '', error: '', warning: '', typed, replaced: undefined };
      this.#hooks.changed();
      return;
    }
    this.state = { ...this.state, invite: text, check: 'checking', error: '', warning: '', typed, replaced: undefined };
    this.#hooks.changed();
    this.#checkTimer = setTimeout(() => void this.#runCheck(seq, text), this.#checkDelay);
  }

  /** Updates the name to join with. */
  setJoinName(name: string): void {
    this.state = { ...this.state, name, error: '', nameTyped: true, nameKnown: false };
    this.#hooks.changed();
  }

  /** The person closed the dialog while the join connected. */
  #cancelled = false;

  /** Whether the Join button can be pressed. */
  get canJoin(): boolean {
    const j = this.state;
    return !j.busy && j.check === 'valid' && j.name.trim() !== '';
  }

  /** Checks text; with offerName, also fills in the name known for its party (not on Join: the name shown is the one joined with). */
  async #runCheck(seq: number, text: string, offerName = true): Promise<boolean> {
    let problem: string;
    let warning = '';
    let known: JoinedAs = { name: '', role: '' };
    try {
      problem = await this.#backend.CheckInvite(text);
      // A link cut short is still a valid one (another host's tokens may be shorter): said
      // before connecting, not "Valid" until the host refused it (a window tester's).
      if (!problem) warning = await this.#backend.InviteWarning(text).catch(() => '');
      // The name it last joined that party under, unless one was typed here: a reopened
      // window joined again under the settings' name and was someone new, its member away
      // (a window tester's "root", while "Cleo" stayed away).
      if (offerName && !problem && !this.state.nameTyped) known = await this.#backend.JoinName(text).catch((): JoinedAs => ({ name: '', role: '' }));
    } catch (err) {
      problem = errorText(err);
    }
    if (seq !== this.#checkSeq) return false; // the text changed meanwhile
    // Both when both hold: a link cut short that has no ?fp= is not pinned either (a reviewer's).
    const warnings = problem ? '' : [warning, inviteWarning(text)].filter(Boolean).join(' ');
    this.state = { ...this.state, check: problem ? 'invalid' : 'valid', problem, warning: warnings };
    if (known.name && !this.state.nameTyped) this.state = { ...this.state, name: known.name, nameKnown: true, knownRole: known.role };
    else if (offerName && this.state.nameKnown && !this.state.nameTyped && !known.name) this.state = { ...this.state, name: this.#hooks.name() || this.state.name, nameKnown: false, knownRole: '' };
    this.#hooks.changed();
    return !problem;
  }

  /** Joins with the dialog's invite and name. The dialog stays open on failure. */
  async submitJoin(): Promise<boolean> {
    const j = this.state;
    if (j.busy || (this.#party.session && !this.#party.ended)) return false;
    if (j.name.trim() === '') {
      this.state = { ...j, error: 'Enter the name the others will see.' };
      this.#hooks.changed();
      return false;
    }
    if (j.check !== 'valid') {
      if (j.check === 'empty') return false;
      // Don't wait for the debounce: check now.
      clearTimeout(this.#checkTimer);
      if (!(await this.#runCheck(++this.#checkSeq, j.invite, false))) return false;
    }
    const invite = this.state.invite.trim();
    const name = this.state.name.trim();
    if (this.#party.ended) this.#party.backHome(); // the party over on screen makes way
    this.state = { ...this.state, busy: true, error: '' };
    this.#cancelled = false;
    this.#party.connection = { status: 'connecting', attempt: 0, error: '', retryMs: 0 };
    this.#hooks.changed();
    const gen = this.#party.subscribe();
    try {
      const s = await this.#backend.JoinParty(invite, name);
      if (gen !== this.#party.gen) return false;
      // This party's link is used: the next join starts from the clipboard, not from it.
      // Nor does a name typed for it hold the next time: the next link's known name is
      // offered (a reviewer's: one typed name kept it from ever being offered again).
      this.state = { ...this.state, open: false, busy: false, error: '', invite: '', check: 'empty', problem: '', warning: '', typed: false, nameTyped: false, nameKnown: false, replaced: undefined };
      this.#party.enter(s);
      this.#hooks.joined();
      if (s.asked_name) {
        // The host made the name unique (Go compares): said, or "tina-2" is a puzzle (a tester's).
        // A co-host back with a rotated participant invite is someone new: said why (a
        // terminal tester's co-host read only "alice is taken").
        const seat = s.seat_not_back
          ? ` If ${s.asked_name} was you as a co-host, only the link you joined with then, or a host invite, brings that seat back: this one cannot raise a role.`
          : '';
        this.#hooks.notify('info', `You are called ${s.you.name} in this party: ${s.asked_name} is taken.${seat}`);
      }
      if (s.removed) {
        // A host removed the member this window was; it joined as someone new (Go's
        // sentence, which names that host): said, not a silent new seat.
        this.#hooks.notify('info', s.removed);
      }
      if (s.rejoined) {
        // Go kept this membership from the last join with this link and name (a restarted
        // app was a new member of the same name, and a co-host lost the role).
        this.#hooks.notify('info', `You are back as the member you were in this party (a ${roleLabel(s.you.role)}).`);
      }
      if (s.viewer_kept === 'returned' && !s.rejoined) {
        // The participant link made a viewer: said why (a terminal tester's removed viewer,
        // back with new invites, read only that she was a viewer).
        this.#hooks.notify('info', `You came back as ${s.you.name}, who was a viewer: a member back keeps its role, whatever the link. A host can make you a participant.`);
      } else if (s.viewer_kept === 'removed') {
        this.#hooks.notify('info', 'You joined as a viewer, not as a participant: this window was a viewer when a host removed it from the party, and joining again from it keeps that. A host can make you a participant.');
      }
      if (s.not_kept) {
        // An error toast, which stays: a full disk made every later join someone new,
        // each leaving an away member behind, unexplained (the terminal says it too).
        this.#hooks.notify('error', s.not_kept);
      }
      return true;
    } catch (err) {
      if (gen === this.#party.gen) this.#party.unsubscribe();
      // A link that failed is no longer one to keep over a fresh one on the clipboard:
      // the next opening of the dialog takes that (the person copied a new invite). A
      // join the person cancelled has nothing to say: the dialog is closed.
      const error = this.#cancelled ? '' : errorText(err);
      this.state = { ...this.state, busy: false, error, typed: false, failedInvite: invite };
      this.#party.connection = { status: 'closed', attempt: 0, error: '', retryMs: 0 };
      return false;
    } finally {
      this.#hooks.changed();
    }
  }

  /**
   * An invite opened from the desktop. Over a party that is over (ended, left, removed) the
   * dialog opens as from home, and joining leaves that party's screen (a tester's link
   * after being removed was refused with "Leave it first", and lost).
   */
  onLink(link: string): void {
    const s = this.#party.session;
    if (s && !this.#party.ended && ownInvite(link, [s.invite, s.viewer_invite])) {
      // This party's own invite (a tester opened their own while hosting): nothing to keep
      // for later, when it would lead to a party over (the dialog opened with it after the end).
      this.#hooks.notify('info', 'That invite is to the party you are in.');
      return;
    }
    if (s && !this.#party.ended) {
      // Kept for the join dialog (a window tester's was dropped, and had to be found again
      // after leaving).
      this.#kept = link;
      // One that is not a whole link is said so at once (a user tester's, with junk after
      // its fp, was said kept, and found broken only after leaving).
      const whole = LINK.test(link.trim());
      this.#hooks.notify(
        'info',
        whole
          ? `An invite was opened, but you are already in a party. It is kept: once you have left this one, ${JOIN_BUTTON} on the home screen opens with it.`
          : `A concordia:// link was opened, but it is not a whole invite; once you have left this party, ${JOIN_BUTTON} on the home screen says what is wrong with it.`,
      );
      return;
    }
    if (this.state.open && this.state.check === 'valid' && !LINK.test(link.trim())) {
      // A broken link does not replace a whole invite in the dialog (a tester's bare
      // concordia:// did, with no way back).
      this.#hooks.notify('info', 'A concordia:// link was opened, but it is not a whole invite: the invite in the Join dialog stays.');
      return;
    }
    void this.openJoin(link);
  }

  /** A link opened from the desktop during a party (onLink), for the next join dialog. */
  #kept = '';
}
