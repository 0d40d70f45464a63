package testkit

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// AnthropicRequest is what the fake Messages API hands to its reply function.
type AnthropicRequest struct {
	// Model is the requested model (any is accepted).
	Model string
	// Stream is true when the client asked for server-sent events.
	Stream bool
	// LastUserText is the last text block of the last user message, leaving out the
	// <system-reminder> blocks Claude Code adds; "" when that message holds only tool results.
	LastUserText string
	// ToolResults are the tool_result blocks of the last user message, in order: what the
	// client sends back after running (or being refused) the tools of the previous reply.
	ToolResults []ToolResult
	// Body is the raw request body.
	Body []byte
}

// ToolResult is one tool_result block of a request.
type ToolResult struct {
	// ToolUseID is the id of the tool_use block this answers.
	ToolUseID string
	// Content is the result's text: the string content, or its text blocks joined by "\n".
	Content string
	// IsError is the block's is_error (Claude Code sets it when permission was denied or the
	// tool failed).
	IsError bool
}

// AnthropicReply is what the fake Messages API answers: a text block when Text is not empty,
// then a tool_use block when ToolUse is set (the stop reason is then "tool_use", else
// "end_turn"). The zero reply is one empty text block.
type AnthropicReply struct {
	Text    string
	ToolUse *ToolUseBlock
	// More are further tool_use blocks after ToolUse in the same reply (parallel tool
	// calls); ignored without ToolUse.
	More []ToolUseBlock
}

// ToolUseBlock asks the client to run a tool, e.g. Name "Bash" with Input
// {"command": "touch x"}, or Name "Write" with {"file_path": ..., "content": ...}.
type ToolUseBlock struct {
	// ID is the tool_use id the client will answer with; "" makes the fake pick a unique one.
	ID    string
	Name  string
	Input map[string]any
}

// ToolUse is a reply asking the client to run the tool name with input.
func ToolUse(name string, input map[string]any) AnthropicReply {
	return AnthropicReply{ToolUse: &ToolUseBlock{Name: name, Input: input}}
}

// FakeAnthropic is a fake Anthropic Messages API on 127.0.0.1. It serves POST /v1/messages
// (any query string) as the real API does: server-sent events when the request says
// "stream": true, one JSON message otherwise. Other paths answer 200 with an empty JSON object
// (Claude Code probes the base URL). It is closed when the test ends.
type FakeAnthropic struct {
	// URL is the base URL to give the client (ANTHROPIC_BASE_URL).
	URL string

	reply func(AnthropicRequest) AnthropicReply

	mu       sync.Mutex // guards the fields below
	requests [][]byte
	status   int
	errMsg   string
	delay    time.Duration
}

// NewFakeAnthropic starts a fake Messages API that answers each request with reply's text.
func NewFakeAnthropic(t testing.TB, reply func(req AnthropicRequest) string) *FakeAnthropic {
	t.Helper()
	return NewFakeAnthropicFunc(t, func(req AnthropicRequest) AnthropicReply {
		return AnthropicReply{Text: reply(req)}
	})
}

// NewFakeAnthropicFunc starts a fake Messages API that answers each request with reply's
// answer, which may ask the client to use a tool:
//
//	api := testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
//		if len(req.ToolResults) > 0 {
//			return testkit.AnthropicReply{Text: "tool said: " + req.ToolResults[0].Content}
//		}
//		return testkit.ToolUse("Bash", map[string]any{"command": "touch x"})
//	})
//
// reply runs on the server's goroutines, possibly concurrently.
func NewFakeAnthropicFunc(t testing.TB, reply func(req AnthropicRequest) AnthropicReply) *FakeAnthropic {
	t.Helper()
	f := &FakeAnthropic{reply: reply}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Requests returns the bodies of the /v1/messages requests received so far, oldest first.
func (f *FakeAnthropic) Requests() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]byte, len(f.requests))
	for i, b := range f.requests {
		out[i] = append([]byte(nil), b...)
	}
	return out
}

// FailWith makes every later /v1/messages request fail with the HTTP status and an API error
// body carrying message; status 0 makes requests succeed again.
func (f *FakeAnthropic) FailWith(status int, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.errMsg = status, message
}

// SetDelay makes a streamed reply pause for d before each text or tool input delta (to let a
// test interrupt a turn while it streams).
func (f *FakeAnthropic) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

func (f *FakeAnthropic) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, body)
	status, errMsg, delay := f.status, f.errMsg, f.delay
	f.mu.Unlock()

	req, err := parseAnthropicRequest(body)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
		return
	}
	if status != 0 {
		kind := "api_error"
		if status < 500 {
			kind = "invalid_request_error"
		}
		writeAPIError(w, status, kind, errMsg)
		return
	}
	reply := f.reply(req)
	id := fmt.Sprintf("msg_fake_%d", time.Now().UnixNano())
	content, stopReason := replyContent(reply, id)
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": id, "type": "message", "role": "assistant", "model": req.Model,
			"content": content, "stop_reason": stopReason, "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 1, "output_tokens": 1},
		})
		return
	}
	streamReply(w, r, id, req.Model, content, stopReason, delay)
}

