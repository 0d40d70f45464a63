// How a command line is read as the shell reads it: its simple commands, their words with
// their quoting taken off, and what only wraps a command (bashSecret's reading).

package agent

import (
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

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
			if r == '"' {
				quote = 0
			} else {
				var text string
				text, i = doubleQuoted(rs, i)
				b.WriteString(text)
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

// doubleQuoted reads the rune at rs[i] inside double quotes: the text it stands for, and
// the index of the last rune read. A backslash takes the next rune when it is $ ` " \ or a
// new line, which continues the line and stands for nothing.
func doubleQuoted(rs []rune, i int) (string, int) {
	if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("$`\"\\\n", rs[i+1]) {
		if rs[i+1] == '\n' {
			return "", i + 1
		}
		return string(rs[i+1]), i + 1
	}
	return string(rs[i]), i
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

// redirection: the operator a word starts with when it redirects input or output (<<EOF,
// <<'EOF', <<-EOF, <<<, >out.txt, 2>&1, &>>log); the whole word when it is only that.
var redirection = regexp.MustCompile(`^[0-9]*(?:<<<|<<-?|<>|<&|>>|>&|>\||<|>)|^&>>?`)
