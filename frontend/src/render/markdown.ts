// Markdown for agent and peer text, made inert. Text from the agent or another
// person is never trusted: raw HTML in the Markdown is shown as text, links
// become plain labels (the window must never navigate away), images become
// their alt text, and the HTML marked produces is then sanitised by DOMPurify
// with a short allow-list before anything reaches the DOM.

import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
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
    // Raw HTML in the Markdown is shown as the text it is.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHTML(text);
    },
    // A link is its label, then its address as text to read or copy: nothing in the window
    // is clickable away (drawn as a link, it looked broken to people who clicked it).
    link({ href, text, tokens }: Tokens.Link): string {
      const label = this.parser.parseInline(tokens);
      const t = text.trim();
      const same = [t, `mailto:${t}`, `http://${t}`, `https://${t}`].includes(href); // autolinks, www. ones too
      return `<span class="md-link">${label}</span>${same ? '' : ` <span class="md-href">(${escapeHTML(href)})</span>`}`;
    },
    // Remote images would be fetched (and could track who reads); show the alt text.
    image({ href, text }: Tokens.Image): string {
      return `<span class="md-image" title="${escapeHTML(href)}">[image: ${escapeHTML(text)}]</span>`;
    },
    // Task-list boxes as characters: no form controls in the transcript.
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<span class="md-check">${checked ? '☑' : '☐'}</span> `;
    },
    code({ text, lang }: Tokens.Code): string {
      const name = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      const known = name !== '' && hljs.getLanguage(name) !== undefined;
      const body = known ? hljs.highlight(text, { language: name, ignoreIllegals: true }).value : escapeHTML(text);
      const label = name ? `<span class="code-lang">${escapeHTML(name)}</span>` : '';
      return `<pre class="code">${label}<code class="hljs">${body}</code></pre>\n`;
    },
  },
});

/**
 * Renders Markdown to sanitised HTML that is safe to insert: no scripts, no
 * event handlers, no links, no remote resources.
 */
export function renderMarkdown(src: string): string {
  const html = marked.parse(src, { async: false });
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
