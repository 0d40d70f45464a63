package traywin

import (
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/wire"
)

// Label is the tray menu's first line and the icon's tooltip (title is the app's name) for
// a party. The count is everyone in the party, the person at this window and viewers
// included, so it says so the way the terminal does ("2 in the party", cli's people): it
// said "2 participants" of a host and one participant, or of a host and a viewer (a user
// tester's), as if the host were not counted or the viewer could prompt.
func Label(title string, s session.Snapshot) (label, tooltip string) {
	if s.Role == "" {
		return "Not in a party", title
	}
	label = fmt.Sprintf("%d in the party", s.Participants)
	if s.Participants == 1 && s.Role == wire.RoleHost {
		label = "Only you so far" // not "1 in the party" of a host alone (a window tester's)
	}
	switch {
	case s.Role == wire.RoleHost:
		tooltip = title + ": hosting a party (" + strings.ToLower(label[:1]) + label[1:] + ")"
	case s.Status == session.StatusReconnecting:
		label += " (reconnecting…)"
		tooltip = title + ": reconnecting to the party"
	default:
		tooltip = title + ": in a party (" + label + ")"
	}
	return label, tooltip
}
