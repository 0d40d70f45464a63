// Package agent drives one long-lived Claude Code process in headless stream-json mode:
// start, one turn at a time, streamed output, restart with --resume, and a stepped stop.
//
// The process runs as
//
//	claude -p --input-format stream-json --output-format stream-json --verbose
//	       --include-partial-messages [--resume ID] ARGS...
//
// and speaks JSON lines on stdin and stdout. A turn is one {"type":"user"} line in and
// everything up to the next {"type":"result"} line out.
package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

const (
	defaultStopTimeout  = 5 * time.Second
	defaultStartTimeout = 30 * time.Second // Config.StartTimeout's default
	pipeIdleAfterExit   = time.Second      // after exit, a pipe this long without data is done
	pipeHardLimit       = 10 * time.Second // after exit, pipes are closed regardless
	stderrTailLines     = 20
	stderrTailLineMax   = 500
	badLineMax          = 500 // non-JSON stdout lines are shown cut to this many runes
)

// Config says how to run Claude Code.
type Config struct {
	// Path is the executable; "" means "claude" on PATH.
	Path string
	// Args are extra arguments (from --claude-arg), appended after ours: --model X,
	// --permission-mode Y, --allowedTools Z.
	Args []string
	// WorkDir is the agent's working directory; "" means ours.
	WorkDir string
	// Env holds extra KEY=VALUE pairs added to our environment (a later pair wins).
	// CLAUDECODE is always removed: claude refuses to run nested inside another claude.
	Env []string
	// PermissionPrompt makes claude ask for tool permissions over stdio
	// (--permission-prompt-tool stdio); a turn's Ask answers them.
	PermissionPrompt bool
	// PermissionMode is Claude Code's own --permission-mode (see ClaudeMode); "" leaves it out.
	PermissionMode string
	// Resume is the session to resume at the first start; "" starts a new session.
	Resume string
	// StopTimeout is how long each step of a stop waits for the process (default 5s).
	StopTimeout time.Duration
	// StartTimeout is how long a start waits for the initialize answer when its context
	// has no deadline (default 30s).
	StartTimeout time.Duration
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// OnIdleExit, when set, is told how a ready process ended that exited by itself while
	// no turn ran (killed from outside, crashed): nothing else would say so before the
	// next turn. A stop (Close, Restart) is not told, nor an exit during a turn, which the
	// turn reports. It is called on the agent's own goroutine and must not block.
	OnIdleExit func(err error)
}

// Output is one piece of a turn's output.
type Output struct {
	// Text is a piece of assistant text (a delta, not a line), or one line on the other streams.
	Text string
	// Stream is wire.StreamAssistant, wire.StreamTool or wire.StreamStderr.
	Stream string
	// File, on a tool result's lines (StreamTool and StreamToolOutput), is the one file
	// the tool read or edited (FilePath), as the agent named it: the result is that
	// file's text, which a party shows only as far as it shares the file. "" otherwise.
	File string
}

// Result is how a turn ended.
type Result struct {
	// IsError is true when claude reported the turn as failed (or it was interrupted).
	IsError bool
	// Error is claude's error text when IsError; "interrupted" for an interrupted turn.
	Error string
	// Interrupted is true when the turn ended because its context was cancelled.
	Interrupted bool
	// Text is the turn's assistant text: the concatenation of its assistant Outputs (or
	// claude's result text when nothing streamed).
	Text string
	// SessionID is the session the turn ran in.
	SessionID string
	// Duration is how long the turn took, as claude measured it when it says.
	Duration time.Duration
}

// Agent is one Claude Code process, restarted as needed, running one turn at a time.
// Its methods are safe for concurrent use.
type Agent struct {
	cfg Config
	log *slog.Logger

	// life serialises Start, Restart and Close: each may wait on the process, so it is
	// never held by the readers and never taken while holding mu.
	life      sync.Mutex
	closing   chan struct{} // closed when Close begins; a Start waiting for readiness gives up
	closeOnce sync.Once

	// mu guards the fields below and the process fields marked "guarded by Agent.mu". The
	// process's stdout and stderr readers take it once per line; it is never held across I/O
	// or a call to a turn's out function.
	mu        sync.Mutex
	proc      *process // the current process, nil before the first Start
	sessionID string
	turn      *turn // the running turn, nil when idle
	closed    bool
	nextReq   int // numbers control request ids
	// mode overrides cfg.PermissionMode for the next start (SetPermissionMode); "" keeps it.
	mode string
}

