package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes content to dir/rel, making its folders: a working directory's files,
// as a test lays them out.
func WriteFile(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
