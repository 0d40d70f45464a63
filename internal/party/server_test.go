package party

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

func serveParty(t *testing.T, opts ServerOptions) (*Party, string) {
	t.Helper()
	p := New(Config{Token: token, Runner: &fakeRunner{}, Window: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, opts)
	// As concordia host without TLS serves it: events are written directly when they can be.
	ts := httptest.NewUnstartedServer(srv)
	ts.Listener = rpc.DirectListener(ts.Listener)
	ts.Start()
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

// A hello that arrived in time is answered, however long the party takes to get to it (a
// thousand participants saying hello at once queue on the party's loop; a tester's came
// back as "no Party.hello within 10s"). One refused after the timeout still closes.
func TestHelloInTimeIsAnsweredWhenThePartyIsBusy(t *testing.T) {
	p, url := serveParty(t, ServerOptions{HelloTimeout: 500 * time.Millisecond})
	for _, tc := range []struct{ what, name, token string }{
		{"joins", "late", token},
		{"wrong token", "wrong", "not-the-token"},
		{"no name", "", token},
	} {
		t.Run(tc.what, func(t *testing.T) {
			ws, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			release, busy := make(chan struct{}), make(chan struct{})
			var once sync.Once
			free := func() { once.Do(func() { close(release) }) }
			// The loop, busy with others' hellos; a failure below must not leave it blocked.
			t.Cleanup(free)
			go p.do(func() { close(busy); <-release })
			<-busy
			hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
				"params": wire.HelloParams{Name: tc.name, Token: tc.token}})
			if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond) // three times the hello timeout
			free()
			ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("no hello reply: %v", err)
			}
			var reply struct {
				Result *wire.HelloResult   `json:"result"`
				Error  *struct{ Code int } `json:"error"`
			}
			if err := json.Unmarshal(data, &reply); err != nil {
				t.Fatal(err)
			}
			if tc.token == token && tc.name != "" {
				if reply.Result == nil || reply.Result.You.Name != "late" {
					t.Fatalf("want joined as late, got %s", data)
				}
				return
			}
			if reply.Error == nil {
				t.Fatalf("want an error, got %s", data)
			}
			// Refused after the timeout: the connection closes, as if no hello had come.
			_, _, err = ws.ReadMessage()
			if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
				t.Fatalf("want close 1008, got %v", err)
			}
		})
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

// Params of the wrong shape get -32602 from every method, those that take none too: a
// conformance tester's Party.rotateInvite with [1] rotated the invites.
func TestArrayParamsRefusedByEveryMethod(t *testing.T) {
	const htok = "host-token-host-token-host-token-xx"
	p, url := serveConfig(t, Config{HostToken: htok}, ServerOptions{}, false)
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	call := func(id int, method string, params any) *struct{ Code int } {
		t.Helper()
		wsSend(t, ws, id, method, params)
		return wsReply(t, ws, id)
	}
	if e := call(0, wire.MethodHello, wire.HelloParams{Name: "cohost", Token: htok}); e != nil {
		t.Fatalf("hello: %d", e.Code)
	}
	participantToken := func() string {
		var tok string
		if err := p.do(func() { tok = p.tokens.Participant }); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	before := participantToken()
	for i, m := range []string{wire.MethodPing, wire.MethodRotateInvite, wire.MethodInvites, wire.MethodInterrupt, wire.MethodSendNow, wire.MethodGetState} {
		if e := call(i+1, m, []int{1}); e == nil || e.Code != rpc.CodeInvalidParams {
			t.Errorf("%s with [1]: %+v, want %d", m, e, rpc.CodeInvalidParams)
		}
	}
	if now := participantToken(); now != before {
		t.Fatalf("the invites were rotated by a call refused: %q, was %q", now, before)
	}
	if e := call(20, wire.MethodPing, map[string]any{}); e != nil {
		t.Fatalf("ping with {}: %d", e.Code)
	}
}

// A viewer refused for the places kept for participants is closed with the table's
// reason, "party full" (§3), and told in words: a conformance tester's close carried the
// whole sentence, "its last 1 places are kept".
func TestViewerRefusedForPlacesKeptClosesAsPartyFull(t *testing.T) {
	p, url := serveConfig(t, Config{MaxParticipants: 10}, ServerOptions{}, false)
	hello := func(i int) (*websocket.Conn, []byte) {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		wsSend(t, ws, 1, wire.MethodHello, wire.HelloParams{Name: fmt.Sprintf("v%d", i), Token: p.cfg.ViewerToken})
		ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("hello %d: %v", i, err)
		}
		return ws, data
	}
	for i := range 9 {
		if _, data := hello(i); strings.Contains(string(data), `"error"`) {
			t.Fatalf("viewer %d refused: %s", i, data)
		}
	}
	ws, data := hello(9)
	if !strings.Contains(string(data), "party full for viewers: its last place is kept for participants") {
		t.Fatalf("the 10th viewer of 10 places: %s", data)
	}
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater || ce.Text != "party full" {
		t.Fatalf("closed with %v, want 1013 \"party full\"", err)
	}
}

