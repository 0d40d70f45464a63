package agent_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/reap"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// collector gathers a turn's Outputs; out is called from the agent's reader goroutines.
type collector struct {
	mu   sync.Mutex
	outs []agent.Output
	seen chan struct{} // gets a token per Output
}

func newCollector() *collector { return &collector{seen: make(chan struct{}, 1<<16)} }

func (c *collector) out(o agent.Output) {
	c.mu.Lock()
	c.outs = append(c.outs, o)
	c.mu.Unlock()
	select {
	case c.seen <- struct{}{}:
	default:
	}
}

func (c *collector) stream(name string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var s []string
	for _, o := range c.outs {
		if o.Stream == name {
			s = append(s, o.Text)
		}
	}
	return s
}

// sequence is the order of assistant and tool outputs, each tagged with its stream, with
// consecutive assistant deltas joined.
func (c *collector) sequence() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := []string{}
	prev := ""
	for _, o := range c.outs {
		switch {
		case o.Stream == wire.StreamStderr:
			continue
		case o.Stream == wire.StreamAssistant && prev == wire.StreamAssistant:
			s[len(s)-1] += o.Text
		default:
			s = append(s, o.Stream+":"+o.Text)
		}
		prev = o.Stream
	}
	return s
}

// fakeAgent starts an agent on the fake claude; it is closed when the test ends.
func fakeAgent(t *testing.T, env ...string) *agent.Agent {
	t.Helper()
	a := agent.New(agent.Config{
		Path:        testkit.FakeClaude(t),
		WorkDir:     t.TempDir(),
		Env:         env,
		StopTimeout: 10 * time.Second, // generous: under -race on a loaded machine the fake can be slow to answer an interrupt
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	return a
}

func turnCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// logEntry is one line of FAKECLAUDE_LOG.
type logEntry struct {
	Text       string   `json:"text"`
	Session    string   `json:"session"`
	Args       []string `json:"args"`
	ClaudeCode bool     `json:"claudecode"`
	Signal     string   `json:"signal"`
	Ignored    bool     `json:"ignored"`
	Orphan     int      `json:"orphan"`
	Detached   int      `json:"detached"`
}

func readLog(t *testing.T, path string) []logEntry {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []logEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e logEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		entries = append(entries, e)
	}
	return entries
}

func TestTurnWithFake(t *testing.T) {
	const big = 2 << 20 // a 2 MiB assistant line
	tests := []struct {
		name      string
		prompt    string
		env       []string
		want      []string // see collector.sequence; nil: don't check
		wantText  string   // the whole assistant reply
		minDeltas int      // at least this many assistant outputs
		wantErr   string   // Result.Error; "" means success
		wantInErr string   // a stderr output containing this
	}{
		{
			name:     "reply in one burst",
			prompt:   "hello there, agent",
			wantText: "echo: hello there, agent",
		},
		{
			// Deltas that come apart go out apart; a burst may go out as fewer (burst.go),
			// and so may deltas 100 ms apart on a machine that stalls the reader that long.
			name:      "reply streams as deltas",
			prompt:    "FAKE_STREAM=5:100:8",
			wantText:  "[piece 1/5][piece 2/5][piece 3/5][piece 4/5][piece 5/5]",
			minDeltas: 2,
		},
		{
			name:     "no partial messages: final message once",
			prompt:   "hi",
			env:      []string{"FAKECLAUDE_NO_PARTIAL=1"},
			want:     []string{"assistant:echo: hi"},
			wantText: "echo: hi",
		},
		{
			name:     "distinct text blocks are separated by a blank line",
			prompt:   "FAKE_BLOCKS",
			wantText: "first block\n\necho: FAKE_BLOCKS",
		},
		{
			name:   "tool call and result between texts",
			prompt: "FAKE_TOOL go",
			want: []string{
				"assistant:Let me check.", "tool:Bash: ls -la", "tool:-> file-a (+2 lines)",
				"tool_output:file-a\nfile-b\nfile-c\n", "assistant:\n\necho: FAKE_TOOL go",
			},
			wantText: "Let me check.\n\necho: FAKE_TOOL go",
		},
		{
			name:     "tool call without partial messages",
			prompt:   "FAKE_TOOL x",
			env:      []string{"FAKECLAUDE_NO_PARTIAL=1"},
			want:     []string{"assistant:Let me check.", "tool:Bash: ls -la", "tool:-> file-a (+2 lines)", "tool_output:file-a\nfile-b\nfile-c\n", "assistant:\n\necho: FAKE_TOOL x"},
			wantText: "Let me check.\n\necho: FAKE_TOOL x",
		},
		{
			name:    "error result",
			prompt:  "please FAKE_ERROR",
			want:    []string{},
			wantErr: "API Error: 500 fake failure",
		},
		{
			name:      "api retry becomes a stderr notice",
			prompt:    "FAKE_RETRY",
			wantText:  "echo: FAKE_RETRY",
			wantInErr: "claude: API request failed (HTTP 529, overloaded); retry 1 of 2 in 0.5s",
		},
		{
			name:   "permission prompt without an Ask is denied",
			prompt: "FAKE_ASK",
			want: []string{
				"assistant:Let me check.", "tool:Bash: touch file-1", "tool:-> (permission denied: nobody can approve tool use here) Bash touch file-1",
				"tool:-> (denied) Nobody can approve tool use in this session.",
				"assistant:\n\ntools: denied: Nobody can approve tool use in this session.",
			},
			wantText: "Let me check.\n\ntools: denied: Nobody can approve tool use in this session.",
		},
		{
			name:     "2 MiB line",
			prompt:   "FAKE_BIG=2097152",
			wantText: strings.Repeat("x", big),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := fakeAgent(t, tc.env...)
			c := newCollector()
			res, err := a.Turn(turnCtx(t), tc.prompt, c.out)
			if err != nil {
				t.Fatalf("Turn: %v", err)
			}
			if tc.want != nil {
				if got := c.sequence(); !slices.Equal(got, tc.want) {
					t.Errorf("outputs:\n got %q\nwant %q", got, tc.want)
				}
			}
			text := strings.Join(c.stream(wire.StreamAssistant), "")
			if text != tc.wantText {
				t.Errorf("assistant text = %.80q (len %d), want %.80q (len %d)", text, len(text), tc.wantText, len(tc.wantText))
			}
			if res.Text != tc.wantText {
				t.Errorf("Result.Text = %.80q, want %.80q", res.Text, tc.wantText)
			}
			if n := len(c.stream(wire.StreamAssistant)); n < tc.minDeltas {
				t.Errorf("%d assistant outputs, want at least %d", n, tc.minDeltas)
			}
			if res.IsError != (tc.wantErr != "") || res.Error != tc.wantErr {
				t.Errorf("IsError %v, Error %q; want error %q", res.IsError, res.Error, tc.wantErr)
			}
			if res.Interrupted {
				t.Error("Interrupted set on a turn that was not interrupted")
			}
			if res.SessionID == "" || res.SessionID != a.SessionID() {
				t.Errorf("Result.SessionID %q, SessionID() %q: want equal and set", res.SessionID, a.SessionID())
			}
			if tc.wantInErr != "" && !slices.ContainsFunc(c.stream(wire.StreamStderr), func(s string) bool {
				return strings.Contains(s, tc.wantInErr)
			}) {
				t.Errorf("stderr outputs %q lack %q", c.stream(wire.StreamStderr), tc.wantInErr)
			}
		})
	}
}

