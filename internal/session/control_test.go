package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// eventOf returns the last party event that pred accepts, or nil.
func eventOf(evs []emitted, pred func(wire.Event) bool) *wire.Event {
	pe := partyEvents(evs)
	for i := len(pe) - 1; i >= 0; i-- {
		if pred(pe[i]) {
			return &pe[i]
		}
	}
	return nil
}

// waitEvent waits for a party event that pred accepts and returns it.
func waitEvent(t *testing.T, rec *recorder, what string, pred func(wire.Event) bool) wire.Event {
	t.Helper()
	evs := rec.waitFor(t, what, func(e []emitted) bool { return eventOf(e, pred) != nil })
	return *eventOf(evs, pred)
}

func joinClient(t *testing.T, link, name string) *client.Client {
	t.Helper()
	inv, err := invite.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: name})
	if err != nil {
		t.Fatalf("%s joins: %v", name, err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestHostControlApprovalAndPermission(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	req := hostRequest(t)
	req.Approve = true
	req.PermissionMode = " ASK "
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if !info.Party.Approval || info.Party.PermissionMode != wire.PermissionAsk {
		t.Fatalf("party info = %+v", info.Party)
	}
	if info.ViewerInvite == "" || info.ViewerInvite == info.Invite {
		t.Fatalf("viewer invite = %q (invite %q)", info.ViewerInvite, info.Invite)
	}
	bob := joinClient(t, info.Invite, "bob")

	// A merged prompt waits; the host edits and sends it.
	if _, err := bob.Prompt(context.Background(), "please touch a file FAKE_ASK"); err != nil {
		t.Fatal(err)
	}
	ap := waitEvent(t, rec, "the approval event", func(e wire.Event) bool { return e.Kind == wire.KindApproval })
	if len(ap.Approval.Prompts) != 1 || !strings.Contains(ap.Approval.Merged, "FAKE_ASK") {
		t.Fatalf("approval = %+v", ap.Approval)
	}
	edited := "edited by hazel FAKE_ASK"
	if err := m.Approve(context.Background(), ap.Approval.Batch, &edited); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	b := waitEvent(t, rec, "the batch", func(e wire.Event) bool { return e.Kind == wire.KindBatch })
	if b.Batch.ID != ap.Approval.Batch || b.Batch.Merged != edited {
		t.Fatalf("batch = %+v", b.Batch)
	}

	// The agent asks to use a tool; the host allows it.
	perm := waitEvent(t, rec, "a pending tool request", func(e wire.Event) bool {
		return e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionPending
	})
	if perm.Permission.Tool != "Bash" || perm.Permission.Batch != b.Batch.ID {
		t.Fatalf("permission = %+v", perm.Permission)
	}
	if err := m.Decide(context.Background(), perm.Permission.ID, "sometimes", ""); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Decide(sometimes) = %v, want ErrBadRequest", err)
	}
	if err := m.Decide(context.Background(), perm.Permission.ID, wire.DecisionAllow, ""); err != nil {
		t.Fatalf("Decide: %v", err)
	}
	got := waitEvent(t, rec, "the decision", func(e wire.Event) bool {
		return e.Kind == wire.KindPermission && e.Permission.ID == perm.Permission.ID && e.Permission.Status != wire.PermissionPending
	})
	if got.Permission.Status != wire.PermissionAllowed || got.Permission.By != "hazel" {
		t.Fatalf("decision = %+v", got.Permission)
	}
	turn := waitEvent(t, rec, "the turn's end", func(e wire.Event) bool { return e.Kind == wire.KindTurn })
	if turn.Turn.Status != wire.TurnDone || turn.Turn.Denied != 0 {
		t.Fatalf("turn = %+v", turn.Turn)
	}
	// Deciding twice is refused by the party, and the sentence names it.
	if err := m.Decide(context.Background(), perm.Permission.ID, wire.DecisionDeny, ""); !errors.Is(err, party.ErrInvalid) {
		t.Fatalf("second Decide = %v, want party.ErrInvalid", err)
	}

	// The next batch is rejected with a reason.
	if _, err := bob.Prompt(context.Background(), "delete everything"); err != nil {
		t.Fatal(err)
	}
	ap2 := waitEvent(t, rec, "the second approval", func(e wire.Event) bool {
		return e.Kind == wire.KindApproval && e.Approval.Batch != ap.Approval.Batch
	})
	empty := "  "
	if err := m.Approve(context.Background(), ap2.Approval.Batch, &empty); !errors.Is(err, ErrEmptyPrompt) {
		t.Fatalf("Approve(empty) = %v, want ErrEmptyPrompt", err)
	}
	if err := m.Reject(context.Background(), ap2.Approval.Batch, "not now"); err != nil {
		t.Fatalf("Reject: %v", err)
	}
	rj := waitEvent(t, rec, "the rejection", func(e wire.Event) bool { return e.Kind == wire.KindRejected })
	if rj.Rejected.By != "hazel" || rj.Rejected.Reason != "not now" || rj.Rejected.Batch != ap2.Approval.Batch {
		t.Fatalf("rejected = %+v", rj.Rejected)
	}

	// Approval off, from the window.
	if err := m.SetApproval(context.Background(), false); err != nil {
		t.Fatalf("SetApproval: %v", err)
	}
	st := waitEvent(t, rec, "the settings event", func(e wire.Event) bool { return e.Kind == wire.KindSettings })
	if st.Settings.Approval || st.Settings.PermissionMode != wire.PermissionAsk {
		t.Fatalf("settings = %+v", st.Settings)
	}
}

func TestHostControlInterruptRolesKickAndInvites(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	bob := joinClient(t, info.Invite, "bob")

	// Stop a slow turn: it ends interrupted, stopped by the host.
	if err := m.Interrupt(context.Background()); !errors.Is(err, party.ErrInvalid) {
		t.Fatalf("Interrupt with no turn = %v, want party.ErrInvalid", err)
	}
	if _, err := m.Prompt(context.Background(), "slow one FAKE_SLOW=20000"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the first part of the reply", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: slow") })
	if err := m.Interrupt(context.Background()); err != nil {
		t.Fatalf("Interrupt: %v", err)
	}
	turn := waitEvent(t, rec, "the interrupted turn", func(e wire.Event) bool { return e.Kind == wire.KindTurn })
	if turn.Turn.Status != wire.TurnInterrupted || !strings.Contains(turn.Turn.Error, "hazel") {
		t.Fatalf("turn = %+v", turn.Turn)
	}

	// Roles.
	bobID := bob.Hello().You.ID
	if err := m.SetRole(context.Background(), bobID, "boss"); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("SetRole(boss) = %v, want ErrBadRequest", err)
	}
	if err := m.SetRole(context.Background(), bobID, wire.RoleViewer); err != nil {
		t.Fatalf("SetRole: %v", err)
	}
	ch := waitEvent(t, rec, "bob's new role", func(e wire.Event) bool { return e.Kind == wire.KindParticipants && e.Changed != nil })
	if ch.Changed.ID != bobID || ch.Changed.Role != wire.RoleViewer {
		t.Fatalf("changed = %+v", ch.Changed)
	}
	if _, err := bob.Prompt(context.Background(), "as a viewer"); err == nil {
		t.Fatal("a viewer's prompt was accepted")
	}

	// New invites: the window hears of them, the old link stops working.
	inv, err := m.RotateInvite(context.Background())
	if err != nil {
		t.Fatalf("RotateInvite: %v", err)
	}
	if inv.Invite == info.Invite || inv.ViewerInvite == info.ViewerInvite || inv.Invite == "" {
		t.Fatalf("invites = %+v, before %q %q", inv, info.Invite, info.ViewerInvite)
	}
	evs := rec.waitFor(t, "party:invites", func(e []emitted) bool {
		for _, x := range e {
			if x.name == EventPartyInvites {
				return true
			}
		}
		return false
	})
	for _, x := range evs {
		if x.name == EventPartyInvites && x.data.(wire.Invites) != inv {
			t.Fatalf("party:invites = %+v, want %+v", x.data, inv)
		}
	}
	if got, _ := m.Invites(); got != inv {
		t.Fatalf("Invites() = %+v, want %+v", got, inv)
	}
	if s := m.Snapshot(); s.Invite != inv.Invite {
		t.Fatalf("snapshot invite = %q", s.Invite)
	}
	old, _ := invite.Parse(info.Invite)
	if _, err := client.Join(context.Background(), client.Config{Invite: old, Name: "eve"}); !errors.Is(err, client.ErrRefused) {
		t.Fatalf("join with the old invite = %v, want ErrRefused", err)
	}
	viewer := joinClient(t, inv.ViewerInvite, "vic")
	if viewer.Hello().You.Role != wire.RoleViewer {
		t.Fatalf("the viewer invite made %+v", viewer.Hello().You)
	}

	// Kick.
	if err := m.Kick(context.Background(), bobID, "bye"); err != nil {
		t.Fatalf("Kick: %v", err)
	}
	select {
	case <-bob.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("bob's client did not stop")
	}
	if !errors.Is(bob.Err(), client.ErrKicked) {
		t.Fatalf("bob's end = %v, want ErrKicked", bob.Err())
	}
	gone := waitEvent(t, rec, "bob's leaving", func(e wire.Event) bool { return e.Kind == wire.KindParticipants && e.Left != nil && e.Left.ID == bobID })
	if gone.Why != wire.WhyKicked {
		t.Fatalf("bob's leaving says why %q, want %q", gone.Why, wire.WhyKicked)
	}
	if err := m.AgentCommand(context.Background(), "compact"); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("AgentCommand(compact) = %v, want ErrBadRequest", err)
	}
	if err := m.AgentCommand(context.Background(), "/compact"); err != nil {
		t.Fatalf("AgentCommand: %v", err)
	}
	cmd := waitEvent(t, rec, "the command's batch", func(e wire.Event) bool {
		return e.Kind == wire.KindBatch && e.Batch.Merged == "/compact"
	})
	if cmd.Batch.Merger != "command" {
		t.Fatalf("command batch = %+v", cmd.Batch)
	}
}

