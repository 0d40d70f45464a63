// Package host runs a party on this machine: the TLS identity, the listener, the party,
// the Claude Code agent and the transcript, wired together and stopped in order. Both
// `concordia host` and the desktop window start parties through it.
package host

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/certs"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/reap"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// Config configures a hosted party.
type Config struct {
	Listen     string // listen address (default ":8765")
	PublicHost string // host written into the invite ("" = detected)
	Name       string // the host's display name
	Window     time.Duration
	MinPrompts int
	Merger     merge.Merger // nil: local
	Agent      agent.Config
	DataDir    string // party journals, the TLS identity and workspace records live here
	Insecure   bool   // plain ws:// (loopback and tests)
	Logger     *slog.Logger

	// Host control (PROTOCOL.md §7).
	Approve           bool          // approval mode from the start
	PermissionMode    string        // ask (default), edits, plan or all
	PermissionTimeout time.Duration // default 2m
	TurnTimeout       time.Duration // a silent turn is stopped after this (0 = never)
	// IdleTimeout closes a keep-alive HTTP connection idle this long (default 30s; tests).
	IdleTimeout time.Duration
	// ShareWorkspace is what the party sees of the working directory (§9): off, changes
	// (default) or tree.
	ShareWorkspace string
	// MaxConnsPerAddr caps the connections one remote address may hold (default: room for
	// a whole party from one machine: max participants + 32).
	MaxConnsPerAddr int
	// MaxConns caps the connections the listener holds from every address together
	// (default: twice max participants, for members whose old connection has not yet been
	// seen dead when they reconnect, + 256 joining).
	MaxConns int
	// KeepAgentJobs leaves running what the agent's tools started in the background when
	// the party ends (and, on a resume, what the previous run left): by default it is
	// stopped (package reap).
	KeepAgentJobs bool
	// HostInvite gives the party a third invite, one that joins as a host (a co-host): for
	// a host with no member of its own (concordia host --no-local-repl), whose operator
	// needs a way to take part and decide. A resume keeps the one the party had.
	HostInvite bool
	// OnInvites is called when a host rotates the invites (on the party's loop: it must
	// not call back into the party, nor wait on anything slow, a terminal's output
	// included).
	OnInvites func(wire.Invites)
	// OnAgentStarted is called once, the first time Claude Code starts and answers (at
	// launch, or with a later batch when that start failed): then its arguments are known
	// to be ones it takes (a window remembers extra arguments only then). Never when it
	// does not start, e.g. refusing them (agent.ErrArgsRefused). It is called from the
	// goroutine that started claude, outside the runner's lock; it must not wait on the
	// party.
	OnAgentStarted func()

	// Resume brings back a party from its journal (OpenResume) instead of making a new
	// one: its id, invite tokens, members and history; the caller sets the other fields
	// (docs/PROTOCOL.md §8 says which come from the journal). Listen should name the port
	// the party had, so that its invites stay the same.
	Resume *Resume
	// MergeMode and GeminiModel are recorded in the journal for --resume.
	MergeMode, GeminiModel string

	// Party and Server tune the party (limits, tests); their Token, HostName, Window,
	// MinPrompts, Merger, Runner and Transcript are set from the fields above.
	Party  party.Config
	Server party.ServerOptions
}

// Host is a running party. Stop it with Shutdown.
type Host struct {
	cfg     Config
	log     *slog.Logger
	party   *party.Party
	server  *party.Server
	http    *http.Server
	runner  *runner
	journal *journal.Writer

	sessMu       sync.Mutex // guards agentSession
	agentSession string     // the agent session last journaled

	ws *lazyWorkspace // nil when the workspace is not shared

	runID     string      // the marker of this run's agent processes (package reap)
	leftAtEnd []reap.Proc // what Shutdown stopped that the agent had left running

	invMu     sync.Mutex // guards inv, vinv and hinv, replaced when a host rotates the invites
	inv       invite.Invite
	vinv      invite.Invite
	hinv      invite.Invite // Token "" when the party has no host invite
	cancel    context.CancelFunc
	served    chan struct{}
	started   chan struct{}
	startErr  error // why claude's first start failed; set before started is closed
	shutOnce  sync.Once
	shutdownE error

	// ending is set as the host's end begins; idleMu guards idleTimer, the notice of an
	// exit between turns still waiting to be told (sayIdleExit).
	ending    atomic.Bool
	idleMu    sync.Mutex
	idleTimer *time.Timer
}

