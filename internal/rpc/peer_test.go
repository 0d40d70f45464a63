package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testHandler serves the methods of TestCallBothDirections on either side.
func testHandler(name string) Handler {
	return func(ctx context.Context, req *Request) {
		switch req.Method {
		case "whoami":
			req.Reply(name, nil)
		case "add":
			var args []int
			if err := req.DecodeParams(&args); err != nil {
				req.Reply(nil, err)
				return
			}
			sum := 0
			for _, a := range args {
				sum += a
			}
			req.Reply(sum, nil)
		case "nil":
			req.Reply(nil, nil)
		case "rpcError":
			req.Reply(nil, &Error{Code: -32004, Message: "too large", Data: map[string]int{"limit": 5}})
		case "wrappedError":
			req.Reply(nil, fmt.Errorf("check: %w", Errorf(CodeInvalidParams, "empty prompt")))
		case "secretError":
			req.Reply(nil, errors.New("open /home/alice/.key: token=s3cr3t"))
		case "panic":
			panic("boom")
		case "forget":
			// no reply
		case "twice":
			req.Reply("first", nil)
			req.Reply("second", nil)
		case "badResult":
			req.Reply(func() {}, nil)
		default:
			req.Reply(nil, Errorf(CodeMethodNotFound, "method not found"))
		}
	}
}

func TestCallBothDirections(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: testHandler("server")})
	client, _ := dial(t, srv, Options{Handler: testHandler("client")})
	server := srv.next().peer

	tests := []struct {
		name     string
		method   string
		params   any
		want     any    // decoded result when wantCode == 0
		wantCode int    // expected error code
		wantMsg  string // expected error message, exact
	}{
		{"result", "whoami", nil, nil, 0, ""},
		{"params array", "add", []int{1, 2, 39}, 42.0, 0, ""},
		{"null result", "nil", nil, nil, 0, ""},
		{"method not found", "nope", nil, nil, CodeMethodNotFound, "method not found"},
		{"invalid params", "add", map[string]int{"a": 1}, nil, CodeInvalidParams, ""},
		{"rpc error sent as is", "rpcError", nil, nil, -32004, "too large"},
		{"wrapped rpc error", "wrappedError", nil, nil, CodeInvalidParams, "empty prompt"},
		{"other error hidden", "secretError", nil, nil, CodeInternalError, "internal error"},
		{"handler panic", "panic", nil, nil, CodeInternalError, "internal error"},
		{"handler forgets reply", "forget", nil, nil, CodeInternalError, "internal error"},
		{"first reply wins", "twice", nil, "first", 0, ""},
		{"unencodable result", "badResult", nil, nil, CodeInternalError, "internal error"},
	}
	sides := []struct {
		name         string
		caller       *Peer
		calleeHandle string
	}{
		{"client calls server", client, "server"},
		{"server calls client", server, "client"},
	}
	for _, side := range sides {
		for _, tt := range tests {
			t.Run(side.name+"/"+tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), waitLong)
				defer cancel()
				var got any
				err := side.caller.Call(ctx, tt.method, tt.params, &got)
				want := tt.want
				if tt.method == "whoami" {
					want = side.calleeHandle
				}
				if tt.wantCode == 0 {
					if err != nil {
						t.Fatalf("Call: %v", err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("result %#v, want %#v", got, want)
					}
					return
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Call error %v (%T), want *Error", err, err)
				}
				if e.Code != tt.wantCode {
					t.Fatalf("code %d, want %d (%s)", e.Code, tt.wantCode, e.Message)
				}
				if tt.wantMsg != "" && e.Message != tt.wantMsg {
					t.Fatalf("message %q, want %q", e.Message, tt.wantMsg)
				}
				if strings.Contains(e.Message, "s3cr3t") || e.Data != nil && strings.Contains(fmt.Sprint(e.Data), "s3cr3t") {
					t.Fatal("internal error detail reached the peer")
				}
			})
		}
	}

	t.Run("error data round-trips", func(t *testing.T) {
		err := client.Call(context.Background(), "rpcError", nil, nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Call error %v", err)
		}
		raw, ok := e.Data.(json.RawMessage)
		if !ok || string(raw) != `{"limit":5}` {
			t.Fatalf("data %#v, want raw {\"limit\":5}", e.Data)
		}
	})
}

