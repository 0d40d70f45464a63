//go:build linux

package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// stopsBackgroundWriters says whether f is a terminal that stops a process writing to it
// from the background (stty tostop). Reading its settings is allowed from there.
func stopsBackgroundWriters(f *os.File) bool {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil && t.Lflag&unix.TOSTOP != 0
}
