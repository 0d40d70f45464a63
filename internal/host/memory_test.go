package host

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestMemoryOverALongParty measures the host's heap over a long party: a real host
// (host.Start, journal, listener) with the fake Claude program answering every prompt with
// a 40 KB reply, the host's own member draining events like a terminal does. The heap is
// measured after a full GC at turns 100, 400 and the last; from 100 to 400 it must grow by
// less than 12 MB (docs/RELIABILITY.md, "Memory over a long party").
//
// It runs for about a minute, so only when asked:
//
//	CONCORDIA_LONG_PARTY=1000 go test -run TestMemoryOverALongParty -v ./internal/host/
func TestMemoryOverALongParty(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CONCORDIA_LONG_PARTY"))
	if n == 0 {
		t.Skip("set CONCORDIA_LONG_PARTY=<turns> (at least 400) to run it")
	}
	n = max(n, 400)
	h := startHost(t, Config{
		Window: time.Millisecond, MergeMode: "local",
		Agent: agent.Config{WorkDir: t.TempDir()},
		Party: party.Config{PromptBurst: 1000, PromptEvery: time.Millisecond, PromptBytes: -1, PartyPromptBytes: -1},
	})
	me, _, err := h.Party().JoinLocal("hosty", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	turns := make(chan struct{}, 16)
	go func() {
		for ev := range me.Events() {
			if ev.Kind == wire.KindTurn {
				turns <- struct{}{}
			}
		}
	}()
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	marks := map[int]uint64{}
	start := time.Now()
	for i := 1; i <= n; i++ {
		if _, err := me.Prompt("FAKE_BIG=40000 turn " + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-turns:
		case <-time.After(30 * time.Second):
			t.Fatalf("turn %d did not end", i)
		}
		if i == 1 || i == 100 || i == 400 || i == n || i%200 == 0 {
			marks[i] = heap()
			t.Logf("turn %4d: heap %6.1f MB (%s)", i, float64(marks[i])/(1<<20), time.Since(start).Round(time.Second))
		}
	}
	st, _ := os.Stat(h.TranscriptPath())
	growth := int64(marks[400]) - int64(marks[100])
	t.Logf("journal %.1f MB; heap growth from turn 100 to 400: %.1f MB; to turn %d: %.1f MB",
		float64(st.Size())/(1<<20), float64(growth)/(1<<20), n, float64(int64(marks[n])-int64(marks[100]))/(1<<20))
	if growth > 12<<20 {
		t.Errorf("heap grew %.1f MB from turn 100 to 400, want under 12 MB", float64(growth)/(1<<20))
	}
	me.Leave()
}
