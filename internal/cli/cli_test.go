package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/transcript"
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
		// A removal's withdrawals are the removal's, not a host's by hand (a tester's).
		{"a removed member's prompts go with them", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "carol", Text: "carol p1"}},
			{Kind: wire.KindSystem, Text: "alice removed carol from the party (carol's waiting prompt is withdrawn)"},
			{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "carol", By: "alice"}},
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "bob", Text: "bob p2"}},
			{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p2", User: "bob", By: "alice"}},
		}, "[party] carol: carol p1\n[system] alice removed carol from the party (carol's waiting prompt is withdrawn)\n[party] carol's prompt goes with them: carol p1 (it will not be sent)\n[party] bob: bob p2\n[party] alice withdrew bob's prompt: bob p2 (it will not be sent)\n"},
		{"tool lines", []wire.Event{{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: ls"}}, "  » Bash: ls\n"},
		{"a tool's whole output is left to views that fold it", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "-> a (+1 lines)\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamToolOutput, Text: "a\nb\n"},
		}, "  » -> a (+1 lines)\n"},
		{"failed turn", []wire.Event{{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnError, Error: "boom"}}}, "[error] claude's turn failed after under 0.1s: boom\n"},
		// A cut turn's time is a lower bound, said only when it says something (a tester
		// read "after at least under 0.1s").
		{"a cut turn not run again", []wire.Event{
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnError, DurationMS: 4300, Error: party.NotRunAgain}},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnError, DurationMS: 40, Error: party.NotRunAgain}},
		}, "[system] the turn cut short when the host stopped (after at least 4.3s) is not run again: the party was resumed without it\n[system] the turn cut short when the host stopped is not run again: the party was resumed without it\n"},
		{"a failed turn is said once: its 'the batch failed' error repeats it", []wire.Event{
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnError, Error: "claude failed twice: exit 3"}},
			{Kind: wire.KindError, Text: "the batch failed: claude failed twice: exit 3"},
			{Kind: wire.KindError, Text: "the batch failed: something else"},
		}, "[error] claude's turn failed after under 0.1s: claude failed twice: exit 3\n[error] the batch failed: something else\n"},
		{"a retry: the agent died, or the host was resumed", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hal"},
			{Kind: wire.KindRetry, RetryBatch: "b1"},
			{Kind: wire.KindRetry, RetryBatch: "b2", Resumed: true},
		}, "Hal\n[system] the partial reply above is void: claude is answering that batch again\n[system] the host stopped before claude answered that batch: claude answers it again\n"},
		{"a resumed retry after a partial reply voids it", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hal"},
			{Kind: wire.KindRetry, RetryBatch: "b2", Resumed: true},
		}, "Hal\n[system] the partial reply above is void: the host stopped before it finished; claude answers that batch again\n"},
		{"a retry before the agent wrote anything voids nothing", []wire.Event{
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}}},
			{Kind: wire.KindError, Text: "claude stopped unexpectedly: claude exited (exit status 3)"},
			{Kind: wire.KindRetry, RetryBatch: "b1"},
			{Kind: wire.KindSystem, Text: "restarting claude and retrying the batch"},
		}, "[system] sending the prompt to claude\n[error] claude stopped unexpectedly: claude exited (exit status 3)\n[system] restarting claude and retrying the batch\n"},
		{"claude's exit between turns is a note: it starts again with the next batch", []wire.Event{
			{Kind: wire.KindError, Text: "claude exited (signal: killed)" + host.IdleExitNotice},
		}, "[system] claude was killed (SIGKILL)" + host.IdleExitNotice + "\n"},
		{"a signal that ended claude is said in words, not Go's", []wire.Event{
			{Kind: wire.KindError, Text: "claude stopped unexpectedly: claude exited (signal: segmentation fault (core dumped)); stderr: boom"},
		}, "[error] claude stopped unexpectedly: claude crashed (SIGSEGV, core dumped); stderr: boom\n"},
		{"stderr is labelled as such", []wire.Event{{Kind: wire.KindOutput, Stream: wire.StreamStderr, Text: "warning: x\n"}}, "[stderr] warning: x\n"},
		{"merged batch: who asked what, not the merger's text", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "fix the login bug"}},
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "bob", Text: "Traceback (most recent call last):\n  File x\nValueError"}},
			{Kind: wire.KindBatch, Batch: &wire.Batch{Prompts: []string{"p1", "p2"}, Merger: "local", Merged: "You are given requests from several people…\n1. x\n2. y"}},
		}, "[party] ann: fix the login bug\n[party] bob: Traceback (most recent call last):\n      File x\n    ValueError\n[system] sending 2 prompts to claude, merged (local):\n    ann: fix the login bug\n    bob: Traceback (most recent call last): (+2 lines)\n    (/show prints the merged text)\n"},
		{"the same notice twice in a row is printed once", []wire.Event{{Kind: wire.KindSystem, Text: "the host ended the party"}, {Kind: wire.KindSystem, Text: "the host ended the party"}}, "[system] the host ended the party\n"},
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

// Google refused the host's Gemini key: the host's own terminal is told where it replaces
// it, a joined member only what happens (a tester's participant read "it comes from
// GEMINI_API_KEY: set it to a working key, then resume the party"). Refused for this use
// only, the host's terminal is told what to change on Google's side, a member only that
// the party merges locally until the host fixes it. An event journaled with the way in
// it (before 2026-12-07), or with Google's advice (before 2026-12-08), is printed as it
// was, not with it twice.
func TestOnlyTheHostIsToldHowToReplaceARefusedKey(t *testing.T) {
	const refused = "Gemini refused the host's API key; merging locally until the host replaces it"
	const denied = "Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED); merging locally until the host fixes it"
	const advice = "enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again"
	const deniedBefore = "Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED): " + advice + ". Merging locally for the rest of this party, or until the host replaces the key"
	const old = refused + " (concordia key set)"
	const env = "it comes from GEMINI_API_KEY: set it to a working key, then resume the party"
	for _, c := range []struct {
		name, hint, want string
	}{
		{"the host's terminal", env, "[error] " + refused + " (" + env + ")\n[error] " + denied + ": " + advice + "\n[error] " + old + "\n[error] " + deniedBefore + " (" + env + ")\n"},
		{"a joined member's", "", "[error] " + refused + "\n[error] " + denied + "\n[error] " + old + "\n[error] " + deniedBefore + "\n"},
	} {
		var b bytes.Buffer
		p := newPrinter(&b)
		p.keyHint = c.hint
		for _, text := range []string{refused, denied, old, deniedBefore} {
			p.event(wire.Event{Kind: wire.KindError, Text: text})
		}
		if b.String() != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, b.String(), c.want)
		}
	}
}

// TestHistoryNewsWaitsForTheLine: in a replayed history, where nothing prints above the
// reply's unfinished line, news beside it waits for the line's end (a tester's replay cut
// a reply's line in two with "bob joined"), however long it takes: a history prints at
// once. Live, see TestLiveNewsKeepsTheLineWhole.
func TestHistoryNewsWaitsForTheLine(t *testing.T) {
	two := 2
	cases := []struct {
		name string
		evs  []wire.Event
		want string
	}{
		{"a join while a line streams waits for its end", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hel"},
			{Kind: wire.KindParticipants, Joined: &wire.Member{Name: "bob"}, Count: &two},
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{User: "bob", Text: "hi"}},
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "lo\nwor"},
			{Kind: wire.KindParticipants, Left: &wire.Member{Name: "bob"}, Count: &two},
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "ld"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnDone, DurationMS: 1500}},
		}, "Hello\n[party] bob joined (2 in the party)\n[party] bob: hi\nworld\n[party] bob left (2 in the party)\n[system] claude finished (1.5s)\n"},
		{"news at a line's start is printed at once", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hello\n"},
			{Kind: wire.KindParticipants, Joined: &wire.Member{Name: "bob"}, Count: &two},
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "\nworld"},
			{Kind: wire.KindParticipants, Joined: &wire.Member{Name: "carol"}, Count: &two},
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "\n"},
		}, "Hello\n[party] bob joined (2 in the party)\n\nworld\n[party] carol joined (2 in the party)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.historyStart(1)
			for _, ev := range c.evs {
				p.event(ev)
			}
			if want := "— earlier in this party —\n" + c.want; b.String() != want {
				t.Fatalf("got %q, want %q", b.String(), want)
			}
		})
	}
}

// TestLiveNewsKeepsTheLineWhole: live, in plain output (a pipe, TERM=dumb), news beside the
// agent's unfinished line waits for the line's end, as the line editor keeps the line whole
// by printing above it: a tester's piped join read "one " / "[you] inter: inter 1" / "two
// three " … of one streamed line. It waits asidePatience at most (a script reading the
// output waits for it: a browser test's participant waited 30 s for a withdrawal, held
// until a slow reply's line ended, in a first version); then the line is ended, the news
// printed, and the line printed again, whole, when the agent goes on with it. An answer to
// this terminal's own command does not wait, and the line goes on whole after it too.
func TestLiveNewsKeepsTheLineWhole(t *testing.T) {
	old := asidePatience
	asidePatience = time.Hour // asideDue is called by hand below
	t.Cleanup(func() { asidePatience = old })
	start := func() (*printer, *bytes.Buffer) {
		var b bytes.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "inter", Role: wire.RoleParticipant}})
		p.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p0", User: "bob", Member: "m2", Text: "bob p0"}})
		b.Reset()
		return p, &b
	}
	say := func(p *printer, text string) {
		p.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: text})
	}
	prompt := func(p *printer, id, text string) {
		p.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "inter", Member: "m1", Text: text}})
	}
	theirs := func(p *printer, id, text string) { // another member's: news that waits
		p.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "bob", Member: "m2", Text: text}})
	}
	t.Run("until the line ends", func(t *testing.T) {
		p, b := start()
		say(p, "one ")
		prompt(p, "p1", "inter 1")
		say(p, "two three ")
		p.event(wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p0", User: "bob", By: "hazel"}})
		say(p, "four\nfive")
		prompt(p, "p2", "inter 2")
		p.event(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnDone, DurationMS: 1500}})
		// Another's news waits for the line's end; one's own prompt is said at once, as a
		// script waits for it (an e2e test's /withdraw came after the batch), and the line
		// is printed again, whole, when the agent goes on with it.
		want := "one \n[you] inter: inter 1\none two three four\n[party] hazel withdrew bob's prompt: bob p0 (it will not be sent)\n" +
			"five\n[you] inter: inter 2\n[system] claude finished (1.5s)\n"
		if b.String() != want {
			t.Fatalf("got %q, want %q", b.String(), want)
		}
	})
	t.Run("no longer than its patience", func(t *testing.T) {
		p, b := start()
		say(p, "one ")
		theirs(p, "p1", "bob 1")
		p.asideDue() // asidePatience passed
		say(p, "two ")
		theirs(p, "p2", "bob 2")
		p.asideDue()
		say(p, "three\n")
		want := "one \n[party] bob: bob 1\none two \n[party] bob: bob 2\none two three\n"
		if b.String() != want {
			t.Fatalf("got %q, want %q", b.String(), want)
		}
	})
	t.Run("an answer is printed at once", func(t *testing.T) {
		p, b := start()
		say(p, "Hel")
		prompt(p, "p1", "inter 1")
		p.reply("system", "3 in the party: you, bob, eve")
		say(p, "lo\n")
		want := "Hel\n[you] inter: inter 1\n[system] 3 in the party: you, bob, eve\nHello\n"
		if b.String() != want {
			t.Fatalf("got %q, want %q", b.String(), want)
		}
	})
	// A line the cut found whole (the agent's next text starts a line) is not printed
	// again, and the blank line after it stays: a reviewer's read "First paragraph." twice,
	// and the paragraphs run together.
	t.Run("a whole line is not printed again", func(t *testing.T) {
		for _, c := range []struct{ name, next, want string }{
			{"a paragraph", "\n\nSecond paragraph.\n", "First paragraph.\n[system] answer\n\nSecond paragraph.\n"},
			{"a line", "\nSecond line.\n", "First paragraph.\n[system] answer\nSecond line.\n"},
			{"only its end", "\n", "First paragraph.\n[system] answer\n"},
		} {
			t.Run(c.name+", after an answer", func(t *testing.T) {
				p, b := start()
				say(p, "First paragraph.")
				p.reply("system", "answer")
				say(p, c.next)
				if b.String() != c.want {
					t.Fatalf("got %q, want %q", b.String(), c.want)
				}
			})
			t.Run(c.name+", after its patience", func(t *testing.T) {
				p, b := start()
				say(p, "First paragraph.")
				p.event(wire.Event{Kind: wire.KindSystem, Text: "answer"})
				p.asideDue()
				say(p, c.next)
				if b.String() != c.want {
					t.Fatalf("got %q, want %q", b.String(), c.want)
				}
			})
		}
	})
	// A timer that fired as the line ended, its wait over, does not cut the line under the
	// next news: that news has its own patience.
	t.Run("a stale timer does not cut the line", func(t *testing.T) {
		asidePatience = time.Millisecond
		defer func() { asidePatience = time.Hour }()
		var b testkit.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "inter", Role: wire.RoleParticipant}})
		say(p, "one ")
		theirs(p, "p1", "bob 1")
		p.mu.Lock()
		stale := p.asideTimer
		for stale.Stop() { // not fired yet: again, until it has (its func waits for mu)
			stale.Reset(time.Millisecond)
			time.Sleep(2 * time.Millisecond)
		}
		asidePatience = time.Hour
		p.output(wire.StreamAssistant, "two\nthree ")
		p.eventLocked(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "bob", Member: "m2", Text: "bob 2"}})
		p.mu.Unlock()
		time.Sleep(50 * time.Millisecond) // the stale timer's func runs
		say(p, "four\n")
		if want := "one two\n[party] bob: bob 1\nthree four\n[party] bob: bob 2\n"; b.String() != want {
			t.Fatalf("got %q, want %q", b.String(), want)
		}
	})
	t.Run("timed", func(t *testing.T) {
		asidePatience = 20 * time.Millisecond
		defer func() { asidePatience = time.Hour }()
		var b testkit.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "inter", Role: wire.RoleParticipant}})
		say(p, "one ")
		theirs(p, "p1", "bob 1")
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(b.String(), "bob 1"); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the news waited past its patience: %q", b.String())
			}
		}
		if want := "one \n[party] bob: bob 1\n"; b.String() != want {
			t.Fatalf("got %q, want %q", b.String(), want)
		}
	})
}

// fakeControl records host calls.
type fakeControl struct {
	calls      []string
	kicking    func()       // runs on a goroutine of its own after a Kick (the host's events)
	deciding   func() error // when set, a Decide's answer (after it is recorded)
	approveErr error        // when set, Approve's answer (after it is recorded)
}

func (f *fakeControl) rec(s string) error { f.calls = append(f.calls, s); return nil }
func (f *fakeControl) SetApproval(_ context.Context, on bool) error {
	return f.rec(fmt.Sprintf("approval %v", on))
}
func (f *fakeControl) SetPermissionMode(_ context.Context, mode string) error {
	return f.rec("permissions " + mode)
}
func (f *fakeControl) Approve(_ context.Context, b string, text *string) error {
	if text != nil {
		f.rec("approve " + b + " " + *text)
	} else {
		f.rec("approve " + b)
	}
	return f.approveErr
}
func (f *fakeControl) Reject(_ context.Context, b, r string) error {
	return f.rec("reject " + b + " " + r)
}
func (f *fakeControl) Interrupt(context.Context) error { return f.rec("interrupt") }
func (f *fakeControl) SendNow(context.Context) error   { return f.rec("send now") }
func (f *fakeControl) Editing(_ context.Context, b string, on bool) error {
	return f.rec(fmt.Sprintf("editing %s %v", b, on))
}
func (f *fakeControl) Decide(_ context.Context, id, d, r string) error {
	err := f.rec("decide " + id + " " + d + " " + r)
	if f.deciding != nil {
		err = f.deciding()
	}
	return err
}
func (f *fakeControl) SetRole(_ context.Context, m, r string) error {
	return f.rec("role " + m + " " + r)
}
func (f *fakeControl) Kick(_ context.Context, m, r string) error {
	if f.kicking != nil {
		go f.kicking()
	}
	return f.rec("kick " + m + " " + r)
}
func (f *fakeControl) RotateInvite(context.Context) (wire.Invites, error) {
	return wire.Invites{Invite: "concordia://new", ViewerInvite: "concordia://newview"}, f.rec("rotate")
}
func (f *fakeControl) AgentCommand(_ context.Context, c string) error { return f.rec("agent " + c) }
func (f *fakeControl) RevokeAlways(_ context.Context, t string) error { return f.rec("revoke " + t) }
func (f *fakeControl) Invites(_ context.Context) (wire.Invites, error) {
	return wire.Invites{Invite: "concordia://h:1/a?fp=x", ViewerInvite: "concordia://h:1/b?fp=x"}, f.rec("invites")
}

var _ party.Controller = (*fakeControl)(nil)

// newCommander is a terminal whose member has role, with two others in the party.
func newCommander(role string) (*commander, *fakeControl, *[]string, *bytes.Buffer) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: role}, State: wire.State{Participants: []wire.Member{
		{ID: "m1", Name: "me", Role: role}, {ID: "m2", Name: "Bob", Role: wire.RoleParticipant}, {ID: "m3", Name: "eve", Role: wire.RoleViewer},
	}}})
	ctl := &fakeControl{}
	var sent []string
	c := &commander{pr: pr, ctl: ctl, describe: describe,
		prompt: func(_ context.Context, s string) (wire.PromptResult, error) {
			sent = append(sent, s)
			return wire.PromptResult{}, nil
		}}
	return c, ctl, &sent, &out
}

// In the line editor, a prompt the host refused is named and put back in the box (a
// tester's burst of prompts got alike lines, and the texts were gone).
func TestRefusedPromptComesBack(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.editor = true
	c.prompt = func(context.Context, string) (wire.PromptResult, error) {
		return wire.PromptResult{}, fmt.Errorf("%w: the party has ended", party.ErrClosed)
	}
	var given []string
	c.pr.setInputSink(func(text string) { given = append(given, text) })
	c.line(context.Background(), "fast 13")
	if !strings.Contains(out.String(), `prompt not sent ("fast 13"): `) || !strings.Contains(out.String(), "(it is back in the box)") || !slices.Equal(given, []string{"fast 13"}) {
		t.Fatalf("output %q, given back %q", out.String(), given)
	}
}

func TestREPL(t *testing.T) {
	c, _, sent, out := newCommander(wire.RoleParticipant)
	in := strings.NewReader("first prompt\n\n/help\n/shell echo local\nsecond\n/quit\nnever sent\n")
	quit := repl(context.Background(), in, nil, c.pr, c.line)
	if !quit || strings.Join(*sent, "|") != "first prompt|second" {
		t.Fatalf("quit=%v sent=%q", quit, *sent)
	}
	if !strings.Contains(out.String(), "local\n") {
		t.Fatalf("/shell output missing: %q", out.String())
	}
	// End of input is not a quit.
	if repl(context.Background(), strings.NewReader("x\n"), nil, c.pr, c.line) {
		t.Fatal("EOF reported as /quit")
	}
	// A cancelled context ends the loop even while input blocks.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r, _ := io.Pipe()
	if repl(ctx, r, nil, c.pr, c.line) {
		t.Fatal("cancel reported as /quit")
	}
}

// A command typed after a refused line that was given back is refused too: a terminal
// tester's /foo was refused and given back, then "/quit now" was typed after it, and
// "/foo/quit now" went to claude as a prompt. A path after it is a prompt, as any.
func TestACommandTypedAfterARefusedLine(t *testing.T) {
	for _, tc := range []struct {
		second, wantSent, wantOut string
	}{
		{"/foo/quit now", "", `/quit was typed after "/foo", which was refused and given back; clear the line (Ctrl-U) first`},
		{"/foo/who", "", `/who was typed after "/foo"`},
		{"/foo/bar is a path", "/foo/bar is a path", ""},
		{"/foo is what I meant", "", "unknown command /foo"}, // as before: // sends it
	} {
		c, _, sent, out := newCommander(wire.RoleParticipant)
		c.pr.setInputSink(func(string) {}) // a line editor, which takes the refused line back
		if c.line(context.Background(), "/foo") || c.line(context.Background(), tc.second) {
			t.Fatalf("%q: quit", tc.second)
		}
		if got := strings.Join(*sent, "|"); got != tc.wantSent {
			t.Errorf("%q: sent %q, want %q", tc.second, got, tc.wantSent)
		}
		if !strings.Contains(out.String(), tc.wantOut) {
			t.Errorf("%q: output %q lacks %q", tc.second, out.String(), tc.wantOut)
		}
	}
	// Only right after the refusal: later, /foo/quit is a path like any.
	c, _, sent, _ := newCommander(wire.RoleParticipant)
	c.pr.setInputSink(func(string) {})
	for _, l := range []string{"/foo", "hello", "/foo/quit now"} {
		c.line(context.Background(), l)
	}
	if got := strings.Join(*sent, "|"); got != "hello|/foo/quit now" {
		t.Errorf("sent %q", got)
	}
	// Nor where nothing was given back (a script's lines, no line editor: a reviewer's).
	c, _, sent, _ = newCommander(wire.RoleParticipant)
	for _, l := range []string{"/foo", "/foo/who"} {
		c.line(context.Background(), l)
	}
	if got := strings.Join(*sent, "|"); got != "/foo/who" {
		t.Errorf("a script's lines: sent %q", got)
	}
}

// Nor does a prompt with the // escape, a command this member may not run, or a mistyped
// one get past the guard: a terminal tester's refused "/alow", then "//etc/hosts is the
// file to read", went to claude as "/alow//etc/hosts is the file to read", and several
// refused commands typed ahead, then "//literal", sent the whole glued line.
func TestAnEscapeTypedAfterARefusedLine(t *testing.T) {
	for _, tc := range []struct {
		name, role string
		lines      []string
		wantSent   string
		wantOut    []string
	}{
		{"an escaped prompt", wire.RoleHost, []string{"/alow", "/alow//etc/hosts is the file to read"}, "",
			[]string{`"//etc/hosts" was typed after "/alow", which was refused and given back; clear the line (Ctrl-U) first`}},
		{"typed ahead", wire.RoleHost, []string{"/alow", "/alow/aprove", "/alow/aprove//literal"}, "",
			[]string{`/aprove was typed after "/alow"`, `"//literal" was typed after "/alow/aprove"`}},
		{"a host's command, of a participant", wire.RoleParticipant, []string{"/alow", "/alow/role bob viewer", "/alow/role bob viewer//literal"}, "",
			[]string{`/role was typed after "/alow"`, `"//literal" was typed after "/alow/role bob viewer"`}},
		{"the same mistake again", wire.RoleParticipant, []string{"/alow", "/alow/alow"}, "", []string{`/alow was typed after "/alow"`}},
		{"after a lone /", wire.RoleParticipant, []string{"/", "//who"}, "", []string{`/who was typed after "/"`}},
		{"an escape after a lone /", wire.RoleParticipant, []string{"/", "///etc/hosts"}, "", []string{`"//etc/hosts" was typed after "/"`}},
		{"corrected with //", wire.RoleParticipant, []string{"/alow", "//alow is the word"}, "/alow is the word", nil},
		{"a path", wire.RoleHost, []string{"/src", "/src/main.go is broken"}, "/src/main.go is broken", nil},
		// Run on from a refused command's word, a path or words are not (a tester's
		// "/alowsrc/x is broken" and "/alow/src/x is broken" went to claude).
		{"words run on", wire.RoleParticipant, []string{"/alow", "/alowsrc/x is broken"}, "",
			[]string{`"src/x" was typed after "/alow", which was refused and given back; clear the line (Ctrl-U) first`}},
		{"a path run on from a mistyped command", wire.RoleHost, []string{"/alow", "/alow/src/x is broken"}, "",
			[]string{`"/src/x" was typed after "/alow"`}},
		{"after a space, the refused word again", wire.RoleHost, []string{"/alow", "/alow /src/x is broken"}, "",
			[]string{`unknown command /alow`}},
		// The word finished into a command, or given its extension, is the correction the
		// refusal asks for (a reviewer's /wh then "o", /README then ".md").
		{"a command's word finished", wire.RoleParticipant, []string{"/wh", "/who"}, "", []string{"in the party"}},
		{"a name given its extension", wire.RoleParticipant, []string{"/README", "/README.md is out of date"}, "/README.md is out of date", nil},
		{"a path after a word near a host's command, of a participant", wire.RoleParticipant, []string{"/shared", "/shared/docs/a.md is wrong"}, "/shared/docs/a.md is wrong", nil},
	} {
		c, _, sent, out := newCommander(tc.role)
		c.pr.setInputSink(func(string) {})
		for _, l := range tc.lines {
			if c.line(context.Background(), l) {
				t.Fatalf("%s: %q quit", tc.name, l)
			}
		}
		if got := strings.Join(*sent, "|"); got != tc.wantSent {
			t.Errorf("%s: sent %q, want %q", tc.name, got, tc.wantSent)
		}
		for _, w := range tc.wantOut {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output %q lacks %q", tc.name, out.String(), w)
			}
		}
	}
}

func TestCommandsOfAParticipant(t *testing.T) {
	tests := []struct {
		line     string
		wantSent string // "" = nothing sent
		wantOut  string
	}{
		{"/clear", "", "unknown command /clear; nothing was sent"},
		{"/compact now", "", "unknown command /compact"},
		{"/stop", "", "/stop is for hosts; nothing was sent"},
		{"/allow", "", "/allow is for hosts"},
		{"//clear the cache", "/clear the cache", ""},
		{"/etc/hosts has a typo", "/etc/hosts has a typo", ""},
		// A command's word with a mark stuck to it is not sent (a tester's "/deny, too
		// risky" and "/stop!" went to claude for everyone to see); a path still is.
		{"/deny, too risky", "", `"/deny," is not a command: a command's word ends at a space (/deny …); nothing was sent`},
		{"/stop!", "", `"/stop!" is not a command`},
		{"/who?", "", `"/who?" is not a command`},
		{"/invite/share off", "", `"/invite/share" is not a command`},
		{"/share/data is empty", "/share/data is empty", ""},
		{"/tree/main.go looks odd", "/tree/main.go looks odd", ""},
		{"/usr/bin/env is missing", "/usr/bin/env is missing", ""},
		// Mistyped commands (a tester's): a word near one, a lone /, a space after the /.
		{"/hlep", "", "unknown command /hlep (did you mean /help?); nothing was sent"},
		{"/aprove", "", "unknown command /aprove; nothing was sent"}, // a host's: not offered
		{"/", "", "a lone / is not a command; nothing was sent"},
		{"/ who", "", `"/ who" is not a command (did you mean /who?); nothing was sent`},
		{"/ is the root", "/ is the root", ""},
		{"/who", "", "3 in the party:\n    me (participant) — you\n    Bob (participant)\n    eve (viewer)"},
		{"/help", "", "/who"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			c, ctl, sent, out := newCommander(wire.RoleParticipant)
			if c.line(context.Background(), tc.line) {
				t.Fatal("quit")
			}
			if got := strings.Join(*sent, "|"); got != tc.wantSent {
				t.Errorf("sent %q, want %q", got, tc.wantSent)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tc.wantOut)
			}
			if len(ctl.calls) != 0 {
				t.Errorf("a participant reached host controls: %v", ctl.calls)
			}
		})
	}
	h, _, _, hout := newCommander(wire.RoleHost)
	for _, line := range []string{"/aprove", "/alow", "/kik bob"} {
		h.line(context.Background(), line)
	}
	for _, want := range []string{"unknown command /aprove (did you mean /approve?)", "unknown command /alow (did you mean /allow?)", "unknown command /kik (did you mean /kick?)"} {
		if !strings.Contains(hout.String(), want) {
			t.Errorf("a host's mistyped command: output lacks %q:\n%s", want, hout.String())
		}
	}
	// Never a command that ends the party, nor a far guess at a short word (a reviewer's
	// /init and /edit were "did you mean /exit?", /hi "/who").
	hout.Reset()
	for _, line := range []string{"/init", "/edit", "/hi", "/quti"} {
		h.line(context.Background(), line)
	}
	if strings.Contains(hout.String(), "did you mean") {
		t.Errorf("a guess where none fits:\n%s", hout.String())
	}
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.line(context.Background(), "/help")
	if strings.Contains(out.String(), "/approve") || strings.Contains(out.String(), "/kick") {
		t.Errorf("a participant's /help lists host commands: %q", out.String())
	}
	// A viewer is not told to type prompts.
	v, _, _, vout := newCommander(wire.RoleViewer)
	v.line(context.Background(), "/help")
	if h := vout.String(); strings.Contains(h, "type a prompt") || strings.Contains(h, "each line is one prompt") || !strings.Contains(h, "you are a viewer") {
		t.Errorf("a viewer's /help: %q", h)
	}
	if h := vout.String(); strings.Contains(h, "/withdraw") {
		t.Errorf("a viewer with nothing to take back is offered /withdraw: %q", h)
	}
	if h := out.String(); !strings.Contains(h, "/withdraw") {
		t.Errorf("a participant's /help lacks /withdraw: %q", h)
	}
	// A viewer made one with a prompt still waiting may take it back: it is listed.
	v.pr.event(wire.Event{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "me", Member: "m1", Text: "from before"}})
	vout.Reset()
	v.line(context.Background(), "/help")
	if !strings.Contains(vout.String(), "/withdraw") {
		t.Errorf("a viewer with a waiting prompt is not offered /withdraw: %q", vout.String())
	}
	if p := placeholder(wire.RoleViewer); strings.Contains(p, "type a prompt") {
		t.Errorf("a viewer's input line says %q", p)
	}
}

// TestHelpFitsTheTerminal: in a terminal, /help's rows are wrapped at spaces to its
// width, beside the commands or under them (a tester's 100-column terminal cut them
// mid-word: "(hosts chang" / "e it)").
func TestHelpFitsTheTerminal(t *testing.T) {
	for _, width := range []int{100, 60} {
		for _, role := range []string{wire.RoleHost, wire.RoleParticipant} {
			c, _, _, out := newCommander(role)
			c.editor = true
			c.pr.width = func() int { return width }
			c.line(context.Background(), "/help")
			got := out.String()
			for _, l := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
				if n := len([]rune(l)); n > width-1 {
					t.Errorf("%s at %d columns: a line of %d: %q", role, width, n, l)
				}
			}
			// At 60 columns every command is on a line of its own, its help under it.
			if width == 60 && !strings.Contains(got, "\n    /who\n      list the members") {
				t.Errorf("%s at 60 columns: /who is not on a line of its own:\n%s", role, got)
			}
			// No word is cut: every word of every row is there whole.
			flat := strings.Join(strings.Fields(got), " ")
			for n, cmd := range commands {
				if cmd.host && role != wire.RoleHost || n == "retry" {
					continue
				}
				help := cmd.help
				if g, ok := forGuests[n]; ok && role != wire.RoleHost {
					help = g[1]
				}
				if g, ok := guestHelp[n]; ok && role != wire.RoleHost {
					help = g
				}
				if !strings.Contains(flat, strings.Join(strings.Fields(help), " ")) {
					t.Errorf("%s at %d columns: /%s's help is not whole in:\n%s", role, width, n, got)
				}
			}
		}
	}
}

// TestWhoNamesTheOwner: co-hosts are hosts too, and /who listed the owner like them (a
// tester could not tell whose computer the agent runs on), and a co-host as "host" where
// /role and the notices say "co-host" (another tester's).
func TestWhoNamesTheOwner(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.pr.with(func(r *roster) {
		r.host = "Bob"
		for i := range r.members {
			if r.members[i].Name == "Bob" {
				r.members[i].Role = wire.RoleHost
			}
		}
	})
	c.line(context.Background(), "/who")
	if got := out.String(); !strings.Contains(got, "me (co-host) — you") || !strings.Contains(got, "Bob (host, the party's owner)") {
		t.Errorf("/who:\n%s", got)
	}
}

