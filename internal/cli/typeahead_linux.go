package cli

import (
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
