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
func Write(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// File is a file being written whole, for content too large to hold in memory first: it
// is written to a temporary file beside path, and Commit puts it in place as Write does.
// Until then path is as it was; Abort (or a failed Commit) leaves nothing.
type File struct {
	f    *os.File
	path string
	done bool
}

// Create starts a File that will replace path, with mode perm.
func Create(path string, perm os.FileMode) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return nil, fmt.Errorf("create a temporary file: %w", err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("set the temporary file's mode: %w", err)
	}
	return &File{f: f, path: path}, nil
}

// Write writes to the temporary file.
func (a *File) Write(p []byte) (int, error) {
	n, err := a.f.Write(p)
	if err != nil {
		err = fmt.Errorf("write the temporary file: %w", err)
	}
	return n, err
}

// Commit syncs the temporary file and renames it over path, then syncs the directory
// (best effort). On an error path is as it was and nothing is left.
func (a *File) Commit() error {
	if a.done {
		return fmt.Errorf("replace %s: already done", a.path)
	}
	a.done = true
	err := a.f.Sync()
	if err != nil {
		err = fmt.Errorf("sync the temporary file: %w", err)
	}
	if cerr := a.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the temporary file: %w", cerr)
	}
	if err == nil {
		if rerr := os.Rename(a.f.Name(), a.path); rerr != nil {
			err = fmt.Errorf("replace %s: %w", a.path, rerr)
		}
	}
	if err != nil {
		os.Remove(a.f.Name())
		return err
	}
	// Best effort: the file is in place either way, and a folder that can be written but
	// not opened (mode 0300, a reviewer's) must not make a save that worked say it failed.
	_ = SyncDir(filepath.Dir(a.path))
	return nil
}

// Abort gives the File up: the temporary file is removed and path is as it was. It does
// nothing after Commit.
func (a *File) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}

// Leftovers is a glob of the temporary files a Write of path that was cut short (the
// process killed mid-write) leaves beside it.
func Leftovers(path string) string {
	return filepath.Join(filepath.Dir(path), tempPattern(path))
}

// tempPattern names Write's temporary files (os.CreateTemp's * is random): hidden, beside
// path, named after it.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".*.tmp" }
