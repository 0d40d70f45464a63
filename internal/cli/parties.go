package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/reap"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

// runParties is `concordia parties`: the parties whose journals are in the data directory.
func runParties(_ context.Context, args []string, io IO) int {
	var dataDir, stopJobs, deleteID string
	fs := newFlagSet("parties", "concordia parties [--data-dir DIR] [--stop-jobs ID | --delete ID]", `
List the parties kept in the data directory, the most recently active first: id, the
host's name, when it was created and last active, TURNS — how many of the agent's turns
ended while the party went on (finished, failed or stopped; each batch once, not one the
party's end or the host's stop cut short, nor one claude never got) — and its state:
running (a host has it now), ended (the host ended it), or not ended cleanly (the host
stopped without ending it: it was killed, or the machine stopped). At a terminal, under
each row, the party's name, its working directory and the start of its first prompt, the
name left out of the row so that each line fits 80 columns (not when the output goes to a
file or a pipe, whose program reads the rows alone, NAME in them). A party that would
come back sharing the whole working directory (.env files included) is named under the
table. Any party not running can be brought back with "concordia host --resume ID"; any
can be read with "concordia export ID". Processes the agent of a party not ended cleanly
left running (a dev server, a background job) are listed after the table. --stop-jobs ID
stops what the agent of a party that is not running left running — left by a host that
was killed, or kept with --keep-agent-jobs — without resuming it. --delete ID deletes a
party that is not running: its journal (everything it kept: the transcript, its invites
and members' sessions) and its record of the working directory's starting point; it
cannot be resumed or exported afterwards (one not ended cleanly, which could have been
resumed, is said to be). The working directory itself is not touched. The window's
Forget, on a recent party, does the same.`, io.Out, io.Err)
	fs.StringVar(&dataDir, "data-dir", "", "`directory` where the parties are kept (default: "+defaultDataDir()+")")
	fs.StringVar(&stopJobs, "stop-jobs", "", fmt.Sprintf("stop the processes the agent of party `ID` left running (SIGTERM, then SIGKILL after %v), instead of listing", reap.Grace))
	fs.StringVar(&deleteID, "delete", "", "delete party `ID` (not running): its journal and its workspace record, instead of listing")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) > 0 {
		return usageError(fs, io.Err, "unexpected argument %q", pos[0])
	}
	if stopJobs != "" && !journal.ValidID(stopJobs) {
		return usageError(fs, io.Err, "--stop-jobs: %q is not a party id (%s lists them)", stopJobs, partiesCommand(dataDir))
	}
	if deleteID != "" && !journal.ValidID(deleteID) {
		return usageError(fs, io.Err, "--delete: %q is not a party id (%s lists them)", deleteID, partiesCommand(dataDir))
	}
	if deleteID != "" && stopJobs != "" {
		return usageError(fs, io.Err, "--stop-jobs and --delete go one at a time: stop the jobs first, then delete")
	}
	given := dataDir // as typed, for the hints
	if dataDir == "" {
		dataDir = defaultDataDir()
	}
	// Each journal is read once: its summary and what it left unanswered together.
	recoveries := map[string]*party.Recovery{}
	list, bad, err := journal.ListRead(dataDir, func(path string) func(wire.Event, json.RawMessage) {
		if stopJobs != "" || deleteID != "" {
			return nil
		}
		rc := party.NewRecovery(1) // only what is left open is wanted, not the recent events
		recoveries[path] = rc
		return rc.Event
	})
	if err != nil {
		fmt.Fprintf(io.Err, "concordia parties: cannot read %s: %v\n", dataDir, err)
		return ExitError
	}
	if stopJobs != "" {
		return stopPartyJobs(list, stopJobs, dataDir, given, io)
	}
	if deleteID != "" {
		return deleteParty(list, bad, deleteID, dataDir, given, io)
	}
	if len(list) == 0 {
		if len(bad) == 0 {
			fmt.Fprintf(io.Out, "no parties in %s\n", dataDir)
		} else {
			fmt.Fprintf(io.Out, "no parties that can be read in %s\n", dataDir)
		}
		saidUnreadable(bad, given, io)
		return ExitOK
	}
	// Only for a person: a program reading the rows (awk 'NR>1{print $1}') would take the
	// line under each for a row (PROTOCOL.md §8).
	under := outIsTerminal(io.Out)
	// The table is laid out whole, then each party's row gets its own line under it (a
	// line with no cells among the rows would break tabwriter's columns). At a terminal
	// the party's name goes in that line, before where it worked: with it, a row whose
	// STATE read "not ended cleanly" was 88 columns wide with a four-letter host's name (a
	// tester's), and a name may be 64 long. Piped, the rows keep NAME, as programs read them.
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	if under {
		fmt.Fprintln(tw, "ID\tCREATED\tLAST ACTIVE\tTURNS\tSTATE")
	} else {
		fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST ACTIVE\tTURNS\tSTATE")
	}
	for _, s := range list {
		name := "\t" + term.Line(s.Header.Host) + "'s party"
		if under {
			name = ""
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%d\t%s\n", s.Header.Party, name,
			s.Header.Created.Local().Format("2006-01-02 15:04"), s.LastActive.Local().Format("2006-01-02 15:04"),
			s.Turns, partyState(s))
	}
	tw.Flush()
	rows := strings.SplitAfter(table.String(), "\n")
	io.Out.Write([]byte(rows[0]))
	home := homeDir(io.Getenv)
	for i, s := range list {
		io.Out.Write([]byte(rows[1+i]))
		// What tells two parties of one host apart: where the agent worked, and what it
		// was first asked (a tester's four rows all read "hana's party").
		if !under {
			continue
		}
		for _, l := range partyUnder(term.Line(s.Header.Host)+"'s party", s.Settings.WorkDir, s.FirstPrompt, home) {
			fmt.Fprintf(io.Out, "  %s\n", l)
		}
	}
	// A party that would come back sharing the whole folder, .env files included, says so
	// under the table (a column after STATE, whose values have spaces, would break the
	// lines' shape that programs read).
	for _, s := range list {
		if s.SharingLevel() == wire.WorkspaceTree && partyState(s) != "running" {
			fmt.Fprintf(io.Out, "%s: shares the whole working directory, .env files included, when resumed (--share-workspace changes on the resume narrows it)\n", s.Header.Party)
		}
	}
	saidUnreadable(bad, given, io)
	// A party whose journal a failed write cut short cannot be resumed (journal.ErrIncomplete).
	for _, s := range list {
		switch {
		case partyState(s) == "running":
		case s.LostEnd:
			// Resumed past what it lost, and nothing from before runs again: what waited
			// then may have been answered in it (party.Restore.LostEnd).
			fmt.Fprintf(io.Out, "%s: its journal could not be written after event %d (was the disk full?), so what happened after it is not in its history; `%s` goes on after it, and runs nothing from before it again\n", s.Header.Party, s.LastSeq, resumeCommand(s.Header.Party, given))
		case !s.Incomplete:
		case journal.LostControl(s.Path):
			fmt.Fprintf(io.Out, "%s: its journal could not be written to its end (was the disk full?), and what it lost includes a host's change that made the party's rules stricter (who may join, or what the agent may do), so it cannot be resumed; `%s` writes what it kept\n", s.Header.Party, exportCommand(s.Header.Party, given))
		case journal.Marked(s.Path):
			fmt.Fprintf(io.Out, "%s: its journal could not be written to its end (was the disk full?), so it cannot be resumed; `%s` writes what it kept\n", s.Header.Party, exportCommand(s.Header.Party, given))
		default:
			// Only read-only: the last-resort mark of a failed write, or a person's chmod
			// (a tester's, told first of a full disk).
			fmt.Fprintf(io.Out, "%s: its journal is read-only, which marks a journal that could not be written to its end; if it was made read-only by hand, `chmod u+w %s` lets it be resumed (if not, members may hold events it lacks, and a resume would number new events as theirs); `%s` writes what it kept\n", s.Header.Party, shellQuote(s.Path), exportCommand(s.Header.Party, given))
		}
	}
	// What a party left unanswered: prompts the agent never had, a turn cut short. The
	// table said nothing of them (a tester's); a resume sends them.
	for _, s := range list {
		if partyState(s) == "running" || s.Incomplete || s.LostEnd {
			continue
		}
		if u := party.FindUnanswered(s, recoveries[s.Path]); !u.None() {
			what, again := u.Words()
			cmd := resumeCommand(s.Header.Party, given)
			fmt.Fprintf(io.Out, "%s: %s; `%s` %s (`%s --without-unanswered` resumes without %s)\n", s.Header.Party, what, cmd, again, cmd, u.Them())
		}
	}
	// The last turn the party's end cut short: not run again at a resume, and said only by
	// the end's notice (a tester's listing said nothing of it).
	for _, s := range list {
		if c := s.EndCutShown(); c != nil {
			fmt.Fprintf(io.Out, "%s: %s, and a resume does not run it again\n", s.Header.Party, term.Line(party.EndCutWords(c)))
		}
	}
	// A party whose host was killed may have left its agent's background jobs running:
	// nothing stops them until it is resumed. Every run's, as --stop-jobs stops them (a run
	// kept its jobs with --keep-agent-jobs).
	for _, s := range list {
		if partyState(s) != "not ended cleanly" {
			continue
		}
		left := stillRunningOf(s.AgentRuns)
		if len(left) > 0 {
			resume := resumeCommand(s.Header.Party, given)
			stop := "concordia parties --stop-jobs " + s.Header.Party
			if given != "" {
				stop += " --data-dir " + shellQuote(given)
			}
			fmt.Fprintf(io.Out, "%s: %s; `%s` stops them (or `%s`, without resuming)\n", s.Header.Party, stillRunning(left), resume, stop)
		}
	}
	return ExitOK
}

