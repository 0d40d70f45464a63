// Package workspace shows the party what the agent changed in the host's working
// directory (PROTOCOL.md §9): the changes since the party began, a file's diff, and — when
// the host shares the whole tree — the directory listing. It never reads outside the
// working directory, never under .git, never an ignored file (but for one there at the
// start or tracked by the host's repository: kept.go), never through a symlink.
//
// It uses the git binary for everything: git already knows .gitignore (and the host's
// other ignore files are given to it: ignore.go), rename detection,
// binary files and unified diffs, so nothing here re-implements them. Git runs against a
// private repository in the data directory (its own GIT_DIR, the working directory as
// GIT_WORK_TREE, throwaway index files), so the host's own repository — its index, HEAD
// and objects — is never touched, and a plain directory works the same way. At Open the
// working tree is recorded as a tree object (the base: uncommitted edits present then are
// the starting state); Changes records it again and compares the two trees.
//
// Git is run with no global or system configuration and with --no-ext-diff and
// --no-textconv, so a repository cannot make it run programs.
package workspace

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concordia-party/concordia/internal/atomicfile"
	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/wire"
)

// Limits.
const (
	// MaxDiff is how much diff text Diff returns; the rest is cut (truncated: true).
	MaxDiff = 256 << 10
	// DefaultMaxFiles is how many files the base may have; a larger directory is not
	// tracked (Open fails with ErrTooLarge).
	DefaultMaxFiles = 20000
	// DefaultMaxFileSize is the largest file tracked by default.
	DefaultMaxFileSize = 64 << 20
)

// Errors.
// TooLargeError is a working directory with more files than Options.MaxFiles: it matches
// ErrTooLarge with errors.Is, and says how many.
type TooLargeError struct{ Files, Limit int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %d files (the limit is %d)", ErrTooLarge, e.Files, e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

var (
	// ErrNoGit means the git binary is missing: changes cannot be shown.
	ErrNoGit = errors.New("git is not installed, so changes cannot be shown (install git)")
	// ErrTooLarge means the working directory has too many files to track.
	ErrTooLarge = errors.New("the working directory is too large to track changes in")
	// ErrNotFound is a path that is neither in the changes nor in the directory.
	ErrNotFound = errors.New("no such file")
	// ErrGone: the working directory was moved or deleted during the party (git's own
	// words were "fork/exec /usr/bin/git: no such file or directory", which read as git
	// missing: a tester's).
	ErrGone = errors.New("the working directory no longer exists (moved or deleted?)")
)

// UnchangedError is a diff asked of a path that is not among the changes: an ErrNotFound
// whose words fit a file that exists unchanged too (they said "no such file: x has no
// changes since the party began").
type UnchangedError struct {
	Path string
	// Resumed: the record was made at a resume of a party that had not shared its folder
	// (or whose first record did not finish), so changes count from when sharing began
	// there (a tester's /diff of a file the agent made before that resume read "since the
	// party began"; "since the party was resumed" then misled after a later resume).
	Resumed bool
}

func (e UnchangedError) Error() string {
	if e.Resumed {
		return e.Path + " has no changes since sharing began"
	}
	return e.Path + " has no changes since the party began"
}
func (e UnchangedError) Unwrap() error { return ErrNotFound }

// notThere is a diff's answer for a name that is no file of the folder, and never was
// one since the party began (a deleted file is listed).
type notThere struct{ path string }

func (e notThere) Error() string { return "there is no file " + e.path + " in the working directory" }
func (e notThere) Unwrap() error { return ErrNotFound }

// Options tune a Workspace.
type Options struct {
	// Exclude names folders never shown, even when they are inside the working directory
	// (the host's own data directory: journals, keys, this package's repository).
	Exclude []string
	// MaxFiles bounds the files tracked (default DefaultMaxFiles).
	MaxFiles int
	// Timeout bounds each git command (default 60s: a first snapshot hashes every file).
	Timeout time.Duration
	// MaxFileSize is the largest file tracked (default DefaultMaxFileSize): a larger one
	// is left out of the snapshots, as if ignored.
	MaxFileSize int64
	// Resumed says the party is being resumed: a starting point recorded now (it had none:
	// it started with sharing off) is said to be the resume's, not the party's start.
	Resumed bool
}

// Workspace is one working directory watched for a party. Its methods are safe for
// concurrent use: mu makes git commands on the shared index one at a time.
type Workspace struct {
	dir, gitDir string
	opts        Options
	git         string

	mu       sync.Mutex // one git command sequence at a time (they share the "now" index)
	kept     atomic.Pointer[keptPaths]
	base     string // tree id of the working tree at the start
	baseDesc string
	last     string    // tree id of the latest Changes
	lastAt   time.Time // when that snapshot began
	lastList []wire.FileChange
	lastSwap map[string]bool // changes' linkSwap for lastList
	snaps    int             // snapshots Changes took, for pruneEvery
	written  int64           // bytes the snapshots hashed since the last prune, for pruneBytes
	excluded []string        // folders inside the working directory that are never shown
	ignores  []ignoreSource  // the host's ignore files beyond the folder's own .gitignore
	excludes []byte          // what info/exclude was last written with (nil: not yet)
	// excludesSet: info/exclude holds this run's patterns, which stay (writeExcludes).
	excludesSet bool
	// baseSecrets are the start's credentials files by blob (markCopiesOfSecrets), once known.
	baseSecrets map[string]string
	// resumedStart: the base was recorded at a resume, not when the party began.
	resumedStart bool
	// revKey keys each FileChange's Rev (revOf), kept with the state for a resume.
	revKey []byte
}

// Open records the working directory as it is now. stateDir holds the private repository
// (it is created; reuse it to keep the base across a resume).
func Open(ctx context.Context, workdir, stateDir string, opts Options) (*Workspace, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrNoGit
	}
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	abs, err := filepath.Abs(workdir)
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	w := &Workspace{dir: abs, gitDir: filepath.Join(stateDir, "git"), opts: opts, git: git}
	if w.revKey, err = loadRevKey(stateDir); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	w.ignores = ignoreSources(ctx, git, abs)
	for _, ex := range append([]string{stateDir}, opts.Exclude...) {
		if exAbs, err := filepath.Abs(ex); err == nil {
			if real, err := filepath.EvalSymlinks(exAbs); err == nil {
				exAbs = real
			}
			if rel, err := filepath.Rel(abs, exAbs); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
				w.excluded = append(w.excluded, filepath.ToSlash(rel))
			}
		}
	}
	baseFile := filepath.Join(stateDir, "base")
	var tracked map[string]bool // the host's tracked files at the start (kept.go)
	late := false               // the party's first snapshot never finished: this one is the base
	never := false              // the party did not share the folder before this resume
	if b, err := os.ReadFile(baseFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
		// A resumed party keeps its base (written, by a rename, only once its snapshot
		// and the repository under it were complete): "TREE\n", then "late\n" if it was
		// taken on a resume after a start that did not finish, "resumed\n" if on a resume
		// of a party that had not shared the folder.
		lines := strings.Fields(string(b))
		w.base, late = lines[0], len(lines) > 1 && lines[1] == "late"
		tracked = loadTracked(stateDir)
		never = len(lines) > 1 && lines[1] == "resumed"
		// (A host killed during a snapshot leaves git's index lock: the next snapshot
		// removes it. Only one host runs a party: its journal is locked.)
	} else {
		// No base: whatever is here is an earlier run's start that did not finish (the
		// host stopped during git init or the first snapshot). Start again from nothing;
		// the repository appears by a rename, whole or not at all.
		_, statErr := os.Stat(w.gitDir)
		late = statErr == nil
		if err := removeSettled(w.gitDir); err != nil {
			return nil, fmt.Errorf("workspace: %w", err)
		}
		// A host killed during git init or while writing the base leaves its temporary
		// repository or file behind; nothing else would ever remove them.
		leftovers, _ := filepath.Glob(filepath.Join(stateDir, "git-init-*"))
		more, _ := filepath.Glob(atomicfile.Leftovers(baseFile))
		older, _ := filepath.Glob(filepath.Join(stateDir, "base.tmp-*")) // before atomicfile
		for _, name := range slices.Concat(leftovers, more, older) {
			late = true
			if err := removeSettled(name); err != nil {
				return nil, fmt.Errorf("workspace: %w", err)
			}
		}
		if !late && opts.Resumed {
			never = true // a resume is the start of its sharing
		}
		tmp, err := os.MkdirTemp(stateDir, "git-init-")
		if err != nil {
			return nil, fmt.Errorf("workspace: %w", err)
		}
		// Bounded as every other git command is: the party's first turn waits for Open.
		cmd, cancel := gitCommand(ctx, git, opts.Timeout, nil, "init", "--quiet", "--bare", tmp)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("git init: %w: %s", err, bytes.TrimSpace(out))
		}
		if err := os.Rename(tmp, w.gitDir); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("workspace: %w", err)
		}
		// The files the host's repository tracks now are kept from the start (kept.go),
		// and recorded by this first snapshot too. Kept beside the base, before it: the
		// base's file says the start is complete.
		if err := w.writeExcludes(); err != nil {
			return nil, fmt.Errorf("workspace: %w", err)
		}
		if tracked, err = w.startTracked(ctx); err != nil {
			return nil, err
		}
		w.kept.Store(newKept(nil, tracked))
		tree, n, err := w.snapshot(ctx)
		if err != nil {
			return nil, err
		}
		if n > opts.MaxFiles {
			return nil, &TooLargeError{Files: n, Limit: opts.MaxFiles}
		}
		if err := saveTracked(stateDir, tracked); err != nil {
			return nil, fmt.Errorf("workspace: %w", err)
		}
		w.base = tree
		content := tree + "\n"
		switch {
		case late:
			content += "late\n"
		case never:
			content += "resumed\n"
		}
		if err := atomicfile.Write(baseFile, []byte(content), 0o600); err != nil {
			return nil, fmt.Errorf("workspace: %w", err)
		}
	}
	if err := w.loadBase(ctx, tracked); err != nil {
		return nil, err
	}
	w.last = w.base
	w.resumedStart = late || never
	w.baseDesc = "the working directory as it was when the party began (" + w.describeStart(ctx) + ")"
	switch {
	case late:
		w.baseDesc = "the working directory as it was when the party was resumed (" + w.describeStart(ctx) + "; the snapshot at its start did not finish)"
	case never:
		// A party that started with sharing off recorded no start (a tester's resume
		// with changes said "when the party began" of a base taken at the resume).
		w.baseDesc = "the working directory as it was when the party was resumed (" + w.describeStart(ctx) + "; the party did not share it before)"
	}
	return w, nil
}

