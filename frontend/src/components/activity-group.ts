// <activity-group>: a turn's output other than the reply, as one collapsible group.
// - Tool lines: "N tool steps — the last call", and how many of them failed. Opened, each step shows its call (long
//   lines wrap) and expands on click to its output (the tool's own output when the host
//   sent it as tool_output, else the result's summary line), bounded to OUTPUT_LINES lines
//   or OUTPUT_BYTES characters with "Show more" for the rest.
// - The agent's stderr: labelled "stderr", its lines as they came.
// Agent output is untrusted: text nodes only, never HTML.

import { LitElement, css, html, nothing } from 'lit';
import { toolSteps, type ActivitySegment, type ToolStep } from '../state/transcript';
import { boundOutput } from '../state/shown-words';
import { NOTHING_MORE, stepKey, type ShownMore } from '../state/shown-more';
import { base } from './styles';
import { iconAlert, iconChevron, iconTool } from './icons';

export { OUTPUT_LINES, OUTPUT_BYTES, boundOutput } from '../state/shown-words';

/** <tool-step>: one call and its output; all of it once "Show more" asked (more.showAllOutput). */
export class ToolStepView extends LitElement {
  static override properties = { step: { attribute: false }, all: { type: Boolean }, more: { attribute: false } };
  declare step: ToolStep | undefined;
  /** The whole output is shown. */
  declare all: boolean;
  /** Called by "Show more". */
  declare more: (() => void) | undefined;

  constructor() {
    super();
    this.all = false;
  }

  static override styles = [
    base,
    css`
      :host { display: block; font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); }
      details { border-radius: var(--radius-sm); }
      summary, .row { list-style: none; display: flex; gap: 6px; align-items: flex-start; padding: 2px 0; }
      summary { cursor: pointer; }
      summary::-webkit-details-marker { display: none; }
      .chev { display: inline-flex; transition: transform 0.15s; margin-top: 1px; color: var(--faint); }
      details[open] > summary .chev { transform: rotate(90deg); }
      .call { flex: 1; min-width: 0; white-space: pre-wrap; overflow-wrap: anywhere; color: var(--muted); }
      .failed { flex: none; padding: 0 6px; border-radius: 999px; font-family: var(--font-ui); font-size: calc(11px * var(--zoom, 1)); background: var(--danger-soft); color: var(--danger); }
      .failed.denied { background: var(--warn-soft); color: var(--warn); }
      .failed.cancelled { background: var(--surface-2); color: var(--muted); }
      .nochev { visibility: hidden; }
      pre {
        margin: 2px 0 6px 20px; padding: 6px 8px; border-radius: var(--radius-sm); background: var(--surface);
        border: 1px solid var(--border); white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; color: var(--muted);
        max-height: 480px; overflow-y: auto;
      }
      .more { margin: 0 0 6px 20px; font-family: var(--font-ui); }
    `,
  ];

  override render() {
    const st = this.step;
    if (!st) return nothing;
    const call = st.call || '(output)';
    // A denied request's step did not fail: its row says so as the turn's end does (a user
    // tester read "failed" beside "Done — 1 denied").
    const failed = st.failed
      ? html`<span class="failed" data-testid="tool-step-failed">failed</span>`
      : st.denied
        ? html`<span class="failed denied" data-testid="tool-step-denied">denied</span>`
        : st.cancelled
          ? // Nobody refused it: the turn stopped before anyone decided (a user tester's).
            html`<span class="failed cancelled" data-testid="tool-step-cancelled">cancelled</span>`
          : nothing;
    if (st.output.length === 0) {
      return html`<div class="row" data-testid="tool-step" data-output="0"><span class="chev nochev">${iconChevron()}</span><span class="call" data-testid="tool-step-call">${call}</span></div>`;
    }
    const b = this.all ? { shown: st.output.join('\n'), more: 0 } : boundOutput(st.output);
    return html`<details data-testid="tool-step" data-output=${st.output.length} data-full=${st.full ? '1' : '0'}>
      <summary data-testid="tool-step-toggle"><span class="chev">${iconChevron()}</span><span class="call" data-testid="tool-step-call">${call}</span>${failed}</summary>
      <pre data-testid="tool-step-output">${b.shown}</pre>
      ${b.more > 0
        ? html`<button class="ghost small more" data-find-skip data-testid="tool-step-more" @click=${() => this.more?.()}>Show more (${b.more} more ${b.more === 1 ? 'line' : 'lines'})</button>`
        : nothing}
    </details>`;
  }
}
customElements.define('tool-step', ToolStepView);

/**
 * <activity-group>: one ActivitySegment, the index-th of turn item's; shown says which of
 * its steps show their whole output (find counts them: state/shown-more.ts).
 */
