package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	xterm "golang.org/x/term"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

// printer renders party events for a terminal the way the original tool did: agent
// output as plain text, notices as "[system] …", "[party] …", "[error] …". Everything a
// peer wrote passes through term.Clean first. mu makes it safe from the event goroutine
// and the REPL at once.
type printer struct {
	// helloed gets a token at each hello, and when the party starts sharing again (one
	// waits at most): followBase then learns from when the party's changes count.
	helloed chan struct{}
	mu      sync.Mutex
	backs   uint64       // times back in touch with the host (reconnected)
	w       *frameWriter // everything printed under mu goes through it; streamed agent text a frame at a time (a party terminal)
	// screen is w as it is outside a skip (skipOne puts the discard in w's place, under
	// mu, for one event): what flush, which holds no mu, flushes.
	screen *frameWriter
	color  bool // a terminal that takes colour (not NO_COLOR): tags and diffs are coloured
	// ownParty: the party's own terminal (concordia host), whose Ctrl-C on an empty line
	// ends the party; set before the line editor starts, which reads it once.
	ownParty bool
	// keyHint is where this terminal's host replaces a Gemini key Google refused
	// (merge.Fallback.KeyHint): the party's error event says it to nobody, and the host's
	// own terminal adds it (merge.WithKeyHint). "" in a joined terminal: a tester's
	// participant read the host's way to replace its key.
	keyHint string
	midLine bool // the last thing printed was agent text without a trailing newline
	// held is the start of an agent line that may yet become one of the party's own
	// ("[perm" of "[permission]"): it is printed when the line shows it cannot, or marked
	// (markAgentLinesLocked). Held only at a line's start, so midLine is false meanwhile.
	held string
	// aside holds notices beside the reply (asideLocked) that came in a replayed history
	// while its line was unfinished: they are printed when the line ends, not in the middle
	// of it (a tester's replay cut a reply's line in two with "bob joined").
	aside []string
	// asideTimer, armed while live news waits in aside for the line's end in plain output,
	// ends the wait after asidePatience (asideDue).
	asideTimer *time.Timer
	// soFar is the agent's unfinished line as printed (plain output), and resume that line
	// once news cut it (cutLineLocked): printed again before the agent's next text on it,
	// so that its text reads whole on one line.
	soFar, resume string
	// newlines ends what was printed last: 0 mid-line, 1 at a line's start, 2 after a
	// blank line (only agent text makes it more than 1).
	newlines int
	r        *roster // what this terminal knows of the party
	// lastNotice is the last system or error notice: the same one twice in a row (the
	// host's "the host ended the party" and this terminal's own) is printed once.
	lastNotice string
	// requests counts, per batch, the tool requests of its turn that timed out or were
	// cancelled: the turn's denied counts them with the denied ones, and a tester's
	// summary read "2 tool requests denied" of one timed out and one denied (and a user
	// tester's "1 denied" of one the turn's stop cancelled).
	requests   map[string]*transcript.Requests
	plansBack  map[string]int // per batch, its plans a host sent back (ExitPlanMode denied)
	failedTurn string         // the error of the turn just printed as failed (its "the batch failed" repeats it)
	lastSystem string         // the text of the event just printed, when it was a system event
	// recallSaid: "Up recalls your prompt" was said since the last event other than a
	// withdrawal (a resume's run of them says it once).
	recallSaid bool
	// removedSaid: a host's notice that it removed this terminal's member was printed,
	// with the waiting prompts that go with it: their withdrawals and the terminal's end
	// need not say it again (a tester's read four lines of one removal).
	removedSaid bool
	// endWords: the last event was a system event, or members leaving as the party
	// ended after one (endSaid).
	endWords bool
	// removed is who a host's notice just said was removed with its waiting prompts: the
	// withdrawn events after it are theirs, not the host's doing by hand (a tester's read
	// "you withdrew carol's prompt" of a /kick).
	removed string
	// asked are the tool requests put to a host so far, by id, until decided: an allowed
	// one that never was is a use the owner's "always" allowed without asking anyone.
	asked      map[string]bool
	changed    bool              // the last changes event listed files, or hid some
	lastFiles  []wire.FileChange // the list the last changes event printed about
	lastHidden int               // and its count of files kept back as secrets
	lastMore   int               // and of files it did not list
	turnWrote  bool              // the agent wrote something since the last batch
	// turnFailed counts the tool steps that came back as errors since the last batch,
	// and turnDenials whether any came back denied or cancelled (a host that marks them
	// "(denied)", "(cancelled)").
	turnFailed  int
	turnDenials bool
	toolErr     bool         // the last tool line is a failed step's result: its own output follows it
	toolResult  string       // that result line
	watching    bool         // a host's terminal that only watches (--no-local-repl): no commands
	earlier     bool         // "— earlier in this party —" was printed and "— live —" not yet
	sink        *statusPump  // the line editor's status line, when it runs
	input       func(string) // gives text back to the line editor's input, when it runs
	// above prints whole lines above the agent's unfinished line, which stays as it is
	// (screen.above); nil, or false, where the terminal cannot (plain output).
	above func(text string) bool
	// background says whether another process group has the terminal now (a shell, the
	// host its job); nil: never.
	background func() bool
	// width is the terminal's width in columns (0: unknown, or not a terminal).
	width func() int
	last  status
	now   func() time.Time // the clock (tests set it)
	// skews are recent live events' arrival minus their ts (our clock minus the host's,
	// plus the delay); the smallest is the best estimate of the clocks' difference.
	skews []time.Duration
	// catchingUp: the events coming are what a reconnect caught up on (catchUp).
	catchingUp bool
	// backAhead: a reconnect's catch-up holds this member's leaving (the host saw its
	// connection drop), so the host's joined event of its return follows, after all the
	// catch-up holds (or live, after it): a tool request asked meanwhile was shown before
	// the terminal said it was back (a tester's). The return is said instead before the
	// first caught-up event that is not about its own leaving (or when the catch-up ends),
	// with backCount; backSaid then keeps its joined event from being said again.
	// backAhead is armed only once that leaving was itself printed (backLeft, its seq):
	// what the host streamed into a connection that dropped silently, before its ping
	// timed out, comes before the leaving, and was said as if after the return (a
	// reviewer's).
	backAhead bool
	backLeft  int64
	backWaits bool // backLeft is set: the leaving is yet to be printed
	backCount int
	backSaid  bool
	// away: a joined terminal lost the host and is reconnecting.
	away bool
	// ownDrop: the host said this terminal's member left (its connection dropped); its
	// joined event that follows is said as coming back.
	ownDrop bool
	// joinSaid: this connection's join was said already, with the party it joined (a
	// join's first hello: joinedSaid), so its own joined event that follows is not said
	// again as "you joined" (a user tester's read "joined hannah's party as alice (2 in
	// the party: …)", then "you joined (2 in the party)"). A member back is still told
	// "you are back in the party", and each hello clears it: a reconnect's says so too.
	joinSaid bool
	// sending: when this terminal's prompt went to the host, while it has no answer.
	sending time.Time
	// again: when a prompt the host refused as too fast is sent again (paced); zero when
	// none waits to be.
	again time.Time
	// shell: the /shell command running in this terminal, "" when none.
	shell string
	// lookups: the lookups (/changes, /diff, /tree) under way here, oldest first.
	lookups []*string
	// roleChange: a member's new role (this terminal's own too), held until the next event
	// (sayRoleChangeLocked); roleTimer says it if no event comes.
	roleChange *wire.Member
	roleTimer  *time.Timer
	// evented is closed when the next event has been taken (await); nil while nobody waits.
	evented chan struct{}
	// settling: the tool requests that events about to be printed settle (liveThen): not
	// said to wait meanwhile. nil otherwise.
	settling map[string]bool
	// editing are the hosts (member ids) last said to edit editingBatch, the prompt held
	// for approval (editors.go): each is said once, as it starts.
	editing      map[string]bool
	editingBatch string
	// flaps: members whose connection flaps, by member id, their lines held (flap.go);
	// flapTimer says them once the connections are quiet for flapQuiet (0: flapSettle).
	// flapMax bounds how long they are held (0: flapMaxHold).
	flaps     map[string]*flap
	flapTimer *time.Timer
	flapQuiet time.Duration
	flapMax   time.Duration
}

