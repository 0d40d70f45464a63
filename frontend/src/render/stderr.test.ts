import { describe, expect, it } from 'vitest';
import { exitWords, splitStderr } from './stderr';
import exitCases from '../../../internal/cli/testdata/exit-words.json';

describe('splitStderr', () => {
  it('takes the stderr lines out of a failed turn', () => {
    expect(splitStderr('claude failed twice: claude exited (exit status 3); stderr: fake claude ready | fake claude: simulated crash; the turn did not finish')).toEqual({
      text: 'claude failed twice: claude exited (exit status 3); the turn did not finish',
      stderr: ['fake claude ready', 'fake claude: simulated crash'],
    });
  });
  it("keeps Go's words after them out of claude's (a tester read the retry note as claude's)", () => {
    expect(splitStderr('claude could not start: claude exited (exit status 7); stderr: fatal: cannot load native module; it will be tried again with the next batch')).toEqual({
      text: 'claude could not start: claude exited (exit status 7); it will be tried again with the next batch',
      stderr: ['fatal: cannot load native module'],
    });
  });
  it('to the end when nothing follows them', () => {
    expect(splitStderr('claude stopped unexpectedly: claude exited (signal: killed); stderr: Error: out of memory')).toEqual({
      text: 'claude stopped unexpectedly: claude was killed (SIGKILL)',
      stderr: ['Error: out of memory'],
    });
  });
  it('leaves other text as it is', () => {
    expect(splitStderr('the batch failed: API Error: 500')).toEqual({ text: 'the batch failed: API Error: 500', stderr: [] });
  });
});

// A tester's window said "claude exited (signal: killed)", Go's words for a process ended by
// SIGKILL. The terminal reads the same cases (internal/cli exitwords_test.go).
describe('exitWords', () => {
  it('says a signal that ended claude as the terminal does', () => {
    expect(exitCases.length).toBeGreaterThan(0);
    for (const c of exitCases) expect(exitWords(c.text), c.text).toBe(c.want);
  });
});