func TestCallRejectsNonStructuredParams(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: echoHandler})
	client, _ := dial(t, srv, Options{})
	tests := []struct {
		name   string
		params any
	}{
		{"string", "text"},
		{"number", 3},
		{"bool", true},
		{"invalid raw", json.RawMessage(`{`)},
		{"unencodable", map[string]any{"f": func() {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := client.Call(context.Background(), "echo", tt.params, nil); err == nil {
				t.Fatal("Call accepted params that are not an object or an array")
			}
			if err := client.Notify("echo", tt.params); err == nil {
				t.Fatal("Notify accepted params that are not an object or an array")
			}
		})
	}
	// The peer is still fine.
	if err := client.Call(context.Background(), "ping", nil, nil); err != nil {
		t.Fatalf("ping after refused params: %v", err)
	}
}

// TestInboundOrder checks that notifications and requests from one sender
// are handled one at a time in arrival order.
func TestInboundOrder(t *testing.T) {
	checkLeaks(t)
	var mu sync.Mutex
	var seen []int
	var inHandler, overlap bool
	handler := func(ctx context.Context, req *Request) {
		mu.Lock()
		if inHandler {
			overlap = true
		}
		inHandler = true
		mu.Unlock()
		var p struct{ I int }
		req.DecodeParams(&p)
		if req.Method == "snapshot" {
			mu.Lock()
			req.Reply(append([]int(nil), seen...), nil)
			inHandler = false
			mu.Unlock()
			return
		}
		time.Sleep(time.Duration(p.I%3) * time.Millisecond) // uneven handler times
		mu.Lock()
		seen = append(seen, p.I)
		inHandler = false
		mu.Unlock()
		req.Reply(nil, nil)
	}
	srv := newServer(t, Options{Handler: handler})
	client, _ := dial(t, srv, Options{})

	const n = 150
	var want []int
	for i := range n {
		want = append(want, i)
		var err error
		if i%10 == 9 {
			err = client.Call(context.Background(), "step", map[string]int{"i": i}, nil)
		} else {
			err = client.Notify("step", map[string]int{"i": i})
		}
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	var got []int
	if err := client.Call(context.Background(), "snapshot", nil, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("handled in order %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if overlap {
		t.Fatal("two handlers ran at once")
	}
}

// TestReplyThenNotifyOrder checks that what one goroutine queues reaches the
// wire in that order: the reply first, then the notifications.
func TestReplyThenNotifyOrder(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: func(ctx context.Context, req *Request) {
		req.Reply("hello", nil)
		for i := range 5 {
			req.Peer().Notify("Client.event", map[string]int{"seq": i + 1})
		}
	}})
	c := dialRaw(t, srv)
	writeFrame(t, c, websocket.TextMessage, `{"jsonrpc":"2.0","id":"h","method":"Party.hello","params":{}}`)
	first := readFrame(t, c)
	if string(first.ID) != `"h"` || string(first.Result) != `"hello"` {
		t.Fatalf("first message %+v, want the hello reply", first)
	}
	for i := range 5 {
		n := readFrame(t, c)
		want := fmt.Sprintf(`{"seq":%d}`, i+1)
		if n.Method != "Client.event" || n.ID != nil || string(n.Params) != want {
			t.Fatalf("message %d: %+v, want notification %s", i+2, n, want)
		}
	}
}

