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

	"github.com/concordia-party/concordia/internal/wire"
)

func serveParty(t *testing.T, opts ServerOptions) (*Party, string) {
	t.Helper()
	p := New(Config{Token: token, Runner: &fakeRunner{}, Window: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close(context.Background())
		ts.Close()
		cancel()
		<-p.Done()
	})
	return p, "ws" + strings.TrimPrefix(ts.URL, "http")
}

func TestHelloTimeoutClosesWith1008(t *testing.T) {
	_, url := serveParty(t, ServerOptions{HelloTimeout: 100 * time.Millisecond})
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = ws.ReadMessage()
	ce, ok := err.(*websocket.CloseError)
	if !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("want close 1008, got %v", err)
	}
}

func TestSlowReaderDoesNotStallTheParty(t *testing.T) {
	p, url := serveParty(t, ServerOptions{SendQueue: 8})
	// A participant that says hello and then never reads.
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
		"params": wire.HelloParams{Name: "sloth", Token: token}})
	ws.WriteMessage(websocket.TextMessage, hello)

	l, _, err := p.JoinLocal("host", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Leave()
	// Far more events than the slow peer's queue holds, each big enough to fill socket
	// buffers; the party must keep going.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 300; i++ {
			p.Notice(wire.KindSystem, strings.Repeat("n", 16<<10))
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the party stalled behind a slow participant")
	}
	// The slow participant was dropped: it leaves the list once its connection is closed,
	// which waits at most the peer's write deadline (10 s) for the stuck write.
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		st, _ := p.State(0)
		if len(st.Participants) == 1 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the slow participant was never dropped")
}

// hello dials url and says hello with tok; it returns the error code (0 = joined).
func helloCode(t *testing.T, url, tok string) int {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
		"params": wire.HelloParams{Name: "guess", Token: tok}})
	if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("hello reply: %v", err)
	}
	var reply struct {
		Error *struct{ Code int } `json:"error"`
	}
	_ = json.Unmarshal(data, &reply)
	if reply.Error != nil {
		return reply.Error.Code
	}
	return 0
}

// Guessing tokens is slowed per address after a burst; the right token still joins while
// the guesses wait.
func TestWrongTokensThrottled(t *testing.T) {
	_, url := serveParty(t, ServerOptions{RefusalBurst: 5, RefusalRate: 10})
	const guesses = 20 // 5 at once, then 15 at 10 a second: at least 1.4 s in all
	start := time.Now()
	results := make(chan int, guesses)
	for i := 0; i < guesses; i++ {
		go func() { results <- helloCode(t, url, "wrong-token-wrong-token-wrong") }()
	}
	// Wait until the burst is spent, then the right token must not queue behind the rest.
	for i := 0; i < 5; i++ {
		if c := <-results; c != wire.CodeUnauthorized {
			t.Fatalf("guess: code %d", c)
		}
	}
	if c := helloCode(t, url, token); c != 0 {
		t.Fatalf("the right token was refused: %d", c)
	}
	rightDone := len(results) // guesses answered by the time the right token joined
	for i := 5; i < guesses; i++ {
		if c := <-results; c != wire.CodeUnauthorized {
			t.Fatalf("guess: code %d", c)
		}
	}
	if el := time.Since(start); el < 1400*time.Millisecond {
		t.Fatalf("%d wrong tokens refused in %s: not throttled", guesses, el)
	}
	if rightDone == guesses-5 {
		t.Fatal("the right token joined only after every guess was answered")
	}
}

// A member pipelining Party.getState {since: 0} without reading the replies: the host
// answers with -32003 once about one replay waits unsent on the connection, instead of
// queueing every reply (16 MiB each at full size: gigabytes from one member).
func TestPipelinedGetStateIsBounded(t *testing.T) {
	p := New(Config{Token: token, Runner: &fakeRunner{}, Window: 10 * time.Millisecond, MaxMessage: 256 << 10})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, ServerOptions{ReqBurst: 1000, ReqEvery: time.Millisecond})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(context.Background()); ts.Close(); cancel(); <-p.Done() })
	for i := 0; i < 64; i++ { // about 1 MiB of history: each replay is cut at 256 KiB
		p.Notice(wire.KindSystem, strings.Repeat("h", 16<<10))
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	send := func(id int, method string, params any) {
		msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
	}
	send(0, wire.MethodHello, wire.HelloParams{Name: "greedy", Token: token})
	const n = 150
	for i := 1; i <= n; i++ {
		send(i, wire.MethodGetState, wire.GetStateParams{Since: 0})
	}
	time.Sleep(time.Second) // not reading: the host must not queue 150 replays meanwhile
	limited, answered := 0, 0
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for answered < n {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %d replies: %v", answered, err)
		}
		var reply struct {
			ID    *int                `json:"id"`
			Error *struct{ Code int } `json:"error"`
		}
		_ = json.Unmarshal(data, &reply)
		if reply.ID == nil || *reply.ID == 0 {
			continue // hello reply, events
		}
		answered++
		if reply.Error != nil && reply.Error.Code == wire.CodeRateLimited {
			limited++
		}
	}
	// Socket buffers take a few replays; the rest must have been refused, not queued.
	if limited < n/2 {
		t.Fatalf("%d of %d pipelined getState calls were refused; want most of them", limited, n)
	}
}

