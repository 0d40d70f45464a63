// Package atomicfile writes a file whole or not at all: a reader, or the file after a
// crash, has the old content or the new, never half of it.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data: a temporary file in the same directory, made with perm,
// synced, then renamed over path, and the directory synced so that the new name lasts
// too (where the directory can be opened). On an error path is as it was and nothing is
// left.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return fmt.Errorf("create a temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("set the temporary file's mode: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write the temporary file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync the temporary file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close the temporary file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	// Best effort: the file is in place either way, and a folder that can be written but
	// not opened (mode 0300, a reviewer's) must not make a save that worked say it failed.
	_ = SyncDir(filepath.Dir(path))
	return nil
}

// Leftovers is a glob of the temporary files a Write of path that was cut short (the
// process killed mid-write) leaves beside it.
func Leftovers(path string) string {
	return filepath.Join(filepath.Dir(path), tempPattern(path))
}

// tempPattern names Write's temporary files (os.CreateTemp's * is random): hidden, beside
// path, named after it.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".*.tmp" }
