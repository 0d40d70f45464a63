package workspace

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// The private repository sees the working directory's own .gitignore files, and nothing
// else the host's git would honour: the host repository's .git/info/exclude, the user's
// global ignore file (core.excludesFile, or git's default ~/.config/git/ignore), and the
// .gitignore files of the folders above the working directory when it is inside a
// repository. People list local notes and secrets there, and a reviewer's notes.txt,
// excluded in .git/info/exclude, had its diff shown to every member. Those patterns are
// written to the private repository's info/exclude, made relative to the working
// directory, once a run (a party's start, or its resume): patterns added during the party
// hide nothing (writeExcludes).

// ignoreSource is a file of ignore patterns, and the path from the folder its patterns are
// relative to down to the working directory ("" when it is the working directory).
type ignoreSource struct {
	file, prefix string
}

// ignoreSources finds the host's ignore files for workdir (an absolute, resolved path).
// Git runs as everywhere here (cleanEnv), but for the one question of where the user's
// global ignore file is, which reads the user's configuration (git config runs nothing).
func ignoreSources(ctx context.Context, git, workdir string) []ignoreSource {
	var out []ignoreSource
	top, common := hostRepository(ctx, git, workdir)
	prefix := ""
	if top != "" {
		if rel, err := filepath.Rel(top, workdir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			prefix = filepath.ToSlash(rel)
		}
	}
	if global := globalExcludesFile(ctx, git); global != "" {
		out = append(out, ignoreSource{file: global, prefix: prefix})
	}
	if common != "" {
		out = append(out, ignoreSource{file: filepath.Join(common, "info", "exclude"), prefix: prefix})
	}
	// The .gitignore files of the folders from the repository's top down to the working
	// directory's parent (the working directory's own are read by git itself).
	if prefix != "" {
		segs := strings.Split(prefix, "/")
		for i := range segs {
			dir := filepath.Join(append([]string{top}, segs[:i]...)...)
			out = append(out, ignoreSource{file: filepath.Join(dir, ".gitignore"), prefix: strings.Join(segs[i:], "/")})
		}
	}
	return out
}

// hostRepository is the top of the git work tree workdir is in and its common git
// directory (where info/exclude is), or "" and "" when it is in none.
func hostRepository(ctx context.Context, git, workdir string) (top, common string) {
	cmd, cancel := gitCommand(ctx, git, gitQuestionTimeout, nil, "rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir")
	defer cancel()
	cmd.Dir = workdir
	out, err := cmd.Output()
	if err != nil {
		return "", ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return "", ""
	}
	top, common = lines[0], lines[1]
	if real, err := filepath.EvalSymlinks(top); err == nil {
		top = real
	}
	return top, common
}

// gitQuestionTimeout bounds the git commands that only look something up.
const gitQuestionTimeout = 10 * time.Second

// globalExcludesFile is the user's global ignore file as git finds it: core.excludesFile
// in the user's configuration, else $XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore.
func globalExcludesFile(ctx context.Context, git string) string {
	cctx, cancel := context.WithTimeout(ctx, gitQuestionTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, git, "config", "--global", "--type=path", "--get", "core.excludesFile")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
	detach(cmd)
	if out, err := cmd.Output(); err == nil {
		if p := strings.TrimSpace(string(out)); p != "" {
			return p
		}
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "git", "ignore")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config", "git", "ignore")
	}
	return ""
}

// excludePatterns reads the sources and returns their patterns as the private
// repository's info/exclude: relative to the working directory. A source that cannot be
// read adds nothing.
func excludePatterns(sources []ignoreSource) []byte {
	var b bytes.Buffer
	for _, src := range sources {
		data, err := readSmall(src.file, 1<<20)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if p, ok := rebasePattern(strings.TrimSuffix(line, "\r"), src.prefix); ok {
				b.WriteString(p + "\n")
			}
		}
	}
	return b.Bytes()
}

// writeExcludes writes the host's ignore patterns to the private repository's
// info/exclude when they changed since the last time. The caller holds mu or owns w; the
// file is replaced whole (check-ignore may read it meanwhile).
func (w *Workspace) writeExcludes() error {
	if w.excludesSet {
		// The patterns of this run's start, for the whole run: the agent can write
		// .git/info/exclude (it is in the folder), and no list shows that change; a
		// tester's new zz_init.go vanished from the list that way, without a trace. The
		// files of the start no rule hides anyway (kept.go).
		return nil
	}
	data := excludePatterns(w.ignores)
	dir := filepath.Join(w.gitDir, "info")
	if w.excludes == nil { // this run's first: what a resumed party's repository has
		if old, err := os.ReadFile(filepath.Join(dir, "exclude")); err == nil {
			w.excludes = old
		}
	}
	if w.excludes != nil && bytes.Equal(data, w.excludes) {
		w.excludesSet = true
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, "exclude"), data, 0o600); err != nil {
		return err
	}
	if w.excludes != nil {
		// Files the last snapshot's index holds stay in it whatever the patterns say
		// (git add ignores nothing it already tracks): the next snapshot starts afresh.
		if err := os.Remove(filepath.Join(w.gitDir, "now.index")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	w.excludes = append([]byte{}, data...)
	w.excludesSet = true
	return nil
}

// readSmall reads a regular file of at most max bytes (a FIFO or a device is not read).
func readSmall(name string, max int64) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > max {
		return nil, os.ErrInvalid
	}
	return os.ReadFile(name)
}

// rebasePattern makes one gitignore line of a file whose patterns are relative to the
// folder prefix names above the working directory ("" for the working directory itself)
// relative to the working directory. ok is false for a blank line, a comment, and an
// anchored pattern that cannot match inside the working directory (or that this cannot
// tell: one with a wildcard in the part above it).
func rebasePattern(line, prefix string) (string, bool) {
	if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
		return "", false
	}
	if prefix == "" {
		return line, true
	}
	neg := ""
	p := line
	if strings.HasPrefix(p, "!") {
		neg, p = "!", p[1:]
	}
	// A slash at the start or in the middle anchors a pattern to its file's folder; one at
	// the end only says "a folder".
	if !strings.Contains(strings.TrimSuffix(p, "/"), "/") {
		return line, true // matches at any depth
	}
	p = strings.TrimPrefix(p, "/")
	if strings.HasPrefix(p, "**/") {
		return line, true
	}
	rest, found := strings.CutPrefix(p, prefix+"/")
	if !found || rest == "" {
		return "", false
	}
	return neg + "/" + rest, true
}
