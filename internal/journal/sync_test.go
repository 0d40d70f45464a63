package journal

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestWhatACrashMustNotLoseIsSynced: a new journal's header and its name (the parties
// folder's entry, and the data directory's for a parties folder just made), the agent's
// session id (what --resume continues) and the records and events a resume needs are
// fsynced when written; output is not. A machine crash cannot be staged here: this checks
// the calls (the agent's session id, and the journal's name, were not made durable until
// 2026-12-04).
func TestWhatACrashMustNotLoseIsSynced(t *testing.T) {
	var files int
	var dirs []string
	oldFile, oldDir := syncFile, syncDir
	t.Cleanup(func() { syncFile, syncDir = oldFile, oldDir })
	syncFile = func(f *os.File) error { files++; return f.Sync() }
	syncDir = func(d string) error { dirs = append(dirs, d); return nil }

	data := t.TempDir()
	w, err := Create(data, header("p1"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if files != 1 || !slices.Equal(dirs, []string{Dir(data), data}) {
		t.Fatalf("after Create: %d file syncs, folders synced %q; want the header's and %q", files, dirs, []string{Dir(data), data})
	}
	for _, step := range []struct {
		name   string
		do     func() error
		synced bool
	}{
		{"the agent's session id", func() error { return w.AgentSession("sess-1") }, true},
		{"an agent run", func() error { return w.AgentRun("run-1") }, false},
		{"a member", func() error { return w.Member(Member{ID: "m1", Name: "ann", Session: "s1"}) }, true},
		{"new invites", func() error { return w.Invites(Tokens{"a", "b", "c"}) }, true},
		{"a prompt", func() error { return w.Event(event(1, wire.KindPrompt, 10)) }, true},
		{"output", func() error { return w.Event(event(2, wire.KindOutput, 10)) }, false},
		{"a turn's end", func() error { return w.Event(event(3, wire.KindTurn, 10)) }, true},
		// A change of rules a resume must not lose to a power loss (a reviewer's): the
		// stricter ones; a looser one lost only resumes the party stricter.
		{"approval turned on", func() error { return settingsEvent(w, 4, wire.Settings{Approval: true, PermissionMode: "ask"}) }, true},
		{"approval turned off", func() error { return settingsEvent(w, 5, wire.Settings{PermissionMode: "ask"}) }, false},
		{"a demotion", func() error {
			return roleEvent(w, 6, wire.Member{ID: "m1", Name: "ann", Role: wire.RoleViewer})
		}, true},
		{"the party's end", func() error { return w.End(t0) }, true},
	} {
		before := files
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := files > before; got != step.synced {
			t.Errorf("%s: synced %v, want %v", step.name, got, step.synced)
		}
	}
}

func settingsEvent(w *Writer, seq int64, s wire.Settings) error {
	ev := wire.Event{Seq: seq, Kind: wire.KindSettings, Settings: &s}
	raw, _ := json.Marshal(ev)
	return w.Event(ev, raw)
}

func roleEvent(w *Writer, seq int64, m wire.Member) error {
	ev := wire.Event{Seq: seq, Kind: wire.KindParticipants, Changed: &m}
	raw, _ := json.Marshal(ev)
	return w.Event(ev, raw)
}

// A party whose journal's header cannot be written (a full disk) never started: its
// journal is not left behind. A tester's was left empty and read-only, and concordia
// parties listed it as unreadable from then on.
func TestAJournalWhoseHeaderFailedIsNotLeft(t *testing.T) {
	old := syncFile
	t.Cleanup(func() { syncFile = old })
	syncFile = func(*os.File) error { return syscall.ENOSPC }
	data := t.TempDir()
	if _, err := Create(data, header("p1")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Create on a full disk: %v", err)
	}
	left, _ := os.ReadDir(Dir(data))
	if len(left) != 0 {
		t.Fatalf("left in the parties folder: %v", left)
	}
}
