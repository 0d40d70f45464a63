package keycmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
)

// fakeGoogle answers a models.get: the model for good, 400 API_KEY_INVALID for any other
// key, 503 when down; it counts requests.
func fakeGoogle(t *testing.T, good string, down bool) (*httptest.Server, *[]string) {
	t.Helper()
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case down:
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 503, "status": "UNAVAILABLE", "message": "try later"}})
		case r.Header.Get("x-goog-api-key") != good:
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 400, "status": "INVALID_ARGUMENT",
				"message": "API key not valid. Please pass a valid API key.",
				"details": []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}}}})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"name": "models/x"})
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &paths
}

// TestCheck: `concordia key check` asks Google about the key it would use and says what
// Google answered, in words, without showing the key.
func TestCheck(t *testing.T) {
	cases := []struct {
		name        string
		stored, env string
		down        bool
		args        []string
		wantCode    int
		wantOut     string
		wantErr     string
		wantPath    string
	}{
		{name: "a good key from the keyring", stored: storedKey, args: []string{"check"}, wantOut: "(CONCORDIA_GEMINI_BASE_URL) accepted the key", wantPath: "GET /v1beta/models/" + merge.DefaultGeminiModel},
		{name: "another model", stored: storedKey, args: []string{"check", "--gemini-model", "gemini-2.5-pro"}, wantOut: "(model gemini-2.5-pro)", wantPath: "GET /v1beta/models/gemini-2.5-pro"},
		{name: "a refused key", stored: testKey, args: []string{"check"}, wantCode: 1, wantOut: "Checking the Gemini key from the OS keyring with the Gemini API at http://127.0.0.1:",
			wantErr: `concordia key check: The Gemini API at http://127.0.0.1:`},
		{name: "a refused key from the environment", stored: storedKey, env: envKey, args: []string{"check"}, wantCode: 1, wantErr: "refused the API key (400 INVALID_ARGUMENT). To replace it, set GEMINI_API_KEY to a key copied whole (https://aistudio.google.com/apikey makes one); until then parties merge prompts locally"},
		{name: "Google down", stored: storedKey, down: true, args: []string{"check"}, wantCode: 1, wantErr: "(CONCORDIA_GEMINI_BASE_URL): unavailable (503); try again later"},
		{name: "no key", args: []string{"check"}, wantCode: 1, wantErr: `no Gemini key is set: run "concordia key set" to store one`},
		{name: "a stray argument", stored: storedKey, args: []string{"check", "AIza-oops"}, wantCode: 2, wantErr: "takes only --gemini-model MODEL"},
		// A tester's empty model was told to give --gemini-model MODEL, which it had.
		{name: "an empty model", stored: storedKey, args: []string{"check", "--gemini-model", ""}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "an empty model after =", stored: storedKey, args: []string{"check", "--gemini-model="}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "a blank model", stored: storedKey, args: []string{"check", "--gemini-model", "  "}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "a blank model after =", stored: storedKey, args: []string{"check", "-gemini-model= "}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "the flag with no value", stored: storedKey, args: []string{"check", "--gemini-model"}, wantCode: 2, wantErr: "takes only --gemini-model MODEL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, paths := fakeGoogle(t, storedKey, c.down)
			backend := &secretstest.Backend{}
			if c.stored != "" {
				backend.Seed(secrets.Service, secrets.Account, c.stored, false)
			}
			getenv := func(k string) string {
				switch k {
				case secrets.EnvKey:
					return c.env
				case merge.BaseURLEnv:
					return srv.URL
				}
				return ""
			}
			store := secrets.New(secrets.Options{Backend: backend, Getenv: getenv, ConfigDir: t.TempDir(), Timeout: time.Second})
			var stdout, stderr bytes.Buffer
			code := keycmd.Run(context.Background(), c.args, strings.NewReader(""), &stdout, &stderr, store, getenv)
			out := stdout.String() + stderr.String()
			if code != c.wantCode || !strings.Contains(stdout.String(), c.wantOut) || !strings.Contains(stderr.String(), c.wantErr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, c.wantCode, stdout.String(), stderr.String())
			}
			for _, k := range allKeys {
				if strings.Contains(out, k) || strings.Contains(out, k[:12]) {
					t.Errorf("output shows a key:\n%s", out)
				}
			}
			if c.wantPath != "" && (len(*paths) != 1 || (*paths)[0] != c.wantPath) {
				t.Errorf("requests %v, want one %s", *paths, c.wantPath)
			}
		})
	}
}
