// Package session is the desktop window's business logic: at most one party at a time,
// hosted in this process (host.Start, with the host taking part) or joined over the
// network (client.Join). Whichever it is, the party's events reach the window as one
// stream, through an injected Emitter:
//
//	party:event   every event once, in seq order (wire.Event)
//	party:state   a full resync after a reconnect: replace what you have (wire.State)
//	party:info    after party:state: the party as the new hello describes it (wire.PartyInfo)
//	party:status  connection changes (Status)
//	party:ended   the party is over for this window (Ended)
//	party:invites a host made new invites (wire.Invites); the old links no longer work
//
// While in a party, the host methods of PROTOCOL.md §7 (approval, tool permissions,
// interrupt, roles, kick, invites, agent commands) go to the party's party.Controller:
// the host's own *party.Local when this window hosts, the *client.Client when it joined
// (a co-host). The party checks the member's role; this package only delegates. The
// workspace methods of §9 (changes, diffs, the folder tree, the sharing level) go the
// same way, through Workspace.
//
// The window keeps a party's transcript on screen after it ended, until the person leaves
// it (Forget): so does the Manager, so that Transcript can still render it (Save as
// Markdown).
//
// Nothing here knows Wails: the binding layer (app/) passes an Emitter that forwards to
// the window, and tests pass a recorder.
//
// Concurrency: Manager.mu guards which party is current; each party's own mutex
// (active.mu) guards its event bookkeeping and is held while an event is emitted, so
// window events leave in seq order. Lock order: Manager.mu, then active.mu; callbacks
// from the party or the client take only active.mu.
package session

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/wire"
)

// Emitter sends a named event with one payload to the window. It must not block for
// long: it is called with a party's event lock held.
type Emitter interface {
	Emit(name string, data any)
}

// Window event names (docs/app-api.md).
const (
	EventPartyEvent = "party:event"
	EventPartyState = "party:state"
	// EventPartyInfo follows a party:state: the hello of a reconnect describes the party
	// as it is now (a resumed host may merge otherwise, batch in another window).
	EventPartyInfo   = "party:info"
	EventPartyStatus = "party:status"
	EventPartyEnded  = "party:ended"
	// EventPartyInvites carries wire.Invites after a rotation.
	EventPartyInvites = "party:invites"
	// EventPartyEditing carries wire.Editors: who edits the prompt held for approval,
	// as the host last told this window's member, a host (Client.editing, §7). Not a
	// party event: no seq, and it may come before the events ahead of it.
	EventPartyEditing = "party:editing"
	// EventPartyShareFix carries a string, to the window that runs the party only: what
	// its owner can do about a working directory that could not be shared
	// (host.Host.ShareFix), once its first snapshot failed. Members are told only why.
	EventPartyShareFix = "party:sharefix"
)

// Connection states in Status (the client's, plus "connected" for a hosted party).
const (
	StatusConnecting   = client.StatusConnecting
	StatusConnected    = client.StatusConnected
	StatusReconnecting = client.StatusReconnecting
	StatusClosed       = client.StatusClosed
)

