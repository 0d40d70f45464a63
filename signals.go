package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/concordia-party/concordia/internal/cli"
)

// runCLI runs a subcommand. The first Ctrl-C or SIGTERM asks for a clean stop — a host ends
// its party and stops its agent, rather than dying with them still running; after that
// their default handling is restored, so a second Ctrl-C ends the process at once. A
// hang-up (the terminal or the ssh session closed) asks for the same clean stop, and stays
// caught: it comes twice in a row (from the shell, then from the kernel to the foreground
// group), and the second must not kill the host halfway through. Under nohup, where
// SIGHUP was ignored from the start, it stays ignored.
func runCLI(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	done := make(chan struct{})
	defer close(done)
	go func() { // ends when runCLI returns
		var watchdog *time.Timer // armed by the first stop signal
		for {
			select {
			case s := <-sigs:
				switch s {
				case syscall.SIGPIPE:
					continue // the write that raised it fails with EPIPE
				case os.Interrupt, syscall.SIGTERM:
					signal.Reset(os.Interrupt, syscall.SIGTERM)
				}
				if watchdog == nil {
					watchdog = stopWatchdog(stopDeadline(args), os.Stderr, os.Exit)
				}
				cancel()
			case <-done:
				if watchdog != nil {
					watchdog.Stop()
				}
				return
			}
		}
	}()
	return cli.Main(ctx, args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, NoWindow: !hasWindow})
}

// stopWatchdog makes sure a command asked to stop by a signal does stop: a clean stop
// that has not finished after d (stopDeadline) is cut short with a line on errOut. A hang-up
// stays caught (see runCLI), so without this a command stuck on its way out — as a join
// once was, waiting on its closed terminal — would outlive its terminal for good.
func stopWatchdog(d time.Duration, errOut io.Writer, exit func(int)) *time.Timer {
	return time.AfterFunc(d, func() {
		fmt.Fprintf(errOut, "concordia: still stopping %s after the signal; exiting now\n", d)
		exit(cli.ExitError)
	})
}

// stopDeadline is how long a clean stop may take: a host's is bounded at 15 s for ending
// the party and stopping the agent, then up to a few seconds for the agent's leftover jobs.
func stopDeadline(args []string) time.Duration {
	if len(args) > 0 && args[0] == "host" {
		return 45 * time.Second
	}
	return 15 * time.Second
}

// partyCommand says whether args run a party (host or join): long-lived, with a party to
// end cleanly whatever becomes of its output.
func partyCommand(args []string) bool {
	return len(args) > 0 && (args[0] == "host" || args[0] == "join")
}
