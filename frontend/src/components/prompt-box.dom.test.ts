// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AppState } from '../state/app-state';
import { FakeBackend, fakeSession } from '../state/fake-backend';
import './prompt-box';

const req = { name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask' as const, claude_args: '', approve: false };

describe('<prompt-box> while the host cannot be reached', () => {
  it('takes a draft (it was disabled), sends nothing, and sends it with Enter once connected', async () => {
    const be = new FakeBackend();
    be.handlers.CreateParty = async () => fakeSession('participant');
    const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
    await st.start();
    expect(await st.createParty(req)).toBe(true);
    be.emit('party:status', { status: 'reconnecting', attempt: 2, error: 'connection refused', retry_ms: 1000 });
    const el = document.createElement('prompt-box') as HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const ta = () => el.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]')!;
    const send = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=prompt-send]')!;
    const enter = () => ta().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect(ta().disabled).toBe(false);
    ta().value = 'fix the parser';
    ta().dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(send().disabled).toBe(true);
    enter();
    await el.updateComplete;
    expect(be.count('SendPrompt')).toBe(0);
    expect(ta().value).toBe('fix the parser');
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-disabled-reason]')?.textContent).toContain('Reconnecting to the host');
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(send().disabled).toBe(false);
    enter();
    await new Promise((r) => setTimeout(r, 0));
    expect(be.count('SendPrompt')).toBe(1);
    el.remove();
  });
});
