package party

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/netkey"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// ServerOptions tunes the WebSocket side.
type ServerOptions struct {
	HelloTimeout time.Duration // default 10s (PROTOCOL.md §4)
	SendQueue    int           // per participant, default 256 messages (busy connections merge output instead of queueing it)
	ReqBurst     int           // requests a participant may make at once (default 60)
	ReqEvery     time.Duration // one more request allowed per this (default 50ms)
	Logger       *slog.Logger
	// PingInterval and PongWait override the rpc defaults (tests).
	PingInterval, PongWait time.Duration
	// Refused hellos (a wrong token or session) per remote address: a burst, then at most
	// RefusalRate a second; later refusals are delayed (default 20 and 20).
	RefusalBurst int
	RefusalRate  float64
	// Hellos per remote address with an invite or session the party knows: a burst, then
	// at most JoinRate a second; later ones wait, up to maxJoinWait (default: the party's
	// MaxParticipants + 32, the connections one address may hold, and 1 a second). A
	// reviewer's viewer link joined and left 3,317 times a minute from one address, each
	// time 530 bytes of journal and two lines in every terminal.
	JoinBurst int
	JoinRate  float64
}

// Server serves the party's JSON-RPC endpoint (wire.RPCPath) over WebSocket.
// Each connection runs on the http.Server goroutine that accepted it; Close ends them all
// and waits for them.
type Server struct {
	party    *Party
	opts     ServerOptions
	log      *slog.Logger
	upgrader websocket.Upgrader
	ctx      context.Context
	cancel   context.CancelFunc

	mu     sync.Mutex // guards peers and closed
	peers  map[*rpc.Peer]struct{}
	closed bool
	conns  sync.WaitGroup

	refusals *addrLimiter  // refused hellos, per address
	joins    *addrLimiter  // hellos, per address
	replays  chan struct{} // a slot per getState reply built or unsent (replays.go)
	// replayAddrs: how many of them each remote address holds (replays.go).
	replayAddrs replayAddrs

	frameMu   sync.Mutex // the party's loop and its fan-out helper both send (see frame)
	frameSeq  int64
	lastFrame rpc.Prepared
	hasFrame  bool
}

// NewServer makes the endpoint for p.
func NewServer(p *Party, opts ServerOptions) *Server {
	if opts.HelloTimeout <= 0 {
		opts.HelloTimeout = 10 * time.Second
	}
	if opts.SendQueue <= 0 {
		opts.SendQueue = 256
	}
	if opts.ReqBurst <= 0 {
		opts.ReqBurst = 60
	}
	if opts.ReqEvery <= 0 {
		opts.ReqEvery = 50 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RefusalBurst <= 0 {
		opts.RefusalBurst = 20
	}
	if opts.RefusalRate <= 0 {
		opts.RefusalRate = 20
	}
	if opts.JoinBurst <= 0 {
		opts.JoinBurst = p.cfg.MaxParticipants + 32 // as many as the connections one address may hold (host)
	}
	if opts.JoinRate <= 0 {
		opts.JoinRate = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		party: p,
		opts:  opts,
		log:   opts.Logger,
		// CheckOrigin stays nil: gorilla then refuses a browser page from another origin
		// (a page cannot ride on someone's LAN reachability) and accepts native clients,
		// which send no Origin header.
		// Small read buffers and pooled write buffers: an idle participant costs little
		// memory (a write buffer is only held while a message is written).
		upgrader: websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{},
			HandshakeTimeout: 10 * time.Second},
		ctx:      ctx,
		cancel:   cancel,
		peers:    map[*rpc.Peer]struct{}{},
		refusals: newAddrLimiter(opts.RefusalBurst, opts.RefusalRate),
		joins:    newAddrLimiter(opts.JoinBurst, opts.JoinRate),
		replays:  make(chan struct{}, replaySlots),
	}
}

