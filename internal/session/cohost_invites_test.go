package session

import (
	"context"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/wire"
)

// waitInvites waits until the window has been given the host's current invites (the last
// party:invites it got names them).
func waitInvites(t *testing.T, rec *recorder, m *Manager, h *host.Host, what string) {
	t.Helper()
	want := wire.Invites{Invite: h.Invite().String(), ViewerInvite: h.ViewerInvite().String()}
	rec.waitFor(t, what, func(e []emitted) bool {
		var last wire.Invites
		for _, x := range e {
			if inv, ok := x.data.(wire.Invites); ok && x.name == EventPartyInvites {
				last = inv
			}
		}
		return last == want
	})
	if got, err := m.Invites(); err != nil || got.Invite != want.Invite || got.ViewerInvite != want.ViewerInvite {
		t.Fatalf("the co-host's Invites() = %+v, %v; want %+v", got, err, want)
	}
}

// A co-host's window follows the invites another host makes: it used to keep the links of
// before (a window tester's co-host handed out dead links), even after reconnecting.
func TestACoHostWindowFollowsAnotherHostsNewInvites(t *testing.T) {
	h := startRemoteHost(t, true)
	owner := remoteOwner(t, h)
	rec, m, info := joinedWindow(t, h, "carol")
	if err := owner.SetRole(context.Background(), info.You.ID, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	waitInvites(t, rec, m, h, "the invites for the new co-host")
	before := h.Invite().String()
	if _, err := owner.RotateInvite(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.Invite().String() == before {
		t.Fatal("the rotation kept the invite")
	}
	waitInvites(t, rec, m, h, "the owner's new invites in the co-host's window")
}

// A window made a co-host while it was away learns the invites when it is back: the
// catch-up that brings the role change used to leave the window without them (and
// thinking its person a participant).
func TestAWindowMadeCoHostWhileAwayLearnsTheInvites(t *testing.T) {
	h := startRemoteHost(t, true)
	owner := remoteOwner(t, h)
	rec, m, px, info := joinedThroughProxy(t, h, "carol", 20*time.Millisecond)
	before := len(rec.all())
	px.setPaused(true)
	px.cut()
	rec.waitFor(t, "reconnecting", func(e []emitted) bool {
		for _, s := range statuses(e[before:]) {
			if s.Status == StatusReconnecting {
				return true
			}
		}
		return false
	})
	if err := owner.SetRole(context.Background(), info.You.ID, wire.RoleHost); err != nil {
		t.Fatalf("SetRole while away: %v", err)
	}
	px.setPaused(false)
	waitInvites(t, rec, m, h, "the invites once back")
	if s, ok, _ := m.Current(context.Background()); !ok || s.You.Role != wire.RoleHost {
		t.Fatalf("the window's person once back: %+v", s.You)
	}
}

// Invites that come once the party has ended (an answer to learnInvites in flight as the
// co-host left) are not shown: the window may be in another party by then (a reviewer's).
func TestInvitesAfterTheEndAreNotShown(t *testing.T) {
	rec := newRecorder()
	a := &active{m: New(Config{Emitter: rec}), role: wire.RoleParticipant, first: true}
	a.setInvites(wire.Invites{Invite: "concordia://h:1/old"})
	a.m.finish(a, "the host ended the party")
	a.setInvites(wire.Invites{Invite: "concordia://h:1/late"})
	var shown []string
	for _, e := range rec.all() {
		if e.name == EventPartyInvites {
			shown = append(shown, e.data.(wire.Invites).Invite)
		}
	}
	if len(shown) != 1 || shown[0] != "concordia://h:1/old" {
		t.Fatalf("invites shown: %q, want only the one before the end", shown)
	}
}