// roleChangeWait is how long a role change waits for the host's notice of it.
const roleChangeWait = 300 * time.Millisecond

// sayRoleChangeLocked says the role change held in roleChange, and clears it. Our host
// follows the change with a notice of who made it ("hana made bob a co-host"); when next
// is that notice, someone else's change is left to it, and this terminal's own is said
// in one line with it ("hana made you a co-host: /help …"), for which it returns true:
// next is then said and not to be printed again.
func (p *printer) sayRoleChangeLocked(next wire.Event) (said bool) {
	m := *p.roleChange
	p.roleChange = nil
	p.roleTimer.Stop()
	notice := next.Kind == wire.KindSystem && (strings.Contains(next.Text, " made "+m.Name+" ") || strings.HasPrefix(next.Text, m.Name+" made themselves "))
	if m.ID != p.r.you.ID {
		if !notice {
			p.asideLocked("party", fmt.Sprintf("%s is now %s", term.Line(m.Name), roleWords(m.Role)))
		}
		return false
	}
	what := "you are now " + roleWords(m.Role)
	if by, _, ok := strings.Cut(next.Text, " made "+m.Name+" "); notice && ok && by != m.Name {
		what = term.Line(by) + " made you " + roleWords(m.Role)
	}
	what += ": /help lists what you can do"
	if m.Role == wire.RoleViewer && notice {
		// A viewer's prompts from before still go: as the host's notice counts them (the
		// ones no batch has taken), which tells the others (a reviewer's count here also
		// took those being merged).
		switch {
		case strings.Contains(next.Text, " waiting prompts are still sent"):
			what += "; your waiting prompts are still sent unless you /withdraw them"
		case strings.Contains(next.Text, " waiting prompt is still sent"):
			what += "; your waiting prompt is still sent unless you /withdraw it"
		}
	}
	p.asideLocked("party", what)
	if m.Role == wire.RoleHost && len(p.r.perms) > 0 { // a request waits for you now
		p.waitingRequestsLocked()
	}
	return notice
}

// waitingRequestsLocked tells a host the tool requests that wait for them, and how to answer.
func (p *printer) waitingRequestsLocked() {
	waiting := p.waitingLocked()
	pm := waiting[0]
	waits := fmt.Sprintf("claude waits for a decision on %s", term.Line(pm.Tool))
	if n := len(waiting); n > 1 {
		waits = fmt.Sprintf("claude waits for decisions on %d tool requests; the oldest is %s", n, permWhat(pm))
	}
	p.noticeLocked("permission", waits)
	p.hostHintLocked(pm, timeLeftWords(p.deadlineLocked(pm), p.now()))
}

// statusOf is what the status line is given now.
func (p *printer) statusOf() status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.statusLocked()
}

// setShell says which /shell command runs ("" when none), for the status line.
func (p *printer) setShell(cmd string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shell = cmd
	p.pushStatusLocked()
}

// lookupStart says a lookup runs (what: "/diff main.go"), for the status line; done says
// it has ended.
func (p *printer) lookupStart(what string) (done func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := &what
	p.lookups = append(p.lookups, l)
	p.pushStatusLocked()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.lookups = slices.DeleteFunc(p.lookups, func(o *string) bool { return o == l })
		p.pushStatusLocked()
	}
}

// sendStart and sendDone bracket a prompt on its way to the host, for the status line.
func (p *printer) sendStart() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sending = p.now()
	p.r.sentSeen = p.r.sentSeen[:0]
	p.pushStatusLocked()
}

func (p *printer) sendDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sending, p.again = time.Time{}, time.Time{}
	p.pushStatusLocked()
}

// sendAgainAt says that the prompt on its way, refused as too fast, is sent again at at:
// the status line said the host had not answered, which it had (a reviewer's). Zero: it
// is being sent again now, and its wait for an answer starts over.
func (p *printer) sendAgainAt(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.again = at
	if at.IsZero() && !p.sending.IsZero() {
		p.sending = p.now()
	}
	p.pushStatusLocked()
}

// connection tells the status line whether the host can be reached.
func (p *printer) connection(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.away = !up
	p.pushStatusLocked()
}

// maxSkews is how many skew samples are kept.
const maxSkews = 32

// sampleSkewLocked notes a live event's arrival against the host's time on it.
func (p *printer) sampleSkewLocked(ts time.Time) {
	if ts.IsZero() || p.earlier || p.catchingUp {
		return // no time, or history or what was missed: it arrives long after it happened
	}
	p.skews = append(p.skews, p.now().Sub(ts))
	if len(p.skews) > maxSkews {
		p.skews = p.skews[1:]
	}
}

