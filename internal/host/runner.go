package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/party"
)

// runner adapts the agent to party.Runner; mu makes the first start (in the background)
// and a turn's lazy start one at a time.
type runner struct {
	cfg    agent.Config
	notice func(string) // a system notice for the party
	// idleExit, when set, is told that claude exited by itself while idle (how); set
	// before the first start. exitedIdle is set then, until a start brings claude back:
	// that start is said ("claude started"), as the first is (a tester's party heard of
	// the exit and then nothing of claude again).
	idleExit   func(error)
	exitedIdle atomic.Bool
	// onSession is told the agent's session id after each turn (for the journal).
	onSession func(string)
	log       *slog.Logger
	mu        sync.Mutex // guards agent, which Restart may replace, first and cfg
	agent     *agent.Agent
	// mode is Claude Code's permission mode set since the start (SetPermissionMode), for
	// the next start; nil: cfg's. newRunner seeds it with cfg's, so that a switch can tell
	// whether claude's mode changes without taking mu.
	mode atomic.Pointer[string]
	// sw is the worker that switches the running claude (SwitchPermissionMode).
	sw modeSwitch
	// switches counts the switch worker, for close.
	switches sync.WaitGroup
	// restartForMode (guarded by mu) is set when the running claude did not take a new
	// mode: the next turn restarts it in that mode first.
	restartForMode bool
	// first runs once, before the agent's first start (under mu): a resume stops what the
	// previous run left running.
	first func()
	// beforeTurn, when set, is waited for before each turn (the workspace's first
	// snapshot); an error is the turn's context ending meanwhile.
	beforeTurn func(context.Context) error
	// starts counts the starts that have ended (under mu, read without it), and startErr
	// (guarded by mu) is how the last one failed: a batch that waited for a start already under way
	// (the host's own, at launch) takes that start's failure rather than waiting as long
	// again for its own.
	starts   atomic.Int64
	startErr error
	// onStarted, when set, is called once, after the first start that succeeds (outside
	// mu); startedOnce says it was.
	onStarted   func()
	startedOnce atomic.Bool
}

// SetPermissionMode is the party's permission mode (wire.Permission*) from now on: a
// restarted or new agent starts in Claude Code's matching mode (the running one is already
// in it: the party follows it out of plan mode). It never waits for a start or restart.
func (r *runner) SetPermissionMode(mode string) {
	m, err := agent.ClaudeMode(mode)
	if err != nil {
		r.log.Warn("permission mode", "err", err)
		return
	}
	r.mode.Store(&m)
}

// switchTimeout is how long the running claude has to answer a set_permission_mode.
const switchTimeout = 10 * time.Second

// modeSwitch is the one worker that switches the running claude's mode: the latest mode
// asked for is what it sends next, so switches never overtake each other, and a turn
// waits for a switch under way before it starts (waitSwitch).
type modeSwitch struct {
	mu      sync.Mutex
	want    string        // the mode to send next; "" when none is waiting
	running bool          // the worker runs
	done    chan struct{} // closed when the worker ends; nil when it is not running
}

// newRunner makes the runner of an agent made from cfg.
func newRunner(cfg agent.Config, log *slog.Logger) *runner {
	r := &runner{log: log}
	cfg.OnIdleExit = func(err error) { // every agent's, a fresh one's too (freshLocked)
		r.exitedIdle.Store(true)
		if r.idleExit != nil {
			r.idleExit(err)
		}
	}
	r.cfg, r.agent = cfg, agent.New(cfg)
	m := cfg.PermissionMode
	r.mode.Store(&m)
	return r
}

// SwitchPermissionMode is SetPermissionMode for a host's change of the party's mode while
// the party runs (party.Party.SetPermissionMode): the running claude is switched too, in
// the background, and a turn that starts meanwhile waits for that. ask and all are both
// Claude Code's default mode (the party allows everything itself in all), so only edits
// and plan, and leaving them, switch claude. A claude that does not take the mode is
// restarted in it before its next turn, and the party is told. It is called on the
// party's loop and never waits.
func (r *runner) SwitchPermissionMode(mode string) {
	m, err := agent.ClaudeMode(mode)
	if err != nil {
		r.log.Warn("permission mode", "err", err)
		return
	}
	if p := r.mode.Swap(&m); p != nil && *p == m {
		return
	}
	r.sw.mu.Lock()
	defer r.sw.mu.Unlock()
	r.sw.want = m
	if !r.sw.running {
		r.sw.running, r.sw.done = true, make(chan struct{})
		r.switches.Add(1)
		go r.switchLoop(r.sw.done)
	}
}

