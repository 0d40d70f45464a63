//go:build unix

package e2e

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestJoinLeavesWhenItsOutputCloses: `concordia join … | head -1` used to stay in the
// party for good once head had exited (SIGPIPE is caught, so that a host survives it),
// a member nobody followed (found by a tester).
func TestJoinLeavesWhenItsOutputCloses(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	cmd := exec.Command("sh", "-c", `echo "hello from a pipe" | "$0" join "$1" --name ghost | head -1`, binary, inv)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the whole pipeline, to kill on failure
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // join too: it would outlive the test
		t.Fatal("the pipeline did not end: join stayed after head exited")
	}
	h.expect(`ghost left`)
}
