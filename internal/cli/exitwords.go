package cli

import (
	"regexp"
	"strings"

	"github.com/concordia-party/concordia/internal/agent"
)

// How an agent.ExitError names a claude ended by a signal: Go's os.ProcessState words inside
// it ("claude exited (signal: killed)", "… (signal: segmentation fault (core dumped))").
var signalExit = regexp.MustCompile(`claude exited \(signal: ([a-z0-9 /]+?)( \(core dumped\))?\)`)

// signalWords are the signals Go's words name, as people know them, and what they did to
// claude: a crash is claude's own; anything else ended it from outside.
var signalWords = map[string]struct{ name, did string }{
	"killed":                   {"SIGKILL", "was killed"},
	"terminated":               {"SIGTERM", "was stopped"},
	"interrupt":                {"SIGINT", "was interrupted"},
	"hangup":                   {"SIGHUP", "was stopped"},
	"quit":                     {"SIGQUIT", "was stopped"},
	"broken pipe":              {"SIGPIPE", "lost its output pipe"}, // it wrote where nobody reads
	"segmentation fault":       {"SIGSEGV", "crashed"},
	"aborted":                  {"SIGABRT", "crashed"},
	"abort trap":               {"SIGABRT", "crashed"}, // macOS
	"bus error":                {"SIGBUS", "crashed"},
	"floating point exception": {"SIGFPE", "crashed"},
	"illegal instruction":      {"SIGILL", "crashed"},
}

// terminalWhere says, in text, where a terminal gives Claude Code extra arguments, and not
// the window's menu too (agent.ArgsRefusedWhere): a tester's terminal host was pointed at
// "More options in the window's Create party".
func terminalWhere(text string) string {
	return strings.ReplaceAll(text, agent.ArgsRefusedWhere, "(--claude-arg)")
}

// exitWords says, in text, a claude ended by a signal in words for a person ("claude was
// killed (SIGKILL)") rather than Go's ("claude exited (signal: killed)"), which the party's
// events carry (agent.ExitError). An exit status ("claude exited (exit status 3)") reads
// as it is. The window says it the same way (frontend/src/render/stderr.ts exitWords; both
// are held to testdata/exit-words.json).
func exitWords(text string) string {
	if !strings.Contains(text, "claude exited (signal: ") {
		return text
	}
	return signalExit.ReplaceAllStringFunc(text, func(m string) string {
		sub := signalExit.FindStringSubmatch(m)
		dumped := ""
		if sub[2] != "" {
			dumped = ", core dumped"
		}
		w, ok := signalWords[sub[1]]
		if !ok {
			return "claude was stopped by a signal (" + sub[1] + dumped + ")"
		}
		return "claude " + w.did + " (" + w.name + dumped + ")"
	})
}
