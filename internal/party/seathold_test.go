package party

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestAnAwayMembersPlace: in a full party, a member whose connection was lost keeps its
// place for SeatHold (a newcomer is refused meanwhile, and it gets back in); past it the
// place is free, and the member coming back is refused with ErrPlaceLost, not a bare
// "full" (a tester's, after kill -9). One who left keeps nothing. The host hears of every
// refusal (OnFull: a tester's host was told nothing).
func TestAnAwayMembersPlace(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	pass := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var told []FullRefusal
	p, _, _ := start(t, Config{MaxParticipants: 2, SeatHold: time.Minute, Now: clock,
		OnFull: func(r FullRefusal) { told = append(told, r) }}) // alice is one
	conns := map[string]*collector{}
	join := func(name, client string) (string, error) {
		c := newCollector()
		res, err := p.Join(JoinRequest{Name: name, Token: token, ClientID: client, Sub: c, Conn: c})
		if err == nil {
			conns[res.You.ID] = c
		}
		return res.You.ID, err
	}
	bob, err := join("bob", "bob-client")
	if err != nil {
		t.Fatal(err)
	}
	p.Lost(bob, conns[bob], "it broke off")

	// Within SeatHold: bob's place is kept.
	pass(30 * time.Second)
	if _, err := join("carol", "carol-client"); !errors.Is(err, ErrFull) || errors.Is(err, ErrPlaceLost) {
		t.Fatalf("a newcomer while bob's place is kept: %v", err)
	}
	if id, err := join("bob", "bob-client"); err != nil || id != bob {
		t.Fatalf("bob back within the hold: %q %v", id, err)
	}
	p.Lost(bob, conns[bob], "it broke off")

	// Past it: the place goes to carol, and bob is told he lost it.
	pass(2 * time.Minute)
	carol, err := join("carol", "carol-client")
	if err != nil {
		t.Fatalf("carol once bob's hold ran out: %v", err)
	}
	if _, err := join("bob", "bob-client"); !errors.Is(err, ErrPlaceLost) || !errors.Is(err, ErrFull) {
		t.Fatalf("bob back to a full party: %v", err)
	}
	// On the wire: -32005 as for any full party, with data that says so.
	var re *rpc.Error
	if !errors.As(rpcError(ErrPlaceLost), &re) || re.Code != wire.CodePartyFull || re.Data != (wire.FullData{PlaceLost: true}) {
		t.Fatalf("on the wire: %#v", re)
	}

	// One who leaves keeps nothing: dave gets carol's place at once.
	p.Leave(carol, conns[carol])
	if _, err := join("dave", "dave-client"); err != nil {
		t.Fatalf("dave after carol left: %v", err)
	}

	p.Notice("system", "barrier") // OnFull runs on the loop: done by now
	want := []FullRefusal{{Name: "carol", Count: 1, Max: 2}, {Name: "bob", Returning: true, Count: 2, Max: 2}}
	if len(told) != len(want) || told[0] != want[0] || told[1] != want[1] {
		t.Errorf("told the host %+v; want %+v", told, want)
	}
}
