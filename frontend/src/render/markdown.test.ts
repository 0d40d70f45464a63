// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { markdownShownText, renderMarkdown } from './markdown';

/** Parses rendered HTML into a detached element for inspection. */
function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

/** Everything that could make rendered text live: scripts, handlers, navigation, remote loads. */
function liveBits(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'img', 'a', 'form', 'input', 'button', 'style', 'link', 'meta', 'svg', 'math', 'video', 'audio', 'base'].includes(tag)) {
      found.push(`<${tag}>`);
    }
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith('on') || ['href', 'src', 'srcset', 'action', 'formaction', 'style', 'xlink:href'].includes(attr)) {
        found.push(`${tag}[${attr}]`);
      }
    }
  }
  return found;
}

describe('renderMarkdown makes hostile text inert', () => {
  const cases: Array<{ name: string; src: string; visible?: RegExp }> = [
    { name: 'script tag', src: 'hi <script>alert(1)</script> there', visible: /<script>alert\(1\)<\/script>/ },
    { name: 'block script', src: '<script>\nalert(1)\n</script>\n', visible: /alert\(1\)/ },
    { name: 'img onerror', src: '<img src=x onerror="alert(1)">', visible: /<img src=x onerror/ },
    { name: 'markdown image', src: '![pixel](https://tracker.example/p.gif)', visible: /\[image: pixel\]/ },
    { name: 'javascript: link', src: '[click me](javascript:alert(1))', visible: /click me/ },
    { name: 'autolink', src: 'see https://example.org/x and <https://example.org/y>', visible: /example\.org\/x/ },
    { name: 'raw anchor', src: '<a href="https://evil.example">x</a>', visible: /<a href=/ },
    { name: 'iframe', src: '<iframe src="https://evil.example"></iframe>', visible: /<iframe/ },
    { name: 'svg onload', src: '<svg onload=alert(1)><circle/></svg>', visible: /<svg onload/ },
    { name: 'style', src: '<style>body{display:none}</style>', visible: /display:none/ },
    { name: 'html inside link text', src: '[<img src=x onerror=alert(1)>](http://x)' },
    { name: 'reference link', src: '[a][r]\n\n[r]: javascript:alert(1)', visible: /a/ },
    { name: 'data URL link', src: '[d](data:text/html;base64,PHNjcmlwdD4=)', visible: /d/ },
    { name: 'form controls', src: '<form action="/x"><input name=a><button>go</button></form>', visible: /<button>go<\/button>/ },
    { name: 'task list', src: '- [x] done\n- [ ] todo', visible: /☑ done/ },
    { name: 'code block with html', src: '```html\n<script>alert(1)</script>\n```', visible: /<script>alert\(1\)<\/script>/ },
    { name: 'entity tricks', src: '&lt;script&gt;alert(1)&lt;/script&gt; <scr<script>ipt>', visible: /alert\(1\)/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const root = dom(renderMarkdown(c.src));
      expect(liveBits(root)).toEqual([]);
      if (c.visible) expect(root.textContent).toMatch(c.visible);
    });
  }
});

describe('renderMarkdown still renders Markdown', () => {
  it('headings, emphasis, lists, tables, code', () => {
    const root = dom(renderMarkdown('# Title\n\n**bold** _em_ `code`\n\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'));
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelector('em')?.textContent).toBe('em');
    expect(root.querySelector('code')?.textContent).toBe('code');
    expect(root.querySelectorAll('ol li').length).toBe(2);
    expect(root.querySelector('td')?.textContent).toBe('1');
  });

  it('highlights a registered language and escapes an unknown one', () => {
    const go = dom(renderMarkdown('```go\nfunc main() {}\n```'));
    expect(go.querySelector('pre code .hljs-keyword')?.textContent).toBe('func');
    expect(go.querySelector('.code-lang')?.textContent).toBe('go');
    const other = dom(renderMarkdown('```brainfuck\n<b>+++</b>\n```'));
    expect(other.querySelector('pre code')?.textContent).toBe('<b>+++</b>');
    expect(other.querySelector('pre code b')).toBeNull();
  });

  it('shows a link as its label and its address as text, nothing to click', () => {
    const root = dom(renderMarkdown('[docs](https://example.org/docs) and https://example.org/x and www.example.com'));
    expect(root.querySelector('.md-link')?.textContent).toBe('docs');
    expect(root.textContent?.trim()).toBe('docs (https://example.org/docs) and https://example.org/x and www.example.com'); // autolinks once
    expect(root.querySelector('a, [href], [onclick]')).toBeNull();
  });
});

