package cli

// The party's events as the terminal prints them: printer.event's one switch over the
// event kinds, the workspace's diffs, and the agent's streamed output.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

// event prints one party event.
func (p *printer) event(ev wire.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.eventLocked(ev)
}

// eventLocked is event, under mu.
func (p *printer) eventLocked(ev wire.Event) {
	if p.evented != nil {
		defer func() { close(p.evented); p.evented = nil }() // under mu, after the roster took it
	}
	// A member who left and joins again "came back", as the window says (before track,
	// which forgets who was away).
	back := ev.Kind == wire.KindParticipants && ev.Joined != nil && slices.ContainsFunc(p.r.away, func(m wire.Member) bool { return m.ID == ev.Joined.ID })
	// A flapping connection's lines held (flap.go) are said before any other line: not
	// before the agent's output, which the window folds them past too.
	flapping := p.flapMember(ev, back)
	if flapping == nil && len(p.flaps) > 0 && ev.Kind != wire.KindOutput && ev.Kind != wire.KindPhase {
		p.sayFlapsLocked()
	}
	// saidWithRole: the host's notice of this terminal's own role change, said with it.
	saidWithRole := p.roleChange != nil && p.sayRoleChangeLocked(ev)
	before, knew := p.r.settings, p.r.knowsSettings
	held := p.r.held // the batch that waited for approval, as it was merged
	running := p.r.running
	recalls := p.r.recalls()
	p.sampleSkewLocked(ev.TS)
	at := p.now()
	if (p.earlier || p.catchingUp) && !ev.TS.IsZero() {
		// History, or what a reconnect missed: when it happened, never later than now (a
		// tester's status line counted a request caught up on from the reconnect: 9s, where
		// the host's said 22s).
		if l := p.localLocked(ev.TS); l.Before(at) {
			at = l
		}
	}
	// Back, before what was missed since its leaving was printed (backAhead); who left
	// while it was away, and its own return, are said as they come.
	if p.backWaits && ev.Seq > p.backLeft {
		p.backAhead, p.backWaits = true, false
	}
	if p.backAhead && (ev.Kind != wire.KindParticipants || ev.Left == nil && (ev.Joined == nil || ev.Joined.ID != p.r.you.ID)) {
		p.backLocked()
	}
	if ev.Kind != wire.KindWithdrawn {
		p.removed = ""
		if ev.Kind == wire.KindSystem {
			p.removed = wire.RemovedWith(ev.Text)
		}
	}
	p.r.track(ev, at)
	if p.earlier {
		p.r.decided, p.r.movedBy = nil, nil // from the history: not what a host's /allow now was meant for
	}
	defer p.pushStatusLocked()
	defer p.r.forget(ev)   // after it is printed
	failed := p.failedTurn // only the event right after the failed turn can repeat it
	p.failedTurn = ""
	said := p.lastSystem // only the event right after a system event can repeat it
	p.lastSystem = ""
	if ev.Kind != wire.KindWithdrawn && ev.Kind != wire.KindRejected {
		p.recallSaid = false
	}
	// Members gone as the party ends come after the host's last word (endSaid).
	p.endWords = ev.Kind == wire.KindSystem || p.endWords && ev.Kind == wire.KindParticipants && ev.Why == wire.WhyPartyEnded
	switch ev.Kind {
	case wire.KindParticipants:
		count := 0
		if ev.Count != nil {
			count = *ev.Count
		}
		if ev.Joined != nil && ev.Joined.ID == p.r.you.ID {
			p.backAhead = false // it comes before anything else: said as it comes
			if ev.Seq > p.backLeft {
				p.backWaits = false // a return between two leavings is not the one awaited
			}
		}
		switch {
		case ev.Joined != nil && ev.Joined.ID == p.r.you.ID && p.backSaid:
			p.backSaid = false // said already, ahead of what was missed
		case ev.Joined != nil && ev.Joined.ID == p.r.you.ID && (p.ownDrop || p.r.you.ID != "" && back):
			// This terminal, back after a dropped connection (not "bob joined" about
			// oneself: a tester's), or in a party resumed after it ended, as everyone else is
			// told ("alice came back"; a tester's own terminal said "you joined").
			p.ownDrop, p.joinSaid = false, false
			if p.earlier {
				p.asideLocked("party", fmt.Sprintf("you came back (%s)", people(count)))
			} else {
				p.asideLocked("party", fmt.Sprintf("you are back in the party (%s)", people(count)))
			}
		case ev.Joined != nil && ev.Joined.ID == p.r.you.ID && p.r.you.ID != "" && p.joinSaid && !p.earlier:
			// This connection's join, said with the party it joined (joinSaid).
			p.joinSaid = false
		case ev.Joined != nil && ev.Joined.ID == p.r.you.ID && p.r.you.ID != "":
			p.asideLocked("party", fmt.Sprintf("you joined (%s)", people(count))) // not "bob joined" about oneself
		case ev.Joined != nil:
			// With the role it cannot be told from otherwise: a viewer (the host did not
			// know vic could not prompt: a tester's), or a host who is not the party's owner.
			as := ""
			switch {
			case ev.Joined.Role == wire.RoleViewer:
				as = " as a viewer"
			case ev.Joined.Role == wire.RoleHost && ev.Joined.Name != p.r.host:
				as = " as a co-host"
			}
			verb := "joined"
			if back {
				verb = "came back"
			}
			line := fmt.Sprintf("%s %s%s (%s)", term.Line(ev.Joined.Name), verb, as, people(count))
			if flapping != nil && p.flapLocked(ev, flapping, count, line) {
				break // said with the member's other returns (flap.go)
			}
			p.asideLocked("party", line)
		case ev.Left != nil && ev.Why == wire.WhyPartyEnded:
			// A resumed party's note that someone was there when it ended: the end was
			// said then.
		case ev.Left != nil && ev.Why == wire.WhyKicked:
			// The host's notice just before says who removed them, and why.
		case ev.Left != nil && ev.Why == wire.WhyHostStopped && ev.Left.ID == p.r.you.ID && p.r.host != "" && ev.Left.Name == p.r.host:
			// The owner's own terminal is the host that stopped: "you were disconnected"
			// read oddly there after a --resume (a tester's). Said all the same, as the
			// count that the next lines go down from (another tester missed it).
			// The count is of the others: "(0 in the party)" read as if nobody was there.
			others := "nobody else was"
			if count > 0 {
				others = fmt.Sprintf("%d other%s %s", count, plural(count), map[bool]string{true: "was", false: "were"}[count == 1])
			}
			p.ownDrop = true // its join after the resume is "you are back", not "hana joined"
			p.asideLocked("party", "you were in the party when it stopped ("+others+")")
		case ev.Left != nil && ev.Why == wire.WhyHostStopped && ev.Left.ID == p.r.you.ID:
			// Without a count, as the others' below.
			p.ownDrop = true
			p.asideLocked("party", "you were disconnected when the host stopped")
		case ev.Left != nil && ev.Why == "" && ev.Left.ID == p.r.you.ID && strings.HasPrefix(ev.Text, ev.Left.Name+" was "):
			// A host (or a journal) from before why: its own words, which name this member.
			p.asideLocked("party", fmt.Sprintf("you were %s (%s)", term.Line(strings.TrimPrefix(ev.Text, ev.Left.Name+" was ")), people(count)))
		case ev.Left != nil && (ev.Why == "" || ev.Why == wire.WhyLost) && ev.Left.ID == p.r.you.ID && p.r.you.ID != "":
			// The host saw this terminal's connection drop (it came back since); in the
			// history of a rejoin, this member left, by /quit as often as not (a tester's
			// /quit came back as a lost connection), unless the host says it did not.
			p.ownDrop = true
			switch {
			case p.earlier && ev.Why == wire.WhyLost:
				p.asideLocked("party", fmt.Sprintf("you lost the connection (%s)", people(count)))
			case p.earlier:
				p.asideLocked("party", fmt.Sprintf("you left (%s)", people(count)))
			default:
				p.asideLocked("party", fmt.Sprintf("the host lost this terminal's connection for a while (%s)", people(count)))
			}
		case ev.Left != nil && ev.Why == wire.WhyHostStopped:
			// Written by the resume before anyone is back: a count after each ("hana, the
			// host, stopped (2 in the party)", "alice was disconnected … (1 in the party)")
			// counted down people who were all gone already (testers'), and "(0 in the
			// party)" read oddly too. Who comes back is counted ("alice came back (2 in the
			// party)"), as the window says it.
			text := ev.Text
			if text == "" {
				text = ev.Left.Name + " was disconnected when the host stopped"
			}
			p.asideLocked("party", term.Line(text))
		case ev.Left != nil:
			line := fmt.Sprintf("%s left (%s)", term.Line(ev.Left.Name), people(count))
			if ev.Text != "" { // why, in the host's words
				line = fmt.Sprintf("%s (%s)", term.Line(ev.Text), people(count))
			}
			if flapping != nil && p.flapLocked(ev, flapping, count, line) {
				break // said with the member's other drops, or as it is when they stop (flap.go)
			}
			p.asideLocked("party", line)
		case ev.Changed != nil:
			// Said with the next event: our host follows it with a system event that says
			// who did it ("hana made bob a co-host"), which then says it alone, or with
			// this terminal's own line (both were printed); a host that sends none
			// (PROTOCOL.md promises only this event) gets the line at the next event or
			// after roleChangeWait.
			m := *ev.Changed
			p.roleChange = &m
			p.roleTimer = time.AfterFunc(roleChangeWait, func() {
				p.mu.Lock()
				defer p.mu.Unlock()
				if p.roleChange == &m {
					p.sayRoleChangeLocked(wire.Event{})
				}
			})
		}
		if ev.Left != nil && ev.Left.Role == wire.RoleHost && ev.Why != wire.WhyPartyEnded && !p.earlier {
			// (Not when the party has ended: nothing waits for a host any more. A tester's
			// host read "the merged prompt waits for approval until a host comes back"
			// after "the host ended the party".)
			p.noHostLeftLocked()
		}
	case wire.KindSystem:
		p.lastSystem = ev.Text
		if saidLater(ev.Text, held != nil, running) || p.invitesPrintedLocked(ev.Text) {
			return
		}
		if ev.Text == party.WorkspaceReadyNotice && !p.earlier {
			// Said as a member's terminal says the sharing at its join, with the commands
			// that show it; the host's terminal says it with its /share commands (runHost).
			if !p.ownParty && (p.r.settings.Workspace == wire.WorkspaceChanges || p.r.settings.Workspace == wire.WorkspaceTree) {
				p.asideLocked("system", memberSharingWords(p.r.settings.Workspace))
			}
			return
		}
		// The party's news (a role, approval turned on, a kick) is beside the reply: above
		// its unfinished line, which a notice cut mid-word (a tester's "echo: FAKE_" …
		// "SLOW=6000").
		if !saidWithRole {
			text := p.ownNotice(p.yourPrompts(p.ownUnsentLocked(ev.Text)))
			if ev.ByMember != "" || ev.AboutMember != "" {
				// Whose act, and on whom, by member id (since 2026-12-07), in the history too;
				// by name (live only) for a host from before.
				text = p.ownUnsentLocked(ev.SaidTo(p.r.you.ID))
			}
			p.asideLocked("system", p.ownRemovalLocked(ev, text))
		}
		if by, ok := party.RotatedBy(ev.Text); ok && by != p.r.you.Name && p.isHostLocked() && !p.earlier && p.r.you.Name != p.r.host {
			// (Not in the owner's terminal: its host prints the new invites there.)
			// Another host rotated: this host's links stopped working too (a tester's owner
			// was told so, and not where the new ones are).
			p.asideLocked("system", "/invite shows the new invites")
		}
	case wire.KindError:
		if failed != "" && ev.Text == "the batch failed: "+failed {
			// PROTOCOL.md §5: a failed turn is followed by this error, which says what the
			// turn line just said.
			return
		}
		if strings.HasSuffix(ev.Text, host.IdleExitNotice) {
			// claude exited between turns and starts again with the next batch: no one's
			// failure, said as the window says it (a reviewer's read [error] beside it).
			p.noticeLocked("system", ev.Text)
			return
		}
		if d, ok := strings.CutPrefix(ev.Text, "the agent was silent for "); ok {
			// Named as the lines beside it name it ("claude's turn was stopped after …").
			p.noticeLocked("error", "claude was silent for "+d)
			return
		}
		p.noticeLocked("error", merge.WithKeyHint(ev.Text, p.keyHint))
	case wire.KindPrompt:
		if ev.Prompt != nil {
			// "[you]" for this member's own, with colour or without: a piped join tagged
			// them "[party] carol:", a terminal's "[you] alice:" (a tester's).
			tag := "party"
			if p.r.promptIsMine(*ev.Prompt) {
				tag = "you"
			}
			// One's own prompt is said at once, as an answer to one's own command is: in
			// plain output it does not wait for the agent's line to end (besideLocked),
			// which cuts the line and prints it again after. A script waits for it before
			// its next line (an e2e test's /withdraw came 1.5 s late, after the batch).
			p.besideLocked(tag, term.Line(ev.Prompt.User)+": "+p.promptShown(ev.Prompt.Text), tag != "you")
			if !p.sending.IsZero() && p.r.promptIsMine(*ev.Prompt) && len(p.r.sentSeen) < 64 {
				p.r.sentSeen = append(p.r.sentSeen, strings.TrimSpace(ev.Prompt.Text))
			}
			if u := p.r.unanswered; u != "" && p.r.promptIsMine(*ev.Prompt) && strings.TrimSpace(ev.Prompt.Text) == strings.TrimSpace(u) {
				p.r.unanswered, p.r.unansweredSaid = "", false
				p.noticeLocked("system", "your prompt reached the host after all: no need to send it again")
			}
		}
	case wire.KindWithdrawn:
		if w := ev.Withdrawn; w != nil {
			if p.removedSaid && p.removed != "" && w.User == p.removed {
				return // said with the removal, text and all (ownRemovalLocked)
			}
			p.asideLocked("party", p.withdrawnText(*w))
			if p.r.recalls() > recalls && p.sink != nil && !p.earlier && !p.recallSaid {
				p.noticeLocked("system", "Up recalls your prompt, to send again") // the roster gave it to the line editor
				p.recallSaid = true                                               // once for a run of them (a resume's withdrawals)
			}
		}
	case wire.KindBatch:
		p.turnWrote, p.turnFailed, p.turnDenials = false, 0, false
		if b := ev.Batch; b != nil {
			if b.Merger == "command" {
				// Our host says who ran it just before: said once (a tester's read both), in the
				// terminal of the host who ran it as "you ran …" (ownNotice); an older host said
				// "runs", and "you run".
				if cmd := term.Line(b.Merged); !strings.HasPrefix(p.lastNotice, "system") || !strings.HasSuffix(p.lastNotice, " ran the agent command "+cmd) && !strings.HasSuffix(p.lastNotice, " runs the agent command "+cmd) && p.lastNotice != "systemyou run the agent command "+cmd {
					p.noticeLocked("system", "running the agent command "+cmd)
				}
			} else if held != nil && held.Batch == b.ID && b.Merged != held.Merged {
				// A host edited it: what the agent gets is not what anyone asked for, so it
				// is shown (the first lines; /show has it all).
				text, cut := firstLines(term.Clean(b.Merged), 8)
				if cut {
					text += p.showHint() // all of it is shown otherwise
				}
				who := "a host" // a host from before edited_by
				switch {
				case p.r.isYou(b.EditedByMember, b.EditedBy, p.earlier):
					who = "you"
				case b.EditedBy != "":
					who = term.Line(b.EditedBy)
				}
				// Whose prompt, too: the host's "X edited and sent Y's prompt" just before is
				// not printed (saidLater), so this says it once.
				whose := "the prompt"
				if w, ok := p.r.batches[b.ID]; ok && len(w.authors) > 0 {
					whose = p.r.promptsOf(w)
				}
				p.noticeLocked("system", "sending "+whose+" to claude as "+who+" edited it:\n"+text)
			} else if len(b.Prompts) == 1 {
				p.noticeLocked("system", "sending the prompt to claude")
			} else {
				// People read who asked what; the merged text (for the model, with its
				// preamble) waits for /show.
				p.noticeLocked("system", fmt.Sprintf("sending %d prompts to claude, merged (%s):\n%s%s", len(b.Prompts), b.Merger, p.r.whatAsked(b.Prompts), p.showHint()))
			}
		}
	case wire.KindOutput:
		p.turnWrote = p.turnWrote || ev.Text != ""
		p.output(ev.Stream, ev.Text)
	case wire.KindTurn:
		if t := ev.Turn; t != nil {
			d := fmtDuration(time.Duration(t.DurationMS) * time.Millisecond)
			if t.DurationMS < 100 { // 0 is under a millisecond, not "0s" (a tester)
				d = "under 0.1s"
			}
			var seen transcript.Requests
			if r := p.requests[t.Batch]; r != nil {
				seen = *r
			}
			denied := deniedWords(t.Denied, seen)
			// Refused or timed out: what did not go as asked (a cancel is the turn's end).
			notAllowed := min(seen.TimedOut, t.Denied) + seen.Denied(t.Denied)
			planBack := seen.PlanSentBack(t.Denied, p.plansBack[t.Batch])
			delete(p.requests, t.Batch)
			delete(p.plansBack, t.Batch)
			// A step that failed is said at the end too: "finished" alone read as if all
			// went well (a user tester's). A host from before "(denied)" marked a denied
			// step's result "(error)": then the denials are all that is said.
			failed := ""
			if t.Denied == 0 || p.turnDenials {
				failed = failedWords(p.turnFailed)
			}
			switch t.Status {
			case wire.TurnDone:
				switch {
				case planBack:
					p.noticeLocked("system", fmt.Sprintf("claude finished (%s); its plan was sent back for changes%s%s", d, deniedWords(0, transcript.Requests{Cancelled: seen.Cancelled}), failed))
				case notAllowed > 0:
					p.noticeLocked("system", fmt.Sprintf("claude finished (%s), but not everything it asked for was allowed%s%s", d, denied, failed))
				case seen.Cancelled > 0:
					p.noticeLocked("system", fmt.Sprintf("claude finished (%s)%s%s", d, denied, failed))
				case failed != "":
					p.noticeLocked("system", fmt.Sprintf("claude finished (%s), but %s", d, strings.TrimPrefix(failed, "; ")))
				default:
					p.noticeLocked("system", fmt.Sprintf("claude finished (%s)", d))
				}
			case wire.TurnInterrupted:
				why := t.Error
				switch {
				case why == "":
					why = "interrupted"
				case strings.HasPrefix(why, "stopped by ") && p.r.isYou(t.ByMember, strings.TrimPrefix(why, "stopped by "), p.earlier):
					why = "stopped by you" // by the host's id (turn by_member) where it gives one
				}
				sofar := "what it wrote so far is above"
				if !p.turnWrote {
					sofar = "it had written nothing yet"
				}
				given := p.r.givenSince(recalls)
				if t.Error == wire.TurnPartyEnded {
					p.noticeLocked("system", p.cutByEndWords(t.Batch, d, denied, sofar, given))
					break
				}
				p.noticeLocked("system", fmt.Sprintf("claude's turn was stopped after %s (%s%s); %s", d, why, denied, sofar))
				if len(given) > 0 && p.sink != nil && !p.earlier {
					// As after a failed turn: the prompt was not answered (a tester's /stop
					// and turn timeout gave nothing back).
					n := len(given)
					p.noticeLocked("system", "press Up to get back "+yourPromptsWords(n, "from that turn")+" and send "+itOrThem(n)+" again")
				}
			default:
				p.failedTurn = t.Error
				if t.Error == party.NotRunAgain {
					// The host's choice, not a failure (a tester read "[error] … failed" of it).
					ran := fmt.Sprintf(" (after at least %s)", d)
					if t.DurationMS < 100 {
						// A lower bound under 0.1 s says nothing ("at least under 0.1s", a
						// tester's): a turn cut at once, or journalled before alive records
						// (journal.TypeAlive), which had nothing while a tool request waited.
						ran = ""
					}
					p.noticeLocked("system", fmt.Sprintf("the turn cut short when the host stopped%s is not run again: the party was resumed without it%s", ran, denied))
				} else {
					p.noticeLocked("error", fmt.Sprintf("claude's turn failed after %s: %s%s", d, t.Error, denied))
				}
				if n := p.r.recalls() - recalls; n > 0 && p.sink != nil && !p.earlier {
					// This turn had prompts of this member's: the editor puts them in its
					// history (status.recall), as the party says to send them again
					// (one typed elsewhere or long ago is not there otherwise).
					// Plainly: "Up recalls your prompt in it" puzzled a newcomer (a tester's).
					what, it := yourPromptsWords(n, "from that turn"), itOrThem(n)
					again := " and send " + it + " again"
					if argsRefused(t.Error) {
						// Claude will not start in this party: not an invitation to send it
						// here again, where it fails the same way (a reviewer's).
						again = ", to send once the party is hosted again (here " + it + " would fail the same way)"
					}
					p.noticeLocked("system", "press Up to get back "+what+again)
				}
			}
		}
	case wire.KindRetry:
		wrote := p.turnWrote
		// What follows is the batch's answer again; its plans sent back were of the void run.
		p.turnWrote, p.turnFailed, p.turnDenials = false, 0, false
		delete(p.plansBack, ev.RetryBatch)
		switch {
		case ev.Resumed && wrote:
			p.noticeLocked("system", "the partial reply above is void: the host stopped before it finished; claude answers that batch again")
		case ev.Resumed:
			// Said all the same: the batch's answer follows, with no batch line before it
			// (a tester's read as if nothing had been sent).
			p.noticeLocked("system", "the host stopped before claude answered that batch: claude answers it again")
		case wrote:
			p.noticeLocked("system", "the partial reply above is void: claude is answering that batch again")
		} // else there is no partial reply: the host's "restarting claude…" says what happens
	case wire.KindPermission:
		p.permission(ev.Permission)
	case wire.KindApproval:
		if a := ev.Approval; a != nil {
			host := p.isHostLocked()
			switch {
			case len(a.Prompts) == 1 && host:
				// A host is to decide on its text: quoted, as the window's card has it (a
				// tester's host saw its first line only, and needed /show to see what it
				// approved). One prompt goes as it was written (merge), under its author's
				// name, as a prompt is printed.
				who := ""
				if name, ok := p.r.authors[a.Prompts[0]]; ok {
					who = term.Line(name) + ": "
				}
				p.noticeLocked("approval", "a prompt waits for a host's approval:\n"+who+p.heldShown(a.Merged))
			case len(a.Prompts) == 1:
				// One prompt is not "merged" (a tester's): the line below names its author.
				p.noticeLocked("approval", "a prompt waits for a host's approval:\n"+p.r.whatAsked(a.Prompts))
			case host:
				// Who asked what, then the text the host sends or not, as the window's card
				// lists the prompts above the merged prompt.
				p.noticeLocked("approval", fmt.Sprintf("this merged prompt waits for a host's approval (%s):\n%s\nthe prompt %s, as claude would get it:\n%s",
					asked(p.r.batches[a.Batch]), p.r.whatAsked(a.Prompts), wire.MergedHow(term.Line(a.Merger)), p.heldShown(a.Merged)))
			default:
				p.noticeLocked("approval", fmt.Sprintf("this merged prompt waits for a host's approval (%s):\n%s%s", asked(p.r.batches[a.Batch]), p.r.whatAsked(a.Prompts), p.showHint()))
			}
			if host {
				p.noticeLocked("system", "/approve sends it, /approve TEXT sends TEXT instead, /reject [REASON] drops it")
			}
		}
	case wire.KindRejected:
		if rj := ev.Rejected; rj != nil {
			b := p.r.batches[rj.Batch]
			who := asked(b)
			by := term.Line(rj.By)
			switch {
			case p.r.isYou(rj.ByMember, rj.By, p.earlier):
				// As a withdrawal says it (a tester's host read "hosty rejected bob's
				// prompt" of its own rejection). Only live: a name is one member's at a
				// time, and in the history it may be another's who had it.
				by = "you"
			case b.mine == 0 && b.prompts > 0 && len(b.authors) == 1 && b.authors[0] == rj.By:
				who = strings.Replace(who, term.Line(rj.By)+"'s", "their", 1) // not "hosty rejected hosty's prompt"
			}
			what := "the merged prompt (" + who + ")"
			if len(rj.Prompts) == 1 { // one prompt is not "merged" (a tester's)
				what = who
			}
			text := by + " rejected " + what + "; it was not sent"
			if rj.Reason != "" {
				text += ": " + rj.Reason
			}
			if rj.Reason == party.ResumedWithout {
				// The resume's, not a host's rejection (a tester's host "rejected" it).
				text = what + " is not sent: " + rj.Reason
			}
			// "[system]", as a host's approval or edit of it is (a tester's read "[party]"
			// for the one, "[system]" for the other).
			p.noticeLocked("system", text)
			if p.r.recalls() > recalls && p.sink != nil && !p.earlier && !p.recallSaid {
				p.noticeLocked("system", "Up recalls your prompt, to send again")
				p.recallSaid = true
			}
		}
	case wire.KindChanges:
		if p.changed && slices.Equal(ev.Files, p.lastFiles) && ev.Hidden == p.lastHidden && ev.More == p.lastMore {
			break // the host sends one after every turn; the same list is not news
		}
		before := p.lastFiles
		p.lastFiles, p.lastHidden, p.lastMore = slices.Clone(ev.Files), ev.Hidden, ev.More
		n := len(ev.Files) + ev.More
		hadChanges := p.changed
		p.changed = n > 0 || ev.Hidden > 0
		switch {
		case !p.changed:
			if hadChanges { // the first changes event of a clean folder says nothing new
				p.noticeLocked("changes", "the working directory is back as it was when "+strings.TrimPrefix(p.r.sinceStart(), "since "))
			}
		case n == 0:
			p.asideLocked("changes", hiddenWords(ev.Hidden)+" changed "+p.r.sinceStart()+" (not shown)")
		default:
			// The files that were there at the start first, then the shallowest: a tester's
			// 2,500 new data/ files hid the one source file changed beside them.
			// And what changed since the last list first: while a command wrote a file a
			// second, every line named the same first three (a tester's).
			byWeight := slices.Clone(ev.Files)
			slices.SortStableFunc(byWeight, wire.MoreWorthNaming)
			slices.SortStableFunc(byWeight, func(a, b wire.FileChange) int {
				return boolOrder(!slices.Contains(before, a)) - boolOrder(!slices.Contains(before, b))
			})
			names := make([]string, 0, 4)
			for i, f := range byWeight {
				if i == 3 {
					names = append(names, "…")
					break
				}
				names = append(names, pathWords(f.Path))
			}
			also := ""
			if ev.Hidden > 0 {
				also = ", and " + hiddenWords(ev.Hidden) + " (not shown)"
			}
			p.asideLocked("changes", fmt.Sprintf("%d file%s changed %s (%s)%s; /changes lists them, /diff PATH shows one", n, plural(n), p.r.sinceStart(), strings.Join(names, ", "), also))
		}
	case wire.KindSettings:
		if ev.Settings == nil {
			break
		}
		// Only what changed: a settings event also follows a workspace change or an
		// "always", which have notices of their own.
		st := p.r.settings
		// Our host's notice just before says what changed ("hana turned approval on",
		// "hana set tool permissions to edits: …", "… approved the agent's plan: …"): not
		// said twice (a tester's). A host that says nothing gets this line.
		approvalSaid := st.Approval == before.Approval || strings.Contains(said, " turned approval ")
		modeSaid := st.PermissionMode == before.PermissionMode || strings.Contains(said, " set tool permissions to ") || strings.Contains(said, " approved the agent's plan")
		if !knew || !(approvalSaid && modeSaid) {
			onOff := "off"
			if st.Approval {
				onOff = "on"
			}
			p.asideLocked("system", fmt.Sprintf("approval is %s; tool permissions: %s", onOff, modeWords(st.PermissionMode)))
		}
		// A longer list is news (also at a resume); a shorter one comes with its own
		// notice ("alice made Bash ask again"), just after.
		if knew && !slices.Equal(st.Always, before.Always) && !isSubset(st.Always, before.Always) {
			p.asideLocked("system", alwaysWords(st.Always, p.r.you.Role == wire.RoleHost))
		}
		if st.Workspace != wire.WorkspaceOff && (before.Workspace == wire.WorkspaceOff || !knew) {
			// Sharing again: a terminal that joined while it was off never learned from
			// when the changes count (a tester's).
			p.baseNewsLocked()
		}
	}
}

