package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDismissedRemembersAcrossStores(t *testing.T) {
	path := DismissedPath(filepath.Join(t.TempDir(), "concordia", FileName))
	d := NewDismissed(path)
	if got, err := d.List(); err != nil || len(got) != 0 {
		t.Fatalf("a new store lists %q, %v; want nothing", got, err)
	}
	for _, k := range []string{"tray: none", "tray: none", "other"} {
		if err := d.Add(k); err != nil {
			t.Fatal(err)
		}
	}
	// A second store on the same file: what a restarted app reads.
	got, err := NewDismissed(path).List()
	if err != nil || !slices.Equal(got, []string{"tray: none", "other"}) {
		t.Fatalf("after a restart: %q, %v", got, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: %v, %v", fi, err)
	}
}

func TestDismissedKeepsTheNewest(t *testing.T) {
	d := NewDismissed(filepath.Join(t.TempDir(), DismissedFileName))
	for i := range maxDismissed + 5 {
		if err := d.Add(fmt.Sprint("note ", i)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := d.List()
	if len(got) != maxDismissed || got[0] != "note 5" || got[len(got)-1] != fmt.Sprint("note ", maxDismissed+4) {
		t.Fatalf("kept %d: first %q, last %q", len(got), got[0], got[len(got)-1])
	}
}

func TestDismissedBrokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), DismissedFileName)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := NewDismissed(path)
	if got, err := d.List(); err == nil || len(got) != 0 {
		t.Fatalf("a broken file lists %q, %v; want nothing and an error", got, err)
	}
	if err := d.Add("tray"); err != nil {
		t.Fatal(err)
	}
	if got, err := d.List(); err != nil || !slices.Equal(got, []string{"tray"}) {
		t.Fatalf("after Add over a broken file: %q, %v", got, err)
	}
	if err := d.Add(""); err == nil {
		t.Fatal("an empty key was taken")
	}
}
