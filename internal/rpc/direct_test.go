//go:build linux

package rpc

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pumpCounter wraps an accepted connection and counts the writes that go through it:
// gorilla's, which is to say the write pump's. A direct write goes to the socket beneath
// it, so it is not counted. sndbuf, when set, shrinks the socket's send buffer.
type pumpCounter struct {
	net.Listener
	sndbuf int
	writes atomic.Int64
}

func (l *pumpCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.sndbuf > 0 {
		if err := c.(*net.TCPConn).SetWriteBuffer(l.sndbuf); err != nil {
			return nil, err
		}
	}
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l *pumpCounter
}

func (c *countedConn) Underlying() net.Conn { return c.Conn }

func (c *countedConn) Write(b []byte) (int, error) {
	c.l.writes.Add(1)
	return c.Conn.Write(b)
}

// newDirectServer is newServer on a DirectListener, as concordia host serves without TLS.
func newDirectServer(t *testing.T, opts Options, sndbuf int) (*server, *pumpCounter) {
	t.Helper()
	counter := &pumpCounter{sndbuf: sndbuf}
	s := newServerOn(t, opts, func(ln net.Listener) net.Listener {
		counter.Listener = ln
		return DirectListener(counter)
	})
	return s, counter
}

// A prepared message reaches the client intact at every length the frame header encodes
// differently (7-bit, 16-bit and 64-bit lengths), and an idle connection gets it from the
// sender's own write: the write pump writes nothing.
func TestSendPreparedWritesDirectly(t *testing.T) {
	checkLeaks(t)
	s, counter := newDirectServer(t, Options{ReadLimit: 1 << 20}, 0)
	c := dialRaw(t, s)
	sc := s.next()
	if sc.peer.direct == nil {
		t.Fatal("a server peer on a DirectListener has no direct writer")
	}
	before := counter.writes.Load()
	for _, n := range []int{0, 1, 125, 126, 127, 1000, 0xffff, 0x10000, 70000} {
		payload := bytes.Repeat([]byte{'a' + byte(n%26)}, n)
		m := Prepare(payload)
		if !bytes.Equal(m.Payload(), payload) {
			t.Fatalf("Payload of a %d-byte message differs", n)
		}
		if err := sc.peer.SendPrepared(m); err != nil {
			t.Fatalf("SendPrepared %d bytes: %v", n, err)
		}
		c.SetReadDeadline(time.Now().Add(waitLong))
		typ, got, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read the %d-byte message: %v", n, err)
		}
		if typ != websocket.TextMessage || !bytes.Equal(got, payload) {
			t.Fatalf("%d-byte message: got type %d, %d bytes", n, typ, len(got))
		}
	}
	if w := counter.writes.Load() - before; w != 0 {
		t.Fatalf("the write pump wrote %d times; an idle connection's messages should be written directly", w)
	}
}

