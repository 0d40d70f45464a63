package cli

import (
	"errors"
	"syscall"
)

// brokenPipe says whether err is a write to a pipe whose reader is gone: Windows says so
// with its own errors, not EPIPE.
func brokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ERROR_BROKEN_PIPE) || errors.Is(err, syscall.Errno(232)) // ERROR_NO_DATA
}
