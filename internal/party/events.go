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
	start := int(since) // events[i] has seq i+1
	used := 0
	for i := start; i < len(p.events); i++ {
		// At least one event per reply, so that paging always progresses (an event is far
		// below the host's message limit: prompts are at most 32 KiB, output is cut at 32 KiB).
		if used+p.sizes[i]+1 > budget && len(st.Events) > 0 {
			st.Truncated = true
			break
		}
		used += p.sizes[i] + 1
		st.Events = append(st.Events, p.events[i])
	}
	return st
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
	raw, err := json.Marshal(ev)
	if err != nil {
		// Cannot happen for these types; keep the log consistent regardless.
		p.log.Error("encode event", "err", err)
	}
	p.events = append(p.events, ev)
	p.sizes = append(p.sizes, len(raw))
	if p.cfg.Transcript != nil {
		p.cfg.Transcript(ev, raw)
	}
	for id, m := range p.members {
		if m.sub == nil {
			continue
		}
		if !m.sub.Send(ev, raw) {
			// Too slow or gone: drop the connection, keep the member until it leaves; a
			// reconnect with the same client_id catches up from `since`.
			p.log.Info("dropping slow subscriber", "member", id)
			m.sub = nil
		}
	}
	for o := range p.observers {
		if !o.Send(ev, raw) {
			delete(p.observers, o)
		}
	}
	return ev.Seq
}
