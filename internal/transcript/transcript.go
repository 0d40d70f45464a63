// Package transcript renders a party's event log as a Markdown document a person can
// read later: who asked what, what was merged and sent to the agent, the agent's replies,
// its tool steps, the hosts' permission decisions, approvals and rejections, and what
// the agent changed in the workspace.
//
// It is pure: events in, bytes out. The window's *Save as Markdown* uses it; so can
// `concordia export` and `concordia join --transcript`.
//
// Text from people (prompts, merged text, tool output, reasons) is put in fenced blocks
// or inline code with fences longer than any it contains, so that it shows as written and
// never becomes Markdown or HTML. The agent's reply is Markdown already and is kept as
// it is, but for raw HTML, written so that it shows as text (replyText).
package transcript

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Meta describes the party above the log.
type Meta struct {
	Host  string    // the host's name ("" = unknown)
	Party string    // the party id
	Agent string    // "Claude Code" when ""
	Saved time.Time // when the document is written (zero: not shown)
	Ended string    // why the party ended; "" while it runs
	// Running: the party was still running when the document was written (an export of a
	// live party), said under the title with Saved's time: without it, an export of a live
	// party read as the whole party (a tester's).
	Running bool
	Viewer  string // whose copy this is (the window's person); "" = not shown
}

// Markdown writes the document for events (oldest first; duplicates by seq are skipped).
func Markdown(w io.Writer, meta Meta, events []wire.Event) error {
	tw := NewWriter(w, meta)
	for _, ev := range events {
		tw.Event(ev)
	}
	return tw.Close()
}

// Writer writes the document as its events come (Markdown, one event at a time), so that
// a long party's transcript is never held whole in memory: an export of a 226 MB journal
// took 1.5 GB with every event, and the document, in memory at once (a durability
// tester's). Call Close once the events are done.
type Writer struct {
	w    io.Writer
	r    *renderer
	last int64
	err  error
}

// flushBytes is how much of the document a Writer holds before it writes the lines done.
var flushBytes = 64 << 10 // a variable for the tests

// NewWriter starts the document of meta on w.
func NewWriter(w io.Writer, meta Meta) *Writer {
	r := &renderer{prompts: map[string]wire.Prompt{}, asked: map[string]bool{}, away: map[string]bool{}, host: meta.Host}
	r.header(meta)
	return &Writer{w: w, r: r}
}

// Event takes the party's next event; one whose seq does not rise (a replay's overlap) is
// skipped.
func (tw *Writer) Event(ev wire.Event) {
	if tw.err != nil || ev.Seq != 0 && ev.Seq <= tw.last {
		return // nothing more is written after a failed write: nor built
	}
	tw.last = ev.Seq
	tw.r.event(ev)
	if tw.err == nil && tw.r.b.Len() >= flushBytes {
		tw.err = tw.r.flush(tw.w, false)
	}
}

// Close ends the document (a turn still open, the files changed) and writes what is left;
// it returns the first write error.
func (tw *Writer) Close() error {
	r := tw.r
	r.flushTurn()
	r.endPaused(true)
	r.writeFiles()
	r.footer()
	if tw.err == nil {
		tw.err = r.flush(tw.w, true)
	}
	return tw.err
}

// flush writes the document's finished lines (all: all of it), cleaned, and keeps the
// rest. Peers' text is written as they sent it: the file is read in terminals (cat, less
// -R) and editors, where an escape sequence would act (a reviewer's export set the
// clipboard and the window title, and cleared the screen). The live terminal cleans the
// same text. Line by line: an unterminated sequence (a prompt ending in ESC ]) takes the
// rest of its line, never the rest of the document. Nothing is written while a paused
// turn's output may still be taken out of it (unwrite: a retry voids it).
func (r *renderer) flush(w io.Writer, all bool) error {
	if !all && (r.paused != nil || r.turn != nil && len(r.turn.spans) > 0) {
		return nil
	}
	doc := r.b.String()
	n := len(doc)
	if !all {
		n = strings.LastIndexByte(doc, '\n') + 1
	}
	if n == 0 {
		return nil
	}
	_, err := io.WriteString(w, cleanLines(doc[:n]))
	rest := doc[n:]
	r.b.Reset()
	r.b.WriteString(rest)
	return err
}

// cleanLines is term.Clean of each line of s.
func cleanLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = term.Clean(l)
	}
	return strings.Join(lines, "")
}

// String is Markdown into a string.
func String(meta Meta, events []wire.Event) string {
	var b strings.Builder
	_ = Markdown(&b, meta, events)
	return b.String()
}

