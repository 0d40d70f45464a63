package e2e

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShellEndsWithAKilledHost: a /shell command (a pipeline, two processes) ends when the
// concordia that ran it is killed outright — it used to run on, in a session of its own,
// with nobody left to stop it.
func TestShellEndsWithAKilledHost(t *testing.T) {
	const mark = "987654.321" // a sleep only this test runs
	running := func() []string {
		out, _ := exec.Command("pgrep", "-f", "sleep "+mark).Output()
		return strings.Fields(string(out))
	}
	t.Cleanup(func() { _ = exec.Command("pkill", "-KILL", "-f", "sleep "+mark).Run() })
	h, _ := host(t, nil, "--insecure")
	h.send("/shell sleep " + mark + " | cat")
	deadline := time.Now().Add(15 * time.Second)
	for len(running()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the /shell command never started:\n%s\n%s", h.stdout(), h.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.wait()
	deadline = time.Now().Add(10 * time.Second)
	for len(running()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the /shell command outlived its killed host: pids %v", running())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestShellStoppedByCtrlC: in the line editor, Ctrl-C on an empty line stops a /shell
// command, pipeline and all, through its guard, and says so; the party goes on.
func TestShellStoppedByCtrlC(t *testing.T) {
	const mark = "987653.321"
	running := func() bool { return exec.Command("pgrep", "-f", "sleep "+mark).Run() == nil }
	t.Cleanup(func() { _ = exec.Command("pkill", "-KILL", "-f", "sleep "+mark).Run() })
	_, inv := host(t, nil, "--insecure")
	j := newPane(t, []string{"CONCORDIA_INVITE=" + inv}, "join", "--name", "bob")
	j.wait(`› `)
	j.typeText("/shell echo started; sleep " + mark + " | cat")
	j.key("Enter")
	j.wait(`started`)
	j.key("C-c")
	j.wait(`/shell: stopped "echo started; sleep ` + mark + ` \| cat"`)
	deadline := time.Now().Add(5 * time.Second)
	for running() {
		if time.Now().After(deadline) {
			t.Fatalf("the stopped command runs on:\n%s", j.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	j.typeText("/who")
	j.key("Enter")
	j.wait(`in the party:`)
}
