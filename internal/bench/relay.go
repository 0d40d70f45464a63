package bench

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// relay is the baseline the issue measures Concordia against: the least a fan-out can do.
// Every client has one writer goroutine and a buffered channel; every delta is one
// WebSocket frame with the delta's bytes and nothing else (no JSON-RPC, no seq, no log).
// A client whose channel is full is dropped, never waited for.
type relay struct {
	upgrader websocket.Upgrader

	mu      sync.Mutex // guards clients
	clients map[*relayClient]struct{}
}

// relayQueue is each client's channel size: the same 1024 messages as Concordia's queue.
const relayQueue = 1024

// relayEnd is the relay's last frame, after the stream.
var relayEnd = []byte("end")

type relayClient struct {
	conn *websocket.Conn
	send chan []byte // closed by the relay (under mu) when the client is dropped
}

func newRelay() *relay {
	return &relay{
		upgrader: websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096},
		clients:  map[*relayClient]struct{}{},
	}
}

func (r *relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	conn, err := r.upgrader.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	c := &relayClient{conn: conn, send: make(chan []byte, relayQueue)}
	r.mu.Lock()
	r.clients[c] = struct{}{}
	r.mu.Unlock()
	go c.write()
	// The read side only notices the client leaving.
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			break
		}
	}
	r.drop(c)
	conn.Close()
}

// write is the client's only writer: one frame per message.
func (c *relayClient) write() {
	for msg := range c.send {
		c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
			c.conn.Close()
			for range c.send { // until the relay drops us
			}
			return
		}
	}
}

func (r *relay) drop(c *relayClient) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clients[c]; ok {
		delete(r.clients, c)
		close(c.send)
	}
}

// broadcast queues msg for every client without waiting; a full queue drops the client.
func (r *relay) broadcast(msg []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.clients {
		select {
		case c.send <- msg:
		default:
			delete(r.clients, c)
			close(c.send)
			c.conn.Close()
		}
	}
}

func (r *relay) start(stream func(write func([]byte)) sentReport) {
	stream(func(b []byte) { r.broadcast(append([]byte(nil), b...)) })
	r.broadcast(relayEnd)
}

func (r *relay) members() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.clients)
}

func (r *relay) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.clients {
		delete(r.clients, c)
		close(c.send)
		c.conn.Close()
	}
}
