package agent_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/reap"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// These tests drive the real Claude Code binary against a fake Messages API on loopback.

var sessionIDRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// realAgent starts the real binary pointed at api; it is closed when the test ends.
func realAgent(t *testing.T, api *testkit.FakeAnthropic) *agent.Agent {
	t.Helper()
	a := agent.New(agent.Config{
		Path:        testkit.RealClaude(t),
		WorkDir:     t.TempDir(),
		Env:         testkit.RealClaudeEnv(t, api.URL),
		StopTimeout: 5 * time.Second,
	})
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("real claude ready in %v", time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return a
}

func replyTo(req testkit.AnthropicRequest) string {
	return "Fake API here. You said: " + req.LastUserText
}

func TestRealClaudeTurn(t *testing.T) {
	api := testkit.NewFakeAnthropic(t, replyTo)
	// Deltas that come apart go out apart; a burst may rightly go out as one (burst.go).
	api.SetDelay(100 * time.Millisecond)
	a := realAgent(t, api)
	for _, prompt := range []string{"first question", "second question"} {
		c := newCollector()
		start := time.Now()
		res, err := a.Turn(turnCtx(t), prompt, c.out)
		t.Logf("turn %q took %v", prompt, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("Turn: %v", err)
		}
		want := "Fake API here. You said: " + prompt
		deltas := c.stream(wire.StreamAssistant)
		if got := strings.Join(deltas, ""); got != want {
			t.Errorf("streamed assistant text %q, want %q (outputs %q)", got, want, c.sequence())
		}
		if len(deltas) < 2 {
			t.Errorf("assistant text came in %d pieces, want the API's deltas", len(deltas))
		}
		if res.IsError || res.Text != want {
			t.Errorf("result %+v, want success with text %q", res, want)
		}
		if !sessionIDRe.MatchString(res.SessionID) || a.SessionID() != res.SessionID {
			t.Errorf("session id %q (agent says %q)", res.SessionID, a.SessionID())
		}
	}
	reqs := api.Requests()
	if len(reqs) < 2 {
		t.Fatalf("the API saw %d requests, want at least 2", len(reqs))
	}
	// The second turn carries the first in its history: one session.
	if last := reqs[len(reqs)-1]; !bytes.Contains(last, []byte("first question")) {
		t.Error("second request lacks the first turn's prompt")
	}
}

func TestRealClaudeAPIError(t *testing.T) {
	// One process for every case: an API error ends the turn, not claude.
	api := testkit.NewFakeAnthropic(t, replyTo)
	a := realAgent(t, api)
	tests := []struct {
		name    string
		status  int
		message string
	}{
		{name: "bad request", status: 400, message: "fake bad request"},
		{name: "server error", status: 500, message: "fake server failure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api.FailWith(tc.status, tc.message)
			before := len(api.Requests())
			c := newCollector()
			start := time.Now()
			res, err := a.Turn(turnCtx(t), "this will fail", c.out)
			t.Logf("failing turn took %v", time.Since(start).Round(time.Millisecond))
			if err != nil {
				t.Fatalf("Turn: %v", err)
			}
			if !res.IsError || !strings.Contains(res.Error, tc.message) || !strings.Contains(res.Error, strconv.Itoa(tc.status)) {
				t.Errorf("result %+v: want IsError with %d and %q", res, tc.status, tc.message)
			}
			if got := c.stream(wire.StreamAssistant); len(got) != 0 {
				t.Errorf("the API error came out as assistant text %q", got)
			}
			if n := len(api.Requests()) - before; n != 1 {
				t.Errorf("%d API requests, want 1 (no retries)", n)
			}
			if !a.Alive() {
				t.Error("claude died on an API error")
			}
		})
	}
	api.FailWith(0, "")
	if res, err := a.Turn(turnCtx(t), "now it works", nil); err != nil || res.IsError {
		t.Errorf("turn after the API recovered: %+v, %v", res, err)
	}
}

