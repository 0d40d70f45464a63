package host

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestRealClaudeParty drives the real Claude Code binary (against a fake Messages API on
// loopback) through a whole party: two participants prompt, the merged prompt reaches the
// binary, and its streamed reply reaches both. In CI a missing binary fails the test.
func TestRealClaudeParty(t *testing.T) {
	bin := testkit.RealClaude(t)
	var mu sync.Mutex
	var seen []string
	api := testkit.NewFakeAnthropic(t, func(req testkit.AnthropicRequest) string {
		mu.Lock()
		seen = append(seen, req.LastUserText)
		mu.Unlock()
		return "Both done: the flag is added and the README typo is fixed."
	})
	h := startHost(t, Config{
		Window: 500 * time.Millisecond,
		Agent:  agent.Config{Path: bin, Env: testkit.RealClaudeEnv(t, api.URL)},
	})
	alice := join(t, h.Invite(), "alice")
	bob := join(t, h.Invite(), "bob")
	bob.waitFor(t, "both joined", func(e []wire.Event) bool {
		j := kinds(e, wire.KindParticipants)
		return len(j) > 0 && *j[len(j)-1].Count == 2
	})
	if _, err := alice.c.Prompt(context.Background(), "add a --verbose flag to the CLI"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.c.Prompt(context.Background(), "fix the typo in README.md"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*participant{alice, bob} {
		evs := p.waitFor(t, "the real turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
		tr := kinds(evs, wire.KindTurn)[0].Turn
		if tr.Status != wire.TurnDone {
			t.Fatalf("%s: turn %+v\n%v", p.name, tr, kinds(evs, wire.KindError))
		}
		if got := reply(evs); !strings.Contains(got, "Both done: the flag is added and the README typo is fixed.") {
			t.Fatalf("%s: streamed reply %q", p.name, got)
		}
		if b := kinds(evs, wire.KindBatch); len(b) != 1 || len(b[0].Batch.Prompts) != 2 {
			t.Fatalf("%s: batches %+v", p.name, b)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var merged bool
	for _, s := range seen {
		if strings.Contains(s, "--verbose flag") && strings.Contains(s, "README.md") && strings.Contains(s, "alice") && strings.Contains(s, "bob") {
			merged = true
		}
	}
	if !merged {
		t.Fatalf("the merged prompt did not reach the Messages API; user texts seen: %q", seen)
	}
}

// TestRealClaudeToolDenied drives a tool request through the real Claude Code binary: the
// fake Messages API answers with a Bash tool_use that changes something (`touch x`), the
// CLI asks over stdio (--permission-prompt-tool stdio), the party shows the request to
// everyone, a host denies it with a reason, the CLI sends the denial back to the API as an
// error tool_result, and the turn completes with the denial visible to every participant.
func TestRealClaudeToolDenied(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please create the file x"
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Bash", map[string]any{"command": "touch x", "description": "Create the file x"}),
		"Understood: I did not create x.")
	workdir := t.TempDir()
	h := realHost(t, wire.PermissionAsk, bin, workdir, api.URL)
	owner, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	bob := join(t, h.Invite(), "bob")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	pending := own.waitFor(t, "the permission request", func(e []wire.Event) bool {
		return len(permissions(e, wire.PermissionPending)) == 1
	})
	perm := permissions(pending, wire.PermissionPending)[0]
	if perm.Tool != "Bash" || perm.Summary != "touch x" || perm.Detail != "Create the file x" {
		t.Fatalf("permission request %+v: want Bash touch x, with its description as the detail", perm)
	}
	if err := owner.Decide(context.Background(), perm.ID, wire.DecisionDeny, "no new files today"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []interface {
		waitFor(*testing.T, string, func([]wire.Event) bool) []wire.Event
	}{alice, bob, own} {
		evs := r.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
		pend := permissions(evs, wire.PermissionPending)
		den := permissions(evs, wire.PermissionDenied)
		if len(pend) != 1 || len(den) != 1 || den[0].ID != perm.ID || den[0].By != "hosty" || den[0].Reason != "no new files today" || den[0].Detail != "" {
			t.Errorf("permission events: pending %+v, denied %+v", pend, den)
		}
		tr := kinds(evs, wire.KindTurn)[0].Turn
		if tr.Status != wire.TurnDone || tr.Denied != 1 {
			t.Errorf("turn %+v: want done with 1 denial", tr)
		}
		if got := reply(evs); !strings.Contains(got, "Understood: I did not create x.") {
			t.Errorf("reply %q", got)
		}
		// The tool's result is the denial, marked as one, not as a tool that failed (a
		// user tester's step said "failed" beside the turn's "1 denied"): the real CLI
		// names the tool_use in its request, and returns the denial as the result.
		var lines []string
		for _, e := range kinds(evs, wire.KindOutput) {
			if e.Stream == wire.StreamTool {
				lines = append(lines, e.Text)
			}
		}
		if tool := strings.Join(lines, ""); !strings.Contains(tool, "-> (denied) hosty (a host of this party) denied this tool use. Reason: no new files today\n") || strings.Contains(tool, "(error)") {
			t.Errorf("tool lines %q: want the result marked (denied)", tool)
		}
	}
	if results := toolResults(); len(results) != 1 || !results[0].IsError || !strings.Contains(results[0].Content, "no new files today") {
		t.Fatalf("tool results the API got back: %+v; want one error result carrying the reason", results)
	}
	if _, err := os.Stat(filepath.Join(workdir, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("x exists after the denial (stat: %v)", err)
	}
}

// TestRealClaudeStopWhileARequestWaits: a host stops the turn while the real Claude Code's
// tool request waits. Nobody decided: the party records the request cancelled, and the
// tool's result — Claude Code writes its own, an error ("The user doesn't want to proceed
// with this tool use…") — is marked "(cancelled)", not "(error)" (a user tester's window
// said "1 tool step failed" beside the card's "Cancelled").
func TestRealClaudeStopWhileARequestWaits(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please create the file x"
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Bash", map[string]any{"command": "touch x", "description": "Create the file x"}),
		"Stopped: I did not create x.")
	workdir := t.TempDir()
	h := realHost(t, wire.PermissionAsk, bin, workdir, api.URL)
	owner, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	own.waitFor(t, "the permission request", func(e []wire.Event) bool {
		return len(permissions(e, wire.PermissionPending)) == 1
	})
	if err := owner.Interrupt(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range []interface {
		waitFor(*testing.T, string, func([]wire.Event) bool) []wire.Event
	}{alice, own} {
		evs := r.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
		den := permissions(evs, wire.PermissionDenied)
		if len(den) != 1 || den[0].By != "" || den[0].Reason != party.TurnEnded {
			t.Errorf("permission events: denied %+v; want one that nobody decided, the turn's end", den)
		}
		if tr := kinds(evs, wire.KindTurn)[0].Turn; tr.Status != wire.TurnInterrupted {
			t.Errorf("turn %+v: want interrupted", tr)
		}
		var lines []string
		for _, e := range kinds(evs, wire.KindOutput) {
			if e.Stream == wire.StreamTool {
				lines = append(lines, e.Text)
			}
		}
		if tool := strings.Join(lines, ""); !strings.Contains(tool, "-> (cancelled) ") || strings.Contains(tool, "(error)") {
			t.Errorf("tool lines %q: want the result marked (cancelled)", tool)
		}
	}
	if results := toolResults(); len(results) != 0 {
		t.Errorf("tool results the API got back: %+v; want none (the turn stopped)", results)
	}
	if _, err := os.Stat(filepath.Join(workdir, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("x exists after the stop (stat: %v)", err)
	}
}

// TestRealClaudePlanModeDeniesAnEdit: in a party in plan mode ("nothing is changed") the
// real Claude Code asks the party about a Write (a tester allowed one, and the file was
// written). The party denies it without asking anyone, every member sees the attempt and
// its denial, the API gets the denial back, and no file is written.
func TestRealClaudePlanModeDeniesAnEdit(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please write p1.txt"
	workdir := t.TempDir()
	target := filepath.Join(workdir, "p1.txt")
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Write", map[string]any{"file_path": target, "content": "planned\n"}),
		"Understood: nothing written.")
	h := realHost(t, wire.PermissionPlan, bin, workdir, api.URL)
	_, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	wantPlanDenial(t, "Write", 1, toolResults, target, alice, own)
}

// wantPlanDenial checks what each of recs saw of turn number turn: one request for tool,
// denied by plan mode with no pending request before it, and the turn's one denial; that
// the API got one error result saying plan mode; and that target was not written.
func wantPlanDenial(t *testing.T, tool string, turn int, toolResults func() []testkit.ToolResult, target string, recs ...interface {
	waitFor(*testing.T, string, func([]wire.Event) bool) []wire.Event
}) {
	t.Helper()
	for _, r := range recs {
		evs := r.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == turn })
		pend, den := permissions(evs, wire.PermissionPending), permissions(evs, wire.PermissionDenied)
		if len(pend) != 0 || len(den) != 1 || den[0].Tool != tool || den[0].Reason != "plan mode: nothing is changed" {
			t.Errorf("permission events: pending %+v, denied %+v; want one %s denied by plan mode", pend, den, tool)
		}
		if tr := kinds(evs, wire.KindTurn)[turn-1].Turn; tr.Denied != 1 {
			t.Errorf("turn %+v: want 1 denial", tr)
		}
	}
	if results := toolResults(); len(results) != 1 || !results[0].IsError || !strings.Contains(results[0].Content, "plan mode") {
		t.Fatalf("tool results the API got back: %+v; want one error result saying plan mode", results)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists in plan mode (stat: %v)", filepath.Base(target), err)
	}
}

// toolAPI is a fake Messages API that answers a prompt holding marker with use (a tool
// use), then the tool's result with after; anything else with "ok". toolResults returns the
// tool results the API got back.
func toolAPI(t *testing.T, marker string, use testkit.AnthropicReply, after string) (api *testkit.FakeAnthropic, toolResults func() []testkit.ToolResult) {
	var mu sync.Mutex
	var results []testkit.ToolResult
	api = testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
		switch {
		case len(req.ToolResults) > 0:
			mu.Lock()
			results = append(results, req.ToolResults...)
			mu.Unlock()
			return testkit.AnthropicReply{Text: after}
		case strings.Contains(req.LastUserText, marker):
			return use
		}
		return testkit.AnthropicReply{Text: "ok"}
	})
	return api, func() []testkit.ToolResult {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(results)
	}
}

// hostMember joins h's party as its owner, "hosty" (left at the test's end), and records
// what it is sent.
func hostMember(t *testing.T, h *Host) (*party.Local, *recorder) {
	t.Helper()
	owner, _, err := h.Party().JoinLocal("hosty", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Leave)
	return owner, watchLocal(t, "hosty", owner)
}

// TestRealClaudePlanSetWhileClaudeRunsDeniesBash: a party switched to plan mode while
// claude runs refuses a shell command. The real Claude Code switched to plan mode by a
// set_permission_mode request runs any Bash command without asking (a tester's touch ran
// in a party set to "Plan only — nothing is changed"): the party never switches a running
// claude into plan mode, it restarts it in plan mode (resuming its session) before its
// next turn, and claude started so asks about the Bash, which the party denies.
func TestRealClaudePlanSetWhileClaudeRunsDeniesBash(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please touch t.txt"
	workdir := t.TempDir()
	target := filepath.Join(workdir, "t.txt")
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Bash", map[string]any{"command": "touch " + target, "description": "Create t.txt"}),
		"Understood: nothing run.")
	h := realHost(t, wire.PermissionAsk, bin, workdir, api.URL)
	own, rec := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	// A first turn, so that claude runs when the mode changes: the switch is a live one.
	if _, err := alice.c.Prompt(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the first turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if err := own.SetPermissionMode(context.Background(), wire.PermissionPlan); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	wantPlanDenial(t, "Bash", 2, toolResults, target, alice, rec)
}

// TestRealClaudeEditsModeAsksBeforeRm: "file edits are allowed, every other tool use asks
// a host". Claude Code's acceptEdits runs rm in its working directory without asking (a
// tester's file was deleted with no card): the party runs claude in its default mode,
// which asks, a host sees the request and denies it, and the file stays.
func TestRealClaudeEditsModeAsksBeforeRm(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please remove victim.txt"
	workdir := t.TempDir()
	victim := filepath.Join(workdir, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Bash", map[string]any{"command": "rm " + victim, "description": "Remove victim.txt"}),
		"Understood: it stays.")
	h := realHost(t, wire.PermissionEdits, bin, workdir, api.URL)
	own, rec := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "the request for rm", func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) == 1 })
	pm := permissions(evs, wire.PermissionPending)[0]
	if pm.Tool != "Bash" || !strings.Contains(pm.Summary, "rm ") {
		t.Fatalf("pending request %+v, want the Bash rm", pm)
	}
	if err := own.Decide(context.Background(), pm.ID, wire.DecisionDeny, "keep it"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if results := toolResults(); len(results) != 1 || !results[0].IsError || !strings.Contains(results[0].Content, "keep it") {
		t.Fatalf("tool results the API got back: %+v; want one error result with the host's reason", results)
	}
	if b, err := os.ReadFile(victim); err != nil || string(b) != "keep me\n" {
		t.Fatalf("victim.txt after the denial: %q, %v", b, err)
	}
}

// TestRealClaudeEditsModeWritesWithoutAsking: in "edits" a file edit in the working
// directory goes through with no request anyone has to answer (the party allows it, the
// real Claude Code running in its default mode asks), and the file is written.
func TestRealClaudeEditsModeWritesWithoutAsking(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please write notes.txt"
	workdir := t.TempDir()
	target := filepath.Join(workdir, "notes.txt")
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Write", map[string]any{"file_path": target, "content": "hello\n"}), "Written.")
	h := realHost(t, wire.PermissionEdits, bin, workdir, api.URL)
	_, rec := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if perms := kinds(evs, wire.KindPermission); len(perms) != 0 {
		t.Errorf("permission events %+v, want none: edits in the folder are allowed", perms)
	}
	if results := toolResults(); len(results) != 1 || results[0].IsError {
		t.Fatalf("tool results the API got back: %+v; want one that succeeded", results)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "hello\n" {
		t.Fatalf("notes.txt: %q, %v", b, err)
	}
}

// TestRealClaudePlanShowsItsPlan: Claude Code 2.1.197 writes its plan to a file, in plan
// mode without asking, and the model calls ExitPlanMode with no plan in it; Claude Code
// puts the file's text in the request it sends the party, and the host sees it as the
// request's detail (a reviewer feared an empty plan: in its run the plan file's Write had
// been refused).
func TestRealClaudePlanShowsItsPlan(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please plan the flag"
	const plan = "1. Read main.go\n2. Add the --verbose flag"
	planFile := regexp.MustCompile(`(/[^"\s\\]*/plans/[^"\s\\]*\.md)`)
	var mu sync.Mutex
	step := 0
	api := testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.Contains(req.LastUserText, marker) && step == 0:
			step = 1
			path := planFile.FindString(string(req.Body))
			if path == "" {
				return testkit.AnthropicReply{Text: "no plan file named in the request"}
			}
			return testkit.ToolUse("Write", map[string]any{"file_path": path, "content": plan + "\n"})
		case len(req.ToolResults) > 0 && step == 1:
			step = 2
			return testkit.ToolUse("ExitPlanMode", map[string]any{})
		}
		return testkit.AnthropicReply{Text: "ok"}
	})
	h := startHost(t, Config{
		Window:         20 * time.Millisecond,
		PermissionMode: wire.PermissionPlan,
		Agent:          agent.Config{Path: bin, WorkDir: t.TempDir(), Env: testkit.RealClaudeEnv(t, api.URL)},
	})
	own, rec := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "the plan to approve", func(e []wire.Event) bool {
		return len(permissions(e, wire.PermissionPending)) == 1 || len(kinds(e, wire.KindTurn)) == 1
	})
	pend := permissions(evs, wire.PermissionPending)
	if len(pend) != 1 || pend[0].Tool != party.ExitPlanTool || pend[0].Detail != plan {
		t.Fatalf("pending requests %+v (turns %+v), want ExitPlanMode showing the plan %q", pend, kinds(evs, wire.KindTurn), plan)
	}
	if !strings.HasPrefix(pend[0].Summary, "leave plan mode: 1. Read main.go") {
		t.Errorf("the plan's summary: %q", pend[0].Summary)
	}
	if err := own.Decide(context.Background(), pend[0].ID, wire.DecisionDeny, "not yet"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
}

