package testkit

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// KillPID kills the process pid (SIGKILL on Unix): an agent a test has only the pid of.
func KillPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// KillFromPIDFile kills the process whose pid is in pidfile (the fake Claude Code's
// FAKECLAUDE_PIDFILE) and returns that pid.
func KillFromPIDFile(pidfile string) (int, error) {
	raw, err := os.ReadFile(pidfile)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, fmt.Errorf("pidfile %q: %w", raw, err)
	}
	return pid, KillPID(pid)
}

// ProcessGone reports whether process pid has ended and been reaped. Where a process cannot
// be asked (signal 0 is Unix's), it reports false.
func ProcessGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true // Windows: no such process
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
