//go:build unix

package cli

import (
	"os/exec"
	"syscall"
	"time"
)

// inGroup starts c in a process group of its own, which stopping it ends whole: a
// pipeline or a script's children too, not only the shell (they would hold its output
// open, and the command would seem to run on).
func inGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGTERM) }
	c.WaitDelay = 2 * time.Second // then its output is closed, and the shell killed
}

// endGroup kills what is left of c's group once it has ended.
func endGroup(c *exec.Cmd) {
	if c.Process != nil {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL) // ESRCH when nothing is left
	}
}
