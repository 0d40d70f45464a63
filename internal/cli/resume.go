package cli

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
)

// resumeFlag is --resume [PARTY_ID]: a flag that may stand alone (the latest party) or take
// the id as --resume=ID or as the next argument.
type resumeFlag struct {
	on bool
	id string
}

func (r *resumeFlag) String() string   { return r.id }
func (r *resumeFlag) IsBoolFlag() bool { return true }
func (r *resumeFlag) Set(v string) error {
	r.on = true
	switch v {
	case "true":
	case "false":
		r.on = false
	default:
		r.id = v
	}
	return nil
}

// resumeSettings fills the host's flags from the party's journal for `host --resume`:
// every flag not given on this command line takes the value the party had. Flags that
// would break the party's promises are refused: --workdir (the agent's session belongs to
// its working directory) and --insecure (the invite's fingerprint would change). It
// returns the remaining positional arguments, the opened journal, and an exit status (-1:
// go on).
func resumeSettings(fs *flag.FlagSet, f *hostFlags, rf *resumeFlag, pos []string, io IO) ([]string, *host.Resume, int) {
	if !rf.on {
		if f.withoutUnanswered {
			return pos, nil, usageError(fs, io.Err, "--without-unanswered needs --resume: it leaves behind what a resumed party would take up")
		}
		return pos, nil, -1
	}
	if rf.id == "" && len(pos) > 0 {
		rf.id, pos = pos[0], pos[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	dataDir := f.dataDir
	if dataDir == "" {
		dataDir = defaultDataDir()
	}
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs // the journal's path is printed at the end: whole, as for a new party
	}
	if rf.id != "" && !journal.ValidID(rf.id) {
		// A bad argument (2), as export's and parties' (a tester's got 1).
		return pos, nil, usageError(fs, io.Err, "--resume: %q is not a party id (%s lists them)", rf.id, partiesCommand(f.dataDir))
	}
	// The latest party's id is taken here, not by OpenResume, so that a refusal can name it.
	id := rf.id
	if id == "" {
		id, _ = journal.Latest(dataDir) // on an error OpenResume says it again
	}
	res, err := host.OpenResume(dataDir, id, 0)
	if err != nil {
		switch {
		case errors.Is(err, journal.ErrInUse):
			// The way out, as the window says it (a tester was shown the journal's path
			// and the lock's words).
			// With no id given, the latest party is most likely the one running: resuming
			// another is the other way out (a reviewer's).
			other := ""
			if rf.id == "" {
				other = fmt.Sprintf("; or resume another party: %s lists them; `%s`", partiesCommand(f.dataDir), resumeCommand("ID", f.dataDir))
			}
			io.fatalAlone("host", fmt.Sprintf("party %s is already running in another concordia process (a window or a terminal): join it with its invite, or end it there first%s", id, other))
			return pos, nil, ExitError
		case errors.Is(err, journal.ErrNoParties):
			io.fatalAlone("host", fmt.Sprintf("no party to resume in %s", dataDir))
		case errors.Is(err, host.ErrNoParty):
			io.fatalAlone("host", fmt.Sprintf("no party %q in %s (%s lists them)", rf.id, dataDir, partiesCommand(f.dataDir)))
		case rf.id != "" && salvageable(rf.id, journal.Path(dataDir, rf.id), err) > 0:
			// Its events are still there (a tester was told only "no header line"); not
			// said of an empty file, which export refuses too (a reviewer's).
			io.fatalAlone("host", fmt.Sprintf("cannot resume the party: %v; `%s` still writes its events", err, exportCommand(rf.id, f.dataDir)))
			return pos, nil, ExitError
		default:
			// A journal that cannot be read: a party that cannot start (1), not a bad
			// argument (a tester's got 2).
			io.fatalAlone("host", fmt.Sprintf("cannot resume the party: %v", err))
			return pos, nil, ExitError
		}
		// No such party: 1, as export's and parties' (a terminal tester's got 2 here).
		return pos, nil, ExitError
	}
	s := res.Summary.Settings
	refuse := func(format string, a ...any) ([]string, *host.Resume, int) {
		res.Close()
		return pos, nil, usageError(fs, io.Err, format, a...)
	}
	if set["workdir"] && !sameDir(f.workdir, s.WorkDir) {
		return refuse("--workdir cannot change on --resume: the agent's session belongs to %s", s.WorkDir)
	}
	if set["insecure"] && f.insecure != (s.Fingerprint == "") {
		return refuse("--insecure cannot change on --resume: the party's invites would no longer work")
	}
	f.workdir = s.WorkDir
	f.insecure = s.Fingerprint == ""
	if !set["listen"] || f.listen == "" {
		// The same port, so that the invites people hold still work.
		h, _, err := net.SplitHostPort(s.Listen)
		if err != nil {
			h = ""
		}
		f.listen = net.JoinHostPort(h, strconv.Itoa(s.Port))
	} else if h, port, err := net.SplitHostPort(f.listen); err == nil && port == "0" {
		// "Any free port" (the command line the party was started with, given again):
		// the port it had, or the invites people hold would point nowhere.
		f.listen = net.JoinHostPort(h, strconv.Itoa(s.Port))
	}
	if !set["public-host"] {
		f.publicHost = s.PublicHost
	}
	if !set["name"] && res.Summary.Header.Host != "" {
		f.name = res.Summary.Header.Host
	}
	if !set["window"] && s.WindowMS > 0 {
		f.window = time.Duration(s.WindowMS) * time.Millisecond
	}
	if !set["min-prompts"] && s.MinPrompts > 0 {
		f.minPrompts = s.MinPrompts
	}
	if !set["merge"] && s.Merge != "" {
		f.mergeMode = s.Merge
	}
	if !set["gemini-model"] && s.GeminiModel != "" {
		f.geminiModel = s.GeminiModel
	}
	if !set["claude"] && s.Claude != "" {
		f.claude = s.Claude
	}
	if !set["claude-arg"] {
		f.claudeArgs = s.ClaudeArgs
	}
	if !set["permission-mode"] && s.PermissionMode != "" {
		f.permissionMode = s.PermissionMode
	}
	if r := res.Restore; !set["permission-mode"] && r.HasSettings && r.PermissionMode != "" {
		f.permissionMode = r.PermissionMode // as a host last set it
	}
	if !set["approve"] {
		f.approve = s.Approval
		if r := res.Restore; r.HasSettings {
			f.approve = r.Approval
		}
	}
	if !set["permission-timeout"] && s.PermissionTimeout > 0 {
		f.permissionTimeout = time.Duration(s.PermissionTimeout) * time.Millisecond
	}
	if !set["turn-timeout"] {
		f.turnTimeout = time.Duration(s.TurnTimeout) * time.Millisecond
	}
	if !set["share-workspace"] {
		f.shareWorkspace = res.WorkspaceLevel()
	}
	if !set["max-participants"] && s.MaxParticipants > 0 {
		f.maxParticipants = s.MaxParticipants
	}
	res.Restore.Without = f.withoutUnanswered
	return pos, res, -1
}

func sameDir(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return false
	}
	sa, err1 := os.Stat(aa)
	sb, err2 := os.Stat(bb)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
