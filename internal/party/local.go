package party

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// Local is an in-process view of the party: the host's own terminal or window. As a
// member (JoinLocal) it can prompt; as an observer (Watch) it only sees events. Its queue
// is unbounded because the host's own view must never lose an event; it is drained by a
// pump goroutine that Leave stops.
type Local struct {
	p      *Party
	id     string
	events chan wire.Event

	mu      sync.Mutex // guards queue, pumping, closed and editors
	queue   []wire.Event
	editors wire.Editors  // the last Client.editing this member was told (editing.go)
	edWake  chan struct{} // EditorsChanged
	pumping bool          // the pump holds events taken from queue that it has not delivered yet
	closed  bool
	wake    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

func newLocal(p *Party) *Local {
	l := &Local{
		p:       p,
		events:  make(chan wire.Event, localBuffer),
		wake:    make(chan struct{}, 1),
		edWake:  make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go l.pump()
	return l
}

// JoinLocal makes the host (or another in-process person) a member with role.
// The returned state is the party so far; Events carries what follows.
func (p *Party) JoinLocal(name, role string) (*Local, wire.HelloResult, error) {
	l := newLocal(p)
	res, err := p.Join(JoinRequest{Name: name, Role: role, Token: p.cfg.Token, Sub: l, Conn: l})
	if err != nil {
		l.shut()
		return nil, res, err
	}
	l.id = res.You.ID
	return l, res, nil
}

// JoinLocalPaged is JoinLocal whose hello carries the history as a remote member's does:
// at most helloJournalMax of what only the journal holds, marked truncated, the rest to
// be paged with State up to the hello's seq (History). A resumed host's terminal holds
// only the turns it prints of a long history, not the whole of it (JoinLocal's).
func (p *Party) JoinLocalPaged(name, role string) (*Local, wire.HelloResult, error) {
	l := newLocal(p)
	res, err := p.Join(JoinRequest{Name: name, Role: role, Token: p.cfg.Token, Sub: l, Conn: l, Paged: true})
	if err != nil {
		l.shut()
		return nil, res, err
	}
	l.id = res.You.ID
	return l, res, nil
}

// WatchPaged is Watch whose state carries the history as JoinLocalPaged's hello does.
func (p *Party) WatchPaged() (*Local, wire.State, error) {
	return p.watch(helloJournalMax)
}

// History passes the events of st (a state from JoinLocalPaged or WatchPaged) to fn, oldest
// first, then pages the rest of the history from the party (State, off its loop) up to
// st's seq: what came after that comes through the view's Events. At most about
// stateJournalMax of the history is held at once.
func (p *Party) History(st wire.State, fn func(wire.Event)) error {
	var last int64
	take := func(evs []wire.Event) {
		for _, ev := range evs {
			if ev.Seq > last && ev.Seq <= st.Seq {
				last = ev.Seq
				fn(ev)
			}
		}
	}
	take(st.Events)
	more := st.Truncated
	st.Events = nil
	for more && last < st.Seq {
		before := last
		page, err := p.State(last)
		if err != nil {
			return fmt.Errorf("page the history after seq %d: %w", last, err)
		}
		take(page.Events)
		if last == before {
			return fmt.Errorf("page the history after seq %d: the party gave nothing after it", last)
		}
		more = page.Truncated
	}
	return nil
}

// Watch follows the party's events without being a member (a host terminal with
// --no-local-repl). It returns the state so far.
func (p *Party) Watch() (*Local, wire.State, error) { return p.watch(-1) }

// watch is Watch reading at most journalMax of the journal into its state (< 0: all).
func (p *Party) watch(journalMax int) (*Local, wire.State, error) {
	l := newLocal(p)
	var st wire.State
	err := p.do(func() {
		st = p.state(0, journalMax, -1)
		p.observers[l] = struct{}{}
	})
	if err != nil {
		l.shut()
		return nil, st, err
	}
	return l, st, nil
}

// OwnerView is ev as the party's owner sees it: a pending tool request carries, in the
// owner's own copy, the text its event shows no member (an edit of a file that usually
// holds secrets, of a file the party never shares, in a party that shares no files),
// under a line that says so. The agent runs on the owner's machine, and a tester had to
// approve such edits blind. Any other event, and any other member's, is ev as it is. It
// asks the party's loop, which never waits for a Local: call it from the reader of Events.
func (l *Local) OwnerView(ev wire.Event) wire.Event {
	if ev.Kind != wire.KindPermission || ev.Permission == nil || ev.Permission.Status != wire.PermissionPending || l.id == "" {
		return ev
	}
	var full, summary string
	_ = l.p.do(func() {
		m, r := l.p.members[l.id], l.p.perms[ev.Permission.ID]
		if m != nil && m.owner && r != nil {
			full, summary = r.full, r.fullSummary
		}
	})
	if full == "" && summary == "" {
		return ev
	}
	perm := *ev.Permission
	if full != "" {
		perm.Detail = OwnerOnlyNote + full
	}
	if summary != "" {
		perm.Summary = summary // the command as it will run: the owner decides it
		if full == "" {
			perm.Detail = strings.TrimSuffix(OwnerSummaryNote+perm.Detail, "\n")
		}
	}
	ev.Permission = &perm
	return ev
}

// OwnerViews is evs as the party's owner sees them (OwnerView), for the state a view
// starts from: evs itself when nothing changes.
func (l *Local) OwnerViews(evs []wire.Event) []wire.Event {
	var out []wire.Event
	for i, ev := range evs {
		if ev.Kind != wire.KindPermission || ev.Permission == nil || ev.Permission.Status != wire.PermissionPending {
			continue
		}
		if v := l.OwnerView(ev); v.Permission != ev.Permission {
			if out == nil {
				out = slices.Clone(evs)
			}
			out[i] = v
		}
	}
	if out == nil {
		return evs
	}
	return out
}

// OwnerState is st with OwnerViews applied to its events, and its RawEvents (when it has
// them) kept in step: a page's JSON splices those in as they are, and a reloaded window
// showed its owner the members' view of a pending .env edit, the text hidden (a window
// tester's).
func (l *Local) OwnerState(st wire.State) wire.State {
	evs := l.OwnerViews(st.Events)
	if len(st.RawEvents) == len(st.Events) {
		var raw []json.RawMessage
		for i := range evs {
			if evs[i].Permission == st.Events[i].Permission {
				continue
			}
			b, err := wire.Encode(evs[i])
			if err != nil {
				st.RawEvents = nil // encoded from the events, then
				break
			}
			if raw == nil {
				raw = slices.Clone(st.RawEvents)
			}
			raw[i] = b
		}
		if raw != nil && st.RawEvents != nil {
			st.RawEvents = raw
		}
	}
	st.Events = evs
	return st
}

// OwnerOnlyNote opens a request's text that only the party's owner is shown (OwnerView).
const OwnerOnlyNote = "(only you see this text, as the party's owner: the party shows it to no one else)\n"

// OwnerSummaryNote opens the detail of a request whose summary the owner sees whole and the
// party with a credential blanked out (OwnerView).
const OwnerSummaryNote = "(only you see the command with its credentials, as the party's owner: the party sees them blanked out)\n"

// Events delivers the party's events in order. It is closed after Leave.
func (l *Local) Events() <-chan wire.Event { return l.events }

// ID is the member id ("" for an observer).
func (l *Local) ID() string { return l.id }

// Prompt sends a prompt as this member.
func (l *Local) Prompt(text string) (wire.PromptResult, error) {
	return l.p.Prompt(l.id, text)
}

// Withdraw takes back a prompt that still waits for a batch (this member's, or anyone's
// for a host).
func (l *Local) Withdraw(_ context.Context, prompt string) error {
	return l.p.Withdraw(l.id, prompt)
}

// Leave stops the view (and membership); idempotent.
func (l *Local) Leave() {
	if l.id != "" {
		l.p.Leave(l.id, l)
	} else {
		_ = l.p.do(func() { delete(l.p.observers, l) })
	}
	l.shut()
}

// localBuffer is how many events wait in Events' channel before the rest queue up for
// the pump: while the reader keeps up, an event goes straight to it (one goroutine woken
// per event instead of two).
const localBuffer = 64

// Send implements Subscriber; it never blocks and never refuses.
func (l *Local) Send(ev wire.Event, _ json.RawMessage) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	if len(l.queue) == 0 && !l.pumping {
		// Nothing is waiting ahead of ev, so it may overtake no one. The pump closes
		// events only after closed is set, which happens under mu: not during this send.
		select {
		case l.events <- ev:
			l.mu.Unlock()
			return true
		default:
		}
	}
	l.queue = append(l.queue, ev)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return true
}

// SendEditors implements editorsSender: it keeps ed as the latest and wakes
// EditorsChanged. It never blocks: only the latest matters, not each change.
func (l *Local) SendEditors(ed wire.Editors) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.editors = ed
	l.mu.Unlock()
	select {
	case l.edWake <- struct{}{}:
	default:
	}
	return true
}

