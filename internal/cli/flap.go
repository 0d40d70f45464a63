package cli

// A member whose connection flaps, folded: the window folds a member who loses the
// connection and comes back again and again into one line that counts ("bea lost the
// connection and came back 11 times"); a terminal cannot rewrite a line it printed, so it
// holds the member's lines from the second pair on and says them once, as how many more
// times it came back (sayFlapsLocked): before the next line of anything else, once the
// connections have been quiet for flapSettle (flapMaxHold after the first held at the
// latest), or at the end (finish). A window tester's flapping connection put 11 pairs
// of lines in every terminal, and a waiting tool request went out of view under them.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// flapSettle is how long the connections stay quiet before the lines held are said.
const flapSettle = 5 * time.Second

// flapMaxHold is how long a member's lines are held at most, however often they come: the
// agent's output does not end a run, and a member whose connection dropped every few
// seconds while it streamed was never said at all (a reviewer's).
const flapMaxHold = 30 * time.Second

// flap is one member's lost connections and returns in a row, with nothing else printed
// between but such lines of anyone's (as the window folds them). Only printer.mu's holder
// touches it.
type flap struct {
	name string
	// pairs: the lost connections the member came back from, the first printed as it came.
	pairs int
	// open: the member's lost connection was printed, and it has not come back yet.
	open bool
	// held: from the second lost connection on, the member's lines are held, not printed;
	// since when (they are said flapMaxHold after it at the latest).
	held  bool
	since time.Time
	// count: how many were in the party at the member's last return.
	count int
	// gone: a lost connection held that the member has not come back from ("" when none),
	// as its line reads; said after the folded line, so that a member gone for good is
	// said to be gone.
	gone string
}

// flapMember is the member a flapping connection's line is about: one who lost the
// connection, or who came back (back) after leaving; nil for any other event. Not this
// terminal's own (its lines say "you") nor a host's (its leaving says what waits for a
// host), whose lines are printed as they come.
func (p *printer) flapMember(ev wire.Event, back bool) *wire.Member {
	if ev.Kind != wire.KindParticipants {
		return nil
	}
	var m *wire.Member
	switch {
	case ev.Left != nil && ev.Why == wire.WhyLost:
		m = ev.Left
	case ev.Joined != nil && back:
		m = ev.Joined
	default:
		return nil
	}
	if m.ID == "" || m.ID == p.r.you.ID || m.Role == wire.RoleHost {
		return nil
	}
	return m
}

// flapLocked takes a flapping connection's line (flapMember's m) and says whether it is
// held rather than printed now. line is how it would be printed.
func (p *printer) flapLocked(ev wire.Event, m *wire.Member, count int, line string) bool {
	if p.flaps == nil {
		p.flaps = map[string]*flap{}
	}
	f := p.flaps[m.ID]
	lost := ev.Left != nil
	switch {
	case lost && f != nil && f.pairs >= 1 && f.gone == "" && !f.open:
		// Lost again after a return with nothing else between: held from here on.
		if !f.held {
			f.since = time.Now()
		}
		f.held, f.gone = true, line
	case lost:
		// The first (or a drop after lines of its own that were said): printed.
		delete(p.flaps, m.ID)
		p.sayFlapLocked(f)
		p.flaps[m.ID] = &flap{name: m.Name, open: true}
		return false
	case f != nil && f.held && f.gone != "":
		f.pairs++
		f.gone, f.count = "", count
	case f != nil && f.open:
		f.open, f.pairs = false, 1 // the first pair, printed as it came
		return false
	default:
		return false
	}
	p.flapTimerLocked()
	return true
}

// flapTimerLocked (re)starts the wait for the connections to settle: flapQuiet, or less
// when the lines held longest are due (flapMaxHold) sooner.
func (p *printer) flapTimerLocked() {
	if p.flapTimer != nil {
		p.flapTimer.Stop()
	}
	wait := p.flapQuiet
	if wait == 0 {
		wait = flapSettle
	}
	most := p.flapMax
	if most == 0 {
		most = flapMaxHold
	}
	for _, f := range p.flaps {
		if f.held {
			wait = max(0, min(wait, most-time.Since(f.since)))
		}
	}
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.flapTimer == t { // not restarted meanwhile
			p.sayFlapsLocked()
		}
	})
	p.flapTimer = t
}

// sayFlapsLocked says every member's held lines, by name (a stable order), and forgets
// the runs: whatever comes next stops them.
func (p *printer) sayFlapsLocked() {
	if p.flapTimer != nil {
		p.flapTimer.Stop()
		p.flapTimer = nil
	}
	flaps := slices.SortedFunc(maps.Values(p.flaps), func(a, b *flap) int { return strings.Compare(a.name, b.name) })
	p.flaps = nil // first: what says them (a notice's line) says none again
	for _, f := range flaps {
		p.sayFlapLocked(f)
	}
}

// sayFlapLocked says one member's held lines (its run, no longer in flaps), in the window's
// words but for "more" (the first pair was printed).
func (p *printer) sayFlapLocked(f *flap) {
	if f == nil {
		return
	}
	if f.held && f.pairs >= 2 {
		// "more": the first pair was printed as it came; the window, which shows no pair,
		// says them all ("came back 11 times" where this says "10 more times").
		more := f.pairs - 1
		p.asideLocked("party", fmt.Sprintf("%s lost the connection and came back %d more time%s (%s)", term.Line(f.name), more, plural(more), people(f.count)))
	}
	if f.gone != "" {
		p.asideLocked("party", f.gone)
	}
}
