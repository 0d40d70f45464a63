//go:build unix || windows

package journal

import (
	"errors"
	"os"
)

// InUse reports whether a running host holds the journal at path.
func InUse(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close() // and with it the lock, if this took it
	return errors.Is(lock(f), ErrInUse)
}
