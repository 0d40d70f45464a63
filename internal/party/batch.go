package party

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

type pendingPrompt struct {
	prompt   wire.Prompt // prompt.Member is its author's id ("" in a journal from before it)
	at       time.Time
	addr     string // its author's remote address when it came ("" from this process or a journal)
	inFlight bool   // taken into the batch being merged or held; still pending until the agent has it
}

// heldBatch is a merged batch waiting for a host's approval.
type heldBatch struct {
	id      string
	prompts []wire.Prompt
	res     merge.Result
	editors []string // the hosts' member ids that have an editor open on it (editing.go)
}

// words names the held batch in a notice: "the merged prompt", or "bob's prompt" for one
// prompt, which is not merged (a tester's).
func (h *heldBatch) words() string { return h.wordsBy(nil) }

// wordsBy is words as said of by's act on it: a host's own prompt is "their own prompt"
// ("hazel edited and sent hazel's prompt" read oddly: a window tester's).
func (h *heldBatch) wordsBy(by *member) string {
	if len(h.prompts) == 1 {
		if p := h.prompts[0]; by != nil && (p.Member != "" && p.Member == by.ID || p.Member == "" && p.User == by.Name) {
			return "their own prompt"
		}
		return oneLine(h.prompts[0].User) + "'s prompt"
	}
	return "the merged prompt"
}

// agentCommand is a host's agent slash command waiting for the agent to be idle.
type agentCommand struct {
	by, byID, text string // byID: by's member id ("" in a journal from before it was kept)
}

// FailedNoteNotice is said of the first batch after a failed turn, which goes with a note
// (wire.Batch.Sent): in plain words, for someone new to it (a tester's read "claude still
// holds the request that failed; it is told so, and to do only what this batch asks").
const FailedNoteNotice = "claude still remembers the request that failed, so what is sent now tells it to drop that request and do only what is asked now"

// act is the system event of a member's act, its text starting with by's name: it names
// by by member id too (wire.Event.SaidTo), so that a client says "you" of its own acts by
// id, never by name.
func act(by *member, text string) wire.Event {
	return wire.Event{Kind: wire.KindSystem, Text: text, By: by.Name, ByMember: by.ID}
}

// about is ev, the notice of an act on h, naming the author of h's one prompt as the
// member the act is on ("hana edited and sent alice's prompt"); ev as it is for a merged
// prompt, a host's own prompt, or no batch (nil).
func (h *heldBatch) about(ev wire.Event) wire.Event {
	if h == nil || len(h.prompts) != 1 {
		return ev
	}
	if pr := h.prompts[0]; pr.Member != "" && pr.Member != ev.ByMember {
		ev.About, ev.AboutMember = oneLine(pr.User), pr.Member
	}
	return ev
}

// runningTurn is the batch on the agent.
type runningTurn struct {
	batch       string
	command     bool               // an agent command (/compact), not a batch of prompts
	failedNote  string             // the error whose note this batch carried (afterFailure), "" for none
	cancel      context.CancelFunc // stops the turn (Party.interrupt, the turn timeout)
	stoppedBy   string             // who stopped it ("" = nobody yet)
	stoppedByID string             // the member id of the host who stopped it, "" for none
	byEnd       bool               // the party's end stopped it (End): it ends wire.TurnPartyEnded
	denied      int                // tool requests denied or timed out in this turn
	lastActive  time.Time          // output or a decision; for the turn timeout
	silentTimer *time.Timer
	started     time.Time   // when the turn started (alive.go)
	aliveAt     time.Time   // its last alive record ("": none yet)
	aliveTimer  *time.Timer // looks whether the journal has been quiet (alive.go)
}

// Prompt takes a prompt from a member.
func (p *Party) Prompt(memberID, text string) (wire.PromptResult, error) {
	var res wire.PromptResult
	var err error
	if derr := p.do(func() { res, err = p.prompt(memberID, text) }); derr != nil {
		return res, derr
	}
	return res, err
}

// errViewerPrompt is a viewer's Party.prompt's answer.
var errViewerPrompt = fmt.Errorf("%w: viewers watch the party and cannot send prompts", ErrNotAllowed)

// IsViewer says whether the member watches only (Party.prompt answers -32002, §7).
func (p *Party) IsViewer(memberID string) bool {
	var viewer bool
	_ = p.do(func() {
		m, ok := p.members[memberID]
		viewer = ok && m.Role == wire.RoleViewer
	})
	return viewer
}

