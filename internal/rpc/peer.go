package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Peer is one end of a JSON-RPC connection. Create it with New or Dial, then
// call Run, which owns the connection until it ends. (A Peer that will never
// run must be Closed to release its connection.)
type Peer struct {
	conn *websocket.Conn
	opts Options
	log  *slog.Logger

	send     chan []byte   // outbound queue; only the write pump receives; nil is a nudge (nudge)
	pingDue  atomic.Bool   // the ping timer fired: the write pump pings next
	deadline time.Time     // the write deadline last given to conn (SetWriteDeadline); the write pump's
	queued   atomic.Int64  // bytes in send, bounded by Options.SendQueueBytes
	inFlight atomic.Int64  // messages in send or being written: 0 means idle
	inbox    chan inItem   // read pump → dispatch goroutine
	inBytes  atomic.Int64  // bytes of the messages in inbox, bounded by Options.InboundBytes
	freed    chan struct{} // dispatch → a read pump waiting for inBytes to fall (cap 1)
	alive    aliveReader   // the read pump's, for the message it reads (readMessage)

	// admitted: Admit was called (Options.Guarded). handled tells a guarded read pump
	// that the dispatch goroutine has handled the message it waits on.
	admitted atomic.Bool
	handled  chan struct{}

	// direct is the connection's direct write (a server connection from a DirectListener),
	// or nil. flushDue says a direct write left part of a frame for the write pump, which
	// writes it and then counts the frame out of inFlight.
	direct   DirectWriter
	flushDue atomic.Bool

	// closing is closed once, by shutdown, when the peer starts to end;
	// creq is written just before and only read after <-closing.
	closing   chan struct{}
	closeOnce sync.Once
	creq      closeReq

	readDone chan struct{} // closed when the read pump returns
	// peerClosed is why the connection ended when the read pump read the peer's close
	// frame, or a message over the limit, after which gorilla sent a close frame itself
	// (readFailed); only the read pump, on Run's goroutine, sets it.
	peerClosed error
	connClosed chan struct{} // closed after conn.Close
	done       chan struct{} // closed when the connection has ended; err set before
	err        error

	startMu sync.Mutex
	started bool // Run (or Close without Run) has taken the connection

	nextID  atomic.Uint64
	pmu     sync.Mutex // guards pending
	pending map[string]chan message
}

// closeReq says why and how the peer ends.
type closeReq struct {
	cause     error // wraps ErrClosed
	code      int   // close code to send when sendClose
	reason    string
	flush     bool // write what is queued before the close frame
	sendClose bool // send a close frame (false when the peer or gorilla already did, or the conn is broken)
	noWait    bool // do not wait for the peer to answer the close frame (CloseNow)
	// wrote: a write failed (see endCause).
	wrote bool
}

// inItem is one unit of work for the dispatch goroutine: a request to handle
// or a prepared error reply to a malformed message (queued too, so that it
// keeps its place among the replies).
type inItem struct {
	req   *Request
	fault []byte
	size  int64 // the message's bytes, counted in Peer.inBytes
}

// New wraps an established websocket connection. Nothing happens on the
// connection until Run is called; New only configures the read limit and
// the pong handler.
func New(conn *websocket.Conn, opts Options) *Peer {
	opts = opts.withDefaults()
	p := &Peer{
		conn:       conn,
		opts:       opts,
		log:        opts.Logger,
		send:       make(chan []byte, opts.SendQueue),
		inbox:      make(chan inItem, opts.InboundQueue),
		closing:    make(chan struct{}),
		readDone:   make(chan struct{}),
		connClosed: make(chan struct{}),
		done:       make(chan struct{}),
		pending:    make(map[string]chan message),
		handled:    make(chan struct{}, 1),
		freed:      make(chan struct{}, 1),
	}
	if d, ok := conn.UnderlyingConn().(DirectWriter); ok {
		p.direct = d
	}
	if opts.ReadLimit > 0 {
		conn.SetReadLimit(opts.ReadLimit)
	}
	// Runs on the read pump, inside ReadMessage.
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(opts.PongWait))
	})
	return p
}