// Joining is slowed per address after a burst, whatever the token: a reviewer's viewer
// link joined and left 3,317 times a minute from one address, each time 530 bytes of
// journal and two lines in every terminal.
func TestJoinsThrottledPerAddress(t *testing.T) {
	p, url := serveParty(t, ServerOptions{JoinBurst: 3, JoinRate: 4})
	const joins = 9 // 3 at once, then 6 at 4 a second: at least 1.25 s in all
	start := time.Now()
	for i := 0; i < joins; i++ {
		if c := helloCode(t, url, p.cfg.ViewerToken); c != 0 {
			t.Fatalf("join %d: code %d", i, c)
		}
	}
	if el := time.Since(start); el < 1250*time.Millisecond {
		t.Fatalf("%d joins from one address in %s: not throttled", joins, el)
	}
}

// wsSend sends a request with id on ws.
func wsSend(t *testing.T, ws *websocket.Conn, id int, method string, params any) {
	t.Helper()
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
}

// wsReply reads ws until the reply with id, and gives its error (nil for a result).
func wsReply(t *testing.T, ws *websocket.Conn, id int) *struct{ Code int } {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no reply %d: %v", id, err)
		}
		var r struct {
			ID    *int                `json:"id"`
			Error *struct{ Code int } `json:"error"`
		}
		if json.Unmarshal(data, &r) == nil && r.ID != nil && *r.ID == id {
			return r.Error
		}
	}
}

// serveConfig serves a party of cfg (with the test token) on loopback; small, when set,
// gives the server's sockets a fixed 64 KiB send buffer. It returns the party and its URL.
func serveConfig(t *testing.T, cfg Config, opts ServerOptions, small bool) (*Party, string) {
	t.Helper()
	cfg.Token, cfg.Runner = token, &fakeRunner{}
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Millisecond
	}
	p := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, opts)
	ts := httptest.NewUnstartedServer(srv)
	if small {
		ts.Listener = smallWrites{ts.Listener} // a reply of 1 MiB waits unsent
	}
	ts.Start()
	t.Cleanup(func() { srv.Close(context.Background()); ts.Close(); cancel(); <-p.Done() })
	return p, "ws" + strings.TrimPrefix(ts.URL, "http")
}

// Only hellos the party would let in count against an address's joins, and none waits
// past maxJoinWait: a reviewer's hellos with no valid token, each dropped at once, had
// pushed the next join from that address out by minutes.
func TestJoinsCountOnlyHellosThatWouldJoin(t *testing.T) {
	p, url := serveParty(t, ServerOptions{JoinBurst: 2, JoinRate: 1})
	for i := 0; i < 10; i++ { // 10 s of turns at one a second, were they counted
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
			"params": wire.HelloParams{Name: "x", Token: "no-such-token-no-such-token-xx"}})
		ws.WriteMessage(websocket.TextMessage, msg)
		ws.Close()
	}
	if c := helloCode(t, url, p.cfg.ViewerToken); c != 0 {
		t.Fatalf("a viewer after 10 dropped hellos with no valid token: code %d", c)
	}
	// Valid hellos all at once: those whose turn is within maxJoinWait wait for it, the
	// rest are refused at once, to try again later.
	const n = 12 // 2 at once, then one a second: the 9th would wait 7 s
	codes := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() { codes <- helloCode(t, url, p.cfg.ViewerToken) }()
	}
	joined, refused := 0, 0
	for i := 0; i < n; i++ {
		switch c := <-codes; c {
		case 0:
			joined++
		case wire.CodeRateLimited:
			refused++
		default:
			t.Fatalf("a hello refused with %d", c)
		}
	}
	if refused == 0 || joined < 2 {
		t.Fatalf("%d hellos at once from one address: %d joined, %d refused; want some of each", n, joined, refused)
	}
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
	// A receive buffer of a fixed, small size: left to itself, loopback's grows up to
	// net.ipv4.tcp_rmem's 32 MiB here, which took 150 replays of 256 KiB in a CI run (0
	// refused), and the test would measure the kernel's buffers rather than the host.
	dialer := smallReads()
	ws, _, err := dialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
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
	// Its answer first: a connection that has not joined is read one message at a time,
	// and under a loaded CI run the calls sent behind a hello not yet answered were read
	// only once this side read again (0 refused).
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no answer to the hello: %v", err)
		}
		var reply struct {
			ID *int `json:"id"`
		}
		if json.Unmarshal(data, &reply) == nil && reply.ID != nil && *reply.ID == 0 {
			break
		}
	}
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

