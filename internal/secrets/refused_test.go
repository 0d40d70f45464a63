package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/secrets"
)

// A key Google refused is noted on disk, by its id, for `concordia key status` and the
// parties of other processes (a tester's status said "holds a key" right after `key check`
// said Google refused it); a check that accepts it, or a new key stored, drops the note.
func TestRefusedNote(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, map[string]string{})
	h.backend.Seed(secrets.Service, secrets.Account, testKey, false)
	id := secrets.KeyID(testKey)
	at := time.Date(2026, 12, 7, 20, 31, 0, 0, time.UTC)

	if got := h.store.Status(ctx); !got.Refused.IsZero() {
		t.Fatalf("before any refusal: Refused %v", got.Refused)
	}
	if err := h.store.MarkRefused(id, at); err != nil {
		t.Fatal(err)
	}
	if err := h.store.MarkRefused(secrets.KeyID("another key"), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Another Store over the same directory: another process.
	other := secrets.New(secrets.Options{Backend: h.backend, Getenv: func(string) string { return "" }, ConfigDir: h.dir, Timeout: time.Second})
	if got, ok := other.RefusedAt(id); !ok || !got.Equal(at) {
		t.Fatalf("RefusedAt in another process = %v, %v; want %v", got, ok, at)
	}
	if got := other.Status(ctx); !got.Refused.Equal(at) || got.Source != secrets.SourceKeyring {
		t.Fatalf("Status: %+v; want the keyring's key refused at %v", got, at)
	}
	b, err := os.ReadFile(filepath.Join(h.dir, "concordia", "gemini-key-refused"))
	if err != nil || strings.Contains(string(b), testKey) {
		t.Fatalf("the note (%v) holds the key, or cannot be read: %q", err, b)
	}
	// GEMINI_API_KEY wins: its own refusal, not the keyring's, is the one said.
	h.env[secrets.EnvKey] = "another key"
	if got := h.store.Status(ctx); !got.Refused.Equal(at.Add(time.Hour)) {
		t.Fatalf("env key: Refused %v, want %v", got.Refused, at.Add(time.Hour))
	}
	delete(h.env, secrets.EnvKey)

	// Accepted (a check, a merge): dropped, the other key's note stays.
	if err := h.store.MarkChecked(id); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.store.RefusedAt(id); ok {
		t.Fatal("still noted refused after MarkChecked")
	}
	if _, ok := h.store.RefusedAt(secrets.KeyID("another key")); !ok {
		t.Fatal("MarkChecked of one key dropped another's refusal")
	}
	// Stored again without Google's word: not known to be refused any more.
	if err := h.store.MarkRefused(id, at); err != nil {
		t.Fatal(err)
	}
	if err := h.store.MarkUnchecked(testKey); err != nil {
		t.Fatal(err)
	}
	if got := h.store.Status(ctx); !got.Refused.IsZero() || !got.KeyringUnchecked {
		t.Fatalf("after MarkUnchecked: %+v; want unchecked, not refused", got)
	}
	// A new key stored and accepted (keysave: MarkChecked("")), or the key deleted: none.
	if err := h.store.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.store.RefusedAt(secrets.KeyID("another key")); ok {
		t.Fatal("a refusal is still noted after the key was deleted")
	}
}
