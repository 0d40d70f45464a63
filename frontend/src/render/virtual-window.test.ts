import { describe, expect, it } from 'vitest';
import { HeightIndex, visibleRange } from './virtual-window';

/** The same questions answered by adding up an array. */
function naive(hs: number[]) {
  const offsetOf = (i: number) => hs.slice(0, i).reduce((a, b) => a + b, 0);
  const indexAt = (y: number) => {
    if (y <= 0) return 0;
    let acc = 0;
    for (let i = 0; i < hs.length; i++) {
      acc += hs[i]!;
      if (acc > y) return i;
    }
    return hs.length - 1;
  };
  return { offsetOf, indexAt };
}

describe('HeightIndex', () => {
  it('answers as a plain sum does, through growth and measurements', () => {
    const h = new HeightIndex(100);
    const hs: number[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 40; round++) {
      const grow = Math.floor(rand() * 50);
      h.resize(h.length + grow);
      for (let k = 0; k < grow; k++) hs.push(100);
      for (let k = 0; k < 20 && hs.length > 0; k++) {
        const i = Math.floor(rand() * hs.length);
        const v = 10 + Math.floor(rand() * 400);
        h.set(i, v);
        hs[i] = v;
      }
      const n = naive(hs);
      for (const i of [0, 1, Math.floor(hs.length / 2), hs.length]) expect(h.offsetOf(i)).toBe(n.offsetOf(i));
      expect(h.total()).toBe(n.offsetOf(hs.length));
      for (const y of [-5, 0, 1, 99, 100, 101, 5000, h.total() - 1, h.total() + 50]) expect(h.indexAt(y)).toBe(n.indexAt(y));
    }
  });

  it('shrinks (a reset transcript) and keeps the heights it keeps', () => {
    const h = new HeightIndex(50);
    h.resize(5);
    h.set(1, 10);
    h.resize(2);
    expect(h.length).toBe(2);
    expect(h.total()).toBe(60);
    h.resize(0);
    expect(h.total()).toBe(0);
    expect(h.indexAt(10)).toBe(0);
  });

  it('set reports whether anything changed and ignores indexes out of range', () => {
    const h = new HeightIndex(50);
    h.resize(3);
    expect(h.set(0, 50)).toBe(false);
    expect(h.set(0, 60)).toBe(true);
    expect(h.set(3, 60)).toBe(false);
    expect(h.total()).toBe(160);
  });
});

describe('visibleRange', () => {
  const tenThousand = () => {
    const h = new HeightIndex(100);
    h.resize(10_000);
    return h;
  };
  const cases = [
    { name: 'empty list', n: 0, scrollTop: 0, follow: false, want: { start: 0, end: 0, top: 0, bottom: 0 } },
    { name: 'top of a long list', n: 10_000, scrollTop: 0, follow: false, want: { start: 0, end: 11, top: 0, bottom: 998_900 } },
    { name: 'middle, with the margin both ways', n: 10_000, scrollTop: 500_000, follow: false, want: { start: 4998, end: 5011, top: 499_800, bottom: 498_900 } },
    { name: 'following: the end, whatever scrollTop says', n: 10_000, scrollTop: 0, follow: true, want: { start: 9990, end: 10_000, top: 999_000, bottom: 0 } },
    { name: 'past the end clamps to the last screen', n: 10_000, scrollTop: 5_000_000, follow: false, want: { start: 9990, end: 10_000, top: 999_000, bottom: 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = c.n ? tenThousand() : new HeightIndex(100);
      expect(visibleRange(h, c.scrollTop, 800, 200, c.follow)).toEqual(c.want);
    });
  }

  it('renders at least minItems', () => {
    const h = tenThousand();
    h.set(9999, 5000); // one very tall item at the bottom
    const r = visibleRange(h, 0, 800, 0, true, 3);
    expect(r.end - r.start).toBeGreaterThanOrEqual(3);
    expect(r.end).toBe(10_000);
  });

  it('keeps the spacers and the rendered items adding up to the whole height', () => {
    const h = tenThousand();
    for (let i = 0; i < 10_000; i += 7) h.set(i, 37 + (i % 300));
    for (const top of [0, 12_345, 400_000, h.total() - 800]) {
      const r = visibleRange(h, top, 800, 400, false);
      let rendered = 0;
      for (let i = r.start; i < r.end; i++) rendered += h.get(i);
      expect(r.top + rendered + r.bottom).toBe(h.total());
      expect(r.top).toBeLessThanOrEqual(Math.max(0, top - 400));
      expect(r.top + rendered).toBeGreaterThanOrEqual(Math.min(h.total(), top + 800 + 400));
    }
  });
});
