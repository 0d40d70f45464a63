package host

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

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestResumeAfterAKilledHost: the journal as a killed host leaves it (copied in the middle
// of a slow turn) brings the party back on the same invite; the agent is started with
// --resume and its session; the interrupted batch runs again and a prompt acknowledged
// during it is answered; a member rejoining with its session and since gets every later
// event once; the journal then reads as one party with seq never reused.
func TestResumeAfterAKilledHost(t *testing.T) {
	dataDir, work := t.TempDir(), t.TempDir()
	logFile := filepath.Join(t.TempDir(), "claude.log")
	cfg := Config{
		Window: 100 * time.Millisecond, DataDir: dataDir, MergeMode: "local",
		Agent: agent.Config{WorkDir: work, Env: []string{"FAKECLAUDE_LOG=" + logFile}},
	}
	h := startHost(t, cfg)
	inv := h.Invite()
	alice := join(t, inv, "alice")
	if _, err := alice.c.Prompt(context.Background(), "warm up"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the first turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if _, err := alice.c.Prompt(context.Background(), "FAKE_SLOW=5000 slow one"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the slow turn to stream", func(e []wire.Event) bool {
		return strings.Contains(reply(e), "slow one") || len(kinds(e, wire.KindBatch)) == 2 && len(kinds(e, wire.KindOutput)) > 1
	})
	pending, err := alice.c.Prompt(context.Background(), "asked during the slow turn")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the prompt event", func(e []wire.Event) bool { return e[len(e)-1].Seq >= pending.Seq })
	seen := alice.c.LastSeq()
	path := h.TranscriptPath()
	killHost(t, h, func() { alice.c.Close() })

	r, err := OpenResume(dataDir, "", 0) // the latest party
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Header.Party != h.Party().ID() || r.Summary.LastSeq < seen || r.Summary.Ended {
		t.Fatalf("resume found %+v", r.Summary)
	}
	cfg.Resume = r
	cfg.Listen = fmt.Sprintf("127.0.0.1:%d", inv.Port)
	h2 := startHost(t, cfg)
	if h2.Invite() != inv || h2.ViewerInvite() != h.ViewerInvite() {
		t.Fatalf("invites changed: %s / %s", h2.Invite(), inv)
	}

	// Someone joining now sees the interrupted batch and the waiting prompt answered.
	back := join(t, inv, "bob")
	// The answer's text arrives before its turn event: wait for that too before the
	// journal is read (reading it at the text alone failed in CI: 2 turns of 3).
	back.waitFor(t, "both answers and their turns", func(e []wire.Event) bool {
		return strings.Contains(reply(e), "asked during the slow turn") && len(kinds(e, wire.KindTurn)) >= 3
	})
	// The journal now holds one party: seqs strictly increasing, the resumed notice, both
	// answers, and the agent resumed its session.
	var seqs []int64
	var text strings.Builder
	var evs []wire.Event
	s, err := journal.Read(path, func(ev wire.Event, raw json.RawMessage) {
		seqs = append(seqs, ev.Seq)
		evs = append(evs, ev)
		text.Write(raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("journal seq %d after %d", seqs[i], seqs[i-1])
		}
	}
	if n := strings.Count(text.String(), `"status":"done"`); n != 3 || s.Turns != 3 {
		t.Errorf("%d turns done (%d in all), want 3: warm up, the slow one again, the waiting prompt", n, s.Turns)
	}
	if !strings.Contains(reply(evs), "echo: asked during the slow turn") {
		t.Errorf("the waiting prompt was not answered: %q", reply(evs))
	}
	for _, want := range []string{"the party was resumed", `"kind":"retry"`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("journal lacks %q", want)
		}
	}
	if s.Resumes != 1 || s.AgentSession == "" {
		t.Errorf("resumes %d, agent session %q", s.Resumes, s.AgentSession)
	}
	raw, _ := os.ReadFile(logFile)
	if !strings.Contains(string(raw), `"--resume","`+s.AgentSession) {
		t.Errorf("claude was not resumed on session %s:\n%s", s.AgentSession, raw)
	}
}

// TestRejoinWithSessionAfterResume: a member's session from before the resume brings it
// back as itself, and since gives exactly the events it missed.
func TestRejoinWithSessionAfterResume(t *testing.T) {
	dataDir := t.TempDir()
	cfg := Config{Window: 50 * time.Millisecond, DataDir: dataDir, Agent: agent.Config{WorkDir: t.TempDir()}}
	h := startHost(t, cfg)
	inv := h.Invite()
	a := join(t, inv, "alice")
	if _, err := a.c.Prompt(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	a.waitFor(t, "turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	you := a.c.Hello().You
	last := a.c.LastSeq()
	a.c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h.Shutdown(ctx)

	r, err := OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.Ended {
		t.Error("a clean end was not recorded")
	}
	cfg.Resume, cfg.Listen = r, fmt.Sprintf("127.0.0.1:%d", inv.Port)
	h2 := startHost(t, cfg)
	res, err := h2.Party().Join(partyJoin(you.Session, last))
	if err != nil {
		t.Fatalf("session refused after the resume: %v", err)
	}
	if res.You.ID != you.ID || res.You.Name != "alice" {
		t.Errorf("came back as %+v, was %+v", res.You, you)
	}
	if len(res.State.Events) == 0 || res.State.Events[0].Seq != last+1 {
		t.Errorf("replay after since %d starts at %+v", last, res.State.Events)
	}
	for _, ev := range res.State.Events {
		if ev.Kind == wire.KindSystem && strings.Contains(ev.Text, "resumed") {
			return
		}
	}
	t.Errorf("no resumed notice in %+v", res.State.Events)
}

func partyJoin(session string, since int64) party.JoinRequest {
	return party.JoinRequest{Session: session, Since: since}
}

// TestRotatedInvitesSurviveAResume: after a rotation and a killed host, the resumed party
// takes the new invites and refuses the revoked ones (kick, then rotate, keeps someone out
// even across a crash). Rotated tokens are as strong as the first ones.
func TestRotatedInvitesSurviveAResume(t *testing.T) {
	dataDir := t.TempDir()
	cfg := Config{Window: 50 * time.Millisecond, DataDir: dataDir, Agent: agent.Config{WorkDir: t.TempDir()}}
	h := startHost(t, cfg)
	oldP, oldV := h.Invite(), h.ViewerInvite()
	owner, _, err := h.Party().JoinLocal("hosty", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.RotateInvite(context.Background()); err != nil {
		t.Fatal(err)
	}
	newP, newV := h.Invite(), h.ViewerInvite()
	if newP.Token == oldP.Token || newV.Token == oldV.Token {
		t.Fatal("the rotation changed nothing")
	}
	if len(newP.Token) != len(oldP.Token) || len(newV.Token) != len(oldP.Token) {
		t.Errorf("rotated tokens %q / %q are not like the first one %q", newP.Token, newV.Token, oldP.Token)
	}
	killHost(t, h, nil)

	r, err := OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Resume, cfg.Listen = r, fmt.Sprintf("127.0.0.1:%d", oldP.Port)
	h2 := startHost(t, cfg)
	if h2.Invite() != newP || h2.ViewerInvite() != newV {
		t.Fatalf("resumed with invites %s / %s, want the rotated %s / %s", h2.Invite(), h2.ViewerInvite(), newP, newV)
	}
	for _, tok := range []string{oldP.Token, oldV.Token} {
		if _, err := h2.Party().Join(party.JoinRequest{Name: "mallory", Token: tok}); !errors.Is(err, party.ErrUnauthorized) {
			t.Errorf("a revoked token after the resume: %v, want ErrUnauthorized", err)
		}
	}
	if _, err := h2.Party().Join(party.JoinRequest{Name: "bob", Token: newP.Token}); err != nil {
		t.Errorf("the rotated invite after the resume: %v", err)
	}
}

// TestResumeTakesTheLastWorkspaceLevel: the level a host set during the party wins over
// the one it started with; a journal that recorded neither resumes sharing nothing.
func TestResumeTakesTheLastWorkspaceLevel(t *testing.T) {
	dataDir, _, h, owner := treeHostWithOwner(t)
	if err := owner.SetWorkspace(context.Background(), wire.WorkspaceChanges); err != nil {
		t.Fatal(err)
	}
	r := stoppedResume(t, dataDir, h)
	if r.Summary.Settings.Workspace != wire.WorkspaceTree {
		t.Errorf("journal's start level %q, want tree", r.Summary.Settings.Workspace)
	}
	if got := r.WorkspaceLevel(); got != wire.WorkspaceChanges {
		t.Errorf("resume level %q, want changes (as the host last set it)", got)
	}
	r.Summary.Workspace, r.Summary.Settings.Workspace = "", "" // a journal from before either was kept
	if got := r.WorkspaceLevel(); got != wire.WorkspaceOff {
		t.Errorf("resume level with nothing recorded %q, want off", got)
	}
}

// TestResumeAfterAFailedSnapshotSharesAsBefore: the level a failed first snapshot forced
// (off, with share_error) is nobody's choice: the next resume shares what a host last chose,
// and tries the folder again (a tester's went quietly to off, once the folder was fixed).
func TestResumeAfterAFailedSnapshotSharesAsBefore(t *testing.T) {
	dataDir, _, h, owner := treeHostWithOwner(t)
	if err := owner.SetWorkspace(context.Background(), wire.WorkspaceChanges); err != nil {
		t.Fatal(err)
	}
	h.Party().WorkspaceFailed("the working directory is too large to track changes in: 20001 files")
	if err := owner.SetApproval(context.Background(), true); err != nil { // a later settings event, in that run
		t.Fatal(err)
	}
	r := stoppedResume(t, dataDir, h)
	if got := r.WorkspaceLevel(); got != wire.WorkspaceChanges {
		t.Errorf("resume level %q, want changes (as the host last chose it)", got)
	}
}

// TestResumeWithALowerLevelSticks: a party resumed with --share-workspace off after a host
// had set another level shares nothing on the next resume either (the last settings event
// said tree, and nothing said off).
func TestResumeWithALowerLevelSticks(t *testing.T) {
	dataDir, cfg, h, owner := treeHostWithOwner(t)
	if err := owner.SetApproval(context.Background(), true); err != nil { // a settings event: tree
		t.Fatal(err)
	}
	stopHost(t, h)
	port := h.Invite().Port
	for run, want := range []string{wire.WorkspaceOff, wire.WorkspaceOff} {
		r, err := OpenResume(dataDir, h.Party().ID(), 0)
		if err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.Resume, c.Listen, c.ShareWorkspace = r, fmt.Sprintf("127.0.0.1:%d", port), r.WorkspaceLevel()
		c.Approve = r.Restore.Approval // as the CLI restores it: no settings event for approval
		if run == 0 {
			c.ShareWorkspace = wire.WorkspaceOff // as --share-workspace off
		}
		h2 := startHost(t, c)
		if got := h2.Party().WorkspaceLevel(); got != want {
			t.Fatalf("resume %d shares %q, want %q", run+1, got, want)
		}
		stopHost(t, h2)
	}
}

// treeHostWithOwner starts a host that shares the whole tree, with its data directory, and
// its owner as an in-process member.
func treeHostWithOwner(t *testing.T) (string, Config, *Host, *party.Local) {
	t.Helper()
	dataDir := t.TempDir()
	cfg := Config{Window: 50 * time.Millisecond, DataDir: dataDir, Agent: agent.Config{WorkDir: t.TempDir()},
		ShareWorkspace: wire.WorkspaceTree}
	h := startHost(t, cfg)
	owner, _, err := h.Party().JoinLocal("hosty", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	return dataDir, cfg, h, owner
}

// stopHost shuts h down cleanly (20 s at most).
// stoppedResume stops h and opens its party's resume (closed at the test's end).
func stoppedResume(t *testing.T, dataDir string, h *Host) *Resume {
	t.Helper()
	stopHost(t, h)
	r, err := OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func stopHost(t *testing.T, h *Host) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// killHost stops h and leaves its journal as a killed host leaves it: as it was on disk
// before the stop (then after runs, if given: what happens "after the kill" but before
// the process is gone, such as a participant closing).
func killHost(t *testing.T, h *Host, after func()) {
	t.Helper()
	path := h.TranscriptPath()
	killed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if after != nil {
		after()
	}
	stopHost(t, h)
	if err := os.WriteFile(path, killed, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestResumeAfterTheEndSaysTheyLeftWithIt: the host who ended the party (its own member,
// in the window or the terminal, is still there at the end) was told "you were
// disconnected when the host stopped" once it was resumed (found by a tester). It was
// there at the end: the resumed party says so, with why party_ended, and with the end's
// time (another tester's journal had the resume's).
func TestResumeAfterTheEndSaysTheyLeftWithIt(t *testing.T) {
	dataDir := t.TempDir()
	cfg := Config{Window: 50 * time.Millisecond, DataDir: dataDir, Agent: agent.Config{WorkDir: t.TempDir()}}
	h := startHost(t, cfg)
	inv := h.Invite()
	if _, _, err := h.Party().JoinLocal("hosty", wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	stopHost(t, h) // a clean end, the host's own member still in the party
	r, err := OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.Ended || !r.Restore.Ended || len(r.Restore.Live) != 1 || r.Summary.EndedAt.IsZero() {
		t.Fatalf("ended %v / %v at %v, live %v", r.Summary.Ended, r.Restore.Ended, r.Summary.EndedAt, r.Restore.Live)
	}
	endedAt := r.Summary.EndedAt
	cfg.Resume, cfg.Listen = r, fmt.Sprintf("127.0.0.1:%d", inv.Port)
	time.Sleep(10 * time.Millisecond) // the resume's time is not the end's
	resumedAt := time.Now()
	h2 := startHost(t, cfg)
	bob := join(t, inv, "bob")
	bob.waitFor(t, "the host's leaving, as it was", func(e []wire.Event) bool {
		for _, ev := range e {
			if ev.Kind == wire.KindParticipants && ev.Left != nil && ev.Left.Name == "hosty" {
				if ev.Why != wire.WhyPartyEnded || ev.Text != "hosty left when the party ended" {
					t.Fatalf("the host's left event after the resume: why %q, text %q", ev.Why, ev.Text)
				}
				// At the end; or a moment after it, where events of the ending (members
				// leaving as their connections closed) came after the ended record: event
				// times never go back (a CI run's was 1.3 ms after it).
				if ev.TS.Before(endedAt) || !ev.TS.Before(resumedAt) {
					t.Fatalf("the host's left event after the resume is at %v, not at the end (%v; resumed at %v)", ev.TS, endedAt, resumedAt)
				}
				return true
			}
		}
		return false
	})
	stopHost(t, h2)
}

// TestResumeWithASessionClaudeNoLongerKnows: a party resumed where claude no longer has its
// conversation (another HOME, ~/.claude cleared: "No conversation found with session ID")
// failed every batch for good, each told to be sent again (a tester's, with the real
// Claude Code). It now starts claude on a new session, says the earlier context is lost,
// and answers. TestRealClaudeResumeOfAForgottenSession is this with the real binary.
func TestResumeWithASessionClaudeNoLongerKnows(t *testing.T) {
	sessions := t.TempDir()
	resumeForgotten(t, []string{"FAKECLAUDE_SESSIONS=" + sessions}, "", func() {
		if err := os.RemoveAll(sessions); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(sessions, 0o700); err != nil {
			t.Fatal(err)
		}
	})
}

// oneTurnThenStop hosts a party with cfg, has a member's prompt answered, and stops the
// host: its journal and claude's session are there to resume.
func oneTurnThenStop(t *testing.T, cfg Config) {
	t.Helper()
	h := startHost(t, cfg)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), "before the stop"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the first turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	alice.c.Close()
	stopHost(t, h)
}

// resumeForgotten runs a turn in a party, stops its host, calls forget (claude loses the
// conversation), resumes the party, and checks that the next prompt is answered on a new
// session, with the party told so.
func resumeForgotten(t *testing.T, env []string, claude string, forget func()) {
	t.Helper()
	dataDir := t.TempDir()
	cfg := Config{
		Window: 100 * time.Millisecond, DataDir: dataDir, MergeMode: "local",
		Agent: agent.Config{Path: claude, WorkDir: t.TempDir(), Env: env},
	}
	oneTurnThenStop(t, cfg)
	forget()
	r, err := OpenResume(dataDir, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.AgentSession == "" {
		t.Fatal("the journal has no agent session to resume")
	}
	cfg.Resume = r
	h2 := startHost(t, cfg)
	bob := join(t, h2.Invite(), "bob")
	if _, err := bob.c.Prompt(context.Background(), "after the resume"); err != nil {
		t.Fatal(err)
	}
	// The turn of the batch that carries the prompt.
	turnAfter := func(e []wire.Event) *wire.Turn {
		var batch string
		for _, ev := range e {
			switch {
			case ev.Kind == wire.KindBatch && strings.Contains(ev.Batch.Merged, "after the resume"):
				batch = ev.Batch.ID
			case ev.Kind == wire.KindTurn && batch != "" && ev.Turn.Batch == batch:
				return ev.Turn
			}
		}
		return nil
	}
	evs := bob.waitFor(t, "the turn after the resume", func(e []wire.Event) bool { return turnAfter(e) != nil })
	if tr := turnAfter(evs); tr.Status != wire.TurnDone {
		t.Fatalf("the turn after the resume: %+v; errors %+v", tr, kinds(evs, wire.KindError))
	}
	var told bool
	for _, ev := range kinds(evs, wire.KindSystem) {
		told = told || strings.Contains(ev.Text, "could not resume claude's session; started a new one (earlier context is lost)")
	}
	if !told {
		t.Errorf("the party was not told of the new session: %+v", kinds(evs, wire.KindSystem))
	}
}

// TestResumeKeepsTheSessionWhenClaudeFailsForAnotherReason: a resumed party's claude that
// fails to start for a reason other than an unknown session keeps its conversation: the
// batch is reported unsent, and the next one resumes the same session (a reviewer's: any
// exit at the first start threw the conversation away).
func TestResumeKeepsTheSessionWhenClaudeFailsForAnotherReason(t *testing.T) {
	dataDir := t.TempDir()
	logFile, marker := filepath.Join(t.TempDir(), "claude.log"), filepath.Join(t.TempDir(), "fail-once")
	cfg := Config{
		Window: 100 * time.Millisecond, DataDir: dataDir, MergeMode: "local",
		Agent: agent.Config{WorkDir: t.TempDir(), Env: []string{"FAKECLAUDE_LOG=" + logFile, "FAKECLAUDE_FAIL_START_ONCE=" + marker}},
	}
	oneTurnThenStop(t, cfg)
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := OpenResume(dataDir, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	session := r.Summary.AgentSession
	cfg.Resume = r
	h2 := startHost(t, cfg)
	bob := join(t, h2.Invite(), "bob")
	for i, text := range []string{"first after the resume", "second after the resume"} {
		if _, err := bob.c.Prompt(context.Background(), text); err != nil {
			t.Fatal(err)
		}
		bob.waitFor(t, text, func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) >= 2+i })
	}
	evs := bob.waitFor(t, "the turns", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) >= 3 })
	for _, ev := range kinds(evs, wire.KindSystem) {
		if strings.Contains(ev.Text, "started a new one") {
			t.Errorf("a new session after another failure: %q", ev.Text)
		}
	}
	if last := kinds(evs, wire.KindTurn); last[len(last)-1].Turn.Status != wire.TurnDone {
		t.Errorf("the last turn: %+v", last[len(last)-1].Turn)
	}
	raw, _ := os.ReadFile(logFile)
	if n := strings.Count(string(raw), `"--resume","`+session+`"`); n < 1 {
		t.Errorf("claude did not resume session %s after the failed start:\n%s", session, raw)
	}
}

// TestResumeAfterALostTail: a journal whose end a power loss took (here: its last events
// cut off, and a torn line left) no longer holds events a member saw. The resumed party
// numbers its events past what can have been lost, so a member rejoining with since gets
// them all, the resume's notice first, saying why; and one that saw less still gets what
// the journal kept. A durability tester's members dropped the resume's events, whose seqs
// they already had.
func TestResumeAfterALostTail(t *testing.T) {
	dataDir := t.TempDir()
	cfg := Config{Window: 50 * time.Millisecond, DataDir: dataDir, Agent: agent.Config{WorkDir: t.TempDir()}}
	h := startHost(t, cfg)
	inv := h.Invite()
	a := join(t, inv, "alice")
	for i := range 2 {
		if _, err := a.c.Prompt(context.Background(), fmt.Sprintf("prompt %d", i)); err != nil {
			t.Fatal(err)
		}
		a.waitFor(t, "turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == i+1 })
	}
	you, last := a.c.Hello().You, a.c.LastSeq()
	path := h.TranscriptPath()
	killHost(t, h, func() { a.c.Close() })
	// The power loss: the last 5 event lines were never on the disk, and the one before
	// them only in part.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(raw), "\n"), "\n")
	cut, dropped := len(lines), 0
	for cut > 0 && dropped < 6 {
		cut--
		if strings.HasPrefix(lines[cut], `{"type":"event"`) {
			dropped++
		}
	}
	kept := strings.Join(lines[:cut], "") + lines[cut][:len(lines[cut])/2]
	if err := os.WriteFile(path, []byte(kept), 0o600); err != nil {
		t.Fatal(err)
	}

	r, err := OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.LostTail || r.Summary.LastSeq >= last {
		t.Fatalf("the journal after the loss: last seq %d (alice saw %d), lost tail %v", r.Summary.LastSeq, last, r.Summary.LostTail)
	}
	journaled := r.Summary.LastSeq
	cfg.Resume, cfg.Listen = r, fmt.Sprintf("127.0.0.1:%d", inv.Port)
	h2 := startHost(t, cfg)
	res, err := h2.Party().Join(partyJoin(you.Session, last))
	if err != nil {
		t.Fatalf("alice's session after the resume: %v", err)
	}
	evs := res.State.Events
	if len(evs) == 0 || evs[0].Seq <= last {
		t.Fatalf("alice (since %d) is replayed from %+v", last, evs)
	}
	found := false
	for _, ev := range evs {
		found = found || ev.Kind == wire.KindSystem && strings.Contains(ev.Text, party.LostTailNotice)
	}
	if !found {
		t.Fatalf("alice was not told why: %+v", evs)
	}
	// Someone who saw less gets what the journal kept, then the resumed party's events.
	bob, err := h2.Party().Join(party.JoinRequest{Name: "bob", Token: inv.Token, Since: journaled - 2})
	if err != nil {
		t.Fatal(err)
	}
	wantAfter := func(t *testing.T, who string, evs []wire.Event) {
		t.Helper()
		if len(evs) < 3 || evs[0].Seq != journaled-1 || evs[1].Seq != journaled || evs[2].Seq != journaled+journal.MaxUnsynced+1 {
			t.Fatalf("%s (since %d) is replayed %+v", who, journaled-2, evs[:min(3, len(evs))])
		}
		for i := 3; i < len(evs); i++ {
			if evs[i].Seq != evs[i-1].Seq+1 {
				t.Fatalf("%s is replayed seq %d after %d", who, evs[i].Seq, evs[i-1].Seq)
			}
		}
	}
	wantAfter(t, "bob", bob.State.Events)
	// Resumed again (the gap is in the journal now): replays across it are as whole.
	killHost(t, h2, nil)
	r, err = OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.LostTail {
		t.Fatal("a killed host on a machine that stayed up: lost tail")
	}
	cfg.Resume = r
	h3 := startHost(t, cfg)
	carol, err := h3.Party().Join(party.JoinRequest{Name: "carol", Token: inv.Token, Since: journaled - 2})
	if err != nil {
		t.Fatal(err)
	}
	wantAfter(t, "carol", carol.State.Events)
	after := journaled + journal.MaxUnsynced + 2 // one who saw the resumed run's first events
	dave, err := h3.Party().Join(party.JoinRequest{Name: "dave", Token: inv.Token, Since: after})
	if err != nil {
		t.Fatal(err)
	}
	if evs := dave.State.Events; len(evs) == 0 || evs[0].Seq != after+1 {
		t.Fatalf("dave (since %d) is replayed from %+v", after, evs[:min(1, len(evs))])
	}
}

// TestResumeAfterTheJournalWasCutShort: a full disk stopped the journal while the party
// went on — a slow batch ran and finished, and the prompt asked during it was answered —
// and the host then stopped. The journal ends with that batch running and that prompt
// waiting; its cut mark names a floor past every event sent. The resumed party numbers
// its events past the floor, so a member rejoining with since gets them all; it says
// what was lost, withdraws the waiting prompt and runs nothing again (both were answered,
// and the agent would have done the work twice); and it goes on. A durability tester's
// party could never be resumed once its journal fell behind.
func TestResumeAfterTheJournalWasCutShort(t *testing.T) {
	dataDir, work := t.TempDir(), t.TempDir()
	logFile := filepath.Join(t.TempDir(), "claude.log")
	cfg := Config{
		Window: 100 * time.Millisecond, DataDir: dataDir, MergeMode: "local",
		Agent: agent.Config{WorkDir: work, Env: []string{"FAKECLAUDE_LOG=" + logFile}},
	}
	h := startHost(t, cfg)
	inv := h.Invite()
	alice := join(t, inv, "alice")
	if _, err := alice.c.Prompt(context.Background(), "FAKE_SLOW=1500 slow one"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the slow turn to start", func(e []wire.Event) bool { return len(kinds(e, wire.KindBatch)) == 1 })
	pending, err := alice.c.Prompt(context.Background(), "asked during the slow turn")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the prompt event", func(e []wire.Event) bool { return e[len(e)-1].Seq >= pending.Seq })
	path := h.TranscriptPath()
	cut, err := os.ReadFile(path) // the journal when the disk filled
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "both answered", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 2 })
	you, last := alice.c.Hello().You, alice.c.LastSeq()
	killHost(t, h, func() { alice.c.Close() })
	// What a Writer leaves when its journal is behind at the stop (journal/cutmark.go):
	// the journal as it was, read-only, an empty mark beside it, and the cut mark naming a
	// floor past every event sent.
	floor := last + 50
	if err := os.WriteFile(path, cut, 0o400); err != nil {
		t.Fatal(err)
	}
	for _, mark := range []string{path + ".incomplete", fmt.Sprintf("%s.cut-%d", path, floor)} {
		if err := os.WriteFile(mark, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	r, err := OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatalf("a journal cut short with its cut mark: %v", err)
	}
	if !r.Summary.LostEnd || r.Restore.Unfinished == nil || len(r.Restore.Pending) != 1 || r.Restore.Seq+r.Restore.Gap != floor {
		t.Fatalf("the journal cut short read as: lost end %v, unfinished %v, pending %v, seq %d + gap %d (floor %d)",
			r.Summary.LostEnd, r.Restore.Unfinished, r.Restore.Pending, r.Restore.Seq, r.Restore.Gap, floor)
	}
	cfg.Resume, cfg.Listen = r, fmt.Sprintf("127.0.0.1:%d", inv.Port)
	h2 := startHost(t, cfg)
	res, err := h2.Party().Join(partyJoin(you.Session, last))
	if err != nil {
		t.Fatalf("alice's session after the resume: %v", err)
	}
	evs := res.State.Events
	if len(evs) == 0 || evs[0].Seq != floor+1 {
		t.Fatalf("alice (since %d) is replayed from %+v, want seq %d first", last, evs, floor+1)
	}
	var notice string
	for _, ev := range evs {
		switch ev.Kind {
		case wire.KindSystem:
			if strings.HasPrefix(ev.Text, "the party was resumed") {
				notice = ev.Text
			}
		case wire.KindRetry, wire.KindBatch:
			t.Errorf("the resumed party ran something again: %+v", ev)
		}
	}
	for _, want := range []string{party.LostEndPrefix + " (was the disk full?)", "the request that was running then, “FAKE_SLOW=1500 slow one”, is not sent again", "1 prompt waiting then is withdrawn"} {
		if !strings.HasPrefix(notice, party.LostEndPrefix) || !strings.Contains(notice, want) {
			t.Errorf("the resume's notice %q lacks %q", notice, want)
		}
	}
	if w := kinds(evs, wire.KindWithdrawn); len(w) != 1 || w[0].Withdrawn.Prompt != pending.ID {
		t.Errorf("withdrawn: %+v, want the waiting prompt %s", w, pending.ID)
	}
	if len(res.State.Pending) != 0 || res.State.Phase != wire.PhaseIdle {
		t.Errorf("after the resume: pending %+v, phase %s", res.State.Pending, res.State.Phase)
	}
	// Stopped, and resumed once more before anything else ran: what was unanswered at the
	// cut stays so (a reviewer's second resume ran the slow batch again: it still had no
	// turn in the journal, and no batch since had taken its place).
	stopHost(t, h2)
	r, err = OpenResume(dataDir, h.Party().ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.LostEnd || r.Restore.Unfinished != nil || len(r.Restore.Pending) != 0 || r.Restore.Failed != "" {
		t.Fatalf("the second resume would take up: unfinished %v, pending %v, failed %q", r.Restore.Unfinished, r.Restore.Pending, r.Restore.Failed)
	}
	cfg.Resume = r
	h3 := startHost(t, cfg)
	// The party goes on.
	bob := join(t, inv, "bob")
	if _, err := bob.c.Prompt(context.Background(), "after the resume"); err != nil {
		t.Fatal(err)
	}
	bob.waitFor(t, "the answer", func(e []wire.Event) bool {
		return strings.Contains(reply(e), "echo: after the resume") && len(kinds(e, wire.KindTurn)) == 1
	})
	stopHost(t, h3)
	var batches []string
	s, err := journal.Read(path, func(ev wire.Event, _ json.RawMessage) {
		switch ev.Kind {
		case wire.KindBatch:
			batches = append(batches, ev.Batch.Merged)
		case wire.KindRetry:
			t.Errorf("a retry in the journal: %+v", ev)
		}
	})
	if err != nil || s.LostEnd || s.Incomplete {
		t.Fatalf("the journal after the resumed runs: %+v, %v", s, err)
	}
	if len(batches) != 2 || !strings.Contains(batches[1], "after the resume") {
		t.Errorf("batches in the journal: %q, want the slow one and bob's", batches)
	}
	raw, _ := os.ReadFile(logFile)
	for _, asked := range []string{"asked during the slow turn", "slow one"} {
		if n := strings.Count(string(raw), asked); n != 1 {
			t.Errorf("the agent was asked %q %d times, want once (before the cut):\n%s", asked, n, raw)
		}
	}
}

// TestResumeKnowsTheTurnThePartysEndCut: the journal's last turn, cut short when the party
// ended, reaches the resumed party (party.Restore.EndCut), whose notice says it is not
// run again; the resume said nothing of it (a tester's).
func TestResumeKnowsTheTurnThePartysEndCut(t *testing.T) {
	dataDir := t.TempDir()
	w, err := journal.Create(dataDir, journal.Header{Party: "aaaaaaaaaaaa", Host: "hosty", Created: time.Now(), Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range []wire.Event{
		{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "alice", Text: "tidy the docs"}},
		{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "tidy the docs", Merger: "local"}},
		{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded}},
	} {
		ev.Seq, ev.TS = int64(i+1), time.Now()
		raw, _ := json.Marshal(ev)
		if err := w.Event(ev, raw); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	r, err := OpenResume(dataDir, "aaaaaaaaaaaa", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if c := r.Restore.EndCut; c == nil || c.Batch != "b1" || len(c.By) != 1 || c.By[0] != "alice" {
		t.Fatalf("Restore.EndCut = %+v, want b1 by alice", c)
	}
	if r.Restore.Unfinished != nil {
		t.Fatalf("the turn the end cut would run again: %+v", r.Restore.Unfinished)
	}
}
