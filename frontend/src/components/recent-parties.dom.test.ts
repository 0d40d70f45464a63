// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AppState } from '../state/app-state';
import { FakeBackend, deferred } from '../state/fake-backend';
import type { RecentParty } from '../state/recent-parties';
import { RecentParties } from './recent-parties';

RecentParties.pollMs = 20; // the tests' own pace

type Recent = HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };

const party = (over: Partial<RecentParty>): RecentParty => ({
  id: 'p1', host: 'ann', created: '2026-11-30T10:00:00Z', last_active: '2026-11-30T11:00:00Z',
  turns: 2, state: 'ended', workdir: '/home/ann/src', workspace: 'changes', ...over,
});

async function mounted(list: RecentParty[]) {
  const be = new FakeBackend();
  be.handlers.RecentParties = async () => list;
  const st = new AppState(be, { checkDelayMs: 10 });
  await st.start();
  const el = document.createElement('recent-parties') as Recent;
  el.state = st;
  document.body.append(el);
  await st.recent.load();
  await el.updateComplete;
  const q = <T extends Element = HTMLElement>(sel: string) => el.shadowRoot!.querySelector<T & Element>(sel) as (T & HTMLElement) | null;
  const row = (id: string) => q(`[data-testid=recent-party][data-id=${id}]`)!;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      await el.updateComplete;
    }
  };
  return { be, st, el, q, row, settle };
}

describe('<recent-parties> Resume of a party that shared the whole folder', () => {
  it('asks, with the safe answer focused; Escape puts the question away and nothing starts', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1', workspace: 'tree' }), party({ id: 'p2' })]);
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    const ask = row('p1').querySelector<HTMLElement>('[data-testid=recent-tree-confirm]');
    expect(ask).not.toBeNull();
    expect(ask!.textContent).toContain('.env files and other secrets included');
    expect(row('p2').querySelector('[data-testid=recent-tree-confirm]')).toBeNull();
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-tree-changes');
    expect(row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.disabled).toBe(true);
    expect(be.count('ResumeParty')).toBe(0);

    ask!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-tree-confirm]')).toBeNull();
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-resume');
    expect(be.count('ResumeParty')).toBe(0);
    el.remove();
  });

  it('puts a question left open away when the list is left (for a party, say)', async () => {
    const { st, el, row, settle } = await mounted([party({ id: 'p1', workspace: 'tree' })]);
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    expect(st.recent.asking).toBe('p1');
    el.remove();
    expect(st.recent.asking).toBe('');
  });

  it('gives the focus back to Resume when the answer could not bring the party back', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1', workspace: 'tree' })]);
    be.handlers.ResumeParty = async () => {
      throw 'The port is in use.';
    };
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-tree-changes]')!.click();
    await settle();
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-error]')?.textContent).toContain('The port is in use.');
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-resume');
    el.remove();
  });

  it('resumes with the level chosen; a party that shared less resumes at once', async () => {
    const { be, row, settle, el } = await mounted([party({ id: 'p1', workspace: 'tree' }), party({ id: 'p2' })]);
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-tree-changes]')!.click();
    await settle();
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'changes', false, 0]]]);
    el.remove();

    const two = await mounted([party({ id: 'p1', workspace: 'tree' }), party({ id: 'p2' })]);
    two.row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await two.settle();
    two.row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-tree-keep]')!.click();
    await two.settle();
    expect(two.be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'tree', false, 0]]]);
    two.el.remove();

    const three = await mounted([party({ id: 'p2' })]);
    three.row('p2').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await three.settle();
    expect(three.q('[data-testid=recent-tree-confirm]')).toBeNull();
    expect(three.be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p2', 'changes', false, 0]]]);
    three.el.remove();
  });
});

