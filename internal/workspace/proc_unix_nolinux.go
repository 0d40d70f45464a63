//go:build unix && !linux

package workspace

import "syscall"

// dieWithHost does nothing: there is no parent-death signal here.
func dieWithHost(*syscall.SysProcAttr) {}
