package testkit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// WriteJournal writes a stopped party's journal in dataDir: h, then evs numbered from 1,
// a second apart from h.Created. A party its host stopped without ending (no end record),
// as `concordia parties` and a resume read it.
func WriteJournal(t testing.TB, dataDir string, h journal.Header, evs ...wire.Event) {
	t.Helper()
	w, err := journal.Create(dataDir, h)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		ev.Seq, ev.TS = int64(i+1), h.Created.Add(time.Duration(i)*time.Second)
		raw, _ := json.Marshal(ev)
		if err := w.Event(ev, raw); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
}
