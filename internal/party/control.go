package party

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Controller is what a host can do to a party (PROTOCOL.md §7). The host's own window or
// terminal uses a *Local; a co-host elsewhere uses a *client.Client; both implement it,
// so the terminal and the window drive either the same way.
type Controller interface {
	SetApproval(ctx context.Context, on bool) error
	SetPermissionMode(ctx context.Context, mode string) error
	Approve(ctx context.Context, batch string, text *string) error
	Reject(ctx context.Context, batch, reason string) error
	Interrupt(ctx context.Context) error
	Decide(ctx context.Context, permission, decision, reason string) error
	SetRole(ctx context.Context, member, role string) error
	Kick(ctx context.Context, member, reason string) error
	RotateInvite(ctx context.Context) (wire.Invites, error)
	AgentCommand(ctx context.Context, command string) error
	RevokeAlways(ctx context.Context, tool string) error
	Invites(ctx context.Context) (wire.Invites, error)
	SendNow(ctx context.Context) error
	Editing(ctx context.Context, batch string, on bool) error
}

// control runs a host method for memberID on the loop: the member must be connected and
// have role host (ErrNotAllowed otherwise, before anything else is looked at).
func (p *Party) control(memberID string, f func(by *member) error) error {
	var err error
	if derr := p.do(func() {
		m, ok := p.members[memberID]
		switch {
		case !ok:
			err = ErrNotMember
		case m.Role != wire.RoleHost:
			err = fmt.Errorf("%w: only a host can do this", ErrNotAllowed)
		default:
			err = f(m)
		}
	}); derr != nil {
		return derr
	}
	return err
}

// IsHost reports whether memberID is a connected member with role host.
func (p *Party) IsHost(memberID string) bool {
	return p.control(memberID, func(*member) error { return nil }) == nil
}

// SetApproval turns approval mode on or off; off sends a batch that waits.
func (p *Party) SetApproval(memberID string, on bool) error {
	return p.control(memberID, func(by *member) error {
		if p.closed {
			return ErrClosed // ending (End): no batch may start
		}
		if p.approval == on {
			return nil
		}
		p.approval = on
		state := "off"
		if on {
			state = "on"
		}
		text := fmt.Sprintf("%s turned approval %s", by.Name, state)
		if !on && p.held != nil {
			// Said: it goes to the agent unapproved (a tester's went with no word).
			text += "; " + p.held.words() + " that waited for approval is sent now"
		}
		p.emit(p.held.about(act(by, text)))
		p.emitSettings()
		if !on && p.held != nil {
			h := p.held
			p.held = nil
			p.heldDecided = &heldDecision{batch: h.id, how: wire.HeldApprovalOff, by: by.Name, byID: by.ID}
			p.send(h.id, h.prompts, h.res.Text, h.res.Merger, wire.Member{})
			p.heldDone(h)
		}
		return nil
	})
}

// SetPermissionMode sets what the agent may do without asking (wire.PermissionAsk, Edits,
// Plan or All), from the next tool request on: the running agent is switched too
// (modeSwitcher). Only the owner may allow everything: the agent runs on the owner's
// computer, with the owner's credentials. Requests already waiting for a decision stay a
// host's to decide, except that plan mode denies those it would not have asked about.
func (p *Party) SetPermissionMode(memberID, mode string) error {
	return p.control(memberID, func(by *member) error {
		if p.closed {
			return ErrClosed
		}
		words, ok := modeWords[mode]
		if !ok {
			return fmt.Errorf("%w: the permission mode must be ask, edits, plan or all, not %q", ErrInvalid, oneLine(mode))
		}
		if p.permMode == mode {
			return nil
		}
		if mode == wire.PermissionAll {
			if !by.owner {
				return fmt.Errorf("%w: only the party's owner can allow everything (the agent runs on %s's computer)", ErrNotAllowed, p.ownerName())
			}
			words = fmt.Sprintf(words, p.ownerName())
		}
		p.permMode = mode
		switch r := p.cfg.Runner.(type) {
		case modeSwitcher:
			r.SwitchPermissionMode(mode)
		case modeRunner:
			r.SetPermissionMode(mode)
		}
		text := fmt.Sprintf("%s set tool permissions to %s: %s", by.Name, mode, words)
		if n := len(p.perms); n > 0 && mode != wire.PermissionPlan {
			// They stay a host's to decide: after "without asking" a tester took the one
			// waiting for allowed.
			text += " (" + plural(n, "1 tool request already waiting still needs", fmt.Sprintf("%d tool requests already waiting still need", n)) + " a host's decision)"
		}
		p.emit(act(by, text))
		p.emitSettings()
		if mode == wire.PermissionPlan {
			// "Plan only: nothing is changed" holds for what already waits too: a host
			// could otherwise still allow a Write the party says it would not do.
			for id, pr := range p.perms {
				if !planTools[pr.perm.Tool] {
					_ = p.resolve(id, wire.PermissionDenied, wire.Member{}, planReason)
				}
			}
		}
		return nil
	})
}

