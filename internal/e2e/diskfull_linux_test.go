package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAJournalOnAFullDiskCatchesUp: the real host on a disk that fills up during the party
// goes on, says its journal cannot be written, and once the disk has room again writes
// what it missed and says the party can be resumed; stopped, it resumes. A tester's
// resume on a full disk locked the party's history out for good, though the space came
// back a minute later. It needs a small file system of its own: a tmpfs, which only root
// may mount (CI runs as root).
func TestAJournalOnAFullDiskCatchesUp(t *testing.T) {
	disk := t.TempDir()
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (%v): this test needs root", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(disk, syscall.MNT_DETACH) })
	dataDir := filepath.Join(disk, "data")
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--no-local-repl", "--window", "100ms", "--share-workspace", "off"}
	h := start(t, nil, args...)
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
	r := start(t, nil, append(args, "--resume")...)
	r.expect(`^invite code: concordia://`)
	r.expect(`resumed party \w+ \(\d+ events so far\)`)
	r.interrupt()
	if code := r.wait(); code != 0 {
		t.Fatalf("the resumed host exited %d: %s", code, r.stderr())
	}
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
