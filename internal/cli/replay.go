package cli

import (
	"fmt"

	"github.com/concordia-party/concordia/internal/wire"
)

// replayTurns is how many of its last batches a resumed host's terminal prints again.
const replayTurns = 3

// replayRecent prints a party's history from its replayTurns-th last batch on: a resumed
// party's in the host's own terminal, and what a joining terminal catches up on. The
// events before it are taken in unprinted, and a line says how to read them all (whole:
// how, e.g. "`concordia export abc` writes the whole party"). A tester's resume printed
// 173,000 lines, on every resume; another's join printed 7 MB of history.
func replayRecent(pr *printer, evs []wire.Event, whole string) {
	from := recentFrom(evs, replayTurns)
	if from > 0 {
		pr.skip(evs[:from])
		pr.notice("system", fmt.Sprintf("%d earlier events are not shown here (the last %d turns are); %s", from, replayTurns, whole))
	}
	for _, ev := range evs[from:] {
		pr.event(ev)
	}
}

// recentFrom is the index in evs of the prompts of its turns-th last batch: the first
// prompt any of the last turns carried, or that batch itself; 0 when evs hold fewer
// batches.
func recentFrom(evs []wire.Event, turns int) int {
	seen := 0
	for i := len(evs) - 1; i >= 0; i-- {
		b := evs[i].Batch
		if evs[i].Kind != wire.KindBatch || b == nil {
			continue
		}
		if seen++; seen < turns {
			continue
		}
		// The batch's own prompts come before it: they are shown with it.
		from := i
		carried := map[string]bool{}
		for _, id := range b.Prompts {
			carried[id] = true
		}
		for j := i - 1; j >= 0; j-- {
			if p := evs[j].Prompt; evs[j].Kind == wire.KindPrompt && p != nil && carried[p.ID] {
				from = j
			}
		}
		return from
	}
	return 0
}

// exportCommand is the command that writes party id's whole transcript.
func exportCommand(id, dataDir string) string {
	c := "concordia export " + id
	if dataDir != "" && dataDir != defaultDataDir() {
		c += " --data-dir " + shellQuote(dataDir)
	}
	return c
}
