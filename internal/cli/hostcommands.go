package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

// The host's commands (PROTOCOL.md §7): approving, editing and rejecting a held prompt,
// the party's tool permissions and its answers to tool requests, roles, removing members,
// invites, and agent commands such as /compact.

// held is the batch a host's /approve or /reject is for: the one waiting for approval, or
// the one that waited until a moment ago, which the party refuses with who decided it
// (party.DecidedError: "bob already approved it").
func (c *commander) held() (string, error) {
	id := ""
	c.pr.with(func(r *roster) {
		switch {
		case r.held != nil:
			id = r.held.Batch
		case r.heldLast != "" && time.Since(r.heldGone) < recentHeldDecision:
			id = r.heldLast
		}
	})
	if id == "" {
		return "", errors.New("no merged prompt is waiting for approval")
	}
	return id, nil
}

func (c *commander) approve(ctx context.Context, arg string) error {
	id, err := c.held()
	if err != nil {
		return err
	}
	var text *string
	if arg != "" {
		text = &arg
	}
	if err := c.ctl.Approve(ctx, id, text); err != nil {
		if text != nil && strings.TrimSpace(arg) != "" && c.editor {
			// The edit is not lost with the approval (a co-host's lost the race to the
			// host, and the text typed was gone; the window offers it back too).
			c.pr.recall(arg)
			return fmt.Errorf("%w; Up recalls your edited text", err)
		}
		return err
	}
	if strings.HasPrefix(arg, "/") {
		// The party sends it as words with a leading space (PROTOCOL.md §4, Party.prompt),
		// not as the agent's command: said, so that "/approve /clear" is not taken for a
		// cleared session (a tester's). A path (/etc/hosts) is not called a command (a
		// reviewer's).
		if agentCommandWord.MatchString(strings.Fields(arg)[0]) {
			c.pr.reply("system", "sent as a prompt, not run as the agent command "+term.Line(strings.Fields(arg)[0])+"; /agent "+term.Line(arg)+" runs it")
		}
	}
	return nil
}

// agentCommandWord is what the first word of an agent command looks like: /compact,
// /clear, /review:pr, not a path.
var agentCommandWord = regexp.MustCompile(`^/[A-Za-z][\w:-]*$`)

func (c *commander) reject(ctx context.Context, arg string) error {
	id, err := c.held()
	if err != nil {
		return err
	}
	return c.ctl.Reject(ctx, id, arg)
}

func (c *commander) approval(ctx context.Context, arg string) error {
	var on bool
	c.pr.with(func(r *roster) { on = r.settings.Approval })
	state, other := "off: merged prompts go to claude at once", "on"
	if on {
		state, other = "on: every merged prompt waits for a host to send, edit or reject it", "off"
	}
	var want bool
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "":
		// As /permissions alone: the state, and how to change it.
		c.pr.reply("system", "approval is "+state+"; /approval "+other+" changes it")
		return nil
	case "on":
		want = true
	case "off":
	default:
		return errors.New("say /approval on or /approval off")
	}
	if want == on {
		// The host would do nothing and say nothing: say so here.
		c.pr.reply("system", "approval is already "+state)
		return nil
	}
	return c.ctl.SetApproval(ctx, want)
}

