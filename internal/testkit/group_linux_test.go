package testkit

import (
	"bufio"
	"os/exec"
	"testing"
	"time"
)

// TestGroupHelpers: a shell whose child started a process group of its own (as a host
// starts its agent) is killed with KillGroup and leaves nothing behind; killing only the
// leader leaves the child alive, which WaitGroupGone sees.
func TestGroupHelpers(t *testing.T) {
	start := func() *exec.Cmd {
		// setsid would make a new session; set -m gives the background job its own group
		// in the same session, like the host's agent.
		cmd := exec.Command("sh", "-c", "set -m; sleep 30 & echo started; wait")
		OwnGroup(cmd)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { KillGroup(cmd.Process.Pid); cmd.Wait() })
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "started\n" {
			t.Fatalf("the shell said %q", line)
		}
		return cmd
	}
	leaderOnly := start()
	leaderOnly.Process.Kill()
	leaderOnly.Wait()
	if WaitGroupGone(leaderOnly.Process.Pid, 200*time.Millisecond) {
		t.Error("the session counted as gone while its sleep still ran")
	}
	KillGroup(leaderOnly.Process.Pid)
	if !WaitGroupGone(leaderOnly.Process.Pid, 10*time.Second) {
		t.Error("the session is still alive after KillGroup")
	}

	whole := start()
	if err := KillGroup(whole.Process.Pid); err != nil {
		t.Fatal(err)
	}
	whole.Wait()
	if !WaitGroupGone(whole.Process.Pid, 10*time.Second) {
		t.Error("the session is still alive after KillGroup")
	}
}
