package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

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
	st := joined.State
	if !st.Truncated || len(st.Events) != 6 || st.Events[len(st.Events)-1].Seq != st.Seq {
		t.Fatalf("the page's history: truncated %v, %d events, last %d, state seq %d", st.Truncated, len(st.Events), st.Events[len(st.Events)-1].Seq, st.Seq)
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