type renderer struct {
	b       strings.Builder
	prompts map[string]wire.Prompt
	turn    *turn // the open turn section, written when the next section starts
	// paused is a batch's turn whose output so far was written when a notice came (someone
	// joined, the party was resumed) before the turn ended: its output goes on under the
	// notice, without a new heading, and "had not finished" is said only if it never ends.
	paused  *turn
	files   []wire.FileChange
	hidden  int    // changed files kept back as secrets (§9, the last changes event's)
	more    int    // changed files the last changes event did not list (past wire.MaxListed)
	changes bool   // a changes event came
	failed  string // the error of the turn just written as failed: its "the batch failed" repeats it
	// held are who joined and left while a turn's output was open: written after that
	// output, so that a reply is not cut into pieces (mid-word, or inside a code block) by
	// notices that are not about it. Each keeps its time.
	held []string
	// waiting is the merged text a host was asked to approve, by batch id: a batch sent
	// with other text was edited (a tester's export said "merged by local" of a host's text).
	waiting map[string]string
	// asked are the tool requests put to a host so far (pending), by id: an allowed one
	// that never was is a use the owner's "always" allowed without asking anyone.
	asked map[string]bool
	// removed is who the system event just before said was removed with its waiting
	// prompts: the withdrawals after it are the removal's (as the terminal says them).
	removed string
	// last is the time of the last event before a stop's "disconnected when the host
	// stopped": the resumed host writes those at its resume, so their own time is the
	// resume's; the stop came some time after this.
	last time.Time
	// away are the members who left (by id): joining again, they came back.
	away map[string]bool
	// host is the party's host's name (Meta.Host): another member with role host is a
	// co-host.
	host string
	// The files each turn changed, as the window's card lists them ("Files changed during
	// this turn"; a tester's saved Markdown had none): listed is each file's entry in the
	// last changes event; touched, the files whose entry in a list since the current
	// batch's was new, different or gone; turnFiles says a batch's turn takes them, until
	// the first list after its end (turnEnded), which writes them (writeFiles).
	listed    map[string]string
	touched   []wire.FileChange
	turnFiles bool
	turnEnded bool
	// level is the sharing level settings events said; a list that follows a change of it
	// shows what that level shows (.env with the whole folder), which no turn touched.
	level  string
	rebase bool
}

// turn collects a batch's output so that each permission shows once, with its outcome.
type turn struct {
	batch string
	parts []part
	perms map[string]int // permission id → index in parts
	end   *wire.Turn
	// written and spans are what of this batch's turn was written before a notice paused
	// it, and where in the document: a retry of the batch takes that output out again.
	written []part
	spans   [][2]int
	// errOut: the last tool line is a failed step's result, whose own output (the
	// reason) is written under it.
	errOut    bool
	errResult string // that result line
	// failed and denials count the tool results that are failures and denials (PROTOCOL.md
	// §5; cancellations among the denials), as their lines come: the text written holds a
	// failed step's output too, whose lines are the tool's and may look like results (a
	// reviewer's).
	failed, denials int
}

type part struct {
	kind string // "reply", "tool", "perm", "void"
	text string // void: why the output before was discarded; reply, tool: the first piece
	// more is a reply's or tool lines' text once a second piece came (add): a turn's
	// thousands of deltas were joined one by one, in time quadratic in its length.
	more    *strings.Builder
	perm    wire.Permission
	unasked bool // perm: allowed by the owner's "always", nobody asked
}

// add appends s to a reply's or tool lines' text.
func (p *part) add(s string) {
	if p.more == nil {
		p.more = &strings.Builder{}
		p.more.WriteString(p.text)
		p.text = ""
	}
	p.more.WriteString(s)
}

// all is a reply's or tool lines' text.
func (p *part) all() string {
	if p.more != nil {
		return p.more.String()
	}
	return p.text
}

func (r *renderer) header(m Meta) {
	title := "Concordia party"
	if m.Host != "" {
		title = m.Host + "'s party"
	}
	fmt.Fprintf(&r.b, "# %s\n\n", inlineText(title))
	agent := wire.AgentLabel(m.Agent)
	var facts []string
	if m.Party != "" {
		facts = append(facts, "Party "+code(m.Party))
	}
	facts = append(facts, "Agent: "+inlineText(agent))
	if m.Viewer != "" {
		facts = append(facts, "Saved by "+inlineText(m.Viewer))
	}
	if !m.Saved.IsZero() {
		facts = append(facts, "Saved "+m.Saved.Format("2006-01-02 15:04 MST"))
	}
	r.b.WriteString(strings.Join(facts, " · ") + "\n\n")
	switch {
	case m.Ended != "":
		fmt.Fprintf(&r.b, "**How it ended:** %s\n\n", inlineText(m.Ended))
	case m.Running && m.Saved.IsZero():
		r.b.WriteString("**Still running** when this was written: what came after is not here.\n\n")
	case m.Running:
		fmt.Fprintf(&r.b, "**Still running** when exported at %s: what came after is not here.\n\n", m.Saved.Format("2006-01-02 15:04 MST"))
	}
}

func (r *renderer) footer() {
	if !r.changes {
		return
	}
	r.b.WriteString("## Files changed in the working directory\n\n")
	if len(r.files) == 0 && r.hidden == 0 {
		r.b.WriteString("None.\n")
		return
	}
	for _, f := range r.files {
		line := fmt.Sprintf("- %s %s", f.Status, pathCode(f.Path))
		if f.Status == "renamed" && f.From != "" {
			line += " from " + pathCode(f.From)
		}
		switch {
		case f.Binary:
			line += " (binary)"
		case f.Large: // its counts are of the line about it
			line += " (too large to track)"
		default:
			line += fmt.Sprintf(" (+%d −%d)", f.Additions, f.Deletions)
		}
		r.b.WriteString(line + "\n")
	}
	if r.more > 0 {
		fmt.Fprintf(&r.b, "- and %d more file%s, not listed (the host lists %d at most)\n", r.more, map[bool]string{true: "", false: "s"}[r.more == 1], wire.MaxListed)
	}
	if r.hidden > 0 {
		and, s := "and ", "s"
		if len(r.files) == 0 {
			and = ""
		}
		if r.hidden == 1 {
			s = ""
		}
		fmt.Fprintf(&r.b, "- %s%d file%s that may hold credentials, not shown\n", and, r.hidden, s)
	}
}

