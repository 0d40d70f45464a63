//go:build unix

package atomicfile

import (
	"fmt"
	"os"
)

// SyncDir makes the names in dir durable: a file created or renamed there survives a
// crash of the machine only once its directory is synced, however often the file itself
// was.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s to sync it: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