// ownerMember is the party's owner as a member (its id empty when no member of the party is
// the owner), for a decision the owner made before a resume (an "always").
func (p *Party) ownerMember() wire.Member {
	for _, m := range p.known {
		if m.owner {
			return m.Member
		}
	}
	return wire.Member{Name: p.hostName}
}

// ownerName is the name of the party's owner, for notices about the owner's computer.
func (p *Party) ownerName() string {
	if p.hostName != "" {
		return p.hostName
	}
	return "the host"
}

// modeWords says what each permission mode lets the agent do, for the notice that a host
// changed it. "That needs permission": Claude Code runs what it holds safe (Read, Glob, a
// Bash `echo`) without asking anyone, and a user tester's "every tool use asks a host" was
// not what they saw.
var modeWords = map[string]string{
	wire.PermissionAsk:   "every tool use that needs permission asks a host",
	wire.PermissionEdits: "file edits are allowed, every other tool use that needs permission asks a host",
	wire.PermissionPlan:  "read-only planning, nothing is changed until a host approves the agent's plan (it comes as a tool request: allow it)",
	wire.PermissionAll:   "the agent may run any command and change any file on %s's computer without asking anyone",
}

func (p *Party) emitSettings() {
	p.emit(wire.Event{Kind: wire.KindSettings, Settings: &wire.Settings{Approval: p.approval, PermissionMode: p.permMode, Workspace: p.wsLevel, Always: p.alwaysList(), Merger: p.merger, ShareError: p.wsFailed}})
}

// alwaysList is the tools allowed for the rest of the party, sorted; [] when none.
func (p *Party) alwaysList() []string {
	tools := make([]string, 0, len(p.always))
	for t := range p.always {
		tools = append(tools, t)
	}
	sort.Strings(tools)
	return tools
}

// Approve sends the waiting batch, with text instead of the merged text when text is set.
func (p *Party) Approve(memberID, batch string, text *string) error {
	return p.control(memberID, func(by *member) error {
		if p.closed {
			return ErrClosed // ending (End): no batch may start
		}
		h, err := p.heldBatch(batch, by)
		if err != nil {
			return err
		}
		sent, editedBy := h.res.Text, wire.Member{}
		note := by.Name + " approved " + h.wordsBy(by)
		// The held text has the leading space that keeps a "/" text a text (wire.AsText): the same
		// text without it ("/approve /compact" in a terminal, which trims) is no edit.
		if text != nil && wire.AsText(*text) != h.res.Text {
			edited := term.Visible(strings.ToValidUTF8(*text, "\uFFFD"))
			if strings.TrimSpace(edited) == "" {
				return fmt.Errorf("%w: the edited prompt is empty", ErrInvalid)
			}
			if len(*text) > wire.MaxPromptBytes {
				return fmt.Errorf("%w: the edited prompt is %d bytes, the limit is %d", ErrTooLarge, len(*text), wire.MaxPromptBytes)
			}
			sent, editedBy = edited, by.Member
			note = by.Name + " edited and sent " + h.wordsBy(by)
		}
		p.held = nil
		how := wire.HeldApproved
		if editedBy.Name != "" {
			how = wire.HeldEdited
		}
		p.heldDecided = &heldDecision{batch: h.id, how: how, by: by.Name, byID: by.ID}
		p.emit(h.about(act(by, note)))
		p.send(h.id, h.prompts, sent, h.res.Merger, editedBy)
		p.heldDone(h)
		return nil
	})
}

