package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// watcher is a participant's client.Client that records every event it is given.
type watcher struct {
	mu   sync.Mutex
	evs  []wire.Event
	seen map[int64]int
	wake chan struct{}
}

func (w *watcher) on(ev wire.Event) {
	w.mu.Lock()
	w.evs = append(w.evs, ev)
	w.seen[ev.Seq]++
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) wait(t *testing.T, what string, pred func([]wire.Event) bool) []wire.Event {
	t.Helper()
	deadline := time.After(45 * time.Second)
	for {
		w.mu.Lock()
		evs := append([]wire.Event(nil), w.evs...)
		w.mu.Unlock()
		if pred(evs) {
			return evs
		}
		select {
		case <-w.wake:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; %d events", what, len(evs))
		}
	}
}

// watch joins inv's party as name with a client that records every event and reconnects
// every 300 ms; it leaves when the test ends.
func watch(t *testing.T, inv invite.Invite, name string) (*watcher, *client.Client) {
	t.Helper()
	w := &watcher{seen: map[int64]int{}, wake: make(chan struct{}, 1)}
	c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: name, OnEvent: w.on,
		Backoff: []time.Duration{300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return w, c
}

func assistant(evs []wire.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant {
			b.WriteString(ev.Text)
		}
	}
	return b.String()
}

// killedMidTurn is a party of `concordia host --no-local-repl` in dataDir, with alice (w,
// c) in it, SIGKILLed while alice's slow prompt runs and her second one waits: the
// invites it printed, and the waiting prompt.
type killedMidTurn struct {
	dataDir, line, viewer string
	w                     *watcher
	c                     *client.Client
	waiting               wire.PromptResult
}

func killMidTurn(t *testing.T) killedMidTurn {
	t.Helper()
	k := killedMidTurn{dataDir: t.TempDir()}
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--claude", fakeClaudePath(t), "--data-dir", k.dataDir,
		"--workdir", t.TempDir(), "--window", "200ms", "--name", "hosty", "--no-local-repl")
	k.line = h.expect(`^invite code: (concordia://\S+)$`)[0]
	k.viewer = h.expect(`^viewer invite: (concordia://\S+)$`)[0]
	inv, err := invite.Parse(strings.TrimPrefix(k.line, "invite code: "))
	if err != nil {
		t.Fatal(err)
	}
	k.w, k.c = watch(t, inv, "alice")
	ctx := context.Background()
	if _, err := k.c.Prompt(ctx, "FAKE_SLOW=4000 the slow one"); err != nil {
		t.Fatal(err)
	}
	k.w.wait(t, "the slow turn streaming", func(evs []wire.Event) bool { return strings.Contains(assistant(evs), "echo") })
	if k.waiting, err = k.c.Prompt(ctx, "asked while it ran"); err != nil {
		t.Fatal(err)
	}
	k.w.wait(t, "the prompt event", func(evs []wire.Event) bool { return strings.Count(dumpKinds(evs), "prompt") >= 2 })
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.wait()
	return k
}

