package cli

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestATypedPromptIsPacedByWhatTheHostSays: the line editor tries again a prompt the host
// refused over a limit that passes in a moment (a member's burst, a connection's requests),
// not one refused for a full queue; it decided by the host's words, and now by the
// refusal's data (our extension), reading the words only of a host that sends none. The
// host's own terminal reads the party's error as it is.
func TestATypedPromptIsPacedByWhatTheHostSays(t *testing.T) {
	defer func(p time.Duration) { scriptPace = p }(scriptPace)
	scriptPace = 10 * time.Millisecond
	withData := func(msg, data string) error {
		return &rpc.Error{Code: wire.CodeRateLimited, Message: msg, Data: json.RawMessage(data)}
	}
	for _, tc := range []struct {
		name   string
		err    error
		again  bool
		waited time.Duration // at least, before the second try
	}{
		// Words of a later host's: the data says a burst, and when to try.
		{"data: a burst", withData("rate limited: hold on", `{"limit":"burst","retry_after_ms":300}`), true, 300 * time.Millisecond},
		{"data: the connection's requests", withData("rate limited: hold on", `{"limit":"requests","retry_after_ms":40}`), true, 40 * time.Millisecond},
		// The words of a burst, but the data says the queue is full: it waits for a batch.
		{"data: the queue", withData("rate limited: more than 10 "+party.BurstWords, `{"limit":"queue"}`), false, 0},
		{"data: a minute's bytes", withData("rate limited: slow down", `{"limit":"bytes","retry_after_ms":2000}`), false, 0},
		// A host from before the data: its words.
		{"no data: a burst's words", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: at most 10 " + party.BurstWords + ", then one per 1s"}, true, 0},
		{"no data: the requests' words", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: too many requests, slow down"}, true, 0},
		{"no data: a full queue's words", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: 200 prompts are already waiting"}, false, 0},
		// The host's own terminal: the party's typed error.
		{"in process: a burst", &party.RateLimitError{Limit: wire.LimitBurst, RetryAfter: 200 * time.Millisecond, Why: "hold on"}, true, 200 * time.Millisecond},
		{"in process: the queue", &party.RateLimitError{Limit: wire.LimitQueue, Why: "at most 10 " + party.BurstWords}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _, _ := newCommander(wire.RoleParticipant)
			c.editor = true
			var mu sync.Mutex
			var statuses []status
			c.pr.setStatusSink(func(st status) { mu.Lock(); statuses = append(statuses, st); mu.Unlock() })
			tries := 0
			var first time.Time
			var waited time.Duration
			c.prompt = func(context.Context, string) (wire.PromptResult, error) {
				if tries++; tries == 1 {
					first = time.Now()
					return wire.PromptResult{}, tc.err
				}
				waited = time.Since(first)
				return wire.PromptResult{Seq: 0}, nil
			}
			var given []string
			c.pr.setInputSink(func(text string) { given = append(given, text) })
			c.line(context.Background(), "fix the parser")
			if !tc.again {
				if tries != 1 || len(given) != 1 {
					t.Fatalf("tried %d times, given back %q; want once, given back", tries, given)
				}
				return
			}
			if tries != 2 || len(given) != 0 {
				t.Fatalf("tried %d times, given back %q; want sent again", tries, given)
			}
			if waited < tc.waited {
				t.Errorf("sent again after %s, the host said %s", waited, tc.waited)
			}
			// While it waited (at least 10 ms: the sink is handed the latest state), the
			// status line had when it goes again, not "the host has not answered"; once
			// sent, nothing.
			c.pr.setStatusSink(nil)
			mu.Lock()
			defer mu.Unlock()
			saidAgain := false
			for _, st := range statuses {
				if !st.again.IsZero() && !st.sending.IsZero() {
					saidAgain = true
				}
			}
			c.pr.mu.Lock()
			last := c.pr.statusLocked()
			c.pr.mu.Unlock()
			if !saidAgain || !last.again.IsZero() || !last.sending.IsZero() {
				t.Errorf("statuses: said when it goes again %v, last %+v", saidAgain, last)
			}
		})
	}
}
