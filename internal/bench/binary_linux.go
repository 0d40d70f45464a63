package bench

import "syscall"

// hostProcAttr makes the kernel stop the real host when the bench child dies, however it
// dies: no `concordia host` is left behind by a killed bench.
func hostProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
