package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// This file turns Claude Code's stream-json output lines into Outputs. The shapes below are the
// parts of the protocol we read (checked against Claude Code 2.1.197); unknown fields and line
// types are ignored so that newer versions keep working.

// header is the first, cheap decode of every line: enough to route it.
type header struct {
	Type    string `json:"type"`
	Subtype string `json:"subtype"`
}

// outLine is a stdout line of any type; fields that a version might reshape are raw and read
// leniently, so that one odd field never makes a whole line (say, a result) unreadable.
type outLine struct {
	Type            string          `json:"type"`
	Subtype         string          `json:"subtype"`
	SessionID       string          `json:"session_id"`
	ParentToolUseID *string         `json:"parent_tool_use_id"`
	Event           json.RawMessage `json:"event"`   // stream_event
	Message         json.RawMessage `json:"message"` // assistant, user
	Error           json.RawMessage `json:"error"`   // assistant (synthetic API error), system/api_retry

	// result
	IsError    bool            `json:"is_error"`
	Result     json.RawMessage `json:"result"`
	Errors     json.RawMessage `json:"errors"`
	DurationMS float64         `json:"duration_ms"`

	// control_request (from claude) and control_response
	RequestID string          `json:"request_id"`
	Request   json.RawMessage `json:"request"`
	Response  json.RawMessage `json:"response"`

	// system/api_retry
	Attempt      int             `json:"attempt"`
	MaxRetries   int             `json:"max_retries"`
	RetryDelayMS float64         `json:"retry_delay_ms"`
	ErrorStatus  json.RawMessage `json:"error_status"`
}

// apiMessage is the Messages API message inside assistant and user lines.
type apiMessage struct {
	ID      string          `json:"id"`
	Content json.RawMessage `json:"content"` // a string, or an array of contentBlock
}

// contentBlock is one block of a message's content.
type contentBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`          // tool_use
	Name      string          `json:"name"`        // tool_use
	Input     json.RawMessage `json:"input"`       // tool_use
	ToolUseID string          `json:"tool_use_id"` // tool_result
	Content   json.RawMessage `json:"content"`     // tool_result: a string or an array of blocks
	IsError   bool            `json:"is_error"`    // tool_result
}

// streamEvent is the Messages API streaming event inside a stream_event line.
type streamEvent struct {
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Message *struct {
		ID string `json:"id"`
	} `json:"message"`
	ContentBlock *contentBlock `json:"content_block"`
	Delta        *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"delta"`
}

// controlResponse is the response object of a control_response line.
type controlResponse struct {
	Subtype   string `json:"subtype"` // "success" or "error"
	RequestID string `json:"request_id"`
	Error     string `json:"error"`
}

// Limits of the one-line summaries on the tool stream.
const (
	toolLineMax = 200
	maxTailText = 2 // enough to tell whether text ended with a blank line
)

// streamedBlock is a text block that arrived as text_delta events.
type streamedBlock struct {
	text     strings.Builder
	consumed bool // an assistant line has accounted for it
}

// translator turns stdout lines into Outputs for one process. Only the stdout reader goroutine
// uses it, so it has no lock. Its state covers the current turn and is reset at each result.
type translator struct {
	workDir string

	msgID string                      // message of the stream events being read
	open  map[int]*streamedBlock      // the current message's text blocks by stream index
	byMsg map[string][]*streamedBlock // streamed text blocks by message id, in order
	wrote bool                        // assistant text went out in this turn
	tail  string                      // the last bytes of assistant text that went out
	files map[string]string           // the file a file tool names (FilePath), by tool_use id
	// scan holds the tool calls that name no one file (a Bash command that named no
	// secret, a Grep of a folder, a subagent, an MCP tool…): their output is read for a
	// secret (secretOutput).
	scan map[string]bool
	// mark is the mark of an error result of a tool that is not the tool's own error: the
	// denial of its request (deniedMark), or claude's own result for a request withdrawn
	// before anyone decided (cancelledMark); "" for the tool's (Agent.resultMark). nil: none
	// is.
	mark func(toolUseID, text string) string
}

func newTranslator(workDir string) *translator {
	tr := &translator{workDir: workDir}
	tr.reset()
	return tr
}

