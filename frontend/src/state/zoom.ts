// The window's text size (Settings.zoom, saved by Go's SetZoom): the sizes it steps through
// and the keys that change it. Pure: AppState owns the size and the call into Go, and
// <concordia-app> applies it as the --zoom custom property, which every font size is
// multiplied by (a text zoom, not a page zoom: CSS zoom measures differently in WebKit and
// Chromium, and the window's code measures the layout).

/** The sizes Ctrl+plus and Ctrl+minus step through, in percent (Go: settings.MinZoom to MaxZoom). */
export const ZOOM_STEPS = [80, 90, 100, 110, 125, 150] as const;
/** The usual size (Ctrl+0). */
export const DEFAULT_ZOOM = 100;
export const MIN_ZOOM = ZOOM_STEPS[0];
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1]!;

/** The next size from percent one step larger (dir 1) or smaller (-1), kept within the steps. */
export function zoomStep(percent: number, dir: 1 | -1): number {
  if (dir > 0) return ZOOM_STEPS.find((z) => z > percent) ?? MAX_ZOOM;
  return [...ZOOM_STEPS].reverse().find((z) => z < percent) ?? MIN_ZOOM;
}

/** A size as Go keeps it: whole, within MIN_ZOOM and MAX_ZOOM (the usual size for nonsense). */
export function clampZoom(percent: number): number {
  if (!Number.isFinite(percent) || percent <= 0) return DEFAULT_ZOOM;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(percent)));
}

/**
 * What a key press does to the text size: 1 larger (Ctrl with + or =, the key + shares on
 * most layouts), -1 smaller (Ctrl with - or _), 0 the usual size (Ctrl+0), null nothing.
 * Cmd on macOS; not with Alt (AltGr on some layouts).
 */
export function zoomKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): 1 | -1 | 0 | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  switch (e.key) {
    case '+':
    case '=':
      return 1;
    case '-':
    case '_':
      return -1;
    case '0':
      return 0;
    default:
      return null;
  }
}
