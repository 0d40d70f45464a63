package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// raw is a protocol-level participant speaking plain JSON, as an outside program would.
type raw struct {
	t  *testing.T
	ws *websocket.Conn
}

// dial connects to the invite's /rpc over ws:// (tests use --insecure hosts).
func dial(t *testing.T, inv string) *raw {
	t.Helper()
	u, err := url.Parse(inv)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+u.Host+"/rpc", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &raw{t: t, ws: ws}
}

func token(inv string) string {
	u, _ := url.Parse(inv)
	return strings.TrimPrefix(u.Path, "/")
}

func (r *raw) sendText(s string) {
	r.t.Helper()
	if err := r.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// next reads one message as a generic JSON object.
func (r *raw) next() map[string]any {
	r.t.Helper()
	r.ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, b, err := r.ws.ReadMessage()
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		r.t.Fatalf("host sent non-JSON %q", b)
	}
	return m
}

// reply reads until the response with id (skipping notifications).
func (r *raw) reply(id float64) map[string]any {
	r.t.Helper()
	for {
		m := r.next()
		if m["id"] == id {
			return m
		}
		if _, ok := m["id"]; ok && m["method"] == nil {
			r.t.Fatalf("unexpected response %v while waiting for id %v", m, id)
		}
	}
}

func errCode(m map[string]any) float64 {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return c
}

// closeCode reads until the connection closes and returns the close code.
func (r *raw) closeCode() int {
	r.t.Helper()
	r.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, _, err := r.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			}
			r.t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

func (r *raw) hello(inv, name string) map[string]any {
	r.t.Helper()
	r.sendText(`{"jsonrpc":"2.0","id":1,"method":"Party.hello","params":{"name":"` + name + `","token":"` + token(inv) + `"}}`)
	m := r.next()
	if m["id"] != float64(1) || m["result"] == nil {
		r.t.Fatalf("the hello reply must be the first message, got %v", m)
	}
	return m["result"].(map[string]any)
}

func TestProtocolErrorsKeepTheConnection(t *testing.T) {
	_, inv := host(t, nil, "--insecure", "--no-local-repl", "--min-prompts", "100")
	r := dial(t, inv)
	res := r.hello(inv, "probe")
	st := res["state"].(map[string]any)
	for _, k := range []string{"participants", "pending", "events"} {
		if _, ok := st[k].([]any); !ok {
			t.Fatalf("state.%s must be an array, got %v", k, st[k])
		}
	}
	cases := []struct {
		name string
		msg  string
		id   any
		code float64
	}{
		{"parse error", `{"jsonrpc":"2.0","id":2,"method":`, nil, -32700},
		{"batch array", `[{"jsonrpc":"2.0","id":3,"method":"Party.ping"}]`, nil, -32600},
		{"missing jsonrpc", `{"id":4,"method":"Party.ping"}`, float64(4), -32600},
		{"unknown method", `{"jsonrpc":"2.0","id":5,"method":"Party.nope"}`, float64(5), -32601},
		{"empty prompt", `{"jsonrpc":"2.0","id":6,"method":"Party.prompt","params":{"text":"  \n "}}`, float64(6), -32602},
		{"prompt too large", `{"jsonrpc":"2.0","id":7,"method":"Party.prompt","params":{"text":"` + strings.Repeat("x", 32769) + `"}}`, float64(7), -32004},
		{"bad params", `{"jsonrpc":"2.0","id":8,"method":"Party.prompt","params":{"text":42}}`, float64(8), -32602},
		{"second hello", `{"jsonrpc":"2.0","id":9,"method":"Party.hello","params":{"name":"x","token":"` + token(inv) + `"}}`, float64(9), -32600},
	}
	for _, c := range cases {
		r.sendText(c.msg)
		var m map[string]any
		for {
			m = r.next()
			if m["method"] == nil {
				break
			}
		}
		if m["id"] != c.id || errCode(m) != c.code {
			t.Errorf("%s: got %v, want id %v code %v", c.name, m, c.id, c.code)
		}
	}
	// Exactly the limit is accepted, and the connection still works.
	r.sendText(`{"jsonrpc":"2.0","id":20,"method":"Party.prompt","params":{"text":"` + strings.Repeat("é", 16384) + `"}}`)
	if m := r.reply(20); m["result"] == nil {
		t.Fatalf("32768-byte prompt: %v", m)
	}
	r.sendText(`{"jsonrpc":"2.0","id":21,"method":"Party.ping","params":{}}`)
	if m := r.reply(21); m["result"] != "pong" {
		t.Fatalf("ping: %v", m)
	}
	r.sendText(`{"jsonrpc":"2.0","id":22,"method":"Party.getState","params":{"since":0}}`)
	if m := r.reply(22); len(m["result"].(map[string]any)["pending"].([]any)) != 1 {
		t.Fatalf("getState pending: %v", m)
	}
}

