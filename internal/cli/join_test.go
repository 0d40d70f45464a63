package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdio "io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// A joined terminal keeps the events it sees only for --transcript (without it, a
// terminal in a day-long party held every event for nothing), and then on disk, not in
// memory; the transcript it writes has them all.
func TestSeenLogKeepsEventsOnlyForATranscript(t *testing.T) {
	if s := newSeenLog("", t.TempDir(), t.Logf); s.keep || s.log.OnFile() {
		t.Fatal("a terminal without --transcript keeps the events")
	}
	dir := t.TempDir()
	s := newSeenLog("party.md", dir, t.Logf)
	for _, ev := range history(50) {
		s.add(ev)
	}
	if mem, _ := s.log.Memory(); !s.log.OnFile() || s.log.Len() != 200 || len(mem) != 0 {
		t.Fatalf("--transcript: %d events on disk, %d in memory", s.log.Len(), len(mem))
	}
	out := filepath.Join(dir, "party.md")
	if at, err := s.write(out); err != nil || at != out {
		t.Fatal(at, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "ask 1") || !strings.Contains(string(b), "reply 50") {
		t.Errorf("the transcript lacks the party's first or last turn:\n%.400s", b)
	}
	if s.log.OnFile() {
		t.Error("the history file is still open after the transcript was written")
	}
}

// A history file that fails to read back whole still gives a transcript of what it has,
// and the terminal is told that events are missing (not which: a reviewer's "earliest"
// was the latest).
func TestSeenLogSaysEventsAreMissing(t *testing.T) {
	dir := t.TempDir()
	s := newSeenLog("party.md", dir, t.Logf)
	for _, ev := range history(50) {
		s.add(ev)
	}
	if err := s.log.File().Truncate(s.log.Size() / 2); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "party.md")
	_, err := s.write(out)
	if !errors.Is(err, errEventsLost) || strings.Contains(err.Error(), "earliest") {
		t.Fatalf("write after a half-lost file: %v", err)
	}
	if b, rerr := os.ReadFile(out); rerr != nil || !strings.Contains(string(b), "ask 1") {
		t.Fatalf("the transcript of what was kept: %v\n%.300s", rerr, b)
	}
	s.close() // after write: nothing left to let go
}

// A transcript that cannot be written where asked (a tester's full disk, found only when
// leaving) is written to the temporary folder instead, and the path is returned: not lost.
func TestSeenLogWritesElsewhereWhenItCannot(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := newSeenLog("party.md", t.TempDir(), t.Logf)
	for _, ev := range history(3) {
		s.add(ev)
	}
	gone := filepath.Join(t.TempDir(), "removed", "party.md") // its folder went away
	at, err := s.write(gone)
	if err != nil || filepath.Dir(at) != tmp || !strings.HasPrefix(filepath.Base(at), "concordia-transcript-") {
		t.Fatalf("written to %q: %v", at, err)
	}
	if b, _ := os.ReadFile(at); !strings.Contains(string(b), "reply 3") {
		t.Fatalf("the transcript written instead:\n%.300s", b)
	}
}

// A terminal whose reconnect the host refused is told the host no longer knows its member
// (a reconnect says its session, not the invite: a tester's was told the unchanged invite
// had been replaced), and how to come back; one that lost the host otherwise is told to
// join again with the same invite.
func TestDisconnectWords(t *testing.T) {
	refused := disconnectWords(fmt.Errorf("hello: %w", client.ErrRefused))
	if strings.Contains(refused, "same invite") || strings.Contains(refused, "replaced") || !strings.Contains(refused, "the host no longer knows this member") || !strings.Contains(refused, "ask the host for the current invite") {
		t.Errorf("refused: %q", refused)
	}
	if lost := disconnectWords(errors.New("connection reset")); !strings.Contains(lost, "join again with the same invite") {
		t.Errorf("lost: %q", lost)
	}
}

