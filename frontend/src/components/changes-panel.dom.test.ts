// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AppState } from '../state/app-state';
import { FakeBackend, fakeSession } from '../state/fake-backend';
import { at } from '../state/events.test-helpers';
import type { TreeResult, WorkspaceLevel } from '../state/types';

await import('./changes-panel');

type Panel = HTMLElement & { state?: AppState; updateComplete: Promise<boolean>; requestUpdate(): void };

/** A party where this window is the owner (hosting) or a co-host (joined, then made a host). */
async function party(who: 'owner' | 'co-host', level: WorkspaceLevel, tree?: TreeResult, cannotShare = false, shareError?: string) {
  const be = new FakeBackend();
  if (tree) be.handlers.Tree = async () => tree;
  const base = fakeSession(who === 'owner' ? 'host' : 'participant');
  const session = { ...base, you: { ...base.you, role: 'host' as const }, party: { ...base.party, workspace: level, cannot_share: cannotShare, share_error: shareError } };
  be.handlers.CreateParty = async () => session;
  const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
  await st.start();
  await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false });
  const el = document.createElement('changes-panel') as Panel;
  el.state = st;
  document.body.append(el);
  await el.updateComplete;
  return { st, el, be };
}

/** The share menu's levels a click may choose. */
function choosable(el: Panel): string[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLOptionElement>('[data-testid=share-level] option')].filter((o) => !o.disabled).map((o) => o.value);
}

describe('<changes-panel> the share menu', () => {
  // A tester's co-host turned "changes" back on after the host's /share off; the host now
  // refuses that (a refusal is a notice), but lets a co-host undo its own /share off (a
  // later tester's was for good). The whole folder is never offered to a co-host.
  it('offers a co-host no whole folder', async () => {
    for (const [level, want] of [
      ['off', ['off', 'changes']],
      ['changes', ['off', 'changes']],
      ['tree', ['off', 'changes', 'tree']],
    ] as Array<[WorkspaceLevel, string[]]>) {
      const { st, el } = await party('co-host', level);
      expect(st.isHost && !st.isOwner).toBe(true);
      expect(choosable(el), level).toEqual(want);
      el.remove();
      st.dispose();
    }
  });

  it('offers the owner every level', async () => {
    const { st, el } = await party('owner', 'off');
    expect(choosable(el)).toEqual(['off', 'changes', 'tree']);
    el.remove();
    st.dispose();
  });

  // A tester confirmed sharing the whole folder in a party started with sharing off, only
  // to be refused: such a party cannot share in this run, and the menu says so instead. A
  // co-host's window offered the levels too, and the host refused them: the hello now says
  // it (party.cannot_share) to every member, and the hint names who can.
  for (const who of ['owner', 'co-host'] as const) {
    it(`offers ${who === 'owner' ? 'nothing' : 'a co-host nothing either'} in a party that cannot share, and says why`, async () => {
      const { st, el, be } = await party(who, 'off', undefined, true);
      const select = el.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid=share-level]')!;
      expect(select.disabled).toBe(true);
      const hint = el.shadowRoot!.querySelector('[data-testid=share-hint]')!.textContent!;
      expect(hint).toContain('cannot share the folder in this run');
      expect(be.count('SetWorkspace')).toBe(0);
      if (who === 'owner') {
        expect(el.shadowRoot!.querySelector('[data-testid=changes-off]')!.textContent).toContain('You do not share the working folder');
      } else {
        expect(hint).not.toContain('concordia host --resume');
      }
      el.remove();
      st.dispose();
    });
  }

  // A party whose first snapshot failed (a folder too large) shares nothing: a joiner was
  // told it saw every change. The owner learns it from the settings event that turns the
  // sharing off, with the way on; a co-host from its hello, without it.
  const why = 'the working directory is too large to track changes in: 20001 files (the limit is 20000)';
  it('says why a folder that could not be shared is not, and offers no level', async () => {
    const { st, el, be } = await party('owner', 'changes');
    be.emit('party:event', { seq: 1, ts: at(100), kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'off', always: [], share_error: why });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid=share-level]')!.disabled).toBe(true);
    const hint = el.shadowRoot!.querySelector('[data-testid=share-hint]')!.textContent!.replace(/\s+/g, ' ');
    expect(hint).toContain(`The folder could not be shared in this run: ${why}. Once that is fixed`);
    expect(hint).toContain('concordia host --resume p1 --share-workspace changes');
    expect(el.shadowRoot!.querySelector('[data-testid=changes-off]')!.textContent).toContain(`could not be shared in this run: ${why}`);
    el.remove();
    st.dispose();

    const co = await party('co-host', 'off', undefined, true, why);
    const coHint = co.el.shadowRoot!.querySelector('[data-testid=share-hint]')!.textContent!;
    expect(coHint).toContain(why);
    expect(coHint).not.toContain('concordia host --resume');
    expect(coHint).not.toContain('started with sharing off');
    co.el.remove();
    co.st.dispose();
  });

  // A settings event of a run before the resume, in the history the party starts from, says
  // nothing of this run (a reviewer's: the share menu of a party that shares was disabled).
  it('takes no share_error from the history', async () => {
    const be = new FakeBackend();
    const base = fakeSession('host');
    const old = { seq: 1, ts: at(100), kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'off', always: [], share_error: why };
    be.handlers.CreateParty = async () => ({ ...base, party: { ...base.party, workspace: 'changes' as const }, state: { ...base.state, seq: 1, events: [old] } });
    const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
    await st.start();
    await st.createParty({ name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false });
    expect(st.workspace.cannotShare).toBe(false);
    expect(st.workspace.shareError).toBe('');
    st.dispose();
  });

  // The party a reconnect's hello describes wins: a host resumed with sharing can share.
  it('offers the levels again once a resumed host can share', async () => {
    const { st, el, be } = await party('owner', 'off', undefined, true);
    const { cannot_share: _, ...resumed } = st.session!.party; // as Go sends it: the key left out
    be.emit('party:info', { ...resumed, workspace: 'changes' });
    await el.updateComplete;
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid=share-level]')!;
    expect(select.disabled).toBe(false);
    expect(st.workspace.cannotShare).toBe(false);
    expect(st.session!.party.cannot_share).toBe(false);
    el.remove();
    st.dispose();
  });
});

