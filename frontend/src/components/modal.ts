// Shared styles for in-page modal dialogs (join, settings, confirm).

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
  .dialog > header h2 { font-size: 17px; flex: 1; min-width: 0; overflow-wrap: anywhere; }
  .dialog .body { padding: 10px 20px 4px; display: grid; gap: 16px; overflow-y: auto; min-height: 0; flex: 1 1 auto; }
  .dialog > footer { flex: none; border-top: 1px solid transparent; display: flex; justify-content: flex-end; gap: 8px; padding: 14px 20px 16px; }
  @keyframes fade { from { opacity: 0; } }
  @keyframes pop { from { transform: translateY(8px) scale(0.98); opacity: 0; } }
`;
