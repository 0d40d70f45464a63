package agent

// What a tool request would do, in words for the people who decide it: its one line
// (ToolSummary), what it would write or run (ToolDetail), and whether it is a file edit
// inside the working directory (EditInWorkDir, what a party in "edits" allows).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/workspace"
)

// ToolSummary is one line saying what a tool call would do: the command, the file (relative
// to workdir when inside it), the URL, the pattern; otherwise its input, compacted.
func ToolSummary(tool string, input json.RawMessage, workdir string) string {
	var in map[string]any
	_ = json.Unmarshal(input, &in)
	str := func(k string) string {
		s, _ := in[k].(string)
		return s
	}
	rel := func(path string) string { return relPath(path, workdir) }
	var s string
	switch {
	case str("command") != "":
		s = commandLine(str("command"), in)
	case str("file_path") != "":
		s = rel(str("file_path"))
	case str("notebook_path") != "":
		s = rel(str("notebook_path"))
	case str("url") != "":
		s = str("url")
	case str("pattern") != "":
		s = str("pattern")
		if p := str("path"); p != "" {
			s += " in " + rel(p)
		}
	case str("plan") != "":
		s = "leave plan mode: " + str("plan")
	case str("query") != "":
		s = str("query")
	case str("path") != "":
		s = rel(str("path"))
	default:
		keys := make([]string, 0, len(in))
		for k := range in {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			v, _ := json.Marshal(in[k])
			parts = append(parts, k+"="+string(v))
		}
		s = strings.Join(parts, " ")
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > summaryRunes {
		s = string(r[:summaryRunes]) + "…"
	}
	return s
}

// commandLine is a command as a summary shows it: what changes how it runs first, where
// a cut cannot lose it (a reviewer's card said "npm test" of a command to run in the
// background, outside the sandbox).
func commandLine(command string, in map[string]any) string {
	var how []string
	if b, _ := in["run_in_background"].(bool); b {
		how = append(how, "in the background")
	}
	if b, _ := in["dangerouslyDisableSandbox"].(bool); b {
		how = append(how, "outside the sandbox")
	}
	if len(how) == 0 {
		return command
	}
	return strings.Join(how, ", ") + ": " + command
}

// throughLink is how a path inside workdir (r, relative to it) is shown: r, unless a
// symbolic link on the way leads out of workdir. Then the place it leads to comes first,
// as that is what the tool would touch: a reviewer's repository linked docs to the
// host's home, and a Write of docs/.bashrc read as a file of the project.
func throughLink(r, path, workdir string) string {
	real := realPath(path)
	if real == "" {
		return r
	}
	root, err := filepath.EvalSymlinks(workdir)
	if err != nil {
		root = filepath.Clean(workdir)
	}
	if within(root, real) {
		return r
	}
	return real + " (through a link: " + r + ")"
}

// realPath is where path leads once every symbolic link on the way is followed, the file
// itself too when it is one; folders not made yet are taken as named. "" when a folder
// cannot be read.
func realPath(path string) string {
	dir, rest, ok := resolveFolders(path)
	if !ok {
		return ""
	}
	return followLinks(filepath.Join(dir, rest), 40)
}

// followLinks is where p, in a folder already resolved, leads when it is itself a link:
// through a chain of links, and one to nothing yet too (a Write would make its target,
// whose folders may be links again: a tester's notes2.txt → notes.txt → ../outside/x).
// "" past depth links, or when a link cannot be read.
func followLinks(p string, depth int) string {
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return p
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	if depth == 0 {
		return ""
	}
	target, err := os.Readlink(p)
	if err != nil {
		return ""
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(p), target)
	}
	dir, rest, ok := resolveFolders(target)
	if !ok {
		return ""
	}
	return followLinks(filepath.Join(dir, rest), depth-1)
}

