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
	"slices"
	"sort"
	"sync"

	"github.com/concordia-party/concordia/internal/wire"
)

// eventLog is every event a joined window saw, oldest first: what Save writes, and what a
// resync hands the page again. It is an unlinked temporary file (where the system allows:
// elsewhere it is removed at close, and a later window sweeps what a crash left), so a
// window in a long party does not hold its whole history in memory for the party's life
// (a reviewer: it grew with every event, for Save and resyncs alone). It keeps where each
// event's line starts (8 bytes an event), so that a resync reads only the newest events,
// the ones the page is handed.
//
// The zero value keeps the events in memory; so does a log whose file could not be made,
// and one whose file failed a write (it reads the file back first). Not safe for concurrent
// use: the active's mu guards it; a snapshot is read without it.
type eventLog struct {
	file *histFile // nil: the events are in mem
	out  io.Writer // file.f; a test's failing writer
	size int64     // bytes written to the file, every line whole
	offs []int64   // where each event's line starts in the file
	// marks are the indexes (into offs) of the events a cut history may need from before
	// the cut (pagehistory.go needed): batches and their prompts, approvals, permission
	// requests.
	marks map[string][]int
	mem   []wire.Event
	// lost says the file failed and could not be read back either: the events before mem
	// are gone. Save then says so rather than write half a transcript.
	lost error
	// dropped: the window let the party go (dropHistory); a Save that raced it says so
	// rather than write an empty transcript.
	dropped bool
	line    []byte
}

// histFile is the log's file, shared with the snapshots being read: it is closed (and,
// where it could not be unlinked at once, removed) when the last of them lets it go, so a
// Save under way is never cut short by the party being let go or the log moving to
// memory.
type histFile struct {
	mu   sync.Mutex
	f    *os.File
	path string // removed at the end; "" when it was unlinked at once
	refs int
}

func (h *histFile) hold() {
	h.mu.Lock()
	h.refs++
	h.mu.Unlock()
}

func (h *histFile) release() {
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

// errHistoryDropped: the window let the party's history go before Save read it.
var errHistoryDropped = errors.New("the window no longer holds this party's history")

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
	h := &histFile{f: f, refs: 1}
	if os.Remove(f.Name()) != nil {
		h.path = f.Name() // Windows: an open file cannot be removed
	}
	return eventLog{file: h, out: f}
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
	if l.file == nil {
		l.mem = append(l.mem, ev)
		return
	}
	b, err := wire.Encode(ev)
	if err == nil {
		l.line = append(append(l.line[:0], b...), '\n')
		var n int
		n, err = l.out.Write(l.line)
		if err == nil {
			if marked[ev.Kind] {
				if l.marks == nil {
					l.marks = map[string][]int{}
				}
				l.marks[ev.Kind] = append(l.marks[ev.Kind], len(l.offs))
			}
			l.offs = append(l.offs, l.size)
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
	evs, rerr := readHistory(l.file.f, 0, l.size)
	if rerr != nil {
		l.lost = errors.Join(err, rerr)
	}
	l.mem = append(evs, l.mem...)
	l.close()
}

// snapshot is a function that returns every event as the log holds them now, oldest
// first, and may run without the lock: Save reads a long history without holding up the
// party's events. It holds the file until it has run. Its error says that the events
// before some point could not be kept (the events it has are still returned).
func (l *eventLog) snapshot() func() ([]wire.Event, error) {
	if l.dropped {
		return func() ([]wire.Event, error) { return nil, errHistoryDropped }
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
			evs, err = readHistory(file.f, 0, size)
			file.release()
		}
		if err == nil {
			err = lost
		}
		return append(evs, mem...), err
	}
}

// marked are the kinds whose events the log marks (marks).
var marked = map[string]bool{wire.KindBatch: true, wire.KindApproval: true, wire.KindPermission: true, wire.KindPrompt: true}

// tail is what a resync hands the page: the newest events, at most maxEvents and as many
// as fit in maxBytes of their JSON (the newest one always), after the events from before
// them that those need (wants: a turn's batch, the request the party waits on, as of
// phase), and whether older ones were left out. Only those are read from the file: a
// resync of a long party decodes what the page gets, not every event (a reviewer's
// 200,000 events took 2.75 s and 115 MB under the lock). An error says the log lost
// events (what it has is still returned, and counts as cut).
func (l *eventLog) tail(maxEvents, maxBytes int, phase string) ([]wire.Event, bool, error) {
	if l.file == nil {
		return append([]wire.Event(nil), l.mem...), l.lost != nil, l.lost
	}
	n := len(l.offs)
	if n == 0 {
		return nil, false, nil
	}
	first := max(0, n-maxEvents)
	// The first line whose start leaves at most maxBytes to the end.
	if j := sort.Search(n, func(k int) bool { return l.size-l.offs[k] <= int64(maxBytes) }); j > first {
		first = min(j, n-1)
	}
	evs, err := readHistory(l.file.f, l.offs[first], l.size)
	if err != nil || first == 0 {
		return evs, err != nil, err
	}
	var idx []int
	for kind := range wants(phase, evs) {
		marks := l.marks[kind]
		k := sort.SearchInts(marks, first)
		if k == 0 {
			continue
		}
		idx = append(idx, marks[k-1])
		if kind != wire.KindBatch {
			continue
		}
		// The batch's prompts, stepping back through the prompt events only.
		ev, err := l.at(marks[k-1])
		if err != nil || ev.Batch == nil {
			continue
		}
		prompts := l.marks[wire.KindPrompt]
		idx = append(idx, batchPrompts(ev.Batch, marks[k-1], l.at, func(i int) int {
			if p := sort.SearchInts(prompts, i); p > 0 {
				return prompts[p-1]
			}
			return -1
		})...)
	}
	slices.Sort(idx)
	var before []wire.Event
	for _, i := range idx {
		ev, err := l.at(i)
		if err != nil {
			return evs, true, err
		}
		before = append(before, ev)
	}
	return append(before, evs...), true, nil
}

// at reads the event at index i of the file.
func (l *eventLog) at(i int) (wire.Event, error) {
	end := l.size
	if i+1 < len(l.offs) {
		end = l.offs[i+1]
	}
	evs, err := readHistory(l.file.f, l.offs[i], end)
	if err == nil && len(evs) != 1 {
		err = fmt.Errorf("read the party's history: %d events at %d", len(evs), i)
	}
	if err != nil {
		return wire.Event{}, err
	}
	return evs[0], nil
}

// close lets the file go (once the snapshots being read are done with it). The log then
// holds what mem holds.
func (l *eventLog) close() {
	if l.file == nil {
		return
	}
	l.file.release()
	l.file, l.out, l.size, l.offs, l.marks = nil, nil, 0, nil, nil
}

// drop lets everything go: the window moved on from the party.
func (l *eventLog) drop() {
	l.close()
	*l = eventLog{dropped: true}
}

// readHistory decodes the bytes [from, to) of f, one event per line.
func readHistory(f *os.File, from, to int64) ([]wire.Event, error) {
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