// ListenError is a party that could not start because its address could not be
// listened on: in use, or a port this user may not take. Only it is told as such (a
// tester's unwritable data directory, also "permission denied", was taken for a port).
type ListenError struct {
	Addr string
	Err  error
}

func (e *ListenError) Error() string { return "listen on " + e.Addr + ": " + e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }

// DataDirError is a party that could not start because of its data directory: its
// journal or its TLS identity there. A user who may not write it is told to choose
// another (a tester's "permission denied" named the folder but no way out).
type DataDirError struct {
	Dir string
	Err error
}

func (e *DataDirError) Error() string { return e.Err.Error() }
func (e *DataDirError) Unwrap() error { return e.Err }

// IsListenError reports whether err is a ListenError whose cause is errno.
func IsListenError(err error, errno syscall.Errno) bool {
	var le *ListenError
	return errors.As(err, &le) && errors.Is(le.Err, errno)
}

// Start checks that Claude Code can be found, opens the listener (the invite is valid as
// soon as Start returns), starts the party and, in the background, the agent.
func Start(ctx context.Context, cfg Config) (*Host, error) {
	if cfg.Listen == "" {
		cfg.Listen = ":8765"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Agent.Path == "" {
		cfg.Agent.Path = "claude"
	}
	if _, err := exec.LookPath(cfg.Agent.Path); err != nil {
		return nil, fmt.Errorf("%w (looked for %q: %w)", agent.ErrNotInstalled, cfg.Agent.Path, err)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory")
	}
	// Absolute from here on: the workspace's git runs in the work directory, and the
	// journal records where the agent ran for a --resume started from anywhere.
	for _, d := range []*string{&cfg.DataDir, &cfg.Agent.WorkDir} {
		if *d == "" {
			continue
		}
		abs, err := filepath.Abs(*d)
		if err != nil {
			return nil, fmt.Errorf("directory %q: %w", *d, err)
		}
		*d = abs
	}
	token, err := invite.NewToken()
	if err != nil {
		return nil, fmt.Errorf("make invite token: %w", err)
	}
	vtoken, err := invite.NewToken()
	if err != nil {
		return nil, fmt.Errorf("make invite token: %w", err)
	}
	var htoken string
	if cfg.HostInvite {
		if htoken, err = invite.NewToken(); err != nil {
			return nil, fmt.Errorf("make invite token: %w", err)
		}
	}
	claudeMode, err := agent.ClaudeMode(cfg.PermissionMode)
	if err != nil {
		return nil, err
	}
	if cfg.PermissionMode == "" {
		cfg.PermissionMode = wire.PermissionAsk
	}
	switch cfg.ShareWorkspace {
	case "":
		cfg.ShareWorkspace = wire.WorkspaceChanges
	case wire.WorkspaceOff, wire.WorkspaceChanges, wire.WorkspaceTree:
	default:
		return nil, fmt.Errorf("share the workspace off, changes or tree, not %q", cfg.ShareWorkspace)
	}
	cfg.Agent.PermissionPrompt = true
	cfg.Agent.PermissionMode = claudeMode

	var fp string
	var tlsConf *tls.Config
	if cfg.Insecure {
		if err := CheckInsecureListen(cfg.Listen); err != nil {
			return nil, err
		}
	} else {
		cert, f, err := certs.LoadOrCreate(filepath.Join(cfg.DataDir, "tls"))
		if err != nil {
			return nil, &DataDirError{Dir: cfg.DataDir, Err: fmt.Errorf("load TLS identity: %w", err)}
		}
		fp = f
		tlsConf = serverTLS(cert)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, &ListenError{Addr: cfg.Listen, Err: err}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	maxConns := cfg.MaxConnsPerAddr
	if maxConns <= 0 {
		maxConns = defaultMaxConnsPerAddr(cfg.Party.MaxParticipants)
	}
	total := cfg.MaxConns
	if total <= 0 {
		total = defaultMaxConns(cfg.Party.MaxParticipants)
	}
	ln = newCapListener(ln, maxConns, total)
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	} else {
		// Plain TCP: the party may write an event straight to an idle participant's socket.
		ln = rpc.DirectListener(ln)
	}
	pub := cfg.PublicHost
	if pub == "" {
		pub = InviteHost(cfg.Listen)
	}
	inv := invite.Invite{Host: pub, Port: port, Token: token, Fingerprint: fp}
	if err := inv.Validate(); err != nil {
		ln.Close()
		return nil, fmt.Errorf("public host %q: %w", pub, err)
	}

	if cfg.Resume != nil {
		// The same invites as before the resume (the certificate is the data directory's).
		token, vtoken = cfg.Resume.Summary.Token, cfg.Resume.Summary.ViewerToken
		if was := cfg.Resume.Summary.HostToken; was != "" && cfg.HostInvite {
			htoken = was
		}
		// Without HostInvite a host invite the party had is dropped (openJournal records
		// that): the host takes part itself now, and the link need not stay live.
		inv.Token = token
		cfg.Party.ID = cfg.Resume.Summary.Header.Party
		if cfg.Agent.Resume == "" {
			cfg.Agent.Resume = cfg.Resume.Summary.AgentSession
		}
	}
	// Every process of this run's agent, and whatever its tools start, carries the run's
	// marker: what they leave running is stopped at the end (leftovers.go).
	runID := reap.NewID()
	cfg.Agent.Env = append(slices.Clone(cfg.Agent.Env), reap.Marker(runID))
	r := newRunner(cfg.Agent, cfg.Logger)
	r.onStarted = cfg.OnAgentStarted
	vinv, hinv := inv, inv
	vinv.Token, hinv.Token = vtoken, htoken
	h := &Host{cfg: cfg, log: cfg.Logger, inv: inv, vinv: vinv, hinv: hinv, runner: r, runID: runID,
		served: make(chan struct{}), started: make(chan struct{})}
	// Before the agent's first start: the previous run's leftovers are stopped (a resume),
	// then this run's marker is journaled — in that order, so that a host killed in
	// between still has the previous run's marker to stop next time.
	r.first = func() {
		// Only after a host that did not end cleanly: one that did stopped its jobs, unless
		// it was told to keep them (--keep-agent-jobs), and then they are kept.
		if cfg.Resume != nil && !cfg.Resume.Summary.Ended && !cfg.KeepAgentJobs {
			r.stopPrevious(cfg.Resume.Summary.LastRun())
		}
		if err := h.journal.AgentRun(runID); err != nil {
			// Not fatal: only a resume after a crash would miss it (and leave the jobs running).
			h.log.Error("journal the agent's run", "err", err)
		}
	}
	pc := cfg.Party
	pc.Token = token
	pc.ViewerToken = vtoken
	pc.HostToken = htoken
	pc.Approval = cfg.Approve
	pc.PermissionMode = cfg.PermissionMode
	pc.PermissionTimeout = cfg.PermissionTimeout
	pc.TurnTimeout = cfg.TurnTimeout
	pc.Rotate = h.rotated
	pc.Invites = h.invitesFor
	if pc.ID == "" {
		pc.ID = newPartyID()
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var p *party.Party
	partyMade := make(chan struct{}) // p is set before it is closed
	if cfg.ShareWorkspace != wire.WorkspaceOff {
		// The first snapshot runs in the background; its failure is told to the party.
		h.ws = openWorkspace(runCtx, cfg.Agent.WorkDir, cfg.DataDir, pc.ID, cfg.Resume != nil, func(reason string) {
			select {
			case <-partyMade:
				if reason == "" {
					p.WorkspaceReady()
				} else {
					p.WorkspaceFailed(reason)
				}
			case <-runCtx.Done(): // Start failed before the party was made: nobody to tell
			}
		})
		pc.Workspace = h.ws
		pc.WorkspacePending = true // until WorkspaceReady or WorkspaceFailed
		pc.WorkspaceLevel = cfg.ShareWorkspace
		pc.IdleScan = idleScan
	}
	pc.HostName = cfg.Name
	pc.Window = cfg.Window
	pc.MinPrompts = cfg.MinPrompts
	pc.Merger = cfg.Merger
	pc.Runner = r
	jw, err := h.openJournal(&pc, port, fp)
	if err != nil {
		cancel()
		ln.Close()
		if h.ws != nil {
			// Its first snapshot ends with runCtx: nothing of this party runs git in the
			// working folder once Start has failed (a test's folder was written to
			// while it was being removed).
			<-h.ws.ready
		}
		return nil, &DataDirError{Dir: cfg.DataDir, Err: fmt.Errorf("open the party's journal: %w", err)}
	}
	h.journal, pc.Journal = jw, jw
	r.onSession = h.sessionSeen
	if pc.Logger == nil {
		pc.Logger = cfg.Logger
	}
	p = party.New(pc)
	close(partyMade)
	r.notice = func(text string) { p.Notice(wire.KindSystem, text) }
	r.idleExit = h.sayIdleExit
	if h.ws != nil {
		ws := h.ws
		r.beforeTurn = func(ctx context.Context) error { return ws.waitForBase(ctx, r.notice) }
	}
	so := cfg.Server
	if so.Logger == nil {
		so.Logger = cfg.Logger
	}
	if so.JoinBurst <= 0 {
		so.JoinBurst = maxConns // a whole party's worth of hellos from one machine, as its connections
	}
	srv := party.NewServer(p, so)

	h.party, h.server, h.cancel = p, srv, cancel
	mux := http.NewServeMux()
	mux.Handle(wire.RPCPath, srv)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "This is a Concordia party. Join it with the Concordia app or `concordia join INVITE`.")
	})
	idle := cfg.IdleTimeout
	if idle <= 0 {
		idle = 30 * time.Second
	}
	// Timeouts end idle keep-alive connections and slow requests; a WebSocket's own
	// deadlines take over once it is upgraded (gorilla clears these).
	h.http = &http.Server{
		Handler:           hostCheck(mux, pub),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       idle,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	go p.Run(runCtx)
	if cfg.PermissionMode == wire.PermissionAll {
		p.Notice(wire.KindSystem, "permission mode \"all\": the agent may run any command and change any file without asking anyone")
	}
	for _, n := range ownRulesNotices(agent.ReadOwnRules(cfg.Agent)) {
		p.Notice(wire.KindSystem, n)
	}
	if clash := folderClash(cfg.DataDir, pc.ID, cfg.Agent.WorkDir); clash != "" {
		p.Notice(wire.KindSystem, clash)
	}
	if whole := homeFolder(cfg.Agent.WorkDir); whole != "" {
		p.Notice(wire.KindSystem, whole)
	}
	go func() {
		defer close(h.served)
		if err := h.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			h.log.Error("serve", "err", err)
		}
	}()
	go func() {
		defer close(h.started)
		if err := r.start(runCtx); err != nil {
			if runCtx.Err() == nil {
				h.startErr = err
				// After "; ", not in brackets: the window tells claude's stderr lines from Go's
				// words by a "; " and a lower-case word (a tester's read "(it will be tried…)"
				// as claude's own).
				if errors.Is(err, agent.ErrArgsRefused) {
					// Tried again it fails the same way: its text says what the host can do.
					p.Notice(wire.KindError, err.Error())
				} else {
					p.Notice(wire.KindError, err.Error()+"; it will be tried again with the next batch")
				}
			}
			return
		}
		p.Notice(wire.KindSystem, "claude started")
	}()
	return h, nil
}

