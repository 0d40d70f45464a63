package eventfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// pattern names the tests' history files.
const pattern = ".history-*.jsonl"

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

func TestLogKeepsEventsOnDisk(t *testing.T) {
	dir := t.TempDir()
	l := New(dir, pattern, t.Logf)
	defer l.Close()
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
		l.Add(ev)
	}
	before := l.Snapshot() // taken now, read later: it sees what was there then
	for _, ev := range want[3:] {
		l.Add(ev)
	}
	if len(l.mem) != 0 {
		t.Fatalf("%d events kept in memory", len(l.mem))
	}
	got, err := l.Snapshot()()
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

// TestLogSweepsWhatACrashLeft: a history file that a client killed on a system that
// cannot unlink open files left behind is removed by the next log of its pattern.
func TestLogSweepsWhatACrashLeft(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".history-123.jsonl")
	other := filepath.Join(dir, "memberships.json")
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l := New(dir, pattern, t.Logf)
	defer l.Close()
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

// TestLogFallsBackToMemory: a write that fails (half a line written) moves the log
// into memory with everything it had, in order; nothing is lost.
func TestLogFallsBackToMemory(t *testing.T) {
	var logged []string
	l := New(t.TempDir(), pattern, func(msg string, _ ...any) { logged = append(logged, msg) })
	want := sampleEvents()
	for _, ev := range want[:4] {
		l.Add(ev)
	}
	l.out = tornWriter{l.file.f}
	for _, ev := range want[4:] {
		l.Add(ev)
	}
	if l.file != nil {
		t.Fatal("the file was kept after a failed write")
	}
	got, err := l.Snapshot()()
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, want)
}

// TestLogSaysWhatItLost: a file that can be neither written nor read back loses the
// events before the failure, and all says so (Save then refuses rather than write half a
// transcript), while still giving the events it has.
func TestLogSaysWhatItLost(t *testing.T) {
	l := New(t.TempDir(), pattern, t.Logf)
	want := sampleEvents()
	l.Add(want[0])
	l.file.f.Close()
	l.out = tornWriter{l.file.f}
	l.Add(want[1])
	got, err := l.Snapshot()()
	if err == nil || !strings.Contains(err.Error(), "history") {
		t.Fatalf("no error for the lost events: %v", err)
	}
	same(t, got, want[1:2])
}

// TestLogZeroValueKeepsMemory: a log made without a file (tests, or a client
// whose file could not be made) keeps its events in memory.
func TestLogZeroValueKeepsMemory(t *testing.T) {
	var l Log
	want := sampleEvents()
	for _, ev := range want {
		l.Add(ev)
	}
	got, err := l.Snapshot()()
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, want)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := New(filepath.Join(notDir, "sub"), pattern, t.Logf) // under a file: made in TempDir instead
	defer bad.Close()
	if bad.file == nil {
		t.Fatal("no history file made in the system's temporary folder")
	}
}

// TestLogSnapshotOutlivesTheFile: a Save under way reads the whole history even when
// the party is let go, or the log moves to memory, meanwhile (a reviewer's "file already
// closed"); a Save that starts after the party was let go says so rather than save nothing.
func TestLogSnapshotOutlivesTheFile(t *testing.T) {
	want := sampleEvents()
	l := New(t.TempDir(), pattern, t.Logf)
	for _, ev := range want {
		l.Add(ev)
	}
	read := l.Snapshot()
	l.Drop()
	got, err := read()
	if err != nil {
		t.Fatalf("a snapshot read after the drop: %v", err)
	}
	same(t, got, want)
	if got, err := l.Snapshot()(); !errors.Is(err, ErrDropped) || len(got) != 0 {
		t.Fatalf("after the drop: %d events, %v", len(got), err)
	}

	l = New(t.TempDir(), pattern, t.Logf)
	for _, ev := range want[:3] {
		l.Add(ev)
	}
	read = l.Snapshot()
	l.out = tornWriter{l.file.f}
	l.Add(want[3]) // moves the log to memory, closing its file
	if l.file != nil {
		t.Fatal("still on file")
	}
	if got, err = read(); err != nil {
		t.Fatalf("a snapshot read after the move to memory: %v", err)
	}
	same(t, got, want[:3])
}
