//go:build !linux

package journal

import "time"

// bootID and bootTime say which boot this is and when the machine booted; unknown here
// (only Linux is asked), so a resume after a power loss is told it may have lost the
// journal's end only by a torn line.
var (
	bootID   = func() string { return "" }
	bootTime = func() (time.Time, bool) { return time.Time{}, false }
)
