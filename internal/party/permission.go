package party

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// permRequest is a tool request waiting for a host's decision.
type permRequest struct {
	perm  wire.Permission
	reply chan ToolDecision // buffered: the decision is sent once
	timer *time.Timer
	// full is the request's detail as the agent gave it when perm.Detail does not show it
	// (shownDetail, a credential blanked out), and fullSummary its summary when
	// perm.Summary does not: for the party's owner alone (Local.OwnerView).
	full, fullSummary string
	// uncovered: an "always" for its tool does not cover it (alwaysCovers): given for
	// another request, it leaves this one waiting.
	uncovered bool
}

// ask runs on the agent's side: it opens a permission request on the loop and waits for
// the decision, the timeout, or ctx's end, which denies it: the end of the turn (turn, the
// turn's context, is done too), or claude stopping while it asked (a crash; the turn goes
// on, claude restarted: a tester read "the turn ended before a decision" just after
// "retrying the batch").
func (p *Party) ask(ctx, turn context.Context, batchID string, req ToolRequest) ToolDecision {
	reply := make(chan ToolDecision, 1)
	var id string
	err := p.do(func() { id = p.openPermission(batchID, req, reply) })
	if req.Registered != nil {
		req.Registered() // waiting (or answered): the agent's next request may come
	}
	if err != nil {
		return ToolDecision{Message: "The party has ended."}
	}
	select {
	case d := <-reply:
		return d
	case <-ctx.Done():
		why := TurnEnded
		if turn.Err() == nil {
			why = stoppedAsking
		}
		p.post(func() { p.resolve(id, wire.PermissionDenied, wire.Member{}, why) })
		return ToolDecision{Message: StoppedBeforeADecision}
	}
}

// StoppedBeforeADecision is what the agent is told of a request the turn's end (or claude's)
// left undecided. A host's agent from before 2026-12-07 wrote it as a result marked
// "(denied)"; clients still read that as a cancellation (transcript.IsCancelledResult).
const StoppedBeforeADecision = "The turn was stopped before anyone decided."

// stoppedAsking is the reason of a request claude stopped asking: it crashed, the turn
// goes on with claude restarted, and the batch's run again asks anew. Nobody denied it: it
// is not counted in the turn's denied (a window tester's "2 tool requests denied" after
// denying one, the other in the run the crash discarded).
const stoppedAsking = "claude stopped before anyone decided"

// planTools are the tools a party in plan mode may still be asked about: Claude Code's
// read-only ones and its plan (ExitPlanMode). Any other — a file edit, a shell command
// (sed -i, rm), an MCP tool that may write — is denied without asking anyone, whatever is
// always allowed. (Claude Code writes its own plan file without asking.)
var planTools = map[string]bool{
	"Read": true, "Glob": true, "Grep": true, "LS": true, "NotebookRead": true,
	"WebFetch": true, "WebSearch": true, "TodoWrite": true, "Task": true, "BashOutput": true,
	"ListMcpResourcesTool": true, "ReadMcpResourceTool": true, "AskUserQuestion": true,
	ExitPlanTool: true,
}

// shownDetail is what a request's event may say of what it would do (wire.Permission.
// Detail), which every member reads: an edit's text is the folder's content, so it is
// shown only as far as the party shares files — not when it shares none, never for a file
// that usually holds secrets (a reviewer: a Write of .env went to every viewer), nor for
// a file it never shares, as a result's text (fileOutput; a tester's Write outside the
// working directory showed its whole text, while its result line said it was not shared).
func (p *Party) shownDetail(req ToolRequest) string {
	if req.Detail == "" || !editTools[req.Tool] {
		return req.Detail
	}
	switch {
	case editsSecret(req):
		return "(its text is not shown: this file usually holds secrets)"
	case credential.Shaped(req.Detail):
		// A file named as no secret is, written with one: a private key, a token (a
		// security reviewer's ssh-keygen -f deploy_key).
		return "(its text is not shown: it holds what looks like a credential)"
	case p.wsLevel == wire.WorkspaceOff:
		return "(its text is not shown: the party shares no files of the working directory)"
	case req.unshared:
		return "(its text is not shown: the party does not share this file)"
	case req.unchecked:
		// Not "does not share this file": whether it does was not asked (a reviewer).
		return "(its text is not shown: the tool permissions changed while it was asked)"
	}
	return req.Detail
}

