// Patterns in a command line matched against the folders as the shell would expand them,
// within a budget (bashSecret's globSecret).

package agent

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/concordia-party/concordia/internal/workspace"
)

// globSecret is secretWord for a pattern (cat .e*, cat */.env, cat ~/.ss*/id_*): what it
// names when the pattern itself names a secret file (.env*), else the first secret file it
// matches as the shell would expand it (globFind), read where it points: the working
// directory, the home folder (~/, $HOME/) or an absolute path. A match in the working
// directory is that file, relative; one elsewhere is workspace.Environment. After a cd
// (moved), or under another variable, where a relative pattern points is not known: only
// the pattern itself is read. budget is what the command's patterns may still read; a
// pattern it cannot walk whole, or any once a line has more than maxGlobs (skip), is taken
// as naming a secret: a reviewer's decoys (ls /usr/*/*/* first, or eight patterns) spent
// the budget and the ~/.ss*/id_* after them went unread. A match that is program source
// is no secret file (secrets.go: a reviewer's gofmt -l internal/*/*.go was kept back).
func globSecret(w, workdir string, moved bool, budget *globBudget, skip bool) string {
	named := func() string {
		if pointsOutside(w) || moved {
			return workspace.Environment
		}
		return w
	}
	if workspace.IsSecret(strings.TrimPrefix(w, "~/")) {
		return named()
	}
	abs := patternPath(w, workdir, moved)
	if abs == "" {
		return ""
	}
	if skip {
		return named()
	}
	m, whole := globFind(abs, budget, false, keepSecret)
	if m == "" {
		if !whole {
			return named()
		}
		return ""
	}
	if workdir != "" {
		if rel, err := filepath.Rel(workdir, m); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return workspace.Environment
}

// pointsOutside: a word that points out of the working directory wherever the command is
// (a path from the root, the home folder, a variable, .., a drive).
func pointsOutside(w string) bool {
	return strings.HasPrefix(w, "/") || strings.HasPrefix(w, "~") || strings.Contains(w, "$") ||
		strings.Contains(w, "..") || len(w) > 1 && w[1] == ':'
}

// keepSecret is globSecret's match: a file that usually holds credentials, which is not
// program source (secrets.go: a reviewer's gofmt -l internal/*/*.go was kept back).
func keepSecret(m string) bool {
	m = filepath.ToSlash(m)
	return workspace.IsSecret(m) && !sourceFile.MatchString(m)
}

// patternPath is the absolute pattern a pattern word stands for: from the home folder
// for ~/ (shellWords made $HOME and ${HOME} that), as it is when absolute, else from the
// working directory; "" when that is not known (after a cd, under another variable, ~user).
func patternPath(w, workdir string, moved bool) string {
	if rest, ok := strings.CutPrefix(w, "~/"); ok {
		dir, err := os.UserHomeDir()
		if err != nil || dir == "" {
			return ""
		}
		return filepath.Join(dir, rest)
	}
	switch {
	case filepath.IsAbs(w) || strings.HasPrefix(w, "/"):
		return filepath.Clean(w)
	case moved || workdir == "" || strings.HasPrefix(w, "~") || strings.Contains(w, "$"):
		return ""
	}
	return filepath.Join(workdir, w)
}

// globFind expands the absolute pattern pat as the shell would, one path segment at a
// time (* and ? match no leading dot unless the segment starts with one, or anyDot; [!x]
// is [^x]),
// and returns the first existing path keep accepts, or "". It reads no more folders and
// matches no more names than budget holds, and takes what it spends from it; whole is
// false when it stopped for want of budget before it had walked all it could match. Only
// folders (or links to them) are walked into: a reviewer's 70 files spent the budget.
func globFind(pat string, budget *globBudget, anyDot bool, keep func(string) bool) (match string, whole bool) {
	vol := filepath.VolumeName(pat)
	segs := strings.Split(filepath.ToSlash(pat[len(vol):]), "/")
	whole = true
	var walk func(dir string, i int) string
	walk = func(dir string, i int) string {
		for ; i < len(segs) && !strings.ContainsAny(segs[i], "*?["); i++ {
			dir = filepath.Join(dir, segs[i])
		}
		if i == len(segs) {
			if _, err := os.Lstat(dir); err == nil && keep(dir) {
				return dir
			}
			return ""
		}
		if budget.folders <= 0 || budget.names <= 0 {
			whole = false
			return ""
		}
		budget.folders--
		entries, err := os.ReadDir(dir)
		if err != nil {
			return ""
		}
		seg := strings.ReplaceAll(segs[i], "[!", "[^")
		dotted := anyDot || strings.HasPrefix(segs[i], ".")
		last := i == len(segs)-1
		for _, e := range entries {
			if budget.names--; budget.names < 0 {
				whole = false
				return ""
			}
			name := e.Name()
			if strings.HasPrefix(name, ".") && !dotted {
				continue
			}
			if ok, _ := path.Match(seg, name); !ok {
				continue
			}
			next := filepath.Join(dir, name)
			if !last && !e.IsDir() {
				if e.Type()&fs.ModeSymlink == 0 {
					continue // a file has nothing under it
				}
				if st, err := os.Stat(next); err != nil || !st.IsDir() {
					continue
				}
			}
			if f := walk(next, i+1); f != "" {
				return f
			}
		}
		return ""
	}
	return walk(vol+string(filepath.Separator), 0), whole
}
