// How much of a party's history the page is handed at once.

package session

import (
	"encoding/json"

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
	if from == 0 {
		return st
	}
	// Copied, so that the events left out are not held by the slice's array.
	st.Events = append([]wire.Event(nil), st.Events[from:]...)
	if raw {
		st.RawEvents = append([]json.RawMessage(nil), st.RawEvents[from:]...)
	}
	st.Truncated = true
	return st
}
