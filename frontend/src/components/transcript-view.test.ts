// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { AppState } from '../state/app-state';
import { emptyState, noKey } from '../state/fake-backend';
import type { KeyStatus, PartyEvent, PartyState } from '../state/types';
import { batch, left, out, phase, prompt, sys } from '../state/events.test-helpers';
import { inParty } from '../state/party.test-helpers';
import { deniedWords } from '../state/turn-end';
import { findInTranscript, matchCount, matchesIn } from '../state/transcript-search';
import { NOT_RUN_AGAIN, NOT_RUN_AGAIN_WORDS, RESUMED_WITHOUT } from '../state/shown-words';
import { AGENT_EXITED_IDLE } from '../state/transcript';
import './transcript-view';
import { PermissionCard } from './cards';

// jsdom has no ResizeObserver; the view measures rows with one.
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
} as unknown as typeof ResizeObserver;

/** A participant's connected party, and a <transcript-view> of it in the document. */
async function mounted(state?: PartyState) {
  const { be, st } = await inParty('participant', 'connected', state);
  const el = document.createElement('transcript-view') as HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
  el.state = st;
  document.body.append(el);
  return { be, st, el };
}

describe('<transcript-view>', () => {
  it('a turn drawn while reconnecting shows the agent at work once connected', async () => {
    const { be, el } = await mounted();
    be.emit('party:status', { status: 'reconnecting', attempt: 1, error: '', retry_ms: 500 });
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', phase(2, 'running'));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(4, 'echo: go'));
    await el.updateComplete;
    const working = () => el.shadowRoot!.querySelector('[data-testid=turn-working]');
    expect(el.shadowRoot!.querySelector('[data-testid=reply]')).not.toBeNull();
    expect(working()).toBeNull(); // reconnecting: nobody knows whether it works
    be.emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    await el.updateComplete;
    expect(working()).not.toBeNull();
    el.remove();
  });

  // A window tester's card listed new_name.txt alone, where the Changes panel said
  // "new_name.txt from old_name.txt".
  it("a turn card names a renamed file's old name", async () => {
    const { be, el } = await mounted();
    be.emit('party:event', { seq: 1, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'changes' });
    be.emit('party:event', prompt(2, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', { seq: 4, ts: '', kind: 'changes', files: [
      { path: 'new_name.txt', status: 'renamed', from: 'old_name.txt', additions: 0, deletions: 0 },
      { path: 'big.txt', status: 'added', additions: 3, deletions: 0 },
    ] });
    await el.updateComplete;
    const chips = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[data-testid=turn-file]')];
    expect(chips.map((c) => c.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['new_name.txt from old_name.txt', 'big.txt']);
    expect(chips[0]!.title).toContain('Renamed from old_name.txt');
    el.remove();
  });

  // A tester's turn left 25,000 files: the card drew a chip for each, and the window froze.
  // "and 10 more" opened the panel on another turn's diff, and never showed the 10 (a
  // window tester's): it shows them here, up to 300; past that the panel's list.
  it('a turn card names its first 30 changed files, and shows the rest when asked', async () => {
    const { be, st, el } = await mounted();
    be.emit('party:event', { seq: 1, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'changes' });
    be.emit('party:event', prompt(2, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    const files = Array.from({ length: 40 }, (_, i) => ({ path: `many/f${i}.txt`, status: 'added', additions: 1, deletions: 0 }));
    be.emit('party:event', { seq: 4, ts: '', kind: 'changes', files });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[data-testid=turn-file]').length).toBe(30);
    const more = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=turn-files-more]')!;
    expect(more.textContent?.trim()).toBe('and 10 more');
    more.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[data-testid=turn-file]').length).toBe(40);
    expect(st.workspace.open).toBe(false);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=turn-files-fewer]')!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[data-testid=turn-file]').length).toBe(30);

    const lots = Array.from({ length: 350 }, (_, i) => ({ path: `lots/f${i}.txt`, status: 'added', additions: 1, deletions: 0 }));
    be.emit('party:event', { seq: 5, ts: '', kind: 'changes', files: [...files, ...lots] });
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=turn-files-more]')!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[data-testid=turn-file]').length).toBe(300);
    await st.workspace.showDiff('many/f1.txt'); // a diff open in the panel
    const panel = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=turn-files-panel]')!;
    expect(panel.textContent?.trim()).toBe('and 90 more in the Changes panel');
    panel.click();
    expect(st.workspace.open).toBe(true);
    expect(st.workspace.selected).toBeNull(); // the list, not that diff
    el.remove();
  });

  // A window tester's "hostie made bob a co-host", made while the agent's Bash request
  // waited, showed under the finished turn's "Done"; "You came back" after a resume, after
  // the output that followed it; then inside the turn's card, between a tool card and the
  // reply. Split there, a flapping connection's notices stood between a turn's header and
  // its end (another window tester's). The turn is one card; the party's notices that came
  // while it ran follow it, in order, and find finds them there.
  it("the party's notices while a turn runs follow its one card, in the order they came", async () => {
    const { be, st, el } = await mounted();
    const you = st.session!.you;
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'run the tests' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'run the tests', merger: 'local' }));
    be.emit('party:event', out(3, 'Bash: go test ./...\n', 'tool'));
    be.emit('party:event', { seq: 4, ts: '', kind: 'permission', permission: { id: 'r1', tool: 'Bash', summary: 'go test ./...', batch: 'b1', status: 'pending' } });
    be.emit('party:event', { seq: 5, ts: '', kind: 'participants', changed: { id: 'm9', name: 'bob', role: 'host' }, count: 3 });
    be.emit('party:event', sys(6, 'hostie made bob a co-host'));
    be.emit('party:event', { seq: 7, ts: '', kind: 'participants', left: you, count: 2 });
    be.emit('party:event', { seq: 8, ts: '', kind: 'participants', joined: you, count: 3 });
    const root = el.shadowRoot!;
    const article = () => root.querySelector('article.turn')!;
    const order = () =>
      [...article().querySelectorAll('header, permission-card, [data-testid=turn-event], markdown-view[data-testid=reply], [data-testid=turn-end]')].map((n) =>
        n.localName === 'permission-card' ? 'card' : n.localName === 'header' ? 'header' : n.getAttribute('data-testid') === 'turn-event' ? `${n.getAttribute('data-kind')}: ${n.textContent?.trim()}` : n.getAttribute('data-testid'),
      );
    const notices = ['system: hostie made bob a co-host', 'participants: the host lost your connection for a while', 'participants: you came back'];
    await el.updateComplete;
    expect(order()).toEqual(['header', 'card', ...notices]);
    be.emit('party:event', { seq: 9, ts: '', kind: 'permission', permission: { id: 'r1', tool: 'Bash', summary: 'go test ./...', batch: 'b1', status: 'allowed', by: 'hostie' } });
    be.emit('party:event', out(10, '-> ok\n', 'tool'));
    be.emit('party:event', out(11, 'All tests pass.'));
    await el.updateComplete;
    // The card grows above them.
    expect(order()).toEqual(['header', 'card', 'reply', ...notices]);
    be.emit('party:event', { seq: 12, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'done', duration_ms: 1200 } });
    await el.updateComplete;
    expect(order()).toEqual(['header', 'card', 'reply', 'turn-end', ...notices]);
    // Nothing after the turn: the notices are in its item.
    const items = [...root.querySelectorAll('[data-testid=transcript-item]')];
    expect(items.at(-1)).toBe(article());
    // One card: the header, the request, the reply and the end in it; the notices, shown as
    // the party's notices are, outside it (not in a tool group or the reply).
    const cards = article().querySelectorAll('[data-testid=turn-card]');
    expect(cards.length).toBe(1);
    for (const sel of ['header', 'permission-card', 'markdown-view[data-testid=reply]', '[data-testid=turn-end]']) expect(cards[0]!.querySelector(sel)).not.toBeNull();
    for (const n of article().querySelectorAll('[data-testid=turn-event]')) {
      expect(n.classList.contains('notice')).toBe(true);
      expect(n.closest('activity-group, markdown-view, .void, .body, [data-testid=turn-card]')).toBeNull();
    }
    expect(matchCount(findInTranscript(st.transcript, 'made bob a co-host'))).toBe(1);
    el.remove();
  });

  // After a resume, the batch's "again" card was its header alone, the run's output in a
  // card of its own under "merging with Gemini / you came back / claude started", and its
  // end under "cy came back" (a window tester's).
  it('a turn run again after a resume is one card, the notices that came as it started after it', async () => {
    const { be, st, el } = await mounted();
    const you = st.session!.you;
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'touch a file' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'touch a file', merger: 'local' }));
    be.emit('party:event', out(3, 'I will touch'));
    be.emit('party:event', sys(4, 'the party was resumed: the batch that was running is sent to the agent again'));
    be.emit('party:event', { seq: 5, ts: '', kind: 'retry', batch: 'b1', resumed: true });
    be.emit('party:event', sys(6, 'merging with Gemini (gemini-flash-latest)'));
    be.emit('party:event', { seq: 7, ts: '', kind: 'participants', joined: you, count: 2 });
    be.emit('party:event', sys(8, 'claude started'));
    be.emit('party:event', out(9, 'I will touch a file.'));
    be.emit('party:event', { seq: 10, ts: '', kind: 'participants', joined: { id: 'm7', name: 'cy', role: 'participant' }, count: 3 });
    be.emit('party:event', { seq: 11, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'done', duration_ms: 900 } });
    await el.updateComplete;
    const again = el.shadowRoot!.querySelector('article.turn[data-again=true]')!;
    const card = again.querySelectorAll('[data-testid=turn-card]');
    expect(card.length).toBe(1);
    expect(card[0]!.querySelector('[data-testid=turn-again]')).not.toBeNull();
    expect(card[0]!.querySelector('markdown-view[data-testid=reply]')).not.toBeNull();
    expect(card[0]!.querySelector('[data-testid=turn-end]')).not.toBeNull();
    expect([...again.querySelectorAll('[data-testid=turn-event]')].map((n) => n.textContent?.trim())).toEqual(['merging with Gemini (gemini-flash-latest)', 'you joined', 'claude started', 'cy joined']);
    el.remove();
  });

  // "you stopped the turn" comes after the turn's last output and just before its end: the
  // card ends with the end, and the notice follows it.
  it("a party's notice after a finished turn's last output follows its card, which keeps its end", async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'a slow one' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'a slow one', merger: 'local' }));
    be.emit('party:event', out(3, 'echo: a sl'));
    be.emit('party:event', sys(4, 'hostie stopped the turn'));
    be.emit('party:event', { seq: 5, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'interrupted', duration_ms: 500, error: 'stopped by hostie' } });
    await el.updateComplete;
    const article = el.shadowRoot!.querySelector('article.turn')!;
    const cards = [...article.querySelectorAll('[data-testid=turn-card]')];
    expect(cards.length).toBe(1);
    expect(cards[0]!.querySelector('markdown-view[data-testid=reply]')).not.toBeNull();
    expect(cards[0]!.querySelector('[data-testid=turn-end]')).not.toBeNull();
    const notice = article.querySelector('[data-testid=turn-event]')!;
    expect(notice.closest('[data-testid=turn-card]')).toBeNull();
    expect(cards[0]!.compareDocumentPosition(notice) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    el.remove();
  });

  // A flapping connection: 11 pairs of "bea lost the connection… / bea came back" (a
  // window tester's), one line that counts, found by find.
  it("a flapping connection's lines are one line that counts, after the turn's card, and find finds it", async () => {
    const { be, st, el } = await mounted();
    const you = st.session!.you;
    const bea = { id: 'm5', name: 'bea', role: 'host' as const };
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    let seq = 3;
    for (let k = 0; k < 11; k++) {
      be.emit('party:event', { seq: seq++, ts: '', kind: 'participants', left: bea, count: 2, why: 'connection_lost', text: 'bea lost the connection: it broke off without leaving the party' });
      be.emit('party:event', { seq: seq++, ts: '', kind: 'participants', joined: bea, count: 3 });
      be.emit('party:event', { seq: seq++, ts: '', kind: 'participants', left: you, count: 2, why: 'connection_lost', text: 'ann lost the connection: it broke off without leaving the party' });
      be.emit('party:event', { seq: seq++, ts: '', kind: 'participants', joined: you, count: 3 });
    }
    await el.updateComplete;
    const lines = [...el.shadowRoot!.querySelectorAll('[data-testid=turn-event]')].map((n) => n.textContent?.trim());
    expect(lines).toEqual(['bea lost the connection and came back 11 times', 'the host lost your connection and you came back 11 times']);
    expect(matchCount(findInTranscript(st.transcript, 'came back 11 times'))).toBe(2);
    el.remove();
  });

  it("a role change without the host's words for it says who has which role now", async () => {
    const { be, st, el } = await mounted();
    const you = st.session!.you;
    be.emit('party:event', { seq: 1, ts: '', kind: 'participants', changed: { id: 'm9', name: 'bob', role: 'host' }, count: 2 });
    be.emit('party:event', { seq: 2, ts: '', kind: 'participants', changed: { ...you, role: 'viewer' }, count: 2 });
    await el.updateComplete;
    const lines = [...el.shadowRoot!.querySelectorAll('[data-kind=participants]')].map((n) => n.textContent?.trim());
    expect(lines).toEqual(['bob is now a co-host', 'you are now a viewer']);
    el.remove();
  });

  it('a merged prompt a host edited says so, not "merged by"', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'a haiku' }));
    be.emit('party:event', prompt(2, { id: 'p2', user: 'bob', text: 'about cats' }));
    for (const [seq, id, merged] of [[3, 'b1', 'one haiku about cats and dogs'], [5, 'b2', '1. a haiku\n2. about cats']] as const) {
      be.emit('party:event', { seq, ts: '', kind: 'approval', approval: { batch: id, prompts: ['p1', 'p2'], merged: '1. a haiku\n2. about cats', merger: 'local' } });
      be.emit('party:event', batch(seq + 1, { id, prompts: ['p1', 'p2'], merged, merger: 'local' }));
    }
    await el.updateComplete;
    const how = [...el.shadowRoot!.querySelectorAll('[data-testid=batch-merger]')].map((n) => n.textContent?.trim());
    expect(how).toEqual(['edited by a host', 'merged locally']);
    // The text under it is what was sent, edited: not called "Merged prompt" as is.
    const toggles = [...el.shadowRoot!.querySelectorAll('[data-testid=batch-merged-toggle]')].map((n) => n.textContent?.trim());
    expect(toggles).toEqual(['The merged prompt as sent', 'Merged prompt']);
    // One prompt, edited: "the prompt", not a merged one.
    be.emit('party:event', prompt(7, { id: 'p3', user: 'ann', text: 'a limerick' }));
    be.emit('party:event', batch(8, { id: 'b3', prompts: ['p3'], merged: 'a limerick about dogs', merger: 'local' }));
    await el.updateComplete;
    expect([...el.shadowRoot!.querySelectorAll('[data-testid=batch-merged-toggle]')].map((n) => n.textContent?.trim())[2]).toBe('The prompt as sent');
    // A prompt that starts with / goes with a space in front (PROTOCOL.md §4): no edit.
    be.emit('party:event', prompt(9, { id: 'p4', user: 'ann', text: '/etc/hosts is wrong' }));
    be.emit('party:event', batch(10, { id: 'b4', prompts: ['p4'], merged: ' /etc/hosts is wrong', merger: 'local' }));
    await el.updateComplete;
    expect([...el.shadowRoot!.querySelectorAll('[data-testid=batch-merger]')].map((n) => n.textContent?.trim())[3]).toBe('as written');
    // Who edited it, when the host says (a window tester read "edited by a host" of their own
    // edit): the reader (ann), or another host by name.
    be.emit('party:event', prompt(11, { id: 'p5', user: 'bob', text: 'a sonnet' }));
    be.emit('party:event', batch(12, { id: 'b5', prompts: ['p5'], merged: 'a sonnet, short', merger: 'local', edited_by: 'ann' }));
    be.emit('party:event', prompt(13, { id: 'p6', user: 'bob', text: 'an ode' }));
    be.emit('party:event', batch(14, { id: 'b6', prompts: ['p6'], merged: 'an ode, long', merger: 'local', edited_by: 'hazel' }));
    await el.updateComplete;
    expect([...el.shadowRoot!.querySelectorAll('[data-testid=batch-merger]')].map((n) => n.textContent?.trim()).slice(4)).toEqual(['edited by you', 'edited by hazel']);
    el.remove();
  });

  // A tester's agent command card said "from a host" under "Hana ran the agent command
  // /compact": it names who ran it, by member id ("you" of the reader's own).
  it("an agent command's card names who ran it", async () => {
    const { be, el } = await mounted();
    const ran = (seq: number, by: string, member: string, cmd: string): PartyEvent =>
      ({ seq, ts: '', kind: 'system', text: `${by} ran the agent command ${cmd}`, by, by_member: member });
    be.emit('party:event', ran(1, 'hana', 'm2', '/compact'));
    be.emit('party:event', batch(2, { id: 'b1', prompts: [], merged: '/compact', merger: 'command' }));
    be.emit('party:event', ran(3, 'ann', 'm1', '/clear'));
    be.emit('party:event', batch(4, { id: 'b2', prompts: [], merged: '/clear', merger: 'command' }));
    // A host that says nothing before it (or another act just before): no name to give.
    be.emit('party:event', batch(5, { id: 'b3', prompts: [], merged: '/cost', merger: 'command' }));
    be.emit('party:event', ran(6, 'hana', 'm2', '/compact'));
    be.emit('party:event', batch(7, { id: 'b4', prompts: [], merged: '/clear', merger: 'command' }));
    await el.updateComplete;
    const how = [...el.shadowRoot!.querySelectorAll('[data-testid=batch-merger]')].map((n) => n.textContent?.trim());
    expect(how).toEqual(['from hana', 'from you', 'from a host', 'from a host']);
    el.remove();
  });

  it("a tool use the owner's always allowed is a line, not a card", async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', { seq: 3, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'touch <b>x</b>', batch: 'b1', status: 'pending' } });
    be.emit('party:event', { seq: 4, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'touch <b>x</b>', batch: 'b1', status: 'allowed', by: 'hosty', reason: 'always allow Bash' } });
    be.emit('party:event', { seq: 5, ts: '', kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'touch <b>y</b>', batch: 'b1', status: 'allowed', by: 'hosty', reason: 'always allow Bash' } });
    // A decision whose request came before a cut history is no unasked use.
    be.emit('party:event', { seq: 6, ts: '', kind: 'permission', permission: { id: 't0', tool: 'Edit', summary: 'a.go', batch: 'b1', status: 'allowed', by: 'hosty' } });
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelectorAll('permission-card').length).toBe(2); // the ones asked
    const lines = [...root.querySelectorAll('[data-testid=permission-unasked]')];
    expect(lines.map((n) => n.textContent?.trim())).toEqual(['Bash: touch <b>y</b> — allowed without asking (hosty allowed Bash for the rest of the party)']);
    expect(lines[0]!.querySelector('b')).toBeNull(); // a peer's text, never markup
    el.remove();
  });

  // A window tester's Bash request went up out of view under a flapping connection's
  // notices while the header said "Waiting for a tool decision", and nothing pointed back
  // up to it: the view was at the end, where no "Latest" shows. A pill there says a decision
  // waits, and takes everyone to its card.
  for (const role of ['host', 'participant'] as const) it(`at the end, a ${role} is pointed to a waiting request's card out of view, and taken to it`, async () => {
    const { be, st } = await inParty(role, 'connected');
    const el = document.createElement('transcript-view') as HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
    el.state = st;
    document.body.append(el);
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const pill = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=jump-waiting]');
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', phase(3, 'running'));
    be.emit('party:event', out(4, 'Bash: rm -rf build\n', 'tool'));
    await el.updateComplete;
    await frame();
    expect(pill()).toBeNull(); // nothing waits
    be.emit('party:event', { seq: 5, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'rm -rf build', batch: 'b1', status: 'pending' } });
    be.emit('party:event', phase(6, 'awaiting_permission'));
    await el.updateComplete;
    await frame();
    await el.updateComplete;
    // (jsdom lays nothing out: the card is out of view.)
    expect(pill()?.textContent?.trim()).toBe(role === 'host' ? 'A tool request waits for you' : 'A tool request waits for a host');
    expect(el.shadowRoot!.querySelector('[data-testid=jump-latest]')).toBeNull();
    // With the card in view, it says nothing.
    const view = el.shadowRoot!.querySelector<HTMLElement>('[data-testid=transcript]')!;
    const rect = (top: number, height: number) => ({ top, bottom: top + height, height, left: 0, right: 600, width: 600, x: 0, y: top, toJSON: () => ({}) }) as DOMRect;
    const viewAt = vi.spyOn(view, 'getBoundingClientRect').mockReturnValue(rect(0, 600));
    const cardAt = vi.spyOn(PermissionCard.prototype, 'getBoundingClientRect').mockReturnValue(rect(100, 200));
    be.emit('party:event', { seq: 7, ts: '', kind: 'participants', joined: { id: 'm8', name: 'bea', role: 'participant' }, count: 3 });
    await el.updateComplete;
    await frame();
    await el.updateComplete;
    expect(pill()).toBeNull();
    viewAt.mockRestore();
    cardAt.mockRestore();
    be.emit('party:event', { seq: 8, ts: '', kind: 'participants', joined: { id: 'm9', name: 'cy', role: 'participant' }, count: 4 });
    await el.updateComplete;
    await frame();
    await el.updateComplete;
    expect(pill()).not.toBeNull();
    const focused = vi.spyOn(PermissionCard.prototype, 'focusCard');
    pill()!.click();
    await vi.waitFor(() => expect(focused).toHaveBeenCalled());
    focused.mockRestore();
    el.remove();
  });

  // A window tester: two Bash calls at once, and the folded row above the first request's
  // card named the second call ("rm -rf par-two-dir") while the card asked about the
  // first. The row names the call the cards after it are about.
  it('the tool row above waiting request cards names the call the first card asks about', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', phase(3, 'running'));
    be.emit('party:event', out(4, 'Bash: touch par-one.txt\n', 'tool'));
    be.emit('party:event', out(5, 'Bash: rm -rf par-two-dir && mkdir par-two-dir\n', 'tool'));
    be.emit('party:event', { seq: 6, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'touch par-one.txt', batch: 'b1', status: 'pending' } });
    // As the real host does: the phase says a tool decision is awaited (a user tester's row
    // still named the last call: the view took only "running" for a turn at work).
    be.emit('party:event', phase(7, 'awaiting_permission'));
    await el.updateComplete;
    const row = () => el.shadowRoot!.querySelector('activity-group')!.shadowRoot!.querySelector('[data-testid=tool-group-toggle] .last')?.textContent;
    await (el.shadowRoot!.querySelector('activity-group') as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete;
    expect(row()).toBe('— Bash: touch par-one.txt');
    be.emit('party:event', { seq: 8, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'touch par-one.txt', batch: 'b1', status: 'allowed', by: 'ann' } });
    be.emit('party:event', phase(9, 'running'));
    be.emit('party:event', out(10, '-> done\n', 'tool'));
    be.emit('party:event', { seq: 11, ts: '', kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'rm -rf par-two-dir', batch: 'b1', status: 'pending' } });
    be.emit('party:event', phase(12, 'awaiting_permission'));
    await el.updateComplete;
    await (el.shadowRoot!.querySelector('activity-group') as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete;
    expect(row()).toBe('— Bash: rm -rf par-two-dir && mkdir par-two-dir');
    el.remove();
  });

  // While a decided card keeps its place, each look at whether to keep it reads the layout
  // of the cards; it was made on every scroll event, and again on the update each asks for.
  // At most once a frame now, however many scroll events come in it; none after the view
  // is gone.
  it('looks again at the cards\' places at most once a frame while scrolled, and not once removed', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', phase(3, 'running'));
    for (const [seq, id] of [[4, 't1'], [5, 't2'], [6, 't3']] as const) {
      be.emit('party:event', { seq, ts: '', kind: 'permission', permission: { id, tool: 'Bash', summary: `touch ${id}`, batch: 'b1', status: 'pending' } });
    }
    be.emit('party:event', phase(7, 'awaiting_permission'));
    be.emit('party:event', { seq: 8, ts: '', kind: 'permission', permission: { id: 't3', tool: 'Bash', summary: 'touch t3', batch: 'b1', status: 'denied', by: 'ann' } });
    await el.updateComplete;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
    await frame();
    await frame();
    const cards = el.shadowRoot!.querySelectorAll('permission-card').length;
    expect(cards).toBe(3);
    const recheck = vi.spyOn(PermissionCard.prototype, 'recheckPlace');
    try {
      const scroller = el.shadowRoot!.querySelector('.scroller')!;
      for (let i = 0; i < 20; i++) scroller.dispatchEvent(new Event('scroll'));
      await el.updateComplete;
      await frame();
      await frame();
      expect(recheck).toHaveBeenCalledTimes(cards); // once a card, for the burst
      recheck.mockClear();
      // Removed with a look waiting for its frame: the look does not come.
      for (let i = 0; i < 5; i++) scroller.dispatchEvent(new Event('scroll'));
      el.remove();
      await frame();
      await frame();
      expect(recheck).not.toHaveBeenCalled();
    } finally {
      recheck.mockRestore();
      el.remove();
    }
  });

  // The note says why the output under it is struck out; it was struck out and pale itself.
  it('a discarded attempt is struck out under a note that is not', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(3, 'first try'));
    be.emit('party:event', { seq: 4, ts: '', kind: 'retry', batch: 'b1' });
    be.emit('party:event', out(5, 'second try'));
    await el.updateComplete;
    const voided = el.shadowRoot!.querySelector('[data-testid=void-output]')!;
    const note = voided.querySelector('.void-note')!;
    expect(note.textContent).toContain('this output was discarded');
    expect(note.closest('.void-body')).toBeNull();
    expect(voided.querySelector('.void-body [data-testid=reply]')).not.toBeNull(); // the first try's reply
    el.remove();
  });

  // The banner says "you ended the party"; the conversation said "the host ended the party" (and to a guest, now, who).
  it("says the owner's end of the party in the first person, to the owner only", async () => {
    for (const [role, want] of [['host', 'you ended the party'], ['participant', 'hostbox, the host, ended the party']] as const) {
      const { be, st } = await inParty(role);
      const el = document.createElement('transcript-view') as HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
      el.state = st;
      document.body.append(el);
      be.emit('party:event', { seq: 1, ts: '', kind: 'system', text: 'the host ended the party' });
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[data-kind=system]')?.textContent?.trim()).toBe(want);
      el.remove();
      st.dispose();
    }
  });

  // Every member read the host's way to replace a refused Gemini key (a tester's participant
  // read "it comes from GEMINI_API_KEY: set it…"): the party's event says what happens, and
  // the owner's window alone adds where it replaces the key. An event journaled with the way
  // in it (before 2026-12-07) is shown as it was.
  // An owner whose key comes from GEMINI_API_KEY read "(in Settings)", where it cannot be
  // replaced: it reads the terminal's words.
  // Refused for this use only, Google's advice went to every member too: the owner alone
  // reads it now, as the host's terminal does; one journaled with the advice in it (before
  // 2026-12-08) is shown as it was, with the owner's hint as before.
  it("tells the owner alone where it replaces a key Google refused", async () => {
    const refused = "Gemini refused the host's API key; merging locally until the host replaces it";
    const denied = "Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED); merging locally until the host fixes it";
    const advice = ": enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again";
    const deniedBefore = "Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED): enable the Generative Language API. Merging locally for the rest of this party, or until the host replaces the key";
    const old = "Gemini refused the host's API key; merging locally until the host replaces it (concordia key set)";
    const keyring: KeyStatus = { ...noKey, source: 'keyring' };
    const env: KeyStatus = { ...noKey, source: 'env' };
    const envHint = ' (it comes from GEMINI_API_KEY: set it to a working key, then resume the party)';
    for (const [role, key, hint] of [['host', keyring, ' (in Settings)'], ['host', env, envHint], ['participant', env, ''], ['participant', keyring, '']] as const) {
      const { be, st } = await inParty(role, 'connected', undefined, key);
      const el = document.createElement('transcript-view') as HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
      el.state = st;
      document.body.append(el);
      be.emit('party:event', { seq: 1, ts: '', kind: 'error', text: refused });
      be.emit('party:event', { seq: 2, ts: '', kind: 'system', text: 'claude started' });
      be.emit('party:event', { seq: 3, ts: '', kind: 'error', text: denied });
      be.emit('party:event', { seq: 4, ts: '', kind: 'system', text: 'claude started' });
      be.emit('party:event', { seq: 5, ts: '', kind: 'error', text: old });
      be.emit('party:event', { seq: 6, ts: '', kind: 'system', text: 'claude started' });
      be.emit('party:event', { seq: 7, ts: '', kind: 'error', text: deniedBefore });
      await el.updateComplete;
      const shown = [...el.shadowRoot!.querySelectorAll('[data-kind=error]')].map((e) => e.textContent?.trim());
      const owner = role === 'host';
      expect(shown, `${role}, key from ${key.source}`).toEqual([refused + hint, denied + (owner ? advice : ''), old, deniedBefore + hint]);
      // Find finds what is shown.
      expect(matchCount(findInTranscript(st.transcript, 'in Settings', Infinity, st.reader)), role).toBe(hint === ' (in Settings)' ? 2 : 0);
      expect(matchCount(findInTranscript(st.transcript, 'resume the party', Infinity, st.reader)), role).toBe(hint === envHint ? 2 : 0);
      expect(matchCount(findInTranscript(st.transcript, 'wait a few minutes', Infinity, st.reader)), role).toBe(owner ? 1 : 0);
      el.remove();
      st.dispose();
    }
  });

  it('says its own joining and leaving in the first person', async () => {
    // Before this window joined (its state's history) the person left; after, only the
    // host's losing the connection makes its own member leave (leaving ends the party here).
    const you = { id: 'm1', name: 'ann', role: 'participant' as const };
    const { be, el } = await mounted(emptyState({
      seq: 4,
      participants: [you],
      events: [
        { seq: 1, ts: '', kind: 'participants', joined: you, count: 2 },
        { seq: 2, ts: '', kind: 'participants', left: you, count: 1 },
        { seq: 3, ts: '', kind: 'participants', joined: { id: 'm9', name: 'bob', role: 'participant' }, count: 2 },
        { seq: 4, ts: '', kind: 'participants', joined: you, count: 3 },
      ],
    }));
    be.emit('party:event', { seq: 5, ts: '', kind: 'participants', left: you, count: 2 });
    be.emit('party:event', { seq: 6, ts: '', kind: 'participants', joined: you, count: 3 });
    // Another member back after leaving is "came back" too, as "You came back" is (a
    // tester's read "bob joined" beside it after a resume).
    be.emit('party:event', { seq: 7, ts: '', kind: 'participants', left: { id: 'm9', name: 'bob', role: 'participant' }, count: 2 });
    be.emit('party:event', { seq: 8, ts: '', kind: 'participants', joined: { id: 'm9', name: 'bob', role: 'participant' }, count: 3 });
    await el.updateComplete;
    const lines = [...el.shadowRoot!.querySelectorAll('[data-kind=participants]')].map((n) => n.textContent?.trim());
    expect(lines.slice(0, 6)).toEqual(['you joined', 'you left', 'bob joined', 'you came back', 'the host lost your connection for a while', 'you came back']);
    expect(lines.at(-1)).toBe('bob came back');
    // A viewer, or a host who is not the party's own, joins as one (as the terminal says it).
    be.emit('party:event', { seq: 9, ts: '', kind: 'participants', joined: { id: 'm10', name: 'vic', role: 'viewer' }, count: 4 });
    be.emit('party:event', { seq: 10, ts: '', kind: 'participants', joined: { id: 'm11', name: 'cora', role: 'host' }, count: 5 });
    await el.updateComplete;
    const more = [...el.shadowRoot!.querySelectorAll('[data-kind=participants]')].map((n) => n.textContent?.trim());
    expect(more.slice(-2)).toEqual(['vic joined as a viewer', 'cora joined as a co-host']);
    el.remove();
  });

  it('says members there when a party ended, back after its resume, came back, as after a crash', async () => {
    // A host's party ended cleanly, then resumed: the end's notes are not shown, but the host
    // and bob joining again "came back", as the terminal says, and as after a kill -9
    // (host_stopped), where the window tester's host read "you came back" and, after a
    // clean end, "you joined".
    const you = { id: 'm1', name: 'hana', role: 'host' as const };
    const bob = { id: 'm9', name: 'bob', role: 'participant' as const };
    const ended = (seq: number, m: typeof you | typeof bob, why: string) => ({ seq, ts: '', kind: 'participants' as const, left: m, count: 0, why });
    for (const why of ['party_ended', 'host_stopped']) {
      const { el } = await mounted(emptyState({
        seq: 6,
        participants: [you, bob],
        events: [
          { seq: 1, ts: '', kind: 'participants', joined: you, count: 1 },
          { seq: 2, ts: '', kind: 'participants', joined: bob, count: 2 },
          ended(3, you, why),
          ended(4, bob, why),
          { seq: 5, ts: '', kind: 'participants', joined: you, count: 1 },
          { seq: 6, ts: '', kind: 'participants', joined: bob, count: 2 },
        ],
      }));
      const lines = [...el.shadowRoot!.querySelectorAll('[data-kind=participants]')].map((n) => n.textContent?.trim());
      expect(lines.slice(0, 2), why).toEqual(['you joined', 'bob joined']);
      expect(lines.slice(-2), why).toEqual(['you came back', 'bob came back']);
      el.remove();
    }
  });

  it('says a lost connection as such: its own, before and after it joined, and another member\'s', async () => {
    const you = { id: 'm1', name: 'ann', role: 'participant' as const };
    const bob = { id: 'm9', name: 'bob', role: 'participant' as const };
    const lost = (seq: number, m: typeof you) => ({ seq, ts: '', kind: 'participants' as const, left: m, count: 1, why: 'connection_lost', text: `${m.name} lost the connection: nothing came through it for a while` });
    // (A notice between the two drops: back to back, they are one line that counts.)
    const { be, el } = await mounted(emptyState({
      seq: 4,
      participants: [you],
      events: [
        { seq: 1, ts: '', kind: 'participants', joined: you, count: 2 },
        lost(2, you),
        { seq: 3, ts: '', kind: 'participants', joined: you, count: 2 },
        sys(4, 'hostie set the batching window to 5 s'),
      ],
    }));
    be.emit('party:event', lost(5, you));
    be.emit('party:event', { seq: 6, ts: '', kind: 'participants', joined: you, count: 2 });
    be.emit('party:event', lost(7, bob));
    await el.updateComplete;
    const lines = [...el.shadowRoot!.querySelectorAll('[data-kind=participants]')].map((n) => n.textContent?.trim());
    expect(lines).toEqual(['you joined', 'you lost the connection', 'you came back', 'the host lost your connection for a while', 'you came back', 'bob lost the connection: nothing came through it for a while']);
    el.remove();
  });

  for (const during of ['running', 'awaiting_permission']) it(`a turn cut off by leaving says so (it ended with no footer), ${during}`, async () => {
    const { be, st, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', phase(2, 'running'));
    be.emit('party:event', batch(3, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(4, 'echo: g'));
    be.emit('party:event', phase(5, during));
    await el.updateComplete;
    await st.leave();
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector('[data-testid=turn-end]');
    expect(end?.getAttribute('data-status')).toBe('unfinished');
    expect(end?.textContent?.trim()).toBe('You left before this turn finished');
    el.remove();
  });
});