// Reject drops the waiting batch; its prompts are not sent and their authors are told.
func (p *Party) Reject(memberID, batch, reason string) error {
	return p.control(memberID, func(by *member) error {
		h, err := p.heldBatch(batch, by)
		if err != nil {
			return err
		}
		p.held = nil
		p.heldDecided = &heldDecision{batch: h.id, how: wire.HeldRejected, by: by.Name, byID: by.ID}
		ids := promptIDs(h.prompts)
		carried := make(map[string]bool, len(ids))
		for _, id := range ids {
			carried[id] = true
		}
		p.dropPending(carried)
		p.emit(wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: h.id, Prompts: ids, By: by.Name, ByMember: by.ID, Reason: reasonLine(reason)}})
		p.heldDone(h)
		p.busy = false
		p.settle()
		return nil
	})
}

// heldDecision is how a batch that waited for approval was decided, and by whom.
type heldDecision struct {
	batch, how string // how: wire.HeldApproved, …
	by, byID   string // the host's name and member id
}

// heldBatch is the batch id that waits for approval, for the host by to decide; the one a
// host decided already is refused with how and by whom (DecidedError).
func (p *Party) heldBatch(id string, by *member) (*heldBatch, error) {
	if d := p.heldDecided; (p.held == nil || p.held.id != id) && d != nil && d.batch == id {
		return nil, &DecidedError{Decided: d.how, By: d.by, You: d.byID == by.ID}
	}
	if p.held == nil || p.held.id != id {
		// Said without the batch's id, which means nothing to a person (a tester's window
		// showed "Batch \"b5\" is not waiting for approval").
		return nil, fmt.Errorf("%w: that merged prompt is no longer waiting for approval: it was sent or rejected, or the host stopped and merged its prompts again", ErrInvalid)
	}
	return p.held, nil
}

// Interrupt stops the running turn; it ends with status interrupted.
func (p *Party) Interrupt(memberID string) error {
	return p.control(memberID, func(by *member) error {
		t := p.turn
		if t == nil && p.held != nil {
			// What a host who wants nothing sent now may mean (a tester's /stop was told
			// only "no turn is running").
			return fmt.Errorf("%w: no turn is running; a prompt waits for a host's approval, and rejecting it keeps it from being sent", ErrInvalid)
		}
		if t == nil && p.phase == wire.PhaseMerging {
			// Not a bare "no turn is running" while the status line says prompts are
			// merging (a tester's, with a Gemini that took 20 s).
			return fmt.Errorf("%w: no turn is running yet: the prompts are being merged, and claude's turn starts once they are (it can be stopped then)", ErrInvalid)
		}
		if t == nil {
			return fmt.Errorf("%w: no turn is running", ErrInvalid)
		}
		if t.stoppedBy == "" {
			t.stoppedBy, t.stoppedByID = by.Name, by.ID
			p.emit(act(by, by.Name+" stopped the turn"))
			t.cancel()
		}
		return nil
	})
}

