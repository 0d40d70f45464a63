package testkit

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url+"/v1/messages?beta=true", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// A request the way Claude Code sends it: a system-reminder block first, and a "system" role
// entry after the user message.
const claudeStyleRequest = `{"model":"claude-opus-4-8","stream":%s,"messages":[
	{"role":"user","content":[{"type":"text","text":"<system-reminder>\nctx\n</system-reminder>\n"},{"type":"text","text":"what is up"}]},
	{"role":"system","content":"Available agent types"}]}`

func TestFakeAnthropic(t *testing.T) {
	var mu sync.Mutex // the handler runs on the server's goroutines
	var seen []AnthropicRequest
	api := NewFakeAnthropic(t, func(req AnthropicRequest) string {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, req)
		return "reply to " + req.LastUserText
	})

	t.Run("stream", func(t *testing.T) {
		resp := post(t, api.URL, strings.Replace(claudeStyleRequest, "%s", "true", 1))
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("content type %q", ct)
		}
		var events []string
		var text strings.Builder
		deltas := 0
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if name, ok := strings.CutPrefix(line, "event: "); ok {
				events = append(events, name)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var ev struct {
					Delta struct {
						Type string `json:"type"`
						Text string `json:"text"`
					} `json:"delta"`
				}
				if err := json.Unmarshal([]byte(data), &ev); err != nil {
					t.Fatalf("data %q: %v", data, err)
				}
				if ev.Delta.Type == "text_delta" {
					deltas++
					text.WriteString(ev.Delta.Text)
				}
			}
		}
		if text.String() != "reply to what is up" || deltas < 2 {
			t.Errorf("streamed %q in %d deltas", text.String(), deltas)
		}
		wantOrder := []string{"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
		var compact []string
		for _, e := range events {
			if len(compact) == 0 || compact[len(compact)-1] != e {
				compact = append(compact, e)
			}
		}
		if strings.Join(compact, ",") != strings.Join(wantOrder, ",") {
			t.Errorf("events %q", events)
		}
	})

	t.Run("plain JSON", func(t *testing.T) {
		resp := post(t, api.URL, strings.Replace(claudeStyleRequest, "%s", "false", 1))
		var msg struct {
			Content []struct{ Text string } `json:"content"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
			t.Fatal(err)
		}
		if len(msg.Content) != 1 || msg.Content[0].Text != "reply to what is up" {
			t.Errorf("message %+v", msg)
		}
	})

	t.Run("failing", func(t *testing.T) {
		api.FailWith(529, "overloaded here")
		defer api.FailWith(0, "")
		resp := post(t, api.URL, strings.Replace(claudeStyleRequest, "%s", "true", 1))
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 529 || !strings.Contains(string(b), "overloaded here") {
			t.Errorf("status %d, body %s", resp.StatusCode, b)
		}
	})

	if n := len(api.Requests()); n != 3 {
		t.Errorf("Requests() has %d bodies, want 3", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0].Model != "claude-opus-4-8" || !seen[0].Stream || seen[1].Stream {
		t.Errorf("reply saw %+v", seen)
	}
}

// sseEvent is one decoded event of a streamed reply.
type sseEvent struct {
	Name string
	Data struct {
		Type         string `json:"type"`
		Index        int    `json:"index"`
		ContentBlock struct {
			Type  string         `json:"type"`
			ID    string         `json:"id"`
			Name  string         `json:"name"`
			Input map[string]any `json:"input"`
		} `json:"content_block"`
		Delta struct {
			Type        string `json:"type"`
			Text        string `json:"text"`
			PartialJSON string `json:"partial_json"`
			StopReason  string `json:"stop_reason"`
		} `json:"delta"`
	}
}

func readEvents(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var events []sseEvent
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			events = append(events, sseEvent{Name: name})
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			if len(events) == 0 {
				t.Fatalf("data before event: %q", data)
			}
			if err := json.Unmarshal([]byte(data), &events[len(events)-1].Data); err != nil {
				t.Fatalf("data %q: %v", data, err)
			}
		}
	}
	return events
}

// block is one content block rebuilt from a stream or read from a plain JSON reply.
type block struct {
	Type, Text, ID, Name string
	Input                map[string]any
}

func TestFakeAnthropicToolUse(t *testing.T) {
	input := map[string]any{"command": "touch x", "description": "make x — «ü»"}
	tests := []struct {
		name       string
		reply      AnthropicReply
		want       []block
		stopReason string
	}{
		{"tool only", ToolUse("Bash", input),
			[]block{{Type: "tool_use", Name: "Bash", Input: input}}, "tool_use"},
		{"text then tool", AnthropicReply{Text: "Let me write it.", ToolUse: &ToolUseBlock{ID: "toolu_mine", Name: "Write",
			Input: map[string]any{"file_path": "/tmp/a.txt", "content": "hi"}}},
			[]block{{Type: "text", Text: "Let me write it."}, {Type: "tool_use", ID: "toolu_mine", Name: "Write",
				Input: map[string]any{"file_path": "/tmp/a.txt", "content": "hi"}}}, "tool_use"},
		{"nil input", AnthropicReply{ToolUse: &ToolUseBlock{Name: "Read"}},
			[]block{{Type: "tool_use", Name: "Read", Input: map[string]any{}}}, "tool_use"},
		{"text only", AnthropicReply{Text: "plain"}, []block{{Type: "text", Text: "plain"}}, "end_turn"},
		{"zero reply", AnthropicReply{}, []block{{Type: "text", Text: ""}}, "end_turn"},
	}
	for _, tc := range tests {
		api := NewFakeAnthropicFunc(t, func(AnthropicRequest) AnthropicReply { return tc.reply })
		check := func(t *testing.T, got []block, stopReason string) {
			t.Helper()
			if stopReason != tc.stopReason {
				t.Errorf("stop reason %q, want %q", stopReason, tc.stopReason)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("blocks %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				g := got[i]
				if w.ID == "" && g.Type == "tool_use" {
					if !strings.HasPrefix(g.ID, "toolu_") {
						t.Errorf("block %d: generated id %q", i, g.ID)
					}
					g.ID = ""
				}
				gj, _ := json.Marshal(g)
				wj, _ := json.Marshal(w)
				if string(gj) != string(wj) {
					t.Errorf("block %d: %s, want %s", i, gj, wj)
				}
			}
		}
		t.Run(tc.name+"/stream", func(t *testing.T) {
			resp := post(t, api.URL, strings.Replace(claudeStyleRequest, "%s", "true", 1))
			var got []block
			var partial strings.Builder
			stopReason, deltas := "", 0
			for _, ev := range readEvents(t, resp.Body) {
				if ev.Name != ev.Data.Type {
					t.Errorf("event %q carries type %q", ev.Name, ev.Data.Type)
				}
				switch ev.Name {
				case "content_block_start":
					cb := ev.Data.ContentBlock
					if ev.Data.Index != len(got) {
						t.Errorf("block index %d, want %d", ev.Data.Index, len(got))
					}
					if cb.Type == "tool_use" && len(cb.Input) != 0 {
						t.Errorf("tool_use starts with input %v, want {}", cb.Input)
					}
					got = append(got, block{Type: cb.Type, ID: cb.ID, Name: cb.Name})
					partial.Reset()
				case "content_block_delta":
					deltas++
					b := &got[len(got)-1]
					switch {
					case b.Type == "text" && ev.Data.Delta.Type == "text_delta":
						b.Text += ev.Data.Delta.Text
					case b.Type == "tool_use" && ev.Data.Delta.Type == "input_json_delta":
						partial.WriteString(ev.Data.Delta.PartialJSON)
					default:
						t.Errorf("%s delta in a %s block", ev.Data.Delta.Type, b.Type)
					}
				case "content_block_stop":
					if b := &got[len(got)-1]; b.Type == "tool_use" {
						if err := json.Unmarshal([]byte(partial.String()), &b.Input); err != nil {
							t.Errorf("tool input %q: %v", partial.String(), err)
						}
					}
				case "message_delta":
					stopReason = ev.Data.Delta.StopReason
				}
			}
			if tc.reply.ToolUse != nil && len(tc.reply.ToolUse.Input) > 0 && deltas < 2 {
				t.Errorf("only %d deltas", deltas)
			}
			check(t, got, stopReason)
		})
		t.Run(tc.name+"/plain JSON", func(t *testing.T) {
			resp := post(t, api.URL, strings.Replace(claudeStyleRequest, "%s", "false", 1))
			var msg struct {
				Content    []block `json:"content"`
				StopReason string  `json:"stop_reason"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
				t.Fatal(err)
			}
			check(t, msg.Content, msg.StopReason)
		})
	}
}

