package party

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// stampRunner is an agent that notes when a turn's text reached it: the party's side of
// "from a batch being cut to its text on the agent's stdin" (the agent's own write to
// claude's stdin is agent.BenchmarkBatchToStdinFake).
type stampRunner struct {
	got chan time.Time
}

func (r *stampRunner) RunTurn(_ context.Context, prompt string, _ TurnIO) (TurnResult, error) {
	r.got <- time.Now()
	return TurnResult{}, nil
}

func (r *stampRunner) Restart(context.Context) error { return nil }

// BenchmarkBatchToRunner times one batch from its cut (on the party's loop) through the
// local merge, the batch event and the turn's start to the runner holding the merged
// text. The prompts are queued with the timer stopped; a window of an hour keeps the
// pipeline from cutting on its own.
func BenchmarkBatchToRunner(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("prompts=%d", n), func(b *testing.B) {
			r := &stampRunner{got: make(chan time.Time, 1)}
			p := New(Config{Token: token, Runner: r, Window: time.Hour, PromptBurst: 1 << 30, PromptEvery: time.Nanosecond, PromptBytes: -1, PartyPromptBytes: -1})
			ctx, cancel := context.WithCancel(context.Background())
			go p.Run(ctx)
			defer func() { cancel(); <-p.Done() }()
			col := newCollector()
			res, err := p.Join(JoinRequest{Name: "alice", Token: token, Sub: col, Conn: col})
			if err != nil {
				b.Fatal(err)
			}
			texts := benchPrompts(n)
			var total time.Duration
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				for _, text := range texts {
					if _, err := p.Prompt(res.You.ID, text); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				var cut time.Time
				if err := p.do(func() { cut = time.Now(); p.cutBatch() }); err != nil {
					b.Fatal(err)
				}
				got := <-r.got
				b.StopTimer()
				total += got.Sub(cut)
				// Wait for the turn to end before the next batch.
				for {
					var busy bool
					_ = p.do(func() { busy = p.busy })
					if !busy {
						break
					}
					time.Sleep(50 * time.Microsecond)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs-cut-to-runner")
		})
	}
}

// benchPrompts are n distinct prompts of a typical length.
func benchPrompts(n int) []string {
	topics := []string{"the parser", "the login form", "the CSV export", "the cache", "the retry loop",
		"the settings page", "the build script", "the README", "the flaky test", "the error messages"}
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("Please look at %s (%d): make it handle empty input and add a test that shows it.", topics[i%len(topics)], i)
	}
	return texts
}

// BenchmarkHelloHistory times a participant joining a party whose log holds 10,000
// events, over a real loopback WebSocket: dial, Party.hello with since 0, and the whole
// reply (every event) read — "host" stops there (the host's work and the transfer),
// "decoded" also decodes the reply into wire.HelloResult as a client does.
func BenchmarkHelloHistory(b *testing.B) {
	const history = 10000
	p := New(Config{Token: token, Runner: &fakeRunner{}, MaxParticipants: 1000})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, ServerOptions{})
	ts := httptest.NewServer(srv)
	defer func() {
		srv.Close(context.Background())
		ts.Close()
		cancel()
		<-p.Done()
	}()
	// A transcript's mix: mostly streamed output, some prompts and notices.
	line := strings.Repeat("The agent explains what it changed and why, one sentence at a time. ", 3)
	if err := p.do(func() {
		for i := range history {
			switch i % 10 {
			case 0:
				pr := wire.Prompt{ID: p.newID("p"), User: "alice", Text: "fix the flaky test, please"}
				p.emit(wire.Event{Kind: wire.KindPrompt, Prompt: &pr})
			case 1:
				p.emit(wire.Event{Kind: wire.KindSystem, Text: "merging 2 prompts"})
			default:
				p.emit(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: line})
			}
		}
	}); err != nil {
		b.Fatal(err)
	}
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + wire.RPCPath
	hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
		"params": wire.HelloParams{Name: "late", Token: token}})
	for _, decode := range []bool{false, true} {
		name := "host"
		if decode {
			name = "decoded"
		}
		b.Run(name, func(b *testing.B) {
			var replyBytes int
			b.ReportAllocs()
			for b.Loop() {
				ws, _, err := websocket.DefaultDialer.Dial(url, nil)
				if err != nil {
					b.Fatal(err)
				}
				ws.SetReadLimit(wire.MaxHostMessage)
				if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
					b.Fatal(err)
				}
				_, data, err := ws.ReadMessage()
				if err != nil {
					b.Fatal(err)
				}
				replyBytes = len(data)
				if decode {
					var reply struct {
						Result wire.HelloResult `json:"result"`
					}
					if err := json.Unmarshal(data, &reply); err != nil {
						b.Fatal(err)
					}
					if n := len(reply.Result.State.Events); n < history || reply.Result.State.Truncated {
						b.Fatalf("the hello carried %d events (truncated %v), want all %d", n, reply.Result.State.Truncated, history)
					}
				} else if replyBytes < history*100 {
					b.Fatalf("the hello reply is %d bytes: not the whole history", replyBytes)
				}
				ws.Close()
			}
			b.ReportMetric(float64(replyBytes), "reply-bytes")
		})
	}
}

