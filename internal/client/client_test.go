package client

import (
	"context"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
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
