import { describe, expect, it } from 'vitest';
import { awayAfter } from './away';
import { changed, joined, left } from './events.test-helpers';
import type { Member } from './types';

const bob: Member = { id: 'm2', name: 'bob', role: 'host' };
const me = 'm1';

describe('awayAfter', () => {
  it('keeps who left and may come back, and lets them go when they are back or removed', () => {
    let away = awayAfter([], joined(1, bob), me);
    expect(away).toEqual([]);
    away = awayAfter(away, left(2, bob), me);
    expect(away).toEqual([bob]);
    away = awayAfter(away, changed(3, { ...bob, role: 'participant' }), me); // a host made the away co-host a participant
    expect(away).toEqual([{ ...bob, role: 'participant' }]);
    expect(awayAfter(away, joined(4, bob), me)).toEqual([]);
    expect(awayAfter(away, { ...left(4, bob), why: 'kicked' }, me)).toEqual([]);
  });

  it('counts a lost connection, a host that stopped and a party that ended (it may be resumed) as away, not this window', () => {
    expect(awayAfter([], { ...left(1, bob), why: 'connection_lost', text: 'bob lost the connection: nothing came through it for a while' }, me)).toEqual([bob]);
    expect(awayAfter([], { ...left(1, bob), why: 'host_stopped' }, me)).toEqual([bob]);
    expect(awayAfter([], { ...left(1, bob), why: 'party_ended' }, me)).toEqual([bob]);
    expect(awayAfter([], left(1, { id: me, name: 'ann', role: 'participant' }), me)).toEqual([]);
  });
});
