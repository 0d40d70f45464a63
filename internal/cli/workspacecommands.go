package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// The commands that look at the working folder (PROTOCOL.md §9): /changes, /diff, /tree,
// and a host's /share.

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
	// Checked as /diff's path is (a terminal tester's "/changes ../" and "/changes /etc"
	// each said "no changed files in …/", the one made relative without a word).
	folder, err := workspace.CleanPath(strings.TrimSuffix(pathArg(strings.TrimSpace(arg)), "/"))
	if err != nil {
		return err
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
			// Not "/changes lists them all" when the host listed only some (a tester's
			// read that and "203 more are not listed" in one line).
			text := fmt.Sprintf("no changed files in %s/; /changes lists every changed file", pathWords(folder))
			if res.More > 0 {
				text = fmt.Sprintf("no changed files in %s/ among the %s the host lists; %s more changed files, in any folder, are not listed",
					pathWords(folder), thousands(wire.MaxListed), thousands(res.More))
			}
			c.pr.reply("changes", text)
			return nil
		}
		head := fmt.Sprintf("%d file%s changed in %s/:", len(in), plural(len(in)), pathWords(folder))
		if res.More > 0 {
			// Of those the host lists: the folder may hold more (a tester's 1,000 read 999).
			head = fmt.Sprintf("%d changed file%s listed in %s/ (there may be more):", len(in), plural(len(in)), pathWords(folder))
		}
		lines = append(lines, head)
		lines = append(lines, changeLines(in, folder+"/", res.More > 0)...)
		if res.More > 0 {
			lines = append(lines, fmt.Sprintf("(the host lists %d files at most: %d more changed files, in any folder, are not listed)", wire.MaxListed, res.More))
		}
	} else {
		n := len(res.Files) + res.More
		lines = append(lines, fmt.Sprintf("%d file%s changed %s:", n, plural(n), since))
		lines = append(lines, changeLines(res.Files, "", res.More > 0)...)
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
// counts, and how to list it) and one per file directly in it. cut: the host's list stops
// short of all the changes, so a folder's count is of the files listed.
func changeLines(files []wire.FileChange, prefix string, cut bool) []string {
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
	for _, d := range order {
		if d.n == 1 {
			// A folder of one: the file itself, in the folders' order. After every other
			// line, a tester's .github/workflows/x.yml came last of all, below 40 files,
			// where a reviewer would miss it.
			lines = append(lines, changeLine(d.first))
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
		listed := ""
		if cut {
			listed = " listed" // the folder may hold more (a tester's 1,000 read 999)
		}
		lines = append(lines, fmt.Sprintf("%s/: %d file%s%s (%s; %s) — /changes %s lists them",
			pathWords(d.name), d.n, plural(d.n), listed, strings.Join(kinds, ", "), strings.Join(counts, ", "), folderArg(d.name)))
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
		direct = append(direct[:directListed:directListed], fmt.Sprintf("and %d more file%s %s, not listed here (/diff PATH shows one)", rest, plural(rest), where))
	}
	return append(lines, direct...)
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
	case f.Link: // never followed: where it points is not shown
		return l + " (a symbolic link)"
	case f.Binary: // no lines to count: "(+0 -0)" read as nothing changed (a tester's)
		return l + " (binary)"
	case f.Large: // its counts are of the line about it (a tester's 70 MiB file read "+1 -0")
		return l + " (too large to track)"
	case f.Status == "added" && f.Additions == 0:
		return l + " (empty)" // not "(+0 -0)" (a tester's)
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
	// Quoted as /changes and /diff take it (a tester's). A "/" at the end is a folder's; one
	// at the start is an absolute path, refused by the host as /diff's is (it was dropped:
	// a tester's /tree /etc listed "etc" of the working directory). "/" alone is the top.
	path := pathArg(strings.TrimSpace(arg))
	if path != "/" {
		path = strings.TrimRight(path, "/")
	} else {
		path = ""
	}
	res, err := c.ws.Tree(ctx, path)
	if err != nil {
		var now string
		var you wire.Member
		c.pr.with(func(r *roster) { now, you = r.settings.Workspace, r.you })
		if now == wire.WorkspaceChanges && c.mayBeOwner(you) && errors.Is(err, party.ErrNotShared) {
			// The owner is the one who can share it (a tester's owner was told only that
			// the host shares the changes).
			return fmt.Errorf("%w (/share tree shares it: the whole folder, .env files included)", err)
		}
		return err
	}
	where := "the working directory"
	if path != "" {
		where = pathWords(path + "/") // a quoted name's "/" inside its quotes, so it can be given back (a reviewer's)
	}
	if len(res.Entries) == 0 {
		c.pr.reply("tree", where+" is empty")
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
	// Tagged as what it is: a folder's files, not a list of changes (a tester's).
	c.pr.reply("tree", strings.Join(lines, "\n"))
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
		sees, change = "the party sees the whole working directory, .env files and other secrets included", "/share changes narrows it to the files that change, /share off hides it"
	case wire.WorkspaceChanges:
		sees, change = "the party sees every file that changes in the working directory, by the agent or by hand, and its diff (never .env and other secrets)", "/share off hides them"
		if whole {
			change += ", /share tree also shares the whole folder"
		}
	case wire.WorkspaceOff:
		sees, change = "the party sees nothing of the working directory", "/share changes shares the files that change"
		if whole {
			change += ", /share tree the whole folder"
		} else {
			// A co-host may not share more than the owner last chose (a reviewer's).
			change += " (unless the owner chose to share nothing)"
		}
	default:
		return "say /share off, /share changes (the files that changed) or /share tree (also the folder listing and files such as .env)"
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
	var failed string
	c.pr.with(func(r *roster) { failed = r.shareError })
	switch {
	case failed != "" && c.endsParty:
		return "the party sees nothing of the working directory, and cannot in this run (" + failed + "); once that is fixed, a --resume with --share-workspace changes shares it"
	case failed != "":
		return "the party sees nothing of the working directory, and cannot in this run (" + failed + ")"
	case c.endsParty:
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
		return errors.New("say /share off, /share changes (the files that changed) or /share tree (also the folder listing and files such as .env)")
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
	var now string
	var you wire.Member
	c.pr.with(func(r *roster) { now, you = r.settings.Workspace, r.you })
	if level == now {
		// As /approval and /permissions say theirs: the party's settings event, which
		// says a change, does not come for none (a tester's /share changes said nothing).
		c.pr.reply("system", "already: "+sharingWords(now, true, c.mayBeOwner(you)))
		return nil
	}
	if level == wire.WorkspaceTree {
		switch {
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
