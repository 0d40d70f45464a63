package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestHostsActsAreYoursByMemberID: a host's notice of an act says "you" of this
// terminal's own member, who did it or had it done, told by member id (PROTOCOL.md §5,
// system by_member, about_member), live and in the history alike; never by name (a
// tester's host hana read "hana turned approval on" of its own act, and a newcomer with a
// removed member's name read of that member's removal as its own).
func TestHostsActsAreYoursByMemberID(t *testing.T) {
	hana := wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}
	alice := wire.Member{ID: "m2", Name: "alice", Role: wire.RoleHost}
	gus := wire.Member{ID: "m3", Name: "gus", Role: wire.RoleParticipant}
	newAlice := wire.Member{ID: "m9", Name: "alice", Role: wire.RoleParticipant} // alice's name, after alice was removed
	act := func(by wire.Member, text string) wire.Event {
		return wire.Event{Kind: wire.KindSystem, Text: text, By: by.Name, ByMember: by.ID}
	}
	on := func(ev wire.Event, m wire.Member) wire.Event {
		ev.About, ev.AboutMember = m.Name, m.ID
		return ev
	}
	for _, tc := range []struct {
		name    string
		you     wire.Member
		history bool
		ev      wire.Event
		want    string
	}{
		{"own approval", hana, false, act(hana, "hana turned approval on"), "you turned approval on"},
		{"own edit of another's prompt", hana, false, on(act(hana, "hana edited and sent alice's prompt"), alice), "you edited and sent alice's prompt"},
		{"own edit, read by its author", alice, false, on(act(hana, "hana edited and sent alice's prompt"), alice), "hana edited and sent your prompt"},
		{"own role change of another", hana, false, on(act(hana, "hana made alice a co-host"), alice), "you made alice a co-host"},
		{"own removal of another", alice, false, on(act(alice, "alice removed gus from the party: spamming"), gus), "you removed gus from the party: spamming"},
		{"made a viewer, read by them", gus, false, on(act(hana, "hana made gus a viewer (gus's waiting prompt is still sent, unless gus or a host withdraws it)"), gus),
			"hana made you a viewer (your waiting prompt is still sent, unless you or a host withdraws it)"},
		{"stepping down", alice, false, act(alice, "alice made themselves a participant"), "you made yourself a participant"},
		{"own agent command", hana, false, act(hana, "hana ran the agent command /compact"), "you ran the agent command /compact"},
		{"own sharing", hana, false, act(hana, "hana now shares the whole working directory, secrets included (ignored files never)"), "you now share the whole working directory, secrets included (ignored files never)"},
		{"own act in the history", hana, true, act(hana, "hana turned approval on"), "you turned approval on"},
		{"own approval of the plan, in the history", hana, true, act(hana, "hana approved the agent's plan: the party leaves plan mode, and the agent asks before each tool use"),
			"you approved the agent's plan: the party leaves plan mode, and the agent asks before each tool use"},
		{"removed, read in the history", gus, true, on(act(hana, "hana removed gus from the party"), gus), "hana removed you from the party"},
		// The name is this member's, the member another's: as the host says it.
		{"another's removal, same name, live", newAlice, false, on(act(hana, "hana removed alice from the party"), alice), "hana removed alice from the party"},
		{"another's act, same name, live", newAlice, false, act(alice, "alice turned approval off"), "alice turned approval off"},
		{"another's act, same name, history", newAlice, true, on(act(alice, "alice removed gus from the party"), gus), "alice removed gus from the party"},
	} {
		var b bytes.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: tc.you})
		if tc.history {
			p.historyStart(1)
		}
		b.Reset()
		p.event(tc.ev)
		if got, want := b.String(), "[system] "+tc.want+"\n"; got != want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, want)
		}
	}
}

// TestOwnRejectionByMemberID: "you rejected" is told by the rejected event's by_member, in
// the history too, and not of a newcomer who has the rejecting host's name.
func TestOwnRejectionByMemberID(t *testing.T) {
	for _, tc := range []struct {
		name    string
		you     wire.Member
		history bool
		want    string
	}{
		{"live", wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}, false, "you rejected"},
		{"history", wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}, true, "you rejected"},
		{"same name, another member", wire.Member{ID: "m9", Name: "hana", Role: wire.RoleHost}, false, "hana rejected"},
	} {
		var b bytes.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: tc.you})
		if tc.history {
			p.historyStart(1)
		}
		p.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Member: "m2", User: "bob", Text: "do it"}})
		b.Reset()
		p.event(wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b1", Prompts: []string{"p1"}, By: "hana", ByMember: "m1"}})
		if got := b.String(); !strings.Contains(got, "] "+tc.want+" ") {
			t.Errorf("%s: got %q, want it to say %q", tc.name, got, tc.want)
		}
	}
}

// TestAScriptsPromptTooLargeIsSaidAsAPersons: a piped prompt over the limit is refused
// here, in the words the line editor uses ("it is 32,769 bytes; the limit is 32,768 (32
// KiB)…"); a tester's script read the host's "prompt too large: 32769 bytes, the limit is
// 32768" instead.
func TestAScriptsPromptTooLargeIsSaidAsAPersons(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	sent := false
	c.prompt = func(context.Context, string) (wire.PromptResult, error) {
		sent = true
		return wire.PromptResult{}, fmt.Errorf("%w: %d bytes, the limit is %d", errors.New("prompt too large"), wire.MaxPromptBytes+1, wire.MaxPromptBytes)
	}
	c.line(context.Background(), strings.Repeat("x", wire.MaxPromptBytes+1))
	want := `prompt not sent ("` + strings.Repeat("x", 99) + `…"): it is 32,769 bytes; the limit is 32,768 (32 KiB): shorten it or send it in parts` + "\n"
	if got := out.String(); sent || !strings.HasSuffix(got, want) {
		t.Errorf("sent to the host: %v; printed %q,\nwant it to end %q", sent, got, want)
	}
}

// TestOwnPromptsAreYoursWithoutColour: this member's own prompt is "[you] name: …" in a
// pipe as in a terminal (a tester's piped join read "[party] carol: …", a terminal's
// "[you] alice: …"); another's is "[party]".
func TestOwnPromptsAreYoursWithoutColour(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b) // no colour: a pipe
	p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "carol", Role: wire.RoleParticipant}})
	b.Reset()
	p.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Member: "m1", User: "carol", Text: "mine"}})
	p.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", Member: "m2", User: "bob", Text: "his"}})
	if got, want := b.String(), "[you] carol: mine\n[party] bob: his\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestOwnAgentCommandSaidOnce: the host's notice of who runs an agent command comes just
// before its batch, which is then not said again; in the terminal of the host who ran it
// the notice reads "you run …", and it was followed by "running the agent command" too (a
// tester's read both).
func TestOwnAgentCommandSaidOnce(t *testing.T) {
	hana := wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}
	for _, tc := range []struct {
		name string
		you  wire.Member
		want string
	}{
		{"own", hana, "[system] you run the agent command /compact\n"},
		{"another's", wire.Member{ID: "m2", Name: "alice", Role: wire.RoleHost}, "[system] hana runs the agent command /compact\n"},
	} {
		var b bytes.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: tc.you})
		p.event(wire.Event{Seq: 1, Kind: wire.KindSystem, Text: "hana runs the agent command /compact", By: "hana", ByMember: "m1"})
		p.event(wire.Event{Seq: 2, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{}, Merger: "command", Merged: "/compact"}})
		if got := b.String(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
