// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { AppState } from '../state/app-state';
import { createReq, inParty } from '../state/party.test-helpers';
import { approval, batch, changed, joined, left, permission, phase, prompt, settings } from '../state/events.test-helpers';
import { FakeBackend, deferred, emptyState, fakeSession } from '../state/fake-backend';
import { PARTY_PERMISSION_MODES } from '../state/host-control';
import { JOURNAL_FAILED, JOURNAL_GAVE_UP, JOURNAL_RECOVERED } from '../state/party';
import { SETTLE_MS } from './settle';

import './dom.test-helpers'; // jsdom's missing matchMedia and ResizeObserver
await import('./party-view');

type View = HTMLElement & { state?: AppState; updateComplete: Promise<boolean>; requestUpdate(): void };

/** A <party-view> on st, in the document and rendered. */
async function mount(st: AppState): Promise<View> {
  const el = document.createElement('party-view') as View;
  el.state = st;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** A <party-view> on st with the Remove dialog open for name. */
async function askToRemove(st: AppState, name: string): Promise<View> {
  const el = await mount(st);
  el.shadowRoot!.querySelector<HTMLButtonElement>(`[data-name=${name}] [data-testid=member-kick]`)!.click();
  await el.updateComplete;
  return el;
}

describe('<party-view> removing someone', () => {
  // A window tester's native tooltip on Remove ran past the window's right edge (the button is
  // at the panel's right): the explanation is the window's own, named by aria-describedby.
  it("explains Remove in a tooltip of the window's own, not a native title", async () => {
    const { be, st } = await inParty('host');
    const bob = { id: 'm2', name: 'bob', role: 'participant' as const };
    const cy = { id: 'm3', name: 'cy', role: 'participant' as const };
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', joined(2, cy));
    be.emit('party:event', left(3, cy));
    const el = await mount(st);
    for (const [sel, words] of [
      ['[data-testid=participant-item][data-name=bob] [data-testid=member-kick]', 'Remove bob from the party'],
      ['[data-testid=away-item][data-name=cy] [data-testid=away-kick]', 'Remove cy: they will not come back as themselves'],
    ] as const) {
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>(sel)!;
      expect(button.hasAttribute('title')).toBe(false);
      const id = button.getAttribute('aria-describedby') ?? '';
      const tip = el.shadowRoot!.getElementById(id);
      expect(tip?.getAttribute('role')).toBe('tooltip');
      expect(tip?.textContent).toBe(words);
    }
    // Clicked, its tooltip goes until the pointer leaves it: it stood over the Remove
    // dialog's backdrop (a user tester's).
    const kick = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=participant-item][data-name=bob] [data-testid=member-kick]')!;
    kick.click();
    await el.updateComplete;
    expect(kick.classList.contains('tip-off')).toBe(true);
    kick.dispatchEvent(new MouseEvent('mouseleave'));
    expect(kick.classList.contains('tip-off')).toBe(false);
    el.remove();
    st.dispose();
  });

  /** The Remove dialog's words for a member of this role. */
  async function kickText(name: string, role: 'participant' | 'viewer'): Promise<string> {
    const { be, st } = await inParty('host');
    be.emit('party:event', joined(1, { id: 'm2', name, role }));
    const el = await askToRemove(st, name);
    const text = el.shadowRoot!.querySelector('[data-testid=kick-dialog] .body p')!.textContent!.replace(/\s+/g, ' ');
    el.remove();
    st.dispose();
    return text;
  }

  it('says what the invites do in words true before and after New invites', async () => {
    const text = await kickText('bob', 'participant');
    // "The invite still lets people in" read as if nothing could be done, also right after New invites.
    expect(text).not.toMatch(/The invite still lets people in/);
    expect(text).toMatch(/Anyone with a current invite link can still join, bob too if they still have one, unless new invites are made: the links given out so far then stop working\./);
    expect(text).not.toMatch(/as a viewer again/);
  });

  // A user tester's host found out only after the removal what became of the removed
  // member's prompts, and sent the one held for approval by reflex: said first.
  it('says what becomes of their prompts not sent yet', async () => {
    const { be, st } = await inParty('host');
    be.emit('party:event', joined(1, { id: 'm2', name: 'bob', role: 'participant' }));
    be.emit('party:event', prompt(2, { id: 'p1', user: 'bob', member: 'm2', text: 'held one' }));
    be.emit('party:event', approval(3, { batch: 'b1', prompts: ['p1'], merged: 'held one', merger: 'local' }));
    be.emit('party:event', prompt(4, { id: 'p2', user: 'bob', member: 'm2', text: 'waiting one' }));
    be.emit('party:event', prompt(5, { id: 'p3', user: 'bob', member: 'm2', text: 'waiting two' }));
    const el = await askToRemove(st, 'bob');
    const q = (id: string) => el.shadowRoot!.querySelector(`[data-testid=${id}]`)?.textContent?.replace(/\s+/g, ' ').trim();
    expect(q('kick-waiting')).toBe("bob's 2 waiting prompts are withdrawn: they are not sent.");
    expect(q('kick-held')).toBe("bob's prompt in the merged prompt that waits for approval stays in it: reject it, or edit it out, before you send it.");
    el.remove();
    st.dispose();
  });

  // A viewer removed comes back a viewer from the same window or terminal: said (a tester
  // was not told the demotion holds).
  it('says a viewer comes back a viewer', async () => {
    expect(await kickText('vee', 'viewer')).toMatch(/vee too if they still have one, as a viewer again from the same window or terminal, unless new invites are made/);
  });

  // A window tester removed bob, and the same `concordia join` let him straight back in:
  // keeping him out took New invites, somewhere else. The dialog offers both at once, and
  // makes the new invites first, so that his link stops working before he is disconnected;
  // a co-host is removed first, as a host may read the new links (a reviewer's).
  for (const [role, order] of [
    ['participant', ['NewInvites', 'Kick']],
    ['host', ['Kick', 'NewInvites']],
  ] as const) {
    it(`removes a ${role} and makes new invites in one go: ${order.join(', then ')}`, async () => {
      const { be, st } = await inParty('host');
      be.emit('party:event', joined(1, { id: 'm2', name: 'bob', role }));
      const el = await askToRemove(st, 'bob');
      const rotate = el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=kick-rotate]')!;
      expect(rotate.checked).toBe(false);
      rotate.checked = true;
      rotate.dispatchEvent(new Event('change'));
      await el.updateComplete;
      const confirm = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=kick-confirm]')!;
      expect(confirm.textContent).toBe('Remove and make new invites');
      confirm.click();
      await vi.waitFor(() => expect(be.count('Kick') + be.count('NewInvites')).toBe(2));
      expect(be.calls.map(([n]) => n).filter((n) => n === 'NewInvites' || n === 'Kick')).toEqual(order);
      el.remove();
      st.dispose();
    });
  }
});

