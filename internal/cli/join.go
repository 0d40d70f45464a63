package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	stdio "io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/eventfile"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

func runJoin(ctx context.Context, args []string, io IO) (code int) {
	defer discardTypedAhead(io.In)
	var name, transcriptPath, inviteFile, dataDir string
	var verbose, newMember bool
	fs := newFlagSet("join", "concordia join INVITE | - | --invite-file FILE [--name NAME] [--transcript FILE] [--new-member] [--data-dir DIR] [--verbose]", `
Join a party in this terminal. INVITE is the concordia:// link the host printed
(flags may stand before or after it). So that the invite's token stays out of the
process list, it may instead come from the CONCORDIA_INVITE environment variable, from
--invite-file FILE, or from stdin with INVITE "-": the link, also cut into lines by a
narrow terminal, or the whole chat message it came in, pasted at once (at a terminal,
the message's other lines are left out; from a pipe, the lines after the link are
prompts).

Type a prompt and press Enter; /quit or /exit leaves; /shell CMD runs CMD on this
machine only (nothing is sent); /who lists the members; /permissions says what the
agent may do unasked; /changes lists the files changed in the host's working directory
and /diff PATH shows one, as far as the host shares them (/tree lists the folder when it
shares all of it); /help lists your commands (a co-host gets the host's). A dropped
connection is retried (after 1, 2, 4, 8, then every 15 seconds) and everything missed
is shown once it is back. When input ends, this keeps following the party until
Ctrl-C or the end of the party. Prompts piped in faster than the host takes them wait
their turn (for up to two minutes each; while the prompts waiting fill the queue, until a
batch makes room). Lines the party ended before sending are said not sent.

Joining again with the same invite and name — after the terminal was closed, or killed;
also with the invite of the party resumed on another port, which keeps its token —
comes back as the same member, with its role (a co-host stays one), unless a host removed
it; a party that ended and was resumed takes its members back too. Without --name, a join
takes the name this terminal last joined that host with, if it did; a co-host back with
the rotated invite of a host whose link pins its certificate is the co-host it was.
--new-member joins as someone new. What brings it back is kept in
the data directory, readable by you only.`, io.Out, io.Err)
	fs.StringVar(&name, "name", defaultName(io.Getenv), "your display `name` in the party (default: the name this terminal last joined that host with, else your login name)")
	fs.BoolVar(&verbose, "verbose", false, "log diagnostics to stderr")
	fs.StringVar(&inviteFile, "invite-file", "", "read the invite from this `file` instead of the command line (the link in it, also one cut into lines)")
	fs.BoolVar(&newMember, "new-member", false, "join as a new member, not as the one this terminal was the last time it joined with this invite and name")
	fs.StringVar(&dataDir, "data-dir", "", "`directory` where this terminal keeps what brings it back as the same member (default: "+defaultDataDir()+")")
	fs.StringVar(&transcriptPath, "transcript", "", "when you leave or the party ends, write the party from its start, as this terminal received it, to this `file` as Markdown (like concordia export)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	switch {
	case len(pos) == 0 && inviteFile == "" && strings.TrimSpace(io.Getenv("CONCORDIA_INVITE")) == "":
		return usageError(fs, io.Err, "missing INVITE (the concordia:// link the host printed; or set CONCORDIA_INVITE, or use --invite-file FILE or \"-\" for stdin)")
	case len(pos) > 0 && inviteFile != "":
		return usageError(fs, io.Err, "give the invite once: as INVITE or with --invite-file, not both")
	case len(pos) > 1:
		return usageError(fs, io.Err, "unexpected argument %q (only one INVITE)", pos[1])
	case strings.TrimSpace(name) == "":
		return usageError(fs, io.Err, "--name must not be empty")
	}
	if why := nameProblem(name); why != "" {
		return usageError(fs, io.Err, "--name %s: %s", nameWords(name), why)
	}
	if transcriptPath != "" {
		// Said now, not after a day in the party: the file is written when it ends.
		if err := writable(transcriptPath); err != nil {
			return usageError(fs, io.Err, "--transcript %s: %v", transcriptPath, err)
		}
	}
	// A person who pasted the invite at `join -`'s question used the command rightly: a
	// link that does not work is no usage error, and "Run … --help for usage" misled.
	stdinFile, _ := io.In.(*os.File)
	pasted := len(pos) > 0 && pos[0] == "-" && inviteFile == "" && stdinFile != nil && inForeground(stdinFile)
	badInvite := func(format string, a ...any) int {
		if pasted {
			fmt.Fprintf(io.Err, "concordia join: %s\n", fmt.Sprintf(format, a...))
			return ExitUsage
		}
		return usageError(fs, io.Err, format, a...)
	}
	raw, in, err := readInvite(pos, inviteFile, io)
	if err != nil {
		return badInvite("%v", err)
	}
	io.In = in
	inv, err := invite.Parse(raw)
	if err != nil {
		if len(pos) > 0 && pos[0] != "-" && cutShort(raw) {
			// A link pasted on the command line ends at the first line break.
			return usageError(fs, io.Err, "%v; an invite a terminal cut into lines can be pasted whole after \"concordia join -\"", err)
		}
		return badInvite("%v", err)
	}
	log := newLogger(io, verbose)
	pr, sc := newTerminal(io)
	outGone := make(chan struct{}) // closed when plain output meets a closed pipe
	if sc == nil {
		pr.screen.w = &pipeWatch{w: pr.screen.w, gone: outGone}
	}
	defer pr.finish() // last: agent text held for its frame is printed, its line ended, whatever the way out
	if dataDir == "" {
		dataDir = defaultDataDir()
	}
	nameGiven := false
	lastNote := ""          // said with the first hello: the name taken from the last join
	var removed atomic.Bool // a host removed the member this terminal was, and it was said
	fs.Visit(func(f *flag.Flag) { nameGiven = nameGiven || f.Name == "name" })
	if !nameGiven && !newMember {
		// The name this terminal last joined this party under, not the user's: joined again
		// without --name, a member was someone new, its old self away (a window tester's,
		// whose window filled in the settings' name; a terminal did the same with the login).
		store := membership.Store{Dir: filepath.Join(dataDir, "joined")}
		if last := store.LastName(inv); last != "" && last != term.Name(name) {
			// Not while another terminal is that member: this one would be someone new,
			// named after it ("Cleo-2") rather than the login (a reviewer's).
			if release, free := store.Take(membership.Key(inv, last)); free {
				release()
				name = last
				// Said with the hello, not before the join: a member a host removed is told
				// that instead (a tester's read "joining as carl, the name …", then a refusal).
				lastNote = fmt.Sprintf("joining as %s, the name this terminal last joined this host with (--name NAME joins under another)", term.Line(last))
			}
		}
	}
	saved := newSeenLog(transcriptPath, dataDir, log.Info)
	defer saved.close() // where the file could not be unlinked (Windows), it is removed
	history := &joinHistory{}
	first := true
	var leaving atomic.Bool   // set before this terminal closes the connection itself
	var retrying retryNotices // OnStatus calls come one at a time
	// The member this terminal was the last time it joined with this invite and name, if
	// it was one: it comes back as that member.
	members, memberKey := membership.Store{Dir: filepath.Join(dataDir, "joined")}, membership.Key(inv, name)
	release, mine := members.Take(memberKey)
	defer release()
	if !mine {
		members = membership.Store{} // another terminal is that member now: this one is someone new
	}
	keeper := members.Keeper(inv, name) // the record, its role kept as it changes
	was := membership.Record{}
	if newMember {
		members.Forget(memberKey)
	} else {
		was = members.Find(inv, name)
	}
	byClientID := false // no record for this invite, but one of this name at this host under another
	var lent []membership.Lent
	if was.ClientID == "" && !newMember && members.Dir != "" {
		// No record for this invite (a host rotated it since): this data directory's own
		// client_id for the host and name brings it back as the member it was, and a
		// co-host's session kept under another invite brings back its role too (the
		// client_id alone cannot raise one: a tester's co-host came back "Alice-2").
		was = membership.Record{ClientID: members.ClientID(inv, name)}
		byClientID = members.Known(was.ClientID) // it was here before, through another invite
		lent = members.Lendable(inv, was.ClientID)
	}
	if was.ClientID != "" && members.Dir != "" {
		// Held while connected: another terminal with that client_id (the same name at the
		// same host, through another invite) is that member now, and this one is someone
		// new rather than the one replacing it (a reviewer's).
		releaseID, ok := members.Take("client-" + was.ClientID)
		defer releaseID()
		if !ok {
			was, lent = membership.Record{}, nil
		}
	}
	if was.ClientID == "" {
		was = membership.Record{ClientID: membership.NewClientID()}
	}
	// Said at once at a terminal, and again while no answer comes (to a pipe too): a join
	// to a stopped host printed nothing for ten seconds (a tester's).
	where := net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port))
	waiting := &connectWait{pr: pr, where: where}
	cfg := client.Config{
		Invite:      inv,
		Name:        name,
		Logger:      log,
		DialTimeout: joinDialTimeout,
		OnEvent: func(ev wire.Event) {
			saved.add(ev)
			keeper.Event(ev)
			if !history.take(ev) {
				pr.event(ev)
			}
		},
		OnEditors: pr.editors, // another host editing the held prompt
		OnHello: func(h wire.HelloResult) {
			waiting.stop() // (a long history follows the hello: it is no wait for an answer)
			saved.hello(h)
			pr.hello(h)
			if first {
				first = false
				if lastNote != "" && !removed.Load() {
					pr.notice("system", lastNote)
				}
				kept := keeper.Hello(was.ClientID, h)
				if kept != nil {
					log.Info("membership not kept", "err", kept)
				}
				pr.notice("party", fmt.Sprintf("joined %s's party as %s (%s: %s)", term.Line(h.Party.Host), term.Line(h.You.Name), people(len(h.State.Participants)), names(h.State.Participants, h.Party.Host)))
				pr.joinedSaid() // its joined event, live, is not said again
				if kept != nil {
					// Said, not only logged: a tester's full disk made every join after it
					// someone new, each leaving an away member behind, unexplained.
					pr.notice("system", "this terminal could not keep its membership in "+term.Line(members.Dir)+" ("+term.Line(membership.Cause(kept))+"): joining again later makes you someone new")
				}
				if was.Session != "" {
					pr.notice("system", fmt.Sprintf("you are back as the member this terminal was before (%s); --new-member joins as someone new", roleWords(h.You.Role)))
				}
				if asked := term.Name(name); asked != "" && h.You.Name != asked {
					// The host made the name unique: say so, or "bob-2" is a puzzle. A member
					// back keeps the name it had ("you are back …" then "you are called bob-2:
					// bob is taken" read as a contradiction: a tester's).
					switch {
					case was.Session != "":
						pr.notice("system", fmt.Sprintf("you are still called %s here, as before (%s was taken)", term.Line(h.You.Name), term.Line(asked)))
					case byClientID && len(lent) == 0 && h.You.Role != wire.RoleHost:
						// (A seat lent and refused is not this party's: nothing to say of it.)
						// A co-host back with a new participant invite is someone new: its
						// client_id never raises a role (PROTOCOL.md §4). A tester's co-host
						// read only "alice is taken", and the real alice stayed away.
						pr.notice("system", fmt.Sprintf("you are called %s here: %s is taken (if %s was this terminal as a co-host, only the invite it joined with then, or a host invite, brings that seat back: this one cannot raise a role)", term.Line(h.You.Name), term.Line(asked), term.Line(asked)))
					default:
						pr.notice("system", fmt.Sprintf("you are called %s here: %s is taken", term.Line(h.You.Name), term.Line(asked)))
					}
				}
				// "joined as" only for someone new: a member back was just told so (a
				// tester's read both "you are back" and "you joined as a co-host").
				joined := "you joined as"
				if was.Session != "" {
					joined = "as"
				}
				switch h.You.Role {
				case wire.RoleViewer:
					pr.notice("system", viewerJoinedWords(h, joined))
				case wire.RoleHost:
					pr.notice("system", joined+" a co-host: you decide tool requests (/allow, /deny) and merged prompts (/approve, /reject); /help lists the rest")
				}
				if h.Party.PermissionMode != "" { // a host from before v1.1 has none of this
					// What a prompt will meet: said now, not when the first one stalls.
					pr.notice("system", rulesWords(h.Party))
				}
				if h.Party.Merger == wire.MergerGemini && h.You.Role != wire.RoleViewer {
					// Where a prompt goes before the agent: a tester's joiners learnt it from
					// the first batch's "merged (gemini)", their text already at Google.
					pr.notice("system", "prompts that arrive together are merged by Gemini, with the host's API key: their text goes to the Gemini API before it reaches claude")
				}
				switch h.Party.Workspace { // what may be seen of the folder, and how (a tester found /changes only in /help)
				case wire.WorkspaceChanges, wire.WorkspaceTree:
					if h.Party.SharePending {
						// Not "sees every file that changes" yet: it may turn out too large
						// (a joiner was told it was shared, and then that it was not). The
						// party says how it went (party.WorkspaceReadyNotice, or an error).
						pr.notice("system", sharePendingWords)
						break
					}
					pr.notice("system", memberSharingWords(h.Party.Workspace))
				case wire.WorkspaceOff:
					// Said too, or /changes is the first a member hears of it (a tester's).
					switch {
					case h.Party.ShareError != "":
						// Not "sees every file that changes": it could not (a joiner was told so).
						pr.notice("system", "the party sees nothing of the working directory: it could not be shared in this run ("+h.Party.ShareError+")")
					case h.Party.CannotShare:
						pr.notice("system", "the party sees nothing of the working directory: this run was started with sharing off")
					default:
						pr.notice("system", "the party sees nothing of the working directory for now: a host may share it (/changes and /diff then show what changed)")
					}
				}
				if noHost := !slices.ContainsFunc(h.State.Participants, func(m wire.Member) bool { return m.Role == wire.RoleHost }); noHost {
					var waits []string
					if h.Party.Approval {
						// A tester's prompt waited, merged, with nothing said of why.
						waits = append(waits, "merged prompts wait for a host's approval")
					}
					if h.Party.PermissionMode != wire.PermissionAll {
						waits = append(waits, "tool requests that need a decision are denied when their time runs out")
					}
					if len(waits) > 0 {
						pr.notice("system", "no host is in the party right now: "+strings.Join(waits, ", and ")+", until one joins")
					}
				}
				if len(h.Party.Always) > 0 {
					pr.notice("system", alwaysWords(h.Party.Always, h.You.Role == wire.RoleHost))
				}
				pr.historyStart(len(h.State.Events))
				history.start(pr)
				return
			}
			pr.notice("system", "reconnected; catching up on what you missed")
			pr.catchUp(true) // until connected: the events it carries come first
			pr.aheadOfCatchUp(h.State.Events)
		},
		OnStatus: func(s client.Status) {
			switch {
			case leaving.Load() || ctx.Err() != nil:
				// Leaving on purpose (Ctrl-C, /quit): the closed connection is not news.
			case s.State == client.StatusReconnecting:
				pr.connection(false)
				log.Info("connection lost", "err", s.Err, "attempt", s.Attempt)
				if text, ok := retrying.say(s, time.Now()); ok {
					pr.notice("system", text)
				}
			case s.State == client.StatusConnected:
				retrying = retryNotices{}
				pr.catchUp(false)
				pr.connection(true)
				history.print(transcriptPath)
				pr.live()
				pr.reconnected()
			}
		},
	}
	// Someone new comes from the same client: a viewer the host removed is a viewer again
	// (the host remembers the client it removed; a window does the same).
	fresh := was.ClientID
	gone := false // the kept member was refused, and this terminal tried as someone new
	if sc != nil {
		pr.notice("system", "connecting to "+where+"…")
	}
	if hint := invite.CutShortHint(inv); hint != "" {
		// Said before connecting, as the window's join dialog says it (app InviteWarning):
		// a tester's join connected first, and the host counted a wrong token against this
		// address before a word was said. Still tried: another host's tokens may be of
		// another length (PROTOCOL.md §2).
		pr.notice("system", hint+" (trying it anyway: another host's tokens may be of another length)")
	}
	waiting.start(connectPatience)
	c, err := members.Join(ctx, memberKey, &was, lent, cfg, fresh, func(err error) {
		log.Info("the kept membership was refused", "err", err)
		var rm *client.RemovedError
		if errors.As(err, &rm) {
			// Said once, plainly, before the try as someone new (a tester's removed member
			// read only of a wrong invite, twice).
			removed.Store(true)
			wasName := was.Name
			if wasName == "" {
				wasName = name
			}
			pr.notice("system", keptRemovedWords(rm, wasName))
			return
		}
		gone = true
	})
	waiting.stop()
	if err != nil && ctx.Err() != nil {
		// Ctrl-C while connecting: stopped on purpose, which exits 0 (PROTOCOL.md §1); the
		// host was not found unreachable (a tester's read "cannot reach the host", exit 1).
		log.Info("join stopped while connecting", "err", err)
		pr.notice("system", "stopped connecting to "+where)
		return ExitOK
	}
	switch {
	case removed.Load() && err == nil:
		pr.notice("system", "you joined as someone new: this invite still lets people in")
	case removed.Load() && errors.Is(err, client.ErrRefused):
		err = fmt.Errorf("%w: %w", errRemovedThenRefused, err)
	case gone && err == nil:
		pr.notice("system", "the member this terminal was before is no longer in the party; you joined as someone new")
	case gone:
		// Not "joining as someone new" before the refusal of that too (a user tester's,
		// removed with new invites made).
		pr.notice("system", "the member this terminal was before is no longer in the party, and joining as someone new failed too")
	}
	if err != nil {
		log.Info("join failed", "err", err)
		if cerr := invite.CheckComplete(inv); cerr != nil && (errors.Is(err, client.ErrRefused) || errors.Is(err, client.ErrTLSHost)) {
			// Any token of 128 bits or more is valid (PROTOCOL.md §2), so a token unlike
			// ours is tried; refused, it was most likely cut short. Without the ?fp= a TLS
			// host needs, the cut in the token is said too: it is where the link was cut (a
			// tester's was told only of the ?fp=).
			err = fmt.Errorf("%w: %w", err, cerr)
		}
		// A join failure (1), a TLS host's answer to an invite without ?fp= too: the plain
		// form is valid (PROTOCOL.md §2), and a stale --insecure invite meets the same.
		io.fatal(pr, "join", joinError(err))
		return ExitError
	}
	defer func() { leaving.Store(true); c.Close() }()
	if transcriptPath != "" {
		defer func() {
			leaving.Store(true)
			c.Close() // no more events: the file has all this terminal saw
			at, err := saved.write(transcriptPath)
			if at != "" && at != transcriptPath {
				// Not lost with the file it could not write (a tester's full disk, found
				// only when leaving): kept where it could be.
				pr.notice("error", "cannot write the transcript to "+term.Line(transcriptPath)+"; written to "+term.Line(at)+" instead")
				code = ExitError
			}
			if errors.Is(err, errEventsLost) {
				pr.notice("error", "the transcript "+term.Line(at)+" was "+err.Error())
				code = ExitError
				return
			} else if err != nil {
				pr.notice("error", "cannot write the transcript: "+err.Error())
				code = ExitError
				return
			}
			if at == transcriptPath {
				pr.notice("system", "transcript written to "+transcriptPath)
			}
		}()
	}

	cmd := &commander{
		pr:       pr,
		prompt:   c.Prompt,
		withdraw: c.Withdraw,
		ctl:      c,
		ws:       c,
		describe: describe,
		editor:   sc != nil,
		retry:    c.RetryNow,
	}
	quit := make(chan struct{})
	// The prompt loop stops before this returns, so the line editor gives the terminal
	// back (and draws what it holds) before the last notices are printed.
	rctx, stopREPLCause := context.WithCancelCause(ctx)
	stopREPL := func() { stopREPLCause(nil) }
	replDone, baseDone := make(chan struct{}), make(chan struct{})
	go cmd.followBase(rctx, baseDone)
	defer func() {
		stopREPL() // also ends a /shell command
		if sc != nil {
			<-replDone
		}
		cmd.shell.wait()
		cmd.lookups.wait()
		<-baseDone
	}()
	go func() {
		defer close(replDone)
		if repl(rctx, io.In, sc, pr, cmd.line) {
			leaving.Store(true)
			close(quit)
		}
	}()
	endREPL := func(cause error) {
		stopREPLCause(cause)
		if sc != nil {
			<-replDone
			return
		}
		// A script's prompt waiting its turn, and the lines still in the pipe, are said
		// not sent before this returns (repl): a tester's were cut off, or never said.
		select {
		case <-replDone:
		case <-time.After(scriptEndWait):
		}
	}
	left := func() {
		// Said, so that leaving is not simply the shell's prompt back (a tester's), with
		// how to come back.
		pr.notice("system", "you left the party; the same command (this invite and name) brings you back as yourself")
	}
	select {
	case <-ctx.Done():
		// Ctrl-C in line mode (a signal there), SIGTERM: leaving, as /quit does, with the
		// same words; a tester's line-mode join printed only "^C", or nothing.
		leaving.Store(true)
		endREPL(nil) // this terminal leaves: what waits is said left behind
		if what, _ := cmd.leftBehind(); what != "" {
			pr.notice("system", what)
		}
		left()
		return ExitOK
	case <-quit:
		left()
		return ExitOK
	case <-outGone:
		// `concordia join … | head`: nothing this terminal prints can be read any more, and
		// staying would keep a member in the party that nobody follows.
		leaving.Store(true)
		log.Info("output closed; leaving")
		return ExitError
	case <-c.Done():
		err := c.Err()
		if errors.Is(err, client.ErrEnded) {
			endREPL(errPartyOver)
		} else {
			endREPL(nil)
		}
		switch {
		case errors.Is(err, client.ErrEnded):
			keeper.Ended() // the host's next party is not this one (membership.LastName)
			// The host's last event says why, in its words ("the host's terminal was
			// closed …"): said again here only when none came.
			if !pr.endSaid() {
				pr.notice("system", host.EndedByHost)
			}
			return ExitOK
		case errors.Is(err, client.ErrClosed):
			return ExitOK
		case errors.Is(err, client.ErrKicked):
			// Kept: a join later says so again, before the host says by whom.
			keeper.Removed()
			if !pr.removalSaid() {
				// (The host's notice said who and why, and what went with it.)
				pr.notice("error", "a host removed you from the party")
			}
			return ExitError
		}
		log.Info("disconnected", "err", err)
		io.fatal(pr, "join", "disconnected from the party: "+disconnectWords(err))
		return ExitError
	}
}

