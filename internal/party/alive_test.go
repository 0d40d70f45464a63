package party

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// A host killed while a tool request of the running turn waits for a decision (§7): the
// resume times the cut turn ("after at least …") to within a few seconds of the kill, not
// to the request, the journal's last event (a 10-minute wait was reported as nothing).
func TestResumeTimesACutTurnPastAWaitingRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		w := newJournal(t, dir, "pa")
		p, col, alice := start(t, Config{Journal: w, ID: "pa", Runner: &askRunner{}, PermissionTimeout: time.Hour})
		if _, err := p.Prompt(alice, "touch x please"); err != nil {
			t.Fatal(err)
		}
		firstPending(t, col, "the tool request")
		const waited = 10 * time.Minute
		time.Sleep(waited)
		synctest.Wait()

		// The host is killed here: what is on disk is all there is.
		crashed := filepath.Join(t.TempDir(), "pa.jsonl")
		b, err := os.ReadFile(w.Path())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed, b, 0o600); err != nil {
			t.Fatal(err)
		}
		rc := NewRecovery(0)
		w2, sum, err := journal.Open(crashed, rc.Event)
		if err != nil {
			t.Fatal(err)
		}
		defer w2.Close()
		rc.Alive(sum.Alive)
		r := rc.Restore(sum.Members)
		if r.Unfinished == nil {
			t.Fatal("no turn was cut")
		}
		// The batch came a moment before the request: the turn ran the wait, and the
		// journal says so to within a tenth (aliveGap), in a few dozen lines, not 120.
		if r.UnfinishedRan < waited-aliveGap(waited) || r.UnfinishedRan > waited {
			t.Fatalf("the cut turn ran at least %v by the journal, want within %v of %v", r.UnfinishedRan, aliveGap(waited), waited)
		}
		if n := strings.Count(string(b), `{"type":"alive"`); n < 1 || n > 40 {
			t.Fatalf("%d alive records for a wait of %v", n, waited)
		}

		// A resume without it ends it as having run that long.
		r.Without = true
		p2, _, _ := start(t, Config{Journal: w2, ID: "pa", Restore: r, Runner: &fakeRunner{}})
		st, err := p2.State(r.Seq)
		if err != nil {
			t.Fatal(err)
		}
		var turn *wire.Turn
		for _, ev := range st.Events {
			if ev.Kind == wire.KindTurn {
				turn = ev.Turn
			}
		}
		if turn == nil || turn.Error != NotRunAgain || time.Duration(turn.DurationMS)*time.Millisecond != r.UnfinishedRan.Truncate(time.Millisecond) {
			t.Fatalf("the cut turn ended as %+v, want one not run again after %v", turn, r.UnfinishedRan)
		}
	})
}

// tickRunner writes a line every second for a minute, as a turn that streams does.
type tickRunner struct{ fakeRunner }

func (r *tickRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	for i := range 60 {
		io.Out(wire.StreamAssistant, fmt.Sprintf("line %d\n", i))
		time.Sleep(time.Second)
	}
	return TurnResult{}, nil
}

// A turn whose events keep coming writes no alive record: its events say the time.
func TestAStreamingTurnWritesNoAliveRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newJournal(t, t.TempDir(), "ps")
		p, col, alice := start(t, Config{Journal: w, ID: "ps", Runner: &tickRunner{}})
		if _, err := p.Prompt(alice, "stream"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if count(col.all(), wire.KindTurn) != 1 {
			t.Fatalf("the turn did not end: %s", dump(col.all()))
		}
		b, err := os.ReadFile(w.Path())
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), `{"type":"alive"`); n != 0 {
			t.Fatalf("%d alive records in a turn that streamed", n)
		}
	})
}