// TestMalformedInput sends every kind of bad message on one connection and
// checks the exact reply, then that the connection still serves a request.
func TestMalformedInput(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: echoHandler})
	c := dialRaw(t, srv)

	const noReply = 0
	tests := []struct {
		name     string
		binary   bool
		in       string
		wantCode int    // noReply: no reply at all; 1: a result
		wantID   string // raw JSON of the reply's id
	}{
		{"truncated JSON", false, `{"jsonrpc":"2.0","id":1,`, CodeParseError, "null"},
		{"empty frame", false, ``, CodeParseError, "null"},
		{"not JSON", false, `hello`, CodeParseError, "null"},
		{"trailing garbage", false, `{"jsonrpc":"2.0","id":1,"method":"ping"} x`, CodeParseError, "null"},
		{"batch", false, `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, CodeInvalidRequest, "null"},
		{"empty batch", false, `[]`, CodeInvalidRequest, "null"},
		{"string", false, `"ping"`, CodeInvalidRequest, "null"},
		{"number", false, `7`, CodeInvalidRequest, "null"},
		{"null", false, `null`, CodeInvalidRequest, "null"},
		{"missing jsonrpc", false, `{"id":1,"method":"ping"}`, CodeInvalidRequest, "1"},
		{"wrong jsonrpc", false, `{"jsonrpc":"1.0","id":2,"method":"ping"}`, CodeInvalidRequest, "2"},
		{"jsonrpc number", false, `{"jsonrpc":2.0,"id":3,"method":"ping"}`, CodeInvalidRequest, "3"},
		{"jsonrpc null", false, `{"jsonrpc":null,"id":"x","method":"ping"}`, CodeInvalidRequest, `"x"`},
		{"method number", false, `{"jsonrpc":"2.0","id":4,"method":5}`, CodeInvalidRequest, "4"},
		{"method null", false, `{"jsonrpc":"2.0","id":4,"method":null}`, CodeInvalidRequest, "4"},
		{"id object", false, `{"jsonrpc":"2.0","id":{},"method":"ping"}`, CodeInvalidRequest, "null"},
		{"id array", false, `{"jsonrpc":"2.0","id":[1],"method":"ping"}`, CodeInvalidRequest, "null"},
		{"id bool", false, `{"jsonrpc":"2.0","id":true,"method":"ping"}`, CodeInvalidRequest, "null"},
		{"params string", false, `{"jsonrpc":"2.0","id":5,"method":"echo","params":"x"}`, CodeInvalidRequest, "5"},
		{"params number", false, `{"jsonrpc":"2.0","id":5,"method":"echo","params":1}`, CodeInvalidRequest, "5"},
		{"bad notification", false, `{"jsonrpc":"2.0","method":"echo","params":"x"}`, CodeInvalidRequest, "null"},
		{"neither method nor result", false, `{"jsonrpc":"2.0","id":6}`, CodeInvalidRequest, "6"},
		{"result and error", false, `{"jsonrpc":"2.0","id":7,"result":1,"error":{"code":1,"message":"m"}}`, CodeInvalidRequest, "7"},
		{"response without id", false, `{"jsonrpc":"2.0","result":1}`, CodeInvalidRequest, "null"},
		{"error not object", false, `{"jsonrpc":"2.0","id":9,"error":"bad"}`, CodeInvalidRequest, "9"},
		{"error code float", false, `{"jsonrpc":"2.0","id":9,"error":{"code":1.5,"message":"m"}}`, CodeInvalidRequest, "9"},
		{"error without message", false, `{"jsonrpc":"2.0","id":9,"error":{"code":1}}`, CodeInvalidRequest, "9"},
		{"binary frame", true, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, CodeInvalidRequest, "null"},

		{"unknown notification", false, `{"jsonrpc":"2.0","method":"nope"}`, noReply, ""},
		{"notification with params", false, `{"jsonrpc":"2.0","method":"echo","params":[1]}`, noReply, ""},
		{"response with unknown id", false, `{"jsonrpc":"2.0","id":12345,"result":true}`, noReply, ""},
		{"error response with null id", false, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`, noReply, ""},

		{"params null counts as absent", false, `{"jsonrpc":"2.0","id":5,"method":"ping","params":null}`, 1, "5"},
		{"id null is a request", false, `{"jsonrpc":"2.0","id":null,"method":"ping"}`, 1, "null"},
		{"id string echoed exactly", false, `{"jsonrpc":"2.0","id":"a\u00e9\"b","method":"ping"}`, 1, `"a\u00e9\"b"`},
		{"id fraction echoed exactly", false, `{"jsonrpc":"2.0","id":1.50,"method":"ping"}`, 1, "1.50"},
		{"id huge echoed exactly", false, `{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}`, 1, "123456789012345678901234567890"},
		{"id negative exponent", false, `{"jsonrpc":"2.0","id":-1e3,"method":"ping"}`, 1, "-1e3"},
		{"white space and extra members", false, " \n{ \"jsonrpc\" : \"2.0\" , \"id\" : 8 , \"method\" : \"ping\", \"x\": [1, 2] }\n", 1, "8"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := websocket.TextMessage
			if tt.binary {
				typ = websocket.BinaryMessage
			}
			writeFrame(t, c, typ, tt.in)
			if tt.wantCode != noReply {
				r := readFrame(t, c)
				if string(r.ID) != tt.wantID {
					t.Errorf("reply id %s, want %s", r.ID, tt.wantID)
				}
				switch {
				case tt.wantCode == 1 && (r.Error != nil || string(r.Result) != `"pong"`):
					t.Errorf("reply %+v, want result \"pong\"", r)
				case tt.wantCode != 1 && (r.Error == nil || r.Error.Code != tt.wantCode):
					t.Errorf("reply %+v, want error %d", r, tt.wantCode)
				case tt.wantCode != 1 && r.Result != nil:
					t.Errorf("error reply also has a result: %+v", r)
				}
			}
			// The connection still works, and nothing else was sent before
			// the probe's reply (single dispatch keeps replies in order).
			probe := fmt.Sprintf(`"probe-%d"`, i)
			writeFrame(t, c, websocket.TextMessage, `{"jsonrpc":"2.0","id":`+probe+`,"method":"ping"}`)
			r := readFrame(t, c)
			if string(r.ID) != probe || string(r.Result) != `"pong"` {
				t.Fatalf("probe reply %+v, want id %s result pong", r, probe)
			}
		})
	}
}

