// Small inline icons (stroke style, 16px, currentColor), drawn for this app.

import { svg, type SVGTemplateResult } from 'lit';

const wrap = (body: SVGTemplateResult, size = 16) => svg`<svg width=${size} height=${size} viewBox="0 0 16 16" fill="none"
  stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

export const iconGear = () => wrap(svg`<circle cx="8" cy="8" r="2.2"/><path d="M8 1.5v1.8M8 12.7v1.8M1.5 8h1.8M12.7 8h1.8M3.4 3.4l1.3 1.3M11.3 11.3l1.3 1.3M3.4 12.6l1.3-1.3M11.3 4.7l1.3-1.3"/>`);
export const iconFolder = () => wrap(svg`<path d="M1.8 4.2c0-.7.5-1.2 1.2-1.2h3l1.5 1.6H13c.7 0 1.2.5 1.2 1.2v6.4c0 .7-.5 1.2-1.2 1.2H3c-.7 0-1.2-.5-1.2-1.2z"/>`);
export const iconCopy = () => wrap(svg`<rect x="5.2" y="5.2" width="8.3" height="8.3" rx="1.5"/><path d="M10.8 5.2V3.7c0-.7-.5-1.2-1.2-1.2H3.7c-.7 0-1.2.5-1.2 1.2v5.9c0 .7.5 1.2 1.2 1.2h1.5"/>`);
export const iconCheck = () => wrap(svg`<path d="M3 8.5l3.2 3L13 4.5"/>`);
export const iconX = () => wrap(svg`<path d="M4 4l8 8M12 4l-8 8"/>`);
export const iconSend = () => wrap(svg`<path d="M2.5 8h10M8.5 3.5L13 8l-4.5 4.5"/>`);
export const iconAlert = () => wrap(svg`<path d="M8 1.8l6.5 11.4H1.5z"/><path d="M8 6.3v3.2M8 11.4v.1"/>`);
export const iconInfo = () => wrap(svg`<circle cx="8" cy="8" r="6.3"/><path d="M8 7.3v4M8 4.8v.1"/>`);
export const iconUsers = () => wrap(svg`<circle cx="6" cy="5.5" r="2.3"/><path d="M1.8 13.3c.4-2.3 2.2-3.6 4.2-3.6s3.8 1.3 4.2 3.6"/><path d="M10.5 3.4a2.3 2.3 0 010 4.3M12 9.9c1.2.5 2 1.6 2.2 3.4"/>`);
export const iconLink = () => wrap(svg`<path d="M6.8 9.2a2.8 2.8 0 004 0l2.1-2.1a2.8 2.8 0 00-4-4l-.9.9"/><path d="M9.2 6.8a2.8 2.8 0 00-4 0L3.1 8.9a2.8 2.8 0 004 4l.9-.9"/>`);
export const iconChevron = () => wrap(svg`<path d="M6 4l4 4-4 4"/>`);
export const iconArrowDown = () => wrap(svg`<path d="M8 2.5v11M3.5 9L8 13.5 12.5 9"/>`);
export const iconTool = () => wrap(svg`<path d="M10.2 2.3a3.3 3.3 0 00-3.9 4.3L2.4 10.5a1.5 1.5 0 002.1 2.1l3.9-3.9a3.3 3.3 0 004.3-3.9l-2 2-1.8-.4-.4-1.8z"/>`, 14);
export const iconMerge = () => wrap(svg`<circle cx="4" cy="3.5" r="1.5"/><circle cx="4" cy="12.5" r="1.5"/><circle cx="12" cy="8" r="1.5"/><path d="M4 5v6M4 5c0 3 3 3 6.5 3"/>`, 14);
export const iconDoor = () => wrap(svg`<path d="M9.5 2.5H4c-.6 0-1 .4-1 1v9c0 .6.4 1 1 1h5.5"/><path d="M7 8h7M11.5 5.5L14 8l-2.5 2.5"/>`);
export const iconStop = () => wrap(svg`<rect x="3.5" y="3.5" width="9" height="9" rx="1.5"/>`);
export const iconSearch = () => wrap(svg`<circle cx="7" cy="7" r="4.3"/><path d="M10.2 10.2l3.6 3.6"/>`);
export const iconPencil = () => wrap(svg`<path d="M10.8 2.7l2.5 2.5-7.8 7.8H3v-2.5z"/><path d="M9.2 4.3l2.5 2.5"/>`);
export const iconArrowUp = () => wrap(svg`<path d="M8 13.5v-11M3.5 7L8 2.5 12.5 7"/>`);

/** The brand mark: three strands meeting. */
export const logo = (size = 22) => svg`<svg width=${size} height=${size} viewBox="0 0 24 24" aria-hidden="true">
  <defs><linearGradient id="cg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#8b96ff"/><stop offset="1" stop-color="#c56cf0"/></linearGradient></defs>
  <rect width="24" height="24" rx="6" fill="url(#cg)"/>
  <g fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round">
    <path d="M5.5 7.5c4 0 4 4.5 6.5 4.5M5.5 16.5c4 0 4-4.5 6.5-4.5M12 12h6.5"/>
  </g>
  <circle cx="12" cy="12" r="1.6" fill="#fff"/>
</svg>`;
