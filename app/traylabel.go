package app

import (
	"fmt"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/wire"
)

// noTrayHost is the tray status when the session bus has no tray host.
var noTrayHost = TrayStatus{
	Reason: "No system tray is running (nothing on the session bus provides org.kde.StatusNotifierWatcher). " +
		"While you host a party, closing the window asks before it ends the party.",
}

// trayLabel is the tray menu's first line and the icon's tooltip for a party.
func trayLabel(s session.Snapshot) (label, tooltip string) {
	if s.Role == "" {
		return "Not in a party", Title
	}
	label = fmt.Sprintf("%d participants", s.Participants)
	if s.Participants == 1 {
		label = "1 participant"
	}
	switch {
	case s.Role == wire.RoleHost:
		tooltip = Title + ": hosting a party, " + label
	case s.Status == session.StatusReconnecting:
		label += " (reconnecting…)"
		tooltip = Title + ": reconnecting to the party"
	default:
		tooltip = Title + ": in a party, " + label
	}
	return label, tooltip
}
