package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The Claude Code process: starting it, its stdin, waiting for its end, and the stepped stop.

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
	// ready: it answered the initialize request; stopping: we are ending it (stop, or a
	// failed start). An exit after ready and not stopping, while idle, is Config.OnIdleExit's.
	ready, stopping atomic.Bool

	// guarded by Agent.mu
	state      string                          // how it exited, set before done is closed
	pending    map[string]chan controlResponse // control requests waiting for their response
	asks       map[string]context.CancelFunc   // tool requests being decided, by request id
	lastHanded chan struct{}                   // closed once the newest tool request was handed to the asker (answerToolRequest)
	denied     map[string]string               // denials whose tool results have not come yet, by tool_use id: their message (noteDenied)
	deniedText map[string]int                  // and of requests that named no tool_use, by message
	// undecided are the tool_use ids whose requests were asked and not answered yet: an
	// error result claude writes for one itself is its request withdrawn, the turn stopped
	// before anyone decided (resultMark: cancelled).
	undecided  map[string]bool
	stderrTail []string // the last stderr lines
}

// claudeArgs is claude's command line for the next start: stream-json both ways, the
// session to resume, the permission prompt and mode, then the configured extra arguments.
func (a *Agent) claudeArgs() []string {
	a.mu.Lock()
	resume, mode := a.sessionID, a.mode
	a.mu.Unlock()
	if mode == "" {
		mode = a.cfg.PermissionMode
	}
	args := []string{"-p", "--input-format", "stream-json", "--output-format", "stream-json",
		"--verbose", "--include-partial-messages"}
	if resume != "" {
		args = append(args, "--resume", resume)
	}
	if a.cfg.PermissionPrompt {
		args = append(args, "--permission-prompt-tool", "stdio")
	}
	if mode != "" {
		args = append(args, "--permission-mode", mode)
	}
	if a.cfg.PermissionPrompt {
		// A Read of a secret file asks, as a request the party is asked about.
		return append(args, withSecretAsk(a.cfg.Args, a.cfg.WorkDir)...)
	}
	return append(args, a.cfg.Args...)
}

// start spawns the process; the caller holds life.
func (a *Agent) start(ctx context.Context) error {
	path, err := a.lookPath()
	if err != nil {
		return err
	}
	args := a.claudeArgs()

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
		return fmt.Errorf(NotStartedPrefix+": %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		closeAll()
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf(NotStartedPrefix+": %s: %w", path, ErrNotInstalled)
		}
		return fmt.Errorf(NotStartedPrefix+": %w", err)
	}
	// The child has its copies; ours would keep its stdin open and our readers from EOF.
	_ = inR.Close()
	_ = outW.Close()
	_ = errW.Close()

	p := &process{
		cmd:        cmd,
		stdin:      inW,
		stdout:     outR,
		stderr:     errR,
		done:       make(chan struct{}),
		pending:    map[string]chan controlResponse{},
		asks:       map[string]context.CancelFunc{},
		denied:     map[string]string{},
		deniedText: map[string]int{},
		undecided:  map[string]bool{},
	}
	a.mu.Lock()
	a.proc = p
	a.mu.Unlock()
	a.log.Info("claude started", "pid", cmd.Process.Pid, "path", path, "args", args)

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
		wait := defaultStartTimeout
		if a.cfg.StartTimeout > 0 {
			wait = a.cfg.StartTimeout
		}
		ctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	if err := a.initialize(ctx, p); err != nil {
		p.stopping.Store(true)
		_ = killProcess(cmd)
		<-p.done
		if refused := argsRefused(err, a.cfg.Args); refused != nil {
			err = refused
		}
		return fmt.Errorf(NotStartedPrefix+": %w", err)
	}
	p.ready.Store(true)
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
			return "", fmt.Errorf(NotStartedPrefix+": %s: %w", name, ErrNotInstalled)
		}
		return "", fmt.Errorf(NotStartedPrefix+": %w", err)
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
	// A turn let in between this and done's closing reports the exit too: said twice at
	// worst, never missed.
	idle := a.turn == nil && !a.closed && p.ready.Load() && !p.stopping.Load()
	a.mu.Unlock()
	a.log.Info("claude exited", "pid", p.cmd.Process.Pid, "state", state)
	close(p.done)
	if idle && a.cfg.OnIdleExit != nil {
		a.cfg.OnIdleExit(a.exitError(p))
	}
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
	p.stopping.Store(true)
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

// errCutWrite marks a write to claude's stdin that stopped partway; the process is killed.
var errCutWrite = errors.New("write cut")
