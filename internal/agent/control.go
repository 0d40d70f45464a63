package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Control requests: the ones we send claude (initialize, interrupt, set_permission_mode)
// and its answers.

// initialize sends the initialize control request and waits for its response.
func (a *Agent) initialize(ctx context.Context, p *process) error {
	ch := make(chan controlResponse, 1)
	asked := time.Now()
	if err := a.sendControl(ctx, p, initializeRequest(), ch); err != nil {
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
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &NoAnswerError{Path: p.cmd.Path, After: time.Since(asked)}
		}
		return fmt.Errorf("initialize: %w", ctx.Err())
	case <-a.closing:
		return ErrClosed
	}
}

// SwitchMode sets Claude Code's permission mode (ClaudeMode's values) from now on: a
// running claude is asked to switch (a set_permission_mode control request) and SwitchMode
// waits for its answer; a start or restart later starts in it too. With no claude running
// it only does the latter. An error says the running claude did not switch (it refused,
// did not answer before ctx ended, or died): it keeps its mode until it is restarted.
func (a *Agent) SwitchMode(ctx context.Context, mode string) error {
	a.mu.Lock()
	a.mode = mode
	p := a.proc
	a.mu.Unlock()
	if p == nil || p.gone() {
		return nil
	}
	ch := make(chan controlResponse, 1)
	if err := a.sendControl(ctx, p, map[string]any{"subtype": "set_permission_mode", "mode": mode}, ch); err != nil {
		return fmt.Errorf("switch claude to %s mode: %w", mode, err)
	}
	select {
	case r := <-ch:
		if r.Subtype != "success" {
			return fmt.Errorf("switch claude to %s mode: claude answered %q: %s", mode, r.Subtype, r.Error)
		}
		return nil
	case <-p.done:
		return fmt.Errorf("switch claude to %s mode: %w", mode, a.exitError(p))
	case <-ctx.Done():
		a.mu.Lock()
		for id, c := range p.pending {
			if c == ch {
				delete(p.pending, id)
			}
		}
		a.mu.Unlock()
		return fmt.Errorf("switch claude to %s mode: no answer: %w", mode, ctx.Err())
	case <-a.closing:
		return fmt.Errorf("switch claude to %s mode: %w", mode, ErrClosed)
	}
}

// sendControl writes a control request (req holds its subtype and fields); when reply is
// not nil its response is sent there.
func (a *Agent) sendControl(ctx context.Context, p *process, req map[string]any, reply chan controlResponse) error {
	a.mu.Lock()
	a.nextReq++
	id := "concordia-" + strconv.Itoa(a.nextReq)
	if reply != nil {
		p.pending[id] = reply
	}
	a.mu.Unlock()
	line, err := json.Marshal(controlRequestLine{Type: "control_request", RequestID: id, Request: req})
	if err == nil {
		err = p.writeLine(ctx, line)
	}
	if err != nil {
		a.mu.Lock()
		delete(p.pending, id)
		a.mu.Unlock()
		return fmt.Errorf("send %v: %w", req["subtype"], err)
	}
	return nil
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
// running turn's Ask (see answerToolRequest), the party's hook is answered at once
// (hookAnswer); anything else is refused.
func (a *Agent) answerControl(p *process, ln *outLine) {
	var req canUseTool
	_ = json.Unmarshal(ln.Request, &req)
	switch req.Subtype {
	case "can_use_tool":
		a.answerToolRequest(p, ln.RequestID, req)
		return
	case "hook_callback":
		a.writeControlResponse(p, ln.RequestID, map[string]any{"subtype": "success", "request_id": ln.RequestID, "response": a.hookAnswer(ln.Request)})
		return
	}
	a.writeControlResponse(p, ln.RequestID, map[string]any{
		"subtype": "error", "request_id": ln.RequestID, "error": "unsupported control request: " + req.Subtype,
	})
}