// Many connections asking for the history at once, none reading: only replaySlots of them
// are sent it while it is unsent, the others are refused with -32003 (a reviewer's 85
// viewer connections had the host queue gigabytes of replies).
func TestGetStateRepliesBoundedForTheParty(t *testing.T) {
	p := New(Config{Token: token, Runner: &fakeRunner{}, Window: 10 * time.Millisecond, MaxMessage: 1 << 20, MaxParticipants: 50})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, ServerOptions{ReqBurst: 1000, ReqEvery: time.Millisecond})
	ts := httptest.NewUnstartedServer(srv)
	// Sockets that hold little (64 KiB each way): a reply of 1 MiB waits unsent.
	ts.Listener = smallWrites{ts.Listener}
	ts.Start()
	t.Cleanup(func() { srv.Close(context.Background()); ts.Close(); cancel(); <-p.Done() })
	for i := 0; i < 80; i++ { // about 1.3 MiB of history: each replay is cut at 1 MiB
		p.Notice(wire.KindSystem, strings.Repeat("h", 16<<10))
	}
	dialer := smallReads()
	type reply struct {
		ID    *int                `json:"id"`
		Error *struct{ Code int } `json:"error"`
	}
	// readReply reads ws until the reply with id.
	readReply := func(ws *websocket.Conn, id int) reply {
		ws.SetReadDeadline(time.Now().Add(60 * time.Second))
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("no reply %d: %v", id, err)
			}
			var r reply
			if json.Unmarshal(data, &r) == nil && r.ID != nil && *r.ID == id {
				return r
			}
		}
	}
	const conns = 10
	var wss []*websocket.Conn
	for i := 0; i < conns; i++ {
		ws, _, err := dialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 0, "method": wire.MethodHello, "params": wire.HelloParams{Name: fmt.Sprintf("v%d", i), Token: token}})
		if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
			t.Fatal(err)
		}
		readReply(ws, 0)
		wss = append(wss, ws)
	}
	for _, ws := range wss {
		msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodGetState, "params": wire.GetStateParams{Since: 0}})
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second) // not reading: each reply that is sent waits unsent
	sent := 0
	for _, ws := range wss {
		if r := readReply(ws, 1); r.Error == nil {
			sent++
		} else if r.Error.Code != wire.CodeRateLimited {
			t.Fatalf("getState refused with %d", r.Error.Code)
		}
	}
	if sent < 1 || sent > replaySlots {
		t.Fatalf("%d of %d connections were sent the history at once; want 1 to %d", sent, conns, replaySlots)
	}
	// Read, a connection is sent it again.
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 2, "method": wire.MethodGetState, "params": wire.GetStateParams{Since: 0}})
	for _, ws := range wss {
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
		if r := readReply(ws, 2); r.Error != nil {
			t.Fatalf("a connection that read everything was refused the history: %d", r.Error.Code)
		}
	}
	// Connections that hold every slot and go away give them back: the history is sent
	// again once they have closed.
	msg3, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 3, "method": wire.MethodGetState, "params": wire.GetStateParams{Since: 0}})
	for _, ws := range wss {
		if err := ws.WriteMessage(websocket.TextMessage, msg3); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second) // not reading: four hold the slots
	for _, ws := range wss[:conns-1] {
		ws.Close()
	}
	last := wss[conns-1]
	readReply(last, 3) // sent or refused: nothing to learn from this one
	deadline := time.Now().Add(30 * time.Second)
	for id := 4; ; id++ {
		msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": wire.MethodGetState, "params": wire.GetStateParams{Since: 0}})
		if err := last.WriteMessage(websocket.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
		r := readReply(last, id)
		if r.Error == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slots of the connections that closed were never given back")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A hello's reply takes a replay slot too: hellos that are not read cannot each queue the
// whole history (a viewer link gave a hundred connections). With no slot free, the reply
// carries a little history, truncated, and the joiner pages on.
func TestHelloRepliesBoundedForTheParty(t *testing.T) {
	p, url := serveConfig(t, Config{MaxMessage: 1 << 20, MaxParticipants: 50}, ServerOptions{ReqBurst: 1000, ReqEvery: time.Millisecond}, true)
	for i := 0; i < 40; i++ { // 640 KiB of history
		p.Notice(wire.KindSystem, strings.Repeat("h", 16<<10))
	}
	dialer := smallReads()
	const conns = 10
	var wss []*websocket.Conn
	for i := 0; i < conns; i++ {
		ws, _, err := dialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		wsSend(t, ws, 0, wire.MethodHello, wire.HelloParams{Name: fmt.Sprintf("v%d", i), Token: token})
		wss = append(wss, ws)
	}
	time.Sleep(time.Second) // not reading: each whole history sent waits unsent
	whole := 0
	for i, ws := range wss {
		ws.SetReadDeadline(time.Now().Add(60 * time.Second))
		_, data, err := ws.ReadMessage() // the hello's reply is the first message
		if err != nil {
			t.Fatalf("no hello reply on connection %d: %v", i, err)
		}
		var r struct {
			Result *wire.HelloResult `json:"result"`
		}
		if err := json.Unmarshal(data, &r); err != nil || r.Result == nil {
			t.Fatalf("connection %d: first message is not a hello reply: %.200s", i, data)
		}
		st := r.Result.State
		if len(st.Events) == 0 || st.Events[0].Seq != 1 {
			t.Fatalf("connection %d: the reply does not start the history (%d events)", i, len(st.Events))
		}
		switch {
		case !st.Truncated && st.Events[len(st.Events)-1].Seq >= 40:
			whole++
		case !st.Truncated:
			t.Fatalf("connection %d: %d events, not truncated", i, len(st.Events))
		case len(st.Events) > briefReplay/(16<<10)+1:
			t.Fatalf("connection %d: a truncated reply carried %d events of 16 KiB", i, len(st.Events))
		}
	}
	if whole < 1 || whole > replaySlots {
		t.Fatalf("%d of %d hellos were answered with the whole history at once; want 1 to %d", whole, conns, replaySlots)
	}
}

// One address holds at most two of the four replay slots: four connections from one
// machine that never read could otherwise keep every joiner from the history, now that a
// hello's history takes a slot too.
func TestReplaySlotsPerAddress(t *testing.T) {
	p, url := serveConfig(t, Config{MaxMessage: 1 << 20, MaxParticipants: 50}, ServerOptions{ReqBurst: 1000, ReqEvery: time.Millisecond}, true)
	for i := 0; i < 80; i++ { // about 1.3 MiB of history: each replay is cut at 1 MiB
		p.Notice(wire.KindSystem, strings.Repeat("h", 16<<10))
	}
	// dial connects from a loopback address of its own (Linux answers all of 127/8).
	dial := func(from string) *websocket.Conn {
		d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).Dial(network, addr)
			if err == nil {
				err = c.(*net.TCPConn).SetReadBuffer(64 << 10)
			}
			return c, err
		}}
		ws, _, err := d.Dial(url, nil)
		if err != nil {
			t.Fatalf("cannot connect from %s: %v", from, err)
		}
		t.Cleanup(func() { ws.Close() })
		return ws
	}
	read := func(ws *websocket.Conn, id int) *struct{ Code int } { return wsReply(t, ws, id) }
	send := func(ws *websocket.Conn, id int, method string, params any) { wsSend(t, ws, id, method, params) }
	var mine []*websocket.Conn
	for i := 0; i < 4; i++ {
		ws := dial("127.0.0.1")
		// Since the end: the hello carries no history and takes no slot.
		send(ws, 0, wire.MethodHello, wire.HelloParams{Name: fmt.Sprintf("a%d", i), Token: token, Since: 80})
		read(ws, 0)
		mine = append(mine, ws)
	}
	for _, ws := range mine {
		send(ws, 1, wire.MethodGetState, wire.GetStateParams{Since: 0})
	}
	time.Sleep(time.Second) // not reading: each reply that is sent waits unsent
	// Another machine still gets it, while the first one's replies wait unread.
	other := dial("127.0.0.2")
	send(other, 0, wire.MethodHello, wire.HelloParams{Name: "b", Token: token, Since: 80})
	read(other, 0)
	// Asked again when refused as busy, as our client does: its own hello's slot is given
	// back once everything sent to it so far is written (its own "joined" may still be).
	for id := 1; ; id++ {
		send(other, id, wire.MethodGetState, wire.GetStateParams{Since: 0})
		e := read(other, id)
		if e == nil {
			break
		}
		if id == 20 {
			t.Fatalf("another address was refused the history while one held the slots: %d", e.Code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sent := 0
	for _, ws := range mine {
		if e := read(ws, 1); e == nil {
			sent++
		} else if e.Code != wire.CodeRateLimited {
			t.Fatalf("getState refused with %d", e.Code)
		}
	}
	if sent != 2 {
		t.Fatalf("one address was sent the history on %d connections at once, want 2", sent)
	}
}

// smallReads is a dialer whose connections have a receive buffer of a fixed 64 KiB.
func smallReads() websocket.Dialer {
	return websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			err = c.(*net.TCPConn).SetReadBuffer(64 << 10)
		}
		return c, err
	}}
}

