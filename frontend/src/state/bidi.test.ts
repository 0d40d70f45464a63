import { describe, expect, it } from 'vitest';
import { WailsBackend } from './backend';
import { stripBidi, withoutBidi } from './bidi';

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

  it('returns what holds none as it is', () => {
    const v = { text: 'שלום, hello', list: ['a', { b: 'c' }] };
    expect(withoutBidi(v)).toBe(v);
    expect(withoutBidi('plain')).toBe('plain');
  });
});

describe('WailsBackend', () => {
  // A tester's prompt "…‮reversed‬…" showed reversed in the window, in the prompt and in the
  // agent's reply, and reordered the text around it; the terminal drops such characters.
  it('hands on events, results and refusals from Go without bidi controls', async () => {
    let listener: ((...data: unknown[]) => void) | undefined;
    const w = {
      go: {
        app: {
          App: {
            Diff: async (path: string) => ({ path, diff: `+x = 1 ${RLO}// comment${PDF}`, truncated: false, binary: false }),
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
    expect((await be.Diff(`a${RLO}.go`)).diff).toBe('+x = 1 // comment');
    await expect(be.SendPrompt('hi')).rejects.toBe('the host says no');
  });
});
