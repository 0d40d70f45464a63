// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import './markdown-view';
import type { MarkdownView } from './markdown-view';
import { IncrementalMarkdown } from '../render/incremental';

const hostile = [
  'Here you go <script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 1">',
  '[open](javascript:window.__pwned=1)',
  '<a href="https://evil.example" onclick="window.__pwned=1">click</a>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
].join('\n\n');

describe('<markdown-view>', () => {
  it('puts hostile agent output into the page inert', async () => {
    const el = document.createElement('markdown-view') as MarkdownView;
    el.text = hostile;
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelectorAll('script, img, a, iframe').length).toBe(0);
    const attrs = [...root.querySelectorAll('*')].flatMap((n) => n.getAttributeNames());
    expect(attrs.filter((a) => a.startsWith('on') || a === 'href' || a === 'src' || a === 'srcdoc')).toEqual([]);
    expect(root.textContent).toContain('<script>window.__pwned = 1</script>');
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    el.remove();
  });

  it('re-renders when the streamed text grows', async () => {
    const el = document.createElement('markdown-view') as MarkdownView;
    el.text = 'Hel';
    document.body.append(el);
    await el.updateComplete;
    el.text = 'Hello **world**';
    // Rendered at once, or once the pause a render's cost asks for has passed.
    for (let i = 0; i < 100 && !el.shadowRoot!.querySelector('strong'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      await el.updateComplete;
    }
    expect(el.shadowRoot!.querySelector('strong')?.textContent).toBe('world');
    el.remove();
  });
});

describe('<markdown-view> with one huge growing block', () => {
  /** A view shown a 9,000-character block, then that block grown by ' more' times times. */
  async function growing(times: number): Promise<{ el: MarkdownView; text: string }> {
    const el = document.createElement('markdown-view') as MarkdownView;
    document.body.append(el);
    let text = 'x'.repeat(9000);
    el.text = text;
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).toContain(text);
    for (let i = 0; i < times; i++) {
      text += ' more';
      el.text = text;
      await el.updateComplete;
    }
    return { el, text };
  }

  it('renders at most every so often while the tail is long, and always the last text', async () => {
    const { el, text } = await growing(20);
    const shown = () => el.shadowRoot!.querySelector('.md')!.textContent!.trim();
    expect(shown().length).toBeLessThan(text.length); // deferred
    // The last text, once the pause passed (at most its render's cost and a second).
    for (let i = 0; i < 100 && shown() !== text; i++) {
      await new Promise((r) => setTimeout(r, 30));
      await el.updateComplete;
    }
    expect(shown()).toBe(text);
    el.remove();
  });

  it('renders the last text at once when it is final (the turn stopped): nothing appears after "Stopped"', async () => {
    const { el, text } = await growing(5);
    const shown = () => el.shadowRoot!.querySelector('.md')!.textContent!.trim();
    expect(shown().length).toBeLessThan(text.length); // put off while it streams
    el.final = true; // the turn's end came with no more text
    await el.updateComplete;
    expect(shown()).toBe(text);
    el.text = text + ' and the last words';
    await el.updateComplete;
    expect(shown()).toBe(text + ' and the last words');
    el.remove();
  });
});

/** Waits (up to 3 s) until el shows text, and checks that it does. */
async function shows(el: MarkdownView, text: string): Promise<void> {
  const shown = () => el.shadowRoot!.querySelector('.md')!.textContent!.trim();
  for (let i = 0; i < 100 && shown() !== text; i++) {
    await new Promise((r) => setTimeout(r, 30));
    await el.updateComplete;
  }
  expect(shown()).toBe(text);
}

describe('<markdown-view> whose rendering is slow', () => {
  it('waits in proportion to what a render cost, and always renders the last text', async () => {
    // A render that costs 50 ms (as a long paragraph did in WebKitGTK): the clock jumps by
    // that much whenever the Markdown is rendered.
    let extra = 0;
    const realNow = performance.now.bind(performance);
    const now = vi.spyOn(performance, 'now').mockImplementation(() => realNow() + extra);
    let renders = 0;
    const update = IncrementalMarkdown.prototype.update;
    const spy = vi.spyOn(IncrementalMarkdown.prototype, 'update').mockImplementation(function (this: IncrementalMarkdown, text: string) {
      renders++;
      extra += 50;
      return update.call(this, text);
    });
    try {
      const el = document.createElement('markdown-view') as MarkdownView;
      document.body.append(el);
      let text = 'a short reply';
      el.text = text;
      await el.updateComplete;
      renders = 0;
      for (let i = 0; i < 20; i++) {
        text += ` more ${i}`;
        el.text = text;
        await el.updateComplete;
        await new Promise((r) => setTimeout(r, 10));
      }
      // 20 deltas in about 200 ms: a render costs 50, so the next waits 450 more.
      expect(renders).toBeLessThanOrEqual(2);
      const shown = () => el.shadowRoot!.querySelector('.md')!.textContent!.trim();
      expect(shown()).not.toBe(text);
      await shows(el, text);
      // Moved in the DOM while a render is put off (a reviewer's): the last text still shows.
      el.text = text += ' and the end';
      await el.updateComplete;
      expect(shown()).not.toBe(text);
      el.remove();
      document.body.append(el);
      await shows(el, text);
      el.remove();
    } finally {
      spy.mockRestore();
      now.mockRestore();
    }
  });
});