// realHost hosts a party in permission mode with the real Claude Code at bin, working in
// workdir against the fake Messages API at apiURL, cutting batches after 20 ms.
func realHost(t *testing.T, mode, bin, workdir, apiURL string) *Host {
	t.Helper()
	return realHostEnv(t, mode, bin, workdir, testkit.RealClaudeEnv(t, apiURL))
}

// realHostEnv is realHost with the agent's environment as given (its settings prepared).
func realHostEnv(t *testing.T, mode, bin, workdir string, env []string) *Host {
	t.Helper()
	return startHost(t, Config{
		Window:         20 * time.Millisecond,
		PermissionMode: mode,
		Agent:          agent.Config{Path: bin, WorkDir: workdir, Env: env},
	})
}

// TestRealClaudeOwnAllowRuleIsTold: an allow rule in Claude Code's own settings lets the
// real binary run a matching command with no request to anyone, in a party that asks a
// host about every tool use. The party cannot change that (it is the host's own
// configuration), so it says so at its start, naming the rule and the file it is in.
func TestRealClaudeOwnAllowRuleIsTold(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please touch allowed.txt"
	workdir := t.TempDir()
	target := filepath.Join(workdir, "allowed.txt")
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Bash", map[string]any{"command": "touch " + target, "description": "Create allowed.txt"}),
		"Done.")
	env := testkit.RealClaudeEnv(t, api.URL)
	configDir := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "CLAUDE_CONFIG_DIR="); ok {
			configDir = v
		}
	}
	if err := os.MkdirAll(configDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(configDir, "settings.json"), []byte(`{"permissions":{"allow":["Bash(touch:*)"]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h := realHostEnv(t, wire.PermissionAsk, bin, workdir, env)
	_, rec := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	told := func(evs []wire.Event) bool {
		for _, ev := range kinds(evs, wire.KindSystem) {
			if strings.Contains(ev.Text, "without asking anyone: Bash(touch:*)") && strings.Contains(ev.Text, "settings.json") {
				return true
			}
		}
		return false
	}
	alice.waitFor(t, "the notice of Claude Code's own allow rule", told)
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if perms := kinds(evs, wire.KindPermission); len(perms) != 0 {
		t.Errorf("permission events %s; the rule let claude run touch unasked before, and the notice says so", dumpEvents(perms))
	}
	if results := toolResults(); len(results) != 1 || results[0].IsError {
		t.Fatalf("tool results the API got back: %+v; want one that succeeded", results)
	}
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("the allowed touch did not run: %v", err)
	}
}

// TestRealClaudeReadOfASecretIsNotShown: the real Claude Code reads files in its working
// directory without asking anyone (a Read is not a can_use_tool request there), and its
// result is the file's text. A party that shares only the changes shows nobody a .env's
// text (a reviewer's viewer got AWS_SECRET_ACCESS_KEY), nor an ignored file's (another
// reviewer's notes.txt); the agent still gets them, and a file the party shares is shown.
// The Read of .env asks a host first: allowed, the agent could repeat its text to
// everyone in its reply (a reviewer's participant had it do so).
func TestRealClaudeReadOfASecretIsNotShown(t *testing.T) {
	bin := testkit.RealClaude(t)
	workdir := t.TempDir()
	for name, text := range map[string]string{
		".env":       "AWS_SECRET_ACCESS_KEY=abc123\nDB_PASSWORD=hunter2\n",
		".gitignore": "notes.txt\n",
		"notes.txt":  "private note: zebra-42\nline two\n",
		"shown.txt":  "line one of what is shared\nline two\n",
	} {
		if err := os.WriteFile(filepath.Join(workdir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reads := map[string]string{"read the env": ".env", "read the notes": "notes.txt", "read the shared": "shown.txt", "read the diary": "~/diary.txt"}
	var mu sync.Mutex
	var results []testkit.ToolResult
	api := testkit.NewFakeAnthropicFunc(t, func(req testkit.AnthropicRequest) testkit.AnthropicReply {
		mu.Lock()
		defer mu.Unlock()
		if len(req.ToolResults) > 0 {
			results = append(results, req.ToolResults...)
			return testkit.AnthropicReply{Text: "Read it."}
		}
		for marker, file := range reads {
			if strings.Contains(req.LastUserText, marker) {
				if !strings.HasPrefix(file, "~") {
					file = filepath.Join(workdir, file)
				}
				return testkit.ToolUse("Read", map[string]any{"file_path": file})
			}
		}
		return testkit.AnthropicReply{Text: "ok"}
	})
	// "~/…" is the home folder to Claude Code (a tester's Read of ~/.ssh/id_rsa was shown):
	// the agent's home, which the host shares with it here as it does for real.
	env := testkit.RealClaudeEnv(t, api.URL)
	for _, kv := range env {
		if home, ok := strings.CutPrefix(kv, "HOME="); ok {
			t.Setenv("HOME", home)
			if err := os.WriteFile(filepath.Join(home, "diary.txt"), []byte("DIARY_SECRET=diary222\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	h := realHostEnv(t, wire.PermissionAsk, bin, workdir, env)
	owner, own := hostMember(t, h)
	vic := join(t, h.ViewerInvite(), "vic")
	alice := join(t, h.Invite(), "alice")
	markers := []string{"read the env", "read the notes", "read the shared", "read the diary"}
	for i, marker := range markers {
		if _, err := alice.c.Prompt(context.Background(), "please "+marker); err != nil {
			t.Fatal(err)
		}
		if marker == "read the diary" || marker == "read the env" {
			// Outside the folder, Claude Code asks, and of a secret file: a host allowing
			// the agent to read a file is not a choice to show it to the party.
			asked := 1
			if marker == "read the diary" {
				asked = 2
			}
			evs := own.waitFor(t, "the request to "+marker, func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) == asked })
			if err := owner.Decide(context.Background(), permissions(evs, wire.PermissionPending)[asked-1].ID, wire.DecisionAllow, ""); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range []interface {
			waitFor(*testing.T, string, func([]wire.Event) bool) []wire.Event
		}{vic, alice, own} {
			r.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == i+1 })
		}
	}
	for _, r := range []interface {
		waitFor(*testing.T, string, func([]wire.Event) bool) []wire.Event
	}{vic, alice, own} {
		evs := r.waitFor(t, "the turns", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == len(markers) })
		var out strings.Builder
		for _, ev := range evs {
			if ev.Kind == wire.KindOutput {
				out.WriteString(ev.Stream + ": " + ev.Text)
			}
		}
		got := out.String()
		for _, secret := range []string{"abc123", "hunter2", "zebra-42", "diary222"} {
			if strings.Contains(got, secret) {
				t.Errorf("a member saw %q:\n%s", secret, got)
			}
		}
		for _, want := range []string{"-> (its text is not shown: this file usually holds secrets)", "-> (its text is not shown: the party does not share this file)", "line one of what is shared"} {
			if !strings.Contains(got, want) {
				t.Errorf("what a member saw lacks %q:\n%s", want, got)
			}
		}
		if p := permissions(evs, wire.PermissionPending); len(p) != 2 || !strings.HasSuffix(p[0].Summary, ".env") || !strings.Contains(p[1].Summary, "diary.txt") {
			t.Errorf("a Read of a file the party shares asked, or that of .env or of one outside did not: %+v", permissions(evs, ""))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(results) != len(markers) || !strings.Contains(results[0].Content, "abc123") || !strings.Contains(results[1].Content, "zebra-42") || !strings.Contains(results[3].Content, "diary222") {
		t.Fatalf("the tool results the API got: %+v; want the files' text", results)
	}
}

// TestRealClaudeSecretReadAsksWithTheHostsSettings: a host who gives Claude Code settings
// of their own (--settings among its extra arguments) keeps them — a Bash touch they allow
// runs unasked — and a Read of a nested secret file still asks: Claude Code takes only the
// last --settings, and a party's own one, given apart, was dropped.
func TestRealClaudeSecretReadAsksWithTheHostsSettings(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please touch and read"
	workdir := t.TempDir()
	secret := filepath.Join(workdir, "config", ".env.local")
	if err := os.MkdirAll(filepath.Dir(secret), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte("TOKEN=nested-secret-321\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(workdir, "allowed.txt")
	use := testkit.ToolUse("Bash", map[string]any{"command": "touch " + target, "description": "Create allowed.txt"})
	use.More = []testkit.ToolUseBlock{{Name: "Read", Input: map[string]any{"file_path": secret}}}
	api, toolResults := toolAPI(t, marker, use, "Done.")
	h := startHost(t, Config{
		Window:         20 * time.Millisecond,
		PermissionMode: wire.PermissionAsk,
		Agent: agent.Config{Path: bin, WorkDir: workdir, Env: testkit.RealClaudeEnv(t, api.URL),
			Args: []string{"--settings", `{"permissions":{"allow":["Bash(touch:*)"]}}`}},
	})
	owner, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := own.waitFor(t, "the request to read the secret", func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) == 1 })
	p := permissions(evs, wire.PermissionPending)[0]
	if p.Tool != "Read" || !strings.HasSuffix(p.Summary, ".env.local") {
		t.Fatalf("the request: %+v; want the Read of config/.env.local", p)
	}
	if err := owner.Decide(context.Background(), p.ID, wire.DecisionDeny, "not the secrets"); err != nil {
		t.Fatal(err)
	}
	evs = alice.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if perms := permissions(evs, wire.PermissionPending); len(perms) != 1 {
		t.Errorf("requests %+v: want only the Read's (the host's own rule allows the touch)", perms)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the touch the host's settings allow did not run: %v", err)
	}
	for _, r := range toolResults() {
		if strings.Contains(r.Content, "nested-secret-321") {
			t.Errorf("the agent read the secret a host denied: %+v", r)
		}
	}
}

// TestRealClaudeSecretReadAsksInAnyCase: a Read of .ENV asks too. On a file system that
// ignores case (macOS's) it opens .env, and Claude Code's rules are matched with case (a
// reviewer's): the rules name each letter in both.
func TestRealClaudeSecretReadAsksInAnyCase(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please read the upper-case env"
	workdir := t.TempDir()
	secret := filepath.Join(workdir, ".ENV")
	if err := os.WriteFile(secret, []byte("TOKEN=upper-case-secret-987\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Read", map[string]any{"file_path": secret}), "Read it.")
	h := realHost(t, wire.PermissionAsk, bin, workdir, api.URL)
	owner, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := own.waitFor(t, "the request to read .ENV", func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) == 1 })
	p := permissions(evs, wire.PermissionPending)[0]
	if p.Tool != "Read" || !strings.HasSuffix(p.Summary, ".ENV") {
		t.Fatalf("the request: %+v; want the Read of .ENV", p)
	}
	if err := owner.Decide(context.Background(), p.ID, wire.DecisionDeny, "no"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	for _, r := range toolResults() {
		if strings.Contains(r.Content, "upper-case-secret-987") {
			t.Errorf("the agent read the secret a host denied: %+v", r)
		}
	}
}

// TestRealClaudeShellReadOfASecretAsks: a shell command that reads a secret file asks a
// host, as a Read of it does; one that reads another file runs unasked. Claude Code runs
// the commands it takes for read-only without asking, and a tester's `cat .env` gave the
// agent the secret unasked (agent.secretBashRules).
func TestRealClaudeShellReadOfASecretAsks(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please show the files"
	workdir := t.TempDir()
	for name, text := range map[string]string{".env": "TOKEN=shell-secret-555\n", "notes.txt": "plain-notes-777\n"} {
		if err := os.WriteFile(filepath.Join(workdir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The owner allows Bash for good on a touch; a command that reads .env asks all the
	// same (a reviewer's: the "always" let it through).
	use := testkit.ToolUse("Bash", map[string]any{"command": "touch made.txt", "description": "Make a file"})
	use.More = []testkit.ToolUseBlock{
		{Name: "Bash", Input: map[string]any{"command": "cat notes.txt", "description": "Show the notes"}},
		{Name: "Bash", Input: map[string]any{"command": "ls && cat .env", "description": "Show the env"}},
		// Quotes in the name: Claude Code's ask rules read the raw line, and took it for a
		// read-only command of another file (a tester's ran unasked after an "always" for
		// Bash, and the agent had the secret). The party's own reading of every Bash
		// command, a PreToolUse hook, asks.
		{Name: "Bash", Input: map[string]any{"command": "cat .e''nv", "description": "Show the env again"}},
	}
	api, toolResults := toolAPI(t, marker, use, "Shown.")
	h := realHost(t, wire.PermissionAsk, bin, workdir, api.URL)
	owner, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := own.waitFor(t, "the request to touch", func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) >= 1 })
	if p := permissions(evs, wire.PermissionPending)[0]; p.Summary != "touch made.txt" {
		t.Fatalf("the first request: %+v; want the touch", p)
	} else if err := owner.Decide(context.Background(), p.ID, wire.DecisionAlways, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ls && cat .env", "cat .e''nv"} {
		evs = own.waitFor(t, "the request to "+want, func(e []wire.Event) bool {
			return slices.ContainsFunc(permissions(e, wire.PermissionPending), func(p wire.Permission) bool { return p.Summary == want })
		})
		for _, p := range permissions(evs, wire.PermissionPending) {
			if p.Summary == "cat notes.txt" {
				t.Fatalf("the cat of notes.txt asked: %+v", p)
			}
			if p.Summary != want {
				continue
			}
			if err := owner.Decide(context.Background(), p.ID, wire.DecisionDeny, "not the secrets"); err != nil {
				t.Fatal(err)
			}
		}
	}
	alice.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	var notes bool
	for _, r := range toolResults() {
		if strings.Contains(r.Content, "shell-secret-555") {
			t.Errorf("the agent read the secret a host denied: %+v", r)
		}
		notes = notes || strings.Contains(r.Content, "plain-notes-777")
	}
	if !notes {
		t.Errorf("the cat of notes.txt did not run: %+v", toolResults())
	}
}

// TestRealClaudeOwnerSeesTheTextOfASecretsEdit: the real Claude Code asks to Write a .env.
// Members are shown that its text is not shown; the party's owner, who decides on their
// own machine's files, is shown it in their own view (Local.OwnerView; a tester had to
// approve such edits blind), and a participant's in-process view is not.
func TestRealClaudeOwnerSeesTheTextOfASecretsEdit(t *testing.T) {
	bin := testkit.RealClaude(t)
	const marker = "please write the env file"
	workdir := t.TempDir()
	target := filepath.Join(workdir, ".env")
	api, _ := toolAPI(t, marker, testkit.ToolUse("Write", map[string]any{"file_path": target, "content": "API_KEY=owner-only-123\n"}), "Written.")
	h := realHost(t, wire.PermissionAsk, bin, workdir, api.URL)
	owner, own := hostMember(t, h)
	guest, _, err := h.Party().JoinLocal("guest", wire.RoleParticipant)
	if err != nil {
		t.Fatal(err)
	}
	defer guest.Leave()
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	pending := alice.waitFor(t, "the permission request", func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) == 1 })
	perm := permissions(pending, wire.PermissionPending)[0]
	if perm.Tool != "Write" || strings.Contains(perm.Detail, "owner-only-123") || !strings.Contains(perm.Detail, "usually holds secrets") {
		t.Fatalf("alice's request %+v: want the Write with its text not shown", perm)
	}
	evs := own.waitFor(t, "the owner's request", func(e []wire.Event) bool { return len(permissions(e, wire.PermissionPending)) == 1 })
	var ev wire.Event
	for _, e := range evs {
		if e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionPending {
			ev = e
		}
	}
	if d := owner.OwnerView(ev).Permission.Detail; !strings.HasPrefix(d, party.OwnerOnlyNote) || !strings.Contains(d, "API_KEY=owner-only-123") {
		t.Fatalf("the owner's view of the request: %q", d)
	}
	if ev.Permission.Detail != perm.Detail {
		t.Fatalf("OwnerView changed the event it was given: %q", ev.Permission.Detail)
	}
	if d := guest.OwnerView(ev).Permission.Detail; d != perm.Detail {
		t.Fatalf("a participant's in-process view: %q", d)
	}
	if err := owner.Decide(context.Background(), perm.ID, wire.DecisionAllow, ""); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if d := owner.OwnerView(ev).Permission.Detail; d != perm.Detail {
		t.Fatalf("the owner's view once decided: %q", d)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "API_KEY=owner-only-123\n" {
		t.Fatalf(".env after the owner allowed it: %q, %v", b, err)
	}
}

// TestRealClaudeBashOutputOfSecretsIsNotShown: the real Claude Code runs a Bash command
// that prints .env and an environment variable, in a party that lets it run anything. Its
// output goes to no member (a reviewer's `cat .env` and `env` went to every one), and the
// result line says why; the agent itself still gets it.
func TestRealClaudeBashOutputOfSecretsIsNotShown(t *testing.T) {
	got, results := realBashSeen(t, "API_KEY=file-secret-123\n", "cat .env; printenv CONCORDIA_TEST_TOKEN", "CONCORDIA_TEST_TOKEN=env-secret-456")
	if strings.Contains(got, "file-secret-123") || strings.Contains(got, "env-secret-456") {
		t.Fatalf("the secrets reached a member:\n%s", got)
	}
	if !strings.Contains(got, "Bash: cat .env; printenv CONCORDIA_TEST_TOKEN") || !strings.Contains(got, "(its text is not shown: it may show keys, tokens or the host's environment variables") {
		t.Fatalf("no tool line, or no word of why its output is not shown:\n%s", got)
	}
	if len(results) != 1 || !strings.Contains(results[0].Content, "file-secret-123") || !strings.Contains(results[0].Content, "env-secret-456") {
		t.Fatalf("the agent's tool result: %+v", results)
	}
}

// TestRealClaudeQuotedSecretNameIsNotShown: the shell takes quotes off wherever they are
// in a word, so `cat .e”nv` prints .env. A tester's ran unasked (Claude Code's rules and
// ours read the raw line) and showed the file, and its base64, to every viewer: quotes were
// taken only off a word's ends (what the file's values look like is no help in base64).
func TestRealClaudeQuotedSecretNameIsNotShown(t *testing.T) {
	const secret = "API_KEY=quoted-secret-246"
	got, results := realBashSeen(t, secret+"\n", `cat .e""nv | base64`, "")
	encoded := base64.StdEncoding.EncodeToString([]byte(secret + "\n"))
	if strings.Contains(got, "quoted-secret-246") || strings.Contains(got, encoded[:16]) || !strings.Contains(got, "(its text is not shown: this file usually holds secrets)") {
		t.Fatalf("the output of a quoted .env's cat:\n%s", got)
	}
	if len(results) != 1 || !strings.Contains(results[0].Content, encoded[:16]) {
		t.Fatalf("the agent's tool result: %+v", results)
	}
}

// TestRealClaudeGrepOfASecretIsNotShown: a command that names no secret, a recursive grep,
// finds a line of .env; its output is .env's, which a party that shares changes shows no
// member (a tester's grep -r API . showed the key).
func TestRealClaudeGrepOfASecretIsNotShown(t *testing.T) {
	got, results := realBashSeen(t, "API_KEY=grep-secret-789\n", "grep -r API .", "")
	if strings.Contains(got, "grep-secret-789") || !strings.Contains(got, "(its text is not shown: this file usually holds secrets)") {
		t.Fatalf("the grep's output:\n%s", got)
	}
	if len(results) != 1 || !strings.Contains(results[0].Content, "grep-secret-789") {
		t.Fatalf("the agent's tool result: %+v", results)
	}
}

// TestRealClaudeFolderPatternOfASecretIsNotShown: a pattern through folders (cat */.e*)
// names no secret file as written; the shell expands it to one, and its output is kept
// back (folder patterns were not walked: the last session's Left).
func TestRealClaudeFolderPatternOfASecretIsNotShown(t *testing.T) {
	const secret = "API_KEY=folder-secret-135"
	got, results := realBashSeenIn(t, map[string]string{"app/.env": secret + "\n", "app/main.go": "package main\n"}, "cat */.e* | base64", "")
	encoded := base64.StdEncoding.EncodeToString([]byte(secret + "\n"))
	if strings.Contains(got, encoded[:16]) || !strings.Contains(got, "(its text is not shown: this file usually holds secrets)") {
		t.Fatalf("the output of cat */.e*:\n%s", got)
	}
	if len(results) != 1 || !strings.Contains(results[0].Content, encoded[:16]) {
		t.Fatalf("the agent's tool result: %+v", results)
	}
}

// realBashSeen has the real Claude Code run command with Bash, in a party that lets it run
// anything, in a working directory whose .env holds dotenv, with env added to its
// environment ("" for none): it returns the output a participant saw ("stream:text"
// concatenated) and the tool results the agent got.
func realBashSeen(t *testing.T, dotenv, command, env string) (string, []testkit.ToolResult) {
	t.Helper()
	return realBashSeenIn(t, map[string]string{".env": dotenv}, command, env)
}

// realBashSeenIn is realBashSeen in a working directory that holds files (path → text).
func realBashSeenIn(t *testing.T, files map[string]string, command, env string) (string, []testkit.ToolResult) {
	t.Helper()
	bin := testkit.RealClaude(t)
	const marker = "please run the command"
	workdir := t.TempDir()
	for rel, text := range files {
		testkit.WriteFile(t, workdir, rel, text)
	}
	api, toolResults := toolAPI(t, marker, testkit.ToolUse("Bash", map[string]any{"command": command, "description": "Run it"}), "Done.")
	agentEnv := testkit.RealClaudeEnv(t, api.URL)
	if env != "" {
		agentEnv = append(agentEnv, env)
	}
	h := realHostEnv(t, wire.PermissionAll, bin, workdir, agentEnv)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := alice.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	var out strings.Builder
	for _, ev := range kinds(evs, wire.KindOutput) {
		out.WriteString(ev.Stream + ":" + ev.Text)
	}
	return out.String(), toolResults()
}

// TestRealClaudeAsksTwoAtOnce: the real Claude Code runs tools that only read in parallel,
// and asks about each at once: two tool requests wait together (the fake agent asks one at
// a time, so only this shows it). Every member sees both; each decision reaches its own
// request, in any order; the API gets one result allowed and one denied with its reason.
func TestRealClaudeAsksTwoAtOnce(t *testing.T) {
	bin := testkit.RealClaude(t)
	other := t.TempDir() // outside the working folder: a Read there asks
	for name, text := range map[string]string{"a.txt": "AAA-content", "b.txt": "BBB-content"} {
		if err := os.WriteFile(filepath.Join(other, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const marker = "please read both files"
	use := testkit.ToolUse("Read", map[string]any{"file_path": filepath.Join(other, "a.txt")})
	use.More = []testkit.ToolUseBlock{{Name: "Read", Input: map[string]any{"file_path": filepath.Join(other, "b.txt")}}}
	api, toolResults := toolAPI(t, marker, use, "Read what I was allowed to.")
	h := realHost(t, wire.PermissionAsk, bin, t.TempDir(), api.URL)
	owner, own := hostMember(t, h)
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	evs := alice.waitFor(t, "two tool requests", func(e []wire.Event) bool {
		return len(permissions(e, wire.PermissionPending)) == 2
	})
	pend := permissions(evs, wire.PermissionPending)
	if pend[0].ID == pend[1].ID || !strings.HasSuffix(pend[0].Summary, "a.txt") || !strings.HasSuffix(pend[1].Summary, "b.txt") {
		t.Fatalf("pending %+v: want a request for a.txt and one for b.txt", pend)
	}
	// The later one first.
	if err := owner.Decide(context.Background(), pend[1].ID, wire.DecisionDeny, "not b"); err != nil {
		t.Fatal(err)
	}
	if err := owner.Decide(context.Background(), pend[0].ID, wire.DecisionAllow, ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range []interface {
		waitFor(*testing.T, string, func([]wire.Event) bool) []wire.Event
	}{alice, own} {
		evs := r.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
		al, den := permissions(evs, wire.PermissionAllowed), permissions(evs, wire.PermissionDenied)
		if len(al) != 1 || al[0].ID != pend[0].ID || len(den) != 1 || den[0].ID != pend[1].ID || den[0].Reason != "not b" {
			t.Errorf("decisions: allowed %+v, denied %+v", al, den)
		}
		if tr := kinds(evs, wire.KindTurn)[0].Turn; tr.Status != wire.TurnDone || tr.Denied != 1 {
			t.Errorf("turn %+v: want done with 1 denial", tr)
		}
	}
	res := toolResults()
	if len(res) != 2 {
		t.Fatalf("tool results %+v: want two", res)
	}
	for _, r := range res {
		switch {
		case strings.Contains(r.Content, "AAA-content"):
			if r.IsError {
				t.Errorf("a.txt's result is an error: %+v", r)
			}
		case r.IsError && strings.Contains(r.Content, "not b"):
		default:
			t.Errorf("result %+v: want a.txt's text, or b.txt's denial with its reason", r)
		}
	}
}

// TestRealClaudeKeepsAFailedRequest: the real Claude Code keeps a request whose turn failed
// on an API error in its session, and sends it with the next one (a tester's agent got
// "@crash please" again, with the next prompt, though the party showed it as failed): the
// next batch reaches the model after a note that the request before failed, not to go on
// with it, and the party says so.
func TestRealClaudeKeepsAFailedRequest(t *testing.T) {
	bin := testkit.RealClaude(t)
	api := testkit.NewFakeAnthropic(t, func(req testkit.AnthropicRequest) string { return "answered: " + req.LastUserText })
	h := realHost(t, wire.PermissionAll, bin, t.TempDir(), api.URL)
	alice := join(t, h.Invite(), "alice")
	api.FailWith(500, "fake outage")
	if _, err := alice.c.Prompt(context.Background(), "delete the old build folder"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the failed turn", func(e []wire.Event) bool {
		ts := kinds(e, wire.KindTurn)
		return len(ts) == 1 && ts[0].Turn.Status == wire.TurnError
	})
	api.FailWith(0, "")
	if _, err := alice.c.Prompt(context.Background(), "add a README"); err != nil {
		t.Fatal(err)
	}
	evs := alice.waitFor(t, "the second turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 2 })
	reqs := api.Requests()
	last := string(reqs[len(reqs)-1])
	// What the model read: the failed request (claude kept it), then the note, then the new one.
	failed, note, next := strings.Index(last, "delete the old build folder"), strings.Index(last, "the request before this one failed"), strings.LastIndex(last, "add a README")
	if failed < 0 || note < failed || next < note {
		t.Fatalf("the API's last request (failed request at %d, note at %d, new one at %d):\n%s", failed, note, next, last)
	}
	if !strings.Contains(last[note:next], "Do not go on with it") {
		t.Fatalf("the note: %q", last[note:next])
	}
	told := false
	for _, ev := range kinds(evs, wire.KindSystem) {
		told = told || ev.Text == party.FailedNoteNotice
	}
	if !told {
		t.Fatal("the party was not told")
	}
}

// TestRealClaudeResumeOfAForgottenSession: TestResumeWithASessionClaudeNoLongerKnows with
// the real Claude Code, whose conversations live under its config directory: removed, the
// resumed party's claude cannot resume its session, and a new one answers.
func TestRealClaudeResumeOfAForgottenSession(t *testing.T) {
	bin := testkit.RealClaude(t)
	api := testkit.NewFakeAnthropic(t, func(req testkit.AnthropicRequest) string { return "answered: " + req.LastUserText })
	env := testkit.RealClaudeEnv(t, api.URL)
	var projects string
	for _, kv := range env {
		if dir, ok := strings.CutPrefix(kv, "CLAUDE_CONFIG_DIR="); ok {
			projects = filepath.Join(dir, "projects")
		}
	}
	resumeForgotten(t, env, bin, func() {
		if _, err := os.Stat(projects); err != nil {
			t.Fatalf("claude kept no conversations where expected: %v", err)
		}
		if err := os.RemoveAll(projects); err != nil {
			t.Fatal(err)
		}
	})
}