// removeSettled removes name and everything under it. The git of a host killed a moment
// ago may still be writing there (it is killed when its parent dies, but not at once), so
// a removal that finds new entries is tried again a few times.
func removeSettled(name string) error {
	var err error
	for try := 0; try < 5; try++ {
		if err = os.RemoveAll(name); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// describeStart says what the start was: the host repository's commit, if any.
func (w *Workspace) describeStart(ctx context.Context) string {
	cmd := exec.CommandContext(ctx, w.git, "rev-parse", "--short", "HEAD")
	cmd.Dir = w.dir
	cmd.Env = cleanEnv(nil)
	detach(cmd)
	if out, err := cmd.Output(); err == nil {
		return "git commit " + strings.TrimSpace(string(out)) + " with any uncommitted changes"
	}
	// No HEAD: not a repository, or one with no commit yet (git init; a tester read "not a
	// git repository" of that).
	inRepo := exec.CommandContext(ctx, w.git, "rev-parse", "--is-inside-work-tree")
	inRepo.Dir = w.dir
	inRepo.Env = cleanEnv(nil)
	detach(inRepo)
	if out, err := inRepo.Output(); err == nil && strings.TrimSpace(string(out)) == "true" {
		return "a snapshot; the git repository has no commits yet"
	}
	return "a snapshot; not a git repository"
}

// Base describes what changes are measured against (Party.changes' base).
func (w *Workspace) Base() string { return w.baseDesc }

// Dir is the working directory.
func (w *Workspace) Dir() string { return w.dir }

// bigFile is a file larger than MaxFileSize, as a snapshot records it.
type bigFile struct {
	path string
	info fs.FileInfo
}

// bigFiles are the files new or changed since the last snapshot that are larger than
// MaxFileSize: a snapshot records a line about each instead of its bytes (bigFilesIndex).
// hashed is the size of the others, which the snapshot writes to the private repository.
// Hashing a tester's 1.5 GB file into the private repository outlasted git's timeout (no
// changes event followed the turn, /changes timed out) and took as much disk again. The
// caller holds mu or owns w.
func (w *Workspace) bigFiles(ctx context.Context, index []string) (big []bigFile, hashed int64, err error) {
	out, err := w.run(ctx, w.dir, index, "ls-files", "-z", "--others", "--modified", "--exclude-standard")
	if err != nil {
		return nil, 0, err
	}
	for _, p := range strings.Split(string(out), "\x00") {
		if p == "" {
			continue
		}
		fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(p)))
		switch {
		case err != nil || !fi.Mode().IsRegular():
		case fi.Size() > w.opts.MaxFileSize:
			big = append(big, bigFile{path: p, info: fi})
		default:
			hashed += fi.Size() // what the snapshot writes of it, at most
		}
	}
	return big, hashed, nil
}

