package host

// The workspace (PROTOCOL.md §9) through real sockets: the fake agent writes, appends,
// renames, deletes and links files (and tries to escape with .. and an absolute path); a
// participant and a viewer, raw JSON-RPC peers, see the changes events and ask for
// changes, diffs and the tree at every sharing level, including paths they must not see.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

var writeFile = testkit.WriteFile

// project makes a working directory (a git repository or not) inside its own folder, so
// that the agent's "../outside.txt" lands beside it, not in it.
func project(t *testing.T, asGit bool) string {
	dir := filepath.Join(t.TempDir(), "project")
	writeFile(t, dir, "main.go", "package main\n\nfunc main() {}\n")
	writeFile(t, dir, "old.go", "package main\n\nvar a = 1\nvar b = 2\nvar c = 3\n")
	writeFile(t, dir, "gone.txt", "bye\n")
	writeFile(t, dir, ".gitignore", "*.log\n")
	if asGit {
		for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"}} {
			cmd := exec.Command("git", args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
	}
	return dir
}

const agentEdits = "FAKE_FS=w:new.txt,a:main.go,mv:old.go>renamed.go,rm:gone.txt,ln:escape>/etc/passwd,w:../outside.txt,w:.env,w:debug.log"

func TestWorkspaceThroughTheParty(t *testing.T) {
	for _, asGit := range []bool{true, false} {
		t.Run(map[bool]string{true: "git repository", false: "plain directory"}[asGit], func(t *testing.T) {
			dir := project(t, asGit)
			c := newCtl(t, Config{Insecure: true, Agent: agent.Config{WorkDir: dir}})
			ann := c.raw(t, "ann")
			vic := c.rawWith(t, "vic", c.h.ViewerInvite())
			if ann.you.Role != wire.RoleParticipant || vic.you.Role != wire.RoleViewer {
				t.Fatalf("roles %s %s", ann.you.Role, vic.you.Role)
			}
			// Nothing changed yet.
			var res wire.ChangesResult
			vic.ok(wire.MethodChanges, map[string]any{}, &res)
			if len(res.Files) != 0 || !strings.Contains(res.Base, "when the party began") {
				t.Fatalf("changes at the start: %+v", res)
			}

			ann.ok(wire.MethodPrompt, map[string]any{"text": agentEdits}, nil)
			// escape, a link to /etc/passwd, is listed as a link (never followed; Diff refuses it below).
			want := map[string]string{"new.txt": "added", "main.go": "modified", "renamed.go": "renamed", "gone.txt": "deleted", "escape": "added"}
			var last []wire.FileChange
			var hidden int
			for _, p := range []*rawPeer{ann, vic} {
				evs := p.rec.waitFor(t, "a changes event with every edit", func(e []wire.Event) bool {
					for i := len(e) - 1; i >= 0; i-- {
						if e[i].Kind == wire.KindChanges {
							return len(e[i].Files) == len(want)
						}
					}
					return false
				})
				for i := len(evs) - 1; i >= 0; i-- {
					if evs[i].Kind == wire.KindChanges {
						last, hidden = evs[i].Files, evs[i].Hidden
						break
					}
				}
			}
			for _, f := range last {
				if want[f.Path] != f.Status {
					t.Errorf("changes event: %+v, want %v", last, want)
				}
				if f.Path == "renamed.go" && f.From != "old.go" {
					t.Errorf("rename from %q", f.From)
				}
				if (f.Path == "escape") != f.Link {
					t.Errorf("%s: link %v", f.Path, f.Link)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "..", "outside.txt")); err != nil {
				t.Fatalf("the fake agent did not try to escape: %v", err)
			}

			// .env is kept back, and counted (a tester's agent wrote .env and nobody knew).
			if hidden != 1 {
				t.Errorf("changes event: %d hidden, want 1 (.env)", hidden)
			}
			vic.ok(wire.MethodChanges, map[string]any{}, &res)
			if len(res.Files) != len(want) || res.Hidden != 1 {
				t.Fatalf("Party.changes %+v, %d hidden", res.Files, res.Hidden)
			}
			var d wire.FileDiff
			vic.ok(wire.MethodDiff, map[string]any{"path": "main.go"}, &d)
			if !strings.Contains(d.Diff, "+one more line") || d.Binary || d.Truncated {
				t.Fatalf("diff main.go: %+v", d)
			}
			// Paths nobody may read: outside, absolute, through a symlink, git's files,
			// ignored, a secret, nonsense.
			for _, p := range []string{"../outside.txt", "/etc/passwd", "escape", ".git/config", ".git/HEAD",
				"debug.log", ".env", "main.go/../../x", "nope.go", ""} {
				vic.fails(wire.MethodDiff, map[string]any{"path": p}, -32602)
			}
			vic.fails(wire.MethodDiff, map[string]any{}, -32602)
			// The tree is not shared at the "changes" level.
			vic.fails(wire.MethodTree, map[string]any{"path": ""}, wire.CodeNotAllowed)

			// Only a host changes the level; then the tree is shared, secrets included.
			ann.fails(wire.MethodSetWorkspace, map[string]any{"level": "tree"}, wire.CodeNotAllowed)
			// The whole folder, secrets included, is the owner's to open: not a co-host's.
			cora := c.cohost(t, "cora")
			cora.fails(wire.MethodSetWorkspace, map[string]any{"level": "tree"}, wire.CodeNotAllowed)
			if err := c.owner.SetWorkspace(t.Context(), wire.WorkspaceTree); err != nil {
				t.Fatal(err)
			}
			vic.rec.waitFor(t, "the settings event", func(e []wire.Event) bool { // a changes event may follow it
				return slices.ContainsFunc(e, func(ev wire.Event) bool {
					return ev.Kind == wire.KindSettings && ev.Settings.Workspace == wire.WorkspaceTree
				})
			})
			var tree wire.TreeResult
			vic.ok(wire.MethodTree, map[string]any{"path": ""}, &tree)
			names := map[string]bool{}
			for _, e := range tree.Entries {
				names[e.Name] = true
			}
			if !names["main.go"] || !names["renamed.go"] || !names[".env"] || names[".git"] || names["debug.log"] {
				t.Fatalf("tree: %+v", tree.Entries)
			}
			vic.ok(wire.MethodDiff, map[string]any{"path": ".env"}, &d)
			if !strings.Contains(d.Diff, "hello from the agent") {
				t.Fatalf(".env with the tree shared: %+v", d)
			}
			res = wire.ChangesResult{} // decoded afresh: an absent "hidden" is 0
			vic.ok(wire.MethodChanges, map[string]any{}, &res)
			if len(res.Files) != len(want)+1 || res.Hidden != 0 {
				t.Fatalf("Party.changes with the tree shared: %+v, %d hidden", res.Files, res.Hidden)
			}
			for _, p := range []string{"escape", "..", "../project", "/", ".git", "main.go"} {
				vic.fails(wire.MethodTree, map[string]any{"path": p}, -32602)
			}

			// Off: nothing is answered, no more changes events.
			if err := c.owner.SetWorkspace(t.Context(), wire.WorkspaceOff); err != nil {
				t.Fatal(err)
			}
			vic.rec.waitFor(t, "the settings event", func(e []wire.Event) bool { // a changes event may follow it
				return slices.ContainsFunc(e, func(ev wire.Event) bool {
					return ev.Kind == wire.KindSettings && ev.Settings.Workspace == wire.WorkspaceOff
				})
			})
			for _, m := range []string{wire.MethodChanges, wire.MethodDiff, wire.MethodTree} {
				vic.fails(m, map[string]any{"path": "main.go"}, wire.CodeNotAllowed)
			}
			// A co-host may narrow the sharing, never widen what the owner narrowed (a
			// tester's co-host turned "changes" back on after the host's /share off).
			cora.fails(wire.MethodSetWorkspace, map[string]any{"level": "changes"}, wire.CodeNotAllowed)
			if err := c.owner.SetWorkspace(t.Context(), wire.WorkspaceChanges); err != nil {
				t.Fatal(err)
			}
			sharedAgain := func(what string) {
				vic.rec.waitFor(t, what, func(e []wire.Event) bool {
					for i := len(e) - 1; i >= 0; i-- {
						switch {
						case e[i].Kind == wire.KindChanges && len(e[i].Files) == len(want):
							return true
						case e[i].Kind == wire.KindSettings:
							return false // none since the level last changed
						}
					}
					return false
				})
			}
			sharedAgain("the list after sharing again")
			cora.ok(wire.MethodSetWorkspace, map[string]any{"level": "off"}, nil)
			// Shared again with the very list sent before it was off: the list comes all the
			// same (a tester's raw client got none).
			if err := c.owner.SetWorkspace(t.Context(), wire.WorkspaceChanges); err != nil {
				t.Fatal(err)
			}
			sharedAgain("the same list after sharing again")
			// A co-host undoes its own narrowing, up to the owner's last choice (a tester's
			// co-host's /share off was for good in a party with no owner to undo it).
			cora.ok(wire.MethodSetWorkspace, map[string]any{"level": "off"}, nil)
			cora.ok(wire.MethodSetWorkspace, map[string]any{"level": "changes"}, nil)
			cora.fails(wire.MethodSetWorkspace, map[string]any{"level": "tree"}, wire.CodeNotAllowed)
		})
	}
}

// With --share-workspace off from the start, the methods answer -32002 and no changes
// event is ever sent.
func TestWorkspaceOff(t *testing.T) {
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, ShareWorkspace: wire.WorkspaceOff, Agent: agent.Config{WorkDir: dir}})
	ann := c.raw(t, "ann")
	if info := c.h.Party().Info(); info.Workspace != wire.WorkspaceOff {
		t.Fatalf("party info workspace %q", info.Workspace)
	}
	for _, m := range []string{wire.MethodChanges, wire.MethodDiff, wire.MethodTree} {
		ann.fails(m, map[string]any{"path": "main.go"}, wire.CodeNotAllowed)
		// Not shared comes first: bad or missing params change nothing.
		ann.fails(m, map[string]any{}, wire.CodeNotAllowed)
		ann.fails(m, map[string]any{"path": 7}, wire.CodeNotAllowed)
	}
	ann.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_FS=w:new.txt"}, nil)
	ann.rec.waitFor(t, "the turn", nTurns(1))
	// A turn's scan sends its changes event 70–230 ms after the turn here: a second is
	// long enough for one to arrive, were it sent.
	time.Sleep(time.Second)
	for _, ev := range ann.rec.events() {
		if ev.Kind == wire.KindChanges {
			t.Fatalf("a changes event with sharing off: %+v", ev)
		}
	}
	// Refused with the reason (a tester was told "cannot be shared", no more).
	if err := c.owner.SetWorkspace(t.Context(), wire.WorkspaceChanges); err == nil || !strings.Contains(err.Error(), "this run was started with sharing off (--share-workspace off), so it has no record of the folder") {
		t.Fatalf("sharing turned on in a party that started without a workspace: %v", err)
	}
	if c.h.Party().CanShareWorkspace() {
		t.Fatal("a party with no workspace says it can share it")
	}
}

