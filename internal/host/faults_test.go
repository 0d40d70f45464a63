package host_test

// Faults a party must survive (issue 8, point 5), each injected into a real party: host.Start
// with the fake claude program (internal/fakeclaude), real sockets, real clients. Every wait
// is on events with a deadline; nothing sleeps to synchronise.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// watcher is a joined client that records every event it is given, and how often.
type watcher struct {
	name string
	c    *client.Client

	mu   sync.Mutex
	evs  []wire.Event
	seen map[int64]int
	wake chan struct{}
}

func watch(t *testing.T, inv invite.Invite, name string, backoff ...time.Duration) *watcher {
	t.Helper()
	w := &watcher{name: name, seen: map[int64]int{}, wake: make(chan struct{}, 1)}
	c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: name, Backoff: backoff,
		OnEvent: func(ev wire.Event) {
			w.mu.Lock()
			w.evs = append(w.evs, ev)
			w.seen[ev.Seq]++
			w.mu.Unlock()
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		t.Fatalf("%s join: %v", name, err)
	}
	w.c = c
	t.Cleanup(c.Close)
	return w
}

func (w *watcher) events() []wire.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.evs)
}

// until waits (at most a minute) for pred to hold over the events so far and returns them.
func (w *watcher) until(t *testing.T, what string, pred func([]wire.Event) bool) []wire.Event {
	t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		if evs := w.events(); pred(evs) {
			return evs
		}
		select {
		case <-w.wake:
		case <-deadline.C:
			evs := w.events()
			t.Fatalf("%s: no %s within a minute; %d events, the last: %s", w.name, what, len(evs), lastFew(evs, 8))
		}
	}
}

// checkComplete fails unless w got every seq from 1 to its last exactly once, in order. An
// output event may stand for first_seq..seq (merged for a busy connection, PROTOCOL.md §5).
func (w *watcher) checkComplete(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	next := int64(1)
	for i, ev := range w.evs {
		first := ev.Seq
		if ev.FirstSeq > 0 {
			first = ev.FirstSeq
			if ev.Kind != wire.KindOutput {
				t.Fatalf("%s: event %d (%s) has first_seq", w.name, i, ev.Kind)
			}
		}
		if first != next || ev.Seq < first {
			t.Fatalf("%s: event %d is seq %d..%d after %d (a gap, a repeat or disorder)", w.name, i, first, ev.Seq, next-1)
		}
		next = ev.Seq + 1
	}
	for seq, n := range w.seen {
		if n != 1 {
			t.Fatalf("%s: seq %d delivered %d times", w.name, seq, n)
		}
	}
}

// lastSeq is the seq of the newest event seen (0: none). Two watchers that have seen the
// same events can hold different numbers of them: output that reaches a busy connection is
// merged (first_seq..seq), so compare seqs, not counts.
func lastSeq(evs []wire.Event) int64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

func lastFew(evs []wire.Event, n int) string {
	var b strings.Builder
	for _, ev := range evs[max(0, len(evs)-n):] {
		fmt.Fprintf(&b, "\n  %d %s %s%s", ev.Seq, ev.Kind, ev.Phase, cut(ev.Text))
		if ev.Turn != nil {
			fmt.Fprintf(&b, " %+v", *ev.Turn)
		}
	}
	return b.String()
}

