package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
)

func TestMain(m *testing.M) {
	if os.Getenv("CONCORDIA_REAL_KEYRING") != "1" {
		// Any accidental call into go-keyring then fails at once instead of reaching (or
		// autolaunching) a real session bus.
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	}
	os.Exit(m.Run())
}

// testKey looks like a Gemini key and is distinctive enough to grep for.
const testKey = "AIzaSyTEST-0123456789abcdefghijklmnopq"

// harness is a Store over an in-memory backend, with its environment and log captured.
type harness struct {
	store   *secrets.Store
	backend *secretstest.Backend
	env     map[string]string
	logs    *testkit.Buffer
	dir     string // the config directory (holds concordia/.env)
}

func newHarness(t *testing.T, env map[string]string) *harness {
	t.Helper()
	h := &harness{backend: &secretstest.Backend{}, env: env, logs: &testkit.Buffer{}, dir: t.TempDir()}
	h.store = secrets.New(secrets.Options{
		Backend:   h.backend,
		Getenv:    func(k string) string { return h.env[k] },
		ConfigDir: h.dir,
		Timeout:   time.Second,
		Logger:    slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return h
}

// noKey fails the test if the key shows up in any of texts or in the log.
func (h *harness) noKey(t *testing.T, key string, texts ...string) {
	t.Helper()
	for i, s := range append(texts, h.logs.String()) {
		if strings.Contains(s, key) {
			t.Errorf("text %d contains the key: %q", i, s)
		}
	}
}

// downErr plays a Secret Service that is not there. Given the key being written, it
// echoes it, as a careless backend might, to prove that the Store cuts it out.
func downErr(key string) error {
	return fmt.Errorf("org.freedesktop.DBus.Error.ServiceUnknown: no secrets service (was storing %s)", key)
}

func TestKey(t *testing.T) {
	tests := []struct {
		name     string
		env      string
		stored   string
		down     bool
		wantKey  string
		wantSrc  secrets.Source
		wantErr  error
		wantCall bool
	}{
		{name: "nothing", wantSrc: secrets.SourceNone, wantCall: true},
		{name: "keyring", stored: testKey, wantKey: testKey, wantSrc: secrets.SourceKeyring, wantCall: true},
		{name: "keyring value trimmed", stored: " " + testKey + "\n", wantKey: testKey, wantSrc: secrets.SourceKeyring, wantCall: true},
		{name: "blank keyring value", stored: " \n", wantSrc: secrets.SourceNone, wantCall: true},
		{name: "env overrides keyring", env: "env-key", stored: testKey, wantKey: "env-key", wantSrc: secrets.SourceEnv},
		{name: "env trimmed", env: "  env-key\n", wantKey: "env-key", wantSrc: secrets.SourceEnv},
		{name: "blank env ignored", env: "   ", stored: testKey, wantKey: testKey, wantSrc: secrets.SourceKeyring, wantCall: true},
		{name: "env works with keyring down", env: "env-key", down: true, wantKey: "env-key", wantSrc: secrets.SourceEnv},
		{name: "keyring down", down: true, wantSrc: secrets.SourceNone, wantErr: secrets.ErrUnavailable, wantCall: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, map[string]string{secrets.EnvKey: tt.env})
			if tt.stored != "" {
				h.backend.Seed(secrets.Service, secrets.Account, tt.stored, false)
			}
			if tt.down {
				// A read cannot echo a key it never got, so this error names none.
				h.backend.Fail(downErr(""))
			}
			key, src, err := h.store.Key(context.Background())
			if key != tt.wantKey || src != tt.wantSrc {
				t.Errorf("Key() = %q, %q; want %q, %q", key, src, tt.wantKey, tt.wantSrc)
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Key() error = %v; want %v", err, tt.wantErr)
			}
			if got := h.backend.Calls() > 0; got != tt.wantCall {
				t.Errorf("backend called = %v; want %v", got, tt.wantCall)
			}
			if err != nil {
				h.noKey(t, testKey, err.Error())
				if !strings.Contains(err.Error(), secrets.EnvKey) {
					t.Errorf("error %q does not point to %s", err, secrets.EnvKey)
				}
			}
		})
	}
}

