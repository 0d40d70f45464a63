package session

import (
	"errors"
	"fmt"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
)

// ForgetParty deletes party partyID from the data directory, as `concordia parties
// --delete` does (host.DeleteParty): its journal — transcript, invites, members' sessions
// — and its workspace record; it cannot be resumed or exported afterwards, and the list of
// recent parties no longer shows it. A party running (this window's, or another host's)
// fails with host.ErrPartyRunning, one whose agent left processes running with a
// *host.JobsLeftError, an unknown id with host.ErrNoParty. The window asks first, and
// says when the party did not end cleanly (it could still be resumed).
func (m *Manager) ForgetParty(partyID string) error {
	if !journal.ValidID(partyID) {
		return badRequest(fmt.Errorf("%q is not a party id", partyID))
	}
	if m.cfg.DataDir == "" {
		return errors.New("forget party: no data directory")
	}
	list, err := journal.List(m.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("forget party: %w", err)
	}
	for _, s := range list {
		if s.Header.Party != partyID {
			continue
		}
		return host.DeleteParty(m.cfg.DataDir, s)
	}
	return fmt.Errorf("forget party %s: %w", partyID, host.ErrNoParty)
}
