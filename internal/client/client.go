// Package client is the participant's side of a party, shared by `concordia join` and the
// desktop window: connect with the invite (TLS pinned to its fingerprint), say hello,
// deliver events in seq order exactly once, and reconnect after a drop with backoff
// (1, 2, 4, 8, then every 15 s), resuming with `since` so that nothing is missed.
package client

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/certs"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// Errors of Join and of a party that ends; each message is a sentence for a person.
var (
	ErrUnreachable = errors.New("cannot reach the host")
	// ErrNoAnswer comes wrapped with ErrUnreachable when something at the invite's
	// address took the connection but did not answer within the dial's time: a host
	// stopped or hung rather than gone.
	ErrNoAnswer    = errors.New("the host took the connection but did not answer")
	ErrRefused     = errors.New("the host refused this invite (wrong or expired token)")
	ErrFingerprint = errors.New("the host's certificate does not match the invite's fingerprint; not connecting")
	ErrFull        = errors.New("the party is full")
	// ErrPlaceLost: the party is full, and this member's place, kept a while after its
	// connection was lost, went to someone else. It wraps ErrFull.
	ErrPlaceLost = fmt.Errorf("%w, and your place went to someone else while you were away", ErrFull)
	// ErrFullForViewers is ErrFull for a viewer turned away while places are kept for
	// participants (PROTOCOL §1): errors.Is says both.
	ErrFullForViewers = fmt.Errorf("%w for viewers: its last places are kept for participants", ErrFull)
	ErrEnded          = errors.New("the party has ended")
	ErrReplaced       = errors.New("this participant connected again from elsewhere")
	ErrNotConnected   = errors.New("not connected to the host (reconnecting)")
	ErrClosed         = errors.New("left the party")
	ErrKicked         = errors.New("a host removed you from the party")
	// ErrTLSHost: the invite has no fingerprint, so the client spoke plain WebSocket, but
	// the host's listener speaks TLS. The link has most likely lost its ?fp= part.
	ErrTLSHost = errors.New("this host uses encryption; the link is missing its ?fp= part")
	// ErrPlainHost: the invite has a fingerprint, so the client spoke TLS, but the host's
	// listener answered in plain text: the invite is not this host's (an --insecure party
	// at the same address, or a link edited by hand).
	ErrPlainHost = errors.New("this host does not use encryption, but the invite has a ?fp= part")
)

// RemovedError is the refusal of a hello whose session a host removed from the party (a
// -32001 with data.removed, our extension since 2026-12-07; a host from before sends a
// plain refusal, ErrRefused). It wraps ErrRefused. By is the name of the host who removed
// it, as the host sent it; "" when it did not say.
type RemovedError struct{ By string }

func (e *RemovedError) Error() string { return wire.RemovedBy(e.By) + " removed you from this party" }

func (e *RemovedError) Unwrap() error { return ErrRefused }

// Unanswered says whether a call that failed with err went out and got no answer: it
// timed out, or the connection dropped after it was sent. Its request may have reached
// the host, so a prompt must not be called "not sent" (people sent it twice). A call that
// was refused or never left (ErrNotConnected, rpc.ErrNotSent) is not unanswered.
func Unanswered(err error) bool {
	return errors.Is(err, rpc.ErrTimeout) || errors.Is(err, rpc.ErrClosed) && !errors.Is(err, ErrNotConnected) && !errors.Is(err, rpc.ErrNotSent)
}

// Connection states reported to OnStatus.
const (
	StatusConnecting   = "connecting"
	StatusConnected    = "connected"
	StatusReconnecting = "reconnecting"
	StatusClosed       = "closed"
)

// Status is a change of the connection.
type Status struct {
	State   string
	Attempt int           // reconnect attempt (1-based) while reconnecting
	RetryIn time.Duration // wait before the next attempt
	Err     error         // why (reconnecting, closed)
}