// SendNow sends the prompts waiting for a batch without waiting for the window or
// --min-prompts (a tester's lone prompt waited for a second one that never came): at once
// when the agent is free, or as soon as it is (an agent command a host queued still goes
// first). Approval still applies to the batch. With nothing waiting it is ErrInvalid.
func (p *Party) SendNow(memberID string) error {
	return p.control(memberID, func(by *member) error {
		if p.closed {
			return ErrClosed
		}
		n := len(p.waiting())
		if n == 0 && p.held != nil {
			// Send now was taken for the approval's Send (a tester's).
			return fmt.Errorf("%w: no prompts are waiting to be sent; the merged prompt that waits for approval goes when a host approves it", ErrInvalid)
		}
		if n == 0 && p.phase == wire.PhaseMerging {
			return fmt.Errorf("%w: no prompts are waiting to be sent: those there were are being merged now, and go to claude once they are", ErrInvalid)
		}
		if n == 0 {
			return fmt.Errorf("%w: no prompts are waiting to be sent", ErrInvalid)
		}
		what, it, is, goes, waits := "the waiting prompt", "it", "is", "goes", "waits"
		if n > 1 {
			what, it, is, goes, waits = fmt.Sprintf("the %d waiting prompts", n), "they", "are", "go", "wait"
		}
		text := fmt.Sprintf("%s sent %s without waiting for more", by.Name, what)
		switch {
		case p.held != nil:
			// Not "once the agent is free": the merged prompt waiting for approval holds
			// the pipeline (a tester's).
			text += fmt.Sprintf("; %s %s next, once the merged prompt waiting for approval is sent or rejected", it, goes)
		case p.busy && p.approval:
			text += fmt.Sprintf("; once the agent is free and %s %s merged, %s %s for a host's approval", it, is, it, waits)
		case p.busy:
			text += fmt.Sprintf("; %s %s to the agent as soon as it is free", it, goes)
		case p.approval:
			text += fmt.Sprintf("; once merged, %s %s for a host's approval", it, waits)
		}
		p.sendNow = true // the loop's schedule, after this op, cuts the batch
		p.emit(act(by, text))
		return nil
	})
}

// Decide answers a tool request: allow, deny (reason goes to the agent) or always.
func (p *Party) Decide(memberID, permission, decision, reason string) error {
	return p.control(memberID, func(by *member) error { return p.decide(by, permission, decision, reason) })
}

// RevokeAlways makes tool ask again: it undoes a Party.decide "always". A tool that is not
// always allowed is ErrInvalid.
func (p *Party) RevokeAlways(memberID, tool string) error {
	return p.control(memberID, func(by *member) error {
		if _, ok := p.always[tool]; !ok {
			if len(p.always) == 0 {
				return fmt.Errorf("%w: no tool is always allowed", ErrInvalid)
			}
			return fmt.Errorf("%w: %q is not always allowed (these are: %s)", ErrInvalid, oneLine(tool), strings.Join(p.alwaysList(), ", "))
		}
		delete(p.always, tool)
		p.emitSettings() // first: a resume takes the list from it, so the notice never says more than the journal
		p.emit(act(by, fmt.Sprintf("%s made %s ask again: it is no longer always allowed", by.Name, tool)))
		return nil
	})
}

// SetRole makes a member a host (co-host), participant or viewer. The owner's role
// cannot change, and the last host connected cannot step down: nobody would be left to
// decide tool requests and approvals, nor to give the role back.
func (p *Party) SetRole(memberID, target, role string) error {
	return p.control(memberID, func(by *member) error {
		switch role {
		case wire.RoleHost, wire.RoleParticipant, wire.RoleViewer:
		default:
			return fmt.Errorf("%w: role must be host, participant or viewer, not %q", ErrInvalid, role)
		}
		m, ok := p.known[target]
		switch {
		case !ok:
			return fmt.Errorf("%w: no member %q", ErrInvalid, target)
		case m.owner:
			return fmt.Errorf("%w: the party's owner is always its host", ErrInvalid)
		case m.Role == role:
			return nil
		case m == by && role != wire.RoleHost && !p.otherHostConnected(by):
			return fmt.Errorf("%w: you are the only host connected; make someone else a co-host first", ErrInvalid)
		}
		m.Role = role
		p.journalMember(m)
		changed := m.Member
		n := len(p.members)
		p.emit(wire.Event{Kind: wire.KindParticipants, Changed: &changed, Count: &n})
		whom := m.Name
		if m == by {
			whom = "themselves" // a co-host stepping down
		}
		text := fmt.Sprintf("%s made %s %s", by.Name, whom, roleWords(role))
		if role == wire.RoleViewer {
			// What it asked as a participant stays asked (nothing a member sent is dropped
			// unsaid), and is said: a tester's demoted member read "1 prompt of yours
			// waiting" and nobody was told it would still be sent.
			switch n := p.waitingOf(m); n {
			case 0:
			case 1:
				text += fmt.Sprintf(" (%s's waiting prompt is still sent, unless %s or a host withdraws it)", m.Name, m.Name)
			default:
				text += fmt.Sprintf(" (%s's %d waiting prompts are still sent, unless %s or a host withdraws them)", m.Name, n, m.Name)
			}
		}
		ev := act(by, text)
		if m != by {
			ev.About, ev.AboutMember = m.Name, m.ID
		}
		p.emit(ev)
		if role == wire.RoleHost {
			p.tellEditorsTo(m)
		} else {
			p.stopEditing(m.ID)
		}
		return nil
	})
}