// A client that stops reading fills the socket: SendPrepared never waits for it (the
// rest of a frame the socket took part of, and what follows, go to the write pump), and
// once the client reads again every message arrives whole and in the order sent, direct
// and queued ones alike.
func TestSendPreparedKeepsOrderWhenTheSocketFills(t *testing.T) {
	checkLeaks(t)
	const n = 600
	s, counter := newDirectServer(t, Options{SendQueue: 2 * n}, 4096)
	c, sc, partial := dialSmall(t, s)
	sent := make(chan error, 1)
	go func() {
		for i := range n {
			msg := fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"m","params":{"i":%d,"pad":"%s"}}`, i, strings.Repeat("x", padding(i)))
			var err error
			switch i % 3 {
			case 0, 1:
				err = sc.peer.SendPrepared(Prepare(msg))
			default:
				err = sc.peer.SendFrame(msg)
			}
			if err != nil {
				sent <- fmt.Errorf("message %d: %w", i, err)
				return
			}
		}
		sent <- nil
	}()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLong):
		t.Fatal("sending blocked on a client that does not read")
	}
	if counter.writes.Load() == 0 || partial.n.Load() == 0 {
		t.Fatalf("the write pump wrote %d times and %d direct writes were partial: the socket never filled, so the test proves nothing",
			counter.writes.Load(), partial.n.Load())
	}
	for i := range n {
		r := readFrame(t, c)
		var p struct {
			I   int    `json:"i"`
			Pad string `json:"pad"`
		}
		if err := json.Unmarshal(r.Params, &p); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if p.I != i || len(p.Pad) != padding(i) {
			t.Fatalf("message %d arrived as number %d with %d bytes of padding", i, p.I, len(p.Pad))
		}
	}
}

// dialSmall connects a raw client with a 64 KiB receive buffer, so that a socket with a
// small send buffer is full after a few frames, and counts its server peer's partial
// direct writes.
func dialSmall(t *testing.T, s *server) (*websocket.Conn, serverConn, *partialCounter) {
	t.Helper()
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			err = c.(*net.TCPConn).SetReadBuffer(64 << 10)
		}
		return c, err
	}}
	c, _, err := dialer.Dial(s.url(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sc := s.next()
	partial := &partialCounter{DirectWriter: sc.peer.direct} // set before the first send
	sc.peer.direct = partial
	return c, sc, partial
}

// padding makes message i's length: none divides the socket buffer, and the first and
// every tenth is larger than both buffers together, so that a direct write of it on an
// idle connection is always partial.
func padding(i int) int {
	if i%10 == 0 {
		return 100_000 + i
	}
	return 700 + i%97
}

// partialCounter counts the direct writes the socket took only part of.
type partialCounter struct {
	DirectWriter
	n atomic.Int64
}

func (p *partialCounter) TryWrite(frame []byte) (int, bool) {
	n, ok := p.DirectWriter.TryWrite(frame)
	if ok && n < len(frame) {
		p.n.Add(1)
	}
	return n, ok
}

// A frame the socket takes only part of, with nothing sent after it, is finished by the
// write pump; then the connection is idle and writes directly again.
func TestSendPreparedPartFrameFinishedByThePump(t *testing.T) {
	checkLeaks(t)
	s, _ := newDirectServer(t, Options{}, 4096)
	c, sc, partial := dialSmall(t, s)
	big := append(append([]byte(`"`), bytes.Repeat([]byte("y"), 300_000)...), '"')
	if err := sc.peer.SendPrepared(Prepare(big)); err != nil {
		t.Fatal(err)
	}
	if partial.n.Load() != 1 {
		t.Fatalf("%d partial direct writes of 300 KB into a 64 KiB window; want 1", partial.n.Load())
	}
	c.SetReadDeadline(time.Now().Add(waitLong))
	if _, got, err := c.ReadMessage(); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read %d bytes (%v); want the whole 300 KB message", len(got), err)
	}
	deadline := time.Now().Add(waitLong)
	for !sc.peer.Idle() {
		if time.Now().After(deadline) {
			t.Fatal("the peer is still busy after its last frame was read")
		}
		time.Sleep(time.Millisecond)
	}
	if err := sc.peer.SendPrepared(Prepare([]byte(`"small"`))); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.ReadMessage(); err != nil || string(got) != `"small"` {
		t.Fatalf("next message: %q, %v", got, err)
	}
}

// gorilla writes a frame larger than its buffer (4 KiB) in more than one Write call. A
// direct write that found the connection free between two of them — a sender that took
// inFlight just before a reply was queued, say — would land inside that frame and corrupt
// the stream: the write pump holds the connection for whole frames.
func TestDirectWriteNeverSplitsAPumpFrame(t *testing.T) {
	checkLeaks(t)
	between := make(chan DirectWriter, 1)
	resume := make(chan struct{})
	s := newServerOn(t, Options{}, func(ln net.Listener) net.Listener {
		return pauseListener{Listener: DirectListener(ln), between: between, resume: resume}
	})
	c := dialRaw(t, s)
	sc := s.next()
	big := append(append([]byte(`"`), bytes.Repeat([]byte("B"), 20_000)...), '"')
	if err := sc.peer.SendFrame(big); err != nil {
		t.Fatal(err)
	}
	var d DirectWriter
	select {
	case d = <-between: // the first Write of the frame is done, the next not begun
	case <-time.After(waitLong):
		t.Fatal("the write pump did not write the frame")
	}
	_, wrote := d.TryWrite(Prepare([]byte(`"small"`)).frame)
	close(resume)
	if wrote {
		t.Error("a direct write went in between two Writes of the write pump's frame")
	}
	c.SetReadDeadline(time.Now().Add(waitLong))
	if _, got, err := c.ReadMessage(); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("the big message arrived as %d bytes (%v)", len(got), err)
	}
}

// pauseListener's connections stop after the first Write of a large frame (gorilla's
// header and a buffer's worth of payload) until resume is closed, and meanwhile hand their DirectWriter to the
// test. They sit outside the DirectListener's connection, so that it is free meanwhile.
type pauseListener struct {
	net.Listener
	between chan DirectWriter
	resume  chan struct{}
}

func (l pauseListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &pauseConn{Conn: c, l: l}, nil
}

type pauseConn struct {
	net.Conn
	l      pauseListener
	paused bool
}

func (c *pauseConn) TryWrite(frame []byte) (int, bool) { return c.Conn.(DirectWriter).TryWrite(frame) }
func (c *pauseConn) Flush(deadline time.Time) (int, error) {
	return c.Conn.(DirectWriter).Flush(deadline)
}
func (c *pauseConn) WholeFrames(write func() error) error {
	return c.Conn.(DirectWriter).WholeFrames(write)
}