// A changes event follows every turn, also one that changed no file (PROTOCOL.md §9: "after
// each turn"); it used to be sent only when the list differed from the last one.
func TestChangesAfterEveryTurn(t *testing.T) {
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, Agent: agent.Config{WorkDir: dir}})
	ann := c.raw(t, "ann")
	for i := 1; i <= 2; i++ {
		ann.ok(wire.MethodPrompt, map[string]any{"text": "touch nothing"}, nil)
		ann.rec.waitFor(t, "a changes event after the turn", func(e []wire.Event) bool {
			turns, changes := 0, 0
			for _, ev := range e {
				switch {
				case ev.Kind == wire.KindTurn:
					turns++
				case ev.Kind == wire.KindChanges && turns == i:
					changes++
				}
			}
			return turns == i && changes == 1
		})
	}
}

// TestRelativeDirectories: a host started with a relative --data-dir and --workdir (from
// the directory above both) shares its workspace and journals where it ran. The workspace's
// git used to be given the relative data directory while it ran in the work directory:
// "fatal: not a git repository: 'data/workspace/…/git'", and nothing was shared.
func TestRelativeDirectories(t *testing.T) {
	dir := project(t, true)
	fake := testkit.FakeClaude(t) // built from the module root: before leaving it
	t.Chdir(filepath.Dir(dir))
	if err := os.Mkdir("data", 0o700); err != nil {
		t.Fatal(err)
	}
	c := newCtl(t, Config{Insecure: true, DataDir: "data", Agent: agent.Config{Path: fake, WorkDir: filepath.Base(dir)}})
	ann := c.raw(t, "ann")
	ann.ok(wire.MethodPrompt, map[string]any{"text": agentEdits}, nil)
	evs := ann.rec.waitFor(t, "a changes event, or an error", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool {
			return ev.Kind == wire.KindChanges || ev.Kind == wire.KindError
		})
	})
	for _, ev := range evs {
		if ev.Kind == wire.KindError {
			t.Fatalf("error event: %s", ev.Text)
		}
	}
	s, err := journal.Read(c.h.TranscriptPath(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Settings.WorkDir != dir || !filepath.IsAbs(c.h.TranscriptPath()) {
		t.Fatalf("journaled workdir %q (want %q), journal %q", s.Settings.WorkDir, dir, c.h.TranscriptPath())
	}
}

// A folder too large to track is said in one sentence with the count, and what to do
// about it is kept for the host (a tester's notice gave only the count of files; then
// every member was told the host's remedy, and read "the working directory" twice).
func TestTooLargeAFolderSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i <= workspace.DefaultMaxFiles; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	said := make(chan string, 1)
	l := openWorkspace(context.Background(), dir, t.TempDir(), "p1", false, func(reason string) { said <- reason })
	<-l.ready
	select {
	case s := <-said:
		if s != "it has 20001 files, more than the 20000 a party can track" {
			t.Fatalf("said %q", s)
		}
		if l.fix != "list build output and dependencies in a .gitignore, or host from a smaller folder" {
			t.Fatalf("the host's remedy %q", l.fix)
		}
	default:
		t.Fatal("nothing said of a folder too large")
	}
}

