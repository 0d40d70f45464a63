import { describe, expect, it } from 'vitest';
import { unreachableInviteWarning } from './settings';

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