func clock(ts time.Time) string {
	if ts.IsZero() {
		return ""
	}
	return ts.Local().Format("15:04:05")
}

func (r *renderer) event(ev wire.Event) {
	stopped := ev.Kind == wire.KindParticipants && ev.Left != nil && ev.Why == wire.WhyHostStopped
	lastBefore := r.last
	if !stopped && !ev.TS.IsZero() {
		r.last = ev.TS
	}
	failed := r.failed // only the event right after the failed turn can repeat it
	r.failed = ""
	removed := r.removed
	if ev.Kind != wire.KindWithdrawn {
		r.removed = ""
	}
	switch ev.Kind {
	case wire.KindPrompt:
		if ev.Prompt == nil {
			return
		}
		r.prompts[ev.Prompt.ID] = *ev.Prompt
		r.flushTurn()
		fmt.Fprintf(&r.b, "**%s** asked (%s):\n\n%s\n", inlineText(ev.Prompt.User), clock(ev.TS), fence("text", ev.Prompt.Text))
	case wire.KindApproval:
		if ev.Approval == nil {
			return
		}
		r.flushTurn()
		if r.waiting == nil {
			r.waiting = map[string]string{}
		}
		r.waiting[ev.Approval.Batch] = ev.Approval.Merged
		how := inlineText(wire.MergedHow(ev.Approval.Merger)) // "merged locally", not "by local" (a tester's)
		what := fmt.Sprintf("%s from %s", strings.ToUpper(how[:1])+how[1:], r.authors(ev.Approval.Prompts))
		if len(ev.Approval.Prompts) == 1 { // one prompt is not merged (a tester's)
			what = "The prompt of " + r.authors(ev.Approval.Prompts)
		}
		fmt.Fprintf(&r.b, "*%s, waiting for a host's approval (%s):*\n\n%s\n", what, clock(ev.TS), fence("text", ev.Approval.Merged))
	case wire.KindRejected:
		if ev.Rejected == nil {
			return
		}
		r.flushTurn()
		line := fmt.Sprintf("*Rejected by %s*", inlineText(ev.Rejected.By))
		switch {
		case ev.Rejected.Reason == party.ResumedWithout:
			// Nobody rejected it: the party was resumed without it, as the terminal says
			// (a tester's export read "Rejected by hana" of the resume).
			line = "*The party was resumed without it*"
		case ev.Rejected.Reason != "":
			line += ": " + code(ev.Rejected.Reason)
		}
		if len(ev.Rejected.Prompts) == 1 {
			r.b.WriteString(line + " — the prompt of " + r.authors(ev.Rejected.Prompts) + " was not sent.\n\n")
			break
		}
		r.b.WriteString(line + " — the prompts of " + r.authors(ev.Rejected.Prompts) + " were not sent.\n\n")
	case wire.KindWithdrawn:
		if ev.Withdrawn == nil {
			return
		}
		r.flushTurn()
		whose := inlineText(ev.Withdrawn.User) + "'s prompt"
		if ev.Withdrawn.By == ev.Withdrawn.User {
			whose = "their prompt"
		}
		if removed != "" && ev.Withdrawn.User == removed {
			fmt.Fprintf(&r.b, "*%s went with them (%s); it was not sent.*", whose, clock(ev.TS))
		} else {
			fmt.Fprintf(&r.b, "*%s withdrew %s (%s); it was not sent.*", inlineText(ev.Withdrawn.By), whose, clock(ev.TS))
		}
		if pr, ok := r.prompts[ev.Withdrawn.Prompt]; ok { // which one, when it is far above
			first, _, _ := strings.Cut(strings.TrimSpace(pr.Text), "\n")
			if rs := []rune(first); len(rs) > 80 {
				first = string(rs[:79]) + "…"
			}
			r.b.WriteString(" It asked: " + code(first))
		}
		r.b.WriteString("\n\n")
	case wire.KindBatch:
		if ev.Batch == nil {
			return
		}
		r.flushTurn()
		r.endPaused(false)
		r.writeFiles() // a turn whose own list never came: what the lists during it said
		r.turnFiles, r.turnEnded = true, false
		b := ev.Batch
		how := inlineText(wire.MergedHow(b.Merger))
		held, wasHeld := r.waiting[b.ID]
		delete(r.waiting, b.ID)
		switch {
		case b.Merger == "command":
			how = "an agent command from a host"
		case wasHeld && held != b.Merged:
			how = "edited by a host before it was sent" // the notice above says who
		case len(b.Prompts) == 1 && wire.AsText(r.prompts[b.Prompts[0]].Text) == b.Merged: // its "/" space is no edit
			how = "as written"
		case len(b.Prompts) == 1:
			how = "edited by a host"
		}
		fmt.Fprintf(&r.b, "## Sent to the agent (%s)\n\nFrom %s, %s:\n\n%s\n", clock(ev.TS), r.authors(b.Prompts), how, fence("text", b.Merged))
		r.turn = &turn{batch: b.ID, perms: map[string]int{}}
	case wire.KindOutput:
		t := r.open()
		if ev.Stream == wire.StreamAssistant {
			if n := len(t.parts); n > 0 && t.parts[n-1].kind == "reply" {
				t.parts[n-1].add(ev.Text)
				return
			}
			t.parts = append(t.parts, part{kind: "reply", text: ev.Text})
			return
		}
		if ev.Stream == wire.StreamToolOutput {
			// The tool line above sums it up, but for a step that failed: its summary is the
			// error's first line, and the reason is further down (a user tester's export said
			// "Exit code 1" of a mkdir it never said why failed).
			if n := len(t.parts); n > 0 && t.parts[n-1].kind == "tool" && t.errOut {
				t.parts[n-1].add("\n" + ErrorOutput(ev.Text, t.errResult, "    "))
			}
			t.errOut = false
			return
		}
		text := strings.TrimSuffix(ev.Text, "\n")
		if ev.Stream == wire.StreamTool { // (a stderr line may come between a result and its output)
			for _, l := range strings.Split(text, "\n") {
				t.errOut, t.errResult = IsFailedResult(l), l
				switch {
				case t.errOut:
					t.failed++
				case IsDeniedResult(l), IsCancelledResult(l): // (a host that marks them: not the old "(error)")
					t.denials++
				}
			}
		}
		if ev.Stream == wire.StreamStderr {
			text = "stderr: " + text
		}
		if n := len(t.parts); n > 0 && t.parts[n-1].kind == "tool" {
			t.parts[n-1].add("\n" + text)
			return
		}
		t.parts = append(t.parts, part{kind: "tool", text: text})
	case wire.KindPermission:
		if ev.Permission == nil {
			return
		}
		t := r.open()
		pm := *ev.Permission
		unasked := !r.asked[pm.ID] && pm.ByAlways()
		if pm.Status == wire.PermissionPending {
			r.asked[pm.ID] = true
		} else {
			delete(r.asked, pm.ID)
		}
		if i, ok := t.perms[pm.ID]; ok {
			t.parts[i].perm = pm
			return
		}
		t.perms[pm.ID] = len(t.parts)
		t.parts = append(t.parts, part{kind: "perm", perm: pm, unasked: unasked})
	case wire.KindRetry:
		if r.turn == nil && r.paused != nil && r.paused.batch == ev.RetryBatch {
			r.turn, r.paused = r.paused, nil // what was written above the notice is void
		}
		if r.turn == nil || r.turn.batch != ev.RetryBatch {
			return
		}
		// What the failed attempt showed is void: the agent starts the batch over, and it is
		// dropped (PROTOCOL.md §5), also where a notice had it written already (after a
		// crash and a resume: a tester's export kept it as a reply). Decisions on its tool
		// requests stay (a request the crash left open is denied just before).
		r.unwrite(r.turn.spans)
		void := "The agent was restarted and the batch retried; the output before was discarded."
		if ev.Resumed {
			// Not the agent: the host stopped, and ran the batch again when resumed (a
			// tester's export said "the agent was restarted" of a kill -9 of the host).
			void = "The host stopped before this batch finished; when the party was resumed the batch ran again, and the output before was discarded."
		}
		parts, perms := []part{{kind: "void", text: void}}, map[string]int{}
		for _, pt := range append(r.turn.written, r.turn.parts...) {
			if pt.kind != "perm" || pt.perm.Status == wire.PermissionPending {
				continue
			}
			if i, ok := perms[pt.perm.ID]; ok {
				parts[i] = pt
				continue
			}
			perms[pt.perm.ID] = len(parts)
			parts = append(parts, pt)
		}
		r.turn.parts, r.turn.perms, r.turn.written, r.turn.spans = parts, perms, nil, nil
		r.turn.failed, r.turn.denials, r.turn.errOut = 0, 0, false
	case wire.KindTurn:
		if ev.Turn == nil {
			return
		}
		t := r.open()
		end := *ev.Turn
		t.end = &end
		r.turnEnded = r.turnEnded || t.batch != "" && r.turnFiles
		r.flushTurn()
		if end.Status == wire.TurnError {
			r.failed = end.Error
		}
	case wire.KindSystem:
		r.removed = wire.RemovedWith(ev.Text)
		r.flushTurn()
		fmt.Fprintf(&r.b, "*%s* (%s)\n\n", inlineText(ev.Text), clock(ev.TS))
	case wire.KindError:
		if failed != "" && ev.Text == "the batch failed: "+failed {
			return // PROTOCOL.md §5: it says what the turn's "Failed" line said
		}
		r.flushTurn()
		fmt.Fprintf(&r.b, "**Error:** %s (%s)\n\n", inlineText(ev.Text), clock(ev.TS))
	case wire.KindParticipants:
		if ev.Left != nil {
			r.away[ev.Left.ID] = true
		}
		if ev.Left != nil && (ev.Why == wire.WhyPartyEnded || ev.Why == wire.WhyKicked) {
			return // someone there at the end, or removed: the notice before it said so
		}
		var line string
		switch {
		case ev.Joined != nil && r.away[ev.Joined.ID]:
			// As the window says it: a tester's export said "Cleo joined" of a member back
			// after the host's resume, where the window had said "came back".
			delete(r.away, ev.Joined.ID)
			line = fmt.Sprintf("*%s came back%s* (%s)\n\n", inlineText(ev.Joined.Name), r.joinedAs(*ev.Joined), clock(ev.TS))
		case ev.Joined != nil:
			line = fmt.Sprintf("*%s joined%s* (%s)\n\n", inlineText(ev.Joined.Name), r.joinedAs(*ev.Joined), clock(ev.TS))
		case stopped && ev.Text != "" && !lastBefore.IsZero():
			// Written by the resumed host when it came back, not at the stop (a tester's
			// export put a kill -9 at the resume's time): when the stop was is not known,
			// only that it was after the party's last event.
			line = fmt.Sprintf("*%s* (some time after %s)\n\n", inlineText(ev.Text), clock(lastBefore))
		case ev.Left != nil && ev.Text != "": // why, in words (our extension: a resumed host)
			line = fmt.Sprintf("*%s* (%s)\n\n", inlineText(ev.Text), clock(ev.TS))
		case ev.Left != nil:
			line = fmt.Sprintf("*%s left* (%s)\n\n", inlineText(ev.Left.Name), clock(ev.TS))
		default:
			return
		}
		if r.turn != nil {
			r.held = append(r.held, line) // after the turn's output (held)
			return
		}
		r.b.WriteString(line)
	case wire.KindChanges:
		r.files, r.hidden, r.more, r.changes = ev.Files, ev.Hidden, ev.More, true
		r.turnChanges(ev.Files)
	case wire.KindSettings:
		if ev.Settings != nil && ev.Settings.Workspace != "" && ev.Settings.Workspace != r.level {
			r.rebase = r.level != ""
			r.level = ev.Settings.Workspace
		}
	}
}