// diff prints a unified diff, each line cleaned of escape sequences; coloured by kind
// when the terminal takes colour.
func (p *printer) diff(text string, truncated bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	p.breakLineLocked()
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = strings.ReplaceAll(term.Clean(l), "\n", " ")
		color := ""
		if p.color {
			switch {
			case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "):
				color = "\x1b[1m"
			case strings.HasPrefix(l, "+"):
				color = "\x1b[32m"
			case strings.HasPrefix(l, "-"):
				color = "\x1b[31m"
			case strings.HasPrefix(l, "@@"):
				color = "\x1b[36m"
			}
		}
		if color != "" {
			fmt.Fprintf(p.w, "%s%s\x1b[0m\n", color, l)
		} else {
			fmt.Fprintln(p.w, l)
		}
	}
	if truncated {
		p.noticeLocked("changes", "the diff was cut at 256 KiB")
	}
}

func (p *printer) output(stream, text string) {
	text = term.Clean(text)
	switch stream {
	case wire.StreamAssistant:
		text, p.held = p.held+text, ""
		if rest, ok := strings.CutPrefix(text, "\n"); ok && p.resume != "" {
			// The line news cut was whole: the cut ended it, and it is not printed again
			// (a reviewer's read it twice, and lost the blank line after it).
			text, p.resume = rest, ""
		} else if text != "" {
			p.resumeLocked() // the line news cut goes on: printed again, whole
		}
		// At most one blank line in a row: a reply that starts with blank lines after a
		// tool line or a notice, or a text block's, would otherwise leave two or three.
		lead := len(text) - len(strings.TrimLeft(text, "\n"))
		if keep := max(0, 2-p.newlines); lead > keep {
			text = text[lead-keep:]
		}
		if text = p.markAgentLinesLocked(text); text == "" {
			return
		}
		if i := strings.IndexByte(text, '\n'); i >= 0 && len(p.aside) > 0 {
			// The unfinished line ends here: what waited for it follows it.
			p.w.Defer([]byte(text[:i+1]))
			p.midLine, p.soFar = false, ""
			p.asideNowLocked()
			text = text[i+1:]
			if text == "" {
				p.newlines = 1
				return
			}
		}
		p.w.Defer([]byte(text))
		if i := strings.LastIndexByte(text, '\n'); i >= 0 {
			p.soFar = text[i+1:]
		} else {
			p.soFar += text
		}
		p.midLine = !strings.HasSuffix(text, "\n")
		if body := strings.TrimRight(text, "\n"); body == "" {
			p.newlines += len(text)
		} else {
			p.newlines = len(text) - len(body)
		}
	case wire.StreamTool:
		p.breakLineLocked()
		p.toolErr = false
		for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			fmt.Fprintf(p.w, "  » %s\n", l)
			p.toolErr, p.toolResult = transcript.IsFailedResult(l), l // "(error; its text is not shown…)" too
			switch {
			case p.toolErr:
				p.turnFailed++
			case transcript.IsDeniedResult(l), transcript.IsCancelledResult(l):
				p.turnDenials = true
			}
		}
	case wire.StreamToolOutput:
		// The tool line above sums it up; the whole output is for views that fold it. But
		// for a step that failed: its summary is the error's first line, the reason below
		// it (a user tester saw "Exit code 1" of a mkdir, and nowhere why).
		if p.toolErr {
			p.breakLineLocked()
			fmt.Fprintf(p.w, "%s\n", transcript.ErrorOutput(text, p.toolResult, "  »     "))
		}
		p.toolErr = false
	case wire.StreamStderr:
		p.noticeLocked("stderr", text)
	default:
		p.noticeLocked("system", "claude: "+text)
	}
}