// reset forgets the turn; called at every result line.
func (tr *translator) reset() {
	tr.msgID = ""
	tr.open = map[int]*streamedBlock{}
	tr.byMsg = map[string][]*streamedBlock{}
	tr.wrote = false
	tr.tail = ""
	tr.files = map[string]string{}
	tr.scan = map[string]bool{}
}

// text sends one piece of assistant text. A piece that begins a new block is preceded by a blank
// line when text went out before, so that the turn's pieces concatenate into a readable reply.
func (tr *translator) text(s string, newBlock bool, emit func(Output)) {
	if s == "" {
		return
	}
	if newBlock && tr.wrote {
		switch {
		case strings.HasSuffix(tr.tail, "\n\n"):
		case strings.HasSuffix(tr.tail, "\n"):
			s = "\n" + s
		default:
			s = "\n\n" + s
		}
	}
	tr.wrote = true
	if len(s) >= maxTailText {
		tr.tail = s[len(s)-maxTailText:]
	} else {
		t := tr.tail + s
		tr.tail = t[max(0, len(t)-maxTailText):]
	}
	emit(Output{Text: s, Stream: wire.StreamAssistant})
}

// translate handles the lines that carry output (stream_event, assistant, user); other
// types are left to the caller. A subagent's stream events are skipped: its text is not the
// reply, and its tool calls are shown from its assistant lines.
func (tr *translator) translate(ln *outLine, emit func(Output)) error {
	switch ln.Type {
	case "stream_event":
		if ln.ParentToolUseID == nil || *ln.ParentToolUseID == "" {
			return tr.streamEvent(ln.Event, emit)
		}
	case "assistant":
		return tr.assistant(ln, emit)
	case "user":
		return tr.user(ln, emit)
	}
	return nil
}

// streamEvent handles a stream_event line (partial messages): text deltas go out as they come.
func (tr *translator) streamEvent(raw json.RawMessage, emit func(Output)) error {
	var ev streamEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("decode stream event: %w", err)
	}
	tr.onStreamEvent(&ev, emit)
	return nil
}

// eventLine is a stream_event line decoded in one pass, its event typed: most lines of a
// streamed reply are these (handleLine's fast path).
type eventLine struct {
	Type            string      `json:"type"`
	ParentToolUseID *string     `json:"parent_tool_use_id"`
	Event           streamEvent `json:"event"`
}

// fastStreamEvent handles line when it is a stream_event line that decodes as one; it
// reports false for any other line, which then takes the general way (and its errors).
func (tr *translator) fastStreamEvent(line []byte, emit func(Output)) bool {
	if !bytes.Contains(line, []byte(`"stream_event"`)) {
		return false
	}
	if index, text, ok := textDeltaLine(line); ok { // most lines: read without encoding/json
		tr.delta(tr.block(index), text, emit)
		return true
	}
	var el eventLine
	if json.Unmarshal(line, &el) != nil || el.Type != "stream_event" {
		return false
	}
	if el.ParentToolUseID == nil || *el.ParentToolUseID == "" { // a subagent's: skipped (translate)
		tr.onStreamEvent(&el.Event, emit)
	}
	return true
}

// onStreamEvent handles one decoded streaming event.
func (tr *translator) onStreamEvent(ev *streamEvent, emit func(Output)) {
	switch ev.Type {
	case "message_start":
		tr.msgID = ""
		if ev.Message != nil {
			tr.msgID = ev.Message.ID
		}
		tr.open = map[int]*streamedBlock{}
	case "content_block_start":
		if ev.ContentBlock == nil || ev.ContentBlock.Type != "text" {
			return
		}
		b := tr.block(ev.Index)
		if ev.ContentBlock.Text != "" {
			tr.delta(b, ev.ContentBlock.Text, emit)
		}
	case "content_block_delta":
		if ev.Delta == nil || ev.Delta.Type != "text_delta" {
			return // input_json_delta, thinking_delta, signature_delta: not shown
		}
		tr.delta(tr.block(ev.Index), ev.Delta.Text, emit)
	}
}

// block returns the streamed text block at index of the current message, creating it.
func (tr *translator) block(index int) *streamedBlock {
	b, ok := tr.open[index]
	if !ok {
		b = &streamedBlock{}
		tr.open[index] = b
		tr.byMsg[tr.msgID] = append(tr.byMsg[tr.msgID], b)
	}
	return b
}

