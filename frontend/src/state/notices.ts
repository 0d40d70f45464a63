// The window's toasts: short messages for people. AppState owns one Notices and calls
// notify(); components render `list` and call dismiss(), pause() and resume().
//
// - info toasts go away by themselves after INFO_MS (the timer stops while the pointer is
//   on them: pause/resume); errors stay until dismissed, so they can be read.
// - a toast raised while in a party belongs to that party (scope 'party') and is dropped
//   when the party is left for home or another one starts; app-level ones ('app': settings,
//   the folder dialog, "leave this party first") stay.

/** A message for people. */
export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** 'party': dropped with the party it came from; 'app': kept across parties. */
  scope: 'party' | 'app';
}

/** What the Go side's sentence for a call made while not connected says (app/errors.go, ErrNotConnected). */
export const OFFLINE_WORDS = 'Concordia is reconnecting';

/** How long an info toast stays (ms), unless the pointer rests on it. */
export const INFO_MS = 6000;

/** Timer functions, replaceable in tests (vitest's fake timers also work). */
export interface NoticeTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: NoticeTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The toasts, oldest first. */
export class Notices {
  list: readonly Notice[] = [];
  readonly #changed: () => void;
  readonly #timers: NoticeTimers;
  readonly #infoMs: number;
  #seq = 0;
  /** Info notices' dismiss timers, by id (none while paused). */
  readonly #pending = new Map<number, unknown>();
  #paused = false;

  constructor(changed: () => void, opts: { timers?: NoticeTimers; infoMs?: number } = {}) {
    this.#changed = changed;
    this.#timers = opts.timers ?? realTimers;
    this.#infoMs = opts.infoMs ?? INFO_MS;
  }

  /** Shows a message; an info one dismisses itself. Returns its id. */
  add(kind: Notice['kind'], text: string, scope: Notice['scope']): number {
    const id = ++this.#seq;
    this.list = [...this.list, { id, kind, text, scope }];
    if (kind === 'info' && !this.#paused) this.#arm(id);
    this.#changed();
    return id;
  }

  /** Removes a notice. */
  dismiss(id: number): void {
    this.#disarm(id);
    const next = this.list.filter((n) => n.id !== id);
    if (next.length === this.list.length) return;
    this.list = next;
    this.#changed();
  }

  /**
   * Drops the party's notices that said it was not connected ("…; Concordia is
   * reconnecting. Try again in a moment.", app/errors.go): once it is connected again they
   * are stale (a tester's stayed up after the reconnect, beside a party that worked).
   */
  dropOffline(): void {
    const stale = this.list.filter((n) => n.scope === 'party' && n.text.includes(OFFLINE_WORDS));
    for (const n of stale) this.dismiss(n.id);
  }

  /** Drops every notice of the party (it was left, or another one starts). */
  dropParty(): void {
    const next = this.list.filter((n) => n.scope !== 'party');
    if (next.length === this.list.length) return;
    for (const n of this.list) if (n.scope === 'party') this.#disarm(n.id);
    this.list = next;
    this.#changed();
  }

  /** Stops the info toasts' timers (the pointer is on them). */
  pause(): void {
    this.#paused = true;
    for (const id of [...this.#pending.keys()]) this.#disarm(id);
  }

  /** Restarts the info toasts' timers, each with the full time again. */
  resume(): void {
    this.#paused = false;
    for (const n of this.list) if (n.kind === 'info' && !this.#pending.has(n.id)) this.#arm(n.id);
  }

  /** Cancels every timer (the window goes away). */
  dispose(): void {
    for (const id of [...this.#pending.keys()]) this.#disarm(id);
  }

  #arm(id: number): void {
    this.#pending.set(
      id,
      this.#timers.set(() => {
        this.#pending.delete(id);
        this.dismiss(id);
      }, this.#infoMs),
    );
  }

  #disarm(id: number): void {
    const h = this.#pending.get(id);
    if (h === undefined) return;
    this.#timers.clear(h);
    this.#pending.delete(id);
  }
}
