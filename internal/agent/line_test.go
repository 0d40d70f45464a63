package agent

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// handleLine routes one stdout line as readLines does, without its burst: a stream event
// in one decoding, anything else through handleOtherLine.
func (a *Agent) handleLine(p *process, tr *translator, line []byte, emit func(Output)) {
	if tr.fastStreamEvent(line, emit) {
		return
	}
	a.handleOtherLine(p, tr, line, emit)
}

// BenchmarkDeltaLine times one streamed text delta as claude writes it (a stream_event
// line of stream-json) from the line to the Output handed to the party: the agent's share
// of every delta's cost on the host.
func BenchmarkDeltaLine(b *testing.B) {
	a := New(Config{})
	tr := newTranslator("/w")
	n := 0
	emit := func(o Output) { n += len(o.Text) }
	for _, l := range []string{
		`{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[]}},"session_id":"s","parent_tool_use_id":null}`,
		`{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},"session_id":"s","parent_tool_use_id":null}`,
	} {
		a.handleLine(nil, tr, []byte(l), emit)
	}
	line := []byte(`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#123@4567890123; lorem ipsum dol"}},"session_id":"0b4e5f8c-8a51-4c5e-9d0e-3f3b0d2a7c11","parent_tool_use_id":null,"uuid":"5a6b7c8d-1e2f-4a3b-8c9d-0e1f2a3b4c5d"}`)
	b.ReportAllocs()
	for b.Loop() {
		a.handleLine(nil, tr, line, emit)
	}
	if n == 0 {
		b.Fatal("no output")
	}
}

// A line that is not JSON is shown on the stderr stream; a JSON line with a field of an
// unexpected type is logged and skipped, and a result line like that still ends the turn
// (here there is none, so it is logged as outside one).
func TestHandleLineOddLines(t *testing.T) {
	var logged strings.Builder
	a := New(Config{Logger: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	tr := newTranslator("/w")
	var outs []Output
	emit := func(o Output) { outs = append(outs, o) }

	a.handleLine(nil, tr, []byte("Warning: something odd\n"), emit)
	if len(outs) != 1 || outs[0].Stream != wire.StreamStderr || outs[0].Text != "Warning: something odd" {
		t.Fatalf("a line that is not JSON gave %+v", outs)
	}
	a.handleLine(nil, tr, []byte(`{"type":"assistant","message":{"id":"m"},"is_error":"yes"}`), emit)
	if len(outs) != 1 || !strings.Contains(logged.String(), "decode claude line") || !strings.Contains(logged.String(), "type=assistant") {
		t.Fatalf("an odd assistant line: outputs %+v, log %q", outs, logged.String())
	}
	a.handleLine(nil, tr, []byte(`{"type":"result","is_error":"nope"}`), emit)
	if !strings.Contains(logged.String(), "claude result outside a turn") {
		t.Fatalf("an odd result line did not end the turn: log %q", logged.String())
	}
}

// The one-pass way for stream_event lines (fastStreamEvent) does what the general way
// (outLine, then translate) does with every line both can read: the same outputs, in
// order. Lines it does not take go the general way, errors and all.
func FuzzStreamEventFastPath(f *testing.F) {
	for _, l := range []string{
		textDelta(0, "Hello "),
		textDelta(1, "other block"),
		blockStart(0, "text"),
		`{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"pre"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"sub"}},"parent_tool_use_id":"toolu_1"}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":"x","delta":{"type":"text_delta","text":"odd"}}}`,
		`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}},"session_id":5}`,
		`{"type":"stream_event","event":[]}`,
		`{"type":"assistant","message":{"id":"m1","content":[{"type":"text","text":"stream_event"}]}}`,
		msgStart("m2"),
	} {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\n") {
			return // handleLine gets one line at a time
		}
		start := []string{msgStart("m1"), blockStart(0, "text")}
		var fast, general []Output
		trF, trG := newTranslator("/w"), newTranslator("/w")
		for _, l := range start {
			var ln outLine
			if err := json.Unmarshal([]byte(l), &ln); err != nil {
				t.Fatal(err)
			}
			trF.translate(&ln, func(Output) {})
			trG.translate(&ln, func(Output) {})
		}
		if !trF.fastStreamEvent(line, func(o Output) { fast = append(fast, o) }) {
			return
		}
		var ln outLine
		if json.Unmarshal(line, &ln) != nil {
			// The general way drops the whole line for an odd field the event does not
			// need (say "session_id":5); the fast way shows the delta, on purpose.
			return
		}
		trG.translate(&ln, func(o Output) { general = append(general, o) })
		if len(fast) != len(general) {
			t.Fatalf("line %q: fast way %+v, general way %+v", line, fast, general)
		}
		for i := range fast {
			if fast[i] != general[i] {
				t.Fatalf("line %q: fast way %+v, general way %+v", line, fast, general)
			}
		}
	})
}
