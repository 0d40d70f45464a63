package host

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/testkit"
)

// A DNS-rebinding page reaches the listener under its own name: refused before the socket.
func TestHostHeaderChecked(t *testing.T) {
	h := startHost(t, Config{Insecure: true})
	addr := fmt.Sprintf("127.0.0.1:%d", h.Invite().Port)
	tests := []struct {
		host string
		want int
	}{
		{addr, http.StatusOK},
		{fmt.Sprintf("localhost:%d", h.Invite().Port), http.StatusOK},
		{fmt.Sprintf("evil.example:%d", h.Invite().Port), http.StatusMisdirectedRequest},
		{"attacker.test", http.StatusMisdirectedRequest},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
			req.Host = tc.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("Host %q: status %d, want %d", tc.host, resp.StatusCode, tc.want)
			}
		})
	}
	// The WebSocket upgrade too.
	hdr := http.Header{"Host": {"evil.example"}}
	d := websocket.Dialer{}
	_, resp, err := d.Dial("ws://"+addr+"/rpc", hdr)
	if err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("rebinding upgrade: err %v resp %+v", err, resp)
	}
}

func TestInsecureOnlyOnLoopback(t *testing.T) {
	for _, listen := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		_, err := Start(context.Background(), Config{Listen: listen, Insecure: true, DataDir: t.TempDir(), Agent: agent.Config{Path: testkit.FakeClaude(t)}})
		if !errors.Is(err, ErrInsecureListen) {
			t.Errorf("--insecure --listen %s: %v, want ErrInsecureListen", listen, err)
		}
	}
	for _, listen := range []string{"127.0.0.1:0", "localhost:0"} {
		if err := CheckInsecureListen(listen); err != nil {
			t.Errorf("%s: %v", listen, err)
		}
	}
}

// An idle keep-alive connection (one GET, then nothing) is closed by the host.
func TestIdleHTTPConnectionClosed(t *testing.T) {
	h := startHost(t, Config{Insecure: true, IdleTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", h.Invite().Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection still open: %v", err)
	}
}

// One address holds at most MaxConnsPerAddr connections; more are closed at once.
func TestConnectionsPerAddressCapped(t *testing.T) {
	h := startHost(t, Config{Insecure: true, MaxConnsPerAddr: 3})
	port := h.Invite().Port
	conns := dialFrom(t, port, "127.0.0.1", "127.0.0.1", "127.0.0.1")
	wantClosedAtOnce(t, port, "127.0.0.1", "fourth connection")
	// Closing one makes room again.
	conns[0].Close()
	wantRoom(t, port)
}

// The listener holds at most MaxConns connections from every address together: a security
// tester's idle connections from 196 addresses, each under its own cap, held 20,000
// descriptors and 1.4 GB of the host's memory. A new one takes the place of the oldest
// that has not joined, so that connections that never say hello cannot keep members out
// (a reviewer's: four addresses' worth would have refused every join and reconnect); when
// every place is a member's, it is refused.
func TestConnectionsCappedInAll(t *testing.T) {
	for _, insecure := range []bool{true, false} {
		t.Run(fmt.Sprintf("the oldest that has not joined goes (insecure %v)", insecure), func(t *testing.T) {
			h := startHost(t, Config{Insecure: insecure, MaxConnsPerAddr: 10, MaxConns: 3})
			port := h.Invite().Port
			ann := join(t, h.Invite(), "ann")
			strangers := dialFrom(t, port, "127.0.0.2", "127.0.0.3")
			fourth := dialFrom(t, port, "127.0.0.4")[0]
			wantClosed(t, strangers[0], "the oldest connection that has not joined")
			_ = fourth.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			if _, err := fourth.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("the new connection: %v, want it held open", err)
			}
			// ann's connection stayed, and is served.
			if _, err := ann.c.Prompt(context.Background(), "still here"); err != nil {
				t.Fatalf("ann's prompt: %v", err)
			}
			ann.mu.Lock()
			defer ann.mu.Unlock()
			for _, st := range ann.stat {
				if st.State == client.StatusReconnecting || st.State == client.StatusClosed {
					t.Fatalf("ann's connection went: %+v", ann.stat)
				}
			}
		})
	}
	t.Run("every place a member's: refused", func(t *testing.T) {
		h := startHost(t, Config{Insecure: true, MaxConnsPerAddr: 10, MaxConns: 2})
		join(t, h.Invite(), "ann")
		join(t, h.Invite(), "bob")
		wantClosedAtOnce(t, h.Invite().Port, "127.0.0.2", "a third connection, both places members'")
	})
}

// wantClosed wants c closed by the host within a few seconds.
func wantClosed(t *testing.T, c net.Conn, what string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("%s: %v, want it closed", what, err)
	}
}

// dialFrom opens a connection to the host from each local address, closed at the test's end.
func dialFrom(t *testing.T, port int, from ...string) []net.Conn {
	t.Helper()
	var conns []net.Conn
	for _, ip := range from {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		c, err := d.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	return conns
}

// wantClosedAtOnce opens one more connection from ip and wants it closed at once, well
// before the server's own 10 s header timeout would close it.
func wantClosedAtOnce(t *testing.T, port int, ip, what string) {
	t.Helper()
	wantClosed(t, dialFrom(t, port, ip)[0], what)
}

// wantRoom waits until a request from 127.0.0.1 is served: the host sees a close
// asynchronously.
func wantRoom(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no room after a close: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "reset")
}

