// One party of the window: its connection or in-process member, and the bookkeeping that
// turns its events into the window's ordered stream.

package session

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
)

// active is one party of the window, hosted or joined.
type active struct {
	m    *Manager
	role string // wire.RoleHost: this window runs the party; wire.RoleParticipant: joined

	h     *host.Host   // hosted
	local *party.Local // hosted: the host's own membership
	c     *client.Client
	keep  *membership.Keeper // joined: its membership's record, its role kept as it changes

	learnMu sync.Mutex // held across learnInvites' call and its setInvites: the later ask's answer is shown last

	mu           sync.Mutex // guards the fields below; held while emitting
	invite       string
	viewerInvite string
	hostInvite   string      // "" unless the party has a host invite and this window's person is a host
	you          wire.Member // the window's person, its role kept current
	party        wire.PartyInfo
	endReason    string
	first        bool       // participant: the first hello's state is not complete yet
	initial      wire.State // participant: the state Join returns
	pending      *wire.State
	target       int64    // seq the pending state is complete at
	catchFrom    int64    // the last seq seen as the pending state's hello came
	last         int64    // newest event seq seen
	log          eventLog // a participant: every event seen, for Transcript and resyncs
	journal      string   // hosted: the party journal, which Transcript reads (no log kept)
	mergeMode    string   // hosted: the merger asked for (Info.MergeMode)
	members      int
	status       string
	conn         Status    // participant: the last party:status, for a page loaded again (Current)
	connAt       time.Time // when conn was said: its RetryMS counts from then
	draft        string    // what the window's prompt box holds unsent (KeepDraft), for a page loaded again
	endText      string    // hosted: what members are told of the party's end; "" is host.EndedByHost
	lastWord     string    // joined: the last event's text when it was a system event (or members leaving at the end after it)

	stopOnce sync.Once
	stopErr  error
	endOnce  sync.Once
	done     chan struct{} // closed when pump (host) or watch (participant) returns
	release  func()        // participant: lets the kept membership go (membership.Store.Take)
}

// dropHistory lets the window's copy of a joined party's history go (the window moved on
// from the party: Forget, or the next party).
func (a *active) dropHistory() {
	a.mu.Lock()
	a.log.drop()
	a.mu.Unlock()
}

// controller is what carries host methods: the host's own membership, or the client.
func (a *active) controller() party.Controller {
	if a.role == wire.RoleHost {
		return a.local
	}
	return a.c
}

// setInvites takes new invites (after a rotation) and tells the window. It takes only
// a.mu: the party calls it on its loop.
func (a *active) setInvites(inv wire.Invites) {
	a.mu.Lock()
	if a.status == StatusClosed {
		// An answer to learnInvites that came as the party ended: the window may be in
		// another party by now, which these are not the invites of (a reviewer's).
		a.mu.Unlock()
		return
	}
	a.invite, a.viewerInvite, a.hostInvite = inv.Invite, inv.ViewerInvite, inv.HostInvite
	a.m.cfg.Emitter.Emit(EventPartyInvites, inv)
	a.mu.Unlock()
	a.m.changed()
}

// learnInvites asks the host for its invites, for a joined window whose person is a host
// (a co-host): they show the viewer link too. It is asked again whenever they may have
// changed: another host made new invites, or the window is back after being away (a
// resumed host may listen elsewhere; a window tester's co-host kept the old links and
// handed out dead ones). A host that does not know Party.invites (an extension) leaves
// the window as it was. The call ends with the Manager (Close cancels m.base) or after 10 s.
func (a *active) learnInvites() {
	if a.c == nil {
		return
	}
	a.learnMu.Lock()
	defer a.learnMu.Unlock()
	ctx, cancel := context.WithTimeout(a.m.base, 10*time.Second)
	defer cancel()
	inv, err := a.c.Invites(ctx)
	if err != nil {
		a.m.log.Info("could not read the invites as a co-host", "err", err)
		return
	}
	a.setInvites(inv)
}

// stop ends the party's connection or the hosted party; idempotent.
func (a *active) stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		if a.role == wire.RoleHost {
			a.mu.Lock()
			text := a.endText
			a.mu.Unlock()
			if text == "" {
				text = host.EndedByHost
			}
			a.stopErr = a.h.ShutdownBecause(ctx, text)
			a.local.Leave()
		} else {
			a.c.Close()
		}
		select {
		case <-a.done:
		case <-ctx.Done():
			if a.stopErr == nil {
				a.stopErr = ctx.Err()
			}
		}
	})
	return a.stopErr
}

