package cli

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// history is n turns: a prompt by ann, its batch, a reply, the turn's end.
func history(n int) []wire.Event {
	var evs []wire.Event
	seq := int64(0)
	add := func(ev wire.Event) {
		seq++
		ev.Seq = seq
		evs = append(evs, ev)
	}
	for i := 1; i <= n; i++ {
		id, b := fmt.Sprintf("p%d", i), fmt.Sprintf("b%d", i)
		add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "ann", Text: fmt.Sprintf("ask %d", i)}})
		add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: b, Prompts: []string{id}, Merged: fmt.Sprintf("ask %d", i), Merger: "local"}})
		add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: fmt.Sprintf("reply %d\n", i)})
		add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: b, Status: wire.TurnDone, DurationMS: 1000}})
	}
	return evs
}

// oneTurnWith is history(1) with reply in place of its output, numbered anew.
func oneTurnWith(reply ...wire.Event) []wire.Event {
	var evs []wire.Event
	for _, ev := range history(1) {
		if ev.Kind == wire.KindOutput {
			evs = append(evs, reply...)
			continue
		}
		evs = append(evs, ev)
	}
	for i := range evs {
		evs[i].Seq = int64(i + 1)
	}
	return evs
}

func TestRecentFrom(t *testing.T) {
	evs := history(5)
	if from, batch := recentFrom(evs, 3); from != 8 || batch != 9 { // p3, the third batch from the end's prompt, and that batch
		t.Errorf("recentFrom(5 turns, 3) = %d, %d, want 8, 9", from, batch)
	}
	if from, batch := recentFrom(history(3), 3); from != 0 || batch != 1 {
		t.Errorf("recentFrom(3 turns, 3) = %d, %d, want 0, 1", from, batch)
	}
	if from, batch := recentFrom(history(2), 3); from != 0 || batch != 0 {
		t.Errorf("recentFrom(2 turns, 3) = %d, %d, want 0, 0", from, batch)
	}
	if from, batch := recentFrom(nil, 3); from != 0 || batch != 0 {
		t.Errorf("recentFrom(none) = %d, %d", from, batch)
	}
}

// TestReplayStartsWithAPromptSentMidTurn: the first turn shown carries a prompt sent while
// the turn before it streamed. A tester's late joiner saw that earlier turn's tail and its
// end right under zed's prompt, with no batch before them: it read as the reply to zed.
func TestReplayStartsWithAPromptSentMidTurn(t *testing.T) {
	var evs []wire.Event
	add := func(ev wire.Event) {
		ev.Seq = int64(len(evs) + 1)
		evs = append(evs, ev)
	}
	twoMoreTurns := func() { // the last two of the three turns shown
		for i, text := range []string{"third", "fourth"} {
			id, b := fmt.Sprintf("p%d", i+2), fmt.Sprintf("b%d", i+2)
			add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "h2", Text: text}})
			add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: b, Prompts: []string{id}, Merged: text, Merger: "local"}})
			add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "echo: " + text + "\n"})
			add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: b, Status: wire.TurnDone, DurationMS: 1000}})
		}
	}
	add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p0", User: "h2", Text: "first"}})
	add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b0", Prompts: []string{"p0"}, Merged: "first", Merger: "local"}})
	add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "[piece 1]"})
	add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "zed", Text: "second while streaming"}})
	add(wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m5", Name: "eve"}})
	add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "[piece 2]\n"})
	add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b0", Status: wire.TurnDone, DurationMS: 5700}})
	add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "second while streaming", Merger: "local"}})
	add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "echo: second\n"})
	add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}})
	twoMoreTurns()
	var b bytes.Buffer
	replayRecent(newPrinter(&b), evs, "x")
	out := b.String()
	if strings.Contains(out, "piece") || strings.Contains(out, "5.7s") {
		t.Errorf("the earlier turn's tail or end is printed:\n%s", out)
	}
	// Not shown: the first prompt, batch and piece, then the piece and the end among the
	// shown turn's prompts: a prompt and its reply, not five events (each piece of a
	// streamed reply was counted: a user tester read 6,640 of a party of 150 turns).
	for _, want := range []string{"[system] the party's earlier history is not shown here (2 earlier prompts, replies and notices", "zed: second while streaming", "eve joined", "echo: second", "echo: third", "echo: fourth"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}

	// The prompt came while the earlier batch was merged (a reviewer's): that batch's
	// "sending" line is not printed either, nor its approval; the shown batch's is.
	evs = evs[:0]
	add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p0", User: "h2", Text: "first"}})
	add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "zed", Text: "second while merging"}})
	add(wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b0", Prompts: []string{"p0"}, Merged: "first", Merger: "local"}})
	add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b0", Prompts: []string{"p0"}, Merged: "first", Merger: "local"}})
	add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "[piece 1]\n"})
	add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b0", Status: wire.TurnDone, DurationMS: 5700}})
	add(wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "second while merging", Merger: "local"}})
	add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "second while merging", Merger: "local"}})
	add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "echo: second\n"})
	add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}})
	twoMoreTurns()
	b.Reset()
	replayRecent(newPrinter(&b), evs, "x")
	out = b.String()
	if n := strings.Count(out, "sending"); n != 3 || strings.Contains(out, "piece") || strings.Contains(out, "5.7s") || strings.Count(out, "waits for a host's approval") != 1 {
		t.Errorf("the earlier batch shows (%d sending lines):\n%s", n, out)
	}
	if !strings.Contains(out, "[system] the party's earlier history is not shown here (2 earlier prompts, replies and notices") {
		t.Errorf("the count:\n%s", out)
	}
}

