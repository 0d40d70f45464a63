// What the transcript shows beyond its first look: a turn's changed files past the first
// TURN_FILES_SHOWN ("and N more"), a tool step's whole output ("Show more"). Find counts
// what is shown (transcript-search.ts), so what is open is the state's, not the drawing
// components': the count said "2 of 40" where the page marked 45 (a tester's). And it
// stays as the person left it when a card scrolls out of view and back. No calls into Go.

/** A tool step, by its turn item's key, its segment's index in the turn, and its index among the segment's steps. */
export function stepKey(item: string, segment: number, step: number): string {
  return `${item}/${segment}/${step}`;
}

/** What a search asks of what is shown (ShownMore, or NOTHING_MORE). */
export interface Shown {
  /** Rises with each change: texts counted before are stale. */
  readonly version: number;
  /** The turn's files are all listed (up to TURN_FILES_OPEN). */
  filesOpen(item: string): boolean;
  /** The tool step's whole output is shown (stepKey). */
  outputAll(step: string): boolean;
  /** Anything of the item's is shown more than at first. */
  anyOf(item: string): boolean;
}

/** Nothing shown beyond the first look. */
export const NOTHING_MORE: Shown = { version: 0, filesOpen: () => false, outputAll: () => false, anyOf: () => false };

export class ShownMore implements Shown {
  version = 0;
  readonly #files = new Set<string>();
  readonly #steps = new Set<string>();
  /** Item key → how many times what it shows changed (its card's re-render depends on it). */
  readonly #of = new Map<string, number>();
  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  filesOpen(item: string): boolean {
    return this.#files.has(item);
  }

  outputAll(step: string): boolean {
    return this.#steps.has(step);
  }

  anyOf(item: string): boolean {
    return this.#of.has(item);
  }

  /** How many times what the item shows changed (0: never). */
  of(item: string): number {
    return this.#of.get(item) ?? 0;
  }

  /** Lists all of a turn's files ("and N more"), or the first ones again ("show fewer"). */
  setFilesOpen(item: string, open: boolean): void {
    if (open === this.#files.has(item)) return;
    if (open) this.#files.add(item);
    else this.#files.delete(item);
    this.#bump(item);
  }

  /** Shows a tool step's whole output ("Show more"), of the turn item's. */
  showAllOutput(item: string, step: string): void {
    if (this.#steps.has(step)) return;
    this.#steps.add(step);
    this.#bump(item);
  }

  /** A new party, or a transcript read anew: item keys (seqs) may name other items now. */
  clear(): void {
    if (this.#of.size === 0) return;
    this.#files.clear();
    this.#steps.clear();
    this.#of.clear();
    this.version++;
  }

  #bump(item: string): void {
    this.#of.set(item, this.of(item) + 1);
    this.version++;
    this.#changed();
  }
}