// replyContent is reply's content blocks, as the non-streaming API returns them, and its stop
// reason. A tool_use block without an ID gets one derived from the message id.
func replyContent(reply AnthropicReply, msgID string) (blocks []map[string]any, stopReason string) {
	if reply.Text != "" || reply.ToolUse == nil {
		blocks = append(blocks, map[string]any{"type": "text", "text": reply.Text})
	}
	if reply.ToolUse != nil {
		for i, tu := range append([]ToolUseBlock{*reply.ToolUse}, reply.More...) {
			id := tu.ID
			if id == "" {
				id = "toolu_" + strings.TrimPrefix(msgID, "msg_")
				if i > 0 {
					id += fmt.Sprintf("_%d", i+1)
				}
			}
			input := tu.Input
			if input == nil {
				input = map[string]any{}
			}
			blocks = append(blocks, map[string]any{"type": "tool_use", "id": id, "name": tu.Name, "input": input})
		}
		return blocks, "tool_use"
	}
	return blocks, "end_turn"
}

// streamReply writes content blocks as the Messages API's event stream: text in several
// text_delta pieces, a tool_use block as a content_block_start with empty input followed by
// its input JSON in several input_json_delta pieces.
func streamReply(w http.ResponseWriter, r *http.Request, id, model string, content []map[string]any, stopReason string, delay time.Duration) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(event string, data map[string]any) bool {
		b, _ := json.Marshal(data)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	wait := func() bool {
		if delay <= 0 {
			return true
		}
		select {
		case <-time.After(delay):
			return true
		case <-r.Context().Done():
			return false
		}
	}
	send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": 1, "output_tokens": 1},
	}})
	for i, block := range content {
		var start map[string]any
		var pieces []string
		var delta func(string) map[string]any
		if block["type"] == "tool_use" {
			start = map[string]any{"type": "tool_use", "id": block["id"], "name": block["name"], "input": map[string]any{}}
			input, _ := json.Marshal(block["input"])
			pieces = splitText(string(input), 3)
			delta = func(p string) map[string]any { return map[string]any{"type": "input_json_delta", "partial_json": p} }
		} else {
			start = map[string]any{"type": "text", "text": ""}
			pieces = splitText(block["text"].(string), 3)
			delta = func(p string) map[string]any { return map[string]any{"type": "text_delta", "text": p} }
		}
		send("content_block_start", map[string]any{"type": "content_block_start", "index": i, "content_block": start})
		for _, piece := range pieces {
			if !wait() {
				return
			}
			if !send("content_block_delta", map[string]any{"type": "content_block_delta", "index": i, "delta": delta(piece)}) {
				return
			}
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": i})
	}
	send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": stopReason, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": 3}})
	send("message_stop", map[string]any{"type": "message_stop"})
}

func writeAPIError(w http.ResponseWriter, status int, kind, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "error", "error": map[string]any{"type": kind, "message": message},
	})
}

// parseAnthropicRequest reads the parts of a Messages API request the fake needs. Content is
// a string or an array of blocks; messages may include "system" role entries (Claude Code
// sends them).
func parseAnthropicRequest(body []byte) (AnthropicRequest, error) {
	var in struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return AnthropicRequest{}, fmt.Errorf("decode request: %w", err)
	}
	req := AnthropicRequest{Model: in.Model, Stream: in.Stream, Body: body}
	for i := len(in.Messages) - 1; i >= 0; i-- {
		m := in.Messages[i]
		if m.Role != "user" {
			continue
		}
		req.LastUserText = lastText(m.Content)
		req.ToolResults = toolResults(m.Content)
		break
	}
	return req, nil
}

// lastText is the last text of message content that is not a system reminder.
func lastText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &blocks)
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		if b.Type == "text" && !strings.HasPrefix(strings.TrimSpace(b.Text), "<system-reminder>") {
			return b.Text
		}
	}
	return ""
}

// toolResults are the tool_result blocks of message content.
func toolResults(raw json.RawMessage) []ToolResult {
	var blocks []struct {
		Type      string          `json:"type"`
		ToolUseID string          `json:"tool_use_id"`
		Content   json.RawMessage `json:"content"`
		IsError   bool            `json:"is_error"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []ToolResult
	for _, b := range blocks {
		if b.Type != "tool_result" {
			continue
		}
		out = append(out, ToolResult{ToolUseID: b.ToolUseID, Content: resultText(b.Content), IsError: b.IsError})
	}
	return out
}

// resultText is a tool result's content: a string, or an array of blocks whose text blocks
// are joined by newlines.
func resultText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &blocks)
	var texts []string
	for _, b := range blocks {
		if b.Type == "text" {
			texts = append(texts, b.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// splitText cuts s into at most n pieces on rune boundaries.
func splitText(s string, n int) []string {
	r := []rune(s)
	if len(r) < n {
		return []string{s}
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, string(r[i*len(r)/n:(i+1)*len(r)/n]))
	}
	return out
}
