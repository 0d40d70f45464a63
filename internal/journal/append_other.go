//go:build !linux

package journal

import (
	"os"
	"syscall"
)

// rawAppends: journals are written through (*os.File).Write here (see append_linux.go).
func rawAppends(*os.File) bool { return false }

func rawAppend(syscall.RawConn, []byte) (int, bool, error) {
	panic("journal: rawAppend without rawAppends") // never called
}
