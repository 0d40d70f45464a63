import { describe, expect, it, vi } from 'vitest';
import { AppState } from './app-state';
import { FakeBackend, deferred, fakeSession } from './fake-backend';
import { DIFF_AFTER_END, countText, goneText, hiddenText, languageOf, parseDiff, statusText, unlistedText } from './workspace';
import type { FileChange, FileDiff, PartyEvent, Session } from './types';

const req = { name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask' as const, claude_args: '', approve: false };

async function inParty(session: Session, be = new FakeBackend()) {
  be.handlers.CreateParty = async () => session;
  const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
  await st.start();
  expect(await st.createParty(req)).toBe(true);
  await Promise.resolve();
  return { be, st };
}

const sharing = (level: 'off' | 'changes' | 'tree'): Session => {
  const s = fakeSession('host');
  return { ...s, party: { ...s.party, workspace: level } };
};
const file = (path: string, additions = 1, status = 'modified'): FileChange => ({ path, status, additions, deletions: 0 });
const changes = (seq: number, files: FileChange[]): PartyEvent => ({ seq, ts: '', kind: 'changes', files });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('parseDiff', () => {
  it('numbers old and new lines through hunks; headers are meta', () => {
    const lines = parseDiff(
      ['diff --git a/x.go b/x.go', '--- a/x.go', '+++ b/x.go', '@@ -10,3 +10,4 @@ func f() {', ' a', '-b', '+B', '+C', ' d', '\\ No newline at end of file', '@@ -40 +41 @@', '-x', '+y', ''].join('\n'),
    );
    expect(lines.map((l) => [l.kind, l.old ?? null, l.new ?? null, l.text])).toEqual([
      ['meta', null, null, 'diff --git a/x.go b/x.go'],
      ['meta', null, null, '--- a/x.go'],
      ['meta', null, null, '+++ b/x.go'],
      ['hunk', null, null, '@@ -10,3 +10,4 @@ func f() {'],
      ['ctx', 10, 10, 'a'],
      ['del', 11, null, 'b'],
      ['add', null, 11, 'B'],
      ['add', null, 12, 'C'],
      ['ctx', 12, 13, 'd'],
      ['meta', null, null, '\\ No newline at end of file'],
      ['hunk', null, null, '@@ -40 +41 @@'],
      ['del', 40, null, 'x'],
      ['add', null, 41, 'y'],
    ]);
  });

  it('keeps hostile text as it is (it is rendered as text)', () => {
    expect(parseDiff('@@ -1 +1 @@\n+<img src=x onerror=alert(1)>')[1]).toEqual({ kind: 'add', text: '<img src=x onerror=alert(1)>', new: 1 });
    expect(parseDiff('')).toEqual([]);
  });

  it('names languages and statuses', () => {
    expect(['a/b.go', 'x.TSX', 'Makefile', 'notes.md', 'run.sh'].map(languageOf)).toEqual(['go', 'typescript', '', '', 'bash']);
    expect(statusText({ path: 'b', status: 'renamed', from: 'a', additions: 0, deletions: 0 })).toBe('renamed from a');
  });
});

describe('AppState: the workspace', () => {
  it('opening the panel asks for the list as it is now (edits made by hand between turns)', async () => {
    const { be, st } = await inParty(sharing('changes'));
    await flush();
    const before = be.count('Changes');
    be.handlers.Changes = async () => ({ files: [file('notes.txt')], base: 'the start' });
    st.workspace.toggle(true);
    await flush();
    expect(be.count('Changes')).toBe(before + 1);
    expect(st.workspace.files.map((f) => f.path)).toEqual(['notes.txt']);
    st.workspace.toggle(true); // already open: no new request
    st.workspace.toggle(false);
    await flush();
    expect(be.count('Changes')).toBe(before + 1);
  });

  it('a resync asks for the list again: the history\'s last list may be older than the folder (a tester\'s)', async () => {
    const { be, st } = await inParty(sharing('changes'));
    await flush();
    be.handlers.Changes = async () => ({ files: [file('by-hand.txt')], base: 'the start' });
    be.emit('party:state', { seq: 5, phase: 'idle', participants: [], pending: [], truncated: false, events: [changes(5, [])] });
    await flush();
    expect(st.workspace.files.map((f) => f.path)).toEqual(['by-hand.txt']);
  });

  it('loads the list on entering, follows changes events, and refetches a shown diff whose file changed', async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [file('a.go')], base: 'the start' });
    const diffs: string[] = [];
    be.handlers.Diff = async (path: string): Promise<FileDiff> => {
      diffs.push(path);
      return { path, diff: `@@ -1 +1 @@\n-old\n+new ${diffs.length}`, truncated: false, binary: false };
    };
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    expect(st.workspace.level).toBe('changes');
    expect(st.workspace.files.map((f) => f.path)).toEqual(['a.go']);
    expect(st.workspace.base).toBe('the start');

    await st.workspace.showDiff('a.go');
    expect(st.workspace.open).toBe(true);
    expect(st.workspace.diffLines.map((l) => l.kind)).toEqual(['hunk', 'del', 'add']);

    be.emit('party:event', changes(1, [file('a.go'), file('b.go', 3, 'added')]));
    await flush();
    expect(st.workspace.files.map((f) => f.path)).toEqual(['a.go', 'b.go']);
    expect(diffs).toEqual(['a.go']); // a.go did not change: no refetch
    be.emit('party:event', changes(2, [file('a.go', 2), file('b.go', 3, 'added')]));
    await flush();
    expect(diffs).toEqual(['a.go', 'a.go']);
    expect(st.workspace.diffLines.at(-1)?.text).toBe('new 2');
    st.workspace.closeDiff();
    expect(st.workspace.selected).toBeNull();
  });

  // A window tester's main.go read "+1 −0" in the list and over its diff, which showed two
  // added lines: edited by hand since the last list.
  it('asks for the list again when a diff contradicts its counts', async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [file('main.go')], base: 'the start' });
    be.handlers.Diff = async (path: string): Promise<FileDiff> => ({ path, diff: '@@ -7,0 +8,2 @@\n+// one\n+// two', truncated: false, binary: false });
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    const before = be.count('Changes');
    be.handlers.Changes = async () => ({ files: [file('main.go', 2)], base: 'the start' });
    await st.workspace.showDiff('main.go');
    await flush();
    expect(be.count('Changes')).toBe(before + 1);
    expect(st.workspace.files[0]?.additions).toBe(2);
    await st.workspace.showDiff('main.go'); // the counts agree now: not asked again
    await flush();
    expect(be.count('Changes')).toBe(before + 1);
  });

  // A window tester closed the panel on a diff and, opening it again, expected the list.
  it('opened again after it was closed on a diff, shows the list; a chip still opens a diff', async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [file('a.go')], base: 'the start' });
    let diffs = 0;
    be.handlers.Diff = async (path: string): Promise<FileDiff> => (diffs++, { path, diff: '@@ -1 +1 @@\n-old\n+new', truncated: false, binary: false });
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    await st.workspace.showDiff('a.go');
    expect(st.workspace.selected).toBe('a.go');
    st.workspace.toggle(false);
    expect(st.workspace.selected).toBeNull();
    expect(st.workspace.diffLines).toEqual([]);
    // Closed, a changed file's diff is not fetched again for nobody.
    be.emit('party:event', changes(1, [file('a.go', 2)]));
    await flush();
    expect(diffs).toBe(1);
    st.workspace.toggle(true);
    expect(st.workspace.open).toBe(true);
    expect(st.workspace.selected).toBeNull();
    await st.workspace.showDiff('a.go'); // a turn's chip, the panel closed or open
    expect(st.workspace.selected).toBe('a.go');
    st.workspace.toggle(true); // already open: the diff stays
    expect(st.workspace.selected).toBe('a.go');
  });

  // The panel's "Changes 2" left out the .env the terminal mentioned (a window tester's).
  it('says its count with the files kept back and not listed', () => {
    expect(countText(2, 0, 0)).toBe('');
    expect(countText(2, 1, 0)).toBe('2 files, and 1 that may hold credentials (not shown)');
    expect(countText(1, 3, 0)).toBe('1 file, and 3 that may hold credentials (not shown)');
    expect(countText(0, 1, 0)).toBe('0 files, and 1 that may hold credentials (not shown)');
    expect(countText(2000, 0, 24999)).toBe('2,000 files, and 24,999 more not listed');
    expect(countText(2000, 2, 5)).toBe('2,000 files, 5 more not listed, and 2 that may hold credentials (not shown)');
  });

  // A tester's agent wrote .env and id_rsa, and the panel said "No changes yet": the host
  // now counts the files it keeps back, and the panel says so.
  it('counts the changed files kept back as secrets, from the list and from changes events', async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [], base: 'the start', hidden: 1 });
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    expect(st.workspace.hidden).toBe(1);
    be.emit('party:event', { ...changes(1, [file('a.go')]), hidden: 2 });
    await flush();
    expect(st.workspace.hidden).toBe(2);
    be.emit('party:event', changes(2, [file('a.go')])); // an older host, or none kept back
    await flush();
    expect(st.workspace.hidden).toBe(0);
    be.emit('party:event', { ...changes(3, []), hidden: -4 } as PartyEvent);
    await flush();
    expect(st.workspace.hidden).toBe(0);
    expect(hiddenText(1, 0)).toBe('1 file that may hold credentials (such as .env or a key) changed. The host shares changes only, so it is not shown.');
    expect(hiddenText(2, 3)).toBe('2 files that may hold credentials (such as .env or keys) also changed. The host shares changes only, so they are not shown.');
  });

  // A reviewer's 200,000 new files made one changes event past the host's message limit:
  // the host now lists 2,000 at most and counts the rest, and the panel says so.
  it('counts the changed files the host did not list, from the list and from changes events', async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [file('a.go')], base: 'the start', more: 24999 });
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    expect(st.workspace.more).toBe(24999);
    be.emit('party:event', { ...changes(1, [file('a.go')]), more: 3 });
    await flush();
    expect(st.workspace.more).toBe(3);
    be.emit('party:event', changes(2, [file('a.go')])); // all listed, or an older host
    await flush();
    expect(st.workspace.more).toBe(0);
    expect(unlistedText(24999)).toBe('24,999 more changed files are not listed: the host lists 2,000 at most — the changes to files that were there at the start first, then new files from the top folder down.');
    expect(unlistedText(1)).toContain('1 more changed file is not listed');
  });

  it('binary and truncated diffs, and a refused one', async () => {
    const be = new FakeBackend();
    be.handlers.Diff = async (path: string) => ({ path, diff: path === 'big.go' ? '@@ -1 +1 @@\n+x' : '', truncated: path === 'big.go', binary: path === 'logo.png' });
    const { st } = await inParty(sharing('changes'), be);
    await st.workspace.showDiff('logo.png');
    expect(st.workspace.diff?.binary).toBe(true);
    expect(st.workspace.diffLines).toEqual([]);
    await st.workspace.showDiff('big.go');
    expect(st.workspace.diff?.truncated).toBe(true);
    be.handlers.Diff = () => Promise.reject('"../x" leaves the working directory.');
    await st.workspace.showDiff('../x');
    expect(st.workspace.diffError).toBe('"../x" leaves the working directory.');
    expect(st.workspace.diff).toBeNull();
  });

  it("a turn's file that has no changes now (renamed away later) is a note, not an error; a listed one's refusal stays an error", async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [file('renamed2.txt'), file('a.go')], base: 'the start' });
    be.handlers.Diff = (path: string) => Promise.reject(`${path} has no changes since the party began`);
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    await st.workspace.showDiff('renamed.txt');
    expect(st.workspace.diffError).toBe('');
    expect(st.workspace.diffNote).toBe(goneText('renamed.txt'));
    await st.workspace.showDiff('a.go');
    expect(st.workspace.diffNote).toBe('');
    expect(st.workspace.diffError).toBe('a.go has no changes since the party began');
    st.workspace.closeDiff();
    expect(st.workspace.diffError).toBe('');
  });

  it('after the party ended, a diff opened during it still shows; another says why not, without asking Go', async () => {
    const be = new FakeBackend();
    be.handlers.Changes = async () => ({ files: [file('a.go'), file('b.go')], base: 'the start' });
    const asked: string[] = [];
    be.handlers.Diff = async (path: string): Promise<FileDiff> => {
      asked.push(path);
      return { path, diff: '@@ -1 +1 @@\n-old\n+new', truncated: false, binary: false };
    };
    const { st } = await inParty(sharing('changes'), be);
    await flush();
    await st.workspace.showDiff('a.go');
    be.emit('party:ended', { reason: 'the host ended the party', kicked: false });
    await flush();
    expect(st.ended).not.toBeNull();
    await st.workspace.showDiff('b.go');
    expect(st.workspace.diffError).toBe(DIFF_AFTER_END);
    expect(st.workspace.diff).toBeNull();
    await st.workspace.showDiff('a.go');
    expect(st.workspace.diffError).toBe('');
    expect(st.workspace.diffLines.map((l) => l.kind)).toEqual(['hunk', 'del', 'add']);
    expect(asked).toEqual(['a.go']); // nothing asked of a party that is over
  });

  it('an answer for an older diff never replaces a newer one', async () => {
    const be = new FakeBackend();
    const slow = deferred<FileDiff>();
    be.handlers.Diff = (path: string) => (path === 'slow.go' ? slow.promise : Promise.resolve({ path, diff: '@@ -1 +1 @@\n+fast', truncated: false, binary: false }));
    const { st } = await inParty(sharing('changes'), be);
    const first = st.workspace.showDiff('slow.go');
    await st.workspace.showDiff('fast.go');
    slow.resolve({ path: 'slow.go', diff: '@@ -1 +1 @@\n+slow', truncated: false, binary: false });
    await first;
    expect(st.workspace.selected).toBe('fast.go');
    expect(st.workspace.diffLines.at(-1)?.text).toBe('fast');
  });

  it('the level follows settings events; the tree loads folders lazily', async () => {
    const be = new FakeBackend();
    const asked: string[] = [];
    be.handlers.Tree = async (path: string) => {
      asked.push(path);
      return { entries: path === '' ? [{ name: 'src', dir: true, size: 0 }, { name: '.env', dir: false, size: 9 }] : [{ name: 'main.go', dir: false, size: 80 }] };
    };
    const { st } = await inParty(sharing('changes'), be);
    be.emit('party:event', { seq: 1, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'tree' });
    expect(st.workspace.level).toBe('tree');
    expect(st.session?.party.workspace).toBe('tree');
    await st.workspace.toggleFolder('');
    await st.workspace.toggleFolder('src');
    expect(asked).toEqual(['', 'src']);
    expect(st.workspace.folder('src')?.entries?.map((e) => e.name)).toEqual(['main.go']);
    await st.workspace.toggleFolder('src'); // closes without asking again
    expect(st.workspace.folder('src')?.open).toBe(false);
    expect(asked).toEqual(['', 'src']);

    be.emit('party:event', { seq: 2, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'off' });
    expect(st.workspace.shared).toBe(false);
    expect(st.workspace.files).toEqual([]);
    expect(st.workspace.folder('')).toBeUndefined();
  });

  it('a host changes the level; a refusal becomes a notice', async () => {
    const { be, st } = await inParty(sharing('changes'));
    expect(await st.workspace.setLevel('tree')).toBe(true);
    expect(be.calls.filter(([n]) => n === 'SetWorkspace')).toEqual([['SetWorkspace', ['tree']]]);
    be.handlers.SetWorkspace = () => Promise.reject('Only a host can do this.');
    expect(await st.workspace.setLevel('off')).toBe(false);
    expect(st.notices.at(-1)?.text).toBe('Could not change what the party sees: Only a host can do this.');
    expect(st.workspace.level).toBe('tree');
  });

  it('the owner is told when a co-host shares the whole folder, not when it is their own change', async () => {
    const { be, st } = await inParty(sharing('changes'));
    const tree = (seq: number): PartyEvent => ({ seq, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'tree' });
    const back = (seq: number): PartyEvent => ({ seq, ts: '', kind: 'settings', approval: false, permission_mode: 'ask', workspace: 'changes' });
    // Their own change, its event after the reply.
    expect(await st.workspace.setLevel('tree')).toBe(true);
    be.emit('party:event', tree(1));
    expect(st.notices.filter((n) => /co-host now shares/.test(n.text))).toEqual([]);
    expect(await st.workspace.setLevel('changes')).toBe(true);
    be.emit('party:event', back(2));
    // A co-host's: the owner hears of it, and the notice stays until dismissed.
    be.emit('party:event', tree(3));
    expect(st.notices.at(-1)).toMatchObject({ kind: 'error', text: expect.stringMatching(/co-host now shares the whole working folder.*secrets/) });
  });

  it('off: nothing is asked of Go', async () => {
    const { be, st } = await inParty(sharing('off'));
    await flush();
    expect(be.count('Changes')).toBe(0);
    expect(st.workspace.shared).toBe(false);
  });

  it('Create party remembers the sharing level chosen', async () => {
    const be = new FakeBackend();
    be.handlers.CreateParty = async () => sharing('tree');
    const st = new AppState(be, { attentive: () => true });
    await st.start();
    await st.createParty({ ...req, share_workspace: 'tree' });
    expect(be.calls.find(([n]) => n === 'CreateParty')?.[1]).toEqual([{ ...req, share_workspace: 'tree' }]);
    // Go remembers the form's values once the party started; the window reads them back
    // (a SaveSettings of its own could race with that and undo it).
    expect(be.count('SaveSettings')).toBe(0);
    await vi.waitFor(() => expect(be.count('GetSettings')).toBe(1));
  });
});
