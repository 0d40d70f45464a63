import { describe, expect, it } from 'vitest';
import { agentLabel, formatCutTurnTime, formatTimeLeft, formatTurnTime, formatWait, formatWindow, initials, nameHue, phaseLabel, splitPath, timedOutWords } from './format';

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

describe('timedOutWords', () => {
  it("says the host's timeout as the card's countdown says it", () => {
    expect(timedOutWords('no decision within 1m30s')).toBe('nobody decided within 1 min 30 s');
    expect(timedOutWords('no decision within 2m0s')).toBe('nobody decided within 2 min');
    expect(timedOutWords('no decision within 15s')).toBe('nobody decided within 15 s');
    expect(timedOutWords('no decision within 24h0m0s')).toBe('nobody decided within 24 h');
    expect(timedOutWords('no decision within soon')).toBe('no decision within soon');
    expect(timedOutWords('no decision within ')).toBe('no decision within ');
    expect(timedOutWords('the host was away')).toBe('the host was away');
  });
});

describe('formatWait', () => {
  it("says how long a party lets a tool request wait, whole: the host's --permission-timeout", () => {
    expect(formatWait(120_000)).toBe('2 min');
    expect(formatWait(90_000)).toBe('1 min 30 s');
    expect(formatWait(15_000)).toBe('15 s');
    expect(formatWait(5_400_000)).toBe('1 h 30 min');
    expect(formatWait(86_400_000)).toBe('24 h');
    expect(formatWait(0)).toBe('');
    expect(formatWait(Number.NaN)).toBe('');
  });
});

describe('phaseLabel', () => {
  it('says Removed, not Ended, to someone a host removed (the party goes on)', () => {
    expect(phaseLabel('removed')).toBe('Removed');
    expect(phaseLabel('ended')).toBe('Ended');
  });
});

describe('splitPath', () => {
  it('keeps the file name apart, for a folder part cut first', () => {
    expect(splitPath('docs/guide/intro.md')).toEqual(['docs/guide/', 'intro.md']);
    expect(splitPath('main.go')).toEqual(['', 'main.go']);
    expect(splitPath('docs/')).toEqual(['', 'docs/']);
  });
});


describe('formatTurnTime', () => {
  it('says a turn under a tenth of a second as such, not "0 ms"', () => {
    expect(formatTurnTime(0)).toBe('under 0.1 s');
    expect(formatTurnTime(99)).toBe('under 0.1 s');
    expect(formatTurnTime(100)).toBe('0.1 s');
    expect(formatTurnTime(107)).toBe('0.1 s');
    expect(formatTurnTime(949)).toBe('0.9 s');
    expect(formatTurnTime(999)).toBe('1.0 s');
    expect(formatTurnTime(1000)).toBe('1.0 s');
    expect(formatTurnTime(12_300)).toBe('12.3 s');
  });
});

describe('formatCutTurnTime', () => {
  // A window tester read "at least under 0.1 s" of a turn the host was killed during.
  it('says a lower bound as one, and leaves out one under a tenth of a second', () => {
    expect(formatCutTurnTime(0)).toBe('');
    expect(formatCutTurnTime(40)).toBe('');
    expect(formatCutTurnTime(Number.NaN)).toBe('');
    expect(formatCutTurnTime(100)).toBe('at least 0.1 s');
    expect(formatCutTurnTime(4000)).toBe('at least 4.0 s');
  });
});

describe('agentLabel', () => {
  it('names Claude Code for its id, and any other agent by its id', () => {
    expect(agentLabel('claude-code')).toBe('Claude Code');
    expect(agentLabel('')).toBe('Claude Code');
    expect(agentLabel(undefined)).toBe('Claude Code');
    expect(agentLabel('other-agent')).toBe('other-agent');
  });
});

