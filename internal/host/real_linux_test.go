package host

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestRealClaudeKilledWhileIdleIsSaid: the real Claude Code, killed between turns (the
// OOM killer, a stray kill), was seen by no one until the next batch. The party is told
// at once, and the next prompt is answered by a claude started again.
func TestRealClaudeKilledWhileIdleIsSaid(t *testing.T) {
	bin := testkit.RealClaude(t)
	api := testkit.NewFakeAnthropic(t, func(req testkit.AnthropicRequest) string { return "answered: " + req.LastUserText })
	h := startHost(t, Config{
		Window: 200 * time.Millisecond,
		Agent:  agent.Config{Path: bin, WorkDir: t.TempDir(), Env: testkit.RealClaudeEnv(t, api.URL)},
	})
	alice := join(t, h.Invite(), "alice")
	alice.waitFor(t, "claude started", func(e []wire.Event) bool {
		for _, ev := range kinds(e, wire.KindSystem) {
			if ev.Text == "claude started" {
				return true
			}
		}
		return false
	})
	var pids []int
	for deadline := time.Now().Add(10 * time.Second); len(pids) != 1; time.Sleep(50 * time.Millisecond) {
		if pids = testkit.ChildrenWith(os.Getpid(), "stream-json"); time.Now().After(deadline) {
			t.Fatalf("claude's processes: %v, want one", pids)
		}
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	evs := alice.waitFor(t, "the exit said", func(e []wire.Event) bool {
		for _, ev := range kinds(e, wire.KindError) {
			if strings.HasSuffix(ev.Text, IdleExitNotice) {
				return true
			}
		}
		return false
	})
	for _, ev := range kinds(evs, wire.KindError) {
		if strings.HasSuffix(ev.Text, IdleExitNotice) && !strings.HasPrefix(ev.Text, "claude exited (signal: killed)") {
			t.Fatalf("the exit was said as %q", ev.Text)
		}
	}
	if _, err := alice.c.Prompt(context.Background(), "are you there"); err != nil {
		t.Fatal(err)
	}
	evs = alice.waitFor(t, "the turn after the kill", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if tr := kinds(evs, wire.KindTurn)[0].Turn; tr.Status != wire.TurnDone {
		t.Fatalf("the turn after the kill: %+v\n%v", tr, kinds(evs, wire.KindError))
	}
	if got := reply(evs); !strings.Contains(got, "answered: ") || !strings.Contains(got, "are you there") {
		t.Fatalf("the reply after the kill: %q", got)
	}
}
