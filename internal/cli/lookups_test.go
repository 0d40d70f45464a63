package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// slowWS is fakeWS whose /changes waits until release is closed, and whose /diff fails.
type slowWS struct {
	fakeWS
	release chan struct{}
	diffed  chan struct{} // gets a value when Diff is called
}

func (w slowWS) Changes(ctx context.Context) (wire.ChangesResult, error) {
	select {
	case <-w.release:
		return fakeWS{}.Changes(ctx)
	case <-ctx.Done():
		return wire.ChangesResult{}, ctx.Err()
	}
}

func (w slowWS) Diff(context.Context, string) (wire.FileDiff, error) {
	if w.diffed != nil {
		w.diffed <- struct{}{}
	}
	return wire.FileDiff{}, errors.New("no such file")
}

// TestLookupsRunBesideTheTerminal: in the line editor, /changes, /diff and /tree run
// beside the terminal. The terminal used to wait for the host's answer before it read
// its next line, so a prompt or a /stop typed after a slow /changes (git over a big
// folder) waited with it, for up to 30 seconds.
func TestLookupsRunBesideTheTerminal(t *testing.T) {
	out := &testkit.Buffer{}
	pr := newPrinter(out)
	pr.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}})
	ctl := &fakeControl{}
	var sent []string
	ws := slowWS{release: make(chan struct{}), diffed: make(chan struct{}, 4)}
	c := &commander{pr: pr, ctl: ctl, describe: describe, editor: true, ws: ws,
		prompt: func(_ context.Context, s string) (wire.PromptResult, error) {
			sent = append(sent, s)
			return wire.PromptResult{}, nil
		}}
	ctx := context.Background()

	lineDone := make(chan struct{})
	go func() {
		defer close(lineDone)
		c.line(ctx, "/changes")
	}()
	select {
	case <-lineDone:
	case <-time.After(5 * time.Second):
		close(ws.release)
		t.Fatal("/changes held the terminal until the host answered")
	}
	if st := pr.statusOf(); st.lookup != "/changes" || st.lookups != 1 {
		t.Errorf("the status line is told %q (%d) is being read", st.lookup, st.lookups)
	}
	// The terminal goes on: a prompt is sent and a host's /stop runs.
	c.line(ctx, "fix the parser")
	c.line(ctx, "/stop")
	if len(sent) != 1 || len(ctl.calls) != 1 {
		t.Fatalf("while /changes waited: sent %q, calls %q", sent, ctl.calls)
	}
	// Lookups answer in the order they were typed (a tester's came back out of order).
	c.line(ctx, "/diff gone.go")
	if st := pr.statusOf(); st.lookup != "/changes" || st.lookups != 2 {
		t.Errorf("the status line is told %q (%d) is being read", st.lookup, st.lookups)
	}
	select {
	case <-ws.diffed:
		t.Error("the /diff typed after /changes was asked before /changes had its answer")
	case <-time.After(200 * time.Millisecond):
	}
	close(ws.release)
	c.lookups.wait()
	waitFor(t, out, "/diff: no such file")
	if i, j := strings.Index(out.String(), "M main.go (+3 -1)"), strings.Index(out.String(), "/diff: no such file"); i < 0 || i > j {
		t.Errorf("the /diff typed after /changes answered first:\n%s", out.String())
	}
	if st := pr.statusOf(); st.lookup != "" || st.lookups != 0 {
		t.Errorf("after the answers, the status line is told %q (%d) is being read", st.lookup, st.lookups)
	}

	// A terminal that leaves cuts its lookups short, and says nothing of them.
	before := len(out.String())
	ws.release = make(chan struct{})
	c.ws = ws
	lctx, leave := context.WithCancel(ctx)
	c.line(lctx, "/changes")
	leave()
	c.lookups.wait()
	if rest := out.String()[before:]; strings.Contains(rest, "/changes") {
		t.Errorf("a lookup cut short by leaving printed: %q", rest)
	}

	// A script's lines still run in order: the answer before the next line.
	script := &commander{pr: pr, ctl: ctl, describe: describe, ws: fakeWS{}}
	before = len(out.String())
	script.line(ctx, "/changes")
	if rest := out.String()[before:]; !strings.Contains(rest, "M main.go (+3 -1)") {
		t.Errorf("a script's /changes had not answered when its line returned: %q", rest)
	}
}