func TestProtocolUnauthorized(t *testing.T) {
	_, inv := host(t, nil, "--insecure", "--no-local-repl")
	t.Run("request before hello", func(t *testing.T) {
		r := dial(t, inv)
		r.sendText(`{"jsonrpc":"2.0","id":1,"method":"Party.prompt","params":{"text":"hi"}}`)
		if m := r.next(); errCode(m) != -32001 {
			t.Fatalf("got %v", m)
		}
		if c := r.closeCode(); c != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d", c)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		r := dial(t, inv)
		r.sendText(`{"jsonrpc":"2.0","id":1,"method":"Party.hello","params":{"name":"eve","token":"nope"}}`)
		if m := r.next(); errCode(m) != -32001 {
			t.Fatalf("got %v", m)
		}
		r.closeCode()
	})
	t.Run("a hello without an id closes 1008 and joins no one", func(t *testing.T) {
		// It would get no reply: the client would never learn its session, and the first
		// message it read would be an event (an independent client's finding).
		r := dial(t, inv)
		r.sendText(`{"jsonrpc":"2.0","method":"Party.hello","params":{"name":"ghost","token":"` + token(inv) + `"}}`)
		r.ws.SetReadDeadline(time.Now().Add(15 * time.Second))
		_, b, err := r.ws.ReadMessage()
		if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
			t.Fatalf("got %q (%v), want close 1008", b, err)
		}
		r2 := dial(t, inv)
		res := r2.hello(inv, "ghost")
		if name := res["you"].(map[string]any)["name"]; name != "ghost" {
			t.Fatalf("the name of the notification's hello was taken: joined as %v", name)
		}
	})
	t.Run("oversize frame closes 1009 and the host stays up", func(t *testing.T) {
		r := dial(t, inv)
		r.hello(inv, "big")
		r.sendText(`{"jsonrpc":"2.0","id":2,"method":"Party.prompt","params":{"text":"` + strings.Repeat("x", 1<<20) + `"}}`)
		if c := r.closeCode(); c != websocket.CloseMessageTooBig {
			t.Fatalf("close code %d, want 1009", c)
		}
		r2 := dial(t, inv)
		r2.hello(inv, "after")
	})
}

func TestProtocolSinceReplaysAndReconnectReplaces(t *testing.T) {
	_, inv := host(t, nil, "--insecure", "--no-local-repl")
	a := dial(t, inv)
	a.sendText(`{"jsonrpc":"2.0","id":1,"method":"Party.hello","params":{"name":"ann","token":"` + token(inv) + `","client_id":"ann-laptop"}}`)
	first := a.next()["result"].(map[string]any)
	id := first["you"].(map[string]any)["id"]
	a.sendText(`{"jsonrpc":"2.0","id":2,"method":"Party.prompt","params":{"text":"count to three"}}`)
	a.reply(2)
	// Wait for the turn on the live connection.
	var lastSeq float64
	for {
		m := a.next()
		if m["method"] == "Client.event" {
			ev := m["params"].(map[string]any)
			lastSeq = ev["seq"].(float64)
			if ev["kind"] == "turn" {
				break
			}
		}
	}
	// The same client_id again: replaces the live connection, same member, listed once.
	b := dial(t, inv)
	b.sendText(`{"jsonrpc":"2.0","id":1,"method":"Party.hello","params":{"name":"ann","token":"` + token(inv) + `","client_id":"ann-laptop","since":2}}`)
	res := b.next()["result"].(map[string]any)
	if res["you"].(map[string]any)["id"] != id {
		t.Fatalf("reconnect changed the member id: %v vs %v", res["you"], id)
	}
	st := res["state"].(map[string]any)
	if n := len(st["participants"].([]any)); n != 1 {
		t.Fatalf("listed %d times", n)
	}
	evs := st["events"].([]any)
	if len(evs) == 0 || evs[0].(map[string]any)["seq"] != float64(3) || st["seq"].(float64) < lastSeq {
		t.Fatalf("since=2 should replay from 3 to at least %v, got %v", lastSeq, evs)
	}
	for i, e := range evs {
		if e.(map[string]any)["seq"] != float64(3+i) {
			t.Fatalf("replay not contiguous at %d: %v", i, evs)
		}
	}
	if last := evs[len(evs)-1].(map[string]any)["seq"]; last != st["seq"] {
		t.Fatalf("replay ends at %v, state.seq is %v", last, st["seq"])
	}
	a.closeCode() // the old connection is closed
}
