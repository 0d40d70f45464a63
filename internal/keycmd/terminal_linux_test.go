package keycmd_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
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
	code := keycmd.Run(ctx, []string{"set"}, os.Stdin, os.Stdout, os.Stderr, store)
	if got, _ := backend.Lookup(secrets.Service, secrets.Account); got != os.Getenv("KEYCMD_EXPECT") {
		fmt.Println("MISMATCH")
		os.Exit(3)
	}
	os.Exit(code)
}

// pty is a pseudo-terminal pair with the master's output collected.
type pty struct {
	master *os.File
	slave  *os.File
	mu     sync.Mutex
	out    strings.Builder // guarded by mu; written by the reader goroutine
	done   chan struct{}   // closed when the reader goroutine ends
}

func openPTY(t *testing.T) *pty {
	t.Helper()
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	// Non-blocking, so that os.File uses the poller and Close ends a pending Read.
	if err := unix.SetNonblock(m, true); err != nil {
		t.Fatalf("set non-blocking: %v", err)
	}
	p := &pty{master: os.NewFile(uintptr(m), "ptmx"), done: make(chan struct{})}
	p.slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		p.master.Close()
		t.Fatalf("open pty slave: %v", err)
	}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := p.master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		p.slave.Close()
		p.master.Close()
		<-p.done
	})
	return p
}

func (p *pty) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the terminal shows s.
func (p *pty) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.output(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed %q; it shows %q", s, p.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startHelper runs the helper on the pty's slave side as a new session leader with the
// pty as its controlling terminal.
func startHelper(t *testing.T, p *pty, expect string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestTerminalHelper$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "KEYCMD_EXPECT="+expect, "KEYCMD_CONFIG="+t.TempDir())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.slave, p.slave, p.slave
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
	p := openPTY(t)
	cmd := startHelper(t, p, testKey)
	p.waitFor(t, "typing is hidden")
	if _, err := p.master.Write([]byte(testKey + "\r")); err != nil {
		t.Fatalf("type key: %v", err)
	}
	code := exitCode(t, cmd)
	p.waitFor(t, "Stored the Gemini API key")
	out := p.output()
	if code != 0 {
		t.Fatalf("exit status = %d; terminal shows %q", code, out)
	}
	if strings.Contains(out, testKey) || strings.Contains(out, testKey[:8]) {
		t.Fatalf("the key was echoed: %q", out)
	}
}

func TestTerminalCtrlCRestoresEcho(t *testing.T) {
	p := openPTY(t)
	cmd := startHelper(t, p, "")
	p.waitFor(t, "typing is hidden")
	if _, err := p.master.Write([]byte{3}); err != nil { // Ctrl-C: SIGINT via the line discipline
		t.Fatalf("type Ctrl-C: %v", err)
	}
	code := exitCode(t, cmd)
	p.waitFor(t, "context canceled")
	if code != 1 {
		t.Fatalf("exit status = %d; want 1; terminal shows %q", code, p.output())
	}
	tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("read terminal settings: %v", err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Fatal("terminal echo is still off after Ctrl-C")
	}
}
