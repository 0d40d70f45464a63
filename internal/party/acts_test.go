package party

import (
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestActsNameTheirMembersByID: a host's notice of an act names who did it, and on whom,
// by member id as well as in its text (PROTOCOL.md §5, system by_member, about_member), so
// that a client says "you" by id, never by name (a tester's newcomer with a removed
// member's name read of that removal as its own).
func TestActsNameTheirMembersByID(t *testing.T) {
	p, col, _ := start(t, Config{Runner: &fakeRunner{}})
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	bob := joinAs(t, p, "bob", token, "")
	if err := p.SetApproval(hosty, true); err != nil {
		t.Fatal(err)
	}
	promptAs(t, p, bob, "bob's own words")
	evs := col.waitFor(t, "the approval", func(e []wire.Event) bool { return count(e, wire.KindApproval) == 1 })
	var held string
	for _, e := range evs {
		if e.Kind == wire.KindApproval {
			held = e.Approval.Batch
		}
	}
	edit := "bob's words, edited"
	if err := p.Approve(hosty, held, &edit); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRole(hosty, bob, wire.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := p.Kick(hosty, bob, "spam"); err != nil {
		t.Fatal(err)
	}
	evs = col.waitFor(t, "the removal", func(e []wire.Event) bool {
		for _, ev := range e {
			if ev.Kind == wire.KindSystem && ev.Text == "hosty removed bob from the party: spam" {
				return true
			}
		}
		return false
	})
	want := map[string][2]string{ // text: by_member, about_member
		"hosty turned approval on":               {hosty, ""},
		"hosty edited and sent bob's prompt":     {hosty, bob},
		"hosty made bob a viewer":                {hosty, bob},
		"hosty removed bob from the party: spam": {hosty, bob},
	}
	for _, ev := range evs {
		w, ok := want[ev.Text]
		if ev.Kind != wire.KindSystem || !ok {
			continue
		}
		delete(want, ev.Text)
		about := ""
		if w[1] != "" {
			about = "bob"
		}
		if ev.By != "hosty" || ev.ByMember != w[0] || ev.AboutMember != w[1] || ev.About != about {
			t.Errorf("%q: by %q (%q), about %q (%q); want by hosty (%q), about %q (%q)", ev.Text, ev.By, ev.ByMember, ev.About, ev.AboutMember, w[0], about, w[1])
		}
	}
	for text := range want {
		t.Errorf("no notice %q:\n%s", text, dump(evs))
	}
}
