package host

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
)

// The listener's defences (issue 8): TLS with AEAD suites only, a cap on connections per
// remote address and on all of them, and the Host header checked against this machine's names and addresses
// (a DNS-rebinding page would otherwise reach the socket with its own origin's name).

// serverTLS is the listener's TLS configuration: TLS 1.2 with ECDHE and AEAD suites only
// (TLS 1.3's suites are all AEAD and not configurable).
func serverTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// ErrInsecureListen refuses --insecure on an address other hosts can reach.
var ErrInsecureListen = errors.New("--insecure sends the token and everything else in plain text, so it only listens on loopback (use --listen 127.0.0.1:PORT)")

// CheckInsecureListen allows only loopback listen addresses for plain ws://.
func CheckInsecureListen(listen string) error {
	h, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", listen, err)
	}
	if h == "localhost" {
		return nil
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return nil
	}
	return ErrInsecureListen
}

// capListener refuses a connection from an address that already holds max of them, and
// any once the listener holds maxTotal.
type capListener struct {
	net.Listener
	max, maxTotal int

	mu    sync.Mutex // guards open and total
	open  map[string]int
	total int
}

func newCapListener(ln net.Listener, max, maxTotal int) *capListener {
	return &capListener{Listener: ln, max: max, maxTotal: maxTotal, open: map[string]int{}}
}

// Accept returns the next connection under both caps; the others are closed at once.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c.RemoteAddr())
		l.mu.Lock()
		if l.open[ip] >= l.max || l.total >= l.maxTotal {
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		l.open[ip]++
		l.total++
		l.mu.Unlock()
		return &cappedConn{Conn: c, l: l, ip: ip}, nil
	}
}

type cappedConn struct {
	net.Conn
	l    *capListener
	ip   string
	once sync.Once
}

// Underlying lets rpc.DirectListener find the socket: a cappedConn writes through.
func (c *cappedConn) Underlying() net.Conn { return c.Conn }

func (c *cappedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.open[c.ip]--; c.l.open[c.ip] <= 0 {
			delete(c.l.open, c.ip)
		}
		c.l.total--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

func remoteIP(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// hostCheck serves only requests whose Host header names this machine: the invite's host,
// an address of one of its interfaces, localhost or its host name. Native clients send the
// invite's host; a page that rebinds its own name to this machine sends that name.
func hostCheck(next http.Handler, inviteHost string) http.Handler {
	names := map[string]bool{"localhost": true, strings.ToLower(inviteHost): true}
	if hn, err := os.Hostname(); err == nil {
		names[strings.ToLower(hn)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowedHost(r.Host, names) {
			http.Error(w, "this host does not serve that name", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func allowedHost(hostport string, names map[string]bool) bool {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(h, "["), ""), "]")
	if names[strings.ToLower(strings.TrimSuffix(h, "."))] {
		return true
	}
	ip := net.ParseIP(h)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}