func TestTurnsShareOneSession(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log")
	a := fakeAgent(t, "FAKECLAUDE_LOG="+logPath)
	if a.SessionID() != "" {
		t.Errorf("SessionID before the first turn = %q, want empty", a.SessionID())
	}
	for _, p := range []string{"one", "two"} {
		if _, err := a.Turn(turnCtx(t), p, nil); err != nil {
			t.Fatalf("Turn %q: %v", p, err)
		}
	}
	entries := readLog(t, logPath)
	if len(entries) != 2 || entries[0].Text != "one" || entries[1].Text != "two" {
		t.Fatalf("fake received %+v, want the prompts one and two", entries)
	}
	if entries[0].Session != a.SessionID() || entries[1].Session != a.SessionID() {
		t.Errorf("sessions %q, %q; agent says %q", entries[0].Session, entries[1].Session, a.SessionID())
	}
	if slices.Contains(entries[0].Args, "--resume") {
		t.Errorf("first start has --resume: %q", entries[0].Args)
	}
	if entries[0].ClaudeCode {
		t.Error("CLAUDECODE reached claude")
	}
}

func TestCLAUDECODEIsRemoved(t *testing.T) {
	t.Setenv("CLAUDECODE", "1")
	logPath := filepath.Join(t.TempDir(), "log")
	a := fakeAgent(t, "FAKECLAUDE_LOG="+logPath, "CLAUDECODE=1")
	if _, err := a.Turn(turnCtx(t), "hi", nil); err != nil {
		t.Fatal(err)
	}
	if e := readLog(t, logPath); len(e) != 1 || e[0].ClaudeCode {
		t.Errorf("log %+v: want one entry without CLAUDECODE", e)
	}
}

