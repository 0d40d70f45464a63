package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

// How the terminal shows a tool request (PROTOCOL.md §7): the card, its detail, the time
// left, and what a host can answer.

// permission renders a tool request and its outcome.
func (p *printer) permission(pm *wire.Permission) {
	if pm == nil {
		return
	}
	what := permWhat(*pm)
	wasAsked := p.asked[pm.ID]
	if pm.Status != wire.PermissionPending && pm.Batch != "" {
		// The turn's end counts denials, time-outs and cancels as one: told apart there.
		if p.requests == nil {
			p.requests = map[string]*transcript.Requests{}
		}
		if p.requests[pm.Batch] == nil {
			p.requests[pm.Batch] = &transcript.Requests{}
		}
		p.requests[pm.Batch].Add(*pm)
	}
	if transcript.IsPlanSentBack(*pm) && pm.Batch != "" {
		// A plan a host sent back: the review plan mode is for, not a refusal (a user
		// tester's turn ended "but not everything it asked for was allowed").
		if p.plansBack == nil {
			p.plansBack = map[string]int{}
		}
		p.plansBack[pm.Batch]++
	}
	if pm.Status == wire.PermissionPending {
		if p.asked == nil {
			p.asked = map[string]bool{}
		}
		p.asked[pm.ID] = true
	} else {
		delete(p.asked, pm.ID)
	}
	switch pm.Status {
	case wire.PermissionPending:
		left := ""
		if !p.earlier { // a request from the history is decided further down
			left = timeLeftWords(p.deadlineLocked(*pm), p.now())
		}
		ask := fmt.Sprintf("claude asks to use %s (for %s)", what, asked(p.r.batches[pm.Batch]))
		// What it would do beyond the one line (a tester approved a Write seeing only its
		// file's name): under the request, indented; a host, who decides, sees more of it.
		detail := detailLines(pm.Detail, map[bool]int{true: hostDetailLines, false: detailLinesShown}[p.isHostLocked()])
		if p.isHostLocked() { // the time left goes with how to answer
			p.noticeLocked("permission", ask+detail)
			if !p.earlier {
				// Not under a request of the history, which is decided further down (a
				// replay offered /allow for one allowed lines below): one still waiting
				// is said again after it (live).
				p.hostHintLocked(*pm, left)
			}
		} else {
			// The time left on the request's own line: after the detail it read as part
			// of the file's text or the command's description (a tester's).
			p.noticeLocked("permission", ask+left+detail)
			if !p.earlier && len(p.r.members) > 0 && !slices.ContainsFunc(p.r.members, func(m wire.Member) bool { return m.Role == wire.RoleHost }) {
				// Else the wait reads as a host taking its time.
				p.noticeLocked("system", "no host is in the party to decide: it is denied when its time runs out, unless one joins")
			}
		}
	case wire.PermissionAllowed, wire.PermissionDenied:
		if !wasAsked && pm.ByAlways() {
			// Nobody was asked: the line read as the decision itself (a reviewer's).
			who := "a host"
			switch {
			case p.r.isYou(pm.ByMember, pm.By, p.earlier):
				who = "you"
			case pm.By != "":
				who = term.Line(pm.By)
			}
			p.noticeLocked("permission", fmt.Sprintf("allowed %s without asking (%s allowed %s for the rest of the party)", what, who, term.Line(pm.Tool)))
			return
		}
		text := pm.Status + " " + what
		if pm.By != "" {
			// Who did it first, as the window's "Allowed by bob" says it: "allowed Bash:
			// touch x (bob)" did not say who did what (a user tester's).
			who := term.Line(pm.By)
			if p.r.isYou(pm.ByMember, pm.By, p.earlier) {
				who = "you" // by member id (since 2026-12-07); a name only live
			}
			text = who + " " + text
		}
		if transcript.IsCancelledRequest(*pm) {
			// Nobody refused it (a user tester read "denied" and looked for who).
			text = "cancelled " + what
		}
		if transcript.IsPlanSentBack(*pm) {
			// Plan mode's review, not a refusal (the window's card says it so).
			who := term.Line(pm.By)
			if p.r.isYou(pm.ByMember, pm.By, p.earlier) {
				who = "you"
			}
			text = who + " sent the plan back for changes"
		}
		if pm.Reason != "" {
			text += ": " + pm.Reason
		}
		p.noticeLocked("permission", text)
		p.nextRequestLocked(*pm, wasAsked)
	case wire.PermissionTimedOut:
		p.noticeLocked("permission", "denied "+what+": nobody decided in time ("+pm.Reason+")")
		p.nextRequestLocked(*pm, wasAsked)
	}
}