// ServeHTTP upgrades the request and serves one participant until the connection ends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, wire.ReasonPartyEnded, http.StatusServiceUnavailable)
		return
	}
	s.conns.Add(1)
	s.mu.Unlock()
	defer s.conns.Done()

	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Debug("upgrade", "err", err, "remote", r.RemoteAddr)
		return // the upgrader has answered
	}
	c := &remote{srv: s, tokens: float64(s.opts.ReqBurst), refill: time.Now(), addr: netkey.Of(r.RemoteAddr), conn: conn.NetConn()}
	c.peer = rpc.New(conn, rpc.Options{
		Handler:      c.handle,
		OnIdle:       c.onIdle,
		ReadLimit:    wire.MaxPeerMessage,
		Guarded:      true, // until its hello is taken: one small message at a time
		SendQueue:    s.opts.SendQueue,
		PingInterval: s.opts.PingInterval,
		PongWait:     s.opts.PongWait,
		Logger:       s.log.With("remote", r.RemoteAddr),
	})
	c.out = c.peer
	s.mu.Lock()
	s.peers[c.peer] = struct{}{}
	s.mu.Unlock()

	hello := time.AfterFunc(s.opts.HelloTimeout, func() {
		c.helloDue.Store(true)
		// busy before joined: a join sets joined before it clears busy, so a timer that
		// finds it not busy then finds it joined (read the other way round, a join that
		// ended in between was closed).
		if !c.helloBusy.Load() && !c.joined.Load() {
			c.closeNoHello()
		}
	})
	err = c.peer.Run(s.ctx)
	hello.Stop()
	s.log.Debug("connection ended", "remote", r.RemoteAddr, "err", err)
	c.replay.building.Store(false)
	c.freeReplay()
	if id := c.memberID(); id != "" {
		s.party.Lost(id, c, lostHow(err))
	}
	s.mu.Lock()
	delete(s.peers, c.peer)
	s.mu.Unlock()
}

// markJoined tells the listener's connection under c, through TLS and wrappers that pass
// their bytes on, that it belongs to a member now, or no longer (the host's listener keeps
// members' connections over the others when it is full).
func markJoined(c net.Conn, joined bool) {
	for c != nil {
		switch v := c.(type) {
		case interface{ Joined(bool) }:
			v.Joined(joined)
			return
		case interface{ NetConn() net.Conn }: // *tls.Conn
			c = v.NetConn()
		case rpc.Underlier:
			c = v.Underlying()
		default:
			return
		}
	}
}

// Close tells every participant the party ended, closes their connections and waits for
// their goroutines (bounded by ctx).
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	peers := make([]*rpc.Peer, 0, len(s.peers))
	for p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	// Each Close waits for its peer's close handshake: do them side by side.
	var closing sync.WaitGroup
	for _, p := range peers {
		closing.Add(1)
		go func() {
			defer closing.Done()
			p.Close(websocket.CloseGoingAway, wire.ReasonPartyEnded)
		}()
	}
	closed := make(chan struct{})
	go func() { closing.Wait(); close(closed) }() // each ends within its WriteWait
	select {
	case <-closed:
	case <-ctx.Done(): // a peer that does not answer its close frame holds Close no longer
	}
	done := make(chan struct{})
	go func() { s.conns.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel() // force the rest
		<-done
		return ctx.Err()
	}
}

// remote is one participant's connection. handle runs on the peer's single dispatch
// goroutine, so tokens/refill need no lock; id is read by ServeHTTP after Run returns
// and by the hello timer, hence atomic.
type remote struct {
	srv    *Server
	peer   *rpc.Peer
	id     atomic.Value // string member id once joined
	joined atomic.Bool
	tokens float64
	refill time.Time
	addr   string   // the remote IP, for throttling refused hellos
	conn   net.Conn // the connection under the WebSocket, told when it joins (markJoined)

	// A hello that came in time is not cut off while the party works on it (a thousand
	// people saying hello at once queue on its loop): the hello timer only marks helloDue
	// while helloBusy, and a hello refused after that closes the connection itself.
	helloBusy, helloDue atomic.Bool

	// held merges output events that arrive while the connection is busy writing (see
	// Send); heldMu guards held and heldText: Send runs as loop-owned code (on the party
	// loop, or inline on the agent's goroutine, under the party's loopMu; in a large party
	// on the fan-out helper, while the loop waits for it), one Send at a time for a
	// connection, and flushHeld on the write pump. hasHeld lets the write pump skip the
	// lock when nothing is held.
	heldMu   sync.Mutex
	held     *wire.Event
	heldText []byte
	hasHeld  atomic.Bool
	out      frameSender // the peer (a fake in tests)

	replay replayHold // its getState reply's slot (replays.go)
}

// onIdle runs on the write pump once everything queued has been written.
func (c *remote) onIdle() {
	c.flushHeld()
	c.freeReplay()
}

// frameSender is what Send needs of the connection.
type frameSender interface {
	Idle() bool
	SendPrepared(m rpc.Prepared) error
}

// maxHeld bounds the output merged for one busy connection; past it the merged event is
// queued at once.
const maxHeld = 64 << 10

