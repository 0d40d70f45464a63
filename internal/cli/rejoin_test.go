package cli

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
	if rejoinKey(inv, "Bob") != rejoinKey(inv, "bob") || rejoinKey(inv, "bob") == rejoinKey(inv, "ann") || rejoinKey(inv, "bob") == rejoinKey(other, "bob") {
		t.Error("the key is not one per invite and name")
	}
	s := rejoinStore{dir: filepath.Join(t.TempDir(), "joined")}
	key := rejoinKey(inv, "bob")
	if r := s.load(key); r != (rejoinRecord{}) {
		t.Errorf("nothing kept yet: %+v", r)
	}
	want := rejoinRecord{ClientID: "c1", Session: "s1"}
	if err := s.save(key, want); err != nil {
		t.Fatal(err)
	}
	if r := s.load(key); r != want {
		t.Errorf("load %+v, want %+v", r, want)
	}
	if fi, err := os.Stat(s.path(key)); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("the record's file: %v %v", fi.Mode(), err)
	}
	release, ok := s.take(key)
	if !ok {
		t.Fatal("the first terminal could not take the record")
	}
	if runtime.GOOS != "windows" {
		if _, ok := s.take(key); ok {
			t.Error("a second terminal took the record while the first has it")
		}
	}
	release()
	if release, ok := s.take(key); !ok {
		t.Error("the record was not free again after its terminal let it go")
	} else {
		release()
	}
	s.forget(key)
	if r := s.load(key); r != (rejoinRecord{}) {
		t.Errorf("after forget: %+v", r)
	}
}
