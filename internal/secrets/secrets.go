// Package secrets owns the Gemini API key: it lives in the OS keyring (Secret Service on
// Linux, Keychain on macOS, Credential Manager on Windows, through go-keyring), the
// GEMINI_API_KEY environment variable overrides it for one run, and a legacy plain-text
// ~/.config/concordia/.env from the Python prototype is moved into the keyring.
//
// There is no plain-text fallback: when the keyring cannot be used, the key comes from
// GEMINI_API_KEY or not at all. The key never appears in an error, a log line or a Status.
//
// Keyring calls never block the caller for long: each runs on its own goroutine under a
// timeout (see Store.call), and with no D-Bus session bus go-keyring is not called at all.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
)

// Where the key lives.
const (
	// Service is the keyring service name (the Secret Service attribute "service").
	Service = "concordia"
	// Account is the keyring account name (the Secret Service attribute "username").
	Account = "gemini-api-key"
	// EnvKey is the environment variable that overrides the keyring for one run.
	EnvKey = "GEMINI_API_KEY"
)

// DefaultTimeout bounds each keyring operation when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// maxKeyBytes bounds a key; Gemini keys are about 40 bytes, and macOS refuses much more
// than 3000 bytes per entry anyway.
const maxKeyBytes = 4096

// Source says where a key came from.
type Source string

// The places a key can come from.
const (
	SourceEnv     Source = "env"     // GEMINI_API_KEY
	SourceKeyring Source = "keyring" // the OS keyring
	SourceNone    Source = "none"    // no key
)

// Backend is the keyring a Store uses. go-keyring's package functions fit it; tests use
// an in-memory fake. Get and Delete report a missing entry with an error matching
// ErrNotFound. A Store calls its Backend from one goroutine at a time.
type Backend interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// goKeyring is the real backend: the OS keyring through go-keyring.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// Options configure a Store. The zero value is the production setup.
type Options struct {
	// Backend is the keyring; nil means the OS keyring through go-keyring, guarded by the
	// session-bus check.
	Backend Backend
	// Getenv reads GEMINI_API_KEY and XDG_CONFIG_HOME; nil means os.Getenv.
	Getenv func(string) string
	// ConfigDir is the directory holding the legacy concordia/.env; "" means
	// $XDG_CONFIG_HOME, or ~/.config.
	ConfigDir string
	// Timeout bounds each keyring operation; zero means DefaultTimeout.
	Timeout time.Duration
	// Logger receives diagnostics (never the key); nil discards them.
	Logger *slog.Logger
}

// Store reads and writes the Gemini key. Its methods are safe for concurrent use; keyring
// operations are serialised (one in flight per Store). Use one Store per process.
type Store struct {
	backend   Backend
	getenv    func(string) string
	configDir string
	// altConfigDir is ~/.config when configDir is another ($XDG_CONFIG_HOME): a legacy
	// file there is found too (LegacyPath). "" otherwise.
	altConfigDir string
	timeout      time.Duration
	log          *slog.Logger
	// busCheck runs before every backend call; nil means none. Set only for the default
	// backend: a fake needs no bus.
	busCheck func() error
	// sem holds one token while a backend operation runs; see call.
	sem chan struct{}
}

// New returns a Store configured by opts.
func New(opts Options) *Store {
	s := &Store{
		backend:   opts.Backend,
		getenv:    opts.Getenv,
		configDir: opts.ConfigDir,
		timeout:   opts.Timeout,
		log:       opts.Logger,
		sem:       make(chan struct{}, 1),
	}
	if s.backend == nil {
		s.backend = goKeyring{}
		s.busCheck = defaultBusCheck()
	}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.configDir == "" {
		s.configDir = defaultConfigDir(s.getenv)
		// The prototype wrote ~/.config/concordia/.env whatever XDG_CONFIG_HOME said: a
		// tester's, with XDG_CONFIG_HOME set, was never found, its key left in plain text.
		if home, err := os.UserHomeDir(); err == nil && home != "" {
			if alt := filepath.Join(home, ".config"); alt != s.configDir {
				s.altConfigDir = alt
			}
		}
	}
	return s
}

