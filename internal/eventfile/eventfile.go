// Package eventfile keeps the events a client saw of a party in a temporary file rather
// than in memory: a joined window's copy (for Save and resyncs) and a joined terminal's
// (for --transcript). A client in a day-long party must not hold every event for the
// party's life (a reviewer: 372.9 bytes of heap an event, or 37 MB a day).
//
// The file is unlinked as soon as it is made where the system allows; elsewhere
// (Windows) it is removed when the log lets it go, and Sweep removes what a crash left.
// The log keeps where each event's line starts (8 bytes an event), so that a reader can
// decode only the newest events.
package eventfile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/concordia-party/concordia/internal/wire"
)

// Log is every event added to it, oldest first, one JSON line each in its file.
//
// The zero value keeps the events in memory; so does a log whose file could not be made,
// and one whose file failed a write (it reads the file back first). Not safe for
// concurrent use: its owner's lock guards it; a snapshot is read without it.
type Log struct {
	file *shared   // nil: the events are in mem
	out  io.Writer // file.f; a test's failing writer
	size int64     // bytes written to the file, every line whole
	offs []int64   // where each event's line starts in the file
	mem  []wire.Event
	// lost says the file failed and could not be read back whole: some of the events
	// before mem are gone (mem holds what was read back). A snapshot then says so rather
	// than pass for the whole history.
	lost error
	// dropped: the owner let the history go (Drop); a snapshot that raced it says so
	// rather than return nothing.
	dropped bool
	line    []byte
}

// shared is the log's file, shared with the snapshots being read: it is closed (and,
// where it could not be unlinked at once, removed) when the last of them lets it go, so a
// read under way is never cut short by the log being let go or moving to memory.
type shared struct {
	mu   sync.Mutex
	f    *os.File
	path string // removed at the end; "" when it was unlinked at once
	refs int
}

func (h *shared) hold() {
	h.mu.Lock()
	h.refs++
	h.mu.Unlock()
}

func (h *shared) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.refs--; h.refs > 0 {
		return
	}
	_ = h.f.Close()
	if h.path != "" {
		_ = os.Remove(h.path)
	}
}

// ErrDropped: the log's owner let its history go before a snapshot of it was read.
var ErrDropped = errors.New("the party's history was let go")

// New makes a log whose file is named by pattern (os.CreateTemp's, "*" random) in dir,
// or in os.TempDir() when dir is "" or unusable, after sweeping dir of the files of that
// pattern a crash left. When no file can be made the log keeps its events in memory, and
// says why to logf.
func New(dir, pattern string, logf func(msg string, args ...any)) Log {
	var f *os.File
	var err error
	for _, d := range []string{dir, os.TempDir()} {
		if d == "" {
			continue
		}
		if err = os.MkdirAll(d, 0o700); err != nil {
			continue
		}
		Sweep(d, pattern)
		if f, err = os.CreateTemp(d, pattern); err == nil {
			break
		}
	}
	if f == nil {
		logf("the party's history is kept in memory", "err", err)
		return Log{}
	}
	h := &shared{f: f, refs: 1}
	if os.Remove(f.Name()) != nil {
		h.path = f.Name() // Windows: an open file cannot be removed
	}
	return Log{file: h, out: f}
}

// Sweep removes the files of pattern in dir that a client that crashed left. Where the
// files are unlinked at once there are none; where they cannot be (Windows), one another
// client has open cannot be removed either.
func Sweep(dir, pattern string) {
	old, _ := filepath.Glob(filepath.Join(dir, pattern))
	for _, p := range old {
		_ = os.Remove(p)
	}
}

// Add appends ev, and says at which index of the file it is (onFile false: the log is in
// memory). A write that fails moves the log into memory, the file read back first.
func (l *Log) Add(ev wire.Event) (index int, onFile bool) {
	if l.file == nil {
		l.mem = append(l.mem, ev)
		return 0, false
	}
	b, err := wire.Encode(ev)
	if err == nil {
		l.line = append(append(l.line[:0], b...), '\n')
		var n int
		n, err = l.out.Write(l.line)
		if err == nil {
			l.offs = append(l.offs, l.size)
			l.size += int64(n)
			if cap(l.line) > 1<<20 {
				l.line = nil // one huge event must not pin its buffer
			}
			return len(l.offs) - 1, true
		}
	}
	l.toMemory(fmt.Errorf("write the party's history: %w", err))
	l.mem = append(l.mem, ev)
	return 0, false
}

