package host

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestRecordCrashAndRetry runs a batch on the fake agent that crashes: once (the retry
// succeeds) and always (the retry fails too), and checks the events a client gets read as
// PROTOCOL.md §5 says: error, retry, system, the batch's output again and its one turn, and
// after a failed turn one error. With CONCORDIA_RECORD_DIR set it writes each sequence there
// as JSON (the window's transcript tests replay them: frontend/src/state/testdata;
// CONCORDIA_RECORD_DIR=$PWD/frontend/src/state/testdata go test -run TestRecordCrashAndRetry ./internal/host).
func TestRecordCrashAndRetry(t *testing.T) {
	for _, tc := range []struct{ name, prompt, status string }{
		{"crash-once", "please FAKE_CRASH and FAKE_TOOL now", wire.TurnDone},
		{"crash-always", "please FAKE_CRASH_ALWAYS now", wire.TurnError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := startHost(t, Config{
				Window: 50 * time.Millisecond, Insecure: true,
				Agent: agent.Config{Env: []string{"FAKECLAUDE_CRASH_ONCE=" + filepath.Join(dir, "crashed")}},
			})
			p := join(t, h.Invite(), "alice")
			if _, err := p.c.Prompt(context.Background(), tc.prompt); err != nil {
				t.Fatal(err)
			}
			// The turn, and for a failed one the error that follows it.
			evs := p.waitFor(t, "turn", func(e []wire.Event) bool {
				turns := kinds(e, wire.KindTurn)
				if len(turns) != 1 || turns[0].Turn.Status == wire.TurnDone {
					return len(turns) == 1
				}
				return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Kind == wire.KindError && ev.Seq == turns[0].Seq+1 })
			})
			if out := os.Getenv("CONCORDIA_RECORD_DIR"); out != "" {
				b, err := json.MarshalIndent(evs, "", " ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(out, tc.name+".json"), append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// error, retry, system: one after the other.
			var retry int
			for i, e := range evs {
				if e.Kind == wire.KindRetry {
					retry = i
				}
			}
			if retry < 1 || retry+1 >= len(evs) || evs[retry-1].Kind != wire.KindError || evs[retry+1].Kind != wire.KindSystem ||
				evs[retry-1].Seq+1 != evs[retry].Seq || evs[retry].Seq+1 != evs[retry+1].Seq {
				t.Fatalf("no error, retry, system in a row: %+v", evs)
			}
			turns := kinds(evs, wire.KindTurn)
			if len(turns) != 1 || turns[0].Turn.Status != tc.status {
				t.Fatalf("turns %+v, want one %s", turns, tc.status)
			}
			errs := kinds(evs, wire.KindError)
			if want := map[string]int{wire.TurnDone: 1, wire.TurnError: 2}[tc.status]; len(errs) != want {
				t.Fatalf("%d error events, want %d: %+v", len(errs), want, errs)
			}
			if tc.status == wire.TurnError {
				if last := errs[len(errs)-1]; last.Seq != turns[0].Seq+1 || !strings.HasSuffix(last.Text, turns[0].Turn.Error) {
					t.Fatalf("the failed turn is not followed by its error: %+v then %+v", turns[0], last)
				}
			}
		})
	}
}
