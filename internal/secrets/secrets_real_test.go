package secrets_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/joho/godotenv"

	"github.com/concordia-party/concordia/internal/secrets"
)

// These tests talk to a real Secret Service through go-keyring and check what they did
// with secret-tool. They run only with CONCORDIA_REAL_KEYRING=1, which
// scripts/with-keyring.sh sets after starting a private session bus and a throwaway,
// unlocked gnome-keyring; then they must not skip.

// realStore returns a Store on the real keyring, or skips when not asked to run.
func realStore(t *testing.T) *secrets.Store {
	t.Helper()
	if os.Getenv("CONCORDIA_REAL_KEYRING") != "1" {
		t.Skip("needs a real Secret Service; run: scripts/with-keyring.sh go test -race -run Real ./internal/secrets/")
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatalf("secret-tool not found (apt-get install libsecret-tools): %v", err)
	}
	s := secrets.New(secrets.Options{
		Getenv:    func(string) string { return "" },
		ConfigDir: t.TempDir(),
		Timeout:   10 * time.Second,
	})
	ctx := context.Background()
	if err := s.Available(ctx); err != nil {
		t.Fatalf("CONCORDIA_REAL_KEYRING=1 but the keyring is unreachable: %v", err)
	}
	if st := s.Status(ctx); st.KeyringHasKey {
		t.Fatal("refusing to run: the keyring already holds a concordia key (run under scripts/with-keyring.sh, which uses a throwaway keyring)")
	}
	t.Cleanup(func() {
		if err := s.Delete(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return s
}

// lookup asks secret-tool for our entry, by the attribute names go-keyring uses.
func lookup(t *testing.T) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "secret-tool", "lookup", "service", secrets.Service, "username", secrets.Account).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 && len(out) == 0 {
		return "", false // secret-tool's "not found"
	}
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return string(out), true
}

// storeWithSecretTool writes our entry from outside, as another client would.
func storeWithSecretTool(t *testing.T, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", "store", "--label=test", "service", secrets.Service, "username", secrets.Account)
	cmd.Stdin = strings.NewReader(value)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v: %s", err, out)
	}
}