// Config configures a participant.
type Config struct {
	Invite   invite.Invite
	Name     string
	ClientID string // kept across reconnects; "" = a random one
	// Session is the member session an earlier run of this program was given (its hello
	// reply's you.session): the first hello comes back as that member, its role included
	// (PROTOCOL.md §4). Refused (the member was removed, the party ended), Join fails with
	// ErrRefused; joining again without it makes a new member.
	Session string

	// OnEvent gets every event once, in seq order, from one goroutine at a time.
	OnEvent func(wire.Event)
	// OnHello gets each hello reply (first connect and every reconnect) before the events
	// it carries are passed to OnEvent: participants, pending prompts, phase.
	OnHello func(wire.HelloResult)
	// OnEditors, when set, gets each Client.editing notification of the host (a co-host
	// is told who edits the batch that waits for approval, §7), on the connection's
	// dispatch goroutine: it must not call the host. It has no seq and may come before the
	// events ahead of it are delivered.
	OnEditors func(wire.Editors)
	// OnStatus gets connection changes. StatusConnected comes after the events of the
	// hello (and of its catch-up) and before any event that arrived live on that connection.
	OnStatus func(Status)
	// OnCatchUp, when set, gets how far a (re)connection's catch-up has come when the
	// hello's history was cut (§4): after the hello's page of events is delivered, and
	// after each page fetched since, have is the last seq delivered of upTo (a long party
	// over a slow link takes a while: a window says so).
	OnCatchUp func(have, upTo int64)

	Backoff     []time.Duration // default 1s, 2s, 4s, 8s, 15s (the last repeats)
	DialTimeout time.Duration   // default 10s
	Logger      *slog.Logger
	// PingInterval and PongWait: how often the client pings the host, and how long the
	// host may stay silent before the client counts it gone and reconnects (default
	// HostPingInterval, HostSilence; tests set less).
	PingInterval, PongWait time.Duration
}

// A host that stops answering without closing the connection (a frozen process, a
// network that drops everything) is noticed HostSilence after the last thing heard from
// it: the client pings it every HostPingInterval. The host's own limit for a silent
// participant stays the rpc default (60 s, PROTOCOL.md §3); a tester's terminal took 45
// to 75 s to notice a frozen host with those defaults on both ends.
const (
	HostPingInterval = 10 * time.Second
	HostSilence      = 30 * time.Second
)

// Client is a joined participant. Its reconnect loop runs until Close or until the party
// ends; Done is closed then.
type Client struct {
	cfg Config
	log *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	retry  chan struct{} // RetryNow: ends the wait before the next reconnect attempt

	mu      sync.Mutex // guards peer, hello, session, err
	peer    *rpc.Peer
	hello   wire.HelloResult
	session string // our member's session secret: reconnects use it (it outlives a rotated invite)
	err     error

	deliver sync.Mutex // serialises OnEvent and guards last
	last    int64
}

// Join connects and says hello. A first connection that fails is not retried: the error
// (ErrUnreachable, ErrRefused, ErrFingerprint, ErrFull, wrapped with detail) says why.
// After that, drops are retried in the background until Close.
func Join(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.Invite.Validate(); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("make client id: %w", err)
		}
		cfg.ClientID = hex.EncodeToString(b)
	}
	if len(cfg.Backoff) == 0 {
		cfg.Backoff = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second}
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.PongWait <= 0 {
		cfg.PongWait = HostSilence
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = HostPingInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: cfg, log: cfg.Logger, done: make(chan struct{}), retry: make(chan struct{}, 1), session: cfg.Session}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.status(Status{State: StatusConnecting})
	peer, runErr, err := c.connect(ctx)
	if err != nil {
		c.cancel()
		close(c.done)
		c.status(Status{State: StatusClosed, Err: err})
		return nil, err
	}
	go c.loop(peer, runErr)
	return c, nil
}

// ClientID is the id this participant keeps across reconnects.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// Hello is the latest hello reply (who you are, the party).
func (c *Client) Hello() wire.HelloResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hello
}

// LastSeq is the newest event seq delivered.
func (c *Client) LastSeq() int64 {
	c.deliver.Lock()
	defer c.deliver.Unlock()
	return c.last
}