// outRunner is an agent whose one turn hands its TurnIO to the benchmark and lasts until
// the benchmark is done with it.
type outRunner struct {
	io   chan TurnIO
	done chan struct{}
}

func (r *outRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	r.io <- io
	select {
	case <-r.done:
	case <-ctx.Done():
	}
	return TurnResult{}, nil
}

func (r *outRunner) Restart(context.Context) error { return nil }

// BenchmarkOutputDelta times the party's fixed cost of one streamed delta, whatever the
// party's size: the agent's write (TurnIO.Out), the hop to the party loop (or the inline
// path), the event's seq, encoding, journal line and place in the memory window, and its
// delivery to the host's own local member, whose reader has it when an op ends.
// Connections add their own cost per participant on top (one frame each, see the fan-out
// benchmark in docs/PERFORMANCE.md).
func BenchmarkOutputDelta(b *testing.B) {
	r := &outRunner{io: make(chan TurnIO), done: make(chan struct{})}
	// With a journal, as `concordia host` runs: the memory window stays bounded.
	j, err := journal.Create(b.TempDir(), journal.Header{Party: "bench", Host: "h", Created: time.Now(), Token: token})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	p := New(Config{ID: "bench", Token: token, Runner: r, Window: time.Millisecond, Journal: j})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	defer func() { close(r.done); cancel(); <-p.Done() }()
	l, _, err := p.JoinLocal("host", wire.RoleHost)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Leave()
	if _, err := l.Prompt("stream"); err != nil {
		b.Fatal(err)
	}
	io := <-r.io
	delta := strings.Repeat("x", 32)
	next := func() wire.Event {
		for ev := range l.Events() {
			if ev.Kind == wire.KindOutput {
				return ev
			}
		}
		b.Fatal("the local member's events ended")
		return wire.Event{}
	}
	b.ReportAllocs()
	for b.Loop() {
		io.Out(wire.StreamAssistant, delta)
		if ev := next(); ev.Text != delta {
			b.Fatalf("got %q", ev.Text)
		}
	}
}

// BenchmarkJoinSameName times the party's side of a hello when every member before it
// chose the same name: what the 1,000th "p" costs the loop (name p-1000, its hello reply
// listing everyone, its join event).
func BenchmarkJoinSameName(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p := New(Config{Token: token, Runner: &fakeRunner{}, MaxParticipants: n + 1})
			ctx, cancel := context.WithCancel(context.Background())
			go p.Run(ctx)
			defer func() { cancel(); <-p.Done() }()
			joinAll(b, p, "p", n-1)
			b.ReportAllocs()
			for b.Loop() {
				conn := new(int)
				res, err := p.Join(JoinRequest{Name: "p", Token: token, Sub: discardSub{}, Conn: conn})
				if err != nil {
					b.Fatal(err)
				}
				if want := fmt.Sprintf("p-%d", n); res.You.Name != want {
					b.Fatalf("name %q, want %q", res.You.Name, want)
				}
				p.Leave(res.You.ID, conn)
			}
		})
	}
}
