package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// ShellGuardArg is the hidden first argument with which concordia re-runs itself as a
// /shell command's guard (ShellGuard): never typed by anyone, never listed.
const ShellGuardArg = "__shell-guard"

// guardExe is the program that can run ShellGuard (the concordia binary), "" when none:
// then /shell runs its command directly, and a concordia killed outright leaves it running.
var guardExe string

// UseShellGuard makes /shell run each command under a guard started from exe (the running
// concordia), which the kernel tells when concordia dies. A test binary never sets it.
func UseShellGuard(exe string) { guardExe = exe }

// shellCommand is how /shell runs cmd: under the guard where there is one.
func shellCommand(cmd string) (name string, args []string) {
	if guardExe != "" {
		return guardExe, []string{ShellGuardArg, cmd}
	}
	return "sh", []string{"-c", cmd}
}

// parentDeath has the kernel send the guard SIGTERM when the thread that started it dies
// (its goroutine holds that thread while the command runs: shellJob.start).
func parentDeath(a *syscall.SysProcAttr) {
	if guardExe != "" {
		a.Pdeathsig = syscall.SIGTERM
	}
}

// ShellGuard runs `sh -c CMD` (args: [CMD]) in the guard's own process group (the guard
// leads the session /shell gave it) and returns its exit status. Asked to stop — by
// concordia stopping the command, or by the kernel because concordia died, even killed
// outright, which it cannot clean up after — it stops the whole group: SIGTERM, and two
// seconds later SIGKILL. Without it a /shell command outlived a killed concordia.
func ShellGuard(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "concordia: "+ShellGuardArg+" is concordia's own; it takes one command")
		return ExitUsage
	}
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	c := exec.Command("sh", "-c", args[0])
	c.Stdout, c.Stderr = os.Stdout, os.Stderr // the pipe /shell prints from
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "concordia: /shell:", err)
		return 127
	}
	if os.Getppid() == 1 { // concordia was gone before the kernel could be asked to tell
		stop <- syscall.SIGTERM
	}
	waited := make(chan error, 1)
	go func() { waited <- c.Wait() }() // ends with the command
	select {
	case err := <-waited:
		return exitStatus(err)
	case <-stop:
		group := -os.Getpid()
		_ = syscall.Kill(group, syscall.SIGTERM) // the guard itself only takes note (Notify)
		select {
		case <-waited:
		case <-time.After(2 * time.Second):
		}
		_ = syscall.Kill(group, syscall.SIGKILL) // what is left, the guard included
		return 128 + int(syscall.SIGTERM)
	}
}

// exitStatus is the status a shell would give for how a command ended.
func exitStatus(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 1
}
