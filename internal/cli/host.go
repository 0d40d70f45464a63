package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/atomicfile"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// maxWindow is the longest batching window, as the window's Settings allow, and how
// --window's refusal says it.
const (
	maxWindow      = settings.MaxWindowMS * time.Millisecond
	maxWindowWords = "10m"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// hostFlags are `concordia host`'s flags (PROTOCOL.md §1).
type hostFlags struct {
	listen, publicHost, name, mergeMode, claude, workdir, dataDir, geminiModel string
	window, permissionTimeout, turnTimeout                                     time.Duration
	minPrompts, maxParticipants                                                int
	claudeArgs                                                                 stringList
	noLocalREPL, insecure, verbose, approve, keepJobs, withoutUnanswered       bool
	permissionMode, shareWorkspace                                             string
	hostInviteFile                                                             string
}

func runHost(ctx context.Context, args []string, io IO) int {
	defer discardTypedAhead(io.In)
	var f hostFlags
	rotated := newLatest[wire.Invites]()
	fs := newFlagSet("host", "concordia host [flags]", `
Create a party, print its invite code, and run it in this terminal. Everyone who joins
can type prompts; prompts that arrive within the batching window are merged into one
and sent to a single Claude Code process, whose work streams to everyone.

Unless --no-local-repl is given, this terminal takes part too: type a prompt and press
Enter; /quit or /exit ends the party; /shell CMD runs CMD on this machine only; /help
lists the host's commands (/allow, /deny, /always for tool requests, /revoke TOOL to take
an /always back; /permissions to change what the agent may do unasked; /approve, /reject
and /approval on|off for merged prompts; /withdraw NAME to take back someone's waiting
prompt; /send to send what waits without waiting for more (--min-prompts); /stop; /role,
/kick, /rotate, /invite, /who; /share; /agent /COMMAND; /changes, /diff PATH and /tree
for the working directory). Ctrl-C ends the party cleanly (the agent is stopped first);
on an empty line of the line editor it is said back once and taken the second time
within 10 s.

The party sees the files changed in the working directory since it began, and their
diffs — yours by hand as much as the agent's — but never .env and other files that
usually hold secrets (--share-workspace changes); --share-workspace off shows nothing,
tree the whole folder.

Claude Code asks before using tools (--permission-mode ask; /permissions changes it while
the party runs): each request is shown to everyone and a host allows or denies it;
undecided requests are denied after --permission-timeout.

Two invites are printed: one to take part, one to watch. With --no-local-repl a third,
the host invite, joins as a host: through it the operator of a host with no terminal of
its own decides tool requests and approves merged prompts, as a co-host. What only the
party's owner may do (allow everything, allow a tool for good, share the whole folder)
nobody can in such a party: this command line's --permission-mode and --share-workspace
decide it.`, io.Out, io.Err)
	fs.StringVar(&f.listen, "listen", ":8765", "listen `address`; \"127.0.0.1:0\" = loopback on a free port")
	fs.StringVar(&f.publicHost, "public-host", "", "`host` name or IP written into the invite (default: this machine's LAN address, or the listen IP when it names one)")
	fs.StringVar(&f.name, "name", defaultName(io.Getenv), "your display `name` in the party")
	fs.DurationVar(&f.window, "window", 3*time.Second, "batching window: a batch is sent this long after the last prompt (at most 3× after the oldest); at most 10m")
	fs.IntVar(&f.minPrompts, "min-prompts", 1, "hold batches until at least `N` prompts are pending (1 to 100)")
	fs.StringVar(&f.mergeMode, "merge", "auto", "prompt `merger`: auto (Gemini when a key is available), gemini, or local")
	fs.StringVar(&f.geminiModel, "gemini-model", merge.DefaultGeminiModel, "Gemini `model` used for merging")
	fs.StringVar(&f.claude, "claude", "claude", "Claude Code executable (`path` or name on PATH)")
	fs.Var(&f.claudeArgs, "claude-arg", "extra `argument` for Claude Code, e.g. --claude-arg=--model --claude-arg=opus (repeatable)")
	fs.StringVar(&f.workdir, "workdir", "", "the agent's working `directory` (default: the current directory)")
	fs.StringVar(&f.dataDir, "data-dir", "", "`directory` where the party journals (what --resume and concordia export read), the TLS identity and the workspace records live (default: "+defaultDataDir()+")")
	fs.BoolVar(&f.noLocalREPL, "no-local-repl", false, "don't read prompts from this terminal (the host does not take part; a host invite is printed so that someone can decide for it)")
	fs.StringVar(&f.hostInviteFile, "host-invite-file", "", "with --no-local-repl: write the host invite to this `file` (mode 0600; rewritten when the invites change) instead of printing it, so that it stays out of logs of this terminal's output")
	fs.BoolVar(&f.keepJobs, "keep-agent-jobs", false, "leave running what the agent's tools started in the background (a dev server) when the party ends; by default it is stopped (Linux)")
	fs.BoolVar(&f.insecure, "insecure", false, "plain ws:// without TLS; only with a loopback --listen (tests)")
	fs.BoolVar(&f.verbose, "verbose", false, "log diagnostics to stderr")
	fs.BoolVar(&f.approve, "approve", false, "approval mode: every merged prompt waits for a host to send, edit or reject it")
	fs.StringVar(&f.permissionMode, "permission-mode", wire.PermissionAsk, "the tool permission `mode`, what the agent may do without asking: ask (every tool use that needs permission asks a host), edits (edits of files in the working directory allowed, except .env files, keys and other credentials; the rest asks), plan (read-only planning), all (everything, never asks)")
	fs.DurationVar(&f.permissionTimeout, "permission-timeout", 2*time.Minute, "an undecided tool request is denied after this `duration`")
	fs.DurationVar(&f.turnTimeout, "turn-timeout", 15*time.Minute, "stop a turn that is silent this long, not counting waits for a decision (0 = never)")
	fs.IntVar(&f.maxParticipants, "max-participants", 100, "`N` members at once, hosts aside (the host invite always gets in); more are refused (-32005)")
	fs.StringVar(&f.shareWorkspace, "share-workspace", wire.WorkspaceChanges, "the sharing `level`, what the party sees of the working directory: off, changes (every file changed in it since the party began, by the agent or by hand, and their diffs; .env and other secrets left out), or tree (the whole folder, secrets included; ignored files never)")
	var rf resumeFlag
	fs.Var(&rf, "resume", "bring back a party from its journal in --data-dir: `[PARTY_ID]` (default: the latest), with its id, invites, history and the agent's session; flags given now override its settings, except --workdir and --insecure (and --name: you come back as the member you were, with its name). Prompts the agent never had are queued again, and a turn cut short when the host stopped runs again (concordia parties lists them), unless --without-unanswered")
	fs.BoolVar(&f.withoutUnanswered, "without-unanswered", false, "with --resume: do not take up what the party left unanswered: its waiting prompts are withdrawn and a turn the host stopped during is not run again (both said to the party, so that their authors can send again what is still wanted)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	nameGiven := false
	fs.Visit(func(fl *flag.Flag) { nameGiven = nameGiven || fl.Name == "name" })
	pos, resume, code := resumeSettings(fs, &f, &rf, pos, io)
	if code >= 0 {
		return code
	}
	started := false
	defer func() {
		if resume != nil && !started {
			resume.Close()
		}
	}()
	switch {
	case len(pos) > 0:
		return usageError(fs, io.Err, "unexpected argument %q", pos[0])
	case f.window <= 0:
		return usageError(fs, io.Err, "--window must be positive, got %s", f.window)
	case f.window > maxWindow:
		// As Settings' (a terminal tester's --window 100h was taken: a lone prompt would
		// have waited up to 300 hours for /send).
		return usageError(fs, io.Err, "--window must be at most %s, got %s", maxWindowWords, f.window)
	case f.minPrompts < 1 || f.minPrompts > settings.MaxMinPrompts:
		// At most the window's limit, well under the 200 prompts a party holds waiting (a
		// conformance tester's 1000 could never be reached without /send).
		return usageError(fs, io.Err, "--min-prompts must be from 1 to %d, got %d", settings.MaxMinPrompts, f.minPrompts)
	case f.mergeMode != "auto" && f.mergeMode != "gemini" && f.mergeMode != "local":
		return usageError(fs, io.Err, "--merge must be auto, gemini or local, got %q", f.mergeMode)
	case strings.TrimSpace(f.name) == "":
		return usageError(fs, io.Err, "--name must not be empty")
	case nameProblem(f.name) != "":
		return usageError(fs, io.Err, "--name %s: %s", nameWords(f.name), nameProblem(f.name))
	case !validMode(f.permissionMode):
		return usageError(fs, io.Err, "--permission-mode must be ask, edits, plan or all, got %q", f.permissionMode)
	case f.permissionTimeout <= 0:
		return usageError(fs, io.Err, "--permission-timeout must be positive, got %s", f.permissionTimeout)
	case f.turnTimeout < 0:
		return usageError(fs, io.Err, "--turn-timeout must be 0 (never) or positive, got %s", f.turnTimeout)
	case strings.TrimSpace(f.geminiModel) == "":
		return usageError(fs, io.Err, "--gemini-model must name a model (the default is %s)", merge.DefaultGeminiModel)
	case f.maxParticipants < 1:
		return usageError(fs, io.Err, "--max-participants must be at least 1, got %d", f.maxParticipants)
	case f.shareWorkspace != wire.WorkspaceOff && f.shareWorkspace != wire.WorkspaceChanges && f.shareWorkspace != wire.WorkspaceTree:
		return usageError(fs, io.Err, "--share-workspace must be off, changes or tree, got %q", f.shareWorkspace)
	case f.hostInviteFile != "" && !f.noLocalREPL:
		return usageError(fs, io.Err, "--host-invite-file goes with --no-local-repl: a host that takes part from its terminal has no host invite (it makes co-hosts with /role)")
	}
	if f.hostInviteFile != "" {
		if err := inviteFileUsable(f.hostInviteFile); err != nil {
			return usageError(fs, io.Err, "--host-invite-file %s: %v", f.hostInviteFile, err)
		}
	}
	if f.listen == "" {
		f.listen = settings.DefaultListen // as the window's empty field
	}
	if p := listenProblem(f.listen); p != "" {
		return usageError(fs, io.Err, "%s", p)
	}
	if f.publicHost != "" && invite.CheckHost(f.publicHost) != nil {
		// Said with the other flags' mistakes (exit 2), not as a party that could not
		// start over an "invalid invite" nobody gave (a tester's).
		return usageError(fs, io.Err, "--public-host %q: give a host name or an IP address, without a scheme, port or brackets", f.publicHost)
	}
	if f.insecure {
		if err := host.CheckInsecureListen(f.listen); err != nil {
			return usageError(fs, io.Err, "%v", err)
		}
	}
	if f.dataDir == "" {
		f.dataDir = defaultDataDir()
	}
	if f.workdir == "" {
		f.workdir, _ = os.Getwd()
	}
	if st, err := os.Stat(f.workdir); err != nil || !st.IsDir() {
		return usageError(fs, io.Err, "--workdir %q is not a directory", f.workdir)
	}
	log := newLogger(io, f.verbose)
	pr, sc := newTerminal(io)
	pr.ownParty = true
	defer pr.finish() // last: agent text held for its frame is printed, its line ended, whatever the way out

	merger, notes, err := host.SelectMerger(ctx, host.MergerOptions{
		Mode: f.mergeMode, Model: f.geminiModel, Getenv: io.Getenv, Logger: log,
		Store: secrets.New(secrets.Options{Getenv: io.Getenv, Logger: log}),
	})
	if err != nil {
		for _, n := range notes {
			pr.notice("system", host.OwnKeyNotice(n))
		}
		io.fatal(pr, "host", err.Error())
		return ExitError
	}
	if fb, ok := merger.(*merge.Fallback); ok {
		pr.keyHint = fb.KeyHint() // this terminal is the host: where it replaces a refused key
	}
	if _, err := exec.LookPath(f.claude); err != nil {
		// Said as every error that ends the host is (IO.fatal): a tester's terminal read
		// "concordia host: Claude Code was not found…" here and "[error] cannot start the
		// party: …" for a port in use. (After the merger's: --merge gemini without a key
		// says so first, as it did. host.Start checks it too, for the window.)
		io.fatal(pr, "host", notInstalled(fmt.Errorf("%w (looked for %q: %w)", agent.ErrNotInstalled, f.claude, err)))
		return ExitError
	}
	// What is said of the merger and the resume follows the invites: `invite code: ` starts
	// the first line, where scripts find it (PROTOCOL.md §1; a conformance tester's `head -1`
	// read "[system] merging locally").
	// The note that the merger is set to local is what the "party created; merging locally,
	// …" line says: a tester's host read it twice at every start. (By its text: any other
	// note is still said.)
	later := slices.DeleteFunc(slices.Clone(notes), func(n string) bool { return n == host.NoticeMergeLocal })
	full := &fullNotices{say: func(text string) { pr.notice("party", text) }}
	defer full.stop()
	h, err := host.Start(ctx, host.Config{
		Listen:     f.listen,
		PublicHost: f.publicHost,
		Name:       f.name,
		Window:     f.window,
		MinPrompts: f.minPrompts,
		Merger:     merger,
		Agent:      agent.Config{Path: f.claude, Args: f.claudeArgs, WorkDir: f.workdir, Logger: log},
		DataDir:    f.dataDir,
		Insecure:   f.insecure,
		Logger:     log,

		Approve:           f.approve,
		PermissionMode:    f.permissionMode,
		PermissionTimeout: f.permissionTimeout,
		TurnTimeout:       f.turnTimeout,
		ShareWorkspace:    f.shareWorkspace,
		// With no member of its own the party needs another way to a host.
		HostInvite:    f.noLocalREPL,
		KeepAgentJobs: f.keepJobs,
		OnInvites: func(inv wire.Invites) {
			// Every rotation's invites are printed here, in the order made, so that the
			// last "invite code:" line is the one that works (PROTOCOL.md §1): a tester's
			// owner was only told "/invite shows the new invites" after a co-host's, and a
			// flag for the owner's own /rotate could drop a co-host's made meanwhile (a
			// reviewer's).
			rotated.put(inv)
		},
		Party:       party.Config{MaxParticipants: f.maxParticipants, OnFull: full.refused},
		Resume:      resume,
		MergeMode:   f.mergeMode,
		GeminiModel: f.geminiModel,
	})
	if err != nil {
		if s := listenNotHere(err, f.listen, "the --listen"); s != "" && flagGiven(fs, "listen") {
			return usageError(fs, io.Err, "%s", s) // the flag's mistake, found only now (PROTOCOL.md §1: 2)
		}
		io.fatal(pr, "host", hostError(err, f.listen, resume != nil))
		return ExitError
	}
	started = true
	// Invites a co-host rotated are printed off the party's loop: this terminal may be
	// stalled (Ctrl-S, a dead ssh session), and the party must not wait for it.
	stopRotated := make(chan struct{})
	defer close(stopRotated)
	hostInv := &hostInviteOut{file: f.hostInviteFile, current: func() string { return h.Invites().HostInvite }}
	// Written before anything is printed: a party whose host invite cannot be kept where
	// it was asked for does not start handing out invites.
	if err := hostInv.write(); err != nil {
		io.fatal(pr, "host", "cannot write the host invite: "+describe(err))
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		_ = h.Shutdown(sctx)
		return ExitError
	}
	go rotated.print(stopRotated, func(inv wire.Invites) {
		if err := hostInv.write(); err != nil {
			pr.notice("error", "cannot write the new host invite: "+describe(err)+"; the one in the file no longer works (a co-host's /rotate makes new invites and tries again)")
		}
		pr.invites(hostInv.strip(inv), "new invites (the old links let nobody new in; members away can still come back: /kick NAME keeps one out):", hostInv.where())
	})
	if resume != nil {
		invites := "the invites are the ones it had last"
		if s := resume.Summary.Settings; h.Invite().Port != s.Port || h.Invite().Host != s.PublicHost {
			invites = fmt.Sprintf("it moved from %s to %s, so the invites changed: share the new ones above", net.JoinHostPort(s.PublicHost, strconv.Itoa(s.Port)), net.JoinHostPort(h.Invite().Host, strconv.Itoa(h.Invite().Port)))
		}
		switch hinv, ok := h.HostInvite(); {
		case ok && hinv.Token != resume.Summary.HostToken:
			invites += "; the host invite is new (the party had none, or dropped it when resumed with a terminal)"
		case !ok && resume.Summary.HostToken != "":
			invites += "; its host invite no longer works: you take part from this terminal"
		}
		later = append(later, fmt.Sprintf("resumed party %s (%d events so far); %s", h.Party().ID(), resume.Summary.LastSeq, invites))
		if was := h.Party().Info().Host; nameGiven && !f.noLocalREPL && was != "" && !strings.EqualFold(was, term.Name(f.name)) {
			later = append(later, fmt.Sprintf("--name %s is not used: you come back as %s, the member you were (a resumed party keeps its host's name)", term.Line(f.name), term.Line(was)))
		}
	}
	// This terminal's member joins before the invites are printed: a joiner quick off the
	// mark (a script reading the invite line) came in first, and read "1 in the party" and
	// "no host is in the party right now" (a CI run's). Its events wait in its view.
	var own *party.Local
	var ownHello wire.HelloResult
	if !f.noLocalREPL {
		own, ownHello, err = h.Party().JoinLocalPaged(f.name, wire.RoleHost)
		if err != nil {
			io.fatal(pr, "host", describe(err))
			return ExitError
		}
	}
	// Through the screen when there is one: in the background of a terminal that stops
	// background writers, a write of its own stopped the host (a reviewer's).
	var out interface{ Write([]byte) (int, error) } = io.Out
	if sc != nil {
		out = sc
	}
	fmt.Fprintf(out, "invite code: %s\n", h.Invite())
	fmt.Fprintf(out, "viewer invite: %s\n", h.ViewerInvite())
	if hinv, ok := h.HostInvite(); ok && hostInv.file == "" {
		fmt.Fprintf(out, "host invite: %s\n", hinv)
	}
	for _, n := range later {
		pr.notice("system", host.OwnKeyNotice(n)) // this terminal is the host: "you have no Gemini key"
	}
	made := "party created"
	if resume != nil {
		made = "party resumed"
	}
	batches := "window " + fmtDuration(f.window)
	if f.minPrompts > 1 {
		batches += fmt.Sprintf(", at least %d prompts a batch", f.minPrompts)
	}
	pr.notice("system", fmt.Sprintf("%s; %s, %s; share the invite code above (the viewer invite lets people watch without prompting)", made, wire.MergingHow(merger.Name()), batches))
	approval := approvalWords(f.approve, !f.noLocalREPL)
	// And how long a request waits, the party's own (a resumed one keeps its journal's), as
	// a joiner is told (a user tester's host was not).
	wait := time.Duration(h.Party().Info().PermissionTimeoutMS) * time.Millisecond
	pr.notice("system", fmt.Sprintf("tool permissions: %s%s; approval %s", modeWords(f.permissionMode), timeoutWords(wait, f.permissionMode), approval))
	// A large folder's first snapshot takes seconds: the party is said to see its changes
	// only once it does (a tester's host was told so, then that it could not be shared).
	wsDone := h.WorkspaceDone()
	// What is said of it later ends with this function.
	wsCtx, stopWS := context.WithCancel(ctx)
	var wsSaying sync.WaitGroup
	defer wsSaying.Wait()
	defer stopWS()
	// sayShared says what the party shares of it, once it is known to share it.
	sayShared := func() {
		switch level := h.Party().WorkspaceLevel(); {
		case level != wire.WorkspaceTree:
			pr.notice("system", sharingWords(level, !f.noLocalREPL, true))
		case !f.noLocalREPL:
			// A party that shares the whole folder tells everyone itself, as it starts
			// (party.TreeNotice) or resumes (its notice); this terminal is told how to take
			// it back.
			pr.notice("system", "/share changes narrows what the party sees of the working directory")
		}
	}
	taken := wsDone == nil
	if !taken {
		select {
		case <-wsDone:
			taken = true
		default:
		}
	}
	switch {
	case !taken:
		// Said off this goroutine: the prompt loop and the party's events start now, not
		// after a snapshot (a member's join, and a /role typed after it, must not wait).
		wsSaying.Go(func() {
			select {
			case <-wsDone:
			case <-time.After(sharePatience):
				pr.notice("system", sharePendingWords)
				select {
				case <-wsDone:
				case <-wsCtx.Done():
					return
				}
			case <-wsCtx.Done():
				return
			}
			if h.Party().CanShareWorkspace() {
				sayShared()
				return
			}
			// The party's error says why; this terminal, what its host can do, after it.
			sayShareFix(wsCtx, pr, h)
		})
	case wsDone != nil && !h.Party().CanShareWorkspace():
		wsSaying.Go(func() { sayShareFix(wsCtx, pr, h) })
	case !h.Party().CanShareWorkspace():
		// Not "/share changes shares …": it cannot (a tester's /share was refused after it).
		pr.notice("system", ownerCannotShareWords)
	default:
		sayShared()
	}
	if always := h.Party().Info().Always; len(always) > 0 { // kept by a resume
		pr.notice("system", alwaysWords(always, !f.noLocalREPL))
	}
	if f.insecure {
		pr.notice("system", "--insecure: traffic is not encrypted; use it on loopback only")
	}
	if w := host.UnreachableInvite(f.listen, h.Invite().Host); w != "" {
		pr.notice("system", w)
	}

	quit := make(chan struct{})
	var view *party.Local
	if f.noLocalREPL {
		needs := []string{}
		if f.permissionMode != wire.PermissionAll {
			needs = append(needs, fmt.Sprintf("answer tool requests (undecided ones are denied after %s)", fmtDuration(f.permissionTimeout)))
		}
		if f.approve {
			needs = append(needs, "approve merged prompts (they wait until a host does)")
		}
		if len(needs) > 0 {
			pr.notice("system", "this terminal only watches: join with the host invite "+hostInv.place()+" (concordia join, or the app) to "+strings.Join(needs, " and ")+"; whoever joins with it is a host")
		} else {
			pr.notice("system", "this terminal only watches; whoever joins with the host invite "+hostInv.place()+" is a host (co-host)")
		}
		v, st, err := h.Party().WatchPaged()
		if err != nil {
			io.fatal(pr, "host", describe(err))
			return ExitError
		}
		view = v
		pr.watchOnly()
		// Nobody's hello here: the party's settings as they are, so that settings events
		// print what they change.
		pr.hello(wire.HelloResult{Party: h.Party().Info(), State: st})
		bctx, stopBase := context.WithCancel(ctx)
		baseDone := make(chan struct{})
		go followBase(bctx, pr, h.Party().Changes, baseDone)
		defer func() { stopBase(); <-baseDone }()
		now, err := printHistory(h.Party(), st, pr, resume, f.dataDir, nil)
		if err != nil {
			io.fatal(pr, "host", describe(err))
			return ExitError
		}
		if resume != nil {
			st.Events = nil
			releaseHistory()
			pr.liveThen(now)
			// The history pushed the invites out of sight (a tester's were 400 lines up),
			// past the scrollback when it is long, and this terminal has no /invite: they
			// are printed again here, and kept at the top too, where PROTOCOL.md §1 puts
			// the invite line for scripts. A pointer "at the top" (a day's change) was all
			// a watching host had, and untrue of a host invite kept in --host-invite-file:
			// where() says where that one is. A host with a terminal has /invite, and is
			// pointed at it instead.
			pr.invites(hostInv.strip(h.Invites()), "the invites:", hostInv.where())
		}
		if f, ok := io.In.(*os.File); ok && inForeground(f) {
			go watchOnly(f, pr) // ends with the input, or with the process
		}
	} else {
		v, hello := own, ownHello
		view = v
		pr.hello(hello)
		// a new party's few opening events are not history
		now, err := printHistory(h.Party(), hello.State, pr, resume, f.dataDir, v.OwnerView)
		if err != nil {
			io.fatal(pr, "host", describe(err))
			return ExitError
		}
		pr.liveThen(now)
		if resume != nil && len(hello.State.Events) > 0 {
			// The history pushed the invites printed at the start out of sight (a tester's
			// were 400 lines up): said where they are, and how to see them again, rather
			// than printed twice (a tester's, every resume, at a terminal and to a pipe).
			pr.notice("system", invitesAboveNotice+"; /invite prints them again")
			hello.State.Events = nil
			releaseHistory()
		}
		cmd := &commander{
			pr:         pr,
			prompt:     func(_ context.Context, text string) (wire.PromptResult, error) { return v.Prompt(text) },
			withdraw:   v.Withdraw,
			ctl:        v,
			ws:         v,
			invites:    h.Invites,
			hostPrints: true,
			describe:   describe,
			editor:     sc != nil,
			endsParty:  true,
		}
		rctx, stopREPL := context.WithCancel(ctx)
		replDone, baseDone := make(chan struct{}), make(chan struct{})
		go cmd.followBase(rctx, baseDone)
		defer func() {
			stopREPL() // also ends a /shell command
			if sc != nil {
				<-replDone // the line editor gives the terminal back first
			}
			cmd.shell.wait()
			cmd.lookups.wait()
			<-baseDone
		}()
		go func() {
			defer close(replDone)
			if repl(rctx, io.In, sc, pr, cmd.line) {
				close(quit)
				return
			}
			if rctx.Err() == nil {
				pr.notice("system", "input closed; still hosting (Ctrl-C ends the party)")
			}
		}()
	}
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		// The owner's terminal is shown the text of an edit the party shows no one else.
		party.ReadFramed(view.Events(), party.ViewFrame, func(ev wire.Event) { pr.event(view.OwnerView(ev)) })
	}()
	editorsDone := make(chan struct{})
	go func() {
		// Another host editing the held prompt (never an event): said as it starts.
		defer close(editorsDone)
		for {
			select {
			case <-view.EditorsChanged():
				pr.editors(view.Editors())
			case <-printed:
				return
			}
		}
	}()

	// Claude Code refusing the extra arguments at start ends the party: no later start
	// overcomes it, and a tester's host hosted on, every prompt failing, and exited 0.
	var refused error
	agentStart := h.Started()
	for waiting := true; waiting; {
		select {
		case <-ctx.Done():
			waiting = false
		case <-quit:
			waiting = false
		case <-agentStart:
			agentStart = nil
			if err := h.StartErr(); errors.Is(err, agent.ErrArgsRefused) {
				refused, waiting = err, false
				// Its error event (sent before Started closed, with claude's own words) is
				// printed before the end begins.
				if st, err := h.Party().State(math.MaxInt64); err == nil {
					pr.awaitSeq(ctx, st.Seq, 2*time.Second)
				}
			}
		}
	}
	pr.notice("system", "ending the party…")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	endText := host.EndedByHost
	if sig := (StopSignal{}); errors.As(context.Cause(ctx), &sig) {
		endText = host.EndText(sig.Signal) // not "the host ended the party" of a logout
	} else if refused != nil {
		endText = host.ArgsRefusedEnd
	}
	err = h.ShutdownBecause(sctx, endText)
	view.Leave()
	<-printed
	<-editorsDone
	if left := h.LeftAtEnd(); left != "" {
		pr.notice("system", left)
	}
	// The commands themselves, to be copied (a tester had to work out the export's).
	given := f.dataDir
	if given == defaultDataDir() {
		given = ""
	}
	if err != nil {
		log.Error("shutdown", "err", err)
		again := ""
		if h.JournalResumable() {
			// Cut short by a full disk, and resumed past what it lost (journal/cutmark.go).
			again = ", and `" + resumeCommand(h.Party().ID(), given) + "` brings the party back without what it lacks"
		}
		io.fatal(pr, "host", "the party did not end cleanly: "+describe(err)+" (--verbose shows more); `"+exportCommand(h.Party().ID(), f.dataDir)+"` writes what its journal kept"+again)
		return ExitError
	}
	if refused != nil {
		// The stderr line that says why was in the error just before.
		io.fatal(pr, "host", argsRefusedWords(refused))
		return ExitError
	}
	pr.notice("system", "party ended; its journal is "+h.TranscriptPath()+": `"+exportCommand(h.Party().ID(), f.dataDir)+"` writes it as Markdown, `"+resumeCommand(h.Party().ID(), given)+"` brings the party back")
	return ExitOK
}

// sharePatience is how long a host's terminal waits for the working directory's first
// snapshot before it says the party will see the folder's changes once it is taken.
var sharePatience = 500 * time.Millisecond

// sharePendingWords: the working directory's first snapshot is being taken.
const sharePendingWords = "the party will see the files that change in the working directory once its first snapshot is taken (a large folder takes a while)"

// sayShareFix says, in the host's terminal, what its host can do about a working directory
// that could not be shared (host.ShareFix), after the party's error that says why: the
// remedy is the host's alone, not every member's (a tester's).
func sayShareFix(ctx context.Context, pr *printer, h *host.Host) {
	fix := h.ShareFix()
	if fix == "" {
		return
	}
	if st, err := h.Party().State(math.MaxInt64); err == nil {
		pr.awaitSeq(ctx, st.Seq, 2*time.Second)
	}
	pr.notice("system", "to share the working directory, "+fix+"; a --resume with --share-workspace changes then shares it")
}

// validMode reports whether m is a --permission-mode value.
func validMode(m string) bool {
	switch m {
	case wire.PermissionAsk, wire.PermissionEdits, wire.PermissionPlan, wire.PermissionAll:
		return true
	}
	return false
}

func defaultName(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return "host"
}

func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return filepath.Join(".", ".concordia")
	}
	return filepath.Join(dir, "concordia")
}

