package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/stamp"
	"github.com/concordia-party/concordia/internal/wire"
)

// participant is one raw WebSocket client in the parent. After its hello its reader
// goroutine (the only one touching the fields below "reader-owned") records, for every
// stamp it receives, the time since the agent wrote it.
type participant struct {
	conn *websocket.Conn
	done chan struct{} // closed when the reader stops (the end of the stream, or an error)

	// reader-owned until done is closed
	seen    []bool
	lat     []int64 // ns, one per distinct stamp received
	latSeq  []int   // the delta of each lat
	firstAt int64   // the earliest and latest stamps received (the agent's write times)
	lastAt  int64
	frames  int64 // frames read after the stream started
	bytes   int64 // their payload bytes
	readErr error

	lastFrame atomic.Int64 // monotonic ns of the latest frame; the parent waits for quiet
}

// turnEnd marks the event that ends the Concordia stream; relayEnd ends the relay's.
var turnEnd = []byte(`"kind":"turn"`)

// endpoint is where a run's participants connect: the host's address and invite token.
type endpoint struct {
	system, addr, token string
}

// dialParticipant connects to the system's endpoint and, for Concordia, says hello and
// waits for the reply. rcvBuf > 0 shrinks the socket's receive buffer (a stalled reader
// then pushes back on the host after a few KiB instead of a few MiB).
func dialParticipant(ctx context.Context, ep endpoint, i, rcvBuf int) (*websocket.Conn, error) {
	d := websocket.Dialer{ReadBufferSize: 16 << 10, WriteBufferSize: 4096, HandshakeTimeout: 30 * time.Second}
	if rcvBuf > 0 {
		nd := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = setRcvBuf(fd, rcvBuf)
			})
			if err != nil {
				return err
			}
			return serr
		}}
		d.NetDialContext = nd.DialContext
	}
	u := url.URL{Scheme: "ws", Host: ep.addr, Path: wire.RPCPath}
	conn, _, err := d.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(wire.MaxHostMessage)
	if !speaksProtocol(ep.system) {
		return conn, nil
	}
	hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello,
		"params": wire.HelloParams{Name: fmt.Sprintf("p%d", i), Token: ep.token, ClientID: fmt.Sprintf("bench-%d", i)}})
	if err := conn.WriteMessage(websocket.TextMessage, hello); err != nil {
		conn.Close()
		return nil, fmt.Errorf("hello: %w", err)
	}
	return conn, nil
}

// helloReply reads the hello's reply: nil when joined, the JSON-RPC error otherwise.
func helloReply(conn *websocket.Conn) error {
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	defer conn.SetReadDeadline(time.Time{})
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return fmt.Errorf("hello reply: %w", err)
		}
		var reply struct {
			ID    json.RawMessage `json:"id"`
			Error *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &reply) != nil || len(reply.ID) == 0 {
			continue // a notification
		}
		if reply.Error != nil {
			return &rpcError{Code: reply.Error.Code, Message: reply.Error.Message}
		}
		return nil
	}
}

// rpcError is a JSON-RPC error a participant got.
type rpcError struct {
	Code    int
	Message string
}

func (e *rpcError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Message) }

func newParticipant(conn *websocket.Conn, deltas int) *participant {
	pt := &participant{conn: conn, done: make(chan struct{}), seen: make([]bool, deltas)}
	pt.lastFrame.Store(stamp.Monotonic())
	return pt
}

// read is the reader goroutine. started says whether the stream has begun (frames before
// it, the other participants' joins, are not counted).
func (pt *participant) read(started *atomic.Bool) {
	defer close(pt.done)
	var buf bytes.Buffer
	for {
		_, r, err := pt.conn.NextReader()
		if err != nil {
			pt.readErr = err
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			pt.readErr = err
			return
		}
		now := stamp.Monotonic()
		pt.lastFrame.Store(now)
		data := buf.Bytes()
		if !started.Load() {
			continue
		}
		pt.frames++
		pt.bytes += int64(len(data))
		stamp.Scan(data, func(seq int, at int64) {
			if seq < 0 || seq >= len(pt.seen) || pt.seen[seq] {
				return
			}
			pt.seen[seq] = true
			pt.lat = append(pt.lat, now-at)
			pt.latSeq = append(pt.latSeq, seq)
			if pt.lastAt == 0 || at < pt.firstAt {
				pt.firstAt = at
			}
			pt.lastAt = max(pt.lastAt, at)
		})
		if bytes.Equal(data, relayEnd) || bytes.Contains(data, turnEnd) {
			return
		}
	}
}

// discard drains a connection nobody measures (the stalled participant's, at the end).
func discard(conn *websocket.Conn) {
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return
		}
		io.Copy(io.Discard, r)
	}
}
