package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	xterm "golang.org/x/term"

	"github.com/concordia-party/concordia/internal/cli"
)

// runCLI runs a subcommand. The first Ctrl-C or SIGTERM asks for a clean stop — a host ends
// its party and stops its agent, rather than dying with them still running; a second one
// ends the process at once, as the signal's default handling does (watchdog.cutShort),
// unless it comes within repeatGrace of the first: then it is the same one delivered
// twice (see stopSignals). A hang-up (the terminal or the ssh session closed) asks for the
// same clean stop, and stays caught: it comes twice in a row (from the shell, then from
// the kernel to the foreground group), and the second must not kill the host halfway
// through. Under nohup, where SIGHUP was ignored from the start, it stays ignored.
func runCLI(args []string) int {
	if len(args) > 0 && args[0] == cli.ShellGuardArg {
		return cli.ShellGuard(args[1:]) // a /shell command's guard: its own signals
	}
	cli.UseShellGuard()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 4)
	watched := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		watched = append(watched, syscall.SIGHUP)
	}
	if partyCommand(args) {
		// A closed stdout (`concordia host | tee log`, and a Ctrl-C that reached both) is
		// a write error, not the end: the party still ends cleanly. Notify rather than
		// Ignore: an ignored signal would be inherited by the commands the host starts.
		watched = append(watched, syscall.SIGPIPE)
	}
	signal.Notify(sigs, watched...)
	defer signal.Stop(sigs)
	wd := &watchdog{restore: terminalRestorer()}
	defer wd.disarm()
	done := make(chan struct{})
	defer close(done)
	stops := &stopSignals{}
	go func() { // ends when runCLI returns
		for {
			select {
			case s := <-sigs:
				switch s {
				case syscall.SIGPIPE:
					continue // the write that raised it fails with EPIPE
				case os.Interrupt, syscall.SIGTERM:
					switch stops.take(time.Now()) {
					case repeated:
						continue
					case forced:
						wd.cutShort(s)
						continue
					}
				}
				wd.arm(stopDeadline(args), os.Stderr, os.Exit)
				cancel(cli.StopSignal{Signal: s}) // a host tells its members which (host.EndText)
			case <-done:
				return
			}
		}
	}()
	return cli.Main(ctx, args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, NoWindow: !hasWindow})
}

// repeatGrace: a second Ctrl-C or SIGTERM this soon after the first is the same signal
// delivered twice, not a person asking again. timeout(1) sends SIGTERM to the command and
// then to its whole process group, which holds the command too, and so does a kill of a
// group; the second, a few microseconds later, killed a host that had begun its clean
// stop, and left its party "not ended cleanly" (a tester's timeout 5 concordia host).
// A person's second Ctrl-C comes later than this.
const repeatGrace = 300 * time.Millisecond

// stopSignals tells the first Ctrl-C or SIGTERM (a clean stop), a repeat of it (ignored),
// and a later one (the stop is cut short).
type stopSignals struct{ first time.Time }

type stopKind int

const (
	cleanStop stopKind = iota
	repeated
	forced
)

func (s *stopSignals) take(now time.Time) stopKind {
	switch {
	case s.first.IsZero():
		s.first = now
		return cleanStop
	case now.Sub(s.first) < repeatGrace:
		return repeated
	}
	return forced
}

// watchdog makes sure a command asked to stop by a signal does stop: a clean stop that
// has not finished by its deadline (stopDeadline) is cut short, the terminal given back
// as it was and a line written to say so. A hang-up stays caught (see runCLI), so without
// it a command stuck on its way out — as a join once was, waiting on its closed terminal
// — would outlive its terminal for good.
type watchdog struct {
	mu      sync.Mutex
	t       *time.Timer
	over    bool   // the command has returned: too late to fire
	restore func() // gives the terminal back the state it had at the start; nil: none
}

// arm starts the deadline, once.
func (w *watchdog) arm(d time.Duration, errOut io.Writer, exit func(int)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.t != nil || w.over {
		return
	}
	w.t = time.AfterFunc(d, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.over {
			return // it returned meanwhile
		}
		if w.restore != nil {
			w.restore()
		}
		fmt.Fprintf(errOut, "concordia: still stopping %s after the signal; exiting now\n", d)
		exit(cli.ExitError)
	})
}

// cutShort ends the process as sig's default handling does (a second Ctrl-C during a
// clean stop), after giving the terminal back as it was.
func (w *watchdog) cutShort(sig os.Signal) {
	w.mu.Lock()
	if w.restore != nil {
		w.restore()
	}
	w.mu.Unlock()
	signal.Reset(sig)
	if p, err := os.FindProcess(os.Getpid()); err == nil && p.Signal(sig) == nil {
		time.Sleep(time.Second) // the signal ends the process
	}
	os.Exit(cli.ExitError) // where it cannot be raised again (Windows)
}

// disarm is called when the command returns: the deadline never fires after it.
func (w *watchdog) disarm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.over = true
	if w.t != nil {
		w.t.Stop()
	}
}

// stopDeadline is how long a clean stop may take. A host's ending is bounded at 15 s (the
// party, the agent), then a few seconds for the agent's leftover jobs; a join's leave
// may wait up to three write timeouts on a stalled host before it writes --transcript.
func stopDeadline(args []string) time.Duration {
	if partyCommand(args) {
		return 45 * time.Second
	}
	return 15 * time.Second
}

// terminalRestorer returns what puts the terminal back as it is now (before any line
// editor makes it raw): its mode, the cursor shown and bracketed paste off. nil when
// stdin is not a terminal.
func terminalRestorer() func() {
	fd := int(os.Stdin.Fd())
	if !xterm.IsTerminal(fd) {
		return nil
	}
	st, err := xterm.GetState(fd)
	if err != nil {
		return nil
	}
	return func() {
		_ = xterm.Restore(fd, st)
		if xterm.IsTerminal(int(os.Stdout.Fd())) {
			_, _ = os.Stdout.WriteString("\x1b[?2004l\x1b[?25h\r\n")
		}
	}
}

// partyCommand says whether args run a party (host or join): long-lived, with a party to
// end cleanly whatever becomes of its output.
func partyCommand(args []string) bool {
	return len(args) > 0 && (args[0] == "host" || args[0] == "join")
}