func TestSetGetOverwriteDelete(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	steps := []struct {
		name    string
		do      func() error
		wantKey string
		wantSrc secrets.Source
	}{
		{name: "set", do: func() error { return h.store.Set(ctx, testKey) }, wantKey: testKey, wantSrc: secrets.SourceKeyring},
		{name: "set trims", do: func() error { return h.store.Set(ctx, "  \t"+testKey+"-2\r\n") }, wantKey: testKey + "-2", wantSrc: secrets.SourceKeyring},
		{name: "overwrite", do: func() error { return h.store.Set(ctx, testKey+"-3") }, wantKey: testKey + "-3", wantSrc: secrets.SourceKeyring},
		// A line copied from a .env or a profile: the key it assigns (a tester's was stored whole).
		{name: "set a .env line", do: func() error { return h.store.Set(ctx, "GEMINI_API_KEY="+testKey+"-4") }, wantKey: testKey + "-4", wantSrc: secrets.SourceKeyring},
		{name: "set an export, quoted", do: func() error { return h.store.Set(ctx, "export GEMINI_API_KEY='"+testKey+"-5'") }, wantKey: testKey + "-5", wantSrc: secrets.SourceKeyring},
		{name: "set quoted", do: func() error { return h.store.Set(ctx, `"`+testKey+`-6"`) }, wantKey: testKey + "-6", wantSrc: secrets.SourceKeyring},
		{name: "set a token with padding", do: func() error { return h.store.Set(ctx, "dG9rZW4tOQ==") }, wantKey: "dG9rZW4tOQ==", wantSrc: secrets.SourceKeyring},
		{name: "set a line with spaces around =", do: func() error { return h.store.Set(ctx, `GEMINI_API_KEY = "`+testKey+`-7"`) }, wantKey: testKey + "-7", wantSrc: secrets.SourceKeyring},
		{name: "delete", do: func() error { return h.store.Delete(ctx) }, wantSrc: secrets.SourceNone},
		{name: "delete again", do: func() error { return h.store.Delete(ctx) }, wantSrc: secrets.SourceNone},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		key, src, err := h.store.Key(ctx)
		if err != nil || key != st.wantKey || src != st.wantSrc {
			t.Fatalf("%s: Key() = %q, %q, %v; want %q, %q, nil", st.name, key, src, err, st.wantKey, st.wantSrc)
		}
		if _, n := h.backend.Lookup(secrets.Service, secrets.Account); n > 1 {
			t.Fatalf("%s: %d entries; want at most 1", st.name, n)
		}
	}
	h.noKey(t, testKey)
}

func TestSetRefuses(t *testing.T) {
	tests := []struct {
		name string
		key  string
		want error
	}{
		{name: "empty", key: "", want: secrets.ErrEmptyKey},
		{name: "blank", key: " \t\n ", want: secrets.ErrEmptyKey},
		{name: "two lines", key: "abc\ndef", want: secrets.ErrInvalidKey},
		{name: "carriage return inside", key: "abc\rdef", want: secrets.ErrInvalidKey},
		{name: "tab inside", key: "abc\tdef", want: secrets.ErrInvalidKey},
		{name: "NUL", key: "abc\x00def", want: secrets.ErrInvalidKey},
		{name: "escape sequence", key: "abc\x1b[2Jdef", want: secrets.ErrInvalidKey},
		{name: "invalid UTF-8", key: "abc\xffdef", want: secrets.ErrInvalidKey},
		{name: "too long", key: strings.Repeat("k", 4097), want: secrets.ErrInvalidKey},
		{name: "spaces inside", key: "AIza SPACE 333", want: secrets.ErrKeySpaces},
		{name: "another variable's line", key: "GOOGLE_API_KEY=AIza999", want: secrets.ErrKeyAssignment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			err := h.store.Set(context.Background(), tt.key)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Set() error = %v; want %v", err, tt.want)
			}
			if n := h.backend.Calls(); n != 0 {
				t.Errorf("backend called %d times for a refused key", n)
			}
		})
	}
	t.Run("longest accepted", func(t *testing.T) {
		h := newHarness(t, nil)
		if err := h.store.Set(context.Background(), strings.Repeat("k", 4096)); err != nil {
			t.Fatalf("Set() of 4096 bytes: %v", err)
		}
	})
}

func TestSetFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*secretstest.Backend)
		want  error
	}{
		{name: "read-back differs", setup: func(b *secretstest.Backend) { b.Corrupt(true) }, want: secrets.ErrVerify},
		{name: "keyring down", setup: func(b *secretstest.Backend) { b.Fail(downErr(testKey)) }, want: secrets.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			tt.setup(h.backend)
			err := h.store.Set(context.Background(), testKey)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Set() error = %v; want %v", err, tt.want)
			}
			h.noKey(t, testKey, err.Error(), fmt.Sprintf("%+v %#v", err, err))
		})
	}
}

func TestDeleteRemovesDuplicates(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 3 {
		h.backend.Seed(secrets.Service, secrets.Account, testKey+strconv.Itoa(i), true)
	}
	if err := h.store.Delete(context.Background()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if v, n := h.backend.Lookup(secrets.Service, secrets.Account); n != 0 {
		t.Fatalf("after Delete: %d entries left (first %q)", n, v)
	}
}

func TestDeleteKeyringDown(t *testing.T) {
	h := newHarness(t, nil)
	h.backend.Fail(downErr(""))
	if err := h.store.Delete(context.Background()); !errors.Is(err, secrets.ErrUnavailable) {
		t.Fatalf("Delete() error = %v; want ErrUnavailable", err)
	}
}

func TestHangingKeyring(t *testing.T) {
	h := newHarness(t, nil)
	h.store = secrets.New(secrets.Options{Backend: h.backend, Getenv: func(string) string { return "" }, ConfigDir: h.dir, Timeout: 20 * time.Millisecond})
	release := h.backend.Hang()
	defer release()
	ctx := context.Background()

	// The first call hangs inside the backend and is abandoned; the second finds the
	// first still in flight and gives up without calling the backend.
	calls := []struct {
		name string
		do   func() error
	}{
		{name: "set", do: func() error { return h.store.Set(ctx, testKey) }},
		{name: "available while the set still hangs", do: func() error { return h.store.Available(ctx) }},
		{name: "key", do: func() error { _, _, err := h.store.Key(ctx); return err }},
		{name: "delete", do: func() error { return h.store.Delete(ctx) }},
	}
	for _, c := range calls {
		if err := c.do(); !errors.Is(err, secrets.ErrUnavailable) {
			t.Fatalf("%s: error = %v; want ErrUnavailable", c.name, err)
		}
	}
	if n := h.backend.Calls(); n != 1 {
		t.Errorf("backend calls = %d; want 1 (one abandoned call at a time)", n)
	}
	if st := h.store.Status(ctx); st.KeyringAvailable || st.KeyringError == "" {
		t.Errorf("Status while hanging = %+v; want unavailable with a reason", st)
	}

	// Once the Secret Service answers, the store works again.
	release()
	var err error
	for range 100 { // the abandoned goroutine needs a moment to hand the slot back
		if err = h.store.Available(ctx); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Available after release: %v", err)
	}
}

func TestCanceledContext(t *testing.T) {
	h := newHarness(t, nil)
	release := h.backend.Hang()
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.store.Available(ctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, secrets.ErrUnavailable) {
		t.Fatalf("Available(canceled) = %v; want context.Canceled only", err)
	}
}

func TestSessionBusCheck(t *testing.T) {
	exists := func(paths ...string) func(string) (fs.FileInfo, error) {
		return func(p string) (fs.FileInfo, error) {
			for _, q := range paths {
				if p == q {
					return nil, nil
				}
			}
			return nil, fs.ErrNotExist
		}
	}
	tests := []struct {
		name   string
		addr   string
		stat   func(string) (fs.FileInfo, error)
		wantOK bool
	}{
		{name: "address set", addr: "unix:path=/tmp/bus", stat: exists(), wantOK: true},
		{name: "nothing", stat: exists()},
		{name: "autolaunch address", addr: "autolaunch:", stat: exists()},
		{name: "user bus socket", stat: exists("/run/user/1000/bus"), wantOK: true},
		{name: "dbus-session file", stat: exists("/run/user/1000/dbus-session"), wantOK: true},
		{name: "another user's socket", stat: exists("/run/user/1001/bus")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "DBUS_SESSION_BUS_ADDRESS" {
					return tt.addr
				}
				return ""
			}
			err := secrets.SessionBusCheck(getenv, tt.stat, "/run/user", 1000)
			if tt.wantOK && err != nil {
				t.Fatalf("check = %v; want nil", err)
			}
			if !tt.wantOK && !errors.Is(err, secrets.ErrUnavailable) {
				t.Fatalf("check = %v; want ErrUnavailable", err)
			}
		})
	}
}