describe('formatWindow', () => {
  // In seconds, as Settings sets it: "500 ms" stood above a field that said 0.5 (a tester's).
  it('says the batching window in seconds, as it is set', () => {
    expect(formatWindow(500)).toBe('0.5 s');
    expect(formatWindow(3000)).toBe('3 s');
    expect(formatWindow(1000)).toBe('1 s');
    expect(formatWindow(1250)).toBe('1.25 s');
    expect(formatWindow(Number.NaN)).toBe('');
  });
});

describe('nameHue', () => {
  // Names one character apart had hues 1° apart: the same colour to the eye.
  it('gives names one character apart colours far apart, and a name always the same one', () => {
    const names = ['Teammate 1', 'Teammate 2', 'Teammate 10', 'Teammate 11', 'member number 3', 'member number 4'];
    const hues = names.map(nameHue);
    for (const h of hues) expect(h >= 0 && h < 360 && Number.isInteger(h)).toBe(true);
    const apart = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
    expect(apart(nameHue('Teammate 10'), nameHue('Teammate 11'))).toBeGreaterThanOrEqual(20);
    expect(apart(nameHue('Teammate 1'), nameHue('Teammate 2'))).toBeGreaterThanOrEqual(20);
    expect(apart(nameHue('member number 3'), nameHue('member number 4'))).toBeGreaterThanOrEqual(20);
    expect(names.map(nameHue)).toEqual(hues);
  });
});

describe('initials', () => {
  // A window tester's peer named "<script>…" showed "<S" in its avatar.
  it('takes the first letters or digits of the first two words', () => {
    expect(initials('bob')).toBe('B');
    expect(initials('ann lee')).toBe('AL');
    expect(initials('mary-jane_x')).toBe('MJ');
    expect(initials('<Script>alert(1)')).toBe('S1'); // its number, as Teammate 1's
    expect(initials('  élodie ünal ')).toBe('ÉÜ');
    expect(initials('2fast')).toBe('2');
  });
  // A window tester's Teammate 1, 10 and 11 were all "T1"; "member number N" all "MN".
  it('keeps the number that tells names apart', () => {
    expect(['Teammate 1', 'Teammate 10', 'Teammate 11', 'Teammate 2'].map(initials)).toEqual(['T1', '10', '11', 'T2']);
    expect(['member number 3', 'member number 12'].map(initials)).toEqual(['M3', '12']);
    expect(initials('member2')).toBe('M2');
    expect(initials('build bot 7 (night)')).toBe('B7');
    expect(initials('Teammate 104')).toBe('04');
    expect(initials('42')).toBe('4');
  });
  it('shows a name of marks alone by its first character, whole', () => {
    expect(initials('🎉')).toBe('🎉');
    expect(initials('<<>>')).toBe('<');
    expect(initials('')).toBe('?');
  });
});

describe('decimal', () => {
  it('reads a decimal point or a decimal comma, and nothing else', async () => {
    const { decimal } = await import('./format');
    expect(decimal('1.5')).toBe(1.5);
    expect(decimal(' 1,5 ')).toBe(1.5);
    expect(decimal('2')).toBe(2);
    expect(decimal('.5')).toBe(0.5);
    // Not what Number reads besides (a reviewer's), nor a comma that may group thousands.
    for (const bad of ['', '  ', 'abc', '1,5,2', '1.000,5', '1e', '1e3', '0x10', '0b11', '1,', 'Infinity', '-1', '1,440', '1 5']) expect(decimal(bad), bad).toBeNaN();
  });

  it('reads a whole number, and nothing else', async () => {
    const { whole } = await import('./format');
    expect(whole(' 2 ')).toBe(2);
    for (const bad of ['', '0x2', '2.5', '1e1', '-1']) expect(whole(bad), bad).toBeNaN();
  });

  it('shows minutes with at most three decimals', async () => {
    const { minutes } = await import('./format');
    expect(minutes(20_000)).toBe('0.333');
    expect(minutes(45_000)).toBe('0.75');
    expect(minutes(NaN)).toBe('');
  });
});
