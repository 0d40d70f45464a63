// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { AppState } from '../state/app-state';
import { DRAFT_KEEP_MS } from '../state/draft';
import { FakeBackend, deferred, emptyState, fakeSession } from '../state/fake-backend';
import { inParty } from '../state/party.test-helpers';
import { SLOW_SEND_MS } from './prompt-box';
import { SETTLE_MS } from './settle';
import type { PartyEvent } from '../state/types';

type Box = HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };

/** A prompt box on st, in the page: ta is its text area; type puts text in it, as typed; enter presses Enter and lets the send run. */
async function mount(st: AppState) {
  const el = document.createElement('prompt-box') as Box;
  el.state = st;
  document.body.append(el);
  await el.updateComplete;
  const ta = () => el.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]')!;
  const type = async (text: string) => {
    ta().value = text;
    ta().dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await el.updateComplete;
  };
  const enter = async () => {
    ta().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
  };
  return { el, ta, type, enter };
}

describe('<prompt-box> while the host cannot be reached', () => {
  it('takes a draft (it was disabled), sends nothing, and sends it with Enter once connected', async () => {
    const { be, st } = await inParty('participant', 'reconnecting');
    const { el, ta } = await mount(st);
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
    // Said: Enter did nothing a window tester could see.
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-disabled-reason]')?.textContent?.trim()).toBe(
      'Not sent: reconnecting to the host (attempt 2). Your prompt stays here; press Enter again once connected.',
    );
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(send().disabled).toBe(false);
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-disabled-reason]')).toBeNull();
    enter();
    await new Promise((r) => setTimeout(r, 0));
    expect(be.count('SendPrompt')).toBe(1);
    el.remove();
  });
});

describe('<prompt-box> after a prompt too long', () => {
  it('drops the error once the text changes and is short enough, and says it again of a text still too long', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type } = await mount(st);
    const error = () => el.shadowRoot!.querySelector('[data-testid=prompt-error]')?.textContent?.trim() ?? '';
    await type('x'.repeat(40_000));
    ta().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await el.updateComplete;
    expect(error()).toBe('This prompt is 40,000 bytes; the limit is 32,768.');
    await type('x'.repeat(39_000));
    expect(error()).toBe('This prompt is 39,000 bytes; the limit is 32,768.');
    await type('');
    expect(error()).toBe('');
    await type('a');
    expect(error()).toBe('');
    expect(be.count('SendPrompt')).toBe(0);
    el.remove();
  });
});

