package party

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// gateWorkspace answers each Changes call with what the test hands it, when it wants.
type gateWorkspace struct {
	calls chan chan scanAnswer
}

type scanAnswer struct {
	files  []wire.FileChange
	hidden int
	err    error
}

func (w *gateWorkspace) Changes(ctx context.Context, _ bool) ([]wire.FileChange, int, error) {
	answer := make(chan scanAnswer)
	select {
	case w.calls <- answer:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	select {
	case a := <-answer:
		return a.files, a.hidden, a.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

func (w *gateWorkspace) Diff(context.Context, string, bool) (wire.FileDiff, error) {
	return wire.FileDiff{}, errors.New("no diffs here")
}

func (w *gateWorkspace) Tree(context.Context, string) ([]wire.TreeEntry, error) {
	return nil, errors.New("no tree here")
}

func (w *gateWorkspace) Base() string { return "" }

func (w *gateWorkspace) Shares(context.Context, string) bool { return true }

// editRunner's turn runs a tool, then waits for release.
type editRunner struct {
	fakeRunner
	release chan struct{}
}

func (r *editRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	io.Out(wire.StreamTool, "Edit: a.go")
	select {
	case <-r.release:
	case <-ctx.Done():
	}
	return TurnResult{}, nil
}

// turnEndsWhileScanning runs a turn whose tool starts a scan of the changes, and ends the
// turn while that scan waits for its answer, which it returns (inside a synctest bubble).
func turnEndsWhileScanning(t *testing.T) (*gateWorkspace, *collector, chan scanAnswer) {
	t.Helper()
	ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
	run := &editRunner{release: make(chan struct{})}
	p, col, id := start(t, Config{Runner: run, Workspace: ws})
	if _, err := p.Prompt(id, "edit a.go"); err != nil {
		t.Fatal(err)
	}
	during := <-ws.calls // the tool's scan, a quiet second after it ran
	close(run.release)
	col.waitFor(t, "the turn's end", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	return ws, col, during
}

// A scan of the changes begun during a turn and finished after it sends no event of its
// own: the scan owed to the turn's end follows at once and sends the list. An independent
// client saw the same list twice, a second apart.
func TestChangesAfterATurnAreSentOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws, col, during := turnEndsWhileScanning(t)
		list := []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}
		during <- scanAnswer{files: list}
		after := <-ws.calls // the turn's own scan
		after <- scanAnswer{files: list}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events for one list after one turn, want 1", n)
		}
	})
}

// The scan under way when the turn ended failed: the turn's own scan still runs, and its
// list is sent (it waited for the next tool or turn).
func TestChangesAfterATurnWhenTheScanDuringItFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws, col, during := turnEndsWhileScanning(t)
		during <- scanAnswer{err: errors.New("git: index.lock exists")}
		after := <-ws.calls // the turn's own scan
		after <- scanAnswer{files: []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events after the turn, want 1", n)
		}
	})
}

// twoEditRunner's turn runs a tool, waits for next, runs another and waits for release.
type twoEditRunner struct {
	fakeRunner
	next, release chan struct{}
}

func (r *twoEditRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	for _, wait := range []chan struct{}{r.next, r.release} {
		io.Out(wire.StreamTool, "Edit: a.go")
		select {
		case <-wait:
		case <-ctx.Done():
		}
	}
	return TurnResult{}, nil
}

// A secret file changing is news even when the list members may see is the same: the
// changes event says how many files it keeps from them, and a new count is sent.
func TestChangesEventCountsTheHiddenSecrets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		run := &twoEditRunner{next: make(chan struct{}), release: make(chan struct{})}
		p, col, id := start(t, Config{Runner: run, Workspace: ws})
		if _, err := p.Prompt(id, "edit a.go and .env"); err != nil {
			t.Fatal(err)
		}
		list := []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}
		(<-ws.calls) <- scanAnswer{files: list}
		synctest.Wait()
		close(run.next)
		(<-ws.calls) <- scanAnswer{files: list, hidden: 1} // .env changed too
		synctest.Wait()
		var hidden []int
		for _, e := range col.all() {
			if e.Kind == wire.KindChanges {
				hidden = append(hidden, e.Hidden)
			}
		}
		if !slices.Equal(hidden, []int{0, 1}) {
			t.Fatalf("changes events' hidden counts %v, want [0 1]", hidden)
		}
		close(run.release)
	})
}

