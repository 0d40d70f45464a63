// Finding words in the transcript. The transcript view renders only the items on screen
// (a 10,000-event party), and the desktop window has no find bar of its own, so a word
// said an hour ago could not be found at all: this searches the items themselves, as
// data, counting what each shows: a reply as the renderer's own parser reads it
// (render/incremental.ts, render/markdown.ts), the words of cards and footers as they are
// drawn (shown-words.ts). No calls into Go, and no rendering.

import type { MembersItem, NoticeItem, Segment, TranscriptItem, TurnItem } from './transcript';
import { asText, toolSteps } from './transcript';
import { EXIT_PLAN_TOOL } from './host-control';
import { replyShownText } from '../render/incremental';
import { exitWords, splitStderr } from '../render/stderr';
import { splitPath } from './format';
import { showBidi } from './bidi';
import { deniedWords, doneWords, turnRequests } from './turn-end';
import { NOTHING_MORE, stepKey, type Shown } from './shown-more';
import { NOT_RUN_AGAIN, NOT_RUN_AGAIN_WORDS, NO_READER, TURN_FILES_OPEN, TURN_FILES_SHOWN, boundOutput, errorWords, failedWords, interruptedWords, stoppedWords, membersWords, noticeWords, outcomeWords, shownSummary, splitDetail, unaskedWords, type Reader } from './shown-words';

/**
 * Lower-cased texts by the object they are of: items and segments are replaced when they
 * change, never mutated, so a cache by identity stays right. A running turn is a new item
 * on every event, but its segments before the last are the same objects: caching them
 * apart keeps a search of a long turn from lower-casing all of it on every delta.
 */
let texts = new WeakMap<object, string>();
/** The same, for a turn's end (of the turn item: its words read the segments too). */
let endTexts = new WeakMap<object, string>();

/** Who the texts above are read by: notices and changes of people read by another are other words. */
let reader: Reader = NO_READER;

/** Reads as r from now on (texts of another reader are dropped). */
function readAs(r: Reader): void {
  if (r === reader) return;
  reader = r;
  texts = new WeakMap();
  endTexts = new WeakMap();
  moreTexts = new WeakMap();
}

/**
 * What is shown beyond the first look (more files, a step's whole output: shown-more.ts),
 * and at which of its versions the texts of moreTexts were read: the texts of an item with
 * something shown more are kept there, apart, and dropped when what is shown changes.
 */
let shown: Shown = NOTHING_MORE;
let shownVersion = 0;
let moreTexts = new WeakMap<object, string>();

/** Counts what sh says is shown from now on. */
function showing(sh: Shown): void {
  if (sh === shown && sh.version === shownVersion) return;
  shown = sh;
  shownVersion = sh.version;
  moreTexts = new WeakMap();
}

function lower(of: object, text: () => string, cache = texts): string {
  let t = cache.get(of);
  if (t === undefined) {
    t = text().toLocaleLowerCase();
    cache.set(of, t);
  }
  return t;
}

/**
 * Between texts that the view shows in different elements: find-in-dom looks in one text
 * node at a time (render/find-in-dom.ts), so no match spans them. A query never holds it
 * (it is one line, trimmed).
 */
const APART = '\n';

/** An agent's error as shown: its words, then the stderr lines behind their disclosure (its summary repeats the last one, and is passed by). */
function errorText(text: string): string {
  const e = splitStderr(text);
  return e.stderr.length === 0 ? e.text : [e.text, e.stderr.join('\n')].join(APART);
}

/** What a segment of a turn shows, as text: the index-th of turn item's (the steps shown whole are by it: shown-more.ts). */
function segmentText(sg: Segment, item = '', index = -1): string {
  switch (sg.kind) {
    case 'reply':
      return replyShownText(sg.text); // (counted by replyMatches, which keeps it)
    case 'activity':
      if (sg.stream !== 'tool') return sg.lines.map((l) => l.text).join('\n');
      // Each step's call, how it ended, and the output shown before "Show more" (the
      // group's own row repeats a call, and find passes it by).
      return toolSteps(sg.lines)
        .map((st, k) => {
          if (st.output.length === 0) return st.call || '(output)';
          const chip = st.failed ? 'failed' : st.denied ? 'denied' : st.cancelled ? 'cancelled' : '';
          const out = index >= 0 && shown.outputAll(stepKey(item, index, k)) ? st.output.join('\n') : boundOutput(st.output).shown;
          return [st.call || '(output)', chip, out].join(APART);
        })
        .join(APART);
    case 'permission': {
      const p = sg.permission;
      if (sg.unasked) return unaskedWords(p, reader, sg.seq);
      if (p.status === 'pending') {
        const detail = !p.detail ? '' : p.tool === EXIT_PLAN_TOOL ? replyShownText(p.detail) : splitDetail(p.detail).text;
        return [p.tool, shownSummary(p, true), detail].join(APART);
      }
      const w = outcomeWords(p, reader, sg.seq);
      return [p.tool, shownSummary(p, false), w.text, w.why].join(APART);
    }
    case 'notice':
      return sg.level === 'error' ? errorText(errorWords(sg.text, reader)) : sg.text;
    case 'event':
      return noticeText(sg.item);
  }
}

