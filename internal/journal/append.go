package journal

import (
	"os"
	"runtime"
	"syscall"
)

// appender writes the journal's lines to its file. Where rawAppends allows it (Linux, a
// local file system), a line is written with a raw write(2) while the program has more
// than one P: one event's line goes to the page cache in microseconds, and
// (*os.File).Write's syscall.Syscall would tell the scheduler that the thread may block,
// which after an idle spell wakes sysmon; sysmon then polls every 20 µs for as long as the
// event is being sent, a fifth of the host's CPU at 10 participants (docs/PERFORMANCE.md,
// step 21).
//
// A write to the page cache can still block — dirty-page throttling, a journal commit of
// the file system, memory pressure, a disk that is really a network volume — and a raw
// write that blocks keeps its P (and a stop-the-world waits for it). So each raw write
// checks whether its thread slept in it (a voluntary context switch); the first that did
// turns raw writes off for the journal's life: from then on the scheduler is told, as it
// is on a file system that is not in the list.
type appender struct {
	f  *os.File
	rc syscall.RawConn // nil: f.Write
}

func newAppender(f *os.File) *appender {
	a := &appender{f: f}
	if rawAppends(f) {
		if rc, err := f.SyscallConn(); err == nil {
			a.rc = rc
		}
	}
	return a
}

// raw says whether the next write is a raw one.
func (a *appender) raw() bool { return a.rc != nil && runtime.GOMAXPROCS(0) >= 2 }

func (a *appender) Write(b []byte) (int, error) {
	if !a.raw() {
		return a.f.Write(b)
	}
	n, slept, err := rawAppend(a.rc, b)
	if slept {
		a.rc = nil
	}
	if err != nil {
		// A RawConn's Write fails only when the file is closed under it, and says so with
		// internal/poll's own error: f.Write gives the error os reports for that.
		if _, cerr := a.f.Write(nil); cerr != nil {
			return n, cerr
		}
		return n, &os.PathError{Op: "write", Path: a.f.Name(), Err: err}
	}
	return n, nil
}
