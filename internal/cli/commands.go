package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	pr *printer
	// refused is the line refuse gave back to the input, until the next line comes.
	refused   string
	pacedSaid bool // a script's prompts were said to wait for the host's rate (paced)
	awaySaid  bool // a script's prompts were said to wait for the host to be back (paced)
	queueSaid bool // a script's prompts were said to wait for a batch to make room (paced)
	// prompt sends a prompt to the party; its result names the prompt's event.
	prompt func(ctx context.Context, text string) (wire.PromptResult, error)
	// sentSeq is the seq of the last prompt's event the party answered with (sendOnce).
	sentSeq int64
	// withdraw takes back a waiting prompt by id (Party.withdraw).
	withdraw func(ctx context.Context, id string) error
	ctl      party.Controller
	// invites returns the current invites; nil where this terminal does not know them
	// (a co-host's: it sees new ones when it rotates them).
	invites func() wire.Invites
	// rotated remembers invites a co-host made, for /invite.
	rotated *wire.Invites
	// hostPrints: the host prints every rotation's invites in this terminal (the owner's),
	// its own /rotate's too, so /rotate does not print them again.
	hostPrints bool
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
	// movedAsked is the request a /allow, /deny or /always was said back for because
	// someone else had just decided the one before it (taken the second time).
	movedAsked string
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

// commandMarked matches a command's word with a mark after it ("/deny, too risky",
// "/stop!") and what follows a "/" after it ("/invite/share off": a command refused, given
// back, and the next one typed after it).
var commandMarked = regexp.MustCompile(`^/([A-Za-z][A-Za-z0-9_-]*)([^\sA-Za-z0-9_-])([A-Za-z][A-Za-z0-9_-]*)?`)

// markedCommand is the command that line's first word is, with a mark stuck to it, or "":
// such a line is refused, not sent (a tester's "/deny, too risky" went to claude as a
// prompt, for everyone to see, and the request waited on). A path is still text:
// "/etc/hosts", "/share/data" (after a "/", only another command's word counts).
func markedCommand(line string) string {
	m := commandMarked.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	name := strings.ToLower(m[1])
	if _, ok := commands[name]; !ok {
		return ""
	}
	if m[2] == "/" {
		if _, ok := commands[strings.ToLower(m[3])]; !ok {
			return ""
		}
	}
	return name
}

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

// guestHelp is how /help words a command for someone who is not a host, where the
// command does the same for everyone: a participant's /help told of the owner's and a
// co-host's /quit, and of a host's flag (a tester's).
var guestHelp = map[string]string{
	"quit": "leave the party (the same invite and name bring you back)",
	"tree": "list a folder of the working directory (when the host shares the whole folder)",
}

