package merge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

func noKeyIn(t *testing.T, res Result, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Errorf("error contains the key: %v", err)
	}
	for _, n := range res.Notices {
		if strings.Contains(n.Text, testKey) {
			t.Errorf("notice contains the key: %q", n.Text)
		}
	}
	if strings.Contains(res.Text, testKey) {
		t.Errorf("merged text contains the key")
	}
}

func TestFallbackPerBatch(t *testing.T) {
	tests := []struct {
		name   string
		first  http.HandlerFunc
		notice string
	}{
		{"rate limited", replyError(429, "RESOURCE_EXHAUSTED", "quota"), "Gemini rate limited (429); merged locally"},
		{"server error", replyError(500, "INTERNAL", "boom"), "Gemini unavailable (500); merged locally"},
		{"overloaded", replyError(503, "UNAVAILABLE", "overloaded"), "Gemini unavailable (503); merged locally"},
		{"bad answer", replyText("{}"), "Gemini gave an unusable answer; merged locally"},
		{"unknown model", replyError(404, "NOT_FOUND", "no such model"), `Gemini rejected the request (404 NOT_FOUND: it knows no model "test-model"); merged locally`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGemini(t, tt.first, replyAnswer(goodAnswer()))
			// These fakes answer at once: a time-out is not what is tested (one of 50 ms, on
			// the first connection under a loaded CI run, read "Gemini timed out" and left
			// Gemini resting for the second batch).
			fb := NewFallback(f.gemini(t, func(c *GeminiConfig) { c.Timeout = 10 * time.Second }), NewLocal())

			res, err := fb.Merge(context.Background(), tabsBatch)
			if err != nil {
				t.Fatalf("first batch: %v", err)
			}
			noKeyIn(t, res, err)
			if res.Merger != wire.MergerLocal || res.Text != mergeLocal(tabsBatch) {
				t.Errorf("first batch merged by %q:\n%s", res.Merger, res.Text)
			}
			want := []Notice{{Kind: wire.KindSystem, Text: tt.notice}}
			if len(res.Notices) != 1 || res.Notices[0] != want[0] {
				t.Errorf("notices = %v, want %v", res.Notices, want)
			}
			if fb.Name() != wire.MergerGemini {
				t.Errorf("Name() = %q after a per-batch failure, want gemini", fb.Name())
			}

			res, err = fb.Merge(context.Background(), tabsBatch)
			if err != nil || res.Merger != wire.MergerGemini || len(res.Notices) != 0 {
				t.Fatalf("second batch: merger %q notices %v err %v; want Gemini again", res.Merger, res.Notices, err)
			}
			if n := f.calls.Load(); n != 2 {
				t.Errorf("%d calls, want 2", n)
			}
		})
	}
}

