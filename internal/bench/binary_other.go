//go:build !linux

package bench

import "syscall"

// hostProcAttr: only Linux can tie the host's life to the bench child's.
func hostProcAttr() *syscall.SysProcAttr { return nil }