// partiesWidth is the width of a terminal the table's lines fit in.
const partiesWidth = 80

// partyUnder is the line under a party's row in `concordia parties` at a terminal, without
// its indent: the party's name, whole, and where it worked (partyWhere) in the room left
// ("hana's party · ~/src/app · “fix the login bug”"). Where it worked goes on a line of its
// own when a long name leaves too little room beside it.
func partyUnder(name, workdir, firstPrompt, home string) []string {
	const sep = " · "
	room := partiesWidth - 2
	if left := room - len([]rune(name)) - len([]rune(sep)); left >= 24 {
		if where := partyWhere(workdir, firstPrompt, home, left); where != "" {
			return []string{name + sep + where}
		}
		return []string{name}
	}
	if where := partyWhere(workdir, firstPrompt, home, room); where != "" {
		return []string{name, where}
	}
	return []string{name}
}

// partyWhere is where a party worked, for the line under its row (partyUnder): its working
// directory, with home written "~" and shortened from the left, and the start of its first
// prompt ("~/src/app · “fix the login bug”"), in room runes; "" when the journal has
// neither.
func partyWhere(workdir, firstPrompt, home string, room int) string {
	prompt := ""
	for _, l := range strings.Split(firstPrompt, "\n") {
		if l = strings.TrimSpace(term.Line(l)); l != "" {
			prompt = l
			break
		}
	}
	dir := strings.TrimSpace(term.Line(workdir))
	if dir == "" {
		if prompt == "" {
			return ""
		}
		return "“" + cutRight(prompt, room-2) + "”"
	}
	dir = tildePath(dir, home)
	if prompt == "" {
		return cutLeft(dir, room)
	}
	dir = cutLeft(dir, room/2)
	return dir + " · “" + cutRight(prompt, room-len([]rune(dir))-5) + "”"
}

