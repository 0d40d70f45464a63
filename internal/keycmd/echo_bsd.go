//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package keycmd

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off before the prompt is printed (see echo_linux.go).
func echoOff(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, unix.TIOCGETA)
	if err != nil {
		return err
	}
	tio.Lflag &^= unix.ECHO
	return unix.IoctlSetTermios(fd, unix.TIOCSETA, tio)
}
