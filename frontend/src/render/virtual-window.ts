// The maths of a virtualised list: which items to render for a scroll position, and the
// space the others take. Item heights are measured once rendered and estimated before;
// a Fenwick tree keeps prefix sums so that every question is O(log n) with 10,000 items.

/** Heights of a list's items, by index: measured, or the estimate until measured. */
export class HeightIndex {
  #estimate: number;
  #n = 0;
  #h: number[] = []; // height of each item
  #tree: number[] = [0]; // Fenwick tree over #h, 1-based

  constructor(estimate: number) {
    this.#estimate = estimate;
  }

  /** Number of items. */
  get length(): number {
    return this.#n;
  }

  /** Grows (new items take the estimate) or shrinks to n items. */
  resize(n: number): void {
    if (n < this.#n) {
      this.#h.length = n;
      this.#n = 0;
      this.#tree = [0];
      for (const h of this.#h.splice(0)) this.#append(h);
      return;
    }
    while (this.#n < n) this.#append(this.#estimate);
  }

  #append(h: number): void {
    const i = ++this.#n;
    this.#h.push(h);
    // tree[i] covers (i - lowbit(i), i]: h plus the sums of the nodes below it.
    let sum = h;
    const low = i & -i;
    for (let j = i - 1; j > i - low; j -= j & -j) sum += this.#tree[j]!;
    this.#tree[i] = sum;
  }

  /** The height of item i. */
  get(i: number): number {
    return this.#h[i] ?? 0;
  }

  /** Sets item i's measured height; returns whether it changed. */
  set(i: number, h: number): boolean {
    const d = h - (this.#h[i] ?? h);
    if (i < 0 || i >= this.#n || d === 0) return false;
    this.#h[i] = h;
    for (let j = i + 1; j <= this.#n; j += j & -j) this.#tree[j]! += d;
    return true;
  }

  /** The offset of item i's top: the heights of the items before it. */
  offsetOf(i: number): number {
    let sum = 0;
    for (let j = Math.min(i, this.#n); j > 0; j -= j & -j) sum += this.#tree[j]!;
    return sum;
  }

  /** The height of all items. */
  total(): number {
    return this.offsetOf(this.#n);
  }

  /** The index of the item at offset y (clamped to the list). */
  indexAt(y: number): number {
    if (this.#n === 0) return 0;
    if (y <= 0) return 0;
    let pos = 0;
    let rest = y;
    for (let step = 1 << Math.floor(Math.log2(this.#n)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.#n && this.#tree[next]! <= rest) {
        pos = next;
        rest -= this.#tree[next]!;
      }
    }
    return Math.min(pos, this.#n - 1);
  }
}

/** The items to render and the space above and below them. */
export interface Range {
  start: number; // first rendered index
  end: number; // one past the last
  top: number; // px above start
  bottom: number; // px after end
}

/**
 * The items that intersect [scrollTop - margin, scrollTop + viewport + margin], with at
 * least minItems of them (the newest when at the bottom). With follow, the window is at
 * the end of the list whatever scrollTop says (the list follows new output).
 */
export function visibleRange(h: HeightIndex, scrollTop: number, viewport: number, margin: number, follow: boolean, minItems = 1): Range {
  const n = h.length;
  if (n === 0) return { start: 0, end: 0, top: 0, bottom: 0 };
  const total = h.total();
  const last = Math.max(0, total - viewport); // the furthest a scroller can go
  const top = follow ? last : Math.min(last, Math.max(0, scrollTop));
  let start = h.indexAt(top - margin);
  let end = h.indexAt(top + viewport + margin) + 1;
  if (follow) end = n;
  end = Math.min(n, Math.max(end, start + minItems));
  start = Math.max(0, Math.min(start, end - minItems));
  return { start, end, top: h.offsetOf(start), bottom: total - h.offsetOf(end) };
}
