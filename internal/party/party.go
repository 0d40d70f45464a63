// Package party is the host's side of a party: members and their roles, prompt intake,
// the batching pipeline with its approval step, tool permission requests, the ordered
// event log with seq numbers, and the state a participant needs to (re)build its view. It
// knows nothing of sockets (server.go adapts rpc peers to it) or of Claude Code (it drives
// a Runner).
//
// Files: party.go (the loop, events), members.go (joins, roles, sessions, kicks),
// pipeline.go (the batching rule), batch.go (prompts, merge, approval, turns),
// permission.go (tool requests), control.go (the host methods of PROTOCOL.md §7).
//
// Concurrency rule: one goroutine, run(), owns every field of Party marked "loop-owned".
// Everything else reaches that state by sending a closure on p.ops and, when it needs an
// answer, waiting for the closure to finish. Merges and agent turns run on worker
// goroutines that run() starts and waits for; they report back through p.ops too. The one
// exception is the agent's streamed output (inline): while the loop sleeps with nothing
// queued, a delta is handled on the agent's own goroutine under loopMu, which the loop
// holds whenever it runs, so that the hot path wakes no loop goroutine.
package party

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Errors a caller can meet; server.go maps them to JSON-RPC codes.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrBadName      = errors.New("bad name")
	ErrEmptyPrompt  = errors.New("empty prompt")
	ErrTooLarge     = errors.New("prompt too large")
	ErrRateLimited  = errors.New("rate limited")
	ErrFull         = errors.New("party full")
	// ErrPlaceLost refuses a member coming back to a full party: its place, kept for it a
	// while (Config.SeatHold), went to someone else. It wraps ErrFull.
	ErrPlaceLost = fmt.Errorf("%w: your place went to someone else while you were away", ErrFull)
	ErrNotMember = errors.New("not a member")
	ErrClosed    = errors.New("party closed")
	// ErrNotAllowed: the member's role may not do this (a viewer prompting, a
	// participant calling a host method).
	ErrNotAllowed = errors.New("not allowed for your role")
	// ErrInvalid: a host method's arguments are wrong, or name something that is not
	// (or no longer) there: a stale batch or permission id, an unknown member.
	ErrInvalid = errors.New("invalid request")
)

// RemovedError refuses a hello with the session of a member a host removed (Kick): it
// wraps ErrUnauthorized, and says who removed it (By, "" when the party does not know).
type RemovedError struct{ By string }

func (e *RemovedError) Error() string {
	return ErrUnauthorized.Error() + ": " + wire.RemovedBy(e.By) + " removed you from this party"
}

func (e *RemovedError) Unwrap() error { return ErrUnauthorized }

// FullRefusal is a hello the party refused because it is full (Config.OnFull): for the
// host, who alone can make room, and who was told nothing (a tester's).
type FullRefusal struct {
	Name      string // the name the hello asked for, or the returning member's
	Returning bool   // a member coming back, whose place went to someone else (ErrPlaceLost)
	// Held: how many places were kept for members whose connection was lost, each for up
	// to Hold (Config.SeatHold): why the party was full with fewer connected.
	Held  int
	Hold  time.Duration
	Count int // hellos refused as full so far in this party
	Max   int // Config.MaxParticipants
}

// RateLimitError refuses a prompt as rate limited: it wraps ErrRateLimited, and says which
// limit it met (a wire.Limit* value) and, when known, how long until a try may pass
// (RetryAfter, 0 when not known), which rpcError sends as -32003's data and the host's own
// terminal reads as it is: the words alone told a passing burst from a full queue (a
// line editor tries again only the first), and words change.
type RateLimitError struct {
	Limit      string
	RetryAfter time.Duration
	Why        string // the sentence after "rate limited: "
}

func (e *RateLimitError) Error() string { return ErrRateLimited.Error() + ": " + e.Why }

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Data is the refusal's -32003 data (PROTOCOL.md §6), the wait rounded up to a millisecond.
func (e *RateLimitError) Data() wire.RateLimitedData {
	return wire.RateLimitedData{Limit: e.Limit, RetryAfterMS: (e.RetryAfter + time.Millisecond - 1).Milliseconds()}
}

// DecidedError refuses Approve or Reject of the batch that waited for approval last, once
// a host decided it: it wraps ErrInvalid, and says how and by whom (the host who lost a race
// to another's decision was told only that nothing waited, a tester's).
type DecidedError struct {
	Decided string // wire.HeldApproved, HeldEdited, HeldRejected or HeldApprovalOff
	By      string // the name of the host who decided it
	// You: the host who asks is the one who decided it.
	You bool
}