// SetPermissionMode sets Claude Code's --permission-mode for the next start or restart
// (the running process keeps its own). A party that left plan mode (its plan was allowed,
// and Claude Code left plan mode with it) must not get a restarted agent back in plan mode.
func (a *Agent) SetPermissionMode(mode string) {
	a.mu.Lock()
	a.mode = mode
	a.mu.Unlock()
}

// New makes an agent; nothing runs until Start.
func New(cfg Config) *Agent {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Agent{
		cfg:       cfg,
		log:       log,
		closing:   make(chan struct{}),
		sessionID: cfg.Resume,
	}
}

// turn is one running Turn call.
type turn struct {
	proc  *process
	out   func(Output)
	start time.Time

	ask       func(context.Context, ToolRequest) ToolDecision
	askCtx    context.Context // ends with the turn: an Ask still waiting gives up
	askCancel context.CancelFunc

	done chan struct{} // closed by finish when the result line arrives
	res  Result        // written before done is closed

	interrupted bool // guarded by Agent.mu: an interrupt was sent for this turn

	// emitMu serialises calls to out, which come from the stdout and the stderr reader,
	// and stops them once the turn has ended.
	emitMu   sync.Mutex
	finished bool            // guarded by emitMu
	text     strings.Builder // guarded by emitMu: the assistant text that went out
}

func (t *turn) emit(o Output) {
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	if t.finished {
		return
	}
	if o.Stream == wire.StreamAssistant {
		t.text.WriteString(o.Text)
	}
	if t.out != nil {
		t.out(o)
	}
}

// end stops further output to out, ends any Ask still waiting, and returns the assistant
// text; idempotent.
func (t *turn) end() string {
	if t.askCancel != nil {
		t.askCancel()
	}
	t.emitMu.Lock()
	defer t.emitMu.Unlock()
	t.finished = true
	return t.text.String()
}

// Start spawns Claude Code and waits until it answers an initialize control request, which
// is the readiness signal. ctx bounds that wait (Config.StartTimeout when ctx has no deadline); it does not
// bound the process's life. A known session (Config.Resume, or the last one seen) is resumed.
// A missing executable gives an error matching ErrNotInstalled.
func (a *Agent) Start(ctx context.Context) error {
	a.life.Lock()
	defer a.life.Unlock()
	a.mu.Lock()
	closed, p := a.closed, a.proc
	a.mu.Unlock()
	if closed {
		return fmt.Errorf(NotStartedPrefix+": %w", ErrClosed)
	}
	if p != nil && !p.gone() {
		return errors.New("start claude: it is already running")
	}
	return a.start(ctx)
}

// Restart stops the process if it is alive (in steps, like Close) and starts it again,
// resuming the current session. A turn running meanwhile fails with ErrExited.
func (a *Agent) Restart(ctx context.Context) error {
	a.life.Lock()
	defer a.life.Unlock()
	a.mu.Lock()
	closed, p := a.closed, a.proc
	a.mu.Unlock()
	if closed {
		return fmt.Errorf("restart: %w", ErrClosed)
	}
	if p != nil {
		if err := a.stop(ctx, p); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
	}
	return a.start(ctx) // its errors say that claude could not start
}

// Close stops the process in steps: close stdin (claude finishes its turn and exits), wait
// StopTimeout, SIGINT, wait, SIGTERM, wait, SIGKILL. When ctx ends first it kills at once and
// returns ctx's error. The agent cannot be used afterwards. Close is idempotent.
func (a *Agent) Close(ctx context.Context) error {
	a.closeOnce.Do(func() { close(a.closing) })
	a.life.Lock()
	defer a.life.Unlock()
	a.mu.Lock()
	a.closed = true
	p := a.proc
	a.mu.Unlock()
	if p == nil {
		return nil
	}
	return a.stop(ctx, p)
}

// SessionID is the session claude reported last (system/init and result lines), or the one
// being resumed. It is "" until a new session's first turn.
func (a *Agent) SessionID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessionID
}

// Alive reports whether the process is running.
func (a *Agent) Alive() bool {
	a.mu.Lock()
	p := a.proc
	a.mu.Unlock()
	return p != nil && !p.gone()
}

// Turn sends prompt as one user message and waits for the turn's result. Output goes to out
// as it streams, in order, from the agent's reader goroutines, never two calls at once and
// none after Turn returns; out must not block for long nor call Close or Restart.
//
// A result with is_error gives Result.IsError and a nil error. If claude dies the error
// matches ErrExited. When ctx ends, claude is asked to interrupt the turn and Turn returns
// its result with Interrupted set; if claude does not end the turn within StopTimeout it is
// killed and the error wraps both ctx's error and ErrExited. Another Turn running gives
// ErrBusy.
func (a *Agent) Turn(ctx context.Context, prompt string, out func(Output)) (Result, error) {
	return a.TurnWith(ctx, prompt, TurnOptions{Out: out})
}

