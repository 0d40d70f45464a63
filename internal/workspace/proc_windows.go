//go:build windows

package workspace

import (
	"os/exec"
	"syscall"
)

// detach puts git in a process group of its own, which Windows does not send the
// console's Ctrl-C to: the host alone gets it, and cancels git itself (see the Linux
// version).
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
	cmd.WaitDelay = waitDelay
}
