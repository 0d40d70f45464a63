package agent

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// FuzzTranslate feeds arbitrary stdout (one Claude Code line per input line) through the
// stream-json translator the way Agent.handleLine routes it. Whatever claude writes, the
// translator must not panic, and what it sends on must keep its promises: valid UTF-8 on
// every stream; tool lines are single lines of bounded length; assistant text is never more
// than the text that came in (each piece once, plus the blank lines between blocks).
// Seeds: the shapes Claude Code 2.1.197 writes, in testdata/fuzz/FuzzTranslate and below.
func FuzzTranslate(f *testing.F) {
	seeds := [][]string{
		{msgStart("m1"), blockStart(0, "text"), textDelta(0, "Hello "), textDelta(0, "world"), assistantText("m1", "Hello world")},
		{assistantText("m1", "one\n"), assistantText("m2", "two\n\n"), assistantText("m3", "three")},
		{msgStart("m1"), blockStart(0, "text"), textDelta(0, "Hel"), assistantText("m1", "Howdy"), `{"type":"result","is_error":false}`},
		{
			`{"type":"assistant","message":{"id":"m1","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls -la /tmp","description":"list"}}]},"parent_tool_use_id":null}`,
			`{"type":"user","message":{"role":"user","content":[{"tool_use_id":"t1","type":"tool_result","content":"total 96\ndrwx .\ndrwx ..","is_error":false}]},"parent_tool_use_id":null}`,
		},
		{`{"type":"assistant","message":{"id":"s1","content":[{"type":"text","text":"sub"},{"type":"tool_use","name":"Read","input":{"file_path":"/w/a.go"}}]},"parent_tool_use_id":"toolu_9"}`},
		{`{"type":"user","message":{"content":[{"type":"tool_result","content":[{"type":"text","text":"x"},{"type":"image"}]}]},"parent_tool_use_id":"toolu_9"}`},
		{`{"type":"assistant","message":{"id":"e1","content":[{"type":"text","text":"API Error: 500 boom"}]},"parent_tool_use_id":null,"error":"server_error"}`},
		{`{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":601.29,"error_status":500,"error":"server_error"}`},
		{`{"type":"result","is_error":true,"subtype":"error_during_execution","errors":["boom","bang"]}`},
		{`{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"pre"}}}`, `{"type":"user","message":{"content":"plain"}}`},
		{`{"type":"assistant","message":{"id":"m9","content":[{"type":"tool_use","name":"mcp__x\n-> spoof","input":{}}]}}`},
		{`{"type":"assistant","message":{"content":"a string"}}`, `{"type":"assistant","message":[]}`, `not json`, `{"type":5}`},
	}
	for _, lines := range seeds {
		f.Add([]byte(strings.Join(lines, "\n")))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := newTranslator("/w")
		var assistant int
		emit := func(o Output) {
			if !utf8.ValidString(o.Text) {
				t.Fatalf("%s output is not UTF-8: %q", o.Stream, o.Text)
			}
			switch o.Stream {
			case wire.StreamAssistant:
				if o.Text == "" {
					t.Fatal("empty assistant output")
				}
				assistant += len(o.Text)
			case wire.StreamTool:
				if strings.ContainsAny(o.Text, "\r\n") {
					t.Fatalf("tool output is not one line: %q", o.Text)
				}
				// toolLineMax runes, then at most " (+N lines)".
				if n := utf8.RuneCountInString(o.Text); n > toolLineMax+32 {
					t.Fatalf("tool line of %d runes: %q", n, o.Text)
				}
			case wire.StreamToolOutput:
				if len(o.Text) > toolOutputMax+64 || !strings.HasSuffix(o.Text, "\n") || !utf8.ValidString(o.Text) {
					t.Fatalf("tool output of %d bytes, not ending in a newline or not UTF-8: %.80q", len(o.Text), o.Text)
				}
			default:
				t.Fatalf("translator wrote to stream %q", o.Stream)
			}
		}
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var h header
			if json.Unmarshal(line, &h) != nil {
				continue // handleLine shows it as stderr, untranslated
			}
			var ln outLine
			if json.Unmarshal(line, &ln) != nil {
				continue
			}
			_ = tr.translate(&ln, emit) // an error is logged by handleLine; it must not stop us
			switch ln.Type {
			case "result":
				if ln.IsError && !utf8.ValidString(resultError(&ln)) {
					t.Fatalf("result error is not UTF-8")
				}
				tr.reset()
			case "system":
				if ln.Subtype == "api_retry" && !utf8.ValidString(retryNotice(&ln)) {
					t.Fatalf("retry notice is not UTF-8")
				}
			}
		}
		// Each emitted byte stands for decoded input text or a separator of at most 2 bytes
		// per block (a block takes far more than 2 bytes of input). Decoding grows text only
		// where an invalid byte becomes U+FFFD (1 byte to 3).
		if assistant > 3*len(data) {
			t.Fatalf("%d bytes of assistant text from %d bytes of input", assistant, len(data))
		}
	})
}
