// Names a command line builds out of pieces: a word that joins text with expansions
// (.e$(true)nv, .${x}nv, ${a}v), with what the line assigns to its variables put in, and a
// pattern find matches against every name, dotted ones too (find . -name '*nv').

package agent

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/concordia-party/concordia/internal/workspace"
)

// unknownPart stands, in a composed name, for an expansion whose value the line does not
// give; it becomes a '*' that also matches a leading dot (composedNames).
const unknownPart = "\x00"

const (
	// maxComposed is how many composed names or patterns one command line yields.
	maxComposed = 16
	// maxAssigned is how many values one variable is given (for f in a b c).
	maxAssigned = 8
)

// composedNames reads line as the shell splits it into words and returns what its words
// made of text and expansions may name (a security tester's `base64 .e$(true)nv` and
// `x=e; base64 .${x}nv` read .env unasked under an "always" for Bash):
//
//   - names: words whose every expansion is a variable the line assigns (a=.en; cat ${a}v
//     is .env; for f in .e x; do cat ${f}nv), read as the other words of the line are;
//   - patterns: words with an expansion the line does not give — a command's output, $@,
//     ${x:0:0}, a variable from elsewhere — in their last path element, beside text of
//     their own: each such expansion a '*' that may match anything, a leading dot too;
//     and a pattern given to find's -name or -iname, which matches dotted names.
//
// A word that is only an expansion ($f, "$(ls)") names nothing here: what it holds is not
// in the line. This is a reading of words; a name the command computes (ls -A | grep nv |
// xargs cat) is not seen (PROTOCOL.md §5).
func composedNames(line string) (names, patterns []string) {
	vars := map[string][]string{}
	for _, cmd := range splitComposed(line) {
		forVar := ""
		for i, w := range cmd {
			values := w.resolve(vars)
			switch {
			case i == 0 && len(cmd) > 1 && w.literal() == "for":
				if v := cmd[1].literal(); identifier.MatchString(v) {
					forVar, vars[v] = v, nil
				}
				continue
			case forVar != "" && i == 1:
				continue
			case forVar != "" && i == 2 && w.literal() == "in":
				continue
			case forVar != "":
				if w.literal() == "do" {
					forVar = ""
					continue
				}
				for _, v := range values {
					if len(vars[forVar]) < maxAssigned {
						vars[forVar] = append(vars[forVar], v)
					}
				}
			}
			if name, _, ok := strings.Cut(w.literalPrefix(), "="); ok && identifier.MatchString(name) && assigns(cmd, i) {
				// x=e or export x=e: its values are the word's after the =.
				var vs []string
				for _, v := range values {
					if len(vs) < maxAssigned {
						vs = append(vs, strings.TrimPrefix(v, name+"="))
					}
				}
				vars[name] = vs
			}
			if i > 0 && (cmd[i-1].literal() == "-name" || cmd[i-1].literal() == "-iname") && w.plain() {
				if l := w.literal(); strings.ContainsAny(l, "*?[") && len(patterns) < maxComposed {
					patterns = append(patterns, l)
				}
				continue
			}
			if !w.expands() {
				continue
			}
			for _, v := range values {
				if !strings.Contains(v, unknownPart) {
					if len(names) < maxComposed {
						names = append(names, v)
					}
					continue
				}
				if p := composedPattern(v); p != "" && len(patterns) < maxComposed {
					patterns = append(patterns, p)
				}
			}
		}
	}
	return names, patterns
}

// identifier: a shell variable's name.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// assigns says whether word i of a simple command is an assignment's place: before the
// command (x=1 y=2 cmd) or an argument of export, local, declare, readonly or typeset.
func assigns(cmd []shellWord, i int) bool {
	for j := 0; j < i; j++ {
		if name, _, ok := strings.Cut(cmd[j].literalPrefix(), "="); ok && identifier.MatchString(name) {
			continue
		}
		switch cmd[j].literal() {
		case "export", "local", "declare", "readonly", "typeset":
			return true
		}
		return false
	}
	return true
}

// composedPattern is a composed name with unknown parts as a pattern: only when they are
// in its last path element beside text of its own (.e*nv, src/*v); "" for one that is only
// unknown there ($f, $dir/$f) or has an unknown folder ($dir/.e$x: the folder is anywhere).
func composedPattern(v string) string {
	dir, base := "", v
	if i := strings.LastIndex(v, "/"); i >= 0 {
		dir, base = v[:i+1], v[i+1:]
	}
	if strings.Contains(dir, unknownPart) || strings.Trim(base, unknownPart) == "" {
		return ""
	}
	for strings.Contains(base, unknownPart+unknownPart) {
		base = strings.ReplaceAll(base, unknownPart+unknownPart, unknownPart)
	}
	return dir + strings.ReplaceAll(base, unknownPart, "*")
}

// shellWord is one word of a command line: its text, quoting taken off, and its expansions.
type shellWord []wordPart

// wordPart is text, or an expansion: of a variable by name, or of something else (a
// command's output, $@, ${x:0:0}), whose value is unknown.
type wordPart struct {
	text    string
	name    string // $name or ${name}
	unknown bool
}

func (w shellWord) expands() bool {
	for _, p := range w {
		if p.name != "" || p.unknown {
			return true
		}
	}
	return false
}

// plain says whether the word is text only.
func (w shellWord) plain() bool { return !w.expands() }

// literal is the word's text when it has no expansion, else "".
func (w shellWord) literal() string {
	if w.expands() {
		return ""
	}
	return w.literalPrefix()
}

