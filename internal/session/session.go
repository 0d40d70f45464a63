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
	a := &active{m: m, role: wire.RoleParticipant, invite: inv.String(), first: true, status: StatusConnecting, done: make(chan struct{})}
	c, err := client.Join(ctx, client.Config{
		Invite:   inv,
		Name:     name,
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
	info := Info{Role: wire.RoleParticipant, You: hello.You, Party: hello.Party, Invite: a.invite, State: a.initial}
	a.mu.Unlock()
	if err := m.commit(a); err != nil {
		return Info{}, err
	}
	return info, nil
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
	return wire.Invites{Invite: a.invite, ViewerInvite: a.viewerInvite}, nil
}

// control runs a host method on the current party's Controller; the party checks that
// the window's person is a host.
func (m *Manager) control(op string, f func(party.Controller) error) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	if err := f(a.controller()); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// SetApproval turns approval mode on or off (off sends a batch that waits).
func (m *Manager) SetApproval(ctx context.Context, on bool) error {
	return m.control("set approval", func(c party.Controller) error { return c.SetApproval(ctx, on) })
}

// Approve sends the batch waiting for approval as merged, or as text when text is set.
func (m *Manager) Approve(ctx context.Context, batch string, text *string) error {
	if text != nil {
		if strings.TrimSpace(*text) == "" {
			return ErrEmptyPrompt
		}
		if len(*text) > wire.MaxPromptBytes {
			return fmt.Errorf("%w: %d bytes, the limit is %d", ErrPromptTooLarge, len(*text), wire.MaxPromptBytes)
		}
	}
	return m.control("approve batch", func(c party.Controller) error { return c.Approve(ctx, batch, text) })
}

// Reject drops the batch waiting for approval; its authors see who and why.
func (m *Manager) Reject(ctx context.Context, batch, reason string) error {
	return m.control("reject batch", func(c party.Controller) error { return c.Reject(ctx, batch, reason) })
}

// Interrupt stops the running turn.
func (m *Manager) Interrupt(ctx context.Context) error {
	return m.control("stop the turn", func(c party.Controller) error { return c.Interrupt(ctx) })
}

// Decide answers a pending tool request: wire.DecisionAllow, DecisionDeny (reason goes to
// the agent) or DecisionAlways (allow this tool from now on).
func (m *Manager) Decide(ctx context.Context, permission, decision, reason string) error {
	switch decision {
	case wire.DecisionAllow, wire.DecisionDeny, wire.DecisionAlways:
	default:
		return badRequest(fmt.Errorf("a decision is allow, deny or always, not %q", decision))
	}
	return m.control("decide tool request", func(c party.Controller) error { return c.Decide(ctx, permission, decision, reason) })
}

// SetRole makes a member a host (co-host), participant or viewer.
func (m *Manager) SetRole(ctx context.Context, member, role string) error {
	switch role {
	case wire.RoleHost, wire.RoleParticipant, wire.RoleViewer:
	default:
		return badRequest(fmt.Errorf("a role is host, participant or viewer, not %q", role))
	}
	return m.control("change role", func(c party.Controller) error { return c.SetRole(ctx, member, role) })
}

// Kick removes a member from the party.
func (m *Manager) Kick(ctx context.Context, member, reason string) error {
	return m.control("remove member", func(c party.Controller) error { return c.Kick(ctx, member, reason) })
}

// RotateInvite makes new participant and viewer invites; the old links stop working.
// The window gets them as party:invites too.
func (m *Manager) RotateInvite(ctx context.Context) (wire.Invites, error) {
	var inv wire.Invites
	err := m.control("make new invites", func(c party.Controller) error {
		var err error
		inv, err = c.RotateInvite(ctx)
		return err
	})
	if err != nil {
		return wire.Invites{}, err
	}
	a, cerr := m.current()
	if cerr != nil {
		return inv, nil // the party ended meanwhile; the invites were made
	}
	if a.role != wire.RoleHost {
		// A co-host elsewhere: the host's reply carries the links (a hosted party got
		// them through host.Config.OnInvites already).
		a.setInvites(inv)
	} else {
		a.mu.Lock()
		inv = wire.Invites{Invite: a.invite, ViewerInvite: a.viewerInvite}
		a.mu.Unlock()
	}
	return inv, nil
}

// AgentCommand queues an agent slash command (e.g. "/compact"); it runs when the agent is
// next idle.
func (m *Manager) AgentCommand(ctx context.Context, command string) error {
	command = strings.TrimSpace(command)
	if !strings.HasPrefix(command, "/") || len(command) < 2 {
		return badRequest(errors.New("an agent command starts with / (for example /compact)"))
	}
	return m.control("run agent command", func(c party.Controller) error { return c.AgentCommand(ctx, command) })
}

// workspace runs a §9 method on the current party (any member may; the party checks the
// sharing level).
func (m *Manager) workspace(op string, f func(Workspace) error) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	var ws Workspace = a.c
	if a.role == wire.RoleHost {
		ws = a.local
	}
	if err := f(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Changes lists the files the agent changed since the party began.
func (m *Manager) Changes(ctx context.Context) (wire.ChangesResult, error) {
	var res wire.ChangesResult
	err := m.workspace("list changes", func(w Workspace) (err error) {
		res, err = w.Changes(ctx)
		return err
	})
	if res.Files == nil {
		res.Files = []wire.FileChange{}
	}
	return res, err
}

// Diff is one changed file's unified diff against the party's start.
func (m *Manager) Diff(ctx context.Context, path string) (wire.FileDiff, error) {
	if strings.TrimSpace(path) == "" {
		return wire.FileDiff{}, badRequest(errors.New("choose a file to show"))
	}
	var res wire.FileDiff
	err := m.workspace("show diff", func(w Workspace) (err error) {
		res, err = w.Diff(ctx, path)
		return err
	})
	return res, err
}

// Tree lists one folder of the working directory ("" is its top); only when the host
// shares the whole folder.
func (m *Manager) Tree(ctx context.Context, path string) (wire.TreeResult, error) {
	var res wire.TreeResult
	err := m.workspace("list folder", func(w Workspace) (err error) {
		res, err = w.Tree(ctx, path)
		return err
	})
	if res.Entries == nil {
		res.Entries = []wire.TreeEntry{}
	}
	return res, err
}

// SetWorkspace changes what the party sees of the working directory (a host): off,
// changes or tree.
func (m *Manager) SetWorkspace(ctx context.Context, level string) error {
	level = strings.ToLower(strings.TrimSpace(level))
	if err := settings.CheckShareWorkspace(level); err != nil {
		return badRequest(err)
	}
	return m.workspace("change workspace sharing", func(w Workspace) error { return w.SetWorkspace(ctx, level) })
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

// active is one party of the window, hosted or joined.
type active struct {
	m    *Manager
	role string // wire.RoleHost: this window runs the party; wire.RoleParticipant: joined

	h     *host.Host   // hosted
	local *party.Local // hosted: the host's own membership
	c     *client.Client

	mu           sync.Mutex // guards the fields below; held while emitting
	invite       string
	viewerInvite string
	you          wire.Member // the window's person, its role kept current
	party        wire.PartyInfo
	endReason    string
	first        bool       // participant: the first hello's state is not complete yet
	initial      wire.State // participant: the state Join returns
	pending      *wire.State
	target       int64        // seq the pending state is complete at
	last         int64        // newest event seq seen
	log          []wire.Event // a participant: every event seen, for Transcript and resyncs
	journal      string       // hosted: the party journal, which Transcript reads (no log kept)
	members      int
	status       string

	stopOnce sync.Once
	stopErr  error
	endOnce  sync.Once
	done     chan struct{} // closed when pump (host) or watch (participant) returns
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
	a.invite, a.viewerInvite = inv.Invite, inv.ViewerInvite
	a.m.cfg.Emitter.Emit(EventPartyInvites, inv)
	a.mu.Unlock()
	a.m.changed()
}

// stop ends the party's connection or the hosted party; idempotent.
func (a *active) stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		if a.role == wire.RoleHost {
			a.stopErr = a.h.Shutdown(ctx)
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
	for ev := range a.local.Events() {
		a.mu.Lock()
		if ev.Seq <= a.last {
			a.mu.Unlock()
			continue
		}
		a.last = ev.Seq
		changed := a.count(ev)
		a.m.cfg.Emitter.Emit(EventPartyEvent, ev)
		a.mu.Unlock()
		if changed {
			a.m.changed()
		}
	}
}

// watch waits for the participant's client to stop for good and ends the party for the
// window with the reason.
func (a *active) watch() {
	defer close(a.done)
	<-a.c.Done()
	err := a.c.Err()
	a.m.finishWith(a, Ended{Reason: a.m.endReason(err), Kicked: errors.Is(err, client.ErrKicked)})
}

// endReason says why a joined party ended, for party:ended.
func (m *Manager) endReason(err error) string {
	switch {
	case err == nil, errors.Is(err, client.ErrClosed):
		return "you left the party"
	case errors.Is(err, client.ErrEnded):
		return "the host ended the party"
	case errors.Is(err, client.ErrKicked):
		return "a host removed you from the party"
	case errors.Is(err, client.ErrReplaced):
		return "you joined this party again from somewhere else"
	case errors.Is(err, client.ErrRefused):
		return "the host no longer accepts this invite"
	case errors.Is(err, client.ErrFingerprint):
		return "the host's certificate no longer matches the invite"
	}
	return m.describe(err)
}

// count applies a participants event to the member count and to the window's person's
// role; a.mu is held.
func (a *active) count(ev wire.Event) bool {
	if ev.Kind == wire.KindParticipants && ev.Changed != nil && ev.Changed.ID == a.you.ID {
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
	st.Truncated = false
	st.Events = append(make([]wire.Event, 0, len(a.log)+len(h.State.Events)), a.log...)
	if st.Participants == nil {
		st.Participants = []wire.Member{}
	}
	if st.Pending == nil {
		st.Pending = []wire.Prompt{}
	}
	a.pending = &st
	a.target = h.State.Seq
	a.members = len(h.State.Participants)
	if a.last >= a.target {
		a.completeLocked()
	}
	a.mu.Unlock()
	a.m.changed()
}

// onEvent takes each event once, in order (the client guarantees it).
func (a *active) onEvent(ev wire.Event) {
	a.mu.Lock()
	if ev.Seq <= a.last {
		a.mu.Unlock()
		return
	}
	a.last = ev.Seq
	a.log = append(a.log, ev)
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
	changed := a.count(ev)
	a.m.cfg.Emitter.Emit(EventPartyEvent, ev)
	a.mu.Unlock()
	if changed {
		a.m.changed()
	}
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
	a.m.cfg.Emitter.Emit(EventPartyState, st)
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
	a.m.cfg.Emitter.Emit(EventPartyStatus, st)
	a.mu.Unlock()
	a.m.changed()
}
