package host

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// modeLog is what the fake Claude program logged of its permission mode: each user
// message's mode and command line, and each set_permission_mode it took.
type modeLog struct {
	turns    []string   // the mode each user message found, in order
	args     [][]string // the command line of the process each user message reached
	switches []string   // the set_permission_mode requests it took
}

func readModeLog(t *testing.T, path string) modeLog {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var l modeLog
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e struct {
			Text    *string  `json:"text"`
			Mode    string   `json:"mode"`
			Args    []string `json:"args"`
			SetMode *string  `json:"set_mode"`
		}
		if line == "" || json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		switch {
		case e.Text != nil:
			l.turns, l.args = append(l.turns, e.Mode), append(l.args, e.Args)
		case e.SetMode != nil:
			l.switches = append(l.switches, *e.SetMode)
		}
	}
	return l
}

// A co-host changes the tool permissions of a running party (Party.setPermissionMode, an
// extension of §7) and the running claude follows. ask, edits and all are all claude's
// default mode (the party allows edits itself in edits), so going between them asks
// nothing of claude. Plan mode is never entered by set_permission_mode (claude switched to
// it while it runs lets any Bash command run unasked): claude is restarted in plan mode,
// resuming its session, before its next turn. Leaving plan mode is a switch of the running
// claude (set_permission_mode), and a turn asked for meanwhile waits for it.
func TestSetPermissionModeSwitchesTheRunningAgent(t *testing.T) {
	// claude takes a switch only after a while: a turn asked for meanwhile must wait.
	c := newCtl(t, Config{Insecure: true, Agent: agent.Config{Env: []string{"FAKECLAUDE_MODE_DELAY_MS=300"}}})
	alice := c.raw(t, "alice")
	carol := c.cohost(t, "carol")
	alice.ok(wire.MethodPrompt, map[string]any{"text": "first"}, nil)
	alice.rec.waitFor(t, "the first turn", nTurns(1))

	alice.fails(wire.MethodSetPermissionMode, map[string]any{"mode": "all"}, wire.CodeNotAllowed)
	carol.fails(wire.MethodSetPermissionMode, map[string]any{"mode": "yolo"}, rpc.CodeInvalidParams)
	carol.fails(wire.MethodSetPermissionMode, map[string]any{}, rpc.CodeInvalidParams)

	carol.ok(wire.MethodSetPermissionMode, map[string]any{"mode": "edits"}, nil)
	evs := alice.rec.waitFor(t, "the change", func(e []wire.Event) bool {
		return len(kinds(e, wire.KindSettings)) == 1 && hasSystem(e, "carol set tool permissions to edits: file edits are allowed, every other tool use that needs permission asks a host")
	})
	if st := kinds(evs, wire.KindSettings)[0].Settings; st.PermissionMode != wire.PermissionEdits {
		t.Fatalf("settings %+v", st)
	}
	// At once: the turn waits for the switch under way.
	alice.ok(wire.MethodPrompt, map[string]any{"text": "second"}, nil)
	alice.rec.waitFor(t, "the second turn", nTurns(2))
	l := readModeLog(t, c.log)
	if len(l.switches) != 0 || !slices.Equal(l.turns, []string{"default", "default"}) || !slices.Equal(l.args[0], l.args[1]) {
		t.Fatalf("turns ran in %q with %q (switches %q): want default twice, one process, no switch", l.turns, l.args, l.switches)
	}

	// Only the owner may allow everything (the agent runs on the owner's computer).
	carol.fails(wire.MethodSetPermissionMode, map[string]any{"mode": "all"}, wire.CodeNotAllowed)
	if err := c.owner.SetPermissionMode(context.Background(), wire.PermissionAll); err != nil {
		t.Fatal(err)
	}
	carol.ok(wire.MethodSetPermissionMode, map[string]any{"mode": "ask"}, nil)
	carol.ok(wire.MethodSetPermissionMode, map[string]any{"mode": "plan"}, nil)
	evs = alice.rec.waitFor(t, "four changes", func(e []wire.Event) bool { return len(kinds(e, wire.KindSettings)) == 4 })
	var modes []string
	for _, ev := range kinds(evs, wire.KindSettings) {
		modes = append(modes, ev.Settings.PermissionMode)
	}
	if !slices.Equal(modes, []string{"edits", "all", "ask", "plan"}) {
		t.Fatalf("settings events say %q", modes)
	}
	if !hasSystem(evs, "hosty set tool permissions to all: the agent may run any command and change any file on hosty's computer without asking anyone") {
		t.Errorf("no notice of all in %+v", kinds(evs, wire.KindSystem))
	}
	// Plan: the next turn's claude is a new one, started in plan mode and resuming the
	// session; nothing was sent to the old one.
	alice.ok(wire.MethodPrompt, map[string]any{"text": "third"}, nil)
	alice.rec.waitFor(t, "the third turn", nTurns(3))
	l = readModeLog(t, c.log)
	if len(l.switches) != 0 {
		t.Fatalf("switches %q: plan mode must never be set in a running claude", l.switches)
	}
	if len(l.turns) != 3 || l.turns[2] != "plan" || slices.Equal(l.args[0], l.args[2]) || !slices.Contains(l.args[2], "--resume") {
		t.Fatalf("the third turn ran in %q with %q, want plan in a new claude resuming the session", l.turns, l.args)
	}
	// Leaving plan mode switches the running claude, and the next turn waits for it.
	carol.ok(wire.MethodSetPermissionMode, map[string]any{"mode": "ask"}, nil)
	alice.ok(wire.MethodPrompt, map[string]any{"text": "fourth"}, nil)
	alice.rec.waitFor(t, "the fourth turn", nTurns(4))
	l = readModeLog(t, c.log)
	if !slices.Equal(l.switches, []string{"default"}) || len(l.turns) != 4 || l.turns[3] != "default" || !slices.Equal(l.args[2], l.args[3]) {
		t.Fatalf("after leaving plan: turns %q with %q (switches %q), want default in the same claude", l.turns, l.args, l.switches)
	}
}