func (e *DecidedError) Error() string {
	who, what := e.By, "already approved it"
	if e.You {
		who = "you"
	}
	switch e.Decided {
	case wire.HeldEdited:
		what = "already edited and sent it"
	case wire.HeldRejected:
		what = "already rejected it"
	case wire.HeldApprovalOff:
		what = "turned approval off, which sent it"
	}
	return ErrInvalid.Error() + ": that merged prompt is no longer waiting for approval: " + who + " " + what
}

func (e *DecidedError) Unwrap() error { return ErrInvalid }

// Runner is the agent as the party needs it: one turn at a time.
// RunTurn returns an error only when the agent itself failed (the process died or could
// not start: a *StartError); a turn that ran and failed is a TurnResult with IsError. When
// ctx ends the runner stops the turn and returns a TurnResult with Interrupted.
type Runner interface {
	RunTurn(ctx context.Context, prompt string, io TurnIO) (TurnResult, error)
	// Restart replaces a failed agent, resuming the party's session.
	Restart(ctx context.Context) error
}

// StartError is a RunTurn error for an agent that could not start, so never saw the
// prompt. Its batch fails at once rather than being retried on a restarted agent: starting
// it again would most likely fail the same way, and a start can take its whole timeout
// (30 s) to fail. The next batch starts it again. Its text is Err's. Lasting says the
// next start will fail the same way whatever anyone sends (Claude Code refused the extra
// arguments the party was hosted with): Err's text then says what to do, and the turn's
// error does not ask to send the prompts again.
type StartError struct {
	Err     error
	Lasting bool
}

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// TurnIO is what a turn may call back into the party with, and how its prompt is meant.
type TurnIO struct {
	// Out receives output as it streams.
	Out func(stream, text string)
	// FileOut receives a tool result's lines that are one file's text (a Read's result,
	// an edit's snippet; agent.Output.File), which the party shows only as far as it
	// shares that file. A runner without it calls Out.
	FileOut func(stream, text, file string)
	// Ask asks the party whether a tool may be used; it blocks until a decision, the
	// permission timeout, or ctx's end (then it denies). Nil means deny everything.
	Ask func(ctx context.Context, req ToolRequest) ToolDecision
	// Command says the prompt is an agent slash command a host asked for. Otherwise the
	// prompt is participants' text and must never run as a command, whatever it starts with.
	Command bool
}

// ToolRequest is the agent asking to use a tool.
type ToolRequest struct {
	Tool    string // the tool's name (Bash, Edit, WebFetch...)
	Summary string // one line: the command, the file, the URL
	Detail  string // what a host needs beyond it to decide (wire.Permission.Detail), or ""
	// InWorkDir: a file edit inside the working directory, outside its protected folders
	// (agent.EditInWorkDir): what "edits" allows without asking.
	InWorkDir bool
	// FilePath is the file an edit tool names, as the agent gave it ("" for other tools):
	// whether it holds credentials is judged by it, not by Summary, which may be cut.
	FilePath string
	// ReadsSecret: a shell command that names a file which usually holds credentials, or
	// prints the environment (the agent's reading): an "always" for Bash does not cover it.
	ReadsSecret bool
	// Registered, when set, is called once the request is among those waiting (or was
	// answered at once): the agent hands over its next request only then, so that they
	// wait in the order the agent made them (agent.ToolRequest.Registered).
	Registered func()
	// unshared: the party never shares FilePath (outside the working directory, ignored,
	// or through a link: Workspace.Shares), so its text is not shown. unchecked: that was
	// not asked (the request was to be decided without anyone, and the settings changed
	// before it was opened), so its text is not shown either. Set by the party.
	unshared, unchecked bool
}

// ToolDecision is the answer to a ToolRequest. Message goes to the agent with a denial.
type ToolDecision struct {
	Allow   bool
	Message string
}

// TurnResult is how a turn ended.
type TurnResult struct {
	IsError     bool
	Error       string
	Interrupted bool // the turn was stopped before it finished (ctx ended)
}

// Subscriber receives the party's events, in seq order. Send must not block: it returns
// false when the subscriber cannot keep up or is gone, and the party then drops it (a
// remote participant reconnects and catches up with `since`).
type Subscriber interface {
	Send(ev wire.Event, raw json.RawMessage) bool
	// Close ends the subscriber's connection: wire.ReasonReplaced when a reconnect replaced
	// it, wire.ReasonKicked when a host removed the member.
	Close(reason string)
}

