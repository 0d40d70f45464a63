package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// uncheckedFile is the name, in the concordia config directory, of the note that the
// keyring's key was stored without Google having said it works (Google could not be
// reached when it was saved). It holds the key's id (KeyID), never the key: the note
// describes that key only, so a key replaced by another program is not called unchecked.
const uncheckedFile = "gemini-key-unchecked"

// KeyID identifies a key without keeping it: the start of its SHA-256, in hex.
func KeyID(key string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(key)))
	return hex.EncodeToString(sum[:8])
}

// Normalize is key as Set would store it (trimmed, a .env line's value, quotes removed),
// or the error Set would refuse it with: to check a key with Google before storing it.
func Normalize(key string) (string, error) {
	k, err := normalizeKey(key)
	if err != nil {
		return "", fmt.Errorf("store key: %w", err)
	}
	return k, nil
}

func (s *Store) uncheckedPath() string {
	if s.configDir == "" {
		return ""
	}
	return filepath.Join(s.configDir, "concordia", uncheckedFile)
}

// MarkUnchecked notes that key, just stored, was not checked with Google (it could not be
// reached, or refused only this use of it): Status says so until MarkChecked. A refusal of
// it noted before (MarkRefused) is dropped: what Google says next is not known yet.
func (s *Store) MarkUnchecked(key string) error {
	if err := s.dropRefused(KeyID(key)); err != nil {
		return fmt.Errorf("mark key unchecked: %w", err)
	}
	p := s.uncheckedPath()
	if p == "" {
		return errors.New("mark key unchecked: no config directory")
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("mark key unchecked: %w", err)
	}
	if err := atomicfile.Write(p, []byte(KeyID(key)+"\n"), 0o600); err != nil {
		return fmt.Errorf("mark key unchecked: %w", err)
	}
	return nil
}

// MarkChecked drops the notes that the key of id (KeyID) is unchecked, or was refused
// (MarkRefused): Google accepted it (a check, or a merge). A note about another key stays.
// "" drops every note (the key was deleted or replaced).
func (s *Store) MarkChecked(id string) error {
	if err := s.dropRefused(id); err != nil {
		return fmt.Errorf("mark key checked: %w", err)
	}
	p := s.uncheckedPath()
	if p == "" {
		return nil
	}
	if id != "" && s.uncheckedID() != id {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mark key checked: %w", err)
	}
	return nil
}

// uncheckedID is the id the unchecked note names; "" when there is none.
func (s *Store) uncheckedID() string {
	p := s.uncheckedPath()
	if p == "" {
		return ""
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