describe('<transcript-view> my prompt someone else withdrew', () => {
  // The host resumed without what was left unanswered, or removed it: "send again what is
  // still wanted" — a click puts it back in the box, once.
  it('has "put my prompt back in the box" on mine, until it is used; not on another\'s', async () => {
    const { be, st, el } = await mounted();
    const you = st.session!.you.name;
    be.emit('party:event', prompt(1, { id: 'p1', user: you, text: 'fix the login form', member: st.session!.you.id }));
    be.emit('party:event', prompt(2, { id: 'p2', user: 'bob', text: 'bob asks' }));
    be.emit('party:event', { seq: 3, ts: '', kind: 'withdrawn', withdrawn: { prompt: 'p1', user: you, by: 'hosty' } });
    be.emit('party:event', { seq: 4, ts: '', kind: 'withdrawn', withdrawn: { prompt: 'p2', user: 'bob', by: 'hosty' } });
    await el.updateComplete;
    const buttons = () => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[data-testid=prompt-recall]')];
    expect(buttons().length).toBe(1);
    expect(buttons()[0]!.closest('[data-kind=prompt]')!.textContent).toContain('fix the login form');
    expect(buttons()[0]!.textContent).toBe('put my prompt back in the box');
    buttons()[0]!.click();
    await el.updateComplete;
    expect(st.takeRefill('')).toBe('fix the login form');
    expect(buttons().length).toBe(0);
    el.remove();
  });
});

