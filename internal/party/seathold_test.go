package party

import (
	"errors"
	"strings"
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
	want := []FullRefusal{{Name: "carol", Held: 1, Hold: time.Minute, Count: 1, Max: 2}, {Name: "bob", Returning: true, Hold: time.Minute, Count: 2, Max: 2}}
	if len(told) != len(want) || told[0] != want[0] || told[1] != want[1] {
		t.Errorf("told the host %+v; want %+v", told, want)
	}
}

// seatParty is a party of MaxParticipants max (alice, a participant, is one) whose clock
// the test moves, and whose OnFull refusals it reads.
type seatParty struct {
	t     *testing.T
	p     *Party
	mu    sync.Mutex
	now   time.Time
	told  []FullRefusal
	conns map[string]*collector
}

func newSeatParty(t *testing.T, max int) *seatParty {
	s := &seatParty{t: t, now: time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC), conns: map[string]*collector{}}
	s.p, _, _ = start(t, Config{MaxParticipants: max, SeatHold: 2 * time.Minute, ViewerToken: "viewer-tok-0123456789abcdef",
		Now:    func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now },
		OnFull: func(r FullRefusal) { s.mu.Lock(); s.told = append(s.told, r); s.mu.Unlock() }})
	return s
}

func (s *seatParty) pass(d time.Duration) { s.mu.Lock(); s.now = s.now.Add(d); s.mu.Unlock() }

func (s *seatParty) join(req JoinRequest) (string, string, error) {
	c := newCollector()
	req.Sub, req.Conn = c, c
	res, err := s.p.Join(req)
	if err == nil {
		s.conns[res.You.ID] = c
	}
	return res.You.ID, res.You.Session, err
}

func (s *seatParty) lose(id string)  { s.p.Lost(id, s.conns[id], "it broke off") }
func (s *seatParty) leave(id string) { s.p.Leave(id, s.conns[id]) }

// refusals is what OnFull was told so far.
func (s *seatParty) refusals() []FullRefusal {
	s.p.Notice("system", "barrier") // OnFull runs on the loop: done by now
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FullRefusal(nil), s.told...)
}

// TestNoPlaceKeptForOneThatCannotComeBack: a member that has no client_id and has never
// come back with its session would come back as a new member, so no place is kept for it
// when its connection is lost (a reviewer's: dropped scripts held the party's places and
// locked everyone out for two minutes). One that came back with its session once keeps
// its place, and a newcomer refused meanwhile is told why (and the host, through OnFull).
func TestNoPlaceKeptForOneThatCannotComeBack(t *testing.T) {
	s := newSeatParty(t, 2)
	script, session, err := s.join(JoinRequest{Name: "script", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	s.lose(script)
	carol, _, err := s.join(JoinRequest{Name: "carol", Token: token})
	if err != nil {
		t.Fatalf("a newcomer after a member that cannot come back lost its connection: %v", err)
	}
	s.leave(carol)

	// Back with its session: from now on it can come back, and its place is kept.
	if id, _, err := s.join(JoinRequest{Name: "script", Session: session}); err != nil || id != script {
		t.Fatalf("back with its session: %q %v", id, err)
	}
	s.lose(script)
	_, _, err = s.join(JoinRequest{Name: "dave", Token: token})
	if !errors.Is(err, ErrFull) || errors.Is(err, ErrPlaceLost) {
		t.Fatalf("a newcomer while the place of one that came back with its session is kept: %v", err)
	}
	if want := "party full: 1 place is kept for a member whose connection was lost (for up to 2 minutes)"; err.Error() != want {
		t.Errorf("the refusal says %q; want %q", err, want)
	}
	if got := s.refusals(); len(got) != 1 || got[0] != (FullRefusal{Name: "dave", Held: 1, Hold: 2 * time.Minute, Count: 1, Max: 2}) {
		t.Errorf("told the host %+v", got)
	}
}

// TestPlaceLostOnlyForALostConnection: a member that left (/quit) and finds the party full
// on its return is told it is full, not that its place went to someone else while it was
// away: it gave it up. A viewer that lost its connection and finds only the viewers'
// reserve left is told that, and the host is not told it lost its place (reviewer's).
func TestPlaceLostOnlyForALostConnection(t *testing.T) {
	s := newSeatParty(t, 2)
	bob, _, err := s.join(JoinRequest{Name: "bob", Token: token, ClientID: "bob-client"})
	if err != nil {
		t.Fatal(err)
	}
	s.leave(bob)
	if _, _, err := s.join(JoinRequest{Name: "carol", Token: token, ClientID: "carol-client"}); err != nil {
		t.Fatalf("carol after bob left: %v", err)
	}
	_, _, err = s.join(JoinRequest{Name: "bob", Token: token, ClientID: "bob-client"})
	if !errors.Is(err, ErrFull) || errors.Is(err, ErrPlaceLost) {
		t.Fatalf("bob, who left, back to a full party: %v", err)
	}
	if got := s.refusals(); len(got) != 1 || got[0].Returning {
		t.Errorf("told the host %+v; want no Returning", got)
	}

	// Ten places, nine for viewers: a viewer away past the hold finds nine others in.
	v := newSeatParty(t, 10)
	viewer, _, err := v.join(JoinRequest{Name: "vic", Token: "viewer-tok-0123456789abcdef", ClientID: "vic-client"})
	if err != nil {
		t.Fatal(err)
	}
	v.lose(viewer)
	v.pass(3 * time.Minute)
	for i := 0; i < 8; i++ { // alice and 8 more: 9
		if _, _, err := v.join(JoinRequest{Name: "p", Token: token}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = v.join(JoinRequest{Name: "vic", Token: "viewer-tok-0123456789abcdef", ClientID: "vic-client"})
	if !errors.Is(err, ErrFull) || errors.Is(err, ErrPlaceLost) || !strings.Contains(err.Error(), "for viewers") {
		t.Fatalf("a viewer back to the viewers' reserve: %v", err)
	}
	if got := v.refusals(); len(got) != 1 || got[0].Returning {
		t.Errorf("told the host %+v; want no Returning", got)
	}
}
