package party

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// startOutputParty runs a party whose one turn hands its TurnIO to the test (outRunner,
// bench_test.go) and a member that collects the events.
func startOutputParty(t *testing.T) (*Party, *collector, TurnIO) {
	t.Helper()
	r := &outRunner{io: make(chan TurnIO), done: make(chan struct{})}
	p := New(Config{Token: token, Runner: r, Window: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	t.Cleanup(func() { close(r.done); cancel(); <-p.Done() })
	col := newCollector()
	res, err := p.Join(JoinRequest{Name: "alice", Token: token, Sub: col, Conn: col})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Prompt(res.You.ID, "go"); err != nil {
		t.Fatal(err)
	}
	select {
	case io := <-r.io:
		return p, col, io
	case <-time.After(10 * time.Second):
		t.Fatal("the turn did not start")
		return nil, nil, TurnIO{}
	}
}

func outputs(evs []wire.Event) (texts []string) {
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput {
			texts = append(texts, ev.Text)
		}
	}
	return texts
}

// While the party keeps up, every delta is an event of its own, at once: no timer, no
// waiting for the next one.
func TestOutputAtOnceWhenKeepingUp(t *testing.T) {
	_, col, io := startOutputParty(t)
	for i, d := range []string{"a", "b", "c"} {
		io.Out(wire.StreamAssistant, d)
		col.waitFor(t, "delta "+d, func(evs []wire.Event) bool { return len(outputs(evs)) == i+1 })
	}
	if got := outputs(col.all()); strings.Join(got, "|") != "a|b|c" {
		t.Fatalf("output events %q, want a|b|c", got)
	}
}

// When the loop falls behind (ops queue up behind a delta), the deltas that wait are
// merged into fewer events, in order, with nothing lost; a change of stream or another
// kind of event ends a merge.
func TestOutputMergedWhenBehind(t *testing.T) {
	p, col, io := startOutputParty(t)
	release := make(chan struct{})
	blocked := make(chan struct{})
	p.post(func() { close(blocked); <-release }) // the loop is busy
	<-blocked
	var want strings.Builder
	for i := range 40 {
		d := string(rune('a' + i%26))
		want.WriteString(d)
		io.Out(wire.StreamAssistant, d)
		if i == 19 {
			io.Out(wire.StreamStderr, "warning")
		}
	}
	close(release)
	evs := col.waitFor(t, "every delta", func(evs []wire.Event) bool {
		return strings.Join(outputs(evs), "") == want.String()[:20]+"warning\n"+want.String()[20:]
	})
	got := outputs(evs)
	if len(got) != 3 {
		t.Fatalf("output events %q, want three: the first 20 deltas, the stderr line, the last 20", got)
	}
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput && ev.Text == "warning\n" && ev.Stream != wire.StreamStderr {
			t.Fatalf("the stderr line came as %q", ev.Stream)
		}
	}
}

// While the loop sleeps with nothing queued, a delta is handled on the agent's goroutine:
// it has reached every member when Out returns, with no loop goroutine woken.
func TestOutputInlineWhileTheLoopSleeps(t *testing.T) {
	p, col, io := startOutputParty(t)
	col.waitFor(t, "the turn's start", func(evs []wire.Event) bool {
		for _, ev := range evs {
			if ev.Kind == wire.KindPhase && ev.Phase == wire.PhaseRunning {
				return true
			}
		}
		return false
	})
	waitInline(t, p)
	for i := range 100 {
		io.Out(wire.StreamAssistant, "d")
		if got := len(outputs(col.all())); got != i+1 {
			t.Fatalf("after delta %d returned the member had %d output events: it went through the loop", i+1, got)
		}
	}
}

// The inline path steps aside whenever running there could reorder or race: an op is
// queued (it must run first), the loop is not running, or the party is large (the loop
// then merges deltas that find it busy).
func TestOutputInlineStepsAside(t *testing.T) {
	p, col, _ := startOutputParty(t)
	waitInline(t, p)
	ran := false
	f := func() { ran = true }
	p.queued.Add(1) // as if an op had been posted and not run yet
	if p.inline(f) || ran {
		t.Fatal("inline ran with an op queued ahead of it")
	}
	p.queued.Add(-1)
	if !p.inline(f) || !ran {
		t.Fatal("inline did not run with the loop asleep and nothing queued")
	}

	for i := range inlineMembers {
		if _, err := p.Join(JoinRequest{Name: "m" + strconv.Itoa(i), Token: token, Sub: newCollector(), Conn: col}); err != nil {
			t.Fatal(err)
		}
	}
	ran = false
	if p.inline(f) || ran {
		t.Fatalf("inline ran in a party of %d members", inlineMembers+1)
	}
}

// waitInline waits until the loop has finished what starting the turn queued and sleeps:
// inline then runs.
func waitInline(t *testing.T, p *Party) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !p.inline(func() {}) {
		if time.Now().After(deadline) {
			t.Fatal("the loop never slept with nothing queued")
		}
		time.Sleep(time.Millisecond)
	}
}

