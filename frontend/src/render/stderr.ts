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
 * How Go's agent.ExitError names a claude ended by a signal, with os.ProcessState's words
 * ("claude exited (signal: killed)", "… (signal: segmentation fault (core dumped))").
 */
const SIGNAL_EXIT = /claude exited \(signal: ([a-z0-9 /]+?)( \(core dumped\))?\)/g;

/** The signals Go's words name, as people know them, and what they did to claude (internal/cli exitwords.go). */
const SIGNALS: Record<string, { name: string; did: string }> = {
  killed: { name: 'SIGKILL', did: 'was killed' },
  terminated: { name: 'SIGTERM', did: 'was stopped' },
  interrupt: { name: 'SIGINT', did: 'was interrupted' },
  hangup: { name: 'SIGHUP', did: 'was stopped' },
  quit: { name: 'SIGQUIT', did: 'was stopped' },
  'broken pipe': { name: 'SIGPIPE', did: 'lost its output pipe' }, // it wrote where nobody reads
  'segmentation fault': { name: 'SIGSEGV', did: 'crashed' },
  aborted: { name: 'SIGABRT', did: 'crashed' },
  'abort trap': { name: 'SIGABRT', did: 'crashed' }, // macOS
  'bus error': { name: 'SIGBUS', did: 'crashed' },
  'floating point exception': { name: 'SIGFPE', did: 'crashed' },
  'illegal instruction': { name: 'SIGILL', did: 'crashed' },
};

/**
 * Says a claude ended by a signal in words for a person ("claude was killed (SIGKILL)"),
 * not Go's ("claude exited (signal: killed)"), as the terminal does; an exit status
 * ("claude exited (exit status 3)") reads as it is. Both are held to
 * internal/cli/testdata/exit-words.json.
 */
export function exitWords(text: string): string {
  if (!text.includes('claude exited (signal: ')) return text;
  return text.replace(SIGNAL_EXIT, (_m, sig: string, core: string | undefined) => {
    const dumped = core ? ', core dumped' : '';
    const w = Object.hasOwn(SIGNALS, sig) ? SIGNALS[sig] : undefined;
    return w ? `claude ${w.did} (${w.name}${dumped})` : `claude was stopped by a signal (${sig}${dumped})`;
  });
}

/**
 * Splits error, in words for people (exitWords), at its "; stderr: " part, which runs to the next "; " that starts a sentence
 * Go added after it (a lower-case word, as "; the turn did not finish"), or to the end.
 */
export function splitStderr(error: string): AgentError {
  const text = exitWords(error); // (a signal's words, with ours, as the terminal says them)
  const at = text.indexOf(MARK);
  if (at < 0) return { text, stderr: [] };
  const rest = text.slice(at + MARK.length);
  // The stderr lines are joined with " | "; what follows them is Go's "; the turn …".
  const end = rest.search(/; (?=[a-z])/);
  const lines = end < 0 ? rest : rest.slice(0, end);
  const after = end < 0 ? '' : rest.slice(end);
  return { text: text.slice(0, at) + after, stderr: lines.split(' | ').filter((l) => l.trim() !== '') };
}
