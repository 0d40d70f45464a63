// The words the find bar found, in the rendered item: an item can be a long turn, whose
// match was off screen, or inside a folded tool step (a user tester saw a whole card
// outlined and the word nowhere). Looks through open shadow roots (the reply's Markdown and
// the tool steps are components of their own).

import { ReactiveElement } from 'lit';

/** The names the find bar's highlights are registered under (styles.ts styles them): the match shown, and the item's others. */
export const FIND_HIGHLIGHT = 'concordia-find';
export const FIND_OTHERS_HIGHLIGHT = 'concordia-find-others';

/**
 * An attribute on an element whose text repeats what the item shows elsewhere (a tool
 * group's row names its last step's call): not a match of its own. A tester saw three marks
 * and a count of two.
 */
export const FIND_SKIP = 'data-find-skip';

/** Elements whose text is never what a person reads there. */
const SKIP = new Set(['STYLE', 'SCRIPT', 'TEMPLATE', 'TEXTAREA', 'INPUT', 'SELECT']);

/**
 * Every match of q (lower-cased) in the text under root: first what is shown, in the order
 * read, then what folded <details> hold (a reviewer's folded match came before the same word
 * shown further down). A <details> the find bar unfolded counts as folded, so the order
 * stays the same while it steps through them. Text hidden from people (hidden,
 * aria-hidden: an avatar's initials) is not looked at, nor a repeat of what is shown
 * elsewhere in the item (FIND_SKIP).
 */
export function findAllText(root: Node, q: string): Range[] {
  if (q === '') return [];
  const shown: Range[] = [];
  const folded: Range[] = [];
  const stack: [Node, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [n, inFold] = stack.pop()!;
    if (n.nodeType === Node.TEXT_NODE) {
      const data = (n as Text).data;
      const { lower, at: of } = lowered(data);
      for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) {
        const r = document.createRange();
        r.setStart(n, of(at));
        r.setEnd(n, of(at + q.length));
        (inFold ? folded : shown).push(r);
      }
      continue;
    }
    let fold = inFold;
    if (n instanceof Element) {
      if (SKIP.has(n.tagName) || n.hasAttribute('hidden') || n.getAttribute('aria-hidden') === 'true' || n.hasAttribute(FIND_SKIP)) continue;
      if (n.tagName === 'CODE' && n.parentElement?.tagName === 'PRE') {
        // A code block is one text, however its highlighting cuts it into spans: a match
        // across two of its tokens ("print(x") is one a person sees, and its data counts.
        (fold ? folded : shown).push(...wholeMatches(n, q));
        continue;
      }
      // A folded <details> shows its summary only.
      if (n instanceof HTMLDetailsElement && (!n.open || unfolded.includes(n))) fold = true;
    }
    // In document order: the children are pushed last first, a shadow root (what is shown) last.
    const kids = [...n.childNodes];
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i]!;
      const summary = k instanceof Element && k.tagName === 'SUMMARY' && n instanceof HTMLDetailsElement;
      stack.push([k, summary ? inFold : fold]);
    }
    if (n instanceof Element && n.shadowRoot) stack.push([n.shadowRoot, fold]);
  }
  return shown.concat(folded);
}

/**
 * data lower-cased, and where a position in it is in data: the same, unless lower-casing
 * changed the text's length ("İ" is two characters lower-cased). Such a text was passed by,
 * and with it a whole code block's matches, while the data's count held them (a reviewer's).
 */
function lowered(data: string): { lower: string; at: (pos: number) => number } {
  const lower = data.toLocaleLowerCase();
  if (lower.length === data.length) return { lower, at: (pos) => pos };
  let low = '';
  const from: number[] = [];
  for (let j = 0; j < data.length; ) {
    const ch = String.fromCodePoint(data.codePointAt(j)!);
    const l = ch.toLocaleLowerCase();
    low += l;
    for (let k = 0; k < l.length; k++) from.push(j);
    j += ch.length;
  }
  from.push(data.length);
  // (Lower-cased a character at a time, a final sigma reads as σ: the count's own
  // lower-casing of the whole text may then differ; so rare it is left.)
  return { lower: low, at: (pos) => from[Math.min(pos, from.length - 1)]! };
}

