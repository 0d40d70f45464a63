//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// inGroup starts c in a session of its own (so a process group of its own), which
// stopping it ends whole: a pipeline or a script's children too, not only the shell (they
// would hold its output open, and the command would seem to run on). Without a
// controlling terminal, a command that wants one (sudo's password, ssh's, an editor) fails
// at once rather than being stopped by the terminal for good (SIGTTIN in a background
// group), and cannot fight the line editor for the keyboard.
func inGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	parentDeath(c.SysProcAttr)
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGTERM) }
	c.WaitDelay = shellWait // then its output is closed, and the shell killed
}

// endGroup kills what is left of c's group once it has ended.
func endGroup(c *exec.Cmd) {
	if c.Process != nil {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL) // ESRCH when nothing is left
	}
}