describe('<recent-parties> read again', () => {
  it('when the window comes to the front, and every few seconds while a party runs', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1', state: 'ended' })]);
    const reads = () => be.count('RecentParties');
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const before = reads();
    await wait(40); // nothing runs: no polling
    expect(reads()).toBe(before);
    window.dispatchEvent(new Event('focus'));
    document.dispatchEvent(new Event('visibilitychange')); // comes with it: one reading for both
    await settle();
    expect(reads()).toBe(before + 1);

    // A terminal hosts it: the window, back in front, shows it running, without Resume.
    be.handlers.RecentParties = async () => [party({ id: 'p1', state: 'running' })];
    await wait(15);
    window.dispatchEvent(new Event('focus'));
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-resume]')).toBeNull();

    // The terminal's host stops: a poll soon shows Resume again.
    be.handlers.RecentParties = async () => [party({ id: 'p1', state: 'not_ended_cleanly' })];
    await wait(80);
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-resume]')).not.toBeNull();

    // Nothing runs any more: no polling; and none once the element is gone.
    const now = reads();
    await wait(60);
    expect(reads()).toBe(now);
    el.remove();
    await wait(15);
    window.dispatchEvent(new Event('focus'));
    expect(reads()).toBe(now);
  });
});

// A window tester's two parties read "root's party · ended", the same folder, alike: each
// shows the start of its first prompt, as text.
describe('<recent-parties> the first prompt', () => {
  it('tells two parties of one host and folder apart, and shows markup and bidi controls as text', async () => {
    const { el, row } = await mounted([
      party({ id: 'p1', first_prompt: 'fix the login bug' }),
      party({ id: 'p2', first_prompt: '<b>bold</b> \u202Eevil' }),
      party({ id: 'p3' }),
    ]);
    const first = (id: string) => row(id).querySelector('[data-testid=recent-first-prompt]');
    expect(first('p1')?.textContent).toBe('“fix the login bug”');
    expect(first('p2')?.textContent).toBe('“<b>bold</b> [U+202E]evil”');
    expect(first('p2')?.querySelector('b')).toBeNull();
    expect(first('p3')).toBeNull();
    el.remove();
  });
});


