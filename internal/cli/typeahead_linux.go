package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// typedAhead is how many bytes wait on the terminal f, typed before the line editor took
// it: complete lines, as the terminal is still in its cooked mode then.
func typedAhead(f *os.File) int {
	n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// discardTypedAhead throws away what was typed at the terminal in and not read when
// concordia ends: it was typed for the party, and the shell would run it as a command (a
// tester's join could not reach the host, and the prompt typed while it tried ran in the
// shell). Only in the foreground: the terminal is not ours otherwise.
func discardTypedAhead(in io.Reader) {
	if f, ok := in.(*os.File); ok && inForeground(f) {
		_ = unix.IoctlSetInt(int(f.Fd()), unix.TCFLSH, unix.TCIFLUSH)
	}
}
