package party

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// Restore is a party as its journal left it, for `concordia host --resume` (PROTOCOL.md §8).
// Build it with a Recovery.
type Restore struct {
	Seq int64 // the last event's seq: the resumed party goes on from the next
	// Gap: the journal may have lost events members saw (journal.Summary.LostTail): the
	// resumed party numbers its events from Seq+Gap+1, so that none reuses a seq a member
	// holds, and says why.
	Gap int64
	// LostEnd: a failed write (a full disk) cut the journal short while the party went on
	// (journal.Summary.LostEnd): past Seq it lost events members saw, maybe whole turns,
	// so nothing it holds as unanswered is run again. The batch it ends in may have
	// finished, and its waiting prompts may have been sent: they are said, not sent.
	LostEnd bool
	NextID  int64            // the highest number in any id given out (p3, b2, m4, t1…)
	Members []journal.Member // every member record, kicked ones included
	// Live were connected when the host stopped; the resumed party says they left.
	Live []wire.Member
	// Ended: the last run ended cleanly (a host ended the party; journal.Summary.Ended),
	// so Live were there at its end rather than cut off by a crash. EndedAt is when
	// (journal.Summary.EndedAt; zero when not known): the time their leaving is recorded
	// with.
	Ended   bool
	EndedAt time.Time
	// Recent are the last events (contiguous, oldest first), up to the memory window.
	Recent []logged
	// Pending are prompts that were acknowledged but never carried by a batch event (nor
	// rejected or withdrawn): they are queued again, oldest first.
	Pending []wire.Prompt
	// Unfinished is the batch that was on the agent (a batch event, no turn): it runs again.
	Unfinished *wire.Batch
	// UnfinishedBy are the names of Unfinished's authors, each once, in its prompts' order.
	UnfinishedBy []string
	// UnfinishedRan is how long the journal saw Unfinished run: from its batch event (or
	// the retry that last sent it) to the journal's last event, or its last alive record
	// after that (Recovery.Alive).
	UnfinishedRan time.Duration
	// Without: the host resumes without what the party left unanswered (host --resume
	// --without-unanswered, the window's "Resume without them"): Pending are withdrawn by
	// the party's owner (Held is rejected instead), and Unfinished ends, failed, not run
	// again; each is said. Set it before New.
	Without bool
	// Open are tool requests still waiting for a decision: they are denied.
	Open []wire.Permission
	// Held is the merged batch that waited for a host's approval when the host stopped (nil:
	// none). Its prompts are among Pending; a resume that takes them up merges them again, and
	// one that does not rejects it, so that no client keeps its card waiting.
	Held *wire.Approval
	// Phase, Approval and PermissionMode are as the last events left them.
	Phase          string
	Approval       bool
	PermissionMode string
	HasSettings    bool // a settings event set Approval and PermissionMode
	// Workspace is the sharing level participants last saw: the one a settings event last
	// gave, or (host.OpenResume fills it) the one the last run started with; "" = unknown.
	Workspace string
	Always    []string // tools a host allowed for the rest of the party
	// AlwaysAnnounced: the last settings event listed exactly Always (false when the
	// journal ends between an "always" decision and its settings event, or predates them).
	AlwaysAnnounced bool
	// Merger is the merger the last settings event named ("": none did); the resumed party
	// says its own when it differs (it is chosen again at each start).
	Merger string
	// Failed is the error of the last turn that failed on the agent, when no batch has
	// carried the note of it since (Party.failed): the resumed party's next batch does.
	Failed string
	// EndCut is the last turn when the party's end cut it short (journal.Summary.EndCut;
	// host.OpenResume fills it): not run again, and the resume's notice says so.
	EndCut *journal.EndCut
}

// Recovery reads a journal's events one by one (pass its Event to journal.Read or
// journal.Open) and works out what a resumed party needs. Its memory stays within the
// window it was made with, whatever the journal's length.
type Recovery struct {
	r        Restore
	window   int
	winBytes int
	pending  map[string]wire.Prompt
	order    []string // pending prompt ids, oldest first (ids that left are skipped)
	live     map[string]wire.Member
	liveOrd  []string
	open     map[string]wire.Permission
	batches  map[string]bool                // batches without their turn yet
	commands map[string]bool                // batches that were agent commands
	noted    struct{ batch, failed string } // the last batch that carried a failure's note, and that note's error
	// The seqs of what Cut may drop: each waiting prompt's, the unfinished batch's, and
	// the turn's that left Failed owed.
	promptSeq                map[string]int64
	unfinishedSeq, failedSeq int64
	// When Unfinished was last sent to the agent, and the time of the last event.
	unfinishedAt, lastAt time.Time
	unfinishedBy         []string
}

