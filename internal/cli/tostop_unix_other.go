//go:build unix && !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package cli

import "os"

// stopsBackgroundWriters cannot tell here: taken as no.
func stopsBackgroundWriters(*os.File) bool { return false }