describe('<changes-panel> the folder', () => {
  it('marks a symbolic link as one, with nothing to click', async () => {
    const { st, el } = await party('owner', 'tree', { entries: [{ name: 'main.go', dir: false, size: 120 }, { name: 'passwd', dir: false, size: 0, link: true }] });
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    (q('tab-tree') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    const link = q('tree-link');
    expect(link?.querySelector('.name')?.textContent).toBe('passwd');
    expect(link?.querySelector('.size')?.textContent).toBe('link');
    expect(link?.tagName).toBe('DIV');
    expect(q('tree-file')?.querySelector('.name')?.textContent).toBe('main.go');
    el.remove();
    st.dispose();
  });
});

describe('<changes-panel> the list', () => {
  it('says how many changed files the host keeps back, under the list or alone', async () => {
    const { st, el } = await party('owner', 'changes');
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    st.workspace.onChanges([], 1);
    el.requestUpdate();
    await el.updateComplete;
    expect(q('changes-empty')?.querySelector('b')?.textContent).toBe('No changes to show');
    expect(q('changes-hidden')?.textContent).toContain('1 file that may hold credentials');
    // Its header's count says them too ("Changes 2" beside a terminal's .env read as wrong: a window tester's).
    expect(q('changes-count-note')?.textContent).toBe('0 files, and 1 that may hold credentials (not shown)');
    st.workspace.onChanges([{ path: 'a.go', status: 'modified', additions: 1, deletions: 0 }, { path: 'b.go', status: 'added', additions: 1, deletions: 0 }], 1);
    el.requestUpdate();
    await el.updateComplete;
    expect(q('changes-count')?.textContent).toBe('2');
    expect(q('changes-count-note')?.textContent).toBe('2 files, and 1 that may hold credentials (not shown)');
    st.workspace.onChanges([{ path: 'a.go', status: 'modified', additions: 1, deletions: 0 }], 0);
    el.requestUpdate();
    await el.updateComplete;
    expect(q('changes-list')).not.toBeNull();
    expect(q('changes-hidden')).toBeNull();
    expect(q('changes-count-note')).toBeNull();
    expect(q('changes-unlisted')).toBeNull();
    st.workspace.onChanges([{ path: 'a.go', status: 'modified', additions: 1, deletions: 0 }], 0, 24999);
    el.requestUpdate();
    await el.updateComplete;
    expect(q('changes-unlisted')?.textContent).toContain('24,999 more changed files are not listed');
    el.remove();
    st.dispose();
  });

  it('says a binary file is one, a file too large to track is one, and a link is one, not "+0 −0"', async () => {
    const { st, el, be } = await party('owner', 'changes');
    st.workspace.onChanges([
      { path: 'a.go', status: 'modified', additions: 2, deletions: 1 },
      { path: 'blob.bin', status: 'added', additions: 0, deletions: 0, binary: true },
      { path: 'dump.sql', status: 'modified', additions: 1, deletions: 1, large: true },
      { path: 'escape', status: 'added', additions: 0, deletions: 0, link: true },
    ], 0);
    el.requestUpdate();
    await el.updateComplete;
    const counts = [...el.shadowRoot!.querySelectorAll('[data-testid=changes-list] .counts')].map((n) => n.textContent?.replace(/\s+/g, ' ').trim());
    expect(counts).toEqual(['+2 −1', 'binary', 'too large', 'link']);
    // A link's diff: what it is, not the host's refusal in red, and nothing asked of it.
    const { LINK_NOTE } = await import('../state/workspace');
    await st.workspace.showDiff('escape');
    el.requestUpdate();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=diff-note]')?.textContent).toBe(LINK_NOTE);
    expect(el.shadowRoot!.querySelector('[data-testid=diff-error]')).toBeNull();
    expect(be.count('Diff')).toBe(0);
    el.remove();
    st.dispose();
  });
});

