package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// roster is what a terminal knows of the party from its events: who is in it with which
// role, who wrote which prompt, the tool requests waiting for a decision and the batch
// waiting for approval. The printer owns it (guarded by printer.mu) and updates it before
// rendering each event; commands read it through the printer.
type roster struct {
	seq int64 // the hello state's seq: membership events up to it are already in members
	// lastSeq is the seq of the latest event taken in (or the hello state's): a prompt whose
	// answer said its event's seq is in the roster once lastSeq reaches it (awaitSeq).
	lastSeq int64
	you     wire.Member
	members []wire.Member
	// away lists the members who left and may come back with their session (every member
	// who leaves may, until kicked), most recent last: a host can still remove them.
	away []wire.Member
	// gone are the names of several words of members removed (kicked), the last maxAway
	// (sameName compares them): such a name is still read as one name after its member is
	// gone, so that "/kick bob smith" again does not remove bob for the reason "smith" (a
	// tester's).
	gone    []string
	authors map[string]string // prompt id → author
	// writers: prompt id → the author's member id, for the prompts still waiting (hosts
	// that send it: names are reused, ids are not).
	writers map[string]string
	batches map[string]batchWho
	perms   []wire.Permission // pending, oldest first
	// decided is the last request that stopped waiting live (not in replayed history),
	// and when: a host's /allow just after someone else decided is told who did.
	decided   *wire.Permission
	decidedAt time.Time
	// journalBehind: the party said its journal cannot be written (a full disk), and not yet
	// that it caught up; a host that stops now loses what happened since from the party's
	// history. journalGaveUp: and that it will not catch up.
	journalBehind, journalGaveUp bool
	// movedUp is the waiting request that became the oldest when movedBy, at movedAt, took
	// the one before it ("" when none did): a /allow typed for that one would answer this one.
	movedUp string
	movedBy *wire.Permission
	movedAt time.Time
	held    *wire.Approval // the batch waiting for approval
	running bool           // a turn is on the agent
	// heldLast is the batch that waited for approval last, and heldGone when a host
	// decided it (sent or rejected it): a host's /approve or /reject just after is sent for
	// it, for the party to say who decided it (a tester's losing host read only that
	// nothing waited).
	heldLast string
	heldGone time.Time
	// pending lists the prompts waiting for a batch, oldest first; asks holds each one's
	// first line, for the who-asked-what of the batch that takes it.
	pending []string
	asks    map[string]string
	// own holds the whole text of this member's prompts that wait, for /withdraw to give
	// back to the input line.
	own map[string]string
	// heldOwn and inTurn keep that text on, for the prompts in the batch waiting for
	// approval (by prompt id) and in the turn on the agent; recall is every text of this
	// member's the party gave back to send again (a failed turn's, one withdrawn by another
	// or by a resume, a rejected one), oldest first, and only grows: the line editor puts each
	// in its history once (Up recalls it).
	heldOwn     map[string]string
	inTurn      []string
	inTurnBatch string    // the batch inTurn is of
	recall      *[]string // a new list at each addition, so that a status compares
	// minPrompts is the party's min_prompts: no batch is cut with fewer waiting.
	minPrompts int
	// host is the party's host (its owner), by name, as the hello says it.
	host string
	// phase is the pipeline's phase (wire.Phase*), since when, and when the turn began.
	phase                 string
	phaseSince, turnSince time.Time
	// merged is the text of the last batch sent, for /show (held has the one waiting).
	merged, mergedBy string
	// settings are the party's (§7): from the hello, then each settings event. always is
	// never nil once known.
	settings      wire.Settings
	knowsSettings bool
	// permTimeout is how long an undecided tool request waits (the hello's
	// permission_timeout_ms); 0 from a host that does not say.
	permTimeout time.Duration
	// firstJoin is the seq of each member's first joined event this terminal saw, and
	// rotated the seq of the last rotation notice: a member who joined before it holds an
	// invite that no longer works (what /kick tells the host).
	firstJoin map[string]int64
	rotated   int64
	// agentDown says why claude is not running ("" while it is, as far as the party was
	// told): the last turn ended unsent because it could not start, or it exited between
	// turns. The next batch starts it again.
	agentDown string
	// cannotShare: the party runs with --share-workspace off (the hello's party.cannot_share),
	// or its first snapshot failed: shareError says why then (party.share_error).
	cannotShare bool
	shareError  string
	// unanswered is the text of this terminal's prompt the host did not answer (a timeout,
	// or the connection dropped), until it shows up in the party or a reconnect's catch-up
	// shows it did not (printer.unansweredLocked); "" when none.
	unanswered     string
	unansweredSaid bool     // a reconnect said it did not reach the host
	sentSeen       []string // this member's prompts seen while a send waited for its answer
	// since is from when changes count (sinceStart), once followBase or a /changes reply
	// learned it; "" before.
	since string
}

