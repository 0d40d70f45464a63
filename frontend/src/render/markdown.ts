// Markdown for agent and peer text, made inert. Text from the agent or another
// person is never trusted: raw HTML in the Markdown is shown as text, links
// become plain labels (the window must never navigate away), images become
// their alt text, and the HTML marked produces is then sanitised by DOMPurify
// with a short allow-list before anything reaches the DOM.

import DOMPurify from 'dompurify';
import { Marked, type Token, type Tokens } from 'marked';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('css', css);
hljs.registerLanguage('diff', diff);
hljs.registerLanguage('go', go);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('python', python);
hljs.registerLanguage('rust', rust);
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('yaml', yaml);

/** Escapes text for use inside HTML elements and attributes. */
export function escapeHTML(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only these survive sanitising; everything else (and every other attribute) is removed. */
const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'strong', 'em', 'del', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
];
const ALLOWED_ATTR = ['class', 'title', 'start', 'align'];

const marked = new Marked({
  gfm: true,
  // A single line break is one (as Claude Code shows it in a terminal): a list of files or
  // log lines ran into one paragraph (a tester's 2,000-line reply).
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML in the Markdown is shown as the text it is: inline, in its line; a block of
    // it (an <iframe>, a <style>) as a paragraph of its own, its lines kept (it ran into
    // the next paragraph with no gap: a window tester's).
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      if (!block) return escapeHTML(text);
      const shown = htmlBlockText(text);
      return shown === '' ? '' : `<p class="${HTML_BLOCK_CLASS}">${escapeHTML(shown)}</p>\n`;
    },
    // A link is its label, then its address as text to read or copy: nothing in the window
    // is clickable away (drawn as a link, it looked broken to people who clicked it).
    link({ href, text, tokens }: Tokens.Link): string {
      const label = this.parser.parseInline(tokens);
      const shown = hrefShown(href, text);
      return `<span class="md-link">${label}</span>${shown === '' ? '' : ` <span class="md-href">(${escapeHTML(shown)})</span>`}`;
    },
    // Remote images would be fetched (and could track who reads); show the alt text.
    image({ href, text }: Tokens.Image): string {
      return `<span class="md-image" title="${escapeHTML(href)}">${escapeHTML(imageWords(text))}</span>`;
    },
    // Task-list boxes as characters: no form controls in the transcript.
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<span class="md-check">${checkWords(checked)}</span> `;
    },
    // A cell says how it lays out (markdown-view.ts): a short one keeps to one line, one with
    // a long unbroken word may break it anywhere. A 200-character cell squeezed "Col A" and
    // "row 0" onto two lines each and pushed the columns after it out of view (a tester's).
    tablecell({ tokens, header, align, text }: Tokens.TableCell): string {
      const tag = header ? 'th' : 'td';
      const fit = cellFit(text);
      const attrs = `${align ? ` align="${align}"` : ''}${fit ? ` class="${fit}"` : ''}`;
      return `<${tag}${attrs}>${this.parser.parseInline(tokens)}</${tag}>\n`;
    },
    code({ text, lang }: Tokens.Code): string {
      const name = codeLanguage(lang);
      const known = name !== '' && hljs.getLanguage(name) !== undefined;
      const body = known ? hljs.highlight(text, { language: name, ignoreIllegals: true }).value : escapeHTML(text);
      const label = name ? `<span class="code-lang">${escapeHTML(name)}</span>` : '';
      return `<pre class="code">${label}<code class="hljs">${body}</code></pre>\n`;
    },
  },
});

/** The class of a paragraph that shows a block of raw HTML as text (markdown-view keeps its lines). */
export const HTML_BLOCK_CLASS = 'md-html';

/** A block of raw HTML as its paragraph shows it: without the newlines that end it. */
function htmlBlockText(text: string): string {
  return text.replace(/\s+$/, '');
}

/** A table cell whose text is at most this long keeps to one line. */
const SHORT_CELL = 20;
/** A word longer than this in a table cell may be broken anywhere. */
const LONG_WORD = 24;
/** The classes a table cell gets from its text (markdown-view.ts lays them out). */
export const CELL_SHORT_CLASS = 'md-cell-short';
export const CELL_BREAK_CLASS = 'md-cell-break';

/** How a table cell with this (Markdown) text lays out: a class, or '' to wrap at spaces only. */
function cellFit(text: string): string {
  const t = text.trim();
  if (t.length <= SHORT_CELL) return CELL_SHORT_CLASS;
  return t.split(/\s+/).some((w) => w.length > LONG_WORD) ? CELL_BREAK_CLASS : '';
}

/** A link's address as shown after its label: "" when the label says it (autolinks, www. ones too). */
function hrefShown(href: string, text: string): string {
  const t = text.trim();
  return [t, `mailto:${t}`, `http://${t}`, `https://${t}`].includes(href) ? '' : href;
}