// permissions sets the party's tool permission mode; without a mode it says the current one.
func (c *commander) permissions(ctx context.Context, arg string) error {
	mode := strings.ToLower(strings.TrimSpace(arg))
	var now string
	var you wire.Member
	var always []string
	var wait time.Duration
	c.pr.with(func(r *roster) {
		now, you, always, wait = r.settings.PermissionMode, r.you, r.settings.Always, r.permTimeout
	})
	// How long a request waits for a host, which only a waiting one said before.
	also := timeoutWords(wait, now)
	// And the tools allowed for good, which ask nobody whatever the mode (a tester's
	// "every tool use that needs permission asks a host" while Bash ran unasked).
	if len(always) > 0 {
		also += "; " + alwaysWords(always, false)
	}
	if !c.isHost() {
		// Anyone may ask what the agent may do unasked (it is shown at the join and at each
		// change, which may have scrolled away); only hosts change it.
		if mode != "" {
			return errors.New("only hosts change tool permissions; they are now: " + modeWords(now) + also)
		}
		c.pr.reply("system", "tool permissions: "+modeWords(now)+also+"; only hosts change them")
		return nil
	}
	owner := c.mayBeOwner(you)
	if mode != wire.PermissionAll {
		c.allAsked = time.Time{} // an all said back is forgotten once anything else is asked
	}
	switch mode {
	case "":
		choices := "ask|edits|plan|all"
		if !owner {
			choices = "ask|edits|plan" // all is the owner's (the host refuses it)
		}
		if len(always) > 0 {
			also += " (/revoke TOOL makes one ask again)"
		}
		c.pr.reply("system", "tool permissions: "+modeWords(now)+also+"; /permissions "+choices+" changes them")
		return nil
	case now:
		c.pr.reply("system", "tool permissions are already: "+modeWords(now))
		return nil
	case wire.PermissionAll:
		if !owner {
			return errors.New("only the party's owner can allow everything: the agent runs on their computer" + c.noOwnerWords("--permission-mode all"))
		}
		// As the window does, all is said back once: the agent would run anything unasked
		// on the owner's computer. The same command within quitAgain does it.
		t := c.clock()
		if c.allAsked.IsZero() || t.Sub(c.allAsked) >= quitAgain {
			c.allAsked = t
			c.pr.reply("system", fmt.Sprintf("all lets the agent run any command and change any file on %s without asking anyone: /permissions all again within %d seconds does it", c.ownersComputer(), int(quitAgain/time.Second)))
			return nil
		}
		c.allAsked = time.Time{}
		return c.ctl.SetPermissionMode(ctx, mode)
	case wire.PermissionAsk, wire.PermissionEdits, wire.PermissionPlan:
		// The settings event that follows says the new mode to everyone, this terminal too.
		return c.ctl.SetPermissionMode(ctx, mode)
	}
	return errors.New("say /permissions ask (every tool use that needs permission asks a host), edits (file edits allowed), plan (read-only planning) or all (everything, never asks)")
}

// recentDecision is how long after a request was decided a host's /allow, /deny or
// /always is told who decided it (it was most likely meant for that one).
const recentDecision = time.Minute

// recentHeldDecision is how long after a held prompt was decided a host's /approve or
// /reject is still sent for it, so that the party says who decided it: the race of two
// hosts typing at once, not a minute in which a /approve meant for the next merged
// prompt, not yet held, would be told of the last one (a reviewer's).
const recentHeldDecision = 10 * time.Second

// movedRecently: a decision typed this soon after someone else decided the oldest request
// may have been meant for that one, and is said back before it answers the next.
const movedRecently = 3 * time.Second

// decidedWords says how the last request was decided: "bob already denied Bash".
func decidedWords(p wire.Permission) string {
	tool := term.Line(p.Tool)
	switch {
	case p.Status == wire.PermissionTimedOut:
		return tool + " was already denied: no host decided in time"
	case transcript.IsCancelledRequest(p):
		return tool + " was already cancelled: " + term.Line(p.Reason) // nobody refused it
	case p.By == "":
		return tool + " was already " + term.Line(p.Status)
	}
	return term.Line(p.By) + " already " + term.Line(p.Status) + " " + tool
}