func TestJoinedCoHostAndKicked(t *testing.T) {
	h := startRemoteHost(t, true)
	owner := remoteOwner(t, h)
	rec, m, info := joinedWindow(t, h, "carol")
	if info.ViewerInvite != "" {
		t.Fatalf("a participant knows the viewer invite: %q", info.ViewerInvite)
	}
	// A participant is refused host methods by the host.
	err := m.SetApproval(context.Background(), true)
	var rerr *rpc.Error
	if !errors.As(err, &rerr) || rerr.Code != wire.CodeNotAllowed {
		t.Fatalf("SetApproval as participant = %v, want -32002", err)
	}
	// Made a co-host, the same calls go over the wire.
	if err := owner.SetRole(context.Background(), info.You.ID, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, rec, "carol's new role", func(e wire.Event) bool { return e.Kind == wire.KindParticipants && e.Changed != nil })
	// A co-host's window learns the invites, the viewer one included (it used to say
	// "make new invites to get a viewer link", which broke everyone's links).
	rec.waitFor(t, "the invites for the co-host", func(e []emitted) bool {
		for _, x := range e {
			if inv, ok := x.data.(wire.Invites); ok && x.name == EventPartyInvites && inv.ViewerInvite == h.ViewerInvite().String() && inv.Invite == h.Invite().String() {
				return true
			}
		}
		return false
	})
	if got, _ := m.Invites(); got.ViewerInvite != h.ViewerInvite().String() {
		t.Fatalf("the co-host's Invites() = %+v", got)
	}
	if err := m.SetApproval(context.Background(), true); err != nil {
		t.Fatalf("SetApproval as co-host: %v", err)
	}
	waitEvent(t, rec, "approval on", func(e wire.Event) bool { return e.Kind == wire.KindSettings && e.Settings.Approval })
	inv, err := m.RotateInvite(context.Background())
	if err != nil || inv.Invite == "" || inv.ViewerInvite == "" || inv.Invite == info.Invite {
		t.Fatalf("RotateInvite = %+v, %v", inv, err)
	}
	if got, _ := m.Invites(); got != inv {
		t.Fatalf("Invites() = %+v, want %+v", got, inv)
	}
	if h.Invite().String() != inv.Invite {
		t.Fatalf("the host's invite %q, the co-host's %q", h.Invite(), inv.Invite)
	}
	// The owner removes carol: the window is told why, once.
	if err := owner.Kick(context.Background(), info.You.ID, ""); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "party:ended", func(e []emitted) bool { return len(ended(e)) > 0 })
	if got := ended(evs); len(got) != 1 || !got[0].Kicked || got[0].Reason != "a host removed you from the party" {
		t.Fatalf("party:ended = %+v", got)
	}
	if err := m.Interrupt(context.Background()); !errors.Is(err, ErrNoParty) {
		t.Fatalf("Interrupt after the end = %v, want ErrNoParty", err)
	}
}