// TestReplayRecent: a resumed host's terminal prints its last three turns, says how many
// events it left out and how to read them all (a tester's resume printed 173,000 lines).
func TestReplayRecent(t *testing.T) {
	var b bytes.Buffer
	pr := newPrinter(&b)
	replayRecent(pr, history(5), "`concordia export abc` writes the whole party")
	out := b.String()
	for _, gone := range []string{"ask 1", "reply 1", "ask 2", "reply 2"} {
		if strings.Contains(out, gone) {
			t.Errorf("%q is printed:\n%s", gone, out)
		}
	}
	for _, want := range []string{"[system] the party's earlier history is not shown here (4 earlier prompts, replies and notices: the last 3 turns are); `concordia export abc` writes the whole party", "ask 3", "reply 3", "reply 5"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "not shown here"), strings.Index(out, "ask 3"); i < 0 || j < i {
		t.Errorf("the note is not above the turns shown:\n%s", out)
	}
}

// TestReplayRecentCutsLongOutput: the last turns' output is printed from its last
// replayOutputMax bytes only, under a line that says how much is left out (a tester's
// 4 MB reply among them filled the scrollback); the turns' prompts and ends are all there.
func TestReplayRecentCutsLongOutput(t *testing.T) {
	evs := history(3)
	// Turn 2's reply becomes 200 pieces of 1 KiB, each with its number.
	var long []wire.Event
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput && ev.Text == "reply 2\n" {
			for i := 0; i < 200; i++ {
				long = append(long, wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: fmt.Sprintf("<piece %d>%s\n", i, strings.Repeat("y", 1000))})
			}
			continue
		}
		long = append(long, ev)
	}
	for i := range long {
		long[i].Seq = int64(i + 1)
	}
	var b bytes.Buffer
	pr := newPrinter(&b)
	replayRecent(pr, long, "`concordia export abc` writes the whole party")
	out := b.String()
	for _, want := range []string{"ask 1", "reply 1", "ask 2", "ask 3", "reply 3", "<piece 199>",
		"[system] … 1", " KiB of the agent's output in this turn is not shown above; its last 64.0 KiB follows; `concordia export abc` writes the whole party"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the replay", want)
		}
	}
	// Each turn's output is cut on its own: turn 1's short reply is all there (a tester's
	// short turn before a long one showed no output at all).
	if strings.Contains(out, "<piece 0>") || strings.Contains(out, "<piece 130>") {
		t.Error("output before the last 64 KiB is printed")
	}
	if len(out) > 70<<10 {
		t.Errorf("the replay is %d bytes", len(out))
	}
	// The note stands where the output shown starts: after the prompts before it, right
	// above the first piece shown.
	note := strings.Index(out, "is not shown above")
	if i, k := strings.Index(out, "ask 2"), strings.Index(out, "<piece "); !(i < note && note < k) || strings.Contains(out[note:k], "[party]") {
		t.Errorf("the note is not right above the output shown:\n%.2000s", out)
	}
	// Short turns are printed whole, with no note.
	b.Reset()
	replayRecent(newPrinter(&b), history(3), "x")
	if strings.Contains(b.String(), "not shown above") {
		t.Errorf("a note for short output:\n%s", b.String())
	}
}