func TestNoBusNoBackendCall(t *testing.T) {
	h := newHarness(t, nil)
	h.backend.Seed(secrets.Service, secrets.Account, testKey, false)
	secrets.SetBusCheck(h.store, func() error {
		return secrets.SessionBusCheck(func(string) string { return "" }, func(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }, "/run/user", 1)
	})
	ctx := context.Background()
	if err := h.store.Available(ctx); !errors.Is(err, secrets.ErrUnavailable) {
		t.Errorf("Available = %v; want ErrUnavailable", err)
	}
	if err := h.store.Set(ctx, testKey); !errors.Is(err, secrets.ErrUnavailable) {
		t.Errorf("Set = %v; want ErrUnavailable", err)
	}
	if n := h.backend.Calls(); n != 0 {
		t.Errorf("backend called %d times with no session bus", n)
	}
}

// TestDefaultStoreWithoutBus checks the real wiring: the default Store, with no session
// bus, reports unavailable instead of letting godbus autolaunch one.
func TestDefaultStoreWithoutBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the session-bus guard is for Linux/BSD")
	}
	if _, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus")); err == nil {
		t.Skip("this machine has a user bus socket, so there is always a bus here")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	s := secrets.New(secrets.Options{Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	err := s.Available(context.Background())
	if !errors.Is(err, secrets.ErrUnavailable) || !strings.Contains(err.Error(), "D-Bus") {
		t.Fatalf("Available() = %v; want ErrUnavailable naming the missing D-Bus session bus", err)
	}
	if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got != "" {
		t.Fatalf("DBUS_SESSION_BUS_ADDRESS became %q: godbus was called and found or launched a bus", got)
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name   string
		env    string
		stored string
		down   bool
		legacy string
		want   secrets.Status
	}{
		{name: "nothing", want: secrets.Status{Source: secrets.SourceNone, KeyringAvailable: true}},
		{name: "keyring", stored: testKey, want: secrets.Status{Source: secrets.SourceKeyring, KeyringAvailable: true, KeyringHasKey: true}},
		{name: "env over keyring", env: testKey + "-env", stored: testKey, want: secrets.Status{Source: secrets.SourceEnv, KeyringAvailable: true, KeyringHasKey: true, EnvOverride: true}},
		{name: "env, keyring down", env: testKey + "-env", down: true, want: secrets.Status{Source: secrets.SourceEnv, EnvOverride: true}},
		{name: "keyring down", down: true, want: secrets.Status{Source: secrets.SourceNone}},
		{name: "legacy file with key", legacy: "GEMINI_API_KEY=" + testKey + "\n", want: secrets.Status{Source: secrets.SourceNone, KeyringAvailable: true, LegacyFile: "LEGACY"}},
		{name: "legacy file without key", legacy: "OTHER=1\n", want: secrets.Status{Source: secrets.SourceNone, KeyringAvailable: true}},
		{name: "legacy file unparsable", legacy: "GEMINI_API_KEY=\"" + testKey + "\n", want: secrets.Status{Source: secrets.SourceNone, KeyringAvailable: true, LegacyFile: "LEGACY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, map[string]string{secrets.EnvKey: tt.env})
			if tt.stored != "" {
				h.backend.Seed(secrets.Service, secrets.Account, tt.stored, false)
			}
			if tt.down {
				h.backend.Fail(downErr(""))
			}
			if tt.legacy != "" {
				writeLegacy(t, h.store.LegacyPath(), tt.legacy)
			}
			got := h.store.Status(context.Background())
			if tt.down != (got.KeyringError != "") {
				t.Errorf("KeyringError = %q; want a reason exactly when the keyring is down", got.KeyringError)
			}
			want := tt.want
			want.KeyringError = got.KeyringError
			if want.LegacyFile == "LEGACY" {
				want.LegacyFile = h.store.LegacyPath()
			}
			if got != want {
				t.Errorf("Status() = %+v; want %+v", got, want)
			}
			h.noKey(t, testKey, fmt.Sprintf("%+v", got))
		})
	}
}

func TestLegacyPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	xdgWith := t.TempDir() // XDG_CONFIG_HOME holding a legacy file of its own
	writeLegacy(t, filepath.Join(xdgWith, "concordia", ".env"), "A=1\n")
	tests := []struct {
		name      string
		configDir string
		xdg       string
		homeFile  bool // ~/.config/concordia/.env exists
		want      string
	}{
		{name: "explicit", configDir: "/cfg", xdg: "/xdg", want: "/cfg/concordia/.env"},
		{name: "XDG_CONFIG_HOME", xdg: "/xdg", want: "/xdg/concordia/.env"},
		{name: "relative XDG_CONFIG_HOME ignored", xdg: "xdg", want: filepath.Join(home, ".config", "concordia", ".env")},
		{name: "home", want: filepath.Join(home, ".config", "concordia", ".env")},
		// The prototype wrote ~/.config whatever XDG_CONFIG_HOME said (a tester's was not found).
		{name: "XDG_CONFIG_HOME, the file in ~/.config", xdg: "/xdg", homeFile: true, want: filepath.Join(home, ".config", "concordia", ".env")},
		{name: "XDG_CONFIG_HOME's own file first", xdg: xdgWith, homeFile: true, want: filepath.Join(xdgWith, "concordia", ".env")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(home, ".config", "concordia", ".env")
			if tt.homeFile {
				writeLegacy(t, p, "A=1\n")
				t.Cleanup(func() { os.Remove(p) })
			}
			s := secrets.New(secrets.Options{
				Backend:   &secretstest.Backend{},
				ConfigDir: tt.configDir,
				Getenv: func(k string) string {
					if k == "XDG_CONFIG_HOME" {
						return tt.xdg
					}
					return ""
				},
			})
			if got := s.LegacyPath(); got != filepath.FromSlash(tt.want) {
				t.Errorf("LegacyPath() = %q; want %q", got, tt.want)
			}
		})
	}
}

