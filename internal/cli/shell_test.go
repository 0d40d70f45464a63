package cli

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// waitFor polls out until it holds want.
func waitFor(t *testing.T, out *testkit.Buffer, want string) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), want); {
		if time.Now().After(end) {
			t.Fatalf("never printed %q:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestShellRunsBesideTheParty: a /shell command in the line editor runs beside the party.
// It used to hold the printer for its whole run: a host running /shell sleep 12 saw no
// tool request, its /allow typed meanwhile waited and was then refused, and Ctrl-C could
// not stop the command (found by a tester).
func TestShellRunsBesideTheParty(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sh")
	}
	out := &testkit.Buffer{}
	pr := newPrinter(out)
	me := wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}
	// Another host is here: leaving (Ctrl-C on an empty line) is not asked about.
	pr.hello(wire.HelloResult{You: me, State: wire.State{Participants: []wire.Member{me, {ID: "m2", Name: "hana", Role: wire.RoleHost}}}})
	ctl := &fakeControl{}
	c := &commander{pr: pr, ctl: ctl, describe: describe, editor: true}
	ctx := context.Background()

	start := time.Now()
	if c.line(ctx, "/shell echo started; sleep 30; echo never") {
		t.Fatal("/shell quit")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("/shell held the terminal for %v", d)
	}
	waitFor(t, out, "started\n")
	if st := pr.statusOf(); st.shell != "echo started; sleep 30; echo never" {
		t.Errorf("the status line is told %q runs", st.shell)
	}
	// The party goes on meanwhile: its events print, and a host's commands run.
	pr.event(wire.Event{Kind: wire.KindSystem, Text: "something happened"})
	waitFor(t, out, "[system] something happened\n")
	c.line(ctx, "/stop")
	if len(ctl.calls) == 0 || ctl.calls[len(ctl.calls)-1] != "interrupt" {
		t.Fatalf("/stop during /shell: calls %q", ctl.calls)
	}
	c.line(ctx, "/shell echo second")
	waitFor(t, out, `/shell: "echo started; sleep 30; echo never" is still running`)
	// Ctrl-C on an empty line stops the command, and does not leave.
	if c.line(ctx, interruptLine) {
		t.Fatal("Ctrl-C left the party while a /shell command ran")
	}
	c.shell.wait()
	waitFor(t, out, `/shell: stopped "echo started; sleep 30; echo never"`)
	if st := pr.statusOf(); st.shell != "" {
		t.Errorf("the status line still says %q runs", st.shell)
	}
	if strings.Contains(out.String(), "never\n") {
		t.Fatal("the stopped command went on")
	}
	// A Ctrl-C meant for the command that had just ended does not end the party.
	if c.line(ctx, interruptLine) {
		t.Fatal("a Ctrl-C just after the command ended left the party")
	}
	waitFor(t, out, "the /shell command had already ended; Ctrl-C again leaves")
	// With nothing running (for a while), Ctrl-C on an empty line leaves.
	c.shell.mu.Lock()
	c.shell.ended = time.Now().Add(-shellGrace)
	c.shell.mu.Unlock()
	if !c.line(ctx, interruptLine) {
		t.Fatal("Ctrl-C with no /shell command did not leave")
	}
}

// TestShellOutputLines: a progress meter's \r lines are shown a line at a time, \r\n is
// one line end (it printed a blank line after every line of cmd.exe's output), and a
// line with no end is printed once it is 4 KiB long rather than held without bound.
func TestShellOutputLines(t *testing.T) {
	out := &testkit.Buffer{}
	w := &shellOutput{pr: newPrinter(out)}
	w.Write([]byte("10%\r20%\rdone\r"))
	w.Write([]byte("\n")) // \r\n split across two writes: still one line end
	w.Write([]byte(strings.Repeat("x", maxShellLine+10)))
	if got := out.String(); !strings.HasPrefix(got, "10%\n20%\ndone\n"+strings.Repeat("x", maxShellLine)+"\n") {
		t.Fatalf("printed %q", got[:min(len(got), 80)])
	}
	if len(w.part) != 10 {
		t.Fatalf("holds %d bytes, want the 10 past the bound", len(w.part))
	}
	w.flush()
	if !strings.HasSuffix(out.String(), "xxxxxxxxxx\n") {
		t.Fatal("flush did not print the rest")
	}
}

// TestShellOutputIsText: a command's escape sequences are not passed to the terminal,
// where they moved the cursor and cleared the screen under the line editor (a tester's
// /shell printf '…\033[2J…' and /shell vi).
func TestShellOutputIsText(t *testing.T) {
	out := &testkit.Buffer{}
	w := &shellOutput{pr: newPrinter(out)}
	w.Write([]byte("before\x1b[5Aafter\x1b[2Jcleared\n\x1b[31mred\x1b[0m\tok\x07\n\x1b]0;title\x07tail"))
	w.flush()
	if got, want := out.String(), "beforeaftercleared\nred\tok\ntail\n"; got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}

// TestShellHasNoTerminal: a command runs in a session of its own, without a controlling
// terminal, so one that wants the terminal (a password prompt, an editor) fails at once;
// in a background process group it was stopped by the terminal for good (SIGTTIN).
func TestShellHasNoTerminal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	out := &testkit.Buffer{}
	pr := newPrinter(out)
	var j shellJob
	j.start(context.Background(), `sid=$(cut -d' ' -f6 /proc/$$/stat); [ "$sid" = "$$" ] && echo own session || echo "session $sid"`, pr, true)
	j.wait()
	if got := out.String(); !strings.Contains(got, "own session") {
		t.Fatalf("printed %q, want the command in a session of its own", got)
	}
}

// TestShellSaysItsEnd: a command's end is said, done or failed with its status, so that
// its output reads as ended (a tester could not tell where it ended, nor that it failed).
func TestShellSaysItsEnd(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sh")
	}
	out := &testkit.Buffer{}
	pr := newPrinter(out)
	var j shellJob
	j.start(context.Background(), "echo fine", pr, true)
	j.wait()
	j.start(context.Background(), "echo oops; exit 3", pr, true)
	j.wait()
	if got, want := out.String(), "fine\n[system] /shell: \"echo fine\" done\noops\n[error] /shell: \"echo oops; exit 3\" failed: exit status 3\n"; got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}
