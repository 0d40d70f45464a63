package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/transcript"
)

// ExportParty opens the journal of party partyID in the data directory to be written out
// as Markdown (transcript.Journal.WriteMarkdown), as `concordia export` reads it: one of
// the recent parties, ended, stopped or running (its document then says nothing of an
// end). Forget's warning said a forgotten party could no longer be exported while the
// window offered no export of a kept one (a window tester's). An unknown id fails with
// host.ErrNoParty.
func (m *Manager) ExportParty(partyID string) (*transcript.Journal, error) {
	path, err := m.journalOf("export party", partyID)
	if err != nil {
		return nil, err
	}
	j, err := transcript.OpenJournal(path)
	if err != nil {
		return nil, fmt.Errorf("export party %s: %w", partyID, err)
	}
	return j, nil
}

// JournalDir is the folder that keeps the parties' journals ("" with no data directory):
// a transcript is never written there (`concordia export -o` into it emptied a journal).
func (m *Manager) JournalDir() string {
	if m.cfg.DataDir == "" {
		return ""
	}
	return journal.Dir(m.cfg.DataDir)
}

// journalOf is the path of party partyID's journal in the data directory, for the
// operation what ("export party": the errors say it): an id that is not one is a bad
// request (its words are the window's), no data directory an error, and a party with no
// journal there host.ErrNoParty.
func (m *Manager) journalOf(what, partyID string) (string, error) {
	if !journal.ValidID(partyID) {
		return "", badRequest(fmt.Errorf("%q is not a party id", partyID))
	}
	if m.cfg.DataDir == "" {
		return "", fmt.Errorf("%s: no data directory", what)
	}
	path := journal.Path(m.cfg.DataDir, partyID)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s %s: %w", what, partyID, host.ErrNoParty)
	}
	return path, nil
}
