package keysave_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/concordia-party/concordia/internal/keysave"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
)

// TestSave: what Google answers decides what Save does with the key. A key Google does
// not know (400 API_KEY_INVALID) is not stored. A key Google knows but refuses for this
// use (403: the API not enabled in its project, restrictions) is a real key whose fix is
// on Google's side: it is stored, noted unchecked, and Saved.Unchecked says Google's
// answer, as for a key Google could not be asked about. An accepted key is stored, checked.
func TestSave(t *testing.T) {
	const key = "AIza-a-whole-key-0123456789"
	cases := []struct {
		name          string
		answer        func(http.ResponseWriter)
		wantErr       error // nil: stored
		wantUnchecked error // the class of Saved.Unchecked; nil: checked
	}{
		{"accepted", func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"name":"models/x"}`) }, nil, nil},
		{"not valid", testkit.WriteGeminiKeyRefused, keysave.ErrRefused, nil},
		{"API not enabled in its project", testkit.WriteGeminiServiceDisabled, nil, merge.ErrKeyDenied},
		{"Google down", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":{"code":503,"status":"UNAVAILABLE","message":"later"}}`)
		}, nil, merge.ErrTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				c.answer(w)
			}))
			defer srv.Close()
			backend := &secretstest.Backend{}
			store := secrets.New(secrets.Options{Backend: backend, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
			saved, err := keysave.Save(context.Background(), store, key, func(k string) merge.GeminiConfig {
				return merge.GeminiConfig{APIKey: k, BaseURL: srv.URL}
			})
			stored, _ := backend.Get(secrets.Service, secrets.Account)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || stored != "" {
					t.Fatalf("Save = %+v, %v (keyring %q); want %v and nothing stored", saved, err, stored, c.wantErr)
				}
				return
			}
			if err != nil || stored != key {
				t.Fatalf("Save = %+v, %v (keyring %q); want the key stored", saved, err, stored)
			}
			unchecked := store.Status(context.Background()).KeyringUnchecked
			switch {
			case c.wantUnchecked == nil && (saved.Unchecked != nil || unchecked):
				t.Errorf("an accepted key: Saved %+v, noted unchecked %v", saved, unchecked)
			case c.wantUnchecked != nil && (!errors.Is(saved.Unchecked, c.wantUnchecked) || !unchecked):
				t.Errorf("Saved.Unchecked = %v, noted unchecked %v; want %v, noted", saved.Unchecked, unchecked, c.wantUnchecked)
			}
		})
	}
}