// Admit lifts Options.Guarded's limits: the remote has said who it is. Call it before the
// reply that tells the remote so, so that what it sends after that reply is read as any
// peer's.
func (p *Peer) Admit() { p.admitted.Store(true) }

// RemoteAddr is the peer's network address.
func (p *Peer) RemoteAddr() net.Addr { return p.conn.RemoteAddr() }

// Run serves the connection: it starts the read pump, the write pump and the
// dispatch goroutine, and blocks until the connection has ended and the
// handler in progress (if any) has returned. It returns the cause, which
// always wraps ErrClosed (after Close it is ErrClosed itself). Cancelling
// ctx closes the connection with 1001 (going away) after flushing the queue.
// A second Run waits for the first and returns the same cause.
func (p *Peer) Run(ctx context.Context) error {
	p.startMu.Lock()
	if p.started {
		p.startMu.Unlock()
		<-p.done
		return p.err
	}
	p.started = true
	p.startMu.Unlock()

	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var dispatch sync.WaitGroup
	dispatch.Go(func() { p.dispatch(hctx) })
	go p.writePump()
	stop := context.AfterFunc(ctx, func() {
		p.shutdown(closeReq{
			cause: fmt.Errorf("%w: %w", ErrClosed, context.Cause(ctx)),
			code:  websocket.CloseGoingAway, reason: "going away",
			flush: true, sendClose: true,
		})
	})

	// The read pump runs on Run's own goroutine: one goroutine fewer per connection (a
	// thousand idle participants are a thousand of them).
	p.readPump()
	<-p.connClosed
	stop()
	p.err = p.endCause()
	close(p.done)
	cancel()
	dispatch.Wait()
	return p.err
}

// endCause is why the connection ended, once the pumps have: the first shutdown's cause
// (every path that ends the pumps goes through shutdown), but what the read pump read
// (the peer's own close frame, a message over the limit) over a write that failed first.
// Once gorilla has sent a close frame (its echo of the peer's, or its own 1009), the next
// write fails with websocket.ErrCloseSent; a write pump that got there before the read
// pump made "cleo gave up on a silent host" read as "cleo left" (a CI run's
// TestALostConnectionIsNotALeave; eve's message over 1 MiB too, under -cpu 1,2,4). Only on
// Run's goroutine, after readPump.
func (p *Peer) endCause() error {
	if p.creq.wrote && p.peerClosed != nil {
		return p.peerClosed
	}
	return p.creq.cause
}

