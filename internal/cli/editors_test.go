package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// A host's terminal says once when another host starts editing the held prompt (a
// window tester's co-host lost an edit the owner could not know of); never of itself,
// and /approve still sends the prompt as it is.
func TestEditorsAreSaidOnce(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.pr.event(wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x"}})
	me, gus := wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, wire.Member{ID: "m4", Name: "gus", Role: wire.RoleHost}
	const line = "[approval] gus is editing the held prompt\n"
	for i, tt := range []struct {
		ed   wire.Editors
		want int // times the line was printed so far
	}{
		{wire.Editors{Batch: "b3", Editors: []wire.Member{me}}, 0},
		{wire.Editors{Batch: "b3", Editors: []wire.Member{me, gus}}, 1},
		{wire.Editors{Batch: "b3", Editors: []wire.Member{gus}}, 1},
		{wire.Editors{Batch: "b3", Editors: []wire.Member{}}, 1},
		{wire.Editors{Batch: "b3", Editors: []wire.Member{gus}}, 2}, // he opened it again
		{wire.Editors{Batch: "b4", Editors: []wire.Member{gus}}, 3}, // another prompt
	} {
		c.pr.editors(tt.ed)
		if got := strings.Count(out.String(), line); got != tt.want {
			t.Fatalf("%d: said %d times, want %d: %q", i, got, tt.want, out.String())
		}
	}
	if strings.Contains(out.String(), "me is editing") {
		t.Fatalf("said of itself: %q", out.String())
	}
	c.line(context.Background(), "/approve")
	if got := strings.Join(ctl.calls, "|"); got != "approve b3" {
		t.Fatalf("calls %q", got)
	}
}