func (tr *translator) delta(b *streamedBlock, s string, emit func(Output)) {
	if s == "" {
		return
	}
	first := b.text.Len() == 0
	b.text.WriteString(s)
	tr.text(s, first, emit)
}

// assistant handles a complete assistant message. Claude Code writes one line per content
// block, after that block's deltas; text that already went out as deltas is not repeated, and
// text that never streamed (no partial messages, or a cut-off stream) goes out once.
func (tr *translator) assistant(ln *outLine, emit func(Output)) error {
	var msg apiMessage
	if err := json.Unmarshal(ln.Message, &msg); err != nil {
		return fmt.Errorf("decode assistant message: %w", err)
	}
	blocks, err := decodeContent(msg.Content)
	if err != nil {
		return fmt.Errorf("decode assistant content: %w", err)
	}
	sub := ln.ParentToolUseID != nil && *ln.ParentToolUseID != ""
	synthetic := len(ln.Error) > 0 && string(ln.Error) != "null"
	for _, b := range blocks {
		switch b.Type {
		case "text":
			// A subagent's text is its report to the main agent, not the reply; a synthetic
			// message carries an API error that the result line reports again.
			if sub || synthetic {
				continue
			}
			tr.assistantText(msg.ID, b.Text, emit)
		case "tool_use", "server_tool_use":
			if f := FilePath(b.Name, b.Input); f != "" && b.ID != "" {
				tr.files[b.ID] = f
			} else if f := grepFile(b.Name, b.Input, tr.workDir); f != "" && b.ID != "" {
				tr.files[b.ID] = f
			} else if f := bashSecret(b.Name, b.Input, tr.workDir); f != "" && b.ID != "" {
				// Its output is that file's, or the environment's: shown as far as the party
				// shows those (a reviewer's Bash cat .env went to every member).
				tr.files[b.ID] = f
			} else if b.ID != "" {
				// A background command's output comes through BashOutput (a reviewer's); a
				// Grep of a folder shows the lines it found in every file (a reviewer's
				// showed .env's).
				tr.scan[b.ID] = true
			}
			line := toolSummary(b.Name, b.Input, tr.workDir)
			if sub {
				line = "  " + line
			}
			emit(Output{Text: line, Stream: wire.StreamTool})
		}
	}
	return nil
}

func (tr *translator) assistantText(msgID, text string, emit func(Output)) {
	if text == "" {
		return
	}
	streamed := tr.byMsg[msgID]
	for _, b := range streamed {
		if !b.consumed && b.text.Len() > 0 && strings.HasPrefix(text, b.text.String()) {
			b.consumed = true
			tr.text(text[b.text.Len():], false, emit) // the part the stream missed, if any
			return
		}
	}
	for _, b := range streamed {
		if !b.consumed && b.text.Len() > 0 {
			// The stream had this block in another form (never seen, but the text did go
			// out): don't send it twice.
			b.consumed = true
			return
		}
	}
	tr.text(text, true, emit)
}

// user handles a user line: Claude Code reports tool results this way.
func (tr *translator) user(ln *outLine, emit func(Output)) error {
	var msg apiMessage
	if err := json.Unmarshal(ln.Message, &msg); err != nil {
		return fmt.Errorf("decode user message: %w", err)
	}
	blocks, err := decodeContent(msg.Content)
	if err != nil {
		return fmt.Errorf("decode user content: %w", err)
	}
	sub := ln.ParentToolUseID != nil && *ln.ParentToolUseID != ""
	for _, b := range blocks {
		if b.Type != "tool_result" {
			continue
		}
		file := tr.files[b.ToolUseID]
		delete(tr.files, b.ToolUseID)
		text := toolResultText(b.Content)
		mark := ""
		if b.IsError && tr.mark != nil {
			mark = tr.mark(b.ToolUseID, text)
		}
		line := toolResultSummary(b, mark)
		out := toolOutput(text)
		if mark != "" {
			// Its text is the party's own denial, or claude's own words for a request
			// withdrawn, not the tool's: no file's, no secret's.
			delete(tr.scan, b.ToolUseID)
			file = ""
		}
		if tr.scan[b.ToolUseID] {
			// A command that named no secret may still print one (grep -r KEY ., cat .e*,
			// bash -c env: a tester's), and so may any tool that names no one file. What
			// the party would be sent is read: the output, or the one short line the
			// summary shows.
			delete(tr.scan, b.ToolUseID)
			if out != "" {
				file = secretOutput(out, tr.workDir)
			} else {
				file = secretOutput(text, tr.workDir)
			}
		}
		if file != "" && file != workspace.Environment && !workspace.IsSecret(filepath.ToSlash(file)) && credential.Shaped(text) {
			// A file named as no secret is that holds one (a private key made with
			// ssh-keygen -f deploy_key: a security reviewer's) is kept back at any level.
			file = workspace.Credential
		}
		if sub {
			line = "  " + line
		}
		emit(Output{Text: line, Stream: wire.StreamTool, File: file})
		if out != "" {
			emit(Output{Text: out, Stream: wire.StreamToolOutput, File: file})
		}
	}
	return nil
}

