package cli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/concordia-party/concordia/internal/atomicfile"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/term"
)

// A terminal that joins a party keeps, in the data directory, what brings it back as the
// same member after it was closed or killed: its client_id and its member session
// (PROTOCOL.md §4). Without it a restarted `join` was a new member of the same name — a
// co-host lost the role, and the old one stayed "away" for a host to guess which to
// /kick (a tester's). One file per invite and name, readable by its user only: the
// session is a secret, as the invite's token is.

// rejoinRecord is what a terminal keeps of its membership.
type rejoinRecord struct {
	ClientID string `json:"client_id"`
	Session  string `json:"session"`
}

// rejoinStore keeps rejoinRecords in dir ("" keeps nothing).
type rejoinStore struct{ dir string }

// rejoinKey names the record of one invite and name: a hash, so that neither the token
// nor the name is in a file name.
func rejoinKey(inv invite.Invite, name string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s", inv.Host, inv.Port, inv.Token, strings.ToLower(term.Name(name)))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func (s rejoinStore) path(key string) string { return filepath.Join(s.dir, key+".json") }

// take makes this terminal the one that uses and keeps key's record while it runs: false
// when another terminal has it now (it joined with the same invite and name), which then
// keeps its membership, this one joining as someone new. release lets it go.
func (s rejoinStore) take(key string) (release func(), ok bool) {
	if s.dir == "" || os.MkdirAll(s.dir, 0o700) != nil {
		return func() {}, false
	}
	f, ok := lockMembership(filepath.Join(s.dir, key+".lock"))
	if !ok {
		return func() {}, false
	}
	return func() {
		if f != nil {
			f.Close()
		}
	}, true
}

// load is the record for key; none (zero) when there is none or it cannot be read.
func (s rejoinStore) load(key string) rejoinRecord {
	var r rejoinRecord
	if s.dir == "" {
		return r
	}
	b, err := os.ReadFile(s.path(key))
	if err != nil || json.Unmarshal(b, &r) != nil {
		return rejoinRecord{}
	}
	return r
}

// save writes the record for key.
func (s rejoinStore) save(key string, r rejoinRecord) error {
	if s.dir == "" {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("keep this terminal's membership: %w", err)
	}
	b, _ := json.Marshal(r)
	if err := atomicfile.Write(s.path(key), b, 0o600); err != nil {
		return fmt.Errorf("keep this terminal's membership: %w", err)
	}
	return nil
}

// forget removes the record for key.
func (s rejoinStore) forget(key string) {
	if s.dir == "" {
		return
	}
	_ = os.Remove(s.path(key)) // a file left is tried next time, and refused again
}

// newClientID is a client_id no other terminal has: 12 random bytes, in hex.
func newClientID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
