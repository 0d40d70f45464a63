// A journal behind: what a Writer does when a write fails (a full disk) — it keeps the
// lines it could not write, in order, and writes them once it can; a failed fsync is
// never caught up from — and the marks a journal cut short carries on the disk.

package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrIncomplete: a write to the journal failed (a full disk) and the journal never caught
// up (Writer.behind), so its history stops before the party did; the party went on, and
// its members saw events the journal lacks. Such a journal is resumed only past the floor
// its cut mark names (cutmark.go), which makes new events number after every one members
// hold (a tester's members dropped every one when they did not); without a mark it is
// read, never resumed.
var ErrIncomplete = errors.New("the party's journal could not be written to its end (was the disk full?), so the party cannot be resumed: its members saw events the journal does not have")

// ErrGaveUp: the journal will not catch up — more was behind than it keeps (maxBehind), or
// an fsync failed — so nothing more is written to it in this run. It wraps the cause. A
// tester's host said "make room and it catches up within seconds" long after it had.
var ErrGaveUp = errors.New("the party's journal gave up catching up")

// giveUpLocked makes the journal behind for good, err saying why. Called with mu held.
func (w *Writer) giveUpLocked(why error) {
	if !errors.Is(w.err, ErrGaveUp) {
		w.err = fmt.Errorf("%w: %w", ErrGaveUp, why)
	}
	w.lost, w.behind, w.behindBytes = true, nil, 0
}

// opened is what Open found: Abandon puts the writer back to it.
type opened struct {
	size, lastSeq, synced int64
	marks                 int // len(index)
}

// pendingLine is a line the journal is behind with; seq is its event's, 0 for a record.
type pendingLine struct {
	line []byte
	seq  int64
}

// retryWait is how often a journal that is behind tries to catch up on a call that would
// not be made durable.
const retryWait = 2 * time.Second

// Recovered says, once, that the journal caught up after a failed write: every line it
// was behind with is written and synced, and it is whole again.
func (w *Writer) Recovered() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.recovered
	w.recovered = false
	return r
}

// retry tries to catch up every retryWait while the journal is behind; it ends when it
// caught up, gave up, or Close closes stop (and lets go of its slot). Owned by w (Close
// waits for it).
func (w *Writer) retry(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(retryWait)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		w.mu.Lock()
		if w.err != nil && !w.lost && !w.closed && w.now().Sub(w.triedAt) >= retryWait {
			w.catchUpLocked()
		}
		done := w.err == nil || w.lost || w.closed
		if done && w.retrying == stop {
			w.retrying = nil // in the same hold: a failure just after starts another (a reviewer's)
		}
		w.mu.Unlock()
		if done {
			return
		}
	}
}

// failSyncLocked takes a failed fsync: the journal is not trusted from here on, and never
// caught up from (the kernel may have dropped the pages, and a later fsync would not say
// so). Called with mu held.
func (w *Writer) failSyncLocked(err error) {
	w.giveUpLocked(fmt.Errorf("sync journal: %w", err))
	markIncomplete(w.path)
	w.reserveLocked(w.lastSeq, false)
}

// CatchUp tries now to write what the journal is behind with; nil when it is whole.
func (w *Writer) CatchUp() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil && !w.closed {
		w.catchUpLocked()
	}
	return w.err
}

// Abandon takes back what this run wrote and its marks, for a resume that could not start
// (a full disk refused its first record): nobody was sent anything, so the journal is as it
// was when opened and can be resumed again once there is room (a tester's resume on a full
// disk had locked the party out for good). Then Close.
func (w *Writer) Abandon() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	for w.syncing {
		// A background fsync of this run's events would mark them synced (or the journal
		// cut short) after the reset below (a reviewer's): it ends first, as at Close.
		w.syncedCond.Wait()
	}
	if err := w.f.Truncate(w.opened.size); err != nil {
		// Marks left: refused rather than resumed from a journal not as it was; and what
		// it was behind with is never written (a resumed record of a resume that did not
		// run, a reviewer's).
		w.lost, w.behind, w.behindBytes = true, nil, 0
		return
	}
	w.size, w.err, w.behind, w.behindBytes, w.lost, w.fragment = w.opened.size, nil, nil, 0, false, false
	// As Open left them: its events are the journal's again, and the next is the one after
	// its last (the events this run took were cut off with it).
	w.lastSeq, w.synced, w.index = w.opened.lastSeq, w.opened.synced, w.index[:w.opened.marks]
	w.unmarkLocked()
}

