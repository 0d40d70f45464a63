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

// guardExe is the program that can run ShellGuard (the running concordia), "" when none:
// then /shell runs its command directly, and a concordia killed outright leaves it running.
var guardExe string

// UseShellGuard makes /shell run each command under a guard: the running concordia itself,
// through /proc/self/exe, which works also when its file was replaced or deleted since (an
// upgrade) and is always this very program. A test binary never calls it.
func UseShellGuard() {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		guardExe = "/proc/self/exe"
	}
}

// shellCommand is how /shell runs cmd: under the guard where there is one.
func shellCommand(cmd string) (name string, args []string) {
	if guardExe != "" {
		return guardExe, []string{ShellGuardArg, cmd}
	}
	return "sh", []string{"-c", cmd}
}

// parentDeath has the kernel send the guard SIGTERM when the thread that started it dies
// (its goroutine holds that thread while the command runs: shellJob.start). Go's fork
// makes the child signal itself if the parent died before this was set.
func parentDeath(a *syscall.SysProcAttr) {
	if guardExe != "" {
		a.Pdeathsig = syscall.SIGTERM
	}
}

// guardGrace is how long a stopped command's group has to end after SIGTERM: under
// concordia's own wait for the command (shellWait), so that the guard is still there to
// SIGKILL what is left.
const guardGrace = shellWait - 500*time.Millisecond

// ShellGuard runs `sh -c CMD` (args: [CMD]) in a process group of its own and returns
// how it ended. Asked to stop — by concordia stopping the command, or by the kernel
// because concordia died, even killed outright, which it cannot clean up after — it
// gives the command's group SIGTERM and, what is left of it after guardGrace, SIGKILL.
// Without it a /shell command outlived a killed concordia.
func ShellGuard(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "concordia: "+ShellGuardArg+" is concordia's own; it takes one command")
		return ExitUsage
	}
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	c := exec.Command("sh", "-c", args[0])
	c.Stdout, c.Stderr = os.Stdout, os.Stderr // the pipe /shell prints from
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "concordia: /shell:", err)
		return 127
	}
	waited := make(chan error, 1)
	go func() { waited <- c.Wait() }() // ends with the command
	var err error
	select {
	case err = <-waited:
	case <-stop:
		group := -c.Process.Pid
		_ = syscall.Kill(group, syscall.SIGTERM)
		deadline := time.Now().Add(guardGrace)
		for syscall.Kill(group, 0) == nil && time.Now().Before(deadline) { // a pipeline cleaning up
			time.Sleep(20 * time.Millisecond)
		}
		_ = syscall.Kill(group, syscall.SIGKILL) // ESRCH when nothing is left
		err = <-waited
	}
	return endLike(err)
}

// endLike ends the guard as the command ended: its exit status, or the signal that killed
// it (so that concordia says "signal: terminated", as without a guard).
func endLike(err error) int {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		if err != nil {
			return 1
		}
		return 0
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		signal.Reset(ws.Signal())
		_ = syscall.Kill(os.Getpid(), ws.Signal())
		time.Sleep(100 * time.Millisecond) // the signal's default action ends the guard
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}
