package journal

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// Local file systems, whose writes to the page cache do not wait on a network (statfs's
// f_type). A network file system (NFS, SMB, FUSE) can hold a write for as long as its
// server is away: the journal is written there through the scheduler.
var localFileSystems = map[int64]bool{
	0xEF53:     true, // ext2, ext3, ext4
	0x58465342: true, // xfs
	0x9123683E: true, // btrfs
	0x01021994: true, // tmpfs
	0xF2F52010: true, // f2fs
	0x794C7630: true, // overlayfs (containers; its upper layer is local)
}

// rawAppends says whether f's lines may be written with raw write(2)s: on a local file
// system, and with another P to run the rest of the program should one block.
func rawAppends(f *os.File) bool {
	if runtime.GOMAXPROCS(0) < 2 {
		return false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	local := false
	if err := rc.Control(func(fd uintptr) {
		var st syscall.Statfs_t
		local = syscall.Fstatfs(int(fd), &st) == nil && localFileSystems[int64(st.Type)]
	}); err != nil {
		return false
	}
	return local
}

// rawAppend writes b whole with raw write(2)s.
func rawAppend(rc syscall.RawConn, b []byte) (int, error) {
	var n int
	var errno syscall.Errno
	err := rc.Write(func(fd uintptr) bool {
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
				errno = syscall.EIO // a regular file that takes nothing: never loop on it
				return true
			}
			n += int(r)
		}
		return true
	})
	if err != nil {
		// The only way a RawConn's Write fails on a regular file: the file was closed
		// under it. It says so with internal/poll's own error, which (*os.File).Write
		// reports as os.ErrClosed.
		return n, os.ErrClosed
	}
	if errno != 0 {
		return n, errno
	}
	return n, nil
}