// Done is closed when the client has stopped for good; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the client stopped (ErrClosed after Close, ErrEnded, ErrRefused...).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Prompt sends a prompt.
func (c *Client) Prompt(ctx context.Context, text string) (wire.PromptResult, error) {
	return callFor[wire.PromptResult](ctx, c, wire.MethodPrompt, wire.PromptParams{Text: text})
}

// Withdraw takes back a prompt that still waits for a batch (Party.withdraw).
func (c *Client) Withdraw(ctx context.Context, prompt string) error {
	return c.call(ctx, wire.MethodWithdraw, wire.WithdrawParams{Prompt: prompt}, nil)
}

// State asks the host for its state with the events after since.
func (c *Client) State(ctx context.Context, since int64) (wire.State, error) {
	return callFor[wire.State](ctx, c, wire.MethodGetState, wire.GetStateParams{Since: since})
}

// The host methods (PROTOCOL.md §7), for a member whose role is host; Client implements
// party.Controller.

// SetApproval turns approval mode on or off.
func (c *Client) SetApproval(ctx context.Context, on bool) error {
	return c.call(ctx, wire.MethodSetApproval, wire.SetApprovalParams{On: on}, nil)
}

// SetPermissionMode sets what the agent may do without asking, from now on.
func (c *Client) SetPermissionMode(ctx context.Context, mode string) error {
	return c.call(ctx, wire.MethodSetPermissionMode, wire.SetPermissionModeParams{Mode: mode}, nil)
}

// Approve sends the waiting batch (edited when text is set).
func (c *Client) Approve(ctx context.Context, batch string, text *string) error {
	return c.call(ctx, wire.MethodApprove, wire.ApproveParams{Batch: batch, Text: text}, nil)
}

// Reject drops the waiting batch.
func (c *Client) Reject(ctx context.Context, batch, reason string) error {
	return c.call(ctx, wire.MethodReject, wire.RejectParams{Batch: batch, Reason: reason}, nil)
}

// Editing says that this host has opened (on) or closed an editor on the batch that waits
// for approval (Party.editing, §7).
func (c *Client) Editing(ctx context.Context, batch string, on bool) error {
	return c.call(ctx, wire.MethodEditing, wire.EditingParams{Batch: batch, Editing: on}, nil)
}

// SendNow sends the waiting prompts without waiting for --window or --min-prompts (a host).
func (c *Client) SendNow(ctx context.Context) error {
	return c.call(ctx, wire.MethodSendNow, struct{}{}, nil)
}

// Interrupt stops the running turn.
func (c *Client) Interrupt(ctx context.Context) error {
	return c.call(ctx, wire.MethodInterrupt, struct{}{}, nil)
}

// Decide answers a tool request: allow, deny or always.
func (c *Client) Decide(ctx context.Context, permission, decision, reason string) error {
	return c.call(ctx, wire.MethodDecide, wire.DecideParams{Permission: permission, Decision: decision, Reason: reason}, nil)
}

// SetRole changes a member's role.
func (c *Client) SetRole(ctx context.Context, member, role string) error {
	return c.call(ctx, wire.MethodSetRole, wire.SetRoleParams{Member: member, Role: role}, nil)
}

// Kick removes a member from the party.
func (c *Client) Kick(ctx context.Context, member, reason string) error {
	return c.call(ctx, wire.MethodKick, wire.KickParams{Member: member, Reason: reason}, nil)
}

// RotateInvite makes new invites; the old ones stop working.
func (c *Client) RotateInvite(ctx context.Context) (wire.Invites, error) {
	return callFor[wire.Invites](ctx, c, wire.MethodRotateInvite, struct{}{})
}

// AgentCommand queues an agent slash command such as /compact.
func (c *Client) AgentCommand(ctx context.Context, command string) error {
	return c.call(ctx, wire.MethodAgentCommand, wire.AgentCommandParams{Command: command}, nil)
}

// Changes is Party.changes: what the agent changed since the party began.
func (c *Client) Changes(ctx context.Context) (wire.ChangesResult, error) {
	return callFor[wire.ChangesResult](ctx, c, wire.MethodChanges, struct{}{})
}

// Diff is Party.diff: one changed file's diff.
func (c *Client) Diff(ctx context.Context, path string) (wire.FileDiff, error) {
	return callFor[wire.FileDiff](ctx, c, wire.MethodDiff, wire.PathParams{Path: path})
}

