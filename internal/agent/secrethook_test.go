package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestSecretHookAsksOfWhatTheShellPutsTogether: the party's PreToolUse hook answers "ask"
// for a shell command whose secret name the shell puts together (Claude Code's own rules
// read the line as written: a tester's `cat .e”nv` ran unasked), and gives no decision
// for any other command, tool or hook.
func TestSecretHookAsksOfWhatTheShellPutsTogether(t *testing.T) {
	dir := dirWith(t, ".env", "notes.txt")
	a := &Agent{cfg: Config{WorkDir: dir}}
	callback := func(id, event, tool, command string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"subtype": "hook_callback", "callback_id": id, "tool_use_id": "toolu_1",
			"input": map[string]any{"hook_event_name": event, "tool_name": tool, "tool_input": map[string]any{"command": command}}})
		return b
	}
	decision := func(ans map[string]any) string {
		out, _ := ans["hookSpecificOutput"].(map[string]any)
		d, _ := out["permissionDecision"].(string)
		return d
	}
	for _, c := range []struct {
		id, event, tool, command, want string
	}{
		{secretHookID, "PreToolUse", "Bash", `cat .e''nv`, "ask"},
		{secretHookID, "PreToolUse", "Bash", `head -3 .en?`, "ask"},
		{secretHookID, "PreToolUse", "Bash", `f=.env; cat $f | base64`, "ask"},
		{secretHookID, "PreToolUse", "Bash", `base64 .e$(true)nv`, "ask"},
		{secretHookID, "PreToolUse", "Bash", `x=e; base64 .${x}nv`, "ask"},
		{secretHookID, "PreToolUse", "Bash", `find . -name '*nv' | xargs base64`, "ask"},
		{secretHookID, "PreToolUse", "Bash", `cat notes.txt`, ""},
		{secretHookID, "PreToolUse", "Bash", `go test ./...`, ""},
		{secretHookID, "PreToolUse", "Read", `cat .env`, ""}, // the Read rules ask of a Read
		{"someone_else", "PreToolUse", "Bash", `cat .env`, ""},
		{secretHookID, "PostToolUse", "Bash", `cat .env`, ""},
	} {
		ans := a.hookAnswer(callback(c.id, c.event, c.tool, c.command))
		if got := decision(ans); got != c.want {
			t.Errorf("%s %s %s %q: decision %q, want %q (%v)", c.id, c.event, c.tool, c.command, got, c.want, ans)
		}
		if c.want == "" && len(ans) != 0 {
			t.Errorf("%q: no decision should be an empty answer, got %v", c.command, ans)
		}
	}
	// The hook is registered for Bash with the initialize request.
	b, _ := json.Marshal(initializeRequest())
	if want := `{"hooks":{"PreToolUse":[{"hookCallbackIds":["` + secretHookID + `"],"matcher":"Bash"}]},"subtype":"initialize"}`; string(b) != want {
		t.Errorf("initialize: %s\nwant %s", b, want)
	}
}

// TestSecretHookLetsABroadReadBe: a read over a pattern through many folders is no secret
// (a reviewer's `wc -l internal/*/*.go` in this repository asked a host once the hook read
// every command: each word was matched twice, once dequoted and once as written, and the
// second match ran out of the folders a command line may read, which counts as a secret).
func TestSecretHookLetsABroadReadBe(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		sub := filepath.Join(dir, "internal", fmt.Sprintf("pkg%02d", i))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, "a.go"), []byte("package a\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"wc -l internal/*/*.go", "gofmt -l internal/*/*.go", `grep -n "func " internal/*/*.go`} {
		if f := bashSecretOf(c, dir); f != "" {
			t.Errorf("%q is taken for a read of %q", c, f)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "internal", "pkg07", ".env"), []byte("K=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if f := bashSecretOf("cat internal/*/.e*", dir); f == "" {
		t.Error("cat internal/*/.e* is not taken for a read of the .env it matches")
	}
}
