package party

import (
	"slices"

	"github.com/concordia-party/concordia/internal/wire"
)

// Who edits the batch that waits for approval (PROTOCOL.md §7, Party.editing; our
// extension since 2026-12-07). A co-host who had "Edit and send…" open lost the edit when
// the owner, who could not tell, sent the prompt meanwhile (a window tester's). The
// editors are part of the held batch, so a decided batch takes them with it; they are
// told to the connected hosts as a Client.editing notification, never as an event: it is
// nothing the transcript or the journal should keep. Only loop-owned code touches them.

// editorsSender is a Subscriber that can be told who edits the held batch: a remote
// connection (a Client.editing notification) or the host's own Local.
type editorsSender interface {
	SendEditors(wire.Editors) bool
}

// Editing records that the host memberID has opened (on) or closed an editor on batch,
// the batch that waits for approval. Saying it twice changes nothing. A batch that no
// longer waits gets ErrInvalid (a *DecidedError for the one a host decided).
func (p *Party) Editing(memberID, batch string, on bool) error {
	return p.control(memberID, func(by *member) error {
		h, err := p.heldBatch(batch, by)
		if err != nil {
			return err
		}
		i := slices.Index(h.editors, by.ID)
		switch {
		case on && i < 0:
			h.editors = append(h.editors, by.ID)
		case !on && i >= 0:
			h.editors = slices.Delete(h.editors, i, i+1)
		default:
			return nil
		}
		p.tellEditors(h.id, h.editors)
		return nil
	})
}

// stopEditing takes memberID off the held batch's editors, if it is one: it left, its
// connection was replaced, or it is no longer a host. Loop-owned.
func (p *Party) stopEditing(memberID string) {
	h := p.held
	if h == nil {
		return
	}
	if i := slices.Index(h.editors, memberID); i >= 0 {
		h.editors = slices.Delete(h.editors, i, i+1)
		p.tellEditors(h.id, h.editors)
	}
}

// heldDone says that nobody edits h any more, now that it is decided (p.held is no
// longer h). Loop-owned.
func (p *Party) heldDone(h *heldBatch) {
	if len(h.editors) > 0 {
		h.editors = nil
		p.tellEditors(h.id, nil)
	}
}

// tellEditors sends who edits batch to every connected host. Loop-owned.
func (p *Party) tellEditors(batch string, ids []string) {
	ed := p.editorsOf(batch, ids)
	for _, m := range p.members {
		if m.Role == wire.RoleHost {
			p.sendEditors(m, ed)
		}
	}
}

// tellEditorsTo sends who edits the held batch to m, a host that joined or became one,
// when someone does. Loop-owned.
func (p *Party) tellEditorsTo(m *member) {
	if h := p.held; h != nil && len(h.editors) > 0 && m.Role == wire.RoleHost {
		p.sendEditors(m, p.editorsOf(h.id, h.editors))
	}
}

func (p *Party) editorsOf(batch string, ids []string) wire.Editors {
	ed := wire.Editors{Batch: batch, Editors: []wire.Member{}}
	for _, id := range ids {
		if m, ok := p.members[id]; ok {
			ed.Editors = append(ed.Editors, m.Member)
		}
	}
	return ed
}

func (p *Party) sendEditors(m *member, ed wire.Editors) {
	s, ok := m.sub.(editorsSender)
	if ok && !s.SendEditors(ed) {
		p.dropSlow(m)
	}
}