// switchLoop sends the latest mode asked for until none is left, then ends (closing done).
// A mode sent twice (edits, ask, edits while a switch was under way) is harmless: claude
// takes it again.
func (r *runner) switchLoop(done chan struct{}) {
	defer r.switches.Done()
	for {
		r.sw.mu.Lock()
		want := r.sw.want
		r.sw.want = ""
		if want == "" {
			r.sw.running, r.sw.done = false, nil
			close(done)
			r.sw.mu.Unlock()
			return
		}
		r.sw.mu.Unlock()
		r.mu.Lock()
		a := r.agent
		r.mu.Unlock()
		r.switchTo(a, want)
	}
}

// switchTo asks agent a's claude to switch to mode (with no claude running, its next start
// is in that mode). One that does not take it is restarted in that mode before its next
// turn, and the party is told.
func (r *runner) switchTo(a *agent.Agent, mode string) {
	if mode == agent.ClaudeModePlan {
		// Never by set_permission_mode: Claude Code switched to plan mode while it runs
		// lets any Bash command run without asking (measured with 2.1.197; a tester's touch
		// ran in a party set to "Plan only — nothing is changed"). It is restarted in plan
		// mode, resuming its session, before its next turn; until then it asks about
		// what is not read-only, as in the default mode it runs in (no party mode runs it
		// in another), and the party denies that as plan mode does.
		a.SetPermissionMode(mode)
		r.mu.Lock()
		if r.agent == a {
			r.restartForMode = true
		}
		r.mu.Unlock()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), switchTimeout)
	defer cancel()
	err := a.SwitchMode(ctx, mode)
	r.mu.Lock()
	switch {
	case err == nil:
		if r.agent == a {
			r.restartForMode = false // a failed switch before this one is made good
		}
		r.mu.Unlock()
		return
	case errors.Is(err, agent.ErrClosed), errors.Is(err, agent.ErrExited), r.agent != a:
		// The party is ending, or this claude ended or was replaced meanwhile: the next
		// one starts in the mode asked for (SwitchMode set it before asking).
		r.mu.Unlock()
		r.log.Info("claude was not running to switch its permission mode", "mode", mode, "err", err)
		return
	}
	r.restartForMode = true
	r.mu.Unlock()
	r.log.Warn("switch claude's permission mode", "mode", mode, "err", err)
	if r.notice != nil {
		cause := "Claude Code refused it"
		if errors.Is(err, context.DeadlineExceeded) {
			cause = fmt.Sprintf("Claude Code did not answer within %s", switchTimeout)
		}
		// Not "a turn under way goes on …" when none is (a tester's): the runner does not
		// know, so both cases are said.
		r.notice("the running agent did not take the new tool permissions (" + cause + "): it is restarted under the new ones before its next turn; a turn under way, if any, goes on under the old ones")
	}
}