// bigFilesIndex puts a line about each big file in the snapshot's index instead of its
// bytes — its size and time — so that it is listed as added or changed when it is (a
// reviewer's tracked file, grown past the limit, read as unchanged), and its diff says
// what is known of it. The caller holds mu or owns w.
func (w *Workspace) bigFilesIndex(ctx context.Context, index []string, big []bigFile) error {
	for _, b := range big {
		line := fmt.Sprintf("%s%d bytes, last changed %s: larger than %s%s", bigLineStart,
			b.info.Size(), b.info.ModTime().UTC().Format(time.RFC3339Nano), w.limitWords(), bigLineEnd)
		cmd, cancel := w.command(ctx, w.dir, nil, "hash-object", "-w", "--stdin")
		cmd.Stdin = strings.NewReader(line)
		out, err := cmd.Output()
		cancel()
		if err != nil {
			return fmt.Errorf("git hash-object: %w", err)
		}
		if _, err := w.run(ctx, w.dir, index, "update-index", "--add", "--cacheinfo", "100644,"+strings.TrimSpace(string(out))+","+b.path); err != nil {
			return err
		}
	}
	return nil
}

// bigLine is how the line bigFilesIndex records for a big file starts and ends.
const (
	bigLineStart = "(a file of "
	bigLineEnd   = ", so its text is not tracked)\n"
)

// markLarge marks the files of out whose text at now is the line bigFilesIndex recorded
// (FileChange.Large): their counts are of that line, and a tester's 70 MiB file read "+1
// -0". Only files of one changed line that are larger than the limit on disk can be one,
// and git is asked only of those: by NOW:PATH, which git looks up one path at a time (a
// first version that asked of all one-line changes took over a minute for 25,000 new files
// in one folder), their objects' sizes first, so that nothing long is read. A path with a
// line break cannot be asked so, and is not marked.
func (w *Workspace) markLarge(ctx context.Context, now string, out []wire.FileChange) error {
	var cand []int
	var in strings.Builder
	for i, f := range out {
		if f.Status == "deleted" || f.Binary || f.Additions > 1 || f.Deletions > 1 || strings.ContainsAny(f.Path, "\n\r") {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(f.Path))); err == nil && fi.Mode().IsRegular() && fi.Size() > w.opts.MaxFileSize {
			cand = append(cand, i)
			fmt.Fprintf(&in, "%s:%s\n", now, f.Path)
		}
	}
	if len(cand) == 0 {
		return nil
	}
	sizes, err := w.catFile(ctx, "--batch-check", in.String())
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(string(sizes), "\n"), "\n")
	var small []int
	in.Reset()
	for k, l := range lines {
		f := strings.Fields(l) // "SHA blob SIZE", or "NAME missing"
		if k >= len(cand) || len(f) != 3 || f[1] != "blob" {
			continue
		}
		if n, err := strconv.Atoi(f[2]); err == nil && n < 300 && n > len(bigLineStart)+len(bigLineEnd) {
			small = append(small, cand[k])
			in.WriteString(f[0] + "\n")
		}
	}
	if len(small) == 0 {
		return nil
	}
	texts, err := w.catFile(ctx, "--batch", in.String())
	if err != nil {
		return err
	}
	for _, i := range small { // "SHA blob SIZE\nTEXT\n", in order
		head, rest, ok := bytes.Cut(texts, []byte("\n"))
		f := strings.Fields(string(head))
		n := 0
		if ok && len(f) == 3 {
			n, _ = strconv.Atoi(f[2])
		}
		if !ok || n+1 > len(rest) {
			break
		}
		text := string(rest[:n])
		out[i].Large = strings.HasPrefix(text, bigLineStart) && strings.HasSuffix(text, bigLineEnd)
		texts = rest[n+1:]
	}
	return nil
}

// catFile runs git cat-file with mode (--batch, --batch-check) on input.
func (w *Workspace) catFile(ctx context.Context, mode, input string) ([]byte, error) {
	cmd, cancel := w.command(ctx, w.dir, nil, "cat-file", mode)
	defer cancel()
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git cat-file %s: %w", mode, err)
	}
	return out, nil
}

// limitWords is MaxFileSize in words: "64 MiB".
func (w *Workspace) limitWords() string {
	if w.opts.MaxFileSize >= 1<<20 {
		return fmt.Sprintf("%d MiB", w.opts.MaxFileSize>>20)
	}
	return fmt.Sprintf("%d bytes", w.opts.MaxFileSize)
}

// vanishedTries is how many times a snapshot walks the tree while files vanish under it.
const vanishedTries = 4

// noCommitRe finds the folder git add names when a repository of its own in the folder
// has no commit; maxNested bounds how many a snapshot leaves out.
var noCommitRe = regexp.MustCompile(`'([^']+)' does not have a commit checked out`)

const maxNested = 50

