package agent

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

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