// Info describes the party the window is in; its JSON is the window's Session.
type Info struct {
	// Role says how this window is in the party: wire.RoleHost when it runs the party,
	// wire.RoleParticipant when it joined one. The member's own role (host, participant,
	// viewer) is You.Role; participants events with "changed" update it.
	Role   string         `json:"role"`
	You    wire.Member    `json:"you"`
	Party  wire.PartyInfo `json:"party"`
	Invite string         `json:"invite"`
	// ViewerInvite lets people watch without prompting; "" when this window does not know
	// it (a joined member, until it makes new invites).
	ViewerInvite string     `json:"viewer_invite"`
	State        wire.State `json:"state"` // the party so far; events after State.Seq follow as party:event
	// AskedName is the name asked for when the host gave another (it was taken: "tina"
	// became "tina-2"); "" when it gave that one.
	AskedName string `json:"asked_name,omitempty"`
	// Rejoined is true when this window came back as the member it was the last time it
	// joined with this invite and name (internal/membership), its role included.
	Rejoined bool `json:"rejoined,omitempty"`
	// ViewerKept is the hello's viewer_kept (PROTOCOL.md §4): why the participant invite
	// made this window a viewer ("returned", "removed"); "" otherwise. The window says so.
	ViewerKept string `json:"viewer_kept,omitempty"`
	// SeatNotBack is true when the host made the name unique though this data directory's
	// client_id for that name was presented (the invite was rotated since it last joined):
	// if that member was a co-host, this invite cannot bring its seat back (a participant's
	// invite never raises a role, PROTOCOL.md §4); the window says so.
	SeatNotBack bool `json:"seat_not_back,omitempty"`
	// NotKept is why this window could not keep its membership (a *KeepError: a full disk,
	// a folder it may not write), nil when it did: joining again later makes it someone
	// new. The app says it in words (NotKeptText).
	NotKept error `json:"-"`
	// NotKeptText is NotKept for people, set by the app.
	NotKeptText string `json:"not_kept,omitempty"`
	// Removed is set when a host had removed the member this window was the last time it
	// joined with this invite and name, and it joined as someone new (a *RemovedError, Err
	// nil); nil otherwise. The app says it in words (RemovedText).
	Removed error `json:"-"`
	// RemovedText is Removed for people, set by the app.
	RemovedText string `json:"removed,omitempty"`
	// Status is the connection when it is not "connected", its RetryMS counted from now;
	// only Current gives it (a page loaded while its joined party reconnects). Left out,
	// the party is connected.
	Status *Status `json:"status,omitempty"`
	// Draft is what the window's prompt box held unsent (KeepDraft); only Current gives it.
	Draft string `json:"draft,omitempty"`
	// MergeMode is the merger this window's party was hosted with (settings.MergerAuto,
	// MergerGemini or MergerLocal; a resumed one's from its journal), "" for a joined
	// one: Settings says whether a key saved during the party will be used (a party
	// hosted with local never looks for one; PROTOCOL.md §7 settings.merger).
	MergeMode string `json:"merge_mode,omitempty"`
	// ShareFix is, in the window that runs the party, what its owner can do about a
	// working directory that could not be shared (host.Host.ShareFix: "list build output
	// … in a .gitignore, or host from a smaller folder"); "" otherwise, and always for a
	// joined party: the remedy is the host's alone. Known once the folder's first
	// snapshot is over: EventPartyShareFix says it when that comes later.
	ShareFix string `json:"share_fix,omitempty"`
}

// Status is the payload of party:status.
type Status struct {
	Status  string `json:"status"`
	Attempt int    `json:"attempt"`
	Error   string `json:"error"`
	RetryMS int64  `json:"retry_ms"`
	// History is how far a (re)connection's catch-up of the party's history has come,
	// while it takes more than a moment (a long party over a slow link took a join 17 s
	// of "Connecting…" with no word of why); nil otherwise.
	History *HistoryProgress `json:"history,omitempty"`
}

// HistoryProgress counts a catch-up's events: Have of Of are in.
type HistoryProgress struct {
	Have int64 `json:"have"`
	Of   int64 `json:"of"`
}

// Ended is the payload of party:ended.
type Ended struct {
	Reason string `json:"reason"`
	// Kicked is true when a host removed this window's person from the party.
	Kicked bool `json:"kicked"`
}

// Snapshot is the current party at a glance (for the tray and the close button).
type Snapshot struct {
	Role         string // "" when not in a party
	Participants int    // everyone in the party, the window's person included
	Invite       string
	Status       string // connection state; StatusConnected for a hosted party
	Draft        bool   // the window's prompt box holds text not sent (KeepDraft)
}