// listWorkspace shares the files it lists, and answers Changes with a fixed list.
type listWorkspace struct {
	sharesWorkspace
	files []wire.FileChange
}

func (w listWorkspace) Changes(context.Context, bool) ([]wire.FileChange, int, error) {
	return w.files, 0, nil
}

// A party that shared the whole folder and then less: the history a member joining later
// replays leaves out what only the whole folder's sharing showed. A late joiner replayed
// .env's text, read while the tree was shared, and the names of the secrets changed then.
// Events held in memory and events read back from the journal alike.
func TestTreeOnlyHistoryIsHiddenOnceTheSharingNarrows(t *testing.T) {
	for _, journal := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "journal"}[journal], func(t *testing.T) {
			ws := listWorkspace{sharesWorkspace: sharesWorkspace{"/w/.env": true}, files: []wire.FileChange{
				{Path: ".env", Status: "modified", Additions: 1, Deletions: 1},
				{Path: "app.conf", Status: "renamed", From: ".env.prod", Additions: 1},
				{Path: "copy.conf", Status: "added", From: ".env", Additions: 1}, // a copy: its source stays, not hidden
				{Path: "main.go", Status: "modified", Additions: 2},
			}}
			cfg := Config{Runner: &fileRunner{file: "/w/.env"}, Workspace: ws, WorkspaceLevel: wire.WorkspaceTree}
			if journal {
				cfg.Journal, cfg.MemoryWindow, cfg.ID = newJournal(t, t.TempDir(), "pt"), 1, "pt"
			}
			p, col, id := start(t, cfg)
			promptAs(t, p, id, "read .env")
			col.waitFor(t, "the turn and its changes", func(e []wire.Event) bool {
				return count(e, wire.KindTurn) == 1 && count(e, wire.KindChanges) == 1
			})
			history := func() string {
				t.Helper()
				st, err := p.State(0)
				if err != nil {
					t.Fatal(err)
				}
				var hello wire.State
				if err := p.do(func() { hello = p.state(0, helloJournalMax, -1) }); err != nil {
					t.Fatal(err)
				}
				a, _ := json.Marshal(st)
				b, _ := json.Marshal(hello)
				if string(a) != string(b) {
					t.Fatalf("getState and hello replay differently:\n%s\n%s", a, b)
				}
				return string(a)
			}
			if h := history(); !strings.Contains(h, "hunter2") || !strings.Contains(h, `"path":".env"`) || !strings.Contains(h, `"tree_only":true`) {
				t.Fatalf("while the tree is shared, the history lacks what it showed:\n%s", h)
			}
			boss, _, err := p.JoinLocal("boss", wire.RoleHost)
			if err != nil {
				t.Fatal(err)
			}
			defer boss.Leave()
			if err := boss.SetWorkspace(context.Background(), wire.WorkspaceChanges); err != nil {
				t.Fatal(err)
			}
			h := history()
			for _, leak := range []string{"hunter2", `".env"`, `".env.prod"`, "tree_only"} {
				if strings.Contains(h, leak) {
					t.Errorf("once the sharing narrowed, the history has %s:\n%s", leak, h)
				}
			}
			for _, want := range []string{
				`"text":"  -\u003e (its text is not shown: this file usually holds secrets)\n","stream":"tool"`,
				`"kind":"changes","hidden":2,"files":[{"path":"app.conf","status":"added","additions":1,"deletions":0},{"path":"copy.conf","status":"added","additions":1,"deletions":0},{"path":"main.go","status":"modified","additions":2,"deletions":0}]`,
			} {
				if !strings.Contains(h, want) {
					t.Errorf("the narrowed history lacks %s:\n%s", want, h)
				}
			}
			// Members who were there saw it live, as it was.
			var live []string
			for _, ev := range col.all() {
				if ev.TreeOnly {
					live = append(live, ev.Kind+":"+ev.Stream)
				}
			}
			if strings.Join(live, ",") != "output:tool,output:tool_output,changes:" {
				t.Errorf("events marked tree_only live: %q", live)
			}
		})
	}
}