func cut(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func of(evs []wire.Event, kind string) []wire.Event {
	var out []wire.Event
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// after is the events with a seq above seq.
func after(evs []wire.Event, seq int64) []wire.Event {
	for i, ev := range evs {
		if ev.Seq > seq {
			return evs[i:]
		}
	}
	return nil
}

// turnOf is the turn event of batch id, or nil.
func turnOf(evs []wire.Event, batch string) *wire.Turn {
	for _, ev := range of(evs, wire.KindTurn) {
		if ev.Turn.Batch == batch {
			return ev.Turn
		}
	}
	return nil
}

// replyOf is batch id's reply as PROTOCOL.md §5 defines it: the assistant text after the
// batch event and after the batch's last retry, up to its turn.
func replyOf(evs []wire.Event, batch string) string {
	var b strings.Builder
	in := false
	for _, ev := range evs {
		switch {
		case ev.Kind == wire.KindBatch && ev.Batch.ID == batch:
			in = true
		case !in:
		case ev.Kind == wire.KindRetry && ev.RetryBatch == batch:
			b.Reset()
		case ev.Kind == wire.KindTurn && ev.Turn.Batch == batch:
			return b.String()
		case ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant:
			b.WriteString(ev.Text)
		}
	}
	return b.String()
}

func hostParty(t *testing.T, cfg host.Config) *host.Host {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Agent.Path == "" {
		cfg.Agent.Path = testkit.FakeClaude(t)
	}
	if cfg.Agent.WorkDir == "" {
		cfg.Agent.WorkDir = t.TempDir()
	}
	if cfg.Window == 0 {
		cfg.Window = 30 * time.Millisecond
	}
	cfg.Name = "hosty"
	h, err := host.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return h
}

func prompt(t *testing.T, w *watcher, text string) wire.PromptResult {
	t.Helper()
	res, err := w.c.Prompt(context.Background(), text)
	if err != nil {
		t.Fatalf("%s prompt %q: %v", w.name, text, err)
	}
	return res
}

// checkEveryPromptCarried fails unless every prompt event is in exactly one batch and every
// batch has exactly one turn.
func checkEveryPromptCarried(t *testing.T, evs []wire.Event) {
	t.Helper()
	carried := map[string]int{}
	for _, ev := range of(evs, wire.KindBatch) {
		for _, id := range ev.Batch.Prompts {
			carried[id]++
		}
		n := 0
		for _, tr := range of(evs, wire.KindTurn) {
			if tr.Turn.Batch == ev.Batch.ID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("batch %s has %d turns, want 1", ev.Batch.ID, n)
		}
	}
	for _, ev := range of(evs, wire.KindPrompt) {
		if carried[ev.Prompt.ID] != 1 {
			t.Errorf("prompt %s %q is in %d batches, want 1", ev.Prompt.ID, cut(ev.Prompt.Text), carried[ev.Prompt.ID])
		}
	}
}

// killFrom SIGKILLs the fake claude whose pid is in pidfile and returns the pid.
func killFrom(t *testing.T, pidfile string) int {
	t.Helper()
	pid, err := testkit.KillFromPIDFile(pidfile)
	if err != nil {
		t.Fatalf("kill the claude of %s: %v", pidfile, err)
	}
	return pid
}

// killedWhileIdle is a party whose claude, started, alice watching, was SIGKILLed while idle.
func killedWhileIdle(t *testing.T) (*host.Host, *watcher) {
	t.Helper()
	pidfile := filepath.Join(t.TempDir(), "claude.pid")
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{Env: []string{"FAKECLAUDE_PIDFILE=" + pidfile}}})
	alice := watch(t, h.Invite(), "alice")
	alice.until(t, "claude started", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindSystem && ev.Text == "claude started" })
	})
	killFrom(t, pidfile)
	return h, alice
}

// TestAgentKilledWhileIdleIsSaid: claude killed between turns was seen by no one until
// the next batch (the party looked ready). Everyone is told at once, how it ended, and
// the next prompt is answered by a claude started again.
func TestAgentKilledWhileIdleIsSaid(t *testing.T) {
	_, alice := killedWhileIdle(t)
	const said = host.IdleExitNotice
	evs := alice.until(t, "the exit said", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindError && strings.HasSuffix(ev.Text, said) })
	})
	for _, ev := range of(evs, wire.KindError) {
		if strings.HasSuffix(ev.Text, said) && !strings.HasPrefix(ev.Text, "claude exited (signal: killed)") {
			t.Fatalf("the exit was said as %q", ev.Text)
		}
	}
	prompt(t, alice, "after the kill")
	evs = alice.until(t, "the answer", func(e []wire.Event) bool {
		bs := of(e, wire.KindBatch)
		return len(bs) == 1 && turnOf(e, bs[0].Batch.ID) != nil
	})
	b := of(evs, wire.KindBatch)[0].Batch
	if tr := turnOf(evs, b.ID); tr.Status != wire.TurnDone || replyOf(evs, b.ID) != "echo: after the kill" {
		t.Fatalf("after the kill: turn %+v, reply %q", *tr, replyOf(evs, b.ID))
	}
	// Started again, and said so, as the first start was (a tester heard nothing of it).
	var starts int
	for _, ev := range of(evs, wire.KindSystem) {
		if ev.Text == "claude started" {
			starts++
		}
	}
	if starts != 2 {
		t.Fatalf("\"claude started\" said %d times, want 2 (the start, and the start after the kill)", starts)
	}
}

// TestAgentExitBeforeAFailedStartIsNotSaidAfterIt: claude killed between turns, and a
// prompt right after whose start of claude fails: the idle exit's notice, a second late,
// came after the failed start's error, and the status said the older news (a reviewer's).
func TestAgentExitBeforeAFailedStartIsNotSaidAfterIt(t *testing.T) {
	dir := t.TempDir()
	pidfile, marker := filepath.Join(dir, "claude.pid"), filepath.Join(dir, "fail-start")
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{Env: []string{"FAKECLAUDE_PIDFILE=" + pidfile, "FAKECLAUDE_FAIL_START_ONCE=" + marker}}})
	alice := watch(t, h.Invite(), "alice")
	alice.until(t, "claude started", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindSystem && ev.Text == "claude started" })
	})
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	killFrom(t, pidfile)
	prompt(t, alice, "right after the kill")
	alice.until(t, "the failed start", func(e []wire.Event) bool {
		bs := of(e, wire.KindBatch)
		return len(bs) == 1 && turnOf(e, bs[0].Batch.ID) != nil
	})
	time.Sleep(1500 * time.Millisecond) // past the idle exit's second
	for _, ev := range alice.events() {
		if ev.Kind == wire.KindError && strings.HasSuffix(ev.Text, host.IdleExitNotice) {
			t.Fatalf("the idle exit was said after the batch that tried to start claude: %q", ev.Text)
		}
	}
}