// joinedAs is the role a member joins with, when it cannot be told otherwise, as the
// terminal and the window say it: " as a viewer", " as a co-host" (a host who is not the
// party's own); "" for a participant or the party's host. A tester's export said "carol
// joined" of a viewer.
func (r *renderer) joinedAs(m wire.Member) string {
	switch {
	case m.Role == wire.RoleViewer:
		return " as a viewer"
	case m.Role == wire.RoleHost && r.host != "" && m.Name != r.host:
		return " as a co-host"
	}
	return ""
}

// turnChanges takes a changes event's list: the files whose entry is new, different or
// gone since the last list were touched by the current batch's turn, as the window's card
// counts them; the first list after the turn's end writes them.
func (r *renderer) turnChanges(files []wire.FileChange) {
	next := make(map[string]string, len(files))
	var touched []wire.FileChange
	for _, f := range files {
		sig := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", f.Status, f.From, f.Additions, f.Deletions, f.Rev)
		next[f.Path] = sig
		if old, ok := r.listed[f.Path]; !ok || old != sig {
			touched = append(touched, f)
		}
	}
	var gone []string
	for p := range r.listed {
		if _, ok := next[p]; !ok {
			gone = append(gone, p)
		}
	}
	slices.Sort(gone)
	for _, p := range gone {
		touched = append(touched, wire.FileChange{Path: p})
	}
	r.listed = next
	if r.rebase {
		r.rebase = false
		return
	}
	if !r.turnFiles {
		return
	}
	for _, f := range touched {
		if i := slices.IndexFunc(r.touched, func(t wire.FileChange) bool { return t.Path == f.Path }); i >= 0 {
			r.touched[i] = f
			continue
		}
		r.touched = append(r.touched, f)
	}
	if r.turnEnded {
		r.writeFiles()
		r.turnFiles, r.turnEnded = false, false
	}
}

