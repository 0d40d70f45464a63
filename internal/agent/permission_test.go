package agent_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/wire"
)

// asker is a TurnOptions.Ask that records the requests and answers with decide.
type asker struct {
	mu     sync.Mutex
	reqs   []agent.ToolRequest
	asked  chan struct{} // a token per request
	decide func(ctx context.Context, req agent.ToolRequest) agent.ToolDecision
}

func newAsker(decide func(context.Context, agent.ToolRequest) agent.ToolDecision) *asker {
	return &asker{asked: make(chan struct{}, 16), decide: decide}
}

func (a *asker) ask(ctx context.Context, req agent.ToolRequest) agent.ToolDecision {
	a.mu.Lock()
	a.reqs = append(a.reqs, req)
	a.mu.Unlock()
	a.asked <- struct{}{}
	return a.decide(ctx, req)
}

func (a *asker) requests() []agent.ToolRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.reqs)
}

// TestTurnWithAsk: each can_use_tool request goes to the turn's Ask with the tool, a
// one-line summary and the input, and Ask's answer goes back to claude (the fake puts it
// into the tool result and the reply).
func TestTurnWithAsk(t *testing.T) {
	tests := []struct {
		name     string
		prompt   string
		decide   func(context.Context, agent.ToolRequest) agent.ToolDecision
		want     []string // summaries asked
		wantText string
		// wantResults are the tool result lines: a denied request's result reads
		// "(denied)", not "(error)" (a user tester's step said "failed" beside "1 denied").
		wantResults []string
	}{
		{
			name:        "allow",
			prompt:      "FAKE_ASK",
			decide:      func(context.Context, agent.ToolRequest) agent.ToolDecision { return agent.ToolDecision{Allow: true} },
			want:        []string{"touch file-1"},
			wantText:    "Let me check.\n\ntools: allowed",
			wantResults: []string{"-> allowed"},
		},
		{
			name:   "deny with a message",
			prompt: "FAKE_ASK",
			decide: func(context.Context, agent.ToolRequest) agent.ToolDecision {
				return agent.ToolDecision{Message: "carol denied this. Reason: no writes"}
			},
			want:        []string{"touch file-1"},
			wantText:    "Let me check.\n\ntools: denied: carol denied this. Reason: no writes",
			wantResults: []string{"-> (denied) carol denied this. Reason: no writes"},
		},
		{
			name:        "deny without a message still explains",
			prompt:      "FAKE_ASK",
			decide:      func(context.Context, agent.ToolRequest) agent.ToolDecision { return agent.ToolDecision{} },
			want:        []string{"touch file-1"},
			wantText:    "Let me check.\n\ntools: denied: Tool use was denied.",
			wantResults: []string{"-> (denied) Tool use was denied."},
		},
		{
			name:   "each request is asked",
			prompt: "FAKE_ASK=3",
			decide: func(_ context.Context, req agent.ToolRequest) agent.ToolDecision {
				return agent.ToolDecision{Allow: req.Summary != "touch file-2", Message: "not that one"}
			},
			want:        []string{"touch file-1", "touch file-2", "touch file-3"},
			wantText:    "Let me check.\n\ntools: allowed | denied: not that one | allowed",
			wantResults: []string{"-> allowed", "-> (denied) not that one", "-> allowed"},
		},
		{
			name:   "a request that names no tool_use is told by its message",
			prompt: "FAKE_ASK=2 FAKE_NO_TOOL_USE_ID",
			decide: func(_ context.Context, req agent.ToolRequest) agent.ToolDecision {
				return agent.ToolDecision{Allow: req.Summary != "touch file-1", Message: "not the first"}
			},
			want:        []string{"touch file-1", "touch file-2"},
			wantText:    "Let me check.\n\ntools: denied: not the first | allowed",
			wantResults: []string{"-> (denied) not the first", "-> allowed"},
		},
		{
			// Two at once with one message: each result is its denial (a reviewer's lost one).
			name:   "parallel requests denied with one message, named by none",
			prompt: "FAKE_ASK=2 FAKE_PAR FAKE_NO_TOOL_USE_ID",
			decide: func(context.Context, agent.ToolRequest) agent.ToolDecision {
				return agent.ToolDecision{Message: "no"}
			},
			want:        []string{"touch file-1", "touch file-2"},
			wantText:    "Let me check.\n\ntools: denied: no | denied: no",
			wantResults: []string{"-> (denied) no", "-> (denied) no"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := fakeAgent(t)
			ask := newAsker(tc.decide)
			c := newCollector()
			res, err := a.TurnWith(turnCtx(t), tc.prompt, agent.TurnOptions{Out: c.out, Ask: ask.ask})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError || res.Interrupted || res.Text != tc.wantText {
				t.Errorf("result %+v, want success with text %q", res, tc.wantText)
			}
			var got []string
			for _, r := range ask.requests() {
				got = append(got, r.Summary)
				var in map[string]any
				if r.Tool != "Bash" || json.Unmarshal(r.Input, &in) != nil || in["command"] != r.Summary {
					t.Errorf("request %+v (input %s)", r, r.Input)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("asked %q, want %q", got, tc.want)
			}
			var results []string
			for _, l := range c.stream(wire.StreamTool) {
				if strings.HasPrefix(l, "->") {
					results = append(results, strings.TrimSuffix(l, "\n"))
				}
			}
			if !slices.Equal(results, tc.wantResults) {
				t.Errorf("tool result lines %q, want %q", results, tc.wantResults)
			}
		})
	}
}

// TestTurnWithAskInterrupted: a turn interrupted while its Ask waits ends interrupted; Ask's
// context ends; claude withdraws the request, so no answer is sent and the turn does not go
// on as if the tool had been denied; the text before the request is kept.
func TestTurnWithAskInterrupted(t *testing.T) {
	a := fakeAgent(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	askEnded := make(chan struct{})
	ask := newAsker(func(actx context.Context, _ agent.ToolRequest) agent.ToolDecision {
		<-actx.Done()
		close(askEnded)
		return agent.ToolDecision{Message: "the turn was stopped"}
	})
	go func() {
		<-ask.asked
		cancel() // the party's Party.interrupt
	}()
	c := newCollector()
	res, err := a.TurnWith(ctx, "FAKE_ASK stop me", agent.TurnOptions{Out: c.out, Ask: ask.ask})
	if err != nil {
		t.Fatalf("TurnWith: %v", err)
	}
	<-askEnded
	if !res.Interrupted || res.Error != wire.TurnInterrupted {
		t.Errorf("result %+v, want interrupted", res)
	}
	if res.Text != "Let me check." {
		t.Errorf("text %q: want only what came before the request (no answer may reach claude)", res.Text)
	}
	for _, o := range c.stream(wire.StreamTool) {
		if strings.Contains(o, "denied") {
			t.Errorf("a denial reached claude: %q", o)
		}
	}
	// Claude writes a result of its own for the tool use, an error: the request was
	// cancelled, and the step did not fail (a user tester's window said "1 tool step
	// failed" beside the card's "Cancelled").
	var results []string
	for _, l := range c.stream(wire.StreamTool) {
		if strings.HasPrefix(l, "->") {
			results = append(results, strings.TrimSuffix(l, "\n"))
		}
	}
	if len(results) != 1 || !strings.HasPrefix(results[0], "-> (cancelled) The user doesn't want to proceed with this tool use.") {
		t.Errorf("tool result lines %q, want the result marked (cancelled)", results)
	}
	res, err = a.TurnWith(turnCtx(t), "after", agent.TurnOptions{})
	if err != nil || res.Text != "echo: after" {
		t.Errorf("turn after the interrupt: %+v, %v", res, err)
	}
}

// TestTurnWithParallelAsksInterrupted: parallel requests a stop withdrew are each
// cancelled, and one a host answered before the stop is not: its result is the tool's.
func TestTurnWithParallelAsksInterrupted(t *testing.T) {
	a := fakeAgent(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ask := newAsker(func(actx context.Context, req agent.ToolRequest) agent.ToolDecision {
		if req.Summary == "touch file-1" {
			return agent.ToolDecision{Allow: true}
		}
		<-actx.Done()
		return agent.ToolDecision{Message: "the turn was stopped"}
	})
	go func() {
		<-ask.asked
		<-ask.asked
		cancel()
	}()
	c := newCollector()
	res, err := a.TurnWith(ctx, "FAKE_ASK=3 FAKE_PAR stop me", agent.TurnOptions{Out: c.out, Ask: ask.ask})
	if err != nil || !res.Interrupted {
		t.Fatalf("TurnWith: %+v, %v; want interrupted", res, err)
	}
	var results []string
	for _, l := range c.stream(wire.StreamTool) {
		if strings.HasPrefix(l, "->") {
			results = append(results, strings.TrimSuffix(l, "\n"))
		}
	}
	if len(results) != 3 || results[0] != "-> allowed" || !strings.HasPrefix(results[1], "-> (cancelled) ") || !strings.HasPrefix(results[2], "-> (cancelled) ") {
		t.Errorf("tool result lines %q, want allowed, then two cancelled", results)
	}
}

// TestPromptsAreText: a prompt starting with "/" reaches claude as text (one leading space),
// never as an agent command; with Command it goes as it is.
func TestPromptsAreText(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log")
	a := fakeAgent(t, "FAKECLAUDE_LOG="+logPath)
	turns := []struct {
		prompt  string
		command bool
	}{
		{"/clear", false},
		{"/compact keep the plan", true},
		{"  /indented", false},
		{"plain", false},
	}
	var sessions []string
	for _, tc := range turns {
		res, err := a.TurnWith(turnCtx(t), tc.prompt, agent.TurnOptions{Command: tc.command})
		if err != nil || res.IsError {
			t.Fatalf("%q: %+v, %v", tc.prompt, res, err)
		}
		sessions = append(sessions, res.SessionID)
	}
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e struct {
			Text    *string `json:"text"`
			Command *string `json:"command"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		switch {
		case e.Command != nil:
			got = append(got, "command:"+*e.Command)
		case e.Text != nil:
			got = append(got, "text:"+*e.Text)
		}
	}
	want := []string{"text: /clear", "command:/compact keep the plan", "text:  /indented", "text:plain"}
	if !slices.Equal(got, want) {
		t.Errorf("claude got %q, want %q", got, want)
	}
	if sessions[0] != sessions[3] {
		t.Errorf("sessions %q: a participant's /clear cleared the session", sessions)
	}
}

func TestClaudeMode(t *testing.T) {
	tests := []struct {
		mode, want string
		err        bool
	}{
		{mode: "", want: agent.ClaudeModeDefault},
		{mode: wire.PermissionAsk, want: agent.ClaudeModeDefault},
		// Not acceptEdits, which runs rm and mv unasked: the party allows the edits itself.
		{mode: wire.PermissionEdits, want: agent.ClaudeModeDefault},
		{mode: wire.PermissionPlan, want: agent.ClaudeModePlan},
		// "all" never becomes bypassPermissions: every request still passes the party.
		{mode: wire.PermissionAll, want: agent.ClaudeModeDefault},
		{mode: "bypassPermissions", err: true},
		{mode: "ASK", err: true},
	}
	for _, tc := range tests {
		t.Run("mode "+tc.mode, func(t *testing.T) {
			got, err := agent.ClaudeMode(tc.mode)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("ClaudeMode(%q) = %q, %v; want %q (error %v)", tc.mode, got, err, tc.want, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "ask, edits, plan or all") {
				t.Errorf("error %q does not list the modes", err)
			}
		})
	}
}

func TestPermissionToolSummary(t *testing.T) {
	long := strings.Repeat("é", 250)
	tests := []struct {
		name, tool, input, want string
	}{
		{name: "bash command", tool: "Bash", input: `{"command":"touch x","description":"make x"}`, want: "touch x"},
		{name: "multi-line command is one line", tool: "Bash", input: `{"command":"cd x &&\n\tmake test"}`, want: "cd x && make test"},
		{name: "file inside workdir is relative", tool: "Edit", input: `{"file_path":"/w/internal/x.go","old_string":"a"}`, want: "internal/x.go"},
		{name: "file outside workdir stays", tool: "Write", input: `{"file_path":"/etc/passwd","content":"x"}`, want: "/etc/passwd"},
		{name: "sibling that shares a prefix stays absolute", tool: "Read", input: `{"file_path":"/wx/y"}`, want: "/wx/y"},
		{name: "notebook", tool: "NotebookEdit", input: `{"notebook_path":"/w/a.ipynb"}`, want: "a.ipynb"},
		{name: "url", tool: "WebFetch", input: `{"url":"https://example.com/a","prompt":"p"}`, want: "https://example.com/a"},
		{name: "pattern in a path", tool: "Grep", input: `{"pattern":"func main","path":"/w/cmd"}`, want: "func main in cmd"},
		{name: "plan", tool: "ExitPlanMode", input: `{"plan":"1. do it\n2. test"}`, want: "leave plan mode: 1. do it 2. test"},
		{name: "query", tool: "WebSearch", input: `{"query":"go 1.26"}`, want: "go 1.26"},
		{name: "unknown input is listed by key", tool: "mcp__x", input: `{"b":2,"a":"s"}`, want: `a="s" b=2`},
		{name: "no input", tool: "Task", input: ``, want: ""},
		{name: "long is cut by runes", tool: "Bash", input: `{"command":"` + long + `"}`, want: strings.Repeat("é", 200) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := agent.ToolSummary(tc.tool, json.RawMessage(tc.input), "/w"); got != tc.want {
				t.Errorf("ToolSummary = %q, want %q", got, tc.want)
			}
		})
	}
}

// What a party in "edits" allows without asking: a file edit inside the working directory,
// not in its protected folders, not through a link that leads out of it.
func TestEditInWorkDir(t *testing.T) {
	work := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(work, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "f"), filepath.Join(work, "link.txt")); err != nil {
		t.Fatal(err)
	}
	in := func(key, path string) json.RawMessage {
		b, _ := json.Marshal(map[string]string{key: path, "content": "x"})
		return b
	}
	cases := []struct {
		tool, key, path string
		want            bool
	}{
		{"Write", "file_path", filepath.Join(work, "a.go"), true},
		{"Edit", "file_path", filepath.Join(work, "src", "b.go"), true},
		{"MultiEdit", "file_path", filepath.Join(work, "src", "new", "deep", "c.go"), true}, // folders not made yet
		{"NotebookEdit", "notebook_path", filepath.Join(work, "n.ipynb"), true},
		{"Write", "file_path", filepath.Join(outside, "a.go"), false},
		{"Write", "file_path", filepath.Join(work, "..", filepath.Base(outside), "a.go"), false},
		{"Write", "file_path", filepath.Join(work, "out", "a.go"), false}, // a link out of it
		{"Write", "file_path", filepath.Join(work, "link.txt"), false},    // the file is a link
		{"Write", "file_path", filepath.Join(work, ".git", "config"), false},
		{"Edit", "file_path", filepath.Join(work, ".claude", "settings.json"), false},
		// On a file system that ignores case these are the same folders; and a nested
		// repository's hooks run too (a reviewer's: all three were allowed unasked).
		{"Write", "file_path", filepath.Join(work, ".GIT", "hooks", "pre-commit"), false},
		{"Write", "file_path", filepath.Join(work, ".Claude", "settings.local.json"), false},
		{"Write", "file_path", filepath.Join(work, "vendor", "lib", ".git", "hooks", "post-checkout"), false},
		{"Write", "file_path", filepath.Join(work, "sub", ".git"), false}, // a gitfile names the repository
		{"Write", "file_path", filepath.Join(work, "src", ".vscode", "tasks.json"), false},
		{"Write", "file_path", filepath.Join(work, "src", "git", "x.go"), true},
		// Files that run by themselves later, with the host's credentials (a reviewer's).
		{"Write", "file_path", filepath.Join(work, ".husky", "pre-commit"), false},
		{"Write", "file_path", filepath.Join(work, ".githooks", "pre-push"), false},
		{"Write", "file_path", filepath.Join(work, ".github", "workflows", "ci.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".devcontainer", "devcontainer.json"), false},
		{"Write", "file_path", filepath.Join(work, ".envrc"), false},
		{"Edit", "file_path", filepath.Join(work, "sub", ".ENVRC"), false},
		{"Write", "file_path", filepath.Join(work, ".pre-commit-config.yaml"), false},
		{"Write", "file_path", filepath.Join(work, ".gitlab-ci.yml"), false},
		{"Write", "file_path", filepath.Join(work, "docs", "envrc.md"), true},
		{"Write", "file_path", filepath.Join(work, ".devcontainer.json"), false},
		{"Write", "file_path", filepath.Join(work, "lefthook.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".git-hooks", "pre-commit"), false},
		// More CI systems, and Claude Code's project MCP servers (a reviewer's, written unasked).
		{"Write", "file_path", filepath.Join(work, ".circleci", "config.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".buildkite", "pipeline.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".travis.yml"), false},
		{"Write", "file_path", filepath.Join(work, "Jenkinsfile"), false},
		{"Write", "file_path", filepath.Join(work, "azure-pipelines.yml"), false},
		{"Write", "file_path", filepath.Join(work, "bitbucket-pipelines.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".drone.yml"), false},
		{"Write", "file_path", filepath.Join(work, "sub", ".woodpecker.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".mcp.json"), false},
		{"Write", "file_path", filepath.Join(work, "docs", "jenkinsfile.md"), true},
		// Editors' and build tools' settings that name programs to run, and the agent's own
		// standing instructions (a reviewer's, written unasked).
		{"Write", "file_path", filepath.Join(work, ".zed", "settings.json"), false},
		{"Write", "file_path", filepath.Join(work, "proj.code-workspace"), false},
		{"Write", "file_path", filepath.Join(work, ".yarnrc.yml"), false},
		{"Write", "file_path", filepath.Join(work, ".cargo", "config.toml"), false},
		{"Write", "file_path", filepath.Join(work, ".mvn", "extensions.xml"), false},
		{"Edit", "file_path", filepath.Join(work, "CLAUDE.md"), false},
		{"Edit", "file_path", filepath.Join(work, "sub", "CLAUDE.local.md"), false},
		{"Write", "file_path", filepath.Join(work, "docs", "claude.md.txt"), true},
		{"Write", "file_path", filepath.Join(work, "README.md"), true},
		{"Write", "file_path", filepath.Join(work, ".envrc."), false},       // Windows drops the dot
		{"Write", "file_path", filepath.Join(work, ".husky. ", "x"), false}, // and the space
		{"Write", "file_path", "a.go", false},                               // not absolute
		{"Write", "file_path", work, false},
		{"Bash", "command", "touch " + filepath.Join(work, "x"), false},
		{"Read", "file_path", filepath.Join(work, "a.go"), false},
	}
	for _, c := range cases {
		if got := agent.EditInWorkDir(c.tool, in(c.key, c.path), work); got != c.want {
			t.Errorf("%s %s: %v, want %v", c.tool, c.path, got, c.want)
		}
	}
}

// The folder core.hooksPath names holds hooks as .git/hooks does, whatever it is called,
// inside the working directory or wherever the repository's top is (a reviewer's
// scripts/hooks/pre-commit was written unasked in "edits"). A host may set it during the
// party: it is looked up at each request.
func TestEditInTheHooksPathAsks(t *testing.T) {
	repo := t.TempDir()
	work := filepath.Join(repo, "app")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(path string) json.RawMessage {
		b, _ := json.Marshal(map[string]string{"file_path": path, "content": "x"})
		return b
	}
	git("init", "-q")
	hook := filepath.Join(work, "scripts", "hooks", "pre-commit")
	if !agent.EditInWorkDir("Write", write(hook), work) {
		t.Fatalf("%s asked before core.hooksPath named its folder", hook)
	}
	// A hooks folder not made yet, under a link (a reviewer's: compared unresolved).
	if err := os.MkdirAll(filepath.Join(work, "tools"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("tools", filepath.Join(work, "linked")); err != nil {
		t.Fatal(err)
	}
	git("config", "core.hooksPath", "app/linked/hooks")
	if agent.EditInWorkDir("Write", write(filepath.Join(work, "linked", "hooks", "pre-commit")), work) {
		t.Errorf("a hook in a folder not made yet under a link was written unasked")
	}
	for _, hooksPath := range []string{"app/scripts/hooks", filepath.Join(work, "scripts", "hooks")} {
		git("config", "core.hooksPath", hooksPath)
		for path, want := range map[string]bool{
			hook: false,
			filepath.Join(work, "Scripts", "Hooks", "post-merge"): false, // in any case
			filepath.Join(work, "scripts", "hooks", "new", "x"):   false,
			filepath.Join(work, "scripts", "build.sh"):            true,
			filepath.Join(work, "scripts", "hooks-doc.md"):        true,
		} {
			if got := agent.EditInWorkDir("Write", write(path), work); got != want {
				t.Errorf("core.hooksPath %s: Write %s allowed %v, want %v", hooksPath, path, got, want)
			}
		}
	}
}

// Claude Code asks for parallel tool calls at once. Each request went to Ask on a
// goroutine of its own, so the party listed them in whatever order the scheduler chose (a
// user tester's two Bash requests came last first, and /allow's "oldest" was the newest).
// Each is now handed over once the one before it is registered (ToolRequest.Registered),
// and they still wait for their decisions together.
func TestParallelRequestsHandedOverInOrder(t *testing.T) {
	a := fakeAgent(t)
	var mu sync.Mutex
	var seen []string
	note := func(s string) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	all := make(chan struct{})
	var waiting sync.WaitGroup
	waiting.Add(3)
	go func() { waiting.Wait(); close(all) }()
	ask := func(ctx context.Context, req agent.ToolRequest) agent.ToolDecision {
		note("in " + req.Summary)
		if req.Summary == "touch file-1" {
			time.Sleep(100 * time.Millisecond) // the party's hand-off taking its time
		}
		note("registered " + req.Summary)
		req.Registered()
		waiting.Done()
		select { // decided only once all three wait together
		case <-all:
		case <-ctx.Done():
		}
		return agent.ToolDecision{Allow: true}
	}
	res, err := a.TurnWith(turnCtx(t), "FAKE_ASK=3 FAKE_PAR", agent.TurnOptions{Out: newCollector().out, Ask: ask})
	if err != nil || res.IsError || res.Text != "Let me check.\n\ntools: allowed | allowed | allowed" {
		t.Fatalf("result %+v, %v", res, err)
	}
	want := []string{"in touch file-1", "registered touch file-1", "in touch file-2", "registered touch file-2", "in touch file-3", "registered touch file-3"}
	if !slices.Equal(seen, want) {
		t.Fatalf("handed over %q, want %q", seen, want)
	}
}
