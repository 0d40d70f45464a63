// Bidirectional-text controls (overrides, embeddings, isolates, marks) in what peers send
// can make text read otherwise than it is: "‮txt.exe" shows as "exe.txt", and code in a
// diff can read differently from what a compiler sees. The terminal drops them (Go's
// term.Clean); the window does too, for everything that comes from Go (a tester's
// "…‮reversed‬…" showed reversed, and reordered the text around it).

const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** s without bidi controls. */
export function stripBidi(s: string): string {
  return s.replace(BIDI_CONTROLS, '');
}

/**
 * v with every string in it (object values and keys, array items) without bidi controls.
 * Values that hold none are returned as they are, not copied.
 */
export function withoutBidi<T>(v: T): T {
  return clean(v) as T;
}

function clean(v: unknown): unknown {
  if (typeof v === 'string') {
    BIDI_CONTROLS.lastIndex = 0;
    return BIDI_CONTROLS.test(v) ? stripBidi(v) : v;
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = clean(v[i]);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  if (v !== null && typeof v === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const ck = clean(k) as string;
      const cx = clean(x);
      if (ck !== k || cx !== x) {
        out ??= { ...(v as Record<string, unknown>) };
        if (ck !== k) delete out[k];
        out[ck] = cx;
      }
    }
    return out ?? v;
  }
  return v;
}
