// Shared component styles: controls, cards and text helpers. Colours come from
// the custom properties in global.css, so dark and light need nothing here.

import { css } from 'lit';

/** Base styles every component adopts. */
export const base = css`
  :host { font-family: var(--font-ui); color: var(--text); }
  *, *::before, *::after { box-sizing: border-box; }
  /* The match the find bar shows (render/find-in-dom.ts), in whichever component it is, and its item's other matches. */
  /* The one shown stands out from the others (a tester told them apart by their pixel values only). */
  ::highlight(concordia-find) { background: var(--find); color: var(--text); text-decoration: underline 2px var(--warn); }
  ::highlight(concordia-find-others) { background: var(--find-other); color: var(--text); }
  h1, h2, h3, p { margin: 0; }

  button {
    font: inherit;
    font-weight: 550;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    min-height: 34px;
    padding: 0 14px;
    border-radius: var(--radius-sm);
    border: 1px solid var(--border-strong);
    background: var(--surface);
    color: var(--text);
    cursor: pointer;
    white-space: nowrap;
    transition: background 0.12s, border-color 0.12s, color 0.12s;
  }
  button:hover:not(:disabled) { background: var(--surface-2); }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible,
  .warnbox.confirm button:focus, button.ring:focus {
    /* The last two: buttons the window focuses itself (a question's safe answer, Close after
       "Keep editing"), which WebKitGTK does not count as :focus-visible (a tester saw no ring). */
    outline: 2px solid var(--accent);
    outline-offset: 1px;
  }
  button:disabled { opacity: 0.55; cursor: not-allowed; }
  button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
  button.primary:hover:not(:disabled) { background: var(--accent-hover); border-color: var(--accent-hover); }
  button.danger { color: var(--danger); border-color: color-mix(in srgb, var(--danger) 45%, var(--border)); }
  button.danger:hover:not(:disabled) { background: var(--danger-soft); }
  button.danger.solid { background: var(--danger); color: #fff; border-color: var(--danger); }
  button.ghost { background: transparent; border-color: transparent; color: var(--muted); }
  button.ghost:hover:not(:disabled) { background: var(--surface-2); color: var(--text); }
  button.small { min-height: 28px; padding: 0 10px; font-size: calc(12.5px * var(--zoom, 1)); }
  button.icon { padding: 0; width: 34px; }

  label.field { display: flex; flex-direction: column; gap: 5px; }
  .label { font-size: calc(12.5px * var(--zoom, 1)); font-weight: 600; color: var(--muted); letter-spacing: 0.01em; }
  .hint { font-size: calc(12.5px * var(--zoom, 1)); color: var(--faint); }

  input, select, textarea {
    font: inherit;
    color: var(--text);
    background: var(--surface-2);
    border: 1px solid var(--border);
    border-radius: var(--radius-sm);
    padding: 7px 10px;
    min-height: 34px;
    width: 100%;
  }
  input:hover, select:hover, textarea:hover { border-color: var(--border-strong); }
  input[aria-invalid='true'], textarea[aria-invalid='true'] { border-color: var(--danger); }
  /* A disabled field looks it, as a disabled button does (a key field that cannot be used
     looked like every other one, and typing into it did nothing). */
  input:disabled, select:disabled, textarea:disabled { opacity: 0.55; cursor: not-allowed; }
  input:disabled:hover, select:disabled:hover, textarea:disabled:hover { border-color: var(--border); }
  textarea { resize: vertical; }
  .mono { font-family: var(--font-mono); font-size: calc(12.5px * var(--zoom, 1)); }

  .card {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    box-shadow: var(--shadow);
  }

  .error-text { color: var(--danger); font-size: calc(13px * var(--zoom, 1)); }
  .ok-text { color: var(--ok); font-size: calc(13px * var(--zoom, 1)); }
  .error-box {
    display: flex; gap: 8px; align-items: flex-start;
    background: var(--danger-soft);
    color: var(--danger);
    border: 1px solid color-mix(in srgb, var(--danger) 35%, transparent);
    border-radius: var(--radius-sm);
    padding: 8px 12px;
    font-size: calc(13px * var(--zoom, 1));
    overflow-wrap: anywhere;
  }
  /* The icon keeps its 16 px: a flex item shrinks by default, and beside a long message it
     was squeezed to a few pixels (WebKitGTK, a tester). */
  .error-box svg { margin-top: 1px; flex: none; }
  .warnbox {
    display: flex; gap: 8px; align-items: flex-start; font-size: calc(12.5px * var(--zoom, 1));
    padding: 8px 12px; border-radius: var(--radius-sm);
    background: var(--warn-soft); color: var(--warn);
  }
  .warnbox svg { margin-top: 2px; flex: none; }
  /* A question in a warning box: its sentence, then its buttons on a line of their own. */
  .warnbox.confirm { flex-wrap: wrap; color: var(--text); }
  .warnbox.confirm > span:first-of-type { flex: 1 1 0; min-width: 0; }
  .warnbox.confirm .buttons { flex-basis: 100%; display: flex; gap: 8px; flex-wrap: wrap; padding-left: 24px; }
  label.check { display: flex; gap: 9px; align-items: flex-start; font-size: calc(13px * var(--zoom, 1)); cursor: pointer; }
  label.check input { width: auto; min-height: 0; margin: 2px 0 0; accent-color: var(--accent); }
  .row { display: flex; gap: 8px; align-items: center; }
  .grow { flex: 1; min-width: 0; }

  .spinner {
    width: 14px; height: 14px; flex: none;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin { to { transform: rotate(360deg); } }

  .pill {
    display: inline-flex; align-items: center; gap: 6px;
    font-size: calc(12px * var(--zoom, 1)); font-weight: 600;
    padding: 2px 10px; border-radius: 999px;
    background: var(--surface-2); color: var(--muted);
    border: 1px solid var(--border);
    white-space: nowrap;
  }
  .dot { width: 8px; height: 8px; border-radius: 50%; background: currentColor; flex: none; }
  /* A file's path on one line (splitPath): the folder part gives way first, cut with …; the
     file name stays whole while it fits, and is cut at its end only when it alone does not. */
  .fpath { display: flex; min-width: 0; max-width: 100%; white-space: nowrap; }
  /* Some of the folder stays in view however long the name (a tester's long name hid it,
     and two files of that name in two folders looked the same). */
  .fpath .dir { flex: 0 1 auto; min-width: min(4ch, 40%); overflow: hidden; text-overflow: ellipsis; }
  .fpath .name { flex: 0 0 auto; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** highlight.js token colours (Markdown code blocks, diffs). */
export const codeTokens = css`
      /* highlight.js tokens, light */
      .hljs-keyword, .hljs-selector-tag, .hljs-built_in, .hljs-type { color: #8839ef; }
      .hljs-string, .hljs-attr-value, .hljs-regexp, .hljs-addition { color: #2e7d32; }
      .hljs-number, .hljs-literal, .hljs-symbol { color: #c2410c; }
      .hljs-comment, .hljs-quote { color: #8a93a3; font-style: italic; }
      .hljs-title, .hljs-title.function_, .hljs-section { color: #1d5fd1; }
      .hljs-attr, .hljs-attribute, .hljs-property, .hljs-variable, .hljs-template-variable, .hljs-params { color: #b45309; }
      .hljs-meta, .hljs-tag, .hljs-name { color: #0e7490; }
      .hljs-deletion { color: #cf222e; }
      @media (prefers-color-scheme: dark) {
        .hljs-keyword, .hljs-selector-tag, .hljs-built_in, .hljs-type { color: #c6a0f6; }
        .hljs-string, .hljs-attr-value, .hljs-regexp, .hljs-addition { color: #a6da95; }
        .hljs-number, .hljs-literal, .hljs-symbol { color: #f5a97f; }
        .hljs-comment, .hljs-quote { color: #6e7687; }
        .hljs-title, .hljs-title.function_, .hljs-section { color: #8aadf4; }
        .hljs-attr, .hljs-attribute, .hljs-property, .hljs-variable, .hljs-template-variable, .hljs-params { color: #eed49f; }
        .hljs-meta, .hljs-tag, .hljs-name { color: #8bd5ca; }
        .hljs-deletion { color: #ed8796; }
      }
`;