// fileOutput is output that is one file's text (TurnIO.FileOut): sent as far as the party
// shares that file, as shownDetail shows an edit's text — its result line says why not,
// its text goes nowhere (a reviewer's Read of .env went to every viewer, unasked: Claude
// Code reads the working directory without asking). shared is the workspace's answer for
// the file (Workspace.Shares). Runs on the loop.
func (p *Party) fileOutput(stream, text, file string, shared bool) {
	why := ""
	secret := workspace.IsSecret(strings.ReplaceAll(file, "\\", "/"))
	switch {
	case file == workspace.Environment:
		// Never the folder's, whatever it shares: the host's keys and tokens.
		why = "its text is not shown: it may show keys, tokens or the host's environment variables"
	case file == workspace.Credential:
		// Said as its diff is (a reviewer read "environment variables" of a Read of a key).
		why = "its text is not shown: it holds what looks like a credential"
	case p.wsLevel == wire.WorkspaceOff:
		why = "its text is not shown: the party shares no files of the working directory"
	case p.wsLevel != wire.WorkspaceTree && secret:
		why = secretNotShown
	case !shared:
		// Outside the folder, ignored, or through a link: never the party's (a reviewer's).
		why = "its text is not shown: the party does not share this file"
	}
	if why != "" {
		if stream != wire.StreamTool {
			return
		}
		indent := text[:len(text)-len(strings.TrimLeft(text, " "))] // a subagent's line
		if strings.HasPrefix(text[len(indent):], "-> (error) ") {
			// The tool failed (a Write of .env not read first, a Read a host denied): said,
			// or a tester's host took .env for overwritten. Its message stays hidden with
			// the file's text: an Edit's error quotes the text it looked for.
			why = "error; " + why
		}
		text = indent + "-> (" + why + ")"
	} else if secret {
		// Shown because the party shares the whole folder: marked, in events of its own,
		// for a replay once the sharing is narrower to leave out (treeOnlyHidden).
		p.flushOutput()
		p.outTreeOnly = true
		p.output(stream, text)
		p.flushOutput()
		p.outTreeOnly = false
		return
	}
	p.output(stream, text)
}

// secretNotShown is the result line's reason when a file that usually holds credentials
// is not shown.
const secretNotShown = "its text is not shown: this file usually holds secrets"

// editsSecret says whether request req edits a file that usually holds credentials, by
// the path the agent gave (a reviewer's: a Summary cut at 200 characters, or with
// Windows' separators, hid ".env" from the check), else by its Summary.
func editsSecret(req ToolRequest) bool {
	p := req.FilePath
	if p == "" {
		p = req.Summary
	}
	return workspace.IsSecret(strings.ReplaceAll(p, "\\", "/"))
}

// editTools are the tools with which Claude Code edits files: what "edits" allows without
// asking, inside the working directory (ToolRequest.InWorkDir).
var editTools = map[string]bool{"Edit": true, "MultiEdit": true, "Write": true, "NotebookEdit": true}

// ExitPlanTool is the tool with which the agent presents its plan and asks to leave plan
// mode: allowed, the agent works on (and asks for each tool again). A plan is approved one
// at a time: "always" is never offered or kept for it.
const ExitPlanTool = "ExitPlanMode"

// planReason is the reason of a permission event that plan mode denied.
const planReason = "plan mode: nothing is changed"

// planDenial is what the agent is told when plan mode denies a file edit.
const planDenial = "The party is in plan mode: nothing may be changed, and only read-only tools may be used. Present your plan with ExitPlanMode; a host who approves it lets you go on."

