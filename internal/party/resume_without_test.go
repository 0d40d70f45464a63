package party

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// at is a journal line's "ts" field, d after 2026-12-07 09:00 UTC.
func at(d time.Duration) string {
	return `"ts":"` + time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(d).Format(time.RFC3339Nano) + `"`
}

// A host may resume a party without what it left unanswered (Restore.Without; a tester's
// Resume could only send a prompt hours old, or not resume at all): the waiting prompts are
// withdrawn by the owner, the turn cut short ends, failed, as long as it ran, and is not run
// again; the notice says so; the agent's next batch is told not to go on with the request
// its session holds; and a later resume finds nothing left to take up.
func TestResumeWithoutWhatWasLeftUnanswered(t *testing.T) {
	r := recoverFrom(t,
		`{"kind":"prompt",`+at(0)+`,"prompt":{"id":"p1","user":"bob","text":"delete the build"}}`,
		`{"kind":"batch",`+at(time.Second)+`,"batch":{"id":"b2","prompts":["p1"],"merged":"delete the build","merger":"local"}}`,
		`{"kind":"phase",`+at(time.Second)+`,"phase":"running"}`,
		`{"kind":"output",`+at(4*time.Second)+`,"stream":"assistant","text":"rm -rf build"}`,
		`{"kind":"prompt",`+at(5*time.Second)+`,"prompt":{"id":"p3","user":"cleo","text":"and the docs"}}`,
	)
	if r.Unfinished == nil || len(r.Pending) != 1 || r.UnfinishedRan != 4*time.Second {
		t.Fatalf("restore: unfinished %+v, pending %+v, ran %v", r.Unfinished, r.Pending, r.UnfinishedRan)
	}
	r.Without = true
	r.Members = []journal.Member{{ID: "m4", Name: "hosty", Role: wire.RoleHost, Session: "s-hosty", Owner: true}}
	fr := &fakeRunner{}
	p, col, alice := start(t, Config{ID: "pw", Restore: r, Runner: fr})

	evs, _ := pageAll(t, p, r.Seq)
	d := dump(evs)
	want := "the party was resumed: its host chose not to take up what was left unanswered; the request that was running when the host stopped, “delete the build”, is not sent again; 1 prompt waiting then is withdrawn, not queued again: send again what is still wanted"
	if !strings.Contains(d, want) {
		t.Errorf("no %q in\n%s", want, d)
	}
	var turn *wire.Turn
	var withdrawn []wire.Withdrawn
	for _, ev := range evs {
		switch ev.Kind {
		case wire.KindTurn:
			turn = ev.Turn
		case wire.KindWithdrawn:
			withdrawn = append(withdrawn, *ev.Withdrawn)
		case wire.KindRetry:
			t.Errorf("the cut turn is run again: %s", dump([]wire.Event{ev}))
		}
	}
	if turn == nil || turn.Batch != "b2" || turn.Status != wire.TurnError || turn.Error != NotRunAgain || turn.DurationMS != 4000 {
		t.Errorf("the cut turn ended as %+v", turn)
	}
	if len(withdrawn) != 1 || withdrawn[0] != (wire.Withdrawn{Prompt: "p3", User: "cleo", By: "hosty", ByMember: "m4", Resumed: true}) {
		t.Errorf("withdrawn: %+v", withdrawn)
	}
	phase := ""
	for _, ev := range evs {
		if ev.Kind == wire.KindPhase {
			phase = ev.Phase
		}
	}
	if phase != wire.PhaseIdle {
		t.Errorf("phase %q after the resume", phase)
	}

	// A resume of what this run wrote takes up nothing, and still owes the agent the note.
	rc := NewRecovery(0)
	for _, ev := range evs {
		raw, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		rc.Event(ev, raw)
	}
	again := rc.Restore(nil)
	if again.Unfinished != nil || len(again.Pending) != 0 || again.Failed != NotRunAgain {
		t.Errorf("a later resume: unfinished %+v, pending %+v, failed %q", again.Unfinished, again.Pending, again.Failed)
	}

	// Nothing from before reaches the agent; the next request comes with the word that the
	// one its session holds is not to be gone on with.
	if _, err := p.Prompt(alice, "add a README"); err != nil {
		t.Fatal(err)
	}
	col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) >= 1 })
	if got := fr.got(); len(got) != 1 || got[0] != afterFailure("add a README", NotRunAgain) {
		t.Errorf("the agent got %q", got)
	}
}

