package agent

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

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
		// A long one is mostly a heredoc's text, which is data: read without it. What is
		// still too long to read counts as naming a secret: a security tester's `cat .env`
		// after 4 KB of heredoc was not read at all.
		if line = withoutDataHeredocs(line); len(line) > maxCommandRead {
			return workspace.Environment
		}
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
	// Once a line, not once a command: a reviewer's 4 KB lines of 2,000 commands took
	// seconds on the stream's reader.
	envScript := readsEnvironment.MatchString(line)
	for _, cmd := range cmds {
		if printsEnvironment(cmd) || envScript && runsScript(cmd, line) {
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
	built := composedNames(line)
	for _, w := range nameVariants(append(shellWords(line), built.names...)) {
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
	return composedSecret(built, workdir, moves)
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