// Tree is Party.tree: a folder of the working directory (when the host shares the tree).
func (c *Client) Tree(ctx context.Context, path string) (wire.TreeResult, error) {
	return callFor[wire.TreeResult](ctx, c, wire.MethodTree, wire.PathParams{Path: path})
}

// Invites are the party's current invites (a host; a co-host learns them this way).
func (c *Client) Invites(ctx context.Context) (wire.Invites, error) {
	var inv wire.Invites
	err := c.call(ctx, wire.MethodInvites, struct{}{}, &inv)
	return inv, err
}

// RevokeAlways makes a tool that a host allowed "always" ask again (a host).
func (c *Client) RevokeAlways(ctx context.Context, tool string) error {
	return c.call(ctx, wire.MethodRevokeAlways, wire.RevokeAlwaysParams{Tool: tool}, nil)
}

// SetWorkspace changes what the workspace shares (a host).
func (c *Client) SetWorkspace(ctx context.Context, level string) error {
	return c.call(ctx, wire.MethodSetWorkspace, wire.SetWorkspaceParams{Level: level}, nil)
}

// callFor calls method and decodes its result as an R.
func callFor[R any](ctx context.Context, c *Client, method string, params any) (R, error) {
	var res R
	err := c.call(ctx, method, params, &res)
	return res, err
}

func (c *Client) call(ctx context.Context, method string, params, result any) error {
	c.mu.Lock()
	peer := c.peer
	c.mu.Unlock()
	if peer == nil {
		select {
		case <-c.done:
			return c.Err()
		default:
			return ErrNotConnected
		}
	}
	return peer.Call(ctx, method, params, result)
}

// Close leaves the party and waits for the client's goroutines.
func (c *Client) Close() {
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClosed
	}
	peer := c.peer
	c.mu.Unlock()
	if peer != nil {
		peer.Close(websocket.CloseNormalClosure, "left")
	}
	c.cancel()
	<-c.done
}

// RetryNow ends the wait before the next reconnect attempt (the window's "Retry now", once
// the host is back) and reports true. While connected, or after Close, it does nothing
// and reports false.
func (c *Client) RetryNow() bool {
	c.mu.Lock()
	reconnecting := c.peer == nil && c.err == nil
	c.mu.Unlock()
	if !reconnecting {
		return false
	}
	select {
	case c.retry <- struct{}{}:
	default:
	}
	return true
}

// loop owns reconnection: it waits for the current connection to end and dials again
// with backoff until Close, a refused token, or the end of the party.
func (c *Client) loop(peer *rpc.Peer, runErr <-chan error) {
	defer close(c.done)
	for {
		var cause error
		select {
		case cause = <-runErr:
		case <-c.ctx.Done():
			<-runErr
			c.finish(ErrClosed)
			return
		}
		c.mu.Lock()
		c.peer = nil
		c.mu.Unlock()
		if final := finalCause(cause); final != nil {
			c.finish(final)
			return
		}
		c.log.Info("connection lost", "err", cause)
		select {
		case <-c.retry: // asked for while connected: it does not cut the first wait
		default:
		}
		for attempt := 1; ; attempt++ {
			wait := c.cfg.Backoff[min(attempt-1, len(c.cfg.Backoff)-1)]
			c.status(Status{State: StatusReconnecting, Attempt: attempt, RetryIn: wait, Err: cause})
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.retry:
				t.Stop()
			case <-c.ctx.Done():
				t.Stop()
				c.finish(ErrClosed)
				return
			}
			var err error
			peer, runErr, err = c.connect(c.ctx)
			if err == nil {
				break
			}
			// (ErrPlainHost is final only on the first join: while the host restarts,
			// something else may answer on its port for a moment.)
			if errors.Is(err, ErrRefused) || errors.Is(err, ErrFingerprint) || errors.Is(err, ErrTLSHost) || c.ctx.Err() != nil {
				if c.ctx.Err() != nil {
					err = ErrClosed
				}
				c.finish(err)
				return
			}
			cause = err
		}
	}
}