// TestHostKilledAndResumed: `concordia host` is SIGKILLed in the middle of a turn, with a
// prompt acknowledged and waiting; `concordia host --resume` brings the party back on the
// same invite, the participant's client reconnects by itself with its session and loses
// nothing (no seq gap, no event twice), the interrupted batch and the waiting prompt are
// both answered, and `concordia parties` and `concordia export` show the party.
func TestHostKilledAndResumed(t *testing.T) {
	k := killMidTurn(t)
	dataDir, line, viewer, w, c := k.dataDir, k.line, k.viewer, k.w, k.c
	// `parties` says what it left unanswered (a tester found the table silent on it).
	stopped := start(t, nil, "parties", "--data-dir", dataDir)
	if stopped.wait() != 0 || !regexp.MustCompile(`(?m)^[0-9a-f]{12}: 1 prompt never reached the agent, and its last turn was cut short; `+
		"`concordia host --resume [0-9a-f]{12} --data-dir \\S+` takes them up again \\(`concordia host --resume [0-9a-f]{12} --data-dir \\S+ --without-unanswered` resumes without them\\)$").MatchString(stopped.stdout()) {
		t.Errorf("parties after the kill:\n%s", stopped.stdout())
	}

	r := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl")
	if got := r.expect(`^invite code: (concordia://\S+)$`)[0]; got != line {
		t.Fatalf("invite after the resume %q, was %q", got, line)
	}
	if got := r.expect(`^viewer invite: (concordia://\S+)$`)[0]; got != viewer {
		t.Fatalf("viewer invite after the resume %q, was %q", got, viewer)
	}
	evs := w.wait(t, "both answers after the resume", func(evs []wire.Event) bool {
		a := assistant(evs)
		return strings.Contains(a, "asked while it ran") && strings.Count(dumpKinds(evs), "turn") >= 2
	})
	checkAgainstJournal(t, dataDir, w)
	d := dumpKinds(evs)
	if !strings.Contains(d, "retry") {
		t.Errorf("no retry of the interrupted batch: %s", d)
	}
	resumed := false
	for _, ev := range evs {
		resumed = resumed || ev.Kind == wire.KindSystem && strings.Contains(ev.Text, "the party was resumed")
	}
	if !resumed {
		t.Error("no \"the party was resumed\" notice")
	}
	if c.Hello().You.Name != "alice" {
		t.Errorf("came back as %+v", c.Hello().You)
	}
	last := evs[len(evs)-1].Seq

	// While it runs, `parties` says so.
	partyID := strings.TrimSuffix(onlyJournal(t, dataDir), ".jsonl")
	ps := start(t, nil, "parties", "--data-dir", dataDir)
	if ps.wait() != 0 || !strings.Contains(ps.stdout(), partyID) || !strings.Contains(ps.stdout(), "running") {
		t.Errorf("parties while running:\n%s", ps.stdout())
	}
	// And its export says it still runs (a tester's read as the whole party).
	if live := start(t, nil, "export", partyID, "--data-dir", dataDir); live.wait() != 0 || !strings.Contains(live.stdout(), "**Still running** when exported at ") {
		t.Errorf("export while running:\n%s", live.stdout())
	}
	c.Close()
	r.cmd.Process.Signal(os.Interrupt)
	if code := r.wait(); code != 0 {
		t.Fatalf("resumed host exited %d", code)
	}

	ps = start(t, nil, "parties", "--data-dir", dataDir)
	if ps.wait() != 0 || !strings.Contains(ps.stdout(), partyID) || !strings.Contains(ps.stdout(), "ended") ||
		!strings.Contains(ps.stdout(), "hosty's party") {
		t.Errorf("parties after the end:\n%s", ps.stdout())
	}
	md := start(t, nil, "export", partyID, "--data-dir", dataDir)
	if md.wait() != 0 {
		t.Fatalf("export: %s", md.stderr())
	}
	for _, want := range []string{"**alice**", "the slow one", "asked while it ran", "the party was resumed", "**How it ended:** the host ended the party"} {
		if !strings.Contains(md.stdout(), want) {
			t.Errorf("export lacks %q", want)
		}
	}
	if strings.Contains(md.stdout(), "Still running") {
		t.Errorf("the export of the ended party says it still runs:\n%s", md.stdout())
	}
	out := filepath.Join(t.TempDir(), "events.jsonl")
	js := start(t, nil, "export", partyID, "--format", "jsonl", "-o", out, "--data-dir", dataDir)
	if js.wait() != 0 {
		t.Fatalf("export jsonl: %s", js.stderr())
	}
	b, _ := os.ReadFile(out)
	if n := strings.Count(string(b), "\n"); int64(n) < last {
		t.Errorf("jsonl export has %d events, the participant saw %d", n, last)
	}
	// -o never replaces a journal: naming the party's own emptied it before it was read.
	journalPath := filepath.Join(dataDir, "parties", partyID+".jsonl")
	before, _ := os.ReadFile(journalPath)
	link := filepath.Join(t.TempDir(), "link.jsonl")
	if err := os.Symlink(journalPath, link); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{journalPath, link, filepath.Join(dataDir, "parties", "copy.md")} {
		p := start(t, nil, "export", partyID, "-o", o, "--data-dir", dataDir)
		if p.wait() != 2 || !strings.Contains(p.stderr(), "is in the folder that keeps the parties' journals") {
			t.Errorf("export -o %s: exit %d, %q", o, p.code, p.stderr())
		}
	}
	if after, _ := os.ReadFile(journalPath); !bytes.Equal(after, before) {
		t.Errorf("the journal changed: %d bytes, was %d", len(after), len(before))
	}
	if _, err := os.Stat(filepath.Join(dataDir, "parties", "copy.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was made among the journals: %v", err)
	}
	// An existing file is replaced whole; a folder that is not there is a sentence, exit 1.
	if err := os.WriteFile(out, []byte("an older export, longer than the one replacing it\n"+strings.Repeat("x", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := start(t, nil, "export", partyID, "--format", "jsonl", "-o", out, "--data-dir", dataDir); p.wait() != 0 {
		t.Fatalf("export over a file: %s", p.stderr())
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, b) {
		t.Errorf("export over an older file: %d bytes, want the %d of the first export", len(again), len(b))
	}
	// A pipe is written to as it is (/dev/stdout here is the test's pipe).
	if p := start(t, nil, "export", partyID, "-o", "/dev/stdout", "--data-dir", dataDir); p.wait() != 0 || !strings.Contains(p.stdout(), "**alice**") {
		t.Errorf("export -o /dev/stdout: exit %d, %q", p.code, p.stderr())
	}
	if p := start(t, nil, "export", partyID, "-o", filepath.Join(t.TempDir(), "no", "such.md"), "--data-dir", dataDir); p.wait() != 1 || !strings.Contains(p.stderr(), "does not exist") {
		t.Errorf("export -o into no folder: exit %d, %q", p.code, p.stderr())
	}
	for _, bad := range [][]string{{"export"}, {"export", "x", "--format", "pdf"}, {"parties", "extra"}} {
		if p := start(t, nil, append(bad, "--data-dir", dataDir)...); p.wait() != 2 {
			t.Errorf("%v: exit %d, want 2", bad, p.code)
		}
	}
	if p := start(t, nil, "export", "nosuchparty", "--data-dir", dataDir); p.wait() != 1 || !strings.Contains(p.stderr(), "no party") {
		t.Errorf("unknown party: exit %d, %q", p.code, p.stderr())
	}
}

// TestResumedWithoutTheUnanswered: `concordia host --resume --without-unanswered` after a
// kill in the middle of a turn, with a prompt waiting: the turn ends, failed, and is not run
// again, the prompt is withdrawn, the party is told both, and the agent's next request
// comes with the word not to go on with the one its session holds.
func TestResumedWithoutTheUnanswered(t *testing.T) {
	if p := start(t, nil, "host", "--without-unanswered", "--listen", "127.0.0.1:0"); p.wait() != 2 || !strings.Contains(p.stderr(), "--without-unanswered needs --resume") {
		t.Errorf("--without-unanswered alone: exit %d, %q", p.code, p.stderr())
	}
	k := killMidTurn(t)
	dataDir, w, c, waiting, ctx := k.dataDir, k.w, k.c, k.waiting, context.Background()
	before := len(w.wait(t, "", func([]wire.Event) bool { return true }))

	r := start(t, nil, "host", "--resume", "--without-unanswered", "--data-dir", dataDir, "--no-local-repl")
	r.expect(`^invite code: (concordia://\S+)$`)
	// The cut turn's end comes first, the notice and the withdrawal after it: waited for too
	// (at the turn alone, a loaded machine's run had neither yet).
	evs := w.wait(t, "the cut turn's end and the withdrawal", func(evs []wire.Event) bool {
		k := dumpKinds(evs[before:])
		return strings.Contains(k, "turn") && strings.Contains(k, "withdrawn")
	})[before:]
	var turn *wire.Turn
	var withdrawn *wire.Withdrawn
	notice := ""
	for _, ev := range evs {
		switch {
		case ev.Kind == wire.KindTurn:
			turn = ev.Turn
		case ev.Kind == wire.KindWithdrawn:
			withdrawn = ev.Withdrawn
		case ev.Kind == wire.KindSystem && strings.HasPrefix(ev.Text, "the party was resumed"):
			notice = ev.Text
		case ev.Kind == wire.KindRetry:
			t.Errorf("the cut turn was sent again: %+v", ev)
		}
	}
	if turn == nil || turn.Status != wire.TurnError || turn.Error != party.NotRunAgain || turn.DurationMS <= 0 {
		t.Errorf("the cut turn ended as %+v", turn)
	}
	if withdrawn == nil || withdrawn.Prompt != waiting.ID || withdrawn.By != "hosty" {
		t.Errorf("the waiting prompt: %+v", withdrawn)
	}
	if !strings.Contains(notice, "its host chose not to take up what was left unanswered; the request that was running when the host stopped, “FAKE_SLOW=4000 the slow one”, is not sent again; 1 prompt waiting then is withdrawn") {
		t.Errorf("the notice: %q", notice)
	}
	if _, err := c.Prompt(ctx, "what now"); err != nil {
		t.Fatal(err)
	}
	evs = w.wait(t, "the next turn", func(evs []wire.Event) bool { return strings.Count(dumpKinds(evs[before:]), "turn") >= 2 })[before:]
	a := assistant(evs)
	if !strings.Contains(a, "echo: [Concordia: the request before this one failed ("+party.NotRunAgain+")") || !strings.Contains(a, "what now") ||
		strings.Contains(a, "asked while it ran") || strings.Contains(a, "the slow one") {
		t.Errorf("the agent's reply after the resume: %q", a)
	}
	checkAgainstJournal(t, dataDir, w)
	// The host's terminal says what the resume did as it happens, under "— live —", not
	// with the party's past above it (a tester read it as history).
	r.expect(`the party was resumed: its host chose not to take up`)
	out := r.stdout()
	if live, said := strings.Index(out, "— live —"), strings.Index(out, "its host chose not to take up"); live < 0 || said < live ||
		!strings.Contains(out[live:], "alice's prompt is withdrawn: the party was resumed without it") ||
		!strings.Contains(out[live:], "the turn cut short when the host stopped") || !strings.Contains(out[live:], "is not run again") || strings.Contains(out[live:], "failed after") {
		t.Errorf("the resumed host's terminal:\n%s", out)
	}
	r.cmd.Process.Signal(os.Interrupt)
	if code := r.wait(); code != 0 {
		t.Fatalf("resumed host exited %d", code)
	}
}

func dumpKinds(evs []wire.Event) string {
	k := make([]string, len(evs))
	for i, ev := range evs {
		k[i] = ev.Kind
	}
	return strings.Join(k, ",")
}

func onlyJournal(t *testing.T, dataDir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dataDir, "parties", "*.jsonl"))
	if len(m) != 1 {
		t.Fatalf("journals: %v", m)
	}
	return filepath.Base(m[0])
}

// checkAgainstJournal: the participant got each event once, seq rising, and nothing the
// host sent is missing. A connection may merge consecutive output events into the last of
// them (a busy connection's fan-out), so output is compared as text per stream; every
// other event must be there with its own seq.
func checkAgainstJournal(t *testing.T, dataDir string, w *watcher) {
	t.Helper()
	w.mu.Lock()
	got := append([]wire.Event(nil), w.evs...)
	w.mu.Unlock()
	have := map[int64]wire.Event{}
	var gotText strings.Builder
	for i, ev := range got {
		if i > 0 && ev.Seq <= got[i-1].Seq {
			t.Fatalf("seq %d after %d: a repeat or out of order", ev.Seq, got[i-1].Seq)
		}
		have[ev.Seq] = ev
		if ev.Kind == wire.KindOutput {
			gotText.WriteString(ev.Stream + ":" + ev.Text)
		}
	}
	last := got[len(got)-1].Seq
	var wantText strings.Builder
	_, err := journal.Read(filepath.Join(dataDir, "parties", onlyJournal(t, dataDir)), func(ev wire.Event, _ json.RawMessage) {
		if ev.Seq > last {
			return
		}
		if ev.Kind == wire.KindOutput {
			wantText.WriteString(ev.Stream + ":" + ev.Text)
			return
		}
		if g, ok := have[ev.Seq]; !ok || g.Kind != ev.Kind {
			t.Errorf("the participant lacks event %d (%s): a gap", ev.Seq, ev.Kind)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ReplaceAll(gotText.String(), "assistant:", "") != strings.ReplaceAll(wantText.String(), "assistant:", "") {
		t.Errorf("output differs:\n got %q\nwant %q", gotText.String(), wantText.String())
	}
}

// TestResumeKeepsWorkspaceSharing: `host --resume` without --share-workspace shares what
// the party shared, neither more nor less. It used to come back at the flag's default,
// changes: a party started with off then served diffs of the host's files.
func TestResumeKeepsWorkspaceSharing(t *testing.T) {
	for _, level := range []string{wire.WorkspaceOff, wire.WorkspaceTree} {
		t.Run(level, func(t *testing.T) {
			dataDir, work := t.TempDir(), t.TempDir()
			h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t),
				"--data-dir", dataDir, "--workdir", work, "--no-local-repl", "--share-workspace", level)
			line := h.expect(`^invite code: (concordia://\S+)$`)[1]
			// The host is told what everyone may see as the party starts; everyone is told
			// when it is the whole folder.
			// A party that cannot share says so, not how to share (a tester's /share was
			// refused after that hint).
			said := `^\[system\] the party sees nothing of the working directory, and cannot in this run: it runs with --share-workspace off \(a --resume with --share-workspace changes shares it\)$`
			if level == wire.WorkspaceTree {
				h.expect(`^\[system\] ` + regexp.QuoteMeta(party.TreeNotice) + `$`)
			} else {
				h.expect(said)
				// And whoever joins (a tester's heard of it first from /changes).
				j := start(t, nil, "join", line, "--name", "bob")
				j.expect(`^\[system\] the party sees nothing of the working directory: this run was started with sharing off$`)
				j.send("/quit")
				if code := j.wait(); code != 0 {
					t.Fatalf("join /quit exit %d", code)
				}
			}
			h.cmd.Process.Signal(os.Interrupt)
			if code := h.wait(); code != 0 {
				t.Fatalf("host exited %d", code)
			}
			if err := os.WriteFile(filepath.Join(work, "notes.txt"), []byte("not for the party\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			ps := start(t, nil, "parties", "--data-dir", dataDir)
			code := ps.wait()
			tree := strings.Contains(ps.stdout(), ": shares the whole working directory, .env files included, when resumed")
			if code != 0 || !regexp.MustCompile(`(?m)ended$`).MatchString(ps.stdout()) || tree != (level == wire.WorkspaceTree) {
				t.Errorf("parties, for a party that shares %s:\n%s", level, ps.stdout())
			}
			r := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl")
			r.expect(`^invite code: `)
			// And again as it resumes: a resume shares what the party shared.
			if level == wire.WorkspaceTree {
				r.expect(`^\[system\] the party was resumed: it still shares the whole working directory, \.env files and other secrets included$`)
			} else {
				r.expect(said)
			}
			inv, err := invite.Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := c.Hello().Party.Workspace; got != level {
				t.Fatalf("resumed party shares %q, was started with %q", got, level)
			}
			_, err = c.Diff(context.Background(), "notes.txt")
			var rerr *rpc.Error
			switch level {
			case wire.WorkspaceOff:
				if !errors.As(err, &rerr) || rerr.Code != wire.CodeNotAllowed {
					t.Errorf("Party.diff on a party that shares nothing: %v, want -32002", err)
				}
			case wire.WorkspaceTree:
				if _, err := c.Tree(context.Background(), ""); err != nil {
					t.Errorf("Party.tree on a party that shares the tree: %v", err)
				}
			}
		})
	}
}

// TestResumeWithTheSameCommandLine: the command line the party was started with, --listen
// 127.0.0.1:0 included, plus --resume, brings it back on its port: the invites people
// hold still work. (Port 0 used to mean a new free port, and the invites went dead.) A
// different port is taken, and the host says the invites changed.
func TestResumeWithTheSameCommandLine(t *testing.T) {
	args, dataDir := resumableHost(t)
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	r := start(t, nil, append(args, "--resume")...)
	if got := r.expect(`^invite code: (concordia://\S+)$`)[1]; got != inv {
		t.Fatalf("invite after resuming with --listen 127.0.0.1:0: %s, was %s", got, inv)
	}
	r.expect(`the invites are the ones it had last`)
	// Resuming it again while it runs: a party that cannot start (1), not a bad argument (2).
	twice := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl")
	if code := twice.wait(); code != 1 || !strings.Contains(twice.stderr(), "is already running in another concordia process (a window or a terminal): join it with its invite, or end it there first") {
		t.Fatalf("--resume of a running party: exit %d, stderr %q", code, twice.stderr())
	}
	r.cmd.Process.Signal(os.Interrupt)
	r.wait()

	free := freePort(t)
	moved := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl", "--listen", free)
	if got := moved.expect(`^invite code: (concordia://\S+)$`)[1]; got == inv {
		t.Fatalf("the invite did not change with the port: %s", got)
	}
	// The invites come first, so the notice points up at them (it said "below").
	moved.expect(`so the invites changed: share the new ones above`)
	out := moved.stdout()
	if i, j := strings.Index(out, "invite code: "), strings.Index(out, "share the new ones above"); i < 0 || i > j {
		t.Fatalf("the notice of new invites comes before them:\n%s", out)
	}
}

// TestMemberBackAfterAResumeOnAnotherPort: a party resumed on another port gives out new
// invites with the same tokens; a member whose terminal was closed comes back with one as
// the member it was (a tester's was "a-2", its old self "away").
func TestMemberBackAfterAResumeOnAnotherPort(t *testing.T) {
	args, dataDir := resumableHost(t)
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	a := start(t, nil, "join", inv, "--name", "ann")
	a.expect(`joined \S+'s party as ann `)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	testkit.KillGroup(a.cmd.Process.Pid)
	a.wait()
	moved := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl", "--listen", freePort(t))
	newInv := moved.expect(`^invite code: (concordia://\S+)$`)[1]
	if newInv == inv {
		t.Fatalf("the invite did not change with the port: %s", newInv)
	}
	again := start(t, nil, "join", newInv, "--name", "ann")
	again.expect(`joined \S+'s party as ann `)
	again.expect(`^\[system\] you are back as the member this terminal was before \(a participant\); --new-member joins as someone new$`)
	again.send("/quit")
	again.wait()
}

// TestBackAfterACleanEndIsBack: after a party that ended cleanly (/quit) is resumed, a
// member who comes back, and the owner's own terminal, are told they are back, as the
// others are told "ann came back" (a tester's said "you joined"; a co-host's said both
// "you are back" and "you joined as a co-host").
func TestBackAfterACleanEndIsBack(t *testing.T) {
	dataDir := t.TempDir()
	args := []string{"host", "--listen", freePort(t), "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--name", "hosty"}
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	a := start(t, nil, "join", inv, "--name", "ann")
	a.expect(`joined hosty's party as ann `)
	h.expect(`^\[party\] ann joined`)
	h.send("/role ann co-host")
	a.expect(`hosty made you a co-host`)
	h.send("/quit")
	h.wait()
	a.wait()
	r := start(t, nil, append(args, "--resume")...)
	r.expect(`^\[party\] (you are back in the party|you came back) \(1 in the party\)$`)
	again := start(t, nil, "join", inv, "--name", "ann")
	again.expect(`^\[system\] you are back as the member this terminal was before \(a co-host\); --new-member joins as someone new$`)
	again.expect(`^\[system\] as a co-host: you decide tool requests`)
	// Its own joining is in the history when the hello is answered after it (a CI run's):
	// "you came back" there, "you are back in the party" live.
	again.expect(`^\[party\] (you are back in the party|you came back) \(2 in the party\)$`)
	r.expect(`^\[party\] ann came back as a co-host \(2 in the party\)$`)
	for _, p := range []*proc{r, again} {
		// What is said now (the history has the first join, said as it was). The marker
		// is waited for: its last line can come before it (a CI run's read the history
		// whole, its "you joined" with it).
		p.expect(`^— live —$`)
		_, out, _ := strings.Cut(p.stdout(), "— live —")
		if regexp.MustCompile(`(?m)^\[party\] you joined \(|you joined as a co-host`).MatchString(out) {
			t.Errorf("a member back was told it joined:\n%s", p.stdout())
		}
	}
	again.send("/quit")
	again.wait()
}

// resumableHost is a host's command line on a free loopback port, with its own data
// directory (also returned), to be killed and started again with --resume.
func resumableHost(t *testing.T) (args []string, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	return []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--no-local-repl"}, dataDir
}

// freePort is a loopback address with a port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRetryReachesAResumedHostAtOnce: a participant's terminal whose host was killed keeps
// trying with growing waits; once the host is back (resumed, same invite), /retry connects
// now rather than at the next try, 8 s away.
func TestRetryReachesAResumedHostAtOnce(t *testing.T) {
	args, _ := resumableHost(t)
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`joined .*'s party as bob`)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	j.expect(`still cannot reach the host; trying again in 8s \(attempt 4; /retry tries now\)`)
	lost := time.Now()
	r := start(t, nil, append(args, "--resume")...)
	r.expect(`^invite code: `)
	restart := time.Since(lost)
	j.send("/retry")
	j.expect(`trying to reach the host now`)
	j.expect(`reconnected; catching up`)
	// Without /retry the terminal reconnects 8 s after the notice at the earliest.
	switch waited := time.Since(lost); {
	case restart > 5*time.Second:
		t.Skipf("the host took %v to restart: too slow here to tell /retry's reconnect from the scheduled one", restart)
	case waited >= 7500*time.Millisecond:
		t.Errorf("reconnected %v after the attempt-4 notice (the host was back after %v): /retry did not cut the 8 s wait", waited.Round(time.Millisecond), restart.Round(time.Millisecond))
	}
	j.send("/retry")
	j.expect(`connected to the host; nothing to retry`)
}

// TestResumeDoesNotAskForAVoidRequest: a host killed while tool requests waited for a
// decision, resumed, is not asked to decide on them: the resume cancels them, and the
// lines under "— live —" say only that (a user tester's were asked "claude waits for a
// decision on Bash … /allow, /deny …" a line before the cancel; with two, the first
// cancel's "still waiting: …" named the second). The re-run turn asks again.
func TestResumeDoesNotAskForAVoidRequest(t *testing.T) {
	dataDir := t.TempDir()
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--window", "200ms", "--name", "hosty"}
	h := start(t, nil, args...)
	h.expect(`^\[system\] party created; merging locally, window 0\.2s; `) // not "merging with local" (a tester's)
	h.send("make two files FAKE_ASK=2 FAKE_PAR")
	h.expect(`2 tool requests wait, answered oldest first`)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()

	r := start(t, nil, append(args, "--resume")...)
	r.expect(`the partial reply above is void`)
	out := r.stdout()
	i := strings.Index(out, "— live —")
	j := strings.Index(out, "the partial reply above is void")
	if i < 0 || j < i {
		t.Fatalf("no \"— live —\" above the void reply:\n%s", out)
	}
	live := out[i:j]
	if strings.Count(live, "[permission] cancelled Bash: ") != 2 {
		t.Errorf("not both requests cancelled under \"— live —\":\n%s", live)
	}
	for _, no := range []string{"waits for", "still waiting", "/allow", "wait, answered oldest first"} {
		if strings.Contains(live, no) {
			t.Errorf("%q under \"— live —\", of requests the resume cancelled:\n%s", no, live)
		}
	}
	// The re-run turn asks again, and that is a question.
	r.expect(`2 tool requests wait, answered oldest first: /allow, /deny \[REASON\] or /always now answer Bash: touch file-1`)
	r.interrupt()
}

// TestAgentDiesWithItsHost: a host killed with SIGKILL takes its agent with it. (It used
// to live on, re-parented, still in the middle of a turn that waited for a tool decision,
// beside the resumed host's new agent.)
func TestAgentDiesWithItsHost(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "agent.pid")
	h, inv := host(t, []string{"FAKECLAUDE_PIDFILE=" + pidFile}, "--no-local-repl")
	h.expect(`this terminal only watches: join with the host invite above`)
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`joined .*'s party as bob`)
	// Nobody can decide: the participant is told rather than left waiting.
	j.expect(`no host is in the party right now: tool requests that need a decision are denied when their time runs out`)
	j.send("make a file FAKE_ASK")
	j.expect(`claude asks to use Bash`)
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %q: %v", b, err)
	}
	if !testkit.Alive(pid) {
		t.Fatalf("the agent (pid %d) is not running before the host is killed", pid)
	}
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	deadline := time.Now().Add(10 * time.Second)
	for testkit.Alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the agent (pid %d) still runs 10 s after its host was killed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLeftoverJobsAreStopped: a background job the agent's tool started in a session of its
// own (as the real CLI's Bash tool does) outlived a host killed with SIGKILL — Pdeathsig
// takes claude, not what claude started. The resumed host stops it and says so; a host
// that ends cleanly stops its own run's.
func TestLeftoverJobsAreStopped(t *testing.T) {
	args, dataDir := resumableHost(t)
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	bob := start(t, nil, "join", inv, "--name", "bob")
	bob.expect(`joined .*'s party as bob`)
	pid := startJob(t, bob)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	time.Sleep(200 * time.Millisecond)
	if !testkit.Alive(pid) {
		t.Fatalf("the job (pid %d) died with its host: this test needs it to outlive the host", pid)
	}
	// Until it is resumed, the party list says so.
	ls := start(t, nil, "parties", "--data-dir", dataDir)
	ls.expect(`^[0-9a-f]{12}: 1 process its agent started still runs: sleep 300; ` + "`concordia host --resume [0-9a-f]{12} --data-dir \\S+`" + ` stops them \(or ` + "`concordia parties --stop-jobs [0-9a-f]{12} --data-dir \\S+`" + `, without resuming\)$`)
	ls.wait()

	r := start(t, nil, append(args, "--resume")...)
	r.expect(`stopped 1 process that the agent of the run before this resume had left running: sleep 300`)
	if testkit.Alive(pid) {
		t.Fatalf("the job (pid %d) still runs after the resume said it stopped it", pid)
	}

	bob.expect(`reconnected`)
	bob.send("another one FAKE_DETACH")
	pid2 := secondDetached(t, bob)
	t.Cleanup(func() { killPID(pid2) })
	// A hang-up (the terminal or the ssh session closed) ends the party cleanly too: it
	// used to kill the host outright, its agent's jobs left running. It comes twice (the
	// shell passes its own on, then the kernel signals the foreground group): the second
	// used to kill the host halfway through its end.
	r.cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(2 * time.Millisecond)
	r.cmd.Process.Signal(syscall.SIGHUP)
	r.expect(`stopped 1 process that the agent had left running: sleep 300`)
	r.expect(`party ended; its journal is`)
	if code := r.wait(); code != 0 {
		t.Fatalf("host after SIGHUP: exit %d, want 0", code)
	}
	if testkit.Alive(pid2) {
		t.Fatalf("the second job (pid %d) outlived the party", pid2)
	}
}

// TestStopJobsWithoutResuming: `concordia parties --stop-jobs ID` stops what the agent of
// a party whose host was killed left running, without bringing the party back; a running
// party's jobs are its host's to stop, and an unknown party is an error.
func TestStopJobsWithoutResuming(t *testing.T) {
	args, dataDir := resumableHost(t)
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	bob := start(t, nil, "join", inv, "--name", "bob")
	pid := startJob(t, bob)
	list := start(t, nil, "parties", "--data-dir", dataDir)
	list.wait()
	m := regexp.MustCompile(`(?m)^([0-9a-f]{12}) .*running$`).FindStringSubmatch(list.stdout())
	if m == nil {
		t.Fatalf("the party is not listed as running:\n%s", list.stdout())
	}
	id := m[1]

	running := start(t, nil, "parties", "--data-dir", dataDir, "--stop-jobs", id)
	if code := running.wait(); code != 1 || !strings.Contains(running.stderr(), "party "+id+" is running; end it first") {
		t.Fatalf("--stop-jobs of a running party: exit %d, stderr %q", code, running.stderr())
	}
	if !testkit.Alive(pid) {
		t.Fatal("--stop-jobs of a running party stopped its job")
	}

	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	stop := start(t, nil, "parties", "--data-dir", dataDir, "--stop-jobs", id)
	stop.expect(`^` + id + `: stopped 1 process its agent had left running: sleep 300$`)
	if code := stop.wait(); code != 0 {
		t.Fatalf("--stop-jobs: exit %d, stderr %q", code, stop.stderr())
	}
	if testkit.Alive(pid) {
		t.Fatalf("the job (pid %d) still runs after --stop-jobs said it stopped it", pid)
	}
	again := start(t, nil, "parties", "--data-dir", dataDir, "--stop-jobs", id)
	again.expect(`^` + id + `: nothing its agent started is still running$`)
	again.wait()
	ls := start(t, nil, "parties", "--data-dir", dataDir)
	ls.wait()
	if strings.Contains(ls.stdout(), "still run") {
		t.Fatalf("the list still names leftover jobs:\n%s", ls.stdout())
	}

	unknown := start(t, nil, "parties", "--data-dir", dataDir, "--stop-jobs", "0123456789ab")
	if code := unknown.wait(); code != 1 || !strings.Contains(unknown.stderr(), "no party 0123456789ab in") {
		t.Fatalf("--stop-jobs of an unknown party: exit %d, stderr %q", code, unknown.stderr())
	}
	bad := start(t, nil, "parties", "--stop-jobs", "../x")
	if code := bad.wait(); code != 2 || !strings.Contains(bad.stderr(), `"../x" is not a party id`) {
		t.Fatalf("--stop-jobs ../x: exit %d, stderr %q", code, bad.stderr())
	}
}

// TestKeepAgentJobs: with --keep-agent-jobs the party's end leaves the job running, and so
// does a later --resume (without the flag) of that cleanly ended party: what was kept on
// purpose is not "left behind".
func TestKeepAgentJobs(t *testing.T) {
	args, dataDir := resumableHost(t)
	h := start(t, nil, append(args, "--keep-agent-jobs")...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	bob := start(t, nil, "join", inv, "--name", "bob")
	pid := startJob(t, bob)
	h.cmd.Process.Signal(os.Interrupt)
	h.expect(`party ended`)
	h.wait()
	if !testkit.Alive(pid) {
		t.Fatalf("the job (pid %d) was stopped despite --keep-agent-jobs", pid)
	}
	if m := h.find(regexp.MustCompile(`stopped \d+ process`)); m != nil {
		t.Fatalf("the host says %q", m[0])
	}
	r := start(t, nil, append(args, "--resume")...)
	r.expect(`claude started`)
	r.cmd.Process.Signal(os.Interrupt)
	r.wait()
	if m := r.find(regexp.MustCompile(`before this resume had left running`)); m != nil || !testkit.Alive(pid) {
		t.Fatalf("the resume stopped the job kept on purpose (%q, alive %v)", m, testkit.Alive(pid))
	}
	// Asked for by name, the kept job is stopped.
	list := start(t, nil, "parties", "--data-dir", dataDir)
	list.wait()
	m := regexp.MustCompile(`(?m)^([0-9a-f]{12}) .*ended$`).FindStringSubmatch(list.stdout())
	if m == nil {
		t.Fatalf("the party is not listed as ended:\n%s", list.stdout())
	}
	stop := start(t, nil, "parties", "--data-dir", dataDir, "--stop-jobs", m[1])
	stop.expect(`^` + m[1] + `: stopped 1 process its agent had left running: sleep 300$`)
	stop.wait()
	if testkit.Alive(pid) {
		t.Fatalf("the kept job (pid %d) still runs after --stop-jobs", pid)
	}
}

// startJob has the fake agent start a background job through p's prompt (FAKE_DETACH: in
// a session of its own, as the real CLI's tools do) and returns its pid; the test's end
// kills it if it still runs.
func startJob(t *testing.T, p *proc) int {
	t.Helper()
	p.send("start a job FAKE_DETACH")
	pid, err := strconv.Atoi(p.expect(`detached (\d+)`)[1])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killPID(pid) })
	return pid
}