// Resumed with what was left unanswered, the cut turn runs again, and its retry says how
// long the first run had run (a window tester's first card said the host's downtime too).
func TestResumedRetrySaysHowLongTheFirstRunRan(t *testing.T) {
	r := recoverFrom(t,
		`{"kind":"prompt",`+at(0)+`,"prompt":{"id":"p1","user":"bob","text":"delete the build"}}`,
		`{"kind":"batch",`+at(time.Second)+`,"batch":{"id":"b2","prompts":["p1"],"merged":"delete the build","merger":"local"}}`,
		`{"kind":"output",`+at(2500*time.Millisecond)+`,"stream":"assistant","text":"rm -rf build"}`,
	)
	p, _, _ := start(t, Config{ID: "pr", Restore: r, Runner: &fakeRunner{}})
	evs, _ := pageAll(t, p, r.Seq)
	for _, ev := range evs {
		if ev.Kind == wire.KindRetry {
			if !ev.Resumed || ev.RanMS != 1500 {
				t.Errorf("retry %+v: want resumed, ran_ms 1500", ev)
			}
			raw, _ := json.Marshal(ev)
			if !strings.Contains(string(raw), `"ran_ms":1500`) {
				t.Errorf("retry on the wire: %s", raw)
			}
			return
		}
	}
	t.Fatalf("no retry: %s", dump(evs))
}

// Without changes nothing when nothing was left unanswered, nor after a lost end (which
// takes up nothing already, and says so in its own words).
func TestResumeWithoutWhenNothingWaits(t *testing.T) {
	r := recoverFrom(t,
		`{"kind":"batch","batch":{"id":"b1","prompts":[],"merged":"hi","merger":"local"}}`,
		`{"kind":"turn","turn":{"batch":"b1","status":"done","duration_ms":5}}`,
	)
	r.Without = true
	p, _, _ := start(t, Config{ID: "pw", Restore: r})
	evs, _ := pageAll(t, p, r.Seq)
	notices := 0
	for _, ev := range evs {
		if ev.Kind == wire.KindSystem {
			notices++
			if ev.Text != "the party was resumed" {
				t.Errorf("notice %q", ev.Text)
			}
		}
	}
	if notices != 1 {
		t.Errorf("%d notices: %s", notices, dump(evs))
	}
}

// A merged prompt held for approval when the host stopped: a resume without it rejects it,
// so that no client keeps its card waiting for a decision nobody can make (a reviewer's
// window pointed the host at it, Approve doing nothing); its prompts are not also
// withdrawn. One approved before the stop, or merged again by a resume since, is not held.
func TestResumeWithoutAMergedPromptHeldForApproval(t *testing.T) {
	prompt := `{"kind":"prompt","prompt":{"id":"p1","user":"bob","text":"delete the build"}}`
	approval := `{"kind":"approval","approval":{"batch":"b2","prompts":["p1"],"merged":"delete the build","merger":"local"}}`
	if r := recoverFrom(t, prompt, approval, `{"kind":"batch","batch":{"id":"b2","prompts":["p1"],"merged":"delete the build","merger":"local"}}`); r.Held != nil {
		t.Errorf("approved, still held: %+v", r.Held)
	}
	if r := recoverFrom(t, prompt, approval, `{"kind":"batch","batch":{"id":"b3","prompts":["p1"],"merged":"delete the build","merger":"local"}}`, `{"kind":"turn","turn":{"batch":"b3","status":"done","duration_ms":5}}`); r.Held != nil {
		t.Errorf("merged again after a resume, still held: %+v", r.Held)
	}
	r := recoverFrom(t, prompt, approval, `{"kind":"prompt","prompt":{"id":"p3","user":"cleo","text":"and the docs"}}`)
	if r.Held == nil || r.Held.Batch != "b2" {
		t.Fatalf("held: %+v", r.Held)
	}
	r.Without = true
	r.Members = []journal.Member{{ID: "m4", Name: "hosty", Role: wire.RoleHost, Session: "s-hosty", Owner: true}}
	p, _, _ := start(t, Config{ID: "pw", Restore: r, Runner: &fakeRunner{}})
	evs, _ := pageAll(t, p, r.Seq)
	var rejected []wire.Rejected
	var withdrawn []string
	resumed := ""
	for _, ev := range evs {
		switch ev.Kind {
		case wire.KindRejected:
			rejected = append(rejected, *ev.Rejected)
		case wire.KindWithdrawn:
			withdrawn = append(withdrawn, ev.Withdrawn.Prompt)
		case wire.KindSystem:
			if strings.HasPrefix(ev.Text, "the party was resumed") {
				resumed = ev.Text
			}
		}
	}
	if len(rejected) != 1 || rejected[0].Batch != "b2" || len(rejected[0].Prompts) != 1 || rejected[0].Prompts[0] != "p1" || rejected[0].By != "hosty" || rejected[0].Reason != ResumedWithout {
		t.Errorf("rejected: %+v", rejected)
	}
	// One prompt held is not "the merged prompt" (a tester's).
	if !strings.Contains(resumed, "; the prompt that waited for a host's approval is not sent;") {
		t.Errorf("the resume's notice of the one prompt held: %q", resumed)
	}
	if len(withdrawn) != 1 || withdrawn[0] != "p3" {
		t.Errorf("withdrawn: %v", withdrawn)
	}
}

