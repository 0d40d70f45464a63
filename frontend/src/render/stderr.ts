// An agent error's words for people, and the process's stderr apart.
//
// Go says a Claude Code that ended as "claude exited (exit status 3); stderr: line | line"
// (agent.ExitError), inside longer sentences ("claude failed twice: …; the turn did not
// finish…"). The window showed all of it as one sentence (a tester's read the fake agent's
// own lines mid-sentence). The lines are for whoever wants them: the window puts them behind
// a disclosure.

const MARK = '; stderr: ';

export interface AgentError {
  /** The text without the stderr lines. */
  text: string;
  /** The lines claude last wrote to stderr, oldest first; empty when the text has none. */
  stderr: string[];
}

/**
 * Splits text at its "; stderr: " part, which runs to the next "; " that starts a sentence
 * Go added after it (a lower-case word, as "; the turn did not finish"), or to the end.
 */
export function splitStderr(text: string): AgentError {
  const at = text.indexOf(MARK);
  if (at < 0) return { text, stderr: [] };
  const rest = text.slice(at + MARK.length);
  // The stderr lines are joined with " | "; what follows them is Go's "; the turn …".
  const end = rest.search(/; (?=[a-z])/);
  const lines = end < 0 ? rest : rest.slice(0, end);
  const after = end < 0 ? '' : rest.slice(end);
  return { text: text.slice(0, at) + after, stderr: lines.split(' | ').filter((l) => l.trim() !== '') };
}