// memberSharingWords is what a member's terminal says of a working directory the party
// shares at level (changes or tree), with the commands that show it.
func memberSharingWords(level string) string {
	more := "/changes lists the files changed, /diff PATH shows one"
	if level == wire.WorkspaceTree {
		more += ", /tree lists the folder"
	}
	return sharingWords(level, false, false) + ": " + more
}

// errPartyOver ends the prompt loop of a terminal whose party ended: what waited in it is
// said not sent because the party ended, not because this terminal left.
var errPartyOver = errors.New("the party ended")

// scriptEndWait bounds how long a script's terminal, its party ended, waits for its prompt
// loop to say what was not sent.
const scriptEndWait = 2 * time.Second

// joinDialTimeout bounds a connection's dial and hello (0: the client's default, 10 s); a
// variable for the tests.
var joinDialTimeout time.Duration

// connectPatience is how long a join's first connection waits for an answer before it
// says it is still waiting (a variable for the tests).
var connectPatience = 3 * time.Second

// connectWait says once, when a join's first connection has had no answer for a while,
// that it is still waiting. stop ends it, and returns after anything it says.
type connectWait struct {
	pr    *printer
	where string

	once       sync.Once
	quit, done chan struct{}
}

func (w *connectWait) start(after time.Duration) {
	w.quit, w.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(w.done)
		t := time.NewTimer(after)
		defer t.Stop()
		select {
		case <-t.C:
			w.pr.notice("system", "still connecting to "+w.where+": no answer from the host yet (Ctrl-C stops)")
		case <-w.quit:
		}
	}()
}

