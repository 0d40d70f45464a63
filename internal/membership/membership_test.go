package membership

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/wire"
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
	release, ok := s.Take("k")
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
	if _, ok := s.Take("k"); ok {
		t.Fatal("Take took a lock another holds")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Take waited %v", d)
	}
}

// Of an invite only its token names the record: a party resumed on another port gives out
// the same tokens, and a tester's member, back with the new invite, was someone new. A
// record kept under the key of before is found, and moved.
func TestKeyIsTheTokens(t *testing.T) {
	inv := invite.Invite{Host: "127.0.0.1", Port: 4242, Token: "tok"}
	moved := inv
	moved.Host, moved.Port = "192.0.2.7", 4343
	if Key(inv, "bob") != Key(moved, "bob") {
		t.Error("another port or address of the same invite is another record")
	}
	s := Store{Dir: t.TempDir()}
	want := Record{ClientID: "c1", Session: "s1"}
	if err := s.Save(legacyKey(inv, "bob"), want); err != nil {
		t.Fatal(err)
	}
	if r := s.Find(moved, "bob"); r != (Record{}) {
		t.Errorf("a record of before, of another address: %+v", r)
	}
	if r := s.Find(inv, "Bob"); r != want {
		t.Errorf("the record of before: %+v, want %+v", r, want)
	}
	if r := s.Load(Key(inv, "bob")); r != want {
		t.Errorf("not moved under the key: %+v", r)
	}
	if r := s.Load(legacyKey(inv, "bob")); r != (Record{}) {
		t.Errorf("the record of before is still there: %+v", r)
	}
}

// ClientID is one per data directory, host and name (any case), kept; another host (or
// data directory) gets another, which it cannot link to this one; none kept without a
// directory.
func TestClientID(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	h1 := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t1"}
	rotated := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t2"}
	tls := invite.Invite{Host: "10.0.0.2", Port: 4000, Token: "t3", Fingerprint: strings.Repeat("ab", 32)}
	moved := invite.Invite{Host: "10.0.0.9", Port: 5000, Token: "t4", Fingerprint: strings.Repeat("ab", 32)}
	a := s.ClientID(h1, "Alice")
	if len(a) != 24 || s.ClientID(rotated, "alice") != a || (Store{Dir: s.Dir}).ClientID(h1, "ALICE") != a {
		t.Fatalf("alice's client_id %q is not kept for the host", a)
	}
	if s.ClientID(h1, "bob") == a || s.ClientID(tls, "alice") == a {
		t.Fatal("bob, or another host, has alice's client_id")
	}
	if s.ClientID(tls, "alice") != s.ClientID(moved, "alice") {
		t.Fatal("a TLS host that moved (same certificate) gives another client_id")
	}
	if b := (Store{Dir: t.TempDir()}).ClientID(h1, "alice"); b == a {
		t.Fatal("another data directory has the same client_id")
	}
	if (Store{}).ClientID(h1, "alice") == (Store{}).ClientID(h1, "alice") {
		t.Fatal("no directory: the same client_id twice")
	}
}

// TestKnown: a client_id is known once a record under any invite holds it, not before.
func TestKnown(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	h1 := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t1"}
	id := s.ClientID(h1, "alice")
	if s.Known(id) || (Store{}).Known(id) || s.Known("") {
		t.Fatal("known before any record")
	}
	if err := s.Save(Key(h1, "alice"), Record{ClientID: id, Session: "s1"}); err != nil {
		t.Fatal(err)
	}
	if !s.Known(id) || s.Known(s.ClientID(h1, "bob")) {
		t.Fatal("alice's client_id unknown after her record, or bob's known")
	}
}