// permWhat is a tool request in a line: "Bash: touch x".
func permWhat(pm wire.Permission) string {
	what := term.Line(pm.Tool)
	if pm.Summary != "" {
		what += ": " + term.Line(pm.Summary)
	}
	return what
}

// nextRequestLocked, after a decision on a request that waited, tells a host which one
// /allow answers now when others still wait (the real Claude Code asks about reads in
// parallel): its hint was printed above the decisions, for the oldest.
//
// An "always" also allows the other requests for its tool that wait, whose events follow
// at once: the next is said after the last of them (a reviewer's terminal said "still
// waiting" of one the same decision had allowed).
func (p *printer) nextRequestLocked(decided wire.Permission, waited bool) {
	waiting := p.waitingLocked()
	if !waited || p.earlier || !p.isHostLocked() || len(waiting) == 0 {
		return
	}
	if decided.ByAlways() && slices.ContainsFunc(waiting, func(w wire.Permission) bool { return w.Tool == decided.Tool }) {
		return
	}
	next, also := waiting[0], ""
	if n := len(waiting) - 1; n > 0 {
		also = fmt.Sprintf(" (and %d more after it)", n)
	}
	p.noticeLocked("permission", "still waiting: "+permWhat(next)+also)
	p.hostHintLocked(next, timeLeftWords(p.deadlineLocked(next), p.now()))
}

// How many lines of a request's detail a terminal shows: a host's, and anyone else's.
const (
	hostDetailLines  = 40
	detailLinesShown = 6
)

// detailLines is a request's detail as further lines of its notice ("" when none): at most
// max lines, then one that says how much more there is. A detail the host cut
// (agent.ToolDetail) ends with a line saying how many bytes were left out: that count is
// kept (a tester's 600 KB Write read as "97 more lines not shown").
func detailLines(detail string, max int) string {
	if detail == "" {
		return ""
	}
	lines := strings.Split(detail, "\n")
	cutBytes := ""
	if m := detailCut.FindStringSubmatch(lines[len(lines)-1]); m != nil && len(lines) > 1 {
		lines, cutBytes = lines[:len(lines)-1], m[1]
	}
	var b strings.Builder
	for i, l := range lines {
		if i == max {
			fmt.Fprintf(&b, "\n… %d more line%s", len(lines)-max, plural(len(lines)-max))
			if cutBytes != "" {
				fmt.Fprintf(&b, " and %s more bytes", cutBytes)
			}
			b.WriteString(" not shown")
			return b.String()
		}
		b.WriteString("\n" + l)
	}
	if cutBytes != "" {
		fmt.Fprintf(&b, "\n… %s more bytes not shown", cutBytes)
	}
	return b.String()
}

// detailCut is the last line of a detail that agent.ToolDetail cut.
var detailCut = regexp.MustCompile(`^… \((\d+) more bytes not shown\)$`)

