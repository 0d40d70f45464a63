package journal

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Local file systems (statfs's f_type): writing to them goes to the page cache, which
// normally takes microseconds (see appender for when it does not). NFS, SMB, FUSE and the
// rest are written through the scheduler: their writes can wait on a server.
var localFileSystems = map[uint32]bool{
	0xEF53:     true, // ext2, ext3, ext4
	0x58465342: true, // xfs
	0x9123683E: true, // btrfs
	0x01021994: true, // tmpfs
	0xF2F52010: true, // f2fs
	0x794C7630: true, // overlayfs (containers; its upper layer is local)
}

// rawAppends says whether f's lines may be written with raw write(2)s: f is on a local
// file system.
func rawAppends(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	local := false
	if err := rc.Control(func(fd uintptr) {
		var st syscall.Statfs_t
		local = syscall.Fstatfs(int(fd), &st) == nil && localFileSystems[uint32(st.Type)]
	}); err != nil {
		return false
	}
	return local
}

// rawAppend writes b whole with raw write(2)s; slept says whether the thread slept while
// it did (its voluntary context switches went up: the write blocked). err is an errno, or
// the RawConn's error when the file was closed.
func rawAppend(rc syscall.RawConn, b []byte) (n int, slept bool, err error) {
	runtime.LockOSThread() // the thread's counters before and after are the same thread's
	defer runtime.UnlockOSThread()
	before := voluntarySwitches()
	var errno syscall.Errno
	err = rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			rest := b[n:]
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(rest))), uintptr(len(rest)))
			switch {
			case e == syscall.EINTR:
				continue
			case e != 0:
				errno = e
				return true
			case r == 0:
				errno = syscall.EIO // a file that takes nothing: never loop on it
				return true
			}
			n += int(r)
		}
		return true
	})
	slept = voluntarySwitches() != before
	if err == nil && errno != 0 {
		err = errno
	}
	return n, slept, err
}

// voluntarySwitches is the calling thread's count of voluntary context switches (-1 when
// it cannot be read: a difference then never shows).
func voluntarySwitches() int64 {
	var ru syscall.Rusage
	if _, _, e := syscall.RawSyscall(syscall.SYS_GETRUSAGE, unix.RUSAGE_THREAD, uintptr(unsafe.Pointer(&ru)), 0); e != 0 {
		return -1
	}
	return int64(ru.Nvcsw)
}
