//go:build windows

package membership

import (
	"os"

	"golang.org/x/sys/windows"
)

// lock takes the lock file at path for this process (released when it exits or
// closes the file): false when another terminal holds it. The lock file holds no data,
// so Windows' mandatory lock on its first byte keeps out nothing but another lock.
func lock(path string) (*os.File, bool) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false
	}
	ol := new(windows.Overlapped)
	if windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol) != nil {
		f.Close()
		return nil, false
	}
	return f, true
}
