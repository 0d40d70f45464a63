//go:build !unix

package stamp

import "time"

// Monotonic is the wall clock in nanoseconds where no monotonic clock is shared between
// processes (Windows): the bench is Linux-only, and fakeclaude's stamps only need to be
// well-formed here. A wall clock that jumps would show as a wrong latency, never a wrong
// count.
func Monotonic() int64 { return time.Now().UnixNano() }
