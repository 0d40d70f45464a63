package agent

import "encoding/json"

// The party's own reading of every shell command, before Claude Code's.
//
// Claude Code runs a command it takes for read-only (cat, head, grep) without asking, and
// its ask rules (secretBashRules) match the command as written. A name the shell puts
// together — `cat .e''nv`, `cat .en?`, `f=.env; cat $f` — matched none of them, and the
// command ran unasked: a tester's agent read .env after an "always" for Bash, which had
// promised that such a command still asks. bashSecret reads those as the shell would, but
// Claude Code asked the party (can_use_tool) only about commands it was going to ask of
// anyway.
//
// So the party registers a PreToolUse hook for Bash with the initialize request (a hook
// of the control protocol: Claude Code sends a hook_callback request on stdio before each
// Bash tool use and waits for the answer). A command bashSecret finds a secret in is
// answered "ask", which makes it a can_use_tool request like any other, put to a host
// (an "always" does not cover it: ToolRequest.ReadsSecret); any other command gets no
// decision, and Claude Code goes on as it would have.

// secretHookID names the hook in the initialize request and in claude's hook_callback
// requests.
const secretHookID = "concordia_secret_bash"

// initializeRequest is the initialize control request, with the hook.
func initializeRequest() map[string]any {
	return map[string]any{
		"subtype": "initialize",
		"hooks": map[string]any{
			"PreToolUse": []any{map[string]any{"matcher": "Bash", "hookCallbackIds": []string{secretHookID}}},
		},
	}
}

// hookCallback is the request of a hook_callback control request.
type hookCallback struct {
	CallbackID string `json:"callback_id"`
	Input      struct {
		HookEventName string          `json:"hook_event_name"`
		ToolName      string          `json:"tool_name"`
		ToolInput     json.RawMessage `json:"tool_input"`
	} `json:"input"`
}

// hookAnswer is the answer to a hook_callback request: for a PreToolUse of a shell
// command that names a file that usually holds secrets, "ask"; for anything else, no
// decision (an empty object), so that claude decides as it would without the hook.
func (a *Agent) hookAnswer(raw json.RawMessage) map[string]any {
	var h hookCallback
	_ = json.Unmarshal(raw, &h)
	if h.CallbackID != secretHookID || h.Input.HookEventName != "PreToolUse" {
		return map[string]any{}
	}
	if bashSecret(h.Input.ToolName, h.Input.ToolInput, a.cfg.WorkDir) == "" {
		return map[string]any{}
	}
	return map[string]any{"hookSpecificOutput": map[string]any{
		"hookEventName":            "PreToolUse",
		"permissionDecision":       "ask",
		"permissionDecisionReason": "the command may read a file that usually holds secrets, or the environment: a host of the party decides",
	}}
}