func TestAnthropicRequestToolResults(t *testing.T) {
	tests := []struct {
		name     string
		messages string
		want     []ToolResult
		lastText string
	}{
		{"no tool results",
			`[{"role":"user","content":"hello"}]`, nil, "hello"},
		{"denied, string content",
			`[{"role":"user","content":"go"},
			  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"touch x"}}]},
			  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"no thanks","is_error":true}]}]`,
			[]ToolResult{{ToolUseID: "toolu_1", Content: "no thanks", IsError: true}}, ""},
		{"block content joined, reminders kept out of LastUserText",
			`[{"role":"user","content":[
				{"type":"tool_result","tool_use_id":"toolu_a","content":[{"type":"text","text":"line 1"},{"type":"image","source":{}},{"type":"text","text":"line 2"}]},
				{"type":"tool_result","tool_use_id":"toolu_b","content":"","is_error":false},
				{"type":"text","text":"<system-reminder>\nx\n</system-reminder>"},
				{"type":"text","text":"and then?"}]},
			  {"role":"system","content":"Available agent types"}]`,
			[]ToolResult{{ToolUseID: "toolu_a", Content: "line 1\nline 2"}, {ToolUseID: "toolu_b"}}, "and then?"},
		{"only the last user message counts",
			`[{"role":"user","content":[{"type":"tool_result","tool_use_id":"old","content":"old"}]},
			  {"role":"assistant","content":"ok"},
			  {"role":"user","content":"fresh"}]`, nil, "fresh"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := parseAnthropicRequest([]byte(`{"model":"m","messages":` + tc.messages + `}`))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(req.ToolResults)
			want, _ := json.Marshal(tc.want)
			if string(got) != string(want) {
				t.Errorf("ToolResults %s, want %s", got, want)
			}
			if req.LastUserText != tc.lastText {
				t.Errorf("LastUserText %q, want %q", req.LastUserText, tc.lastText)
			}
		})
	}
}
