import { describe, expect, it } from 'vitest';
import { findInTranscript, firstMatchFrom, matchAt, matchCount, matchesIn, matchOf, warmFind, type Found } from './transcript-search';
import type { TranscriptItem, TurnItem } from './transcript';

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

/** The items that hold q. */
const holding = (its: TranscriptItem[], q: string) => findInTranscript(its, q).items;

describe('finding in the transcript', () => {
  it('looks in everything an item shows, ignoring case', () => {
    // The turn shows its prompt as written once, in the prompt above it: not again.
    expect(holding(items, 'parser')).toEqual([0]);
    expect(holding(items, 'MERGING')).toEqual([1, 4]);
    expect(holding(items, 'bob')).toEqual([2]);
    // A turn: its authors, reply, tool lines and output, a request and its reason, a notice, its end, its files.
    // (Its file as its card shows it, the folder and the name apart; a done turn's footer says "Done", not its error.)
    for (const q of ['ann', 'lexer.go', 'go test', 'FAIL TestLex', 'notes.txt', 'not now', 'stopped unexpectedly', 'denied by hana', 'done', 'internal/']) {
      expect(holding(items, q), q).toEqual(q === 'ann' ? [0, 3] : [3]);
    }
  });

  it('finds nothing for a blank query, and what nothing holds', () => {
    expect(findInTranscript(items, '  ')).toEqual({ items: [], ends: [] });
    expect(matchCount(findInTranscript(items, 'zebra'))).toBe(0);
  });

  // A reviewer's: "2 of 2" for 4,000 "piece"s in two replies.
  it('counts every match, not the items', () => {
    const found = findInTranscript(items, 'LEX');
    // The reply's lexer.go, the tool output's TestLex, the file internal/lexer.go.
    expect(found).toEqual({ items: [3], ends: [3] });
    const many: TranscriptItem[] = [
      { ...base, key: 'a', seq: 1, type: 'system', text: 'piece piece piece' },
      { ...base, key: 'b', seq: 2, type: 'system', text: 'nothing' },
      { ...base, key: 'c', seq: 3, type: 'system', text: 'a pieceofpiece' },
      { ...base, key: 'd', seq: 4, type: 'system', text: 'aaaa' },
    ];
    const f = findInTranscript(many, 'piece');
    expect(f).toEqual({ items: [0, 2], ends: [3, 5] });
    expect(matchCount(f)).toBe(5);
    expect([0, 1, 2, 3, 4, 5, -1].map((at) => matchAt(f, at))).toEqual([
      { index: 0, n: 0 }, { index: 0, n: 1 }, { index: 0, n: 2 }, { index: 2, n: 0 }, { index: 2, n: 1 }, null, null,
    ]);
    expect(matchOf(f, 2, 1)).toBe(4);
    expect(matchOf(f, 2, 9)).toBe(4); // kept to what it holds
    expect(matchOf(f, 1, 0)).toBe(-1);
    // Matches do not overlap, as in a browser's find: "aa" is twice in "aaaa".
    expect(matchesIn(many[3]!, 'aa')).toBe(2);
  });

  it('counts a merged prompt that is not the one prompt as written', () => {
    const turn = items[3] as Extract<TranscriptItem, { type: 'turn' }>;
    const merged = { ...turn, batch: { ...turn.batch!, merged: 'Fix the parser, and the lexer' } };
    expect(matchesIn(merged, 'parser')).toBe(1);
    const command = { ...turn, batch: { ...turn.batch!, merger: 'command' } };
    expect(matchesIn(command, 'parser')).toBe(1); // the command, shown in its header
  });

  it("keeps an item's text until the item is replaced, and a turn's by segment", () => {
    // Items are replaced, never mutated: one changed in place shows the cache is used.
    const it0: TranscriptItem = { ...base, key: '1', seq: 1, type: 'prompt', prompt: { id: 'p1', user: 'Ann', text: 'Fix the Parser' } };
    expect(holding([it0], 'parser')).toEqual([0]);
    (it0 as { prompt: { id: string; user: string; text: string } }).prompt = { id: 'p1', user: 'Ann', text: 'something else' };
    expect(holding([it0], 'parser')).toEqual([0]);
    expect(holding([{ ...it0 }], 'parser')).toEqual([]);
    // A running turn is a new item per event; its earlier segments are the same objects.
    const turn = items[3] as Extract<TranscriptItem, { type: 'turn' }>;
    expect(matchesIn(turn, 'i changed')).toBe(1);
    const reply = turn.segments[0] as { text: string };
    reply.text = 'changed in place';
    expect(matchesIn({ ...turn, segments: [...turn.segments] }, 'i changed')).toBe(1);
  });

  it('starts at the first match from the top of the view, else the first', () => {
    const f: Found = { items: [2, 5, 9], ends: [1, 3, 6] };
    expect(firstMatchFrom(f, 0)).toBe(0);
    expect(firstMatchFrom(f, 5)).toBe(1);
    expect(firstMatchFrom(f, 6)).toBe(3);
    expect(firstMatchFrom(f, 10)).toBe(0);
  });
});