// EditorsChanged receives when the hosts editing the batch that waits for approval may
// have changed (Editors says who): a host member is told, others never. Not an event: it
// has no seq and may overtake the events before it, so its reader matches it to the
// approval card by batch id.
func (l *Local) EditorsChanged() <-chan struct{} { return l.edWake }

// Editors is who edits the batch that waits for approval, as this member was last told.
func (l *Local) Editors() wire.Editors {
	l.mu.Lock()
	defer l.mu.Unlock()
	ed := l.editors
	ed.Editors = slices.Clone(ed.Editors)
	return ed
}

// Close implements Subscriber.
func (l *Local) Close(string) { l.shut() }

func (l *Local) shut() {
	l.once.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		close(l.stop)
	})
	<-l.stopped
}

func (l *Local) pump() {
	defer close(l.stopped)
	defer close(l.events)
	for {
		l.mu.Lock()
		batch := l.queue
		l.queue = nil
		l.pumping = len(batch) > 0
		l.mu.Unlock()
		for _, ev := range batch {
			select {
			case l.events <- ev:
			case <-l.stop:
				return
			}
		}
		l.mu.Lock()
		l.pumping = false
		again := len(l.queue) > 0 // queued while this batch went out: its wake may be spent
		l.mu.Unlock()
		if again {
			continue
		}
		select {
		case <-l.wake:
		case <-l.stop:
			return
		}
	}
}

