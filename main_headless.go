//go:build headless

// Command concordia, headless build (make cli): the subcommands of PROTOCOL.md §1 with no
// window, so no GTK, WebKit or cgo. With no arguments it says how to get the window.
package main

import (
	"fmt"
	"os"

	"github.com/concordia-party/concordia/internal/cli"
)

// hasWindow: this build has no window (see main.go).
const hasWindow = false

func main() {
	args := os.Args[1:]
	if cli.IsSubcommand(args) {
		os.Exit(runCLI(args))
	}
	fmt.Fprintln(os.Stderr, "concordia: this is the headless build (no window); run `concordia host`, `concordia join INVITE` or `concordia help`. The desktop build (make build) opens the window.")
	os.Exit(2)
}
