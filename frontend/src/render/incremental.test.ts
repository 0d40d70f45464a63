// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { CUT_OVER } from './cut';
import { CUT_CLASS, IncrementalMarkdown } from './incremental';
import { renderMarkdown } from './markdown';

/** HTML without the white space between tags (blocks join with none). */
const norm = (html: string) => html.replace(/>\s+</g, '><').trim();

/** Streams text in pieces of n characters and returns the renderer and its last render. */
function stream(text: string, n: number) {
  const md = new IncrementalMarkdown();
  let r = md.update('');
  for (let i = n; i < text.length + n; i += n) r = md.update(text.slice(0, i));
  return { md, html: r.blocks.map((b) => b.html).join('') + r.tail, blocks: r.blocks };
}

/** These render long texts many times over: about 2 s alone, 5 s on a loaded machine (vitest's default limit). */
const SLOW_MS = 30_000;

describe('IncrementalMarkdown', () => {
  const docs: Array<{ name: string; text: string; minBlocks: number }> = [
    { name: 'paragraphs and a heading', text: '# Title\n\nFirst paragraph\nstill first.\n\nSecond **bold**.\n\n## Next\n\nLast.', minBlocks: 4 },
    { name: 'a fenced block with blank lines stays whole', text: 'Code:\n\n```go\nfunc a() {\n\n\treturn\n}\n\nx\n```\n\nAfter.', minBlocks: 2 },
    { name: 'a loose list stays one list', text: 'Steps:\n\n1. one\n\n2. two\n\n3. three\n\nDone.', minBlocks: 2 },
    { name: 'an indented continuation stays with its item', text: '- item\n\n  more of the item\n\n- next\n\nEnd.', minBlocks: 1 },
    { name: 'tilde fences and a quote', text: '> quoted\n> lines\n\n~~~\n```\nnot a fence end\n~~~\n\n| a | b |\n| - | - |\n| 1 | 2 |\n', minBlocks: 2 },
    { name: 'raw HTML stays text', text: 'Hi <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\nok', minBlocks: 2 },
  ];
  for (const d of docs) {
    for (const n of [1, 7, 1000]) {
      it(`${d.name} (pieces of ${n}) renders as the whole text does`, () => {
        const { html, blocks } = stream(d.text, n);
        expect(norm(html)).toBe(norm(renderMarkdown(d.text)));
        if (n < 1000) expect(blocks.length).toBeGreaterThanOrEqual(d.minBlocks);
        expect(html).not.toContain('<img');
        expect(html).not.toContain('<script');
      });
    }
  }

  it('renders each completed block once: the work grows with the reply, not its square', () => {
    let text = '';
    for (let i = 0; i < 200; i++) text += i % 10 === 5 ? '```js\nlet x = 1;\n\nx++;\n```\n\n' : `Paragraph ${i} with some words in it and \`code\`.\n\n`;
    const { md, html } = stream(text, 20);
    expect(norm(html)).toBe(norm(renderMarkdown(text)));
    expect(md.renderedChars).toBeLessThan(10 * text.length); // re-rendering the whole reply per delta: ~text.length²/40
  });

  it('keeps completed blocks (same objects) while the tail grows', () => {
    const md = new IncrementalMarkdown();
    const a = md.update('One.\n\nTw');
    const b = md.update('One.\n\nTwo and');
    expect(a.blocks).toBe(b.blocks);
    expect(b.blocks.map((x) => x.key)).toEqual([0]);
    expect(b.tail).toContain('Two and');
  });

  it('starts over when the text is not an extension (a voided reply)', () => {
    const md = new IncrementalMarkdown();
    md.update('Old text.\n\nMore old.');
    const r = md.update('New.');
    expect(r.blocks).toEqual([]);
    expect(r.tail).toContain('New.');
    expect(r.tail).not.toContain('Old');
  });
});

