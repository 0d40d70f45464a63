package party

import (
	"errors"
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
	// A denial's reason goes to the model: nothing in it that draws nothing (a code
	// reviewer's).
	if got := reasonLine("too risky\U000E0020\U000E0072\U000E0075\U000E006E\u200b"); got != "too risky" {
		t.Errorf("reasonLine with hidden text: %q", got)
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

// An agent command with hidden text in it is refused: /compact's instructions go to the
// model, and a co-host could hide text there (a code reviewer's).
func TestAgentCommandWithHiddenTextIsRefused(t *testing.T) {
	p, _, _ := start(t, Config{})
	boss, _, err := p.JoinLocal("boss", "host")
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	if err := p.AgentCommand(boss.ID(), "/compact keep the tests\U000E0020\U000E0061"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an agent command with tag characters: %v", err)
	}
	if err := p.AgentCommand(boss.ID(), "/compact keep the tests"); err != nil {
		t.Fatalf("a plain agent command: %v", err)
	}
}