// TestRulesWordsSayTheMinimum: someone joining a party started with --min-prompts 2 is
// told a batch takes at least two prompts; a tester's first learned it from the status
// line, after a lone prompt had waited.
func TestRulesWordsSayTheMinimum(t *testing.T) {
	if got := rulesWords(wire.PartyInfo{PermissionMode: wire.PermissionAsk, MinPrompts: 2}); !strings.HasSuffix(got, "; a batch takes at least 2 prompts") {
		t.Errorf("min prompts 2: %q", got)
	}
	if got := rulesWords(wire.PartyInfo{PermissionMode: wire.PermissionAsk, MinPrompts: 1}); strings.Contains(got, "at least") {
		t.Errorf("min prompts 1: %q", got)
	}
}

// Someone joining is told how long a tool request waits for a host (the hello's
// permission_timeout_ms): before, only a waiting request's countdown said it. Not of an
// older host, which does not say, nor when nothing asks (all).
func TestRulesWordsSayThePermissionTimeout(t *testing.T) {
	got := rulesWords(wire.PartyInfo{PermissionMode: wire.PermissionAsk, PermissionTimeoutMS: 90_000})
	if want := "tool permissions: every tool use that needs permission asks a host (ask); undecided tool requests are denied after 1m30s; approval off"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want it to start %q", got, want)
	}
	for _, info := range []wire.PartyInfo{{PermissionMode: wire.PermissionAsk}, {PermissionMode: wire.PermissionAll, PermissionTimeoutMS: 90_000}} {
		if got := rulesWords(info); strings.Contains(got, "denied after") {
			t.Errorf("%+v: %q", info, got)
		}
	}
}

// /permissions alone says it too, to a host and to a participant (the join's words have
// scrolled away by the time a request waits).
func TestPermissionsSaysTheTimeout(t *testing.T) {
	for _, role := range []string{wire.RoleHost, wire.RoleParticipant} {
		c, _, _, out := newCommander(role)
		c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: role}, Party: wire.PartyInfo{Host: "me", PermissionMode: wire.PermissionEdits, PermissionTimeoutMS: 120_000},
			State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "me", Role: role}}}})
		c.line(context.Background(), "/permissions")
		if want := "tool permissions: file edits allowed, everything else asks a host (edits); undecided tool requests are denied after 2m00s; "; !strings.Contains(out.String(), want) {
			t.Errorf("%s: output %q lacks %q", role, out.String(), want)
		}
	}
}

// TestOwnDropIsNotThirdPerson: after a reconnect, the host's events of this terminal's
// member leaving and joining again read as about this terminal, not "bob left" and "bob
// joined" (a tester's); someone else's stay as they were.
func TestOwnDropIsNotThirdPerson(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant) // "me", m1
	one, two := 1, 2
	me := wire.Member{ID: "m1", Name: "me", Role: wire.RoleParticipant}
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Joined: &me, Count: &two}) // its first join
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Left: &me, Count: &one})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	bob := wire.Member{ID: "m2", Name: "Bob", Role: wire.RoleParticipant}
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &bob, Count: &one})
	got := out.String()
	for _, want := range []string{"you joined (2 in the party)", "the host lost this terminal's connection for a while (1 in the party)", "you are back in the party (2 in the party)", "Bob left (1 in the party)"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "me left") {
		t.Errorf("about itself in the third person:\n%s", got)
	}

	// In the history a rejoin replays, the member left (a tester's /quit, then a rejoin,
	// read as a lost connection) and came back.
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.pr.historyStart(3)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Left: &me, Count: &one})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	c.pr.live()
	got = out.String()
	for _, want := range []string{"you left (1 in the party)", "you came back (2 in the party)"} {
		if !strings.Contains(got, want) {
			t.Errorf("history lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "lost this terminal's connection") || strings.Contains(got, "you are back in the party") {
		t.Errorf("history told as if live:\n%s", got)
	}

	// The host says the connection was lost (connection_lost): live, as above; in the
	// history, lost, not left; someone else's in the host's words.
	lost := func(m *wire.Member, seq int64) wire.Event {
		return wire.Event{Seq: seq, Kind: wire.KindParticipants, Left: m, Count: &one, Why: wire.WhyLost, Text: m.Name + " lost the connection: nothing came through it for a while"}
	}
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.pr.event(lost(&me, 1))
	c.pr.event(lost(&bob, 2))
	got = out.String()
	for _, want := range []string{"the host lost this terminal's connection for a while (1 in the party)", "Bob lost the connection: nothing came through it for a while (1 in the party)"} {
		if !strings.Contains(got, want) {
			t.Errorf("a lost connection: lacks %q:\n%s", want, got)
		}
	}
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.pr.historyStart(1)
	c.pr.event(lost(&me, 1))
	c.pr.live()
	if got := out.String(); !strings.Contains(got, "you lost the connection (1 in the party)") {
		t.Errorf("a lost connection in the history:\n%s", got)
	}

	// Another member disconnected when the host stopped, as the resume writes it before
	// anyone is back: without "(0 in the party)".
	c, _, _, out = newCommander(wire.RoleHost)
	zero := 0
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Left: &bob, Count: &zero, Why: wire.WhyHostStopped, Text: "Bob was disconnected when the host stopped"})
	if got := out.String(); !strings.Contains(got, "[party] Bob was disconnected when the host stopped\n") {
		t.Errorf("a member disconnected by the stop, said as:\n%s", got)
	}

	// Disconnected when the host stopped, then back after its resume: not "me joined"
	// (a tester's), for a member and for the owner's own terminal alike.
	for _, who := range []wire.Member{me, {ID: "m1", Name: "me", Role: wire.RoleHost}} {
		c, _, _, out = newCommander(who.Role)
		c.pr.with(func(r *roster) { r.host = "me" })
		c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Left: &who, Count: &one, Why: wire.WhyHostStopped, Text: "me was disconnected when the host stopped"})
		c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Joined: &who, Count: &two})
		if got := out.String(); !strings.Contains(got, "you are back in the party (2 in the party)") || strings.Contains(got, "me joined") {
			t.Errorf("%s back after the host's resume:\n%s", who.Role, got)
		}
	}
}