// A text frame that is not UTF-8 fails the connection with 1007 (RFC 6455 §8.1), as an
// independent client expected: it was read with U+FFFD in place of the bad bytes.
func TestTextNotUTF8Closes1007(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: echoHandler})
	c := dialRaw(t, srv)
	sc := srv.next()
	writeFrame(t, c, websocket.TextMessage, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"a\xff\"]}")
	c.SetReadDeadline(time.Now().Add(waitLong))
	_, data, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseInvalidFramePayloadData {
		t.Fatalf("got %q (%v), want close 1007", data, err)
	}
	if err := waitErr(t, sc.err); !errors.Is(err, ErrClosed) {
		t.Fatalf("the host's Run = %v, want ErrClosed", err)
	}
}

func TestOversizeMessage(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: echoHandler, ReadLimit: 1024})
	client, clientErr := dial(t, srv, Options{})
	sc := srv.next()

	if err := client.Notify("echo", []string{strings.Repeat("x", 2048)}); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	err := waitErr(t, clientErr)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("sender's Run = %v, want close 1009", err)
	}
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("sender's Run = %v, want it to wrap ErrClosed", err)
	}
	if err := waitErr(t, sc.err); !errors.Is(err, websocket.ErrReadLimit) {
		t.Fatalf("receiver's Run = %v, want ErrReadLimit", err)
	}

	// The server still serves others, and a message at the limit passes.
	other, _ := dial(t, srv, Options{})
	srv.next()
	atLimit := `["` + strings.Repeat("y", 1024-len(`{"jsonrpc":"2.0","id":1,"method":"echo","params":[""]}`)) + `"]`
	if err := other.Call(context.Background(), "echo", json.RawMessage(atLimit), nil); err != nil {
		t.Fatalf("call of exactly 1024 bytes: %v", err)
	}
}

func TestSlowPeerDropped(t *testing.T) {
	checkLeaks(t)
	// WriteWait is long enough that the full queue, not a write timeout, ends it even on
	// a loaded machine (a write may have as little as half of it: see Peer.write).
	srv := newServer(t, Options{SendQueue: 8, WriteWait: 5 * time.Second})
	c := dialRaw(t, srv) // never reads
	sc := srv.next()
	_ = c

	payload := json.RawMessage(`["` + strings.Repeat("z", 64<<10) + `"]`)
	result := make(chan error, 1)
	go func() {
		// Loopback buffers hold a few MB; far fewer than this many sends
		// overflow an 8-message queue unless Notify blocks (which would
		// hang here, caught below) or never reports the overflow.
		for range 20000 {
			if err := sc.peer.Notify("Client.event", payload); err != nil {
				result <- err
				return
			}
		}
		result <- nil
	}()
	var err error
	select {
	case err = <-result:
	case <-time.After(waitLong):
		t.Fatal("Notify blocked on a slow peer")
	}
	if !errors.Is(err, ErrSlowPeer) || !errors.Is(err, ErrClosed) {
		t.Fatalf("Notify = %v, want ErrSlowPeer and ErrClosed", err)
	}
	if err := waitErr(t, sc.err); !errors.Is(err, ErrSlowPeer) {
		t.Fatalf("Run = %v, want ErrSlowPeer", err)
	}
	if err := sc.peer.Notify("Client.event", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Notify after drop = %v, want ErrClosed", err)
	}
}

func TestCallTimeout(t *testing.T) {
	tests := []struct {
		name        string
		callTimeout time.Duration
		ctx         func() (context.Context, context.CancelFunc)
		want        error
		wantTimeout bool
	}{
		{"CallTimeout", 200 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, context.DeadlineExceeded, true},
		{"context deadline", waitLong, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded, false},
		{"context cancelled", waitLong, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			release := make(chan struct{})
			blocking := make(chan struct{})
			handlerDone := make(chan struct{})
			srv := newServer(t, Options{Handler: func(ctx context.Context, req *Request) {
				switch req.Method {
				case "slow":
					select {
					case <-release:
						req.Reply("late", nil)
					case <-ctx.Done():
					}
				case "block":
					close(blocking)
					<-ctx.Done()
					close(handlerDone)
				default:
					echoHandler(ctx, req)
				}
			}})
			client, _ := dial(t, srv, Options{CallTimeout: tt.callTimeout})
			sc := srv.next()

			ctx, cancel := tt.ctx()
			defer cancel()
			err := client.Call(ctx, "slow", nil, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Call = %v, want %v", err, tt.want)
			}
			if got := errors.Is(err, ErrTimeout); got != tt.wantTimeout {
				t.Fatalf("errors.Is(%v, ErrTimeout) = %v, want %v", err, got, tt.wantTimeout)
			}

			// The late reply is ignored and the connection keeps working.
			close(release)
			if err := client.Call(context.Background(), "ping", nil, nil); err != nil {
				t.Fatalf("ping after timeout: %v", err)
			}

			// A handler that is still running when the peer ends sees its
			// context cancelled.
			go client.Call(context.Background(), "block", nil, nil) //nolint:errcheck // fails when the peer ends
			<-blocking
			sc.peer.Close(websocket.CloseNormalClosure, "")
			select {
			case <-handlerDone:
			case <-time.After(waitLong):
				t.Fatal("handler context not cancelled when the peer ended")
			}
		})
	}
}