var commands = map[string]command{
	"help":     {"/help", "list the commands you can use", false, nil, false},
	"who":      {"/who", "list the members and their roles (and the tools always allowed)", false, (*commander).who, false},
	"quit":     {"/quit", "leave (the owner's, in the host's own terminal, ends the party; a co-host's leaves it)", false, nil, false},
	"exit":     {"/exit", "the same as /quit", false, nil, false},
	"shell":    {"/shell CMD", "run CMD on this machine only; nothing is sent", false, nil, true},
	"changes":  {"/changes [FOLDER]", "list the files changed in the working directory since the party (or its sharing) began, by the agent or by hand (a long list by folder; FOLDER lists one)", false, (*commander).changes, true},
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
	"rotate":      {"/rotate", "make new invites; the old links let nobody new in (members still come back: /kick and /rotate together keep one out)", true, (*commander).rotate, false},
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
			return true
		}
		if !c.endsParty {
			// A member with prompts still waiting is told, as by /quit and Ctrl-D, before
			// leaving (a tester's Ctrl-C left in silence, and her prompt was answered
			// without her).
			return c.quit("Ctrl-C")
		}
		return true
	}
	if line == eofLine {
		return c.quit("Ctrl-D")
	}
	trimmed := strings.TrimSpace(line)
	refused := c.refused
	c.refused = ""
	if trimmed == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(trimmed, refused); ok && refused != "" {
		// A line typed after a refused one given back, run on from it: a terminal
		// tester's /foo was refused, then "/quit now" went to claude as "/foo/quit now",
		// and another's "/alow" then "//etc/hosts is the file to read" as
		// "/alow//etc/hosts is the file to read".
		if what := c.typedAfter(refused, rest); what != "" {
			c.refuse(fmt.Sprintf("%s was typed after %q, which was refused and given back; clear the line (Ctrl-U) first", what, term.Line(refused)), line)
			return false
		}
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
		if name := markedCommand(trimmed); name != "" {
			word, _, _ := strings.Cut(trimmed, " ")
			c.refuse(fmt.Sprintf("%q is not a command: a command's word ends at a space (/%s …)", term.Line(word), name), line)
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
			if arg == "" {
				// The command alone: nothing in it to correct, and the next command typed
				// ran on from it ("/stop/allow": a tester's).
				c.pr.reply("error", what+c.refusedWords(""))
				return false
			}
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

// typedAfter says what rest, typed after a line refused and given back, is as a line of
// its own when that is not words to send: a prompt with the // escape, a command (one
// this member may not run too), one mistyped (from any command: a participant's /alow is
// the host's /allow), a lone "/" (a terminal tester's "//etc/hosts …" went to claude
// glued to the refused "/alow", and so did a participant's /role and second /alow).
// Words run straight on from a refused command's word are not words either, nor is a
// path run on from a mistyped command: "/alow" then "src/x is broken" went to claude as
// "/alowsrc/x is broken", and "/alow" then "/src/x …" as "/alow/src/x …" (a tester's).
// Anything else is words, "" (a path run on from a word that is no command: "/src" then
// "/main.go is broken"), as in any line.
func (c *commander) typedAfter(refused, rest string) string {
	if strings.HasPrefix(rest, "//") {
		word, _, _ := strings.Cut(rest, " ")
		return strconv.Quote(term.Line(word))
	}
	if rest == "/" || strings.HasPrefix(rest, "/ ") {
		return `"/"`
	}
	if cm := commandWord.FindStringSubmatch(rest); cm != nil {
		name := strings.ToLower(cm[1])
		if _, ok := commands[name]; ok || nearOf(name, func(string) bool { return true }) != "" {
			return "/" + name
		}
	}
	if name := markedCommand(rest); name != "" {
		return "/" + name
	}
	if cw := commandWord.FindStringSubmatch(refused); cw != nil && cw[0] == refused && runsOn(rest) {
		// The refused line was a command's word alone, and this runs on from it: not the
		// word finished into a command ("/wh" then "o" is /who, a reviewer's), but a word
		// or a path glued to it, or a path after a command this member may run mistyped.
		if whole := commandWord.FindStringSubmatch(refused + rest); whole != nil {
			if _, ok := commands[strings.ToLower(whole[1])]; ok {
				return ""
			}
		}
		if !strings.HasPrefix(rest, "/") || c.nearCommand(strings.ToLower(cw[1])) != "" {
			word, _, _ := strings.Cut(rest, " ")
			return strconv.Quote(term.Line(word))
		}
	}
	return ""
}

// runsOn says whether rest, typed right after a word, makes that word longer: it starts
// with a letter, a digit, "_", "-" or "/" ("/README" then ".md is out of date" is a name
// with its extension, and is sent).
func runsOn(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	return rest != "" && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '/')
}

// refuse says why line was not run or sent, gives it back to the input line to be
// corrected, and how to send it as words, to one who may send prompts.
func (c *commander) refuse(what, line string) {
	c.pr.reply("error", what+c.refusedWords(c.backWords()))
	c.pr.giveBack(line) // to be corrected, or sent with //
	// Given back only where a line editor takes it (a reviewer's: a script's lines).
	if c.backWords() != "" {
		c.refused = strings.TrimSpace(line)
	}
}

// refusedWords follows what a refused line was: back, whether it is back in the input.
func (c *commander) refusedWords(back string) string {
	if c.isViewer() { // a viewer sends no prompts: no "//" to offer (a tester's)
		return back + "; /help lists your commands"
	}
	return "; nothing was sent" + back + ". /help lists your commands (start a prompt with // to send a leading /)"
}

// usable says whether name is a command this member may run.
func (c *commander) usable(name string) bool {
	cmd, ok := commands[name]
	return ok && (!cmd.host || c.isHost())
}

// nearCommand is the command this member may run that name looks mistyped from, or "".
func (c *commander) nearCommand(name string) string {
	return nearOf(name, c.usable)
}

// nearOf is the command, of those for which of is true, that name looks mistyped from,
// or "". Never /quit or /exit, which end a host's party: claude's own /init and /edit are
// one and two letters from /exit (a reviewer's). A word of four letters or fewer must be
// one edit from the command ("/hi" is not /who).
func nearOf(name string, of func(string) bool) string {
	var names []string
	for n := range commands {
		if of(n) && n != "quit" && n != "exit" {
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
	if n := len(text); n > wire.MaxPromptBytes {
		// Said here as the line editor says it (a script's read the host's "prompt too
		// large: 32769 bytes, the limit is 32768", a person's "it is 32,769 bytes; …").
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): "+tooLargeWords(n))
		return
	}
	c.pr.with(func(r *roster) { r.unanswered, r.unansweredSaid = "", false }) // sent again, or another: what shows up is this one
	c.pr.sendStart()
	backs := c.pr.reconnects() // a reconnect after this one began tells whether it arrived
	err := c.sendOnce(ctx, text)
	// In the line editor too, a prompt refused as too fast waits its turn: lines typed
	// after it wait behind it (runEditor), and one given back to the box had the next
	// line typed run on from it (a tester's burst sent "burst prompt number 4burst prompt
	// number 5" as one prompt).
	err = c.paced(ctx, text, err, backs, c.editor)
	if err == nil {
		// The next line reads what this terminal knows of its prompts (/withdraw, /quit's
		// warning): it runs once the prompt's event is in, which the host sends before its
		// answer but which reaches the roster on another goroutine (a tester's /withdraw
		// typed at once found nothing to take back, and the prompt was sent; a /quit left
		// unwarned).
		c.pr.awaitSeq(waitsOf(ctx), c.sentSeq, eventWait)
	}
	c.pr.sendDone()
	switch {
	case err == nil:
		// A leave asked back before this prompt was sent does not cover it: the next
		// Ctrl-C, Ctrl-D or /quit says it again (a tester's left at once, unwarned).
		c.quitAsked = time.Time{}
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), errPartyOver):
		// Not "this terminal left": the party ended under it (a tester's held prompt),
		// also when its connection closed with the party before an answer came.
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): the party ended while it waited its turn")
	case client.Unanswered(err):
		// The prompt went out and no answer came back: the host may well have it.
		why := "the host did not answer within a minute"
		if !errors.Is(err, rpc.ErrTimeout) {
			why = "the connection dropped before the host answered"
		}
		// Its event may have come before the answer was lost (the host sends the event,
		// then the answer): then it is in the party already (a reviewer's; it was said
		// not to have arrived once back in touch, and was sent twice).
		var arrived bool
		c.pr.with(func(r *roster) {
			arrived = slices.Contains(r.sentSeen, strings.TrimSpace(text))
			if !arrived {
				r.unanswered, r.unansweredSaid = text, false
			}
		})
		if arrived {
			c.pr.reply("system", "no answer to your prompt came ("+why+"), but it is in the party: no need to send it again")
			return
		}
		c.pr.reply("error", "no answer to your prompt ("+why+"): it may have reached the host; this terminal says so when it shows up in the party, or once it is back in touch with the host if it did not (↑ brings it back)")
	case c.editor && ctx.Err() == nil && waitsOf(ctx).Err() != nil:
		// Ctrl-C or Ctrl-D stopped its wait for its turn: they act at once (lineStops).
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): "+context.Cause(waitsOf(ctx)).Error()+" while it waited its turn ("+c.describe(err)+") (it is back in the box)")
		c.pr.giveBack(text)
	case c.editor:
		// Said which, and put back in the box: a tester's burst of prompts got alike lines
		// and lost the texts (↑ had them, unsaid).
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): "+c.describe(err)+" (it is back in the box)")
		c.pr.giveBack(text)
	case ctx.Err() != nil:
		// Left while it waited its turn or for the host: not "wait a few seconds and send
		// it again", said to a terminal that is going (a tester's SIGTERM).
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): this terminal left while it waited ("+c.describe(err)+")")
	default:
		// A script's lines go one after another: say which one was not sent (a tester's 40
		// piped lines gave 20 alike "prompt not sent: rate limited" and no way to tell which).
		c.pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): "+c.describe(err))
	}
}

