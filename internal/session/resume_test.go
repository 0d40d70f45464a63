package session

import (
	"context"
	"errors"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

func TestRecentPartiesAndResume(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	ctx := context.Background()

	if list, err := m.RecentParties(); err != nil || len(list) != 0 {
		t.Fatalf("RecentParties before any party = %+v, %v", list, err)
	}
	req := hostRequest(t)
	info, err := m.Host(ctx, req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	id := info.Party.ID
	// While it runs, it is listed as running and cannot be resumed.
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || list[0].ID != id || list[0].State != PartyRunning {
		t.Fatalf("RecentParties while hosting = %+v, %v", list, err)
	}
	if _, err := m.Prompt(ctx, "remember this"); err != nil {
		t.Fatalf("Prompt: %v", err)
	}
	// Its turn's end, not only the reply: a turn the end cuts is not counted (Turns).
	rec.waitFor(t, "the reply and its turn's end", func(e []emitted) bool {
		return hasOutput(partyEvents(e), "echo: remember this") && hasTurnEnd(e)
	})
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}

	list, err := m.RecentParties()
	if err != nil || len(list) != 1 {
		t.Fatalf("RecentParties after End = %+v, %v", list, err)
	}
	p := list[0]
	// Its first prompt tells it from another of the same host and folder (a window tester's
	// two "root's party · ended").
	if p.ID != id || p.Host != "hazel" || p.State != PartyEnded || p.Turns != 1 || p.Workdir != req.Workdir ||
		p.Created.IsZero() || p.LastActive.Before(p.Created) || p.FirstPrompt != "remember this" {
		t.Fatalf("recent party = %+v (want id %s, hazel, ended, 1 turn, %s, first prompt \"remember this\")", p, id, req.Workdir)
	}

	if _, err := m.Resume(ctx, "no-such-party", ResumeOptions{}); !errors.Is(err, host.ErrNoParty) {
		t.Fatalf("Resume of an unknown id = %v, want host.ErrNoParty", err)
	}
	if _, err := m.Resume(ctx, "../x", ResumeOptions{}); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Resume of a bad id = %v, want ErrBadRequest", err)
	}

	back, err := m.Resume(ctx, id, ResumeOptions{})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if back.Party.ID != id || back.Role != wire.RoleHost || back.You.ID != info.You.ID || back.You.Role != wire.RoleHost {
		t.Fatalf("resumed info: party %s you %+v (want %s, %+v)", back.Party.ID, back.You, id, info.You)
	}
	if back.Party.WindowMS != 100 || back.Party.Merger != wire.MergerLocal {
		t.Fatalf("resumed settings = %+v", back.Party)
	}
	// The merger it was hosted with, from the journal: Settings says from it whether a key
	// saved now will be used (one hosted with local never looks for one).
	if info.MergeMode != settings.MergerLocal || back.MergeMode != settings.MergerLocal {
		t.Fatalf("merge mode hosted %q, resumed %q; want %q", info.MergeMode, back.MergeMode, settings.MergerLocal)
	}
	if cur, ok, err := m.Current(ctx); err != nil || !ok || cur.MergeMode != settings.MergerLocal {
		t.Fatalf("Current's merge mode = %q (%v, %v), want %q", cur.MergeMode, ok, err, settings.MergerLocal)
	}
	if back.Invite != info.Invite {
		t.Fatalf("invite changed: %q, was %q", back.Invite, info.Invite)
	}
	if !hasOutput(back.State.Events, "echo: remember this") {
		t.Fatalf("the resumed party's history lacks the reply: %+v", back.State.Events)
	}
	if list, _ := m.RecentParties(); len(list) != 1 || list[0].State != PartyRunning {
		t.Fatalf("RecentParties after Resume = %+v", list)
	}
	// The resumed party works.
	if _, err := m.Prompt(ctx, "and again"); err != nil {
		t.Fatalf("Prompt after Resume: %v", err)
	}
	rec.waitFor(t, "the reply after resuming", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: and again") })
	if _, err := m.Resume(ctx, id, ResumeOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Resume while in a party = %v, want ErrBusy", err)
	}
}

// A party another host (here: a terminal's) is running gives ErrRunning.
func TestResumeRunningParty(t *testing.T) {
	dir := t.TempDir()
	first := newManager(t, newRecorder(), func(c *Config) { c.DataDir = dir })
	info, err := first.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	second := newManager(t, newRecorder(), func(c *Config) { c.DataDir = dir })
	if _, err := second.Resume(context.Background(), info.Party.ID, ResumeOptions{}); !errors.Is(err, ErrRunning) {
		t.Fatalf("Resume of a running party = %v, want ErrRunning", err)
	}
	// The second window is free again.
	if list, err := second.RecentParties(); err != nil || len(list) != 1 || list[0].State != PartyRunning {
		t.Fatalf("RecentParties = %+v, %v", list, err)
	}
}

// A party that shares the whole folder is listed with that level, whether it started so or
// a host chose it later, and can be resumed sharing less (the window asks, since a resume
// would otherwise expose .env again unasked).
func TestResumeSharingLess(t *testing.T) {
	m, id := hostSharing(t, wire.WorkspaceChanges)
	ctx := context.Background()
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || list[0].Workspace != wire.WorkspaceChanges {
		t.Fatalf("RecentParties while sharing the changes = %+v, %v", list, err)
	}
	// Sharing more waits for the folder's first snapshot (a host asking sooner is told to
	// share more once it is taken): asked again until then.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := m.SetWorkspace(ctx, wire.WorkspaceTree)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "first snapshot is still being taken") || time.Now().After(deadline) {
			t.Fatalf("SetWorkspace tree: %v", err)
		}
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	list, err := m.RecentParties()
	if err != nil || len(list) != 1 || list[0].Workspace != wire.WorkspaceTree {
		t.Fatalf("RecentParties after the host shared the whole folder = %+v, %v", list, err)
	}

	if _, err := m.Resume(ctx, id, ResumeOptions{ShareAtMost: "everything"}); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Resume with a level that does not exist = %v, want ErrBadRequest", err)
	}
	back, err := m.Resume(ctx, id, ResumeOptions{ShareAtMost: wire.WorkspaceChanges})
	if err != nil {
		t.Fatalf("Resume sharing the changes: %v", err)
	}
	if back.Party.Workspace != wire.WorkspaceChanges {
		t.Fatalf("resumed party shares %q, want %q", back.Party.Workspace, wire.WorkspaceChanges)
	}
	if said, _ := toldSharingLess(back.State.Events); !said {
		t.Fatalf("nobody is told the resumed party shares less: %+v", back.State.Events)
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End after resuming: %v", err)
	}
	// The next resume, asked nothing, keeps the level this run had.
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || list[0].Workspace != wire.WorkspaceChanges {
		t.Fatalf("RecentParties after resuming with the changes only = %+v, %v", list, err)
	}
	// A cap above what the party shares does not widen it: a window that showed the
	// whole folder, while a terminal narrowed it meanwhile, resumes it narrowed.
	back, err = m.Resume(ctx, id, ResumeOptions{ShareAtMost: wire.WorkspaceTree})
	if err != nil {
		t.Fatalf("Resume capped at tree: %v", err)
	}
	if back.Party.Workspace != wire.WorkspaceChanges {
		t.Fatalf("party resumed capped at tree shares %q, want %q", back.Party.Workspace, wire.WorkspaceChanges)
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	back, err = m.Resume(ctx, id, ResumeOptions{})
	if err != nil {
		t.Fatalf("Resume as it was: %v", err)
	}
	if back.Party.Workspace != wire.WorkspaceChanges {
		t.Fatalf("party resumed as it was shares %q, want %q", back.Party.Workspace, wire.WorkspaceChanges)
	}
}