// TLS 1.2 clients offering only CBC or SHA-1 suites are refused.
func TestTLSSuitesAreAEAD(t *testing.T) {
	h := startHost(t, Config{})
	addr := fmt.Sprintf("127.0.0.1:%d", h.Invite().Port)
	weak := &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	}}
	if c, err := tls.Dial("tcp", addr, weak); err == nil {
		c.Close()
		t.Fatal("a CBC-only TLS 1.2 client was accepted")
	}
	strong := &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}
	c, err := tls.Dial("tcp", addr, strong)
	if err != nil {
		t.Fatalf("TLS 1.2 with AEAD: %v", err)
	}
	c.Close()
}

// capped is a capListener of max per address and maxTotal in all on loopback, and the
// server's side of each connection it lets in, in order.
func capped(t *testing.T, max, maxTotal int) (*capListener, <-chan *cappedConn) {
	t.Helper()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newCapListener(tcp, max, maxTotal)
	t.Cleanup(func() { l.Close() })
	accepted := make(chan *cappedConn, 16)
	var mu sync.Mutex
	var held []net.Conn // referenced: one the GC found unreachable would be closed
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
			accepted <- c.(*cappedConn)
		}
	}()
	return l, accepted
}

// When the listener is full, the connection that goes for a new one is one being closed
// (a replaced member's, waiting for its close handshake: a second security tester's 260
// of them kept everyone out for 10 s), else the oldest of the address that holds the most
// (the same tester's ten addresses, reconnecting 17,000 times a second, evicted every
// joiner within 15 ms when the oldest of all went). A member's never goes.
func TestTheFullListenerEvictsTheMostCrowdedAddressFirst(t *testing.T) {
	l, accepted := capped(t, 10, 4)
	port := l.Addr().(*net.TCPAddr).Port
	server := func() *cappedConn {
		t.Helper()
		select {
		case c := <-accepted:
			return c
		case <-time.After(5 * time.Second):
			t.Fatal("no connection accepted")
			return nil
		}
	}
	member := dialFrom(t, port, "127.0.0.5")[0]
	server().Joined(true)
	joiner := dialFrom(t, port, "127.0.0.3")[0] // the oldest waiting, alone on its address
	server()
	crowd := dialFrom(t, port, "127.0.0.2", "127.0.0.2")
	server()
	server()
	dialFrom(t, port, "127.0.0.4") // full: one of 127.0.0.2's goes, the oldest
	server()
	wantClosed(t, crowd[0], "the oldest of the most crowded address")
	for what, c := range map[string]net.Conn{"the joiner alone on its address": joiner, "the member": member} {
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("%s: %v, want it open", what, err)
		}
	}

	// A member's connection being closed goes before any that waits to join.
	l2, accepted2 := capped(t, 10, 2)
	port2 := l2.Addr().(*net.TCPAddr).Port
	replaced := dialFrom(t, port2, "127.0.0.6")[0]
	s := <-accepted2
	s.Joined(true)
	waiting := dialFrom(t, port2, "127.0.0.7")[0]
	<-accepted2
	s.Joined(false) // replaced: closing
	dialFrom(t, port2, "127.0.0.8")
	<-accepted2
	wantClosed(t, replaced, "the replaced member's connection")
	_ = waiting.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := waiting.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the connection waiting to join: %v, want it open", err)
	}
}

// An IPv6 machine is given a whole /64 and may dial from any address in it: the cap
// counts a /64 as one address, or one machine could open max connections from each of
// 2^64 addresses (netkey).
func TestConnectionsPerIPv6NetworkCapped(t *testing.T) {
	fake := &addrListener{conns: make(chan net.Conn), done: make(chan struct{})}
	l := newCapListener(fake, 2, 100)
	accepted := make(chan net.Conn)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() { fake.Close() })
	offer := func(from string) (client net.Conn, took bool) {
		t.Helper()
		server, client := net.Pipe()
		t.Cleanup(func() { client.Close() })
		fake.conns <- addrConn{Conn: server, remote: &net.TCPAddr{IP: net.ParseIP(from), Port: 40000}}
		select {
		case <-accepted:
			return client, true
		case <-time.After(200 * time.Millisecond):
			return client, false
		}
	}
	for _, from := range []string{"2001:db8:1:2::1", "2001:db8:1:2:aaaa::9"} {
		if _, took := offer(from); !took {
			t.Fatalf("%s: refused, want it taken", from)
		}
	}
	third, took := offer("2001:db8:1:2:ffff::7") // another address of the same /64
	if took {
		t.Fatal("a third connection from one /64 was taken, want it closed at once")
	}
	_ = third.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := third.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("the third connection from one /64: %v, want it closed", err)
	}
	if _, took := offer("2001:db8:1:3::1"); !took {
		t.Fatal("the next /64 was refused, want it taken")
	}
}

// addrListener hands out the connections sent on conns, each from the address it says.
type addrListener struct {
	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

func (l *addrListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *addrListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

func (l *addrListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv6loopback} }

type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.remote }