// WorkspaceDone is closed once the working directory's first snapshot is over, taken or
// not (ShareFix, Party.CanShareWorkspace); nil when the party does not share it.
func (h *Host) WorkspaceDone() <-chan struct{} {
	if h.ws == nil {
		return nil
	}
	return h.ws.ready
}

// ShareFix is, once WorkspaceDone is closed, what the host can do about a working
// directory that could not be shared ("" when there is nothing to say, or it is shared):
// for the host alone, not the party's members.
func (h *Host) ShareFix() string {
	if h.ws == nil {
		return ""
	}
	select {
	case <-h.ws.ready:
		return h.ws.fix
	default:
		return ""
	}
}

// Started is closed once the party's first start of claude is over, started or not
// (StartErr says which).
func (h *Host) Started() <-chan struct{} { return h.started }

// StartErr is why the party's first start of claude failed (agent.ErrArgsRefused: its
// extra arguments were refused, which no later start overcomes), nil when it started or
// the host stopped first; valid once Started is closed.
func (h *Host) StartErr() error {
	select {
	case <-h.started:
		return h.startErr
	default:
		return nil
	}
}

// idleExitDelay is how long an exit of claude between turns waits to be told. The logout
// or service stop that ends the host may end claude first (a SIGTERM to the whole
// session): that is the host's end, said as such, not "it will be started again" just
// before it (a reviewer's). And a batch may have started it again meanwhile.
const idleExitDelay = time.Second

