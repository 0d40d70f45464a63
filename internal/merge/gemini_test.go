package merge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

const (
	testKey   = "AIzaTEST-key_0123456789abcdefghijklmno"
	testModel = "test-model"
)

// fakeGemini is an httptest Gemini API: it records every request and answers
// with the next scripted reply (the last one repeats).
type fakeGemini struct {
	srv     *httptest.Server
	calls   atomic.Int32
	mu      sync.Mutex
	replies []http.HandlerFunc
	seen    []*http.Request
	bodies  [][]byte
}

func newFakeGemini(t *testing.T, replies ...http.HandlerFunc) *fakeGemini {
	t.Helper()
	f := &fakeGemini{replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(f.calls.Add(1)) - 1
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.seen = append(f.seen, r.Clone(context.Background()))
		f.bodies = append(f.bodies, body)
		reply := f.replies[min(n, len(f.replies)-1)]
		f.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGemini) gemini(t *testing.T, mod func(*GeminiConfig)) *Gemini {
	t.Helper()
	cfg := GeminiConfig{APIKey: testKey, Model: testModel, BaseURL: f.srv.URL, Retries: -1, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	g, err := NewGemini(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewGemini: %v", err)
	}
	g.backoff = time.Millisecond // keep retries fast in tests
	return g
}

// replyText answers 200 with text as the model's output.
func replyText(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		env := map[string]any{
			"candidates": []any{map[string]any{
				"content":      map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}},
				"finishReason": "STOP",
				"index":        0,
			}},
			"modelVersion": testModel,
		}
		_ = json.NewEncoder(w).Encode(env)
	}
}

// replyAnswer answers 200 with a structured answer.
func replyAnswer(a map[string]any) http.HandlerFunc {
	b, _ := json.Marshal(a)
	return replyText(string(b))
}

// replyError answers like Google's API errors do.
func replyError(code int, status, message string, details ...map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		e := map[string]any{"code": code, "message": message, "status": status}
		if len(details) > 0 {
			e["details"] = details
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
	}
}

// replyHang waits until the client gives up.
func replyHang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

var tabsBatch = []wire.Prompt{
	{ID: "p1", User: "alice", Text: "use tabs for indentation"},
	{ID: "p2", User: "bob", Text: "fix the README typo"},
	{ID: "p3", User: "carol", Text: "Use TABS for indentation!"},
	{ID: "p4", User: "dave", Text: "indent with 4 spaces"},
}

func goodAnswer() map[string]any {
	return map[string]any{
		"merged_prompt": "Fix the README typo. Indentation: alice and carol want tabs, dave wants 4 spaces; ask the team before changing it.",
		"requests": []any{
			map[string]any{"summary": "fix the README typo", "authors": []string{"bob"}, "prompt_ids": []string{"p2"}},
			map[string]any{"summary": "indent with tabs", "authors": []string{"carol", "alice"}, "prompt_ids": []string{"p1", "p3"}},
			map[string]any{"summary": "indent with 4 spaces", "authors": []string{"dave"}, "prompt_ids": []string{"p4"}},
		},
		"conflicts": []any{
			map[string]any{"description": "tabs versus\n4 spaces", "authors": []string{"alice", "carol", "dave"}, "prompt_ids": []string{"p1", "p3", "p4"}},
		},
	}
}