// TestAgentEndedWithTheHostIsNotNews: a logout or service stop sends SIGTERM to claude
// too, and claude may end before the host's end begins: members were told "it will be
// started again with the next batch" just before "the host's Concordia was stopped" (a
// reviewer's), and windows showed "Agent not running".
func TestAgentEndedWithTheHostIsNotNews(t *testing.T) {
	h, alice := killedWhileIdle(t)
	time.Sleep(100 * time.Millisecond) // claude is gone before the host's end begins
	const why = "the host's Concordia was stopped from outside"
	if err := h.ShutdownBecause(context.Background(), why); err != nil {
		t.Fatal(err)
	}
	evs := alice.until(t, "the end", func(e []wire.Event) bool {
		return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindSystem && ev.Text == why })
	})
	for _, ev := range evs {
		if ev.Kind == wire.KindError && strings.HasSuffix(ev.Text, host.IdleExitNotice) {
			t.Fatalf("claude ended with the host was told as news: %q", ev.Text)
		}
	}
}

// TestAgentKilledTenTimesInARow SIGKILLs the agent mid-turn ten times in a row: five
// batches, each killed on its first run and on its retry. Each batch is retried once (error,
// retry, system), its partial output is voided by the retry event, and it ends with a turn
// "error" and a "the batch failed" notice. A prompt sent during each retry is not lost: it is
// the next batch. After the ten kills the next batch runs normally on a new agent.
func TestAgentKilledTenTimesInARow(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "claude.pid")
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{
		Env: []string{"FAKECLAUDE_PIDFILE=" + pidfile}, StopTimeout: time.Second}})
	alice := watch(t, h.Invite(), "alice")
	bob := watch(t, h.Invite(), "bob")

	const rounds = 5
	var killed []int
	prompt(t, alice, "round 1 FAKE_SLOW=60000")
	for i := 1; i <= rounds; i++ {
		evs := alice.until(t, fmt.Sprintf("batch %d", i), func(e []wire.Event) bool { return len(of(e, wire.KindBatch)) >= i })
		b := of(evs, wire.KindBatch)[i-1]
		if !strings.Contains(b.Batch.Merged, fmt.Sprintf("round %d ", i)) {
			t.Fatalf("batch %d carries %q", i, b.Batch.Merged)
		}
		// First run: kill it once it has streamed something.
		alice.until(t, "output of the first run", func(e []wire.Event) bool {
			return len(of(after(e, b.Seq), wire.KindOutput)) > 0
		})
		killed = append(killed, killFrom(t, pidfile))
		evs = alice.until(t, "the retry", func(e []wire.Event) bool { return len(of(after(e, b.Seq), wire.KindRetry)) > 0 })
		retry := of(after(evs, b.Seq), wire.KindRetry)[0]
		if retry.RetryBatch != b.Batch.ID {
			t.Fatalf("retry names batch %q, want %q", retry.RetryBatch, b.Batch.ID)
		}
		// A prompt sent while the batch is retried waits for the next batch.
		next := fmt.Sprintf("round %d FAKE_SLOW=60000", i+1)
		if i == rounds {
			next = "after the storm"
		}
		prompt(t, bob, next)
		// The retry: kill it too, once it has streamed.
		alice.until(t, "output of the retry", func(e []wire.Event) bool {
			return len(of(after(e, retry.Seq), wire.KindOutput)) > 0
		})
		killed = append(killed, killFrom(t, pidfile))
		evs = alice.until(t, "the failed turn", func(e []wire.Event) bool { return turnOf(e, b.Batch.ID) != nil })
		if tr := turnOf(evs, b.Batch.ID); tr.Status != wire.TurnError || !strings.Contains(tr.Error, "failed twice") {
			t.Fatalf("batch %d turn %+v, want an error after the retry", i, *tr)
		}
	}
	evs := alice.until(t, "the batch after the kills", func(e []wire.Event) bool {
		bs := of(e, wire.KindBatch)
		return len(bs) == rounds+1 && turnOf(e, bs[rounds].Batch.ID) != nil
	})
	last := of(evs, wire.KindBatch)[rounds].Batch
	if tr := turnOf(evs, last.ID); tr.Status != wire.TurnDone {
		t.Fatalf("the batch after the kills: %+v", *tr)
	}
	// The last round failed twice: the agent is told that request failed (batch.sent), and
	// the fake agent echoes what it got.
	if !strings.HasPrefix(last.Sent, "[Concordia: the request before this one failed (claude failed twice") || !strings.HasSuffix(last.Sent, "\n\nafter the storm") {
		t.Fatalf("the batch after the kills went as %q", last.Sent)
	}
	if got, want := replyOf(evs, last.ID), "echo: "+last.Sent; got != want {
		t.Fatalf("reply after the kills %q, want %q", got, want)
	}
	if slices.Sort(killed); len(slices.Compact(killed)) != 2*rounds {
		t.Fatalf("killed pids %v: want %d different processes", killed, 2*rounds)
	}

	for _, b := range of(evs, wire.KindBatch)[:rounds] {
		id := b.Batch.ID
		var retries, partial int
		for _, ev := range after(evs, b.Seq) {
			if ev.Kind == wire.KindRetry && ev.RetryBatch == id {
				retries++
			}
			if ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant && retries == 0 {
				partial++
			}
			if ev.Kind == wire.KindTurn && ev.Turn.Batch == id {
				break
			}
		}
		if retries != 1 || partial == 0 {
			t.Errorf("batch %s: %d retry events, %d voided outputs; want 1 retry after partial output", id, retries, partial)
		}
	}
	var stopped, failed int
	for _, ev := range of(evs, wire.KindError) {
		stopped += b2i(strings.HasPrefix(ev.Text, "claude stopped unexpectedly"))
		failed += b2i(strings.HasPrefix(ev.Text, "the batch failed"))
	}
	if stopped != rounds || failed != rounds { // per batch: the first death, then the failed retry
		t.Errorf("%d crash and %d failure notices for %d failed batches", stopped, failed, rounds)
	}
	checkEveryPromptCarried(t, evs)
	alice.checkComplete(t)
	bob.until(t, "everything alice saw", func(e []wire.Event) bool { return lastSeq(e) >= lastSeq(evs) })
	bob.checkComplete(t)
}