// sayIdleExit tells the party, after idleExitDelay, that claude exited by itself between
// turns (agent.Config.OnIdleExit): nothing else would say so before the next batch, and
// the party looked ready. Not once the host's end has begun, nor when a batch started
// claude again by then (or tried to). It never waits.
func (h *Host) sayIdleExit(err error) {
	h.idleMu.Lock()
	defer h.idleMu.Unlock()
	if h.ending.Load() {
		return
	}
	if h.idleTimer != nil {
		h.idleTimer.Stop() // the exit before: this one says how it is now
	}
	starts := h.runner.starts.Load()
	h.idleTimer = time.AfterFunc(idleExitDelay, func() {
		// A batch that tried to start it meanwhile says how that went (a reviewer's: this
		// came after a failed start's error, and the status said the older news).
		if h.ending.Load() || h.runner.alive() || h.runner.starts.Load() != starts {
			return
		}
		h.party.Notice(wire.KindError, err.Error()+IdleExitNotice)
	})
}

// ArgsRefusedEnd is the end notice of a terminal host's party that ended because Claude
// Code refused the extra arguments it was given (agent.ErrArgsRefused).
const ArgsRefusedEnd = "the party ended: Claude Code would not start with the extra arguments the host gave it"

// IdleExitNotice ends the error event that says claude exited by itself between turns
// (after how it ended), for the clients that show "not running" until the next batch.
const IdleExitNotice = "; it was idle, and will be started again with the next batch"