// TestJoinSaidOnce: a join says the party it joined, and its own joined event that follows
// live is not said again (a user tester's read "joined hannah's party as alice (2 in the
// party: …)", then under "— live —" "you joined (2 in the party)"). A member back, in a
// new run or after a reconnect, is still told "you are back in the party"; a terminal
// that said no join (the host's own) says "you joined".
func TestJoinSaidOnce(t *testing.T) {
	one, two := 1, 2
	me := wire.Member{ID: "m1", Name: "me", Role: wire.RoleParticipant}
	hello := wire.HelloResult{You: me, State: wire.State{Seq: 2, Participants: []wire.Member{{ID: "m0", Name: "hana", Role: wire.RoleHost}, me}}}
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.pr.hello(hello)
	c.pr.joinedSaid() // as the join's first hello does, with its "joined hana's party as me"
	c.pr.historyStart(2)
	hana := wire.Member{ID: "m0", Name: "hana", Role: wire.RoleHost}
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Joined: &hana, Count: &one})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: "claude started"})
	c.pr.live()
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	if got := out.String(); strings.Contains(got, "you joined") || strings.Contains(got, "me joined") || strings.Contains(got, "you are back") {
		t.Errorf("the join said again:\n%s", got)
	}
	// A member back in a new run (its history has it leave) is still told it is back.
	out.Reset()
	c.pr.hello(hello)
	c.pr.joinedSaid()
	c.pr.historyStart(4)
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &me, Count: &one})
	c.pr.live()
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	if got := out.String(); !strings.Contains(got, "you are back in the party (2 in the party)") {
		t.Errorf("a member back in a new run:\n%s", got)
	}
	// The connection drops; the reconnect's hello, then the host's events of the drop.
	out.Reset()
	c.pr.hello(hello)
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &me, Count: &one, Why: wire.WhyLost})
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	if got := out.String(); !strings.Contains(got, "you are back in the party (2 in the party)") {
		t.Errorf("a reconnect:\n%s", got)
	}
	c, _, _, out = newCommander(wire.RoleHost)
	c.pr.hello(hello)
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	if got := out.String(); !strings.Contains(got, "you joined (2 in the party)") {
		t.Errorf("no join said before it:\n%s", got)
	}
}