describe('IncrementalMarkdown and one very long paragraph', () => {
  /** The text a render shows, white space collapsed. */
  const shown = (html: string) => {
    const div = document.createElement('div');
    div.innerHTML = html;
    return (div.textContent ?? '').replace(/\s+/g, ' ').trim();
  };
  /**
   * A render with its cuts undone, without white space and line breaks (<br>: a single
   * newline is one, and a cut at one shows it as the start of the next block): the same as
   * the whole text's when cuts change nothing but line breaks.
   */
  const uncut = (html: string) => html.replace(new RegExp(`<div class="${CUT_CLASS}">`, 'g'), '').replace(/<\/p>\s*<\/div>\s*<p>/g, '').replace(/<br>|\s+/g, '');
  const same = (html: string, text: string) => expect(uncut(html)).toBe(renderMarkdown(text).replace(/<br>|\s+/g, ''));
  const pieces = (n: number) => {
    let s = '';
    for (let i = 1; i <= n; i++) s += `[piece ${i}/${n}]`.padEnd(24, '.');
    return s;
  };

  // A window joining a party whose history held one 240 KB reply like this showed
  // "Connecting…" for 20 s: WebKitGTK parsed it as one paragraph, in time in its square.
  for (const n of [240, 240_000]) {
    it(`is cut into blocks of at most CUT_OVER characters (pieces of ${n}), and nothing is lost`, () => {
      const text = pieces(10_000);
      const { md, html, blocks } = stream(text, n);
      expect(blocks.length).toBeGreaterThanOrEqual(text.length / CUT_OVER);
      expect(md.tailLength(text)).toBeLessThanOrEqual(CUT_OVER);
      if (n > text.length) expect(md.renderedChars).toBeLessThan(2 * text.length); // each block once, then the tail
      expect(blocks.every((b) => b.html.startsWith(`<div class="${CUT_CLASS}">`))).toBe(true);
      expect(shown(html).replace(/\s/g, '')).toBe(text.replace(/\s/g, '')); // a cut is a line break
      same(html, text);
    }, SLOW_MS);
  }

  it('never cuts inside a code span, and no piece starts a list', () => {
    const words = (k: number) => Array.from({ length: k }, (_, i) => `w${i}`).join(' ');
    const span = '`' + words(150) + '`'; // 740 characters, from before CUT_AT to after it
    const text = `${words(760)} ${span} ${Array.from({ length: 2000 }, (_, i) => `1. item-${i}`).join(' ')}`;
    const { html, blocks } = stream(text, 101);
    expect(blocks.length).toBeGreaterThan(0);
    expect(html).toContain(`<code>${words(150)}</code>`);
    expect(html).not.toMatch(/<ol|<ul|<li/);
    same(html, text);
  });

  // From a review: each of these was either left uncut (the freeze stayed) or cut so that
  // the Markdown meant something else, or cut differently streamed than whole.
  const words = (k: number, w = (i: number) => `w${i}`) => Array.from({ length: k }, (_, i) => w(i)).join(' ');
  const cases: Array<{ name: string; text: string; cuts: number }> = [
    { name: 'a long paragraph, then another block', text: pieces(2000) + '\n\nThe end.', cuts: 5 },
    { name: 'a stray "|", backtick and "*" early on', text: 'a | b, it`s 5 * 3: ' + pieces(2000), cuts: 5 },
    { name: 'a double-backtick code span across CUT_AT', text: words(700) + ' ``a ` b ' + words(150) + '`` ' + words(3000), cuts: 3 },
    { name: 'emphasis, strikes and links everywhere', text: words(1500, (i) => [`**b${i} c**`, `~~s${i} t~~`, `[l${i} m](https://x.test/${i})`, `_e${i} f_`, `w${i}`][i % 5]!), cuts: 2 },
    { name: 'lines, then a list item indented by two', text: words(1500).replace(/ (w\d*0) /g, '\n$1 ') + '\n  - item\n' + words(1500), cuts: 1 },
    { name: 'CRLF lines, a blank line, indented code', text: words(2500).replace(/ (w\d*0) /g, '\r\n$1 ') + '\r\n\r\n    code\r\n', cuts: 1 },
    { name: 'Japanese without spaces', text: 'これは長い段落です。'.repeat(2500), cuts: 2 },
  ];
  for (const d of cases) {
    it(`cuts ${d.name} the same streamed as whole, changing nothing but line breaks`, () => {
      const whole = stream(d.text, d.text.length + 1);
      const streamed = stream(d.text, 499);
      expect(streamed.html).toBe(whole.html);
      same(whole.html, d.text);
      expect(whole.html.split(`class="${CUT_CLASS}"`).length - 1).toBeGreaterThanOrEqual(d.cuts);
    }, SLOW_MS);
  }

  const whole: Array<{ name: string; text: string }> = [
    { name: 'a paragraph just under CUT_OVER', text: pieces(340) },
    { name: 'a long fenced code block', text: '```\n' + pieces(1000).replace(/\]/g, ']\n') + '\n```\n' },
    { name: 'a long list', text: Array.from({ length: 400 }, (_, i) => `- [piece ${i}] with **bold**`).join('\n') },
    { name: 'a long table', text: '| a | b |\n| - | - |\n' + Array.from({ length: 800 }, (_, i) => `| x${i} | y |`).join('\n') },
    { name: 'a paragraph, then an indented code block', text: 'Text here.\n\n    ' + pieces(1000) },
  ];
  for (const d of whole) {
    it(`leaves ${d.name} whole`, () => {
      const { html } = stream(d.text, 3000); // (a long list rendered again per small piece fills jsdom's heap)
      expect(html).not.toContain(CUT_CLASS);
      expect(norm(html)).toBe(norm(renderMarkdown(d.text)));
    });
  }
});