// A tester's Resume of a party stopped hours before sent Kai's old prompt to the agent
// within a second, unreviewed, Kai not even connected: what a resume would take up at once
// is said first, in the card, and nothing starts until the person says Resume.
describe('<recent-parties> Resume of a party holding prompts the agent never had', () => {
  const waiting = {
    text: '1 prompt never reached the agent, and its last turn was cut short',
    prompts: [{ user: 'Kai', text: 'fix the <img src=x onerror=alert(1)> login form' }],
    turn: 'add a test for the parser',
    turn_by: ['ann', '<b>bo</b>'],
    cut: true,
  };

  it('asks first, with who asked what, as text; Cancel starts nothing, Resume resumes', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1' }), party({ id: 'p2' })]);
    be.handlers.ResumeUnanswered = async (id: string) => (id === 'p1' ? waiting : { text: '', prompts: [] });
    expect(be.count('ResumeUnanswered')).toBe(0); // the list's reading does not read the journals
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    expect(be.calls.filter(([m]) => m === 'ResumeUnanswered')).toEqual([['ResumeUnanswered', ['p1']]]);
    const ask = row('p1').querySelector<HTMLElement>('[data-testid=recent-unanswered-confirm]');
    expect(ask).not.toBeNull();
    expect(ask!.getAttribute('role')).toBe('alertdialog');
    expect(ask!.querySelector('[data-testid=recent-unanswered]')!.textContent).toBe(
      '1 prompt never reached the agent, and its last turn was cut short: resuming sends the waiting prompt and the cut turn\'s request to the agent at once.',
    );
    expect(ask!.querySelector('[data-testid=recent-unanswered-prompt]')!.textContent).toBe('Kai: “fix the <img src=x onerror=alert(1)> login form”');
    expect(ask!.querySelector('img')).toBeNull(); // peer text, never HTML
    // Who asked it too (a tester's question did not say).
    expect(ask!.querySelector('[data-testid=recent-unanswered-turn]')!.textContent).toBe('The turn cut short (asked by ann and <b>bo</b>): “add a test for the parser”');
    expect(ask!.textContent).not.toContain('.env'); // it shares only the changes: no folder question
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-unanswered-cancel');
    expect(row('p2').querySelector('[data-testid=recent-unanswered-confirm]')).toBeNull();
    expect(be.count('ResumeParty')).toBe(0);

    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-unanswered-cancel]')!.click();
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-unanswered-confirm]')).toBeNull();
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-resume');
    expect(be.count('ResumeParty')).toBe(0);

    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-unanswered-resume]')!.click();
    await settle();
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'changes', false, 0]]]);
    el.remove();
  });

  // The tester's other way out: bring the party back without Kai's old prompt and without
  // running the cut turn again (Go's ResumeOptions.WithoutUnanswered), said on the button.
  it('Resume without them resumes without what it would take up', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1' })]);
    be.handlers.ResumeUnanswered = async () => waiting;
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    const without = row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-unanswered-without]')!;
    expect(without.textContent).toBe('Resume without them');
    expect(without.title).toBe('The waiting prompt is withdrawn and the turn cut short is not run again; the party is told, so that their authors can send again what is still wanted.');
    without.click();
    await settle();
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'changes', true, 0]]]);
    el.remove();
  });

  it('names one prompt "it"', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1' })]);
    be.handlers.ResumeUnanswered = async () => ({ text: '1 prompt never reached the agent', prompts: [{ user: 'Kai', text: 'one' }] });
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    const without = row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-unanswered-without]')!;
    expect(without.textContent).toBe('Resume without it');
    expect(without.title).toBe('The waiting prompt is withdrawn; the party is told, so that its author can send again what is still wanted.');
    el.remove();
  });

  it('with nothing waiting, Resume goes at once', async () => {
    const { be, q, row, settle, el } = await mounted([party({ id: 'p2' })]);
    row('p2').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    expect(q('[data-testid=recent-unanswered-confirm]')).toBeNull();
    expect(be.calls.filter(([m]) => m.startsWith('Resume'))).toEqual([['ResumeUnanswered', ['p2']], ['ResumeParty', ['p2', 'changes', false, 0]]]);
    el.remove();
  });

  it('a party that shared the whole folder asks both at once, answered with the folder question', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1', workspace: 'tree' })]);
    be.handlers.ResumeUnanswered = async () => ({ text: '2 prompts never reached the agent', prompts: [{ user: 'Kai', text: 'one' }, { user: 'Bo', text: 'two' }] });
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    const ask = row('p1').querySelector<HTMLElement>('[data-testid=recent-tree-confirm]')!;
    expect(ask.querySelector('[data-testid=recent-unanswered]')!.textContent).toBe('2 prompts never reached the agent: resuming sends them to the agent at once.');
    expect([...ask.querySelectorAll('[data-testid=recent-unanswered-prompt]')].map((e) => e.textContent)).toEqual(['Kai: “one”', 'Bo: “two”']);
    expect(ask.textContent).toContain('.env files and other secrets included');
    expect(ask.querySelector('[data-testid=recent-unanswered-resume]')).toBeNull(); // one set of answers
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-tree-changes');
    expect(be.count('ResumeParty')).toBe(0);
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-tree-changes]')!.click();
    await settle();
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'changes', false, 0]]]);
    el.remove();
  });

  it('asked both, "Resume without them" ticked goes with the folder answer', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1', workspace: 'tree' })]);
    be.handlers.ResumeUnanswered = async () => ({ text: '2 prompts never reached the agent', prompts: [{ user: 'Kai', text: 'one' }, { user: 'Bo', text: 'two' }] });
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    const leave = row('p1').querySelector<HTMLInputElement>('[data-testid=recent-unanswered-leave]')!;
    expect(leave.checked).toBe(false);
    expect(leave.parentElement!.textContent!.replace(/\s+/g, ' ').trim()).toBe('Resume without them (the 2 waiting prompts are withdrawn)');
    leave.click();
    await settle();
    // The sentence says what happens now (a tester's still said "resuming sends them").
    expect(row('p1').querySelector('[data-testid=recent-unanswered]')!.textContent).toBe('2 prompts never reached the agent: resuming without them, the 2 waiting prompts are withdrawn.');
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-tree-keep]')!.click();
    await settle();
    expect(be.calls.filter(([m]) => m === 'ResumeParty')).toEqual([['ResumeParty', ['p1', 'tree', true, 0]]]);
    // Asked again, it starts unticked.
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-resume]')!.click();
    await settle();
    expect(row('p1').querySelector<HTMLInputElement>('[data-testid=recent-unanswered-leave]')?.checked).toBe(false);
    el.remove();
  });
});