// TestAnyoneAsksThePermissions: the tool permissions are said at the join and at each
// change, which scroll away; a participant or viewer may ask for them, and only a host
// changes them.
func TestAnyoneAsksThePermissions(t *testing.T) {
	for _, role := range []string{wire.RoleParticipant, wire.RoleViewer} {
		t.Run(role, func(t *testing.T) {
			c, ctl, sent, out := newCommander(role)
			c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSettings, Settings: &wire.Settings{PermissionMode: wire.PermissionEdits}})
			out.Reset()
			c.line(context.Background(), "/permissions")
			if want := "tool permissions: file edits allowed, everything else asks a host (edits); only hosts change them"; !strings.Contains(out.String(), want) {
				t.Errorf("/permissions said %q, want %q", out.String(), want)
			}
			out.Reset()
			c.line(context.Background(), "/permissions all")
			if want := "/permissions: only hosts change tool permissions; they are now: file edits allowed"; !strings.Contains(out.String(), want) {
				t.Errorf("/permissions all said %q, want %q", out.String(), want)
			}
			if len(ctl.calls) != 0 || len(*sent) != 0 {
				t.Errorf("controls %q, sent %q", ctl.calls, *sent)
			}
			out.Reset()
			c.line(context.Background(), "/help")
			if h := out.String(); !strings.Contains(h, "what the agent may do without asking a host (hosts change it)") || strings.Contains(h, "[ask|edits|plan|all]") {
				t.Errorf("%s's /help: %q", role, h)
			}
		})
	}
	// A host's help still offers the modes, among the host commands.
	c, _, _, out := newCommander(wire.RoleHost)
	c.line(context.Background(), "/help")
	h := out.String()
	if i, j := strings.Index(h, "/permissions [ask|edits|plan|all]"), strings.Index(h, "/approve"); i < 0 || j < 0 || i < j {
		t.Errorf("a host's /help lacks /permissions among the host commands: %q", h)
	}
}

// TestACommandWordStartingAPrompt: a command that takes nothing, given more, is refused and
// the whole line goes back into the input (found by a tester: "/exit plan mode and start
// implementing" left the party, and from the host's terminal would have ended it).
func TestACommandWordStartingAPrompt(t *testing.T) {
	for _, role := range []string{wire.RoleParticipant, wire.RoleHost} {
		for _, line := range []string{"/exit plan mode and start implementing", "/quit smoking", "/show me how the merge works", "/who\nplease also fix the readme", "/stop the server first", "/allow me to explain"} {
			t.Run(role+" "+line, func(t *testing.T) {
				c, ctl, sent, out := newCommander(role)
				var given []string
				c.pr.setInputSink(func(text string) { given = append(given, text) })
				if c.line(context.Background(), line) {
					t.Fatal("quit")
				}
				if len(*sent) != 0 || len(ctl.calls) != 0 {
					t.Errorf("sent %q, controls %q", *sent, ctl.calls)
				}
				// Said to be back in the input (a tester's next commands were typed after it).
				want := "takes nothing after it; nothing was run or sent; it is back in the input line, to correct or clear. To send this as a prompt, start it with //"
				if role != wire.RoleHost && (strings.HasPrefix(line, "/stop") || strings.HasPrefix(line, "/allow")) {
					want = "is for hosts; nothing was sent; it is back in the input line, to correct or clear."
				}
				if !strings.Contains(out.String(), want) {
					t.Errorf("output %q, want %q", out.String(), want)
				}
				if len(given) != 1 || given[0] != line {
					t.Errorf("given back %q, want the line", given)
				}
			})
		}
	}
	// A host's command alone, refused to a member, is not given back: there is nothing in
	// it to correct, and the next command ran on from it ("/stop/allow": a tester's).
	for _, role := range []string{wire.RoleParticipant, wire.RoleViewer} {
		c, _, sent, out := newCommander(role)
		var given []string
		c.pr.setInputSink(func(text string) { given = append(given, text) })
		c.line(context.Background(), "/stop")
		if len(given) != 0 || len(*sent) != 0 || !strings.Contains(out.String(), "/stop is for hosts") || strings.Contains(out.String(), "back in the input") {
			t.Errorf("%s: /stop alone given back %q, sent %q, said %q", role, given, *sent, out.String())
		}
	}
	// A viewer sends no prompts: both kinds of refused line go back, with no "//" advice
	// (a tester's viewer had /alow dropped and was told to send /who extra with //).
	for _, line := range []string{"/alow", "/who extra"} {
		c, _, _, out := newCommander(wire.RoleViewer)
		var given []string
		c.pr.setInputSink(func(text string) { given = append(given, text) })
		c.line(context.Background(), line)
		if got := out.String(); strings.Contains(got, "//") || !strings.Contains(got, "it is back in the input line") || len(given) != 1 || given[0] != line {
			t.Errorf("a viewer's %q: output %q, given back %q", line, got, given)
		}
	}
	// What /help says a command takes and what it accepts agree.
	for name, cmd := range commands {
		if cmd.takesArg != strings.Contains(cmd.usage, " ") {
			t.Errorf("/%s: usage %q, takes an argument %v", name, cmd.usage, cmd.takesArg)
		}
	}
	// Commands that take something still get it.
	c, ctl, _, _ := newCommander(wire.RoleHost)
	c.line(context.Background(), "/approval on")
	if len(ctl.calls) != 1 {
		t.Errorf("/approval on: controls %q", ctl.calls)
	}
}

// TestRoleChangeOfAnother: our host's notice says who changed whose role, so the event
// itself is not printed too (both were); from a host that sends no notice (PROTOCOL.md
// promises only the event) the event is said, before the next event or on its own.
func TestRoleChangeOfAnother(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m2", Name: "Bob", Role: wire.RoleHost}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: "hana made Bob a co-host"})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m2", Name: "Bob", Role: wire.RoleViewer}})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "eve", Text: "hi"}})
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m3", Name: "eve", Role: wire.RoleParticipant}})
	want := "[system] hana made Bob a co-host\n[party] Bob is now a viewer (watches, cannot prompt)\n[party] eve: hi\n[party] eve is now a participant\n"
	got := printedOnce(c, out, want) // the last line comes from the printer's timer
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// printedOnce is what the printer wrote once it is want, or after 10 s; and then after
// twice roleChangeWait more, so that a line printed too many would be in it.
func printedOnce(c *commander, out *bytes.Buffer, want string) string {
	read := func() (s string) {
		c.pr.with(func(*roster) { s = out.String() })
		return s
	}
	for deadline := time.Now().Add(10 * time.Second); read() != want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(2 * roleChangeWait)
	return read()
}

// TestRoleChangeOfOwn: this terminal's own role change and our host's notice of it are
// one line (they were two: "you are now a co-host" and "hana made bob a co-host"); from a
// host that sends no notice the change is still said, with the hint.
func TestRoleChangeOfOwn(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	bob := wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}
	c.pr.hello(wire.HelloResult{You: bob, Party: wire.PartyInfo{Host: "hana"},
		State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "hana", Role: wire.RoleHost}, bob}}})
	out.Reset()
	as := func(role string) *wire.Member { m := bob; m.Role = role; return &m }
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Changed: as(wire.RoleHost)})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: "hana made bob a co-host"})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Changed: as(wire.RoleParticipant)})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindSystem, Text: "bob made themselves a participant"})
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Changed: as(wire.RoleViewer)}) // no notice
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindSystem, Text: "the agent restarted"})
	c.pr.event(wire.Event{Seq: 7, Kind: wire.KindParticipants, Changed: as(wire.RoleParticipant)}) // nothing after it
	want := "[party] hana made you a co-host: /help lists what you can do\n" +
		"[party] you are now a participant: /help lists what you can do\n" +
		"[party] you are now a viewer (watches, cannot prompt): /help lists what you can do\n" +
		"[system] the agent restarted\n" +
		"[party] you are now a participant: /help lists what you can do\n"
	got := printedOnce(c, out, want) // the last line comes from the printer's timer
	c.pr.with(func(r *roster) {
		if r.you.Role != wire.RoleParticipant {
			t.Errorf("role %q, want participant", r.you.Role)
		}
	})
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	// Made a host while a tool request waits: told so, after the role.
	out.Reset()
	c.pr.event(wire.Event{Seq: 8, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 9, Kind: wire.KindParticipants, Changed: as(wire.RoleHost)})
	c.pr.event(wire.Event{Seq: 10, Kind: wire.KindSystem, Text: "hana made bob a co-host"})
	c.pr.with(func(*roster) { got = out.String() })
	said := strings.Contains(got, "[party] hana made you a co-host: /help lists what you can do\n[permission] claude waits for a decision on Bash\n[system] /allow or /deny [REASON]\n") // a co-host: no /always
	if !said || strings.Contains(got, "[system] hana made") {
		t.Errorf("promoted while a request waits:\n%s", got)
	}
	// A request while the terminal is in the background of a shell: said to fg first (a
	// tester's /allow, typed at the shell, was a shell command).
	out.Reset()
	c.pr.mu.Lock()
	c.pr.background = func() bool { return true }
	c.pr.mu.Unlock()
	c.pr.event(wire.Event{Seq: 10, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Read", Status: wire.PermissionPending}})
	c.pr.with(func(*roster) { got = out.String() })
	if !strings.Contains(got, "[system] this terminal is in the background: fg brings it back, to answer here\n") {
		t.Errorf("a request in the background:\n%s", got)
	}
	c.pr.mu.Lock()
	c.pr.background = nil
	c.pr.mu.Unlock()
	// Made a viewer with a prompt waiting: told it is still sent (a tester's was not).
	out.Reset()
	c.pr.event(wire.Event{Seq: 11, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "bob", Member: "m2", Text: "fix it"}})
	c.pr.event(wire.Event{Seq: 12, Kind: wire.KindParticipants, Changed: as(wire.RoleViewer)})
	c.pr.event(wire.Event{Seq: 13, Kind: wire.KindSystem, Text: "hana made bob a viewer (bob's waiting prompt is still sent, unless bob or a host withdraws it)"})
	c.pr.with(func(*roster) { got = out.String() })
	if want := "[party] hana made you a viewer (watches, cannot prompt): /help lists what you can do; your waiting prompt is still sent unless you /withdraw it\n"; !strings.HasSuffix(got, want) {
		t.Errorf("made a viewer with a prompt waiting:\n%s\nwant it to end:\n%s", got, want)
	}
}

// TestRoleOfTheOwner: /role OWNER host says the owner is the host (it said "a co-host").
func TestRoleOfTheOwner(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "me"},
		State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "me", Role: wire.RoleHost}}}})
	c.line(context.Background(), "/role me host")
	if len(ctl.calls) != 0 || !strings.Contains(out.String(), "/role: me is the party's host") {
		t.Fatalf("calls %q, output %q", ctl.calls, out.String())
	}
}

// TestKickHintAfterTheRemoval: /kick's hint came before the host's "removed" notice,
// which arrives after the call returns (found by a tester).
func TestKickHintAfterTheRemoval(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	ctl.kicking = func() {
		time.Sleep(50 * time.Millisecond)
		n := 2
		c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSystem, Text: "me removed Bob from the party"})
		c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m2", Name: "Bob"}, Count: &n})
	}
	c.line(context.Background(), "/kick bob")
	removed, hint := strings.Index(out.String(), "me removed Bob"), strings.Index(out.String(), "they can join again")
	if removed < 0 || hint < removed {
		t.Fatalf("the hint is not after the removal:\n%s", out.String())
	}
}

// /kick says whether the removed member's invite still works: not when new invites were
// made after they joined (a tester's rotated-out member was said to be able to come back
// "with the invite they have").
func TestKickHintKnowsOfRotations(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	n := 3
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSystem, Text: "me" + party.RotatedNotice})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m4", Name: "newbie"}, Count: &n})
	c.line(context.Background(), "/kick newbie")
	if !strings.Contains(out.String(), "they can join again with the invite they have") {
		t.Fatalf("one who joined after the rotation:\n%s", out.String())
	}
	out.Reset()
	c.line(context.Background(), "/kick bob") // in the party before the rotation
	if !strings.Contains(out.String(), "the invite they joined with no longer works (new ones were made since)") || strings.Contains(out.String(), "as a viewer") {
		t.Fatalf("one who joined before the rotation:\n%s", out.String())
	}
	// A viewer comes back a viewer from the same terminal or window: said (a tester was not
	// told the demotion holds).
	out.Reset()
	m := 4
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m5", Name: "vee", Role: wire.RoleViewer}, Count: &m})
	c.line(context.Background(), "/kick vee")
	if !strings.Contains(out.String(), "from the same terminal or window they come back as a viewer") {
		t.Fatalf("a viewer removed:\n%s", out.String())
	}
}

func TestCommandsOfAHost(t *testing.T) {
	tests := []struct {
		line, wantCall, wantErr string
		wantNot                 string // not in the output
		events                  []wire.Event
		owner                   bool // this terminal is the party's owner's, not a co-host's
		unknownOwner            bool // the host named no owner
		noOwner                 bool // the owner is not in the party (a host run with --no-local-repl)
	}{
		{line: "/stop", wantCall: "interrupt"},
		{line: "/approval on", wantCall: "approval true"},
		{line: "/approval off", wantCall: "approval false", events: []wire.Event{{Kind: wire.KindSettings, Settings: &wire.Settings{Approval: true}}}},
		// Already so: said here (the host answers nothing and tells nobody), nothing called.
		{line: "/approval off", wantErr: "approval is already off: merged prompts go to claude at once"},
		{line: "/approval on", wantErr: "approval is already on: every merged prompt waits", events: []wire.Event{{Kind: wire.KindSettings, Settings: &wire.Settings{Approval: true}}}},
		{line: "/approval", wantErr: "approval is off: merged prompts go to claude at once; /approval on changes it"},
		{line: "/approval maybe", wantErr: "say /approval on or /approval off"},
		{line: "/allow", wantErr: "no tool request is waiting"},
		{line: "/deny too risky", wantCall: "decide t7 deny too risky", events: []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t7", Tool: "Bash", Status: wire.PermissionPending}},
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t8", Tool: "Edit", Status: wire.PermissionPending}},
		}},
		{line: "/always", owner: true, wantCall: "decide t8 always ", events: []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t7", Tool: "Bash", Status: wire.PermissionPending}},
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t7", Tool: "Bash", Status: wire.PermissionTimedOut}},
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t8", Tool: "Edit", Status: wire.PermissionPending}},
		}},
		// "Always" is the owner's, as all is (a reviewer's co-host made Bash run unasked).
		{line: "/always", wantErr: "only the party's owner can allow a tool for the rest of the party; /allow allows this one request", events: []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t8", Tool: "Bash", Status: wire.PermissionPending}},
		}},
		// In a party with no owner in it, nobody can (a tester's operator was told "only the
		// owner" there).
		{line: "/always", noOwner: true, wantErr: "only the party's owner can allow a tool for the rest of the party, and this party has none in it (its host runs with --no-local-repl), so nobody can; /allow allows this one request", events: []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t8", Tool: "Bash", Status: wire.PermissionPending}},
		}},
		{line: "/permissions all", noOwner: true, wantErr: "only the party's owner can allow everything: the agent runs on their computer, and this party has none in it (its host runs with --no-local-repl), so nobody can here: the host's --permission-mode all does it, when the party starts or is resumed"},
		{line: "/approve", wantErr: "no merged prompt is waiting"},
		{line: "/show", wantErr: "the merged prompt waiting for a host's approval (merged locally):\n    x", events: []wire.Event{
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x", Merger: "local"}},
		}},
		// A rejected merged prompt was never claude's (a tester was told it was).
		{line: "/show", wantErr: "the last batch as claude got it (merged by Gemini):\n    sent", events: []wire.Event{
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Merged: "sent", Merger: "gemini"}},
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x", Merger: "local"}},
			{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b3"}},
		}},
		{line: "/show", wantErr: "no batch has been sent since you joined", events: []wire.Event{
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x", Merger: "local"}},
			{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b3"}},
		}},
		{line: "/approve just list the files", wantCall: "approve b3 just list the files", events: []wire.Event{
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x"}},
		}},
		// Sent as words, not run (a tester took it for a cleared session): said so.
		{line: "/approve /compact focus on tests", wantCall: "approve b3 /compact focus on tests", wantErr: "[system] sent as a prompt, not run as the agent command /compact; /agent /compact focus on tests runs it\n", events: []wire.Event{
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x"}},
		}},
		// A path is not called a command (a reviewer's).
		{line: "/approve /etc/hosts is wrong", wantCall: "approve b3 /etc/hosts is wrong", wantNot: "sent as a prompt", events: []wire.Event{
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x"}},
		}},
		{line: "/reject not now", wantCall: "reject b3 not now", events: []wire.Event{
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Merged: "x"}},
		}},
		{line: "/role bob viewer", wantCall: "role m2 viewer"},
		{line: "/role bob co-host", wantCall: "role m2 host"},
		{line: "/role zed viewer", wantErr: `nobody called "zed" is in the party`},
		{line: "/kick Bob, too noisy", wantErr: `nobody called "Bob," is in the party: did you mean "Bob"?`},   // a tester's comma
		{line: "/role bob host", wantCall: "role m2 host"},                                                     // PROTOCOL.md §7's word
		{line: "/role bob admin", wantErr: `"admin" is no role: say co-host (or host), participant or viewer`}, // a tester's read "host, participant or viewer"; another's, no host
		{line: "/role bob", wantErr: "say /role NAME co-host|participant|viewer (host is co-host)"},
		{line: "/role bob participant", wantErr: "/role: Bob is already a participant"}, // it said nothing
		{line: "/kick Bob spamming", wantCall: "kick m2 spamming"},
		{line: "/agent /compact", wantCall: "agent /compact"},
		{line: "/agent compact", wantErr: "say /agent /COMMAND"},
		{line: "/rotate", wantCall: "rotate"},
		{line: "/invite", wantCall: "invites", wantErr: "[system] the invites:\ninvite code: concordia://h:1/a?fp=x\nviewer invite: concordia://h:1/b?fp=x\n"}, // a co-host asks the host; each invite at the start of its line, as at the host's start
		{line: "/revoke", wantErr: "no tool is always allowed now"},
		{line: "/revoke", wantErr: "always allowed without asking: Bash, Edit (/revoke TOOL makes one ask again)", events: []wire.Event{
			{Kind: wire.KindSettings, Settings: &wire.Settings{Always: []string{"Bash", "Edit"}}},
		}},
		{line: "/revoke bash", wantCall: "revoke Bash", events: []wire.Event{
			{Kind: wire.KindSettings, Settings: &wire.Settings{Always: []string{"Bash", "Edit"}}},
		}},
		{line: "/revoke Write", wantCall: "revoke Write"}, // the host says what is allowed
		{line: "/permissions edits", wantCall: "permissions edits"},
		{line: "/permissions edits", wantErr: "tool permissions are already: file edits allowed, everything else asks a host (edits)", events: []wire.Event{
			{Kind: wire.KindSettings, Settings: &wire.Settings{PermissionMode: wire.PermissionEdits}},
		}},
		{line: "/permissions ALL", owner: true, wantErr: "all lets the agent run any command and change any file on your computer without asking anyone: /permissions all again within 10 seconds does it"},
		// A co-host is told at once that all is the owner's (a tester was asked to confirm,
		// then refused), and is not offered it.
		{line: "/permissions all", wantErr: "only the party's owner can allow everything"},
		// A host that names no owner decides itself (a reviewer's: even the owner was refused).
		{line: "/permissions all", wantErr: "all lets the agent run any command", unknownOwner: true},
		{line: "/permissions", wantErr: "/permissions ask|edits|plan changes them"},
		{line: "/permissions sometimes", wantErr: "say /permissions ask (every tool use that needs permission asks a host), edits"},
		{line: "/permissions", owner: true, wantErr: "tool permissions: file edits allowed, everything else asks a host (edits); /permissions ask|edits|plan|all changes them", events: []wire.Event{
			{Kind: wire.KindSettings, Settings: &wire.Settings{PermissionMode: wire.PermissionEdits}},
		}},
		// With the tools allowed for good, which ask nobody (a tester's read "every tool use asks").
		{line: "/permissions", owner: true, wantErr: "tool permissions: every tool use that needs permission asks a host (ask); always allowed without asking: Bash (/revoke TOOL makes one ask again); /permissions ask|edits|plan|all changes them", events: []wire.Event{
			{Kind: wire.KindSettings, Settings: &wire.Settings{PermissionMode: wire.PermissionAsk, Always: []string{"Bash"}}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			c, ctl, sent, out := newCommander(wire.RoleHost)
			c.pr.with(func(r *roster) { // a co-host's terminal: the owner is hana
				r.host = "hana"
				if !tc.noOwner {
					r.members = append(r.members, wire.Member{ID: "m9", Name: "hana", Role: wire.RoleHost})
				}
			})
			if tc.owner {
				c.pr.with(func(r *roster) { r.host = "me" })
			}
			if tc.unknownOwner {
				c.pr.with(func(r *roster) { r.host = "" })
			}
			for _, ev := range tc.events {
				c.pr.event(ev)
			}
			c.line(context.Background(), tc.line)
			if len(*sent) != 0 {
				t.Errorf("a command was sent as a prompt: %q", *sent)
			}
			if got := strings.Join(ctl.calls, "|"); got != tc.wantCall {
				t.Errorf("calls %q, want %q", got, tc.wantCall)
			}
			if tc.wantErr != "" && !strings.Contains(out.String(), tc.wantErr) {
				t.Errorf("output %q lacks %q", out.String(), tc.wantErr)
			}
			if tc.wantNot != "" && strings.Contains(out.String(), tc.wantNot) {
				t.Errorf("output %q has %q", out.String(), tc.wantNot)
			}
		})
	}
}

func TestPrinterHostControl(t *testing.T) {
	cases := []struct {
		name string
		evs  []wire.Event
		want string
	}{
		{"permission pending and denied", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "alice", Text: "x"}},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}}},
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionPending}},
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionDenied, By: "carol", Reason: "not here"}},
		}, "[party] alice: x\n[system] sending the prompt to claude\n[permission] claude asks to use Bash: touch x (for alice's prompt)\n[permission] carol denied Bash: touch x: not here\n"},
		// What the request would do, under it (a tester approved a Write seeing only its
		// file's name); someone who does not decide sees its first lines.
		{"permission with its detail", []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Write", Summary: "notes.txt", Batch: "b9", Status: wire.PermissionPending,
				Detail: "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight"}},
		}, "[permission] claude asks to use Write: notes.txt (for a host's agent command)\n    one\n    two\n    three\n    four\n    five\n    six\n    … 2 more lines not shown\n"},
		// A detail the host cut ends with how many bytes it left out: a tester's 600 KB
		// Write read "… 97 more lines not shown", its size hidden with that line.
		{"permission with a cut detail", []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Write", Summary: "big.txt", Batch: "b9", Status: wire.PermissionPending,
				Detail: "one\ntwo\nthree\nfour\nfive\nsix\nseven\n… (591840 more bytes not shown)"}},
		}, "[permission] claude asks to use Write: big.txt (for a host's agent command)\n    one\n    two\n    three\n    four\n    five\n    six\n    … 1 more line and 591840 more bytes not shown\n"},
		{"permission with a short cut detail", []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t4", Tool: "Write", Summary: "one.txt", Batch: "b9", Status: wire.PermissionPending,
				Detail: "a very long line\n… (9000 more bytes not shown)"}},
		}, "[permission] claude asks to use Write: one.txt (for a host's agent command)\n    a very long line\n    … 9000 more bytes not shown\n"},
		// Two prompts of one author are not "pat's prompt" (a tester's).
		{"one author's two prompts", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "pat", Text: "x"}},
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "pat", Text: "y"}},
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1", "p2"}, Merged: "x y", Merger: "local"}},
			{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b1", By: "carol"}},
		}, "[party] pat: x\n[party] pat: y\n[approval] this merged prompt waits for a host's approval (pat's 2 prompts):\n    pat: x\n    pat: y\n    (/show prints the merged text)\n[system] carol rejected the merged prompt (pat's 2 prompts); it was not sent\n"},
		{"a turn with a denial is not a plain finish", []wire.Event{
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnDone, DurationMS: 1000, Denied: 1}},
		}, "[system] claude finished (1s), but not everything it asked for was allowed; 1 tool request denied\n"},
		// A step that failed is said at the end too (a user tester's "claude finished" read
		// as if all went well); a denied one is a denial, not a failure; a retry's new
		// answer counts afresh.
		{"a turn with failed steps", []wire.Event{
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merger: "command", Merged: "/x"}},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: go test\n-> (error) exit status 1\n"},
			{Kind: wire.KindRetry, RetryBatch: "b1"},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: go test\n-> (error) exit status 1\n  Read: .env\n  -> (error; its text is not shown: this file usually holds secrets)\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: rm x\n-> (denied) carol (a host of this party) denied this tool use.\n"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000, Denied: 1}},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Merger: "command", Merged: "/y"}},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: false\n-> (error) exit status 1 (+1 lines)\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamToolOutput, Text: "exit status 1\nfalse: no such file\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: ls\n-> a (+1 lines)\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamToolOutput, Text: "a\nb\n"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnDone, DurationMS: 1000}},
		}, "[system] running the agent command /x\n  » Bash: go test\n  » -> (error) exit status 1\n[system] the partial reply above is void: claude is answering that batch again\n  » Bash: go test\n  » -> (error) exit status 1\n  »   Read: .env\n  »   -> (error; its text is not shown: this file usually holds secrets)\n" +
			"  » Bash: rm x\n  » -> (denied) carol (a host of this party) denied this tool use.\n" +
			"[system] claude finished (1s), but not everything it asked for was allowed; 1 tool request denied; 2 tool steps failed\n" +
			"[system] running the agent command /y\n  » Bash: false\n  » -> (error) exit status 1 (+1 lines)\n  »     false: no such file\n  » Bash: ls\n  » -> a (+1 lines)\n[system] claude finished (1s), but 1 tool step failed\n"},
		// A failed step whose result line was cut: its first line is not printed again
		// whole under it (a user tester read Claude Code's long rejection twice).
		{"a failed step with a long first line", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: x\n-> (error) " + strings.Repeat("word ", 37) + "wor…\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamToolOutput, Text: strings.Repeat("word ", 37) + "words end here.\n"},
		}, "  » Bash: x\n  » -> (error) " + strings.Repeat("word ", 37) + "wor…\n  »     …ds end here.\n"},
		// A request a stop cancelled: its step says so, and is no failure; Claude Code's
		// own words for it are not printed under it (a user tester's terminal said them
		// twice, as a failed step's).
		{"a step a stop cancelled", []wire.Event{
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merger: "command", Merged: "/x"}},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: touch x\n"},
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"}},
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "-> (cancelled) The user doesn't want to proceed with this tool use. The tool use was…\n"},
			{Kind: wire.KindOutput, Stream: wire.StreamToolOutput, Text: "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file).\n"},
			// A "(cancelled)" tells this host from one that marked a denial "(error)": the
			// step that failed is one.
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: false\n-> (error) exit status 1\n"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000, Denied: 1}},
		}, "[system] running the agent command /x\n  » Bash: touch x\n[permission] cancelled Bash: touch x: the turn ended before a decision\n" +
			"  » -> (cancelled) The user doesn't want to proceed with this tool use. The tool use was…\n  » Bash: false\n  » -> (error) exit status 1\n[system] claude finished (1s); 1 tool request cancelled; 1 tool step failed\n"},
		// A plan sent back is plan mode's review, not a refusal (a user tester's).
		{"a plan sent back", []wire.Event{
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "ExitPlanMode", Summary: "leave plan mode: 1. x", Batch: "b1", Status: wire.PermissionDenied, By: "carol", Reason: "add tests"}},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000, Denied: 1}},
			// Denied by nobody (the turn's end): no plan was sent back, and nobody refused it: cancelled.
			{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "ExitPlanMode", Summary: "leave plan mode: 1. y", Batch: "b2", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"}},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnDone, DurationMS: 1000, Denied: 1}},
		}, "[permission] carol sent the plan back for changes: add tests\n[system] claude finished (1s); its plan was sent back for changes\n" +
			"[permission] cancelled ExitPlanMode: leave plan mode: 1. y: the turn ended before a decision\n[system] claude finished (1s); 1 tool request cancelled\n"},
		// A host from before "(denied)" marked a denied step "(error)": not said twice.
		{"an older host's denied step", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: rm x\n-> (error) carol (a host of this party) denied this tool use.\n"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnDone, DurationMS: 1000, Denied: 1}},
		}, "  » Bash: rm x\n  » -> (error) carol (a host of this party) denied this tool use.\n[system] claude finished (1s), but not everything it asked for was allowed; 1 tool request denied\n"},
		{"stopped turn", []wire.Event{
			{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "half\n"},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnInterrupted, DurationMS: 2000, Error: "stopped by carol"}},
		}, "half\n[system] claude's turn was stopped after 2s (stopped by carol); what it wrote so far is above\n"},
		// Our host says who runs an agent command just before its batch: said once (a
		// tester's read both lines).
		{"agent command", []wire.Event{
			{Kind: wire.KindSystem, Text: "hana ran the agent command /compact"},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{}, Merger: "command", Merged: "/compact"}},
		}, "[system] hana ran the agent command /compact\n"},
		{"stopped turn that wrote nothing", []wire.Event{
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merger: "command", Merged: "/compact"}},
			{Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnInterrupted, DurationMS: 2000, Error: "stopped by the turn timeout"}},
		}, "[system] running the agent command /compact\n[system] claude's turn was stopped after 2s (stopped by the turn timeout); it had written nothing yet\n"},
		// Someone else's is said by the host's system event only (it was said twice).
		// A newcomer's role, when it is not a participant's (a tester's host did not know
		// vic only watched).
		{"joined as a viewer or a co-host", []wire.Event{
			{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m4", Name: "vic", Role: wire.RoleViewer}, Count: ptr(4)},
			{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m5", Name: "cora", Role: wire.RoleHost}, Count: ptr(5)},
			{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m6", Name: "bob", Role: wire.RoleParticipant}, Count: ptr(6)},
		}, "[party] vic joined as a viewer (4 in the party)\n[party] cora joined as a co-host (5 in the party)\n[party] bob joined (6 in the party)\n"},
		// Back after leaving: "came back", as the window says it.
		{"came back", []wire.Event{
			{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m6", Name: "bob", Role: wire.RoleParticipant}, Count: ptr(2)},
			{Kind: wire.KindParticipants, Left: &wire.Member{ID: "m6", Name: "bob", Role: wire.RoleParticipant}, Count: ptr(1)},
			{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m6", Name: "bob", Role: wire.RoleParticipant}, Count: ptr(2)},
		}, "[party] bob joined (2 in the party)\n[party] bob left (1 in the party)\n[party] bob came back (2 in the party)\n"},
		{"role change", []wire.Event{
			{Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m9", Name: "bob", Role: wire.RoleViewer}},
			{Kind: wire.KindSystem, Text: "hana made bob a viewer"},
		}, "[system] hana made bob a viewer\n"},
		// An approved batch still says who asked what: the approval used to take the texts.
		{"approved batch", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "bob", Text: "fix it"}},
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "alice", Text: "test it"}},
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1", "p2"}, Merged: "x", Merger: "local"}},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1", "p2"}, Merged: "x", Merger: "local"}},
		}, "[party] bob: fix it\n[party] alice: test it\n[approval] this merged prompt waits for a host's approval (prompts by bob, alice):\n    bob: fix it\n    alice: test it\n    (/show prints the merged text)\n[system] sending 2 prompts to claude, merged (local):\n    bob: fix it\n    alice: test it\n    (/show prints the merged text)\n"},
		{"edited batch", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "bob", Text: "fix it"}},
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "fix it", Merger: "local"}},
			{Kind: wire.KindSystem, Text: "carol edited and sent bob's prompt"},
			{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "fix it\nand add a test\x1b[2J", Merger: "local", EditedBy: "carol"}},
		}, "[party] bob: fix it\n[approval] a prompt waits for a host's approval:\n    bob: fix it\n[system] sending bob's prompt to claude as carol edited it:\n    fix it\n    and add a test\n"}, // once, not "carol edited and sent bob's prompt" before it (a tester's)
		{"rejected", []wire.Event{
			{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b2", By: "carol", Reason: "too vague"}},
		}, "[system] carol rejected the merged prompt (a host's agent command); it was not sent: too vague\n"},
		{"one prompt rejected is not a merged prompt", []wire.Event{
			{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "bob", Text: "fix it"}},
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "fix it", Merger: "local"}},
			{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b1", Prompts: []string{"p1"}, By: "carol"}},
		}, "[party] bob: fix it\n[approval] a prompt waits for a host's approval:\n    bob: fix it\n[system] carol rejected bob's prompt; it was not sent\n"},
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

