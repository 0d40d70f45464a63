package rpc

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/certs"
	"github.com/concordia-party/concordia/internal/testkit"
)

// TestDialTLSPinned runs the whole stack as a participant would: wss://
// with the certificate pinned by fingerprint.
func TestDialTLSPinned(t *testing.T) {
	checkLeaks(t)
	cert, fp, err := certs.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, otherFP, err := certs.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var peers []*Peer
	up := websocket.Upgrader{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		p := New(conn, Options{Handler: echoHandler})
		mu.Lock()
		peers = append(peers, p)
		mu.Unlock()
		p.Run(context.Background())
	}))
	srv.TLS = certs.ServerConfig(cert)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range peers {
			p.Close(websocket.CloseNormalClosure, "")
			<-p.Done()
		}
		srv.Close()
	})
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/rpc"

	tests := []struct {
		name     string
		pin      string
		mismatch bool
	}{
		{"right fingerprint", fp, false},
		{"upper-case fingerprint", strings.ToUpper(fp), false},
		{"wrong fingerprint", otherFP, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Dial(context.Background(), url, certs.ClientConfig(tt.pin), Options{})
			if tt.mismatch {
				if err == nil {
					p.Close(websocket.CloseNormalClosure, "")
					t.Fatal("Dial succeeded with the wrong fingerprint")
				}
				if !errors.Is(err, certs.ErrFingerprintMismatch) {
					t.Fatalf("Dial = %v, want ErrFingerprintMismatch", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			run(t, context.Background(), p)
			var got string
			if err := p.Call(context.Background(), "ping", nil, &got); err != nil || got != "pong" {
				t.Fatalf("ping over TLS: %q, %v", got, err)
			}
		})
	}
}

func TestDialErrors(t *testing.T) {
	checkLeaks(t)
	notWS := httptest.NewServer(http.NotFoundHandler())
	defer notWS.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := "ws" + strings.TrimPrefix(closed.URL, "http") + "/rpc"
	closed.Close()

	tests := []struct {
		name string
		url  string
		want string
	}{
		{"not a websocket endpoint", "ws" + strings.TrimPrefix(notWS.URL, "http") + "/rpc", "HTTP 404"},
		{"nobody listening", closedURL, "connection refused"},
		{"bad scheme", "http://127.0.0.1:1/rpc", "malformed ws or wss URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Dial(context.Background(), tt.url, nil, Options{})
			if err == nil {
				p.Close(websocket.CloseNormalClosure, "")
				t.Fatal("Dial succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Dial = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestDialCancelledDuringTheHandshake: a dial to a host that takes the connection and
// never answers ends when its context is cancelled, not at HandshakeTimeout (gorilla does
// not watch the context: a window's Cancel was dead for 10 s).
func TestDialCancelledDuringTheHandshake(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			held <- c // never answered
		}
	}()
	defer func() {
		select {
		case c := <-held:
			c.Close()
		default:
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err = Dial(ctx, "ws://"+ln.Addr().String()+"/rpc", nil, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial = %v, want it cancelled", err)
	}
	if d := time.Since(start); d > HandshakeTimeout/2 {
		t.Errorf("Dial ended %v after it started; its context was cancelled after 200ms", d)
	}
}

// TestDialNoAnswer: a dial to a host that takes the connection and never answers says so
// when its time runs out (ErrNoAnswer), which a dial to nobody, or a cancelled one, does
// not: a stopped host was said to be unreachable.
func TestDialNoAnswer(t *testing.T) {
	checkLeaks(t)
	silent := testkit.SilentListener(t) // takes the connection, never answers
	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	goneAddr := gone.Addr().String()
	gone.Close()

	tests := []struct {
		name     string
		addr     string
		cancel   bool // cancelled rather than timed out
		noAnswer bool
	}{
		{"taken, never answered", silent, false, true},
		{"taken, cancelled while waiting", silent, true, false},
		{"nobody listening", goneAddr, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if tt.cancel {
				time.AfterFunc(100*time.Millisecond, cancel)
			}
			p, err := Dial(ctx, "ws://"+tt.addr+"/rpc", nil, Options{})
			if err == nil {
				p.Close(websocket.CloseNormalClosure, "")
				t.Fatal("Dial succeeded")
			}
			if errors.Is(err, ErrNoAnswer) != tt.noAnswer {
				t.Fatalf("Dial = %v; ErrNoAnswer wanted: %v", err, tt.noAnswer)
			}
			if tt.cancel && !errors.Is(err, context.Canceled) {
				t.Fatalf("Dial = %v, want it cancelled", err)
			}
		})
	}
}
