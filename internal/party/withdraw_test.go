package party

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

func withdrawals(evs []wire.Event) []wire.Withdrawn {
	var out []wire.Withdrawn
	for _, ev := range evs {
		if ev.Kind == wire.KindWithdrawn {
			out = append(out, *ev.Withdrawn)
		}
	}
	return out
}

func pendingIDs(t *testing.T, p *Party) []string {
	t.Helper()
	st, err := p.State(0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, pr := range st.Pending {
		ids = append(ids, pr.ID)
	}
	return ids
}

// joinAs joins a member with a collector of its own and returns its id.
func joinAs(t *testing.T, p *Party, name, tok, role string) string {
	t.Helper()
	c := newCollector()
	res, err := p.Join(JoinRequest{Name: name, Token: tok, Role: role, Sub: c, Conn: c})
	if err != nil {
		t.Fatal(err)
	}
	return res.You.ID
}

// promptAs sends a prompt as a member and returns what the party answered.
func promptAs(t *testing.T, p *Party, member, text string) wire.PromptResult {
	t.Helper()
	res, err := p.Prompt(member, text)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestWithdrawWhileTheAgentWorks: a prompt that waits behind a running turn can be taken
// back by its author or a host, never by another participant or a viewer; it is then in
// no batch, and the members are told who took back whose prompt.
func TestWithdrawWhileTheAgentWorks(t *testing.T) {
	fr := &fakeRunner{hold: make(chan struct{})}
	p, col, alice := start(t, Config{Runner: fr, ViewerToken: "viewer-0123456789abcdefghijkl"})
	bob := joinAs(t, p, "bob", token, "")
	vera := joinAs(t, p, "vera", "viewer-0123456789abcdefghijkl", "")
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)

	promptAs(t, p, alice, "first: starts the turn")
	col.waitFor(t, "the first batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 1 })
	mine := promptAs(t, p, alice, "second: a typo")
	bobs := promptAs(t, p, bob, "third: bob's")
	kept := promptAs(t, p, bob, "fourth: kept")

	for _, c := range []struct {
		who, prompt string
		want        error
	}{
		{bob, mine.ID, ErrNotAllowed},   // someone else's
		{vera, mine.ID, ErrNotAllowed},  // a viewer
		{alice, "p999", ErrInvalid},     // no such prompt
		{"m404", mine.ID, ErrNotMember}, // not in the party
		{alice, mine.ID, nil},           // her own
		{alice, mine.ID, ErrInvalid},    // already withdrawn
		{hosty, bobs.ID, nil},           // a host, anyone's
	} {
		if err := p.Withdraw(c.who, c.prompt); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s withdraws %s: %v, want %v", c.who, c.prompt, err, c.want)
		}
	}
	// Made a viewer with a prompt waiting, bob can still take it back (a tester's was sent).
	demoted, err := p.Prompt(bob, "fifth: then bob is made a viewer")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetRole(hosty, bob, wire.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := p.Withdraw(bob, demoted.ID); err != nil {
		t.Errorf("a participant made a viewer withdraws its own prompt: %v", err)
	}
	if got := pendingIDs(t, p); !slices.Equal(got, []string{kept.ID}) {
		t.Errorf("pending after the withdrawals: %v, want only %s", got, kept.ID)
	}
	evs := col.waitFor(t, "three withdrawals", func(e []wire.Event) bool { return count(e, wire.KindWithdrawn) == 3 })
	want := []wire.Withdrawn{{Prompt: mine.ID, User: "alice", By: "alice", ByMember: alice}, {Prompt: bobs.ID, User: "bob", By: "hosty", ByMember: hosty}, {Prompt: demoted.ID, User: "bob", By: "bob", ByMember: bob}}
	if got := withdrawals(evs); !slices.Equal(got, want) {
		t.Errorf("withdrawn events %+v, want %+v", got, want)
	}

	close(fr.hold)
	evs = col.waitFor(t, "the second turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 2 })
	b := batches(evs)
	if len(b) != 2 || !slices.Equal(b[1].Prompts, []string{kept.ID}) {
		t.Fatalf("batches %+v: the second should carry only %s", b, kept.ID)
	}
	for _, text := range fr.got() {
		if strings.Contains(text, "typo") || strings.Contains(text, "bob's") {
			t.Errorf("the agent got a withdrawn prompt: %q", text)
		}
	}
}

// TestWithdrawTooLate: a prompt in a merged batch that waits for approval is no longer the
// author's to take back (a host rejects the batch instead); and withdrawing the only
// waiting prompt of an idle party takes the phase back to idle.
func TestWithdrawTooLate(t *testing.T) {
	p, col, alice := start(t, Config{Approval: true, Window: time.Hour})
	first, err := p.Prompt(alice, "held")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Withdraw(alice, first.ID); err != nil {
		t.Fatalf("withdraw while collecting: %v", err)
	}
	col.waitFor(t, "idle again", func(e []wire.Event) bool {
		return len(e) > 0 && e[len(e)-1].Kind == wire.KindPhase && e[len(e)-1].Phase == wire.PhaseIdle
	})

	p2, col2, bob := start(t, Config{Approval: true})
	second, err := p2.Prompt(bob, "merged already")
	if err != nil {
		t.Fatal(err)
	}
	col2.waitFor(t, "the approval", func(e []wire.Event) bool { return count(e, wire.KindApproval) == 1 })
	err = p2.Withdraw(bob, second.ID)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "approval") {
		t.Fatalf("withdraw from a batch awaiting approval: %v", err)
	}
}

// TestResumeForgetsWithdrawnPrompts: a withdrawn prompt is not queued again by a resume;
// one that is keeps its author's member id, so only that member (back with its session)
// may withdraw it — not whoever takes the name first after the resume (a reviewer did),
// and a prompt journalled without an id only a host.
func TestResumeForgetsWithdrawnPrompts(t *testing.T) {
	r := recoverFrom(t,
		`{"kind":"prompt","prompt":{"id":"p1","user":"alice","text":"gone","member":"m1"}}`,
		`{"kind":"prompt","prompt":{"id":"p2","user":"alice","text":"still waiting","member":"m1"}}`,
		`{"kind":"withdrawn","withdrawn":{"prompt":"p1","user":"alice","by":"alice"}}`,
		`{"kind":"prompt","prompt":{"id":"p3","user":"alice","text":"from an older journal"}}`,
	)
	if len(r.Pending) != 2 || r.Pending[0].ID != "p2" || r.Pending[0].Member != "m1" {
		t.Fatalf("pending after the resume: %+v, want p2 (by m1) and p3", r.Pending)
	}
	r.Members = []journal.Member{{ID: "m1", Name: "alice", Role: wire.RoleParticipant, Session: "sess-alice"}}
	fr := &fakeRunner{hold: make(chan struct{})}
	defer close(fr.hold)
	// start joins a new member by the invite and the name "alice", free after the resume.
	p, _, impostor := start(t, Config{Restore: r, Runner: fr, Window: time.Hour, MinPrompts: 5})
	if impostor == "m1" {
		t.Fatal("the new member got the old member's id")
	}
	if err := p.Withdraw(impostor, "p2"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("a new member named alice withdraws the old alice's prompt: %v", err)
	}
	c := newCollector()
	back, err := p.Join(JoinRequest{Session: "sess-alice", Sub: c, Conn: c})
	if err != nil || back.You.ID != "m1" {
		t.Fatalf("alice back with her session: %+v, %v", back.You, err)
	}
	if err := p.Withdraw("m1", "p3"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("a prompt with no author id withdrawn by a participant: %v", err)
	}
	if err := p.Withdraw("m1", "p2"); err != nil {
		t.Errorf("alice withdraws her resumed prompt: %v", err)
	}
	c2 := newCollector()
	host, err := p.Join(JoinRequest{Name: "hosty", Role: wire.RoleHost, Sub: c2, Conn: c2})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Withdraw(host.You.ID, "p3"); err != nil {
		t.Errorf("a host withdraws a prompt with no author id: %v", err)
	}
}

// TestKickWithdrawsTheirPrompts: a member removed from the party takes its waiting prompts
// with it; nobody else's go, and the agent never gets them (found by a tester: the kicked
// member's prompt was sent later in the next batch).
func TestKickWithdrawsTheirPrompts(t *testing.T) {
	fr := &fakeRunner{hold: make(chan struct{})}
	p, col, alice := start(t, Config{Runner: fr})
	bob := joinAs(t, p, "bob", token, "")
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	promptAs(t, p, alice, "first: starts the turn")
	col.waitFor(t, "the first batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 1 })
	b1 := promptAs(t, p, bob, "bob's one")
	kept := promptAs(t, p, alice, "alice's, kept")
	b2 := promptAs(t, p, bob, "bob's two")
	if err := p.Kick(hosty, bob, "wrong party"); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, p); !slices.Equal(got, []string{kept.ID}) {
		t.Errorf("pending after the kick: %v, want only %s", got, kept.ID)
	}
	evs := col.waitFor(t, "two withdrawals", func(e []wire.Event) bool { return count(e, wire.KindWithdrawn) == 2 })
	if !strings.Contains(dump(evs), "hosty removed bob from the party: wrong party (bob's 2 waiting prompts are withdrawn)") {
		t.Errorf("the kick's notice does not say the prompts went:\n%s", dump(evs))
	}
	want := []wire.Withdrawn{{Prompt: b1.ID, User: "bob", By: "hosty", ByMember: hosty}, {Prompt: b2.ID, User: "bob", By: "hosty", ByMember: hosty}}
	if got := withdrawals(evs); !slices.Equal(got, want) {
		t.Errorf("withdrawn events %+v, want %+v", got, want)
	}
	close(fr.hold)
	col.waitFor(t, "the second turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 2 })
	for _, text := range fr.got() {
		if strings.Contains(text, "bob's") {
			t.Errorf("the agent got a kicked member's prompt: %q", text)
		}
	}
}

// TestAViewersWaitingPromptIsSaid: a member made a viewer keeps what it asked before
// (TestWithdrawWhileTheAgentWorks: it may take it back), and everyone is told it is still
// sent (a tester's demoted member's prompt waited on, and nobody had said so).
func TestAViewersWaitingPromptIsSaid(t *testing.T) {
	fr := &fakeRunner{hold: make(chan struct{})}
	p, col, alice := start(t, Config{Runner: fr})
	bob := joinAs(t, p, "bob", token, "")
	carol := joinAs(t, p, "carol", token, "")
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	promptAs(t, p, alice, "first: starts the turn")
	col.waitFor(t, "the first batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 1 })
	b1 := promptAs(t, p, bob, "bob's one")
	b2 := promptAs(t, p, bob, "bob's two")
	if err := p.SetRole(hosty, bob, wire.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRole(hosty, carol, wire.RoleViewer); err != nil { // nothing waiting: nothing said
		t.Fatal(err)
	}
	if got := pendingIDs(t, p); !slices.Equal(got, []string{b1.ID, b2.ID}) {
		t.Errorf("pending after the roles: %v, want bob's %s and %s", got, b1.ID, b2.ID)
	}
	evs := col.waitFor(t, "the notices", func(e []wire.Event) bool { return strings.Contains(dump(e), "hosty made carol a viewer") })
	if d := dump(evs); !strings.Contains(d, `"hosty made bob a viewer (bob's 2 waiting prompts are still sent, unless bob or a host withdraws them)"`) || !strings.Contains(d, `"hosty made carol a viewer"`) {
		t.Errorf("the notices do not say what is still sent:\n%s", d)
	}
	close(fr.hold)
}

// TestARemovedViewerComesBackAViewer: a member made a viewer, then removed, who comes back
// from the same client with the participant invite is a viewer again, also after a resume
// (a window tester's came back a participant, the demotion undone by the removal). Another
// client with that invite still joins as a participant, and so does one the host removed
// while a participant.
func TestARemovedViewerComesBackAViewer(t *testing.T) {
	join := func(p *Party, name, client string) wire.Member {
		t.Helper()
		c := newCollector()
		res, err := p.Join(JoinRequest{Name: name, Token: token, ClientID: client, Sub: c, Conn: c})
		if err != nil {
			t.Fatal(err)
		}
		return res.You
	}
	p, _, _ := start(t, Config{})
	alice := joinAs(t, p, "hosty", "", wire.RoleHost)
	bob, carol := join(p, "bob", "c-bob"), join(p, "carol", "c-carol")
	if err := p.SetRole(alice, bob.ID, wire.RoleViewer); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{bob.ID, carol.ID} {
		if err := p.Kick(alice, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	if back := join(p, "bob", "c-bob"); back.Role != wire.RoleViewer || back.ID == bob.ID {
		t.Errorf("bob came back as %+v, want a new member, a viewer", back)
	}
	if back := join(p, "carol", "c-carol"); back.Role != wire.RoleParticipant {
		t.Errorf("carol, removed as a participant, came back as %s", back.Role)
	}
	if other := join(p, "dan", "c-dan"); other.Role != wire.RoleParticipant {
		t.Errorf("another client came in as %s", other.Role)
	}
	// After a resume: the journal's record of the removed viewer says it.
	r := &Restore{Seq: 3, NextID: 5, Members: []journal.Member{{ID: "m2", Name: "bob", Role: wire.RoleViewer, Session: "s2", ClientID: "c-bob", Kicked: true}}}
	p2, _, _ := start(t, Config{Restore: r})
	if back := join(p2, "bob", "c-bob"); back.Role != wire.RoleViewer {
		t.Errorf("after a resume, bob came back as %s", back.Role)
	}
}

// TestAHostsOwnPromptIsTheirOwn: a host who approves or edits a batch of its own one prompt
// is said to act on "their own prompt"; a window tester read "hazel edited and sent hazel's
// prompt". Someone else's is still theirs.
func TestAHostsOwnPromptIsTheirOwn(t *testing.T) {
	p, col, alice := start(t, Config{Approval: true})
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	held := func(n int) string {
		t.Helper()
		var id string
		for _, ev := range col.waitFor(t, "an approval", func(e []wire.Event) bool { return count(e, wire.KindApproval) == n }) {
			if ev.Kind == wire.KindApproval {
				id = ev.Approval.Batch
			}
		}
		return id
	}
	promptAs(t, p, hosty, "mine")
	edited := "mine, edited"
	if err := p.Approve(hosty, held(1), &edited); err != nil {
		t.Fatal(err)
	}
	col.waitFor(t, "the first turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	promptAs(t, p, alice, "alice's")
	if err := p.Approve(hosty, held(2), nil); err != nil {
		t.Fatal(err)
	}
	evs := col.waitFor(t, "the second turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 2 })
	for _, want := range []string{`"hosty edited and sent their own prompt"`, `"hosty approved alice's prompt"`} {
		if !strings.Contains(dump(evs), want) {
			t.Errorf("no %s in:\n%s", want, dump(evs))
		}
	}
	// The batch says who edited it (a window tester read "edited by a host" of an edit of
	// their own); not one only approved.
	var by []string
	for _, ev := range evs {
		if ev.Kind == wire.KindBatch {
			by = append(by, ev.Batch.EditedBy)
		}
	}
	if !slices.Equal(by, []string{"hosty", ""}) {
		t.Errorf("batches edited by %q, want hosty's then none", by)
	}
}

// TestARemovedViewerPromotedAndRemovedAgain: the client's newest member says how it comes
// back, after a resume as in the run that removed it (a reviewer's: the resume read the
// older removal, as a viewer, and brought a removed participant back as a viewer).
func TestARemovedViewerPromotedAndRemovedAgain(t *testing.T) {
	members := []journal.Member{
		{ID: "m2", Name: "bob", Role: wire.RoleViewer, Session: "s2", ClientID: "c-bob", Kicked: true},
		{ID: "m12", Name: "bob", Role: wire.RoleParticipant, Session: "s12", ClientID: "c-bob", Kicked: true},
		{ID: "m3", Name: "cy", Role: wire.RoleParticipant, Session: "s3", ClientID: "c-cy", Kicked: true},
		{ID: "m9", Name: "cy", Role: wire.RoleViewer, Session: "s9", ClientID: "c-cy", Kicked: true},
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}} {
		r := &Restore{Seq: 3, NextID: 20}
		for _, i := range order {
			r.Members = append(r.Members, members[i])
		}
		p, _, _ := start(t, Config{Restore: r})
		for client, want := range map[string]string{"c-bob": wire.RoleParticipant, "c-cy": wire.RoleViewer} {
			c := newCollector()
			res, err := p.Join(JoinRequest{Name: client, Token: token, ClientID: client, Sub: c, Conn: c})
			if err != nil {
				t.Fatal(err)
			}
			if res.You.Role != want {
				t.Errorf("order %v: %s came back as %s, want %s", order, client, res.You.Role, want)
			}
		}
	}
}

// A member removed while their prompt waits for approval in a held batch: it stays (it is
// merged already), and the kick's notice says so and what a host can do (a user tester's
// host nearly sent it by reflex, the card still naming its author).
func TestKickSaysTheirPromptHeldForApprovalStays(t *testing.T) {
	for _, tc := range []struct {
		name   string
		others bool
		want   string
	}{
		{"alone", false, "hosty removed bob from the party; bob's prompt that waits for approval stays: a host can reject it"},
		{"merged", true, "hosty removed bob from the party; bob's prompt in the merged prompt that waits for approval stays in it: a host can reject it, or edit it out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			minPrompts := 1
			if tc.others {
				minPrompts = 2 // both in the one batch, however slow the machine
			}
			p, col, alice := start(t, Config{Approval: true, MinPrompts: minPrompts, Window: 10 * time.Millisecond})
			bob := joinAs(t, p, "bob", token, "")
			hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
			promptAs(t, p, bob, "bob's")
			if tc.others {
				promptAs(t, p, alice, "alice's")
			}
			col.waitFor(t, "the batch held for approval", func(e []wire.Event) bool { return count(e, wire.KindApproval) == 1 })
			if err := p.Kick(hosty, bob, ""); err != nil {
				t.Fatal(err)
			}
			evs := col.waitFor(t, "the kick", func(e []wire.Event) bool { return strings.Contains(dump(e), "removed bob") })
			if !strings.Contains(dump(evs), tc.want) {
				t.Errorf("the kick's notice:\n%s\nwant %q", dump(evs), tc.want)
			}
		})
	}
}
