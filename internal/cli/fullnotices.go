package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
)

// fullQuiet is how long after a refusal of a full party the host's terminal gathers the
// next ones into one line (fullNotices): a burst of joins is one line, then one more.
var fullQuiet = 5 * time.Second

// fullNotices tells the host's terminal of the hellos its party refused as full: only a
// host can make room, and a tester's host was told nothing while three people were turned
// away, and a member back after a crash. The first refusal of a burst is said at once; the
// ones that follow within fullQuiet of each other are said together once it is quiet.
// refused runs on the party's loop, so it only takes note; say prints (from a timer).
type fullNotices struct {
	say func(text string)

	mu      sync.Mutex // guards the rest
	last    time.Time  // the last refusal said or gathered
	names   []string   // refusals gathered since the last line said
	count   int        // refusals so far (party.FullRefusal.Count)
	max     int
	flusher *time.Timer
	stopped bool

	// saying is held while a line is said (sayLine), and taken by stop once stopped is set:
	// no line is said after stop returns (a line said from a goroutine raced the end).
	saying sync.Mutex
}

// sayLine says line unless stop has been called.
func (f *fullNotices) sayLine(line string) {
	f.saying.Lock()
	defer f.saying.Unlock()
	f.mu.Lock()
	stopped := f.stopped
	f.mu.Unlock()
	if !stopped {
		f.say(line)
	}
}

// refused takes note of one refusal (party.Config.OnFull).
func (f *fullNotices) refused(r party.FullRefusal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return
	}
	now := time.Now()
	quiet := now.Sub(f.last) >= fullQuiet && f.flusher == nil
	f.last, f.count, f.max = now, r.Count, r.Max
	if quiet {
		// Said at once, but not from the party's loop: the terminal may be slow.
		line := fullLine(r)
		go f.sayLine(line)
		return
	}
	name := term.Line(r.Name)
	if r.Returning {
		name += " (back after losing the connection)"
	}
	f.names = append(f.names, name)
	if f.flusher == nil {
		f.flusher = time.AfterFunc(fullQuiet, f.flush)
	}
}

// flush says the refusals gathered, once fullQuiet has passed since the last one.
func (f *fullNotices) flush() {
	f.mu.Lock()
	if wait := fullQuiet - time.Since(f.last); wait > 0 && !f.stopped {
		f.flusher.Reset(wait)
		f.mu.Unlock()
		return
	}
	names, count, max := f.names, f.count, f.max
	f.names, f.flusher = nil, nil
	stopped := f.stopped
	f.mu.Unlock()
	if len(names) == 0 || stopped {
		return
	}
	f.sayLine(fmt.Sprintf("the party is full: refused %d more %s, from %s (%d so far); --max-participants is %d",
		len(names), "join"+plural(len(names)), andList(names), count, max))
}

// stop says nothing more (the party is ending): once it returns, no line is said.
func (f *fullNotices) stop() {
	f.mu.Lock()
	f.stopped = true
	if f.flusher != nil {
		f.flusher.Stop()
	}
	f.mu.Unlock()
	f.saying.Lock() // a line being said is said before stop returns
	defer f.saying.Unlock()
}

// fullLine is the host's line for the first refusal of a burst.
func fullLine(r party.FullRefusal) string {
	if r.Returning {
		return fmt.Sprintf("the party is full: refused %s, back after losing the connection: their place went to someone else while they were away (%d so far); --max-participants is %d", term.Line(r.Name), r.Count, r.Max)
	}
	held := ""
	switch {
	case r.Held == 1:
		held = fmt.Sprintf("; 1 place is kept for a member whose connection was lost (for up to %s)", party.HoldWords(r.Hold))
	case r.Held > 1:
		held = fmt.Sprintf("; %d places are kept for members whose connection was lost (for up to %s)", r.Held, party.HoldWords(r.Hold))
	}
	return fmt.Sprintf("the party is full: refused a join from %s (%d so far); --max-participants is %d%s", term.Line(r.Name), r.Count, r.Max, held)
}

// andList is "a", "a and b", "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