// A party that started sharing the whole folder, with no settings event since, resumed
// sharing the changes only: everyone is told, and a settings event says the new level.
func TestResumeSharingLessThanAtTheStart(t *testing.T) {
	m, id := hostSharing(t, wire.WorkspaceTree)
	ctx := context.Background()
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || list[0].Workspace != wire.WorkspaceTree {
		t.Fatalf("RecentParties of a party started with tree = %+v, %v", list, err)
	}
	back, err := m.Resume(ctx, id, ResumeOptions{ShareAtMost: wire.WorkspaceChanges})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if said, settings := toldSharingLess(back.State.Events); !said || !settings {
		t.Fatalf("resumed sharing less than at the start: notice %v, settings event %v: %+v", said, settings, back.State.Events)
	}
}

// hostSharing hosts a party in a new Manager, sharing level; it returns the party's id.
func hostSharing(t *testing.T, level string) (*Manager, string) {
	t.Helper()
	m := newManager(t, newRecorder(), nil)
	req := hostRequest(t)
	req.ShareWorkspace = level
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	return m, info.Party.ID
}

// toldSharingLess reports whether a resumed party's events say, in words and in a settings
// event, that it now shares the changes only.
func toldSharingLess(events []wire.Event) (said, settings bool) {
	for _, ev := range events {
		said = said || ev.Kind == wire.KindSystem && strings.Contains(ev.Text, "the party was resumed: the party now shares the changed files")
		settings = settings || ev.Kind == wire.KindSettings && ev.Settings != nil && ev.Settings.Workspace == wire.WorkspaceChanges
	}
	return said, settings
}

