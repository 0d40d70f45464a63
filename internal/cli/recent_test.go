package cli

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// oldReplayRecent is replayRecent as it was before recentReplay (2026-12-06): the whole
// history held, then skipped in one piece. The streaming replay must print what it did.
func oldReplayRecent(pr *printer, evs []wire.Event, whole string) {
	from, batch := recentFrom(evs, replayTurns)
	var first string
	if batch < len(evs) && evs[batch].Batch != nil {
		first = evs[batch].Batch.ID
	}
	// (Since 2026-12-07 the prompts, replies and notices are counted, not every event.)
	hidden, notShown := from, things(evs[:from])
	for _, ev := range evs[from:batch] {
		if ofEarlierTurn(ev, first) {
			hidden++
			if aThing(ev) {
				notShown++
			}
		}
	}
	if hidden > 0 {
		pr.skip(evs[:from])
		what := fmt.Sprintf("%d earlier prompts, replies and notices", notShown)
		switch notShown {
		case 0:
			what = "the output of an earlier turn"
		case 1:
			what = "1 earlier prompt, reply or notice"
		}
		pr.notice("system", fmt.Sprintf("the party's earlier history is not shown here (%s: the last %d turns are); %s", what, replayTurns, whole))
	}
	for _, ev := range evs[from:batch] {
		if ofEarlierTurn(ev, first) {
			pr.skip([]wire.Event{ev})
		} else {
			pr.event(ev)
		}
	}
	rest := evs[batch:]
	for len(rest) > 0 {
		next := 1
		for next < len(rest) && rest[next].Kind != wire.KindBatch {
			next++
		}
		replayTurn(pr, rest[:next], whole)
		rest = rest[next:]
	}
}

// busyHistory is n turns with what makes a replay's start hard to place: prompts sent
// while an earlier turn ran, one withdrawn, one that waits many turns for its batch,
// people coming and going, notices, a reply over replayOutputMax, lines left unfinished.
func busyHistory(n int) []wire.Event {
	var evs []wire.Event
	add := func(ev wire.Event) {
		ev.Seq = int64(len(evs) + 1)
		evs = append(evs, ev)
	}
	prompt := func(id, who string) {
		add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: who, Text: "ask " + id}})
	}
	one := 1
	for i := 1; i <= n; i++ {
		b := fmt.Sprintf("b%d", i)
		ids := []string{fmt.Sprintf("p%d", i)}
		if i%7 != 3 {
			prompt(ids[0], "ann")
		} // else: sent during the turn before (below)
		if i%7 == 2 {
			prompt(fmt.Sprintf("p%d", i+1), "bob") // carried by the next batch
		}
		if i == n-2 && i > 1 {
			ids = append(ids, "late") // the first turn shown's: waited since the start (below)
		}
		if i == 5 || i == n-5 {
			prompt(fmt.Sprintf("w%d", i), "bob")
			add(wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: fmt.Sprintf("w%d", i), User: "bob", By: "bob"}})
		}
		add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: b, Prompts: ids, Merged: "ask", Merger: "local"}})
		add(wire.Event{Kind: wire.KindPhase, Phase: wire.PhaseRunning})
		out := 3
		if i%11 == 0 || i == n-1 {
			out = 90 // over replayOutputMax
		}
		for d := 0; d < out; d++ {
			add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: fmt.Sprintf("reply %d.%d %s", i, d, strings.Repeat("y", 1000))})
			if d == 1 {
				add(wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: fmt.Sprintf("m%d", i), Name: fmt.Sprintf("guest%d", i)}, Count: &one})
			}
		}
		add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "\n"})
		if i%5 == 0 {
			add(wire.Event{Kind: wire.KindSystem, Text: "a notice"})
		}
		add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: b, Status: wire.TurnDone, DurationMS: 1000}})
		add(wire.Event{Kind: wire.KindPhase, Phase: wire.PhaseIdle})
		if i == 1 {
			prompt("late", "cy") // carried by the third batch from the end
		}
	}
	return evs
}

// The history taken an event at a time (a join's pages, a resumed host's journal) prints
// what the whole of it printed, for histories of every length around the turns shown.
func TestRecentReplayPrintsWhatTheWholeHistoryDid(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 8, 30, 200} {
		for _, evs := range [][]wire.Event{history(n), busyHistory(n)} {
			var want, got bytes.Buffer
			pw, pg := newPrinter(&want), newPrinter(&got)
			pw.historyStart(len(evs))
			oldReplayRecent(pw, evs, "export it")
			pw.live()
			pw.finish()
			pg.historyStart(len(evs))
			r := newRecentReplay(pg)
			for _, ev := range evs {
				r.add(ev)
			}
			r.print("export it")
			pg.live()
			pg.finish()
			if got.String() != want.String() {
				t.Fatalf("%d turns (%d events): the replay taken event by event printed\n%s\nwant\n%s", n, len(evs), got.String(), want.String())
			}
		}
	}
}

// A joining terminal holds what its last turns need of the history, not all of it (a join
// of a 64 MB party peaked at 191 MB): 40 MB of history taken in, a few MB held.
func TestJoinHistoryHoldsOnlyTheLastTurns(t *testing.T) {
	var out bytes.Buffer
	pr := newPrinter(&out)
	var h joinHistory
	h.start(pr)
	text := strings.Repeat("z", 1000) + "\n"
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	seq := int64(0)
	add := func(ev wire.Event) {
		seq++
		ev.Seq = seq
		h.take(ev)
	}
	for i := 1; i <= 200; i++ { // 200 turns of 200 KB
		id, b := fmt.Sprintf("p%d", i), fmt.Sprintf("b%d", i)
		add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "ann", Text: "ask " + id}})
		add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: b, Prompts: []string{id}, Merged: "ask", Merger: "local"}})
		for d := 0; d < 200; d++ {
			add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: strings.Clone(text)})
		}
		add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: b, Status: wire.TurnDone}})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if held > 8<<20 {
		t.Fatalf("%d MiB of history taken in, %d MiB held", 200*200*len(text)>>20, held>>20)
	}
	h.print("")
	if !strings.Contains(out.String(), "the last 3 turns are") || !strings.Contains(out.String(), "ask p200") {
		t.Fatalf("the last turns were not printed:\n%.2000s", out.String())
	}
}

// What another goroutine prints while history is skipped reaches the screen: the skip put
// the discard under the shared writer for as long as it ran, and a notice printed then (a
// lost connection, a command's reply) went with the history — once a long catch-up was
// skipped in parts as it came, throughout it (a reviewer's).
func TestSkipKeepsWhatOthersPrint(t *testing.T) {
	var out testkit.Buffer
	p := newPrinter(&out)
	var evs []wire.Event
	for i := range 20_000 {
		evs = append(evs, wire.Event{Seq: int64(i + 1), Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: fmt.Sprintf("piece %d of a long reply ", i)})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var s skipRun
		p.skipSome(&s, evs)
		p.skipEnd(&s)
	}()
	said := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			said++
			p.notice("system", fmt.Sprintf("notice number %d", said))
			time.Sleep(time.Millisecond)
		}
	}
	got := out.String()
	if n := strings.Count(got, "notice number "); n != said || said < 2 {
		t.Fatalf("%d of %d notices printed while the history was skipped:\n%.500s", n, said, got)
	}
	if strings.Contains(got, "piece") {
		t.Fatalf("the skipped history was printed:\n%.500s", got)
	}
}
