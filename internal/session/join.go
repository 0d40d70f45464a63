// Joining a party over the network, as a participant (or a co-host, with a host invite).

package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Join joins the party of an invite (TLS pinned to its fingerprint). The first
// connection is not retried: its error matches client.ErrUnreachable, ErrRefused,
// ErrFingerprint or ErrFull, or invite.ErrInvalid for a bad link. Later drops are
// retried in the background, reported as party:status and caught up with party:state.
func (m *Manager) Join(ctx context.Context, link, name string) (Info, error) {
	inv, err := invite.Parse(link)
	if err != nil {
		return Info{}, badRequest(err)
	}
	name = strings.TrimSpace(name)
	if err := settings.CheckName(name); err != nil {
		return Info{}, badRequest(err)
	}
	if err := m.begin(); err != nil {
		return Info{}, err
	}
	ctx, cancel := m.opContext(ctx)
	defer cancel()
	if m.clientID == "" || name != m.clientName {
		m.clientID, m.clientName = randomClientID(), name
	}
	// The member this window (or a terminal, with the same data directory) was the last
	// time it joined with this invite and name comes back as itself: a restarted app was a
	// new member of the same name, and a co-host lost the role (as a terminal did).
	members, key := m.memberships(), membership.Key(inv, name)
	release, mine := members.Take(key)
	if !mine {
		members = membership.Store{} // in use by another window or terminal: someone new
	}
	was := members.Find(inv, name)
	byClientID := false
	var lent []membership.Lent
	if was.ClientID == "" && mine && members.Dir != "" {
		// No record for this invite (a host rotated it since): the data directory's own
		// client_id for the host and name brings the window back as the member it was (a
		// tester's terminal came back "alice-4"), and a co-host's session kept under
		// another invite brings back its role too (the client_id alone cannot raise one).
		was = membership.Record{ClientID: members.ClientID(inv, name)}
		byClientID = members.Known(was.ClientID) // it was here before, through another invite
		lent = members.Lendable(inv, was.ClientID)
	}
	if was.ClientID != "" && members.Dir != "" {
		// Held while connected: a terminal with that client_id (the same name at the same
		// host, through another invite) is that member now, and this window is someone new.
		releaseID, ok := members.Take("client-" + was.ClientID)
		prev := release
		release = func() { releaseID(); prev() }
		if !ok {
			was, lent = membership.Record{}, nil
		}
	}
	if was.ClientID == "" {
		was = membership.Record{ClientID: m.clientID}
	}
	a := &active{m: m, role: wire.RoleParticipant, invite: inv.String(), first: true, status: StatusConnecting, done: make(chan struct{}), release: release, keep: members.Keeper(inv, name),
		log: newEventLog(m.cfg.DataDir, m.log.Info)}
	var helloKept atomic.Bool // the first hello's record is written (keptErr: how that went)
	var keptErr error
	cfg := client.Config{
		Invite:  inv,
		Name:    name,
		OnEvent: a.onEvent,
		OnHello: func(h wire.HelloResult) {
			// Kept as the hello comes, before its events: a role changed between the hello
			// and Join's return was dropped when the record was written after it (a
			// reviewer's).
			if helloKept.CompareAndSwap(false, true) {
				keptErr = a.keep.Hello(was.ClientID, h)
			}
			a.onHello(h)
		},
		OnStatus:  a.onStatus,
		OnCatchUp: a.onCatchUp,
		OnEditors: a.onEditors,
		Backoff:   m.cfg.ClientBackoff,
		Logger:    m.log,
	}
	// Refused (removed), it comes back as someone new from the same client: a viewer the
	// host removed is a viewer again (a window tester's came back a participant).
	var removed *client.RemovedError // a host removed the member this window was
	c, err := members.Join(ctx, key, &was, lent, cfg, was.ClientID, func(err error) {
		m.log.Info("the kept membership was refused", "err", err)
		errors.As(err, &removed)
	})
	rejoined := was.Session != "" // the host took the session it joined with
	if err != nil {
		release()
		a.dropHistory()
		m.abort()
		if removed != nil {
			// Said with the refusal that follows it: a removed window's person read only of
			// an invite refused (a terminal tester's, the same).
			err = &RemovedError{By: removed.By, Err: err}
		}
		return Info{}, fmt.Errorf("join party: %w", err)
	}
	var notKept error
	if err := keptErr; err != nil {
		m.log.Info("membership not kept", "err", err)
		// Said, not only logged: a full disk made every join after it someone new, each
		// leaving an away member behind, unexplained (a terminal tester's; the terminal
		// says it too).
		notKept = &KeepError{Dir: members.Dir, Err: err}
	}
	a.c = c
	go a.watch()
	a.mu.Lock()
	if a.pending != nil { // the hello's events were not all delivered; use what came
		a.completeLocked()
	}
	hello := c.Hello()
	a.you = hello.You
	a.party = hello.Party
	if hello.You.Role == wire.RoleHost {
		// Joined with a host invite (a host with no terminal of its own): that link must
		// not be offered as the party's invite, which would make whoever gets it a host.
		// The party's own invites come from the host.
		a.invite = ""
		go a.learnInvites()
	}
	info := Info{Role: wire.RoleParticipant, You: hello.You, Party: hello.Party, Invite: a.invite, State: forPage(a.initial)}
	if asked := term.Name(name); hello.You.Name != asked {
		info.AskedName = asked                                                                          // the host made it unique ("tina-2"): the window says so
		info.SeatNotBack = byClientID && !rejoined && len(lent) == 0 && hello.You.Role != wire.RoleHost // a lent seat refused is not this party's
	}
	info.Rejoined = rejoined // it came back as the member it was: the window says so
	info.ViewerKept = hello.ViewerKept
	if removed != nil {
		info.Removed = &RemovedError{By: removed.By} // and joined as someone new: the window says so
	}
	info.NotKept = notKept
	a.initial = wire.State{} // the page has it now; the log keeps the events
	a.mu.Unlock()
	if err := m.commit(a); err != nil {
		return Info{}, err
	}
	return info, nil
}

