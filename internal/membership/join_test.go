package membership

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/wire"
)

// fakeHost answers Party.hello only: a token it lets in gets a new member (session
// "new-session"); any other token, and every session, gets -32001, with data only for a
// session in removedBy (as a host since 2026-12-07 says it) — a plain one otherwise, as a
// host from before says it for every dead session.
type fakeHost struct {
	token     string            // "" lets no token in (the invite was replaced)
	removedBy map[string]string // session -> data.by, for a host that says it
	mu        sync.Mutex
	hellos    []wire.HelloParams // every hello, in order
}

func (f *fakeHost) sessions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, h := range f.hellos {
		if h.Session != "" {
			out = append(out, h.Session)
		}
	}
	return out
}

func (f *fakeHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	for {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if conn.ReadJSON(&req) != nil {
			return
		}
		if req.Method != wire.MethodHello {
			continue // a ping's reply, an event's: this host sends none
		}
		var hp wire.HelloParams
		_ = json.Unmarshal(req.Params, &hp)
		f.mu.Lock()
		f.hellos = append(f.hellos, hp)
		f.mu.Unlock()
		reply := map[string]any{"jsonrpc": "2.0", "id": req.ID}
		by, removed := f.removedBy[hp.Session]
		switch {
		case hp.Session == "" && f.token != "" && hp.Token == f.token:
			reply["result"] = wire.HelloResult{You: wire.Member{ID: "m-new", Name: hp.Name, Role: wire.RoleParticipant, Session: "new-session"}}
		case hp.Session != "" && removed:
			reply["error"] = map[string]any{"code": wire.CodeUnauthorized, "message": "unauthorized: removed", "data": wire.UnauthorizedData{Removed: true, By: by}}
		default:
			reply["error"] = map[string]any{"code": wire.CodeUnauthorized, "message": "unauthorized"}
		}
		if conn.WriteJSON(reply) != nil {
			return
		}
	}
}

// tok is the fake host's invite token (one of the length an invite needs).
const tok = "membership-test-token-0123456789"

// serveFake runs f, and is the invite of it (token tok).
func serveFake(t *testing.T, f *fakeHost, tok string) invite.Invite {
	t.Helper()
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	n, _ := strconv.Atoi(port)
	return invite.Invite{Host: host, Port: n, Token: tok}
}

// join is Store.Join of key's record as it is on disk, with what refused was given.
func join(t *testing.T, s Store, inv invite.Invite, key string) (*client.Client, error, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	was := s.Load(key)
	var refused []error
	c, err := s.Join(ctx, key, &was, nil, client.Config{Invite: inv, Name: "carol"}, was.ClientID, func(err error) { refused = append(refused, err) })
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err, refused
}

// removedBy is who a refusal said removed the member, and whether it said so at all.
func removedBy(errs []error) (string, bool) {
	var rm *client.RemovedError
	for _, err := range errs {
		if errors.As(err, &rm) {
			return rm.By, true
		}
	}
	return "", false
}