// A change list names at most wire.MaxListed files, and counts the rest: a reviewer's
// 200,000 new files made a changes event of 19.5 MiB, past the host's message limit, and
// every member was dropped, again on each reconnect. What it keeps are the changes to
// files that were there at the start, then new files from the top folder down: the
// source file changed beside an unpacked archive stays listed.
func TestLongChangeListsAreCapped(t *testing.T) {
	files := []wire.FileChange{{Path: "README.md", Status: "modified", Additions: 1}}
	for i := range wire.MaxListed + 500 {
		files = append(files, wire.FileChange{Path: fmt.Sprintf("data/set/%05d.json", i), Status: "added", Additions: 1})
	}
	files = append(files, wire.FileChange{Path: "new.txt", Status: "added"}, wire.FileChange{Path: "src/main.go", Status: "modified", Additions: 3})
	ws := listWorkspace{files: files}
	p, col, id := start(t, Config{Workspace: ws})
	promptAs(t, p, id, "unpack the data")
	evs := col.waitFor(t, "the changes", func(e []wire.Event) bool { return count(e, wire.KindChanges) == 1 })
	var ev wire.Event
	for _, e := range evs {
		if e.Kind == wire.KindChanges {
			ev = e
		}
	}
	res, err := p.Changes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]struct {
		files []wire.FileChange
		more  int
	}{"the changes event": {ev.Files, ev.More}, "Party.changes": {res.Files, res.More}} {
		if len(got.files) != wire.MaxListed || got.more != 503 {
			t.Fatalf("%s: %d files and %d more, want %d and %d", what, len(got.files), got.more, wire.MaxListed, 503)
		}
		paths := make([]string, 0, len(got.files))
		for _, f := range got.files {
			paths = append(paths, f.Path)
		}
		if !slices.Contains(paths, "README.md") || !slices.Contains(paths, "src/main.go") || !slices.Contains(paths, "new.txt") || !slices.IsSorted(paths) {
			t.Fatalf("%s lists %v … %v", what, paths[:3], paths[len(paths)-3:])
		}
	}
	b, _ := json.Marshal(ev)
	if len(b) > 512<<10 {
		t.Errorf("the changes event is %d bytes", len(b))
	}
	short, more := listed(files[:3])
	if len(short) != 3 || more != 0 {
		t.Errorf("a short list: %d files, %d more", len(short), more)
	}
}

// levelWorkspace is gateWorkspace that also tells the test which level each scan is for.
type levelWorkspace struct {
	gateWorkspace
	asked chan bool // each Changes call's secrets
}

func (w *levelWorkspace) Changes(ctx context.Context, secrets bool) ([]wire.FileChange, int, error) {
	select {
	case w.asked <- secrets:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	return w.gateWorkspace.Changes(ctx, secrets)
}

// A scan begun while the whole folder was shared, and ended after the owner narrowed the
// sharing, sends nothing: its list names the secrets, and a reviewer's went live to every
// member after the narrowing. The new level's scan runs instead, and its list is sent.
func TestAScanOfAnOlderLevelIsNotSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &levelWorkspace{gateWorkspace: gateWorkspace{calls: make(chan chan scanAnswer)}, asked: make(chan bool, 4)}
		run := &editRunner{release: make(chan struct{})}
		p, col, id := start(t, Config{Runner: run, Workspace: ws, WorkspaceLevel: wire.WorkspaceTree})
		boss, _, err := p.JoinLocal("boss", wire.RoleHost)
		if err != nil {
			t.Fatal(err)
		}
		defer boss.Leave()
		if _, err := p.Prompt(id, "edit a.go"); err != nil {
			t.Fatal(err)
		}
		during := <-ws.calls // the tool's scan, at the tree level
		if !<-ws.asked {
			t.Fatal("the first scan was not of the tree level")
		}
		if err := boss.SetWorkspace(context.Background(), wire.WorkspaceChanges); err != nil {
			t.Fatal(err)
		}
		during <- scanAnswer{files: []wire.FileChange{{Path: ".env", Status: "modified", Additions: 1}, {Path: "a.go", Status: "modified", Additions: 1}}}
		again := <-ws.calls // the changes level's own scan
		if <-ws.asked {
			t.Fatal("the scan after the narrowing was of the tree level")
		}
		again <- scanAnswer{files: []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}, hidden: 1}
		synctest.Wait()
		for _, ev := range col.all() {
			if ev.Kind == wire.KindChanges && slices.ContainsFunc(ev.Files, func(f wire.FileChange) bool { return f.Path == ".env" }) {
				t.Fatalf("a changes event named .env after the narrowing: %+v", ev)
			}
		}
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events, want the changes level's one", n)
		}
		close(run.release)
	})
}

