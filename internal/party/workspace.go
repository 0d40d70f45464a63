package party

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// Workspace is the host's working directory as the party shows it (PROTOCOL.md §9);
// internal/workspace implements it. Its methods are safe for concurrent use and may take
// a while (they run git): the party calls them off its loop.
// secrets is set when the host shares the whole tree: files such as .env are shown then.
type Workspace interface {
	// Changes also says how many changed files it left out as secrets.
	Changes(ctx context.Context, secrets bool) (files []wire.FileChange, hidden int, err error)
	Diff(ctx context.Context, path string, secrets bool) (wire.FileDiff, error)
	Tree(ctx context.Context, path string) ([]wire.TreeEntry, error)
	Base() string
	// Shares says whether a file the agent named (absolute, or relative to the folder)
	// is one of the folder's the party may see: inside it, not ignored, not through a link.
	Shares(ctx context.Context, path string) bool
}

// Errors of the workspace methods, mapped to §6 codes by server.go.
var (
	// ErrNotShared: the host does not share the workspace at this level (-32002).
	ErrNotShared = errors.New("not shared")
)

// How often changes events are sent while tools edit files: after this much quiet, and
// at most once per changesEvery.
const (
	changesQuiet = time.Second
	changesEvery = 3 * time.Second
	// changesWhileTools: while a tool runs (a build, a script that writes files for
	// minutes) with no output, the changes are scanned this often; a tester's members saw
	// nothing until the command ended.
	changesWhileTools = 5 * time.Second
	// IdleScanCost bounds the share of the host's time idle scans take (Config.IdleScan):
	// one scan in IdleScanCost of its own duration at most.
	IdleScanCost = 20
)

// CanShareWorkspace says whether the party can share its working directory at all: not
// in a run with sharing off (no starting point is recorded then), nor once its first
// snapshot failed.
func (p *Party) CanShareWorkspace() bool {
	can := p.cfg.Workspace != nil
	if can {
		_ = p.do(func() { can = p.wsFailed == "" })
	}
	return can
}

// WorkspaceFailed is told that the working directory's first snapshot failed, and why:
// the party shares nothing in this run. Everyone is told, the sharing is off (the settings
// event says so, and a resume shares nothing unless asked to), and whoever joins later or
// asks to share is told why: a joiner was told the party saw every file that changed
// while it saw none.
func (p *Party) WorkspaceFailed(reason string) {
	_ = p.do(func() {
		if p.wsFailed != "" || p.cfg.Workspace == nil {
			return
		}
		p.wsFailed, p.wsPending = reason, false
		p.emit(wire.Event{Kind: wire.KindError, Text: "the working directory is not shared: " + reason})
		p.wsLevel, p.wsCoCap, p.wsFiles = wire.WorkspaceOff, wire.WorkspaceOff, nil
		p.emitSettings() // tells those already in the party, the owner's window too
	})
}

// WorkspaceReadyNotice is what the party says when its working directory's first snapshot
// was taken, to those told it was being taken (wire.PartyInfo.SharePending).
const WorkspaceReadyNotice = "the working directory's first snapshot is taken: the party now sees the files that change in it"

// WorkspaceReadyOffNotice is WorkspaceReadyNotice when a host turned the sharing off while
// the snapshot was being taken: those told it was pending are told it is over all the same
// (a window waited "not shared yet" for ever).
const WorkspaceReadyOffNotice = "the working directory's first snapshot is taken, but it is not shared: a host turned the sharing off"

// WorkspaceReady is told that the working directory's first snapshot was taken
// (Config.WorkspacePending): the folder is shared from now on. Those told it was pending
// are told so (a joiner in between had been told it was shared, and then that it was not).
func (p *Party) WorkspaceReady() {
	_ = p.do(func() {
		if !p.wsPending || p.wsFailed != "" {
			return
		}
		p.wsPending = false
		switch {
		case !p.wsPendingTo:
		case p.wsLevel == wire.WorkspaceOff:
			p.emit(wire.Event{Kind: wire.KindSystem, Text: WorkspaceReadyOffNotice})
		default:
			p.emit(wire.Event{Kind: wire.KindSystem, Text: WorkspaceReadyNotice})
		}
	})
}