func TestGeminiSuccess(t *testing.T) {
	f := newFakeGemini(t, replyAnswer(goodAnswer()))
	res, err := f.gemini(t, nil).Merge(context.Background(), tabsBatch)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	want := "Fix the README typo. Indentation: alice and carol want tabs, dave wants 4 spaces; ask the team before changing it.\n\n" +
		"Who asked for what:\n" +
		"1. indent with tabs (asked by alice, carol)\n" +
		"2. fix the README typo (asked by bob)\n" +
		"3. indent with 4 spaces (asked by dave)\n\n" +
		"Conflicting requests (do not pick one; say so and ask the team):\n" +
		"- tabs versus 4 spaces (alice, carol, dave)\n\n" +
		"Each request as its author wrote it (the text above is merged from these; do each thing once, and where the two differ, follow these):\n" +
		"alice:\n   > use tabs for indentation\n" +
		"bob:\n   > fix the README typo\n" +
		"carol:\n   > Use TABS for indentation!\n" +
		"dave:\n   > indent with 4 spaces"
	if res.Text != want {
		t.Errorf("text:\n%s\n\nwant:\n%s", res.Text, want)
	}
	if res.Merger != wire.MergerGemini || len(res.Notices) != 0 {
		t.Errorf("merger %q notices %v", res.Merger, res.Notices)
	}

	// The request: the right endpoint, the key in its header and nowhere else,
	// the prompts as JSON data in the user content, the instructions apart.
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	r, body := f.seen[0], f.bodies[0]
	if r.Method != http.MethodPost || r.URL.Path != "/v1beta/models/"+testModel+":generateContent" {
		t.Errorf("request %s %s", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("x-goog-api-key"); got != testKey {
		t.Errorf("x-goog-api-key = %q", got)
	}
	if strings.Contains(r.URL.String(), testKey) || strings.Contains(r.URL.RawQuery, "key") {
		t.Errorf("key in URL %q", r.URL.String())
	}
	var req struct {
		Contents []struct {
			Role  string `json:"role"`
			Parts []struct {
				Text string `json:"text"`
			} `json:"parts"`
		} `json:"contents"`
		SystemInstruction struct {
			Parts []struct {
				Text string `json:"text"`
			} `json:"parts"`
		} `json:"systemInstruction"`
		GenerationConfig struct {
			ResponseMIMEType string          `json:"responseMimeType"`
			ResponseSchema   json.RawMessage `json:"responseSchema"`
		} `json:"generationConfig"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("request body: %v\n%s", err, body)
	}
	if len(req.Contents) != 1 || req.Contents[0].Role != "user" || len(req.Contents[0].Parts) != 1 {
		t.Fatalf("contents: %s", body)
	}
	var data []promptDatum
	if err := json.Unmarshal([]byte(req.Contents[0].Parts[0].Text), &data); err != nil {
		t.Fatalf("user content is not the prompts as JSON: %v", err)
	}
	for i, p := range tabsBatch {
		if data[i] != (promptDatum{ID: p.ID, User: p.User, Text: p.Text}) {
			t.Errorf("prompt %d sent as %+v, want %+v", i, data[i], p)
		}
	}
	if len(req.SystemInstruction.Parts) != 1 || req.SystemInstruction.Parts[0].Text != geminiInstruction {
		t.Errorf("system instruction: %+v", req.SystemInstruction)
	}
	for _, p := range tabsBatch {
		if strings.Contains(req.SystemInstruction.Parts[0].Text, p.Text) {
			t.Errorf("prompt text %q spliced into the instructions", p.Text)
		}
	}
	if req.GenerationConfig.ResponseMIMEType != "application/json" {
		t.Errorf("responseMimeType = %q", req.GenerationConfig.ResponseMIMEType)
	}
	for _, field := range []string{"merged_prompt", "prompt_ids", "conflicts", "authors"} {
		if !strings.Contains(string(req.GenerationConfig.ResponseSchema), field) {
			t.Errorf("responseSchema lacks %q: %s", field, req.GenerationConfig.ResponseSchema)
		}
	}
}

func TestGeminiFencedAnswer(t *testing.T) {
	b, _ := json.Marshal(goodAnswer())
	f := newFakeGemini(t, replyText("```json\n"+string(b)+"\n```"))
	res, err := f.gemini(t, nil).Merge(context.Background(), tabsBatch)
	if err != nil || res.Merger != wire.MergerGemini {
		t.Fatalf("got %v, %v", res.Merger, err)
	}
}

func TestGeminiSinglePromptNoCall(t *testing.T) {
	f := newFakeGemini(t, replyAnswer(goodAnswer()))
	text := "  keep\r\nthis exactly "
	res, err := f.gemini(t, nil).Merge(context.Background(), []wire.Prompt{{ID: "p1", User: "alice", Text: text}})
	if err != nil || res.Text != text || res.Merger != wire.MergerLocal {
		t.Fatalf("got %q %q %v", res.Text, res.Merger, err)
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("%d calls for one prompt, want 0", n)
	}
}

func withAnswer(mod func(a map[string]any)) http.HandlerFunc {
	a := goodAnswer()
	mod(a)
	return replyAnswer(a)
}

func TestGeminiErrors(t *testing.T) {
	keyInfo := map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}
	tests := []struct {
		name       string
		reply      http.HandlerFunc
		want       error
		wantReason string
	}{
		{"malformed JSON", replyText(`{"merged_prompt": "x", "requests": [`), ErrBadAnswer, "gave an unusable answer"},
		{"not JSON at all", replyText("Sure! Here is the merged prompt: do everything."), ErrBadAnswer, "gave an unusable answer"},
		{"missing field", withAnswer(func(a map[string]any) { delete(a, "conflicts") }), ErrBadAnswer, "gave an unusable answer"},
		{"schema violation", withAnswer(func(a map[string]any) {
			a["requests"] = []any{map[string]any{"summary": 7, "authors": []string{"bob"}, "prompt_ids": []string{"p2"}}}
		}), ErrBadAnswer, "gave an unusable answer"},
		{"empty merged prompt", withAnswer(func(a map[string]any) { a["merged_prompt"] = "  " }), ErrBadAnswer, "gave an unusable answer"},
		// A tester's fake Gemini made 2 MB of three short prompts; it went to the agent whole.
		{"runaway merged prompt", withAnswer(func(a map[string]any) { a["merged_prompt"] = strings.Repeat("do it. ", 600) }), ErrBadAnswer, "gave an unusable answer"},
		{"runaway summary", withAnswer(func(a map[string]any) {
			a["requests"].([]any)[0].(map[string]any)["summary"] = strings.Repeat("fix it. ", 600)
		}), ErrBadAnswer, "gave an unusable answer"},
		{"prompt missing", withAnswer(func(a map[string]any) { a["requests"] = a["requests"].([]any)[:2] }), ErrBadAnswer, "gave an unusable answer"},
		{"unknown prompt id", withAnswer(func(a map[string]any) {
			a["requests"] = append(a["requests"].([]any), map[string]any{"summary": "x", "authors": []string{"eve"}, "prompt_ids": []string{"p9"}})
		}), ErrBadAnswer, "gave an unusable answer"},
		{"wrong author", withAnswer(func(a map[string]any) {
			a["requests"].([]any)[0].(map[string]any)["authors"] = []string{"mallory"}
		}), ErrBadAnswer, "gave an unusable answer"},
		{"author missing", withAnswer(func(a map[string]any) {
			a["requests"].([]any)[1].(map[string]any)["authors"] = []string{"alice"}
		}), ErrBadAnswer, "gave an unusable answer"},
		{"conflict with unknown id", withAnswer(func(a map[string]any) {
			a["conflicts"].([]any)[0].(map[string]any)["prompt_ids"] = []string{"p1", "zz"}
		}), ErrBadAnswer, "gave an unusable answer"},
		{"no candidates", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"promptFeedback": {"blockReason": "SAFETY"}}`)
		}, ErrBadAnswer, "gave an unusable answer"},
		{"envelope not JSON", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<html>proxy error</html>")
		}, ErrBadAnswer, "gave an unusable answer"},
		{"400 invalid key", replyError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", keyInfo), ErrInvalidKey, "refused the API key (400 INVALID_ARGUMENT)"},
		{"400 key echoed by the server", replyError(400, "INVALID_ARGUMENT", "API key "+testKey+" not valid", keyInfo), ErrInvalidKey, "refused the API key (400 INVALID_ARGUMENT)"},
		{"401", replyError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), ErrInvalidKey, "refused the API key (401 UNAUTHENTICATED)"},
		{"403 permission denied", replyError(403, "PERMISSION_DENIED", "Permission denied: Consumer 'api_key:"+testKey+"' has been suspended."), ErrInvalidKey, "refused the API key (403 PERMISSION_DENIED)"},
		{"429", replyError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."), ErrTransient, "rate limited (429)"},
		{"500", replyError(500, "INTERNAL", "An internal error has occurred."), ErrTransient, "unavailable (500)"},
		{"503", replyError(503, "UNAVAILABLE", "The model is overloaded."), ErrTransient, "unavailable (503)"},
		{"404 unknown model", replyError(404, "NOT_FOUND", "models/test-model is not found for API version v1beta"), ErrRejected, `rejected the request (404 NOT_FOUND: it knows no model "test-model")`},
		{"400 other", replyError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."), ErrRejected, "rejected the request (400 INVALID_ARGUMENT)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGemini(t, tt.reply)
			_, err := f.gemini(t, nil).Merge(context.Background(), tabsBatch)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for _, other := range []error{ErrInvalidKey, ErrKeyDenied, ErrTransient, ErrBadAnswer, ErrRejected} {
				if other != tt.want && errors.Is(err, other) && (tt.want != ErrKeyDenied || other != ErrInvalidKey) {
					t.Errorf("err is also %v", other)
				}
			}
			if got := reasonOf(err); got != tt.wantReason {
				t.Errorf("reason = %q, want %q", got, tt.wantReason)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error text contains the key: %v", err)
			}
			if n := f.calls.Load(); n != 1 {
				t.Errorf("%d calls with retries off, want 1", n)
			}
		})
	}
}