// A member already in the party when the folder's first snapshot fails is told why in the
// settings event that turns the sharing off, on the wire (share_error was dropped there:
// only the party's own copy of the event had it).
func TestAFailedSnapshotIsSaidOnTheWire(t *testing.T) {
	c := newCtl(t, Config{Insecure: true, ShareWorkspace: wire.WorkspaceChanges, Agent: agent.Config{WorkDir: project(t, true)}})
	ann := c.raw(t, "ann")
	c.h.Party().WorkspaceFailed("the working directory is too large to track changes in: 20001 files")
	ann.rec.waitFor(t, "the settings event with why", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool {
			return ev.Kind == wire.KindSettings && ev.Settings.Workspace == wire.WorkspaceOff &&
				ev.Settings.ShareError == "the working directory is too large to track changes in: 20001 files"
		})
	})
}

// TestHandEditsBetweenTurnsAreListedAsTheyCome: a file written by hand while no turn runs
// is listed within an idle scan, before any turn; the next turn's own list then adds only
// what it changed (a window tester's turn listed the hand-made file as its own, and the
// Changes count stood still until then).
func TestHandEditsBetweenTurnsAreListedAsTheyCome(t *testing.T) {
	old := idleScan
	idleScan = 200 * time.Millisecond
	t.Cleanup(func() { idleScan = old })
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, Agent: agent.Config{WorkDir: dir}})
	ann := c.raw(t, "ann")
	ann.ok(wire.MethodChanges, nil, nil) // answered once the party's starting point is taken
	writeFile(t, dir, "handmade.txt", "by hand\n")
	evs := ann.rec.waitFor(t, "the hand edit listed", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool {
			return ev.Kind == wire.KindChanges && slices.ContainsFunc(ev.Files, func(f wire.FileChange) bool { return f.Path == "handmade.txt" })
		})
	})
	if slices.ContainsFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindTurn || ev.Kind == wire.KindBatch }) {
		t.Fatalf("listed only with a turn: %+v", evs)
	}
	ann.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_FS=w:agent.txt"}, nil)
	ann.rec.waitFor(t, "the turn's list", func(e []wire.Event) bool {
		turn := false
		for _, ev := range e {
			turn = turn || ev.Kind == wire.KindTurn
			if turn && ev.Kind == wire.KindChanges && len(ev.Files) == 2 {
				return true
			}
		}
		return false
	})
}