// TestNamesSayCoHost: the join's list of who is there says co-host of a host that is not
// the owner, as /who does (a tester's join said "op (host)" and /who "op (co-host)").
func TestNamesSayCoHost(t *testing.T) {
	ms := []wire.Member{{Name: "hosty", Role: wire.RoleHost}, {Name: "op", Role: wire.RoleHost}, {Name: "vi", Role: wire.RoleViewer}, {Name: "bob", Role: wire.RoleParticipant}}
	if got, want := names(ms, "hosty"), "hosty (host), op (co-host), vi (viewer), bob"; got != want {
		t.Errorf("names = %q, want %q", got, want)
	}
	if got, want := names(ms, ""), "hosty (host), op (host), vi (viewer), bob"; got != want { // no owner named
		t.Errorf("names without an owner = %q, want %q", got, want)
	}
}

// The terminal says who removed its member, in the words of a line (a host's name may hold
// what a terminal must not print), else "a host"; lower case, as a notice's words are.
// No full stop: a notice's words are a line, as every other notice's (a tester's).
func TestRemovedWords(t *testing.T) {
	for by, want := range map[string]string{
		"alice":        "alice removed you from this party",
		"":             "a host removed you from this party",
		"al\x1b[2Jice": "alice removed you from this party",
	} {
		if got := removedWords(&client.RemovedError{By: by}); got != want {
			t.Errorf("removedWords(%q) = %q, want %q", by, got, want)
		}
	}
}

// The member this terminal kept, removed, is said as that member, not "you": whoever
// joins now under its name may be someone else (a tester's rejoin under the name of a
// member removed before was told "alice removed you from this party.").
func TestKeptRemovedWords(t *testing.T) {
	for _, tc := range []struct{ by, name, want string }{
		{"alice", "carl", "alice had removed carl, the member this terminal joined this party as before"},
		{"", "carl", "a host had removed carl, the member this terminal joined this party as before"},
		{"alice", "", "alice had removed the member this terminal joined this party as before"},
	} {
		if got := keptRemovedWords(&client.RemovedError{By: tc.by}, tc.name); got != tc.want {
			t.Errorf("keptRemovedWords(%q, %q) = %q, want %q", tc.by, tc.name, got, tc.want)
		}
	}
}