// Config configures a party.
type Config struct {
	Token       string // the participant invite token; compared in constant time
	ViewerToken string // the viewer invite token ("" = a random one)
	// HostToken joins as a host, a co-host like those Party.setRole makes: the host invite
	// of a host with no member of its own (--no-local-repl), through which its operator
	// takes part. "" = the party has none.
	HostToken  string
	HostName   string        // the host's display name (PartyInfo.host)
	Window     time.Duration // batching window (default 3s)
	MinPrompts int           // hold batches until this many prompts are pending (default 1)
	Merger     merge.Merger  // nil: local merger
	Runner     Runner        // the agent; required
	AgentName  string        // PartyInfo.agent (default "claude-code")

	// Host control (PROTOCOL.md §7).
	Approval          bool          // approval mode from the start
	PermissionMode    string        // wire.PermissionAsk (default), Edits, Plan or All
	PermissionTimeout time.Duration // an undecided tool request is denied after this (default 2m)
	TurnTimeout       time.Duration // a turn silent this long is interrupted (0 = never)
	// Workspace shows the working directory (PROTOCOL.md §9); nil: not shared at all.
	Workspace Workspace
	// WorkspacePending: Workspace's first snapshot is still being taken; the party says
	// so, and not that it shares the folder, until WorkspaceReady or WorkspaceFailed.
	WorkspacePending bool
	// WorkspaceLevel is the sharing level at the start (default wire.WorkspaceChanges when
	// Workspace is set, else off).
	WorkspaceLevel string
	// IdleScan, when set, scans the working directory while no turn runs, this often (or
	// IdleScanCost times as long as the last scan took, when that is longer): edits made by
	// hand between turns are listed as they come, not with the next turn's files as if the
	// agent had made them (a window tester's). 0: scans follow the agent's turns only.
	IdleScan time.Duration
	// Rotate is called on the loop when a host rotates the invites, with the new tokens;
	// it returns the invites to hand out. Nil: the invites are the bare tokens.
	Rotate func(journal.Tokens) wire.Invites
	// Invites makes the invites to show for the current tokens (Party.invites); nil: the
	// bare tokens.
	Invites func(journal.Tokens) wire.Invites

	MaxParticipants int // members at once, hosts aside (default 100)
	// SeatHold is how long the place of a member whose connection was lost is kept for it
	// (remoteCount; default 2m).
	SeatHold time.Duration
	// OnFull is told of each hello refused because the party is full (FullRefusal), on
	// the party's loop: it must not call back into the party, nor wait on anything slow.
	OnFull      func(FullRefusal)
	MaxPending  int           // prompts waiting at once (default 200: 200 × 32 KiB stays well inside one host message)
	PromptBurst int           // per member: prompts allowed at once (default 10)
	PromptEvery time.Duration // per member: one more prompt allowed per this (default 1s)
	// PromptBytes: per member, the bytes of prompts allowed in a minute (default 1 MiB: 32
	// prompts of the largest size; < 0 none). PartyPromptBytes: the same for the whole
	// party (default 8 MiB; < 0 none). Prompts are kept in the journal (promptbytes.go).
	PromptBytes      int
	PartyPromptBytes int
	OutputFlush      time.Duration // agent output is coalesced for this long (default 40ms)
	MaxMessage       int           // budget for one host message (default wire.MaxHostMessage)

	// Journal keeps the party on disk (every event before it is sent, and member records)
	// and serves replays older than the memory window. Nil: the whole history stays in
	// memory (tests).
	Journal Journal
	// MemoryWindow bounds the recent events kept in memory, in bytes of their JSON, when a
	// Journal is set (default 4 MiB). Older replays are read from the journal.
	MemoryWindow int
	// ID is the party's id ("" = a new random one); a resumed party keeps its own.
	ID string
	// Restore brings a party back from its journal (host --resume); see Recovery.
	Restore *Restore

	Logger *slog.Logger
	Now    func() time.Time // tests
}

// DefaultMemoryWindow is the default of Config.MemoryWindow.
const DefaultMemoryWindow = 4 << 20

// Journal is where a party keeps itself (package journal's Writer): events as they
// happen, member records, and history read back for replays. Calls come from loop-owned
// code (the loop, or output inline), under loopMu.
//
// A call that fails leaves the journal behind: it keeps what it could not write, in
// order, writes it before anything else once it can (and the party cannot be resumed
// until it has), and a later call that succeeds means it caught up (journal.Writer).
type Journal interface {
	Event(ev wire.Event, raw json.RawMessage) error
	Member(m journal.Member) error
	// Invites records the invite tokens after a rotation (made durable: a resumed party
	// must not take the links it revoked back).
	Invites(journal.Tokens) error
	// Events calls fn with each event from seq from on, oldest first, until fn returns
	// false; raw is only valid during the call.
	Events(from int64, fn func(seq int64, raw json.RawMessage) bool) error
	// Alive records that a turn is still running at that time (journal.TypeAlive): the
	// party calls it while a turn runs and nothing has been journalled for a while.
	Alive(at time.Time) error
}

