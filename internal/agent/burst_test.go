package agent

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// A burst holds assistant text and sends it as one Output when flushed; any other Output
// sends what is held first, so nothing changes order.
func TestBurstHoldsTextAndKeepsOrder(t *testing.T) {
	var got []Output
	b := &burst{out: func(o Output) { got = append(got, o) }}
	b.emit(Output{Text: "Let me ", Stream: wire.StreamAssistant})
	b.emit(Output{Text: "check.", Stream: wire.StreamAssistant})
	if len(got) != 0 {
		t.Fatalf("text went out before the flush: %+v", got)
	}
	b.emit(Output{Text: "Bash: ls", Stream: wire.StreamTool})
	b.emit(Output{Text: "done", Stream: wire.StreamAssistant})
	b.flush()
	b.flush() // nothing held: nothing sent
	want := []Output{
		{Text: "Let me check.", Stream: wire.StreamAssistant},
		{Text: "Bash: ls", Stream: wire.StreamTool},
		{Text: "done", Stream: wire.StreamAssistant},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("output %d is %+v, want %+v", i, got[i], want[i])
		}
	}
}

// A burst is full at burstMax bytes (the reader then sends it whatever is still waiting),
// and what it sent is not changed by what it holds next (its buffer is reused).
func TestBurstIsBounded(t *testing.T) {
	var got []string
	b := &burst{out: func(o Output) { got = append(got, o.Text) }}
	piece := strings.Repeat("x", 1000)
	for !b.full() {
		b.emit(Output{Text: piece, Stream: wire.StreamAssistant})
	}
	if n := len(b.text); n < burstMax || n >= burstMax+len(piece) {
		t.Fatalf("full at %d bytes, want %d to %d", n, burstMax, burstMax+len(piece))
	}
	b.flush()
	b.emit(Output{Text: "yyyy", Stream: wire.StreamAssistant})
	b.flush()
	if len(got) != 2 || got[0] != strings.Repeat(piece, len(got[0])/len(piece)) || got[1] != "yyyy" {
		t.Fatalf("sent %d outputs; the first changed after it was sent, or the second is %q", len(got), got[len(got)-1])
	}
}

func deltaLine(text string) string {
	return `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"` +
		text + `"}},"session_id":"s","parent_tool_use_id":null}` + "\n"
}

// Lines already waiting when the reader gets to them go out as one Output; a line that
// is not a stream event (here a result, which ends the turn) comes after the text before
// it; text that comes after a wait goes out on its own.
func TestReadLinesMergesWhatIsAlreadyRead(t *testing.T) {
	start := `{"type":"stream_event","event":{"type":"message_start","message":{"id":"m1"}},"session_id":"s","parent_tool_use_id":null}` + "\n" +
		`{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},"session_id":"s","parent_tool_use_id":null}` + "\n"
	burstIn := start + deltaLine("one ") + deltaLine("two ") + deltaLine("three") + `{"type":"result","subtype":"success"}` + "\n"
	pr, pw := io.Pipe()
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- readLines(bufio.NewReaderSize(pr, 64<<10), newTranslator(""), func(o Output) {
			got = append(got, o.Stream+":"+o.Text)
		}, func(line []byte, emit func(Output)) {
			got = append(got, "other:"+strings.TrimSpace(string(line)))
		})
	}()
	pw.Write([]byte(burstIn))            // one read takes it all
	pw.Write([]byte(deltaLine(" four"))) // after the reader has drained the first
	pw.Close()
	if err := <-done; err != io.EOF {
		t.Fatalf("readLines ended with %v, want io.EOF", err)
	}
	want := []string{
		"assistant:one two three",
		`other:{"type":"result","subtype":"success"}`,
		"assistant: four",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}