// What a goroutine posted before its delta comes out before the delta, though the delta
// may take the inline path: an op waiting in the queue (or taken by the loop and not yet
// run) keeps the delta off it.
func TestOutputInlineNeverOvertakesAPost(t *testing.T) {
	p, col, io := startOutputParty(t)
	waitInline(t, p)
	const n = 500
	for i := range n {
		p.post(func() { p.emit(wire.Event{Kind: wire.KindSystem, Text: "m" + strconv.Itoa(i)}) })
		io.Out(wire.StreamAssistant, "d"+strconv.Itoa(i)+";")
	}
	evs := col.waitFor(t, "every delta", func(evs []wire.Event) bool {
		return strings.Contains(strings.Join(outputs(evs), ""), "d"+strconv.Itoa(n-1)+";")
	})
	var order []string
	for _, ev := range evs {
		switch {
		case ev.Kind == wire.KindSystem && strings.HasPrefix(ev.Text, "m"):
			order = append(order, ev.Text)
		case ev.Kind == wire.KindOutput:
			for d := range strings.SplitSeq(strings.TrimSuffix(ev.Text, ";"), ";") {
				order = append(order, d)
			}
		}
	}
	for i := range n {
		if len(order) < 2*i+2 || order[2*i] != "m"+strconv.Itoa(i) || order[2*i+1] != "d"+strconv.Itoa(i) {
			t.Fatalf("events out of order at %d: %v", i, order[max(0, 2*i-4):min(len(order), 2*i+4)])
		}
	}
}

func TestInlineNotAfterRun(t *testing.T) {
	p := New(Config{Token: token, Runner: &fakeRunner{}})
	ran := false
	if p.inline(func() { ran = true }) || ran {
		t.Fatal("inline ran before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx)
	cancel()
	<-p.Done()
	if p.inline(func() { ran = true }) || ran {
		t.Fatal("inline ran after Run returned")
	}
}

// A member's own join event is the first notification after its hello reply, at
// state.seq+1 (docs/PROTOCOL.md §4), even when output the loop kept while it was busy is
// still unsent: that output is sent first, and is in the reply's state (a protocol tester
// saw a viewer joining mid-stream get an output event before its own join).
func TestJoinedFirstWhileOutputIsKept(t *testing.T) {
	p, _, io := startOutputParty(t)
	release := make(chan struct{})
	blocked := make(chan struct{})
	p.post(func() { close(blocked); <-release }) // the loop is busy
	<-blocked
	for _, d := range []string{"a", "b", "c"} {
		io.Out(wire.StreamAssistant, d) // each waits as an op; output keeps their text
	}
	bob := newCollector()
	type joined struct {
		res wire.HelloResult
		err error
	}
	done := make(chan joined, 1)
	go func() {
		res, err := p.Join(JoinRequest{Name: "bob", Token: token, Sub: bob, Conn: bob})
		done <- joined{res, err}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for p.queued.Load() < 5 { // the busy op, three deltas, the join
		if time.Now().After(deadline) {
			t.Fatal("the join was not queued")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	j := <-done
	if j.err != nil {
		t.Fatal(j.err)
	}
	evs := bob.waitFor(t, "bob's join", func(evs []wire.Event) bool { return len(evs) > 0 })
	first := evs[0]
	if first.Kind != wire.KindParticipants || first.Joined == nil || first.Joined.ID != j.res.You.ID || first.Seq != j.res.State.Seq+1 {
		t.Fatalf("bob's first notification is %s at seq %d (state.seq %d), want his own join at state.seq+1", first.Kind, first.Seq, j.res.State.Seq)
	}
	var text string
	for _, ev := range j.res.State.Events {
		if ev.Kind == wire.KindOutput {
			text += ev.Text
		}
	}
	if text != "abc" {
		t.Fatalf("the reply's state has output %q, want the kept %q", text, "abc")
	}
}

// One text longer than an output event may be — an agent's message that was not
// streamed — is cut into events of at most maxOutputEvent bytes, never inside a
// character, and nothing of it is lost (a protocol tester's 17 MiB message went out as
// one event, in a frame over the host's 16 MiB limit).
func TestLongOutputCutIntoEvents(t *testing.T) {
	p, col, io := startOutputParty(t)
	waitInline(t, p)
	var b strings.Builder
	for b.Len() < 3*maxOutputEvent+100 {
		b.WriteString("ab€") // a three-byte character, so that cuts fall inside some
	}
	want := b.String()
	io.Out(wire.StreamAssistant, want)
	evs := col.waitFor(t, "the whole text", func(evs []wire.Event) bool {
		return strings.Join(outputs(evs), "") == want
	})
	got := outputs(evs)
	if len(got) < 4 {
		t.Fatalf("%d output events, want the text cut into at least 4", len(got))
	}
	for i, text := range got {
		if len(text) > maxOutputEvent || !utf8.ValidString(text) {
			t.Fatalf("event %d: %d bytes (limit %d), valid UTF-8 %v", i, len(text), maxOutputEvent, utf8.ValidString(text))
		}
	}
}

// Bytes that are not UTF-8 — a stderr line of binary — are cut too, not looped on (a
// reviewer: with no character starting in the first 64 KiB the cut went to 0, forever).
func TestLongInvalidOutputCut(t *testing.T) {
	p, col, io := startOutputParty(t)
	waitInline(t, p)
	junk := strings.Repeat("\x80", 2*maxOutputEvent+10) // continuation bytes only
	done := make(chan struct{})
	go func() { io.Out(wire.StreamStderr, junk); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the party did not get past a long line of bytes that are not UTF-8")
	}
	col.waitFor(t, "three events", func(evs []wire.Event) bool { return len(outputs(evs)) >= 3 })
}
