package host

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/concordia-party/concordia/internal/netkey"
)

// The listener's defences (issue 8): TLS with AEAD suites only, a cap on connections per
// remote address (an IPv6 /64 counts as one: netkey) and on all of them, and the Host header
// checked against this machine's names and addresses
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

// capListener refuses a connection from an address that already holds max of them. Once
// it holds maxTotal, a new one takes the place of the oldest that has not joined the party
// (Joined), and is refused when all have: the cap keeps the host's descriptors and memory
// (a security tester's idle connections from 196 addresses held 20,000 descriptors and
// 1.4 GB), and connections that never join cannot keep members out (a reviewer's: four
// addresses' worth of them would have refused every join and reconnect).
type capListener struct {
	net.Listener
	max, maxTotal int

	mu      sync.Mutex     // guards open, total and waiting
	open    map[string]int // connections by netkey
	total   int
	waiting []*cappedConn // not joined yet, oldest first
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
		key := netkey.Of(c.RemoteAddr().String()) // an IPv6 /64 is one
		l.mu.Lock()
		var evict *cappedConn
		if l.total >= l.maxTotal {
			evict = l.evictLocked()
		}
		if l.open[key] >= l.max || l.total >= l.maxTotal && evict == nil {
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		l.open[key]++
		l.total++
		cc := &cappedConn{Conn: c, l: l, key: key}
		l.waiting = append(l.waiting, cc)
		l.mu.Unlock()
		if evict != nil {
			_ = evict.Close()
		}
		return cc, nil
	}
}

// evictLocked takes off the waiting list, and returns, the connection to close for a new
// one: the oldest of those that are closing, else the oldest of the address that holds
// the most (a second security tester's ten addresses, reconnecting 17,000 times a second,
// evicted every joiner within 15 ms when the oldest of all went); nil when none waits.
func (l *capListener) evictLocked() *cappedConn {
	if len(l.waiting) == 0 {
		return nil
	}
	pick := -1
	count := map[string]int{}
	for i, c := range l.waiting {
		if c.leaving {
			pick = i
			break
		}
		count[c.key]++
	}
	if pick < 0 {
		// The oldest of the most crowded, the oldest of all among addresses alike (a
		// map's order chose among them at random: a CI run evicted the younger).
		most := 0
		for _, n := range count {
			most = max(most, n)
		}
		pick = slices.IndexFunc(l.waiting, func(c *cappedConn) bool { return count[c.key] == most })
	}
	c := l.waiting[pick]
	l.waiting = slices.Delete(l.waiting, pick, pick+1)
	return c
}

// forgetLocked takes c off the connections waiting to join.
func (l *capListener) forgetLocked(c *cappedConn) {
	if i := slices.Index(l.waiting, c); i >= 0 {
		l.waiting = slices.Delete(l.waiting, i, i+1)
	}
}

type cappedConn struct {
	net.Conn
	l       *capListener
	key     string // its remote address's netkey
	once    sync.Once
	leaving bool // guarded by l.mu: a member's no longer (replaced, removed), closing
	closed  bool // guarded by l.mu
}

// Joined marks the connection as a member's (the party server calls it after a hello): it
// is then never the one to go when the listener is full. Joined(false) marks one that is
// being closed (replaced by the member's new connection, or the member removed): the first
// to go.
func (c *cappedConn) Joined(joined bool) {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	c.l.forgetLocked(c)
	if !joined && !c.closed {
		c.leaving = true
		c.l.waiting = append([]*cappedConn{c}, c.l.waiting...)
	}
}

// Underlying lets rpc.DirectListener find the socket: a cappedConn writes through.
func (c *cappedConn) Underlying() net.Conn { return c.Conn }

func (c *cappedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.open[c.key]--; c.l.open[c.key] <= 0 {
			delete(c.l.open, c.key)
		}
		c.l.total--
		c.closed = true
		c.l.forgetLocked(c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
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
