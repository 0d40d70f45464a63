package party

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// switchRunner is a planRunner that also records the switches of a running agent.
type switchRunner struct {
	planRunner
	mu       sync.Mutex
	switched []string
}

func (r *switchRunner) SwitchPermissionMode(mode string) {
	r.mu.Lock()
	r.switched = append(r.switched, mode)
	r.mu.Unlock()
}

func (r *switchRunner) switches() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.switched, ",")
}

// A host changes what the agent may do while the party runs (Party.setPermissionMode):
// everyone is told who changed it and to what, the running agent is switched, and the
// next tool request follows the new mode. Before it, a party started in "all" could only
// be made to ask again by ending it.
func TestHostSetsThePermissionModeWhileThePartyRuns(t *testing.T) {
	r := &switchRunner{planRunner: planRunner{tools: []string{"Bash"}, got: make(chan ToolDecision, 4)}}
	p, col, id := start(t, Config{Runner: r, PermissionMode: wire.PermissionAll})
	boss, _, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	ctx := context.Background()

	// Only a host may, and only to a mode there is.
	if err := p.SetPermissionMode(id, wire.PermissionAsk); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a participant set the mode: %v", err)
	}
	if err := boss.SetPermissionMode(ctx, "sometimes"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an unknown mode: %v", err)
	}
	if err := boss.SetPermissionMode(ctx, wire.PermissionAll); err != nil { // as it is: nothing happens
		t.Fatal(err)
	}

	// In "all" the agent's Bash goes through unasked.
	promptAs(t, p, id, "run ls")
	if d := <-r.got; !d.Allow {
		t.Fatalf("Bash in all mode: %+v", d)
	}
	col.waitFor(t, "the first turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })

	if err := boss.SetPermissionMode(ctx, wire.PermissionAsk); err != nil {
		t.Fatal(err)
	}
	evs := col.waitFor(t, "the settings event", func(e []wire.Event) bool { return count(e, wire.KindSettings) == 1 })
	var seen []string
	for _, ev := range evs {
		switch ev.Kind {
		case wire.KindSystem:
			if strings.Contains(ev.Text, "tool permissions") {
				seen = append(seen, ev.Text)
			}
		case wire.KindSettings:
			seen = append(seen, "settings "+ev.Settings.PermissionMode)
		}
	}
	want := "boss set tool permissions to ask: every tool use that needs permission asks a host|settings ask"
	if got := strings.Join(seen, "|"); got != want {
		t.Fatalf("events:\n%s\nwant:\n%s", got, want)
	}
	if got := r.switches(); got != wire.PermissionAsk {
		t.Fatalf("the running agent was switched to %q, want ask", got)
	}
	late := newCollector()
	if res, err := p.Join(JoinRequest{Name: "late", Token: token, Sub: late, Conn: late}); err != nil || res.Party.PermissionMode != wire.PermissionAsk {
		t.Fatalf("a hello after the change says %q (%v)", res.Party.PermissionMode, err)
	}

	// The next Bash asks a host now.
	promptAs(t, p, id, "run ls again")
	permID := firstPending(t, col, "Bash pending")

	// A request already waiting stays a host's to decide when the mode changes…
	if err := boss.SetPermissionMode(ctx, wire.PermissionAll); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-r.got:
		t.Fatalf("the waiting request was answered by the change of mode: %+v", d)
	default:
	}
	// …and the notice says so (after "without asking" a tester took it for allowed).
	col.waitFor(t, "the notice of all", func(e []wire.Event) bool {
		for _, ev := range e {
			if ev.Kind == wire.KindSystem && strings.HasPrefix(ev.Text, "boss set tool permissions to all:") &&
				strings.HasSuffix(ev.Text, "without asking anyone (1 tool request already waiting still needs a host's decision)") {
				return true
			}
		}
		return false
	})
	// …but plan mode denies what it would not have asked about: a host could otherwise
	// still allow a Bash the party says it would not run.
	if err := boss.SetPermissionMode(ctx, wire.PermissionPlan); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-r.got:
		if d.Allow {
			t.Fatalf("Bash waiting when the party went into plan mode: %+v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Bash waiting when the party went into plan mode is still waiting")
	}
	evs = col.waitFor(t, "the second turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 2 })
	var denied *wire.Permission
	for _, ev := range evs {
		if ev.Kind == wire.KindPermission && ev.Permission.ID == permID && ev.Permission.Status != wire.PermissionPending {
			denied = ev.Permission
		}
	}
	if denied == nil || denied.Status != wire.PermissionDenied || denied.Reason != "plan mode: nothing is changed" {
		t.Fatalf("the waiting Bash after the change to plan: %+v", denied)
	}

	// In plan mode an edit is denied without asking.
	r.tools = []string{"Write"} // read by the next turn, on the runner's goroutine, after this
	promptAs(t, p, id, "write a file")
	if d := <-r.got; d.Allow || !strings.Contains(d.Message, "plan mode") {
		t.Fatalf("Write in plan mode: %+v", d)
	}
	if got := r.switches(); got != "ask,all,plan" {
		t.Fatalf("switches %q, want ask,all,plan", got)
	}

	// A co-host may change the mode, but only the owner may allow everything: the agent
	// runs on the owner's computer.
	co := joinAs(t, p, "co", token, "")
	if err := boss.SetRole(ctx, co, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPermissionMode(co, wire.PermissionAll); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a co-host allowed everything: %v", err)
	}
	if err := p.SetPermissionMode(co, wire.PermissionEdits); err != nil {
		t.Fatalf("a co-host set edits: %v", err)
	}
}