// cutShort is what a cut leaves (a terminal's line break, a selection that stopped short),
// not any link that does not parse: "paste it whole after join -" misled a tester whose
// link had a character after a whole fingerprint.
func TestCutShort(t *testing.T) {
	tok := strings.Repeat("A", 43)
	fp := strings.Repeat("ab", 32)
	for _, c := range []struct {
		text string
		want bool
	}{
		{"concordia://", true},
		{"concordia://127.0", true},
		{"concordia://127.0.0.1:8765/" + tok[:20], true}, // a token shorter than ours
		{"concordia://127.0.0.1:8765/" + tok + "?", true},
		{"concordia://127.0.0.1:8765/" + tok + "?f", true},
		{"concordia://127.0.0.1:8765/" + tok + "?fp=", true},
		{"concordia://127.0.0.1:8765/" + tok + "?fp=" + fp[:40], true},
		{"concordia://127.0.0.1:8765/" + tok + "?fp=" + fp + "x", false},
		{"concordia://127.0.0.1:8765/" + tok + "?fp=" + fp[:40] + "zz", false},
		{"concordia://127.0.0.1:8765/" + tok + "?x=1", false},
		{"https://example.org", false},
		{"concordia://127.0.0.1:8765/" + tok + "?fp=" + fp, false}, // whole
	} {
		if got := cutShort(c.text); got != c.want {
			t.Errorf("cutShort(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// A viewer the participant invite did not make a participant is told why (the hello's
// viewer_kept): a tester's removed viewer, back with new participant invites, read only
// "you joined as a viewer".
func TestViewerJoinedSaysWhy(t *testing.T) {
	carol := wire.Member{ID: "m4", Name: "carol", Role: wire.RoleViewer}
	for _, tc := range []struct {
		kept, want string
	}{
		{"", "you joined as a viewer: you watch the party"},
		{wire.ViewerReturned, "you came back as carol, who was a viewer: "},
		{wire.ViewerRemoved, "you joined as a viewer, not as a participant: this terminal was a viewer when a host removed it"},
	} {
		if got := viewerJoinedWords(wire.HelloResult{You: carol, ViewerKept: tc.kept}, "you joined as"); !strings.HasPrefix(got, tc.want) || !strings.HasSuffix(got, "(a host can make you a participant)") {
			t.Errorf("viewer_kept %q: got %q, want it to start %q", tc.kept, got, tc.want)
		}
	}
}

// reconnect feeds p a reconnect's hello and its catch-up (hello.State.Events), as join
// does: the hello, then the events it carries, read as a catch-up.
func reconnect(p *printer, hello wire.HelloResult) {
	p.hello(hello)
	p.catchUp(true)
	p.aheadOfCatchUp(hello.State.Events)
	for _, ev := range hello.State.Events {
		p.event(ev)
	}
	p.catchUp(false)
}

// TestBackBeforeWhatWasMissed: a reconnect's catch-up that holds a tool request asked
// while the terminal was away says "you are back in the party" before the request, not
// after it (the host writes the return last), and the status line counts the wait from
// the request's own time on the host, not from the reconnect (a tester's read "9s ·
// denied in 1m39s" where the host's read 22s).
func TestBackBeforeWhatWasMissed(t *testing.T) {
	var out bytes.Buffer
	p := newPrinter(&out)
	now := time.Now().Add(-40 * time.Second) // the reconnect is now: the roster reads the clock
	p.now = func() time.Time { return now }
	skew := 3 * time.Second // the host's clock is 3 s behind this one
	host := func(local time.Time) time.Time { return local.Add(-skew) }
	one, two := 1, 2
	me := wire.Member{ID: "m1", Name: "me", Role: wire.RoleParticipant}
	hana := wire.Member{ID: "m0", Name: "hana", Role: wire.RoleHost}
	hello := wire.HelloResult{You: me, Party: wire.PartyInfo{Host: "hana"}, State: wire.State{Seq: 3, Phase: wire.PhaseRunning, Participants: []wire.Member{hana, me}}}
	p.hello(hello)
	p.event(wire.Event{Seq: 3, TS: host(now), Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "x", Merger: wire.MergerLocal}})
	// The connection drops; the host goes on, and the terminal is back 40 s later.
	start := now
	now = now.Add(40 * time.Second)
	asked := start.Add(19 * time.Second)
	expires := host(asked).Add(2 * time.Minute)
	missed := []wire.Event{
		{Seq: 4, TS: host(start.Add(5 * time.Second)), Kind: wire.KindParticipants, Left: &me, Count: &one, Why: wire.WhyLost},
		{Seq: 5, TS: host(asked), Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission},
		{Seq: 6, TS: host(asked), Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionPending, Expires: &expires}},
		{Seq: 7, TS: host(now), Kind: wire.KindParticipants, Joined: &me, Count: &two},
	}
	hello.State.Seq, hello.State.Phase, hello.State.Events = 7, wire.PhaseAwaitingPermission, missed
	reconnect(p, hello)
	got := out.String()
	lost, back, req := strings.Index(got, "the host lost this terminal's connection"), strings.Index(got, "[party] you are back in the party (2 in the party)"), strings.Index(got, "claude asks to use Bash")
	if lost < 0 || back < 0 || req < 0 || !(lost < back && back < req) || strings.Count(got, "you are back") != 1 {
		t.Errorf("want the lost connection, then back once, then the request:\n%s", got)
	}
	p.mu.Lock()
	st := p.statusLocked()
	p.mu.Unlock()
	if waited := now.Sub(st.since); waited != 40*time.Second {
		t.Errorf("the status line counts %s of the turn, want 40s (since the batch, on this clock, as the host counts)", waited)
	}

	// A turn that began while it was away counts from the batch's own time.
	p = newPrinter(&out)
	p.now = func() time.Time { return now }
	now = time.Now().Add(-40 * time.Second)
	p.hello(wire.HelloResult{You: me, Party: wire.PartyInfo{Host: "hana"}, State: wire.State{Seq: 2, Phase: wire.PhaseIdle, Participants: []wire.Member{hana, me}}})
	p.event(wire.Event{Seq: 2, TS: host(now), Kind: wire.KindSystem, Text: "claude started"})
	start = now
	now = now.Add(40 * time.Second)
	missed = append([]wire.Event{{Seq: 3, TS: host(start.Add(10 * time.Second)), Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "x", Merger: wire.MergerLocal}}}, missed...)
	hello.State.Events = missed
	reconnect(p, hello)
	p.mu.Lock()
	st = p.statusLocked()
	p.mu.Unlock()
	if waited := now.Sub(st.since); waited != 30*time.Second {
		t.Errorf("a turn caught up on: the status line counts %s, want 30s (since its batch, on this clock)", waited)
	}

	// A catch-up of only its own leaving: back once the catch-up is read, and its joined
	// event, live after it, is not said again.
	out.Reset()
	hello.State.Events = missed[:1]
	p.hello(hello)
	p.catchUp(true)
	p.aheadOfCatchUp(hello.State.Events)
	p.event(wire.Event{Seq: 8, TS: host(now), Kind: wire.KindParticipants, Left: &me, Count: &one, Why: wire.WhyLost})
	p.catchUp(false)
	p.event(wire.Event{Seq: 9, TS: host(now), Kind: wire.KindParticipants, Joined: &me, Count: &two})
	if got := out.String(); strings.Count(got, "you are back in the party (2 in the party)") != 1 || !strings.HasSuffix(got, "you are back in the party (2 in the party)\n") {
		t.Errorf("a catch-up of its own leaving only:\n%s", got)
	}

	// A connection that dropped silently: the host streamed on into the dead socket until
	// its ping timed out, then said it left. What came before its leaving is not after its
	// return: back is said once its leaving is, before the request after it, and its
	// joined event, live after the catch-up, is not said again.
	p = newPrinter(&out)
	p.now = func() time.Time { return now }
	p.hello(wire.HelloResult{You: me, Party: wire.PartyInfo{Host: "hana"}, State: wire.State{Seq: 3, Phase: wire.PhaseRunning, Participants: []wire.Member{hana, me}}})
	p.event(wire.Event{Seq: 3, TS: host(now), Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "x", Merger: wire.MergerLocal}})
	out.Reset()
	now = now.Add(40 * time.Second)
	missed = []wire.Event{
		{Seq: 4, TS: host(now.Add(-30 * time.Second)), Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "streamed into the dead socket\n"},
		{Seq: 5, TS: host(now.Add(-20 * time.Second)), Kind: wire.KindParticipants, Left: &me, Count: &one, Why: wire.WhyLost},
		{Seq: 6, TS: host(now.Add(-10 * time.Second)), Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionPending, Expires: &expires}},
	}
	hello.State.Seq, hello.State.Events = 6, missed
	reconnect(p, hello)
	p.event(wire.Event{Seq: 7, TS: host(now), Kind: wire.KindParticipants, Joined: &me, Count: &two})
	got = out.String()
	streamed, lost, back, req := strings.Index(got, "streamed into the dead socket"), strings.Index(got, "the host lost this terminal's connection"), strings.Index(got, "[party] you are back in the party (2 in the party)"), strings.Index(got, "claude asks to use Bash")
	if streamed < 0 || lost < 0 || back < 0 || req < 0 || !(streamed < lost && lost < back && back < req) || strings.Count(got, "you are back") != 1 {
		t.Errorf("want what was streamed, the lost connection, then back once, then the request:\n%s", got)
	}
	p.mu.Lock()
	ownDrop := p.ownDrop
	p.mu.Unlock()
	if ownDrop {
		t.Error("back, but its own leaving is still taken as news")
	}
}