// Config configures a Manager.
type Config struct {
	// Emitter receives the window events; required.
	Emitter Emitter
	// DataDir holds the party journals, the TLS identity and the workspace records; required to host.
	DataDir string
	// Secrets is where the Gemini key comes from; nil means the OS keyring.
	Secrets *secrets.Store
	// GeminiModel is the merge model ("" = the default).
	GeminiModel string
	// Getenv reads CONCORDIA_GEMINI_BASE_URL and GEMINI_API_KEY; nil means os.Getenv.
	Getenv func(string) string
	// Describe turns an error into a sentence for window events (party:status errors,
	// party:ended reasons it does not know); nil means err.Error().
	Describe func(error) string
	// OnChange is called (without locks held) after the current party, its participant
	// count or its connection state changed; read Snapshot then.
	OnChange func()
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger

	// Insecure hosts parties over plain ws:// (tests on loopback only).
	Insecure bool
	// ClientBackoff overrides the participant's reconnect delays (tests).
	ClientBackoff []time.Duration
	// Host tunes hosted parties (tests); its listen, name, agent and merger fields are
	// set from the HostRequest.
	Host host.Config
}

// Workspace is the party's view of the host's working directory (PROTOCOL.md §9): the
// host's own *party.Local when this window hosts, the *client.Client when it joined.
type Workspace interface {
	Changes(ctx context.Context) (wire.ChangesResult, error)
	Diff(ctx context.Context, path string) (wire.FileDiff, error)
	Tree(ctx context.Context, path string) (wire.TreeResult, error)
	SetWorkspace(ctx context.Context, level string) error
}

var (
	_ Workspace = (*party.Local)(nil)
	_ Workspace = (*client.Client)(nil)
)

// Transcript is a party's log as this window saw it, for Save as Markdown.
type Transcript struct {
	Party  wire.PartyInfo
	You    wire.Member
	Ended  string       // why it ended; "" while it runs
	Events []wire.Event // oldest first
}

// Manager runs the window's party: at most one at a time. Its methods are safe for
// concurrent use (bound methods run on their own goroutines).
type Manager struct {
	cfg      Config
	log      *slog.Logger
	describe func(error) string

	base   context.Context // cancelled by Close: stops a Host or Join in flight
	cancel context.CancelFunc
	starts sync.WaitGroup // Host and Join calls in flight

	// recent keeps the journals RecentParties read: the window reads the list every few
	// seconds while a party runs elsewhere, and only a journal that changed is read again.
	recent journal.Lister

	// clientID is the client_id of the parties this Manager joins under clientName: joining
	// a party again after leaving it comes back as the same member (its name, role and
	// prompts, "you" in the window), as a reconnect does, unless a host removed it. Joining
	// under another name takes a new one: the host gives a member back its old name. Only
	// Join uses them, one at a time (begin).
	clientID, clientName string

	// refused is the Gemini keys Google refused in a check or a party: the next party
	// merges locally from its start with one of them.
	refused host.RefusedKeys

	mu       sync.Mutex // guards cur, ended, starting, closed
	cur      *active
	ended    *active // the last party that ended, until Forget or the next party
	starting bool
	closed   bool
}

// New returns a Manager.
func New(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Secrets == nil {
		cfg.Secrets = secrets.New(secrets.Options{Getenv: cfg.Getenv, Logger: cfg.Logger})
	}
	m := &Manager{cfg: cfg, log: cfg.Logger, describe: cfg.Describe}
	if m.describe == nil {
		m.describe = func(err error) string { return err.Error() }
	}
	m.base, m.cancel = context.WithCancel(context.Background())
	return m
}

// requestError is a problem with a HostRequest or Join argument; its text is a sentence.
type requestError struct{ err error }

func (e *requestError) Error() string        { return e.err.Error() }
func (e *requestError) Unwrap() error        { return e.err }
func (e *requestError) Is(target error) bool { return target == ErrBadRequest }

func badRequest(err error) error { return &requestError{err} }