func TestCloseFlushesQueue(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{Handler: func(ctx context.Context, req *Request) {
		for i := range 20 {
			req.Peer().Notify("Client.event", []int{i})
		}
		req.Reply("bye", nil)
		req.Peer().Close(websocket.CloseNormalClosure, "party over")
	}})
	c := dialRaw(t, srv)
	sc := srv.next()
	writeFrame(t, c, websocket.TextMessage, `{"jsonrpc":"2.0","id":1,"method":"leave"}`)
	for i := range 20 {
		n := readFrame(t, c)
		if want := fmt.Sprintf("[%d]", i); n.Method != "Client.event" || string(n.Params) != want {
			t.Fatalf("message %d: %+v, want notification %s", i, n, want)
		}
	}
	r := readFrame(t, c)
	if string(r.ID) != "1" || string(r.Result) != `"bye"` {
		t.Fatalf("reply %+v, want result bye", r)
	}
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure || ce.Text != "party over" {
		t.Fatalf("after the reply: %v, want close 1000 \"party over\"", err)
	}
	if err := waitErr(t, sc.err); err != ErrClosed {
		t.Fatalf("Run = %v, want ErrClosed itself", err)
	}
}

func TestPendingCallsFailWhenPeerEnds(t *testing.T) {
	tests := []struct {
		name      string
		end       func(client *Peer, cancelRun context.CancelFunc, sc serverConn)
		wantCause error // also wrapped, besides ErrClosed
		wantCode  int   // close code the client saw, 0: none checked
		serverSaw int   // close code the server saw, 0: none checked
	}{
		{"server closes", func(_ *Peer, _ context.CancelFunc, sc serverConn) {
			sc.peer.Close(websocket.CloseServiceRestart, "restart")
		}, nil, websocket.CloseServiceRestart, 0},
		{"connection reset", func(_ *Peer, _ context.CancelFunc, sc serverConn) {
			sc.conn.NetConn().Close()
		}, nil, 0, 0},
		{"client closes", func(client *Peer, _ context.CancelFunc, _ serverConn) {
			client.Close(websocket.CloseNormalClosure, "")
		}, nil, 0, websocket.CloseNormalClosure},
		{"client Run cancelled", func(_ *Peer, cancelRun context.CancelFunc, _ serverConn) {
			cancelRun()
		}, context.Canceled, 0, websocket.CloseGoingAway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			started := make(chan struct{}, 1)
			srv := newServer(t, Options{Handler: func(ctx context.Context, req *Request) {
				started <- struct{}{}
				<-ctx.Done()
			}})
			client, err := Dial(context.Background(), srv.url(), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			runCtx, cancelRun := context.WithCancel(context.Background())
			defer cancelRun()
			clientErr := run(t, runCtx, client)
			sc := srv.next()

			callErr := make(chan error, 1)
			go func() { callErr <- client.Call(context.Background(), "wait", nil, nil) }()
			<-started
			tt.end(client, cancelRun, sc)

			var err2 error
			select {
			case err2 = <-callErr:
			case <-time.After(waitLong):
				t.Fatal("pending Call did not fail")
			}
			if !errors.Is(err2, ErrClosed) {
				t.Fatalf("Call = %v, want ErrClosed", err2)
			}
			if tt.wantCause != nil && !errors.Is(err2, tt.wantCause) {
				t.Fatalf("Call = %v, want it to wrap %v", err2, tt.wantCause)
			}
			runErr := waitErr(t, clientErr)
			if tt.wantCode != 0 {
				var ce *websocket.CloseError
				if !errors.As(runErr, &ce) || ce.Code != tt.wantCode {
					t.Fatalf("client Run = %v, want close %d", runErr, tt.wantCode)
				}
			}
			serverErr := waitErr(t, sc.err)
			if tt.serverSaw != 0 {
				var ce *websocket.CloseError
				if !errors.As(serverErr, &ce) || ce.Code != tt.serverSaw {
					t.Fatalf("server Run = %v, want close %d", serverErr, tt.serverSaw)
				}
			}
			if client.Err() == nil || !errors.Is(client.Err(), ErrClosed) {
				t.Fatalf("Err = %v after the end", client.Err())
			}
			if err := client.Call(context.Background(), "ping", nil, nil); !errors.Is(err, ErrClosed) {
				t.Fatalf("Call after the end = %v, want ErrClosed", err)
			}
			if err := client.Notify("ping", nil); !errors.Is(err, ErrClosed) {
				t.Fatalf("Notify after the end = %v, want ErrClosed", err)
			}
		})
	}
}

