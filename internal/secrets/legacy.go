package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/joho/godotenv"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// maxLegacyBytes bounds the legacy file we are willing to read; the prototype wrote one line.
const maxLegacyBytes = 1 << 20

// Migration reports what MigrateLegacy found and did. It never holds the key.
type Migration struct {
	// Found reports whether the legacy file holds a GEMINI_API_KEY.
	Found bool
	// Migrated reports whether the key is now in the keyring (taken from the file).
	Migrated bool
	// Path is the legacy file's path, whether or not it exists; "" when there is no
	// config directory to look in.
	Path string
	// Reason is a sentence for a person saying what happened when Found is true, or why
	// the file could not be read; "" when there was nothing to do.
	Reason string
}

// LegacyPath is the path of the prototype's .env file: <config dir>/concordia/.env, or ""
// when there is no config directory. With $XDG_CONFIG_HOME set, it is
// ~/.config/concordia/.env when only that one exists.
func (s *Store) LegacyPath() string {
	if s.configDir == "" {
		return ""
	}
	p := filepath.Join(s.configDir, "concordia", ".env")
	if s.altConfigDir != "" {
		alt := filepath.Join(s.altConfigDir, "concordia", ".env")
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Lstat(alt); err == nil {
				return alt
			}
		}
	}
	return p
}

// errLegacySyntax stands for a godotenv parse error, whose text quotes the file (and so
// possibly the key); it is never wrapped for that reason.
var errLegacySyntax = errors.New("not valid .env syntax")

// readLegacy reads the legacy file. A missing file is (nil, nil, nil).
func readLegacy(path string) (data []byte, vars map[string]string, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxLegacyBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxLegacyBytes {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes", path, maxLegacyBytes)
	}
	if data == nil {
		data = []byte{} // present but empty: distinct from missing
	}
	// UnmarshalBytes is godotenv.Read's parser without the file handling; like Read it
	// never touches the process environment. We need the bytes too, to rewrite the file.
	vars, err = godotenv.UnmarshalBytes(data)
	if err != nil {
		return data, nil, errLegacySyntax
	}
	return data, vars, nil
}

// legacyPresent is the legacy file's path if it still holds a GEMINI_API_KEY, else "".
// A file that does not parse but mentions the variable counts as holding one.
func (s *Store) legacyPresent() string {
	path := s.LegacyPath()
	if path == "" {
		return ""
	}
	data, vars, err := readLegacy(path)
	switch {
	case err != nil && bytes.Contains(data, []byte(EnvKey)):
		return path
	case err != nil || data == nil:
		return ""
	case strings.TrimSpace(vars[EnvKey]) != "":
		return path
	}
	return ""
}

// MigrateLegacy moves a GEMINI_API_KEY from the prototype's plain-text .env file into the
// keyring. The key is written, read back and compared first; only then is its line removed
// from the file, and the file deleted when no other variable is left in it (other
// variables are kept, the file rewritten with mode 0600).
//
// Nothing to migrate is (Migration{Path: …}, nil). Every other outcome fills Reason with
// a sentence for the user, and the error is nil only when the key is in the keyring and
// gone from the file. When the keyring is unavailable (error matching ErrUnavailable) or
// already holds a different key (ErrLegacyConflict), the file is left untouched.
func (s *Store) MigrateLegacy(ctx context.Context) (Migration, error) {
	m := Migration{Path: s.LegacyPath()}
	if m.Path == "" {
		return m, nil
	}
	data, vars, err := readLegacy(m.Path)
	if errors.Is(err, errLegacySyntax) {
		m.Found = bytes.Contains(data, []byte(EnvKey))
		if !m.Found {
			return m, nil // not ours to judge: it holds no key
		}
		m.Reason = "the file is not valid .env syntax, so it was left as is; store the key again (Settings in the window, or `concordia key set`) and delete the file by hand"
		return m, fmt.Errorf("read legacy key file %s: %w", m.Path, err)
	}
	if err != nil {
		m.Reason = "the file could not be read: " + err.Error()
		return m, fmt.Errorf("read legacy key file: %w", err)
	}
	key := strings.TrimSpace(vars[EnvKey])
	if data == nil || key == "" {
		return m, nil
	}
	m.Found = true
	if key, err = normalizeKey(key); err != nil {
		m.Reason = "its GEMINI_API_KEY is not a valid key, so the file was left as is"
		return m, fmt.Errorf("migrate legacy key: %w", err)
	}

	how, err := s.call(ctx, func(b Backend) (string, error) { return moveIn(b, key) })
	switch {
	case errors.Is(err, ErrLegacyConflict):
		m.Reason = "the OS keyring already holds a different Gemini key, so neither was changed; remove the GEMINI_API_KEY line from the file by hand, or delete the keyring's key first to migrate it"
		return m, fmt.Errorf("migrate legacy key: %w", err)
	case errors.Is(err, ErrUnavailable):
		m.Reason = "the OS keyring is unavailable (" + unavailableReason(err) + "), so the file was left as is"
		return m, fmt.Errorf("migrate legacy key: %w", err)
	case err != nil:
		m.Reason = "the key could not be stored in the OS keyring (" + err.Error() + "), so the file was left as is"
		return m, fmt.Errorf("migrate legacy key: %w", err)
	}
	m.Migrated = true
	s.log.Info("moved legacy Gemini key into the OS keyring", "path", m.Path)

	deleted, err := scrubLegacy(m.Path, data, vars, key)
	if err != nil {
		m.Reason = "the key is now in the OS keyring, but the file could not be cleaned (" + err.Error() + "); remove its GEMINI_API_KEY line by hand"
		return m, fmt.Errorf("clean legacy key file: %w", err)
	}
	m.Reason = how + " and "
	if deleted {
		m.Reason += "deleted the file"
	} else {
		m.Reason += "removed it from the file, keeping its other variables"
	}
	return m, nil
}