describe('highlightLine', () => {
  it('colours code and keeps peer text inert', async () => {
    const { highlightLine } = await import('./markdown');
    const html = highlightLine('func main() { s := "<img src=x onerror=alert(1)>" }', 'go');
    expect(html).toContain('<span class="hljs-keyword">func</span>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(highlightLine('<b>x</b>', '')).toBe('&lt;b&gt;x&lt;/b&gt;');
    expect(highlightLine('<b>x</b>', 'brainfuck')).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('line breaks', () => {
  // Lines of output (files, log lines) ran into one paragraph: "L1659 L1660 …" (a tester's).
  it('keeps a single line break as a break', () => {
    const html = renderMarkdown('L0001\nL0002\nL0003\n\nnext paragraph');
    expect(html).toMatch(/L0001<br>\s*L0002<br>\s*L0003/);
    expect(html).toMatch(/<p>next paragraph<\/p>/);
  });
  it('leaves code blocks as they are', () => {
    expect(renderMarkdown('```\na\nb\n```')).not.toContain('<br>');
  });
});

describe('raw HTML shown as text', () => {
  // A window tester's <style> block and <iframe> ran into the next paragraph with no gap:
  // escaped, but with no block of their own.
  it('a block of it is a paragraph of its own, its lines kept, before the next one', () => {
    const root = dom(renderMarkdown('<style>\nbody{display:none}\n</style>\nafter the style\n\n<iframe src="https://evil.example"></iframe>\n\nafter the frame'));
    expect(liveBits(root)).toEqual([]);
    const blocks = [...root.children].map((c) => [c.tagName, c.className, c.textContent]);
    expect(blocks).toEqual([
      ['P', 'md-html', '<style>\nbody{display:none}\n</style>'],
      ['P', '', 'after the style'],
      ['P', 'md-html', '<iframe src="https://evil.example"></iframe>'],
      ['P', '', 'after the frame'],
    ]);
  });
  it('inline, it stays in its line', () => {
    const root = dom(renderMarkdown('a <b>bold</b> claim <img src=x onerror=alert(1)>'));
    expect(liveBits(root)).toEqual([]);
    expect([...root.children].map((c) => [c.tagName, c.className])).toEqual([['P', '']]);
    expect(root.firstElementChild?.textContent).toBe('a <b>bold</b> claim <img src=x onerror=alert(1)>');
  });
  it('find counts it as it is shown', () => {
    expect(markdownShownText('<style>\nb{}\n</style>\nafter')).toBe('\n<style>\nb{}\n</style>\n\nafter\n');
    expect(markdownShownText('a <b>x</b> b')).toBe('\na <b>x</b> b\n');
  });
});

describe('table cells', () => {
  // A window tester's table: a 200-character cell squeezed "Col A" and "row 0" onto two
  // lines each. A short cell keeps to one line, a long unbroken word may break anywhere,
  // and other cells wrap at their spaces (markdown-view.ts lays the classes out).
  it('say how they lay out, and keep their alignment', () => {
    const root = dom(renderMarkdown(`| Col A | Col B | Col C |\n| --- | --- | :-: |\n| row 0 | ${'x'.repeat(200)} | centred |\n| row 1 | a sentence of ordinary words that can wrap | ok |\n`));
    const cells = [...root.querySelectorAll('th, td')].map((c) => [c.tagName, c.textContent!.slice(0, 10), c.className, c.getAttribute('align')]);
    expect(cells).toEqual([
      ['TH', 'Col A', 'md-cell-short', null],
      ['TH', 'Col B', 'md-cell-short', null],
      ['TH', 'Col C', 'md-cell-short', 'center'],
      ['TD', 'row 0', 'md-cell-short', null],
      ['TD', 'xxxxxxxxxx', 'md-cell-break', null],
      ['TD', 'centred', 'md-cell-short', 'center'],
      ['TD', 'row 1', 'md-cell-short', null],
      ['TD', 'a sentence', '', null],
      ['TD', 'ok', 'md-cell-short', 'center'],
    ]);
    expect(root.querySelector('td.md-cell-break')!.textContent).toBe('x'.repeat(200));
  });
  it('keep their Markdown, made inert', () => {
    const root = dom(renderMarkdown('| a | b |\n| - | - |\n| **bold** `code` | <img src=x onerror=alert(1)> |\n'));
    expect(liveBits(root)).toEqual([]);
    expect(root.querySelector('td strong')?.textContent).toBe('bold');
    expect(root.querySelector('td code')?.textContent).toBe('code');
  });
});

describe('Markdown nested too deep for the parser', () => {
  // A reviewer's: a quote 2,000 deep overflowed marked's stack (renderMarkdown threw, and
  // find with it), a list 2,000 deep took 76 s. Agent output a prompt can steer: shown as
  // text, escaped, a line apart each.
  it('is shown as text, at once, and its tags stay text', () => {
    const t0 = performance.now();
    const quote = renderMarkdown(`${'>'.repeat(2000)} <b>x</b>`);
    const list = renderMarkdown(Array.from({ length: 2000 }, (_, i) => `${' '.repeat(2 * i)}- item ${i}`).join('\n'));
    const inline = renderMarkdown(`${'- '.repeat(300)}deep`);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(quote).toBe(`<p>${'&gt;'.repeat(2000)} &lt;b&gt;x&lt;/b&gt;</p>`);
    expect(list.startsWith('<p>- item 0<br>  - item 1<br>')).toBe(true);
    expect(inline).toBe(`<p>${'- '.repeat(300)}deep</p>`);
    // A few levels, and deep indentation inside a fenced block, are Markdown as before.
    expect(renderMarkdown('> > quoted\n\n- a\n  - b')).toContain('<blockquote>');
    expect(renderMarkdown(`\`\`\`\n${' '.repeat(300)}- x\n\`\`\``)).toContain('<pre');
  });
});
