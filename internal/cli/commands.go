package cli

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// commander runs what a person types in a party terminal: prompts, and the slash commands
// their role allows (PROTOCOL.md §7). Host commands go through a party.Controller: the
// host's own *party.Local, or a co-host's *client.Client.
type commander struct {
	pr     *printer
	prompt func(ctx context.Context, text string) error
	// withdraw takes back a waiting prompt by id (Party.withdraw).
	withdraw func(ctx context.Context, id string) error
	ctl      party.Controller
	// invites returns the current invites; nil where this terminal does not know them
	// (a co-host's: it sees new ones when it rotates them).
	invites func() wire.Invites
	// rotated remembers invites a co-host made, for /invite.
	rotated *wire.Invites
	// describe turns an error from the party or the host into a sentence.
	describe func(error) string
	// ws reads the working directory's changes (every member may).
	ws workspaceView
	// editor: the line editor runs (a terminal), so /help describes its keys.
	editor bool
	// retry cuts the wait before the next reconnect attempt and reports whether the
	// terminal was reconnecting; nil in the host's own terminal (never disconnected).
	retry func() bool
	// shell runs /shell commands beside the party.
	shell shellJob
	// lookups runs /changes, /diff and /tree beside the terminal (in the line editor).
	lookups lookups
	// endsParty: this terminal's /quit ends the party (the host's own terminal), so a /quit
	// while work is under way is said back once and taken the second time (quitAsked).
	endsParty bool
	quitAsked time.Time
	// allAsked is when /permissions all was said back (it is taken the second time).
	allAsked time.Time
	// bashAsked is the Bash request whose /always was said back, and when (taken the
	// second time, as the window's Always allow Bash asks first).
	bashAsked   string
	bashAskedAt time.Time
	// treeAsked is when /share tree was said back (the same way).
	treeAsked time.Time
	now       func() time.Time // nil: time.Now
	// ctrlCAsked is when the host's Ctrl-C on an empty line was said back (the same way).
	ctrlCAsked time.Time
}

// quitAgain is how long a /quit asked back stays asked.
const quitAgain = 10 * time.Second

// commandWord matches a slash command: "/word" alone or followed by a space. A line that
// only looks like a path ("/etc/hosts …") is text.
var commandWord = regexp.MustCompile(`^/([A-Za-z][A-Za-z0-9_-]*)(?:\s|$)`)

type command struct {
	usage, help string
	host        bool // host only
	run         func(c *commander, ctx context.Context, arg string) error
	// takesArg: text after the command is its argument; for a command without one the
	// line is refused ("/exit plan mode…" is a prompt, not /exit).
	takesArg bool
}

// forGuests is what /help shows someone who is not a host for a command that does less
// for them (it only says how things are): usage and help.
var forGuests = map[string][2]string{
	"permissions": {"/permissions", "what the agent may do without asking a host (hosts change it)"},
	"withdraw":    {"/withdraw", "take back your latest prompt that no batch has taken yet"},
}

var commands = map[string]command{
	"help":     {"/help", "list the commands you can use", false, nil, false},
	"who":      {"/who", "list the members and their roles (and the tools always allowed)", false, (*commander).who, false},
	"quit":     {"/quit", "leave (the owner's, in the host's own terminal, ends the party; a co-host's leaves it)", false, nil, false},
	"exit":     {"/exit", "the same as /quit", false, nil, false},
	"shell":    {"/shell CMD", "run CMD on this machine only; nothing is sent", false, nil, true},
	"changes":  {"/changes [FOLDER]", "list the files the agent changed since the party (or its sharing) began (a long list by folder; FOLDER lists one)", false, (*commander).changes, true},
	"diff":     {"/diff PATH", "show what changed in one file (a name /changes shows in quotes, give in quotes)", false, (*commander).diff, true},
	"tree":     {"/tree [PATH]", "list a folder of the working directory (when the host shares it: --share-workspace tree)", false, (*commander).tree, true},
	"show":     {"/show", "print the merged text of the last batch, as claude got it", false, (*commander).show, false},
	"retry":    {"/retry", "while reconnecting: try to reach the host now", false, (*commander).retryNow, false},
	"withdraw": {"/withdraw [NAME]", "take back your latest prompt that no batch has taken yet (NAME: that member's)", false, (*commander).withdrawLast, true},

	"approve":     {"/approve [TEXT]", "send the merged prompt that waits for approval (TEXT instead, if given)", true, (*commander).approve, true},
	"reject":      {"/reject [REASON]", "drop the merged prompt that waits; its authors are told", true, (*commander).reject, true},
	"approval":    {"/approval [on|off]", "hold every merged prompt for a host's approval, or not; alone, whether it is on", true, (*commander).approval, true},
	"permissions": {"/permissions [ask|edits|plan|all]", "what the agent may do without asking, from now on: every tool use asks (ask), file edits allowed (edits), read-only planning (plan), everything (all, the party's owner only); alone, the current one", false, (*commander).permissions, true},
	"stop":        {"/stop", "stop the running turn", true, func(c *commander, ctx context.Context, _ string) error { return c.ctl.Interrupt(ctx) }, false},
	"send":        {"/send", "send the waiting prompts now, without waiting for the batching window or --min-prompts", true, func(c *commander, ctx context.Context, _ string) error { return c.ctl.SendNow(ctx) }, false},
	"allow":       {"/allow", "allow the oldest waiting tool request", true, decideWith(wire.DecisionAllow), false},
	"deny":        {"/deny [REASON]", "deny it; REASON reaches the agent", true, decideWith(wire.DecisionDeny), true},
	"always":      {"/always", "allow it and every later use of that tool in this party (the party's owner only)", true, decideWith(wire.DecisionAlways), false},
	"revoke":      {"/revoke [TOOL]", "make a tool allowed with /always ask again (no TOOL: list them)", true, (*commander).revoke, true},
	"role":        {"/role NAME co-host|participant|viewer", "change someone's role (a NAME may have spaces; host is co-host)", true, (*commander).role, true},
	"kick":        {"/kick NAME [REASON]", "remove someone from the party (a NAME may have spaces; \"NAME\" in quotes takes it as it is)", true, (*commander).kick, true},
	"rotate":      {"/rotate", "make new invites; the old links stop working", true, (*commander).rotate, false},
	"invite":      {"/invite", "show the invites", true, (*commander).invite, false},
	"agent":       {"/agent /COMMAND", "run an agent command, e.g. /agent /compact", true, (*commander).agent, true},
	"share":       {"/share off|changes|tree", "what everyone may see of the working directory (tree: the party's owner only)", true, (*commander).share, true},
}