// writeLegacy writes a legacy .env file, creating its directory.
func writeLegacy(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUnavailableInPlainWords: the reason shown for a keyring that cannot be used is in
// words people know where the failure is a common one (the window showed D-Bus's).
func TestUnavailableInPlainWords(t *testing.T) {
	for _, tt := range []struct{ backend, want string }{
		{"The name org.freedesktop.secrets was not provided by any .service files", "no keyring service (such as GNOME Keyring or KWallet) is running in this session"},
		{"Cannot create an item in a locked collection", "the keyring is locked (unlock it, e.g. by logging in again, then try again)"},
		// go-keyring's, of a locked collection (a tester's read its D-Bus path).
		{"failed to unlock correct collection '/org/freedesktop/secrets/collection/login'", "the keyring could not be unlocked (it may be locked: unlock it, e.g. by logging in again; or no keyring service such as GNOME Keyring answers)"},
		{"something else entirely", "something else entirely"},
	} {
		h := newHarness(t, nil)
		h.backend.Fail(errors.New(tt.backend))
		if got := h.store.Status(context.Background()).KeyringError; got != tt.want {
			t.Errorf("backend %q: KeyringError %q, want %q", tt.backend, got, tt.want)
		}
		// A person is given the keyring's sentence, not the steps to it ("check keyring: …").
		if err := h.store.Available(context.Background()); secrets.Cause(err).Error() != "OS keyring unavailable: "+tt.want+" (set GEMINI_API_KEY to use a key without the keyring)" {
			t.Errorf("backend %q: Cause(%v) = %v", tt.backend, err, secrets.Cause(err))
		}
	}
}

// TestStaleBusInPlainWords: a DBUS_SESSION_BUS_ADDRESS that cannot be used (left from
// another session after ssh or su) is said in words, not as godbus's "dial unix …:
// connect: …" or "dbus: invalid bus address (…)" (a tester's terminal showed both). The
// real go-keyring is called: godbus fails before it reaches any bus.
func TestStaleBusInPlainWords(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the D-Bus session bus is for Linux/BSD")
	}
	stale := filepath.Join(t.TempDir(), "nonexistent-bus")
	for _, tt := range []struct{ addr, want, raw string }{
		{"unix:path=" + stale, "the D-Bus session bus at " + stale + " cannot be reached (it does not exist): DBUS_SESSION_BUS_ADDRESS may be left from another session, e.g. after ssh or su", "dial unix " + stale},
		{"disabled:", `DBUS_SESSION_BUS_ADDRESS ("disabled:") is not a D-Bus address Concordia can use`, "dbus: invalid bus address"},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tt.addr)
			logs := &testkit.Buffer{}
			s := secrets.New(secrets.Options{
				Getenv:    func(string) string { return "" },
				ConfigDir: t.TempDir(),
				Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			if got := s.Status(context.Background()).KeyringError; got != tt.want {
				t.Errorf("KeyringError %q, want %q", got, tt.want)
			}
			err := s.Set(context.Background(), testKey)
			if got, want := secrets.Cause(err).Error(), "OS keyring unavailable: "+tt.want+" (set GEMINI_API_KEY to use a key without the keyring)"; got != want {
				t.Errorf("Set: %q, want %q", got, want)
			}
			// godbus's own words are kept for --verbose.
			if !strings.Contains(logs.String(), tt.raw) {
				t.Errorf("the log lacks the backend's own words: %s", logs)
			}
		})
	}
}

