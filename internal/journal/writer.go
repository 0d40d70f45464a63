package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// ErrExists: Create found a journal for that party id already.
var ErrExists = errors.New("a journal for this party already exists")

// ErrInUse: another running host has this party's journal open.
var ErrInUse = errors.New("the party is already running: another concordia process has it open")

// Index density: a mark every markBytes of file or markEvents events, whichever comes
// first, so a replay reads at most about that much before the first event it wants.
const (
	markBytes  = 256 << 10
	markEvents = 512
)

// mark says where an event's line starts.
type mark struct{ seq, off int64 }

// Writer appends to one party's journal and reads its events back. Safe for concurrent use:
// mu guards every field; reads (Events) take a snapshot under mu and read without it.
type Writer struct {
	mu      sync.Mutex
	path    string
	f       *os.File // append only
	out     *appender
	r       *os.File // reads for Events (pread: independent of the appends)
	size    int64    // bytes written so far
	lastSeq int64
	index   []mark
	line    []byte // reused line buffer
	err     error  // the write error the journal is behind with, or nil (see behind)
	closed  bool

	// behind holds, in order, the lines that could not be written since err (a full
	// disk): each later call tries to write them first, at most every retryWait unless it
	// would be made durable, and once they are all written and synced the journal is whole
	// again (its mark taken off). A tester's resume on a full disk locked the party's
	// history out for good, though space came back a minute later.
	behind      []pendingLine
	behindBytes int
	lost        bool // behind for good: an fsync failed, or too much to keep (maxBehind)
	fragment    bool // the file ends in part of a line that could not be cut off
	triedAt     time.Time
	retrying    chan struct{} // closed by Close to stop retry; nil while none runs
	retried     chan struct{} // closed when retry returns
	opened      opened        // what Open found (Abandon gives it back)
	rules       rules         // the party's rules as its lines went by (rules.go)
	// The cut mark (cutmark.go) while the journal is behind or lost: the floor its name
	// says (0: none made), whether it says control, and whether one could not be made.
	cutFloor   int64
	cutControl bool
	cutFailed  bool
	recovered  bool // behind was written: Recovered reports it once

	// Output between the fsyncs of prompts and turns is made durable in the background
	// (syncBehind): synced is the last seq an fsync has covered, syncing says one runs
	// (synced waits on it). A power loss then takes fewer than MaxUnsynced events.
	synced     int64
	syncing    bool
	syncedCond *sync.Cond
}

// Create makes a new journal in dataDir for the party in h and writes its header.
func Create(dataDir string, h Header) (*Writer, error) {
	if err := os.MkdirAll(Dir(dataDir), 0o700); err != nil {
		return nil, fmt.Errorf("create journal directory: %w", err)
	}
	path := Path(dataDir, h.Party)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	w, err := newWriter(path, f, 0)
	if err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	h.Version = Version
	w.rules.start(h.Settings)
	if err := w.record(Record{Type: TypeHeader, Header: &h, Boot: bootID()}, true); err != nil {
		// The party never started: nothing to keep. A tester's full disk left an empty,
		// read-only journal that concordia parties listed as unreadable for good.
		w.Close()
		_ = os.Remove(path)
		_ = os.Remove(path + incompleteSuffix)
		return nil, err
	}
	// The header is on disk; its name must be too, or a machine that crashes loses the
	// whole party however often the file is synced (and the parties folder's own name,
	// when it was just made). Best effort: a folder that cannot be opened to sync it (a
	// reviewer's mode 0300) must not stop the party.
	for _, dir := range []string{Dir(dataDir), dataDir} {
		_ = syncDir(dir)
	}
	return w, nil
}