/** The matches of q in the text under el read as one text (it holds text and inline elements only). */
function wholeMatches(el: Element, q: string): Range[] {
  const nodes: Text[] = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let t = walk.nextNode(); t; t = walk.nextNode()) nodes.push(t as Text);
  const data = nodes.map((t) => t.data).join('');
  const { lower, at: of } = lowered(data);
  // Where each node starts in the text.
  const starts: number[] = [];
  let at = 0;
  for (const t of nodes) {
    starts.push(at);
    at += t.data.length;
  }
  /** The node and offset of position pos (end: the end of the node before, not the start of the next). */
  const place = (pos: number, end: boolean): [Text, number] => {
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (end ? starts[mid]! < pos : starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return [nodes[lo]!, pos - starts[lo]!];
  };
  const out: Range[] = [];
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    const r = document.createRange();
    r.setStart(...place(of(i), false));
    r.setEnd(...place(of(i + q.length), true));
    out.push(r);
  }
  return out;
}

/**
 * Match n of q (lower-cased) under root, in findAllText's order, or null when there is
 * none. An item holding fewer than its data counted (text the view draws otherwise) gives
 * its last.
 */
export function findText(root: Node, q: string, n = 0): Range | null {
  const all = findAllText(root, q);
  return all.length === 0 ? null : all[Math.min(Math.max(n, 0), all.length - 1)]!;
}

/** The <details> the find bar opened, to fold again when it moves on or closes. */
let unfolded: HTMLDetailsElement[] = [];

/** Opens the folded <details> that hold node, across shadow roots; says whether any was. */
export function unfold(node: Node): boolean {
  let opened = false;
  let n: Node | null = node;
  while (n) {
    if (n instanceof HTMLDetailsElement && !n.open) {
      n.open = true;
      unfolded.push(n);
      opened = true;
    }
    n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentNode;
  }
  return opened;
}

/** Folds again what unfold opened (the person's own unfolding stays), but what holds keep. */
export function refold(keep?: Node): void {
  const holding = new Set<Node>();
  for (let n: Node | null = keep ?? null; n; n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentNode) holding.add(n);
  for (const d of unfolded) if (!holding.has(d)) d.open = false;
  unfolded = unfolded.filter((d) => holding.has(d));
}

/**
 * Marks range as the match shown, and others as the other matches in its item (the CSS
 * Custom Highlight API, where there is one); null clears both.
 */
export function highlight(range: Range | null, others: readonly Range[] = []): void {
  const reg = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS?.highlights;
  const Hl = (globalThis as { Highlight?: new (...r: Range[]) => unknown }).Highlight;
  if (!reg || !Hl) return;
  if (range) reg.set(FIND_HIGHLIGHT, new Hl(range));
  else reg.delete(FIND_HIGHLIGHT);
  const rest = range ? others.filter((r) => r !== range) : [];
  if (rest.length > 0) reg.set(FIND_OTHERS_HIGHLIGHT, new Hl(...rest));
  else reg.delete(FIND_OTHERS_HIGHLIGHT);
}

/**
 * Waits until the Lit components under root (through their shadow roots) have rendered:
 * two rounds, as a component renders its own children after itself.
 */
export async function settled(root: Node): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const pending: Promise<unknown>[] = [];
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n instanceof ReactiveElement) pending.push(n.updateComplete);
      if (n instanceof Element && n.shadowRoot) stack.push(n.shadowRoot);
      for (const c of n.childNodes) if (c.nodeType === Node.ELEMENT_NODE) stack.push(c);
    }
    if (pending.length === 0) return;
    await Promise.all(pending);
  }
}
