// Words the transcript shows of its data, in one place for the view that draws them and the
// find bar that counts them (state/transcript-search.ts): the count said "1 of 2" where
// the view marked three, as a card's "Denied by bob" was drawn and not counted (a
// reviewer's). Pure: no DOM.

import { EXIT_PLAN_TOOL, isCancelledRequest, roleLabel } from './host-control';
import { timedOutWords } from './format';
import { saidTo, yourPrompts } from '../render/your-prompts';
import { WHY_LOST, type MembersItem, type NoticeItem } from './transcript';
import type { Batch, Member, Permission, Turn } from './types';

/** How much of a tool step's output shows before "Show more". */
export const OUTPUT_LINES = 40;
export const OUTPUT_BYTES = 4096;

/**
 * The first part of a step's output: at most maxLines lines and maxChars characters.
 * more counts the lines not (wholly) shown.
 */
export function boundOutput(lines: readonly string[], maxLines = OUTPUT_LINES, maxChars = OUTPUT_BYTES): { shown: string; more: number } {
  const parts: string[] = [];
  let size = 0;
  let whole = 0;
  for (const l of lines) {
    if (parts.length >= maxLines || size >= maxChars) break;
    const room = maxChars - size;
    if (l.length > room) {
      parts.push(l.slice(0, room) + '…');
      break;
    }
    parts.push(l);
    size += l.length + 1;
    whole++;
  }
  return { shown: parts.join('\n'), more: lines.length - whole };
}

/** s with its first letter upper-cased. */
export function sentenceCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A decided request's outcome on its card: what became of it, and why (each "" when not said). */
export interface OutcomeWords {
  /** 'allowed', 'timed_out', 'denied' (a plan sent back too) or 'cancelled'. */
  status: 'allowed' | 'timed_out' | 'denied' | 'cancelled';
  /** A plan sent back by a host: the review plan mode is for, not a refusal. */
  sentBack: boolean;
  text: string;
  why: string;
}

/**
 * Whether the member an event names, by member id and by name, is the reader. By id where
 * the host gives one (permission by_member, batch edited_by_member, turn by_member: since
 * 2026-12-07), in the history too; by name only from a host without it, and only live (seq
 * after the reader joined), as a notice without ids is read (noticeWords): a name is one
 * member's at a time, and in the history it may be another's who had it.
 */
export function isReader(id: string | undefined, name: string | undefined, seq: number, r: Reader): boolean {
  if (id) return r.you !== '' && id === r.you;
  return !!name && name === r.name && seq > r.joinedAt;
}

/** Who decided a request, as the reader reads it: "you" of the reader's own decision (isReader). */
function decidedBy(p: Permission, r: Reader, seq: number): string {
  return p.by && isReader(p.by_member, p.by, seq, r) ? 'you' : (p.by ?? '');
}

/** How a decided request's card says what became of it, to the reader (seq: its decision's event). */
export function outcomeWords(p: Permission, r: Reader = NO_READER, seq = 0): OutcomeWords {
  const reason = p.reason ?? '';
  const by = decidedBy(p, r, seq);
  switch (p.status) {
    case 'allowed':
      return { status: 'allowed', sentBack: false, text: `Allowed${by ? ` by ${by}` : ''}`, why: reason ? `— ${reason}` : '' };
    case 'timed_out':
      return { status: 'timed_out', sentBack: false, text: 'Timed out — denied', why: reason ? `(${timedOutWords(reason)})` : '' };
    default:
      if (p.tool === EXIT_PLAN_TOOL && p.by) return { status: 'denied', sentBack: true, text: `Sent back for changes by ${by}${reason ? ':' : ''}`, why: reason };
      if (isCancelledRequest(p)) return { status: 'cancelled', sentBack: false, text: `Cancelled${reason ? ':' : ''}`, why: reason };
      return { status: 'denied', sentBack: false, text: `Denied${by ? ` by ${by}` : ''}${reason ? ':' : ''}`, why: reason };
  }
}