// reqRunner asks the party about each of its requests in turn, recording the answers.
type reqRunner struct {
	fakeRunner
	reqs []ToolRequest
	got  chan ToolDecision
}

func (r *reqRunner) RunTurn(ctx context.Context, prompt string, io TurnIO) (TurnResult, error) {
	for _, req := range r.reqs {
		r.got <- io.Ask(ctx, req)
	}
	return TurnResult{}, nil
}

// "File edits are allowed, every other tool use that needs permission asks a host." The agent runs in Claude
// Code's default mode, which asks about edits too, and the party allows those inside the
// working directory itself, without a request anyone sees; an edit outside it, or any
// other tool, asks a host (Claude Code's acceptEdits would run rm unasked: a tester's).
func TestEditsModeAllowsEditsInTheFolderAndAsksTheRest(t *testing.T) {
	r := &reqRunner{reqs: []ToolRequest{
		{Tool: "Edit", Summary: "a.go", InWorkDir: true},
		{Tool: "Write", Summary: "/etc/hosts"},
		{Tool: "Bash", Summary: "rm victim.txt"},
	}, got: make(chan ToolDecision, 3)}
	p, col, id := start(t, Config{Runner: r, PermissionMode: wire.PermissionEdits})
	boss, _, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	if _, err := p.Prompt(id, "edit a.go, then the rest"); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-r.got:
		if !d.Allow {
			t.Fatalf("an edit in the folder: %+v, want allowed", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the edit in the folder waits for a decision: it was asked about, not allowed")
	}
	for _, want := range []string{"Write", "Bash"} {
		evs := col.waitFor(t, "the request for "+want, func(evs []wire.Event) bool {
			for _, ev := range evs {
				if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending && ev.Permission.Tool == want {
					return true
				}
			}
			return false
		})
		var id string
		for _, ev := range evs {
			if ev.Kind == wire.KindPermission && ev.Permission.Tool == "Edit" {
				t.Fatalf("the allowed edit was a request everyone saw: %+v", ev.Permission)
			}
			if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending && ev.Permission.Tool == want {
				id = ev.Permission.ID
			}
		}
		if err := boss.Decide(context.Background(), id, wire.DecisionDeny, "no"); err != nil {
			t.Fatal(err)
		}
		if d := <-r.got; d.Allow {
			t.Fatalf("%s was allowed", want)
		}
	}
}

// An edit's text is the folder's content: a request shows it only as far as the party
// shares files, and never for a file that usually holds secrets (a reviewer: a Write of
// .env went to every viewer). A command's description is always shown.
func TestDetailShownAsFarAsThePartyShares(t *testing.T) {
	p, _, _ := start(t, Config{})
	cases := []struct {
		level string
		req   ToolRequest
		want  string
	}{
		{wire.WorkspaceChanges, ToolRequest{Tool: "Write", Summary: "notes.txt", Detail: "hello"}, "hello"},
		{wire.WorkspaceChanges, ToolRequest{Tool: "Write", Summary: ".env", Detail: "KEY=1"}, "(its text is not shown: this file usually holds secrets)"},
		{wire.WorkspaceChanges, ToolRequest{Tool: "Edit", Summary: "deploy/prod.tfvars", Detail: "- a\n+ b"}, "(its text is not shown: this file usually holds secrets)"},
		{wire.WorkspaceOff, ToolRequest{Tool: "Edit", Summary: "a.go", Detail: "- a\n+ b"}, "(its text is not shown: the party shares no files of the working directory)"},
		{wire.WorkspaceOff, ToolRequest{Tool: "Bash", Summary: "touch x", Detail: "Create x"}, "Create x"},
		// A file named as no secret is, written with one (a security reviewer's deploy_key).
		{wire.WorkspaceChanges, ToolRequest{Tool: "Write", Summary: "deploy_key", Detail: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl"}, "(its text is not shown: it holds what looks like a credential)"},
	}
	for _, c := range cases {
		var got string
		_ = p.do(func() { p.wsLevel = c.level; got = p.shownDetail(c.req) })
		if got != c.want {
			t.Errorf("%s, %s %s: %q, want %q", c.level, c.req.Tool, c.req.Summary, got, c.want)
		}
	}
}

// TestEditsModeAsksBeforeEditingCredentials: in "edits" an edit of a file that usually
// holds credentials, in the folder, asks a host: the party shows nobody such a file's
// changes (a tester's agent wrote .env and id_rsa unseen).
func TestEditsModeAsksBeforeEditingCredentials(t *testing.T) {
	r := &reqRunner{reqs: []ToolRequest{
		{Tool: "Write", Summary: ".env", InWorkDir: true},
		{Tool: "Edit", Summary: "deploy/id_rsa", InWorkDir: true},
	}, got: make(chan ToolDecision, 2)}
	p, col, id := start(t, Config{Runner: r, PermissionMode: wire.PermissionEdits})
	boss, _, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	if _, err := p.Prompt(id, "set the key"); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{".env", "deploy/id_rsa"} {
		evs := col.waitFor(t, "the request for "+file, func(evs []wire.Event) bool {
			for _, ev := range evs {
				if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending && ev.Permission.Summary == file {
					return true
				}
			}
			return false
		})
		var pid string
		for _, ev := range evs {
			if ev.Kind == wire.KindPermission && ev.Permission.Summary == file {
				pid = ev.Permission.ID
			}
		}
		if err := boss.Decide(context.Background(), pid, wire.DecisionAllow, ""); err != nil {
			t.Fatal(err)
		}
		if d := <-r.got; !d.Allow {
			t.Fatalf("%s: %+v after a host allowed it", file, d)
		}
	}
}

// TestEditsModeJudgesTheFileByItsPath: a credentials file is known by the path the agent
// gave, not by the one-line summary, which is cut at 200 characters and may use Windows'
// separators (a reviewer's: a Write to <190 characters>/config/.env was allowed unasked,
// and its text shown to every viewer).
func TestEditsModeJudgesTheFileByItsPath(t *testing.T) {
	long := strings.Repeat("d", 190) + "/config/.env"
	cases := []ToolRequest{
		{Tool: "Write", Summary: long[:200] + "…", FilePath: "/w/" + long, InWorkDir: true, Detail: "KEY=1"},
		{Tool: "Edit", Summary: `deploy\id_rsa`, FilePath: `C:\w\deploy\id_rsa`, InWorkDir: true},
		{Tool: "Edit", Summary: `deploy\.env.local`, InWorkDir: true},
	}
	for _, req := range cases {
		if !editsSecret(req) {
			t.Errorf("%s %q (%q) is not taken for a credentials file", req.Tool, req.FilePath, req.Summary)
		}
	}
	if editsSecret(ToolRequest{Tool: "Write", Summary: "notes.txt", FilePath: "/w/notes.txt"}) {
		t.Error("notes.txt is taken for a credentials file")
	}
	p, _, _ := start(t, Config{})
	var got string
	_ = p.do(func() { p.wsLevel = wire.WorkspaceChanges; got = p.shownDetail(cases[0]) })
	if got != "(its text is not shown: this file usually holds secrets)" {
		t.Errorf("the detail of the long .env path: %q", got)
	}
}

// A request to edit a file the party never shares (outside the working directory,
// ignored, through a link) does not show its text, as the result of a tool on that file
// does not (a tester's Write outside the folder showed its whole text to every member,
// and its result line then said the party does not share the file).
func TestDetailOfAnUnsharedFileIsNotShown(t *testing.T) {
	r := &reqRunner{reqs: []ToolRequest{
		{Tool: "Write", Summary: "/home/ann/notes.txt", FilePath: "/home/ann/notes.txt", Detail: "TEXT-OUTSIDE"},
		{Tool: "Write", Summary: "main.go", FilePath: "/w/main.go", Detail: "TEXT-INSIDE"},
	}, got: make(chan ToolDecision, 2)}
	p, col, id := start(t, Config{Runner: r, Workspace: sharesWorkspace{"/w/main.go": true}})
	_ = p.do(func() { p.wsLevel = wire.WorkspaceChanges })
	boss, _, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	promptAs(t, p, id, "write them")
	for _, want := range []struct{ file, detail string }{
		{"/home/ann/notes.txt", "(its text is not shown: the party does not share this file)"},
		{"main.go", "TEXT-INSIDE"},
	} {
		evs := col.waitFor(t, "the request for "+want.file, func(evs []wire.Event) bool {
			for _, ev := range evs {
				if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending && ev.Permission.Summary == want.file {
					return true
				}
			}
			return false
		})
		for _, ev := range evs {
			if ev.Kind != wire.KindPermission || ev.Permission.Summary != want.file || ev.Permission.Status != wire.PermissionPending {
				continue
			}
			if ev.Permission.Detail != want.detail {
				t.Errorf("%s: detail %q, want %q", want.file, ev.Permission.Detail, want.detail)
			}
			if err := boss.Decide(context.Background(), ev.Permission.ID, wire.DecisionAllow, ""); err != nil {
				t.Fatal(err)
			}
		}
		<-r.got
	}
}

// An edit the party allows itself shows no text, so the Ask hook does not ask whether the
// folder shares its file (a git run per edit: a reviewer's); one put to a host does.
func TestOnlyAnAskedEditAsksWhetherItsFileIsShared(t *testing.T) {
	r := &reqRunner{reqs: []ToolRequest{
		{Tool: "Write", Summary: "main.go", FilePath: "/w/main.go", Detail: "TEXT-ALLOWED", InWorkDir: true},
		{Tool: "Write", Summary: "/w/other.go", FilePath: "/w/other.go", Detail: "TEXT-ASKED"},
	}, got: make(chan ToolDecision, 2)}
	ws := &countingShares{sharesWorkspace: sharesWorkspace{"/w/main.go": true, "/w/other.go": true}}
	p, col, id := start(t, Config{Runner: r, Workspace: ws, PermissionMode: wire.PermissionEdits})
	_ = p.do(func() { p.wsLevel = wire.WorkspaceChanges })
	boss := joinHost(t, p)
	promptAs(t, p, id, "write them")
	if d := <-r.got; !d.Allow {
		t.Fatalf("the edit in the folder: %+v, want allowed by the party", d)
	}
	evs := col.waitFor(t, "the request put to a host", func(evs []wire.Event) bool { return len(pendingPerms(evs)) > 0 })
	for _, ev := range pendingPerms(evs) {
		if ev.Permission.Detail != "TEXT-ASKED" {
			t.Errorf("the asked edit's detail %q, want its text (the file is shared)", ev.Permission.Detail)
		}
		if err := boss.Decide(context.Background(), ev.Permission.ID, wire.DecisionDeny, ""); err != nil {
			t.Fatal(err)
		}
	}
	<-r.got
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if !slices.Equal(ws.asked, []string{"/w/other.go"}) {
		t.Errorf("Shares was asked of %q, want only the edit put to a host", ws.asked)
	}
}

// countingShares keeps the files it was asked about (Shares).
type countingShares struct {
	sharesWorkspace
	mu    sync.Mutex
	asked []string
}

func (w *countingShares) Shares(ctx context.Context, p string) bool {
	w.mu.Lock()
	w.asked = append(w.asked, p)
	w.mu.Unlock()
	return w.sharesWorkspace.Shares(ctx, p)
}

// sharesWorkspace shares the files it lists (Workspace.Shares), and answers nothing else.
type sharesWorkspace map[string]bool

func (w sharesWorkspace) Shares(_ context.Context, p string) bool { return w[p] }
func (sharesWorkspace) Changes(context.Context, bool) ([]wire.FileChange, int, error) {
	return nil, 0, errors.New("no changes here")
}
func (sharesWorkspace) Diff(context.Context, string, bool) (wire.FileDiff, error) {
	return wire.FileDiff{}, errors.New("no diffs here")
}
func (sharesWorkspace) Tree(context.Context, string) ([]wire.TreeEntry, error) {
	return nil, errors.New("no tree here")
}
func (sharesWorkspace) Base() string { return "" }

// fileRunner's turn sends a Read's result lines through FileOut, as the host's runner does.
type fileRunner struct {
	fakeRunner
	file   string
	failed bool // the tool failed: its result line is the error's (an Edit's quotes what it looked for)
}

func (r *fileRunner) RunTurn(_ context.Context, _ string, io TurnIO) (TurnResult, error) {
	io.Out(wire.StreamTool, "Read: "+r.file)
	if r.failed {
		io.FileOut(wire.StreamTool, "  -> (error) <tool_use_error>String to replace not found in file. String: KEY=hunter2</tool_use_error>", r.file)
		io.Out(wire.StreamAssistant, "read it")
		return TurnResult{}, nil
	}
	io.FileOut(wire.StreamTool, "  -> 1\tKEY=hunter2 (+1 lines)", r.file)
	io.FileOut(wire.StreamToolOutput, "1\tKEY=hunter2\n2\tB=c\n", r.file)
	io.Out(wire.StreamAssistant, "read it")
	return TurnResult{}, nil
}

// A file's text in a tool's result is the folder's content too: it reaches members only as
// far as the party shares that file (a reviewer's Read of .env, which Claude Code does
// without asking, went to every viewer).
func TestFileOutputShownAsFarAsThePartyShares(t *testing.T) {
	cases := []struct {
		level, file string
		shown       bool
		why         string
	}{
		{wire.WorkspaceChanges, "/w/.env", false, "  -> (its text is not shown: this file usually holds secrets)\n"},
		{wire.WorkspaceChanges, `C:\w\deploy\id_rsa`, false, "  -> (its text is not shown: this file usually holds secrets)\n"},
		{wire.WorkspaceOff, "/w/main.go", false, "  -> (its text is not shown: the party shares no files of the working directory)\n"},
		{wire.WorkspaceChanges, "/w/main.go", true, ""},
		{wire.WorkspaceTree, "/w/.env", true, ""},
		// Ignored, or outside the folder: the party's at no level (a reviewer's).
		{wire.WorkspaceChanges, "/w/notes.txt", false, "  -> (its text is not shown: the party does not share this file)\n"},
		{wire.WorkspaceTree, "/home/ann/other/database.yml", false, "  -> (its text is not shown: the party does not share this file)\n"},
		// A Bash env's output (the agent names it workspace.Environment): at no level, the
		// whole folder shared included, whatever the workspace would answer.
		{wire.WorkspaceTree, workspace.Environment, false, "  -> (its text is not shown: it may show keys, tokens or the host's environment variables)\n"},
		// A file that holds a credential by its shape, whatever its name (a reviewer's key).
		{wire.WorkspaceTree, workspace.Credential, false, "  -> (its text is not shown: it holds what looks like a credential)\n"},
	}
	shares := map[string]bool{"/w/.env": true, "/w/main.go": true, `C:\w\deploy\id_rsa`: true, workspace.Environment: true}
	for _, c := range cases {
		t.Run(c.level+" "+c.file, func(t *testing.T) {
			p, col, id := start(t, Config{Runner: &fileRunner{file: c.file}, Workspace: sharesWorkspace(shares)})
			_ = p.do(func() { p.wsLevel = c.level })
			promptAs(t, p, id, "read it")
			evs := col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
			var out strings.Builder
			for _, ev := range evs {
				if ev.Kind == wire.KindOutput {
					out.WriteString(ev.Stream + ":" + ev.Text)
				}
			}
			got := out.String()
			if strings.Contains(got, "hunter2") != c.shown {
				t.Fatalf("output (shown: want %v):\n%s", c.shown, got)
			}
			if !strings.Contains(got, "Read: "+c.file) || !strings.Contains(got, "read it") || !strings.Contains(got, c.why) {
				t.Fatalf("output lacks the tool line, the reply or %q:\n%s", c.why, got)
			}
		})
	}
	// The tool failed: said, its message hidden all the same (a tester's host took a
	// failed Write of .env for done; an Edit's error quotes the text it looked for).
	p, col, id := start(t, Config{Runner: &fileRunner{file: "/w/.env", failed: true}, Workspace: sharesWorkspace(shares)})
	promptAs(t, p, id, "edit it")
	evs := col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	var out strings.Builder
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput {
			out.WriteString(ev.Text)
		}
	}
	if got := out.String(); strings.Contains(got, "hunter2") || !strings.Contains(got, "  -> (error; its text is not shown: this file usually holds secrets)\n") {
		t.Fatalf("a failed tool on .env:\n%s", got)
	}
}

// The owner's views start from a state that may hold a pending request: OwnerViews shows
// them its text as OwnerView shows the events that follow (a reviewer's); anyone else's
// start as members do.
func TestOwnerViewsOfTheStartingState(t *testing.T) {
	r := &reqRunner{reqs: []ToolRequest{{Tool: "Write", Summary: ".env", FilePath: "/w/.env", Detail: "KEY=owner-only"}}, got: make(chan ToolDecision, 1)}
	p, col, id := start(t, Config{Runner: r})
	promptAs(t, p, id, "set the key")
	firstPending(t, col, "the request")
	boss, hello, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	guest, ghello, err := p.JoinLocal("guest", wire.RoleParticipant)
	if err != nil {
		t.Fatal(err)
	}
	defer guest.Leave()
	detail := func(evs []wire.Event) string {
		for _, ev := range evs {
			if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending {
				return ev.Permission.Detail
			}
		}
		return "(none)"
	}
	before := detail(hello.State.Events)
	if got := detail(boss.OwnerViews(hello.State.Events)); !strings.HasPrefix(got, OwnerOnlyNote) || !strings.Contains(got, "KEY=owner-only") {
		t.Errorf("the owner's starting state: %q", got)
	}
	if detail(hello.State.Events) != before || strings.Contains(before, "owner-only") {
		t.Errorf("OwnerViews changed the state it was given, or the state showed the text: %q", before)
	}
	if got := detail(guest.OwnerViews(ghello.State.Events)); strings.Contains(got, "owner-only") {
		t.Errorf("a participant's starting state: %q", got)
	}

	// As a page gets it: JSON, the state's encoded events spliced in. A reloaded window
	// showed its owner the members' view, the text hidden (a window tester's).
	st, err := p.State(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.RawEvents) != len(st.Events) {
		t.Fatalf("the state has %d encoded events for %d: the splice is not tested", len(st.RawEvents), len(st.Events))
	}
	for _, c := range []struct {
		who   *Local
		owner bool
	}{{boss, true}, {guest, false}} {
		b, err := json.Marshal(c.who.OwnerState(st))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "KEY=owner-only") != c.owner {
			t.Errorf("owner %v: the page's state shows the text: %v\n%s", c.owner, !c.owner, b)
		}
	}
	if b, _ := json.Marshal(st); strings.Contains(string(b), "owner-only") {
		t.Errorf("OwnerState changed the state it was given:\n%s", b)
	}
}

// crashAsking's first turn asks for a tool, then claude "crashes": the request's context
// ends and the turn fails, so the party restarts claude and runs the batch again.
type crashAsking struct {
	fakeRunner
	runs atomic.Int32
}

func (r *crashAsking) RunTurn(ctx context.Context, prompt string, io TurnIO) (TurnResult, error) {
	if r.runs.Add(1) > 1 {
		return TurnResult{}, nil
	}
	actx, cancel := context.WithCancel(ctx)
	done := make(chan ToolDecision, 1)
	go func() { done <- io.Ask(actx, ToolRequest{Tool: "Bash", Summary: "make test"}) }()
	time.Sleep(50 * time.Millisecond) // the request is pending
	cancel()                          // claude's process is gone: its request with it
	<-done
	return TurnResult{}, errors.New("process exited with status 3")
}

// A request claude stops asking (it crashed, and the turn goes on with claude restarted)
// is not said to be denied because "the turn ended" (a tester read that just after
// "retrying the batch"); one the turn's end closes still is.
func TestARequestClaudeStoppedAskingSaysSo(t *testing.T) {
	r := &crashAsking{}
	p, col, id := start(t, Config{Runner: r})
	promptAs(t, p, id, "run the tests")
	evs := col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	var reasons []string
	for _, ev := range evs {
		if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionDenied {
			reasons = append(reasons, ev.Permission.Reason)
		}
	}
	if len(reasons) != 1 || reasons[0] != "claude stopped before anyone decided" {
		t.Fatalf("denials %q, want one that says claude stopped", reasons)
	}
	// Nobody denied it, and the run again asks anew: the turn does not count it (a window
	// tester's footer said "2 tool requests denied" after one was).
	for _, ev := range evs {
		if ev.Kind == wire.KindTurn && ev.Turn.Denied != 0 {
			t.Fatalf("turn %+v counts the request claude stopped asking as denied", *ev.Turn)
		}
	}
}

// crashAskingLate is crashAsking whose agent gives its request up only after the turn has
// failed, as the real agent may: its Ask's context ends as its turn ends, on another
// goroutine than the one that returns the turn's error.
type crashAskingLate struct {
	fakeRunner
	runs atomic.Int32
}

func (r *crashAskingLate) RunTurn(ctx context.Context, prompt string, io TurnIO) (TurnResult, error) {
	if r.runs.Add(1) > 1 {
		return TurnResult{}, nil
	}
	actx, cancel := context.WithCancel(ctx)
	go func() { io.Ask(actx, ToolRequest{Tool: "Bash", Summary: "make test"}) }()
	time.Sleep(50 * time.Millisecond) // the request is pending
	time.AfterFunc(50*time.Millisecond, cancel)
	return TurnResult{}, errors.New("process exited with status 3")
}

// The request of the claude that crashed is closed before the batch is retried: a user
// tester's terminal said "restarting claude and retrying the batch", then "denied Bash…:
// claude stopped before anyone decided", of the attempt before.
func TestARequestClaudeStoppedAskingIsClosedBeforeTheRetry(t *testing.T) {
	r := &crashAskingLate{}
	p, col, id := start(t, Config{Runner: r})
	promptAs(t, p, id, "run the tests")
	evs := col.waitFor(t, "the turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	denied, retry, notice := -1, -1, -1
	for i, ev := range evs {
		switch {
		case ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionDenied:
			denied = i
		case ev.Kind == wire.KindRetry:
			retry = i
		case ev.Kind == wire.KindSystem && ev.Text == "restarting claude and retrying the batch":
			notice = i
		}
	}
	if denied < 0 || retry < 0 || notice < 0 || denied > retry || denied > notice {
		t.Fatalf("the denial at %d, the retry at %d, its notice at %d: want the denial first\n%s", denied, retry, notice, dump(evs))
	}
	if tr := turns(evs)[0]; tr.Denied != 0 {
		t.Errorf("turn %+v counts the request claude stopped asking as denied", tr)
	}
	time.Sleep(100 * time.Millisecond) // the agent gives the request up: nothing more is said of it
	n := 0
	for _, ev := range col.all() {
		if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionDenied {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d denials, want one:\n%s", n, dump(col.all()))
	}
}

// A request whose file was not checked (the party was to decide it itself, and a host
// changed the settings before it opened) hides its text, saying why: not that the party
// does not share the file, which nobody asked (a reviewer's).
func TestUncheckedEditHidesItsTextAndSaysWhy(t *testing.T) {
	p := New(Config{Runner: &fakeRunner{}, Token: token, Workspace: sharesWorkspace{"/w/main.go": true}})
	p.wsLevel = wire.WorkspaceChanges
	req := ToolRequest{Tool: "Write", Summary: "main.go", FilePath: "/w/main.go", Detail: "TEXT", unchecked: true}
	if got := p.shownDetail(req); got != "(its text is not shown: the tool permissions changed while it was asked)" {
		t.Fatalf("detail %q", got)
	}
	req.unchecked = false
	if got := p.shownDetail(req); got != "TEXT" {
		t.Fatalf("checked and shared: detail %q", got)
	}
}

// A credential typed into a command — a request's summary, a tool line — is blanked out of
// what members see; the party's owner, who decides the request, sees it whole (a
// reviewer's: psql "postgres://app:hunter2@db/app" went to every member).
func TestCredentialsInACommandAreBlankedOut(t *testing.T) {
	const cmd = `psql "postgres://app:hunter2@db/app" -c 'select 1'`
	r := &reqRunner{reqs: []ToolRequest{{Tool: "Bash", Summary: cmd, Detail: "Query the database"}}, got: make(chan ToolDecision, 1)}
	p, col, id := start(t, Config{Runner: r})
	boss := joinHost(t, p)
	promptAs(t, p, id, "query it")
	evs := col.waitFor(t, "the request", func(evs []wire.Event) bool { return len(pendingPerms(evs)) == 1 })
	ev := pendingPerms(evs)[0]
	if strings.Contains(ev.Permission.Summary, "hunter2") || !strings.Contains(ev.Permission.Summary, "postgres://app:•••@db/app") {
		t.Fatalf("a member's summary: %q", ev.Permission.Summary)
	}
	owned := boss.OwnerView(ev)
	if owned.Permission.Summary != cmd || !strings.HasPrefix(owned.Permission.Detail, OwnerSummaryNote) || !strings.HasSuffix(owned.Permission.Detail, "Query the database") {
		t.Fatalf("the owner's view: %+v", owned.Permission)
	}
	if err := boss.Decide(context.Background(), ev.Permission.ID, wire.DecisionDeny, ""); err != nil {
		t.Fatal(err)
	}
	<-r.got
	// A tool line, as the agent's reader sends it.
	_ = p.do(func() { p.output(wire.StreamTool, "Bash: "+cmd+"\n") })
	evs = col.waitFor(t, "the tool line", func(evs []wire.Event) bool {
		for _, e := range evs {
			if e.Kind == wire.KindOutput && e.Stream == wire.StreamTool && strings.Contains(e.Text, "psql") {
				return true
			}
		}
		return false
	})
	for _, e := range evs {
		if e.Kind == wire.KindOutput && strings.Contains(e.Text, "hunter2") {
			t.Fatalf("a tool line shows the password: %q", e.Text)
		}
	}
}

// joinHost joins p as its local host "boss", who leaves at the test's end.
func joinHost(t *testing.T, p *Party) *Local {
	t.Helper()
	boss, _, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(boss.Leave)
	return boss
}

// pendingPerms is the pending permission events of evs.
func pendingPerms(evs []wire.Event) []wire.Event {
	var out []wire.Event
	for _, e := range evs {
		if e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionPending {
			out = append(out, e)
		}
	}
	return out
}
