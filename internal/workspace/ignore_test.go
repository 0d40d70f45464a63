package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

func TestRebasePattern(t *testing.T) {
	cases := []struct {
		line, prefix, want string
		ok                 bool
	}{
		{"notes.txt", "", "notes.txt", true},
		{"/docs/private.md", "", "/docs/private.md", true},
		{"# a comment", "", "", false},
		{"   ", "sub", "", false},
		{"*.bak", "sub", "*.bak", true},         // any depth
		{"secrets/", "sub", "secrets/", true},   // a folder at any depth
		{"!keep.bak", "sub", "!keep.bak", true}, // negation, any depth
		{"sub/local.cfg", "sub", "/local.cfg", true},
		{"/sub/deep/x.txt", "sub", "/deep/x.txt", true},
		{"!/sub/x.txt", "sub", "!/x.txt", true},
		{"a/b/c.txt", "a/b", "/c.txt", true},
		{"other/x.txt", "sub", "", false}, // not in the working directory
		{"sub/", "sub", "sub/", true},     // a folder named sub at any depth
		{"**/cache/*.tmp", "sub", "**/cache/*.tmp", true},
		{"*/local.cfg", "sub", "", false}, // a wildcard above: cannot tell
	}
	for _, c := range cases {
		got, ok := rebasePattern(c.line, c.prefix)
		if got != c.want || ok != c.ok {
			t.Errorf("rebasePattern(%q, %q) = %q, %v; want %q, %v", c.line, c.prefix, got, ok, c.want, c.ok)
		}
	}
}

// The host's git ignores more than the folder's own .gitignore files: the repository's
// .git/info/exclude, the user's global ignore file, and the .gitignore of folders above
// the working directory. None of those files is shown, listed or diffed (a reviewer's
// notes.txt, excluded in .git/info/exclude, had its diff shown to every member).
func TestTheHostsOtherIgnoreFilesAreHonoured(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	write(t, home, ".gitconfig", "[core]\n\texcludesFile = ~/my-ignore\n")
	write(t, home, "my-ignore", "*.private\n")

	repo := t.TempDir()
	write(t, repo, "README.md", "top\n")
	write(t, repo, ".gitignore", "*.bak\nsub/local.cfg\nother/x.txt\n")
	write(t, repo, "sub/main.go", "package main\n")
	gitInit(t, repo)
	write(t, repo, ".git/info/exclude", "# local\nnotes.txt\n/sub/draft.md\n")
	dir := filepath.Join(repo, "sub")

	ctx := context.Background()
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"notes.txt", "deep/notes.txt", "draft.md", "key.private", "old.bak", "local.cfg", "seen.go"} {
		write(t, dir, f, "db password: hunter2\n")
	}
	files, _, err := w.Changes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Path)
	}
	if !slices.Equal(names, []string{"seen.go"}) {
		t.Fatalf("changes %v, want only seen.go", names)
	}
	for _, p := range []string{"notes.txt", "draft.md", "key.private", "old.bak", "local.cfg"} {
		if _, err := w.Diff(ctx, p, true); !errors.Is(err, ErrPath) {
			t.Errorf("diff %s: %v, want refused", p, err)
		}
	}
	ents, err := w.Tree(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name != "main.go" && e.Name != "seen.go" && e.Name != "deep" {
			t.Errorf("tree lists %s", e.Name)
		}
	}

	// A pattern added to info/exclude during the party hides nothing: the agent can write
	// that file, and no list shows the change (a tester's new zz_init.go vanished from the
	// list that way, without a trace). The patterns are the start's.
	write(t, repo, ".git/info/exclude", "notes.txt\n/sub/draft.md\nseen.go\n")
	if files, _, err := w.Changes(ctx, true); err != nil || len(files) != 1 || files[0].Path != "seen.go" {
		t.Fatalf("changes after the exclude grew: %+v %v", files, err)
	}
	if _, err := w.Diff(ctx, "seen.go", true); err != nil {
		t.Fatalf("diff of seen.go after the exclude grew: %v", err)
	}
}

// A file of the start that a pattern added later ignores is not listed as deleted, and
// its text is not given as a diff (a reviewer's notes.txt, in the base of a party resumed
// after the host's ignore files were honoured, was shown whole). A rename's source is
// named though ignored now: it was a file of the start, which no later rule hides, as the
// agent can write the rules too (kept.go).
func TestAFileIgnoredLaterIsNotADeletedOne(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "README.md", "top\n")
	write(t, dir, "notes.txt", "db password: hunter2\n")
	write(t, dir, "draft.txt", "a\nb\nc\nd\ne\nf\n")
	gitInit(t, dir)
	w, err := Open(ctx, dir, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	move(t, dir, "draft.txt", "final.txt")
	write(t, dir, ".git/info/exclude", "notes.txt\ndraft.txt\n")
	files, _, err := w.Changes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	// draft.txt was a file of the start, which no later rule hides (kept.go): the rename
	// names it. notes.txt, unchanged, is not listed.
	if files = withoutRevs(files); len(files) != 1 || files[0] != (wire.FileChange{Path: "final.txt", Status: "renamed", From: "draft.txt"}) {
		t.Fatalf("changes %+v; want final.txt renamed from draft.txt, and nothing of notes.txt", files)
	}
	if d, err := w.Diff(ctx, "notes.txt", true); err == nil || strings.Contains(d.Diff, "hunter2") {
		t.Fatalf("diff of notes.txt: %+v %v", d, err)
	}
	if d, err := w.Diff(ctx, "final.txt", true); err != nil || !strings.Contains(d.Diff, "rename from draft.txt") {
		t.Fatalf("diff of final.txt: %+v %v", d, err)
	}
}

// Shares is what the party may see of the folder: what the agent read of anything else is
// not shown (a reviewer's Read of an excluded notes.txt, and of a file outside the folder,
// went to every viewer).
func TestShares(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	ctx := context.Background()
	dir, outside := t.TempDir(), t.TempDir()
	write(t, dir, ".gitignore", "build/\n")
	write(t, dir, "main.go", "package main\n")
	write(t, dir, "build/out.txt", "x\n")
	write(t, dir, "data/private/keys.txt", "x\n")
	write(t, dir, "~/.ssh/id_rsa", "a folder named ~ in the working directory\n")
	write(t, dir, "~ann/notes.txt", "x\n")
	write(t, outside, "other.txt", "x\n")
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, dir, t.TempDir(), Options{Exclude: []string{filepath.Join(dir, "data")}})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		filepath.Join(dir, "main.go"): true, "main.go": true, filepath.Join(dir, "new", "file.go"): true,
		filepath.Join(dir, "build", "out.txt"): false, filepath.Join(dir, "data", "private", "keys.txt"): false,
		filepath.Join(outside, "other.txt"): false, filepath.Join(dir, "link", "other.txt"): false,
		filepath.Join(dir, ".git", "config"): false, "/etc/passwd": false, dir: false, "../x": false,
		// "~" is the home folder to Claude Code, never a folder of the working directory
		// (a tester's Read of ~/.ssh/id_rsa was shown).
		"~/.ssh/id_rsa": false, "~": false, "~ann/notes.txt": false,
	} {
		if got := w.Shares(ctx, p); got != want {
			t.Errorf("Shares(%s) = %v, want %v", p, got, want)
		}
	}
}