// begin reserves the window for a party about to start.
func (m *Manager) begin() error {
	m.mu.Lock()
	switch {
	case m.closed:
		m.mu.Unlock()
		return ErrClosed
	case m.cur != nil || m.starting:
		m.mu.Unlock()
		return ErrBusy
	}
	m.starting = true
	last := m.ended
	m.ended = nil // a new party: the last one's transcript goes
	m.starts.Add(1)
	m.mu.Unlock()
	if last != nil {
		last.dropHistory() // after m.mu: a.mu is never taken under it
	}
	return nil
}

// commit makes a started party current, or ends it when the Manager was closed meanwhile.
func (m *Manager) commit(a *active) error {
	defer m.starts.Done()
	m.mu.Lock()
	m.starting = false
	if m.closed {
		m.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.stop(ctx, a, "the app is closing")
		return ErrClosed
	}
	m.cur = a
	m.mu.Unlock()
	m.changed()
	return nil
}

// abort releases the reservation of a party that did not start.
func (m *Manager) abort() {
	m.mu.Lock()
	m.starting = false
	m.mu.Unlock()
	m.starts.Done()
}

// opContext is ctx that also ends when the Manager closes.
func (m *Manager) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(m.base, cancel)
	return ctx, func() { stop(); cancel() }
}

// current is the running party, or ErrNoParty.
func (m *Manager) current() (*active, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return nil, ErrNoParty
	}
	return m.cur, nil
}

// Prompt sends a prompt as the window's person.
func (m *Manager) Prompt(ctx context.Context, text string) (wire.PromptResult, error) {
	if strings.TrimSpace(text) == "" {
		return wire.PromptResult{}, ErrEmptyPrompt
	}
	if len(text) > wire.MaxPromptBytes {
		return wire.PromptResult{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrPromptTooLarge, len(text), wire.MaxPromptBytes)
	}
	a, err := m.current()
	if err != nil {
		return wire.PromptResult{}, err
	}
	var res wire.PromptResult
	if a.role == wire.RoleHost {
		res, err = a.local.Prompt(text)
	} else {
		res, err = a.c.Prompt(ctx, text)
	}
	if err != nil {
		return res, fmt.Errorf("send prompt: %w", err)
	}
	return res, nil
}

// Withdraw takes back a prompt that still waits for a batch: the window's person's own,
// or anyone's for a host.
func (m *Manager) Withdraw(ctx context.Context, prompt string) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	if a.role == wire.RoleHost {
		err = a.local.Withdraw(ctx, prompt)
	} else {
		err = a.c.Withdraw(ctx, prompt)
	}
	if err != nil {
		return fmt.Errorf("withdraw prompt: %w", err)
	}
	return nil
}

// Leave leaves the party; the host's leaving ends it for everyone.
func (m *Manager) Leave(ctx context.Context) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	reason := "you left the party"
	if a.role == wire.RoleHost {
		reason = "you ended the party"
	}
	return m.stop(ctx, a, reason)
}

// End ends the hosted party: participants are told, the agent is stopped.
func (m *Manager) End(ctx context.Context) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	if a.role != wire.RoleHost {
		return ErrNotHost
	}
	return m.stop(ctx, a, "you ended the party")
}

// Invite is the current party's invite.
func (m *Manager) Invite() (string, error) {
	inv, err := m.Invites()
	return inv.Invite, err
}

