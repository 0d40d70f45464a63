//go:build unix

package agent

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts claude in a process group of its own: a Ctrl-C in the host's terminal
// then reaches only the host, which stops the agent in steps, and the signals of those steps
// reach the tools claude runs as well. Where the system can, claude is also killed when the
// host dies (kill -9, a crash): it must not go on working with nobody watching.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithHost(cmd.SysProcAttr)
}

// interruptProcess sends SIGINT to claude's process group.
func interruptProcess(cmd *exec.Cmd) error { return signalGroup(cmd, syscall.SIGINT) }

// terminateProcess sends SIGTERM to claude's process group.
func terminateProcess(cmd *exec.Cmd) error { return signalGroup(cmd, syscall.SIGTERM) }

// killProcess sends SIGKILL to claude's process group.
func killProcess(cmd *exec.Cmd) error { return signalGroup(cmd, syscall.SIGKILL) }

func signalGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	// The group id is the leader's pid (Setpgid with Pgid 0).
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		return cmd.Process.Signal(sig)
	}
	return nil
}
