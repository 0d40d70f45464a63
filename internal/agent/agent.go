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
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

const (
	defaultStopTimeout  = 5 * time.Second
	defaultStartTimeout = 30 * time.Second // readiness bound when Start's ctx has no deadline
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
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Output is one piece of a turn's output.
type Output struct {
	// Text is a piece of assistant text (a delta, not a line), or one line on the other streams.
	Text string
	// Stream is wire.StreamAssistant, wire.StreamTool or wire.StreamStderr.
	Stream string
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

// process is one run of the executable and the goroutines that serve it: a stdout reader, a
// stderr reader and a waiter, all ending when the process is gone.
type process struct {
	cmd    *exec.Cmd
	stdin  *os.File // our end of claude's stdin
	stdout *os.File // our end of claude's stdout, closed by the waiter
	stderr *os.File // our end of claude's stderr, closed by the waiter

	writeMu   sync.Mutex // one line at a time on stdin
	stdinOnce sync.Once

	done   chan struct{} // closed once the process has exited and its output has been read
	exited atomic.Bool   // the process has exited (its pipes may still hold output)

	// guarded by Agent.mu
	state      string                          // how it exited, set before done is closed
	pending    map[string]chan controlResponse // control requests waiting for their response
	asks       map[string]context.CancelFunc   // tool requests being decided, by request id
	stderrTail []string                        // the last stderr lines
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
// is the readiness signal. ctx bounds that wait (30s when ctx has no deadline); it does not
// bound the process's life. A known session (Config.Resume, or the last one seen) is resumed.
// A missing executable gives an error matching ErrNotInstalled.
func (a *Agent) Start(ctx context.Context) error {
	a.life.Lock()
	defer a.life.Unlock()
	a.mu.Lock()
	closed, p := a.closed, a.proc
	a.mu.Unlock()
	if closed {
		return fmt.Errorf("start claude: %w", ErrClosed)
	}
	if p != nil && !p.gone() {
		return errors.New("start claude: already running")
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
	if err := a.start(ctx); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return nil
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
	t := &turn{proc: p, out: opts.Out, start: time.Now(), done: make(chan struct{}), ask: opts.Ask}
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
	if err := a.sendControl(wctx, p, "interrupt", nil); err != nil {
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

// start spawns the process; the caller holds life.
func (a *Agent) start(ctx context.Context) error {
	path, err := a.lookPath()
	if err != nil {
		return err
	}
	a.mu.Lock()
	resume := a.sessionID
	a.mu.Unlock()
	args := []string{"-p", "--input-format", "stream-json", "--output-format", "stream-json",
		"--verbose", "--include-partial-messages"}
	if resume != "" {
		args = append(args, "--resume", resume)
	}
	if a.cfg.PermissionPrompt {
		args = append(args, "--permission-prompt-tool", "stdio")
	}
	if a.cfg.PermissionMode != "" {
		args = append(args, "--permission-mode", a.cfg.PermissionMode)
	}
	args = append(args, a.cfg.Args...)

	// No CommandContext: a context kill would skip the stepped stop. stop() ends the process.
	cmd := exec.Command(path, args...)
	cmd.Dir = a.cfg.WorkDir
	cmd.Env = childEnv(a.cfg.Env)
	setProcessGroup(cmd)

	// Our own pipes, not Cmd's: Wait then never closes them under the readers, so a process
	// that exits is still read to the end, and a tool that outlives claude and keeps a pipe
	// open can be cut off after a grace period (see wait).
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			_ = f.Close()
		}
	}
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			files = append(files, r, w)
		}
		return r, w, err
	}
	inR, inW, err1 := pipe()
	outR, outW, err2 := pipe()
	errR, errW, err3 := pipe()
	if err := errors.Join(err1, err2, err3); err != nil {
		closeAll()
		return fmt.Errorf("start claude: %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		closeAll()
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("start claude: %s: %w", path, ErrNotInstalled)
		}
		return fmt.Errorf("start claude: %w", err)
	}
	// The child has its copies; ours would keep its stdin open and our readers from EOF.
	_ = inR.Close()
	_ = outW.Close()
	_ = errW.Close()

	p := &process{
		cmd:     cmd,
		stdin:   inW,
		stdout:  outR,
		stderr:  errR,
		done:    make(chan struct{}),
		pending: map[string]chan controlResponse{},
		asks:    map[string]context.CancelFunc{},
	}
	a.mu.Lock()
	a.proc = p
	a.mu.Unlock()
	a.log.Info("claude started", "pid", cmd.Process.Pid, "path", path, "resume", resume)

	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		a.readStdout(p)
	}()
	go func() {
		defer readers.Done()
		a.readStderr(p)
	}()
	go a.wait(p, &readers)

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}
	if err := a.initialize(ctx, p); err != nil {
		_ = killProcess(cmd)
		<-p.done
		return fmt.Errorf("start claude: %w", err)
	}
	return nil
}