// A host approving a prompt sees the text it approves, as the window's card quotes it (a
// tester's host saw one prompt's first line only, and a merged prompt not at all, and had
// to /show it): its lines indented under the notice, cut when very long with how much more
// there is and how to see it whole. Anyone else sees who asked what, as before.
func TestApprovalQuotesTheHeldTextToAHost(t *testing.T) {
	long := strings.Repeat("step\n", heldShownLines+5) + "end"
	wide := strings.Repeat("é", heldShownBytes) // one line, longer than a host is shown
	for _, c := range []struct {
		name     string
		role     string
		watching bool
		prompts  []wire.Prompt
		merged   string
		want     string
	}{
		{"one prompt of lines", wire.RoleHost, false, []wire.Prompt{{ID: "p1", User: "bob", Text: "edits mode\nthen write a.go\nand b.go"}}, "edits mode\nthen write a.go\nand b.go",
			"[approval] a prompt waits for a host's approval:\n    bob: edits mode\n    then write a.go\n    and b.go\n" +
				"[system] /approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it\n"},
		{"one long line, whole", wire.RoleHost, false, []wire.Prompt{{ID: "p1", User: "bob", Text: strings.Repeat("long ", 30) + "end"}}, strings.Repeat("long ", 30) + "end",
			"[approval] a prompt waits for a host's approval:\n    bob: " + strings.Repeat("long ", 30) + "end\n" +
				"[system] /approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it\n"},
		{"too many lines", wire.RoleHost, false, []wire.Prompt{{ID: "p1", User: "bob", Text: long}}, long,
			"[approval] a prompt waits for a host's approval:\n    bob: " + strings.TrimSuffix(strings.Repeat("step\n    ", heldShownLines), "\n    ") +
				"\n    … (6 more lines, 29 bytes, not shown here; /show prints it whole)\n" +
				"[system] /approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it\n"},
		{"too many bytes", wire.RoleHost, false, []wire.Prompt{{ID: "p1", User: "bob", Text: wide}}, wide,
			"[approval] a prompt waits for a host's approval:\n    bob: " + wide[:heldShownBytes] + "\n    … (4.0 KiB not shown here; /show prints it whole)\n" +
				"[system] /approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it\n"},
		{"too many lines, watching only", wire.RoleHost, true, []wire.Prompt{{ID: "p1", User: "bob", Text: long}}, long,
			"[approval] a prompt waits for a host's approval:\n    bob: " + strings.TrimSuffix(strings.Repeat("step\n    ", heldShownLines), "\n    ") +
				"\n    … (6 more lines, 29 bytes, not shown here)\n" +
				"[system] /approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it\n"},
		{"merged", wire.RoleHost, false, []wire.Prompt{{ID: "p1", User: "bob", Text: "fix it"}, {ID: "p2", User: "alice", Text: "test it\nall of it"}},
			"Several requests came in together.\n\n1. bob asked:\n> fix it\n\n2. alice asked:\n> test it\n> all of it\n",
			"[approval] this merged prompt waits for a host's approval (prompts by bob, alice):\n    bob: fix it\n    alice: test it (+1 line)\n" +
				"    the prompt merged locally, as claude would get it:\n    Several requests came in together.\n    \n    1. bob asked:\n    > fix it\n    \n    2. alice asked:\n    > test it\n    > all of it\n" +
				"[system] /approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it\n"},
		{"one prompt, a participant", wire.RoleParticipant, false, []wire.Prompt{{ID: "p1", User: "bob", Text: "edits mode\nthen write a.go"}}, "edits mode\nthen write a.go",
			"[approval] a prompt waits for a host's approval:\n    bob: edits mode (+1 line)\n"},
		{"merged, a participant", wire.RoleParticipant, false, []wire.Prompt{{ID: "p1", User: "bob", Text: "fix it"}, {ID: "p2", User: "alice", Text: "test it"}}, "Several requests came in together.",
			"[approval] this merged prompt waits for a host's approval (prompts by bob, alice):\n    bob: fix it\n    alice: test it\n    (/show prints the merged text)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			if c.watching {
				p.watchOnly()
			}
			p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "carol", Role: c.role}})
			ids := make([]string, len(c.prompts))
			for i, pr := range c.prompts {
				p.event(wire.Event{Seq: int64(i + 1), Kind: wire.KindPrompt, Prompt: &pr})
				ids[i] = pr.ID
			}
			before := b.Len()
			p.event(wire.Event{Seq: 9, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: ids, Merged: c.merged, Merger: "local"}})
			if got := b.String()[before:]; got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestPrinterSettings: a settings event prints what changed, and only that. (Every
// workspace change and every "always" also sends one; each used to repeat "approval is
// off; tool permissions: …".)
func TestPrinterSettings(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	me := wire.Member{ID: "m1", Name: "carol", Role: wire.RoleHost}
	p.hello(wire.HelloResult{You: me, Party: wire.PartyInfo{PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceChanges, Always: []string{}}})
	settings := func(s wire.Settings) {
		p.event(wire.Event{Kind: wire.KindSettings, Settings: &s})
	}
	settings(wire.Settings{PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceTree, Always: []string{}})
	settings(wire.Settings{PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceTree, Always: []string{"Bash"}})
	settings(wire.Settings{Approval: true, PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceTree, Always: []string{"Bash"}})
	settings(wire.Settings{Approval: true, PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceTree}) // an older host: no always
	settings(wire.Settings{Approval: true, PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceTree, Always: []string{}})
	// The last one, shorter, is not printed: its own notice ("carol made Bash ask again")
	// follows it, and used to come after the effect.
	want := "[system] always allowed without asking: Bash (/revoke TOOL makes one ask again)\n" +
		"[system] approval is on; tool permissions: every tool use that needs permission asks a host (ask)\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	// Our host's notice says the change just before: the settings line does not say it
	// again (a tester read "hana turned approval on" and then "approval is on; …").
	b.Reset()
	p.event(wire.Event{Kind: wire.KindSystem, Text: "carol turned approval off"})
	settings(wire.Settings{PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceTree, Always: []string{}})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "carol set tool permissions to edits: file edits are allowed, everything else asks a host"})
	settings(wire.Settings{PermissionMode: wire.PermissionEdits, Workspace: wire.WorkspaceTree, Always: []string{}})
	if got := b.String(); strings.Contains(got, "approval is") || strings.Count(got, "\n") != 2 {
		t.Fatalf("a change said twice: %q", got)
	}
	// A change no notice came with is still said.
	b.Reset()
	p.event(wire.Event{Kind: wire.KindSystem, Text: "carol made new invites; the earlier links let nobody new in"})
	settings(wire.Settings{Approval: true, PermissionMode: wire.PermissionEdits, Workspace: wire.WorkspaceTree, Always: []string{}})
	if got := b.String(); !strings.Contains(got, "[system] approval is on; tool permissions: file edits allowed") {
		t.Fatalf("an unannounced change: %q", got)
	}
}