// A Gemini that hangs held every batch for the whole timeout, twice (a retry), batch after
// batch (a tester's: 40 s each): a time-out is not tried again in the batch, and Gemini is
// left alone for a minute, said once.
func TestFallbackRestsGeminiAfterATimeout(t *testing.T) {
	f := newFakeGemini(t, replyHang, replyAnswer(goodAnswer()))
	fb := NewFallback(f.gemini(t, func(c *GeminiConfig) { c.Timeout = 50 * time.Millisecond; c.Retries = 2 }), NewLocal())
	clock := time.Unix(1_000_000, 0)
	fb.now = func() time.Time { return clock }

	res, err := fb.Merge(context.Background(), tabsBatch)
	if err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("first batch: merger %q err %v", res.Merger, err)
	}
	if want := (Notice{Kind: wire.KindSystem, Text: "Gemini timed out; merging locally for a minute before trying it again"}); len(res.Notices) != 1 || res.Notices[0] != want {
		t.Errorf("notices = %v, want %v", res.Notices, want)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("%d calls for the batch that timed out, want 1 (no retry of a time-out)", n)
	}
	clock = clock.Add(geminiRest - time.Second)
	res, err = fb.Merge(context.Background(), tabsBatch)
	if err != nil || res.Merger != wire.MergerLocal || len(res.Notices) != 0 || f.calls.Load() != 1 {
		t.Fatalf("a batch in the rest: merger %q notices %v err %v, %d calls; want local, quietly, no call", res.Merger, res.Notices, err, f.calls.Load())
	}
	clock = clock.Add(2 * time.Second)
	res, err = fb.Merge(context.Background(), tabsBatch)
	if err != nil || res.Merger != wire.MergerGemini || f.calls.Load() != 2 {
		t.Fatalf("after the rest: merger %q err %v, %d calls; want Gemini again", res.Merger, err, f.calls.Load())
	}

	// A new key during a rest is tried at once, as its notice says (a reviewer's).
	g := newFakeGemini(t, replyHang, replyAnswer(goodAnswer()))
	fb = NewFallback(g.gemini(t, func(c *GeminiConfig) { c.Timeout = 50 * time.Millisecond }), NewLocal())
	fb.now = func() time.Time { return clock }
	if res, _ := fb.Merge(context.Background(), tabsBatch); res.Merger != wire.MergerLocal {
		t.Fatalf("the time-out: merger %q", res.Merger)
	}
	fb.SetGemini(g.gemini(t, nil))
	if res, err := fb.Merge(context.Background(), tabsBatch); err != nil || res.Merger != wire.MergerGemini {
		t.Fatalf("a new key in the rest: merger %q err %v; want Gemini", res.Merger, err)
	}
}

func TestFallbackInvalidKey(t *testing.T) {
	// Every member reads it: what happens, not how the host replaces the key (a tester's
	// participant read "it comes from GEMINI_API_KEY: set it…"); the host's own view adds
	// that (WithKeyHint).
	refused := "Gemini refused the host's API key; merging locally until the host replaces it"
	tests := []struct {
		name   string
		reply  http.HandlerFunc
		notice string
		// told: OnRefused hears of it (the host remembers the key as refused for its
		// next parties); not of a key refused for this use only, fixed on Google's side.
		told bool
	}{
		{"400 API_KEY_INVALID", replyError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
			map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}), refused, true},
		{"401", replyError(401, "UNAUTHENTICATED", "bad credentials"), refused, true},
		// Not a reason known to be Google's side: the key may be what is wrong.
		{"403 without a reason", replyError(403, "PERMISSION_DENIED", "key "+testKey+" suspended"), refused, true},
		{"403 reported as leaked", replyError(403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key."), refused, true},
		// A key Google knows, refused for this use: stopped alike, but the notice says what
		// to change on Google's side rather than "replace it".
		{"403 SERVICE_DISABLED", replyError(403, "PERMISSION_DENIED", "Generative Language API has not been used in project 123 before or it is disabled.",
			map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com"}),
			// Google's advice is the host's to follow, not every member's (WithKeyHint adds
			// it to the host's own view): a member read "enable the Generative Language
			// API…" about a project it cannot reach.
			"Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED); merging locally until the host fixes it", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := newFakeGemini(t, tt.reply)
			fb := NewFallback(bad.gemini(t, nil), nil)
			fb.SetKeyHint("it comes from GEMINI_API_KEY: set it to a working key, then resume the party")
			var told []string
			fb.OnRefused(func(id string) { told = append(told, id) })
			fb.SetRekey(func(context.Context, string) (*Gemini, string) { return nil, "key-1" }, "key-1", time.Hour)

			res, err := fb.Merge(context.Background(), tabsBatch)
			noKeyIn(t, res, err)
			if err != nil || res.Merger != wire.MergerLocal {
				t.Fatalf("merger %q err %v, want a local merge", res.Merger, err)
			}
			want := Notice{Kind: wire.KindError, Text: tt.notice}
			if len(res.Notices) != 1 || res.Notices[0] != want {
				t.Errorf("notices = %v, want %v", res.Notices, want)
			}
			if tt.told && (len(told) != 1 || told[0] != "key-1") || !tt.told && len(told) != 0 {
				t.Errorf("OnRefused told %q; want it told of key-1: %v", told, tt.told)
			}
			if fb.Name() != wire.MergerLocal {
				t.Errorf("Name() = %q after a refused key, want local", fb.Name())
			}

			// Stays local, silently, without calling Gemini.
			for range 2 {
				res, err = fb.Merge(context.Background(), tabsBatch)
				if err != nil || res.Merger != wire.MergerLocal || len(res.Notices) != 0 {
					t.Fatalf("later batch: merger %q notices %v err %v", res.Merger, res.Notices, err)
				}
			}
			if n := bad.calls.Load(); n != 1 {
				t.Errorf("%d calls with a refused key, want 1", n)
			}

			// A new key re-enables Gemini.
			good := newFakeGemini(t, replyAnswer(goodAnswer()))
			fb.SetGemini(good.gemini(t, nil))
			if fb.Name() != wire.MergerGemini {
				t.Errorf("Name() = %q after SetGemini, want gemini", fb.Name())
			}
			res, err = fb.Merge(context.Background(), tabsBatch)
			if err != nil || res.Merger != wire.MergerGemini {
				t.Fatalf("after SetGemini: merger %q err %v", res.Merger, err)
			}
		})
	}
}