// WorkspaceLevel is what the workspace shares now: wire.WorkspaceOff, Changes or Tree.
func (p *Party) WorkspaceLevel() string {
	level := wire.WorkspaceOff
	_ = p.do(func() { level = p.wsLevel })
	return level
}

// wsAllowed checks that the workspace is shared at least at level; secrets says whether
// the whole tree is shared.
func (p *Party) wsAllowed(level string) (ws Workspace, secrets bool, err error) {
	current := p.WorkspaceLevel()
	switch {
	case p.cfg.Workspace == nil || current == wire.WorkspaceOff:
		return nil, false, fmt.Errorf("%w: the host does not share the working directory", ErrNotShared)
	case level == wire.WorkspaceTree && current != wire.WorkspaceTree:
		return nil, false, fmt.Errorf("%w: the host shares the changes, not the whole folder", ErrNotShared)
	}
	return p.cfg.Workspace, current == wire.WorkspaceTree, nil
}

// Changes is Party.changes: the files changed since the party began.
func (p *Party) Changes(ctx context.Context) (wire.ChangesResult, error) {
	ws, secrets, err := p.wsAllowed(wire.WorkspaceChanges)
	if err != nil {
		return wire.ChangesResult{}, err
	}
	files, hidden, err := ws.Changes(ctx, secrets)
	if again, aerr := p.lookAgain(secrets); aerr != nil {
		return wire.ChangesResult{}, aerr
	} else if again {
		files, hidden, err = ws.Changes(ctx, false)
	}
	if err != nil {
		return wire.ChangesResult{}, err
	}
	files, more := listed(files)
	return wire.ChangesResult{Files: files, Base: ws.Base(), Hidden: hidden, More: more}, nil
}

// Diff is Party.diff: one changed file's diff against the start.
func (p *Party) Diff(ctx context.Context, path string) (wire.FileDiff, error) {
	ws, secrets, err := p.wsAllowed(wire.WorkspaceChanges)
	if err != nil {
		return wire.FileDiff{}, err
	}
	d, err := ws.Diff(ctx, path, secrets)
	if again, aerr := p.lookAgain(secrets); aerr != nil {
		return wire.FileDiff{}, aerr
	} else if again {
		return ws.Diff(ctx, path, false) // a secret's is refused now
	}
	return d, err
}

// lookAgain says whether a lookup made with secrets shown (the tree level) must be made
// again without them: the sharing narrowed while git ran, and the answer is the level's
// now, not the one it was asked under (a reviewer's). Its error: nothing is shared now.
func (p *Party) lookAgain(secrets bool) (bool, error) {
	if !secrets {
		return false, nil
	}
	_, still, err := p.wsAllowed(wire.WorkspaceChanges)
	return err == nil && !still, err
}

// Tree is Party.tree: a folder of the working directory ("tree" sharing only).
func (p *Party) Tree(ctx context.Context, path string) (wire.TreeResult, error) {
	ws, _, err := p.wsAllowed(wire.WorkspaceTree)
	if err != nil {
		return wire.TreeResult{}, err
	}
	ents, err := ws.Tree(ctx, path)
	if err != nil {
		return wire.TreeResult{}, err
	}
	if _, _, err := p.wsAllowed(wire.WorkspaceTree); err != nil {
		return wire.TreeResult{}, err // narrowed while it was read
	}
	if ents == nil {
		ents = []wire.TreeEntry{}
	}
	return wire.TreeResult{Entries: ents}, nil
}

// sharingWords says what a new sharing level means, for the notice.
var sharingWords = map[string]string{
	wire.WorkspaceOff:     "stopped sharing the working directory",
	wire.WorkspaceChanges: "now shares the changed files and their diffs (never .env and other secrets)",
	wire.WorkspaceTree:    "now shares the whole working directory, secrets included (ignored files never)",
}