// A record that saw its removal (a 4001 close: Removed set, the session kept) refused by a
// host from before 2026-12-07 (a plain -32001, no data) still says who removed it, from
// the record, and keeps that without the session: the next join says it again, before
// anything is asked of the host, without the dead session.
func TestJoinAfterRemovalByAnOlderHost(t *testing.T) {
	f := &fakeHost{} // the invite replaced too: the join as someone new is refused
	inv := serveFake(t, f, tok)
	s := Store{Dir: t.TempDir()}
	key := Key(inv, "carol")
	if err := s.Save(key, Record{ClientID: "c1", Session: "s1", Role: wire.RoleParticipant, Name: "carol", Invite: inviteHash(tok), Removed: true, RemovedBy: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err, refused := join(t, s, inv, key)
	if !errors.Is(err, client.ErrRefused) {
		t.Fatalf("join = %v, want the invite refused", err)
	}
	if by, ok := removedBy(refused); !ok || by != "alice" || len(refused) != 1 || !errors.Is(refused[0], client.ErrRefused) {
		t.Fatalf("refused got %v, want one RemovedError by alice (a refusal)", refused)
	}
	want := Record{ClientID: "c1", Role: wire.RoleParticipant, Name: "carol", Invite: inviteHash(tok), Removed: true, RemovedBy: "alice"}
	if r := s.Load(key); r != want {
		t.Fatalf("the record after the refusal: %+v, want %+v", r, want)
	}
	if got := f.sessions(); len(got) != 1 || got[0] != "s1" {
		t.Fatalf("sessions tried: %v", got)
	}
	// Again: said from the record, the dead session not tried.
	_, err, refused = join(t, s, inv, key)
	if by, ok := removedBy(refused); !errors.Is(err, client.ErrRefused) || !ok || by != "alice" {
		t.Fatalf("the second join: %v, refused %v", err, refused)
	}
	if got := f.sessions(); len(got) != 1 {
		t.Fatalf("the dead session was tried again: %v", got)
	}
	if r := s.Load(key); r != want {
		t.Fatalf("the record after the second join: %+v, want %+v", r, want)
	}
}

// A host of now says who removed the member (data.by), which the record keeps; a host that
// says it was removed but not by whom (a journal of before) leaves the record's name.
func TestJoinAfterRemovalSaidByTheHost(t *testing.T) {
	f := &fakeHost{removedBy: map[string]string{"s1": "bob", "s2": ""}}
	inv := serveFake(t, f, tok)
	s := Store{Dir: t.TempDir()}
	for _, c := range []struct {
		session, kept, want string
		seen                bool
	}{
		{"s1", "", "bob", false},       // not seen: the host says
		{"s1", "alice", "bob", true},   // the host's word over the record's
		{"s2", "alice", "alice", true}, // the host does not say: the record's
		{"s2", "", "", false},          // no one says: "a host"
	} {
		key := Key(inv, "carol-"+c.session+c.kept)
		if err := s.Save(key, Record{ClientID: "c1", Session: c.session, Removed: c.seen, RemovedBy: c.kept}); err != nil {
			t.Fatal(err)
		}
		_, _, refused := join(t, s, inv, key)
		if by, ok := removedBy(refused); !ok || by != c.want {
			t.Errorf("%+v: refused %v, want removed by %q", c, refused, c.want)
		}
		if r := s.Load(key); !r.Removed || r.RemovedBy != c.want || r.Session != "" {
			t.Errorf("%+v: the record %+v", c, r)
		}
	}
}

// A plain refusal of a record that knew of no removal (the party ended and was resumed
// without it) is not a removal: the record is forgotten.
func TestJoinRefusedNotRemoved(t *testing.T) {
	f := &fakeHost{}
	inv := serveFake(t, f, tok)
	s := Store{Dir: t.TempDir()}
	key := Key(inv, "carol")
	if err := s.Save(key, Record{ClientID: "c1", Session: "s1", RemovedBy: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, _, refused := join(t, s, inv, key)
	if _, ok := removedBy(refused); ok || len(refused) != 1 {
		t.Fatalf("refused %v, want one plain refusal", refused)
	}
	if r := s.Load(key); r != (Record{}) {
		t.Fatalf("the record of a refused session: %+v", r)
	}
}

// Once a join succeeds after a removal, the removal is no longer said, even when the
// hello's record could not be written (a full disk): the old record said "alice removed
// you" again on every join, each one someone new.
func TestJoinAfterRemovalClearsItWhenTheHelloIsNotKept(t *testing.T) {
	f := &fakeHost{token: tok}
	inv := serveFake(t, f, tok)
	s := Store{Dir: t.TempDir()}
	key := Key(inv, "carol")
	if err := s.Save(key, Record{ClientID: "c1", Name: "carol", Removed: true, RemovedBy: "alice"}); err != nil {
		t.Fatal(err)
	}
	// No OnHello: the hello's record is not written, as on a full disk.
	c, err, refused := join(t, s, inv, key)
	if err != nil || c == nil {
		t.Fatalf("join as someone new: %v", err)
	}
	if by, ok := removedBy(refused); !ok || by != "alice" {
		t.Fatalf("refused %v, want removed by alice", refused)
	}
	c.Close()
	if r := s.Load(key); r.Removed {
		t.Fatalf("after a join that succeeded, the record still says removed: %+v", r)
	}
	_, err, refused = join(t, s, inv, key)
	if err != nil || len(refused) != 0 {
		t.Fatalf("the next join: %v, refused %v; want no removal said again", err, refused)
	}
}

// Keeper.Removed keeps the removal only of a member whose hello it kept, with its session
// (for the host to say by whom); the next hello's record forgets it.
func TestKeeperRemoved(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	inv := invite.Invite{Host: "127.0.0.1", Port: 4000, Token: "t1"}
	k, key := s.Keeper(inv, "Cleo"), Key(inv, "Cleo")
	k.Removed()
	if r := s.Load(key); r != (Record{}) {
		t.Fatalf("removed before any hello: %+v", r)
	}
	if err := k.Hello("c1", wire.HelloResult{You: wire.Member{ID: "m1", Role: wire.RoleParticipant, Session: "s1"}}); err != nil {
		t.Fatal(err)
	}
	k.Removed()
	want := Record{ClientID: "c1", Session: "s1", Role: wire.RoleParticipant, Name: "Cleo", Invite: inviteHash("t1"), Removed: true}
	if r := s.Load(key); r != want {
		t.Fatalf("after the removal: %+v, want %+v", r, want)
	}
	k2 := s.Keeper(inv, "Cleo")
	if err := k2.Hello("c1", wire.HelloResult{You: wire.Member{ID: "m2", Role: wire.RoleParticipant, Session: "s2"}}); err != nil {
		t.Fatal(err)
	}
	if r := s.Load(key); r.Removed || r.Session != "s2" {
		t.Fatalf("after the next hello: %+v", r)
	}
}