// maxTurnFiles is how many of a turn's files its line names.
const maxTurnFiles = 50

// writeFiles writes the line of the files the turn touched, if any, as the window's card
// says them: a renamed file with the name it had.
func (r *renderer) writeFiles() {
	if len(r.touched) == 0 {
		return
	}
	names := make([]string, 0, min(len(r.touched), maxTurnFiles)+1)
	for _, f := range r.touched[:min(len(r.touched), maxTurnFiles)] {
		name := pathCode(f.Path)
		if f.Status == "renamed" && f.From != "" {
			name += " (renamed from " + pathCode(f.From) + ")"
		}
		names = append(names, name)
	}
	if n := len(r.touched) - maxTurnFiles; n > 0 {
		names = append(names, fmt.Sprintf("and %d more", n))
	}
	r.b.WriteString("*Files changed during this turn:* " + strings.Join(names, ", ") + "\n\n")
	r.touched = nil
}

// open is the turn output goes to: the open one, a paused one going on after a notice, or
// (output outside any batch) a section of its own.
func (r *renderer) open() *turn {
	if r.turn == nil && r.paused != nil {
		r.turn, r.paused = r.paused, nil
	}
	if r.turn == nil {
		r.b.WriteString("## The agent\n\n")
		r.turn = &turn{perms: map[string]int{}}
	}
	return r.turn
}

// endPaused says that a paused turn never ended: another batch came, or the events end
// (atEnd). The requests it held undecided are written first: still waiting when the events
// end with them, else never decided.
func (r *renderer) endPaused(atEnd bool) {
	if r.paused != nil {
		for _, p := range r.paused.parts {
			if p.kind == "perm" {
				r.b.WriteString(permissionLine(p.perm, atEnd) + "\n\n")
			}
		}
		r.paused = nil
		r.b.WriteString("*The turn had not finished.*\n\n")
	}
}

// flushTurn writes the open turn's output and outcome, then the notices held while it
// was open.
func (r *renderer) flushTurn() {
	r.writeTurn()
	for _, line := range r.held {
		r.b.WriteString(line)
	}
	r.held = r.held[:0]
}

