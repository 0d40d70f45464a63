// Incremental Markdown for a streaming reply. A reply grows by small deltas; rendering
// the whole of it on every delta costs O(reply) each time, O(reply²) over a turn. Here
// the text is cut into top-level blocks at safe boundaries, each completed block is
// rendered once (renderMarkdown: sanitised) and cached, and only the tail block that is
// still growing is rendered again.
//
// A boundary is the start of a line that begins with a non-space character after one or
// more blank lines, outside a fenced code block; a list item is not cut from the list
// before it. Markdown that a later block could still change (a link reference defined
// further down) is rendered as if it were the end: links are plain labels here anyway.
//
// One paragraph longer than CUT_OVER is cut too, into blocks of about CUT_AT characters
// (#cutLong): marked's inline parsing takes time in the square of a paragraph's length in
// WebKitGTK's JavaScriptCore when the paragraph has many brackets, backticks or emphasis
// marks (a 47 KB one with a bracket every 24 characters: 0.8 s, 240 KB: about 20 s, during
// which the window showed "Connecting…"; docs/PERFORMANCE.md). A cut paragraph reads as
// one with a line break at each cut; a cut never falls inside a code span, and the piece
// after it starts with a letter or digit, so it cannot turn into a list, a heading or a
// table.

import { renderMarkdown } from './markdown';

/** One completed block: its place in the reply (a stable key) and its sanitised HTML. */
export interface MdBlock {
  key: number;
  html: string;
}

/** What a reply renders to: the completed blocks and the growing tail. */
export interface MdRender {
  blocks: readonly MdBlock[];
  tail: string;
}