// toolOutputMax bounds the tool output sent to the party for one tool result.
const toolOutputMax = 16 << 10

// toolOutput is a tool's result text as the party gets it: at most toolOutputMax bytes,
// cut at a line end (or a rune boundary) and saying how much was left out; ending in a
// newline; "" when the summary line shows it all already (one short line, or nothing).
func toolOutput(text string) string {
	text = strings.TrimRight(strings.ToValidUTF8(text, "\uFFFD"), " \t\r\n")
	text = strings.TrimLeft(text, "\r\n")
	if !strings.Contains(text, "\n") && len(text) <= toolLineMax/2 {
		return ""
	}
	if len(text) <= toolOutputMax {
		return text + "\n"
	}
	cut := toolOutputMax
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(text[:cut], '\n'); i > toolOutputMax/2 {
		cut = i
	}
	rest := len(text) - cut
	return fmt.Sprintf("%s\n… (%d more bytes not shown)\n", strings.TrimRight(text[:cut], "\r\n"), rest)
}

// decodeContent reads message content, which is either a string or an array of blocks.
func decodeContent(raw json.RawMessage) ([]contentBlock, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []contentBlock{{Type: "text", Text: s}}, nil
	}
	var blocks []contentBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, err
	}
	return blocks, nil
}

// toolInputKeys are the input fields that best say what a tool call does, most telling first.
var toolInputKeys = []string{
	"command", "file_path", "notebook_path", "pattern", "path", "url", "query",
	"description", "prompt", "skill", "subject", "task_id",
	"plan", // ExitPlanMode's: its input as JSON named the host's plan file, home folder and all (a tester's)
}

// pathKeys are input fields holding a file path, shown relative to the working directory.
var pathKeys = map[string]bool{"file_path": true, "notebook_path": true, "path": true}

// toolSummary is one compact line for a tool call: "Bash: ls -la", "Edit: internal/x.go".
func toolSummary(name string, input json.RawMessage, workDir string) string {
	name = oneLine(name) // a name is not trusted to be one line (an MCP server chooses it)
	if name == "" {
		name = "tool"
	}
	var fields map[string]any
	_ = json.Unmarshal(input, &fields) // a non-object input just gives no detail
	detail := ""
	for _, k := range toolInputKeys {
		s, ok := fields[k].(string)
		if !ok || strings.TrimSpace(s) == "" {
			continue
		}
		if pathKeys[k] {
			s = relPath(s, workDir)
		}
		if k == "command" {
			s = commandLine(s, fields)
		}
		if k == "pattern" {
			if p, ok := fields["path"].(string); ok && p != "" {
				s += " in " + relPath(p, workDir)
			}
		}
		detail = s
		break
	}
	if detail == "" && len(fields) > 0 && name != "ExitPlanMode" { // its input names the host's plan file
		if b, err := json.Marshal(fields); err == nil {
			detail = string(b)
		}
	}
	if detail == "" {
		return truncate(name, toolLineMax)
	}
	return truncate(name+": "+oneLine(detail), toolLineMax)
}

