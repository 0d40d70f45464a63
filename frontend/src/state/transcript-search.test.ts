import { describe, expect, it } from 'vitest';
import { findInTranscript, firstHitFrom, itemHolds } from './transcript-search';
import type { TranscriptItem } from './transcript';

const base = { ts: 0 };
const items: TranscriptItem[] = [
  { ...base, key: '1', seq: 1, type: 'prompt', prompt: { id: 'p1', user: 'Ann', text: 'Fix the Parser' } },
  { ...base, key: '2', seq: 2, type: 'system', text: 'merging 2 prompts' },
  { ...base, key: '3', seq: 3, type: 'participants', joined: { id: 'm2', name: 'bob', role: 'participant' } },
  {
    ...base, key: '4', seq: 4, type: 'turn', batch: { id: 'b1', prompts: ['p1'], merged: 'Fix the Parser', merger: 'local' },
    prompts: [{ id: 'p1', user: 'Ann', text: 'Fix the Parser' }], end: { batch: 'b1', status: 'done', duration_ms: 3, error: 'exit status 9' },
    segments: [
      { kind: 'reply', text: 'I changed **lexer.go**' },
      { kind: 'activity', stream: 'tool', lines: [{ stream: 'tool', text: 'Bash: go test ./...' }, { stream: 'tool_output', text: 'FAIL TestLex' }] },
      { kind: 'permission', permission: { id: 't1', tool: 'Write', summary: 'notes.txt', batch: 'b1', status: 'denied', by: 'hana', reason: 'not now' } },
      { kind: 'notice', level: 'error', text: 'claude stopped unexpectedly', seq: 9 },
    ],
    files: ['internal/lexer.go'],
  },
  { ...base, key: '5', seq: 5, type: 'error', text: 'merging failed (quota)' },
];

describe('finding in the transcript', () => {
  it('looks in everything an item shows, ignoring case', () => {
    expect(findInTranscript(items, 'parser')).toEqual([0, 3]);
    expect(findInTranscript(items, 'MERGING')).toEqual([1, 4]);
    expect(findInTranscript(items, 'bob')).toEqual([2]);
    // A turn: its reply, tool lines and output, a request and its reason, a notice, its end, its files.
    for (const q of ['lexer.go', 'go test', 'FAIL TestLex', 'notes.txt', 'not now', 'stopped unexpectedly', 'exit status 9', 'internal/lexer']) {
      expect(findInTranscript(items, q), q).toEqual([3]);
    }
  });

  it('finds nothing for a blank query, and what nothing holds', () => {
    expect(findInTranscript(items, '  ')).toEqual([]);
    expect(findInTranscript(items, 'zebra')).toEqual([]);
  });

  it("keeps an item's text until the item is replaced, and a turn's by segment", () => {
    // Items are replaced, never mutated: one changed in place shows the cache is used.
    const it0: TranscriptItem = { ...base, key: '1', seq: 1, type: 'prompt', prompt: { id: 'p1', user: 'Ann', text: 'Fix the Parser' } };
    expect(findInTranscript([it0], 'parser')).toEqual([0]);
    (it0 as { prompt: { id: string; user: string; text: string } }).prompt = { id: 'p1', user: 'Ann', text: 'something else' };
    expect(findInTranscript([it0], 'parser')).toEqual([0]);
    expect(findInTranscript([{ ...it0 }], 'parser')).toEqual([]);
    // A running turn is a new item per event; its earlier segments are the same objects.
    const turn = items[3] as Extract<TranscriptItem, { type: 'turn' }>;
    expect(itemHolds(turn, 'i changed')).toBe(true);
    const reply = turn.segments[0] as { text: string };
    reply.text = 'changed in place';
    expect(itemHolds({ ...turn, segments: [...turn.segments] }, 'i changed')).toBe(true);
  });

  it('starts at the first match from the top of the view, else the first', () => {
    expect(firstHitFrom([2, 5, 9], 0)).toBe(0);
    expect(firstHitFrom([2, 5, 9], 5)).toBe(1);
    expect(firstHitFrom([2, 5, 9], 6)).toBe(2);
    expect(firstHitFrom([2, 5, 9], 10)).toBe(0);
  });
});
