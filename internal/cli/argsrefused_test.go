package cli

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
)

// TestAHostWhoseClaudeArgsAreRefusedEnds: Claude Code refusing --claude-arg at start ends
// `concordia host` with exit 1, said in the terminal's words only (a tester's host hosted
// on, every prompt failing, was pointed at the window's "More options", and exited 0).
func TestAHostWhoseClaudeArgsAreRefusedEnds(t *testing.T) {
	for _, repl := range []bool{false, true} {
		var out, errOut testkit.Buffer
		args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--merge", "local", "--claude", testkit.FakeClaude(t),
			"--claude-arg=--bogus-flag", "--data-dir", t.TempDir(), "--workdir", t.TempDir(), "--name", "hosty"}
		if !repl {
			args = append(args, "--no-local-repl")
		}
		in, feed := io.Pipe()
		done := make(chan int, 1)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			done <- Main(ctx, args, IO{In: in, Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
		}()
		var code int
		select {
		case code = <-done:
		case <-time.After(30 * time.Second):
			cancel()
			<-done
			t.Fatalf("repl %v: still hosting after claude refused its arguments:\n%s", repl, out.String())
		}
		cancel()
		feed.Close()
		all := out.String() + errOut.String()
		if code != ExitError || !strings.Contains(all, "Claude Code refused the extra arguments (--bogus-flag), so the party ended; host again without them, or with other --claude-arg values") ||
			!strings.Contains(all, "stderr: error: unknown option '--bogus-flag'") || strings.Contains(all, "More options") || strings.Contains(all, "Create party") {
			t.Errorf("repl %v: exit %d, said\n%s", repl, code, all)
		}
	}
}