// snapshot records the working tree (what git would add: ignored files left out) as a
// tree object and says how many files it has. The caller holds mu or owns w.
func (w *Workspace) snapshot(ctx context.Context) (string, int, error) {
	index := []string{"GIT_INDEX_FILE=" + filepath.Join(w.gitDir, "now.index")}
	// A git killed by its context (a member who left mid-request, the timeout) leaves
	// its index lock, and every later snapshot would fail on it. Snapshots run one at a
	// time (under w.mu, or in Open before anyone has the workspace), and run waits for
	// its git to end, so a lock here is always a dead git's.
	if err := os.Remove(filepath.Join(w.gitDir, "now.index.lock")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", 0, fmt.Errorf("workspace: %w", err)
	}
	// The same for the pack a git killed while it stored a large file was writing (a
	// tester's 1.5 GB file left one of that size).
	if packs, _ := filepath.Glob(filepath.Join(w.gitDir, "objects", "pack", "tmp_*")); len(packs) > 0 {
		for _, p := range packs {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", 0, fmt.Errorf("workspace: %w", err)
			}
		}
	}
	if err := w.writeExcludes(); err != nil {
		return "", 0, fmt.Errorf("workspace: %w", err)
	}
	big, hashed, err := w.bigFiles(ctx, index)
	if err != nil {
		return "", 0, err
	}
	w.written += hashed
	args := []string{"add", "--all", "--ignore-errors", "--", "."}
	for _, ex := range w.excluded {
		args = append(args, ":(exclude,literal)"+ex)
	}
	for _, b := range big {
		args = append(args, ":(exclude,literal)"+b.path)
	}
	// A file the agent renames or deletes while git walks the tree stops git ("fatal:
	// unable to stat 'old.go'"; --ignore-errors does not cover it): the walk is taken
	// again, a few times, before that is an error.
	nested := 0
	for try := 1; ; try++ {
		_, err := w.run(ctx, w.dir, index, args...)
		if err == nil {
			break
		}
		// A repository of its own with no commit inside the folder (git init, cargo new)
		// stops git ("'crate/' does not have a commit checked out"), and every snapshot
		// failed with it, the list never updated (a tester's): it is left out, as the
		// host's data directory is, and the walk taken again.
		if m := noCommitRe.FindStringSubmatch(err.Error()); m != nil && nested < maxNested {
			nested++
			try--
			args = append(args, ":(exclude,literal)"+strings.TrimSuffix(m[1], "/"))
			continue
		}
		if try == vanishedTries || !strings.Contains(err.Error(), "unable to stat") {
			return "", 0, err
		}
		select {
		case <-time.After(time.Duration(try) * 20 * time.Millisecond):
		case <-ctx.Done():
			return "", 0, err
		}
	}
	listed, err := w.run(ctx, w.dir, index, "ls-files", "-z")
	if err != nil {
		return "", 0, err
	}
	big, hashed, err = w.settleIndex(ctx, index, pathSet(listed), big)
	if err != nil {
		return "", 0, err
	}
	w.written += hashed
	if err := w.bigFilesIndex(ctx, index, big); err != nil {
		return "", 0, err
	}
	out, err := w.run(ctx, w.dir, index, "write-tree")
	if err != nil {
		return "", 0, err
	}
	files, err := w.run(ctx, w.dir, index, "ls-files", "-z")
	if err != nil {
		return "", 0, err
	}
	return strings.TrimSpace(string(out)), bytes.Count(files, []byte{0}), nil
}

// Changes lists what changed since the start, in reading order (wire.ComparePaths). Files that may hold
// credentials (.env, keys) are left out unless secrets is set (the host shares the tree);
// hidden is how many were left out.
//
// Callers that arrive while a snapshot is taken share the next one: many members asking
// at once cost one snapshot, and no answer is older than its question.
func (w *Workspace) Changes(ctx context.Context, secrets bool) (files []wire.FileChange, hidden int, err error) {
	asked := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastList == nil || !w.lastAt.After(asked) {
		if err := w.refreshLocked(ctx); err != nil {
			return nil, 0, err
		}
	}
	files = make([]wire.FileChange, 0, len(w.lastList))
	for _, f := range w.lastList {
		from := f.From
		if f.Status != "renamed" {
			// A copy is listed as the new file it is: "from" is a rename's (§9; a
			// conformance tester's copy came as "added", from .env). The list kept
			// here still knows its source, for Diff.
			f.From = ""
		}
		switch {
		case secrets:
			files = append(files, f)
		case IsSecret(f.Path):
			hidden++
		case from != "" && IsSecret(from):
			// Renamed or copied from a secret: shown as the new file it is, its source
			// unnamed (a tester's app.conf, made from .env, was missing from the list). A
			// renamed secret is gone: that change is counted as hidden.
			a, err := w.asAdded(ctx, w.last, f.Path)
			if err != nil {
				return nil, 0, err
			}
			files = append(files, a)
			if f.Status == "renamed" {
				hidden++
			}
		default:
			files = append(files, f)
		}
	}
	return files, hidden, nil
}

// refreshLocked takes a snapshot and lists its changes (last, lastList). The caller holds mu.
func (w *Workspace) refreshLocked(ctx context.Context) error {
	began := time.Now()
	now, _, err := w.snapshot(ctx)
	if err != nil {
		return err
	}
	files, swap, err := w.changes(ctx, now)
	if err != nil {
		return err
	}
	w.last, w.lastAt, w.lastList, w.lastSwap = now, began, files, swap
	if w.snaps++; w.snaps%pruneEvery == 0 || w.written > pruneBytes {
		w.prune(ctx)
		w.written = 0
	}
	return nil
}

// changedSince says whether the file at clean may have changed since the last snapshot
// began, listed being its entry in that snapshot's list (nil: unchanged then): written
// since (its time, less a margin for file systems that keep coarse times), or made or
// deleted since. Cheap: one lstat, and no git.
func (w *Workspace) changedSince(clean string, listed *wire.FileChange) bool {
	fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(clean)))
	if err != nil {
		// Gone since: a file listed as there, or a file of the start not listed at all (a
		// reviewer's rm a.txt read "no changes since the party began").
		return listed != nil && listed.Status != "deleted" || listed == nil && w.kept.Load().file(clean)
	}
	if listed != nil && listed.Status == "deleted" {
		return true
	}
	return !fi.ModTime().Before(w.lastAt.Add(-2 * time.Second))
}

// pruneEvery is how many snapshots Changes takes between two prunes of the private
// repository.
var pruneEvery = 50

// pruneBytes is how much the snapshots may write to the private repository before a prune
// comes sooner: a tester's /changes, asked again after each rewrite of a 30 MB file, grew
// it by 30 MB a time (50 snapshots of a file near the 64 MiB limit would be 3 GB).
var pruneBytes int64 = 256 << 20

// prune drops every object of the private repository but the start's and the latest
// snapshot's: each snapshot wrote the files that changed as new objects, and nothing
// ever removed them (a tester's 540 turns left 554 of them for one file of 4 KB; a day
// of an agent editing large files grows without bound). Diffs read only those two trees;
// refs name them, so that git keeps what they hold. Only Changes writes objects, under
// w.mu, as prune runs. A prune that fails leaves the objects, as before.
//
// It runs to its end when the member who asked leaves (its own time limit aside): a git
// killed in update-ref leaves a lock behind; one left by a killed host is removed, as
// snapshot removes the index's (a reviewer's lock stopped every later prune).
func (w *Workspace) prune(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	locks, _ := filepath.Glob(filepath.Join(w.gitDir, "refs", "concordia", "*.lock"))
	for _, l := range locks {
		_ = os.Remove(l)
	}
	for ref, tree := range map[string]string{"refs/concordia/base": w.base, "refs/concordia/last": w.last} {
		if _, err := w.run(ctx, "", nil, "update-ref", ref, tree); err != nil {
			return
		}
	}
	_, _ = w.run(ctx, "", nil, "prune", "--expire=now")
}