// unwrite takes spans (in order, none overlapping) out of the document written so far.
func (r *renderer) unwrite(spans [][2]int) {
	if len(spans) == 0 {
		return
	}
	doc := r.b.String()
	var kept strings.Builder
	kept.Grow(len(doc))
	at := 0
	for _, sp := range spans {
		kept.WriteString(doc[at:sp[0]])
		at = sp[1]
	}
	kept.WriteString(doc[at:])
	r.b.Reset()
	r.b.WriteString(kept.String())
}

func (r *renderer) writeTurn() {
	t := r.turn
	if t == nil {
		return
	}
	r.turn = nil
	start := r.b.Len()
	// A turn written before its end (a notice came) holds back its requests still waiting:
	// each is written once, with its decision, when that comes (a user tester's export said
	// every request twice, "waiting for a host's decision" and then decided).
	pausing := t.end == nil && t.batch != ""
	var held, done []part
	heldAt := map[string]int{}
	for _, p := range t.parts {
		if pausing && p.kind == "perm" && !p.unasked && p.perm.Status == wire.PermissionPending {
			heldAt[p.perm.ID] = len(held)
			held = append(held, p)
			continue
		}
		done = append(done, p)
		switch p.kind {
		case "reply":
			text := strings.TrimSpace(p.all())
			if text == "" {
				continue
			}
			r.b.WriteString("**Claude Code:**\n\n" + replyText(text) + "\n\n")
		case "tool":
			r.b.WriteString("Tool steps:\n\n" + fence("text", p.all()) + "\n")
		case "perm":
			if p.unasked {
				r.b.WriteString(unaskedLine(p.perm) + "\n\n")
				continue
			}
			r.b.WriteString(permissionLine(p.perm, false) + "\n\n")
		case "void":
			r.b.WriteString("*" + p.text + "*\n\n")
		}
	}
	if t.end == nil {
		if pausing {
			r.paused = &turn{batch: t.batch, parts: held, perms: heldAt, failed: t.failed, denials: t.denials,
				written: append(t.written, done...), spans: append(t.spans, [2]int{start, r.b.Len()})}
		}
		return
	}
	secs := fmt.Sprintf("%.1f s", float64(t.end.DurationMS)/1000)
	if t.end.DurationMS < 50 {
		secs = "less than 0.1 s" // "0.0 s" read as no time at all
	}
	// What did not go as asked, as the terminal and the window say it: the requests denied
	// (those that timed out told apart), and the tool steps that failed (a user tester's
	// export said "Done" where both said "1 tool step failed").
	all := append(slices.Clip(t.written), t.parts...)
	var notes []string
	reqs := requests(all)
	if t.end.Status == wire.TurnDone && reqs.PlanSentBack(t.end.Denied, plansBack(all)) {
		// The review plan mode is for, not a refusal (a user tester's).
		notes = append(notes, "the plan was sent back for changes")
		if reqs.Cancelled > 0 {
			notes = append(notes, Requests{Cancelled: reqs.Cancelled}.Words(0))
		}
	} else if w := reqs.Words(t.end.Denied); w != "" {
		notes = append(notes, w)
	}
	if t.failed > 0 && t.end.Status == wire.TurnDone && (t.end.Denied == 0 || t.denials > 0) {
		// (A host from before "(denied)" marked a denied step "(error)": not said twice.)
		notes = append(notes, fmt.Sprintf("%d tool %s failed", t.failed, plural(t.failed, "step", "steps")))
	}
	tail := ""
	if len(notes) > 0 {
		tail = " — " + strings.Join(notes, ", ")
	}
	switch t.end.Status {
	case wire.TurnDone:
		r.b.WriteString("**Done** in " + secs + tail + ".\n\n")
	case wire.TurnInterrupted:
		why := "Interrupted"
		if t.end.Error != "" {
			why = "Interrupted: " + inlineText(t.end.Error)
		}
		r.b.WriteString("**" + why + "** after " + secs + tail + ".\n\n")
	default:
		why := "Failed"
		if t.end.Error != "" {
			why = "Failed: " + inlineText(t.end.Error)
		}
		r.b.WriteString("**" + why + "** after " + secs + tail + ".\n\n")
	}
}

// Requests counts a turn's tool requests that were not allowed, as its end says them:
// timed out, denied (by a host, or by plan mode's rule) and cancelled (IsCancelledRequest).
// The turn's own count (wire.Turn.Denied) holds the time-outs and the requests its end
// cancelled with the denials; what was seen of the turn tells them apart.
type Requests struct {
	// TimedOut and Cancelled count the requests seen; counted, the cancelled ones the
	// host counts in the turn's denied (party.TurnEnded: not one claude stopped asking as
	// it crashed, nor one a resume closed, which the batch's run again asks anew).
	TimedOut, Cancelled, counted int
}

// Add counts a request of the turn: one event per decision.
func (r *Requests) Add(p wire.Permission) {
	switch {
	case p.Status == wire.PermissionTimedOut:
		r.TimedOut++
	case IsCancelledRequest(p):
		r.Cancelled++
		if p.Reason == party.TurnEnded {
			r.counted++
		}
	}
}

// Denied is how many of the turn's denied (wire.Turn.Denied) a host or plan mode refused:
// neither timed out nor cancelled.
func (r Requests) Denied(denied int) int {
	return max(0, denied-min(r.TimedOut, denied)-r.counted)
}