func (c *Client) finish(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	err = c.err
	c.mu.Unlock()
	c.status(Status{State: StatusClosed, Err: err})
}

// finalCause says whether the host ended this connection for good.
func finalCause(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch {
		case ce.Text == wire.ReasonPartyEnded:
			return ErrEnded
		case ce.Text == wire.ReasonReplaced:
			return ErrReplaced
		case ce.Code == wire.CloseKicked:
			return ErrKicked
		}
	}
	return nil
}

// connect dials, says hello and delivers the events the reply carries. The returned
// channel yields the connection's end.
func (c *Client) connect(ctx context.Context) (*rpc.Peer, <-chan error, error) {
	inv := c.cfg.Invite
	var tlsConf = certs.ClientConfig(inv.Fingerprint)
	if !inv.Secure() {
		tlsConf = nil
	}
	in := newInbox(c) // events that arrive before the hello's are delivered wait here
	dctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	peer, err := rpc.Dial(dctx, inv.WebSocketURL(), tlsConf, rpc.Options{
		Handler:      c.handler(in),
		ReadLimit:    wire.MaxHostMessage,
		SendQueue:    256,
		PingInterval: c.cfg.PingInterval,
		PongWait:     c.cfg.PongWait,
		Logger:       c.log,
	})
	if err != nil {
		if !inv.Secure() && errors.Is(err, websocket.ErrBadHandshake) && speaksTLS(dctx, inv) {
			return nil, nil, fmt.Errorf("%w (at %s): %w", ErrTLSHost, inv.WebSocketURL(), err)
		}
		return nil, nil, dialError(inv, err)
	}
	// runErr reports the connection's end, after the inbox has delivered what it read
	// (inDone), so that the client's end never comes before its last events.
	runErr := make(chan error, 1)
	// inRuns says, once connect knows, whether the inbox's goroutine runs (then the end
	// waits for it): a flag read when the connection ended let a host that ended the party
	// just after the hello end the client before its last events, which were then
	// delivered after Done (a CI run's terminal said the end twice, "you joined" between).
	ran, inDone := make(chan struct{}), make(chan struct{})
	inRuns := make(chan bool, 1)
	go func() {
		err := peer.Run(c.ctx)
		close(ran)
		if <-inRuns {
			<-inDone
		}
		runErr <- err
	}()

	// A member rejoins with its session (it outlives a rotated invite), else the token.
	hp := wire.HelloParams{Name: c.cfg.Name, Token: inv.Token, ClientID: c.cfg.ClientID, Since: c.LastSeq()}
	c.mu.Lock()
	if c.session != "" {
		hp.Token, hp.Session = "", c.session
	}
	c.mu.Unlock()
	var hello wire.HelloResult
	err = peer.Call(dctx, wire.MethodHello, hp, &hello)
	if err != nil {
		if dctx.Err() != nil {
			// No reply in time, or Ctrl-C: a host that did not answer the hello would not
			// answer the close frame either.
			peer.CloseNow(websocket.CloseNormalClosure, "hello failed")
		} else {
			peer.Close(websocket.CloseNormalClosure, "hello failed")
		}
		inRuns <- false
		<-runErr
		return nil, nil, helloError(err)
	}
	c.mu.Lock()
	c.hello = hello
	if hello.You.Session != "" {
		c.session = hello.You.Session
	}
	c.peer = peer
	c.mu.Unlock()
	if c.cfg.OnHello != nil {
		c.cfg.OnHello(hello)
	}
	c.deliverAll(hello.State.Events)
	if hello.State.Truncated {
		c.caughtUp(hello.State.Seq)
	}
	// The history is paged in for as long as it takes, each page within catchUpPageWait:
	// under the dial's 10 s, a new member of a long party on an ordinary link never got in
	// (a tester's 43 MB party at 2.5 MB/s failed at the same seq on every try). A call
	// fails at once when the connection ends.
	if hello.State.Truncated && !c.catchUp(ctx, hello.State.Seq) {
		peer.Close(websocket.CloseNormalClosure, wire.ReasonReconnecting) // its catch-up failed
		c.mu.Lock()
		if c.peer == peer { // not connected: /retry and the window's Retry now work again
			c.peer = nil
		}
		c.mu.Unlock()
		inRuns <- false
		<-runErr
		return nil, nil, fmt.Errorf("%w: the history after seq %d could not be fetched", ErrUnreachable, c.LastSeq())
	}
	// Connected is said before the first live event: what came before it is the hello's
	// history (a terminal prints that under "— earlier in this party —"). The inbox's
	// goroutine, started first, delivered a joiner's own joined event while OnStatus had not
	// been told yet, and the terminal said the join twice (a CI run's). Events arriving
	// meanwhile wait in the inbox.
	c.status(Status{State: StatusConnected})
	// From here on a goroutine of this connection delivers the events that arrive (in.run);
	// it ends with the connection.
	inRuns <- true
	go func() { in.run(peer, ran); close(inDone) }()
	return peer, runErr, nil
}

