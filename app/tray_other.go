//go:build !linux && !windows

package app

import "log/slog"

// newTray on macOS (and other systems) shows no tray icon: a systray started off the main
// thread crashes on macOS, and Wails owns the main thread. Closing the window while
// hosting asks before it ends the party.
func newTray(*slog.Logger, []byte) tray {
	return noTray{reason: "The tray icon is not available on this system in this version. While you host a party, closing the window asks before it ends the party."}
}
