// Package session is the desktop window's business logic: at most one party at a time,
// hosted in this process (host.Start, with the host taking part) or joined over the
// network (client.Join). Whichever it is, the party's events reach the window as one
// stream, through an injected Emitter:
//
//	party:event   every event once, in seq order (wire.Event)
//	party:state   a full resync after a reconnect: replace what you have (wire.State)
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
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/wire"
)

// Emitter sends a named event with one payload to the window. It must not block for
// long: it is called with a party's event lock held.
type Emitter interface {
	Emit(name string, data any)
}

// Window event names (docs/app-api.md).
const (
	EventPartyEvent  = "party:event"
	EventPartyState  = "party:state"
	EventPartyStatus = "party:status"
	EventPartyEnded  = "party:ended"
	// EventPartyInvites carries wire.Invites after a rotation.
	EventPartyInvites = "party:invites"
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
}

// Status is the payload of party:status.
type Status struct {
	Status  string `json:"status"`
	Attempt int    `json:"attempt"`
	Error   string `json:"error"`
	RetryMS int64  `json:"retry_ms"`
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
}

// Config configures a Manager.
type Config struct {
	// Emitter receives the window events; required.
	Emitter Emitter
	// DataDir holds the host's TLS identity and transcripts; required to host.
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

// HostRequest says how to host a party.
type HostRequest struct {
	Name       string
	Workdir    string // the agent's working directory; must exist
	Window     time.Duration
	MinPrompts int
	Merger     string // settings.MergerAuto, MergerGemini or MergerLocal
	ClaudePath string // "" = "claude" on PATH
	ClaudeArgs []string
	Listen     string // "" = ":8765"
	PublicHost string // "" = detected

	// PermissionMode is what the agent may do without asking a host: settings.PermissionAsk
	// ("" means it), PermissionEdits, PermissionPlan or PermissionAll.
	PermissionMode string
	// Approve starts the party in approval mode: each merged prompt waits for a host.
	Approve bool
	// PermissionTimeout denies an undecided tool request after it (0 = the host's 2m).
	PermissionTimeout time.Duration
	// TurnTimeout stops a turn silent this long (0 = the host's default).
	TurnTimeout time.Duration
	// ShareWorkspace is what the party sees of the working directory (PROTOCOL.md §9):
	// settings.ShareOff, ShareChanges ("" means it) or ShareTree.
	ShareWorkspace string
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

	// clientID is the client_id of the parties this Manager joins under clientName: joining
	// a party again after leaving it comes back as the same member (its name, role and
	// prompts, "you" in the window), as a reconnect does, unless a host removed it. Joining
	// under another name takes a new one: the host gives a member back its old name. Only
	// Join uses them, one at a time (begin).
	clientID, clientName string

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

// randomClientID is a client_id no other window has: 16 random bytes, in hex.
func randomClientID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}

// requestError is a problem with a HostRequest or Join argument; its text is a sentence.
type requestError struct{ err error }

func (e *requestError) Error() string        { return e.err.Error() }
func (e *requestError) Unwrap() error        { return e.err }
func (e *requestError) Is(target error) bool { return target == ErrBadRequest }

func badRequest(err error) error { return &requestError{err} }

// check validates a HostRequest with the settings' rules.
func (r *HostRequest) check() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Workdir = strings.TrimSpace(r.Workdir)
	r.Merger = strings.ToLower(strings.TrimSpace(r.Merger))
	r.ClaudePath = strings.TrimSpace(r.ClaudePath)
	if r.ClaudePath == "" {
		r.ClaudePath = settings.DefaultClaudePath
	}
	if r.Listen = strings.TrimSpace(r.Listen); r.Listen == "" {
		r.Listen = settings.DefaultListen
	}
	r.PublicHost = strings.TrimSpace(r.PublicHost)
	if r.PermissionMode = strings.ToLower(strings.TrimSpace(r.PermissionMode)); r.PermissionMode == "" {
		r.PermissionMode = settings.PermissionAsk
	}
	if r.ShareWorkspace = strings.ToLower(strings.TrimSpace(r.ShareWorkspace)); r.ShareWorkspace == "" {
		r.ShareWorkspace = settings.ShareChanges
	}
	if r.Workdir == "" {
		return badRequest(errors.New("Choose the folder Claude Code works in."))
	}
	for _, err := range []error{
		settings.CheckName(r.Name),
		settings.CheckWorkdir(r.Workdir),
		settings.CheckWindow(r.Window.Milliseconds()),
		settings.CheckMinPrompts(r.MinPrompts),
		settings.CheckMerger(r.Merger),
		settings.CheckClaudePath(r.ClaudePath),
		settings.CheckPermissionMode(r.PermissionMode),
		settings.CheckShareWorkspace(r.ShareWorkspace),
	} {
		if err != nil {
			return badRequest(err)
		}
	}
	return nil
}

// begin reserves the window for a party about to start.
func (m *Manager) begin() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return ErrClosed
	case m.cur != nil || m.starting:
		return ErrBusy
	}
	m.starting = true
	m.ended = nil // a new party: the last one's transcript goes
	m.starts.Add(1)
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

// Host starts hosting a party (listener, agent, party) with the window's person as its
// host member. The merger is chosen as `concordia host --merge` does; its notices go
// into the party as system events. A missing Claude Code fails with an error matching
// agent.ErrNotInstalled.
func (m *Manager) Host(ctx context.Context, req HostRequest) (Info, error) {
	if err := req.check(); err != nil {
		return Info{}, err
	}
	if m.cfg.DataDir == "" {
		return Info{}, errors.New("host: no data directory")
	}
	if err := m.begin(); err != nil {
		return Info{}, err
	}
	ctx, cancel := m.opContext(ctx)
	defer cancel()
	a, info, err := m.startHost(ctx, req, nil, 0)
	if err != nil {
		m.abort()
		return Info{}, err
	}
	if err := m.commit(a); err != nil {
		return Info{}, err
	}
	return info, nil
}

