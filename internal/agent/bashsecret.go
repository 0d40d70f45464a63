package agent

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/workspace"
)

// The output of a Bash command is kept back from the party when it may show a secret: it
// is named, as the file a tool result stands for (Output.File), after a file in the
// working directory that usually holds credentials (shown only where the party shares the
// whole folder), or workspace.Environment (shown nowhere) for the host's environment
// variables, keys and tokens, and any secret file elsewhere. bashSecret reads the command
// before it runs; secretOutput reads the output of one that named nothing. Both read words
// and lines, not what the shell or a program does: a program that prints a secret in its
// own words gets through, so this is a guard against the common cases, not a boundary
// (PROTOCOL.md §5). The command line itself is always shown.

// bashSecret says what a Bash command may print that the party keeps back: a file of the
// working directory which usually holds credentials that it names (cat .env, cat .e*), or
// workspace.Environment for one elsewhere (cat ~/.aws/credentials, or after a cd) and for a
// command that prints the environment (env, printenv, export, set, /proc/…/environ, a
// script's os.environ, echo $API_TOKEN). "" for anything else.
func bashSecret(tool string, input json.RawMessage, workdir string) string {
	if tool != "Bash" {
		return ""
	}
	line := inputString(input, "command")
	if line == "" {
		return ""
	}
	if len(line) > maxCommandRead {
		line = line[:maxCommandRead] // a heredoc's body is text, not commands
	}
	for _, l := range commandLines(line, 0) {
		if f := lineSecret(l, workdir); f != "" {
			return f
		}
	}
	return ""
}

// commandLines is line, its backslash-newlines taken out (the shell joins the lines), and
// the scripts it runs, read as command lines of their own: a word after an option that
// takes a script (sh -c, bash -lc, python -c, node -e, perl -ne, eval) or that holds a
// command substitution ("$(<.env)", "`cat .env`"). A reviewer's `bash -c 'cat .env |
// base64'` and `echo "$(<.env)" | base64` were one quoted word each, and went unseen.
// Scripts in scripts are read up to depth 3.
func commandLines(line string, depth int) []string {
	line = strings.ReplaceAll(line, "\\\n", "")
	lines := []string{line}
	if depth >= 3 {
		return lines
	}
	for _, part := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(";&|\n", r) }) {
		words := dequoted(part, "<>()`")
		for i, w := range words {
			script := i > 0 && (words[i-1] == "eval" || takesScript(words[i-1]) && runsScripts(words[:i-1]))
			if script || strings.Contains(w, "$(") || strings.Contains(w, "`") {
				lines = append(lines, commandLines(w, depth+1)...)
			}
		}
	}
	return lines
}

// runsScripts says whether the words before a script option are a program that runs a
// script given so (a shell, an interpreter, su), with its options and wrappers: set -e and
// grep -e are not (a reviewer's `set -e; export X=1` was read as a script that prints the
// environment).
func runsScripts(words []string) bool {
	for i := len(words) - 1; i >= 0; i-- {
		w := words[i]
		if strings.HasPrefix(w, "-") {
			continue
		}
		name := filepath.Base(w)
		return interpreters[name] || name == "su" || shells[name]
	}
	return false
}

// shells run the script after -c.
var shells = map[string]bool{"bash": true, "sh": true, "zsh": true, "dash": true, "ksh": true, "fish": true, "ash": true}

// takesScript says whether an option is one whose value is a script: -c, -e, -p (and
// those ending a group of letters: -lc, -ne, -pe).
func takesScript(w string) bool {
	return len(w) >= 2 && w[0] == '-' && w[1] != '-' && strings.ContainsRune("cep", rune(w[len(w)-1]))
}

