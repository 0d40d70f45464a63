package merge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
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
		{"a key reported as leaked", replyError(403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key."), ErrInvalidKey, "refused the API key (403 PERMISSION_DENIED)"},
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

// TestKeyDenied: a 403 is Google refusing this use of a key it knows, not a key to copy
// again. Each reason Google gives (google.api.ErrorReason, as the Gemini API answers
// them) is said, with Google's own words and advice that fits it; the error still
// matches ErrInvalidKey, so that a party stops using the key as before. A 400
// API_KEY_INVALID stays a key that is not valid, with no such advice.
func TestKeyDenied(t *testing.T) {
	info := func(reason string) map[string]any {
		return map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
			"metadata": map[string]any{"consumer": "projects/123", "service": "generativelanguage.googleapis.com"}}
	}
	cases := []struct {
		name, reason, message string
		label                 string // the status, as Reason says it
		advice                string // a part of KeyAdvice
	}{
		{"API not enabled", "SERVICE_DISABLED",
			"Generative Language API has not been used in project 123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123 then retry.",
			"403 PERMISSION_DENIED, SERVICE_DISABLED", "enable the Generative Language API in the key's Google Cloud project"},
		{"API left out of the key's restrictions", "API_KEY_SERVICE_BLOCKED",
			"Requests to this API generativelanguage.googleapis.com method google.ai.generativelanguage.v1beta.ModelService.GetModel are blocked.",
			"403 PERMISSION_DENIED, API_KEY_SERVICE_BLOCKED", "add it to the key's allowed APIs"},
		{"IP address restriction", "API_KEY_IP_ADDRESS_BLOCKED", "The provided API key has an IP address restriction. The originating IP address of the call (192.0.2.7) violates this restriction.",
			"403 PERMISSION_DENIED, API_KEY_IP_ADDRESS_BLOCKED", "restrictions refuse this computer"},
		{"website restriction", "API_KEY_HTTP_REFERRER_BLOCKED", "Requests from referer <empty> are blocked.",
			"403 PERMISSION_DENIED, API_KEY_HTTP_REFERRER_BLOCKED", "restricted to websites"},
		{"app restriction", "API_KEY_ANDROID_APP_BLOCKED", "Requests from this Android client application <empty> are blocked.",
			"403 PERMISSION_DENIED, API_KEY_ANDROID_APP_BLOCKED", "restricted to phone apps"},
		{"project suspended, key echoed", "CONSUMER_SUSPENDED", "Permission denied: Consumer 'api_key:" + testKey + "' has been suspended.",
			"403 PERMISSION_DENIED, CONSUMER_SUSPENDED", "project is suspended"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGemini(t, replyError(403, "PERMISSION_DENIED", c.message, info(c.reason)))
			err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 5 * time.Second})
			if !errors.Is(err, ErrKeyDenied) || !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("CheckKey: %v, want ErrKeyDenied and ErrInvalidKey", err)
			}
			if want := "refused this use of the API key (" + c.label + ")"; Reason(err) != want {
				t.Errorf("Reason = %q, want %q", Reason(err), want)
			}
			wantSaid := strings.ReplaceAll(c.message, testKey, "[redacted]")
			if Said(err) != wantSaid {
				t.Errorf("Said = %q, want %q", Said(err), wantSaid)
			}
			advice := KeyAdvice(err)
			if !strings.Contains(advice, c.advice) || strings.Contains(strings.ToLower(advice), "copy") {
				t.Errorf("KeyAdvice = %q, want it to say %q and not to copy the key again", advice, c.advice)
			}
			if strings.Contains(err.Error()+Said(err)+Reason(err), testKey) {
				t.Errorf("the key is in %q", err)
			}
		})
	}

	// Any other 403 is not taken as a whole key refused for this use: Google answers 403
	// for a key reported as leaked, which must be replaced. It is a refused key, with
	// Google's words, and nothing says that the key need not change.
	others := []struct {
		name, message string
		info          []map[string]any
		label         string
	}{
		{"reported as leaked", "Your API key was reported as leaked. Please use another API key.", nil, "403 PERMISSION_DENIED"},
		{"a reason not known here", "The caller does not have permission", []map[string]any{info("SOMETHING_NEW")}, "403 PERMISSION_DENIED, SOMETHING_NEW"},
	}
	for _, c := range others {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGemini(t, replyError(403, "PERMISSION_DENIED", c.message, c.info...))
			err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 5 * time.Second})
			if !errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrKeyDenied) {
				t.Fatalf("CheckKey: %v, want ErrInvalidKey and not ErrKeyDenied", err)
			}
			if want := "refused the API key (" + c.label + ")"; Reason(err) != want {
				t.Errorf("Reason = %q, want %q", Reason(err), want)
			}
			words := KeyWords(err, strconv.Quote, "paste it here")
			if KeyAdvice(err) != "" || !strings.HasPrefix(words, "Google said: "+strconv.Quote(c.message)+" ") || strings.Contains(words, "need not change") {
				t.Errorf("KeyAdvice = %q, KeyWords = %q; want no advice on Google's side, Google's words first", KeyAdvice(err), words)
			}
		})
	}

	f := newFakeGemini(t, replyError(400, "INVALID_ARGUMENT", "API key expired. Please renew the API key.", info("API_KEY_INVALID")))
	err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 5 * time.Second})
	if !errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrKeyDenied) || KeyAdvice(err) != "" || Said(err) != "API key expired. Please renew the API key." {
		t.Errorf("400 API_KEY_INVALID: %v, advice %q, said %q; want ErrInvalidKey only, no advice, Google's words", err, KeyAdvice(err), Said(err))
	}
}

