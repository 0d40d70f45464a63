package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// history is n turns: a prompt by ann, its batch, a reply, the turn's end.
func history(n int) []wire.Event {
	var evs []wire.Event
	seq := int64(0)
	add := func(ev wire.Event) {
		seq++
		ev.Seq = seq
		evs = append(evs, ev)
	}
	for i := 1; i <= n; i++ {
		id, b := fmt.Sprintf("p%d", i), fmt.Sprintf("b%d", i)
		add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "ann", Text: fmt.Sprintf("ask %d", i)}})
		add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: b, Prompts: []string{id}, Merged: fmt.Sprintf("ask %d", i), Merger: "local"}})
		add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: fmt.Sprintf("reply %d\n", i)})
		add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: b, Status: wire.TurnDone, DurationMS: 1000}})
	}
	return evs
}

func TestRecentFrom(t *testing.T) {
	evs := history(5)
	if got := recentFrom(evs, 3); got != 8 { // p3, the third batch from the end's prompt
		t.Errorf("recentFrom(5 turns, 3) = %d, want 8", got)
	}
	if got := recentFrom(history(3), 3); got != 0 {
		t.Errorf("recentFrom(3 turns, 3) = %d, want 0", got)
	}
	if got := recentFrom(nil, 3); got != 0 {
		t.Errorf("recentFrom(none) = %d", got)
	}
}

// TestReplayRecent: a resumed host's terminal prints its last three turns, says how many
// events it left out and how to read them all (a tester's resume printed 173,000 lines).
func TestReplayRecent(t *testing.T) {
	var b bytes.Buffer
	pr := newPrinter(&b)
	replayRecent(pr, history(5), "`concordia export abc` writes the whole party")
	out := b.String()
	for _, gone := range []string{"ask 1", "reply 1", "ask 2", "reply 2"} {
		if strings.Contains(out, gone) {
			t.Errorf("%q is printed:\n%s", gone, out)
		}
	}
	for _, want := range []string{"[system] 8 earlier events are not shown here (the last 3 turns are); `concordia export abc` writes the whole party", "ask 3", "reply 3", "reply 5"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "not shown here"), strings.Index(out, "ask 3"); i < 0 || j < i {
		t.Errorf("the note is not above the turns shown:\n%s", out)
	}
}
