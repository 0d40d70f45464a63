package cli

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
)

// TestMain lets this test binary be the guard, as concordia is (ShellGuardArg).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ShellGuardArg {
		os.Exit(ShellGuard(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// guard starts this binary as the guard of cmd, in a session of its own as /shell does.
func guard(t *testing.T, cmd string) (*exec.Cmd, *testkit.Buffer) {
	t.Helper()
	out := &testkit.Buffer{}
	c := exec.Command(os.Args[0], ShellGuardArg, cmd)
	c.Stdout, c.Stderr = out, out
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL) })
	return c, out
}

// TestShellGuardGivesAPipelineItsGrace: stopped, a pipeline that cleans up on SIGTERM
// may finish doing so (the guard used to SIGKILL it as soon as sh had died), and the guard
// ends as its command did, by the signal.
func TestShellGuardGivesAPipelineItsGrace(t *testing.T) {
	c, out := guard(t, `(trap 'echo cleaning >&2; sleep 0.3; echo cleaned >&2; exit 0' TERM; echo ready >&2; while :; do sleep 0.05; done) | cat`)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "ready") {
		if time.Now().After(deadline) {
			t.Fatalf("the command did not start: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGTERM); err != nil { // as concordia stops it
		t.Fatal(err)
	}
	err := c.Wait()
	if !strings.Contains(out.String(), "cleaned") {
		t.Errorf("the pipeline was cut off while cleaning up: %q", out.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Errorf("the guard ended with %v, want killed by SIGTERM like its command", err)
	}
}

// TestShellGuardKeepsTheExitStatus: a command that ends by itself ends the guard with its
// status, and one that does not end on SIGTERM is killed after the grace.
func TestShellGuardKeepsTheExitStatus(t *testing.T) {
	c, _ := guard(t, "exit 3")
	if err := c.Wait(); err == nil || err.(*exec.ExitError).ExitCode() != 3 {
		t.Errorf("exit 3 gave %v", err)
	}
	c, out := guard(t, `trap '' TERM; echo ready; while :; do sleep 0.05; done`)
	for !strings.Contains(out.String(), "ready") {
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	_ = syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
	err := c.Wait()
	if d := time.Since(start); d > 5*time.Second || err == nil {
		t.Errorf("a command that ignores SIGTERM: ended after %v with %v", d, err)
	}
}