func (p *Party) prompt(memberID, text string) (wire.PromptResult, error) {
	if p.closed {
		return wire.PromptResult{}, ErrClosed // ending (End): nothing would run it
	}
	m, ok := p.members[memberID]
	if !ok {
		return wire.PromptResult{}, ErrNotMember
	}
	if m.Role == wire.RoleViewer {
		return wire.PromptResult{}, errViewerPrompt
	}
	if len(text) > wire.MaxPromptBytes {
		return wire.PromptResult{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(text), wire.MaxPromptBytes)
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	// What everyone sees is what the agent gets: nothing a reader cannot see (a
	// reviewer's instruction in Unicode tag characters, under an approved prompt).
	visible := term.Visible(text)
	switch {
	case strings.TrimSpace(visible) != "":
	case strings.TrimSpace(text) != "":
		// Said as such: "empty prompt" of a box that shows something (an RLO, a tag
		// character's tofu) left a tester guessing.
		return wire.PromptResult{}, fmt.Errorf("%w: it holds only characters that show nothing", ErrEmptyPrompt)
	default:
		return wire.PromptResult{}, ErrEmptyPrompt
	}
	text = visible
	now := p.cfg.Now()
	if !m.take(now, p.cfg.PromptBurst, p.cfg.PromptEvery) {
		return wire.PromptResult{}, &RateLimitError{Limit: wire.LimitBurst, RetryAfter: m.untilToken(p.cfg.PromptEvery),
			Why: fmt.Sprintf("at most %d "+BurstWords+", then one per %s", p.cfg.PromptBurst, p.cfg.PromptEvery)}
	}
	if len(p.pending) >= p.cfg.MaxPending {
		return wire.PromptResult{}, &RateLimitError{Limit: wire.LimitQueue, Why: fmt.Sprintf("%d prompts are already waiting", len(p.pending))}
	}
	if n := p.pendingFrom(m.addr); n >= p.maxPendingFromAddr() {
		// One address holds at most half of the queue: a security tester joined 22 times
		// under other names, each with its own rate, filled the 200 places, and nobody else
		// could prompt until a host rejected the lot.
		return wire.PromptResult{}, &RateLimitError{Limit: wire.LimitQueue,
			Why: fmt.Sprintf("%d prompts from your address are already waiting, at most %d of the party's %d places; the next batch makes room", n, p.maxPendingFromAddr(), p.cfg.MaxPending)}
	}
	if err := p.takePromptBytes(m, len(text), now); err != nil {
		return wire.PromptResult{}, err
	}
	pr := wire.Prompt{ID: p.newID("p"), User: m.Name, Text: text, Member: m.ID}
	p.pending = append(p.pending, pendingPrompt{prompt: pr, at: now, addr: m.addr})
	p.lastPrompt = now
	seq := p.emit(wire.Event{Kind: wire.KindPrompt, Prompt: &pr})
	if !p.busy {
		p.setPhase(wire.PhaseCollecting)
	}
	return wire.PromptResult{ID: pr.ID, Seq: seq}, nil
}

// pendingFrom is how many waiting prompts came from addr; none from this process ("").
func (p *Party) pendingFrom(addr string) int {
	if addr == "" {
		return 0
	}
	n := 0
	for _, pp := range p.pending {
		if pp.addr == addr {
			n++
		}
	}
	return n
}

// maxPendingFromAddr is how many waiting prompts one remote address may have: half of
// MaxPending, so that one machine's members never fill the queue for everyone else.
func (p *Party) maxPendingFromAddr() int { return max(1, p.cfg.MaxPending/2) }

// Withdraw takes back a prompt that still waits for a batch (Party.withdraw, our extension
// of PROTOCOL.md §4): its author may, and any host. A prompt already taken into a batch
// being merged or waiting for approval cannot be withdrawn (a host can reject that batch).
func (p *Party) Withdraw(memberID, promptID string) error {
	var err error
	if derr := p.do(func() { err = p.withdraw(memberID, promptID) }); derr != nil {
		return derr
	}
	return err
}

func (p *Party) withdraw(memberID, promptID string) error {
	if p.closed {
		return ErrClosed
	}
	m, ok := p.members[memberID]
	if !ok {
		return ErrNotMember
	}
	// A viewer may take back its own prompts: sent before a host made it a viewer (a
	// tester's was otherwise sent anyway), they are still its.
	i := slices.IndexFunc(p.pending, func(pp pendingPrompt) bool { return pp.prompt.ID == promptID })
	if i < 0 {
		return fmt.Errorf("%w: that prompt is no longer waiting: a batch took it, or it was rejected or withdrawn", ErrInvalid)
	}
	pp := p.pending[i]
	// By member id only: names are reused (a name is unique among those connected at once),
	// and a prompt from a journal written before ids were kept has none: only hosts then.
	if (pp.prompt.Member == "" || pp.prompt.Member != m.ID) && m.Role != wire.RoleHost {
		return fmt.Errorf("%w: only its author or a host can withdraw a prompt", ErrNotAllowed)
	}
	if pp.inFlight {
		if p.held != nil {
			return fmt.Errorf("%w: that prompt is in the merged prompt waiting for a host's approval: too late to withdraw it (a host can reject it)", ErrInvalid)
		}
		return fmt.Errorf("%w: that prompt is already being merged into a batch: too late to withdraw it", ErrInvalid)
	}
	p.pending = slices.Delete(p.pending, i, i+1)
	p.withdrawn([]wire.Prompt{pp.prompt}, m)
	return nil
}

// withdrawn tells the party that prompts, already out of pending, were taken back by by,
// and settles the pipeline as it now stands.
func (p *Party) withdrawn(prompts []wire.Prompt, by *member) {
	for _, pr := range prompts {
		p.emit(wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: pr.ID, User: pr.User, By: by.Name, ByMember: by.ID}})
	}
	if len(p.waiting()) == 0 {
		// A host's SendNow was for the prompts that waited: none is left, and a prompt that
		// comes later waits for --min-prompts again (a reviewer's came alone after a turn).
		p.sendNow = false
	}
	if len(prompts) > 0 && !p.busy {
		p.settle()
	}
}