// The hello tells every member, co-hosts' windows included, when the party cannot share
// its folder in this run, so that none of them offers a level the host only refuses (a
// co-host's window did); a party that can share leaves the key out.
func TestHelloSaysWhenThePartyCannotShare(t *testing.T) {
	for _, tc := range []struct {
		name string
		ws   Workspace
		want bool
	}{{"started with sharing off", nil, true}, {"sharing", listWorkspace{}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _ := start(t, Config{Workspace: tc.ws})
			info := p.Info()
			if info.CannotShare != tc.want {
				t.Fatalf("cannot_share = %v, want %v", info.CannotShare, tc.want)
			}
			b, err := json.Marshal(info)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(b), `"cannot_share":true`); got != tc.want {
				t.Fatalf("hello's party %s: cannot_share on the wire %v, want %v", b, got, tc.want)
			}
			if err := joinHost(t, p).SetWorkspace(context.Background(), wire.WorkspaceChanges); (err != nil) != tc.want {
				t.Fatalf("SetWorkspace(changes) = %v, cannot_share %v", err, tc.want)
			}
		})
	}
}

// A party whose first snapshot failed shares nothing in this run, and says so: to everyone
// then, and to whoever joins or asks later, with the reason. A joiner was told the party
// saw every file that changed while it saw none.
func TestAFailedStartSharesNothingAndSaysWhy(t *testing.T) {
	p, col, _ := start(t, Config{Workspace: listWorkspace{}, WorkspaceLevel: wire.WorkspaceChanges})
	const why = "the working directory is too large to track changes in: 20001 files"
	p.WorkspaceFailed(why)
	p.WorkspaceFailed("said twice") // once is enough
	col.waitFor(t, "the settings event", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool {
			return ev.Kind == wire.KindSettings && ev.Settings.Workspace == wire.WorkspaceOff && ev.Settings.ShareError == why
		})
	})
	var said []string
	for _, ev := range col.all() {
		if ev.Kind == wire.KindError {
			said = append(said, ev.Text)
		}
	}
	if want := []string{"the working directory is not shared: " + why}; !slices.Equal(said, want) {
		t.Fatalf("errors said %q, want %q", said, want)
	}
	info := p.Info()
	if info.Workspace != wire.WorkspaceOff || !info.CannotShare || info.ShareError != why || p.CanShareWorkspace() {
		t.Fatalf("after the failure: %+v, can share %v", info, p.CanShareWorkspace())
	}
	if _, err := joinHost(t, p).Changes(context.Background()); !errors.Is(err, ErrNotShared) {
		t.Fatalf("Changes = %v, want ErrNotShared", err)
	}
	err := joinHost(t, p).SetWorkspace(context.Background(), wire.WorkspaceChanges)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "--share-workspace changes") {
		t.Fatalf("SetWorkspace(changes) = %v, want refused with the reason", err)
	}
}

// The working directory moved away during the party: the scans fail, and the party says
// so, once (a tester's list stayed at 20,112 changed files with no word why).
func TestAFolderGoneIsSaidOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws, col, during := turnEndsWhileScanning(t)
		gone := fmt.Errorf("%w: /w", workspace.ErrGone)
		during <- scanAnswer{err: gone}
		after := <-ws.calls // the turn's own scan
		after <- scanAnswer{err: gone}
		synctest.Wait()
		var said []string
		for _, e := range col.all() {
			if e.Kind == wire.KindError && strings.Contains(e.Text, "no longer exists") {
				said = append(said, e.Text)
			}
		}
		if len(said) != 1 {
			t.Fatalf("the folder's vanishing said %d times: %q", len(said), said)
		}
	})
}