describe('<transcript-view> a resume without what was left unanswered', () => {
  // A tester read a red "Failed" of the host's choice, and "withdrawn" of their own prompt
  // the resume left, with no way to put it back.
  it('says the cut turn not run again as the host\'s choice, and the prompt it left as not taken up, which comes back on a click', async () => {
    const { be, st, el } = await mounted();
    const me = st.session!.you;
    be.emit('party:event', prompt(1, { id: 'p1', user: me.name, text: 'add tests', member: me.id }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'add tests', merger: 'local' }));
    be.emit('party:event', prompt(3, { id: 'p2', user: me.name, text: 'and docs', member: me.id }));
    be.emit('party:event', { seq: 4, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'error', duration_ms: 4000, error: NOT_RUN_AGAIN } });
    be.emit('party:event', { seq: 5, ts: '', kind: 'withdrawn', withdrawn: { prompt: 'p2', user: me.name, by: 'hosty', by_member: 'm9', resumed: true } });
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector<HTMLElement>('[data-testid=turn-end]')!;
    expect(end.className).toBe('interrupted');
    expect(end.querySelector('.end-words')!.textContent).toBe(NOT_RUN_AGAIN_WORDS);
    // The turn's prompt and the prompt withdrawn come back by one phrase (a tester read
    // "put my prompt back in the box" and "put it back in the box" as two things).
    const turnRecall = end.querySelector<HTMLButtonElement>('[data-testid=turn-recall]')!;
    const promptRecall = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=prompt-recall]')!;
    expect(turnRecall.textContent!.trim()).toBe('put my prompt back in the box');
    expect(promptRecall.textContent!.trim()).toBe('put my prompt back in the box');
    expect(turnRecall.title).toBe('The turn did not finish: put it back in your prompt box, to send it again');
    expect(promptRecall.title).toBe('It was not sent: put it back in your prompt box, to send it again');
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-withdrawn]')!.textContent).toBe('not taken up on resume');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=prompt-recall]')!.click();
    expect(st.takeRefill('')).toBe('and docs');
    const turn = st.transcript.findIndex((it) => it.type === 'turn');
    expect(matchesIn(st.transcript[turn]!, 'not run again')).toBe(1); // find counts the words shown
    expect(end.querySelector('.dur')!.textContent).toBe('at least 4.0 s'); // when the host died is not known
    el.remove();
  });

  // A window tester read "at least under 0.1 s" of a turn the host was killed during.
  it('leaves out a cut turn\'s time when it is known only to be under a tenth of a second', async () => {
    const { be, st, el } = await mounted();
    const me = st.session!.you;
    be.emit('party:event', prompt(1, { id: 'p1', user: me.name, text: 'add tests', member: me.id }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'add tests', merger: 'local' }));
    be.emit('party:event', { seq: 3, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'error', duration_ms: 40, error: NOT_RUN_AGAIN } });
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector<HTMLElement>('[data-testid=turn-end]')!;
    expect(end.querySelector('.dur')).toBeNull();
    expect(end.textContent).not.toContain('under 0.1 s');
    el.remove();
  });

  it('offers my prompts of a failed turn back by the same phrase, counted', async () => {
    const { be, st, el } = await mounted();
    const me = st.session!.you;
    be.emit('party:event', prompt(1, { id: 'p1', user: me.name, text: 'add tests', member: me.id }));
    be.emit('party:event', prompt(2, { id: 'p2', user: me.name, text: 'and docs', member: me.id }));
    be.emit('party:event', prompt(3, { id: 'p3', user: 'bob', text: 'and a README' }));
    be.emit('party:event', batch(4, { id: 'b1', prompts: ['p1', 'p2', 'p3'], merged: 'x', merger: 'local' }));
    be.emit('party:event', { seq: 5, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'error', duration_ms: 4000, error: 'claude failed twice' } });
    await el.updateComplete;
    const recall = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=turn-recall]')!;
    expect(recall.textContent!.trim()).toBe('put my 2 prompts back in the box');
    expect(recall.title).toBe('The turn did not finish: put them back in your prompt box, to send them again');
    el.remove();
  });

  it('says a merged prompt held for approval that the resume did not take up as the resume\'s, not a host\'s rejection', async () => {
    const { be, st, el } = await mounted();
    const me = st.session!.you;
    be.emit('party:event', prompt(1, { id: 'p1', user: me.name, text: 'add tests', member: me.id }));
    be.emit('party:event', { seq: 2, ts: '', kind: 'approval', approval: { batch: 'b1', prompts: ['p1'], merged: 'add tests', merger: 'local' } });
    be.emit('party:event', { seq: 3, ts: '', kind: 'rejected', rejected: { batch: 'b1', prompts: ['p1'], by: 'hosty', reason: RESUMED_WITHOUT } });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-rejected]')!.textContent).toBe('not taken up on resume');
    const card = el.shadowRoot!.querySelector('approval-card')!;
    await (card as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect(card.shadowRoot!.querySelector('[data-testid=approval-outcome]')!.textContent).toBe('Not taken up on resume: send again what is still wanted');
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-recall]')).not.toBeNull();
    el.remove();
  });
});