// lookPath finds the executable as an absolute path (a relative one would be taken relative
// to WorkDir by exec).
func (a *Agent) lookPath() (string, error) {
	name := a.cfg.Path
	if name == "" {
		name = "claude"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("start claude: %s: %w", name, ErrNotInstalled)
		}
		return "", fmt.Errorf("start claude: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

// childEnv is our environment plus extra, without CLAUDECODE. (A key in both keeps extra's
// value: os/exec keeps the last of duplicates.)
func childEnv(extra []string) []string {
	base := os.Environ()
	env := make([]string, 0, len(base)+len(extra))
	for _, kv := range append(base, extra...) {
		k, _, _ := strings.Cut(kv, "=")
		if strings.EqualFold(k, "CLAUDECODE") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// initialize sends the initialize control request and waits for its response.
func (a *Agent) initialize(ctx context.Context, p *process) error {
	ch := make(chan controlResponse, 1)
	if err := a.sendControl(ctx, p, "initialize", ch); err != nil {
		if ctx.Err() == nil || errors.Is(err, errCutWrite) {
			// A broken pipe: claude is gone or going; report how it ended.
			select {
			case <-p.done:
				return a.exitError(p)
			case <-ctx.Done():
			}
		}
		return fmt.Errorf("initialize: %w", err)
	}
	select {
	case r := <-ch:
		if r.Subtype != "success" {
			return fmt.Errorf("initialize: claude answered %q: %s", r.Subtype, r.Error)
		}
		return nil
	case <-p.done:
		return a.exitError(p)
	case <-ctx.Done():
		return fmt.Errorf("initialize: %w", ctx.Err())
	case <-a.closing:
		return ErrClosed
	}
}

// Lines we write to claude's stdin.
type (
	userLine struct {
		Type    string      `json:"type"`
		Message userMessage `json:"message"`
	}
	userMessage struct {
		Role    string `json:"role"`
		Content any    `json:"content"` // a string (a command) or text blocks (see messageContent)
	}
	controlRequestLine struct {
		Type      string         `json:"type"`
		RequestID string         `json:"request_id"`
		Request   map[string]any `json:"request"`
	}
	controlResponseLine struct {
		Type     string         `json:"type"`
		Response map[string]any `json:"response"`
	}
)

// sendControl writes a control request; when reply is not nil its response is sent there.
func (a *Agent) sendControl(ctx context.Context, p *process, subtype string, reply chan controlResponse) error {
	a.mu.Lock()
	a.nextReq++
	id := "concordia-" + strconv.Itoa(a.nextReq)
	if reply != nil {
		p.pending[id] = reply
	}
	a.mu.Unlock()
	line, err := json.Marshal(controlRequestLine{Type: "control_request", RequestID: id, Request: map[string]any{"subtype": subtype}})
	if err == nil {
		err = p.writeLine(ctx, line)
	}
	if err != nil {
		a.mu.Lock()
		delete(p.pending, id)
		a.mu.Unlock()
		return fmt.Errorf("send %s: %w", subtype, err)
	}
	return nil
}

// writeLine writes one JSON line to claude's stdin; ctx can cut a write that blocks.
func (p *process) writeLine(ctx context.Context, line []byte) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = p.stdin.SetWriteDeadline(time.Now()) // not supported everywhere: best effort
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
			_ = p.stdin.SetWriteDeadline(time.Time{})
		}
	}()
	n, err := p.stdin.Write(append(line, '\n'))
	if err != nil && n > 0 {
		// Half a line on claude's stdin is not JSON, which ends claude anyway; end it now so
		// that nothing after it is misread.
		_ = killProcess(p.cmd)
		return fmt.Errorf("%w after %d of %d bytes: %w", errCutWrite, n, len(line)+1, err)
	}
	return err
}

// errCutWrite marks a write to claude's stdin that stopped partway; the process is killed.
var errCutWrite = errors.New("write cut")

func (p *process) closeStdin() {
	p.stdinOnce.Do(func() { _ = p.stdin.Close() })
}

// gone reports whether the process has exited and its output has been read.
func (p *process) gone() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait owns the process's end: it reaps it, lets the readers finish, and closes done. Wait
// comes first here, unlike with Cmd's own pipes: ours are plain files that Wait never touches,
// so everything claude wrote is still read, and done is closed only after the readers are.
func (a *Agent) wait(p *process, readers *sync.WaitGroup) {
	err := p.cmd.Wait()
	// claude is gone, but something it started (a tool's background job) may hold the pipes
	// open, and then they never reach EOF. From now on a read that finds no data for a while
	// ends its reader (see pipeReader); output that is there is still read in full.
	p.exited.Store(true)
	_ = p.stdout.SetReadDeadline(time.Now().Add(pipeIdleAfterExit))
	_ = p.stderr.SetReadDeadline(time.Now().Add(pipeIdleAfterExit))
	drained := make(chan struct{})
	go func() {
		readers.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(pipeHardLimit):
		// Deadlines are not supported on every platform's pipes: stop reading anyway.
		a.log.Warn("claude exited but its output pipes stay open; closing them")
		_ = p.stdout.Close()
		_ = p.stderr.Close()
		<-drained
	}
	_ = p.stdout.Close()
	_ = p.stderr.Close()
	p.closeStdin()

	state := "exited"
	if p.cmd.ProcessState != nil {
		state = p.cmd.ProcessState.String()
	} else if err != nil {
		state = err.Error()
	}
	a.mu.Lock()
	p.state = state
	p.pending = map[string]chan controlResponse{}
	a.mu.Unlock()
	a.log.Info("claude exited", "pid", p.cmd.Process.Pid, "state", state)
	close(p.done)
}

// pipeReader reads one of claude's output pipes. Once claude has exited, every read gets a
// fresh idle deadline, so a reader stops only when the pipe has stayed empty that long.
type pipeReader struct {
	f      *os.File
	exited *atomic.Bool
	raw    syscall.RawConn // non-nil: read with rawRead (pipe_linux.go)
}

func newPipeReader(f *os.File, exited *atomic.Bool) *pipeReader {
	return &pipeReader{f: f, exited: exited, raw: rawPipe(f)}
}

func (r *pipeReader) Read(b []byte) (int, error) {
	if r.exited.Load() {
		_ = r.f.SetReadDeadline(time.Now().Add(pipeIdleAfterExit))
	}
	if r.raw != nil {
		return rawRead(r.f, r.raw, b)
	}
	return r.f.Read(b)
}

// endOfPipe says whether a read error just means the pipe is finished.
func endOfPipe(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded)
}

