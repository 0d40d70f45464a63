package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/concordia-party/concordia/internal/workspace"
)

// bashSecret says what a Bash command's output may show that the party keeps back, as the
// file a tool result stands for (Output.File): a file that usually holds credentials that
// the command names (cat .env, grep KEY ~/.aws/credentials), or workspace.Environment for a
// command that prints the environment (env, printenv, export, set, /proc/…/environ), which
// holds the host's keys and tokens. "" for anything else. It reads the command's words, not
// what the shell would make of them: a command that builds a name (cat $(echo .e)nv) gets
// through, so this is a guard against the common case, not a boundary (PROTOCOL.md §9).
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
	for _, w := range shellWords(in.Command) {
		if strings.HasPrefix(w, "/proc/") && strings.HasSuffix(w, "/environ") {
			return workspace.Environment
		}
		if secretWord(w, workdir) {
			return w
		}
	}
	return ""
}

// simpleCommands splits a command line at ; & | ( ) { } ` and new lines, each part as its
// words (split at white space, their quotes taken off).
func simpleCommands(line string) [][]string {
	var out [][]string
	for _, part := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(";&|\n(){}`", r) }) {
		var words []string
		for _, w := range strings.Fields(part) {
			if w = strings.Trim(w, `'"`); w != "" {
				words = append(words, w)
			}
		}
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
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

// printsEnvironment reports whether a simple command prints environment variables: env or
// printenv with nothing to run, export or declare listing them, set alone.
func printsEnvironment(words []string) bool {
	for len(words) > 0 && (words[0] == "sudo" || words[0] == "command" || words[0] == "builtin" || strings.Contains(words[0], "=")) {
		words = words[1:] // FOO=1 env is env
	}
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

// secretWord reports whether a word of a command names a file that usually holds
// credentials: by its name (workspace.IsSecret), and a path, a pattern, a name with a dot
// (.env, key.pem), or a file that is there (a word such as "credentials" alone is often not
// a file).
func secretWord(w, workdir string) bool {
	if !workspace.IsSecret(strings.TrimPrefix(w, "~/")) {
		return false
	}
	if strings.ContainsAny(w, "/*?[.") {
		return true
	}
	p := w
	if !filepath.IsAbs(p) && workdir != "" {
		p = filepath.Join(workdir, p)
	}
	_, err := os.Stat(p)
	return err == nil
}
