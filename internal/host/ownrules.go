package host

import (
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/agent"
)

// ownRulesShown is how many of Claude Code's own allow rules a notice lists by name.
const ownRulesShown = 10

// ownRulesNotices are the party's start notices about what Claude Code lets itself do
// without asking anyone (agent.ReadOwnRules): the party's permission mode cannot reach a
// tool use that never comes to it as a request.
func ownRulesNotices(r agent.OwnRules) []string {
	var out []string
	switch r.Mode {
	case "":
	case "bypassPermissions":
		out = append(out, "Claude Code is started with --dangerously-skip-permissions or --permission-mode bypassPermissions (a --claude-arg): it runs every tool without asking anyone, whatever the party's permission mode")
	default:
		out = append(out, fmt.Sprintf("Claude Code is started with --permission-mode %s (a --claude-arg), which replaces the mode the party gives it: what it asks about follows %s", r.Mode, r.Mode))
	}
	if len(r.Allow) > 0 {
		rules := r.Allow
		more := ""
		if len(rules) > ownRulesShown {
			more = fmt.Sprintf(" and %d more", len(rules)-ownRulesShown)
			rules = rules[:ownRulesShown]
		}
		out = append(out, fmt.Sprintf("Claude Code's own settings let the agent use these without asking anyone: %s%s (in %s); remove them there to have every use asked",
			strings.Join(rules, ", "), more, andList(r.AllowFrom)))
	}
	if len(r.HooksIn) > 0 {
		out = append(out, "Claude Code's PreToolUse hooks (in "+andList(r.HooksIn)+") may let the agent use a tool without asking anyone")
	}
	return out
}

// andList is "a", "a and b", "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
