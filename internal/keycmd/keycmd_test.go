package keycmd_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
)

func TestMain(m *testing.M) {
	// Nothing here may reach a real keyring; if something tried, it would fail at once.
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	os.Exit(m.Run())
}

const (
	testKey   = "AIzaSyKEYCMD-0123456789abcdefghijklmno"
	storedKey = "AIzaSySTORED-9876543210zyxwvutsrqponm"
	envKey    = "AIzaSyENV-aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	legacyKey = "AIzaSyLEGACY-bbbbbbbbbbbbbbbbbbbbbbbbb"
)

var allKeys = []string{testKey, storedKey, envKey, legacyKey}

// down plays an unreachable Secret Service.
var down = errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files")

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		env      string // GEMINI_API_KEY
		stored   string // in the keyring before
		down     bool
		legacy   string // legacy .env content; "" = none
		wantCode int
		wantOut  []string // substrings of stdout
		wantErr  []string // substrings of stderr
		noErr    []string // substrings stderr must not hold
		wantRing string   // keyring afterwards
		wantFile string   // legacy file afterwards: "GONE", "SAME", or content
	}{
		{name: "no action", wantCode: 2, wantErr: []string{"missing action", "Usage: concordia key"}},
		{name: "help", args: []string{"--help"}, wantCode: 0, wantOut: []string{"Usage: concordia key <action>", "set", "status", "delete", "GEMINI_API_KEY"}},
		{name: "-h", args: []string{"-h"}, wantCode: 0, wantOut: []string{"Usage: concordia key <action>"}},
		{name: "help word", args: []string{"help"}, wantCode: 0, wantOut: []string{"Usage: concordia key <action>"}},
		{name: "set help", args: []string{"set", "--help"}, wantCode: 0, wantOut: []string{"Usage: concordia key set", "never taken from the command line"}},
		{name: "status help", args: []string{"status", "-h"}, wantCode: 0, wantOut: []string{"Usage: concordia key status"}},
		{name: "delete help", args: []string{"delete", "-help"}, wantCode: 0, wantOut: []string{"Usage: concordia key delete"}},
		// What was given is named, as other commands' errors do (a tester's "concordia key
		// bogus" was not), unless it may be a key.
		{name: "unknown action", args: []string{"bogus"}, wantCode: 2, wantErr: []string{`unknown action (want set, status, check or delete); got "bogus"`, "Usage: concordia key"}},
		{name: "key given as action", args: []string{testKey}, wantCode: 2, wantErr: []string{"unknown action", "may be a key (not shown"}, noErr: []string{testKey, testKey[:12]}},
		{name: "a long word given as action", args: []string{"x7Hq2LmP9vRt4WzYk"}, wantCode: 2, wantErr: []string{"may be a key (not shown"}, noErr: []string{"x7Hq2LmP9vRt4WzYk"}},
		{name: "key given as argument", args: []string{"set", testKey}, wantCode: 2, wantErr: []string{"never from the command line", "Usage: concordia key set"}},
		{name: "key given as flag", args: []string{"set", "--key=" + testKey}, wantCode: 2, wantErr: []string{"takes no arguments"}},
		{name: "status with argument", args: []string{"status", "x"}, wantCode: 2, wantErr: []string{"takes no arguments"}},

		{
			name: "set from pipe", args: []string{"set"}, stdin: "\n  " + testKey + "  \n\n",
			wantCode: 0, wantOut: []string{"Stored the Gemini API key in the OS keyring", `"concordia"`, `"gemini-api-key"`},
			wantRing: testKey,
		},
		// Which of two lines is the key is not ours to guess; the second was dropped
		// without a word (a tester's).
		{
			name: "set two lines", args: []string{"set"}, stdin: testKey + "\n" + storedKey + "\n", wantCode: 1,
			wantErr: []string{"more than one line", "pipe only the key"},
		},
		{name: "set too long", args: []string{"set"}, stdin: strings.Repeat("a", 65<<10), wantCode: 1, wantErr: []string{"over 64 KiB"}},
		{name: "set without newline", args: []string{"set"}, stdin: testKey, wantCode: 0, wantRing: testKey},
		{name: "set overwrites", args: []string{"set"}, stdin: testKey + "\n", stored: storedKey, wantCode: 0, wantRing: testKey},
		// A legacy file whose key the keyring's other key kept out: the key set replaces
		// both (a tester's came back into the keyring after a later delete).
		{
			name: "set over a legacy conflict", args: []string{"set"}, stdin: testKey + "\n", stored: storedKey, legacy: "# mine\nGEMINI_API_KEY=" + legacyKey + "\nA=1\n",
			wantCode: 0, wantOut: []string{"Stored the Gemini API key", "Removed the Gemini key from"}, noErr: []string{"neither was changed"},
			wantRing: testKey, wantFile: "# mine\nA=1\n",
		},
		{name: "set empty input", args: []string{"set"}, stdin: "", wantCode: 1, wantErr: []string{"no key given"}},
		{name: "set blank lines", args: []string{"set"}, stdin: "   \n\t\n", stored: storedKey, wantCode: 1, wantErr: []string{"no key given"}, wantRing: storedKey},
		{name: "set control characters", args: []string{"set"}, stdin: "AIza\x1b[2J\n", wantCode: 1, wantErr: []string{"printable"}},
		{
			name: "set with env override", args: []string{"set"}, stdin: testKey + "\n", env: envKey,
			wantCode: 0, wantOut: []string{"Stored"}, wantErr: []string{"warning: GEMINI_API_KEY is set"}, wantRing: testKey,
		},
		{
			name: "set keyring down", args: []string{"set"}, stdin: testKey + "\n", down: true,
			wantCode: 1, wantErr: []string{"OS keyring unavailable", "GEMINI_API_KEY"},
		},
		{
			name: "set migrates first", args: []string{"set"}, stdin: testKey + "\n", legacy: "GEMINI_API_KEY=" + legacyKey + "\n",
			// Said after the key is stored, with what became of the file's key: a terminal
			// tester read it was moved into the keyring, then that another was stored.
			wantCode: 0, wantOut: []string{"Stored the Gemini API key in the OS keyring (service \"concordia\", account \"gemini-api-key\").\nLegacy key file", "moved the key into the OS keyring and deleted the file; the key just stored replaces it."},
			wantRing: testKey, wantFile: "GONE",
		},
		{
			name: "set keyring down with legacy file", args: []string{"set"}, stdin: testKey + "\n", down: true, legacy: "GEMINI_API_KEY=" + legacyKey + "\nA=1\n",
			wantCode: 1, wantErr: []string{"warning: legacy key file", "left as is", "GEMINI_API_KEY"},
			wantFile: "SAME",
		},

		{
			name: "status none", args: []string{"status"},
			wantCode: 0, wantOut: []string{"key source:     none", "reachable, no key stored", "GEMINI_API_KEY: not set", "legacy file:    none", "concordia key set"},
		},
		{
			name: "status keyring", args: []string{"status"}, stored: storedKey,
			wantCode: 0, wantOut: []string{"key source:     OS keyring", "reachable, holds a key"}, wantRing: storedKey,
		},
		{
			name: "status env", args: []string{"status"}, env: envKey, stored: storedKey,
			wantCode: 0, wantOut: []string{"key source:     environment (GEMINI_API_KEY)", "holds a key", "GEMINI_API_KEY: set (overrides"}, wantRing: storedKey,
		},
		{
			name: "status keyring down", args: []string{"status"}, down: true,
			wantCode: 0, wantOut: []string{"key source:     none", "OS keyring:     unavailable: no keyring service (such as GNOME Keyring or KWallet) is running in this session", "set GEMINI_API_KEY"},
		},
		{
			name: "status migrates", args: []string{"status"}, legacy: "# mine\nGEMINI_API_KEY=" + legacyKey + "\nA=1\n",
			wantCode: 0, wantOut: []string{"keeping its other variables", "key source:     OS keyring", "legacy file:    none"},
			wantRing: legacyKey, wantFile: "# mine\nA=1\n",
		},
		{
			name: "status keyring down with legacy file", args: []string{"status"}, down: true, legacy: "GEMINI_API_KEY=" + legacyKey + "\n",
			wantCode: 0, wantOut: []string{"still holds GEMINI_API_KEY in plain text"}, wantErr: []string{"warning: legacy key file", "unavailable", "left as is"},
			wantFile: "SAME",
		},
		{
			name: "status legacy conflict", args: []string{"status"}, stored: storedKey, legacy: "GEMINI_API_KEY=" + legacyKey + "\n",
			wantCode: 0, wantOut: []string{"key source:     OS keyring", "still holds GEMINI_API_KEY"}, wantErr: []string{"already holds a different Gemini key"},
			wantRing: storedKey, wantFile: "SAME",
		},

		{name: "delete", args: []string{"delete"}, stored: storedKey, wantCode: 0, wantOut: []string{"Deleted the Gemini API key"}},
		{name: "delete none", args: []string{"delete"}, wantCode: 0, wantOut: []string{"There was no Gemini API key"}},
		{
			// The file's older key goes too: it came back into the keyring at the next
			// migration, after the host had deleted the key (a tester's).
			name: "delete with env and legacy file", args: []string{"delete"}, stored: storedKey, env: envKey, legacy: "GEMINI_API_KEY=" + legacyKey + "\n",
			wantCode: 0, wantOut: []string{"Deleted the Gemini API key", "which held a Gemini key in plain text"}, wantErr: []string{"GEMINI_API_KEY is still set"},
			wantFile: "GONE",
		},
		{name: "delete keyring down", args: []string{"delete"}, down: true, wantCode: 1, wantErr: []string{"OS keyring unavailable", "nothing was deleted", "GEMINI_API_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := &secretstest.Backend{}
			if tt.stored != "" {
				backend.Seed(secrets.Service, secrets.Account, tt.stored, false)
			}
			if tt.down {
				backend.Fail(down)
			}
			store := secrets.New(secrets.Options{
				Backend: backend,
				Getenv: func(k string) string {
					if k == secrets.EnvKey {
						return tt.env
					}
					return ""
				},
				ConfigDir: t.TempDir(),
				Timeout:   time.Second,
			})
			path := store.LegacyPath()
			if tt.legacy != "" {
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tt.legacy), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			var stdout, stderr bytes.Buffer
			// Google is a stand-in that accepts any key (key set checks before storing).
			google, _ := fakeGoogle(t, "", "")
			getenv := func(k string) string {
				if k == merge.BaseURLEnv {
					return google.URL
				}
				return ""
			}
			code := keycmd.Run(context.Background(), tt.args, strings.NewReader(tt.stdin), &stdout, &stderr, store, getenv)

			if code != tt.wantCode {
				t.Errorf("exit status = %d; want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			for _, w := range tt.noErr {
				if strings.Contains(stderr.String(), w) {
					t.Errorf("stderr holds %q:\n%s", w, stderr.String())
				}
			}
			for _, k := range allKeys {
				for _, part := range []string{k, k[:12], k[len(k)-8:]} {
					if strings.Contains(stdout.String()+stderr.String(), part) {
						t.Errorf("output contains (part of) a key %q:\nstdout: %s\nstderr: %s", part, stdout.String(), stderr.String())
					}
				}
			}
			if got, _ := backend.Lookup(secrets.Service, secrets.Account); got != tt.wantRing {
				t.Errorf("keyring holds %q; want %q", got, tt.wantRing)
			}
			data, err := os.ReadFile(path)
			switch tt.wantFile {
			case "":
			case "GONE":
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("legacy file still there: %q, %v", data, err)
				}
			case "SAME":
				if string(data) != tt.legacy {
					t.Errorf("legacy file = %q; want it untouched", data)
				}
			default:
				if string(data) != tt.wantFile {
					t.Errorf("legacy file = %q; want %q", data, tt.wantFile)
				}
			}
		})
	}
}

// startReader reports, by closing started, the first time someone reads from it.
type startReader struct {
	r       io.Reader
	started chan struct{}
	once    sync.Once
}

func (s *startReader) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.started) })
	return s.r.Read(p)
}

// TestSetCanceled checks that Ctrl-C (a canceled context) ends a `key set` that waits for
// input that never comes.
func TestSetCanceled(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close() // ends the abandoned read
	in := &startReader{r: pr, started: make(chan struct{})}
	backend := &secretstest.Backend{}
	store := secrets.New(secrets.Options{Backend: backend, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- keycmd.Run(ctx, []string{"set"}, in, &stdout, &stderr, store, nil) }()
	<-in.started // Run now waits for a key that will never come
	cancel()
	if code := <-done; code != 1 {
		t.Fatalf("exit status = %d; want 1", code)
	}
	if !strings.Contains(stderr.String(), "concordia key set: canceled; no key was stored") {
		t.Errorf("stderr = %q; want it to say the read was canceled", stderr.String())
	}
	if got, _ := backend.Lookup(secrets.Service, secrets.Account); got != "" {
		t.Errorf("keyring holds %q after a canceled set", got)
	}
}
