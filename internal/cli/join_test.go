package cli

import "testing"

// A joined terminal keeps the events it sees only for --transcript: without it, a
// terminal in a day-long party held every event for nothing.
func TestSeenLogKeepsEventsOnlyForATranscript(t *testing.T) {
	for _, path := range []string{"", "party.md"} {
		s := newSeenLog(path)
		for _, ev := range history(50) {
			s.add(ev)
		}
		if want := map[string]int{"": 0, "party.md": 200}[path]; len(s.events) != want {
			t.Errorf("--transcript %q: %d events kept, want %d", path, len(s.events), want)
		}
	}
}