// againstNothing is a file whose start or end was a link as a file deleted (gone is set:
// it is a link now) or added, its lines counted against nothing.
func (w *Workspace) againstNothing(ctx context.Context, now, p string, gone bool) wire.FileChange {
	if gone {
		f, _ := w.counted(ctx, "deleted", w.base, emptyTree, p)
		return f
	}
	f, _ := w.counted(ctx, "added", emptyTree, now, p)
	return f
}

// literal is the pathspec of the file named p, and of no other: git takes a path after
// "--" as a pattern, so a changed file named "*" had the diffs of every file with it,
// .env's and the keys' the party hides among them (a security reviewer's).
func literal(p string) string {
	return ":(literal)" + p
}

// asAdded is a file that was renamed or copied as the new file it is, with no source:
// its lines counted without rename detection.
func (w *Workspace) asAdded(ctx context.Context, now, p string) (wire.FileChange, error) {
	return w.counted(ctx, "added", w.base, now, p)
}

// counted is the change of p with status, its lines counted between trees from and to
// without rename detection (0 and 0 when git does not count them).
func (w *Workspace) counted(ctx context.Context, status, from, to, p string) (wire.FileChange, error) {
	f := wire.FileChange{Path: p, Status: status}
	counts, err := w.run(ctx, w.dir, nil, "diff-tree", "-r", "--no-renames", "--no-ext-diff", "--no-textconv", "--numstat", "-z", from, to, "--", literal(p))
	if err != nil {
		return f, err
	}
	if n, ok := parseNumstat(counts)[p]; ok {
		f.Additions, f.Deletions, f.Binary = n.add, n.del, n.binary
	}
	return f, nil
}

// typeChange is git's "T" status, which changes turns into one of ours: a file that
// became a link (or a link that became a file).
const typeChange = "typechange"

// emptyTree is git's tree with nothing in it (SHA-1: the private repository's format).
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// changes lists what changed between the start and now. A file that became a link is
// listed as deleted (links are never shown: a tester's was missing from the list), and a
// link that became a file as added; linkSwap names them, for their diffs.
func (w *Workspace) changes(ctx context.Context, now string) (_ []wire.FileChange, linkSwap map[string]bool, _ error) {
	status, err := w.run(ctx, w.dir, nil, "diff-tree", "-r", "-M", "--no-ext-diff", "--no-textconv", "--raw", "-z", w.base, now)
	if err != nil {
		return nil, nil, err
	}
	counts, err := w.run(ctx, w.dir, nil, "diff-tree", "-r", "-M", "--no-ext-diff", "--no-textconv", "--numstat", "-z", w.base, now)
	if err != nil {
		return nil, nil, err
	}
	files := parseNameStatus(status)
	numstat := parseNumstat(counts)
	// A file of the start that is ignored now (its pattern came later: the host's
	// info/exclude grew, or a party from before this code was resumed) is not a deleted
	// one whose text anyone may read (a reviewer's notes.txt was, whole); nor is it the
	// source of a rename.
	var gone []string
	for _, f := range files {
		p := f.From
		if f.Status == "deleted" {
			p = f.Path
		}
		if p != "" && !w.isLink(p) { // git will not look past a link (it fails the whole check)
			gone = append(gone, p)
		}
	}
	ignoredNow, err := w.ignored(ctx, gone)
	if err != nil {
		return nil, nil, err
	}
	out := make([]wire.FileChange, 0, len(files))
	linkSwap = map[string]bool{}
	for _, f := range files {
		if f.Status == typeChange {
			linkSwap[f.Path] = true
			became := w.isLink(f.Path)
			nf := w.againstNothing(ctx, now, f.Path, became)
			if !became { // a link that became a file: its content's rev (one that became a link is listed deleted)
				nf.Rev = f.Rev
			}
			out = append(out, nf)
			continue
		}
		if f.Status != "deleted" && w.isLink(f.Path) {
			// Listed, never followed: a window tester's link made by the agent was in no
			// list at all, while a changed .env is at least counted. No counts; Diff
			// refuses its path.
			out = append(out, wire.FileChange{Path: f.Path, Status: f.Status, From: f.From, Link: true, Rev: f.Rev}) // a retargeted link: a new rev
			continue
		}
		if f.Status == "deleted" && ignoredNow[f.Path] {
			continue
		}
		if f.From != "" && ignoredNow[f.From] {
			rev := f.Rev
			f, _ = w.asAdded(ctx, now, f.Path) // its source unnamed; uncounted if git fails
			f.Rev = rev
			out = append(out, f)
			continue
		}
		if n, ok := numstat[f.Path]; ok {
			f.Additions, f.Deletions, f.Binary = n.add, n.del, n.binary
		}
		out = append(out, f)
	}
	if err := w.markCopiesOfSecrets(ctx, now, out); err != nil {
		return nil, nil, err
	}
	for i := range out {
		out[i].Rev = w.revOf(out[i].Path, out[i].Rev)
	}
	if err := w.markLarge(ctx, now, out); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(out, func(a, b wire.FileChange) int { return wire.ComparePaths(a.Path, b.Path) })
	return out, linkSwap, nil
}

// parseNameStatus reads `diff-tree --name-status -z`: "M\0path\0", "R087\0from\0to\0",
// or `--raw -z`, where each code comes after the modes and blobs
// (":100644 100644 OLD NEW M\0path\0"); then each file's Rev holds its new blob's id,
// which Workspace.revOf makes into the Rev members see.
func parseNameStatus(b []byte) []wire.FileChange {
	parts := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	var out []wire.FileChange
	for i := 0; i < len(parts); {
		code, rev := parts[i], ""
		if strings.HasPrefix(code, ":") {
			if f := strings.Fields(code); len(f) == 5 {
				code, rev = f[4], f[3]
			}
		}
		if code == "" {
			i++
			continue
		}
		switch code[0] {
		case 'R', 'C':
			if i+2 >= len(parts) {
				return out
			}
			st := "renamed"
			if code[0] == 'C' {
				st = "added"
			}
			out = append(out, wire.FileChange{Path: parts[i+2], From: parts[i+1], Status: st, Rev: rev})
			i += 3
		default:
			if i+1 >= len(parts) {
				return out
			}
			st := map[byte]string{'A': "added", 'D': "deleted", 'T': typeChange}[code[0]]
			if st == "" {
				st = "modified"
			}
			out = append(out, wire.FileChange{Path: parts[i+1], Status: st, Rev: rev})
			i += 2
		}
	}
	return out
}

