package agent

import "testing"

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
