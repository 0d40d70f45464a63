package party

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
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
	want := "boss set tool permissions to ask: every tool use asks a host|settings ask"
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
	permID := ""
	col.waitFor(t, "Bash pending", func(e []wire.Event) bool {
		for _, ev := range e {
			if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending {
				permID = ev.Permission.ID
				return true
			}
		}
		return false
	})

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

// What vet says of a tool use in each mode (TurnIO.Vet, which the real Claude Code asks
// before its own check): plan refuses what is not read-only, and everyone sees it; edits
// has every tool that is neither a file edit nor read-only asked about (claude's own
// acceptEdits runs rm unasked); ask and all leave it to claude's check and Ask.
func TestVetHoldsTheModesPromise(t *testing.T) {
	p, col, _ := start(t, Config{PermissionMode: wire.PermissionAsk})
	boss, _, err := p.JoinLocal("boss", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Leave()
	cases := []struct {
		mode, tool string
		want       Vetting
	}{
		{wire.PermissionAsk, "Bash", VetContinue},
		{wire.PermissionAll, "Bash", VetContinue},
		{wire.PermissionEdits, "Bash", VetAsk},
		{wire.PermissionEdits, "WebFetch", VetContinue}, // read-only: claude's own check
		{wire.PermissionEdits, "mcp__db__query", VetAsk},
		{wire.PermissionEdits, "Edit", VetContinue},
		{wire.PermissionEdits, "Write", VetContinue},
		{wire.PermissionEdits, "Read", VetContinue},
		{wire.PermissionEdits, ExitPlanTool, VetAsk},
		{wire.PermissionPlan, "Read", VetContinue},
		{wire.PermissionPlan, ExitPlanTool, VetContinue},
		{wire.PermissionPlan, "Write", VetDeny},
		{wire.PermissionPlan, "Bash", VetDeny},
	}
	for _, c := range cases {
		if err := boss.SetPermissionMode(context.Background(), c.mode); err != nil {
			t.Fatal(err)
		}
		got, msg := p.vet("b1", ToolRequest{Tool: c.tool, Summary: "x"})
		if got != c.want {
			t.Errorf("%s, %s: %v %q, want %v", c.mode, c.tool, got, msg, c.want)
		}
		if got == VetDeny && msg != planDenial {
			t.Errorf("%s, %s: the agent is told %q", c.mode, c.tool, msg)
		}
	}
	evs := col.waitFor(t, "the plan's two denials", func(evs []wire.Event) bool {
		n := 0
		for _, ev := range evs {
			if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionDenied && ev.Permission.Reason == planReason {
				n++
			}
		}
		return n == 2
	})
	for _, ev := range evs {
		if ev.Kind == wire.KindPermission && ev.Permission.Status == wire.PermissionPending {
			t.Errorf("vet opened a request: %+v", ev.Permission)
		}
	}
}