// The host methods, as this member (PROTOCOL.md §7); Local implements Controller.

// SetApproval turns approval mode on or off.
func (l *Local) SetApproval(_ context.Context, on bool) error { return l.p.SetApproval(l.id, on) }

// SetPermissionMode sets what the agent may do without asking, from now on.
func (l *Local) SetPermissionMode(_ context.Context, mode string) error {
	return l.p.SetPermissionMode(l.id, mode)
}

// Approve sends the waiting batch (edited when text is set).
func (l *Local) Approve(_ context.Context, batch string, text *string) error {
	return l.p.Approve(l.id, batch, text)
}

// Reject drops the waiting batch.
func (l *Local) Reject(_ context.Context, batch, reason string) error {
	return l.p.Reject(l.id, batch, reason)
}

// Interrupt stops the running turn.
func (l *Local) Interrupt(context.Context) error { return l.p.Interrupt(l.id) }

// Editing says that this host has opened (on) or closed an editor on the batch that
// waits for approval (Party.Editing).
func (l *Local) Editing(_ context.Context, batch string, on bool) error {
	return l.p.Editing(l.id, batch, on)
}

// SendNow sends the waiting prompts without waiting for more (Party.SendNow).
func (l *Local) SendNow(context.Context) error { return l.p.SendNow(l.id) }

// Invites are the current invites.
func (l *Local) Invites(_ context.Context) (wire.Invites, error) {
	return l.p.Invites(l.id)
}

// RevokeAlways makes a tool ask again.
func (l *Local) RevokeAlways(_ context.Context, tool string) error {
	return l.p.RevokeAlways(l.id, tool)
}