// PlanSentBack says whether what a finished turn was not allowed (denied is its count) was
// all plans a host sent back (plans: seen sent back, IsPlanSentBack): the review plan mode
// is for, not a refusal (a user tester's). The terminal says it by the same rule, and the
// window by its twin (frontend/src/state/turn-end.ts doneWords).
func (r Requests) PlanSentBack(denied, plans int) bool {
	notAllowed := min(r.TimedOut, denied) + r.Denied(denied)
	return notAllowed > 0 && min(plans, denied) >= notAllowed
}

// Words is "N tool requests denied", those that timed out and those cancelled told apart
// ("1 tool request timed out, 1 denied, 1 cancelled"); "" for none. denied is the turn's
// count. The terminal says it as the export does.
func (r Requests) Words(denied int) string {
	var counts []int
	var what []string
	for i, k := range []int{min(r.TimedOut, denied), r.Denied(denied), r.Cancelled} {
		if k > 0 {
			counts, what = append(counts, k), append(what, [...]string{"timed out", "denied", "cancelled"}[i])
		}
	}
	if len(counts) == 0 {
		return ""
	}
	s := fmt.Sprintf("%d tool %s %s", counts[0], plural(counts[0], "request", "requests"), what[0])
	for i := 1; i < len(counts); i++ {
		s += fmt.Sprintf(", %d %s", counts[i], what[i])
	}
	return s
}

// IsCancelledRequest says whether a tool request ended undecided rather than denied: the
// party records `denied` with no `by` when the turn ended (stopped, interrupted, its
// timeout), claude stopped, or the host stopped before anyone decided, or the journal
// lost the decision (PROTOCOL.md §7). Nobody refused it: it was cancelled (a user tester
// read "denied" and looked for who). Plan mode's own denials also name nobody, but are the
// party's rule ("plan mode: nothing is changed"): denials. A timeout is timed_out. The
// window reads it the same way (frontend/src/state/host-control.ts).
func IsCancelledRequest(p wire.Permission) bool {
	return p.Status == wire.PermissionDenied && p.By == "" && !strings.HasPrefix(p.Reason, "plan mode")
}

// requests counts a turn's requests that timed out or were cancelled.
func requests(parts []part) Requests {
	var r Requests
	for _, p := range parts {
		if p.kind == "perm" {
			r.Add(p.perm)
		}
	}
	return r
}

// plansBack counts a turn's plans a host sent back (ExitPlanMode denied).
func plansBack(parts []part) int {
	n := 0
	for _, p := range parts {
		if p.kind == "perm" && IsPlanSentBack(p.perm) {
			n++
		}
	}
	return n
}

// IsFailedResult says whether a tool line is the result of a step that failed: "-> (error)
// …", or "-> (error; its text is not shown: …)" (PROTOCOL.md §5), a subagent's indented.
// The window reads it the same way (frontend/src/state/transcript.ts).
func IsFailedResult(line string) bool {
	r := strings.TrimLeft(line, " ")
	return strings.HasPrefix(r, "-> (error) ") || strings.HasPrefix(r, "-> (error; ")
}

// IsDeniedResult says whether a tool line is the result of a step whose request was denied
// (PROTOCOL.md §5); a cancelled one's is not (IsCancelledResult).
func IsDeniedResult(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " "), "-> (denied) ") && !IsCancelledResult(line)
}

// IsCancelledResult says whether a tool line is the result of a step whose request nobody
// decided before the turn was stopped: "-> (cancelled) …" (PROTOCOL.md §5, since
// 2026-12-07: it had read "-> (error) The user doesn't want to proceed…", a step that
// failed, beside a request cancelled), or the words a host's agent was told of it before,
// marked "(denied)". The window reads it the same way (frontend/src/state/transcript.ts).
func IsCancelledResult(line string) bool {
	r := strings.TrimLeft(line, " ")
	return strings.HasPrefix(r, "-> (cancelled) ") || strings.HasPrefix(r, "-> (denied) "+party.StoppedBeforeADecision)
}

// IsPlanSentBack says whether a request is a plan a host sent back: ExitPlanMode, denied
// by a host (not by the turn's end, nor claude's, which name nobody).
func IsPlanSentBack(p wire.Permission) bool {
	return p.Tool == party.ExitPlanTool && p.Status == wire.PermissionDenied && p.By != ""
}

// errorOutputLines is how many lines of a failed step's own output are written under it,
// and errorOutputWidth how many characters of each.
const (
	errorOutputLines = 8
	errorOutputWidth = 300
)

// ErrorOutput is a failed step's own output as the terminal and the export show it under
// its result line: its first lines, each after indent, and how many more there are. The
// result line already says the output's first line ("-> (error) Exit code 1 (+1 lines)"):
// it is not said twice (a user tester's). Nor is the part of it a result line cut ("-> (error)
// The user doesn't want to proceed … wait for…"): only what the cut left out follows, after
// "…" (a user tester read Claude Code's whole rejection twice).
func ErrorOutput(text, result, indent string) string {
	// Cleaned first: a lone carriage return is a line break to term.Clean, and an escape
	// sequence goes, so the lines are counted, cut and indented as they will be shown (a
	// reviewer's "\r" got past the limit, and out of the export's code block).
	lines := strings.Split(strings.TrimRight(term.Clean(text), "\n"), "\n")
	first, said := oneSpaced(lines[0]), resultFirstLine(result)
	switch cut, wasCut := strings.CutSuffix(said, "…"); {
	case len(lines) > 1 && first == said:
		lines = lines[1:]
	case wasCut && cut != "" && len(first) > len(cut) && strings.HasPrefix(first, cut):
		lines[0] = "…" + strings.TrimLeft(first[len(cut):], " ")
	}
	more := len(lines) - errorOutputLines
	if more > 0 {
		lines = lines[:errorOutputLines]
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if r := []rune(l); len(r) > errorOutputWidth {
			l = string(r[:errorOutputWidth-1]) + "…"
		}
		b.WriteString(indent + l)
	}
	if more > 0 {
		fmt.Fprintf(&b, "\n%s… %d more %s", indent, more, plural(more, "line", "lines"))
	}
	return b.String()
}

