// The party a page loaded again finds the window in.

package session

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// Current is the party the window is in, as a page loaded anew needs it to show the party
// again: a web view that reloaded while the window hosted a party (its web process
// crashed) showed Home, with the running party listed and no way back into it, and Create
// said "already in a party" (a window tester's). ok is false when the window is in none.
//
// The state is the party's now, its history cut for the page as a resync's is (forPage);
// events after its seq follow as party:event, and the page drops those it has.
func (m *Manager) Current(ctx context.Context) (info Info, ok bool, err error) {
	a, err := m.current()
	if errors.Is(err, ErrNoParty) {
		return Info{}, false, nil
	}
	if err != nil {
		return Info{}, false, err
	}
	if a.role == wire.RoleHost {
		st, err := a.local.State(0)
		if err != nil {
			return Info{}, false, fmt.Errorf("the party's state: %w", err)
		}
		st = a.local.OwnerState(st)
		a.mu.Lock()
		info = Info{Role: wire.RoleHost, You: a.you, Party: a.h.Party().Info(), Invite: a.invite, ViewerInvite: a.viewerInvite, State: forPage(st), Draft: a.draft, MergeMode: a.mergeMode, ShareFix: a.h.ShareFix()}
		a.mu.Unlock()
		return info, true, nil
	}
	// Joined: the head (phase, people, waiting prompts) from the host, the history from
	// what the window kept, as onHello builds a resync's. A host that cannot be reached
	// now leaves the head as the join found it: the resync once it is back brings it.
	a.mu.Lock()
	last, head := a.last, a.initial
	a.mu.Unlock()
	if st, err := a.c.State(ctx, last); err == nil {
		head = st
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	seen, cut, err := a.log.tail(pageHistoryEvents, pageHistoryBytes, head.Phase)
	if err != nil {
		m.log.Error("the window's copy of the party's history", "err", err)
	}
	st := head
	st.Events = append(make([]wire.Event, 0, len(seen)+len(head.Events)), seen...)
	for _, ev := range head.Events {
		if len(st.Events) == 0 || ev.Seq > st.Events[len(st.Events)-1].Seq {
			st.Events = append(st.Events, ev)
		}
	}
	if n := len(st.Events); n > 0 && st.Events[n-1].Seq > st.Seq {
		st.Seq = st.Events[n-1].Seq
	}
	st.Truncated = cut
	if st.Participants == nil {
		st.Participants = []wire.Member{}
	}
	if st.Pending == nil {
		st.Pending = []wire.Prompt{}
	}
	st.RawEvents = nil
	return Info{Role: wire.RoleParticipant, You: a.you, Party: a.party, Invite: a.invite, ViewerInvite: a.viewerInvite, State: forPage(st), Status: a.connLocked(), Draft: a.draft}, true, nil
}

// maxDraftBytes bounds the draft kept for a page loaded again: well past a prompt's limit
// (a box may hold more than can be sent, and says so), short of a pasted file of any size.
const maxDraftBytes = 1 << 20

// KeepDraft keeps what the window's prompt box holds unsent, for a page loaded again while
// the window is in the party (Current gives it back): a web process that crashed took a
// half-written prompt with it. It is kept in memory only, with the party: the next party
// starts with none. Not in a party, it is dropped. A draft past maxDraftBytes is cut at a
// character's start.
func (m *Manager) KeepDraft(text string) {
	if len(text) > maxDraftBytes {
		n := maxDraftBytes
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	a, err := m.current()
	if err != nil {
		return
	}
	a.mu.Lock()
	a.draft = text
	a.mu.Unlock()
}

// connLocked is the connection for a page loaded now: nil when connected (or not yet said),
// else the last party:status with the wait before the next attempt that is left of it.
// A page given none showed "connected" until the next status event, which a long backoff
// could leave for minutes. a.mu is held.
func (a *active) connLocked() *Status {
	if a.conn.Status == "" || a.conn.Status == StatusConnected {
		return nil
	}
	st := a.conn
	if st.RetryMS > 0 {
		st.RetryMS = max(0, st.RetryMS-time.Since(a.connAt).Milliseconds())
	}
	return &st
}
