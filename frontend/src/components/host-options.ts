// The host-control options of Create party and Settings: the permission mode in words,
// the approval default and extra Claude Code arguments. A render helper, not a component:
// the draft belongs to the form that uses it. Go checks every value.

import { html, nothing, type TemplateResult } from 'lit';
import { PERMISSION_MODES } from '../state/host-control';
import type { PermissionMode } from '../state/types';
import { iconAlert } from './icons';

/** The part of a form draft these fields edit. */
export interface HostOptionsDraft {
  permissionMode: PermissionMode;
  approve: boolean;
  claudeArgs: string;
}

/**
 * Test ids are prefix-mode, prefix-approve, prefix-args, prefix-mode-warning. A field given as
 * beside goes next to the mode (Create party's folder sharing), in the form's .two grid.
 */
export function permissionFields(
  prefix: string,
  d: HostOptionsDraft,
  set: <K extends keyof HostOptionsDraft>(k: K, v: HostOptionsDraft[K]) => void,
  beside?: TemplateResult,
) {
  const mode = PERMISSION_MODES.find((m) => m.value === d.permissionMode);
  const modeField = html`<label class="field">
      <span class="label">What may the agent do without asking?</span>
      <select data-testid="${prefix}-mode" @change=${(e: Event) => set('permissionMode', (e.target as HTMLSelectElement).value as PermissionMode)}>
        ${PERMISSION_MODES.map((m) => html`<option value=${m.value} ?selected=${m.value === d.permissionMode}>${m.label}</option>`)}
      </select>
      ${mode?.warning
        ? html`<span class="warnbox" role="note" data-testid="${prefix}-mode-warning">${iconAlert()}<span>${mode.warning}</span></span>`
        : nothing}
    </label>`;
  return html`
    ${beside ? html`<div class="two">${modeField}${beside}</div>` : modeField}
    <label class="check">
      <input type="checkbox" data-testid="${prefix}-approve" .checked=${d.approve}
        @change=${(e: Event) => set('approve', (e.target as HTMLInputElement).checked)} />
      <span>Approve each merged prompt before it is sent<span class="hint"> — you can read, edit or reject it first</span></span>
    </label>
  `;
}

/** The extra Claude Code arguments field; problem, when given, is said under it (Settings). */
export function claudeArgsField(prefix: string, d: HostOptionsDraft, set: (k: 'claudeArgs', v: string) => void, problem?: string) {
  return html`<label class="field">
    <span class="label">Extra Claude Code arguments</span>
    <input class="mono" data-testid="${prefix}-args" .value=${d.claudeArgs} placeholder="e.g. --model opus" spellcheck="false" autocomplete="off"
      aria-invalid=${problem ? 'true' : 'false'}
      @input=${(e: InputEvent) => set('claudeArgs', (e.target as HTMLInputElement).value)} />
    ${problem
      ? html`<span class="problem" data-testid="${prefix}-args-problem">${problem}</span>`
      : html`<span class="hint">Written as in a shell; quote words with spaces.</span>`}
  </label>`;
}
