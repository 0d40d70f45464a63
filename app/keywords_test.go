package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/testkit"
)

// TestTheWindowAndTheTerminalSayTheSame: for each answer Google gives about a key, Settings'
// Check and `concordia key check` say the same reason and the same way on (merge.KeyWords);
// only how a key is given differs (pasted here, or `concordia key set`). They drifted: the
// window said "Paste it again, copied whole, or make a new one", the terminal "To replace
// it, run concordia key set with a key copied whole", both for a key reported as leaked.
func TestTheWindowAndTheTerminalSayTheSame(t *testing.T) {
	const good = "AIza-good-key-0123456789"
	mode, _, url := fakeGoogle(t, good)
	cases := []struct {
		name, key, mode, said string
		want                  string // a part of the way on, in both
	}{
		{"not valid", "AIza-typo-0123456789-abc", "ok", "API key not valid. Please pass a valid API key.", "Copy the key again, whole"},
		{"reported as leaked", good, "leaked", testkit.GeminiKeyLeaked, "make a new one on Google AI Studio's API keys page (https://aistudio.google.com/apikey)"},
		{"API not enabled", good, "disabled", testkit.GeminiServiceDisabled, "The key itself need not change: enable the Generative Language API"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if err := f.keys.Set(secrets.Service, secrets.Account, c.key); err != nil {
				t.Fatal(err)
			}
			mode.Store(c.mode)
			window, err := f.app.CheckKey()
			if err != nil || window.Result != "refused" {
				t.Fatalf("CheckKey = %+v, %v", window, err)
			}
			getenv := func(k string) string {
				if k == merge.BaseURLEnv {
					return url
				}
				return ""
			}
			store := secrets.New(secrets.Options{Backend: f.keys, Getenv: getenv, ConfigDir: t.TempDir(), Timeout: time.Second})
			var stdout, stderr bytes.Buffer
			if code := keycmd.Run(context.Background(), []string{"check"}, strings.NewReader(""), &stdout, &stderr, store, getenv); code != 1 {
				t.Fatalf("key check: exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			terminal := stderr.String()

			// The reason, then Google's words: in both.
			for _, w := range []string{window.Text, terminal} {
				if !strings.Contains(w, "refused") || !strings.Contains(w, strings.TrimSuffix(c.said, ".")) {
					t.Errorf("%q lacks the refusal or Google's words %q", w, c.said)
				}
			}
			if wr, tr := between(window.Text, "Google ", ", so prompts"), between(terminal, "(CONCORDIA_GEMINI_BASE_URL) ", ". Google said"); wr != tr {
				t.Errorf("the reasons differ:\nwindow:   %s\nterminal: %s", wr, tr)
			}
			// The way on, after Google's words: the same but for how a key is given.
			wWay := strings.TrimSuffix(after(window.Text, strings.TrimSuffix(c.said, ".")+".” "), ".")
			wWay = strings.ReplaceAll(wWay, "paste it here", "GIVE") // givePasted
			tWay := strings.TrimSuffix(after(terminal, c.said+"\" "), "; until then parties merge prompts locally\n")
			tWay = strings.TrimSuffix(tWay, " (\"concordia key check\")")
			tWay = strings.ReplaceAll(tWay, "run \"concordia key set\" with it", "GIVE")
			if wWay != tWay || !strings.Contains(wWay, c.want) {
				t.Errorf("the ways on differ, or lack %q:\nwindow:   %s\nterminal: %s", c.want, wWay, tWay)
			}
		})
	}
}

// between is the part of s after the first from and before the next to; "" when absent.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	part, _, _ := strings.Cut(rest, to)
	return part
}
