//go:build !linux

package cli

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// Elsewhere there is no /shell guard: the kernel cannot be asked to tell a child that
// concordia died.

// UseShellGuard does nothing here.
func UseShellGuard() {}

// ShellGuard is not available here.
func ShellGuard([]string) int {
	fmt.Fprintln(os.Stderr, "concordia: "+ShellGuardArg+" is not available on "+runtime.GOOS)
	return ExitUsage
}

func parentDeath(*syscall.SysProcAttr) {}

func shellCommand(cmd string) (string, []string) {
	if runtime.GOOS == "windows" {
		return "cmd", []string{"/C", cmd}
	}
	return "sh", []string{"-c", cmd}
}