// otherHostConnected reports whether a host other than m is in the party now.
func (p *Party) otherHostConnected(m *member) bool {
	for _, o := range p.members {
		if o != m && o.Role == wire.RoleHost {
			return true
		}
	}
	return false
}

func roleWords(role string) string {
	switch role {
	case wire.RoleHost:
		return "a co-host" // the party's owner is its host
	case wire.RoleViewer:
		return "a viewer"
	}
	return "a participant"
}

// Kick removes a member: its connection closes with 4001 "kicked" and its session dies.
func (p *Party) Kick(memberID, target, reason string) error {
	return p.control(memberID, func(by *member) error {
		m, ok := p.known[target]
		switch {
		case !ok:
			return fmt.Errorf("%w: no member %q", ErrInvalid, target)
		case m.owner:
			return fmt.Errorf("%w: the party's owner cannot be removed", ErrInvalid)
		case m == by:
			return fmt.Errorf("%w: you cannot remove yourself; leave instead", ErrInvalid)
		}
		p.journalKicked(m, by.Name) // its session stays dead after a resume
		delete(p.known, m.ID)
		delete(p.sessions, m.session)
		if m.session != "" {
			p.removed[m.session] = by.Name // its hello is told so
		}
		if m.clientID != "" && p.byClient[m.clientID] == m {
			delete(p.byClient, m.clientID)
		}
		if m.clientID != "" && m.Role == wire.RoleViewer {
			p.viewersOut[m.clientID] = true
		}
		text := fmt.Sprintf("%s removed %s from the party", by.Name, m.Name)
		if r := reasonLine(reason); r != "" {
			text += ": " + r
		}
		// What they asked and no batch has taken goes with them: a prompt of someone
		// removed is not sent on their behalf later. Said here too, for clients that do
		// not know withdrawn events.
		switch n := p.waitingOf(m); n {
		case 0:
		case 1:
			text += fmt.Sprintf(" (%s's waiting prompt is withdrawn)", m.Name)
		default:
			text += fmt.Sprintf(" (%s's %d waiting prompts are withdrawn)", m.Name, n)
		}
		if p.held != nil && slices.ContainsFunc(p.held.prompts, func(pr wire.Prompt) bool { return pr.Member == m.ID }) {
			// Already merged, it stays (PROTOCOL.md, Party.kick); said, or a host sent it by
			// reflex, the card still naming its author (a user tester's).
			if len(p.held.prompts) == 1 {
				text += fmt.Sprintf("; %s's prompt that waits for approval stays: a host can reject it", m.Name)
			} else {
				text += fmt.Sprintf("; %s's prompt in the merged prompt that waits for approval stays in it: a host can reject it, or edit it out", m.Name)
			}
		}
		ev := act(by, text)
		ev.About, ev.AboutMember = m.Name, m.ID
		p.emit(ev)
		p.withdrawAllOf(m, by)
		if _, live := p.members[m.ID]; live {
			delete(p.members, m.ID)
			if m.sub != nil {
				m.sub.Close(wire.ReasonKicked)
			}
			m.sub, m.conn = nil, nil
		}
		p.stopEditing(m.ID)
		// Also for a member who was away (count unchanged): it may no longer come back,
		// and every client that listed it as away must hear so.
		left := m.Member
		n := len(p.members)
		p.emit(wire.Event{Kind: wire.KindParticipants, Left: &left, Count: &n, Why: wire.WhyKicked})
		return nil
	})
}