// scriptPace is how often a script's prompt the host refused as too fast, or that found
// the host out of reach, is tried again, and scriptPatience how long one refused as too
// fast is tried for (one waits for the host for as long as this client tries to reach it).
// scriptQueuePace is how often one refused because the queue is full is tried again: only a
// batch makes room, and each try spends one of the member's prompts (its burst is taken
// before the queue is looked at), so a try a second used up its allowance (a reviewer's).
var (
	scriptPace      = time.Second
	scriptPatience  = 2 * time.Minute
	scriptQueuePace = 5 * time.Second
)

// paced sends a script's prompt (lines read from a pipe) again while the host refuses it as
// too fast, as a person would, for up to scriptPatience: a tester's 150 piped lines, one
// every half second, had 190 of 450 refused (the host takes ten at once, then one a
// second), and a script cannot wait. It also waits while this client is reconnecting (the
// prompt was not sent: the host stopped, or the link dropped), until it is back or gives
// up: a tester's script lost 52 lines read while its host was killed and resumed, each
// "not sent … try again in a moment". One whose connection dropped before its answer came
// may have arrived: it waits for the client to be back in touch, and is sent again only
// if the catch-up does not have it (the same tester's line sent as the host was killed
// was "no answer … ↑ brings it back", and lost). The lines after it wait in the pipe
// meanwhile. err is the first try's, backs the printer's reconnects before it; the last
// try's error is returned. onlyFast: only a prompt refused as too fast for a moment (over its
// burst, party.BurstWords; or the connection's requests) is tried again: the line editor's,
// which keeps a prompt back while the host is out of reach.
func (c *commander) paced(ctx context.Context, text string, err error, backs uint64, onlyFast bool) error {
	tooFast := func(err error) (string, time.Duration, bool) {
		why, passing, retry, limited := refusedFast(err)
		if !limited || onlyFast && !passing {
			// The line editor waits out only a burst: a queue full waits for a batch, which
			// may wait for this very person (a host's /send or /allow, typed next), and the
			// lines typed after it would wait behind it for two minutes.
			return "", 0, false
		}
		return why, retry, true
	}
	// wait waits pace for the next try; false when the terminal is leaving, or in the line
	// editor when Ctrl-C or Ctrl-D was pressed (waitsOf).
	waits := waitsOf(ctx)
	wait := func(pace time.Duration) bool {
		select {
		case <-waits.Done():
			return false
		case <-time.After(pace):
			return true
		}
	}
	var fastSince time.Time
	for {
		why, retry, fast := tooFast(err)
		away := errors.Is(err, client.ErrNotConnected) || errors.Is(err, rpc.ErrNotSent)
		switch {
		case fast && queueFull(err):
			// The prompts waiting fill the party's queue, or this address's share: only a
			// batch makes room, and the window that cuts it may be minutes away. Said at
			// once, and waited for as long as it takes (the window always closes): a
			// tester's piped line sat unsaid for two minutes, then was refused with "wait a
			// few seconds", and every line after it would have been too.
			if !c.queueSaid {
				c.queueSaid = true
				c.pr.reply("system", "prompts are waiting for the next batch ("+strings.TrimPrefix(why, "rate limited: ")+"): "+strconv.Quote(firstLine(text))+" and the lines after it are sent once a batch has gone to the agent")
			}
			if !wait(scriptQueuePace) {
				return err
			}
			err = c.sendOnce(ctx, text)
			continue
		case fast:
			if fastSince.IsZero() {
				fastSince = time.Now()
			} else if time.Since(fastSince) >= scriptPatience {
				return err
			}
			if !c.pacedSaid {
				c.pacedSaid = true
				who := "the host says prompts come" // the host's own terminal is not told what "the host" says (a tester's)
				if c.endsParty {
					who = "prompts come"
				}
				c.pr.reply("system", who+" too fast ("+why+"): each line waits its turn, tried again when the host allows")
			}
			if !c.pacedTry(retry, wait) {
				return err
			}
			err = c.sendOnce(ctx, text)
			continue
		case onlyFast:
			return err
		case away || dropped(err):
			if !c.awaySaid {
				c.awaySaid = true
				c.pr.reply("system", "the host is out of reach: each line waits until this terminal is back in touch with it ("+strconv.Quote(firstLine(text))+" is next)")
			}
			if !away {
				// It may have arrived: not sent again before the client is back and its
				// catch-up read; then it arrived, or it is sent now.
				if c.pr.reconnects() == backs {
					if !wait(scriptPace) {
						return err
					}
					continue
				}
				if c.pr.arrived(text) {
					return nil
				}
				backs = c.pr.reconnects()
				err = c.sendOnce(ctx, text)
				continue
			}
		default:
			if err == nil && c.awaySaid {
				c.awaySaid = false // said again at the next outage
			}
			if err == nil {
				c.queueSaid = false // said again when the queue is full again
			}
			return err
		}
		if !wait(scriptPace) {
			return err
		}
		err = c.sendOnce(ctx, text)
	}
}

