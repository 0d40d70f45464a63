//go:build !unix

package workspace

import "os/exec"

func detach(cmd *exec.Cmd) { cmd.WaitDelay = waitDelay }
