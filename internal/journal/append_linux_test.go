package journal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// onLocalFileSystem says whether dir is on a file system that gets raw appends.
func onLocalFileSystem(t *testing.T, dir string) bool {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return localFileSystems[int64(st.Type)]
}

func appendFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(t.TempDir(), "j"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// On a local file system with two Ps or more, lines go out with raw writes, whole and in
// order.
func TestAppenderWritesRawOnALocalFileSystem(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2: with one P appends go through the scheduler (TestAppenderNeedsTwoPs)")
	}
	f := appendFile(t)
	if !onLocalFileSystem(t, filepath.Dir(f.Name())) {
		t.Skipf("%s is not on a file system in localFileSystems", f.Name())
	}
	a := newAppender(f)
	if !a.raw() {
		t.Fatal("appender on a local file system does not write raw")
	}
	var want bytes.Buffer
	for i := range 5000 {
		line := []byte(fmt.Sprintf("{\"seq\":%d,\"text\":%q}\n", i, bytes.Repeat([]byte("x"), i%300)))
		want.Write(line)
		n, err := a.Write(line)
		if err != nil || n != len(line) {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("file holds %d bytes, want the %d written, in order", len(got), want.Len())
	}
}

// With one P, a raw write that blocked would stop the whole program: none are made.
func TestAppenderNeedsTwoPs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if a := newAppender(appendFile(t)); a.raw() {
		t.Fatal("appender writes raw with GOMAXPROCS=1")
	}
}

// A raw write slower than slowAppend turns raw writes off for good; nothing is lost.
func TestAppenderSlowWriteTurnsRawOff(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	f := appendFile(t)
	if !onLocalFileSystem(t, filepath.Dir(f.Name())) {
		t.Skipf("%s is not on a file system in localFileSystems", f.Name())
	}
	defer func(d time.Duration) { slowAppend = d }(slowAppend)
	slowAppend = -1 // every write is slow
	a := newAppender(f)
	if !a.raw() {
		t.Fatal("appender does not start raw")
	}
	for _, line := range []string{"one\n", "two\n"} {
		if _, err := a.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		if a.raw() {
			t.Fatal("a slow raw write left raw writes on")
		}
	}
	if got, _ := os.ReadFile(f.Name()); string(got) != "one\ntwo\n" {
		t.Fatalf("file holds %q", got)
	}
}

// A write to a closed journal file is an error a person can read, raw or not.
func TestAppenderWriteAfterClose(t *testing.T) {
	f := appendFile(t)
	a := newAppender(f)
	f.Close()
	_, err := a.Write([]byte("late\n"))
	if !errors.Is(err, os.ErrClosed) {
		t.Fatalf("write after close: %v, want os.ErrClosed", err)
	}
}
