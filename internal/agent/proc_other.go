//go:build !unix

package agent

import "os/exec"

// setProcessGroup does nothing where there are no Unix process groups.
func setProcessGroup(*exec.Cmd) {}

// interruptProcess kills claude: Windows has no SIGINT to send to another process.
func interruptProcess(cmd *exec.Cmd) error { return killProcess(cmd) }

// terminateProcess kills claude: Windows has no SIGTERM.
func terminateProcess(cmd *exec.Cmd) error { return killProcess(cmd) }

// killProcess kills claude.
func killProcess(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