// Open reads an existing journal (fn gets each event, as with Read), cuts a torn last line,
// and opens it for appending.
func Open(path string, fn func(ev wire.Event, raw json.RawMessage)) (*Writer, *Summary, error) {
	if Incomplete(path) {
		if _, _, ok := cutMark(path); !ok && !Marked(path) {
			// Only read-only: the mark of last resort, or someone's chmod (a tester's).
			return nil, nil, fmt.Errorf("%s: %w", path, ErrReadOnly)
		}
		return nil, nil, cutError(path)
	}
	cutFloor, cut := Cut(path)
	if cut {
		// Cut short, and resumed past the floor its cut mark names: writable again (the
		// marks come off once the floor is recorded in it). Only with the journal held:
		// a host running it may catch up meanwhile, and its journal must not be left
		// read-only, or writable while it is behind (a reviewer's). The lock passes to the
		// writer's own file below.
		held, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("open journal: %w", err)
		}
		if err := take(held); err != nil {
			held.Close()
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		err = os.Chmod(path, 0o600)
		held.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("open journal: %w", err)
		}
	}
	// O_APPEND, as Create's: a write after a failed one's part was cut off lands at the
	// end, not past it (a tester's resumed journal had a hole of NUL bytes where an event
	// was, under "holds everything").
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open journal: %w", err)
	}
	if err := take(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var wrote time.Time // the file's last write, before this Open cuts a torn tail
	if st, err := f.Stat(); err == nil {
		wrote = st.ModTime()
	}
	var index []mark
	var last mark
	var seen rules
	s, err := scan(f, func(ev wire.Event, raw json.RawMessage) {
		seen.event(ev)
		if fn != nil {
			fn(ev, raw)
		}
	}, func(seq, off int64) {
		if len(index) == 0 || off-last.off >= markBytes || seq-last.seq >= markEvents {
			last = mark{seq, off}
			index = append(index, last)
		}
	})
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	s.Path = path
	s.LostTail = !s.Ended && (s.TornTail || wentDown(s.Boot, wrote))
	if s.LostTail || cut {
		// Recorded before anything else can happen: a resume refused after this Open, or
		// a second loss before the next fsync, must still number past what was lost (a
		// reviewer's). Written after the torn part, if any (a line a reader skips), so
		// that a failure here leaves the evidence as it was. A cut journal's floor is its
		// mark's, past every event its members were sent, and the record says its end
		// was lost (Summary.LostEnd) until a resume has run.
		floor := max(s.LastSeq, s.SeqFloor) + MaxUnsynced
		if cut {
			floor = max(cutFloor, s.LastSeq+1, s.SeqFloor)
			if s.LostTail {
				// The machine went down too: a rename of the mark it undid would name a
				// floor up to a step below what members hold.
				floor += cutStep
			}
		}
		if err := writeFloor(f, s, floor, cut); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: record that its end may be lost: %w", path, err)
		}
		if cut {
			unmarkIncomplete(path)
		}
	}
	// A torn tail would glue the next record onto its bytes: cut it.
	if st, err := f.Stat(); err == nil && st.Size() > s.Size {
		if err := f.Truncate(s.Size); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("cut the torn end of the journal: %w", err)
		}
	}
	if _, err := f.Seek(s.Size, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open journal: %w", err)
	}
	w, err := newWriter(path, f, s.Size)
	if err != nil {
		return nil, nil, err
	}
	// synced counts in seqs: past a floor, the next event is not 3,072 unsynced ones.
	w.lastSeq, w.index, w.synced = s.LastSeq, index, max(s.LastSeq, s.SeqFloor)
	w.rules = seen
	if w.rules.settings == nil {
		w.rules.start(s.Settings) // a resume's Resumed says its own
	}
	w.opened = opened{size: s.Size, lastSeq: w.lastSeq, synced: w.synced, marks: len(index)}
	return w, s, nil
}

func newWriter(path string, f *os.File, size int64) (*Writer, error) {
	if err := take(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := os.Open(path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal for reading: %w", err)
	}
	w := &Writer{path: path, f: f, out: newAppender(f), r: r, size: size}
	w.syncedCond = sync.NewCond(&w.mu)
	return w, nil
}

// Path is the journal's file.
func (w *Writer) Path() string { return w.path }

// Event appends an event (raw is its JSON, as sent). Prompt, batch, turn and rejected
// events are made durable before it returns.
func (w *Writer) Event(ev wire.Event, raw json.RawMessage) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev.Seq <= w.lastSeq {
		return fmt.Errorf("journal: event seq %d after %d", ev.Seq, w.lastSeq)
	}
	w.line = append(w.line[:0], eventPrefix...)
	w.line = append(w.line, raw...)
	w.line = append(w.line, '}', '\n')
	control := w.rules.event(ev)
	err := w.write(w.line, ev.Seq, syncs(ev.Kind) || control, control)
	w.lastSeq = ev.Seq // written, or kept in behind in its place
	if err == nil {
		err = w.syncBehindLocked()
	}
	if cap(w.line) > 1<<20 {
		w.line = nil // one huge event must not pin its buffer for the party's life
	}
	return err
}

