//go:build !linux

package agent

import (
	"os"
	"syscall"
)

// rawPipe: pipes are read with (*os.File).Read here (see pipe_linux.go).
func rawPipe(*os.File) syscall.RawConn { return nil }

func rawRead(*os.File, syscall.RawConn, []byte) (int, error) {
	panic("agent: rawRead without rawPipe") // never called: rawPipe gives nil
}
