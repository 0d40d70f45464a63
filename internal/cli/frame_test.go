package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter counts the writes that reach the terminal.
type countingWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.b.Write(p)
}

func (c *countingWriter) get() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String(), c.writes
}

// Deltas that come within a frame reach the terminal as one write, within about a frame.
func TestFrameWriterGathersDeltas(t *testing.T) {
	cw := &countingWriter{}
	f := &frameWriter{w: cw, frame: 50 * time.Millisecond}
	want := 0
	for i := range 100 {
		f.Defer([]byte(strings.Repeat("x", i%7+1)))
		want += i%7 + 1
	}
	if got, n := cw.get(); n != 0 || got != "" {
		t.Fatalf("written before the frame ended: %d writes, %q", n, got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, n := cw.get()
		if n > 0 {
			if n != 1 || len(got) != want {
				t.Fatalf("%d writes of %d bytes, want 1 of %d", n, len(got), want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the deferred text was never written")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Anything written at once first writes what is held: the order on the terminal is the
// order of the calls. Flush leaves nothing behind.
func TestFrameWriterKeepsOrder(t *testing.T) {
	cw := &countingWriter{}
	f := &frameWriter{w: cw, frame: time.Hour}
	f.Defer([]byte("a"))
	f.Defer([]byte("b"))
	f.Write([]byte("[notice]\n"))
	f.Defer([]byte("c"))
	if got, _ := cw.get(); got != "ab[notice]\n" {
		t.Fatalf("got %q", got)
	}
	f.Flush()
	if got, n := cw.get(); got != "ab[notice]\nc" || n != 3 {
		t.Fatalf("after Flush: %q in %d writes", got, n)
	}
	f.Flush() // nothing held: no empty write
	if _, n := cw.get(); n != 3 {
		t.Fatalf("an empty flush wrote (%d writes)", n)
	}
}

// Frame 0 (a printer made for tests and tools) writes at once.
func TestFrameWriterFrameZero(t *testing.T) {
	cw := &countingWriter{}
	f := &frameWriter{w: cw}
	f.Defer([]byte("a"))
	if got, _ := cw.get(); got != "a" {
		t.Fatalf("got %q", got)
	}
}