// stop ends p in steps; see Close.
func (a *Agent) stop(ctx context.Context, p *process) error {
	p.closeStdin()
	if a.waitExit(ctx, p) {
		return nil
	}
	steps := []struct {
		name string
		send func(*exec.Cmd) error
	}{{"interrupt", interruptProcess}, {"terminate", terminateProcess}}
	for _, s := range steps {
		if ctx.Err() != nil {
			break
		}
		a.log.Info("claude still running; signalling", "signal", s.name)
		if err := s.send(p.cmd); err != nil {
			a.log.Debug("signal claude", "signal", s.name, "err", err)
		}
		if a.waitExit(ctx, p) {
			return nil
		}
	}
	a.log.Warn("killing claude")
	_ = killProcess(p.cmd)
	<-p.done
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stop claude: %w", err)
	}
	return nil
}

// waitExit waits up to StopTimeout for p to be gone; false when it is not, or ctx ended.
func (a *Agent) waitExit(ctx context.Context, p *process) bool {
	timer := time.NewTimer(a.stopTimeout())
	defer timer.Stop()
	select {
	case <-p.done:
		return true
	case <-timer.C:
		return false
	case <-ctx.Done():
		return p.gone()
	}
}

// exitError describes p's end (p may be nil: never started).
func (a *Agent) exitError(p *process) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.exitErrorLocked(p)
}

