package cli

import (
	"slices"
	"strings"

	"github.com/concordia-party/concordia/internal/wire"
)

// roster is what a terminal knows of the party from its events: who is in it with which
// role, who wrote which prompt, the tool requests waiting for a decision and the batch
// waiting for approval. The printer owns it (guarded by printer.mu) and updates it before
// rendering each event; commands read it through the printer.
type roster struct {
	seq     int64 // the hello state's seq: membership events up to it are already in members
	you     wire.Member
	members []wire.Member
	authors map[string]string // prompt id → author
	batches map[string][]string
	perms   []wire.Permission // pending, oldest first
	held    *wire.Approval    // the batch waiting for approval
	running bool              // a turn is on the agent
}

func newRoster() *roster {
	return &roster{authors: map[string]string{}, batches: map[string][]string{}}
}

// reset takes a hello reply's state.
func (r *roster) reset(h wire.HelloResult) {
	r.you = h.You
	r.seq = h.State.Seq
	r.members = append([]wire.Member(nil), h.State.Participants...)
	for _, p := range h.State.Pending {
		r.authors[p.ID] = p.User
	}
	r.running = h.State.Phase == wire.PhaseRunning || h.State.Phase == wire.PhaseAwaitingPermission
}

// track applies one event.
func (r *roster) track(ev wire.Event) {
	switch ev.Kind {
	case wire.KindParticipants:
		if ev.Seq != 0 && ev.Seq <= r.seq {
			return // replayed history: the hello's list already has its outcome
		}
		switch {
		case ev.Joined != nil:
			r.members = append(r.members, *ev.Joined)
		case ev.Left != nil:
			r.remove(ev.Left.ID)
		case ev.Changed != nil:
			for i := range r.members {
				if r.members[i].ID == ev.Changed.ID {
					r.members[i].Role = ev.Changed.Role
				}
			}
			if ev.Changed.ID == r.you.ID {
				r.you.Role = ev.Changed.Role
			}
		}
	case wire.KindPrompt:
		if ev.Prompt != nil {
			r.authors[ev.Prompt.ID] = ev.Prompt.User
		}
	case wire.KindBatch:
		if ev.Batch != nil {
			r.batches[ev.Batch.ID] = r.whoAsked(ev.Batch.Prompts)
			r.held = nil
			r.running = true
		}
	case wire.KindApproval:
		if ev.Approval != nil {
			r.batches[ev.Approval.Batch] = r.whoAsked(ev.Approval.Prompts)
			ap := *ev.Approval
			r.held = &ap
		}
	case wire.KindRejected:
		r.held = nil
	case wire.KindTurn:
		r.running = false
	case wire.KindPermission:
		if pm := ev.Permission; pm != nil {
			r.dropPerm(pm.ID)
			if pm.Status == wire.PermissionPending {
				r.perms = append(r.perms, *pm)
			}
		}
	}
}

func (r *roster) remove(id string) {
	r.members = slices.DeleteFunc(r.members, func(m wire.Member) bool { return m.ID == id })
}

func (r *roster) dropPerm(id string) {
	r.perms = slices.DeleteFunc(r.perms, func(p wire.Permission) bool { return p.ID == id })
}

// whoAsked lists the distinct authors of prompts, in order.
func (r *roster) whoAsked(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if a, ok := r.authors[id]; ok && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// member finds a member by name (case-insensitive) or id.
func (r *roster) member(name string) (wire.Member, bool) {
	for _, m := range r.members {
		if strings.EqualFold(m.Name, name) || m.ID == name {
			return m, true
		}
	}
	return wire.Member{}, false
}
