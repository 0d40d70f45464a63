//go:build !headless

// Command concordia is the Concordia desktop app and, with a subcommand, its headless
// CLI (PROTOCOL.md §1). main only wires: subcommands go to internal/cli, everything else
// (no arguments, or a concordia:// link from the OS) opens the window through app/.
//
// Built with the tag headless (make cli), it is the CLI alone: no window, no GTK or
// WebKit, no cgo — for servers (main_headless.go).
package main

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/concordia-party/concordia/app"
	"github.com/concordia-party/concordia/internal/cli"
)

// hasWindow: with no subcommand, this build opens the window (main_headless.go has none).
const hasWindow = true

// wailsFlags are the flags Wails itself reads from the command line in this build (none
// in a production build; wailsflags_dev.go and wailsflags_bindings.go add theirs): the only
// flags the window takes (cli.WindowArgs).
var wailsFlags []string

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	args := os.Args[1:]
	if cli.IsSubcommand(args) {
		os.Exit(runCLI(args))
	}
	if code := cli.WindowArgs(args, wailsFlags, os.Stderr); code != cli.ExitOK {
		os.Exit(code) // before a window opens, or the running one is handed the arguments
	}
	if needsDisplay && displayMissing(runtime.GOOS, os.Getenv) {
		os.Exit(noDisplay(args, os.Stderr)) // before GTK, which would panic
	}
	if err := app.Run(assets, args); err != nil {
		var de *app.DisplayError
		if errors.As(err, &de) {
			os.Exit(displayFailed(de.Link, os.Getenv, os.Stderr))
		}
		fmt.Fprintln(os.Stderr, "concordia:", err)
		os.Exit(1)
	}
}