// hostHintLocked tells a host how to answer request pm, and how long is left.
//
// With an older request still waiting, /allow, /deny and /always answer that one first: said
// instead, with it named, so that a host who reads this request's lines does not allow
// the other one by mistake.
func (p *printer) hostHintLocked(pm wire.Permission, left string) {
	if p.background != nil && p.background() {
		// The shell has the terminal: /allow typed there is a shell command (a tester's).
		p.noticeLocked("system", "this terminal is in the background: fg brings it back, to answer here")
	}
	coHost := p.r.host != "" && p.r.you.Name != p.r.host // "always" is the owner's
	if waiting := p.waitingLocked(); len(waiting) > 1 && waiting[0].ID != pm.ID {
		cmds := "/allow, /deny [REASON] or /always"
		if coHost || waiting[0].Tool == party.ExitPlanTool { // a plan has no "always"
			cmds = "/allow or /deny [REASON]"
		}
		if left != "" { // this request's own time, which the oldest's lines do not say
			left = timeLeftOf("this one", p.deadlineLocked(pm), p.now())
		}
		p.noticeLocked("system", fmt.Sprintf("%d tool requests wait, answered oldest first: %s now answer %s", len(waiting), cmds, permWhat(waiting[0]))+left)
		return
	}
	if pm.Tool == party.ExitPlanTool { // a plan is approved one at a time: no /always
		p.noticeLocked("system", "/allow approves the plan (the party leaves plan mode), /deny [REASON] keeps it planning"+left)
		return
	}
	if coHost {
		p.noticeLocked("system", "/allow or /deny [REASON]"+left)
		return
	}
	if slices.Contains(p.r.settings.Always, pm.Tool) {
		// It asks though its tool is always allowed: a file that usually holds secrets,
		// which "always" does not cover (a tester was offered /always again).
		p.noticeLocked("system", "/allow or /deny [REASON] ("+term.Line(pm.Tool)+" is always allowed, but not for "+uncoveredWords(pm.Tool)+": it asks each time)"+left)
		return
	}
	switch {
	case pm.Uncovered:
		// An always would not cover it: none offered (a window tester was, on a .env write).
		p.noticeLocked("system", "/allow or /deny [REASON] (an always for "+term.Line(pm.Tool)+" would not cover this one: "+uncoveredWords(pm.Tool)+" "+askVerb(pm.Tool)+" each time)"+left)
	case party.EditTool(pm.Tool) && p.r.settings.PermissionMode == wire.PermissionEdits:
		// The mode allows the folder's other files already: an edit that asks is one an
		// "always" would not cover either (a reviewer's), so none is offered.
		p.noticeLocked("system", "/allow or /deny [REASON] (edits mode allows the folder's files; "+uncoveredWords(pm.Tool)+" ask each time)"+left)
	case party.EditTool(pm.Tool):
		// A tester's "always" for Write was taken to cover a git hook too; it never did
		// (party.alwaysCovers), and is said not to.
		p.noticeLocked("system", "/allow, /deny [REASON] or /always (allow "+term.Line(pm.Tool)+" in the folder for the rest of the party; "+uncoveredWords(pm.Tool)+" still ask)"+left)
	case party.ReadTool(pm.Tool) || pm.Tool == "Bash":
		// A Read of .env was offered "/always (allow Read for the rest of the party)",
		// which allows that one only (a tester's); a shell command that reads one asks too.
		p.noticeLocked("system", "/allow, /deny [REASON] or /always (allow "+term.Line(pm.Tool)+" for the rest of the party; "+uncoveredWords(pm.Tool)+" still asks)"+left)
	default:
		p.noticeLocked("system", "/allow, /deny [REASON] or /always (allow "+term.Line(pm.Tool)+" for the rest of the party)"+left)
	}
}

// askVerb is "ask" of uncoveredWords(tool) when they are several, else "asks".
func askVerb(tool string) string {
	if party.EditTool(tool) {
		return "ask"
	}
	return "asks"
}

// uncoveredWords says which requests of tool an "always" leaves asking (party.alwaysCovers).
func uncoveredWords(tool string) string {
	switch {
	case party.EditTool(tool):
		return "files outside the folder, files that run by themselves (git hooks, CI, CLAUDE.md) and files that usually hold secrets"
	case tool == "Bash":
		return "a command that names a file that usually holds secrets"
	}
	return "a file that usually holds secrets"
}

// timeLeftWords says when an undecided request is denied: "; undecided, it is denied in
// 2m", or "" when that is unknown (zero deadline) or past.
func timeLeftWords(deadline, now time.Time) string { return timeLeftOf("it", deadline, now) }

// timeLeftOf is timeLeftWords of a request called what: "; undecided, this one is denied
// in 2m".
func timeLeftOf(what string, deadline, now time.Time) string {
	if deadline.IsZero() {
		return ""
	}
	left := deadline.Sub(now).Round(time.Second)
	if left <= 0 {
		return ""
	}
	return "; undecided, " + what + " is denied in " + fmtDuration(left)
}
