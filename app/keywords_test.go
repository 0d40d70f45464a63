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

// TestKeyStatusSaysARefusalNotedOnDisk: a window started after Google refused the key (a
// `concordia key check`, or a party's merge, in another process) says so, with the date, in
// the words `concordia key status` uses; once Google accepts the key it stops saying it. The
// window showed nothing of the note, while the terminal and a new party went by it.
func TestKeyStatusSaysARefusalNotedOnDisk(t *testing.T) {
	const key = "AIza-good-key-0123456789"
	fakeGoogle(t, key)
	f := newFixture(t)
	if err := f.keys.Set(secrets.Service, secrets.Account, key); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.app.KeyStatus(); st.Refused != "" {
		t.Fatalf("before any refusal: Refused = %q", st.Refused)
	}
	// Another process noted the refusal (what `concordia key check` does).
	other := secrets.New(secrets.Options{Backend: f.keys, Getenv: func(string) string { return "" }, ConfigDir: f.configDir, Timeout: time.Second})
	at := time.Date(2026, 12, 6, 9, 41, 0, 0, time.Local)
	if err := other.MarkRefused(secrets.KeyID(key), at); err != nil {
		t.Fatal(err)
	}
	boot, err := f.app.Boot()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.app.KeyStatus()
	for _, got := range []string{boot.Key.Refused, st.Refused} {
		if !strings.Contains(got, "Google refused this key when it was last checked (2026-12-06 09:41)") || !strings.Contains(got, "paste a working key in Settings") {
			t.Errorf("Refused = %q; want the refusal, its date and what to do", got)
		}
	}
	// The terminal's words, but for how a key is given.
	var stdout, stderr bytes.Buffer
	if code := keycmd.Run(context.Background(), []string{"status"}, strings.NewReader(""), &stdout, &stderr, other, func(string) string { return "" }); code != 0 {
		t.Fatalf("key status: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	terminal := between(stdout.String(), "\n\n", ": run \"concordia key set\"")
	if window, _, _ := strings.Cut(st.Refused, ": paste"); terminal == "" || window != terminal {
		t.Errorf("the window and the terminal say it differently:\nwindow:   %s\nterminal: %s", st.Refused, stdout.String())
	}
	// Google accepts it at Settings' Check: the note goes, and the window stops saying it.
	if c, err := f.app.CheckKey(); err != nil || c.Result != "accepted" {
		t.Fatalf("CheckKey = %+v, %v", c, err)
	}
	if st, _ := f.app.KeyStatus(); st.Refused != "" {
		t.Errorf("after Google accepted the key: Refused = %q", st.Refused)
	}
}