/** What an image shows instead of itself. */
function imageWords(alt: string): string {
  return `[image: ${alt}]`;
}

/** A task list's box, as a character. */
function checkWords(checked: boolean): string {
  return checked ? '☑' : '☐';
}

/** A fenced block's language as its label shows it ("" for none): the first word, lower-cased. */
function codeLanguage(lang: string | undefined): string {
  return (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

/**
 * Text that Markdown shows as it is written (breaks: true makes a line break of a newline,
 * which is no text either way). Anything else is parsed.
 */
const PLAIN = /^[^\\`*_~[\]<>#|!&@:=+\-\t]*$/;
/** A line that starts a list, a quote, a heading, an indented code block, or is blank (a paragraph's end). */
const BLOCKISH = /^(?: {4}|\s*\d+[.)]|\s*$)/m;

/** Pieces of text one element apart in the DOM: a find in it never spans them (find-in-dom looks in one text node at a time). */
const APART = '\n';

/**
 * The text renderMarkdown(src) shows, as find-in-dom reads it (render/find-in-dom.ts), without
 * rendering it: what the reader sees (a link's label and its address, a fence's language,
 * not the Markdown's own characters), with a newline wherever the DOM's text is in another
 * element, as a match there is not one find-in-dom finds. From the renderer's own parser and
 * words, so the two agree; a code block's highlighting is one text to find-in-dom too
 * (its <code> is looked at whole).
 */
export function markdownShownText(src: string): string {
  if (PLAIN.test(src) && !BLOCKISH.test(src) && !/www\./i.test(src)) return src;
  if (tooDeep(src)) return src; // shown as text (renderMarkdown): a line apart each
  const out: string[] = [];
  try {
    shownOf(marked.lexer(src), out);
  } catch {
    return src; // as renderMarkdown shows it then
  }
  return out.join('');
}

/**
 * How deep Markdown may nest (quotes and list items, on a line or by its indentation)
 * before it is shown as text: marked's time grows with the cube of a list's depth (400
 * levels: 0.5 s; 2,000: 76 s) and a quote 2,000 deep overflows its stack (a reviewer's),
 * and a reply is agent output a prompt can steer. Real Markdown nests a few levels.
 */
const MAX_DEPTH = 64;

/** Whether a line of src, outside a fenced code block, nests deeper than MAX_DEPTH. */
export function tooDeep(src: string): boolean {
  if (src.length < MAX_DEPTH * 2) return false;
  let fence = '';
  for (let start = 0; start < src.length; ) {
    let end = src.indexOf('\n', start);
    if (end < 0) end = src.length;
    const line = src.slice(start, end);
    start = end + 1;
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length) fence = '';
      continue;
    }
    if (f) {
      fence = f[1]!;
      continue;
    }
    let depth = 0;
    let cols = 0;
    for (let i = 0; i < line.length; ) {
      const c = line[i]!;
      if (c === ' ' || c === '\t') {
        cols += c === '\t' ? 4 : 1;
        i++;
        if (cols > 2 * MAX_DEPTH) return true;
        continue;
      }
      const marker = /^(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))/.exec(line.slice(i, i + 11));
      if (!marker) break;
      i += marker[0].length;
      cols += marker[0].length;
      if (++depth >= MAX_DEPTH || cols > 2 * MAX_DEPTH) return true;
    }
  }
  return false;
}

/** src as text, a line apart each: what Markdown too deep for the parser, or that it failed on, shows. */
function asTextHTML(src: string): string {
  return `<p>${escapeHTML(src).replace(/\n/g, '<br>')}</p>`;
}

function shownOf(tokens: readonly Token[] | undefined, out: string[]): void {
  if (!tokens) return;
  for (const t of tokens) {
    switch (t.type) {
      case 'space':
      case 'hr':
      case 'def':
        out.push(APART);
        break;
      case 'br':
        out.push(APART);
        break;
      case 'text': {
        const tx = t as Tokens.Text;
        if (tx.tokens && tx.tokens.length > 0) shownOf(tx.tokens, out);
        else out.push(unescapeEntities(tx.text));
        break;
      }
      case 'escape':
        out.push(unescapeEntities((t as Tokens.Escape).text));
        break;
      case 'html':
      case 'tag': {
        const h = t as Tokens.HTML;
        if (h.block) out.push(APART, htmlBlockText(h.text), APART); // a paragraph of its own
        else out.push(h.text); // shown as the text it is
        break;
      }
      case 'codespan':
        out.push(APART, unescapeEntities((t as Tokens.Codespan).text), APART);
        break;
      case 'code': {
        const c = t as Tokens.Code;
        const name = codeLanguage(c.lang);
        out.push(APART, name, APART, c.text, APART);
        break;
      }
      case 'link': {
        const l = t as Tokens.Link;
        out.push(APART);
        shownOf(l.tokens, out);
        out.push(APART);
        const h = hrefShown(l.href, l.text);
        if (h !== '') out.push(`(${h})`, APART);
        break;
      }
      case 'image':
        out.push(APART, imageWords((t as Tokens.Image).text), APART);
        break;
      case 'checkbox':
        out.push(APART, checkWords((t as Tokens.Checkbox).checked), APART);
        break;
      case 'list':
        for (const item of (t as Tokens.List).items) {
          out.push(APART);
          if (item.task) out.push(APART, checkWords(item.checked ?? false), APART);
          shownOf(item.tokens, out);
          out.push(APART);
        }
        break;
      case 'table': {
        const tb = t as Tokens.Table;
        for (const cell of tb.header) (out.push(APART), shownOf(cell.tokens, out), out.push(APART));
        for (const row of tb.rows) for (const cell of row) (out.push(APART), shownOf(cell.tokens, out), out.push(APART));
        break;
      }
      default: {
        // strong, em, del, heading, paragraph, blockquote, and what else holds tokens.
        out.push(APART);
        const inner = (t as { tokens?: Token[] }).tokens;
        if (inner) shownOf(inner, out);
        else if (typeof (t as { text?: unknown }).text === 'string') out.push((t as { text: string }).text);
        out.push(APART);
      }
    }
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * Entities in Markdown text as the browser shows them: numeric ones, and named ones (by the
 * document's own parser where there is one, in a textarea, which makes no elements).
 */
function unescapeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    const known = NAMED[e];
    if (known !== undefined) return known;
    if (typeof document === 'undefined') return m;
    const t = document.createElement('textarea');
    t.innerHTML = m;
    return t.value;
  });
}

/**
 * Renders Markdown to sanitised HTML that is safe to insert: no scripts, no
 * event handlers, no links, no remote resources.
 */
export function renderMarkdown(src: string): string {
  if (tooDeep(src)) return asTextHTML(src);
  let html: string;
  try {
    html = marked.parse(src, { async: false });
  } catch {
    return asTextHTML(src); // (escaped: no need of DOMPurify)
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_TRUSTED_TYPE: false,
  });
}

/**
 * One line of source (a diff line: peer data) with highlight.js colours, as HTML that is
 * safe to insert. highlight.js escapes the text itself; the result is sanitised again
 * with spans and classes only. An unknown language gives the escaped text.
 */
export function highlightLine(text: string, language: string): string {
  if (!language || hljs.getLanguage(language) === undefined) return escapeHTML(text);
  const html = hljs.highlight(text, { language, ignoreIllegals: true }).value;
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'], RETURN_TRUSTED_TYPE: false });
}
