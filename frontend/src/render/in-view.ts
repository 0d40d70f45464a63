// Whether a card is seen in a scrolling view: 40 px of it or more (its header and first
// line), or all of a shorter one. The transcript uses it for "a waiting card is in view"
// (Latest says nothing then), and a decided card for whether to keep its place
// (cards.ts): one rule, so that the two agree.

/** The least of a card's height that counts as seeing it. */
const SEEN_PX = 40;

/** Whether el shows enough of itself inside view (the scroller's client rect). */
export function seenIn(el: Element, view: DOMRect): boolean {
  const r = el.getBoundingClientRect();
  const shown = Math.min(r.bottom, view.bottom) - Math.max(r.top, view.top);
  return r.height > 0 && shown >= Math.min(r.height, SEEN_PX);
}