describe('<transcript-view> turn ends', () => {
  // A user tester's turn whose only tool step failed ended "Done", as if all went well.
  it('a turn whose tool steps failed says how many, and one denied says that alone', async () => {
    const { be, el } = await mounted();
    const turn = (seq: number, id: string, denied = 0) => ({ seq, ts: '', kind: 'turn', turn: { batch: id, status: 'done', duration_ms: 10, ...(denied ? { denied } : {}) } });
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(3, 'Bash: make build\n', 'tool'));
    be.emit('party:event', out(4, '-> (error) exit status 2\n', 'tool'));
    be.emit('party:event', out(5, 'The build failed.'));
    be.emit('party:event', turn(6, 'b1'));
    be.emit('party:event', prompt(7, { id: 'p2', user: 'ann', text: 'again' }));
    be.emit('party:event', batch(8, { id: 'b2', prompts: ['p2'], merged: 'again', merger: 'local' }));
    be.emit('party:event', out(9, 'Read: a.txt\n', 'tool'));
    be.emit('party:event', out(10, '-> 3 lines\n', 'tool'));
    be.emit('party:event', turn(11, 'b2'));
    be.emit('party:event', prompt(12, { id: 'p3', user: 'ann', text: 'rm' }));
    be.emit('party:event', batch(13, { id: 'b3', prompts: ['p3'], merged: 'rm', merger: 'local' }));
    be.emit('party:event', out(14, 'Bash: rm -rf x\n', 'tool'));
    be.emit('party:event', out(15, '-> (error) permission denied\n', 'tool'));
    be.emit('party:event', turn(16, 'b3', 1));
    // A host that marks a denied step "(denied)": its failures are counted beside the denial.
    be.emit('party:event', prompt(17, { id: 'p4', user: 'ann', text: 'both' }));
    be.emit('party:event', batch(18, { id: 'b4', prompts: ['p4'], merged: 'both', merger: 'local' }));
    be.emit('party:event', out(19, 'Bash: rm -rf x\n-> (denied) hana (a host of this party) denied this tool use.\nBash: false\n-> (error) exit status 1\n', 'tool'));
    be.emit('party:event', turn(20, 'b4', 1));
    be.emit('party:event', prompt(21, { id: 'p5', user: 'ann', text: 'deny' }));
    be.emit('party:event', batch(22, { id: 'b5', prompts: ['p5'], merged: 'deny', merger: 'local' }));
    be.emit('party:event', out(23, 'Bash: rm -rf x\n-> (denied) hana (a host of this party) denied this tool use.\n', 'tool'));
    be.emit('party:event', turn(24, 'b5', 1));
    // A plan sent back is plan mode's review, not a refusal (a user tester's ended in a warning).
    be.emit('party:event', prompt(25, { id: 'p6', user: 'ann', text: 'plan' }));
    be.emit('party:event', batch(26, { id: 'b6', prompts: ['p6'], merged: 'plan', merger: 'local' }));
    be.emit('party:event', { seq: 27, ts: '', kind: 'permission', permission: { id: 't6', tool: 'ExitPlanMode', summary: 'leave plan mode: 1. x', batch: 'b6', status: 'pending', detail: '1. x' } });
    be.emit('party:event', { seq: 28, ts: '', kind: 'permission', permission: { id: 't6', tool: 'ExitPlanMode', summary: 'leave plan mode: 1. x', batch: 'b6', status: 'denied', by: 'hana', reason: 'add tests' } });
    be.emit('party:event', turn(29, 'b6', 1));
    await el.updateComplete;
    const ends = [...el.shadowRoot!.querySelectorAll('[data-testid=turn-end]')].map((n) => n.textContent?.replace(/\s+/g, ' ').trim());
    expect(ends).toEqual([
      'Done — 1 tool step failed under 0.1 s',
      'Done under 0.1 s',
      'Done — 1 tool request denied under 0.1 s',
      'Done — 1 tool request denied, 1 tool step failed under 0.1 s',
      'Done — 1 tool request denied under 0.1 s',
      'Done — the plan was sent back for changes under 0.1 s',
    ]);
    expect(el.shadowRoot!.querySelectorAll('[data-testid=turn-end]')[5]!.className).toBe('done');
    el.remove();
  });
});