// A party resumed still sharing the whole folder says so again, for those who come back.
func TestResumeStillSharingTheWholeFolder(t *testing.T) {
	m, id := hostSharing(t, wire.WorkspaceTree)
	ctx := context.Background()
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	back, err := m.Resume(ctx, id, ResumeOptions{ShareAtMost: wire.WorkspaceTree})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	said := false
	for _, ev := range back.State.Events {
		said = said || ev.Kind == wire.KindSystem && ev.Text == "the party was resumed: it still shares the whole working directory, .env files and other secrets included"
	}
	if back.Party.Workspace != wire.WorkspaceTree || !said {
		t.Fatalf("resumed sharing %q, told: %v: %+v", back.Party.Workspace, said, back.State.Events)
	}
}

// A party whose journal a failed write cut short is listed as such, and not resumed (a
// tester's resume of one numbered new events as ones members had seen). The list is
// read again: the mark changes only the file's mode.
func TestAJournalCutShortIsListedAndNotResumed(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, newRecorder(), func(c *Config) { c.DataDir = dir })
	ctx := context.Background()
	info, err := m.Host(ctx, hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || list[0].Incomplete {
		t.Fatalf("RecentParties = %+v, %v", list, err)
	}
	if err := os.Chmod(journal.Path(dir, info.Party.ID), 0o400); err != nil { // as a failed write leaves it
		t.Fatal(err)
	}
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || !list[0].Incomplete {
		t.Fatalf("RecentParties of a journal cut short = %+v, %v", list, err)
	}
	if _, err := m.Resume(ctx, info.Party.ID, ResumeOptions{}); !errors.Is(err, journal.ErrIncomplete) {
		t.Fatalf("Resume of a journal cut short = %v, want journal.ErrIncomplete", err)
	}
}