// The cut falls inside an output event when it must: a reply of 64 KiB pieces and a short
// rest shows its last 64 KiB, not the rest alone, and a last piece over 64 KiB shows its
// end, not nothing (a reviewer's).
func TestReplayRecentCutsInsideAPiece(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pieces []string
	}{
		{"64 KiB pieces and a rest", append(slices.Repeat([]string{strings.Repeat("a", 64<<10-1) + "\n"}, 8), strings.Repeat("b", 1023)+"\n")},
		{"one piece over 64 KiB", []string{strings.Repeat("c", 64<<10) + "\n"}},
	} {
		var reply []wire.Event
		for _, p := range tc.pieces {
			reply = append(reply, wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: p})
		}
		with := oneTurnWith(reply...)
		var b bytes.Buffer
		replayRecent(newPrinter(&b), with, "x")
		out := b.String()
		note := strings.Index(out, "is not shown above; its last ")
		if note < 0 {
			t.Errorf("%s: no note:\n%.300s", tc.name, out)
			continue
		}
		after := out[note:]
		if n := strings.Count(after, "a") + strings.Count(after, "b") + strings.Count(after, "c"); n < 60<<10 || n > 64<<10+200 { // the note's own letters count too
			t.Errorf("%s: %d bytes of output shown", tc.name, n)
		}
		if !strings.Contains(out, "claude finished") {
			t.Errorf("%s: the turn's end is not shown", tc.name)
		}
	}
}

// A partial reply made void by a rerun, then cut from the replay, is not called "the
// partial reply above": it is not above (a tester's).
func TestReplayRecentVoidReplyCut(t *testing.T) {
	for _, resumed := range []bool{false, true} {
		with := oneTurnWith(
			wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "void start\n"},
			wire.Event{Kind: wire.KindRetry, RetryBatch: "b1", Resumed: resumed},
			wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: strings.Repeat("z", 70<<10) + "\n"})
		var b bytes.Buffer
		replayRecent(newPrinter(&b), with, "x")
		out := b.String()
		if strings.Contains(out, "void start") || strings.Contains(out, "reply above") {
			t.Errorf("resumed %v: the cut partial reply is pointed at:\n%.600s", resumed, out)
		}
		if !strings.Contains(out, "a partial reply of this turn, not shown here, is void") {
			t.Errorf("resumed %v: the rerun is not told:\n%.600s", resumed, out)
		}
	}
	// Two reruns with no output between them void one partial reply: one notice (a
	// reviewer's read two).
	twice := oneTurnWith(
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "void start\n"},
		wire.Event{Kind: wire.KindRetry, RetryBatch: "b1", Resumed: true},
		wire.Event{Kind: wire.KindRetry, RetryBatch: "b1"},
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: strings.Repeat("z", 70<<10) + "\n"})
	var tw bytes.Buffer
	replayRecent(newPrinter(&tw), twice, "x")
	if n := strings.Count(tw.String(), " is void"); n != 1 {
		t.Errorf("two reruns of one partial reply: %d notices:\n%.600s", n, tw.String())
	}
	// Uncut, the printer says it as ever.
	evs := history(1)
	evs = slices.Insert(evs, 3, wire.Event{Kind: wire.KindRetry, RetryBatch: "b1"}, wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "again\n"})
	var b bytes.Buffer
	replayRecent(newPrinter(&b), evs, "x")
	if out := b.String(); !strings.Contains(out, "the partial reply above is void") || !strings.Contains(out, "reply 1") {
		t.Errorf("uncut:\n%s", out)
	}
}

// A person's event that came while a line of the reply streamed is printed after that
// line, not in the middle of it (a tester's replayed code line was split by "[you] alice:
// queued for later"); other events keep their places.
func TestReplayKeepsLinesWhole(t *testing.T) {
	two := 2
	evs := oneTurnWith(
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "func main() {"},
		wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p9", User: "alice", Text: "queued for later"}},
		wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m9", Name: "bob"}, Count: &two},
		wire.Event{Kind: wire.KindPhase, Phase: wire.PhaseRunning},
		wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "main.go", Status: "modified"}}}, // a reviewer's
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: " run() }\nnext"},
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: " line\n"},
	)
	var b bytes.Buffer
	replayRecent(newPrinter(&b), evs, "x")
	out := b.String()
	line, queued, joined, changed, next := strings.Index(out, "func main() { run() }\n"), strings.Index(out, "alice: queued for later"), strings.Index(out, "bob joined"), strings.Index(out, "main.go"), strings.Index(out, "next line")
	if line < 0 || queued < line || joined < queued || changed < joined || next < changed {
		t.Fatalf("the line is cut, or the events are out of order:\n%s", out)
	}
}