// What everyone is told, in the party's history, when a party starts sharing the whole
// folder, and when it is resumed still sharing it: the folder's secrets are open to every
// member.
const (
	TreeNotice      = "this party shares the whole working directory with everyone in it, .env files and other secrets included (ignored files never)"
	stillTreeNotice = "it still shares the whole working directory, .env files and other secrets included"
)

// SetWorkspace changes the sharing level (a host; the window's *Share* control). Only the
// owner shares more; a co-host may only narrow.
func (p *Party) SetWorkspace(memberID, level string) error {
	return p.control(memberID, func(by *member) error {
		switch level {
		case wire.WorkspaceOff, wire.WorkspaceChanges, wire.WorkspaceTree:
		default:
			return fmt.Errorf("%w: share off, changes or tree, not %q", ErrInvalid, level)
		}
		if p.cfg.Workspace == nil && level != wire.WorkspaceOff {
			// A tester was told "cannot be shared" with no reason, after a hint to /share.
			return fmt.Errorf("%w: the working directory cannot be shared in this run of the party: this run was started with sharing off (--share-workspace off), so it has no record of the folder to compare with (its owner can share it by resuming the party with --share-workspace changes)", ErrInvalid)
		}
		if p.wsFailed != "" && level != wire.WorkspaceOff {
			return fmt.Errorf("%w: the working directory cannot be shared in this run of the party: %s (once that is fixed, its owner can share it by resuming the party with --share-workspace changes)", ErrInvalid, p.wsFailed)
		}
		if p.wsLevel == level {
			return nil
		}
		if p.wsPending && wire.WorkspaceRank(level) > wire.WorkspaceRank(p.wsLevel) {
			// Said shared before there is anything to compare with (a reviewer's): more is
			// shared once the snapshot is taken, which the party says.
			return fmt.Errorf("%w: the working directory's first snapshot is still being taken: share more once it is (the party says when)", ErrInvalid)
		}
		if level == wire.WorkspaceTree && !by.owner {
			// The folder, .env files and keys included, is the owner's: only the owner
			// opens it to everyone (a co-host could, and the owner was only told).
			return fmt.Errorf("%w: only the party's owner, whose computer it is, can share the whole folder", ErrNotAllowed)
		}
		if wire.WorkspaceRank(level) > wire.WorkspaceRank(p.wsCoCap) && !by.owner {
			// A co-host may narrow what is shared, and undo its own narrowing (a tester's
			// co-host's /share off was for good, in a party with no owner to undo it), but
			// never the owner's: no wider than the owner's last choice, or the start.
			return fmt.Errorf("%w: only the party's owner, whose computer it is, can share more than %s", ErrNotAllowed, p.wsCoCap)
		}
		if by.owner {
			p.wsCoCap = level
		}
		p.wsLevel = level
		p.emit(act(by, by.Name+" "+sharingWords[level]))
		p.emitSettings()
		p.wsQuiet = false
		if level == wire.WorkspaceOff {
			// Shared again later, the list is sent whether or not it changed meanwhile:
			// members had none while it was off (a tester's raw client got no list).
			p.wsFiles = nil
			// No list is owed before a turn now: a batch waiting for one goes (a reviewer's
			// waited the whole holdBefore).
			p.wsBeforeTurn, p.wsScanBefore = false, false
			p.listed()
		} else {
			p.wsDirty = true
			p.scanChanges(0)
		}
		return nil
	})
}

// toolActivity marks the workspace as possibly changed (a tool ran): a changes event
// follows after a quiet second, at most every few seconds. Runs on the loop.
func (p *Party) toolActivity() {
	if p.cfg.Workspace == nil || p.wsLevel == wire.WorkspaceOff {
		return
	}
	p.wsDirty = true
	wait := changesQuiet
	if next := p.wsLastScan.Add(changesEvery); p.cfg.Now().Add(wait).Before(next) {
		wait = next.Sub(p.cfg.Now())
	}
	p.scanChanges(wait)
}

