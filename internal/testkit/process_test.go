package testkit

import (
	"os/exec"
	"testing"
)

func TestKillPIDAndProcessGone(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep(1): %v", err)
	}
	pid := cmd.Process.Pid
	if ProcessGone(pid) {
		t.Fatalf("a running process (pid %d) reads as gone", pid)
	}
	if err := KillPID(pid); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // reaped: now it is gone
	if !ProcessGone(pid) {
		t.Fatalf("a killed and reaped process (pid %d) reads as running", pid)
	}
}