func (a *Agent) exitErrorLocked(p *process) error {
	if p == nil {
		return &ExitError{Status: "not started"}
	}
	return &ExitError{Status: p.state, Stderr: append([]string(nil), p.stderrTail...)}
}

// turnOf is the running turn if it belongs to p.
func (a *Agent) turnOf(p *process) *turn {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.turn != nil && a.turn.proc == p {
		return a.turn
	}
	return nil
}

// emitter sends an Output to p's running turn, or to the log between turns.
func (a *Agent) emitter(p *process) func(Output) {
	return func(o Output) {
		if t := a.turnOf(p); t != nil {
			t.emit(o)
			return
		}
		a.log.Debug("claude output outside a turn", "stream", o.Stream, "text", truncate(o.Text, badLineMax))
	}
}

// readStdout owns p's stdout: every line is handled here, in order (readLines).
func (a *Agent) readStdout(p *process) {
	br := bufio.NewReaderSize(newPipeReader(p.stdout, &p.exited), 64<<10)
	tr := newTranslator(a.cfg.WorkDir)
	err := readLines(br, tr, a.emitter(p), func(line []byte, emit func(Output)) {
		a.handleOtherLine(p, tr, line, emit)
	})
	if !endOfPipe(err) {
		a.log.Warn("read claude stdout", "err", err)
	}
}

// readLines reads claude's stdout lines until the reader's error, which it returns.
// bufio.Reader, not Scanner: lines have no length limit (a tool result can be megabytes).
// A stream event is translated here; its text is held while more lines are already in the
// buffer (burst) and sent before the reader would wait for more. Any other line goes to
// other, after what is held.
func readLines(br *bufio.Reader, tr *translator, emit func(Output), other func(line []byte, emit func(Output))) error {
	b := &burst{out: emit}
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if !tr.fastStreamEvent(line, b.emit) {
				b.flush() // a line that is not a stream event can end the turn: text first
				other(line, emit)
			}
		}
		if br.Buffered() == 0 || b.full() || err != nil {
			b.flush()
		}
		if err != nil {
			return err
		}
	}
}

// handleOtherLine routes a line that is not a stream event.
func (a *Agent) handleOtherLine(p *process, tr *translator, line []byte, emit func(Output)) {
	// One decoding for the lines that fit; only a line that does not is looked at again,
	// to tell a line that is not JSON from one with an odd field.
	var ln outLine
	if err := json.Unmarshal(line, &ln); err != nil {
		var h header
		if json.Unmarshal(line, &h) != nil {
			text := truncate(strings.TrimSpace(string(line)), badLineMax)
			a.log.Warn("claude wrote a line that is not JSON", "line", text)
			emit(Output{Text: text, Stream: wire.StreamStderr})
			return
		}
		a.log.Warn("decode claude line", "type", h.Type, "err", err)
		if h.Type == "result" {
			// Never leave a turn waiting for a result we could not read.
			msg, _ := json.Marshal("unreadable result from claude: " + err.Error())
			a.finishTurn(p, tr, &outLine{Type: "result", IsError: true, Result: msg})
		}
		return
	}
	var err error
	switch ln.Type {
	case "stream_event", "assistant", "user":
		err = tr.translate(&ln, emit)
	case "system":
		switch ln.Subtype {
		case "init":
			a.setSession(ln.SessionID)
		case "api_retry":
			emit(Output{Text: retryNotice(&ln), Stream: wire.StreamStderr})
		}
	case "result":
		a.finishTurn(p, tr, &ln)
	case "control_response":
		a.deliverControl(p, ln.Response)
	case "control_request":
		a.answerControl(p, &ln)
	case "control_cancel_request":
		a.cancelToolRequest(p, ln.RequestID)
	}
	if err != nil {
		a.log.Warn("handle claude line", "type", ln.Type, "err", err)
	}
}