func TestRealClaudeRestartResumes(t *testing.T) {
	api := testkit.NewFakeAnthropic(t, replyTo)
	a := realAgent(t, api)
	first, err := a.Turn(turnCtx(t), "remember the word marmalade", nil)
	if err != nil || first.IsError {
		t.Fatalf("first turn: %+v, %v", first, err)
	}
	start := time.Now()
	if err := a.Restart(turnCtx(t)); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	t.Logf("restart took %v", time.Since(start).Round(time.Millisecond))
	second, err := a.Turn(turnCtx(t), "which word?", nil)
	if err != nil || second.IsError {
		t.Fatalf("turn after restart: %+v, %v", second, err)
	}
	if second.SessionID != first.SessionID {
		t.Errorf("session %q after restart, want %q", second.SessionID, first.SessionID)
	}
	reqs := api.Requests()
	if last := reqs[len(reqs)-1]; !bytes.Contains(last, []byte("marmalade")) {
		t.Error("the resumed session lost the first turn")
	}
}

func TestRealClaudeInterrupt(t *testing.T) {
	api := testkit.NewFakeAnthropic(t, func(testkit.AnthropicRequest) string {
		return "a reply that streams slowly in several pieces"
	})
	api.SetDelay(700 * time.Millisecond)
	a := realAgent(t, api)
	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.seen:
			cancel()
		case <-time.After(20 * time.Second):
		}
	}()
	res, err := a.Turn(ctx, "go slowly", c.out)
	if err != nil {
		t.Fatalf("Turn: %v", err)
	}
	if !res.Interrupted || res.Error != wire.TurnInterrupted {
		t.Errorf("result %+v: want interrupted", res)
	}
	api.SetDelay(0)
	res, err = a.Turn(turnCtx(t), "again", nil)
	if err != nil || res.IsError || res.Text != "a reply that streams slowly in several pieces" {
		t.Errorf("turn after interrupt: %+v, %v", res, err)
	}
}

func TestRealClaudeResumeUnknownSession(t *testing.T) {
	// What the party sees when the session to resume is gone (another HOME, deleted files):
	// Start fails fast with claude's own explanation.
	api := testkit.NewFakeAnthropic(t, replyTo)
	a := agent.New(agent.Config{
		Path:    testkit.RealClaude(t),
		WorkDir: t.TempDir(),
		Env:     testkit.RealClaudeEnv(t, api.URL),
		Resume:  "00000000-0000-4000-8000-000000000000",
	})
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	err := a.Start(turnCtx(t))
	if !errors.Is(err, agent.ErrExited) || !strings.Contains(err.Error(), "No conversation found") {
		t.Fatalf("Start = %v, want ErrExited saying no conversation was found", err)
	}
}

// TestRealClaudeInterruptWhileAsking: the real CLI, interrupted while it waits for a tool
// permission answer, withdraws the request itself and ends the turn; no answer is written
// (see answerToolRequest), the process is not killed and the next turn works.
func TestRealClaudeInterruptWhileAsking(t *testing.T) {
	api := testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
		if strings.Contains(req.LastUserText, "make the file") {
			return testkit.ToolUse("Bash", map[string]any{"command": "touch x", "description": "Create x"})
		}
		return testkit.AnthropicReply{Text: "plain reply"}
	})
	a := agent.New(agent.Config{
		Path:             testkit.RealClaude(t),
		WorkDir:          t.TempDir(),
		Env:              testkit.RealClaudeEnv(t, api.URL),
		PermissionPrompt: true,
		StopTimeout:      10 * time.Second,
	})
	if err := a.Start(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	asked := make(chan agent.ToolRequest, 1)
	ask := func(actx context.Context, req agent.ToolRequest) agent.ToolDecision {
		asked <- req
		<-actx.Done()
		return agent.ToolDecision{Message: "stopped"}
	}
	go func() {
		select {
		case <-asked:
			cancel()
		case <-time.After(20 * time.Second):
		}
	}()
	start := time.Now()
	res, err := a.TurnWith(ctx, "please make the file x", agent.TurnOptions{Ask: ask})
	t.Logf("interrupted turn took %v", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("TurnWith: %v (the CLI did not end the turn when interrupted while asking)", err)
	}
	if !res.Interrupted {
		t.Errorf("result %+v, want interrupted", res)
	}
	res, err = a.TurnWith(turnCtx(t), "and now?", agent.TurnOptions{})
	if err != nil || res.IsError || res.Text != "plain reply" {
		t.Errorf("turn after the interrupt: %+v, %v", res, err)
	}
}

