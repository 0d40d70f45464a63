package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// ErrNoHeader: the file does not start with a journal header (not a journal, or empty).
var ErrNoHeader = errors.New("not a Concordia party journal (no header line)")

// Summary is what reading a journal found.
type Summary struct {
	Path    string
	Header  Header
	Members map[string]Member // the last record of each member id
	// Token and ViewerToken are the current invite tokens (the header's, or a rotation's);
	// HostToken the host invite's ("" when the party has none).
	Token, ViewerToken, HostToken string
	// Settings are the latest run's: the header's, or the last resumed record's.
	Settings Settings
	// Workspace is the sharing level (§9) the last settings event that named one set
	// ("" = none did); SharingLevel says what a resumed party shares.
	Workspace    string
	AgentSession string // the agent's last session id ("" = none yet)
	// AgentRuns are the agent markers of every host run (package reap), the first first:
	// what a run's agent left running carries its run's (LastRun: the latest).
	AgentRuns  []string
	Resumes    int
	Ended      bool      // the last run ended cleanly
	EndedAt    time.Time // when (its ended record's time), if Ended
	LastSeq    int64
	LastActive time.Time // the time of the last event (the creation time when none)
	// Alive is the time of the last alive record when it came after the last event (zero
	// otherwise): a turn that was running then, with nothing journalled since its last
	// event (a tool request waiting for a host), ran at least until Alive.
	Alive  time.Time
	Events int
	// Turns counts the turns that ended while the party went on — finished, failed, or
	// stopped by a host or the turn timeout — each batch once: not one the agent never had
	// (turn.unsent), nor one the party's end or the host's stop cut short
	// (wire.TurnPartyEnded, wire.TurnNotRunAgain; a journal of before 2026-12-07 has a turn
	// its end cut as "stopped by the host", counted).
	Turns  int
	turned map[string]bool // the batches Turns counted
	// EndCut is the party's last turn when the party's end cut it short (its turn reads
	// wire.TurnPartyEnded; a resume does not run it again, PROTOCOL.md §8); nil when its
	// last turn was not. `concordia parties`, Recent parties and the resume say it: they
	// said nothing of it (a tester's).
	EndCut *EndCut
	// unbatched are the authors of the prompts no batch has carried yet (by prompt id), and
	// lastBatch the last batch's id and authors: what EndCut names.
	unbatched map[string]string
	lastBatch EndCut
	// FirstPrompt is the text of the party's first prompt, as its author typed it: what a
	// list of parties can tell two of the same host and folder apart by.
	FirstPrompt string
	Skipped     int   // lines that could not be read (a torn last line, damage) and were skipped
	Size        int64 // bytes up to the end of the last complete line
	// Incomplete: a write failed, so the history stops before the party did (ErrIncomplete).
	Incomplete bool
	// TornTail: the file ends in part of a line (Open cuts it off).
	TornTail bool
	// LostTail (Open only): the last run did not end cleanly and the journal may have lost
	// events its members saw — the machine went down since the file's last write (a power
	// loss drops what was not yet fsynced, fewer than MaxUnsynced events), or the file ends
	// in a torn line. Open then records a SeqFloor that many past the last event.
	LostTail bool
	// Boot: the boot id the last run recorded as it started ("" if none).
	Boot string
	// SeqFloor: the party's next event is numbered past it (a seq_floor record), when it is
	// above LastSeq.
	SeqFloor int64
	// CutAt: the last event's seq when a failed write cut the journal short, as the last
	// seq_floor record of a cut says (0: none did). What was unanswered then stays so at
	// every resume after (party.Recovery.Cut).
	CutAt int64
	// ends: ReadEnd's scan, which takes an event line's seq and nothing else. brief:
	// readBrief's, which takes an output event's seq and time without decoding it.
	ends, brief bool
	// LostEnd: a failed write (a full disk) cut the journal short while the party went on,
	// and no resume has run since: events past LastSeq that members saw are not in it, and
	// a resume runs nothing from before again — the batch it ends in, and prompts that wait
	// in it, may have been answered in what it lost (journal.Cut).
	LostEnd bool
}

// SharingLevel is what the party shares of its working directory when it is resumed
// without being told otherwise: the level a host last set, else the one the latest run
// started with, else (a journal that recorded neither) nothing — a resumed party never
// shows more than a host chose.
func (s *Summary) SharingLevel() string {
	switch {
	case s.Workspace != "":
		return s.Workspace
	case s.Settings.Workspace != "":
		return s.Settings.Workspace
	}
	return wire.WorkspaceOff
}

