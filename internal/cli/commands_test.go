package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// oddTreeWS lists one folder whose name needs quotes.
type oddTreeWS struct{ fakeWS }

func (oddTreeWS) Tree(_ context.Context, p string) (wire.TreeResult, error) {
	if p == "" {
		return wire.TreeResult{Entries: []wire.TreeEntry{{Name: " lead", Dir: true}}}, nil
	}
	return wire.TreeResult{Entries: []wire.TreeEntry{}}, nil
}

// A folder /tree shows quoted can be given back to /tree as shown: its "/" inside the
// quotes (a reviewer's `" lead"/` was refused).
func TestTreeNamesCanBeGivenBack(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.ws = oddTreeWS{}
	c.line(context.Background(), "/tree")
	if !strings.Contains(out.String(), `    " lead/"`) {
		t.Fatalf("/tree:\n%s", out.String())
	}
	out.Reset()
	c.line(context.Background(), `/tree " lead/"`)
	if !strings.Contains(out.String(), `" lead/" is empty`) {
		t.Fatalf(`/tree " lead/":`+"\n%s", out.String())
	}
}

// /who while the host cannot be reached says its list is from before (a tester read the
// old list as the party now).
func TestWhoWhileReconnecting(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.line(context.Background(), "/who")
	if strings.Contains(out.String(), "reconnecting") {
		t.Fatalf("/who while connected:\n%s", out.String())
	}
	out.Reset()
	c.pr.connection(false)
	c.line(context.Background(), "/who")
	if !strings.Contains(out.String(), "in the party when this terminal last reached the host (it is reconnecting):") {
		t.Fatalf("/who while reconnecting:\n%s", out.String())
	}
}

// TestHostCtrlCAsksOnce: in the host's line editor, Ctrl-C on an empty line ends the party
// for everyone, so it is said back once and taken the second time within 10 s (a tester's,
// meant to clear a line already empty, ended the party); a participant's leaves at once.
func TestHostCtrlCAsksOnce(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.endsParty, c.editor = true, true
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPhase, Phase: wire.PhaseRunning})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "Bob", Text: "x"}})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "x", Merger: wire.MergerLocal}})
	if c.line(context.Background(), interruptLine) {
		t.Fatal("the first Ctrl-C ended the party")
	}
	if got := out.String(); !strings.Contains(got, "claude's turn for Bob's prompt is running (ending the party cuts it short, and a resume does not run it again): Ctrl-C again within 10 seconds ends the party for everyone") {
		t.Fatalf("said back:\n%s", got)
	}
	now = now.Add(11 * time.Second) // too late to count as the second
	if c.line(context.Background(), interruptLine) {
		t.Fatal("a Ctrl-C 11 s later ended the party")
	}
	now = now.Add(2 * time.Second)
	if !c.line(context.Background(), interruptLine) {
		t.Fatal("the second Ctrl-C within 10 s did not end the party")
	}
	p, _, _, _ := newCommander(wire.RoleParticipant)
	p.editor = true
	if !p.line(context.Background(), interruptLine) {
		t.Fatal("a participant's Ctrl-C did not leave")
	}
}

// TestHostCtrlDAsksOnceWhenIdle: in the host's line editor, Ctrl-D on an empty line ends
// the party for everyone, so, idle too, it is said back once and taken the second time
// within 10 s, as Ctrl-C is (a tester's single Ctrl-D ended a party with a member in it,
// unasked). A script's end of input (no editor) still ends it, and a member's Ctrl-D
// with nothing of its own waiting still leaves at once: leaving costs the others nothing.
func TestHostCtrlDAsksOnceWhenIdle(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.endsParty, c.editor = true, true
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	if c.line(context.Background(), eofLine) {
		t.Fatal("an idle host's first Ctrl-D ended the party")
	}
	if got, want := out.String(), "[system] Ctrl-D again within 10 seconds ends the party for everyone\n"; got != want {
		t.Fatalf("said back %q, want %q", got, want)
	}
	now = now.Add(11 * time.Second) // too late to count as the second
	if c.line(context.Background(), eofLine) {
		t.Fatal("a Ctrl-D 11 s later ended the party")
	}
	now = now.Add(2 * time.Second)
	if !c.line(context.Background(), eofLine) {
		t.Fatal("the second Ctrl-D within 10 s did not end the party")
	}
	// /quit, typed, still ends an idle party at once.
	q, _, _, _ := newCommander(wire.RoleHost)
	q.endsParty, q.editor = true, true
	if !q.line(context.Background(), "/quit") {
		t.Fatal("an idle host's /quit did not end the party")
	}
	p, _, _, pout := newCommander(wire.RoleParticipant)
	p.editor = true
	if !p.line(context.Background(), eofLine) || pout.Len() != 0 {
		t.Fatalf("a member's Ctrl-D with nothing waiting did not leave at once: %q", pout.String())
	}
}
