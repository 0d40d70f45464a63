//go:build unix && !linux

package workspace

import (
	"os/exec"
	"syscall"
)

// detach puts git in a process group of its own (see the Linux version; there is no
// parent-death signal here).
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Cancelled, the whole group goes: what git started would otherwise hold its pipes
	// open, and the host would wait for them.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
}