// A party whose journal a failed write cut short, with the cut mark a Writer keeps beside
// it while it is behind, is listed as one that lost its end, and resumed past the floor
// the mark names: its events go on after every one its members were sent.
func TestAJournalCutShortWithItsCutMarkIsResumed(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, newRecorder(), func(c *Config) { c.DataDir = dir })
	ctx := context.Background()
	info, err := m.Host(ctx, hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	// As a Writer leaves it (journal/cutmark.go): read-only, marked, and the cut mark.
	path := journal.Path(dir, info.Party.ID)
	before, err := journal.Read(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, mark := range []string{path + ".incomplete", path + ".cut-5000"} {
		if err := os.WriteFile(mark, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if list, err := m.RecentParties(); err != nil || len(list) != 1 || list[0].Incomplete || !list[0].LostEnd {
		t.Fatalf("RecentParties of a journal cut short with its cut mark = %+v, %v", list, err)
	}
	back, err := m.Resume(ctx, info.Party.ID, ResumeOptions{})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	said, after := false, 0
	for _, ev := range back.State.Events {
		if ev.Seq > before.LastSeq && ev.Seq <= 5000 {
			t.Fatalf("the resumed party's event %d is not past the floor 5000", ev.Seq)
		}
		if ev.Seq > 5000 {
			after++
		}
		said = said || strings.Contains(ev.Text, "(was the disk full?)")
	}
	if !said || after == 0 {
		t.Fatalf("the resume did not say what was lost: %+v", back.State.Events)
	}
}

// TestFirstPromptShown: a list shows the first line of a party's first prompt that is not
// blank, cleaned of controls, cut at about a line's width.
func TestFirstPromptShown(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, c := range []struct{ in, want string }{
		{"fix the login bug", "fix the login bug"},
		{"\n  \n  second line first\nthird", "second line first"},
		{"red \x1b[31mtext\x1b[0m\tand tab", "red text and tab"},
		{long, strings.TrimSpace(string([]rune(long)[:firstPromptRunes])) + "…"},
		{"", ""},
	} {
		if got := firstPromptShown(c.in); got != c.want {
			t.Errorf("firstPromptShown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A resumed party keeps its own tool request timeout (the journal's), not the window's
// saved one: here 5 s, which the window's Create party would refuse (under 15 s) but a
// terminal's `concordia host --permission-timeout 5s` may have chosen.
func TestResumeKeepsThePermissionTimeout(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	ctx := context.Background()
	// expires is the asked time (its event's) plus the party's timeout.
	expiresAfter := func(what string) time.Duration {
		t.Helper()
		before := len(partyEvents(rec.all())) // the party before's events (ids start again)
		if _, err := m.Prompt(ctx, "touch a file FAKE_ASK"); err != nil {
			t.Fatalf("Prompt: %v", err)
		}
		var perm wire.Event
		rec.waitFor(t, what, func(e []emitted) bool {
			for _, ev := range partyEvents(e)[before:] {
				if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending {
					perm = ev
					return true
				}
			}
			return false
		})
		if err := m.Decide(ctx, perm.Permission.ID, wire.DecisionDeny, ""); err != nil && !strings.Contains(err.Error(), "is waiting for a decision") { // timed out first on a slow machine
			t.Fatalf("Decide: %v", err)
		}
		return perm.Permission.Expires.Sub(perm.TS)
	}
	req := hostRequest(t)
	req.PermissionTimeout = 5 * time.Second
	info, err := m.Host(ctx, req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if got := expiresAfter("a tool request"); got < 4*time.Second || got > 6*time.Second {
		t.Fatalf("the hosted party's request expires %s after it was asked, want 5s", got)
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	if _, err := m.Resume(ctx, info.Party.ID, ResumeOptions{}); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if got := expiresAfter("a tool request after resuming"); got < 4*time.Second || got > 6*time.Second {
		t.Fatalf("the resumed party's request expires %s after it was asked, want the party's 5s", got)
	}
}

// Unanswered says what a Resume would take up at once, read from the journal when asked:
// a prompt that never reached the agent (its author and the start of its text) and the
// turn cut short, in the words `concordia parties` uses (a tester's Resume sent a prompt
// hours old to the agent unreviewed, the window having said nothing of it).
func TestUnansweredBeforeResume(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	dataDir := m.cfg.DataDir
	t0 := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	write := func(id string, approval bool, evs ...wire.Event) {
		t.Helper()
		testkit.WriteJournal(t, dataDir, journal.Header{Party: id, Host: "hosty", Created: t0, Token: "tok",
			Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir(), Approval: approval}}, evs...)
	}
	prompt := func(id, user, text string) wire.Event {
		return wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: user, Text: text}}
	}
	batch := wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "\n  add a test\u202e for the parser\nand more", Merger: "local"}}
	turn := wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}
	long := "fix the login form so that it " + strings.Repeat("x", 80)
	write("aaaaaaaaaaaa", false, prompt("p1", "ann", "add a test"), batch, prompt("p2", "Kai\x1b[31m", long))
	write("bbbbbbbbbbbb", false, prompt("p1", "ann", "add a test"), batch, turn)
	write("ffffffffffff", false, prompt("p1", "ann", strings.Repeat("y", 2*unansweredRunes)))
	write("cccccccccccc", true, prompt("p1", "ann", "add a test"), batch, turn, prompt("p2", "Kai", "one"), prompt("p3", "Bo", "two"))

	u, err := m.Unanswered("aaaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	if u.Text != "1 prompt never reached the agent, and its last turn was cut short" || !u.Cut || u.Approval ||
		u.Turn != "add a test for the parser" || // its first line not blank, without controls
		len(u.TurnBy) != 1 || u.TurnBy[0] != "ann" || // who asked it (a tester's question did not say)
		len(u.Prompts) != 1 || u.Prompts[0].User != "Kai" || u.Prompts[0].Text != long { // whole: the window cuts it to its width
		t.Fatalf("Unanswered of a party with a waiting prompt and a cut turn = %+v", u)
	}
	if u, err := m.Unanswered("ffffffffffff"); err != nil || len(u.Prompts) != 1 || u.Prompts[0].Text != strings.Repeat("y", unansweredRunes)+"…" {
		t.Fatalf("Unanswered of a party with a waiting prompt longer than the question is given = %+v, %v", u, err)
	}
	if u, err := m.Unanswered("bbbbbbbbbbbb"); err != nil || u.Text != "" || len(u.Prompts) != 0 || u.Cut || u.Prompts == nil {
		t.Fatalf("Unanswered of a party that answered everything = %+v, %v (want nothing, prompts [])", u, err)
	}
	u, err = m.Unanswered("cccccccccccc")
	if err != nil || u.Text != "2 prompts never reached the agent" || u.Cut || !u.Approval || len(u.Prompts) != 2 ||
		u.Prompts[0] != (UnansweredPrompt{User: "Kai", Text: "one"}) || u.Prompts[1] != (UnansweredPrompt{User: "Bo", Text: "two"}) {
		t.Fatalf("Unanswered of a party with approval on and two waiting prompts = %+v, %v", u, err)
	}
	// One that cannot be resumed here says so before the question (a tester's asked, then refused).
	testkit.WriteJournal(t, dataDir, journal.Header{Party: "eeeeeeeeeeee", Host: "hosty", Created: t0, Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir(), Fingerprint: strings.Repeat("ab", 32)}},
		prompt("p1", "ann", "add a test"))
	if _, err := m.Unanswered("eeeeeeeeeeee"); !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "different encryption settings") {
		t.Fatalf("Unanswered of a party hosted with TLS, here without = %v", err)
	}
	if _, err := m.Unanswered("dddddddddddd"); !errors.Is(err, host.ErrNoParty) {
		t.Fatalf("Unanswered of an unknown party = %v, want host.ErrNoParty", err)
	}
	if _, err := m.Unanswered("../x"); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Unanswered of a bad id = %v, want ErrBadRequest", err)
	}
	// Held open by a host (here: a resume under way), it is running: nothing is said.
	res, err := host.OpenResume(dataDir, "aaaaaaaaaaaa", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if u, err := m.Unanswered("aaaaaaaaaaaa"); err != nil || u.Text != "" {
		t.Fatalf("Unanswered of a running party = %+v, %v", u, err)
	}
}

// The window's "Resume without them" (ResumeOptions.WithoutUnanswered): the waiting prompt
// is withdrawn and the cut turn ends, failed, not run again; nothing from before reaches
// the agent.
func TestResumeWithoutTheUnanswered(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	t0 := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	testkit.WriteJournal(t, m.cfg.DataDir, journal.Header{Party: "aaaaaaaaaaaa", Host: "hosty", Created: t0, Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir(), Claude: testkit.FakeClaude(t), WindowMS: 100}},
		wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "add a test"}},
		wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "add a test", Merger: "local"}},
		wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "Kai", Text: "fix the login form"}},
	)
	ctx := context.Background()
	u, err := m.Unanswered("aaaaaaaaaaaa")
	if err != nil || u.LastSeq != 3 {
		t.Fatalf("Unanswered = %+v, %v: want last_seq 3", u, err)
	}
	// Asked when the journal was elsewhere (another run added to it since): refused, the
	// party as it was (a reviewer's: it would withdraw prompts the person never saw).
	if _, err := m.Resume(ctx, "aaaaaaaaaaaa", ResumeOptions{WithoutUnanswered: true, AskedAt: 2}); !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "ran again since you were asked") {
		t.Fatalf("Resume without them, asked at another seq = %v", err)
	}
	back, err := m.Resume(ctx, "aaaaaaaaaaaa", ResumeOptions{WithoutUnanswered: true, AskedAt: u.LastSeq})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	var turn *wire.Turn
	withdrawn := ""
	for _, ev := range back.State.Events {
		switch ev.Kind {
		case wire.KindTurn:
			turn = ev.Turn
		case wire.KindWithdrawn:
			withdrawn = ev.Withdrawn.Prompt
		case wire.KindRetry:
			t.Errorf("the cut turn runs again: %+v", ev)
		}
	}
	if turn == nil || turn.Batch != "b1" || turn.Status != wire.TurnError || turn.Error != party.NotRunAgain || withdrawn != "p2" {
		t.Fatalf("after the resume: turn %+v, withdrawn %q", turn, withdrawn)
	}
	if _, err := m.Prompt(ctx, "and now"); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "the reply", func(e []emitted) bool { return hasOutput(partyEvents(e), "and now") })
	for _, ev := range partyEvents(evs) {
		if ev.Kind == wire.KindOutput && (strings.Contains(ev.Text, "add a test") || strings.Contains(ev.Text, "fix the login form")) {
			t.Errorf("the agent had a request from before: %q", ev.Text)
		}
	}
}