func (c *remote) memberID() string {
	id, _ := c.id.Load().(string)
	return id
}

// Send implements Subscriber: queue the event, never wait.
//
// Adaptive fan-out: an event goes out at once when the connection is idle. Output events
// that arrive while a write is in flight are merged into one (first_seq..seq, their
// texts concatenated) and sent when the connection is idle again (rpc's OnIdle), or
// before the next event of another kind, so that order holds. No timer stands in the way:
// an idle participant gets each delta as it comes, a busy one gets fewer, larger frames.
func (c *remote) Send(ev wire.Event, raw json.RawMessage) bool {
	ok := c.send(ev, raw)
	if c.replay.held.Load() && c.out.Idle() {
		// A direct write (SendPrepared) calls no OnIdle: a replay slot whose reply went
		// out while one was under way would be held until the connection ended (a
		// reviewer's).
		c.freeReplay()
	}
	return ok
}

func (c *remote) send(ev wire.Event, raw json.RawMessage) bool {
	if !c.hasHeld.Load() && (ev.Kind != wire.KindOutput || c.out.Idle()) {
		// Nothing held (only loop-owned code sets it): send at once.
		return c.out.SendPrepared(c.srv.frame(ev.Seq, raw)) == nil
	}
	c.heldMu.Lock()
	defer c.heldMu.Unlock()
	if ev.Kind == wire.KindOutput {
		h := c.held
		switch {
		case h == nil && c.out.Idle():
			return c.out.SendPrepared(c.srv.frame(ev.Seq, raw)) == nil
		case h != nil && h.Stream == ev.Stream && h.Seq+1 == ev.Seq && len(c.heldText)+len(ev.Text) <= maxHeld:
			h.Seq, h.TS = ev.Seq, ev.TS
			c.heldText = append(c.heldText, ev.Text...)
			return c.flushIfIdleLocked()
		case h != nil:
			if !c.sendHeldLocked() {
				return false
			}
		}
		merged := ev
		merged.FirstSeq, merged.Text = ev.Seq, ""
		c.held = &merged
		c.heldText = append(c.heldText[:0], ev.Text...)
		c.hasHeld.Store(true)
		return c.flushIfIdleLocked()
	}
	if !c.sendHeldLocked() {
		return false
	}
	return c.out.SendPrepared(c.srv.frame(ev.Seq, raw)) == nil
}

// flushIfIdleLocked sends the held output when the connection went idle meanwhile: the
// write pump's OnIdle may have run between Send's look at Idle and held being set, and
// would not run again until another write (heldMu is held; hasHeld is already true, so
// an OnIdle after this check finds the output and sends it).
func (c *remote) flushIfIdleLocked() bool {
	if c.out.Idle() {
		return c.sendHeldLocked()
	}
	return true
}

// flushHeld sends the merged output, if any (the write pump found the queue empty).
func (c *remote) flushHeld() {
	if !c.hasHeld.Load() {
		return
	}
	c.heldMu.Lock()
	defer c.heldMu.Unlock()
	c.sendHeldLocked()
}

// sendHeldLocked queues the held output; heldMu is held. hasHeld turns false only once
// the merged event is queued: Send's lock-free path must not overtake it.
func (c *remote) sendHeldLocked() bool {
	h := c.held
	if h == nil {
		return true
	}
	if h.FirstSeq == h.Seq {
		h.FirstSeq = 0 // one event: as it was
	}
	h.Text = string(c.heldText)
	if cap(c.heldText) > maxHeld {
		c.heldText = nil // do not keep a big buffer for an idle participant
	}
	// This connection's own merge is encoded for it alone.
	msg := make([]byte, 0, len(notificationHead)+len(h.Text)+len(h.Text)/8+128)
	msg = append(wire.AppendOutput(append(msg, notificationHead...), *h), '}')
	ok := c.out.SendPrepared(rpc.Prepare(msg)) == nil
	c.held = nil
	c.hasHeld.Store(false)
	return ok
}

// SendEditors implements editorsSender: a Client.editing notification, queued after any
// output held for this connection so that it never overtakes an event. Loop-owned, as
// Send.
func (c *remote) SendEditors(ed wire.Editors) bool {
	msg, err := json.Marshal(struct {
		JSONRPC string       `json:"jsonrpc"`
		Method  string       `json:"method"`
		Params  wire.Editors `json:"params"`
	}{"2.0", wire.MethodEditors, ed})
	if err != nil {
		return true // nothing of it can fail to encode; not the connection's fault
	}
	c.heldMu.Lock()
	defer c.heldMu.Unlock()
	if !c.sendHeldLocked() {
		return false
	}
	return c.out.SendPrepared(rpc.Prepare(msg)) == nil
}