// TurnWith is Turn with tool permission answers (opts.Ask) and agent commands.
func (a *Agent) TurnWith(ctx context.Context, prompt string, opts TurnOptions) (Result, error) {
	if strings.TrimSpace(prompt) == "" {
		return Result{}, errors.New("turn: empty prompt")
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("turn: %w", err)
	}
	line, err := json.Marshal(userLine{Type: "user", Message: userMessage{Role: "user", Content: messageContent(prompt, opts.Command)}})
	if err != nil {
		return Result{}, fmt.Errorf("turn: encode prompt: %w", err)
	}

	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return Result{}, fmt.Errorf("turn: %w", ErrClosed)
	}
	if a.turn != nil {
		a.mu.Unlock()
		return Result{}, ErrBusy
	}
	p := a.proc
	if p == nil || p.gone() {
		err := a.exitErrorLocked(p)
		a.mu.Unlock()
		return Result{}, err
	}
	out := opts.Out
	var said atomic.Bool // a command's turn gave output
	if opts.Command && out != nil {
		words := commandOut(out)
		out = func(o Output) { said.Store(true); words(o) }
	}
	t := &turn{proc: p, out: out, start: time.Now(), done: make(chan struct{}), ask: opts.Ask}
	t.askCtx, t.askCancel = context.WithCancel(ctx)
	a.turn = t
	a.mu.Unlock()
	defer a.detach(t)

	if err := p.writeLine(ctx, line); err != nil {
		if ctx.Err() != nil && !errors.Is(err, errCutWrite) {
			return Result{}, fmt.Errorf("turn: write prompt: %w", ctx.Err()) // nothing written
		}
		// claude is gone or going (a broken pipe, a stop closed stdin, a cut line): make
		// sure, and report how it ended.
		a.log.Warn("write prompt to claude", "err", err)
		_ = killProcess(p.cmd)
		<-p.done
		return Result{}, a.exitError(p)
	}

	select {
	case <-t.done:
		if opts.Command && out != nil && !said.Load() && !t.res.IsError {
			// /compact said nothing at all, where /clear's "(no content)" reads "done": a
			// tester could not tell whether it had worked.
			opts.Out(Output{Stream: wire.StreamAssistant, Text: commandDone})
		}
		return t.res, nil
	case <-p.done:
		return a.lost(t, p)
	case <-ctx.Done():
	}

	a.mu.Lock()
	t.interrupted = true
	a.mu.Unlock()
	wctx, cancel := context.WithTimeout(context.Background(), a.stopTimeout())
	defer cancel()
	if err := a.sendControl(wctx, p, map[string]any{"subtype": "interrupt"}, nil); err != nil {
		a.log.Warn("send interrupt to claude", "err", err)
	}
	timer := time.NewTimer(a.stopTimeout())
	defer timer.Stop()
	select {
	case <-t.done:
		return t.res, nil
	case <-p.done:
		return a.lost(t, p)
	case <-timer.C:
	}
	a.log.Warn("claude did not end the turn when interrupted; killing it")
	_ = killProcess(p.cmd)
	<-p.done
	res := Result{IsError: true, Error: wire.TurnInterrupted, Interrupted: true, SessionID: a.SessionID(), Duration: time.Since(t.start)}
	return res, fmt.Errorf("turn: %w: %w", ctx.Err(), a.exitError(p))
}

// lost is Turn's answer when the process is gone: its result if that was read first, else
// an ExitError.
func (a *Agent) lost(t *turn, p *process) (Result, error) {
	select {
	case <-t.done:
		return t.res, nil
	default:
	}
	return Result{}, a.exitError(p)
}

// detach ends t and makes the agent idle if t is still its turn.
func (a *Agent) detach(t *turn) {
	a.mu.Lock()
	if a.turn == t {
		a.turn = nil
	}
	a.mu.Unlock()
	t.end()
}

func (a *Agent) stopTimeout() time.Duration {
	if a.cfg.StopTimeout > 0 {
		return a.cfg.StopTimeout
	}
	return defaultStopTimeout
}

// noContent is what Claude Code (2.1.197) answers a command that says nothing, /clear.
const noContent = "(no content)"

// commandDone is a command's turn that gave no output, in words.
const commandDone = "done (the command gave no output)"

// commandOut words a command's silent answer for people: "(no content)" after /clear read
// as if something had gone missing (a tester's).
func commandOut(out func(Output)) func(Output) {
	return func(o Output) {
		if o.Stream == wire.StreamAssistant && o.Text == noContent {
			o.Text = commandDone
		}
		out(o)
	}
}
