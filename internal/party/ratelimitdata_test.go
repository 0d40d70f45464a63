package party

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/wire"
)

// wsRefusal reads ws until the reply with id and gives its error's code and data (code 0:
// a result).
func wsRefusal(t *testing.T, ws *websocket.Conn, id int) (code int, message string, data *wire.RateLimitedData) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no reply %d: %v", id, err)
		}
		var r struct {
			ID    *int `json:"id"`
			Error *struct {
				Code    int
				Message string
				Data    *wire.RateLimitedData
			} `json:"error"`
		}
		if json.Unmarshal(msg, &r) == nil && r.ID != nil && *r.ID == id {
			if r.Error == nil {
				return 0, "", nil
			}
			return r.Error.Code, r.Error.Message, r.Error.Data
		}
	}
}

// A -32003 says which limit it met, and when a try may pass, in its data (our extension):
// a line editor tries a prompt over its member's burst, or over its connection's requests,
// again, and one refused for a full queue not, and it told them apart by the words.
func TestRateLimitedRefusalsSayWhichLimit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		opts      ServerOptions
		prompts   int // sent before the one refused
		limit     string
		retryMin  time.Duration
		retryMax  time.Duration
		wordsHave string
	}{
		{"over the member's burst", Config{Window: time.Hour, PromptBurst: 2, PromptEvery: 3 * time.Second}, ServerOptions{},
			2, wire.LimitBurst, 2 * time.Second, 3 * time.Second, BurstWords},
		{"the address's share of the queue full", Config{Window: time.Hour, MaxPending: 4}, ServerOptions{},
			2, wire.LimitQueue, 0, 0, "2 prompts from your address are already waiting"},
		{"over the connection's requests", Config{Window: time.Hour}, ServerOptions{ReqBurst: 3, ReqEvery: 2 * time.Second},
			2, wire.LimitRequests, time.Second, 2 * time.Second, "slow down"}, // the hello took one
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, url := serveConfig(t, tc.cfg, tc.opts, false)
			ws, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ws.Close() })
			wsSend(t, ws, 1, wire.MethodHello, wire.HelloParams{Name: "m", Token: token})
			if code, _, _ := wsRefusal(t, ws, 1); code != 0 {
				t.Fatalf("hello: %d", code)
			}
			for i := range tc.prompts {
				wsSend(t, ws, 10+i, wire.MethodPrompt, map[string]string{"text": fmt.Sprintf("p%d", i)})
				if code, _, _ := wsRefusal(t, ws, 10+i); code != 0 {
					t.Fatalf("prompt %d: %d", i, code)
				}
			}
			wsSend(t, ws, 99, wire.MethodPrompt, map[string]string{"text": "one more"})
			code, msg, data := wsRefusal(t, ws, 99)
			if code != wire.CodeRateLimited || data == nil || !strings.Contains(msg, tc.wordsHave) {
				t.Fatalf("refused with %d %q, data %v; want -32003 with data, its words as before", code, msg, data)
			}
			retry := time.Duration(data.RetryAfterMS) * time.Millisecond
			if data.Limit != tc.limit || retry < tc.retryMin || retry > tc.retryMax {
				t.Fatalf("data %+v, want limit %q and a retry in [%s, %s]", *data, tc.limit, tc.retryMin, tc.retryMax)
			}
		})
	}
}

// The host's own terminal, in this process, reads the same from the error itself.
func TestRateLimitErrorInProcess(t *testing.T) {
	p, _, id := start(t, Config{PromptBurst: 1, PromptEvery: time.Second, MinPrompts: 100})
	if _, err := p.Prompt(id, "x"); err != nil {
		t.Fatal(err)
	}
	_, err := p.Prompt(id, "y")
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) || rl.Limit != wire.LimitBurst || rl.RetryAfter <= 0 || rl.RetryAfter > time.Second {
		t.Fatalf("refused with %v (%+v), want a RateLimitError of the burst with a wait within a second", err, rl)
	}
}
