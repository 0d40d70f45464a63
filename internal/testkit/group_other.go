//go:build !linux

package testkit

import (
	"os/exec"
	"time"
)

// OwnGroup does nothing here: process groups are a Linux-tested feature of these helpers.
func OwnGroup(cmd *exec.Cmd) {}

// KillGroup kills only the process pgid here.
func KillGroup(pgid int) error { return KillPID(pgid) }

// WaitGroupGone cannot see a group here; it waits for nothing and reports true.
func WaitGroupGone(pgid int, timeout time.Duration) bool { return true }

// Alive reports whether process pid runs; here, where it can only be asked with signal 0.
func Alive(pid int) bool { return !ProcessGone(pid) }
