// Hosting a party in this process: what the window asks for (HostRequest) and the host
// it starts, resumed from a journal or new.

package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/wire"
)

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
	// OnAgentStarted, when set, is called once Claude Code first started with ClaudePath
	// and ClaudeArgs (host.Config.OnAgentStarted): never when it refused them. It must not
	// call back into the Manager.
	OnAgentStarted func()
}

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
		Window:  true, // the notices say to add a key in Settings
		Refused: &m.refused,
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
	hc.OnAgentStarted = req.OnAgentStarted
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
	hello.State = local.OwnerState(hello.State) // as the pump's are; asked before a.mu, which the loop may need
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
	a.mergeMode = req.Merger
	info := Info{Role: wire.RoleHost, You: hello.You, Party: hello.Party, Invite: a.invite, ViewerInvite: a.viewerInvite, State: forPage(hello.State), MergeMode: a.mergeMode, ShareFix: h.ShareFix()}
	a.mu.Unlock()
	go a.pump()
	go a.pumpEditors(local)
	go a.pumpShareFix(h)
	return a, info, nil
}