// A claude that does not take the new mode is not left in its old one: the party is told,
// and the next turn restarts claude in the new mode, resuming its session.
func TestSetPermissionModeRestartsAnAgentThatRefuses(t *testing.T) {
	// Started in plan mode, as only leaving plan mode asks claude to switch.
	c := newCtl(t, Config{Insecure: true, PermissionMode: wire.PermissionPlan, Agent: agent.Config{Env: []string{"FAKECLAUDE_REFUSE_MODE=1"}}})
	alice := c.raw(t, "alice")
	alice.ok(wire.MethodPrompt, map[string]any{"text": "first"}, nil)
	alice.rec.waitFor(t, "the first turn", nTurns(1))

	if err := c.owner.SetPermissionMode(context.Background(), wire.PermissionAsk); err != nil {
		t.Fatal(err)
	}
	alice.rec.waitFor(t, "the notice", func(e []wire.Event) bool {
		for _, ev := range e {
			if ev.Kind == wire.KindSystem && strings.Contains(ev.Text, "the running agent did not take the new tool permissions (Claude Code refused it)") &&
				strings.Contains(ev.Text, "it is restarted under the new ones before its next turn; a turn under way, if any, goes on under the old ones") {
				return true
			}
		}
		return false
	})
	alice.ok(wire.MethodPrompt, map[string]any{"text": "second"}, nil)
	alice.rec.waitFor(t, "the second turn", nTurns(2))
	l := readModeLog(t, c.log)
	if !slices.Equal(l.turns, []string{"plan", "default"}) || len(l.switches) != 0 {
		t.Fatalf("turns ran in %q (switches %q): want plan, then default after a restart", l.turns, l.switches)
	}
	if !slices.Contains(l.args[1], "--resume") || slices.Equal(l.args[0], l.args[1]) {
		t.Fatalf("the second turn's claude: %q, want a new one resuming the session", l.args[1])
	}
}
