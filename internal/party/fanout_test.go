package party

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// A large party's events are sent by the loop and the fan-out helper, each to half of the
// members: every member still gets every event from its joining on, in order and once; a
// member whose connection refuses one is dropped without the others noticing; the helper
// ends with the party.
func TestLargePartyFanOutSplit(t *testing.T) {
	const n = splitMembers + 36
	var p *Party
	t.Cleanup(func() { // runs after start's own cleanup has stopped the party
		if p != nil && p.fan != nil {
			t.Error("the fan-out helper outlived the party")
		}
	})
	p, alice, aliceID := start(t, Config{MaxParticipants: n + 1})
	cols := []*collector{alice}
	for i := 1; i < n; i++ {
		c := newCollector()
		if _, err := p.Join(JoinRequest{Name: fmt.Sprintf("p%d", i), Token: token, Sub: c, Conn: c}); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	slow := cols[n/2]
	slow.mu.Lock()
	slow.refuse = true
	slow.mu.Unlock()
	var last []wire.Event
	for i := range 3 {
		if _, err := p.Prompt(aliceID, fmt.Sprintf("prompt %d", i)); err != nil {
			t.Fatal(err)
		}
		last = alice.waitFor(t, fmt.Sprintf("turn %d", i+1), func(evs []wire.Event) bool { return count(evs, wire.KindTurn) == i+1 })
	}
	lastSeq := last[len(last)-1].Seq
	var split bool
	if err := p.do(func() { split = p.fan != nil }); err != nil {
		t.Fatal(err)
	}
	if want := runtime.GOMAXPROCS(0) > 1; split != want {
		t.Fatalf("a party of %d members with %d cores used the fan-out helper: %v", n, runtime.GOMAXPROCS(0), split)
	}
	for i, c := range cols {
		if c == slow {
			continue
		}
		evs := c.waitFor(t, fmt.Sprintf("member %d's events up to seq %d", i, lastSeq), func(evs []wire.Event) bool {
			return len(evs) > 0 && evs[len(evs)-1].Seq >= lastSeq
		})
		for j := 1; j < len(evs); j++ {
			if evs[j].Seq != evs[j-1].Seq+1 {
				t.Fatalf("member %d got seq %d after %d", i, evs[j].Seq, evs[j-1].Seq)
			}
		}
	}
	var dropped bool
	if err := p.do(func() {
		for _, m := range p.members {
			if m.sub == slow {
				t.Error("the member whose connection refused an event still has it")
			}
			if m.Name == fmt.Sprintf("p%d", n/2) {
				dropped = m.sub == nil
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if !dropped {
		t.Error("the refusing member's connection was not dropped")
	}
}
