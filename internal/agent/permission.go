package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// ToolRequest is Claude Code asking to use a tool (a can_use_tool control request, asked
// only with --permission-prompt-tool stdio: Config.PermissionPrompt).
type ToolRequest struct {
	// Tool is the tool's name: Bash, Edit, Write, WebFetch...
	Tool string
	// Summary is one line for people: the command, the file, the URL.
	Summary string
	// Detail is what a host needs beyond Summary to decide (ToolDetail); often "".
	Detail string
	// Input is the tool's input as claude sent it.
	Input json.RawMessage
}

// Vetting is what a turn's Vet says of a tool use before Claude Code's own permission
// check: VetContinue leaves it to that check (its mode, then Ask), VetDeny refuses it with
// Message, VetAsk makes claude ask (Ask) even where its mode would not.
type Vetting int

const (
	VetContinue Vetting = iota
	VetDeny
	VetAsk
)

// ToolDecision answers a ToolRequest; Message tells the agent why it was denied.
type ToolDecision struct {
	Allow   bool
	Message string
}

// TurnOptions are a turn's callbacks and how its prompt is meant.
type TurnOptions struct {
	// Out receives output as it streams (see Turn).
	Out func(Output)
	// Ask decides tool requests. It is called on a goroutine of its own and must return
	// when ctx ends (the turn ended or was interrupted, or claude died). Nil denies them.
	Ask func(ctx context.Context, req ToolRequest) ToolDecision
	// Vet sees every tool use before Claude Code's own permission check (a PreToolUse
	// hook, registered when Config.PermissionPrompt is set), so that what a mode promises
	// holds whatever claude's mode lets through without asking: claude switched to plan
	// mode while it runs lets any Bash command run unasked, and its acceptEdits runs mkdir,
	// touch, rm, mv, cp and sed unasked (both seen with Claude Code 2.1.197). It is called
	// on a goroutine of its own and must return promptly. Nil continues every tool use.
	Vet func(ctx context.Context, req ToolRequest) (Vetting, string)
	// Command sends the prompt as an agent slash command (/compact). Otherwise the prompt
	// is text and never runs as a command, whatever it starts with.
	Command bool
}

// Claude Code's own permission modes (its --permission-mode values).
const (
	ClaudeModeDefault     = "default"
	ClaudeModeAcceptEdits = "acceptEdits"
	ClaudeModePlan        = "plan"
)

// ClaudeMode maps a party permission mode (wire.Permission*) onto Claude Code's own mode.
// "all" runs in Claude Code's default mode with every request allowed by the party, so
// that it works where claude refuses bypassPermissions (as root) and every tool use still
// passes through the host's process.
func ClaudeMode(mode string) (string, error) {
	switch mode {
	case wire.PermissionAsk, "":
		return ClaudeModeDefault, nil
	case wire.PermissionEdits:
		return ClaudeModeAcceptEdits, nil
	case wire.PermissionPlan:
		return ClaudeModePlan, nil
	case wire.PermissionAll:
		return ClaudeModeDefault, nil
	}
	return "", fmt.Errorf("unknown permission mode %q: use ask, edits, plan or all", mode)
}

// canUseTool is the request of a can_use_tool control request.
type canUseTool struct {
	Subtype     string          `json:"subtype"`
	ToolName    string          `json:"tool_name"`
	DisplayName string          `json:"display_name"`
	Input       json.RawMessage `json:"input"`
}