// RotatedNotice ends the system event of a rotation, after the name of the host who made
// the new invites (a terminal that sees another host's tells its host where they are).
// Not "no longer work": members away come back with them all the same (their session), and
// a window tester's away member, told so, would have looked for a link it did not need.
const RotatedNotice = " made new invites; the earlier links let nobody new in"

// rotatedNoticeBefore is RotatedNotice before 2026-12-06, in the journals of then.
const rotatedNoticeBefore = " made new invites; the earlier links no longer work"

// RotatedBy says whether text is the system event of a rotation (RotatedNotice, of now or
// before), and by whom.
func RotatedBy(text string) (by string, ok bool) {
	if by, ok := strings.CutSuffix(text, RotatedNotice); ok {
		return by, true
	}
	if by, ok := strings.CutSuffix(text, rotatedNoticeBefore); ok {
		return by, true
	}
	return "", false
}

// RotateInvite replaces both invite tokens: old links stop working, connected members stay
// and members rejoin with their sessions.
func (p *Party) RotateInvite(memberID string) (wire.Invites, error) {
	var inv wire.Invites
	err := p.control(memberID, func(by *member) error {
		tokens := journal.Tokens{Participant: newToken(), Viewer: newToken()}
		if p.tokens.Host != "" {
			tokens.Host = newToken()
		}
		if p.cfg.Journal != nil {
			// Kept before anyone is told: a party resumed after a crash must refuse the
			// links this revoked (kick, then rotate, keeps someone out for good). A
			// journal that is behind writes them in their place once it can, and until
			// then the party cannot be resumed at all.
			err := p.cfg.Journal.Invites(tokens)
			if err != nil && p.journalErr == nil {
				err = fmt.Errorf("keep the new invites: %w", err)
			}
			p.journaled(err)
		}
		p.tokens = tokens
		inv = p.invites()
		if p.cfg.Rotate != nil {
			inv = p.cfg.Rotate(tokens)
		}
		p.emit(act(by, by.Name+RotatedNotice))
		return nil
	})
	return inv, err
}

// Invites are the current invites (a host: a co-host's /invite and viewer link), unchanged.
func (p *Party) Invites(memberID string) (wire.Invites, error) {
	var inv wire.Invites
	err := p.control(memberID, func(*member) error {
		inv = p.invites()
		if p.cfg.Invites != nil {
			inv = p.cfg.Invites(p.tokens)
		}
		return nil
	})
	return inv, err
}

// invites are the bare tokens as invites (a party with no Config.Invites). Loop-owned.
func (p *Party) invites() wire.Invites {
	return wire.Invites{Invite: p.tokens.Participant, ViewerInvite: p.tokens.Viewer, HostInvite: p.tokens.Host}
}

// AgentCommand queues an agent slash command (e.g. "/compact"); it runs when the agent is
// next idle, before any batch.
func (p *Party) AgentCommand(memberID, command string) error {
	command = strings.TrimSpace(command)
	return p.control(memberID, func(by *member) error {
		switch {
		case !strings.HasPrefix(command, "/") || len(command) < 2:
			return fmt.Errorf("%w: an agent command starts with / (for example /compact)", ErrInvalid)
		case strings.ContainsAny(command, "\r\n") || !utf8.ValidString(command) || term.Line(command) != command || term.Visible(command) != command:
			// Nothing in it that draws nothing: it goes to the model (/compact's
			// instructions), and a co-host could hide text there (a code reviewer's).
			return fmt.Errorf("%w: an agent command is one line of printable text", ErrInvalid)
		case len(command) > 4096:
			return fmt.Errorf("%w: an agent command is at most 4096 bytes", ErrInvalid)
		}
		p.commands = append(p.commands, agentCommand{by: by.Name, byID: by.ID, text: command})
		if p.busy {
			p.emit(act(by, fmt.Sprintf("%s queued the agent command %s; it runs when the agent is free", by.Name, command)))
		}
		return nil
	})
}
