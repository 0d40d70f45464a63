package cli

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/party"
)

// TestTheHostHearsOfAFullParty: the host's terminal is told of the joins its full party
// refused (a tester's host heard nothing while m6–m8 were turned away): the first of a
// burst at once, the rest in one line once it is quiet, with how many so far and the
// limit; a member back after losing its place is said as such.
func TestTheHostHearsOfAFullParty(t *testing.T) {
	defer func(q time.Duration) { fullQuiet = q }(fullQuiet)
	fullQuiet = 50 * time.Millisecond
	var mu sync.Mutex
	var said []string
	f := &fullNotices{say: func(s string) { mu.Lock(); said = append(said, s); mu.Unlock() }}
	defer f.stop()
	lines := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), said...) }
	wait := func(n int) []string {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if l := lines(); len(l) >= n {
				return l
			}
		}
		return lines()
	}
	for i, name := range []string{"m6", "m7", "m8"} {
		f.refused(party.FullRefusal{Name: name, Count: i + 1, Max: 5})
	}
	got := wait(2)
	want := []string{
		"the party is full: refused a join from m6 (1 so far); --max-participants is 5",
		"the party is full: refused 2 more joins, from m7 and m8 (3 so far); --max-participants is 5",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("said %q\nwant %q", got, want)
	}
	time.Sleep(2 * fullQuiet) // quiet again: the next refusal is a new burst
	f.refused(party.FullRefusal{Name: "m3", Returning: true, Count: 4, Max: 5})
	if got := wait(3); len(got) != 3 || got[2] != "the party is full: refused m3, back after losing the connection: their place went to someone else while they were away (4 so far); --max-participants is 5" {
		t.Errorf("a member back: %q", got)
	}
	time.Sleep(2 * fullQuiet)
	if got := lines(); len(got) != 3 {
		t.Errorf("said more than once: %q", got)
	}
}

// A member back to a full party whose place went to someone else is told so.
func TestPlaceLostWords(t *testing.T) {
	got := joinError(fmt.Errorf("%w: party full: your place went to someone else while you were away", client.ErrPlaceLost))
	if !strings.HasPrefix(got, "the party is full: your place went to someone else while you were away") {
		t.Errorf("said %q", got)
	}
}

// TestFullNoticesSayNothingAfterStop: the first refusal of a burst is said from a
// goroutine; once stop has returned (the party is ending) it says nothing (a reviewer's:
// the line raced the end).
func TestFullNoticesSayNothingAfterStop(t *testing.T) {
	for i := 0; i < 200; i++ {
		var mu sync.Mutex
		stopped, late := false, false
		f := &fullNotices{say: func(string) {
			mu.Lock()
			late = late || stopped
			mu.Unlock()
		}}
		f.refused(party.FullRefusal{Name: "m6", Count: 1, Max: 5})
		f.stop()
		mu.Lock()
		stopped = true
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		l := late
		mu.Unlock()
		if l {
			t.Fatalf("run %d: a line was said after stop returned", i)
		}
	}
}

// The host's line says how many places are kept for members whose connection was lost:
// why a party refuses with fewer connected than --max-participants.
func TestFullLineSaysPlacesKept(t *testing.T) {
	got := fullLine(party.FullRefusal{Name: "dave", Held: 2, Hold: 2 * time.Minute, Count: 1, Max: 5})
	want := "the party is full: refused a join from dave (1 so far); --max-participants is 5; 2 places are kept for members whose connection was lost (for up to 2 minutes)"
	if got != want {
		t.Errorf("said %q\nwant %q", got, want)
	}
}