// revOf is the Rev of the file at path for git's object id of its new content: 12 hex
// digits of an HMAC of both under the party's own key, so that a member learns when a
// file's content changed, and neither a hash of it (a binary file's, whose text nobody is
// sent, could be guessed from one) nor that two files hold the same (a reviewer's: the
// agent could be asked to write a guess beside it); none for no content (all zeros, or
// none given: a deleted file).
func (w *Workspace) revOf(path, blob string) string {
	if strings.Trim(blob, "0") == "" {
		return ""
	}
	m := hmac.New(sha256.New, w.revKey)
	m.Write([]byte(path))
	m.Write([]byte{0})
	m.Write([]byte(blob))
	return hex.EncodeToString(m.Sum(nil))[:12]
}

// loadRevKey reads the party's key for revOf from dir, or makes one there: a resumed party
// keeps its files' Revs.
func loadRevKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, "rev-key")
	if b, err := os.ReadFile(path); err == nil && len(b) == 32 {
		return b, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make the changes key: %w", err)
	}
	if err := atomicfile.Write(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("write the changes key: %w", err)
	}
	return key, nil
}

// lineCounts are a file's counts in `--numstat`: lines added and deleted, or none for a
// binary file.
type lineCounts struct {
	add, del int
	binary   bool
}

// parseNumstat reads `diff-tree --numstat -z`: "add\tdel\tpath\0" or, for a rename,
// "add\tdel\t\0from\0to\0"; binary files count "-". Keyed by the new path.
func parseNumstat(b []byte) map[string]lineCounts {
	parts := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	out := map[string]lineCounts{}
	for i := 0; i < len(parts); i++ {
		f := strings.SplitN(parts[i], "\t", 3)
		if len(f) != 3 {
			continue
		}
		a, _ := strconv.Atoi(f[0])
		d, _ := strconv.Atoi(f[1])
		p := f[2]
		if p == "" && i+2 < len(parts) { // rename: from, to follow
			p = parts[i+2]
			i += 2
		}
		out[p] = lineCounts{add: a, del: d, binary: f[0] == "-" && f[1] == "-"}
	}
	return out
}

// Diff is the unified diff of one changed file (against the start), cut at MaxDiff.
// Binary files are named, not sent; secret files (see Changes) only with secrets.
func (w *Workspace) Diff(ctx context.Context, p string, secrets bool) (wire.FileDiff, error) {
	clean, err := CleanPath(p)
	if err != nil {
		return wire.FileDiff{}, err
	}
	if clean == "" {
		return wire.FileDiff{}, fmt.Errorf("%w: name a file (the working directory itself has no diff)", ErrPath)
	}
	if !secrets && IsSecret(clean) {
		return wire.FileDiff{}, fmt.Errorf("%w: %s may hold secrets and is not shared", ErrPath, clean)
	}
	link := w.isLink(clean)
	w.mu.Lock()
	defer w.mu.Unlock()
	// The list of the snapshot a diff reads is the one Changes made of it: made again on
	// every diff, under the lock, a member's diffs after a large refactor held the lock
	// for seconds each, and everyone's Changes waited (a reviewer's 25 s). A file changed
	// since that snapshot takes a new one: its diff was the snapshot's, and a file made
	// since "had no changes since the party began" (a tester's).
	var listed *wire.FileChange
	for i := range w.lastList {
		if w.lastList[i].Path == clean {
			listed = &w.lastList[i]
		}
	}
	// Not of a link, or a path through one: lstat follows the folders on its way, and one
	// that is a link to a dead mount would hold the lock (a reviewer's).
	if w.lastList == nil || !link && w.changedSince(clean, listed) {
		if err := w.refreshLocked(ctx); err != nil {
			return wire.FileDiff{}, err
		}
	}
	now := w.last
	files, linkSwap := w.lastList, w.lastSwap
	var fc *wire.FileChange
	renamedTo := ""
	for i := range files {
		if files[i].Path == clean {
			fc = &files[i]
		}
		if files[i].From == clean && files[i].Status == "renamed" {
			renamedTo = files[i].Path
		}
	}
	// A deleted file's diff is read from the snapshots alone: its folder may be a link
	// now (a tester's "D docs/a.txt", docs replaced by a link, was refused).
	if link && (fc == nil || fc.Status != "deleted") {
		// Changes leaves links out: "no changes" would not say why (a tester's). An ignored
		// path is refused as ignored, saying nothing more of it.
		if err := w.refuseIgnored(ctx, clean); err != nil {
			return wire.FileDiff{}, err
		}
		return wire.FileDiff{}, fmt.Errorf("%w: %s is a symbolic link, or goes through one: links are never followed nor shown", ErrPath, clean)
	}
	if fc == nil && renamedTo != "" && (secrets || !IsSecret(renamedTo)) {
		// The old name of a rename (a tester's /diff .gitignore, after a rename, read "no
		// changes since the party began").
		return wire.FileDiff{}, fmt.Errorf("%w: %s was renamed to %s: its diff is under that name", ErrNotFound, clean, renamedTo)
	}
	if fc != nil && !secrets && fc.From != "" && IsSecret(fc.From) {
		// Listed as added, its source unnamed; but a rename is found only for a file
		// mostly the same as its source, so its text is mostly the secret's (a reviewer's).
		return wire.FileDiff{}, fmt.Errorf("%w: %s is a copy of a file that usually holds secrets (or that file renamed): its diff is not shown", ErrPath, clean)
	}
	if fc == nil {
		// Changes leaves ignored files out: refused as ignored, as Tree refuses them, not
		// called unchanged (a protocol tester's).
		if err := w.refuseIgnored(ctx, clean); err != nil {
			return wire.FileDiff{}, err
		}
		fi, err := os.Lstat(filepath.Join(w.dir, filepath.FromSlash(clean)))
		switch {
		case err == nil && fi.IsDir():
			// Not "no changes since the party began" of a folder of changed files (a
			// tester's /diff docs/).
			return wire.FileDiff{}, fmt.Errorf("%w: %s is a folder: a diff is of one file (the list of changes names them)", ErrPath, clean)
		case errors.Is(err, fs.ErrNotExist) && secrets:
			// Not "no changes" of a name mistyped (a tester's /diff nothere.txt): a file
			// deleted since the start is listed, so this one never was. Said only when the
			// whole folder is shared: below it, which files exist is not the party's to
			// learn one name at a time (a reviewer's), and the answer is an unchanged
			// file's.
			return wire.FileDiff{}, notThere{clean}

		}
		return wire.FileDiff{}, UnchangedError{Path: clean, Resumed: w.resumedStart}
	}
	if fc.Status != "deleted" {
		if _, err := w.inside(clean); err != nil {
			return wire.FileDiff{}, err
		}
	}
	from, to := w.base, now
	if linkSwap[clean] {
		// A file that is a link now, or was one at the start: diffed against nothing, so
		// that no link's target is shown (a tester's diff read "-/etc/hostname").
		if fc.Status == "deleted" {
			to = emptyTree
		} else {
			from = emptyTree
		}
	}
	args := []string{"diff-tree", "-p", "-M", "--no-ext-diff", "--no-textconv", "--no-color", from, to, "--"}
	if fc.From != "" && fc.Status == "renamed" {
		// Both names, for git to pair them; a copy's source is not in its diff (a
		// conformance tester's copy's diff came with .env's own change).
		args = append(args, literal(fc.From))
	}
	args = append(args, literal(fc.Path))
	out, err := w.run(ctx, w.dir, nil, args...)
	if err != nil {
		return wire.FileDiff{}, err
	}
	res := wire.FileDiff{Path: clean, Diff: string(out)}
	if bytes.Contains(out, []byte("\nBinary files ")) || bytes.HasPrefix(out, []byte("Binary files ")) || bytes.Contains(out, []byte("GIT binary patch")) {
		res.Binary, res.Diff = true, ""
		return res, nil
	}
	if !secrets && credential.Shaped(res.Diff) {
		// A file named as no secret is may hold one all the same: a security reviewer's
		// ssh-keygen -f deploy_key, whose private key every viewer read in its diff.
		return wire.FileDiff{}, fmt.Errorf("%w: %s holds what looks like a credential (a private key, a token, a password in a URL) and is not shared", ErrPath, clean)
	}
	if len(res.Diff) > MaxDiff {
		// At the end of a line: a line cut in two reads as a line of its own ("+3" of
		// "+39017", a tester's), and no character is cut either.
		cut := strings.LastIndexByte(res.Diff[:MaxDiff], '\n') + 1
		if cut < MaxDiff/2 { // a line longer than half the limit (minified): cut inside it, not in a character
			for cut = MaxDiff; cut > 0 && (res.Diff[cut]&0xC0) == 0x80; cut-- {
			}
		}
		res.Diff, res.Truncated = res.Diff[:cut], true
	}
	return res, nil
}