describe('<transcript-view> a stopped turn\'s cancelled request', () => {
  // A user tester read "denied" of a request the stop cancelled, and looked for who had
  // refused it. Plan mode's own denial names nobody either, and stays a denial.
  it('says cancelled on the card, the tool step and the turn end; plan mode\'s denial stays denied', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', { seq: 3, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Write', summary: 'x.go', batch: 'b1', status: 'denied', reason: 'plan mode: nothing is changed' } });
    be.emit('party:event', { seq: 4, ts: '', kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'rm x', batch: 'b1', status: 'pending' } });
    be.emit('party:event', { seq: 5, ts: '', kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'rm x', batch: 'b1', status: 'denied', reason: 'the turn ended before a decision' } });
    be.emit('party:event', out(6, 'Bash: rm x\n-> (denied) The turn was stopped before anyone decided.\n', 'tool'));
    be.emit('party:event', { seq: 7, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'interrupted', duration_ms: 10, error: 'stopped by hana', denied: 2 } });
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector('[data-testid=turn-end]')!;
    expect(end.textContent?.replace(/\s+/g, ' ').trim()).toBe('Stopped by hana — 1 tool request denied, 1 cancelled under 0.1 s');
    const cards = [...el.shadowRoot!.querySelectorAll('permission-card')] as PermissionCard[];
    await Promise.all(cards.map((c) => c.updateComplete));
    const outcome = (id: string) => cards.find((c) => c.permission?.id === id)!.shadowRoot!.querySelector('[data-testid=permission-outcome]')!;
    expect(outcome('t2').textContent?.trim()).toMatch(/^Cancelled:\s*the turn ended before a decision$/);
    expect(outcome('t2').getAttribute('data-status')).toBe('cancelled');
    expect(outcome('t1').textContent?.trim()).toMatch(/^Denied:\s*plan mode: nothing is changed$/);
    const group = el.shadowRoot!.querySelector('activity-group')!;
    await (group as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect(group.shadowRoot!.querySelector('[data-testid=tool-group-cancelled]')?.textContent).toBe('cancelled');
    expect(group.shadowRoot!.querySelector('[data-testid=tool-group-denied]')).toBeNull();
    el.remove();
  });

  // Since 2026-12-07 the host marks the step "(cancelled)" (it came as "(error) The user
  // doesn't want to proceed…": "1 tool step failed", a user tester's); a step that did
  // fail beside it is still said.
  it('reads a step marked (cancelled) as cancelled, and a failed one beside it as failed', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(3, 'Bash: false\n-> (error) exit status 1\n', 'tool'));
    be.emit('party:event', { seq: 4, ts: '', kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'rm x', batch: 'b1', status: 'pending' } });
    be.emit('party:event', { seq: 5, ts: '', kind: 'permission', permission: { id: 't2', tool: 'Bash', summary: 'rm x', batch: 'b1', status: 'denied', reason: 'the turn ended before a decision' } });
    be.emit('party:event', out(6, "Bash: rm x\n-> (cancelled) The user doesn't want to proceed with this tool use…\n", 'tool'));
    be.emit('party:event', { seq: 7, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'done', duration_ms: 10, denied: 1 } });
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector('[data-testid=turn-end]')!;
    expect(end.textContent?.replace(/\s+/g, ' ').trim()).toBe('Done — 1 tool request cancelled, 1 tool step failed under 0.1 s');
    const groups = [...el.shadowRoot!.querySelectorAll('activity-group')];
    await Promise.all(groups.map((g) => (g as unknown as { updateComplete: Promise<boolean> }).updateComplete));
    expect(groups.map((g) => g.shadowRoot!.querySelector('[data-testid=tool-group-cancelled]')?.textContent ?? '').join('|')).toContain('cancelled');
    expect(groups.filter((g) => g.shadowRoot!.querySelector('[data-testid=tool-group-failed]')).length).toBe(1);
    el.remove();
  });

  it('a finished turn whose only unallowed request was cancelled is no warning', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', { seq: 3, ts: '', kind: 'permission', permission: { id: 't1', tool: 'Bash', summary: 'ls', batch: 'b1', status: 'denied', reason: 'the turn ended before a decision' } });
    be.emit('party:event', { seq: 4, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'done', duration_ms: 10, denied: 1 } });
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector('[data-testid=turn-end]')!;
    expect(end.textContent?.replace(/\s+/g, ' ').trim()).toBe('Done — 1 tool request cancelled under 0.1 s');
    expect(end.className).toBe('done');
    el.remove();
  });
});

