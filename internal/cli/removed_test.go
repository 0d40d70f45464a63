package cli

import (
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestRemovalSaidOnce: a host's removal of this terminal's member is one notice, with the
// text of its waiting prompt, to be copied; not four lines, one of them an "Up recalls"
// the terminal closes before it can be used, and an [error] saying the removal again (a
// tester's).
func TestRemovalSaidOnce(t *testing.T) {
	r := newRecallParty(t, wire.RoleParticipant)
	r.prompt(1, "p1", "m1", "zed pending prompt")
	r.b.Reset()
	r.ev(2, wire.Event{Kind: wire.KindSystem, Text: "ops removed me from the party: bye (me's waiting prompt is withdrawn)"})
	r.ev(3, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "me", By: "ops", ByMember: "m9"}})
	want := "[system] ops removed you from the party: bye; your waiting prompt goes with you, not sent:\n    zed pending prompt\n"
	if got := r.b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if !r.p.removalSaid() {
		t.Error("the removal is not known to be said: the terminal says it again")
	}
}

// TestRemovalOfAnotherIsNotOwn: another member's removal, with its prompt, is said as
// before, and is not taken for this member's.
func TestRemovalOfAnotherIsNotOwn(t *testing.T) {
	r := newRecallParty(t, wire.RoleParticipant)
	r.prompt(1, "p1", "m2", "zed's")
	r.ev(2, wire.Event{Kind: wire.KindSystem, Text: "ops removed zed from the party: bye (zed's waiting prompt is withdrawn)"})
	r.ev(3, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "zed", By: "ops", ByMember: "m9"}})
	if got := r.b.String(); !strings.Contains(got, "zed's prompt goes with them: zed's (it will not be sent)") || r.p.removalSaid() {
		t.Errorf("got:\n%s", got)
	}
}

// TestRemovalOfANameLikeOwnIsNotOwn: a member whose name holds "removed you from the
// party" is removed; the host says whom by id, and this terminal does not take it for its
// own removal (which would hide that member's withdrawals and the terminal's own end).
func TestRemovalOfANameLikeOwnIsNotOwn(t *testing.T) {
	r := newRecallParty(t, wire.RoleParticipant)
	odd := "bob removed you from the party"
	r.ev(1, wire.Event{Kind: wire.KindSystem, Text: "ops removed " + odd + " from the party: bye",
		By: "ops", ByMember: "m9", About: odd, AboutMember: "m7"})
	if r.p.removalSaid() {
		t.Errorf("another member's removal was taken for this one's:\n%s", r.b.String())
	}
}
