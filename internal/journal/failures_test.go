package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// A background fsync that fails while the journal is already behind (a full disk: the
// write fails, and the fsync of what was written before fails too) must leave it lost:
// the kernel may have dropped those pages. It was ignored (a reviewer's), and the catch-up
// then took the marks off.
func TestABackgroundFsyncFailureWhileBehindIsNotCaughtUpFrom(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	var mu sync.Mutex
	calls := 0
	started, release := make(chan struct{}), make(chan struct{})
	old := syncFile
	syncFile = func(f *os.File) error {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 2 { // the first background one
			close(started)
			<-release
			return syscall.EIO
		}
		return nil
	}
	t.Cleanup(func() { syncFile = old })
	now := t0
	writerNow = func() time.Time { return now }
	t.Cleanup(func() { writerNow = time.Now })
	w, err := Create(t.TempDir(), header("rb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for seq := int64(1); seq <= SyncEvery; seq++ {
		ev, raw := event(seq, wire.KindOutput, 10)
		if err := w.Event(ev, raw); err != nil {
			t.Fatal(err)
		}
	}
	<-started
	w.mu.Lock()
	disk := w.out
	w.out = newAppender(full)
	w.mu.Unlock()
	ev, raw := event(SyncEvery+1, wire.KindOutput, 10)
	if err := w.Event(ev, raw); err == nil {
		t.Fatal("write on a full disk succeeded")
	}
	close(release) // the background fsync of events 1..1024 fails
	w.mu.Lock()
	for w.syncing {
		w.syncedCond.Wait()
	}
	w.out = disk
	w.mu.Unlock()
	now = now.Add(retryWait)
	ev, raw = event(SyncEvery+2, wire.KindPrompt, 10)
	err = w.Event(ev, raw)
	if err == nil || !cutShort(w.Path()) || w.Recovered() {
		t.Fatalf("after a failed background fsync the journal caught up: err %v, marked %v", err, cutShort(w.Path()))
	}
	if !errors.Is(err, ErrGaveUp) {
		t.Errorf("the journal does not say it gave up: %v", err)
	}
}

// A journal behind by more than it keeps gives up, and says so (ErrGaveUp): a tester's host
// kept saying it would catch up, minutes after it had stopped trying.
func TestAJournalTooFarBehindGivesUp(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	w, err := Create(t.TempDir(), header("gu"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.mu.Lock()
	disk := w.out
	w.out = newAppender(full)
	w.mu.Unlock()
	var last error
	for seq := int64(1); !errors.Is(last, ErrGaveUp); seq++ {
		ev, raw := event(seq, wire.KindOutput, 64<<10)
		if last = w.Event(ev, raw); last == nil {
			t.Fatal("a write to a full disk succeeded")
		}
		if seq*(64<<10) > 2*maxBehind {
			t.Fatalf("still behind after %d events: %v", seq, last)
		}
	}
	if !strings.Contains(last.Error(), "more than 64 MiB to write") || !strings.Contains(last.Error(), "no space left on device") {
		t.Errorf("why it gave up: %v", last)
	}
	w.mu.Lock()
	w.out = disk // room again: it does not catch up
	w.mu.Unlock()
	if err := w.CatchUp(); !errors.Is(err, ErrGaveUp) || !cutShort(w.Path()) {
		t.Fatalf("a journal that gave up caught up: %v", err)
	}
}

// The writer's own fsync at MaxUnsynced (syncBehindLocked) dropped its error (a
// reviewer's): Event said nil, nothing was marked, and the next fsync succeeded over pages
// the kernel may have dropped. Reached on the first event after a resume with a gap (seq jumps by >= MaxUnsynced).
func TestAFailedFsyncAtMaxUnsyncedIsSaid(t *testing.T) {
	w, err := Create(t.TempDir(), header("rf"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ev, raw := event(1, wire.KindOutput, 10)
	if err := w.Event(ev, raw); err != nil {
		t.Fatal(err)
	}
	old := syncFile
	syncFile = func(f *os.File) error { return syscall.EIO }
	t.Cleanup(func() { syncFile = old })
	ev, raw = event(1+MaxUnsynced+1, wire.KindOutput, 10) // e.g. the first event past a seq floor
	err = w.Event(ev, raw)
	syncFile = old
	if err == nil && !cutShort(w.Path()) {
		t.Fatal("a failed fsync at MaxUnsynced was dropped: no error, no mark")
	}
}

// An Abandon whose Truncate fails kept 'behind' (a reviewer's): Close's last catch-up then
// wrote the resumed record of a resume that never ran, and took the marks off.
func TestAbandonThatCannotTruncateWritesNothingLater(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	dir := t.TempDir()
	w := writeParty(t, dir, 3, 10)
	w.Close()
	path := Path(dir, "p1")
	before, _ := os.ReadFile(path)
	w, _, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	disk, f := w.out, w.f
	w.out = newAppender(full)
	w.mu.Unlock()
	if err := w.Resumed(t0, Settings{}); err == nil {
		t.Fatal("resumed on a full disk")
	}
	w.mu.Lock()
	w.f = full // ftruncate fails (EINVAL) as it may on a full CoW file system
	w.mu.Unlock()
	w.Abandon()
	w.mu.Lock()
	w.f, w.out = f, disk // room again
	w.mu.Unlock()
	w.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatalf("a resume that never ran was written by Close:\n%s", after[len(before):])
	}
}

// Events never gives a seq twice or backwards: a torn line that a lost "\n" alone left
// whole becomes a line when Open ends it, and the same event may be written again after
// it (a reviewer's).
func TestEventsGivesEachSeqOnce(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 3, 10)
	w.Close()
	path := Path(dir, "p1")
	_, raw := event(3, wire.KindSystem, 10) // seq 3 again, whole but for its "\n"
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"type":"event","event":` + string(raw) + `}`)
	f.Close()
	w, _, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var seqs []int64
	if err := w.Events(1, func(seq int64, _ json.RawMessage) bool { seqs = append(seqs, seq); return true }); err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 2, 3}; !slices.Equal(seqs, want) {
		t.Fatalf("Events gave %v, want %v", seqs, want)
	}
}

// Abandon waits for a background fsync of the events it cuts off: ended after the reset,
// it marked them synced, and the next SyncEvery events got no background fsync (a
// reviewer's: synced 1027 with the last seq 3).
func TestAbandonWaitsForABackgroundFsync(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 3, 10)
	w.Close()
	w, _, err := Open(Path(dir, "p1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	old := syncFile
	gate, entered := make(chan struct{}), make(chan struct{}, 1)
	syncFile = func(f *os.File) error {
		select {
		case entered <- struct{}{}:
			<-gate
		default:
		}
		return nil
	}
	t.Cleanup(func() { syncFile = old })
	for seq := int64(4); seq < 4+SyncEvery; seq++ {
		if err := w.Event(event(seq, wire.KindOutput, 10)); err != nil {
			t.Fatal(err)
		}
	}
	<-entered // the background fsync runs
	abandoned := make(chan struct{})
	go func() { w.Abandon(); close(abandoned) }()
	time.Sleep(50 * time.Millisecond) // Abandon waits, or (without the fix) is done
	close(gate)
	<-abandoned
	w.mu.Lock()
	for w.syncing {
		w.syncedCond.Wait()
	}
	last, synced := w.lastSeq, w.synced
	w.mu.Unlock()
	if last != 3 || synced != 3 {
		t.Fatalf("after Abandon and the background fsync: last seq %d, synced %d; want 3, 3", last, synced)
	}
}
