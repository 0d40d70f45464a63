// When the window asks for a person's attention with a desktop notification: a tool
// request or a batch waits for a host's decision (hosts only), a turn finished or failed,
// someone else joined, or the party ended (not by you). The state module calls
// attentionFor for each live event (attentionForEnd when the party ends) and, when the
// window is hidden or unfocused and Settings has notifications on, passes the result to
// Go's Notify (which honours the setting too). Pure, so it is tested without a window.

import type { TurnItem } from './transcript';
import { deniedWords, doneWords } from './turn-end';
import { NOT_RUN_AGAIN, NOT_RUN_AGAIN_WORDS } from './shown-words';
import type { Member, PartyEvent, Role } from './types';

/** A notification to show. */
export interface Attention {
  title: string;
  body: string;
}

/**
 * The notification a live event deserves for a member (you, with your role), or null.
 * turn is a turn event's item in the transcript, when known: its end is said as the
 * transcript says it (doneWords).
 */
export function attentionFor(e: PartyEvent, role: Role, you?: Pick<Member, 'id'>, turn?: TurnItem): Attention | null {
  switch (e.kind) {
    case 'participants': {
      const m = e.joined;
      if (!m || m.id === you?.id) return null;
      const n = e.count ?? 0;
      return { title: `${m.name} joined the party`, body: n > 1 ? `${n} people are in the party now` : 'Someone joined' };
    }
    case 'permission': {
      const p = e.permission;
      if (!p || p.status !== 'pending' || role !== 'host') return null;
      return { title: 'The agent asks to use a tool', body: `${p.tool}: ${p.summary}` };
    }
    case 'approval': {
      const a = e.approval;
      if (!a || typeof a !== 'object' || role !== 'host') return null;
      return { title: 'A merged prompt waits for your approval', body: a.merged.slice(0, 200) };
    }
    case 'turn': {
      const t = e.turn;
      if (!t) return null;
      if (t.status === 'done') {
        if (turn) return { title: 'The agent finished', body: doneWords(turn).text };
        const n = t.denied ?? 0;
        return { title: 'The agent finished', body: n > 0 ? `Done — ${deniedWords(n)}` : 'Done' };
      }
      if (t.status === 'interrupted') return { title: 'The agent stopped', body: t.error ? capital(t.error) : 'Interrupted' };
      if (t.error === NOT_RUN_AGAIN) return { title: 'The agent stopped', body: NOT_RUN_AGAIN_WORDS }; // the host's choice, not a failure
      return { title: 'The agent failed', body: t.error ?? 'The turn failed' };
    }
  }
  return null;
}

/**
 * The notification for the end of the party, or null when you ended or left it yourself
 * (you know). reason is as in AppState's Ended ("the host ended the party"); removed, when
 * a host removed you, is the window's sentence for it.
 */
export function attentionForEnd(reason: string, removed?: string): Attention | null {
  if (/^you (left|ended)\b/.test(reason)) return null;
  // Removed by a host, the party goes on (without you): it did not end.
  if (removed) return { title: 'You were removed from the party', body: removed };
  return { title: 'The party ended', body: capital(reason) };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