// waitingOf counts m's prompts that wait and are not yet being merged: what withdrawAllOf
// would withdraw.
func (p *Party) waitingOf(m *member) int {
	n := 0
	for _, pp := range p.pending {
		if !pp.inFlight && pp.prompt.Member == m.ID {
			n++
		}
	}
	return n
}

// withdrawAllOf withdraws every prompt of m's that waits and is not yet being merged (as
// by withdraw), in the name of by; the pipeline then settles as after a withdrawal.
func (p *Party) withdrawAllOf(m, by *member) {
	var gone []wire.Prompt
	kept := p.pending[:0]
	for _, pp := range p.pending {
		if !pp.inFlight && pp.prompt.Member == m.ID {
			gone = append(gone, pp.prompt)
			continue
		}
		kept = append(kept, pp)
	}
	clear(p.pending[len(kept):])
	p.pending = kept
	p.withdrawn(gone, by)
}

// schedule arms the loop's timer for the next pipeline decision, or starts work now: a
// host's agent command first, then a batch when the rule says it is due.
func (p *Party) schedule(timer *time.Timer) {
	timer.Stop()
	if p.closed || p.busy {
		return
	}
	if len(p.commands) > 0 {
		c := p.commands[0]
		p.commands = p.commands[1:]
		p.runCommand(c)
		return
	}
	waiting := p.waiting()
	if len(waiting) == 0 {
		return
	}
	cut, wait := p.rule.due(p.cfg.Now(), !p.busy, len(waiting), waiting[0].at, p.lastPrompt)
	if cut || p.sendNow {
		p.sendNow = false
		p.cutBatch()
		return
	}
	if wait > 0 {
		timer.Reset(wait)
	}
}

// waiting returns the pending prompts not yet in a batch.
func (p *Party) waiting() []pendingPrompt {
	var w []pendingPrompt
	for _, pp := range p.pending {
		if !pp.inFlight {
			w = append(w, pp)
		}
	}
	return w
}

