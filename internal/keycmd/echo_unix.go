//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package keycmd

import (
	"os"

	"golang.org/x/sys/unix"
)

// echoOff turns the terminal's echo off before the prompt is printed, so that a key pasted
// the moment the prompt shows is not echoed, with lines, Enter and Ctrl-C as usual (as
// term.ReadPassword would set them). The caller restores the terminal's whole state
// afterwards.
func echoOff(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, getTermios)
	if err != nil {
		return err
	}
	tio.Lflag &^= unix.ECHO
	tio.Lflag |= unix.ICANON | unix.ISIG
	// Enter ends the line even when a parent left the terminal raw (Enter sends CR there:
	// a reviewer's prompt never returned).
	tio.Iflag |= unix.ICRNL
	tio.Iflag &^= unix.IGNCR | unix.INLCR
	return unix.IoctlSetTermios(fd, setTermios, tio)
}

// readHidden reads the key's line from the terminal echoOff set up. It never changes the
// terminal's settings: term.ReadPassword did, and when a Ctrl-C came before its goroutine
// ran, the restore that followed the Ctrl-C was undone by it and the shell was left with
// no echo (found by a CI run of TestTerminalCtrlCRestoresEcho).
func readHidden(f *os.File) (string, error) { return readLine(f) }
