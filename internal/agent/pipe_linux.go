package agent

import (
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// rawPipe gives f's descriptor for rawRead when f is in non-blocking mode (os.Pipe puts a
// pipe there, for the runtime's poller); nil otherwise. The check is made once: nothing
// may call f.Fd() afterwards, which puts a descriptor back in blocking mode (a raw read
// would then block holding its P). claude's output pipes are ours alone: the child has
// its own ends, and ours are close-on-exec.
func rawPipe(f *os.File) syscall.RawConn {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	nonBlocking := false
	if err := rc.Control(func(fd uintptr) {
		flags, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		nonBlocking = errno == 0 && flags&syscall.O_NONBLOCK != 0
	}); err != nil || !nonBlocking {
		return nil
	}
	return rc
}

// rawRead reads a non-blocking pipe with a raw read(2): the call returns at once, with
// EAGAIN when the pipe is empty, and the runtime's poller waits for more. (*os.File).Read
// makes the same call through syscall.Syscall, which tells the scheduler that the thread
// may block: after an idle spell that wakes sysmon, which then polls every 20 µs for as
// long as the line is being handled — at thousands of lines a second, a sixth of the
// host's CPU (docs/PERFORMANCE.md, step 21).
func rawRead(f *os.File, rc syscall.RawConn, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // empty: wait for the poller
			}
			n, errno = int(r), e
			return true
		}
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, err
	case err != nil:
		// The file was closed under the read, which a RawConn says with internal/poll's own
		// error: f.Read gives the error os reports for that (os.ErrClosed). Anything else
		// is passed on as it is.
		if _, cerr := f.Read(nil); cerr != nil {
			return 0, cerr
		}
		return 0, &os.PathError{Op: "read", Path: f.Name(), Err: err}
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: f.Name(), Err: errno}
	case n == 0:
		return 0, io.EOF // every writer has closed its end
	}
	return n, nil
}