func (p *Party) cutBatch() {
	var prompts []wire.Prompt
	for i := range p.pending {
		if !p.pending[i].inFlight {
			p.pending[i].inFlight = true
			prompts = append(prompts, p.pending[i].prompt)
		}
	}
	batchID := p.newID("b")
	p.busy = true
	p.scanBeforeTurn() // beside the merge: edits made since the last scan are not the turn's (send waits for it)
	p.setPhase(wire.PhaseMerging)
	if len(prompts) > 1 {
		p.emit(wire.Event{Kind: wire.KindSystem, Text: fmt.Sprintf("merging %d prompts", len(prompts))})
	}
	ctx := p.workCtx
	merger := p.cfg.Merger
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		res, err := merger.Merge(ctx, prompts)
		if err != nil && ctx.Err() != nil {
			// Cancelled because the party is ending (End, or Run's context): nothing was
			// merged and nothing goes to the agent, which is no failure to tell anyone of
			// (a tester's party read "merging failed (merge: context canceled)"); the
			// end's notice names the prompts that never went.
			p.log.Info("merge cancelled: the party is ending", "prompts", len(prompts), "err", err)
			p.post(p.mergeCancelled)
			return
		}
		// The prompts were made visible text (prompt); a merger's text is taken as such
		// too, before it is judged empty (a code reviewer's: only zero-width characters
		// from Gemini would have gone on as a prompt).
		res.Text = term.Visible(res.Text)
		if err != nil || strings.TrimSpace(res.Text) == "" {
			reason := "empty result"
			if err != nil {
				reason = err.Error()
			}
			p.log.Warn("merge failed, merging locally", "err", reason)
			res, _ = p.local.Merge(context.WithoutCancel(ctx), prompts)
			res.Notices = append([]merge.Notice{{Kind: wire.KindError, Text: "merging failed (" + reason + "); merged locally"}}, res.Notices...)
		}
		p.post(func() { p.merged(batchID, prompts, res) })
	}()
}

// mergeCancelled runs on the loop when a batch's merge was cancelled by the party's end
// (the loop is closed, or about to close when Run's context ended): no batch follows, and
// its prompts stay pending for the end's notice and the journal.
func (p *Party) mergeCancelled() {
	p.busy = false
}

// merged runs on the loop when a batch's merge is done: the batch waits for a host when
// approval is on, and goes to the agent otherwise.
func (p *Party) merged(batchID string, prompts []wire.Prompt, res merge.Result) {
	for _, n := range res.Notices {
		kind := n.Kind
		if kind != wire.KindError {
			kind = wire.KindSystem
		}
		p.emit(wire.Event{Kind: kind, Text: n.Text})
	}
	if res.Merger != wire.MergerGemini {
		res.Merger = wire.MergerLocal
	}
	if p.closed {
		p.busy = false
		return
	}
	if now := p.cfg.Merger.Name(); now != p.merger {
		// A key set while the party runs, or one Gemini refused: everyone's "Merger" follows.
		p.merger = now
		p.emitSettings()
	}
	if p.approval {
		p.hold(batchID, prompts, res)
		return
	}
	// Once the list owed before the turn is out: approval may have been turned on since
	// (a reviewer's went unapproved).
	p.whenListed(func() {
		if p.approval && !p.closed {
			p.hold(batchID, prompts, res)
			return
		}
		p.send(batchID, prompts, res.Text, res.Merger, wire.Member{})
	})
}

// hold keeps a merged batch for a host's approval (PROTOCOL.md §7).
func (p *Party) hold(batchID string, prompts []wire.Prompt, res merge.Result) {
	// What a host approves is what the agent gets: the leading space that keeps it text is
	// in it already, so approving it unchanged is not an edit.
	res.Text = wire.AsText(res.Text)
	p.held = &heldBatch{id: batchID, prompts: prompts, res: res}
	p.setPhase(wire.PhaseAwaitingApproval)
	p.emit(wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{
		Batch: batchID, Prompts: promptIDs(prompts), Merged: res.Text, Merger: res.Merger,
	}})
}

func promptIDs(prompts []wire.Prompt) []string {
	ids := make([]string, len(prompts))
	for i, pr := range prompts {
		ids[i] = pr.ID
	}
	return ids
}

// send gives a batch to the agent: its prompts stop being pending, the batch event
// carries exactly the text sent. A batch from its merge waits for the list owed before its
// turn first (merged, whenListed); one a host approved does not (it showed as still
// waiting for approval meanwhile: a reviewer's), as the scans while it waited list what
// changed, counts and all.
func (p *Party) send(batchID string, prompts []wire.Prompt, text, merger string, editedBy wire.Member) {
	if p.closed {
		p.busy = false // ending (End): no batch starts; its prompts stay in the journal
		return
	}
	carried := make(map[string]bool, len(prompts))
	for _, pr := range prompts {
		carried[pr.ID] = true
	}
	p.dropPending(carried)
	text = wire.AsText(text)
	b := &wire.Batch{ID: batchID, Prompts: promptIDs(prompts), Merged: text, Merger: merger, EditedBy: editedBy.Name, EditedByMember: editedBy.ID}
	failed := p.failed
	if failed != "" {
		b.Sent = afterFailure(text, failed)
		p.failed = ""
	}
	p.emit(wire.Event{Kind: wire.KindBatch, Batch: b})
	if failed != "" {
		p.emit(wire.Event{Kind: wire.KindSystem, Text: FailedNoteNotice})
		text = b.Sent
	}
	p.startTurn(batchID, text, false, "")
	p.turn.failedNote = failed
}