export class ActivityGroup extends LitElement {
  static override properties = {
    segment: { attribute: false }, live: { type: Boolean }, item: { attribute: false }, index: { attribute: false }, shown: { attribute: false }, version: { attribute: false },
  };
  declare segment: ActivitySegment | undefined;
  declare live: boolean;
  declare item: string;
  declare index: number;
  declare shown: ShownMore | undefined;
  /** shown.of(item), so that a change to what the item shows renders the group again. */
  declare version: number;

  constructor() {
    super();
    this.live = false;
    this.item = '';
    this.index = 0;
    this.version = 0;
  }

  static override styles = [
    base,
    css`
      :host { display: block; min-width: 0; }
      .activity { border: 1px dashed var(--border-strong); border-radius: var(--radius-sm); background: var(--surface-2); min-width: 0; }
      .activity.stderr { border-color: color-mix(in srgb, var(--danger) 35%, var(--border-strong)); }
      .activity > summary { cursor: pointer; user-select: none; list-style: none; display: flex; gap: 6px; align-items: center; padding: 5px 10px; font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); color: var(--faint); min-width: 0; }
      .activity > summary::-webkit-details-marker { display: none; }
      .activity > summary .n { flex: none; }
      .activity > summary .last { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; flex: 1; }
      .activity > summary .last.live { color: var(--muted); }
      .label { flex: none; padding: 0 6px; border-radius: 999px; font-size: calc(11px * var(--zoom, 1)); background: var(--danger-soft); color: var(--danger); }
      .label.denied { background: var(--warn-soft); color: var(--warn); }
      .label.cancelled { background: var(--surface); color: var(--muted); }
      .steps { padding: 4px 10px 8px 12px; font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); display: grid; grid-template-columns: minmax(0, 1fr); gap: 2px; max-height: 640px; overflow-y: auto; }
      .lines { margin: 0; padding: 4px 10px 8px 28px; font-family: var(--font-mono); font-size: calc(12px * var(--zoom, 1)); white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow-y: auto; color: color-mix(in srgb, var(--danger) 70%, var(--muted)); }
    `,
  ];

  override render() {
    const seg = this.segment;
    if (!seg) return nothing;
    if (seg.stream !== 'tool') {
      const n = seg.lines.length;
      const last = seg.lines[n - 1]?.text ?? '';
      return html`<details class="activity stderr" data-testid="stderr-group" data-stream=${seg.stream}>
        <summary data-testid="stderr-group-toggle">
          ${iconAlert()}<span class="label" data-find-skip>${seg.stream === 'stderr' ? 'stderr' : seg.stream}</span>
          <span class="n" data-find-skip>${n} ${n === 1 ? 'line' : 'lines'}</span>
          ${last ? html`<span class="last" data-find-skip>— ${last}</span>` : nothing}
        </summary>
        <pre class="lines" data-testid="stderr-lines">${seg.lines.map((l) => l.text).join('\n')}</pre>
      </details>`;
    }
    const steps = toolSteps(seg.lines);
    // While the turn works, the oldest call still without its result: the one under way, or
    // the one a request card asks about (a window tester's row named the third of three
    // Writes while the card asked about the first). Else the last.
    const last = (this.live ? steps.find((st) => st.call !== '' && st.output.length === 0) : undefined) ?? steps[steps.length - 1];
    const preview = last ? last.call || (last.output[0] ?? '') : '';
    const failed = steps.filter((st) => st.failed).length;
    const denied = steps.filter((st) => st.denied).length;
    const cancelled = steps.filter((st) => st.cancelled).length;
    return html`<details class="activity" data-testid="tool-group" data-steps=${steps.length}>
      <summary data-testid="tool-group-toggle">
        ${iconTool()}
        <span class="n" data-find-skip>${steps.length} tool ${steps.length === 1 ? 'step' : 'steps'}</span>
        ${failed > 0 ? html`<span class="label" data-find-skip data-testid="tool-group-failed">${steps.length === 1 ? 'failed' : `${failed} failed`}</span>` : nothing}
        ${denied > 0 ? html`<span class="label denied" data-find-skip data-testid="tool-group-denied">${steps.length === 1 ? 'denied' : `${denied} denied`}</span>` : nothing}
        ${cancelled > 0 ? html`<span class="label cancelled" data-find-skip data-testid="tool-group-cancelled">${steps.length === 1 ? 'cancelled' : `${cancelled} cancelled`}</span>` : nothing}
        ${preview ? html`<span class="last ${this.live ? 'live' : ''}" data-find-skip>— ${preview}</span>` : nothing}
      </summary>
      <div class="steps">${steps.map((st, k) => {
        const key = stepKey(this.item, this.index, k);
        const shown = this.shown ?? NOTHING_MORE;
        return html`<tool-step .step=${st} .all=${shown.outputAll(key)} .more=${() => this.shown?.showAllOutput(this.item, key)}></tool-step>`;
      })}</div>
    </details>`;
  }
}
customElements.define('activity-group', ActivityGroup);

declare global {
  interface HTMLElementTagNameMap {
    'activity-group': ActivityGroup;
    'tool-step': ToolStepView;
  }
}