// literalPrefix is the word's text up to its first expansion.
func (w shellWord) literalPrefix() string {
	var b strings.Builder
	for _, p := range w {
		if p.name != "" || p.unknown {
			break
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// resolve is what the word may be: each variable the line assigned put in (every value
// given, at most maxComposed words), any other expansion unknownPart.
func (w shellWord) resolve(vars map[string][]string) []string {
	out := []string{""}
	for _, p := range w {
		var alts []string
		switch {
		case p.name != "" && len(vars[p.name]) > 0:
			alts = vars[p.name]
		case p.name != "" || p.unknown:
			alts = []string{unknownPart}
		default:
			alts = []string{p.text}
		}
		next := make([]string, 0, len(out)*len(alts))
		for _, o := range out {
			for _, a := range alts {
				if len(next) < maxComposed {
					next = append(next, o+a)
				}
			}
		}
		out = next
	}
	return out
}

// splitComposed splits a command line into simple commands of words as the shell does:
// at white space and ; & | < > ( ) and new lines outside quotes and expansions, quotes
// taken off, $(…), `…`, $((…)) and ${…} kept whole as expansions, $'…' decoded.
func splitComposed(line string) [][]shellWord {
	rs := []rune(line)
	var cmds [][]shellWord
	var cmd []shellWord
	var word shellWord
	var text strings.Builder
	inWord := false
	flushText := func() {
		if text.Len() > 0 {
			word = append(word, wordPart{text: text.String()})
			text.Reset()
		}
	}
	endWord := func() {
		flushText()
		if inWord {
			cmd = append(cmd, word)
		}
		word, inWord = nil, false
	}
	endCmd := func() {
		endWord()
		if len(cmd) > 0 {
			cmds = append(cmds, cmd)
		}
		cmd = nil
	}
	addText := func(s string) {
		text.WriteString(s)
		inWord = true
	}
	addExp := func(p wordPart) {
		flushText()
		word = append(word, p)
		inWord = true
	}
	var quote rune
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '$' && quote != '\'' && i+1 < len(rs) {
			if end, p, ok := expansionAt(rs, i); ok {
				addExp(p)
				i = end
				continue
			}
		}
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				addText(string(r))
			}
		case r == '`':
			end := i + 1
			for end < len(rs) && rs[end] != '`' {
				end++
			}
			addExp(wordPart{unknown: true})
			i = end
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && i+1 < len(rs) && strings.ContainsRune("$`\"\\\n", rs[i+1]):
				i++
				addText(string(rs[i]))
			default:
				addText(string(r))
			}
		case r == '$' && i+1 < len(rs) && rs[i+1] == '\'':
			var b strings.Builder
			i = ansiC(rs, i+2, &b)
			addText(b.String())
		case r == '\'' || r == '"':
			quote = r
			inWord = true
		case r == '\\':
			if i+1 < len(rs) {
				i++
				if rs[i] != '\n' {
					addText(string(rs[i]))
				}
			}
		case r == ';' || r == '&' || r == '|' || r == '(' || r == ')' || r == '\n':
			endCmd()
		case r == ' ' || r == '\t' || r == '<' || r == '>':
			endWord()
		default:
			addText(string(r))
		}
	}
	endCmd()
	return cmds
}

// expansionAt reads the expansion that starts with the $ at rs[i]: $(…) and $((…)) to their
// closing parenthesis, ${name} as that variable and any other ${…} as unknown, $name, and
// $@ $* $# $? $$ $! $- $0…$9 (unknown). ok is false for a $ that starts none ($'…', $",
// a lone $).
func expansionAt(rs []rune, i int) (end int, p wordPart, ok bool) {
	next := rs[i+1]
	switch {
	case next == '(':
		depth := 0
		for j := i + 1; j < len(rs); j++ {
			switch rs[j] {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					return j, wordPart{unknown: true}, true
				}
			}
		}
		return len(rs) - 1, wordPart{unknown: true}, true
	case next == '{':
		depth := 0
		for j := i + 1; j < len(rs); j++ {
			switch rs[j] {
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					if inner := string(rs[i+2 : j]); identifier.MatchString(inner) {
						return j, wordPart{name: inner}, true
					}
					return j, wordPart{unknown: true}, true
				}
			}
		}
		return len(rs) - 1, wordPart{unknown: true}, true
	case next == '_' || next >= 'A' && next <= 'Z' || next >= 'a' && next <= 'z':
		j := i + 1
		for j < len(rs) && (rs[j] == '_' || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= '0' && rs[j] <= '9') {
			j++
		}
		return j - 1, wordPart{name: string(rs[i+1 : j])}, true
	case strings.ContainsRune("@*#?$!-0123456789", next):
		return i + 1, wordPart{unknown: true}, true
	}
	return i, wordPart{}, false
}

// composedSecret is lineSecret's reading of composedNames' patterns: the first file of the
// working directory that usually holds credentials one of them matches, dotted names
// included, within what is left of budget; "" when none does or the budget is spent (these
// are guesses at what an expansion holds, not names the shell would match, so a pattern
// not walked whole does not count as naming a secret as globSecret's do).
func composedSecret(patterns []string, workdir string, moved bool, budget *globBudget) string {
	for _, p := range patterns {
		abs := patternPath(p, workdir, moved)
		if abs == "" {
			continue
		}
		m, _ := globFind(abs, budget, true, keepSecret)
		if m == "" {
			continue
		}
		if rel, err := filepath.Rel(workdir, m); err == nil && workdir != "" && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
		return workspace.Environment
	}
	return ""
}
