package rpc

import (
	"encoding/binary"
	"net"
	"sync"
	"syscall"
	"time"
)

// Direct writes: a server sending one event to many peers pays, on each connection, for
// waking that connection's write pump, which then makes one write(2). On a plain TCP
// connection that nothing else is writing to, the sender can make the write(2) itself:
// SendPrepared does, when the socket takes the frame without blocking. Anything that
// would wait (a full socket buffer, a write pump at work, a deadline passed) goes to the
// write pump as before, so a peer that stops reading never holds the sender up.

// Prepared is a text message encoded once for many peers: its payload and the WebSocket
// frame a server sends it in (unmasked, one frame), built once.
type Prepared struct {
	frame []byte
	hdr   int // bytes of frame header before the payload
}

// Prepare builds the Prepared message for payload, which it copies.
func Prepare(payload []byte) Prepared { return PrepareParts(payload) }

// PrepareParts is Prepare for a payload made of parts, copied one after another.
func PrepareParts(parts ...[]byte) Prepared {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	hdr := 2
	switch {
	case n > 0xffff:
		hdr = 10
	case n > 125:
		hdr = 4
	}
	f := make([]byte, hdr, hdr+n)
	f[0] = 0x80 | 0x1 // FIN, text (RFC 6455 §5.2); no extension bits: compression is never negotiated
	switch hdr {
	case 2:
		f[1] = byte(n)
	case 4:
		f[1] = 126
		binary.BigEndian.PutUint16(f[2:], uint16(n))
	default:
		f[1] = 127
		binary.BigEndian.PutUint64(f[2:], uint64(n))
	}
	for _, p := range parts {
		f = append(f, p...)
	}
	return Prepared{frame: f, hdr: hdr}
}

// Payload is the message's bytes (shared: not to be modified).
func (m Prepared) Payload() []byte { return m.frame[m.hdr:] }

// DirectWriter is a connection a server Peer may write whole frames to from the sender's
// goroutine. DirectListener's connections are; a wrapper of one (a conn that counts
// bytes, say) may be too, by passing both calls on.
type DirectWriter interface {
	// TryWrite writes frame (raw bytes, a complete WebSocket frame) if that cannot block
	// and nothing else is being written. ok false: nothing was written. ok true: n bytes
	// went out now and the rest, if any, is kept and written before anything else that
	// is written to the connection; Flush writes it.
	TryWrite(frame []byte) (n int, ok bool)
	// Flush writes what TryWrite kept, blocking until deadline; n is how many bytes it
	// wrote.
	Flush(deadline time.Time) (n int, err error)
	// WholeFrames runs write, which writes whole frames through the connection's Write,
	// with no TryWrite in between: gorilla writes a frame larger than its buffer in more
	// than one Write call.
	WholeFrames(write func() error) error
}

// Underlier is implemented by a net.Conn wrapper that passes every byte written to it on
// unchanged to the conn it wraps (a wrapper that counts, or that closes a slot on Close;
// not TLS). DirectListener looks through such wrappers for the socket underneath.
type Underlier interface {
	Underlying() net.Conn
}

// DirectListener wraps ln, a listener of plain TCP connections, so that a server Peer on
// an accepted connection can write prepared messages directly (SendPrepared). It must
// not be used beneath TLS: bytes written directly would bypass the encryption. A
// connection with no socket to be found (not TCP, or a wrapper that is not an Underlier)
// is returned as it is, and its peer writes through its write pump. On systems other than
// Linux it returns ln itself.
func DirectListener(ln net.Listener) net.Listener {
	if !directWrites {
		return ln
	}
	return directListener{ln}
}

type directListener struct{ net.Listener }

// Underlying is the connection the listener accepted (a wrapper of the caller's may mark
// it: the host's listener counts the connections that have joined).
func (d *directConn) Underlying() net.Conn { return d.Conn }

func (l directListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	raw := rawConnOf(c)
	if raw == nil {
		return c, nil
	}
	d := &directConn{Conn: c, raw: raw}
	d.writeFn = d.writeRaw
	return d, nil
}

// rawConnOf finds the socket under c, looking only through Underliers.
func rawConnOf(c net.Conn) syscall.RawConn {
	for c != nil {
		if tc, ok := c.(*net.TCPConn); ok {
			raw, err := tc.SyscallConn()
			if err != nil {
				return nil
			}
			return raw
		}
		u, ok := c.(Underlier)
		if !ok {
			return nil
		}
		c = u.Underlying()
	}
	return nil
}

// directConn serialises every write to the connection — gorilla's (the write pump's
// frames and pings, the read pump's pong and close replies) and TryWrite's — so that the
// part of a frame a non-blocking write left over is written before anything else, and a
// direct write never lands between two Write calls of one of the write pump's frames.
type directConn struct {
	net.Conn
	raw syscall.RawConn

	frames sync.Mutex // held by the write pump for whole frames (WholeFrames); TryWrite only tries it
	mu     sync.Mutex // one Write at a time; guards rest and the writeRaw fields
	rest   []byte     // what TryWrite's write(2) did not take

	// writeRaw's argument and result (bytes written, -1 on an error), and the method value
	// raw.Write is given (made once, so that a direct write allocates nothing).
	b       []byte
	n       int
	writeFn func(fd uintptr) bool
}

// Write writes b after anything TryWrite left over.
func (c *directConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

func (c *directConn) WholeFrames(write func() error) error {
	c.frames.Lock()
	defer c.frames.Unlock()
	return write()
}

func (c *directConn) TryWrite(frame []byte) (int, bool) {
	if !c.frames.TryLock() {
		return 0, false
	}
	defer c.frames.Unlock()
	if !c.mu.TryLock() {
		return 0, false
	}
	defer c.mu.Unlock()
	if len(c.rest) > 0 {
		return 0, false
	}
	c.b = frame
	// raw.Write refuses (without calling writeFn) once the write deadline has passed or
	// the connection is closed; writeFn makes one attempt and never waits.
	err := c.raw.Write(c.writeFn)
	n := c.n
	c.b, c.n = nil, 0
	if err != nil || n <= 0 {
		return 0, false
	}
	if n < len(frame) {
		c.rest = append([]byte(nil), frame[n:]...)
	}
	return n, true
}

func (c *directConn) Flush(deadline time.Time) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.rest) == 0 {
		return 0, nil
	}
	// The socket's deadline is whatever its last writer gave it: gorilla's pong, for one,
	// gives it one second.
	if err := c.Conn.SetWriteDeadline(deadline); err != nil {
		return 0, err
	}
	return c.flushLocked()
}

func (c *directConn) flushLocked() (int, error) {
	if len(c.rest) == 0 {
		return 0, nil
	}
	n, err := c.Conn.Write(c.rest)
	c.rest = c.rest[n:]
	if len(c.rest) == 0 {
		c.rest = nil
	}
	return n, err
}