// A tester's 25,000 new files, and a 300,000-line file's diff, each held the window for a
// minute: the panel puts them on the page a page at a time.
describe('<changes-panel> large lists and diffs', () => {
  it('lists a page of files at a time, and shows a page of a diff at a time', async () => {
    const { pageSizes } = await import('./changes-panel');
    const was = { ...pageSizes };
    Object.assign(pageSizes, { diffLines: 20, listFiles: 5 }); // 2,000 and 500 in the app
    try {
      const { st, el, be } = await party('owner', 'changes');
      const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
      const rows = () => el.shadowRoot!.querySelectorAll('[data-testid=changes-file]').length;
      st.workspace.onChanges(Array.from({ length: 12 }, (_, i) => ({ path: `f${String(i).padStart(2, '0')}.txt`, status: 'added', additions: 1, deletions: 0 })));
      el.requestUpdate();
      await el.updateComplete;
      expect(rows()).toBe(5);
      expect(q('changes-more')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('Show 5 more of 7 not listed yet');
      q('changes-more')!.click();
      await el.updateComplete;
      expect(rows()).toBe(10);
      q('changes-more')!.click();
      await el.updateComplete;
      expect(rows()).toBe(12);
      expect(q('changes-more')).toBeNull();

      const big = ['@@ -0,0 +1,45 @@', ...Array.from({ length: 45 }, (_, i) => `+line ${i}`)].join('\n');
      be.handlers.Diff = async (path: string) => ({ path, diff: big, truncated: false, binary: false });
      await st.workspace.showDiff('f00.txt');
      el.requestUpdate();
      await el.updateComplete;
      const lines = () => el.shadowRoot!.querySelectorAll('[data-testid=diff-lines] .ln').length;
      expect(lines()).toBe(20);
      expect(q('diff-more')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('Show 20 more lines (26 not shown yet)');
      q('diff-more')!.click();
      await el.updateComplete;
      expect(lines()).toBe(40);
      q('diff-more')!.click();
      await el.updateComplete;
      expect(lines()).toBe(46);
      expect(q('diff-more')).toBeNull();
      el.remove();
      st.dispose();
    } finally {
      Object.assign(pageSizes, was);
    }
  });
});

// A tester's hundreds of changed files were one flat list: a long list has a filter box.
describe('<changes-panel> the filter', () => {
  it('narrows a long list to the paths holding every word typed, and Escape empties it', async () => {
    const { FILTER_FROM } = await import('./changes-panel');
    const { st, el } = await party('owner', 'changes');
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    const rows = () => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[data-testid=changes-file]')].map((b) => b.dataset.path);
    const few = Array.from({ length: FILTER_FROM }, (_, i) => ({ path: `a/f${i}.go`, status: 'modified', additions: 1, deletions: 0 }));
    st.workspace.onChanges(few);
    el.requestUpdate();
    await el.updateComplete;
    expect(q('changes-filter')).toBeNull(); // a short list is read at a glance
    const many = [
      ...Array.from({ length: 20 }, (_, i) => ({ path: `internal/cli/f${i}.go`, status: 'modified', additions: 1, deletions: 0 })),
      { path: 'internal/host/Host.go', status: 'added', additions: 3, deletions: 0 },
      { path: 'docs/new.md', status: 'renamed', from: 'docs/old-host.md', additions: 0, deletions: 0 },
    ];
    st.workspace.onChanges(many);
    el.requestUpdate();
    await el.updateComplete;
    const box = q('changes-filter') as HTMLInputElement;
    expect(box.placeholder).toBe('Filter 22 files by path');
    const type = async (text: string) => {
      box.value = text;
      box.dispatchEvent(new Event('input'));
      await el.updateComplete;
    };
    await type('HOST');
    expect(rows()).toEqual(['internal/host/Host.go', 'docs/new.md']); // any case; a rename by where it came from too
    expect(q('changes-filter-count')?.textContent).toBe('2 of 22 files');
    await type('internal host');
    expect(rows()).toEqual(['internal/host/Host.go']);
    await type('nowhere');
    expect(rows()).toEqual([]);
    expect(q('changes-none-match')?.textContent).toContain('nowhere');
    const esc = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true });
    box.dispatchEvent(esc);
    await el.updateComplete;
    expect(esc.defaultPrevented).toBe(true); // the panel stays open
    expect(box.value).toBe('');
    expect(rows()).toHaveLength(22);
    const again = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true });
    box.dispatchEvent(again);
    expect(again.defaultPrevented).toBe(false); // empty: the next Escape is the panel's
    el.remove();
    st.dispose();
  });

  // A window tester's Enter on the filter's one match (main.go) did nothing.
  it('opens the first file listed on Enter: the only match, or the first of several; none with no match', async () => {
    const { FILTER_FROM } = await import('./changes-panel');
    const { st, el, be } = await party('owner', 'changes');
    // Diffs that agree with the listed counts: one that contradicts them asks for the list
    // again, and the fake host's would replace this one.
    be.handlers.Diff = async (path: string) => ({ path, diff: '@@ -0,0 +1 @@\n+x', truncated: false, binary: false });
    const box = () => el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=changes-filter]')!;
    const files = [
      ...Array.from({ length: FILTER_FROM }, (_, i) => ({ path: `a/f${i}.go`, status: 'modified', additions: 1, deletions: 0 })),
      { path: 'main.go', status: 'modified', additions: 1, deletions: 0 },
    ];
    const enterWith = async (text: string) => {
      st.workspace.closeDiff();
      el.requestUpdate();
      await el.updateComplete;
      box().value = text;
      box().dispatchEvent(new Event('input'));
      await el.updateComplete;
      const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true });
      box().dispatchEvent(enter);
      await el.updateComplete;
      return { opened: st.workspace.selected, prevented: enter.defaultPrevented };
    };
    st.workspace.onChanges(files);
    el.requestUpdate();
    await el.updateComplete;
    expect(await enterWith('main')).toEqual({ opened: 'main.go', prevented: true });
    expect(await enterWith('.go')).toEqual({ opened: 'a/f0.go', prevented: true });
    expect(await enterWith('nowhere')).toEqual({ opened: null, prevented: false });
    el.remove();
    st.dispose();
  });

  it('stays while it holds text and the list gets short, and goes once it is emptied', async () => {
    const { FILTER_FROM } = await import('./changes-panel');
    const { st, el } = await party('owner', 'changes');
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    const rows = () => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[data-testid=changes-file]')].map((b) => b.dataset.path);
    const files = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `a/f${i}.go`, status: 'modified', additions: 1, deletions: 0 }));
    const show = async (n: number) => {
      st.workspace.onChanges(files(n));
      el.requestUpdate();
      await el.updateComplete;
    };
    await show(FILTER_FROM + 10);
    const box = q('changes-filter') as HTMLInputElement;
    box.value = 'f1.go';
    box.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(rows()).toEqual(['a/f1.go']);
    await show(3); // the agent's turn undid most of them
    expect((q('changes-filter') as HTMLInputElement | null)?.value).toBe('f1.go');
    expect(q('changes-filter-count')?.textContent).toBe('1 of 3 files');
    expect(rows()).toEqual(['a/f1.go']);
    const kept = q('changes-filter') as HTMLInputElement;
    kept.value = '';
    kept.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(q('changes-filter')).toBeNull();
    expect(rows()).toHaveLength(3);
    await show(FILTER_FROM + 10); // no filter comes back with a long list
    expect((q('changes-filter') as HTMLInputElement).value).toBe('');
    expect(rows()).toHaveLength(FILTER_FROM + 10);
    el.remove();
    st.dispose();
  });
});

