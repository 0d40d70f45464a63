package session

import (
	"context"
	"errors"
	"io"
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

// Settings' Check notes a key Google refused on disk, for `concordia key status` and a
// `concordia host` started after (a terminal tester's status said "holds a key" after a
// refusal); a Check Google accepts drops the note, and one refused for this use only
// notes nothing.
func TestCheckKeyNotesARefusalForOtherProcesses(t *testing.T) {
	var answer atomic.Value
	answer.Store("refused")
	m, _ := managerWithKeyGoogleAnswers(t, "AIza-refused-noted-0123456789", func(w http.ResponseWriter) {
		switch answer.Load() {
		case "refused":
			testkit.WriteGeminiKeyRefused(w)
		case "disabled":
			testkit.WriteGeminiServiceDisabled(w)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"name":"models/gemini-flash-latest"}`))
		}
	})
	noted := func() bool { return !m.cfg.Secrets.Status(context.Background()).Refused.IsZero() }
	for i, s := range []struct {
		answer    string
		wantNoted bool
	}{{"refused", true}, {"ok", false}, {"refused", true}, {"disabled", false}} {
		answer.Store(s.answer)
		_, _, _ = m.CheckKey(context.Background())
		if got := noted(); got != s.wantNoted {
			t.Errorf("step %d (%s): a refusal noted: %v, want %v", i, s.answer, got, s.wantNoted)
		}
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

// A key stored and known to work that Check then finds refused for this use (its project's
// API turned off since) is no longer said to work: it is noted unchecked, as a key saved
// while refused for this use is, so that a party's merge with it, once put right on
// Google's side, says it works again (the window kept saying "refused; merging locally"
// beside a party merging with Gemini, a builder's). A Check Google accepts drops the note.
func TestADeniedCheckLeavesTheKeyUnchecked(t *testing.T) {
	var answer atomic.Value
	answer.Store("ok")
	m, _ := managerWithKeyGoogleAnswers(t, "AIza-denied-later-0123456789", func(w http.ResponseWriter) {
		if answer.Load() == "disabled" {
			testkit.WriteGeminiServiceDisabled(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"models/gemini-flash-latest"}`))
	})
	unchecked := func() bool { return m.cfg.Secrets.Status(context.Background()).KeyringUnchecked }
	steps := []struct {
		answer        string
		wantErr       error
		wantUnchecked bool
	}{
		{"ok", nil, false},
		{"disabled", merge.ErrKeyDenied, true},
		{"ok", nil, false},
	}
	for i, s := range steps {
		answer.Store(s.answer)
		_, _, err := m.CheckKey(context.Background())
		if !errors.Is(err, s.wantErr) || (s.wantErr == nil) != (err == nil) {
			t.Fatalf("step %d (%s): check %v, want %v", i, s.answer, err, s.wantErr)
		}
		if got := unchecked(); got != s.wantUnchecked {
			t.Errorf("step %d (%s): unchecked %v, want %v", i, s.answer, got, s.wantUnchecked)
		}
	}
}

// managerWithKeyGoogleAnswers is a Manager whose keyring holds key and whose Google (a
// loopback stand-in) answers every request with answer; asked counts the requests.
func managerWithKeyGoogleAnswers(t *testing.T, key string, answer func(http.ResponseWriter)) (*Manager, *atomic.Int32) {
	t.Helper()
	asked := new(atomic.Int32)
	return managerWithKeyGoogle(t, key, func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		answer(w)
	}), asked
}

// managerWithKeyGoogle is a Manager whose keyring holds key and whose Google is a loopback
// stand-in that serves google.
func managerWithKeyGoogle(t *testing.T, key string, google http.HandlerFunc) *Manager {
	t.Helper()
	gemini := httptest.NewServer(google)
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
	return newManager(t, newRecorder(), func(c *Config) { c.Secrets, c.Getenv = store, env })
}

// A party this window hosts whose key Google refused (so it merges locally) merges with
// Gemini again from its next batch once Settings' Check finds the key works: a window
// tester's Check said "Prompts are merged with Gemini", and the next two batches were
// merged locally, until the key was replaced.
func TestACheckThatFindsTheKeyWorkingBringsGeminiBack(t *testing.T) {
	var refusing atomic.Bool
	refusing.Store(true)
	m := managerWithKeyGoogle(t, "AIza-refused-then-fixed", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case refusing.Load():
			testkit.WriteGeminiKeyRefused(w)
		case r.Method == http.MethodGet: // the check: the model's description
			_, _ = w.Write([]byte(`{"name": "models/` + merge.DefaultGeminiModel + `"}`))
		default:
			body, _ := io.ReadAll(r.Body)
			testkit.WriteGeminiMerge(w, body, "GEMINI: both")
		}
	})
	rec := m.cfg.Emitter.(*recorder)
	req := hostRequest(t)
	req.Merger = "auto"
	if _, err := m.Host(context.Background(), req); err != nil {
		t.Fatalf("Host: %v", err)
	}
	batchOf := func(what string, n int) wire.Batch {
		t.Helper()
		for _, text := range []string{"add tabs " + what, "add dark mode " + what} {
			if _, err := m.Prompt(context.Background(), text); err != nil {
				t.Fatalf("%s: Prompt: %v", what, err)
			}
		}
		var b []wire.Event
		rec.waitFor(t, what, func(evs []emitted) bool {
			b = nil
			for _, e := range partyEvents(evs) {
				if e.Kind == wire.KindBatch && e.Batch != nil && len(e.Batch.Prompts) == 2 {
					b = append(b, e)
				}
			}
			return len(b) >= n
		})
		return *b[n-1].Batch
	}
	if b := batchOf("refused", 1); b.Merger != wire.MergerLocal {
		t.Fatalf("with the key refused: merger %q, want local", b.Merger)
	}
	refusing.Store(false)
	if _, _, err := m.CheckKey(context.Background()); err != nil {
		t.Fatalf("check: %v, want the key accepted", err)
	}
	if b := batchOf("checked", 2); b.Merger != wire.MergerGemini {
		t.Fatalf("after the check Google accepted: merger %q, want gemini", b.Merger)
	}
}