func TestKeepalive(t *testing.T) {
	t.Run("silent peer dropped", func(t *testing.T) {
		checkLeaks(t)
		srv := newServer(t, Options{PingInterval: 20 * time.Millisecond, PongWait: 200 * time.Millisecond})
		dialRaw(t, srv) // never reads, so never answers pings
		sc := srv.next()
		err := waitErr(t, sc.err)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, ErrClosed) {
			t.Fatalf("Run = %v, want a timeout", err)
		}
	})
	t.Run("idle peers kept alive", func(t *testing.T) {
		checkLeaks(t)
		opts := Options{Handler: echoHandler, PingInterval: 20 * time.Millisecond, PongWait: 500 * time.Millisecond}
		srv := newServer(t, opts)
		client, _ := dial(t, srv, opts)
		sc := srv.next()
		time.Sleep(1500 * time.Millisecond) // three PongWaits without a message
		if err := client.Call(context.Background(), "ping", nil, nil); err != nil {
			t.Fatalf("ping after idling: %v", err)
		}
		if client.Err() != nil || sc.peer.Err() != nil {
			t.Fatalf("peer ended while idle: client %v, server %v", client.Err(), sc.peer.Err())
		}
	})
}

func TestCloseWithoutRun(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{})
	client, err := Dial(context.Background(), srv.url(), nil, Options{WriteWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sc := srv.next()
	client.Close(websocket.CloseGoingAway, "never ran")
	select {
	case <-client.Done():
	default:
		t.Fatal("Done not closed after Close without Run")
	}
	if err := client.Run(context.Background()); err != ErrClosed {
		t.Fatalf("Run after Close = %v, want ErrClosed", err)
	}
	var ce *websocket.CloseError
	if err := waitErr(t, sc.err); !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("server Run = %v, want close 1001", err)
	}
}

func TestCloseCodeSanitised(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{})
	c := dialRaw(t, srv)
	sc := srv.next()
	reason := strings.Repeat("é", 100) // 200 bytes: must be cut to fit a close frame
	readErr := make(chan error, 1)
	go func() {
		_, _, err := c.ReadMessage() // answers the close frame, so Close returns promptly
		readErr <- err
	}()
	sc.peer.Close(1006, reason) // 1006 must never be sent
	err := waitErr(t, readErr)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("read = %v, want close 1000", err)
	}
	if len(ce.Text) > 123 || !strings.HasPrefix(reason, ce.Text) || ce.Text == "" {
		t.Fatalf("reason %q (%d bytes) is not a rune-aligned prefix of at most 123 bytes", ce.Text, len(ce.Text))
	}
}

func TestRunTwice(t *testing.T) {
	checkLeaks(t)
	srv := newServer(t, Options{})
	client, first := dial(t, srv, Options{})
	second := make(chan error, 1)
	go func() { second <- client.Run(context.Background()) }()
	client.Close(websocket.CloseNormalClosure, "")
	if a, b := waitErr(t, first), waitErr(t, second); a != b || a != ErrClosed {
		t.Fatalf("Run results %v and %v, want ErrClosed twice", a, b)
	}
}

// The send queue is bounded in bytes as well as in messages: a peer that does not read is
// dropped once large messages pass SendQueueBytes, long before the message count is full.
func TestSendQueueBoundedInBytes(t *testing.T) {
	checkLeaks(t)
	// WriteWait is long enough that the byte bound, not a write timeout, ends it even
	// under -race on a busy machine (300 ms lost that race about half the time).
	srv := newServer(t, Options{SendQueue: 100000, SendQueueBytes: 4 << 20, WriteWait: 3 * time.Second})
	c := dialRaw(t, srv) // never reads
	sc := srv.next()
	_ = c
	payload := json.RawMessage(`["` + strings.Repeat("z", 1<<20) + `"]`) // 1 MiB each
	var err error
	sent := 0
	for sent = 0; sent < 1000; sent++ {
		if err = sc.peer.Notify("Client.event", payload); err != nil {
			break
		}
		if q := sc.peer.Queued(); q > 4<<20 {
			t.Fatalf("%d bytes queued, over the 4 MiB bound", q)
		}
	}
	if !errors.Is(err, ErrSlowPeer) {
		t.Fatalf("after %d MiB: Notify = %v, want ErrSlowPeer", sent, err)
	}
	// Loopback buffers take a few MiB; 1,000 MiB would have been queued without the bound.
	if sent > 64 {
		t.Fatalf("%d MiB accepted before the drop", sent)
	}
	if err := waitErr(t, sc.err); !errors.Is(err, ErrSlowPeer) {
		t.Fatalf("Run = %v, want ErrSlowPeer", err)
	}
}