// sinceStart is from when the party's changes count, as far as this terminal knows.
func (r *roster) sinceStart() string {
	if r.since == "" {
		return "since the party began"
	}
	return r.since
}

func newRoster() *roster {
	return &roster{authors: map[string]string{}, writers: map[string]string{}, batches: map[string]batchWho{}, asks: map[string]string{}, own: map[string]string{}, heldOwn: map[string]string{}, firstJoin: map[string]int64{}}
}

// reset takes a hello reply's state.
func (r *roster) reset(h wire.HelloResult) {
	r.you = h.You
	r.minPrompts = h.Party.MinPrompts
	r.cannotShare, r.shareError = h.Party.CannotShare, h.Party.ShareError
	r.host = h.Party.Host
	r.seq = h.State.Seq
	r.lastSeq = max(r.lastSeq, h.State.Seq)
	r.members = append([]wire.Member(nil), h.State.Participants...)
	r.pending = r.pending[:0]
	clear(r.own)
	for _, p := range h.State.Pending {
		r.authors[p.ID] = p.User
		if p.Member != "" {
			r.writers[p.ID] = p.Member
		}
		r.asks[p.ID] = firstLine(p.Text)
		r.pending = append(r.pending, p.ID)
		if r.mine(p.ID) {
			r.own[p.ID] = p.Text
		}
	}
	// What waited for a host may be gone: a host resumed after a crash puts a held batch's
	// prompts back in the queue and ends the tool requests of the turn it lost, with no
	// event of either (a reviewer's co-host's /approve then named a batch the host no
	// longer knew). What still waits is in the phase, and comes again in the events.
	if h.State.Phase != wire.PhaseAwaitingApproval {
		// Nobody decided it: not one for the party to say who did (heldLast).
		r.held, r.heldLast = nil, ""
		clear(r.heldOwn)
	}
	if h.State.Phase != wire.PhaseAwaitingPermission {
		r.perms = nil
	}
	wasTurn := r.turnSince
	if !r.running {
		wasTurn = time.Time{}
	}
	r.setPhase(h.State.Phase, time.Now())
	// After a reconnect the phase may be the same but not the same turn or request (the
	// host was resumed): its time counts from now rather than from before the drop. A
	// turn that ran before the drop and runs still goes on counting from its start, as the
	// host's count does (a tester's read 9s where the host's read 22s): a host resumed
	// since, or a new turn, says so in the events caught up on (retry, batch), which then
	// count from their own time.
	r.phaseSince = time.Now()
	if r.phase == wire.PhaseRunning || r.phase == wire.PhaseAwaitingPermission {
		r.turnSince = r.phaseSince
		if !wasTurn.IsZero() {
			r.turnSince = wasTurn
		}
	}
	r.running = h.State.Phase == wire.PhaseRunning || h.State.Phase == wire.PhaseAwaitingPermission
	r.settings = wire.Settings{Approval: h.Party.Approval, PermissionMode: h.Party.PermissionMode,
		Workspace: h.Party.Workspace, Always: append([]string{}, h.Party.Always...)}
	r.knowsSettings = true
	r.permTimeout = time.Duration(h.Party.PermissionTimeoutMS) * time.Millisecond
}

