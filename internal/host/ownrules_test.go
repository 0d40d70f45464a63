package host

import (
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/agent"
)

func TestOwnRulesNotices(t *testing.T) {
	if n := ownRulesNotices(agent.OwnRules{}); len(n) != 0 {
		t.Errorf("nothing to tell: %q", n)
	}
	many := make([]string, 13)
	for i := range many {
		many[i] = "Tool" + string(rune('A'+i))
	}
	n := ownRulesNotices(agent.OwnRules{
		Mode:      "bypassPermissions",
		Allow:     many,
		AllowFrom: []string{"~/.claude/settings.json", ".claude/settings.json in the working folder", "--allowedTools"},
		HooksIn:   []string{"~/.claude/settings.json"},
	})
	if len(n) != 3 {
		t.Fatalf("notices %q, want 3", n)
	}
	for i, want := range []string{
		"runs every tool without asking anyone, whatever the party's permission mode",
		"without asking anyone: ToolA, ToolB, ToolC, ToolD, ToolE, ToolF, ToolG, ToolH, ToolI, ToolJ and 3 more (in ~/.claude/settings.json, .claude/settings.json in the working folder and --allowedTools); remove them there",
		"PreToolUse hooks (in ~/.claude/settings.json) may let the agent use a tool without asking anyone",
	} {
		if !strings.Contains(n[i], want) {
			t.Errorf("notice %d = %q, want it to contain %q", i, n[i], want)
		}
	}
	if n := ownRulesNotices(agent.OwnRules{Mode: "acceptEdits"}); len(n) != 1 || !strings.Contains(n[0], "--permission-mode acceptEdits (a --claude-arg), which replaces the mode the party gives it") {
		t.Errorf("a mode among the arguments: %q", n)
	}
}