// NewRecovery makes a Recovery keeping up to window bytes of recent events (0: the
// default memory window).
func NewRecovery(window int) *Recovery {
	if window <= 0 {
		window = DefaultMemoryWindow
	}
	return &Recovery{
		window:   window,
		pending:  map[string]wire.Prompt{},
		live:     map[string]wire.Member{},
		open:     map[string]wire.Permission{},
		batches:  map[string]bool{},
		commands: map[string]bool{},
		r:        Restore{Phase: wire.PhaseIdle},

		promptSeq: map[string]int64{},
	}
}

// Cut drops what a journal cut short at event at (journal.Summary.CutAt) left
// unanswered: a resume after the one that followed the cut must not run it either. That
// resume said so, withdrew the waiting prompts and denied the open requests, but the
// batch the journal ended in got no turn, and the failure owed then may have been
// carried since (a reviewer's second resume ran the batch again). Call it before
// Restore.
func (rc *Recovery) Cut(at int64) {
	if rc.r.Unfinished != nil && rc.unfinishedSeq <= at {
		rc.r.Unfinished = nil
	}
	for id, seq := range rc.promptSeq {
		if seq <= at {
			delete(rc.pending, id)
			delete(rc.promptSeq, id)
		}
	}
	if rc.r.Failed != "" && rc.failedSeq <= at {
		rc.r.Failed = ""
	}
}

// Alive takes the journal's last alive record after its last event (journal.Summary.Alive;
// zero: none): the turn that was running then ran at least until at. Call it before
// Restore. A journal of before alive records has none: the cut turn is timed to its last
// event, as it was.
func (rc *Recovery) Alive(at time.Time) {
	if at.After(rc.lastAt) {
		rc.lastAt = at
	}
}

