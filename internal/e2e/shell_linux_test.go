package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sleepMark is a `sleep` argument only this test, in this process, runs, and a pgrep for
// exactly that sleep (not the guard's or sh's command lines, which contain it too).
func sleepMark(t *testing.T, n int) (mark string, running func() []string) {
	t.Helper()
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Skip("pgrep is not installed: cannot look for the command's processes")
	}
	mark = fmt.Sprintf("%d.%d", 900000+os.Getpid()%90000, n)
	t.Cleanup(func() { _ = exec.Command("pkill", "-KILL", "-f", "^sleep "+mark+"$").Run() })
	return mark, func() []string {
		out, _ := exec.Command("pgrep", "-f", "^sleep "+mark+"$").Output()
		return strings.Fields(string(out))
	}
}

// TestShellEndsWithAKilledHost: a /shell command (a pipeline, two processes) ends when the
// concordia that ran it is killed outright — it used to run on, in a session of its own,
// with nobody left to stop it.
func TestShellEndsWithAKilledHost(t *testing.T) {
	mark, running := sleepMark(t, 1)
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
	mark, pids := sleepMark(t, 2)
	running := func() bool { return len(pids()) > 0 }
	_, inv := host(t, nil, "--insecure")
	j := newPane(t, []string{"CONCORDIA_INVITE=" + inv}, "join", "--name", "bob")
	j.wait(`› `)
	j.typeText("/shell echo started; sleep " + mark + " | cat")
	j.key("Enter")
	j.wait(`started`)
	deadline := time.Now().Add(10 * time.Second)
	for !running() { // the pipeline is up
		if time.Now().After(deadline) {
			t.Fatalf("the command never started:\n%s", j.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	j.key("C-c")
	j.wait(`/shell: stopped "echo started; sleep ` + strings.ReplaceAll(mark, ".", `\.`) + ` \| cat"`)
	deadline = time.Now().Add(5 * time.Second)
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