// TestHungAgentIsStoppedAndRestarted: the agent goes silent mid-turn and ignores the
// interrupt. After --turn-timeout the turn is interrupted (reported with an error event);
// when the agent does not stop within its stop timeout it is killed and a new one started,
// and the next batch is answered.
func TestHungAgentIsStoppedAndRestarted(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "claude.pid")
	h := hostParty(t, host.Config{Insecure: true, TurnTimeout: 2 * time.Second, Agent: agent.Config{
		Env:         []string{"FAKECLAUDE_PIDFILE=" + pidfile, "FAKECLAUDE_IGNORE_INTERRUPT=1", "FAKECLAUDE_IGNORE_SIGNALS=1"},
		StopTimeout: 300 * time.Millisecond,
	}})
	alice := watch(t, h.Invite(), "alice")
	alice.until(t, "claude started", func(e []wire.Event) bool {
		return slices.ContainsFunc(of(e, wire.KindSystem), func(ev wire.Event) bool { return ev.Text == "claude started" })
	})
	first, _ := os.ReadFile(pidfile) // the agent that will hang; a restart rewrites the file
	prompt(t, alice, "FAKE_HANG say nothing")
	evs := alice.until(t, "the stopped turn", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 1 })
	tr := of(evs, wire.KindTurn)[0].Turn
	if tr.Status != wire.TurnInterrupted || tr.Error != "stopped by the turn timeout" {
		t.Fatalf("turn %+v, want interrupted by the turn timeout", *tr)
	}
	if !slices.ContainsFunc(of(evs, wire.KindError), func(ev wire.Event) bool { return ev.Text == "claude was silent for 2s; stopping the turn" }) {
		t.Fatalf("the timeout was not reported: %s", lastFew(evs, 10))
	}
	prompt(t, alice, "are you back?")
	evs = alice.until(t, "the next turn", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 2 })
	b := of(evs, wire.KindBatch)[1].Batch
	if tr := turnOf(evs, b.ID); tr.Status != wire.TurnDone || replyOf(evs, b.ID) != "echo: are you back?" {
		t.Fatalf("the batch after the hang: %+v %q", *tr, replyOf(evs, b.ID))
	}
	second, _ := os.ReadFile(pidfile)
	if string(first) == string(second) {
		t.Fatalf("the wedged agent (pid %s) was not replaced", first)
	}
	// The wedged process is gone (killed), not left behind.
	pid, _ := strconv.Atoi(strings.TrimSpace(string(first)))
	if !testkit.ProcessGone(pid) {
		t.Fatalf("the wedged agent %d is still there", pid)
	}
	checkEveryPromptCarried(t, evs)
	alice.checkComplete(t)
}

