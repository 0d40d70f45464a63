package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/concordia-party/concordia/internal/testkit"
)

// fakeGemini answers generateContent like the Gemini API: a structured merge, or the
// failure the test selects (mode is changed between batches).
type fakeGemini struct {
	srv   *httptest.Server
	mu    sync.Mutex
	mode  string // ok | 429 | 500 | badkey
	calls int
	keys  []string
	urls  []string
}

func newFakeGemini(t *testing.T) *fakeGemini {
	f := &fakeGemini{mode: "ok"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGemini) setMode(m string) {
	f.mu.Lock()
	f.mode = m
	f.mu.Unlock()
}

func (f *fakeGemini) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeGemini) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	f.keys = append(f.keys, r.Header.Get("x-goog-api-key"))
	f.urls = append(f.urls, r.URL.String())
	mode := f.mode
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch mode {
	case "429":
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}`)
		return
	case "500":
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"code":500,"message":"internal","status":"INTERNAL"}}`)
		return
	case "badkey":
		testkit.WriteGeminiKeyRefused(w)
		return
	}
	if r.Method == http.MethodGet { // models.get: `concordia key check`
		io.WriteString(w, `{"name":"models/gemini-flash-latest","displayName":"Gemini Flash"}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	testkit.WriteGeminiMerge(w, body, "GEMINI-MERGED: do all of it")
}

// TestKeyCheck: `concordia key check` asks Google (here the fake) about the key and says
// what it answered; a refused key exits 1 with the way out, and the key is never shown.
func TestKeyCheck(t *testing.T) {
	const key = "AIzaSy-KEYCHECK-0a1b2c3d4e5f6a7b8c9d0e1f2a3"
	gem := newFakeGemini(t)
	env := []string{"GEMINI_API_KEY=" + key, "CONCORDIA_GEMINI_BASE_URL=" + gem.srv.URL}
	ok := start(t, env, "key", "check")
	if code := ok.wait(); code != 0 || !strings.Contains(ok.stdout(), "accepted the key") {
		t.Fatalf("a good key: exit %d\n%s\n%s", code, ok.stdout(), ok.stderr())
	}
	gem.setMode("badkey")
	bad := start(t, env, "key", "check")
	if code := bad.wait(); code != 1 || !strings.Contains(bad.stderr(), "refused the API key (400 INVALID_ARGUMENT). Google said: \"API key not valid. Please pass a valid API key.\" Copy the key again, whole, from Google AI Studio's API keys page (https://aistudio.google.com/apikey), or make a new one there, then set GEMINI_API_KEY to it") {
		t.Fatalf("a refused key: exit %d\n%s\n%s", code, bad.stdout(), bad.stderr())
	}
	for _, p := range []*proc{ok, bad} {
		if strings.Contains(p.stdout()+p.stderr(), key[:12]) {
			t.Fatalf("the key was shown:\n%s%s", p.stdout(), p.stderr())
		}
	}
	gem.mu.Lock()
	defer gem.mu.Unlock()
	if len(gem.urls) != 2 || gem.urls[0] != "/v1beta/models/gemini-flash-latest" || gem.keys[0] != key {
		t.Fatalf("requests %v", gem.urls)
	}
}

// TestGeminiThroughAPartyAndTheKeyNeverLeaks runs a whole party on Gemini through good,
// rate-limited, failing and refused answers, then searches every output of the run for
// the key: host stdout/stderr (verbose logs on), participant output, the transcript and
// every file in the data directory, what reached the agent and its arguments.
func TestGeminiThroughAPartyAndTheKeyNeverLeaks(t *testing.T) {
	const key = "AIzaSy-LEAKCHECK-7f3c9e1d2b4a6c8e0f1a3b5c7d9e"
	gem := newFakeGemini(t)
	dataDir := t.TempDir()
	agentLog := filepath.Join(t.TempDir(), "claude.log")
	env := []string{"GEMINI_API_KEY=" + key, "CONCORDIA_GEMINI_BASE_URL=" + gem.srv.URL, "FAKECLAUDE_LOG=" + agentLog}
	args := []string{"host", "--listen", "127.0.0.1:0", "--claude", fakeClaudePath(t), "--data-dir", dataDir,
		"--workdir", t.TempDir(), "--window", "300ms", "--name", "hosty", "--no-local-repl", "--verbose", "--merge", "auto"}
	h := start(t, env, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	h.expect(`merging with Gemini at http://127\.0\.0\.1:\d+ \(CONCORDIA_GEMINI_BASE_URL\) \(.*; key from GEMINI_API_KEY\)`)
	a := start(t, nil, "join", inv, "--name", "ann")
	b := start(t, nil, "join", inv, "--name", "ben")
	b.expect(`^\[party\] joined`)
	// Where a prompt goes, said at the join (a tester's joiners learnt it from the first batch).
	b.expect(`^\[system\] prompts that arrive together are merged by Gemini, with the host's API key: their text goes to the Gemini API before it reaches claude$`)

	round := func(tag string) {
		t.Helper()
		a.send("ann wants " + tag)
		b.send("ben wants " + tag)
		a.expect(`^\[system\] sending 2 prompts to claude, merged \((gemini|local)\):$`)
	}

	// 1. Gemini answers: the batch is merged by Gemini.
	round("one")
	a.expect(`GEMINI-MERGED: do all of it`)
	a.expect(`^\[system\] claude finished`)
	// 2. Rate limited (the retry is rate limited too): merged locally, said so.
	gem.setMode("429")
	round("two")
	a.expect(`^\[system\] Gemini rate limited \(429\); merged locally$`)
	waitLines(t, a, `^\[system\] claude finished`, 2)
	// 3. Gemini is back: the next batch uses it again.
	gem.setMode("ok")
	round("three")
	waitLines(t, a, `^\[system\] sending 2 prompts to claude, merged \(gemini\):$`, 2)
	waitLines(t, a, `^\[system\] claude finished`, 3)
	// 4. 500: merged locally.
	gem.setMode("500")
	round("four")
	a.expect(`^\[system\] Gemini unavailable \(500\); merged locally$`)
	waitLines(t, a, `^\[system\] claude finished`, 4)
	// 5. The key is refused: an error says so, and Gemini stays off (no more calls).
	gem.setMode("badkey")
	round("five")
	// A member reads what happens; the host's own terminal alone how to replace the key (a
	// tester's participant read "it comes from GEMINI_API_KEY: set it…").
	a.expect(`^\[error\] Gemini refused the host's API key; merging locally until the host replaces it$`)
	h.expect(`^\[error\] Gemini refused the host's API key; merging locally until the host replaces it \(it comes from GEMINI_API_KEY: set it to a working key, then resume the party\)$`)
	waitLines(t, a, `^\[system\] claude finished`, 5)
	calls := gem.count()
	gem.setMode("ok")
	round("six")
	waitLines(t, a, `^\[system\] claude finished`, 6)
	if gem.count() != calls {
		t.Fatalf("Gemini was called again after refusing the key (%d → %d calls)", calls, gem.count())
	}
	a.send("/quit")
	b.send("/quit")
	a.wait()
	b.wait()
	h.cmd.Process.Signal(os.Interrupt)
	if code := h.wait(); code != 0 {
		t.Fatalf("host exit %d", code)
	}

	// The key went only where it belongs: the x-goog-api-key header, never the URL.
	gem.mu.Lock()
	for i, k := range gem.keys {
		if k != key || strings.Contains(gem.urls[i], key) {
			t.Errorf("call %d: header key %q, url %q", i, k, gem.urls[i])
		}
	}
	gem.mu.Unlock()

	// Now grep every output of the run.
	outputs := map[string]string{
		"host stdout": h.stdout(), "host stderr": h.stderr(),
		"ann stdout": a.stdout(), "ann stderr": a.stderr(),
		"ben stdout": b.stdout(), "ben stderr": b.stderr(),
	}
	filepath.Walk(dataDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			raw, _ := os.ReadFile(path)
			outputs[path] = string(raw)
		}
		return nil
	})
	raw, _ := os.ReadFile(agentLog)
	outputs["agent log (prompts and args)"] = string(raw)
	sawTranscript := false
	for name, text := range outputs {
		if strings.Contains(name, filepath.Join("parties", "")) && strings.HasSuffix(name, ".jsonl") { // the party journal
			sawTranscript = strings.Contains(text, "GEMINI-MERGED")
		}
		for _, frag := range []string{key, key[8:24]} {
			if strings.Contains(text, frag) {
				t.Errorf("the key (or part of it) leaked into %s", name)
			}
		}
	}
	if !sawTranscript {
		t.Error("no transcript with the run's events was found in the data directory")
	}
	if !strings.Contains(h.stderr(), "level=") {
		t.Error("--verbose produced no logs, so the log check proved nothing")
	}
}

