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
	"sync"
	"sync/atomic"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// replaySlots is how many connections may have a getState reply built or unsent at once,
// and replaySlotsPerAddr how many of them the connections of one remote address may hold:
// four connections that never read could otherwise keep every joiner from the history.
const (
	replaySlots        = 4
	replaySlotsPerAddr = 2
)

// replayAddrs counts the replay slots each remote address holds.
type replayAddrs struct {
	mu sync.Mutex
	n  map[string]int
}

// take counts one more slot for addr, unless it holds replaySlotsPerAddr already.
func (a *replayAddrs) take(addr string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n[addr] >= replaySlotsPerAddr {
		return false
	}
	if a.n == nil {
		a.n = map[string]int{}
	}
	a.n[addr]++
	return true
}

// give counts one slot fewer for addr.
func (a *replayAddrs) give(addr string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n[addr]--; a.n[addr] <= 0 {
		delete(a.n, addr)
	}
}

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
	busy := rpc.Errorf(wire.CodeRateLimited, "rate limited: the host is sending the party's history to other members; ask again in a moment")
	if !c.srv.replayAddrs.take(c.addr) {
		c.replay.building.Store(false)
		return busy
	}
	select {
	case c.srv.replays <- struct{}{}:
		c.replay.held.Store(true)
		return nil
	default:
		c.srv.replayAddrs.give(c.addr)
		c.replay.building.Store(false)
		return busy
	}
}

// builtReplay says c's reply is queued, with size bytes of history: the slot is freed
// once the connection is idle, or at once for a small reply, which the slots are not for
// (a member back with its last seq would otherwise hold one while its own events are
// written, and its catch-up was refused as busy).
func (c *remote) builtReplay(size int) {
	c.replay.building.Store(false)
	if size <= briefReplay || c.peer.Idle() {
		c.freeReplay() // small, written already, or never queued (a closing peer)
	}
}

// historySize is the bytes of history a state reply carries.
func historySize(st wire.State) int {
	n := 0
	for _, raw := range st.RawEvents {
		n += len(raw)
	}
	return n
}

// freeReplay gives c's slot back, unless a reply is being built. It runs on the write
// pump when the connection is idle (OnIdle), and when the connection ends.
func (c *remote) freeReplay() {
	if !c.replay.building.Load() && c.replay.held.CompareAndSwap(true, false) {
		<-c.srv.replays
		c.srv.replayAddrs.give(c.addr)
	}
}
