// Command concordia is the Concordia desktop app and, with a subcommand, its headless
// CLI (PROTOCOL.md §1). main only wires: subcommands go to internal/cli, everything else
// (no arguments, or a concordia:// link from the OS) opens the window through app/.
package main

import (
	"context"
	"embed"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/concordia-party/concordia/app"
	"github.com/concordia-party/concordia/internal/cli"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	args := os.Args[1:]
	if cli.IsSubcommand(args) {
		os.Exit(runCLI(args))
	}
	if err := app.Run(assets, args); err != nil {
		fmt.Fprintln(os.Stderr, "concordia:", err)
		os.Exit(1)
	}
}

// runCLI runs a subcommand. The first Ctrl-C (or SIGTERM) asks for a clean stop; after
// that the default handling is restored, so a second Ctrl-C ends the process at once.
func runCLI(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return cli.Main(ctx, args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
}