// A bus where the login puts it, which godbus finds by itself when
// DBUS_SESSION_BUS_ADDRESS is not set (and then sets the variable to), is not blamed on
// the variable; an address found there that godbus cannot use is not said as "empty"
// (a reviewer's).
func TestLoginBusNotBlamedOnTheVariable(t *testing.T) {
	login := []string{"/run/user/1000/bus"}
	for _, tt := range []struct{ msg, addr, want string }{
		{"dial unix /run/user/1000/bus: connect: connection refused", "unix:path=/run/user/1000/bus",
			"the D-Bus session bus at /run/user/1000/bus cannot be reached (nothing answers there): this user's login session may have ended, or its bus stopped"},
		{"dial unix /tmp/dbus-x: connect: no such file or directory", "unix:path=/tmp/dbus-x",
			"the D-Bus session bus at /tmp/dbus-x cannot be reached (it does not exist): DBUS_SESSION_BUS_ADDRESS may be left from another session, e.g. after ssh or su"},
		{"dbus: invalid bus address (invalid or unsupported transport)", "",
			"the D-Bus session bus address this user's login left is not one Concordia can use"},
	} {
		if got, ok := secrets.BusReason(tt.msg, tt.addr, "", login); !ok || got != tt.want {
			t.Errorf("%q: %q (%v), want %q", tt.msg, got, ok, tt.want)
		}
	}
}

