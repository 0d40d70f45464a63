package host

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
)

// A journal whose party id is not its file's name is not deleted, and the workspace
// record its id names is left alone: a copy of another party's journal (a sync tool's
// "conflicted copy") must not take that party's record with it (a reviewer's).
func TestDeletePartyRefusesAJournalNotNamedByItsID(t *testing.T) {
	dataDir := t.TempDir()
	path := newJournal(t, dataDir, "pa", time.Now())
	copyPath := filepath.Join(filepath.Dir(path), "pa-copy.jsonl")
	if err := os.Rename(path, copyPath); err != nil {
		t.Fatal(err)
	}
	record := WorkspaceRecord(dataDir, "pa")
	if err := os.MkdirAll(record, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := journal.Read(copyPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := DeleteParty(dataDir, s); !errors.Is(err, ErrNotItsJournal) {
		t.Fatalf("DeleteParty of pa-copy.jsonl holding party pa = %v, want ErrNotItsJournal", err)
	}
	for _, p := range []string{copyPath, record} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s is gone: %v", p, err)
		}
	}

	// Named by its id, it goes, with its record.
	if err := os.Rename(copyPath, path); err != nil {
		t.Fatal(err)
	}
	if s, err = journal.Read(path, nil); err != nil {
		t.Fatal(err)
	}
	if err := DeleteParty(dataDir, s); err != nil {
		t.Fatalf("DeleteParty of pa.jsonl: %v", err)
	}
	for _, p := range []string{path, record} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}
}

// newJournal writes the journal of party id, created at created, with its header only,
// and returns its path.
func newJournal(t *testing.T, dataDir, id string, created time.Time) string {
	t.Helper()
	w, err := journal.Create(dataDir, journal.Header{Party: id, Host: "hosty", Created: created, Token: "tok", ViewerToken: "vtok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", WindowMS: 3000, MinPrompts: 1, Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir(), Claude: "claude"}})
	if err != nil {
		t.Fatal(err)
	}
	path := w.Path()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