const listItem = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const fenceOpen = /^ {0,3}(`{3,}|~{3,})/;

/** A paragraph longer than this is cut into blocks of about CUT_AT characters. */
export const CUT_OVER = 8192;
const CUT_AT = 4096;
/** What a paragraph that may be cut starts with (not a list, quote, heading, table, code or HTML). */
const cuttableStart = /^[\p{L}\p{N}[*_`("']/u;
const letterOrDigit = /[\p{L}\p{N}]/u;
/** The class of a block that a cut ended: its paragraph goes on in the next block. */
export const CUT_CLASS = 'md-cut';

/** Sanitised HTML of completed blocks, shared by every reply (scrolling back re-creates views). */
const blockCache = new Map<string, string>();
const BLOCK_CACHE_MAX = 2000;

function renderBlock(src: string): string {
  let html = blockCache.get(src);
  if (html === undefined) {
    html = renderMarkdown(src);
    if (blockCache.size >= BLOCK_CACHE_MAX) blockCache.delete(blockCache.keys().next().value as string);
    blockCache.set(src, html);
  }
  return html;
}

/** Splits a growing text into blocks; feed it each new version of the text. */
export class IncrementalMarkdown {
  #text = '';
  #blocks: MdBlock[] = [];
  /** Where the growing tail starts (everything before is in #blocks). */
  #tailStart = 0;
  /** The next line to look at (it may not be complete yet). */
  #scan = 0;
  #fence = ''; // the open fence's marker, "" outside one
  #blank = false; // the line before #scan was blank (outside a fence)
  #tailHasList = false; // the tail holds a list item at column 0
  #tailHTML = '';
  #tailFor: string | null = null;
  /** Characters of Markdown rendered so far (tests check it grows with the text, not its square). */
  renderedChars = 0;

  /** How much of text would be parsed again now: the growing tail (all of it if text is not an extension). */
  tailLength(text: string): number {
    return text.startsWith(this.#text) ? text.length - this.#tailStart : text.length;
  }

  /** The render of text; text usually extends the previous one (a new delta). */
  update(text: string): MdRender {
    if (!text.startsWith(this.#text)) this.#reset();
    this.#text = text;
    this.#advance();
    const tail = text.slice(this.#tailStart);
    if (tail !== this.#tailFor) {
      this.#tailHTML = tail.trim() === '' ? '' : renderMarkdown(tail);
      this.#tailFor = tail;
      this.renderedChars += tail.length;
    }
    return { blocks: this.#blocks, tail: this.#tailHTML };
  }

  #reset(): void {
    this.#text = '';
    this.#blocks = [];
    this.#tailStart = 0;
    this.#scan = 0;
    this.#fence = '';
    this.#blank = false;
    this.#tailHasList = false;
    this.#tailFor = null;
  }

  /** Looks at each complete line after #scan and closes blocks at boundaries. */
  #advance(): void {
    const t = this.#text;
    for (;;) {
      const nl = t.indexOf('\n', this.#scan);
      if (nl < 0) {
        // The last line is still being written; its first characters may already say that
        // a new block begins (a list marker needs the whole line to be sure).
        const part = t.slice(this.#scan);
        if (!this.#fence && this.#blank && this.#scan > this.#tailStart && /^\S/.test(part) && !(this.#tailHasList && /^[-*+\d]/.test(part))) {
          this.#close(this.#scan);
        }
        this.#cutLong();
        return;
      }
      const line = t.slice(this.#scan, nl);
      const start = this.#scan;
      this.#scan = nl + 1;
      if (this.#fence) {
        const m = fenceOpen.exec(line);
        if (m && m[1]![0] === this.#fence[0] && m[1]!.length >= this.#fence.length && line.trim() === m[1]) this.#fence = '';
        continue;
      }
      if (line.trim() === '') {
        this.#blank = true;
        continue;
      }
      const isList = listItem.test(line);
      if (this.#blank && start > this.#tailStart && !/^\s/.test(line) && !(isList && this.#tailHasList)) {
        this.#close(start);
      }
      this.#blank = false;
      if (isList) this.#tailHasList = true;
      const f = fenceOpen.exec(line);
      if (f) this.#fence = f[1]!;
    }
  }

  /**
   * Cuts a paragraph longer than CUT_OVER into blocks: at the first place from CUT_AT on
   * where white space is followed by a letter or digit that does not start an ordered list
   * item, outside a code span. The tail must be one paragraph: no fence or list in it, a
   * first line that starts like a paragraph and has no "|" (a table's header), and no blank
   * line before the cut.
   */
  #cutLong(): void {
    const t = this.#text;
    while (!this.#fence && !this.#tailHasList && t.length - this.#tailStart > CUT_OVER) {
      const from = this.#tailStart;
      const eol = t.indexOf('\n', from);
      const firstLine = t.slice(from, eol < 0 ? t.length : eol);
      if (!cuttableStart.test(firstLine) || listItem.test(firstLine) || firstLine.includes('|')) return;
      let ticks = 0;
      let at = -1;
      for (let i = from; i < from + CUT_OVER && at < 0; i++) {
        const c = t[i]!;
        if (c === '`') ticks++;
        else if (c === '\n' && /^[ \t]*(?:\n|$)/.test(t.slice(i + 1, i + 80))) return; // a blank line
        else if (i >= from + CUT_AT && ticks % 2 === 0 && /\s/.test(c) && letterOrDigit.test(t[i + 1] ?? '') && !/^\d{1,9}[.)]/.test(t.slice(i + 1, i + 12))) {
          at = i + 1;
        }
      }
      if (at < 0) return;
      this.#close(at, true);
    }
  }

  /** The tail up to end is a completed block; cut: a long paragraph goes on after it. */
  #close(end: number, cut = false): void {
    const src = this.#text.slice(this.#tailStart, end);
    const html = renderBlock(src);
    this.#blocks = [...this.#blocks, { key: this.#tailStart, html: cut ? `<div class="${CUT_CLASS}">${html}</div>` : html }];
    this.renderedChars += src.length;
    this.#tailStart = end;
    this.#tailHasList = false;
  }
}
