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
	// Body is the raw request body.
	Body []byte
}

// FakeAnthropic is a fake Anthropic Messages API on 127.0.0.1. It serves POST /v1/messages
// (any query string) as the real API does: server-sent events when the request says
// "stream": true, one JSON message otherwise. Other paths answer 200 with an empty JSON object
// (Claude Code probes the base URL). It is closed when the test ends.
type FakeAnthropic struct {
	// URL is the base URL to give the client (ANTHROPIC_BASE_URL).
	URL string

	reply func(AnthropicRequest) string

	mu       sync.Mutex // guards the fields below
	requests [][]byte
	status   int
	errMsg   string
	delay    time.Duration
}

// NewFakeAnthropic starts a fake Messages API that answers each request with reply's text.
func NewFakeAnthropic(t testing.TB, reply func(req AnthropicRequest) string) *FakeAnthropic {
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

// SetDelay makes a streamed reply pause for d before each text delta (to let a test interrupt
// a turn while it streams).
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
	text := f.reply(req)
	id := fmt.Sprintf("msg_fake_%d", time.Now().UnixNano())
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": id, "type": "message", "role": "assistant", "model": req.Model,
			"content":     []any{map[string]any{"type": "text", "text": text}},
			"stop_reason": "end_turn", "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 1, "output_tokens": 1},
		})
		return
	}
	streamReply(w, r, id, req.Model, text, delay)
}

// streamReply writes text as the Messages API's event stream, in several deltas.
func streamReply(w http.ResponseWriter, r *http.Request, id, model, text string, delay time.Duration) {
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
	send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": 1, "output_tokens": 1},
	}})
	send("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]any{"type": "text", "text": ""}})
	for _, piece := range splitText(text, 3) {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if !send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": piece}}) {
			return
		}
	}
	send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil},
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
