// Package membership keeps what brings a terminal or a window back into a party as the
// same member after it was closed or killed: its client_id and its member session
// (PROTOCOL.md §4), one record per invite and name, in the data directory.
package membership

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/atomicfile"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Without it a restarted `join` was a new member of the same name — a co-host lost the
// role, and the old one stayed "away" for a host to guess which to /kick (a tester's); the
// window had the same fault. One file per invite and name, readable by its user only: the
// session is a secret, as the invite's token is. A terminal and a window that share a
// data directory share the records; one of them at a time uses each (Take).

// Record is what a terminal or window keeps of its membership.
type Record struct {
	ClientID string `json:"client_id"`
	Session  string `json:"session"`
	// Role is the member's role as this terminal or window last knew it ("" in a record
	// kept before 2026-12-06): a co-host's session is lent to an invite of its host that
	// has no record (Lendable).
	Role string `json:"role,omitempty"`
	// Name is the name it joined under, and Invite its invite's token hashed (both since
	// 2026-12-06): what LastJoined and LastName find.
	Name   string `json:"name,omitempty"`
	Invite string `json:"invite,omitempty"`
	// Removed (since 2026-12-07): a host removed this member, as the host's refusal of its
	// session said (its session is then gone from the record) or as this terminal or
	// window saw it happen (close 4001: its session is kept, for the host to say by whom).
	// RemovedBy is that host's name, "" when not known. Kept so that a join later says so
	// again: forgotten, a removed member's second try read only the refusal of a wrong
	// invite (a tester's). Join tells it through refused.
	Removed   bool   `json:"removed,omitempty"`
	RemovedBy string `json:"removed_by,omitempty"`
	// Ended (since 2026-12-07): the party ended, as this terminal or window saw it (its
	// connection closed with the party's end). Its host's other invites are then another
	// party's (a resume keeps the party's own invites): LastName does not name this
	// member for them. A window that had been a viewer in the host's last party read
	// "You'll rejoin as bea (viewer)" of the next party's participant invite, and joined
	// as a new participant (a window tester's); the window's LastJoined now names no
	// member for another invite at all.
	Ended bool `json:"ended,omitempty"`
}

// inviteHash names an invite's token in a record without holding it.
func inviteHash(token string) string { return hash("invite\x00" + token) }

// LastName is the name this directory last joined inv's party under, else the name it last
// joined inv's host with through another invite (one rotated, or another party's) of a
// party not seen to end (Record.Ended): a terminal joins under it when given no --name,
// and says it is the name it last joined this host with. A member is then itself again
// with a rotated invite (ClientID is the host's and the name's).
func (s Store) LastName(inv invite.Invite) string { return s.lastJoined(inv, true).Name }

// Joined is the name a directory last joined a party under, and the member's role then.
type Joined struct {
	Name string
	// Role is the role the member last had, as its record keeps it ("" in a record from
	// before 2026-12-06).
	Role string
}

// LastJoined is the name this directory last joined inv's party under, with the role it
// last had there: through inv itself (its token, hashed, in the record); the zero Joined
// when none is known. A window reopened and joined again with the same invite filled in
// the settings' name, another than the one it had joined under, and came in as someone new
// (a window tester's "root", while "Cleo" stayed away).
//
// Only the invite's own token says its party: an invite carries no party id, and another
// invite of the same host (address and certificate) is a rotated one of the same party or
// one of another party, which nothing before connecting tells apart. A window closed before
// its party ended never saw the end (Record.Ended), and the dialog said "You'll rejoin as
// bea (viewer)" of the host's next party's invite (a window tester's). A rotated invite
// then names no one: a missed prediction beats a wrong one.
func (s Store) LastJoined(inv invite.Invite) Joined { return s.lastJoined(inv, false) }

