package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.md")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v", b, err)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A directory that is not there: an error, and nothing left behind anywhere.
	if err := Write(filepath.Join(dir, "missing", "f.md"), []byte("x"), 0o600); err == nil {
		t.Fatal("no error for a missing directory")
	}
	// Over a directory: the rename fails; the temporary file is gone.
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "d"), []byte("x"), 0o600); err == nil {
		t.Fatal("no error writing over a directory")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("left behind: %v", entries)
	}
}

// TestLeftovers: the glob finds what a Write cut short leaves, and nothing else.
func TestLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "base")
	for _, name := range []string{".base.123.tmp", "base", ".other.1.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := filepath.Glob(Leftovers(path))
	if err != nil || len(got) != 1 || filepath.Base(got[0]) != ".base.123.tmp" {
		t.Fatalf("Leftovers found %v, %v", got, err)
	}
}

// TestSyncDir: a folder syncs; one that is not there is an error that names it. (That
// the names then survive a crash of the machine is the kernel's promise, not tested.)
func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	if err := SyncDir(missing); runtime.GOOS != "windows" && (err == nil || !strings.Contains(err.Error(), missing)) {
		t.Fatalf("SyncDir of a missing folder: %v", err)
	}
}