// WithKeyHint adds where the host replaces a refused key to the party's event, for the
// host's own view alone; an event from before, which says it already, is left as it is.
func TestWithKeyHint(t *testing.T) {
	const hint = "concordia key set"
	denied := fmt.Sprintf(noticeKeyDenied, "403 PERMISSION_DENIED, SERVICE_DISABLED")
	enable := "enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again"
	// As a party journaled it before 2026-12-08: Google's advice in it, for every member.
	deniedBefore := "Gemini refused the host's API key for this use (403 PERMISSION_DENIED, SERVICE_DISABLED): " + enable + ". Merging locally for the rest of this party, or until the host replaces the key"
	cases := []struct {
		name, text, hint, want string
	}{
		{"refused", noticeKeyRefused, hint, noticeKeyRefused + " (concordia key set)"},
		{"refused for this use: Google's advice", denied, hint, denied + ": " + enable},
		{"refused for this use, in the window", denied, "in Settings", denied + ": " + enable},
		{"restricted to other APIs", fmt.Sprintf(noticeKeyDenied, "403 PERMISSION_DENIED, API_KEY_SERVICE_BLOCKED"), hint,
			fmt.Sprintf(noticeKeyDenied, "403 PERMISSION_DENIED, API_KEY_SERVICE_BLOCKED") + ": the key's API restrictions leave out the Generative Language API: add it to the key's allowed APIs in Google Cloud Console (APIs & Services, Credentials), then check again"},
		{"a reason not known here", fmt.Sprintf(noticeKeyDenied, "403 PERMISSION_DENIED, SOMETHING_NEW"), hint, fmt.Sprintf(noticeKeyDenied, "403 PERMISSION_DENIED, SOMETHING_NEW")},
		{"a member's view: no hint", noticeKeyRefused, "", noticeKeyRefused},
		{"a member's view of a denial: no advice", denied, "", denied},
		{"journaled with the hint before", noticeKeyRefused + " (it comes from GEMINI_API_KEY: set it to a working key, then resume the party)", hint,
			noticeKeyRefused + " (it comes from GEMINI_API_KEY: set it to a working key, then resume the party)"},
		{"denied, journaled with its advice before", deniedBefore, hint, deniedBefore + " (concordia key set)"},
		{"denied, journaled with its advice before, a member's view", deniedBefore, "", deniedBefore},
		{"denied, journaled with the hint before", deniedBefore + " (in Settings)", hint, deniedBefore + " (in Settings)"},
		{"another error", "claude stopped unexpectedly: until the host replaces it", hint, "claude stopped unexpectedly: until the host replaces it"},
	}
	for _, c := range cases {
		if got := WithKeyHint(c.text, c.hint); got != c.want {
			t.Errorf("%s: WithKeyHint = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestFallbackSinglePromptAndNoKey(t *testing.T) {
	f := newFakeGemini(t, replyAnswer(goodAnswer()))
	one := []wire.Prompt{{ID: "p1", User: "alice", Text: " exactly\nthis "}}
	tests := []struct {
		name     string
		fb       *Fallback
		prompts  []wire.Prompt
		wantName string
	}{
		{"single prompt with Gemini", NewFallback(f.gemini(t, nil), nil), one, wire.MergerGemini},
		{"no key", NewFallback(nil, nil), tabsBatch, wire.MergerLocal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.fb.Merge(context.Background(), tt.prompts)
			if err != nil || res.Merger != wire.MergerLocal || len(res.Notices) != 0 {
				t.Fatalf("merger %q notices %v err %v", res.Merger, res.Notices, err)
			}
			if res.Text != mergeLocal(tt.prompts) {
				t.Errorf("text %q", res.Text)
			}
			if tt.fb.Name() != tt.wantName {
				t.Errorf("Name() = %q, want %q", tt.fb.Name(), tt.wantName)
			}
		})
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("%d calls, want none", n)
	}
	if got := mergeLocal(one); got != one[0].Text {
		t.Errorf("single prompt not verbatim: %q", got)
	}
}

func TestFallbackCancelled(t *testing.T) {
	f := newFakeGemini(t, replyHang)
	fb := NewFallback(f.gemini(t, nil), nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := fb.Merge(ctx, tabsBatch)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if fb.Name() != wire.MergerGemini {
		t.Errorf("a cancelled merge turned Gemini off")
	}
}

// TestFallbackSetGeminiDuringCall: a key refused by the old client must not
// turn off the new one that replaced it while the call ran.
func TestFallbackSetGeminiDuringCall(t *testing.T) {
	release := make(chan struct{})
	bad := newFakeGemini(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		replyError(401, "UNAUTHENTICATED", "no")(w, r)
	})
	good := newFakeGemini(t, replyAnswer(goodAnswer()))
	fb := NewFallback(bad.gemini(t, nil), nil)
	done := make(chan Result)
	go func() {
		res, _ := fb.Merge(context.Background(), tabsBatch)
		done <- res
	}()
	for bad.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	fb.SetGemini(good.gemini(t, nil))
	close(release)
	if res := <-done; res.Merger != wire.MergerLocal {
		t.Errorf("refused batch merged by %q", res.Merger)
	}
	if fb.Name() != wire.MergerGemini {
		t.Errorf("Name() = %q: the old client's refusal turned off the new one", fb.Name())
	}
}

func TestFallbackConcurrent(t *testing.T) {
	f := newFakeGemini(t, replyAnswer(goodAnswer()))
	fb := NewFallback(f.gemini(t, nil), nil)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if i%3 == 0 {
				fb.SetGemini(f.gemini(t, nil))
			}
			if _, err := fb.Merge(context.Background(), tabsBatch); err != nil {
				t.Errorf("Merge: %v", err)
			}
			_ = fb.Name()
		})
	}
	wg.Wait()
}

// Why Gemini was not used is logged in full (a tester's --verbose log had no word of
// why the answer was unusable), the key never.
func TestFallbackLogsWhyGeminiFailed(t *testing.T) {
	f := newFakeGemini(t, withAnswer(func(a map[string]any) { a["requests"] = a["requests"].([]any)[:2] }))
	fb := NewFallback(f.gemini(t, nil), NewLocal())
	var buf bytes.Buffer
	fb.SetLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	if _, err := fb.Merge(context.Background(), tabsBatch); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "gemini merge failed; merging locally") || !strings.Contains(got, "in no request") || strings.Contains(got, testKey) {
		t.Errorf("the log:\n%s", got)
	}
}
