package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// refusedFile is the name, in the concordia config directory, of the note of the keys
// Google refused as keys (merge.ErrInvalidKey) when last asked: one line per key, its id
// (KeyID, never the key) and when, so that another process knows too (a tester's `key
// status` said "holds a key" right after `key check` said Google refused it, and a new
// party would have sent the members' prompts to it).
const refusedFile = "gemini-key-refused"

// maxRefused bounds the note: the keys refused most recently are kept.
const maxRefused = 16

func (s *Store) refusedPath() string {
	if s.configDir == "" {
		return ""
	}
	return filepath.Join(s.configDir, "concordia", refusedFile)
}

// refusal is one line of the note.
type refusal struct {
	id string
	at time.Time
}

// refusals reads the note; a missing or unreadable note holds none, and a line that
// does not read is skipped.
func (s *Store) refusals() []refusal {
	p := s.refusedPath()
	if p == "" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var rs []refusal
	for line := range strings.Lines(string(b)) {
		id, when, ok := strings.Cut(strings.TrimSpace(line), " ")
		at, err := time.Parse(time.RFC3339, when)
		if !ok || id == "" || err != nil {
			continue
		}
		rs = append(rs, refusal{id: id, at: at})
	}
	return rs
}

// writeRefusals replaces the note with rs; none removes it.
func (s *Store) writeRefusals(rs []refusal) error {
	p := s.refusedPath()
	if p == "" {
		return errors.New("no config directory")
	}
	if len(rs) == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s %s\n", r.id, r.at.UTC().Format(time.RFC3339))
	}
	return atomicfile.Write(p, []byte(b.String()), 0o600)
}

// MarkRefused notes that Google refused the key of id (KeyID) as a key (merge.ErrInvalidKey;
// not merge.ErrKeyDenied, a refusal of this use that is fixed on Google's side) at at:
// RefusedAt says so, in this process and others, until MarkChecked.
func (s *Store) MarkRefused(id string, at time.Time) error {
	if id == "" {
		return nil
	}
	rs := []refusal{{id: id, at: at}}
	for _, r := range s.refusals() {
		if r.id != id && len(rs) < maxRefused {
			rs = append(rs, r)
		}
	}
	if err := s.writeRefusals(rs); err != nil {
		return fmt.Errorf("mark key refused: %w", err)
	}
	return nil
}

// RefusedAt says when Google last refused the key of id (MarkRefused); ok is false when no
// refusal of it is noted.
func (s *Store) RefusedAt(id string) (at time.Time, ok bool) {
	if id == "" {
		return time.Time{}, false
	}
	for _, r := range s.refusals() {
		if r.id == id {
			return r.at, true
		}
	}
	return time.Time{}, false
}

// dropRefused drops the note of a refusal of the key of id; "" drops every one.
func (s *Store) dropRefused(id string) error {
	rs := s.refusals()
	kept := rs[:0]
	for _, r := range rs {
		if id != "" && r.id != id {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(rs) && id != "" {
		return nil
	}
	if s.refusedPath() == "" {
		return nil
	}
	if err := s.writeRefusals(kept); err != nil {
		return fmt.Errorf("drop key refusal: %w", err)
	}
	return nil
}