describe('<transcript-view> agent errors', () => {
  // A tester's failed turn read "claude exited (exit status 3); stderr: fake claude ready |
  // …; the turn did not finish" as one sentence: the stderr lines are behind a disclosure.
  it("puts what claude wrote to stderr behind a disclosure, out of the sentence", async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    const error = 'claude failed twice: claude exited (exit status 3); stderr: fake claude ready | fake claude: simulated crash; the turn did not finish';
    be.emit('party:event', { seq: 3, ts: '', kind: 'turn', turn: { batch: 'b1', status: 'failed', duration_ms: 10, error } });
    be.emit('party:event', { seq: 4, ts: '', kind: 'error', text: 'claude stopped unexpectedly: claude exited (exit status 3); stderr: boom' });
    await el.updateComplete;
    const end = el.shadowRoot!.querySelector('[data-testid=turn-end]')!;
    const details = end.parentElement!.querySelector('[data-testid=agent-stderr]')!;
    expect(details.querySelector('pre')?.textContent).toBe('fake claude ready\nfake claude: simulated crash');
    expect(end.textContent).toContain('claude exited (exit status 3); the turn did not finish');
    expect(end.textContent).not.toContain('stderr:');
    const item = [...el.shadowRoot!.querySelectorAll('[data-kind=error]')].at(-1)!;
    expect(item.querySelector('[data-testid=agent-stderr] pre')?.textContent).toBe('boom');
    // The last line is shown without opening the disclosure: it is often the reason
    // ("invalid API key · Please run /login", hidden from a window tester).
    expect(details.querySelector('[data-testid=agent-stderr-last]')?.textContent).toBe('fake claude: simulated crash');
    expect(item.querySelector('summary')?.textContent).toContain('boom');
    el.remove();
  });

  // claude's exit between turns is no one's failure: a note, not a red error (a window
  // tester's), with its stderr behind the same disclosure rather than in the sentence.
  it("says claude's exit between turns as a note, its stderr behind a disclosure", async () => {
    const { be, el } = await mounted();
    be.emit('party:event', { seq: 1, ts: '', kind: 'error', text: `claude exited (signal: killed); stderr: fake claude ready${AGENT_EXITED_IDLE}` });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-kind=error]')).toBeNull();
    const note = [...el.shadowRoot!.querySelectorAll('[data-kind=system]')].at(-1)!;
    expect(note.querySelector('[data-testid=agent-stderr] pre')?.textContent).toBe('fake claude ready');
    expect(note.textContent).not.toContain('; stderr:');
    expect(note.textContent).toContain(`claude was killed (SIGKILL)${AGENT_EXITED_IDLE}`); // not Go's words: the terminal's
    el.remove();
  });
});