func (c *pauseConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if !c.paused && len(b) >= 2048 && b[0] == 0x81 {
		c.paused = true
		c.l.between <- c
		<-c.l.resume
	}
	return n, err
}

// A part-written frame is finished with a whole WriteWait to do it in: gorilla's pong (to
// a client's ping) leaves the socket with a one-second deadline, and a client that reads
// again only after that second must still get the frame.
func TestPartFrameFinishedWithinWriteWait(t *testing.T) {
	checkLeaks(t)
	s, _ := newDirectServer(t, Options{WriteWait: 10 * time.Second}, 4096)
	c, sc, partial := dialSmall(t, s)
	if err := c.WriteControl(websocket.PingMessage, nil, time.Now().Add(waitLong)); err != nil {
		t.Fatal(err)
	}
	pong := make(chan struct{})
	c.SetPongHandler(func(string) error { close(pong); return nil })
	go c.NextReader() // reads the pong (and would fail the test's own reads: they come after)
	select {
	case <-pong:
	case <-time.After(waitLong):
		t.Fatal("no pong")
	}
	big := append(append([]byte(`"`), bytes.Repeat([]byte("y"), 300_000)...), '"')
	if err := sc.peer.SendPrepared(Prepare(big)); err != nil {
		t.Fatal(err)
	}
	if partial.n.Load() != 1 {
		t.Fatal("the 300 KB frame went out whole: the test proves nothing")
	}
	time.Sleep(1500 * time.Millisecond) // past the pong's deadline, well within WriteWait
	if err := sc.peer.Err(); err != nil {
		t.Fatalf("the peer ended while its client paused: %v", err)
	}
}

// A closed peer refuses a prepared message as it refuses any other.
func TestSendPreparedAfterClose(t *testing.T) {
	checkLeaks(t)
	s, _ := newDirectServer(t, Options{WriteWait: 50 * time.Millisecond}, 0) // the client never answers the close
	dialRaw(t, s)
	sc := s.next()
	sc.peer.Close(websocket.CloseNormalClosure, "bye")
	if err := sc.peer.SendPrepared(Prepare([]byte(`{}`))); err == nil {
		t.Fatal("SendPrepared on a closed peer succeeded")
	}
}

// The rest of a frame the socket took only part of is written before anything else: the
// next Write, or Flush.
func TestDirectConnWritesTheRestFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	counter := &pumpCounter{Listener: ln, sndbuf: 4096}
	dl := DirectListener(counter)
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sc, err := dl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	d, ok := sc.(*directConn)
	if !ok {
		t.Fatalf("DirectListener accepted a %T, want a *directConn", sc)
	}
	big := bytes.Repeat([]byte("0123456789"), 100_000) // far more than the socket holds
	w, ok := d.TryWrite(big)
	if !ok || w <= 0 || w >= len(big) {
		t.Fatalf("TryWrite of 1 MB into a socket with a 4 KiB send buffer: %d bytes, ok %v; want part of it", w, ok)
	}
	if _, ok := d.TryWrite([]byte("next")); ok {
		t.Fatal("TryWrite went ahead of a kept rest")
	}
	want := append(append([]byte(nil), big...), "tail"...)
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(client, int64(len(want))))
		got <- b
	}()
	d.SetWriteDeadline(time.Now().Add(waitLong))
	if _, err := d.Write([]byte("tail")); err != nil {
		t.Fatalf("Write after a partial TryWrite: %v", err)
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the client read %d bytes that differ from the %d written in order", len(b), len(want))
	}
	if n, err := d.Flush(time.Now().Add(waitLong)); n != 0 || err != nil {
		t.Fatalf("Flush with nothing kept: %d, %v", n, err)
	}
}

// Bytes written directly would bypass TLS: a TLS connection, or a wrapper that does not
// promise to pass bytes on unchanged, is left to its write pump.
func TestDirectListenerLooksOnlyThroughUnderliers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for range 3 { // the backlog takes them before Accept
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	accept := func() net.Conn {
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	type opaque struct{ net.Conn }
	for name, c := range map[string]net.Conn{
		"tls":                 tls.Server(accept(), &tls.Config{}),
		"an opaque wrapper":   opaque{accept()},
		"a TCP conn, wrapped": &countedConn{Conn: accept(), l: &pumpCounter{}},
	} {
		raw := rawConnOf(c)
		if want := name == "a TCP conn, wrapped"; (raw != nil) != want {
			t.Errorf("%s: found a socket to write to directly: %v, want %v", name, raw != nil, want)
		}
	}
}
