package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
	// InWorkDir says the request is a file edit (Edit, MultiEdit, Write, NotebookEdit) of
	// a file inside the working directory, outside its protected folders (EditInWorkDir).
	InWorkDir bool
	// Input is the tool's input as claude sent it.
	Input json.RawMessage
}

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
// passes through the host's process. So does "edits", the party allowing the file edits
// in the working directory itself (ToolRequest.InWorkDir): Claude Code's acceptEdits also
// runs mkdir, touch, rm, rmdir, mv, cp and sed there without asking (measured with 2.1.197;
// a tester's rm ran in a party that said "every other tool use asks a host").
func ClaudeMode(mode string) (string, error) {
	switch mode {
	case wire.PermissionAsk, "":
		return ClaudeModeDefault, nil
	case wire.PermissionEdits:
		return ClaudeModeDefault, nil
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
		d := t.ask(ctx, ToolRequest{Tool: req.ToolName, Summary: summary, Detail: ToolDetail(req.ToolName, req.Input),
			InWorkDir: EditInWorkDir(req.ToolName, req.Input, a.cfg.WorkDir), Input: req.Input})
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

// protectedDirs are the folders of a working directory whose files Claude Code never lets
// an edit into without asking, whatever its mode: EditInWorkDir leaves them out too.
var protectedDirs = map[string]bool{".git": true, ".claude": true, ".vscode": true, ".idea": true}

// EditInWorkDir reports whether a tool request is a file edit (Edit, MultiEdit, Write,
// NotebookEdit) of a file inside workdir — its folder resolved through any symbolic links
// — and not in one of protectedDirs: what a party in "edits" allows without asking, as
// Claude Code's acceptEdits does for edits.
func EditInWorkDir(tool string, input json.RawMessage, workdir string) bool {
	key := "file_path"
	switch tool {
	case "Edit", "MultiEdit", "Write":
	case "NotebookEdit":
		key = "notebook_path"
	default:
		return false
	}
	var in map[string]any
	if json.Unmarshal(input, &in) != nil || workdir == "" {
		return false
	}
	path, _ := in[key].(string)
	if path == "" || !filepath.IsAbs(path) {
		return false
	}
	root, err := filepath.EvalSymlinks(workdir)
	if err != nil {
		return false
	}
	// The deepest folder of path that exists, resolved: a link inside the working
	// directory may lead out of it.
	dir := filepath.Dir(filepath.Clean(path))
	rest := filepath.Base(path)
	for {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			dir = real
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return false
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = filepath.Dir(dir)
	}
	if fi, err := os.Lstat(filepath.Join(dir, rest)); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return false // the file itself is a link: where it leads is not checked here
	}
	rel, err := filepath.Rel(root, filepath.Join(dir, rest))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
	return !protectedDirs[first]
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
