//go:build linux

package workspace

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes git end with the host even when the host is killed (SIGKILL leaves
// no time to cancel): an orphaned git would go on writing into the data directory.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