// smallWrites is a listener whose connections have a send buffer of a fixed 64 KiB.
type smallWrites struct{ net.Listener }

func (l smallWrites) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		err = c.(*net.TCPConn).SetWriteBuffer(64 << 10)
	}
	return c, err
}

// fakeConn records the frames a remote sends; busy says whether a write is in flight.
type fakeConn struct {
	busy      bool
	busyLooks int // while > 0, Idle says busy (and counts down); then the connection is idle
	frames    []wire.Event
}

func (f *fakeConn) Idle() bool {
	if f.busyLooks > 0 {
		f.busyLooks--
		if f.busyLooks == 0 {
			f.busy = false // the write in flight ends right after this look
		}
		return false
	}
	return !f.busy
}

func (f *fakeConn) SendPrepared(msg rpc.Prepared) error {
	var m struct {
		Params wire.Event `json:"params"`
	}
	if err := json.Unmarshal(msg.Payload(), &m); err != nil {
		return err
	}
	f.frames = append(f.frames, m.Params)
	return nil
}

// Adaptive fan-out, decided per connection: an idle connection gets each event at once; a
// busy one gets the output that arrives meanwhile merged (first_seq..seq), flushed when it
// is idle again or before an event of another kind, and never more than 64 KiB at once.
func TestAdaptiveFanOut(t *testing.T) {
	conn := &fakeConn{}
	c := &remote{srv: &Server{}, out: conn}
	seq := int64(0)
	send := func(kind, stream, text string) {
		seq++
		ev := wire.Event{Seq: seq, Kind: kind, Stream: stream, Text: text}
		raw, _ := wire.Encode(ev)
		if !c.Send(ev, raw) {
			t.Fatalf("Send %d refused", seq)
		}
	}
	frames := func() string {
		var b strings.Builder
		for _, f := range conn.frames {
			fmt.Fprintf(&b, "[%d-%d %s %q]", f.FirstSeq, f.Seq, f.Kind, f.Text)
		}
		conn.frames = nil
		return b.String()
	}
	tests := []struct {
		name string
		run  func()
		want string
	}{
		{"idle: each delta at once", func() {
			send(wire.KindOutput, wire.StreamAssistant, "a")
			send(wire.KindOutput, wire.StreamAssistant, "b")
		}, `[0-1 output "a"][0-2 output "b"]`},
		{"busy: held and merged, sent when idle", func() {
			conn.busy = true
			send(wire.KindOutput, wire.StreamAssistant, "c")
			send(wire.KindOutput, wire.StreamAssistant, "d")
			send(wire.KindOutput, wire.StreamAssistant, "e")
			if len(conn.frames) != 0 {
				t.Fatalf("sent while busy: %v", conn.frames)
			}
			conn.busy = false
			c.flushHeld()
		}, `[3-5 output "cde"]`},
		{"busy: one held delta goes out as it was", func() {
			conn.busy = true
			send(wire.KindOutput, wire.StreamAssistant, "f")
			conn.busy = false
			c.flushHeld()
		}, `[0-6 output "f"]`},
		{"busy: another kind flushes the held output first", func() {
			conn.busy = true
			send(wire.KindOutput, wire.StreamAssistant, "g")
			send(wire.KindOutput, wire.StreamAssistant, "h")
			send(wire.KindTurn, "", "")
		}, `[7-8 output "gh"][0-9 turn ""]`},
		{"busy: a change of stream starts a new merge", func() {
			send(wire.KindOutput, wire.StreamAssistant, "i")
			send(wire.KindOutput, wire.StreamTool, "Bash: ls\n")
			conn.busy = false
			c.flushHeld()
		}, `[0-10 output "i"][0-11 output "Bash: ls\n"]`},
		{"busy: at most 64 KiB merged", func() {
			conn.busy = true
			big := strings.Repeat("x", 40<<10)
			send(wire.KindOutput, wire.StreamAssistant, big)
			send(wire.KindOutput, wire.StreamAssistant, big)
			conn.busy = false
			c.flushHeld()
			if n := len(conn.frames); n != 2 {
				t.Fatalf("%d frames for 80 KiB, want 2", n)
			}
			conn.frames = []wire.Event{{Kind: "checked"}}
		}, `[0-0 checked ""]`},
		{"went idle between the look and the hold: sent at once, not left for the next write", func() {
			conn.busy = true
			conn.busyLooks = 2 // Send's two looks before it holds the delta see a write in flight
			send(wire.KindOutput, wire.StreamAssistant, "k")
		}, `[0-14 output "k"]`},
		{"idle again: nothing held, nothing sent by a flush", func() {
			c.flushHeld()
			send(wire.KindOutput, wire.StreamAssistant, "j")
		}, `[0-15 output "j"]`},
	}
	for _, tc := range tests {
		tc.run()
		if got := frames(); got != tc.want {
			t.Fatalf("%s: frames %s, want %s", tc.name, got, tc.want)
		}
	}
}

