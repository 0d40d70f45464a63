// A joined party's history as the window saw it, kept on disk rather than in memory.

package session

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/concordia-party/concordia/internal/wire"
)

// eventLog is every event a joined window saw, oldest first: what Save writes, and what a
// resync hands the page again. It is an unlinked temporary file (where the system allows:
// elsewhere it is removed at close, and a later window sweeps what a crash left), so a
// window in a long party does not hold its whole history in memory for the party's life
// (a reviewer: it grew with every event, for Save and resyncs alone).
//
// The zero value keeps the events in memory; so does a log whose file could not be made,
// and one whose file failed a write (it reads the file back first). Not safe for concurrent
// use: the active's mu guards it.
type eventLog struct {
	f    *os.File  // nil: the events are in mem
	out  io.Writer // f; a test's failing writer
	size int64     // bytes written to f, every line whole
	path string    // f's name while it could not be unlinked; removed at close
	mem  []wire.Event
	// lost says the file failed and could not be read back either: the events before mem
	// are gone. Save then says so rather than write half a transcript.
	lost error
	line []byte
}

// historyPattern names the window's history files (os.CreateTemp's * is random).
const historyPattern = ".window-history-*.jsonl"

// newEventLog makes the log's file in dir (os.TempDir() when dir is "" or unusable); on
// failure the log keeps its events in memory, and says why to logf.
func newEventLog(dir string, logf func(msg string, args ...any)) eventLog {
	var f *os.File
	var err error
	for _, d := range []string{dir, os.TempDir()} {
		if d == "" {
			continue
		}
		if err = os.MkdirAll(d, 0o700); err != nil {
			continue
		}
		sweepHistories(d)
		if f, err = os.CreateTemp(d, historyPattern); err == nil {
			break
		}
	}
	if f == nil {
		logf("the party's history is kept in memory", "err", err)
		return eventLog{}
	}
	l := eventLog{f: f, out: f}
	if os.Remove(f.Name()) != nil {
		l.path = f.Name() // Windows: an open file cannot be removed
	}
	return l
}

// sweepHistories removes the history files a window that crashed left in dir. Where the
// files are unlinked at once there are none; where they cannot be (Windows), one another
// window has open cannot be removed either.
func sweepHistories(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, historyPattern))
	for _, p := range old {
		_ = os.Remove(p)
	}
}

// add appends ev. A write that fails moves the log into memory, the file read back first.
func (l *eventLog) add(ev wire.Event) {
	if l.f == nil {
		l.mem = append(l.mem, ev)
		return
	}
	b, err := wire.Encode(ev)
	if err == nil {
		l.line = append(append(l.line[:0], b...), '\n')
		var n int
		n, err = l.out.Write(l.line)
		if err == nil {
			l.size += int64(n)
			if cap(l.line) > 1<<20 {
				l.line = nil // one huge event must not pin its buffer
			}
			return
		}
	}
	l.toMemory(fmt.Errorf("write the party's history: %w", err))
	l.mem = append(l.mem, ev)
}

// toMemory gives the file up after err: what it holds is read back into mem.
func (l *eventLog) toMemory(err error) {
	evs, rerr := readHistory(l.f, l.size)
	if rerr != nil {
		l.lost = errors.Join(err, rerr)
	}
	l.mem = append(evs, l.mem...)
	l.close()
}

// all is every event, oldest first. Its error says that the events before some point
// could not be kept (the events it has are still returned).
func (l *eventLog) all() ([]wire.Event, error) {
	return l.snapshot()()
}

// snapshot is a function that returns all as it is now, and may run without the lock:
// Save reads a long history without holding up the party's events.
func (l *eventLog) snapshot() func() ([]wire.Event, error) {
	f, size, lost := l.f, l.size, l.lost
	mem := append([]wire.Event(nil), l.mem...)
	return func() ([]wire.Event, error) {
		evs, err := readHistory(f, size)
		if err == nil {
			err = lost
		}
		return append(evs, mem...), err
	}
}

// close lets the file go. The log then holds what mem holds.
func (l *eventLog) close() {
	if l.f == nil {
		return
	}
	_ = l.f.Close()
	if l.path != "" {
		_ = os.Remove(l.path)
	}
	l.f, l.out, l.size, l.path = nil, nil, 0, ""
}

// readHistory decodes the first size bytes of f, one event per line (nil f: none).
func readHistory(f *os.File, size int64) ([]wire.Event, error) {
	if f == nil || size == 0 {
		return nil, nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 64<<10)
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