// decideWith is /allow, /deny or /always: it answers the oldest waiting tool request
// with decision.
func decideWith(decision string) func(*commander, context.Context, string) error {
	return func(c *commander, ctx context.Context, arg string) error {
		id, tool, summary, late, moved, you := "", "", "", "", "", wire.Member{}
		uncovered, editsMode := false, false
		c.pr.with(func(r *roster) {
			you = r.you
			if len(r.perms) > 0 {
				id, tool, summary, uncovered = r.perms[0].ID, r.perms[0].Tool, permWhat(r.perms[0]), r.perms[0].Uncovered
				editsMode = r.settings.PermissionMode == wire.PermissionEdits
				if d := r.movedBy; d != nil && r.movedUp == id && !r.isYou(d.ByMember, d.By, false) && time.Since(r.movedAt) < movedRecently {
					moved = decidedWords(*d)
				}
			} else if d := r.decided; d != nil && !r.isYou(d.ByMember, d.By, false) && time.Since(r.decidedAt) < recentDecision {
				// Not one's own decision, nor one of a turn before this batch (roster): a
				// tester's /deny with nothing waiting read "hostie already allowed Bash" of
				// their own decision, turns before.
				late = decidedWords(*d)
			}
		})
		switch {
		case late != "":
			return errors.New("no tool request is waiting for a decision: " + late)
		case id == "":
			return errors.New("no tool request is waiting for a decision")
		case moved != "" && c.editor && c.movedAsked != id:
			// The request this was typed for went an instant before, and the oldest now is
			// one the person may not have read (a tester's second answer, meant for the
			// request before, allowed an rm -rf in the window): said back, taken the second time.
			c.movedAsked = id
			again := "/" + decision
			if arg != "" {
				again += " " + term.Line(arg) // a reason typed is not dropped (a reviewer's)
			}
			c.pr.reply("system", fmt.Sprintf("%s, a moment ago; the oldest waiting now is %s — %s again to answer it", moved, summary, again))
			return nil
		case decision == wire.DecisionAlways && !c.mayBeOwner(you):
			// The host refuses it too (PROTOCOL.md §7): said here without a round trip.
			return errors.New("only the party's owner can allow a tool for the rest of the party" + c.noOwnerWords("") + "; /allow allows this one request")
		case decision == wire.DecisionAlways && tool == "Bash" && c.editor && (c.bashAsked != id || c.clock().Sub(c.bashAskedAt) >= quitAgain):
			// Every command, unasked, on the owner's computer: asked once, as /permissions all
			// is (the window asks too). Only where a person answers: a script's /always is
			// taken as it is.
			c.bashAsked, c.bashAskedAt = id, c.clock()
			c.pr.reply("system", fmt.Sprintf("/always for Bash lets the agent run any command on %s without asking (but one whose words name a file that usually holds secrets; a command can reach one without naming it), for the rest of the party: /always again within %d seconds does it; /allow allows this one", c.ownersComputer(), int(quitAgain/time.Second)))
			return nil
		}
		c.bashAsked = ""
		err := c.ctl.Decide(ctx, id, decision, arg)
		if err == nil && decision == wire.DecisionAlways {
			// Where the hint offered none, /always still allows this request and records
			// the tool (PROTOCOL.md §7), but the owner who typed it is told what it does
			// not cover (a tester's took it for a .env write allowed for good).
			switch {
			case uncovered:
				c.pr.reply("system", "allowed this request once: an always for "+term.Line(tool)+" does not cover it ("+uncoveredWords(tool)+" "+askVerb(tool)+" each time)")
			case party.EditTool(tool) && editsMode:
				c.pr.reply("system", "allowed this request once: edits mode allows the folder's files already, and an always does not cover "+uncoveredWords(tool)+": they ask each time")
			}
		}
		var re *rpc.Error
		if errors.As(err, &re) && re.Code == rpc.CodeInvalidParams {
			// Another host decided it first (or it timed out) an instant before: said as
			// who did what, not as the host's "no tool request \"t23\" is waiting" (a
			// tester's), once its event is here.
			var d *wire.Permission
			c.pr.await(ctx, time.Second, func(r *roster) bool {
				if r.decided != nil && r.decided.ID == id {
					d = r.decided
				}
				return d != nil
			})
			if d != nil {
				return errors.New("no tool request is waiting for a decision: " + decidedWords(*d))
			}
		}
		return err
	}
}

func (c *commander) retryNow(context.Context, string) error {
	switch {
	case c.retry == nil:
		c.pr.reply("system", "this terminal runs the party: it is never disconnected from it")
	case c.retry():
		c.pr.reply("system", "trying to reach the host now")
	default:
		c.pr.reply("system", "connected to the host; nothing to retry")
	}
	return nil
}

// revoke takes back an "always": /revoke TOOL; alone, it lists what is always allowed.
// The tool's name is matched without regard to case when that is unambiguous.
func (c *commander) revoke(ctx context.Context, arg string) error {
	var always []string
	c.pr.with(func(r *roster) { always = r.settings.Always })
	if arg == "" {
		c.pr.reply("system", alwaysWords(always, true))
		return nil
	}
	tool := arg
	if !slices.Contains(always, tool) {
		var folded []string
		for _, t := range always {
			if strings.EqualFold(t, arg) {
				folded = append(folded, t)
			}
		}
		if len(folded) == 1 {
			tool = folded[0]
		}
	}
	return c.ctl.RevokeAlways(ctx, tool)
}