describe('<prompt-box> after a prompt with no answer', () => {
  it('lets the text go, and the error, once the prompt shows up in the party after all', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    const error = () => el.shadowRoot!.querySelector('[data-testid=prompt-error]')?.textContent?.trim() ?? '';
    const noAnswer = 'No answer came for this prompt, so it may have reached the host. If it does not show up in the party, send it again.';
    be.handlers.SendPrompt = () => Promise.reject(noAnswer);
    await type('sent while the host froze');
    await enter();
    expect(ta().value).toBe('sent while the host froze');
    expect(error()).toBe(noAnswer);
    // Someone else's prompt of other words changes nothing.
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p9', user: 'bob', member: 'm2', text: 'other words' } });
    await el.updateComplete;
    expect(ta().value).toBe('sent while the host froze');
    // Mine, as the host had it (it reached it: a tester's stayed in the box, and one Enter sent it twice).
    be.emit('party:event', { seq: 2, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p10', user: 'ann', member: 'm1', text: 'sent while the host froze' } });
    await el.updateComplete;
    await el.updateComplete;
    expect(ta().value).toBe('');
    expect(error()).toBe('');
    el.remove();
  });

  it('forgets the prompt with no answer once one is sent and answered', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    be.handlers.SendPrompt = () => Promise.reject('No answer came for this prompt.');
    await type('yes');
    await enter();
    be.handlers.SendPrompt = async () => ({ id: 'p2', seq: 2 });
    await enter(); // sent again, answered
    await type('yes');
    // The first one's event, late: the box keeps what was typed next.
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p1', user: 'ann', member: 'm1', text: 'yes' } });
    await el.updateComplete;
    await el.updateComplete;
    expect(ta().value).toBe('yes');
    el.remove();
  });

  it('lets it go when the prompt comes back in the resync of a reconnect', async () => {
    // A window tester's host froze and came back: the prompt came in the reconnect's state,
    // not as a live event, and stayed in the box under "send it again"; Enter ran it twice.
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    be.handlers.SendPrompt = () => Promise.reject('No answer came for this prompt.');
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p0', user: 'ann', member: 'm1', text: 'again' } });
    await type('again');
    await enter();
    const resync = (events: PartyEvent[]) =>
      be.emit('party:state', { seq: events.length + 1, phase: 'idle', participants: [], pending: [], truncated: false,
        events: [{ seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p0', user: 'ann', member: 'm1', text: 'again' } }, ...events] });
    // The same words earlier in the history are not it.
    resync([]);
    await el.updateComplete;
    await el.updateComplete;
    expect(ta().value).toBe('again');
    resync([{ seq: 2, ts: '2026-12-05T12:01:00Z', kind: 'prompt', prompt: { id: 'p1', user: 'ann', member: 'm1', text: 'again' } }]);
    await el.updateComplete;
    await el.updateComplete;
    expect(ta().value).toBe('');
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-error]')?.textContent?.trim() ?? '').toBe('');
    el.remove();
  });

  it('keeps what was typed since', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    be.handlers.SendPrompt = () => Promise.reject('No answer came for this prompt.');
    await type('first');
    await enter();
    await type('first, and more');
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p10', user: 'ann', member: 'm1', text: 'first' } });
    await el.updateComplete;
    await el.updateComplete;
    expect(ta().value).toBe('first, and more');
    el.remove();
  });
});

describe('<prompt-box> while a send waits', () => {
  // A window tester's host froze: the button spun for 30 s under "Connected", with no word.
  it('says the host has not answered once the send takes long, and stops saying it when it is answered', async () => {
    const { be, st } = await inParty('participant');
    const { el, type, enter } = await mount(st);
    const slow = () => el.shadowRoot!.querySelector('[data-testid=prompt-slow]')?.textContent?.trim() ?? '';
    let answer: (a: { id: string; seq: number }) => void = () => {};
    be.handlers.SendPrompt = () => new Promise((r) => (answer = r));
    vi.useFakeTimers({ shouldAdvanceTime: false, toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      await type('hello');
      await enter();
      vi.advanceTimersByTime(2000);
      await el.updateComplete;
      expect(slow()).toBe(''); // a moment is not long
      vi.advanceTimersByTime(SLOW_SEND_MS);
      await el.updateComplete;
      expect(slow()).toBe('The host has not answered for 7 s. Your prompt stays here until it does; if no answer comes, this says so.');
      answer({ id: 'p1', seq: 1 });
      await new Promise((r) => queueMicrotask(() => r(null)));
      await el.updateComplete;
      await el.updateComplete;
      expect(slow()).toBe('');
    } finally {
      vi.useRealTimers();
      el.remove();
    }
  });
});

describe('<prompt-box> and a page loaded again', () => {
  // A web process that crashed took a half-written prompt with it (the last note's Left).
  it('keeps the draft in Go at most every 300 ms, and a reload puts it back in the box', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type } = await mount(st);
    vi.useFakeTimers();
    try {
      const kept = () => be.calls.filter(([n]) => n === 'KeepDraft').map(([, a]) => a[0]);
      await type('fix the');
      await type('fix the parser');
      expect(kept()).toEqual([]); // not a call per key
      await vi.advanceTimersByTimeAsync(DRAFT_KEEP_MS);
      expect(kept()).toEqual(['fix the parser']);
      await vi.advanceTimersByTimeAsync(DRAFT_KEEP_MS * 3);
      expect(kept()).toEqual(['fix the parser']); // unchanged: kept once
      ta().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
      await vi.advanceTimersByTimeAsync(DRAFT_KEEP_MS);
      expect(be.count('SendPrompt')).toBe(1);
      expect(kept()).toEqual(['fix the parser', '']); // sent: nothing left to keep
      await type('and then the lexer');
      await vi.advanceTimersByTimeAsync(DRAFT_KEEP_MS);
      el.remove();
      st.dispose();

      // The page again: Go gives back what it kept, and the new box holds it.
      const be2 = new FakeBackend();
      be2.handlers.CurrentParty = async () => ({ ...fakeSession('participant', emptyState()), draft: String(kept().at(-1)) });
      const st2 = new AppState(be2, { checkDelayMs: 10 });
      const started = st2.start();
      await vi.advanceTimersByTimeAsync(0);
      await started;
      const again = await mount(st2);
      expect(again.ta().value).toBe('and then the lexer');
      expect(st2.unsentDraft).toBe('and then the lexer'); // leaving asks first
      await vi.advanceTimersByTimeAsync(DRAFT_KEEP_MS);
      expect(be2.count('KeepDraft')).toBe(0); // what Go has already
      again.el.remove();
      st2.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('<prompt-box> typing on while a send waits', () => {
  // A window tester typed on after Enter: what came after was glued to the prompt sent
  // ("part oneand part two"), to be sent again.
  it('keeps only what was typed after the prompt sent', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    const answer = deferred<{ id: string; seq: number }>();
    be.handlers.SendPrompt = () => answer.promise;
    await type('part one');
    await enter();
    await type('part one and part two');
    answer.resolve({ id: 'p1', seq: 1 });
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(ta().value).toBe('and part two');
    el.remove();
  });

  // A user tester's burst: refused (too fast), the prompt stayed in the box, and what was
  // typed on meanwhile was glued to it ("mei fast 12mei fast 13"), to go as one prompt.
  it('keeps a refused prompt above what was typed after it', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    const answer = deferred<{ id: string; seq: number }>();
    be.handlers.SendPrompt = () => answer.promise;
    await type('mei fast 12');
    await enter();
    await type('mei fast 12mei fast 13');
    answer.reject('Too many prompts: wait a few seconds and send it again.');
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(ta().value).toBe('mei fast 12\n\nmei fast 13');
    expect([ta().selectionStart, ta().selectionEnd]).toEqual([ta().value.length, ta().value.length]);
    el.remove();
  });

  // A reload within the draft's 300 ms after a send put the prompt sent back in the box.
  it('keeps the emptied box at once', async () => {
    const { be, st } = await inParty('participant');
    const { el, type, enter } = await mount(st);
    const kept = () => be.calls.filter(([n]) => n === 'KeepDraft').map(([, a]) => a[0]);
    await type('send me');
    await new Promise((r) => setTimeout(r, DRAFT_KEEP_MS + 50));
    expect(kept()).toEqual(['send me']);
    await enter();
    expect(be.count('SendPrompt')).toBe(1);
    expect(kept()).toEqual(['send me', '']); // not 300 ms later
    el.remove();
  });
});

describe('<prompt-box> and my prompt given back', () => {
  // A terminal tester typing on while a prompt came back had the next keys run on from the
  // end of the prompt given back ("fast11fast12"), to be sent as one prompt.
  it('puts it above what is being typed, and the typing goes on where the caret was', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type } = await mount(st);
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p1', user: 'ann', member: 'm1', text: 'fix teh typo' } });
    await type('one two');
    ta().setSelectionRange(4, 4); // before "two"
    await st.withdraw({ id: 'p1', user: 'ann', text: 'fix teh typo' });
    await el.updateComplete;
    expect(ta().value).toBe('fix teh typo\n\none two');
    expect([ta().selectionStart, ta().selectionEnd]).toEqual([18, 18]); // still before "two"
    el.remove();
  });

  it('while a send waits, the prompt sent leaves the box from under it', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta, type, enter } = await mount(st);
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p1', user: 'ann', member: 'm1', text: 'fix teh typo' } });
    const answer = deferred<{ id: string; seq: number }>();
    be.handlers.SendPrompt = () => answer.promise;
    await type('part one');
    await enter();
    await type('part one and part two');
    await st.withdraw({ id: 'p1', user: 'ann', text: 'fix teh typo' });
    await el.updateComplete;
    expect(ta().value).toBe('fix teh typo\n\npart one and part two');
    answer.resolve({ id: 'p2', seq: 2 });
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(ta().value).toBe('fix teh typo\n\nand part two');
    el.remove();
  });

  it('comes back alone into an empty box, the caret at its end', async () => {
    const { be, st } = await inParty('participant');
    const { el, ta } = await mount(st);
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'prompt', prompt: { id: 'p1', user: 'ann', member: 'm1', text: 'fix teh typo' } });
    await st.withdraw({ id: 'p1', user: 'ann', text: 'fix teh typo' });
    await el.updateComplete;
    expect(ta().value).toBe('fix teh typo');
    expect(ta().selectionStart).toBe('fix teh typo'.length);
    el.remove();
  });
});

