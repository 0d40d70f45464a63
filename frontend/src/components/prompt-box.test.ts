import { describe, expect, it } from 'vitest';
import { pendingHint } from './prompt-box';

describe('pendingHint', () => {
  it('says where my waiting prompts are: queued, or in a batch a host has to approve', () => {
    expect(pendingHint(1, 0)).toBe('Your prompt is waiting for the next batch');
    expect(pendingHint(3, 0)).toBe('3 of your prompts are waiting for the next batch');
    expect(pendingHint(1, 1)).toBe("Your prompt is waiting for a host's approval");
    expect(pendingHint(2, 2)).toBe("2 of your prompts are waiting for a host's approval");
    expect(pendingHint(2, 1)).toBe("1 of your prompts is waiting for a host's approval, 1 for the next batch");
    // A host has the card in front of them.
    expect(pendingHint(1, 1, true)).toBe('Your prompt is waiting for approval in the card above');
    expect(pendingHint(2, 1, true)).toBe('1 of your prompts is waiting for approval in the card above, 1 for the next batch');
  });
});