// The resume of a party whose last turn its end cut short says so, and does not run it
// again (PROTOCOL.md §8): only the end's notice had said it (a tester's).
func TestResumeSaysTheTurnThePartysEndCut(t *testing.T) {
	r := recoverFrom(t,
		`{"kind":"prompt",`+at(0)+`,"prompt":{"id":"p1","user":"alice","text":"tidy the docs"}}`,
		`{"kind":"batch",`+at(time.Second)+`,"batch":{"id":"b1","prompts":["p1"],"merged":"tidy the docs","merger":"local"}}`,
		`{"kind":"turn",`+at(3*time.Second)+`,"turn":{"batch":"b1","status":"interrupted","error":"the party ended"}}`,
	)
	r.EndCut = &journal.EndCut{Batch: "b1", By: []string{"alice"}, Prompts: 1} // as host.OpenResume fills it
	fr := &fakeRunner{}
	p, _, _ := start(t, Config{ID: "pe", Restore: r, Runner: fr})
	evs, _ := pageAll(t, p, r.Seq)
	d := dump(evs)
	want := "the party was resumed: the last turn, for alice's prompt, was cut short when the party ended, and is not run again: send again what is still wanted"
	if !strings.Contains(d, want) {
		t.Errorf("no %q in\n%s", want, d)
	}
	if strings.Contains(d, `"kind":"retry"`) || len(fr.got()) != 0 {
		t.Errorf("the turn the end cut is run again: %q\n%s", fr.got(), d)
	}
}

func TestEndCutWords(t *testing.T) {
	for _, tc := range []struct {
		c    *journal.EndCut
		want string
	}{
		{nil, ""},
		{&journal.EndCut{Batch: "b1"}, "the last turn was cut short when the party ended"}, // an agent command
		{&journal.EndCut{Batch: "b1", By: []string{"alice"}, Prompts: 1}, "the last turn, for alice's prompt, was cut short when the party ended"},
		{&journal.EndCut{Batch: "b1", By: []string{"alice"}, Prompts: 2}, "the last turn, for alice's 2 prompts, was cut short when the party ended"},
		{&journal.EndCut{Batch: "b1", By: []string{"alice", "bob"}, Prompts: 2}, "the last turn, for 2 prompts (alice's and bob's), was cut short when the party ended"},
		{&journal.EndCut{Batch: "b1", By: []string{"alice", "bob", "cleo"}, Prompts: 4}, "the last turn, for 4 prompts (alice's, bob's and cleo's), was cut short when the party ended"},
	} {
		if got := EndCutWords(tc.c); got != tc.want {
			t.Errorf("EndCutWords(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}