// TestPrinterSaysWhenARequestTimesOut: a host's terminal says how long a tool request
// waits before it is denied; a replayed one, already past, says nothing of it.
func TestPrinterSaysWhenARequestTimesOut(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	now := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	me := wire.Member{ID: "m1", Name: "carol", Role: wire.RoleHost}
	p.hello(wire.HelloResult{You: me})
	soon, past := now.Add(90*time.Second), now.Add(-time.Second)
	p.event(wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending, Expires: &soon}})
	p.event(wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Edit", Status: wire.PermissionPending, Expires: &past}})
	// The host's clock an hour behind this one: the event's own time says how long is left.
	behind := now.Add(-time.Hour)
	hostExpires := behind.Add(2 * time.Minute)
	p.event(wire.Event{TS: behind, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Write", Status: wire.PermissionPending, Expires: &hostExpires}})
	out := b.String()
	// t2 and t3 wait behind t1 (TestTwoToolRequestsWaitAtOnce): their own time is said
	// with the line that names the one /allow answers first.
	if !strings.Contains(out, "[system] 3 tool requests wait, answered oldest first: /allow, /deny [REASON] or /always now answer Bash; undecided, this one is denied in 2m00s\n") {
		t.Errorf("a host clock behind ours hid the time left for t3:\n%s", out)
	}
	if !strings.Contains(out, "/always (allow Bash for the rest of the party; a command that names a file that usually holds secrets still asks); undecided, it is denied in 1m30s\n") {
		t.Errorf("no time left for t1:\n%s", out)
	}
	if !strings.Contains(out, "[system] 2 tool requests wait, answered oldest first: /allow, /deny [REASON] or /always now answer Bash\n") {
		t.Errorf("a past deadline is shown for t2:\n%s", out)
	}
}

// TestWhoSaysWhatIsAlwaysAllowed: everyone can see what the agent may do unasked (only a
// host's /revoke could list it before).
func TestWhoSaysWhatIsAlwaysAllowed(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.line(context.Background(), "/who")
	if strings.Contains(out.String(), "always") {
		t.Fatalf("/who mentions always with nothing allowed: %q", out.String())
	}
	c.pr.event(wire.Event{Kind: wire.KindSettings, Settings: &wire.Settings{PermissionMode: wire.PermissionAsk, Always: []string{"Bash"}}})
	out.Reset()
	c.line(context.Background(), "/who")
	if !strings.HasSuffix(out.String(), "[system] always allowed without asking: Bash\n") {
		t.Fatalf("/who: %q", out.String())
	}
}

// TestRetryCommand: /retry cuts a reconnect's wait in a joined terminal, says there is
// nothing to retry while connected, and that the host's own terminal never disconnects.
func TestRetryCommand(t *testing.T) {
	c, _, sent, out := newCommander(wire.RoleParticipant)
	c.line(context.Background(), "/retry")
	reconnecting, asked := true, 0
	c.retry = func() bool { asked++; return reconnecting }
	c.line(context.Background(), "/retry")
	reconnecting = false
	c.line(context.Background(), "/retry")
	want := "[system] this terminal runs the party: it is never disconnected from it\n" +
		"[system] trying to reach the host now\n" +
		"[system] connected to the host; nothing to retry\n"
	if out.String() != want || asked != 2 || len(*sent) != 0 {
		t.Fatalf("output %q (asked %d, sent %q), want %q", out.String(), asked, *sent, want)
	}
}

func TestMainUsage(t *testing.T) {
	var out, errb bytes.Buffer
	io := IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }}
	if code := Main(context.Background(), []string{"help"}, io); code != 0 || !strings.Contains(out.String(), "concordia host") {
		t.Fatalf("help: %d %q", code, out.String())
	}
	if code := Main(context.Background(), []string{"host", "--min-prompts", "0"}, io); code != ExitUsage || !strings.Contains(errb.String(), "--min-prompts must be from 1 to 100, got 0") {
		t.Fatalf("min-prompts 0: %d %q", code, errb.String())
	}
	// More than a batch can ever gather (a conformance tester's 1000, past the 200 prompts
	// a party holds waiting).
	errb.Reset()
	if code := Main(context.Background(), []string{"host", "--min-prompts", "1000"}, io); code != ExitUsage || !strings.Contains(errb.String(), "--min-prompts must be from 1 to 100, got 1000") {
		t.Fatalf("min-prompts 1000: %d %q", code, errb.String())
	}
	errb.Reset()
	if code := Main(context.Background(), []string{"host", "--gemini-model", "", "--data-dir", t.TempDir()}, io); code != ExitUsage || !strings.Contains(errb.String(), "--gemini-model must name a model (the default is ") {
		t.Fatalf("--gemini-model '': %d %q", code, errb.String())
	}
	// A public host that cannot be one is a bad flag, as the others are (a tester's exited 1,
	// "cannot start the party: … invalid invite").
	errb.Reset()
	if code := Main(context.Background(), []string{"host", "--public-host", "bad host!", "--data-dir", t.TempDir()}, io); code != ExitUsage || !strings.Contains(errb.String(), `--public-host "bad host!": give a host name or an IP address, without a scheme, port or brackets`) {
		t.Fatalf("--public-host 'bad host!': %d %q", code, errb.String())
	}
	// An id that cannot be one is a bad argument, as for export and parties (a tester's
	// exited 1).
	errb.Reset()
	if code := Main(context.Background(), []string{"host", "--resume", "../../etc/passwd", "--data-dir", t.TempDir()}, io); code != ExitUsage || !strings.Contains(errb.String(), `--resume: "../../etc/passwd" is not a party id`) {
		t.Fatalf("--resume ../../etc/passwd: %d %q", code, errb.String())
	}
	// A journal that lost its header cannot be resumed; its events can be exported (a
	// tester was told only "no header line").
	dataDir := t.TempDir()
	if err := os.MkdirAll(journal.Dir(dataDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journal.Path(dataDir, "dddddddddddd"), []byte(`{"type":"event","event":{"seq":1,"kind":"system","text":"x"}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// (Said as every error that ends the host is: here, with stdout no file, on stdout.)
	out.Reset()
	if code := Main(context.Background(), []string{"host", "--resume", "dddddddddddd", "--data-dir", dataDir}, io); code != ExitError || !strings.Contains(out.String(), "no header line); `concordia export dddddddddddd --data-dir "+dataDir+"` still writes its events") {
		t.Fatalf("--resume of a journal without its header: %d %q", code, out.String())
	}
	// An empty one: export would refuse it too, so it is not offered (a reviewer's).
	if err := os.WriteFile(journal.Path(dataDir, "eeeeeeeeeeee"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := Main(context.Background(), []string{"host", "--resume", "eeeeeeeeeeee", "--data-dir", dataDir}, io); code != ExitError || !strings.Contains(out.String(), "cannot resume the party") || strings.Contains(out.String(), "export") {
		t.Fatalf("--resume of an empty journal: %d %q", code, out.String())
	}
}

// TestResumeOfARunningParty: a party another process runs is refused in one sentence
// with the way out, named by its id whether or not it was given (a tester was shown the
// journal's path and the lock's words: "cannot resume the party: …jsonl: the party is
// already running: another concordia process has it open"). Without an id, the latest
// party was taken, most likely the one running: resuming another is said too (a
// reviewer's).
func TestResumeOfARunningParty(t *testing.T) {
	dataDir := t.TempDir()
	w, err := journal.Create(dataDir, journal.Header{Party: "abcdefabcdef", Host: "hosty", Created: time.Now(), Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // holds the journal, as a running host does
	said := "concordia host: party abcdefabcdef is already running in another concordia process (a window or a terminal): join it with its invite, or end it there first"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--resume"}, said + "; or resume another party: `concordia parties --data-dir " + dataDir + "` lists them; `concordia host --resume ID --data-dir " + dataDir + "`\n"},
		{[]string{"--resume", "abcdefabcdef"}, said + "\n"},
	} {
		// stdout a file, stderr another: said on stderr (IO.fatal).
		outf, errf := tempFile(t), tempFile(t)
		io := IO{Out: outf, Err: errf, Getenv: func(string) string { return "" }}
		code := Main(context.Background(), append([]string{"host", "--data-dir", dataDir, "--no-local-repl"}, c.args...), io)
		if got := readBack(t, errf); code != ExitError || got != c.want || readBack(t, outf) != "" {
			t.Errorf("host %v: exit %d, stderr %q; want %d, %q", c.args, code, got, ExitError, c.want)
		}
	}
}

// tempFile is a file of the test's, open for writing: an output that is no terminal.
func tempFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readBack is what was written to f.
func readBack(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every error that ends the host is said in one form for one kind of output: "[error] …"
// with the party's lines, or "concordia host: …" on stderr when stdout is a file and stderr
// another. A tester's terminal read "[error] cannot start the party: … in use" and
// "concordia host: Claude Code was not found…"; a resume's refusals went to stderr whatever
// stdout was.
func TestHostFailuresSaidInOneForm(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	running := t.TempDir()
	w, err := journal.Create(running, journal.Header{Party: "abcdefabcdef", Host: "hosty", Created: time.Now(), Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // holds the journal, as a running host does
	// A resume takes the party's --insecure and --workdir.
	fresh := []string{"--insecure", "--workdir", t.TempDir()}
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"claude not found", append([]string{"--listen", "127.0.0.1:0", "--claude", "/nonexistent/claude", "--data-dir", t.TempDir()}, fresh...), "Claude Code was not found: "},
		{"port in use", append([]string{"--listen", busy.Addr().String(), "--claude", "/bin/true", "--data-dir", t.TempDir()}, fresh...), "cannot start the party: " + busy.Addr().String() + " is in use"},
		{"no party to resume", []string{"--listen", "127.0.0.1:0", "--resume", "--data-dir", t.TempDir()}, "no party to resume in "},
		{"party running elsewhere", []string{"--listen", "127.0.0.1:0", "--resume", "abcdefabcdef", "--data-dir", running}, "party abcdefabcdef is already running in another concordia process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"host", "--merge", "local", "--no-local-repl"}, tt.args...)
			var out, errb bytes.Buffer
			code := Main(context.Background(), args, IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			if code != ExitError || !strings.HasPrefix(out.String(), "[error] "+tt.says) || errb.Len() != 0 {
				t.Errorf("with the party's lines: exit %d, stdout %q, stderr %q; want 1, \"[error] %s…\" on stdout", code, out.String(), errb.String(), tt.says)
			}
			outf, errf := tempFile(t), tempFile(t)
			code = Main(context.Background(), args, IO{In: strings.NewReader(""), Out: outf, Err: errf, Getenv: func(string) string { return "" }})
			if got := readBack(t, errf); code != ExitError || !strings.HasPrefix(got, "concordia host: "+tt.says) || strings.Contains(readBack(t, outf), tt.says) {
				t.Errorf("stdout a file: exit %d, stdout %q, stderr %q; want 1, \"concordia host: %s…\" on stderr only", code, readBack(t, outf), got, tt.says)
			}
		})
	}
}

func TestRosterIgnoresReplayedMembership(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	me := wire.Member{ID: "m1", Name: "carol", Role: wire.RoleHost}
	pr.hello(wire.HelloResult{You: me, State: wire.State{Seq: 2, Participants: []wire.Member{me}}})
	one := 1
	pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Joined: &me, Count: &one}) // in the hello's replay
	bob := wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}
	two := 2
	pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Joined: &bob, Count: &two})
	wantMembers(t, pr, "carol,bob")
}

// The party's state in a hello reply already lists the newcomer, and its own "joined"
// event comes right after that state (seq above it): /who listed the newcomer twice.
func TestRosterCountsAJoinOnce(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	host := wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}
	me := wire.Member{ID: "m2", Name: "alice", Role: wire.RoleParticipant}
	pr.hello(wire.HelloResult{You: me, State: wire.State{Seq: 5, Participants: []wire.Member{host, me}}})
	two := 2
	pr.event(wire.Event{Seq: 6, Kind: wire.KindParticipants, Joined: &me, Count: &two})
	wantMembers(t, pr, "hana,alice")
}

// A party whose folder never changed says nothing about changes; one that changed and went
// back says so.
func TestChangesNoticeOnlyAfterChanges(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.event(wire.Event{Seq: 1, Kind: wire.KindChanges})
	if out.Len() != 0 {
		t.Fatalf("a clean folder printed %q", out.String())
	}
	pr.event(wire.Event{Seq: 2, Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "a.go", Status: "modified"}}})
	// The same list again (the host sends one after every turn) is not printed again.
	pr.event(wire.Event{Seq: 3, Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "a.go", Status: "modified"}}})
	if n := strings.Count(out.String(), "a.go"); n != 1 {
		t.Fatalf("the same changes printed %d times: %q", n, out.String())
	}
	pr.event(wire.Event{Seq: 4, Kind: wire.KindChanges})
	if !strings.Contains(out.String(), "back as it was") {
		t.Fatalf("going back was not said: %q", out.String())
	}
}

// A secret file the host keeps back is still counted: a member knows the list is not all
// (a tester's agent wrote .env and id_rsa and nobody saw a change).
func TestChangesNoticeCountsHiddenFiles(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.event(wire.Event{Seq: 1, Kind: wire.KindChanges, Hidden: 1})
	pr.event(wire.Event{Seq: 2, Kind: wire.KindChanges, Hidden: 1})
	pr.event(wire.Event{Seq: 3, Kind: wire.KindChanges, Hidden: 2, Files: []wire.FileChange{{Path: "a.go", Status: "modified"}}})
	pr.event(wire.Event{Seq: 4, Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "a.go", Status: "modified"}}})
	got := out.String()
	for _, want := range []string{
		"1 file that may hold credentials changed since the party began (not shown)",
		"1 file changed since the party began (a.go), and 2 files that may hold credentials (not shown); /changes lists them",
		"1 file changed since the party began (a.go); /changes lists them",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "1 file that may hold"); n != 1 {
		t.Errorf("the same hidden count printed %d times:\n%s", n, got)
	}
	var c commander
	c.pr, c.ws = pr, hiddenWS{}
	out.Reset()
	if err := c.changes(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if want := "M main.go (+3 -1)\n    and 1 file that may hold credentials (not shown)\n    /diff PATH"; !strings.Contains(out.String(), want) {
		t.Errorf("/changes: %q lacks %q", out.String(), want)
	}
}

// hiddenWS is fakeWS with a secret file kept back.
type hiddenWS struct{ fakeWS }

func (hiddenWS) Changes(context.Context) (wire.ChangesResult, error) {
	return wire.ChangesResult{Files: []wire.FileChange{{Path: "main.go", Status: "modified", Additions: 3, Deletions: 1}}, Hidden: 1}, nil
}

// memberNames is the printer's roster, by name.
// wantMembers fails the test unless the printer's roster is want (names, comma-separated,
// in order).
func wantMembers(t *testing.T, pr *printer, want string) {
	t.Helper()
	var names []string
	pr.with(func(r *roster) {
		for _, m := range r.members {
			names = append(names, m.Name)
		}
	})
	if strings.Join(names, ",") != want {
		t.Fatalf("members %v, want %s", names, want)
	}
}

type fakeWS struct{}

func (fakeWS) Changes(context.Context) (wire.ChangesResult, error) {
	return wire.ChangesResult{Files: []wire.FileChange{
		{Path: "main.go", Status: "modified", Additions: 3, Deletions: 1},
		{Path: "new.go", Status: "renamed", From: "old.go", Additions: 0, Deletions: 0},
		{Path: "logo.png", Status: "added", Binary: true},
		{Path: "dump.sql", Status: "modified", Additions: 1, Deletions: 1, Large: true},
		{Path: "escape", Status: "added", Link: true},
	}}, nil
}

func (fakeWS) Diff(_ context.Context, p string) (wire.FileDiff, error) {
	if p == "logo.png" {
		return wire.FileDiff{Path: p, Binary: true}, nil
	}
	return wire.FileDiff{Path: p, Diff: "diff --git a/main.go b/main.go\n@@ -1 +1 @@\n-old\n+new \x1b[2Jline\n"}, nil
}

func (fakeWS) Tree(_ context.Context, p string) (wire.TreeResult, error) {
	if p == "" {
		return wire.TreeResult{Entries: []wire.TreeEntry{{Name: "src", Dir: true}, {Name: ".env", Size: 42}, {Name: "big.bin", Size: 3 << 20}, {Name: "latest", Link: true}}}, nil
	}
	return wire.TreeResult{Entries: []wire.TreeEntry{}}, nil
}

func (w *fakeLevelWS) SetWorkspace(_ context.Context, level string) error {
	w.level = level
	return nil
}

// fakeLevelWS is fakeWS that keeps the level a host set.
type fakeLevelWS struct {
	fakeWS
	level string
}

func (fakeWS) SetWorkspace(context.Context, string) error { return errors.New("not here") }

// TestTreeAndShareCommands: the folder listing and the sharing level had no terminal
// commands (a tester: /tree was "unknown command" in a party that shared the tree).
func TestTreeAndShareCommands(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	ws := &fakeLevelWS{}
	c.ws = ws
	c.line(context.Background(), "/tree")
	c.line(context.Background(), "/tree src/")
	c.line(context.Background(), `/tree "my folder"`) // quoted, as /changes and /diff take it (a tester's)
	c.line(context.Background(), "/tree 'my folder'")
	c.line(context.Background(), "/share everything")
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSettings, Settings: &wire.Settings{Workspace: wire.WorkspaceOff}})
	c.line(context.Background(), "/share") // alone: what it is now
	c.line(context.Background(), "/share Changes")
	got := out.String()
	if n := strings.Count(out.String(), "my folder/ is empty"); n != 2 || strings.Contains(out.String(), `"my folder"`) {
		t.Errorf("/tree of a quoted folder (%d listed):\n%s", n, out.String())
	}
	for _, want := range []string{"[tree] the working directory (4):\n", "    src/\n", "    latest (a symbolic link, never followed)\n", "    .env (42 bytes)\n", "    big.bin (3.0 MiB)\n", "[tree] src/ is empty", "say /share off, /share changes",
		"the party sees nothing of the working directory; /share changes shares the files that change, /share tree the whole folder"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if ws.level != wire.WorkspaceChanges {
		t.Errorf("level %q, want changes", ws.level)
	}
	// The level in force is said, not asked for again in silence (a tester's).
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSettings, Settings: &wire.Settings{Workspace: wire.WorkspaceChanges}})
	out.Reset()
	ws.level = "unasked"
	c.line(context.Background(), "/share changes")
	if ws.level != "unasked" || !strings.Contains(out.String(), "already: the party sees every file that changes") {
		t.Errorf("/share at the level in force: level %q, output %q", ws.level, out.String())
	}
	ws.level = wire.WorkspaceChanges
	// tree, which shows everyone every file (.env too), is said back once and done the
	// second time within 10 s, as the window asks first (a tester's /share tree exposed
	// .env at once); only the owner may, and a co-host is told so here.
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	c.pr.with(func(r *roster) { r.host = "me" })
	out.Reset()
	c.line(context.Background(), "/share tree")
	if ws.level != wire.WorkspaceChanges || !strings.Contains(out.String(), "list every file of the working directory and see the changes to any of them, secrets such as .env included: /share tree again within 10 seconds does it") {
		t.Fatalf("the first /share tree: level %q, output %q", ws.level, out.String())
	}
	now = now.Add(2 * time.Second)
	c.line(context.Background(), "/share tree")
	if ws.level != wire.WorkspaceTree {
		t.Fatalf("the second /share tree: level %q", ws.level)
	}
	ws.level = wire.WorkspaceChanges
	co, _, _, coout := newCommander(wire.RoleHost) // a co-host: the owner is someone else
	co.ws = ws
	co.pr.with(func(r *roster) { r.host = "hana" })
	co.line(context.Background(), "/share tree")
	co.line(context.Background(), "/share tree")
	if ws.level != wire.WorkspaceChanges || !strings.Contains(coout.String(), "only the party's owner, whose computer it is, can share the whole folder") {
		t.Errorf("a co-host's /share tree: level %q, output %q", ws.level, coout.String())
	}
	// In a party run with --share-workspace off, the owner's /share tree is refused at
	// once with the party's reason, not said back first (a tester confirmed it, only to
	// be refused).
	off, _, _, offout := newCommander(wire.RoleHost)
	off.ws, off.endsParty = fakeWS{}, true
	off.pr.with(func(r *roster) { r.host, r.cannotShare = "me", true })
	off.line(context.Background(), "/share tree")
	if got := offout.String(); strings.Contains(got, "again within") || !strings.Contains(got, "cannot in this run") {
		t.Errorf("/share tree in a party that cannot share: %q", got)
	}
	offout.Reset()
	off.line(context.Background(), "/changes") // the host is told why, not "the host does not share"
	if got := offout.String(); !strings.Contains(got, "cannot in this run") || strings.Contains(got, "the host does not") {
		t.Errorf("/changes in a party that cannot share: %q", got)
	}
	offout.Reset()
	off.line(context.Background(), "/share off") // nothing to take back: said, not silent
	if got := offout.String(); !strings.Contains(got, "cannot in this run") {
		t.Errorf("/share off in a party that cannot share: %q", got)
	}
	offout.Reset()
	off.line(context.Background(), "/share") // alone: not a hint at what it would refuse
	if got := offout.String(); !strings.Contains(got, "cannot in this run") || strings.Contains(got, "/share changes shares") {
		t.Errorf("/share alone in a party that cannot share: %q", got)
	}
	// /share alone offers a co-host no /share tree, which only the owner may (a tester's
	// co-host was pointed at it, then refused); the owner it offers.
	co.ws = ws
	co.pr.with(func(r *roster) { r.settings.Workspace = wire.WorkspaceChanges })
	coout.Reset()
	co.line(context.Background(), "/share")
	if got := coout.String(); strings.Contains(got, "/share tree") || !strings.Contains(got, "/share off hides them") {
		t.Errorf("a co-host's /share: %q", got)
	}
	// A co-host's terminal learns it from the hello as the owner's does, and says whose
	// run it is (it offered /share changes, which the host then refused).
	coOff, _, _, coOffOut := newCommander(wire.RoleHost)
	coOff.ws = fakeWS{}
	coOff.pr.hello(wire.HelloResult{You: wire.Member{ID: "c1", Name: "cara", Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "hana", Workspace: wire.WorkspaceOff, CannotShare: true}})
	coOffOut.Reset()
	coOff.line(context.Background(), "/help")
	if got := coOffOut.String(); !strings.Contains(got, "not in this run: it was started with sharing off") {
		t.Errorf("a co-host's /help in a party that cannot share: %q", got)
	}
	for _, line := range []string{"/share", "/changes", "/share off", "/share changes", "/share tree"} {
		coOffOut.Reset()
		coOff.line(context.Background(), line)
		if got := coOffOut.String(); !strings.Contains(got, "this run was started with sharing off (its owner can") || strings.Contains(got, "/share changes shares") {
			t.Errorf("a co-host's %s in a party that cannot share: %q", line, got)
		}
	}
	// A party whose first snapshot failed says why, to its owner what to do once it is fixed
	// (a joiner was told the party saw every file that changed).
	const why = "the working directory is too large to track changes in: 20001 files"
	for _, owner := range []bool{true, false} {
		failed, _, _, failedOut := newCommander(wire.RoleHost)
		failed.ws, failed.endsParty = fakeWS{}, owner
		failed.pr.hello(wire.HelloResult{You: wire.Member{ID: "c1", Name: "cara", Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "hana", Workspace: wire.WorkspaceOff, CannotShare: true, ShareError: why}})
		for _, line := range []string{"/share", "/changes", "/share changes", "/help"} {
			failedOut.Reset()
			failed.line(context.Background(), line)
			got := failedOut.String()
			switch {
			case line == "/help":
				if !strings.Contains(got, "not in this run: the folder could not be shared") {
					t.Errorf("/help in a party whose folder could not be shared: %q", got)
				}
			case !strings.Contains(got, "cannot in this run ("+why+")") || strings.Contains(got, "started with sharing off") ||
				owner != strings.Contains(got, "once that is fixed, a --resume with --share-workspace changes shares it"):
				t.Errorf("owner %v: %s in a party whose folder could not be shared: %q", owner, line, got)
			}
		}
	}
	// A terminal in the party when the snapshot fails learns it from the settings event
	// that turns the sharing off; one replayed from a run before a resume changes nothing.
	for _, live := range []bool{true, false} {
		late, _, _, lateOut := newCommander(wire.RoleParticipant)
		late.ws = fakeWS{}
		late.pr.hello(wire.HelloResult{You: wire.Member{ID: "b1", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "hana", Workspace: wire.WorkspaceChanges}, State: wire.State{Seq: 5}})
		seq := int64(6)
		if !live {
			seq = 4
		}
		late.pr.event(wire.Event{Seq: seq, Kind: wire.KindSettings, Settings: &wire.Settings{Workspace: wire.WorkspaceOff, ShareError: why}})
		lateOut.Reset()
		late.line(context.Background(), "/changes")
		if got := strings.Contains(lateOut.String(), "cannot in this run ("+why+")"); got != live {
			t.Errorf("live %v: /changes after a settings event with share_error: %q", live, lateOut.String())
		}
	}
	p, _, _, pout := newCommander(wire.RoleParticipant)
	p.ws = ws
	p.line(context.Background(), "/share off")
	if ws.level != wire.WorkspaceChanges || !strings.Contains(pout.String(), "/share") {
		t.Errorf("a participant's /share: level %q, output %q", ws.level, pout.String())
	}
}

func TestChangesAndDiffCommands(t *testing.T) {
	for _, color := range []bool{false, true} {
		c, _, sent, out := newCommander(wire.RoleViewer)
		c.ws = fakeWS{}
		c.pr.color = color
		c.line(context.Background(), "/changes")
		c.line(context.Background(), "/diff main.go")
		c.line(context.Background(), "/diff logo.png")
		c.line(context.Background(), "/diff")
		got := out.String()
		if len(*sent) != 0 {
			t.Fatalf("sent %q", *sent)
		}
		for _, want := range []string{"M main.go (+3 -1)", "R new.go ← old.go (+0 -0)", "A logo.png (binary)\n", "M dump.sql (too large to track)\n", "A escape (a symbolic link)\n", "logo.png is a binary file", "say /diff PATH"} {
			if !strings.Contains(got, want) {
				t.Errorf("color=%v: output lacks %q:\n%s", color, want, got)
			}
		}
		if strings.Contains(got, "\x1b[2J") {
			t.Errorf("a peer's escape sequence reached the terminal: %q", got)
		}
		if color != strings.Contains(got, "\x1b[32m+new") {
			t.Errorf("color=%v: diff colouring wrong:\n%q", color, got)
		}
	}
}

func TestColorFor(t *testing.T) {
	var b bytes.Buffer
	if colorFor(&b, func(string) string { return "" }) {
		t.Error("a buffer takes colour")
	}
	if colorFor(os.Stdout, func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}) {
		t.Error("NO_COLOR ignored")
	}
}

func TestDidYouMean(t *testing.T) {
	cases := []struct{ typed, want string }{
		{"hots", "host"}, {"jion", "join"}, {"join", "join"}, {"partys", "parties"},
		{"exprot", "export"}, {"frobnicate", ""}, {"x", ""}, {"HOST", "host"},
	}
	for _, c := range cases {
		t.Run(c.typed, func(t *testing.T) {
			if got := didYouMean(c.typed, subcommands); got != c.want {
				t.Fatalf("didYouMean(%q) = %q, want %q", c.typed, got, c.want)
			}
		})
	}
}

func TestMainSuggestsACommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"hots"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	if code != ExitUsage || !strings.Contains(errb.String(), "did you mean host?") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestFmtDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {30 * time.Millisecond, "under 0.1s"}, {1500 * time.Millisecond, "1.5s"}, {3 * time.Second, "3s"},
		{12400 * time.Millisecond, "12s"}, {125 * time.Second, "2m05s"}, {2 * time.Minute, "2m00s"}, {62 * time.Minute, "1h02m"},
	}
	for _, c := range cases {
		if got := fmtDuration(c.d); got != c.want {
			t.Errorf("fmtDuration(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestMessagesForPeople(t *testing.T) {
	cases := []struct {
		name    string
		got     string
		want    string
		mustNot []string
	}{
		{"port in use", hostError(&host.ListenError{Addr: "127.0.0.1:8765", Err: &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}}, "127.0.0.1:8765", false),
			"cannot start the party: 127.0.0.1:8765 is in use by another program (another party?); choose another address with --listen (port 0: any free port)", []string{"bind:", "listen tcp"}},
		{"resumed on a port in use", hostError(&host.ListenError{Addr: "127.0.0.1:8765", Err: &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}}, "127.0.0.1:8765", true),
			"", []string{"bind:", "any free port"}},
		{"a port this user may not take", hostError(&host.ListenError{Addr: "127.0.0.1:80", Err: &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EACCES)}}, "127.0.0.1:80", false),
			"cannot start the party: this user may not listen on 127.0.0.1:80; choose a port above 1023 with --listen", nil},
		// A tester's data directory the user could not write was taken for a port; then
		// it was named with no way out.
		{"a data directory this user may not write", hostError(&host.DataDirError{Dir: "/d", Err: fmt.Errorf("open the party's journal: %w", &fs.PathError{Op: "open", Path: "/d/parties/p1.jsonl", Err: syscall.EACCES})}, "127.0.0.1:18211", false),
			"cannot start the party: this user may not write its data directory /d (open the party's journal: open /d/parties/p1.jsonl: permission denied); choose a folder it may write with --data-dir", []string{"listen", "port"}},
		{"claude not on PATH", hostError(fmt.Errorf("%w (looked for %q: %w)", agent.ErrNotInstalled, "claude", &exec.Error{Name: "claude", Err: exec.ErrNotFound}), "", false),
			`Claude Code was not found: no "claude" on PATH; point --claude at the claude program, or install it with "npm install -g @anthropic-ai/claude-code"`, []string{"$PATH", "looked for"}},
		{"rate limited", describe(&rpc.Error{Code: wire.CodeRateLimited, Message: "too many prompts"}), "too many prompts; wait a few seconds and send it again", []string{"rpc error", "-32003"}},
		{"wrapped rpc error", describe(fmt.Errorf("prompt: %w", errors.New("rpc error -32602: prompt is empty"))), "prompt: prompt is empty", []string{"rpc error"}},
		{"bad handshake", joinError(fmt.Errorf("%w at 1.2.3.4:5: websocket: bad handshake (HTTP 400)", client.ErrUnreachable)), "", []string{"websocket:", "HTTP 400"}},
		// A host stopped with SIGSTOP: its system still takes the connection.
		{"taken, never answered", joinError(fmt.Errorf("%w at x: %w: dial: %w: read tcp: i/o timeout", client.ErrUnreachable, client.ErrNoAnswer, rpc.ErrNoAnswer)),
			"the host did not answer: the connection was taken, but nothing came back in time (is the party's program stopped or hung?). Check with the host that the party is still running; --verbose shows why.", []string{"cannot reach", "i/o timeout"}},
		{"unreachable", joinError(fmt.Errorf("%w at x: dial tcp: connection refused", client.ErrUnreachable)), "", []string{"dial tcp"}},
		{"TLS host, link without fp", joinError(fmt.Errorf("%w (at ws://1.2.3.4:5/rpc): websocket: bad handshake (HTTP 400)", client.ErrTLSHost)),
			"this host uses encryption; the invite is missing its ?fp= part — was it cut off? Ask the host for the invite again and copy it whole (it ends in ?fp= and 64 hex digits).", []string{"websocket:", "firewall"}},
		{"party's invalid request", describe(fmt.Errorf("/stop: %w: no turn is running", party.ErrInvalid)), "/stop: no turn is running", nil},
		{"host's invalid params", describe(&rpc.Error{Code: -32602, Message: "invalid request: no member m9"}), "no member m9", nil},
		// An invite of a party that ended, another now at its address (a window tester's).
		{"refused", joinError(fmt.Errorf("%w: rpc error -32001: bad token", client.ErrRefused)),
			"the host refused this invite: it was replaced (/rotate), the party it was for has ended (another may run at that address now), or its token is wrong. Ask the host for the current invite.", []string{"rpc error"}},
		{"full for viewers", joinError(client.ErrFullForViewers), "the party has no room for more viewers: its last places are kept for participants. Ask a host for the participant invite, or to make room, then join again.", nil},
		{"plain host, link with fp", joinError(fmt.Errorf("%w (at wss://1.2.3.4:5/rpc): tls: first record does not look like a TLS handshake", client.ErrPlainHost)),
			"the address in the invite answers without encryption, but the invite has a ?fp= part, so this terminal did not connect: either the party was restarted with --insecure (ask the host for the current invite), or what listens there is not a Concordia party", []string{"tls:", "firewall", "cannot reach"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.want != "" && c.got != c.want {
				t.Fatalf("got %q, want %q", c.got, c.want)
			}
			for _, bad := range c.mustNot {
				if strings.Contains(c.got, bad) {
					t.Fatalf("%q shows %q", c.got, bad)
				}
			}
			if c.got == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestHelpIsGNUStyle(t *testing.T) {
	var out, errb bytes.Buffer
	Main(context.Background(), []string{"host", "--help"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	help := errb.String() + out.String()
	if !strings.Contains(help, "  --claude PATH") || strings.Contains(help, "\n  -claude") {
		t.Fatalf("host --help is not GNU style:\n%s", help)
	}
}

// TestUsageErrorsAreSentences: every way a command line can be wrong gets one sentence and
// the pointer to --help, on stderr, exit 2 — the flag package's own wording and its whole
// usage text never show. --help itself goes to stdout.
func TestUsageErrorsAreSentences(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"host", "--bogus"}, "concordia host: unknown flag --bogus\n"},
		{[]string{"host", "--windw", "3s"}, "concordia host: unknown flag --windw; did you mean --window?\n"},
		{[]string{"host", "--window", "abc"}, `concordia host: --window must be a duration such as 3s, 500ms or 2m; got "abc"` + "\n"},
		{[]string{"host", "--max-participants", "x"}, `concordia host: --max-participants must be a whole number; got "x"` + "\n"},
		{[]string{"host", "--approve=maybe"}, `concordia host: --approve takes no value (or =true, =false); got "maybe"` + "\n"},
		{[]string{"join", "--name"}, "concordia join: --name needs a value\n"},
		// What is wrong with a link is named (a user tester's "got 65" did not say it was a "/").
		{[]string{"join", "concordia://h:1/" + strings.Repeat("A", 43) + "?fp=" + strings.Repeat("ab", 32) + "//"}, `concordia join: invalid invite: fp has "//" after its 64 hex characters; remove it`},
		{[]string{"export", "x", "-o"}, "concordia export: -o needs a value\n"},
		{[]string{"host", "--listen", "127.0.0.1:99999"}, `concordia host: the --listen port 99999 is out of range: use one from 0 to 65535 (0 for any free port). For example: --listen :8765 (every interface), or --listen 127.0.0.1:0 (a free port on this machine only).` + "\n"},
		{[]string{"host", "--listen", "8765"}, `concordia host: the --listen address "8765" is not HOST:PORT or :PORT (e.g. ":8765", or "127.0.0.1:0" for a free port on this machine only).` + "\n"},
		{[]string{"host", "---x"}, `concordia host: "---x" is not a flag (write -name or --name)` + "\n"},
		{[]string{"host", "--max-participants", "99999999999999999999"}, `concordia host: --max-participants: "99999999999999999999" is out of range` + "\n"},
		{[]string{"version", "--x"}, `concordia version: unknown flag --x (version takes none)` + "\n"},
		{[]string{"version", "x"}, `concordia version: unexpected argument "x" (version takes none)` + "\n"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), c.args, IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			if code != ExitUsage || !strings.HasPrefix(errb.String(), c.want) || out.Len() != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and stderr starting %q", code, out.String(), errb.String(), c.want)
			}
			if strings.Contains(errb.String(), "Flags:") || strings.Contains(errb.String(), "flag provided") {
				t.Errorf("the flag package's text shows: %q", errb.String())
			}
		})
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"export", "--help"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != ExitOK || errb.Len() != 0 ||
		!strings.Contains(out.String(), "\n  -o FILE\n") || !strings.Contains(out.String(), "(default md)") || !strings.Contains(out.String(), "--data-dir DIRECTORY") {
		t.Errorf("export --help: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"version", "--help"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != ExitOK || !strings.HasPrefix(out.String(), "Usage: concordia version") {
		t.Errorf("version --help: exit %d, %q (every command takes --help)", code, out.String())
	}
	out.Reset()
	if code := Main(context.Background(), []string{"help", "join"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != ExitOK || !strings.HasPrefix(out.String(), "Usage: concordia join") {
		t.Errorf("help join: exit %d, %q", code, out.String())
	}
	for _, noWindow := range []bool{false, true} {
		out.Reset()
		Main(context.Background(), []string{"help"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb, NoWindow: noWindow})
		if strings.Contains(out.String(), "open the desktop window") == noWindow {
			t.Errorf("help (headless %v) offers the window: %v", noWindow, !noWindow)
		}
		// concordia INVITE, what opening a link runs, is said too (a user tester's found
		// nothing about it).
		if strings.Contains(out.String(), "concordia INVITE  ") == noWindow {
			t.Errorf("help (headless %v) offers concordia INVITE: %v", noWindow, !noWindow)
		}
	}
}

// TestWindowArgs: the desktop build's window refuses a flag it does not know, with exit 2
// and a sentence on stderr, before any window opens (a user tester's "concordia -v" and
// "concordia --bogus" opened it, or raised the running one, with exit 0). What the OS
// passes (a link, or nothing) and Wails' own flags of the build still reach the window.
func TestWindowArgs(t *testing.T) {
	const link = "concordia://127.0.0.1:8765/TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms?fp=" + "ab"
	dev := []string{"assetdir", "devserver"}
	cases := []struct {
		name  string
		args  []string
		wails []string
		want  string // "" = the window takes them; else the start of stderr
	}{
		{"nothing (the launcher's %u with no link)", nil, nil, ""},
		{"a link (xdg-open, the second instance)", []string{link}, nil, ""},
		{"a broken link: the window explains it", []string{"concordia:/x"}, nil, ""},
		{"macOS process number", []string{"-psn_0_12345"}, nil, ""},
		{"dev build flags", []string{"-devserver", "127.0.0.1:1", "-assetdir", "/x/dist"}, dev, ""},
		{"dev build flags with =", []string{"--devserver=127.0.0.1:1"}, dev, ""},
		{"a flag's value is not a flag", []string{"-assetdir", "-odd-dir"}, dev, ""},
		{"-v", []string{"-v"}, nil, "concordia: unknown flag -v; did you mean --version?\nRun \"concordia --help\" for usage.\n"},
		{"--bogus", []string{"--bogus"}, nil, "concordia: unknown flag --bogus\nRun \"concordia --help\" for usage.\n"},
		{"a misspelt --version", []string{"--verison"}, nil, "concordia: unknown flag --verison; did you mean --version?\n"},
		{"a flag after a link", []string{link, "--bogus"}, nil, "concordia: unknown flag --bogus\n"},
		{"a dev flag in a production build", []string{"-devserver", "127.0.0.1:1"}, nil, "concordia: unknown flag -devserver\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if IsSubcommand(c.args) {
				t.Fatalf("IsSubcommand(%q): not the window's", c.args)
			}
			var errb bytes.Buffer
			code := WindowArgs(c.args, c.wails, &errb)
			switch {
			case c.want == "" && (code != ExitOK || errb.Len() != 0):
				t.Fatalf("exit %d, stderr %q; want the window", code, errb.String())
			case c.want != "" && (code != ExitUsage || !strings.HasPrefix(errb.String(), c.want)):
				t.Fatalf("exit %d, stderr %q; want 2 and stderr starting %q", code, errb.String(), c.want)
			}
		})
	}
}

// In a pipe there is no line editor, so /help does not describe its keys.
func TestHelpWithoutTheEditor(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.line(context.Background(), "/help")
	if strings.Contains(out.String(), "Alt-Enter") || !strings.Contains(out.String(), "each line is one prompt") {
		t.Errorf("/help in a pipe: %q", out.String())
	}
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.editor = true
	c.line(context.Background(), "/help")
	if !strings.Contains(out.String(), "Alt-Enter") {
		t.Errorf("/help with the editor: %q", out.String())
	}
}

// TestRetryNoticesThinOut: every attempt is reported while the waits grow, then one a
// minute (a host down for long used to print a line every 15 s).
func TestRetryNoticesThinOut(t *testing.T) {
	var r retryNotices
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	var said []string
	at := t0
	for attempt := 1; attempt <= 12; attempt++ {
		wait := min(time.Second<<(attempt-1), 15*time.Second)
		if text, ok := r.say(client.Status{State: client.StatusReconnecting, Attempt: attempt, RetryIn: wait}, at); ok {
			said = append(said, text)
		}
		at = at.Add(wait)
	}
	// Attempts 1–4 at 0, 1, 3, 7 s; 5 at 15 s is within the minute; 6 at 30, 7 at 45, 8 at
	// 60 s, 9 at 75 s: the first a minute after attempt 4's (7 s) is 9; then 13 would be.
	want := []string{
		"lost the connection to the host; trying again in 1s (attempt 1; /retry tries now)",
		"still cannot reach the host; trying again in 2s (attempt 2; /retry tries now)",
		"still cannot reach the host; trying again in 4s (attempt 3; /retry tries now)",
		"still cannot reach the host; trying again in 8s (attempt 4; /retry tries now)",
		"still trying to reach the host: attempt 9, the next in 15s (/retry tries now; a host started again at another address gives out new invites: /quit, then join with one)",
	}
	if !slices.Equal(said, want) {
		t.Fatalf("said:\n%s\nwant:\n%s", strings.Join(said, "\n"), strings.Join(want, "\n"))
	}
}

func TestFirstLines(t *testing.T) {
	if got, cut := firstLines("a\nb\n", 2); got != "a\nb" || cut {
		t.Errorf("firstLines = %q", got)
	}
	if got, cut := firstLines("a\nb\nc\nd", 2); got != "a\nb\n… (2 more lines)" || !cut {
		t.Errorf("firstLines = %q", got)
	}
}

// TestAtMostOneBlankLine: agent text after a tool line or a notice that starts with blank
// lines leaves one blank line, not two or three (pipe mode showed two before "tools: …").
func TestAtMostOneBlankLine(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Let me check."})
	p.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: ls"})
	p.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "\n"})
	p.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "\n\ntools: allowed\n\n"})
	p.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "\n\nnext paragraph"})
	p.flush()
	if want := "Let me check.\n  » Bash: ls\n\ntools: allowed\n\nnext paragraph"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

// TestLeftWithAReason: a participants event whose text says why (a resumed host: they were
// disconnected) is printed as that text, not as "left"; this terminal's own member is
// "you" by the event's why; a note that someone was there when the party ended is not
// printed (the end was).
func TestLeftWithAReason(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	n := 1
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m2", Name: "Bob"}, Count: &n, Text: "Bob was disconnected when the host stopped", Why: wire.WhyHostStopped})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m3", Name: "eve"}, Count: &n})
	// Without a count: the resume writes these before anyone is back, and "(1 in the
	// party)" after each counted down people who were all gone (a tester's).
	for _, want := range []string{"[party] Bob was disconnected when the host stopped\n", "[party] eve left ("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Bob left") {
		t.Errorf("a disconnected member was said to have left:\n%s", out.String())
	}
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me"}, Count: &n, Text: "me was disconnected when the host stopped", Why: wire.WhyHostStopped})
	if !strings.Contains(out.String(), "[party] you were disconnected when the host stopped\n") {
		t.Errorf("this terminal's own member is not 'you':\n%s", out.String())
	}
	// The host's own member, as the resume writes it: no count either.
	out.Reset()
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m0", Name: "hana", Role: wire.RoleHost}, Count: &n, Text: "hana, the host, stopped", Why: wire.WhyHostStopped})
	if got := out.String(); got != "[party] hana, the host, stopped\n" {
		t.Errorf("the host's stop: %q", got)
	}
	// Written by the resume before anyone is back: no "(0 in the party)" (a tester's).
	out.Reset()
	zero := 0
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me"}, Count: &zero, Text: "me was disconnected when the host stopped", Why: wire.WhyHostStopped})
	if got := out.String(); !strings.Contains(got, "[party] you were disconnected when the host stopped\n") {
		t.Errorf("with nobody back yet: %q", got)
	}
	// From a host (or a journal) from before why: still "you".
	out.Reset()
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me"}, Count: &n, Text: "me was disconnected when the host stopped"})
	if !strings.Contains(out.String(), "[party] you were disconnected when the host stopped (1 in the party)") {
		t.Errorf("without why, this terminal's own member is not 'you':\n%s", out.String())
	}
	out.Reset()
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me"}, Count: &n, Text: "me left when the party ended", Why: wire.WhyPartyEnded})
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m4", Name: "zed"}, Count: &n, Text: "zed left when the party ended", Why: wire.WhyPartyEnded})
	if out.Len() != 0 {
		t.Errorf("a note that someone was there at the end was printed:\n%s", out.String())
	}
	// The owner's own terminal is the host that stopped: not "disconnected" (a tester's
	// resumed host read "you were disconnected when the host stopped"), but said, with the
	// count the next lines go down from (another tester found it missing).
	h, _, _, hout := newCommander(wire.RoleHost)
	h.pr.with(func(r *roster) { r.host = "me" })
	h.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Count: &n, Text: "me was disconnected when the host stopped", Why: wire.WhyHostStopped})
	if strings.Contains(hout.String(), "disconnected") || !strings.Contains(hout.String(), "[party] you were in the party when it stopped (1 other was)") {
		t.Errorf("the owner's own terminal:\n%s", hout.String())
	}
	// Alone: "(0 in the party)" read as if nobody, the host included, had been there.
	zero = 0
	h.pr.event(wire.Event{Seq: 4, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Count: &zero, Text: "me was disconnected when the host stopped", Why: wire.WhyHostStopped})
	if !strings.Contains(hout.String(), "[party] you were in the party when it stopped (nobody else was)") {
		t.Errorf("the owner's own terminal, alone:\n%s", hout.String())
	}
}

// TestANamesakeIsNotYou: a newcomer named like a member who has gone is not told that
// member's prompts and withdrawals were theirs (found by a tester: "[you] alice: …" and
// "you withdrew bob's prompt" in a newcomer's history). Ids decide; names only for a host
// that sends none.
func TestANamesakeIsNotYou(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant) // "me", member m1
	c.pr.color = true
	ev := func(seq int64, e wire.Event) { e.Seq = seq; c.pr.event(e) }
	ev(1, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "me", Text: "the first me asks", Member: "m7"}})
	ev(2, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "Bob", Text: "bob asks", Member: "m2"}})
	ev(3, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "me", By: "me", ByMember: "m7"}})
	ev(4, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p2", User: "Bob", By: "me", ByMember: "m7"}})
	got := out.String()
	for _, bad := range []string{"[you]", "you withdrew", "your prompt"} {
		if strings.Contains(got, bad) {
			t.Errorf("a namesake's history reads as this member's (%q):\n%s", bad, got)
		}
	}
	for _, want := range []string{"me withdrew their prompt: the first me asks", "me withdrew Bob's prompt: bob asks"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// This member's own, by id.
	out.Reset()
	ev(5, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p3", User: "me", Text: "mine", Member: "m1"}})
	ev(6, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p3", User: "me", By: "me", ByMember: "m1"}})
	if got := out.String(); !strings.Contains(got, "[you]") || !strings.Contains(got, "you withdrew your prompt: mine") {
		t.Errorf("this member's own prompt and withdrawal:\n%s", got)
	}
}

// TestWithdraw: /withdraw takes back this member's newest prompt that no batch has taken,
// says why when there is none, and every terminal tells who took back whose prompt.
func TestWithdraw(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	var withdrawn []string
	c.withdraw = func(_ context.Context, id string) error { withdrawn = append(withdrawn, id); return nil }
	var given []string // what came back to the line editor's input
	c.pr.setInputSink(func(text string) { given = append(given, text) })
	ev := func(seq int64, e wire.Event) { e.Seq = seq; c.pr.event(e) }
	ev(1, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "me", Text: "older one"}})
	ev(2, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "me", Text: "fix teh typo\nand more"}})
	ev(3, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p3", User: "Bob", Text: "bob's"}})

	c.line(context.Background(), "/withdraw")
	if !slices.Equal(withdrawn, []string{"p2"}) {
		t.Fatalf("withdrew %v, want my newest waiting prompt p2", withdrawn)
	}
	if !slices.Equal(given, []string{"fix teh typo\nand more"}) {
		t.Errorf("the input line was given %q, want the whole withdrawn prompt", given)
	}
	ev(4, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p2", User: "me", By: "me"}})
	ev(5, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p3", User: "Bob", By: "hosty"}})
	for _, want := range []string{
		"you withdrew your prompt: fix teh typo (+1 line) (it will not be sent)",
		"hosty withdrew Bob's prompt: bob's (it will not be sent)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	c.line(context.Background(), "/withdraw")
	if !slices.Equal(withdrawn, []string{"p2", "p1"}) {
		t.Fatalf("withdrew %v, then want p1", withdrawn)
	}
	ev(6, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "me", By: "me"}})

	out.Reset()
	c.line(context.Background(), "/withdraw")
	if len(withdrawn) != 2 || !strings.Contains(out.String(), "/withdraw: you have no prompt waiting") {
		t.Errorf("nothing left to withdraw: withdrew %v, said %q", withdrawn, out.String())
	}
	ev(7, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p4", User: "me", Text: "held"}})
	ev(8, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p4"}, Merged: "held", Merger: "local"}})
	out.Reset()
	c.line(context.Background(), "/withdraw")
	if len(withdrawn) != 2 || !strings.Contains(out.String(), "waits for a host's approval; a host can /reject it") {
		t.Errorf("a prompt in a held batch: withdrew %v, said %q", withdrawn, out.String())
	}
	// By member id when the host sends it: a prompt from an earlier member of the same name
	// is not this terminal's, and a renamed member's (me-2, same id) is.
	ev(20, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p20", User: "me", Text: "an older me's", Member: "m9"}})
	ev(21, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p21", User: "me-2", Text: "mine, renamed", Member: "m1"}})
	ev(22, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p22", User: "me", Text: "the older me again", Member: "m9"}})
	withdrawn = nil
	c.line(context.Background(), "/withdraw")
	if !slices.Equal(withdrawn, []string{"p21"}) {
		t.Fatalf("withdrew %v, want p21 (my member id, another name)", withdrawn)
	}
	given = nil
	c.withdraw = func(context.Context, string) error { return fmt.Errorf("%w: too late", party.ErrInvalid) }
	ev(9, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p5", User: "me", Text: "raced"}})
	out.Reset()
	c.line(context.Background(), "/withdraw")
	if !strings.Contains(out.String(), "/withdraw: ") || !strings.Contains(out.String(), "too late") {
		t.Errorf("the host's refusal: %q", out.String())
	}
	if len(given) != 0 {
		t.Errorf("a refused withdrawal gave %q back to the input line", given)
	}
}

// TestAlwaysBashAsksFirst: /always of a Bash request lets the agent run any command on
// the owner's computer unasked for the rest of the party; at the line editor it is asked
// once, as /permissions all is (the window's Always allow Bash asks too, since a tester's
// took one click). Another tool's /always is taken at once, and so is a script's.
func TestAlwaysBashAsksFirst(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.pr.with(func(r *roster) { r.host = "me" })
	c.editor = true
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "make", Status: wire.PermissionPending}})
	c.line(context.Background(), "/always")
	if len(ctl.calls) != 0 || !strings.Contains(out.String(), "/always for Bash lets the agent run any command on your computer without asking (but one whose words name a file that usually holds secrets; a command can reach one without naming it), for the rest of the party: /always again within 10 seconds does it; /allow allows this one") {
		t.Fatalf("the first /always of Bash: calls %v, said %q", ctl.calls, out.String())
	}
	now = now.Add(quitAgain + time.Second) // too late: asked again
	c.line(context.Background(), "/always")
	if len(ctl.calls) != 0 {
		t.Fatalf("a second /always after its time decided: %v", ctl.calls)
	}
	now = now.Add(time.Second)
	c.line(context.Background(), "/always")
	if !slices.Equal(ctl.calls, []string{"decide t1 always "}) {
		t.Fatalf("the second /always in time: calls %v", ctl.calls)
	}
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionAllowed}})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Read", Summary: "a.txt", Status: wire.PermissionPending}})
	c.line(context.Background(), "/always")
	if !slices.Equal(ctl.calls, []string{"decide t1 always ", "decide t2 always "}) {
		t.Fatalf("/always of Read: calls %v", ctl.calls)
	}
	s, sctl, _, _ := newCommander(wire.RoleHost) // a script: no one to answer the question
	s.pr.with(func(r *roster) { r.host = "me" })
	s.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "make", Status: wire.PermissionPending}})
	s.line(context.Background(), "/always")
	if !slices.Equal(sctl.calls, []string{"decide t1 always "}) {
		t.Fatalf("a script's /always of Bash: calls %v", sctl.calls)
	}
}

// TestAlwaysWhereNoneWasOffered: /always typed for a request whose hint offered none (an
// always would not cover it, or an edit in edits mode) still decides it, and says it
// allowed that one only (a tester's read nothing, and took the .env write as allowed for
// good).
func TestAlwaysWhereNoneWasOffered(t *testing.T) {
	for _, tt := range []struct {
		name, mode string
		perm       wire.Permission
		want       string
	}{
		{"uncovered", wire.PermissionAsk, wire.Permission{ID: "t1", Tool: "Write", Summary: ".env", Uncovered: true, Status: wire.PermissionPending},
			"[system] allowed this request once: an always for Write does not cover it (files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets ask each time)\n"},
		{"edits mode", wire.PermissionEdits, wire.Permission{ID: "t1", Tool: "Edit", Summary: ".github/workflows/ci.yml", Status: wire.PermissionPending},
			"[system] allowed this request once: edits mode allows the folder's files already, and an always does not cover files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets: they ask each time\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, ctl, _, out := newCommander(wire.RoleHost)
			c.pr.with(func(r *roster) { r.host = "me"; r.settings.PermissionMode = tt.mode })
			c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &tt.perm})
			c.line(context.Background(), "/always")
			if !slices.Equal(ctl.calls, []string{"decide t1 always "}) || !strings.Contains(out.String(), tt.want) {
				t.Fatalf("calls %v, said %q", ctl.calls, out.String())
			}
		})
	}
	c, _, _, out := newCommander(wire.RoleHost) // one an always covers: nothing more said
	c.pr.with(func(r *roster) { r.host = "me" })
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Write", Summary: "a.txt", Status: wire.PermissionPending}})
	c.line(context.Background(), "/always")
	if strings.Contains(out.String(), "allowed this request once") {
		t.Fatalf("said %q", out.String())
	}
}

// TestKickAgainNamesNobodyElse: a tester's repeated "/kick bob smith", after bob smith was
// removed, removed bob for the reason "smith". A removed member's name of several words is
// still one name: nobody's now.
func TestKickAgainNamesNobodyElse(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	n := 4
	bs := wire.Member{ID: "m7", Name: "bob smith", Role: wire.RoleParticipant}
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Joined: &bs, Count: &n})
	c.line(context.Background(), "/kick bob smith")
	if !slices.Equal(ctl.calls, []string{"kick m7 "}) {
		t.Fatalf("the first kick: calls %v", ctl.calls)
	}
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: "me removed bob smith from the party"})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Left: &bs, Count: &n, Why: wire.WhyKicked})
	out.Reset()
	c.line(context.Background(), "/kick bob smith")
	c.line(context.Background(), "/withdraw Bob Smith")
	if len(ctl.calls) != 1 {
		t.Fatalf("a removed member's name reached another: calls %v", ctl.calls)
	}
	if want := `smith" was removed from the party; a name in quotes is taken as it is`; strings.Count(strings.ToLower(out.String()), want) != 2 {
		t.Errorf("output lacks %q twice:\n%s", want, out.String())
	}
	c.line(context.Background(), `/kick "Bob" smith`)
	if !slices.Equal(ctl.calls, []string{"kick m7 ", "kick m2 smith"}) {
		t.Fatalf("a quoted name: calls %v", ctl.calls)
	}
}

// TestRejectedPromptIsYours: the author of a rejected prompt read "hostie rejected bob's
// prompt" of its own, where an approval says "your prompt" (a tester's); a batch of others'
// prompts, or of some of its own, is said as before.
func TestRejectedPromptIsYours(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	ev := func(seq int64, e wire.Event) { e.Seq = seq; c.pr.event(e) }
	ev(1, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "me", Text: "logout", Member: "m1"}})
	ev(2, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "logout", Merger: "local"}})
	ev(3, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b1", Prompts: []string{"p1"}, By: "hostie", Reason: "out of scope"}})
	ev(4, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "me", Text: "a", Member: "m1"}})
	ev(5, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p3", User: "me", Text: "b", Member: "m1"}})
	ev(6, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Prompts: []string{"p2", "p3"}, Merged: "a b", Merger: "local"}})
	ev(7, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b2", Prompts: []string{"p2", "p3"}, By: "hostie"}})
	ev(8, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p4", User: "me", Text: "c", Member: "m1"}})
	ev(9, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p5", User: "Bob", Text: "d", Member: "m2"}})
	ev(10, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Prompts: []string{"p4", "p5"}, Merged: "c d", Merger: "local"}})
	ev(11, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b3", Prompts: []string{"p4", "p5"}, By: "hostie"}})
	// Who rejected it: its own author ("their"), or this terminal's member ("you"; a
	// tester's read "hostie rejected hostie's prompt", and its own as "hosty rejected …").
	ev(12, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p6", User: "Bob", Text: "e", Member: "m2"}})
	ev(13, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b4", Prompts: []string{"p6"}, Merged: "e", Merger: "local"}})
	ev(14, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b4", Prompts: []string{"p6"}, By: "Bob"}})
	ev(15, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p7", User: "Bob", Text: "f", Member: "m2"}})
	ev(16, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b5", Prompts: []string{"p7"}, Merged: "f", Merger: "local"}})
	ev(17, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b5", Prompts: []string{"p7"}, By: "me"}})
	for _, want := range []string{
		"[system] hostie rejected your prompt; it was not sent: out of scope\n",
		"[system] hostie rejected the merged prompt (your 2 prompts); it was not sent\n",
		"[system] hostie rejected the merged prompt (prompts by me, Bob); it was not sent\n",
		"[system] Bob rejected their prompt; it was not sent\n",
		"[system] you rejected Bob's prompt; it was not sent\n",
		// And a request or an approval for it (a tester's read "(for bob's prompt)").
		"[approval] this merged prompt waits for a host's approval (your 2 prompts):\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestHostWithdrawsSomeonesPrompt: a host was told "bob's waiting prompt is still sent,
// unless bob or a host withdraws it", and the terminal had no way to (a tester's): a host's
// /withdraw NAME takes back that member's newest waiting prompt; others are told it is a
// host's, and a viewer with nothing waiting is not told of prompts it cannot send.
func TestHostWithdrawsSomeonesPrompt(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	var withdrawn []string
	c.withdraw = func(_ context.Context, id string) error { withdrawn = append(withdrawn, id); return nil }
	ev := func(seq int64, e wire.Event) { e.Seq = seq; c.pr.event(e) }
	ev(1, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "Bob", Text: "first", Member: "m2"}})
	ev(2, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "Bob", Text: "second", Member: "m2"}})
	ev(3, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p3", User: "me", Text: "mine", Member: "m1"}})

	// The host's event comes a moment after the call's answer, as it may from a real host.
	var wg sync.WaitGroup
	c.withdraw = func(_ context.Context, id string) error {
		withdrawn = append(withdrawn, id)
		seq := int64(3 + len(withdrawn))
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(50 * time.Millisecond)
			ev(seq, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: id, User: "Bob", By: "me", ByMember: "m1"}})
		}()
		return nil
	}
	line := func(s string) { c.line(context.Background(), s); wg.Wait() }
	line("/withdraw Bob")
	if !slices.Equal(withdrawn, []string{"p2"}) {
		t.Fatalf("withdrew %v, want Bob's newest, p2", withdrawn)
	}
	// The hint after the withdrawal's own line (it came first: a tester's).
	if want := "[party] you withdrew Bob's prompt: second (it will not be sent)\n[system] Bob has 1 more prompt waiting: /withdraw Bob again takes back the next\n"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	line("/withdraw bob") // as /kick takes it: any case
	if !slices.Equal(withdrawn, []string{"p2", "p1"}) {
		t.Fatalf("withdrew %v, then want p1", withdrawn)
	}
	out.Reset()
	line("/withdraw Bob")
	if want := "/withdraw: Bob has no prompt waiting"; !strings.Contains(out.String(), want) || len(withdrawn) != 2 {
		t.Errorf("nothing of Bob's left: withdrew %v, said %q", withdrawn, out.String())
	}
	out.Reset()
	var given []string
	c.pr.setInputSink(func(text string) { given = append(given, text) })
	line("/withdraw nobody")
	if !strings.Contains(out.String(), `nobody called "nobody" is in the party`) || !slices.Equal(given, []string{"/withdraw nobody"}) {
		t.Errorf("/withdraw of nobody said %q, gave back %q", out.String(), given)
	}
	// The host's own name is its own /withdraw (a tester's was answered in the third
	// person, and its text not given back).
	given = nil
	line("/withdraw me")
	if !slices.Equal(withdrawn, []string{"p2", "p1", "p3"}) || !slices.Equal(given, []string{"mine"}) {
		t.Fatalf("/withdraw me: withdrew %v, gave back %q", withdrawn, given)
	}
	out.Reset()
	line("/withdraw")
	if want := "you have no prompt waiting for a batch, so nothing to take back (/withdraw NAME takes back someone else's)"; !strings.Contains(out.String(), want) {
		t.Errorf("a host with nothing waiting: %q", out.String())
	}
	// Held for approval: /reject is the way.
	ev(7, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p7", User: "Bob", Text: "held", Member: "m2"}})
	ev(8, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p7"}, Merged: "held", Merger: "local"}})
	out.Reset()
	line("/withdraw Bob")
	if want := "Bob's prompt is already in the merged prompt that waits for approval; /reject drops it\n"; !strings.Contains(out.String(), want) {
		t.Errorf("Bob's held prompt: %q", out.String())
	}

	p, _, _, pout := newCommander(wire.RoleParticipant)
	p.withdraw = c.withdraw
	p.line(context.Background(), "/withdraw Bob")
	// Anyone else's "/withdraw WORDS" is a prompt that begins with the word, given back (a
	// reviewer's lost its text).
	if want := "/withdraw takes nothing after it; nothing was run or sent"; !strings.Contains(pout.String(), want) {
		t.Errorf("a participant's /withdraw Bob: %q", pout.String())
	}
	v, _, _, vout := newCommander(wire.RoleViewer)
	v.withdraw = c.withdraw
	v.line(context.Background(), "/withdraw")
	if want := "/withdraw: you are a viewer, with no prompt waiting to take back"; !strings.Contains(vout.String(), want) {
		t.Errorf("a viewer's /withdraw: %q", vout.String())
	}
	if len(withdrawn) != 3 {
		t.Errorf("withdrew %v", withdrawn)
	}
}

// TestInviteFileCutIntoLines: an invite copied from a narrow terminal has a line break
// where the terminal cut it; --invite-file read its first line only and refused the link
// as missing its ?fp= (found by a tester). The whole file is read.
func TestInviteFileCutIntoLines(t *testing.T) {
	fp := strings.Repeat("0123456789abcdef", 4)
	link := "concordia://127.0.0.1:8765/" + strings.Repeat("A", 43) + "?fp=" + fp
	for name, text := range map[string]string{
		"cut at the width":      link[:60] + "\n" + link[60:] + "\n",
		"in a message":          "join us:\n" + link + "\nsee you\n",
		"one line, no line end": link,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "invite")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			raw, _, err := readInvite(nil, path, IO{})
			if err != nil {
				t.Fatal(err)
			}
			inv, err := invite.Parse(raw)
			if err != nil || inv.Fingerprint != fp {
				t.Fatalf("the file's invite reads as %+v, %v", inv, err)
			}
		})
	}
}

// TestInviteOnStdinCutIntoLines: "join -" takes the lines a narrow terminal cut an invite
// into (it read only the first: the fingerprint was cut off), and what follows is still
// the first prompt.
func TestInviteOnStdinCutIntoLines(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	link := "concordia://127.0.0.1:8765/" + strings.Repeat("A", 43) + "?fp=" + fp
	other := "concordia://127.0.0.1:8765/" + strings.Repeat("B", 30) // another host's shorter token
	plain := "concordia://127.0.0.1:8765/" + strings.Repeat("C", 43) // --insecure: no ?fp=
	for _, tc := range []struct {
		name, in, want, rest string
	}{
		{"whole", link + "\nfix the bug\n", link, "fix the bug\n"},
		{"cut in two", link[:60] + "\n" + link[60:] + "\nfix the bug\n", link, "fix the bug\n"},
		{"cut in four", link[:40] + "\n" + link[40:80] + "\n" + link[80:120] + "\n" + link[120:] + "\nfix the bug\n", link, "fix the bug\n"},
		{"token cut, no fingerprint", link[:50] + "\n" + link[50:70] + "\nhi\n", link[:70], "hi\n"},
		{"no line end", link[:60] + "\n" + link[60:], link, ""},
		{"a short token, then a prompt", other + "\nfix the bug\n", other, "fix the bug\n"},
		{"cut, then an empty line", link[:60] + "\n\nfix the bug\n", link[:60], "fix the bug\n"},
		{"not a link", "hello\n", "hello", ""},
		// A tester's chat message pasted whole: its first line had no link, and join read
		// no further.
		{"a chat message", "Hi Carol! Here's the link for today's session:\n" + link + "\nfix the bug\n", link, "fix the bug\n"},
		{"a chat message, the link cut in three", "Hi Carol!\n\n" + link[:60] + "\n" + link[60:120] + "\n" + link[120:] + "\nThanks, Hana\n", link, "Thanks, Hana\n"},
		{"a chat message, the link among words", "Hi!\nhere: " + link + " see you\n", link, ""},
		// A reviewer's: cut just before ?fp= (the first line is a whole link without TLS).
		{"cut at the fingerprint", link[:70] + "\n" + link[70:] + "\nhi\n", link, "hi\n"},
		{"a whole link without TLS, then one word", link[:70] + "\nhello\n", link[:70], "hello\n"},
		// A reviewer's: one-word prompts after another host's shorter token stay prompts.
		{"a short token, then one-word prompts", other + "\nhello\nmore\n", other, "hello\nmore\n"},
		{"a short token, then /who", other + "\n/who\n", other, "/who\n"},
		// A tester's: the last piece with the message's words after it, and text before the link.
		{"cut, words after the last piece", link[:40] + "\n" + link[40:] + " see you\nfix the bug\n", link, "fix the bug\n"},
		{"in a message, cut", "hey all, " + link[:50] + "\n" + link[50:] + " see you at 3\n", link, ""},
		{"cut in three, words after", link[:40] + "\n" + link[40:80] + "\n" + link[80:] + " ok?\nhi\n", link, "hi\n"},
		// A prompt after another host's shorter token stays a prompt, also with a first word
		// that would not make a whole token.
		{"a short token, then a prompt of words", other + "\nhello there\n", other, "hello there\n"},
		// A reviewer's: a first word that would make another host's shorter token 43 long.
		{"a short token, then a prompt whose first word fits", other + "\ndocumentation needs a fix\n", other, "documentation needs a fix\n"},
		// Without TLS (no ?fp=), cut where the first line is no link yet (a tester's).
		{"no TLS, cut, words after the last piece", plain[:40] + "\n" + plain[40:] + " see you\nhi\n", plain, "hi\n"},
		// Cut just before ?fp=, words after the fingerprint.
		{"cut at the fingerprint, words after", link[:70] + "\n" + link[70:] + " see you\nhi\n", link, "hi\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, rest, err := readInvite([]string{"-"}, "", IO{In: strings.NewReader(tc.in), Err: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			got, gerr := invite.Parse(raw)
			want, werr := invite.Parse(tc.want)
			if (gerr == nil) != (werr == nil) || got != want || werr != nil && raw != tc.want {
				t.Errorf("invite %q (%v), want %q", raw, gerr, tc.want)
			}
			if b, _ := io.ReadAll(rest); string(b) != tc.rest {
				t.Errorf("left for prompts %q, want %q", b, tc.rest)
			}
		})
	}
	// Lines, none with a link: said so, not that the first lacks "concordia://".
	_, _, err := readInvite([]string{"-"}, "", IO{In: strings.NewReader("hello\nfix the bug\nthanks\n"), Err: io.Discard})
	if err == nil || err.Error() != "no invite (concordia://HOST:PORT/TOKEN) in the 3 lines read from stdin" {
		t.Errorf("three lines without a link: %v", err)
	}
	// An endless first line (join - </dev/zero ran out of memory, a tester's): refused once
	// it is longer than any invite, having read little more than that.
	endless := &countingReader{r: zeroes{}}
	_, _, err = readInvite([]string{"-"}, "", IO{In: endless, Err: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "got a line longer than any invite") || endless.n > 2*maxInviteFile {
		t.Errorf("an endless first line: %v, after %d bytes", err, endless.n)
	}
}

// zeroes reads as /dev/zero.
type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// countingReader counts what is read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestDecideAfterSomeoneElse: a host's /allow just after another host decided the request
// says who did, not only that nothing waits (found by a tester).
func TestDecideAfterSomeoneElse(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionDenied, By: "bob"}})
	c.line(context.Background(), "/allow")
	if len(ctl.calls) != 0 || !strings.Contains(out.String(), "/allow: no tool request is waiting for a decision: bob already denied Bash") {
		t.Fatalf("calls %q, output %q", ctl.calls, out.String())
	}
	out.Reset()
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Edit", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Edit", Status: wire.PermissionTimedOut}})
	c.line(context.Background(), "/deny")
	if !strings.Contains(out.String(), "Edit was already denied: no host decided in time") {
		t.Fatalf("output %q", out.String())
	}
	// Long after, the plain answer.
	c.pr.with(func(r *roster) { r.decidedAt = time.Now().Add(-2 * recentDecision) })
	out.Reset()
	c.line(context.Background(), "/always")
	if got := out.String(); !strings.HasSuffix(strings.TrimSpace(got), "/always: no tool request is waiting for a decision") {
		t.Fatalf("output %q", got)
	}
	// One's own decision, and one of a turn before the batch now running, are not named: a
	// tester's /deny read "hostie already allowed Bash" of their own, turns before.
	plain := func(what string) {
		t.Helper()
		out.Reset()
		c.line(context.Background(), "/deny")
		if got := out.String(); strings.Contains(got, "already") || !strings.Contains(got, "/deny: no tool request is waiting for a decision") {
			t.Fatalf("%s: output %q", what, got)
		}
	}
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Bash", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Bash", Status: wire.PermissionAllowed, By: "me"}})
	plain("my own decision")
	c.pr.event(wire.Event{Seq: 7, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t4", Tool: "Bash", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 8, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t4", Tool: "Bash", Status: wire.PermissionAllowed, By: "bob"}})
	c.pr.event(wire.Event{Seq: 9, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b9", Merger: "command", Merged: "/x"}})
	plain("a decision before this turn")
}

// TestDecidedInTheHistoryIsNotNamed: a decision replayed from the history (a host that
// just joined) is not what its /allow meant: the plain answer (a reviewer's finding).
func TestDecidedInTheHistoryIsNotNamed(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.pr.historyStart(2)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionDenied, By: "bob"}})
	c.pr.live()
	c.line(context.Background(), "/allow")
	if got := out.String(); strings.Contains(got, "already denied") || !strings.Contains(got, "/allow: no tool request is waiting for a decision") {
		t.Fatalf("output %q", got)
	}
	if w := modeWords("ask-twice"); w != "ask-twice" {
		t.Errorf("an unknown mode reads %q", w)
	}
}

