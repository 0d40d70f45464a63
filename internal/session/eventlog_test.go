package session

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

type discard struct{}

func (discard) Emit(string, any) {}

// BenchmarkJoinedWindowHistory feeds a joined window's event path (onEvent, as the
// client calls it) with a reply of 20,000 output events of 80 bytes, and reports the Go
// heap the window holds afterwards per event, with the history kept in memory (as every
// window did before the log went to disk) and on disk:
//
//	go test -run '^$' -bench JoinedWindowHistory -benchtime 3x ./internal/session
func BenchmarkJoinedWindowHistory(b *testing.B) {
	const n = 20000
	text := strings.Repeat("x", 80)
	for _, where := range []string{"memory", "disk"} {
		b.Run(where, func(b *testing.B) {
			var perEvent float64
			for i := 0; i < b.N; i++ {
				m := New(Config{Emitter: discard{}})
				a := &active{m: m, role: wire.RoleParticipant}
				if where == "disk" {
					a.log = newEventLog(b.TempDir(), b.Logf)
				}
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for s := int64(1); s <= n; s++ {
					a.onEvent(wire.Event{Seq: s, TS: time.Now(), Kind: wire.KindOutput, Stream: "assistant", Text: strings.Clone(text)}) // each its own, as decoded
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEvent = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
				runtime.KeepAlive(a)
				a.log.close()
			}
			b.ReportMetric(perEvent, "heap-B/event")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
	}
}

// TestEventLogTail: a resync reads only the newest events, by count and by bytes (the
// newest always), and says whether it left older ones out.
func TestEventLogTail(t *testing.T) {
	l := newEventLog(t.TempDir(), t.Logf)
	defer l.close()
	for i := int64(1); i <= 10; i++ {
		l.add(wire.Event{Seq: i, Kind: wire.KindOutput, Stream: "assistant", Text: strings.Repeat("x", 100)})
	}
	line := int(l.f.Size() / 10) // every line is as long
	seqs := func(evs []wire.Event) (s []int64) {
		for _, e := range evs {
			s = append(s, e.Seq)
		}
		return s
	}
	for _, tc := range []struct {
		events, bytes int
		want          []int64
		cut           bool
	}{
		{100, 1 << 20, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
		{4, 1 << 20, []int64{7, 8, 9, 10}, true},
		{100, 3*line + line/2, []int64{8, 9, 10}, true},
		{100, 10, []int64{10}, true},
	} {
		evs, cut, err := l.tail(tc.events, tc.bytes, wire.PhaseIdle)
		if err != nil || cut != tc.cut || fmt.Sprint(seqs(evs)) != fmt.Sprint(tc.want) {
			t.Errorf("tail(%d, %d) = %v, cut %v, %v; want %v, cut %v", tc.events, tc.bytes, seqs(evs), cut, err, tc.want, tc.cut)
		}
	}
	// A cut in the middle of a turn brings its batch along, and a party that waits on an
	// approval its request, read from before the cut.
	m := newEventLog(t.TempDir(), t.Logf)
	defer m.close()
	for _, ev := range midTurn() {
		m.add(ev)
	}
	evs, cut, err := m.tail(3, 1<<20, wire.PhaseAwaitingApproval)
	if err != nil || !cut || fmt.Sprint(seqs(evs)) != "[1 3 4 7 8 9]" {
		t.Errorf("a cut mid-turn while an approval waits: %v, cut %v, %v", seqs(evs), cut, err)
	}
	if evs, _, _ := m.tail(3, 1<<20, wire.PhaseIdle); fmt.Sprint(seqs(evs)) != "[3 4 7 8 9]" {
		t.Errorf("a cut mid-turn: %v", seqs(evs))
	}
	var empty eventLog
	if evs, cut, err := empty.tail(5, 5, wire.PhaseIdle); len(evs) != 0 || cut || err != nil {
		t.Errorf("an empty log's tail: %v %v %v", evs, cut, err)
	}
}

// TestEventLogMarksGoWithTheFile: a log whose file fails moves to memory, and its marks
// (indexes into the file) go with the file; tail then hands what memory holds.
func TestEventLogMarksGoWithTheFile(t *testing.T) {
	l := newEventLog(t.TempDir(), t.Logf)
	defer l.close()
	for _, ev := range midTurn() {
		l.add(ev)
	}
	if len(l.marks) == 0 {
		t.Fatal("no marks on file")
	}
	l.f.File().Close() // the next write fails, and so does reading the file back
	l.add(wire.Event{Seq: 100, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b9"}})
	if l.f.OnFile() || l.marks != nil {
		t.Fatalf("on file %v, marks %v after the file failed", l.f.OnFile(), l.marks)
	}
	evs, cut, err := l.tail(3, 1<<20, wire.PhaseIdle)
	if err == nil || !cut || len(evs) != 1 || evs[0].Seq != 100 {
		t.Fatalf("tail after the file failed: %d events, cut %v, %v", len(evs), cut, err)
	}
}