// line handles one line of input; it returns true when the person quits.
func (c *commander) line(ctx context.Context, line string) (quit bool) {
	if line == interruptLine { // Ctrl-C on an empty input
		switch c.shell.interrupt() {
		case stoppedCommand:
			return false
		case commandJustEnded:
			c.pr.reply("system", "the /shell command had already ended; Ctrl-C again leaves")
			return false
		}
		if c.endsParty && c.editor {
			// The host's Ctrl-C on an empty line ends the party for everyone: asked once
			// (a tester's, meant to clear a line already empty, ended it; claude asks too).
			if t := c.clock(); c.ctrlCAsked.IsZero() || t.Sub(c.ctrlCAsked) >= quitAgain {
				c.ctrlCAsked = t
				busy, prompts := c.underWay()
				what := ""
				if len(busy) > 0 {
					what = strings.Join(busy, "; ") + ": "
				}
				c.pr.reply("system", fmt.Sprintf("%sCtrl-C again within %d seconds ends the party for everyone%s", what, int(quitAgain/time.Second), unsentWords(prompts)))
				return false
			}
		}
		return true
	}
	if line == eofLine {
		return c.quit("Ctrl-D")
	}
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		return false
	}
	if strings.HasPrefix(trimmed, "//") {
		c.send(ctx, trimmed[1:]) // "//x" sends "/x" as text
		return false
	}
	m := commandWord.FindStringSubmatch(trimmed)
	if m == nil {
		// A lone "/", or "/ who": a command mistyped, not words for claude (a tester's
		// "/" went to claude as " /" after an approval).
		if word, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(trimmed, "/")), " "); trimmed == "/" || strings.HasPrefix(trimmed, "/ ") && c.usable(strings.ToLower(word)) {
			what := "a lone / is not a command"
			if trimmed != "/" {
				what = fmt.Sprintf("\"/ %s\" is not a command (did you mean /%s?)", word, strings.ToLower(word))
			}
			c.refuse(what, line)
			return false
		}
		c.send(ctx, line)
		return false
	}
	name := strings.ToLower(m[1])
	arg := strings.TrimSpace(trimmed[len(m[1])+1:])
	cmd, ok := commands[name]
	if !ok || (cmd.host && !c.isHost()) {
		what := "unknown command /" + name
		if ok {
			what = "/" + name + " is for hosts"
		} else if near := c.nearCommand(name); near != "" {
			what += " (did you mean /" + near + "?)" // a tester's /aprove, /alow and /kik bob
		}
		c.refuse(what, line)
		return false
	}
	if arg != "" && (!cmd.takesArg || name == "withdraw" && !c.isHost()) {
		// (/withdraw takes a NAME from a host only: "/withdraw that last one please" of
		// anyone else is a prompt, given back as before: a reviewer's.)
		// "/exit plan mode and start implementing" is a prompt that happens to begin with
		// a command's word: never run /exit for it, nor lose the rest. It goes back into
		// the input, to be sent with // or corrected.
		c.pr.reply("error", "/"+name+" takes nothing after it; nothing was run"+c.orSent())
		c.pr.giveBack(line)
		return false
	}
	if name == "changes" && proseArg(arg) {
		// The same for "/changes look fine, now add tests" (a reviewer's): a folder with
		// spaces in its name is given quoted or with its "/".
		c.pr.reply("error", `/changes takes a folder (quoted, or ending in "/", when its name has spaces); nothing was run`+c.orSent())
		c.pr.giveBack(line)
		return false
	}
	switch name {
	case "quit", "exit":
		return c.quit("/" + name)
	case "help":
		c.help()
		return false
	case "shell":
		c.shell.start(ctx, arg, c.pr, c.editor)
		if !c.editor {
			c.shell.wait() // a script's next line comes after the command, as it reads
		}
		return false
	}
	fail := func(err error) { c.pr.reply("error", "/"+name+": "+c.describe(err)) }
	if c.editor && lookupCommands[name] {
		what := "/" + name
		if arg != "" {
			what += " " + arg
		}
		c.lookups.run(ctx, c.pr, what, func(ctx context.Context) error { return cmd.run(c, ctx, arg) }, fail)
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	if err := cmd.run(c, cctx, arg); err != nil {
		fail(err)
	}
	return false
}

// refuse says why line was not run or sent, gives it back to the input line to be
// corrected, and how to send it as words, to one who may send prompts.
func (c *commander) refuse(what, line string) {
	if c.isViewer() { // a viewer sends no prompts: no "//" to offer (a tester's)
		c.pr.reply("error", what+c.backWords()+"; /help lists your commands")
	} else {
		c.pr.reply("error", what+"; nothing was sent"+c.backWords()+". /help lists your commands (start a prompt with // to send a leading /)")
	}
	c.pr.giveBack(line) // to be corrected, or sent with //
}

// usable says whether name is a command this member may run.
func (c *commander) usable(name string) bool {
	cmd, ok := commands[name]
	return ok && (!cmd.host || c.isHost())
}

// nearCommand is the command this member may run that name looks mistyped from, or "".
// Never /quit or /exit, which end a host's party: claude's own /init and /edit are one and
// two letters from /exit (a reviewer's). A word of four letters or fewer must be one edit
// from the command ("/hi" is not /who).
func (c *commander) nearCommand(name string) string {
	var names []string
	for n := range commands {
		if c.usable(n) && n != "quit" && n != "exit" {
			names = append(names, n)
		}
	}
	sort.Strings(names) // one answer for a tie, always the same
	near := didYouMean(name, names)
	if near != "" && len([]rune(name)) <= 4 && levenshtein(strings.ToLower(name), near) > 1 {
		return ""
	}
	return near
}

func (c *commander) send(ctx context.Context, text string) {
	c.pr.sendStart()
	err := c.prompt(ctx, text)
	c.pr.sendDone()
	switch {
	case err == nil:
	case client.Unanswered(err):
		// The prompt went out and no answer came back: the host may well have it.
		why := "the host did not answer within a minute"
		if !errors.Is(err, rpc.ErrTimeout) {
			why = "the connection dropped before the host answered"
		}
		c.pr.reply("error", "no answer to your prompt ("+why+"): it may have reached the host; if it does not show up in the party, send it again (↑ brings it back)")
	case c.editor:
		c.pr.reply("error", "prompt not sent: "+c.describe(err))
	default:
		// A script's lines go one after another: say which one was not sent (a tester's 40
		// piped lines gave 20 alike "prompt not sent: rate limited" and no way to tell which).
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): "+c.describe(err))
	}
}