// frame is the Client.event notification for the event with seq, encoded once for every
// connection: the party sends an event to each member in turn, so the last one is kept.
// Loop-owned code calls it (through Send), and in a large party the fan-out helper too
// (fanout.go), hence frameMu.
func (s *Server) frame(seq int64, raw json.RawMessage) rpc.Prepared {
	s.frameMu.Lock()
	defer s.frameMu.Unlock()
	if seq == s.frameSeq && s.hasFrame {
		return s.lastFrame
	}
	s.frameSeq, s.lastFrame, s.hasFrame = seq, notification(raw), true
	return s.lastFrame
}

// readOnly are the methods that only read: not carried out for a connection that has ended.
var readOnly = map[string]bool{wire.MethodGetState: true, wire.MethodPing: true,
	wire.MethodChanges: true, wire.MethodDiff: true, wire.MethodTree: true}

// notificationHead is a Client.event notification up to its params.
const notificationHead = `{"jsonrpc":"2.0","method":"` + wire.MethodEvent + `","params":`

// notification encodes a Client.event notification around an event's JSON.
func notification(raw json.RawMessage) rpc.Prepared {
	return rpc.PrepareParts(notificationHeadBytes, raw, closingBrace)
}

var notificationHeadBytes, closingBrace = []byte(notificationHead), []byte{'}'}

// Close implements Subscriber. It runs on the party loop, and a peer's Close waits for the
// close handshake, so it is done on its own goroutine (owned by the peer: it ends with it).
// A kicked member's connection closes with 4001 "kicked" (§7).
func (c *remote) Close(reason string) {
	// Closing: no longer a member's, so the first to go when the listener is full (a
	// second security tester's 260 replaced connections, waiting for their close
	// handshakes, kept everyone out for 10 s).
	markJoined(c.conn, false)
	code := websocket.CloseNormalClosure
	if reason == wire.ReasonKicked {
		code = wire.CloseKicked
	}
	go c.peer.Close(code, reason)
}

func (c *remote) handle(ctx context.Context, req *rpc.Request) {
	if ctx.Err() != nil && readOnly[req.Method] {
		// The connection has ended: the requests it had sent are still carried out (its
		// last prompt matters), but not those that only read, which nobody would get (a
		// reviewer's closed connections had the host build 16 MiB replies for minutes).
		req.Reply(nil, rpc.Errorf(rpc.CodeInternalError, "the connection has ended"))
		return
	}
	if !c.joined.Load() && req.Method != wire.MethodHello {
		req.Reply(nil, rpc.Errorf(wire.CodeUnauthorized, "unauthorized: the first request must be Party.hello"))
		c.peer.Close(websocket.ClosePolicyViolation, "unauthorized")
		return
	}
	if wait, ok := c.allow(); !ok {
		// With data that says so (our extension): a line editor tries a prompt refused so
		// again, and it read the words only (a reviewer's).
		req.Reply(nil, &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: too many requests, slow down",
			Data: (&RateLimitError{Limit: wire.LimitRequests, RetryAfter: wait}).Data()})
		return
	}
	switch req.Method {
	case wire.MethodHello:
		c.hello(req)
	case wire.MethodPrompt:
		var params wire.PromptParams
		if err := rpc.Decode(req.Params, &params); err != nil {
			if c.srv.party.IsViewer(c.memberID()) {
				// A viewer's prompt answers -32002 whatever it holds (§7), as host methods
				// check the role first (a conformance tester's {"text": 5} got -32602).
				req.Reply(nil, rpcError(errViewerPrompt))
				return
			}
			req.Reply(nil, err)
			return
		}
		res, err := c.srv.party.Prompt(c.memberID(), params.Text)
		req.Reply(res, rpcError(err))
	case wire.MethodGetState:
		var params wire.GetStateParams
		if err := rpc.Decode(req.Params, &params); err != nil {
			req.Reply(nil, err)
			return
		}
		if c.peer.Queued() > int64(c.srv.party.cfg.MaxMessage) {
			// Replies can be 16 MiB: one member pipelining getState without reading would
			// otherwise queue gigabytes. Read what was sent, then ask again.
			req.Reply(nil, rpc.Errorf(wire.CodeRateLimited, "rate limited: earlier replies to this connection are still being sent; read them, then ask again"))
			return
		}
		if err := c.takeReplay(); err != nil {
			req.Reply(nil, err)
			return
		}
		st, err := c.srv.party.State(params.Since)
		req.Reply(st, rpcError(err))
		c.builtReplay(historySize(st))
	case wire.MethodPing:
		if err := rpc.Decode(req.Params, &struct{}{}); err != nil {
			req.Reply(nil, err)
			return
		}
		req.Reply("pong", nil)
	case wire.MethodWithdraw:
		err := withParams(req.Params, func(a wire.WithdrawParams) error { return c.srv.party.Withdraw(c.memberID(), a.Prompt) }, "prompt")
		reply(req, wire.Empty{}, err)
	case wire.MethodSetApproval, wire.MethodApprove, wire.MethodReject, wire.MethodInterrupt,
		wire.MethodDecide, wire.MethodSetRole, wire.MethodKick, wire.MethodRotateInvite,
		wire.MethodAgentCommand, wire.MethodSetWorkspace, wire.MethodRevokeAlways, wire.MethodInvites,
		wire.MethodSetPermissionMode, wire.MethodSendNow, wire.MethodEditing:
		c.hostMethod(req)
	case wire.MethodChanges, wire.MethodDiff, wire.MethodTree:
		c.workspaceMethod(ctx, req)
	default:
		req.Reply(nil, rpc.Errorf(rpc.CodeMethodNotFound, "unknown method %q", req.Method))
	}
}