// maxRetryWait bounds the wait a host asks for before a prompt refused as too fast is sent
// again (RateLimitedData.RetryAfterMS): a host's wrong clock does not hold a line for
// longer.
const maxRetryWait = 30 * time.Second

// pacedTry waits (wait) for the next try of a prompt refused as too fast, the status line
// saying when it is sent again; false when the wait was cut short (paced).
func (c *commander) pacedTry(retry time.Duration, wait func(time.Duration) bool) bool {
	pace := scriptPace
	if retry > 0 {
		pace = min(retry, maxRetryWait)
	}
	c.pr.sendAgainAt(time.Now().Add(pace))
	ok := wait(pace)
	c.pr.sendAgainAt(time.Time{})
	return ok
}

// refusedFast reports whether err refuses a prompt as rate limited (limited), in the host's
// words (why); passing, when the limit passes in a moment (a member's burst, a connection's
// requests: not a full queue, which waits for a batch, nor a minute's bytes), and retry,
// when the host said how soon a try may pass (0: not said). It reads the refusal's data
// (wire.RateLimitedData; party.RateLimitError in the host's own terminal), and the words
// only of a host that sends none (from before 2026-12-07).
func refusedFast(err error) (why string, passing bool, retry time.Duration, limited bool) {
	var re *rpc.Error
	var rl *party.RateLimitError
	switch {
	case errors.As(err, &rl): // the host's own terminal (a reviewer's)
		return plain(err.Error()), wire.Passing(rl.Limit), rl.RetryAfter, true
	case errors.As(err, &re) && re.Code == wire.CodeRateLimited:
		var data wire.RateLimitedData
		if raw, ok := re.Data.(json.RawMessage); ok && json.Unmarshal(raw, &data) == nil && data.Limit != "" {
			return plain(re.Message), wire.Passing(data.Limit), time.Duration(max(data.RetryAfterMS, 0)) * time.Millisecond, true
		}
		return plain(re.Message), burstWords(re.Message), 0, true
	case errors.Is(err, party.ErrRateLimited):
		return plain(err.Error()), burstWords(err.Error()), 0, true
	}
	return "", false, 0, false
}