// withdrawLast takes back this member's newest prompt that still waits for a batch.
func (c *commander) withdrawLast(ctx context.Context, arg string) error {
	if arg = strings.TrimSpace(arg); arg != "" {
		return c.withdrawOf(ctx, arg) // a host's: line lets no one else's through
	}
	if c.isViewer() && !c.hasWaiting() {
		return errors.New("you are a viewer, with no prompt waiting to take back")
	}
	var id, text string
	var held bool
	c.pr.with(func(r *roster) {
		id = r.lastWaiting()
		text = r.own[id]
		held = r.held != nil && slices.ContainsFunc(r.held.Prompts, r.mine)
	})
	switch {
	case id != "":
		if err := c.withdraw(ctx, id); err != nil {
			return err
		}
		c.pr.giveBack(text) // to be corrected and sent again
		return nil
	case held && c.isHost():
		return errors.New("your prompt is already in the merged prompt that waits for approval; /reject drops it (and the others' in it)")
	case held:
		return errors.New("your prompt is already in the merged prompt that waits for a host's approval; a host can /reject it")
	case c.isHost():
		return errors.New("you have no prompt waiting: once a batch has taken a prompt, it is on its way to claude (/withdraw NAME takes back someone else's)")
	default:
		return errors.New("you have no prompt waiting: once a batch has taken a prompt, it is on its way to claude")
	}
}

// hasWaiting says whether this member has a prompt waiting for a batch.
func (c *commander) hasWaiting() bool {
	waiting := false
	c.pr.with(func(r *roster) { waiting = r.lastWaiting() != "" })
	return waiting
}

// withdrawOf is a host's /withdraw NAME: it takes back that member's latest prompt that no
// batch has taken yet (a tester's host was told "unless bob or a host withdraws it", and
// the terminal had no way to; Party.withdraw lets a host, §4).
func (c *commander) withdrawOf(ctx context.Context, arg string) error {
	name, rest := c.splitName(arg)
	m, _, err := c.target(name)
	if err == nil && rest != "" {
		err = errors.New("say /withdraw NAME (a NAME may have spaces; \"NAME\" in quotes takes it as it is)")
	}
	if err != nil {
		c.pr.giveBack("/withdraw " + arg) // to be corrected (a reviewer's was lost)
		return err
	}
	var you wire.Member
	c.pr.with(func(r *roster) { you = r.you })
	if m.ID == you.ID {
		return c.withdrawLast(ctx, "") // one's own, as /withdraw alone does (a tester's)
	}
	var id string
	more, held, others := 0, false, false
	c.pr.with(func(r *roster) {
		for i := len(r.pending) - 1; i >= 0; i-- {
			if pid := r.pending[i]; r.wroteBy(pid, m) {
				if id == "" {
					id = pid
				} else {
					more++
				}
			}
		}
		if r.held != nil {
			held = slices.ContainsFunc(r.held.Prompts, func(pid string) bool { return r.wroteBy(pid, m) })
			others = slices.ContainsFunc(r.held.Prompts, func(pid string) bool { return !r.wroteBy(pid, m) })
		}
	})
	who := term.Line(m.Name)
	switch {
	case id == "" && held && others:
		return fmt.Errorf("%s's prompt is already in the merged prompt that waits for approval; /reject drops it (and the others' in it)", who)
	case id == "" && held:
		return fmt.Errorf("%s's prompt is already in the merged prompt that waits for approval; /reject drops it", who)
	case id == "":
		return fmt.Errorf("%s has no prompt waiting: once a batch has taken a prompt, it is on its way to claude", who)
	}
	if err := c.withdraw(ctx, id); err != nil {
		return err
	}
	if more > 0 {
		// After the withdrawal's own line (it came first, a tester's), with the name as
		// /withdraw takes it back (a name that starts with a quote, in the other quotes).
		c.pr.await(ctx, time.Second, func(r *roster) bool { return !slices.Contains(r.pending, id) })
		c.pr.reply("system", fmt.Sprintf("%s has %d more prompt%s waiting: /withdraw %s again takes back the next", who, more, plural(more), nameArg(who)))
	}
	return nil
}

// nameArg is a member's name as a command takes it back (splitName): as it is, or, when it
// starts with a quote, in the other kind of quotes.
func nameArg(name string) string {
	switch {
	case strings.HasPrefix(name, `"`):
		return "'" + name + "'"
	case strings.HasPrefix(name, "'"):
		return `"` + name + `"`
	}
	return name
}

// ownersComputer names the computer the agent runs on, by its owner's name when known
// ("hana's computer"; "this computer" otherwise): what allowing everything, or Bash for
// good, exposes.
func (c *commander) ownersComputer() string {
	var host string
	c.pr.with(func(r *roster) { host = r.host })
	if host == "" {
		return "this computer"
	}
	return term.Line(host) + "'s computer"
}

// isOwner reports whether m is the party's owner, its host.
func (c *commander) isOwner(m wire.Member) bool {
	owner := false
	c.pr.with(func(r *roster) { owner = m.Role == wire.RoleHost && r.host != "" && m.Name == r.host })
	return owner
}

// backWords says, in an error about a line that may have been a prompt, that the line is
// back in the input (pr.giveBack) to be corrected: a tester's next commands were typed
// after it, as nothing had said it was there. "" where nothing takes it back (no line editor).
func (c *commander) backWords() string {
	back := false
	c.pr.with(func(*roster) { back = c.pr.input != nil })
	if !back {
		return ""
	}
	return "; it is back in the input line, to correct or clear"
}

// isViewer says whether this terminal's member is a viewer (it sends no prompts).
func (c *commander) isViewer() bool {
	viewer := false
	c.pr.with(func(r *roster) { viewer = r.you.Role == wire.RoleViewer })
	return viewer
}

// orSent ends the refusal of a line that may have been a prompt: that nothing was sent,
// where it is back, and how to send it as a prompt, which a viewer cannot (a tester's
// viewer was told to start it with //; and its /alow was not given back where its /who
// extra was).
func (c *commander) orSent() string {
	if c.isViewer() {
		return c.backWords()
	}
	return " or sent" + c.backWords() + ". To send this as a prompt, start it with //"
}

