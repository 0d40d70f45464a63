package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/wire"
)

// A page loaded again while the window is in a party gets it back, hosted or joined, as
// it is now: a window tester's reloaded web view showed Home, the party running with no
// way back into it. Not in a party, there is none.
func TestCurrentGivesThePartyBack(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	if _, ok, err := m.Current(context.Background()); ok || err != nil {
		t.Fatalf("before any party: %v %v", ok, err)
	}
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if _, err := m.Prompt(context.Background(), "before the reload"); err != nil {
		t.Fatalf("Prompt: %v", err)
	}
	rec.waitFor(t, "the turn's end", func(e []emitted) bool {
		return slices.ContainsFunc(e, func(x emitted) bool { ev, ok := x.data.(wire.Event); return ok && ev.Kind == wire.KindTurn })
	})
	pm := newManager(t, newRecorder(), nil)
	if _, err := pm.Join(context.Background(), info.Invite, "bob"); err != nil {
		t.Fatalf("Join: %v", err)
	}
	for _, c := range []struct {
		name string
		m    *Manager
		role string
	}{{"hosted", m, wire.RoleHost}, {"joined", pm, wire.RoleParticipant}} {
		got, ok, err := c.m.Current(context.Background())
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", c.name, ok, err)
		}
		if got.Role != c.role || got.Party.ID != info.Party.ID || got.Invite == "" {
			t.Errorf("%s: role %q, party %q, invite %q", c.name, got.Role, got.Party.ID, got.Invite)
		}
		st := got.State
		if !slices.ContainsFunc(st.Events, func(ev wire.Event) bool { return ev.Kind == wire.KindPrompt && ev.Prompt.Text == "before the reload" }) {
			t.Errorf("%s: the history lacks the prompt: %+v", c.name, st.Events)
		}
		if n := len(st.Events); n == 0 || st.Events[n-1].Seq != st.Seq || len(st.Participants) != 2 {
			t.Errorf("%s: seq %d, last event %+v, participants %+v", c.name, st.Seq, st.Events, st.Participants)
		}
	}
}

// A page loaded again gets back what its prompt box held unsent (a crashed web process
// took a half-written prompt with it); the next party starts with none, and a draft past
// the bound is cut at a character's start.
func TestCurrentGivesTheDraftBack(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	m.KeepDraft("typed before any party") // dropped: no party to keep it for
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if got, _, _ := m.Current(context.Background()); got.Draft != "" {
		t.Errorf("a new party has the draft %q", got.Draft)
	}
	m.KeepDraft("half a prompt\nand a second line")
	if got, _, _ := m.Current(context.Background()); got.Draft != "half a prompt\nand a second line" {
		t.Errorf("hosted: the draft is %q", got.Draft)
	}
	long := "a" + strings.Repeat("é", maxDraftBytes) // two bytes each after one: the bound falls in the middle of one
	m.KeepDraft(long)
	if got, _, _ := m.Current(context.Background()); len(got.Draft) != maxDraftBytes-1 || !utf8.ValidString(got.Draft) {
		t.Errorf("a long draft kept %d bytes (valid UTF-8: %v)", len(got.Draft), utf8.ValidString(got.Draft))
	}

	pm := newManager(t, newRecorder(), nil)
	if _, err := pm.Join(context.Background(), info.Invite, "bob"); err != nil {
		t.Fatalf("Join: %v", err)
	}
	pm.KeepDraft("bob's draft")
	if got, _, _ := pm.Current(context.Background()); got.Draft != "bob's draft" {
		t.Errorf("joined: the draft is %q", got.Draft)
	}
	if err := pm.Leave(context.Background()); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	pm.Forget()
	if _, err := pm.Join(context.Background(), info.Invite, "bob"); err != nil {
		t.Fatalf("Join again: %v", err)
	}
	if got, _, _ := pm.Current(context.Background()); got.Draft != "" {
		t.Errorf("the next party has the last one's draft %q", got.Draft)
	}
}

// A window whose reconnect the host refused is told the host no longer knows it (a
// reconnect says its member's session, not the invite), not that the invite was refused.
func TestEndReasonOfARefusedReconnect(t *testing.T) {
	m := &Manager{}
	got := m.endReason(fmt.Errorf("hello: %w", client.ErrRefused))
	if !strings.Contains(got, "no longer knows you") || strings.Contains(got, "invite was") {
		t.Errorf("endReason = %q", got)
	}
}

// A party ended while its journal is behind is said to have ended, with what its journal
// lacks (a window tester was told "Could not end the party" under "you ended the party").
func TestCutShortWords(t *testing.T) {
	if got := cutShortWords(true); !strings.Contains(got, "missing from its history") || strings.Contains(got, "cannot be resumed") {
		t.Errorf("resumable: %q", got)
	}
	if got := cutShortWords(false); !strings.Contains(got, "cannot be resumed") {
		t.Errorf("not resumable: %q", got)
	}
}
