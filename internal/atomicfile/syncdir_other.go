//go:build !unix

package atomicfile

// SyncDir does nothing where a directory cannot be opened to sync it (Windows, whose
// file systems keep a name with its file's metadata).
func SyncDir(dir string) error { return nil }