// noOwnerWords says, after a refusal of what only the owner may do, that nobody in this
// party may: a host run with --no-local-repl has no owner in the party, only hosts by its
// host invite (a tester's operator was told "only the owner" in a party without one). ""
// where the owner is in the party, or this terminal does not know who it is.
// flag is the host's option that does it when the party starts or is resumed ("" for none:
// a tester was pointed at a per-tool option that does not exist).
func (c *commander) noOwnerWords(flag string) string {
	none := false
	c.pr.with(func(r *roster) {
		none = r.host != "" && !slices.ContainsFunc(r.members, func(m wire.Member) bool { return m.Role == wire.RoleHost && m.Name == r.host })
	})
	if !none {
		return ""
	}
	words := ", and this party has none in it (its host runs with --no-local-repl), so nobody can"
	if flag != "" {
		words += " here: the host's " + flag + " does it, when the party starts or is resumed"
	}
	return words
}

// mayBeOwner says whether m may be the party's owner as far as this terminal knows: a
// host, and the owner or a host that does not name its owner (it decides, then).
func (c *commander) mayBeOwner(m wire.Member) bool {
	may := false
	c.pr.with(func(r *roster) { may = m.Role == wire.RoleHost && (r.host == "" || m.Name == r.host) })
	return may
}

// quit says whether /quit (or /exit) ends now. In the host's own terminal, while a turn
// runs or prompts, a tool request or a merged prompt wait, the first one says what would
// be lost and the same command within quitAgain ends the party (a tester ended a party
// with a prompt waiting for approval, with no word of it; the window asks too). Ctrl-C
// always ends at once.
// key is what the person typed, "/quit", "/exit" or "Ctrl-D": what is said back names it.
func (c *commander) quit(key string) bool {
	if t := c.clock(); !c.quitAsked.IsZero() && t.Sub(c.quitAsked) < quitAgain {
		return true
	}
	if !c.endsParty {
		return c.leave(key)
	}
	busy, prompts := c.underWay()
	if len(busy) == 0 {
		return true
	}
	c.quitAsked = c.clock()
	c.pr.reply("system", fmt.Sprintf("%s: %s again within %d seconds ends the party for everyone%s", strings.Join(busy, "; "), key, int(quitAgain/time.Second), unsentWords(prompts)))
	return false
}

// underWay says what ending the party now would cut short (a turn, tool requests, a merged
// prompt, prompts), and whether prompts wait, which --resume queues again.
func (c *commander) underWay() (busy []string, prompts bool) {
	c.pr.with(func(r *roster) {
		prompts = r.held != nil || len(r.pending) > 0
		if r.running {
			busy = append(busy, "a turn is running")
		}
		busy = appendWaiting(busy, len(r.perms), "tool request")
		if r.held != nil {
			busy = append(busy, "a merged prompt waits for approval")
		}
		busy = appendWaiting(busy, len(r.pending), "prompt")
	})
	return busy, prompts
}

// unsentWords says, when prompts wait, that ending the party now does not send them.
func unsentWords(prompts bool) string {
	if !prompts {
		return ""
	}
	return " (the waiting prompts are not sent; concordia host --resume queues them again)"
}

// leave lets a member who is not the party's host go, once told that prompts of theirs
// still wait: they go to the agent without them, and they would not see the answer (a
// tester's participant left in silence, and the prompt was sent after). Only where a
// person answers (the line editor): a script's "/quit" after its prompt must still leave.
func (c *commander) leave(key string) bool {
	if !c.editor {
		return true
	}
	mine, held, withdrawable := 0, 0, false
	c.pr.with(func(r *roster) {
		mine = r.countMine(r.pending)
		if r.held != nil {
			held = r.countMine(r.held.Prompts)
		}
		withdrawable = r.lastWaiting() != ""
	})
	if mine+held == 0 {
		return true
	}
	c.quitAsked = c.clock()
	what := ""
	switch {
	case mine == 0 && held == 1:
		// Not "it goes to the agent": a host may reject it (a tester's).
		what = "your prompt waits for a host's approval: if a host sends it, it goes to the agent after you leave, and you will not see the answer"
	case mine == 0:
		what = fmt.Sprintf("%d prompts of yours wait for a host's approval: if a host sends them, they go to the agent after you leave, and you will not see the answers", held)
	case mine+held == 1:
		what = "your prompt still waits: it goes to the agent after you leave, and you will not see the answer"
	default:
		what = fmt.Sprintf("%d prompts of yours still wait: they go to the agent after you leave, and you will not see the answers", mine+held)
	}
	undo := "" // a prompt held for approval is a host's to reject, not yours to withdraw
	if withdrawable {
		undo = " /withdraw takes back the newest;"
	}
	c.pr.reply("system", fmt.Sprintf("%s.%s %s again within %d seconds leaves", what, undo, key, int(quitAgain/time.Second)))
	return false
}

// clock is the time now (c.now in tests).
func (c *commander) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// appendWaiting adds "a THING waits" or "N THINGs wait" to list when n > 0.
func appendWaiting(list []string, n int, thing string) []string {
	switch {
	case n == 1:
		return append(list, "a "+thing+" waits")
	case n > 1:
		return append(list, fmt.Sprintf("%d %ss wait", n, thing))
	}
	return list
}

func (c *commander) isHost() bool {
	host := false
	c.pr.with(func(r *roster) { host = r.you.Role == wire.RoleHost })
	return host && c.ctl != nil
}

