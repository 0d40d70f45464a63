package party

import (
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// State returns the party's state with the events after since (Party.getState). History
// older than the memory window is read back from the journal off the loop: a reviewer's
// getState(0) of 25 MB held the loop for 300 ms, every member's output waiting behind it,
// and any member, a viewer too, could ask again and again.
func (p *Party) State(since int64) (wire.State, error) {
	var r *replay
	var from, upTo int64
	if err := p.do(func() {
		r = p.newReplay(since)
		if from, upTo = r.journalRange(p); from == 0 {
			r.addWindow(p)
		}
	}); err != nil {
		return wire.State{}, err
	}
	if from == 0 {
		return r.st, nil
	}
	r.addJournal(p, from, upTo, stateJournalMax)
	if r.st.Truncated {
		return r.st, nil
	}
	// The rest is in memory, as it is now: the head is taken again with it, so that the
	// state's seq is never behind its last event.
	err := p.do(func() {
		read := r
		r = p.newReplay(since)
		r.st.Events, r.st.RawEvents, r.used, r.next = read.st.Events, read.st.RawEvents, read.used, read.next
		if p.windowFirst() > upTo {
			// The window moved on while the journal was read: the client pages on (an
			// event at least was added: the journal range was not empty).
			r.st.Truncated = true
			return
		}
		r.addWindow(p)
	})
	return r.st, err
}

// stateJournalMax bounds the history one Party.getState reply reads back from the
// journal: a page of 16 MiB read, decoded and encoded again cost the host about 170 MB
// for a while each time a member joined a long party (a tester's 64 MB history), and
// four such replies may be under way at once. The joiner pages on, in smaller pages.
// (A variable for the tests.)
var stateJournalMax = 4 << 20

// helloJournalMax bounds the history a remote member's hello reads back from the journal
// on the loop: the joiner pages on for the rest with Party.getState, which reads it off
// the loop. (A variable for the tests.)
var helloJournalMax = 1 << 20

// briefReplay is how much history a hello's reply carries when every replay slot is
// taken (replays.go): hellos are not refused, and a viewer link was enough to have a
// hundred of them each queue megabytes unread.
const briefReplay = 64 << 10

// state is the party's state with the events after since, built on the loop: a hello's
// and a watcher's. At most journalMax bytes of it are read from the journal; < 0 means
// all of it, for a view in this process (the host's own terminal or window), which is
// not sent as one message and has no one to page: a reviewer's resumed host with 23 MiB
// of history got its oldest 16 MiB, marked truncated, and neither view looked. A budget
// >= 0 bounds the bytes of events the reply carries below the host's message limit.
func (p *Party) state(since int64, journalMax, budget int) wire.State {
	r := p.newReplay(since)
	if journalMax < 0 {
		// A view in this process reads the events, never their JSON: a copy of each read
		// from the journal doubled what a resumed host's terminal held of a long history.
		r.budget, r.noRaw = math.MaxInt, true
	} else if budget >= 0 && budget < r.budget {
		r.budget = budget
	}
	if from, upTo := r.journalRange(p); from != 0 {
		r.addJournal(p, from, upTo, journalMax)
		if r.st.Truncated {
			return r.st
		}
	}
	r.addWindow(p)
	return r.st
}

// replay builds a state reply: its head, then events oldest first within one host
// message.
type replay struct {
	st           wire.State
	next         int64 // the seq of the next event wanted
	budget, used int   // bytes of event JSON the reply may carry, and carries
	// narrower: the party shares less than the whole folder now, so events it showed only
	// while it did are replayed without what they showed (treeOnlyHidden).
	narrower bool
	// noRaw: the state carries no RawEvents (a view in this process: state).
	noRaw bool
}

// newReplay is the state's head, with no events yet. Runs on the loop.
func (p *Party) newReplay(since int64) *replay {
	st := wire.State{
		Seq:          p.seq,
		Phase:        p.phase,
		Participants: p.memberList(),
		Pending:      make([]wire.Prompt, 0, len(p.pending)),
		Events:       []wire.Event{},
	}
	for _, pp := range p.pending {
		st.Pending = append(st.Pending, pp.prompt)
	}
	if since < 0 {
		since = 0
	}
	// Fit the replay into one host message: measure the rest, then add events.
	head, _ := json.Marshal(st)
	return &replay{st: st, next: since + 1, budget: p.cfg.MaxMessage - len(head) - 4096, narrower: p.wsLevel != wire.WorkspaceTree}
}

// add adds one event, unless the reply is full (then it is truncated).
func (r *replay) add(ev wire.Event, raw json.RawMessage) bool {
	if ev.TreeOnly && r.narrower {
		ev = treeOnlyHidden(ev)
		b, err := wire.Encode(ev)
		if err != nil {
			return true // never the event as it was
		}
		raw = b
	}
	// At least one event per reply, so that paging always progresses (an event is far
	// below the host's message limit: prompts are at most 32 KiB, output events at most 64 KiB).
	if r.used+len(raw)+1 > r.budget && len(r.st.Events) > 0 {
		r.st.Truncated = true
		return false
	}
	r.used += len(raw) + 1
	r.st.Events = append(r.st.Events, ev)
	if !r.noRaw {
		r.st.RawEvents = append(r.st.RawEvents, raw) // encoded as they are (wire.State.MarshalJSON)
	}
	r.next = ev.Seq + 1
	return true
}

// journalRange is the seqs [from, upTo) wanted that only the journal holds now, or 0, 0.
// Runs on the loop.
func (r *replay) journalRange(p *Party) (from, upTo int64) {
	first := p.windowFirst()
	if r.next > p.seq || r.next >= first || p.cfg.Journal == nil {
		return 0, 0
	}
	return r.next, first
}

// addJournal adds the events [from, upTo) read back from the journal, stopping (truncated)
// once max bytes of them were read, unless max < 0. The journal is read without the loop.
func (r *replay) addJournal(p *Party, from, upTo int64, max int) {
	read := 0
	err := p.cfg.Journal.Events(from, func(seq int64, raw json.RawMessage) bool {
		if seq >= upTo {
			return false
		}
		if max >= 0 && read >= max && len(r.st.Events) > 0 {
			r.st.Truncated = true
			return false
		}
		read += len(raw)
		var ev wire.Event
		if json.Unmarshal(raw, &ev) != nil {
			return true // a damaged line: skipped, as the journal's reader does
		}
		if !r.noRaw {
			raw = append(json.RawMessage(nil), raw...) // only valid during the call
		}
		return r.add(ev, raw)
	})
	if err != nil {
		p.log.Error("read history from the journal", "err", err)
	}
	if !r.st.Truncated {
		r.next = upTo
	}
}

// addWindow adds the events held in memory from r.next on. Runs on the loop.
func (r *replay) addWindow(p *Party) {
	if r.next > p.seq {
		return
	}
	i := int(r.next - p.windowFirst())
	if i < 0 {
		i = 0
	}
	for ; i < len(p.win); i++ {
		if !r.add(p.win[i].ev, p.win[i].raw) {
			break
		}
	}
}

// windowFirst is the seq of the oldest event held in memory (p.seq+1 when none is).
func (p *Party) windowFirst() int64 {
	if len(p.win) == 0 {
		return p.seq + 1
	}
	return p.win[0].ev.Seq
}

// remember adds an event to the memory window and, when a journal holds the history,
// lets the oldest go once the window is over its size in bytes.
func (p *Party) remember(ev wire.Event, raw json.RawMessage) {
	size := len(raw)
	p.win = append(p.win, logged{ev: ev, raw: raw, size: size})
	p.winBytes += size
	if p.cfg.Journal == nil || p.journalErr != nil {
		return // memory is the only history
	}
	for len(p.win) > 1 && p.winBytes > p.cfg.MemoryWindow {
		p.winBytes -= p.win[0].size
		p.win[0] = logged{} // let the event's text go
		p.win = p.win[1:]
	}
}

func (p *Party) memberList() []wire.Member {
	ms := make([]*member, 0, len(p.members))
	for _, m := range p.members {
		ms = append(ms, m)
	}
	// Stable order: host first, then by join order.
	sort.Slice(ms, func(i, j int) bool {
		if (ms[i].Role == wire.RoleHost) != (ms[j].Role == wire.RoleHost) {
			return ms[i].Role == wire.RoleHost
		}
		return ms[i].order < ms[j].order
	})
	list := make([]wire.Member, len(ms))
	for i, m := range ms {
		list[i] = m.Member
	}
	return list
}

func (p *Party) setPhase(phase string) {
	if p.phase == phase {
		return
	}
	p.phase = phase
	p.emit(wire.Event{Kind: wire.KindPhase, Phase: phase})
}

// emit appends an event to the log and sends it to every member. Runs on the loop.
func (p *Party) emit(ev wire.Event) int64 {
	return p.emitAt(ev, p.cfg.Now())
}

// emitAt is emit of an event that happened at ts, before it was known (a resumed party's
// record of who was there when the last run ended). ts is held between the last event's
// time and now: events' times never go back.
func (p *Party) emitAt(ev wire.Event, ts time.Time) int64 {
	if ev.Kind != wire.KindOutput {
		p.flushOutput() // output that came first is sent first
	}
	if now := p.cfg.Now(); ts.After(now) {
		ts = now
	}
	if n := len(p.win); n > 0 && ts.Before(p.win[n-1].ev.TS) {
		ts = p.win[n-1].ev.TS
	}
	p.seq++
	ev.Seq = p.seq
	ev.TS = ts.UTC()
	raw, err := wire.Encode(ev)
	if err != nil {
		// Cannot happen for these types; keep the log consistent regardless.
		p.log.Error("encode event", "err", err)
	}
	if p.cfg.Journal != nil {
		// Written before anyone is sent the event: a host killed now loses nothing seen.
		// A journal behind after a failed write keeps it to write once it can.
		p.journaled(p.cfg.Journal.Event(ev, raw))
	}
	p.remember(ev, raw)
	p.sendToMembers(ev, raw)
	for o := range p.observers {
		if !o.Send(ev, raw) {
			delete(p.observers, o)
		}
	}
	switch {
	case p.journalErr != nil && !p.journalWarned:
		p.journalWarned = true
		p.emit(wire.Event{Kind: wire.KindError, Text: JournalFailedText(p.journalErr)})
	case p.journalErr == nil && p.journalWarned:
		p.journalWarned = false
		p.emit(wire.Event{Kind: wire.KindSystem, Text: JournalRecoveredText})
	case p.journalGaveUp != nil && !p.journalGaveUpSaid:
		p.journalGaveUpSaid = true
		p.emit(wire.Event{Kind: wire.KindError, Text: JournalGaveUpText(p.journalGaveUp)})
	}
	return ev.Seq
}

// JournalFailedText is what the party says when its journal cannot be written; it starts
// with JournalFailedPrefix.
func JournalFailedText(err error) string {
	return JournalFailedPrefix + oneLine(err.Error()) + "): make room on the disk, and it catches up within seconds; until then the party goes on, keeping what the journal lacks in memory and trying again, and a host that stops loses what happens from here from the party's history (and cannot resume the party at all if a host makes its rules stricter meanwhile)"
}

// JournalFailedPrefix starts JournalFailedText: a terminal knows the journal is behind by it.
const JournalFailedPrefix = "the party's journal cannot be written ("

// JournalGaveUpText is what the party says when its journal will not catch up
// (journal.ErrGaveUp); it starts with JournalGaveUpPrefix.
func JournalGaveUpText(err error) string {
	why := strings.TrimPrefix(oneLine(err.Error()), journal.ErrGaveUp.Error()+": ")
	return JournalGaveUpPrefix + why + "): what happens from here is kept in memory only, and a host that stops loses it from the party's history; stopping the party and resuming it (with room on the disk) gives it a journal again, unless what it lost made the party's rules stricter"
}

// JournalGaveUpPrefix starts JournalGaveUpText: a terminal knows by it that the journal
// will not catch up.
const JournalGaveUpPrefix = "the party's journal gave up catching up ("

// JournalRecoveredText is what the party says when its journal caught up.
const JournalRecoveredText = "the party's journal is written again and holds everything: the party can be resumed"

// journaled takes a journal call's result: the first error puts the party behind (its
// history stays in memory, and the error is said once); a call that succeeds while it is
// behind means the journal caught up (said when the next event goes out). Runs on the
// loop.
func (p *Party) journaled(err error) {
	switch {
	case err != nil && errors.Is(err, journal.ErrGaveUp) && p.journalGaveUp == nil:
		p.journalErr, p.journalGaveUp = err, err
		p.log.Error("the journal gave up catching up; the history is kept in memory only", "err", err)
	case err != nil && p.journalErr == nil:
		p.journalErr = err
		p.log.Error("journal write failed; keeping the whole history in memory until it can be written", "err", err)
	case err == nil && p.journalErr != nil:
		p.log.Info("the journal caught up", "after", p.journalErr)
		p.journalErr = nil
	}
}