func (c *commander) role(ctx context.Context, arg string) error {
	// The role is the last word; the name is everything before it, spaces and all
	// ("/role bob smith viewer"), in quotes or not.
	f := strings.Fields(arg)
	if len(f) < 2 {
		return errors.New("say /role NAME co-host|participant|viewer (host is co-host)")
	}
	name := unquote(strings.Join(f[:len(f)-1], " "))
	m, _, err := c.target(name)
	if err != nil {
		return err
	}
	role := strings.ToLower(f[len(f)-1])
	switch role {
	case "co-host", "cohost", wire.RoleHost:
		role = wire.RoleHost
	case wire.RoleParticipant, wire.RoleViewer:
	default:
		// Said here, in /help's words, and every word taken: the host's "role must be
		// host, participant or viewer" named a role /help did not (a tester's), and
		// "say co-host, participant or viewer" left out host, which PROTOCOL.md §7 names
		// and /role takes (another tester's).
		return fmt.Errorf("%q is no role: say co-host (or host), participant or viewer", term.Line(f[len(f)-1]))
	}
	if m.Role == role { // the host would do nothing, and say nothing
		if role == wire.RoleHost && c.isOwner(m) {
			return fmt.Errorf("%s is the party's host", term.Line(m.Name))
		}
		return fmt.Errorf("%s is already %s", term.Line(m.Name), roleWords(role))
	}
	return c.ctl.SetRole(ctx, m.ID, role)
}

func (c *commander) kick(ctx context.Context, arg string) error {
	name, reason := c.splitName(arg)
	if name == "" {
		return errors.New("say /kick NAME [REASON]")
	}
	m, away, err := c.target(name)
	if err != nil {
		return err
	}
	// A connected member is the one a name means; say when one who is away has that name
	// too (a tester's /kick removed the connected one of two without a word of the other).
	also := 0
	if !away {
		c.pr.with(func(r *roster) { also = r.awayNamed(m.Name) })
	}
	if err := c.ctl.Kick(ctx, m.ID, reason); err != nil {
		return err
	}
	// Whether the invite they joined with still works: not when new ones were made since
	// (a tester's /kick said "with the invite they have" of one whose invite was rotated).
	again := "they can join again with the invite they have until you make new ones (/rotate)"
	c.pr.with(func(r *roster) {
		if r.inviteReplaced(m.ID) {
			again = "the invite they joined with no longer works (new ones were made since); with the current ones they can join again, until you make new ones (/rotate)"
		}
	})
	if m.Role == wire.RoleViewer {
		// The demotion holds for the same terminal or window (a tester was not told).
		again += "; from the same terminal or window they come back as a viewer"
	}
	if away {
		c.pr.with(func(r *roster) { r.back(m.ID) })
		c.pr.reply("system", fmt.Sprintf("%s was not connected; their session no longer works: %s", term.Line(m.Name), again))
		return nil
	}
	// The hint follows the host's "… removed NAME" (it came first): our host says that
	// before the member's leaving, which is waited for (a second at most).
	c.pr.await(ctx, time.Second, func(r *roster) bool { return !r.connected(m.ID) })
	c.pr.reply("system", again)
	if n := term.Line(m.Name); also == 1 {
		c.pr.reply("system", fmt.Sprintf("another member called %s is away and may come back: /kick %s again removes them", n, n))
	} else if also > 1 {
		c.pr.reply("system", fmt.Sprintf("%d other members called %s are away and may come back: /kick %s again removes one", also, n, n))
	}
	return nil
}