// EndCutShown is EndCut as a list of parties says it (`concordia parties`, the window's
// Recent parties: one rule, where three places each had their own, a reviewer's): nil
// while a host runs the party, and when a failed write cut its journal short (Incomplete,
// LostEnd: what the journal lost may have ended that turn otherwise, and its lines say
// what a resume does instead).
func (s *Summary) EndCutShown() *EndCut {
	if s.EndCut == nil || s.Incomplete || s.LostEnd || InUse(s.Path) {
		return nil
	}
	return s.EndCut
}

// LastRun is the agent marker of the latest host run, "" when none is recorded.
func (s *Summary) LastRun() string {
	if len(s.AgentRuns) == 0 {
		return ""
	}
	return s.AgentRuns[len(s.AgentRuns)-1]
}

// eventPrefix starts every event line this package writes; the event's own JSON follows,
// and it always begins with its seq.
const eventPrefix = `{"type":"event","event":`

var seqPrefix = []byte(eventPrefix + `{"seq":`)

// Read reads the journal at path. fn, when not nil, gets each event in seq order (a line
// that repeats or goes back on a seq is skipped).
func Read(path string, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	return ReadContext(context.Background(), path, fn)
}

// ReadContext is Read, stopping with ctx's error once ctx is done (an export of a long
// party, stopped with Ctrl-C, read on to the end, then was killed leaving its file half
// made: a reviewer's).
func ReadContext(ctx context.Context, path string, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	return readFile(ctx, path, &Summary{Members: map[string]Member{}}, fn)
}

// readFile reads the journal at path into s, whose mode (ends, brief) says how much of
// each event it takes; fn, when not nil, gets the events it takes.
func readFile(ctx context.Context, path string, s *Summary, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	if err := s.scan(ctxReader{ctx, f}, fn, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.marks(path)
	return s, nil
}

// ctxReader reads r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// marks takes what the files beside the journal at path say: cut short and refused
// (Incomplete), or cut short and resumed past a floor (LostEnd). A journal refused is
// never said to be resumable, whatever its records say (a failed resume of a cut journal
// can leave a lost_end floor record, then the journal marked again: a reviewer's).
func (s *Summary) marks(path string) {
	s.Path, s.Incomplete = path, Incomplete(path)
	if floor, ok := Cut(path); ok {
		s.LostEnd, s.SeqFloor = true, max(s.SeqFloor, floor)
	}
	if s.Incomplete {
		s.LostEnd = false
	}
}

// readBrief is Read for a list of parties: the same summary, with fn given every event but
// output, and output events (nearly all of a long party's lines) taken by their seq and
// time, as written (wire.AppendOutput), without decoding their text: a 188 MB journal
// took 7 s to list.
func readBrief(path string, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	return readFile(context.Background(), path, &Summary{Members: map[string]Member{}, brief: true}, fn)
}

// ReadBrief is readBrief of one journal, for what `concordia parties` reads of each (the
// window's Resume asks what a resume would take up, as parties says it).
func ReadBrief(path string, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	return readBrief(path, fn)
}

// outputTime is the time of output event raw, as wire.AppendOutput writes one:
// {"seq":N[,"first_seq":M],"ts":"TIME","kind":"output","text":…; ok is false for
// anything else (the general way reads it then).
func outputTime(raw []byte) (time.Time, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(`{"seq":`))
	if !ok {
		return time.Time{}, false
	}
	rest = bytes.TrimLeft(rest, "0123456789")
	if r, ok := bytes.CutPrefix(rest, []byte(`,"first_seq":`)); ok {
		rest = bytes.TrimLeft(r, "0123456789")
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"ts":"`)); !ok {
		return time.Time{}, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || !bytes.HasPrefix(rest[end:], []byte(`","kind":"output","text":`)) {
		return time.Time{}, false
	}
	ts, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return ts, err == nil
}

// ReadEnd is Read of what a journal says of its party as a whole, without its events: the
// header, members, invites, settings and how it ended (Ended, LostEnd, SeqFloor,
// Incomplete), and LastSeq as the last event line's seq says it. Events, Turns,
// FirstPrompt and LastActive are left out, and a damaged event line is not noticed. It
// reads a long journal several times faster than Read (which decodes every event): for
// what has to be said before the events (export's "how it ended").
func ReadEnd(path string) (*Summary, error) {
	return readFile(context.Background(), path, &Summary{Members: map[string]Member{}, ends: true}, nil)
}

// Salvage reads the events of a journal that lost its header line (ErrNoHeader: a first
// line cut or overwritten), which Read refuses: the party cannot be resumed without it, but
// its events are all there to export (a tester's journal kept 1,470 of them). The summary's
// Header is empty.
func Salvage(path string, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	s := &Summary{Members: map[string]Member{}}
	header := true // none is looked for: a header line found is skipped
	if err := s.lines(f, &header, fn, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.Path = path
	return s, nil
}

// ReadFrom is Read on a stream (tests, fuzzing).
func ReadFrom(r io.Reader, fn func(ev wire.Event, raw json.RawMessage)) (*Summary, error) {
	return scan(r, fn, nil)
}

// scan reads every line; mark (may be nil) gets the offset of each event line kept.
func scan(r io.Reader, fn func(wire.Event, json.RawMessage), mark func(seq, off int64)) (*Summary, error) {
	s := &Summary{Members: map[string]Member{}}
	if err := s.scan(r, fn, mark); err != nil {
		return nil, err
	}
	return s, nil
}

// scan reads every line into s, in its mode (ends, brief); a journal without its header
// is ErrNoHeader.
func (s *Summary) scan(r io.Reader, fn func(wire.Event, json.RawMessage), mark func(seq, off int64)) error {
	header := false
	if err := s.lines(r, &header, fn, mark); err != nil {
		return err
	}
	if !header {
		return ErrNoHeader
	}
	if s.LastActive.IsZero() && !s.ends {
		s.LastActive = s.Header.Created
	}
	return nil
}

// lines takes every line of r into s (take), header saying whether the header was read.
func (s *Summary) lines(r io.Reader, header *bool, fn func(wire.Event, json.RawMessage), mark func(seq, off int64)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			start := off
			off += int64(len(line))
			s.Size = off
			if !s.take(line, start, header, fn, mark) {
				s.Skipped++
			}
		} else if len(line) > 0 {
			s.Skipped++ // a torn last line: the host stopped while writing it
			s.TornTail = true
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read journal: %w", err)
		}
	}
}

