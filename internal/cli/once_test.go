package cli

import (
	"bytes"
	"testing"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestOneEventSaidOnce: what the party says twice in a row of one act is printed once, the
// more telling line kept (a tester read each of these twice).
func TestOneEventSaidOnce(t *testing.T) {
	bob := wire.Member{ID: "m1", Name: "bob", Role: wire.RoleParticipant}
	owner := wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}
	for _, tc := range []struct {
		name   string
		you    wire.Member
		events []wire.Event
		want   string
	}{
		{"a /stop, by another", bob, []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Member: "m2", User: "alice", Text: "slow"}},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "slow", Merger: wire.MergerLocal}},
			{Kind: wire.KindSystem, Text: "hana stopped the turn"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: "stopped by hana", DurationMS: 5000}},
		}, "[party] alice: slow\n[system] sending the prompt to claude\n[system] claude's turn was stopped after 5s (stopped by hana); it had written nothing yet\n"},
		{"a /stop, its own", owner, []wire.Event{
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "slow", Merger: wire.MergerLocal}},
			{Kind: wire.KindSystem, Text: "hana stopped the turn"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: "stopped by hana", DurationMS: 5000}},
		}, "[system] sending the prompt to claude\n[system] claude's turn was stopped after 5s (stopped by you); it had written nothing yet\n"},
		{"an edited approval, in its author's terminal", bob, []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Member: "m1", User: "bob", Text: "fix it"}},
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "fix it", Merger: "local"}},
			{Kind: wire.KindSystem, Text: "hana edited and sent bob's prompt"},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "fix it well", Merger: "local", EditedBy: "hana"}},
		}, "[you] bob: fix it\n[approval] a prompt waits for a host's approval:\n    bob: fix it\n[system] sending your prompt to claude as hana edited it:\n    fix it well\n"},
		{"its own /rotate, in the owner's terminal (its host prints the invites)", owner, []wire.Event{
			{Kind: wire.KindSystem, Text: "hana" + party.RotatedNotice},
		}, ""},
		{"a co-host's /rotate, in the owner's terminal", owner, []wire.Event{
			{Kind: wire.KindSystem, Text: "carol" + party.RotatedNotice},
		}, "[system] carol" + party.RotatedNotice + "\n"},
		{"a /stop's notice with no turn running is said", bob, []wire.Event{
			{Kind: wire.KindSystem, Text: "hana stopped the turn"},
		}, "[system] hana stopped the turn\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.hello(wire.HelloResult{You: tc.you, Party: wire.PartyInfo{Host: "hana"}})
			b.Reset()
			for i, ev := range tc.events {
				ev.Seq = int64(i + 1)
				p.event(ev)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