// catchUp says whether the events that follow are what this terminal missed while its
// connection was lost (from a reconnect's hello until it is connected again): they are
// printed as news, but their times say nothing of the host's clock now. A tester's
// terminal, its window of samples filled by a catch-up, said a request it caught up on
// was denied in 1m59s, 18 s after it was asked.
func (p *printer) catchUp(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.catchingUp = on
	if !on && (p.backAhead || p.backWaits) { // nothing else was missed
		p.sayFlapsLocked()
		p.backLocked()
	}
}

// aheadOfCatchUp is told of the events a reconnect's hello carries (after hello): when
// they hold this member's own return — its leaving, then its joined event — the return is
// said right after its leaving, ahead of what the catch-up holds after that (backAhead,
// armed by the first event past backLeft).
func (p *printer) aheadOfCatchUp(events []wire.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backAhead, p.backWaits, p.backLeft, p.backSaid, p.backCount = false, false, 0, false, len(p.r.members)
	you := p.r.you.ID
	if you == "" {
		return
	}
	for _, ev := range events {
		switch {
		case ev.Kind != wire.KindParticipants:
		case ev.Left != nil && ev.Left.ID == you && ev.Why != wire.WhyKicked:
			p.backWaits, p.backLeft = true, ev.Seq
		case ev.Joined != nil && ev.Joined.ID == you && p.backWaits && ev.Count != nil:
			p.backCount = *ev.Count
		}
	}
}

// backLocked says this member is back (backAhead), once.
func (p *printer) backLocked() {
	p.backAhead, p.backWaits, p.backSaid = false, false, true
	p.ownDrop, p.joinSaid = false, false
	p.asideLocked("party", fmt.Sprintf("you are back in the party (%s)", people(p.backCount)))
}

// reconnected is told that a reconnect's hello and catch-up have been printed: a prompt of
// this terminal's that had no answer and is not among them did not reach the host. It is
// still watched for: a host that was frozen may yet read it.
func (p *printer) reconnected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.backs++
	if p.r.unanswered == "" || p.r.unansweredSaid {
		return
	}
	p.sayFlapsLocked()
	p.r.unansweredSaid = true
	p.noticeLocked("system", "your prompt that had no answer is not in the party: it did not reach the host (↑ brings it back to send again)")
}

// reconnects counts the times this terminal was back in touch with the host, its catch-up
// read (reconnected): a script's prompt whose answer the dropped connection took waits for
// the next one to tell whether it arrived (commander.paced).
func (p *printer) reconnects() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.backs
}

// arrived reports whether this member's prompt text showed up in the party while it was
// being sent (the catch-up after a reconnect included); it then no longer waits as
// unanswered.
func (p *printer) arrived(text string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.r.sentSeen, strings.TrimSpace(text)) {
		return false
	}
	if strings.TrimSpace(p.r.unanswered) == strings.TrimSpace(text) {
		p.r.unanswered, p.r.unansweredSaid = "", false
	}
	return true
}

// localLocked is a time on the host's clock as this machine's clock reads it.
func (p *printer) localLocked(host time.Time) time.Time {
	if len(p.skews) == 0 {
		return host
	}
	return host.Add(slices.Min(p.skews))
}

// deadlineLocked is when pending request pm is denied if nobody decides, on our clock;
// zero when the host did not say.
func (p *printer) deadlineLocked(pm wire.Permission) time.Time {
	if pm.Expires == nil {
		return time.Time{}
	}
	return p.localLocked(*pm.Expires)
}

func newPrinter(w io.Writer) *printer {
	fw := &frameWriter{w: w}
	return &printer{w: fw, screen: fw, r: newRoster(), now: time.Now, newlines: 1, helloed: make(chan struct{}, 1)}
}

// flush writes agent text still held for the next frame. A party terminal calls it before
// it returns.
func (p *printer) flush() { p.screen.Flush() }

// finish is a party terminal's last word: what is held is written, and agent text left
// mid-line is ended, so that the shell's prompt that follows starts a line of its own.
func (p *printer) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.roleChange != nil {
		p.sayRoleChangeLocked(wire.Event{})
	}
	p.sayFlapsLocked() // a member gone for good is said to be gone
	p.breakLineLocked()
	p.w.Flush()
}

// colorFor says whether w is a terminal that takes colour: not when NO_COLOR is set
// (no-color.org), nor when output goes to a file or a pipe (scripts read it).
func colorFor(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return outIsTerminal(w)
}

// outIsTerminal says whether w is a terminal (not a file or a pipe, which programs read);
// tests set it.
var outIsTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && xterm.IsTerminal(int(f.Fd()))
}

// hello takes a hello reply's state (first join and every reconnect).
func (p *printer) hello(h wire.HelloResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.r.reset(h)
	p.joinSaid = false
	p.pushStatusLocked()
	p.baseNewsLocked()
}

// joinedSaid tells the printer that this connection's join was just said (joinSaid).
func (p *printer) joinedSaid() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.joinSaid = true
}

// baseNewsLocked tells followBase to learn the base again.
func (p *printer) baseNewsLocked() {
	select {
	case p.helloed <- struct{}{}:
	default: // one is waiting already
	}
}

// with runs f with the roster, under the printer's lock.
func (p *printer) with(f func(r *roster)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p.r)
}