func TestGeminiTimeout(t *testing.T) {
	f := newFakeGemini(t, replyHang)
	g := f.gemini(t, func(c *GeminiConfig) { c.Timeout = 50 * time.Millisecond })
	_, err := g.Merge(context.Background(), tabsBatch)
	if !errors.Is(err, ErrTransient) || reasonOf(err) != "timed out" {
		t.Fatalf("err = %v (reason %q), want a transient time-out", err, reasonOf(err))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a per-attempt time-out must not read as the caller's deadline: %v", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error text contains the key: %v", err)
	}
}

func TestGeminiCallerCancels(t *testing.T) {
	f := newFakeGemini(t, replyHang)
	g := f.gemini(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := g.Merge(ctx, tabsBatch)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrTransient) {
		t.Errorf("a cancelled merge must not read as a Gemini failure")
	}
}

func TestGeminiUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	g, err := NewGemini(context.Background(), GeminiConfig{APIKey: testKey, BaseURL: "http://" + addr, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Merge(context.Background(), tabsBatch)
	want := "unreachable (connection refused)"
	if runtime.GOOS == "windows" { // WSAECONNREFUSED is not syscall.ECONNREFUSED: no cause there
		want = "unreachable"
	}
	if !errors.Is(err, ErrTransient) || reasonOf(err) != want {
		t.Fatalf("err = %v (reason %q), want transient unreachable", err, reasonOf(err))
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error text contains the key: %v", err)
	}
}

func TestGeminiRetries(t *testing.T) {
	retryInfo := func(d string) map[string]any {
		return map[string]any{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": d}
	}
	tests := []struct {
		name      string
		retries   int
		replies   []http.HandlerFunc
		wantErr   error
		wantCalls int32
	}{
		{"500 then success", 1, []http.HandlerFunc{replyError(500, "INTERNAL", "boom"), replyAnswer(goodAnswer())}, nil, 2},
		{"default retries once", 0, []http.HandlerFunc{replyError(503, "UNAVAILABLE", "busy")}, ErrTransient, 2},
		{"two retries", 2, []http.HandlerFunc{replyError(503, "UNAVAILABLE", "busy")}, ErrTransient, 3},
		{"429 with a short retry delay", 1, []http.HandlerFunc{replyError(429, "RESOURCE_EXHAUSTED", "slow down", retryInfo("0.01s")), replyAnswer(goodAnswer())}, nil, 2},
		{"429 asking for a minute is not retried", 1, []http.HandlerFunc{replyError(429, "RESOURCE_EXHAUSTED", "quota", retryInfo("60s"))}, ErrTransient, 1},
		{"bad answer is not retried", 1, []http.HandlerFunc{replyText("nope")}, ErrBadAnswer, 1},
		{"invalid key is not retried", 1, []http.HandlerFunc{replyError(401, "UNAUTHENTICATED", "no")}, ErrInvalidKey, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGemini(t, tt.replies...)
			g := f.gemini(t, func(c *GeminiConfig) { c.Retries = tt.retries })
			_, err := g.Merge(context.Background(), tabsBatch)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if n := f.calls.Load(); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestNewGeminiNeedsKey(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "from-env-must-not-be-used")
	t.Setenv("GOOGLE_API_KEY", "from-env-must-not-be-used")
	for _, key := range []string{"", "   "} {
		if _, err := NewGemini(context.Background(), GeminiConfig{APIKey: key}); err == nil {
			t.Errorf("NewGemini(%q) succeeded; an empty key must not fall back to the environment", key)
		}
	}
}

func TestNewGeminiIgnoresEnvironment(t *testing.T) {
	// With the SDK's environment overrides set, requests must still go to the
	// configured server with the configured key.
	f := newFakeGemini(t, replyAnswer(goodAnswer()))
	t.Setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:1")
	t.Setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
	t.Setenv("GEMINI_API_KEY", "other-key")
	if _, err := f.gemini(t, nil).Merge(context.Background(), tabsBatch); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	if got := f.seen[0].Header.Get("x-goog-api-key"); got != testKey {
		t.Errorf("key sent = %q", got)
	}
}

func TestRedact(t *testing.T) {
	long := strings.Repeat("é", maxDetail)
	tests := []struct {
		name, in, key, want string
	}{
		{"key removed", "config {APIKey:" + testKey + "}", testKey, "config {APIKey:[redacted]}"},
		{"every occurrence", testKey + " " + testKey, testKey, "[redacted] [redacted]"},
		{"no key", "plain", "", "plain"},
		{"bounded on a rune boundary", long, "", long[:maxDetail] + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact(tt.in, tt.key); got != tt.want {
				t.Errorf("redact = %q, want %q", got, tt.want)
			}
		})
	}
}

func ExampleFallback() {
	// No key: the local merger does the work.
	f := NewFallback(nil, NewLocal())
	res, _ := f.Merge(context.Background(), []wire.Prompt{
		{ID: "1", User: "alice", Text: "add a --verbose flag"},
		{ID: "2", User: "bob", Text: "Add a --verbose flag!"},
	})
	fmt.Println(f.Name(), res.Merger)
	fmt.Println(strings.SplitN(res.Text, "\n\n", 2)[1])
	// Output:
	// local local
	// 1. Asked by alice, bob:
	//    > add a --verbose flag
}

func TestGeminiConcurrent(t *testing.T) {
	f := newFakeGemini(t, replyAnswer(goodAnswer()))
	g := f.gemini(t, nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if res, err := g.Merge(context.Background(), tabsBatch); err != nil || res.Merger != wire.MergerGemini {
				t.Errorf("Merge: %q %v", res.Merger, err)
			}
		})
	}
	wg.Wait()
}

// A merge that leaves a request out of its text still lists the prompt (ids are all the
// checks can see): a tester's fake Gemini left bob's request out, and everyone was told
// it was sent. Every prompt goes to the agent as written after the merged text.
func TestGeminiMergeCarriesEveryPromptAsWritten(t *testing.T) {
	f := newFakeGemini(t, withAnswer(func(a map[string]any) {
		a["merged_prompt"] = "Indent with tabs." // bob's typo fix, dave's spaces: gone
		a["conflicts"] = []any{}
	}))
	res, err := f.gemini(t, nil).Merge(context.Background(), tabsBatch)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	_, originals, ok := strings.Cut(res.Text, originalsHeader)
	if !ok {
		t.Fatalf("no prompts as written in:\n%s", res.Text)
	}
	for _, p := range tabsBatch {
		if !strings.Contains(originals, p.User+":\n   > "+p.Text) {
			t.Errorf("%s's prompt %q is not in what the agent gets:\n%s", p.User, p.Text, res.Text)
		}
	}
}
