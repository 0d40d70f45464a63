package host

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestRealClaudeParty drives the real Claude Code binary (against a fake Messages API on
// loopback) through a whole party: two participants prompt, the merged prompt reaches the
// binary, and its streamed reply reaches both. In CI a missing binary fails the test.
func TestRealClaudeParty(t *testing.T) {
	bin := testkit.RealClaude(t)
	var mu sync.Mutex
	var seen []string
	api := testkit.NewFakeAnthropic(t, func(req testkit.AnthropicRequest) string {
		mu.Lock()
		seen = append(seen, req.LastUserText)
		mu.Unlock()
		return "Both done: the flag is added and the README typo is fixed."
	})
	h := startHost(t, Config{
		Window: 500 * time.Millisecond,
		Agent:  agent.Config{Path: bin, Env: testkit.RealClaudeEnv(t, api.URL)},
	})
	alice := join(t, h.Invite(), "alice")
	bob := join(t, h.Invite(), "bob")
	bob.waitFor(t, "both joined", func(e []wire.Event) bool {
		j := kinds(e, wire.KindParticipants)
		return len(j) > 0 && *j[len(j)-1].Count == 2
	})
	if _, err := alice.c.Prompt(context.Background(), "add a --verbose flag to the CLI"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.c.Prompt(context.Background(), "fix the typo in README.md"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*participant{alice, bob} {
		evs := p.waitFor(t, "the real turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
		tr := kinds(evs, wire.KindTurn)[0].Turn
		if tr.Status != wire.TurnDone {
			t.Fatalf("%s: turn %+v\n%v", p.name, tr, kinds(evs, wire.KindError))
		}
		if got := reply(evs); !strings.Contains(got, "Both done: the flag is added and the README typo is fixed.") {
			t.Fatalf("%s: streamed reply %q", p.name, got)
		}
		if b := kinds(evs, wire.KindBatch); len(b) != 1 || len(b[0].Batch.Prompts) != 2 {
			t.Fatalf("%s: batches %+v", p.name, b)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var merged bool
	for _, s := range seen {
		if strings.Contains(s, "--verbose flag") && strings.Contains(s, "README.md") && strings.Contains(s, "alice") && strings.Contains(s, "bob") {
			merged = true
		}
	}
	if !merged {
		t.Fatalf("the merged prompt did not reach the Messages API; user texts seen: %q", seen)
	}
}