// A tester's keyboard focus fell to the page after a click on a file, on "← Files" and on
// the panel's ×: each control it was on went away.
describe('<changes-panel> the focus', () => {
  it('goes to "← Files" on a file, back to its row after, and the × says the panel closed', async () => {
    const { st, el, be } = await party('owner', 'changes');
    be.handlers.Diff = async (path: string) => ({ path, diff: '@@ -0,0 +1 @@\n+x', truncated: false, binary: false });
    // (Counts as the diffs say them: a diff that contradicts its file's asks for the list again.)
    st.workspace.onChanges([
      { path: 'a.txt', status: 'added', additions: 1, deletions: 0 },
      { path: 'src/b.go', status: 'modified', additions: 1, deletions: 0 },
    ], 0);
    el.requestUpdate();
    await el.updateComplete;
    const q = (sel: string) => el.shadowRoot!.querySelector<HTMLButtonElement>(sel)!;
    q('[data-testid=changes-file][data-path="src/b.go"]').click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe(q('[data-testid=diff-back]'));
    // The share menu gives the diff its room (at 640×480 a tester's diff had 4 lines).
    expect(el.shadowRoot!.querySelector('[data-testid=share-level]')).toBeNull();
    q('[data-testid=diff-back]').click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe(q('[data-testid=changes-file][data-path="src/b.go"]'));
    expect(el.shadowRoot!.querySelector('[data-testid=share-level]')).not.toBeNull();
    // Escape in a diff goes back to the list, as "← Files" does (it closed the whole panel:
    // a window tester's); the panel stays open.
    q('[data-testid=changes-file][data-path="a.txt"]').click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    const esc = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true });
    q('[data-testid=diff-back]').dispatchEvent(esc);
    expect(esc.defaultPrevented).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(st.workspace.selected).toBeNull();
    expect(el.shadowRoot!.activeElement).toBe(q('[data-testid=changes-file][data-path="a.txt"]'));
    const again = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true });
    q('[data-testid=changes-file][data-path="a.txt"]').dispatchEvent(again);
    expect(again.defaultPrevented).toBe(false); // the list: the panel's Escape is party-view's
    let closed = 0;
    document.body.addEventListener('changes-closed', () => closed++);
    q('[data-testid=changes-close]').click();
    expect(closed).toBe(1);
    expect(st.workspace.open).toBe(false);
    el.remove();
    st.dispose();
  });

  // A window tester closed the panel on a diff; opened again, it showed that diff, not the list.
  it('closed on a diff, opens again on the list', async () => {
    const { st, el, be } = await party('owner', 'changes');
    be.handlers.Diff = async (path: string) => ({ path, diff: '@@ -0,0 +1 @@\n+x', truncated: false, binary: false });
    be.handlers.Changes = async () => ({ files: [{ path: 'a.txt', status: 'added', additions: 1, deletions: 0 }], base: '' });
    st.workspace.onChanges([{ path: 'a.txt', status: 'added', additions: 1, deletions: 0 }], 0);
    st.workspace.toggle(true);
    el.requestUpdate();
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=changes-file][data-path="a.txt"]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=diff-view]')).not.toBeNull();
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=changes-close]')!.click();
    el.remove(); // party-view drops the closed panel
    st.workspace.toggle(true);
    const again = document.createElement('changes-panel') as Panel;
    again.state = st;
    document.body.append(again);
    await again.updateComplete;
    expect(again.shadowRoot!.querySelector('[data-testid=diff-view]')).toBeNull();
    expect(again.shadowRoot!.querySelector('[data-testid=changes-list]')).not.toBeNull();
    again.remove();
    st.dispose();
  });
});

