package agent_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/testkit"
)

// killPidfile SIGKILLs the fake claude whose pid is in pidfile.
func killPidfile(t *testing.T, pidfile string) {
	t.Helper()
	if _, err := testkit.KillFromPIDFile(pidfile); err != nil {
		t.Fatalf("kill the claude of %s: %v", pidfile, err)
	}
}

// noIdleExit fails when OnIdleExit was told of an exit within a moment.
func noIdleExit(t *testing.T, exits <-chan error, after string) {
	t.Helper()
	select {
	case err := <-exits:
		t.Fatalf("after %s OnIdleExit was told %v", after, err)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestIdleExitIsTold: a claude killed while no turn runs was noticed by nobody until the
// next batch (a tester's: the party looked ready). OnIdleExit is told how it ended; not
// when a turn was running (the turn says so), nor for our own stops.
func TestIdleExitIsTold(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "claude.pid")
	exits := make(chan error, 4)
	a := agent.New(agent.Config{
		Path:        testkit.FakeClaude(t),
		WorkDir:     t.TempDir(),
		Env:         []string{"FAKECLAUDE_PIDFILE=" + pidfile},
		StopTimeout: 10 * time.Second,
		OnIdleExit:  func(err error) { exits <- err },
	})
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	start := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Start(ctx); err != nil {
			t.Fatalf("Start: %v", err)
		}
	}
	start()
	if _, err := a.Turn(turnCtx(t), "hello", nil); err != nil {
		t.Fatalf("turn: %v", err)
	}
	killPidfile(t, pidfile)
	select {
	case err := <-exits:
		var ee *agent.ExitError
		if !errors.As(err, &ee) || !strings.Contains(ee.Status, "killed") {
			t.Fatalf("OnIdleExit was told %v, want how it was killed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a claude killed while idle was never told")
	}

	// Killed during a turn: the turn reports it.
	start()
	turnErr := make(chan error, 1)
	streamed := make(chan struct{}, 1)
	go func() {
		_, err := a.Turn(turnCtx(t), "slow FAKE_SLOW=60000", func(agent.Output) {
			select {
			case streamed <- struct{}{}:
			default:
			}
		})
		turnErr <- err
	}()
	<-streamed // the turn is under way
	killPidfile(t, pidfile)
	if err := <-turnErr; !errors.Is(err, agent.ErrExited) {
		t.Fatalf("turn killed: %v, want ErrExited", err)
	}
	noIdleExit(t, exits, "a kill during a turn")

	// Our own stops.
	start()
	if err := a.Restart(context.Background()); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	noIdleExit(t, exits, "a restart")
	if err := a.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	noIdleExit(t, exits, "Close")
}
