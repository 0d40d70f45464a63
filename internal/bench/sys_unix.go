//go:build unix

package bench

import "syscall"

// readRusage fills st's CPU times and context switches from getrusage(RUSAGE_SELF).
func readRusage(st *hostStats) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		st.UserUS = int64(ru.Utime.Sec)*1e6 + int64(ru.Utime.Usec)
		st.SysUS = int64(ru.Stime.Sec)*1e6 + int64(ru.Stime.Usec)
		st.VolCS, st.InvolCS = int64(ru.Nvcsw), int64(ru.Nivcsw)
	}
}

// setRcvBuf sets a socket's receive buffer (SO_RCVBUF).
func setRcvBuf(fd uintptr, n int) error {
	return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