// await waits until ok holds of the roster, looking again after each event, for at most
// d or until ctx ends; it reports whether ok came to hold.
func (p *printer) await(ctx context.Context, d time.Duration, ok func(r *roster) bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		held := ok(p.r)
		if p.evented == nil {
			p.evented = make(chan struct{})
		}
		next := p.evented
		p.mu.Unlock()
		if held {
			return true
		}
		select {
		case <-next:
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// awaitSeq waits until the roster has taken in the event of seq (0: none), for at most d
// or until ctx ends.
func (p *printer) awaitSeq(ctx context.Context, seq int64, d time.Duration) {
	if seq > 0 {
		p.await(ctx, d, func(r *roster) bool { return r.lastSeq >= seq })
	}
}

// withdrawnText says who took back whose prompt, and what it asked. Runs before forget.
func (p *printer) withdrawnText(w wire.Withdrawn) string {
	if p.removed != "" && w.User == p.removed {
		text := term.Line(w.User) + "'s prompt goes with them"
		if p.r.mine(w.Prompt) {
			text = "your prompt goes with you" // the removed member's own terminal (a user tester read its name)
		}
		if ask, ok := p.r.asks[w.Prompt]; ok {
			text += ": " + ask
		}
		return text + " (it will not be sent)"
	}
	if w.Resumed {
		// Not a person's doing: the host resumed the party without what it left unanswered
		// (a tester read "you withdrew alice's prompt" of the resume, as if by hand).
		whose := term.Line(w.User) + "'s prompt"
		if p.r.mine(w.Prompt) {
			whose = "your prompt"
		}
		text := whose + " is withdrawn: the party was resumed without it"
		if ask, ok := p.r.asks[w.Prompt]; ok {
			text += ": " + ask
		}
		return text
	}
	who, whose := term.Line(w.By), term.Line(w.User)+"'s"
	// By ids where the host gives them: a name may have been someone else's earlier in the
	// party (a newcomer named like a member who left was told the other's prompts were theirs).
	if p.r.isYou(w.ByMember, w.By, p.earlier) {
		who = "you"
	}
	switch {
	case p.r.mine(w.Prompt):
		whose = "your"
	case w.User == w.By:
		whose = "their"
	}
	text := fmt.Sprintf("%s withdrew %s prompt", who, whose)
	if ask, ok := p.r.asks[w.Prompt]; ok {
		text += ": " + ask
	}
	return text + " (it will not be sent)"
}

// yourPrompts is a host's notice with this member's prompts called its own: "alice edited
// and sent your prompt", not "… bob's prompt", read by bob (a tester's). Only the host's
// possessive phrases about prompts, and its removal of this member, are changed, by the
// member's own name.
func (p *printer) yourPrompts(text string) string {
	name := p.r.you.Name
	if name == "" {
		return text
	}
	// The removed member's own last line before its connection closes: "alice removed you
	// from the party", not "… removed bob …" (a tester's). Only the notice's own removal,
	// not one quoted in its reason; and only live: names are one member's at a time, but a
	// removed member's name is free again, and in the history the one removed may be
	// another who had this name (a reviewer's).
	if by, rest, ok := strings.Cut(text, " removed "); ok && !p.earlier && strings.HasPrefix(rest, name+" from the party") {
		text = by + " removed you" + strings.TrimPrefix(rest, name)
	}
	// "alice stopped the turn", in alice's terminal (a user tester's, beside "you denied …").
	if text == name+" stopped the turn" && !p.earlier {
		return "you stopped the turn"
	}
	// "hana edited and sent their own prompt", in hana's terminal.
	if rest, ok := strings.CutPrefix(text, name+" "); ok && !p.earlier && ownOwnAct.MatchString(rest) {
		return "you " + strings.Replace(rest, " their own ", " your own ", 1)
	}
	if !strings.Contains(text, name+"'s ") {
		return text
	}
	for _, of := range []string{"prompt", "waiting prompt"} { // and their plurals
		text = strings.ReplaceAll(text, " "+name+"'s "+of, " your "+of)
		text = strings.ReplaceAll(text, "("+name+"'s "+of, "(your "+of)
	}
	// "(bob's 2 waiting prompts …)"
	text = ownCount.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasPrefix(m[1:], name+"'s ") {
			return m[:1] + "your " + m[1+len(name)+3:]
		}
		return m
	})
	// This member's own act on its own prompt: "you approved your prompt", not "alice
	// approved your prompt" in alice's terminal (a tester's). Only live: in the history
	// the name may have been another member's.
	if !p.earlier {
		if rest, ok := strings.CutPrefix(text, name+" "); ok && ownAct.MatchString(rest) {
			text = "you " + rest
		}
	}
	return text
}

// ownUnsentLocked is the party's notice of the prompts it ended without sending to the
// agent (party.ParseUnsent) with this member's own said as its own: "your prompt “…” did
// not reach the agent", not "… reached the agent: pat: “…”" in pat's terminal (a user
// tester's); beside others', "yours: “…”". What it says of a resume is the host's. Only
// live, and only prompts this terminal knows are its member's (while they wait, or are
// held for approval), by their text as the notice cuts it.
func (p *printer) ownUnsentLocked(text string) string {
	u, ok := party.ParseUnsent(text)
	if !ok || p.earlier || p.r.you.Name == "" {
		return text
	}
	list := "; " + u.List + "; "
	type found struct {
		at    int
		quote string // "“…”"
	}
	var mine []found
	for _, texts := range []map[string]string{p.r.own, p.r.heldOwn} {
		for id, t := range texts {
			who := p.r.you.Name
			if a, ok := p.r.authors[id]; ok {
				who = a
			}
			entry := party.UnsentEntry(who, t)
			i := strings.Index(list, "; "+entry+"; ")
			if i < 0 {
				continue
			}
			quote := strings.TrimPrefix(entry, who+": ")
			list = list[:i] + "; \x01" + quote + "\x02" + list[i+2+len(entry):] // marked: one "yours:" a run
			mine = append(mine, found{i, quote})
		}
	}
	if len(mine) == 0 {
		return text
	}
	// All of them this member's: the notice names five at most, and this terminal knows
	// how many of its own wait (a tester's 100 held prompts read "yours: …" five times).
	ownWaiting := len(p.r.own)
	for id := range p.r.heldOwn {
		if _, ok := p.r.own[id]; !ok {
			ownWaiting++
		}
	}
	more := ""
	if u.Count > len(mine) {
		more = fmt.Sprintf("; and %d more", u.Count-len(mine))
	}
	allMine := len(mine) == u.Count || len(mine) == party.UnsentNamed && ownWaiting >= u.Count && strings.HasSuffix(u.List, more)
	if !allMine {
		// "yours:" said once for a run of this member's prompts side by side (a tester's
		// read "yours: “hold-1”; yours: “hold-2”; …").
		list = strings.NewReplacer("\x02; \x01", "; ", "\x01", "yours: ", "\x02", "").Replace(list)
		return u.Opening + strings.TrimSuffix(strings.TrimPrefix(list, "; "), "; ") + u.Closing
	}
	if len(mine) == 1 {
		return "your prompt " + mine[0].quote + " did not reach the agent before the party ended" + u.Closing
	}
	slices.SortFunc(mine, func(a, b found) int { return a.at - b.at })
	quotes := make([]string, len(mine))
	for i, f := range mine {
		quotes[i] = f.quote
	}
	return fmt.Sprintf("your %d prompts did not reach the agent before the party ended: %s%s%s", u.Count, strings.Join(quotes, "; "), more, u.Closing)
}

// ownNotice is a notice of this member's own act as its own terminal says it: "you made
// new invites …", not "hosty made new invites …" (a tester's). Only live.
func (p *printer) ownNotice(text string) string {
	if by, ok := party.RotatedBy(text); ok && by == p.r.you.Name && by != "" && !p.earlier {
		return "you" + strings.TrimPrefix(text, by)
	}
	return text
}