// queueFull reports whether err refuses a prompt because the prompts waiting fill the
// party's queue or its address's share (wire.LimitQueue), which only a batch empties: by
// the refusal's data, or the words of a host that sends none.
func queueFull(err error) bool {
	var re *rpc.Error
	var rl *party.RateLimitError
	switch {
	case errors.As(err, &rl):
		return rl.Limit == wire.LimitQueue
	case errors.As(err, &re) && re.Code == wire.CodeRateLimited:
		if limit := rateLimit(re); limit != "" {
			return limit == wire.LimitQueue
		}
		return strings.Contains(re.Message, "already waiting")
	}
	return false
}

// burstWords reports whether the words of a refusal as rate limited, from a host that sends
// no data, say a limit that passes in a moment: over a member's burst (party.BurstWords) or
// a connection's requests.
func burstWords(msg string) bool {
	return strings.Contains(msg, party.BurstWords) || strings.Contains(msg, "slow down")
}

// eventWait is how long a line waits for the event of the prompt sent before it: the host
// sends it before its answer, so it is late only when the connection is.
const eventWait = 5 * time.Second

// sendOnce sends text once, remembering the seq of its event when the party took it.
func (c *commander) sendOnce(ctx context.Context, text string) error {
	res, err := c.prompt(ctx, text)
	if err == nil {
		c.sentSeq = res.Seq
	}
	return err
}