// handler serves the host's calls (Client.event) on the peer's dispatch goroutine. It
// never calls the host from there (a call's reply would queue behind the very events that
// wait for it): events go to the connection's inbox, whose own goroutine fills gaps with
// Party.getState and delivers them.
func (c *Client) handler(in *inbox) rpc.Handler {
	return func(ctx context.Context, req *rpc.Request) {
		switch req.Method {
		case wire.MethodEvent:
			var ev wire.Event
			if err := json.Unmarshal(req.Params, &ev); err != nil {
				req.Reply(nil, rpc.Errorf(rpc.CodeInvalidParams, "invalid event: %v", err))
				return
			}
			in.put(ev, len(req.Params))
			req.Reply(true, nil)
		case wire.MethodEditors:
			// Who edits the held batch: no seq, nothing to catch up on; the latest is all
			// that matters, and OnEditors matches it to the card by batch id.
			var ed wire.Editors
			if json.Unmarshal(req.Params, &ed) == nil && c.cfg.OnEditors != nil {
				c.cfg.OnEditors(ed)
			}
			req.Reply(true, nil)
		default:
			req.Reply(nil, rpc.Errorf(rpc.CodeMethodNotFound, "unknown method %q", req.Method))
		}
	}
}

// changed keeps Hello().You current when a host changes this member's role.
func (c *Client) changed(m wire.Member) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.ID == c.hello.You.ID {
		c.hello.You.Role = m.Role
	}
}

// catchUp asks the host for the events after the last one delivered, page by page (a
// replay that does not fit one message comes truncated), until upTo is delivered. It
// reports false when the gap could not be filled (the call failed, or a page brought
// nothing new): the caller then reconnects with `since` rather than skip the gap. It must
// not run on the peer's dispatch goroutine.
func (c *Client) catchUp(ctx context.Context, upTo int64) bool {
	busy := 0
	for c.LastSeq() < upTo {
		before := c.LastSeq()
		pctx, cancel := context.WithTimeout(ctx, catchUpPageWait)
		st, err := c.State(pctx, before)
		cancel()
		if e, ok := errors.AsType[*rpc.Error](err); ok && e.Code == wire.CodeRateLimited && busy < catchUpBusyTries {
			// The host is sending its history to others (§1: a few replies at a time), or
			// this connection's earlier reply is still on its way: asked again shortly.
			busy++
			select {
			case <-time.After(catchUpBusyWait):
				continue
			case <-ctx.Done():
				return false
			}
		}
		if err != nil {
			c.log.Warn("catch up", "err", err)
			return false
		}
		c.deliverAll(st.Events)
		c.caughtUp(upTo)
		if c.LastSeq() == before {
			c.log.Warn("catch up: the host sent nothing after", "seq", before)
			return false
		}
		busy = 0 // the tries are for one page: a long catch-up meets many busy spells (a reviewer's)
	}
	return true
}

// caughtUp tells OnCatchUp how far a catch-up to upTo has come.
func (c *Client) caughtUp(upTo int64) {
	if c.cfg.OnCatchUp != nil {
		c.cfg.OnCatchUp(c.LastSeq(), upTo)
	}
}