// Event takes the journal's next event.
func (rc *Recovery) Event(ev wire.Event, raw json.RawMessage) {
	r := &rc.r
	if n := len(r.Recent); n > 0 && ev.Seq != r.Recent[n-1].ev.Seq+1 {
		// A gap (a resume after a lost tail, Restore.Gap): the window is contiguous in
		// seq, so it starts again here; what came before is read from the journal.
		for i := range r.Recent {
			r.Recent[i] = logged{}
		}
		r.Recent, rc.winBytes = r.Recent[:0], 0
	}
	r.Seq = ev.Seq
	if !ev.TS.IsZero() {
		rc.lastAt = ev.TS
	}
	r.Recent = append(r.Recent, logged{ev: ev, raw: append(json.RawMessage(nil), raw...), size: len(raw)})
	rc.winBytes += len(raw)
	for len(r.Recent) > 1 && rc.winBytes > rc.window {
		rc.winBytes -= r.Recent[0].size
		r.Recent[0] = logged{}
		r.Recent = r.Recent[1:]
	}
	switch ev.Kind {
	case wire.KindPrompt:
		if ev.Prompt != nil {
			rc.id(ev.Prompt.ID)
			rc.pending[ev.Prompt.ID] = *ev.Prompt
			rc.promptSeq[ev.Prompt.ID] = ev.Seq
			rc.order = append(rc.order, ev.Prompt.ID)
		}
	case wire.KindBatch:
		if ev.Batch != nil {
			rc.id(ev.Batch.ID)
			rc.unfinishedBy = rc.unfinishedBy[:0]
			for _, id := range ev.Batch.Prompts {
				if pr, ok := rc.pending[id]; ok && !slices.Contains(rc.unfinishedBy, pr.User) {
					rc.unfinishedBy = append(rc.unfinishedBy, pr.User)
				}
			}
			rc.carry(ev.Batch.Prompts)
			if r.Held != nil && r.Held.Batch == ev.Batch.ID {
				r.Held = nil // approved (or released): sent
			}
			b := *ev.Batch
			r.Unfinished, rc.unfinishedSeq, rc.unfinishedAt = &b, ev.Seq, ev.TS
			rc.batches[b.ID] = true
			switch {
			case b.Merger == "command":
				rc.commands[b.ID] = true
				if isClear(b.Merged) {
					r.Failed = ""
				}
			case b.Sent != "":
				rc.noted.batch, rc.noted.failed = b.ID, r.Failed
				r.Failed = ""
			}
		}
	case wire.KindApproval:
		if ev.Approval != nil {
			rc.id(ev.Approval.Batch)
			a := *ev.Approval
			r.Held = &a
		}
	case wire.KindRejected:
		if ev.Rejected != nil {
			rc.carry(ev.Rejected.Prompts)
			if r.Held != nil && r.Held.Batch == ev.Rejected.Batch {
				r.Held = nil
			}
		}
	case wire.KindWithdrawn:
		if ev.Withdrawn != nil {
			rc.carry([]string{ev.Withdrawn.Prompt})
		}
	case wire.KindTurn:
		if ev.Turn != nil {
			carried := ""
			if ev.Turn.Batch == rc.noted.batch {
				carried = rc.noted.failed
			}
			was := r.Failed
			r.Failed = owedAfter(*ev.Turn, rc.commands[ev.Turn.Batch], r.Failed, carried)
			if r.Failed != was || failedOnAgent(*ev.Turn, rc.commands[ev.Turn.Batch]) {
				// This turn left what is owed: the same words as before, too (a reviewer's
				// second failure after a cut repeated the first's, and Cut dropped it).
				rc.failedSeq = ev.Seq
			}
			delete(rc.commands, ev.Turn.Batch)
			delete(rc.batches, ev.Turn.Batch)
			if r.Unfinished != nil && r.Unfinished.ID == ev.Turn.Batch {
				r.Unfinished = nil
			}
		}
	case wire.KindRetry:
		if r.Unfinished != nil && ev.RetryBatch == r.Unfinished.ID {
			rc.unfinishedAt = ev.TS // sent again (a resume, an agent that restarted)
		}
	case wire.KindPhase:
		r.Phase = ev.Phase
	case wire.KindSettings:
		if ev.Settings != nil {
			r.Approval, r.PermissionMode, r.HasSettings = ev.Settings.Approval, ev.Settings.PermissionMode, true
			if ev.Settings.Workspace != "" {
				r.Workspace = ev.Settings.Workspace
			}
			if ev.Settings.Merger != "" { // "": written before settings carried it
				r.Merger = ev.Settings.Merger
			}
			if ev.Settings.Always != nil { // nil: written before settings carried it
				r.Always = append([]string(nil), ev.Settings.Always...)
				r.AlwaysAnnounced = true
			}
		}
	case wire.KindPermission:
		if pm := ev.Permission; pm != nil {
			rc.id(pm.ID)
			if pm.Status == wire.PermissionPending {
				rc.open[pm.ID] = *pm
			} else {
				delete(rc.open, pm.ID)
				// The decision, and each use it allowed since (unasked: its first event): only
				// the first is news (a reviewer's resume announced a tool it had already).
				if pm.ByAlways() && !slices.Contains(r.Always, pm.Tool) {
					r.Always = append(r.Always, pm.Tool)
					r.AlwaysAnnounced = false
				}
			}
		}
	case wire.KindParticipants:
		switch {
		case ev.Joined != nil:
			rc.id(ev.Joined.ID)
			if _, ok := rc.live[ev.Joined.ID]; !ok {
				rc.liveOrd = append(rc.liveOrd, ev.Joined.ID)
			}
			rc.live[ev.Joined.ID] = *ev.Joined
		case ev.Left != nil:
			delete(rc.live, ev.Left.ID)
		case ev.Changed != nil:
			if m, ok := rc.live[ev.Changed.ID]; ok {
				m.Role = ev.Changed.Role
				rc.live[ev.Changed.ID] = m
			}
		}
	}
	if len(rc.order) > 4*len(rc.pending)+64 {
		rc.order = rc.compact(rc.order, func(id string) bool { _, ok := rc.pending[id]; return ok })
	}
	if len(rc.liveOrd) > 4*len(rc.live)+64 {
		rc.liveOrd = rc.compact(rc.liveOrd, func(id string) bool { _, ok := rc.live[id]; return ok })
	}
}

