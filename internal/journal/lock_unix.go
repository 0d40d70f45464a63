//go:build unix

package journal

import (
	"errors"
	"os"
	"syscall"
)

// lock takes the journal for this process (an advisory flock, released when f closes), so
// that two hosts never write one party and `concordia parties` can tell a running one.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrInUse
	}
	return err
}
