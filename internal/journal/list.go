package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoParties: the data directory holds no party journal.
var ErrNoParties = errors.New("no parties in this data directory")

// List reads every journal in dataDir, the most recently active first. Files that are not
// journals are left out.
func List(dataDir string) ([]*Summary, error) {
	entries, err := os.ReadDir(Dir(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	var out []*Summary
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		s, err := Read(filepath.Join(Dir(dataDir), e.Name()), nil)
		if err != nil {
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastActive.After(out[j].LastActive) })
	return out, nil
}

// Latest is the id of the party whose journal was written last (by the file's time).
func Latest(dataDir string) (string, error) {
	entries, err := os.ReadDir(Dir(dataDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("list parties: %w", err)
	}
	best, id := int64(-1), ""
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".jsonl") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if t := info.ModTime().UnixNano(); t > best {
			best, id = t, strings.TrimSuffix(name, ".jsonl")
		}
	}
	if id == "" {
		return "", ErrNoParties
	}
	return id, nil
}

// ValidID reports whether id can name a party journal (no path separators or dots).
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
