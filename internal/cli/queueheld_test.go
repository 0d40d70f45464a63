package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// queueFullErr is a host's refusal of a prompt because the prompts waiting fill this
// address's share of the queue: only a batch makes room.
func queueFullErr() error {
	return &rpc.Error{Code: wire.CodeRateLimited,
		Message: "rate limited: 100 prompts from your address are already waiting, at most 100 of the party's 200 places; the next batch makes room",
		Data:    json.RawMessage(`{"limit":"queue"}`)}
}

// TestAScriptsPromptHeldByAFullQueue: a script's prompt refused because the queue is full
// is said to wait for a batch at once (a tester's sat unsaid for two minutes), waits past
// the patience a burst gets (no batch may come for minutes: it was then refused, with "wait
// a few seconds"), and is sent once the host takes it. A party that ends while it waits
// says so, not "this terminal left".
func TestAScriptsPromptHeldByAFullQueue(t *testing.T) {
	fastPace(t) // patience 50 ms, a try every 1 ms
	c, _, _, out := newCommander(wire.RoleParticipant)
	var mu sync.Mutex
	var sent []string
	tries := 0
	c.prompt = func(_ context.Context, text string) (wire.PromptResult, error) {
		mu.Lock()
		defer mu.Unlock()
		if tries++; tries < 3 {
			// The notice is there before the second try.
			if tries == 2 && !strings.Contains(out.String(), `[system] prompts are waiting for the next batch (100 prompts from your address are already waiting`) {
				t.Errorf("not said at once: %q", out.String())
			}
			return wire.PromptResult{}, queueFullErr()
		}
		if tries < 200 { // far past scriptPatience: the batch is minutes away
			time.Sleep(time.Millisecond)
			return wire.PromptResult{}, queueFullErr()
		}
		sent = append(sent, text)
		return wire.PromptResult{}, nil
	}
	c.line(context.Background(), "hold-101")
	got := out.String()
	if len(sent) != 1 || strings.Contains(got, "not sent") || strings.Count(got, "waiting for the next batch") != 1 ||
		!strings.Contains(got, `"hold-101" and the lines after it are sent once a batch has gone to the agent`) {
		t.Fatalf("sent %q after %d tries, said %q", sent, tries, got)
	}

	// The party ends while the next one waits.
	out.Reset()
	c.prompt = func(context.Context, string) (wire.PromptResult, error) { return wire.PromptResult{}, queueFullErr() }
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(20*time.Millisecond, func() { cancel(errPartyOver) })
	c.line(ctx, "hold-102")
	if got := out.String(); !strings.Contains(got, `[error] prompt not sent ("hold-102"): the party ended while it waited its turn`) || strings.Contains(got, "left") {
		t.Errorf("the party ended while it waited: said %q", got)
	}
}

// TestAFullQueuesAdvice: a refusal as rate limited says what to do by its limit: a full
// queue waits for a batch, not "a few seconds" (a tester's, with no batch due for ten
// minutes).
func TestAFullQueuesAdvice(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{`{"limit":"queue"}`, "; send it again once a batch has gone to the agent"},
		{`{"limit":"bytes","retry_after_ms":30000}`, "; wait a minute and send it again"},
		{`{"limit":"burst","retry_after_ms":1000}`, "; wait a few seconds and send it again"},
		{``, "; wait a few seconds and send it again"},
	} {
		e := &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: x"}
		if tc.data != "" {
			e.Data = json.RawMessage(tc.data)
		}
		if got := describe(e); got != "rate limited: x"+tc.want {
			t.Errorf("%s: %q", tc.data, got)
		}
	}
}

// TestLinesLeftInAScriptWhenThePartyEnds: a script's lines still in its pipe when the party
// ends are said not sent (a tester's three lines after a held one were never mentioned);
// blank lines and commands are no prompts.
func TestLinesLeftInAScriptWhenThePartyEnds(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"three", "hold-102\nhold-103\n\n/who\nhold-104\n//etc\n",
			`[error] 3 prompts not sent ("hold-103", "hold-104", "/etc"): the party ended before they were read`},
		{"one", "hold-102\nhold-103\n", `[error] prompt not sent ("hold-103"): the party ended before it was read`},
		{"none", "hold-102\n/quit\n", ""},
		{"many", "hold-102\n" + strings.Repeat("x\n", 8), `[error] 8 prompts not sent ("x", "x", "x", "x", "x" and 3 more): the party ended before they were read`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			pr := newPrinter(&b)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			var handled []string
			repl(ctx, strings.NewReader(tc.in), nil, pr, func(ctx context.Context, line string) bool {
				handled = append(handled, line)
				cancel(errPartyOver) // the party ends while the first line waits
				<-ctx.Done()
				return false
			})
			got := strings.TrimSpace(b.String())
			if len(handled) != 1 || got != tc.want {
				t.Errorf("handled %q, said %q; want %q", handled, got, tc.want)
			}
		})
	}
	// Input that has not ended when the terminal stops reading it: the lines after those
	// read are not sent either, and said so (a reviewer's: they were dropped unsaid).
	t.Run("input still open", func(t *testing.T) {
		r, w := io.Pipe()
		defer w.Close()
		go func() { _, _ = io.WriteString(w, "hold-102\nhold-103\n") }()
		var b bytes.Buffer
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		repl(ctx, r, nil, newPrinter(&b), func(ctx context.Context, line string) bool {
			cancel(errPartyOver)
			<-ctx.Done()
			return false
		})
		want := `[error] prompt not sent ("hold-103"): the party ended before it was read; any later input is not sent either`
		if got := strings.TrimSpace(b.String()); got != want {
			t.Errorf("said %q; want %q", got, want)
		}
	})
	// A terminal that leaves says nothing of them: they were its own to keep.
	var b bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	repl(ctx, strings.NewReader("a\nb\n"), nil, newPrinter(&b), func(context.Context, string) bool { cancel(); return false })
	if b.Len() != 0 {
		t.Errorf("left: said %q", b.String())
	}
}

