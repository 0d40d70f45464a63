package app

import (
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// ResumeUnanswered says, for the window's Resume, what resuming a party would send to the
// agent at once (a tester's Resume sent Kai's old prompt unreviewed): Kai's waiting prompt
// and the turn cut short, in the words `concordia parties` uses; and a sentence for a
// party no longer there.
func TestResumeUnanswered(t *testing.T) {
	f := newFixture(t)
	t0 := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	testkit.WriteJournal(t, f.dataDir, journal.Header{Party: "aaaaaaaaaaaa", Host: "hana", Created: t0, Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}},
		wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "hana", Text: "add a test"}},
		wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "add a test", Merger: "local"}},
		wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "Kai", Text: "fix the login form"}},
	)

	u, err := f.app.ResumeUnanswered("aaaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	if u.Text != "1 prompt never reached the agent, and its last turn was cut short" || len(u.Prompts) != 1 ||
		u.Prompts[0].User != "Kai" || u.Prompts[0].Text != "fix the login form" || !u.Cut || u.Turn != "add a test" {
		t.Fatalf("ResumeUnanswered = %+v", u)
	}
	if _, err := f.app.ResumeUnanswered("bbbbbbbbbbbb"); err == nil || err.Error() != "This party is no longer in the data directory." {
		t.Fatalf("ResumeUnanswered of a party not there = %v", err)
	}
}

// A party's card acts on its id: Export, Resume and the question before Resume say the
// same of an id that is not one and of a party that is not there (session.journalOf).
func TestPartyCardWordsForABadID(t *testing.T) {
	f := newFixture(t)
	ops := map[string]func(id string) error{
		"ExportParty":      func(id string) error { _, err := f.app.ExportParty(id); return err },
		"ResumeParty":      func(id string) error { _, err := f.app.ResumeParty(id, "", false, 0); return err },
		"ResumeUnanswered": func(id string) error { _, err := f.app.ResumeUnanswered(id); return err },
	}
	for _, tc := range []struct{ id, words string }{
		{"../etc", `"../etc" is not a party id`},
		{"bbbbbbbbbbbb", "This party is no longer in the data directory."},
	} {
		for name, op := range ops {
			if err := op(tc.id); err == nil || err.Error() != tc.words {
				t.Errorf("%s(%q) = %v, want %q", name, tc.id, err, tc.words)
			}
		}
	}
}