// TestRealClaudeBackgroundJobStopped: the real CLI runs a tool's shell in a session of its
// own, so a background job a Bash command starts is in neither claude's process group nor
// its session: it outlives the agent (it used to outlive the party, too). It carries the
// reap marker given in Config.Env, and reap.Stop ends it — what the host does at the end.
func TestRealClaudeBackgroundJobStopped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are found by their environment only on Linux")
	}
	secs := strconv.Itoa(900 + int(time.Now().UnixNano()%90))
	api := testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
		if strings.Contains(req.LastUserText, "start the job") {
			return testkit.ToolUse("Bash", map[string]any{"command": "nohup sleep " + secs + " >/dev/null 2>&1 & echo started", "description": "Start a job"})
		}
		return testkit.AnthropicReply{Text: "started it"}
	})
	id := reap.NewID()
	a := agent.New(agent.Config{
		Path:             testkit.RealClaude(t),
		WorkDir:          t.TempDir(),
		Env:              append(testkit.RealClaudeEnv(t, api.URL), reap.Marker(id)),
		PermissionPrompt: true,
		StopTimeout:      10 * time.Second,
	})
	if err := a.Start(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	allow := func(context.Context, agent.ToolRequest) agent.ToolDecision { return agent.ToolDecision{Allow: true} }
	if _, err := a.TurnWith(turnCtx(t), "please start the job", agent.TurnOptions{Ask: allow}); err != nil {
		t.Fatal(err)
	}
	pids := processesRunning(t, "sleep "+secs)
	if len(pids) != 1 {
		t.Fatalf("%d processes run sleep %s after the turn, want the job", len(pids), secs)
	}
	t.Cleanup(func() {
		if p, err := os.FindProcess(pids[0]); err == nil {
			_ = p.Kill()
		}
	})
	if err := a.Close(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	if !testkit.Alive(pids[0]) {
		t.Fatal("the job ended with claude: the real CLI now stops its tools' jobs itself, and this test no longer shows the need")
	}
	left, err := reap.Stop(id, reap.Grace)
	if err != nil || len(left) != 1 || left[0].Command != "sleep "+secs {
		t.Fatalf("reap.Stop = %+v, %v; want sleep %s", left, err, secs)
	}
	if testkit.Alive(pids[0]) {
		t.Fatalf("the job (pid %d) still runs after reap.Stop", pids[0])
	}
}

// processesRunning lists the pids whose command line is exactly cmdline (words joined by
// spaces), read from /proc.
func processesRunning(t *testing.T, cmdline string) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ") == cmdline && testkit.Alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestRealClaudeClearSaysDone: the real Claude Code answers /clear with "(no content)";
// a host's command shows as done instead (a tester read it as something gone missing).
func TestRealClaudeClearSaysDone(t *testing.T) {
	api := testkit.NewFakeAnthropic(t, replyTo)
	a := realAgent(t, api)
	if _, err := a.Turn(turnCtx(t), "hello", newCollector().out); err != nil {
		t.Fatal(err)
	}
	c := newCollector()
	res, err := a.TurnWith(turnCtx(t), "/clear", agent.TurnOptions{Command: true, Out: c.out})
	if err != nil || res.IsError {
		t.Fatalf("/clear: %+v, %v", res, err)
	}
	if got := strings.Join(c.stream(wire.StreamAssistant), ""); got != "done (the command gave no output)" {
		t.Fatalf("/clear showed %q (outputs %q)", got, c.sequence())
	}
}

// TestRealClaudeCompactSaysSomething: the real Claude Code's /compact streams nothing at
// all; a host's command shows as done (a tester could not tell whether it worked).
func TestRealClaudeCompactSaysSomething(t *testing.T) {
	api := testkit.NewFakeAnthropic(t, replyTo)
	a := realAgent(t, api)
	for _, p := range []string{"hello", "and again"} {
		if _, err := a.Turn(turnCtx(t), p, newCollector().out); err != nil {
			t.Fatal(err)
		}
	}
	c := newCollector()
	res, err := a.TurnWith(turnCtx(t), "/compact", agent.TurnOptions{Command: true, Out: c.out})
	if err != nil {
		t.Fatalf("/compact: %v", err)
	}
	if got := strings.Join(c.stream(wire.StreamAssistant), ""); got == "" {
		t.Fatalf("/compact showed nothing (result %+v, outputs %q)", res, c.sequence())
	} else {
		t.Logf("/compact showed %q (error %v)", got, res.IsError)
	}
}

// TestRealClaudeSwitchMode: the real CLI takes set_permission_mode while it runs (what a
// host's Party.setPermissionMode sends it): after a switch to acceptEdits a file write in
// its working directory is no longer asked about, and after a switch back it is again.
func TestRealClaudeSwitchMode(t *testing.T) {
	work := t.TempDir()
	api := testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
		if len(req.ToolResults) > 0 {
			return testkit.AnthropicReply{Text: "tool said: " + req.ToolResults[0].Content}
		}
		if _, name, ok := strings.Cut(req.LastUserText, "write "); ok {
			return testkit.ToolUse("Write", map[string]any{"file_path": filepath.Join(work, name), "content": "hello\n"})
		}
		return testkit.AnthropicReply{Text: "plain reply"}
	})
	a := agent.New(agent.Config{
		Path:             testkit.RealClaude(t),
		WorkDir:          work,
		Env:              testkit.RealClaudeEnv(t, api.URL),
		PermissionPrompt: true,
		PermissionMode:   agent.ClaudeModeDefault,
		StopTimeout:      10 * time.Second,
	})
	if err := a.Start(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	write := func(name string) (asked []string) {
		t.Helper()
		ask := func(_ context.Context, req agent.ToolRequest) agent.ToolDecision {
			asked = append(asked, req.Tool)
			return agent.ToolDecision{Allow: true}
		}
		res, err := a.TurnWith(turnCtx(t), "please write "+name, agent.TurnOptions{Ask: ask})
		if err != nil || res.IsError {
			t.Fatalf("turn writing %s: %+v, %v", name, res, err)
		}
		if _, err := os.Stat(filepath.Join(work, name)); err != nil {
			t.Fatalf("%s was not written: %v (reply %q)", name, err, res.Text)
		}
		return asked
	}
	if asked := write("a.txt"); !slices.Equal(asked, []string{"Write"}) {
		t.Fatalf("in default mode the write asked %q, want [Write]", asked)
	}
	if err := a.SwitchMode(turnCtx(t), agent.ClaudeModeAcceptEdits); err != nil {
		t.Fatalf("switch to acceptEdits: %v", err)
	}
	if asked := write("b.txt"); len(asked) != 0 {
		t.Fatalf("after the switch to acceptEdits the write asked %q", asked)
	}
	if err := a.SwitchMode(turnCtx(t), agent.ClaudeModeDefault); err != nil {
		t.Fatalf("switch back to default: %v", err)
	}
	if asked := write("c.txt"); !slices.Equal(asked, []string{"Write"}) {
		t.Fatalf("after the switch back the write asked %q, want [Write]", asked)
	}
	// (The CLI answers success to a mode it does not know, too: ClaudeMode is what keeps
	// anything but its four modes from being sent.)
}