// Tree lists a directory of the working tree (PROTOCOL.md §9, "tree" sharing): ignored
// entries and .git left out, symlinks listed but never followed.
func (w *Workspace) Tree(ctx context.Context, p string) ([]wire.TreeEntry, error) {
	clean, err := CleanPath(p)
	if err != nil {
		return nil, err
	}
	full, err := w.inside(clean)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(full)
	if err != nil {
		if w.gone() {
			return nil, fmt.Errorf("%w: %s", ErrGone, w.dir)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, clean)
		}
		return nil, fmt.Errorf("%w: %s is not a folder", ErrPath, clean)
	}
	var names []string
	for _, e := range ents {
		if strings.EqualFold(e.Name(), ".git") {
			continue
		}
		names = append(names, joinRel(clean, e.Name()))
	}
	ignored, err := w.ignored(ctx, names)
	if err != nil {
		return nil, err
	}
	out := []wire.TreeEntry{}
	for _, e := range ents {
		rel := joinRel(clean, e.Name())
		if strings.EqualFold(e.Name(), ".git") || ignored[rel] || slices.Contains(w.excluded, rel) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		te := wire.TreeEntry{Name: e.Name(), Dir: e.IsDir(), Link: info.Mode()&fs.ModeSymlink != 0}
		if info.Mode().IsRegular() {
			te.Size = info.Size()
		}
		out = append(out, te)
	}
	return out, nil
}

// isLink reports whether the working tree's path (or a folder on the way) is a symlink.
func (w *Workspace) isLink(rel string) bool {
	full := w.dir
	for _, seg := range strings.Split(rel, "/") {
		full = filepath.Join(full, seg)
		info, err := os.Lstat(full)
		if err != nil {
			return false
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return true
		}
	}
	return false
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// inside turns a clean relative path into a path in the working directory, refusing one
// that is ignored or passes through a symlink (checked component by component, without
// following any).
func (w *Workspace) inside(clean string) (string, error) {
	full := w.dir
	if clean == "" {
		return full, nil
	}
	for _, seg := range strings.Split(clean, "/") {
		full = filepath.Join(full, seg)
		info, err := os.Lstat(full)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && w.gone() {
				return "", fmt.Errorf("%w: %s", ErrGone, w.dir)
			}
			if errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("%w: %s", ErrNotFound, clean)
			}
			return "", fmt.Errorf("workspace: %w", err)
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("%w: %s goes through a symbolic link, which is never followed", ErrPath, clean)
		}
	}
	for _, ex := range w.excluded {
		if clean == ex || strings.HasPrefix(clean, ex+"/") {
			return "", fmt.Errorf("%w: %s is the host's own data", ErrPath, clean)
		}
	}
	ig, err := w.ignored(context.Background(), []string{clean})
	if err != nil {
		return "", err
	}
	if ig[clean] {
		return "", fmt.Errorf("%w: %s is ignored (by a .gitignore, or the host's own ignore files)", ErrPath, clean)
	}
	return full, nil
}

