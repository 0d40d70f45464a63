package cli

import (
	"context"
	"sync"
)

// lineStops lets Ctrl-C and Ctrl-D on an empty line act at once, though they are handled
// in turn with the lines typed before them (runEditor): a prompt refused as too fast waits
// its turn for up to scriptPatience (paced), and a tester's Ctrl-C, or a host's /allow
// that the waiting turn needed, waited behind it. Pressed, it ends the waits of the line
// being handled (its prompt is given back), and the lines typed before it that still wait
// are not handled but said not sent: then the key is handled as usual.
type lineStops struct {
	mu sync.Mutex
	// pending: the Ctrl-C and Ctrl-D queued and not yet taken (interruptLine, eofLine),
	// oldest first.
	pending []string
	stop    context.CancelCauseFunc // ends the waits of the line being handled; nil between lines
}

// control reports whether line is Ctrl-C's or Ctrl-D's.
func control(line string) bool { return line == interruptLine || line == eofLine }

// pressed is why a line's waits ended: its key was pressed (keyName).
type pressed string

func (k pressed) Error() string { return string(k) + " was pressed" }

// keyName names the key of a control line.
func keyName(line string) string {
	if line == eofLine {
		return "Ctrl-D"
	}
	return "Ctrl-C"
}

// ahead is told that key (interruptLine or eofLine) is about to be queued: the line being
// handled stops waiting.
func (s *lineStops) ahead(key string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, key)
	if s.stop != nil {
		s.stop(pressed(keyName(key)))
	}
}

// undo takes back the last ahead, whose key could not be queued.
func (s *lineStops) undo() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = s.pending[:len(s.pending)-1]
}

// begin is told the next line taken from the queue. skip, naming the key: a Ctrl-C or
// Ctrl-D queued after it acts first, and the line is not handled. Else waits is the
// context of the line's waits, which such a key ends (at once, when one is queued
// already), and end is called once the line has been handled.
func (s *lineStops) begin(ctx context.Context, line string) (waits context.Context, end func(), skip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if control(line) {
		if len(s.pending) > 0 {
			s.pending = s.pending[1:]
		}
	} else if len(s.pending) > 0 {
		return nil, nil, keyName(s.pending[0])
	}
	waits, cancel := context.WithCancelCause(ctx)
	if len(s.pending) > 0 {
		cancel(pressed(keyName(s.pending[0])))
	}
	s.stop = cancel
	return waits, func() {
		s.mu.Lock()
		s.stop = nil
		s.mu.Unlock()
		cancel(nil)
	}, ""
}

// waitsKey holds, in the context a line is handled with, the context of its waits
// (lineStops.begin), which Ctrl-C and Ctrl-D end: not the host's calls, which the
// terminal's own context ends.
type waitsKey struct{}

// withWaits is ctx, whose line's waits end with waits.
func withWaits(ctx, waits context.Context) context.Context {
	return context.WithValue(ctx, waitsKey{}, waits)
}

// waitsOf is the context a line's waits end with: ctx itself outside the line editor.
func waitsOf(ctx context.Context) context.Context {
	if w, ok := ctx.Value(waitsKey{}).(context.Context); ok {
		return w
	}
	return ctx
}