// Invites are the current party's participant and viewer invites (the viewer one is ""
// when this window does not know it).
func (m *Manager) Invites() (wire.Invites, error) {
	a, err := m.current()
	if err != nil {
		return wire.Invites{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return wire.Invites{Invite: a.invite, ViewerInvite: a.viewerInvite, HostInvite: a.hostInvite}, nil
}

// Transcript is the log of the current party, or of the last one that ended until Forget
// or the next party; ErrNoParty when there is neither.
func (m *Manager) Transcript() (Transcript, error) {
	m.mu.Lock()
	a := m.cur
	if a == nil {
		a = m.ended
	}
	m.mu.Unlock()
	if a == nil {
		return Transcript{}, ErrNoParty
	}
	a.mu.Lock()
	t := Transcript{Party: a.party, You: a.you, Ended: a.endReason}
	path, seen := a.journal, a.log.snapshot()
	a.mu.Unlock()
	if path == "" {
		var err error
		if t.Events, err = seen(); err != nil {
			return Transcript{}, fmt.Errorf("the window could not keep the party's whole history: %w", err)
		}
	} else {
		t.Events = []wire.Event{}
		if _, err := journal.Read(path, func(ev wire.Event, _ json.RawMessage) { t.Events = append(t.Events, ev) }); err != nil {
			return Transcript{}, fmt.Errorf("read the party's journal: %w", err)
		}
	}
	return t, nil
}

// Forget drops the transcript of the party that ended (the person left its view).
func (m *Manager) Forget() {
	m.mu.Lock()
	a := m.ended
	m.ended = nil
	m.mu.Unlock()
	if a != nil {
		a.dropHistory()
	}
}

// Snapshot describes the current party (the zero value when there is none).
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	a := m.cur
	m.mu.Unlock()
	if a == nil {
		return Snapshot{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return Snapshot{Role: a.role, Participants: a.members, Invite: a.invite, Status: a.status, Draft: strings.TrimSpace(a.draft) != ""}
}

// Close ends whatever party runs (a hosted one for everyone) and refuses new ones. It
// waits for a Host or Join in flight, which it cancels. Idempotent.
func (m *Manager) Close(ctx context.Context) error {
	return m.CloseBecause(ctx, host.EndedByHost)
}

// CloseBecause is Close, a hosted party's members told endText of its end (host.EndText:
// the app stopped by a logout is not "the host ended the party").
func (m *Manager) CloseBecause(ctx context.Context, endText string) error {
	m.mu.Lock()
	m.closed = true
	a := m.cur
	m.mu.Unlock()
	m.cancel()
	m.starts.Wait()
	var err error
	if a != nil {
		a.mu.Lock()
		a.endText = endText
		a.mu.Unlock()
		err = m.stop(ctx, a, "the app is closing")
	}
	m.mu.Lock()
	ended := m.ended
	m.mu.Unlock()
	if ended != nil {
		ended.dropHistory() // a joined party's history file
	}
	return err
}

// stop ends a party and reports it to the window once.
func (m *Manager) stop(ctx context.Context, a *active, reason string) error {
	err := a.stop(ctx)
	if a.role == wire.RoleHost {
		// Said in the window's "ended" view: nobody else is left to tell.
		if left := a.h.LeftAtEnd(); left != "" {
			reason += "; " + left
		}
		if err != nil && a.h.JournalBehind() {
			// The party ended; its journal's write failed: said with the end, not as an
			// end that failed (a window tester read "Could not end the party: Write
			// journal: …" under "you ended the party").
			m.log.Warn("the party ended with its journal behind", "err", err)
			reason, err = reason+cutShortWords(a.h.JournalResumable()), nil
		}
	}
	m.finish(a, reason)
	return err
}

// cutShortWords is what the window's "ended" view adds when the party's journal could not
// be written to its end.
func cutShortWords(resumable bool) string {
	if resumable {
		return "; its journal could not be written to its end (was the disk full?), so what happened since it fell behind is missing from its history (resuming it goes on past that)"
	}
	return "; its journal could not be written to its end (was the disk full?), so this party cannot be resumed"
}

// finish forgets a party that has ended and tells the window, once per party.
func (m *Manager) finish(a *active, reason string) {
	m.finishWith(a, Ended{Reason: reason})
}

func (m *Manager) finishWith(a *active, ended Ended) {
	a.endOnce.Do(func() {
		m.mu.Lock()
		if m.cur == a {
			m.cur = nil
			m.ended = a
		}
		m.mu.Unlock()
		a.mu.Lock()
		a.status = StatusClosed
		a.endReason = ended.Reason
		m.cfg.Emitter.Emit(EventPartyEnded, ended)
		a.mu.Unlock()
		m.changed()
	})
}

func (m *Manager) changed() {
	if m.cfg.OnChange != nil {
		m.cfg.OnChange()
	}
}
