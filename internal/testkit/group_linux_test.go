package testkit

import (
	"os/exec"
	"testing"
	"time"
)

// TestGroupHelpers: a shell that starts a child and is killed with KillGroup leaves nothing
// behind; killing only the leader leaves the child alive, which WaitGroupGone sees.
func TestGroupHelpers(t *testing.T) {
	start := func() *exec.Cmd {
		cmd := exec.Command("sh", "-c", "sleep 30 & wait")
		OwnGroup(cmd)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { KillGroup(cmd.Process.Pid); cmd.Wait() })
		time.Sleep(100 * time.Millisecond) // the child is started
		return cmd
	}
	leaderOnly := start()
	leaderOnly.Process.Kill()
	leaderOnly.Wait()
	if WaitGroupGone(leaderOnly.Process.Pid, 200*time.Millisecond) {
		t.Error("the group counted as gone while its sleep still ran")
	}
	KillGroup(leaderOnly.Process.Pid)
	if !WaitGroupGone(leaderOnly.Process.Pid, 10*time.Second) {
		t.Error("the group is still alive after KillGroup")
	}

	whole := start()
	if err := KillGroup(whole.Process.Pid); err != nil {
		t.Fatal(err)
	}
	whole.Wait()
	if !WaitGroupGone(whole.Process.Pid, 10*time.Second) {
		t.Error("the group is still alive after KillGroup")
	}
}
