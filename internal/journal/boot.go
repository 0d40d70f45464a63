package journal

import "time"

// bootedAfter says whether this machine started after t: a journal last written before
// the machine went down may have lost what was not yet fsynced. Unknown is false.
func bootedAfter(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	boot, ok := bootTime()
	return ok && boot.After(t)
}