// TestYoursSaidOnce: the party's notice of the prompts it ended without sending says
// "yours:" once for a run of this member's own (a tester's read "yours: “hold-1”; yours:
// “hold-2”; …"), and when every prompt it counts is this member's, says so, with how many
// more.
func TestYoursSaidOnce(t *testing.T) {
	const closing = ". A host who resumes this party has them queued again (or withdrawn, resuming without them)."
	prompt := func(id, member, user, text string) wire.Event {
		return wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, Member: member, User: user, Text: text}}
	}
	for _, tc := range []struct {
		name   string
		before []wire.Event
		text   string
		want   string
	}{
		{"a run of its own between others'", []wire.Event{prompt("p1", "m4", "bob", "b1"), prompt("p2", "m2", "pat", "a"), prompt("p3", "m2", "pat", "b"), prompt("p4", "m4", "bob", "b2"), prompt("p5", "m2", "pat", "c")},
			"the party ended before 5 prompts reached the agent: bob: “b1”; pat: “a”; pat: “b”; bob: “b2”; pat: “c”" + closing,
			"the party ended before 5 prompts reached the agent: bob: “b1”; yours: “a”; “b”; bob: “b2”; yours: “c”" + closing},
		{"seven, all its own", []wire.Event{prompt("p1", "m2", "pat", "h1"), prompt("p2", "m2", "pat", "h2"), prompt("p3", "m2", "pat", "h3"), prompt("p4", "m2", "pat", "h4"), prompt("p5", "m2", "pat", "h5"), prompt("p6", "m2", "pat", "h6"), prompt("p7", "m2", "pat", "h7")},
			"the party ended before 7 prompts reached the agent: pat: “h1”; pat: “h2”; pat: “h3”; pat: “h4”; pat: “h5”; and 2 more" + closing,
			"your 7 prompts did not reach the agent before the party ended: “h1”; “h2”; “h3”; “h4”; “h5”; and 2 more" + closing},
		{"seven, the last another's", []wire.Event{prompt("p1", "m2", "pat", "h1"), prompt("p2", "m2", "pat", "h2"), prompt("p3", "m2", "pat", "h3"), prompt("p4", "m2", "pat", "h4"), prompt("p5", "m2", "pat", "h5"), prompt("p6", "m2", "pat", "h6"), prompt("p7", "m4", "bob", "b")},
			"the party ended before 7 prompts reached the agent: pat: “h1”; pat: “h2”; pat: “h3”; pat: “h4”; pat: “h5”; and 2 more" + closing,
			"the party ended before 7 prompts reached the agent: yours: “h1”; “h2”; “h3”; “h4”; “h5”; and 2 more" + closing},
	} {
		var b bytes.Buffer
		p := newPrinter(&b)
		p.hello(wire.HelloResult{You: wire.Member{ID: "m2", Name: "pat", Role: wire.RoleParticipant}})
		for _, ev := range tc.before {
			p.event(ev)
		}
		b.Reset()
		p.event(wire.Event{Kind: wire.KindSystem, Text: tc.text})
		if got, want := b.String(), "[system] "+tc.want+"\n"; got != want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, want)
		}
	}
}

// TestAFullQueueIsTriedLessOften: a script's prompt held by a full queue is tried again
// at scriptQueuePace, not at a burst's pace: each try spends one of the member's prompts,
// and a try a second used its allowance up while it waited (a reviewer's).
func TestAFullQueueIsTriedLessOften(t *testing.T) {
	fastPace(t)
	scriptQueuePace = 40 * time.Millisecond // a burst's try is every 1 ms
	c, _, _, _ := newCommander(wire.RoleParticipant)
	var mu sync.Mutex
	tries := 0
	start := time.Now()
	c.prompt = func(context.Context, string) (wire.PromptResult, error) {
		mu.Lock()
		defer mu.Unlock()
		tries++
		if time.Since(start) < 200*time.Millisecond {
			return wire.PromptResult{}, queueFullErr()
		}
		return wire.PromptResult{}, nil
	}
	c.line(context.Background(), "hold-1")
	mu.Lock()
	defer mu.Unlock()
	if tries > 8 { // 200 ms at 40 ms: 6 or so
		t.Errorf("tried %d times in 200 ms while the queue was full", tries)
	}
}