// newPartyID is a new party's id: 12 hex digits.
func newPartyID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

func defaultMaxConnsPerAddr(maxParticipants int) int {
	if maxParticipants <= 0 {
		maxParticipants = 100 // party.Config's default
	}
	return maxParticipants + 32
}

// defaultMaxConns is how many connections the listener holds in all: a security tester's
// idle connections from 196 addresses, each under its own cap and each opened again when
// the hello timeout closed it, held 20,000 descriptors and 1.4 GB of the host's memory.
func defaultMaxConns(maxParticipants int) int {
	if maxParticipants <= 0 {
		maxParticipants = 100 // party.Config's default
	}
	return 2*maxParticipants + 256
}

// Invite is the party's participant invite (the current one: a host may rotate it).
func (h *Host) Invite() invite.Invite {
	h.invMu.Lock()
	defer h.invMu.Unlock()
	return h.inv
}

// ViewerInvite is the party's viewer invite (the current one).
func (h *Host) ViewerInvite() invite.Invite {
	h.invMu.Lock()
	defer h.invMu.Unlock()
	return h.vinv
}

// folderClash says when another party running from dataDir works in workDir, in a folder
// inside it, or in a folder that holds it: two agents there would change the same files.
// "" when none does (or nothing can be told).
func folderClash(dataDir, self, workDir string) string {
	running, err := journal.Running(dataDir)
	if err != nil || workDir == "" {
		return ""
	}
	mine, err := os.Stat(workDir)
	if err != nil {
		return ""
	}
	minePath := realPath(workDir)
	for _, h := range running {
		if h.Party == self || h.Settings.WorkDir == "" {
			continue
		}
		who := h.Host + "'s party, " + h.Party
		theirs, err := os.Stat(h.Settings.WorkDir)
		if err != nil {
			continue
		}
		theirPath := realPath(h.Settings.WorkDir)
		switch {
		case os.SameFile(mine, theirs):
			return "another party on the host's machine is running in this party's folder (" + who + "): two agents will change the same files"
		case within(minePath, theirPath):
			// Not the folder's path: this notice reaches every member, the other party's
			// folder is for its own host to know.
			return "another party on the host's machine is running in a folder inside this party's (" + who + "): two agents may change the same files"
		case within(theirPath, minePath):
			return "another party on the host's machine is running in a folder that holds this party's (" + who + "): two agents may change the same files"
		}
	}
	return ""
}