// defaultConfigDir is $XDG_CONFIG_HOME when it is absolute (the XDG rule), else ~/.config,
// on every platform: that is where the prototype wrote its .env. "" if there is no home.
func defaultConfigDir(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".config")
}

// envKey is the GEMINI_API_KEY override, trimmed; "" when unset or blank.
func (s *Store) envKey() string { return strings.TrimSpace(s.getenv(EnvKey)) }

// EnvOverride reports whether GEMINI_API_KEY is set (non-blank), so that it wins over the
// keyring for this run.
func (s *Store) EnvOverride() bool { return s.envKey() != "" }

// Key returns the key to use for this run and where it came from: GEMINI_API_KEY if set,
// else the keyring. No key at all is ("", SourceNone, nil). A keyring that cannot be read
// is ("", SourceNone, err) with err matching ErrUnavailable. Key does not read the legacy
// file (no plain-text fallback); call MigrateLegacy first.
func (s *Store) Key(ctx context.Context) (string, Source, error) {
	if k := s.envKey(); k != "" {
		return k, SourceEnv, nil
	}
	k, found, err := s.get(ctx)
	if err != nil {
		s.log.Debug("read key from keyring", "err", err)
		return "", SourceNone, fmt.Errorf("read key: %w", err)
	}
	if !found {
		return "", SourceNone, nil
	}
	return k, SourceKeyring, nil
}

// get reads the keyring entry, trimmed. A missing (or blank) entry is ("", false, nil).
func (s *Store) get(ctx context.Context) (string, bool, error) {
	v, err := s.call(ctx, func(b Backend) (string, error) {
		v, err := b.Get(Service, Account)
		if errors.Is(err, ErrNotFound) {
			return "", nil
		}
		if err != nil {
			// Redact what we are reading, in case a backend echoes it.
			return "", unavailable(err, v)
		}
		// Trimmed: another client (secret-tool store < file) may have kept a newline.
		return strings.TrimSpace(v), nil
	})
	if err != nil {
		return "", false, err
	}
	return v, v != "", nil
}

// normalizeKey trims key and checks that it is one line of printable text.
func normalizeKey(key string) (string, error) {
	key = strings.TrimSpace(key)
	// A line copied from a .env or a shell profile ("export GEMINI_API_KEY='AIza…'") was
	// stored whole, quotes and name included (a tester's): the key is what it assigns.
	if m := keyAssignment.FindStringSubmatch(key); m != nil {
		key = strings.TrimSpace(m[1])
	}
	if n := len(key); n >= 2 && (key[0] == '"' || key[0] == '\'') && key[n-1] == key[0] {
		key = strings.TrimSpace(key[1 : n-1])
	}
	switch {
	case key == "":
		return "", ErrEmptyKey
	case len(key) > maxKeyBytes || !utf8.ValidString(key):
		return "", ErrInvalidKey
	case strings.ContainsFunc(key, unicode.IsControl):
		return "", ErrInvalidKey
	case strings.ContainsFunc(key, unicode.IsSpace):
		return "", ErrKeySpaces
	case otherAssignment.MatchString(key):
		// Another variable's line (GOOGLE_API_KEY=…) was stored whole (a tester's). (A
		// token's "=" of padding, at its end, is not one.)
		return "", ErrKeyAssignment
	}
	return key, nil
}

// keyAssignment is a line that sets GEMINI_API_KEY, as a .env or a shell profile has it
// ("export GEMINI_API_KEY = 'AIza…'"): the key is what it assigns.
var keyAssignment = regexp.MustCompile(`^(?:export\s+)?` + EnvKey + `\s*=\s*(.*)$`)

// otherAssignment is a line that sets another variable: NAME=value.
var otherAssignment = regexp.MustCompile(`^(?:export\s+)?[A-Z_][A-Z0-9_]*=[^=]`)

// Set stores key in the keyring, replacing any earlier one, then reads it back and checks
// it. The key is trimmed; an empty or multi-line key is refused.
func (s *Store) Set(ctx context.Context, key string) error {
	key, err := normalizeKey(key)
	if err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	if _, err := s.call(ctx, func(b Backend) (string, error) { return "", writeVerified(b, key) }); err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	s.log.Info("stored Gemini key in the OS keyring")
	return nil
}

