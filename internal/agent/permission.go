package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

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
	// FilePath is the file an edit tool names (EditPath), as claude gave it; "" for other
	// tools. Summary may cut it or write it relative: what a file is judged by is this.
	FilePath string
	// ReadsSecret: a shell command that names a file which usually holds credentials, or
	// prints the environment (bashSecret): it asks because the party's ask rules make it.
	ReadsSecret bool
	// Input is the tool's input as claude sent it.
	Input json.RawMessage
	// Registered, when set, is called by the asker once the request is among those waiting
	// for a decision (or answered): the next request is handed over only then, so that
	// requests claude made one after another wait in that order (a user tester's two
	// Bash requests were listed last first, each handed over on a goroutine of its own).
	Registered func()
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
	// ToolUseID is the tool_use the request is for (Claude Code sends it; measured with
	// 2.1.197). Its tool_result is a denial when the answer was one (deniedResult).
	ToolUseID string `json:"tool_use_id"`
}

// answerToolRequest asks the running turn's Ask on a goroutine of its own (the stdout
// reader must keep reading: the interrupt's answer comes that way) and writes claude's
// answer. The goroutine ends with the turn: Ask gets the turn's ask context.
func (a *Agent) answerToolRequest(p *process, requestID string, req canUseTool) {
	t := a.turnOf(p)
	summary := ToolSummary(req.ToolName, req.Input, a.cfg.WorkDir)
	respond := func(d ToolDecision) {
		a.mu.Lock()
		delete(p.undecided, req.ToolUseID) // answered: its result is the tool's, or the denial
		a.mu.Unlock()
		resp := map[string]any{"behavior": "deny", "message": d.Message}
		if d.Allow {
			input := req.Input
			if len(input) == 0 {
				input = json.RawMessage("{}")
			}
			resp = map[string]any{"behavior": "allow", "updatedInput": input}
		} else {
			if d.Message == "" {
				resp["message"] = "Tool use was denied."
			}
			a.noteDenied(p, req.ToolUseID, resp["message"].(string))
		}
		a.writeControlResponse(p, requestID, map[string]any{"subtype": "success", "request_id": requestID, "response": resp})
	}
	switch {
	case req.ToolName == "AskUserQuestion":
		// Nobody can answer a question form in a party; the people answer in prompts.
		respond(ToolDecision{Message: "Questions cannot be answered here: this session is steered by a group through prompts. Ask your questions in your reply instead and wait for the next prompt."})
		return
	case t == nil || t.ask == nil:
		// A result line ("-> "): the tool's line came before it (a party counts the tools
		// that have not answered: a reviewer's).
		a.emitter(p)(Output{Text: "-> (permission denied: nobody can approve tool use here) " + req.ToolName + " " + summary, Stream: wire.StreamTool})
		respond(ToolDecision{Message: "Nobody can approve tool use in this session."})
		return
	}
	ctx, cancel := context.WithCancel(t.askCtx)
	handed := make(chan struct{}) // closed once this request is handed over (Registered)
	var once sync.Once
	registered := func() { once.Do(func() { close(handed) }) }
	a.mu.Lock()
	p.asks[requestID] = cancel
	if req.ToolUseID != "" {
		p.undecided[req.ToolUseID] = true
	}
	prev := p.lastHanded
	p.lastHanded = handed
	a.mu.Unlock()
	go func() {
		defer cancel()
		defer registered()
		if prev != nil {
			select { // the request claude made before this one is handed over first
			case <-prev:
			case <-ctx.Done():
			}
		}
		d := t.ask(ctx, ToolRequest{Tool: req.ToolName, Summary: summary, Detail: ToolDetail(req.ToolName, req.Input),
			InWorkDir: EditInWorkDir(req.ToolName, req.Input, a.cfg.WorkDir), FilePath: EditPath(req.ToolName, req.Input), Input: req.Input,
			ReadsSecret: bashSecret(req.ToolName, req.Input, a.cfg.WorkDir) != "", Registered: registered})
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

// noteDenied remembers a denial before claude has it, so that the tool's result, which
// carries the denial's message as an error, reads as a denial and not as a tool that failed
// (a user tester's step said "failed" under a footer that said "denied"). By the tool_use
// id, or by the message when claude sent none (counted: parallel requests may be denied
// with one message). Forgotten at the turn's end (finishTurn).
func (a *Agent) noteDenied(p *process, toolUseID, message string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if toolUseID != "" {
		p.denied[toolUseID] = message
		return
	}
	p.deniedText[message]++
}

// resultMark is the mark of an error tool result that is not the tool's own error, and
// forgets what it was told by: deniedMark for a denial noted by noteDenied, whose text must
// be the denial's message, as Claude Code returns it (measured with 2.1.197): then it is
// the party's own words, and nothing of the tool's. cancelledMark for the result of a tool
// use whose request was never answered: claude withdrew it when the turn was stopped and
// wrote a result of its own ("The user doesn't want to proceed with this tool use…",
// measured with 2.1.197), which read as a step that failed beside the request's
// "cancelled" (a user tester's). "" for any other.
func (a *Agent) resultMark(p *process, toolUseID, text string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if toolUseID != "" && p.undecided[toolUseID] {
		delete(p.undecided, toolUseID)
		return cancelledMark
	}
	if msg, ok := p.denied[toolUseID]; ok && toolUseID != "" {
		delete(p.denied, toolUseID)
		if text == msg {
			return deniedMark
		}
		return ""
	}
	if p.deniedText[text] > 0 {
		if p.deniedText[text]--; p.deniedText[text] == 0 {
			delete(p.deniedText, text)
		}
		return deniedMark
	}
	return ""
}

// forgetDenials drops the denials, and the requests never answered, whose results never
// came (a turn cut short).
func (a *Agent) forgetDenials(p *process) {
	if p == nil { // (a line read with no process: the tests')
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(p.denied)
	clear(p.deniedText)
	clear(p.undecided)
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