// waitSwitch waits until no switch of the running claude's mode is under way, or ctx ends.
func (r *runner) waitSwitch(ctx context.Context) {
	r.sw.mu.Lock()
	done := r.sw.done
	r.sw.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// applyMode gives the agent the mode set since it was made; the caller holds mu.
func (r *runner) applyMode() {
	if m := r.mode.Load(); m != nil {
		r.cfg.PermissionMode = *m
		r.agent.SetPermissionMode(*m)
	}
}

// start starts the agent unless it runs (restarting it when a mode it did not take waits),
// and tells onStarted of the first start that succeeds.
func (r *runner) start(ctx context.Context) error {
	err := r.startLocked(ctx)
	if err == nil && r.onStarted != nil && r.startedOnce.CompareAndSwap(false, true) {
		r.onStarted()
	}
	return err
}

// startLocked is start's work, under mu.
func (r *runner) startLocked(ctx context.Context) error {
	tried := r.starts.Load()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applyMode()
	if r.first != nil {
		r.first()
		r.first = nil
	}
	if r.agent.Alive() {
		if !r.restartForMode {
			return nil
		}
		return r.restartLocked(ctx) // resuming its session, in the mode a host set
	}
	if r.starts.Load() != tried && r.startErr != nil {
		return r.startErr // it failed while we waited for it
	}
	r.restartForMode = false
	r.startErr = r.agent.Start(ctx)
	if r.startErr != nil && r.agent.SessionID() != "" && sessionUnknown(r.startErr) {
		// A resumed party's claude that cannot resume its session ("No conversation found":
		// another HOME, ~/.claude cleared) failed every batch for good (a tester's): a new
		// session, as a restart does. Only then: an exit for another reason keeps the
		// conversation for the next try (a reviewer's).
		r.startErr = r.freshLocked(ctx, r.startErr)
	}
	r.starts.Add(1)
	if r.startErr == nil && r.exitedIdle.Swap(false) && r.notice != nil {
		r.notice("claude started")
	}
	return r.startErr
}

func (r *runner) RunTurn(ctx context.Context, prompt string, io party.TurnIO) (party.TurnResult, error) {
	if r.beforeTurn != nil {
		if err := r.beforeTurn(ctx); err != nil {
			return party.TurnResult{Interrupted: true}, nil // stopped, or the party ended, while it waited
		}
	}
	r.waitSwitch(ctx) // a turn never starts before claude took the mode a host just set
	if err := r.start(ctx); err != nil {
		// Its text says claude could not start.
		return party.TurnResult{}, &party.StartError{Err: err, Lasting: errors.Is(err, agent.ErrArgsRefused)}
	}
	r.mu.Lock()
	a := r.agent
	r.mu.Unlock()
	opts := agent.TurnOptions{Command: io.Command}
	first := true
	opts.Out = func(o agent.Output) {
		if first && r.onSession != nil {
			// The session is known once the turn streams: journal it now, so that a host
			// killed during its first turn still resumes it.
			first = false
			r.onSession(a.SessionID())
		}
		switch {
		case o.File != "" && io.FileOut != nil:
			io.FileOut(o.Stream, o.Text, o.File)
		case io.Out != nil:
			io.Out(o.Stream, o.Text)
		}
	}
	if io.Ask != nil {
		opts.Ask = func(ctx context.Context, req agent.ToolRequest) agent.ToolDecision {
			d := io.Ask(ctx, party.ToolRequest{Tool: req.Tool, Summary: req.Summary, Detail: req.Detail, InWorkDir: req.InWorkDir, FilePath: req.FilePath, ReadsSecret: req.ReadsSecret, Registered: req.Registered})
			return agent.ToolDecision{Allow: d.Allow, Message: d.Message}
		}
	}
	res, err := a.TurnWith(ctx, prompt, opts)
	if r.onSession != nil {
		r.onSession(a.SessionID())
	}
	if err != nil {
		return party.TurnResult{Interrupted: res.Interrupted}, err
	}
	return party.TurnResult{IsError: res.IsError, Error: res.Error, Interrupted: res.Interrupted}, nil
}

// alive reports whether the current agent's process is running (or starting).
func (r *runner) alive() bool {
	r.mu.Lock()
	a := r.agent
	r.mu.Unlock()
	return a.Alive()
}

// Restart restarts the agent resuming its session. When the session cannot be resumed
// (claude no longer knows it), it starts a fresh session rather than failing every batch.
func (r *runner) Restart(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.restartLocked(ctx)
}

// restartLocked is Restart for a caller that holds mu.
func (r *runner) restartLocked(ctx context.Context) error {
	r.applyMode()
	r.restartForMode = false // the new claude starts in the mode set last
	return r.freshLocked(ctx, r.agent.Restart(ctx))
}

// sessionUnknown says whether claude exited saying it has no conversation of the session
// it was asked to resume, as Claude Code 2.x does.
func sessionUnknown(err error) bool {
	var ee *agent.ExitError
	return errors.As(err, &ee) && slices.ContainsFunc(ee.Stderr, func(l string) bool { return strings.Contains(l, "No conversation found") })
}

// freshLocked follows a start or restart of claude resuming its session that ended in err:
// when claude exited (it no longer knows the session), a claude with a new session takes
// its place, and the party is told its earlier context is lost. Other errors, and none,
// are returned as they are. The caller holds mu.
func (r *runner) freshLocked(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || !errors.Is(err, agent.ErrExited) {
		return err
	}
	cfg := r.cfg
	cfg.Resume = ""
	fresh := agent.New(cfg)
	if ferr := fresh.Start(ctx); ferr != nil {
		_ = fresh.Close(ctx)
		// Keep the old agent, not closed: the next batch starts it again (claude may be
		// startable by then), resuming its session.
		return fmt.Errorf("resume failed (%w), and a new session failed too: %w", err, ferr)
	}
	_ = r.agent.Close(ctx)
	r.agent = fresh
	if r.notice != nil {
		r.notice("could not resume claude's session; started a new one (earlier context is lost)")
	}
	return nil
}

// close stops whichever agent is current, and waits for a switch of its mode under way
// (closing the agent ends it).
func (r *runner) close(ctx context.Context) error {
	r.mu.Lock()
	err := r.agent.Close(ctx)
	r.mu.Unlock()
	r.switches.Wait()
	return err
}
