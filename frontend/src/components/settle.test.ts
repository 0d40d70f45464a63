import { describe, expect, it } from 'vitest';
import { Typing } from './settle';

describe('Typing', () => {
  // A method named then made every Typing a thenable: awaited, or resolved into a promise,
  // it ran with the promise's resolve as its act, and the Typing itself was never the value.
  it('is not a thenable: awaited, it is itself', async () => {
    const typing = new Typing();
    expect(await Promise.resolve(typing)).toBe(typing);
  });

  it('runs the act at once when nothing was typed, and gives its result', async () => {
    const typing = new Typing();
    expect(await typing.whenSettled(() => 7)).toBe(7);
    expect(typing.waiting).toBe(false);
  });
});