// TestLendable: the sessions lent to an invite with no record are those of the same
// client_id last known as a co-host, newest first, at most maxLent, and only to an invite
// that pins its host's certificate (a reviewer's: a participant's session made a member
// given the host invite a participant; an address alone may be another party's later).
func TestLendable(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	inv := func(token string) invite.Invite {
		return invite.Invite{Host: "127.0.0.1", Port: 4000, Token: token, Fingerprint: strings.Repeat("ab", 32)}
	}
	id := s.ClientID(inv("t0"), "alice")
	at := time.Now().Add(-time.Hour)
	save := func(token, session, role string) {
		t.Helper()
		if err := s.Save(Key(inv(token), "alice"), Record{ClientID: id, Session: session, Role: role}); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
		if err := os.Chtimes(filepath.Join(s.Dir, Key(inv(token), "alice")+".json"), at, at); err != nil {
			t.Fatal(err)
		}
	}
	save("t1", "s-participant", wire.RoleParticipant)
	save("t2", "s-old", "") // kept before roles were
	save("t3", "s-host-1", wire.RoleHost)
	save("t4", "s-host-2", wire.RoleHost)
	save("t5", "s-host-3", wire.RoleHost)
	save("t6", "s-host-4", wire.RoleHost)
	var got []string
	for _, l := range s.Lendable(inv("new"), id) {
		got = append(got, l.Record.Session)
		if l.Key != Key(inv(map[string]string{"s-host-4": "t6", "s-host-3": "t5", "s-host-2": "t4"}[l.Record.Session]), "alice") {
			t.Errorf("the key of %s: %s", l.Record.Session, l.Key)
		}
	}
	if want := []string{"s-host-4", "s-host-3", "s-host-2"}; !slices.Equal(got, want) {
		t.Errorf("lent %v, want %v", got, want)
	}
	plain := inv("new")
	plain.Fingerprint = ""
	if l := s.Lendable(plain, id); len(l) != 0 {
		t.Errorf("lent to an invite with no fingerprint: %v", l)
	}
	// A co-host a host removed is not lent, newest as it is: its session is dead, and the
	// join would be refused as that member where it may join as itself.
	if err := s.Save(Key(inv("t7"), "alice"), Record{ClientID: id, Session: "s-removed", Role: wire.RoleHost, Removed: true, RemovedBy: "bob"}); err != nil {
		t.Fatal(err)
	}
	for _, l := range s.Lendable(inv("new"), id) {
		if l.Record.Removed {
			t.Errorf("a removed co-host's record was lent: %+v", l)
		}
	}
	if l := s.Lendable(inv("new"), s.ClientID(inv("t0"), "bob")); len(l) != 0 {
		t.Errorf("alice's lent to bob: %v", l)
	}
}

// TestKeeperKeepsTheRole: the record follows the member's role, from its hello and from
// each change of it, not another member's.
func TestKeeperKeepsTheRole(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	inv := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t1"}
	k, key := s.Keeper(inv, "Cleo"), Key(inv, "Cleo")
	if err := k.Hello("c1", wire.HelloResult{You: wire.Member{ID: "m1", Role: wire.RoleParticipant, Session: "s1"}}); err != nil {
		t.Fatal(err)
	}
	base := Record{ClientID: "c1", Session: "s1", Name: "Cleo", Invite: inviteHash("t1")}
	want := base
	want.Role = wire.RoleParticipant
	if r := s.Load(key); r != want {
		t.Fatalf("after the hello: %+v, want %+v", r, want)
	}
	k.Event(wire.Event{Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m2", Role: wire.RoleHost}})
	if r := s.Load(key); r.Role != wire.RoleParticipant {
		t.Fatalf("another member's change was kept: %+v", r)
	}
	k.Event(wire.Event{Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m1", Role: wire.RoleHost}})
	want.Role = wire.RoleHost
	if r := s.Load(key); r != want {
		t.Fatalf("after being made a co-host: %+v, want %+v", r, want)
	}
}

// A client-secret a full disk left empty (or cut short) is replaced, not kept: a tester's
// empty file made every join after it someone new, long after the disk had room again.
// Two first joins at once still keep one key between them.
func TestClientSecretCutShortIsReplaced(t *testing.T) {
	inv := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t1"}
	for _, damaged := range []string{"", "3f2a"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "client-secret"), []byte(damaged), 0o600); err != nil {
			t.Fatal(err)
		}
		s := Store{Dir: dir}
		a := s.ClientID(inv, "alice")
		if b := s.ClientID(inv, "alice"); b != a {
			t.Fatalf("with %q there: %q, then %q", damaged, a, b)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "client-secret")); len(b) != 64 {
			t.Fatalf("with %q there, the file now holds %q", damaged, b)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".client-secret-*")); len(left) != 0 {
			t.Fatalf("left behind: %v", left)
		}
	}
	dir := t.TempDir()
	ids := make(chan string, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids <- Store{Dir: dir}.ClientID(inv, "alice")
		}()
	}
	wg.Wait()
	close(ids)
	first := <-ids
	for id := range ids {
		if id != first {
			t.Fatalf("first joins at once: %q and %q", first, id)
		}
	}
}

