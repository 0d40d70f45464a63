package party

import (
	"encoding/json"
	"sort"

	"github.com/concordia-party/concordia/internal/wire"
)

// State returns the party's state with the events after since.
func (p *Party) State(since int64) (wire.State, error) {
	var st wire.State
	err := p.do(func() { st = p.state(since) })
	return st, err
}

func (p *Party) state(since int64) wire.State {
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
	if since >= p.seq {
		return st
	}
	// Fit the replay into one host message: measure the rest, then add events oldest first.
	head, _ := json.Marshal(st)
	budget := p.cfg.MaxMessage - len(head) - 4096
	used := 0
	add := func(ev wire.Event, raw json.RawMessage) bool {
		// At least one event per reply, so that paging always progresses (an event is far
		// below the host's message limit: prompts are at most 32 KiB, output events at most 64 KiB).
		if used+len(raw)+1 > budget && len(st.Events) > 0 {
			st.Truncated = true
			return false
		}
		used += len(raw) + 1
		st.Events = append(st.Events, ev)
		st.RawEvents = append(st.RawEvents, raw) // encoded as they are (wire.State.MarshalJSON)
		return true
	}
	next := since + 1
	first := p.windowFirst()
	if next < first && p.cfg.Journal != nil {
		// Older than the memory window: read it back from the journal.
		err := p.cfg.Journal.Events(next, func(seq int64, raw json.RawMessage) bool {
			if seq >= first {
				return false
			}
			var ev wire.Event
			if json.Unmarshal(raw, &ev) != nil {
				return true // a damaged line: skipped, as the journal's reader does
			}
			if !add(ev, append(json.RawMessage(nil), raw...)) {
				return false
			}
			next = seq + 1
			return true
		})
		if err != nil {
			p.log.Error("read history from the journal", "err", err)
		}
		if st.Truncated {
			return st
		}
		next = first
	}
	i := int(next - first)
	if i < 0 {
		i = 0
	}
	for ; i < len(p.win); i++ {
		if !add(p.win[i].ev, p.win[i].raw) {
			break
		}
	}
	return st
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
	if ev.Kind != wire.KindOutput {
		p.flushOutput() // output that came first is sent first
	}
	p.seq++
	ev.Seq = p.seq
	ev.TS = p.cfg.Now().UTC()
	raw, err := wire.Encode(ev)
	if err != nil {
		// Cannot happen for these types; keep the log consistent regardless.
		p.log.Error("encode event", "err", err)
	}
	if p.cfg.Journal != nil && p.journalErr == nil {
		// Written before anyone is sent the event: a host killed now loses nothing seen.
		if err := p.cfg.Journal.Event(ev, raw); err != nil {
			p.journalErr = err
			p.log.Error("journal write failed; keeping the whole history in memory", "err", err)
		}
	}
	p.remember(ev, raw)
	p.sendToMembers(ev, raw)
	for o := range p.observers {
		if !o.Send(ev, raw) {
			delete(p.observers, o)
		}
	}
	if p.journalErr != nil && !p.journalWarned {
		p.journalWarned = true
		p.emit(wire.Event{Kind: wire.KindError, Text: "the party's journal cannot be written (" + oneLine(p.journalErr.Error()) + "); the party goes on, but it cannot be resumed from here on"})
	}
	return ev.Seq
}