// isClear reports whether an agent command starts a new conversation (/clear, and the
// names Claude Code also takes for it).
func isClear(command string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(command), " ")
	return name == "/clear" || name == "/reset" || name == "/new"
}

// owedAfter is the failure whose note the next batch carries once turn ends, given the one
// owed before it (owed) and the one its batch carried (carried): a batch's turn (not an
// agent command's, command) that failed on the agent leaves its own, since the agent's
// session holds the request; one whose agent could not start (unsent) leaves the note it
// carried still owed (a reviewer's went as plain text). The live party and the journal's
// Recovery both follow it.
func owedAfter(turn wire.Turn, command bool, owed, carried string) string {
	switch {
	case failedOnAgent(turn, command):
		return oneLine(turn.Error)
	case turn.Unsent && carried != "" && owed == "":
		return carried
	}
	return owed
}

// failedOnAgent says whether turn, of a batch (not an agent command), failed on the agent:
// the failure whose note the next batch carries is its own.
func failedOnAgent(turn wire.Turn, command bool) bool {
	return turn.Status == wire.TurnError && !turn.Unsent && !command
}

// afterFailure is the text a batch is sent with after a turn that failed on the agent
// (an API error): Claude Code keeps the failed request in its session and the model reads
// it with the next one, merged into one message (a tester's agent got "@crash please" —
// shown to the party as failed, with "put my prompt back in the box" — with the next
// prompt, and would have done it, or done it twice once sent again).
func afterFailure(text, failed string) string {
	return "[Concordia: the request before this one failed (" + failed + ") and the party was told it failed. Do not go on with it: do only what the request below asks, which may ask for the same again. Steps it took before it failed are done: check before you repeat one.]\n\n" + text
}

// dropPending removes the carried prompts from the pending list.
func (p *Party) dropPending(carried map[string]bool) {
	kept := p.pending[:0]
	for _, pp := range p.pending {
		if !carried[pp.prompt.ID] {
			kept = append(kept, pp)
		}
	}
	p.pending = kept
}

// runCommand sends a host's agent command as a turn of its own.
func (p *Party) runCommand(c agentCommand) {
	p.busy = true
	if isClear(c.text) {
		p.failed = "" // the session the failed request was in is gone
	}
	batchID := p.newID("b")
	p.emit(wire.Event{Kind: wire.KindSystem, Text: fmt.Sprintf("%s ran the agent command %s", c.by, c.text), By: c.by, ByMember: c.byID})
	p.emit(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: batchID, Prompts: []string{}, Merged: c.text, Merger: "command"}})
	p.startTurn(batchID, c.text, true, "")
}

// startTurn runs text on the agent on a worker; the loop keeps the turn's cancel so that
// a host can stop it.
// cutOff, when not "", says why this batch runs again (its turn was cut off): the agent is
// told so (again).
func (p *Party) startTurn(batchID, text string, command bool, cutOff string) {
	p.busy = true
	ctx, cancel := context.WithCancel(p.runCtx)
	now := p.cfg.Now()
	t := &runningTurn{batch: batchID, command: command, cancel: cancel, lastActive: now, started: now}
	p.turn = t
	p.armSilence(t, p.cfg.TurnTimeout)
	p.armAlive(t)
	p.setPhase(wire.PhaseRunning)
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		defer cancel()
		p.runTurn(ctx, batchID, text, command, cutOff)
	}()
}