// indexLocked notes where event seq's line starts. Called with mu held.
func (w *Writer) indexLocked(seq, off int64) {
	if n := len(w.index); n == 0 || off-w.index[n-1].off >= markBytes || seq-w.index[n-1].seq >= markEvents {
		w.index = append(w.index, mark{seq, off})
	}
}

// Member records a member's current state (made durable: its session is a promise).
func (w *Writer) Member(m Member) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.record(Record{Type: TypeMember, Member: &m}, true)
}

// Invites records new invite tokens: after a rotation, or a resume that made or dropped the
// host invite.
func (w *Writer) Invites(t Tokens) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.record(Record{Type: TypeInvites, Token: t.Participant, ViewerToken: t.Viewer, HostToken: t.Host}, true)
}

// AgentRun records a host run's agent marker id (package reap), before its agent starts.
func (w *Writer) AgentRun(id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.record(Record{Type: TypeRun, AgentRun: id}, false)
}

// AgentSession records the agent's session id when it changes, durably: it is what a
// resumed party's agent resumes (claude --resume), and without it the agent would start
// with none of the party's conversation.
func (w *Writer) AgentSession(id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.record(Record{Type: TypeSession, AgentSession: id}, true)
}

// Resumed records that the party was brought back, with the settings of this run.
func (w *Writer) Resumed(at time.Time, s Settings) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	// Not the rules' start: what the journal last said stands (an "always" the run's
	// settings do not list, a reviewer's), and the run's own settings event, if they
	// differ, is compared with it.
	return w.record(Record{Type: TypeResumed, At: at.UTC(), Resumed: &s, Boot: bootID()}, true)
}

// Alive records that a turn is still running at at: the party writes it while a turn runs
// and nothing else is journalled for a while (Summary.Alive). Not made durable: it is for
// a host that is killed, whose writes the system keeps. A journal that is behind (a write
// failed) skips it: a resume of a journal cut short runs nothing from before again, and
// the line would only wait in memory.
func (w *Writer) Alive(at time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return nil
	}
	return w.record(Record{Type: TypeAlive, At: at.UTC()}, false)
}

// End records a clean end and makes the journal durable. Close still has to be called.
func (w *Writer) End(at time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.record(Record{Type: TypeEnded, At: at.UTC()}, true)
}

// record writes one non-event line. Called with mu held.
func (w *Writer) record(rec Record, durable bool) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("journal: encode %s record: %w", rec.Type, err)
	}
	control := tightensRecord(rec)
	return w.write(append(b, '\n'), 0, durable || control, control)
}

// write appends one whole line (of event seq, 0 for a record) in one write, then fsyncs
// when durable. A journal that is behind keeps the line after those it is behind with,
// and tries to catch up first; while it is behind, the cut mark is kept past seq, and says
// control when the line made the party's rules stricter (rules.go). Called with mu held.
func (w *Writer) write(line []byte, seq int64, durable, control bool) error {
	err := w.writeLine(line, seq, durable)
	if w.err != nil && !w.closed {
		w.reserveLocked(max(seq, w.lastSeq), control)
	}
	return err
}

func (w *Writer) writeLine(line []byte, seq int64, durable bool) error {
	if w.closed {
		return errors.New("journal: closed")
	}
	if w.err != nil {
		if !w.lost {
			w.behind = append(w.behind, pendingLine{line: append([]byte(nil), line...), seq: seq})
			w.behindBytes += len(line)
			if w.behindBytes > maxBehind {
				// More than a party should hold twice in memory (the party keeps its
				// history too): given up, the journal stays marked for good.
				w.giveUpLocked(fmt.Errorf("more than %d MiB to write (%w)", maxBehind>>20, w.err))
			} else if durable || w.now().Sub(w.triedAt) >= retryWait {
				w.catchUpLocked()
			}
		}
		return w.err
	}
	written, err := w.appendLocked(line, seq, durable)
	switch {
	case err == nil:
		return nil
	case written:
		// In the file, but its fsync failed: not caught up from (it was also written
		// twice when taken as unwritten).
		w.failSyncLocked(err)
		return w.err
	}
	w.err = fmt.Errorf("write journal: %w", err)
	w.triedAt = w.now()
	w.behind = []pendingLine{{line: append([]byte(nil), line...), seq: seq}}
	w.behindBytes = len(line)
	if w.retrying == nil {
		// A party that goes quiet still catches up once there is room: a tester's idle
		// party stayed marked, and a crash then lost a journal the disk had room for.
		w.retrying, w.retried = make(chan struct{}), make(chan struct{})
		go w.retry(w.retrying, w.retried)
	}
	markIncomplete(w.path)
	return w.err
}

