package party

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// stubbornRunner writes a line and ends its turn only when released, whatever it is told.
type stubbornRunner struct {
	fakeRunner
	release chan struct{}
}

func (r *stubbornRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	io.Out(wire.StreamAssistant, "working on it")
	<-r.release
	return TurnResult{Interrupted: ctx.Err() != nil}, nil
}

// A turn the party's end cuts short ends the same whether it stopped within the end's wait
// or the wait ran out ("the party ended"), and `concordia parties` counts neither among
// the turns the agent ran (journal.Summary.Turns), as it does not count one a host's stop
// cut: the first was journalled as stopped by a host, as if by /stop, and counted.
func TestATurnTheEndCutsIsNotCounted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		runner   func() (Runner, func())
		endsWait time.Duration
	}{
		{"it stops within the end's wait", func() (Runner, func()) { return &stopRunner{}, func() {} }, 10 * time.Second},
		{"the end's wait runs out", func() (Runner, func()) {
			r := &stubbornRunner{release: make(chan struct{})}
			return r, func() { close(r.release) }
		}, 50 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newJournal(t, dir, "pe")
			runner, release := tc.runner()
			p := New(Config{Token: token, Window: 20 * time.Millisecond, Journal: w, ID: "pe", Runner: runner})
			ctx, cancel := context.WithCancel(context.Background())
			go p.Run(ctx)
			defer func() { cancel(); <-p.Done() }()
			col := newCollector()
			res, err := p.Join(JoinRequest{Name: "alice", Token: token, Sub: col, Conn: col})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Prompt(res.You.ID, "go"); err != nil {
				t.Fatal(err)
			}
			col.waitFor(t, "the first output", func(e []wire.Event) bool { return count(e, wire.KindOutput) > 0 })
			ectx, ecancel := context.WithTimeout(context.Background(), tc.endsWait)
			defer ecancel()
			err = p.End(ectx, "the host ended the party")
			if (err != nil) != (tc.endsWait < time.Second) || err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("End: %v", err)
			}
			cancel() // the host stops the party after its end
			release()
			<-p.Done()

			var turn *wire.Turn
			s, err := journal.Read(w.Path(), func(ev wire.Event, _ json.RawMessage) {
				if ev.Kind == wire.KindTurn {
					turn = ev.Turn
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if turn == nil || turn.Status != wire.TurnInterrupted || turn.Error != wire.TurnPartyEnded {
				t.Fatalf("the turn ended as %+v, want interrupted: %q", turn, wire.TurnPartyEnded)
			}
			if s.Turns != 0 {
				t.Fatalf("parties counts %d turns, want none: the party's end cut the only one", s.Turns)
			}
		})
	}
}
