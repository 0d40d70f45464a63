package party

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/wire"
)

// One remote address holds at most half of the prompts waiting: a security tester joined
// 22 times under other names from one machine, each with a rate of its own, filled the
// party's 200 places, and nobody else could prompt until a host rejected the lot. Members
// elsewhere, and the host's own, still prompt; the queue's own limit still holds.
func TestOneAddressFillsAtMostHalfTheQueue(t *testing.T) {
	p, _, aliceID := start(t, Config{Window: time.Hour, MaxPending: 8}) // alice: in this process
	join := func(name, addr string) string {
		t.Helper()
		c := newCollector()
		res, err := p.Join(JoinRequest{Name: name, Token: token, Sub: c, Conn: c, Addr: addr})
		if err != nil {
			t.Fatal(err)
		}
		return res.You.ID
	}
	flood := []string{join("m1", "192.0.2.9"), join("m2", "192.0.2.9"), join("m3", "192.0.2.9")}
	sent := 0
	var refused error
	for i := 0; refused == nil && i < 9; i++ {
		_, refused = p.Prompt(flood[i%3], fmt.Sprintf("junk %d", i))
		if refused == nil {
			sent++
		}
	}
	if sent != 4 || !errors.Is(refused, ErrRateLimited) || !strings.Contains(refused.Error(), "4 prompts from your address are already waiting, at most 4 of the party's 8 places") {
		t.Fatalf("one address sent %d, then %v; want 4, then refused as that address's", sent, refused)
	}
	// Someone elsewhere, and the host's own member, still prompt.
	other := join("ann", "198.51.100.4")
	for i := range 3 {
		if _, err := p.Prompt(other, fmt.Sprintf("ann %d", i)); err != nil {
			t.Fatalf("ann's prompt %d: %v", i, err)
		}
	}
	if _, err := p.Prompt(aliceID, "alice"); err != nil {
		t.Fatalf("the in-process member's prompt: %v", err)
	}
	// The queue is full (8): its own limit, for everyone.
	if _, err := p.Prompt(aliceID, "one more"); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "8 prompts are already waiting") {
		t.Fatalf("a ninth prompt: %v, want the queue full", err)
	}
}

// Over sockets the address is the connection's: two members connected from loopback share
// its half of the queue.
func TestOneAddressShareOverSockets(t *testing.T) {
	_, url := serveConfig(t, Config{Window: time.Hour, MaxPending: 4}, ServerOptions{}, false)
	var conns []*websocket.Conn
	for i := range 2 {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		wsSend(t, ws, 1, wire.MethodHello, wire.HelloParams{Name: fmt.Sprintf("m%d", i), Token: token})
		if e := wsReply(t, ws, 1); e != nil {
			t.Fatalf("hello %d: %+v", i, e)
		}
		conns = append(conns, ws)
	}
	codes := []int{}
	for i := range 3 {
		wsSend(t, conns[i%2], 10+i, wire.MethodPrompt, map[string]string{"text": fmt.Sprintf("p%d", i)})
		code := 0
		if e := wsReply(t, conns[i%2], 10+i); e != nil {
			code = e.Code
		}
		codes = append(codes, code)
	}
	if codes[0] != 0 || codes[1] != 0 || codes[2] != wire.CodeRateLimited {
		t.Fatalf("codes %v, want two prompts taken, the third refused -32003", codes)
	}
}