// appendLocked writes line at the journal's end and notes it, fsyncing when durable;
// written says whether the line is in the file (an fsync that fails after it is). A line
// the file took only part of is cut off again (it needs no space), so that the journal
// ends with a whole line; when that fails too, the next line starts on a line of its own.
// Called with mu held.
func (w *Writer) appendLocked(line []byte, seq int64, durable bool) (written bool, err error) {
	if w.fragment {
		// The file ends in part of a line that could not be cut off: the next one must not
		// be glued to it (a reviewer's); the part is then a line a reader skips.
		n, err := w.out.Write([]byte{'\n'})
		w.size += int64(n)
		if err != nil {
			return false, err
		}
		w.fragment = false
	}
	off := w.size
	n, err := w.out.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			if w.f.Truncate(off) != nil {
				w.size += int64(n)
				w.fragment = true
			}
		}
		return false, err
	}
	w.size += int64(n)
	if seq > 0 {
		w.indexLocked(seq, off)
	}
	if durable {
		return true, w.syncLocked(seq)
	}
	return true, nil
}

// Events calls fn with the JSON of each event whose seq is at least from, oldest first,
// until fn returns false or the events written so far run out. It reads the file (from
// the nearest index mark), so it sees only what was written before it was called. raw is
// only valid during the call.
func (w *Writer) Events(from int64, fn func(seq int64, raw json.RawMessage) bool) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errors.New("journal: closed")
	}
	end := w.size
	var start int64
	if i := sort.Search(len(w.index), func(i int) bool { return w.index[i].seq > from }); i > 0 {
		start = w.index[i-1].off
	}
	w.mu.Unlock()
	br := bufio.NewReaderSize(io.NewSectionReader(w.r, start, end-start), 64<<10)
	var yielded int64
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it whole.
			buf := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				buf = append(buf, line...)
			}
			line = buf
		}
		if len(line) > 0 && line[len(line)-1] == '\n' {
			// A seq that does not rise is skipped, as the reader does: a torn line that a
			// lost "\n" alone left whole, then the same event written again (a reviewer's).
			if seq, raw, ok := eventLine(line); ok && seq >= from && seq > yielded {
				yielded = seq
				if !fn(seq, raw) {
					return nil
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read journal: %w", err)
		}
	}
}

// Close makes the journal durable and closes it. Idempotent.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.err != nil {
		w.catchUpLocked() // a last try: the disk may have room again
	}
	w.closed = true
	for w.syncing { // the background fsync uses the file
		w.syncedCond.Wait()
	}
	if stop, done := w.retrying, w.retried; stop != nil {
		close(stop)
		w.retrying = nil
		w.mu.Unlock()
		<-done // it takes mu to look: let it go first
		w.mu.Lock()
	}
	serr := syncFile(w.f)
	if serr != nil && w.err == nil {
		// Not known to be on the disk (a reviewer's): resumed, if at all, past every
		// event written.
		markIncomplete(w.path)
		w.reserveLocked(w.lastSeq, false)
	}
	cerr := w.f.Close()
	w.r.Close()
	if w.err != nil {
		return w.err
	}
	if serr != nil {
		return fmt.Errorf("sync journal: %w", serr)
	}
	if cerr != nil {
		return fmt.Errorf("close journal: %w", cerr)
	}
	return nil
}

// take locks the journal for this host, trying again for a moment when it is held: another
// process may be only looking (InUse holds the lock for a moment, as every host's start
// does for the journals beside its own); a running host holds it for good.
func take(f *os.File) error {
	for tries := 0; ; tries++ {
		err := lock(f)
		if !errors.Is(err, ErrInUse) || tries == 10 {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