// take applies one complete line; false when it cannot be read.
func (s *Summary) take(line []byte, off int64, header *bool, fn func(wire.Event, json.RawMessage), mark func(seq, off int64)) bool {
	if s.ends && *header {
		if seq, _, ok := eventLine(line); ok {
			s.LastSeq = max(s.LastSeq, seq)
			s.Alive = time.Time{}
			return true
		}
	}
	if s.brief && *header {
		if seq, raw, ok := eventLine(line); ok && seq > s.LastSeq {
			if ts, ok := outputTime(raw); ok && json.Valid(raw) {
				s.LastSeq, s.LastActive, s.Alive = seq, ts, time.Time{}
				s.Events++
				return true
			}
		}
	}
	if !utf8.Valid(line) {
		// Damage: we write only UTF-8 (json.Marshal), and the decoder would take the bad
		// bytes as U+FFFD while a replay from the file (eventLine) passes them on raw.
		return false
	}
	var rec Record
	if err := json.Unmarshal(line, &rec); err != nil {
		return false
	}
	if !*header {
		// Nothing before the header counts: a journal starts with it.
		if rec.Type != TypeHeader || rec.Header == nil || rec.Header.Party == "" {
			return false
		}
		*header = true
		s.Header = *rec.Header
		s.Token, s.ViewerToken, s.HostToken = rec.Header.Token, rec.Header.ViewerToken, rec.Header.HostToken
		s.Settings = rec.Header.Settings
		s.Boot = rec.Boot
		return true
	}
	switch rec.Type {
	case TypeEvent:
		var ev wire.Event
		if len(rec.Event) == 0 || json.Unmarshal(rec.Event, &ev) != nil || ev.Seq <= s.LastSeq {
			return false
		}
		s.LastSeq = ev.Seq
		s.LastActive = ev.TS
		s.Alive = time.Time{}
		s.Events++
		s.noteEndCut(ev)
		switch {
		case ev.Kind == wire.KindTurn && ev.Turn != nil && (ev.Turn.Unsent || ev.Turn.Error == wire.TurnNotRunAgain || ev.Turn.Error == wire.TurnPartyEnded):
			// Not counted (below): the agent never had it, or the host's stop or end cut it.
		case ev.Kind == wire.KindTurn && ev.Turn != nil && ev.Turn.Batch != "" && s.turned[ev.Turn.Batch]:
			// A batch counts once, whatever number of turn events it has.
		case ev.Kind == wire.KindTurn:
			// A turn the agent never had (it could not start) is not one it ran (a tester's
			// party listed 1 turn after its only prompt failed to start claude); nor is one
			// cut short when the host stopped and, at the resume, not run again: a stop that
			// is never resumed leaves that turn uncounted too (no turn event), and one run
			// again counts once, by the turn it ends in (a tester's `concordia parties` and
			// Recent parties counted a turn the agent never finished).
			s.Turns++
			if ev.Turn != nil {
				if s.turned == nil {
					s.turned = map[string]bool{}
				}
				s.turned[ev.Turn.Batch] = true
			}
		case ev.Kind == wire.KindPrompt && ev.Prompt != nil && s.FirstPrompt == "":
			s.FirstPrompt = ev.Prompt.Text
		case ev.Kind == wire.KindSettings && ev.Settings != nil && ev.Settings.Workspace != "" && ev.Settings.ShareError == "":
			// Not a level the folder's failed snapshot forced (share_error): no host chose
			// it, and a resume once the folder is fixed shares as before (a tester's went
			// quietly to off).
			s.Workspace = ev.Settings.Workspace
		}
		if mark != nil {
			mark(ev.Seq, off)
		}
		if fn != nil {
			fn(ev, rec.Event)
		}
	case TypeMember:
		if rec.Member == nil || rec.Member.ID == "" {
			return false
		}
		s.Members[rec.Member.ID] = *rec.Member
	case TypeInvites:
		if rec.Token == "" || rec.ViewerToken == "" {
			return false
		}
		s.Token, s.ViewerToken, s.HostToken = rec.Token, rec.ViewerToken, rec.HostToken
	case TypeSession:
		s.AgentSession = rec.AgentSession
	case TypeRun:
		s.AgentRuns = append(s.AgentRuns, rec.AgentRun)
	case TypeResumed:
		s.Resumes++
		s.LostEnd = false // that resume took care of it
		// And of the turn the end cut: its notice said it (the resume reads the summary
		// before it records itself, host.OpenResume). A party resumed and ended again with
		// no turn said it again in every list and at every resume (a reviewer's).
		s.EndCut = nil
		s.Ended, s.EndedAt = false, time.Time{}
		s.Boot = rec.Boot
		if rec.Resumed != nil {
			s.Settings = *rec.Resumed
		}
	case TypeEnded:
		s.Ended, s.EndedAt = true, rec.At
	case TypeAlive:
		if rec.At.IsZero() {
			return false
		}
		s.Alive = rec.At
	case TypeSeqFloor:
		s.SeqFloor = max(s.SeqFloor, rec.SeqFloor)
		s.LostEnd = s.LostEnd || rec.LostEnd
		if rec.LostEnd {
			s.CutAt = s.LastSeq
		}
	default:
		return false // a later version's record, or damage: skipped
	}
	return true
}