// track applies one event, which happened at at on this machine's clock (now for a live
// event; for history, its time stamp as our clock reads it).
func (r *roster) track(ev wire.Event, at time.Time) {
	r.lastSeq = max(r.lastSeq, ev.Seq)
	switch ev.Kind {
	case wire.KindParticipants:
		// Who is away is not in the hello: replayed history counts for it too.
		switch {
		case ev.Joined != nil:
			r.back(ev.Joined.ID)
			if _, seen := r.firstJoin[ev.Joined.ID]; !seen && ev.Seq != 0 {
				r.firstJoin[ev.Joined.ID] = ev.Seq
			}
		case ev.Left != nil:
			r.back(ev.Left.ID)
			// Not kicked: they may come back with their session, those still there when a
			// host ended the party too, once it is resumed (a tester's could not be listed
			// or removed, and rejoined).
			if ev.Why != wire.WhyKicked {
				if len(r.away) >= maxAway {
					r.away = slices.Delete(r.away, 0, 1) // as the host forgets the longest gone
				}
				r.away = append(r.away, *ev.Left)
			} else if strings.Contains(strings.TrimSpace(ev.Left.Name), " ") {
				if len(r.gone) >= maxAway {
					r.gone = slices.Delete(r.gone, 0, 1)
				}
				r.gone = append(r.gone, ev.Left.Name)
			}
		}
		if ev.Seq != 0 && ev.Seq <= r.seq {
			return // replayed history: the hello's list already has its outcome
		}
		switch {
		case ev.Joined != nil:
			// The hello's list may already hold the joiner (this terminal's own join comes
			// right after the state it was sent): one entry per member.
			if i := slices.IndexFunc(r.members, func(m wire.Member) bool { return m.ID == ev.Joined.ID }); i >= 0 {
				r.members[i] = *ev.Joined
			} else {
				r.members = append(r.members, *ev.Joined)
			}
		case ev.Left != nil:
			r.remove(ev.Left.ID)
		case ev.Changed != nil:
			for _, list := range [][]wire.Member{r.members, r.away} { // a host may change one who is away
				for i := range list {
					if list[i].ID == ev.Changed.ID {
						list[i].Role = ev.Changed.Role
					}
				}
			}
			if ev.Changed.ID == r.you.ID {
				r.you.Role = ev.Changed.Role
			}
		}
	case wire.KindPrompt:
		if ev.Prompt != nil {
			r.authors[ev.Prompt.ID] = ev.Prompt.User
			if ev.Prompt.Member != "" {
				r.writers[ev.Prompt.ID] = ev.Prompt.Member
			}
			if !slices.Contains(r.pending, ev.Prompt.ID) {
				r.pending = append(r.pending, ev.Prompt.ID)
				r.asks[ev.Prompt.ID] = firstLine(ev.Prompt.Text)
				if r.mine(ev.Prompt.ID) {
					r.own[ev.Prompt.ID] = ev.Prompt.Text
				}
			}
		}
	case wire.KindPhase:
		r.setPhase(ev.Phase, at)
	case wire.KindBatch:
		if ev.Batch != nil {
			r.batches[ev.Batch.ID] = batchWho{r.whoAsked(ev.Batch.Prompts), len(ev.Batch.Prompts), r.countMine(ev.Batch.Prompts)}
			r.dropHeld()
			r.decided = nil // a request of an earlier turn is not what a /deny now is meant for
			r.running = true
			r.agentDown = ""
			r.turnSince = at
			if ev.Batch.Merger != "command" {
				r.merged, r.mergedBy = ev.Batch.Merged, ev.Batch.Merger
			}
			r.inTurn, r.inTurnBatch = nil, ev.Batch.ID
			for _, id := range ev.Batch.Prompts {
				text, ok := r.own[id]
				if !ok {
					text, ok = r.heldOwn[id]
				}
				if ok {
					r.inTurn = append(r.inTurn, text)
				}
			}
			clear(r.heldOwn)
			r.take(ev.Batch.Prompts)
		}
	case wire.KindApproval:
		if ev.Approval != nil {
			r.batches[ev.Approval.Batch] = batchWho{r.whoAsked(ev.Approval.Prompts), len(ev.Approval.Prompts), r.countMine(ev.Approval.Prompts)}
			ap := *ev.Approval
			r.held = &ap
			for _, id := range ev.Approval.Prompts {
				if text, ok := r.own[id]; ok {
					r.heldOwn[id] = text
				}
			}
			r.take(ev.Approval.Prompts)
		}
	case wire.KindSettings:
		if st := ev.Settings; st != nil {
			always := r.settings.Always
			if st.Always != nil { // a host from before settings carried it: keep what we knew
				always = append([]string{}, st.Always...)
			}
			r.settings, r.knowsSettings = *st, true
			r.settings.Always = always
			if st.ShareError != "" && ev.Seq > r.seq {
				// This run's folder could not be shared: said as the hello says it to a
				// later joiner (a replayed one may be of a run before a resume).
				r.cannotShare, r.shareError = true, st.ShareError
			}
		}
	case wire.KindRejected:
		if rj := ev.Rejected; rj != nil {
			// Not sent: this member's prompts in it go to the line editor's history (Up), as
			// a withdrawn one's do (a resume without a merged prompt held for approval
			// rejects it).
			var mine []string
			for _, id := range rj.Prompts {
				if text, ok := r.heldOwn[id]; ok {
					mine = append(mine, text)
				} else if text, ok := r.own[id]; ok {
					mine = append(mine, text)
				}
			}
			if len(mine) > 0 {
				r.giveBack(mine...)
			}
		}
		r.dropHeld()
		clear(r.heldOwn)
	case wire.KindWithdrawn:
		if w := ev.Withdrawn; w != nil {
			// Taken back by another's hand, or by a resume that did not take it up: the
			// party asks its author to send it again, and the line editor's history gets it
			// (Up recalls it), as after a failed turn. One this member withdrew came back to
			// the input line already (/withdraw).
			byMe := w.ByMember == r.you.ID
			if w.ByMember == "" {
				byMe = w.By == w.User // a host from before by_member (a reviewer's)
			}
			if text, ok := r.own[w.Prompt]; ok && (w.Resumed || !byMe) {
				r.giveBack(text)
			}
			r.take([]string{w.Prompt})
		}
	case wire.KindError:
		switch {
		case strings.HasSuffix(ev.Text, host.IdleExitNotice):
			r.agentDown = agentExited
		case strings.HasPrefix(ev.Text, agentNotStartedError):
			// With the party, before any batch: not "idle" until a prompt failed too.
			r.agentDown = notStartedWhy(ev.Text)
		case strings.HasPrefix(ev.Text, party.JournalFailedPrefix):
			r.journalBehind = true
		case strings.HasPrefix(ev.Text, party.JournalGaveUpPrefix):
			r.journalBehind, r.journalGaveUp = true, true
		}
	case wire.KindSystem:
		if ev.Text == "claude started" {
			r.agentDown = ""
		}
		if ev.Text == party.JournalRecoveredText {
			r.journalBehind = false
		}
		if _, rotated := party.RotatedBy(ev.Text); rotated && ev.Seq > r.rotated {
			r.rotated = ev.Seq
		}
	case wire.KindTurn:
		r.running = false
		r.agentDown = ""
		if ev.Turn != nil && (ev.Turn.Unsent || ev.Turn.AgentDown) {
			r.agentDown = notStartedWhy(ev.Turn.Error)
		}
		// Failed, or stopped (by a host, the turn timeout or the party's end): this member's
		// prompts in it were not answered, and are given back as a failed turn's are (a
		// tester's /stop gave nothing back).
		if ev.Turn != nil && ev.Turn.Status != wire.TurnDone && ev.Turn.Batch == r.inTurnBatch && len(r.inTurn) > 0 {
			r.giveBack(r.inTurn...)
		}
		r.inTurn = nil
	case wire.KindRetry:
		// The batch runs again from the start, on a restarted claude or a resumed party:
		// the turn's time counts from now, not from before the host stopped, nor from the
		// attempt claude was killed in (a user tester's read "· 9s · denied in 35s" of a
		// 40 s request, asked as the retry began).
		r.turnSince = at
	case wire.KindPermission:
		if pm := ev.Permission; pm != nil {
			settled, d := pm.Status != wire.PermissionPending, *pm
			wasOldest := len(r.perms) > 0 && r.perms[0].ID == pm.ID
			if settled && slices.ContainsFunc(r.perms, func(w wire.Permission) bool { return w.ID == pm.ID }) {
				r.decided, r.decidedAt = &d, time.Now()
			}
			r.dropPerm(pm.ID)
			if settled && wasOldest {
				// Only when the oldest changes: a later request decided meanwhile leaves the
				// one that moved up as it was (a reviewer's slipped past the question).
				r.movedUp, r.movedBy, r.movedAt = "", nil, time.Now()
				if len(r.perms) > 0 {
					r.movedUp, r.movedBy = r.perms[0].ID, &d
				}
			}
			if pm.Status == wire.PermissionPending {
				r.perms = append(r.perms, *pm)
			}
		}
	}
}