// armSilence (re)starts the turn timeout to look again after wait; it does not run while
// a decision is awaited.
func (p *Party) armSilence(t *runningTurn, wait time.Duration) {
	if p.cfg.TurnTimeout <= 0 {
		return
	}
	if t.silentTimer != nil {
		t.silentTimer.Stop()
	}
	if len(p.perms) > 0 {
		return
	}
	t.silentTimer = time.AfterFunc(wait, func() {
		p.post(func() {
			if p.turn != t || len(p.perms) > 0 || t.stoppedBy != "" {
				return
			}
			if quiet := p.cfg.Now().Sub(t.lastActive); quiet < p.cfg.TurnTimeout {
				p.armSilence(t, p.cfg.TurnTimeout-quiet)
				return
			}
			p.emit(wire.Event{Kind: wire.KindError, Text: fmt.Sprintf("claude was silent for %s; stopping the turn", p.cfg.TurnTimeout)}) // "claude", as the turn's end says it
			t.stoppedBy = "the turn timeout"
			t.cancel()
		})
	})
}

// unfinished ends the error of a turn the agent did not finish: its prompts got no whole
// answer, and nothing else says so (a tester's card read only "claude failed twice:
// claude exited (signal: killed)").
const unfinished = "; the turn did not finish: send the prompts again to try once more"

// runTurn runs on a worker: one batch on the agent, retried once on a restarted agent
// (not when the agent could not start: StartError).
func (p *Party) runTurn(ctx context.Context, batchID, text string, command bool, cutOff string) {
	start := p.cfg.Now()
	sharedFile, shared := "", false // FileOut's last answer: the file, and whether it is shared
	io := TurnIO{
		Out: func(stream, s string) {
			// Two closures, not one: the inline one stays on the stack (inline only calls
			// it); only a posted one is allocated.
			if !p.inline(func() { p.output(stream, s) }) {
				p.post(func() { p.output(stream, s) })
			}
		},
		FileOut: func(stream, s, file string) {
			// Whether the folder shares that file is asked here, on the agent's reader
			// (git runs), not on the loop; its answer is kept for the result's next line.
			if file != sharedFile {
				sharedFile, shared = file, false
				if ws := p.cfg.Workspace; ws != nil && file != workspace.Environment && file != workspace.Credential {
					sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					shared = ws.Shares(sctx, file)
					cancel()
				}
			}
			ok := shared
			p.post(func() { p.fileOutput(stream, s, file, ok) })
		},
		Ask: func(actx context.Context, req ToolRequest) ToolDecision {
			if ws := p.cfg.Workspace; ws != nil && req.Detail != "" && editTools[req.Tool] && req.FilePath != "" {
				// As for a result's text (FileOut), asked here, not on the loop, and only
				// of a request that would show its text. One that the party decides itself
				// shows none; should a host change the mode meanwhile and it be asked
				// after all, its text is hidden (unchecked), not shown unchecked.
				var shows bool
				if p.do(func() { shows = p.showsEditText(req) }) == nil && shows {
					sctx, cancel := context.WithTimeout(actx, 5*time.Second)
					req.unshared = !ws.Shares(sctx, req.FilePath)
					cancel()
				} else {
					req.unchecked = true
				}
			}
			return p.ask(actx, ctx, batchID, req)
		},
		Command: command,
	}
	first := text
	if cutOff != "" {
		first = again(text, command, cutOff)
	}
	res, err := p.cfg.Runner.RunTurn(ctx, first, io)
	// Unsent only when the first run could not start: a retry that cannot start comes
	// after a run that had the batch.
	unsent := isStartError(err) && ctx.Err() == nil
	down := unsent // no agent runs after this turn (wire.Turn.AgentDown)
	restartFailed := false
	if unsent {
		p.log.Warn("agent could not start", "err", err)
	} else if err != nil && ctx.Err() == nil {
		p.log.Warn("agent failed, restarting", "err", err)
		why := oneLine(err.Error())
		p.post(func() {
			p.toolsRunning = 0 // the crashed run's tools answer no more (a reviewer's)
			p.emit(wire.Event{Kind: wire.KindError, Text: "claude stopped unexpectedly: " + why})
			// Its requests are closed before the retry is said: the agent gives them up as
			// its turn ends, on a goroutine of its own, and a user tester's terminal said
			// "retrying the batch" and then "claude stopped before anyone decided" of the
			// attempt before (the run again asks anew; these no Ask waits for any more).
			for id, pr := range p.perms {
				if pr.perm.Batch == batchID {
					_ = p.resolve(id, wire.PermissionDenied, wire.Member{}, stoppedAsking)
				}
			}
			p.emit(wire.Event{Kind: wire.KindRetry, RetryBatch: batchID, RetrySent: retrySent(text, command, crashed)})
			p.emit(wire.Event{Kind: wire.KindSystem, Text: "restarting claude and retrying the batch"})
		})
		if rerr := p.cfg.Runner.Restart(ctx); rerr != nil {
			err = rerr // it says claude could not start; the next batch starts it again
			down = ctx.Err() == nil
			restartFailed = true
		} else {
			res, err = p.cfg.Runner.RunTurn(ctx, again(text, command, crashed), io)
			if err != nil && ctx.Err() == nil && !isStartError(err) {
				// Reported below; get a fresh agent ready so that the next batch still runs.
				if rerr := p.cfg.Runner.Restart(ctx); rerr != nil {
					p.log.Warn("agent restart after failed retry", "err", rerr)
					down = ctx.Err() == nil
				}
			}
		}
	}
	if isStartError(err) && ctx.Err() == nil {
		down = true // the retry found no agent to run on
	}
	turn := wire.Turn{Batch: batchID, Status: wire.TurnDone, DurationMS: p.cfg.Now().Sub(start).Milliseconds(), AgentDown: down}
	switch {
	case p.runCtx.Err() != nil:
		turn.Status, turn.Error = wire.TurnInterrupted, wire.TurnPartyEnded
	case ctx.Err() != nil || res.Interrupted:
		turn.Status = wire.TurnInterrupted
	case unsent:
		// The agent never had them: said so, for their authors to send them again (a batch
		// put back into the queue would be cut again at once, and fail as fast).
		turn.Status, turn.Error, turn.Unsent = wire.TurnError, oneLine(err.Error())+"; the prompts were not sent to it: send them again to try once more", true
		if lastingStart(err) {
			// Sent again, they would fail the same way (a window tester's party hosted with
			// --bogus-flag): the error says what the host can do instead.
			turn.Error = oneLine(err.Error())
		}
	case err != nil && restartFailed:
		// It failed once, and the new one never ran: not "failed twice" (a tester's).
		turn.Status, turn.Error = wire.TurnError, "claude stopped and could not be started again: "+oneLine(err.Error())+unfinished
	case err != nil:
		turn.Status, turn.Error = wire.TurnError, "claude failed twice: "+oneLine(err.Error())+unfinished
	case res.IsError:
		turn.Status, turn.Error = wire.TurnError, oneLine(res.Error)
		if turn.Error == "" {
			turn.Error = "claude reported an error"
		}
	}
	if turn.Status == wire.TurnInterrupted && err != nil && p.runCtx.Err() == nil {
		// The agent did not stop when asked and was killed: get a new one ready.
		if rerr := p.cfg.Runner.Restart(context.WithoutCancel(ctx)); rerr != nil {
			p.log.Warn("agent restart after a forced stop", "err", rerr)
			turn.AgentDown = true
		}
	}
	if p.runCtx.Err() != nil {
		turn.AgentDown = false // the party is over: nothing is "not running" for anyone
	}
	p.post(func() { p.turnDone(turn) })
}