// stop may be called more than once.
func (w *connectWait) stop() {
	w.once.Do(func() {
		if w.quit != nil {
			close(w.quit)
			<-w.done
		}
	})
}

// pipeWatch passes writes on and closes gone the first time one meets a closed pipe
// (EPIPE: SIGPIPE is caught, see package main). It is found at the next write: a quiet
// party is left when it next says something.
type pipeWatch struct {
	w    stdio.Writer
	once sync.Once
	gone chan struct{}
}

func (p *pipeWatch) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if brokenPipe(err) {
		p.once.Do(func() { close(p.gone) })
	}
	return n, err
}

// names lists the members with their roles, as /who says them: the owner (named host) is
// the host, any other host a co-host (a tester's join said "op (host)" where /who said
// "op (co-host)").
func names(ms []wire.Member, owner string) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = term.Line(m.Name)
		switch {
		case m.Role == wire.RoleHost && owner != "" && m.Name != owner:
			out[i] += " (co-host)"
		case m.Role != wire.RoleParticipant:
			out[i] += " (" + m.Role + ")"
		}
	}
	return strings.Join(out, ", ")
}

// seenLog keeps the events a joined terminal saw, for --transcript, in an
// eventfile.Log: a terminal in a day-long party does not hold them all in memory. Without
// --transcript (keep false) it keeps none: every terminal held every event for nothing.
// OnEvent and OnHello run on the client's delivery goroutine and write runs after Close:
// mu guards it all.
type seenLog struct {
	mu   sync.Mutex
	keep bool
	log  eventfile.Log
	meta transcript.Meta
}