// TestAgentThatNeverAnswers: a --claude that runs but never answers the initialize
// request (not Claude Code). Each batch fails once, saying which program did not answer
// and what to check, after one start's timeout: it was retried on a restart and then
// restarted again, three timeouts (1m58s by default) before a tester saw "claude failed
// twice: restart claude: restart: start claude: initialize: context deadline exceeded". A
// batch that waited for the host's own start at launch takes that start's failure.
func TestAgentThatNeverAnswers(t *testing.T) {
	dir := t.TempDir()
	starts := filepath.Join(dir, "starts")
	script := filepath.Join(dir, "mute")
	body := "#!/bin/sh\necho started >> " + starts + "\nexec cat > /dev/null\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{Path: script, StartTimeout: 2 * time.Second, StopTimeout: 200 * time.Millisecond}})
	alice := watch(t, h.Invite(), "alice")
	prompt(t, alice, "attempt 1") // while the launch's start waits for its answer
	evs := alice.until(t, "the first batch's end", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 1 })
	prompt(t, alice, "attempt 2")
	evs = alice.until(t, "the second batch's end", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 2 })
	want := script + " did not answer its initialize request within 2s: is it Claude Code?"
	launch := slices.IndexFunc(of(evs, wire.KindError), func(ev wire.Event) bool {
		return ev.Text == "claude could not start: "+want+"; it will be tried again with the next batch"
	})
	if launch < 0 {
		t.Fatalf("no launch notice saying what did not answer: %s", lastFew(evs, 20))
	}
	for _, b := range of(evs, wire.KindBatch) {
		tr := turnOf(evs, b.Batch.ID)
		if tr.Status != wire.TurnError || !tr.Unsent || tr.Error != "claude could not start: "+want+"; the prompts were not sent to it: send them again to try once more" {
			t.Errorf("batch %s: %+v", b.Batch.ID, *tr)
		}
	}
	if n := len(of(evs, wire.KindRetry)); n != 0 {
		t.Errorf("%d retries of a batch whose agent never started", n)
	}
	// The launch's start, and one for the second batch: the first took the launch's failure
	// (or, on a machine so slow that its batch came after that failure, a start of its own).
	want2 := 2
	if first := of(evs, wire.KindBatch)[0]; first.Seq > of(evs, wire.KindError)[launch].Seq {
		want2 = 3
	}
	data, _ := os.ReadFile(starts)
	if n := strings.Count(string(data), "started"); n != want2 {
		t.Errorf("claude was started %d times for the launch and two batches, want %d", n, want2)
	}
	checkEveryPromptCarried(t, evs)
}

// TestAgentThatWillNotStart: Claude Code that is not there stops host.Start with
// ErrNotInstalled; one that exits at once is reported, every batch is answered with an
// error turn while it keeps failing, and once it starts again the party carries on.
func TestAgentThatWillNotStart(t *testing.T) {
	_, err := host.Start(context.Background(), host.Config{Listen: "127.0.0.1:0", Insecure: true, DataDir: t.TempDir(),
		Agent: agent.Config{Path: filepath.Join(t.TempDir(), "no-such-claude")}})
	if !errors.Is(err, agent.ErrNotInstalled) {
		t.Fatalf("a missing claude: %v, want ErrNotInstalled", err)
	}

	dir := t.TempDir()
	fixed := filepath.Join(dir, "fixed")
	script := filepath.Join(dir, "claude")
	body := "#!/bin/sh\nif [ -e " + fixed + " ]; then exec " + testkit.FakeClaude(t) + " \"$@\"; fi\n" +
		"echo 'claude: cannot start: no credentials' >&2\nexit 1\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{Path: script}})
	alice := watch(t, h.Invite(), "alice")
	alice.until(t, "the start-up failure", func(e []wire.Event) bool {
		return slices.ContainsFunc(of(e, wire.KindError), func(ev wire.Event) bool { return strings.Contains(ev.Text, "claude could not start") })
	})
	for i := 1; i <= 2; i++ {
		prompt(t, alice, fmt.Sprintf("attempt %d", i))
		evs := alice.until(t, "a reported batch", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == i })
		b := of(evs, wire.KindBatch)[i-1].Batch
		if tr := turnOf(evs, b.ID); tr.Status != wire.TurnError || !strings.Contains(tr.Error, "no credentials") {
			t.Fatalf("batch %d: %+v, want an error naming claude's reason", i, *tr)
		}
	}
	if err := os.WriteFile(fixed, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	prompt(t, alice, "now it works")
	evs := alice.until(t, "an answered batch", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 3 })
	b := of(evs, wire.KindBatch)[2].Batch
	if tr := turnOf(evs, b.ID); tr.Status != wire.TurnDone || replyOf(evs, b.ID) != "echo: now it works" {
		t.Fatalf("after the fix: %+v %q", *tr, replyOf(evs, b.ID))
	}
	checkEveryPromptCarried(t, evs)
	alice.checkComplete(t)
}

