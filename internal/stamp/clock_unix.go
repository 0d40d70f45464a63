//go:build unix

package stamp

import "golang.org/x/sys/unix"

// Monotonic is CLOCK_MONOTONIC in nanoseconds. The host child and the participants are
// two processes on one machine: this is the clock they share that never jumps (Go's own
// monotonic reading is relative to each process's start).
func Monotonic() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic(err) // cannot fail: CLOCK_MONOTONIC exists on every Unix Go supports
	}
	return ts.Nano()
}