// joinHistoryPattern names a joined terminal's history files in its data directory.
const joinHistoryPattern = ".join-history-*.jsonl"

// newSeenLog is the log for --transcript's file transcriptPath ("": none), its events
// kept in dir (the data directory).
func newSeenLog(transcriptPath, dir string, logf func(msg string, args ...any)) *seenLog {
	if transcriptPath == "" {
		return &seenLog{}
	}
	return &seenLog{keep: true, log: eventfile.New(dir, joinHistoryPattern, logf)}
}

func (s *seenLog) hello(h wire.HelloResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.meta.Host, s.meta.Party, s.meta.Viewer = h.Party.Host, h.Party.ID, h.You.Name
}

func (s *seenLog) add(ev wire.Event) {
	if !s.keep {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.Add(ev)
}

// errEventsLost: the transcript was written, but without events the log could not keep
// or read back (its file failed): those are missing from it, wherever they were.
var errEventsLost = errors.New("written without some of the party's events")

// close lets the log's file go, if write has not (a join that failed).
func (s *seenLog) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.Close()
}

// write writes the transcript to path and lets the log go.
//
// When path cannot be written (a full disk, a folder gone read-only since the start), the
// transcript is written to a file of the temporary folder, then of the home folder, instead:
// it returns the path written, "" when none was.
func (s *seenLog) write(path string) (string, error) {
	s.mu.Lock()
	meta := s.meta
	read := s.log.Snapshot()
	s.log.Close()
	s.mu.Unlock()
	meta.Saved = time.Now()
	evs, lost := read()
	var b strings.Builder
	if err := transcript.Markdown(&b, meta, evs); err != nil {
		return "", err
	}
	at, err := path, writeWhole(path, []byte(b.String()))
	if err != nil && !special(path) {
		name := "concordia-transcript-" + meta.Saved.Format("20060102-150405") + ".md"
		home, _ := os.UserHomeDir()
		for _, dir := range []string{os.TempDir(), home} {
			if dir == "" {
				continue
			}
			if f, ferr := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); ferr == nil {
				_, werr := f.WriteString(b.String())
				if cerr := f.Close(); werr == nil && cerr == nil {
					at, err = f.Name(), nil
					break
				}
				_ = os.Remove(f.Name())
			}
		}
	}
	if err != nil {
		return "", err
	}
	if lost != nil {
		return at, fmt.Errorf("%w: %w", errEventsLost, lost)
	}
	return at, nil
}

