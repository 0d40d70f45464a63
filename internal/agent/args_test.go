package agent

import (
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// A party that left plan mode tells its agent: a restart starts Claude Code in the new
// mode, not in the one the agent was made with (the reviewer's finding: a crash after the
// plan was approved brought back plan mode while the party showed "ask").
func TestClaudeArgsFollowSetPermissionMode(t *testing.T) {
	a := New(Config{PermissionMode: ClaudeModePlan, PermissionPrompt: true, Args: []string{"--model", "opus"}})
	mode := func() string {
		args := a.claudeArgs()
		for i, s := range args {
			if s == "--permission-mode" && i+1 < len(args) {
				return args[i+1]
			}
		}
		return ""
	}
	if got := mode(); got != ClaudeModePlan {
		t.Fatalf("first start in %q, want plan", got)
	}
	a.SetPermissionMode(ClaudeModeDefault)
	if got := mode(); got != ClaudeModeDefault {
		t.Fatalf("after SetPermissionMode: %q, want default", got)
	}
	if args := a.claudeArgs(); args[len(args)-2] != "--model" || args[len(args)-1] != "opus" {
		t.Fatalf("extra arguments lost: %q", args)
	}
}

// A command's "(no content)" (Claude Code's answer to /clear) is worded for people; the
// same text as a reply, or in a participant's turn, is left alone.
func TestCommandNoContentIsWorded(t *testing.T) {
	var got []Output
	out := commandOut(func(o Output) { got = append(got, o) })
	out(Output{Stream: wire.StreamAssistant, Text: noContent})
	out(Output{Stream: wire.StreamAssistant, Text: "(no content) here"})
	out(Output{Stream: wire.StreamTool, Text: noContent})
	if got[0].Text != "done (the command gave no output)" || got[1].Text != "(no content) here" || got[2].Text != noContent {
		t.Fatalf("outputs %+v", got)
	}
}
