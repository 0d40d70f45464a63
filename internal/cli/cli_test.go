package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

func TestIsSubcommand(t *testing.T) {
	cases := []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"concordia://127.0.0.1:8765/abcdefghijklmnopqrstuvwxyz"}, false},
		{[]string{"CONCORDIA://h:1/t"}, false},
		{[]string{"-devserver", "127.0.0.1:1"}, false},
		{[]string{"host"}, true},
		{[]string{"join", "x"}, true},
		{[]string{"key", "status"}, true},
		{[]string{"version"}, true},
		{[]string{"--help"}, true},
		{[]string{"frobnicate"}, true},
	}
	for _, c := range cases {
		if got := IsSubcommand(c.args); got != c.want {
			t.Errorf("IsSubcommand(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}

func TestParseFlagsAnyOrder(t *testing.T) {
	cases := []struct {
		name string
		args []string
		pos  []string
		flag string
	}{
		{"after", []string{"INV", "--name", "bob"}, []string{"INV"}, "bob"},
		{"before", []string{"--name", "bob", "INV"}, []string{"INV"}, "bob"},
		{"around", []string{"--name=bob", "INV", "extra"}, []string{"INV", "extra"}, "bob"},
		{"double dash", []string{"--", "--name"}, []string{"--name"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			name := fs.String("name", "", "")
			pos, err := parseFlags(fs, c.args)
			if err != nil || strings.Join(pos, " ") != strings.Join(c.pos, " ") || *name != c.flag {
				t.Fatalf("got %q name=%q err=%v", pos, *name, err)
			}
		})
	}
}

func TestPrinter(t *testing.T) {
	two := 2
	cases := []struct {
		name string
		evs  []wire.Event
		want string
	}{
		{"join", []wire.Event{{Kind: wire.KindParticipants, Joined: &wire.Member{Name: "bob"}, Count: &two}}, "[party] bob joined (2 in the party)\n"},
		{"prompt sanitised", []wire.Event{{Kind: wire.KindPrompt, Prompt: &wire.Prompt{User: "e\x1b[31mve", Text: "hi\x1b]0;title\a"}}}, "[party] eve: hi\n"},
		{"multi-line notice", []wire.Event{{Kind: wire.KindError, Text: "a\nb"}}, "[error] a\n    b\n"},
		{"streamed text then a notice starts a new line", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hel"},
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "lo"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnDone, DurationMS: 1500}},
		}, "Hello\n[system] claude finished (1.5s)\n"},
		{"tool lines", []wire.Event{{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: ls"}}, "  » Bash: ls\n"},
		{"failed turn", []wire.Event{{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnError, Error: "boom"}}}, "[error] claude's turn failed after 0s: boom\n"},
		{"merged batch", []wire.Event{{Kind: wire.KindBatch, Batch: &wire.Batch{Prompts: []string{"p1", "p2"}, Merger: "local", Merged: "1. x\n2. y"}}}, "[system] sending 2 prompts to claude, merged (local):\n    1. x\n    2. y\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			for _, ev := range c.evs {
				p.event(ev)
			}
			if b.String() != c.want {
				t.Fatalf("got %q, want %q", b.String(), c.want)
			}
		})
	}
}

func TestREPL(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	var sent []string
	in := strings.NewReader("first prompt\n\n/help\n/shell echo local\nsecond\n/quit\nnever sent\n")
	quit := repl(context.Background(), in, pr, func(s string) error { sent = append(sent, s); return nil })
	if !quit || strings.Join(sent, "|") != "first prompt|second" {
		t.Fatalf("quit=%v sent=%q", quit, sent)
	}
	if !strings.Contains(out.String(), "local\n") {
		t.Fatalf("/shell output missing: %q", out.String())
	}
	// End of input is not a quit.
	if repl(context.Background(), strings.NewReader("x\n"), pr, func(string) error { return nil }) {
		t.Fatal("EOF reported as /quit")
	}
	// A cancelled context ends the loop even while input blocks.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r, _ := io.Pipe()
	if repl(ctx, r, pr, func(string) error { return nil }) {
		t.Fatal("cancel reported as /quit")
	}
}

func TestMainUsage(t *testing.T) {
	var out, errb bytes.Buffer
	io := IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }}
	if code := Main(context.Background(), []string{"help"}, io); code != 0 || !strings.Contains(out.String(), "concordia host") {
		t.Fatalf("help: %d %q", code, out.String())
	}
	if code := Main(context.Background(), []string{"host", "--min-prompts", "0"}, io); code != ExitUsage || !strings.Contains(errb.String(), "--min-prompts must be at least 1") {
		t.Fatalf("min-prompts 0: %d %q", code, errb.String())
	}
}
