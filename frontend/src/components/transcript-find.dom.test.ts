// @vitest-environment jsdom
// The find bar's count is of the items' data (state/transcript-search.ts), its marks of the
// rendered items (render/find-in-dom.ts): a reviewer's count said 2 where three were
// marked (a card's "Denied by bob"), and 3 where one was (a link's address in the
// Markdown, not shown as it is written). Each item rendered holds as many as it counts.
import { describe, expect, it } from 'vitest';
import { inParty } from '../state/party.test-helpers';
import { at, batch, out, permission, prompt } from '../state/events.test-helpers';
import { matchesIn } from '../state/transcript-search';
import { findAllText, settled } from '../render/find-in-dom';
import { TURN_ENDED } from '../state/host-control';
import type { PartyEvent } from '../state/types';
import type { TranscriptItem } from '../state/transcript';
import type { Reader } from '../state/shown-words';
import { NOTHING_MORE, type Shown } from '../state/shown-more';

import './dom.test-helpers';
await import('./party-view');

const REPLY = [
  'See the [docs](https://example.com/docs) first, and **bold words** too.',
  '',
  '```python',
  'print("hello")',
  '```',
  '',
  'Plain words: the parser reads the parser.',
].join('\n');

/** For each query, each row holds as many matches as its item's data counts (by row index, so a failure names the item). */
function expectCountsAsMarked(rows: readonly HTMLElement[], items: readonly TranscriptItem[], queries: readonly string[], reader: Reader, shown: Shown = NOTHING_MORE): void {
  const seen: Record<string, [number, number][]> = {};
  const want: Record<string, [number, number][]> = {};
  for (const q of queries) {
    seen[q] = rows.map((r) => [Number(r.dataset['index']), findAllText(r, q).length]);
    want[q] = rows.map((r) => [Number(r.dataset['index']), matchesIn(items[Number(r.dataset['index'])]!, q, undefined, Infinity, reader, shown)]);
  }
  expect(want).toEqual(seen);
}

/** A participant's party, and a <party-view> of it in the document. */
async function partyView() {
  const { be, st } = await inParty('participant');
  const el = document.createElement('party-view') as HTMLElement & { state?: unknown; updateComplete: Promise<boolean> };
  el.state = st;
  document.body.append(el);
  return { be, st, el };
}

