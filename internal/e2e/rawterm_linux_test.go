package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"golang.org/x/sys/unix"
)

// TestTerminalThatAnswersNothing: `concordia join` on a terminal that answers no queries
// (a bare pseudo-terminal; tmux answers them) never asks it anything, so it does not sit
// waiting for an answer, and what the person types as soon as the party shows reaches it.
// The editor's styles used to ask for the background colour (OSC 11) and read the
// terminal for 5 s for the answer, eating what was typed meanwhile.
func TestTerminalThatAnswersNothing(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	_, p := joinOnPTY(t, inv, "pat")
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

// TestTerminalTakenBackAfterAStop: a shell that stops `concordia join` (kill -STOP, or
// Ctrl-Z in a job it runs) puts its own terminal settings back, and fg does not restore
// the program's: the line editor was left on a cooked, echoing terminal, where Enter
// added a line instead of sending. It now takes the terminal back when it continues.
func TestTerminalTakenBackAfterAStop(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	cmd, p := joinOnPTY(t, inv, "pat")
	fd := int(p.Slave.Fd())
	raw := func() bool {
		tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		return err == nil && tio.Lflag&(unix.ICANON|unix.ECHO) == 0
	}
	if !raw() {
		t.Fatal("the line editor's terminal is not raw")
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitState(t, cmd.Process.Pid, "T")
	// What a shell does when its job stops: its own settings back.
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Lflag |= unix.ICANON | unix.ECHO | unix.ISIG | unix.IEXTEN
	tio.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !raw(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("10 s after it continued, the terminal is still cooked")
		}
	}
	if _, err := p.Master.Write([]byte("after the stop\r")); err != nil {
		t.Fatal(err)
	}
	h.expect(`^\[party\] pat: after the stop$`)
}

// TestJoinDashLeavesNothingForTheShell: a chat message pasted after `concordia join -` with
// no invite in it is an error, and its lines are read: the shell ran each line of a
// tester's when join gave up after the first.
func TestJoinDashLeavesNothingForTheShell(t *testing.T) {
	p, cmd := joinDash(t)
	if _, err := p.Master.Write([]byte("Hi Carol! The link is below\rrm -rf later\rThanks, Hana\r")); err != nil {
		t.Fatal(err)
	}
	p.WaitFor(t, "no invite (concordia://HOST:PORT/TOKEN) in the 3 lines read from stdin")
	if err := cmd.Wait(); err == nil {
		t.Fatal("join without an invite exited 0")
	}
	// What a shell would read next from the terminal (Fd once: each call makes it blocking).
	fd := int(p.Slave.Fd())
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	if n, _ := unix.Read(fd, buf); n > 0 {
		t.Errorf("left for the shell: %q", buf[:n])
	}
}

// joinOnPTY runs `concordia join INVITE --name NAME` on a bare pseudo-terminal of its own
// (its controlling terminal, in a session of its own), and waits for the line editor.
func joinOnPTY(t *testing.T, inv, name string) (*exec.Cmd, *testkit.PTY) {
	t.Helper()
	p := testkit.OpenPTY(t)
	cmd := exec.Command(binary, "join", "--name", name, inv)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:", "TERM=xterm-256color", "COLORFGBG=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Slave, p.Slave, p.Slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p.WaitFor(t, "joined hosty's party as "+name)
	p.WaitFor(t, "› ")
	return cmd, p
}

// waitState waits until process pid is in state (field 3 of /proc/PID/stat: "T" stopped).
func waitState(t *testing.T, pid int, state string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i+1:]), " "+state+" ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d not in state %s: %s", pid, state, stat)
		}
	}
}

// TestTerminalDrawsOnAfterStops: stopped and continued again and again (tmux continues a
// stopped pane at once, so each stop is two continues), the line editor still draws what
// is typed and what arrives. It used to let the terminal go and take it again on each
// continue, and Bubble Tea's renderer could stop for good (a tester's froze within a few
// stops: keys went out blind, and nothing was drawn until the party ended). The race is
// Bubble Tea's, and timing: against the old way this test failed in one run of three.
func TestTerminalDrawsOnAfterStops(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	j := newPane(t, []string{"CONCORDIA_INVITE=" + inv}, "join", "--name", "bob")
	j.wait(`› `)
	pid, err := strconv.Atoi(strings.TrimSpace(j.tmux("display-message", "-p", "-t", j.name, "#{pane_pid}")))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		j.typeText(string(rune('a' + i)))
	}
	j.wait(`› abcdefghijklmnopqrst\b`)
	h.send("drawn after the stops")
	j.wait(`hosty: drawn after the stops`)
}

// TestJoinDashCutInviteIsNotTried: an invite pasted at `join -` cut short where it cannot
// parse (its token shorter than any host makes) is said to be cut, and the rest asked for;
// Enter is not offered to try it, and the refusal after it has no usage hint: a tester was
// offered "press Enter to try it as it is", then refused at once with "Run … --help".
func TestJoinDashCutInviteIsNotTried(t *testing.T) {
	p, cmd := joinDash(t)
	if _, err := p.Master.Write([]byte("here is the link concordia://127.0.0.1:47110/TEKqXrCIRpq\r")); err != nil {
		t.Fatal(err)
	}
	p.WaitFor(t, "the invite is cut short; paste the rest of it")
	if _, err := p.Master.Write([]byte("\r")); err != nil {
		t.Fatal(err)
	}
	p.WaitFor(t, "token too short")
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("exit: %v, want status 2", err)
	}
	for _, not := range []string{"try it as it is", "--help"} {
		if strings.Contains(p.Output(), not) {
			t.Errorf("%q said:\n%s", not, p.Output())
		}
	}
}

// joinDash starts `concordia join - --name carol` on a terminal of its own and waits for
// it to ask for the invite.
func joinDash(t *testing.T) (*testkit.PTY, *exec.Cmd) {
	t.Helper()
	p := testkit.OpenPTY(t)
	cmd := exec.Command(binary, "join", "-", "--name", "carol")
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:", "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Slave, p.Slave, p.Slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p.WaitFor(t, "paste the invite")
	return p, cmd
}
