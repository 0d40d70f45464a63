//go:build unix

package membership

import (
	"os"
	"syscall"
)

// lock takes the lock file at path for this process (released when it exits or
// closes the file): false when another terminal holds it.
func lock(path string) (*os.File, bool) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		f.Close()
		return nil, false
	}
	return f, true
}