// lastJoined is LastJoined, and with byHost, else the newest record of inv's host (its
// ClientID) whose party was not seen to end.
func (s Store) lastJoined(inv invite.Invite, byHost bool) Joined {
	var byInvite, ofHost Joined
	var atInvite, atHost time.Time
	want := inviteHash(inv.Token)
	s.records(func(_ string, r Record, at time.Time) {
		switch {
		case r.Name == "":
		case r.Invite == want:
			if byInvite.Name == "" || at.After(atInvite) {
				byInvite, atInvite = Joined{Name: r.Name, Role: r.Role}, at
			}
		case !byHost || r.Ended:
			// Another invite of a party that ended is another party's.
		case r.ClientID == s.ClientID(inv, r.Name):
			if ofHost.Name == "" || at.After(atHost) {
				ofHost, atHost = Joined{Name: r.Name, Role: r.Role}, at
			}
		}
	})
	if byInvite.Name != "" {
		return byInvite
	}
	return ofHost
}

// Store keeps Records in Dir ("" keeps nothing).
type Store struct{ Dir string }

// Key names the record of one invite and name: a hash, so that neither the token
// nor the name is in a file name. Of the invite only its token counts: a party resumed on
// another port (or reached at another address) gives out the same tokens, and a tester's
// member, back with the new invite, was someone new. A token is the party's own (random,
// 256 bits), and says which of its invites it is.
func Key(inv invite.Invite, name string) string {
	return hash(fmt.Sprintf("token\x00%s\x00%s", inv.Token, strings.ToLower(term.Name(name))))
}

// legacyKey is what Key was before 2026-12-05 (address, port, token and name): a record
// kept then is still found.
func legacyKey(inv invite.Invite, name string) string {
	return hash(fmt.Sprintf("%s\x00%d\x00%s\x00%s", inv.Host, inv.Port, inv.Token, strings.ToLower(term.Name(name))))
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:32]
}

// How long Take asks again for a lock that another process may hold only for a moment.
const (
	takeRetry = 300 * time.Millisecond
	takeStep  = 10 * time.Millisecond
)

func (s Store) path(key string) string { return filepath.Join(s.Dir, key+".json") }

// Take makes this terminal (or window) the one that uses and keeps key's record while it runs: false
// when another terminal has it now (it joined with the same invite and name), which then
// keeps its membership, this one joining as someone new. release lets it go.
func (s Store) Take(key string) (release func(), ok bool) {
	if s.Dir == "" || os.MkdirAll(s.Dir, 0o700) != nil {
		return func() {}, false
	}
	path := filepath.Join(s.Dir, key+".lock")
	f, ok := lock(path)
	// A lock let go a moment ago can still be held: a child process this one forks (git,
	// claude) holds a copy of every descriptor until it execs, and a flock belongs to the
	// open file, not the descriptor. A window that left and joined again then became
	// someone new (CI's, under load). Asked again for a short while before giving up.
	for wait := takeRetry; !ok && wait > 0; wait -= takeStep {
		time.Sleep(takeStep)
		f, ok = lock(path)
	}
	if !ok {
		return func() {}, false
	}
	return func() {
		if f != nil {
			f.Close()
		}
	}, true
}

// Load is the record for key; none (zero) when there is none or it cannot be read.
func (s Store) Load(key string) Record {
	var r Record
	if s.Dir == "" {
		return r
	}
	b, err := os.ReadFile(s.path(key))
	if err != nil || json.Unmarshal(b, &r) != nil {
		return Record{}
	}
	return r
}

// Find is the record of an invite and name: Key's, else one kept before 2026-12-05
// (legacyKey), which is moved under Key.
func (s Store) Find(inv invite.Invite, name string) Record {
	key := Key(inv, name)
	if r := s.Load(key); r != (Record{}) {
		return r
	}
	old := legacyKey(inv, name)
	r := s.Load(old)
	if r != (Record{}) && s.Save(key, r) == nil {
		s.Forget(old)
	}
	return r
}

// Known says whether a record of this directory, under any invite, holds clientID: a
// member of that name at that host was this directory's before (ClientID is derived from
// the host and name, so it alone says nothing of an earlier visit).
func (s Store) Known(clientID string) bool {
	found := false
	s.each(func(string, Record, time.Time) { found = true }, clientID)
	return found
}

