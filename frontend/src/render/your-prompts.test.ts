import { describe, expect, it } from 'vitest';
import { yourPrompts } from './your-prompts';

describe('yourPrompts', () => {
  it("calls the reader's prompts theirs, and no one else's", () => {
    expect(yourPrompts('alice edited and sent bob\'s prompt', 'bob')).toBe('alice edited and sent your prompt');
    expect(yourPrompts("alice turned approval off; bob's prompt that waited for approval is sent now", 'bob')).toBe('alice turned approval off; your prompt that waited for approval is sent now');
    expect(yourPrompts("alice removed eve from the party (bob's 2 waiting prompts are withdrawn)", 'bob')).toBe('alice removed eve from the party (your 2 waiting prompts are withdrawn)');
    expect(yourPrompts("alice approved bobby's prompt", 'bob')).toBe("alice approved bobby's prompt");
    expect(yourPrompts("alice approved carol's prompt", 'bob')).toBe("alice approved carol's prompt");
    expect(yourPrompts("alice approved b.b's prompt (a.b's 2 prompts)", 'a.b')).toBe("alice approved b.b's prompt (your 2 prompts)");
    expect(yourPrompts("alice approved bob's prompt", '')).toBe("alice approved bob's prompt");
    // The reader's own Stop (a user tester's read "carol stopped the turn" in her window).
    expect(yourPrompts('carol stopped the turn', 'carol')).toBe('you stopped the turn');
    expect(yourPrompts('carol stopped the turn', 'bob')).toBe('carol stopped the turn');
    expect(yourPrompts('ann carol stopped the turn', 'carol')).toBe('ann carol stopped the turn');
    // The reader removed (a user tester's window read "alice removed mei from the party"
    // under its own "You were removed" banner), with its prompts.
    expect(yourPrompts("alice removed mei from the party: spam (mei's waiting prompt is withdrawn); mei's prompt that waits for approval stays: a host can reject it", 'mei')).toBe(
      'alice removed you from the party: spam (your waiting prompt is withdrawn); your prompt that waits for approval stays: a host can reject it',
    );
    expect(yourPrompts('alice removed mei ling from the party', 'mei')).toBe('alice removed mei ling from the party');
    expect(yourPrompts('alice removed eve from the party: she removed mei from the party', 'mei')).toBe('alice removed eve from the party: she removed mei from the party');
    expect(yourPrompts('alice removed mei from the party', 'mei', false)).toBe('alice removed mei from the party'); // in the history: another mei
    expect(yourPrompts('alice removed mei from the party', 'bob')).toBe('alice removed mei from the party');
  });

  // Only a host's act on the reader's prompt says "You" (a reviewer's).
  it('says "you" only for the reader\'s own act on the prompt', () => {
    expect(yourPrompts("hazel approved hazel's prompt", 'hazel')).toBe('you approved your prompt');
    expect(yourPrompts("ann marie approved ann's prompt", 'ann')).toBe('ann marie approved your prompt');
    expect(yourPrompts("hazel made themselves a viewer (hazel's waiting prompt is still sent)", 'hazel')).toBe('hazel made themselves a viewer (your waiting prompt is still sent)');
    // The host's words for its own prompt now (a window tester read "hazel edited and sent
    // hazel's prompt"): the host reads its own act; others read the host's.
    expect(yourPrompts('hazel edited and sent their own prompt', 'hazel')).toBe('you edited and sent your own prompt');
    expect(yourPrompts('hazel approved their own prompt', 'hazel')).toBe('you approved your own prompt');
    expect(yourPrompts('hazel edited and sent their own prompt', 'bob')).toBe('hazel edited and sent their own prompt');
    expect(yourPrompts('ann marie approved their own prompt', 'ann')).toBe('ann marie approved their own prompt');
  });
});
