package cli

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// A long prompt is printed from its start, with a line that says how much more there is
// (a tester's 30 KB prompt filled every member's screen as it arrived); a short one whole.
func TestLongPromptsArePrintedFromTheirStart(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		whole      bool
	}{
		{"short", "fix the build\nplease", true},
		{"many lines", strings.Repeat("a line of the log\n", 170), false},
		{"one long line", strings.Repeat("é", 15000), false},
	} {
		var b bytes.Buffer
		pr := newPrinter(&b)
		pr.event(wire.Event{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: tc.text}})
		out := b.String()
		if !utf8.ValidString(out) {
			t.Errorf("%s: not UTF-8", tc.name)
		}
		if tc.whole {
			if strings.Contains(out, "not shown") || !strings.Contains(out, "please") {
				t.Errorf("%s: not whole:\n%s", tc.name, out)
			}
			continue
		}
		if n := strings.Count(out, "\n"); n > promptShownLines+2 || len(out) > promptShownBytes+200 {
			t.Errorf("%s: %d lines, %d bytes printed", tc.name, n, len(out))
		}
		if !strings.Contains(out, "more of this prompt not shown here; the party's transcript has all of it") {
			t.Errorf("%s: no note:\n%.3000s", tc.name, out)
		}
	}
}