// answerToolRequest asks the running turn's Ask on a goroutine of its own (the stdout
// reader must keep reading: the interrupt's answer comes that way) and writes claude's
// answer. The goroutine ends with the turn: Ask gets the turn's ask context.
func (a *Agent) answerToolRequest(p *process, requestID string, req canUseTool) {
	t := a.turnOf(p)
	summary := ToolSummary(req.ToolName, req.Input, a.cfg.WorkDir)
	respond := func(d ToolDecision) {
		resp := map[string]any{"behavior": "deny", "message": d.Message}
		if d.Allow {
			input := req.Input
			if len(input) == 0 {
				input = json.RawMessage("{}")
			}
			resp = map[string]any{"behavior": "allow", "updatedInput": input}
		} else if d.Message == "" {
			resp["message"] = "Tool use was denied."
		}
		a.writeControlResponse(p, requestID, map[string]any{"subtype": "success", "request_id": requestID, "response": resp})
	}
	switch {
	case req.ToolName == "AskUserQuestion":
		// Nobody can answer a question form in a party; the people answer in prompts.
		respond(ToolDecision{Message: "Questions cannot be answered here: this session is steered by a group through prompts. Ask your questions in your reply instead and wait for the next prompt."})
		return
	case t == nil || t.ask == nil:
		a.emitter(p)(Output{Text: "permission denied: " + req.ToolName + " " + summary + " (nobody can approve tool use here)", Stream: wire.StreamTool})
		respond(ToolDecision{Message: "Nobody can approve tool use in this session."})
		return
	}
	ctx, cancel := context.WithCancel(t.askCtx)
	a.mu.Lock()
	p.asks[requestID] = cancel
	a.mu.Unlock()
	go func() {
		defer cancel()
		d := t.ask(ctx, ToolRequest{Tool: req.ToolName, Summary: summary, Detail: ToolDetail(req.ToolName, req.Input), Input: req.Input})
		a.mu.Lock()
		_, open := p.asks[requestID]
		delete(p.asks, requestID)
		a.mu.Unlock()
		// A request claude withdrew (control_cancel_request) takes no answer. Nor does one
		// whose turn was interrupted or ended (ctx is done): the interrupt makes claude
		// withdraw it, and a denial written first would race the interrupt and let claude
		// carry on with the turn (another API call, more output after the stop).
		if open && ctx.Err() == nil {
			respond(d)
		}
	}()
}

