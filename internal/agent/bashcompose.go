// Names a command line builds out of pieces: a word that joins text with expansions
// (.e$(true)nv, .${x}nv, ${a}v), with what the line assigns to its variables put in, and a
// pattern find matches against every name, dotted ones too (find . -name '*nv').

package agent

import (
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/concordia-party/concordia/internal/workspace"
)

// unknownPart stands, in a composed name, for an expansion whose value the line does not
// give; it becomes a '*' (composedPattern).
const unknownPart = "\x00"

const (
	// maxComposed is how many composed names and patterns one command line may yield; one
	// past them counts as naming a secret (a reviewer's sixteen harmless words first hid
	// the seventeenth).
	maxComposed = 64
	// maxAssigned is how many values one variable may hold (for f in a b c, x=a; x=b);
	// a word that uses one given more counts as naming a secret.
	maxAssigned = 16
)

// composed is what composedNames found in a command line.
type composed struct {
	// names: words whose every expansion is a variable the line assigns, read as the
	// line's other words are.
	names []string
	// patterns: words with an expansion the line does not give, beside text of their own.
	patterns []string
	// findPatterns: patterns find reads the files of (-name with -exec, or into xargs):
	// they match dotted names.
	findPatterns []string
	// overflow: more than maxComposed of them.
	overflow bool
}

func (c *composed) add(list *[]string, v string) {
	if len(c.names)+len(c.patterns)+len(c.findPatterns) >= maxComposed {
		c.overflow = true
		return
	}
	*list = append(*list, v)
}

// composedNames reads line as the shell splits it into words and returns what its words
// made of text and expansions may name (a security tester's `base64 .e$(true)nv` and
// `x=e; base64 .${x}nv` read .env unasked under an "always" for Bash):
//
//   - names: words whose every expansion is a variable the line assigns, with each value
//     it is given anywhere in the line (a=.en; cat ${a}v is .env; x=e; false && x=q keeps
//     both, as either may hold when the command runs);
//   - patterns: words with an expansion the line does not give — a command's output, $@,
//     ${x:0:0}, a variable from elsewhere — in their last path element, beside text of
//     their own, each such expansion a '*' (composedPattern);
//   - a pattern given to find's -name or -iname when find reads what it finds (-exec,
//     -ok, or its list piped into xargs), which matches dotted names too.
//
// A word that is only an expansion ($f, "$(ls)") names nothing here: what it holds is not
// in the line. Neither does a heredoc's text, but for a shell or an interpreter reading it
// as its script. This is a reading of words; a name the command computes (ls -A | grep nv
// | xargs cat) is not seen (PROTOCOL.md §5).
func composedNames(line string) composed {
	return composedIn(line, 0)
}

