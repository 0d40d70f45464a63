//go:build !unix && !windows

package workspace

import "os/exec"

func detach(cmd *exec.Cmd) { cmd.WaitDelay = waitDelay }