/** A request a rule allowed without asking, as the turn shows it to the reader (seq: its event). */
export function unaskedWords(p: Permission, r: Reader = NO_READER, seq = 0): string {
  return `${p.tool}${p.summary ? `: ${p.summary}` : ''} — allowed without asking (${decidedBy(p, r, seq) || 'a host'} allowed ${p.tool} for the rest of the party)`;
}

/**
 * A request's summary line on its card. A plan's summary is its text on one line
 * ("leave plan mode: 1. Read … 2. Add …"); with the plan shown whole under it, the card
 * said it twice (a user tester's): the line says only what is asked then.
 */
export function shownSummary(p: Permission, pending: boolean): string {
  const prefix = 'leave plan mode: ';
  return p.tool === EXIT_PLAN_TOOL && pending && p.detail && p.summary.startsWith(prefix) ? 'leave plan mode, with this plan:' : p.summary;
}

/**
 * A pending request's detail: the owner's own view opens with a note of its own line,
 * "(only you see this text …)", said above the text on the card (note), not inside it.
 */
export function splitDetail(detail: string): { note: string; text: string } {
  const nl = detail.indexOf('\n');
  if (detail.startsWith('(only you see ') && nl > 0) return { note: detail.slice(1, nl).replace(/\)$/, ''), text: detail.slice(nl + 1) };
  return { note: '', text: detail };
}

const STOPPED_BY = 'stopped by ';

/**
 * An interrupted turn's error as the reader reads it: "stopped by you" of the reader's own
 * stop (isReader: by the turn's by_member, else by name and live only; seq: the turn's
 * event), as the terminal says it; the error as it is otherwise.
 */
export function stoppedWords(end: Turn, r: Reader, seq: number): string {
  const error = end.error ?? '';
  if (!error.startsWith(STOPPED_BY)) return error;
  return isReader(end.by_member, error.slice(STOPPED_BY.length), seq, r) ? `${STOPPED_BY}you` : error;
}

/**
 * Who edited a batch while it waited for approval, as the reader reads it (seq: the batch's
 * event): "edited by you" told by edited_by_member, else by name and live only (isReader);
 * "edited by a host" from a host that did not say.
 */
export function editedByWords(b: Batch | null, r: Reader, seq: number): string {
  const by = typeof b?.edited_by === 'string' ? b.edited_by : '';
  if (!by) return 'edited by a host';
  return isReader(b?.edited_by_member, by, seq, r) ? 'edited by you' : `edited by ${by}`;
}

/** An interrupted turn's end: why (its error, else "Interrupted"), and its requests not allowed (deniedWords). */
export function interruptedWords(error: string, denied: string): string {
  return `${error ? sentenceCase(error) : 'Interrupted'}${denied ? ` — ${denied}` : ''}`;
}

/** A failed turn's end, with its error's words (its stderr lines apart: render/stderr.ts). */
export function failedWords(text: string): string {
  return text ? `Failed: ${text}` : 'Failed';
}

/**
 * The error of the turn a host stopped during, resumed without what was left unanswered
 * (Go's party.NotRunAgain): the host's choice, said as such, not as a failure (a tester read
 * a red "Failed" of it).
 */
export const NOT_RUN_AGAIN = 'the host stopped during this turn, and resumed the party without running it again';

/**
 * The reason of the rejection a resume without what was left unanswered gives a merged
 * prompt held for approval (Go's party.ResumedWithout): said as the resume's, not as a
 * host's rejection (a tester's host "rejected" what it never saw).
 */
export const RESUMED_WITHOUT = 'the party was resumed without it: send again what is still wanted';

/** How that turn's end reads. */
export const NOT_RUN_AGAIN_WORDS = 'Not run again: the host stopped during this turn, and resumed the party without it';

/**
 * The button that puts prompts of mine that got no answer back in the prompt box: n of a
 * turn that failed or was not run again, or the one a host withdrew or rejected, or a
 * resume did not take up. One phrase in both places (a tester read "put my prompt back in
 * the box" and "put it back in the box" as two different things).
 */
export function recallWords(n: number): string {
  return n === 1 ? 'put my prompt back in the box' : `put my ${n} prompts back in the box`;
}