// What a replay skips goes to the discard as it is formatted: held for the terminal's
// frame, a long history's output piled up whole first (a tester's host, resumed with
// 64 MB of history, allocated 240 MB there, and held on to it). Bytes allocated are
// counted, not timed.
func TestSkipHoldsNoHistory(t *testing.T) {
	line := strings.Repeat("x", 1000) + "\n"
	evs := make([]wire.Event, 20000) // 19 MiB of output
	for i := range evs {
		evs[i] = wire.Event{Seq: int64(i + 1), Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: line}
	}
	pr := newPrinter(io.Discard)
	pr.w.frame = time.Hour // a terminal's frame that never ends on its own here
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pr.skip(evs)
	runtime.ReadMemStats(&after)
	output := uint64(len(evs) * len(line))
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*output {
		t.Fatalf("skipping %d MiB of output allocated %d MiB", output>>20, alloc>>20)
	}
}

// A host's replay offers no /allow under a request of the history, which is decided lines
// below (a user tester's read as if it waited); one still waiting when the history ends is
// said after the live marker, with how to answer.
func TestReplayOffersNoAnswerToADecidedRequest(t *testing.T) {
	asked := &wire.Permission{ID: "t1", Batch: "b1", Tool: "Bash", Summary: "touch created_by_agent.txt", Status: wire.PermissionPending}
	allowed := *asked
	allowed.Status, allowed.By = wire.PermissionAllowed, "bob"
	waiting := *asked
	waiting.ID, waiting.Summary = "t2", "touch b"
	evs := oneTurnWith(
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: touch created_by_agent.txt\n"},
		wire.Event{Kind: wire.KindPermission, Permission: asked},
		wire.Event{Kind: wire.KindPermission, Permission: &allowed},
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "-> (Bash completed with no output)\nBash: touch b\n"},
		wire.Event{Kind: wire.KindPermission, Permission: &waiting},
	)
	evs = evs[:len(evs)-1] // the turn goes on: t2 waits
	var b bytes.Buffer
	pr := newPrinter(&b)
	pr.with(func(r *roster) { r.host, r.you.Name, r.you.Role = "me", "me", wire.RoleHost })
	pr.historyStart(len(evs))
	replayRecent(pr, evs, "x")
	pr.live()
	out := b.String()
	if n := strings.Count(out, "/allow"); n != 1 {
		t.Errorf("/allow said %d times, want once, for the request still waiting:\n%s", n, out)
	}
	live := strings.Index(out, "— live —")
	if i := strings.Index(out, "claude waits for a decision on Bash"); live < 0 || i < live || strings.Index(out, "/allow") < i {
		t.Errorf("the waiting request is not said after the history, with how to answer:\n%s", out)
	}
}

// A participant catching up on a request that waits is told, once live, for how long it
// waits (a user tester's joiner read it waiting, and not for how long; a host had /allow).
func TestReplaySaysHowLongARequestWaits(t *testing.T) {
	now := time.Unix(10_000, 0)
	expires := now.Add(72 * time.Second)
	waiting := &wire.Permission{ID: "t2", Batch: "b1", Tool: "Bash", Summary: "touch b", Status: wire.PermissionPending, Expires: &expires}
	evs := oneTurnWith(
		wire.Event{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: touch b\n"},
		wire.Event{Kind: wire.KindPermission, Permission: waiting},
	)
	evs = evs[:len(evs)-1] // the turn goes on: t2 waits
	var b bytes.Buffer
	pr := newPrinter(&b)
	pr.now = func() time.Time { return now }
	pr.with(func(r *roster) { r.host, r.you.Name, r.you.Role = "hana", "dave", wire.RoleParticipant })
	pr.historyStart(len(evs))
	replayRecent(pr, evs, "x")
	pr.live()
	out := b.String()
	live := strings.Index(out, "— live —")
	if i := strings.Index(out, "claude waits for a host's decision on Bash: touch b; undecided, it is denied in 1m12s"); live < 0 || i < live {
		t.Errorf("the waiting request's time left is not said after the history:\n%s", out)
	}
}