// TestKeyWords: what follows "Google refused the key" says what helps in each case Google
// answers, in one sentence the window and the terminal both use. A key reported as leaked
// or expired is never taken again, however it is pasted: make a new one, on Google AI
// Studio's API keys page (it was told "paste it again, copied whole"). A key that is not
// valid may have been cut when copied. A whole key refused for this use stays; a
// suspended project needs a key in another one.
func TestKeyWords(t *testing.T) {
	info := func(reason string) map[string]any {
		return map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}
	}
	const page = "Google AI Studio's API keys page (https://aistudio.google.com/apikey)"
	cases := []struct {
		name            string
		code            int
		status, message string
		info            []map[string]any
		want            string // what follows Google's words
		wantNot         string
	}{
		{"reported as leaked", 403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key.", nil,
			"A key reported as leaked is never taken again, so pasting it again cannot help: make a new one on " + page + ", then GIVE", "Copy"},
		{"expired", 400, "INVALID_ARGUMENT", "API key expired. Please renew the API key.", []map[string]any{info("API_KEY_INVALID")},
			"An expired key is never taken again, so pasting it again cannot help: make a new one on " + page + ", then GIVE", "Copy"},
		{"not valid", 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", []map[string]any{info("API_KEY_INVALID")},
			"Copy the key again, whole, from " + page + ", or make a new one there, then GIVE", "leaked"},
		{"unauthorized", 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", nil,
			"Copy the key again, whole, from " + page + ", or make a new one there, then GIVE", "leaked"},
		{"a 403 not known here", 403, "PERMISSION_DENIED", "The caller does not have permission", []map[string]any{info("SOMETHING_NEW")},
			"Copy the key again, whole, from " + page + ", or make a new one there, then GIVE", "need not change"},
		{"API not enabled", 403, "PERMISSION_DENIED", "Generative Language API has not been used in project 123 before or it is disabled.", []map[string]any{info("SERVICE_DISABLED")},
			"The key itself need not change: enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again", "GIVE"},
		{"project suspended", 403, "PERMISSION_DENIED", "Permission denied: Consumer 'api_key:[redacted]' has been suspended.", []map[string]any{info("CONSUMER_SUSPENDED")},
			"The key's Google Cloud project is suspended: ask Google why, or make a key in another project on " + page + ", then GIVE", "need not change"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeGemini(t, replyError(c.code, c.status, c.message, c.info...))
			err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 5 * time.Second})
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("CheckKey: %v, want a refused key", err)
			}
			got := KeyWords(err, strconv.Quote, "GIVE")
			if want := "Google said: " + strconv.Quote(c.message) + " " + c.want; got != want {
				t.Errorf("KeyWords =\n%s\nwant\n%s", got, want)
			}
			if strings.Contains(strings.TrimPrefix(got, "Google said: "+strconv.Quote(c.message)), c.wantNot) {
				t.Errorf("KeyWords %q says %q", got, c.wantNot)
			}
		})
	}
	// Not a refused key: Google's words only when there are any, no advice about the key.
	f := newFakeGemini(t, replyError(503, "UNAVAILABLE", "The model is overloaded."))
	err := CheckKey(context.Background(), GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Timeout: 5 * time.Second})
	if w := KeyWords(err, strconv.Quote, "GIVE"); w != "" {
		t.Errorf("KeyWords of a 503 = %q, want nothing", w)
	}
}
