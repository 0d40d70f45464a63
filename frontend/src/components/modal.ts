// Shared styles and keyboard handling for in-page modal dialogs (join, settings, confirm).

import { css } from 'lit';

export const modalStyles = css`
  /*
   * The dialog is never taller than the window: its height is a share of the backdrop's
   * (fixed over the whole window), its body scrolls, its header and footer stay in view
   * down to 640×480. No 100vh nor @media here: WebKitGTK kept those at the size a dialog was
   * first shown at, and a Settings opened at 1180×720 came back 672 px tall at 800×600
   * (viewport.ts). The margin is a share of the window's width: 12 px at 640, 24 from 1200.
   */
  .backdrop {
    position: fixed; inset: 0; z-index: 40;
    background: rgba(8, 10, 16, 0.55);
    backdrop-filter: blur(2px);
    display: flex; align-items: center; justify-content: center;
    padding: clamp(12px, 2%, 24px);
    animation: fade 0.15s ease-out;
  }
  .dialog {
    width: min(520px, 100%);
    max-height: 100%;
    min-height: 0;
    display: flex;
    flex-direction: column;
    overflow: hidden;
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: 14px;
    box-shadow: var(--shadow-lg);
    animation: pop 0.16s ease-out;
  }
  .dialog > header { flex: none; display: flex; align-items: center; gap: 10px; padding: 16px 20px 6px; }
  .dialog > header h2 { font-size: calc(17px * var(--zoom, 1)); flex: 1; min-width: 0; overflow-wrap: anywhere; }
  .dialog .body { padding: 10px 20px 4px; display: grid; gap: 16px; overflow-y: auto; min-height: 0; flex: 1 1 auto; }
  /* Buttons that do not fit side by side go on rows of their own, never cut: at 800 px
     "Remove and make new invites" squeezed the other to "Keep b…" (a window tester's). */
  .dialog > footer { flex: none; border-top: 1px solid transparent; display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 8px; padding: 14px 20px 16px; }
  @keyframes fade { from { opacity: 0; } }
  @keyframes pop { from { transform: translateY(8px) scale(0.98); opacity: 0; } }
`;

/** What Tab stops at in a dialog: its enabled controls that show. */
const TABBABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside a modal dialog (aria-modal; its keydown handler): from its last
 * control to its first and back. A window tester's Shift+Tab from Settings' × went to the
 * page behind the dialog, a stop with no focus ring, before coming round to Save.
 */
export function trapTab(e: KeyboardEvent): void {
  const dialog = e.currentTarget as HTMLElement | null;
  // WebKitGTK names Shift+Tab "Unidentified" (X's ISO_Left_Tab): its code is still Tab (a
  // window tester's Shift+Tab from Settings' × left the dialog in the real window only).
  const tab = e.key === 'Tab' || e.code === 'Tab';
  if (!tab || dialog?.getAttribute('aria-modal') !== 'true') return; // an inline question is no trap
  const items = [...dialog.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && (el.checkVisibility?.() ?? true),
  );
  if (items.length === 0) return;
  const at = (dialog.getRootNode() as ShadowRoot | Document).activeElement;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (e.shiftKey && (at === first || !dialog.contains(at))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (at === last || !dialog.contains(at))) {
    e.preventDefault();
    first.focus();
  }
}