// TestKickSomeoneAway: a member who left may come back with their session; /kick NAME
// removes them too (a tester's /kick of a member reconnecting was refused: "nobody called
// tina is in the party", and she was back a second later). /who says who is away. A
// member kicked while connected is not away.
func TestKickSomeoneAway(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	n := 2
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m2", Name: "Bob"}, Count: &n})
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m3", Name: "eve"}, Count: &n, Why: wire.WhyKicked})
	out.Reset()
	c.line(context.Background(), "/who")
	if !strings.Contains(out.String(), "away, and may come back: Bob (to keep one out: /kick NAME, and /rotate so that their link lets nobody in; /rotate alone does not: a member comes back with their session)") || strings.Contains(out.String(), "eve") {
		t.Fatalf("/who:\n%s", out.String())
	}
	// Still there when a host ended the party: away too, once it is resumed (a tester's
	// kate could not be listed or removed, and came back with her session).
	r, rctl, _, rout := newCommander(wire.RoleHost)
	r.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m7", Name: "kate"}, Count: &n, Why: wire.WhyPartyEnded, Text: "kate left when the party ended"})
	r.line(context.Background(), "/who")
	r.line(context.Background(), "/kick kate")
	if !strings.Contains(rout.String(), "away, and may come back: kate") || strings.Join(rctl.calls, "|") != "kick m7 " {
		t.Fatalf("a member there at the end, after a resume: calls %q, output:\n%s", rctl.calls, rout.String())
	}
	out.Reset()
	c.line(context.Background(), "/kick bob spamming")
	if got := strings.Join(ctl.calls, "|"); got != "kick m2 spamming" {
		t.Fatalf("calls %q, output:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "Bob was not connected; their session no longer works") {
		t.Fatalf("output:\n%s", out.String())
	}
	out.Reset()
	c.line(context.Background(), "/kick eve")
	if len(ctl.calls) != 1 || !strings.Contains(out.String(), `nobody called "eve" is in the party`) {
		t.Fatalf("a kicked member kicked again: calls %q, output:\n%s", ctl.calls, out.String())
	}
	out.Reset()
	c.line(context.Background(), "/who")
	if strings.Contains(out.String(), "away") {
		t.Fatalf("/who after the kick:\n%s", out.String())
	}
	// Removed by another host while away: not away any more (only the terminal that
	// kicked used to know).
	c.pr.event(wire.Event{Seq: 10, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m5", Name: "kim"}, Count: &n})
	c.pr.event(wire.Event{Seq: 11, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m5", Name: "kim"}, Count: &n, Why: wire.WhyKicked})
	out.Reset()
	c.line(context.Background(), "/who")
	if strings.Contains(out.String(), "kim") {
		t.Fatalf("/who after another host removed kim:\n%s", out.String())
	}
	// Back, they are in the party again, and not away.
	c.pr.event(wire.Event{Seq: 7, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m4", Name: "zed"}, Count: &n})
	c.pr.event(wire.Event{Seq: 8, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m4", Name: "zed"}, Count: &n})
	c.pr.event(wire.Event{Seq: 9, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m4", Name: "zed"}, Count: &n})
	out.Reset()
	c.line(context.Background(), "/who")
	if strings.Contains(out.String(), "away") {
		t.Fatalf("/who after zed came back:\n%s", out.String())
	}
	// A connected member and one away with the same name: /kick removes the connected one
	// and says the other is there (a tester's was removed without a word of the other).
	c.pr.event(wire.Event{Seq: 12, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m10", Name: "carl"}, Count: &n})
	c.pr.event(wire.Event{Seq: 13, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m10", Name: "carl"}, Count: &n})
	c.pr.event(wire.Event{Seq: 14, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m11", Name: "carl"}, Count: &n})
	ctl.calls = nil
	out.Reset()
	c.line(context.Background(), "/kick carl")
	if got := strings.Join(ctl.calls, "|"); got != "kick m11 " || !strings.Contains(out.String(), "another member called carl is away and may come back: /kick carl again removes them") {
		t.Fatalf("/kick of a name also away: calls %q, output:\n%s", got, out.String())
	}
	c.pr.event(wire.Event{Seq: 15, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m11", Name: "carl"}, Count: &n, Why: wire.WhyKicked})
	// Several who left under one name (each /quit and join again is a new member) are
	// one entry, with how many (a tester's list read "zed, zed, zed, zed").
	for i, id := range []string{"m6", "m7", "m8"} {
		name := "amy"
		if i == 2 {
			name = "rob"
		}
		c.pr.event(wire.Event{Seq: int64(20 + 2*i), Kind: wire.KindParticipants, Joined: &wire.Member{ID: id, Name: name}, Count: &n})
		c.pr.event(wire.Event{Seq: int64(21 + 2*i), Kind: wire.KindParticipants, Left: &wire.Member{ID: id, Name: name}, Count: &n})
	}
	out.Reset()
	c.line(context.Background(), "/who")
	if !strings.Contains(out.String(), "away, and may come back: carl, amy (2 of that name), rob (") {
		t.Fatalf("/who with two away under one name:\n%s", out.String())
	}
}

// Host commands name members by their names, spaces and all, never by the ids nobody sees;
// /role reaches a member who is away, as /kick does. Three of a tester's findings: "/role
// m2 viewer" demoted the co-host whose id is m2 instead of the participant named "m2";
// "/kick bob smith" removed "bob" for the reason "smith", and "/role bob smith viewer" was
// refused; "/role sess viewer" was refused while sess was away (and sess came back
// a participant).
func TestHostCommandsNameMembersByName(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	n := 6
	for i, m := range []wire.Member{
		{ID: "m5", Name: "m2", Role: wire.RoleParticipant},
		{ID: "m6", Name: "bob smith", Role: wire.RoleParticipant},
		{ID: "m8", Name: "sess", Role: wire.RoleParticipant},
	} {
		c.pr.event(wire.Event{Seq: int64(10 + i), Kind: wire.KindParticipants, Joined: &m, Count: &n})
	}
	c.pr.event(wire.Event{Seq: 20, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m8", Name: "sess", Role: wire.RoleParticipant}, Count: &n})
	for _, tc := range []struct{ line, want string }{
		{"/role m2 viewer", "role m5 viewer"},
		{"/role bob smith viewer", "role m6 viewer"},
		{"/role  BOB   Smith  viewer", "role m6 viewer"},
		{`/role "bob smith" host`, "role m6 host"},
		{"/role bob viewer", "role m2 viewer"}, // "Bob", the other one
		{"/role sess viewer", "role m8 viewer"},
		{"/kick bob smith", "kick m6 "},
		{"/kick bob smith too  loud", "kick m6 too  loud"},
		{`/kick 'bob' smith`, "kick m2 smith"},
		{"/kick m2", "kick m5 "},
	} {
		ctl.calls = nil
		out.Reset()
		c.line(context.Background(), tc.line)
		if got := strings.Join(ctl.calls, "|"); got != tc.want {
			t.Errorf("%s: calls %q, want %q; output:\n%s", tc.line, got, tc.want, out.String())
		}
	}
	// An id is not a name.
	ctl.calls = nil
	out.Reset()
	c.line(context.Background(), "/role m3 participant")
	if len(ctl.calls) != 0 || !strings.Contains(out.String(), `nobody called "m3" is in the party`) {
		t.Fatalf("/role by id: calls %q, output:\n%s", ctl.calls, out.String())
	}
}

// fitLines cuts lines to the width, but never one of our invite lines (up to maxLinkLine):
// a link cut in two cannot be copied whole. A peer's line with a link is cut as any other.
func TestFitLinesKeepsLinksWhole(t *testing.T) {
	link := "    invite code: concordia://127.0.0.1:40195/13b4ICisCtKhfrdTUlAzoxFIkKTvtE94uGIWovqb_1Q?fp=" + strings.Repeat("ab", 32)
	long := strings.Repeat("word ", 30)
	peer := "[party] bob: see concordia://127.0.0.1:1/" + strings.Repeat("y", 80) // not ours: cut
	got := strings.Split(fitLines(long+"\n"+link+"\n"+peer+"\n    invite code: concordia://"+strings.Repeat("x", maxLinkLine), 40), "\n")
	if slices.Contains(got, peer) {
		t.Errorf("a peer's line with a link was left whole")
	}
	if got[len(got)-1] == "    invite code: concordia://"+strings.Repeat("x", maxLinkLine) {
		t.Errorf("a line over %d columns was left whole", maxLinkLine)
	}
	if !slices.Contains(got, link) {
		t.Errorf("the invite line was cut:\n%s", strings.Join(got, "\n"))
	}
	for _, l := range got {
		if l != link && ansi.StringWidth(l) > 39 {
			t.Errorf("a line wider than the terminal: %q", l)
		}
	}
	// Cut at spaces, never inside a word (a tester's notices read "/rot" / "ate").
	for _, l := range strings.Split(fitLines(long, 40), "\n") {
		for _, w := range strings.Fields(l) {
			if w != "word" {
				t.Fatalf("a word cut: %q in\n%s", w, fitLines(long, 40))
			}
		}
	}
}

// When the last host leaves while a tool request or a merged prompt waits for one, the
// others are told what happens now (a tester's participants kept reading "denied in 52s
// unless a host decides" with no host left to decide). Not while another host is there.
func TestLastHostLeavingSaysWhatWaits(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	n := 5
	hosts := []wire.Member{{ID: "m7", Name: "hosty", Role: wire.RoleHost}, {ID: "m8", Name: "cora", Role: wire.RoleHost}}
	for i := range hosts {
		c.pr.event(wire.Event{Seq: int64(10 + i), Kind: wire.KindParticipants, Joined: &hosts[i], Count: &n})
	}
	c.pr.event(wire.Event{Seq: 20, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 21, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Merged: "next"}})
	out.Reset()
	c.pr.event(wire.Event{Seq: 22, Kind: wire.KindParticipants, Left: &hosts[0], Count: &n})
	if strings.Contains(out.String(), "no host is in the party now") {
		t.Fatalf("a co-host is still there:\n%s", out.String())
	}
	c.pr.event(wire.Event{Seq: 23, Kind: wire.KindParticipants, Left: &hosts[1], Count: &n})
	for _, want := range []string{
		"no host is in the party now: the waiting tool request is denied when its time runs out, unless a host comes back",
		"no host is in the party now: the merged prompt waits for approval until a host comes back",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}

	// The last host leaving because the party ended: nothing waits for a host any more (a
	// tester's terminal said the prompt waits "until a host comes back" after the end).
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.pr.event(wire.Event{Seq: 10, Kind: wire.KindParticipants, Joined: &hosts[0], Count: &n})
	c.pr.event(wire.Event{Seq: 21, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Merged: "next"}})
	c.pr.event(wire.Event{Seq: 22, Kind: wire.KindSystem, Text: "the host ended the party"})
	c.pr.event(wire.Event{Seq: 23, Kind: wire.KindParticipants, Left: &hosts[0], Count: &n, Text: "hosty left when the party ended", Why: wire.WhyPartyEnded})
	if strings.Contains(out.String(), "no host is in the party now") {
		t.Errorf("after the end:\n%s", out.String())
	}
}

// A host whose invites another host rotated is told where the new ones are; the one who
// rotated (its /rotate printed them) and a participant are not.
func TestRotatedByAnotherHostPointsToInvite(t *testing.T) {
	for _, tc := range []struct {
		role, by string
		hint     bool
	}{
		{wire.RoleHost, "cora", true},
		{wire.RoleHost, "me", false},
		{wire.RoleParticipant, "cora", false},
	} {
		c, _, _, out := newCommander(tc.role)
		c.pr.event(wire.Event{Seq: 30, Kind: wire.KindSystem, Text: tc.by + " made new invites; the earlier links let nobody new in"})
		if got := strings.Contains(out.String(), "/invite shows the new invites"); got != tc.hint {
			t.Errorf("%s, rotated by %s: hint %v, want %v:\n%s", tc.role, tc.by, got, tc.hint, out.String())
		}
	}
}

// The host's own /quit while work is under way says what would be lost, and the second
// within quitAgain ends; idle it ends at once. A participant's asks only while a prompt
// of its own waits.
func TestHostQuitWhileBusyAsksOnce(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.endsParty = true
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	if !c.line(context.Background(), "/quit") {
		t.Fatal("an idle host's /quit did not end")
	}
	c.pr.event(wire.Event{Seq: 40, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "Bob", Text: "one"}})
	c.pr.event(wire.Event{Seq: 41, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "Bob", Text: "two"}})
	out.Reset()
	if c.line(context.Background(), "/exit") {
		t.Fatal("a /exit with prompts waiting ended at once")
	}
	if !strings.Contains(out.String(), "2 prompts wait: /exit again within 10 seconds ends the party for everyone") {
		t.Fatalf("output:\n%s", out.String())
	}
	now = now.Add(quitAgain + time.Second)
	if c.line(context.Background(), "/quit") {
		t.Fatal("a /quit long after the first ended at once")
	}
	now = now.Add(2 * time.Second)
	if !c.line(context.Background(), "/quit") {
		t.Fatal("the second /quit did not end")
	}
	p, _, _, pout := newCommander(wire.RoleParticipant) // endsParty false: a participant leaves
	p.now = func() time.Time { return now }
	p.editor = true // a person at the line editor (a script's /quit leaves at once, below)
	p.pr.event(wire.Event{Seq: 40, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "Bob", Text: "bob's", Member: "m2"}})
	if !p.line(context.Background(), "/quit") {
		t.Fatal("a participant's /quit with only others' prompts waiting did not end")
	}
	// With a prompt of its own waiting, it is told that the prompt goes on without it (a
	// tester's participant left in silence), and the second /quit leaves.
	p.pr.event(wire.Event{Seq: 41, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "me", Text: "mine", Member: "m1"}})
	if p.line(context.Background(), "/quit") {
		t.Fatal("a participant's /quit with its prompt waiting ended at once")
	}
	if want := "your prompt still waits: it goes to the agent after you leave, and you will not see the answer. /withdraw takes back the newest; /quit again within 10 seconds leaves"; !strings.Contains(pout.String(), want) {
		t.Fatalf("output %q lacks %q", pout.String(), want)
	}
	now = now.Add(time.Second)
	if !p.line(context.Background(), "/quit") {
		t.Fatal("a participant's second /quit did not end")
	}
	// Ctrl-D on an empty line (the editor's eofLine) asks the same, in its own words (a
	// tester's Ctrl-D was told "/quit again"); a second Ctrl-D leaves.
	now = now.Add(time.Minute)
	p.pr.event(wire.Event{Seq: 42, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p3", User: "me", Text: "again", Member: "m1"}})
	pout.Reset()
	if p.line(context.Background(), eofLine) {
		t.Fatal("a participant's Ctrl-D with its prompt waiting left at once")
	}
	if want := "/withdraw takes back the newest; Ctrl-D again within 10 seconds leaves"; !strings.Contains(pout.String(), want) {
		t.Fatalf("Ctrl-D: output %q lacks %q", pout.String(), want)
	}
	if !p.line(context.Background(), eofLine) {
		t.Fatal("a participant's second Ctrl-D did not leave")
	}
	// Ctrl-C on an empty line too (a tester's left in silence, her prompt answered without
	// her); a second Ctrl-C leaves.
	now = now.Add(time.Minute)
	pout.Reset()
	if p.line(context.Background(), interruptLine) {
		t.Fatal("a participant's Ctrl-C with its prompt waiting left at once")
	}
	if want := "/withdraw takes back the newest; Ctrl-C again within 10 seconds leaves"; !strings.Contains(pout.String(), want) {
		t.Fatalf("output %q lacks %q", pout.String(), want)
	}
	// A prompt sent after the question is not covered by it: asked again (a tester's
	// left at once, unwarned about it).
	now = now.Add(time.Second)
	p.line(context.Background(), "one more, after the question")
	if p.line(context.Background(), interruptLine) {
		t.Fatal("a Ctrl-C after a prompt sent since the question left at once")
	}
	now = now.Add(time.Second)
	if !p.line(context.Background(), interruptLine) {
		t.Fatal("a participant's second Ctrl-C did not leave")
	}
	p.pr.event(wire.Event{Seq: 43, Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p3", User: "me", By: "me", ByMember: "m1"}})
	c.now = func() time.Time { return now }
	out.Reset()
	if c.line(context.Background(), eofLine) || !strings.Contains(out.String(), "Ctrl-D again within 10 seconds ends the party for everyone") {
		t.Fatalf("the host's Ctrl-D with prompts waiting: %q", out.String())
	}
	// Held for approval, it cannot be withdrawn: /withdraw is not offered (a reviewer's); and
	// it goes only if a host sends it (a tester's was told it goes to the agent).
	now = now.Add(time.Minute)
	p.pr.event(wire.Event{Seq: 44, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p2"}, Merged: "mine", Merger: "local"}})
	pout.Reset()
	if p.line(context.Background(), "/quit") || strings.Contains(pout.String(), "/withdraw") || !strings.Contains(pout.String(), "your prompt waits for a host's approval: if a host sends it, it goes to the agent after you leave") {
		t.Fatalf("a held prompt: %q", pout.String())
	}
	// A script (no line editor) that sends its prompt and /quit leaves: nobody could
	// answer the question, and input ends. It is still told that the prompt goes on
	// without it, as the editor is (a tester's line-mode member left in silence).
	s, _, _, sout := newCommander(wire.RoleParticipant)
	s.pr.event(wire.Event{Seq: 41, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "me", Text: "mine", Member: "m1"}})
	sout.Reset()
	if !s.line(context.Background(), "/quit") {
		t.Fatal("a script's /quit with its prompt waiting did not leave")
	}
	if got, want := sout.String(), "[system] your prompt still waits: it goes to the agent after you leave, and you will not see the answer\n"; got != want {
		t.Fatalf("a script's /quit said %q, want %q", got, want)
	}
	// With nothing of its own waiting, nothing is said.
	n, _, _, nout := newCommander(wire.RoleParticipant)
	if !n.line(context.Background(), "/quit") || nout.Len() != 0 {
		t.Fatalf("a script's /quit with nothing waiting: %q", nout.String())
	}
}

// The agent's plan is approved one at a time: its hint offers no /always.
func TestPlanHintHasNoAlways(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.pr.event(wire.Event{Seq: 50, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "ExitPlanMode", Summary: "leave plan mode: # Plan", Batch: "b1", Status: wire.PermissionPending}})
	if s := out.String(); strings.Contains(s, "/always") || !strings.Contains(s, "/allow approves the plan (the party leaves plan mode), /deny [REASON] keeps it planning") {
		t.Fatalf("output:\n%s", s)
	}
}

// A member who joins while a turn waits for a tool decision sees how long the turn has
// gone on, from the history's time stamps, as those there all along do (a tester's late
// joiner read "· 2s" where the others read "· 13s").
func TestLateJoinerSeesTheTurnsTime(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	now := time.Now()
	started := now.Add(-20 * time.Second)
	pr.hello(wire.HelloResult{You: wire.Member{ID: "m3", Name: "late", Role: wire.RoleParticipant},
		State: wire.State{Phase: wire.PhaseAwaitingPermission, Seq: 3}})
	pr.historyStart(3)
	pr.event(wire.Event{Seq: 1, TS: started, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merged: "go"}})
	pr.event(wire.Event{Seq: 2, TS: started.Add(time.Second), Kind: wire.KindPhase, Phase: wire.PhaseRunning})
	pr.event(wire.Event{Seq: 3, TS: now.Add(-13 * time.Second), Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission})
	pr.live()
	pr.mu.Lock()
	st := pr.statusLocked()
	pr.mu.Unlock()
	if d := st.since.Sub(started); d < -time.Second || d > time.Second {
		t.Fatalf("the turn counts from %v, want %v (%v off)", st.since, started, d)
	}
}

// A resumed party runs its unfinished batch again (a retry event, no new batch): the
// turn's time counts from then, not from before the crash (a tester's resumed host read
// "· 22s · denied in 1m56s" four seconds after the resume).
func TestResumedTurnCountsFromTheResume(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	now := time.Now()
	crashed := now.Add(-60 * time.Second)
	resumed := now.Add(-5 * time.Second)
	pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "hostie", Role: wire.RoleHost},
		State: wire.State{Phase: wire.PhaseAwaitingPermission, Seq: 6}})
	pr.historyStart(6)
	pr.event(wire.Event{Seq: 1, TS: crashed, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merged: "go"}})
	pr.event(wire.Event{Seq: 2, TS: crashed, Kind: wire.KindPhase, Phase: wire.PhaseRunning})
	pr.event(wire.Event{Seq: 3, TS: crashed.Add(time.Second), Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission})
	pr.event(wire.Event{Seq: 4, TS: resumed, Kind: wire.KindRetry, RetryBatch: "b1", Resumed: true})
	pr.event(wire.Event{Seq: 5, TS: resumed, Kind: wire.KindPhase, Phase: wire.PhaseRunning})
	pr.event(wire.Event{Seq: 6, TS: resumed.Add(time.Second), Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission})
	pr.live()
	pr.mu.Lock()
	st := pr.statusLocked()
	pr.mu.Unlock()
	if d := st.since.Sub(resumed); d < -time.Second || d > time.Second {
		t.Fatalf("the turn counts from %v before now, want from the resume, %v before", now.Sub(st.since).Round(time.Second), now.Sub(resumed).Round(time.Second))
	}
}

// A resumed host's requests of the turn the stop cut short are cancelled by the resume,
// in the events printed under "— live —" (liveThen): nobody is asked to decide on them,
// neither under the marker nor after the first cancel (a user tester's host was).
func TestLiveDoesNotAskForRequestsItsNextEventsCancel(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "hostie", Role: wire.RoleHost}, State: wire.State{Phase: wire.PhaseRunning, Seq: 7}})
	pr.historyStart(4)
	asked := []wire.Permission{
		{ID: "t1", Tool: "Bash", Summary: "touch a", Batch: "b1", Status: wire.PermissionPending},
		{ID: "t2", Tool: "Bash", Summary: "touch b", Batch: "b1", Status: wire.PermissionPending},
	}
	pr.event(wire.Event{Seq: 1, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merged: "go"}})
	pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &asked[0]})
	pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &asked[1]})
	pr.event(wire.Event{Seq: 4, Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission})
	out.Reset()
	var next []wire.Event
	for i, pm := range asked {
		pm.Status, pm.Reason = wire.PermissionDenied, "the host stopped before a decision"
		next = append(next, wire.Event{Seq: int64(5 + i), Kind: wire.KindPermission, Permission: &pm})
	}
	pr.liveThen(next)
	want := "— live —\n" +
		"[permission] cancelled Bash: touch a: the host stopped before a decision\n" +
		"[permission] cancelled Bash: touch b: the host stopped before a decision\n"
	if got := out.String(); got != want {
		t.Fatalf("under the marker:\n%s\nwant:\n%s", got, want)
	}
	// One the next events do not settle still waits, and is said to.
	out.Reset()
	pr.historyStart(1)
	pr.event(wire.Event{Seq: 7, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Bash", Summary: "touch c", Batch: "b1", Status: wire.PermissionPending}})
	out.Reset()
	pr.liveThen(nil)
	if got := out.String(); !strings.Contains(got, "[permission] claude waits for a decision on Bash\n") {
		t.Fatalf("a request still waiting, under the marker:\n%s", got)
	}
}

// A batch retried on a restarted claude counts its time from the retry too: a user tester's
// host read "waiting for a tool decision · 9s · denied in 35s" of a 40 s request, the 9 s
// holding the attempt claude was killed in.
func TestRetriedTurnCountsFromTheRetry(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "hostie", Role: wire.RoleHost}, State: wire.State{Phase: wire.PhaseAwaitingPermission, Seq: 11}})
	pr.historyStart(11) // the events' own times (live ones would be read as the clocks' skew)
	now := time.Now()
	started, retried := now.Add(-9*time.Second), now.Add(-5*time.Second)
	asked := wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: wire.PermissionPending}
	stopped := asked
	stopped.Status, stopped.Reason = wire.PermissionDenied, "claude stopped before anyone decided"
	again := asked
	again.ID = "t2"
	for _, ev := range []wire.Event{
		{Seq: 1, TS: started, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merged: "go"}},
		{Seq: 2, TS: started, Kind: wire.KindPhase, Phase: wire.PhaseRunning},
		{Seq: 3, TS: started.Add(time.Second), Kind: wire.KindPermission, Permission: &asked},
		{Seq: 4, TS: started.Add(time.Second), Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission},
		{Seq: 5, TS: retried, Kind: wire.KindError, Text: "claude stopped unexpectedly: signal: killed"},
		{Seq: 6, TS: retried, Kind: wire.KindPermission, Permission: &stopped},
		{Seq: 7, TS: retried, Kind: wire.KindPhase, Phase: wire.PhaseRunning},
		{Seq: 8, TS: retried, Kind: wire.KindRetry, RetryBatch: "b1"},
		{Seq: 9, TS: retried, Kind: wire.KindSystem, Text: "restarting claude and retrying the batch"},
		{Seq: 10, TS: retried.Add(time.Second), Kind: wire.KindPermission, Permission: &again},
		{Seq: 11, TS: retried.Add(time.Second), Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission},
	} {
		pr.event(ev)
	}
	pr.live()
	pr.mu.Lock()
	st := pr.statusLocked()
	pr.mu.Unlock()
	if d := st.since.Sub(retried); d < -time.Second || d > time.Second {
		t.Fatalf("the turn counts from %v before now, want from the retry, %v before", now.Sub(st.since).Round(time.Second), now.Sub(retried).Round(time.Second))
	}
}

// /permissions all is said back once, as the window asks first: the agent would run any
// command unasked on the owner's computer. The same command within ten seconds does it;
// later, it is said back again.
func TestPermissionsAllAsksFirst(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.pr.with(func(r *roster) { r.host = "me" }) // the owner's terminal
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	c.line(context.Background(), "/permissions all")
	if len(ctl.calls) != 0 || !strings.Contains(out.String(), "again within 10 seconds does it") {
		t.Fatalf("the first /permissions all: calls %q, output %q", ctl.calls, out.String())
	}
	now = now.Add(5 * time.Second)
	c.line(context.Background(), "/permissions all")
	if got := strings.Join(ctl.calls, "|"); got != "permissions all" {
		t.Fatalf("the second within 10 s: calls %q", got)
	}
	now = now.Add(time.Minute)
	c.line(context.Background(), "/permissions all")
	now = now.Add(11 * time.Second)
	c.line(context.Background(), "/permissions all")
	if got := strings.Join(ctl.calls, "|"); got != "permissions all" {
		t.Fatalf("two more, 11 s apart: calls %q, want still one", got)
	}
	// Anything else asked between the two forgets the first (a tester's all, edits, all
	// allowed everything at the third).
	c.line(context.Background(), "/permissions edits")
	c.line(context.Background(), "/permissions all")
	if got := strings.Join(ctl.calls, "|"); got != "permissions all|permissions edits" {
		t.Fatalf("all, edits, all: calls %q, want the all said back again", got)
	}
}

// A host types a name as /who shows it: "hana-2" for "hаna-2", whose "а" is Cyrillic. The
// party keeps look-alike names apart, so one member matches and is the one meant (a
// tester could not /role or /kick an impersonator without pasting its letters).
func TestHostNamesALookAlikeAsShown(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	n := 4
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m4", Name: "h\u0430na-2", Role: wire.RoleParticipant}, Count: &n})
	c.line(context.Background(), "/role hana-2 viewer")
	if got := strings.Join(ctl.calls, "|"); got != "role m4 viewer" {
		t.Fatalf("calls %q (output %q), want the look-alike made a viewer", got, out.String())
	}
	// Two look-alikes of what was typed (a host from before look-alikes were kept apart
	// could let both in): none is picked, and both are named.
	n = 5
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m5", Name: "han\u0430-2", Role: wire.RoleParticipant}, Count: &n})
	c.line(context.Background(), "/kick hana-2")
	if len(ctl.calls) != 1 || !strings.Contains(out.String(), `2 members have names like "hana-2"`) {
		t.Fatalf("calls %q, output %q", ctl.calls, out.String())
	}
}

// The status counts a member's prompts in the batch waiting for approval (they are no
// longer "waiting" for a batch).
func TestStatusCountsMyPromptsHeldForApproval(t *testing.T) {
	c, _, _, _ := newCommander(wire.RoleParticipant) // "me", member m1
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "me", Member: "m1", Text: "mine"}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "Bob", Member: "m2", Text: "his"}})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPhase, Phase: wire.PhaseAwaitingApproval})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1", "p2"}, Merged: "both"}})
	c.pr.mu.Lock()
	st := c.pr.statusLocked()
	c.pr.mu.Unlock()
	if st.mine != 0 || st.heldMine != 1 {
		t.Fatalf("status mine %d, held mine %d; want 0 and 1", st.mine, st.heldMine)
	}
}

