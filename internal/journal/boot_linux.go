package journal

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"time"
)

// bootedAfter says whether this machine started after t: a journal last written before
// the machine went down may have lost what was not yet fsynced. Linux knows when it
// booted (btime in /proc/stat); unknown is false.
func bootedAfter(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	boot, ok := bootTime()
	return ok && boot.After(t)
}

// bootTime is when the machine booted, to the second (/proc/stat's btime).
var bootTime = func() (time.Time, bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return time.Time{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("btime ")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(n, 0), true
		}
	}
	return time.Time{}, false
}