describe('<party-view> members who are away', () => {
  // A window tester's co-host, killed, left the People list, and a window host could not
  // remove it: it could come back, a co-host, even after New invites.
  it('lists them for a host, with Remove, which asks first and removes them', async () => {
    const { be, st } = await inParty('host');
    const bob = { id: 'm2', name: 'bob', role: 'host' as const };
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', { ...left(2, bob), why: 'connection_lost', text: 'bob lost the connection: it broke off without leaving the party' });
    const el = await mount(st);
    const item = () => el.shadowRoot!.querySelector<HTMLElement>('[data-testid=away-item][data-name=bob]');
    expect(item()?.textContent).toMatch(/bob\s+co-host/);
    item()!.querySelector<HTMLButtonElement>('[data-testid=away-kick]')!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=kick-dialog] .body p')!.textContent!.replace(/\s+/g, ' ')).toMatch(/^bob is away: they will not come back as themselves\./);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=kick-confirm]')!.click();
    await vi.waitFor(() => expect(be.calls.filter(([n]) => n === 'Kick')).toEqual([['Kick', ['m2', '']]]));
    be.emit('party:event', { ...left(3, bob), why: 'kicked' });
    await el.updateComplete;
    expect(item()).toBeNull();
    el.remove();
    st.dispose();
  });

  it('keeps who is away over a reconnect whose history is cut short, and moves the focus along the Away list after a removal', async () => {
    const { be, st } = await inParty('host');
    const bob = { id: 'm2', name: 'bob', role: 'participant' as const };
    const cy = { id: 'm3', name: 'cy', role: 'participant' as const };
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', joined(2, cy));
    be.emit('party:event', left(3, bob));
    be.emit('party:event', left(4, cy));
    // A reconnect: the state's history holds only its newest events, none of them about bob or cy.
    be.emit('party:state', { ...emptyState({ seq: 5, participants: [st.session!.you], events: [{ ...prompt(5, { id: 'p1', user: 'ann', text: 'hi' }) }] }), truncated: true });
    expect(st.away.map((m) => m.name)).toEqual(['bob', 'cy']);
    const el = await mount(st);
    // The last one away removed: the focus goes to the one before it in Away.
    const kick = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=away-item][data-name=cy] [data-testid=away-kick]')!;
    kick.focus();
    kick.click();
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=kick-confirm]')!.click();
    await vi.waitFor(() => expect(be.count('Kick')).toBe(1));
    be.emit('party:event', { ...left(6, cy), why: 'kicked' });
    await vi.waitFor(() => expect(el.shadowRoot!.activeElement?.closest('[data-testid=away-item]')?.getAttribute('data-name')).toBe('bob'));
    el.remove();
    st.dispose();
  });

  // As Create's (home-screen): WebKitGTK, loaded, queues keys and clicks apart, so a click on
  // Remove could reach the page before the last keys of the reason, which everyone sees,
  // cut short. Remove reads it once the typing has settled, the focus left in the field.
  it('removes with the whole reason, the keys that reach the field after the click included', async () => {
    const { be, st } = await inParty('host');
    const bob = { id: 'm2', name: 'bob', role: 'participant' as const };
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', { ...left(2, bob), why: 'connection_lost', text: 'bob lost the connection' });
    const el = await mount(st);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=away-item][data-name=bob] [data-testid=away-kick]')!.click();
    await el.updateComplete;
    const reason = el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=kick-reason]')!;
    const type = (t: string) => {
      reason.value = t;
      reason.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    };
    type('spam');
    const confirm = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=kick-confirm]')!;
    const down = new MouseEvent('mousedown', { bubbles: true, composed: true, cancelable: true });
    confirm.dispatchEvent(down);
    expect(down.defaultPrevented).toBe(true);
    confirm.click();
    for (const t of ['spamming the', 'spamming the prompts']) {
      await new Promise((r) => setTimeout(r, 20));
      type(t);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS + 50));
    expect(be.calls.filter(([n]) => n === 'Kick')).toEqual([['Kick', ['m2', 'spamming the prompts']]]);
    el.remove();
    st.dispose();
  });

  it('shows no one away to a participant', async () => {
    const { be, st } = await inParty('participant');
    const bob = { id: 'm2', name: 'bob', role: 'participant' as const };
    be.emit('party:event', joined(1, bob));
    be.emit('party:event', left(2, bob));
    const el = await mount(st);
    expect(st.away).toEqual([bob]);
    expect(el.shadowRoot!.querySelector('[data-testid=away-list]')).toBeNull();
    el.remove();
    st.dispose();
  });
});