// tildePath is p with home written "~", as people write it.
func tildePath(p, home string) string {
	if home == "" || home == "/" {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && filepath.IsAbs(p) && !strings.HasPrefix(rel, "..") {
		if rel == "." {
			return "~"
		}
		return "~" + string(filepath.Separator) + rel
	}
	return p
}

// cutLeft is s in at most n runes: its end, after "…", from a path separator when one is
// in it, so that a path keeps its last folders whole.
func cutLeft(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	tail := string(r[len(r)-(n-1):])
	if i := strings.IndexAny(tail, `/\`); i >= 0 && i < len(tail)-1 {
		tail = tail[i:]
	}
	return "…" + tail
}

// cutRight is s in at most n runes: its start, then "…".
func cutRight(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:max(n-1, 0)])) + "…"
}

// homeDir is the user's home folder as the environment says it ("" when it does not).
func homeDir(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	return getenv("USERPROFILE")
}

// saidUnreadable says, under the table, which journals could not be read and why: they are
// not parties that can be resumed or exported, but they are there.
func saidUnreadable(bad []journal.Unreadable, given string, io IO) {
	for _, u := range bad {
		if n := salvageable(u.ID, u.Path, u.Err); n > 0 {
			fmt.Fprintf(io.Out, "%s: its journal lost its first line (its header), so it cannot be resumed; `%s` still writes its %d event%s: %s\n", term.Line(u.ID), exportCommand(u.ID, given), n, plural(n), term.Line(u.Path))
			continue
		}
		del := ""
		if journal.ValidID(u.ID) {
			del = "; `" + deleteCommand(u.ID, given) + "` removes it"
		}
		fmt.Fprintf(io.Out, "%s: its journal cannot be read (%s), so it cannot be resumed or exported: %s%s\n", term.Line(u.ID), term.Line(oneLineErr(u.Err, u.Path)), term.Line(u.Path), del)
	}
}

// salvageable is how many events `concordia export ID` still writes of journal path that
// could not be read for err: those of one that lost only its header (journal.Salvage);
// 0 when it cannot (another damage, an empty file, or a name that is no id).
func salvageable(id, path string, err error) int {
	if !errors.Is(err, journal.ErrNoHeader) || !journal.ValidID(id) { // export takes it by id
		return 0
	}
	s, err := journal.Salvage(path, nil)
	if err != nil {
		return 0
	}
	return s.Events
}

// oneLineErr is err on one line, without the path it starts with (said after it).
func oneLineErr(err error, path string) string {
	s := strings.TrimPrefix(err.Error(), path+": ")
	return strings.Join(strings.Fields(s), " ")
}

// deleteCommand is the command line that deletes party id (given: --data-dir as typed).
func deleteCommand(id, given string) string {
	c := "concordia parties --delete " + id
	if given != "" {
		c += " --data-dir " + shellQuote(given)
	}
	return c
}

// resumeCommand is the command line that resumes party id (given: --data-dir as typed).
func resumeCommand(id, given string) string {
	c := "concordia host --resume " + id
	if given != "" {
		c += " --data-dir " + shellQuote(given)
	}
	return c
}

// findParty is party id's summary in list; nil, said on io.Err, when there is none.
func findParty(list []*journal.Summary, id, dataDir, given string, io IO) *journal.Summary {
	i := slices.IndexFunc(list, func(s *journal.Summary) bool { return s.Header.Party == id })
	if i < 0 {
		fmt.Fprintf(io.Err, "concordia parties: no party %s in %s (%s lists them)\n", id, dataDir, partiesCommand(given))
		return nil
	}
	return list[i]
}

// stopPartyJobs is `concordia parties --stop-jobs ID`: it stops what the agents of the
// party's host runs left running, whether its host was killed or kept them
// (--keep-agent-jobs): asked for by name, they are not wanted any more. A running party
// is refused: until it ends they may be in use (a dev server).
func stopPartyJobs(list []*journal.Summary, id, dataDir, given string, io IO) int {
	s := findParty(list, id, dataDir, given, io)
	if s == nil {
		return ExitError
	}
	switch {
	case !reap.Supported:
		fmt.Fprintln(io.Err, "concordia parties: finding the processes an agent left running works on Linux only")
		return ExitError
	case partyState(s) == "running":
		fmt.Fprintf(io.Err, "concordia parties: party %s is running; end it first (its host then stops what its agent left running, unless it was started with --keep-agent-jobs)\n", id)
		return ExitError
	case len(s.AgentRuns) == 0:
		fmt.Fprintf(io.Out, "%s: its journal names no agent run (its host never started the agent, or predates this), so nothing of it can be found\n", id)
		return ExitOK
	}
	// Every run's: a run kept its jobs with --keep-agent-jobs, and a later one did not.
	var stopped []reap.Proc
	var err error
	for _, run := range s.AgentRuns {
		var ps []reap.Proc
		ps, err = reap.Stop(run, reap.Grace)
		stopped = append(stopped, ps...)
		if err != nil {
			break
		}
	}
	if len(stopped) > 0 {
		fmt.Fprintf(io.Out, "%s: %s\n", id, stoppedWords(stopped))
	}
	if err != nil {
		fmt.Fprintf(io.Err, "concordia parties: looking for what party %s's agent left running: %v\n", id, err)
		return ExitError
	}
	if len(stopped) == 0 {
		fmt.Fprintf(io.Out, "%s: nothing its agent started is still running\n", id)
	}
	return ExitOK
}

// deleteParty is `concordia parties --delete ID`: it deletes a party that is not running —
// its journal and its record of the working directory's starting point — so that a list
// kept since the first party shrinks and old invites cannot come back with a resume. A
// party whose agent left processes running is refused: the journal is what finds them.
func deleteParty(list []*journal.Summary, bad []journal.Unreadable, id, dataDir, given string, io IO) int {
	if i := slices.IndexFunc(bad, func(u journal.Unreadable) bool { return u.ID == id }); i >= 0 {
		return deleteUnreadable(bad[i], dataDir, given, io)
	}
	s := findParty(list, id, dataDir, given, io)
	if s == nil {
		return ExitError
	}
	// Said after: a party not ended cleanly could have been resumed (a window's Forget asks).
	state := partyState(s)
	err := host.DeleteParty(dataDir, s)
	var jobs *host.JobsLeftError
	var record *host.RecordLeftError
	switch {
	case err == nil:
	case errors.Is(err, host.ErrPartyRunning) && partyState(s) != "running":
		fmt.Fprintf(io.Err, "concordia parties: party %s was resumed just now; end it first\n", id)
		return ExitError
	case errors.Is(err, host.ErrPartyRunning):
		fmt.Fprintf(io.Err, "concordia parties: party %s is running; end it first\n", id)
		return ExitError
	case errors.As(err, &jobs):
		stop := "concordia parties --stop-jobs " + id
		if given != "" {
			stop += " --data-dir " + shellQuote(given)
		}
		fmt.Fprintf(io.Err, "concordia parties: party %s was not deleted: %s; `%s` stops them, then delete it\n", id, stillRunning(jobs.Procs), stop)
		return ExitError
	case errors.As(err, &record):
		fmt.Fprintf(io.Err, "concordia parties: party %s's journal is deleted, but not its workspace record: %v\n", id, record.Err)
		return ExitError
	default:
		fmt.Fprintf(io.Err, "concordia parties: cannot delete party %s: %v\n", id, errors.Unwrap(err))
		return ExitError
	}
	fmt.Fprintf(io.Out, "deleted party %s (%s's party, created %s): its invites and sessions no longer work, and it cannot be resumed or exported\n",
		id, term.Line(s.Header.Host), s.Header.Created.Local().Format("2006-01-02 15:04"))
	if state == "not ended cleanly" {
		fmt.Fprintf(io.Out, "%s had not ended cleanly: it could have been resumed until now\n", id)
	}
	return ExitOK
}

// deleteUnreadable is --delete of a journal `concordia parties` lists as unreadable: it
// can be neither resumed nor listed, and was left for the user to find and remove by hand
// (a reviewer's). What it still records of its agents' runs is checked as for any party.
func deleteUnreadable(u journal.Unreadable, dataDir, given string, io IO) int {
	if s, err := journal.Salvage(u.Path, nil); err == nil {
		left := stillRunningOf(s.AgentRuns)
		if len(left) > 0 {
			fmt.Fprintf(io.Err, "concordia parties: %s was not deleted: %s; stop them, then delete it\n", u.ID, stillRunning(left))
			return ExitError
		}
	}
	if err := journal.Remove(u.Path); err != nil {
		fmt.Fprintf(io.Err, "concordia parties: cannot delete %s: %v\n", term.Line(u.Path), err)
		return ExitError
	}
	if err := os.RemoveAll(host.WorkspaceRecord(dataDir, u.ID)); err != nil {
		fmt.Fprintf(io.Err, "concordia parties: %s's journal is deleted, but not its workspace record: %v\n", u.ID, err)
		return ExitError
	}
	fmt.Fprintf(io.Out, "deleted the journal of %s, which could not be read: %s\n", u.ID, term.Line(u.Path))
	return ExitOK
}

// stillRunningOf are the processes that the agents of a party's runs (journal.Summary's
// AgentRuns) left and that still run.
func stillRunningOf(runs []string) []reap.Proc { return host.LeftRunning(runs) }

// stoppedWords says which processes were stopped: "stopped 1 process its agent had left
// running: sleep 300".
func stoppedWords(ps []reap.Proc) string {
	what, cmds := reap.Describe(ps)
	return "stopped " + what + " its agent had left running: " + cmds
}

// stillRunning says which processes a dead run left: "1 process its agent started still
// runs: sleep 300".
func stillRunning(ps []reap.Proc) string {
	what, cmds := reap.Describe(ps)
	verb := "run"
	if len(ps) == 1 {
		verb = "runs"
	}
	return what + " its agent started still " + verb + ": " + cmds
}

// partyState is running (a host holds its journal), ended, or not ended cleanly.
func partyState(s *journal.Summary) string {
	switch {
	case journal.InUse(s.Path):
		return "running"
	case s.Ended:
		return "ended"
	}
	return "not ended cleanly"
}

// runExport is `concordia export PARTY_ID`.
func runExport(ctx context.Context, args []string, io IO) int {
	var dataDir, format, outPath string
	fs := newFlagSet("export", "concordia export PARTY_ID [--format md|jsonl] [-o FILE] [--data-dir DIR]", `
Write a party's transcript. --format md (the default) is a document to read: who asked
what, what was merged and sent to the agent and by which merger, the agent's replies and
tool steps, who allowed or denied each tool request and why, approvals and rejections,
and errors. --format jsonl writes the party's events exactly as they were sent, one JSON
object a line. PARTY_ID is as "concordia parties" lists it.`, io.Out, io.Err)
	fs.StringVar(&dataDir, "data-dir", "", "`directory` where the parties are kept (default: "+defaultDataDir()+")")
	fs.StringVar(&format, "format", "md", "`format`: md (Markdown to read) or jsonl (the events as sent)")
	fs.StringVar(&outPath, "o", "", "write to this `file` instead of standard output: made whole once the party is read, replacing a file there (never one among the journals)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	list := partiesCommand(dataDir)
	switch {
	case len(pos) == 0:
		return usageError(fs, io.Err, "missing PARTY_ID (%s lists them)", list)
	case len(pos) > 1:
		return usageError(fs, io.Err, "unexpected argument %q (only one PARTY_ID)", pos[1])
	case format != "md" && format != "jsonl":
		return usageError(fs, io.Err, "--format must be md or jsonl, got %q", format)
	case !journal.ValidID(pos[0]):
		return usageError(fs, io.Err, "%q is not a party id (%s lists them)", pos[0], list)
	}
	if dataDir == "" {
		dataDir = defaultDataDir()
	}
	path := journal.Path(dataDir, pos[0])
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(io.Err, "concordia export: no party %s in %s (%s lists them)\n", pos[0], dataDir, list)
		return ExitError
	}
	// The events are written as they are read: a tester's 226 MB journal took 1.5 GB to
	// export when every event, then the document, was held in memory. What the document
	// says first (how the party ended, from its end) is read before, without the events.
	// A journal that lost its first line cannot be resumed, but what it holds is still
	// written (transcript.OpenJournal, which the window's Export uses too).
	src, err := transcript.OpenJournal(path)
	if err != nil {
		fmt.Fprintf(io.Err, "concordia export: cannot read the party's journal: %v\n", err)
		return ExitError
	}
	s, salvaged := src.Summary, src.Salvaged
	// To a file: written beside it and put in place once the party is read, so a failed
	// export leaves the file as it was, and never where the journals are (-o the journal
	// itself emptied it).
	out := io.Out
	var file *wholeFile
	if outPath != "" {
		if inFolderOf(outPath, filepath.Dir(path)) {
			return usageError(fs, io.Err, "-o %s is in the folder that keeps the parties' journals; write the transcript somewhere else", outPath)
		}
		if err := writable(outPath); err != nil {
			fmt.Fprintf(io.Err, "concordia export: cannot write %s: %v\n", outPath, err)
			return ExitError
		}
		if file, err = createWhole(outPath); err != nil {
			fmt.Fprintf(io.Err, "concordia export: cannot write %s: %v\n", outPath, err)
			return ExitError
		}
		defer file.abort()
		out = file
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	var werr error
	var doc *transcript.Writer
	if format == "md" {
		doc = transcript.NewWriter(bw, src.Meta(pos[0]))
	}
	err = src.Events(ctx, func(ev wire.Event, raw json.RawMessage) {
		switch {
		case doc != nil:
			doc.Event(ev)
		case werr == nil:
			if _, werr = bw.Write(raw); werr == nil {
				werr = bw.WriteByte('\n')
			}
		}
	})
	if doc != nil {
		werr = doc.Close()
	}
	if werr == nil {
		werr = bw.Flush()
	}
	if err == nil && werr == nil && file != nil {
		werr = file.commit()
	}
	switch {
	case ctx.Err() != nil:
		// Stopped (Ctrl-C): a file being written is left as it was (abort, deferred).
		fmt.Fprintln(io.Err, "concordia export: stopped before the transcript was written whole")
		return ExitError
	case err != nil:
		fmt.Fprintf(io.Err, "concordia export: cannot read the party's journal: %v\n", err)
		return ExitError
	case werr != nil:
		fmt.Fprintf(io.Err, "concordia export: cannot write the transcript: %v\n", werr)
		return ExitError
	case salvaged:
		fmt.Fprintf(io.Err, "concordia export: the journal of %s lost its first line (its header), so the party cannot be resumed; its %d event%s written all the same\n", pos[0], s.Events, map[bool]string{true: " is", false: "s are"}[s.Events == 1])
	}
	return ExitOK
}

// partiesCommand is the command that lists the parties of dataDir as given ("" = the
// default), to quote in a hint.
func partiesCommand(dataDir string) string {
	if dataDir == "" {
		return "`concordia parties`"
	}
	return "`concordia parties --data-dir " + shellQuote(dataDir) + "`"
}

// shellQuote is s as one shell word.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
