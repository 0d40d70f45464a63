package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// DismissedFileName is the file, beside the settings, that remembers which notes a person
// dismissed in the window.
const DismissedFileName = "dismissed.json"

// maxDismissed bounds the notes remembered: the oldest go first.
const maxDismissed = 32

// maxNoteKeyBytes bounds one note's key (the window sends the note's own text).
const maxNoteKeyBytes = 1024

// Dismissed remembers the notes a person dismissed in the window — "No system tray was
// found…" — so that they do not come back on every start. A note is known by a key the
// window chooses (its text): a different note is shown again. It is not a setting (the
// Settings dialog never sends it, so saving settings cannot undo a dismissal), and losing
// the file only brings the notes back.
type Dismissed struct {
	path string
	mu   sync.Mutex
}

// NewDismissed returns the store kept at path.
func NewDismissed(path string) *Dismissed { return &Dismissed{path: path} }

// DismissedPath is the dismissed-notes file beside the settings file at settingsPath.
func DismissedPath(settingsPath string) string {
	return filepath.Join(filepath.Dir(settingsPath), DismissedFileName)
}

// List returns the dismissed notes' keys, oldest first. A missing file is none; an
// unreadable or broken one is none and an error saying why.
func (d *Dismissed) List() ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.list()
}

func (d *Dismissed) list() ([]string, error) {
	b, err := os.ReadFile(d.path)
	if errors.Is(err, os.ErrNotExist) {
		return []string{}, nil
	}
	if err != nil {
		return []string{}, fmt.Errorf("read dismissed notes: %w", err)
	}
	var f struct {
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return []string{}, fmt.Errorf("parse dismissed notes %s: %w", d.path, err)
	}
	if f.Notes == nil {
		f.Notes = []string{}
	}
	return f.Notes, nil
}

// Add remembers key (once; at most the newest maxDismissed keys are kept). A broken file
// is replaced: it only ever held notes to hide.
func (d *Dismissed) Add(key string) error {
	if key == "" || len(key) > maxNoteKeyBytes {
		return fmt.Errorf("a dismissed note's key must have 1 to %d bytes", maxNoteKeyBytes)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	notes, _ := d.list()
	if slices.Contains(notes, key) {
		return nil
	}
	notes = append(notes, key)
	if len(notes) > maxDismissed {
		notes = notes[len(notes)-maxDismissed:]
	}
	b, err := json.MarshalIndent(struct {
		Notes []string `json:"notes"`
	}{notes}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode dismissed notes: %w", err)
	}
	if err := writeAtomic(d.path, append(b, '\n')); err != nil {
		return fmt.Errorf("save dismissed notes: %w", err)
	}
	return nil
}
