package party

import (
	"strings"
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
	// The batch sent as hosty edited it names hosty by id too (batch edited_by_member).
	if bs := batches(evs); len(bs) != 1 || bs[0].EditedBy != "hosty" || bs[0].EditedByMember != hosty {
		t.Errorf("batches %+v, want one edited by hosty (%s)", bs, hosty)
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

// TestDecisionsNameTheirHostsByID: a host's decision on a tool request, its approval of
// the agent's plan, and its stop of a turn name that host by member id as well as by name
// (PROTOCOL.md §5/§7, permission by_member, system by_member, turn by_member, since
// 2026-12-07), so that a client says "allowed by you", "you approved the agent's plan" and
// "stopped by you" by id: a newcomer may have the name of a host who has gone.
func TestDecisionsNameTheirHostsByID(t *testing.T) {
	r := &planRunner{tools: []string{"ExitPlanMode", "Bash", "Bash", "Bash"}, got: make(chan ToolDecision, 4)}
	p, col, id := start(t, Config{Runner: r, PermissionMode: wire.PermissionPlan})
	boss, _, err := p.JoinLocal("boss", wire.RoleHost) // the owner
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	promptAs(t, p, id, "plan it, then run it")
	asked := 0
	decide := func(by, decision string) {
		t.Helper()
		asked++
		if err := p.Decide(by, nthPending(t, col, asked), decision, "no"); err != nil {
			t.Fatal(err)
		}
		<-r.got
	}
	decide(boss.ID(), wire.DecisionAllow)  // the plan
	decide(hosty, wire.DecisionDeny)       // the first Bash
	decide(boss.ID(), wire.DecisionAlways) // the second; the third is allowed by it
	<-r.got
	evs := col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	var decided []string
	plan := false
	for _, ev := range evs {
		switch {
		case ev.Kind == wire.KindPermission && ev.Permission.Status != wire.PermissionPending:
			pm := ev.Permission
			decided = append(decided, pm.Tool+" "+pm.Status+" by "+pm.By+" "+pm.ByMember)
		case ev.Kind == wire.KindSystem && strings.Contains(ev.Text, " approved the agent's plan"):
			plan = true
			if ev.By != "boss" || ev.ByMember != boss.ID() {
				t.Errorf("%q: by %q (%q), want boss (%q)", ev.Text, ev.By, ev.ByMember, boss.ID())
			}
		}
	}
	if !plan {
		t.Errorf("no notice of the plan's approval:\n%s", dump(evs))
	}
	want := []string{
		"ExitPlanMode allowed by boss " + boss.ID(),
		"Bash denied by hosty " + hosty,
		"Bash allowed by boss " + boss.ID(),
		"Bash allowed by boss " + boss.ID(), // the "always", unasked
	}
	if got := strings.Join(decided, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("decisions:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// nthPending waits until col has seen n tool requests pending, and gives the id of the nth.
func nthPending(t *testing.T, col *collector, n int) string {
	t.Helper()
	var id string
	col.waitFor(t, "a tool request", func(e []wire.Event) bool {
		seen := 0
		for _, ev := range e {
			if ev.Kind != wire.KindPermission || ev.Permission.Status != wire.PermissionPending {
				continue
			}
			if seen++; seen == n {
				id = ev.Permission.ID
				return true
			}
		}
		return false
	})
	return id
}

// TestAStopNamesItsHostByID: the turn a host stopped says by whom by member id too (turn
// by_member, since 2026-12-07), beside its error "stopped by NAME".
func TestAStopNamesItsHostByID(t *testing.T) {
	p, col, id := start(t, Config{Runner: &askRunner{}})
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	promptAs(t, p, id, "touch x please")
	firstPending(t, col, "pending permission")
	if err := p.Interrupt(hosty); err != nil {
		t.Fatal(err)
	}
	evs := col.waitFor(t, "turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	if got := turns(evs)[0]; got.Error != "stopped by hosty" || got.ByMember != hosty {
		t.Fatalf("turn %+v, want stopped by hosty (%s)", got, hosty)
	}
}