// yourPromptsWords names n prompts of this member's: "your prompt from that turn", "your 2
// prompts from that turn" (where "from that turn").
func yourPromptsWords(n int, where string) string {
	if n > 1 {
		return fmt.Sprintf("your %d prompts %s", n, where)
	}
	return "your prompt " + where
}

// itOrThem is "it" of one prompt, "them" of more.
func itOrThem(n int) string {
	if n > 1 {
		return "them"
	}
	return "it"
}

// cutByEndWords says the turn the party's end cut short (wire.TurnPartyEnded): for whose
// prompts, after how long, and that a resume does not run it again; in the terminal of an
// author of its prompts (given: their texts), those texts, to be copied: the terminal
// closes with the party, so Up could not recall them. A tester's alice read only "stopped
// by the host", then the party's end, and her prompt was gone unsaid.
func (p *printer) cutByEndWords(batch, d, denied, sofar string, given []string) string {
	whose := ""
	if w, ok := p.r.batches[batch]; ok && len(w.authors) > 0 {
		whose = " for " + p.r.promptsOf(w)
	}
	text := fmt.Sprintf("claude's turn%s was cut short after %s when the party ended%s; %s. A resume does not run it again", whose, d, denied, sofar)
	if len(given) == 0 || p.earlier {
		return text
	}
	what := "your prompt"
	if len(given) > 1 {
		what = "your prompts"
	}
	return text + ": send " + what + " again then:\n" + strings.Join(given, "\n")
}