// eventLine splits an event line written by this package into its seq and the event's
// JSON without decoding the whole line. ok is false for any other line.
func eventLine(line []byte) (seq int64, raw []byte, ok bool) {
	if !bytes.HasPrefix(line, seqPrefix) {
		return 0, nil, false
	}
	rest := line[len(seqPrefix):]
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	seq, err := strconv.ParseInt(string(rest[:i]), 10, 64)
	if err != nil {
		return 0, nil, false
	}
	body := bytes.TrimRight(line, "\n")
	if len(body) < len(eventPrefix)+2 || body[len(body)-1] != '}' || !utf8.Valid(body) {
		return 0, nil, false // not UTF-8: damage, which a client would refuse whole (1007)
	}
	return seq, body[len(eventPrefix) : len(body)-1], true
}

// EndCut is a turn the party's end cut short: its batch, and the names of its prompts'
// authors, each once in the batch's order (none for a host's agent command, or a batch
// whose prompts the journal does not hold).
type EndCut struct {
	Batch   string
	By      []string
	Prompts int // how many of its prompts the journal holds (By wrote them)
}

// noteEndCut follows, of event ev, what Summary.EndCut needs: who wrote the prompts each
// batch carries, and whether the last turn is one the party's end cut.
func (s *Summary) noteEndCut(ev wire.Event) {
	switch {
	case ev.Kind == wire.KindPrompt && ev.Prompt != nil:
		if s.unbatched == nil {
			s.unbatched = map[string]string{}
		}
		s.unbatched[ev.Prompt.ID] = ev.Prompt.User
	case ev.Kind == wire.KindBatch && ev.Batch != nil:
		s.lastBatch = EndCut{Batch: ev.Batch.ID}
		for _, id := range ev.Batch.Prompts {
			by, ok := s.unbatched[id]
			if ok {
				s.lastBatch.Prompts++
			}
			if ok && !slices.Contains(s.lastBatch.By, by) {
				s.lastBatch.By = append(s.lastBatch.By, by)
			}
			delete(s.unbatched, id)
		}
	case ev.Kind == wire.KindRejected && ev.Rejected != nil:
		for _, id := range ev.Rejected.Prompts {
			delete(s.unbatched, id)
		}
	case ev.Kind == wire.KindWithdrawn && ev.Withdrawn != nil:
		delete(s.unbatched, ev.Withdrawn.Prompt)
	case ev.Kind == wire.KindTurn && ev.Turn != nil:
		s.EndCut = nil
		if ev.Turn.Error == wire.TurnPartyEnded {
			c := EndCut{Batch: ev.Turn.Batch}
			if s.lastBatch.Batch == ev.Turn.Batch {
				c.By, c.Prompts = slices.Clone(s.lastBatch.By), s.lastBatch.Prompts
			}
			s.EndCut = &c
		}
	}
}