// pump forwards the hosted party's events until the host's membership ends. It is the
// only goroutine that emits a hosted party's events.
func (a *active) pump() {
	defer close(a.done)
	party.ReadFramed(a.local.Events(), party.ViewFrame, func(ev wire.Event) {
		ev = a.local.OwnerView(ev) // the owner's window is shown what the party shows no one else; asked before a.mu
		a.mu.Lock()
		if ev.Seq <= a.last {
			a.mu.Unlock()
			return
		}
		a.last = ev.Seq
		a.emitAndUnlock(ev)
	})
}

// pumpEditors forwards who edits the prompt held for approval (a host's Local is told,
// never as an event) until the hosted party's view ends (pump closes done).
func (a *active) pumpEditors(local *party.Local) {
	for {
		select {
		case <-local.EditorsChanged():
			a.m.cfg.Emitter.Emit(EventPartyEditing, local.Editors())
		case <-a.done:
			return
		}
	}
}

// pumpShareFix tells the window that runs the party what its owner can do about a
// working directory that could not be shared, once its first snapshot is over
// (EventPartyShareFix): the party's error says why to everyone, the remedy is the host's.
func (a *active) pumpShareFix(h *host.Host) {
	select {
	case <-h.WorkspaceDone(): // nil when the party does not share its folder: never
	case <-a.done:
		return
	}
	if fix := h.ShareFix(); fix != "" {
		a.m.cfg.Emitter.Emit(EventPartyShareFix, fix)
	}
}

// onEditors forwards a joined party's Client.editing to the window.
func (a *active) onEditors(ed wire.Editors) { a.m.cfg.Emitter.Emit(EventPartyEditing, ed) }

// emitAndUnlock sends ev to the window, releases a.mu (held by the caller, so that
// events leave in seq order), then says the party's summary changed if ev changed it.
func (a *active) emitAndUnlock(ev wire.Event) {
	changed := a.count(ev)
	a.m.cfg.Emitter.Emit(EventPartyEvent, ev)
	a.mu.Unlock()
	if changed {
		a.m.changed()
	}
}

// watch waits for the participant's client to stop for good and ends the party for the
// window with the reason.
func (a *active) watch() {
	defer close(a.done)
	defer a.release()
	<-a.c.Done()
	err := a.c.Err()
	if errors.Is(err, client.ErrKicked) {
		a.keep.Removed() // a join later says so again, before the host says by whom
	}
	if errors.Is(err, client.ErrEnded) {
		a.keep.Ended() // the host's next party is not this one (a terminal's membership.LastName)
	}
	reason := a.m.endReason(err)
	a.mu.Lock()
	if last := a.lastWord; errors.Is(err, client.ErrEnded) && last != "" {
		// In the host's words: "the host's Concordia was stopped from outside …" of a
		// logout, not "the host ended the party" (a window tester's).
		reason = last
	}
	a.mu.Unlock()
	a.m.finishWith(a, Ended{Reason: reason, Kicked: errors.Is(err, client.ErrKicked)})
}

// endReason says why a joined party ended, for party:ended.
func (m *Manager) endReason(err error) string {
	var removed *client.RemovedError
	switch {
	case err == nil, errors.Is(err, client.ErrClosed):
		return "you left the party"
	case errors.Is(err, client.ErrEnded):
		return "the host ended the party"
	case errors.Is(err, client.ErrKicked):
		return "a host removed you from the party"
	case errors.As(err, &removed):
		// Removed while away: the host said so when the session came back (2026-12-07).
		return wire.RemovedBy(removed.By) + " removed you from the party while you were away: join again with the invite, as someone new, if it still lets people in"
	case errors.Is(err, client.ErrReplaced):
		return "you joined this party again from somewhere else"
	case errors.Is(err, client.ErrRefused):
		// A reconnect says its member's session, not the invite (a terminal tester's was
		// told of a replaced invite that was not).
		return "the host no longer knows you in this party (a host may have removed you while you were away, or it was resumed without you): join again with the invite, as someone new"
	case errors.Is(err, client.ErrFingerprint):
		return "the host's certificate no longer matches the invite"
	}
	return m.describe(err)
}

// count applies a participants event to the member count and to the window's person's
// role; a.mu is held.
func (a *active) count(ev wire.Event) bool {
	if ev.Kind == wire.KindParticipants && ev.Changed != nil && ev.Changed.ID == a.you.ID {
		if ev.Changed.Role == wire.RoleHost && a.you.Role != wire.RoleHost {
			go a.learnInvites()
		}
		a.you.Role = ev.Changed.Role
	}
	if ev.Kind != wire.KindParticipants || ev.Count == nil || *ev.Count == a.members {
		return false
	}
	a.members = *ev.Count
	return true
}

