package cli

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// replayTurns is how many of its last batches a resumed host's terminal prints again.
const replayTurns = 3

// replayRecent prints a party's history from its replayTurns-th last batch on: a resumed
// party's in the host's own terminal, and what a joining terminal catches up on. The
// events before it are taken in unprinted, and a line says how to read them all (whole:
// how, e.g. "`concordia export abc` writes the whole party"). A tester's resume printed
// 173,000 lines, on every resume; another's join printed 7 MB of history.
//
// Each turn's output is printed from its last replayOutputMax bytes (replayTurn): a
// tester's 4 MB reply among them filled the scrollback. The turns' other events are all
// printed.
//
// The first turn shown starts with its prompts, which may have been sent while an earlier
// turn ran: that turn's events among them (its output, its end) are not printed, since
// under someone's prompt and with no batch before them they read as the reply to it (a
// tester's late joiner saw the tail of the host's stream as the answer to zed's prompt).
func replayRecent(pr *printer, evs []wire.Event, whole string) {
	replayHeld(pr, &skipRun{}, 0, 0, evs, whole)
}

// aThing says whether ev is one of what the replay's "N earlier prompts, replies and
// notices" counts: a prompt, a turn's end (its reply), a notice (system, error, someone
// joining, leaving or changing role). Not each piece of a streamed reply: a user tester
// read "6640 earlier prompts, replies and notices" of a party of 150 turns.
func aThing(ev wire.Event) bool {
	switch ev.Kind {
	case wire.KindPrompt, wire.KindTurn, wire.KindSystem, wire.KindError, wire.KindParticipants:
		return true
	}
	return false
}

// things counts the events of evs that aThing counts.
func things(evs []wire.Event) int {
	n := 0
	for _, ev := range evs {
		if aThing(ev) {
			n++
		}
	}
	return n
}