// setPhase records a phase change and when it happened.
func (r *roster) setPhase(phase string, at time.Time) {
	if phase == r.phase {
		// History replayed after a hello (which set the phase "now") says when it began:
		// a member who joins while a request waits sees how long it has waited, as the
		// others do (a tester's late joiner read 2s where the others read 13s).
		if at.Before(r.phaseSince) {
			r.phaseSince = at
			if !r.turnSince.IsZero() && at.Before(r.turnSince) && (phase == wire.PhaseRunning || phase == wire.PhaseAwaitingPermission) {
				r.turnSince = at
			}
		}
		return
	}
	r.phase, r.phaseSince = phase, at
	if phase == wire.PhaseRunning && r.turnSince.IsZero() {
		r.turnSince = r.phaseSince
	}
	if phase == wire.PhaseIdle || phase == wire.PhaseCollecting {
		r.turnSince = time.Time{}
	}
}

// giveBack adds texts of this member's to recall.
func (r *roster) giveBack(texts ...string) {
	var all []string
	if r.recall != nil {
		all = slices.Clone(*r.recall)
	}
	all = append(all, texts...)
	r.recall = &all
}

// givenSince is what giveBack added after the first n texts of recall.
func (r *roster) givenSince(n int) []string {
	if r.recall == nil || len(*r.recall) <= n {
		return nil
	}
	return (*r.recall)[n:]
}