// While a tool runs without a word (a build, a script writing files for minutes), the
// changes are scanned every changesWhileTools: a tester's members saw no change until the
// command ended. Once its result is in, no more scans but the turn's.
func TestChangesWhileAToolRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		run := &twoEditRunner{next: make(chan struct{}), release: make(chan struct{})}
		p, col, id := start(t, Config{Runner: run, Workspace: ws})
		if _, err := p.Prompt(id, "build it"); err != nil {
			t.Fatal(err)
		}
		one := []wire.FileChange{{Path: "out/1.txt", Status: "added", Additions: 1}}
		two := append(slices.Clone(one), wire.FileChange{Path: "out/2.txt", Status: "added", Additions: 1})
		(<-ws.calls) <- scanAnswer{files: one} // a quiet second after the tool started
		start := time.Now()
		(<-ws.calls) <- scanAnswer{files: two} // the tool still runs
		if d := time.Since(start); d != changesWhileTools {
			t.Errorf("the next scan came %v after, want %v", d, changesWhileTools)
		}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 2 {
			t.Fatalf("%d changes events while the tool ran, want 2", n)
		}
		close(run.next) // its next tool; then the turn ends
		(<-ws.calls) <- scanAnswer{files: two}
		close(run.release)
		(<-ws.calls) <- scanAnswer{files: two} // the turn's own
		synctest.Wait()
	})
}

// crashOnceRunner's first run starts a tool and crashes; the second waits for release.
type crashOnceRunner struct {
	fakeRunner
	runs    int
	release chan struct{}
}

func (r *crashOnceRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	if r.runs++; r.runs == 1 {
		io.Out(wire.StreamTool, "Bash: make")
		return TurnResult{}, errors.New("claude exited")
	}
	select {
	case <-r.release:
	case <-ctx.Done():
	}
	return TurnResult{}, nil
}

// A tool of a run that crashed answers no more: the batch run again is not scanned as if
// it still ran (a reviewer's).
func TestAToolOfACrashedRunIsNotCountedAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		run := &crashOnceRunner{release: make(chan struct{})}
		p, col, id := start(t, Config{Runner: run, Workspace: ws})
		if _, err := p.Prompt(id, "build it"); err != nil {
			t.Fatal(err)
		}
		(<-ws.calls) <- scanAnswer{} // the tool's, a quiet second after it
		time.Sleep(time.Minute)
		select {
		case c := <-ws.calls:
			c <- scanAnswer{}
			t.Fatal("the batch run again was scanned as if the crashed run's tool still ran")
		default:
		}
		close(run.release)
		(<-ws.calls) <- scanAnswer{} // the turn's own
		col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	})
}

// With IdleScan, the folder is scanned between turns too: a file a person edits by hand
// while no turn runs is listed as it comes (a window tester's count stood still), and not
// in the next turn's own list as if the agent had made it ("Files changed during this
// turn: handmade.txt"). A new party whose folder has no changes says nothing at its start,
// and a scan that took long spaces the next one out (IdleScanCost).
func TestIdleScansListHandEditsBetweenTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		run := &editRunner{release: make(chan struct{})}
		p, col, id := start(t, Config{Runner: run, Workspace: ws, IdleScan: 5 * time.Second})
		began := time.Now()
		(<-ws.calls) <- scanAnswer{files: []wire.FileChange{}} // the start's: nothing changed
		if waited := time.Since(began); waited != 5*time.Second {
			t.Fatalf("the first idle scan after %v, want 5s", waited)
		}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 0 {
			t.Fatalf("%d changes events at the start of a party with nothing changed", n)
		}
		hand := []wire.FileChange{{Path: "handmade.txt", Status: "added", Additions: 1}}
		slow := <-ws.calls
		time.Sleep(time.Second) // a scan of a large folder
		slow <- scanAnswer{files: hand}
		synctest.Wait()
		evs := col.all()
		if n := count(evs, wire.KindChanges); n != 1 || evs[len(evs)-1].Files[0].Path != "handmade.txt" {
			t.Fatalf("the hand edit between turns: %d changes events, last %+v", n, evs[len(evs)-1])
		}
		began = time.Now()
		grown := []wire.FileChange{{Path: "handmade.txt", Status: "added", Additions: 7}} // a log that grew
		(<-ws.calls) <- scanAnswer{files: grown}
		if waited := time.Since(began); waited != IdleScanCost*time.Second {
			t.Fatalf("the scan after one that took 1s came after %v, want %v", waited, IdleScanCost*time.Second)
		}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("a file that only grew between turns was listed again: %d changes events", n)
		}
		// A turn: its own scans list only what it adds to the list. Before it, the scan its
		// batch's cut asks for finds nothing new by hand.
		if _, err := p.Prompt(id, "edit a.go"); err != nil {
			t.Fatal(err)
		}
		(<-ws.calls) <- scanAnswer{files: grown} // the cut's: the batch waits for it
		both := append(slices.Clone(grown), wire.FileChange{Path: "a.go", Status: "modified", Additions: 1})
		(<-ws.calls) <- scanAnswer{files: both} // the tool's, a quiet second after it ran
		col.waitFor(t, "the tool's list", func(e []wire.Event) bool { return count(e, wire.KindChanges) == 3 })
		close(run.release)
		col.waitFor(t, "the turn's end", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
		(<-ws.calls) <- scanAnswer{files: both} // the turn's own
		synctest.Wait()
		var lists [][]wire.FileChange
		for _, ev := range col.all() {
			if ev.Kind == wire.KindChanges {
				lists = append(lists, ev.Files)
			}
		}
		// The hand edit; before the turn, its counts (a count alone is news then); the
		// tool's; the turn's own.
		if len(lists) != 4 || len(lists[0]) != 1 || lists[1][0].Additions != 7 || len(lists[2]) != 2 || len(lists[3]) != 2 {
			t.Fatalf("the lists sent: %v", lists)
		}
	})
}