func newLogger(io IO, verbose bool) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(io.Err, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

var _ flag.Value = (*stringList)(nil)

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// listenProblem is --listen's refusal: settings.CheckListen's sentence, the window's own
// (a terminal used to take ":http" and a bare ":" that the window refused), naming the flag
// mid-line ("--listen: The listen port…" read as two sentences run together, a tester's),
// with an example of what works when the sentence has none.
func listenProblem(addr string) string {
	err := settings.CheckListen(addr)
	if err == nil {
		return ""
	}
	var le *settings.ListenError
	if !errors.As(err, &le) {
		return "--listen: " + err.Error()
	}
	s := le.Worded("the --listen")
	if le.Problem == settings.ListenNotHostPort {
		return s // it gives its examples itself
	}
	return s + " For example: --listen :8765 (every interface), or --listen 127.0.0.1:0 (a free port on this machine only)."
}

// latest hands the newest of a series of values from one goroutine to another: put never
// waits, and a value not yet taken is replaced by a newer one.
type latest[T any] struct{ ch chan T }

func newLatest[T any]() latest[T] { return latest[T]{ch: make(chan T, 1)} }

func (l latest[T]) put(v T) {
	for {
		select {
		case l.ch <- v:
			return
		default:
			select {
			case <-l.ch: // the older one goes
			default:
			}
		}
	}
}

// print calls f with each value taken, until stop is closed.
func (l latest[T]) print(stop <-chan struct{}, f func(T)) {
	for {
		select {
		case v := <-l.ch:
			f(v)
		case <-stop:
			return
		}
	}
}

// watchOnly answers what is typed into a terminal that only watches (--no-local-repl): it
// used to be echoed and ignored without a word. It returns at the input's end.
func watchOnly(in io.Reader, pr *printer) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			pr.notice("system", "this terminal only watches (--no-local-repl): to take part, join with the host invite (concordia join, or the app); Ctrl-C ends the party")
		}
	}
}

