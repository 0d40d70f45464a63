//go:build unix

package workspace

import (
	"os/exec"
	"syscall"
)

// detach puts git in a process group of its own, so that a Ctrl-C in the host's terminal
// (a signal to the whole foreground group) reaches the host alone, which then cancels git
// itself: git killed by the terminal's signal would be reported as a broken workspace.
// Cancelled, the whole group goes: what git started would otherwise hold its pipes open,
// and the host would wait for them. Where the system can, git also ends with the host
// when the host is killed (SIGKILL leaves no time to cancel): an orphaned git would go on
// writing into the data directory.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithHost(cmd.SysProcAttr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
}