// A window tester opened a file from a turn's chips and read a hand edit of two turns
// before in it: the diff says what it is compared with.
describe('<changes-panel> a file\'s diff', () => {
  it('says it holds every change since the party began, every turn\'s and by hand', async () => {
    const { st, el, be } = await party('owner', 'changes');
    be.handlers.Diff = async (path: string) => ({ path, diff: '@@ -1 +1 @@\n-a\n+b', truncated: false, binary: false });
    st.workspace.onChanges([{ path: 'main.go', status: 'modified', additions: 1, deletions: 1 }], 0);
    el.requestUpdate();
    await el.updateComplete;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=changes-file]')!.click();
    await new Promise((r) => setTimeout(r, 0));
    st.workspace.base = ''; // a host that did not say
    el.requestUpdate();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=diff-base]')?.textContent).toBe('Every change since the party began, from every turn and by hand.');
    st.workspace.base = 'the working directory as it was when the party began (git commit abc1234)';
    el.requestUpdate();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=diff-base]')?.textContent).toBe(
      'Compared with the working directory as it was when the party began (git commit abc1234): every change since, from every turn and by hand.',
    );
    el.remove();
    st.dispose();
  });
});

// A file named with a bidi override ("‮txt.exe" reads "exe.txt"), and code with one in a
// diff: shown as what they are, and the path handed back to Go as it is (a reviewer's:
// stripped, such a file could never be opened).
describe('<changes-panel> bidi controls', () => {
  it('shows them in paths and diffs, and asks Go for the path as it is', async () => {
    const { st, el, be } = await party('owner', 'changes');
    const asked: string[] = [];
    be.handlers.Diff = async (path: string) => {
      asked.push(path);
      return { path, diff: '@@ -0,0 +1 @@\n+ok = 1 \u202E// }\u2066', truncated: false, binary: false };
    };
    st.workspace.onChanges([{ path: '\u202Etxt.exe', status: 'added', additions: 1, deletions: 0 }], 0);
    el.requestUpdate();
    await el.updateComplete;
    const row = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=changes-file]')!;
    expect(row.querySelector('[data-testid=file-path]')?.textContent).toBe('[U+202E]txt.exe');
    row.click();
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(asked).toEqual(['\u202Etxt.exe']);
    const text = el.shadowRoot!.querySelector('[data-testid=diff-lines]')?.textContent ?? '';
    expect(text).toContain('ok = 1 [U+202E]// }[U+2066]');
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    el.remove();
    st.dispose();
  });
});