// dropped reports whether err says the connection dropped before the prompt's answer came
// (it may have arrived), not that the host was slow to answer (it is likely queued).
func dropped(err error) bool {
	return client.Unanswered(err) && !errors.Is(err, rpc.ErrTimeout)
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
		return errors.New("you have no prompt waiting for a batch, so nothing to take back (/withdraw NAME takes back someone else's)")
	default:
		// Not "on its way to claude": it may have been sent, or withdrawn by a host (a
		// tester's read as sent).
		return errors.New("you have no prompt waiting for a batch, so nothing to take back")
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
		return fmt.Errorf("%s has no prompt waiting for a batch, so nothing to take back", who)
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
	var host, me string
	c.pr.with(func(r *roster) { host, me = r.host, r.you.Name })
	switch {
	case host == "":
		return "this computer"
	case host == me:
		return "your computer" // the owner reads of their own (a tester's read "host's computer")
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
// with a prompt waiting for approval, with no word of it; the window asks too). Ctrl-D
// in the line editor asks idle too: a key pressed on an empty line, as Ctrl-C's is (line).
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
		if key != "Ctrl-D" || !c.editor {
			return true
		}
		// Ctrl-D is a key, not a command: idle, it is said back once, as Ctrl-C is (a
		// tester's one Ctrl-D on an empty line ended a party with a member in it).
		c.quitAsked = c.clock()
		c.pr.reply("system", fmt.Sprintf("%s again within %d seconds ends the party for everyone", key, int(quitAgain/time.Second)))
		return false
	}
	c.quitAsked = c.clock()
	c.pr.reply("system", fmt.Sprintf("%s: %s again within %d seconds ends the party for everyone%s", strings.Join(busy, "; "), key, int(quitAgain/time.Second), unsentWords(prompts)))
	return false
}

// underWay says what ending the party now would cut short (a turn, tool requests, a merged
// prompt, prompts), and how many prompts wait, which --resume queues again.
func (c *commander) underWay() (busy []string, prompts int) {
	c.pr.with(func(r *roster) {
		prompts = len(r.pending)
		if r.held != nil {
			prompts += len(r.held.Prompts)
		}
		if r.running {
			busy = append(busy, r.runningWords())
		}
		busy = appendWaiting(busy, len(r.perms), "tool request")
		if r.held != nil {
			busy = append(busy, "a merged prompt waits for approval")
		}
		busy = appendWaiting(busy, len(r.pending), "prompt")
		switch {
		case r.journalGaveUp:
			// Not "it catches up within seconds": it will not (a tester's was told so
			// minutes after it had given up).
			busy = append(busy, "the party's journal gave up catching up: stopped now, what happened since it fell behind is lost from its history, and it cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do)")
		case r.journalBehind:
			// A chaos tester stopped a host while the disk was full, and the party could
			// never be resumed, even with room again. It can now, without what its journal
			// lacks, unless that made the party's rules stricter (the journal
			// knows which; the terminal does not): asked first, with what to do.
			busy = append(busy, "the party's journal is behind (is the disk full?): stopped now, what happened since is lost from its history, and it cannot be resumed at all if a host made its rules stricter meanwhile (who may join, what the agent may do); make room and it catches up within seconds")
		}
	})
	return busy, prompts
}

// unsentWords says, when prompts wait, that ending the party now does not send them.
func unsentWords(prompts int) string {
	switch {
	case prompts == 0:
		return ""
	case prompts == 1:
		// In number with "a prompt waits" before it (a tester's read "a prompt waits", then
		// "the waiting prompts are not sent").
		return " (the waiting prompt is not sent; concordia host --resume queues it again)"
	}
	return " (the waiting prompts are not sent; concordia host --resume queues them again)"
}

// leave lets a member who is not the party's host go, once told that prompts of theirs
// still wait: they go to the agent without them, and they would not see the answer (a
// tester's participant left in silence, and the prompt was sent after). Only where a
// person answers (the line editor) is it asked first: a script's "/quit" after its prompt
// must still leave, told the same (a tester's line-mode member left in silence).
func (c *commander) leave(key string) bool {
	what, withdrawable := c.leftBehind()
	if what == "" {
		return true
	}
	if !c.editor {
		c.pr.reply("system", what)
		return true
	}
	c.quitAsked = c.clock()
	undo := "" // a prompt held for approval is a host's to reject, not yours to withdraw
	if withdrawable {
		undo = " /withdraw takes back the newest;"
	}
	c.pr.reply("system", fmt.Sprintf("%s.%s %s again within %d seconds leaves", what, undo, key, int(quitAgain/time.Second)))
	return false
}

