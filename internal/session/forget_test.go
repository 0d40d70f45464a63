package session

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
)

// TestForgetParty: a window tester's recent parties filled with cards that read the same,
// and none could go. ForgetParty deletes an ended party's journal and workspace record, so
// the list no longer shows it; a running party is refused and kept.
func TestForgetParty(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	ctx := context.Background()

	info, err := m.Host(ctx, hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	id := info.Party.ID
	if err := m.ForgetParty(id); !errors.Is(err, host.ErrPartyRunning) {
		t.Fatalf("ForgetParty of the running party = %v, want host.ErrPartyRunning", err)
	}
	if list, _ := m.RecentParties(); len(list) != 1 || list[0].ID != id {
		t.Fatalf("a refused forget changed the list: %+v", list)
	}
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	record := host.WorkspaceRecord(m.cfg.DataDir, id)
	if err := os.MkdirAll(record, 0o700); err != nil { // as a party sharing its changes keeps one
		t.Fatal(err)
	}

	if err := m.ForgetParty(id); err != nil {
		t.Fatalf("ForgetParty of the ended party: %v", err)
	}
	if list, err := m.RecentParties(); err != nil || len(list) != 0 {
		t.Fatalf("RecentParties after forgetting = %+v, %v", list, err)
	}
	for _, p := range []string{journal.Path(m.cfg.DataDir, id), record} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
	if _, err := m.Resume(ctx, id, ResumeOptions{}); !errors.Is(err, host.ErrNoParty) {
		t.Errorf("Resume of a forgotten party = %v, want host.ErrNoParty", err)
	}
	if err := m.ForgetParty(id); !errors.Is(err, host.ErrNoParty) {
		t.Errorf("ForgetParty again = %v, want host.ErrNoParty", err)
	}
	if err := m.ForgetParty("../x"); !errors.Is(err, ErrBadRequest) {
		t.Errorf("ForgetParty of a bad id = %v, want ErrBadRequest", err)
	}
}
