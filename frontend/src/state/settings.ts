// The settings panel and the Gemini key (PROTOCOL.md's settings file, the OS keyring).
// Owned by AppState, which loads both at boot; this module owns the SaveSettings, SetKey
// and DeleteKey calls into Go. Components read it through AppState and call its methods.

import { errorText, type Backend } from './backend';
import type { KeyCheck, KeyStatus, Settings } from './types';
import { DEFAULT_ZOOM, clampZoom } from './zoom';

/** Field name → problem, for settings validation. */
export type SettingsProblems = Partial<Record<keyof Settings, string>>;

/** Which loopback a host is ('v4': 127.x.x.x, 'v6': ::1 written any way, 'name': localhost), or ''. */
function loopback(host: string): 'v4' | 'v6' | 'name' | '' {
  const h = host.toLowerCase();
  if (h === 'localhost') return 'name';
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) return v4.slice(1).every((n) => Number(n) <= 255) ? 'v4' : '';
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return 'v4'; // IPv4 in IPv6, as Go reads it
  if (h.includes(':') && /^[0:]*:0*1$/.test(h) && h.split('::').length <= 2) return 'v6';
  return '';
}

/**
 * A warning for a listen address on loopback with a public host other machines use (Go's
 * host.UnreachableInvite, which the terminal says): the invites then reach the party from
 * another machine only through a tunnel or proxy; or both loopback of different kinds
 * (127.0.0.1 and ::1), which nobody reaches. "" when there is nothing to say.
 */