// TestKickSomeoneAway: a member who lost their connection may come back as themselves
// (client_id, session); a host can remove them meanwhile, and then they cannot (a tester's
// /kick of a member reconnecting was refused, and she was back a second later).
func TestKickSomeoneAway(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	inv, err := invite.Parse(info.Invite)
	if err != nil {
		t.Fatal(err)
	}
	join := func(name string) *client.Client {
		c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: name, ClientID: name + "-laptop"})
		if err != nil {
			t.Fatalf("%s joins: %v", name, err)
		}
		t.Cleanup(c.Close)
		return c
	}
	away := func(c *client.Client) {
		id := c.Hello().You.ID
		c.Close()
		waitEvent(t, rec, "the leaving of "+id, func(e wire.Event) bool { return e.Kind == wire.KindParticipants && e.Left != nil && e.Left.ID == id })
	}
	// Without a kick, the one who left comes back as the same member.
	tina := join("tina")
	tinaID := tina.Hello().You.ID
	away(tina)
	if back := join("tina"); back.Hello().You.ID != tinaID {
		t.Fatalf("tina came back as %s, want %s", back.Hello().You.ID, tinaID)
	} else {
		away(back)
	}
	// Kicked while away, she does not.
	if err := m.Kick(context.Background(), tinaID, "done for today"); err != nil {
		t.Fatalf("Kick while away: %v", err)
	}
	waitEvent(t, rec, "the removal", func(e wire.Event) bool {
		return e.Kind == wire.KindSystem && strings.Contains(e.Text, "removed tina from the party: done for today")
	})
	// Every client that listed her as away hears she is gone for good (a reviewer: only
	// the terminal that kicked her knew).
	waitEvent(t, rec, "her removal's participants event", func(e wire.Event) bool {
		return e.Kind == wire.KindParticipants && e.Left != nil && e.Left.ID == tinaID && e.Why == wire.WhyKicked
	})
	if again := join("tina"); again.Hello().You.ID == tinaID {
		t.Fatalf("tina came back as the member that was removed (%s)", tinaID)
	}
}

