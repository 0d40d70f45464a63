package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestHostsDecisionsAreYoursByMemberID: a host's decision on a tool request, its edit of a
// held prompt and its stop of a turn say "you" of this terminal's own member, told by the
// event's member id (permission by_member, batch edited_by_member, turn by_member, since
// 2026-12-07), in the history too; never of a newcomer who has that host's name. From a
// host without the ids, the name is all there is, and it is trusted only live.
func TestHostsDecisionsAreYoursByMemberID(t *testing.T) {
	hana := wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}
	newHana := wire.Member{ID: "m9", Name: "hana", Role: wire.RoleHost} // hana's name, after hana left
	start := []wire.Event{
		{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Member: "m2", User: "bob", Text: "touch x"}},
		{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "touch x", Merger: wire.MergerLocal}},
	}
	pending := wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionPending}}
	decided := func(status, reason string, ids bool) wire.Event {
		pm := &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: status, By: "hana", Reason: reason}
		if ids {
			pm.ByMember = "m1"
		}
		return wire.Event{Kind: wire.KindPermission, Permission: pm}
	}
	for _, sc := range []struct {
		name         string
		events       func(ids bool) []wire.Event
		mine, theirs string
	}{
		{"allowed", func(ids bool) []wire.Event {
			return append(start, pending, decided(wire.PermissionAllowed, "", ids))
		}, "] you allowed Bash: touch x", "] hana allowed Bash: touch x"},
		{"denied", func(ids bool) []wire.Event {
			return append(start, pending, decided(wire.PermissionDenied, "not now", ids))
		}, "] you denied Bash: touch x: not now", "] hana denied Bash: touch x: not now"},
		{"always, unasked", func(ids bool) []wire.Event {
			return append(start, decided(wire.PermissionAllowed, wire.AlwaysReason("Bash"), ids))
		}, "(you allowed Bash for the rest of the party)", "(hana allowed Bash for the rest of the party)"},
		{"stopped", func(ids bool) []wire.Event {
			turn := &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, DurationMS: 1500, Error: "stopped by hana"}
			if ids {
				turn.ByMember = "m1"
			}
			return append(start, wire.Event{Kind: wire.KindTurn, Turn: turn})
		}, "(stopped by you)", "(stopped by hana)"},
		{"edited", func(ids bool) []wire.Event {
			b := &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "touch y", Merger: wire.MergerLocal, EditedBy: "hana"}
			if ids {
				b.EditedByMember = "m1"
			}
			return []wire.Event{
				start[0],
				{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "touch x", Merger: wire.MergerLocal}},
				{Kind: wire.KindBatch, Batch: b},
			}
		}, "to claude as you edited it", "to claude as hana edited it"},
	} {
		for _, tc := range []struct {
			name         string
			you          wire.Member
			ids, history bool
			mine         bool
		}{
			{"own, live", hana, true, false, true},
			{"own, in the history", hana, true, true, true},
			{"a newcomer with the name, live", newHana, true, false, false},
			{"a newcomer with the name, in the history", newHana, true, true, false},
			{"an older host, live", hana, false, false, true},           // by name: all there is
			{"an older host, in the history", hana, false, true, false}, // the name may have been another's
		} {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.hello(wire.HelloResult{You: tc.you})
			if tc.history {
				p.historyStart(1)
			}
			for i, ev := range sc.events(tc.ids) {
				ev.Seq = int64(i + 1)
				p.event(ev)
			}
			want, not := sc.mine, sc.theirs
			if !tc.mine {
				want, not = not, want
			}
			if got := b.String(); !strings.Contains(got, want) || strings.Contains(got, not) {
				t.Errorf("%s, %s: got\n%s\nwant it to say %q", sc.name, tc.name, got, want)
			}
		}
	}
}
