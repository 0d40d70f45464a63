package keycmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
)

// fakeGoogle answers a models.get: the model for good (any key when good is ""), 400
// API_KEY_INVALID for any other key; for any key, 503 when answer is "down", and 403
// SERVICE_DISABLED (a valid key whose project has not enabled the API) when it is
// "disabled", 403 without a reason (a key reported as leaked) when it is "leaked". It
// counts requests.
func fakeGoogle(t *testing.T, good string, answer string) (*httptest.Server, *[]string) {
	t.Helper()
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case answer == "disabled":
			testkit.WriteGeminiServiceDisabled(w)
		case answer == "leaked":
			testkit.WriteGeminiKeyLeaked(w)
		case answer == "down":
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 503, "status": "UNAVAILABLE", "message": "try later"}})
		case good != "" && r.Header.Get("x-goog-api-key") != good:
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
		google      string // fakeGoogle's answer: "", "down" or "disabled"
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
		{name: "a refused key from the environment", stored: storedKey, env: envKey, args: []string{"check"}, wantCode: 1, wantErr: "refused the API key (400 INVALID_ARGUMENT). Google said: \"API key not valid. Please pass a valid API key.\" Copy the key again, whole, from Google AI Studio's API keys page (https://aistudio.google.com/apikey), or make a new one there, then set GEMINI_API_KEY to it; until then parties merge prompts locally"},
		// A valid key whose project has not enabled the API: Google's words and what to
		// change there, not "copied whole".
		{name: "a key whose project has not enabled the API", stored: storedKey, google: "disabled", args: []string{"check"}, wantCode: 1,
			wantErr: "refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED). Google said: \"Generative Language API has not been used in project 123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123 then retry.\" The key itself need not change: enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again (\"concordia key check\"); until then parties merge prompts locally"},
		// Any other 403 is a key to replace, in Google's words: not "need not change". One
		// reported as leaked is never taken again: a new one, not the same copied whole.
		{name: "a key reported as leaked", stored: storedKey, google: "leaked", args: []string{"check"}, wantCode: 1,
			wantErr: "refused the API key (403 PERMISSION_DENIED). Google said: \"" + testkit.GeminiKeyLeaked + "\" A key reported as leaked is never taken again, so pasting it again cannot help: make a new one on Google AI Studio's API keys page (https://aistudio.google.com/apikey), then run \"concordia key set\" with it; until then parties merge prompts locally\n"},
		{name: "Google down", stored: storedKey, google: "down", args: []string{"check"}, wantCode: 1, wantErr: "(CONCORDIA_GEMINI_BASE_URL): unavailable (503); try again later"},
		{name: "no key", args: []string{"check"}, wantCode: 1, wantErr: `no Gemini key is set: run "concordia key set" to store one`},
		{name: "a stray argument", stored: storedKey, args: []string{"check", "AIza-oops"}, wantCode: 2, wantErr: "takes only --gemini-model MODEL"},
		// A tester's empty model was told to give --gemini-model MODEL, which it had.
		{name: "an empty model", stored: storedKey, args: []string{"check", "--gemini-model", ""}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "an empty model after =", stored: storedKey, args: []string{"check", "--gemini-model="}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "a blank model", stored: storedKey, args: []string{"check", "--gemini-model", "  "}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		{name: "a blank model after =", stored: storedKey, args: []string{"check", "-gemini-model= "}, wantCode: 2, wantErr: "--gemini-model must name a model (the default is "},
		// Said as the other flags' errors say it (a tester was told the check "takes only
		// --gemini-model MODEL", which it had been given).
		{name: "the flag with no value", stored: storedKey, args: []string{"check", "--gemini-model"}, wantCode: 2, wantErr: "concordia key check: --gemini-model needs a value (the default is "},
		{name: "the flag with no value, one dash", stored: storedKey, args: []string{"check", "-gemini-model"}, wantCode: 2, wantErr: "concordia key check: --gemini-model needs a value (the default is "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, paths := fakeGoogle(t, storedKey, c.google)
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

// TestStatusAfterARefusedCheck: `key status` says that Google refused the key at the last
// check (a tester's said "reachable, holds a key" right after `key check` exited 1), until
// a check accepts it; a key refused for this use only is not said refused.
func TestStatusAfterARefusedCheck(t *testing.T) {
	refusedLine := regexp.MustCompile(`\nGoogle refused this key when it was last checked \(\d{4}-\d\d-\d\d \d\d:\d\d\); parties merge locally until it is replaced: (.*)\.\n`)
	for _, c := range []struct {
		name, env, google, way string
	}{
		{name: "the keyring's key", way: `run "concordia key set" with a working key`},
		{name: "GEMINI_API_KEY's", env: testKey, way: "set GEMINI_API_KEY to a working key"},
		{name: "a key refused for this use only", google: "disabled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			good := storedKey
			if c.google == "" {
				good = "some other key" // refuses the one given
			}
			var mu sync.Mutex
			srv, _ := fakeGoogle(t, good, c.google)
			backend := &secretstest.Backend{}
			backend.Seed(secrets.Service, secrets.Account, storedKey, false)
			getenv := func(k string) string {
				mu.Lock()
				defer mu.Unlock()
				switch k {
				case secrets.EnvKey:
					return c.env
				case merge.BaseURLEnv:
					return srv.URL
				}
				return ""
			}
			dir := t.TempDir()
			run := func(args ...string) (int, string) {
				// A new store each time, as each command is a process of its own.
				store := secrets.New(secrets.Options{Backend: backend, Getenv: getenv, ConfigDir: dir, Timeout: time.Second})
				var stdout, stderr bytes.Buffer
				code := keycmd.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, store, getenv)
				return code, stdout.String()
			}
			if code, _ := run("check"); code != 1 {
				t.Fatalf("check exit %d, want 1", code)
			}
			_, out := run("status")
			m := refusedLine.FindStringSubmatch(out)
			switch {
			case c.way == "" && m != nil:
				t.Fatalf("a key refused for this use only said refused:\n%s", out)
			case c.way == "":
				return
			case m == nil || m[1] != c.way:
				t.Fatalf("status after a refused check does not say so, with %q:\n%s", c.way, out)
			}
			if wantRing := c.env == ""; strings.Contains(out, "OS keyring:     reachable, holds a key Google refused\n") != wantRing {
				t.Errorf("the keyring's line says refused: %v, want %v:\n%s", !wantRing, wantRing, out)
			}
			// Google accepts it now: said no more.
			mu.Lock()
			srv.Close()
			srv, _ = fakeGoogle(t, "", "")
			mu.Unlock()
			if code, _ := run("check"); code != 0 {
				t.Fatalf("the second check exit %d, want 0", code)
			}
			if _, out := run("status"); strings.Contains(out, "refused") {
				t.Fatalf("status after an accepted check still says refused:\n%s", out)
			}
		})
	}
}

