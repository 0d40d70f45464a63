// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import './countdown-pill';
import type { PhasePill } from './countdown-pill';

async function pill(phase: string, trouble = '', since: number | null = null): Promise<HTMLElement> {
  const el = document.createElement('phase-pill') as PhasePill;
  el.phase = phase;
  el.trouble = trouble;
  el.since = since;
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

  it('says the agent restarts with the next prompt after it exited idle, not in the danger colour', async () => {
    const why = 'claude exited (signal: killed); it was idle, and will be started again with the next batch';
    const p = await pill('agent_restarts', why);
    expect(p.textContent?.trim()).toBe('Agent restarts with the next prompt');
    expect(p.getAttribute('title')).toBe('claude was killed (SIGKILL); it was idle, and will be started again with the next batch'); // not Go's words
    expect(p.classList.contains('agent_down')).toBe(false);
  });

  it('an idle party is idle', async () => {
    const p = await pill('idle');
    expect(p.textContent?.trim()).toBe('Idle');
    expect(p.getAttribute('title')).toBe('Idle');
  });

  it('says how long the party has been merging or the agent working (a tester saw a bare "Merging" for 45 s)', async () => {
    expect((await pill('merging', '', Date.now() - 29_400)).textContent?.trim()).toBe('Merging · 29 s');
    expect((await pill('running', '', Date.now() - 65_000)).textContent?.trim()).toMatch(/^Agent working · 1 min 0[45] s$/);
    expect((await pill('running', '', Date.now())).textContent?.trim()).toBe('Agent working'); // not "0 s"
    expect((await pill('running')).textContent?.trim()).toBe('Agent working'); // since unknown
    expect((await pill('idle', '', Date.now() - 5000)).textContent?.trim()).toBe('Idle');
  });
});