// An address godbus took from /run/user/<uid>/dbus-session (DBUS_SESSION_BUS_ADDRESS not
// set, no /run/user/<uid>/bus), and then put into the variable, is said as the file's, not
// blamed on a variable this user never set (a reviewer's). The real go-keyring is called,
// with the variable as godbus leaves it; the runtime directory is a temporary one.
func TestBusAddressFromTheLoginFileNamesTheFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the D-Bus session bus is for Linux/BSD")
	}
	runDir := t.TempDir()
	dir := filepath.Join(runDir, strconv.Itoa(os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "dbus-session")
	secrets.SetRunUserDir(t, runDir)
	stale := filepath.Join(t.TempDir(), "nonexistent-bus")
	for _, tt := range []struct{ addr, want string }{
		{"disabled:", `the D-Bus session bus address in ` + file + ` ("disabled:") is not one Concordia can use`},
		{"unix:path=" + stale, "the D-Bus session bus at " + stale + " cannot be reached (it does not exist): its address is the one in " + file + ", which may be left from a login session that ended"},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			if err := os.WriteFile(file, []byte("DBUS_SESSION_BUS_ADDRESS="+tt.addr+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tt.addr) // as godbus sets it from the file
			s := secrets.New(secrets.Options{Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
			got := s.Status(context.Background()).KeyringError
			if got != tt.want {
				t.Errorf("KeyringError %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "DBUS_SESSION_BUS_ADDRESS") {
				t.Errorf("%q blames the variable", got)
			}
		})
	}
}

// busAddressFile names the file only when godbus would have read the address from it.
func TestBusAddressFile(t *testing.T) {
	runDir := t.TempDir()
	dir := filepath.Join(runDir, "1000")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "dbus-session")
	noBus := func(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }
	bus := func(p string) (fs.FileInfo, error) {
		if p == filepath.Join(dir, "bus") {
			return nil, nil
		}
		return nil, fs.ErrNotExist
	}
	for _, tt := range []struct {
		name, content, addr, want string
		stat                      func(string) (fs.FileInfo, error)
	}{
		{"the file's address", "DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-x\r\n", "unix:abstract=/tmp/dbus-x", file, noBus},
		{"another address: the variable's", "DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-x\n", "unix:path=/tmp/other", "", noBus},
		{"the socket comes first", "DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-x\n", "unix:abstract=/tmp/dbus-x", "", bus},
		{"not godbus's line", "unix:abstract=/tmp/dbus-x\n", "unix:abstract=/tmp/dbus-x", "", noBus},
		{"no address", "DBUS_SESSION_BUS_ADDRESS=\n", "", "", noBus},
		{"no file", "", "unix:abstract=/tmp/dbus-x", "", noBus},
	} {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(file)
			if tt.content != "" {
				if err := os.WriteFile(file, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := secrets.BusAddressFile(tt.addr, runDir, 1000, tt.stat, os.ReadFile); got != tt.want {
				t.Errorf("busAddressFile(%q) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
	// And the sentences, for each way godbus fails, name the file.
	for _, tt := range []struct{ msg, want string }{
		{"dbus: invalid bus address (invalid or unsupported transport)", `the D-Bus session bus address in ` + file + ` ("x:") is not one Concordia can use`},
		{"dial unix /tmp/dbus-x: connect: connection refused", "the D-Bus session bus at /tmp/dbus-x cannot be reached (nothing answers there): its address is the one in " + file + ", which may be left from a login session that ended"},
		{"dbus: authentication failed", `the D-Bus session bus at "x:" refused this user: its address is the one in ` + file + `, which may be left from another login session`},
	} {
		if got, ok := secrets.BusReason(tt.msg, "x:", file, nil); !ok || got != tt.want {
			t.Errorf("%q: %q (%v), want %q", tt.msg, got, ok, tt.want)
		}
	}
}

// TestBusRefusedInPlainWords: a bus that refuses this user (its address another user's,
// after su) is said in words.
func TestBusRefusedInPlainWords(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
	h := newHarness(t, nil)
	h.backend.Fail(errors.New("dbus: authentication failed"))
	want := `the D-Bus session bus at "unix:path=/run/user/1000/bus" refused this user: DBUS_SESSION_BUS_ADDRESS may be another user's, e.g. after su`
	if got := h.store.Status(context.Background()).KeyringError; got != want {
		t.Errorf("KeyringError %q, want %q", got, want)
	}
	if !strings.Contains(h.logs.String(), "dbus: authentication failed") {
		t.Errorf("the log lacks the backend's own words: %s", h.logs)
	}
}

// DropLegacy removes the key line and keeps the rest; a file with no key is left alone
// and said nothing of, even one that does not parse (a reviewer's was warned of a key
// line at every key set).
func TestDropLegacy(t *testing.T) {
	dir := t.TempDir()
	s := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, ConfigDir: dir})
	path := filepath.Join(dir, "concordia", ".env")
	for _, c := range []struct {
		content, left string
		dropped       bool
	}{
		{"A=1\nGEMINI_API_KEY=AIza-old\n", "A=1\n", true},
		{"A=1\n", "A=1\n", false},
		{"justaword\n", "justaword\n", false}, // not .env syntax
	} {
		writeLegacy(t, path, c.content)
		got, _, err := s.DropLegacy()
		if err != nil || (got != "") != c.dropped {
			t.Errorf("%q: path %q, err %v", c.content, got, err)
		}
		if data, _ := os.ReadFile(path); string(data) != c.left {
			t.Errorf("%q: the file holds %q, want %q", c.content, data, c.left)
		}
	}
}