// A join to a host that takes the connection and never answers (a tester's, stopped with
// SIGSTOP) says at once, and again while it waits, what it is doing; Ctrl-C meanwhile
// stops it with exit 0 and no error (PROTOCOL.md §1), and when its time runs out it says
// that the host did not answer, not that it cannot be reached.
func TestJoinToAHostThatDoesNotAnswer(t *testing.T) {
	addr := testkit.SilentListener(t)
	oldPatience, oldDial := connectPatience, joinDialTimeout
	connectPatience, joinDialTimeout = 100*time.Millisecond, 2*time.Second
	t.Cleanup(func() { connectPatience, joinDialTimeout = oldPatience, oldDial })
	inv := "concordia://" + addr + "/" + strings.Repeat("a", 43)
	still := "[system] still connecting to " + addr + ": no answer from the host yet (Ctrl-C stops)\n"

	tests := []struct {
		name    string
		ctrlC   bool
		code    int
		want    []string
		mustNot []string
	}{
		{"Ctrl-C while it waits", true, ExitOK,
			[]string{still, "[system] stopped connecting to " + addr + "\n"},
			[]string{"[error]", "cannot reach", "did not answer"}},
		{"no answer in time", false, ExitError,
			[]string{still, "[error] the host did not answer: the connection was taken, but nothing came back in time"},
			[]string{"cannot reach", "stopped connecting"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errb testkit.Buffer
			done := make(chan int, 1)
			go func() {
				done <- Main(ctx, []string{"join", inv, "--name", "erin", "--data-dir", t.TempDir()},
					IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			}()
			if tt.ctrlC {
				deadline := time.Now().Add(5 * time.Second)
				for !strings.Contains(out.String(), "still connecting") && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				cancel()
			}
			var code int
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("join did not end")
			}
			got := out.String() + errb.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("no %q in:\n%s", w, got)
				}
			}
			for _, bad := range tt.mustNot {
				if strings.Contains(got, bad) {
					t.Errorf("%q in:\n%s", bad, got)
				}
			}
		})
	}
}

