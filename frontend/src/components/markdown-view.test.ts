// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import './markdown-view';
import type { MarkdownView } from './markdown-view';

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
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('strong')?.textContent).toBe('world');
    el.remove();
  });
});

describe('<markdown-view> with one huge growing block', () => {
  it('renders at most every so often while the tail is long, and always the last text', async () => {
    const el = document.createElement('markdown-view') as MarkdownView;
    document.body.append(el);
    let text = 'x'.repeat(9000);
    el.text = text;
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).toContain(text);
    for (let i = 0; i < 20; i++) {
      text += ' more';
      el.text = text;
      await el.updateComplete;
    }
    const shown = () => el.shadowRoot!.querySelector('.md')!.textContent!.trim();
    expect(shown().length).toBeLessThan(text.length); // deferred
    await new Promise((r) => setTimeout(r, 200));
    await el.updateComplete;
    expect(shown()).toBe(text); // the last text, once the pause passed
    el.remove();
  });
});
