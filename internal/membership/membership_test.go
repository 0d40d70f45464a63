package membership

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/concordia-party/concordia/internal/invite"
)

// TestRejoinStore: a record is kept per invite and name (the name as the party compares
// it), readable by its user only; one terminal at a time has it.
func TestRejoinStore(t *testing.T) {
	inv := invite.Invite{Host: "127.0.0.1", Port: 4242, Token: "tok"}
	other := inv
	other.Token = "rotated"
	if Key(inv, "Bob") != Key(inv, "bob") || Key(inv, "bob") == Key(inv, "ann") || Key(inv, "bob") == Key(other, "bob") {
		t.Error("the key is not one per invite and name")
	}
	s := Store{Dir: filepath.Join(t.TempDir(), "joined")}
	key := Key(inv, "bob")
	if r := s.Load(key); r != (Record{}) {
		t.Errorf("nothing kept yet: %+v", r)
	}
	want := Record{ClientID: "c1", Session: "s1"}
	if err := s.Save(key, want); err != nil {
		t.Fatal(err)
	}
	if r := s.Load(key); r != want {
		t.Errorf("load %+v, want %+v", r, want)
	}
	if fi, err := os.Stat(s.path(key)); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("the record's file: %v %v", fi.Mode(), err)
	}
	release, ok := s.Take(key)
	if !ok {
		t.Fatal("the first terminal could not take the record")
	}
	if runtime.GOOS != "windows" {
		if _, ok := s.Take(key); ok {
			t.Error("a second terminal took the record while the first has it")
		}
	}
	release()
	if release, ok := s.Take(key); !ok {
		t.Error("the record was not free again after its terminal let it go")
	} else {
		release()
	}
	s.Forget(key)
	if r := s.Load(key); r != (Record{}) {
		t.Errorf("after forget: %+v", r)
	}
}
