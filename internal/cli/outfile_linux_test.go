package cli

import (
	"fmt"
	"io"
	"os"
	"testing"
)

// TestWriteToAnInheritedPipe: -o /dev/stdout when stdout is a pipe, or -o >(gzip > t.gz),
// names /proc/self/fd/N, whose link leads to "pipe:[N]", no path. Following it by hand
// looked for a folder /dev/fd and failed ("the folder … does not exist"); the kernel's
// own resolution reaches the pipe (a reviewer's finding).
func TestWriteToAnInheritedPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path := fmt.Sprintf("/proc/self/fd/%d", w.Fd())
	if err := writable(path); err != nil {
		t.Fatalf("writable(%s): %v", path, err)
	}
	got := make(chan string, 1)
	go func() { b, _ := io.ReadAll(r); got <- string(b) }()
	if err := writeWhole(path, []byte("the transcript")); err != nil {
		t.Fatalf("writeWhole(%s): %v", path, err)
	}
	w.Close()
	if s := <-got; s != "the transcript" {
		t.Fatalf("the reader got %q", s)
	}
}
