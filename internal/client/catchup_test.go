package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// fakeHost serves a host written for one test: handle answers each request, with the
// number of the connection it came on (from 1) and its peer. It gives the invite.
func fakeHost(t *testing.T, handle func(conn int32, peer *rpc.Peer, req *rpc.Request)) invite.Invite {
	t.Helper()
	var conns atomic.Int32
	up := websocket.Upgrader{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		n := conns.Add(1)
		var peer *rpc.Peer
		peer = rpc.New(ws, rpc.Options{Handler: func(_ context.Context, req *rpc.Request) { handle(n, peer, req) }})
		_ = peer.Run(context.Background())
	}))
	t.Cleanup(ts.Close)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	pn, _ := strconv.Atoi(port)
	return invite.Invite{Host: host, Port: pn, Token: tok}
}

// A reconnect whose hello needs paging and whose paging fails leaves the client not
// connected: it used to keep the dead connection, so that the terminal's /retry and the
// window's Retry now did nothing until the next attempt, and calls failed with "rpc:
// connection closed" instead of ErrNotConnected (a reviewer's).
func TestAFailedCatchUpLeavesTheClientNotConnected(t *testing.T) {
	inv := fakeHost(t, func(n int32, peer *rpc.Peer, req *rpc.Request) {
		switch req.Method {
		case wire.MethodHello:
			res := wire.HelloResult{You: wire.Member{ID: "m1", Name: "a", Role: wire.RoleParticipant},
				State: wire.State{Phase: wire.PhaseIdle, Participants: []wire.Member{}, Pending: []wire.Prompt{}, Events: []wire.Event{}}}
			if n > 1 { // a host come back with history to page
				res.State.Seq, res.State.Truncated = 5, true
			}
			req.Reply(res, nil)
			if n == 1 { // the first connection ends soon after its hello
				go func() { time.Sleep(50 * time.Millisecond); peer.Close(websocket.CloseGoingAway, "restart") }()
			}
		case wire.MethodGetState:
			req.Reply(nil, rpc.Errorf(rpc.CodeInternalError, "the history cannot be read"))
		default:
			req.Reply(nil, rpc.Errorf(rpc.CodeMethodNotFound, "no"))
		}
	})
	statuses := make(chan Status, 100)
	c, err := Join(context.Background(), Config{Invite: inv, Name: "a",
		Backoff: []time.Duration{20 * time.Millisecond, time.Minute}, OnStatus: func(s Status) { statuses <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.After(10 * time.Second)
	for waiting := true; waiting; { // the wait after the failed catch-up
		select {
		case s := <-statuses:
			waiting = s.State != StatusReconnecting || s.Attempt < 2
		case <-deadline:
			t.Fatal("no second reconnect")
		}
	}
	if _, err := c.Prompt(context.Background(), "hi"); !errors.Is(err, ErrNotConnected) {
		t.Errorf("a prompt while reconnecting: %v, want ErrNotConnected", err)
	}
	if !c.RetryNow() {
		t.Error("RetryNow while reconnecting did nothing")
	}
}

// A catch-up whose getState is refused as busy (-32003: the host sends its history a few
// replies at a time) asks again shortly and joins: it used to give the connection up.
func TestCatchUpAsksAgainWhenTheHostIsBusy(t *testing.T) {
	var asked atomic.Int32
	inv := fakeHost(t, func(_ int32, _ *rpc.Peer, req *rpc.Request) {
		switch req.Method {
		case wire.MethodHello:
			req.Reply(wire.HelloResult{You: wire.Member{ID: "m1", Name: "a", Role: wire.RoleParticipant},
				State: wire.State{Seq: 1, Truncated: true, Phase: wire.PhaseIdle, Participants: []wire.Member{}, Pending: []wire.Prompt{}, Events: []wire.Event{}}}, nil)
		case wire.MethodGetState:
			if asked.Add(1) <= 2 {
				req.Reply(nil, rpc.Errorf(wire.CodeRateLimited, "rate limited: the host is sending the party's history to other members; ask again in a moment"))
				return
			}
			req.Reply(wire.State{Seq: 1, Phase: wire.PhaseIdle, Participants: []wire.Member{}, Pending: []wire.Prompt{},
				Events: []wire.Event{{Seq: 1, Kind: wire.KindSystem, Text: "the history"}}}, nil)
		default:
			req.Reply(nil, rpc.Errorf(rpc.CodeMethodNotFound, "no"))
		}
	})
	var got atomic.Int64
	c, err := Join(context.Background(), Config{Invite: inv, Name: "a",
		OnEvent: func(ev wire.Event) { got.Store(ev.Seq) }})
	if err != nil {
		t.Fatalf("join with a busy host: %v", err)
	}
	defer c.Close()
	if got.Load() != 1 || asked.Load() != 3 {
		t.Fatalf("got the history up to seq %d after %d getState calls; want 1 after 3", got.Load(), asked.Load())
	}
}

// pagingHost is a fake host whose history is events 1..last, one event per page: the
// hello gives event 1, and each Party.getState the next one, after before(), which may
// answer the call itself (true) instead.
func pagingHost(t *testing.T, last int64, before func(req *rpc.Request) (answered bool)) invite.Invite {
	t.Helper()
	ev := func(seq int64) wire.Event {
		return wire.Event{Seq: seq, Kind: wire.KindSystem, Text: "e" + strconv.FormatInt(seq, 10)}
	}
	state := func(events ...wire.Event) wire.State {
		since := events[0].Seq
		return wire.State{Seq: last, Truncated: since < last, Phase: wire.PhaseIdle, Participants: []wire.Member{}, Pending: []wire.Prompt{}, Events: events}
	}
	return fakeHost(t, func(_ int32, _ *rpc.Peer, req *rpc.Request) {
		switch req.Method {
		case wire.MethodHello:
			req.Reply(wire.HelloResult{You: wire.Member{ID: "m1", Name: "a", Role: wire.RoleParticipant}, State: state(ev(1))}, nil)
		case wire.MethodGetState:
			if before(req) {
				return
			}
			var p wire.GetStateParams
			_ = json.Unmarshal(req.Params, &p)
			req.Reply(state(ev(p.Since+1)), nil)
		default:
			req.Reply(nil, rpc.Errorf(rpc.CodeMethodNotFound, "no"))
		}
	})
}

// joinAll joins inv with cfg and says up to which seq it was delivered.
func joinAll(t *testing.T, cfg Config, last int64) {
	t.Helper()
	var got atomic.Int64
	cfg.Name, cfg.OnEvent = "a", func(e wire.Event) { got.Store(e.Seq) }
	c, err := Join(context.Background(), cfg)
	if err != nil {
		t.Fatalf("the join failed after seq %d: %v", got.Load(), err)
	}
	defer c.Close()
	if got.Load() != last {
		t.Fatalf("delivered up to seq %d; want %d", got.Load(), last)
	}
}

// A first join whose history takes longer to page in than the dial's timeout still gets
// in, each page within its own time: a tester's new member of a 43 MB party on a 2.5 MB/s
// link failed at the same seq on every try ("cannot reach the host").
func TestALongCatchUpOutlastsTheDialTimeout(t *testing.T) {
	inv := pagingHost(t, 6, func(*rpc.Request) bool {
		time.Sleep(150 * time.Millisecond) // a slow link: one page at a time
		return false
	})
	joinAll(t, Config{Invite: inv, DialTimeout: 300 * time.Millisecond}, 6)
}

// A catch-up says how far it has come after the hello's page and after each page since,
// each time with all of that page delivered (a window shows it while the next one comes).
func TestACatchUpSaysHowFarItHasCome(t *testing.T) {
	var got atomic.Int64
	var said []string
	inv := pagingHost(t, 4, func(*rpc.Request) bool { return false })
	c, err := Join(context.Background(), Config{Invite: inv, Name: "a", OnCatchUp: func(have, upTo int64) {
		said = append(said, fmt.Sprintf("%d/%d (delivered %d)", have, upTo, got.Load()))
	}, OnEvent: func(e wire.Event) { got.Store(e.Seq) }})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if want := []string{"1/4 (delivered 1)", "2/4 (delivered 2)", "3/4 (delivered 3)", "4/4 (delivered 4)"}; !slices.Equal(said, want) {
		t.Fatalf("said %q, want %q", said, want)
	}
}

// A long catch-up that meets the host busy now and then (-32003, §1) goes on as long as
// pages come: the tries were counted over the whole catch-up, and a first join past 40
// busy answers in all failed (a reviewer's).
func TestBusyAnswersAreCountedPerPage(t *testing.T) {
	old := catchUpBusyWait
	catchUpBusyWait = time.Millisecond
	t.Cleanup(func() { catchUpBusyWait = old })
	var calls atomic.Int32
	inv := pagingHost(t, 60, func(req *rpc.Request) bool {
		if calls.Add(1)%2 == 1 { // busy every other time
			req.Reply(nil, rpc.Errorf(wire.CodeRateLimited, "busy"))
			return true
		}
		return false
	})
	joinAll(t, Config{Invite: inv}, 60)
}

// A host that ends the party just after a hello (its member's joined event and the end's
// words follow the reply, then the close) has its client end after those events, never
// before: the end waited for the inbox only if it had started when the connection ended,
// and a CI run's terminal said the end twice, "you joined" between.
func TestTheEndComesAfterTheLastEvents(t *testing.T) {
	inv := fakeHost(t, func(_ int32, peer *rpc.Peer, req *rpc.Request) {
		if req.Method != wire.MethodHello {
			req.Reply(nil, rpc.Errorf(rpc.CodeMethodNotFound, "no"))
			return
		}
		req.Reply(wire.HelloResult{You: wire.Member{ID: "m1", Name: "a", Role: wire.RoleParticipant},
			State: wire.State{Seq: 1, Phase: wire.PhaseIdle, Participants: []wire.Member{}, Pending: []wire.Prompt{},
				Events: []wire.Event{{Seq: 1, Kind: wire.KindSystem, Text: "claude started"}}}}, nil)
		n := 2
		_ = peer.Notify(wire.MethodEvent, wire.Event{Seq: 2, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m1", Name: "a"}, Count: &n})
		_ = peer.Notify(wire.MethodEvent, wire.Event{Seq: 3, Kind: wire.KindSystem, Text: "the host ended the party"})
		go peer.Close(websocket.CloseGoingAway, wire.ReasonPartyEnded)
	})
	var delivered atomic.Int32
	c, err := Join(context.Background(), Config{Invite: inv, Name: "a",
		OnHello: func(wire.HelloResult) { time.Sleep(100 * time.Millisecond) }, // the connection ends meanwhile
		OnEvent: func(wire.Event) { time.Sleep(30 * time.Millisecond); delivered.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-c.Done()
	if n := delivered.Load(); n != 3 || !errors.Is(c.Err(), ErrEnded) {
		t.Fatalf("done (%v) with %d of 3 events delivered", c.Err(), n)
	}
}