func (c *remote) hello(req *rpc.Request) {
	if req.IsNotification() && !c.joined.Load() {
		// A hello gets no reply without an id: the client would never learn who it is (its
		// session) nor the party's state, and the first message it got would be an event.
		c.peer.Close(websocket.ClosePolicyViolation, "Party.hello must be a request, with an id")
		return
	}
	if c.joined.Load() {
		req.Reply(nil, rpc.Errorf(rpc.CodeInvalidRequest, "already joined: Party.hello is sent once per connection"))
		return
	}
	var params wire.HelloParams
	if err := rpc.Decode(req.Params, &params); err != nil {
		req.Reply(nil, err)
		return
	}
	if len(params.ClientID) > 128 {
		req.Reply(nil, rpc.Errorf(rpc.CodeInvalidParams, "client_id is too long (at most 128 bytes)"))
		return
	}
	c.helloBusy.Store(true)
	if !c.waitToJoin(req, params) {
		c.helloBusy.Store(false)
		return
	}
	// The reply's history takes a replay slot like a getState's; with none free it is
	// brief, and the joiner pages on for the rest.
	brief := c.takeReplay() != nil
	size := 0 // of the reply's history
	_, err := c.srv.party.Join(JoinRequest{
		Name:     params.Name,
		Token:    params.Token,
		Session:  params.Session,
		ClientID: params.ClientID,
		Since:    params.Since,
		Brief:    brief,
		Sub:      c,
		Conn:     c,
		Addr:     c.addr,
		Reply: func(res wire.HelloResult) {
			// On the party loop, before any later event reaches this connection.
			c.id.Store(res.You.ID)
			c.joined.Store(true)
			markJoined(c.conn, true)
			c.peer.Admit()
			size = historySize(res.State)
			req.Reply(res, nil)
		},
	})
	c.helloBusy.Store(false)
	c.builtReplay(size)
	if err == nil {
		return
	}
	if c.helloDue.Load() && !c.joined.Load() {
		// Refused after the hello timer went off, which left the connection to us.
		defer c.closeNoHello()
	}
	var removed *RemovedError
	switch {
	case errors.As(err, &removed):
		// The session of a member a host removed: no guess at a secret, so not slowed as
		// one (it was counted as a join, waitToJoin), and told why at once.
		c.srv.log.Info("refused a hello with the session of a removed member", "remote", c.remoteName())
	case errors.Is(err, ErrUnauthorized):
		// Guessing tokens is slowed per address; the right token is never delayed.
		delay := c.srv.refusals.reserve(c.addr, time.Now())
		c.srv.log.Warn("refused a hello with a wrong invite token or session", "remote", c.remoteName(), "delayed", delay)
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-c.srv.ctx.Done():
				t.Stop()
			case <-c.peer.Done(): // the hello timer, or the server closing it
				t.Stop()
			}
		}
	}
	req.Reply(nil, rpcError(err))
	switch {
	case errors.Is(err, ErrUnauthorized):
		c.peer.Close(websocket.ClosePolicyViolation, "unauthorized")
	case errors.Is(err, ErrFull):
		// The reason is the table's (§3), whatever the error said: a client tells the
		// closes apart by it (a conformance tester's viewer got the whole sentence).
		c.peer.Close(websocket.CloseTryAgainLater, ErrFull.Error())
	case errors.Is(err, ErrClosed):
		c.peer.Close(websocket.CloseTryAgainLater, ErrClosed.Error())
	}
}