// Through real sockets: paced deltas reach a participant one by one, and a burst arrives
// whole and in order (merged or not) at every participant — in a small party, and in one
// large enough that the loop and its fan-out helper each write to half of it (under -race,
// this is where the two touch the server's shared frame at once).
func TestFanOutOverSockets(t *testing.T) {
	for _, n := range []int{2, splitMembers + 6} {
		t.Run(fmt.Sprintf("%d participants", n), func(t *testing.T) { fanOutOverSockets(t, n) })
	}
}

func fanOutOverSockets(t *testing.T, n int) {
	p, url := serveParty(t, ServerOptions{})
	var readers []chan wire.Event
	for i := range n {
		name := fmt.Sprintf("p%d", i)
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
		if _, _, err := ws.ReadMessage(); err != nil { // the hello reply: joined
			t.Fatal(err)
		}
		ch := make(chan wire.Event, 10000)
		go func() {
			defer close(ch)
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var m struct {
					Method string     `json:"method"`
					Params wire.Event `json:"params"`
				}
				if json.Unmarshal(data, &m) == nil && m.Params.Kind == wire.KindOutput {
					ch <- m.Params
				}
			}
		}()
		readers = append(readers, ch)
	}
	next := func(ch chan wire.Event) wire.Event {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("connection closed")
			}
			return ev
		case <-time.After(20 * time.Second):
			t.Fatal("no output event")
		}
		return wire.Event{}
	}
	for i := 0; i < 10; i++ {
		text := fmt.Sprintf("[paced %d]", i)
		_ = p.do(func() { p.output(wire.StreamAssistant, text) })
		for _, ch := range readers {
			if ev := next(ch); ev.Text != text || ev.FirstSeq != 0 {
				t.Fatalf("paced delta %d arrived as %+v", i, ev)
			}
		}
	}
	var split bool
	_ = p.do(func() { split = p.fan != nil })
	if split != (n >= splitMembers && runtime.GOMAXPROCS(0) > 1) {
		t.Fatalf("%d participants: the fan-out helper in use: %v", n, split)
	}
	var want strings.Builder
	for i := 0; i < 500; i++ {
		text := fmt.Sprintf("<%d>", i)
		want.WriteString(text)
		_ = p.do(func() { p.output(wire.StreamAssistant, text) })
	}
	for _, ch := range readers {
		var got strings.Builder
		var last int64
		for got.Len() < want.Len() {
			ev := next(ch)
			first := ev.Seq
			if ev.FirstSeq != 0 {
				first = ev.FirstSeq
			}
			if last != 0 && first != last+1 {
				t.Fatalf("frame %d..%d after %d: a gap or an overlap", first, ev.Seq, last)
			}
			last = ev.Seq
			got.WriteString(ev.Text)
		}
		if got.String() != want.String() {
			t.Fatalf("the burst arrived altered")
		}
	}
}

