package host

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/reap"
)

// ErrPartyRunning: a party to delete is running (a host holds its journal).
var ErrPartyRunning = errors.New("the party is running")

// JobsLeftError: a party to delete left processes its agent started running; its journal
// is what finds them (`concordia parties --stop-jobs`), so it is kept.
type JobsLeftError struct {
	Procs []reap.Proc
}

func (e *JobsLeftError) Error() string {
	what, cmds := reap.Describe(e.Procs)
	return what + " its agent started still running: " + cmds
}

// RecordLeftError: the journal was deleted, but not the workspace record beside it.
type RecordLeftError struct{ Err error }

func (e *RecordLeftError) Error() string {
	return "the journal is deleted, but not its workspace record: " + e.Err.Error()
}
func (e *RecordLeftError) Unwrap() error { return e.Err }

// LeftRunning are the processes the agents of runs (journal.Summary.AgentRuns) started and
// that still run.
func LeftRunning(runs []string) []reap.Proc {
	var left []reap.Proc
	for _, run := range runs {
		ps, _ := reap.Find(run)
		left = append(left, ps...)
	}
	return left
}

// ErrNotItsJournal means a journal's party id is not one, or not its file's name: it is
// not deleted, since its id would name another party's workspace record.
var ErrNotItsJournal = errors.New("the journal's party id is not its file's name")

// DeleteParty deletes the party s of dataDir, which must not be running: its journal
// (everything it kept: the transcript, its invites, members' sessions) and its record of
// the working directory's starting point. It cannot be resumed or exported afterwards;
// the working directory is not touched. A running party fails with ErrPartyRunning
// (also one resumed meanwhile), one whose agent left processes running with a
// *JobsLeftError, and nothing is deleted then.
func DeleteParty(dataDir string, s *journal.Summary) error {
	// The id inside the file names the workspace record removed below: it must be a
	// party id, and the file's own (a hand-edited "../.." or a sync tool's copy of another
	// party's journal would remove a record that is not this journal's, a reviewer's).
	if id := s.Header.Party; !journal.ValidID(id) || filepath.Base(s.Path) != id+".jsonl" {
		return fmt.Errorf("delete party %q: %w", id, ErrNotItsJournal)
	}
	if journal.InUse(s.Path) {
		return fmt.Errorf("delete party %s: %w", s.Header.Party, ErrPartyRunning)
	}
	if left := LeftRunning(s.AgentRuns); len(left) > 0 {
		return fmt.Errorf("delete party %s: %w", s.Header.Party, &JobsLeftError{Procs: left})
	}
	if err := journal.Remove(s.Path); err != nil {
		if errors.Is(err, journal.ErrInUse) {
			return fmt.Errorf("delete party %s: %w", s.Header.Party, ErrPartyRunning)
		}
		return fmt.Errorf("delete party %s: %w", s.Header.Party, err)
	}
	// The workspace record goes after the journal: without the journal nothing uses it,
	// and a record left by a failure here is only disk space.
	if err := os.RemoveAll(WorkspaceRecord(dataDir, s.Header.Party)); err != nil {
		return fmt.Errorf("delete party %s: %w", s.Header.Party, &RecordLeftError{Err: err})
	}
	return nil
}
