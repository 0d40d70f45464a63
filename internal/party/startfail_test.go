package party

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// scriptRunner's turns fail as errs says, one per call (nil: the turn runs and is done).
type scriptRunner struct {
	fakeRunner
	mu         sync.Mutex
	errs       []error
	calls      int
	restartErr error // what Restart returns
}

func (r *scriptRunner) Restart(context.Context) error { return r.restartErr }

func (r *scriptRunner) RunTurn(_ context.Context, _ string, io TurnIO) (TurnResult, error) {
	r.mu.Lock()
	i := r.calls
	r.calls++
	r.mu.Unlock()
	if i < len(r.errs) && r.errs[i] != nil {
		return TurnResult{}, r.errs[i]
	}
	io.Out(wire.StreamAssistant, "done")
	return TurnResult{}, nil
}

// A batch is unsent only when the agent could not start for its first run: a retry that
// cannot start comes after a run that had the batch (it crashed mid-turn), whose prompts
// were sent and must not be given back as if never seen.
func TestUnsentOnlyWhenTheFirstRunCouldNotStart(t *testing.T) {
	notStarted := &StartError{Err: errors.New("claude could not start: no answer")}
	crashed := errors.New("claude exited (exit status 3)")
	// Either way no agent runs after the turn: agent_down says so (a reviewer found the
	// second case read as idle); a crash whose retry ran leaves an agent.
	for _, tc := range []struct {
		name         string
		errs         []error
		restartErr   error
		unsent, down bool
		status       string
		text         string // the start of the turn's error
	}{
		{"the first run could not start", []error{notStarted}, nil, true, true, wire.TurnError, "claude could not start"},
		{"it crashed, and the retry could not start", []error{crashed, notStarted}, nil, false, true, wire.TurnError, "claude failed twice: "},
		{"it crashed, and the retry ran", []error{crashed}, nil, false, false, wire.TurnDone, ""},
		// Not "failed twice": the new one never ran (a tester's).
		{"it crashed, and could not be restarted", []error{crashed}, notStarted, false, true, wire.TurnError, "claude stopped and could not be started again: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, col, id := start(t, Config{Runner: &scriptRunner{errs: tc.errs, restartErr: tc.restartErr}})
			if _, err := p.Prompt(id, "go"); err != nil {
				t.Fatal(err)
			}
			evs := col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
			for _, ev := range evs {
				if ev.Kind == wire.KindTurn && (ev.Turn.Status != tc.status || ev.Turn.Unsent != tc.unsent || ev.Turn.AgentDown != tc.down || !strings.HasPrefix(ev.Turn.Error, tc.text)) {
					t.Fatalf("turn %+v, want %s with unsent %v, agent_down %v and an error starting %q", *ev.Turn, tc.status, tc.unsent, tc.down, tc.text)
				}
				// A turn the agent had and did not finish says its prompts must be sent
				// again (a tester's card read only "claude failed twice: …").
				if ev.Kind == wire.KindTurn && ev.Turn.Status == wire.TurnError && !tc.unsent && !strings.HasSuffix(ev.Turn.Error, unfinished) {
					t.Fatalf("turn error %q does not say the prompts must be sent again", ev.Turn.Error)
				}
			}
		})
	}
}
