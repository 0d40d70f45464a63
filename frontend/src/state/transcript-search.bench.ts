// Find in a long party (docs/PERFORMANCE.md, "Find in a long party"): `npm run bench:find`.
// 10,000 turns of 5 KB Markdown replies (51 MB), or of plain prose with PLAIN=1. A first
// search parses the replies whose source holds the word (transcript-search.ts); each
// iteration takes fresh segment objects, so nothing read before is kept.
import { bench, describe } from 'vitest';
import { findInTranscript, warmFind } from './transcript-search';
import type { TranscriptItem } from './transcript';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const line = env['PLAIN']
  ? 'The quick brown fox jumps over the lazy dog and then the fox runs away to the docs in a while\n'
  : 'The quick brown fox jumps over the lazy dog and then the **fox** runs `away` to [docs](https://example.com/x).\n';
const reply = line.repeat(Math.ceil(5000 / line.length));
const texts = Array.from({ length: 10_000 }, (_, i) => (i % 50 === 7 ? 'a zebra here\n' : '') + reply + i);

/** The party, with segments never searched before. */
function party(): TranscriptItem[] {
  return texts.map((text, i): TranscriptItem => ({ ts: 0, key: String(i), seq: i, type: 'turn', batch: null, prompts: [], end: null, files: [], segments: [{ kind: 'reply', text }] }));
}

const read = party();
findInTranscript(read, 'fox');

const opts = { iterations: 3, time: 0, warmupIterations: 0 };
describe('find in 10,000 replies of 5 KB', () => {
  bench('first search, a word in 2% of the replies', () => void findInTranscript(party(), 'zebra'), opts);
  bench('first search, a word in every reply', () => void findInTranscript(party(), 'fox'), opts);
  bench('first search, a word in every reply, parsing them all', () => void findInTranscript(party(), 'fox', Infinity), opts);
  bench('reading every reply ahead (warmFind, all its slices)', () => {
    const items = party();
    for (let at = 0; at < items.length; ) at = warmFind(items, at, performance.now() + 8).next;
  }, opts);
  bench('a search again, every reply read', () => void findInTranscript(read, 'fox'), { iterations: 10, time: 0, warmupIterations: 0 });
});
