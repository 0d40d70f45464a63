package host_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/host"
)

// The window knows that claude is not running by the words of the host's error events
// (frontend/src/state/transcript.ts): a start that failed begins with agent.NotStartedPrefix, an
// exit between turns ends with host.IdleExitNotice. The words are written in both places
// and must stay the same: changed in Go alone, the window would show a party with no agent
// as ready (a reviewer's). internal/party's frontendwords_test.go pins the party's words.
func TestTheWindowKnowsClaudeIsNotRunning(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/state/transcript.ts")
	if err != nil {
		t.Fatal(err)
	}
	for name, words := range map[string]string{"AGENT_NOT_STARTED": agent.NotStartedPrefix, "AGENT_EXITED_IDLE": host.IdleExitNotice} {
		// In either quotes, as TypeScript takes them.
		single, double := "export const "+name+" = '"+words+"';", "export const "+name+" = "+strconv.Quote(words)+";"
		if !strings.Contains(string(b), single) && !strings.Contains(string(b), double) {
			t.Errorf("frontend/src/state/transcript.ts lacks %s", single)
		}
	}
}

// The window's owner reads the notice of a party started with a key known refused in its
// own words, with how it replaces the key, by the notice's text (shown-words.ts
// KEY_REFUSED_BEFORE): changed in Go alone, the owner would read the guests' words.
func TestTheWindowKnowsTheKeyWasRefusedBefore(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/state/shown-words.ts")
	if err != nil {
		t.Fatal(err)
	}
	if want := "const KEY_REFUSED_BEFORE = '" + host.NoticeKeyRefusedBefore + "';"; !strings.Contains(string(b), want) {
		t.Errorf("frontend/src/state/shown-words.ts lacks %s", want)
	}
}