// rawReader is a participant that reads Client.event notifications off the wire; until
// hold is closed it reads nothing (its connection's buffers fill and the host's writes to
// it stall, as with a participant on a slow link).
type rawReader struct {
	ws  *websocket.Conn
	evs chan wire.Event
}

func joinRaw(t *testing.T, url, name string, hold <-chan struct{}) *rawReader {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
		"params": wire.HelloParams{Name: name, Token: token}})
	if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	r := &rawReader{ws: ws, evs: make(chan wire.Event, 100000)}
	go func() {
		defer close(r.evs)
		// The hello reply first, then (once let go) everything.
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
		r.evs <- wire.Event{Kind: "joined"}
		if hold != nil {
			<-hold
		}
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m struct {
				Method string     `json:"method"`
				Params wire.Event `json:"params"`
			}
			if json.Unmarshal(data, &m) == nil && m.Method == wire.MethodEvent {
				r.evs <- m.Params
			}
		}
	}()
	if ev := <-r.evs; ev.Kind != "joined" {
		t.Fatalf("%s: no hello reply", name)
	}
	return r
}

// next returns the next output event (skipping others).
func (r *rawReader) next(t *testing.T) wire.Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-r.evs:
			if !ok {
				t.Fatal("connection closed")
			}
			if ev.Kind == wire.KindOutput {
				return ev
			}
		case <-timeout:
			t.Fatal("no output event")
		}
	}
}

// Adaptive fan-out: an idle connection gets each delta as its own event at once; a busy
// one gets what arrived meanwhile merged (first_seq..seq), whole and in order, and the
// others are not held up by it.
func TestAdaptiveFanOut(t *testing.T) {
	p, url := serveParty(t, ServerOptions{})
	hold := make(chan struct{})
	fast := joinRaw(t, url, "fast", nil)
	slow := joinRaw(t, url, "slow", hold)

	// Paced deltas: each reaches the fast reader on its own, unmerged.
	for i := 0; i < 20; i++ {
		text := fmt.Sprintf("[paced %d]", i)
		_ = p.do(func() { p.output(wire.StreamAssistant, text) })
		if ev := fast.next(t); ev.Text != text || ev.FirstSeq != 0 {
			t.Fatalf("paced delta %d arrived as %+v", i, ev)
		}
	}
	// A burst of 2,000 deltas of 8 KiB (16 MiB: more than socket buffers hold) while the
	// slow reader reads nothing.
	var want strings.Builder
	pad := strings.Repeat("x", 8192)
	for i := 0; i < 2000; i++ {
		text := fmt.Sprintf("<%d>%s", i, pad)
		want.WriteString(text)
		_ = p.do(func() { p.output(wire.StreamAssistant, text) })
	}
	check := func(name string, r *rawReader) int {
		var got strings.Builder
		var last int64
		frames := 0
		for got.Len() < want.Len() {
			ev := r.next(t)
			if strings.HasPrefix(ev.Text, "[paced") {
				last = ev.Seq
				continue
			}
			first := ev.Seq
			if ev.FirstSeq != 0 {
				first = ev.FirstSeq
			}
			if last != 0 && first != last+1 {
				t.Fatalf("%s: frame %d..%d after %d: a gap or an overlap", name, first, ev.Seq, last)
			}
			last = ev.Seq
			frames++
			got.WriteString(ev.Text)
		}
		if got.String() != want.String() {
			t.Fatalf("%s: the burst arrived altered (%d bytes of %d)", name, got.Len(), want.Len())
		}
		t.Logf("%s: 2,000 deltas in %d frames", name, frames)
		return frames
	}
	close(hold) // the slow reader reads again (before the host's 10 s write deadline drops it)
	check("fast", fast)
	if frames := check("slow", slow); frames >= 2000 {
		t.Fatalf("the stalled reader got %d frames for 2,000 deltas: nothing was merged", frames)
	}
}