// replayHeld is replayRecent of a history whose first skipped events (skipped of them, of
// which skippedThings aThing counts) were taken in already, unprinted, by the skip sk
// (recentReplay): evs are the rest, from the first event the last turns may start at.
func replayHeld(pr *printer, sk *skipRun, skipped, skippedThings int, evs []wire.Event, whole string) {
	from, batch := recentFrom(evs, replayTurns)
	var first string // the first turn shown's batch
	if batch < len(evs) && evs[batch].Batch != nil {
		first = evs[batch].Batch.ID
	}
	hidden := skipped + from
	notShown := skippedThings + things(evs[:from])
	for _, ev := range evs[from:batch] {
		if ofEarlierTurn(ev, first) {
			hidden++
			if aThing(ev) {
				notShown++
			}
		}
	}
	if hidden > 0 {
		pr.skipSome(sk, evs[:from])
		pr.skipEnd(sk)
		what := fmt.Sprintf("%d earlier prompts, replies and notices", notShown) // not "events" (a tester's)
		switch notShown {
		case 0:
			what = "the output of an earlier turn" // (the pieces of a turn whose end is not in the history)
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
	// Each turn's output is cut on its own: a long reply must not leave a short turn
	// before it with no output at all (a tester's).
	rest := evs[batch:]
	for len(rest) > 0 {
		next := 1 + slices.IndexFunc(rest[1:], func(ev wire.Event) bool { return ev.Kind == wire.KindBatch })
		if next == 0 {
			next = len(rest)
		}
		replayTurn(pr, rest[:next], whole)
		rest = rest[next:]
	}
}

// recentReplay is replayRecent of a history taken an event at a time (a joiner's pages,
// a resumed host's journal), printing the same: what cannot be among the last turns goes
// to the discard as it comes (skipSome), and only the events from the first the last turns
// may start at are held. A tester's resumed host held 188 MB of history, read whole, to
// print its last three turns (515 MB at its peak).
//
// The last turns start at the earliest prompt their first batch carried (recentFrom): held
// are the events from the earliest of the prompts the last replayTurns batches carried
// and of the prompts no batch has carried yet, nor were withdrawn or rejected (a later
// batch may carry them; a prompt is carried by one batch at most, and not once it left
// the queue).
type recentReplay struct {
	pr      *printer
	sk      skipRun
	skipped int // the events taken in unprinted so far (held[0]'s index)
	// skippedThings: of those, the prompts, replies and notices (aThing), which the
	// replay's notice counts.
	skippedThings int
	held          []wire.Event // the rest
	// batches: where the last replayTurns batches are and where their turns would start
	// (their earliest carried prompt's index, or their own).
	batches []recentBatch
	waiting map[string]int // prompts no batch carried yet: id → index of their first event
	since   int            // events added since held was last cut
}

type recentBatch struct{ at, from int }

// recentCut is how many events are added between two looks at what may go.
const recentCut = 512

func newRecentReplay(pr *printer) *recentReplay {
	return &recentReplay{pr: pr, waiting: map[string]int{}}
}

// add takes the history's next event.
func (r *recentReplay) add(ev wire.Event) {
	at := r.skipped + len(r.held)
	r.held = append(r.held, ev)
	switch {
	case ev.Kind == wire.KindPrompt && ev.Prompt != nil:
		if _, ok := r.waiting[ev.Prompt.ID]; !ok {
			r.waiting[ev.Prompt.ID] = at
		}
	case ev.Kind == wire.KindBatch && ev.Batch != nil:
		b := recentBatch{at: at, from: at}
		for _, id := range ev.Batch.Prompts {
			if i, ok := r.waiting[id]; ok {
				b.from = min(b.from, i)
				delete(r.waiting, id)
			}
		}
		r.batches = append(r.batches, b)
		if len(r.batches) > replayTurns {
			r.batches = slices.Delete(r.batches, 0, 1)
		}
	case ev.Kind == wire.KindWithdrawn && ev.Withdrawn != nil:
		delete(r.waiting, ev.Withdrawn.Prompt)
	case ev.Kind == wire.KindRejected && ev.Rejected != nil:
		for _, id := range ev.Rejected.Prompts {
			delete(r.waiting, id)
		}
	}
	if r.since++; r.since >= recentCut {
		r.cut()
	}
}

// cut takes in, unprinted, the held events before the first the last turns may start at.
func (r *recentReplay) cut() {
	r.since = 0
	if len(r.batches) < replayTurns {
		return // fewer turns than are shown: all of it may be
	}
	keep := r.batches[0].from
	for _, b := range r.batches[1:] {
		keep = min(keep, b.from)
	}
	for _, i := range r.waiting {
		keep = min(keep, i)
	}
	n := keep - r.skipped
	if n <= 0 {
		return
	}
	r.pr.skipSome(&r.sk, r.held[:n])
	r.skippedThings += things(r.held[:n])
	// Copied down, and the rest cleared: a slice of the old array would keep it whole.
	m := copy(r.held, r.held[n:])
	clear(r.held[m:])
	r.held = r.held[:m]
	if cap(r.held) > 2*recentCut && len(r.held) < cap(r.held)/4 {
		r.held = slices.Clip(slices.Clone(r.held))
	}
	r.skipped += n
}

// print prints the history's last turns as replayRecent does, and lets it go.
func (r *recentReplay) print(whole string) {
	replayHeld(r.pr, &r.sk, r.skipped, r.skippedThings, r.held, whole)
	r.held, r.batches, r.waiting, r.skipped, r.skippedThings = nil, nil, map[string]int{}, 0, 0
}

// releaseHistory gives the memory of a history just printed and let go back to the
// system. A long party's history is read whole to print its last turns, and Go keeps
// what it freed for later: a tester's host resumed with 64 MB of history stayed at
// 216 MB, and a join at 190 MB, for the rest of the party.
func releaseHistory() { debug.FreeOSMemory() }

// replayTurn prints one turn's events (from its batch to the next), its output from its
// last replayOutputMax bytes: the output before that is taken in unprinted, and a line
// where the output shown starts says how much was left out.
func replayTurn(pr *printer, evs []wire.Event, whole string) {
	at, part, shown, over := outputCut(evs, replayOutputMax)
	k := &lineKeeper{pr: pr}
	defer k.flush()
	wrote := false // output since the turn's start or its last rerun
	for i, ev := range evs {
		switch {
		case over > 0 && i < at && ev.Kind == wire.KindRetry:
			// The partial reply it makes void was cut: the printer's "the partial reply
			// above is void" would point at output that is not there (a tester's).
			k.flush()
			pr.skip([]wire.Event{ev})
			if wrote {
				why := "claude answered that batch again"
				if ev.Resumed {
					why = "the host stopped before it finished"
				}
				pr.notice("system", "a partial reply of this turn, not shown here, is void: "+why)
			}
		case over == 0 || ev.Kind != wire.KindOutput || i > at:
			k.event(ev)
		case i < at:
			pr.skip([]wire.Event{ev})
		default: // the first output shown: its end, under the line that says what is not
			k.flush()
			pr.notice("system", fmt.Sprintf("… %s of the agent's output in this turn is not shown above; its last %s follows; %s", size(int64(over)), size(int64(shown)), whole))
			ev.Text = part
			k.event(ev)
		}
		switch ev.Kind {
		case wire.KindOutput:
			wrote = true
		case wire.KindRetry:
			wrote = false
		}
	}
}

// lineKeeper prints a replay's events so that a line of the reply is not cut in two by
// a person's event that came while it streamed — a prompt, a join or a departure, a
// withdrawal: those wait for the line's end. Live, the line editor prints them above the
// unfinished line; a replay printed them in the middle of it (a tester's code line was
// split by "[you] alice: queued for later").
type lineKeeper struct {
	pr   *printer
	mid  bool         // the reply printed so far ends mid-line
	held []wire.Event // people's events waiting for the line's end
}

// waitsForLineEnd are the kinds of event a line of the reply is not cut for: what the
// party says of people and of itself, and the change list (its scan runs a moment after a
// tool, while the next reply may stream: a reviewer's). A tool line, a request, a turn's
// start and end keep their places.
var waitsForLineEnd = map[string]bool{wire.KindPrompt: true, wire.KindParticipants: true, wire.KindWithdrawn: true,
	wire.KindChanges: true, wire.KindSettings: true, wire.KindSystem: true}

func (k *lineKeeper) event(ev wire.Event) {
	switch {
	case k.mid && waitsForLineEnd[ev.Kind]:
		k.held = append(k.held, ev)
	case ev.Kind == wire.KindPhase:
		k.pr.event(ev) // prints nothing: what waits goes on waiting
	case ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant:
		if ev.Text == "" {
			k.pr.event(ev)
			return
		}
		if i := strings.LastIndexByte(ev.Text, '\n'); i >= 0 && len(k.held) > 0 {
			// The line ends in this piece: what waited follows it.
			rest := ev
			ev.Text, rest.Text = ev.Text[:i+1], ev.Text[i+1:]
			k.pr.event(ev)
			k.mid = false
			k.flush()
			if rest.Text != "" {
				k.pr.event(rest)
				k.mid = true
			}
			return
		}
		k.pr.event(ev)
		k.mid = !strings.HasSuffix(ev.Text, "\n")
	default:
		k.flush() // in order before anything else, which starts a line of its own
		k.pr.event(ev)
		k.mid = false
	}
}

// flush prints what waited for the line's end.
func (k *lineKeeper) flush() {
	held := k.held
	k.held = nil
	for _, ev := range held {
		k.pr.event(ev)
	}
	if len(held) > 0 {
		k.mid = false
	}
}

// replayOutputMax is how much of a turn's output a replay prints: about 1,000 lines of a
// terminal, its last part.
const replayOutputMax = 64 << 10

// outputCut cuts evs' output to its last max bytes: the index of the output event it
// starts in, the text shown of that one (its end, from a line's or a character's start),
// how many bytes are shown in all, and how many are not (0 when everything fits). A
// reviewer's cut between whole events showed 1 KiB of a reply of 64 KiB pieces, or none
// when the last piece alone was over max.
func outputCut(evs []wire.Event, max int) (at int, part string, shown, over int) {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind != wire.KindOutput {
			continue
		}
		t := evs[i].Text
		if shown+len(t) <= max {
			shown += len(t)
			continue
		}
		part = textEnd(t, max-shown)
		shown += len(part)
		over = len(t) - len(part)
		for _, ev := range evs[:i] {
			if ev.Kind == wire.KindOutput {
				over += len(ev.Text)
			}
		}
		return i, part, shown, over
	}
	return 0, "", shown, 0
}

// textEnd is at most the last n bytes of t, starting at a line's start when there is one
// among them, else at a character's.
func textEnd(t string, n int) string {
	if n <= 0 {
		return ""
	}
	end := t[len(t)-n:]
	if i := strings.IndexByte(end, '\n'); i >= 0 && i < len(end)-1 {
		return end[i+1:]
	}
	for len(end) > 0 && !utf8.RuneStart(end[0]) {
		end = end[1:]
	}
	return end
}

// ofEarlierTurn reports whether ev, between the first turn shown's first prompt and its
// batch (first), belongs to an earlier batch, which is not shown: its output, tool
// requests and end, the change list after it, and its own batch and approval (a
// reviewer's replay said "sending the prompt to claude" twice, the first of an earlier
// batch merged while the prompt came).
func ofEarlierTurn(ev wire.Event, first string) bool {
	switch ev.Kind {
	case wire.KindOutput, wire.KindTurn, wire.KindPermission, wire.KindRetry, wire.KindChanges, wire.KindBatch, wire.KindRejected:
		return true
	case wire.KindApproval:
		return ev.Approval == nil || ev.Approval.Batch != first
	}
	return false
}

// recentFrom is where the replay of evs' last turns starts: from, the index of the first
// prompt its turns-th last batch carried (or that batch's, when none came before it), and
// batch, that batch's index. Both are 0 when evs hold fewer batches.
func recentFrom(evs []wire.Event, turns int) (from, batch int) {
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
		return from, i
	}
	return 0, 0
}

// exportCommand is the command that writes party id's whole transcript.
func exportCommand(id, dataDir string) string {
	c := "concordia export " + id
	if dataDir != "" && dataDir != defaultDataDir() {
		c += " --data-dir " + shellQuote(dataDir)
	}
	return c
}
