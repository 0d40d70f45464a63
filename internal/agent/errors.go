package agent

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// NotStartedPrefix begins the errors of a start that failed ("claude could not start: …"):
// the party's error event and a turn's error carry it, and the terminal and the window know
// by it that claude is not running (frontend/src/state/party.ts writes it too, pinned by a
// test in internal/host).
const NotStartedPrefix = "claude could not start"

// ErrNotInstalled means the Claude Code executable was not found. It matches
// exec.ErrNotFound (errors.Is), and its message tells a person how to fix it, in words for
// the terminal and the window alike: it reaches every member in a turn's error. (It used
// to end with exec.ErrNotFound's "executable file not found in $PATH", also of an absolute
// path, and to name only the terminal's --claude: a tester's window.)
var ErrNotInstalled error = notInstalled{}

type notInstalled struct{}

func (notInstalled) Error() string {
	return "Claude Code is not there: install it (npm install -g @anthropic-ai/claude-code), or give the host the path of the claude program (--claude PATH in a terminal; the Claude Code executable in the window's Settings or Create party)"
}

func (notInstalled) Unwrap() error { return exec.ErrNotFound }

// ErrExited means the Claude Code process is gone: it died during a turn, before one, or was
// never started. Errors returned for a dead process are *ExitError values, which match ErrExited
// with errors.Is and carry the exit status and the last stderr lines.
var ErrExited = errors.New("claude exited")

// ErrNoAnswer means the program started as Claude Code did not answer the initialize
// control request, Claude Code's readiness signal, in time. Errors for it are
// *NoAnswerError values, which match ErrNoAnswer with errors.Is.
var ErrNoAnswer = errors.New("claude did not answer its initialize request")

// NoAnswerError says which program did not answer, and for how long it was waited for.
type NoAnswerError struct {
	Path  string
	After time.Duration
}

// Error says it in words a person can act on: the usual cause is a --claude that is not
// Claude Code (or one too old to take the control protocol), or a machine too busy to
// start it in time.
func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("%s did not answer its initialize request within %s: is it Claude Code?", e.Path, e.After.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrNoAnswer) true.
func (e *NoAnswerError) Unwrap() error { return ErrNoAnswer }

// ErrBusy means a turn is already running; the agent takes one turn at a time.
var ErrBusy = errors.New("claude is busy with another turn")

// ErrClosed means the agent was closed and cannot be started or used again.
var ErrClosed = errors.New("agent closed")

// ExitError describes a Claude Code process that is gone. It matches ErrExited.
type ExitError struct {
	// Status is the process state as the OS reports it ("exit status 3", "signal: killed"),
	// or "not running" when there was no process.
	Status string
	// Stderr holds the last lines the process wrote to stderr, oldest first.
	Stderr []string
}

// Error says that claude exited, how, and what it last wrote to stderr.
func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString("claude exited")
	if e.Status != "" {
		b.WriteString(" (")
		b.WriteString(e.Status)
		b.WriteString(")")
	}
	if len(e.Stderr) > 0 {
		b.WriteString("; stderr: ")
		b.WriteString(strings.Join(e.Stderr, " | "))
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrExited) true.
func (e *ExitError) Unwrap() error { return ErrExited }

// ErrArgsRefused means Claude Code would not start with the extra arguments it was
// configured with (Config.Args): an unknown option, or an option's value it refused. A
// start tried again fails the same way, so it is no use sending anything again: the
// arguments must change, which a party cannot do while it runs. Errors for it are
// *ArgsRefusedError values, which match ErrArgsRefused with errors.Is.
var ErrArgsRefused = errors.New("Claude Code refused the extra arguments")

// ArgsRefusedError says which extra arguments Claude Code refused, and what it said.
type ArgsRefusedError struct {
	Args []string // the extra arguments, as configured
	Said string   // claude's stderr line about them ("error: unknown option '--bogus-flag'")
}

// Error says it from the party's side, for every member (a participant cannot change
// them; the host can, but only by hosting again), naming where the terminal and the window
// take extra arguments. Claude's own line comes after "; stderr: ", as ExitError's does.
func (e *ArgsRefusedError) Error() string {
	return "Claude Code refused the extra arguments (" + strings.Join(e.Args, " ") +
		"), so it will not start in this party: the host can end the party and host it again with other ones " + ArgsRefusedWhere + "; stderr: " + e.Said
}

// ArgsRefusedWhere is where ArgsRefusedError says the extra arguments are given, in the
// terminal and in the window: an edge that knows which it is says only its own.
const ArgsRefusedWhere = "(--claude-arg in a terminal; More options in the window's Create party)"

// Unwrap makes errors.Is(err, ErrArgsRefused) true.
func (e *ArgsRefusedError) Unwrap() error { return ErrArgsRefused }

// argsRefused is the error for a claude that exited at start saying (in its last stderr
// lines) that an option among extra, the configured extra arguments, is unknown or has a
// value it refuses; nil for any other exit. Claude Code's option parser (commander) writes
// "error: unknown option '--bogus'" and "error: option '--model <model>' argument missing"
// or "... argument 'x' is invalid. Allowed choices are ...", and exits 1.
func argsRefused(err error, extra []string) error {
	var ee *ExitError
	if len(extra) == 0 || !errors.As(err, &ee) {
		return nil
	}
	for _, line := range ee.Stderr {
		line = strings.TrimSpace(line)
		var opt string
		switch {
		case strings.HasPrefix(line, "error: unknown option '"):
			opt, _, _ = strings.Cut(strings.TrimPrefix(line, "error: unknown option '"), "'")
		case strings.HasPrefix(line, "error: option '") && strings.Contains(line, "' argument "):
			opt, _, _ = strings.Cut(strings.TrimPrefix(line, "error: option '"), "'")
			opt, _, _ = strings.Cut(opt, " ") // "--model <model>"
		default:
			continue
		}
		name, _, _ := strings.Cut(opt, "=")
		for _, a := range extra {
			if a == opt || a == name || strings.HasPrefix(a, name+"=") {
				return &ArgsRefusedError{Args: append([]string(nil), extra...), Said: line}
			}
		}
	}
	return nil
}