// TestSetChecksTheKey: `concordia key set` asks Google about a key before storing it: a key
// Google refuses is not stored (a window tester's "abc" was, and shown as working), one far
// too short is refused without asking, and one Google cannot be asked about is stored and
// said, by set and by status, to be unchecked until a check finds it works.
func TestSetChecksTheKey(t *testing.T) {
	cases := []struct {
		name      string
		stdin     string
		google    string // "up", "down" (503), "disabled" (403 SERVICE_DISABLED), "leaked" (403), "gone" (nothing listens)
		wantCode  int
		wantRing  string
		wantOut   string
		wantErr   string
		wantAsked int
		unchecked bool // key status says the key is not checked
	}{
		{name: "a good key", stdin: storedKey + "\n", google: "up", wantRing: storedKey, wantAsked: 1,
			wantOut: "(CONCORDIA_GEMINI_BASE_URL) accepted it: parties hosted with --merge auto"},
		{name: "a refused key", stdin: testKey + "\n", google: "up", wantCode: 1, wantAsked: 1,
			wantErr: "refused the API key (400 INVALID_ARGUMENT), so the key was not stored"},
		{name: "far too short", stdin: "abc\n", google: "up", wantCode: 1,
			wantErr: "concordia key set: that is too short to be a Gemini API key (they are about 40 characters); copy it again, whole; nothing was stored"},
		{name: "Google down", stdin: storedKey + "\n", google: "down", wantRing: storedKey, wantAsked: 1, unchecked: true,
			wantOut: "Stored the Gemini API key", wantErr: "warning: the key is not checked: the Gemini API at http://127.0.0.1:"},
		// A valid key whose project has not enabled the API is stored: the fix is on
		// Google's side, not another paste.
		{name: "a key whose project has not enabled the API", stdin: storedKey + "\n", google: "disabled", wantRing: storedKey, wantAsked: 1, unchecked: true,
			wantOut: "Stored the Gemini API key", wantErr: "(CONCORDIA_GEMINI_BASE_URL) refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED). Google said: \"Generative Language API has not been used in project 123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123 then retry.\" The key itself need not change: enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again (\"concordia key check\"); until then parties merge prompts locally"},
		// A 403 without a reason known to be Google's side: not stored, in Google's words,
		// and a new key asked for: copied again, the same key is refused again.
		{name: "a key reported as leaked", stdin: storedKey + "\n", google: "leaked", wantCode: 1, wantAsked: 1,
			wantErr: "refused the API key (403 PERMISSION_DENIED), so the key was not stored. Google said: \"" + testkit.GeminiKeyLeaked + "\" A key reported as leaked is never taken again, so pasting it again cannot help: make a new one on Google AI Studio's API keys page (https://aistudio.google.com/apikey), then run \"concordia key set\" again\n"},
		{name: "Google unreachable", stdin: storedKey + "\n", google: "gone", wantRing: storedKey, unchecked: true,
			wantOut: "Stored the Gemini API key", wantErr: "(CONCORDIA_GEMINI_BASE_URL) could not be reached (unreachable (connection refused))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, paths := fakeGoogle(t, storedKey, c.google)
			base := srv.URL
			if c.google == "gone" {
				srv.Close()
			}
			backend := &secretstest.Backend{}
			getenv := func(k string) string {
				if k == merge.BaseURLEnv {
					return base
				}
				return ""
			}
			store := secrets.New(secrets.Options{Backend: backend, Getenv: getenv, ConfigDir: t.TempDir(), Timeout: time.Second})
			var stdout, stderr bytes.Buffer
			code := keycmd.Run(context.Background(), []string{"set"}, strings.NewReader(c.stdin), &stdout, &stderr, store, getenv)
			if code != c.wantCode || !strings.Contains(stdout.String(), c.wantOut) || !strings.Contains(stderr.String(), c.wantErr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, c.wantCode, stdout.String(), stderr.String())
			}
			if got, _ := backend.Lookup(secrets.Service, secrets.Account); got != c.wantRing {
				t.Errorf("keyring holds %q, want %q", got, c.wantRing)
			}
			if c.google != "gone" && len(*paths) != c.wantAsked {
				t.Errorf("Google was asked %d times (%v), want %d", len(*paths), *paths, c.wantAsked)
			}
			for _, k := range allKeys {
				if strings.Contains(stdout.String()+stderr.String(), k[:12]) {
					t.Errorf("output shows a key:\n%s%s", stdout.String(), stderr.String())
				}
			}
			stdout.Reset()
			keycmd.Run(context.Background(), []string{"status"}, strings.NewReader(""), &stdout, &stderr, store, getenv)
			if got := strings.Contains(stdout.String(), "not yet checked with Google"); got != c.unchecked {
				t.Errorf("status says unchecked: %v, want %v:\n%s", got, c.unchecked, stdout.String())
			}
			if !c.unchecked {
				return
			}
			// Google is back and accepts it: a check clears the note.
			up, _ := fakeGoogle(t, storedKey, "")
			base = up.URL
			stdout.Reset()
			if code := keycmd.Run(context.Background(), []string{"check"}, strings.NewReader(""), &stdout, &stderr, store, getenv); code != 0 {
				t.Fatalf("check exit %d: %s", code, stderr.String())
			}
			stdout.Reset()
			keycmd.Run(context.Background(), []string{"status"}, strings.NewReader(""), &stdout, &stderr, store, getenv)
			if strings.Contains(stdout.String(), "not yet checked") {
				t.Errorf("status after an accepting check still says unchecked:\n%s", stdout.String())
			}
		})
	}
}