// A connection that has not joined is held to one small message: a reviewer's eight
// connections, each a refused (and delayed: the address had guessed tokens) hello followed
// by 66 messages of 1 MiB, held 412 MiB of the host's memory until their delays ran out.
// A message over 64 KiB before the hello closes the connection (1009); behind a refused
// hello nothing more is read; and the server's Close ends the delay (it waited for it, and
// a host's Ctrl-C then ran out of time to stop claude cleanly).
func TestARefusedConnectionHoldsLittleAndEndsWithClose(t *testing.T) {
	p := New(Config{Token: token, Runner: &fakeRunner{}, Window: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := NewServer(p, ServerOptions{RefusalBurst: 1, RefusalRate: 0.05, HelloTimeout: time.Minute}) // after the first, each refusal waits 20 s more
	ts := httptest.NewServer(srv)
	defer func() { ts.Close(); cancel(); <-p.Done() }()
	url := "ws" + strings.TrimPrefix(ts.URL, "http")
	dial := func() *websocket.Conn {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		return ws
	}
	send := func(ws *websocket.Conn, v any) {
		msg, _ := json.Marshal(v)
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
	}
	closeCode := func(ws *websocket.Conn) int {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := ws.ReadMessage()
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			} else if err != nil {
				t.Fatalf("read: %v", err)
			}
		}
	}
	wrongHello := map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
		"params": wire.HelloParams{Name: "guess", Token: "wrong-token-wrong-token-wrong"}}
	big := map[string]any{"jsonrpc": "2.0", "id": 2, "method": wire.MethodPrompt,
		"params": map[string]string{"text": strings.Repeat("x", 512<<10)}}

	if c := helloCode(t, url, "wrong-token-wrong-token-wrong"); c != wire.CodeUnauthorized {
		t.Fatalf("the first guess: code %d", c)
	}
	first := dial()
	send(first, big)
	if c := closeCode(first); c != websocket.CloseMessageTooBig {
		t.Fatalf("512 KiB before a hello: close %d, want 1009", c)
	}
	held := dial()
	send(held, wrongHello) // refused after a 20 s wait
	for i := 0; i < 2; i++ {
		send(held, big) // not read: the connection has no room for them
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ccancel()
	if err := srv.Close(cctx); err != nil {
		t.Fatalf("Close with a refusal waiting: %v after %v", err, time.Since(start))
	}
	if c := closeCode(held); c != websocket.CloseGoingAway {
		t.Fatalf("the waiting connection: close %d, want 1001", c)
	}
}