// protectedDirs are the folders of a working directory whose files Claude Code never lets
// an edit into without asking, whatever its mode, and the folders whose files run by
// themselves later, with the host's credentials: git hooks that husky or core.hooksPath
// name, CI workflows, a dev container's set-up (a reviewer's participant could have a
// pre-commit hook written unasked). EditInWorkDir leaves them out, at any depth, in lower
// case.
// Editors' and build tools' project settings too, which can name programs to run: Zed's
// language servers, Cargo's runners and wrappers, Maven's extensions (a reviewer's).
var protectedDirs = map[string]bool{".git": true, ".claude": true, ".vscode": true, ".idea": true,
	".husky": true, ".githooks": true, ".git-hooks": true, ".github": true, ".devcontainer": true,
	".circleci": true, ".buildkite": true, ".gitea": true, ".forgejo": true,
	".zed": true, ".cargo": true, ".mvn": true}

// protectedFiles are files that run by themselves in the same way: direnv's .envrc when
// the host enters the folder, pre-commit's and lefthook's hooks, the CI systems' files
// (GitLab, Travis, Jenkins, Azure, Bitbucket, Drone, Woodpecker; a reviewer's were written
// unasked), a dev container's set-up (its initializeCommand runs on the host), and Claude
// Code's own project MCP servers (.mcp.json: commands it may start when the party starts
// it again), Yarn's settings (its yarnPath runs at any yarn command), and the agent's own
// standing instructions (CLAUDE.md: every later session of the host's follows them; a
// reviewer's were written unasked). Any depth, in lower case; and any *.code-workspace,
// which holds VS Code tasks (protectedSuffixes).
var protectedFiles = map[string]bool{".envrc": true, ".pre-commit-config.yaml": true, ".gitlab-ci.yml": true,
	".devcontainer.json": true, "lefthook.yml": true, ".lefthook.yml": true, "lefthook-local.yml": true,
	".lefthook-local.yml": true, "lefthook.yaml": true, ".lefthook.yaml": true,
	".travis.yml": true, "jenkinsfile": true, "azure-pipelines.yml": true, "bitbucket-pipelines.yml": true,
	".drone.yml": true, ".woodpecker.yml": true, ".mcp.json": true,
	".yarnrc.yml": true, ".yarnrc": true, "claude.md": true, "claude.local.md": true}

// protectedSuffixes end the names of files protected as protectedFiles are.
var protectedSuffixes = []string{".code-workspace"}

// protectedName is a folder's or file's name as compared with the lists: in lower case,
// without the dots and spaces at its end that Windows drops (".envrc." is ".envrc" there).
func protectedName(seg string) string {
	return workspace.NameAsOpened(seg)
}

// EditPath is the file an edit tool (Edit, MultiEdit, Write, NotebookEdit) names in
// input, as given; "" for any other tool or an input without one.
func EditPath(tool string, input json.RawMessage) string {
	switch tool {
	case "Edit", "MultiEdit", "Write", "NotebookEdit":
		return FilePath(tool, input)
	}
	return ""
}

// FilePath is the one file a file tool names in input, as given — an edit tool's, or
// Read's and NotebookRead's, whose results are that file's text; "" for any other tool or
// an input without one.
func FilePath(tool string, input json.RawMessage) string {
	key := "file_path"
	switch tool {
	case "Edit", "MultiEdit", "Write", "Read":
	case "NotebookEdit", "NotebookRead":
		key = "notebook_path"
	default:
		return ""
	}
	return inputString(input, key)
}

// inputString is the string a tool's input holds under key; "" when it holds none (no
// such key, not a string, an input that is not an object).
func inputString(input json.RawMessage, key string) string {
	var in map[string]json.RawMessage
	if json.Unmarshal(input, &in) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(in[key], &s) != nil {
		return ""
	}
	return s
}