func (c *commander) help() {
	host := c.isHost()
	waiting := false // a viewer may still take back its prompts from before it was one
	c.pr.with(func(r *roster) { waiting = r.lastWaiting() != "" || r.you.Role != wire.RoleViewer })
	var names []string
	for n, cmd := range commands {
		if n == "retry" && c.retry == nil {
			continue // the host's own terminal is never disconnected
		}
		if n == "withdraw" && !waiting {
			continue // a viewer's help listed it, though it had nothing to take back
		}
		if !cmd.host || host {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		// A host's help lists what only hosts may do after the rest (changing the permissions too).
		hostly := func(n string) bool { _, guest := forGuests[n]; return commands[n].host || host && guest }
		hi, hj := hostly(names[i]), hostly(names[j])
		if hi != hj {
			return !hi
		}
		return names[i] < names[j]
	})
	lines := []string{"each line is one prompt (input is not a terminal, so there is no line editor).",
		"A line that starts with / is one of these commands, never a prompt:"}
	if c.editor {
		lines = []string{"type a prompt and press Enter. Alt-Enter or Ctrl-J (or a line ending in \\) starts a new line;",
			"a paste is one prompt, newlines and all; Up and Down recall earlier prompts; Ctrl-C clears",
			"the line, stops a /shell command, or leaves when there is neither (the host's ends the party: twice within 10 s).",
			"A line that starts with / is one of these commands:"}
	}
	viewer := false
	c.pr.with(func(r *roster) { viewer = r.you.Role == wire.RoleViewer })
	if viewer {
		lines = []string{"you are a viewer: you watch the party and cannot send prompts (a host can make you a participant).",
			"These commands work for you:"}
	}
	// In a terminal, the rows are wrapped at spaces to its width (it cut them mid-word):
	// beside the commands where there is room, under each command where there is not.
	// Every line after the first is indented by 4 (noticeText).
	room := c.pr.termWidth() - 1 - 4
	if room-len("[system]") >= 20 { // narrower, term.Wrap leaves text as it is
		// The introduction as one paragraph, its first line after the tag.
		intro := term.Wrap(strings.Join(lines, " "), room-len("[system]"), "", 0)
		first, rest, _ := strings.Cut(intro, "\n")
		lines = []string{first}
		if rest != "" {
			lines = append(lines, term.Wrap(strings.ReplaceAll(rest, "\n", " "), room, "", 0))
		}
	}
	for _, n := range names {
		usage, help := commands[n].usage, commands[n].help
		if g, ok := forGuests[n]; ok && !host {
			usage, help = g[0], g[1]
		}
		if n == "share" && c.cannotShare() {
			help = "not in this run: it was started with sharing off" // a tester's co-host was offered it
		}
		row := fmt.Sprintf("%-38s %s", usage, help)
		switch {
		case room <= 0: // not a terminal: one row each
		case room >= 80:
			row = term.Wrap(row, room, strings.Repeat(" ", 39), 39)
		default: // every row under its command, short ones too (a mix read oddly)
			row = usage + "\n" + term.Wrap("  "+help, room, "  ", 2)
		}
		lines = append(lines, row)
	}
	c.pr.reply("system", strings.Join(lines, "\n"))
}

func (c *commander) show(context.Context, string) error {
	var merged, by string
	held := false
	c.pr.with(func(r *roster) {
		merged, by = r.merged, r.mergedBy
		if held = r.held != nil; held { // not sent yet
			merged, by = r.held.Merged, r.held.Merger
		}
	})
	if merged == "" {
		return errors.New("no batch has been sent since you joined")
	}
	what := "the last batch as claude got it"
	if held {
		what = "the merged prompt waiting for a host's approval"
	}
	c.pr.reply("batch", fmt.Sprintf("%s (merged by %s):\n%s", what, by, merged))
	return nil
}

func (c *commander) who(context.Context, string) error {
	var lines, away, always []string
	host, lost := false, false
	c.pr.with(func(r *roster) {
		lost = c.pr.away // under the printer's lock, as with holds it
		for _, m := range r.members {
			role := m.Role
			switch {
			case m.Role == wire.RoleHost && r.host != "" && m.Name == r.host:
				role = "host, the party's owner" // co-hosts are hosts too: the owner read like them
			case m.Role == wire.RoleHost && r.host != "":
				role = "co-host" // as /role and the notices call it (a tester's /who said "host")
			}
			l := fmt.Sprintf("%s (%s)", term.Line(m.Name), role)
			if m.ID == r.you.ID {
				l += " — you"
			}
			lines = append(lines, l)
		}
		// One entry per name: members who left under the same name (each /quit and join
		// again is a new member) read as one, with how many there are (a tester's list said
		// "zed, zed, zed, zed").
		n := map[string]int{}
		for _, m := range r.away {
			if !r.connected(m.ID) && m.Name != r.host { // the owner cannot be removed
				name := term.Line(m.Name)
				if n[name] == 0 {
					away = append(away, name)
				}
				n[name]++
			}
		}
		for i, name := range away {
			if n[name] > 1 {
				away[i] = fmt.Sprintf("%s (%d of that name)", name, n[name])
			}
		}
		always, host = r.settings.Always, r.you.Role == wire.RoleHost
	})
	head := fmt.Sprintf("%d in the party:", len(lines))
	if lost {
		// Not now: who was there when the host was last reached (a tester read it as now).
		head = fmt.Sprintf("%d in the party when this terminal last reached the host (it is reconnecting):", len(lines))
	}
	c.pr.reply("party", head+"\n"+strings.Join(lines, "\n"))
	if len(away) > 0 && host {
		c.pr.reply("system", "away, and may come back: "+strings.Join(away, ", ")+" (/kick NAME removes one; /rotate makes the invite they have stop working)")
	}
	if len(always) > 0 { // what the agent may do unasked is everyone's business
		c.pr.reply("system", alwaysWords(always, host))
	}
	return nil
}