// A client whose encoder writes every number as a float pages with since 3.0, as the
// protocol's int says it may (JSON has one number type); it was refused with "since
// must be a whole number", and so could not page at all.
func TestGetStateTakesAWholeFloat(t *testing.T) {
	p, url := serveParty(t, ServerOptions{})
	for i := 0; i < 6; i++ {
		p.Notice(wire.KindSystem, fmt.Sprintf("notice %d", i))
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	wsSend(t, ws, 1, wire.MethodHello, wire.HelloParams{Name: "py", Token: token})
	if e := wsReply(t, ws, 1); e != nil {
		t.Fatalf("hello: %d", e.Code)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":2.0,"method":"Party.getState","params":{"since":3.0}}`)); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no reply: %v", err)
		}
		var r struct {
			ID     json.RawMessage `json:"id"`
			Error  *rpc.Error      `json:"error"`
			Result *wire.State     `json:"result"`
		}
		if json.Unmarshal(data, &r) != nil || string(r.ID) != "2.0" {
			continue
		}
		if r.Error != nil {
			t.Fatalf("getState since 3.0: %v", r.Error)
		}
		if len(r.Result.Events) == 0 || r.Result.Events[0].Seq != 4 {
			t.Fatalf("getState since 3.0 began at %+v, want seq 4", r.Result.Events)
		}
		return
	}
}