// lineSecret is bashSecret for one command line (commandLines).
func lineSecret(line, workdir string) string {
	cmds := simpleCommands(line)
	moves := false // a cd: relative names may be anywhere
	for _, cmd := range cmds {
		if printsEnvironment(cmd) || readsEnvironment.MatchString(line) && runsScript(cmd, line) {
			return workspace.Environment
		}
		if name := filepath.Base(cmd[0]); name == "cd" || name == "pushd" {
			moves = true
		}
	}
	for _, m := range shellVariable.FindAllStringSubmatch(outsideSingleQuotes(line), -1) {
		if credential.Name(m[1]) {
			return workspace.Environment
		}
	}
	globs, budget := 0, globBudget{folders: maxGlobReads, names: maxGlobNames}
	seen := map[string]bool{}
	for _, w := range nameVariants(shellWords(line)) {
		if seen[w] {
			// A word unquoted is mostly the same dequoted and as written (shellWords): a
			// pattern matched twice spent the folders' budget twice, and a reviewer's
			// `wc -l internal/*/*.go` ran out of it, which counts as naming a secret.
			continue
		}
		seen[w] = true
		w = strings.ReplaceAll(w, `\`, "/") // C:\Users\me\.aws\credentials
		if procEnviron(w) {
			return workspace.Environment
		}
		outside := moves || pointsOutside(w)
		if strings.ContainsAny(w, "*?[") {
			globs++
			if f := globSecret(w, workdir, moves, &budget, globs > maxGlobs); f != "" {
				return f
			}
			continue
		}
		if f := secretWord(w, workdir, outside); f != "" {
			if outside {
				return workspace.Environment // never the party's, at any level
			}
			return f
		}
	}
	return ""
}

const (
	// maxCommandRead is how much of a command line is read: a long one is mostly a
	// heredoc's text (a reviewer's 70 KB script held the stream for seconds).
	maxCommandRead = 4 << 10
	// maxGlobs is how many patterns of one command line are matched against the folders;
	// one past them is taken as naming a secret (globSecret).
	maxGlobs = 16
	// maxGlobReads and maxGlobNames are how many folders the patterns of one command line
	// read, together, and how many names in them they match (a reviewer's /*/*/* must not
	// walk the disk on the stream's reader).
	maxGlobReads = 64
	maxGlobNames = 8192
)

// globBudget is what the patterns of a command line may still read (globFind).
type globBudget struct{ folders, names int }

var (
	// shellVariable: $NAME or ${NAME…} in a command line, of an upper-case name.
	shellVariable = regexp.MustCompile(`\$\{?([A-Z_][A-Z0-9_]*)`)
	// readsEnvironment: a script's own reading of its environment.
	readsEnvironment = regexp.MustCompile(`os\.environ|process\.env\b|\bgetenv\b|\bENV\b|%ENV\b|\$ENV\{|\$_ENV\b|\$_SERVER\b|\bDeno\.env\b|\bBun\.env\b|import\.meta\.env\b`)
)

// nameVariants is words with what they may also name: each brace expansion of a word
// ({.e,}nv is .env and nv; at most 16 of a word), and the path after a revision's colon
// (git show HEAD:.env).
func nameVariants(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		out = append(out, braces(w, 16)...)
		if rest, ok := strings.CutPrefix(w, "@"); ok && rest != "" {
			out = append(out, rest) // curl -d @.env sends the file
		}
		for _, m := range paramDefault.FindAllStringSubmatch(w, -1) {
			out = append(out, m[1]) // ${X:-.env} is .env when X is unset
		}
		if bare := expansion.ReplaceAllString(w, ""); bare != w && bare != "" && !strings.HasPrefix(bare, "/") {
			out = append(out, bare) // .en${X}v is .env when X is empty
		}
		if i := strings.LastIndex(w, ":"); i >= 0 && i < len(w)-1 && !strings.Contains(w, "://") && !strings.ContainsAny(w[i+1:], "*?[") {
			out = append(out, w[i+1:]) // named as it is, not a pattern (DEBUG=app:* is no glob of the folder)
		}
	}
	return out
}

// expansion: a variable's expansion in a word, $X or ${X}.
var expansion = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// paramDefault: a parameter expansion's default or alternative word (${X:-.env}).
var paramDefault = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=+?]([^}]+)\}`)

// braces is w's brace expansions ({a,b}), at most limit of them; w itself when it has none.
func braces(w string, limit int) []string {
	if limit <= 0 {
		return nil
	}
	open := strings.IndexByte(w, '{')
	if open < 0 {
		return []string{w}
	}
	depth, commas, end := 0, []int{}, -1
	for i := open; i < len(w) && end < 0; i++ {
		switch w[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				end = i
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if end < 0 || len(commas) == 0 {
		return []string{w}
	}
	var out []string
	from := open + 1
	for _, to := range append(commas, end) {
		// Each call is given only what is left, and none once the limit is met: a JSON
		// body of 22 objects took 1.4 s when the rest were walked for nothing (a reviewer's).
		out = append(out, braces(w[:open]+w[from:to]+w[end+1:], limit-len(out))...)
		if len(out) >= limit {
			return out[:limit]
		}
		from = to + 1
	}
	return out
}

// procEnviron says whether a word names a process's environment: /proc/PID/environ, or
// a pattern that matches it (/proc/self/env*).
func procEnviron(w string) bool {
	rest, ok := strings.CutPrefix(w, "/proc/")
	if !ok {
		return false
	}
	if strings.HasSuffix(w, "/environ") {
		return true
	}
	pid, _, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(pid, "*?[$") {
		pid = "self"
	}
	m, err := path.Match(w, "/proc/"+pid+"/environ")
	return err == nil && m
}

// outsideSingleQuotes is line with what is between single quotes taken out: the shell
// expands no variable there (git commit -m 'Rotate $API_KEY handling').
func outsideSingleQuotes(line string) string {
	var b strings.Builder
	in := false
	for _, r := range line {
		if r == '\'' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// simpleCommands splits a command line at ; & | ( ) { } ` and new lines, each part as its
// words (dequoted: split at white space, their quoting taken off), with what only wraps a command
// taken off its start (time, nice -n 5, timeout 5, sudo, FOO=1, bash -c).
func simpleCommands(line string) [][]string {
	var out [][]string
	for _, part := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(";&|\n(){}`", r) }) {
		// Also as written, quotes trimmed off the words' ends: a part cut inside a quoted
		// script (sh -c 'cd /tmp && …) is read as its words (a reviewer's lost the cd).
		var raw []string
		for _, w := range strings.Fields(part) {
			if w = strings.Trim(w, `'"`); w != "" {
				raw = append(raw, w)
			}
		}
		if words := unwrap(raw); len(words) > 0 {
			out = append(out, words)
		}
		if words := unwrap(dequoted(part, "")); len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

// wrappers run the command that follows them, after their own options and numbers.
var wrappers = map[string]bool{
	"sudo": true, "eval": true, "doas": true, "runuser": true, "setsid": true, "strace": true, "ltrace": true,
	"taskset": true, "unbuffer": true, "then": true, "do": true, "else": true, "elif": true, "if": true,
	"while": true, "until": true, "!": true, "{": true, "command": true, "builtin": true, "exec": true, "time": true, "nice": true,
	"nohup": true, "timeout": true, "stdbuf": true, "ionice": true, "xargs": true, "watch": true,
	"bash": true, "sh": true, "zsh": true, "dash": true, "ksh": true, "fish": true,
}

// wrapperValue: wrappers' options that take the next word as their value.
var wrapperValue = map[string]bool{"-u": true, "-g": true, "-U": true, "-C": true, "-D": true, "-T": true, "-h": true, "-I": true, "-d": true, "-a": true}

// unwrap takes off a simple command's wrappers (wrappers), their options and number
// arguments, and the assignments before the command (FOO=1 env is env).
func unwrap(words []string) []string {
	for len(words) > 0 {
		w := words[0]
		switch {
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "-"):
			words = words[1:]
		case wrappers[filepath.Base(w)]:
			words = words[1:]
			for len(words) > 0 && (strings.HasPrefix(words[0], "-") || isDuration(words[0]) || isSignal(words[0])) {
				if wrapperValue[words[0]] && len(words) > 1 {
					words = words[1:] // sudo -u root env: root is -u's
				}
				words = words[1:]
			}
		default:
			return words
		}
	}
	return words
}

// isSignal reports whether w is a signal's name (timeout -s KILL 5 env).
func isSignal(w string) bool {
	return w != "" && strings.Trim(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ12") == ""
}

// isDuration reports whether w is a number, with a unit (timeout 5s, nice -n 10).
func isDuration(w string) bool {
	w = strings.TrimRight(w, "smhd")
	if w == "" {
		return false
	}
	for _, r := range w {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// shellWords is a line's words, split at white space, redirections and = (--file=.env),
// their quoting taken off as the shell does (dequoted); $HOME and ${HOME} become ~. A word
// with a backslash is also read with it kept (an unquoted C:\Users\me\.aws\credentials).
func shellWords(line string) []string {
	line = strings.NewReplacer("${HOME}", "~", "$HOME", "~").Replace(line)
	var out []string
	for _, w := range dequoted(line, ";&|<>()`=") {
		// A quoted string of several words is no file name: its words are read below,
		// and as a script where it is one (a reviewer's `bash -c 'cat ~/.ssh/id_rsa'` was
		// taken whole for a file of the folder).
		if !strings.ContainsAny(w, " \t\n()'\"") {
			out = append(out, w)
		}
	}
	// And split as written, whatever the quoting, ends trimmed: a name in a quoted text
	// that runs (echo 'cat .env' | sh, ssh host 'cat .env', awk's getline, a heredoc's
	// script) is seen, as it was before words were dequoted; so is an unquoted
	// C:\Users\me\.aws\credentials.
	for _, w := range strings.FieldsFunc(line, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || strings.ContainsRune(";&|<>()`=", r)
	}) {
		if w = strings.Trim(w, `'"`); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// dequoted is s's words as a command gets them from the shell: split at white space and,
// outside quotes, at the runes of seps; quotes taken off wherever they are in a word, and
// a backslash outside them (in double quotes: before $ ` " \ and a new line), so that
// .e""nv and .e\nv are .env (and .e, two single quotes, nv). Expansions ($x, *) are left
// as they are.
func dequoted(s, seps string) []string {
	var out []string
	var b strings.Builder
	rs := []rune(s)
	var quote rune
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				b.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && i+1 < len(rs) && strings.ContainsRune("$`\"\\\n", rs[i+1]):
				i++
				if rs[i] != '\n' {
					b.WriteRune(rs[i])
				}
			default:
				b.WriteRune(r)
			}
		case r == '$' && i+1 < len(rs) && rs[i+1] == '\'':
			i = ansiC(rs, i+2, &b) // $'\x2eenv' is .env
		case r == '$' && i+1 < len(rs) && rs[i+1] == '"':
			i++
			quote = '"' // $"…" is "…" outside a translated locale
		case r == '\'' || r == '"':
			quote = r
		case r == '\\':
			if i+1 < len(rs) {
				i++
				if rs[i] != '\n' {
					b.WriteRune(rs[i])
				}
			}
		case r == ' ' || r == '\t' || r == '\n' || strings.ContainsRune(seps, r):
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// ansiC writes the ANSI-C quoted text ($'…') that starts at rs[i] into b, its escapes
// decoded (\n, \t, \xHH, \NNN, \uHHHH and the like), and returns the index of its
// closing quote (or the last rune).
func ansiC(rs []rune, i int, b *strings.Builder) int {
	simple := map[rune]rune{'n': '\n', 't': '\t', 'r': '\r', 'a': '\a', 'b': '\b', 'e': 0x1b, 'f': '\f', 'v': '\v', '\\': '\\', '\'': '\'', '"': '"', '?': '?'}
	for ; i < len(rs); i++ {
		r := rs[i]
		if r == '\'' {
			return i
		}
		if r != '\\' || i+1 >= len(rs) {
			b.WriteRune(r)
			continue
		}
		i++
		if v, ok := simple[rs[i]]; ok {
			b.WriteRune(v)
			continue
		}
		base, digits, max := 0, 0, 0
		switch {
		case rs[i] == 'x':
			base, max = 16, 2
			i++
		case rs[i] == 'u':
			base, max = 16, 4
			i++
		case rs[i] == 'U':
			base, max = 16, 8
			i++
		case rs[i] >= '0' && rs[i] <= '7':
			base, max = 8, 3
		default:
			b.WriteRune('\\')
			b.WriteRune(rs[i])
			continue
		}
		v := 0
		for ; digits < max && i < len(rs); digits++ {
			d := strings.IndexRune("0123456789abcdef"[:base], unicode.ToLower(rs[i]))
			if d < 0 {
				break
			}
			v = v*base + d
			i++
		}
		i-- // the loop's i++ moves past the last digit
		if digits > 0 {
			b.WriteRune(rune(v))
		}
	}
	return len(rs) - 1
}

// printsEnvironment reports whether a simple command, its wrappers taken off, prints
// environment variables: env or printenv with nothing to run, export or declare listing
// them, set alone.
func printsEnvironment(words []string) bool {
	if len(words) == 0 {
		return false
	}
	rest := words[1:]
	switch filepath.Base(words[0]) {
	case "printenv":
		return true
	case "env":
		// env VAR=1 cmd runs cmd; with only options and assignments, nothing to run, it
		// prints the environment (-u NAME, -C DIR and -S STRING take a word).
		for i := 0; i < len(rest); i++ {
			switch w := rest[i]; {
			case w == "-u" || w == "-C" || w == "-S" || w == "--unset" || w == "--chdir":
				i++
			case strings.TrimLeft(w, "0123456789&") == ">" || strings.TrimLeft(w, "0123456789&") == ">>" || w == "<":
				i++ // a redirection to the next word (env > /tmp/e)
			case strings.HasPrefix(w, "-") || strings.Contains(w, "=") || strings.ContainsAny(w, "<>"):
				// An option, an assignment, or a redirection (env 2>&1 | grep KEY).
			default:
				return printsEnvironment(rest[i:]) // env FOO=1 printenv runs printenv
			}
		}
		return true
	case "export", "declare", "typeset":
		if len(rest) == 0 {
			return true
		}
		if o := rest[0]; strings.HasPrefix(o, "-") && strings.ContainsAny(o[1:], "px") {
			// declare -p, -x, -xp list the variables; declare -p NAME shows NAME's value.
			return len(rest) == 1 || slices.ContainsFunc(rest[1:], func(w string) bool { return !strings.Contains(w, "=") && credential.Name(w) })
		}
		return false
	case "set":
		return len(rest) == 0
	case "ps":
		return psShowsEnvironment(rest)
	}
	return false
}

// psShowsEnvironment reports whether ps's arguments ask for every process's environment:
// procps' BSD-style option e (ps eww, ps auxe) and macOS's -E; not Linux's -e (every
// process). A letter that takes a value (-o user,args; BSD o, U, p …) ends its group: the
// rest of the group is the value, or the next word when the letter is the group's last.
func psShowsEnvironment(args []string) bool {
	for i := 0; i < len(args); i++ {
		w := args[i]
		var letters, env, takes string
		switch {
		case strings.HasPrefix(w, "--"):
			if !strings.Contains(w, "=") && psLongTakesWord[w] {
				i++
			}
			continue
		case strings.HasPrefix(w, "-"):
			letters, env, takes = w[1:], "E", "oOpuUgGCtqsk"
		case w != "" && strings.Trim(w, "aAcefghjlmrSTuvwxXLsnZoOpUtkq") == "":
			letters, env, takes = w, "eE", "oOpUtkq"
		default:
			continue
		}
		for j, r := range letters {
			if strings.ContainsRune(env, r) {
				return true
			}
			if strings.ContainsRune(takes, r) {
				if j == len(letters)-1 {
					i++ // its value is the next word (ps -o pid,user; ps axo pid,user)
				}
				break
			}
		}
	}
	return false
}

// globSecret is secretWord for a pattern (cat .e*, cat */.env, cat ~/.ss*/id_*): what it
// names when the pattern itself names a secret file (.env*), else the first secret file it
// matches as the shell would expand it (globFind), read where it points: the working
// directory, the home folder (~/, $HOME/) or an absolute path. A match in the working
// directory is that file, relative; one elsewhere is workspace.Environment. After a cd
// (moved), or under another variable, where a relative pattern points is not known: only
// the pattern itself is read. budget is what the command's patterns may still read; a
// pattern it cannot walk whole, or any once a line has more than maxGlobs (skip), is taken
// as naming a secret: a reviewer's decoys (ls /usr/*/*/* first, or eight patterns) spent
// the budget and the ~/.ss*/id_* after them went unread. A match that is program source
// is no secret file (secrets.go: a reviewer's gofmt -l internal/*/*.go was kept back).
func globSecret(w, workdir string, moved bool, budget *globBudget, skip bool) string {
	named := func() string {
		if pointsOutside(w) || moved {
			return workspace.Environment
		}
		return w
	}
	if workspace.IsSecret(strings.TrimPrefix(w, "~/")) {
		return named()
	}
	abs := patternPath(w, workdir, moved)
	if abs == "" {
		return ""
	}
	if skip {
		return named()
	}
	m, whole := globFind(abs, budget, func(m string) bool {
		m = filepath.ToSlash(m)
		return workspace.IsSecret(m) && !sourceFile.MatchString(m)
	})
	if m == "" {
		if !whole {
			return named()
		}
		return ""
	}
	if workdir != "" {
		if rel, err := filepath.Rel(workdir, m); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return workspace.Environment
}

// pointsOutside: a word that points out of the working directory wherever the command is
// (a path from the root, the home folder, a variable, .., a drive).
func pointsOutside(w string) bool {
	return strings.HasPrefix(w, "/") || strings.HasPrefix(w, "~") || strings.Contains(w, "$") ||
		strings.Contains(w, "..") || len(w) > 1 && w[1] == ':'
}

// patternPath is the absolute pattern a pattern word stands for: from the home folder
// for ~/ (shellWords made $HOME and ${HOME} that), as it is when absolute, else from the
// working directory; "" when that is not known (after a cd, under another variable, ~user).
func patternPath(w, workdir string, moved bool) string {
	if rest, ok := strings.CutPrefix(w, "~/"); ok {
		dir, err := os.UserHomeDir()
		if err != nil || dir == "" {
			return ""
		}
		return filepath.Join(dir, rest)
	}
	switch {
	case filepath.IsAbs(w) || strings.HasPrefix(w, "/"):
		return filepath.Clean(w)
	case moved || workdir == "" || strings.HasPrefix(w, "~") || strings.Contains(w, "$"):
		return ""
	}
	return filepath.Join(workdir, w)
}

// globFind expands the absolute pattern pat as the shell would, one path segment at a
// time (* and ? match no leading dot unless the segment starts with one; [!x] is [^x]),
// and returns the first existing path keep accepts, or "". It reads no more folders and
// matches no more names than budget holds, and takes what it spends from it; whole is
// false when it stopped for want of budget before it had walked all it could match. Only
// folders (or links to them) are walked into: a reviewer's 70 files spent the budget.
func globFind(pat string, budget *globBudget, keep func(string) bool) (match string, whole bool) {
	vol := filepath.VolumeName(pat)
	segs := strings.Split(filepath.ToSlash(pat[len(vol):]), "/")
	whole = true
	var walk func(dir string, i int) string
	walk = func(dir string, i int) string {
		for ; i < len(segs) && !strings.ContainsAny(segs[i], "*?["); i++ {
			dir = filepath.Join(dir, segs[i])
		}
		if i == len(segs) {
			if _, err := os.Lstat(dir); err == nil && keep(dir) {
				return dir
			}
			return ""
		}
		if budget.folders <= 0 || budget.names <= 0 {
			whole = false
			return ""
		}
		budget.folders--
		entries, err := os.ReadDir(dir)
		if err != nil {
			return ""
		}
		seg := strings.ReplaceAll(segs[i], "[!", "[^")
		dotted := strings.HasPrefix(segs[i], ".")
		last := i == len(segs)-1
		for _, e := range entries {
			if budget.names--; budget.names < 0 {
				whole = false
				return ""
			}
			name := e.Name()
			if strings.HasPrefix(name, ".") && !dotted {
				continue
			}
			if ok, _ := path.Match(seg, name); !ok {
				continue
			}
			next := filepath.Join(dir, name)
			if !last && !e.IsDir() {
				if e.Type()&fs.ModeSymlink == 0 {
					continue // a file has nothing under it
				}
				if st, err := os.Stat(next); err != nil || !st.IsDir() {
					continue
				}
			}
			if f := walk(next, i+1); f != "" {
				return f
			}
		}
		return ""
	}
	return walk(vol+string(filepath.Separator), 0), whole
}

// psLongTakesWord: ps's long options that take the next word as their value.
var psLongTakesWord = map[string]bool{"--format": true, "--sort": true, "--pid": true, "--ppid": true, "--user": true, "--User": true, "--group": true, "--Group": true, "--tty": true, "--sid": true, "--cols": true, "--columns": true, "--rows": true, "--lines": true, "--width": true}

// interpreters run a script given with -c, -e or -p.
var interpreters = map[string]bool{
	"python": true, "python3": true, "python2": true, "node": true, "ruby": true, "perl": true,
	"deno": true, "bun": true, "php": true,
}

// runsScript reports whether a simple command of line runs a script written in the
// command line (python -c, node -e) or read from its input — a heredoc or a file given
// with < (python3 - <<EOF, python3 << 'EOF'), or a pipe into it (… | python3): then a
// command line that reads the environment (os.environ, process.env) prints it; a grep for
// "process.env" does not (a reviewer's), nor does one beside python3 --version.
func runsScript(words []string, line string) bool {
	name := filepath.Base(words[0])
	if !interpreters[name] {
		return false
	}
	file, fed := false, false // a script file or a module to run (python3 app.py, -m http.server); input given
	for i := 1; i < len(words); i++ {
		w := words[i]
		if takesScript(w) || w == "eval" || w == "-r" || w == "-E" || w == "--eval" || w == "--print" || w == "-" {
			return true // perl -le, node -pe, python3 -Ic too (takesScript)
		}
		if m := redirection.FindString(w); m != "" {
			fed = fed || strings.Contains(m, "<")
			if m == w {
				i++ // its target is the next word (python3 << EOF, > out.txt, 2> /dev/null)
			}
			continue
		}
		if !strings.HasPrefix(w, "-") {
			file = true
		}
	}
	if file {
		return false
	}
	return fed || regexp.MustCompile(`\|&?\s*(?:\S*/)?`+regexp.QuoteMeta(name)+`(?:\s|$)`).MatchString(line)
}

// redirection: the operator a word starts with when it redirects input or output (<<EOF,
// <<'EOF', <<-EOF, <<<, >out.txt, 2>&1, &>>log); the whole word when it is only that.
var redirection = regexp.MustCompile(`^[0-9]*(?:<<<|<<-?|<>|<&|>>|>&|>\||<|>)|^&>>?`)

// secretWord returns the file a word of a command names when it usually holds credentials
// (workspace.IsSecret), or "": a path, a name that starts with a dot (.env), a file that is
// there (prod.env, key.pem; "process.env" in a grep is not one), or any such name once the
// command moved (outside: a cd, a path out of the working directory). Patterns are
// globSecret's.
func secretWord(w, workdir string, outside bool) string {
	p := w
	if !filepath.IsAbs(p) && workdir != "" && !strings.HasPrefix(p, "~") {
		p = filepath.Join(workdir, p)
	}
	if !workspace.IsSecret(strings.TrimPrefix(w, "~/")) {
		return ""
	}
	if outside || strings.Contains(w, "/") || strings.HasPrefix(w, ".") {
		return w
	}
	if _, err := os.Stat(p); err == nil {
		return w
	}
	return ""
}

var (
	// grepLine: a line of grep -r's, rg's or git grep's output, "file:…", and its file
	// (a drive letter's colon included).
	grepLine = regexp.MustCompile(`^((?:[A-Za-z]:)?[^\s:]+):`)
	// secretSetting: a setting of a variable or a key, as .env, a shell, JSON, YAML, a
	// Python dict, grep's "file:line:" or a diff's "+" write it (API_KEY=…, 'TOKEN': …):
	// its name and its value.
	secretSetting = regexp.MustCompile(`(?:^|[\s{,'":+-])(?:export\s+)?['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?\s*[=:]\s*['"]?([^\s'",}]*)`)
	// sourceFile: a file name of program source, which grep output names but which is
	// rarely a credentials file (secrets.go, credentials.py: a reviewer's build log).
	sourceFile = regexp.MustCompile(`\.(?:go|py|js|ts|tsx|jsx|rb|java|kt|rs|c|h|cc|cpp|hpp|cs|swift|php|scala|md|txt|html|css)$`)
)

// secretOutput says what the output of a Bash command that named no secret shows that the
// party keeps back: a file that usually holds credentials, by a line of grep's (file:…);
// workspace.Environment for a credential by its shape (a URL with a password, a known
// token, a private key), a line that sets one (API_KEY=…, with a value that looks like
// one; password: …, in lower case, with a value that looks random), or an environment's
// PATH and HOME both. "" for anything else.
//
// A secret file named by a path outside workdir (absolute, from ~, with ..) is never
// shown (workspace.Environment): $HOME/.aws/credentials was once taken for a file of the
// working directory. An absolute path inside workdir is that file, relative (Claude
// Code's Grep names files by absolute paths: a reviewer's Grep with no path showed
// .env's lines to every member).
func secretOutput(text, workdir string) string {
	path, home := false, false
	var inside string // workdir and a separator: a line's path may hold spaces after it
	if workdir != "" && filepath.IsAbs(workdir) {
		inside = strings.TrimSuffix(workdir, string(filepath.Separator)) + string(filepath.Separator)
	}
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, inside); ok && inside != "" {
			// A path inside the working folder, up to the first colon after it: the
			// folder's own name may have spaces (a reviewer's "My Project/.env:3:…" was
			// not taken for a grep line, and shown).
			if f, _, ok := strings.Cut(rest, ":"); ok && workspace.IsSecret(filepath.ToSlash(f)) && !sourceFile.MatchString(f) && filepath.IsLocal(f) {
				return f
			}
		}
		if m := grepLine.FindStringSubmatch(line); m != nil {
			if f := filepath.ToSlash(m[1]); workspace.IsSecret(f) && !sourceFile.MatchString(f) {
				if !filepath.IsAbs(m[1]) && !strings.HasPrefix(f, "/") && !strings.HasPrefix(f, "~") && !strings.Contains(f, "..") {
					return m[1]
				}
				if rel, err := filepath.Rel(workdir, m[1]); workdir != "" && filepath.IsAbs(m[1]) && err == nil && filepath.IsLocal(rel) {
					return rel
				}
				return workspace.Environment
			}
		}
		if credential.Shaped(line) {
			return workspace.Environment
		}
		for _, m := range secretSetting.FindAllStringSubmatch(line, -1) {
			switch {
			case m[1] == "PATH":
				path = true
			case m[1] == "HOME":
				home = true
			case credential.Name(m[1]) && credential.Value(m[2]):
				return workspace.Environment
			case credential.LooseName(m[1]) && credential.Random(m[2]):
				return workspace.Environment // password: …, api_key: "…" (YAML, JSON)
			}
		}
	}
	if path && home {
		return workspace.Environment
	}
	if showsSecretValue(text, workdir) {
		return workspace.Credential
	}
	return ""
}

// showsSecretValue says whether text shows a value that one of the working directory's
// secret files holds (its top folder and the folders just under it): a command that reads
// one by another name (`cat $(printf .en)v`, a tester's, once Bash was always allowed)
// neither asks nor names it, and its output went to every member. Values of 8 characters
// or more that read as a credential's (credential.Value), and a key file's long lines; a
// file of more than 64 KiB is not read.
func showsSecretValue(text, workdir string) bool {
	if workdir == "" || len(text) < 8 {
		return false
	}
	for _, v := range secretValues(workdir) {
		if strings.Contains(text, v) {
			return true
		}
	}
	return false
}

// secretValues are the values showsSecretValue looks for.
func secretValues(workdir string) []string {
	var files []string
	dirs := []string{workdir}
	if entries, err := os.ReadDir(workdir); err == nil {
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".git") {
				dirs = append(dirs, filepath.Join(workdir, e.Name()))
			}
			if len(dirs) > maxSecretDirs {
				break
			}
		}
	}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			if rel, err := filepath.Rel(workdir, p); err == nil && e.Type().IsRegular() && workspace.IsSecret(filepath.ToSlash(rel)) {
				files = append(files, p)
			}
		}
	}
	var values []string
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Size() > maxSecretFile {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if _, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && !strings.HasPrefix(line, "#") {
				if v = strings.Trim(strings.TrimSpace(v), `"'`); credential.Value(v) {
					values = append(values, v)
				}
				continue
			}
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				values = append(values, line) // a key's body
			}
		}
	}
	return values
}

// maxSecretDirs and maxSecretFile bound what secretValues reads for one tool result.
const (
	maxSecretDirs = 64
	maxSecretFile = 64 << 10
)