// ownOwnAct: a host's act on its own prompt, as a notice says it after the host's name.
var ownOwnAct = regexp.MustCompile(`^(approved|edited and sent) their own prompt`)

// ownAct: a host's act on a prompt, as a notice says it after the host's name.
var ownAct = regexp.MustCompile(`^(approved|rejected|withdrew|edited and sent|sent) your `)

// ownCount: a count of someone's prompts in a notice, "(bob's 2 waiting prompts".
var ownCount = regexp.MustCompile(`[ (][^ (]+'s \d+ (?:waiting )?prompts`)

// termWidth is the terminal's width in columns; 0 when unknown.
func (p *printer) termWidth() int {
	if p.width == nil {
		return 0
	}
	return p.width()
}

// isHost reports whether this terminal's member is a host (it sees the host's hints).
func (p *printer) isHostLocked() bool { return p.r.you.Role == wire.RoleHost }

// breakLineLocked ends agent text left mid-line, before something else is printed on a line
// of its own (which leaves the output at a line's start).
func (p *printer) breakLineLocked() {
	p.releaseHeldLocked()
	if p.midLine {
		fmt.Fprintln(p.w)
		p.midLine = false
	}
	p.newlines = 1
	p.soFar, p.resume = "", ""
	p.asideNowLocked()
}

// asideNowLocked prints the notices held for the end of the reply's line (aside).
func (p *printer) asideNowLocked() {
	for _, text := range p.aside {
		fmt.Fprintln(p.w, text)
	}
	p.aside = nil
	if p.asideTimer != nil {
		p.asideTimer.Stop()
		p.asideTimer = nil
	}
}

// asidePatience is how long live news waits for the end of the agent's unfinished line in
// plain output (asideLocked) before the line is cut for it (asideDue): a script reading the
// output waits for the news (a browser test's participant waited 30 s for a withdrawal,
// held until a slow reply's line ended). A variable for the tests.
var asidePatience = 3 * time.Second

// maxResume is the longest unfinished line printed again after news cut it: past that,
// the agent's text goes on from where it was, on a line of its own.
const maxResume = 16 << 10

// asideDue ends the wait of live news held for the end of the agent's line: the line is
// cut, the news printed, and the line printed again when the agent goes on with it.
func (p *printer) asideDue() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asideDueLocked()
}

// asideDueLocked is asideDue, under mu.
func (p *printer) asideDueLocked() {
	if p.asideTimer != nil {
		p.asideTimer.Stop()
		p.asideTimer = nil
	}
	if len(p.aside) == 0 || p.earlier {
		return // printed meanwhile, or a history's, which waits for the line however long
	}
	p.cutLineLocked()
}

// asideTimerLocked arms asideTimer: asideDue once asidePatience has passed, unless the wait
// ended meanwhile. A timer stopped too late (it fired as the line ended) still runs, and
// would cut the line under the next news before its patience (a reviewer's).
func (p *printer) asideTimerLocked() {
	var t *time.Timer
	t = time.AfterFunc(asidePatience, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.asideTimer == t {
			p.asideDueLocked()
		}
	})
	p.asideTimer = t
}

// cutLineLocked ends the agent's unfinished line in plain output so that something is
// printed under it, and prints the news held for its end; the agent's next text on that
// line prints the line again first (resumeLocked), so that its text reads whole.
func (p *printer) cutLineLocked() {
	p.releaseHeldLocked()
	line := p.soFar
	p.breakLineLocked()
	if len(line) <= maxResume {
		p.resume = line
	}
}

// resumeLocked prints again the agent's line that news cut (cutLineLocked), before the
// agent's next text goes on with it.
func (p *printer) resumeLocked() {
	if p.resume == "" || p.midLine {
		return
	}
	line := p.resume
	p.resume = ""
	p.w.Defer([]byte(line))
	p.soFar = line
	p.midLine, p.newlines = true, 0
}

// notice prints one "[tag] text" line, on a line of its own.
func (p *printer) notice(tag, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	p.noticeLocked(tag, text)
}

// reply prints what this terminal's person asked for: a command's answer or its error.
// Always — a repeated command gets its answer again, where a repeated notice from the party
// is dropped — and above the reply's unfinished line where the line editor shows one, so
// it does not cut the agent's line in two (a tester saw both).
func (p *printer) reply(tag, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	p.lastNotice = ""
	p.besideLocked(tag, text, false)
}

func (p *printer) noticeLocked(tag, text string) {
	p.breakLineLocked()
	text = terminalWhere(exitWords(term.Clean(text)))
	if tag == "system" || tag == "error" {
		if tag+text == p.lastNotice {
			return
		}
		p.lastNotice = tag + text
	} else {
		p.lastNotice = ""
	}
	fmt.Fprintln(p.w, p.noticeText(tag, text))
}

// noticeText is a notice as printed: "[tag] text", its further lines indented.
func (p *printer) noticeText(tag, text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var b strings.Builder
	b.WriteString(paint(p.color, tagColor[tag], "["+tag+"]") + " " + lines[0])
	for _, l := range lines[1:] {
		b.WriteString("\n    " + l)
	}
	return b.String()
}

// invites prints "[system] title", then the invites one per line in the form the host
// prints them at its start, each at the start of its line ("invite code: concordia://…"):
// a script that reads the host's output finds new invites as it found the first ones (a
// protocol tester's found only the first, which no longer worked, as the new ones were
// indented under the title). The host invite only when the party has one, with a word of
// caution; after, when not "", is a last line of its own. Always printed, as a reply is.
func (p *printer) invites(inv wire.Invites, title, after string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	p.lastNotice = ""
	// The links come from the host (a co-host's /invite): one line each, no escapes.
	lines := []string{p.noticeText("system", term.Clean(title)), "invite code: " + term.Line(inv.Invite), "viewer invite: " + term.Line(inv.ViewerInvite)}
	if inv.HostInvite != "" {
		lines = append(lines, "host invite: "+term.Line(inv.HostInvite),
			p.noticeText("system", "the host invite joins as a host: give it only to someone who may decide what the agent does"))
	}
	if after != "" {
		lines = append(lines, p.noticeText("system", term.Clean(after)))
	}
	block := strings.Join(lines, "\n")
	if p.aboveLocked(block) {
		return
	}
	p.breakLineLocked()
	fmt.Fprintln(p.w, block)
}

// local prints a line of this terminal's own (a /shell command's output) as it is,
// beside the party's: above the agent's unfinished line where the editor shows one.
func (p *printer) local(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	if p.aboveLocked(line) {
		return
	}
	p.breakLineLocked()
	fmt.Fprintln(p.w, line)
}

