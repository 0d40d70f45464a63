package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// A party hosted after Settings' Check said Google refused the key merges locally from its
// start, and sends Gemini nothing: a window tester's Home said "Google refused it; merging
// locally", and the party then announced Gemini and sent its first batch there.
func TestAPartyAfterARefusedCheckMergesLocally(t *testing.T) {
	m, asked := managerWithKeyGoogleAnswers(t, "AIza-refused", testkit.WriteGeminiKeyRefused)
	if _, _, err := m.CheckKey(context.Background()); !errors.Is(err, merge.ErrInvalidKey) {
		t.Fatalf("check: %v, want the key refused", err)
	}
	checks := asked.Load()
	req := hostRequest(t)
	req.Merger = "auto"
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if info.Party.Merger != wire.MergerLocal {
		t.Errorf("party merger %q, want local from the start", info.Party.Merger)
	}
	if n := asked.Load(); n != checks {
		t.Errorf("Gemini was asked %d more times after the check", n-checks)
	}
}

// A key Google refuses for this use only (403 SERVICE_DISABLED: the API not enabled in its
// project) is not remembered as refused by Settings' Check: its owner fixes it on Google's
// side, and the next party asks Google again instead of merging locally "until the host
// replaces it" (a reviewer's).
func TestAPartyAfterADeniedCheckAsksGoogleAgain(t *testing.T) {
	m, _ := managerWithKeyGoogleAnswers(t, "AIza-denied-for-this-use", testkit.WriteGeminiServiceDisabled)
	if _, _, err := m.CheckKey(context.Background()); !errors.Is(err, merge.ErrKeyDenied) {
		t.Fatalf("check: %v, want the key denied for this use", err)
	}
	req := hostRequest(t)
	req.Merger = "auto"
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if info.Party.Merger != wire.MergerGemini {
		t.Errorf("party merger %q, want Gemini tried again", info.Party.Merger)
	}
}

// managerWithKeyGoogleAnswers is a Manager whose keyring holds key and whose Google (a
// loopback stand-in) answers every request with answer; asked counts the requests.
func managerWithKeyGoogleAnswers(t *testing.T, key string, answer func(http.ResponseWriter)) (*Manager, *atomic.Int32) {
	t.Helper()
	asked := new(atomic.Int32)
	gemini := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		answer(w)
	}))
	t.Cleanup(gemini.Close)
	env := func(k string) string {
		if k == merge.BaseURLEnv {
			return gemini.URL
		}
		return ""
	}
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	if err := store.Set(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	return newManager(t, newRecorder(), func(c *Config) { c.Secrets, c.Getenv = store, env }), asked
}
