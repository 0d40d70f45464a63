import { describe, expect, it } from 'vitest';
import { listenProblem, settingsErrorField, unreachableInviteWarning, validateSettings } from './settings';
import { localCreateProblem } from './create-form';
// Go's table (TestCheckListenAsTheWindowSaysIt reads it too).
import listenCases from '../../../internal/settings/testdata/listen.json';
import { fakeSettings } from './fake-backend';
import type { CreateRequest, Settings } from './types';

describe('unreachableInviteWarning (as Go host.UnreachableInvite)', () => {
  it('warns when parties listen on loopback and invites name another address', () => {
    for (const [listen, pub] of [['127.0.0.1:0', '192.0.2.2'], ['localhost:8765', 'example.com'], ['[::1]:8765', '2001:db8::1']]) {
      expect(unreachableInviteWarning(listen!, pub!)).toMatch(/only through a tunnel or proxy/);
    }
  });
  it('warns when both are loopback of different kinds: nobody reaches it', () => {
    for (const [listen, pub] of [['127.0.0.1:8765', '::1'], ['[::1]:8765', '127.0.0.1'], ['[0:0:0:0:0:0:0:1]:8765', '127.0.0.1']]) {
      expect(unreachableInviteWarning(listen!, pub!)).toMatch(/cannot reach them/);
    }
    expect(unreachableInviteWarning('localhost:8765', '::1')).toBe('');
    expect(unreachableInviteWarning('127.0.0.1:8765', '::ffff:127.0.0.1')).toBe('');
  });
  it('says nothing otherwise', () => {
    for (const [listen, pub] of [[':8765', '192.0.2.2'], ['0.0.0.0:8765', 'example.com'], ['127.0.0.1:0', ''], ['127.0.0.1:0', '127.0.0.1'], ['127.0.0.1:0', 'localhost'], ['192.0.2.2:8765', '192.0.2.2'], ['', 'x']]) {
      expect(unreachableInviteWarning(listen!, pub!)).toBe('');
    }
  });
});

describe('validateSettings: the tool request timeout (as Go settings.CheckPermissionTimeout)', () => {
  const base: Settings = { ...fakeSettings };
  it('takes 15 s to 24 h, in the words of Go', () => {
    for (const ms of [15_000, 120_000, 86_400_000]) {
      expect(validateSettings({ ...base, permission_timeout_ms: ms }).permission_timeout_ms).toBeUndefined();
    }
    for (const ms of [14_999, 86_400_001, 0, -1, NaN]) {
      expect(validateSettings({ ...base, permission_timeout_ms: ms }).permission_timeout_ms).toBe(
        'The tool request timeout must be between 0.25 and 1440 minutes (15 seconds to 24 hours).',
      );
    }
  });
  it("puts Go's sentence under the field", () => {
    expect(settingsErrorField('The tool request timeout must be between 0.25 and 1440 minutes (15 seconds to 24 hours).')).toBe('permission_timeout_ms');
  });
});

describe('localCreateProblem: the tool request timeout', () => {
  const req: CreateRequest = { name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false };
  it("leaves one left out to Go (the saved setting); checks one given as Go does", () => {
    expect(localCreateProblem(req)).toBe('');
    expect(localCreateProblem({ ...req, permission_timeout_ms: 15_000 })).toBe('');
    expect(localCreateProblem({ ...req, permission_timeout_ms: 10_000 })).toMatch(/^The tool request timeout must be between/);
    expect(localCreateProblem({ ...req, permission_timeout_ms: NaN })).toMatch(/^The tool request timeout must be between/);
  });
});

// In Go's words (settings.CheckListen), naming the part that is wrong: a tester's
// "127.0.0.1:99999" was told to "Use HOST:PORT or :PORT", which it was.
describe('listenProblem', () => {
  it('names what is wrong, as Go does', () => {
    expect(listenProblem('127.0.0.1:99999')).toBe('The listen port 99999 is out of range: use one from 0 to 65535 (0 for any free port).');
    expect(listenProblem('127.0.0.1:http')).toBe('The listen port "http" is not a number: use one from 0 to 65535 (0 for any free port).');
    expect(listenProblem('127.0.0.1:')).toBe('The listen address "127.0.0.1:" has no port: add one from 0 to 65535 (0 for any free port).');
    expect(listenProblem('8765')).toBe('The listen address "8765" is not HOST:PORT or :PORT (e.g. ":8765", or "127.0.0.1:0" for a free port on this machine only).');
    expect(listenProblem('a b:80')).toBe('The listen host "a b" is neither an IP address nor a host name.');
    expect(listenProblem('-x:80')).toBe('The listen host "-x" is neither an IP address nor a host name.');
    for (const ok of ['', ':8765', '127.0.0.1:0', '[::1]:9000', 'localhost:65535', 'party.example.org:80', '0.0.0.0:8765']) expect(listenProblem(ok)).toBe('');
  });

  it("says each address of Go's table as Go's CheckListen does", () => {
    // internal/settings/testdata/listen.json, which TestCheckListenAsTheWindowSaysIt reads
    // too (a reviewer found a bracketed host and a port past 2^53 read differently).
    const cases = listenCases as { addr: string; want: string }[];
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) expect([c.addr, listenProblem(c.addr)]).toEqual([c.addr, c.want]);
  });
});