// Between turns, a listed file whose counts alone changed is listed again once they settle
// (a hand edit: the same counts two scans in a row, countsQuiet scans' time after the last
// list), or after countsEvery scans' time when they keep moving (a log that grows): the
// list no longer keeps a turn's counts until the next turn (a window tester's "+1 −0" over
// a diff of two added lines), nor sends one at every scan of a growing log.
func TestIdleScansListCountsOnceTheySettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		_, col, _ := start(t, Config{Runner: &fakeRunner{}, Workspace: ws, IdleScan: 5 * time.Second})
		file := func(adds int) []wire.FileChange {
			return []wire.FileChange{{Path: "app.log", Status: "added", Additions: adds}}
		}
		(<-ws.calls) <- scanAnswer{files: file(1)}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events after the first list", n)
		}
		// Growing at every scan: listed again only once countsEvery scans' time has passed.
		sent := time.Now()
		for adds := 2; ; adds++ {
			(<-ws.calls) <- scanAnswer{files: file(adds)}
			synctest.Wait()
			n := count(col.all(), wire.KindChanges)
			if since := time.Since(sent); since < countsEvery*5*time.Second && n != 1 {
				t.Fatalf("a growing file listed again %v after the last list", since)
			}
			if n == 2 {
				if since := time.Since(sent); since != countsEvery*5*time.Second {
					t.Fatalf("a growing file listed again after %v, want %v", since, countsEvery*5*time.Second)
				}
				break
			}
		}
		// Edited once and left so: listed when two scans agree, countsQuiet scans' time on.
		sent = time.Now()
		(<-ws.calls) <- scanAnswer{files: file(40)}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 2 {
			t.Fatalf("counts listed before they settled: %d events", n)
		}
		(<-ws.calls) <- scanAnswer{files: file(40)}
		synctest.Wait()
		evs := col.all()
		if n := count(evs, wire.KindChanges); n != 3 || evs[len(evs)-1].Files[0].Additions != 40 {
			t.Fatalf("settled counts: %d changes events, last %+v", n, evs[len(evs)-1])
		}
		if since := time.Since(sent); since != countsQuiet*5*time.Second {
			t.Fatalf("settled counts listed after %v, want %v", since, countsQuiet*5*time.Second)
		}
	})
}

// An idle scan that fails (a person's git holding index.lock) does not end the idle scans:
// the next comes, later after each failure in a row (a reviewer's stopped until the next
// turn, whose list then had the hand edits again).
func TestIdleScansGoOnAfterAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		_, col, _ := start(t, Config{Runner: &fakeRunner{}, Workspace: ws, IdleScan: 5 * time.Second})
		(<-ws.calls) <- scanAnswer{err: errors.New("git: index.lock exists")}
		began := time.Now()
		(<-ws.calls) <- scanAnswer{err: errors.New("git: index.lock exists")}
		if waited := time.Since(began); waited != 10*time.Second {
			t.Fatalf("the scan after one failure came after %v, want 10s", waited)
		}
		began = time.Now()
		(<-ws.calls) <- scanAnswer{files: []wire.FileChange{{Path: "handmade.txt", Status: "added", Additions: 1}}}
		if waited := time.Since(began); waited != 20*time.Second {
			t.Fatalf("the scan after two failures came after %v, want 20s", waited)
		}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events once a scan worked, want 1", n)
		}
		began = time.Now()
		(<-ws.calls) <- scanAnswer{files: []wire.FileChange{{Path: "handmade.txt", Status: "added", Additions: 1}}}
		if waited := time.Since(began); waited != 5*time.Second {
			t.Fatalf("the scan after one that worked came after %v, want 5s again", waited)
		}
	})
}