/** Its tooltip: why, then what the click does. */
export function recallTitle(why: string, n: number): string {
  return n === 1 ? `${why}: put it back in your prompt box, to send it again` : `${why}: put them back in your prompt box, to send them again`;
}

/** A turn card names this many of the files its turn changed (a tester's 25,000 held the window); the rest are a click away. */
export const TURN_FILES_SHOWN = 30;

/**
 * "and N more" shows up to this many in the card (a window tester's click on it opened the
 * panel on another turn's diff, and never showed the N); past that the panel lists them.
 */
export const TURN_FILES_OPEN = 300;

/**
 * Who reads the transcript: the words of a change of people, and of a host's notice,
 * depend on it ("You joined", "alice removed you"); find counts them as the reader sees
 * them (a user tester's "bob joined" was drawn, and "joined" not found).
 */
export interface Reader {
  /** The reader's member id, and name ("" when not in a party). */
  you: string;
  name: string;
  /** The reader's session is a host's (the role the window joined or created with). */
  hostSession: boolean;
  /** The reader is the party's owner. */
  owner: boolean;
  /** The party's host's name (its owner): the other hosts are co-hosts. */
  host: string;
  /** The seq the reader's session began at: what came after is live. */
  joinedAt: number;
  /**
   * The reader's Gemini key comes from GEMINI_API_KEY (settings.ts key.source): its owner
   * replaces a refused one there, not in Settings.
   */
  envKey: boolean;
}

export const NO_READER: Reader = { you: '', name: '', hostSession: false, owner: false, host: '', joinedAt: 0, envKey: false };

/**
 * A change of the party's people, as the reader reads it. The transcript's notes are in the
 * party's case, as the host writes its own ("claude started", "bob joined", PROTOCOL.md §5)
 * and the terminal prints them ("you came back"): lower case, names as they are; the
 * window's own ("You came back") stood out among them.
 */
export function membersWords(it: MembersItem, r: Reader): string {
  const mine = (m: Member) => r.you !== '' && m.id === r.you; // oneself: not "ann joined" (as the terminal says it)
  // With the role when it is not a participant's, as the terminal says it: a viewer, or a
  // host who is not the party's own ("vic joined as a viewer").
  const as = (m: Member) => (m.role === 'viewer' ? ' as a viewer' : m.role === 'host' && m.name !== r.host ? ' as a co-host' : '');
  if (it.flaps !== undefined && it.joined) {
    // A flapping connection, folded (transcript.ts foldFlap). The terminal prints each line
    // as it comes, and cannot fold what it printed.
    return mine(it.joined) ? `the host lost your connection and you came back ${it.flaps} times` : `${it.joined.name} lost the connection and came back ${it.flaps} times`;
  }
  if (it.joined) return mine(it.joined) ? (it.back ? 'you came back' : 'you joined') : `${it.joined.name} ${it.back ? 'came back' : 'joined'}${as(it.joined)}`;
  if (it.left) return leftWords(it.left, it, mine(it.left), r);
  if (it.changed) {
    // A role change that no system event of the host put in words.
    const role = `a ${roleLabel(it.changed.role)}`;
    return mine(it.changed) ? `you are now ${role}` : `${it.changed.name} is now ${role}`;
  }
  return 'participants changed';
}

/** Why someone is gone: the host's words when it gives them (our own for oneself). */
function leftWords(m: Member, it: MembersItem, mine: boolean, r: Reader): string {
  if (mine && it.why === 'host_stopped') {
    // This window is the host that stopped (a resumed party's owner): "you were
    // disconnected" read oddly there (a tester's), as it did in the terminal.
    return r.hostSession ? 'the party stopped here without ending' : 'you were disconnected when the host stopped';
  }
  // A host (or a journal) from before why: its own words, which name this member.
  if (mine && !it.why && it.text?.startsWith(`${m.name} was `)) return `you were ${it.text.slice(m.name.length + ' was '.length)}`;
  // After this window entered the party, its own member left only when the host lost
  // its connection (leaving ends the window's party); before, the person left, unless the
  // host says the connection was lost.
  const lost = it.why === WHY_LOST;
  if (mine && (lost || (!it.why && !it.text))) {
    if (it.seq > r.joinedAt) return 'the host lost your connection for a while';
    return lost ? 'you lost the connection' : 'you left';
  }
  return it.text || `${m.name} left`;
}