// target finds the member a host command names: a connected one, else one who is away.
// Someone who left may come back with their session: a host must be able to change or
// remove them too (a tester's /kick of a member reconnecting was refused, and they were
// back a second later).
func (c *commander) target(name string) (m wire.Member, away bool, err error) {
	ok, removed := false, false
	var alike []wire.Member
	c.pr.with(func(r *roster) {
		if m, away, ok = r.named(name); !ok {
			alike = r.alike(name)
			removed = r.wasRemoved(name)
		}
	})
	switch {
	case ok:
		return m, away, nil
	case len(alike) == 1:
		// Someone whose name only looks like what was typed (another script's letters, a
		// 1 for an l): the party keeps such names apart, so it is this one. Typing it as
		// /who shows it must reach an impersonator (a tester's /role hana-2 did not).
		return alike[0], false, nil
	case len(alike) > 1:
		names := make([]string, len(alike))
		for i, a := range alike {
			names[i] = fmt.Sprintf("%q", term.Line(a.Name))
		}
		return m, false, fmt.Errorf("%d members have names like %q: %s; copy the one you mean from /who", len(alike), name, strings.Join(names, ", "))
	}
	if removed {
		return m, false, fmt.Errorf("%q was removed from the party; a NAME in quotes is taken as it is (\"bob\" smith: bob, for the reason smith)", name)
	}
	if bare := strings.TrimRight(name, ",;:."); bare != name && bare != "" {
		var found bool
		c.pr.with(func(r *roster) { _, _, found = r.named(bare) })
		if found {
			// "/kick bob-2, too noisy" (a tester's): the comma is not the name's.
			return m, false, fmt.Errorf("nobody called %q is in the party: did you mean %q? (a name ends at a space, with no mark after it)", name, bare)
		}
	}
	return m, false, fmt.Errorf("nobody called %q is in the party (/who lists the members)", name)
}

// splitName cuts "NAME [REST]" where a name may have spaces: a name in quotes ("bob
// smith" or 'bob smith') is taken as it is; otherwise the longest run of leading words
// that names a member, connected or away (so "/kick bob smith" removes "bob smith", not
// "bob" for the reason "smith"); otherwise the first word.
func (c *commander) splitName(arg string) (name, rest string) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return "", ""
	}
	if q := arg[0]; q == '"' || q == '\'' {
		if end := strings.IndexByte(arg[1:], q); end >= 0 {
			return strings.TrimSpace(arg[1 : 1+end]), strings.TrimSpace(arg[2+end:])
		}
	}
	words := strings.Fields(arg)
	n := 1
	c.pr.with(func(r *roster) {
		for k := len(words); k > 1; k-- {
			// A name of a member since removed is still that name: refused as nobody's
			// (target), never read as a shorter name and a reason (a tester's repeated
			// "/kick bob smith" removed bob, for "smith").
			if _, _, ok := r.named(strings.Join(words[:k], " ")); ok || r.wasRemoved(strings.Join(words[:k], " ")) {
				n = k
				return
			}
		}
	})
	rest = arg
	for range n { // the rest as typed, its spaces kept
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			rest = rest[i:]
		} else {
			rest = ""
		}
	}
	return strings.Join(words[:n], " "), strings.TrimSpace(rest)
}

// unquote takes off one pair of matching quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func (c *commander) rotate(ctx context.Context, _ string) error {
	inv, err := c.ctl.RotateInvite(ctx)
	if err != nil {
		return err
	}
	c.rotated = &inv
	if !c.hostPrints {
		c.printInvites(inv, "the new invites (everyone here stays in the party, and members away can still come back: /kick NAME keeps one out):") // the notice says the old ones let nobody new in
	}
	return nil
}

func (c *commander) invite(ctx context.Context, _ string) error {
	if c.invites != nil {
		c.printInvites(c.invites(), "the invites:")
		return nil
	}
	// A co-host asks the host (an extension of §7; a host older than it does not know it).
	inv, err := c.ctl.Invites(ctx)
	if err != nil {
		if c.rotated != nil {
			c.printInvites(*c.rotated, "the invites you made:")
			return nil
		}
		return fmt.Errorf("%w (this host cannot show them; /rotate makes new ones and shows them to you)", err)
	}
	c.printInvites(inv, "the invites:")
	return nil
}

func (c *commander) printInvites(inv wire.Invites, title string) {
	c.pr.invites(inv, title, "")
}

func (c *commander) agent(ctx context.Context, arg string) error {
	if !strings.HasPrefix(arg, "/") {
		return errors.New("say /agent /COMMAND, for example /agent /compact")
	}
	return c.ctl.AgentCommand(ctx, arg)
}