// lastingStart reports whether err is a Runner's StartError that every start will repeat.
func lastingStart(err error) bool {
	var se *StartError
	return errors.As(err, &se) && se.Lasting
}

// isStartError reports whether err is a Runner's StartError: the agent could not start.
func isStartError(err error) bool {
	var se *StartError
	return errors.As(err, &se)
}

func (p *Party) turnDone(turn wire.Turn) {
	p.flushOutput()
	p.closePermissions(turn.Batch) // still undecided: denied, and counted below
	command, note := false, ""
	if t := p.turn; t != nil && t.batch == turn.Batch {
		command, note = t.command, t.failedNote
		if t.silentTimer != nil {
			t.silentTimer.Stop()
		}
		if t.aliveTimer != nil {
			t.aliveTimer.Stop()
		}
		turn.Denied = t.denied
		switch {
		case turn.Status != wire.TurnInterrupted || turn.Error != "":
		case t.byEnd:
			turn.Error = wire.TurnPartyEnded
		case t.stoppedBy != "":
			turn.Error = "stopped by " + t.stoppedBy
			turn.ByMember = t.stoppedByID
		}
		p.turn = nil
	}
	p.emit(wire.Event{Kind: wire.KindTurn, Turn: &turn})
	p.failed = owedAfter(turn, command, p.failed, note)
	if turn.Status == wire.TurnError {
		p.emit(wire.Event{Kind: wire.KindError, Text: "the batch failed: " + turn.Error})
	}
	p.busy = false
	p.toolsRunning = 0
	p.settle()
	if p.cfg.Workspace != nil && p.wsLevel != wire.WorkspaceOff {
		p.wsDirty, p.wsTurnEnd = true, true // after each turn (§9), changed or not
		p.scanChanges(0)
	}
}

