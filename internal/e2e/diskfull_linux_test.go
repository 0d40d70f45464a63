package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestAJournalOnAFullDiskCatchesUp: the real host on a disk that fills up during the party
// goes on, says its journal cannot be written, and once the disk has room again writes
// what it missed and says the party can be resumed; stopped, it resumes. A tester's
// resume on a full disk locked the party's history out for good, though the space came
// back a minute later. It needs a small file system of its own: a tmpfs, which only root
// may mount (CI runs as root).
func TestAJournalOnAFullDiskCatchesUp(t *testing.T) {
	disk := smallDisk(t)
	dataDir := filepath.Join(disk, "data")
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--no-local-repl", "--window", "100ms", "--share-workspace", "off"}
	// A resumed party's journal was opened without O_APPEND: a line written after a
	// failed one's part was cut off landed past the end, leaving a hole of NUL bytes where
	// an event was (a tester's). So the party is stopped and resumed first.
	first := start(t, nil, args...)
	first.expect(`^invite code: concordia://`)
	first.interrupt()
	if code := first.wait(); code != 0 {
		t.Fatalf("the first host exited %d: %s", code, first.stderr())
	}
	h := start(t, nil, append(args, "--resume")...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`joined .*'s party as bob`)

	filler := filepath.Join(disk, "filler")
	fill(t, filler)
	j.send("written while the disk is full FAKE_BIG=6000") // more than the file's last page holds
	j.expect(`the party's journal cannot be written .*no space left on device.*trying again`)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	j.send("written once there is room")
	j.expect(`the party's journal is written again and holds everything: the party can be resumed`)
	j.expect(`echo: written once there is room`)

	h.interrupt()
	if code := h.wait(); code != 0 {
		t.Fatalf("the host exited %d: %s", code, h.stderr())
	}
	j.wait() // told the party ended
	// Every event once, in order, no line the reader skips.
	paths, _ := filepath.Glob(filepath.Join(dataDir, "parties", "*.jsonl"))
	if len(paths) != 1 {
		t.Fatalf("journals: %v", paths)
	}
	var seqs []int64
	s, err := journal.Read(paths[0], func(ev wire.Event, _ json.RawMessage) { seqs = append(seqs, ev.Seq) })
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("journal seq %d after %d", seqs[i], seqs[i-1])
		}
	}
	if s.Skipped != 0 || s.Incomplete {
		t.Fatalf("the journal after catching up: %d lines skipped, incomplete %v", s.Skipped, s.Incomplete)
	}
	r := start(t, nil, append(args, "--resume")...)
	r.expect(`^invite code: concordia://`)
	r.expect(`resumed party \w+ \(\d+ events so far\)`)
	r.interrupt()
	if code := r.wait(); code != 0 {
		t.Fatalf("the resumed host exited %d: %s", code, r.stderr())
	}
}

// smallDisk is a 2 MiB file system of the test's own, to fill: a tmpfs, which only root may
// mount (CI runs as root); elsewhere the test is skipped, saying why.
func smallDisk(t *testing.T) string {
	t.Helper()
	disk := t.TempDir()
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (%v): this test needs root", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(disk, syscall.MNT_DETACH) })
	return disk
}

// fill writes path until the disk it is on has no room left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	// And the last few bytes: a 64 KiB write may fail with room for a smaller one.
	for {
		if _, err := f.Write(block[:512]); err != nil {
			return
		}
	}
}

// TestAHostStoppedWhileItsJournalIsBehindSaysSo: a SIGTERM's end promised members the host
// can resume the party, while its journal was still short of what they saw (the disk
// full), and a resume was refused for good (a tester's). Members are now told what the
// party's history will lack; the host's last line names the export and the resume; and,
// with room again, the resume goes on past every event bob saw, says what was lost, and
// runs nothing again: bob's prompt was answered before the stop.
func TestAHostStoppedWhileItsJournalIsBehindSaysSo(t *testing.T) {
	disk := smallDisk(t)
	dataDir := filepath.Join(disk, "data")
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--no-local-repl", "--window", "100ms", "--share-workspace", "off"}
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`joined .*'s party as bob`)
	filler := filepath.Join(disk, "filler")
	fill(t, filler)
	j.send("written while the disk is full FAKE_BIG=6000")
	j.expect(`the party's journal cannot be written`)
	j.expect(`claude finished`)
	syscall.Kill(h.cmd.Process.Pid, syscall.SIGTERM)
	j.expect(`the host's Concordia was stopped from outside \(a logout, a shutdown or a service manager\); the host can resume the party, and the same invites join it again; its journal could not be written to its end \(a full disk\?\), so what happened since it fell behind is missing from the party's history`)
	if code := h.wait(); code != 1 {
		t.Errorf("host exit %d, want 1", code)
	}
	// Said on stderr, where a host's fatal errors go when its output goes elsewhere.
	unclean := regexp.MustCompile("concordia host: the party did not end cleanly: .*`concordia export [0-9a-f]{12} --data-dir \\S+` writes what its journal kept, and `concordia host --resume [0-9a-f]{12} --data-dir \\S+` brings the party back without what it lacks")
	if !unclean.MatchString(h.stderr()) {
		t.Errorf("host stderr %q does not say the party did not end cleanly", h.stderr())
	}
	j.wait()

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	r := start(t, nil, append(args, "--resume")...)
	inv2 := r.expect(`^invite code: (concordia://\S+)$`)[1]
	if inv2 != inv {
		t.Errorf("the resumed party's invite changed: %s, was %s", inv2, inv)
	}
	r.expect(`the party was resumed: its journal could not be written to its end \(was the disk full\?\), so what members saw after \d{4}-\d\d-\d\d \d\d:\d\d UTC is not in its history, and nothing from before is run again`)
	again := start(t, nil, "join", inv, "--name", "carol")
	again.expect(`joined .*'s party as carol`)
	again.send("after the resume")
	again.expect(`echo: after the resume`)
	r.interrupt()
	if code := r.wait(); code != 0 {
		t.Fatalf("the resumed host exited %d: %s", code, r.stderr())
	}
	again.wait()
	// The journal: no seq twice, and bob's prompt went to the agent once.
	paths, _ := filepath.Glob(filepath.Join(dataDir, "parties", "*.jsonl"))
	if len(paths) != 1 {
		t.Fatalf("journals: %v", paths)
	}
	type batch struct {
		seq    int64
		merged string
	}
	var seqs []int64
	var batches []batch
	retries := 0
	s, err := journal.Read(paths[0], func(ev wire.Event, _ json.RawMessage) {
		seqs = append(seqs, ev.Seq)
		switch ev.Kind {
		case wire.KindBatch:
			batches = append(batches, batch{ev.Seq, ev.Batch.Merged})
		case wire.KindRetry:
			retries++
		}
	})
	if err != nil || s.Incomplete || s.LostEnd || s.SeqFloor == 0 {
		t.Fatalf("the journal after the resumed run: %+v, %v", s, err)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("journal seq %d after %d", seqs[i], seqs[i-1])
		}
	}
	// The resumed run's events are numbered past the floor: its only batch is carol's.
	var resumed []string
	for _, b := range batches {
		if b.seq > s.SeqFloor {
			resumed = append(resumed, b.merged)
		}
	}
	if retries != 0 || len(resumed) != 1 || !strings.Contains(resumed[0], "after the resume") {
		t.Errorf("the resumed run sent %q (retries %d), want carol's prompt alone", resumed, retries)
	}
}
