package bench

import "syscall"

// readRusage leaves st's CPU figures at zero: Windows has no getrusage (the bench runs on
// Linux; this file only keeps the package building).
func readRusage(*hostStats) {}

// setRcvBuf sets a socket's receive buffer (SO_RCVBUF).
func setRcvBuf(fd uintptr, n int) error {
	return syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