describe('<transcript-view> after a host stopped', () => {
  for (const [role, want] of [
    ['participant', 'you were disconnected when the host stopped'],
    ['host', 'the party stopped here without ending'], // this window was that host (resumed)
  ] as const) {
    it(`says it of oneself in words for a ${role}`, async () => {
      const { be, st } = await inParty(role);
      const el = document.createElement('transcript-view') as HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };
      el.state = st;
      document.body.append(el);
      be.emit('party:event', { ...left(1, { id: 'm1', name: 'ann', role }), why: 'host_stopped', text: 'ann was disconnected when the host stopped' });
      await el.updateComplete;
      const notice = el.shadowRoot!.querySelector('[data-kind=participants]')?.textContent?.trim();
      expect(notice).toBe(want);
      el.remove();
      st.dispose();
    });
  }
});

describe('<transcript-view> after Leave', () => {
  // A tester's member left with her prompt waiting for approval, as the Leave dialog said
  // it would ("goes to the agent without you"); her window then read "not sent: the party
  // ended" while the party went on and answered it.
  it("shows a member's waiting prompts as going on without them, not as unsent", async () => {
    const { be, st, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'mine' }));
    be.emit('party:event', prompt(2, { id: 'p2', user: 'bob', text: 'theirs' }));
    be.emit('party:event', { seq: 3, ts: '', kind: 'approval', approval: { batch: 'b1', prompts: ['p1'], merged: 'mine', merger: 'local' } });
    await st.leave();
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=prompt-unsent]')).toBeNull();
    const chips = [...root.querySelectorAll('[data-testid=prompt-left-waiting]')].map((c) => c.textContent);
    expect(chips).toEqual(['waiting — goes to the agent without you', 'waiting when you left']);
    const card = root.querySelector('approval-card') as HTMLElement & { updateComplete: Promise<boolean> };
    await card.updateComplete;
    const outcome = card.shadowRoot!.querySelector('[data-testid=approval-outcome]')!.textContent!;
    expect(outcome).not.toMatch(/not sent|ended/i);
    expect(outcome).toMatch(/goes on without you/);
    el.remove();
    st.dispose();
  });

  it('still says "not sent" when the party itself ended', async () => {
    const { be, st, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'mine' }));
    be.emit('party:ended', { reason: 'the host ended the party' });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-unsent]')?.textContent).toBe('not sent');
    expect(el.shadowRoot!.querySelector('[data-testid=prompt-left-waiting]')).toBeNull();
    el.remove();
    st.dispose();
  });
});

describe('<transcript-view> a host\'s own deed', () => {
  // hazel, a co-host, approved her own prompt; her window read "hazel approved your prompt".
  it('says "you approved your prompt" to the host who approved their own prompt', async () => {
    const { be, st, el } = await mounted();
    be.emit('party:event', sys(1, "ann approved ann's prompt"));
    be.emit('party:event', sys(2, "bob approved ann's prompt"));
    be.emit('party:event', sys(3, "ann approved bob's prompt"));
    await el.updateComplete;
    const lines = [...el.shadowRoot!.querySelectorAll('[data-kind=system]')].map((n) => n.textContent?.trim());
    expect(lines).toEqual(['you approved your prompt', 'bob approved your prompt', "ann approved bob's prompt"]);
    el.remove();
    st.dispose();
  });
});

describe('deniedWords', () => {
  // A tester's summary read "2 tool requests denied" of one timed out and one denied.
  it('tells the requests that timed out from those denied', () => {
    const t = (timedOut: number) => ({ timedOut, cancelled: 0, counted: 0 });
    expect(deniedWords(2, t(0))).toBe('2 tool requests denied');
    expect(deniedWords(1, t(1))).toBe('1 tool request timed out');
    expect(deniedWords(2, t(1))).toBe('1 tool request timed out, 1 denied');
    expect(deniedWords(1, t(3))).toBe('1 tool request timed out');
    expect(deniedWords(0, t(0))).toBe('');
  });

  // A user tester read "denied" of a request a stop cancelled: nobody refused it. The
  // turn's count holds the ones its end cancelled; one claude stopped asking it does not.
  it('tells the requests cancelled from those denied', () => {
    expect(deniedWords(1, { timedOut: 0, cancelled: 1, counted: 1 })).toBe('1 tool request cancelled');
    expect(deniedWords(2, { timedOut: 0, cancelled: 1, counted: 1 })).toBe('1 tool request denied, 1 cancelled');
    expect(deniedWords(2, { timedOut: 1, cancelled: 2, counted: 1 })).toBe('1 tool request timed out, 2 cancelled');
    expect(deniedWords(1, { timedOut: 0, cancelled: 1, counted: 0 })).toBe('1 tool request denied, 1 cancelled');
  });
});

