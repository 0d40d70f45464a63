package keycmd_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
)

// These tests drive `key set` on a real pseudo-terminal: the test binary re-runs itself as
// the helper process below, with the pty as its controlling terminal, and the test types
// into the pty's master side like a person would.

const helperEnv = "KEYCMD_TERMINAL_HELPER"

// TestTerminalHelper is not a test: it is the child process of the terminal tests. It
// runs `key set` on its terminal with an in-memory keyring, then exits with Run's status,
// or 3 if the keyring does not hold the key expected in KEYCMD_EXPECT.
func TestTerminalHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for the terminal tests")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	backend := &secretstest.Backend{}
	store := secrets.New(secrets.Options{Backend: backend, Getenv: func(string) string { return "" }, ConfigDir: os.Getenv("KEYCMD_CONFIG")})
	if d, err := time.ParseDuration(os.Getenv("KEYCMD_READ_AFTER_CANCEL")); err == nil {
		keycmd.ReadAfterCancel(d)
	}
	// Google is a stand-in that accepts any key: key set checks a key before storing it.
	google, _ := fakeGoogle(t, "", "")
	getenv := func(k string) string {
		if k == merge.BaseURLEnv {
			return google.URL
		}
		return ""
	}
	code := keycmd.Run(ctx, []string{"set"}, os.Stdin, os.Stdout, os.Stderr, store, getenv)
	if got, _ := backend.Lookup(secrets.Service, secrets.Account); got != os.Getenv("KEYCMD_EXPECT") {
		fmt.Println("MISMATCH")
		os.Exit(3)
	}
	if d, err := time.ParseDuration(os.Getenv("KEYCMD_EXIT_DELAY")); err == nil {
		time.Sleep(d) // what the reading goroutine does meanwhile still counts
	}
	os.Exit(code)
}

// startHelper runs the helper on the pty's slave side as a new session leader with the
// pty as its controlling terminal.
func startHelper(t *testing.T, p *testkit.PTY, expect string, env ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestTerminalHelper$")
	cmd.Env = append(append(os.Environ(), helperEnv+"=1", "KEYCMD_EXPECT="+expect, "KEYCMD_CONFIG="+t.TempDir()), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Slave, p.Slave, p.Slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	return cmd
}

// exitCode waits for cmd and returns its exit status.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	return 0
}

func TestTerminalSetHidesKey(t *testing.T) {
	p := testkit.OpenPTY(t)
	cmd := startHelper(t, p, testKey)
	p.WaitFor(t, "typing is hidden")
	if _, err := p.Master.Write([]byte(testKey + "\r")); err != nil {
		t.Fatalf("type key: %v", err)
	}
	code := exitCode(t, cmd)
	p.WaitFor(t, "Stored the Gemini API key")
	out := p.Output()
	if code != 0 {
		t.Fatalf("exit status = %d; terminal shows %q", code, out)
	}
	if strings.Contains(out, testKey) || strings.Contains(out, testKey[:8]) {
		t.Fatalf("the key was echoed: %q", out)
	}
}

// TestTerminalSetFromARawTerminal: a parent program left the terminal raw, where Enter
// sends CR; the prompt set Enter back to ending the line (a reviewer's never returned), and
// the raw state is what is left after it.
func TestTerminalSetFromARawTerminal(t *testing.T) {
	p := testkit.OpenPTY(t)
	fd := int(p.Slave.Fd())
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	raw := *tio
	raw.Iflag &^= unix.ICRNL | unix.IXON | unix.BRKINT | unix.INPCK | unix.ISTRIP
	raw.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		t.Fatal(err)
	}
	cmd := startHelper(t, p, testKey)
	p.WaitFor(t, "typing is hidden")
	if _, err := p.Master.Write([]byte(testKey + "\r")); err != nil {
		t.Fatalf("type key: %v", err)
	}
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("exit status = %d; terminal shows %q", code, p.Output())
	}
	after, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lflag&unix.ICANON != 0 || after.Iflag&unix.ICRNL != 0 {
		t.Errorf("the terminal is not left raw as it was: lflag %#x iflag %#x", after.Lflag, after.Iflag)
	}
}

func TestTerminalCtrlCRestoresEcho(t *testing.T) {
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"the read waiting", nil},
		// A Ctrl-C before the read starts: term.ReadPassword, started after the restore,
		// turned echo off again, and the shell was left without it (a CI run caught it by
		// chance; the read held until the Ctrl-C, and the exit held after it, make it
		// certain).
		{"before the read starts", []string{"KEYCMD_READ_AFTER_CANCEL=100ms", "KEYCMD_EXIT_DELAY=500ms"}},
	} {
		t.Run(c.name, func(t *testing.T) { ctrlCRestoresEcho(t, c.env...) })
	}
}

func ctrlCRestoresEcho(t *testing.T, env ...string) {
	p := testkit.OpenPTY(t)
	cmd := startHelper(t, p, "", env...)
	p.WaitFor(t, "typing is hidden")
	if _, err := p.Master.Write([]byte{3}); err != nil { // Ctrl-C: SIGINT via the line discipline
		t.Fatalf("type Ctrl-C: %v", err)
	}
	code := exitCode(t, cmd)
	p.WaitFor(t, "canceled; no key was stored")
	if code != 1 {
		t.Fatalf("exit status = %d; want 1; terminal shows %q", code, p.Output())
	}
	tio, err := unix.IoctlGetTermios(int(p.Slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("read terminal settings: %v", err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatal("terminal echo is still off after Ctrl-C")
	}
}

// TestTerminalEchoBackAfterTheKey: the terminal echoes again once the key is read (echo is
// turned off before the prompt shows, and the state found is restored after the read).
func TestTerminalEchoBackAfterTheKey(t *testing.T) {
	p := testkit.OpenPTY(t)
	cmd := startHelper(t, p, testKey)
	p.WaitFor(t, "typing is hidden")
	tio, err := unix.IoctlGetTermios(int(p.Slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO != 0 {
		t.Fatal("the prompt shows while the terminal still echoes: a key pasted now would be on the screen")
	}
	if _, err := p.Master.Write([]byte(testKey + "\r")); err != nil {
		t.Fatalf("type key: %v", err)
	}
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("exit status = %d; terminal shows %q", code, p.Output())
	}
	if tio, err = unix.IoctlGetTermios(int(p.Slave.Fd()), unix.TCGETS); err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatal("terminal echo is still off after the key was read")
	}
}
