// The Create party form's error, kept honest: after a start that failed because of the
// form (a Claude Code path that is not found, a folder that does not exist), each edit
// re-checks the form with Go's CheckCreate after a short pause, and the error follows:
// the current problem, or none once the field is fixed. An error the form cannot fix (the
// listen address in use) stays until the next try.

import type { CreateRequest } from './types';
import { permissionTimeoutProblem } from './settings';

/** A problem the window finds in the form itself, before asking Go; "" when none. */
/** Create party with no display name (the Join dialog's words, and "display name" for errorField). */
export const NAME_NEEDED = 'Type the display name the others will see you by.';

export function localCreateProblem(req: CreateRequest): string {
  // Go falls back to the saved name (the CLI's default), but the window says so instead: a
  // window tester's cleared name started the party under the old one without a word.
  if (req.name.trim() === '') return NAME_NEEDED;
  // The words and bounds of Go's settings.CheckWindow, so the message stays the same
  // whichever side finds it.
  if (!Number.isFinite(req.window_ms) || req.window_ms < 100 || req.window_ms > 600_000) {
    return 'The batching window must be between 0.1 and 600 seconds.';
  }
  // Left out, Go takes the saved setting; the form always sends what its field says (an
  // emptied field, NaN, or 0 is a problem here, not the saved setting unasked).
  if (req.permission_timeout_ms !== undefined) return permissionTimeoutProblem(req.permission_timeout_ms);
  return '';
}

export class CreateFormCheck {
  readonly #check: (req: CreateRequest) => Promise<string>;
  readonly #show: (problem: string) => void;
  readonly #delayMs: number;
  #armed = false;
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** check asks Go (CheckCreate); show puts the problem ("" = none) on the form. */
  constructor(check: (req: CreateRequest) => Promise<string>, show: (problem: string) => void, delayMs = 300) {
    this.#check = check;
    this.#show = show;
    this.#delayMs = delayMs;
  }

  /** Whether edits re-check the form (its error is the form's own). */
  get armed(): boolean {
    return this.#armed;
  }

  /** A start with req failed: re-check on edit when the form itself is at fault. */
  async failed(req: CreateRequest): Promise<void> {
    this.#stop();
    const seq = this.#seq;
    const problem = await this.#problem(req);
    if (seq === this.#seq) this.#armed = problem !== '';
  }

  /** The form is now req (a field was edited). */
  edited(req: CreateRequest): void {
    if (!this.#armed) return;
    this.#stop();
    const seq = this.#seq;
    this.#timer = setTimeout(() => {
      void this.#problem(req).then((problem) => {
        if (seq !== this.#seq) return; // edited again meanwhile
        this.#show(problem);
        if (problem === '') this.#armed = false;
      });
    }, this.#delayMs);
  }

  /** Forgets the error (a new try, a party started, the window is going away). */
  reset(): void {
    this.#stop();
    this.#armed = false;
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#seq++;
  }

  async #problem(req: CreateRequest): Promise<string> {
    const local = localCreateProblem(req);
    if (local) return local;
    try {
      return await this.#check(req);
    } catch {
      return ''; // no answer is no reason to keep an error or make a new one
    }
  }
}