// TestALostConnectionIsNotALeave: a member whose connection ends without a close frame is
// said to have lost it, with why connection_lost; one that closes it leaves, as before (a
// tester's teammates read a dropped connection as "bob left", as if bob had quit).
func TestALostConnectionIsNotALeave(t *testing.T) {
	p, url := serveParty(t, ServerOptions{})
	join := func(name string) *websocket.Conn {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
			"params": wire.HelloParams{Name: name, Token: token}})
		if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
			t.Fatal(err)
		}
		ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, _, err := ws.ReadMessage(); err != nil {
			t.Fatal(err)
		}
		return ws
	}
	closeWith := func(ws *websocket.Conn, code int, reason string) { // and wait for the host's answer, as our peers do
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				break
			}
		}
		ws.Close()
	}
	ann, bob, cleo, dan := join("ann"), join("bob"), join("cleo"), join("dan")
	closeWith(ann, websocket.CloseNormalClosure, "left")
	bob.UnderlyingConn().Close() // no close frame: a process killed, a cable pulled
	// Our client's closes when it is not leaving (internal/rpc, internal/client): it gave
	// up on a host it heard nothing from (before the host gave up on it), or it reconnects
	// at once to catch up.
	closeWith(cleo, websocket.CloseGoingAway, rpc.ReasonSilent)
	closeWith(dan, websocket.CloseNormalClosure, wire.ReasonReconnecting)
	// Cut off by the host for breaking the protocol (RFC 6455: 1009, 1007).
	eve, fay := join("eve"), join("fay")
	eve.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte(" "), wire.MaxPeerMessage+1))
	fay.WriteMessage(websocket.TextMessage, []byte("{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\"}"))
	for _, ws := range []*websocket.Conn{eve, fay} {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				break
			}
		}
		ws.Close()
	}
	left := map[string]wire.Event{}
	deadline := time.Now().Add(20 * time.Second)
	for len(left) < 6 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		st, _ := p.State(0)
		for _, ev := range st.Events {
			if ev.Kind == wire.KindParticipants && ev.Left != nil {
				left[ev.Left.Name] = ev
			}
		}
	}
	if ev := left["ann"]; ev.Left == nil || ev.Why != "" || ev.Text != "" {
		t.Errorf("ann left, said as %+v", ev)
	}
	for name, how := range map[string]string{"bob": "it broke off without leaving the party", "cleo": "it heard nothing from the host for a while", "dan": "it is reconnecting",
		"eve": "the host closed it because it sent a message over 1 MiB", "fay": "the host closed it because it sent text that is not UTF-8"} {
		if ev := left[name]; ev.Left == nil || ev.Why != wire.WhyLost || ev.Text != name+" lost the connection: "+how {
			t.Errorf("%s's connection was lost, said as why %q, text %q", name, ev.Why, ev.Text)
		}
	}
}

// TestLostHow: what a lost connection is said to be, from the error that ended it.
func TestLostHow(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: %w", rpc.ErrClosed, &websocket.CloseError{Code: websocket.CloseNormalClosure}), ""},
		{fmt.Errorf("%w: %w", rpc.ErrClosed, &websocket.CloseError{Code: websocket.CloseGoingAway}), ""}, // a browser's page closed
		{rpc.ErrClosed, ""}, // the host closed it: a kick, the party's end
		{fmt.Errorf("%w: %w", rpc.ErrClosed, &websocket.CloseError{Code: websocket.CloseAbnormalClosure}), "it broke off without leaving the party"},
		{fmt.Errorf("%w: peer silent for 1m0s: %w", rpc.ErrClosed, &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}), "nothing came through it for a while"},
		{fmt.Errorf("%w: write: %w", rpc.ErrClosed, &net.OpError{Op: "write", Err: errors.New("connection reset by peer")}), "it broke off without leaving the party"},
		{fmt.Errorf("%w: %w", rpc.ErrClosed, rpc.ErrSlowPeer), "too slow to keep up"},
		// Our client's own closes when it is not leaving: it gave up on a silent host, or
		// it reconnects at once to catch up.
		{fmt.Errorf("%w: %w", rpc.ErrClosed, &websocket.CloseError{Code: websocket.CloseGoingAway, Text: rpc.ReasonSilent}), "it heard nothing from the host for a while"},
		{fmt.Errorf("%w: %w", rpc.ErrClosed, &websocket.CloseError{Code: websocket.CloseNormalClosure, Text: wire.ReasonReconnecting}), "it is reconnecting"},
		{fmt.Errorf("%w: %w", rpc.ErrClosed, &websocket.CloseError{Code: websocket.CloseNormalClosure, Text: "left"}), ""},
		// The host cut it off for breaking the protocol: it did not leave.
		{fmt.Errorf("%w: read message: %w", rpc.ErrClosed, websocket.ErrReadLimit), "the host closed it because it sent a message over 1 MiB"},
		{fmt.Errorf("%w: %w", rpc.ErrClosed, rpc.ErrNotUTF8), "the host closed it because it sent text that is not UTF-8"},
	} {
		if got := lostHow(c.err); got != c.want {
			t.Errorf("lostHow(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