// toolResultSummary is a short line for a tool result: its first line, and how much more.
// An error is marked "(error)", or mark when it is not the tool's: "(denied)", the denial
// of the tool's request, "(cancelled)", its request withdrawn undecided (PROTOCOL.md §5).
func toolResultSummary(b contentBlock, mark string) string {
	text := toolResultText(b.Content)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	first := oneLine(lines[0])
	switch {
	case mark != "":
	case b.IsError:
		mark = "(error) "
	case posesAsMark(first):
		// A tool's own first line is never read as a mark: "(denied) carol denied this"
		// echoed by a command would have looked like a host's denial (a reviewer's). One
		// more space keeps it apart from "-> (…) ", and reads the same.
		mark = " "
	}
	if first == "" {
		first = "(no output)"
	}
	s := truncate("-> "+mark+first, toolLineMax)
	if more := len(lines) - 1; more > 0 {
		s += fmt.Sprintf(" (+%d lines)", more)
	}
	return s
}

// deniedMark starts a tool result line whose request was denied, cancelledMark one whose
// request was withdrawn before anyone decided (the turn stopped: claude writes a result of
// its own, an error, "The user doesn't want to proceed with this tool use…").
const (
	deniedMark    = "(denied) "
	cancelledMark = "(cancelled) "
)

// hostMarks are how the host's own words after "-> " start (PROTOCOL.md §5): the marks a
// client reads ("(error) ", "(error; …)", "(denied) ", "(cancelled) ", each word without
// what follows it, as the window's pattern reads "(error)x" too) and the host's other
// notes in their place.
var hostMarks = []string{"(error", "(denied", "(cancelled", "(its text is not shown", "(permission denied"}

// posesAsMark says whether a tool's own first line starts as the host's words after "-> "
// do. Only such a line gets a space more: "(Bash completed with no output)" is no mark, and
// "->  (Bash …" read as a glitch (a user tester's).
func posesAsMark(first string) bool {
	for _, m := range hostMarks {
		if strings.HasPrefix(first, m) {
			return true
		}
	}
	return false
}

// toolResultText flattens tool_result content (a string or an array of blocks) to text.
func toolResultText(raw json.RawMessage) string {
	blocks, err := decodeContent(raw)
	if err != nil {
		return ""
	}
	var parts []string
	for _, b := range blocks {
		switch b.Type {
		case "text":
			parts = append(parts, b.Text)
		case "image":
			parts = append(parts, "[image]")
		}
	}
	return strings.Join(parts, "\n")
}

// relPath shows p relative to dir when it lies inside it.
func relPath(p, dir string) string {
	if dir == "" || !filepath.IsAbs(p) {
		return p
	}
	// Shown as it is: /w/../outside/x is /outside/x (a tester's card showed the "..").
	p = filepath.Clean(p)
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return throughLink(rel, p, dir)
}

// oneLine folds every run of white space (newlines included) into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// resultError is the text of a failed result line.
func resultError(ln *outLine) string {
	var s string
	if json.Unmarshal(ln.Result, &s) == nil && strings.TrimSpace(s) != "" {
		return s
	}
	var errs []string
	if json.Unmarshal(ln.Errors, &errs) == nil && len(errs) > 0 {
		return strings.Join(errs, "; ")
	}
	if ln.Subtype != "" && ln.Subtype != "success" {
		return ln.Subtype
	}
	return "claude reported an error"
}

// retryNotice is the stderr line for a system/api_retry event.
func retryNotice(ln *outLine) string {
	var b strings.Builder
	b.WriteString("claude: API request failed")
	var status int
	if json.Unmarshal(ln.ErrorStatus, &status) == nil && status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", status)
		var e string
		if json.Unmarshal(ln.Error, &e) == nil && e != "" {
			b.WriteString(", ")
			b.WriteString(e)
		}
		b.WriteString(")")
	} else {
		var e string
		if json.Unmarshal(ln.Error, &e) == nil && e != "" {
			fmt.Fprintf(&b, " (%s)", e)
		}
	}
	fmt.Fprintf(&b, "; retry %d", ln.Attempt)
	if ln.MaxRetries > 0 {
		fmt.Fprintf(&b, " of %d", ln.MaxRetries)
	}
	if ln.RetryDelayMS > 0 {
		fmt.Fprintf(&b, " in %.1fs", ln.RetryDelayMS/1000)
	}
	return b.String()
}