func (rc *Recovery) compact(ids []string, keep func(string) bool) []string {
	out := ids[:0]
	seen := map[string]bool{}
	for _, id := range ids {
		if keep(id) && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// carry: these prompts left the queue (sent or rejected).
func (rc *Recovery) carry(ids []string) {
	for _, id := range ids {
		delete(rc.pending, id)
		delete(rc.promptSeq, id)
	}
}

// idNumber is the number in an id ("p12" → 12; -1 without one): ids are made in order.
func idNumber(id string) int64 {
	i := strings.IndexAny(id, "0123456789")
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(id[i:], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// id raises NextID past the number in id ("p12" → 12), so resumed ids never repeat.
func (rc *Recovery) id(id string) {
	if n := idNumber(id); n > rc.r.NextID {
		rc.r.NextID = n
	}
}

// Restore is the result, with the journal's member records.
func (rc *Recovery) Restore(members map[string]journal.Member) *Restore {
	r := rc.r
	r.Members = r.Members[:0]
	for _, m := range members {
		rc.id(m.ID)
		r.Members = append(r.Members, m)
	}
	r.NextID = rc.r.NextID
	r.Pending = nil
	seen := map[string]bool{}
	for _, id := range rc.order {
		if pr, ok := rc.pending[id]; ok && !seen[id] {
			seen[id] = true
			r.Pending = append(r.Pending, pr)
		}
	}
	r.Live = nil
	seen = map[string]bool{}
	for _, id := range rc.liveOrd {
		if m, ok := rc.live[id]; ok && !seen[id] {
			seen[id] = true
			r.Live = append(r.Live, m)
		}
	}
	r.Open = nil
	for _, pm := range rc.open {
		r.Open = append(r.Open, pm)
	}
	if r.Held != nil {
		// Only while its prompts wait: merged again by a resume since, or cut with the
		// journal, it is no longer held.
		held := *r.Held
		held.Prompts = slices.DeleteFunc(slices.Clone(held.Prompts), func(id string) bool { _, ok := rc.pending[id]; return !ok })
		r.Held = &held
		if len(held.Prompts) == 0 {
			r.Held = nil
		}
	}
	if r.Unfinished != nil && !rc.batches[r.Unfinished.ID] {
		r.Unfinished = nil
	}
	r.UnfinishedRan, r.UnfinishedBy = 0, nil
	if r.Unfinished != nil {
		r.UnfinishedBy = slices.Clone(rc.unfinishedBy)
		if !rc.unfinishedAt.IsZero() && rc.lastAt.After(rc.unfinishedAt) {
			r.UnfinishedRan = rc.lastAt.Sub(rc.unfinishedAt)
		}
	}
	return &r
}

// LostTailNotice is said in the resume's notice when the journal may have lost events its
// members saw (Restore.Gap).
const LostTailNotice = "its host's machine went down (or its journal's end was damaged) after the last events the journal kept, so events members saw may be missing from its history; what follows is numbered after them"

// LostEndPrefix starts the resume's notice of a journal a failed write cut short
// (Restore.LostEnd): a window closes the turn the journal ended in by it (no turn event
// ever will).
const LostEndPrefix = "the party was resumed: its journal could not be written to its end"

// lostEndNotice is the first note of that notice, the journal's last event having been
// at last (zero: not known). Said in people's words: a window tester read "after event
// 4288" and "batch b4118" as nothing they knew.
func lostEndNotice(last time.Time) string {
	when := ""
	if !last.IsZero() {
		when = " after " + last.UTC().Format("2006-01-02 15:04 UTC")
	}
	return "its journal could not be written to its end (was the disk full?), so what members saw" + when + " is not in its history, and nothing from before is run again: prompts sent since and not answered are not queued, send them again"
}

// requestWords names a batch by the start of what was sent, for a person.
func requestWords(b wire.Batch) string { return "“" + shortLine(b.Merged) + "”" }

// restore sets up a new Party from its journal (in New, before Run).
func (p *Party) restore(r *Restore) {
	p.seq = r.Seq + r.Gap
	p.nextID = r.NextID
	if r.Gap == 0 {
		// The window is contiguous in seq: after a gap it starts empty, and what came
		// before it is read from the journal.
		p.win = append([]logged(nil), r.Recent...)
	}
	for _, e := range p.win {
		p.winBytes += e.size
	}
	if r.Phase != "" {
		p.phase = r.Phase
	}
	for _, t := range r.Always {
		p.always[t] = wire.Member{} // the journal says what, not who: the owner, by then
	}
	p.failed = r.Failed // the resumed session still holds that request
	if r.LostEnd {
		p.failed = "" // owed before the cut: a batch since may have carried it
	}
	// A client removed as a viewer, by its newest member (a client's later member, promoted
	// and removed, comes back as the invite says, as in the run that removed it: a
	// reviewer's). The members come in no order.
	newest := map[string]journal.Member{}
	for _, jm := range r.Members {
		if was, ok := newest[jm.ClientID]; jm.ClientID != "" && (!ok || idNumber(jm.ID) > idNumber(was.ID)) {
			newest[jm.ClientID] = jm
		}
	}
	for client, jm := range newest {
		if jm.Kicked && jm.Role == wire.RoleViewer {
			p.viewersOut[client] = true
		}
	}
	for _, jm := range r.Members {
		if jm.Kicked && !jm.Forgotten && jm.Session != "" {
			p.removed[jm.Session] = jm.KickedBy // "" in a journal of before: "a host"
		}
		if jm.Kicked || jm.ID == "" {
			continue
		}
		m := &member{
			Member:   wire.Member{ID: jm.ID, Name: jm.Name, Role: jm.Role},
			session:  jm.Session,
			owner:    jm.Owner,
			clientID: jm.ClientID,
			tokens:   float64(p.cfg.PromptBurst),
			refill:   p.cfg.Now(),
		}
		m.rec = jm
		if m.owner {
			// The owner comes back as the member it was (join): the party's host is that
			// member's name, whatever name the resuming host gave.
			p.hostName = m.Name
		}
		p.known[m.ID] = m
		if m.session != "" {
			p.sessions[m.session] = m
		}
		if m.clientID != "" {
			p.byClient[m.clientID] = m
		}
	}
}

// hostResumed is again's why for the batch a stopped host was running.
const hostResumed = "the host stopped and was resumed"

// ResumedWithout is why a resume that did not take up a merged prompt held for approval
// rejected it.
const ResumedWithout = "the party was resumed without it: send again what is still wanted"

// NotRunAgain is the error of the turn a host stopped during, when the party is resumed
// without what it left unanswered (Restore.Without).
const NotRunAgain = wire.TurnNotRunAgain

// leftAtStop is why and how a member connected when the host stopped left: they did not
// choose to (our extensions say so). The owner's own member is the host that stopped: "alice
// was disconnected when the host stopped" read oddly of the host (a tester's).
func leftAtStop(m wire.Member, owner string, ended bool) (why, text string) {
	switch {
	case ended:
		return wire.WhyPartyEnded, m.Name + " left when the party ended"
	case m.Role == wire.RoleHost && m.Name == owner:
		return wire.WhyHostStopped, m.Name + ", the host, stopped"
	}
	return wire.WhyHostStopped, m.Name + " was disconnected when the host stopped"
}

// resumed runs first on the loop of a resumed party: it closes what the stopped host left
// open and puts unanswered work back in the pipeline (PROTOCOL.md §8, docs/PROTOCOL.md §8).
func (p *Party) resumed(r *Restore) {
	// Without what was left unanswered, by the host's choice: as after a lost end, nothing
	// from before runs again, and what was waiting is withdrawn.
	without := r.Without && !r.LostEnd && (len(r.Pending) > 0 || r.Unfinished != nil)
	if b := r.Unfinished; without && b != nil {
		// Its turn ends first, where it was cut (a tester's window showed the resume's
		// notices inside the cut turn's card), as one the agent failed: its authors may send
		// it again (a window offers their prompts back), and the agent's session, which
		// holds the request, is told with the next batch not to go on with it (owedAfter). A
		// lost end has none: its notice closes the turn in a window, and its batch may have
		// finished (LostEndPrefix).
		turn := wire.Turn{Batch: b.ID, Status: wire.TurnError, DurationMS: r.UnfinishedRan.Milliseconds(), Error: NotRunAgain}
		p.emit(wire.Event{Kind: wire.KindTurn, Turn: &turn})
		p.failed = owedAfter(turn, b.Merger == "command", p.failed, "")
	}
	for i, m := range r.Live {
		left := m
		n := len(r.Live) - i - 1
		why, text := leftAtStop(m, p.hostName, r.Ended)
		ev := wire.Event{Kind: wire.KindParticipants, Left: &left, Count: &n, Text: text, Why: why}
		if r.Ended && !r.EndedAt.IsZero() {
			// They left when the party ended, not at this resume (a tester's journal had
			// "hosty left when the party ended" at the resume's time). When a crash cut
			// them off, the time is not known: the resume's it is (the export says "some
			// time after" the last event).
			p.emitAt(ev, r.EndedAt)
			continue
		}
		p.emit(ev)
	}
	var notes []string
	switch {
	case r.LostEnd:
		// Lost with the journal's end, maybe: a batch that finished, prompts sent since.
		// Run again, they would repeat work done; said, their authors send again what was
		// not answered (what follows withdraws the prompts).
		var last time.Time
		if n := len(r.Recent); n > 0 {
			last = r.Recent[n-1].ev.TS
		}
		notes = append(notes, lostEndNotice(last))
		if b := r.Unfinished; b != nil {
			notes = append(notes, fmt.Sprintf("the request that was running then, %s, is not sent again, as it may have finished since", requestWords(*b)))
		}
		if n := len(r.Pending); n > 0 {
			notes = append(notes, fmt.Sprintf("%d %s waiting then %s withdrawn, not queued again, as %s may have been sent since: send again what was not answered",
				n, plural(n, "prompt", "prompts"), plural(n, "is", "are"), plural(n, "it", "they")))
		}
	case without:
		notes = append(notes, "its host chose not to take up what was left unanswered")
		if b := r.Unfinished; b != nil {
			notes = append(notes, fmt.Sprintf("the request that was running when the host stopped, %s, is not sent again", requestWords(*b)))
		}
		held := 0
		if r.Held != nil {
			held = len(r.Held.Prompts)
			what := "the merged prompt" // one prompt is not merged (a tester's read "merged" of one)
			if held == 1 {
				what = "the prompt"
			}
			notes = append(notes, what+" that waited for a host's approval is not sent")
		}
		if n := len(r.Pending) - held; n > 0 {
			notes = append(notes, fmt.Sprintf("%d %s waiting then %s withdrawn, not queued again", n, plural(n, "prompt", "prompts"), plural(n, "is", "are")))
		}
		notes[len(notes)-1] += ": send again what is still wanted"
	case len(r.Pending) > 0:
		n := len(r.Pending)
		notes = append(notes, fmt.Sprintf("%d waiting %s queued again", n, plural(n, "prompt is", "prompts are")))
	}
	if r.Unfinished != nil && !r.LostEnd && !without {
		notes = append(notes, "the batch that was running is sent to the agent again (told that part of it may already be done)")
	}
	if r.EndCut != nil && !r.LostEnd {
		notes = append(notes, EndCutWords(r.EndCut)+", and is not run again: send again what is still wanted")
	}
	switch {
	case r.Workspace != "" && r.Workspace != p.wsLevel:
		// Resumed sharing another level than the last one people saw (the host chose it on
		// resuming): said in words, as when a host changes it.
		notes = append(notes, "the party "+sharingWords[p.wsLevel])
	case p.wsLevel == wire.WorkspaceTree:
		// Still the whole folder: said again, for those who come back (and a party
		// journalled before parties said so as they started).
		notes = append(notes, stillTreeNotice)
	}
	if r.Gap > 0 && !r.LostEnd {
		notes = append(notes, LostTailNotice)
	}
	text := "the party was resumed"
	if len(notes) > 0 {
		text += ": " + strings.Join(notes, "; ")
	}
	p.emit(wire.Event{Kind: wire.KindSystem, Text: text})
	// A settings event whenever what participants last saw differs. The workspace level
	// too: the next resume takes the level of the last settings event, so an old one must
	// not stand after this run chose another (--share-workspace off on a party that shared).
	// And when what is always allowed was never announced as it stands (an older journal,
	// or a host killed between the decision and its settings event).
	if r.HasSettings && (r.Approval != p.approval || r.PermissionMode != p.permMode) || !r.HasSettings && (p.approval || p.permMode != wire.PermissionAsk) ||
		r.Workspace != "" && r.Workspace != p.wsLevel || len(r.Always) > 0 && !r.AlwaysAnnounced ||
		r.Merger != "" && r.Merger != p.merger { // resumed without the key it had, or with one
		p.emitSettings()
	}
	why := "the host stopped before a decision"
	if r.LostEnd {
		why = "the party's journal lost what was decided" // perhaps allowed, and used
	}
	for _, pm := range r.Open {
		perm := pm
		// As any decision: no detail (§7; a conformance tester's carried the request's).
		perm.Status, perm.By, perm.Reason, perm.Expires, perm.Detail = wire.PermissionDenied, "", why, nil, ""
		p.emit(wire.Event{Kind: wire.KindPermission, Permission: &perm})
	}
	if r.LostEnd || without {
		// Withdrawn by the party's owner: the host who resumed it.
		by := wire.Member{Name: p.hostName}
		for _, m := range p.known {
			if m.owner {
				by = m.Member
			}
		}
		held := map[string]bool{}
		if h := r.Held; h != nil {
			// The merged prompt that waited for approval: rejected, as a host would, so that
			// no client keeps its card waiting for a decision nobody can make (a reviewer's).
			for _, id := range h.Prompts {
				held[id] = true
			}
			p.emit(wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: h.Batch, Prompts: h.Prompts, By: by.Name, Reason: ResumedWithout}})
		}
		for _, pr := range r.Pending {
			if !held[pr.ID] {
				p.emit(wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: pr.ID, User: pr.User, By: by.Name, ByMember: by.ID, Resumed: true}})
			}
		}
		p.settle()
		return
	}
	now := p.cfg.Now()
	for _, pr := range r.Pending {
		p.pending = append(p.pending, pendingPrompt{prompt: pr, at: now})
		p.lastPrompt = now
	}
	if b := r.Unfinished; b != nil {
		// The host stopped during this batch's turn: its output so far is void, as after an
		// agent crash, and it runs again on the resumed session.
		// The resume's notice above already says the batch runs again (a tester read it three
		// times: that notice, the retry, and one more line here).
		command := b.Merger == "command"
		text := b.Merged
		if b.Sent != "" {
			text = b.Sent // with the note of a failure before it, as it went the first time
		}
		p.emit(wire.Event{Kind: wire.KindRetry, RetryBatch: b.ID, Resumed: true, RanMS: r.UnfinishedRan.Milliseconds(), RetrySent: retrySent(text, command, hostResumed)})
		// Its phase said anew: the journal's last was already "running", and with none
		// emitted the window timed the turn from before the stop, the host's downtime
		// included (a window tester's).
		p.phase = ""
		p.busy = true
		p.startTurn(b.ID, text, command, hostResumed)
		return
	}
	p.settle()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// journalMember writes m's record when it changed (a new member, a new name, role or
// client_id; a kick: journalKicked), so that a resumed party knows every session. Runs on
// the loop.
func (p *Party) journalMember(m *member) {
	p.journalMemberRecord(m, journal.Member{})
}

// journalKicked writes the record of a member a host (named by) removed: kicked, its
// session dead, and who removed it, which a resumed party tells that session's hello.
func (p *Party) journalKicked(m *member, by string) {
	p.journalMemberRecord(m, journal.Member{Kicked: true, KickedBy: by})
}

// journalForgotten writes the record of an away member the party lets go of to bound its
// memory: kicked (its session is dead), and forgotten, as no host removed it.
func (p *Party) journalForgotten(m *member) {
	p.journalMemberRecord(m, journal.Member{Kicked: true, Forgotten: true})
}

func (p *Party) journalMemberRecord(m *member, how journal.Member) {
	if p.cfg.Journal == nil {
		return
	}
	rec := journal.Member{ID: m.ID, Name: m.Name, Role: m.Role, Session: m.session, ClientID: m.clientID, Owner: m.owner, Kicked: how.Kicked, Forgotten: how.Forgotten, KickedBy: how.KickedBy}
	if rec == m.rec {
		return
	}
	m.rec = rec
	err := p.cfg.Journal.Member(rec)
	if err != nil {
		p.log.Error("journal a member", "member", m.ID, "err", err)
	}
	p.journaled(err)
}
