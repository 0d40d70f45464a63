// The members away from the party: they left, and may come back with their session
// (PROTOCOL.md §5, a participants left with any why but kicked; those still there when a
// host ended the party come back with it once it is resumed, as the terminal's /who
// says). A host may
// still remove one (Party.kick); the window listed only those connected, so a window
// host could not (a window tester's co-host, killed, stayed a co-host who could return).

import type { Member, PartyEvent } from './types';

/** The members away after event e, given those away before it; you is this window's member. */
export function awayAfter(away: readonly Member[], e: PartyEvent, you: string): readonly Member[] {
  if (e.kind !== 'participants') return away;
  if (e.joined) {
    const id = e.joined.id;
    return away.some((m) => m.id === id) ? away.filter((m) => m.id !== id) : away;
  }
  if (e.changed) {
    const c = e.changed;
    return away.some((m) => m.id === c.id) ? away.map((m) => (m.id === c.id ? { ...m, role: c.role } : m)) : away;
  }
  if (e.left) {
    const id = e.left.id;
    const rest = away.filter((m) => m.id !== id);
    if (e.why === 'kicked' || id === you) return rest;
    return [...rest, e.left];
  }
  return away;
}
