package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

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
		return nil
	}
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

// close stops whichever agent is current.
func (r *runner) close(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.agent.Close(ctx)
}