// homeFolder says, for a notice to everyone, when the agent's folder is the host's home
// folder or holds it: the agent can then read and change everything the host owns (a
// tester's party started in $HOME, the window's first default; `concordia host` takes the
// folder it is run in). "" otherwise. Not the path: the notice reaches every member.
func homeFolder(workDir string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || workDir == "" {
		return ""
	}
	w, h := realPath(workDir), realPath(home)
	if runtime.GOOS == "windows" {
		w, h = strings.ToLower(w), strings.ToLower(h)
	}
	if w != h && !within(w, h) {
		return ""
	}
	return "the working directory is, or holds, the host's whole home folder: the agent can read and change anything in it (a project's folder keeps it to that project)"
}

// realPath is p absolute, its symlinks resolved where they can be.
func realPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	return filepath.Clean(p)
}

// within reports whether child is a folder below parent (not parent itself); on Windows,
// where paths are compared without regard to case.
func within(parent, child string) bool {
	if runtime.GOOS == "windows" {
		parent, child = strings.ToLower(parent), strings.ToLower(child)
	}
	rel, err := filepath.Rel(parent, child)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Invites are the party's current invites, as Party.invites answers them.
func (h *Host) Invites() wire.Invites {
	h.invMu.Lock()
	t := journal.Tokens{Participant: h.inv.Token, Viewer: h.vinv.Token, Host: h.hinv.Token}
	h.invMu.Unlock()
	return h.invitesFor(t)
}

// HostInvite is the party's host invite (the current one), and false when it has none.
func (h *Host) HostInvite() (invite.Invite, bool) {
	h.invMu.Lock()
	defer h.invMu.Unlock()
	return h.hinv, h.hinv.Token != ""
}

// rotated takes the new tokens after Party.rotateInvite (on the party's loop).
func (h *Host) rotated(t journal.Tokens) wire.Invites {
	h.invMu.Lock()
	h.inv.Token, h.vinv.Token, h.hinv.Token = t.Participant, t.Viewer, t.Host
	h.invMu.Unlock()
	inv := h.invitesFor(t)
	if h.cfg.OnInvites != nil {
		h.cfg.OnInvites(inv)
	}
	return inv
}

// invitesFor makes the invites for tokens (the current ones: Party.invites).
func (h *Host) invitesFor(t journal.Tokens) wire.Invites {
	h.invMu.Lock()
	defer h.invMu.Unlock()
	inv, vinv, hinv := h.inv, h.vinv, h.hinv
	inv.Token, vinv.Token, hinv.Token = t.Participant, t.Viewer, t.Host
	out := wire.Invites{Invite: inv.String(), ViewerInvite: vinv.String()}
	if t.Host != "" {
		out.HostInvite = hinv.String()
	}
	return out
}

// Party is the running party (for in-process members and observers).
func (h *Host) Party() *party.Party { return h.party }

// TranscriptPath is the party's journal: its events, and what --resume needs.
func (h *Host) TranscriptPath() string { return h.journal.Path() }

// JournalResumable says whether the party's journal is behind (a full disk) and a resume
// would go on past what it lacks (journal.Writer.ResumesPastCut).
func (h *Host) JournalResumable() bool { return h.journal.ResumesPastCut() }

// JournalBehind says whether the party's journal could not be written to its end (a full
// disk), not even as the party ended.
func (h *Host) JournalBehind() bool { return h.journal.Behind() }

// endBudget is the time Shutdown gives the running turn to stop when its context has no
// deadline: the agent's own stop takes at most a few StopTimeouts (5 s each).
const endBudget = 15 * time.Second

// halfOfWhatIsLeft is a context for one step of Shutdown: half of the time ctx has left,
// or endBudget when it has no deadline, so that the steps after it keep the rest.
func halfOfWhatIsLeft(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := endBudget
	if d, ok := ctx.Deadline(); ok {
		budget = time.Until(d) / 2
	}
	return context.WithTimeout(ctx, budget)
}

// EndedByHost is what members are told of a party its host ended (Shutdown). The window
// says it to the owner as "You ended the party" by these words.
const EndedByHost = "the host ended the party"

// EndText is what members are told of a party ended by sig: a Ctrl-C is the host's own
// act; a SIGTERM (a logout, a shutdown, a service manager) or a hang-up (the terminal
// closed) is not, and the party can be resumed. A window tester's members read "the host
// ended the party" of an app closed by a logout.
func EndText(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "the host's Concordia was stopped from outside (a logout, a shutdown or a service manager); the host can resume the party, and the same invites join it again"
	case syscall.SIGHUP:
		return "the host's terminal was closed; the host can resume the party, and the same invites join it again"
	}
	return EndedByHost
}

