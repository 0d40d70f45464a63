//go:build !unix

package cli

import (
	"os/exec"
)

// inGroup: elsewhere stopping a command kills the shell alone; its output is closed after
// a moment, so the command ends whatever its children do.
func inGroup(c *exec.Cmd) { c.WaitDelay = shellWait }

func endGroup(*exec.Cmd) {}
