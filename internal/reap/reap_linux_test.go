package reap

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// spawn starts sh -c script in a session of its own, as Claude Code starts a tool's shell,
// with env added to ours.
func spawn(t *testing.T, script string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its session's group: the shell and its jobs
		_ = cmd.Wait()
	})
	return cmd
}

// exited waits up to 5 s for cmd to end.
func exited(cmd *exec.Cmd) bool {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(5 * time.Second):
		return false
	}
}

// TestStopEndsOnlyTheMarkedRun: the marked shell, the background job it started and a
// process that ignores SIGTERM are ended; a process of another run and an unmarked one
// are not.
func TestStopEndsOnlyTheMarkedRun(t *testing.T) {
	id := NewID()
	marked := spawn(t, "sleep 301 & trap '' TERM; sleep 302", Marker(id))
	other := spawn(t, "sleep 303", Marker(NewID()))
	plain := spawn(t, "sleep 304")
	// Stop is to find all three: wait until the shell has started both sleeps (a child
	// between its fork and its exec still shows the shell's command line).
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := find([]byte(Marker(id)), os.Getpid())
		var cmds []string
		for _, h := range got {
			_ = h.p.Release()
			cmds = append(cmds, h.Command)
		}
		if slices.Contains(cmds, "sleep 301") && slices.Contains(cmds, "sleep 302") && len(cmds) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("found %q, want sh and two sleeps", cmds)
		}
		time.Sleep(10 * time.Millisecond)
	}

	stopped, err := Stop(id, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, p := range stopped {
		cmds = append(cmds, p.Command)
	}
	slices.Sort(cmds)
	if len(cmds) != 3 || !strings.HasPrefix(cmds[0], "sh -c") || cmds[1] != "sleep 301" || cmds[2] != "sleep 302" {
		t.Fatalf("stopped %q, want the shell, sleep 301 and sleep 302", cmds)
	}
	if !exited(marked) {
		t.Fatal("the marked shell still runs")
	}
	if again, _ := find([]byte(Marker(id)), os.Getpid()); len(again) != 0 {
		t.Fatalf("%d marked processes left (the one that ignores SIGTERM?)", len(again))
	}
	for _, c := range []*exec.Cmd{other, plain} {
		if err := c.Process.Signal(syscall.Signal(0)); err != nil {
			t.Fatalf("%v was stopped too: %v", c.Args, err)
		}
	}
}

func TestStopWithoutAnID(t *testing.T) {
	got, err := Stop("", time.Second)
	if got != nil || err != nil {
		t.Fatalf("Stop(\"\") = %v, %v", got, err)
	}
}

// TestCommandIsSafeToPrint: the agent's tools choose a job's command line, escape
// sequences included (exec -a); the phrase printed to the host's terminal has none.
func TestCommandIsSafeToPrint(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.Args[0] = "\x1b]0;owned\a\x1b[2Jsleep"
	cmd.Path = "/bin/sleep"
	if _, err := os.Stat(cmd.Path); err != nil {
		cmd.Path = "/usr/bin/sleep"
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Just after exec the kernel may still show an empty command line (4 runs in 10 here):
	// wait until it shows one, as it does long before a party's end looks at its jobs.
	cmdline := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/cmdline"
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if b, err := os.ReadFile(cmdline); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed empty", cmdline)
		}
	}
	got := command(cmd.Process.Pid)
	if strings.ContainsAny(got, "\x1b\a") || !strings.HasSuffix(got, "sleep 30") {
		t.Fatalf("command = %q, want it without escapes", got)
	}
}