// TestGeminiTimeoutMergesLocally: Gemini never answers; the batch is merged locally within
// the merge timeout, with a notice, and the agent gets it.
func TestGeminiTimeoutMergesLocally(t *testing.T) {
	stop := make(chan struct{})
	var calls sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		defer calls.Done()
		_, _ = io.Copy(io.Discard, r.Body)
		select { // hang until the client gives up or the test ends
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	g, err := merge.NewGemini(context.Background(), merge.GeminiConfig{APIKey: "k", BaseURL: srv.URL, Timeout: 200 * time.Millisecond, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	h := hostParty(t, host.Config{Insecure: true, Window: 300 * time.Millisecond, Merger: merge.NewFallback(g, merge.NewLocal())})
	alice := watch(t, h.Invite(), "alice")
	bob := watch(t, h.Invite(), "bob")
	prompt(t, alice, "add a --verbose flag")
	prompt(t, bob, "fix the typo in README")
	evs := alice.until(t, "the turn", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 1 })
	b := of(evs, wire.KindBatch)[0].Batch
	if b.Merger != wire.MergerLocal || len(b.Prompts) != 2 || !strings.Contains(b.Merged, "verbose") || !strings.Contains(b.Merged, "typo") {
		t.Fatalf("batch %+v, want both prompts merged locally", *b)
	}
	if !slices.ContainsFunc(of(evs, wire.KindSystem), func(ev wire.Event) bool {
		return strings.Contains(ev.Text, "Gemini timed out; merging locally for a minute")
	}) {
		t.Fatalf("no notice of the timeout: %s", lastFew(evs, 12))
	}
	if tr := turnOf(evs, b.ID); tr.Status != wire.TurnDone {
		t.Fatalf("turn %+v", *tr)
	}
	checkEveryPromptCarried(t, evs)
}

// cutter forwards TCP to target and can cut every live connection: a network drop. While
// down, it also refuses new connections (accepts and closes them), like a network that is
// still out.
type cutter struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	n     int  // connections forwarded
	down  bool // refusing connections
}

func newCutter(t *testing.T, target string) *cutter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln}
	go func() {
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			out := c.down
			c.mu.Unlock()
			if out {
				down.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				down.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, down, up)
			c.n++
			c.mu.Unlock()
			go func() { _, _ = io.Copy(up, down); up.Close() }()
			go func() { _, _ = io.Copy(down, up); down.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); c.cut() })
	return c
}

// up ends the outage.
func (c *cutter) up() {
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
}

// cut drops every connection; with stayDown, later ones too until up.
func (c *cutter) cut(stayDown ...bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = len(stayDown) > 0 && stayDown[0]
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func (c *cutter) accepted() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// streamReply is the whole reply of a FAKE_STREAM=n:ms:size prompt (see fakeclaude).
func streamReply(n, size int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		s := fmt.Sprintf("[piece %d/%d]", i, n)
		b.WriteString(s + strings.Repeat(".", max(0, size-len(s))))
	}
	return b.String()
}

// TestNetworkDropsMidStream cuts a participant's TCP connection three times while a long
// reply streams; each outage lasts while 25 more pieces (37 KB) stream to the others. After
// each reconnect it has every event exactly once and in order, and in the end the whole
// reply. With a small host message limit what it missed is larger than one host message
// (checked), so its catch-up is paged.
func TestNetworkDropsMidStream(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxMessage int
	}{
		{"replay in one message", 0},
		{"replay larger than one message", 24 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const pieces, size = 120, 1500
			h := hostParty(t, host.Config{Party: party.Config{MaxMessage: tc.maxMessage}})
			inv := h.Invite()
			cut := newCutter(t, net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port)))
			via := inv
			via.Port = cut.ln.Addr().(*net.TCPAddr).Port
			bob := watch(t, inv, "bob")
			alice := watch(t, via, "alice", 20*time.Millisecond)
			// History first: a few turns, so that a replay from 0 would not fit either.
			for i := range 3 {
				prompt(t, bob, fmt.Sprintf("warm-up %d FAKE_BIG=20000", i))
				bob.until(t, "a warm-up turn", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == i+1 })
			}
			prompt(t, bob, fmt.Sprintf("FAKE_STREAM=%d:15:%d", pieces, size))
			pieceCount := func(e []wire.Event) int { return strings.Count(replyOf(e, lastBatch(e)), "[piece ") }
			drops := 0
			for _, at := range []int{10, 40, 80} {
				alice.until(t, fmt.Sprintf("%d pieces", at), func(e []wire.Event) bool { return pieceCount(e) >= at })
				cut.cut(true)
				drops++
				bob.until(t, "25 more pieces", func(e []wire.Event) bool { return pieceCount(e) >= at+25 })
				if tc.maxMessage > 0 {
					st, err := h.Party().State(alice.c.LastSeq())
					if err != nil || !st.Truncated {
						t.Fatalf("the replay alice needs fits one message (truncated %v, %v): the test does not page", st.Truncated, err)
					}
				}
				cut.up()
				alice.until(t, "the missed pieces", func(e []wire.Event) bool { return pieceCount(e) >= at+25 })
			}
			evs := bob.until(t, "the streamed turn", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 4 })
			got := alice.until(t, "everything bob saw", func(e []wire.Event) bool { return lastSeq(e) >= lastSeq(evs) })
			alice.checkComplete(t)
			bob.checkComplete(t)
			b := of(got, wire.KindBatch)[3].Batch
			if r := replyOf(got, b.ID); r != streamReply(pieces, size) {
				t.Fatalf("alice's reply: %d bytes, want %d", len(r), pieces*size)
			}
			if tr := turnOf(got, b.ID); tr.Status != wire.TurnDone {
				t.Fatalf("turn %+v", *tr)
			}
			// The same party as bob's: every event that is not output, by seq, and the same
			// output text per stream (output may arrive merged differently on each connection).
			if a, b := byKind(got, evs[len(evs)-1].Seq), byKind(evs, evs[len(evs)-1].Seq); a != b {
				t.Fatalf("alice and bob saw different parties:\nalice %s\nbob   %s", a, b)
			}
			if drops != 3 {
				t.Fatalf("%d drops", drops)
			}
		})
	}
}