// A write that cannot finish ends the connection once WriteWait is over: the deadline
// moves only now and then (write), but a blocked write always has one.
func TestStalledWriteTimesOut(t *testing.T) {
	checkLeaks(t)
	const wait = 400 * time.Millisecond
	srv := newServer(t, Options{SendQueue: 1 << 16, SendQueueBytes: 256 << 20, WriteWait: wait})
	c := dialRaw(t, srv) // never reads
	sc := srv.next()
	_ = c
	payload := json.RawMessage(`["` + strings.Repeat("z", 256<<10) + `"]`)
	for range 256 { // 64 MiB: far more than loopback buffers hold
		if err := sc.peer.Notify("Client.event", payload); err != nil {
			break // the write timed out already: Run says so below
		}
	}
	err := waitErr(t, sc.err)
	var ne net.Error
	if !errors.Is(err, ErrClosed) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Run = %v, want a write timeout", err)
	}
}

// A peer that reads keeps its connection however long the writes go on in all: each
// write gets a fresh deadline before the last one runs out.
func TestSteadyWritesOutliveWriteWait(t *testing.T) {
	checkLeaks(t)
	const wait = 300 * time.Millisecond
	srv := newServer(t, Options{WriteWait: wait})
	c := dialRaw(t, srv)
	sc := srv.next()
	got := make(chan int, 1)
	go func() {
		n := 0
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				got <- n
				return
			}
			n++
		}
	}()
	const sends = 20
	for range sends { // 2 s of writes, more than six times WriteWait
		if err := sc.peer.Notify("Client.event", json.RawMessage(`[1]`)); err != nil {
			t.Fatalf("Notify: %v", err)
		}
		time.Sleep(wait / 3)
	}
	select {
	case err := <-sc.err:
		t.Fatalf("connection ended: %v", err)
	default:
	}
	sc.peer.Close(websocket.CloseNormalClosure, "")
	if n := <-got; n != sends {
		t.Fatalf("the peer read %d messages, want %d", n, sends)
	}
}

// A data write soon after a ping on a connection that was quiet for longer than WriteWait
// gets a fresh deadline. gorilla's WriteControl sets the socket's deadline for the ping
// only; WriteMessage hands the socket gorilla's own write deadline on every frame. When the
// ping moved p.deadline, the next write kept the stale one and failed at once with an i/o
// timeout, dropping the peer (found in review; the timings keep the defaults' ratio).
func TestWriteAfterPingGetsAFreshDeadline(t *testing.T) {
	checkLeaks(t)
	const wait = 250 * time.Millisecond
	srv := newServer(t, Options{WriteWait: wait, PingInterval: 2 * wait, PongWait: 5 * time.Second})
	c := dialRaw(t, srv)
	sc := srv.next()
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil { // answers pings too
				return
			}
		}
	}()
	if err := sc.peer.Notify("Client.event", json.RawMessage(`[1]`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2*wait + wait/5) // quiet past WriteWait; a ping went out at 2*wait
	if err := sc.peer.Notify("Client.event", json.RawMessage(`[2]`)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-sc.err:
		t.Fatalf("connection ended after an ordinary write that followed a ping: %v", err)
	case <-time.After(2 * wait):
	}
	sc.peer.Close(websocket.CloseNormalClosure, "")
}

// A call on a peer that is already closing was never sent, and says so (ErrNotSent): a
// caller must not tell a person that a prompt "may have reached the host" (a reviewer's).
// A call that was sent and then lost its connection is not ErrNotSent.
func TestACallNeverSentSaysSo(t *testing.T) {
	checkLeaks(t)
	release := make(chan struct{})
	srv := newServer(t, Options{Handler: func(_ context.Context, req *Request) { <-release; req.Reply("ok", nil) }})
	client, _ := dial(t, srv, Options{})
	sc := srv.next()
	sent := make(chan error, 1)
	go func() { sent <- client.Call(context.Background(), "slow", nil, nil) }()
	time.Sleep(100 * time.Millisecond) // the request is out, its handler waits
	sc.peer.Close(websocket.CloseGoingAway, "bye")
	close(release)
	if err := <-sent; !errors.Is(err, ErrClosed) || errors.Is(err, ErrNotSent) {
		t.Fatalf("a call sent before the end: %v", err)
	}
	<-client.Done()
	if err := client.Call(context.Background(), "late", nil, nil); !errors.Is(err, ErrNotSent) || !errors.Is(err, ErrClosed) {
		t.Fatalf("a call after the end: %v, want ErrNotSent and ErrClosed", err)
	}
}

