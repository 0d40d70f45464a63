// The window's size classes as attributes of a component, for its styles to use instead of
// @media queries, and a way to put the keyboard focus back where a dialog was opened from.
//
// WebKitGTK (2.50, the window's engine) keeps a shadow root's @media results and vh units
// from the size its styles were first resolved at: a Settings dialog first opened in a
// 1180×720 window kept its 720 px height when opened again at 800×600 (its buttons cut),
// and a party screen shown once at full width came back with the wide layout at 800 px
// (a tester; reproduced in MiniBrowser). Attributes set from window.innerWidth and
// innerHeight on every resize are always the window's size (divided by the text size when
// it is larger than usual: layoutSize).

import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Sent on window when the page's text size (--zoom) changed: the size classes are read again. */
export const ZOOM_CHANGE = 'concordia-zoom';

/** The page's text size (the custom property --zoom, state/zoom.ts): 1 at the usual size. */
function zoom(): number {
  const z = parseFloat(document.documentElement.style.getPropertyValue('--zoom'));
  return z > 0 ? z : 1;
}

/**
 * The window's size as the styles break at it: smaller as the text is larger (at 150 % an
 * 800 px window is a 533 px one), so that the header gives up its words and a panel becomes
 * a drawer as in a narrower window (at 150 % a participant's header ran out of an 800 px one).
 * Smaller text leaves it as it is: the panels' widths are in px, and do not shrink with it.
 */
export function layoutSize(): { width: number; height: number } {
  const z = Math.max(1, zoom());
  return { width: window.innerWidth / z, height: window.innerHeight / z };
}

/** The widths and heights the styles break at: a class "ltN" is on while the size is below N. */
const WIDTHS = [1400, 1200, 1100, 900, 760, 720, 520] as const;
const HEIGHTS = [600, 560] as const;

/** The width classes of a window width, e.g. "lt1400 lt1200 lt1100" for 1000 px. */
export function widthClasses(w: number): string {
  return WIDTHS.filter((n) => w < n)
    .map((n) => `lt${n}`)
    .join(' ');
}

/** The height classes of a window height, e.g. "lt600 lt560" for 480 px. */
export function heightClasses(h: number): string {
  return HEIGHTS.filter((n) => h < n)
    .map((n) => `lt${n}`)
    .join(' ');
}

/**
 * Keeps the attributes vw and vh of its host on the window's size classes, e.g.
 * `:host([vw~=lt900])` for a window narrower than 900 px, `:host([vh~=lt600])` for one lower
 * than 600. `changed` is called when a class changes (a breakpoint crossed), not on the first
 * reading.
 */
export class ViewportController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #changed: (() => void) | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement, changed?: () => void) {
    this.#host = host;
    this.#changed = changed;
    host.addController(this);
  }

  /** Whether the window is narrower than `n` px (one of the widths above). */
  below(n: (typeof WIDTHS)[number]): boolean {
    return layoutSize().width < n;
  }

  hostConnected(): void {
    window.addEventListener('resize', this.#read);
    window.addEventListener(ZOOM_CHANGE, this.#read);
    this.#apply();
  }

  hostDisconnected(): void {
    window.removeEventListener('resize', this.#read);
    window.removeEventListener(ZOOM_CHANGE, this.#read);
  }

  readonly #read = (): void => {
    if (this.#apply()) this.#changed?.();
  };

  /** Sets the attributes; true when one changed. */
  #apply(): boolean {
    const { width, height } = layoutSize();
    const vw = widthClasses(width);
    const vh = heightClasses(height);
    const el = this.#host;
    const changed = el.getAttribute('vw') !== vw || el.getAttribute('vh') !== vh;
    if (el.getAttribute('vw') !== vw) el.setAttribute('vw', vw);
    if (el.getAttribute('vh') !== vh) el.setAttribute('vh', vh);
    return changed;
  }
}

/** The element that has the keyboard focus, inside shadow roots too (null for none or the body). */
export function focusedElement(): HTMLElement | null {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement && el !== document.body ? el : null;
}

/**
 * Remembers the control that had the focus as a dialog opened, to give it back when the
 * dialog closes (Tab went on from the top of the window instead, a tester's). Nothing is
 * given back when that control is gone (the party it belonged to ended, say) or when the
 * focus went somewhere else of its own meanwhile (outside the closing dialog).
 */
export class FocusReturn {
  #opener: HTMLElement | null = null;

  /** A dialog opens: the focused control is its opener. */
  opened(): void {
    this.#opener = focusedElement();
  }

  /** The dialog closed: the focus goes back to its opener when it can. */
  closed(): void {
    const el = this.#opener;
    this.#opener = null;
    if (!el || !el.isConnected) return;
    const now = focusedElement();
    if (now && now !== el && now.isConnected) return; // moved on by the person or the page
    el.focus();
  }
}
