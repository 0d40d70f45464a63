package party

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A reason a person typed keeps all its words on one line (a protocol tester's rejection
// "no\nthanks" came out as "no …"); what the program says of an error keeps its first
// line. Either is cut at 300 bytes, never inside a character.
func TestReasonLineAndOneLine(t *testing.T) {
	if got := reasonLine("  no\nthanks \r\n\tnot today "); got != "no thanks not today" {
		t.Errorf("reasonLine: %q", got)
	}
	if got := oneLine("exit status 1\nstack trace"); got != "exit status 1 …" {
		t.Errorf("oneLine: %q", got)
	}
	long := strings.Repeat("é", 200) // 400 bytes; byte 300 is the start of one
	for _, got := range []string{reasonLine("a" + long), oneLine("a" + long)} {
		if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) > 300+len("…") {
			t.Errorf("cut %q (%d bytes)", got, len(got))
		}
	}
}