describe('<recent-parties> Forget', () => {
  // A window tester's list filled with cards all called "Hana's party · ended", and none
  // could go.
  it('asks first, saying the journal is deleted; Keep it deletes nothing, Forget deletes it and the card goes', async () => {
    const list = [party({ id: 'p1' }), party({ id: 'p2' }), party({ id: 'p3', state: 'running' })];
    const { be, el, row, settle } = await mounted(list);
    be.handlers.ForgetParty = async (id: string) => {
      list.splice(list.findIndex((p) => p.id === id), 1);
    };
    // A running party has no Forget.
    expect(row('p3').querySelector('[data-testid=recent-forget]')).toBeNull();
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-forget]')!.click();
    await settle();
    const ask = row('p1').querySelector<HTMLElement>('[data-testid=recent-forget-confirm]');
    expect(ask?.textContent).toContain("Forget ann's party? Its journal is deleted");
    expect(ask?.textContent).toContain('can no longer be resumed or exported');
    expect(row('p2').querySelector('[data-testid=recent-forget-confirm]')).toBeNull();
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('recent-forget-no'); // the safe answer
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-forget-no]')!.click();
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-forget-confirm]')).toBeNull();
    expect(be.count('ForgetParty')).toBe(0);

    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-forget]')!.click();
    await settle();
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-forget-yes]')!.click();
    await settle();
    expect(be.calls.filter(([n]) => n === 'ForgetParty')).toEqual([['ForgetParty', ['p1']]]);
    expect(el.shadowRoot!.querySelector('[data-testid=recent-party][data-id=p1]')).toBeNull();
    expect(row('p2')).not.toBeNull();
    el.remove();
  });

  it('says a party that did not end cleanly can still be resumed, and shows why a Forget failed', async () => {
    const { be, el, row, settle } = await mounted([party({ id: 'p1', state: 'not_ended_cleanly' })]);
    be.handlers.ForgetParty = async () => {
      throw new Error('This party is running, in this window or another Concordia: end it first, then forget it.');
    };
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-forget]')!.click();
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-forget-question]')?.textContent).toMatch(/^Forget ann's party\? It did not end cleanly, so it can still be resumed/);
    row('p1').querySelector<HTMLButtonElement>('[data-testid=recent-forget-yes]')!.click();
    await settle();
    expect(row('p1').querySelector('[data-testid=recent-forget-error]')?.textContent).toContain('end it first, then forget it');
    expect(row('p1').querySelector('[data-testid=recent-forget-confirm]')).toBeNull();
    el.remove();
  });
});

// Forget's warning said a forgotten party could no longer be exported, while the window
// offered no export of a kept one (a window tester's).
describe('<recent-parties> Export', () => {
  it('saves the transcript of any party in the list, and says where or why not', async () => {
    const { be, st, row, settle, el } = await mounted([party({ id: 'p1' }), party({ id: 'p2', state: 'running' })]);
    const asked: string[] = [];
    const done = deferred<string>();
    be.handlers.ExportParty = async (id: string) => (asked.push(id), done.promise);
    const exp = (id: string) => row(id).querySelector<HTMLButtonElement>('[data-testid=recent-export]')!;
    expect(exp('p2')).not.toBeNull(); // a running party's journal is exported as far as it goes
    exp('p1').click();
    await settle();
    expect(asked).toEqual(['p1']);
    expect(exp('p1').textContent).toContain('Exporting');
    expect(exp('p2').disabled).toBe(true); // one save dialog at a time
    done.resolve('/home/ann/concordia-ann.md');
    await settle();
    expect(exp('p1').disabled).toBe(false);
    expect(st.notices.at(-1)?.text).toBe('Saved the transcript to /home/ann/concordia-ann.md');

    be.handlers.ExportParty = async () => {
      throw 'This party is no longer in the data directory.';
    };
    exp('p2').click();
    await settle();
    expect(st.notices.at(-1)).toMatchObject({ kind: 'error', text: 'Could not export the transcript: This party is no longer in the data directory.' });
    const before = st.notices.length;
    be.handlers.ExportParty = async () => ''; // cancelled: nothing said
    exp('p1').click();
    await settle();
    expect(st.notices.length).toBe(before);
    el.remove();
  });
});
