package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// sendRaw writes one request of about size bytes of params on a raw client.
func sendRaw(t *testing.T, c *websocket.Conn, id int, method string, size int) {
	t.Helper()
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": map[string]string{"x": strings.Repeat("x", size)}})
	if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
}

// A guarded peer reads one message at a time until Admit; admitted, it reads ahead of
// its handler, and messages over GuardLimit (up to ReadLimit) pass.
func TestGuardedPeer(t *testing.T) {
	checkLeaks(t)
	release := make(chan struct{})
	entered := make(chan string, 16)
	handler := func(_ context.Context, req *Request) {
		entered <- req.Method
		if req.Method == "hello" {
			<-release
			req.peer.Admit()
		}
		req.Reply("ok", nil)
	}
	srv := newServer(t, Options{Handler: handler, Guarded: true, GuardLimit: 1024, ReadLimit: 1 << 20})
	c := dialRaw(t, srv)
	sc := srv.next()
	sendRaw(t, c, 1, "hello", 10)
	sendRaw(t, c, 2, "next", 10)
	sendRaw(t, c, 3, "later", 10)
	if m := <-entered; m != "hello" {
		t.Fatalf("handled %s first", m)
	}
	time.Sleep(200 * time.Millisecond) // time for a read pump that reads ahead
	if n := len(sc.peer.inbox); n != 0 {
		t.Fatalf("a guarded peer read %d messages ahead of its handler", n)
	}
	close(release)
	for _, want := range []string{"next", "later"} {
		if m := <-entered; m != want {
			t.Fatalf("handled %s, want %s", m, want)
		}
	}
	sendRaw(t, c, 4, "big", 64<<10) // over GuardLimit, under ReadLimit
	if m := <-entered; m != "big" {
		t.Fatalf("handled %s, want big", m)
	}
}

// Before Admit, a message over GuardLimit closes the connection with 1009.
func TestGuardedPeerRefusesABigMessageBeforeAdmit(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: func(_ context.Context, req *Request) { req.Reply("ok", nil) }, Guarded: true, GuardLimit: 1024})
	c := dialRaw(t, srv)
	sc := srv.next()
	sendRaw(t, c, 1, "small", 10)
	if r := readFrame(t, c); r.Error != nil {
		t.Fatalf("a small message: %+v", r.Error)
	}
	sendRaw(t, c, 2, "big", 4096)
	c.SetReadDeadline(time.Now().Add(waitLong))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("got %v, want close 1009", err)
	}
	if err := waitErr(t, sc.err); !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "before admission") {
		t.Fatalf("the server's Run = %v", err)
	}
}

// An admitted peer holds at most InboundBytes of messages for a handler that is busy: a
// reviewer's member, its request waiting on a lock, had the host hold 64 messages of 1 MiB
// each. Every message is still handled, in order, once the handler is free.
func TestInboundBytesBounded(t *testing.T) {
	checkLeaks(t)
	release := make(chan struct{})
	entered := make(chan int, 16)
	handler := func(_ context.Context, req *Request) {
		var id int
		_ = json.Unmarshal(req.ID, &id)
		entered <- id
		if req.Method == "slow" {
			<-release
		}
		req.Reply("ok", nil)
	}
	srv := newServer(t, Options{Handler: handler, InboundBytes: 1 << 20, ReadLimit: 2 << 20})
	c := dialRaw(t, srv)
	sc := srv.next()
	sendRaw(t, c, 0, "slow", 10)
	if id := <-entered; id != 0 {
		t.Fatalf("handled %d first", id)
	}
	const n, size = 10, 300 << 10
	sent := make(chan struct{})
	go func() { // the writes block once the read pump stops reading and TCP fills
		defer close(sent)
		for i := 1; i <= n; i++ {
			msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": i, "method": "m", "params": map[string]string{"x": strings.Repeat("x", size)}})
			if c.WriteMessage(websocket.TextMessage, msg) != nil {
				return
			}
		}
	}()
	time.Sleep(300 * time.Millisecond) // time for a read pump that reads ahead
	if q, b := len(sc.peer.inbox), sc.peer.inBytes.Load(); q > 3 || b > 1<<20 {
		t.Fatalf("a busy handler had %d messages (%d bytes) waiting; InboundBytes is 1 MiB", q, b)
	}
	close(release)
	for i := 1; i <= n; i++ {
		if id := <-entered; id != i {
			t.Fatalf("handled %d, want %d", id, i)
		}
	}
	<-sent
}

// A handler that waits in Call gets its reply though a large message came before it: the
// message being handled does not count in InboundBytes (a reviewer's Call timed out behind
// one notification of 4 MiB).
func TestCallAnsweredBehindALargeMessage(t *testing.T) {
	checkLeaks(t)
	handler := func(ctx context.Context, req *Request) {
		if req.Method != "ask" {
			return // the large notification
		}
		var answer string
		err := req.peer.Call(ctx, "question", nil, &answer)
		req.Reply(answer, err)
	}
	srv := newServer(t, Options{Handler: handler, InboundBytes: 1 << 20, ReadLimit: 8 << 20, CallTimeout: 5 * time.Second})
	c := dialRaw(t, srv)
	sendRaw(t, c, 1, "ask", 10)
	var q struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if err := c.ReadJSON(&q); err != nil || q.Method != "question" {
		t.Fatalf("the host's question: %+v %v", q, err)
	}
	big, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "note", "params": map[string]string{"x": strings.Repeat("x", 2<<20)}})
	if err := c.WriteMessage(websocket.TextMessage, big); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": q.ID, "result": "forty-two"}); err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Result string          `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := c.ReadJSON(&reply); err != nil || reply.Result != "forty-two" {
		t.Fatalf("the reply to ask: %+v %s %v", reply, reply.Error, err)
	}
}
