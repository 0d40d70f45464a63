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
// (render/cut.ts says where and why): a cut paragraph reads as one with a line break at
// each cut.

import { CUT_OVER, findCut } from './cut';
import { markdownShownText, renderMarkdown } from './markdown';

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
  /** Cutting only (pieces): the blocks' sources, nothing rendered. */
  #dry: string[] | null = null;
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
          this.#cutLong(this.#scan);
          this.#close(this.#scan);
        }
        this.#cutLong(t.length);
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
        this.#cutLong(start); // a long paragraph before this block is cut as a streamed one is
        this.#close(start);
      }
      this.#blank = false;
      if (isList) this.#tailHasList = true;
      const f = fenceOpen.exec(line);
      if (f) this.#fence = f[1]!;
    }
  }

  /** Cuts the tail's paragraph, up to end, into blocks while it is longer than CUT_OVER. */
  #cutLong(end: number): void {
    // No look at #fence or #tailHasList: they may come from lines after the cut, which a
    // streamed reply did not have yet when it was cut (findCut stops at such a line).
    while (end - this.#tailStart > CUT_OVER) {
      const at = findCut(this.#text, this.#tailStart, end);
      if (at < 0) return;
      this.#close(at, true);
    }
  }

  /**
   * The sources of the blocks text renders as, the tail last: each block is an element of
   * its own, so a match of find never spans two, and what a block shows is what it is on
   * its own (a link's reference defined in a later block is not found: a reviewer's).
   */
  static pieces(text: string): string[] {
    const md = new IncrementalMarkdown();
    md.#dry = [];
    md.#text = text;
    md.#advance();
    return [...md.#dry, text.slice(md.#tailStart)];
  }

  /** The tail up to end is a completed block; cut: a long paragraph goes on after it. */
  #close(end: number, cut = false): void {
    const src = this.#text.slice(this.#tailStart, end);
    if (this.#dry) {
      this.#dry.push(src);
      this.#tailStart = end;
      if (!cut) this.#tailHasList = false;
      return;
    }
    const html = renderBlock(src);
    this.#blocks = [...this.#blocks, { key: this.#tailStart, html: cut ? `<div class="${CUT_CLASS}">${html}</div>` : html }];
    this.renderedChars += src.length;
    this.#tailStart = end;
    if (!cut) this.#tailHasList = false; // a cut is made before any list line (findCut)
  }
}

/**
 * The text a reply (or a plan) rendered by <markdown-view> shows, as find-in-dom reads it:
 * its blocks' shown texts (markdownShownText), apart.
 */
export function replyShownText(text: string): string {
  return IncrementalMarkdown.pieces(text)
    .map((piece) => markdownShownText(piece))
    .join('\n');
}