// waitToJoin holds a hello while its address has joined more often than the party
// allows (ServerOptions.JoinBurst, JoinRate). Only a hello with an invite or a session
// the party knows is counted: a reviewer's hellos with no valid token, each dropped at
// once, had pushed the next join from that address out by minutes (wrong tokens are the
// refusal limiter's). No hello waits longer than maxJoinWait: past it, it is refused
// (-32003, then closed 1013), and our client tries again later. False when the hello has
// been answered or the connection ended meanwhile.
func (c *remote) waitToJoin(req *rpc.Request, params wire.HelloParams) bool {
	if !c.srv.party.Admits(params.Token, params.Session) {
		return true // refused by Join, and slowed as a refusal
	}
	delay, ok := c.srv.joins.reserveWithin(c.addr, time.Now(), maxJoinWait)
	if !ok {
		c.srv.log.Warn("refused a hello: its address joins the party too often", "remote", c.remoteName())
		req.Reply(nil, rpc.Errorf(wire.CodeRateLimited, "rate limited: too many joins from this address; try again in a minute"))
		c.peer.Close(websocket.CloseTryAgainLater, "too many joins")
		return false
	}
	if delay <= 0 {
		return true
	}
	c.srv.log.Warn("slowed a hello: its address joins the party too often", "remote", c.remoteName(), "delayed", delay)
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.srv.ctx.Done():
	case <-c.peer.Done():
	}
	c.srv.joins.unreserve(c.addr)
	return false
}

// maxJoinWait is the longest a hello waits for its address's turn to join: well within
// the 10 s our client gives a whole connection.
const maxJoinWait = 5 * time.Second

// closeNoHello closes a connection that has not joined within the hello timeout (§4).
func (c *remote) closeNoHello() {
	c.peer.Close(websocket.ClosePolicyViolation, "no Party.hello within 10s")
}

// hostMethod serves the §7 host methods: the role is checked before the params are read.
func (c *remote) hostMethod(req *rpc.Request) {
	p, id := c.srv.party, c.memberID()
	if !p.IsHost(id) {
		req.Reply(nil, rpc.Errorf(wire.CodeNotAllowed, "not allowed: only a host can call %s", req.Method))
		return
	}
	switch req.Method {
	case wire.MethodInterrupt, wire.MethodSendNow, wire.MethodRotateInvite, wire.MethodInvites:
		// No params, but params of the wrong shape are refused as for every method (a
		// conformance tester's rotateInvite with [1] rotated the invites).
		if err := rpc.Decode(req.Params, &struct{}{}); err != nil {
			req.Reply(nil, err)
			return
		}
	}
	var err error
	var result any = wire.Empty{}
	switch req.Method {
	case wire.MethodSetApproval:
		err = withParams(req.Params, func(a wire.SetApprovalParams) error { return p.SetApproval(id, a.On) }, "on")
	case wire.MethodSetPermissionMode:
		err = withParams(req.Params, func(a wire.SetPermissionModeParams) error { return p.SetPermissionMode(id, a.Mode) }, "mode")
	case wire.MethodApprove:
		err = withParams(req.Params, func(a wire.ApproveParams) error { return p.Approve(id, a.Batch, a.Text) }, "batch")
	case wire.MethodReject:
		err = withParams(req.Params, func(a wire.RejectParams) error { return p.Reject(id, a.Batch, a.Reason) }, "batch")
	case wire.MethodEditing:
		err = withParams(req.Params, func(a wire.EditingParams) error { return p.Editing(id, a.Batch, a.Editing) }, "batch", "editing")
	case wire.MethodInterrupt:
		err = p.Interrupt(id)
	case wire.MethodSendNow:
		err = p.SendNow(id)
	case wire.MethodDecide:
		err = withParams(req.Params, func(a wire.DecideParams) error {
			return p.Decide(id, a.Permission, a.Decision, a.Reason)
		}, "permission", "decision")
	case wire.MethodSetRole:
		err = withParams(req.Params, func(a wire.SetRoleParams) error { return p.SetRole(id, a.Member, a.Role) }, "member", "role")
	case wire.MethodKick:
		err = withParams(req.Params, func(a wire.KickParams) error { return p.Kick(id, a.Member, a.Reason) }, "member")
	case wire.MethodRotateInvite:
		var inv wire.Invites
		inv, err = p.RotateInvite(id)
		result = inv
	case wire.MethodAgentCommand:
		err = withParams(req.Params, func(a wire.AgentCommandParams) error { return p.AgentCommand(id, a.Command) }, "command")
	case wire.MethodSetWorkspace:
		err = withParams(req.Params, func(a wire.SetWorkspaceParams) error { return p.SetWorkspace(id, a.Level) }, "level")
	case wire.MethodRevokeAlways:
		err = withParams(req.Params, func(a wire.RevokeAlwaysParams) error { return p.RevokeAlways(id, a.Tool) }, "tool")
	case wire.MethodInvites:
		var inv wire.Invites
		inv, err = p.Invites(id)
		result = inv
	}
	reply(req, result, err)
}