// writeVerified writes key and reads it back. It runs inside call.
func writeVerified(b Backend, key string) error {
	if err := b.Set(Service, Account, key); err != nil {
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return ErrInvalidKey
		}
		return unavailable(err, key)
	}
	got, err := b.Get(Service, Account)
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrVerify
	case err != nil:
		return unavailable(err, key)
	case got != key:
		return ErrVerify
	}
	return nil
}

// maxDeletes bounds Delete's loop; see Delete.
const maxDeletes = 16

// Delete removes the key from the keyring. Deleting a key that is not there is not an
// error. Another program may have stored duplicates under the same attributes and
// go-keyring deletes one match per call, so Delete repeats until none is left.
func (s *Store) Delete(ctx context.Context) error {
	_, err := s.call(ctx, func(b Backend) (string, error) {
		for range maxDeletes {
			err := b.Delete(Service, Account)
			if errors.Is(err, ErrNotFound) {
				return "", nil
			}
			if err != nil {
				return "", unavailable(err, "")
			}
		}
		return "", &unavailableError{reason: "the keyring keeps returning the deleted entry"}
	})
	if err != nil {
		return fmt.Errorf("delete key: %w", err)
	}
	if err := s.MarkChecked(""); err != nil { // no key, nothing unchecked
		s.log.Warn("drop the unchecked-key note", "err", err)
	}
	s.log.Info("deleted Gemini key from the OS keyring")
	return nil
}

// Status describes where the key comes from. It never holds the key.
type Status struct {
	// Source is where Key would take the key from now.
	Source Source
	// KeyringAvailable reports whether the keyring answered.
	KeyringAvailable bool
	// KeyringError says why the keyring is unavailable; "" when it is available.
	KeyringError string
	// KeyringHasKey reports whether the keyring holds a key (even when GEMINI_API_KEY
	// overrides it).
	KeyringHasKey bool
	// EnvOverride reports whether GEMINI_API_KEY is set and so wins over the keyring.
	EnvOverride bool
	// LegacyFile is the path of the prototype's .env file when it still holds a
	// GEMINI_API_KEY in plain text; "" otherwise.
	LegacyFile string
	// KeyringUnchecked reports that the keyring's key was stored without Google having
	// said it works (Google could not be reached then), and nothing has said so since
	// (MarkUnchecked, MarkChecked).
	KeyringUnchecked bool
	// Refused is when Google last refused the key Key would use now (Source's) as a key
	// (MarkRefused), the zero time when no refusal of it is noted: parties merge locally
	// until it is replaced, or a check finds that it works.
	Refused time.Time
}

// Status reports where the key comes from, whether the keyring answers, and whether the
// legacy file still holds a key. It always asks the keyring, even when GEMINI_API_KEY is
// set, so that the answer describes both.
func (s *Store) Status(ctx context.Context) Status {
	st := Status{EnvOverride: s.EnvOverride(), Source: SourceNone}
	key, found, err := s.get(ctx)
	if err != nil {
		st.KeyringError = unavailableReason(err)
	} else {
		st.KeyringAvailable = true
		st.KeyringHasKey = found
		st.KeyringUnchecked = found && s.uncheckedID() == KeyID(key)
	}
	switch {
	case st.EnvOverride:
		st.Source = SourceEnv
		st.Refused, _ = s.RefusedAt(KeyID(s.envKey()))
	case st.KeyringHasKey:
		st.Source = SourceKeyring
		st.Refused, _ = s.RefusedAt(KeyID(key))
	}
	st.LegacyFile = s.legacyPresent()
	return st
}

// Available returns nil if the keyring answers (whether or not it holds a key), else an
// error matching ErrUnavailable (or ctx's error).
func (s *Store) Available(ctx context.Context) error {
	if _, _, err := s.get(ctx); err != nil {
		return fmt.Errorf("check keyring: %w", err)
	}
	return nil
}
