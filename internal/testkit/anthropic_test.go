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
