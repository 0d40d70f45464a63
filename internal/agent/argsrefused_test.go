package agent_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/testkit"
)

// Extra arguments Claude Code refuses fail every start the same way: the error says so,
// names them and where to change them, and is not a plain exit that "will be tried again"
// (a window tester's party with --bogus-flag could never run a turn). The real binary.
func TestRealClaudeRefusesExtraArgs(t *testing.T) {
	api := testkit.NewFakeAnthropic(t, replyTo)
	for _, args := range [][]string{
		{"--bogus-flag"},
		{"--permission-mode=bogus"},
		{"--verbose", "--model"},
	} {
		a := agent.New(agent.Config{
			Path: testkit.RealClaude(t), WorkDir: t.TempDir(), Args: args,
			Env: testkit.RealClaudeEnv(t, api.URL), StopTimeout: 5 * time.Second,
		})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := a.Start(ctx)
		cancel()
		_ = a.Close(context.Background())
		var refused *agent.ArgsRefusedError
		if !errors.Is(err, agent.ErrArgsRefused) || !errors.As(err, &refused) {
			t.Fatalf("args %q: Start = %v, want ErrArgsRefused", args, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "claude could not start: Claude Code refused the extra arguments ("+strings.Join(args, " ")+")") ||
			!strings.Contains(msg, "--claude-arg") || !strings.Contains(msg, "More options") || !strings.Contains(msg, "; stderr: error: ") {
			t.Errorf("args %q: error %q", args, msg)
		}
	}
}

// A start that fails for another reason, with extra arguments it took, is not put on them.
func TestOtherStartFailureIsNotArgsRefused(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "fail")
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	a := agent.New(agent.Config{
		Path: testkit.FakeClaude(t), WorkDir: t.TempDir(), Args: []string{"--model", "opus"},
		Env: []string{"FAKECLAUDE_FAIL_START_ONCE=" + marker}, StopTimeout: 5 * time.Second,
	})
	defer a.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.Start(ctx); err == nil || errors.Is(err, agent.ErrArgsRefused) {
		t.Fatalf("Start = %v: not the arguments' fault", err)
	}
}