// A window that is closed (or killed) and opened again comes back as the member it was,
// role included, as a terminal does: a restarted app was a new member of the same name,
// and a co-host lost the role. A second window joining meanwhile with the same name is
// someone new; a member a host removed joins again as someone new.
func TestARestartedWindowComesBackAsItself(t *testing.T) {
	h := startRemoteHost(t, true)
	owner := remoteOwner(t, h)
	dataDir := t.TempDir()
	sameDir := func(c *Config) { c.DataDir = dataDir }
	ctx := context.Background()
	rec := newRecorder()
	first := New(Config{Emitter: rec, DataDir: dataDir, Insecure: true})
	info, err := first.Join(ctx, h.Invite().String(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if info.Rejoined {
		t.Fatal("a first join said it came back")
	}
	if err := owner.SetRole(ctx, info.You.ID, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, rec, "carol's new role", func(e wire.Event) bool { return e.Kind == wire.KindParticipants && e.Changed != nil })

	// Another window with the same data directory, while the first is in: someone new.
	other, err := newManager(t, newRecorder(), sameDir).Join(ctx, h.Invite().String(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if other.You.ID == info.You.ID || other.Rejoined || other.You.Role != wire.RoleParticipant {
		t.Fatalf("a second window: %+v rejoined %v", other.You, other.Rejoined)
	}

	closeCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := first.Close(closeCtx); err != nil {
		t.Fatal(err)
	}
	again := newManager(t, newRecorder(), sameDir)
	back, err := again.Join(ctx, h.Invite().String(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if back.You.ID != info.You.ID || back.You.Role != wire.RoleHost || !back.Rejoined {
		t.Fatalf("the window opened again: %+v rejoined %v; want %s, a host", back.You, back.Rejoined, info.You.ID)
	}

	// Removed by a host: the kept session is refused, and the next join is someone new.
	if err := owner.Kick(ctx, info.You.ID, ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for again.Snapshot().Role != "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	fresh, err := again.Join(ctx, h.Invite().String(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.You.ID == info.You.ID || fresh.Rejoined || fresh.You.Role != wire.RoleParticipant {
		t.Fatalf("after the kick: %+v rejoined %v", fresh.You, fresh.Rejoined)
	}
	// And told who removed it (the window says so), not a silent new seat.
	var removed *RemovedError
	if !errors.As(fresh.Removed, &removed) || removed.By == "" || removed.Err != nil {
		t.Fatalf("after the kick: removed %#v, want the name of the host who removed carol", fresh.Removed)
	}
}

// TestTheOwnersWindowSeesTheTextOfASecretsEdit: a request to Write a .env shows members
// that its text is not shown; the hosting window, the party's owner, is shown it under a
// line that says only the owner sees it (a tester had to approve such edits blind).
func TestTheOwnersWindowSeesTheTextOfASecretsEdit(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	req := hostRequest(t)
	req.PermissionMode = wire.PermissionAsk
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	inv, err := invite.Parse(info.Invite)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan wire.Event, 256)
	bob, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "bob", OnEvent: func(ev wire.Event) { seen <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bob.Close)
	if _, err := bob.Prompt(context.Background(), "set the key FAKE_ASK_WRITE=.env"); err != nil {
		t.Fatal(err)
	}
	perm := waitEvent(t, rec, "the owner's pending request", func(e wire.Event) bool {
		return e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionPending
	})
	if d := perm.Permission.Detail; perm.Permission.Tool != "Write" || !strings.HasPrefix(d, party.OwnerOnlyNote) || !strings.Contains(d, "FAKE-WRITE-TEXT") {
		t.Fatalf("the owner's window got %+v", perm.Permission)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-seen:
			if ev.Kind != wire.KindPermission || ev.Permission.Status != wire.PermissionPending {
				continue
			}
			if strings.Contains(ev.Permission.Detail, "FAKE-WRITE-TEXT") || !strings.Contains(ev.Permission.Detail, "usually holds secrets") {
				t.Fatalf("bob got %q", ev.Permission.Detail)
			}
			return
		case <-deadline:
			t.Fatal("bob got no pending request")
		}
	}
}

// The window's Send now (Manager.SendNow) sends a lone prompt that --min-prompts holds, in
// the party the window hosts; in a window that is in no party it is ErrNoParty.
func TestSendNowSendsALonePrompt(t *testing.T) {
	if err := newManager(t, newRecorder(), nil).SendNow(context.Background()); !errors.Is(err, ErrNoParty) {
		t.Fatalf("SendNow in no party: %v", err)
	}
	rec := newRecorder()
	m := newManager(t, rec, nil)
	req := hostRequest(t)
	req.MinPrompts = 2
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	bob := joinClient(t, info.Invite, "bob")
	if _, err := bob.Prompt(context.Background(), "alone"); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, rec, "bob's prompt", func(e wire.Event) bool { return e.Kind == wire.KindPrompt })
	if err := m.SendNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, rec, "its turn", func(e wire.Event) bool { return e.Kind == wire.KindTurn && e.Turn.Status == wire.TurnDone })
}

// TestARemovedViewerWindowComesBackAViewer: a window made a viewer, then removed, that joins
// again with the same participant invite is a viewer again (a window tester's came back a
// participant, able to prompt): it joins as someone new from the same client, which the
// host remembers. Also from a window started again since.
func TestARemovedViewerWindowComesBackAViewer(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	prec, dataDir := newRecorder(), t.TempDir()
	pm := newManager(t, prec, func(c *Config) { c.DataDir = dataDir })
	joined, err := pm.Join(context.Background(), info.Invite, "bob")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if err := m.SetRole(context.Background(), joined.You.ID, wire.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := m.Kick(context.Background(), joined.You.ID, ""); err != nil {
		t.Fatal(err)
	}
	prec.waitFor(t, "the removal", func(e []emitted) bool {
		return len(ended(e)) > 0
	})
	// The window started again (another process, the same data directory): its kept
	// membership says which client it was.
	again, err := newManager(t, newRecorder(), func(c *Config) { c.DataDir = dataDir }).Join(context.Background(), info.Invite, "bob")
	if err != nil {
		t.Fatalf("Join again: %v", err)
	}
	if again.You.ID == joined.You.ID || again.You.Role != wire.RoleViewer || again.Rejoined {
		t.Fatalf("back as %+v (rejoined %v), want someone new, a viewer", again.You, again.Rejoined)
	}
}

// backAfterARotation has a window join as dora, become what made does to it (nil:
// nothing), leave; a host rotates the invites; the window (its data directory the same)
// joins again with the new participant invite. It returns both joins and the new invites.
func backAfterARotation(t *testing.T, made func(owner *party.Local, first Info, dataDir string)) (first, back Info, inv wire.Invites) {
	t.Helper()
	dataDir := t.TempDir()
	h := startRemoteHost(t, false) // TLS: a co-host's session is lent only to an invite that pins the host (membership.Lendable)
	owner := remoteOwner(t, h)
	ctx := context.Background()
	m := New(Config{Emitter: newRecorder(), DataDir: dataDir})
	first, err := m.Join(ctx, h.Invite().String(), "dora")
	if err != nil {
		t.Fatal(err)
	}
	if made != nil {
		made(owner, first, dataDir)
	}
	closeCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := m.Close(closeCtx); err != nil {
		t.Fatal(err)
	}
	if inv, err = owner.RotateInvite(ctx); err != nil {
		t.Fatal(err)
	}
	again := newManager(t, newRecorder(), func(c *Config) { c.DataDir = dataDir })
	if back, err = again.Join(ctx, inv.Invite, "dora"); err != nil {
		t.Fatal(err)
	}
	return first, back, inv
}

// A window that left comes back as itself with the invite a host rotated meanwhile, as a
// terminal does: a tester's terminal came back "alice-4", "alice" away and holding the
// name (the kept record is the old invite's).
func TestAWindowComesBackAfterARotation(t *testing.T) {
	first, back, _ := backAfterARotation(t, nil)
	if back.You.ID != first.You.ID || back.You.Name != "dora" {
		t.Fatalf("back with the rotated invite as %+v; want %s, dora", back.You, first.You.ID)
	}
}

// A co-host window that left comes back with the participant invite a host rotated
// meanwhile as the co-host it was: its record under the old invite keeps its session and
// the role it was given after it joined (a terminal tester's co-host came back "Alice-2",
// a participant, and Alice stayed away: a participant's invite and a client_id never
// raise a role).
func TestACoHostWindowBackWithARotatedInviteKeepsItsSeat(t *testing.T) {
	var dir string
	first, back, _ := backAfterARotation(t, coHost(t, nil, &dir))
	if back.You.ID != first.You.ID || back.You.Role != wire.RoleHost || back.You.Name != "dora" || back.SeatNotBack || !back.Rejoined {
		t.Fatalf("back with the rotated invite as %+v, seat not back %v, rejoined %v; want %s, a co-host, dora", back.You, back.SeatNotBack, back.Rejoined, first.You.ID)
	}
	// One record, the new invite's: the old one would lend a role the member may lose.
	if files, _ := filepath.Glob(filepath.Join(dir, "joined", "*.json")); len(files) != 1 {
		t.Errorf("records after the lend: %v, want the new invite's only", files)
	}
}

// A record kept before records held the role lends nothing: the co-host window is someone
// new, and told why (a terminal tester's co-host read only "alice is taken"); a window
// that was never here is only told the name is taken.
func TestACoHostWindowBackWithAnOldRecordIsToldWhy(t *testing.T) {
	first, back, inv := backAfterARotation(t, coHost(t, func(r *membership.Record) { r.Role = "" }, nil))
	if back.You.ID == first.You.ID || back.You.Role != wire.RoleParticipant || back.AskedName != "dora" || !back.SeatNotBack {
		t.Fatalf("back with the rotated invite as %+v, asked %q, seat not back %v; want someone new, told why", back.You, back.AskedName, back.SeatNotBack)
	}
	other := newManager(t, newRecorder(), func(c *Config) { c.DataDir = t.TempDir() })
	if o, err := other.Join(context.Background(), inv.Invite, "dora"); err != nil || o.AskedName != "dora" || o.SeatNotBack {
		t.Fatalf("a new window as %+v, asked %q, seat not back %v (%v); want only the name taken", o.You, o.AskedName, o.SeatNotBack, err)
	}
}

// A co-host's session the host does not know is refused: the window is someone new, told
// nothing of a seat.
func TestACoHostWindowWithAStaleSessionIsSomeoneNew(t *testing.T) {
	first, back, _ := backAfterARotation(t, coHost(t, func(r *membership.Record) { r.Session = "stale-" + r.Session }, nil))
	if back.You.ID == first.You.ID || back.SeatNotBack || back.Rejoined {
		t.Fatalf("back with a stale session as %+v, seat not back %v, rejoined %v; want someone new, nothing said", back.You, back.SeatNotBack, back.Rejoined)
	}
}

// Two parties of one host (one data directory: one certificate). A co-host of party B who
// joins party A for the first time is lent B's session, which A refuses; B's record is
// kept, and B's own invite still brings the co-host back (a reviewer's: the refused record
// was forgotten, and the co-host came back to B as someone new).
func TestARefusedLendKeepsTheOtherPartysSeat(t *testing.T) {
	hostDir := t.TempDir()
	start := func(name string) *host.Host {
		return startHostWith(t, func(c *host.Config) { c.Name, c.DataDir = name, hostDir })
	}
	a, b := start("party-a"), start("party-b")
	if a.Invite().Fingerprint == "" || a.Invite().Fingerprint != b.Invite().Fingerprint {
		t.Fatalf("the two parties' fingerprints: %q and %q", a.Invite().Fingerprint, b.Invite().Fingerprint)
	}
	owner := remoteOwner(t, b)
	dataDir := t.TempDir()
	window := func() *Manager {
		return newManager(t, newRecorder(), func(c *Config) { c.DataDir, c.Insecure = dataDir, false })
	}
	leave := func(m *Manager) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	m := window()
	inB, err := m.Join(context.Background(), b.Invite().String(), "dora")
	if err != nil {
		t.Fatal(err)
	}
	coHost(t, nil, nil)(owner, inB, dataDir)
	leave(m)
	m = window()
	if inA, err := m.Join(context.Background(), a.Invite().String(), "dora"); err != nil || inA.Rejoined {
		t.Fatalf("joined party A as %+v, rejoined %v (%v); want someone new", inA.You, inA.Rejoined, err)
	}
	leave(m)
	backInB, err := window().Join(context.Background(), b.Invite().String(), "dora")
	if err != nil || backInB.You.ID != inB.You.ID || backInB.You.Role != wire.RoleHost {
		t.Fatalf("back in party B as %+v (%v); want %s, a co-host", backInB.You, err, inB.You.ID)
	}
}

// coHost is backAfterARotation's made for a window made a co-host after it joined: it
// waits until the window's record says so (the role comes in an event), then changes each
// record with edit (nil: none); dir, if not nil, gets the data directory.
func coHost(t *testing.T, edit func(*membership.Record), dir *string) func(*party.Local, Info, string) {
	return func(owner *party.Local, first Info, dataDir string) {
		if dir != nil {
			*dir = dataDir
		}
		if err := owner.SetRole(context.Background(), first.You.ID, wire.RoleHost); err != nil {
			t.Fatal(err)
		}
		joined := filepath.Join(dataDir, "joined")
		records := func() map[string]membership.Record {
			out := map[string]membership.Record{}
			files, _ := filepath.Glob(filepath.Join(joined, "*.json"))
			for _, f := range files {
				var r membership.Record
				if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &r) == nil {
					out[f] = r
				}
			}
			return out
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			rs := records()
			if len(rs) == 1 {
				var r membership.Record
				for _, r = range rs {
				}
				if r.Role == wire.RoleHost {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("the window's record never said it was a co-host: %+v", rs)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if edit == nil {
			return
		}
		for f, r := range records() {
			edit(&r)
			b, _ := json.Marshal(r)
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A participant's window that left and joins again with the host invite is a host: a
// participant's session is not lent to an invite it has no record for, or it would bring
// back the participant whatever the invite (a reviewer's, of a first version that lent
// any session).
func TestAParticipantGivenTheHostInviteIsAHost(t *testing.T) {
	h := startHostWith(t, func(c *host.Config) { c.HostInvite = true })
	hostLink, ok := h.HostInvite()
	if !ok {
		t.Fatal("no host invite")
	}
	dataDir := t.TempDir()
	first := newManager(t, newRecorder(), func(c *Config) { c.DataDir, c.Insecure = dataDir, false })
	if info, err := first.Join(context.Background(), h.Invite().String(), "dora"); err != nil || info.You.Role != wire.RoleParticipant {
		t.Fatalf("joined as %+v (%v)", info.You, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	again := newManager(t, newRecorder(), func(c *Config) { c.DataDir, c.Insecure = dataDir, false })
	info, err := again.Join(context.Background(), hostLink.String(), "dora")
	if err != nil || info.You.Role != wire.RoleHost {
		t.Fatalf("back with the host invite as %+v (%v); want a host", info.You, err)
	}
}

// JoinName is the name a window of this data directory last joined a party under (a
// window tester's reopened window filled in the settings' name and came in as someone
// new), with the role it last had there: the join dialog says it ("You'll rejoin as Cleo
// (co-host)"), where it could only say "with the role you last had".
func TestJoinNameIsTheOneLastJoinedUnder(t *testing.T) {
	h := startRemoteHost(t, false)
	owner := remoteOwner(t, h)
	dataDir := t.TempDir()
	m := newManager(t, newRecorder(), func(c *Config) { c.DataDir, c.Insecure = dataDir, false })
	if got := m.JoinName(h.Invite()); got != (JoinedAs{}) {
		t.Fatalf("JoinName before any join = %+v", got)
	}
	info, err := m.Join(context.Background(), h.Invite().String(), "Cleo")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.JoinName(h.Invite()), (JoinedAs{Name: "Cleo", Role: wire.RoleParticipant}); got != want {
		t.Fatalf("JoinName after joining as Cleo = %+v, want %+v", got, want)
	}
	if err := owner.SetRole(context.Background(), info.You.ID, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	want := JoinedAs{Name: "Cleo", Role: wire.RoleHost}
	for deadline := time.Now().Add(5 * time.Second); m.JoinName(h.Invite()) != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("JoinName after Cleo was made a co-host = %+v, want %+v", m.JoinName(h.Invite()), want)
		}
	}
}

// JoinName says nothing of a member of the host's last party for its next party's invite:
// a window tester's bea, a viewer in party 1, read "You'll rejoin as bea (viewer)" of party
// 2's participant invite on the same address (the same certificate), and joined it as a
// new participant. The party's own invite names the member after its end (a resume keeps
// it); another invite of the party (one rotated) names no one, as nothing before connecting
// tells it from another party's (TestJoinNameIsNotOfAPartyLeftBeforeItsEnd).
func TestJoinNameIsNotOfTheHostsLastParty(t *testing.T) {
	hostData := t.TempDir()
	h1 := startHostWith(t, func(c *host.Config) { c.DataDir = hostData })
	rec := newRecorder()
	m := newManager(t, rec, func(c *Config) { c.Insecure = false })
	if _, err := m.Join(context.Background(), h1.ViewerInvite().String(), "bea"); err != nil {
		t.Fatal(err)
	}
	bea := JoinedAs{Name: "bea", Role: wire.RoleViewer}
	rotated := h1.Invite()
	rotated.Token = "rotated-" + rotated.Token[8:]
	if got := m.JoinName(rotated); got != (JoinedAs{}) {
		t.Fatalf("JoinName of another invite of the running party = %+v, want none", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h1.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the party's end", func(e []emitted) bool { return len(ended(e)) > 0 })
	m.Forget()
	if got := m.JoinName(h1.ViewerInvite()); got != bea {
		t.Fatalf("JoinName of the ended party's own invite = %+v, want %+v", got, bea)
	}
	h2 := startHostWith(t, func(c *host.Config) {
		c.DataDir, c.Listen = hostData, fmt.Sprintf("127.0.0.1:%d", h1.Invite().Port)
	})
	if h2.Invite().Fingerprint != h1.Invite().Fingerprint || h2.Invite().Port != h1.Invite().Port {
		t.Fatalf("party 2 at %+v, party 1 was at %+v: not the same host", h2.Invite(), h1.Invite())
	}
	if got := m.JoinName(h2.Invite()); got != (JoinedAs{}) {
		t.Fatalf("JoinName of the next party's invite = %+v, want none", got)
	}
	info, err := m.Join(context.Background(), h2.Invite().String(), "bea")
	if err != nil {
		t.Fatal(err)
	}
	if info.You.Role != wire.RoleParticipant {
		t.Fatalf("joined party 2 as %+v", info.You)
	}
	if got, want := m.JoinName(h2.Invite()), (JoinedAs{Name: "bea", Role: wire.RoleParticipant}); got != want {
		t.Fatalf("JoinName of party 2's invite once joined = %+v, want %+v", got, want)
	}
}

// JoinName says nothing of a member of the host's last party for its next party's invite
// when the window was closed before that party ended, and so never saw its end: the next
// party, on the same address and certificate, was still told "You'll rejoin as bea
// (viewer)". An invite carries no party id; its token is the party's own, so only a record
// of that token names the member (a rotated invite then names none: a missed prediction
// beats a wrong one).
func TestJoinNameIsNotOfAPartyLeftBeforeItsEnd(t *testing.T) {
	hostData, dataDir := t.TempDir(), t.TempDir()
	h1 := startHostWith(t, func(c *host.Config) { c.DataDir = hostData })
	m := newManager(t, newRecorder(), func(c *Config) { c.DataDir, c.Insecure = dataDir, false })
	if _, err := m.Join(context.Background(), h1.ViewerInvite().String(), "bea"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil { // the window closed while the party runs
		t.Fatal(err)
	}
	if err := h1.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	h2 := startHostWith(t, func(c *host.Config) {
		c.DataDir, c.Listen = hostData, fmt.Sprintf("127.0.0.1:%d", h1.Invite().Port)
	})
	if h2.Invite().Fingerprint != h1.Invite().Fingerprint || h2.Invite().Port != h1.Invite().Port {
		t.Fatalf("party 2 at %+v, party 1 was at %+v: not the same host", h2.Invite(), h1.Invite())
	}
	again := newManager(t, newRecorder(), func(c *Config) { c.DataDir, c.Insecure = dataDir, false })
	if got, want := again.JoinName(h1.ViewerInvite()), (JoinedAs{Name: "bea", Role: wire.RoleViewer}); got != want {
		t.Fatalf("JoinName of party 1's own invite = %+v, want %+v", got, want)
	}
	for which, inv := range map[string]invite.Invite{"participant": h2.Invite(), "viewer": h2.ViewerInvite()} {
		if got := again.JoinName(inv); got != (JoinedAs{}) {
			t.Errorf("JoinName of party 2's %s invite = %+v, want none", which, got)
		}
	}
}
