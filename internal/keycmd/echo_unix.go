//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package keycmd

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off before the prompt is printed, so that a key pasted
// the moment the prompt shows is not echoed; term.ReadPassword turns it off only once it
// runs. The caller restores the terminal's whole state afterwards.
func echoOff(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, getTermios)
	if err != nil {
		return err
	}
	tio.Lflag &^= unix.ECHO
	return unix.IoctlSetTermios(fd, setTermios, tio)
}