// A batch waits for the scan its cut asks for, so that an edit made by hand just before
// is listed before it and not credited to its turn; but no longer than holdBefore: a scan
// that takes longer lets it go (its list follows the batch, as before).
func TestABatchWaitsForItsListNoLongerThanHoldBefore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		p, col, id := start(t, Config{Runner: &fakeRunner{}, Workspace: ws, IdleScan: 5 * time.Second})
		(<-ws.calls) <- scanAnswer{files: []wire.FileChange{}} // the start's
		if _, err := p.Prompt(id, "hello"); err != nil {
			t.Fatal(err)
		}
		hand := []wire.FileChange{{Path: "handmade.txt", Status: "added", Additions: 1}}
		cut := <-ws.calls // the cut's: the batch waits for it
		synctest.Wait()
		if n := count(col.all(), wire.KindBatch); n != 0 {
			t.Fatalf("the batch went before its list")
		}
		cut <- scanAnswer{files: hand}
		col.waitFor(t, "the batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 1 })
		evs := col.all()
		if i, j := slices.IndexFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindChanges }), slices.IndexFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindBatch }); i < 0 || i > j {
			t.Fatalf("the hand edit was not listed before the batch")
		}
		col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
		(<-ws.calls) <- scanAnswer{files: hand} // the turn's own

		// A scan slower than holdBefore.
		if _, err := p.Prompt(id, "again"); err != nil {
			t.Fatal(err)
		}
		slow := <-ws.calls
		began := time.Now()
		col.waitFor(t, "the second batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 2 })
		if waited := time.Since(began); waited != holdBefore {
			t.Fatalf("the batch waited %v for a slow scan, want %v", waited, holdBefore)
		}
		slow <- scanAnswer{files: hand}
		col.waitFor(t, "the second turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 2 })
		(<-ws.calls) <- scanAnswer{files: hand} // the turn's own
		synctest.Wait()
		if n := count(col.all(), wire.KindBatch); n != 2 {
			t.Fatalf("%d batch events for two batches: the slow scan's end sent one again", n)
		}
	})
}

// A batch waiting for its list is held for approval if a host turned approval on
// meanwhile (it went unapproved: a reviewer's), and one goes at once when the sharing is
// turned off (it waited the whole holdBefore for a list no longer owed).
func TestABatchWaitingForItsListMeetsTheHostsChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
		p, col, id := start(t, Config{Runner: &fakeRunner{}, Workspace: ws, IdleScan: 5 * time.Second})
		boss := joinHost(t, p)
		(<-ws.calls) <- scanAnswer{files: []wire.FileChange{}} // the start's
		if _, err := p.Prompt(id, "hello"); err != nil {
			t.Fatal(err)
		}
		cut := <-ws.calls // the batch waits for it
		synctest.Wait()   // merged, and waiting for its list
		if err := boss.SetApproval(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		cut <- scanAnswer{files: []wire.FileChange{}}
		col.waitFor(t, "the batch held for approval", func(e []wire.Event) bool { return count(e, wire.KindApproval) == 1 })
		if n := count(col.all(), wire.KindBatch); n != 0 {
			t.Fatalf("the batch went unapproved")
		}
		if err := boss.SetApproval(context.Background(), false); err != nil { // sends it
			t.Fatal(err)
		}
		col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
		(<-ws.calls) <- scanAnswer{files: []wire.FileChange{}} // the turn's own

		if _, err := p.Prompt(id, "again"); err != nil {
			t.Fatal(err)
		}
		<-ws.calls // the cut's, never answered
		began := time.Now()
		if err := boss.SetWorkspace(context.Background(), wire.WorkspaceOff); err != nil {
			t.Fatal(err)
		}
		col.waitFor(t, "the second batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 2 })
		if waited := time.Since(began); waited != 0 {
			t.Fatalf("the batch waited %v after the sharing was turned off", waited)
		}
	})
}

