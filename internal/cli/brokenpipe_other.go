//go:build !windows

package cli

import (
	"errors"
	"syscall"
)

// brokenPipe says whether err is a write to a pipe whose reader is gone.
func brokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }
