package merge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// replyModel answers a models.get as Google does.
func replyModel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": "models/" + testModel, "displayName": "Test", "inputTokenLimit": 1000})
}

// TestCheckKey: the key check is one models.get of the model, the key in its header only;
// Google's answers become the classes Merge uses, and never carry the key.
func TestCheckKey(t *testing.T) {
	keyInvalid := map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
	cases := []struct {
		name   string
		reply  http.HandlerFunc
		class  error // nil: accepted
		reason string
	}{
		{"accepted", replyModel, nil, ""},
		{"an invalid key", replyError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key. "+testKey, keyInvalid), ErrInvalidKey, "refused the API key (400 INVALID_ARGUMENT)"},
		{"a key without access", replyError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers"), ErrInvalidKey, "refused the API key (403 PERMISSION_DENIED)"},
		{"an unknown model", replyError(404, "NOT_FOUND", "models/test-model is not found"), ErrRejected, `rejected the request (404 NOT_FOUND: it knows no model "test-model")`},
		{"Google down", replyError(503, "UNAVAILABLE", "The service is currently unavailable."), ErrTransient, "unavailable (503)"},
		{"not the Gemini API (an HTTP 404 page)", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, ErrRejected, "rejected the request (404 Not Found)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGemini(t, c.reply)
			err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 5 * time.Second})
			if (c.class == nil) != (err == nil) || c.class != nil && !errors.Is(err, c.class) {
				t.Fatalf("CheckKey: %v, want class %v", err, c.class)
			}
			if err != nil && (Reason(err) != c.reason || strings.Contains(err.Error(), testKey)) {
				t.Errorf("reason %q (error %q), want %q and no key", Reason(err), err, c.reason)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.seen) != 1 {
				t.Fatalf("%d requests, want 1", len(f.seen))
			}
			r := f.seen[0]
			if r.Method != http.MethodGet || r.URL.Path != "/v1beta/models/"+testModel || r.Header.Get("x-goog-api-key") != testKey || strings.Contains(r.URL.RawQuery, testKey) {
				t.Errorf("request %s %s?%s key header %q", r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("x-goog-api-key"))
			}
		})
	}
	// Nobody answering is transient, and ends with the timeout.
	f := newFakeGemini(t, replyHang)
	err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrTransient) || Reason(err) != "timed out" {
		t.Errorf("a hanging server: %v (%q)", err, Reason(err))
	}
}
