// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { IncrementalMarkdown } from './incremental';
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