// composedIn is composedNames of a line that is a script of depth scripts in: the script
// of a shell's -c or of eval, a word of its own, is read as a line too, to depth 3 (a
// second security tester's `bash -c 'x=.e; cat ${x}nv'`).
func composedIn(line string, depth int) composed {
	var c composed
	vars := map[string][]string{}
	unknown := map[string]bool{} // variables given more values than maxAssigned
	assign := func(name string, values []string) {
		if unknown[name] {
			return
		}
		for _, v := range values {
			if !slices.Contains(vars[name], v) {
				vars[name] = append(vars[name], v)
			}
		}
		if len(vars[name]) > maxAssigned {
			unknown[name] = true
			delete(vars, name)
		}
	}
	xargs := strings.Contains(line, "xargs")
	for _, cmd := range splitComposed(line) {
		forVar := ""
		before, all := assignsFrom(cmd)
		reads := false // a find that reads what it finds
		if len(cmd) > 0 && filepath.Base(cmd[0].literal()) == "find" {
			reads = xargs || slices.ContainsFunc(cmd, func(w shellWord) bool {
				switch w.literal() {
				case "-exec", "-execdir", "-ok", "-okdir":
					return true
				}
				return false
			})
		}
		for i, w := range cmd {
			values, over := w.resolveWithin(vars, unknown)
			if over && w.expands() {
				c.overflow = true // too long to read: counts as naming a secret
			}
			switch {
			case i == 0 && len(cmd) > 1 && w.literal() == "for":
				if v := cmd[1].literal(); identifier.MatchString(v) {
					forVar = v
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
				assign(forVar, values)
			}
			if name, _, ok := strings.Cut(w.literalPrefix(), "="); ok && identifier.MatchString(name) && (i < before || all) {
				// x=e or export x=e: its values are the word's after the =.
				vs := make([]string, 0, len(values))
				for _, v := range values {
					vs = append(vs, strings.TrimPrefix(v, name+"="))
				}
				assign(name, vs)
			}
			if i > 0 && (cmd[i-1].literal() == "-name" || cmd[i-1].literal() == "-iname") && w.plain() {
				if l := w.literal(); reads && strings.ContainsAny(l, "*?[") {
					c.add(&c.findPatterns, l)
				}
				continue
			}
			if depth < 3 && i > 0 && isScriptWord(cmd, i) {
				in := composedIn(w.raw(), depth+1)
				c.overflow = c.overflow || in.overflow
				for _, l := range []struct{ to, from *[]string }{{&c.names, &in.names}, {&c.patterns, &in.patterns}, {&c.findPatterns, &in.findPatterns}} {
					for _, v := range *l.from {
						c.add(l.to, v)
					}
				}
			}
			if !w.expands() {
				continue
			}
			if slices.ContainsFunc(w, func(p wordPart) bool { return unknown[p.name] }) {
				c.overflow = true // a reviewer's tenth value of a for list went unread
				continue
			}
			for _, v := range values {
				if !strings.Contains(v, unknownPart) {
					c.add(&c.names, v)
				} else if p := composedPattern(v); p != "" {
					c.add(&c.patterns, p)
				}
			}
		}
	}
	return c
}

// isScriptWord says whether word i of a simple command is a script it runs: after eval, or
// after -c (-lc…) of a shell or an interpreter (runsScripts).
func isScriptWord(cmd []shellWord, i int) bool {
	prev := cmd[i-1].literal()
	if prev == "eval" {
		return true
	}
	if !takesScript(prev) {
		return false
	}
	before := make([]string, 0, i-1)
	for _, w := range cmd[:i-1] {
		before = append(before, w.literal())
	}
	return runsScripts(before)
}

// raw is the word as a script of its own would read it: its text, its variables as
// ${name}, another expansion as $@ (unknown), what a substitution prints as text.
func (w shellWord) raw() string {
	var b strings.Builder
	for _, p := range w {
		switch {
		case p.name != "":
			b.WriteString("${" + p.name + "}")
		case p.unknown:
			b.WriteString("$@")
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// identifier: a shell variable's name.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// assignsFrom says which words of a simple command are in an assignment's place: those
// before the command (x=1 y=2 cmd), all of them for export, local, declare, readonly or
// typeset. Word i is when i < before or all. Once a command: asked of each word, it took
// a reviewer's line of 1,100 assignments 66 ms.
func assignsFrom(cmd []shellWord) (before int, all bool) {
	for j, w := range cmd {
		if name, _, ok := strings.Cut(w.literalPrefix(), "="); ok && identifier.MatchString(name) {
			continue
		}
		switch w.literal() {
		case "export", "local", "declare", "readonly", "typeset":
			return j, true
		}
		return j, false
	}
	return len(cmd), false
}

// composedPattern is a composed name with unknown parts as a pattern: only when they are
// in its last path element beside text of its own that is more than dots (.e*nv, src/*v;
// not $f, .$key, $dir/$f), with a known folder ($dir/.e$x: the folder is anywhere). A
// '*' matches no leading dot (*.* is not .env: a reviewer's `ls *.$ext` asked a host).
func composedPattern(v string) string {
	dir, base := "", v
	if i := strings.LastIndex(v, "/"); i >= 0 {
		dir, base = v[:i+1], v[i+1:]
	}
	if strings.Contains(dir, unknownPart) || strings.Trim(base, unknownPart+".") == "" {
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
	text     string
	name     string // $name or ${name}
	unknown  bool
	computed bool // text a substitution prints (substituted)
}

func (w shellWord) expands() bool {
	for _, p := range w {
		if p.name != "" || p.unknown || p.computed {
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
		if p.name != "" || p.unknown || p.computed {
			break
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// resolve is what the word may be: each variable the line assigned put in (every value
// given, at most maxComposed words), any other expansion unknownPart, as is a variable in
// unknown.
func (w shellWord) resolve(vars map[string][]string, unknown map[string]bool) []string {
	values, _ := w.resolveWithin(vars, unknown)
	return values
}

// maxResolved is the longest a word's value is read to: a security tester's words of
// 900 expansions of long values took seconds to put together on the stream's reader.
const maxResolved = 512

// resolveWithin is resolve, and whether a value ran past maxResolved (then the values are
// those of the word's start only).
func (w shellWord) resolveWithin(vars map[string][]string, unknown map[string]bool) ([]string, bool) {
	out := []string{""}
	for _, p := range w {
		var alts []string
		switch {
		case p.name != "" && len(vars[p.name]) > 0 && !unknown[p.name]:
			alts = vars[p.name]
		case p.name != "" || p.unknown:
			alts = []string{unknownPart}
		default:
			alts = []string{p.text}
		}
		next := make([]string, 0, min(len(out)*len(alts), maxComposed))
		for _, o := range out {
			for _, a := range alts {
				if len(o)+len(a) > maxResolved {
					return out, true
				}
				if len(next) < maxComposed {
					next = append(next, o+a)
				}
			}
		}
		out = next
	}
	return out, false
}

// splitComposed splits a command line into simple commands of words as the shell does:
// at white space and ; & | < > ( ) and new lines outside quotes and expansions, quotes
// taken off, $(…), `…`, $((…)) and ${…} kept whole as expansions, $'…' decoded.
func splitComposed(line string) [][]shellWord {
	cmds, _ := splitLine(line)
	return cmds
}

// scriptRunner: a word of a command line that runs a script it may be fed on its input —
// a shell, an interpreter, source, eval, . or /dev/stdin — wherever it is in the line (a
// security tester's `cat <<'EOF' | bash`, `sudo bash <<EOF`, `. /dev/stdin <<EOF`).
// Its names are the shells' and the interpreters' (bashsecret.go, bashenv.go), and the
// versions and aliases of those (python3.12, nodejs).
var scriptRunner = regexp.MustCompile("(?:^|[\\s;&|(`])(?:\\S*/)?(?:" + runnerNames() + "|python[0-9.]*|nodejs|source|eval|\\.)(?:[\\s;&|)`]|$)|/dev/stdin")

// runnerNames is the shells' and the interpreters' names as alternatives of a pattern.
func runnerNames() string {
	names := slices.Concat(slices.Collect(maps.Keys(shells)), slices.Collect(maps.Keys(interpreters)))
	slices.Sort(names)
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(names, "|")
}

// withoutDataHeredocs is line without the text of its heredocs that are data (splitLine).
func withoutDataHeredocs(line string) string {
	_, skipped := splitLine(line)
	if len(skipped) == 0 {
		return line
	}
	rs := []rune(line)
	var b strings.Builder
	from := 0
	for _, sp := range skipped {
		b.WriteString(string(rs[from:sp[0]]))
		from = sp[1]
	}
	b.WriteString(string(rs[from:]))
	return b.String()
}

// splitLine is splitComposed, and the rune ranges of the heredoc text it read as data:
// every heredoc's, unless something in the line may run it as a script (scriptRunner).
func splitLine(line string) (cmds [][]shellWord, skipped [][2]int) {
	rs := []rune(line)
	scripts := scriptRunner.MatchString(line)
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
	var heredocs []heredoc // begun on this line, their text from the next
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
			addExp(substituted(string(rs[i+1 : min(end, len(rs))])))
			i = end
		case quote == '"':
			if r == '"' {
				quote = 0
			} else {
				var text string
				text, i = doubleQuoted(rs, i)
				addText(text)
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
		case r == '\n' && len(heredocs) > 0:
			endCmd()
			for _, h := range heredocs {
				if h.data {
					// Its closing line stays in what is kept (withoutDataHeredocs), for a
					// reading of it to find where the heredoc ends.
					from := i + 1
					var textEnd int
					textEnd, i = h.skip(rs, i)
					skipped = append(skipped, [2]int{from, textEnd})
				}
			}
			heredocs = nil
		case r == ';' || r == '&' || r == '|' || r == '(' || r == ')' || r == '\n':
			endCmd()
		case r == '<' && i+2 < len(rs) && rs[i+1] == '<' && rs[i+2] != '<':
			// A heredoc: its text is data for the command, but for a shell's or an
			// interpreter's script (a reviewer's commit message with $name.$ext in it
			// asked a host).
			endWord()
			h, end := readHeredoc(rs, i+2)
			h.data = !scripts
			heredocs = append(heredocs, h)
			i = end
		case r == ' ' || r == '\t' || r == '<' || r == '>':
			endWord()
		default:
			addText(string(r))
		}
	}
	endCmd()
	return cmds, skipped
}

// substituted is what a command substitution's script gives: the word an echo or a printf
// of one plain word prints (`echo .e`nv and $(printf .en)v are .env: a security tester's),
// else unknown.
func substituted(script string) wordPart {
	words := strings.Fields(script)
	if len(words) != 2 || words[0] != "echo" && words[0] != "printf" {
		return wordPart{unknown: true}
	}
	w := strings.Trim(words[1], `'"`)
	if w == "" || strings.ContainsAny(w, "$`\\%*?[{") {
		return wordPart{unknown: true}
	}
	return wordPart{text: w, computed: true}
}

// heredoc is a heredoc begun on a command line (<<EOF, <<-'EOF').
type heredoc struct {
	delim string
	tabs  bool // <<-: the closing line may start with tabs
	data  bool // its text is not read as commands
}

// readHeredoc reads a heredoc's operator's rest from rs[i] (after <<): a '-', then its
// delimiter, its quotes taken off. end is the index of the delimiter's last rune.
func readHeredoc(rs []rune, i int) (h heredoc, end int) {
	if i < len(rs) && rs[i] == '-' {
		h.tabs = true
		i++
	}
	for i < len(rs) && (rs[i] == ' ' || rs[i] == '\t') {
		i++
	}
	var b strings.Builder
	var quote rune
	for ; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			b.WriteRune(r)
		case r == '\'' || r == '"':
			quote = r
		case r == '\\':
		case strings.ContainsRune(" \t\n;&|<>()", r):
			h.delim = b.String()
			return h, i - 1
		default:
			b.WriteRune(r)
		}
	}
	h.delim = b.String()
	return h, len(rs) - 1
}

// skip passes over the heredoc's text, which starts after the new line at rs[i], to its
// closing line: it returns where that line starts (the text's end) and the index just
// before the new line that ends it (or the line's end, twice, when there is none).
func (h heredoc) skip(rs []rune, i int) (textEnd, last int) {
	for start := i + 1; start < len(rs); {
		end := start
		for end < len(rs) && rs[end] != '\n' {
			end++
		}
		line := string(rs[start:end])
		if h.tabs {
			line = strings.TrimLeft(line, "\t")
		}
		if line == h.delim {
			return start, end - 1
		}
		start = end + 1
	}
	return len(rs), len(rs) - 1
}

// closing is the index of the bracket that closes the one at rs[open], nested ones
// counted, and whether there is one (else the last index).
func closing(rs []rune, open int, opening, closer rune) (int, bool) {
	depth := 0
	for j := open; j < len(rs); j++ {
		switch rs[j] {
		case opening:
			depth++
		case closer:
			if depth--; depth == 0 {
				return j, true
			}
		}
	}
	return len(rs) - 1, false
}

// expansionAt reads the expansion that starts with the $ at rs[i]: $(…) and $((…)) to their
// closing parenthesis, ${name} as that variable and any other ${…} as unknown, $name, and
// $@ $* $# $? $$ $! $- $0…$9 (unknown). ok is false for a $ that starts none ($'…', $",
// a lone $).
func expansionAt(rs []rune, i int) (end int, p wordPart, ok bool) {
	next := rs[i+1]
	switch {
	case next == '(':
		j, closed := closing(rs, i+1, '(', ')')
		if !closed {
			return j, wordPart{unknown: true}, true
		}
		return j, substituted(string(rs[i+2 : j])), true
	case next == '{':
		j, closed := closing(rs, i+1, '{', '}')
		if closed && identifier.MatchString(string(rs[i+2:j])) {
			return j, wordPart{name: string(rs[i+2 : j])}, true
		}
		return j, wordPart{unknown: true}, true
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

// composedSecret is lineSecret's reading of what composedNames found: the first file that
// usually holds credentials one of its patterns matches (find's match dotted names too),
// within a budget of its own (a reviewer's `ls d/*/*` spent the line's first, and the
// pattern after it was not read). A pattern not read whole for want of it, or more of
// them than maxComposed, counts as naming a secret, as the line's own patterns do.
func composedSecret(c composed, workdir string, moved bool) string {
	if c.overflow {
		return workspace.Environment
	}
	budget := globBudget{folders: maxGlobReads, names: maxGlobNames}
	find := func(p string, anyDot bool) string {
		abs := patternPath(p, workdir, moved)
		if abs == "" {
			return ""
		}
		m, whole := globFind(abs, &budget, anyDot, keepSecret)
		switch {
		case m == "" && !whole:
			return workspace.Environment
		case m == "":
			return ""
		}
		if rel, err := filepath.Rel(workdir, m); err == nil && workdir != "" && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
		return workspace.Environment
	}
	for _, p := range c.patterns {
		if f := find(p, false); f != "" {
			return f
		}
	}
	for _, p := range c.findPatterns {
		if f := find(p, true); f != "" {
			return f
		}
	}
	return ""
}
