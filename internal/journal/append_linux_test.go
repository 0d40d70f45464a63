package journal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// onLocalFileSystem says whether dir is on a file system that gets raw appends.
func onLocalFileSystem(t *testing.T, dir string) bool {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return localFileSystems[uint32(st.Type)]
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

// With one P, a raw write that blocked would stop the whole program: none are made, and
// GOMAXPROCS is looked at on every write (the runtime may change it).
func TestAppenderNeedsTwoPs(t *testing.T) {
	f := appendFile(t)
	if !onLocalFileSystem(t, filepath.Dir(f.Name())) {
		t.Skipf("%s is not on a file system in localFileSystems", f.Name())
	}
	a := newAppender(f)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if a.raw() {
		t.Fatal("appender writes raw with GOMAXPROCS=1")
	}
	if _, err := a.Write([]byte("one P\n")); err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	if !a.raw() {
		t.Fatal("appender stays off raw writes after GOMAXPROCS went back to 2")
	}
}

// A raw write that blocks turns raw writes off for good, and loses nothing. A FIFO in a
// directory on a local file system stands in for a journal whose writes block: opened in
// blocking mode, a write bigger than the pipe sleeps until the reader — another process,
// slow on purpose, as a disk is outside the program — has taken enough. (A reader in this
// process could not be: a stop-the-world that waits for the blocked raw write would stop
// it too, which is why the first blocked write must end raw writes.)
func TestAppenderWriteThatBlocksTurnsRawOff(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	dir := t.TempDir()
	if !onLocalFileSystem(t, dir) {
		t.Skipf("%s is not on a file system in localFileSystems", dir)
	}
	path, out := filepath.Join(dir, "fifo"), filepath.Join(dir, "out")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	reader := exec.Command("sh", "-c", `exec 3<"$1"; sleep 0.2; cat <&3 >"$2"`, "sh", path, out)
	if err := reader.Start(); err != nil {
		t.Fatal(err)
	}
	defer reader.Process.Kill()
	fd, err := syscall.Open(path, syscall.O_WRONLY, 0) // blocking mode: not the poller's
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), path)
	a := newAppender(f)
	if !a.raw() {
		f.Close()
		t.Fatal("appender on a local file system does not start raw")
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB, four pipes' worth
	n, err := a.Write(big)
	if err != nil || n != len(big) {
		f.Close()
		t.Fatalf("write: %d, %v", n, err)
	}
	stillRaw := a.raw()
	_, err = a.Write([]byte("after\n"))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.Wait(); err != nil {
		t.Fatalf("reader: %v", err)
	}
	if stillRaw {
		t.Fatal("a raw write that slept left raw writes on")
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, append(big, "after\n"...)) {
		t.Fatalf("the reader got %d bytes, want the %d written", len(got), len(big)+6)
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