// grepFile is the one file a Grep searches, as the agent named it, when its path is a
// file (not a folder): its result is that file's lines, as a Read's is. "" otherwise.
func grepFile(tool string, input json.RawMessage, workdir string) string {
	if tool != "Grep" {
		return ""
	}
	named := inputString(input, "path")
	if named == "" {
		return ""
	}
	p := named
	if !filepath.IsAbs(p) && workdir != "" && !strings.HasPrefix(p, "~") {
		p = filepath.Join(workdir, p)
	}
	if home, err := os.UserHomeDir(); err == nil && (p == "~" || strings.HasPrefix(p, "~/")) {
		p = filepath.Join(home, p[1:])
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() {
		return ""
	}
	return named
}

// EditInWorkDir reports whether a tool request is a file edit (Edit, MultiEdit, Write,
// NotebookEdit) of a file inside workdir — its folder resolved through any symbolic links
// — and not in one of protectedDirs: what a party in "edits" allows without asking, as
// Claude Code's acceptEdits does for edits.
func EditInWorkDir(tool string, input json.RawMessage, workdir string) bool {
	if workdir == "" {
		return false
	}
	path := EditPath(tool, input)
	if path == "" || !filepath.IsAbs(path) {
		return false
	}
	root, err := filepath.EvalSymlinks(workdir)
	if err != nil {
		return false
	}
	// The deepest folder of path that exists, resolved: a link inside the working
	// directory may lead out of it.
	dir, rest, ok := resolveFolders(path)
	if !ok {
		return false
	}
	if fi, err := os.Lstat(filepath.Join(dir, rest)); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return false // the file itself is a link: where it leads is not checked here
	}
	rel, err := filepath.Rel(root, filepath.Join(dir, rest))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	// Any folder of the path, in any case: a nested repository's hooks run as its own do,
	// and on a file system that ignores case ".GIT" is ".git" (a reviewer's).
	segs := strings.Split(filepath.ToSlash(rel), "/")
	for _, seg := range segs {
		if protectedDirs[protectedName(seg)] {
			return false
		}
	}
	name := protectedName(segs[len(segs)-1])
	if protectedFiles[name] {
		return false
	}
	for _, suffix := range protectedSuffixes {
		if strings.HasSuffix(name, suffix) {
			return false
		}
	}
	// The folder core.hooksPath names may be any folder (a reviewer's scripts/hooks was
	// written unasked); it is looked up at each request, as a host may set it meanwhile.
	if hooks := hooksDir(root); hooks != "" && within(hooks, filepath.Join(dir, rest)) {
		return false
	}
	return true
}

// resolveFolders resolves the deepest folder of path that exists through its symbolic
// links: dir, and the rest of path under it (the file's name, and folders not made yet).
// ok is false when a folder cannot be read.
func resolveFolders(path string) (dir, rest string, ok bool) {
	dir, rest = filepath.Dir(filepath.Clean(path)), filepath.Base(path)
	for {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return real, rest, true
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return "", "", false
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = filepath.Dir(dir)
	}
}

// hooksDir is the folder, resolved, whose files git runs as hooks for the repository
// that workdir is in: the one core.hooksPath names, else .git/hooks. It is "" when
// workdir is in no repository or git cannot say.
func hooksDir(workdir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// --git-path hooks follows core.hooksPath, from any configuration file, and gives a
	// relative value relative to workdir.
	out, err := exec.CommandContext(ctx, "git", "-C", workdir, "rev-parse", "--git-path", "hooks").Output()
	p := strings.TrimSuffix(strings.TrimSuffix(string(out), "\n"), "\r")
	if err != nil || p == "" {
		return ""
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(workdir, p)
	}
	// Resolved as an edit's path is, through the deepest folder that exists: a hooks
	// folder not made yet under a link was compared unresolved (a reviewer's).
	if dir, rest, ok := resolveFolders(filepath.Join(p, "x")); ok {
		return filepath.Dir(filepath.Join(dir, rest))
	}
	return p
}