// invitesAboveNotice follows a resumed party's history, which pushed the invites printed
// first out of sight, at a host's terminal that has /invite.
const invitesAboveNotice = "the invites are printed at the top, above the party's history"

// hostInviteOut is where a headless host's host invite goes: this terminal, or the
// --host-invite-file (mode 0600), which then keeps it out of the terminal's output.
type hostInviteOut struct {
	file    string
	current func() string // the party's host invite now ("" when it has none)
	mu      sync.Mutex    // one write at a time: the start's, and a rotation's
}

// write puts the party's current host invite in the file, when there is one. It reads
// the invite under the lock, so that of two writes racing (the start's and a rotation's)
// the later holds the newer invite.
func (o *hostInviteOut) write() error {
	if o.file == "" {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	inv := o.current()
	if inv == "" {
		return nil
	}
	if err := atomicfile.Write(o.file, []byte(inv+"\n"), 0o600); err != nil {
		if dir := filepath.Dir(o.file); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the folder %s does not exist", dir) // the rest names a temporary file
		}
		return fmt.Errorf("%s: %w", o.file, err)
	}
	return nil
}

// strip is inv for printing: without the host invite when it goes to the file.
func (o *hostInviteOut) strip(inv wire.Invites) wire.Invites {
	if o.file != "" {
		inv.HostInvite = ""
	}
	return inv
}