// retryNotices decides which reconnect attempts a terminal reports: every one while the
// waits grow (the first few seconds, when someone is watching), then one a minute — a host
// down for an hour is not 240 lines. The status line shows the state all along.
type retryNotices struct{ last time.Time }

// retryQuietAfter is the last attempt always reported; retryNoticeEvery the pace after it.
const (
	retryQuietAfter  = 4
	retryNoticeEvery = time.Minute
)

func (r *retryNotices) say(s client.Status, now time.Time) (string, bool) {
	if s.Attempt > retryQuietAfter && now.Sub(r.last) < retryNoticeEvery {
		return "", false
	}
	r.last = now
	switch {
	case s.Attempt > retryQuietAfter:
		// A host resumed on another port is never found at the old one: said once the
		// waits are long (a tester's terminal retried for good, not told why).
		return fmt.Sprintf("still trying to reach the host: attempt %d, the next in %s (/retry tries now; a host started again at another address gives out new invites: /quit, then join with one)", s.Attempt, fmtDuration(s.RetryIn)), true
	case s.Attempt > 1: // the connection was lost once, not at every attempt (a tester)
		return fmt.Sprintf("still cannot reach the host; trying again in %s (attempt %d; /retry tries now)", fmtDuration(s.RetryIn), s.Attempt), true
	}
	return fmt.Sprintf("lost the connection to the host; trying again in %s (attempt %d; /retry tries now)", fmtDuration(s.RetryIn), s.Attempt), true
}