// Shares reports whether the file at p (absolute, or relative to the working directory,
// as the agent named it) is one the party may see of the folder: inside it, not through
// a link, not ignored, not one of Options.Exclude. What the agent read of any other file
// is not shown to members (a reviewer's Read of an excluded notes.txt, and of a file
// outside the folder, went to every viewer). Safe for concurrent use; false when unsure.
func (w *Workspace) Shares(ctx context.Context, p string) bool {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		// Claude Code reads "~/…" in the home folder (a tester's Read of ~/.ssh/id_rsa
		// was taken to be the working directory's "~" folder, and shown).
		home, err := os.UserHomeDir()
		if err != nil {
			return false
		}
		p = filepath.Join(home, p[1:])
	} else if strings.HasPrefix(p, "~") {
		return false // another user's home ("~ann/…"), or a name git and a shell read otherwise
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(w.dir, p)
	}
	p = filepath.Clean(p)
	rel, err := filepath.Rel(w.dir, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		// The folder's path as the agent knows it may differ by a link above it (/tmp
		// and /private/tmp): its folder resolved, once.
		real, rerr := filepath.EvalSymlinks(filepath.Dir(p))
		if rerr != nil {
			return false
		}
		if rel, err = filepath.Rel(w.dir, filepath.Join(real, filepath.Base(p))); err != nil {
			return false
		}
	}
	clean, err := CleanPath(filepath.ToSlash(rel))
	if err != nil || clean == "" || w.isLink(clean) {
		return false
	}
	for _, ex := range w.excluded {
		if clean == ex || strings.HasPrefix(clean, ex+"/") {
			return false
		}
	}
	ig, err := w.ignored(ctx, []string{clean})
	return err == nil && !ig[clean]
}

// refuseIgnored is the refusal of path when git ignores it, else nil (nil too when git
// cannot tell: the caller's own answer stands).
func (w *Workspace) refuseIgnored(ctx context.Context, path string) error {
	ig, err := w.ignored(ctx, []string{path})
	if errors.Is(err, ErrGone) {
		return err // not "no changes" of a folder that is gone (a reviewer's)
	}
	if err == nil && ig[path] {
		return fmt.Errorf("%w: %s is ignored (by a .gitignore, or the host's own ignore files)", ErrPath, path)
	}
	return nil
}

// ignored asks git which of paths its ignore rules (the folder's and the host's: ignore.go)
// ignore.
func (w *Workspace) ignored(ctx context.Context, paths []string) (map[string]bool, error) {
	if len(paths) == 0 {
		return map[string]bool{}, nil
	}
	cmd, cancel := w.command(ctx, w.dir, nil, "check-ignore", "--no-index", "-z", "--stdin")
	defer cancel()
	out, err := checkIgnore(cmd, paths)
	if err != nil {
		if w.gone() {
			return nil, fmt.Errorf("%w: %s", ErrGone, w.dir)
		}
		return nil, err
	}
	// Kept files never, the host's own never shown (kept.go).
	if err := w.settleIgnored(ctx, paths, out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkIgnore runs cmd, a git check-ignore reading paths on its stdin, and gives the
// paths it names.
func checkIgnore(cmd *exec.Cmd, paths []string) (map[string]bool, error) {
	out := map[string]bool{}
	var in strings.Builder
	for _, p := range paths {
		// A name starting with ":" is read as pathspec magic, and ":(glob)**" stopped git
		// (exit 128), the whole list with it: as "./:(glob)**" it is a name (echoed so).
		if strings.HasPrefix(p, ":") {
			in.WriteString("./")
		}
		in.WriteString(p)
		in.WriteByte(0)
	}
	cmd.Stdin = strings.NewReader(in.String())
	res, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) { // 1: none ignored
		return nil, fmt.Errorf("git check-ignore: %w", err)
	}
	for _, p := range strings.Split(string(res), "\x00") {
		if p != "" {
			out[strings.TrimPrefix(p, "./")] = true // a clean name starts with "./" only as sent above
		}
	}
	return out, nil
}

// gone says whether the working directory no longer exists.
func (w *Workspace) gone() bool {
	_, err := os.Stat(w.dir)
	return errors.Is(err, fs.ErrNotExist)
}

// waitDelay bounds the wait for git's pipes once it has been killed (exec.Cmd.WaitDelay).
const waitDelay = 2 * time.Second

// run runs git against the private repository and returns its stdout.
func (w *Workspace) run(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd, cancel := w.command(ctx, dir, env, args...)
	defer cancel()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if w.gone() {
			return nil, fmt.Errorf("%w: %s", ErrGone, w.dir)
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			// git's fatal line comes last, after any warnings: keep both ends.
			msg = msg[:150] + " … " + msg[len(msg)-150:]
		}
		if msg == "" {
			return nil, fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil, fmt.Errorf("git %s: %w: %s", args[0], err, msg)
	}
	return out, nil
}

func (w *Workspace) command(ctx context.Context, dir string, env []string, args ...string) (*exec.Cmd, context.CancelFunc) {
	cmd, cancel := gitCommand(ctx, w.git, w.opts.Timeout, append([]string{"GIT_DIR=" + w.gitDir, "GIT_WORK_TREE=" + w.dir}, env...), args...)
	if dir == "" {
		dir = w.gitDir
	}
	cmd.Dir = dir
	return cmd, cancel
}

// gitCommand is every git command the workspace runs: bounded by timeout, in cleanEnv
// with extra, in a process group of its own; cancel releases its timer.
func gitCommand(ctx context.Context, git string, timeout time.Duration, extra []string, args ...string) (*exec.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	cmd := exec.CommandContext(ctx, git, args...)
	cmd.Env = cleanEnv(extra)
	detach(cmd)
	return cmd, cancel
}

// cleanEnv is the environment for git: no user or system configuration (no external diff
// programs, filters or hooks from anywhere), no prompts, plus extra. Its settings: names
// are written as they are, not with octal escapes ("dir \303\274/f.txt" in a diff's
// header, a tester's; core.quotePath, given this way since git 2.31), and no ignore or
// attributes file but the folder's own. git would read them from $XDG_CONFIG_HOME/git or
// $HOME/.config/git, and HOME is the temporary folder, which any local user may write on
// Linux: a reviewer's /tmp/.config/git/ignore hid install.sh from the party, and an
// attributes file made app.py binary, its diff not shown.
func cleanEnv(extra []string) []string {
	env := []string{
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_COUNT=3", "GIT_CONFIG_KEY_0=core.quotePath", "GIT_CONFIG_VALUE_0=false",
		"GIT_CONFIG_KEY_1=core.excludesFile", "GIT_CONFIG_VALUE_1=" + os.DevNull,
		"GIT_CONFIG_KEY_2=core.attributesFile", "GIT_CONFIG_VALUE_2=" + os.DevNull,
		"GIT_OPTIONAL_LOCKS=0", "LC_ALL=C", "PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"GIT_AUTHOR_NAME=concordia", "GIT_AUTHOR_EMAIL=concordia@localhost",
		"GIT_COMMITTER_NAME=concordia", "GIT_COMMITTER_EMAIL=concordia@localhost",
	}
	return append(env, extra...)
}
