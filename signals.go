package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/concordia-party/concordia/internal/cli"
)

// runCLI runs a subcommand. The first Ctrl-C (or SIGTERM, or SIGHUP: the terminal or the
// ssh session closed) asks for a clean stop — a host ends its party and stops its agent,
// rather than dying with them still running; after that the default handling is
// restored, so a second Ctrl-C ends the process at once.
func runCLI(args []string) int {
	// A closed stdout (a pipe whose reader died: `concordia host | tee log` and Ctrl-C
	// reaching both) is a write error, not the end: the host goes on to end its party
	// cleanly instead of dying of SIGPIPE halfway through.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return cli.Main(ctx, args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, NoWindow: !hasWindow})
}
