package client

import (
	"context"
	"sync"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// maxInboxBytes bounds what one connection holds undelivered; past it the connection is
// dropped and the reconnect catches up with `since`, so nothing is lost.
const maxInboxBytes = 64 << 20

// inbox holds one connection's arriving events until its goroutine (run) delivers them.
// put is called by the peer's dispatch goroutine and never blocks; run fills gaps with
// Party.getState, which it may, not being the dispatch goroutine.
type inbox struct {
	c *Client

	mu       sync.Mutex // guards queue, bytes, overflow
	queue    []wire.Event
	bytes    int
	overflow bool
	wake     chan struct{}
}

func newInbox(c *Client) *inbox { return &inbox{c: c, wake: make(chan struct{}, 1)} }

func (in *inbox) put(ev wire.Event, size int) {
	in.mu.Lock()
	if in.bytes+size > maxInboxBytes {
		in.overflow = true
	} else {
		in.queue = append(in.queue, ev)
		in.bytes += size
	}
	in.mu.Unlock()
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// run delivers the events of peer's connection, in order, until the connection ends. A gap
// it cannot fill, or an inbox that overflowed, ends the connection: the client reconnects
// and resumes from the last event delivered. ran is closed when peer.Run has returned, and
// with it every event read from the connection has been put here: what follows on from the
// last event delivered is delivered before run returns (a gap can no longer be filled).
func (in *inbox) run(peer *rpc.Peer, ran <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-ran:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		in.mu.Lock()
		batch, overflow := in.queue, in.overflow
		in.queue, in.bytes = nil, 0
		in.mu.Unlock()
		if overflow {
			in.c.log.Warn("events arrive faster than they are delivered; reconnecting to catch up")
			peer.Close(websocket.CloseNormalClosure, wire.ReasonReconnecting) // to catch up
			return
		}
		for _, ev := range batch {
			upTo := ev.Seq - 1 // a gap before this event is filled first
			if ev.FirstSeq > 0 && ev.FirstSeq <= in.c.LastSeq() && in.c.LastSeq() < ev.Seq {
				// A merged output event we already have part of (a catch-up got some of it
				// one by one): fetch the rest one by one; the merged one is then a duplicate.
				upTo = ev.Seq
			} else if ev.FirstSeq > 0 {
				upTo = ev.FirstSeq - 1
			}
			if upTo > in.c.LastSeq() && !in.c.catchUp(ctx, upTo) {
				if ctx.Err() == nil {
					peer.Close(websocket.CloseNormalClosure, wire.ReasonReconnecting) // to catch up
				}
				return
			}
			in.c.deliverAll([]wire.Event{ev})
		}
		select {
		case <-in.wake:
		case <-ctx.Done():
			// The connection has ended: deliver what was read and follows on.
			in.mu.Lock()
			rest := in.queue
			in.queue, in.bytes = nil, 0
			in.mu.Unlock()
			for _, ev := range rest {
				first := ev.FirstSeq
				if first == 0 {
					first = ev.Seq
				}
				if first == in.c.LastSeq()+1 {
					in.c.deliverAll([]wire.Event{ev})
				}
			}
			return
		}
	}
}
