package cli

import (
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// editors prints, in a host's terminal, a line for each other host who starts editing
// the prompt held for approval (a Client.editing notification, PROTOCOL.md §7): an
// /approve now would send it without that host's edits. This terminal never says
// Party.editing itself: /approve TEXT is typed whole, with no editor open.
func (p *printer) editors(ed wire.Editors) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	was := p.editing
	if p.editingBatch != ed.Batch {
		was = nil
	}
	now := make(map[string]bool, len(ed.Editors))
	for _, m := range ed.Editors {
		now[m.ID] = true
		if m.ID == p.r.you.ID || was[m.ID] {
			continue
		}
		p.noticeLocked("approval", term.Line(m.Name)+" is editing the held prompt")
	}
	p.editingBatch, p.editing = ed.Batch, now
}
