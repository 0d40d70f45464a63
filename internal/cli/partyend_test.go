package cli

import (
	"bytes"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestTurnCutByThePartysEnd: the turn the party's end cut (wire.TurnPartyEnded) says for
// whose prompts it was, that a resume does not run it again, and, in its author's
// terminal, the prompt's text, to be sent again (the terminal ends with the party: Up
// could not recall it). A tester's alice read "stopped by the host" and nothing of her
// prompt.
func TestTurnCutByThePartysEnd(t *testing.T) {
	events := []wire.Event{
		{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Member: "m1", User: "alice", Text: "a slow job\nwith two lines"}},
		{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "a slow job", Merger: wire.MergerLocal}},
		{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded, DurationMS: 3000}},
	}
	for _, tc := range []struct {
		name string
		you  wire.Member
		want string
	}{
		{"its author", wire.Member{ID: "m1", Name: "alice", Role: wire.RoleParticipant},
			"[system] claude's turn for your prompt was cut short after 3s when the party ended; it had written nothing yet. A resume does not run it again: send your prompt again then:\n    a slow job\n    with two lines\n"},
		{"another", wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant},
			"[system] claude's turn for alice's prompt was cut short after 3s when the party ended; it had written nothing yet. A resume does not run it again\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.hello(wire.HelloResult{You: tc.you})
			for i, ev := range events {
				ev.Seq = int64(i + 1)
				if i == len(events)-1 {
					b.Reset()
				}
				p.event(ev)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