// saidLater says whether a host's system notice is said by the event that follows it, so
// that the terminal says it once (a tester read each twice): "X stopped the turn", while a
// turn runs, by the turn's end ("… stopped after 5.0s (stopped by X)"); "X edited and sent
// Y's prompt", while a merged prompt waits for approval, by its batch ("sending Y's prompt
// to claude as X edited it: …"). held and running are the roster's before the event.
func saidLater(text string, held, running bool) bool {
	if i := strings.Index(text, " edited and sent "); held && i > 0 && !strings.Contains(text[:i], ":") {
		return true // (not one quoted after a "reason:")
	}
	return running && strings.HasSuffix(text, " stopped the turn")
}

// invitesPrintedLocked says whether text is the notice of this terminal's own rotation in
// the owner's terminal, whose host prints the new invites with what they mean (host.go):
// "you made new invites" after them said it again (a tester's).
func (p *printer) invitesPrintedLocked(text string) bool {
	by, ok := party.RotatedBy(text)
	return ok && !p.earlier && by != "" && by == p.r.you.Name && p.r.you.Name == p.r.host && p.isHostLocked()
}

// ownRemovalLocked is a host's notice that it removed this terminal's member, as shown,
// with the text of each of its waiting prompts that go with it (so that they can be copied:
// the terminal ends with the removal, and Up could not recall them). Other notices are
// returned as they are. A tester's removed member read the removal, then its prompt, then
// "Up recalls your prompt", then "[error] a host removed you from the party". A host
// that names whom an act is on (ev.AboutMember, since 2026-12-07) is taken at its word:
// the shown text alone could be another member's removal whose name holds "removed you
// from the party" (a reviewer's).
func (p *printer) ownRemovalLocked(ev wire.Event, shown string) string {
	by, rest, ok := strings.Cut(shown, " removed you from the party")
	if !ok || p.earlier || by == "" || ev.AboutMember != "" && ev.AboutMember != p.r.you.ID {
		return shown
	}
	p.removedSaid = true
	if p.removed == "" || p.removed != p.r.you.Name {
		return shown
	}
	var texts []string
	for _, id := range p.r.pending {
		if t, ok := p.r.own[id]; ok {
			texts = append(texts, strings.TrimSpace(t))
		}
	}
	if len(texts) == 0 {
		return shown
	}
	i := strings.LastIndex(rest, " (your ")
	if i < 0 {
		return shown
	}
	what := "your waiting prompt goes with you, not sent:"
	if len(texts) > 1 {
		what = fmt.Sprintf("your %d waiting prompts go with you, not sent:", len(texts))
	}
	return by + " removed you from the party" + rest[:i] + "; " + what + "\n" + strings.Join(texts, "\n")
}
