//go:build unix

package cli

import (
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// inForeground says whether f is a terminal whose foreground process group is ours: reading
// it from a background job (`concordia host … &`) would stop the whole process (SIGTTIN).
func inForeground(f *os.File) bool {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return false
	}
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}
