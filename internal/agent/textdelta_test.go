package agent

import (
	"encoding/json"
	"strings"
	"testing"
)

// The lines the one-pass reader takes, and what it reads from them.
func TestTextDeltaLineReads(t *testing.T) {
	for _, tc := range []struct {
		line  string
		index int
		text  string
	}{
		{textDelta(0, "Hello "), 0, "Hello "},
		{textDelta(12, "x"), 12, "x"},
		{`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#123@4567890123; lorem ipsum dol"}},"session_id":"0b4e5f8c","parent_tool_use_id":null,"uuid":"5a6b"}` + "\n", 0, "#123@4567890123; lorem ipsum dol"},
		{` { "uuid" : "u" , "type" : "stream_event" , "event" : { "delta" : { "text" : "a\nb" , "type" : "text_delta" } , "index" : 3 , "type" : "content_block_delta" } , "parent_tool_use_id" : "" } ` + "\r\n", 3, "a\nb"},
		{textDelta(0, "quote \" back \\ slash / tab \t nul \x00 bell \b ff \f cr \r"), 0, "quote \" back \\ slash / tab \t nul \x00 bell \b ff \f cr \r"},
		{`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u00e9\u4e2d\ud83d\ude00\/"}}}`, 0, "é中😀/"},
		{textDelta(0, "naïve — 中文 😀"), 0, "naïve — 中文 😀"},
		{`{"type":"stream_event","extra":{"a":[1,-2.5e+3,true,false,null,{"b":"c\"d"}],"e":[]},"event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}}`, 0, ""},
	} {
		index, text, ok := textDeltaLine([]byte(tc.line))
		if !ok || index != tc.index || text != tc.text {
			t.Errorf("%s: got %d %q %v, want %d %q", tc.line, index, text, ok, tc.index, tc.text)
		}
	}
}

// Lines it leaves to the typed decoding: other shapes, a subagent's, and anything it is
// not sure it reads as encoding/json does.
func TestTextDeltaLineLeaves(t *testing.T) {
	for _, line := range []string{
		msgStart("m1"),
		blockStart(0, "text"),
		assistantText("m1", "hi"),
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"sub"}},"parent_tool_use_id":"toolu_1"}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":1.0,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":null}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","Text":"b","text":"a"}}}`,
		`{"Type":"stream_event","type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud83d"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"` + "\xff" + `"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"` + "a\tb" + `"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}} x`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}`,
		`{"type":"stream_event","x":tru,"event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","x":[1,],"event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}},}`,
		`{"type":"stream\u005fevent","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event"}`,
		`not json "stream_event"`,
		// Keys encoding/json matches by Unicode case folding: the Kelvin sign is k, ſ is s.
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"content_blocK":{"type":"text"},"delta":{"type":"text_delta","text":"a"}}}`,
		"{\"type\":\"stream_event\",\"parent_tool_uſe_id\":\"toolu_1\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}}",
		`{"type":"stream_event","event":{"type":"content_block_delta","index":1234567890,"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud83d\u0041"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud83d\ude0`,
		`{"type":"stream_event","x":` + strings.Repeat("[", maxSkipDepth+2) + strings.Repeat("]", maxSkipDepth+2) + `,"event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}}`,
	} {
		if index, text, ok := textDeltaLine([]byte(line)); ok {
			t.Errorf("%s: read as %d %q", line, index, text)
		}
	}
}

// Every key of the typed decoding's structs, in any case, is one the scanner reads itself
// or refuses; any other key is skipped.
func TestTextDeltaLineKnowsTheTypedKeys(t *testing.T) {
	for _, k := range []string{"type", "TYPE", "parent_tool_use_id", "event", "index", "delta", "text", "message", "Content_Block"} {
		if plainKey([]byte(k)) {
			t.Errorf("key %q would be skipped", k)
		}
	}
	for _, k := range []string{"session_id", "uuid", "usage", "types"} {
		if !plainKey([]byte(k)) {
			t.Errorf("key %q is refused", k)
		}
	}
}

// FuzzTextDeltaLine: whatever line the one-pass reader takes, encoding/json reads it as
// the same main-agent text delta (the typed decoding, eventLine, that it stands in for).
func FuzzTextDeltaLine(f *testing.F) {
	for _, l := range []string{
		textDelta(0, "Hello "),
		textDelta(7, "a\"b\\c\n\u2028é😀"),
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud83d\ude00\u00e9"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u"}`,
		`{"uuid":{"a":[1,2.5e3,{"b":null}]},"type":"stream_event","event":{"delta":{"text":"x","type":"text_delta"},"index":2,"type":"content_block_delta"},"parent_tool_use_id":""}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"sub"}},"parent_tool_use_id":"toolu_1"}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","TEXT":"a","text":"b"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"content_blocK":{},"delta":{"type":"text_delta","text":"a"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud83d\ude00"}},"x":[[[[{"y":-0.5E-3}]]]]}`,
		msgStart("m1"),
	} {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		index, text, ok := textDeltaLine(line)
		if !ok {
			return
		}
		var el eventLine
		if err := json.Unmarshal(line, &el); err != nil {
			t.Fatalf("%q read as %d %q, but encoding/json: %v", line, index, text, err)
		}
		if el.Type != "stream_event" || (el.ParentToolUseID != nil && *el.ParentToolUseID != "") ||
			el.Event.Type != "content_block_delta" || el.Event.Delta == nil || el.Event.Delta.Type != "text_delta" ||
			el.Event.Index != index || el.Event.Delta.Text != text {
			t.Fatalf("%q read as %d %q, encoding/json reads %+v (delta %+v)", line, index, text, el, el.Event.Delta)
		}
	})
}