// byKind summarises evs up to seq: each non-output event as seq:kind:text, and each
// stream's output text.
func byKind(evs []wire.Event, upTo int64) string {
	var b strings.Builder
	out := map[string]*strings.Builder{}
	for _, ev := range evs {
		if ev.Seq > upTo {
			break
		}
		if ev.Kind == wire.KindOutput {
			if out[ev.Stream] == nil {
				out[ev.Stream] = &strings.Builder{}
			}
			out[ev.Stream].WriteString(ev.Text)
			continue
		}
		fmt.Fprintf(&b, "%d:%s:%s ", ev.Seq, ev.Kind, cut(ev.Text))
	}
	for _, s := range []string{wire.StreamAssistant, wire.StreamTool, wire.StreamStderr} {
		if out[s] != nil {
			fmt.Fprintf(&b, "| %s %d bytes %x", s, out[s].Len(), fnv(out[s].String()))
		}
	}
	return b.String()
}

// fnv is a short fingerprint of s (FNV-1a, 64 bits).
func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lastBatch is the id of the latest batch event, or "".
func lastBatch(evs []wire.Event) string {
	bs := of(evs, wire.KindBatch)
	if len(bs) == 0 {
		return ""
	}
	return bs[len(bs)-1].Batch.ID
}

// claudeChild is the pid of this process's child running Claude Code in stream-json mode.
func claudeChild(t *testing.T) int {
	t.Helper()
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if strings.Contains(string(cmdline), "stream-json") {
			return pid
		}
	}
	t.Fatal("no Claude Code child process")
	return 0
}

// TestRealClaudeKilledMidStream SIGKILLs the real Claude Code binary (against the fake
// Messages API) while its reply streams. The party reports it, sends a retry event, restarts
// the binary on its session (--resume after a kill) and the retried batch is answered; the
// reply after the retry is the whole reply exactly once (the "ECHECHO" of issue 8 was the
// partial text repeated).
func TestRealClaudeKilledMidStream(t *testing.T) {
	bin := testkit.RealClaude(t)
	const text = "The whole reply, streamed slowly in three pieces."
	api := testkit.NewFakeAnthropic(t, func(testkit.AnthropicRequest) string { return text })
	api.SetDelay(time.Second)
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{Path: bin, Env: testkit.RealClaudeEnv(t, api.URL)}})
	alice := watch(t, h.Invite(), "alice")
	alice.until(t, "claude started", func(e []wire.Event) bool {
		return slices.ContainsFunc(of(e, wire.KindSystem), func(ev wire.Event) bool { return ev.Text == "claude started" })
	})
	prompt(t, alice, "tell me slowly")
	evs := alice.until(t, "the first piece", func(e []wire.Event) bool {
		bs := of(e, wire.KindBatch)
		return len(bs) == 1 && len(of(after(e, bs[0].Seq), wire.KindOutput)) > 0
	})
	b := of(evs, wire.KindBatch)[0].Batch
	pid := claudeChild(t)
	api.SetDelay(0)
	if err := testkit.KillPID(pid); err != nil {
		t.Fatal(err)
	}
	evs = alice.until(t, "the retried turn", func(e []wire.Event) bool { return turnOf(e, b.ID) != nil })
	if tr := turnOf(evs, b.ID); tr.Status != wire.TurnDone {
		t.Fatalf("turn %+v: %s", *tr, lastFew(evs, 10))
	}
	if len(of(evs, wire.KindRetry)) != 1 {
		t.Fatalf("want one retry event: %s", lastFew(evs, 12))
	}
	if got := strings.TrimSpace(replyOf(evs, b.ID)); got != text {
		t.Fatalf("reply after the retry %q, want %q", got, text)
	}
	if claudeChild(t) == pid {
		t.Fatal("the killed binary is still the agent")
	}
	alice.checkComplete(t)
}