// Done is closed when the connection has ended (Err is then set). Pending
// Calls fail at that moment.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Err is why the connection ended (wrapping ErrClosed), or nil while it lives.
func (p *Peer) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Close ends the connection: what is already queued is written (bounded by
// WriteWait), then a close frame with code and reason, then the connection
// is closed once the peer answers the close frame or WriteWait passes. It
// returns when the connection is closed; it does not wait for a running
// handler, so handlers may call it. Idempotent; the first caller's code wins.
func (p *Peer) Close(code int, reason string) {
	p.close(closeReq{cause: ErrClosed, code: code, reason: reason, flush: true, sendClose: true})
}

// CloseNow is Close without waiting for the other side to answer the close frame: for a
// peer that has stopped answering (a hello that got no reply in its time), whose answer
// Close would wait WriteWait for in vain (a join's Ctrl-C then took ten seconds).
func (p *Peer) CloseNow(code int, reason string) {
	p.close(closeReq{cause: ErrClosed, code: code, reason: reason, flush: true, sendClose: true, noWait: true})
}

func (p *Peer) close(req closeReq) {
	p.shutdown(req)
	p.startMu.Lock()
	runless := !p.started
	p.started = true
	p.startMu.Unlock()
	if runless {
		// Nobody runs the pumps: end the connection here, the way the write
		// pump would, and stand in for Run.
		close(p.readDone) // there is no reader to wait for
		p.finish(nil)
		close(p.connClosed)
		p.err = p.creq.cause
		close(p.done)
	}
	<-p.connClosed
}

// shutdown starts the end of the peer. Only the first request counts.
func (p *Peer) shutdown(req closeReq) {
	p.closeOnce.Do(func() {
		p.creq = req
		close(p.closing)
		p.nudge()
	})
}

// nudge wakes the write pump to look at closing and pingDue. The pump waits on send
// alone (one channel is cheaper to wait on than three, and it waits once per message
// sent to an idle connection); a full queue needs no nudge, as the pump looks after
// every message.
func (p *Peer) nudge() {
	select {
	case p.send <- nil:
	default:
	}
}

// closedErr is the error for operations attempted once the peer is closing.
func (p *Peer) closedErr() error {
	select {
	case <-p.closing:
		return p.creq.cause
	default:
		return ErrClosed
	}
}

// enqueue puts one message on the send queue without blocking. A queue full in
// messages or in bytes drops the peer.
func (p *Peer) enqueue(msg []byte) error {
	if msg == nil {
		msg = []byte{} // nil is the write pump's nudge
	}
	select {
	case <-p.closing:
		return p.closedErr()
	default:
	}
	full := p.queued.Add(int64(len(msg))) > p.opts.SendQueueBytes
	if !full {
		p.inFlight.Add(1)
		select {
		case p.send <- msg:
			return nil
		default:
		}
		p.inFlight.Add(-1)
	}
	p.queued.Add(-int64(len(msg)))
	p.log.Warn("rpc: send queue full, dropping peer", "remote", p.conn.RemoteAddr(), "queue", p.opts.SendQueue, "queued_bytes", p.queued.Load())
	p.shutdown(closeReq{
		cause: fmt.Errorf("%w: %w", ErrClosed, ErrSlowPeer),
		code:  websocket.CloseTryAgainLater, reason: "too slow",
		sendClose: true,
	})
	return p.closedErr()
}

// Idle reports whether nothing waits in the send queue or is being written: a message
// sent now goes out at once.
func (p *Peer) Idle() bool { return p.inFlight.Load() == 0 }

// SendFrame queues msg, an encoded JSON-RPC message (a notification built once for many
// peers), like Notify. It never blocks; an overflowing queue drops the peer.
func (p *Peer) SendFrame(msg []byte) error { return p.enqueue(msg) }

// SendPrepared sends m, an encoded JSON-RPC message prepared once for many peers, like
// SendFrame. When the connection is idle and can write directly (DirectListener), the
// frame is written here, on the caller's goroutine, if the socket takes it without
// blocking; otherwise it is queued for the write pump. It never blocks, and it never
// calls OnIdle (a caller holding messages back looks at Idle after it).
func (p *Peer) SendPrepared(m Prepared) error {
	if p.direct == nil || !p.inFlight.CompareAndSwap(0, 1) {
		return p.enqueue(m.Payload())
	}
	// inFlight is ours: nothing is queued or being written, so this frame overtakes nothing.
	select {
	case <-p.closing:
		p.inFlight.Add(-1)
		return p.closedErr()
	default:
	}
	if n, ok := p.direct.TryWrite(m.frame); ok {
		if n < len(m.frame) {
			// The socket took part of it: the rest goes before anything else written, and
			// the write pump writes it now (inFlight stays taken until it has).
			p.flushDue.Store(true)
			p.nudge()
		} else {
			p.inFlight.Add(-1)
		}
		return nil
	}
	err := p.enqueue(m.Payload())
	p.inFlight.Add(-1)
	return err
}

// Queued is how many bytes wait in the send queue: a server can refuse more work from a
// peer that does not read what it already asked for.
func (p *Peer) Queued() int64 { return p.queued.Load() }

// Notify sends a notification. It never blocks: the message is queued, and
// an overflowing queue drops the peer (the error then wraps ErrSlowPeer).
func (p *Peer) Notify(method string, params any) error {
	raw, err := marshalParams(params)
	if err != nil {
		return fmt.Errorf("notify %s: %w", method, err)
	}
	if err := p.enqueue(encodeRequest(nil, method, raw)); err != nil {
		return fmt.Errorf("notify %s: %w", method, err)
	}
	return nil
}

// Call sends a request and waits for its reply, ctx, CallTimeout or the end
// of the peer. An error reply is returned as an *Error; a timeout wraps
// ErrTimeout (and so context.DeadlineExceeded); the end of the peer wraps
// ErrClosed. result, when not nil, receives the decoded result.
func (p *Peer) Call(ctx context.Context, method string, params, result any) error {
	raw, err := marshalParams(params)
	if err != nil {
		return fmt.Errorf("call %s: %w", method, err)
	}
	id := strconv.FormatUint(p.nextID.Add(1), 10)
	ch := make(chan message, 1)
	p.pmu.Lock()
	p.pending[id] = ch
	p.pmu.Unlock()
	defer func() {
		p.pmu.Lock()
		delete(p.pending, id)
		p.pmu.Unlock()
	}()

	if err := p.enqueue(encodeRequest(json.RawMessage(id), method, raw)); err != nil {
		return fmt.Errorf("call %s: %w: %w", method, ErrNotSent, err)
	}
	timer := time.NewTimer(p.opts.CallTimeout)
	defer timer.Stop()
	m, err := p.await(ctx, ch, timer.C)
	if err != nil {
		return fmt.Errorf("call %s: %w", method, err)
	}
	if m.err != nil {
		return m.err
	}
	if result != nil {
		if err := json.Unmarshal(m.result, result); err != nil {
			return fmt.Errorf("call %s: decode result: %w", method, err)
		}
	}
	return nil
}

// await waits for a call's reply on ch. A reply read before the connection ended is the
// answer, though the end is seen too: a host refuses a hello with an error and then
// closes, and both were often ready when the caller came to wait; a select picks either,
// and half the time the refusal's reason (a removal, and who removed) was lost to "the
// connection was closed" (a session test's, 1 run in 10 under load).
func (p *Peer) await(ctx context.Context, ch <-chan message, timeout <-chan time.Time) (message, error) {
	select {
	case m := <-ch:
		return m, nil
	case <-ctx.Done():
		return message{}, ctx.Err()
	case <-timeout:
		return message{}, fmt.Errorf("no reply within %v: %w", p.opts.CallTimeout, ErrTimeout)
	case <-p.done:
		select {
		case m := <-ch:
			return m, nil
		default:
			return message{}, p.err
		}
	}
}

// readPump is the only reader of the connection. It ends on the first read
// error, after starting shutdown with the cause.
func (p *Peer) readPump() {
	defer close(p.readDone)
	for {
		// The deadline is renewed before every read (and by each pong), so a
		// read pump held up by a full inbox is not mistaken for a silent peer, and
		// while a message arrives (aliveReader): a large one on a slow link is a
		// peer at work, not a silent one.
		set := time.Now()
		if err := p.conn.SetReadDeadline(set.Add(p.opts.PongWait)); err != nil {
			p.readFailed(err)
			return
		}
		typ, data, err := p.readMessage(set)
		if err != nil {
			p.readFailed(err)
			return
		}
		guarded := p.opts.Guarded && !p.admitted.Load()
		if guarded && int64(len(data)) > p.opts.GuardLimit {
			p.log.Warn("rpc: message over the limit before admission, closing", "remote", p.conn.RemoteAddr(), "limit", p.opts.GuardLimit)
			p.shutdown(closeReq{cause: fmt.Errorf("%w: a message of %d bytes before admission", ErrClosed, len(data)),
				code: websocket.CloseMessageTooBig, reason: "message too big before hello", sendClose: true})
			return
		}
		if typ == websocket.TextMessage && !utf8.Valid(data) {
			// RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection (1007);
			// gorilla does not check it, and JSON decoding would turn it into U+FFFD.
			p.log.Warn("rpc: text message is not UTF-8, closing", "remote", p.conn.RemoteAddr())
			p.shutdown(closeReq{cause: fmt.Errorf("%w: %w", ErrClosed, ErrNotUTF8),
				code: websocket.CloseInvalidFramePayloadData, reason: "text message is not UTF-8", sendClose: true})
			return
		}
		var item inItem
		if typ != websocket.TextMessage {
			item.fault = p.faultReply(faultf(CodeInvalidRequest, jsonNull, "invalid request: binary frames are not supported"))
		} else {
			m := decode(data)
			switch m.kind {
			case kindResponse:
				p.route(m)
				continue
			case kindFault:
				item.fault = p.faultReply(m)
			default:
				item.req = &Request{Method: m.method, Params: m.params, ID: m.id, peer: p}
			}
		}
		// Past Options.InboundBytes the read pump waits for handled messages to free their
		// bytes (TCP then pushes back on the sender); one message is always let in.
		item.size = int64(len(data))
		for n := p.inBytes.Load(); n > 0 && n+item.size > p.opts.InboundBytes; n = p.inBytes.Load() {
			select {
			case <-p.freed:
			case <-p.closing:
				return
			}
		}
		p.inBytes.Add(item.size)
		select {
		case p.inbox <- item:
		case <-p.closing:
			return
		}
		if guarded { // one message at a time until admitted
			select {
			case <-p.handled:
			case <-p.closing:
				return
			}
		}
	}
}

func (p *Peer) faultReply(m message) []byte {
	p.log.Debug("rpc: refusing malformed message", "remote", p.conn.RemoteAddr(), "code", m.fault.Code, "reason", m.fault.Message)
	b, _ := encodeError(m.id, m.fault) // no Data: cannot fail
	return b
}

// readMessage reads the next message whole, as websocket.Conn.ReadMessage does, moving the
// read deadline forward while its bytes keep coming: PongWait counts silence, not how long
// a message takes (a client's 30 s would otherwise give up on a host sending it a large
// history over a slow link, and again on every reconnect).
// set is when the deadline was last renewed: a message that begins late in the wait is
// renewed at its first bytes, not a second after them (a reviewer's).
func (p *Peer) readMessage(set time.Time) (int, []byte, error) {
	typ, r, err := p.conn.NextReader()
	if err != nil {
		return typ, nil, err
	}
	p.alive = aliveReader{r: r, p: p, renewed: set} // the read pump's own: no allocation per message
	data, err := io.ReadAll(&p.alive)
	p.alive.r = nil
	return typ, data, err
}

// aliveReader renews the peer's read deadline while bytes of a message arrive, at most once
// a second (or a quarter of PongWait, when that is less).
type aliveReader struct {
	r       io.Reader
	p       *Peer
	renewed time.Time
}

func (a *aliveReader) Read(b []byte) (int, error) {
	n, err := a.r.Read(b)
	if n > 0 {
		if now := time.Now(); now.Sub(a.renewed) >= min(time.Second, a.p.opts.PongWait/4) {
			a.renewed = now
			if derr := a.p.conn.SetReadDeadline(now.Add(a.p.opts.PongWait)); derr != nil && err == nil {
				err = derr
			}
		}
	}
	return n, err
}

// readFailed turns a read error into the cause of the peer's end.
func (p *Peer) readFailed(err error) {
	req := closeReq{cause: fmt.Errorf("%w: %w", ErrClosed, err)}
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		// The peer closed; gorilla has already echoed its close frame.
		p.peerClosed = req.cause
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla has already sent close 1009.
		p.log.Warn("rpc: message over the read limit, closing", "remote", p.conn.RemoteAddr(), "limit", p.opts.ReadLimit)
		req.cause = fmt.Errorf("%w: read message: %w", ErrClosed, err)
		p.peerClosed = req.cause
	case errors.As(err, &ne) && ne.Timeout():
		p.log.Info("rpc: peer silent, closing", "remote", p.conn.RemoteAddr(), "pong_wait", p.opts.PongWait)
		req.cause = fmt.Errorf("%w: peer silent for %v: %w", ErrClosed, p.opts.PongWait, err)
		req.code, req.reason, req.sendClose = websocket.CloseGoingAway, ReasonSilent, true
	}
	p.shutdown(req)
}