describe('<party-view> ending the party', () => {
  const dialog = (el: View) => el.shadowRoot!.querySelector('[data-testid=end-party-dialog]');

  // The tray's End party… used to end the party at once; it now brings the window forward
  // and asks here, as the window's own button does.
  it("opens the End party dialog when the tray asks, focused on Keep going; Keep going keeps the party", async () => {
    const { be, st } = await inParty('host');
    let ended = 0;
    be.handlers.EndParty = async () => void ended++;
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    expect(dialog(el)).toBeNull();

    be.emit('tray:end-party', null);
    await el.updateComplete;
    expect(dialog(el)).not.toBeNull();
    expect(el.shadowRoot!.querySelector('[data-testid=end-party-unsent]')).toBeNull(); // nothing waits
    expect(el.shadowRoot!.querySelector('[data-testid=end-party-draft]')).toBeNull(); // nothing typed
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('end-party-cancel');
    expect(ended).toBe(0);

    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=end-party-cancel]')!.click();
    await el.updateComplete;
    expect(dialog(el)).toBeNull();
    expect(ended).toBe(0);
    expect(st.ended).toBeNull();

    // Asked again, and confirmed: now it ends, and the dialog goes.
    be.emit('tray:end-party', null);
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=end-party-confirm]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(ended).toBe(1);
    expect(dialog(el)).toBeNull();
    el.remove();
    st.dispose();
  });

  // As Leave does: a window tester's host ended the party over a draft, with no word of it.
  it('says a draft in the prompt box is lost', async () => {
    const { be, st } = await inParty('host');
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    // Typed into the view's own prompt box, which owns the draft.
    const box = el.shadowRoot!.querySelector('prompt-box') as HTMLElement & { updateComplete: Promise<boolean> };
    const ta = box.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid=prompt-input]')!;
    ta.value = 'half a prompt';
    ta.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await box.updateComplete;
    be.emit('tray:end-party', null);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=end-party-draft]')?.textContent).toBe('What you typed in the prompt box has not been sent, and will not be.');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> ending with prompts waiting', () => {
  it('says how many waiting prompts are not sent', async () => {
    const { be, st } = await inParty('host');
    be.emit('party:event', prompt(1, { id: 'p1', user: 'bob', member: 'm2', text: 'one' }));
    be.emit('party:event', prompt(2, { id: 'p2', user: 'bob', member: 'm2', text: 'two' }));
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    st.askEnd();
    await el.updateComplete;
    const unsent = el.shadowRoot!.querySelector('[data-testid=end-party-unsent]');
    expect(unsent?.textContent?.replace(/\s+/g, ' ').trim()).toBe('2 waiting prompts are not sent. Everyone is told which; resuming this party from the home screen queues them again.');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> ending during a turn', () => {
  /** A host's party view with the End party dialog open. */
  async function endAsked() {
    const { be, st } = await inParty('host');
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    st.askEnd();
    await el.updateComplete;
    return { be, st, el };
  }

  it('says the turn under way is stopped, and a tool request waiting is denied', async () => {
    const { be, st, el } = await endAsked();
    const turn = () => el.shadowRoot!.querySelector('[data-testid=end-party-turn]')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(turn()).toBeUndefined(); // idle: nothing under way
    be.emit('party:event', phase(1, 'running'));
    await el.updateComplete;
    expect(turn()).toBe("The agent's turn under way is stopped where it is.");
    be.emit('party:event', phase(2, 'awaiting_permission'));
    await el.updateComplete;
    expect(turn()).toBe("The agent's tool request waiting for a decision is denied, and its turn is stopped where it is.");
    el.remove();
    st.dispose();
  });

  // A chaos tester stopped a host while its journal could not be written (a full disk), and
  // the party could never be resumed, even with room again: End party says what is lost first.
  it('says what a party whose journal is behind loses once ended', async () => {
    const { be, st, el } = await endAsked();
    const journal = () => el.shadowRoot!.querySelector('[data-testid=end-party-journal]')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(journal()).toBeUndefined();
    be.emit('party:event', { seq: 1, ts: '', kind: 'error', text: `${JOURNAL_FAILED}write journal: no space left on device); the party goes on` });
    await el.updateComplete;
    expect(journal()).toBe("The party's journal could not be written (is the disk full?): ended now, what happened since is missing from its history, and the party cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do). Make room first: it catches up within seconds.");
    be.emit('party:event', { seq: 2, ts: '', kind: 'system', text: JOURNAL_RECOVERED });
    await el.updateComplete;
    expect(journal()).toBeUndefined();
    // A journal that gave up does not catch up with room (a tester's was still told to
    // make room, minutes after).
    be.emit('party:event', { seq: 3, ts: '', kind: 'error', text: `${JOURNAL_FAILED}write journal: no space left on device); the party goes on` });
    be.emit('party:event', { seq: 4, ts: '', kind: 'error', text: `${JOURNAL_GAVE_UP}more than 64 MiB to write): what happens from here is kept in memory only` });
    await el.updateComplete;
    expect(journal()).toBe("The party's journal gave up catching up: what happened since it fell behind is missing from its history, and the party cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do).");
    el.remove();
    st.dispose();
  });
});

describe('<party-view> tool permissions', () => {
  async function view(role: 'host' | 'participant') {
    const { be, st } = await inParty(role);
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const q = <T extends Element = HTMLElement>(id: string) => el.shadowRoot!.querySelector<T>(`[data-testid=${id}]`);
    const select = () => q<HTMLSelectElement>('permission-mode-select');
    /** Chooses a mode as a person does. */
    const choose = async (mode: string) => {
      const sel = select()!;
      sel.value = mode;
      sel.dispatchEvent(new Event('change', { bubbles: true }));
      await el.updateComplete;
    };
    /** Lets rejected and resolved calls settle, then renders. */
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 0));
      await el.updateComplete;
    };
    const done = () => {
      el.remove();
      st.dispose();
    };
    return { be, st, el, q, select, choose, settle, done };
  }

  it("a host changes the tool permissions: disabled while asking, showing the party's mode until the host's settings event", async () => {
    const { be, el, q, select, choose, settle, done } = await view('host');
    const sel = select()!;
    expect(sel).not.toBeNull();
    expect(sel.closest('label')?.querySelector('.label')?.textContent).toBe('Tool permissions');
    expect([...sel.options].map((o) => [o.value, o.textContent])).toEqual(PARTY_PERMISSION_MODES.map((m) => [m.value, m.label]));
    expect(sel.value).toBe('ask');
    expect(sel.disabled).toBe(false);

    const call = deferred<void>();
    be.handlers.SetPermissionMode = () => call.promise;
    await choose('edits');
    expect(be.calls.filter(([n]) => n === 'SetPermissionMode')).toEqual([['SetPermissionMode', ['edits']]]);
    expect(select()!.disabled).toBe(true);
    expect(q('permission-mode-busy')).not.toBeNull();
    expect(select()!.value).toBe('ask'); // not confirmed by the host yet

    call.resolve();
    await settle();
    expect(select()!.disabled).toBe(false);
    expect(select()!.value).toBe('ask');
    be.emit('party:event', settings(1, false, 'edits'));
    await el.updateComplete;
    expect(select()!.value).toBe('edits');
    expect(q('party-permission-mode')?.textContent).toBe('File edits allowed; other tools ask a host');
    done();
  });

  it("a refusal is a notice, and the select goes back to the party's mode", async () => {
    const { be, st, select, choose, settle, done } = await view('host');
    be.handlers.SetPermissionMode = () => Promise.reject('Only a host can do this.');
    await choose('plan');
    await settle();
    expect(be.count('SetPermissionMode')).toBe(1);
    expect(st.notices.at(-1)?.text).toBe('Could not change the tool permissions: Only a host can do this.');
    expect(select()!.value).toBe('ask');
    expect(select()!.disabled).toBe(false);
    done();
  });

  // A tester ticked the box while reconnecting: the call was refused, but the box stayed
  // ticked with approval off (the property bound was false before and after, so nothing
  // reset it), and the next prompt went to the agent unapproved.
  it('the approval box goes back to the party\'s setting when turning approval on is refused', async () => {
    const { be, st, q, settle, done } = await view('host');
    be.handlers.SetApproval = () => Promise.reject('Not connected.');
    const box = q<HTMLInputElement>('approval-toggle')!;
    expect(box.checked).toBe(false);
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(be.count('SetApproval')).toBe(1);
    expect(st.notices.at(-1)?.text).toMatch(/^Could not turn approval on/);
    expect(q<HTMLInputElement>('approval-toggle')!.checked).toBe(false);
    done();
  });

  it('a settings event from another host changes the mode shown', async () => {
    const { be, el, select, done } = await view('host');
    be.emit('party:event', settings(1, false, 'plan'));
    await el.updateComplete;
    expect(select()!.value).toBe('plan');
    done();
  });

  // How long hosts have to decide a tool request, before one waits (the hello's
  // permission_timeout_ms); nothing from an older host, nor when nothing asks (all).
  it('says how long an undecided tool request waits, when the host says', async () => {
    const p = await view('participant');
    expect(p.q('party-permission-timeout')).toBeNull();
    p.st.session!.party.permission_timeout_ms = 120_000;
    p.el.requestUpdate();
    await p.el.updateComplete;
    expect(p.q('party-permission-timeout')?.textContent).toBe('Denied after 2 min if nobody decides');
    p.be.emit('party:event', settings(1, false, 'all'));
    await p.el.updateComplete;
    expect(p.q('party-permission-timeout')).toBeNull();
    p.done();
  });

  it('a participant sees the mode but gets no select; a host made a participant loses it', async () => {
    const p = await view('participant');
    expect(p.select()).toBeNull();
    // In words for everyone: a participant is not the "me" of "Ask me before each tool use".
    expect(p.q('party-permission-mode')?.textContent).toBe('Every tool use that needs permission asks a host');
    // Beside "Always allowed: Write", not "every tool use" (a window tester read it as a contradiction).
    p.be.emit('party:event', { ...settings(1, false, 'ask'), always: ['Write'] });
    await p.el.updateComplete;
    expect(p.q('party-permission-mode')?.textContent).toBe('Every other tool use that needs permission asks a host');
    p.be.emit('party:event', settings(2, false, 'plan'));
    await p.el.updateComplete;
    expect(p.q('party-permission-mode')?.textContent).toBe('Plan only — nothing is changed');
    p.done();

    const h = await view('host');
    expect(h.select()).not.toBeNull();
    h.be.emit('party:event', changed(1, { id: 'm1', name: 'ann', role: 'participant' }));
    await h.el.updateComplete;
    expect(h.select()).toBeNull();
    h.done();
  });

  // The host refuses a co-host's "all" (the agent runs on the owner's computer): the
  // window does not offer it to one.
  it('a co-host cannot choose "Allow everything"; the owner can', async () => {
    const words = (sel: HTMLSelectElement) => [...sel.querySelectorAll('option')].map((o) => o.textContent!.trim());
    const c = await view('participant');
    c.be.emit('party:event', changed(1, { id: 'm1', name: 'ann', role: 'host' }));
    await c.el.updateComplete;
    const all = c.select()!.querySelector<HTMLOptionElement>('option[value=all]')!;
    expect(all.disabled).toBe(true);
    expect(all.textContent).toMatch(/\(the owner only\)$/);
    expect(c.select()!.querySelector<HTMLOptionElement>('option[value=edits]')!.disabled).toBe(false);
    const coSelect = c.select()!;
    c.done();

    const h = await view('host');
    const own = h.select()!.querySelector<HTMLOptionElement>('option[value=all]')!;
    expect(own.disabled).toBe(false);
    expect(own.textContent).not.toMatch(/owner only/);
    // Any host is asked, as the hint under the select says: not "me", for a co-host nor
    // for the owner (a window tester's co-host read "Ask me before each tool use").
    for (const sel of [coSelect, h.select()!]) {
      expect(words(sel).join(' | ')).not.toMatch(/\bme\b/);
      expect(words(sel)).toContain('Ask a host before each tool use');
      expect(words(sel)).toContain('Allow file edits, ask a host for the rest');
      expect(sel.title).toBe('Ask a host before each tool use');
    }
    h.done();
  });

  it('"Allow everything" asks first: Cancel keeps the mode, confirming asks Go', async () => {
    const { be, el, q, select, choose, settle, done } = await view('host');
    await choose('all');
    await el.updateComplete; // the dialog focuses its safe choice
    expect(be.count('SetPermissionMode')).toBe(0);
    expect(q('permission-all-dialog')).not.toBeNull();
    expect(q('permission-all-text')?.textContent?.replace(/\s+/g, ' ')).toMatch(/run any command and change any file on this computer without asking anyone/);
    expect(el.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('permission-all-cancel');
    expect(select()!.value).toBe('ask');

    q<HTMLButtonElement>('permission-all-cancel')!.click();
    await el.updateComplete;
    expect(q('permission-all-dialog')).toBeNull();
    expect(be.count('SetPermissionMode')).toBe(0);
    expect(select()!.value).toBe('ask');

    await choose('all');
    q<HTMLButtonElement>('permission-all-confirm')!.click();
    await settle();
    expect(be.calls.filter(([n]) => n === 'SetPermissionMode')).toEqual([['SetPermissionMode', ['all']]]);
    expect(q('permission-all-dialog')).toBeNull();
    expect(select()!.value).toBe('ask');
    be.emit('party:event', settings(1, false, 'all'));
    await el.updateComplete;
    expect(select()!.value).toBe('all');
    done();
  });
});

