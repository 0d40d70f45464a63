//go:build unix

package cli

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// inForeground says whether f is a terminal whose foreground process group is ours: reading
// it from a background job (`concordia host … &`) would stop the whole process (SIGTTIN).
func inForeground(f *os.File) bool {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return false
	}
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// onContinue calls f each time the process continues after a stop (SIGCONT), until stop is
// called. A shell that stopped the process (Ctrl-Z elsewhere, kill -STOP) puts its own
// terminal settings back, and fg does not restore ours: the line editor would be left
// reading a cooked, echoing terminal.
func onContinue(f func()) (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGCONT)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-c:
				f()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(c)
		close(done)
		<-finished
	}
}

// retakeInput is the editor's continuedMsg: out's size now, for its repaint, and how to
// make in raw again when it is this process's terminal in the foreground (a shell that
// stopped the process put its own settings back, and fg does not restore ours; in the
// background, changing them would stop the process again). The editor does that in its
// Update, which never runs once Bubble Tea has put the settings from before it started
// back (a reviewer: done here, on the signal's goroutine, a continue during the editor's
// shutdown left the terminal raw).
func retakeInput(in io.Reader, out io.Writer) continuedMsg {
	var m continuedMsg
	if f, ok := in.(*os.File); ok {
		m.raw = func() {
			if inForeground(f) {
				_, _ = term.MakeRaw(int(f.Fd()))
			}
		}
	}
	if f, ok := out.(*os.File); ok {
		if w, h, err := term.GetSize(int(f.Fd())); err == nil {
			m.width, m.height = w, h
		}
	}
	return m
}

// readableSoon says whether f has input to read within a moment (200 ms).
func readableSoon(f *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 200)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0 && fds[0].Revents&unix.POLLIN != 0
	}
}
