//go:build unix && !linux

package agent

import "syscall"

// dieWithHost: no parent-death signal here; claude sees its stdin close when the host dies.
func dieWithHost(*syscall.SysProcAttr) {}
