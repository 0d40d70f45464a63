package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// lazyWorkspace is the party's workspace while its first snapshot is taken in the
// background (hashing a large folder takes seconds; the invite must not wait for it).
// Calls wait for it; if it failed, they say why sharing is off.
type lazyWorkspace struct {
	ready chan struct{}
	ws    *workspace.Workspace // set before ready is closed
	err   error
	fix   string // when err is set: what the host can do about it ("" when nothing to say)
}

// WorkspaceRecord is where a party's record of its working directory (the starting point
// its changes are measured against) is kept in dataDir.
func WorkspaceRecord(dataDir, partyID string) string {
	return filepath.Join(dataDir, "workspace", partyID)
}

// openWorkspace takes the first snapshot in the background; done is told how it went
// (reason "": shared), not when ctx ends first.
func openWorkspace(ctx context.Context, workdir, dataDir, partyID string, resumed bool, done func(reason string)) *lazyWorkspace {
	l := &lazyWorkspace{ready: make(chan struct{})}
	go func() {
		defer close(l.ready)
		l.ws, l.err = workspace.Open(ctx, workdir, WorkspaceRecord(dataDir, partyID), workspace.Options{Exclude: []string{dataDir}, Resumed: resumed})
		if ctx.Err() != nil {
			return
		}
		if l.err == nil {
			done("")
			return
		}
		// The reason goes to every member, after "the working directory is not shared: ";
		// what to do about it is the host's alone (Host.ShareFix): members were told to
		// edit a .gitignore, and read "the working directory" twice in one sentence (a
		// tester's).
		reason := l.err.Error()
		var large *workspace.TooLargeError
		if errors.As(l.err, &large) {
			reason = fmt.Sprintf("it has %d files, more than the %d a party can track", large.Files, large.Limit)
			l.fix = "list build output and dependencies in a .gitignore, or host from a smaller folder"
		}
		done(reason)
	}()
	return l
}

// baseWait is how long a turn waits for the first snapshot before the party is told why.
const baseWait = time.Second

// waitForBase holds a turn until the first snapshot has been taken (or has failed): what
// the agent changed before it would be part of the party's base, and never shown as
// changed. A wait longer than baseWait is told to the party, once: as what waits is the
// prompt (claude itself starts with the party, and says so: a tester read "claude
// starts once…" after "claude started").
func (l *lazyWorkspace) waitForBase(ctx context.Context, notice func(string)) error {
	select {
	case <-l.ready:
		return nil
	default:
	}
	t := time.NewTimer(baseWait)
	defer t.Stop()
	select {
	case <-l.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		notice("the prompt goes to claude once the working directory's first snapshot is taken, so that everything claude changes shows as changed (a large folder takes a while)")
	}
	select {
	case <-l.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *lazyWorkspace) get(ctx context.Context) (*workspace.Workspace, error) {
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, fmt.Errorf("%w: %w", party.ErrNotShared, l.err)
	}
	return l.ws, nil
}

func (l *lazyWorkspace) Changes(ctx context.Context, secrets bool) ([]wire.FileChange, int, error) {
	ws, err := l.get(ctx)
	if err != nil {
		return nil, 0, err
	}
	return ws.Changes(ctx, secrets)
}

func (l *lazyWorkspace) Shares(ctx context.Context, path string) bool {
	ws, err := l.get(ctx)
	return err == nil && ws.Shares(ctx, path)
}

func (l *lazyWorkspace) Diff(ctx context.Context, path string, secrets bool) (wire.FileDiff, error) {
	ws, err := l.get(ctx)
	if err != nil {
		return wire.FileDiff{}, err
	}
	return ws.Diff(ctx, path, secrets)
}

func (l *lazyWorkspace) Tree(ctx context.Context, path string) ([]wire.TreeEntry, error) {
	ws, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return ws.Tree(ctx, path)
}

func (l *lazyWorkspace) Base() string {
	select {
	case <-l.ready:
		if l.ws != nil {
			return l.ws.Base()
		}
	default:
	}
	return "the working directory as it was when the party began"
}

var _ party.Workspace = (*lazyWorkspace)(nil)

// idleScan is how often the working directory is scanned while no turn runs (or
// party.IdleScanCost times a scan's own length, when longer): a person's edits between
// turns are listed as they come, not with the next turn's (a variable for the tests).
var idleScan = 5 * time.Second