// An invite without "?fp=" is a plain one (PROTOCOL.md §2): to a TLS host it fails the join
// (exit 1), as a stale --insecure invite to a host that now runs TLS does too; the sentence
// still says the link may have been cut. An invite cut inside its fingerprint does not
// parse: a bad argument (exit 2). (A reviewer's: a day's change made the first exit 2.)
func TestAPlainInviteToATLSHostFailsTheJoin(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(stdio.Discard, "", 0) // the plain request is expected
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "https://")
	whole := "concordia://" + addr + "/" + strings.Repeat("a", 43) + "?fp=" + strings.Repeat("ab", 32)
	tests := []struct {
		name, invite, want string
		code               int
	}{
		{"plain, to a TLS host", whole[:strings.Index(whole, "?fp=")], "the invite is missing its ?fp= part — was it cut off?", ExitError},
		{"cut inside the fingerprint", whole[:len(whole)-9], "(was the link cut off?)", ExitUsage},
		// Cut inside its token, the link lost its ?fp= too: both are said, the cut token
		// first (a tester's was told only of the missing ?fp=).
		{"cut inside the token", whole[:strings.Index(whole, "?fp=")-13], "this host uses encryption, but the invite has no ?fp= part, and the link looks cut short: its token has 30 characters, but a Concordia invite's has 43; copy the whole link again (a whole invite ends in ?fp= and 64 hex digits).", ExitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb testkit.Buffer
			code := Main(context.Background(), []string{"join", tt.invite, "--name", "erin", "--data-dir", t.TempDir()},
				IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			got := out.String() + errb.String()
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Fatalf("exit %d, want %d, with %q:\n%s", code, tt.code, tt.want, got)
			}
		})
	}
}

// A link whose token looks cut short, with a whole ?fp=, is said to look so before the join
// connects, as the window's join dialog says it (app InviteWarning): a tester's join
// connected first, and the host counted a wrong token against it before anything was said.
// It is still tried (another host's tokens may be of another length, PROTOCOL.md §2).
func TestACutShortTokenIsSaidBeforeConnecting(t *testing.T) {
	addr := testkit.SilentListener(t)
	oldPatience := connectPatience
	connectPatience = 100 * time.Millisecond
	t.Cleanup(func() { connectPatience = oldPatience })
	inv := "concordia://" + addr + "/" + strings.Repeat("a", 30) + "?fp=" + strings.Repeat("ab", 32)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb testkit.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"join", inv, "--name", "erin", "--data-dir", t.TempDir()},
			IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	}()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "still connecting") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("join did not end")
	}
	got := out.String()
	said := strings.Index(got, "[system] the link looks cut short: its token has 30 characters, but a Concordia invite's has 43; copy the whole link again")
	if said < 0 || !strings.Contains(got, "still connecting") || said > strings.Index(got, "still connecting") {
		t.Fatalf("not said before connecting:\n%s", got)
	}
}
