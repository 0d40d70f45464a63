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
)

// Files that ignore rules cannot hide.
//
// A snapshot adds what `git add --all` adds, into an index of its own that starts empty,
// so a file the host's repository tracks though a pattern matches it (committed with
// `git add -f`: a config, a vendored file) was never recorded, and the agent's edits to it
// never listed (a tester's committed app.cfg, under `*.cfg`). Worse, a line added to
// .gitignore during the party hid every later edit of a file that was there at the start,
// and refused its diff (a tester's `echo src/ >> .gitignore`, then a backdoor in
// src/app.go: only the .gitignore change showed). Git itself shows a tracked file whatever
// the ignore rules say; so does the party now: the files of the start, and those the host's
// repository tracks, are recorded as any other file is.
//
// The host's own ignore files (ignore.go: info/exclude, the global one, the folders'
// above) still hide them: those are the host's word, kept outside the folder, that a file
// is private (a reviewer's notes.txt, excluded during the party, is not shown).

// keptPaths are the files a snapshot records even when ignored. Never changed once made:
// a snapshot makes a new one (Workspace.kept), which readers without the lock load.
type keptPaths struct {
	base    map[string]bool // the files of the start's snapshot
	tracked map[string]bool // the files the host's repository tracked at the last snapshot
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

// unignore takes out of ignored (ignored's answer) the kept paths that the host's own
// ignore files do not name.
func (w *Workspace) unignore(ctx context.Context, ignored map[string]bool) error {
	k := w.kept.Load()
	asked := map[string]string{} // the path git is asked about, by the path
	for p := range ignored {
		switch {
		case k != nil && (k.base[p] || k.tracked[p]):
			asked[p] = p
		case k.has(p): // a folder of kept files
			asked[p] = p + "/" // a folder: git cannot tell it is one in a tree without it
		}
	}
	if len(asked) == 0 {
		return nil
	}
	host, err := w.hostIgnored(ctx, slices.Collect(maps.Values(asked)))
	if err != nil {
		return err
	}
	for p, q := range asked {
		if !host[q] {
			delete(ignored, p)
		}
	}
	return nil
}

// hostIgnored says which of paths the host's own ignore files name: git asks the private
// repository's info/exclude, where snapshot writes their patterns, about a work tree
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

// loadBase reads the start's files from its snapshot. The caller holds mu or owns w.
func (w *Workspace) loadBase(ctx context.Context) error {
	out, err := w.run(ctx, w.dir, nil, "ls-tree", "-r", "-z", "--name-only", w.base)
	if err != nil {
		return err
	}
	var tracked map[string]bool
	if k := w.kept.Load(); k != nil {
		tracked = k.tracked
	}
	w.kept.Store(newKept(pathSet(out), tracked))
	return nil
}

// hostTracked is the set of files the host's repository tracks under the working
// directory; nil outside a repository. Git reads the host's index here, and nothing else
// of it: a repository's core.fsmonitor would be a program it runs.
func (w *Workspace) hostTracked(ctx context.Context) map[string]bool {
	cmd, cancel := gitCommand(ctx, w.git, w.opts.Timeout, nil, "-c", "core.fsmonitor=false", "ls-files", "-z", "--cached")
	defer cancel()
	cmd.Dir = w.dir
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return pathSet(out)
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

// addKept adds to the snapshot's index the kept files that `git add --all` left out as
// ignored. listed is what the index holds; a kept file larger than MaxFileSize joins big
// instead. It returns big and how many files it added. The caller holds mu or owns w.
func (w *Workspace) addKept(ctx context.Context, index []string, listed map[string]bool, big []bigFile) ([]bigFile, int, error) {
	var base map[string]bool
	if k := w.kept.Load(); k != nil {
		base = k.base
	}
	next := newKept(base, w.hostTracked(ctx))
	w.kept.Store(next)
	seen := map[string]bool{}
	for _, b := range big {
		seen[b.path] = true
	}
	var add []string
	for _, set := range []map[string]bool{next.base, next.tracked} {
		for p := range set {
			if listed[p] || seen[p] || w.isExcluded(p) {
				continue
			}
			seen[p] = true
			if w.isLink(p) {
				continue // a link, or through one: never followed (snapshot's add takes a link itself)
			}
			fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(p)))
			if err != nil || fi.Mode()&fs.ModeType != 0 {
				continue // deleted, or no longer a file
			}
			if fi.Size() > w.opts.MaxFileSize {
				big = append(big, bigFile{path: p, info: fi})
				continue
			}
			add = append(add, p)
		}
	}
	if len(add) > 0 {
		host, err := w.hostIgnored(ctx, add)
		if err != nil {
			return big, 0, err
		}
		add = slices.DeleteFunc(add, func(p string) bool { return host[p] })
	}
	if len(add) == 0 {
		return big, 0, nil
	}
	cmd, cancel := w.command(ctx, w.dir, append(index, "GIT_LITERAL_PATHSPECS=1"),
		"add", "--force", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul")
	defer cancel()
	cmd.Stdin = strings.NewReader(strings.Join(add, "\x00") + "\x00")
	if out, err := cmd.CombinedOutput(); err != nil {
		return big, 0, fmt.Errorf("git add --force: %w: %s", err, bytes.TrimSpace(out))
	}
	return big, len(add), nil
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