// route hands a response to the Call waiting for it.
func (p *Peer) route(m message) {
	p.pmu.Lock()
	ch, ok := p.pending[string(m.id)]
	delete(p.pending, string(m.id))
	p.pmu.Unlock()
	if ok {
		ch <- m // buffered, and removed from pending: never blocks
		return
	}
	if m.err != nil && string(m.id) == "null" {
		p.log.Warn("rpc: peer reported an error", "remote", p.conn.RemoteAddr(), "code", m.err.Code, "message", m.err.Message)
		return
	}
	p.log.Debug("rpc: response with unknown id ignored", "remote", p.conn.RemoteAddr())
}

// dispatch runs handlers one at a time, in arrival order, until ctx ends; then it runs
// the ones already read (the last messages before a close are often the ones that matter:
// a party's end comes as events and a close frame right behind them), and returns.
func (p *Peer) dispatch(ctx context.Context) {
	for {
		select {
		case item := <-p.inbox:
			// Out of the inbox, its bytes are the handler's: a handler that waits in Call
			// must not keep the reply behind them unread (a reviewer's timed out behind
			// one notification of 4 MiB).
			p.inBytes.Add(-item.size)
			select { // a read pump over Options.InboundBytes may read the next one
			case p.freed <- struct{}{}:
			default:
			}
			if item.fault != nil {
				_ = p.enqueue(item.fault) // a closing peer needs no reply
			} else {
				p.handle(ctx, item.req)
			}
			select { // a guarded read pump reads the next one (Options.Guarded)
			case p.handled <- struct{}{}:
			default:
			}
		case <-ctx.Done():
			for { // Run cancels ctx after the read pump has stopped: nothing more comes in
				select {
				case item := <-p.inbox:
					if item.fault == nil {
						p.handle(ctx, item.req)
					}
				default:
					return
				}
			}
		}
	}
}