// leftBehind says what goes on without this terminal's member if it leaves now: its
// prompts that still wait, and what waits for a host's decision when it is the last host
// here; "" when nothing. withdrawable: its newest waiting prompt can be taken back.
func (c *commander) leftBehind() (what string, withdrawable bool) {
	mine, held := 0, 0
	orphaned := ""
	c.pr.with(func(r *roster) {
		mine = r.countMine(r.pending)
		if r.held != nil {
			held = r.countMine(r.held.Prompts)
		}
		withdrawable = r.lastWaiting() != ""
		orphaned = orphanedWords(r)
	})
	switch {
	case mine == 0 && held == 1:
		// Not "it goes to the agent": a host may reject it (a tester's).
		what = "your prompt waits for a host's approval: if a host sends it, it goes to the agent after you leave, and you will not see the answer"
	case mine == 0 && held > 1:
		what = fmt.Sprintf("%d prompts of yours wait for a host's approval: if a host sends them, they go to the agent after you leave, and you will not see the answers", held)
	case mine+held == 1:
		what = "your prompt still waits: it goes to the agent after you leave, and you will not see the answer"
	case mine+held > 1:
		what = fmt.Sprintf("%d prompts of yours still wait: they go to the agent after you leave, and you will not see the answers", mine+held)
	default:
		return orphaned, false
	}
	if orphaned != "" {
		what += "; " + orphaned
	}
	return what, withdrawable
}

// orphanedWords says what waits for a host's decision when this terminal's member is a
// co-host and no other host is here: leaving, nobody decides it (a tester's co-host left
// at once, and the requests waited out their time); and with nothing waiting, that nobody
// will. "" otherwise.
func orphanedWords(r *roster) string {
	if r.you.Role != wire.RoleHost || slices.ContainsFunc(r.members, func(m wire.Member) bool { return m.Role == wire.RoleHost && m.ID != r.you.ID }) {
		return ""
	}
	var w []string
	switch n := len(r.perms); {
	case n == 1:
		w = append(w, "a tool request waits for a host's decision, and no other host is here: if you leave, it is denied when its time runs out")
	case n > 1:
		w = append(w, fmt.Sprintf("%d tool requests wait for a host's decision, and no other host is here: if you leave, they are denied when their time runs out", n))
	}
	if r.held != nil {
		w = append(w, "a merged prompt waits for a host's approval, and no other host is here: it waits until one comes")
	}
	if len(w) == 0 {
		// Nothing waits yet, but the party goes on without a host: a user tester's last
		// co-host of a party hosted with --no-local-repl left with no word of it.
		w = append(w, "you are the last host here: until another comes back, nobody can stop a turn or decide a tool request (each is denied when its time runs out)")
	}
	return strings.Join(w, "; ")
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
	endsWords := ""
	if c.endsParty {
		endsWords = " (here it ends the party for everyone: twice within 10 s)"
	}
	lines := []string{"each line is one prompt (input is not a terminal, so there is no line editor).",
		"A line that starts with / is one of these commands, never a prompt:"}
	if c.editor {
		lines = []string{"type a prompt and press Enter. Alt-Enter or Ctrl-J (or a line ending in \\) starts a new line;",
			"a paste is one prompt, newlines and all; Up and Down recall earlier prompts; Ctrl-C clears",
			"the line (Up brings it back), stops a /shell command, or leaves when there is neither" + endsWords + ".",
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
		if g, ok := guestHelp[n]; ok && !host {
			help = g
		}
		if n == "share" && c.cannotShare() {
			help = "not in this run: it was started with sharing off" // a tester's co-host was offered it
			c.pr.with(func(r *roster) {
				if r.shareError != "" {
					help = "not in this run: the folder could not be shared"
				}
			})
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
	c.pr.reply("batch", fmt.Sprintf("%s (%s):\n%s", what, wire.MergedHow(term.Line(by)), merged))
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
		c.pr.reply("system", "away, and may come back: "+strings.Join(away, ", ")+" (to keep one out: /kick NAME, and /rotate so that their link lets nobody in; /rotate alone does not: a member comes back with their session)")
	}
	if len(always) > 0 { // what the agent may do unasked is everyone's business
		c.pr.reply("system", alwaysWords(always, host))
	}
	return nil
}
