package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer the program and the test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startEditor runs the line editor on a pipe for input and a buffer for output, with a
// printer writing through its screen as a party terminal's does. It returns once the
// program is attached.
func startEditor(t *testing.T, ctx context.Context) (pr *printer, sc *screen, input *io.PipeWriter, out *lockedBuffer, ended <-chan bool) {
	t.Helper()
	in, input := io.Pipe()
	out = &lockedBuffer{}
	sc = &screen{out: out}
	pr = newPrinter(sc)
	done := make(chan bool, 1)
	go func() {
		done <- runEditor(ctx, in, sc, pr, func(context.Context, string) bool { return false })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc.mu.Lock()
		attached := sc.prog != nil
		sc.mu.Unlock()
		if attached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the editor never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return pr, sc, input, out, done
}

// TestEditorEndingWithItsTerminalFreesWriters: when the terminal goes away (a closed tmux
// pane, an ssh session dropped), reading it fails and the editor's program ends by itself
// while the party's events are still being printed. A line printed then used to wait for
// the ended program for ever, holding the printer's lock runEditor needs on its way out:
// `concordia join` hung and outlived its terminal (and a SIGTERM).
func TestEditorEndingWithItsTerminalFreesWriters(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, _, input, _, ended := startEditor(t, ctx)
	stop := make(chan struct{})
	writing := make(chan struct{})
	go func() { // the party's events, arriving all the time
		defer close(writing)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			pr.notice("party", fmt.Sprintf("event %d", i))
		}
	}()
	time.Sleep(50 * time.Millisecond)
	input.CloseWithError(syscall.EIO) // what reading a closed pty returns
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the editor did not return after its terminal went away")
	}
	close(stop)
	select {
	case <-writing:
	case <-time.After(20 * time.Second):
		t.Fatal("a line printed as the editor ended is still waiting for it")
	}
}

// TestEditorQuitKeepsLateLines: lines printed while the editor is quitting (Ctrl-C as the
// agent streams) are written out after it, in order, not dropped.
func TestEditorQuitKeepsLateLines(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _, _, out, ended := startEditor(t, ctx)
	const n = 400
	written := make(chan struct{})
	go func() {
		defer close(written)
		for i := range n {
			pr.notice("party", fmt.Sprintf("line %d", i))
			if i == n/4 {
				cancel()
			}
		}
	}()
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the editor did not quit")
	}
	<-written
	got := strings.ReplaceAll(out.String(), "\r\n", "\n")
	last := -1
	for i := range n {
		at := strings.Index(got, fmt.Sprintf("line %d\n", i))
		if at < 0 {
			t.Fatalf("line %d was lost:\n%q", i, got)
		}
		if at < last {
			t.Fatalf("line %d came before the line printed ahead of it", i)
		}
		last = at
	}
}