func (p *Peer) handle(ctx context.Context, req *Request) {
	if p.opts.Handler == nil {
		req.Reply(nil, Errorf(CodeMethodNotFound, "method not found"))
		return
	}
	func() {
		defer func() {
			if v := recover(); v != nil {
				p.log.Error("rpc: handler panicked", "method", req.Method, "panic", v, "stack", string(debug.Stack()))
			}
		}()
		p.opts.Handler(ctx, req)
	}()
	if !req.IsNotification() && !req.replied.done() {
		p.log.Error("rpc: handler returned without a reply", "method", req.Method)
		req.Reply(nil, Errorf(CodeInternalError, "internal error"))
	}
}

// encodeReply builds the response to req. Errors that are not *Error are
// logged here and reduced to "internal error" on the wire.
func (p *Peer) encodeReply(req *Request, result any, err error) []byte {
	if err == nil {
		raw, mErr := json.Marshal(result)
		if mErr == nil {
			return encodeResult(req.ID, raw)
		}
		err = fmt.Errorf("marshal result: %w", mErr)
	}
	var e *Error
	if !errors.As(err, &e) {
		p.log.Error("rpc: request failed", "method", req.Method, "err", err)
		e = Errorf(CodeInternalError, "internal error")
	}
	b, encErr := encodeError(req.ID, e)
	if encErr != nil {
		p.log.Error("rpc: error data dropped", "method", req.Method, "err", encErr)
	}
	return b
}