// recalls is how many texts recall holds.
func (r *roster) recalls() int {
	if r.recall == nil {
		return 0
	}
	return len(*r.recall)
}

// take drops prompts that went into a batch from the queue (their summaries are kept
// until then only, so a long party does not keep every prompt's text).
func (r *roster) take(ids []string) {
	r.pending = slices.DeleteFunc(r.pending, func(id string) bool { return slices.Contains(ids, id) })
	for _, id := range ids {
		delete(r.own, id)
	}
}

// forget drops the summaries of prompts that are done with: sent in a batch, rejected or
// withdrawn (a long party does not keep every prompt's text). The approval that comes before a
// batch keeps them: the batch says who asked what again.
func (r *roster) forget(ev wire.Event) {
	switch {
	case ev.Kind == wire.KindBatch && ev.Batch != nil:
		for _, id := range ev.Batch.Prompts {
			delete(r.asks, id)
			delete(r.writers, id)
		}
	case ev.Kind == wire.KindRejected && ev.Rejected != nil:
		for _, id := range ev.Rejected.Prompts {
			delete(r.asks, id)
			delete(r.writers, id)
		}
	case ev.Kind == wire.KindWithdrawn && ev.Withdrawn != nil:
		delete(r.asks, ev.Withdrawn.Prompt)
		delete(r.writers, ev.Withdrawn.Prompt)
		delete(r.own, ev.Withdrawn.Prompt)
	}
}

// countMine is how many of the prompts ids this terminal's member wrote.
func (r *roster) countMine(ids []string) int {
	n := 0
	for _, id := range ids {
		if r.mine(id) {
			n++
		}
	}
	return n
}

// lastWaiting is the id of this terminal's member's newest prompt that no batch has taken
// yet ("" if there is none): by member id, or by name from a host that sends no ids.
func (r *roster) lastWaiting() string {
	for i := len(r.pending) - 1; i >= 0; i-- {
		if r.mine(r.pending[i]) {
			return r.pending[i]
		}
	}
	return ""
}

// promptIsMine reports whether this terminal's member wrote p: by its member id, or by
// name from a host that does not give ids.
func (r *roster) promptIsMine(p wire.Prompt) bool {
	if p.Member != "" {
		return p.Member == r.you.ID
	}
	return p.User == r.you.Name
}

// isYou says whether the member an event names, by member id and by name, is this
// terminal's own. By id where the host gives one (PROTOCOL.md §5/§7: withdrawn, rejected,
// and since 2026-12-07 permission, batch edited_by_member, turn by_member), in the history
// too; by name only for a host from before, and only live (earlier false): a name is one
// member's at a time, and in the history it may be another's who had it.
func (r *roster) isYou(id, name string, earlier bool) bool {
	if id != "" {
		return id == r.you.ID
	}
	return name != "" && name == r.you.Name && !earlier
}

