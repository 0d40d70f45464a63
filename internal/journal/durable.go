// What makes the journal durable: the fsyncs of prompts and turns, the background fsync
// of output between them, and the seq_floor record a resume writes after a lost tail.

package journal

import (
	"encoding/json"
	"os"

	"github.com/concordia-party/concordia/internal/atomicfile"
)

// writeFloor appends and syncs a seq_floor record of floor (lostEnd: a failed write lost
// the journal's end), after a torn part if the file ends in one, and takes it into s.
func writeFloor(f *os.File, s *Summary, floor int64, lostEnd bool) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	b, err := json.Marshal(Record{Type: TypeSeqFloor, SeqFloor: floor, LostEnd: lostEnd})
	if err != nil {
		return err
	}
	var line []byte
	if st.Size() > s.Size {
		line = append(line, '\n') // ends the torn part: a line a reader skips
	}
	line = append(append(line, b...), '\n')
	if _, err := f.Write(line); err != nil { // at the end: the file is O_APPEND
		_ = f.Truncate(st.Size())
		return err
	}
	if err := syncFile(f); err != nil {
		return err
	}
	s.Size, s.SeqFloor = st.Size()+int64(len(line)), floor
	s.LostEnd = s.LostEnd || lostEnd
	if lostEnd {
		s.CutAt = s.LastSeq
	}
	return nil
}

// syncFile and syncDir make a file's data and a folder's entries durable: variables for
// the tests, which see that what a crash must not lose is synced.
var (
	syncFile = (*os.File).Sync
	syncDir  = atomicfile.SyncDir
)

// syncLocked fsyncs the journal: what is written so far, up to event upTo (0: a record),
// is durable. Called with mu held.
func (w *Writer) syncLocked(upTo int64) error {
	if err := syncFile(w.f); err != nil {
		return err
	}
	if len(w.behind) == 0 {
		upTo = max(upTo, w.lastSeq) // every event taken is in the file
	}
	w.synced = max(w.synced, upTo)
	return nil
}

// SyncEvery is how many events may be written without an fsync before one starts in the
// background; MaxUnsynced, how many before the writer waits for one (a disk slower than
// the events). A power loss takes fewer than MaxUnsynced events from the journal's end,
// and a party resumed after one numbers its events from that many past its last
// (Summary.LostTail). An fsync of every event would cost more than the party's whole
// work per delta; one every SyncEvery events on the party's goroutine cost it a few µs
// per delta here (the dirty data of 1,024 lines written at once).
const (
	SyncEvery   = 1024
	MaxUnsynced = 3 * SyncEvery
)

// syncBehindLocked makes the events written since the last fsync durable once they are
// SyncEvery: in the background, or, when MaxUnsynced are waiting, here (after the one in
// the background). Called with mu held, after an event was written.
func (w *Writer) syncBehindLocked() error {
	switch n := w.lastSeq - w.synced; {
	case n >= MaxUnsynced:
		for w.syncing {
			w.syncedCond.Wait()
		}
		if w.lastSeq-w.synced >= MaxUnsynced && !w.closed && w.err == nil {
			if err := w.syncLocked(0); err != nil {
				w.failSyncLocked(err) // a later fsync would not say so (a reviewer's)
				return w.err
			}
		}
	case n >= SyncEvery && !w.syncing && !w.closed:
		w.syncing = true
		upTo, f := w.lastSeq, w.f
		go func() { // owned by w: Close waits for it
			err := syncFile(f)
			w.mu.Lock()
			switch {
			case err == nil:
				w.synced = max(w.synced, upTo)
			default:
				// What was written may not be on the disk, and a later fsync would not say
				// so: the journal is not trusted from here on (see write), behind or not
				// (a reviewer's caught up after one).
				w.failSyncLocked(err)
			}
			w.syncing = false
			w.syncedCond.Broadcast()
			w.mu.Unlock()
		}()
	}
	return nil
}