func TestCrashGivesErrExited(t *testing.T) {
	a := fakeAgent(t)
	c := newCollector()
	res, err := a.Turn(turnCtx(t), "FAKE_CRASH_ALWAYS", c.out)
	if !errors.Is(err, agent.ErrExited) {
		t.Fatalf("Turn = %+v, %v; want ErrExited", res, err)
	}
	var ee *agent.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("error %T is not an *ExitError", err)
	}
	if ee.Status != "exit status 3" {
		t.Errorf("Status = %q, want exit status 3", ee.Status)
	}
	if !slices.Contains(ee.Stderr, "fake claude: simulated crash") || !strings.Contains(err.Error(), "simulated crash") {
		t.Errorf("error %q (stderr %q) lacks the last stderr line", err, ee.Stderr)
	}
	if got := strings.Join(c.stream(wire.StreamAssistant), ""); got == "" {
		t.Error("the delta written before the crash did not come out")
	}
	if a.Alive() {
		t.Error("Alive after a crash")
	}
	if _, err := a.Turn(turnCtx(t), "again", nil); !errors.Is(err, agent.ErrExited) {
		t.Errorf("Turn on a dead agent = %v, want ErrExited", err)
	}
}

func TestCrashWithOrphanHoldingPipes(t *testing.T) {
	// A tool's background process can outlive claude and keep its stdout open; the turn must
	// still end with ErrExited (after a short grace), not hang until its context runs out.
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep command")
	}
	logPath := filepath.Join(t.TempDir(), "log")
	a := fakeAgent(t, "FAKECLAUDE_LOG="+logPath)
	t.Cleanup(func() {
		for _, e := range readLog(t, logPath) {
			if e.Orphan != 0 {
				if p, err := os.FindProcess(e.Orphan); err == nil {
					_ = p.Kill()
					_, _ = p.Wait()
				}
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := a.Turn(ctx, "FAKE_ORPHAN", nil)
	if !errors.Is(err, agent.ErrExited) || ctx.Err() != nil {
		t.Fatalf("Turn = %v (ctx %v), want ErrExited before the context ends", err, ctx.Err())
	}
	if !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("error %q lacks the exit status", err)
	}
}

// TestToolJobsCarryTheMarker: a background job started the way the real CLI's Bash tool
// starts one — in a session of its own, so in neither claude's process group nor its
// session, and not stopped with claude — carries the reap marker given in Config.Env, and
// not the one this process inherited (another run's), so reap.Stop finds it.
func TestToolJobsCarryTheMarker(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are found by their environment only on Linux")
	}
	t.Setenv(reap.Var, "outer-run") // as if this host ran inside another agent's tool
	logPath := filepath.Join(t.TempDir(), "log")
	id := reap.NewID()
	a := agent.New(agent.Config{
		Path:        testkit.FakeClaude(t),
		WorkDir:     t.TempDir(),
		Env:         []string{"FAKECLAUDE_LOG=" + logPath, reap.Marker(id)},
		StopTimeout: 10 * time.Second,
	})
	if err := a.Start(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	res, err := a.Turn(turnCtx(t), "start a job FAKE_DETACH", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, e := range readLog(t, logPath) {
		if e.Detached != 0 {
			pid = e.Detached
		}
	}
	if pid == 0 || res.Text != fmt.Sprintf("detached %d", pid) {
		t.Fatalf("reply %q, detached pid %d", res.Text, pid)
	}
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	})
	if err := a.Close(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	if !testkit.Alive(pid) {
		t.Fatal("the job died with claude: this test needs one that outlives it")
	}
	if left, _ := reap.Stop("outer-run", time.Second); len(left) != 0 {
		t.Fatalf("the inherited marker reached claude's job: %+v", left)
	}
	left, err := reap.Stop(id, time.Second)
	if err != nil || len(left) != 1 || left[0].PID != pid || left[0].Command != "sleep 300" {
		t.Fatalf("reap.Stop = %+v, %v; want sleep 300 (pid %d)", left, err, pid)
	}
	if testkit.Alive(pid) {
		t.Fatalf("the job (pid %d) still runs after reap.Stop", pid)
	}
}

func TestRestartResumesSession(t *testing.T) {
	tests := []struct {
		name        string
		env         []string
		sameSession bool
	}{
		{name: "same session after resume", sameSession: true},
		{name: "claude hands out a new session", env: []string{"FAKECLAUDE_NEW_SESSION_ON_RESUME=1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath := filepath.Join(dir, "log")
			env := append([]string{"FAKECLAUDE_LOG=" + logPath, "FAKECLAUDE_CRASH_ONCE=" + filepath.Join(dir, "crashed")}, tc.env...)
			a := fakeAgent(t, env...)
			first, err := a.Turn(turnCtx(t), "first", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Turn(turnCtx(t), "FAKE_CRASH now", nil); !errors.Is(err, agent.ErrExited) {
				t.Fatalf("crash turn: %v, want ErrExited", err)
			}
			if err := a.Restart(turnCtx(t)); err != nil {
				t.Fatalf("Restart: %v", err)
			}
			if !a.Alive() {
				t.Fatal("not alive after Restart")
			}
			retry, err := a.Turn(turnCtx(t), "FAKE_CRASH now", nil)
			if err != nil || retry.IsError {
				t.Fatalf("retry after restart: %+v, %v", retry, err)
			}
			if got := retry.SessionID == first.SessionID; got != tc.sameSession {
				t.Errorf("session before %q, after %q: same = %v, want %v", first.SessionID, retry.SessionID, got, tc.sameSession)
			}
			if a.SessionID() != retry.SessionID {
				t.Errorf("SessionID() = %q, want the stream's %q", a.SessionID(), retry.SessionID)
			}
			entries := readLog(t, logPath)
			if len(entries) != 3 {
				t.Fatalf("log has %d entries, want 3: %+v", len(entries), entries)
			}
			if i := slices.Index(entries[2].Args, "--resume"); i < 0 || i+1 >= len(entries[2].Args) || entries[2].Args[i+1] != first.SessionID {
				t.Errorf("restarted with args %q, want --resume %s", entries[2].Args, first.SessionID)
			}
		})
	}
}

func TestBusy(t *testing.T) {
	a := fakeAgent(t)
	c := newCollector()
	type outcome struct {
		res agent.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := a.Turn(turnCtx(t), "FAKE_SLOW=400 slow one", c.out)
		done <- outcome{res, err}
	}()
	select {
	case <-c.seen: // the first turn is running
	case <-time.After(10 * time.Second):
		t.Fatal("no output from the first turn")
	}
	if _, err := a.Turn(turnCtx(t), "second", nil); !errors.Is(err, agent.ErrBusy) {
		t.Errorf("second Turn during the first = %v, want ErrBusy", err)
	}
	o := <-done
	if o.err != nil || o.res.IsError || o.res.Text != "echo: FAKE_SLOW=400 slow one" {
		t.Errorf("first turn: %+v, %v", o.res, o.err)
	}
	if _, err := a.Turn(turnCtx(t), "third", nil); err != nil {
		t.Errorf("Turn after the first ended: %v", err)
	}
}

func TestInterrupt(t *testing.T) {
	a := fakeAgent(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Interrupt once the reply streams: stderr from start-up ("fake claude ready") can reach
	// the turn first, and an interrupt before the turn runs is answered and ignored.
	replying := make(chan struct{})
	var once sync.Once
	out := func(o agent.Output) {
		if o.Stream == wire.StreamAssistant {
			once.Do(func() { close(replying) })
		}
	}
	go func() {
		select {
		case <-replying:
			cancel()
		case <-time.After(10 * time.Second):
		}
	}()
	res, err := a.Turn(ctx, "FAKE_SLOW=60000 never finishes", out)
	if err != nil {
		t.Fatalf("Turn: %v", err)
	}
	if !res.Interrupted || !res.IsError || res.Error != wire.TurnInterrupted {
		t.Errorf("result %+v: want interrupted", res)
	}
	if !a.Alive() {
		t.Fatal("agent died from an interrupt")
	}
	res, err = a.Turn(turnCtx(t), "after", nil)
	if err != nil || res.Text != "echo: after" {
		t.Errorf("turn after interrupt: %+v, %v", res, err)
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		name        string
		env         []string
		wantSignals []string // signals the fake saw, in order
	}{
		{name: "closing stdin is enough", wantSignals: nil},
		{name: "stdin ignored: SIGINT", env: []string{"FAKECLAUDE_IGNORE_STDIN_CLOSE=1"}, wantSignals: []string{"interrupt"}},
		{name: "signals ignored: SIGKILL", env: []string{"FAKECLAUDE_IGNORE_STDIN_CLOSE=1", "FAKECLAUDE_IGNORE_SIGNALS=1"},
			wantSignals: []string{"interrupt", "terminated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "log")
			a := agent.New(agent.Config{
				Path:        testkit.FakeClaude(t),
				Env:         append([]string{"FAKECLAUDE_LOG=" + logPath}, tc.env...),
				StopTimeout: 200 * time.Millisecond,
			})
			if err := a.Start(turnCtx(t)); err != nil {
				t.Fatal(err)
			}
			if err := a.Close(turnCtx(t)); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if a.Alive() {
				t.Error("alive after Close")
			}
			var got []string
			for _, e := range readLog(t, logPath) {
				if e.Signal != "" {
					got = append(got, e.Signal)
				}
			}
			if !slices.Equal(got, tc.wantSignals) {
				t.Errorf("signals seen %q, want %q", got, tc.wantSignals)
			}
			if err := a.Close(turnCtx(t)); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := a.Turn(turnCtx(t), "hi", nil); !errors.Is(err, agent.ErrClosed) {
				t.Errorf("Turn after Close = %v, want ErrClosed", err)
			}
			if err := a.Start(turnCtx(t)); !errors.Is(err, agent.ErrClosed) {
				t.Errorf("Start after Close = %v, want ErrClosed", err)
			}
		})
	}
}

func TestCloseWithDoneContextKills(t *testing.T) {
	a := agent.New(agent.Config{
		Path:        testkit.FakeClaude(t),
		Env:         []string{"FAKECLAUDE_IGNORE_STDIN_CLOSE=1", "FAKECLAUDE_IGNORE_SIGNALS=1"},
		StopTimeout: time.Minute,
	})
	if err := a.Start(turnCtx(t)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close = %v, want context.Canceled", err)
	}
	if a.Alive() {
		t.Error("alive after Close")
	}
}

func TestCloseDuringTurn(t *testing.T) {
	a := fakeAgent(t)
	c := newCollector()
	done := make(chan error, 1)
	go func() {
		_, err := a.Turn(turnCtx(t), "FAKE_SLOW=300 finish me", c.out)
		done <- err
	}()
	<-c.seen
	if err := a.Close(turnCtx(t)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Closing stdin lets claude finish the running turn before it exits.
	if err := <-done; err != nil {
		t.Errorf("turn during Close: %v", err)
	}
}

func TestNotInstalled(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{name: "absolute path", path: filepath.Join(t.TempDir(), "no-claude-here")},
		{name: "name on PATH", path: "concordia-test-no-such-claude"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := agent.New(agent.Config{Path: tc.path})
			err := a.Start(turnCtx(t))
			if !errors.Is(err, agent.ErrNotInstalled) || !errors.Is(err, exec.ErrNotFound) {
				t.Fatalf("Start = %v, want ErrNotInstalled wrapping exec.ErrNotFound", err)
			}
			// Words for the terminal and the window alike (it reaches every member in a turn's
			// error), and no "not found in $PATH" of an absolute path (a tester's window).
			for _, want := range []string{"npm install -g @anthropic-ai/claude-code", "--claude PATH", "Settings"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "$PATH") {
				t.Errorf("error %q speaks of $PATH", err)
			}
			if a.Alive() {
				t.Error("alive without a binary")
			}
		})
	}
}

func TestTurnBeforeStart(t *testing.T) {
	a := agent.New(agent.Config{Path: "unused"})
	if _, err := a.Turn(turnCtx(t), "hi", nil); !errors.Is(err, agent.ErrExited) {
		t.Errorf("Turn before Start = %v, want ErrExited", err)
	}
}

func TestStartFailsWhenClaudeExits(t *testing.T) {
	// A claude that dies at once (here: not claude at all) must not leave Start waiting.
	a := agent.New(agent.Config{Path: "false"})
	if _, err := exec.LookPath("false"); err != nil {
		t.Skip("no false command")
	}
	err := a.Start(turnCtx(t))
	if !errors.Is(err, agent.ErrExited) {
		t.Errorf("Start = %v, want ErrExited", err)
	}
}

func BenchmarkTurnFake(b *testing.B) {
	a := agent.New(agent.Config{Path: testkit.FakeClaude(b)})
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer a.Close(ctx)
	for b.Loop() {
		if _, err := a.Turn(ctx, "benchmark prompt", func(agent.Output) {}); err != nil {
			b.Fatal(err)
		}
	}
}
