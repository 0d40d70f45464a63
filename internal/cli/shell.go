package cli

import (
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"sync"
)

// interruptLine is what the line editor hands the commander for Ctrl-C on an empty
// input: it stops a running /shell command, or else leaves as /quit does. No one can
// type it: the editor's input never holds a control character from a key.
const interruptLine = "\x03"

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
}

// start runs cmd unless one is running already; ctx ends it (the terminal leaving).
func (j *shellJob) start(ctx context.Context, cmd string, pr *printer) {
	if cmd == "" {
		pr.notice("system", "usage: /shell CMD (runs CMD on this machine only; Ctrl-C stops it)")
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running != "" {
		pr.notice("error", "/shell: \""+j.running+"\" is still running; Ctrl-C on an empty line stops it")
		return
	}
	sctx, stop := context.WithCancel(ctx)
	var c *exec.Cmd
	if runtime.GOOS == "windows" {
		c = exec.CommandContext(sctx, "cmd", "/C", cmd)
	} else {
		c = exec.CommandContext(sctx, "sh", "-c", cmd)
	}
	inGroup(c)
	out := &shellOutput{pr: pr}
	// The same writer for both: os/exec then copies them on one goroutine, in order.
	// No stdin: the terminal's input is the prompt's.
	c.Stdout, c.Stderr = out, out
	j.running, j.stop, j.done = cmd, stop, make(chan struct{})
	done := j.done
	go func() { // owned by the job: ends with the command, which ctx or stop ends
		defer close(done)
		err := c.Run()
		if sctx.Err() != nil {
			endGroup(c)
		}
		out.flush()
		stopped := sctx.Err() != nil
		stop()
		j.mu.Lock()
		j.running, j.stop = "", nil
		j.mu.Unlock()
		switch {
		case stopped && ctx.Err() == nil:
			pr.notice("system", "/shell: stopped \""+cmd+"\"")
		case err != nil && ctx.Err() == nil:
			pr.notice("error", "/shell: "+err.Error())
		}
	}()
}

// interrupt stops the running command, if any, and says whether there was one.
func (j *shellJob) interrupt() bool {
	j.mu.Lock()
	stop := j.stop
	j.mu.Unlock()
	if stop == nil {
		return false
	}
	stop()
	return true
}

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
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.pr.local(string(w.part[:i]))
		w.part = w.part[i+1:]
	}
	if len(w.part) == 0 {
		w.part = nil
	}
	return len(b), nil
}

// flush prints what is left of a last line without a newline.
func (w *shellOutput) flush() {
	if len(w.part) > 0 {
		w.pr.local(string(w.part))
		w.part = nil
	}
}
