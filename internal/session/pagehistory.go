// How much of a party's history the page is handed at once.

package session

import (
	"encoding/json"
	"slices"

	"github.com/concordia-party/concordia/internal/wire"
)

// The history the page is handed at once — as a party starts or is resumed in this
// window, as it joins one, and on each resync — is the newest pageHistoryEvents events,
// at most pageHistoryBytes of their JSON: every event crosses the Wails bridge as JSON
// and is folded into the page's transcript, and a window took 1.4 s to show a party of
// 10,000 events (docs/PERFORMANCE.md). A day-long party holds many times that. Save
// still writes all of it (the journal, or the joined window's eventLog). Variables for
// the tests.
var (
	pageHistoryEvents = 20000
	pageHistoryBytes  = 8 << 20
)

// forPage is st with its events cut to the newest that fit the page's history; a state
// cut so has Truncated set, which the page reads as "the history starts later than the
// party" (docs/app-api.md), not as the protocol's "page on".
func forPage(st wire.State) wire.State {
	return cutHistory(st, pageHistoryEvents, pageHistoryBytes)
}

func cutHistory(st wire.State, maxEvents, maxBytes int) wire.State {
	raw := len(st.RawEvents) == len(st.Events)
	n := len(st.Events)
	from, used := n, 0
	for from > 0 && n-from < maxEvents {
		var size int
		if raw {
			size = len(st.RawEvents[from-1])
		} else if b, err := wire.Encode(st.Events[from-1]); err == nil {
			size = len(b)
		}
		if used+size > maxBytes && from < n {
			break
		}
		used += size
		from--
	}
	if !raw {
		st.RawEvents = nil // never spliced in for events they do not match
	}
	if from == 0 {
		return st
	}
	// The events the newest need from before the cut come first, then the newest. Copied,
	// so that the events left out are not held by the slice's array.
	idx := append(needed(st, from), from)
	events := make([]wire.Event, 0, len(idx)-1+n-from)
	var raws []json.RawMessage
	for k, i := range idx {
		to := i + 1
		if k == len(idx)-1 {
			to = n
		}
		events = append(events, st.Events[i:to]...)
		if raw {
			raws = append(raws, st.RawEvents[i:to]...)
		}
	}
	st.Events, st.RawEvents, st.Truncated = events, raws, true
	return st
}

// needed is the indexes, oldest first, of the events before from that the events from it
// on need to be shown right (wants).
func needed(st wire.State, from int) []int {
	want := wants(st.Phase, st.Events[from:])
	var idx []int
	for i := from - 1; i >= 0 && len(want) > 0; i-- {
		if k := st.Events[i].Kind; want[k] {
			idx = append(idx, i)
			delete(want, k)
			if b := st.Events[i].Batch; k == wire.KindBatch && b != nil {
				idx = append(idx, batchPrompts(b, i, func(j int) (wire.Event, error) { return st.Events[j], nil }, func(i int) int { return i - 1 })...)
			}
		}
	}
	slices.Sort(idx)
	return idx
}

// batchPrompts finds the prompt events of batch b, which come before it (at index at):
// the card of a turn shows who asked what (a tester's cut showed "?" and "edited by a
// host"). prev steps back from an index to the one before it that may be a prompt (-1:
// none); at reads one. At most maxPromptLookback are read.
func batchPrompts(b *wire.Batch, at int, read func(int) (wire.Event, error), prev func(int) int) []int {
	ids := map[string]bool{}
	for _, id := range b.Prompts {
		ids[id] = true
	}
	var idx []int
	for i, n := prev(at), 0; i >= 0 && len(ids) > 0 && n < maxPromptLookback; i, n = prev(i), n+1 {
		ev, err := read(i)
		if err != nil {
			break
		}
		if ev.Kind == wire.KindPrompt && ev.Prompt != nil && ids[ev.Prompt.ID] {
			idx = append(idx, i)
			delete(ids, ev.Prompt.ID)
		}
	}
	return idx
}

// maxPromptLookback bounds how far back batchPrompts looks for a batch's prompts (in
// events read): they come just before it, or during the turn before it.
const maxPromptLookback = 100000

// wants says which kinds of event, from before a cut, the events after it (tail) need to
// be shown right in a party in phase (a reviewer's): the batch of a turn they begin in
// the middle of (without it its reply is a card of its own, and its end another), and
// the request the party waits on (approval, permission), whose card has the buttons. The
// newest of each such event is wanted.
func wants(phase string, tail []wire.Event) map[string]bool {
	want := map[string]bool{}
	for _, ev := range tail {
		if ev.Kind == wire.KindBatch {
			break
		}
		if ev.Kind == wire.KindOutput || ev.Kind == wire.KindTurn || ev.Kind == wire.KindPermission {
			want[wire.KindBatch] = true
			break
		}
	}
	waits := map[string]string{wire.PhaseAwaitingApproval: wire.KindApproval, wire.PhaseAwaitingPermission: wire.KindPermission}
	if kind := waits[phase]; kind != "" && !slices.ContainsFunc(tail, func(ev wire.Event) bool { return ev.Kind == kind }) {
		want[kind] = true
	}
	return want
}