// secondDetached waits for the second "detached PID" reply in p's output and returns its pid.
func secondDetached(t *testing.T, p *proc) int {
	t.Helper()
	rx := regexp.MustCompile(`(?m)detached (\d+)$`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := rx.FindAllStringSubmatch(p.stdout(), -1); len(m) >= 2 {
			pid, _ := strconv.Atoi(m[1][1])
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second job was started:\n%s", p.stdout())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killPID kills process pid if it still runs (a test's leftover).
func killPID(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// TestResumeUnderAnotherName: the owner of a resumed party comes back as the member it
// was; a new --name is said to be unused, and joiners see the party's host by that
// member's name, not the new one.
func TestResumeUnderAnotherName(t *testing.T) {
	dataDir := t.TempDir()
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir, "--workdir", t.TempDir()}
	h := start(t, nil, append(args, "--name", "hana")...)
	line := h.expect(`^invite code: (concordia://\S+)$`)[1]
	h.expect(`you joined`)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()

	r := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--name", "alice")
	r.expect(`--name alice is not used: you come back as hana, the member you were`)
	// The invites are printed once, first; below the replayed history, which pushed them
	// out of sight (a tester's were 400 lines up), a line says where they are. A tester's
	// resumed host printed them twice, every time.
	r.expect(`^— live —$`)
	r.expect(`^\[system\] the invites are printed at the top, above the party's history; /invite prints them again$`)
	r.expect(`^\[party\] you are back in the party`)
	codes := regexp.MustCompile(`^invite code: (concordia://\S+)$`)
	if got := r.lines(codes); len(got) != 1 || got[0] != line {
		t.Errorf("a resumed host printed the invite codes %q, want %s once", got, line)
	}
	if got := r.lines(regexp.MustCompile(`^(viewer invite: .*)$`)); len(got) != 1 {
		t.Errorf("a resumed host printed the viewer invites %q, want one", got)
	}
	inv, err := invite.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	var hello wire.HelloResult
	c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "bob", OnHello: func(h wire.HelloResult) { hello = h }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if hello.Party.Host != "hana" {
		t.Errorf("the resumed party's host is %q to a joiner, want hana", hello.Party.Host)
	}
}

// TestAFolderThatCannotBeSharedIsSaidToJoiners: a host sharing the changes of a folder too
// large to track shares nothing, and whoever joins is told why; a joiner was told that the
// party saw every file that changed while it saw none. The host's terminal alone is told
// what to do about it.
func TestAFolderThatCannotBeSharedIsSaidToJoiners(t *testing.T) {
	work := t.TempDir()
	for i := 0; i <= workspace.DefaultMaxFiles; i++ {
		if err := os.WriteFile(filepath.Join(work, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := t.TempDir()
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t),
		"--data-dir", dataDir, "--workdir", work, "--no-local-repl", "--share-workspace", "changes")
	line := h.expect(`^invite code: (concordia://\S+)$`)[1]
	// One sentence, the same for everyone; what to do is the host's alone (members were
	// told to edit a .gitignore, and read "the working directory" twice).
	why := `it has 20001 files, more than the 20000 a party can track`
	h.expectWithin(time.Minute, `^\[error\] the working directory is not shared: `+why+`$`)
	h.expect(`^\[system\] to share the working directory, list build output and dependencies in a \.gitignore, or host from a smaller folder; a --resume with --share-workspace changes then shares it$`)
	j := start(t, nil, "join", line, "--name", "bob")
	j.expect(`^\[system\] the party sees nothing of the working directory: it could not be shared in this run \(` + why + `\)$`)
	j.send("/changes")
	j.expect(`the party sees nothing of the working directory, and cannot in this run \(` + why + `\)$`)
	j.quit()
	h.interrupt()
	// The folder fixed as the error said, the party resumed without flags shares its changes
	// again: the failure's "off" was nobody's choice (a tester's resume went quietly to off).
	if err := os.WriteFile(filepath.Join(work, ".gitignore"), []byte("f1*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := start(t, nil, "host", "--resume", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t),
		"--data-dir", dataDir, "--workdir", work, "--no-local-repl")
	line = r.expect(`^invite code: (concordia://\S+)$`)[1]
	r.expect(`^\[system\] the party sees every file that changes in the working directory`)
	k := start(t, nil, "join", line, "--name", "kim")
	k.expect(`^\[system\] the party sees every file that changes in the working directory.*: /changes lists the files changed`)
	k.quit()
	r.interrupt()
}

// TestBackAfterARotation: a member who left comes back as itself with the invite a host
// rotated meanwhile: a tester's came back "alice-4", "alice" away and holding the name.
// The terminal's own client_id for the name (kept in its data directory) brings it back;
// --new-member is someone new.
func TestBackAfterARotation(t *testing.T) {
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", t.TempDir(),
		"--workdir", t.TempDir(), "--name", "hosty")
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	a := start(t, nil, "join", inv, "--name", "ann")
	a.expect(`joined hosty's party as ann `)
	h.expect(`^\[party\] ann joined`)
	a.send("/quit")
	a.expect(`^\[system\] you left the party; the same command \(this invite and name\) brings you back as yourself$`)
	a.wait()
	h.expect(`^\[party\] ann left`)
	rotated := rotate(t, h, inv)
	again := start(t, nil, "join", rotated, "--name", "ann")
	again.expect(`joined hosty's party as ann `)
	h.expect(`^\[party\] ann came back`)
	again.send("/quit")
	again.wait()
	other := start(t, nil, "join", rotated, "--name", "ann", "--new-member")
	other.expect(`joined hosty's party as ann-2 `)
	other.send("/quit")
	other.wait()
}

// rotate has host h make new invites (/rotate) and returns its new participant invite
// (inv was the old one).
func rotate(t *testing.T, h *proc, inv string) string {
	t.Helper()
	h.send("/rotate")
	h.expect(`^\[system\] new invites \(the old links let nobody new in`) // its own rotation's notice is not said again after them
	deadline := time.Now().Add(30 * time.Second)
	for {
		if ls := h.lines(regexp.MustCompile(`^invite code: (concordia://\S+)$`)); len(ls) > 0 {
			if rotated := strings.TrimPrefix(ls[len(ls)-1], "invite code: "); rotated != inv {
				return rotated
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new invite: %s", h.stdout())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCoHostBackWithARotatedInviteKeepsItsSeat: a co-host whose terminal left comes back
// with the participant invite a host rotated meanwhile as the co-host it was: the record
// its data directory kept under the old invite holds its session and the role it was
// given after it joined (a tester's came back "Alice-2", a participant, and Alice stayed
// away: a participant's invite and a client_id never raise a role). A session the host
// does not know (an earlier party's) is refused and forgotten: someone new, told only that
// the name is taken. A record kept before records held the role lends nothing, and the
// terminal says why it is someone new; someone new of that name from another data
// directory is only told the name is taken. A TLS host: sessions are lent only to an
// invite that pins the host's certificate.
func TestCoHostBackWithARotatedInviteKeepsItsSeat(t *testing.T) {
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--claude", fakeClaudePath(t), "--data-dir", t.TempDir(),
		"--workdir", t.TempDir(), "--name", "hosty")
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	if !strings.Contains(inv, "fp=") {
		t.Fatalf("the invite pins no certificate: %s", inv)
	}
	coHost := func(name, dir string) {
		a := start(t, nil, "join", inv, "--name", name, "--data-dir", dir)
		a.expect(`joined hosty's party as ` + name + ` `)
		h.send("/role " + name + " co-host")
		a.expect(`made you a co-host`) // printed after the event that says so, which the record keeps
		a.send("/quit")
		a.wait()
		h.expect(`^\[party\] ` + name + ` left`)
	}
	edit := func(dir string, f func(rec map[string]string)) string {
		files, _ := filepath.Glob(filepath.Join(dir, "joined", "*.json"))
		if len(files) != 1 {
			t.Fatalf("membership records in %s: %v", dir, files)
		}
		var rec map[string]string
		if b, err := os.ReadFile(files[0]); err != nil || json.Unmarshal(b, &rec) != nil || rec["role"] != "host" {
			t.Fatalf("the record of a co-host: %v %v", rec, err)
		}
		f(rec)
		if b, _ := json.Marshal(rec); os.WriteFile(files[0], b, 0o600) != nil {
			t.Fatal("cannot write the record")
		}
		return files[0]
	}
	annDir, bobDir, carlDir := t.TempDir(), t.TempDir(), t.TempDir()
	coHost("ann", annDir)
	coHost("bob", bobDir)
	coHost("carl", carlDir)
	bobRecord := edit(bobDir, func(rec map[string]string) { rec["session"] = "stale" })
	edit(carlDir, func(rec map[string]string) { delete(rec, "role") })
	rotated := rotate(t, h, inv)
	ann := start(t, nil, "join", rotated, "--name", "ann", "--data-dir", annDir)
	ann.expect(`^\[system\] you are back as the member this terminal was before \(a co-host\)`)
	h.expect(`^\[party\] ann came back`)
	bob := start(t, nil, "join", rotated, "--name", "bob", "--data-dir", bobDir)
	bob.expect(`^\[system\] you are called bob-2 here: bob is taken$`)
	carl := start(t, nil, "join", rotated, "--name", "carl", "--data-dir", carlDir)
	carl.expect(`^\[system\] you are called carl-2 here: carl is taken \(if carl was this terminal as a co-host, only the invite it joined with then, or a host invite, brings that seat back`)
	other := start(t, nil, "join", rotated, "--name", "ann", "--data-dir", t.TempDir())
	other.expect(`^\[system\] you are called ann-2 here: ann is taken$`)
	for _, j := range []*proc{other, carl, bob, ann} {
		j.send("/quit")
		j.wait()
	}
	if out := bob.stdout(); strings.Contains(out, "no longer in the party") {
		t.Errorf("bob was told of a member that was never in this party:\n%s", out)
	}
	// A refused record is kept (another party of this host may know it); a taken one is
	// the new invite's now, the old one forgotten (it would lend a role ann may lose).
	if _, err := os.Stat(bobRecord); err != nil {
		t.Errorf("bob's refused record was forgotten: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(annDir, "joined", "*.json")); len(files) != 1 {
		t.Errorf("ann's records after the lend: %v, want the new invite's only", files)
	}
	// A co-host still connected through the old invite keeps its seat: a second terminal of
	// the same data directory and name is someone new, not the one replacing it.
	danDir := t.TempDir()
	dan := start(t, nil, "join", rotated, "--name", "dan", "--data-dir", danDir)
	dan.expect(`joined hosty's party as dan `)
	h.expect(`^\[party\] dan joined`)
	h.send("/role dan co-host")
	dan.expect(`made you a co-host`)
	again := start(t, nil, "join", rotate(t, h, rotated), "--name", "dan", "--data-dir", danDir)
	again.expect(`^\[system\] you are called dan-2 here: dan is taken`)
	again.send("/quit")
	again.wait()
	if out := dan.stdout(); strings.Contains(out, "from somewhere else") || strings.Contains(out, "replaced") {
		t.Errorf("dan's first terminal was replaced:\n%s", out)
	}
	dan.send("/quit")
	dan.wait()
}

// TestSameNameThroughTwoInvitesIsTwoMembers: the same person's two terminals, one through
// the participant invite and one through the viewer invite, with the same name and data
// directory, are two members: the client_id a data directory keeps for a host and name
// is held while connected, so the second does not take the first one's seat (a
// reviewer's, once that client_id came to be one per host).
func TestSameNameThroughTwoInvitesIsTwoMembers(t *testing.T) {
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", t.TempDir(),
		"--workdir", t.TempDir(), "--name", "hosty")
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	view := h.expect(`^viewer invite: (concordia://\S+)$`)[1]
	// The viewer first: the participant invite may bring back a viewer's seat (a host's
	// demotion sticks, §7), so the second terminal would take the first one's.
	v := start(t, nil, "join", view, "--name", "ann")
	v.expect(`joined hosty's party as ann `)
	a := start(t, nil, "join", inv, "--name", "ann")
	a.expect(`joined hosty's party as ann-2 `)
	h.expect(`^\[party\] ann-2 joined`)
	v.send("/who")
	v.expect(`ann-2`)
	if strings.Contains(v.stdout(), "joined this party again from somewhere else") {
		t.Fatalf("ann's first terminal was replaced:\n%s", v.stdout())
	}
	v.send("/quit")
	v.wait()
	a.send("/quit")
	a.wait()
}

// TestAPipedJoinsLinesWaitForAResumedHost: the lines a script pipes into `concordia join`
// while its host is down (killed, then resumed) wait until the client is back in touch,
// and reach the party in order: a tester's script lost 52 lines, each "not sent … try
// again in a moment", which a script cannot do.
func TestAPipedJoinsLinesWaitForAResumedHost(t *testing.T) {
	dataDir := t.TempDir()
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--window", "200ms", "--name", "hosty", "--no-local-repl")
	line := h.expect(`^invite code: (concordia://\S+)$`)[0]
	inv, err := invite.Parse(strings.TrimPrefix(line, "invite code: "))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := watch(t, inv, "watcher")
	prompts := func(evs []wire.Event) []string {
		var got []string
		for _, ev := range evs {
			if ev.Kind == wire.KindPrompt && ev.Prompt != nil && ev.Prompt.User == "piper" {
				got = append(got, ev.Prompt.Text)
			}
		}
		return got
	}
	j := start(t, nil, "join", inv.String(), "--name", "piper")
	if _, err := j.stdin.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	w.wait(t, "the first line", func(evs []wire.Event) bool { return len(prompts(evs)) == 1 })

	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if _, err := j.stdin.Write([]byte("two\nthree\n")); err != nil {
		t.Fatal(err)
	}
	// "one" itself, when the kill came between its event and its answer: it may have
	// arrived, and waits for the catch-up to say (it is not sent twice: checked below).
	j.expect(`out of reach: each line waits until this terminal is back in touch with it \("(one|two)" is next\)`)
	start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl")
	evs := w.wait(t, "the lines piped while the host was down", func(evs []wire.Event) bool { return len(prompts(evs)) == 3 })
	if got := prompts(evs); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Errorf("the party got %q", got)
	}
	if out := j.stdout() + j.stderr(); strings.Contains(out, "not sent") {
		t.Errorf("join said:\n%s", out)
	}
}
