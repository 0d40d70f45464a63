package app

import (
	"context"
	"strings"

	"github.com/concordia-party/concordia/internal/wire"
)

// ---- host methods (PROTOCOL.md §7): a host of the party only --------------------

// control runs a host method with a time limit and turns its error into a sentence.
func (a *App) control(op string, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		return a.fail(op, err)
	}
	return nil
}

// SetApproval turns approval mode on (each merged prompt waits for a host) or off.
func (a *App) SetApproval(on bool) error {
	return a.control("set approval", func(ctx context.Context) error { return a.session.SetApproval(ctx, on) })
}

// SetPermissionMode sets what the agent may do without asking a host, from now on: "ask",
// "edits", "plan" or "all".
func (a *App) SetPermissionMode(mode string) error {
	return a.control("set tool permissions", func(ctx context.Context) error { return a.session.SetPermissionMode(ctx, mode) })
}

// ApproveBatch sends the batch waiting for approval as it was merged.
func (a *App) ApproveBatch(batch string) error {
	return a.control("approve batch", func(ctx context.Context) error { return a.session.Approve(ctx, batch, nil) })
}

// ApproveEditedBatch sends the batch waiting for approval with text instead of the merged text.
func (a *App) ApproveEditedBatch(batch, text string) error {
	return a.control("approve edited batch", func(ctx context.Context) error { return a.session.Approve(ctx, batch, &text) })
}

// RejectBatch drops the batch waiting for approval; its authors see who and why.
func (a *App) RejectBatch(batch, reason string) error {
	return a.control("reject batch", func(ctx context.Context) error { return a.session.Reject(ctx, batch, reason) })
}

// EditingBatch tells the other hosts that this window has opened (editing true) or closed
// "Edit and send…" on the batch waiting for approval; they are shown who edits it.
func (a *App) EditingBatch(batch string, editing bool) error {
	return a.control("say you are editing", func(ctx context.Context) error { return a.session.Editing(ctx, batch, editing) })
}

// SendNow sends the prompts waiting for a batch without waiting for the batching window
// or the minimum number of prompts.
func (a *App) SendNow() error {
	return a.control("send now", func(ctx context.Context) error { return a.session.SendNow(ctx) })
}

// StopTurn interrupts the running turn.
func (a *App) StopTurn() error {
	return a.control("stop turn", func(ctx context.Context) error { return a.session.Interrupt(ctx) })
}

// DecidePermission answers a pending tool request: "allow", "deny" (reason goes to the
// agent) or "always" (allow this tool from now on).
func (a *App) DecidePermission(id, decision, reason string) error {
	return a.control("decide tool request", func(ctx context.Context) error {
		return a.session.Decide(ctx, id, decision, strings.TrimSpace(reason))
	})
}

// RevokeAlways makes a tool that a host allowed "always" ask again.
func (a *App) RevokeAlways(tool string) error {
	return a.control("revoke always allow", func(ctx context.Context) error { return a.session.RevokeAlways(ctx, tool) })
}

// SetRole makes a member a host (co-host), participant or viewer.
func (a *App) SetRole(member, role string) error {
	return a.control("set role", func(ctx context.Context) error { return a.session.SetRole(ctx, member, role) })
}

// Kick removes a member from the party.
func (a *App) Kick(member, reason string) error {
	return a.control("kick", func(ctx context.Context) error { return a.session.Kick(ctx, member, strings.TrimSpace(reason)) })
}

// NewInvites replaces both invites; the old links stop working. The window also gets
// them as party:invites.
func (a *App) NewInvites() (wire.Invites, error) {
	var inv wire.Invites
	err := a.control("new invites", func(ctx context.Context) error {
		var err error
		inv, err = a.session.RotateInvite(ctx)
		return err
	})
	if err != nil {
		return wire.Invites{}, err
	}
	a.partyChanged()
	return inv, nil
}

// AgentCommand queues an agent slash command such as /compact; it runs when the agent is
// next free.
func (a *App) AgentCommand(command string) error {
	return a.control("agent command", func(ctx context.Context) error { return a.session.AgentCommand(ctx, command) })
}