// writePump is the only goroutine that writes data frames, pings and our
// close frame. It ends the connection (finish) once shutdown has started.
func (p *Peer) writePump() {
	defer close(p.connClosed)
	ping := time.AfterFunc(p.opts.PingInterval, func() { p.pingDue.Store(true); p.nudge() })
	defer ping.Stop()
	for {
		msg := <-p.send
		select {
		case <-p.closing:
			p.finish(msg)
			return
		default:
		}
		var err error
		if msg != nil {
			p.queued.Add(-int64(len(msg)))
			err = p.write(msg)
			if p.inFlight.Add(-1) == 0 && err == nil && p.opts.OnIdle != nil {
				p.opts.OnIdle() // the sender may have held messages back meanwhile
			}
		}
		if err == nil && p.flushDue.CompareAndSwap(true, false) {
			// The rest of a direct write (a message written since went after it), with a
			// whole WriteWait for it: the socket may still have the deadline of gorilla's
			// last pong.
			p.deadline = time.Now().Add(p.opts.WriteWait)
			if err = p.conn.SetWriteDeadline(p.deadline); err == nil {
				_, err = p.direct.Flush(p.deadline)
			}
			if p.inFlight.Add(-1) == 0 && err == nil && p.opts.OnIdle != nil {
				p.opts.OnIdle()
			}
		}
		if err == nil && p.pingDue.CompareAndSwap(true, false) {
			// WriteControl gives the socket this deadline for the ping alone; the next data
			// frame gets gorilla's own write deadline again (the one p.deadline tracks), so
			// p.deadline must not move here.
			err = p.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(p.opts.WriteWait))
			ping.Reset(p.opts.PingInterval)
		}
		if err != nil {
			// No close frame: a failed write leaves the stream unusable.
			p.shutdown(closeReq{cause: fmt.Errorf("%w: write: %w", ErrClosed, err), wrote: true})
			p.finish(nil)
			return
		}
	}
}