// DropLegacy removes the GEMINI_API_KEY line from the legacy file, for a host who has just
// replaced or deleted the keyring's key: the file's older key, left there because the
// keyring held another (ErrLegacyConflict), came back into the keyring at the next
// migration, after the host had replaced it and then deleted it (a tester's). It says
// which file it cleaned ("" when there was nothing to drop) and whether it deleted it;
// the file's other variables are kept, as a migration keeps them.
func (s *Store) DropLegacy() (path string, deleted bool, err error) {
	path = s.LegacyPath()
	if path == "" {
		return "", false, nil
	}
	data, vars, err := readLegacy(path)
	if err != nil {
		if errors.Is(err, errLegacySyntax) && !bytes.Contains(data, []byte(EnvKey)) {
			return "", false, nil // not ours: it holds no key (a reviewer's was warned of one)
		}
		if errors.Is(err, errLegacySyntax) {
			return path, false, fmt.Errorf("the file %s is not valid .env syntax; delete its GEMINI_API_KEY line by hand", path)
		}
		return path, false, fmt.Errorf("read legacy key file: %w", err)
	}
	key := strings.TrimSpace(vars[EnvKey])
	if data == nil || key == "" {
		return "", false, nil
	}
	deleted, err = scrubLegacy(path, data, vars, key)
	if err != nil {
		return path, false, fmt.Errorf("clean legacy key file %s: %w", path, err)
	}
	s.log.Info("removed the legacy Gemini key", "path", path)
	return path, deleted, nil
}

// moveIn puts key into the keyring unless the keyring holds it already, verifies, and
// says which it did. A different key already there wins: ErrLegacyConflict. It runs
// inside call.
func moveIn(b Backend, key string) (string, error) {
	cur, err := b.Get(Service, Account)
	cur = strings.TrimSpace(cur)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && cur == ""):
		if err := writeVerified(b, key); err != nil {
			return "", err
		}
		return "moved the key into the OS keyring", nil
	case err != nil:
		return "", unavailable(err, key)
	case cur == key:
		return "found the key already in the OS keyring", nil
	default:
		return "", ErrLegacyConflict
	}
}

// keyLine matches a line that defines GEMINI_API_KEY, in godotenv's syntax (optional
// "export ", "=" or ":").
var keyLine = regexp.MustCompile(`^\s*(?:export\s+)?` + EnvKey + `\s*[=:]`)

// scrubLegacy removes the GEMINI_API_KEY lines from the legacy file whose content was
// data (parsed as vars). It deletes the file when no other variable is left, else rewrites
// it (mode 0600). Before touching anything it checks that the result parses to exactly
// the other variables and no longer contains the key, and that the file has not changed
// since it was read; otherwise it leaves the file alone and says why.
func scrubLegacy(path string, data []byte, vars map[string]string, key string) (deleted bool, err error) {
	lines := strings.SplitAfter(string(data), "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !keyLine.MatchString(l) {
			kept = append(kept, l)
		}
	}
	out := []byte(strings.Join(kept, ""))

	want := maps.Clone(vars)
	delete(want, EnvKey)
	got, err := godotenv.UnmarshalBytes(out)
	if err != nil || !maps.Equal(got, want) {
		return false, errors.New("its other lines depend on the key or span several lines")
	}
	if bytes.Contains(out, []byte(key)) {
		return false, errors.New("the key also appears elsewhere in it")
	}

	now, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("re-read: %w", err)
	}
	if !bytes.Equal(now, data) {
		return false, errors.New("it changed while the key was being moved")
	}

	if len(want) == 0 {
		if err := os.Remove(path); err != nil {
			return false, fmt.Errorf("delete: %w", err)
		}
		return true, nil
	}
	if err := atomicfile.Write(path, out, 0o600); err != nil {
		return false, err
	}
	return false, nil
}
