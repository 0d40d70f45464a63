package traywin

import (
	"testing"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/wire"
)

// The count is everyone in the party and says so as the terminal does ("2 in the party"):
// "2 participants" of a host and one participant, or of a host and a viewer, read as if
// the host were left out or the viewer could prompt.
func TestLabel(t *testing.T) {
	tests := []struct {
		name      string
		snap      session.Snapshot
		wantLabel string
		wantTip   string
	}{
		{"idle", session.Snapshot{}, "Not in a party", "Concordia"},
		{"hosting alone", session.Snapshot{Role: wire.RoleHost, Participants: 1}, "Only you so far", "Concordia: hosting a party (only you so far)"},
		{"host and one participant or viewer", session.Snapshot{Role: wire.RoleHost, Participants: 2}, "2 in the party", "Concordia: hosting a party (2 in the party)"},
		{"hosting", session.Snapshot{Role: wire.RoleHost, Participants: 3}, "3 in the party", "Concordia: hosting a party (3 in the party)"},
		{"joined", session.Snapshot{Role: wire.RoleParticipant, Participants: 2, Status: session.StatusConnected}, "2 in the party", "Concordia: in a party (2 in the party)"},
		{"a viewer alone with an away host", session.Snapshot{Role: wire.RoleViewer, Participants: 1, Status: session.StatusConnected}, "1 in the party", "Concordia: in a party (1 in the party)"},
		{"reconnecting", session.Snapshot{Role: wire.RoleParticipant, Participants: 2, Status: session.StatusReconnecting}, "2 in the party (reconnecting…)", "Concordia: reconnecting to the party"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label, tip := Label("Concordia", tt.snap)
			if label != tt.wantLabel || tip != tt.wantTip {
				t.Fatalf("Label = %q, %q; want %q, %q", label, tip, tt.wantLabel, tt.wantTip)
			}
		})
	}
}