func (a *Agent) setSession(id string) {
	if id == "" {
		return
	}
	a.mu.Lock()
	a.sessionID = id
	a.mu.Unlock()
}

// finishTurn ends p's running turn with a result line.
func (a *Agent) finishTurn(p *process, tr *translator, ln *outLine) {
	tr.reset()
	a.mu.Lock()
	if ln.SessionID != "" {
		a.sessionID = ln.SessionID
	}
	sid := a.sessionID
	t := a.turn
	if t == nil || t.proc != p {
		a.mu.Unlock()
		a.log.Info("claude result outside a turn", "is_error", ln.IsError, "subtype", ln.Subtype)
		return
	}
	a.turn = nil
	interrupted := t.interrupted
	a.mu.Unlock()

	res := Result{SessionID: sid, Duration: time.Since(t.start)}
	if ln.DurationMS > 0 {
		res.Duration = time.Duration(ln.DurationMS * float64(time.Millisecond))
	}
	if ln.IsError {
		res.IsError = true
		res.Error = resultError(ln)
		if interrupted {
			res.Interrupted = true
			res.Error = wire.TurnInterrupted
		}
	}
	res.Text = t.end()
	if res.Text == "" && !res.IsError {
		_ = json.Unmarshal(ln.Result, &res.Text)
	}
	t.res = res
	close(t.done)
}

// deliverControl hands a control response to the request waiting for it.
func (a *Agent) deliverControl(p *process, raw json.RawMessage) {
	var r controlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		a.log.Warn("decode claude control response", "err", err)
		return
	}
	a.mu.Lock()
	ch := p.pending[r.RequestID]
	delete(p.pending, r.RequestID)
	a.mu.Unlock()
	if ch != nil {
		ch <- r // buffered, one response per request
	}
}

// answerControl answers a request claude sends us: tool permission prompts go to the
// running turn's Ask (see answerToolRequest); anything else is refused.
func (a *Agent) answerControl(p *process, ln *outLine) {
	var req canUseTool
	_ = json.Unmarshal(ln.Request, &req)
	if req.Subtype == "can_use_tool" {
		a.answerToolRequest(p, ln.RequestID, req)
		return
	}
	a.writeControlResponse(p, ln.RequestID, map[string]any{
		"subtype": "error", "request_id": ln.RequestID, "error": "unsupported control request: " + req.Subtype,
	})
}

// readStderr owns p's stderr: lines go to the running turn (or the log) and to the tail
// that ExitError reports.
func (a *Agent) readStderr(p *process) {
	br := bufio.NewReader(newPipeReader(p.stderr, &p.exited))
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) != "" {
			a.mu.Lock()
			p.stderrTail = append(p.stderrTail, truncate(line, stderrTailLineMax))
			if len(p.stderrTail) > stderrTailLines {
				p.stderrTail = p.stderrTail[len(p.stderrTail)-stderrTailLines:]
			}
			a.mu.Unlock()
			if t := a.turnOf(p); t != nil {
				t.emit(Output{Text: line, Stream: wire.StreamStderr})
			} else {
				a.log.Info("claude stderr", "line", truncate(line, stderrTailLineMax))
			}
		}
		if err != nil {
			return
		}
	}
}
