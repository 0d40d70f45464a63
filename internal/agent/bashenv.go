// Commands that print the environment, or run a script that may (bashSecret's
// workspace.Environment).

package agent

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/concordia-party/concordia/internal/credential"
)

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