// After a batch the agent never had (claude could not start), the status says claude is
// not running, until the next batch tries again; so it does when the party starts without
// claude, and when claude exited between turns (it said "idle": the party looked ready).
func TestStatusSaysClaudeIsNotRunning(t *testing.T) {
	c, _, _, _ := newCommander(wire.RoleParticipant)
	status := func() status {
		c.pr.mu.Lock()
		defer c.pr.mu.Unlock()
		return c.pr.statusLocked()
	}
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merged: "go"}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnError, Error: "claude could not start", Unsent: true}})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPhase, Phase: wire.PhaseIdle})
	if got := status().agentDown; got != agentNotStarted {
		t.Fatalf("after an unsent turn the status says claude is not running because %q", got)
	}
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Merged: "again"}})
	if got := status().agentDown; got != "" {
		t.Fatalf("the next batch did not clear it: %q", got)
	}
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnError, Error: "claude failed twice"}})
	if got := status().agentDown; got != "" {
		t.Fatalf("a turn that reached the agent and failed says claude is not running: %q", got)
	}
	// It crashed, and could not be started again: agent_down.
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b3", Merged: "once more"}})
	c.pr.event(wire.Event{Seq: 7, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b3", Status: wire.TurnError, Error: "claude failed twice: claude could not start", AgentDown: true}})
	if got := status().agentDown; got != agentNotStarted {
		t.Fatalf("agent_down says claude is not running because %q", got)
	}
	c.pr.event(wire.Event{Seq: 8, Kind: wire.KindSystem, Text: "claude started"})
	if got := status().agentDown; got != "" {
		t.Fatalf("claude started, and the status says it is not running: %q", got)
	}
	c.pr.event(wire.Event{Seq: 9, Kind: wire.KindError, Text: "claude exited (signal: killed)" + host.IdleExitNotice})
	if got := status().agentDown; got != agentExited {
		t.Fatalf("after claude exited between turns the status says %q", got)
	}
	c.pr.event(wire.Event{Seq: 10, Kind: wire.KindError, Text: "claude could not start: exec: claude: not found; it will be tried again with the next batch"})
	if got := status().agentDown; got != agentNotStarted {
		t.Fatalf("after claude could not start with the party the status says %q", got)
	}
	// Extra arguments Claude Code refused: the next prompt does not try again to any end.
	refused := "claude could not start: " + (&agent.ArgsRefusedError{Args: []string{"--bogus-flag"}, Said: "error: unknown option '--bogus-flag'"}).Error()
	c.pr.event(wire.Event{Seq: 11, Kind: wire.KindError, Text: refused})
	if got := status().agentDown; got != agentArgsRefused {
		t.Fatalf("after claude refused the extra arguments the status says %q", got)
	}
	c.pr.event(wire.Event{Seq: 12, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b4", Merged: "go"}})
	c.pr.event(wire.Event{Seq: 13, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b4", Status: wire.TurnError, Error: refused, Unsent: true, AgentDown: true}})
	if got := status().agentDown; got != agentArgsRefused {
		t.Fatalf("after a turn claude refused the extra arguments for, the status says %q", got)
	}
}

// The invites a co-host is sent come from the host: printed without their escapes, one
// line each (a reviewer: printed raw, they could write the clipboard or hide text).
func TestInvitesPrintedWithoutEscapes(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.invites(wire.Invites{Invite: "concordia://h:1/a\x1b]52;c;ZXZpbA==\x07", ViewerInvite: "concordia://h:1/b\x1b[8m\nhidden", HostInvite: "concordia://h:1/c\r"}, "the invites:", "")
	pr.flush()
	if got := out.String(); strings.ContainsAny(got, "\x1b\x07\r") || strings.Count(got, "\n") != 5 {
		t.Fatalf("printed %q", got)
	}
}

// Two hosts decide one request at once: the one who loses is told who decided it, not the
// host's "no tool request \"t23\" is waiting" (a tester's), and a viewer's mistyped host
// command offers no "//" (a viewer sends no prompts).
func TestDecidedFirstByAnotherHost(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t23", Tool: "Bash", Status: wire.PermissionPending}})
	ctl.deciding = func() error {
		// The host's answer comes after its event, which the printer takes in meanwhile.
		go c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t23", Tool: "Bash", Status: wire.PermissionDenied, By: "hank"}})
		return &rpc.Error{Code: rpc.CodeInvalidParams, Message: `invalid params: no tool request "t23" is waiting for a decision`}
	}
	c.line(context.Background(), "/allow")
	if got := out.String(); !strings.Contains(got, "/allow: no tool request is waiting for a decision: hank already denied Bash") || strings.Contains(got, "t23") {
		t.Fatalf("output:\n%s", got)
	}
	v, _, _, vout := newCommander(wire.RoleViewer)
	v.line(context.Background(), "/allow")
	if got := vout.String(); strings.Contains(got, "//") || !strings.Contains(got, "/allow is for hosts; /help lists your commands") {
		t.Fatalf("a viewer's /allow:\n%s", got)
	}
}

// Odd names are shown so that /diff can be given them back: a tab, a newline or a space at
// an end quoted (a tester's "tab\there.txt" read "tab here.txt", and no /diff found it).
func TestDiffOfOddNames(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	ws := &askedWS{}
	c.ws = ws
	c.line(context.Background(), "/changes")
	for _, want := range []string{`A "tab\there.txt" (+1 -0)`, `A " lead space.txt" (+1 -0)`, `A "new\nline.txt" (+1 -0)`, "A plain é.txt (+1 -0)",
		`A "'notes'" (+1 -0)`, `A "\"q\".txt" (+1 -0)`, // names that start with a quote are quoted (a reviewer's)
		`A "two  spaces.txt" (+1 -0)`} { // two spaces together, easily misread (a tester's)
		if !strings.Contains(out.String(), want) {
			t.Errorf("/changes lacks %q:\n%s", want, out.String())
		}
	}
	for _, arg := range []string{`"tab\there.txt"`, `" lead space.txt"`, `"new\nline.txt"`, "plain é.txt", `"unclosed`, `"'notes'"`, `"\"q\".txt"`, "'plain é.txt'"} {
		c.line(context.Background(), "/diff "+arg)
	}
	if want := []string{"tab\there.txt", " lead space.txt", "new\nline.txt", "plain é.txt", `"unclosed`, "'notes'", `"q".txt`, "plain é.txt"}; !slices.Equal(ws.asked, want) {
		t.Errorf("diffs asked %q, want %q", ws.asked, want)
	}
}

// askedWS lists odd names and keeps the paths diffs are asked of.
type askedWS struct {
	fakeWS
	asked []string
}

func (*askedWS) Changes(context.Context) (wire.ChangesResult, error) {
	var files []wire.FileChange
	for _, p := range []string{"tab\there.txt", " lead space.txt", "new\nline.txt", "plain é.txt", "'notes'", `"q".txt`, "two  spaces.txt"} {
		files = append(files, wire.FileChange{Path: p, Status: "added", Additions: 1})
	}
	return wire.ChangesResult{Files: files}, nil
}

func (w *askedWS) Diff(_ context.Context, p string) (wire.FileDiff, error) {
	w.asked = append(w.asked, p)
	return wire.FileDiff{Path: p, Diff: "+x\n"}, nil
}

// A co-host's terminal that reconnects to a host resumed after a crash forgets the batch
// that waited for approval and the tool requests of the lost turn: the resumed host put
// the batch's prompts back in the queue, with no event of it, and the terminal's /approve
// named a batch the host no longer knew (a reviewer's). What still waits is kept.
func TestAReconnectForgetsWhatNoLongerWaits(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	hello := func(phase string, seq int64) {
		c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost},
			State: wire.State{Seq: seq, Phase: phase, Participants: []wire.Member{{ID: "m1", Name: "me", Role: wire.RoleHost}}}})
	}
	held := func(seq int64) {
		c.pr.event(wire.Event{Seq: seq, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b7", Merged: "do it", Prompts: []string{"p1"}}})
		c.pr.event(wire.Event{Seq: seq + 1, Kind: wire.KindPhase, Phase: wire.PhaseAwaitingApproval})
	}
	held(2)
	hello(wire.PhaseAwaitingApproval, 3) // a reconnect to the same host: it still waits
	c.line(context.Background(), "/approve")
	if len(ctl.calls) != 1 || !strings.Contains(ctl.calls[0], "b7") {
		t.Fatalf("/approve of the batch that still waits: calls %q", ctl.calls)
	}
	held(4)
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Bash", Summary: "make", Status: wire.PermissionPending}})
	hello(wire.PhaseCollecting, 9) // the host was resumed: the batch's prompts wait again
	ctl.calls = nil
	c.line(context.Background(), "/approve")
	c.line(context.Background(), "/allow")
	if len(ctl.calls) != 0 {
		t.Fatalf("after a resume, /approve and /allow still named what the host forgot: %q\n%s", ctl.calls, out.String())
	}
}

// A host's /reject or /approve just after another host decided the batch that waited goes
// to the party for that batch, which says who decided it (party.DecidedError): a tester's
// host, beaten by a co-host's /approve, read only "no merged prompt is waiting for
// approval".
func TestApprovalJustDecidedAsksTheParty(t *testing.T) {
	c, ctl, _, _ := newCommander(wire.RoleHost)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b7", Merged: "do it", Prompts: []string{"p1"}}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: "bob approved the merged prompt"})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b7", Merged: "do it", Prompts: []string{"p1"}}})
	c.line(context.Background(), "/reject no")
	c.line(context.Background(), "/approve")
	if got := strings.Join(ctl.calls, "|"); got != "reject b7 no|approve b7" {
		t.Fatalf("after bob's approval: calls %q", got)
	}
	// Past the race of two hosts typing at once, a /approve is for a prompt still to be
	// held, not the last one: not sent (a reviewer's: a minute of "you already approved it").
	c.pr.with(func(r *roster) { r.heldGone = time.Now().Add(-2 * recentHeldDecision) })
	c.line(context.Background(), "/approve")
	if got := strings.Join(ctl.calls, "|"); got != "reject b7 no|approve b7" {
		t.Fatalf("long after bob's approval: calls %q", got)
	}
}

// moreWS is fakeWS whose list leaves files unlisted (past wire.MaxListed): main.go, and
// 45 files of g2/ (more of them among those not listed).
type moreWS struct{ fakeWS }

func (moreWS) Changes(context.Context) (wire.ChangesResult, error) {
	files := []wire.FileChange{{Path: "main.go", Status: "modified", Additions: 3, Deletions: 1}}
	for i := range 45 {
		files = append(files, wire.FileChange{Path: fmt.Sprintf("g2/f%02d", i), Status: "added", Additions: 1})
	}
	return wire.ChangesResult{Files: files, More: 24954}, nil
}

// A list the host cut says how many files it left out, in /changes and in the notice.
func TestChangesSayWhatIsNotListed(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleViewer)
	c.ws = moreWS{}
	c.line(context.Background(), "/changes")
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "main.go", Status: "modified"}}, More: 24999})
	for _, want := range []string{"25000 files changed since the party began:", "M main.go (+3 -1)", "and 24954 more, not listed (the host lists 2000 at most",
		"25000 files changed since the party began (main.go)",
		// A folder's count is of the files listed: it may hold more (a tester's 1,000 read 999).
		"g2/: 45 files listed (45 added; +45 -0)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// A folder with none among those listed does not say /changes lists them all (a
	// tester's read that beside "203 more are not listed").
	out.Reset()
	c.line(context.Background(), "/changes nope")
	if got := out.String(); !strings.Contains(got, "no changed files in nope/ among the 2,000 the host lists; 24,954 more changed files, in any folder, are not listed") || strings.Contains(got, "all") {
		t.Errorf("/changes nope: %s", got)
	}
	out.Reset()
	c.line(context.Background(), "/changes g2")
	if got := out.String(); !strings.Contains(got, "45 changed files listed in g2/ (there may be more):") {
		t.Errorf("/changes g2: %s", got)
	}
	for _, folder := range []string{"./g2/", "g2/", "./g2"} {
		out.Reset()
		c.line(context.Background(), "/changes "+folder)
		if got := out.String(); !strings.Contains(got, "in g2/") {
			t.Errorf("/changes %s: %s", folder, got)
		}
	}
	// A folder out of the working directory is refused as /diff's path is (a terminal
	// tester's "/changes ../" and "/changes /etc" each said "no changed files in …/").
	for folder, want := range map[string]string{
		"../":        `path refused: ".." has a ".." in it`,
		"/etc":       `path refused: "/etc" is absolute`,
		".git/hooks": "path refused: git's own files are not shared",
	} {
		out.Reset()
		c.line(context.Background(), "/changes "+folder)
		if got := out.String(); !strings.Contains(got, want) || strings.Contains(got, "no changed files") {
			t.Errorf("/changes %s: %q, want %q", folder, got, want)
		}
	}
}

// A prompt the host did not answer may have reached it: the terminal no longer says "not
// sent" (people sent it twice), and says how to send it again. A refusal is still "not sent".
func TestAPromptWithNoAnswerMayHaveArrived(t *testing.T) {
	fastPace(t)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("call Party.prompt: no reply within 1m0s: %w", rpc.ErrTimeout), "no answer to your prompt (the host did not answer within a minute): it may have reached the host; this terminal says so when it shows up in the party"},
		{fmt.Errorf("call Party.prompt: %w", rpc.ErrClosed), "no answer to your prompt (the connection dropped before the host answered)"},
		// Never queued (the connection was already closing): it cannot have arrived. A
		// script's line waits for the host to be back (TestAScriptsPromptsWaitForTheHost);
		// one still waiting when the terminal leaves is said not sent.
		{fmt.Errorf("call Party.prompt: %w: %w", rpc.ErrNotSent, rpc.ErrClosed), `prompt not sent ("fix the parser"): this terminal left while it waited`},
		// A script's line says which prompt was not sent (a tester's 40 piped lines gave 20
		// alike refusals and no way to tell which).
		{client.ErrNotConnected, `prompt not sent ("fix the parser"): this terminal left while it waited (not connected to the host right now`},
		{&rpc.Error{Code: wire.CodeRateLimited, Message: "slow down"}, `prompt not sent ("fix the parser"): this terminal left while it waited (slow down`},
	} {
		c, _, _, out := newCommander(wire.RoleParticipant)
		c.prompt = func(context.Context, string) (wire.PromptResult, error) { return wire.PromptResult{}, tc.err }
		leaves, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		c.line(leaves, "fix the parser")
		cancel()
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: %q lacks %q", tc.err, out.String(), tc.want)
		}
	}
	// Once back in touch, the terminal says whether it arrived: a tester's had, it turned
	// out, not (it was not in the journal), and the terminal left that to be found out.
	// (A person's, in the line editor: a script's waits for the reconnect and tells by
	// itself, TestAScriptsDroppedPromptIsSentOnceBack.)
	for _, arrives := range []bool{true, false} {
		c, _, _, out := newCommander(wire.RoleParticipant)
		c.editor = true
		c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "hana"}, State: wire.State{Seq: 3}})
		c.prompt = func(context.Context, string) (wire.PromptResult, error) {
			return wire.PromptResult{}, fmt.Errorf("call Party.prompt: %w", rpc.ErrClosed)
		}
		c.line(context.Background(), "fix the parser")
		out.Reset()
		if arrives { // in the reconnect's catch-up
			c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p4", User: "bob", Member: "m2", Text: "fix the parser"}})
		}
		c.pr.reconnected()
		c.pr.event(wire.Event{Seq: 5, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p5", User: "bob", Member: "m2", Text: "fix the parser"}})
		got := out.String()
		reached, missing := strings.Count(got, "your prompt reached the host after all"), strings.Count(got, "it did not reach the host")
		// Not arrived at the reconnect: said so; the same text seen later (a host that was
		// frozen read it after all) is said too, once.
		if reached != 1 || (missing == 1) == arrives {
			t.Errorf("arrives %v: said %q", arrives, got)
		}
	}
	// Its event came before the answer was lost (the host sends it first): it is in the
	// party already, and a reconnect does not say otherwise (a reviewer's; it was sent twice).
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.editor = true
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "hana"}, State: wire.State{Seq: 3}})
	c.prompt = func(context.Context, string) (wire.PromptResult, error) {
		c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p4", User: "bob", Member: "m2", Text: "fix the parser"}})
		return wire.PromptResult{}, fmt.Errorf("call Party.prompt: %w", rpc.ErrClosed)
	}
	c.line(context.Background(), "fix the parser")
	c.pr.reconnected()
	if got := out.String(); !strings.Contains(got, "but it is in the party: no need to send it again") || strings.Contains(got, "did not reach") || strings.Contains(got, "may have reached") {
		t.Errorf("its event before the lost answer: said %q", got)
	}
}

// A script's prompt whose connection dropped before its answer came may have arrived: it
// waits for the client to be back and its catch-up read, and is sent again only if that
// does not have it (a tester's line sent as the host was killed was lost: "↑ brings it
// back" is no use to a script).
func TestAScriptsDroppedPromptIsSentOnceBack(t *testing.T) {
	fastPace(t)
	for _, arrives := range []bool{true, false} {
		c, _, _, out := newCommander(wire.RoleParticipant)
		c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "hana"}, State: wire.State{Seq: 3}})
		var mu sync.Mutex
		tries := 0
		c.prompt = func(context.Context, string) (wire.PromptResult, error) {
			mu.Lock()
			defer mu.Unlock()
			if tries++; tries == 1 {
				return wire.PromptResult{}, fmt.Errorf("call Party.prompt: %w", rpc.ErrClosed)
			}
			return wire.PromptResult{}, nil
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.line(context.Background(), "fix the parser")
		}()
		time.Sleep(20 * time.Millisecond) // it waits: not sent again before the client is back
		mu.Lock()
		if tries != 1 {
			t.Errorf("arrives %v: tried %d times before the reconnect", arrives, tries)
		}
		mu.Unlock()
		if arrives { // in the reconnect's catch-up
			c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p4", User: "bob", Member: "m2", Text: "fix the parser"}})
		}
		c.pr.reconnected()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("arrives %v: still waiting after the reconnect", arrives)
		}
		want := 2
		if arrives {
			want = 1
		}
		if got := out.String(); tries != want || strings.Contains(got, "not sent") || strings.Contains(got, "may have reached") || strings.Count(got, "out of reach") != 1 {
			t.Errorf("arrives %v: tried %d times (want %d), said %q", arrives, tries, want, got)
		}
	}
}