/** What a party's notice or a change of its people shows, as text (an item, or inside a turn), to the reader. */
function noticeText(it: NoticeItem | MembersItem): string {
  if (it.type === 'error') return errorText(errorWords(it.text, reader));
  return it.type === 'participants' ? membersWords(it, reader) : exitWords(noticeWords(it, reader));
}

/** How a finished turn's footer reads (its time passed by), as transcript-view.ts words it. */
function endText(it: TurnItem): string {
  const end = it.end;
  if (!end) return '';
  if (end.status === 'done') return doneWords(it).text;
  if (end.status === 'interrupted') return interruptedWords(stoppedWords(end, reader, it.endSeq ?? it.seq), deniedWords(end.denied ?? 0, turnRequests(it.segments)));
  if (end.error === NOT_RUN_AGAIN) return NOT_RUN_AGAIN_WORDS;
  const e = splitStderr(end.error ?? '');
  return [failedWords(e.text), e.stderr.join('\n')].join(APART);
}

/** The files a turn's card names (the first TURN_FILES_SHOWN, or TURN_FILES_OPEN once open; a folder and a name each). */
function filesText(files: readonly string[], open: boolean): string {
  return files
    .slice(0, open ? TURN_FILES_OPEN : TURN_FILES_SHOWN)
    .map((f) => splitPath(showBidi(f)).join(APART))
    .join(APART);
}

/**
 * The texts of an item a person may look for, as the transcript shows them (who, what was
 * asked, what the agent said and did, how a request and the turn ended), each lower-cased:
 * what find-in-dom finds in the item rendered, no more (a link's address in the Markdown is
 * not shown) and no less (a card's "Denied by bob" is). A turn shows its authors, not their
 * prompts (the prompt items above it do), and its batch's text only when it is not the one
 * prompt as written. The view's own labels ("Sent to the agent", buttons, times) carry
 * data-find-skip and are not looked for.
 */
function itemTexts(it: TranscriptItem): string[] {
  switch (it.type) {
    case 'prompt':
      return [lower(it, () => `${it.prompt.user}\n${it.prompt.text}`)];
    case 'system':
    case 'error':
    case 'participants':
      return [lower(it, () => noticeText(it))];
    case 'turn': {
      const b = it.batch;
      const asWritten = b !== null && b.merger !== 'command' && it.prompts.length === 1 && asText(it.prompts[0]?.text ?? '') === b.merged;
      // Its files and steps as shown now, when more of them is (apart: see showing).
      const more = shown.anyOf(it.key) ? moreTexts : texts;
      return [
        ...(b ? [lower(it.prompts, () => [...new Set(it.prompts.map((p) => p.user))].join('\n'))] : []),
        ...(b && !asWritten ? [lower(b, () => b.merged)] : []),
        ...it.segments.flatMap((sg, i) => (sg.kind === 'reply' ? [] : [lower(sg, () => segmentText(sg, it.key, i), more)])), // replies: replyMatches
        ...(it.end ? [lower(it, () => endText(it), endTexts)] : []),
        lower(it.files, () => filesText(it.files, shown.filesOpen(it.key)), more),
      ];
    }
    case 'approval':
      return [lower(it, () => [...it.prompts.flatMap((p) => [p.user, p.text]), it.approval.merged, it.edited ?? '', it.rejected?.reason ?? ''].join('\n'))];
  }
}

/** How many times q (not blank) is in text, as a find bar counts: one match does not overlap the next. */
function countIn(text: string, q: string): number {
  let n = 0;
  for (let at = text.indexOf(q); at >= 0; at = text.indexOf(q, at + q.length)) n++;
  return n;
}

/**
 * A reply's text, lower-cased: what it shows once parsed (replyShownText), its Markdown
 * until then; one of the two is kept, not both. Parsing is the cost of a first search (a
 * 51 MB party of Markdown replies took 4–9 s; a reviewer's 7.8 MB, 0.9 s on the first key),
 * so a search parses only the replies whose source may show the query, and only for
 * PARSE_BUDGET_MS: past it a reply is counted by its source, provisionally, until the
 * read-ahead (warmFind) has parsed it and the view counts again.
 */
const replies = new WeakMap<object, { text: string; shown: boolean }>();

/** How long one search may spend parsing replies (findInTranscript). */
export const PARSE_BUDGET_MS = 30;

type Reply = Extract<Segment, { kind: 'reply' }>;

/** A reply's shown text, lower-cased, parsed now if it was not yet; and whether it was parsed now. */
function shownReply(sg: Reply): { text: string; now: boolean } {
  const r = replies.get(sg);
  if (r?.shown) return { text: r.text, now: false };
  const text = segmentText(sg).toLocaleLowerCase();
  replies.set(sg, { text, shown: true });
  return { text, now: true };
}