// aboveLocked prints text above the agent's unfinished line where the line editor shows
// one, and says whether it did. The reply's text so far is written first, so that its
// finished lines stay above the text.
func (p *printer) aboveLocked(text string) bool {
	if !p.midLine || p.above == nil {
		return false
	}
	p.w.Flush()
	return p.above(text)
}

// asideLocked prints a notice about something beside the agent's reply (someone joined
// or left, a prompt, changed files). Where the line editor shows the reply's unfinished
// line, the notice goes above it and the line stays whole; a notice there used to cut
// the reply's line in two. In a replayed history, where nothing prints above the line, it
// waits for the line to end (aside). Elsewhere it is a notice like any other: live, in
// plain output, it is printed at once, as a script reading the output waits for it (a
// browser test's participant waited 30 s for a withdrawal held until a slow reply's line
// ended).
func (p *printer) asideLocked(tag, text string) { p.besideLocked(tag, text, true) }

// besideLocked is asideLocked; but for news that may wait (an answer to this terminal's
// own command does not), live in plain output too (the pipe, TERM=dumb) news waits for
// the unfinished line's end, asidePatience at most (asideDue): a tester's piped join read
// a streamed line in pieces between its prompts. What does not wait there cuts the line,
// and the agent's next text on it prints it again first (cutLineLocked).
func (p *printer) besideLocked(tag, text string, mayWait bool) {
	clean := term.Clean(text)
	if (tag == "system" || tag == "error") && tag+clean == p.lastNotice {
		return // a repeat, as noticeLocked drops it
	}
	shown := p.noticeText(tag, clean)
	above := p.aboveLocked(shown)
	unfinished := p.midLine || p.held != "" // a line held back is unfinished too
	plainLive := p.above == nil && !p.earlier && p.w == p.screen
	later := !above && unfinished && (p.earlier || plainLive && mayWait)
	if later {
		p.aside = append(p.aside, shown) // when the line ends (asideNowLocked)
		if plainLive && p.asideTimer == nil {
			p.asideTimerLocked()
		}
	}
	if above || later {
		p.lastNotice = ""
		if tag == "system" || tag == "error" {
			p.lastNotice = tag + clean
		}
		return
	}
	if plainLive && (unfinished || p.resume != "") {
		// Cut here, or by news before (one's own prompt, another answer): the agent's
		// line is printed again when it goes on, however many lines come between.
		if unfinished {
			p.cutLineLocked()
		}
		resume := p.resume
		p.noticeLocked(tag, text)
		p.resume = resume // noticeLocked's break found the line ended already
		return
	}
	p.noticeLocked(tag, text)
}

// tagColor is the SGR colour of each kind of notice.
var tagColor = map[string]string{
	"system":     "2",  // faint: the party's housekeeping
	"party":      "36", // cyan: people
	"you":        "32", // green: your own prompts
	"error":      "1;31",
	"permission": "33",
	"approval":   "33",
	"changes":    "35",
	"tree":       "35",
	"batch":      "34",
	"stderr":     "2;33", // faint yellow: what claude wrote to its stderr
}

// earlierLocked prints the marker above replayed history, when there is any.
func (p *printer) historyStart(n int) {
	if n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sayFlapsLocked() // held lines come before it (flap.go)
	p.markerLocked("— earlier in this party —")
	p.earlier = true
}

// skip takes evs in as history without printing them: the terminal still knows who asked
// what and which batches ran, for the events printed after them.
func (p *printer) skip(evs []wire.Event) {
	var s skipRun
	p.skipSome(&s, evs)
	p.skipEnd(&s)
}

// skipRun is one skip taken in parts (skipSome, skipEnd): a history read page by page
// goes to the discard as it comes, rather than held whole to be skipped at its end. The
// parts leave the printer as one skip of them all would (skipEnd as skip's end), and
// between its events the printer is as it was before the first.
type skipRun struct {
	started  bool
	midLine  bool // the line state the skipped events left, for the next one
	newlines int
	aside    []string
	held     string
	soFar    string
	resume   string
	// flaps: the skipped events' flapping connections (flap.go), held among them alone:
	// neither said on the screen, nor mixed with the live ones held meanwhile.
	flaps map[string]*flap
}

// discardTo is where a skipped event's output goes: nowhere, at once (held for a frame, a
// long history's output piled up whole: a tester's resumed host, with 64 MB of history,
// allocated 240 MB here).
var discardTo = &frameWriter{w: io.Discard}

// skipSome takes evs in as history without printing them, as part of the skip s.
func (p *printer) skipSome(s *skipRun, evs []wire.Event) {
	for _, ev := range evs {
		p.skipOne(s, ev)
	}
}

// skipOne takes ev in as history without printing it: as event does, under mu, with the
// printer's output going to the discard for this event only and its line state kept in s.
// Other output (a notice from another goroutine: a lost connection, a command's reply)
// waits for mu and finds the printer as it was: the shared writer's output was the discard
// for the whole skip, and what they printed meanwhile went with it (a reviewer's, once a
// long catch-up was skipped in parts as it came).
func (p *printer) skipOne(s *skipRun, ev wire.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	above, midLine, newlines, aside, held := p.above, p.midLine, p.newlines, p.aside, p.held
	soFar, resume := p.soFar, p.resume
	flaps, flapTimer := p.flaps, p.flapTimer
	if s.started {
		p.midLine, p.newlines, p.aside, p.held = s.midLine, s.newlines, s.aside, s.held
		p.soFar, p.resume = s.soFar, s.resume
	}
	p.flaps, p.flapTimer = s.flaps, nil
	p.w, p.above = discardTo, nil // (the above's lines would reach the screen)
	p.eventLocked(ev)
	s.started = true
	s.midLine, s.newlines, s.aside, s.held = p.midLine, p.newlines, p.aside, p.held
	s.soFar, s.resume = p.soFar, p.resume
	s.flaps = p.flaps
	if p.flapTimer != nil {
		p.flapTimer.Stop() // the skipped lines it would say go with the skip
	}
	p.w, p.above = p.screen, above
	p.midLine, p.newlines, p.aside, p.held = midLine, newlines, aside, held
	p.soFar, p.resume = soFar, resume
	p.flaps, p.flapTimer = flaps, flapTimer
}

// skipEnd ends the skip s as skip ends: the output is at a line's start.
func (p *printer) skipEnd(s *skipRun) {
	if !s.started {
		return
	}
	*s = skipRun{}
	p.mu.Lock()
	p.midLine, p.newlines, p.aside, p.held = false, 1, nil, ""
	p.soFar, p.resume = "", ""
	p.mu.Unlock()
}

