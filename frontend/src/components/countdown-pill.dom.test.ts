// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import './countdown-pill';
import type { PhasePill } from './countdown-pill';

async function pill(phase: string, trouble = ''): Promise<HTMLElement> {
  const el = document.createElement('phase-pill') as PhasePill;
  el.phase = phase;
  el.trouble = trouble;
  document.body.append(el);
  await el.updateComplete;
  return el.shadowRoot!.querySelector<HTMLElement>('[data-testid=party-phase]')!;
}

describe('<phase-pill>', () => {
  it('says the agent is not running, and why in its tooltip', async () => {
    const p = await pill('agent_down', 'claude could not start: exec: "claude": not found');
    expect(p.textContent?.trim()).toBe('Agent not running');
    expect(p.getAttribute('title')).toBe('claude could not start: exec: "claude": not found');
    expect(p.classList.contains('agent_down')).toBe(true);
  });

  it('an idle party is idle', async () => {
    const p = await pill('idle');
    expect(p.textContent?.trim()).toBe('Idle');
    expect(p.getAttribute('title')).toBe('Idle');
  });
});
