package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestUpRecallsPromptsOfAStoppedTurn: a turn a host's /stop or the turn timeout stopped
// did not answer its prompts, as a failed one did not, and its authors get them back
// (Up) as after a failed turn (a tester's got nothing back); the timeout's line names
// claude, as the turn line after it does.
func TestUpRecallsPromptsOfAStoppedTurn(t *testing.T) {
	for _, tc := range []struct {
		name, stoppedBy, before string
	}{
		{"a host's /stop", "stopped by hana", ""},
		{"the turn timeout", "stopped by the turn timeout", "the agent was silent for 8s; stopping the turn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecallParty(t, wire.RoleParticipant)
			r.prompt(1, "p1", "m1", "slow one")
			r.ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "slow one", Merger: wire.MergerLocal}})
			if tc.before != "" {
				r.ev(3, wire.Event{Kind: wire.KindError, Text: tc.before})
			}
			r.ev(4, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: tc.stoppedBy, DurationMS: 8000}})
			r.settle()
			if v := r.up(1); v != "slow one" {
				t.Errorf("Up recalls %q, want the stopped turn's prompt", v)
			}
			out := r.b.String()
			if !strings.Contains(out, "[system] press Up to get back your prompt from that turn and send it again") {
				t.Errorf("not said:\n%s", out)
			}
			if tc.before != "" && (!strings.Contains(out, "[error] claude was silent for 8s; stopping the turn") || strings.Contains(out, "the agent")) {
				t.Errorf("the timeout's line:\n%s", out)
			}
		})
	}
}

// TestALostEditIsRecalled: a co-host's "/approve EDITED TEXT" that lost the race to
// another host is refused; the text typed is not lost: Up recalls it, and the refusal
// says so (a tester's co-host lost it).
func TestALostEditIsRecalled(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.editor = true
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Merged: "fix it"}})
	ctl.approveErr = errors.New("that merged prompt is no longer waiting for approval: hana already edited and sent it")
	c.line(context.Background(), "/approve fix it, and add a test")
	if !strings.Contains(out.String(), "hana already edited and sent it; Up recalls your edited text") {
		t.Errorf("said:\n%s", out.String())
	}
	c.pr.with(func(r *roster) {
		if r.recalls() != 1 || (*r.recall)[0] != "fix it, and add a test" {
			t.Errorf("recall holds %v", r.recall)
		}
	})
}