// workspaceMethod serves Party.changes, Party.diff and Party.tree (§9): every member,
// viewers included; -32002 when the host does not share at that level.
func (c *remote) workspaceMethod(ctx context.Context, req *rpc.Request) {
	p := c.srv.party
	// What is not shared is refused before the params are looked at (-32002 first, as
	// for the host methods): with off, every workspace method answers -32002.
	need := wire.WorkspaceChanges
	if req.Method == wire.MethodTree {
		need = wire.WorkspaceTree
	}
	if _, _, err := p.wsAllowed(need); err != nil {
		reply(req, nil, err)
		return
	}
	var params wire.PathParams
	if err := rpc.Decode(req.Params, &params); err != nil {
		req.Reply(nil, err)
		return
	}
	var res any
	var err error
	switch req.Method {
	case wire.MethodChanges:
		res, err = p.Changes(ctx)
	case wire.MethodDiff:
		if err = decodeStrict(req.Params, &params, "path"); err != nil {
			break
		}
		res, err = p.Diff(ctx, params.Path)
	case wire.MethodTree:
		res, err = p.Tree(ctx, params.Path)
	}
	reply(req, res, err)
}

// reply answers req with result, or with err: an *rpc.Error as it is, any other error
// as the sentence rpcError makes of it.
func reply(req *rpc.Request, result any, err error) {
	var rerr *rpc.Error
	switch {
	case errors.As(err, &rerr):
		req.Reply(nil, rerr)
	case err != nil:
		req.Reply(nil, rpcError(err))
	default:
		req.Reply(result, nil)
	}
}

// withParams decodes a host method's params (the named fields required) and calls f.
func withParams[P any](raw json.RawMessage, f func(P) error, required ...string) error {
	var params P
	if err := decodeStrict(raw, &params, required...); err != nil {
		return err
	}
	return f(params)
}

// decodeStrict reads params into v and requires the named fields to be present.
func decodeStrict(raw json.RawMessage, v any, required ...string) error {
	if err := rpc.Decode(raw, v); err != nil {
		return err
	}
	if len(required) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields)
	for _, f := range required {
		if _, ok := fields[f]; !ok {
			return rpc.Errorf(rpc.CodeInvalidParams, "invalid params: %q is required", f)
		}
	}
	return nil
}

// allow spends one request token.
func (c *remote) allow() (wait time.Duration, ok bool) {
	now := time.Now()
	c.tokens += float64(now.Sub(c.refill)) / float64(c.srv.opts.ReqEvery)
	if max := float64(c.srv.opts.ReqBurst); c.tokens > max {
		c.tokens = max
	}
	c.refill = now
	if c.tokens < 1 {
		return time.Duration((1 - c.tokens) * float64(c.srv.opts.ReqEvery)), false
	}
	c.tokens--
	return 0, true
}

