// Shared styles for in-page modal dialogs (join, settings, confirm).

import { css } from 'lit';

export const modalStyles = css`
  .backdrop {
    position: fixed; inset: 0; z-index: 40;
    background: rgba(8, 10, 16, 0.55);
    backdrop-filter: blur(2px);
    display: grid; place-items: center;
    padding: 24px;
    animation: fade 0.15s ease-out;
  }
  .dialog {
    width: min(520px, 100%);
    max-height: calc(100vh - 48px);
    display: flex;
    flex-direction: column;
    overflow: hidden;
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: 14px;
    box-shadow: var(--shadow-lg);
    animation: pop 0.16s ease-out;
  }
  .dialog > header { display: flex; align-items: center; gap: 10px; padding: 18px 20px 6px; }
  .dialog > header h2 { font-size: 17px; flex: 1; }
  .dialog .body { padding: 10px 20px 4px; display: grid; gap: 16px; overflow-y: auto; min-height: 0; flex: 1 1 auto; }
  .dialog > footer { flex: none; border-top: 1px solid transparent; display: flex; justify-content: flex-end; gap: 8px; padding: 16px 20px 18px; }
  /* Small windows (640×480): less margin, so a dialog keeps its footer in view and its body scrolls. */
  @media (max-width: 719px), (max-height: 599px) {
    .backdrop { padding: 12px; }
    .dialog { max-height: calc(100vh - 24px); }
    .dialog > header { padding: 14px 16px 4px; }
    .dialog .body { padding: 8px 16px 4px; }
    .dialog > footer { padding: 12px 16px 14px; }
  }
  @keyframes fade { from { opacity: 0; } }
  @keyframes pop { from { transform: translateY(8px) scale(0.98); opacity: 0; } }
`;
