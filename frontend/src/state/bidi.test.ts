import { describe, expect, it } from 'vitest';
import { WailsBackend } from './backend';
import { showBidi, stripBidi, withoutBidi } from './bidi';

const RLO = '\u202E';
const PDF = '\u202C';
const LRI = '\u2066';
const PDI = '\u2069';

describe('withoutBidi', () => {
  it('drops overrides, embeddings, isolates and marks from every string, keys included', () => {
    expect(stripBidi(`a${RLO}desrever${PDF}b`)).toBe('adesreverb');
    const v = { text: `x${RLO}y`, list: ['ok', `${LRI}z${PDI}`], n: 3, nested: { [`k${RLO}`]: `\u200Fv\u200E` }, none: null };
    expect(withoutBidi(v)).toEqual({ text: 'xy', list: ['ok', 'z'], n: 3, nested: { k: 'v' }, none: null });
    expect(v.text).toBe(`x${RLO}y`); // not changed in place
  });

  // A path is handed back to Go to open (a reviewer's: stripped, a file named with one
  // could never be opened); the window shows its controls instead (showBidi).
  it('keeps paths as they are, and shows their controls when asked', () => {
    const f = { path: `a${RLO}.txt`, from: `b${RLO}`, status: `add${RLO}ed` };
    expect(withoutBidi(f)).toEqual({ path: `a${RLO}.txt`, from: `b${RLO}`, status: 'added' });
    expect(showBidi(`a${RLO}txt.exe`)).toBe('a[U+202E]txt.exe');
    expect(showBidi(`x${LRI}y${PDI}`)).toBe('x[U+2066]y[U+2069]');
    const e = withoutBidi(new Error(`no ${RLO}way`));
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('no way');
  });

  it('returns what holds none as it is', () => {
    const v = { text: 'שלום, hello', list: ['a', { b: 'c' }] };
    expect(withoutBidi(v)).toBe(v);
    expect(withoutBidi('plain')).toBe('plain');
  });
});

describe('WailsBackend', () => {
  // A tester's prompt "…‮reversed‬…" showed reversed in the window, in the prompt and in the
  // agent's reply, and reordered the text around it; the terminal drops such characters.
  it('hands on events, peers\' results and refusals from Go without bidi controls, paths and diffs as they are', async () => {
    let listener: ((...data: unknown[]) => void) | undefined;
    const w = {
      go: {
        app: {
          App: {
            Diff: async (path: string) => ({ path, diff: `+x = 1 ${RLO}// comment${PDF}`, truncated: false, binary: false }),
            Changes: async () => ({ files: [{ path: `${RLO}txt.exe`, status: 'added', additions: 1, deletions: 0 }], base: `the start ${RLO}x` }),
            SendPrompt: async () => Promise.reject(`the host says ${RLO}no`),
          },
        },
      },
      runtime: {
        EventsOn: (_name: string, cb: (...data: unknown[]) => void) => {
          listener = cb;
          return () => {};
        },
        EventsOff: () => {},
      },
    } as unknown as Window;
    const be = new WailsBackend(w);
    const events: unknown[] = [];
    be.on('party:event', (e) => events.push(e));
    listener!({ seq: 1, kind: 'prompt', prompt: { id: 'p1', user: `eve${RLO}`, text: `run ${RLO}txt.exe${PDF}` } });
    expect(events).toEqual([{ seq: 1, kind: 'prompt', prompt: { id: 'p1', user: 'eve', text: 'run txt.exe' } }]);
    // A diff is shown with its controls made visible, not dropped: that would hide the trick.
    expect(await be.Diff(`a${RLO}.go`)).toEqual({ path: `a${RLO}.go`, diff: `+x = 1 ${RLO}// comment${PDF}`, truncated: false, binary: false });
    expect(await be.Changes()).toEqual({ files: [{ path: `${RLO}txt.exe`, status: 'added', additions: 1, deletions: 0 }], base: 'the start x' });
    await expect(be.SendPrompt('hi')).rejects.toBe('the host says no');
  });
});
