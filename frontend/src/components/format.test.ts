import { describe, expect, it } from 'vitest';
import { formatTimeLeft } from './format';

describe('formatTimeLeft', () => {
  it('counts down in minutes and seconds, rounding up, and stops at 0:00', () => {
    expect(formatTimeLeft(120_000)).toBe('2:00');
    expect(formatTimeLeft(104_200)).toBe('1:45');
    expect(formatTimeLeft(4_001)).toBe('0:05');
    expect(formatTimeLeft(3_723_000)).toBe('1:02:03');
    expect(formatTimeLeft(0)).toBe('0:00');
    expect(formatTimeLeft(-5_000)).toBe('0:00');
    expect(formatTimeLeft(Number.NaN)).toBe('0:00');
  });
});