// A message that takes longer than PongWait to arrive, its bytes coming all the while, is a
// peer at work, not a silent one: a client's 30 s limit gave up on a host sending it a large
// history over a slow link (a reviewer's), and would again on every reconnect. Silence in
// the middle of a message still ends the connection.
func TestSlowMessageIsNotSilence(t *testing.T) {
	checkLeaks(t)
	got := make(chan string, 1)
	handler := func(_ context.Context, req *Request) {
		got <- req.Method
		req.Reply("ok", nil)
	}
	const wait = 400 * time.Millisecond
	// The raw client never reads, so it answers no ping: only the message's bytes count.
	srv := newServer(t, Options{Handler: handler, PingInterval: wait / 2, PongWait: wait})
	c := dialRaw(t, srv)
	sc := srv.next()
	c.SetWriteDeadline(time.Now().Add(waitLong))
	w, err := c.NextWriter(websocket.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"jsonrpc":"2.0","id":1,"method":"slow","params":["`)
	chunk := strings.Repeat("a", 8<<10) // larger than gorilla's write buffer: a frame each
	for range 12 {                      // 12 × 100 ms: three times PongWait in all
		write(chunk)
		time.Sleep(100 * time.Millisecond)
	}
	write(`"]}`)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m != "slow" {
			t.Fatalf("method %q", m)
		}
	case err := <-sc.err:
		t.Fatalf("the connection ended while the message arrived: %v", err)
	case <-time.After(waitLong):
		t.Fatal("the slow message never arrived")
	}
	// Silence in the middle of a message is silence.
	w, err = c.NextWriter(websocket.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	write(`{"jsonrpc":"2.0","id":2,"method":"stalled","params":["` + chunk)
	var ne net.Error
	if err := waitErr(t, sc.err); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Run = %v, want a timeout mid-message", err)
	}
}

// A write that failed after gorilla echoed the peer's close frame (websocket.ErrCloseSent)
// could end the peer before the read pump said the peer closed: the party then read a
// client that closed as reconnecting, or giving up on a silent host, as one that left (a
// CI run's TestALostConnectionIsNotALeave). The peer's own close is why it ended.
func TestEndCauseIsThePeersCloseOverAWriteThatRacedIt(t *testing.T) {
	closeFrame := fmt.Errorf("%w: %w", ErrClosed, &websocket.CloseError{Code: websocket.CloseGoingAway, Text: ReasonSilent})
	wrote := fmt.Errorf("%w: write: %w", ErrClosed, websocket.ErrCloseSent)
	for _, c := range []struct {
		name       string
		req        closeReq
		peerClosed error
		want       error
	}{
		{"a write failed, then the peer's close was read", closeReq{cause: wrote, wrote: true}, closeFrame, closeFrame},
		{"a write failed, no close read", closeReq{cause: wrote, wrote: true}, nil, wrote},
		{"the peer's close first", closeReq{cause: closeFrame}, closeFrame, closeFrame},
		{"the host closed it", closeReq{cause: ErrClosed}, closeFrame, ErrClosed},
	} {
		p := &Peer{creq: c.req, peerClosed: c.peerClosed}
		if got := p.endCause(); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestAReplyBeforeTheEndIsTheAnswer: a reply read before the connection ended answers the
// call, though the end is seen as well. A host refuses a hello with an error and closes at
// once; a caller that came to wait with both ready was told "closed" half the time, and a
// removed window lost who removed it (a session test's flake).
func TestAReplyBeforeTheEndIsTheAnswer(t *testing.T) {
	p := &Peer{done: make(chan struct{}), err: errors.New("the connection was closed")}
	close(p.done)
	refused := &Error{Code: -32001, Message: "removed"}
	for i := 0; i < 200; i++ {
		ch := make(chan message, 1)
		ch <- message{err: refused}
		m, err := p.await(context.Background(), ch, nil)
		if err != nil || m.err != refused {
			t.Fatalf("try %d: the reply waiting was lost to the end: %v, %v", i, m.err, err)
		}
	}
	// With no reply, the end is the answer.
	if _, err := p.await(context.Background(), make(chan message, 1), nil); err != p.err {
		t.Fatalf("no reply: %v, want the end's %v", err, p.err)
	}
}