/** The host's words of its own end (its owner reads "you ended the party"). */
export const HOST_ENDED = 'the host ended the party';

/**
 * Who rejected a merged prompt, as the reader reads it: "you" told by member id (since
 * 2026-12-07), never by name (a newcomer may have the name of a host who has gone).
 */
export function rejectedBy(r: { by: string; by_member?: string }, reader: Reader): string {
  return r.by_member !== undefined && reader.you !== '' && r.by_member === reader.you ? 'you' : r.by;
}

/** How the host's notices of its Gemini key start (Go's host.SelectMerger, pinned by a test there). */
const OWN_KEY_START = ['the host has no Gemini key', "the host's Gemini key"];

/** Those notices in the host's own words, as Go's host.OwnKeyNotice says them to its terminal. */
const OWN_KEY_WORDS: [string, string][] = [
  ['the host has no Gemini key', 'you have no Gemini key'],
  ["the host's Gemini key", 'your Gemini key'],
  ["the OS keyring on the host's machine", 'the OS keyring on this machine'],
  ["into the host's OS keyring", "into this machine's OS keyring"],
  ['(the host can run `concordia key set`, or set ', '(run `concordia key set`, or set '],
  ['(the host can add one in Settings)', '(add one in Settings)'],
  ['(the host can set ', '(set '],
  ['until the host sets one', 'until you set one'],
];

/** A notice of the host's Gemini key as the host itself reads it: "you have no Gemini key (add one in Settings)…". */
export function ownKeyWords(text: string): string {
  return OWN_KEY_WORDS.reduce((t, [from, to]) => t.split(from).join(to), text);
}

/** How a party's error event says Google refused the host's Gemini key (merge.KeyRefusedPrefix, pinned by a test there). */
export const KEY_REFUSED = "Gemini refused the host's API key";
/** How it begins when Google refused only this use of the key (merge.KeyDeniedPrefix, pinned there too). */
export const KEY_DENIED = "Gemini refused the host's API key for this use";
/**
 * How those events end as the party sends them to every member, without how the host
 * replaces the key (merge.WithKeyHint, pinned by a test there): the owner's view adds it.
 * The second is how a refusal for this use ended when it said Google's advice to every
 * member (journaled before 2026-12-08).
 */
const KEY_HINT_ENDS = ['until the host replaces it', 'until the host replaces the key'];
/**
 * How a refusal for this use ends as the party sends it now, without Google's advice
 * (merge.WithKeyHint, pinned by a test there): the owner's view adds the advice for the
 * reason the event names (DENIAL_ADVICE); the others read only that the party merges
 * locally until the host fixes it (a tester's participant read "enable the Generative
 * Language API in the key's Google Cloud project…").
 */
const KEY_DENIED_END = 'until the host fixes it';
/** What to change on Google's side for each reason it gives (Go's merge.KeyAdvice): Go's table, every reason and no other, pinned by a test there. */
const DENIAL_ADVICE: Record<string, string> = {
  SERVICE_DISABLED: "enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again",
  BILLING_DISABLED: "enable billing for the key's Google Cloud project, then check again",
  API_KEY_SERVICE_BLOCKED: "the key's API restrictions leave out the Generative Language API: add it to the key's allowed APIs in Google Cloud Console (APIs & Services, Credentials), then check again",
  API_KEY_IP_ADDRESS_BLOCKED: "the key's IP address restrictions refuse this computer: add this computer's public address to the key in Google Cloud Console (APIs & Services, Credentials), or lift the restriction, then check again",
  API_KEY_HTTP_REFERRER_BLOCKED: "the key is restricted to websites, which refuses an app like this one: set its application restriction to None or IP addresses in Google Cloud Console (APIs & Services, Credentials), then check again",
  API_KEY_ANDROID_APP_BLOCKED: "the key is restricted to phone apps: set its application restriction to None or IP addresses in Google Cloud Console (APIs & Services, Credentials), then check again",
  API_KEY_IOS_APP_BLOCKED: "the key is restricted to phone apps: set its application restriction to None or IP addresses in Google Cloud Console (APIs & Services, Credentials), then check again",
  CONSUMER_SUSPENDED: "the key's Google Cloud project is suspended: ask Google why, or make a key in another project on Google AI Studio's API keys page (https://aistudio.google.com/apikey)",
};

