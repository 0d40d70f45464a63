package party

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

func newJournal(t *testing.T, dir, id string) *journal.Writer {
	t.Helper()
	w, err := journal.Create(dir, journal.Header{Party: id, Host: "hosty", Created: time.Now(), Token: token, ViewerToken: "v"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// pageAll replays from since the way a client does: getState again from the last seq
// while the reply is truncated.
func pageAll(t *testing.T, p *Party, since int64) (evs []wire.Event, pages int) {
	t.Helper()
	for {
		st, err := p.State(since)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		evs = append(evs, st.Events...)
		if len(st.Events) > 0 {
			since = st.Events[len(st.Events)-1].Seq
		}
		if !st.Truncated {
			return evs, pages
		}
		if len(st.Events) == 0 || pages > 10000 {
			t.Fatal("a truncated reply that does not move forward")
		}
	}
}

// runTurns sends n prompts one after the other, each answered before the next.
func runTurns(t *testing.T, p *Party, col *collector, id string, n, size int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := p.Prompt(id, strings.Repeat("z", size)); err != nil {
			t.Fatal(err)
		}
		col.waitFor(t, "turn", func(evs []wire.Event) bool { return count(evs, wire.KindTurn) == i+1 })
	}
}

// TestReplayFromJournalAcrossTheWindow: with most of the history out of memory, a joiner
// with since=0 still gets every event once, oldest first, through truncated pages, exactly
// as they were sent; and the memory window stays within its size.
func TestReplayFromJournalAcrossTheWindow(t *testing.T) {
	w := newJournal(t, t.TempDir(), "pj")
	const window = 16 << 10
	p, col, id := start(t, Config{Journal: w, MemoryWindow: window, MaxMessage: 24 << 10, ID: "pj", PromptEvery: time.Millisecond, PromptBurst: 1000})
	runTurns(t, p, col, id, 60, 2000) // about 250 KB of events
	live := col.waitFor(t, "idle", func(evs []wire.Event) bool {
		return evs[len(evs)-1].Kind == wire.KindPhase && evs[len(evs)-1].Phase == wire.PhaseIdle
	})

	var winBytes int
	var first int64
	_ = p.do(func() { winBytes, first = p.winBytes, p.windowFirst() })
	if winBytes > window || first < int64(len(live)/2) {
		t.Fatalf("memory window holds %d bytes from seq %d (window %d, %d events)", winBytes, first, window, len(live))
	}

	for _, since := range []int64{0, 1, 7, first - 3, first - 1, first, first + 2} {
		got, pages := pageAll(t, p, since)
		want := live[since:]
		// The live collector also saw later events (none here: the party is idle).
		if len(got) != len(want) {
			t.Fatalf("since %d: %d events in %d pages, want %d", since, len(got), pages, len(want))
		}
		for i := range got {
			a, _ := json.Marshal(got[i])
			b, _ := json.Marshal(want[i])
			if string(a) != string(b) {
				t.Fatalf("since %d: event %d differs:\n%s\n%s", since, i, a, b)
			}
		}
		if since == 0 && pages < 5 {
			t.Errorf("a 250 KB replay came in %d pages of at most 24 KB", pages)
		}
	}

	// A joiner's hello reply starts the same replay (truncated), and events follow it.
	late := newCollector()
	res, err := p.Join(JoinRequest{Name: "late", Token: token, Sub: late, Conn: late})
	if err != nil {
		t.Fatal(err)
	}
	if !res.State.Truncated || len(res.State.Events) == 0 || res.State.Events[0].Seq != 1 {
		t.Fatalf("hello replay: %d events, truncated %v", len(res.State.Events), res.State.Truncated)
	}
}

// One getState reads at most stateJournalMax of the journal, whatever the message limit:
// a 16 MiB page read, decoded and encoded again cost a tester's host about 170 MB each
// time a member joined a long party. The member pages on; nothing is lost.
func TestStateReadsLittleOfTheJournalAtOnce(t *testing.T) {
	defer func(was int) { stateJournalMax = was }(stateJournalMax)
	stateJournalMax = 16 << 10
	p, col, id := start(t, Config{Journal: newJournal(t, t.TempDir(), "pj"), MemoryWindow: 8 << 10, ID: "pj", PromptEvery: time.Millisecond, PromptBurst: 1000})
	runTurns(t, p, col, id, 20, 2000)
	live := col.waitFor(t, "idle", func(evs []wire.Event) bool {
		return evs[len(evs)-1].Kind == wire.KindPhase && evs[len(evs)-1].Phase == wire.PhaseIdle
	})
	st, err := p.State(0)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, raw := range st.RawEvents {
		size += len(raw)
	}
	if !st.Truncated || size > stateJournalMax+4<<10 {
		t.Fatalf("getState(0) of %d events: %d events, %d bytes, truncated %v", len(live), len(st.Events), size, st.Truncated)
	}
	if got, _ := pageAll(t, p, 0); len(got) < len(live) {
		t.Fatalf("paged: %d events, want %d", len(got), len(live))
	}
}

// A view in this process (the host's terminal or window) gets the whole history as events,
// and no copy of their JSON: a resumed host's terminal held both (a 188 MB history peaked
// at 690 MB). A remote member's state keeps its raw events, spliced into its reply.
func TestALocalViewsHistoryHoldsNoRawEvents(t *testing.T) {
	p, col, id := start(t, Config{Journal: newJournal(t, t.TempDir(), "pr"), MemoryWindow: 8 << 10, ID: "pr", PromptEvery: time.Millisecond, PromptBurst: 1000})
	runTurns(t, p, col, id, 10, 2000)
	live := col.waitFor(t, "idle", func(evs []wire.Event) bool {
		return evs[len(evs)-1].Kind == wire.KindPhase && evs[len(evs)-1].Phase == wire.PhaseIdle
	})
	v, st, err := p.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Leave()
	if len(st.Events) < len(live) || st.RawEvents != nil || st.Truncated {
		t.Fatalf("the local view's state: %d events (want %d), %d raw, truncated %v", len(st.Events), len(live), len(st.RawEvents), st.Truncated)
	}
	remote, err := p.State(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(remote.RawEvents) != len(remote.Events) || len(remote.Events) == 0 {
		t.Fatalf("a remote state: %d events, %d raw", len(remote.Events), len(remote.RawEvents))
	}
}

// A paged view in this process (a resumed host's terminal) starts from a bounded first
// page, and History gives it the rest, every event once, in order, up to that state's seq:
// the terminal held a 188 MB history whole to print its last three turns.
func TestPagedLocalViewsGetTheWholeHistoryInPages(t *testing.T) {
	defer func(h, s int) { helloJournalMax, stateJournalMax = h, s }(helloJournalMax, stateJournalMax)
	helloJournalMax, stateJournalMax = 4<<10, 16<<10
	p, col, id := start(t, Config{Journal: newJournal(t, t.TempDir(), "pp"), MemoryWindow: 8 << 10, ID: "pp", PromptEvery: time.Millisecond, PromptBurst: 1000})
	runTurns(t, p, col, id, 20, 2000)
	col.waitFor(t, "idle", func(evs []wire.Event) bool {
		return evs[len(evs)-1].Kind == wire.KindPhase && evs[len(evs)-1].Phase == wire.PhaseIdle
	})
	w, whole, err := p.Watch() // the whole history at once, as before
	if err != nil {
		t.Fatal(err)
	}
	w.Leave()
	var want []int64
	for _, ev := range whole.Events {
		want = append(want, ev.Seq)
	}
	for _, c := range []struct {
		name string
		open func() (*Local, wire.State, error)
	}{
		{"WatchPaged", p.WatchPaged},
		{"JoinLocalPaged", func() (*Local, wire.State, error) {
			v, h, err := p.JoinLocalPaged("hana", wire.RoleHost)
			return v, h.State, err
		}},
	} {
		v, st, err := c.open()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !st.Truncated || len(st.Events) >= len(whole.Events)/2 {
			t.Fatalf("%s: a first page of %d events of %d, truncated %v", c.name, len(st.Events), len(whole.Events), st.Truncated)
		}
		var got []int64
		if err := p.History(st, func(ev wire.Event) {
			if ev.Seq <= whole.Seq { // (the joined event after it)
				got = append(got, ev.Seq)
			}
		}); err != nil {
			t.Fatalf("%s: History: %v", c.name, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: History gave %d events (%v…), want the %d of the whole history", c.name, len(got), got[:min(len(got), 5)], len(want))
		}
		v.Leave()
	}
}

// gatedJournal holds each read of the history, once gated, until the test releases it.
type gatedJournal struct {
	*journal.Writer
	gated            atomic.Bool
	reading, release chan struct{}
}

func (g *gatedJournal) Events(from int64, fn func(int64, json.RawMessage) bool) error {
	if g.gated.Load() {
		g.reading <- struct{}{}
		<-g.release
	}
	return g.Writer.Events(from, fn)
}

// A getState that reads its history back from the journal does it off the party's loop:
// the party goes on meanwhile (a reviewer's getState(0) of 25 MB held the loop for 300 ms,
// every member's output waiting behind it, and any member could ask again and again).
func TestStateReadsTheJournalOffTheLoop(t *testing.T) {
	g := &gatedJournal{Writer: newJournal(t, t.TempDir(), "pg"), reading: make(chan struct{}), release: make(chan struct{})}
	p, col, id := start(t, Config{Journal: g, MemoryWindow: 8 << 10, ID: "pg", PromptEvery: time.Millisecond, PromptBurst: 1000})
	runTurns(t, p, col, id, 20, 2000)
	live := col.waitFor(t, "idle", func(evs []wire.Event) bool {
		return evs[len(evs)-1].Kind == wire.KindPhase && evs[len(evs)-1].Phase == wire.PhaseIdle
	})
	g.gated.Store(true)
	type reply struct {
		st  wire.State
		err error
	}
	done := make(chan reply, 1)
	go func() {
		st, err := p.State(0)
		done <- reply{st, err}
	}()
	<-g.reading
	loop := make(chan error, 1)
	go func() { loop <- p.do(func() {}) }()
	select {
	case err := <-loop:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		close(g.release)
		t.Fatal("the party's loop waited for a getState's read of the journal")
	}
	close(g.release)
	r := <-done
	if r.err != nil || len(r.st.Events) != len(live) || r.st.Truncated || r.st.Seq != live[len(live)-1].Seq {
		t.Fatalf("getState(0): %d events (want %d), truncated %v, seq %d, %v", len(r.st.Events), len(live), r.st.Truncated, r.st.Seq, r.err)
	}
	for i, ev := range r.st.Events {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}

	// A hello reads the journal on the loop (it must, to start the events after it without
	// a gap), but only so much of it: the joiner pages on with getState.
	g.gated.Store(false)
	defer func(was int) { helloJournalMax = was }(helloJournalMax)
	helloJournalMax = 4 << 10
	late := newCollector()
	res, err := p.Join(JoinRequest{Name: "late", Token: token, Sub: late, Conn: late})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.State.Events); !res.State.Truncated || n == 0 || n > len(live)/4 || res.State.Events[0].Seq != 1 {
		t.Fatalf("hello: %d events of %d, truncated %v", n, len(live), res.State.Truncated)
	}
	if got, _ := pageAll(t, p, res.State.Events[len(res.State.Events)-1].Seq); len(got)+len(res.State.Events) < len(live) {
		t.Fatalf("paged on from the hello: %d + %d events, want at least %d", len(res.State.Events), len(got), len(live))
	}
}

// TestResumeFromJournal: a party's journal copied in the middle of a turn (what a killed
// host leaves) brings the party back: seq goes on, the interrupted batch runs again with a
// retry event, a prompt acknowledged meanwhile is answered, members rejoin with their
// session and lose nothing, a kicked member stays out, and no id is given out twice.
func TestResumeFromJournal(t *testing.T) {
	dir := t.TempDir()
	w := newJournal(t, dir, "pr")
	fr := &fakeRunner{hold: make(chan struct{})}
	p, col, alice := start(t, Config{Journal: w, ID: "pr", Runner: fr})
	host := newCollector()
	hres, err := p.Join(JoinRequest{Name: "hosty", Role: wire.RoleHost, Sub: host, Conn: host})
	if err != nil {
		t.Fatal(err)
	}
	bob := newCollector()
	bres, err := p.Join(JoinRequest{Name: "bob", Token: token, Sub: bob, Conn: bob})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kick(hres.You.ID, bres.You.ID, ""); err != nil {
		t.Fatal(err)
	}
	first, err := p.Prompt(alice, "first question")
	if err != nil {
		t.Fatal(err)
	}
	col.waitFor(t, "the batch on the agent", func(evs []wire.Event) bool { return count(evs, wire.KindBatch) == 1 })
	second, err := p.Prompt(alice, "second question")
	if err != nil {
		t.Fatal(err)
	}
	seen := col.all()
	last := seen[len(seen)-1].Seq
	var aliceSession string
	_ = p.do(func() { aliceSession = p.members[alice].session })

	// The host is killed here: what is on disk is all there is.
	crashed := filepath.Join(t.TempDir(), "pr.jsonl")
	b, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(crashed, b, 0o600)

	rc := NewRecovery(0)
	w2, sum, err := journal.Open(crashed, rc.Event)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if sum.LastSeq != last {
		t.Fatalf("journal ends at %d, participants saw %d", sum.LastSeq, last)
	}
	r := rc.Restore(sum.Members)
	if len(r.Pending) != 1 || r.Pending[0].ID != second.ID || r.Unfinished == nil || r.Unfinished.Merged != "first question" {
		t.Fatalf("restore: pending %+v unfinished %+v", r.Pending, r.Unfinished)
	}

	fr2 := &fakeRunner{}
	p2 := New(Config{ID: "pr", Token: token, Journal: w2, Restore: r, Runner: fr2, Window: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go p2.Run(ctx)
	defer func() { cancel(); <-p2.Done() }()

	// Alice rejoins with her session and the last seq she saw.
	back := newCollector()
	res, err := p2.Join(JoinRequest{Session: aliceSession, Since: last, Sub: back, Conn: back})
	if err != nil {
		t.Fatalf("rejoin with the session: %v", err)
	}
	if res.You.ID != alice || res.You.Name != "alice" {
		t.Fatalf("came back as %+v", res.You)
	}
	evs := append(append([]wire.Event(nil), res.State.Events...), back.waitFor(t, "both answers", func(evs []wire.Event) bool {
		return count(evs, wire.KindTurn)+count(res.State.Events, wire.KindTurn) >= 2
	})...)
	for i, ev := range evs {
		if ev.Seq != last+int64(i)+1 {
			t.Fatalf("event %d has seq %d after %d: %s", i, ev.Seq, last, dump(evs))
		}
	}
	d := dump(evs)
	for _, want := range []string{"the party was resumed: 1 waiting prompt is queued again; the batch that was running is sent to the agent again", `"kind":"retry","resumed":true,`} {
		if !strings.Contains(d, want) {
			t.Errorf("no %q after the resume:\n%s", want, d)
		}
	}
	// The batch cut off by the crash runs again with a word that part of it may be done
	// (a tester's agent, sent it as it was, asked to run the same command again).
	if got := fr2.got(); len(got) != 2 || got[0] != again("first question", false, "the host stopped and was resumed") || got[1] != "second question" {
		t.Errorf("the resumed agent got %q", got)
	}
	if got := again("first question", false, "the host stopped and was resumed"); !strings.HasPrefix(got, "[Concordia: the host stopped and was resumed while you were working on the request below. Part of it may already be done") || !strings.HasSuffix(got, "]\n\nfirst question") {
		t.Errorf("again: %q", got)
	}
	if got := again("/compact", true, "x"); got != "/compact" {
		t.Errorf("an agent command sent again: %q", got)
	}
	// Alice was connected at the crash: the others are told she left before anything else.
	// She did not choose to: the event's text says so to people.
	if evs[0].Kind != wire.KindParticipants || evs[0].Left == nil || evs[0].Text != "alice was disconnected when the host stopped" || evs[0].Why != wire.WhyHostStopped {
		t.Errorf("first event after the resume: %s", dump(evs[:1]))
	}
	// Bob was kicked: his session stays dead.
	if _, err := p2.Join(JoinRequest{Session: "nope", Sub: newCollector()}); err == nil {
		t.Error("an unknown session was accepted")
	}
	for _, m := range sum.Members {
		if m.ID == bres.You.ID {
			if _, err := p2.Join(JoinRequest{Session: m.Session, Sub: newCollector()}); err == nil {
				t.Error("a kicked member's session works after the resume")
			}
		}
	}
	// The host's own terminal comes back as the same member, and ids are never reused.
	h2 := newCollector()
	hres2, err := p2.Join(JoinRequest{Name: "hosty", Role: wire.RoleHost, Sub: h2, Conn: h2})
	if err != nil || hres2.You.ID != hres.You.ID {
		t.Fatalf("owner came back as %+v (%v), was %s", hres2.You, err, hres.You.ID)
	}
	pr3, err := p2.Prompt(alice, "third")
	if err != nil {
		t.Fatal(err)
	}
	if pr3.ID == first.ID || pr3.ID == second.ID || pr3.Seq <= last {
		t.Errorf("prompt after resume %+v reuses an id or seq (first %s, second %s, last %d)", pr3, first.ID, second.ID, last)
	}
	close(fr.hold)
}

// TestMembersAwayAreBounded: joining and leaving again and again without a client_id
// (a new member each time) leaves at most maxAway remembered members, and the newest
// still come back with their session.
func TestMembersAwayAreBounded(t *testing.T) {
	p, _, _ := start(t, Config{})
	var last string
	for i := 0; i < maxAway+50; i++ {
		c := newCollector()
		res, err := p.Join(JoinRequest{Name: "drive-by", Token: token, Sub: c, Conn: c})
		if err != nil {
			t.Fatal(err)
		}
		p.Leave(res.You.ID, c)
		last = res.You.Session
	}
	var known, sessions, members int
	_ = p.do(func() { known, sessions, members = len(p.known), len(p.sessions), len(p.members) })
	if known-members > maxAway || sessions > maxAway+members {
		t.Fatalf("%d known, %d sessions, %d connected", known, sessions, members)
	}
	if _, err := p.Join(JoinRequest{Session: last, Sub: newCollector()}); err != nil {
		t.Errorf("the latest member cannot come back: %v", err)
	}
}

// A resume owes the note of a failure the journal ends with (a reviewer's resumed party
// sent its next batch plain): Restore.Failed, kept while no batch carried it, given back
// when the one that did never reached the agent, dropped by /clear; the resumed party's
// next batch carries it.
func TestResumeOwesTheNoteOfAFailure(t *testing.T) {
	failed := `{"kind":"batch","batch":{"id":"b1","prompts":[],"merged":"delete the build","merger":"local"}}`
	failTurn := `{"kind":"turn","turn":{"batch":"b1","status":"error","duration_ms":5,"error":"API Error: 500"}}`
	noted := `{"kind":"batch","batch":{"id":"b2","prompts":[],"merged":"add a README","merger":"local","sent":"[Concordia: …]\n\nadd a README"}}`
	for _, c := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"ends with a failure", []string{failed, failTurn}, "API Error: 500"},
		{"a batch carried it", []string{failed, failTurn, noted, `{"kind":"turn","turn":{"batch":"b2","status":"done","duration_ms":5}}`}, ""},
		{"the batch that carried it never reached the agent", []string{failed, failTurn, noted, `{"kind":"turn","turn":{"batch":"b2","status":"error","duration_ms":5,"error":"claude not found","unsent":true}}`}, "API Error: 500"},
		{"/clear", []string{failed, failTurn, `{"kind":"batch","batch":{"id":"b3","prompts":[],"merged":"/clear","merger":"command"}}`, `{"kind":"turn","turn":{"batch":"b3","status":"done","duration_ms":5}}`}, ""},
		{"a failed agent command", []string{`{"kind":"batch","batch":{"id":"b4","prompts":[],"merged":"/compact","merger":"command"}}`, `{"kind":"turn","turn":{"batch":"b4","status":"error","duration_ms":5,"error":"no"}}`}, ""},
	} {
		if got := recoverFrom(t, c.lines...).Failed; got != c.want {
			t.Errorf("%s: Failed %q, want %q", c.name, got, c.want)
		}
	}
	fr := &fakeRunner{}
	p, col, id := start(t, Config{ID: "pr", Restore: recoverFrom(t, failed, failTurn), Runner: fr})
	p.Prompt(id, "add a README")
	col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) >= 1 })
	if got := fr.got(); len(got) != 1 || !strings.HasPrefix(got[0], "[Concordia: the request before this one failed (API Error: 500)") {
		t.Fatalf("the resumed party sent %q", got)
	}
	// The batch that carried the note was on the agent when the host stopped: it runs again
	// as it went, note and all (it ran again as merged).
	fr2 := &fakeRunner{}
	p2 := New(Config{ID: "pr2", Token: token, Restore: recoverFrom(t, failed, failTurn, noted), Runner: fr2, Window: 20 * time.Millisecond})
	ctx2, cancel2 := context.WithCancel(context.Background())
	go p2.Run(ctx2)
	defer func() { cancel2(); <-p2.Done() }()
	deadline := time.Now().Add(10 * time.Second)
	for len(fr2.got()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := fr2.got(); len(got) != 1 || !strings.Contains(got[0], "[Concordia: …]\n\nadd a README") {
		t.Fatalf("the batch on the agent ran again as %q", got)
	}
}

// recoverFrom is what a resume restores from a journal of these event lines (seq 1, 2…).
func recoverFrom(t *testing.T, lines ...string) *Restore {
	t.Helper()
	rc := NewRecovery(0)
	for i, l := range lines {
		var ev wire.Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		ev.Seq = int64(i + 1)
		rc.Event(ev, json.RawMessage(l))
	}
	return rc.Restore(nil)
}

// behindJournal is a journal that fails, as a full disk makes it, while full is set: its
// calls fail until the disk has room (the journal then catches up, journal.Writer).
type behindJournal struct {
	*journal.Writer
	full atomic.Bool
}

func (j *behindJournal) Event(ev wire.Event, raw json.RawMessage) error {
	if j.full.Load() {
		return errors.New("no space left on device")
	}
	return j.Writer.Event(ev, raw)
}

func (j *behindJournal) Invites(t journal.Tokens) error {
	if j.full.Load() {
		return errors.New("no space left on device")
	}
	return j.Writer.Invites(t)
}

// TestJournalBehindThenCaughtUp: a journal that cannot be written (a full disk) is said
// once, the party goes on (a rotation made meanwhile holds), and once the journal catches
// up the party says it can be resumed again (a tester's resume on a full disk locked the
// party's history out for good).
func TestJournalBehindThenCaughtUp(t *testing.T) {
	j := &behindJournal{Writer: newJournal(t, t.TempDir(), "pk")}
	p, col, _ := start(t, Config{Journal: j, ID: "pk"})
	owner, _, err := p.JoinLocal("hosty", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	j.full.Store(true)
	if _, err := owner.RotateInvite(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Join(JoinRequest{Name: "mallory", Token: token}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("the old token after the rotation: %v", err)
	}
	said := func(kind, text string) func([]wire.Event) bool {
		return func(evs []wire.Event) bool {
			n := 0
			for _, ev := range evs {
				if ev.Kind == kind && strings.Contains(ev.Text, text) {
					n++
				}
			}
			return n == 1
		}
	}
	col.waitFor(t, "the warning", said(wire.KindError, "make room on the disk, and it catches up within seconds; until then the party goes on"))
	p.Notice(wire.KindSystem, "still behind")
	j.full.Store(false)
	p.Notice(wire.KindSystem, "room again")
	evs := col.waitFor(t, "the journal caught up", said(wire.KindSystem, JournalRecoveredText))
	if last := evs[len(evs)-1]; last.Text != JournalRecoveredText {
		t.Fatalf("the last event: %+v", last)
	}
	if n := count(evs, wire.KindError); n != 1 {
		t.Fatalf("%d error events, want the one warning:\n%s", n, dump(evs))
	}
}

// TestJournalGaveUpIsSaid: a journal that will not catch up (journal.ErrGaveUp) is said
// once, after the warning, with why (a tester's host kept saying it would catch up).
func TestJournalGaveUpIsSaid(t *testing.T) {
	j := &gaveUpJournal{Writer: newJournal(t, t.TempDir(), "pg")}
	p, col, _ := start(t, Config{Journal: j, ID: "pg"})
	j.gaveUp.Store(true)
	p.Notice(wire.KindSystem, "one")
	p.Notice(wire.KindSystem, "two")
	p.Notice(wire.KindSystem, "three")
	evs := col.waitFor(t, "the journal gave up", func(evs []wire.Event) bool {
		for _, ev := range evs {
			if ev.Kind == wire.KindError && strings.HasPrefix(ev.Text, JournalGaveUpPrefix) {
				return true
			}
		}
		return false
	})
	var errs []string
	for _, ev := range evs {
		if ev.Kind == wire.KindError {
			errs = append(errs, ev.Text)
		}
	}
	if len(errs) != 2 || !strings.HasPrefix(errs[0], JournalFailedPrefix) || errs[1] != JournalGaveUpPrefix+"more than 64 MiB to write (no space left on device)): what happens from here is kept in memory only, and a host that stops loses it from the party's history; stopping the party and resuming it (with room on the disk) gives it a journal again, unless what it lost made the party's rules stricter" {
		t.Fatalf("error events: %q", errs)
	}
}

// gaveUpJournal is a journal that has given up while gaveUp is set.
type gaveUpJournal struct {
	*journal.Writer
	gaveUp atomic.Bool
}

func (j *gaveUpJournal) Event(ev wire.Event, raw json.RawMessage) error {
	if j.gaveUp.Load() {
		return fmt.Errorf("%w: more than 64 MiB to write (no space left on device)", journal.ErrGaveUp)
	}
	return j.Writer.Event(ev, raw)
}

// TestResumeKeepsWhatIsAlwaysAllowed: the tools a host allowed "always" come back after a
// resume, and one it revoked does not (it used to: the resume read only the permission
// events that granted it). A journal from before settings carried the list still works.
func TestResumeKeepsWhatIsAlwaysAllowed(t *testing.T) {
	lines := func(ls ...string) (*Restore, []string) {
		r := recoverFrom(t, ls...)
		return r, r.Always
	}
	always := func(tool string) string {
		return `{"kind":"permission","permission":{"id":"t` + tool + `","tool":"` + tool + `","status":"allowed","by":"carol","reason":"always allow ` + tool + `"}}`
	}
	settings := func(list string) string {
		return `{"kind":"settings","approval":false,"permission_mode":"ask"` + list + `}`
	}
	cases := []struct {
		name      string
		lines     []string
		want      string
		announced bool // the last settings event said so: the resume need not
	}{
		{"granted", []string{always("Bash"), settings(`,"always":["Bash"]`), always("Edit"), settings(`,"always":["Bash","Edit"]`)}, "Bash,Edit", true},
		{"revoked", []string{always("Bash"), settings(`,"always":["Bash"]`), settings(`,"always":[]`)}, "", true},
		{"revoked, then granted again", []string{always("Bash"), settings(`,"always":[]`), always("Bash"), settings(`,"always":["Bash"]`)}, "Bash", true},
		{"killed before the settings event", []string{always("Bash"), settings(`,"always":["Bash"]`), always("Edit")}, "Bash,Edit", false},
		{"an older journal", []string{always("Bash"), settings(``), always("Edit")}, "Bash,Edit", false},
		// Each use an "always" allowed is an event like its decision (since 2026-12-04).
		{"used after it was said", []string{always("Bash"), settings(`,"always":["Bash"]`), always("Bash"), always("Bash")}, "Bash", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, got := lines(c.lines...)
			if strings.Join(got, ",") != c.want || r.AlwaysAnnounced != c.announced {
				t.Errorf("always after the resume: %q (announced %v), want %q (%v)", got, r.AlwaysAnnounced, c.want, c.announced)
			}
		})
	}
}

// TestResumeAnnouncesWhatItRestores: a resumed party whose journal never announced what
// is always allowed (an older journal, or a host killed between the decision and its
// settings event) sends a settings event listing it; a tool request left waiting is
// denied without the expires and the detail it had while pending.
func TestResumeAnnouncesWhatItRestores(t *testing.T) {
	exp := time.Now().Add(time.Minute)
	r := &Restore{Seq: 10, NextID: 20, Always: []string{"Edit", "Bash"},
		Open: []wire.Permission{{ID: "t3", Tool: "Write", Summary: "x", Detail: "make a file", Batch: "b1", Status: wire.PermissionPending, Expires: &exp}}}
	p, _, _ := start(t, Config{Restore: r})
	st, err := p.State(10)
	if err != nil {
		t.Fatal(err)
	}
	var sawSettings, sawDenial bool
	for _, ev := range st.Events {
		if ev.Kind == wire.KindSettings {
			sawSettings = true
			if strings.Join(ev.Settings.Always, ",") != "Bash,Edit" {
				t.Errorf("settings after the resume: always %v", ev.Settings.Always)
			}
		}
		if ev.Kind == wire.KindPermission && ev.Permission.ID == "t3" {
			sawDenial = true
			// No detail either, as on any decision (a conformance tester's had it).
			if ev.Permission.Status != wire.PermissionDenied || ev.Permission.Expires != nil || ev.Permission.Detail != "" {
				t.Errorf("the waiting request after the resume: %+v", ev.Permission)
			}
		}
	}
	if !sawSettings || !sawDenial {
		t.Fatalf("after the resume (settings %v, denial %v):\n%s", sawSettings, sawDenial, dump(st.Events))
	}
}

// A host resumed under another name comes back as the member it was: the party's host
// is that member's name, so clients find the owner by it and nobody else can take it.
func TestResumedOwnerKeepsTheHostName(t *testing.T) {
	r := &Restore{Seq: 3, NextID: 5, Members: []journal.Member{{ID: "m1", Name: "hana", Role: wire.RoleHost, Owner: true, Session: "s1"}}}
	p, _, _ := start(t, Config{Restore: r, HostName: "alice"})
	if got := p.Info().Host; got != "hana" {
		t.Errorf("the resumed party's host is %q, want the owner's member name hana", got)
	}
	other := newCollector()
	res, err := p.Join(JoinRequest{Name: "hana", Token: token, Sub: other, Conn: other})
	if err != nil {
		t.Fatal(err)
	}
	if res.You.Name != "hana-2" {
		t.Errorf("a participant asking for the host's name got %q", res.You.Name)
	}
	own := newCollector()
	res, err = p.Join(JoinRequest{Name: "alice", Role: wire.RoleHost, Sub: own, Conn: own})
	if err != nil {
		t.Fatal(err)
	}
	if res.You.ID != "m1" || res.You.Name != "hana" || res.Party.Host != "hana" {
		t.Errorf("the owner came back as %+v in %q's party", res.You, res.Party.Host)
	}
}

// A party resumed with another merger than its journal last named (it had a Gemini key
// and now has none, or the other way round) says which one it uses now: a client applies
// the history's settings events after the hello, and would show the old one. The same
// merger, or a journal that never named one, needs no settings event.
func TestResumeSaysWhichMergerItUses(t *testing.T) {
	settings := func(merger string) string {
		return `{"kind":"settings","approval":false,"permission_mode":"ask","always":[]` + merger + `}`
	}
	for _, c := range []struct {
		name, journal string
		want          bool
	}{
		{"gemini before, local now", settings(`,"merger":"gemini"`), true},
		{"local before and now", settings(`,"merger":"local"`), false},
		{"a journal that never named one", settings(``), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := recoverFrom(t, c.journal)
			if r.Seq == 0 {
				t.Fatal("nothing recovered")
			}
			p, _, _ := start(t, Config{Restore: r}) // the local merger
			st, err := p.State(r.Seq)
			if err != nil {
				t.Fatal(err)
			}
			var said []string
			for _, ev := range st.Events {
				if ev.Kind == wire.KindSettings {
					said = append(said, ev.Settings.Merger)
				}
			}
			if got := len(said) > 0; got != c.want || got && said[len(said)-1] != wire.MergerLocal {
				t.Fatalf("settings events after the resume name %q, want one naming local: %v", said, c.want)
			}
		})
	}
}

// The host's own terminal and window get the whole history in their hello, however long:
// it is not sent as one message, and neither pages. A reviewer's resumed host with 23 MiB
// of history got the oldest 16 MiB of it, marked truncated; the terminal printed the "last
// turns" of that old part, and the window skipped to the present.
func TestALocalHelloHasTheWholeHistory(t *testing.T) {
	w := newJournal(t, t.TempDir(), "pl")
	p, col, id := start(t, Config{Journal: w, MemoryWindow: 8 << 10, MaxMessage: 32 << 10, ID: "pl", PromptEvery: time.Millisecond, PromptBurst: 1000})
	runTurns(t, p, col, id, 20, 2000) // far more than one 32 KiB message
	col.waitFor(t, "idle", func(evs []wire.Event) bool {
		return evs[len(evs)-1].Kind == wire.KindPhase && evs[len(evs)-1].Phase == wire.PhaseIdle
	})
	check := func(what string, st wire.State) {
		t.Helper()
		if st.Truncated || len(st.Events) == 0 || st.Events[0].Seq != 1 || st.Events[len(st.Events)-1].Seq != st.Seq || len(st.Events) != int(st.Seq) {
			last := int64(0)
			if len(st.Events) > 0 {
				last = st.Events[len(st.Events)-1].Seq
			}
			t.Fatalf("%s: %d events up to seq %d of %d, truncated %v", what, len(st.Events), last, st.Seq, st.Truncated)
		}
	}
	l, hello, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Leave()
	check("the local hello", hello.State)
	w2, st, err := p.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Leave()
	check("a watcher", st)
	// A remote member's getState still pages.
	if rs, err := p.State(0); err != nil || !rs.Truncated {
		t.Fatalf("a remote getState(0) of far more than one message: truncated %v, err %v", rs.Truncated, err)
	}
}

func TestLeftAtStopWords(t *testing.T) {
	for _, c := range []struct {
		m     wire.Member
		ended bool
		want  string
	}{
		{wire.Member{Name: "alice", Role: wire.RoleHost}, false, "alice, the host, stopped"},
		{wire.Member{Name: "carl", Role: wire.RoleHost}, false, "carl was disconnected when the host stopped"}, // a co-host
		{wire.Member{Name: "bob", Role: wire.RoleParticipant}, false, "bob was disconnected when the host stopped"},
		{wire.Member{Name: "alice", Role: wire.RoleHost}, true, "alice left when the party ended"},
	} {
		why, text := leftAtStop(c.m, "alice", c.ended)
		if text != c.want || (why == wire.WhyPartyEnded) != c.ended {
			t.Errorf("%+v ended %v: %q %q, want %q", c.m, c.ended, why, text, c.want)
		}
	}
}

// What a cut leaves owed is dropped at a later resume, but not a failure after the cut that
// says the same words as one before it (a reviewer's second 529 went without its note).
func TestCutKeepsAFailureAfterIt(t *testing.T) {
	evs := []wire.Event{
		{Seq: 1, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Merged: "one", Merger: "local"}},
		{Seq: 2, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnError, Error: "API Error: 529"}},
		{Seq: 5000, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Merged: "two", Merger: "local"}},
		{Seq: 5001, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnError, Error: "API Error: 529"}},
	}
	for _, tc := range []struct {
		evs  []wire.Event
		want string
	}{{evs, "API Error: 529"}, {evs[:2], ""}} {
		rc := NewRecovery(0)
		for _, ev := range tc.evs {
			raw, _ := json.Marshal(ev)
			rc.Event(ev, raw)
		}
		rc.Cut(3)
		if got := rc.Restore(nil).Failed; got != tc.want {
			t.Errorf("after %d events and a cut at 3: owed %q, want %q", len(tc.evs), got, tc.want)
		}
	}
}