// each calls f with the key, record and time of change of each record that holds clientID.
func (s Store) each(f func(key string, r Record, at time.Time), clientID string) {
	if clientID == "" {
		return
	}
	s.records(func(key string, r Record, at time.Time) {
		if r.ClientID == clientID {
			f(key, r, at)
		}
	})
}

// records calls f with the key, record and time of change of each record that can be read.
func (s Store) records(f func(key string, r Record, at time.Time)) {
	if s.Dir == "" {
		return
	}
	files, _ := filepath.Glob(filepath.Join(s.Dir, "*.json"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var r Record
		if json.Unmarshal(b, &r) != nil {
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			continue
		}
		f(strings.TrimSuffix(filepath.Base(path), ".json"), r, st.ModTime())
	}
}

// Lent is a record kept under another invite, and its key (Lendable, for Join).
type Lent struct {
	Key    string
	Record Record
}

// maxLent is how many sessions a join tries through an invite it has no record for.
const maxLent = 3

// Lendable is what brings a co-host back through an invite of its host that this
// directory has no record for (a rotated one): the records of this directory that hold
// clientID and were last a co-host's, newest first, at most maxLent. A co-host back with
// the rotated participant invite was someone new, "Alice-2", a participant, and Alice
// stayed away (a tester's): a client_id never raises a role, a session does. Only
// co-hosts' sessions are lent: a participant's or a viewer's client_id brings it back
// already, and its session would bring it back as what it was through the host invite
// too, making a member given the host invite a participant (a reviewer's). Only for an
// invite that pins its host's certificate: without one, the same host is only the same
// address, which another party may have later, and a session is all it takes to be
// that member (a reviewer's). The sessions of several parties of one host are tried in
// turn (Join).
func (s Store) Lendable(inv invite.Invite, clientID string) []Lent {
	if inv.Fingerprint == "" {
		return nil
	}
	type dated struct {
		Lent
		at time.Time
	}
	var all []dated
	s.each(func(key string, r Record, at time.Time) {
		if r.Role == wire.RoleHost && r.Session != "" && !r.Removed {
			all = append(all, dated{Lent{key, r}, at})
		}
	}, clientID)
	slices.SortFunc(all, func(a, b dated) int { return b.at.Compare(a.at) })
	var out []Lent
	for _, d := range all[:min(len(all), maxLent)] {
		out = append(out, d.Lent)
	}
	return out
}

// Keeper keeps one membership's record up to date while it is connected: its session
// from the hello reply, and its role from each change of it, so that a member made a
// co-host after it joined is lent as one (Lendable). Safe for concurrent use.
type Keeper struct {
	store Store
	key   string
	mu    sync.Mutex
	rec   Record
	id    string // the member's id, once a hello said it
}

// Keeper is a Keeper of the record of inv and name (Key).
func (s Store) Keeper(inv invite.Invite, name string) *Keeper {
	return &Keeper{store: s, key: Key(inv, name), rec: Record{Name: term.Name(name), Invite: inviteHash(inv.Token)}}
}

// Hello keeps what a hello reply says of the member who joined as clientID.
func (k *Keeper) Hello(clientID string, h wire.HelloResult) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.id = h.You.ID
	k.rec.ClientID, k.rec.Session, k.rec.Role = clientID, h.You.Session, h.You.Role
	return k.store.Save(k.key, k.rec)
}

// Event keeps the member's role when ev changes it (a participants event's changed).
func (k *Keeper) Event(ev wire.Event) {
	if ev.Kind != wire.KindParticipants || ev.Changed == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.id == "" || ev.Changed.ID != k.id || ev.Changed.Role == k.rec.Role {
		return
	}
	k.rec.Role = ev.Changed.Role
	_ = k.store.Save(k.key, k.rec) // kept as well as it can be; the hello's save said if not
}

// Removed keeps that a host removed the member (its connection closed with 4001): a join
// later says so (Join) before it tries the session, which the host may refuse saying by
// whom.
func (k *Keeper) Removed() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rec.Session == "" {
		return // no hello kept: nothing of this member to remember
	}
	k.rec.Removed = true
	_ = k.store.Save(k.key, k.rec) // kept as well as it can be: a join later is then told by the host only
}