// fastPace makes paced's waits short for a test.
func fastPace(t *testing.T) {
	pace, patience, queue := scriptPace, scriptPatience, scriptQueuePace
	scriptPace, scriptPatience, scriptQueuePace = time.Millisecond, 50*time.Millisecond, time.Millisecond
	t.Cleanup(func() { scriptPace, scriptPatience, scriptQueuePace = pace, patience, queue })
}

// A script's prompt that finds the host out of reach (this client reconnecting) waits
// until it is back, and is sent: a tester's script lost 52 lines read while the host was
// killed and resumed. Said once per outage; a prompt typed in the line editor is not held
// (it goes back in the box), and one still waiting when the terminal leaves is said not sent.
func TestAScriptsPromptsWaitForTheHost(t *testing.T) {
	fastPace(t)
	c, _, _, out := newCommander(wire.RoleParticipant)
	var tries int
	var sent []string
	c.prompt = func(_ context.Context, text string) (wire.PromptResult, error) {
		if tries++; tries <= 100 { // far longer than scriptPatience: no patience for an outage
			return wire.PromptResult{}, client.ErrNotConnected
		}
		sent = append(sent, text)
		return wire.PromptResult{}, nil
	}
	c.line(context.Background(), "first")
	c.line(context.Background(), "second")
	got := out.String()
	if !slices.Equal(sent, []string{"first", "second"}) || strings.Contains(got, "not sent") || strings.Count(got, "out of reach") != 1 || !strings.Contains(got, `("first" is next)`) {
		t.Errorf("sent %q, said %q", sent, got)
	}
	// The next outage is said again.
	out.Reset()
	tries = 0
	c.line(context.Background(), "third")
	if got := out.String(); strings.Count(got, "out of reach") != 1 || !slices.Equal(sent, []string{"first", "second", "third"}) {
		t.Errorf("the second outage: sent %q, said %q", sent, got)
	}
	// Leaving while it waits: not sent, and said.
	out.Reset()
	c.prompt = func(context.Context, string) (wire.PromptResult, error) {
		return wire.PromptResult{}, client.ErrNotConnected
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	c.line(ctx, "fourth")
	if got := out.String(); !strings.Contains(got, `prompt not sent ("fourth"): this terminal left while it waited (not connected`) {
		t.Errorf("left while it waited: said %q", got)
	}
	// The line editor's prompt goes back in the box at once.
	ed, _, _, edOut := newCommander(wire.RoleParticipant)
	ed.editor = true
	tries = 0
	ed.prompt = func(context.Context, string) (wire.PromptResult, error) {
		tries++
		return wire.PromptResult{}, client.ErrNotConnected
	}
	ed.line(context.Background(), "typed")
	if tries != 1 || !strings.Contains(edOut.String(), "it is back in the box") {
		t.Errorf("the editor's prompt: %d tries, said %q", tries, edOut.String())
	}
}

// A script's prompt the host refuses as too fast waits its turn and is sent: a tester's
// 150 piped lines had 190 of 450 refused. Said once; one still refused after the patience
// is said not sent, as before; a prompt typed in the line editor is not paced.
func TestAScriptsPromptsWaitTheirTurn(t *testing.T) {
	fastPace(t)
	tooFast := &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: at most 10 prompts at once, then one per 1s"}
	c, _, _, out := newCommander(wire.RoleParticipant)
	var tries int
	c.prompt = func(context.Context, string) (wire.PromptResult, error) {
		if tries++; tries <= 3 {
			return wire.PromptResult{}, tooFast
		}
		return wire.PromptResult{}, nil
	}
	c.line(context.Background(), "first")
	c.line(context.Background(), "second")
	got := out.String()
	if tries != 5 || strings.Contains(got, "not sent") || strings.Count(got, "each line waits its turn") != 1 || !strings.Contains(got, "(rate limited: at most 10 prompts at once, then one per 1s)") {
		t.Errorf("tries %d, said %q", tries, got)
	}
	out.Reset()
	c.prompt = func(context.Context, string) (wire.PromptResult, error) { return wire.PromptResult{}, tooFast }
	c.line(context.Background(), "third")
	if got := out.String(); !strings.Contains(got, `prompt not sent ("third"): rate limited`) {
		t.Errorf("refused past the patience: said %q", got)
	}
	// The host's own terminal, whose prompts go to the party in this process (a reviewer's).
	own, _, _, ownOut := newCommander(wire.RoleHost)
	own.endsParty = true
	tries = 0
	own.prompt = func(context.Context, string) (wire.PromptResult, error) {
		if tries++; tries <= 2 {
			return wire.PromptResult{}, fmt.Errorf("%w: at most 10 prompts at once, then one per 1s", party.ErrRateLimited)
		}
		return wire.PromptResult{}, nil
	}
	own.line(context.Background(), "the host's own")
	if tries != 3 || strings.Contains(ownOut.String(), "not sent") || !strings.Contains(ownOut.String(), "[system] prompts come too fast (") {
		t.Errorf("the host's own: tries %d, said %q", tries, ownOut.String())
	}
	ed, _, _, _ := newCommander(wire.RoleParticipant)
	ed.editor = true
	tries = 0
	ed.prompt = func(context.Context, string) (wire.PromptResult, error) {
		if tries++; tries <= 2 {
			return wire.PromptResult{}, tooFast
		}
		return wire.PromptResult{}, nil
	}
	var given []string
	ed.pr.setInputSink(func(text string) { given = append(given, text) })
	ed.line(context.Background(), "typed")
	// Typed too: given back to the box, the next line typed ran on from it (a tester's
	// "burst prompt number 4burst prompt number 5").
	if tries != 3 || len(given) != 0 {
		t.Errorf("a typed prompt refused as too fast was tried %d times, given back %q", tries, given)
	}
	ed.prompt = func(context.Context, string) (wire.PromptResult, error) { return wire.PromptResult{}, tooFast }
	ed.line(context.Background(), "typed past the patience")
	if !slices.Equal(given, []string{"typed past the patience"}) {
		t.Errorf("refused past the patience: given back %q", given)
	}
}

// The changes notice names the files that were there at the start first, then the
// shallowest: a tester's 2,500 new data/ files hid the one source file changed beside them.
func TestChangesNoticeNamesTheChangedFilesFirst(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	pr.event(wire.Event{Seq: 1, Kind: wire.KindChanges, Files: []wire.FileChange{
		{Path: "data/f1.txt", Status: "added"}, {Path: "data/f10.txt", Status: "added"}, {Path: "data/f100.txt", Status: "added"},
		{Path: "notes.txt", Status: "added"}, {Path: "src/main.go", Status: "modified"},
	}, More: 2497})
	if want := "2502 files changed since the party began (src/main.go, notes.txt, data/f1.txt, …)"; !strings.Contains(out.String(), want) {
		t.Fatalf("%q lacks %q", out.String(), want)
	}
}

// bigWS has a long change list: 2,480 new files in data/, 15 changed ones in src/, one at
// the top.
type bigWS struct{ fakeWS }

func (bigWS) Changes(context.Context) (wire.ChangesResult, error) {
	files := []wire.FileChange{{Path: "main.go", Status: "modified", Additions: 3, Deletions: 1}}
	for i := 0; i < 15; i++ {
		files = append(files, wire.FileChange{Path: fmt.Sprintf("src/f%d.go", i), Status: "modified", Additions: 2, Deletions: 1})
	}
	files = append(files, wire.FileChange{Path: "src/deep/x.go", Status: "deleted", Deletions: 9},
		wire.FileChange{Path: "docs/only.md", Status: "added", Additions: 4},
		wire.FileChange{Path: "my docs/a.md", Status: "added", Additions: 1}, wire.FileChange{Path: "my docs/b.md", Status: "modified", Additions: 1})
	for i := 0; i < 2480; i++ {
		files = append(files, wire.FileChange{Path: fmt.Sprintf("data/f%d.txt", i), Status: "added", Additions: 1})
	}
	return wire.ChangesResult{Files: files}, nil
}

// A long change list is shown by folder, and /changes FOLDER lists one (a tester's
// /changes printed 2,000 lines); a short one is listed file by file as before.
func TestLongChangeListsAreShownByFolder(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleViewer)
	c.ws = bigWS{}
	c.line(context.Background(), "/changes")
	got := out.String()
	for _, want := range []string{"2500 files changed since the party began:", "A docs/only.md (+4 -0)",
		`my docs/: 2 files (1 added, 1 modified; +2 -0) — /changes "my docs" lists them`,
		"data/: 2480 files (2480 added; +2480 -0) — /changes data lists them",
		"src/: 16 files (15 modified, 1 deleted; +30 -24) — /changes src lists them",
		"M main.go (+3 -1)", "/diff PATH shows one"} {
		if !strings.Contains(got, want) {
			t.Errorf("/changes lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n"); n > 10 {
		t.Errorf("/changes printed %d lines:\n%.2000s", n, got)
	}
	out.Reset()
	c.line(context.Background(), "/changes src/")
	got = out.String()
	for _, want := range []string{"16 files changed in src/:", "M src/f0.go (+2 -1)", "M src/f14.go", "D src/deep/x.go (+0 -9)"} {
		if !strings.Contains(got, want) {
			t.Errorf("/changes src/ lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "main.go") || strings.Contains(got, "data/") {
		t.Errorf("/changes src/ lists files outside it:\n%s", got)
	}
	// A file given where a folder goes: its line. "./src" is "src". A folder with a space
	// in its name, quoted, is a folder; words are a prompt given back (a reviewer's).
	out.Reset()
	c.line(context.Background(), "/changes ./src/f3.go")
	if got := out.String(); !strings.Contains(got, "M src/f3.go (+2 -1)") || !strings.Contains(got, "/diff src/f3.go shows it") {
		t.Errorf("/changes FILE: %s", got)
	}
	out.Reset()
	c.line(context.Background(), "/changes ./src")
	if got := out.String(); !strings.Contains(got, "16 files changed in src/:") {
		t.Errorf("/changes ./src: %s", got)
	}
	out.Reset()
	c.line(context.Background(), "/changes look fine, now add tests")
	if got := out.String(); !strings.Contains(got, "/changes takes a folder") || !strings.Contains(got, "nothing was run") || strings.Contains(got, "//") { // a viewer: no "//"
		t.Errorf("/changes followed by words: %s", got)
	}
	out.Reset()
	c.line(context.Background(), "/changes looks fine, but see src/api for tests")
	if got := out.String(); !strings.Contains(got, "/changes takes a folder") {
		t.Errorf("/changes followed by words with a /: %s", got)
	}
	out.Reset()
	c.line(context.Background(), "/changes 'cause it looks fine, add tests") // a quote that opens, not one that wraps
	if got := out.String(); !strings.Contains(got, "/changes takes a folder") {
		t.Errorf("/changes followed by words that start with a quote: %s", got)
	}
	for _, arg := range []string{`"my docs"`, "my docs/", "'my docs'"} {
		out.Reset()
		c.line(context.Background(), "/changes "+arg)
		if got := out.String(); !strings.Contains(got, "2 files changed in my docs/:") {
			t.Errorf(`/changes %s: %s`, arg, got)
		}
	}
	out.Reset()
	c.line(context.Background(), "/changes nowhere")
	if got := out.String(); !strings.Contains(got, "no changed files in nowhere/; /changes lists every changed file") {
		t.Errorf("/changes nowhere: %s", got)
	}
	// A folder of one file is listed in the folders' order, not below everything (a
	// tester's .github/workflows/x.yml came last, after 40 files); an empty new file is
	// "(empty)", not "(+0 -0)".
	var many []wire.FileChange
	for i := range changesListed {
		many = append(many, wire.FileChange{Path: fmt.Sprintf("gen/%02d.txt", i), Status: "added", Additions: 1})
	}
	many = append(many, wire.FileChange{Path: ".github/workflows/x.yml", Status: "added", Additions: 3}, wire.FileChange{Path: "top.txt", Status: "added"})
	grouped := changeLines(many, "", false)
	if want := []string{"A .github/workflows/x.yml (+3 -0)", "gen/: 40 files (40 added; +40 -0) — /changes gen lists them", "A top.txt (empty)"}; !slices.Equal(grouped, want) {
		t.Errorf("the lines:\n%s\nwant:\n%s", strings.Join(grouped, "\n"), strings.Join(want, "\n"))
	}
	// Folders are listed in reading order: r2 before r10 (a tester's read r1, r10, r2).
	var files []wire.FileChange
	for i := range changesListed + 1 {
		files = append(files, wire.FileChange{Path: fmt.Sprintf("r%d/f.go", 10-i%2*8), Status: "added"})
	}
	lines := strings.Join(changeLines(files, "", false), "\n")
	if i, j := strings.Index(lines, "r2/:"), strings.Index(lines, "r10/:"); i < 0 || j < i {
		t.Errorf("folders out of order:\n%s", lines)
	}
	// A folder's binary files are said, not counted as "+0 -0" (a reviewer's).
	for i := range files {
		files[i].Binary = strings.HasPrefix(files[i].Path, "r2/")
		if !files[i].Binary {
			files[i].Additions = 1
		}
	}
	files[0].Path, files[0].Binary = "r2/a.txt", false // r10/ loses one, r2/ gains one of text
	lines = strings.Join(changeLines(files, "", false), "\n")
	if !strings.Contains(lines, "r2/: ") || !strings.Contains(lines, " added; +1 -0, ") || !strings.Contains(lines, "r10/: ") {
		t.Errorf("binary files in folders:\n%s", lines)
	}
	for _, l := range strings.Split(lines, "\n") {
		if strings.HasPrefix(l, "r2/:") && (!strings.Contains(l, "; +1 -0, ") || !strings.Contains(l, " binary) — ")) {
			t.Errorf("r2/ (binary files and one text file): %q", l)
		}
		if strings.HasPrefix(l, "r10/:") && !strings.Contains(l, "added; +") {
			t.Errorf("r10/ (text files): %q", l)
		}
	}
	for i := range files {
		files[i].Binary, files[i].Additions = true, 0
	}
	if lines = strings.Join(changeLines(files, "", false), "\n"); !strings.Contains(lines, " added; binary) — /changes") {
		t.Errorf("folders of binary files:\n%s", lines)
	}
	for i := range files { // and of files too large to track, their counts of the line about them
		files[i].Binary, files[i].Large, files[i].Additions = false, i%3 == 0, 1
	}
	if lines = strings.Join(changeLines(files, "", false), "\n"); !strings.Contains(lines, " too large to track) — /changes") || !strings.Contains(lines, " added; +") {
		t.Errorf("folders with files too large to track:\n%s", lines)
	}
	// Thousands of new files in one folder are not thousands of lines: the first ones, then
	// how many more.
	files = files[:0]
	for i := range 2500 {
		files = append(files, wire.FileChange{Path: fmt.Sprintf("data/%04d.csv", i), Status: "added", Additions: 1})
	}
	listed := changeLines(files, "data/", false)
	if len(listed) != directListed+1 || !strings.Contains(listed[directListed], "and 2300 more files directly in data/, not listed here (/diff PATH shows one)") || strings.Contains(listed[directListed], "window") || !strings.HasPrefix(listed[0], "A data/0000.csv") {
		t.Errorf("2,500 files in data/: %d lines, the last %q", len(listed), listed[len(listed)-1])
	}
	if got := changeLines(files[:directListed], "data/", false); len(got) != directListed || strings.Contains(strings.Join(got, "\n"), "more file") {
		t.Errorf("%d files: %d lines", directListed, len(got))
	}
	// Folders of one file are named beside the cut, not counted in it (a reviewer's).
	top := []wire.FileChange{}
	for i := range 5 {
		top = append(top, wire.FileChange{Path: fmt.Sprintf("sub%d/only.go", i), Status: "modified"})
	}
	for i := range 250 {
		top = append(top, wire.FileChange{Path: fmt.Sprintf("new%03d.txt", i), Status: "added"})
	}
	all := strings.Join(changeLines(top, "", false), "\n")
	if !strings.Contains(all, "and 50 more files at the top") || strings.Count(all, "/only.go") != 5 {
		t.Errorf("five folders of one beside 250 top files:\n%s", all[len(all)-400:])
	}
}

// resumedWS is a workspace first recorded at a resume (a party started with sharing off).
type resumedWS struct {
	fakeWS
	files []wire.FileChange
}

func (w resumedWS) Changes(context.Context) (wire.ChangesResult, error) {
	return wire.ChangesResult{Files: append([]wire.FileChange{}, w.files...), Base: "the working directory as it was when the party was resumed (git commit abc1234 with any uncommitted changes; the party did not share it before)"}, nil
}

// Changes count from the resume that first recorded the folder, and the terminal says so:
// a tester's resumed party said "nothing changed since the party began" of a file the
// agent had made before it.
func TestChangesCountFromAResumeSaySo(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.ws = resumedWS{}
	c.line(context.Background(), "/changes")
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "new.txt", Status: "added", Additions: 1}}})
	c.ws = resumedWS{files: []wire.FileChange{{Path: "new.txt", Status: "added", Additions: 1}}}
	c.line(context.Background(), "/changes")
	got := out.String()
	for _, want := range []string{"nothing changed since sharing began", "1 file changed since sharing began (new.txt)", "1 file changed since sharing began:"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "since the party began") {
		t.Errorf("says the party began:\n%s", got)
	}

	// Said before anyone asks /changes: the terminal learns it after each hello (a
	// reviewer's: the changes lines said "since the party began" until a /changes).
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.ws = resumedWS{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go c.followBase(ctx, done)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "hana", Workspace: wire.WorkspaceChanges}})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var since string
		c.pr.with(func(r *roster) { since = r.since })
		if since != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the terminal never learned from when changes count")
		}
	}
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "new.txt", Status: "added", Additions: 1}}})
	if got := out.String(); !strings.Contains(got, "1 file changed since sharing began (new.txt)") {
		t.Errorf("before any /changes:\n%s", got)
	}
	cancel()
	<-done

	// Joined while sharing was off, then a host shares again: learned then (a tester's).
	c, _, _, _ = newCommander(wire.RoleParticipant)
	c.ws = resumedWS{}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	done = make(chan struct{})
	go c.followBase(ctx, done)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "hana", Workspace: wire.WorkspaceOff}})
	for len(c.pr.helloed) > 0 { // the hello's news taken (and found sharing off) first
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSettings, Settings: &wire.Settings{Workspace: wire.WorkspaceChanges}})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var since string
		c.pr.with(func(r *roster) { since = r.since })
		if since == "since sharing began" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not learned once sharing was on again: %q", since)
		}
	}
	cancel()
	<-done
}

// TestYourUnsentPromptsAtTheEnd: the party's notice of the prompts it ended without
// sending names this member's as its own (a user tester's pat read "the party ended before
// 1 prompt reached the agent: pat: “and another queued prompt”"); others' stay by name, and
// what it says of a resume is the host's, in every terminal.
func TestYourUnsentPromptsAtTheEnd(t *testing.T) {
	const resume = ". A host who resumes this party has it queued again (or withdrawn, resuming without it)."
	const resumeAll = ". A host who resumes this party has them queued again (or withdrawn, resuming without them)."
	const behind = ". The party's journal is behind: unless it catches up before the host stops, a resume does not queue them again: send them again then."
	prompt := func(id, member, user, text string) wire.Event {
		return wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, Member: member, User: user, Text: text}}
	}
	for _, tc := range []struct {
		name   string
		you    wire.Member
		before []wire.Event
		text   string
		want   string
	}{
		{"its one prompt", wire.Member{ID: "m2", Name: "pat"}, []wire.Event{prompt("p1", "m2", "pat", "and another queued prompt")},
			"the party ended before 1 prompt reached the agent: pat: “and another queued prompt”" + resume,
			"your prompt “and another queued prompt” did not reach the agent before the party ended" + resume},
		{"another's", wire.Member{ID: "m3", Name: "bob"}, []wire.Event{prompt("p1", "m2", "pat", "and another queued prompt")},
			"the party ended before 1 prompt reached the agent: pat: “and another queued prompt”" + resume,
			"the party ended before 1 prompt reached the agent: pat: “and another queued prompt”" + resume},
		{"its own beside others'", wire.Member{ID: "m2", Name: "pat"}, []wire.Event{
			prompt("p1", "m2", "pat", "first"), prompt("p2", "m4", "patricia", "first"), prompt("p3", "m2", "pat", "second\nline")},
			"the party ended before 3 prompts reached the agent: pat: “first”; patricia: “first”; pat: “second …”" + resumeAll,
			"the party ended before 3 prompts reached the agent: yours: “first”; patricia: “first”; yours: “second …”" + resumeAll},
		{"two of its own, one held for approval, the journal behind", wire.Member{ID: "m2", Name: "pat"}, []wire.Event{
			prompt("p1", "m2", "pat", "held one"),
			{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "held one"}},
			prompt("p2", "m2", "pat", "held one")},
			"the party ended before 2 prompts reached the agent: pat: “held one”; pat: “held one”" + behind,
			"your 2 prompts did not reach the agent before the party ended: “held one”; “held one”" + behind},
		{"not the party's notice", wire.Member{ID: "m2", Name: "pat"}, []wire.Event{prompt("p1", "m2", "pat", "x")},
			"the party ended before 1 prompt reached the agent: pat: “x”",
			"the party ended before 1 prompt reached the agent: pat: “x”"},
	} {
		var b bytes.Buffer
		p := newPrinter(&b)
		tc.you.Role = wire.RoleParticipant
		p.hello(wire.HelloResult{You: tc.you})
		for _, ev := range tc.before {
			p.event(ev)
		}
		b.Reset()
		p.event(wire.Event{Kind: wire.KindSystem, Text: tc.text})
		if got, want := b.String(), "[system] "+tc.want+"\n"; got != want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, want)
		}
	}
	// In the history, the name may have been another member's: said as the host said it.
	var b bytes.Buffer
	p := newPrinter(&b)
	p.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "pat", Role: wire.RoleParticipant}})
	p.historyStart(1)
	p.event(prompt("p1", "m2", "pat", "x"))
	text := "the party ended before 1 prompt reached the agent: pat: “x”" + resume
	p.event(wire.Event{Kind: wire.KindSystem, Text: text})
	if !strings.Contains(b.String(), text) {
		t.Errorf("in the history: %q", b.String())
	}
}

// TestYourPromptsInTheHostsNotices: a host's notice names this member's prompts as its
// own (a tester's bob read "alice edited and sent bob's prompt"); others' stay theirs.
func TestYourPromptsInTheHostsNotices(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}})
	for _, text := range []string{
		"alice edited and sent bob's prompt",
		"alice turned approval off; bob's prompt that waited for approval is sent now",
		"alice removed carol from the party (carol's waiting prompt is withdrawn)",
		"alice made dan a viewer (dan's 2 waiting prompts are still sent, unless dan or a host withdraws them)",
		"alice approved bobby's prompt",
	} {
		p.event(wire.Event{Kind: wire.KindSystem, Text: text})
	}
	p.hello(wire.HelloResult{You: wire.Member{ID: "m4", Name: "dan", Role: wire.RoleParticipant}})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice removed eve from the party (dan's 2 waiting prompts are withdrawn)"})
	// The removed member's own last line (a tester's): not "alice removed dan …", and not a
	// removal quoted in the reason.
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice removed dan from the party: spam (dan's waiting prompt is withdrawn)"})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice removed danny from the party"})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice removed eve from the party: she removed dan from the party"})
	// Its own act on its own prompt (a tester's co-host read "alice approved your prompt").
	p.event(wire.Event{Kind: wire.KindSystem, Text: "dan approved dan's prompt"})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "dan marie approved dan's prompt"})
	// A host's act on its own prompt, as the host says it now (a window tester's read
	// "hazel edited and sent hazel's prompt"); someone else's stays theirs.
	p.event(wire.Event{Kind: wire.KindSystem, Text: "dan edited and sent their own prompt"})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice approved their own prompt"})
	p.event(wire.Event{Kind: wire.KindSystem, Text: "dan" + party.RotatedNotice}) // its own /rotate
	p.event(wire.Event{Kind: wire.KindSystem, Text: "dan stopped the turn"})      // its own Stop (a user tester's)
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice stopped the turn"})
	want := "[system] alice edited and sent your prompt\n" +
		"[system] alice turned approval off; your prompt that waited for approval is sent now\n" +
		"[system] alice removed carol from the party (carol's waiting prompt is withdrawn)\n" +
		"[system] alice made dan a viewer (dan's 2 waiting prompts are still sent, unless dan or a host withdraws them)\n" +
		"[system] alice approved bobby's prompt\n" +
		"[system] alice removed eve from the party (your 2 waiting prompts are withdrawn)\n" +
		"[system] alice removed you from the party: spam (your waiting prompt is withdrawn)\n" +
		"[system] alice removed danny from the party\n" +
		"[system] alice removed eve from the party: she removed dan from the party\n" +
		"[system] you approved your prompt\n" +
		"[system] dan marie approved your prompt\n" +
		"[system] you edited and sent your own prompt\n" +
		"[system] alice approved their own prompt\n" +
		"[system] you made new invites; the earlier links let nobody new in\n" +
		"[system] you stopped the turn\n" +
		"[system] alice stopped the turn\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// In the history, "dan" removed may be another who had the name before this member.
	b.Reset()
	p.historyStart(1)
	p.event(wire.Event{Kind: wire.KindSystem, Text: "alice removed dan from the party"})
	if got := b.String(); !strings.Contains(got, "[system] alice removed dan from the party\n") {
		t.Errorf("a removal in the history:\n%s", got)
	}
}

// TestTwoToolRequestsWaitAtOnce: the real Claude Code asks about reads in parallel, so two
// requests can wait at once; /allow answers the oldest. The second request's hint said
// "/allow, /deny or /always" under it, and a host who typed /allow for it allowed the
// other one. It now names the one /allow answers, and after each decision the next.
func TestTwoToolRequestsWaitAtOnce(t *testing.T) {
	a := &wire.Permission{ID: "t1", Tool: "Read", Summary: "/tmp/a.txt", Status: wire.PermissionPending}
	b := &wire.Permission{ID: "t2", Tool: "Read", Summary: "/tmp/b.txt", Status: wire.PermissionPending}
	decided := func(pm *wire.Permission, status, reason string) *wire.Permission {
		d := *pm
		d.Status, d.By, d.Reason = status, "me", reason
		return &d
	}
	for _, tc := range []struct {
		name, you string
		want      string
	}{
		{name: "the owner", you: "me", want: "" +
			"[permission] claude asks to use Read: /tmp/a.txt (for a host's agent command)\n" +
			"[system] /allow, /deny [REASON] or /always (allow Read for the rest of the party; a file that usually holds secrets still asks)\n" +
			"[permission] claude asks to use Read: /tmp/b.txt (for a host's agent command)\n" +
			"[system] 2 tool requests wait, answered oldest first: /allow, /deny [REASON] or /always now answer Read: /tmp/a.txt\n" +
			"[permission] you allowed Read: /tmp/a.txt\n" +
			"[permission] still waiting: Read: /tmp/b.txt\n" +
			"[system] /allow, /deny [REASON] or /always (allow Read for the rest of the party; a file that usually holds secrets still asks)\n" +
			"[permission] you denied Read: /tmp/b.txt: no\n"},
		{name: "a co-host", you: "co", want: "" +
			"[permission] claude asks to use Read: /tmp/a.txt (for a host's agent command)\n" +
			"[system] /allow or /deny [REASON]\n" +
			"[permission] claude asks to use Read: /tmp/b.txt (for a host's agent command)\n" +
			"[system] 2 tool requests wait, answered oldest first: /allow or /deny [REASON] now answer Read: /tmp/a.txt\n" +
			"[permission] me allowed Read: /tmp/a.txt\n" +
			"[permission] still waiting: Read: /tmp/b.txt\n" +
			"[system] /allow or /deny [REASON]\n" +
			"[permission] me denied Read: /tmp/b.txt: no\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ctl, _, out := newCommander(wire.RoleHost)
			c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: tc.you, Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "me"},
				State: wire.State{Participants: []wire.Member{{ID: "m1", Name: tc.you, Role: wire.RoleHost}}}})
			c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: a})
			c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: b})
			c.line(context.Background(), "/allow")
			c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: decided(a, wire.PermissionAllowed, "")})
			c.line(context.Background(), "/deny no")
			c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPermission, Permission: decided(b, wire.PermissionDenied, "no")})
			if got := out.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if want := []string{"decide t1 allow ", "decide t2 deny no"}; !slices.Equal(ctl.calls, want) {
				t.Errorf("calls %q, want %q", ctl.calls, want)
			}
		})
	}
	// "Always" allows the other waiting requests for its tool too (a reviewer's terminal
	// said one was still waiting); another tool's request is still next, with how many
	// more wait after it.
	c, _, _, out := newCommander(wire.RoleHost)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "me"},
		State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "me", Role: wire.RoleHost}}}})
	w := &wire.Permission{ID: "t3", Tool: "Write", Summary: "c.txt", Status: wire.PermissionPending}
	e := &wire.Permission{ID: "t4", Tool: "Edit", Summary: "d.txt", Status: wire.PermissionPending}
	for i, pm := range []*wire.Permission{a, b, w, e} {
		c.pr.event(wire.Event{Seq: int64(1 + i), Kind: wire.KindPermission, Permission: pm})
	}
	out.Reset()
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindPermission, Permission: decided(a, wire.PermissionAllowed, wire.AlwaysReason("Read"))})
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindPermission, Permission: decided(b, wire.PermissionAllowed, wire.AlwaysReason("Read"))})
	want := "[permission] you allowed Read: /tmp/a.txt: always allow Read\n" +
		"[permission] you allowed Read: /tmp/b.txt: always allow Read\n" +
		"[permission] still waiting: Write: c.txt (and 1 more after it)\n" +
		"[system] /allow, /deny [REASON] or /always (allow Write in the folder for the rest of the party; files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets still ask)\n"
	if got := out.String(); got != want {
		t.Errorf("after an always:\n%s\nwant:\n%s", got, want)
	}

	// In the history, a decision further down says what happened: no "still waiting".
	c, _, _, out = newCommander(wire.RoleHost)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "me"}})
	c.pr.historyStart(3)
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: a})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: b})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: decided(a, wire.PermissionTimedOut, "2m passed")})
	c.pr.live()
	if got := out.String(); strings.Contains(got, "still waiting") {
		t.Errorf("history:\n%s", got)
	}
	// Made a co-host while two wait; then the last host leaves.
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "me"},
		State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "me", Role: wire.RoleHost}, {ID: "m2", Name: "bob", Role: wire.RoleParticipant}}}})
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: a})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: b})
	out.Reset()
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m2", Name: "bob", Role: wire.RoleHost}})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindSystem, Text: "me made bob a co-host"})
	if got := out.String(); !strings.Contains(got, "[permission] claude waits for decisions on 2 tool requests; the oldest is Read: /tmp/a.txt\n[system] /allow or /deny [REASON]\n") {
		t.Errorf("made a co-host while two wait:\n%s", got)
	}
	c, _, _, out = newCommander(wire.RoleParticipant)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{Host: "me"},
		State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "me", Role: wire.RoleHost}, {ID: "m2", Name: "bob", Role: wire.RoleParticipant}}}})
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: a})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: b})
	one := 1
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Count: &one})
	if got := out.String(); !strings.Contains(got, "the 2 waiting tool requests are denied when their time runs out") {
		t.Errorf("the last host left while two wait:\n%s", got)
	}
}