// within reports whether path is dir or inside it, in any case: a false "inside" only
// asks a host.
func within(dir, path string) bool {
	rel, err := filepath.Rel(strings.ToLower(dir), strings.ToLower(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// MaxDetail bounds ToolDetail's text, in bytes.
const MaxDetail = 8 << 10

// ToolDetail is what a host needs to see, beyond ToolSummary's line, to decide a tool
// request: the text a Write would write, an Edit's old and new text, a Bash command's
// description (and the whole command when the summary cannot show it), the agent's plan.
// A tester approved a Write seeing only its file's name, and a plan flattened onto one
// line. "" when the summary says it all. At most MaxDetail bytes, cut at a line with a
// note of what was left out.
func ToolDetail(tool string, input json.RawMessage) string {
	var in map[string]any
	_ = json.Unmarshal(input, &in)
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		return s
	}
	edit := func(m map[string]any) string {
		return prefixLines(str(m, "old_string"), "- ") + prefixLines(str(m, "new_string"), "+ ")
	}
	var s string
	switch tool {
	case "Write":
		s = str(in, "content")
	case "Edit":
		s = edit(in)
	case "MultiEdit":
		edits, _ := in["edits"].([]any)
		var parts []string
		for _, e := range edits {
			if m, ok := e.(map[string]any); ok {
				parts = append(parts, edit(m))
			}
		}
		s = strings.Join(parts, "…\n")
	case "NotebookEdit":
		s = str(in, "new_source")
	case "ExitPlanMode":
		s = str(in, "plan")
	case "Bash":
		s = bashDetail(str(in, "command"), str(in, "description"), commandLine(str(in, "command"), in))
	}
	return cutDetail(strings.TrimRight(s, "\n"))
}

// summaryRunes is how much of a request ToolSummary's line shows.
const summaryRunes = 200

// bashDetail is a Bash request's description, and its whole command when the summary's
// one line does not show it (cut at summaryRunes, or on several lines): a reviewer's
// command put "curl … | sh" past the cut, and the host saw only the agent's own
// description of it. The command comes first, on a "$ " line, and the description after
// it, each line "# "-prefixed and cut at descriptionMax: the agent writes both, and a long
// description pushed the command out of the detail (another reviewer's). A command too
// long for the detail shows its start and its end, and says how much is between.
func bashDetail(command, description, line string) string {
	command = strings.TrimSpace(command)
	// Judged by the summary's line as shown, what comes before the command included (a
	// code reviewer's "in the background, outside the sandbox: " pushed a curl | sh past
	// the cut, and the detail did not show it).
	if utf8.RuneCountInString(strings.TrimSpace(line)) <= summaryRunes && !strings.ContainsAny(command, "\n\r") {
		if strings.HasPrefix(strings.TrimSpace(description), "$") {
			// Not taken for the whole command, which a detail starting "$ " is (a
			// reviewer's window labelled the agent's words so).
			return strings.TrimRight(prefixLines(strings.TrimSpace(description), "# "), "\n")
		}
		return description
	}
	if description = strings.TrimSpace(description); len(description) > descriptionMax {
		description = cutRunes(description, descriptionMax) + "…"
	}
	if description != "" {
		description = "\n" + prefixLines(description, "# ")
	}
	room := MaxDetail - len(description) - 96
	if len(command) > room {
		head := cutRunes(command, room*3/4)
		tail := endRunes(command, room/4)
		command = fmt.Sprintf("%s\n… (%d bytes of the command not shown) …\n%s", head, len(command)-len(head)-len(tail), tail)
	}
	return strings.TrimRight("$ "+command+description, "\n")
}

// descriptionMax bounds the agent's description of a command in a detail that also holds
// the command.
const descriptionMax = 1 << 10

// cutRunes is s's longest start of at most n bytes that ends between characters.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// endRunes is s's longest end of at most n bytes that starts at a character.
func endRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// prefixLines puts prefix before every line of s ("" stays "").
func prefixLines(s, prefix string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

// cutDetail keeps s whole up to MaxDetail bytes, else its lines that fit and a last line
// saying how much was left out.
func cutDetail(s string) string {
	if len(s) <= MaxDetail {
		return s
	}
	cut := strings.LastIndexByte(s[:MaxDetail], '\n')
	if cut <= 0 {
		cut = MaxDetail
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut] + fmt.Sprintf("\n… (%d more bytes not shown)", len(s)-cut)
}
