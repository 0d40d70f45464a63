package e2e

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/concordia-party/concordia/internal/testkit"
)

// TestTerminalThatAnswersNothing: `concordia join` on a terminal that answers no queries
// (a bare pseudo-terminal; tmux answers them) never asks it anything, so it does not sit
// waiting for an answer, and what the person types as soon as the party shows reaches it.
// The editor's styles used to ask for the background colour (OSC 11) and read the
// terminal for 5 s for the answer, eating what was typed meanwhile.
func TestTerminalThatAnswersNothing(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	p := testkit.OpenPTY(t)
	cmd := exec.Command(binary, "join", "--name", "pat", inv)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:", "TERM=xterm-256color", "COLORFGBG=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Slave, p.Slave, p.Slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p.WaitFor(t, "joined hosty's party as pat")
	p.WaitFor(t, "› ")
	if _, err := p.Master.Write([]byte("typed at once\r")); err != nil {
		t.Fatal(err)
	}
	h.expect(`^\[party\] pat: typed at once$`)
	h.expect(`^echo: typed at once`)
	for _, q := range []string{"\x1b]11;?", "\x1b[6n"} {
		if strings.Contains(p.Output(), q) {
			t.Errorf("join asked the terminal %q; the terminal shows %q", q, p.Output())
		}
	}
}
