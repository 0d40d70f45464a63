package party

import (
	"crypto/subtle"
	"fmt"
	"strconv"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// member is a person in the party, connected (in p.members) or not (only in p.known).
type member struct {
	wire.Member // ID, Name, Role; Session stays empty here: it is sent only in the hello reply
	session     string
	owner       bool // the party's host: nobody can change its role or kick it
	clientID    string
	sub         Subscriber
	conn        any    // identity of the connection; a reconnect replaces it
	addr        string // its connection's address as netkey counts it ("" in this process), for maxPendingFromAddr
	tokens      float64
	refill      time.Time
	promptBytes byteBucket     // promptbytes.go
	order       int64          // join order, for a stable participants list
	rec         journal.Member // what the journal last recorded of this member
	key         term.NameKey   // term.KeyOf(keyName), for comparing names
	keyName     string
	// lostAt: when its connection was lost (not left): for Config.SeatHold after it, its
	// place is kept for it if it can come back to it (reclaims). Zero while connected, and
	// after a leave.
	lostAt time.Time
	// sessionUsed: it came back with its session once, so it keeps it (reclaims).
	sessionUsed bool
}

// reclaims says whether the member can find its place again when it comes back: it has a
// client_id, or it has come back with its session before. One that has neither (a script
// that joins with the invite each time) would come back as a new member, so a place kept
// for it would only lock others out (a reviewer's: a few dropped scripts filled a party).
func (m *member) reclaims() bool { return m.clientID != "" || m.sessionUsed }

// nameKey is the member's term.NameKey, worked out again only when its name has changed.
func (m *member) nameKey() term.NameKey {
	if m.keyName != m.Name {
		m.key, m.keyName = term.KeyOf(m.Name), m.Name
	}
	return m.key
}

// JoinRequest is a hello, from a remote peer or an in-process member.
type JoinRequest struct {
	Name     string
	Token    string
	Session  string // rejoin as the member this session belongs to (instead of Token)
	ClientID string
	Since    int64
	Role     string     // wire.RoleHost for the host's own terminal or window; "" = by token
	Sub      Subscriber // receives events with seq above the reply's state.seq
	Conn     any        // identity of the connection (for Leave)
	Addr     string     // the remote address's netkey (an IPv6 /64 is one); "" for a member in this process
	// Reply is called on the loop with the hello result before any later event is sent to
	// Sub, so a transport can queue the reply ahead of the events.
	Reply func(wire.HelloResult)
	// Brief: the transport found no replay slot free (replays.go), so the reply carries
	// at most briefReplay bytes of history and the joiner pages on with Party.getState.
	Brief bool
	// Paged: a view in this process (Local) that pages the history as a remote member
	// does (JoinLocalPaged): its hello carries at most helloJournalMax of the journal.
	Paged bool
}

// Join admits a member. Remote members present the participant or the viewer token, or
// the session of a member they were; Role host skips that (the host is in-process).
func (p *Party) Join(req JoinRequest) (wire.HelloResult, error) {
	var res wire.HelloResult
	var err error
	derr := p.do(func() { res, err = p.join(req) })
	if derr != nil {
		return res, derr
	}
	return res, err
}

// CheckName says why name cannot be a member's name (wrapping ErrBadName), or nil: the
// host's rule, which a client may check before it connects.
func CheckName(name string) error {
	if why := term.NameProblem(term.Name(name)); why != "" {
		return fmt.Errorf("%w: %s", ErrBadName, why)
	}
	return nil
}

// Admits says whether a hello with this token or session would be let in (the party
// knows the session, or the token is one of its invites): what the server counts against
// an address's joins. Also true for the session of a member a host removed: its hello is
// refused, but it is no guess at a secret, and is counted as a join rather than slowed as
// one (a removed member told at once why). Never true once the party has ended.
func (p *Party) Admits(token, session string) bool {
	ok := false
	_ = p.do(func() {
		switch {
		case p.closed:
		case session != "":
			_, removed := p.removed[session]
			ok = p.sessions[session] != nil || removed
		default:
			ok = p.roleOf(token) != ""
		}
	})
	return ok
}

// roleOf is the role an invite token grants: participant, viewer or (the host invite) a
// co-host; "" for none. Loop-owned.
func (p *Party) roleOf(token string) string {
	switch {
	case token == "":
		return ""
	case subtle.ConstantTimeCompare([]byte(token), []byte(p.tokens.Participant)) == 1:
		return wire.RoleParticipant
	case subtle.ConstantTimeCompare([]byte(token), []byte(p.tokens.Viewer)) == 1:
		return wire.RoleViewer
	case p.tokens.Host != "" && subtle.ConstantTimeCompare([]byte(token), []byte(p.tokens.Host)) == 1:
		return wire.RoleHost
	}
	return ""
}

func (p *Party) join(req JoinRequest) (wire.HelloResult, error) {
	if p.closed {
		return wire.HelloResult{}, ErrClosed
	}
	// Output kept while the loop was busy goes out now, before the member is one: it is
	// then in the reply's state. Sent later, it would come before the member's own join
	// event, which must be the first notification after the reply (state.seq+1).
	p.flushOutput()
	var back *member // the member a session or client_id names
	role := wire.RoleHost
	switch {
	case req.Role == wire.RoleHost:
		back = p.restoredOwner() // a resumed party's owner comes back as itself
	case req.Session != "":
		back = p.sessions[req.Session]
		if by, removed := p.removed[req.Session]; back == nil && removed {
			return wire.HelloResult{}, &RemovedError{By: by}
		}
		if back == nil {
			return wire.HelloResult{}, ErrUnauthorized
		}
		back.sessionUsed = true
	default:
		if role = p.roleOf(req.Token); role == "" { // wire.RoleHost: a co-host, through the host invite
			return wire.HelloResult{}, ErrUnauthorized
		}
	}
	name := term.Name(req.Name)
	if back == nil {
		if err := CheckName(req.Name); err != nil {
			return wire.HelloResult{}, err
		}
	}
	if back == nil && req.ClientID != "" && req.Role != wire.RoleHost {
		// The same person reconnecting with an invite comes back as who they were, when the
		// invite grants that member's role: a client_id is no secret (the client picks it,
		// the journal keeps it), so it never raises what the token allows. A viewer keeps
		// its seat with the participant invite (a host's demotion sticks); a co-host gets
		// its seat back only with its session or the host invite.
		if m := p.byClient[req.ClientID]; m != nil && (m.Role == role || (role == wire.RoleParticipant && m.Role == wire.RoleViewer)) {
			back = m
		}
	}
	// kept: why this hello with the participant token makes a viewer (HelloResult.ViewerKept).
	kept := ""
	if back != nil && req.Session == "" && role == wire.RoleParticipant && back.Role == wire.RoleViewer {
		kept = wire.ViewerReturned
	}
	if back != nil {
		if _, live := p.members[back.ID]; live {
			// The same person reconnecting replaces their old connection; no join event.
			// The connection that had an editor open is going: a client that still has one
			// says Party.editing again on the new one.
			p.stopEditing(back.ID)
			if back.sub != nil {
				back.sub.Close(wire.ReasonReplaced)
			}
			back.sub, back.conn, back.addr = req.Sub, req.Conn, req.Addr
			if p.bindClient(back, req.ClientID) {
				p.journalMember(back)
			}
			res := p.welcome(back, req, kept)
			p.tellEditorsTo(back)
			return res, nil
		}
	}
	if back != nil {
		role = back.Role
	} else if role == wire.RoleParticipant && p.viewersOut[req.ClientID] {
		role = wire.RoleViewer // removed as a viewer: the demotion holds (a client_id never raises a role, and may lower one)
		kept = wire.ViewerRemoved
	}
	if n, places := p.remoteCount(back), p.placesFor(role); role != wire.RoleHost && n >= places {
		who := name
		if back != nil {
			who = back.Name
		}
		// Its place was kept for it a while (SeatHold), then went to someone else: said
		// so, not a bare "full" (a tester's member, back after a crash, was told only that,
		// and its host nothing). Only for a member whose connection was lost, not one that
		// left, and only where the party is full for everyone (not the viewers' reserve).
		placeLost := back != nil && !back.lostAt.IsZero() && n >= p.cfg.MaxParticipants
		held := p.heldPlaces(back)
		p.refusedFull(who, placeLost, held)
		if placeLost {
			return wire.HelloResult{}, ErrPlaceLost
		}
		if n < p.cfg.MaxParticipants {
			kept := fmt.Sprintf("its last %d places are kept", p.cfg.MaxParticipants-places)
			if p.cfg.MaxParticipants-places == 1 {
				kept = "its last place is kept" // not "its last 1 places" (a conformance tester's)
			}
			return wire.HelloResult{}, fmt.Errorf("%w for viewers: %s for participants", ErrFull, kept)
		}
		if held > 0 {
			return wire.HelloResult{}, fmt.Errorf("%w: %s", ErrFull, heldWords(held, p.cfg.SeatHold))
		}
		return wire.HelloResult{}, ErrFull
	}
	m := back
	if m == nil {
		m = &member{
			Member:  wire.Member{ID: p.newID("m"), Role: role},
			session: randomID(16),
			owner:   req.Role == wire.RoleHost,
			tokens:  float64(p.cfg.PromptBurst),
			refill:  p.cfg.Now(),
		}
		p.known[m.ID] = m
		p.sessions[m.session] = m
		delete(p.viewersOut, req.ClientID) // the member it now is says the rest
	} else {
		name = m.Name // back after a drop: the same name (only a party from before names were held can have given it away)
	}
	p.bindClient(m, req.ClientID)
	m.lostAt = time.Time{}
	p.joins++
	m.order = p.joins
	m.Name = p.uniqueName(name, m)
	m.sub, m.conn, m.addr = req.Sub, req.Conn, req.Addr
	// Listed in its own hello reply; the join event (next seq) follows the reply.
	p.members[m.ID] = m
	p.journalMember(m) // before the hello reply hands out its session
	res := p.welcome(m, req, kept)
	joined := m.Member
	n := len(p.members)
	p.emit(wire.Event{Kind: wire.KindParticipants, Joined: &joined, Count: &n})
	p.tellEditorsTo(m)
	return res, nil
}

// refusedFull tells Config.OnFull of a hello refused as full. Loop-owned.
func (p *Party) refusedFull(name string, returning bool, held int) {
	p.fullSoFar++
	if p.cfg.OnFull != nil {
		p.cfg.OnFull(FullRefusal{Name: name, Returning: returning, Held: held, Hold: p.cfg.SeatHold, Count: p.fullSoFar, Max: p.cfg.MaxParticipants})
	}
}

// welcome makes the hello reply and hands it to the transport before any later event;
// kept is its ViewerKept.
func (p *Party) welcome(m *member, req JoinRequest, kept string) wire.HelloResult {
	you := m.Member
	you.Session = m.session
	journalMax, budget := helloJournalMax, -1
	if _, local := req.Conn.(*Local); local && !req.Paged {
		journalMax = -1 // the host's own terminal or window, in this process: no one to page
	} else if req.Brief {
		journalMax, budget = briefReplay, briefReplay
	}
	res := wire.HelloResult{You: you, Party: p.info(), State: p.state(req.Since, journalMax, budget), ViewerKept: kept}
	if res.Party.SharePending {
		p.wsPendingTo = true // told it is being taken: told how it went (WorkspaceReady)
	}
	if req.Reply != nil {
		req.Reply(res)
	}
	return res
}

// Leave removes the member whose connection is conn from the connected members; it may
// come back with its session or client_id. A connection that was already replaced by a
// reconnect is ignored.
func (p *Party) Leave(memberID string, conn any) { p.Lost(memberID, conn, "") }

// Lost is Leave for a connection that ended without the member's leaving, how saying what
// happened ("nothing came through it for a while"), for the event's text; "" is Leave. Everyone read a
// dropped connection as "bob left", as if bob had quit (a tester's).
func (p *Party) Lost(memberID string, conn any, how string) {
	_ = p.do(func() {
		m, ok := p.members[memberID]
		if !ok || m.conn != conn {
			return
		}
		delete(p.members, memberID)
		m.sub, m.conn = nil, nil
		if how != "" && !p.closed {
			m.lostAt = p.cfg.Now() // its place is kept a while (SeatHold)
		}
		left := m.Member
		n := len(p.members)
		ev := wire.Event{Kind: wire.KindParticipants, Left: &left, Count: &n}
		switch {
		case p.closed:
			// Gone because a host ended the party, not by choice: said so (a tester's
			// terminals printed "bob left" between two "the host ended the party").
			ev.Why, ev.Text = wire.WhyPartyEnded, m.Name+" left when the party ended"
		case how != "":
			ev.Why, ev.Text = wire.WhyLost, m.Name+" lost the connection: "+how
		}
		p.emit(ev)
		p.stopEditing(memberID)
		p.forgetOld()
	})
}

// bindClient makes id (a hello's client_id) name m from now on, and says whether it
// changed. A client_id that already names another member stays that member's: the
// newcomer gets none, so the member still finds its seat by it (with the host invite,
// say), and nobody detaches a co-host by borrowing its client_id.
func (p *Party) bindClient(m *member, id string) bool {
	if id == "" || id == m.clientID {
		return false
	}
	if other := p.byClient[id]; other != nil && other != m {
		return false
	}
	if m.clientID != "" {
		delete(p.byClient, m.clientID)
	}
	m.clientID = id
	p.byClient[id] = m
	return true
}

// maxAway is how many disconnected members a party remembers (so they can come back with
// their session or client_id). Beyond it the one that joined longest ago is forgotten: a
// script that joins again and again without a client_id must not grow the party forever.
const maxAway = 1000

// forgetOld forgets the longest-gone disconnected members above maxAway (never a host).
func (p *Party) forgetOld() {
	for len(p.known)-len(p.members) > maxAway {
		var oldest *member
		for _, m := range p.known {
			if _, live := p.members[m.ID]; live || m.owner || m.Role == wire.RoleHost {
				continue
			}
			if oldest == nil || m.order < oldest.order {
				oldest = m
			}
		}
		if oldest == nil {
			return
		}
		p.journalForgotten(oldest) // as a kicked member: its session is dead
		delete(p.known, oldest.ID)
		delete(p.sessions, oldest.session)
		if oldest.clientID != "" && p.byClient[oldest.clientID] == oldest {
			delete(p.byClient, oldest.clientID)
		}
	}
}

// restoredOwner is the owner of a resumed party when it has not rejoined yet, or nil.
func (p *Party) restoredOwner() *member {
	for _, m := range p.known {
		if _, live := p.members[m.ID]; m.owner && !live {
			return m
		}
	}
	return nil
}

// remoteCount is the number of connected members that --max-participants counts: the
// hosts aside (the owner, and co-hosts: a full party never locks out the operator of a
// host without a terminal, who joins through the host invite, nor a host coming back).
// placesFor is how many members, hosts aside, the party may hold when one of role joins.
// Viewers leave a tenth of the places (up to 10) to participants: the viewer link is the
// one shared most widely, and a reviewer's 100 viewer hellos from one machine locked every
// participant out, coming back as fast as a host removed them.
func (p *Party) placesFor(role string) int {
	if role == wire.RoleViewer {
		return p.cfg.MaxParticipants - min(10, p.cfg.MaxParticipants/10)
	}
	return p.cfg.MaxParticipants
}

// A member whose connection was lost (not one who left) keeps its place for SeatHold
// (except: the member now joining, back in it), if it can come back to it (reclaims): our
// client reconnects within seconds, and a person whose terminal died joins again within a
// minute or two; a newcomer in between must not take the place from under them (a
// tester's member, kill -9ed and back, was refused as "full"). Past SeatHold the place is
// free: --max-participants counts the members at once, and one gone for good must not
// hold a place for ever.
func (p *Party) remoteCount(except *member) int {
	n := 0
	for _, m := range p.members {
		if !m.owner && m.Role != wire.RoleHost {
			n++
		}
	}
	return n + p.heldPlaces(except)
}

// heldPlaces is how many places are kept for members whose connection was lost (see
// remoteCount), except's aside.
func (p *Party) heldPlaces(except *member) int {
	n := 0
	now := p.cfg.Now()
	for _, m := range p.known {
		if _, live := p.members[m.ID]; live || m == except || m.owner || m.Role == wire.RoleHost || m.lostAt.IsZero() || !m.reclaims() {
			continue
		}
		if now.Sub(m.lostAt) < p.cfg.SeatHold {
			n++
		}
	}
	return n
}

// heldWords says that held places are kept, for a refusal of a full party.
func heldWords(held int, hold time.Duration) string {
	if held == 1 {
		return fmt.Sprintf("1 place is kept for a member whose connection was lost (for up to %s)", HoldWords(hold))
	}
	return fmt.Sprintf("%d places are kept for members whose connection was lost (for up to %s)", held, HoldWords(hold))
}

// HoldWords is a SeatHold as a person reads it: "2 minutes", "1 minute", else as Go says it.
func HoldWords(hold time.Duration) string {
	switch {
	case hold == time.Minute:
		return "1 minute"
	case hold > 0 && hold%time.Minute == 0:
		return strconv.Itoa(int(hold/time.Minute)) + " minutes"
	}
	return hold.String()
}

// uniqueName is name, or name-2, name-3… when a connected member other than self has it, or
// it is the host's name and self is not the owner. Names are compared as a person reads
// them (term.Alike): "аlice" with a Cyrillic "а" is a second "alice".
func (p *Party) uniqueName(name string, self *member) string {
	// The host's name is the owner's, present or not: in a party whose host watches
	// without taking part (--no-local-repl) "joined root's party as root" would pass a
	// participant off as the host.
	var hostKey term.NameKey
	checkHost := !self.owner && p.hostName != ""
	if checkHost {
		hostKey = term.KeyOf(p.hostName)
	}
	k := term.KeyOf(name)
	used := checkHost && k.Alike(hostKey)
	// Every member the party knows holds its name, away ones too: one who comes back with
	// its session is the same member, name included (§7). A newcomer took an away member's
	// name, and the one who came back was "gina-2" beside someone else's "gina" (a tester's).
	for _, m := range p.known {
		if used {
			break
		}
		used = m != self && k.Alike(m.nameKey())
	}
	if !used {
		return name
	}
	// Taken: the names are gathered once, so that a thousand people joining under one
	// name cost the party's loop one pass over the members each, not one per name-N tried.
	var taken term.NameSet
	if checkHost {
		taken.Add(hostKey)
	}
	for _, m := range p.known {
		if m != self {
			taken.Add(m.nameKey())
		}
	}
	for i := 2; ; i++ {
		c := name + "-" + strconv.Itoa(i)
		if !taken.HasAlike(term.KeyOf(c)) {
			return c
		}
	}
}

// take spends one prompt token, refilling one per every.
func (m *member) take(now time.Time, burst int, every time.Duration) bool {
	if el := now.Sub(m.refill); el > 0 {
		m.tokens += float64(el) / float64(every)
		if m.tokens > float64(burst) {
			m.tokens = float64(burst)
		}
	}
	m.refill = now
	if m.tokens < 1 {
		return false
	}
	m.tokens--
	return true
}

// untilToken is how long after the last take the member's next prompt is let through, at
// one per every.
func (m *member) untilToken(every time.Duration) time.Duration {
	if m.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - m.tokens) * float64(every))
}