// place says where the host invite is, after "the host invite".
func (o *hostInviteOut) place() string {
	if o.file == "" {
		return "above"
	}
	return "in " + o.file
}

// where is what printed invites add about the host invite kept in the file ("" when none is).
func (o *hostInviteOut) where() string {
	if o.file == "" {
		return ""
	}
	return "the host invite is in " + o.file + " (mode 0600): give it only to someone who may decide what the agent does"
}

// inviteFileUsable says why --host-invite-file cannot be used, or nil: it is written
// whole (a new file renamed over it), so it must be a regular file or not exist yet, in a
// folder that takes a new file.
func inviteFileUsable(path string) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return errors.New("is not a regular file (a folder, a link, a device or a pipe); give the path of a file of its own")
	}
	return writable(path)
}

// printHistory prints the history a host's own view starts from (st, from WatchPaged or
// JoinLocalPaged, and the pages after it, Party.History): a resumed party's last turns
// (replayRecent), holding no more of it than they need (recentReplay); a new party's few
// opening events all. view, when not nil, is each event as the view shows it (OwnerView).
func printHistory(p *party.Party, st wire.State, pr *printer, resume *host.Resume, dataDir string, view func(wire.Event) wire.Event) (now []wire.Event, err error) {
	if view == nil {
		view = func(ev wire.Event) wire.Event { return ev }
	}
	if resume == nil {
		return nil, p.History(st, func(ev wire.Event) { pr.event(view(ev)) })
	}
	pr.historyStart(len(st.Events))
	r := newRecentReplay(pr)
	// What the resume itself said (who was disconnected, "the party was resumed", what it
	// withdrew) happens now: it goes under "— live —", not above it with the party's past
	// (a tester read it as history).
	last := resume.Summary.LastSeq
	if err := p.History(st, func(ev wire.Event) {
		if ev.Seq > last {
			now = append(now, view(ev))
			return
		}
		r.add(view(ev))
	}); err != nil {
		return nil, fmt.Errorf("the party's history: %w", err)
	}
	r.print("`" + exportCommand(p.ID(), dataDir) + "` writes the whole party")
	return now, nil
}
