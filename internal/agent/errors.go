package agent

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNotInstalled means the Claude Code executable was not found. It wraps exec.ErrNotFound,
// and its message tells a person how to fix it.
var ErrNotInstalled = fmt.Errorf("claude code not found: install it with \"npm install -g @anthropic-ai/claude-code\" or point --claude PATH at the executable: %w", exec.ErrNotFound)

// ErrExited means the Claude Code process is gone: it died during a turn, before one, or was
// never started. Errors returned for a dead process are *ExitError values, which match ErrExited
// with errors.Is and carry the exit status and the last stderr lines.
var ErrExited = errors.New("claude exited")

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
