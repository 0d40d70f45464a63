package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/concordia-party/concordia/internal/workspace"
)

// The output of a Bash command is kept back from the party when it may show a secret: it
// is named, as the file a tool result stands for (Output.File), after a file that usually
// holds credentials, or workspace.Environment for the host's environment variables and
// other keys and tokens. bashSecret reads the command before it runs; secretOutput reads
// the output of one that named nothing. Both read words and lines, not what the shell or a
// program does: a program that prints a secret in its own words gets through, so this is a
// guard against the common cases, not a boundary (PROTOCOL.md §5).

// bashSecret says what a Bash command may print that the party keeps back: a file which
// usually holds credentials that it names (cat .env, grep KEY ~/.aws/credentials, cat .e*),
// or workspace.Environment for a command that prints the environment (env, printenv,
// export, set, /proc/…/environ, os.environ, process.env, echo $API_TOKEN). "" for anything
// else.
func bashSecret(tool string, input json.RawMessage, workdir string) string {
	if tool != "Bash" {
		return ""
	}
	var in struct {
		Command string `json:"command"`
	}
	if json.Unmarshal(input, &in) != nil || in.Command == "" {
		return ""
	}
	for _, cmd := range simpleCommands(in.Command) {
		if printsEnvironment(cmd) {
			return workspace.Environment
		}
	}
	if readsEnvironment.MatchString(in.Command) {
		return workspace.Environment
	}
	for _, m := range shellVariable.FindAllStringSubmatch(in.Command, -1) {
		if secretName(m[1]) {
			return workspace.Environment
		}
	}
	for _, w := range shellWords(in.Command) {
		if strings.HasPrefix(w, "/proc/") && strings.HasSuffix(w, "/environ") {
			return workspace.Environment
		}
		if f := secretWord(w, workdir); f != "" {
			return f
		}
	}
	return ""
}

var (
	// readsEnvironment: a program's own reading of its environment, as a one-line script
	// writes it (python -c, node -e, ruby -e, perl -e).
	readsEnvironment = regexp.MustCompile(`os\.environ|process\.env\b|\bgetenv\b|\bENV\[|%ENV\b|\$ENV\{`)
	// shellVariable: $NAME or ${NAME…} in a command line.
	shellVariable = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
	// secretNamePart: what the name of a variable or a setting that holds a credential has
	// in it (API_KEY, GITHUB_TOKEN, DB_PASSWORD, aws_secret_access_key).
	secretNamePart = regexp.MustCompile(`(?i)key|token|secret|passw|credential|auth|private|session`)
)

// secretName reports whether a variable's name says it holds a credential.
func secretName(name string) bool {
	return secretNamePart.MatchString(name)
}

// simpleCommands splits a command line at ; & | ( ) { } ` and new lines, each part as its
// words (split at white space, their quotes taken off), with what only wraps a command
// taken off its start (time, nice -n 5, timeout 5, sudo, FOO=1, bash -c).
func simpleCommands(line string) [][]string {
	var out [][]string
	for _, part := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(";&|\n(){}`", r) }) {
		var words []string
		for _, w := range strings.Fields(part) {
			if w = strings.Trim(w, `'"`); w != "" {
				words = append(words, w)
			}
		}
		if words = unwrap(words); len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

// wrappers run the command that follows them, after their own options and numbers.
var wrappers = map[string]bool{
	"sudo": true, "command": true, "builtin": true, "exec": true, "time": true, "nice": true,
	"nohup": true, "timeout": true, "stdbuf": true, "ionice": true, "xargs": true, "watch": true,
	"bash": true, "sh": true, "zsh": true, "dash": true, "ksh": true, "fish": true,
}

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
// their quotes taken off.
func shellWords(line string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(line, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || strings.ContainsRune(";&|<>()`=", r)
	}) {
		if w = strings.Trim(w, `'"$`); w != "" {
			out = append(out, w)
		}
	}
	return out
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
		// prints the environment.
		for _, w := range rest {
			if !strings.HasPrefix(w, "-") && !strings.Contains(w, "=") {
				return false
			}
		}
		return true
	case "export", "declare", "typeset":
		return len(rest) == 0 || rest[0] == "-p" || rest[0] == "-x" || rest[0] == "-px"
	case "set":
		return len(rest) == 0
	}
	return false
}

// secretWord returns the file a word of a command names when it usually holds credentials
// (workspace.IsSecret), or "": a path, a name with a dot (.env, key.pem) or a file that is
// there (a word such as "credentials" alone is often not a file); a pattern (cat .e*) is
// matched against the files it names.
func secretWord(w, workdir string) string {
	p := w
	if !filepath.IsAbs(p) && workdir != "" && !strings.HasPrefix(p, "~") {
		p = filepath.Join(workdir, p)
	}
	if strings.ContainsAny(w, "*?[") {
		if workspace.IsSecret(strings.TrimPrefix(w, "~/")) {
			return w
		}
		// The shell's [!x] is Go's [^x].
		matches, _ := filepath.Glob(strings.ReplaceAll(p, "[!", "[^"))
		for _, m := range matches {
			if workspace.IsSecret(filepath.ToSlash(m)) {
				return m
			}
		}
		return ""
	}
	if !workspace.IsSecret(strings.TrimPrefix(w, "~/")) {
		return ""
	}
	if strings.ContainsAny(w, "/.") {
		return w
	}
	if _, err := os.Stat(p); err == nil {
		return w
	}
	return ""
}

var (
	// grepLine: a line of grep -r's, rg's or git grep's output, "path:…", and its path.
	grepLine = regexp.MustCompile(`^([^\s:][^:\n]*):`)
	// secretSetting: a line that sets a variable or a setting whose name says it holds a
	// credential, as .env, a shell, JSON, YAML or a Python dict write it (API_KEY=…,
	// "token": …, 'AWS_SECRET_ACCESS_KEY': …).
	secretSetting = regexp.MustCompile(`(?:^|[\s{,'"])(?:export\s+)?['"]?([A-Za-z_][A-Za-z0-9_.-]*)['"]?\s*[=:]\s*\S`)
)

// secretOutput says what the output of a Bash command that named no secret shows that the
// party keeps back: a file that usually holds credentials, by a line of grep's (path:…);
// workspace.Environment for lines that set a credential (API_KEY=…) or an environment's
// (PATH and HOME together: bash -c env). "" for anything else.
func secretOutput(text string) string {
	env := 0
	for _, line := range strings.Split(text, "\n") {
		if m := grepLine.FindStringSubmatch(line); m != nil && workspace.IsSecret(filepath.ToSlash(m[1])) {
			return m[1]
		}
		for _, m := range secretSetting.FindAllStringSubmatch(line, -1) {
			switch m[1] {
			case "PATH", "HOME":
				env++
			default:
				if secretName(m[1]) && strings.ToUpper(m[1]) == m[1] {
					return workspace.Environment
				}
			}
		}
	}
	if env >= 2 {
		return workspace.Environment
	}
	return ""
}
