// Clicks that overtake keys. WebKitGTK, loaded, takes keys slower than they are typed and
// queues keys and clicks apart: a click on a form's button can reach the page before the
// last keys typed into a field. The button the click focused then took those keys, which
// were lost, and the form was read without them (a window tester's Create ran with "/tm"
// of "/tmp/t2/ws2"). A form that reads its fields on a click keeps the focus in the field
// typed in (keepFocus on the button's mousedown), so that the keys still on their way land
// there, and reads the fields only once the typing has settled (Typing.whenSettled).

/** How long a form must have taken no typing before a click reads it. */
export const SETTLE_MS = 300;
/** The longest a click waits for the typing to settle. */
export const SETTLE_MAX_MS = 2000;

/** When a form was last typed in, and a click's wait for the typing to settle. */
export class Typing {
  /** When the form last took typing (performance.now()). */
  #last = -Infinity;
  #waiting = false;

  /** Notes typing: give it the form's input and change events. */
  readonly typed = (): void => {
    this.#last = performance.now();
  };

  /** Whether a click waits for the typing to settle. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /**
   * Runs act once the form has taken no typing for SETTLE_MS (at most SETTLE_MAX_MS), so
   * that it reads the keys typed before the click that are still on their way. At once
   * when nothing was typed just before. A click while one waits does nothing (the same
   * act would run twice): false then, else act's result. (Not named then: that made every
   * Typing a thenable, which an await would have called with its resolve.)
   */
  async whenSettled<T>(act: () => T | Promise<T>): Promise<T | false> {
    if (this.#waiting) return false;
    this.#waiting = true;
    try {
      const start = performance.now();
      for (;;) {
        const now = performance.now();
        const quiet = now - this.#last;
        if (quiet >= SETTLE_MS || now - start >= SETTLE_MAX_MS) break;
        await new Promise((r) => setTimeout(r, SETTLE_MS - quiet));
      }
    } finally {
      this.#waiting = false;
    }
    return act();
  }
}

/**
 * A button's mousedown that leaves the focus where it is: keys typed just before the click,
 * still on their way, reach the field typed in rather than the button (Chromium and WebKit
 * focus a button pressed), and the form waits for them (Typing.whenSettled).
 */
export function keepFocus(e: MouseEvent): void {
  e.preventDefault();
}