// settle sets the phase for an idle agent.
func (p *Party) settle() {
	if len(p.waiting()) > 0 {
		p.setPhase(wire.PhaseCollecting)
	} else {
		p.setPhase(wire.PhaseIdle)
	}
}

// maxOutputEvent bounds the text of one output event: what output merges, and what it cuts
// a longer text into (an agent's message that was not streamed can be megabytes, and one
// event must fit in a host message, 16 MiB, with room for the replay's others).
const maxOutputEvent = 64 << 10

// output turns streamed agent text into an output event. No timer stands between the
// agent's write and the participants: while the loop keeps up (no op waits behind this
// one), the text is an event at once. When ops queue up behind it — the agent writes
// faster than the party can send each delta to every member, as with hundreds of members
// at thousands of deltas per second — the text is kept and the deltas that follow join
// it, until the queue is empty (Run), another kind of event is emitted, the stream
// changes or maxOutputEvent is reached. So the party sends fewer, larger events exactly
// when it is behind. The text waits only while the loop has queued work; that work may
// include ops that emit nothing (a burst of hellos), which the text then waits out. Each
// connection also merges what arrives while it is busy writing (remote in server.go).
// Tool and stderr output stay whole lines, but for a line longer than maxOutputEvent.
func (p *Party) output(stream, text string) {
	if text == "" {
		return
	}
	if p.turn != nil {
		p.turn.lastActive = p.cfg.Now()
	}
	if stream == wire.StreamTool {
		if strings.HasPrefix(strings.TrimLeft(text, " "), "-> ") {
			p.toolsRunning = max(0, p.toolsRunning-1) // a result
		} else if p.turn != nil {
			p.toolsRunning++ // a tool starts
		}
		p.toolActivity() // a tool may have edited files
		// A credential typed into a command (psql postgres://app:pw@db, curl -H
		// "Authorization: Bearer …") is blanked out of the line everyone sees (a reviewer's).
		text, _ = credential.Redact(text)
	}
	if p.outBuf.Len() > 0 && (stream != p.outStream || p.outBuf.Len()+len(text) > maxOutputEvent) {
		p.flushOutput()
	}
	p.outStream = stream
	for len(text) > maxOutputEvent {
		cut := maxOutputEvent
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut-- // never inside a character: the event's JSON would replace its halves
		}
		if cut == 0 {
			cut = maxOutputEvent // no character starts in it (bytes that are not UTF-8): cut anywhere
		}
		p.outBuf.WriteString(text[:cut])
		p.flushOutput()
		text = text[cut:]
	}
	p.outBuf.WriteString(text)
	if stream != wire.StreamAssistant && !strings.HasSuffix(text, "\n") {
		p.outBuf.WriteByte('\n')
	}
	if len(p.ops) == 0 {
		p.flushOutput()
	}
}

// flushOutput emits the output kept by output, if any.
func (p *Party) flushOutput() {
	if p.outBuf.Len() == 0 {
		return
	}
	text := p.outBuf.String()
	p.outBuf.Reset()
	p.emit(wire.Event{Kind: wire.KindOutput, Stream: p.outStream, Text: text, TreeOnly: p.outTreeOnly})
}

// crashed is again's why after an agent crash.
const crashed = "Claude Code stopped unexpectedly and was restarted"

// retrySent is a retry event's sent: again's text when it is not the batch's own.
func retrySent(text string, command bool, why string) string {
	if sent := again(text, command, why); sent != text {
		return sent
	}
	return ""
}

// again is the text a batch is sent with when it runs again after its turn was cut off:
// the request, after a word that part of it may already be done. Sent as it was, a
// tester's agent asked to run the same touch again on the resumed session, and in edits
// or all mode a step with side effects (an append, a commit, a message) would run twice.
// An agent command (/compact) is sent as it is: it must start with its slash.
func again(text string, command bool, why string) string {
	if command {
		return text
	}
	return "[Concordia: " + why + " while you were working on the request below. Part of it may already be done: check the current state (files, commits, what your commands changed) before you do anything again, and do not repeat a step that already took effect.]\n\n" + text
}