describe('<party-view> and the keyboard', () => {
  // A tester's first prompt typed after joining went nowhere, and Tab showed no focus,
  // until a click: the prompt box has the keyboard when the party opens.
  it('puts the keyboard in the prompt box when the party opens', async () => {
    const { st } = await inParty('participant');
    const el = await mount(st);
    await el.updateComplete;
    const box = el.shadowRoot!.querySelector('prompt-box')!;
    expect(el.shadowRoot!.activeElement).toBe(box);
    expect(box.shadowRoot!.activeElement?.tagName).toBe('TEXTAREA');
    el.remove();
    st.dispose();
  });

  // Tab went past a dialog's buttons to the controls behind its backdrop (a tester's Enter
  // there started another action): behind a dialog the view is inert, and the keyboard is
  // in the dialog.
  it('makes the view behind its dialog inert, with the keyboard in the dialog', async () => {
    const { be, st } = await inParty('host');
    be.emit('party:event', joined(1, { id: 'm2', name: 'bob', role: 'participant' }));
    const el = await mount(st);
    const behind = () => ['.top', '.banner-slot', '.layout'].map((sel) => el.shadowRoot!.querySelector(sel)!.hasAttribute('inert'));
    expect(behind()).toEqual([false, false, false]);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-name=bob] [data-testid=member-kick]')!.click();
    await el.updateComplete;
    expect(behind()).toEqual([true, true, true]);
    const focused = el.shadowRoot!.activeElement as HTMLElement | null;
    expect(focused?.closest('[data-testid=kick-dialog]')).not.toBeNull();
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=kick-cancel]')!.click();
    await el.updateComplete;
    expect(behind()).toEqual([false, false, false]);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> in a narrow window', () => {
  // Below 900 px the header dropped "not encrypted" and showed nothing in its place (a
  // tester's 800×600 window): the warning keeps its icon, the words go.
  it('keeps the not-encrypted warning as an icon', async () => {
    const be = new FakeBackend();
    be.handlers.CreateParty = async () => ({ ...fakeSession('participant'), invite: `concordia://hostbox:8765/${'a'.repeat(43)}` });
    const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
    await st.start();
    expect(await st.createParty(createReq)).toBe(true);
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    expect(st.unencrypted).toBe(true);
    const el = await mount(st);
    const warn = el.shadowRoot!.querySelector('[data-testid=party-unencrypted]')!;
    expect(warn.classList.contains('narrow-hide')).toBe(false);
    expect(warn.querySelector('svg')).not.toBeNull();
    expect(warn.getAttribute('aria-label')).toBe('not encrypted');
    expect(warn.querySelector('.narrow-hide')?.textContent).toBe('not encrypted');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> after the person is gone, or the party', () => {
  /** What look reads in a participant's view before and after the party ends as said. */
  async function beforeAndAfter(ended: { reason: string; kicked: boolean }, look: (root: ShadowRoot) => string | null | undefined) {
    const { be, st } = await inParty('participant');
    const el = await mount(st);
    const before = look(el.shadowRoot!);
    be.emit('party:ended', ended);
    await el.updateComplete;
    const after = look(el.shadowRoot!);
    el.remove();
    st.dispose();
    return [before, after];
  }

  // Removed by a host, the header still called the person a "participant" (a tester's); the
  // phase and the banner say "removed", the role's place says nothing more.
  it('drops the role they had once removed', async () => {
    const [before, after] = await beforeAndAfter({ reason: 'removed by the host', kicked: true }, (r) => r.querySelector('[data-testid=party-you-role]')?.textContent ?? null);
    expect(before).toBe('participant');
    expect(after).toBeNull();
  });

  // A user tester read the side panel's people, after the host ended the party, as who
  // is there now.
  it('calls its people those at the end', async () => {
    const title = (r: ShadowRoot) => [...r.querySelectorAll('aside h3')].map((h) => h.textContent!.replace(/\s+/g, ' ').trim())[0];
    const [before, after] = await beforeAndAfter({ reason: 'the host ended the party', kicked: false }, title);
    expect(before).toMatch(/^People \d+$/);
    expect(after).toMatch(/^People at the end \d+$/);
  });

  // A window tester's participant pressed Leave and read "People at the end" while the
  // party went on without them; removed is the same.
  it('calls its people those when you left, or were removed, while the party goes on', async () => {
    const title = (r: ShadowRoot) => [...r.querySelectorAll('aside h3')].map((h) => h.textContent!.replace(/\s+/g, ' ').trim())[0];
    const { st } = await inParty('participant');
    const el = await mount(st);
    await st.leave();
    await el.updateComplete;
    expect(title(el.shadowRoot!)).toMatch(/^People when you left \d+$/);
    el.remove();
    st.dispose();
    const [, removed] = await beforeAndAfter({ reason: 'removed by the host', kicked: true }, title);
    expect(removed).toMatch(/^People when you were removed \d+$/);
  });

  // A window tester's "PEOPLE WHEN YOU WERE REMOVED" wrapped, its count floating beside both
  // lines (the heading was a flex row): the count goes on one line with the last word.
  it('keeps the people count with the last word of its heading', async () => {
    const last = (r: ShadowRoot) => r.querySelector('aside h3 .last')?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
    const [before, after] = await beforeAndAfter({ reason: 'removed by the host', kicked: true }, last);
    expect(before).toMatch(/^People \d+$/);
    expect(after).toMatch(/^removed \d+$/);
  });
});

describe('<party-view> a batch that waits for more prompts', () => {
  // A tester's lone prompt waited for a second one (min prompts 2) with no way to send it.
  for (const role of ['host', 'participant'] as const) {
    it(`${role === 'host' ? 'offers a host Send now, which sends what waits' : 'offers a participant no Send now'}`, async () => {
      const be = new FakeBackend();
      const s = fakeSession(role);
      s.party.min_prompts = 2;
      be.handlers.CreateParty = async () => s;
      const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
      await st.start();
      expect(await st.createParty(createReq)).toBe(true);
      be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
      const el = await mount(st);
      const button = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=send-now]');
      expect(button()).toBeNull();
      be.emit('party:event', prompt(1, { id: 'a', user: 'ann', text: 'alone' }));
      be.emit('party:event', phase(2, 'collecting'));
      await el.updateComplete;
      const pill = el.shadowRoot!.querySelector('phase-pill') as HTMLElement & { updateComplete: Promise<boolean> };
      await pill.updateComplete;
      expect(pill.shadowRoot!.querySelector('[data-testid=party-countdown]')!.textContent).toContain('waiting for 1 more');
      if (role === 'participant') {
        expect(button()).toBeNull();
      } else {
        button()!.click();
        await new Promise((r) => setTimeout(r, 0));
        expect(be.count('SendNow')).toBe(1);
      }
      el.remove();
      st.dispose();
    });
  }
});

// A tester's keyboard focus fell to the page after Stop and after closing Changes with its
// ×: the buttons it was on went away.
describe('<party-view> the focus when its control goes', () => {
  it('goes to the prompt box after Stop, and to the Changes button after the panel\'s ×', async () => {
    const { be, st } = await inParty('host');
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    be.emit('party:event', phase(1, 'running'));
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 0)); // the prompt box's first focus (firstUpdated) is done
    const q = <T extends HTMLElement>(id: string) => el.shadowRoot!.querySelector<T>(`[data-testid=${id}]`);
    q('stop-turn')!.focus();
    expect(el.shadowRoot!.activeElement).toBe(q('stop-turn'));
    q('stop-turn')!.click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(be.count('StopTurn')).toBe(1);
    const box = el.shadowRoot!.querySelector('prompt-box')!;
    expect(el.shadowRoot!.activeElement).toBe(box);

    q('changes-toggle')!.click();
    await el.updateComplete;
    const panel = q('changes-panel')!;
    await (panel as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete;
    panel.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=changes-close]')!.click();
    await el.updateComplete;
    await el.updateComplete;
    expect(st.workspace.open).toBe(false);
    expect(el.shadowRoot!.activeElement).toBe(q('changes-toggle'));
    el.remove();
    st.dispose();
  });
});