// mine reports whether this terminal's member wrote prompt id.
func (r *roster) mine(id string) bool { return r.wroteBy(id, r.you) }

// wroteBy reports whether member m wrote prompt id: by member id while it waits, else by
// name (a prompt never seen here is nobody's known).
func (r *roster) wroteBy(id string, m wire.Member) bool {
	if w, ok := r.writers[id]; ok {
		return w == m.ID
	}
	a, ok := r.authors[id]
	return ok && a == m.Name
}

// whatAsked is a batch for people: one "name: request" line per prompt.
func (r *roster) whatAsked(ids []string) string {
	lines := make([]string, 0, len(ids))
	for _, id := range ids {
		who, ok := r.authors[id]
		if !ok {
			continue
		}
		lines = append(lines, term.Line(who)+": "+r.asks[id])
	}
	if len(lines) == 0 {
		return "(the prompts are from before this terminal joined)"
	}
	return strings.Join(lines, "\n")
}

// firstLine is a prompt's first line, cut to 100 characters, with a note of what more
// there is.
func firstLine(text string) string {
	text = strings.TrimSpace(text)
	first, rest, more := strings.Cut(text, "\n")
	first = term.Line(first)
	if r := []rune(first); len(r) > 100 {
		first, more = string(r[:99])+"…", true
	}
	if more && rest != "" {
		n := strings.Count(rest, "\n") + 1
		first += fmt.Sprintf(" (+%d line%s)", n, plural(n))
	}
	return first
}

// Why claude is not running (roster.agentDown), and how the host's error event begins
// when it could not start (agent.NotStartedPrefix: "claude could not start: …").
const (
	agentNotStarted      = "it could not start; the next prompt tries again"
	agentExited          = "it exited; the next prompt starts it again"
	agentNotStartedError = agent.NotStartedPrefix
	// Not "the next prompt tries again": it fails the same way (agent.ErrArgsRefused).
	agentArgsRefused = "Claude Code refused the extra arguments; the host can end the party and host it again with other ones"
)

// notStartedWhy is roster.agentDown for a party whose claude could not start, by the error
// that says so: the next prompt tries again, unless Claude Code refused the arguments.
func notStartedWhy(text string) string {
	if argsRefused(text) {
		return agentArgsRefused
	}
	return agentNotStarted
}

// argsRefused says whether an error event's or a turn's error says that Claude Code refused
// the extra arguments (agent.ErrArgsRefused): a lasting start failure, which anything sent
// again in this party meets too (party's lastingStart).
func argsRefused(text string) bool {
	return strings.HasPrefix(text, agentNotStartedError+": "+agent.ErrArgsRefused.Error())
}

func (r *roster) remove(id string) {
	r.members = slices.DeleteFunc(r.members, func(m wire.Member) bool { return m.ID == id })
}

// maxAway bounds the away list, as the host bounds the members it remembers.
const maxAway = 1000

// wasRemoved says whether a member of this name (of several words) was removed.
func (r *roster) wasRemoved(name string) bool {
	return slices.ContainsFunc(r.gone, func(g string) bool { return sameName(g, name) })
}

// back takes id off the away list: it joined again, or was removed.
func (r *roster) back(id string) {
	r.away = slices.DeleteFunc(r.away, func(m wire.Member) bool { return m.ID == id })
}

// awayMember finds a member who left and may come back, by name (the one who left last
// when names repeat; never by id, as member); never one who is connected now.
func (r *roster) awayMember(name string) (wire.Member, bool) {
	for i := len(r.away) - 1; i >= 0; i-- {
		m := r.away[i]
		if !sameName(m.Name, name) || r.connected(m.ID) {
			continue
		}
		return m, true
	}
	return wire.Member{}, false
}

// awayNamed is how many members who are away, and not connected, have this name.
func (r *roster) awayNamed(name string) int {
	n := 0
	for _, m := range r.away {
		if sameName(m.Name, name) && !r.connected(m.ID) {
			n++
		}
	}
	return n
}

// dropHeld notes that the batch waiting for approval, if any, was decided: sent or rejected.
func (r *roster) dropHeld() {
	if r.held != nil {
		r.heldLast, r.heldGone = r.held.Batch, time.Now()
	}
	r.held = nil
}

