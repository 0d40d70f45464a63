// The cut mark: what lets a journal that a failed write cut short be resumed. While the
// journal is behind, the party goes on and its members are sent events the file lacks;
// a resume must number its events past every one of them, or members drop the new ones
// as seen (a tester's). The Writer keeps, beside the journal, an empty file whose name
// says a seq past every event it took since: <journal>.cut-<N>, renamed ahead as the
// party goes on. A name needs no data space on the disk, which is often what failed.
// When a line that made the party's rules stricter (new invites, a kick, a demotion, the
// settings: rules.go) was among those lost, the name ends "-control" and the party is not
// resumed: its resumed rules would be looser than the ones its hosts set.

package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLostControl is ErrIncomplete (errors.Is says both) when the lines the journal lost
// include a change that made the party's rules stricter (rules.go).
var ErrLostControl error = lostControlError{}

type lostControlError struct{}

func (lostControlError) Error() string {
	return "the party's journal could not be written to its end (was the disk full?), and what it lost includes a host's change that made the party's rules stricter (who may join, or what the agent may do), so the party cannot be resumed: it would come back with rules looser than its hosts set"
}

func (lostControlError) Is(target error) bool { return target == ErrIncomplete }

// cutStep is how far past the seq it needs a cut mark is renamed: one rename per
// cutStep events while the journal is behind. A resumed party's seqs jump by at most
// that much more than it must.
const cutStep = 4096

const (
	cutInfix      = ".cut-"
	controlSuffix = "-control"
)

// cutName is the cut mark's path for a journal at path.
func cutName(path string, floor int64, control bool) string {
	n := path + cutInfix + strconv.FormatInt(floor, 10)
	if control {
		n += controlSuffix
	}
	return n
}

// cutMark reads the cut mark beside the journal at path: the floor it names and whether
// control lines were lost; ok is false when there is none (or one that cannot be read).
// Of several (a rename that a crash left half done cannot make two, but a copy can), the
// highest floor, and control if any says so.
func cutMark(path string) (floor int64, control, ok bool) {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return 0, false, false
	}
	prefix := filepath.Base(path) + cutInfix
	for _, e := range entries {
		name, found := strings.CutPrefix(e.Name(), prefix)
		if !found {
			continue
		}
		c := false
		if name, c = strings.CutSuffix(name, controlSuffix); c {
			control = true
		}
		n, err := strconv.ParseInt(name, 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		floor, ok = max(floor, n), true
	}
	return floor, control, ok
}

// removeCutMarks takes every cut mark of the journal at path off. Best effort.
func removeCutMarks(path string) {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	prefix := filepath.Base(path) + cutInfix
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			_ = os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}

// reserveLocked makes the cut mark name a floor at or past seq, and say control when
// control lines were lost: called whenever the journal is behind or lost, before the
// event of seq can be sent. A mark that cannot be made or moved is taken off, so that
// the journal is refused rather than resumed under seqs its members hold; a mark that
// cannot be taken off either is left saying less than it should, which only a file
// system that refuses both a rename and an unlink does. Called with mu held.
func (w *Writer) reserveLocked(seq int64, control bool) {
	if w.cutFailed {
		return
	}
	if seq <= w.cutFloor && (!control || w.cutControl) {
		return
	}
	floor := max(w.cutFloor, seq+cutStep)
	control = control || w.cutControl
	next := cutName(w.path, floor, control)
	var err error
	if w.cutFloor == 0 {
		var f *os.File
		if f, err = os.OpenFile(next, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			err = f.Close()
		}
	} else {
		err = os.Rename(cutName(w.path, w.cutFloor, w.cutControl), next)
	}
	if err != nil {
		w.cutFailed = true
		removeCutMarks(w.path)
		return
	}
	// The name must outlast a machine that goes down: a rename a crash undid would name a
	// floor below seqs members hold (a reviewer's). Once per cutStep events.
	_ = syncDir(filepath.Dir(w.path))
	w.cutFloor, w.cutControl = floor, control
}

// Behind says whether the journal could not be written to its end: a write failed and it
// has not caught up (or gave up).
func (w *Writer) Behind() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

// ResumesPastCut says whether the journal is behind (it could not be written to its end)
// and a resume would go on past what it lacks: its cut mark is made, and says no change
// of rules was lost.
func (w *Writer) ResumesPastCut() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil && w.cutFloor > 0 && !w.cutControl && !w.cutFailed
}

// LostControl says whether the journal at path was cut short and what it lost includes a
// change that made the party's rules stricter (rules.go), so that it is not resumed
// (ErrLostControl).
func LostControl(path string) bool {
	_, control, ok := cutMark(path)
	return ok && control && markedCut(path)
}

// markedCut says whether the journal at path carries a mark of a failed write: the file
// beside it, or (when that could not be made) its mode.
func markedCut(path string) bool {
	if Marked(path) {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode().Perm()&0o200 == 0
}

// cutError is why a marked journal is not resumed (nil: it is, past its cut mark's floor).
func cutError(path string) error {
	_, control, ok := cutMark(path)
	switch {
	case !ok:
		return fmt.Errorf("%s: %w", path, ErrIncomplete)
	case control:
		return fmt.Errorf("%s: %w", path, ErrLostControl)
	}
	return nil
}