// scanBeforeTurn scans the working directory as a batch is cut, so that what was changed
// by hand since the last scan is listed before the batch, not with its turn's files as if
// the agent had made them; counts that changed are listed too, which scans leave for later
// while the party is idle (the idle scans while a batch is collected, merged or held for
// approval list them too). The batch waits for this scan (whenListed), up to holdBefore: a
// slower scan's list follows the batch and is credited to its turn, as before. Runs on the
// loop; nothing when scans follow the turns only (IdleScan 0).
func (p *Party) scanBeforeTurn() {
	if p.cfg.Workspace == nil || p.cfg.IdleScan <= 0 || p.wsLevel == wire.WorkspaceOff {
		return
	}
	p.wsDirty, p.wsBeforeTurn = true, true
	if !p.wsScanning {
		p.scanChanges(0)
	} // else it follows the scan under way at once
}

// holdBefore bounds how long a batch waits for the list owed before its turn (whenListed).
const holdBefore = 2 * time.Second

// whenListed runs f (a batch's going to the agent) once the scan owed before a turn
// (scanBeforeTurn) has sent its list, so that a hand edit made just before the batch was
// cut is listed before the batch and not credited to its turn (a window tester's, made a
// second before the prompt that completed a batch); at once when no such scan is owed, and
// at most holdBefore later in any case (a slower scan's list follows the batch, as before).
// Runs on the loop.
func (p *Party) whenListed(f func()) {
	if !p.wsBeforeTurn && !p.wsScanBefore || p.wsLevel == wire.WorkspaceOff {
		f()
		return
	}
	p.wsWaiting = append(p.wsWaiting, f)
	if p.wsHoldTimer == nil {
		p.wsHoldTimer = time.AfterFunc(holdBefore, func() { p.post(p.listed) })
	}
}

// listed runs what waited for the list owed before a turn (whenListed). Runs on the loop.
func (p *Party) listed() {
	if p.wsHoldTimer != nil {
		p.wsHoldTimer.Stop()
		p.wsHoldTimer = nil
	}
	waiting := p.wsWaiting
	p.wsWaiting = nil
	for _, f := range waiting {
		f()
	}
}

// scanChanges (re)arms the scan after wait; the scan runs on a worker and emits a changes
// event when the list differs from the last one sent. Runs on the loop.
func (p *Party) scanChanges(wait time.Duration) {
	if p.cfg.Workspace == nil || p.closed {
		return
	}
	if p.wsTimer != nil {
		p.wsTimer.Stop()
	}
	p.wsTimer = time.AfterFunc(wait, func() { p.post(p.startScan) })
}