describe('<transcript-view> find', () => {
  // The window has no find bar, and the transcript renders only what is on screen: a word
  // said long ago could not be found.
  it('finds the items that hold the text, shows one, and steps through them around', async () => {
    const { be, el } = await mounted();
    for (let i = 1; i <= 300; i++) be.emit('party:event', prompt(i, { id: `p${i}`, user: 'ann', text: i % 100 === 7 ? `needle number ${i}` : `hay ${i}` }));
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(Number(root.querySelector<HTMLElement>('[data-testid=transcript]')!.dataset['rendered'])).toBeLessThan(300);
    (el as unknown as { openFind(): void }).openFind();
    await el.updateComplete;
    const bar = root.querySelector('transcript-find')!;
    await bar.updateComplete;
    const q = (id: string) => bar.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`)!;
    const input = q('find-input') as HTMLInputElement;
    input.value = 'NEEDLE';
    input.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 200)); // the view goes to it once the typing pauses
    await el.updateComplete;
    await bar.updateComplete;
    // Three items hold it; the view follows the end, so the newest is shown first.
    expect(q('find-count').textContent).toBe('3 of 3');
    const hit = () => root.querySelector<HTMLElement>('.item-row.hit');
    expect(hit()?.textContent).toContain('needle number 207');
    q('find-next').click(); // around, to the first
    await el.updateComplete;
    await bar.updateComplete;
    expect(q('find-count').textContent).toBe('1 of 3');
    expect(hit()?.textContent).toContain('needle number 7');
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, composed: true }));
    await el.updateComplete;
    await bar.updateComplete;
    expect(q('find-count').textContent).toBe('3 of 3');
    // New events that hold it are found too (within REFIND_MS), the item shown stays.
    be.emit('party:event', prompt(301, { id: 'p301', user: 'bob', text: 'one more needle' }));
    await new Promise((r) => setTimeout(r, 300));
    await el.updateComplete;
    await bar.updateComplete;
    expect(q('find-count').textContent).toBe('3 of 4');
    expect(hit()?.textContent).toContain('needle number 207');
    input.value = 'zebra';
    input.dispatchEvent(new Event('input'));
    await el.updateComplete;
    await bar.updateComplete;
    expect(q('find-count').textContent).toBe('No matches');
    expect(hit()).toBeNull();
    input.value = 'needle number 207';
    input.dispatchEvent(new Event('input'));
    await el.updateComplete;
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await el.updateComplete;
    expect(root.querySelector('transcript-find')).toBeNull();
    // Opened again, what it held is found again and brought into view (a reviewer's said
    // "1 of N" of a match not on screen); Escape from its buttons closes it too.
    const scroller = root.querySelector<HTMLElement>('[data-testid=transcript]')!;
    scroller.scrollTop = 0;
    (el as unknown as { openFind(): void }).openFind();
    await el.updateComplete;
    const bar2 = root.querySelector('transcript-find')!;
    await bar2.updateComplete;
    expect(bar2.shadowRoot!.querySelector('[data-testid=find-count]')!.textContent).toBe('1 of 1');
    expect(scroller.scrollTop).toBeGreaterThan(0);
    expect(hit()?.textContent).toContain('needle number 207');
    bar2.shadowRoot!.querySelector('[data-testid=find-next]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await el.updateComplete;
    expect(root.querySelector('transcript-find')).toBeNull();
    el.remove();
  });
});

describe('<transcript-view> find while typing', () => {
  // A tester's long party: every key moved the view to a match, rendering the rows around
  // it, and keys typed meanwhile waited; a click on Next with keys still waiting sent them
  // to the button ("section 17 of" became "section 17"). The count follows each key; the
  // view goes to the match once the typing pauses.
  it('brings the match into view once the typing pauses, not at every key', async () => {
    const { be, el } = await mounted();
    for (let i = 1; i <= 300; i++) be.emit('party:event', prompt(i, { id: `p${i}`, user: 'ann', text: i === 7 ? 'needle here' : `hay ${i}` }));
    await el.updateComplete;
    const { bar, input } = await openedFind(el);
    const hit = () => el.shadowRoot!.querySelector('.item-row.hit');
    for (const typed of ['n', 'ne', 'nee', 'need']) {
      input.value = typed;
      input.dispatchEvent(new Event('input'));
      await el.updateComplete;
      await bar.updateComplete;
    }
    // Counted at once; the view, at the end, has not gone to the first item yet.
    expect(bar.shadowRoot!.querySelector('[data-testid=find-count]')!.textContent).toBe('1 of 1');
    expect(hit()).toBeNull();
    await new Promise((r) => setTimeout(r, 250));
    await el.updateComplete;
    expect(hit()?.textContent).toContain('needle here');
    el.remove();
  });
});

/** Opens el's find bar: the bar, and its field. */
async function openedFind(el: HTMLElement & { updateComplete: Promise<boolean> }) {
  (el as unknown as { openFind(): void }).openFind();
  await el.updateComplete;
  const bar = el.shadowRoot!.querySelector('transcript-find')!;
  await bar.updateComplete;
  return { bar, input: bar.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=find-input]')! };
}

/**
 * Runs fn with a stand-in for the CSS Custom Highlight API (jsdom has none), whose
 * registry fn reads: find marks its matches there.
 */
async function withHighlights(fn: (highlights: Map<string, { ranges: Range[] }>) => Promise<void>): Promise<void> {
  const g = globalThis as unknown as { CSS?: unknown; Highlight?: unknown };
  const before = { CSS: g.CSS, Highlight: g.Highlight };
  const highlights = new Map<string, { ranges: Range[] }>();
  g.CSS = { highlights };
  g.Highlight = class {
    ranges: Range[];
    constructor(...r: Range[]) {
      this.ranges = r;
    }
  };
  try {
    await fn(highlights);
  } finally {
    g.CSS = before.CSS;
    g.Highlight = before.Highlight;
  }
}

describe('<transcript-view> find marks', () => {
  // A reviewer's: Esc right after typing left the match marked, the bar closed; typing on
  // let an older reveal mark its match over the newer one's.
  it('marks the match shown, and no stale one after Esc', () =>
    withHighlights(async (highlights) => {
      const { be, el } = await mounted();
      for (let i = 1; i <= 20; i++) be.emit('party:event', prompt(i, { id: `p${i}`, user: 'ann', text: i === 5 ? 'the zebrafish line' : `hay ${i}` }));
      await el.updateComplete;
      const view = el as unknown as { openFind(): void };
      view.openFind();
      await el.updateComplete;
      const bar = el.shadowRoot!.querySelector('transcript-find')!;
      await bar.updateComplete;
      const input = bar.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=find-input]')!;
      const settle = async () => {
        for (let k = 0; k < 10; k++) { // (the view goes to a match typed once the typing pauses)
          await el.updateComplete;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      input.value = 'zebrafish';
      input.dispatchEvent(new Event('input'));
      await settle();
      expect(highlights.get('concordia-find')?.ranges[0]?.toString()).toBe('zebrafish');
      // Every match is counted and stepped through, the others in the item marked too.
      be.emit('party:event', prompt(21, { id: 'p21', user: 'ann', text: 'zebra one, zebra two, zebra three' }));
      input.value = 'zebra';
      input.dispatchEvent(new Event('input'));
      await settle();
      const count = () => bar.shadowRoot!.querySelector('[data-testid=find-count]')!.textContent;
      const marked = () => {
        const r = highlights.get('concordia-find')?.ranges[0];
        return r ? `${r.startContainer.textContent}@${r.startOffset}` : '';
      };
      // The item shown still holds it (typed on from "zebrafish"): its match stays shown.
      expect(count()).toBe('1 of 4');
      expect(marked()).toBe('the zebrafish line@4');
      expect(highlights.has('concordia-find-others')).toBe(false);
      const step = async (back: boolean) => {
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: back, bubbles: true, composed: true }));
        await settle();
      };
      await step(false);
      expect(count()).toBe('2 of 4');
      expect(marked()).toBe('zebra one, zebra two, zebra three@0');
      expect(highlights.get('concordia-find-others')?.ranges.map((r) => r.startOffset)).toEqual([11, 22]);
      await step(true);
      await step(true); // around, to the last
      expect(count()).toBe('4 of 4');
      expect(marked()).toBe('zebra one, zebra two, zebra three@22');
      expect(highlights.get('concordia-find-others')?.ranges.map((r) => r.startOffset)).toEqual([0, 11]);
      // Typed, and Esc at once: nothing stays marked.
      input.value = 'hay 1';
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      await settle();
      expect(el.shadowRoot!.querySelector('transcript-find')).toBeNull();
      expect(highlights.has('concordia-find')).toBe(false);
      el.remove();
    }));
});

describe('<transcript-view> find while the items move', () => {
  // A reviewer's: the view goes to a match typed once the typing pauses, and meanwhile a
  // resync (a reconnect's history, cut to its newest events) moved the items; the index
  // the reveal was given then pointed at another item, and nothing was marked. It goes by
  // the item's key.
  it('brings the match found into view by its item, not by where that item was', () =>
    withHighlights(async (highlights) => {
      const { be, st, el } = await mounted();
      const text = (i: number) => (i === 7 ? 'needle here' : `hay ${i}`);
      for (let i = 1; i <= 300; i++) be.emit('party:event', prompt(i, { id: `p${i}`, user: 'ann', text: text(i) }));
      await el.updateComplete;
      const { bar, input } = await openedFind(el);
      input.value = 'need';
      input.dispatchEvent(new Event('input'));
      await el.updateComplete;
      expect(highlights.has('concordia-find')).toBe(false); // not before the typing pauses
      // A reconnect's history, without the first five events: every item moves up.
      const events = [];
      for (let i = 6; i <= 300; i++) events.push(prompt(i, { id: `p${i}`, user: 'ann', text: text(i) }));
      be.emit('party:state', emptyState({ seq: 300, participants: [st.session!.you], events, truncated: true }));
      for (let k = 0; k < 20; k++) {
        await el.updateComplete;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(bar.shadowRoot!.querySelector('[data-testid=find-count]')!.textContent).toBe('1 of 1');
      const r = highlights.get('concordia-find')?.ranges[0];
      expect(r?.startContainer.textContent).toBe('needle here');
      expect(el.shadowRoot!.querySelector('.item-row.hit')?.textContent).toContain('needle here');
      el.remove();
    }));
});

describe('<transcript-view> following the end through a resize', () => {
  /** The scroller laid out as an engine would: scrollTop clamped to the content's height. */
  function geometry(view: HTMLElement) {
    const g = { content: 0, client: 300, top: 0 };
    const clamp = () => (g.top = Math.max(0, Math.min(g.top, g.content - g.client)));
    Object.defineProperty(view, 'scrollHeight', { configurable: true, get: () => g.content });
    Object.defineProperty(view, 'clientHeight', { configurable: true, get: () => g.client });
    Object.defineProperty(view, 'scrollTop', {
      configurable: true,
      get: () => g.top,
      set: (v: number) => {
        g.top = v;
        clamp();
      },
    });
    return { g, clamp };
  }

  // A window tester's streaming reply, followed at 640 px, then the window at 1920: the
  // wrapped lines unwrapped, the content shrank and the engine clamped scrollTop; output
  // that came before the scroll event left the view short of the end, and that read as the
  // person scrolling up: Latest, and the view stayed behind while the reply went on.
  it('an engine that lowers scrollTop while new output comes keeps the view at the end; the person scrolling up stops it', async () => {
    const { be, el } = await mounted();
    be.emit('party:event', prompt(1, { id: 'p1', user: 'ann', text: 'go' }));
    be.emit('party:event', batch(2, { id: 'b1', prompts: ['p1'], merged: 'go', merger: 'local' }));
    be.emit('party:event', out(3, 'line 1 of the reply\n\n'));
    await el.updateComplete;
    const root = el.shadowRoot!;
    const view = root.querySelector<HTMLElement>('[data-testid=transcript]')!;
    const { g, clamp } = geometry(view);
    const latest = () => root.querySelector('[data-testid=jump-latest]');
    g.content = 5000;
    be.emit('party:event', out(4, 'line 2 of the reply\n\n'));
    await el.updateComplete;
    expect(g.top).toBe(4700); // followed
    // Wider: the content shrinks under the bottom (clamped), then grows with new output
    // before the engine's scroll event is seen.
    g.content = 3000;
    clamp();
    g.content = 3200;
    view.dispatchEvent(new Event('scroll'));
    await el.updateComplete;
    expect(latest()).toBeNull();
    expect(g.top).toBe(2900); // at the end again
    be.emit('party:event', out(5, 'line 3 of the reply\n\n'));
    g.content = 3400;
    await el.updateComplete;
    expect(g.top).toBe(3100); // and following it
    // The person scrolls up (the wheel): the view stays where they put it.
    view.dispatchEvent(new WheelEvent('wheel', { deltaY: -200 }));
    g.top = 2000;
    view.dispatchEvent(new Event('scroll'));
    await el.updateComplete;
    expect(latest()).not.toBeNull();
    be.emit('party:event', out(6, 'line 4 of the reply\n\n'));
    g.content = 3600;
    await el.updateComplete;
    expect(g.top).toBe(2000);
    el.remove();
  });
});
