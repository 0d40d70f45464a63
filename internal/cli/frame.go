package cli

import (
	"io"
	"sync"
	"time"
)

// printFrame is how often a party terminal writes streamed agent text: about a screen
// refresh. A reply streams as many small deltas (hundreds a second from a fast model);
// writing each one costs the host a system call and a wake-up of the terminal, for
// nothing a person can see.
const printFrame = 16 * time.Millisecond

// frameWriter passes writes through at once, except text given to Defer: that is gathered
// and written at most once per frame, or as soon as anything else is written, so the order
// of what is printed never changes. Flush writes what is held; a party terminal calls it
// before it returns, so nothing is left unprinted. frame 0 writes deferred text at once.
type frameWriter struct {
	mu    sync.Mutex
	w     io.Writer
	frame time.Duration
	held  []byte
	timer *time.Timer // armed while held has text; its callback only flushes
}

func (f *frameWriter) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushLocked()
	return f.w.Write(b)
}

// Defer writes b within a frame.
func (f *frameWriter) Defer(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frame <= 0 {
		f.flushLocked()
		f.w.Write(b) // a terminal's write error has nowhere to go; the next write meets it too
		return
	}
	f.held = append(f.held, b...)
	if f.timer == nil {
		f.timer = time.AfterFunc(f.frame, f.Flush)
	}
}

// Flush writes the deferred text now.
func (f *frameWriter) Flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushLocked()
}

func (f *frameWriter) flushLocked() {
	if f.timer != nil {
		f.timer.Stop()
		f.timer = nil
	}
	if len(f.held) == 0 {
		return
	}
	f.w.Write(f.held)
	f.held = f.held[:0]
	if cap(f.held) > 64<<10 {
		f.held = nil // one long burst must not pin its buffer
	}
}