// CutShort is end text for a party whose journal could not be written to its end: what is
// missing, and, when the party cannot be resumed (resumable false: what the journal lost
// made the party's rules stricter, or its cut mark could not be made), no
// promise of a resume, and why not.
func CutShort(text string, resumable bool) string {
	if resumable {
		return text + "; its journal could not be written to its end (a full disk?), so what happened since it fell behind is missing from the party's history"
	}
	if i := strings.Index(text, "; the host can resume"); i >= 0 {
		text = text[:i]
	}
	return text + "; its journal could not be written to its end (a full disk?), so this party cannot be resumed"
}

// Shutdown ends the party as its host's act (EndedByHost); see ShutdownBecause.
func (h *Host) Shutdown(ctx context.Context) error {
	return h.ShutdownBecause(ctx, EndedByHost)
}

// ShutdownBecause ends the party: participants are told why (text, the party's last
// system event), the agent is stopped in steps (stdin closed, then signals), the
// transcript is flushed. Idempotent: the first call's text is the one said.
func (h *Host) ShutdownBecause(ctx context.Context, text string) error {
	h.shutOnce.Do(func() {
		h.ending.Store(true)
		h.idleMu.Lock()
		if h.idleTimer != nil {
			h.idleTimer.Stop()
		}
		h.idleMu.Unlock()
		var errs []error
		if h.journal.CatchUp() != nil {
			// Members were told the host can resume the party (a SIGTERM's words) while its
			// journal was still short of what they saw, and a resume was refused (a
			// tester's). It is resumed past what it lost, unless that is a change of rules.
			text = CutShort(text, h.journal.ResumesPastCut())
		}
		// The running turn ends and everyone is told, before the connections close. It
		// gets half of the time left: the rest is for closing the connections and
		// stopping claude, which a wedged turn must not use up.
		ectx, cancel := halfOfWhatIsLeft(ctx)
		err := h.party.End(ectx, text)
		cancel()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			h.log.Warn("ending the party", "err", err) // claude is stopped below, in steps
		case err != nil && !errors.Is(err, party.ErrClosed):
			errs = append(errs, fmt.Errorf("end the party: %w", err))
		}
		// The clean end is on disk as soon as everyone has been told, not after the wait
		// for the members' close replies below (up to its half of the time): a host killed
		// during that wait was listed as "not ended cleanly", its members told otherwise
		// (a conformance tester's). What follows it in the journal (members leaving) is
		// read after it as before.
		endErr := h.journal.End(time.Now())
		if endErr != nil {
			errs = append(errs, endErr)
		}
		// Closing the connections gets half of what is left too: claude's clean stop
		// below must not find the time used up by members that do not answer their close
		// frame (a reviewer's Ctrl-C then killed claude, and the host exited 1).
		cctx, cancel := halfOfWhatIsLeft(ctx)
		if err := h.server.Close(cctx); err != nil {
			h.log.Warn("closing the connections", "err", err) // they are cut: not the party's failure
		}
		cancel()
		h.cancel()
		<-h.party.Done()
		<-h.started
		if h.ws != nil {
			<-h.ws.ready // its git commands end with the party: none writes after Shutdown
		}
		if err := h.runner.close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop claude: %w", err))
		}
		h.stopLeftovers()
		if err := h.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop listener: %w", err))
		}
		<-h.served
		// A journal whose write failed answers End and Close with that same error: said
		// once (a tester's full disk printed it twice).
		if err := h.journal.Close(); err != nil && err != endErr {
			errs = append(errs, err)
		}
		h.shutdownE = errors.Join(errs...)
	})
	return h.shutdownE
}