// onHello starts a (re)sync: the window's state is rebuilt from the hello reply plus
// every event seen so far, and is complete once the events up to the reply's seq are in.
func (a *active) onHello(h wire.HelloResult) {
	a.mu.Lock()
	st := h.State
	// The page is handed the newest events only (forPage): only those are read back.
	seen, cut, err := a.log.tail(pageHistoryEvents, pageHistoryBytes, h.State.Phase)
	if err != nil {
		a.m.log.Error("the window's copy of the party's history", "err", err)
	}
	st.Events = append(make([]wire.Event, 0, len(seen)+len(h.State.Events)), seen...)
	st.Truncated = cut // for the page: its history starts later than the party's
	if st.Participants == nil {
		st.Participants = []wire.Member{}
	}
	if st.Pending == nil {
		st.Pending = []wire.Prompt{}
	}
	a.pending = &st
	if !a.first {
		a.party = h.Party // sent after the resync's state (completeLocked)
		if h.You.ID != "" && h.You.ID == a.you.ID {
			// The hello says the role as it is now: one changed while the window was away
			// comes in the catch-up, which count does not see.
			a.you.Role = h.You.Role
		}
		if h.You.Role == wire.RoleHost {
			go a.learnInvites() // made new while away, or by a resumed host elsewhere
		}
	}
	a.target = h.State.Seq
	a.catchFrom = a.last
	a.members = len(h.State.Participants)
	if a.last >= a.target {
		a.completeLocked()
	}
	a.mu.Unlock()
	a.m.changed()
}

// onEvent takes each event once, in order (the client guarantees it).
func (a *active) onEvent(ev wire.Event) {
	if a.keep != nil {
		a.keep.Event(ev)
	}
	a.mu.Lock()
	if ev.Seq <= a.last {
		a.mu.Unlock()
		return
	}
	a.last = ev.Seq
	a.log.add(ev)
	if _, rotated := party.RotatedBy(ev.Text); ev.Kind == wire.KindSystem && rotated && a.you.Role == wire.RoleHost && a.c != nil {
		// Another host made new invites (ours come with the reply too): the window shows
		// the links that work, which no event carries.
		go a.learnInvites()
	}
	// The host's last word, for the end's reason: a party's end is a system event,
	// members then leaving (endReason).
	switch {
	case ev.Kind == wire.KindSystem:
		a.lastWord = ev.Text
	case ev.Kind == wire.KindParticipants && ev.Why == wire.WhyPartyEnded:
	default:
		a.lastWord = ""
	}
	if a.pending != nil && ev.Seq <= a.target {
		// History the pending state already accounts for (participants, phase, pending).
		a.pending.Events = append(a.pending.Events, ev)
		if a.last >= a.target {
			a.completeLocked()
		}
		a.mu.Unlock()
		return
	}
	if a.pending != nil {
		a.completeLocked()
	}
	a.emitAndUnlock(ev)
}

// onCatchUp tells the window how far the catch-up of a hello whose history was cut has
// come (client.Config.OnCatchUp), while it is not complete: the next page may take a while
// over a slow link (a long party's join stood at "Connecting…" for 17 s). A status of the
// connection as it stands, with no retry counting down: the host answered.
func (a *active) onCatchUp(have, upTo int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pending == nil || have >= upTo {
		return
	}
	st := a.conn
	st.RetryMS, st.Error = 0, ""
	st.History = &HistoryProgress{Have: have - a.catchFrom, Of: upTo - a.catchFrom}
	a.conn, a.connAt = st, time.Now() // a page loaded again meanwhile says so too (a reviewer's)
	a.m.cfg.Emitter.Emit(EventPartyStatus, st)
}

// completeLocked finishes the pending state: the first one becomes Join's result, a
// later one goes to the window as party:state. a.mu is held.
func (a *active) completeLocked() {
	st := *a.pending
	a.pending = nil
	if st.Seq > a.last {
		// Some of the reply's events never came (a catch-up failed): claim only what the
		// window has, so that the events after it are not taken for duplicates.
		st.Seq = a.last
	}
	if a.first {
		a.first = false
		a.initial = st
		return
	}
	a.m.cfg.Emitter.Emit(EventPartyState, forPage(st))
	if a.party.ID != "" {
		a.m.cfg.Emitter.Emit(EventPartyInfo, a.party)
	}
}

// onStatus reports connection changes.
func (a *active) onStatus(s client.Status) {
	a.mu.Lock()
	if s.State == client.StatusConnected && a.pending != nil {
		a.completeLocked()
	}
	a.status = s.State
	st := Status{Status: s.State, Attempt: s.Attempt, RetryMS: s.RetryIn.Milliseconds()}
	if s.Err != nil && !errors.Is(s.Err, client.ErrClosed) {
		st.Error = a.m.describe(s.Err)
	}
	a.conn, a.connAt = st, time.Now()
	a.m.cfg.Emitter.Emit(EventPartyStatus, st)
	a.mu.Unlock()
	a.m.changed()
}
