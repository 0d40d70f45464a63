package agent

import "syscall"

// dieWithHost has the kernel kill claude when the host process dies. (Pdeathsig follows
// the thread that started it; the Go runtime does not end its threads, so in practice that
// is the process.)
func dieWithHost(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
