//go:build windows

package journal

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockAt is the byte the lock covers: far past any journal's end. Windows' locks are
// mandatory, so a lock on the journal's own bytes would fail every other reader (concordia
// parties, export); a lock past the end keeps readers out of nothing.
const lockAt = 1 << 62

// lock takes the journal for this process (released when f closes), so that two hosts
// never write one party and `concordia parties` can tell a running one.
func lock(f *os.File) error {
	ol := &windows.Overlapped{Offset: uint32(lockAt & 0xFFFFFFFF), OffsetHigh: uint32(lockAt >> 32)}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return ErrInUse
	}
	return err
}