// rpcError maps party errors to PROTOCOL.md §6 codes. It is the one place where a party
// error becomes a sentence for a remote person.
func rpcError(err error) error {
	if err == nil {
		return nil
	}
	code := rpc.CodeInternalError
	var removed *RemovedError
	var decided *DecidedError
	var limited *RateLimitError
	switch {
	case errors.As(err, &removed):
		// -32001 as for any dead session (an older client reads it so), with data that says
		// a host removed it, and who (our extension, PROTOCOL.md §6).
		return &rpc.Error{Code: wire.CodeUnauthorized, Message: removed.Error(), Data: wire.UnauthorizedData{Removed: true, By: removed.By}}
	case errors.As(err, &decided):
		// -32602 as for any batch that no longer waits, with data that says how it was
		// decided, and by whom (our extension, PROTOCOL.md §7).
		return &rpc.Error{Code: rpc.CodeInvalidParams, Message: strings.Replace(err.Error(), ErrInvalid.Error()+": ", "", 1),
			Data: wire.NotHeldData{Decided: decided.Decided, By: decided.By}}
	case errors.Is(err, ErrPlaceLost):
		// -32005 as for any full party, with data that says the member's place went to
		// someone else while it was away (our extension, PROTOCOL.md §6).
		return &rpc.Error{Code: wire.CodePartyFull, Message: err.Error(), Data: wire.FullData{PlaceLost: true}}
	case errors.As(err, &limited):
		// -32003 as before (an older client reads the words), with data that says which
		// limit, and when a try may pass (our extension, PROTOCOL.md §6).
		return &rpc.Error{Code: wire.CodeRateLimited, Message: err.Error(), Data: limited.Data()}
	case errors.Is(err, ErrUnauthorized), errors.Is(err, ErrNotMember):
		code = wire.CodeUnauthorized
	case errors.Is(err, ErrBadName), errors.Is(err, ErrEmptyPrompt), errors.Is(err, ErrInvalid):
		code = rpc.CodeInvalidParams
	case errors.Is(err, ErrNotAllowed), errors.Is(err, ErrNotShared):
		code = wire.CodeNotAllowed
	case errors.Is(err, workspace.ErrPath), errors.Is(err, workspace.ErrNotFound):
		code = rpc.CodeInvalidParams
	case errors.Is(err, ErrTooLarge):
		code = wire.CodeTooLarge
	case errors.Is(err, ErrRateLimited):
		code = wire.CodeRateLimited
	case errors.Is(err, ErrFull):
		code = wire.CodePartyFull
	case errors.Is(err, ErrClosed):
		return rpc.Errorf(rpc.CodeInternalError, "the party has ended")
	}
	msg := err.Error()
	if errors.Is(err, ErrInvalid) {
		// "invalid request" is -32600's name; this is -32602, and what follows is the
		// sentence (a tester's client read "invalid request: batch … is not waiting").
		msg = strings.Replace(msg, ErrInvalid.Error()+": ", "", 1)
	}
	return rpc.Errorf(code, "%s", msg)
}

// lostHow says how a member's connection ended when the member did not end it (Party.Lost,
// "bob lost the connection: HOW"),
// from the error its peer's Run returned; "" when the member closed it (a close frame: our
// clients' leaving, a browser's page closed) or the host did (a kick, the party's end, a
// reconnect that replaced it; the host's cuts for breaking the protocol are said, as the
// member did not leave).
func lostHow(err error) string {
	var ce *websocket.CloseError
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, rpc.ErrSlowPeer):
		return "too slow to keep up"
	case errors.Is(err, websocket.ErrReadLimit):
		// The host cut it off for breaking the protocol (close 1009); the member did not
		// leave, and may come back: not "bob left" (a tester's).
		return "the host closed it because it sent a message over " + strconv.Itoa(wire.MaxPeerMessage>>20) + " MiB"
	case errors.Is(err, rpc.ErrNotUTF8):
		return "the host closed it because it sent text that is not UTF-8"
	case errors.As(err, &ne) && ne.Timeout():
		// Whose side went quiet, the member's or a host frozen meanwhile, is not known (a
		// window tester's host, stopped for 70 s, blamed the member).
		return "nothing came through it for a while"
	case errors.As(err, &ce):
		switch {
		case ce.Code == websocket.CloseAbnormalClosure:
			return brokeOff
		case ce.Code == websocket.CloseGoingAway && ce.Text == rpc.ReasonSilent:
			// Our client gives up on a host it has not heard from for 30 s, before the
			// host's own 60 s: a terminal stopped for 45 s, a laptop back from sleep (a
			// reviewer's: said as "bob left").
			return "it heard nothing from the host for a while"
		case ce.Text == wire.ReasonReconnecting:
			return "it is reconnecting"
		}
		return ""
	case errors.As(err, &op):
		return brokeOff // a reset: as often as not a process killed (1006 or this, by timing)
	}
	return ""
}

// brokeOff is how a connection that ended with no close frame ended: a process killed, a
// network gone.
const brokeOff = "it broke off without leaving the party"

// remoteName is the connection's address for a log line, and the address it counts as
// (netkey: an IPv6 /64) when that differs.
func (c *remote) remoteName() string {
	if c.conn == nil {
		return c.addr
	}
	a := c.conn.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(a); err != nil || host == c.addr {
		return a
	}
	return a + " (as " + c.addr + ")"
}
