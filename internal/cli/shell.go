package cli

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/term"
)

// interruptLine is what the line editor hands the commander for Ctrl-C on an empty
// input: it stops a running /shell command, or else leaves as /quit does. No one can
// type it: the editor's input never holds a control character from a key.
const interruptLine = "\x03"

// eofLine is what the line editor hands the commander for Ctrl-D on an empty input: it
// leaves as /quit does, and what it says back names Ctrl-D (a tester's Ctrl-D was told
// "/quit again within 10 seconds leaves").
const eofLine = "\x04"

// shellJob runs /shell commands for a party terminal, one at a time, beside the party: the
// command's output is printed a line at a time as it comes, between the party's own lines,
// and the terminal goes on taking lines meanwhile (a host can /allow while a build runs).
// It used to hold the printer for the whole command, so a host running /shell sleep 60
// saw nothing of the party, and a tool request could run out its time unseen.
type shellJob struct {
	mu      sync.Mutex
	running string             // the command running, "" when none
	stop    context.CancelFunc // ends the running command
	done    chan struct{}      // closed when it has ended and its output is printed
	ended   time.Time          // when the last command ended
}

// ShellGuardArg is the hidden first argument with which concordia re-runs itself as a
// /shell command's guard (ShellGuard, Linux): never typed by anyone, never listed.
const ShellGuardArg = "__shell-guard"

// shellWait is how long a stopped /shell command has to end before its output is closed
// and what runs it is killed; the guard gives the command's group a little less
// (guardGrace), so that it is still there to kill what is left.
const shellWait = 2 * time.Second

// shellGrace is how long after a command ends a Ctrl-C is still taken as meant for it:
// pressed as the command finished (or queued behind a slow line), it must not end the
// party instead.
const shellGrace = 2 * time.Second

// start runs cmd unless one is running already; ctx ends it (the terminal leaving).
// editor says whether Ctrl-C can stop it (the line editor; elsewhere Ctrl-C is a signal
// that ends the terminal).
func (j *shellJob) start(ctx context.Context, cmd string, pr *printer, editor bool) {
	stopHint := ""
	if editor {
		stopHint = "; Ctrl-C on an empty line stops it"
	}
	if cmd == "" {
		pr.reply("system", "usage: /shell CMD (runs CMD on this machine only, without a terminal: no password prompts or editors"+stopHint+")")
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running != "" {
		pr.reply("error", "/shell: \""+j.running+"\" is still running"+stopHint)
		return
	}
	sctx, stop := context.WithCancel(ctx)
	name, args := shellCommand(cmd)
	c := exec.CommandContext(sctx, name, args...)
	inGroup(c)
	out := &shellOutput{pr: pr}
	// The same writer for both: os/exec then copies them on one goroutine, in order.
	// No stdin: the terminal's input is the prompt's.
	c.Stdout, c.Stderr = out, out
	j.running, j.stop, j.done = cmd, stop, make(chan struct{})
	done := j.done
	go func() { // owned by the job: ends with the command, which ctx or stop ends
		defer close(done)
		pr.setShell(cmd) // the status line says it runs: the only other sign was a refused second /shell
		defer pr.setShell("")
		// The command's guard hears of concordia's death through the thread that started
		// it (Pdeathsig): that thread must live as long as the command.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := c.Run()
		stopped := sctx.Err() != nil
		if stopped {
			endGroup(c)
		}
		out.flush()
		stop()
		j.mu.Lock()
		j.running, j.stop, j.ended = "", nil, time.Now()
		j.mu.Unlock()
		switch {
		case stopped && ctx.Err() == nil:
			pr.notice("system", "/shell: stopped \""+cmd+"\"")
		case errors.Is(err, exec.ErrWaitDelay) && ctx.Err() == nil:
			// It ended, but something it started in the background kept its output open.
			pr.notice("system", "/shell: \""+cmd+"\" ended; what it left running in the background is no longer shown here")
		case err != nil && ctx.Err() == nil:
			pr.notice("error", "/shell: \""+cmd+"\" failed: "+err.Error())
		case err == nil && ctx.Err() == nil:
			// Its end said, as its failure is: a tester could not tell where the output of
			// a command that printed nothing more, or much, ended.
			pr.notice("system", "/shell: \""+cmd+"\" done")
		}
	}()
}

// interrupt stops the running command, if any, and says what Ctrl-C was taken for.
func (j *shellJob) interrupt() interruptResult {
	j.mu.Lock()
	stop, ended := j.stop, j.ended
	j.mu.Unlock()
	switch {
	case stop != nil:
		stop()
		return stoppedCommand
	case !ended.IsZero() && time.Since(ended) < shellGrace:
		return commandJustEnded
	}
	return noCommand
}

// interruptResult is what a Ctrl-C on an empty line was taken for.
type interruptResult int

const (
	noCommand        interruptResult = iota // nothing ran: it leaves
	stoppedCommand                          // it stopped the running command
	commandJustEnded                        // the command it was meant for had just ended
)

// wait waits for the running command, if any, to end and its output to be printed.
func (j *shellJob) wait() {
	j.mu.Lock()
	done := j.done
	j.mu.Unlock()
	if done != nil {
		<-done
	}
}

// shellOutput prints a command's output a line at a time.
type shellOutput struct {
	pr   *printer
	part []byte // an unfinished line
}

func (w *shellOutput) Write(b []byte) (int, error) {
	w.part = append(w.part, b...)
	for {
		// A line ends at \n, or at \r (a progress meter redraws its line with \r; shown
		// here a line at a time); a line with neither is printed once it is 4 KiB long, so
		// that a binary file or one huge line does not grow without bound.
		i := bytes.IndexAny(w.part, "\r\n")
		if i < 0 {
			if len(w.part) < maxShellLine {
				break
			}
			i = maxShellLine
			w.line(bytes.ToValidUTF8(w.part[:i], []byte("?")))
			w.part = w.part[i:]
			continue
		}
		end := i + 1
		if w.part[i] == '\r' {
			if end == len(w.part) {
				break // a \n may follow in the next write: \r\n is one line end
			}
			if w.part[end] == '\n' {
				end++ // \r\n (cmd.exe, many tools): one line end, not two
			} else if i == 0 {
				w.part = w.part[end:] // a bare \r redrawing an empty line: nothing to show
				continue
			}
		}
		w.line(w.part[:i])
		w.part = w.part[end:]
	}
	if len(w.part) == 0 {
		w.part = nil
	}
	return len(b), nil
}

// line prints one line of output as text: a command's escape sequences would move the
// cursor or clear the screen under the line editor, which draws itself below what is
// printed (a tester's /shell vi left the party's screen in pieces). Colours go too.
func (w *shellOutput) line(b []byte) {
	w.pr.local(term.Clean(string(b)))
}

// maxShellLine bounds what a /shell command's output holds before it is printed.
const maxShellLine = 4 << 10

// flush prints what is left of a last line without a newline.
func (w *shellOutput) flush() {
	if rest := bytes.TrimRight(w.part, "\r"); len(rest) > 0 {
		w.line(rest)
	}
	w.part = nil
}
