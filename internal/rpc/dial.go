package rpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// HandshakeTimeout bounds the TCP, TLS and WebSocket handshakes of Dial.
const HandshakeTimeout = 10 * time.Second

// ErrNoAnswer is wrapped by Dial's error when the other side took the TCP connection but
// did not answer the handshakes before ctx's deadline or HandshakeTimeout: a server that is
// stopped or hung, not one that is gone (nothing listening is refused at once). A caller
// says that instead of "cannot reach" (a tester's host, stopped with SIGSTOP, was said to
// be unreachable).
var ErrNoAnswer = errors.New("the connection was taken, but nothing answered")

// Dial opens a WebSocket connection to url (ws:// or wss://) and wraps it in
// a Peer; the caller then runs p.Run. tlsConfig is used for wss:// (for a
// party, certs.ClientConfig with the invite's fingerprint); a pinning
// failure comes back wrapped, so errors.Is works on it. Proxies are taken
// from the environment as net/http does.
func Dial(ctx context.Context, url string, tlsConfig *tls.Config, opts Options) (*Peer, error) {
	// gorilla gives the handshakes ctx's deadline but does not watch ctx itself: a
	// cancelled dial to a host that took the connection and never answered went on until
	// HandshakeTimeout (a window's Cancel was dead for 10 s). A cancel closes the socket,
	// which ends the handshakes (a deadline set here could be overwritten by gorilla's own
	// an instant later: a reviewer's).
	var mu sync.Mutex
	var sock net.Conn
	cancelled := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		cancelled = true
		if sock != nil {
			_ = sock.Close()
		}
	})
	defer stop()
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: HandshakeTimeout,
		TLSClientConfig:  tlsConfig,
		NetDialContext: func(dctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(dctx, network, addr)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			defer mu.Unlock()
			if cancelled {
				c.Close()
				return nil, context.Canceled
			}
			sock = c
			return c, nil
		},
	}
	conn, resp, err := d.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err == nil && !stop() {
		// Cancelled as the handshake ended: the socket may be closed now.
		conn.Close()
		err = ctx.Err()
	}
	if err != nil {
		mu.Lock()
		connected := sock != nil
		mu.Unlock()
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			if !errors.Is(err, context.Canceled) {
				err = fmt.Errorf("%w (%w)", context.Canceled, err)
			}
		case connected && (ctx.Err() != nil || timedOut(err)):
			// ctx's deadline closed the socket (the AfterFunc above), or the handshake's
			// own timeout ran out.
			err = fmt.Errorf("%w: %w", ErrNoAnswer, err)
		}
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (HTTP %s)", url, err, resp.Status)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return New(conn, opts), nil
}

// timedOut reports whether err is a time-out (a deadline of the socket or of a context).
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
