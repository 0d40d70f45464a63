package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// sampleEvents is one of each shape the log must give back as it was.
func sampleEvents() []wire.Event {
	ts := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	one := 1
	files := make([]wire.FileChange, 3000) // a line far longer than the reader's buffer
	for i := range files {
		files[i] = wire.FileChange{Path: strings.Repeat("d/", 20) + "f" + string(rune('a'+i%26)), Status: "added", Additions: i}
	}
	return []wire.Event{
		{Seq: 1, TS: ts, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m1", Name: "ana", Role: wire.RoleParticipant}, Count: &one},
		{Seq: 2, TS: ts, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ana", Member: "m1", Text: "fix the \"build\"\n\tplease"}},
		{Seq: 3, TS: ts, Kind: wire.KindOutput, Stream: "assistant", Text: "héllo \x1b[31m <b>"},
		{Seq: 5, FirstSeq: 4, TS: ts, Kind: wire.KindOutput, Stream: "assistant", Text: "merged"},
		{Seq: 6, TS: ts, Kind: wire.KindChanges, Files: files, Hidden: 2, More: 7, TreeOnly: true},
		{Seq: 7, TS: ts, Kind: wire.KindSettings, Settings: &wire.Settings{Approval: true, PermissionMode: "ask", Always: []string{}}},
	}
}

// same says whether two event lists encode alike (what the page and Save are given).
func same(t *testing.T, got, want []wire.Event) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("events differ:\n got %.600s\nwant %.600s", g, w)
	}
}

func TestEventLogKeepsEventsOnDisk(t *testing.T) {
	dir := t.TempDir()
	l := newEventLog(dir, t.Logf)
	defer l.close()
	if l.file == nil {
		t.Fatal("no file was made")
	}
	if runtime.GOOS != "windows" {
		if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
			t.Fatalf("the history file is visible: %v", left)
		}
	}
	want := sampleEvents()
	for _, ev := range want[:3] {
		l.add(ev)
	}
	before := l.snapshot() // taken now, read later: it sees what was there then
	for _, ev := range want[3:] {
		l.add(ev)
	}
	if len(l.mem) != 0 {
		t.Fatalf("%d events kept in memory", len(l.mem))
	}
	got, err := l.snapshot()()
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, want)
	early, err := before()
	if err != nil {
		t.Fatal(err)
	}
	same(t, early, want[:3])
}

// TestEventLogSweepsWhatACrashLeft: a history file that a window killed on a system that
// cannot unlink open files left behind is removed by the next window.
func TestEventLogSweepsWhatACrashLeft(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".window-history-123.jsonl")
	other := filepath.Join(dir, "memberships.json")
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l := newEventLog(dir, t.Logf)
	defer l.close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale history is still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("another file went: %v", err)
	}
}

// tornWriter writes part of what it is given to f, then fails: a full disk.
type tornWriter struct{ f *os.File }

func (w tornWriter) Write(b []byte) (int, error) {
	n, _ := w.f.Write(b[:len(b)/2])
	return n, errors.New("no space left on device")
}

// TestEventLogFallsBackToMemory: a write that fails (half a line written) moves the log
// into memory with everything it had, in order; nothing is lost.
func TestEventLogFallsBackToMemory(t *testing.T) {
	var logged []string
	l := newEventLog(t.TempDir(), func(msg string, _ ...any) { logged = append(logged, msg) })
	want := sampleEvents()
	for _, ev := range want[:4] {
		l.add(ev)
	}
	l.out = tornWriter{l.file.f}
	for _, ev := range want[4:] {
		l.add(ev)
	}
	if l.file != nil {
		t.Fatal("the file was kept after a failed write")
	}
	got, err := l.snapshot()()
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, want)
}

// TestEventLogSaysWhatItLost: a file that can be neither written nor read back loses the
// events before the failure, and all says so (Save then refuses rather than write half a
// transcript), while still giving the events it has.
func TestEventLogSaysWhatItLost(t *testing.T) {
	l := newEventLog(t.TempDir(), t.Logf)
	want := sampleEvents()
	l.add(want[0])
	l.file.f.Close()
	l.out = tornWriter{l.file.f}
	l.add(want[1])
	got, err := l.snapshot()()
	if err == nil || !strings.Contains(err.Error(), "history") {
		t.Fatalf("no error for the lost events: %v", err)
	}
	same(t, got, want[1:2])
}

// TestEventLogZeroValueKeepsMemory: an active made without a file (tests, or a window
// whose file could not be made) keeps its events in memory.
func TestEventLogZeroValueKeepsMemory(t *testing.T) {
	var l eventLog
	want := sampleEvents()
	for _, ev := range want {
		l.add(ev)
	}
	got, err := l.snapshot()()
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, want)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := newEventLog(filepath.Join(notDir, "sub"), t.Logf) // under a file: made in TempDir instead
	defer bad.close()
	if bad.file == nil {
		t.Fatal("no history file made in the system's temporary folder")
	}
}

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
	line := int(l.size / 10) // every line is as long
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

// TestEventLogSnapshotOutlivesTheFile: a Save under way reads the whole history even when
// the party is let go, or the log moves to memory, meanwhile (a reviewer's "file already
// closed"); a Save that starts after the party was let go says so rather than save nothing.
func TestEventLogSnapshotOutlivesTheFile(t *testing.T) {
	want := sampleEvents()
	l := newEventLog(t.TempDir(), t.Logf)
	for _, ev := range want {
		l.add(ev)
	}
	read := l.snapshot()
	l.drop()
	got, err := read()
	if err != nil {
		t.Fatalf("a snapshot read after the drop: %v", err)
	}
	same(t, got, want)
	if got, err := l.snapshot()(); !errors.Is(err, errHistoryDropped) || len(got) != 0 {
		t.Fatalf("after the drop: %d events, %v", len(got), err)
	}

	l = newEventLog(t.TempDir(), t.Logf)
	for _, ev := range want[:3] {
		l.add(ev)
	}
	read = l.snapshot()
	l.out = tornWriter{l.file.f}
	l.add(want[3]) // moves the log to memory, closing its file
	if l.file != nil {
		t.Fatal("still on file")
	}
	if got, err = read(); err != nil {
		t.Fatalf("a snapshot read after the move to memory: %v", err)
	}
	same(t, got, want[:3])
}
