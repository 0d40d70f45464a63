package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/concordia-party/concordia/internal/cli"
)

// What the terminal offers instead of the window, in the words of both builds: the
// headless one, which has no window (main_headless.go), and the desktop one on a machine
// with no display (noDisplay).
const (
	joinHere     = "to join with that invite in this terminal, run `concordia join` with it (concordia join 'concordia://…')"
	commandsHere = "run `concordia host`, `concordia join INVITE` or `concordia help`"
)

// needsDisplay: this build opens a window (all but the bindings build, which only writes
// frontend/wailsjs, wailsflags_bindings.go).
var needsDisplay = true

// hasInvite reports whether args, as the window takes them, hold a concordia:// link.
func hasInvite(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a)), "concordia://") {
			return true
		}
	}
	return false
}

// displayMissing reports whether a window could not open for want of a display: on Linux
// (and the other Unixes GTK runs on) when neither DISPLAY (X11) nor WAYLAND_DISPLAY is
// set, as over ssh or on a server. GTK then cannot start, and Wails panics with a page of
// goroutines (a tester's `concordia` over ssh). Windows and macOS always have one.
func displayMissing(goos string, getenv func(string) string) bool {
	switch goos {
	case "windows", "darwin":
		return false
	}
	return getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == ""
}

// noDisplay says, before any window is tried, that there is no display to open it on and
// what the terminal offers instead, and returns the exit status: 1, the environment's
// failure rather than a mistake in the arguments (PROTOCOL.md §1).
func noDisplay(args []string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "concordia: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); %s.\n", insteadOfWindow(hasInvite(args)))
	return cli.ExitError
}

// displayFailed is noDisplay for a display that is set but could not be opened
// (app.DisplayError); link: the app was opened with an invite.
func displayFailed(link bool, getenv func(string) string, stderr io.Writer) int {
	where, ask := "DISPLAY="+getenv("DISPLAY"), "is its X server running, and may this user use it?"
	if getenv("DISPLAY") == "" {
		where, ask = "WAYLAND_DISPLAY="+getenv("WAYLAND_DISPLAY"), "is its compositor running? With no DISPLAY set, try XDG_SESSION_TYPE=wayland"
	}
	fmt.Fprintf(stderr, "concordia: the window could not open on %s (%s); %s.\n", where, ask, insteadOfWindow(link))
	return cli.ExitError
}

// insteadOfWindow is what the terminal offers when the window cannot open.
func insteadOfWindow(invite bool) string {
	if invite {
		return joinHere
	}
	return commandsHere + " to use Concordia in this terminal"
}