// TestTheWorkspaceIsSharedOnlyOnceItIs: while the working directory's first snapshot is
// being taken (Config.WorkspacePending) a hello says so, not that the folder is shared (a
// tester's joiner in between was told it was, then that it was not); those told it was
// pending hear how it went; a party nobody was told that says nothing more.
func TestTheWorkspaceIsSharedOnlyOnceItIs(t *testing.T) {
	ws := listWorkspace{}
	p, col, _ := start(t, Config{Workspace: ws, WorkspacePending: true}) // alice's hello: pending
	bob, err := p.Join(JoinRequest{Name: "bob", Token: token, Sub: newCollector(), Conn: "bob"})
	if err != nil || !bob.Party.SharePending || bob.Party.Workspace != wire.WorkspaceChanges {
		t.Fatalf("a hello while pending: %+v %v", bob.Party, err)
	}
	p.WorkspaceReady()
	col.waitFor(t, "said shared", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindSystem && ev.Text == WorkspaceReadyNotice })
	})
	carol, err := p.Join(JoinRequest{Name: "carol", Token: token, Sub: newCollector(), Conn: "carol"})
	if err != nil || carol.Party.SharePending {
		t.Fatalf("a hello once shared: %+v %v", carol.Party, err)
	}

	// Failed: not pending any more, and why.
	p2, _, _ := start(t, Config{Workspace: ws, WorkspacePending: true})
	p2.WorkspaceFailed("it has 20001 files, more than the 20000 a party can track")
	dan, err := p2.Join(JoinRequest{Name: "dan", Token: token, Sub: newCollector(), Conn: "dan"})
	if err != nil || dan.Party.SharePending || dan.Party.ShareError == "" || dan.Party.Workspace != wire.WorkspaceOff {
		t.Fatalf("a hello once failed: %+v %v", dan.Party, err)
	}

	// Nobody told it was pending: nothing said.
	p3 := New(Config{Token: token, Runner: &fakeRunner{}, Workspace: ws, WorkspacePending: true})
	ctx, cancel := context.WithCancel(context.Background())
	go p3.Run(ctx)
	defer func() { cancel(); <-p3.Done() }()
	p3.WorkspaceReady()
	c3 := newCollector()
	if _, err := p3.Join(JoinRequest{Name: "eve", Token: token, Sub: c3, Conn: c3}); err != nil {
		t.Fatal(err)
	}
	st, _ := p3.State(0)
	for _, ev := range st.Events {
		if ev.Text == WorkspaceReadyNotice {
			t.Fatal("said to nobody who was told it was pending")
		}
	}
}

// TestShareChangedWhileTheSnapshotIsTaken: a host that turns the sharing off while the
// first snapshot is being taken does not leave those told it was pending waiting for ever
// (a window said "Not shared yet" to the end): they are told it is over, and not shared.
// Sharing more meanwhile is refused: the party would say shared before it is.
func TestShareChangedWhileTheSnapshotIsTaken(t *testing.T) {
	p, col, _ := start(t, Config{Workspace: listWorkspace{}, WorkspacePending: true}) // alice's hello: pending
	hc := newCollector()
	host, err := p.Join(JoinRequest{Name: "hosty", Role: wire.RoleHost, Sub: hc, Conn: hc})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetWorkspace(host.You.ID, wire.WorkspaceTree); !errors.Is(err, ErrInvalid) {
		t.Fatalf("sharing more while pending: %v", err)
	}
	if err := p.SetWorkspace(host.You.ID, wire.WorkspaceOff); err != nil {
		t.Fatal(err)
	}
	if err := p.SetWorkspace(host.You.ID, wire.WorkspaceChanges); !errors.Is(err, ErrInvalid) {
		t.Fatalf("sharing again while pending: %v", err)
	}
	p.WorkspaceReady()
	col.waitFor(t, "told the snapshot is over", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindSystem && ev.Text == WorkspaceReadyOffNotice })
	})
	if err := p.SetWorkspace(host.You.ID, wire.WorkspaceChanges); err != nil {
		t.Fatalf("sharing once the snapshot is taken: %v", err)
	}
}