// maxBehind bounds what a journal that is behind keeps to write (bytes of lines).
const maxBehind = 64 << 20

// catchUpLocked writes the lines the journal is behind with, in order, and syncs them;
// when all are, the journal is whole again: err and the mark are cleared. Called with mu
// held.
func (w *Writer) catchUpLocked() {
	w.triedAt = w.now()
	if w.lost {
		return
	}
	for len(w.behind) > 0 {
		pl := w.behind[0]
		if _, err := w.appendLocked(pl.line, pl.seq, false); err != nil {
			return
		}
		w.behindBytes -= len(pl.line)
		w.behind[0] = pendingLine{}
		w.behind = w.behind[1:]
	}
	w.behind = nil // written: syncLocked may count them
	if err := w.syncLocked(0); err != nil {
		w.failSyncLocked(err) // written, but not trusted to be on the disk
		return
	}
	w.behind, w.err, w.recovered = nil, nil, true
	w.unmarkLocked()
}

// now is the writer's clock (a variable for the tests).
func (w *Writer) now() time.Time { return writerNow() }

var writerNow = time.Now

// unmarkLocked takes markIncomplete's marks, and the cut mark, off a journal that caught
// up. Best effort: a mark left makes the party refuse a resume it could have had, or
// number its events further on than it must, never resume one it must not. Called with
// mu held.
func (w *Writer) unmarkLocked() {
	unmarkIncomplete(w.path)
	w.cutFloor, w.cutControl, w.cutFailed = 0, false, false
}

func unmarkIncomplete(path string) {
	// The cut mark last: left alone, beside a journal neither marked nor read-only, it is
	// ignored (Cut); taken off first, the marks left without it would refuse a party whose
	// journal is whole (a reviewer's).
	_ = os.Chmod(path, 0o600)
	_ = os.Remove(path + incompleteSuffix)
	removeCutMarks(path)
}

// markIncomplete marks the journal at path as cut short (ErrIncomplete), two ways, each
// needing no data space on the disk, which is often what failed: an empty file beside it
// (path + ".incomplete"), and the journal made read-only, for a file system where the
// first cannot be made. Some file systems ignore modes (a reviewer's point); few refuse
// both. Best effort.
func markIncomplete(path string) {
	if f, err := os.OpenFile(path+incompleteSuffix, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		_ = f.Close()
	}
	_ = os.Chmod(path, 0o400)
	_ = syncDir(filepath.Dir(path)) // the mark must outlast a machine that goes down
}

// incompleteSuffix names the file beside a journal that says it was cut short.
const incompleteSuffix = ".incomplete"

// Marked says whether the journal at path has the mark beside it of a failed write: when
// Incomplete without it, the journal is only read-only, which a failed write does only
// when it cannot make the mark, and a person's chmod does too.
func Marked(path string) bool {
	_, err := os.Stat(path + incompleteSuffix)
	return err == nil
}

// ErrReadOnly is ErrIncomplete (errors.Is says both) when the journal is only
// read-only (Marked is false): it says what to do if that was a person's doing, rather
// than ask about a full disk first (a tester's).
var ErrReadOnly error = readOnlyError{}

type readOnlyError struct{}

func (readOnlyError) Error() string {
	return "the party's journal is read-only, which is how a party marks a journal it could not write to its end when it could not write the mark beside it either; if it was made read-only by hand, make it writable again (chmod u+w) and resume it; if not, members may hold events it lacks, and a resume would number new events as theirs (they would not see them)"
}

func (readOnlyError) Is(target error) bool { return target == ErrIncomplete }

// Incomplete says whether the journal at path was cut short by a failed write and cannot
// be resumed: marked, without a cut mark that lets it be (Cut), or only read-only.
func Incomplete(path string) bool {
	return markedCut(path) && cutError(path) != nil
}

// Cut says whether the journal at path was cut short by a failed write and can still be
// resumed, past floor: the seq its cut mark names, beyond every event its members were
// sent. Such a party resumes with nothing from before the cut run again (Summary.LostEnd).
func Cut(path string) (floor int64, ok bool) {
	if !markedCut(path) {
		// A cut mark alone is one a catch-up could not take off: the journal is whole.
		return 0, false
	}
	floor, control, ok := cutMark(path)
	return floor, ok && !control
}