// logged is an event in the memory window with the size of its JSON.
type logged struct {
	ev   wire.Event
	raw  json.RawMessage // its JSON, spliced into replays as it is
	size int
}

// Party is one running party. Create with New, start with Run.
type Party struct {
	cfg   Config
	id    string
	rule  pipelineRule
	log   *slog.Logger
	ops   chan func()
	done  chan struct{}
	local merge.Merger

	// loopMu is held by whoever runs loop-owned code: the loop, except while it waits in
	// its select, or a worker running output inline. queued counts the ops posted and not
	// yet run; inline code runs only when it is 0, so that it overtakes none of them.
	loopMu  sync.Mutex
	queued  atomic.Int64
	looping bool        // Run is serving ops (guarded by loopMu)
	small   atomic.Bool // at most inlineMembers members and observers (set by the loop)

	// loop-owned
	seq         int64
	tokens      journal.Tokens
	promptBytes byteBucket         // the party's (promptbytes.go)
	hostName    string             // cfg.HostName as a member's name is made (term.Name): the owner's alone
	members     map[string]*member // connected members, by id
	known       map[string]*member // every member not kicked, connected or not, by id
	byClient    map[string]*member // by client_id, connected or not
	// viewersOut: the client_ids of members removed while viewers. Back with the
	// participant invite from the same client, they are viewers again: a host's demotion
	// did not outlast a removal (a window tester's viewer came back a participant).
	viewersOut map[string]bool
	sessions   map[string]*member // by session secret
	// removed: the sessions of members a host removed (Kick), with that host's name ("" when
	// not known: a resumed journal of before 2026-12-07). A hello with one is refused as any
	// dead session is, and told why (RemovedError): a removed member's terminal read the
	// refusal of a wrong token, and was never told it had been removed (a tester's). One
	// entry per kick, so a host's doing: it does not grow with what strangers send.
	removed   map[string]string
	observers map[Subscriber]struct{}
	fan       *fanout // the fan-out helper of a large party (fanout.go), while Run runs
	joins     int64
	fullSoFar int // hellos refused as full (FullRefusal.Count)
	closed    bool
	endSaid   bool // End's last notice went out: the host says nothing after its end words
	nextID    int64

	// loop-owned: the event log in memory and on disk (events.go, resume.go)
	win           []logged // the most recent events, oldest first, contiguous in seq
	winBytes      int      // their encoded size
	journalErr    error    // the error the journal is behind with (Journal): history then stays in memory
	journalWarned bool
	// journalGaveUp: the journal will not catch up (journal.ErrGaveUp), said once.
	journalGaveUp     error
	journalGaveUpSaid bool

	// loop-owned: the pipeline (batch.go)
	pending    []pendingPrompt
	lastPrompt time.Time
	phase      string
	busy       bool       // a merge, a waiting batch, a command or a turn is under way
	held       *heldBatch // a merged batch waiting for approval
	// heldDecided is how the last batch that waited for approval was decided, and by whom
	// (heldBatch's refusal says it); nil before one was.
	heldDecided *heldDecision
	commands    []agentCommand
	turn        *runningTurn // the turn on the agent, nil when none
	// failed is the error of the last turn the agent had and failed, while its session
	// still holds that request: the next batch tells it so (afterFailure). "" otherwise.
	failed    string
	approval  bool
	merger    string          // the merger's name as last told (PartyInfo.merger, settings events)
	outBuf    strings.Builder // output kept while ops wait (output)
	outStream string
	// sendNow: a host asked for the waiting prompts to go without waiting for the window or
	// --min-prompts (SendNow); the next cut takes them as soon as the agent is free, and
	// withdrawing them all (withdrawn) takes it back.
	sendNow bool
	// outTreeOnly: the output kept is a secret file's text, shown because the party
	// shares the whole folder (wire.Event.TreeOnly).
	outTreeOnly bool

	// loop-owned: the workspace (workspace.go)
	wsLevel     string
	wsCoCap     string            // the widest level a co-host may set: the owner's last choice, or the start's
	wsFiles     []wire.FileChange // the list in the last changes event
	wsHidden    int               // and its count of secret files left out
	wsDirty     bool              // a tool ran since the last scan
	wsTurnEnd   bool              // a turn ended since the last scan: its changes event goes out even if nothing changed
	wsQuiet     bool              // a new party that sent no list: an idle scan that finds nothing says nothing
	wsIdleFails int               // idle scans failed in a row: the next waits longer
	// wsSentAt is when the last changes event went out; wsHeld, the last idle scan's list
	// when it differed from wsFiles in counts only and was not sent (countsSettled).
	wsSentAt   time.Time
	wsHeld     []wire.FileChange
	wsScanning bool
	// wsBeforeTurn: the next scan is owed before a turn (scanBeforeTurn); wsScanBefore: the
	// one running is; wsWaiting: what waits for its list (whenListed), until wsHoldTimer.
	wsBeforeTurn bool
	wsScanBefore bool
	wsWaiting    []func()
	wsHoldTimer  *time.Timer
	// toolsRunning counts the tools the agent started in this turn whose result has not
	// come (output: a tool line, then its "-> " line): while one runs, the changes are
	// scanned every changesWhileTools.
	toolsRunning int
	wsGoneSaid   bool   // the working directory's vanishing was said (once)
	wsFailed     string // why the folder cannot be shared in this run (its first snapshot failed); "" when it can
	wsPending    bool   // its first snapshot is still being taken (Config.WorkspacePending)
	wsPendingTo  bool   // a hello went out saying so: the outcome is told (WorkspaceReady)
	wsLastScan   time.Time
	wsTimer      *time.Timer

	// loop-owned: tool permissions (permission.go)
	permMode string
	perms    map[string]*permRequest
	always   map[string]wire.Member // tools allowed for the rest of the party: by whom (none from a journal)

	workers sync.WaitGroup // merge and turn workers; run() waits for them before returning
	runCtx  context.Context
	// workCtx is what merges and workspace scans run under: End cancels it (a merge's
	// result is not wanted once the party ends), and it ends with runCtx.
	workCtx  context.Context
	stopWork context.CancelFunc
}

