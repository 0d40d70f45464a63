// Finding words in the transcript. The transcript view renders only the items on screen
// (a 10,000-event party), and the desktop window has no find bar of its own, so a word
// said an hour ago could not be found at all: this searches the items themselves, as
// data. Pure: no DOM, no calls into Go.

import type { Segment, TranscriptItem } from './transcript';

/** An item's searchable text, lower-cased; items are replaced when they change, so a cache by identity stays right. */
const texts = new WeakMap<TranscriptItem, string>();

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

/** Everything an item shows that a person may look for: who, what was asked, what the agent said and did. */
export function itemText(it: TranscriptItem): string {
  const had = texts.get(it);
  if (had !== undefined) return had;
  let parts: string[];
  switch (it.type) {
    case 'prompt':
      parts = [it.prompt.user, it.prompt.text];
      break;
    case 'system':
    case 'error':
      parts = [it.text];
      break;
    case 'participants':
      parts = [it.joined?.name ?? '', it.left?.name ?? '', it.changed?.name ?? '', it.text ?? ''];
      break;
    case 'turn':
      parts = [
        ...it.prompts.flatMap((p) => [p.user, p.text]),
        it.batch?.merged ?? '',
        ...it.segments.map(segmentText),
        it.end?.error ?? '',
        ...it.files,
      ];
      break;
    case 'approval':
      parts = [...it.prompts.flatMap((p) => [p.user, p.text]), it.approval.merged, it.edited ?? '', it.rejected?.reason ?? ''];
      break;
  }
  const text = parts.join('\n').toLocaleLowerCase();
  texts.set(it, text);
  return text;
}

/** The indices of the items whose text holds query (ignoring case; blank: none), in order. */
export function findInTranscript(items: readonly TranscriptItem[], query: string): number[] {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') return [];
  const hits: number[] = [];
  for (let i = 0; i < items.length; i++) {
    if (itemText(items[i]!).includes(q)) hits.push(i);
  }
  return hits;
}

/** The hit to show first: the first at or after index from (the top of the view), else the first. */
export function firstHitFrom(hits: readonly number[], from: number): number {
  const at = hits.findIndex((i) => i >= from);
  return at < 0 ? 0 : at;
}
