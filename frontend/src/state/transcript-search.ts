// Finding words in the transcript. The transcript view renders only the items on screen
// (a 10,000-event party), and the desktop window has no find bar of its own, so a word
// said an hour ago could not be found at all: this searches the items themselves, as
// data. Pure: no DOM, no calls into Go.

import type { MembersItem, NoticeItem, Segment, TranscriptItem } from './transcript';
import { asText } from './transcript';

/**
 * Lower-cased texts by the object they are of: items and segments are replaced when they
 * change, never mutated, so a cache by identity stays right. A running turn is a new item
 * on every event, but its segments before the last are the same objects: caching them
 * apart keeps a search of a long turn from lower-casing all of it on every delta.
 */
const texts = new WeakMap<object, string>();

function lower(of: object, text: () => string): string {
  let t = texts.get(of);
  if (t === undefined) {
    t = text().toLocaleLowerCase();
    texts.set(of, t);
  }
  return t;
}

/** What a segment of a turn shows, as text. */
function segmentText(sg: Segment): string {
  switch (sg.kind) {
    case 'reply':
      return sg.text;
    case 'activity':
      return sg.lines.map((l) => l.text).join('\n');
    case 'permission': {
      const p = sg.permission;
      return [p.tool, p.summary, p.by ?? '', p.reason ?? ''].join(' ');
    }
    case 'notice':
      return sg.text;
    case 'event':
      return noticeText(sg.item);
  }
}

/** What a party's notice or a change of its people shows, as text (an item, or inside a turn). */
function noticeText(it: NoticeItem | MembersItem): string {
  return it.type === 'participants' ? [it.joined?.name ?? '', it.left?.name ?? '', it.changed?.name ?? '', it.text ?? ''].join('\n') : it.text;
}

/**
 * The texts of an item a person may look for, as the transcript shows them (who, what was
 * asked, what the agent said and did), each lower-cased. A turn shows its authors, not
 * their prompts (the prompt items above it do), and its batch's text only when it is not
 * the one prompt as written: the count of matches is the count a person can step through.
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
      return [
        ...(b ? [lower(it.prompts, () => [...new Set(it.prompts.map((p) => p.user))].join('\n'))] : []),
        ...(b && !asWritten ? [lower(b, () => b.merged)] : []),
        ...it.segments.map((sg) => lower(sg, () => segmentText(sg))),
        ...(it.end ? [lower(it.end, () => it.end?.error ?? '')] : []),
        lower(it.files, () => it.files.join('\n')),
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

/** How many times an item's texts hold q (already lower-cased and not blank). */
export function matchesIn(it: TranscriptItem, q: string): number {
  let n = 0;
  for (const t of itemTexts(it)) n += countIn(t, q);
  return n;
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

/** Every match of query in the items (ignoring case; blank: none). */
export function findInTranscript(items: readonly TranscriptItem[], query: string): Found {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') return NOTHING_FOUND;
  const found = { items: [] as number[], ends: [] as number[] };
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const n = matchesIn(items[i]!, q);
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