// startHost starts a party: a new one, or the journal's when res is not nil (then
// maxParticipants is the party's, 0 = the default).
func (m *Manager) startHost(ctx context.Context, req HostRequest, res *host.Resume, maxParticipants int) (*active, Info, error) {
	merger, notes, err := host.SelectMerger(ctx, host.MergerOptions{
		Mode: req.Merger, Model: m.cfg.GeminiModel, Store: m.cfg.Secrets, Getenv: m.cfg.Getenv, Logger: m.log,
		Window: true, // the notices say to add a key in Settings
	})
	if err != nil {
		return nil, Info{}, fmt.Errorf("choose merger: %w", err)
	}
	hc := m.cfg.Host
	hc.Listen = req.Listen
	hc.PublicHost = req.PublicHost
	hc.Name = req.Name
	hc.Window = req.Window
	hc.MinPrompts = req.MinPrompts
	hc.Merger = merger
	hc.Agent = agent.Config{Path: req.ClaudePath, Args: req.ClaudeArgs, WorkDir: req.Workdir, Logger: m.log}
	hc.PermissionMode = req.PermissionMode
	hc.Approve = req.Approve
	hc.ShareWorkspace = req.ShareWorkspace
	hc.MergeMode, hc.GeminiModel = req.Merger, m.cfg.GeminiModel // journalled for a resume
	hc.Resume = res
	if maxParticipants > 0 {
		hc.Party.MaxParticipants = maxParticipants
	}
	if req.PermissionTimeout > 0 {
		hc.PermissionTimeout = req.PermissionTimeout
	}
	if req.TurnTimeout > 0 {
		hc.TurnTimeout = req.TurnTimeout
	}
	// The party calls OnInvites on its loop once a host rotated them; a exists by then
	// (only a member that joined after start can ask), and setInvites takes only a.mu.
	a := &active{m: m, role: wire.RoleHost, status: StatusConnected, done: make(chan struct{})}
	hc.OnInvites = a.setInvites
	hc.DataDir = m.cfg.DataDir
	hc.Insecure = m.cfg.Insecure
	hc.Logger = m.log
	h, err := host.Start(ctx, hc)
	if err != nil {
		return nil, Info{}, fmt.Errorf("start party: %w", err)
	}
	for _, n := range notes {
		h.Party().Notice(wire.KindSystem, n)
	}
	if m.cfg.Insecure {
		h.Party().Notice(wire.KindSystem, "this party is not encrypted (insecure mode)")
	}
	local, hello, err := h.Party().JoinLocal(req.Name, wire.RoleHost)
	if err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(sctx)
		return nil, Info{}, fmt.Errorf("join own party: %w", err)
	}
	a.mu.Lock()
	a.h, a.local, a.you = h, local, hello.You
	if a.invite == "" { // not rotated meanwhile
		a.invite, a.viewerInvite = h.Invite().String(), h.ViewerInvite().String()
	}
	a.last, a.members = hello.State.Seq, len(hello.State.Participants)
	a.party = hello.Party
	// A hosted party's history is its journal: the window keeps none of it in memory
	// (a long party would grow without bound); Transcript reads the journal.
	a.journal = h.TranscriptPath()
	info := Info{Role: wire.RoleHost, You: hello.You, Party: hello.Party, Invite: a.invite, ViewerInvite: a.viewerInvite, State: hello.State}
	a.mu.Unlock()
	go a.pump()
	return a, info, nil
}

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
	a := &active{m: m, role: wire.RoleParticipant, invite: inv.String(), first: true, status: StatusConnecting, done: make(chan struct{})}
	c, err := client.Join(ctx, client.Config{
		Invite:   inv,
		Name:     name,
		ClientID: m.clientID,
		OnEvent:  a.onEvent,
		OnHello:  a.onHello,
		OnStatus: a.onStatus,
		Backoff:  m.cfg.ClientBackoff,
		Logger:   m.log,
	})
	if err != nil {
		m.abort()
		return Info{}, fmt.Errorf("join party: %w", err)
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
	info := Info{Role: wire.RoleParticipant, You: hello.You, Party: hello.Party, Invite: a.invite, State: a.initial}
	a.mu.Unlock()
	if err := m.commit(a); err != nil {
		return Info{}, err
	}
	return info, nil
}

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
	t := Transcript{Party: a.party, You: a.you, Ended: a.endReason, Events: append([]wire.Event(nil), a.log...)}
	path := a.journal
	a.mu.Unlock()
	if path != "" {
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
	m.ended = nil
	m.mu.Unlock()
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
	return Snapshot{Role: a.role, Participants: a.members, Invite: a.invite, Status: a.status}
}

// Close ends whatever party runs (a hosted one for everyone) and refuses new ones. It
// waits for a Host or Join in flight, which it cancels. Idempotent.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	a := m.cur
	m.mu.Unlock()
	m.cancel()
	m.starts.Wait()
	if a == nil {
		return nil
	}
	return m.stop(ctx, a, "the app is closing")
}

// stop ends a party and reports it to the window once.
func (m *Manager) stop(ctx context.Context, a *active, reason string) error {
	err := a.stop(ctx)
	if a.role == wire.RoleHost {
		// Said in the window's "ended" view: nobody else is left to tell.
		if left := a.h.LeftAtEnd(); left != "" {
			reason += "; " + left
		}
	}
	m.finish(a, reason)
	return err
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
