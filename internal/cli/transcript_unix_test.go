//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteTranscriptKeepsWhatPathIs: a transcript written through a symlink lands where
// it points (the link stays), and one to a pipe or device is written to, not replaced by
// a regular file (a reviewer: --transcript /dev/stdout was refused; as root it would have
// replaced /dev/stdout).
func TestWriteTranscriptKeepsWhatPathIs(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.md")
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := writable(link); err != nil {
		t.Fatalf("writable(link): %v", err)
	}
	if err := writeWhole(link, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v, %v", fi, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "one" {
		t.Fatalf("the target holds %q", b)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writable(fifo); err != nil {
		t.Fatalf("writable(fifo): %v", err)
	}
	got := make(chan string, 1)
	go func() { b, _ := os.ReadFile(fifo); got <- string(b) }()
	if err := writeWhole(fifo, []byte("through the pipe")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the pipe" {
		t.Fatalf("the reader got %q", s)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the pipe was replaced by a file")
	}
}