describe('<party-view> reconnecting', () => {
  // A tester's banner said "Next try in 15.0 s." for as long as it waited: the backoff
  // step, not the time left.
  it('counts down to the next attempt, then says it is trying', async () => {
    const { be, st } = await inParty('participant', 'reconnecting');
    vi.useFakeTimers();
    try {
      be.emit('party:status', { status: 'reconnecting', attempt: 3, error: 'connection refused', retry_ms: 15000 });
      const el = await mount(st);
      const countdown = () => el.shadowRoot!.querySelector('retry-in') as (HTMLElement & { updateComplete: Promise<boolean> }) | null;
      // What the banner's details line shows, the countdown's own text included.
      const text = () => {
        const d = el.shadowRoot!.querySelector('[data-testid=reconnect-banner] .details')!;
        return (d.textContent! + (countdown()?.shadowRoot?.textContent ?? '')).replace(/\s+/g, ' ');
      };
      await countdown()?.updateComplete;
      expect(text()).toMatch(/Next try in 15 s\./);
      vi.advanceTimersByTime(3000);
      await countdown()?.updateComplete;
      expect(text()).toMatch(/Next try in 12 s\./);
      vi.advanceTimersByTime(12000);
      await countdown()?.updateComplete;
      expect(text()).not.toMatch(/Next try/);
      expect(text()).toMatch(/Trying to reach the host/);
      // Not yet what to do if the party moved; a minute in, it is said.
      const moved = () => el.shadowRoot!.querySelector('[data-testid=reconnect-moved]')?.textContent;
      expect(moved()).toBeUndefined();
      be.emit('party:status', { status: 'reconnecting', attempt: 4, error: 'connection refused', retry_ms: 15000 });
      await el.updateComplete;
      expect(moved()).toBe('If the host started the party again at another address, leave it and join with the link they send.');
      el.remove();
    } finally {
      vi.useRealTimers();
      st.dispose();
    }
  });
});