// live prints the marker between replayed history and live events, once after a
// historyStart.
func (p *printer) live() { p.liveThen(nil) }

// liveThen prints the marker, as live does, then the events next: what happened since the
// history, which a resumed host prints under the marker (who was disconnected, the
// requests of the turn the stop cut short, cancelled). A request those events settle is
// not said to wait, neither under the marker nor after another's cancel (a user tester's
// resumed host was asked to decide on a request the next line cancelled).
func (p *printer) liveThen(next []wire.Event) {
	p.mu.Lock()
	p.settling = nil
	for _, ev := range next {
		if ev.Kind == wire.KindPermission && ev.Permission != nil && ev.Permission.Status != wire.PermissionPending {
			if p.settling == nil {
				p.settling = map[string]bool{}
			}
			p.settling[ev.Permission.ID] = true
		}
	}
	if p.earlier {
		p.sayFlapsLocked() // the history's, above the marker
		p.earlier = false
		p.markerLocked("— live —")
		if waiting := p.waitingLocked(); p.isHostLocked() && len(waiting) > 0 { // the history's requests had no /allow under them
			p.waitingRequestsLocked()
		} else if len(waiting) > 0 {
			// Nor the time they have left (a user tester's joiner read a request waiting,
			// and not for how long).
			pm := waiting[0]
			waits := "claude waits for a host's decision on " + permWhat(pm)
			if n := len(waiting); n > 1 {
				waits = fmt.Sprintf("claude waits for a host's decision on %d tool requests; the oldest is %s", n, permWhat(pm))
			}
			p.noticeLocked("permission", waits+timeLeftWords(p.deadlineLocked(pm), p.now()))
		}
	}
	p.mu.Unlock()
	for _, ev := range next {
		p.event(ev)
	}
	p.mu.Lock()
	p.settling = nil
	p.mu.Unlock()
}

// waitingLocked is the tool requests that wait, oldest first, as a host is told of them:
// the roster's, but for those that events about to be printed settle (liveThen).
func (p *printer) waitingLocked() []wire.Permission {
	if len(p.settling) == 0 {
		return p.r.perms
	}
	return slices.DeleteFunc(slices.Clone(p.r.perms), func(w wire.Permission) bool { return p.settling[w.ID] })
}

func (p *printer) markerLocked(text string) {
	p.breakLineLocked()
	fmt.Fprintln(p.w, paint(p.color, "2", text))
}

// setStatusSink makes every change of the party's phase or queue reach f (the line
// editor's status line), from a goroutine of its own (statusPump); nil stops it.
func (p *printer) setStatusSink(f func(status)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sink != nil {
		p.sink.close()
		p.sink = nil
	}
	if f == nil {
		return
	}
	p.sink = newStatusPump(f)
	p.last = p.statusLocked()
	p.sink.put(p.last)
}

// setInputSink makes giveBack reach f (the line editor's input); nil stops it.
func (p *printer) setInputSink(f func(string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.input = f
}

// recall puts text in the line editor's history (Up recalls it), as a failed turn's
// prompts are.
func (p *printer) recall(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.r.giveBack(text)
	p.pushStatusLocked()
}

// giveBack puts text (a prompt just withdrawn) into the line editor's input, above what
// is typed there; without the editor (plain input) Up cannot recall it either, and the
// withdrawn notice quotes it.
func (p *printer) giveBack(text string) {
	p.mu.Lock()
	f := p.input
	p.mu.Unlock()
	if f != nil && text != "" {
		f(text) // not under mu: f waits for the editor's goroutine
	}
}

func (p *printer) statusLocked() status {
	r := p.r
	st := status{phase: r.phase, since: r.phaseSince, role: r.you.Role, all: len(r.pending), min: r.minPrompts, connected: !p.away, sending: p.sending, again: p.again, shell: p.shell, agentDown: r.agentDown,
		recall: r.recall}
	if len(p.lookups) > 0 {
		st.lookup, st.lookups = *p.lookups[0], len(p.lookups)
	}
	if r.phase == wire.PhaseRunning || r.phase == wire.PhaseAwaitingPermission {
		st.since = r.turnSince
	}
	if r.phase == wire.PhaseAwaitingPermission && len(r.perms) > 0 {
		st.deadline = p.deadlineLocked(r.perms[0])
	}
	for _, id := range r.pending {
		if r.mine(id) { // by member id, as /withdraw counts them: names are reused
			st.mine++
		}
	}
	if r.held != nil && r.phase == wire.PhaseAwaitingApproval {
		for _, id := range r.held.Prompts {
			if r.mine(id) {
				st.heldMine++
			}
		}
	}
	return st
}

// pushStatusLocked sends the status line its new state when it changed.
func (p *printer) pushStatusLocked() {
	if p.sink == nil {
		return
	}
	st := p.statusLocked()
	if st == p.last {
		return
	}
	p.last = st
	p.sink.put(st)
}

func people(n int) string {
	if n == 1 {
		return "1 in the party"
	}
	return fmt.Sprintf("%d in the party", n)
}

// watchOnly marks a host's terminal that only watches (--no-local-repl): it takes no
// commands, so nothing it prints points at one.
func (p *printer) watchOnly() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.watching = true
}

// showHint points at /show, where the terminal takes commands.
func (p *printer) showHint() string {
	if p.watching {
		return ""
	}
	return "\n(/show prints the merged text)"
}

// promptShownLines and promptShownBytes bound how much of a prompt a terminal prints: a
// tester's 30 KB prompt filled every member's screen, 170 lines, as it arrived.
const (
	promptShownLines = 20
	promptShownBytes = 2 << 10
)

// promptShown is a prompt's text as the terminal prints it: whole when short, else its
// start and a line that says how much more there is and where it all is.
func (p *printer) promptShown(text string) string {
	shown, cut := clipText(text, promptShownLines, promptShownBytes)
	if !cut {
		return text
	}
	return shown + fmt.Sprintf("\n… (%s more of this prompt not shown here; the party's transcript has all of it: a host's `concordia export`, or `concordia join --transcript FILE`)", size(int64(len(text)-len(shown))))
}

// heldShownLines and heldShownBytes bound how much of a prompt held for approval a host's
// terminal prints: more than of a prompt as it arrives (promptShown), as a host decides on
// it, as a host sees more of a tool request's detail (hostDetailLines).
const (
	heldShownLines = 40
	heldShownBytes = 4 << 10
)

