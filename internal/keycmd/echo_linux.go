package keycmd

import "golang.org/x/sys/unix"

// The ioctls that read and set a terminal's settings.
const getTermios, setTermios = unix.TCGETS, unix.TCSETS
