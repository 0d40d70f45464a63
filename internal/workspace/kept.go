package workspace

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// Files that ignore rules cannot hide, and files they must.
//
// A snapshot adds what `git add --all` adds, into an index of its own that starts empty,
// so a file the host's repository tracks though a pattern matches it (committed with
// `git add -f`: a config, a vendored file) was never recorded, and the agent's edits to it
// never listed (a tester's committed app.cfg, under `*.cfg`). Worse, a line added to
// .gitignore during the party hid every later edit of a file that was there at the start,
// and refused its diff (a tester's `echo src/ >> .gitignore`, then a backdoor in
// src/app.go: only the .gitignore change showed); so did a line in .git/info/exclude, which
// the agent reaches as easily and whose change no list shows (a reviewer's).
//
// So the files the party saw at its start are kept: the start's snapshot, and the files
// the host's repository tracked then, less those the host's own ignore files named and
// those it marks skip-worktree or assume-unchanged (git status does not show them either:
// a way to keep local credentials out). They are recorded and diffed whatever any ignore
// rule says later. Both sets are taken once, at the start, and kept beside the base for a
// resume: taken from the live index, a `git add -f` during the party made an ignored
// private file everyone's (a reviewer's).
//
// And the other way: a file that is not kept and that the host's own ignore files name is
// never shown, even when a .gitignore in the folder un-ignores it with "!name" (git gives
// the folder's rule the last word: a reviewer's notes.txt, excluded in info/exclude, was
// listed whole after an agent's `!notes.txt`).

// keptPaths are the files a snapshot records even when ignored. Never changed once made
// (Workspace.kept is replaced whole), so readers without the lock may load it.
type keptPaths struct {
	base    map[string]bool // the files of the start's snapshot
	tracked map[string]bool // the other files the host's repository tracked at the start
	dirs    map[string]bool // the folders that hold any of them
}

// newKept is the kept paths of base and tracked (either may be nil).
func newKept(base, tracked map[string]bool) *keptPaths {
	k := &keptPaths{base: base, tracked: tracked, dirs: map[string]bool{}}
	for _, set := range []map[string]bool{base, tracked} {
		for p := range set {
			for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
				if k.dirs[p[:i]] {
					break // and the folders above it, from an earlier file
				}
				k.dirs[p[:i]] = true
			}
		}
	}
	return k
}

// has says whether p is kept, or, as a folder, holds a kept file.
func (k *keptPaths) has(p string) bool {
	return k != nil && (k.base[p] || k.tracked[p] || k.dirs[p])
}

// file says whether p is a kept file.
func (k *keptPaths) file(p string) bool {
	return k != nil && (k.base[p] || k.tracked[p])
}

// keptFile is where the start's tracked files are kept for a resume, beside the base.
const keptFile = "tracked"

// settleIgnored makes ignored (a check-ignore's answer about paths) the party's: kept
// paths are not ignored, and paths the host's own ignore files name are, unless kept.
func (w *Workspace) settleIgnored(ctx context.Context, paths []string, ignored map[string]bool) error {
	k := w.kept.Load()
	var ask []string
	for _, p := range paths {
		switch {
		case k.has(p):
			delete(ignored, p)
		case !ignored[p]:
			ask = append(ask, p)
		}
	}
	if len(ask) == 0 {
		return nil
	}
	// A folder is asked about as "name/": in the empty work tree git cannot tell it is
	// one, and a folder's pattern ("private/") passed it by (a tester's /tree listed the
	// host's excluded folders once a .gitignore said "!private/").
	as := make([]string, len(ask))
	for i, p := range ask {
		as[i] = p
		if fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(p))); err == nil && fi.IsDir() {
			as[i] = p + "/"
		}
	}
	host, err := w.hostIgnored(ctx, as)
	if err != nil {
		return err
	}
	for i, q := range as {
		if host[q] {
			ignored[ask[i]] = true
		}
	}
	return nil
}

// hostIgnored says which of paths the host's own ignore files name: git asks the private
// repository's info/exclude, where writeExcludes puts their patterns, about a work tree
// with no .gitignore in it (an empty folder: a path's folders are known to be folders by
// their children).
func (w *Workspace) hostIgnored(ctx context.Context, paths []string) (map[string]bool, error) {
	empty := filepath.Join(w.gitDir, "empty-tree")
	if err := os.MkdirAll(empty, 0o700); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	cmd, cancel := gitCommand(ctx, w.git, w.opts.Timeout, []string{"GIT_DIR=" + w.gitDir, "GIT_WORK_TREE=" + empty},
		"check-ignore", "--no-index", "-z", "--stdin")
	defer cancel()
	cmd.Dir = empty
	return checkIgnore(cmd, paths)
}

