// Small formatting helpers for display (no state, no DOM): the words components draw and the
// state counts as shown (find, shown-words.ts), so they live below both.

import type { HistoryProgress } from './types';

/**
 * A count as the window writes numbers, "4,006". A button said "Show 2000 more lines of
 * 4006", where 4006 was the lines left, not the diff's (a tester's).
 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A catch-up's progress in words, "12,345 of 40,000 events", and its percentage. */
export function historyProgress(h: HistoryProgress): { text: string; pct: number } {
  const pct = h.of > 0 ? Math.max(0, Math.min(100, Math.floor((100 * h.have) / h.of))) : 0;
  return { text: `${h.have.toLocaleString('en-US')} of ${h.of.toLocaleString('en-US')} events`, pct };
}

/** "850 ms", "12.3 s", "4 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/**
 * The batching window, in seconds as it is set ("0.5 s", "3 s"): a tester read "500 ms" above
 * a field that said 0.5, and "1.0 s" in another party.
 */
export function formatWindow(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Milliseconds as the minutes a form field shows ("2", "0.25", "90"); "" when not a number. */
export function minutes(ms: number): string {
  // At most three decimals: 20 s is "0.333", not "0.3333333333333333" (a reviewer's).
  return Number.isFinite(ms) ? String(Math.round((ms / 60_000) * 1000) / 1000) : '';
}

/**
 * A number typed in a field: a decimal comma is a decimal point ("1,5" is 1.5: a user
 * tester's became 5 in a number field, which dropped the comma); blank or anything else
 * is NaN, for the field's check to say so. The fields are text fields with a decimal
 * keyboard: a number field empties itself on what it cannot read, and the window's
 * render then wrote that back over what was being typed ("1e" became "").
 */
export function decimal(text: string): number {
  const t = text.trim();
  // Digits, and one decimal point or comma with digits after it: not "0x10" or "1e3",
  // which Number reads (a reviewer's), nor "1,440", where the comma may group thousands
  // and 1440 minutes would have become 86 seconds, in range and unsaid.
  if (!/^\d*([.,]\d+)?$/.test(t) || !/\d/.test(t) || /^\d+,\d{3}$/.test(t)) return NaN;
  return Number(t.replace(',', '.'));
}

/** A whole number typed in a field ("2"), or NaN: not "0x2" or "2.5". */
export function whole(text: string): number {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : NaN;
}

/**
 * How long a turn took, as the terminal says it: the host measures in whole milliseconds,
 * so a turn under a tenth of a second is "under 0.1 s", not "0 ms" (a tester), and one
 * under a second is in tenths of a second too ("0.1 s", not "107 ms" below an "under
 * 0.1 s": a tester read two units for one measure).
 */
export function formatTurnTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 100) return 'under 0.1 s';
  return ms < 1000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

/**
 * How long a turn the host stopped during ran, known only as a lower bound (until the
 * journal's last event: when the host died after it is not known): "at least 4.0 s". One
 * under a tenth of a second says nothing, and is left out ("" ): a window tester read
 * "at least under 0.1 s" of a turn that had waited seconds for a tool decision.
 */
export function formatCutTurnTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 100) return '';
  return `at least ${formatTurnTime(ms)}`;
}

/**
 * A timed-out tool request's reason in the words the card uses for the timeout: the host
 * says "no decision within 1m30s" (Go's duration), the card "(of 1 min 30 s)" before it (a
 * tester read the two as two timeouts). Any other reason as it is.
 */
export function timedOutWords(reason: string): string {
  const m = /^no decision within (?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(reason);
  if (!m || (m[1] ?? m[2] ?? m[3]) === undefined) return reason;
  const [, h = '0', min = '0', sec = '0'] = m;
  const words = formatWait((Number(h) * 3600 + Number(min) * 60 + Number(sec)) * 1000);
  return words ? `nobody decided within ${words}` : reason;
}

/**
 * How long a party lets something wait, in words: "2 min", "90 s" is "1 min 30 s",
 * "15 s", "1 h 30 min" ("" when not a time). Said whole, not as a countdown.
 */
export function formatWait(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', s > 0 && h === 0 ? `${s} s` : ''].filter(Boolean);
  return parts.join(' ') || `${(ms / 1000).toFixed(1)} s`;
}

/** Time left on a countdown: "1:45", "0:05", "1:02:03"; "0:00" once it is past. */
export function formatTimeLeft(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A wall-clock time like "14:05" (empty for an unknown time). */
export function formatClock(ts: number): string {
  if (!Number.isFinite(ts)) return '';
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * A stable hue for a person's name, so each author keeps a colour. Names one character
 * apart get hues far apart: the sum it was gave "Teammate 10" and "Teammate 11" hues 1°
 * apart (a window tester could not tell them apart).
 */
export function nameHue(name: string): number {
  // FNV-1a over the code points, then spread over the circle by the golden ratio.
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return Math.floor(((h * 0.6180339887498949) % 1) * 360);
}

/**
 * One or two characters for an avatar: the first letters of the first two words, or, for a
 * name with a number, what tells it from its neighbours: the first letter and a one-digit
 * number ("Teammate 1" is T1, "member2" M2), or a longer number's last two digits
 * ("Teammate 10" is 10). Names that differ by their number all had the same letters (a
 * window tester's Teammate 1, 10 and 11 were all "T1", "member number N" all "MN").
 */
export function initials(name: string): string {
  // Letters and digits only: a window tester's "<script>" showed "<S"; a name of marks
  // alone shows its first character, whole (not half of an emoji's UTF-16 pair).
  const parts = name.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (parts.length === 0) return Array.from(name.trim())[0] ?? '?';
  const first = Array.from(parts[0]!)[0]!;
  const number = lastNumber(parts);
  if (number) return number.length > 1 ? number.slice(-2) : (first + number).toUpperCase();
  const second = parts[1] ? Array.from(parts[1])[0]! : '';
  return (first + second).toUpperCase();
}

/** The digits at the end of the last word that ends in some after others ("" when none). */
function lastNumber(parts: readonly string[]): string {
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = /\p{N}+$/u.exec(parts[i]!);
    // Not a first word that is all digits ("2fast" is 2, "42" is 4): its first letter says it.
    if (m && (i > 0 || m.index > 0)) return m[0];
  }
  return '';
}

/** Human names of the pipeline phases. */
export function phaseLabel(phase: string): string {
  switch (phase) {
    case 'idle':
      return 'Idle';
    case 'collecting':
      return 'Collecting';
    case 'merging':
      return 'Merging';
    case 'awaiting_approval':
      return 'Awaiting approval';
    case 'running':
      return 'Agent working';
    case 'awaiting_permission':
      return 'Waiting for a tool decision';
    case 'agent_down':
      return 'Agent not running';
    case 'agent_restarts':
      return 'Agent restarts with the next prompt';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'ended':
      return 'Ended';
    case 'left':
      return 'Left';
    case 'removed':
      return 'Removed';
    default:
      return phase;
  }
}

/**
 * A file path as its folder part (with its last slash) and its file name, for .fpath:
 * "docs/guide/intro.md" → ["docs/guide/", "intro.md"]; a bare name has no folder part.
 */
export function splitPath(path: string): [dir: string, name: string] {
  const cut = path.replace(/\/+$/, '').lastIndexOf('/') + 1;
  return [path.slice(0, cut), path.slice(cut)];
}

/** The name people read for a party's agent (its info's agent is an id): "Claude Code" for "claude-code" (a tester's header showed the id). As wire.AgentLabel. */
export function agentLabel(id: string | undefined): string {
  return !id || id === 'claude-code' ? 'Claude Code' : id;
}