// TestLastName: the name this directory last joined a party under, through the same
// invite, else through another invite of the same host; none for another host (a window
// tester reopened the window, joined again with the settings' name, and was someone new).
func TestLastName(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	inv := func(port int, token string) invite.Invite {
		return invite.Invite{Host: "127.0.0.1", Port: port, Token: token, Fingerprint: strings.Repeat("cd", 32)[:64-port%10]}
	}
	a, rotated, other := inv(4000, "t1"), inv(4000, "t2"), inv(4001, "t3")
	if got := s.LastName(a); got != "" {
		t.Fatalf("LastName with no records = %q", got)
	}
	at := time.Now().Add(-time.Hour)
	join := func(i invite.Invite, name string) {
		t.Helper()
		if err := s.Keeper(i, name).Hello(s.ClientID(i, name), wire.HelloResult{You: wire.Member{ID: "m", Session: "s", Role: wire.RoleParticipant}}); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
		if err := os.Chtimes(filepath.Join(s.Dir, Key(i, name)+".json"), at, at); err != nil {
			t.Fatal(err)
		}
	}
	join(a, "Cleo")
	join(other, "Dee") // another host: never a's
	if got := s.LastName(a); got != "Cleo" {
		t.Errorf("LastName(a) = %q, want Cleo", got)
	}
	if got, want := s.LastJoined(a), (Joined{Name: "Cleo", Role: wire.RoleParticipant}); got != want {
		t.Errorf("LastJoined(a) = %+v, want %+v", got, want)
	}
	if got := s.LastName(rotated); got != "Cleo" {
		t.Errorf("LastName of a rotated invite of that host = %q, want Cleo", got)
	}
	if got := s.LastJoined(rotated); got != (Joined{}) {
		// Not told from another party's invite before connecting: the dialog says nothing.
		t.Errorf("LastJoined of another invite of that host = %+v, want none", got)
	}
	join(rotated, "Cleo B")
	if got := s.LastName(a); got != "Cleo" {
		t.Errorf("LastName(a) after a join through another invite = %q, want Cleo (its own)", got)
	}
	if got := s.LastName(other); got != "Dee" {
		t.Errorf("LastName(other) = %q, want Dee", got)
	}
	if got := (Store{}).LastName(a); got != "" {
		t.Errorf("no directory: %q", got)
	}
}

// TestLastJoinedAfterTheEnd: a member whose party was seen to end is not named for another
// invite of its host, which is then another party's (a window tester's "You'll rejoin as
// bea (viewer)" of the next party's invite): a terminal's LastName names it for one only
// while the party was not seen to end, the window's LastJoined never (a window closed
// before the end cannot know of it); the party's own invite (a resume keeps it) still
// names it.
func TestLastJoinedAfterTheEnd(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	fp := strings.Repeat("ab", 32)
	party1 := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t1", Fingerprint: fp}
	party2 := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t2", Fingerprint: fp}
	k := s.Keeper(party1, "bea")
	if err := k.Hello(s.ClientID(party1, "bea"), wire.HelloResult{You: wire.Member{ID: "m", Session: "s", Role: wire.RoleViewer}}); err != nil {
		t.Fatal(err)
	}
	bea := Joined{Name: "bea", Role: wire.RoleViewer}
	if got := s.LastName(party2); got != bea.Name {
		t.Fatalf("LastName of another invite while the party runs = %q, want %q", got, bea.Name)
	}
	if got := s.LastJoined(party2); got != (Joined{}) {
		t.Fatalf("LastJoined of another invite while the party runs = %+v, want none", got)
	}
	k.Ended()
	if got := s.LastName(party2); got != "" {
		t.Errorf("LastName of another invite of the host after the end = %q, want none", got)
	}
	if got := s.LastJoined(party2); got != (Joined{}) {
		t.Errorf("LastJoined of another invite of the host after the end = %+v, want none", got)
	}
	if got := s.LastJoined(party1); got != bea {
		t.Errorf("LastJoined of the party's own invite after the end = %+v, want %+v", got, bea)
	}
	if got := s.LastName(party1); got != bea.Name {
		t.Errorf("LastName of the party's own invite after the end = %q, want %q", got, bea.Name)
	}
}
