package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/wire"
)

func numbered(n int, text string) wire.State {
	st := wire.State{Seq: int64(n)}
	for i := 1; i <= n; i++ {
		ev := wire.Event{Seq: int64(i), Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: text}
		raw, _ := wire.Encode(ev)
		st.Events = append(st.Events, ev)
		st.RawEvents = append(st.RawEvents, raw)
	}
	return st
}

// midTurn is an approval request, a turn, and the prompt (seq 3) and batch (seq 4) of
// the turn that follows it, whose reply (5–8) ends at seq 9: the events a cut after seq 6
// needs from before it are 1, 3 and 4 when the party waits on an approval.
func midTurn() []wire.Event {
	var evs []wire.Event
	for i, k := range []string{wire.KindApproval, wire.KindBatch, wire.KindPrompt, wire.KindBatch, wire.KindOutput, wire.KindOutput, wire.KindOutput, wire.KindOutput, wire.KindTurn} {
		ev := wire.Event{Seq: int64(i + 1), Kind: k}
		if k == wire.KindPrompt {
			ev.Prompt = &wire.Prompt{ID: "p3", User: "ann", Text: "go"}
		} else if k == wire.KindBatch {
			ev.Batch = &wire.Batch{ID: fmt.Sprint("b", i), Prompts: []string{"p3"}, Merged: "go"}
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestCutHistory(t *testing.T) {
	// Fits: as it was.
	if st := cutHistory(numbered(5, "x"), 5, 1<<20); st.Truncated || len(st.Events) != 5 {
		t.Fatalf("a history that fits: truncated %v, %d events", st.Truncated, len(st.Events))
	}
	// Too many events: the newest kept, raw and decoded alike.
	st := cutHistory(numbered(10, "x"), 4, 1<<20)
	if !st.Truncated || len(st.Events) != 4 || st.Events[0].Seq != 7 || len(st.RawEvents) != 4 || !strings.Contains(string(st.RawEvents[0]), `"seq":7`) {
		t.Fatalf("cut to 4 events: truncated %v, events %d from %d, raw %d", st.Truncated, len(st.Events), st.Events[0].Seq, len(st.RawEvents))
	}
	b, _ := json.Marshal(st)
	if !strings.Contains(string(b), `"truncated":true`) || strings.Contains(string(b), `"seq":6,`) {
		t.Fatalf("encoded: %s", b)
	}
	// Too many bytes: as many of the newest as fit, without raw events too.
	big := numbered(10, strings.Repeat("y", 1000))
	big.RawEvents = nil
	if st := cutHistory(big, 100, 3500); !st.Truncated || len(st.Events) != 3 || st.Events[2].Seq != 10 {
		t.Fatalf("cut to 3.5 KB: truncated %v, %d events", st.Truncated, len(st.Events))
	}
	// A cut in the middle of a turn keeps the turn's batch and its prompts; a party that waits on an
	// approval keeps the approval request (a reviewer's: a card without its batch, an
	// approval without its buttons).
	turn := wire.State{Seq: 9, Phase: wire.PhaseAwaitingApproval}
	for _, ev := range midTurn() {
		raw, _ := wire.Encode(ev)
		turn.Events, turn.RawEvents = append(turn.Events, ev), append(turn.RawEvents, raw)
	}
	st = cutHistory(turn, 3, 1<<20)
	var kept []int64
	for _, ev := range st.Events {
		kept = append(kept, ev.Seq)
	}
	if fmt.Sprint(kept) != "[1 3 4 7 8 9]" || len(st.RawEvents) != 6 || !strings.Contains(string(st.RawEvents[2]), `"seq":4,`) {
		t.Fatalf("cut mid-turn while an approval waits: %v (raw %d)", kept, len(st.RawEvents))
	}
	// Raw events that do not match the events are dropped, never spliced in.
	odd := numbered(4, "x")
	odd.RawEvents = odd.RawEvents[:2]
	if st := cutHistory(odd, 2, 1<<20); st.RawEvents != nil {
		t.Fatalf("mismatched raw events kept: %d", len(st.RawEvents))
	}
	// One event over the limit is still handed over: the page always has the newest.
	if st := cutHistory(numbered(3, strings.Repeat("z", 5000)), 100, 100); len(st.Events) != 1 || st.Events[0].Seq != 3 {
		t.Fatalf("one huge event: %d events", len(st.Events))
	}
}

// TestAJoinedPageGetsTheNewestHistory: a window joining a party with a long history hands
// its page the newest events only, marked truncated; Save still writes all of it.
func TestAJoinedPageGetsTheNewestHistory(t *testing.T) {
	defer func(n int) { pageHistoryEvents = n }(pageHistoryEvents)
	pageHistoryEvents = 6
	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := m.Prompt(context.Background(), fmt.Sprintf("turn %d", i)); err != nil {
			t.Fatalf("Prompt: %v", err)
		}
		rec.waitFor(t, "the turn's end", func(e []emitted) bool {
			turns := 0
			for _, x := range e {
				if ev, ok := x.data.(wire.Event); ok && ev.Kind == wire.KindTurn {
					turns++
				}
			}
			return turns > i
		})
	}
	pm := newManager(t, newRecorder(), nil)
	joined, err := pm.Join(context.Background(), info.Invite, "bob")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	// The newest 6 events, and before them only what the cut brings along to show them
	// right: when it falls inside the last turn, its prompt and batch (the fake agent's
	// reply comes in one to three output events, so it may or may not: this test failed
	// about one run in ten for expecting exactly 6).
	st := joined.State
	n := len(st.Events)
	if !st.Truncated || n < 6 || n > 8 || st.Events[n-1].Seq != st.Seq || st.Events[n-6].Seq != st.Seq-5 {
		t.Fatalf("the page's history: truncated %v, %d events, last %d, state seq %d", st.Truncated, n, st.Events[n-1].Seq, st.Seq)
	}
	for _, ev := range st.Events[:n-6] {
		if ev.Kind != wire.KindPrompt && ev.Kind != wire.KindBatch {
			t.Fatalf("brought along from before the newest 6: seq %d, a %s event", ev.Seq, ev.Kind)
		}
	}
	tr, err := pm.Transcript()
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Events) < 10 || tr.Events[0].Seq != 1 {
		t.Fatalf("Save has %d events from %d", len(tr.Events), tr.Events[0].Seq)
	}
	checkOrder(t, tr.Events, 0)
}

// TestAResyncHandsThePageTheNewestHistory: a reconnect's party:state carries the newest
// events only, read back from the window's history file, marked truncated; the history
// file still has them all.
func TestAResyncHandsThePageTheNewestHistory(t *testing.T) {
	defer func(n int) { pageHistoryEvents = n }(pageHistoryEvents)
	pageHistoryEvents = 3
	ev := func(seq int64) wire.Event {
		return wire.Event{Seq: seq, Kind: wire.KindSystem, Text: fmt.Sprint("event ", seq)}
	}
	rec := newRecorder()
	m := New(Config{Emitter: rec})
	a := &active{m: m, role: wire.RoleParticipant, first: true, log: newEventLog(t.TempDir(), t.Logf)}
	defer a.log.close()
	var first []wire.Event
	for i := int64(1); i <= 5; i++ {
		first = append(first, ev(i))
	}
	a.onHello(wire.HelloResult{State: wire.State{Seq: 5, Events: first}})
	for _, e := range first {
		a.onEvent(e)
	}
	a.onStatus(client.Status{State: client.StatusConnected})
	a.onHello(wire.HelloResult{State: wire.State{Seq: 7, Events: []wire.Event{ev(6), ev(7)}}})
	a.onEvent(ev(6))
	a.onEvent(ev(7))
	a.onStatus(client.Status{State: client.StatusConnected})
	var states []wire.State
	for _, e := range rec.all() {
		if e.name == EventPartyState {
			states = append(states, e.data.(wire.State))
		}
	}
	if len(states) != 1 {
		t.Fatalf("%d party:state events", len(states))
	}
	st := states[0]
	if !st.Truncated || st.Seq != 7 || len(st.Events) != 3 || st.Events[0].Seq != 5 {
		t.Fatalf("the resync's state: truncated %v, seq %d, %d events from %d", st.Truncated, st.Seq, len(st.Events), st.Events[0].Seq)
	}
	all, err := a.log.snapshot()()
	if err != nil || len(all) != 7 {
		t.Fatalf("the history file: %d events, %v", len(all), err)
	}
}

// TestAHostedPageGetsTheNewestHistory: a party the window hosts hands its page the newest
// events too (a resumed party's history can be a day long).
func TestAHostedPageGetsTheNewestHistory(t *testing.T) {
	defer func(n int) { pageHistoryEvents = n }(pageHistoryEvents)
	pageHistoryEvents = 1
	m := newManager(t, newRecorder(), nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	st := info.State
	if st.Seq < 2 {
		t.Fatalf("the party began with %d events: this test needs two or more", st.Seq)
	}
	if len(st.Events) != 1 || !st.Truncated || st.Events[0].Seq != st.Seq {
		t.Fatalf("the hosted page's history: %d events, truncated %v, seq %d", len(st.Events), st.Truncated, st.Seq)
	}
}

// TestForgetLetsTheHistoryFileGo: a joined party's history file is closed once the window
// moves on from the party, and a Save after that says so.
func TestForgetLetsTheHistoryFileGo(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	pm := newManager(t, newRecorder(), nil)
	if _, err := pm.Join(context.Background(), info.Invite, "bob"); err != nil {
		t.Fatalf("Join: %v", err)
	}
	pm.mu.Lock()
	a := pm.cur
	pm.mu.Unlock()
	a.mu.Lock()
	file := a.log.f.File()
	a.mu.Unlock()
	if file == nil {
		t.Fatal("no history file")
	}
	if err := pm.Leave(context.Background()); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if tr, err := pm.Transcript(); err != nil || len(tr.Events) == 0 {
		t.Fatalf("Save after leaving: %d events, %v", len(tr.Events), err)
	}
	pm.Forget()
	if _, err := file.Stat(); err == nil {
		t.Fatal("the history file is still open after Forget")
	}
	a.mu.Lock()
	read := a.log.snapshot()
	a.mu.Unlock()
	if _, err := read(); !errors.Is(err, errHistoryDropped) {
		t.Fatalf("a Save that raced Forget: %v", err)
	}
}
