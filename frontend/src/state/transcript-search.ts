// Finding words in the transcript. The transcript view renders only the items on screen
// (a 10,000-event party), and the desktop window has no find bar of its own, so a word
// said an hour ago could not be found at all: this searches the items themselves, as
// data. Pure: no DOM, no calls into Go.

import type { Segment, TranscriptItem } from './transcript';

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
  }
}

/** The texts of an item a person may look for (who, what was asked, what the agent said and did), each lower-cased. */
function itemTexts(it: TranscriptItem): string[] {
  switch (it.type) {
    case 'prompt':
      return [lower(it, () => `${it.prompt.user}\n${it.prompt.text}`)];
    case 'system':
    case 'error':
      return [lower(it, () => it.text)];
    case 'participants':
      return [lower(it, () => [it.joined?.name ?? '', it.left?.name ?? '', it.changed?.name ?? '', it.text ?? ''].join('\n'))];
    case 'turn':
      return [
        ...it.prompts.map((p) => lower(p, () => `${p.user}\n${p.text}`)),
        ...(it.batch ? [lower(it.batch, () => it.batch?.merged ?? '')] : []),
        ...it.segments.map((sg) => lower(sg, () => segmentText(sg))),
        ...(it.end ? [lower(it.end, () => it.end?.error ?? '')] : []),
        lower(it.files, () => it.files.join('\n')),
      ];
    case 'approval':
      return [lower(it, () => [...it.prompts.flatMap((p) => [p.user, p.text]), it.approval.merged, it.edited ?? '', it.rejected?.reason ?? ''].join('\n'))];
  }
}

/** Whether an item's texts hold q (already lower-cased and not blank). */
export function itemHolds(it: TranscriptItem, q: string): boolean {
  return itemTexts(it).some((t) => t.includes(q));
}

/** The indices of the items whose text holds query (ignoring case; blank: none), in order. */
export function findInTranscript(items: readonly TranscriptItem[], query: string): number[] {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') return [];
  const hits: number[] = [];
  for (let i = 0; i < items.length; i++) {
    if (itemHolds(items[i]!, q)) hits.push(i);
  }
  return hits;
}

/** The hit to show first: the first at or after index from (the top of the view), else the first. */
export function firstHitFrom(hits: readonly number[], from: number): number {
  const at = hits.findIndex((i) => i >= from);
  return at < 0 ? 0 : at;
}