func (p *Party) startScan() {
	if !p.wsDirty || p.wsScanning || p.closed || p.wsLevel == wire.WorkspaceOff {
		return
	}
	turnEnd, beforeTurn := p.wsTurnEnd, p.wsBeforeTurn
	idle := p.turn == nil && !turnEnd
	// Counts alone make no list while nothing waits for a turn: not at a batch's cut
	// (scanBeforeTurn), nor while a batch is collected, merged or held for approval, which
	// may last long (a reviewer's: a hand edit then was credited to the turn after all).
	quiet := idle && !beforeTurn && p.phase == wire.PhaseIdle
	p.wsDirty, p.wsTurnEnd, p.wsBeforeTurn, p.wsScanning, p.wsLastScan = false, false, false, true, p.cfg.Now()
	p.wsScanBefore = beforeTurn
	ws, ctx, secrets := p.cfg.Workspace, p.workCtx, p.wsLevel == wire.WorkspaceTree
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		began := time.Now()
		files, hidden, err := ws.Changes(ctx, secrets)
		took := time.Since(began)
		p.post(func() {
			p.wsScanning, p.wsScanBefore = false, false
			if secrets != (p.wsLevel == wire.WorkspaceTree) {
				// The sharing changed while git ran: this list is of the old level (a tree
				// list, secrets named, would go to everyone after a narrowing: a reviewer's).
				// The new level's scan runs now, owing what this one owed.
				p.wsDirty, p.wsTurnEnd, p.wsBeforeTurn = true, p.wsTurnEnd || turnEnd, p.wsBeforeTurn || beforeTurn
				p.scanChanges(0)
				return
			}
			if err != nil {
				if ctx.Err() == nil {
					p.log.Warn("workspace changes", "err", err)
				}
				if errors.Is(err, workspace.ErrGone) && !p.wsGoneSaid {
					// Said once, or the party's list stays as it was with no word why (a
					// tester's folder, moved away, still listed 20,112 changed files).
					p.wsGoneSaid = true
					p.emit(wire.Event{Kind: wire.KindError, Text: "the working directory no longer exists (moved or deleted?): the list of changes stays as it last was"})
				}
				switch {
				case p.wsTurnEnd && !turnEnd:
					// A turn ended while this scan ran, and its own scan was dropped: it runs
					// now, once (a failing turn's scan is not tried again, so nothing spins).
					p.scanChanges(0)
				case p.turn == nil && p.cfg.IdleScan > 0 && ctx.Err() == nil && !errors.Is(err, workspace.ErrGone):
					// Between turns, a failure (a person's git holding index.lock) does not
					// end the scans (a reviewer's: hand edits went to the next turn again);
					// the next waits longer after each failure in a row.
					p.wsIdleFails = min(p.wsIdleFails+1, 4)
					p.wsDirty = true
					p.scanChanges(max(p.cfg.IdleScan, IdleScanCost*took) << p.wsIdleFails)
				}
				p.wsTurnEnd = p.wsTurnEnd || turnEnd // the next scan still owes the turn its event
				if beforeTurn || p.wsBeforeTurn {
					p.listed() // scans fail: no list to wait for
				}
				return
			}
			// While a turn runs, an event only when the list changed; after a turn, one in
			// any case (PROTOCOL.md §9: "after each turn"). A scan begun during a turn that
			// ends after it sends nothing when the turn's own scan is owed: that one follows
			// at once and sends the list in any case (the two were sent a second apart,
			// the same list twice).
			if files == nil {
				files = []wire.FileChange{}
			}
			owed := p.wsTurnEnd && !turnEnd
			p.wsIdleFails = 0
			first := p.wsFiles == nil && !(p.wsQuiet && idle && len(files) == 0 && hidden == 0)
			differs := !slices.Equal(files, p.wsFiles)
			if quiet && differs && sameFiles(files, p.wsFiles) {
				// Between turns, a list goes out when files come, go or change status; one
				// whose counts alone moved waits until they settle, not at each line a
				// program appends to its log (a line every 5 s in every terminal).
				differs = p.countsSettled(files)
			} else if quiet && !differs {
				p.wsHeld = nil // back as sent
			}
			if p.wsLevel != wire.WorkspaceOff && !owed && (turnEnd || first || differs || hidden != p.wsHidden) {
				p.wsFiles, p.wsHidden, p.wsQuiet, p.wsSentAt, p.wsHeld = files, hidden, false, p.cfg.Now(), nil
				shown, more := listed(files)
				p.emit(wire.Event{Kind: wire.KindChanges, Files: shown, Hidden: hidden, More: more, TreeOnly: secrets && namesSecrets(shown)})
			}
			if beforeTurn && !p.wsBeforeTurn {
				p.listed() // the batch that waited goes after its list
			}
			switch {
			case owed, p.wsBeforeTurn: // a turn's, or a batch was cut meanwhile
				p.scanChanges(0)
			case p.wsDirty: // more edits came meanwhile
				p.scanChanges(changesQuiet)
			case p.turn != nil && p.toolsRunning > 0:
				// A tool still runs, and may be writing files without a word.
				p.wsDirty = true
				p.scanChanges(changesWhileTools)
			case p.turn == nil && p.cfg.IdleScan > 0:
				// Between turns: a person's edits are listed as they come (this timer runs
				// on into a turn that starts meanwhile, whose tools re-arm it).
				p.wsDirty = true
				p.scanChanges(max(p.cfg.IdleScan, IdleScanCost*took))
			}
		})
	}()
}

