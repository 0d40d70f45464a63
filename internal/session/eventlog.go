// A joined party's history as the window saw it, kept on disk rather than in memory.

package session

import (
	"errors"
	"slices"
	"sort"

	"github.com/concordia-party/concordia/internal/eventfile"
	"github.com/concordia-party/concordia/internal/wire"
)

// eventLog is every event a joined window saw, oldest first: what Save writes, and what a
// resync hands the page again, in an eventfile.Log (a reviewer: a window's copy grew with
// every event, for Save and resyncs alone). It also marks the events a cut history may
// need from before the cut, so that a resync reads only the newest events and those.
//
// The zero value keeps the events in memory. Not safe for concurrent use: the active's mu
// guards it; a snapshot is read without it.
type eventLog struct {
	f eventfile.Log // a field, not embedded: its Add and Close would skip marks
	// marks are the indexes (into the file) of the events a cut history may need from
	// before the cut (pagehistory.go needed): batches and their prompts, approvals,
	// permission requests.
	marks map[string][]int
}

// errHistoryDropped: the window let the party's history go before Save read it.
var errHistoryDropped = errors.New("the window no longer holds this party's history")

// historyPattern names the window's history files (os.CreateTemp's * is random).
const historyPattern = ".window-history-*.jsonl"

// newEventLog makes the log's file in dir (os.TempDir() when dir is "" or unusable); on
// failure the log keeps its events in memory, and says why to logf.
func newEventLog(dir string, logf func(msg string, args ...any)) eventLog {
	return eventLog{f: eventfile.New(dir, historyPattern, logf)}
}

// add appends ev.
func (l *eventLog) add(ev wire.Event) {
	i, onFile := l.f.Add(ev)
	switch {
	case !onFile:
		l.marks = nil
	case marked[ev.Kind]:
		if l.marks == nil {
			l.marks = map[string][]int{}
		}
		l.marks[ev.Kind] = append(l.marks[ev.Kind], i)
	}
}

// snapshot is eventfile.Log.Snapshot, in the window's words when the history was let go.
func (l *eventLog) snapshot() func() ([]wire.Event, error) {
	read := l.f.Snapshot()
	return func() ([]wire.Event, error) {
		evs, err := read()
		if errors.Is(err, eventfile.ErrDropped) {
			err = errHistoryDropped
		}
		return evs, err
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
	if !l.f.OnFile() {
		evs, lost := l.f.Memory()
		return evs, lost != nil, lost
	}
	n := l.f.Len()
	if n == 0 {
		return nil, false, nil
	}
	first := max(0, n-maxEvents)
	if j := l.f.FirstWithin(maxBytes); j > first {
		first = j
	}
	evs, err := l.f.From(first)
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
		ev, err := l.f.At(marks[k-1])
		if err != nil || ev.Batch == nil {
			continue
		}
		prompts := l.marks[wire.KindPrompt]
		idx = append(idx, batchPrompts(ev.Batch, marks[k-1], l.f.At, func(i int) int {
			if p := sort.SearchInts(prompts, i); p > 0 {
				return prompts[p-1]
			}
			return -1
		})...)
	}
	slices.Sort(idx)
	var before []wire.Event
	for _, i := range idx {
		ev, err := l.f.At(i)
		if err != nil {
			return evs, true, err
		}
		before = append(before, ev)
	}
	return append(before, evs...), true, nil
}

// close lets the file go (once the snapshots being read are done with it). The log then
// holds what it holds in memory.
func (l *eventLog) close() {
	l.f.Close()
	l.marks = nil
}

// drop lets everything go: the window moved on from the party.
func (l *eventLog) drop() {
	l.f.Drop()
	l.marks = nil
}
