// What the prompt box holds unsent, kept in Go's memory as it is typed, so that a page
// loaded again while the window is in a party (its web process crashed) gives it back:
// the reload took a half-written prompt with it (the last note's Left).

/**
 * How often the draft is kept while it changes: at most once per this, not once per key
 * (the first change starts the wait; those during it go with it). Not after a pause: a
 * crash in the middle of steady typing would have lost all of it.
 */
export const DRAFT_KEEP_MS = 300;

/** The prompt box's unsent text, kept in Go at most every DRAFT_KEEP_MS while it changes, and given back once after a reload. */
export class Draft {
  readonly #keep: (text: string) => Promise<void>;
  #text = '';
  #kept = '';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #restored: string | null = null;

  constructor(keep: (text: string) => Promise<void>) {
    this.#keep = keep;
  }

  /** What the box holds and has not sent. */
  get text(): string {
    return this.#text;
  }

  /** The box's text changed (typed, sent, refilled): kept within DRAFT_KEEP_MS. */
  set text(t: string) {
    if (t === this.#text) return;
    this.#text = t;
    if (t === '') {
      // Emptied (sent, most often): kept at once, or a reload within the wait put the
      // prompt just sent back in the box, to be sent twice (a window tester's).
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#flush();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, DRAFT_KEEP_MS);
  }

  /** A page loaded again into its party: Go kept text, which the box takes once (takeRestored). */
  restore(text: string): void {
    this.#text = this.#kept = text;
    this.#restored = text === '' ? null : text;
  }

  /** The text a reload brought back, once; null when none (or taken). */
  takeRestored(): string | null {
    const t = this.#restored;
    this.#restored = null;
    return t;
  }

  /** Stops the pending keep (the window is going away). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    if (this.#text === this.#kept) return;
    const t = this.#text;
    this.#kept = t;
    this.#keep(t).catch(() => {
      // Best effort: not kept, a reload loses the draft as it did before.
    });
  }
}
