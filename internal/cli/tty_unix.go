//go:build unix

package cli

import (
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// jobControl: a process here can be in the background of its terminal (a shell's job).
const jobControl = true

// allowBackgroundWrites lets the process write to its terminal from the background even
// when the terminal stops background writers (stty tostop), for the rest of the process:
// SIGTTOU is ignored (Go's signal.Reset does not undo that).
func allowBackgroundWrites() { signal.Ignore(syscall.SIGTTOU) }

// inForeground says whether f is a terminal whose foreground process group is ours: reading
// it from a background job (`concordia host … &`) would stop the whole process (SIGTTIN).
func inForeground(f *os.File) bool {
	pgrp, ok := foregroundGroup(f)
	return ok && pgrp == unix.Getpgrp()
}

// inBackground says whether f is a terminal whose foreground process group is another's
// (a shell's, after it stopped this process). Not the negation of inForeground: a
// terminal whose group cannot be read is not taken for someone else's.
func inBackground(f *os.File) bool {
	pgrp, ok := foregroundGroup(f)
	return ok && pgrp != unix.Getpgrp()
}

// foregroundGroup is the foreground process group of terminal f; false when f is no
// terminal or its group cannot be read.
func foregroundGroup(f *os.File) (int, bool) {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return 0, false
	}
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return pgrp, err == nil
}

// editorOutput is what the line editor's program draws on: out itself, or when it is a
// terminal and its lines are kept track of (printed), a foregroundOutput of it.
func editorOutput(out io.Writer, printed *printedLines, bg *backgroundOut) io.Writer {
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) && printed != nil && bg != nil {
		return &foregroundOutput{File: f, printed: printed, bg: bg,
			background: func() bool { return inBackground(f) }, quiet: func() bool { return stopsBackgroundWriters(f) }}
	}
	return out
}

// editorInput is what the line editor reads: in itself, or when it is a terminal, a
// foregroundInput of it.
func editorInput(in io.Reader) io.Reader {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &foregroundInput{File: f, ahead: typedAhead(f)}
	}
	return in
}

// foregroundInput is a terminal that is read only while the process is in its foreground.
// A process stopped with kill -STOP and continued from outside is left in the background
// by its shell, and reading the terminal there stops the whole process (SIGTTIN): a
// tester's host, party and all, stopped again at the next key typed into the shell, until
// fg. In the background a read waits a moment and reads nothing; after fg it reads again.
// Fd and Name, from the file, keep it a terminal for Bubble Tea (raw mode) and for its
// reader that can be cancelled.
//
// What was typed before the editor took the terminal comes in cooked mode, where Enter is
// a line feed (ICRNL), which the editor takes for Ctrl-J, a new line in the box: a
// tester's prompt typed while a long history loaded was left unsent, and two typed in a
// row were sent as one. Those first ahead bytes have their line feeds read as Enter.
type foregroundInput struct {
	*os.File
	ahead int // bytes typed ahead, still to be read
}

// backgroundWait is how long a read in the background waits before it returns nothing.
const backgroundWait = 100 * time.Millisecond

func (t *foregroundInput) Read(p []byte) (int, error) {
	if !inForeground(t.File) {
		time.Sleep(backgroundWait)
		return 0, nil
	}
	n, err := t.File.Read(p)
	for i := 0; i < n && t.ahead > 0; i++ {
		if p[i] == '\n' {
			p[i] = '\r'
		}
		t.ahead--
	}
	return n, err
}

// onForeground calls f(true) each time the process is given in's terminal again after it
// was in the background, and f(false) each time it is put in the background, until stop is
// called; nothing when in is not a terminal. A shell's fg of a job that runs in the
// background (continued from outside after a stop) gives it the terminal and sends no
// signal: the terminal stays as the shell left it, cooked and echoing, and a tester's
// Enter went into the box as a new line.
func onForeground(in io.Reader, f func(fg bool)) (stop func()) {
	file, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(foregroundEvery)
		defer tick.Stop()
		was := inForeground(file)
		for {
			select {
			case <-tick.C:
				now := inForeground(file)
				if now != was {
					f(now)
				}
				was = now
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// quietEnd keeps the terminal from stopping the process (SIGTTOU) while the line editor
// ends in the background: Bubble Tea puts the terminal's settings back then, and from the
// background (a host continued from outside after kill -STOP) that stopped a tester's host
// for good, its party half ended. The signal is ignored only when the process is in the
// background as the editor ends, and then for the rest of the process: Go's signal.Reset
// does not undo an Ignore (a reviewer's), and the editor ends only as the terminal's
// party does. In the foreground nothing changes.
type quietEnd struct {
	in io.Reader // the editor's input
}

// begin is called when the editor is asked to end.
func (q *quietEnd) begin() {
	if f, ok := q.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !inForeground(f) {
		signal.Ignore(syscall.SIGTTOU)
	}
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
		m.background = term.IsTerminal(int(f.Fd())) && !inForeground(f)
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