// A reviewer's: the count was of the data as written, the marks of the item as rendered.
describe('counting what an item shows', () => {
  const turnOf = (segments: TurnItem['segments'], end: TurnItem['end'] = null): TranscriptItem => ({
    ts: 0, key: 't', seq: 1, type: 'turn', batch: null, prompts: [], segments, end, files: [],
  });
  const n = (it: TranscriptItem, q: string) => matchesIn(it, q.toLocaleLowerCase());

  it('counts a decided card\'s words, and a footer\'s', () => {
    const it = turnOf(
      [
        { kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'rm -rf build', batch: 'b1', status: 'denied', by: 'bob' } },
        { kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'make', batch: 'b1', status: 'denied', reason: 'the turn ended before a decision' } },
      ],
      { batch: 'b1', status: 'interrupted', duration_ms: 5, error: 'stopped by ann', denied: 1 },
    );
    expect(n(it, 'Denied by bob')).toBe(1);
    // The card's "Cancelled: …", and the footer's "Stopped by ann — 1 tool request cancelled".
    expect(n(it, 'cancelled')).toBe(2);
    expect(n(it, 'Stopped by ann — 1 tool request cancelled')).toBe(1);
  });

  it('counts a link by what it shows, a fence\'s language once, and not the Markdown\'s own characters', () => {
    const it = turnOf([{ kind: 'reply', text: 'Read [docs](https://example.com/docs) and **this**.\n\n```python\nprint(1)\n```\n\nplain text, plain words' }]);
    expect(n(it, 'example')).toBe(1); // "(https://example.com/docs)" after the label
    expect(n(it, 'docs')).toBe(2); // the label, and the address
    expect(n(it, 'python')).toBe(1);
    expect(n(it, '**')).toBe(0);
    expect(n(it, '```')).toBe(0);
    expect(n(it, 'plain')).toBe(2);
    // An autolink shows its address once.
    expect(n(turnOf([{ kind: 'reply', text: 'see https://example.com now' }]), 'example')).toBe(1);
  });

  // A reply is parsed only when its source holds the word looked for (a first search of a
  // 51 MB party of Markdown replies took 3.5–9 s, parsing them all): what is not in the
  // source is counted nowhere, and what a reply shows of its own still is.
  it('counts what a reply shows when its source does not hold the word as such', () => {
    // An image's own words.
    expect(n(turnOf([{ kind: 'reply', text: 'the plan: ![diagram](plan.png)' }]), 'image')).toBe(1);
    // Markdown's characters inside the words: shown together, not in the source.
    expect(n(turnOf([{ kind: 'reply', text: 'one\\_two and **bold** text' }]), 'one_two')).toBe(1);
    expect(n(turnOf([{ kind: 'reply', text: 'AT&amp;T' }]), 'at&t')).toBe(1);
    // A word the source does not hold is not there; nor a word in a code span's elements apart.
    expect(n(turnOf([{ kind: 'reply', text: 'a **zebra** here' }]), 'giraffe')).toBe(0);
    expect(n(turnOf([{ kind: 'reply', text: 'ze`bra`' }]), 'zebra')).toBe(0);
  });

  // A reviewer's first key froze the window for 0.9 s (7.8 MB of replies, each parsed): a
  // search parses for a budget, counts the rest by their source, and the read-ahead
  // parses them for the count that follows.
  it('counts replies not read yet by their source past its budget, and by what they show once read ahead', () => {
    const its = Array.from({ length: 50 }, (_, i): TranscriptItem => ({ ...turnOf([{ kind: 'reply', text: `reply ${i}: **fox** and [docs](https://example.com/${i})` }]), key: `t${i}`, seq: i }));
    // No time to parse: "**" is in every source, "example.com" once in each.
    expect(matchCount(findInTranscript(its, '**', 0))).toBe(100);
    expect(matchCount(findInTranscript(its, 'example.com', 0))).toBe(50);
    expect(warmFind(its, 0, 0)).toEqual({ next: 1, parsed: true }); // no time left: one read, to go on
    let r = { next: 1, parsed: false };
    let parsed = false;
    while (r.next < its.length) {
      r = warmFind(its, r.next, performance.now() + 5);
      parsed ||= r.parsed;
    }
    expect(parsed).toBe(true);
    expect(warmFind(its, 0, Infinity)).toEqual({ next: 50, parsed: false }); // all read already
    // Read: what they show, whatever the budget.
    expect(matchCount(findInTranscript(its, '**', 0))).toBe(0);
    expect(matchCount(findInTranscript(its, 'example.com', 0))).toBe(50);
    expect(matchCount(findInTranscript(its, 'fox', 0))).toBe(50);
    // Within its budget a search parses what it needs (a fresh party). A budget no run can
    // use up: the default one (PARSE_BUDGET_MS) was used up on a loaded machine, and the
    // replies left were counted by their source (two builders' runs failed here).
    const fresh = its.map((it) => (it.type === 'turn' ? { ...it, segments: it.segments.map((sg) => ({ ...sg })) } : it));
    expect(matchCount(findInTranscript(fresh, '**', 60_000))).toBe(0);
  });
});