// sameFiles says whether two lists name the same files with the same status (and source),
// whatever their counts.
func sameFiles(a, b []wire.FileChange) bool {
	return slices.EqualFunc(a, b, func(a, b wire.FileChange) bool {
		return a.Path == b.Path && a.Status == b.Status && a.From == b.From
	})
}

// countsSettled says whether an idle scan's list, which differs from the last one sent in
// its counts only, goes out: once two scans in a row found it the same (a file edited by
// hand and left so) and countsQuiet idle scans' time has passed since the last list, or
// once countsEvery scans' time has (a log that keeps growing). Its counts stayed as the
// last turn left them until the next turn, while the diff showed more (a window tester's
// "+1 −0" above two added lines). Else the list is held for the next scan to compare.
// Runs on the loop.
func (p *Party) countsSettled(files []wire.FileChange) bool {
	since := p.cfg.Now().Sub(p.wsSentAt)
	settled := slices.Equal(files, p.wsHeld)
	if settled && since >= countsQuiet*p.cfg.IdleScan || since >= countsEvery*p.cfg.IdleScan {
		return true
	}
	p.wsHeld = files
	return false
}

// How many idle scans' time a list whose counts alone moved waits after the last list:
// countsQuiet once they settled, countsEvery in any case (countsSettled).
const (
	countsQuiet = 2
	countsEvery = 6
)

// namesSecrets says whether a change list names a file that usually holds credentials,
// as only a party that shares the whole folder lists them.
func namesSecrets(files []wire.FileChange) bool {
	return slices.ContainsFunc(files, func(f wire.FileChange) bool {
		return workspace.IsSecret(f.Path) || (f.From != "" && workspace.IsSecret(f.From))
	})
}

// treeOnlyHidden is event ev of the history as a replay carries it once the party shares
// less than the whole folder: without what it showed only because it shared it (a late
// joiner replayed the tree's days: .env's text, and the names of changed secrets). A
// secret file's text becomes the reason it is not shown; a change list leaves out the
// secrets and counts them as hidden, and a file renamed from one is a new file, as the
// changes level lists them. Other events are as they were.
func treeOnlyHidden(ev wire.Event) wire.Event {
	if !ev.TreeOnly {
		return ev
	}
	ev.TreeOnly = false
	switch ev.Kind {
	case wire.KindOutput:
		if ev.Stream != wire.StreamTool {
			ev.Text = ""
			break
		}
		lines := strings.SplitAfter(ev.Text, "\n")
		for i, l := range lines {
			if l == "" {
				continue
			}
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))] // a subagent's line
			lines[i] = indent + "-> (" + secretNotShown + ")\n"
		}
		ev.Text = strings.Join(lines, "")
	case wire.KindChanges:
		files := make([]wire.FileChange, 0, len(ev.Files))
		for _, f := range ev.Files {
			switch {
			case workspace.IsSecret(f.Path):
				ev.Hidden++
				continue
			case f.From != "" && workspace.IsSecret(f.From):
				if f.Status == "renamed" {
					ev.Hidden++ // the secret's going, as the changes level counts it (a copy's source stays)
				}
				f.From, f.Status = "", "added"
			}
			files = append(files, f)
		}
		ev.Files = files
	}
	return ev
}

// listed is the part of a change list that is sent (at most wire.MaxListed files, in the
// list's order), and how many files it leaves out. When it must leave some out, it keeps
// the files most worth naming (wire.MoreWorthNaming): a bulk of new files is what goes
// unlisted, not the one source file changed beside it.
func listed(files []wire.FileChange) ([]wire.FileChange, int) {
	if files == nil {
		return []wire.FileChange{}, 0
	}
	if len(files) <= wire.MaxListed {
		return files, 0
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return wire.MoreWorthNaming(files[a], files[b]) })
	keep := order[:wire.MaxListed]
	slices.Sort(keep) // back in the list's order
	shown := make([]wire.FileChange, 0, len(keep))
	for _, i := range keep {
		shown = append(shown, files[i])
	}
	return shown, len(files) - len(shown)
}
