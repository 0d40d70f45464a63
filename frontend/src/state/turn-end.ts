// What a finished turn's end says, in one place for the transcript's footer and the
// desktop notification (a turn whose steps failed or whose plan was sent back was "Done"
// in one and not the other). Pure data: no DOM.

import { EXIT_PLAN_TOOL } from './host-control';
import { toolStepOutcomes, type TurnItem } from './transcript';

/**
 * A turn's "N tool requests denied", with those seen timing out told apart: the turn's
 * count holds both, and a tester's read "2 tool requests denied" of one timed out and one
 * denied.
 */
export function deniedWords(denied: number, timedOut: number): string {
  const n = (k: number) => `${k} tool ${k === 1 ? 'request' : 'requests'}`;
  const t = Math.min(timedOut, denied);
  if (t === 0) return `${n(denied)} denied`;
  if (t === denied) return `${n(denied)} timed out`;
  return `${n(t)} timed out, ${denied - t} denied`;
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
  const failed = denied === 0 || steps.denied > 0 ? steps.failed : 0;
  const failedText = `${failed === 1 ? '1 tool step' : `${failed} tool steps`} failed`;
  // Denied by a host (the turn's end names nobody), as Go's transcript.IsPlanSentBack.
  const plansBack = it.segments.filter(
    (sg) => sg.kind === 'permission' && !sg.void && sg.permission.tool === EXIT_PLAN_TOOL && sg.permission.status === 'denied' && (sg.permission.by ?? '') !== '',
  ).length;
  const timedOut = it.segments.filter((sg) => sg.kind === 'permission' && sg.permission.status === 'timed_out').length;
  const notes: string[] = [];
  if (denied > 0 && plansBack >= denied) notes.push('the plan was sent back for changes');
  else if (denied > 0) notes.push(deniedWords(denied, timedOut));
  if (failed > 0) notes.push(failedText);
  const warn = failed > 0 || (denied > 0 && plansBack < denied);
  return { text: notes.length === 0 ? 'Done' : `Done — ${notes.join(', ')}`, warn, denied, failed, plansBack };
}
