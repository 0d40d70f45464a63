package journal

import (
	"os"
	"syscall"
	"time"
)

// appender writes the journal's lines to its file. Where rawAppends allows it (Linux, a
// local file system, more than one P), a line is written with a raw write(2): one event's
// line goes to the page cache in microseconds, and (*os.File).Write's syscall.Syscall would
// tell the scheduler that the thread may block, which after an idle spell wakes sysmon;
// sysmon then polls every 20 µs for as long as the event is being sent, a fifth of the
// host's CPU at 10 participants (docs/PERFORMANCE.md, step 20). A raw write that blocks
// keeps its P (and a stop-the-world waits for it), so the first write that takes longer
// than slowAppend turns raw writes off for the journal's life: from then on the scheduler
// is told, as it is on a file system that is not in the list.
type appender struct {
	f  *os.File
	rc syscall.RawConn // nil: f.Write
}

// slowAppend is a raw write long enough to say the file's device can block us.
var slowAppend = 10 * time.Millisecond // a variable for tests

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
func (a *appender) raw() bool { return a.rc != nil }

func (a *appender) Write(b []byte) (int, error) {
	if a.rc == nil {
		return a.f.Write(b)
	}
	start := time.Now()
	n, err := rawAppend(a.rc, b)
	if time.Since(start) > slowAppend {
		a.rc = nil
	}
	if err != nil {
		err = &os.PathError{Op: "write", Path: a.f.Name(), Err: err}
	}
	return n, err
}