// startTracked is the set of files the host's repository tracks under the working
// directory now (nil outside a repository), less those it marks skip-worktree or
// assume-unchanged and those the host's own ignore files name. Git reads the host's index
// here, and nothing else of it: a repository's core.fsmonitor would be a program it runs.
// The caller owns w, and has written the host's patterns (writeExcludes).
func (w *Workspace) startTracked(ctx context.Context) (map[string]bool, error) {
	cmd, cancel := gitCommand(ctx, w.git, w.opts.Timeout, nil, "-c", "core.fsmonitor=false", "ls-files", "-z", "-v", "--cached")
	defer cancel()
	cmd.Dir = w.dir
	out, err := cmd.Output()
	if err != nil {
		return nil, nil // not in a repository
	}
	var paths []string
	for _, e := range strings.Split(string(out), "\x00") {
		// "H path": an ordinary entry; "S": skip-worktree; a lower-case tag: assume-unchanged.
		if len(e) < 3 || e[1] != ' ' || e[0] != 'H' {
			continue
		}
		paths = append(paths, e[2:])
	}
	if len(paths) == 0 {
		return nil, nil
	}
	host, err := w.hostIgnored(ctx, paths)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, p := range paths {
		if !host[p] && !w.isExcluded(p) {
			set[p] = true
		}
	}
	return set, nil
}

// saveTracked keeps the start's tracked files for a resume (stateDir/keptFile).
func saveTracked(stateDir string, tracked map[string]bool) error {
	var b bytes.Buffer
	for p := range tracked {
		b.WriteString(p)
		b.WriteByte(0)
	}
	return atomicfile.Write(filepath.Join(stateDir, keptFile), b.Bytes(), 0o600)
}

// loadTracked reads what saveTracked kept; none for a party recorded before it was.
func loadTracked(stateDir string) map[string]bool {
	b, err := os.ReadFile(filepath.Join(stateDir, keptFile))
	if err != nil {
		return nil
	}
	return pathSet(b)
}

// loadBase reads the start's files from its snapshot, beside tracked. The caller owns w.
func (w *Workspace) loadBase(ctx context.Context, tracked map[string]bool) error {
	out, err := w.run(ctx, w.dir, nil, "ls-tree", "-r", "-z", "--name-only", w.base)
	if err != nil {
		return err
	}
	base := pathSet(out)
	for p := range tracked {
		if base[p] {
			delete(tracked, p) // one set or the other
		}
	}
	w.kept.Store(newKept(base, tracked))
	return nil
}

// pathSet is the set of git's NUL-ended paths.
func pathSet(out []byte) map[string]bool {
	set := map[string]bool{}
	for _, p := range strings.Split(string(out), "\x00") {
		if p != "" {
			set[p] = true
		}
	}
	return set
}

// settleIndex makes the snapshot's index, as `git add --all` left it (listed), the
// party's: the kept files it left out as ignored are added (one larger than MaxFileSize
// joins big instead), and the files that are not kept and that the host's own ignore
// files name are taken out. It returns big and the bytes it hashed. The caller holds mu
// or owns w.
func (w *Workspace) settleIndex(ctx context.Context, index []string, listed map[string]bool, big []bigFile) ([]bigFile, int64, error) {
	k := w.kept.Load()
	seen := map[string]bool{}
	for _, b := range big {
		seen[b.path] = true
	}
	var update []string // added from the work tree, or taken out
	var hashed int64
	if k != nil {
		for _, set := range []map[string]bool{k.base, k.tracked} {
			for p := range set {
				if listed[p] || seen[p] || w.isExcluded(p) {
					continue
				}
				seen[p] = true
				if w.isLink(p) {
					continue // a link, or through one: never followed (the add takes a link itself)
				}
				fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(p)))
				if err != nil || fi.Mode()&fs.ModeType != 0 {
					continue // deleted, or no longer a file
				}
				if fi.Size() > w.opts.MaxFileSize {
					big = append(big, bigFile{path: p, info: fi})
					continue
				}
				update = append(update, p)
				hashed += fi.Size()
			}
		}
	}
	var added []string
	for p := range listed {
		if !k.file(p) {
			added = append(added, p)
		}
	}
	if len(added) > 0 {
		host, err := w.hostIgnored(ctx, added)
		if err != nil {
			return big, hashed, err
		}
		if len(host) > 0 {
			// --force-remove: --remove takes out only a path gone from the work tree.
			if err := w.updateIndex(ctx, index, []string{"--force-remove"}, slices.Collect(maps.Keys(host))); err != nil {
				return big, hashed, err
			}
		}
	}
	if len(update) == 0 {
		return big, hashed, nil
	}
	// update-index, not add: a path that vanished since the lstat is taken out, not a
	// fatal error that fails the whole snapshot (git add --pathspec-from-file is). One git
	// still refuses (a kept file now inside a repository of its own: "appears as both a
	// file and as a directory", a tester's) is left out, not the end of every snapshot.
	if err := w.updateIndex(ctx, index, []string{"--add", "--remove"}, update); err != nil {
		for _, p := range update {
			_ = w.updateIndex(ctx, index, []string{"--add", "--remove"}, []string{p}) // refused: left out
		}
	}
	return big, hashed, nil
}

// updateIndex runs git update-index with flags on paths, read from its stdin.
func (w *Workspace) updateIndex(ctx context.Context, index, flags, paths []string) error {
	args := append([]string{"update-index"}, flags...)
	cmd, cancel := w.command(ctx, w.dir, index, append(args, "-z", "--stdin")...)
	defer cancel()
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git update-index: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// isExcluded says whether p is in one of the folders never shown (Options.Exclude).
func (w *Workspace) isExcluded(p string) bool {
	for _, ex := range w.excluded {
		if p == ex || strings.HasPrefix(p, ex+"/") {
			return true
		}
	}
	return false
}
