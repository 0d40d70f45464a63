//go:build headless

// Command concordia, headless build (make cli): the subcommands of PROTOCOL.md §1 with no
// window, so no GTK, WebKit or cgo. With no arguments it says how to get the window.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/concordia-party/concordia/internal/cli"
)

// hasWindow: this build has no window (see main.go).
const hasWindow = false

func main() {
	args := os.Args[1:]
	if cli.IsSubcommand(args) {
		os.Exit(runCLI(args))
	}
	os.Exit(noWindow(args, os.Stderr))
}

// noWindow says what this build does instead of opening the window, and returns the exit
// status: an invite link given as the desktop build takes one is joined with `concordia
// join` here (a tester got only the general sentence).
func noWindow(args []string, stderr io.Writer) int {
	if len(args) > 0 && hasInvite(args[:1]) {
		fmt.Fprintf(stderr, "concordia: this is the headless build (no window): %s.\n", joinHere)
		return 2
	}
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		// The desktop build's own flags (Wails') mean nothing here: said as the unknown flag
		// it is (a terminal tester's --bogus read only "this is the headless build").
		fmt.Fprintf(stderr, "concordia: unknown flag %s; run `concordia host`, `concordia join INVITE` or `concordia help` (this is the headless build, with no window).\n", args[0])
		return 2
	}
	fmt.Fprintf(stderr, "concordia: this is the headless build (no window); %s. The desktop build (make build) opens the window.\n", commandsHere)
	return 2
}
