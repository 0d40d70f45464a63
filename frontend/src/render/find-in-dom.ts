// The words the find bar found, in the rendered item: an item can be a long turn, whose
// match was off screen, or inside a folded tool step (a user tester saw a whole card
// outlined and the word nowhere). Looks through open shadow roots (the reply's Markdown and
// the tool steps are components of their own).

import { ReactiveElement } from 'lit';

/** The name the find bar's highlight is registered under (styles.ts styles it). */
export const FIND_HIGHLIGHT = 'concordia-find';

/** Elements whose text is never what a person reads there. */
const SKIP = new Set(['STYLE', 'SCRIPT', 'TEMPLATE', 'TEXTAREA', 'INPUT', 'SELECT']);

/**
 * A range over the first match of q (lower-cased) in the text under root, or null: in
 * what is shown first, else in what a folded <details> holds. Text hidden from people
 * (hidden, aria-hidden: an avatar's initials) is not looked at.
 */
export function findText(root: Node, q: string): Range | null {
  if (q === '') return null;
  return search(root, q, false) ?? search(root, q, true);
}

function search(root: Node, q: string, folded: boolean): Range | null {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === Node.TEXT_NODE) {
      const data = (n as Text).data;
      const lower = data.toLocaleLowerCase();
      // (Lower-casing can change a text's length, "İ": its offsets would be wrong.)
      const at = lower.length === data.length ? lower.indexOf(q) : -1;
      if (at >= 0) {
        const r = document.createRange();
        r.setStart(n, at);
        r.setEnd(n, at + q.length);
        return r;
      }
      continue;
    }
    if (n instanceof Element) {
      if (SKIP.has(n.tagName) || n.hasAttribute('hidden') || n.getAttribute('aria-hidden') === 'true') continue;
      // A folded <details> shows its summary only: the rest is looked at on the second pass.
      if (!folded && n instanceof HTMLDetailsElement && !n.open) {
        const summary = [...n.children].find((c) => c.tagName === 'SUMMARY');
        if (summary) stack.push(summary);
        continue;
      }
    }
    // In document order: the children are pushed last first, a shadow root (what is shown) last.
    const kids = [...n.childNodes];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    if (n instanceof Element && n.shadowRoot) stack.push(n.shadowRoot);
  }
  return null;
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

/** Marks range as the match shown (the CSS Custom Highlight API, where there is one); null clears it. */
export function highlight(range: Range | null): void {
  const reg = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS?.highlights;
  const Hl = (globalThis as { Highlight?: new (...r: Range[]) => unknown }).Highlight;
  if (!reg || !Hl) return;
  if (range) reg.set(FIND_HIGHLIGHT, new Hl(range));
  else reg.delete(FIND_HIGHLIGHT);
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