// openPermission answers at once when the mode or an "always" allows the tool, or plan
// mode forbids it, and otherwise emits a pending permission event and starts its timeout.
// It returns the id ("" when answered at once).
func (p *Party) openPermission(batchID string, req ToolRequest, reply chan ToolDecision) string {
	if p.permMode == wire.PermissionPlan && !planTools[req.Tool] {
		// "Plan only: nothing is changed" (a tester allowed a Write in plan mode, and the
		// file was written; a reviewer pointed at Bash and MCP tools). Everyone sees the
		// attempt and its denial; no host is asked, and an "always" does not override it.
		perm := wire.Permission{
			ID: p.newID("t"), Tool: oneLine(req.Tool), Summary: redacted(oneLine(req.Summary)),
			Batch: batchID, Status: wire.PermissionDenied, Reason: planReason,
		}
		if t := p.turn; t != nil && t.batch == batchID {
			t.denied++
		}
		p.emit(wire.Event{Kind: wire.KindPermission, Permission: &perm})
		reply <- ToolDecision{Message: planDenial}
		return ""
	}
	if p.allowsItself(req) {
		if p.alwaysAllows(req) {
			// Said as the owner's "always" was (a tester found no word of a request that
			// it allowed, in the terminals or in the export's record of who allowed what).
			// The mode's own allowances ("all", "edits") are not said: nothing was asked.
			perm := wire.Permission{
				ID: p.newID("t"), Tool: oneLine(req.Tool), Summary: redacted(oneLine(req.Summary)),
				Batch: batchID, Status: wire.PermissionAllowed, Reason: wire.AlwaysReason(oneLine(req.Tool)),
			}
			by := p.always[req.Tool]
			if by.Name == "" {
				by = p.ownerMember() // allowed for good before a resume: only the owner can
			}
			perm.By, perm.ByMember = by.Name, by.ID
			p.emit(wire.Event{Kind: wire.KindPermission, Permission: &perm})
		}
		reply <- ToolDecision{Allow: true}
		return ""
	}
	expires := p.cfg.Now().Add(p.cfg.PermissionTimeout).UTC()
	pr := &permRequest{
		perm: wire.Permission{
			ID: p.newID("t"), Tool: oneLine(req.Tool), Summary: redacted(oneLine(req.Summary)), Detail: redacted(p.shownDetail(req)),
			Batch: batchID, Status: wire.PermissionPending, Expires: &expires,
			Uncovered: !alwaysCovers(req) && req.Tool != ExitPlanTool,
		},
		reply:     reply,
		uncovered: !alwaysCovers(req),
	}
	if pr.perm.Detail != req.Detail {
		pr.full = req.Detail
	}
	if s := oneLine(req.Summary); pr.perm.Summary != s {
		pr.fullSummary = s
	}
	id := pr.perm.ID
	pr.timer = time.AfterFunc(p.cfg.PermissionTimeout, func() {
		p.post(func() {
			p.resolve(id, wire.PermissionTimedOut, wire.Member{}, fmt.Sprintf("no decision within %s", p.cfg.PermissionTimeout))
		})
	})
	p.perms[id] = pr
	if t := p.turn; t != nil && t.silentTimer != nil {
		t.silentTimer.Stop() // waiting for a person is not silence
	}
	perm := pr.perm
	p.emit(wire.Event{Kind: wire.KindPermission, Permission: &perm})
	if p.turn != nil {
		p.setPhase(wire.PhaseAwaitingPermission)
	}
	return id
}

// redacted is s with the credentials it shows blanked out (credential.Redact): a request's
// summary and detail go to every member, and a command may carry a token (a reviewer's).
func redacted(s string) string {
	s, _ = credential.Redact(s)
	return s
}

// allowsItself says whether the party allows a request without asking anyone (plan
// mode's denials aside). Runs on the loop.
func (p *Party) allowsItself(req ToolRequest) bool {
	return p.modeAllows(req) || p.alwaysAllows(req)
}

// modeAllows says whether the permission mode allows a request by itself. Runs on the loop.
func (p *Party) modeAllows(req ToolRequest) bool {
	if p.permMode == wire.PermissionEdits && editTools[req.Tool] && req.InWorkDir && !editsSecret(req) {
		// "File edits are allowed": the party allows them itself, the agent running in
		// Claude Code's default mode, which asks about everything else (its acceptEdits
		// would also run rm and mv unasked: a tester's). Not an edit of a file that usually
		// holds credentials (.env, a key): that asks, as the party shows nobody its changes
		// (a tester's agent wrote .env and id_rsa with no one the wiser).
		return true
	}
	return p.permMode == wire.PermissionAll
}

// alwaysAllows says whether only the owner's "always" for the tool allows a request, which
// the mode would put to a host. A plan is always a host's to approve: an "always" never
// lets one through. Runs on the loop.
func (p *Party) alwaysAllows(req ToolRequest) bool {
	_, always := p.always[req.Tool]
	return !p.modeAllows(req) && always && alwaysCovers(req)
}