func TestRealKeyring(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	const k1, k2, k3 = "AIzaSyREAL-first-000000000000000000000", "AIzaSyREAL-second-11111111111111111111", "AIzaSyREAL-outside-2222222222222222222"

	steps := []struct {
		name    string
		do      func() error
		wantKey string // "" = none
	}{
		{name: "set", do: func() error { return s.Set(ctx, k1) }, wantKey: k1},
		{name: "overwrite", do: func() error { return s.Set(ctx, " "+k2+"\n") }, wantKey: k2},
		{name: "delete", do: func() error { return s.Delete(ctx) }},
		{name: "delete again", do: func() error { return s.Delete(ctx) }},
		{name: "stored by secret-tool", do: func() error { storeWithSecretTool(t, k3); return nil }, wantKey: k3},
		{name: "delete what secret-tool stored", do: func() error { return s.Delete(ctx) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		key, src, err := s.Key(ctx)
		if err != nil {
			t.Fatalf("%s: Key: %v", st.name, err)
		}
		wantSrc := secrets.SourceKeyring
		if st.wantKey == "" {
			wantSrc = secrets.SourceNone
		}
		if key != st.wantKey || src != wantSrc {
			t.Fatalf("%s: Key() = %q, %q; want %q, %q", st.name, key, src, st.wantKey, wantSrc)
		}
		got, found := lookup(t)
		if got != st.wantKey || found != (st.wantKey != "") {
			t.Fatalf("%s: secret-tool lookup = %q, %v; want %q", st.name, got, found, st.wantKey)
		}
		status := s.Status(ctx)
		if !status.KeyringAvailable || status.KeyringHasKey != (st.wantKey != "") || status.Source != wantSrc {
			t.Fatalf("%s: Status() = %+v", st.name, status)
		}
	}
}

func TestRealMigration(t *testing.T) {
	const key = "AIzaSyREAL-legacy-3333333333333333333"
	tests := []struct {
		name     string
		file     string
		wantVars map[string]string // nil: the file must be gone
	}{
		{name: "key only", file: "GEMINI_API_KEY=" + key + "\n"},
		{name: "other variables kept", file: "GEMINI_API_KEY=" + key + "\nOTHER=kept\n", wantVars: map[string]string{"OTHER": "kept"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := realStore(t)
			path := s.LegacyPath()
			writeLegacy(t, path, tt.file)

			m, err := s.MigrateLegacy(context.Background())
			if err != nil || !m.Found || !m.Migrated {
				t.Fatalf("MigrateLegacy() = %+v, %v; want migrated", m, err)
			}
			if got, _ := lookup(t); got != key {
				t.Fatalf("secret-tool lookup = %q; want the migrated key", got)
			}
			vars, rerr := godotenv.Read(path)
			if tt.wantVars == nil {
				if !errors.Is(rerr, fs.ErrNotExist) {
					t.Fatalf("legacy file still there: %v, %v", vars, rerr)
				}
				return
			}
			if rerr != nil || len(vars) != len(tt.wantVars) || vars["OTHER"] != tt.wantVars["OTHER"] {
				t.Fatalf("legacy file now holds %v (%v); want %v", vars, rerr, tt.wantVars)
			}
		})
	}
}

// loginCollection is the collection go-keyring uses.
const loginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")

// setLocked locks or unlocks the login collection of the throwaway keyring. Locking is the
// standard Secret Service call; unlocking without a prompt needs gnome-keyring's own
// UnlockWithMasterPassword and the throwaway keyring's password, which
// scripts/with-keyring.sh exports.
func setLocked(t *testing.T, locked bool, password string) {
	t.Helper()
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if locked {
		var done []dbus.ObjectPath
		var prompt dbus.ObjectPath
		if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{loginCollection}).Store(&done, &prompt); err != nil {
			t.Fatalf("lock: %v", err)
		}
		if len(done) != 1 || prompt != "/" {
			t.Fatalf("lock: locked %v, prompt %q; want the login collection, no prompt", done, prompt)
		}
		return
	}
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatalf("open session: %v", err)
	}
	defer svc.Call("org.freedesktop.Secret.Session.Close", 0)
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(password), "text/plain"}
	if err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, loginCollection, secret).Err; err != nil {
		t.Fatalf("unlock: %v", err)
	}
}

// TestRealLockedKeyring checks that a locked keyring makes the Store report ErrUnavailable
// instead of blocking: with no display the unlock prompt fails at once; with one (say
// under Xvfb) it waits for a person and the Store gives up at its timeout. Either way the
// caller gets an answer, and the keyring works again once unlocked.
func TestRealLockedKeyring(t *testing.T) {
	s := realStore(t)
	password := os.Getenv("CONCORDIA_KEYRING_PASSWORD")
	if password == "" {
		t.Skip("locks the keyring, so it runs only in scripts/with-keyring.sh's throwaway keyring")
	}
	const key = "AIzaSyREAL-locked-4444444444444444444"
	ctx := context.Background()
	if err := s.Set(ctx, key); err != nil {
		t.Fatalf("Set: %v", err)
	}
	setLocked(t, true, "")
	t.Cleanup(func() { setLocked(t, false, password) })

	short := secrets.New(secrets.Options{Getenv: func(string) string { return "" }, ConfigDir: t.TempDir(), Timeout: 2 * time.Second})
	if _, _, err := short.Key(ctx); !errors.Is(err, secrets.ErrUnavailable) {
		t.Fatalf("Key() on a locked keyring: %v; want ErrUnavailable", err)
	}
	if st := short.Status(ctx); st.KeyringAvailable || st.KeyringError == "" {
		t.Fatalf("Status() on a locked keyring = %+v; want unavailable with a reason", st)
	}

	setLocked(t, false, password)
	// A fresh Store: with a display, short's abandoned call still waits on a prompt nobody
	// answers, and holds short's one slot until someone does (that is the bound on leaked
	// goroutines; see Store.call).
	fresh := secrets.New(secrets.Options{Getenv: func(string) string { return "" }, ConfigDir: t.TempDir(), Timeout: 5 * time.Second})
	if got, _, err := fresh.Key(ctx); err != nil || got != key {
		t.Fatalf("Key() after unlock = %q, %v; want the stored key", got, err)
	}
}