// Decide answers a tool request.
func (l *Local) Decide(_ context.Context, permission, decision, reason string) error {
	return l.p.Decide(l.id, permission, decision, reason)
}

// SetRole changes a member's role.
func (l *Local) SetRole(_ context.Context, member, role string) error {
	return l.p.SetRole(l.id, member, role)
}

// Kick removes a member.
func (l *Local) Kick(_ context.Context, member, reason string) error {
	return l.p.Kick(l.id, member, reason)
}

// RotateInvite makes new invites.
func (l *Local) RotateInvite(context.Context) (wire.Invites, error) { return l.p.RotateInvite(l.id) }

// AgentCommand queues an agent slash command.
func (l *Local) AgentCommand(_ context.Context, command string) error {
	return l.p.AgentCommand(l.id, command)
}

// State is the party's state with the events after since.
func (l *Local) State(since int64) (wire.State, error) { return l.p.State(since) }

var _ Controller = (*Local)(nil)

// Changes is Party.changes as this member.
func (l *Local) Changes(ctx context.Context) (wire.ChangesResult, error) { return l.p.Changes(ctx) }

// Diff is Party.diff as this member.
func (l *Local) Diff(ctx context.Context, path string) (wire.FileDiff, error) {
	return l.p.Diff(ctx, path)
}

// Tree is Party.tree as this member.
func (l *Local) Tree(ctx context.Context, path string) (wire.TreeResult, error) {
	return l.p.Tree(ctx, path)
}

// SetWorkspace changes what the workspace shares (a host).
func (l *Local) SetWorkspace(_ context.Context, level string) error {
	return l.p.SetWorkspace(l.id, level)
}

// ViewFrame is the frame the host's own views read a streamed reply in (ReadFramed): about
// a screen refresh.
const ViewFrame = 16 * time.Millisecond

// ReadFramed calls f with each event from events, in order, until events is closed. When
// two output events come within half a frame of each other, it lets a frame pass before it
// takes more, then takes at once what came meanwhile, and goes on a frame at a time for as
// long as each frame brings at least two more outputs: a reply streamed at hundreds or
// thousands of deltas a second then wakes the reader about once a frame instead of once a
// delta, and the deltas of a frame wait in the channel's buffer, which costs the sender
// nothing (a send to a parked reader costs it a thread wake-up); past the buffer's
// localBuffer events (about 4,000 deltas a second) the rest queue for the Local's pump,
// which is woken once. Slower output is taken as it comes (a frame's timer would cost as
// many wake-ups as it saves). An event of another kind that arrives during a frame waits
// for the frame's end; at any other time it is taken at once. The host's own terminal and
// window read their Local this way: what they show is painted a frame at a time anyway,
// so framed output shows at most about a frame later.
func ReadFramed(events <-chan wire.Event, frame time.Duration, f func(wire.Event)) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	wait := func(d time.Duration) {
		timer.Reset(d)
		<-timer.C
	}
	readFramed(events, frame, time.Now, wait, f)
}

// readFramed is ReadFramed with its clock and its wait given (tests give their own).
func readFramed(events <-chan wire.Event, frame time.Duration, now func() time.Time, wait func(time.Duration), f func(wire.Event)) {
	var lastOutput time.Time
	for ev := range events {
		f(ev)
		if ev.Kind != wire.KindOutput || frame <= 0 {
			continue
		}
		t := now()
		fast := t.Sub(lastOutput) < frame/2
		lastOutput = t
		if !fast {
			continue
		}
		// Two deltas within half a frame: frame by frame while each frame brings at least
		// two more (a delta every half frame or faster).
		for outputs := 2; outputs >= 2; {
			wait(frame)
			outputs = 0
			for drained := false; !drained; {
				select {
				case ev, ok := <-events:
					if !ok {
						return
					}
					f(ev)
					if ev.Kind == wire.KindOutput {
						outputs++
					}
				default:
					drained = true
				}
			}
		}
		// Slower again: the next two deltas tell whether to frame.
		lastOutput = time.Time{}
	}
}