// alwaysCovers says whether an "always" for req's tool covers req. Not a plan; nor a Read
// of a file that usually holds credentials: it asks because the party asks Claude Code to
// (agent's secret ask rules), and an "always" for Read given for another file let every
// later one through unasked (a reviewer's); nor an edit that the "edits" mode puts to a
// host: outside the folder, in its protected folders and files (git hooks, CI, CLAUDE.md:
// they run by themselves later) or of a secret. A tester's "always" for Write, given for
// one file, let the agent write .git/hooks/pre-commit unasked, where no list shows it.
func alwaysCovers(req ToolRequest) bool {
	switch {
	case req.Tool == ExitPlanTool:
		return false
	case readTools[req.Tool] && editsSecret(req):
		return false
	case editTools[req.Tool] && (!req.InWorkDir || editsSecret(req)):
		return false
	case req.ReadsSecret:
		// A shell command that reads a secret asks as a Read of it does: a reviewer's
		// "always" for Bash, given for a harmless command, let `cat .env` through.
		return false
	}
	return true
}

// readTools are the tools that read one file, whose Read of a secret asks even when the
// tool is always allowed.
var readTools = map[string]bool{"Read": true, "NotebookRead": true}

// EditTool says whether tool edits one file (Edit, MultiEdit, Write, NotebookEdit): the
// "edits" mode allows it in the folder, and an "always" for it covers no more than that.
func EditTool(tool string) bool { return editTools[tool] }

// ReadTool says whether tool reads one file (Read, NotebookRead): an "always" for it does
// not cover a file that usually holds credentials.
func ReadTool(tool string) bool { return readTools[tool] }

// showsEditText says whether a request would be put to a host with its text shown as
// far as the party shares its file (shownDetail): only then does the agent's Ask hook
// ask Workspace.Shares, a git run (a reviewer: every edit of a party that allows edits
// itself ran one). Runs on the loop.
func (p *Party) showsEditText(req ToolRequest) bool {
	if p.permMode == wire.PermissionPlan && !planTools[req.Tool] || p.allowsItself(req) {
		return false
	}
	return p.wsLevel != wire.WorkspaceOff && !editsSecret(req)
}

// resolve decides a pending request: status is allowed, denied or timed_out. It emits the
// decision and answers the agent. An unknown or decided id gives ErrInvalid.
func (p *Party) resolve(id, status string, by wire.Member, reason string) error {
	pr, ok := p.perms[id]
	if !ok {
		return fmt.Errorf("%w: no tool request %q is waiting for a decision", ErrInvalid, id)
	}
	delete(p.perms, id)
	pr.timer.Stop()
	perm := pr.perm
	// The decision names the request; its detail was in the pending event (the history
	// need not hold a Write's text twice).
	perm.Status, perm.By, perm.ByMember, perm.Reason, perm.Expires, perm.Detail, perm.Uncovered = status, by.Name, by.ID, reason, nil, "", false
	d := ToolDecision{Allow: status == wire.PermissionAllowed}
	switch status {
	case wire.PermissionDenied:
		d.Message = "The host denied this tool use."
		if by.Name != "" {
			d.Message = by.Name + " (a host of this party) denied this tool use."
		}
		if reason != "" {
			d.Message += " Reason: " + reason
		}
	case wire.PermissionTimedOut:
		d.Message = "Nobody decided on this tool use in time (" + reason + "), so it was denied. Do not retry it unless asked."
	}
	if !d.Allow && !(by.Name == "" && reason == stoppedAsking) {
		if t := p.turn; t != nil && t.batch == perm.Batch {
			t.denied++
		}
	}
	p.emit(wire.Event{Kind: wire.KindPermission, Permission: &perm})
	if d.Allow && perm.Tool == ExitPlanTool && p.permMode == wire.PermissionPlan {
		p.leavePlan(by)
	}
	pr.reply <- d
	if t := p.turn; t != nil && len(p.perms) == 0 {
		t.lastActive = p.cfg.Now()
		p.armSilence(t, p.cfg.TurnTimeout)
		p.setPhase(wire.PhaseRunning)
	}
	return nil
}

