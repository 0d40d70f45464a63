// The host methods of PROTOCOL.md §7, delegated to the current party's Controller.

package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
)

// control runs a host method on the current party's Controller; the party checks that
// the window's person is a host.
func (m *Manager) control(op string, f func(party.Controller) error) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	if err := f(a.controller()); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// SetApproval turns approval mode on or off (off sends a batch that waits).
func (m *Manager) SetApproval(ctx context.Context, on bool) error {
	return m.control("set approval", func(c party.Controller) error { return c.SetApproval(ctx, on) })
}

// SetPermissionMode sets what the agent may do without asking (ask, edits, plan or all),
// from now on.
func (m *Manager) SetPermissionMode(ctx context.Context, mode string) error {
	return m.control("set tool permissions", func(c party.Controller) error { return c.SetPermissionMode(ctx, mode) })
}

// Approve sends the batch waiting for approval as merged, or as text when text is set.
func (m *Manager) Approve(ctx context.Context, batch string, text *string) error {
	if text != nil {
		if strings.TrimSpace(*text) == "" {
			return ErrEmptyPrompt
		}
		if len(*text) > wire.MaxPromptBytes {
			return fmt.Errorf("%w: %d bytes, the limit is %d", ErrPromptTooLarge, len(*text), wire.MaxPromptBytes)
		}
	}
	return m.control("approve batch", func(c party.Controller) error { return c.Approve(ctx, batch, text) })
}

// Reject drops the batch waiting for approval; its authors see who and why.
func (m *Manager) Reject(ctx context.Context, batch, reason string) error {
	return m.control("reject batch", func(c party.Controller) error { return c.Reject(ctx, batch, reason) })
}

// Editing tells the other hosts that this window has opened (on) or closed the editor of
// the batch waiting for approval.
func (m *Manager) Editing(ctx context.Context, batch string, on bool) error {
	return m.control("say you are editing", func(c party.Controller) error { return c.Editing(ctx, batch, on) })
}

// Interrupt stops the running turn.
func (m *Manager) Interrupt(ctx context.Context) error {
	return m.control("stop the turn", func(c party.Controller) error { return c.Interrupt(ctx) })
}

// SendNow sends the prompts waiting for a batch without waiting for the window or
// --min-prompts (Party.sendNow).
func (m *Manager) SendNow(ctx context.Context) error {
	return m.control("send the waiting prompts", func(c party.Controller) error { return c.SendNow(ctx) })
}

// Decide answers a pending tool request: wire.DecisionAllow, DecisionDeny (reason goes to
// the agent) or DecisionAlways (allow this tool from now on).
func (m *Manager) Decide(ctx context.Context, permission, decision, reason string) error {
	switch decision {
	case wire.DecisionAllow, wire.DecisionDeny, wire.DecisionAlways:
	default:
		return badRequest(fmt.Errorf("a decision is allow, deny or always, not %q", decision))
	}
	return m.control("decide tool request", func(c party.Controller) error { return c.Decide(ctx, permission, decision, reason) })
}

// RevokeAlways makes a tool that a host allowed "always" ask again.
func (m *Manager) RevokeAlways(ctx context.Context, tool string) error {
	if strings.TrimSpace(tool) == "" {
		return badRequest(errors.New("say which tool should ask again"))
	}
	return m.control("revoke always allow", func(c party.Controller) error { return c.RevokeAlways(ctx, tool) })
}

// SetRole makes a member a host (co-host), participant or viewer.
func (m *Manager) SetRole(ctx context.Context, member, role string) error {
	switch role {
	case wire.RoleHost, wire.RoleParticipant, wire.RoleViewer:
	default:
		return badRequest(fmt.Errorf("a role is host, participant or viewer, not %q", role))
	}
	return m.control("change role", func(c party.Controller) error { return c.SetRole(ctx, member, role) })
}

// Kick removes a member from the party.
func (m *Manager) Kick(ctx context.Context, member, reason string) error {
	return m.control("remove member", func(c party.Controller) error { return c.Kick(ctx, member, reason) })
}

// RotateInvite makes new participant and viewer invites; the old links stop working.
// The window gets them as party:invites too.
func (m *Manager) RotateInvite(ctx context.Context) (wire.Invites, error) {
	var inv wire.Invites
	err := m.control("make new invites", func(c party.Controller) error {
		var err error
		inv, err = c.RotateInvite(ctx)
		return err
	})
	if err != nil {
		return wire.Invites{}, err
	}
	a, cerr := m.current()
	if cerr != nil {
		return inv, nil // the party ended meanwhile; the invites were made
	}
	if a.role != wire.RoleHost {
		// A co-host elsewhere: the host's reply carries the links (a hosted party got
		// them through host.Config.OnInvites already).
		a.setInvites(inv)
	} else {
		a.mu.Lock()
		inv = wire.Invites{Invite: a.invite, ViewerInvite: a.viewerInvite, HostInvite: a.hostInvite}
		a.mu.Unlock()
	}
	return inv, nil
}

// AgentCommand queues an agent slash command (e.g. "/compact"); it runs when the agent is
// next idle.
func (m *Manager) AgentCommand(ctx context.Context, command string) error {
	command = strings.TrimSpace(command)
	if !strings.HasPrefix(command, "/") || len(command) < 2 {
		return badRequest(errors.New("an agent command starts with / (for example /compact)"))
	}
	return m.control("run agent command", func(c party.Controller) error { return c.AgentCommand(ctx, command) })
}
