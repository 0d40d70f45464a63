package party

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// slowSub is a connection that is slow to take what the fan-out helper sends it (a busy
// socket; the loop's own sends are not slowed, so the helper is always the last to
// finish), and that notes a Send after its Close: the helper would then still be writing
// to a connection the party had let go of.
type slowSub struct {
	*collector
	afterClose atomic.Bool
}

func (s *slowSub) Send(ev wire.Event, raw json.RawMessage) bool {
	if onFanoutHelper() {
		time.Sleep(300 * time.Microsecond)
	}
	s.mu.Lock()
	closed := s.closed != ""
	s.mu.Unlock()
	if closed {
		s.afterClose.Store(true)
	}
	return s.collector.Send(ev, raw)
}

// Whatever the fan-out helper is given reaches its connections before the party goes on:
// a kicked member gets the line that says so before its connection closes, a member's
// replaced connection gets nothing after its close, and a call that returns (End, before
// the host closes every connection) has had its events handed to every member. A build
// whose loop did not wait for the helper after each event failed each part until it
// waited before each of these (2026-12-03; measured, and left out: docs/PERFORMANCE.md).
func TestLargePartyHandsEventsOverBeforeGoingOn(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one core: the party never splits its fan-out")
	}
	const n = splitMembers + 8
	p, alice, _ := start(t, Config{MaxParticipants: n + 1})
	host := newCollector()
	hres, err := p.Join(JoinRequest{Name: "hosty", Role: wire.RoleHost, Sub: host, Conn: host})
	if err != nil {
		t.Fatal(err)
	}
	subs := make([]*slowSub, 0, n)
	ids, sessions := make([]string, 0, n), make([]string, 0, n)
	for i := range n {
		s := &slowSub{collector: newCollector()}
		res, err := p.Join(JoinRequest{Name: fmt.Sprintf("p%d", i), Token: token, Sub: s, Conn: s})
		if err != nil {
			t.Fatal(err)
		}
		subs, ids, sessions = append(subs, s), append(ids, res.You.ID), append(sessions, res.You.Session)
	}
	// Ten kicks: each kicked member is in the helper's half or the loop's by map order,
	// so the helper's half is all but certainly among them.
	for i := range 10 {
		if err := p.Kick(hres.You.ID, ids[i], "test"); err != nil {
			t.Fatal(err)
		}
		if subs[i].afterClose.Load() {
			t.Fatalf("kicked member %d was sent an event after its connection was closed", i)
		}
		evs := subs[i].waitFor(t, "the kick's system line", func(evs []wire.Event) bool {
			return len(evs) > 0 && evs[len(evs)-1].Kind == wire.KindSystem
		})
		if !strings.Contains(evs[len(evs)-1].Text, "removed") {
			t.Fatalf("kicked member %d's last event: %q", i, evs[len(evs)-1].Text)
		}
	}
	// A member coming back replaces its connection in the op after one that sent an event
	// (a worker's report, whose op does not wait for the helper): the old connection gets
	// that event before it is closed, or not at all.
	var replaced []*slowSub
	for i := 10; i < 20; i++ {
		p.post(func() { p.emit(wire.Event{Kind: wire.KindSystem, Text: fmt.Sprintf("note %d", i)}) })
		back := &slowSub{collector: newCollector()}
		if _, err := p.Join(JoinRequest{Session: sessions[i], Sub: back, Conn: back}); err != nil {
			t.Fatal(err)
		}
		if subs[i].afterClose.Load() {
			t.Fatalf("member %d's replaced connection was sent an event after it was closed", i)
		}
		replaced = append(replaced, subs[i])
		subs[i] = back
	}
	const last = "the host ended the party (test)"
	if err := p.End(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	// Checked again now: a helper still writing when a check above ran would show here.
	for i, s := range append(subs[:10:10], replaced...) {
		if s.afterClose.Load() {
			t.Fatalf("closed connection %d was sent an event after its close", i)
		}
	}
	for i, c := range append([]*collector{alice, host}, collectors(subs[10:])...) {
		evs := c.all()
		if len(evs) == 0 || evs[len(evs)-1].Text != last {
			t.Fatalf("member %d had not been handed the party's last event when End returned", i)
		}
	}
}

// onFanoutHelper reports whether the caller runs on the fan-out helper's goroutine.
func onFanoutHelper() bool {
	buf := make([]byte, 4096)
	return bytes.Contains(buf[:runtime.Stack(buf, false)], []byte("(*fanout).run"))
}

func collectors(subs []*slowSub) []*collector {
	cs := make([]*collector, len(subs))
	for i, s := range subs {
		cs[i] = s.collector
	}
	return cs
}