// TestHandEditOfAListedFileUpdatesItsCounts: a listed file edited again by hand between
// turns is listed again with its new counts, before any turn (a window tester's main.go
// stayed "+1 −0" in every window's list, and over its diff, while the diff showed two
// added lines: between turns only a list whose files came, went or changed status went
// out).
func TestHandEditOfAListedFileUpdatesItsCounts(t *testing.T) {
	old := idleScan
	idleScan = 200 * time.Millisecond
	t.Cleanup(func() { idleScan = old })
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, Agent: agent.Config{WorkDir: dir}})
	ann := c.raw(t, "ann")
	ann.ok(wire.MethodChanges, nil, nil) // answered once the party's starting point is taken
	counts := func(e []wire.Event, path string) (adds int, listed bool) {
		for i := len(e) - 1; i >= 0; i-- {
			if e[i].Kind != wire.KindChanges {
				continue
			}
			for _, f := range e[i].Files {
				if f.Path == path {
					return f.Additions, true
				}
			}
			return 0, false
		}
		return 0, false
	}
	writeFile(t, dir, "main.go", "package main\n\nfunc main() {}\n// one\n")
	ann.rec.waitFor(t, "main.go listed with its line", func(e []wire.Event) bool {
		n, ok := counts(e, "main.go")
		return ok && n == 1
	})
	writeFile(t, dir, "main.go", "package main\n\nfunc main() {}\n// one\n// two\n")
	evs := ann.rec.waitFor(t, "main.go listed again with both lines", func(e []wire.Event) bool {
		n, _ := counts(e, "main.go")
		return n == 2
	})
	if slices.ContainsFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindTurn || ev.Kind == wire.KindBatch }) {
		t.Fatalf("listed only with a turn: %+v", evs)
	}
	var res wire.ChangesResult // and as Party.changes says it
	ann.ok(wire.MethodChanges, nil, &res)
	if len(res.Files) != 1 || res.Files[0].Additions != 2 {
		t.Fatalf("Party.changes: %+v", res.Files)
	}
}