// Recent parties says of a party whose last turn its end cut short what `concordia
// parties` says (a resume does not run it again): neither said anything of it (a
// tester's). The names are peer text: shown on one line, without controls.
func TestRecentPartiesSayTheTurnThePartysEndCut(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	t0 := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	write := func(id string, evs ...wire.Event) {
		t.Helper()
		testkit.WriteJournal(t, m.cfg.DataDir, journal.Header{Party: id, Host: "hosty", Created: t0, Token: "tok",
			Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}}, evs...)
	}
	prompt := wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ali\x1b[31mce", Text: "tidy the docs"}}
	batch := wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "tidy the docs", Merger: "local"}}
	write("aaaaaaaaaaaa", prompt, batch, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded}})
	write("bbbbbbbbbbbb", prompt, batch, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}})
	// As `concordia parties` says it (journal.Summary.EndCutShown): not of a party a host
	// runs, nor of one a failed write cut short, read-only (cccccccccccc) or with its cut
	// mark (dddddddddddd); Recent parties said it of all three (a reviewer's).
	endCut := wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded}}
	for _, id := range []string{"cccccccccccc", "dddddddddddd", "eeeeeeeeeeee"} {
		write(id, prompt, batch, endCut)
	}
	if err := os.Chmod(journal.Path(m.cfg.DataDir, "cccccccccccc"), 0o400); err != nil {
		t.Fatal(err)
	}
	cut := journal.Path(m.cfg.DataDir, "dddddddddddd")
	if err := os.Chmod(cut, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, mark := range []string{cut + ".incomplete", cut + ".cut-4100"} {
		if err := os.WriteFile(mark, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, _, err := journal.Open(journal.Path(m.cfg.DataDir, "eeeeeeeeeeee"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	list, err := m.RecentParties()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range list {
		got[p.ID] = p.EndCut
	}
	want := map[string]string{"aaaaaaaaaaaa": "the last turn, for alice's prompt, was cut short when the party ended", "bbbbbbbbbbbb": "",
		"cccccccccccc": "", "dddddddddddd": "", "eeeeeeeeeeee": ""}
	if !maps.Equal(got, want) {
		t.Fatalf("EndCut of the recent parties = %q, want %q", got, want)
	}
}
