package host_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// A Gemini key set while the party runs (window Settings, `concordia key set`): once the
// merger has taken it, every member hears which merger the party now uses (a settings
// event's merger), and a later joiner's hello says so. The window's "Merger" said Local
// for the rest of the party.
func TestMergerFollowsAKeySetWhileThePartyRuns(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		testkit.WriteGeminiMerge(w, body, "GEMINI: all of it")
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	m, _, err := host.SelectMerger(ctx, host.MergerOptions{Mode: host.MergeAuto, Store: store, RekeyEvery: -1,
		Getenv: func(k string) string {
			if k == merge.BaseURLEnv {
				return srv.URL
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := hostParty(t, host.Config{Insecure: true, Window: 300 * time.Millisecond, Merger: m})
	alice := watch(t, h.Invite(), "alice")
	bob := watch(t, h.Invite(), "bob")
	if got := alice.c.Hello().Party.Merger; got != wire.MergerLocal {
		t.Fatalf("hello's merger %q without a key, want local", got)
	}
	mergerSaid := func(evs []wire.Event) []string {
		var said []string
		for _, ev := range of(evs, wire.KindSettings) {
			if ev.Settings.Merger != "" {
				said = append(said, ev.Settings.Merger)
			}
		}
		return said
	}
	turn := func(n int, a, b string) []wire.Event {
		prompt(t, alice, a)
		prompt(t, bob, b)
		return alice.until(t, "turn", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == n })
	}
	evs := turn(1, "add a --verbose flag", "fix the typo in README")
	if b := of(evs, wire.KindBatch)[0].Batch; b.Merger != wire.MergerLocal {
		t.Fatalf("first batch merged by %q, want local", b.Merger)
	}
	if said := mergerSaid(evs); len(said) != 0 {
		t.Fatalf("the merger was said to change to %q before any key", said)
	}
	if err := store.Set(ctx, "good-key"); err != nil {
		t.Fatal(err)
	}
	evs = turn(2, "add tabs", "add dark mode")
	if b := of(evs, wire.KindBatch)[1].Batch; b.Merger != wire.MergerGemini {
		t.Fatalf("second batch merged by %q, want gemini", b.Merger)
	}
	if said := mergerSaid(evs); !slices.Equal(said, []string{wire.MergerGemini}) {
		t.Fatalf("settings events said the merger is %q, want once gemini", said)
	}
	carol := watch(t, h.Invite(), "carol")
	if got := carol.c.Hello().Party.Merger; got != wire.MergerGemini {
		t.Fatalf("a later joiner's hello says merger %q, want gemini", got)
	}
}
