//go:build linux

package workspace

import "syscall"

// dieWithHost has git killed when the host dies.
func dieWithHost(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
