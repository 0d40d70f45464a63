package journal

import "time"

// wentDown says whether this machine went down since the journal's last write, and so
// may have lost what was not yet fsynced: by the boot id the last run recorded (boot,
// "" when it recorded none or the system has none), else by the boot time against the
// file's last write (wrote), which a clock set after boot can mislead. Unknown is false.
func wentDown(boot string, wrote time.Time) bool {
	if now := bootID(); boot != "" && now != "" {
		return now != boot
	}
	return bootedAfter(wrote)
}

// bootedAfter says whether this machine started after t. Unknown is false.
func bootedAfter(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	boot, ok := bootTime()
	return ok && boot.After(t)
}