func (r *roster) dropPerm(id string) {
	r.perms = slices.DeleteFunc(r.perms, func(p wire.Permission) bool { return p.ID == id })
}

// whoAsked lists the distinct authors of prompts, in order.
// batchWho is whose prompts a batch carries, and how many there are.
type batchWho struct {
	authors []string // each once
	prompts int
	mine    int // how many of them this terminal's member wrote
}

// runningWords says, for a host about to end the party, what becomes of the turn on the
// agent: whose prompts it is for, and that it is cut short and not run again (a tester's
// host was told only "a turn is running", and alice's prompt went with the party unsaid).
func (r *roster) runningWords() string {
	const cut = " (ending the party cuts it short, and a resume does not run it again)"
	w, ok := r.batches[r.inTurnBatch]
	if !ok || len(w.authors) == 0 {
		return "a turn is running" + cut
	}
	return "claude's turn for " + r.promptsOf(w) + " is running" + cut
}

// promptsOf names a batch's prompts by their authors: "alice's prompt", "your prompt",
// "carol's 2 prompts", and of several authors "3 prompts (alice's, bob's and yours)" (not
// "the 3 prompts of alice, bob and you": "sending the 2 prompts of you and carol to claude"
// read badly, a tester's; nor "alice's, bob's and your 3 prompts", which reads as if all
// three were yours, a reviewer's).
func (r *roster) promptsOf(w batchWho) string {
	own := func(a string) bool { return r.you.Name != "" && a == r.you.Name && w.mine > 0 }
	if len(w.authors) == 0 {
		return fmt.Sprintf("%d prompt%s", w.prompts, plural(w.prompts))
	}
	if len(w.authors) == 1 {
		whose := term.Line(w.authors[0]) + "'s"
		if own(w.authors[0]) {
			whose = "your"
		}
		if w.prompts == 1 {
			return whose + " prompt"
		}
		return fmt.Sprintf("%s %d prompts", whose, w.prompts)
	}
	names := make([]string, len(w.authors))
	for i, a := range w.authors {
		names[i] = term.Line(a) + "'s"
		if own(a) {
			names[i] = "yours"
		}
	}
	whose := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	return fmt.Sprintf("%d prompt%s (%s)", w.prompts, plural(w.prompts), whose)
}

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

// member finds a connected member by name: case-insensitive, runs of spaces as one. Never
// by id: ids are never shown, and a participant named "m2" must not make /kick m2 reach
// the member whose id that is (a tester's /role m2 viewer demoted a co-host so).
func (r *roster) member(name string) (wire.Member, bool) {
	for _, m := range r.members {
		if sameName(m.Name, name) {
			return m, true
		}
	}
	return wire.Member{}, false
}

// alike lists the connected members whose names a person would take for name (term.Alike):
// "hana-2" typed for "hаna-2" with a Cyrillic "а", which /who shows alike.
func (r *roster) alike(name string) []wire.Member {
	k := term.KeyOf(term.Name(name))
	var found []wire.Member
	for _, m := range r.members {
		if term.KeyOf(term.Name(m.Name)).Alike(k) {
			found = append(found, m)
		}
	}
	return found
}

// named finds the member a host names: a connected one, else one who is away (away true).
func (r *roster) named(name string) (m wire.Member, away, ok bool) {
	if m, ok = r.member(name); ok {
		return m, false, true
	}
	m, ok = r.awayMember(name)
	return m, ok, ok
}

// inviteReplaced reports whether new invites were made after the member with this id
// joined (or since this terminal knows of them, for one that joined before): the invite
// they joined with no longer works.
func (r *roster) inviteReplaced(id string) bool {
	if r.rotated == 0 {
		return false
	}
	joined, ok := r.firstJoin[id]
	return !ok || joined < r.rotated
}

// connected says whether the member with this id is connected.
func (r *roster) connected(id string) bool {
	return slices.ContainsFunc(r.members, func(m wire.Member) bool { return m.ID == id })
}

// sameName says whether a typed name names a member's: case-insensitive, and spaces are
// spaces however many were typed.
func sameName(name, typed string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(name), " "), strings.Join(strings.Fields(typed), " "))
}
