// Package traywin owns what follows from a window hidden in the tray: whether the window
// is hidden there, when the person is told that the party goes on without it, and when it
// must come back on its own because the tray that could bring it back went away. The binding layer (app/) hides and shows the real window; this
// package only decides, so that the rules run in plain `go test`.
package traywin

import "sync"

// The notice the first time the window hides in the tray in a run: closing the window
// while hosting used to hide it silently, and a new user could think the party had ended.
// It names the tray menu's items as the menu spells them.
const (
	HiddenTitle = "Your party is still running"
	HiddenBody  = "Concordia is in the tray. Show window in its menu brings the window back; " +
		"End party… there ends the party for everyone."
)

// Window tracks whether the window is hidden in the tray.
//
// Concurrency: mu guards the fields; every method may be called from any goroutine (the
// close button's, the tray watcher's, a bound call's).
type Window struct {
	mu     sync.Mutex
	hidden bool // hidden in the tray: only the tray's Show window (or a second launch) brings it back
	told   bool // the person was told, this run, that a hidden window keeps the party going
}

// Hide records that the window was hidden in the tray. first is true the first time in
// this run: then the person is to be told that the party goes on (HiddenTitle,
// HiddenBody); later hides are silent, the person knows by then.
func (w *Window) Hide() (first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hidden = true
	first, w.told = !w.told, true
	return first
}

// Shown records that the window is on screen again.
func (w *Window) Shown() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hidden = false
}

// Hidden reports whether the window is hidden in the tray.
func (w *Window) Hidden() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hidden
}

// TrayGone records that the tray went away and reports whether the window must be shown
// now: it was hidden in the tray, and nothing on the desktop can bring it back. It is
// true once per hiding, so that two callers that both saw the tray go (the watcher and a
// close racing it) show the window once.
func (w *Window) TrayGone() (show bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	show, w.hidden = w.hidden, false
	return show
}
