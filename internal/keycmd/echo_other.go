//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package keycmd

import (
	"os"

	"golang.org/x/term"
)

// echoOff does nothing here: term.ReadPassword turns echo off as it starts.
func echoOff(int) error { return nil }

// readHidden reads the key with its echo off. term.ReadPassword sets the console itself,
// so a Ctrl-C before it starts can still leave echo off here (Windows), which the Unix
// read avoids (echo_unix.go).
func readHidden(f *os.File) (string, error) {
	b, err := term.ReadPassword(int(f.Fd()))
	return string(b), err
}
