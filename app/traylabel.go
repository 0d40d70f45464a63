package app

import (
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/wire"
)

// noTrayHost is the tray status when the session bus has no tray host. It is read by a
// person in the window's first-run banner, so it says what that means for them; the D-Bus
// name that was missing goes to the log (probeTray).
var noTrayHost = TrayStatus{
	Reason: "No system tray was found on this desktop, so Concordia has no tray icon. " +
		"While you host a party, closing the window asks first instead of hiding it.",
}

// trayLabel is the tray menu's first line and the icon's tooltip for a party.
func trayLabel(s session.Snapshot) (label, tooltip string) {
	if s.Role == "" {
		return "Not in a party", Title
	}
	label = fmt.Sprintf("%d participants", s.Participants)
	switch {
	case s.Participants == 1 && s.Role == wire.RoleHost:
		label = "Only you so far" // not "1 participant" of a host alone (a window tester's)
	case s.Participants == 1:
		label = "1 participant"
	}
	switch {
	case s.Role == wire.RoleHost:
		tooltip = Title + ": hosting a party, " + strings.ToLower(label[:1]) + label[1:]
	case s.Status == session.StatusReconnecting:
		label += " (reconnecting…)"
		tooltip = Title + ": reconnecting to the party"
	default:
		tooltip = Title + ": in a party, " + label
	}
	return label, tooltip
}
