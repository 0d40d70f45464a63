package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/certs"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

type idleRunner struct{}

func (idleRunner) RunTurn(context.Context, string, party.TurnIO) (party.TurnResult, error) {
	return party.TurnResult{}, nil
}
func (idleRunner) Restart(context.Context) error { return nil }

const tok = "client-test-token-0123456789"

// serve runs a party (that never sends batches) behind a plain ws:// endpoint.
func serve(t *testing.T, maxMessage int) (*party.Party, invite.Invite) {
	t.Helper()
	p := party.New(party.Config{Token: tok, HostName: "h", Runner: idleRunner{}, MinPrompts: 10000, MaxMessage: maxMessage, PromptBurst: 10000})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := party.NewServer(p, party.ServerOptions{})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close(context.Background())
		ts.Close()
		cancel()
		<-p.Done()
	})
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	n, _ := strconv.Atoi(port)
	return p, invite.Invite{Host: host, Port: n, Token: tok}
}

// TestTruncatedReplayIsPaged: a history larger than one host message arrives whole, in
// order, through Party.getState paging.
func TestTruncatedReplayIsPaged(t *testing.T) {
	p, inv := serve(t, 64<<10)
	l, _, err := p.JoinLocal("writer", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Leave()
	for i := 0; i < 40; i++ {
		if _, err := l.Prompt(strings.Repeat("z", 4000) + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := p.State(0)
	var mu sync.Mutex
	var got []wire.Event
	var hello wire.HelloResult
	c, err := Join(context.Background(), Config{Invite: inv, Name: "late", OnEvent: func(ev wire.Event) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}, OnHello: func(h wire.HelloResult) { hello = h }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !hello.State.Truncated {
		t.Fatal("the hello replay should have been truncated at 64 KiB")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if int64(n) >= st.Seq || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if int64(len(got)) < st.Seq {
		t.Fatalf("got %d events, want at least %d", len(got), st.Seq)
	}
	for i, ev := range got {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
}

// TestNotConnectedAfterEnd: calls after the party ended fail with the reason.
func TestClosedClient(t *testing.T) {
	_, inv := serve(t, 0)
	c, err := Join(context.Background(), Config{Invite: inv, Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Prompt(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.Prompt(context.Background(), "again"); err == nil {
		t.Fatal("prompt after Close succeeded")
	}
	if c.Err() != ErrClosed {
		t.Fatalf("Err = %v", c.Err())
	}
}

// TestDefaultBackoff pins PROTOCOL-facing behaviour: 1, 2, 4, 8, then every 15 s.
func TestDefaultBackoff(t *testing.T) {
	_, inv := serve(t, 0)
	c, err := Join(context.Background(), Config{Invite: inv, Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second}
	if len(c.cfg.Backoff) != len(want) {
		t.Fatalf("backoff %v", c.cfg.Backoff)
	}
	for i := range want {
		if c.cfg.Backoff[i] != want[i] {
			t.Fatalf("backoff %v, want %v", c.cfg.Backoff, want)
		}
	}
}

var _ party.Controller = (*Client)(nil)

// TestCatchUpWhileEventsStream: a late joiner whose replay does not fit one message, in a
// party whose events keep coming (an agent streaming): more events arrive during the
// catch-up than the peer's inbound queue holds. Every event must arrive once, in order,
// and quickly (the catch-up used to call the host from the dispatch goroutine, so its
// reply queued behind the events waiting for it: the call timed out and events were lost).
func TestCatchUpWhileEventsStream(t *testing.T) {
	p, inv := serve(t, 64<<10)
	l, _, err := p.JoinLocal("writer", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Leave()
	// History that takes several pages. (Not prompts: those wait in the state's head,
	// which every page repeats, and 40 of them left one event a page: 45 pages took 6 s
	// of the join's 10 s.)
	for i := 0; i < 40; i++ {
		p.Notice(wire.KindSystem, strings.Repeat("z", 4000)+strconv.Itoa(i))
	}
	stop := make(chan struct{})
	streamed := make(chan struct{})
	go func() { // the agent streaming: a steady flow of small events
		defer close(streamed)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p.Notice(wire.KindSystem, "delta "+strconv.Itoa(i))
			time.Sleep(time.Millisecond) // ~1,000 events a second: far more than the inbound queue
		}
	}()
	var mu sync.Mutex
	var got []wire.Event
	c, err := Join(context.Background(), Config{Invite: inv, Name: "late", OnEvent: func(ev wire.Event) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		time.Sleep(50 * time.Microsecond) // a window that renders each event
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(500 * time.Millisecond) // let events pile up during and after the catch-up
	close(stop)
	<-streamed
	st, _ := p.State(0)
	deadline := time.Now().Add(30 * time.Second) // well under the 60 s call timeout
	for c.LastSeq() < st.Seq && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if int64(len(got)) != st.Seq {
		t.Fatalf("got %d events, want %d (last %d)", len(got), st.Seq, c.LastSeq())
	}
	for i, ev := range got {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
}

// serveTLS runs a party behind a TLS listener as the host does (net/http over
// tls.NewListener, a self-signed certificate); it returns the invite with its fingerprint.
func serveTLS(t *testing.T) invite.Invite {
	t.Helper()
	cert, fp, err := certs.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := party.New(party.Config{Token: tok, HostName: "h", Runner: idleRunner{}, MinPrompts: 10000, PromptBurst: 10000})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := party.NewServer(p, party.ServerOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ErrorLog: log.New(io.Discard, "", 0)}
	go hs.Serve(tls.NewListener(ln, certs.ServerConfig(cert)))
	t.Cleanup(func() {
		srv.Close(context.Background())
		hs.Close()
		cancel()
		<-p.Done()
	})
	return invite.Invite{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Token: tok, Fingerprint: fp}
}

// TestInviteWithoutFingerprintToTLSHost: a link that lost its ?fp= part makes the client
// speak plain WebSocket to a TLS listener; the error says so (ErrTLSHost), not "cannot
// reach the host".
func TestInviteWithoutFingerprintToTLSHost(t *testing.T) {
	inv := serveTLS(t)
	// The whole invite joins.
	c, err := Join(context.Background(), Config{Invite: inv, Name: "whole"})
	if err != nil {
		t.Fatalf("join with the whole invite: %v", err)
	}
	c.Close()

	inv.Fingerprint = ""
	_, err = Join(context.Background(), Config{Invite: inv, Name: "cut"})
	if !errors.Is(err, ErrTLSHost) {
		t.Fatalf("join without fp = %v, want ErrTLSHost", err)
	}
	if errors.Is(err, ErrUnreachable) {
		t.Fatalf("ErrTLSHost must not read as unreachable: %v", err)
	}
}

// TestInviteWithFingerprintToPlainHost: an invite with ?fp= for a host that does not speak
// TLS (an --insecure party on that port) says so (ErrPlainHost), not "cannot reach the
// host".
func TestInviteWithFingerprintToPlainHost(t *testing.T) {
	_, inv := serve(t, 0)
	inv.Fingerprint = strings.Repeat("ab", 32)
	_, err := Join(context.Background(), Config{Invite: inv, Name: "x"})
	if !errors.Is(err, ErrPlainHost) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("join with fp to a plain host = %v, want ErrPlainHost only", err)
	}
}

// TestBadHandshakeFromPlainServerIsUnreachable: a plain HTTP server that refuses the
// upgrade is not mistaken for a TLS host.
func TestBadHandshakeFromPlainServerIsUnreachable(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer ts.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	n, _ := strconv.Atoi(port)
	_, err := Join(context.Background(), Config{Invite: invite.Invite{Host: host, Port: n, Token: tok}, Name: "x"})
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTLSHost) {
		t.Fatalf("join = %v, want ErrUnreachable only", err)
	}
}

// The last events before the host closes the connection are delivered before the client
// ends: a party's end comes as events with the close frame right behind them. They were
// read and then dropped, because the dispatch and delivery goroutines stopped at the
// connection's end instead of after what it had brought.
func TestLastEventsBeforeTheCloseAreDelivered(t *testing.T) {
	p := party.New(party.Config{Token: tok, HostName: "h", Runner: idleRunner{}, MinPrompts: 10000, PromptBurst: 10000})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	defer func() { cancel(); <-p.Done() }()
	var srv atomic.Pointer[party.Server] // a closed server takes no one: each round has its own
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.Load().ServeHTTP(w, r) }))
	defer ts.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	n, _ := strconv.Atoi(port)

	for round := range 5 {
		srv.Store(party.NewServer(p, party.ServerOptions{}))
		var mu sync.Mutex
		var last int64
		c, err := Join(context.Background(), Config{Invite: invite.Invite{Host: host, Port: n, Token: tok}, Name: "alice",
			OnEvent: func(ev wire.Event) { mu.Lock(); last = ev.Seq; mu.Unlock() }})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			p.Notice(wire.KindSystem, "notice "+strconv.Itoa(i))
		}
		st, err := p.State(1 << 62)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Load().Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		select {
		case <-c.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the client did not end with the connection")
		}
		mu.Lock()
		got := last
		mu.Unlock()
		if got != st.Seq {
			t.Fatalf("round %d: the client ended having delivered up to seq %d of %d", round, got, st.Seq)
		}
	}
}

// A viewer turned away while the last places are kept for participants is told so, not
// only that the party is full (a tester's).
func TestViewerTurnedAwayForPlacesKept(t *testing.T) {
	const vtok = "vtok-0123456789abcdefghijklmnop"
	p := party.New(party.Config{Token: tok, ViewerToken: vtok, HostName: "h", Runner: idleRunner{}, MaxParticipants: 10})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	srv := party.NewServer(p, party.ServerOptions{})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(context.Background()); ts.Close(); cancel(); <-p.Done() })
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	n, _ := strconv.Atoi(port)
	for i := range 9 { // the tenth place is kept for a participant
		c, err := Join(context.Background(), Config{Invite: invite.Invite{Host: host, Port: n, Token: vtok}, Name: fmt.Sprintf("v%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	_, err := Join(context.Background(), Config{Invite: invite.Invite{Host: host, Port: n, Token: vtok}, Name: "v10"})
	if !errors.Is(err, ErrFullForViewers) || !errors.Is(err, ErrFull) {
		t.Fatalf("a tenth viewer of ten places: %v", err)
	}
}

// StatusConnected comes after the hello's history and before the connection's first live
// event: a terminal takes everything before "connected" as history (printed under
// "— earlier in this party —"), and a joiner's own joined event, live, delivered while
// OnStatus had not yet been told, was printed there as "you joined" after the join was
// said already (a CI run's). OnStatus here takes its time, as a terminal printing a long
// history does; the live events must wait for it.
func TestConnectedComesBeforeLiveEvents(t *testing.T) {
	p, inv := serve(t, 0)
	l, _, err := p.JoinLocal("writer", wire.RoleHost) // some history for the hello
	if err != nil {
		t.Fatal(err)
	}
	defer l.Leave()
	var mu sync.Mutex
	var hello wire.HelloResult
	connected := false
	var early []int64 // live events delivered before StatusConnected
	var live int      // live events delivered at all
	c, err := Join(context.Background(), Config{Invite: inv, Name: "late",
		OnHello: func(h wire.HelloResult) { mu.Lock(); hello = h; mu.Unlock() },
		OnEvent: func(ev wire.Event) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Seq > hello.State.Seq {
				live++
				if !connected {
					early = append(early, ev.Seq)
				}
			}
		},
		OnStatus: func(s Status) {
			if s.State != StatusConnected {
				return
			}
			time.Sleep(300 * time.Millisecond)
			mu.Lock()
			connected = true
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := l.Prompt("a live event"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := live
		mu.Unlock()
		if n >= 2 { // this member's joined event, and the prompt's
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d live events delivered, want the join's and the prompt's", n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(early) > 0 {
		t.Fatalf("live events %v were delivered before StatusConnected", early)
	}
}

// TestHostThatDoesNotAnswer: a host that takes the connection and says nothing (a stopped
// process: the kernel still accepts) is ErrNoAnswer as well as ErrUnreachable, whether it
// is silent before the WebSocket handshake or after it, at the hello; a dial cancelled
// meanwhile is not, nor is a host that is gone. None of it takes long.
func TestHostThatDoesNotAnswer(t *testing.T) {
	var mu sync.Mutex
	var held []net.Conn
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	silent := testkit.SilentListener(t)
	quietHello := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		mu.Lock()
		held = append(held, conn.NetConn()) // upgraded, never answers the hello
		mu.Unlock()
	}))
	t.Cleanup(quietHello.Close)
	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	goneAddr := gone.Addr().String()
	gone.Close()
	inviteTo := func(addr string) invite.Invite {
		host, port, _ := net.SplitHostPort(addr)
		n, _ := strconv.Atoi(port)
		return invite.Invite{Host: host, Port: n, Token: tok}
	}
	tests := []struct {
		name     string
		addr     string
		cancel   bool
		noAnswer bool
	}{
		{"silent before the handshake", silent, false, true},
		{"silent at the hello", strings.TrimPrefix(quietHello.URL, "http://"), false, true},
		{"cancelled while it is silent", silent, true, false},
		{"cancelled at the hello", strings.TrimPrefix(quietHello.URL, "http://"), true, false},
		{"gone", goneAddr, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				time.AfterFunc(100*time.Millisecond, cancel)
			}
			start := time.Now()
			c, err := Join(ctx, Config{Invite: inviteTo(tt.addr), Name: "x", DialTimeout: 300 * time.Millisecond})
			if d := time.Since(start); d > 3*time.Second {
				// A close frame to a host that answers nothing is not waited for (a Ctrl-C
				// at the hello took ten seconds).
				t.Errorf("Join took %v", d)
			}
			if err == nil {
				c.Close()
				t.Fatal("joined")
			}
			if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNoAnswer) != tt.noAnswer {
				t.Fatalf("join = %v; want ErrUnreachable, and ErrNoAnswer: %v", err, tt.noAnswer)
			}
		})
	}
}

// A member coming back to a full party whose place went to someone else while it was away
// is told so (the host's -32005 data), not only that the party is full (a tester's, after
// its terminal was killed); a host from before the data: full, as before.
func TestPlaceLostWhileAway(t *testing.T) {
	lost := helloError(&rpc.Error{Code: wire.CodePartyFull, Message: "party full: your place went to someone else while you were away", Data: json.RawMessage(`{"place_lost":true}`)})
	if !errors.Is(lost, ErrPlaceLost) || !errors.Is(lost, ErrFull) {
		t.Errorf("with data: %v", lost)
	}
	if full := helloError(&rpc.Error{Code: wire.CodePartyFull, Message: "party full"}); errors.Is(full, ErrPlaceLost) || !errors.Is(full, ErrFull) {
		t.Errorf("without: %v", full)
	}
}
