// When the window asks for a person's attention with a desktop notification: a tool
// request or a batch waits for a host's decision (hosts only), or a turn finished. The
// state module calls attentionFor for each live event and, when the window is hidden or
// unfocused, passes the result to Go's Notify. Pure, so it is tested without a window.

import type { PartyEvent, Role } from './types';

/** A notification to show. */
export interface Attention {
  title: string;
  body: string;
}

/** The notification a live event deserves for a member with role, or null. */
export function attentionFor(e: PartyEvent, role: Role): Attention | null {
  switch (e.kind) {
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
        const n = t.denied ?? 0;
        return { title: 'The agent finished', body: n > 0 ? `Done — ${n} tool ${n === 1 ? 'request' : 'requests'} denied` : 'Done' };
      }
      if (t.status === 'interrupted') return { title: 'The agent stopped', body: t.error ? capital(t.error) : 'Interrupted' };
      return { title: 'The agent failed', body: t.error ?? 'The turn failed' };
    }
  }
  return null;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
