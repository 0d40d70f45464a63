// Package rpc is a JSON-RPC 2.0 peer over one gorilla/websocket connection
// (PROTOCOL.md §3, §6). Both ends are peers: each can call the other and send
// notifications, and each answers the other's requests through a Handler.
//
// # Why our own codec
//
// We do not use sourcegraph/jsonrpc2 (or similar) for three reasons:
//
//   - It closes the connection on any message it cannot decode. The protocol
//     requires a -32700 or -32600 reply and the connection kept: a bad
//     message never ends the party.
//   - The host needs exact control of ordering on the wire: the Party.hello
//     reply must be the first message a participant receives, before any
//     event. Here replies and notifications share one FIFO queue per peer, so
//     "Reply, then Notify" from one goroutine is the order on the wire.
//   - A slow participant must never hold up the party. Each peer has a
//     bounded send queue; Notify and Reply never block, and a peer whose queue
//     overflows is dropped (ErrSlowPeer, close code 1013).
//
// # Concurrency
//
// Run starts three goroutines per connection and owns them until it returns:
//
//   - the read pump reads frames, routes responses to waiting Calls directly
//     (never queued behind handlers) and hands requests, notifications and
//     malformed-input replies to the dispatch goroutine in arrival order;
//   - the dispatch goroutine runs the Handler for one inbound message at a
//     time, in arrival order, so one participant's prompts keep their order;
//   - the write pump writes data frames, pings and our close frame. (Pong
//     replies and the echo of a peer's close frame are written by gorilla
//     itself from the read pump through WriteControl, which gorilla documents
//     as safe beside one concurrent writer.)
//
// One exception: on a server connection from a DirectListener (plain TCP, on
// Linux), SendPrepared writes a frame on the caller's goroutine when nothing
// is queued or being written and the socket takes the frame without blocking
// (direct.go). The connection then serialises every Write, the write pump
// holds it for each whole frame (gorilla may write one in several Writes), and
// the part of a frame the socket did not take goes out before anything else.
//
// A Handler may call Peer.Call, but that blocks dispatch until the reply
// comes: the reply still arrives (the read pump routes it), yet no further
// request of this peer is handled meanwhile, and once InboundQueue inbound
// messages (or Options.InboundBytes of them) wait behind the blocked handler the read pump stops reading, so a
// Call answered only after such a backlog ends in a timeout rather than a
// deadlock. Prefer Notify, or Call from another goroutine.
//
// Call, Notify, Close, Done and Err are safe from any goroutine, handlers
// included.
package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Standard JSON-RPC 2.0 error codes. Application codes live in package wire.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
)

// Error is a JSON-RPC 2.0 error object. Handlers reply with one to send a
// specific code; Call returns one when the peer answered with an error.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	// Data is optional detail. In an error received from the peer it is the
	// raw JSON (json.RawMessage), if any.
	Data any `json:"data,omitempty"`
}

