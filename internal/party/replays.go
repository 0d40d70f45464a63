package party

// The history a member asks for with Party.getState is bounded for the whole party, not
// only per connection. A reply is up to MaxMessage (16 MiB), built from the journal and
// queued for the connection; a viewer link was enough to open 85 connections that each
// asked for it 20 times and never read, and the host grew to 8 GB (a reviewer's). A
// reply is sent only while one of replaySlots is free, and the connection holds its slot
// until it has written everything it was sent (rpc's OnIdle) or ends; a getState that
// finds none free is refused with -32003, to be asked again. A hello's reply takes a slot
// the same way; a hello is never refused for want of one, but its reply then carries
// only briefReplay bytes of history (truncated), and the joiner pages on with getState.

import (
	"sync/atomic"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// replaySlots is how many connections may have a getState reply built or unsent at once.
const replaySlots = 4

// replayHold is one connection's hold on a replay slot.
type replayHold struct {
	held     atomic.Bool // the connection holds a slot
	building atomic.Bool // a reply is being built and queued: OnIdle does not free the slot then
}

// takeReplay gives c a slot for a reply, or says why it cannot have one. One reply at a
// time for a connection: one still unsent keeps the slot, and another would keep it on
// (a reviewer's four slow readers, each pipelining, held all four for good).
func (c *remote) takeReplay() *rpc.Error {
	c.replay.building.Store(true)
	if c.replay.held.Load() {
		c.replay.building.Store(false)
		if c.peer.Idle() {
			c.freeReplay() // written meanwhile, and OnIdle has not run yet
		}
		if c.replay.held.Load() {
			return rpc.Errorf(wire.CodeRateLimited, "rate limited: earlier replies to this connection are still being sent; read them, then ask again")
		}
		c.replay.building.Store(true)
	}
	select {
	case c.srv.replays <- struct{}{}:
		c.replay.held.Store(true)
		return nil
	default:
		c.replay.building.Store(false)
		return rpc.Errorf(wire.CodeRateLimited, "rate limited: the host is sending the party's history to other members; ask again in a moment")
	}
}

// builtReplay says c's reply is queued: the slot is freed once the connection is idle.
func (c *remote) builtReplay() {
	c.replay.building.Store(false)
	if c.peer.Idle() {
		c.freeReplay() // written already, or never queued (a closing peer)
	}
}

// freeReplay gives c's slot back, unless a reply is being built. It runs on the write
// pump when the connection is idle (OnIdle), and when the connection ends.
func (c *remote) freeReplay() {
	if !c.replay.building.Load() && c.replay.held.CompareAndSwap(true, false) {
		<-c.srv.replays
	}
}