export function unreachableInviteWarning(listen: string, publicHost: string): string {
  const m = /^(.*):\d{1,5}$/.exec(listen.trim());
  const host = (m?.[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  const pub = publicHost.trim();
  const l = loopback(host);
  if (!host || !pub || !l) return '';
  const p = loopback(pub);
  if (!p) return `Parties listen on ${host} only, so invites to ${pub} reach them from another machine only through a tunnel or proxy. Listen on :PORT (every interface) otherwise.`;
  if (l !== 'name' && p !== 'name' && l !== p) return `Parties listen on ${host}, but invites lead to ${pub}: they cannot reach them.`;
  return '';
}

/**
 * Where a party created now listens, and where its invites lead, in words: the Create form
 * says it under More options (a user tester found no way to choose the port in the window,
 * the Network section being at the end of Settings). With the warning Settings gives of a
 * listen address that the invites cannot reach (unreachableInviteWarning).
 */
export function networkWords(listen: string, publicHost: string): string {
  const at = listen.trim() || ':8765'; // (Go's settings.DefaultListen)
  const m = /^(.*):(\d{1,5})$/.exec(at);
  const host = (m?.[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  const port = m?.[2] === '0' ? 'any free port' : m ? `port ${m[2]}` : at;
  const where = !m ? `Listens on ${at}` : host === '' ? `Listens on ${port}, on every network of this machine` : loopback(host) ? `Listens on ${port} of ${host}, this machine only` : `Listens on ${port} of ${host}`;
  const pub = publicHost.trim();
  const warning = unreachableInviteWarning(at, pub);
  // As Go's host.InviteHost: the listen address's own host when it names one.
  const named = host !== '' && host !== '0.0.0.0' && !/^[0:]+$/.test(host) ? host : '';
  return `${where}; invites lead to ${pub || named || "this machine's network address, found when the party starts"}.${warning ? ` ${warning}` : ''}`;
}

/** Go's settings.MinPermissionTimeoutMS and MaxPermissionTimeoutMS: 15 s to 24 h. */
export const MIN_PERMISSION_TIMEOUT_MS = 15_000;
export const MAX_PERMISSION_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * What is wrong with a tool request timeout, in the words of Go's
 * settings.CheckPermissionTimeout (so the sentence is the same whichever side finds it);
 * "" when it is fine.
 */
export function permissionTimeoutProblem(ms: number): string {
  if (Number.isFinite(ms) && ms >= MIN_PERMISSION_TIMEOUT_MS && ms <= MAX_PERMISSION_TIMEOUT_MS) return '';
  return 'The tool request timeout must be between 0.25 and 1440 minutes (15 seconds to 24 hours).';
}

/**
 * What is wrong with a listen address, in the words of Go's settings.CheckListen (the same
 * sentence whichever side finds it), naming the part that is wrong: a tester's
 * "127.0.0.1:99999" was told to "Use HOST:PORT", which it was. "" when it is fine (an empty
 * one too: the default).
 */
export function listenProblem(addr: string): string {
  if (addr === '') return '';
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(addr);
  if (!m) return `The listen address "${addr}" is not HOST:PORT or :PORT (e.g. ":8765", or "127.0.0.1:0" for a free port on this machine only).`;
  const host = m[1] ?? m[2] ?? '';
  const port = m[3]!;
  if (port === '') return `The listen address "${addr}" has no port: add one from 0 to 65535 (0 for any free port).`;
  if (!/^\d+$/.test(port)) return `The listen port "${port}" is not a number: use one from 0 to 65535 (0 for any free port).`;
  // As typed, without leading zeros (Go's words): Number() read 99999999999999999999 as 1e20.
  if (Number(port) > 65535) return `The listen port ${port.replace(/^0+/, '')} is out of range: use one from 0 to 65535 (0 for any free port).`;
  if (host !== '' && !isIPv4(host) && !isHostname(host) && !(m[1] !== undefined && isIPv6(host))) return `The listen host "${host}" is neither an IP address nor a host name.`;
  return '';
}

/** Go's net.ParseIP for IPv6 (inside brackets): the URL parser's, which takes no zone either. */
function isIPv6(h: string): boolean {
  if (!h.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(h)) return false;
  try {
    new URL(`http://[${h}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Go's net.ParseIP for IPv4: four numbers to 255, none with a leading zero. */
function isIPv4(h: string): boolean {
  return /^(?:(?:0|[1-9]\d{0,2})\.){3}(?:0|[1-9]\d{0,2})$/.test(h) && h.split('.').every((n) => Number(n) <= 255);
}

/** Go's settings.checkHostname: dot-separated labels of letters, digits and inner hyphens, the last not all digits. */
function isHostname(h: string): boolean {
  if (h.length > 253) return false;
  const labels = h.replace(/\.$/, '').split('.');
  if (/^\d*$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l));
}

/**
 * Checks settings before they go to Go (which checks again). It catches what a
 * person can fix in the form: bad numbers and a malformed listen address.
 */
export function validateSettings(s: Settings): SettingsProblems {
  const p: SettingsProblems = {};
  // Go trims the name and refuses an empty one with these words (settings.checkName): said
  // here too, with the other fields (a tester's "" went unmarked beside them, "   " not).
  if (s.name.trim() === '') p.name = 'The display name is empty.';
  if (!Number.isFinite(s.window_ms) || s.window_ms < 100) p.window_ms = 'The window must be at least 0.1 seconds.';
  else if (s.window_ms > 10 * 60 * 1000) p.window_ms = 'The window can be at most 600 seconds.';
  if (!Number.isInteger(s.min_prompts) || s.min_prompts < 1) p.min_prompts = 'Min prompts must be a whole number, 1 or more.';
  if (!['auto', 'gemini', 'local'].includes(s.merger)) p.merger = 'Choose auto, gemini or local.';
  const timeout = permissionTimeoutProblem(s.permission_timeout_ms);
  if (timeout) p.permission_timeout_ms = timeout;
  const listen = listenProblem(s.listen.trim());
  if (listen) p.listen = listen;
  if (/\s/.test(s.public_host.trim())) p.public_host = 'The public host cannot contain spaces.';
  return p;
}

/**
 * The field a sentence of Go's settings checks is about, or null: Go's refusal is shown
 * under that field, as the window's own checks are (a tester saw only the footer say the
 * name was empty, the field unmarked).
 */
export function settingsErrorField(error: string): keyof Settings | null {
  if (/^The display name/.test(error)) return 'name';
  // A flag Concordia sets itself (Go's controlledArgs): said of the field, not only in the
  // footer, which stayed after the field was cleared (a window tester's).
  if (/^The extra Claude Code argument|^(Use|Choose) the permission mode|^Concordia (asks|runs|sets|resumes) /.test(error)) return 'claude_args';
  if (/^The working folder|is a file, not a folder/.test(error)) return 'workdir';
  if (/^The Claude Code path|Claude Code was not found/.test(error)) return 'claude_path';
  if (/^The batching window/.test(error)) return 'window_ms';
  if (/^Min prompts/.test(error)) return 'min_prompts';
  if (/^The tool request timeout/.test(error)) return 'permission_timeout_ms';
  if (/^The listen /.test(error)) return 'listen';
  if (/^The public host/.test(error)) return 'public_host';
  return null;
}

/**
 * Says where the Gemini key comes from, for the home card and settings; denied: the
 * refusal was of this use only (the key's project or restrictions).
 */
export function describeKey(k: KeyStatus | null, refused = false, denied = false): string {
  if (!k) return 'Gemini key: unknown';
  // Known refused (keyRefused): not said as if it merged with Gemini (a window tester's
  // read green "in the OS keyring" beside Google's refusal of it).
  const but = refused
    ? denied
      ? ' — Google refused this use of it; merging locally'
      : ' — Google refused it; merging locally'
    : k.source === 'keyring' && k.unchecked
      ? ' — saved, not yet checked with Google'
      : '';
  switch (k.source) {
    case 'env':
      return 'Gemini key: from GEMINI_API_KEY' + but;
    case 'keyring':
      return 'Gemini key: in the OS keyring' + but;
    default:
      // With no keyring a key cannot be set here either: said so, as Settings says it (the
      // form read "none" while Settings and the party said the keyring was unavailable).
      return k.keyring_available ? 'Gemini key: none — merging locally' : 'Gemini key: none (the OS keyring is unavailable) — merging locally';
  }
}

/**
 * The class of a key's status line (its dot's colour): refused (red), unchecked (amber:
 * saved while Google could not be asked), has (green), or '' for no key.
 */
export function keyClass(k: KeyStatus | null, refused: boolean): string {
  if (!k || k.source === 'none') return '';
  if (refused) return 'refused';
  return k.source === 'keyring' && k.unchecked ? 'unchecked' : 'has';
}

/** The settings panel's state, the settings and where the Gemini key comes from. */
export class SettingsState {
  settings: Settings | null = null;
  key: KeyStatus | null = null;
  settingsOpen = false;
  /** The field the panel opens at ('' for its first): Create's "Change in Settings" opens it at Network. */
  settingsFocus: keyof Settings | '' = '';
  settingsBusy = false;
  settingsError = '';
  settingsProblems: SettingsProblems = {};
  settingsSaved = false;
  keyBusy = false;
  keyError = '';
  /** What Google said about the key at the last check; null before one (or after a change). */
  keyCheck: KeyCheck | null = null;
  keyChecking = false;
  /**
   * What said Google refused the key as it is now: a check's answer, or a party this window
   * runs ("Gemini refused the host's API key; …"). '' when none did, or since the key
   * changed or a check found it accepted. Kept when Settings opens again, unlike keyCheck.
   */
  keyRefused = '';
  /**
   * keyRefused said that Google refused only this use of the key (its project or
   * restrictions): the key itself need not change. Cleared with keyRefused.
   */
  keyDenied = false;
  /** Bumped by every check and every change of the key: older answers are dropped. */
  #checkGen = 0;

  readonly #backend: Pick<Backend, 'SaveSettings' | 'SetZoom' | 'SetKey' | 'DeleteKey' | 'CheckKey' | 'KeyStatus'>;
  readonly #changed: () => void;
  /**
   * The text size chosen in this window since it started (null: none): the settings may be
   * read again from Go (GetSettings) while a size is still being saved.
   */
  #zoom: number | null = null;
  /** Bumped by every size chosen: an answer about an older one does not change the settings. */
  #zoomGen = 0;
  #savedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(backend: Pick<Backend, 'SaveSettings' | 'SetZoom' | 'SetKey' | 'DeleteKey' | 'CheckKey' | 'KeyStatus'>, changed: () => void) {
    this.#backend = backend;
    this.#changed = changed;
  }

  /** Cancels the "Saved" timer (the window goes away). */
  dispose(): void {
    clearTimeout(this.#savedTimer);
  }

  /** Shows the settings panel, at the given field's section when one is given. */
  openSettings(focus: keyof Settings | '' = ''): void {
    this.settingsOpen = true;
    this.settingsFocus = focus;
    this.settingsError = '';
    this.settingsProblems = {};
    this.settingsSaved = false;
    this.keyError = '';
    // What Google said of the key at an earlier opening is about then: a window tester's
    // "Could not check the key: unreachable" stood minutes later, pushing the panel's note
    // out of a small window. A check under way still answers here.
    if (!this.keyChecking) this.keyCheck = null;
    this.#changed();
  }

  /** Hides the settings panel. */
  closeSettings(): void {
    this.settingsOpen = false;
    this.#changed();
  }

  /** A field was edited: what was said of it no longer holds (nor the footer, once none is left). */
  edited(field: keyof Settings): void {
    if (!(field in this.settingsProblems)) return;
    const { [field]: _, ...rest } = this.settingsProblems;
    this.settingsProblems = rest;
    if (Object.keys(rest).length === 0 && this.settingsError === 'Please fix the marked fields.') this.settingsError = '';
    this.#changed();
  }

  /** The window's text size, in percent (state/zoom.ts). */
  get zoom(): number {
    return this.#zoom ?? clampZoom(this.settings?.zoom ?? DEFAULT_ZOOM);
  }

  /**
   * Shows the text size at once, and saves it alone (SetZoom). Rejects with Go's sentence
   * when it could not be saved: the size stays, for this session.
   */
  async setZoom(percent: number): Promise<void> {
    const next = clampZoom(percent);
    if (next === this.zoom) return;
    this.#zoom = next;
    const gen = ++this.#zoomGen;
    this.#changed();
    const saved = await this.#backend.SetZoom(next);
    if (gen !== this.#zoomGen || !this.settings) return;
    this.settings = { ...this.settings, zoom: saved };
    this.#changed();
  }

  /** Validates and saves settings. Resolves true when Go accepted them. */
  async saveSettings(s: Settings): Promise<boolean> {
    if (this.settingsBusy) return false;
    s = { ...s, zoom: this.zoom }; // the size is the keys' (setZoom), not the form's
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
      const text = errorText(err);
      const field = settingsErrorField(text);
      if (field) {
        this.settingsProblems = { [field]: text };
        this.settingsError = 'Please fix the marked fields.';
      } else {
        this.settingsError = text;
      }
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
    // Go asks Google before it stores the key: one it refuses is not stored, and keyError
    // says why (a window tester's "abc" was stored and shown green).
    if (!(await this.#keyOp(() => this.#backend.SetKey(key.trim())))) return false;
    // What Google answered then is shown at once, without asking again: accepted, why it
    // could not be asked, or that it refused this use of the key (its project or
    // restrictions: stored all the same, since the fix is on Google's side). Either of the
    // last two leaves the key stored and said to be unchecked.
    const note = this.key?.note ?? '';
    if (note !== '' && this.key?.note_refused) {
      // Go stores a refused key only when the refusal is of this use alone.
      this.keyCheck = { result: 'refused', denied: true, text: note };
      this.keyRefused = note;
      this.keyDenied = true;
    } else {
      this.keyCheck = note !== '' ? { result: 'unavailable', text: note } : { result: 'accepted', text: 'Google accepted this key.', saved: true };
    }
    this.#changed();
    return true;
  }

  /**
   * The party this window runs merged with Gemini. Go marks the key checked when the key
   * that merged is the one stored, so the status is asked again rather than assumed: a key
   * replaced during the party stays unchecked (a reviewer's was shown green).
   */
  async worked(): Promise<void> {
    if (this.key?.source === 'env') {
      // GEMINI_API_KEY cannot change while the window runs: the party merged with it. A
      // refusal said before stood beside a party merging with Gemini (a builder's); Go
      // dropped the one noted on disk too.
      this.#forgetRefusal();
      if (this.key.refused) this.key = { ...this.key, refused: undefined };
      return;
    }
    if (!this.key?.unchecked && !this.key?.refused) return;
    const gen = this.#checkGen;
    try {
      const k = await this.#backend.KeyStatus();
      if (gen !== this.#checkGen) return; // the key changed meanwhile: its own status stands
      // Checked now: the key stored is the one that merged, so Google takes it (put right
      // on its side since it refused this use). Go keeps a key refused for this use, or
      // refused at a Check, unchecked until then.
      if (k.source === 'keyring' && !k.unchecked && !k.refused) this.#forgetRefusal();
      this.key = k;
      this.#changed();
    } catch {
      // Said again when Settings or Home next asks.
    }
  }

  /**
   * Asks Google whether the key works; the answer (or why it could not ask) is keyCheck.
   * Only the latest check's answer is shown: a key saved or removed meanwhile makes an
   * earlier answer one about another key (a reviewer saw it shown under the new one).
   */
  async checkKey(): Promise<void> {
    const gen = ++this.#checkGen;
    this.keyChecking = true;
    this.keyCheck = null;
    this.#changed();
    let answer: KeyCheck;
    try {
      answer = await this.#backend.CheckKey();
    } catch (err) {
      answer = { result: 'unavailable', text: errorText(err) };
    }
    if (gen !== this.#checkGen) return;
    this.keyCheck = answer;
    this.keyChecking = false;
    if (answer.result === 'refused') {
      this.keyRefused = answer.text;
      this.keyDenied = answer.denied === true;
    } else if (answer.result === 'accepted') {
      this.#forgetRefusal();
      // Go dropped its notes too: unchecked, and refused when last checked.
      if (this.key?.unchecked || this.key?.refused) this.key = { ...this.key, unchecked: false, refused: undefined };
    }
    this.#changed();
  }

  /** A party this window runs says Google refused the key (text: its words; denied: this use only). */
  refused(text: string, denied = false): void {
    this.keyRefused = text;
    this.keyDenied = denied;
    this.#changed();
  }

  /** Nothing holds that Google refused the key as it is now. */
  #forgetRefusal(): void {
    this.keyRefused = '';
    this.keyDenied = false;
  }

  /** Removes the Gemini key from the OS keyring. */
  async deleteKey(): Promise<boolean> {
    if (this.keyBusy) return false;
    return this.#keyOp(() => this.#backend.DeleteKey());
  }

  async #keyOp(op: () => Promise<KeyStatus>): Promise<boolean> {
    this.keyBusy = true;
    this.keyError = '';
    this.#checkGen++; // an answer under way is about the key before
    this.keyCheck = null;
    this.keyChecking = false;
    this.#changed();
    try {
      this.key = await op();
      this.#forgetRefusal(); // another key, or none
      return true;
    } catch (err) {
      this.keyError = errorText(err);
      return false;
    } finally {
      this.keyBusy = false;
      this.#changed();
    }
  }
}