// New makes a party. It does nothing until Run.
func New(cfg Config) *Party {
	if cfg.Window <= 0 {
		cfg.Window = 3 * time.Second
	}
	if cfg.MinPrompts < 1 {
		cfg.MinPrompts = 1
	}
	if cfg.AgentName == "" {
		cfg.AgentName = "claude-code"
	}
	if cfg.ViewerToken == "" {
		cfg.ViewerToken = newToken()
	}
	if cfg.PermissionMode == "" {
		cfg.PermissionMode = wire.PermissionAsk
	}
	switch {
	case cfg.Workspace == nil:
		cfg.WorkspaceLevel = wire.WorkspaceOff
	case cfg.WorkspaceLevel == "":
		cfg.WorkspaceLevel = wire.WorkspaceChanges
	}
	if cfg.PermissionTimeout <= 0 {
		cfg.PermissionTimeout = 2 * time.Minute
	}
	if cfg.MaxParticipants <= 0 {
		cfg.MaxParticipants = 100
	}
	if cfg.SeatHold <= 0 {
		cfg.SeatHold = 2 * time.Minute
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 200
	}
	if cfg.PromptBurst <= 0 {
		cfg.PromptBurst = 10
	}
	if cfg.PromptEvery <= 0 {
		cfg.PromptEvery = time.Second
	}
	if cfg.PromptBytes == 0 {
		cfg.PromptBytes = 1 << 20
	}
	if cfg.PartyPromptBytes == 0 {
		cfg.PartyPromptBytes = 8 << 20
	}
	if cfg.OutputFlush <= 0 {
		cfg.OutputFlush = 40 * time.Millisecond
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = wire.MaxHostMessage
	}
	if cfg.MemoryWindow <= 0 {
		cfg.MemoryWindow = DefaultMemoryWindow
	}
	if cfg.ID == "" {
		cfg.ID = randomID(6)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	local := merge.Merger(merge.NewLocal())
	if cfg.Merger == nil {
		cfg.Merger = local
	}
	p := &Party{
		cfg:        cfg,
		id:         cfg.ID,
		rule:       pipelineRule{window: cfg.Window, minPrompts: cfg.MinPrompts},
		log:        cfg.Logger,
		ops:        make(chan func(), 64),
		done:       make(chan struct{}),
		local:      local,
		tokens:     journal.Tokens{Participant: cfg.Token, Viewer: cfg.ViewerToken, Host: cfg.HostToken},
		hostName:   term.Name(cfg.HostName),
		members:    map[string]*member{},
		known:      map[string]*member{},
		byClient:   map[string]*member{},
		viewersOut: map[string]bool{},
		sessions:   map[string]*member{},
		removed:    map[string]string{},
		observers:  map[Subscriber]struct{}{},
		phase:      wire.PhaseIdle,
		approval:   cfg.Approval,
		merger:     cfg.Merger.Name(),
		permMode:   cfg.PermissionMode,
		wsLevel:    cfg.WorkspaceLevel,
		wsPending:  cfg.WorkspacePending && cfg.Workspace != nil,
		wsCoCap:    cfg.WorkspaceLevel,
		perms:      map[string]*permRequest{},
		always:     map[string]wire.Member{},
	}
	if cfg.Restore != nil {
		p.restore(cfg.Restore)
	}
	return p
}

// ID is the party's id.
func (p *Party) ID() string { return p.id }

// Done is closed when Run has returned.
func (p *Party) Done() <-chan struct{} { return p.done }

// Run owns the party's state until ctx ends. It returns after every worker has stopped.
func (p *Party) Run(ctx context.Context) error {
	defer close(p.done)
	p.runCtx = ctx
	p.workCtx, p.stopWork = context.WithCancel(ctx)
	defer p.stopWork()
	fresh := p.cfg.Restore == nil
	if r := p.cfg.Restore; r != nil {
		p.cfg.Restore = nil // its events and members now live in the party
		p.resumed(r)
	} else if p.wsLevel == wire.WorkspaceTree {
		// A new party that shares the whole folder tells everyone (a resumed one says it
		// in its resume notice).
		p.emit(wire.Event{Kind: wire.KindSystem, Text: TreeNotice})
	}
	if p.cfg.IdleScan > 0 && p.cfg.Workspace != nil {
		// Edits made by hand before the first turn are listed as they come too.
		p.wsDirty, p.wsQuiet = true, fresh // a resumed party's last list may be out of date
		p.scanChanges(p.cfg.IdleScan)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	p.loopMu.Lock()
	p.looping = true
	p.noteSize()
	defer func() {
		p.looping = false
		if p.fan != nil {
			p.fan.stop()
			p.fan = nil
		}
		p.loopMu.Unlock()
	}()
	for {
		p.schedule(timer)
		p.loopMu.Unlock() // asleep: a worker's output may run inline meanwhile
		select {
		case <-ctx.Done():
			p.loopMu.Lock()
			p.shutdown()
			return nil
		case op := <-p.ops:
			p.loopMu.Lock()
			p.runOp(op)
		case <-timer.C:
			p.loopMu.Lock()
		}
	}
}

// runOp runs one posted op on the loop (loopMu held).
func (p *Party) runOp(op func()) {
	op()
	p.noteSize() // members join and leave in ops
	p.queued.Add(-1)
	if len(p.ops) == 0 {
		p.flushOutput() // output kept while ops were waiting goes now
	}
}

// noteSize tells inline whether the party is small enough (loopMu held).
func (p *Party) noteSize() {
	p.small.Store(len(p.members)+len(p.observers) <= inlineMembers)
}

// inlineMembers is the largest party whose output is sent inline. In a small party the
// hop to the loop (one goroutine woken per delta) is a good share of a delta's cost; in
// a large one it is nothing beside the fan-out, and going through the loop lets the
// agent's reader get on while deltas that find the loop busy are merged (output).
const inlineMembers = 32

// inline runs f as an op on the calling goroutine when the loop is asleep with nothing
// queued and the party is small, and reports whether it did; otherwise the caller posts
// f. Nothing posted before the call can be overtaken: it would still be counted in queued.
func (p *Party) inline(f func()) bool {
	// A large party never takes the lock here: the loop must not find it held.
	if !p.small.Load() || p.queued.Load() != 0 || !p.loopMu.TryLock() {
		return false
	}
	defer p.loopMu.Unlock()
	if !p.looping || p.queued.Load() != 0 {
		return false
	}
	f()
	if len(p.ops) == 0 {
		p.flushOutput() // as runOp does
	}
	return true
}

// shutdown runs on the loop: it stops taking work and waits for workers, still serving
// their reports so that they can finish.
func (p *Party) shutdown() {
	p.closed = true
	if p.wsTimer != nil {
		p.wsTimer.Stop() // an idle scan's timer would fire after the party (a reviewer's)
	}
	p.listed() // a batch waiting for its list: send finds the party closed
	p.flushOutput()
	p.sessions = map[string]*member{} // sessions die with the party
	waited := make(chan struct{})
	go func() { p.workers.Wait(); close(waited) }()
	for {
		p.loopMu.Unlock()
		select {
		case op := <-p.ops:
			p.loopMu.Lock()
			p.runOp(op)
		case <-waited:
			p.loopMu.Lock()
			p.flushOutput()
			return
		}
	}
}

// do runs f on the loop and waits for it. It fails once the party has stopped.
func (p *Party) do(f func()) error {
	finished := make(chan struct{})
	p.queued.Add(1)
	select {
	case p.ops <- func() { f(); close(finished) }:
	case <-p.done:
		p.queued.Add(-1)
		return ErrClosed
	}
	select {
	case <-finished:
		return nil
	case <-p.done:
		return ErrClosed
	}
}

// post runs f on the loop without waiting (workers' reports). It is dropped after Run ends.
func (p *Party) post(f func()) {
	p.queued.Add(1)
	select {
	case p.ops <- f:
	case <-p.done:
		p.queued.Add(-1)
	}
}

// Info describes the party as the hello reply does.
func (p *Party) Info() wire.PartyInfo {
	var info wire.PartyInfo
	_ = p.do(func() { info = p.info() })
	return info
}

func (p *Party) info() wire.PartyInfo {
	return wire.PartyInfo{
		ID:             p.id,
		Host:           p.hostName, // as the owner's member is named: clients find the owner by it
		WindowMS:       p.cfg.Window.Milliseconds(),
		MinPrompts:     p.cfg.MinPrompts,
		Merger:         p.merger,
		Agent:          p.cfg.AgentName,
		Approval:       p.approval,
		PermissionMode: p.permMode,
		Workspace:      p.wsLevel,
		CannotShare:    p.cfg.Workspace == nil || p.wsFailed != "",
		ShareError:     p.wsFailed,
		SharePending:   p.wsPending && p.wsFailed == "",
		Always:         p.alwaysList(),
		// How long a tool request waits for a decision: the pending one's expires says
		// it only once one waits, and a member could not tell before (nor a host later).
		PermissionTimeoutMS: p.cfg.PermissionTimeout.Milliseconds(),
	}
}

// Notice sends a system or error event from the host (e.g. "claude started").
func (p *Party) Notice(kind, text string) {
	if kind != wire.KindError {
		kind = wire.KindSystem
	}
	_ = p.do(func() {
		if p.endSaid {
			// A notice of work that finished as the party ended ("claude started" of an
			// agent that came up during End) would follow the end's words, and a client
			// takes the last system event as the end's reason (a window read "The party
			// has ended: claude started").
			p.log.Info("notice after the party's end, not sent", "kind", kind, "text", text)
			return
		}
		p.emit(wire.Event{Kind: kind, Text: text})
	})
}

// End finishes the party's work while its members are still connected, so that each of
// them sees how it ended: the party takes no more prompts, members, batches or turns; the
// running turn is stopped (its last output and its end, interrupted, go out like any other
// events) and a merge or workspace scan under way is cancelled (its result is not
// wanted). End waits within ctx for them, then sends everyone a system notice with text;
// when ctx ends first it still sends the notice and returns ctx's error (the turn is then
// cut short when Run's context ends). The loop keeps serving until Run's context ends.
// The host calls End first when it shuts down.
func (p *Party) End(ctx context.Context, text string) error {
	if err := p.do(func() {
		p.closed = true
		p.stopWork()
		if t := p.turn; t != nil && t.stoppedBy == "" {
			// Cut by the party's end, as when the wait below runs out: it ends "the party
			// ended" either way, not as a host's /stop, and `concordia parties` does not
			// count it (journal.Summary.Turns; a tester's listing counted one and not the
			// other).
			t.stoppedBy, t.byEnd = "the party's end", true
			t.cancel()
		}
	}); err != nil {
		return err
	}
	// No worker starts once closed is set, so the count only goes down. The goroutine
	// outlives End only if ctx ends first; the workers stop with Run's context at the
	// latest.
	waited := make(chan struct{})
	go func() { p.workers.Wait(); close(waited) }()
	var gaveUp error
	select {
	case <-waited:
	case <-ctx.Done():
		gaveUp = fmt.Errorf("the running turn did not stop in time: %w", ctx.Err())
	}
	if err := p.do(func() {
		p.flushOutput()
		if n := len(p.pending); n > 0 {
			// Their authors were told they wait; nothing else would tell them they never
			// went (a tester's prompt waiting for approval vanished with the party).
			p.emit(wire.Event{Kind: wire.KindSystem, Text: unsentText(p.pending, p.journalErr != nil)})
		}
		p.emit(wire.Event{Kind: wire.KindSystem, Text: text})
		p.endSaid = true
	}); err != nil {
		return err
	}
	return gaveUp
}

// unsentText says which prompts the party ended without sending to the agent (at most
// five by name), and how they can still go: queued again by a resume, unless the journal
// is behind (behind), when a resume withdraws them (a tester was told they would be
// queued again). ParseUnsent takes it apart again.
func unsentText(pending []pendingPrompt, behind bool) string {
	const most = UnsentNamed
	var b strings.Builder
	n := len(pending)
	b.WriteString(unsentOpening(n))
	for i, pp := range pending[:min(n, most)] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(UnsentEntry(pp.prompt.User, pp.prompt.Text))
	}
	if n > most {
		fmt.Fprintf(&b, "; and %d more", n-most)
	}
	b.WriteString(unsentClosing(n, behind))
	return b.String()
}

// UnsentNamed is how many prompts unsentText names at most; "and N more" counts the rest.
const UnsentNamed = 5

// unsentOpening begins unsentText.
func unsentOpening(n int) string {
	return fmt.Sprintf("the party ended before %d %s reached the agent: ", n, plural(n, "prompt", "prompts"))
}

// UnsentEntry is how unsentText names one prompt: its author's name, and its text on one
// line, cut short.
func UnsentEntry(user, text string) string {
	return user + ": “" + shortLine(text) + "”"
}

// unsentClosing ends unsentText: how the prompts can still go.
func unsentClosing(n int, behind bool) string {
	if behind {
		return ". The party's journal is behind: unless it catches up before the host stops, a resume does not queue " + plural(n, "it", "them") + " again: send " + plural(n, "it", "them") + " again then."
	}
	return ". A host who resumes this party has " + plural(n, "it", "them") + " queued again (or withdrawn, resuming without " + plural(n, "it", "them") + ")."
}

// Unsent is the notice of the prompts a party ended without sending to the agent, in its
// parts: Opening + List + Closing is the notice.
type Unsent struct {
	Count   int    // how many prompts
	Opening string // "the party ended before 2 prompts reached the agent: "
	List    string // an UnsentEntry for each of the first five, "; " between them, then "; and N more"
	Closing string // how they can still go, from its ". "
}

// ParseUnsent takes apart the notice of the prompts a party ended without sending (the
// system event before the end notice); ok is false for any other text. A terminal says its
// own member's prompts in it as its own.
func ParseUnsent(text string) (u Unsent, ok bool) {
	rest, ok := strings.CutPrefix(text, "the party ended before ")
	if !ok {
		return Unsent{}, false
	}
	num, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || !strings.HasPrefix(text, unsentOpening(n)) {
		return Unsent{}, false
	}
	rest = strings.TrimPrefix(text, unsentOpening(n))
	for _, behind := range []bool{false, true} {
		if list, ok := strings.CutSuffix(rest, unsentClosing(n, behind)); ok && list != "" {
			return Unsent{Count: n, Opening: unsentOpening(n), List: list, Closing: unsentClosing(n, behind)}, true
		}
	}
	return Unsent{}, false
}

// shortLine is text on one line, cut to 60 characters: a prompt or request named in a
// notice.
func shortLine(text string) string {
	text = oneLine(text)
	if r := []rune(text); len(r) > 60 {
		text = strings.TrimSpace(string(r[:59])) + "…"
	}
	return text
}

func (p *Party) newID(prefix string) string {
	p.nextID++
	return prefix + strconv.FormatInt(p.nextID, 10)
}

// NewID is a new party id: 12 random hex digits.
func NewID() string { return randomID(6) }

// newToken is a fresh invite token, as strong as the first one (invite.NewToken).
func newToken() string {
	t, err := invite.NewToken()
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return t
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// reasonLine is a reason a person typed (a rejection, a removal, a denial) on one line:
// its lines joined by spaces, not cut at the first (a protocol tester's "no\nthanks" came
// out as "no …"), at most 300 bytes, with nothing in it that draws nothing: a denial's
// reason goes to the model (a code reviewer's point).
func reasonLine(s string) string {
	return oneLine(strings.Join(strings.Fields(term.Visible(s)), " "))
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // not inside a character
		}
		s = s[:cut] + "…"
	}
	return s
}

// BurstWords are in the refusal of a prompt over its member's burst (Prompt), which
// passes within a PromptEvery, unlike the party's other refusals of a prompt as rate
// limited (too many waiting, too many bytes in a minute), which last until a batch runs
// or a minute passes. The refusal says which in its data (RateLimitError,
// wire.RateLimitedData); a host from before 2026-12-07 sent only the code and the
// message, and a line editor, which tries again only the passing one, reads these words
// of such a host's (cli's refusedFast).
const BurstWords = "prompts at once"