// A tester's empty new file showed git's header lines and "+0 −0", and no word of what
// changed: a diff with no hunk says it.
describe('<changes-panel> a diff with no line changes', () => {
  for (const [name, diff, want] of [
    ['an empty new file', 'diff --git a/e.txt b/e.txt\nnew file mode 100644\nindex 0000000..e69de29\n', 'New empty file.'],
    ['an empty file deleted', 'diff --git a/e.txt b/e.txt\ndeleted file mode 100644\nindex e69de29..0000000\n', 'Deleted an empty file.'],
    ['a mode change', 'diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n', 'Only its mode changed (whether it can be run); no line changes.'],
    ['a rename', 'diff --git a/a.txt b/b.txt\nsimilarity index 100%\nrename from a.txt\nrename to b.txt\n', 'Renamed; no line changes.'],
    ['lines', 'diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n', null],
  ] as const) {
    it(`says so for ${name}`, async () => {
      const { st, el, be } = await party('owner', 'changes');
      be.handlers.Diff = async (path: string) => ({ path, diff, truncated: false, binary: false });
      st.workspace.onChanges([{ path: 'e.txt', status: 'added', additions: 0, deletions: 0 }], 0);
      el.requestUpdate();
      await el.updateComplete;
      el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=changes-file]')!.click();
      await new Promise((r) => setTimeout(r, 0));
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[data-testid=diff-lines]')).not.toBeNull();
      expect(el.shadowRoot!.querySelector('[data-testid=diff-no-lines]')?.textContent ?? null).toBe(want);
      el.remove();
      st.dispose();
    });
  }
});