// TestCatchUpSaysTheTimeLeftNow: what a reconnect catches up on happened a while ago; its
// times said nothing of the host's clock now. A tester's terminal, its samples of the
// clocks' difference filled by a catch-up, said a request asked 18 s before was denied in
// 1m59s, where its status line said 1m41s.
func TestCatchUpSaysTheTimeLeftNow(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "carol", Role: wire.RoleHost}})
	p.event(wire.Event{Seq: 1, TS: now, Kind: wire.KindSystem, Text: "live, on time"})
	now = now.Add(time.Minute)
	asked := now.Add(-18 * time.Second)
	p.catchUp(true)
	for i := range 40 { // more than the samples kept
		p.event(wire.Event{Seq: int64(2 + i), TS: asked, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "x"})
	}
	expires := asked.Add(2 * time.Minute)
	p.event(wire.Event{Seq: 42, TS: asked, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending, Expires: &expires}})
	p.catchUp(false)
	if out := b.String(); !strings.Contains(out, "undecided, it is denied in 1m42s\n") {
		t.Errorf("want the time left now (1m42s):\n%s", out)
	}
}

// TestAskedOfPromptsNeverSeen: a batch whose prompts came before this terminal joined was
// called "a host's agent command", which never waits for approval (a reviewer's).
func TestAskedOfPromptsNeverSeen(t *testing.T) {
	for _, c := range []struct {
		b    batchWho
		want string
	}{
		{batchWho{nil, 1, 0}, "a prompt from before you joined"},
		{batchWho{nil, 3, 0}, "prompts from before you joined"},
		{batchWho{nil, 0, 0}, "a host's agent command"},
		{batchWho{[]string{"bob"}, 2, 0}, "bob's 2 prompts"},
		// One's own (a tester's read "(for bob's prompt)" of its own).
		{batchWho{[]string{"me"}, 1, 1}, "your prompt"},
		{batchWho{[]string{"me"}, 2, 2}, "your 2 prompts"},
		{batchWho{[]string{"me", "bob"}, 2, 1}, "prompts by me, bob"},
	} {
		if got := asked(c.b); got != c.want {
			t.Errorf("asked(%+v) = %q, want %q", c.b, got, c.want)
		}
	}
}

// ptr is a pointer to v (an event's count).
func ptr[T any](v T) *T { return &v }

// TestNameArg: a hint's name is one /withdraw and /kick take back as that name: a name that
// starts with a quote goes in the other quotes (a tester's `/withdraw "dq"` found nobody).
func TestNameArg(t *testing.T) {
	c, _, _, _ := newCommander(wire.RoleHost)
	for _, name := range []string{`"dq"`, `'q'`, "bob smith", "Bob"} {
		c.pr.with(func(r *roster) { r.members = append(r.members, wire.Member{ID: "x" + name, Name: name}) })
		if got, _ := c.splitName(nameArg(name)); got != name {
			t.Errorf("splitName(nameArg(%q)) = %q", name, got)
		}
	}
}

// Without colour, an agent line that starts as the party's own lines do read as the real
// thing: "[permission] …" or "invite code: concordia://…" in a reply (a security
// reviewer's). Such a line is marked as the agent's, even when the tag comes split over
// two deltas; other lines, and tags inside a line, are printed as they are.
func TestAgentLinesThatLookOwnAreMarked(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	seq := int64(0)
	say := func(text string) {
		seq++
		pr.event(wire.Event{Seq: seq, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: text})
	}
	say("Done.\n[perm")
	say("ission] Bash: curl x | sh — allowed\n")
	say("invite code: concordia://evil\n  » Bash: ls\n")
	say("[docs](https://example.com) and [permission] mid-line\n[")
	say("x] a checkbox\n")
	say("  [error] indented\n[perm")
	// An event that prints nothing leaves the line open: the next delta is looked at with
	// what was held (a reviewer's came out unmarked).
	seq++
	pr.event(wire.Event{Seq: seq, Kind: wire.KindPhase, Phase: wire.PhaseRunning})
	say("ission] Bash: rm -rf / — allowed\n[approv")
	seq++
	pr.event(wire.Event{Seq: seq, Kind: wire.KindTurn, Turn: &wire.Turn{Status: wire.TurnDone}})
	pr.finish()
	got := out.String()
	for _, want := range []string{
		"Done.\n(agent) [permission] Bash: curl x | sh — allowed\n",
		"(agent) invite code: concordia://evil\n(agent)   » Bash: ls\n",
		"\n[docs](https://example.com) and [permission] mid-line\n[x] a checkbox\n  [error] indented\n(agent) [permission] Bash: rm -rf / — allowed\n[approv\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, agentMark); n != 4 {
		t.Errorf("%d lines marked, want 4:\n%s", n, got)
	}
}

// treeWS records the paths /tree asks for, and refuses each as a party sharing only the
// changes does.
type treeWS struct {
	fakeWS
	asked *[]string
}

func (w treeWS) Tree(_ context.Context, p string) (wire.TreeResult, error) {
	*w.asked = append(*w.asked, p)
	if len(*w.asked) == 2 {
		return wire.TreeResult{}, errors.New("rate limited: too many requests") // no hint for this one
	}
	return wire.TreeResult{}, fmt.Errorf("%w: the host shares the changes, not the whole folder", party.ErrNotShared)
}

// /tree /etc asked for the working directory's "etc": the leading "/" was dropped (a
// tester's). It goes to the host as given, which refuses an absolute path. And the owner,
// the one who can share the folder, is told how.
func TestTreeTakesThePathAsGiven(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	var asked []string
	c.ws = treeWS{asked: &asked}
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSettings, Settings: &wire.Settings{Workspace: wire.WorkspaceChanges}})
	for _, arg := range []string{"/etc", "src/", "/", ""} {
		c.line(context.Background(), strings.TrimSpace("/tree "+arg))
	}
	if want := []string{"/etc", "src", "", ""}; !slices.Equal(asked, want) {
		t.Errorf("/tree asked for %q, want %q", asked, want)
	}
	if n := strings.Count(out.String(), "(/share tree shares it: the whole folder, .env files included)"); n != 3 {
		t.Errorf("the owner is told how to share the folder %d times, want 3 (not after a rate limit):\n%s", n, out.String())
	}
	out.Reset()
	p, _, _, pout := newCommander(wire.RoleParticipant)
	p.ws = treeWS{asked: &asked}
	p.pr.event(wire.Event{Seq: 1, Kind: wire.KindSettings, Settings: &wire.Settings{Workspace: wire.WorkspaceChanges}})
	p.line(context.Background(), "/tree")
	if strings.Contains(pout.String(), "/share tree") {
		t.Errorf("a participant is told to /share tree:\n%s", pout.String())
	}
}

// A request for a tool already always allowed (a Read of .env, which asks each time) is
// not offered /always again, and says why it asks (a tester's).
func TestARequestAlwaysCannotCoverSaysWhy(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}, Party: wire.PartyInfo{Host: "me"},
		State: wire.State{Participants: []wire.Member{{ID: "m1", Name: "me", Role: wire.RoleHost}}}})
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindSettings, Settings: &wire.Settings{Always: []string{"Read"}}})
	out.Reset()
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Read", Summary: ".env", Status: wire.PermissionPending}})
	got := out.String()
	if strings.Contains(got, "/always") || !strings.Contains(got, "/allow or /deny [REASON] (Read is always allowed, but not for a file that usually holds secrets: it asks each time)") {
		t.Fatalf("the hint for a Read of .env with Read always allowed:\n%s", got)
	}
	// Write always allowed, and a git hook's Write asks (a tester took the "always" to cover it).
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Read", Summary: ".env", Status: wire.PermissionDenied, By: "me"}})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindSettings, Settings: &wire.Settings{Always: []string{"Read", "Write"}}})
	out.Reset()
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Write", Summary: ".git/hooks/pre-commit", Status: wire.PermissionPending}})
	if got := out.String(); !strings.Contains(got, "(Write is always allowed, but not for files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets: it asks each time)") {
		t.Fatalf("the hint for a hook's Write with Write always allowed:\n%s", got)
	}
	// A request an always would not cover says so (the party's uncovered): none offered.
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Write", Summary: ".git/hooks/pre-commit", Status: wire.PermissionDenied, By: "me"}})
	c.pr.event(wire.Event{Seq: 7, Kind: wire.KindSettings, Settings: &wire.Settings{Always: []string{"Read"}}})
	out.Reset()
	c.pr.event(wire.Event{Seq: 8, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t5", Tool: "Bash", Summary: "cat .env", Status: wire.PermissionPending, Uncovered: true}})
	if got := out.String(); strings.Contains(got, "/always") || !strings.Contains(got, "/allow or /deny [REASON] (an always for Bash would not cover this one: a command that names a file that usually holds secrets asks each time)") {
		t.Fatalf("the hint for a request an always would not cover:\n%s", got)
	}
	c.pr.event(wire.Event{Seq: 9, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t5", Tool: "Bash", Summary: "cat .env", Status: wire.PermissionDenied, By: "me"}})
	// In edits mode an edit that asks is one an "always" would not cover: none offered (a reviewer's).
	c.pr.event(wire.Event{Seq: 10, Kind: wire.KindSettings, Settings: &wire.Settings{PermissionMode: wire.PermissionEdits, Always: []string{"Read"}}})
	out.Reset()
	c.pr.event(wire.Event{Seq: 11, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Edit", Summary: "CLAUDE.md", Status: wire.PermissionPending}})
	if got := out.String(); strings.Contains(got, "/always") || !strings.Contains(got, "/allow or /deny [REASON] (edits mode allows the folder's files; files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets ask each time)") {
		t.Fatalf("the hint for an edit that asks in edits mode:\n%s", got)
	}
}

// Neither --help said how to see what changed in the working directory, nor, to the host,
// that its own edits by hand are shared too (a tester's).
func TestHelpSaysHowToSeeTheChanges(t *testing.T) {
	for _, cmd := range []string{"host", "join"} {
		var out, errb bytes.Buffer
		Main(context.Background(), []string{cmd, "--help"}, IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
		help := strings.Join(strings.Fields(out.String()), " ")
		if !strings.Contains(help, "/changes") || !strings.Contains(help, "/diff PATH") {
			t.Errorf("%s --help says nothing of /changes and /diff:\n%s", cmd, out.String())
		}
		if cmd == "host" && !strings.Contains(help, "yours by hand as much as the agent's") {
			t.Errorf("host --help does not say the host's own edits are shared:\n%s", out.String())
		}
	}
}

// A turn's summary tells the requests that timed out from those a host denied: a tester's
// read "2 tool requests denied" of one timed out and one denied by /stop.
func TestTurnSummaryTellsTimedOutFromDenied(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "carol", Role: wire.RoleParticipant}})
	for i, pm := range []wire.Permission{
		{ID: "t1", Tool: "Bash", Summary: "make", Batch: "b1", Status: wire.PermissionPending},
		{ID: "t1", Tool: "Bash", Summary: "make", Batch: "b1", Status: wire.PermissionTimedOut, Reason: "no decision within 45s"},
		{ID: "t2", Tool: "Bash", Summary: "rm x", Batch: "b1", Status: wire.PermissionPending},
		{ID: "t2", Tool: "Bash", Summary: "rm x", Batch: "b1", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"},
	} {
		p.event(wire.Event{Seq: int64(i + 1), Kind: wire.KindPermission, Permission: &pm})
	}
	p.event(wire.Event{Seq: 5, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, DurationMS: 52000, Error: "stopped by hostie", Denied: 2}})
	// The one the stop left undecided was cancelled, not denied: nobody refused it (a user
	// tester's), and its own line says so.
	if !strings.Contains(b.String(), "(stopped by hostie; 1 tool request timed out, 1 cancelled)") || !strings.Contains(b.String(), "cancelled Bash: rm x: the turn ended before a decision") {
		t.Fatalf("the turn's summary:\n%s", b.String())
	}
	for _, c := range []struct {
		denied, timedOut int
		want             string
	}{{0, 0, ""}, {2, 0, "; 2 tool requests denied"}, {1, 1, "; 1 tool request timed out"}, {3, 1, "; 1 tool request timed out, 2 denied"}, {1, 4, "; 1 tool request timed out"}} {
		if got := deniedWords(c.denied, transcript.Requests{TimedOut: c.timedOut}); got != c.want {
			t.Errorf("deniedWords(%d, %d) = %q, want %q", c.denied, c.timedOut, got, c.want)
		}
	}
}

// Cancelled requests are told apart from denied ones by the rule, whoever cancelled them:
// the turn's end (counted in the turn's denied), claude stopping, the host stopping;
// plan mode's own denial names nobody either, and stays a denial.
func TestTurnSummaryTellsCancelledFromDenied(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "carol", Role: wire.RoleParticipant}})
	for i, pm := range []wire.Permission{
		{ID: "t1", Tool: "Bash", Summary: "make", Batch: "b1", Status: wire.PermissionDenied, By: "hana", Reason: "not now"},
		{ID: "t2", Tool: "Write", Summary: "x.go", Batch: "b1", Status: wire.PermissionDenied, Reason: "plan mode: nothing is changed"},
		{ID: "t3", Tool: "Bash", Summary: "ls", Batch: "b1", Status: wire.PermissionDenied, Reason: "claude stopped before anyone decided"}, // not counted by the host
		{ID: "t4", Tool: "Bash", Summary: "rm x", Batch: "b1", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"},
	} {
		p.event(wire.Event{Seq: int64(i + 1), Kind: wire.KindPermission, Permission: &pm})
	}
	p.event(wire.Event{Seq: 5, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, DurationMS: 52000, Error: "stopped by hana", Denied: 3}})
	out := b.String()
	for _, want := range []string{"(stopped by hana; 2 tool requests denied, 2 cancelled)", "denied Write: x.go: plan mode: nothing is changed", "cancelled Bash: ls: claude stopped before anyone decided", "hana denied Bash: make: not now"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	// A finished turn whose only unallowed request was cancelled is no refusal.
	b.Reset()
	pm := wire.Permission{ID: "t9", Tool: "Bash", Summary: "ls", Batch: "b2", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"}
	p.event(wire.Event{Seq: 6, Kind: wire.KindPermission, Permission: &pm})
	p.event(wire.Event{Seq: 7, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnDone, DurationMS: 2000, Denied: 1}})
	if out := b.String(); !strings.Contains(out, "claude finished (2s); 1 tool request cancelled") || strings.Contains(out, "not everything") {
		t.Errorf("a finished turn with a cancel:\n%s", out)
	}
}

// A list of changes names what changed since the last one first: while a command wrote a
// file a second, every line named the same first three files (a tester's).
func TestChangesLineNamesWhatIsNewFirst(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "carol", Role: wire.RoleParticipant}})
	old := []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}, {Path: "b.go", Status: "modified", Additions: 1}, {Path: "c.go", Status: "modified", Additions: 1}}
	p.event(wire.Event{Seq: 1, Kind: wire.KindChanges, Files: old})
	b.Reset()
	p.event(wire.Event{Seq: 2, Kind: wire.KindChanges, Files: append(slices.Clone(old), wire.FileChange{Path: "live4.txt", Status: "added", Additions: 1})})
	if got := b.String(); !strings.Contains(got, "4 files changed since the party began (live4.txt, a.go, b.go, …)") {
		t.Fatalf("the second list:\n%s", got)
	}
}

// A participant's /help told of the owner's and a co-host's /quit, of a host's flag for
// /tree, and that Ctrl-C ends the party (a tester's): it says what they do for them.
func TestHelpForAParticipantSaysWhatItDoesForThem(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.editor = true
	c.line(context.Background(), "/help")
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"leave the party (the same invite and name bring you back)", "(when the host shares the whole folder)"} {
		if !strings.Contains(got, want) {
			t.Errorf("a participant's /help lacks %q:\n%s", want, out.String())
		}
	}
	for _, not := range []string{"the owner's", "--share-workspace", "ends the party"} {
		if strings.Contains(got, not) {
			t.Errorf("a participant's /help says %q:\n%s", not, out.String())
		}
	}
	h, _, _, hout := newCommander(wire.RoleHost)
	h.editor, h.endsParty = true, true
	h.line(context.Background(), "/help")
	if got := strings.Join(strings.Fields(hout.String()), " "); !strings.Contains(got, "the owner's, in the host's own terminal, ends the party") || !strings.Contains(got, "here it ends the party for everyone") {
		t.Errorf("the host's /help:\n%s", hout.String())
	}
}

// A window tester's co-host answered the first of two waiting requests an instant before
// the host's answer for it, which then went to the second, an rm -rf nobody had read. In
// the terminal a decision typed just after someone else decided the oldest request is said
// back, with what it would now answer, and taken the second time; one's own quick second
// answer, and a script's, are taken at once.
func TestDecideJustAfterSomeoneElseAsksFirst(t *testing.T) {
	c, ctl, _, out := newCommander(wire.RoleHost)
	c.editor = true
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch par-one.txt", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Bash", Summary: "rm -rf par-two-dir", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Read", Summary: "a.txt", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 4, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionAllowed, By: "bob"}})
	// A later request decided meanwhile does not let the next answer through (a reviewer's).
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t3", Tool: "Read", Status: wire.PermissionDenied, By: "carol"}})
	c.line(context.Background(), "/allow")
	if len(ctl.calls) != 0 || !strings.Contains(out.String(), "bob already allowed Bash, a moment ago; the oldest waiting now is Bash: rm -rf par-two-dir — /allow again to answer it") {
		t.Fatalf("calls %q, output %q", ctl.calls, out.String())
	}
	c.line(context.Background(), "/allow")
	if !slices.Equal(ctl.calls, []string{"decide t2 allow "}) {
		t.Fatalf("the second /allow: calls %q, want t2 allowed", ctl.calls)
	}
	// A reason typed with it is said back with it, not dropped.
	c.pr.event(wire.Event{Seq: 6, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Bash", Status: wire.PermissionAllowed, By: "me"}})
	c.pr.event(wire.Event{Seq: 7, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t4", Tool: "Bash", Summary: "make", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 8, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t5", Tool: "Bash", Summary: "make install", Status: wire.PermissionPending}})
	c.pr.event(wire.Event{Seq: 9, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t4", Tool: "Bash", Status: wire.PermissionTimedOut}})
	out.Reset()
	c.line(context.Background(), "/deny not on this machine")
	if want := "Bash was already denied: no host decided in time, a moment ago; the oldest waiting now is Bash: make install — /deny not on this machine again to answer it"; !strings.Contains(out.String(), want) {
		t.Fatalf("output %q lacks %q", out.String(), want)
	}

	// One's own decision just before, and a script's (no line editor): the next is answered
	// at once.
	for _, tc := range []struct {
		editor        bool
		by, line, out string
	}{{true, "me", "/deny", "decide t2 deny "}, {false, "bob", "/allow", "decide t2 allow "}} {
		c, ctl, _, _ := newCommander(wire.RoleHost)
		c.editor = tc.editor
		c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending}})
		c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Bash", Status: wire.PermissionPending}})
		c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionAllowed, By: tc.by}})
		c.line(context.Background(), tc.line)
		if !slices.Equal(ctl.calls, []string{tc.out}) {
			t.Fatalf("editor %v, t1 decided by %s: calls %q, want %q at once", tc.editor, tc.by, ctl.calls, tc.out)
		}
	}
}

// A tester's tab-indented line of code in a reply ran past 120 columns, and the terminal cut
// it mid-word ("…normal transcr" / "ipt"): a tab was counted as one column. It is now the
// spaces the terminal shows, and no line is wider than the screen.
func TestFitLinesCountsTabs(t *testing.T) {
	line := "\t\t\tif wrapped { return a normal transcript column to see wrapping at the edge } // and more words"
	for _, l := range strings.Split(fitLines(line, 60), "\n") {
		if strings.Contains(l, "\t") || ansi.StringWidth(l) > 59 {
			t.Fatalf("a line %d columns wide (or with a tab): %q", ansi.StringWidth(l), l)
		}
	}
	if got := fitLines(line, 60); !strings.HasPrefix(got, strings.Repeat(" ", 24)+"if wrapped") || !strings.Contains(got, "transcript") {
		t.Fatalf("the tabs are not 24 columns, or a word was cut: %q", got)
	}
}

// A journal that gave up catching up is not said to catch up once there is room (a
// tester's host said so minutes after it had given up).
func TestHostQuitWhenTheJournalGaveUp(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.endsParty, c.editor = true, true
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindError, Text: party.JournalFailedText(errors.New("write journal: no space left on device"))})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindError, Text: party.JournalGaveUpText(fmt.Errorf("%w: more than 64 MiB to write", journal.ErrGaveUp))})
	if c.line(context.Background(), "/quit") {
		t.Fatal("a /quit with the journal given up ended at once")
	}
	warned := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "[system] the party's journal gave up catching up: stopped now") {
			warned = l
		}
	}
	if want := "what happened since it fell behind is lost from its history"; !strings.Contains(warned, want) || strings.Contains(warned, "catches up") {
		t.Fatalf("output %q: want a warning with %q, and no promise to catch up", out.String(), want)
	}
}

// A chaos tester's host was stopped while its journal could not be written (a full disk),
// and the party could never be resumed, even once there was room again. The host's /quit
// and Ctrl-C then say so first, with what to do; once the journal caught up, they end at
// once again.
func TestHostQuitWhileTheJournalIsBehindAsksFirst(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleHost)
	c.endsParty, c.editor = true, true
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindError, Text: party.JournalFailedText(errors.New("write journal: no space left on device"))})
	if c.line(context.Background(), "/quit") {
		t.Fatal("a /quit with the journal behind ended at once")
	}
	if want := "the party's journal is behind (is the disk full?): stopped now, what happened since is lost from its history, and it cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do); make room and it catches up within seconds: /quit again within 10 seconds ends the party for everyone"; !strings.Contains(out.String(), want) {
		t.Fatalf("output %q lacks %q", out.String(), want)
	}
	now = now.Add(quitAgain + time.Second)
	out.Reset()
	if c.line(context.Background(), interruptLine) {
		t.Fatal("a Ctrl-C with the journal behind ended at once")
	}
	if !strings.Contains(out.String(), "the party's journal is behind (is the disk full?)") {
		t.Fatalf("Ctrl-C said %q", out.String())
	}
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: party.JournalRecoveredText})
	now = now.Add(quitAgain + time.Second)
	if !c.line(context.Background(), "/quit") {
		t.Fatal("a /quit once the journal caught up did not end at once")
	}
}

// The agent's unfinished line is wrapped with its tabs as the columns they take, as its
// finished lines are (TestFitLinesCountsTabs): Hardwrap counts a tab as none.
func TestTheUnfinishedLineCountsTabs(t *testing.T) {
	e := newEditor(false, make(chan string, 1))
	e.width = 40
	e.Update(partialMsg("\t\t\tfunc main() { println(\"a line long enough\") }"))
	for _, l := range strings.Split(e.View(), "\n") {
		if strings.Contains(l, "\t") || ansi.StringWidth(l) > 40 {
			t.Fatalf("a line %d columns wide (or with a tab): %q", ansi.StringWidth(l), l)
		}
	}
}

// The last host here leaving is told what waits for a host's decision: a tester's co-host
// left at once, and the tool requests waited out their time. Not while another host is
// here.
func TestLastHostLeavingIsToldWhatWaits(t *testing.T) {
	now := time.Unix(1000, 0)
	c, _, _, out := newCommander(wire.RoleHost)
	c.endsParty, c.editor = false, true // a co-host's terminal (joined), at the line editor
	c.now = func() time.Time { return now }
	me := wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}
	c.pr.hello(wire.HelloResult{You: me, Party: wire.PartyInfo{Host: "hana", PermissionMode: wire.PermissionAsk},
		State: wire.State{Participants: []wire.Member{me, {ID: "m2", Name: "bob", Role: wire.RoleParticipant}}}})
	for i, id := range []string{"t1", "t2"} {
		c.pr.event(wire.Event{Seq: int64(i + 1), Kind: wire.KindPermission, Permission: &wire.Permission{ID: id, Tool: "Bash", Summary: "touch " + id, Batch: "b1", Status: wire.PermissionPending}})
	}
	if c.line(context.Background(), "/quit") {
		t.Fatal("the last host's /quit with requests waiting left at once")
	}
	if want := "2 tool requests wait for a host's decision, and no other host is here: if you leave, they are denied when their time runs out. /quit again within 10 seconds leaves"; !strings.Contains(out.String(), want) {
		t.Fatalf("output %q lacks %q", out.String(), want)
	}
	now = now.Add(time.Second)
	if !c.line(context.Background(), "/quit") {
		t.Fatal("the second /quit did not leave")
	}
	// Nothing waits: still the last host, and told so (a user tester's co-host left a party
	// hosted with --no-local-repl with no word of it).
	now = now.Add(time.Minute)
	for i, id := range []string{"t1", "t2"} {
		c.pr.event(wire.Event{Seq: int64(i + 3), Kind: wire.KindPermission, Permission: &wire.Permission{ID: id, Tool: "Bash", Summary: "touch " + id, Batch: "b1", Status: wire.PermissionDenied, Reason: "no decision within 2m0s"}})
	}
	out.Reset()
	if c.line(context.Background(), "/quit") {
		t.Fatal("the last host's /quit with nothing waiting left at once")
	}
	if want := "you are the last host here: until another comes back, nobody can stop a turn or decide a tool request (each is denied when its time runs out). /quit again within 10 seconds leaves"; !strings.Contains(out.String(), want) {
		t.Fatalf("output %q lacks %q", out.String(), want)
	}
	// Another host here: it leaves at once.
	now = now.Add(time.Minute)
	c.pr.event(wire.Event{Seq: 5, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m3", Name: "hana", Role: wire.RoleHost}})
	if !c.line(context.Background(), "/quit") {
		t.Fatalf("with another host here, /quit did not leave at once: %q", out.String())
	}
}

// The removed member's own terminal: its prompt goes with "you", not with its name (a
// user tester read "kai's prompt goes with them" of himself).
func TestRemovedMembersOwnPromptGoesWithThem(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	me := wire.Member{ID: "m3", Name: "carol", Role: wire.RoleParticipant}
	pr.hello(wire.HelloResult{You: me})
	pr.event(wire.Event{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "carol", Member: "m3", Text: "carol p1"}})
	pr.event(wire.Event{Seq: 2, Kind: wire.KindSystem, Text: "alice removed carol from the party (carol's waiting prompt is withdrawn)"})
	pr.event(wire.Event{Seq: 3, Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "carol", By: "alice"}})
	// Said with the removal, once (a tester's read it in a line of its own after it).
	if want := "[system] alice removed you from the party; your waiting prompt goes with you, not sent:\n    carol p1\n"; !strings.HasSuffix(out.String(), want) || strings.Contains(out.String(), "carol's") {
		t.Fatalf("output %q lacks %q", out.String(), want)
	}
}

// A line typed right after a prompt runs once the prompt's event is in: the host answers
// after sending it, but the event reaches the roster on another goroutine, and a tester's
// /withdraw typed at once found nothing to take back (the prompt was sent), and a /quit
// left unwarned.
func TestALineAfterAPromptSeesIt(t *testing.T) {
	for _, next := range []string{"/withdraw", "/quit"} {
		t.Run(next, func(t *testing.T) {
			c, _, _, out := newCommander(wire.RoleParticipant)
			c.editor = true // the line editor's /quit warns of prompts waiting
			var withdrawn []string
			c.withdraw = func(_ context.Context, id string) error { withdrawn = append(withdrawn, id); return nil }
			late := make(chan struct{})
			c.prompt = func(_ context.Context, text string) (wire.PromptResult, error) {
				go func() { // the event, delivered after the answer
					defer close(late)
					time.Sleep(50 * time.Millisecond)
					c.pr.event(wire.Event{Seq: 5, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p5", User: "me", Member: "m1", Text: text}})
				}()
				return wire.PromptResult{ID: "p5", Seq: 5}, nil
			}
			c.line(context.Background(), "mine to withdraw")
			quit := c.line(context.Background(), next)
			<-late
			switch next {
			case "/withdraw":
				if !slices.Equal(withdrawn, []string{"p5"}) {
					t.Errorf("withdrew %v, want p5; said %q", withdrawn, out.String())
				}
			case "/quit":
				if quit || !strings.Contains(out.String(), "your prompt still waits") {
					t.Errorf("quit %v at once, said %q", quit, out.String())
				}
			}
		})
	}
}

// The host's /quit warning agrees in number: "a prompt waits … (the waiting prompt is not
// sent …)", not "… the waiting prompts are not sent" of one (a tester's).
func TestHostQuitSaysTheWaitingPromptsInNumber(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prompts int
		want    string
	}{
		{"one", 1, "a prompt waits: /quit again within 10 seconds ends the party for everyone (the waiting prompt is not sent; concordia host --resume queues it again)"},
		{"two", 2, "2 prompts wait: /quit again within 10 seconds ends the party for everyone (the waiting prompts are not sent; concordia host --resume queues them again)"},
	} {
		c, _, _, out := newCommander(wire.RoleHost)
		c.endsParty = true
		for i := range tc.prompts {
			c.pr.event(wire.Event{Seq: int64(40 + i), Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: fmt.Sprintf("p%d", i), User: "Bob", Member: "m2", Text: "one"}})
		}
		out.Reset()
		if c.line(context.Background(), "/quit") || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: said %q, want %q", tc.name, out.String(), tc.want)
		}
	}
}

// A batch's prompts are named by their authors' possessives: "sending the 2 prompts of you
// and carol to claude as bob edited it" read badly (a tester's).
func TestPromptsOfSaysWhose(t *testing.T) {
	r := newRoster()
	r.you = wire.Member{ID: "m1", Name: "me"}
	for _, tc := range []struct {
		w    batchWho
		want string
	}{
		{batchWho{authors: []string{"carol"}, prompts: 1}, "carol's prompt"},
		{batchWho{authors: []string{"me"}, prompts: 1, mine: 1}, "your prompt"},
		{batchWho{authors: []string{"carol"}, prompts: 2}, "carol's 2 prompts"},
		{batchWho{authors: []string{"me", "carol"}, prompts: 2, mine: 1}, "2 prompts (yours and carol's)"},
		{batchWho{authors: []string{"alice", "bob", "me"}, prompts: 3, mine: 1}, "3 prompts (alice's, bob's and yours)"},
		{batchWho{authors: []string{"me"}, prompts: 2, mine: 2}, "your 2 prompts"},
	} {
		if got := r.promptsOf(tc.w); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.w, got, tc.want)
		}
	}
}

// TestATypedPromptWaitsOutOnlyABurst: the line editor tried again for two minutes any
// prompt refused as rate limited, and the lines typed after it waited: a full queue waits
// for a batch, which may wait for the host's /send or /allow typed next (a reviewer's). Only
// a burst is waited out; and Ctrl-C or Ctrl-D (waitsOf) stops that wait at once.
func TestATypedPromptWaitsOutOnlyABurst(t *testing.T) {
	defer func(p time.Duration) { scriptPace = p }(scriptPace)
	scriptPace = 10 * time.Millisecond
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.editor = true
	tries := 0
	full := &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: 200 prompts are already waiting"}
	c.prompt = func(context.Context, string) (wire.PromptResult, error) { tries++; return wire.PromptResult{}, full }
	var given []string
	c.pr.setInputSink(func(text string) { given = append(given, text) })
	c.line(context.Background(), "queue full")
	if tries != 1 || !slices.Equal(given, []string{"queue full"}) {
		t.Errorf("refused with the queue full: tried %d times, given back %q", tries, given)
	}

	burst := &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: at most 10 " + party.BurstWords + ", then one per 1s"}
	c.prompt = func(context.Context, string) (wire.PromptResult, error) { tries++; return wire.PromptResult{}, burst }
	ctx := context.Background()
	waits, stop := context.WithCancelCause(ctx)
	time.AfterFunc(50*time.Millisecond, func() { stop(pressed("Ctrl-C")) })
	tries, given = 0, nil
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.line(withWaits(ctx, waits), "burst")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not stop the wait")
	}
	if tries < 2 || !slices.Equal(given, []string{"burst"}) || !strings.Contains(out.String(), `prompt not sent ("burst"): Ctrl-C was pressed while it waited its turn`) {
		t.Errorf("a burst stopped by Ctrl-C: tried %d times, given back %q, said %q", tries, given, out.String())
	}
}