// Ended keeps that the party ended (its connection closed with the party's end): its
// host's other invites are another party's from then on (LastName).
func (k *Keeper) Ended() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rec.Session == "" {
		return // no hello kept: nothing of this member to remember
	}
	k.rec.Ended = true
	_ = k.store.Save(k.key, k.rec) // kept as well as it can be: the dialog then names the member as before
}

// Save writes the record for key.
func (s Store) Save(key string, r Record) error {
	if s.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("keep the membership: %w", err)
	}
	b, _ := json.Marshal(r)
	if err := atomicfile.Write(s.path(key), b, 0o600); err != nil {
		return fmt.Errorf("keep the membership: %w", err)
	}
	return nil
}

// Cause is what went wrong with a Save, in the words of its innermost error ("no space
// left on device"): the folder and the operation are said otherwise.
func Cause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// Forget removes the record for key.
func (s Store) Forget(key string) {
	if s.Dir == "" {
		return
	}
	_ = os.Remove(s.path(key)) // a file left is tried next time, and refused again
}

// Join joins with cfg as the member *was is, by its client_id and session, and keeps in
// *was what it joins as, before each try (OnHello may read it): its session is the one the
// host took, or none.
//
// With no session of its own, it first tries each lent one (Lendable) in turn. The record
// of the one taken is forgotten: the member's record is the new invite's from then on (the
// Keeper keeps its role there), and the old one, left as it was, would lend a role the
// member may lose (a reviewer's: demoted, then given the host invite, it came back a
// participant). A refused one is kept: it may be the record of another party of this host,
// live or to be resumed, whose own invite still brings that member back (a reviewer's,
// whose co-host became someone new there); the next join through this invite has a record
// of its own, and lends nothing. Every one refused, it joins as it would have without them.
//
// A session of its own the host refuses (the member was removed, or the party ended and
// was resumed without it) is forgotten, refused is told, and the join is tried once more as
// someone new: with fresh as the client_id and the invite's token. fresh may be was's own
// client_id: the host makes a new member for a session it refused, and a client it removed
// as a viewer comes back a viewer.
//
// A host's removal is not forgotten (Record.Removed): refused as removed (a
// *client.RemovedError, or a plain refusal of a record that knew it was removed), the
// record keeps that, without the session, and refused gets a *client.RemovedError; a
// record that kept it so gives refused the same before the join as someone new, every time
// until a join succeeds (its hello's record then replaces it, and a record still marked
// removed is forgotten even when that could not be written: joined). A person removed was told of
// a wrong invite, and on the next try of nothing at all (a tester's).
func (s Store) Join(ctx context.Context, key string, was *Record, lent []Lent, cfg client.Config, fresh string, refused func(error)) (*client.Client, error) {
	if was.Removed && was.Session == "" {
		if refused != nil {
			refused(&client.RemovedError{By: was.RemovedBy})
		}
		*was = Record{ClientID: fresh}
		lent = nil
	}
	if was.Session == "" {
		for _, l := range lent {
			*was = Record{ClientID: l.Record.ClientID, Session: l.Record.Session}
			cfg.ClientID, cfg.Session = was.ClientID, was.Session
			c, err := client.Join(ctx, cfg)
			if err == nil {
				s.Forget(l.Key)
				s.joined(key)
				return c, nil
			}
			if !errors.Is(err, client.ErrRefused) || ctx.Err() != nil {
				return nil, err
			}
		}
		was.Session = ""
	}
	cfg.ClientID, cfg.Session = was.ClientID, was.Session
	c, err := client.Join(ctx, cfg)
	if err == nil {
		s.joined(key)
	}
	if err == nil || was.Session == "" || !errors.Is(err, client.ErrRefused) || ctx.Err() != nil {
		return c, err
	}
	var removed *client.RemovedError
	switch {
	case errors.As(err, &removed):
	case was.Removed:
		// An older host's plain refusal of a member this record saw removed.
		removed = &client.RemovedError{By: was.RemovedBy}
		err = fmt.Errorf("%w (%w)", removed, err)
	}
	if removed != nil {
		// Kept, without the session: the next join says so again (RemovedBy from the host
		// when it said, else from the record).
		if removed.By == "" && was.RemovedBy != "" {
			removed = &client.RemovedError{By: was.RemovedBy}
			err = fmt.Errorf("%w (%w)", removed, err)
		}
		_ = s.Save(key, Record{ClientID: was.ClientID, Role: was.Role, Name: was.Name, Invite: was.Invite, Removed: true, RemovedBy: removed.By})
	} else {
		s.Forget(key)
	}
	*was = Record{ClientID: fresh}
	if refused != nil {
		refused(err)
	}
	cfg.ClientID, cfg.Session = was.ClientID, ""
	c, err = client.Join(ctx, cfg)
	if err == nil {
		s.joined(key)
	}
	return c, err
}

