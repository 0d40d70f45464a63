package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/concordia-party/concordia/internal/wire"
)

// ErrNoParties: the data directory holds no party journal.
var ErrNoParties = errors.New("no parties in this data directory")

// List reads every journal in dataDir, the most recently active first. Files that are not
// journals are left out.
func List(dataDir string) ([]*Summary, error) { return (*Lister)(nil).List(dataDir) }

// A Lister lists journals as List does, reading again only those whose file, size or
// time of change moved since it last read them (a window that reads the list every few
// seconds while a party runs elsewhere); a file that could not be read is not tried again
// until it changes. Its summaries are shared: not to be changed. The zero Lister is ready;
// a nil one keeps nothing. Safe for concurrent use.
type Lister struct {
	mu   sync.Mutex
	read map[string]listed
}

type listed struct {
	fi  os.FileInfo // the file as it was read: another file renamed over it is read again
	s   *Summary
	err error // why it could not be read
}

// ListRead is List, handing each journal's events to the function open returns for its
// path (nil: none) as it reads it, so that a caller wanting more than the summaries reads
// every file once. It also returns the journal files it left out because they cannot be
// read (not those a host holds: one being made is not damaged).
func ListRead(dataDir string, open func(path string) func(ev wire.Event, raw json.RawMessage)) ([]*Summary, []Unreadable, error) {
	var bad []Unreadable
	out, err := list(dataDir, func(path string) (*Summary, error) {
		s, err := readBrief(path, open(path))
		if err != nil && !InUse(path) {
			id := strings.TrimSuffix(filepath.Base(path), ".jsonl")
			bad = append(bad, Unreadable{ID: id, Path: path, Err: err})
		}
		return s, err
	}, nil)
	return out, bad, err
}

// Unreadable is a journal file that List leaves out because it cannot be read as one, as
// ListRead returns it: `concordia parties` said "no parties" of a folder whose one journal
// had lost its header, which --resume then named (a tester's).
type Unreadable struct {
	ID   string // the party id its name gives
	Path string
	Err  error // why
}

// List is List, with what l kept.
func (l *Lister) List(dataDir string) ([]*Summary, error) {
	return list(dataDir, l.summary, l.forget)
}

// list reads the summary of every journal in dataDir; forget, if not nil, is told which
// journals are there.
func list(dataDir string, summary func(path string) (*Summary, error), forget func(seen map[string]bool)) ([]*Summary, error) {
	entries, err := os.ReadDir(Dir(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	var out []*Summary
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		path := filepath.Join(Dir(dataDir), e.Name())
		seen[path] = true
		s, err := summary(path)
		if err != nil {
			continue
		}
		out = append(out, s)
	}
	if forget != nil {
		forget(seen)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastActive.After(out[j].LastActive) })
	return out, nil
}

// forget drops what l kept of journals no longer listed.
func (l *Lister) forget(seen map[string]bool) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for path := range l.read {
		if !seen[path] {
			delete(l.read, path)
		}
	}
}

// summary is the journal at path read, or as last read while it has not changed.
func (l *Lister) summary(path string) (*Summary, error) {
	if l == nil {
		return readBrief(path, nil)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	l.mu.Lock()
	c, ok := l.read[path]
	l.mu.Unlock()
	if ok && os.SameFile(c.fi, fi) && c.fi.Size() == fi.Size() && c.fi.ModTime().Equal(fi.ModTime()) && c.fi.Mode() == fi.Mode() { // a cut-short mark changes only the mode
		return c.s, c.err
	}
	s, err := readBrief(path, nil)
	l.mu.Lock()
	if l.read == nil {
		l.read = map[string]listed{}
	}
	l.read[path] = listed{fi: fi, s: s, err: err}
	l.mu.Unlock()
	return s, err
}

// Latest is the id of the party whose journal was written last (by the file's time).
func Latest(dataDir string) (string, error) {
	entries, err := os.ReadDir(Dir(dataDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("list parties: %w", err)
	}
	best, id := int64(-1), ""
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".jsonl") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if t := info.ModTime().UnixNano(); t > best {
			best, id = t, strings.TrimSuffix(name, ".jsonl")
		}
	}
	if id == "" {
		return "", ErrNoParties
	}
	return id, nil
}

// ValidID reports whether id can name a party journal (no path separators or dots).
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Running lists the headers of the parties a host is running now in dataDir (their
// journals are locked), read from each journal's first line only.
func Running(dataDir string) ([]Header, error) {
	entries, err := os.ReadDir(Dir(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	var out []Header
	for _, e := range entries {
		path := filepath.Join(Dir(dataDir), e.Name())
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") || !InUse(path) {
			continue
		}
		if h, err := readHeader(path); err == nil {
			out = append(out, h)
		}
	}
	return out, nil
}

// readHeader reads a journal's first line.
func readHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, 64<<10).ReadSlice('\n')
	if err != nil {
		return Header{}, fmt.Errorf("read the header of %s: %w", path, err)
	}
	var rec Record
	if err := json.Unmarshal(line, &rec); err != nil || rec.Type != TypeHeader || rec.Header == nil {
		return Header{}, fmt.Errorf("%s does not start with a journal header", path)
	}
	return *rec.Header, nil
}

// Remove deletes the journal at path, unless a host holds it (ErrInUse): it is taken
// while it is removed, so a host starting at that moment cannot have it.
func Remove(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("remove journal: %w", err)
	}
	defer f.Close()
	// take, not lock: another host starting holds each journal's lock a moment to see
	// whether it runs (a reviewer's), which is no reason to refuse.
	if err := take(f); err != nil {
		return fmt.Errorf("remove journal: %w", err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove journal: %w", err)
	}
	_ = os.Remove(path + incompleteSuffix) // the marks of a journal cut short, if any
	removeCutMarks(path)
	return nil
}
