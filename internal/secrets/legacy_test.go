package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
)

func TestMigrateLegacy(t *testing.T) {
	const other = "AIzaSyOTHER-zyxwvutsrqponmlkjihgfedcba98"
	tests := []struct {
		name     string
		file     string // "" = no file
		setup    func(*secretstest.Backend)
		want     secrets.Migration // Path is filled in by the test
		wantErr  error             // nil, or a sentinel the error must match; errAny = any error
		wantFile string            // "DELETED", "UNTOUCHED", or what must be left
		wantVars map[string]string // when the file is rewritten: its variables
		wantRing string            // what the keyring holds afterwards
		reason   string            // a substring of Reason
	}{
		{
			name:     "no file",
			want:     secrets.Migration{},
			wantFile: "DELETED",
		},
		{
			name:     "file without key",
			file:     "OTHER=1\n",
			want:     secrets.Migration{},
			wantFile: "UNTOUCHED",
		},
		{
			name:     "empty key",
			file:     "GEMINI_API_KEY=\n",
			want:     secrets.Migration{},
			wantFile: "UNTOUCHED",
		},
		{
			name:     "key only",
			file:     "GEMINI_API_KEY=" + testKey + "\n",
			want:     secrets.Migration{Found: true, Migrated: true},
			wantFile: "DELETED",
			wantRing: testKey,
			reason:   "moved the key into the OS keyring and deleted the file",
		},
		{
			name:     "key and comments only",
			file:     "# written by concordia\nexport GEMINI_API_KEY=\"" + testKey + "\"\n\n",
			want:     secrets.Migration{Found: true, Migrated: true},
			wantFile: "DELETED",
			wantRing: testKey,
		},
		{
			name:     "other variables kept",
			file:     "# settings\nFOO=bar\nGEMINI_API_KEY='" + testKey + "'\nexport PORT=0080\nQUOTED=\"a b # c\"\r\n",
			want:     secrets.Migration{Found: true, Migrated: true},
			wantFile: "# settings\nFOO=bar\nexport PORT=0080\nQUOTED=\"a b # c\"\r\n",
			wantVars: map[string]string{"FOO": "bar", "PORT": "0080", "QUOTED": "a b # c"},
			wantRing: testKey,
			reason:   "keeping its other variables",
		},
		{
			name:     "yaml style and spaces",
			file:     "  GEMINI_API_KEY : " + testKey + "\nA=1\n",
			want:     secrets.Migration{Found: true, Migrated: true},
			wantFile: "A=1\n",
			wantVars: map[string]string{"A": "1"},
			wantRing: testKey,
		},
		{
			name:     "same key already in keyring",
			file:     "GEMINI_API_KEY=" + testKey + "\n",
			setup:    func(b *secretstest.Backend) { b.Seed(secrets.Service, secrets.Account, testKey, false) },
			want:     secrets.Migration{Found: true, Migrated: true},
			wantFile: "DELETED",
			wantRing: testKey,
			reason:   "found the key already in the OS keyring and deleted the file",
		},
		{
			name:     "different key already in keyring",
			file:     "GEMINI_API_KEY=" + testKey + "\n",
			setup:    func(b *secretstest.Backend) { b.Seed(secrets.Service, secrets.Account, other, false) },
			want:     secrets.Migration{Found: true},
			wantErr:  secrets.ErrLegacyConflict,
			wantFile: "UNTOUCHED",
			wantRing: other,
			reason:   "already holds a different Gemini key",
		},
		{
			name:     "keyring down",
			file:     "GEMINI_API_KEY=" + testKey + "\nA=1\n",
			setup:    func(b *secretstest.Backend) { b.Fail(downErr(testKey)) },
			want:     secrets.Migration{Found: true},
			wantErr:  secrets.ErrUnavailable,
			wantFile: "UNTOUCHED",
			reason:   "unavailable",
		},
		{
			name:     "read-back differs",
			file:     "GEMINI_API_KEY=" + testKey + "\n",
			setup:    func(b *secretstest.Backend) { b.Corrupt(true) },
			want:     secrets.Migration{Found: true},
			wantErr:  secrets.ErrVerify,
			wantFile: "UNTOUCHED",
			wantRing: testKey, // written, but the read-back lied, so the file stays
			reason:   "left as is",
		},
		{
			name:     "invalid key in file",
			file:     "GEMINI_API_KEY=\"abc\ndef\"\n",
			want:     secrets.Migration{Found: true},
			wantErr:  secrets.ErrInvalidKey,
			wantFile: "UNTOUCHED",
		},
		{
			name:     "unparsable file without key",
			file:     "A=\"open\nB=1\n",
			want:     secrets.Migration{},
			wantFile: "UNTOUCHED",
		},
		{
			name:     "unparsable file",
			file:     "GEMINI_API_KEY=\"" + testKey + "\nA=1\n",
			want:     secrets.Migration{Found: true},
			wantErr:  errAny,
			wantFile: "UNTOUCHED",
			reason:   "not valid .env syntax",
		},
		{
			name:     "another variable uses the key",
			file:     "GEMINI_API_KEY=" + testKey + "\nCOPY=${GEMINI_API_KEY}\n",
			want:     secrets.Migration{Found: true, Migrated: true},
			wantErr:  errAny,
			wantFile: "UNTOUCHED",
			wantRing: testKey,
			reason:   "remove its GEMINI_API_KEY line by hand",
		},
		{
			name:     "key also in a comment",
			file:     "# old: " + testKey + "\nGEMINI_API_KEY=" + testKey + "\nA=1\n",
			want:     secrets.Migration{Found: true, Migrated: true},
			wantErr:  errAny,
			wantFile: "UNTOUCHED",
			wantRing: testKey,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			path := h.store.LegacyPath()
			if tt.file != "" {
				writeLegacy(t, path, tt.file)
			}
			if tt.setup != nil {
				tt.setup(h.backend)
			}

			m, err := h.store.MigrateLegacy(context.Background())

			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("MigrateLegacy() error = %v; want nil", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Errorf("MigrateLegacy() error = %v; want %v", err, tt.wantErr)
			}
			want := tt.want
			want.Path = path
			if m.Reason == "" && (m.Found || err != nil) {
				t.Errorf("Reason is empty for %+v, %v", m, err)
			}
			if !strings.Contains(m.Reason, tt.reason) {
				t.Errorf("Reason = %q; want it to contain %q", m.Reason, tt.reason)
			}
			want.Reason = m.Reason
			if m != want {
				t.Errorf("MigrateLegacy() = %+v; want %+v", m, want)
			}

			data, rerr := os.ReadFile(path)
			switch tt.wantFile {
			case "DELETED":
				if !errors.Is(rerr, fs.ErrNotExist) {
					t.Errorf("file still there (%v): %q", rerr, data)
				}
			case "UNTOUCHED":
				if string(data) != tt.file {
					t.Errorf("file = %q; want it untouched: %q", data, tt.file)
				}
			default:
				if string(data) != tt.wantFile {
					t.Errorf("file = %q; want %q", data, tt.wantFile)
				}
				vars, perr := godotenv.Read(path)
				if perr != nil || !maps.Equal(vars, tt.wantVars) {
					t.Errorf("file parses to %v (%v); want %v", vars, perr, tt.wantVars)
				}
				if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("file mode = %v (%v); want 0600", fi.Mode(), err)
				}
				if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".env.tmp-*")); len(leftovers) > 0 {
					t.Errorf("temporary files left: %v", leftovers)
				}
			}

			if got, _ := h.backend.Lookup(secrets.Service, secrets.Account); got != tt.wantRing {
				t.Errorf("keyring holds %q; want %q", got, tt.wantRing)
			}
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			h.noKey(t, testKey, errText, fmt.Sprintf("%+v", m))
			h.noKey(t, other, errText, fmt.Sprintf("%+v", m))
		})
	}
}

// errAny stands for "some error" in tests where no sentinel applies.
var errAny = errors.New("any error")

// TestMigrateThenStatus checks that a migrated file no longer shows up in Status and that
// a second migration has nothing to do.
func TestMigrateThenStatus(t *testing.T) {
	h := newHarness(t, nil)
	writeLegacy(t, h.store.LegacyPath(), "GEMINI_API_KEY="+testKey+"\nA=1\n")
	ctx := context.Background()
	if st := h.store.Status(ctx); st.LegacyFile == "" {
		t.Fatalf("before: Status().LegacyFile is empty")
	}
	if _, err := h.store.MigrateLegacy(ctx); err != nil {
		t.Fatalf("first MigrateLegacy: %v", err)
	}
	st := h.store.Status(ctx)
	if st.LegacyFile != "" || st.Source != secrets.SourceKeyring {
		t.Fatalf("after: Status() = %+v; want keyring source and no legacy file", st)
	}
	m, err := h.store.MigrateLegacy(ctx)
	if err != nil || m.Found {
		t.Fatalf("second MigrateLegacy() = %+v, %v; want nothing found", m, err)
	}
}