/** The reason a refusal for this use names ("… for this use (403 PERMISSION_DENIED, SERVICE_DISABLED); …"); '' when none. */
function deniedReason(text: string): string {
  const rest = text.slice(KEY_DENIED.length);
  if (!rest.startsWith(' (')) return '';
  const close = rest.indexOf(')');
  if (close < 0) return '';
  const label = rest.slice(2, close);
  const comma = label.indexOf(', ');
  return comma < 0 ? '' : label.slice(comma + 2);
}

/**
 * Where the owner replaces a key Google refused: in Settings, or, for a key from the
 * environment, which Settings cannot replace, as Go's host.SelectMerger tells the terminal.
 */
function keyHint(r: Reader): string {
  return r.envKey ? 'it comes from GEMINI_API_KEY: set it to a working key, then resume the party' : 'in Settings';
}

/**
 * A party's error as the reader reads it: the party's owner is told where it replaces a
 * key Google refused (keyHint), or, for a key refused for this use only, what to change
 * on Google's side (DENIAL_ADVICE), as Go's merge.WithKeyHint tells the host's terminal;
 * the others read only what happens (a tester's participant read the host's way to
 * replace it). An event that says it already (one journaled before 2026-12-07) stays as
 * it is.
 */
export function errorWords(text: string, r: Reader): string {
  if (!r.owner || !text.startsWith(KEY_REFUSED)) return text;
  if (text.startsWith(KEY_DENIED) && text.endsWith(KEY_DENIED_END)) {
    const advice = DENIAL_ADVICE[deniedReason(text)];
    return advice ? `${text}: ${advice}` : text;
  }
  if (!KEY_HINT_ENDS.some((end) => text.endsWith(end))) return text;
  return `${text} (${keyHint(r)})`;
}

/**
 * The notice of a party started with its key known refused (Go's host.NoticeKeyRefusedBefore,
 * pinned by a test there): every member reads what happens; the owner's window tells its
 * person how to replace the key, or that Check finds it works again (refusedBeforeWords).
 */
const KEY_REFUSED_BEFORE = 'Google refused this Gemini key when it was last asked; merging locally until the host replaces it';

/** That notice as the party's owner reads it: its own key, and how it replaces it (keyHint). */
function refusedBeforeWords(r: Reader): string {
  const how = r.envKey ? ` (${keyHint(r)})` : '';
  return `Google refused your Gemini key when it was last asked; merging locally until you replace it${how}, or Check in Settings finds it works`;
}

/** A party's notice (not an error), as the reader reads it. */
export function noticeWords(it: NoticeItem, r: Reader): string {
  // The party's owner ended it, as the banner above says ("you ended the party"): a
  // tester's read "the host ended the party" under it.
  if (it.text === HOST_ENDED && r.owner) return 'you ended the party';
  // Named, as after a crash ("Hana, the host, stopped"): a window tester's guest read "the host".
  if (it.text === HOST_ENDED && r.host) return `${r.host}, the host, ended the party`;
  if (r.owner && OWN_KEY_START.some((start) => it.text.startsWith(start))) return ownKeyWords(it.text);
  if (r.owner && it.text === KEY_REFUSED_BEFORE) return refusedBeforeWords(r);
  // Whose act, and on whom, by member id when the host says (since 2026-12-07); by name
  // (live only) for a host from before.
  if (it.acts) return saidTo(it.text, it.acts, r.you);
  return yourPrompts(it.text, r.name, it.seq > r.joinedAt);
}
