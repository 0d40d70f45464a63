package membership

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/invite"
)

// TestRejoinStore: a record is kept per invite and name (the name as the party compares
// it), readable by its user only; one terminal at a time has it.
func TestRejoinStore(t *testing.T) {
	inv := invite.Invite{Host: "127.0.0.1", Port: 4242, Token: "tok"}
	other := inv
	other.Token = "rotated"
	if KeyFor(inv, "Bob") != KeyFor(inv, "bob") || KeyFor(inv, "bob") == KeyFor(inv, "ann") || KeyFor(inv, "bob") == KeyFor(other, "bob") {
		t.Error("the key is not one per invite and name")
	}
	if KeyFor(inv, "bob").host != "" {
		t.Error("an invite without TLS names its host")
	}
	s := Store{Dir: filepath.Join(t.TempDir(), "joined")}
	key := KeyFor(inv, "bob")
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
	if fi, err := os.Stat(s.path(key.invite)); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
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

// A lock let go a moment ago is taken: a forked child can hold a copy of the descriptor
// until it execs, and a window that left a party and joined again became someone new (CI's,
// under load). Here another open file holds the lock for a moment.
func TestTakeWaitsForALockLetGoAMomentAgo(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	s := Store{Dir: t.TempDir()}
	held, ok := lock(filepath.Join(s.Dir, "k.lock"))
	if !ok {
		t.Fatal("the first lock")
	}
	time.AfterFunc(100*time.Millisecond, func() { held.Close() })
	release, ok := s.take("k")
	if !ok {
		t.Fatal("Take gave up on a lock let go 100 ms later")
	}
	release()
	// Held for good by another: Take gives up, within a moment.
	other, ok := lock(filepath.Join(s.Dir, "k.lock"))
	if !ok {
		t.Fatal("the lock after release")
	}
	defer other.Close()
	start := time.Now()
	if _, ok := s.take("k"); ok {
		t.Fatal("Take took a lock another holds")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Take waited %v", d)
	}
}

// Another invite of the same host (its certificate) and name finds the record, as a guess:
// a tester's co-host, back with the invite /rotate gave out, or with the one a resume on
// another port gave out, was someone new. Another name, or a host without TLS, does not.
func TestAnotherInviteOfTheSameHost(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	inv := invite.Invite{Host: "127.0.0.1", Port: 4242, Token: "tok", Fingerprint: fp}
	rotated, moved := inv, inv
	rotated.Token = "rotated"
	moved.Port = 4343
	s := Store{Dir: t.TempDir()}
	want := Record{ClientID: "c1", Session: "s1"}
	if err := s.Save(KeyFor(inv, "carol"), want); err != nil {
		t.Fatal(err)
	}
	if r := s.Load(KeyFor(inv, "Carol")); r != want || r.Guess() {
		t.Errorf("the same invite: %+v (guess %v)", r, r.Guess())
	}
	for _, other := range []invite.Invite{rotated, moved} {
		r := s.Load(KeyFor(other, "carol"))
		if r.ClientID != "c1" || r.Session != "s1" || !r.Guess() {
			t.Errorf("%s: %+v (guess %v), want the record as a guess", other, r, r.Guess())
		}
	}
	if r := s.Load(KeyFor(rotated, "bob")); r != (Record{}) {
		t.Errorf("another name: %+v", r)
	}
	plain := rotated
	plain.Fingerprint = ""
	if r := s.Load(KeyFor(plain, "carol")); r != (Record{}) {
		t.Errorf("without TLS: %+v", r)
	}
	// One terminal at a time is carol, whichever invite each has.
	release, ok := s.Take(KeyFor(inv, "carol"))
	if !ok {
		t.Fatal("the first terminal could not take the record")
	}
	defer release()
	if runtime.GOOS != "windows" {
		if _, ok := s.Take(KeyFor(rotated, "carol")); ok {
			t.Error("a second terminal with the rotated invite took carol's record while the first has it")
		}
	}
	s.Forget(KeyFor(rotated, "carol"))
	if r := s.Load(KeyFor(rotated, "carol")); r != (Record{}) {
		t.Errorf("after forget: %+v", r)
	}
}