// joined forgets key's record if it still says the member was removed once a join has
// succeeded: the hello's record replaces it when it can be written, but one that could
// not (a full disk) left the old one, and every join after it said "alice removed you"
// again and came in as someone new again (a reviewer's). A file is removed where none
// can be written. Called after the hello (OnHello runs within client.Join).
func (s Store) joined(key string) {
	if s.Load(key).Removed {
		s.Forget(key)
	}
}

// ClientID is the client_id this data directory joins inv's host as under name: the same
// for every invite of that host (its certificate's fingerprint, or its address without
// TLS), so that a member with no record for an invite (the host rotated it) comes back as
// itself with the new one, where it was someone new ("alice-4", a tester's, while "alice"
// was away). It is a keyed hash (HMAC-SHA-256 under a secret kept in the directory), so
// one host cannot learn the id another host knows this person by: a client_id is no
// secret, and a host that learnt one could take the seat it names at the other (a
// reviewer's). With no directory, a new one. The caller holds it with Take while it is
// connected: two terminals of the same name at one host are two members, not one
// replacing the other.
func (s Store) ClientID(inv invite.Invite, name string) string {
	if s.Dir == "" {
		return NewClientID()
	}
	key := s.secret()
	if key == nil {
		return NewClientID()
	}
	host := inv.Fingerprint
	if host == "" {
		host = strings.ToLower(inv.Host) + ":" + strconv.Itoa(inv.Port)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "client\x00%s\x00%s", host, strings.ToLower(term.Name(name)))
	return hex.EncodeToString(mac.Sum(nil))[:24]
}

// secret is the directory's key for ClientID, made the first time; nil when it can be
// neither read nor kept.
func (s Store) secret() []byte {
	path := filepath.Join(s.Dir, "client-secret")
	read := func() []byte {
		if b, err := os.ReadFile(path); err == nil {
			if k, err := hex.DecodeString(strings.TrimSpace(string(b))); err == nil && len(k) == 32 {
				return k
			}
		}
		return nil
	}
	if k := read(); k != nil {
		return k
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil || os.MkdirAll(s.Dir, 0o700) != nil {
		return nil
	}
	// Written whole aside, then linked into place: two first joins at once must not each
	// keep their own (the loser's id would never be made again, a reviewer's), and a write
	// a full disk cut short must not stay there: a tester's empty client-secret, left by a
	// full disk, made every join after it someone new, long after the disk had room again.
	tmp, err := os.CreateTemp(s.Dir, ".client-secret-*")
	if err != nil {
		return nil
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(k))
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		return nil
	}
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, os.ErrExist) {
		if got := read(); got != nil {
			return got // the other first join's
		}
		// There, but no key: cut short before this way of writing it. Replaced.
	} else if err == nil {
		return k
	}
	// Replaced, or no hard links on this file system: put in place by a rename, and read
	// back: two first joins at once may both rename, and the last one's is the key (a
	// reviewer's: the other kept one that was not on disk).
	if os.Rename(tmp.Name(), path) != nil {
		return nil
	}
	return read()
}

// NewClientID is a client_id no other terminal or window has: 12 random bytes, in hex.
func NewClientID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