// joinHistory takes the history a joining terminal catches up on (the hello's, and the
// pages after it), to print its last turns once the terminal is live (replayRecent): a
// tester's join printed 7 MB of history, more than a terminal's scrollback. It holds only
// what those turns may need (recentReplay): a join held the whole history, 191 MB at its
// peak for a 64 MB party.
type joinHistory struct {
	mu sync.Mutex
	r  *recentReplay // nil when no history is being taken
}

// start takes the events that follow as history, into pr, until print.
func (h *joinHistory) start(pr *printer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.r = newRecentReplay(pr)
}

// take takes ev as history when the history is being taken, and says whether it did.
func (h *joinHistory) take(ev wire.Event) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.r != nil {
		h.r.add(ev)
	}
	return h.r != nil
}

// print prints the history taken, its last turns, once; events that come meanwhile wait
// for it, so that they follow it. transcriptPath is --transcript's file ("" when none).
func (h *joinHistory) print(transcriptPath string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.r == nil {
		return
	}
	whole := "the whole party is what a host's `concordia export` writes, and what `concordia join --transcript FILE` writes when that terminal leaves"
	if transcriptPath != "" {
		whole = "the transcript this terminal writes when it leaves (" + term.Line(transcriptPath) + ") has them all"
	}
	h.r.print(whole)
	h.r = nil
	releaseHistory()
}

// nameWords is a refused --name as its refusal quotes it: not at all when it holds what
// looks like a key (a user tester's whole key was written back to the terminal).
func nameWords(name string) string {
	if credential.HoldsToken(name) {
		return "(not shown)"
	}
	return fmt.Sprintf("%q", name)
}

// viewerJoinedWords says that this terminal joined (joined: "you joined as", or "as" after
// "you are back …") as a viewer, and why when the participant invite it joined with made it
// one (the hello's viewer_kept): a tester's viewer, removed and back with new participant
// invites, read only "you joined as a viewer", and could not tell why.
func viewerJoinedWords(h wire.HelloResult, joined string) string {
	const what = "you watch the party and cannot send prompts (a host can make you a participant)"
	switch h.ViewerKept {
	case wire.ViewerReturned:
		return fmt.Sprintf("you came back as %s, who was a viewer: a member back keeps its role, whatever the invite; %s", term.Line(h.You.Name), what)
	case wire.ViewerRemoved:
		return "you joined as a viewer, not as a participant: this terminal was a viewer when a host removed it from the party, and joining again from it keeps that; " + what
	}
	return joined + " a viewer: " + what
}
