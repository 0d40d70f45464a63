package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// onSession is told the agent's session id after each turn (for the journal).
	onSession func(string)
	log       *slog.Logger
	mu        sync.Mutex // guards agent, which Restart may replace, first and cfg
	agent     *agent.Agent
	// mode is Claude Code's permission mode set since the start (SetPermissionMode), for
	// the next start; nil: cfg's.
	mode atomic.Pointer[string]
	// switching makes the running claude's switches (SwitchPermissionMode) one at a time,
	// each to the latest mode; switches counts those in the background, for close.
	switching sync.Mutex
	switches  sync.WaitGroup
	// restartForMode (guarded by mu) is set when the running claude did not take a new
	// mode: the next turn restarts it in that mode first.
	restartForMode bool
	// first runs once, before the agent's first start (under mu): a resume stops what the
	// previous run left running.
	first func()
	// beforeTurn, when set, is waited for before each turn (the workspace's first
	// snapshot); an error is the turn's context ending meanwhile.
	beforeTurn func(context.Context) error
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

// SwitchPermissionMode is SetPermissionMode for a host's change of the party's mode while
// the party runs (party.Party.SetPermissionMode): the running claude is switched too, in
// the background, from its next tool request on. ask and all are both Claude Code's
// default mode (the party allows everything itself in all), so only edits and plan, and
// leaving them, switch claude. A claude that does not take the mode is restarted in it
// before the next turn, and the party is told.
func (r *runner) SwitchPermissionMode(mode string) {
	m, err := agent.ClaudeMode(mode)
	if err != nil {
		r.log.Warn("permission mode", "err", err)
		return
	}
	r.mu.Lock()
	prev := r.cfg.PermissionMode
	r.mu.Unlock()
	if p := r.mode.Swap(&m); p != nil {
		prev = *p
	}
	if prev == m {
		return
	}
	r.switches.Add(1)
	go func() {
		defer r.switches.Done()
		r.switching.Lock()
		defer r.switching.Unlock()
		want := *r.mode.Load() // the latest: a later switch may have come meanwhile
		r.mu.Lock()
		a := r.agent
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), switchTimeout)
		defer cancel()
		err := a.SwitchMode(ctx, want)
		if err == nil {
			return
		}
		r.log.Warn("switch claude's permission mode", "mode", want, "err", err)
		if errors.Is(err, agent.ErrClosed) {
			return // the party is ending
		}
		r.mu.Lock()
		r.restartForMode = true
		r.mu.Unlock()
		if r.notice != nil {
			r.notice(fmt.Sprintf("the running agent did not switch to the new tool permissions (%v); it is restarted in them before its next turn", err))
		}
	}()
}

// applyMode gives the agent the mode set since it was made; the caller holds mu.
func (r *runner) applyMode() {
	if m := r.mode.Load(); m != nil {
		r.cfg.PermissionMode = *m
		r.agent.SetPermissionMode(*m)
	}
}

func (r *runner) start(ctx context.Context) error {
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
		r.restartForMode = false
		return r.agent.Restart(ctx) // resuming its session, in the mode a host set
	}
	r.restartForMode = false
	return r.agent.Start(ctx)
}

func (r *runner) RunTurn(ctx context.Context, prompt string, io party.TurnIO) (party.TurnResult, error) {
	if r.beforeTurn != nil {
		if err := r.beforeTurn(ctx); err != nil {
			return party.TurnResult{Interrupted: true}, nil // stopped, or the party ended, while it waited
		}
	}
	if err := r.start(ctx); err != nil {
		return party.TurnResult{}, fmt.Errorf("start claude: %w", err)
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
		if io.Out != nil {
			io.Out(o.Stream, o.Text)
		}
	}
	if io.Ask != nil {
		opts.Ask = func(ctx context.Context, req agent.ToolRequest) agent.ToolDecision {
			d := io.Ask(ctx, party.ToolRequest{Tool: req.Tool, Summary: req.Summary})
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

// Restart restarts the agent resuming its session. When the session cannot be resumed
// (claude no longer knows it), it starts a fresh session rather than failing every batch.
func (r *runner) Restart(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applyMode()
	err := r.agent.Restart(ctx)
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