// TestHandEditsJustBeforeAPromptAreNotTheTurns: a file already listed that a person
// edited further, and a file written by hand, after the last idle scan, are listed as the
// batch is cut, before the batch: the turn's own list then credits it with
// neither (they were listed with the next turn's files, as if the agent had made them).
func TestHandEditsJustBeforeAPromptAreNotTheTurns(t *testing.T) {
	old := idleScan
	idleScan = time.Hour // no idle scan sees the edits below
	t.Cleanup(func() { idleScan = old })
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, Window: 1500 * time.Millisecond, Agent: agent.Config{WorkDir: dir}}) // long enough for a scan on a slow machine
	ann := c.raw(t, "ann")
	ann.ok(wire.MethodChanges, nil, nil) // answered once the party's starting point is taken
	// listedBefore sends a prompt once edit is done, and returns the list that came before
	// its batch.
	listedBefore := func(edit func()) map[string]wire.FileChange {
		t.Helper()
		start := len(ann.rec.events())
		edit()
		ann.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_FS=a:agent.txt"}, nil)
		evs := ann.rec.waitFor(t, "the turn's list", func(e []wire.Event) bool {
			turn := slices.IndexFunc(e[start:], func(ev wire.Event) bool { return ev.Kind == wire.KindTurn })
			return turn >= 0 && slices.ContainsFunc(e[start+turn:], func(ev wire.Event) bool { return ev.Kind == wire.KindChanges })
		})[start:]
		batch := slices.IndexFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindBatch })
		i := slices.IndexFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindChanges })
		if i < 0 || i > batch {
			kinds := make([]string, len(evs))
			for j, ev := range evs {
				kinds[j] = ev.Kind
			}
			t.Fatalf("no list before the batch: %v", kinds)
		}
		files := map[string]wire.FileChange{}
		for _, f := range evs[i].Files {
			files[f.Path] = f
		}
		return files
	}
	listedBefore(func() { writeFile(t, dir, "listed.txt", "one\n") }) // a first turn: listed.txt is listed
	if f := listedBefore(func() { writeFile(t, dir, "listed.txt", "one\ntwo\nthree\n") })["listed.txt"]; f.Additions != 3 {
		t.Errorf("the list before the batch has listed.txt as %+v, want the 3 lines it has by hand", f)
	}
	if _, ok := listedBefore(func() { writeFile(t, dir, "handmade.txt", "by hand\n") })["handmade.txt"]; !ok {
		t.Errorf("the list before the batch leaves out the file made by hand")
	}
}

