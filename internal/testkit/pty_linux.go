package testkit

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal pair for tests that drive a program on a real terminal: the
// program gets Slave as its stdin, stdout and stderr, the test types into Master, and
// everything the program writes is collected (Output). Unlike a terminal emulator (tmux),
// it answers no queries: a program that asks the terminal something gets no reply.
type PTY struct {
	Master *os.File
	Slave  *os.File
	mu     sync.Mutex
	out    strings.Builder // guarded by mu; written by the reader goroutine
	done   chan struct{}   // closed when the reader goroutine ends
}

// OpenPTY opens a pseudo-terminal; the test's cleanup closes it. It skips the test where
// there are no pseudo-terminals.
func OpenPTY(t *testing.T) *PTY {
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
	p := &PTY{Master: os.NewFile(uintptr(m), "ptmx"), done: make(chan struct{})}
	p.Slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		p.Master.Close()
		t.Fatalf("open pty slave: %v", err)
	}
	go func() { // ends when Master is closed
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := p.Master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		p.Slave.Close()
		p.Master.Close()
		<-p.done
	})
	return p
}

// Output is everything the program wrote to the terminal so far, escapes included.
func (p *PTY) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// WaitFor waits until the terminal has shown s (20 s at most, then the test fails).
func (p *PTY) WaitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.Output(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed %q; it shows %q", s, p.Output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
