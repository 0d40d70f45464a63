package agent

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func testPipe(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// claude's pipes are read with raw reads, and a reader gets every byte, in order, then
// io.EOF once claude's end is closed.
func TestPipeReaderReadsRawToTheEnd(t *testing.T) {
	r, w := testPipe(t)
	pr := newPipeReader(r, new(atomic.Bool))
	if pr.raw == nil {
		t.Fatal("an os.Pipe is not read raw")
	}
	want := bytes.Repeat([]byte("0123456789abcdef{\"type\":\"stream_event\"}\n"), 40000) // 1.6 MB: many fills
	go func() {
		for rest := want; len(rest) > 0; {
			n := min(len(rest), 7000)
			if _, err := w.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
		w.Close()
	}()
	got, err := io.ReadAll(pr)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want the %d written", len(got), len(want))
	}
	if n, err := pr.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("read after the end: %d, %v; want 0, io.EOF", n, err)
	}
}

// A raw read ends as (*os.File).Read would: on the idle deadline after claude exits, and
// when the pipe is closed under it — errors endOfPipe knows, so nothing is logged.
func TestPipeReaderEndsOnDeadlineAndClose(t *testing.T) {
	r, _ := testPipe(t)
	var exited atomic.Bool
	exited.Store(true) // every read gets the idle deadline
	start := time.Now()
	_, err := newPipeReader(r, &exited).Read(make([]byte, 10))
	if !errors.Is(err, os.ErrDeadlineExceeded) || !endOfPipe(err) {
		t.Fatalf("read of an idle pipe after exit: %v, want os.ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d < pipeIdleAfterExit/2 {
		t.Fatalf("read gave up after %v, before the idle deadline", d)
	}

	r2, _ := testPipe(t)
	pr := newPipeReader(r2, new(atomic.Bool))
	got := make(chan error, 1)
	go func() {
		_, err := pr.Read(make([]byte, 10))
		got <- err
	}()
	time.Sleep(20 * time.Millisecond) // the read is waiting in the poller
	r2.Close()
	select {
	case err := <-got:
		if !errors.Is(err, os.ErrClosed) || !endOfPipe(err) {
			t.Fatalf("read of a closed pipe: %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the pipe did not end the read")
	}
}

// A descriptor in blocking mode (a regular file) is never read raw: a raw read there
// could block holding its P.
func TestPipeReaderBlockingFileIsNotRaw(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if pr := newPipeReader(f, new(atomic.Bool)); pr.raw != nil {
		t.Fatal("a regular file is read raw")
	}
}