// TurnEnded is the reason of a request the turn's end left undecided (`denied` with no
// `by`, PROTOCOL.md §7): nobody refused it, and clients say it was cancelled. It is the
// one such request counted in the turn's `denied`.
const TurnEnded = "the turn ended before a decision"

// closePermissions denies what a finished turn left undecided.
func (p *Party) closePermissions(batchID string) {
	for id, pr := range p.perms {
		if pr.perm.Batch == batchID {
			_ = p.resolve(id, wire.PermissionDenied, wire.Member{}, TurnEnded)
		}
	}
}

// decide applies a host's decision (Party.decide).
func (p *Party) decide(by *member, id, decision, reason string) error {
	reason = reasonLine(reason)
	switch decision {
	case wire.DecisionAllow:
		return p.resolve(id, wire.PermissionAllowed, by.Member, "")
	case wire.DecisionDeny:
		return p.resolve(id, wire.PermissionDenied, by.Member, reason)
	case wire.DecisionAlways:
		pr, ok := p.perms[id]
		if !ok {
			return fmt.Errorf("%w: no tool request %q is waiting for a decision", ErrInvalid, id)
		}
		tool := pr.perm.Tool
		if tool == ExitPlanTool {
			// A plan is always a host's to approve, one at a time: "always" approves this
			// one only, and is not kept (a tester saw ExitPlanMode listed as always allowed).
			return p.resolve(id, wire.PermissionAllowed, by.Member, "")
		}
		if _, already := p.always[tool]; already {
			// It asked though its tool is always allowed (a Read of a file that usually
			// holds secrets asks every time): "always" cannot cover it, and is not said to
			// (a tester's record read "always allow Read" twice, the next Read asking
			// again). Allowed once, as it is.
			return p.resolve(id, wire.PermissionAllowed, by.Member, "")
		}
		if !by.owner {
			// A tool allowed for good is a standing permission on the owner's computer, as
			// the "all" mode is: an "always" Bash is every shell command unasked (a
			// reviewer's). A co-host allows one request at a time.
			return fmt.Errorf("%w: only the party's owner can allow %s for the rest of the party (the agent runs on %s's computer); allow this one request instead", ErrNotAllowed, tool, p.ownerName())
		}
		p.always[tool] = by.Member
		err := p.resolve(id, wire.PermissionAllowed, by.Member, wire.AlwaysReason(tool))
		// Requests for the same tool that are already waiting are allowed too, those it
		// covers.
		for oid, o := range p.perms {
			if o.perm.Tool == tool && !o.uncovered {
				_ = p.resolve(oid, wire.PermissionAllowed, by.Member, wire.AlwaysReason(tool))
			}
		}
		p.emitSettings() // everyone sees what is always allowed, and a host can revoke it
		return err
	}
	return fmt.Errorf("%w: decision must be allow, deny or always, not %q", ErrInvalid, decision)
}

// leavePlan follows the agent out of plan mode once its plan (ExitPlanMode) was allowed:
// from then on it asks before each tool use, so the party says so, shows the mode as
// "ask", and stops denying edits.
func (p *Party) leavePlan(by wire.Member) {
	who := "a host"
	if by.Name != "" {
		who = by.Name
	}
	p.permMode = wire.PermissionAsk
	if r, ok := p.cfg.Runner.(modeRunner); ok {
		r.SetPermissionMode(wire.PermissionAsk) // an agent restarted later starts out of plan mode too
	}
	// Named by member id too, as a host's acts are (act): a client says "you approved" by it.
	p.emit(wire.Event{Kind: wire.KindSystem, Text: who + " approved the agent's plan: the party leaves plan mode, and the agent asks before each tool use", By: by.Name, ByMember: by.ID})
	p.emitSettings()
}

// modeRunner is a Runner told when the party's permission mode changes, for the agents it
// starts from then on. It must not wait: it is called on the party's loop.
type modeRunner interface {
	SetPermissionMode(mode string)
}

// modeSwitcher is a modeRunner that also switches an agent that is running when a host
// sets the mode (Party.SetPermissionMode), from its next tool request on. It must not
// wait either: the switch itself happens in the background, and a switch that fails is
// the runner's to report (and to make good at the agent's next start).
type modeSwitcher interface {
	modeRunner
	SwitchPermissionMode(mode string)
}