// cancelToolRequest ends the Ask of a request claude withdrew (control_cancel_request,
// sent when a turn is interrupted while a permission is pending).
func (a *Agent) cancelToolRequest(p *process, requestID string) {
	a.mu.Lock()
	cancel := p.asks[requestID]
	delete(p.asks, requestID)
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// ToolSummary is one line saying what a tool call would do: the command, the file (relative
// to workdir when inside it), the URL, the pattern; otherwise its input, compacted.
func ToolSummary(tool string, input json.RawMessage, workdir string) string {
	var in map[string]any
	_ = json.Unmarshal(input, &in)
	str := func(k string) string {
		s, _ := in[k].(string)
		return s
	}
	rel := func(path string) string {
		if workdir != "" && filepath.IsAbs(path) {
			if r, err := filepath.Rel(workdir, path); err == nil && !strings.HasPrefix(r, "..") {
				return r
			}
		}
		return path
	}
	var s string
	switch {
	case str("command") != "":
		s = str("command")
	case str("file_path") != "":
		s = rel(str("file_path"))
	case str("notebook_path") != "":
		s = rel(str("notebook_path"))
	case str("url") != "":
		s = str("url")
	case str("pattern") != "":
		s = str("pattern")
		if p := str("path"); p != "" {
			s += " in " + rel(p)
		}
	case str("plan") != "":
		s = "leave plan mode: " + str("plan")
	case str("query") != "":
		s = str("query")
	case str("path") != "":
		s = rel(str("path"))
	default:
		keys := make([]string, 0, len(in))
		for k := range in {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			v, _ := json.Marshal(in[k])
			parts = append(parts, k+"="+string(v))
		}
		s = strings.Join(parts, " ")
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// MaxDetail bounds ToolDetail's text, in bytes.
const MaxDetail = 8 << 10

// ToolDetail is what a host needs to see, beyond ToolSummary's line, to decide a tool
// request: the text a Write would write, an Edit's old and new text, a Bash command's
// description, the agent's plan. A tester approved a Write seeing only its file's name,
// and a plan flattened onto one line. "" when the summary says it all. At most MaxDetail
// bytes, cut at a line with a note of what was left out.
func ToolDetail(tool string, input json.RawMessage) string {
	var in map[string]any
	_ = json.Unmarshal(input, &in)
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		return s
	}
	edit := func(m map[string]any) string {
		return prefixLines(str(m, "old_string"), "- ") + prefixLines(str(m, "new_string"), "+ ")
	}
	var s string
	switch tool {
	case "Write":
		s = str(in, "content")
	case "Edit":
		s = edit(in)
	case "MultiEdit":
		edits, _ := in["edits"].([]any)
		var parts []string
		for _, e := range edits {
			if m, ok := e.(map[string]any); ok {
				parts = append(parts, edit(m))
			}
		}
		s = strings.Join(parts, "…\n")
	case "NotebookEdit":
		s = str(in, "new_source")
	case "ExitPlanMode":
		s = str(in, "plan")
	case "Bash":
		s = str(in, "description")
	}
	return cutDetail(strings.TrimRight(s, "\n"))
}

// prefixLines puts prefix before every line of s ("" stays "").
func prefixLines(s, prefix string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

// cutDetail keeps s whole up to MaxDetail bytes, else its lines that fit and a last line
// saying how much was left out.
func cutDetail(s string) string {
	if len(s) <= MaxDetail {
		return s
	}
	cut := strings.LastIndexByte(s[:MaxDetail], '\n')
	if cut <= 0 {
		cut = MaxDetail
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut] + fmt.Sprintf("\n… (%d more bytes not shown)", len(s)-cut)
}

// writeControlResponse writes a control_response line to claude.
func (a *Agent) writeControlResponse(p *process, requestID string, resp map[string]any) {
	line, err := json.Marshal(controlResponseLine{Type: "control_response", Response: resp})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.stopTimeout())
	defer cancel()
	if err := p.writeLine(ctx, line); err != nil {
		a.log.Warn("answer claude control request", "request_id", requestID, "err", err)
	}
}

// messageContent is a user line's content. Claude Code runs a message as a slash command
// when its text starts with "/" (measured with 2.1.197: "/clear", "/compact", any
// "/word"; a leading space, newline or other character makes it text). Participants'
// text gets one leading space so that it is always text; a host's command goes as it is.
func messageContent(prompt string, command bool) string {
	if !command && strings.HasPrefix(prompt, "/") {
		return " " + prompt
	}
	return prompt
}

// vetHook is the callback id of the PreToolUse hook registered at initialize.
const vetHook = "concordia-vet"

// hookCallback is the request of a hook_callback control request.
type hookCallback struct {
	CallbackID string `json:"callback_id"`
	Input      struct {
		HookEventName string          `json:"hook_event_name"`
		ToolName      string          `json:"tool_name"`
		ToolInput     json.RawMessage `json:"tool_input"`
	} `json:"input"`
}

// answerHook answers claude's PreToolUse hook with the running turn's Vet, on a goroutine
// of its own (as answerToolRequest: the stdout reader must keep reading). Anything but our
// own PreToolUse callback, or a tool use with no turn or no Vet, continues unchanged.
func (a *Agent) answerHook(p *process, requestID string, raw json.RawMessage) {
	var req hookCallback
	_ = json.Unmarshal(raw, &req)
	respond := func(out map[string]any) {
		a.writeControlResponse(p, requestID, map[string]any{"subtype": "success", "request_id": requestID, "response": out})
	}
	t := a.turnOf(p)
	if req.CallbackID != vetHook || req.Input.HookEventName != "PreToolUse" || t == nil || t.vet == nil {
		respond(map[string]any{})
		return
	}
	tr := ToolRequest{Tool: req.Input.ToolName, Summary: ToolSummary(req.Input.ToolName, req.Input.ToolInput, a.cfg.WorkDir), Input: req.Input.ToolInput}
	ctx := t.askCtx
	go func() {
		v, msg := t.vet(ctx, tr)
		switch v {
		case VetDeny:
			if msg == "" {
				msg = "Tool use was denied."
			}
			respond(map[string]any{"hookSpecificOutput": map[string]any{
				"hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": msg}})
		case VetAsk:
			respond(map[string]any{"hookSpecificOutput": map[string]any{
				"hookEventName": "PreToolUse", "permissionDecision": "ask", "permissionDecisionReason": msg}})
		default:
			respond(map[string]any{})
		}
	}()
}