// write writes one data frame with at least half of Options.WriteWait to do it in. The
// deadline moves forward only when less than that is left: gorilla hands it to the
// connection on every frame, and an unchanged deadline costs the runtime nothing, where a
// new one re-arms a timer (and may wake the network poller) for every frame sent.
func (p *Peer) write(msg []byte) error {
	if now := time.Now(); p.deadline.Sub(now) < p.opts.WriteWait/2 {
		p.deadline = now.Add(p.opts.WriteWait)
		if err := p.conn.SetWriteDeadline(p.deadline); err != nil {
			return err
		}
	}
	return p.writeMessage(msg)
}

// writeMessage writes one data frame. gorilla writes a frame larger than its buffer in
// more than one Write call: a connection that takes direct writes is held for the whole
// frame, so that none lands in between.
func (p *Peer) writeMessage(msg []byte) error {
	if p.direct == nil {
		return p.conn.WriteMessage(websocket.TextMessage, msg)
	}
	return p.direct.WholeFrames(func() error { return p.conn.WriteMessage(websocket.TextMessage, msg) })
}

// finish carries out creq: flush (taken first: a message the write pump took
// from the queue and has not written), close frame, wait for the peer's close
// frame, close the connection. Called once, by the write pump (or by Close
// when Run never started).
func (p *Peer) finish(taken []byte) {
	req := p.creq
	if req.flush {
		// One deadline for the whole flush: a reader that stopped cannot hold it longer.
		p.deadline = time.Now().Add(p.opts.WriteWait)
		_ = p.conn.SetWriteDeadline(p.deadline) // an error shows in the write
		msg, ok := taken, true
		for ok {
			if msg != nil { // nil: a nudge
				p.queued.Add(-int64(len(msg)))
				p.inFlight.Add(-1)
				if err := p.writeMessage(msg); err != nil {
					p.log.Debug("rpc: flush failed", "remote", p.conn.RemoteAddr(), "err", err)
					break
				}
			}
			select {
			case msg = <-p.send:
			default:
				ok = false
			}
		}
	}
	if req.sendClose {
		frame := websocket.FormatCloseMessage(sendableCode(req.code), closeReason(req.reason))
		err := p.conn.WriteControl(websocket.CloseMessage, frame, time.Now().Add(p.opts.WriteWait))
		if err == nil && !req.noWait {
			// Give the peer a moment to answer, so that it sees a clean close
			// rather than a reset; the read pump ends when the answer comes.
			t := time.NewTimer(p.opts.WriteWait)
			select {
			case <-p.readDone:
			case <-t.C:
			}
			t.Stop()
		}
	}
	if err := p.conn.Close(); err != nil {
		p.log.Debug("rpc: close", "remote", p.conn.RemoteAddr(), "err", err)
	}
}

// closeReason fits a reason into a close frame (125 bytes with the 2-byte
// code), cutting on a rune boundary.
func closeReason(s string) string {
	const maxReason = 123
	if len(s) <= maxReason {
		return s
	}
	s = s[:maxReason]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// sendableCode maps codes that must not appear in a close frame (RFC 6455
// §7.4: 1004–1006, 1015, and anything outside the defined ranges) to 1000, so
// that the peer does not treat our close as a protocol error.
func sendableCode(code int) int {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014, code >= 3000 && code <= 4999:
		return code
	}
	return websocket.CloseNormalClosure
}