describe('find counts what it marks', () => {
  it('counts in each rendered item as many matches as find-in-dom finds there', async () => {
    const { be, st, el } = await partyView();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'fix the parser please' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'fix the parser please', merger: 'local' }));
    be.emit('party:event', out(3, REPLY));
    be.emit('party:event', permission(4, { id: 't1', tool: 'Bash', summary: 'rm -rf build', batch: 'b1', status: 'denied', by: 'bob' }));
    be.emit('party:event', permission(5, { id: 't2', tool: 'Write', summary: 'notes.txt', batch: 'b1', status: 'allowed', by: 'ann' }));
    be.emit('party:event', permission(6, { id: 't3', tool: 'Bash', summary: 'make', batch: 'b1', status: 'denied', reason: TURN_ENDED }));
    be.emit('party:event', { seq: 7, ts: at(700), kind: 'turn', turn: { batch: 'b1', status: 'interrupted', duration_ms: 1200, error: 'stopped by ann', denied: 2 } } as PartyEvent);
    // Words that depend on who reads them (a user tester's "bob joined" was drawn, and
    // "joined" not found): ann reads this.
    be.emit('party:event', { seq: 8, ts: at(800), kind: 'participants', joined: { id: 'm7', name: 'bob', role: 'viewer' }, count: 2 } as PartyEvent);
    be.emit('party:event', { seq: 9, ts: at(900), kind: 'participants', changed: { id: st.session!.you.id, name: st.session!.you.name, role: 'viewer' }, count: 2 } as PartyEvent);
    be.emit('party:event', { seq: 10, ts: at(1000), kind: 'system', text: `hosty edited and sent ${st.session!.you.name}'s prompt` } as PartyEvent);
    await el.updateComplete;
    const tv = el.shadowRoot!.querySelector('transcript-view')!;
    await settled(tv);
    await settled(tv);
    const rows = [...tv.shadowRoot!.querySelectorAll<HTMLElement>('.item-row')];
    expect(rows.length).toBe(st.transcript.length);
    const queries = ['denied by bob', 'allowed by ann', 'cancelled', 'stopped by ann', 'example', 'docs', 'python', 'print("hello")', 'bold', '**', '```', 'parser', 'bash', 'ann', 'the', 'joined', 'as a viewer', 'you are now', 'your prompt', 'you'];
    expectCountsAsMarked(rows, st.transcript, queries, st.reader);
    // And what the reviewer's cases count.
    const turn = st.transcript.findIndex((it) => it.type === 'turn');
    const n = (q: string) => matchesIn(st.transcript[turn]!, q);
    expect([n('denied by bob'), n('example'), n('python'), n('cancelled'), n('**')]).toEqual([1, 1, 1, 2, 0]);
    el.remove();
    st.dispose();
  });

  // "and 10 more" and "Show more" show more, and find marks it: the count said what the card
  // showed before the click (the last note's).
  it('counts what "and N more" and "Show more" show once clicked', async () => {
    const { be, st, el } = await partyView();
    be.emit('party:event', { seq: 1, ts: at(100), kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'changes' } as PartyEvent);
    be.emit('party:event', { seq: 2, ts: at(150), kind: 'changes', files: [] } as PartyEvent); // what the new level shows at first
    be.emit('party:event', prompt(3, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(4, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(5, 'Bash: cat big', 'tool'));
    for (let i = 0; i < 50; i++) be.emit('party:event', out(6 + i, `-> row ${i} of big`, 'tool'));
    const files = Array.from({ length: 40 }, (_, i) => ({ path: `src/many/f${i}.txt`, status: 'added', additions: 1, deletions: 0 }));
    be.emit('party:event', { seq: 56, ts: at(5600), kind: 'changes', files } as PartyEvent);
    await el.updateComplete;
    const tv = el.shadowRoot!.querySelector('transcript-view') as HTMLElement & { updateComplete: Promise<boolean> };
    await settled(tv);
    const rows = () => [...tv.shadowRoot!.querySelectorAll<HTMLElement>('.item-row')];
    const queries = ['row', 'of big', 'row 45', 'f3', 'many', '.txt'];
    expectCountsAsMarked(rows(), st.transcript, queries, st.reader, st.shownMore);
    const turn = st.transcript.findIndex((it) => it.type === 'turn');
    const n = (q: string) => matchesIn(st.transcript[turn]!, q, undefined, Infinity, st.reader, st.shownMore);
    expect([n('row 45'), n('f35')]).toEqual([0, 0]);
    // The find bar, open on "f3": f3 and f30–f39 once all are listed, f3 alone before.
    (tv as unknown as { openFind(): void }).openFind();
    await tv.updateComplete;
    const bar = tv.shadowRoot!.querySelector('transcript-find')!;
    await bar.updateComplete;
    const input = bar.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=find-input]')!;
    input.value = 'f3';
    input.dispatchEvent(new Event('input'));
    await tv.updateComplete;
    await bar.updateComplete;
    const count = () => bar.shadowRoot!.querySelector('[data-testid=find-count]')!.textContent;
    expect(count()).toBe('1 of 1');

    tv.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=turn-files-more]')!.click();
    const group = tv.shadowRoot!.querySelector('activity-group')!;
    const step = group.shadowRoot!.querySelector('tool-step')!;
    step.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=tool-step-more]')!.click();
    await el.updateComplete;
    await settled(tv);
    await group.updateComplete;
    await step.updateComplete;
    expect([n('row 45'), n('f35')]).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 300)); // a refind waits REFIND_MS after the last
    await tv.updateComplete;
    await bar.updateComplete;
    expect(count()).toMatch(/ of 11$/);
    expectCountsAsMarked(rows(), st.transcript, queries, st.reader, st.shownMore);
    el.remove();
    st.dispose();
  });

  // A reviewer's cases where the count parsed the reply whole and the view renders it in
  // blocks (a reference defined in a later block, a paragraph cut for its length); an
  // entity; a character that lower-cases longer, in code; Markdown nested too deep for
  // the parser (it overflowed its stack, and find with it).
  it('counts as find-in-dom marks in a reply rendered in blocks, with entities, İ and deep nesting', async () => {
    const { be, st, el } = await partyView();
    const long = Array.from({ length: 1600 }, (_, i) => `w${i}`).join(' '); // over CUT_OVER: cut into blocks
    const replies = [
      'Read [the docs][d] now.\n\nMore text.\n\n[d]: https://example.com/ref',
      `${long}\n`,
      '&#72;ello and &copy; and &eacute;t&eacute; and AT&amp;T',
      '```go\nİ := kod(x)\n```',
      `${'>'.repeat(2000)} deep quote`,
      `${'- '.repeat(300)}deep list`,
    ];
    let seq = 0;
    replies.forEach((text, i) => {
      be.emit('party:event', prompt(++seq, { id: `p${i}`, user: 'ann', text: `reply ${i}` }));
      be.emit('party:event', batch(++seq, { id: `b${i}`, prompts: [`p${i}`], merged: `reply ${i}`, merger: 'local' }));
      be.emit('party:event', out(++seq, text));
      be.emit('party:event', { seq: ++seq, ts: at(seq * 100), kind: 'turn', turn: { batch: `b${i}`, status: 'done', duration_ms: 10 } } as PartyEvent);
    });
    await el.updateComplete;
    const tv = el.shadowRoot!.querySelector('transcript-view')!;
    await settled(tv);
    await settled(tv);
    const rows = [...tv.shadowRoot!.querySelectorAll<HTMLElement>('.item-row')].filter((r) => st.transcript[Number(r.dataset['index'])]?.type === 'turn');
    expect(rows.length).toBe(replies.length);
    const queries = ['example', 'docs', '[d]', 'w841 w842', 'w1599', 'hello', '©', 'copy', 'été', 'at&t', 'kod', 'i̇', 'deep quote', 'deep list', '>>>', '- -'];
    expectCountsAsMarked(rows, st.transcript, queries, st.reader);
    el.remove();
    st.dispose();
  }, 30_000);
});
