package testkit

import (
	"errors"
	"os"
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

// ProcessGone reports whether process pid has ended and been reaped. Where a process cannot
// be asked (signal 0 is Unix's), it reports false.
func ProcessGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true // Windows: no such process
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
