package rpc

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// waitLong bounds waits that only time out when the code under test is
// broken; it is never the expected path.
const waitLong = 10 * time.Second

// checkLeaks fails the test if, once every other cleanup has run, goroutines
// of this package's Peer are still alive. Register it first so it runs last.
func checkLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			leaked := peerGoroutines()
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutine(s) leaked:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func peerGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "internal/rpc.(*Peer)") || strings.Contains(g, "internal/rpc.(*Request)") {
			out = append(out, g)
		}
	}
	return out
}

// server is an httptest WebSocket server that wraps every connection in a
// Peer and runs it.
type server struct {
	t     testing.TB
	srv   *httptest.Server
	peers chan serverConn

	mu  sync.Mutex
	all []*Peer
}

type serverConn struct {
	peer *Peer
	conn *websocket.Conn
	err  chan error // Run's result
}

func newServer(t testing.TB, opts Options) *server { return newServerOn(t, opts, nil) }

// newServerOn is newServer on the listener wrap makes of the test server's own (nil: that
// one as it is).
func newServerOn(t testing.TB, opts Options, wrap func(net.Listener) net.Listener) *server {
	t.Helper()
	s := &server{t: t, peers: make(chan serverConn, 16)}
	up := websocket.Upgrader{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		p := New(conn, opts)
		sc := serverConn{peer: p, conn: conn, err: make(chan error, 1)}
		s.mu.Lock()
		s.all = append(s.all, p)
		s.mu.Unlock()
		s.peers <- sc
		sc.err <- p.Run(context.Background())
	}))
	if wrap != nil {
		s.srv.Listener = wrap(s.srv.Listener)
	}
	s.srv.Start()
	t.Cleanup(func() {
		s.mu.Lock()
		all := s.all
		s.mu.Unlock()
		for _, p := range all {
			p.Close(websocket.CloseNormalClosure, "test over")
			<-p.Done()
		}
		s.srv.Close()
	})
	return s
}

func (s *server) url() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/rpc" }

// next returns the server side of the next accepted connection.
func (s *server) next() serverConn {
	s.t.Helper()
	select {
	case sc := <-s.peers:
		return sc
	case <-time.After(waitLong):
		s.t.Fatal("no connection reached the server")
		return serverConn{}
	}
}

// run runs p until the test ends and returns a channel with Run's result.
func run(t testing.TB, ctx context.Context, p *Peer) <-chan error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	t.Cleanup(func() {
		p.Close(websocket.CloseNormalClosure, "test over")
		<-p.Done()
	})
	return errc
}

// dial connects a client Peer to s and runs it.
func dial(t testing.TB, s *server, opts Options) (*Peer, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	p, err := Dial(ctx, s.url(), nil, opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return p, run(t, context.Background(), p)
}

// dialRaw connects a plain gorilla client, for tests that need exact frames.
func dialRaw(t *testing.T, s *server) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(s.url(), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// reply is a response as a raw client reads it.
type reply struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   *Error          `json:"error"`
}

func readFrame(t *testing.T, c *websocket.Conn) reply {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLong))
	typ, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("frame type %d, want text", typ)
	}
	var r reply
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("frame %s is not JSON: %v", data, err)
	}
	if r.JSONRPC != "2.0" {
		t.Fatalf("frame %s lacks jsonrpc 2.0", data)
	}
	return r
}

func writeFrame(t *testing.T, c *websocket.Conn, typ int, data string) {
	t.Helper()
	c.SetWriteDeadline(time.Now().Add(waitLong))
	if err := c.WriteMessage(typ, []byte(data)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func waitErr(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(waitLong):
		t.Fatal("Run did not return")
		return nil
	}
}

// echoHandler serves the methods most tests use.
func echoHandler(ctx context.Context, req *Request) {
	switch req.Method {
	case "ping":
		req.Reply("pong", nil)
	case "echo":
		var v any
		if err := req.DecodeParams(&v); err != nil {
			req.Reply(nil, err)
			return
		}
		req.Reply(v, nil)
	default:
		req.Reply(nil, Errorf(CodeMethodNotFound, "method not found"))
	}
}