describe('<party-view> the merger', () => {
  // A window tester's side panel said "Gemini" while every batch was merged locally
  // (Gemini unreachable): the last batch's merger is said beside it.
  it('says when the last prompts of a Gemini party were merged locally', async () => {
    const { be, st } = await inParty('participant');
    be.emit('party:event', { seq: 1, ts: '2026-12-05T12:00:00Z', kind: 'settings', approval: false, permission_mode: 'ask', merger: 'gemini' });
    const el = await mount(st);
    const merger = () => el.shadowRoot!.querySelector('[data-testid=party-merger]')!.textContent!.replace(/\s+/g, ' ').trim();
    await el.updateComplete;
    expect(merger()).toBe('Gemini');
    for (const [seq, id, user] of [[2, 'p1', 'ann'], [3, 'p2', 'bob'], [4, 'p3', 'ann']] as const) be.emit('party:event', prompt(seq, { id, user, text: `do ${id}` }));
    be.emit('party:event', batch(5, { id: 'b1', prompts: ['p1', 'p2'], merged: 'x', merger: 'local' }));
    await el.updateComplete;
    expect(merger()).toBe('Gemini (the last prompts were merged locally)');
    be.emit('party:event', batch(6, { id: 'b2', prompts: ['p3'], merged: 'do p3', merger: 'local' })); // as written: says nothing of Gemini
    await el.updateComplete;
    expect(merger()).toBe('Gemini (the last prompts were merged locally)');
    be.emit('party:event', batch(7, { id: 'b3', prompts: ['p1', 'p3'], merged: 'y', merger: 'gemini' }));
    await el.updateComplete;
    expect(merger()).toBe('Gemini');
    be.emit('party:event', batch(8, { id: 'b4', prompts: ['p2'], merged: 'do p2', merger: 'local' })); // a user tester's read "merged locally"
    await el.updateComplete;
    expect(merger()).toBe('Gemini');
    // Merged locally, then the host stopped and was resumed with Gemini: the resumed party
    // merged nothing yet (a window tester's panel kept "the last prompts were merged locally").
    be.emit('party:event', batch(9, { id: 'b5', prompts: ['p1', 'p2'], merged: 'z', merger: 'local' }));
    await el.updateComplete;
    expect(merger()).toBe('Gemini (the last prompts were merged locally)');
    be.emit('party:event', { seq: 10, ts: '2026-12-05T12:05:00Z', kind: 'system', text: 'the party was resumed' });
    await el.updateComplete;
    expect(merger()).toBe('Gemini');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> a host that does not answer', () => {
  // A window tester froze the host: the header said "Connected" beside "The host has not
  // answered for 21 s" under the prompt box.
  it('says Not answering while a send has had no answer for a while, and Connected once it has', async () => {
    const { be, st } = await inParty('participant');
    let answer: (a: { id: string; seq: number }) => void = () => {};
    be.handlers.SendPrompt = () => new Promise((r) => (answer = r));
    vi.useFakeTimers({ shouldAdvanceTime: false, toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const el = await mount(st);
      const conn = () => el.shadowRoot!.querySelector('[data-testid=party-connection]')!;
      void st.sendPrompt('hello');
      vi.advanceTimersByTime(2000);
      await el.updateComplete;
      expect(conn().textContent).toContain('Connected');
      vi.advanceTimersByTime(5000);
      await el.updateComplete;
      expect(conn().textContent).toContain('Not answering');
      expect(conn().getAttribute('data-status')).toBe('connected');
      answer({ id: 'p1', seq: 1 });
      await new Promise((r) => queueMicrotask(() => r(null)));
      await el.updateComplete;
      await el.updateComplete;
      expect(conn().textContent).toContain('Connected');
      el.remove();
    } finally {
      vi.useRealTimers();
      st.dispose();
    }
  });
});

describe('<party-view> reconnected, catching up', () => {
  // A long party's history came back over a slow link under "Reconnecting…" and a retry
  // countdown, as if the host had not answered.
  it('says the host answered and how far the catch-up has come, with no countdown', async () => {
    const { be, st } = await inParty('participant', 'reconnecting');
    be.emit('party:status', { status: 'reconnecting', attempt: 2, error: 'connection refused', retry_ms: 4000 });
    const el = await mount(st);
    const banner = () => el.shadowRoot!.querySelector('[data-testid=reconnect-banner]');
    expect(banner()?.querySelector('retry-in')).not.toBeNull();
    be.emit('party:status', { status: 'reconnecting', attempt: 2, error: '', retry_ms: 0, history: { have: 500, of: 2000 } });
    await el.updateComplete;
    expect(banner()?.textContent?.replace(/\s+/g, ' ').trim()).toBe('Reconnected; catching up on what you missed… 500 of 2,000 events (25%)');
    expect(banner()?.querySelector('retry-in')).toBeNull();
    expect(banner()?.querySelector('[data-testid=retry-now]')).toBeNull(); // nothing to retry (a reviewer's)
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(banner()).toBeNull();
    el.remove();
    st.dispose();
  });
});

describe('<party-view> the queue', () => {
  // A window tester saw a prompt twice: in the approval card, and under Queue.
  it('leaves out the prompts of the merged prompt that waits for approval, and says so', async () => {
    const { be, st } = await inParty('host');
    const el = await mount(st);
    const pA = { id: 'a', user: 'ann', text: 'add tests' };
    const pB = { id: 'b', user: 'bob', text: 'fix the build' };
    be.emit('party:event', prompt(1, pA));
    be.emit('party:event', approval(2, { batch: 'b1', prompts: ['a'], merged: 'add tests', merger: 'local' }));
    be.emit('party:event', prompt(3, pB));
    await el.updateComplete;
    const items = [...el.shadowRoot!.querySelectorAll('[data-testid=queue-item]')].map((li) => li.textContent);
    expect(items).toEqual([expect.stringContaining('fix the build')]);
    expect(el.shadowRoot!.querySelector('[data-testid=queue-held]')?.textContent).toContain('1 prompt is in the merged prompt that waits');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> people while out of touch', () => {
  // A window tester's list showed hazel as host, as if all was well, while the host could
  // not be reached.
  it('says the list is as it was when the host was last reached, and dims it', async () => {
    const { be, st } = await inParty('participant');
    const el = await mount(st);
    const stale = () => el.shadowRoot!.querySelector('[data-testid=people-stale]');
    const list = () => el.shadowRoot!.querySelector('[data-testid=participants-list]')!;
    expect(stale()).toBeNull();
    be.emit('party:status', { status: 'reconnecting', attempt: 1, error: 'connection refused', retry_ms: 1000 });
    await el.updateComplete;
    expect(stale()?.textContent).toContain('As they were when the host was last reached');
    expect(list().classList.contains('stale')).toBe(true);
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(stale()).toBeNull();
    expect(list().classList.contains('stale')).toBe(false);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> where the focus goes when its control goes', () => {
  /** The test id (or tag) of what has the keyboard focus inside the view, '' for the page. */
  const focused = (el: View): string => {
    if (document.activeElement !== el) return '';
    const a = el.shadowRoot!.activeElement as HTMLElement | null;
    return a?.dataset.testid ?? a?.tagName.toLowerCase() ?? '';
  };
  const settle = async (el: View) => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      await el.updateComplete;
    }
  };

  // A tester removed the last person in People; the row went, and the focus with it.
  it('after Remove, goes to the next person in People', async () => {
    const { be, st } = await inParty('host');
    be.emit('party:event', joined(1, { id: 'm2', name: 'bob', role: 'participant' }));
    be.emit('party:event', joined(2, { id: 'm3', name: 'carol', role: 'participant' }));
    const el = await mount(st);
    const kick = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-name=carol] [data-testid=member-kick]')!;
    kick.focus();
    kick.click();
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=kick-confirm]')!.click();
    await settle(el);
    be.emit('party:event', { seq: 3, ts: '', kind: 'participants', left: { id: 'm3', name: 'carol', role: 'participant' }, count: 2, why: 'kicked' });
    await settle(el);
    expect(el.shadowRoot!.querySelector('[data-name=carol]')).toBeNull();
    expect(focused(el)).toBe('member-role');
    expect(el.shadowRoot!.activeElement!.closest('[data-name]')?.getAttribute('data-name')).toBe('bob');
    el.remove();
    st.dispose();
  });

  it('after End party, goes to Back to home', async () => {
    const { st } = await inParty('host');
    const el = await mount(st);
    const end = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=end-party]')!;
    end.focus();
    end.click();
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=end-party-confirm]')!.click();
    await settle(el);
    expect(st.ended).not.toBeNull();
    expect(focused(el)).toBe('back-home');
    el.remove();
    st.dispose();
  });

  it("a member's Removed view puts the focus on Back to home", async () => {
    const { be, st } = await inParty('participant');
    const el = await mount(st);
    await settle(el);
    expect(focused(el)).toBe('prompt-box');
    be.emit('party:ended', { reason: 'a host removed you from the party', kicked: true });
    await settle(el);
    expect(st.displayPhase).toBe('removed');
    expect(focused(el)).toBe('back-home');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> icon-only header buttons', () => {
  /**
   * The words a control shows on hover: its title, or its data-tip when one of the view's
   * rules draws it (a rule for `X::after` whose X, without :hover and :focus-visible, is
   * the control).
   */
  function tooltip(view: HTMLElement, control: HTMLElement): string {
    if (control.title) return control.title;
    const tip = control.dataset.tip ?? '';
    if (!tip) return '';
    // The view's own styles, parsed (jsdom keeps no sheet for a shadow root's adopted styles).
    const styles = (view.constructor as unknown as { elementStyles: Array<{ cssText: string }> }).elementStyles;
    const sheets = styles.map(({ cssText }) => {
      const tag = document.createElement('style');
      tag.textContent = cssText;
      document.head.append(tag);
      const sheet = tag.sheet!;
      tag.remove();
      return sheet;
    });
    const drawn = sheets.some((sheet) =>
      [...sheet.cssRules].some((r) => {
        const sel = (r as CSSStyleRule).selectorText ?? '';
        return sel.split(',').some((one) => {
          if (!one.includes('::after')) return false;
          const base = one.replace(/::after/g, '').replace(/:hover|:focus-visible/g, '').trim();
          try {
            return (r as CSSStyleRule).style.content.includes('attr(data-tip)') && control.matches(base);
          } catch {
            return false;
          }
        });
      }),
    );
    // A rule that hides it (a clicked button's, .tip-off) wins: it comes after.
    const hidden = sheets.some((sheet) =>
      [...sheet.cssRules].some((r) => {
        const sel = (r as CSSStyleRule).selectorText ?? '';
        return (r as CSSStyleRule).style?.display === 'none' && sel.split(',').some((one) => one.includes('::after') && control.matches(one.replace(/::after/g, '').trim()));
      }),
    );
    return drawn && !hidden ? tip : '';
  }

  // A user tester's Changes tooltip stood over the panel its click opened, and Settings'
  // over the dialog (WebKitGTK keeps a native one until the pointer moves): clicked, the
  // header's tooltips go until the pointer leaves the button.
  it("hide a header button's tooltip once it is clicked, until the pointer leaves it", async () => {
    const { st } = await inParty('participant');
    const el = await mount(st);
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`)!;
    for (const id of ['changes-toggle', 'party-settings', 'find-open', 'panel-toggle']) {
      expect(q(id).title, id).toBe('');
      expect(tooltip(el, q(id)), id).not.toBe('');
    }
    q('party-settings').click();
    expect(tooltip(el, q('party-settings'))).toBe('');
    q('party-settings').dispatchEvent(new MouseEvent('mouseout', { bubbles: true, composed: true, relatedTarget: q('party-settings') }));
    expect(tooltip(el, q('party-settings'))).toBe(''); // still on it
    q('party-settings').dispatchEvent(new MouseEvent('mouseout', { bubbles: true, composed: true, relatedTarget: q('party-view') }));
    expect(tooltip(el, q('party-settings'))).toBe('Settings');
    // Pressed from the keyboard: back once the focus leaves it (a reviewer's keyboard lost
    // the tooltips for good); and Changes' words reach a screen reader too.
    q('changes-toggle').click();
    expect(tooltip(el, q('changes-toggle'))).toBe('');
    q('changes-toggle').dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
    expect(tooltip(el, q('changes-toggle'))).not.toBe('');
    const described = el.shadowRoot!.getElementById(q('changes-toggle').getAttribute('aria-describedby') ?? '');
    expect(described?.textContent).toBe(q('changes-toggle').dataset['tip']);
    st.closeSettings();
    el.remove();
    st.dispose();
  });

  // At 480 px Stop and Send now are an icon each, with an aria-label and no tooltip (a tester's).
  it('give Stop and Send now a tooltip', async () => {
    const be = new FakeBackend();
    const s = fakeSession('host');
    s.party.min_prompts = 2;
    be.handlers.CreateParty = async () => s;
    const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
    await st.start();
    expect(await st.createParty(createReq)).toBe(true);
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    const el = await mount(st);
    be.emit('party:event', prompt(1, { id: 'a', user: 'ann', text: 'alone' }));
    be.emit('party:event', phase(2, 'collecting'));
    await el.updateComplete;
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`)!;
    expect(tooltip(el, q('send-now'))).toMatch(/Send the waiting prompts now/);
    be.emit('party:event', phase(3, 'running'));
    await el.updateComplete;
    expect(tooltip(el, q('stop-turn'))).toMatch(/Stop the agent's turn/);
    expect(tooltip(el, q('party-connection'))).toBe('Connected');
    // The connection's dot alone (below 720 px) is named for a screen reader.
    expect(q('party-connection').getAttribute('aria-label')).toBe('Connected');
    // Changes' count leaves out a changed .env: its tooltip says it (a window tester's count looked wrong).
    st.workspace.level = 'changes';
    st.workspace.onChanges([{ path: 'a.go', status: 'modified', additions: 1, deletions: 0 }], 1);
    el.requestUpdate();
    await el.updateComplete;
    expect(tooltip(el, q('changes-toggle'))).toBe('What changed in the working folder, by the agent or by hand: 1 file, and 1 that may hold credentials (not shown)');
    el.remove();
    st.dispose();
  });
});

describe('<party-view> find', () => {
  // On a Mac, Ctrl+F moves the caret in a text field: only ⌘F finds there (a reviewer's).
  it('takes ⌘F on a Mac and Ctrl+F elsewhere', async () => {
    const { isFindKey } = await import('./party-view');
    const key = (init: KeyboardEventInit) => new KeyboardEvent('keydown', { key: 'f', ...init });
    expect(isFindKey(key({ metaKey: true }), true)).toBe(true);
    expect(isFindKey(key({ ctrlKey: true }), true)).toBe(false);
    expect(isFindKey(key({ ctrlKey: true }), false)).toBe(true);
    expect(isFindKey(key({ metaKey: true }), false)).toBe(false);
    expect(isFindKey(key({ ctrlKey: true, shiftKey: true }), false)).toBe(false);
    expect(isFindKey(new KeyboardEvent('keydown', { key: 'F', ctrlKey: true }), false)).toBe(true); // Caps Lock
  });

  // The window has no find bar of its own: Ctrl+F, and the header's button, open the
  // transcript's, its field focused; a dialog open keeps Ctrl+F for itself.
  it('opens the find bar with Ctrl+F and with its button', async () => {
    const { st } = await inParty('participant');
    const el = await mount(st);
    const tv = el.shadowRoot!.querySelector('transcript-view')!;
    const bar = () => tv.shadowRoot!.querySelector('transcript-find');
    expect(bar()).toBeNull();
    const ctrlF = new KeyboardEvent('keydown', { key: 'f', ctrlKey: true, bubbles: true, composed: true, cancelable: true });
    document.dispatchEvent(ctrlF);
    expect(ctrlF.defaultPrevented).toBe(true);
    await (tv as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    await bar()!.updateComplete;
    await new Promise((r) => setTimeout(r, 0));
    expect(bar()!.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('find-input');
    bar()!.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=find-close]')!.click();
    await (tv as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect(bar()).toBeNull();
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=find-open]')!.click();
    await (tv as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect(bar()).not.toBeNull();
    el.remove();
    st.dispose();
  });
});

describe('<party-view> the last host leaving', () => {
  // A tester's co-host left at once while two tool requests waited for a host, the only one
  // there; the requests waited out their time. Leave says so first; not while another host
  // is here.
  it('says what waits for a host before the last one here leaves', async () => {
    const { be, st } = await inParty('participant');
    const el = document.createElement('party-view') as View;
    el.state = st;
    document.body.append(el);
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    be.emit('party:event', changed(1, { id: 'm1', name: 'ann', role: 'host' })); // made a co-host
    be.emit('party:event', prompt(2, { id: 'p1', user: 'bob', text: 'run the tests' }));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1'], merged: 'run the tests', merger: 'local' }));
    for (const id of ['t1', 't2']) be.emit('party:event', permission(id === 't1' ? 4 : 5, { id, tool: 'Bash', summary: `touch ${id}`, batch: 'b1', status: 'pending' }));
    await el.updateComplete;
    q('leave-party')!.click();
    await el.updateComplete;
    expect(q('leave-requests')?.textContent).toBe("2 tool requests wait for a host's decision, and no other host is here: if you leave, they are denied when their time runs out.");
    expect(be.calls.some(([m]) => m === 'Leave')).toBe(false);
    expect(q('leave-alone')).toBeNull(); // what waits says it
    q('leave-cancel')!.click();
    await el.updateComplete;
    // Nothing waits: still asked, and told that nobody will decide (a user tester's last
    // co-host of a party hosted with --no-local-repl left with no word of it).
    for (const id of ['t1', 't2']) be.emit('party:event', permission(id === 't1' ? 6 : 7, { id, tool: 'Bash', summary: `touch ${id}`, batch: 'b1', status: 'denied', reason: 'no decision within 2m0s' }));
    await el.updateComplete;
    q('leave-party')!.click();
    await el.updateComplete;
    expect(q('leave-requests')).toBeNull();
    expect(q('leave-alone')?.textContent).toBe('You are the last host here: until another comes back, nobody can stop a turn or decide a tool request (each is denied when its time runs out).');
    expect(be.calls.some(([m]) => m === 'Leave')).toBe(false);
    q('leave-cancel')!.click();
    await el.updateComplete;
    // Another host here: it leaves at once.
    be.emit('party:event', joined(8, { id: 'm9', name: 'hana', role: 'host' }));
    await el.updateComplete;
    q('leave-party')!.click();
    await el.updateComplete;
    expect(q('leave-dialog')).toBeNull();
    expect(be.calls.some(([m]) => m === 'Leave')).toBe(true);
    el.remove();
    st.dispose();
  });
});

// A window tester's co-host window while the host was down: the phase, the connection, the
// banner and the prompt box's hint all said "Reconnecting", and Stop stayed live (its click
// ended in an error notice over the banner). After Leave: "Left", "LEFT", the banner and the
// hint. Each is said by the phase and the banner; what needs the host is disabled.
describe('<party-view> out of touch with the host, and after Leave', () => {
  /** The words a person reads in the header, the banner and under the prompt box (tooltips and screen-reader text aside). */
  const shownText = (el: View) => {
    const text = (root: Node): string => {
      let out = '';
      for (const n of root.childNodes) {
        if (n.nodeType === Node.TEXT_NODE) out += ` ${n.textContent}`;
        else if (n instanceof HTMLElement && !n.classList.contains('sr-only') && n.localName !== 'style') out += text(n.shadowRoot ?? n) + (n.shadowRoot ? text(n) : '');
        else if (n instanceof SVGElement) continue;
      }
      return out;
    };
    const r = el.shadowRoot!;
    const foot = r.querySelector('prompt-box')!.shadowRoot!.querySelector('.foot');
    return [r.querySelector('.top')!, r.querySelector('.banner-slot')!, ...(foot ? [foot] : [])].map(text).join(' ');
  };

  it('says "Reconnecting" in the phase and the banner only, and disables Stop and the host controls until connected', async () => {
    const { be, st } = await inParty('host', 'reconnecting');
    be.emit('party:event', phase(1, 'running'));
    const el = await mount(st);
    await el.updateComplete;
    const prompt = el.shadowRoot!.querySelector('prompt-box') as unknown as View;
    await prompt.updateComplete;
    const q = <T extends HTMLElement>(id: string) => el.shadowRoot!.querySelector<T>(`[data-testid=${id}]`);
    expect(shownText(el).match(/reconnecting/gi)?.length).toBe(2);
    expect(q('party-connection')!.getAttribute('aria-label')).toBe('Reconnecting');
    expect(prompt.shadowRoot!.querySelector('[data-testid=prompt-disabled-reason]')).toBeNull();
    expect(q<HTMLButtonElement>('stop-turn')!.disabled).toBe(true);
    expect(q<HTMLFieldSetElement>('host-controls')!.disabled).toBe(true);

    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(shownText(el)).toMatch(/Connected/);
    expect(q<HTMLButtonElement>('stop-turn')!.disabled).toBe(false);
    expect(q<HTMLFieldSetElement>('host-controls')!.disabled).toBe(false);
    el.remove();
    st.dispose();
  });

  it('says "left" in the phase and the banner only, not in the role\'s place or under the prompt box', async () => {
    const { st } = await inParty('participant');
    const el = await mount(st);
    await st.leave();
    await el.updateComplete;
    const prompt = el.shadowRoot!.querySelector('prompt-box') as unknown as View;
    await prompt.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=party-you-role]')).toBeNull();
    expect(prompt.shadowRoot!.querySelector('[data-testid=prompt-disabled-reason]')).toBeNull();
    expect(shownText(el).match(/\bleft\b/gi)?.length).toBe(2);
    el.remove();
    st.dispose();
  });
});

describe('<party-view> telling people apart in People', () => {
  // A window tester's Teammate 1, 10 and 11 were all "T1", "member number N" all "MN", long
  // names were cut to one prefix, and the role sat beside a short name and under a long one.
  it('gives each member initials and a colour of its own, the whole name in its tooltip, and the role under the name', async () => {
    const names = ['Teammate 1', 'Teammate 10', 'Teammate 11', 'member number 3 of the night shift crew', 'member number 4 of the night shift crew'];
    for (const role of ['host', 'participant'] as const) {
      const { be, st } = await inParty(role);
      names.forEach((name, i) => be.emit('party:event', joined(i + 1, { id: `m${i + 2}`, name, role: 'participant' })));
      const el = await mount(st);
      const rows = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[data-testid=participant-item]')];
      expect(rows.map((r) => r.dataset.name)).toEqual(names);
      const avatars = rows.map((r) => r.querySelector<HTMLElement>('.avatar')!);
      expect(new Set(avatars.map((a) => a.textContent)).size).toBe(rows.length);
      expect(new Set(avatars.map((a) => a.style.background)).size).toBe(rows.length);
      for (const r of rows) {
        expect(r.querySelector('.name')!.getAttribute('title')).toBe(r.dataset.name);
        // The role (a host's select, or its tag) in the line under the name, for every row.
        const roleHere = r.querySelector('.name + .role-line > [data-testid=member-role], .name + .role-line > [data-testid=member-role-tag]');
        expect(roleHere, `${role}'s view, ${r.dataset.name}`).not.toBeNull();
      }
      el.remove();
      st.dispose();
    }
  });
});

describe('<party-view> a role changed from People', () => {
  // A window tester made "root" a co-host: root jumped to the top (hosts first), and the
  // select under the pointer, with the focus, was another member's: the next click could
  // change the wrong person.
  it('keeps the list as it is, the focus with that member, until the pointer and the focus leave it', async () => {
    const { be, st } = await inParty('host');
    const names = ['bob', 'carol', 'root'];
    names.forEach((name, i) => be.emit('party:event', joined(i + 1, { id: `m${i + 2}`, name, role: 'participant' })));
    const el = await mount(st);
    const list = el.shadowRoot!.querySelector<HTMLElement>('[data-testid=participants-list]')!;
    const order = () => [...list.querySelectorAll<HTMLElement>('[data-testid=participant-item]')].map((r) => r.dataset.name);
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 0));
        await el.updateComplete;
      }
    };
    expect(order()).toEqual(names);
    list.dispatchEvent(new MouseEvent('mouseenter'));
    const select = list.querySelector<HTMLSelectElement>('[data-name=root] [data-testid=member-role]')!;
    select.focus();
    select.value = 'host';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    be.emit('party:event', changed(4, { id: 'm4', name: 'root', role: 'host' }));
    await settle();
    expect(st.participants.map((m) => m.name)).toEqual(['root', 'bob', 'carol']); // the host's order
    expect(order()).toEqual(names); // not under the pointer
    const active = el.shadowRoot!.activeElement as HTMLSelectElement;
    expect(active.closest<HTMLElement>('[data-testid=participant-item]')!.dataset.name).toBe('root');
    expect(active.value).toBe('host');
    // The pointer goes; the focus is still there: the list stays.
    list.dispatchEvent(new MouseEvent('mouseleave'));
    await settle();
    expect(order()).toEqual(names);
    // Someone joins meanwhile: below the others, the rest still in place.
    be.emit('party:event', joined(5, { id: 'm5', name: 'dee', role: 'participant' }));
    await settle();
    expect(order()).toEqual([...names, 'dee']);
    // The focus goes too: the list takes the host's order.
    active.blur();
    await settle();
    expect(order()).toEqual(['root', 'bob', 'carol', 'dee']);
    el.remove();
    st.dispose();
  });
});