// UnreachableInvite says, for the host's operator, when the invites point to an address
// other machines use while the party listens on loopback only (a resume with --listen
// 127.0.0.1:0 kept the public address its journal had; so does --public-host with a
// loopback --listen): only a tunnel or proxy on this machine lets anyone in. Also when
// both are loopback of different kinds (127.0.0.1 and ::1): not even this machine can
// join. "" otherwise.
func UnreachableInvite(listen, inviteHost string) string {
	h, _, err := net.SplitHostPort(listen)
	if err != nil || !isLoopback(h) {
		return ""
	}
	if !isLoopback(inviteHost) {
		return fmt.Sprintf("the party listens on %s only, so the invites' %s reaches it from another machine only through a tunnel or proxy: listen on :PORT (every interface) otherwise", h, inviteHost)
	}
	hip, iip := net.ParseIP(h), net.ParseIP(inviteHost)
	if hip != nil && iip != nil && (hip.To4() == nil) != (iip.To4() == nil) {
		return fmt.Sprintf("the party listens on %s, but the invites lead to %s: they cannot reach it", h, inviteHost)
	}
	return ""
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// InviteHost picks the host name for the invite when --public-host is not given: the
// listen address's own IP when it names one (loopback stays loopback), otherwise this
// machine's outward LAN address.
func InviteHost(listen string) string {
	h, _, err := net.SplitHostPort(listen)
	if err == nil && h != "" {
		if ip := net.ParseIP(h); ip != nil && !ip.IsUnspecified() {
			return ip.String()
		}
		if ip := net.ParseIP(h); ip == nil {
			return h // a name
		}
	}
	return LANAddress()
}

// LANAddress is this machine's outward address: a private IPv4 address first, then a
// global IPv4, then a global IPv6; loopback when there is none. It only reads interfaces.
func LANAddress() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return "127.0.0.1"
	}
	var private, global4, global6 string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip := ipn.IP
			switch {
			case ip.IsLoopback(), ip.IsLinkLocalUnicast(), !ip.IsGlobalUnicast():
			case ip.To4() != nil && ip.IsPrivate():
				if private == "" {
					private = ip.String()
				}
			case ip.To4() != nil:
				if global4 == "" {
					global4 = ip.String()
				}
			default:
				if global6 == "" {
					global6 = ip.String()
				}
			}
		}
	}
	for _, c := range []string{private, global4, global6} {
		if c != "" {
			return c
		}
	}
	return "127.0.0.1"
}

var _ party.Runner = (*runner)(nil)