// heldShown is the text of a prompt held for approval as a host's terminal quotes it: whole
// when short, else its start and a line that says how much more there is and how to see it
// all.
func (p *printer) heldShown(text string) string {
	text = strings.TrimRight(text, "\n")
	shown, cut := clipText(text, heldShownLines, heldShownBytes)
	if !cut {
		return text
	}
	more := size(int64(len(text) - len(shown)))
	if n := strings.Count(text[len(shown):], "\n"); n > 0 {
		more = fmt.Sprintf("%d more line%s, %s,", n, plural(n), more)
	}
	if p.watching {
		return shown + "\n… (" + more + " not shown here)"
	}
	return shown + "\n… (" + more + " not shown here; /show prints it whole)"
}

// clipText is text cut to its first lines lines and at most bytes bytes (at a character's
// start), and whether it was cut.
func clipText(text string, lines, bytes int) (string, bool) {
	shown, more := headLines(text, lines)
	cut := more > 0
	if len(shown) > bytes {
		n := bytes
		for n > 0 && !utf8.RuneStart(shown[n]) { // at a character's start
			n--
		}
		shown, cut = shown[:n], true
	}
	return shown, cut
}

// firstLines is s cut to its first n lines, saying how many more there were, and whether
// it was cut.
func firstLines(s string, n int) (string, bool) {
	head, more := headLines(s, n)
	if more == 0 {
		return head, false
	}
	return head + fmt.Sprintf("\n… (%d more lines)", more), true
}

// headLines is s's first n lines (its final line breaks left out), and how many more it has.
func headLines(s string, n int) (head string, more int) {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n"), 0
	}
	return strings.Join(lines[:n], "\n"), len(lines) - n
}

// noHostLeftLocked tells, when the last host has just left, what now waits for one: a
// tool request is denied when its time runs out, a merged prompt waits for approval (a
// tester's participants kept reading "denied in 52s unless a host decides" with no host
// left to decide).
func (p *printer) noHostLeftLocked() {
	if slices.ContainsFunc(p.r.members, func(m wire.Member) bool { return m.Role == wire.RoleHost }) {
		return
	}
	switch n := len(p.r.perms); {
	case n == 1:
		p.noticeLocked("system", "no host is in the party now: the waiting tool request is denied when its time runs out, unless a host comes back")
	case n > 1:
		p.noticeLocked("system", fmt.Sprintf("no host is in the party now: the %d waiting tool requests are denied when their time runs out, unless a host comes back", n))
	}
	if p.r.held != nil {
		p.noticeLocked("system", "no host is in the party now: the merged prompt waits for approval until a host comes back")
	}
}

// agentMark goes before a line of the agent's that starts as a line of the party's own
// does: "(agent) [permission] Bash: …". Without colour (NO_COLOR, a pipe) the agent's
// "[permission] allowed" or "invite code: concordia://…" at a line's start read as the
// real thing (a security reviewer's).
const agentMark = "(agent) "

// ownLineStarts are how lines the party prints start at column 0: the notices' tags and
// the invites' lines (which scripts read).
var ownLineStarts = func() []string {
	starts := []string{"invite code: ", "viewer invite: ", "host invite: "}
	for tag := range tagColor {
		starts = append(starts, "["+tag+"]")
	}
	return starts
}()

// toolLineStart is a tool line's, after its indent ("  » Bash: ls").
const toolLineStart = "» "

// looksOwn says whether an agent line reads as one of the party's.
func looksOwn(line string) bool {
	if strings.HasPrefix(strings.TrimLeft(line, " "), toolLineStart) {
		return true
	}
	for _, s := range ownLineStarts {
		if strings.HasPrefix(line, s) {
			return true
		}
	}
	return false
}

// mayLookOwn says whether the start of an agent line, so far, could still become one
// that looksOwn.
func mayLookOwn(start string) bool {
	if t := strings.TrimLeft(start, " "); strings.HasPrefix(toolLineStart, t) {
		return true // spaces, or "  »" so far
	}
	for _, s := range ownLineStarts {
		if len(start) < len(s) && strings.HasPrefix(s, start) {
			return true
		}
	}
	return false
}

// markAgentLinesLocked puts agentMark before each line of text (agent output, from where
// the output stands) that looksOwn. A last line unfinished that may yet look so is held
// back (p.held) for the next delta to decide. It returns what to print now.
func (p *printer) markAgentLinesLocked(text string) string {
	var b strings.Builder
	marked := false
	atStart := !p.midLine
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		line := text[pos:]
		if end >= 0 {
			line = text[pos : pos+end+1]
		}
		if atStart {
			switch {
			case looksOwn(line):
				if !marked {
					b.WriteString(text[:pos])
					marked = true
				}
				b.WriteString(agentMark)
			case end < 0 && mayLookOwn(line):
				p.held = line
				if !marked {
					return text[:pos]
				}
				return b.String()
			}
		}
		if marked {
			b.WriteString(line)
		}
		pos += len(line)
		atStart = true
	}
	if !marked {
		return text
	}
	return b.String()
}

// releaseHeldLocked prints the line start held back, as it is, before something is printed
// on a line of its own (breakLineLocked, which ends the line): what follows it then starts
// a line of its own, and is looked at as one. Nothing else releases it: an event that
// prints nothing, or a notice above the line editor's line, left the line open, and the
// next delta continued it unmarked (a reviewer's "[perm", a phase event, "ission] …").
func (p *printer) releaseHeldLocked() {
	if p.held == "" {
		return
	}
	text := p.held
	p.held = ""
	p.w.Defer([]byte(text))
	p.soFar += text
	p.midLine, p.newlines = true, 0
}

// deniedWords is a turn summary's "; N tool requests denied" (or "" when none), with those
// of them seen timing out or cancelled told apart: "; 1 tool request timed out, 1 denied".
func deniedWords(denied int, seen transcript.Requests) string {
	if w := seen.Words(denied); w != "" {
		return "; " + w
	}
	return ""
}

// failedWords is "; N tool steps failed" after a turn's end, or "".
func failedWords(failed int) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf("; %d tool step%s failed", failed, plural(failed))
}

// boolOrder sorts true before false.
func boolOrder(b bool) int {
	if b {
		return 0
	}
	return 1
}

// removalSaid says whether a host's notice that it removed this member was printed.
func (p *printer) removalSaid() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.removedSaid
}

// endSaid says whether the last event printed was a system event: a host's end is one
// (party.End's text), which a terminal then need not say again in its own words.
func (p *printer) endSaid() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.endWords
}
