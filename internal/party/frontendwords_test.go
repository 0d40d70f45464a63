package party

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The window knows the journal is behind, and caught up again, and the folder shared once
// its first snapshot is taken, by the words of these
// events (frontend/src/state/party.ts): the two are written in both places, and must stay
// the same.
func TestTheWindowKnowsTheJournalWords(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/state/party.ts")
	if err != nil {
		t.Fatal(err)
	}
	// The transcript closes the turn a cut journal ended in by the resume's notice.
	tr, err := os.ReadFile("../../frontend/src/state/transcript.ts")
	if err != nil {
		t.Fatal(err)
	}
	if want := "export const LOST_END = " + strconv.Quote(LostEndPrefix) + ";"; !strings.Contains(string(tr), want) {
		t.Errorf("frontend/src/state/transcript.ts lacks %s", want)
	}
	for name, words := range map[string]string{"JOURNAL_FAILED": JournalFailedPrefix, "JOURNAL_GAVE_UP": JournalGaveUpPrefix, "JOURNAL_RECOVERED": JournalRecoveredText, "WORKSPACE_READY": WorkspaceReadyNotice, "WORKSPACE_READY_OFF": WorkspaceReadyOffNotice} {
		if want := "export const " + name + " = " + strconv.Quote(words) + ";"; !strings.Contains(string(b), want) {
			t.Errorf("frontend/src/state/party.ts lacks %s", want)
		}
	}
}

// The window says the turn a resume did not run again by its error (NotRunAgain), not as a
// failure: frontend/src/state/shown-words.ts writes it too.
func TestTheWindowKnowsTheTurnNotRunAgain(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/state/shown-words.ts")
	if err != nil {
		t.Fatal(err)
	}
	for name, words := range map[string]string{"NOT_RUN_AGAIN": NotRunAgain, "RESUMED_WITHOUT": ResumedWithout} {
		if want := "export const " + name + " = '" + words + "';"; !strings.Contains(string(b), want) {
			t.Errorf("frontend/src/state/shown-words.ts lacks %s", want)
		}
	}
}