// A getState refused as busy (-32003) during a catch-up is asked again after
// catchUpBusyWait, catchUpBusyTries times at most before the connection is given up.
var catchUpBusyWait = 250 * time.Millisecond // a variable for the tests

const catchUpBusyTries = 40

// catchUpPageWait bounds one page of a catch-up (at most about 1 MiB of history, §4): a
// slow link takes seconds per page, and the catch-up as a whole as long as its pages do.
const catchUpPageWait = time.Minute

// deliverAll passes events to OnEvent once each, in order.
func (c *Client) deliverAll(evs []wire.Event) {
	c.deliver.Lock()
	defer c.deliver.Unlock()
	for _, ev := range evs {
		if ev.Seq <= c.last {
			continue
		}
		c.last = ev.Seq
		if ev.Kind == wire.KindParticipants && ev.Changed != nil {
			c.changed(*ev.Changed)
		}
		if c.cfg.OnEvent != nil {
			c.cfg.OnEvent(ev)
		}
	}
}

func (c *Client) status(s Status) {
	if c.cfg.OnStatus != nil {
		c.cfg.OnStatus(s)
	}
}

// speaksTLS reports whether the invite's address completes a TLS handshake: a plain
// WebSocket request that a TLS listener answered with "400 Bad Request" (Go's HTTPS server
// says "Client sent an HTTP request to an HTTPS server") then means the invite lacks its
// fingerprint. Nothing is sent after the handshake, and the certificate is not trusted
// for anything: this only tells which mistake to explain.
func speaksTLS(ctx context.Context, inv invite.Invite) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}} //nolint:gosec // a probe, see above
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port)))
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

func dialError(inv invite.Invite, err error) error {
	if errors.Is(err, certs.ErrFingerprintMismatch) {
		return fmt.Errorf("%w: %w", ErrFingerprint, err)
	}
	var plain tls.RecordHeaderError
	if inv.Secure() && errors.As(err, &plain) {
		return fmt.Errorf("%w (at %s): %w", ErrPlainHost, inv.WebSocketURL(), err)
	}
	addr := inv.String()
	if u := inv.WebSocketURL(); u != "" {
		addr = u
	}
	if errors.Is(err, rpc.ErrNoAnswer) {
		return fmt.Errorf("%w at %s: %w: %w", ErrUnreachable, addr, ErrNoAnswer, err)
	}
	return fmt.Errorf("%w at %s: %w", ErrUnreachable, addr, err)
}

func helloError(err error) error {
	// The host answers a refused hello with -32001 and then closes with 1008; if the close
	// is seen first, it is the same refusal.
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code == websocket.ClosePolicyViolation && ce.Text == "unauthorized" {
		return fmt.Errorf("%w (the connection was closed: %s)", ErrRefused, ce.Text)
	}
	var rerr *rpc.Error
	if errors.As(err, &rerr) {
		switch rerr.Code {
		case wire.CodeUnauthorized:
			var data wire.UnauthorizedData
			if raw, ok := rerr.Data.(json.RawMessage); ok && json.Unmarshal(raw, &data) == nil && data.Removed {
				return &RemovedError{By: data.By}
			}
			return fmt.Errorf("%w: %s", ErrRefused, rerr.Message)
		case wire.CodePartyFull:
			if strings.HasPrefix(rerr.Message, "party full for viewers") {
				// Said as such: "the party is full" told a viewer nothing of the places
				// still free for participants (a tester's).
				return ErrFullForViewers
			}
			var data wire.FullData
			if raw, ok := rerr.Data.(json.RawMessage); ok && json.Unmarshal(raw, &data) == nil && data.PlaceLost {
				return fmt.Errorf("%w: %s", ErrPlaceLost, rerr.Message)
			}
			return fmt.Errorf("%w: %s", ErrFull, rerr.Message)
		}
		return fmt.Errorf("the host rejected the hello: %w", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The connection is up, but no hello reply came in the dial's time.
		return fmt.Errorf("%w: hello: %w: %w", ErrUnreachable, ErrNoAnswer, err)
	}
	return fmt.Errorf("%w: hello: %w", ErrUnreachable, err)
}