/**
 * The longest run of letters or digits in q: a reply shows a word only where its Markdown
 * has that word's letters together (emphasis or code inside a word puts them in elements
 * apart, where find-in-dom does not match either), so a source without it shows no match
 * — but for an image's own words ("[image: …]") and a character written as an entity.
 */
function keyOf(q: string): string {
  let key = '';
  for (const run of q.match(/[\p{L}\p{N}]+/gu) ?? []) if (run.length > key.length) key = run;
  return key;
}

/** How many times a reply shows q: parsed while until (performance.now()) allows, else by its source. */
function replyMatches(sg: Reply, q: string, key: string, until: number): number {
  let r = replies.get(sg);
  if (r === undefined) {
    r = { text: sg.text.toLocaleLowerCase(), shown: false };
    replies.set(sg, r);
  }
  if (r.shown) return countIn(r.text, q);
  if (key !== '' && !r.text.includes(key) && !r.text.includes('![') && !r.text.includes('&')) return 0;
  return countIn(performance.now() < until ? shownReply(sg).text : r.text, q);
}

/**
 * How many times an item's texts hold q (already lower-cased and not blank; key: keyOf(q)),
 * its replies parsed until the time until (performance.now(); always, by default).
 */
export function matchesIn(it: TranscriptItem, q: string, key = keyOf(q), until = Infinity, r: Reader = reader, sh: Shown = shown): number {
  readAs(r);
  showing(sh);
  let n = 0;
  for (const t of itemTexts(it)) n += countIn(t, q);
  if (it.type === 'turn') for (const sg of it.segments) if (sg.kind === 'reply') n += replyMatches(sg, q, key, until);
  return n;
}

/**
 * Parses the replies of items[from…] ahead of a search, until the deadline
 * (performance.now()): the find bar opened, and the typing has not begun, or a search
 * counted some replies by their source. Where to go on from (items.length when all are
 * read), and whether any reply was parsed (its count may have changed).
 */
export function warmFind(items: readonly TranscriptItem[], from: number, deadline: number): { next: number; parsed: boolean } {
  let i = Math.max(0, from);
  let parsed = false;
  while (i < items.length) {
    const it = items[i++]!; // one at least, whatever the time: each call goes on
    if (it.type === 'turn') for (const sg of it.segments) if (sg.kind === 'reply' && shownReply(sg).now) parsed = true;
    if (performance.now() >= deadline) break;
  }
  return { next: i, parsed };
}

/**
 * What a search found: the items that hold the text, in order, and how many matches each
 * holds, as running totals (a word in every line of a long party is millions of matches:
 * they are counted, not listed).
 */
export interface Found {
  /** The indices of the items that hold it, in order. */
  readonly items: readonly number[];
  /** ends[k]: the matches in items[0] to items[k] together; the last is the total. */
  readonly ends: readonly number[];
}

export const NOTHING_FOUND: Found = { items: [], ends: [] };

/**
 * Every match of query in the items (ignoring case; blank: none). Replies not read yet are
 * parsed for budgetMs at most, the rest counted by their source (see replies).
 */
export function findInTranscript(items: readonly TranscriptItem[], query: string, budgetMs = PARSE_BUDGET_MS, r: Reader = NO_READER, sh: Shown = NOTHING_MORE): Found {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') return NOTHING_FOUND;
  readAs(r);
  showing(sh);
  const found = { items: [] as number[], ends: [] as number[] };
  const key = keyOf(q);
  const until = performance.now() + budgetMs;
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const n = matchesIn(items[i]!, q, key, until, r, sh);
    if (n === 0) continue;
    total += n;
    found.items.push(i);
    found.ends.push(total);
  }
  return found;
}

/** How many matches were found. */
export function matchCount(f: Found): number {
  return f.ends.length === 0 ? 0 : f.ends[f.ends.length - 1]!;
}

/** Match number at (0-based, of all): the index of its item, and which of that item's matches it is. */
export function matchAt(f: Found, at: number): { index: number; n: number } | null {
  if (at < 0 || at >= matchCount(f)) return null;
  // The first k with ends[k] > at.
  let lo = 0;
  let hi = f.ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (f.ends[mid]! > at) hi = mid;
    else lo = mid + 1;
  }
  return { index: f.items[lo]!, n: at - (lo === 0 ? 0 : f.ends[lo - 1]!) };
}

/** The number of item index's match n (n kept to the matches it holds); -1 when it holds none. */
export function matchOf(f: Found, index: number, n: number): number {
  const k = f.items.indexOf(index);
  if (k < 0) return -1;
  const first = k === 0 ? 0 : f.ends[k - 1]!;
  return first + Math.min(Math.max(n, 0), f.ends[k]! - first - 1);
}

/** The match to show first: the first in an item at or after index from (the top of the view), else the first. */
export function firstMatchFrom(f: Found, from: number): number {
  const k = f.items.findIndex((i) => i >= from);
  return k <= 0 ? 0 : f.ends[k - 1]!;
}