describe('<prompt-box> and a prompt that starts with "/"', () => {
  // A window tester's "/kick bob" went to the agent as a prompt, with no word.
  it('says it goes as words, and where a host finds the commands', async () => {
    const { st } = await inParty('host');
    const { el, type } = await mount(st);
    const hint = () => el.shadowRoot!.querySelector('[data-testid=prompt-slash-hint]')?.textContent?.trim() ?? '';
    await type('/kick bob');
    expect(hint()).toBe('Starts with “/”: the agent gets it as words, not as a command. Removing someone, new invites and agent commands (/compact) are in the side panel.');
    await type('kick bob');
    expect(hint()).toBe('');
    el.remove();
  });
});

// A window tester's: "Enter to send · Shift+Enter for a new line" under a box that could not
// send — a viewer's while reconnecting (instead of the viewer's notice), and every window's
// after the party ended. The keys are said only under a box that can send.
describe('<prompt-box> says how to send only when it can', () => {
  const foot = (el: HTMLElement) => el.shadowRoot!.querySelector('.foot')!;
  const keys = (el: HTMLElement) => foot(el).querySelector('[data-testid=prompt-keys]');

  it('says the keys in a connected party', async () => {
    const { st } = await inParty('participant');
    const { el } = await mount(st);
    expect(keys(el)?.textContent).toContain('to send');
    el.remove();
    st.dispose();
  });

  it("gives a viewer the viewer's notice, reconnecting too", async () => {
    const { be, st } = await inParty('participant');
    be.emit('party:event', { seq: 1, ts: new Date().toISOString(), kind: 'participants', changed: { id: st.session!.you.id, name: st.session!.you.name, role: 'viewer' }, count: 2 } as PartyEvent);
    const { el } = await mount(st);
    const viewerNotice = foot(el).querySelector('[data-testid=prompt-disabled-reason]')?.textContent?.trim() ?? '';
    expect(viewerNotice).toMatch(/viewer/i);
    be.emit('party:status', { status: 'reconnecting', attempt: 3, error: 'connection refused', retry_ms: 1000 });
    await el.updateComplete;
    expect(keys(el)).toBeNull();
    expect(foot(el).querySelector('[data-testid=prompt-disabled-reason]')?.textContent?.trim()).toBe(viewerNotice);
    el.remove();
    st.dispose();
  });

  it('says that what is written waits, not the keys, while a participant reconnects', async () => {
    const { st } = await inParty('participant', 'reconnecting');
    const { el } = await mount(st);
    expect(keys(el)).toBeNull();
    expect(foot(el).querySelector('[data-testid=prompt-waits]')?.textContent).toBe('What you write stays here, to send once connected.');
    el.remove();
    st.dispose();
  });

  it('says the box is closed once the party ended, for a viewer too', async () => {
    for (const viewer of [false, true]) {
      const { be, st } = await inParty('participant');
      if (viewer) be.emit('party:event', { seq: 1, ts: new Date().toISOString(), kind: 'participants', changed: { id: st.session!.you.id, name: st.session!.you.name, role: 'viewer' }, count: 2 } as PartyEvent);
      const { el } = await mount(st);
      be.emit('party:ended', { reason: 'the host ended the party', kicked: false });
      await el.updateComplete;
      expect(keys(el)).toBeNull();
      expect(foot(el).querySelector('[data-testid=prompt-disabled-reason]')).toBeNull(); // the banner says why
      expect(foot(el).querySelector('[data-testid=prompt-closed]')?.textContent).toBe('Nothing more can be sent in this party.');
      el.remove();
      st.dispose();
    }
  });
});

// As Create's (home-screen): WebKitGTK, loaded, queues keys and clicks apart, so a click on
// Send could reach the page before the last keys of the prompt: the prompt went cut short,
// the rest left in the box. A click sends once the typing has settled; Enter, which comes
// after the keys, at once.
describe('<prompt-box> Send clicked while typing is still arriving', () => {
  it('sends the whole prompt, the keys that reach the box after the click included', async () => {
    const { be, st } = await inParty('participant');
    const { el, type } = await mount(st);
    await type('fix the');
    const send = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=prompt-send]')!;
    const down = new MouseEvent('mousedown', { bubbles: true, composed: true, cancelable: true });
    send.dispatchEvent(down);
    expect(down.defaultPrevented).toBe(true); // the focus stays in the box, where the keys go
    send.click();
    for (const t of ['fix the parser', 'fix the parser first']) {
      await new Promise((r) => setTimeout(r, 20));
      await type(t);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS + 50));
    expect(be.calls.filter(([n]) => n === 'SendPrompt')).toEqual([['SendPrompt', ['fix the parser first']]]);
    el.remove();
    st.dispose();
  });
});