// RemovedError says that a host removed the member this window was (By names that host,
// "" when the host did not say), and, in a failed join, why joining as someone new failed
// too (Err). The app says it in words.
type RemovedError struct {
	By  string
	Err error
}

func (e *RemovedError) Error() string {
	removed := (&client.RemovedError{By: e.By}).Error()
	if e.Err == nil {
		return removed
	}
	return removed + ": " + e.Err.Error()
}

func (e *RemovedError) Unwrap() error { return e.Err }

// KeepError says that a joined window could not keep its membership in Dir.
type KeepError struct {
	Dir string
	Err error
}

func (e *KeepError) Error() string { return e.Err.Error() } // it names the folder's file already
func (e *KeepError) Unwrap() error { return e.Err }

// RetryNow tries to reach the host at once rather than at the next attempt's time (a
// joined window that is reconnecting: the host is back sooner than the backoff thinks).
// Hosting, or connected, it does nothing.
func (m *Manager) RetryNow() error {
	a, err := m.current()
	if err != nil {
		return err
	}
	if a.c != nil {
		a.c.RetryNow() // false: connected already, nothing to do
	}
	return nil
}

// JoinedAs is the name a window last joined a party under, and the role it last had there.
type JoinedAs struct {
	Name string `json:"name"`
	// Role is "host" (a co-host), "participant" or "viewer"; "" when not known (a record
	// kept before 2026-12-06), or when no name is.
	Role string `json:"role"`
}

// JoinName is the name this data directory last joined inv's party under through inv, with
// the role it last had (membership.Store.LastJoined); the zero JoinedAs when none is known.
// The join dialog fills the name in (a reopened window that joined again under the
// settings' name was someone new: a window tester's) and says the role it rejoins with.
// Another invite of inv's host names no one: it may be another party's, and the dialog
// then said "You'll rejoin as bea (viewer)" of a party bea was never in.
func (m *Manager) JoinName(inv invite.Invite) JoinedAs {
	j := m.memberships().LastJoined(inv)
	return JoinedAs{Name: j.Name, Role: j.Role}
}

// memberships is where joined windows keep their membership: the data directory's
// "joined" folder, which `concordia join` uses too ("" keeps none).
func (m *Manager) memberships() membership.Store {
	if m.cfg.DataDir == "" {
		return membership.Store{}
	}
	return membership.Store{Dir: filepath.Join(m.cfg.DataDir, "joined")}
}

// randomClientID is a client_id no other window has: 16 random bytes, in hex.
func randomClientID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}
