// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { findText, unfold } from './find-in-dom';

describe('finding the words in a rendered item', () => {
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
});