// toMemory gives the file up after err: what it holds is read back into mem.
func (l *Log) toMemory(err error) {
	evs, rerr := read(l.file.f, 0, l.size)
	if rerr != nil {
		l.lost = errors.Join(err, rerr)
	}
	l.mem = append(evs, l.mem...)
	l.Close()
}

// Snapshot is a function that returns every event as the log holds them now, oldest
// first, and may run without the owner's lock: a long history is read without holding up
// the party's events. It holds the file until it has run. Its error says that the events
// before some point could not be kept (the events it has are still returned), or that the
// history was dropped (ErrDropped).
func (l *Log) Snapshot() func() ([]wire.Event, error) {
	if l.dropped {
		return func() ([]wire.Event, error) { return nil, ErrDropped }
	}
	file, size, lost := l.file, l.size, l.lost
	mem := append([]wire.Event(nil), l.mem...)
	if file != nil {
		file.hold()
	}
	return func() ([]wire.Event, error) {
		var evs []wire.Event
		var err error
		if file != nil {
			evs, err = read(file.f, 0, size)
			file.release()
		}
		if err == nil {
			err = lost
		}
		return append(evs, mem...), err
	}
}

// OnFile says whether the log's events are in its file (else in memory).
func (l *Log) OnFile() bool { return l.file != nil }

// Len is how many events the file holds.
func (l *Log) Len() int { return len(l.offs) }

// Size is how many bytes the file holds.
func (l *Log) Size() int64 { return l.size }

// Memory is a copy of the events the log keeps in memory, and what it lost (see lost).
func (l *Log) Memory() ([]wire.Event, error) {
	return append([]wire.Event(nil), l.mem...), l.lost
}

// File is the log's open file (nil in memory), for tests.
func (l *Log) File() *os.File {
	if l.file == nil {
		return nil
	}
	return l.file.f
}

// FirstWithin is the index of the first event of the file whose line starts at most
// maxBytes from its end (the last one when none does).
func (l *Log) FirstWithin(maxBytes int) int {
	n := len(l.offs)
	j := sort.Search(n, func(k int) bool { return l.size-l.offs[k] <= int64(maxBytes) })
	return min(j, max(n-1, 0))
}

// From reads the events of the file from index i on.
func (l *Log) From(i int) ([]wire.Event, error) {
	if i >= len(l.offs) {
		return nil, nil
	}
	return read(l.file.f, l.offs[i], l.size)
}

// At reads the event at index i of the file.
func (l *Log) At(i int) (wire.Event, error) {
	end := l.size
	if i+1 < len(l.offs) {
		end = l.offs[i+1]
	}
	evs, err := read(l.file.f, l.offs[i], end)
	if err == nil && len(evs) != 1 {
		err = fmt.Errorf("read the party's history: %d events at %d", len(evs), i)
	}
	if err != nil {
		return wire.Event{}, err
	}
	return evs[0], nil
}

// Close lets the file go (once the snapshots being read are done with it). The log then
// holds what it holds in memory.
func (l *Log) Close() {
	if l.file == nil {
		return
	}
	l.file.release()
	l.file, l.out, l.size, l.offs = nil, nil, 0, nil
}

// Drop lets everything go: the owner moved on from the party.
func (l *Log) Drop() {
	l.Close()
	*l = Log{dropped: true}
}

// read decodes the bytes [from, to) of f, one event per line.
func read(f *os.File, from, to int64) ([]wire.Event, error) {
	if to <= from {
		return nil, nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, from, to-from), 64<<10)
	var evs []wire.Event
	for {
		line, err := r.ReadBytes('\n') // whole, however long (a long change list)
		if len(line) > 0 {
			var ev wire.Event
			if derr := json.Unmarshal(line, &ev); derr != nil {
				return evs, fmt.Errorf("read the party's history: event after %d: %w", len(evs), derr)
			}
			evs = append(evs, ev)
		}
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, fmt.Errorf("read the party's history: %w", err)
		}
	}
}
