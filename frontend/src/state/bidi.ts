// Bidirectional-text controls (overrides, embeddings, isolates, marks) in what peers send
// can make text read otherwise than it is: "\u202Etxt.exe" shows as "exe.txt", and code in a
// diff can read differently from what a compiler sees. The terminal drops them (Go's
// term.Clean). The window drops them from what peers say (events, a party's state and
// history, refusals: a tester's "…\u202Ereversed\u202C…" showed reversed, and reordered the
// text around it), and shows them, visibly, where they are part of a name or of code: file
// paths, which the window hands back to Go to open (a reviewer's: a path stripped of one
// could never be opened), and diffs, where dropping them would hide the trick.

const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Keys whose values are kept as they are: file paths and folders, handed back to Go. */
const KEPT = new Set(['path', 'from', 'workdir']);

/** s without bidi controls. */
export function stripBidi(s: string): string {
  return s.replace(BIDI_CONTROLS, '');
}

/** s with each bidi control shown as what it is ("[U+202E]"), for a path or a diff. */
export function showBidi(s: string): string {
  return s.replace(BIDI_CONTROLS, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/**
 * v with every string in it (plain objects' values and keys, array items; an Error's
 * message) without bidi controls, but for the values of the KEPT keys. Values that hold
 * none are returned as they are, not copied.
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
  if (v instanceof Error) {
    const m = clean(v.message) as string;
    return m === v.message ? v : new Error(m);
  }
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k in o) {
      const x = o[k];
      if (KEPT.has(k)) continue;
      const ck = clean(k) as string;
      const cx = clean(x);
      if (ck !== k || cx !== x) {
        out ??= { ...o };
        if (ck !== k) delete out[k];
        out[ck] = cx;
      }
    }
    return out ?? v;
  }
  return v;
}