// waitLines waits until re matches at least n stdout lines.
func waitLines(t *testing.T, p *proc, re string, n int) {
	t.Helper()
	for i := 0; i < 300; i++ {
		p.mu.Lock()
		c := 0
		for _, l := range p.out {
			if matched(re, l) {
				c++
			}
		}
		p.mu.Unlock()
		if c >= n {
			return
		}
		select {
		case <-p.wake:
		case <-p.done:
		case <-timeAfter100ms():
		}
	}
	t.Fatalf("fewer than %d lines match %q:\n%s", n, re, p.stdout())
}

// TestKeyStatusWithoutAKeyringService: on a session bus with no Secret Service (a desktop
// without GNOME Keyring or KWallet) the keyring's reason is said in plain words; the window
// and the terminal showed D-Bus's ("The name org.freedesktop.secrets was not provided by
// any .service files"). A private bus whose configuration starts no services stands in.
func TestKeyStatusWithoutAKeyringService(t *testing.T) {
	if _, err := exec.LookPath("dbus-run-session"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dbus-run-session is not installed (scripts/setup.sh installs dbus)")
		}
		t.Skip("dbus-run-session is not installed")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=`+dir+`</listen>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-run-session", "--config-file="+conf, "--", binary, "key", "status")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "GEMINI_API_KEY=")
	out, _ := cmd.Output() // stdout: the bus says things of its own on stderr
	if !strings.Contains(string(out), "OS keyring:     unavailable: no keyring service (such as GNOME Keyring or KWallet) is running in this session") ||
		strings.Contains(string(out), "org.freedesktop") {
		t.Fatalf("key status on a bus without a keyring:\n%s", out)
	}
}
