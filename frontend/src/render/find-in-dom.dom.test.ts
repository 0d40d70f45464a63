// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { findAllText, findText, refold, unfold } from './find-in-dom';

describe('finding the words in a rendered item', () => {
  // A reviewer's: "İ" is two characters lower-cased, so a text holding it was passed by,
  // and a code block's every match with it, while the count held them.
  it('finds the words of a text whose lower-casing is longer, in place', () => {
    const row = document.createElement('div');
    row.innerHTML = '<p>İstanbul kod here</p><pre><code><span>İ := </span><span>kod</span>(x)</code></pre>';
    document.body.append(row);
    const all = findAllText(row, 'kod');
    expect(all.map((r) => r.toString())).toEqual(['kod', 'kod']);
    expect(findAllText(row, 'kod(x').map((r) => r.toString())).toEqual(['kod(x']);
    expect(findAllText(row, 'i̇stanbul').map((r) => r.toString())).toEqual(['İstanbul']);
    row.remove();
  });

  // A user tester's match was in a folded tool step, inside a component of its own: the
  // item was outlined and the word nowhere to be seen.
  it('finds them through shadow roots, and unfolds the details that hold them', () => {
    const row = document.createElement('div');
    row.innerHTML = '<p>Hay and <b>more hay</b></p><div class="host"></div>';
    const host = row.querySelector('.host')!;
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<details><summary>3 tool steps</summary><details><summary>Bash: go test</summary><pre>--- PASS: TestRunVersion/Bad_Flag</pre></details></details>';
    document.body.append(row);
    const r = findText(row, 'bad_flag');
    expect(r?.toString()).toBe('Bad_Flag');
    expect([...shadow.querySelectorAll('details')].map((d) => d.open)).toEqual([false, false]);
    expect(unfold(r!.startContainer)).toBe(true);
    expect([...shadow.querySelectorAll('details')].map((d) => d.open)).toEqual([true, true]);
    expect(unfold(r!.startContainer)).toBe(false); // open already
    expect(findText(row, 'more hay')?.toString()).toBe('more hay');
    expect(findText(row, 'zebra')).toBeNull();
    expect(findText(row, '')).toBeNull();
    row.remove();
  });

  // A reviewer's: a hidden match came before a shown one, and a folded one before the
  // same word shown further down; what find unfolded stayed open for good.
  it('prefers what is shown, skips what is hidden, and folds again what it opened', () => {
    const row = document.createElement('div');
    row.innerHTML = '<p hidden>needle hidden</p><span aria-hidden="true">needle initials</span><details><summary>steps <span data-find-skip>— needle folded</span></summary><pre>needle folded</pre></details><p>needle shown</p>';
    document.body.append(row);
    expect(findText(row, 'needle')?.startContainer.textContent).toBe('needle shown');
    // The group's row repeats its step's call: the step's own text is the match.
    expect(findAllText(row, 'needle').map((r) => r.startContainer.textContent)).toEqual(['needle shown', 'needle folded']);
    const folded = findText(row, 'folded')!;
    expect(folded.startContainer.textContent).toBe('needle folded');
    const d = row.querySelector('details')!;
    expect(unfold(folded.startContainer)).toBe(true);
    expect(d.open).toBe(true);
    refold(folded.startContainer); // what holds the match shown stays open
    expect(d.open).toBe(true);
    refold();
    expect(d.open).toBe(false);
    row.remove();
  });

  // A reviewer's: find marked only an item's first match, and counted items.
  it('finds every match, what is shown first, in an order unfolding does not change', () => {
    const row = document.createElement('div');
    row.innerHTML = '<p>piece one, piece two</p><details><summary>steps</summary><pre>a piece folded</pre></details><p>last piece</p>';
    document.body.append(row);
    const where = (rs: Range[]) => rs.map((r) => `${r.startContainer.textContent}@${r.startOffset}`);
    const before = where(findAllText(row, 'piece'));
    expect(before).toEqual(['piece one, piece two@0', 'piece one, piece two@11', 'last piece@5', 'a piece folded@2']);
    expect(where([findText(row, 'piece', 3)!])).toEqual(['a piece folded@2']);
    expect(where([findText(row, 'piece', 9)!])).toEqual(['a piece folded@2']); // the last, when it holds fewer
    // Unfolded by find, it keeps its place (the next step is still the next match).
    unfold(findText(row, 'piece', 3)!.startContainer);
    expect(where(findAllText(row, 'piece'))).toEqual(before);
    refold();
    // Opened by the person, it is shown: in the order read.
    row.querySelector('details')!.open = true;
    expect(where(findAllText(row, 'piece'))).toEqual(['piece one, piece two@0', 'piece one, piece two@11', 'a piece folded@2', 'last piece@5']);
    row.remove();
  });
});
