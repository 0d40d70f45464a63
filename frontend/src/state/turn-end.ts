// What a finished turn's end says, in one place for the transcript's footer and the
// desktop notification (a turn whose steps failed or whose plan was sent back was "Done"
// in one and not the other). Pure data: no DOM.

import { EXIT_PLAN_TOOL, TURN_ENDED, isCancelledRequest } from './host-control';
import { toolStepOutcomes, type Segment, type TurnItem } from './transcript';

/**
 * A turn's tool requests that were not allowed, as Go's transcript.Requests: seen timing
 * out, and seen cancelled (isCancelledRequest), and of those the ones the turn's `denied`
 * counts (its end cancelled them; not one claude stopped asking as it crashed, nor one a
 * resume closed, which the batch's run again asks anew).
 */
export interface RequestCounts {
  timedOut: number;
  cancelled: number;
  counted: number;
}

/** Counts a turn's requests that timed out or were cancelled. */
export function turnRequests(segments: readonly Segment[]): RequestCounts {
  const r: RequestCounts = { timedOut: 0, cancelled: 0, counted: 0 };
  for (const sg of segments) {
    if (sg.kind !== 'permission') continue;
    if (sg.permission.status === 'timed_out') r.timedOut++;
    else if (isCancelledRequest(sg.permission)) {
      r.cancelled++;
      if (sg.permission.reason === TURN_ENDED) r.counted++;
    }
  }
  return r;
}

/** How many of the turn's denied (its end's count) a host or plan mode refused: neither timed out nor cancelled. */
export function refusedOf(denied: number, r: RequestCounts): number {
  return Math.max(0, denied - Math.min(r.timedOut, denied) - r.counted);
}

/**
 * A turn's "N tool requests denied", with those seen timing out and those cancelled told
 * apart ("1 tool request timed out, 1 denied, 1 cancelled"); "" for none. The turn's count
 * (denied) holds them all: a tester's read "2 tool requests denied" of one timed out and
 * one denied, and a user tester's "denied" of one a stop cancelled. As Go's
 * transcript.Requests.Words.
 */
export function deniedWords(denied: number, r: RequestCounts = { timedOut: 0, cancelled: 0, counted: 0 }): string {
  const parts = (
    [
      [Math.min(r.timedOut, denied), 'timed out'],
      [refusedOf(denied, r), 'denied'],
      [r.cancelled, 'cancelled'],
    ] as const
  ).filter(([k]) => k > 0);
  return parts.map(([k, w], i) => (i === 0 ? `${k} tool ${k === 1 ? 'request' : 'requests'} ${w}` : `${k} ${w}`)).join(', ');
}

/** What a finished turn (status done) went through, and how its end says it. */
export interface DoneWords {
  /** "Done", or "Done — …" with what did not go as asked. */
  text: string;
  /** Something did not go as asked: a denial or a failed step (a plan sent back is not). */
  warn: boolean;
  denied: number;
  failed: number;
  plansBack: number;
}

/**
 * How a finished turn's end reads: the requests denied (those that timed out told apart),
 * the tool steps that failed ("Done" alone read as if all went well: a user tester's only
 * step had failed), and a plan a host sent back, which is the review plan mode is for, not
 * a refusal (a user tester's plan revision ended in a warning). A host from before
 * "(denied)" marked a denied step "(error)": then the denials are all that is said.
 */
export function doneWords(it: TurnItem): DoneWords {
  const denied = it.end?.denied ?? 0;
  const steps = toolStepOutcomes(it.segments);
  const failed = denied === 0 || steps.denied > 0 || steps.cancelled > 0 ? steps.failed : 0;
  const failedText = `${failed === 1 ? '1 tool step' : `${failed} tool steps`} failed`;
  // Denied by a host (the turn's end names nobody), as Go's transcript.IsPlanSentBack.
  const plansBack = it.segments.filter(
    (sg) => sg.kind === 'permission' && !sg.void && sg.permission.tool === EXIT_PLAN_TOOL && sg.permission.status === 'denied' && (sg.permission.by ?? '') !== '',
  ).length;
  const r = turnRequests(it.segments);
  // Refused or timed out: what did not go as asked (a cancel is the turn's end, no refusal).
  const notAllowed = Math.min(r.timedOut, denied) + refusedOf(denied, r);
  const notes: string[] = [];
  if (notAllowed > 0 && plansBack >= notAllowed) {
    notes.push('the plan was sent back for changes');
    if (r.cancelled > 0) notes.push(deniedWords(0, { timedOut: 0, cancelled: r.cancelled, counted: 0 }));
  } else if (deniedWords(denied, r) !== '') notes.push(deniedWords(denied, r));
  if (failed > 0) notes.push(failedText);
  const warn = failed > 0 || (notAllowed > 0 && plansBack < notAllowed);
  return { text: notes.length === 0 ? 'Done' : `Done — ${notes.join(', ')}`, warn, denied, failed, plansBack };
}
