package rpc

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// HandshakeTimeout bounds the TCP, TLS and WebSocket handshakes of Dial.
const HandshakeTimeout = 10 * time.Second

// Dial opens a WebSocket connection to url (ws:// or wss://) and wraps it in
// a Peer; the caller then runs p.Run. tlsConfig is used for wss:// (for a
// party, certs.ClientConfig with the invite's fingerprint); a pinning
// failure comes back wrapped, so errors.Is works on it. Proxies are taken
// from the environment as net/http does.
func Dial(ctx context.Context, url string, tlsConfig *tls.Config, opts Options) (*Peer, error) {
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: HandshakeTimeout,
		TLSClientConfig:  tlsConfig,
	}
	conn, resp, err := d.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (HTTP %s)", url, err, resp.Status)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return New(conn, opts), nil
}
