package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// A file a command writes for a person (join --transcript, export -o) is written whole or
// not at all, and a device or pipe named instead of a file is written to as it is.

// followLinks is where path leads through symlinks, also to a file not made yet.
func followLinks(path string) string {
	for range 40 { // as the kernel's limit on links in a row
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path
		}
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}

// special reports whether path leads, through the kernel's links, to something that is
// neither a regular file nor a folder: a device or a pipe (/dev/stdout, >(gzip > t.gz)),
// written to as it is. It asks the kernel, not followLinks: those lead to "pipe:[N]",
// which is no path.
func special(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && !fi.Mode().IsRegular()
}

// writable says why a file cannot be written at path, or nil: its folder must exist and
// take a new file, and path must not be a folder.
func writable(path string) error {
	if special(path) {
		return nil
	}
	path = followLinks(path)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return errors.New("is a folder")
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".concordia-check-*")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("the folder %s does not exist", dir)
		}
		return fmt.Errorf("cannot write in %s: %w", dir, errors.Unwrap(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// wholeFile is a file a command writes for a person as it goes, too large to hold first
// (export -o): a regular file is written beside its path and put in place by commit, whole
// or not at all; a device or a pipe is written to as it is.
type wholeFile struct {
	io.Writer
	commit func() error
	abort  func()
}

// createWhole starts the wholeFile of path, through a symlink to where it points. Call
// abort when done (it does nothing after a commit).
func createWhole(path string) (*wholeFile, error) {
	if special(path) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		closed := false
		done := func() error {
			if closed {
				return nil
			}
			closed = true
			return f.Close()
		}
		return &wholeFile{Writer: f, commit: done, abort: func() { _ = done() }}, nil
	}
	f, err := atomicfile.Create(followLinks(path), 0o600)
	if err != nil {
		return nil, err
	}
	return &wholeFile{Writer: f, commit: f.Commit, abort: f.Abort}, nil
}

// writeWhole writes data to a regular file whole or not at all (a stop cut short never leaves
// half a file), through a symlink to where it points; a device or a pipe is written to as
// it is.
func writeWhole(path string, data []byte) error {
	if !special(path) {
		return atomicfile.Write(followLinks(path), data, 0o600)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// inFolderOf reports whether the file path would be made in dir, through links:
// export -o must not replace a party's journal, nor write among them.
func inFolderOf(path, dir string) bool {
	a, err := os.Stat(filepath.Dir(followLinks(path)))
	if err != nil {
		return false
	}
	b, err := os.Stat(dir)
	return err == nil && os.SameFile(a, b)
}
