// Where a very long paragraph may be cut into blocks (render/incremental.ts).
//
// marked's inline parsing of one paragraph takes time in the square of its length in
// WebKitGTK's JavaScriptCore when the paragraph has many brackets, backticks or emphasis
// marks (a 47 KB paragraph with a bracket every 24 characters: 0.8 s; 240 KB: about 20 s,
// during which a joining window showed "Connecting…"; docs/PERFORMANCE.md). A paragraph
// longer than CUT_OVER is therefore rendered as blocks of about CUT_AT characters. A cut
// must change nothing but add a line break, so it is made only where the text before it is
// plain paragraph text and no inline construct is open:
//
// - no line so far is blank or starts a list item, a quote, a heading, a fence, an HTML
//   block, a table's delimiter row or a setext underline (those end the paragraph: the
//   caller's blocks handle them), and none is indented as code;
// - the cut falls at a line start, after white space, between two CJK characters, or
//   before a "[" that follows punctuation (a word or an address is never cut), and the
//   text after it starts with a letter, a digit or "[" and does not begin an ordered list
//   item or a link reference definition; a line break is preferred;
// - no code span, emphasis (`*`, `_` at a word's edge, `~~`), link label (`[`) or link
//   destination (`](…)`) is open at the cut, and no `|` (a table's header?) comes before
//   it on its line. A marker left open (or a `|` seen) more than STRAY characters before
//   is taken as a lone character (a stray backtick, "5 * 3"), as marked will when no
//   closing one comes.
//
// Only the text before the window's end is read, so a streamed reply is cut where the
// whole one is. What a cut can still change: a setext underline ("---" under the
// paragraph's last line) makes only the last block a heading, where the whole paragraph
// would be one; a paragraph of more than 8 KB is no heading anyone meant.

/** A paragraph longer than this is cut. */
export const CUT_OVER = 8192;
/** The earliest cut, from the paragraph's start. */
export const CUT_AT = 4096;
/** Characters after which an open marker is taken as a lone character. */
const STRAY = 1000;
/** How far a line start or a "[" is read to see what it starts. */
const PEEK = 32;

const letterOrDigit = /[\p{L}\p{N}]/u;
const cjk = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;
const orderedItem = /^\d{1,9}[.)]/;

/** Whether a block may start at i: a letter, a digit or "[" that starts no list item or link reference definition. */
function startsChunk(t: string, i: number): boolean {
  const c = t[i]!;
  if (c === '[') {
    // "[label]" and not "[label]:" (a definition, which a block could start with): the label
    // is read up to PEEK characters.
    const close = t.slice(i, i + PEEK).indexOf(']');
    return close > 0 && t[i + close + 1] !== ':';
  }
  return letterOrDigit.test(c) && !orderedItem.test(t.slice(i, i + 12));
}
/** A line start that ends a paragraph or is not paragraph text. */
const blockStart = /^(?: {0,3}(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>|#|`{3}|~{3}|<|=+[ \t]*$|(?:[*_-][ \t]*){2,}[*_-][ \t]*$|-+[ \t]*$|\|?[ \t]*:?-+:?[ \t]*\|)| {4}|\t)/;
/** What a paragraph that may be cut starts with. */
const cuttableStart = /^[\p{L}\p{N}[*_`("']/u;

/** The start of the line at i, up to PEEK characters, without its line break. */
function lineHead(t: string, i: number): string {
  return t.slice(i, i + PEEK).split('\n')[0]!.replace(/\r$/, '');
}

/**
 * The first place to cut t's paragraph that starts at from, or -1 for none: a position in
 * [from + CUT_AT, from + CUT_OVER - PEEK), found reading t only before from + CUT_OVER.
 * limit is where the paragraph's block ends at the latest (t's end while it streams).
 */
export function findCut(t: string, from: number, limit = t.length): number {
  const end = from + CUT_OVER - PEEK;
  if (limit < from + CUT_OVER) return -1;
  const first = lineHead(t, from);
  if (!cuttableStart.test(first) || blockStart.test(first)) return -1;
  let code = 0; // the open code span's backtick run length
  let codeAt = -1;
  let star = -1; // where an open `*` run, `_` run, `~~` or `[` began (-1: none)
  let under = -1;
  let tilde = -1;
  let bracket = -1;
  let brackets = 0;
  let dest = -1;
  let pipeAt = -1; // a `|` on the current line
  let lineStart = from;
  let lineBlank = true;
  let atSpace = -1; // the first cut after white space or between CJK characters
  for (let i = from; i < end; i++) {
    const c = t[i]!;
    const prev = t[i - 1] ?? ' ';
    if (atSpace < 0 && i >= from + CUT_AT && i !== lineStart && !(pipeAt >= 0 && i - pipeAt <= STRAY) && !open(i) && startsChunk(t, i)) {
      if (/\s/.test(prev) || (c === '[' && !letterOrDigit.test(prev) && prev !== '\\') || (cjk.test(prev) && cjk.test(c))) atSpace = i;
    }
    if (i === lineStart && i > from) {
      if (blockStart.test(lineHead(t, i))) return -1;
      if (i >= from + CUT_AT && !open(i) && startsChunk(t, i)) return i; // a line start: the best cut
    }
    if (c === '\n') {
      if (lineBlank && i > from) return -1;
      lineStart = i + 1;
      lineBlank = true;
      pipeAt = -1;
      continue;
    }
    if (c !== ' ' && c !== '\t' && c !== '\r') lineBlank = false;
    if (c === '`') {
      let n = 1;
      while (t[i + n] === '`') n++;
      if (code === 0 || i - codeAt > STRAY) {
        code = n;
        codeAt = i;
      } else if (n === code) {
        code = 0;
      }
      i += n - 1;
      continue;
    }
    if (code !== 0 && i - codeAt <= STRAY) continue; // inside a code span: nothing else counts
    code = 0;
    const next = t[i + 1] ?? ' ';
    if (c === '\\') {
      i++; // an escaped character is text
    } else if (c === '*') {
      star = star < 0 || i - star > STRAY ? i : -1;
      while (t[i + 1] === '*') i++;
    } else if (c === '_') {
      let j = i;
      while (t[j + 1] === '_') j++;
      // Only a run at a word's edge can open or close emphasis (snake_case cannot).
      if (!letterOrDigit.test(prev) || !letterOrDigit.test(t[j + 1] ?? ' ')) under = under < 0 || i - under > STRAY ? i : -1;
      i = j;
    } else if (c === '~' && next === '~') {
      tilde = tilde < 0 || i - tilde > STRAY ? i : -1;
      while (t[i + 1] === '~') i++;
    } else if (c === '[') {
      if (brackets === 0 || i - bracket > STRAY) {
        brackets = 0;
        bracket = i;
      }
      brackets++;
    } else if (c === ']') {
      if (brackets > 0) brackets--;
      if (next === '(') dest = i + 1; // a link's destination, to its ")"
    } else if (c === ')') {
      dest = -1;
    } else if (c === '|') {
      pipeAt = i;
    }
  }
  return atSpace;

  /** Whether an inline construct is open at i (a marker older than STRAY is not). */
  function open(i: number): boolean {
    const live = (at: number) => at >= 0 && i - at <= STRAY;
    return (code !== 0 && i - codeAt <= STRAY) || live(star) || live(under) || live(tilde) || live(dest) || (brackets > 0 && live(bracket));
  }
}
