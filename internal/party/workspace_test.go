package party

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/concordia-party/concordia/internal/wire"
)

// gateWorkspace answers each Changes call with what the test hands it, when it wants.
type gateWorkspace struct {
	calls chan chan scanAnswer
}

type scanAnswer struct {
	files []wire.FileChange
	err   error
}

func (w *gateWorkspace) Changes(ctx context.Context, _ bool) ([]wire.FileChange, error) {
	answer := make(chan scanAnswer)
	select {
	case w.calls <- answer:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case a := <-answer:
		return a.files, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (w *gateWorkspace) Diff(context.Context, string, bool) (wire.FileDiff, error) {
	return wire.FileDiff{}, errors.New("no diffs here")
}

func (w *gateWorkspace) Tree(context.Context, string) ([]wire.TreeEntry, error) {
	return nil, errors.New("no tree here")
}

func (w *gateWorkspace) Base() string { return "" }

// editRunner's turn runs a tool, then waits for release.
type editRunner struct {
	fakeRunner
	release chan struct{}
}

func (r *editRunner) RunTurn(ctx context.Context, _ string, io TurnIO) (TurnResult, error) {
	io.Out(wire.StreamTool, "Edit: a.go")
	select {
	case <-r.release:
	case <-ctx.Done():
	}
	return TurnResult{}, nil
}

// turnEndsWhileScanning runs a turn whose tool starts a scan of the changes, and ends the
// turn while that scan waits for its answer, which it returns (inside a synctest bubble).
func turnEndsWhileScanning(t *testing.T) (*gateWorkspace, *collector, chan scanAnswer) {
	t.Helper()
	ws := &gateWorkspace{calls: make(chan chan scanAnswer)}
	run := &editRunner{release: make(chan struct{})}
	p, col, id := start(t, Config{Runner: run, Workspace: ws})
	if _, err := p.Prompt(id, "edit a.go"); err != nil {
		t.Fatal(err)
	}
	during := <-ws.calls // the tool's scan, a quiet second after it ran
	close(run.release)
	col.waitFor(t, "the turn's end", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 1 })
	return ws, col, during
}

// A scan of the changes begun during a turn and finished after it sends no event of its
// own: the scan owed to the turn's end follows at once and sends the list. An independent
// client saw the same list twice, a second apart.
func TestChangesAfterATurnAreSentOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws, col, during := turnEndsWhileScanning(t)
		list := []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}
		during <- scanAnswer{files: list}
		after := <-ws.calls // the turn's own scan
		after <- scanAnswer{files: list}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events for one list after one turn, want 1", n)
		}
	})
}

// The scan under way when the turn ended failed: the turn's own scan still runs, and its
// list is sent (it waited for the next tool or turn).
func TestChangesAfterATurnWhenTheScanDuringItFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws, col, during := turnEndsWhileScanning(t)
		during <- scanAnswer{err: errors.New("git: index.lock exists")}
		after := <-ws.calls // the turn's own scan
		after <- scanAnswer{files: []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}}
		synctest.Wait()
		if n := count(col.all(), wire.KindChanges); n != 1 {
			t.Fatalf("%d changes events after the turn, want 1", n)
		}
	})
}