// TestAgentRefusesExtraArgs: extra arguments Claude Code refuses (a window tester's
// --bogus-flag) fail every start the same way. The launch's notice and the batch's error
// say so, name the arguments and what the host can do, and neither says it will be tried
// again nor asks to send the prompts again: that could never succeed.
func TestAgentRefusesExtraArgs(t *testing.T) {
	var started atomic.Int32
	h := hostParty(t, host.Config{Insecure: true, Agent: agent.Config{Path: testkit.FakeClaude(t), Args: []string{"--bogus-flag"}},
		OnAgentStarted: func() { started.Add(1) }})
	alice := watch(t, h.Invite(), "alice")
	want := "claude could not start: Claude Code refused the extra arguments (--bogus-flag), so it will not start in this party: the host can end the party and host it again with other ones (--claude-arg in a terminal; More options in the window's Create party); stderr: error: unknown option '--bogus-flag'"
	alice.until(t, "the start-up failure", func(e []wire.Event) bool {
		return slices.ContainsFunc(of(e, wire.KindError), func(ev wire.Event) bool { return strings.Contains(ev.Text, "claude could not start") })
	})
	prompt(t, alice, "attempt")
	evs := alice.until(t, "the batch's end", func(e []wire.Event) bool { return len(of(e, wire.KindTurn)) == 1 })
	if launch := of(evs, wire.KindError)[0].Text; launch != want {
		t.Errorf("launch notice %q,\nwant %q", launch, want)
	}
	b := of(evs, wire.KindBatch)[0].Batch
	if tr := turnOf(evs, b.ID); tr.Status != wire.TurnError || !tr.Unsent || !tr.AgentDown || tr.Error != want {
		t.Errorf("turn %+v,\nwant the error %q", *tr, want)
	}
	// The host says why claude did not start (a terminal host ends on it).
	<-h.Started()
	if err := h.StartErr(); !errors.Is(err, agent.ErrArgsRefused) {
		t.Errorf("StartErr %v, want agent.ErrArgsRefused", err)
	}
	// Nothing says the arguments were taken (a window remembers them only then).
	if n := started.Load(); n != 0 {
		t.Errorf("OnAgentStarted called %d times for a claude that refused its arguments", n)
	}
}

// TestOnAgentStartedOnceClaudeRuns: OnAgentStarted is called once claude first starts,
// also when that is a batch's start after the launch's failed, and not again when claude
// is started again.
func TestOnAgentStartedOnceClaudeRuns(t *testing.T) {
	dir := t.TempDir()
	pidfile, marker := filepath.Join(dir, "claude.pid"), filepath.Join(dir, "fail-start")
	if err := os.WriteFile(marker, nil, 0o600); err != nil { // the launch's start fails
		t.Fatal(err)
	}
	var started atomic.Int32
	h := hostParty(t, host.Config{Insecure: true, OnAgentStarted: func() { started.Add(1) },
		Agent: agent.Config{Env: []string{"FAKECLAUDE_PIDFILE=" + pidfile, "FAKECLAUDE_FAIL_START_ONCE=" + marker}}})
	alice := watch(t, h.Invite(), "alice")
	alice.until(t, "the failed start", func(e []wire.Event) bool {
		return slices.ContainsFunc(of(e, wire.KindError), func(ev wire.Event) bool { return strings.Contains(ev.Text, "claude could not start") })
	})
	if n := started.Load(); n != 0 {
		t.Fatalf("OnAgentStarted called %d times after a failed start", n)
	}
	done := func(n int) {
		t.Helper()
		evs := alice.until(t, "the turn", func(e []wire.Event) bool {
			bs := of(e, wire.KindBatch)
			return len(bs) == n && turnOf(e, bs[n-1].Batch.ID) != nil
		})
		bs := of(evs, wire.KindBatch)
		if tr := turnOf(evs, bs[n-1].Batch.ID); tr.Status != wire.TurnDone {
			t.Fatalf("turn %+v: %s", *tr, lastFew(evs, 10))
		}
	}
	prompt(t, alice, "first")
	done(1)
	if n := started.Load(); n != 1 {
		t.Fatalf("OnAgentStarted called %d times once claude ran a turn, want 1", n)
	}
	killFrom(t, pidfile)
	prompt(t, alice, "after the kill")
	done(2)
	if n := started.Load(); n != 1 {
		t.Fatalf("OnAgentStarted called %d times after claude was started again, want 1", n)
	}
}