// Error formats the error as "rpc error CODE: MESSAGE".
func (e *Error) Error() string {
	return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code int, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// ErrClosed is wrapped by every error that reports the end of a peer: Run's
// result, Err, and the errors of Call and Notify once the peer is closing.
// The specific cause (ErrSlowPeer, a *websocket.CloseError, a context error,
// websocket.ErrReadLimit, a network error) is wrapped alongside it.
var ErrClosed = errors.New("rpc: connection closed")

// ReasonSilent is the reason of the close frame (1001) a peer sends when it has heard
// nothing from the other side for PongWait.
const ReasonSilent = "timeout"

// ErrNotSent is wrapped (with the peer's end) by Call's error when the request was never
// queued for the connection: the other side cannot have it. Any other failure after that
// leaves it unknown whether the request arrived.
var ErrNotSent = errors.New("the request was not sent")

// ErrSlowPeer is the cause when the send queue overflowed and the peer was
// dropped; it always comes wrapped together with ErrClosed.
var ErrSlowPeer = errors.New("send queue full (peer too slow)")

// ErrNotUTF8 is the cause when the peer sent a text message that is not UTF-8 and was
// closed with 1007 for it; it always comes wrapped together with ErrClosed (as
// websocket.ErrReadLimit does for a message over Options.ReadLimit, closed with 1009).
var ErrNotUTF8 = errors.New("a text message that is not UTF-8")

// ErrTimeout is wrapped by Call's error when no reply came within
// Options.CallTimeout. errors.Is(err, context.DeadlineExceeded) also holds.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string   { return "rpc: call timed out" }
func (timeoutError) Unwrap() error   { return context.DeadlineExceeded }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// Handler answers one inbound request or notification. It runs on the peer's
// single dispatch goroutine, one message at a time, in arrival order. For a
// request it must call req.Reply before returning; a request left without a
// reply is answered with -32603 (and logged). A panic is recovered, logged
// and answered with -32603. ctx is cancelled when the peer ends.
type Handler func(ctx context.Context, req *Request)

// Options configure a Peer. The zero value is usable: see each field's default.
type Options struct {
	// Handler answers inbound requests and notifications. nil: every request
	// gets -32601 and notifications are ignored.
	Handler Handler
	// ReadLimit is the largest inbound message in bytes; a larger one closes
	// the connection with 1009 (message too big). 0: no limit.
	ReadLimit int64
	// SendQueue is the outbound queue capacity in messages (default 256). A
	// full queue closes the peer with ErrSlowPeer and close code 1013; a
	// sender is never blocked.
	SendQueue int
	// SendQueueBytes bounds the outbound queue in bytes as well (default 64 MiB); past it
	// the peer is dropped as for a full queue.
	SendQueueBytes int64
	// OnIdle, when set, is called by the write pump each time the send queue empties
	// after a write: a sender that held messages back while a write was in flight (to
	// merge them) sends them now. It must not block; it may call SendFrame or
	// SendPrepared. SendPrepared never calls it.
	OnIdle func()
	// InboundQueue is how many inbound messages may wait for the dispatch
	// goroutine (default 64). When it is full the read pump stops reading,
	// which pushes back on the sender through TCP.
	InboundQueue int
	// InboundBytes bounds those messages in bytes as well (default 4 MiB; one message is
	// always let in, up to ReadLimit, when none waits): past it the read pump stops reading
	// as for a full InboundQueue. Without it a member whose request
	// waited could have the host hold 64 messages of 1 MiB for it (a reviewer's eight
	// connections took the host from 24 to 733 MB).
	InboundBytes int64
	// Guarded: until Admit is called, the read pump reads one inbound message at a time
	// (the next only once the dispatch goroutine has handled it) and closes the
	// connection (1009) on one over GuardLimit bytes. A server sets it for a connection
	// that has not yet said who it is, so that it holds one small message for it at most
	// (a reviewer's refused hellos, each followed by 64 messages of 1 MiB, held 51 MiB per
	// connection for as long as the refusal's delay).
	Guarded bool
	// GuardLimit is the largest inbound message of a guarded peer before Admit (default
	// 64 KiB).
	GuardLimit int64
	// CallTimeout bounds how long Call waits for a reply (default 60s).
	CallTimeout time.Duration
	// PingInterval is how often we ping the peer (default 20s). It is
	// lowered to PongWait/2 when not below PongWait.
	PingInterval time.Duration
	// PongWait is how long the peer may stay silent (no message, no pong)
	// before it is dropped (default 60s).
	PongWait time.Duration
	// WriteWait bounds each write (a write has at least half of it: the
	// deadline moves forward only when less than that is left), the flush on
	// Close, and the wait for the peer's close frame (default 10s).
	WriteWait time.Duration
	// Logger receives diagnostics. Message contents are never logged (they
	// may carry tokens or source code). nil: discard.
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultSendQueue    = 256
	DefaultInboundQueue = 64
	DefaultInboundBytes = 4 << 20
	DefaultSendBytes    = 64 << 20
	DefaultGuardLimit   = 64 << 10
	DefaultCallTimeout  = 60 * time.Second
	DefaultPingInterval = 20 * time.Second
	DefaultPongWait     = 60 * time.Second
	DefaultWriteWait    = 10 * time.Second
)

func (o Options) withDefaults() Options {
	if o.SendQueue <= 0 {
		o.SendQueue = DefaultSendQueue
	}
	if o.SendQueueBytes <= 0 {
		o.SendQueueBytes = DefaultSendBytes
	}
	if o.InboundQueue <= 0 {
		o.InboundQueue = DefaultInboundQueue
	}
	if o.InboundBytes <= 0 {
		o.InboundBytes = DefaultInboundBytes
	}
	if o.GuardLimit <= 0 {
		o.GuardLimit = DefaultGuardLimit
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PongWait <= 0 {
		o.PongWait = DefaultPongWait
	}
	if o.PingInterval >= o.PongWait {
		o.PingInterval = o.PongWait / 2
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Request is one inbound request or notification, handed to the Handler.
type Request struct {
	// Method is the method name as received.
	Method string
	// Params is the raw params (an object or an array), nil when absent.
	Params json.RawMessage
	// ID is the request id exactly as received (a string, a number or null);
	// nil for a notification.
	ID json.RawMessage

	peer    *Peer
	replied replyFlag
}

// IsNotification reports whether the request has no id and so gets no reply.
func (r *Request) IsNotification() bool { return r.ID == nil }

// Peer is the connection the request came from.
func (r *Request) Peer() *Peer { return r.peer }

// DecodeParams unmarshals Params into v, as Decode does.
// The error is an *Error with CodeInvalidParams, ready for Reply.
func (r *Request) DecodeParams(v any) error {
	if err := Decode(r.Params, v); err != nil {
		return err
	}
	return nil
}

// Reply answers the request. The first call wins; later calls and calls on
// a notification do nothing. An err that is (or wraps) an *Error is sent as
// that error; any other error is logged and sent as -32603 "internal error"
// without its text, which may hold secrets. Reply never blocks: it enqueues
// behind what this peer already queued.
func (r *Request) Reply(result any, err error) {
	if r.ID == nil || r.peer == nil || !r.replied.set() {
		return
	}
	p := r.peer
	msg := p.encodeReply(r, result, err)
	if sendErr := p.enqueue(msg); sendErr != nil {
		p.log.Debug("rpc: reply not sent", "method", r.Method, "err", sendErr)
	}
}
