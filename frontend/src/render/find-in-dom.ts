// The words the find bar found, in the rendered item: an item can be a long turn, whose
// match was off screen, or inside a folded tool step (a user tester saw a whole card
// outlined and the word nowhere). Looks through open shadow roots (the reply's Markdown and
// the tool steps are components of their own).

/** The name the find bar's highlight is registered under (styles.ts styles it). */
export const FIND_HIGHLIGHT = 'concordia-find';

/** A range over the first match of q (lower-cased) in the text under root, or null. */
export function findText(root: Node, q: string): Range | null {
  if (q === '') return null;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === Node.TEXT_NODE) {
      const at = (n as Text).data.toLocaleLowerCase().indexOf(q);
      if (at >= 0) {
        const r = document.createRange();
        r.setStart(n, at);
        r.setEnd(n, Math.min((n as Text).data.length, at + q.length));
        return r;
      }
      continue;
    }
    if (n instanceof HTMLStyleElement || n instanceof HTMLScriptElement) continue;
    // In document order: the children are pushed last first.
    const kids = [...n.childNodes];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    if (n instanceof Element && n.shadowRoot) stack.push(n.shadowRoot);
  }
  return null;
}

/** Opens the folded <details> that hold node, across shadow roots; says whether any was. */
export function unfold(node: Node): boolean {
  let opened = false;
  let n: Node | null = node;
  while (n) {
    if (n instanceof HTMLDetailsElement && !n.open) {
      n.open = true;
      opened = true;
    }
    n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentNode;
  }
  return opened;
}

/** Marks range as the match shown (the CSS Custom Highlight API, where there is one); null clears it. */
export function highlight(range: Range | null): void {
  const reg = (globalThis as { CSS?: { highlights?: Map<string, unknown> } }).CSS?.highlights;
  const Hl = (globalThis as { Highlight?: new (...r: Range[]) => unknown }).Highlight;
  if (!reg || !Hl) return;
  if (range) reg.set(FIND_HIGHLIGHT, new Hl(range));
  else reg.delete(FIND_HIGHLIGHT);
}