func (c *commander) held() (string, error) {
	id := ""
	c.pr.with(func(r *roster) {
		if r.held != nil {
			id = r.held.Batch
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
	c.pr.with(func(r *roster) { now, you, always = r.settings.PermissionMode, r.you, r.settings.Always })
	// And the tools allowed for good, which ask nobody whatever the mode (a tester's
	// "every tool use asks a host" while Bash ran unasked).
	also := ""
	if len(always) > 0 {
		also = "; " + alwaysWords(always, false)
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
		if also != "" {
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
	return errors.New("say /permissions ask (every tool use asks a host), edits (file edits allowed), plan (read-only planning) or all (everything, never asks)")
}

// recentDecision is how long after a request was decided a host's /allow, /deny or
// /always is told who decided it (it was most likely meant for that one).
const recentDecision = time.Minute

// decidedWords says how the last request was decided: "bob already denied Bash".
func decidedWords(p wire.Permission) string {
	tool := term.Line(p.Tool)
	switch {
	case p.Status == wire.PermissionTimedOut:
		return tool + " was already denied: no host decided in time"
	case p.By == "":
		return tool + " was already " + term.Line(p.Status)
	}
	return term.Line(p.By) + " already " + term.Line(p.Status) + " " + tool
}

// decideWith is /allow, /deny or /always: it answers the oldest waiting tool request
// with decision.
func decideWith(decision string) func(*commander, context.Context, string) error {
	return func(c *commander, ctx context.Context, arg string) error {
		id, tool, late, you := "", "", "", wire.Member{}
		c.pr.with(func(r *roster) {
			you = r.you
			if len(r.perms) > 0 {
				id, tool = r.perms[0].ID, r.perms[0].Tool
			} else if d := r.decided; d != nil && time.Since(r.decidedAt) < recentDecision {
				late = decidedWords(*d)
			}
		})
		switch {
		case late != "":
			return errors.New("no tool request is waiting for a decision: " + late)
		case id == "":
			return errors.New("no tool request is waiting for a decision")
		case decision == wire.DecisionAlways && !c.mayBeOwner(you):
			// The host refuses it too (PROTOCOL.md §7): said here without a round trip.
			return errors.New("only the party's owner can allow a tool for the rest of the party" + c.noOwnerWords("") + "; /allow allows this one request")
		case decision == wire.DecisionAlways && tool == "Bash" && c.editor && (c.bashAsked != id || c.clock().Sub(c.bashAskedAt) >= quitAgain):
			// Every command, unasked, on the owner's computer: asked once, as /permissions all
			// is (the window asks too). Only where a person answers: a script's /always is
			// taken as it is.
			c.bashAsked, c.bashAskedAt = id, c.clock()
			c.pr.reply("system", fmt.Sprintf("/always for Bash lets the agent run any command on %s without asking, for the rest of the party: /always again within %d seconds does it; /allow allows this one", c.ownersComputer(), int(quitAgain/time.Second)))
			return nil
		}
		c.bashAsked = ""
		err := c.ctl.Decide(ctx, id, decision, arg)
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
		return errors.New("say /role NAME co-host|participant|viewer")
	}
	name := unquote(strings.Join(f[:len(f)-1], " "))
	m, _, err := c.target(name)
	if err != nil {
		return err
	}
	role := strings.ToLower(f[len(f)-1])
	if role == "co-host" || role == "cohost" {
		role = wire.RoleHost
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
	c.printInvites(inv, "the new invites (everyone here stays in the party):") // the notice says the old ones no longer work
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

// workspaceView is what every member may read of the working directory (§9): the host's
// *party.Local and a member's *client.Client both have it.
type workspaceView interface {
	Changes(ctx context.Context) (wire.ChangesResult, error)
	Diff(ctx context.Context, path string) (wire.FileDiff, error)
	Tree(ctx context.Context, path string) (wire.TreeResult, error)
	SetWorkspace(ctx context.Context, level string) error // a host's
}

func (c *commander) changes(ctx context.Context, arg string) error {
	if err := c.canLook(); err != nil {
		return err
	}
	folder := strings.Trim(pathArg(strings.TrimSpace(arg)), "/")
	if folder != "" {
		folder = strings.TrimPrefix(path.Clean(folder), "./")
		if folder == "." {
			folder = ""
		}
	}
	res, err := c.ws.Changes(ctx)
	if err != nil {
		return err
	}
	since := sinceStart(res.Base)
	c.pr.with(func(r *roster) { r.since = since })
	switch {
	case len(res.Files) == 0 && res.Hidden == 0:
		c.pr.reply("changes", "nothing changed "+since)
		return nil
	case len(res.Files) == 0:
		c.pr.reply("changes", hiddenWords(res.Hidden)+" changed "+since+" (not shown)")
		return nil
	}
	var lines []string
	if folder != "" {
		var in []wire.FileChange
		for _, f := range res.Files {
			if f.Path == folder { // a file, not a folder: its line
				c.pr.reply("changes", changeLine(f)+"\n/diff "+pathWords(f.Path)+" shows it")
				return nil
			}
			if strings.HasPrefix(f.Path, folder+"/") {
				in = append(in, f)
			}
		}
		if len(in) == 0 {
			more := ""
			if res.More > 0 {
				more = fmt.Sprintf(" (%d more files are not listed by the host)", res.More)
			}
			c.pr.reply("changes", fmt.Sprintf("no changed files listed in %s/%s; /changes lists them all", pathWords(folder), more))
			return nil
		}
		lines = append(lines, fmt.Sprintf("%d file%s changed in %s/:", len(in), plural(len(in)), pathWords(folder)))
		lines = append(lines, changeLines(in, folder+"/")...)
		if res.More > 0 {
			lines = append(lines, fmt.Sprintf("(the host lists %d files at most: %d more changed files, in any folder, are not listed)", wire.MaxListed, res.More))
		}
	} else {
		n := len(res.Files) + res.More
		lines = append(lines, fmt.Sprintf("%d file%s changed %s:", n, plural(n), since))
		lines = append(lines, changeLines(res.Files, "")...)
		if res.More > 0 {
			lines = append(lines, fmt.Sprintf("and %d more, not listed (the host lists %d at most: the changes to files that were there at the start first, then new files from the top folder down)", res.More, wire.MaxListed))
		}
		if res.Hidden > 0 {
			lines = append(lines, "and "+hiddenWords(res.Hidden)+" (not shown)")
		}
	}
	lines = append(lines, "/diff PATH shows one")
	c.pr.reply("changes", strings.Join(lines, "\n"))
	return nil
}

// proseArg says whether a command's argument reads as words rather than a folder: spaces,
// neither quoted whole nor ending in "/" (a tester's "looks fine, but see src/api for tests"
// was taken for one).
func proseArg(arg string) bool {
	return strings.ContainsAny(arg, " \t") && !strings.HasSuffix(arg, "/") && pathArg(arg) == arg
}

// folderArg is a folder as /changes takes it back: quoted when its name has spaces.
func folderArg(name string) string {
	if w := pathWords(name); strings.HasPrefix(w, `"`) || !strings.ContainsAny(w, " \t") {
		return w
	}
	return strconv.Quote(name)
}

// changesListed is how many files a change list names one by one; a longer one is
// shown by folder (a tester's /changes printed 2,000 lines).
const changesListed = 40

// changeLines are the lines for files, all under prefix ("" or "dir/"): one per file when
// there are at most changesListed, else one per folder just under prefix (with its
// counts, and how to list it) and one per file directly in it.
func changeLines(files []wire.FileChange, prefix string) []string {
	if len(files) <= changesListed {
		lines := make([]string, 0, len(files))
		for _, f := range files {
			lines = append(lines, changeLine(f))
		}
		return lines
	}
	type folder struct {
		name                         string
		n, adds, dels, binary, large int
		byStatus                     map[string]int
		first                        wire.FileChange
	}
	var order []*folder
	folders := map[string]*folder{}
	var direct []string
	for _, f := range files {
		rest := strings.TrimPrefix(f.Path, prefix)
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			direct = append(direct, changeLine(f))
			continue
		}
		name := prefix + rest[:i]
		d := folders[name]
		if d == nil {
			d = &folder{name: name, byStatus: map[string]int{}, first: f}
			folders[name] = d
			order = append(order, d)
		}
		d.n++
		d.adds += f.Additions
		d.dels += f.Deletions
		switch { // no lines of their own counted
		case f.Binary:
			d.binary++
		case f.Large:
			d.large++
		}
		d.byStatus[f.Status]++
	}
	slices.SortFunc(order, func(a, b *folder) int { return wire.ComparePaths(a.name, b.name) })
	lines := make([]string, 0, len(order)+len(direct))
	var ones []string // folders of one: the file itself, after the files directly here
	for _, d := range order {
		if d.n == 1 {
			ones = append(ones, changeLine(d.first))
			continue
		}
		var kinds []string
		for _, st := range []string{"added", "modified", "deleted", "renamed"} {
			if k := d.byStatus[st]; k > 0 {
				kinds = append(kinds, fmt.Sprintf("%d %s", k, st))
				delete(d.byStatus, st)
			}
		}
		if len(d.byStatus) > 0 { // a status a later host sends
			k := 0
			for _, n := range d.byStatus {
				k += n
			}
			kinds = append(kinds, fmt.Sprintf("%d other", k))
		}
		// Lines: binary and too large files have none of their own (a reviewer's "+0 -0").
		var counts []string
		if d.binary+d.large < d.n {
			counts = append(counts, fmt.Sprintf("+%d -%d", d.adds, d.dels))
		}
		for _, c := range []struct {
			k    int
			what string
		}{{d.binary, "binary"}, {d.large, "too large to track"}} {
			switch {
			case c.k == d.n: // all of them
				counts = append(counts, c.what)
			case c.k > 0:
				counts = append(counts, fmt.Sprintf("%d %s", c.k, c.what))
			}
		}
		lines = append(lines, fmt.Sprintf("%s/: %d file%s (%s; %s) — /changes %s lists them",
			pathWords(d.name), d.n, plural(d.n), strings.Join(kinds, ", "), strings.Join(counts, ", "), folderArg(d.name)))
	}
	if len(direct) > directListed {
		// A folder of thousands of new files was thousands of lines (the last note's): the
		// first of them (the files there at the start come first), then how many more.
		// Folders of one are not cut with them (a reviewer's five modified files were).
		rest := len(direct) - directListed
		where := "at the top"
		if prefix != "" {
			where = "directly in " + pathWords(strings.TrimSuffix(prefix, "/")) + "/"
		}
		direct = append(direct[:directListed:directListed], fmt.Sprintf("and %d more file%s %s, not listed here (/diff PATH shows one; the window's Changes panel lists them all)", rest, plural(rest), where))
	}
	return append(append(lines, direct...), ones...)
}

// directListed is how many files directly in one folder a change list names.
const directListed = 200

// changeLine is one file of a change list: "M main.go (+3 -1)", "R new.go ← old.go".
func changeLine(f wire.FileChange) string {
	code := map[string]string{"added": "A", "modified": "M", "deleted": "D", "renamed": "R"}[f.Status]
	if code == "" {
		code = "?"
	}
	l := code + " " + pathWords(f.Path)
	if f.From != "" {
		l += " ← " + pathWords(f.From)
	}
	switch {
	case f.Binary: // no lines to count: "(+0 -0)" read as nothing changed (a tester's)
		return l + " (binary)"
	case f.Large: // its counts are of the line about it (a tester's 70 MiB file read "+1 -0")
		return l + " (too large to track)"
	}
	return l + fmt.Sprintf(" (+%d -%d)", f.Additions, f.Deletions)
}

// pathWords is a path as a terminal shows it: quoted when term.PathQuoted says so, so that
// /diff can be given it back as shown.
func pathWords(p string) string {
	if term.PathQuoted(p) {
		return strconv.Quote(p)
	}
	return term.Line(p)
}

// pathArg is the path a /diff names: a quoted one ("…", Go-style, as pathWords shows it;
// or '…', as a shell takes it, with nothing inside escaped) unquoted, else as typed.
func pathArg(arg string) string {
	if strings.HasPrefix(arg, `"`) {
		if p, err := strconv.Unquote(arg); err == nil {
			return p
		}
	}
	if len(arg) >= 2 && arg[0] == '\'' && arg[len(arg)-1] == '\'' && !strings.Contains(arg[1:len(arg)-1], "'") {
		return arg[1 : len(arg)-1]
	}
	return arg
}

func (c *commander) diff(ctx context.Context, arg string) error {
	if arg == "" {
		return errors.New("say /diff PATH (/changes lists the changed files)")
	}
	if err := c.canLook(); err != nil {
		return err
	}
	d, err := c.ws.Diff(ctx, pathArg(arg))
	if err != nil {
		return err
	}
	switch {
	case d.Binary:
		c.pr.reply("changes", term.Line(d.Path)+" is a binary file: its diff is not shown")
	default:
		c.pr.diff(d.Diff, d.Truncated)
	}
	return nil
}

func (c *commander) tree(ctx context.Context, arg string) error {
	if err := c.canLook(); err != nil {
		return err
	}
	path := strings.Trim(pathArg(strings.TrimSpace(arg)), "/") // quoted as /changes and /diff take it (a tester's)
	res, err := c.ws.Tree(ctx, path)
	if err != nil {
		return err
	}
	where := "the working directory"
	if path != "" {
		where = pathWords(path + "/") // a quoted name's "/" inside its quotes, so it can be given back (a reviewer's)
	}
	if len(res.Entries) == 0 {
		c.pr.reply("changes", where+" is empty")
		return nil
	}
	lines := []string{fmt.Sprintf("%s (%d):", where, len(res.Entries))}
	for _, e := range res.Entries {
		switch {
		case e.Link:
			lines = append(lines, pathWords(e.Name)+" (a symbolic link, never followed)")
		case e.Dir:
			lines = append(lines, pathWords(e.Name+"/"))
		default:
			lines = append(lines, fmt.Sprintf("%s (%s)", pathWords(e.Name), size(e.Size)))
		}
	}
	c.pr.reply("changes", strings.Join(lines, "\n"))
	return nil
}

// size is a file's size in words: 512 bytes, 4.2 KiB, 1.3 MiB.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// sharingWords says what the party shares of the working directory (§9) — for /share
// alone, and as a party starts or resumes — and, when this terminal takes /share
// (commands), how /share changes it: /share tree only to the owner (whole), the one who
// may (a tester's co-host was pointed at it, then refused).
func sharingWords(level string, commands, whole bool) string {
	var sees, change string
	switch level {
	case wire.WorkspaceTree:
		sees, change = "the party sees the whole working directory, .env files and other secrets included", "/share changes narrows it to the files the agent changes, /share off hides it"
	case wire.WorkspaceChanges:
		sees, change = "the party sees the files the agent changes and their diffs (never .env and other secrets)", "/share off hides them"
		if whole {
			change += ", /share tree also shares the whole folder"
		}
	case wire.WorkspaceOff:
		sees, change = "the party sees nothing of the working directory", "/share changes shares the files the agent changes"
		if whole {
			change += ", /share tree the whole folder"
		} else {
			// A co-host may not share more than the owner last chose (a reviewer's).
			change += " (unless the owner chose to share nothing)"
		}
	default:
		return "say /share off, /share changes (the files the agent changed) or /share tree (also the folder listing and files such as .env)"
	}
	if !commands {
		return sees
	}
	return sees + "; " + change
}

// followBase learns, after every hello, from when the party's changes count (sinceStart),
// so that the changes lines say it before anyone asks /changes: a party started with
// sharing off and resumed with it counts from the resume (a tester's and a reviewer's).
// It runs until ctx ends; done is closed then.
// The host's terminal that only watches (--no-local-repl) runs it too, with the party's own
// Changes (a tester's said "since the party began" where members read the resume).
func followBase(ctx context.Context, pr *printer, changes func(context.Context) (wire.ChangesResult, error), done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-pr.helloed:
		}
		var level string
		var no bool
		pr.with(func(r *roster) { level, no = r.settings.Workspace, r.cannotShare })
		if changes == nil || no || level == wire.WorkspaceOff || level == "" {
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, commandTimeout)
		res, err := changes(lctx)
		cancel()
		if err == nil {
			since := sinceStart(res.Base)
			pr.with(func(r *roster) { r.since = since })
		}
	}
}

// followBase is followBase for this terminal's commands' workspace.
func (c *commander) followBase(ctx context.Context, done chan<- struct{}) {
	var changes func(context.Context) (wire.ChangesResult, error)
	if c.ws != nil {
		changes = c.ws.Changes
	}
	followBase(ctx, c.pr, changes, done)
}

// sinceStart says from when changes count, by Party.changes' base: from when sharing
// began, at the resume that first recorded the folder (a party started with sharing off; a
// tester's resumed party said "nothing changed since the party began" of a file the agent
// had made before it), or from the party's start.
func sinceStart(base string) string {
	if strings.Contains(base, "when the party was resumed") {
		// Not "since the party was resumed": a later resume is not the one (a tester's).
		return "since sharing began"
	}
	return "since the party began"
}

// canLook says why this terminal cannot look at the working directory (/changes, /diff,
// /tree), or nil when it can: in a party run with sharing off, the host's own terminal says
// so, not "the host does not share" to the host (a tester's).
func (c *commander) canLook() error {
	switch {
	case c.ws == nil:
		return errors.New("this terminal cannot see the working directory")
	case c.cannotShare():
		return errors.New(c.cannotShareWords())
	}
	return nil
}

// cannotShare says whether the party runs with --share-workspace off and so cannot share
// in this run (the hello's party.cannot_share): /share tree is then refused at once, not
// said back first (a tester confirmed it, only to be refused), and a co-host's terminal
// says why as the owner's does.
func (c *commander) cannotShare() bool {
	var no bool
	c.pr.with(func(r *roster) { no = r.cannotShare })
	return no
}

// cannotShareWords is what a party run with --share-workspace off shares, and why no /share
// changes it (a tester's /share was refused after a hint to it): to the host's own terminal,
// what it can do about it; to a member's, who can.
func (c *commander) cannotShareWords() string {
	if c.endsParty {
		return ownerCannotShareWords
	}
	return "the party sees nothing of the working directory, and cannot in this run: this run was started with sharing off (its owner can share it by ending the party and resuming it with sharing on)"
}

// ownerCannotShareWords is the host's own terminal's cannotShareWords.
const ownerCannotShareWords = "the party sees nothing of the working directory, and cannot in this run: it runs with --share-workspace off (a --resume with --share-workspace changes shares it)"

func (c *commander) share(ctx context.Context, arg string) error {
	asked := c.treeAsked
	c.treeAsked = time.Time{} // forgotten once anything else is asked, a mistyped level too
	level := strings.ToLower(strings.TrimSpace(arg))
	switch level {
	case wire.WorkspaceOff, wire.WorkspaceChanges, wire.WorkspaceTree:
	case "":
		// What it is now, as /approval and /permissions alone say theirs (a tester's bare
		// /share got only the usage).
		var now string
		var you wire.Member
		c.pr.with(func(r *roster) { now, you = r.settings.Workspace, r.you })
		if c.cannotShare() {
			c.pr.reply("system", c.cannotShareWords())
			return nil
		}
		c.pr.reply("system", sharingWords(now, you.Role == wire.RoleHost, c.mayBeOwner(you)))
		return nil
	default:
		return errors.New("say /share off, /share changes (the files the agent changed) or /share tree (also the folder listing and files such as .env)")
	}
	if c.ws == nil {
		return errors.New("this terminal cannot see the working directory")
	}
	if c.cannotShare() {
		if level == wire.WorkspaceOff {
			c.pr.reply("system", c.cannotShareWords()) // nothing to take back (a tester's /share off said nothing)
			return nil
		}
		// Said here, in this terminal's words: the host's refusal told a co-host to run
		// --resume (a tester's).
		return errors.New(c.cannotShareWords())
	}
	if level == wire.WorkspaceTree {
		var now string
		var you wire.Member
		c.pr.with(func(r *roster) { now, you = r.settings.Workspace, r.you })
		switch {
		case now == wire.WorkspaceTree:
			c.pr.reply("system", "the whole working directory is already shared")
			return nil
		case !c.mayBeOwner(you):
			return errors.New("only the party's owner, whose computer it is, can share the whole folder" + c.noOwnerWords("--share-workspace tree"))
		}
		// As the window does, tree is said back once: every file, secrets too, for everyone.
		if t := c.clock(); asked.IsZero() || t.Sub(asked) >= quitAgain {
			c.treeAsked = t
			c.pr.reply("system", fmt.Sprintf("tree lets everyone in the party list every file of the working directory and see the changes to any of them, secrets such as .env included: /share tree again within %d seconds does it", int(quitAgain/time.Second)))
			return nil
		}
	}
	// The settings event that follows says the new level to everyone, this terminal too.
	return c.ws.SetWorkspace(ctx, level)
}
