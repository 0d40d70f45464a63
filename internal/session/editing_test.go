package session

import (
	"context"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/wire"
)

// The hosting window and a co-host over the wire each learn that the other has "Edit and
// send…" open on the held prompt (a window tester's co-host lost his edit to the owner's
// Send, who could not know).
func TestEditorsReachTheWindowAndACoHost(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	req := hostRequest(t)
	req.Approve = true
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	inv, err := invite.Parse(info.Invite)
	if err != nil {
		t.Fatal(err)
	}
	told := make(chan wire.Editors, 10)
	gus, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "gus", OnEditors: func(ed wire.Editors) { told <- ed }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gus.Close)
	if err := m.SetRole(context.Background(), gus.Hello().You.ID, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	if _, err := gus.Prompt(context.Background(), "touch a file"); err != nil {
		t.Fatal(err)
	}
	batch := waitEvent(t, rec, "the approval", func(e wire.Event) bool { return e.Kind == wire.KindApproval }).Approval.Batch

	editorsSaid := func(names ...string) func([]emitted) bool {
		return func(evs []emitted) bool {
			for i := len(evs) - 1; i >= 0; i-- {
				if ed, ok := evs[i].data.(wire.Editors); ok && evs[i].name == EventPartyEditing {
					if ed.Batch != batch || len(ed.Editors) != len(names) {
						return false
					}
					for j, n := range names {
						if ed.Editors[j].Name != n {
							return false
						}
					}
					return true
				}
			}
			return false
		}
	}
	// gus, over the wire, opens the editor: the window is told.
	if err := gus.Editing(context.Background(), batch, true); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "gus editing, in the window", editorsSaid("gus"))
	// The window's host opens it too: gus is told both.
	if err := m.Editing(context.Background(), batch, true); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case ed := <-told:
			done = ed.Batch == batch && len(ed.Editors) == 2 && ed.Editors[1].Name == info.You.Name
		case <-timeout:
			t.Fatal("gus was not told the window's host edits")
		}
	}
	// Sent from the window: nobody edits any more.
	if err := m.Approve(context.Background(), batch, nil); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "nobody editing, in the window", editorsSaid())
}