// resultFirstLine is the first line of a tool's output as its result line shows it: after
// "-> (error) ", without " (+N lines)".
func resultFirstLine(result string) string {
	r := strings.TrimLeft(result, " ")
	r = strings.TrimPrefix(r, "-> (error) ")
	if k := strings.LastIndex(r, " (+"); k >= 0 && strings.HasSuffix(r, " lines)") {
		r = r[:k]
	}
	return oneSpaced(r)
}

// oneSpaced is s cleaned as shown, its runs of spaces one space: as the agent writes a
// result's first line (a reviewer's "FAIL\tpkg\t0.1s" was said twice).
func oneSpaced(s string) string {
	return strings.Join(strings.Fields(term.Clean(s)), " ")
}

// permissionLine is a tool request's line. One still waiting when the events end (waiting)
// is "waiting for a host", not "not decided", which read as its outcome (a tester's).
func permissionLine(p wire.Permission, waiting bool) string {
	ask := fmt.Sprintf("Tool request: %s %s", inlineText(p.Tool), code(p.Summary))
	switch p.Status {
	case wire.PermissionAllowed:
		s := ask + " — **allowed**" + by(p.By)
		if p.Reason != "" { // "always allow Bash": from then on, nobody was asked
			s += " (" + inlineText(p.Reason) + ")"
		}
		return s
	case wire.PermissionDenied:
		s := ask + " — **denied**" + by(p.By)
		if IsCancelledRequest(p) {
			s = ask + " — **cancelled**" // nobody refused it: it ended undecided (a user tester's)
		}
		if IsPlanSentBack(p) {
			s = ask + " — **sent back for changes**" + by(p.By) // plan mode's review, not a refusal
		}
		if p.Reason != "" {
			s += ": " + code(p.Reason)
		}
		return s
	case wire.PermissionTimedOut:
		return ask + " — **timed out** (denied)"
	}
	if waiting {
		return ask + " — waiting for a host's decision"
	}
	return ask + " — not decided"
}

// unaskedLine is a tool use the owner's "always" allowed: nobody was asked (PROTOCOL.md
// §7). It read as a request someone decided (a reviewer's).
func unaskedLine(p wire.Permission) string {
	who := "a host"
	if p.By != "" {
		who = inlineText(p.By)
	}
	return fmt.Sprintf("Tool use: %s %s — **allowed** without asking (%s allowed %s for the rest of the party)", inlineText(p.Tool), code(p.Summary), who, inlineText(p.Tool))
}

// by is " by NAME", or "" when nobody decided (the host stopped before a decision).
func by(name string) string {
	if name == "" {
		return ""
	}
	return " by " + inlineText(name)
}

// authors names the people whose prompts these are: "alice and bob".
func (r *renderer) authors(ids []string) string {
	var names []string
	seen := map[string]bool{}
	for _, id := range ids {
		name := "?"
		if p, ok := r.prompts[id]; ok {
			name = p.User
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, "**"+inlineText(name)+"**")
		}
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fence puts text in a fenced code block whose fence is longer than any backtick run in it.
func fence(lang, text string) string {
	// Sized on the text as it will be written (flush cleans the whole document): cleaning
	// can make a run of backticks longer, out of one broken by an escape sequence.
	text = cleanLines(text)
	f := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f + "\n"
}

// pathCode is a file's path as inline code: quoted, Go-style, as the terminal's /changes
// quotes it (term.PathQuoted: a tester's "new\nline.txt" read "new line.txt", another
// file's name; a reviewer's "a  b").
func pathCode(p string) string {
	if term.PathQuoted(p) {
		return codeSpan(strconv.Quote(p)) // one line, its spaces kept
	}
	return code(p)
}

// code is text as inline code, on one line, with a fence longer than any backtick run.
func code(text string) string { return codeSpan(oneLine(text)) }

// codeSpan is one line of text as inline code, as it is.
func codeSpan(text string) string {
	if text == "" {
		return "``"
	}
	f := strings.Repeat("`", longestRun(text, '`')+1)
	pad := ""
	if strings.HasPrefix(text, "`") || strings.HasSuffix(text, "`") || strings.HasPrefix(text, " ") {
		pad = " "
	}
	return f + pad + text + pad + f
}

// inlineText is a name or notice as plain text: one line, with the characters that
// Markdown or HTML would act on within a line escaped. Every caller puts it after other
// text on its line, so what acts only at a line's start (#, +, -) is left alone, and so
// are ( ) and !, which act only beside [ ] (escaped): a tester's export read
// "\(told that part…\)" in the raw file.
func inlineText(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