// TestHandEditsWhileABatchIsCollectedAreNotTheTurns: a listed file edited by hand while a
// batch is collected is listed, counts and all, before the
// batch (a reviewer's: between turns a change of counts alone waited for the turn's list,
// and a batch may wait long, for its window, a merge or a host's approval).
func TestHandEditsWhileABatchIsCollectedAreNotTheTurns(t *testing.T) {
	old := idleScan
	idleScan = 200 * time.Millisecond
	t.Cleanup(func() { idleScan = old })
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, Window: 2 * time.Second, Agent: agent.Config{WorkDir: dir}})
	ann := c.raw(t, "ann")
	ann.ok(wire.MethodChanges, nil, nil) // answered once the party's starting point is taken
	listed := func(e wire.Event, additions int) bool {
		return e.Kind == wire.KindChanges && slices.ContainsFunc(e.Files, func(f wire.FileChange) bool { return f.Path == "listed.txt" && f.Additions == additions })
	}
	writeFile(t, dir, "listed.txt", "one\n")
	ann.rec.waitFor(t, "listed.txt listed", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return listed(ev, 1) })
	})
	start := len(ann.rec.events())
	ann.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_FS=a:agent.txt"}, nil)
	time.Sleep(500 * time.Millisecond) // the batch is being collected
	writeFile(t, dir, "listed.txt", "one\ntwo\nthree\n")
	evs := ann.rec.waitFor(t, "the batch", func(e []wire.Event) bool {
		return slices.ContainsFunc(e[start:], func(ev wire.Event) bool { return ev.Kind == wire.KindBatch })
	})[start:]
	batch := slices.IndexFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindBatch })
	if !slices.ContainsFunc(evs[:batch], func(ev wire.Event) bool { return listed(ev, 3) }) {
		t.Fatalf("the hand edit's counts were not listed before the batch")
	}
}

// TestHandEditJustBeforeTheCutIsNotTheTurns: a file written by hand a moment before the
// prompt that completes a batch (--min-prompts 2, the first one long waiting) is listed
// before the batch: the batch waits for the scan its cut asks for (a window tester's
// edit, made a second before, was the turn's).
func TestHandEditJustBeforeTheCutIsNotTheTurns(t *testing.T) {
	old := idleScan
	idleScan = time.Hour // no idle scan sees the edit
	t.Cleanup(func() { idleScan = old })
	dir := project(t, true)
	c := newCtl(t, Config{Insecure: true, MinPrompts: 2, Agent: agent.Config{WorkDir: dir}})
	ann := c.raw(t, "ann")
	ann.ok(wire.MethodChanges, nil, nil) // answered once the party's starting point is taken
	ann.ok(wire.MethodPrompt, map[string]any{"text": "first"}, nil)
	time.Sleep(500 * time.Millisecond) // its scan is done; it waits for a second prompt
	start := len(ann.rec.events())
	writeFile(t, dir, "handmade.txt", "by hand\n")
	ann.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_FS=a:agent.txt"}, nil)
	evs := ann.rec.waitFor(t, "the batch", func(e []wire.Event) bool {
		return slices.ContainsFunc(e[start:], func(ev wire.Event) bool { return ev.Kind == wire.KindBatch })
	})[start:]
	batch := slices.IndexFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindBatch })
	if !slices.ContainsFunc(evs[:batch], func(ev wire.Event) bool {
		return ev.Kind == wire.KindChanges && slices.ContainsFunc(ev.Files, func(f wire.FileChange) bool { return f.Path == "handmade.txt" })
	}) {
		t.Fatalf("the hand edit was not listed before the batch")
	}
}
