package transcript

import (
	"html"
	"regexp"
	"strings"
)

// replyText is the agent's reply as the document carries it: its Markdown as written,
// except raw HTML, whose "<" before a tag, a comment or a declaration is written as
// "&lt;" outside code (fenced blocks and code spans keep theirs). The reply is the
// agent's, so untrusted: a viewer that renders a Markdown file's HTML would otherwise run
// what the agent wrote (a tester's export carried its <img onerror=…> and <script> as
// they were; the window shows them as text). Markdown shows "&lt;" as "<". Images and
// links that run or load something are made text too, as the window shows them: "![" is
// written "!\[" (a reviewer's export fetched the agent's tracking pixel when opened), and
// the "(" of a link to a javascript:, vbscript:, data: or file: URL is written "\(".
func replyText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	fence := "" // the open fence's marker (``` or ~~~, with its length), "" outside one
	for _, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		marker := fenceMarker(trimmed)
		switch {
		case fence == "" && marker != "" && indent == 0 && !(marker[0] == '`' && strings.ContainsRune(trimmed[len(marker):], '`')):
			// An opening fence only at the line's start: one indented may belong to a list
			// item, which a line at the margin ends, code and all (a reviewer's bypass); and
			// a backtick fence's info string has no backtick (CommonMark), or it is no fence.
			// Taking a real fence for text only shows "&lt;" in its code.
			fence = marker
			b.WriteString(line)
			continue
		case fence != "" && marker != "" && indent < 4 && strings.HasPrefix(marker, fence) && strings.TrimSpace(trimmed[len(marker):]) == "":
			fence = ""
			b.WriteString(line)
			continue
		}
		if fence != "" {
			b.WriteString(line)
			continue
		}
		if refDefinition.MatchString(line) && scriptURL(refDefinition.ReplaceAllString(line, "")) {
			// A link reference definition to a script ("[s]: javascript:…"), which a
			// "[y][s]" elsewhere would use: made text (a code reviewer's).
			line = strings.Replace(line, "[", `\[`, 1)
		}
		b.WriteString(escapeTags(line))
	}
	if fence != "" {
		// A reply that leaves a fence open would make what follows it in the document
		// code, up to the next fence (a tester's turn end and next prompt).
		if !strings.HasSuffix(text, "\n") {
			b.WriteString("\n")
		}
		b.WriteString(fence + "\n")
	}
	return b.String()
}

// refDefinition matches the start of a link reference definition, up to its destination.
var refDefinition = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:[ \t]*`)

// fenceMarker is the run of ` or ~ (three or more) a line starts with, "" when none.
func fenceMarker(line string) string {
	if len(line) < 3 || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := 0
	for n < len(line) && line[n] == line[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return line[:n]
}

// escapeTags writes "<" as "&lt;" where it starts a tag, comment or declaration, and
// makes images and links to scripts text (replyText), outside the line's code spans.
func escapeTags(line string) string {
	if !strings.Contains(line, "<") && !strings.Contains(line, "![") && !strings.Contains(line, "](") {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] == '\\' && i+1 < len(line) {
			b.WriteString(line[i : i+2]) // an escaped character is text: "\`" opens no code span
			i += 2
			continue
		}
		if line[i] == '`' {
			// A code span: the run of backticks up to the next run of the same length (a
			// longer or shorter run does not close it), kept whole.
			n := runAt(line, i)
			if end := closingRun(line, i+n, n); end >= 0 {
				b.WriteString(line[i : end+n])
				i = end + n
				continue
			}
			b.WriteString(line[i : i+n])
			i += n
			continue
		}
		if line[i] == '<' && i+1 < len(line) && startsTag(line[i+1]) {
			b.WriteString("&lt;")
			i++
			continue
		}
		if strings.HasPrefix(line[i:], "![") {
			b.WriteString(`!\[`)
			i += 2
			continue
		}
		if strings.HasPrefix(line[i:], "](") && (scriptURL(line[i+2:]) || strings.TrimSpace(line[i+2:]) == "") {
			// A script's URL, or one on the next line, which this line cannot judge (a
			// code reviewer's "[e](" then "javascript:…"): made text.
			b.WriteString(`]\(`)
			i += 2
			continue
		}
		b.WriteByte(line[i])
		i++
	}
	return b.String()
}

// scriptURL says whether a link's destination (what follows its "(") is a URL that runs
// or carries what it shows instead of pointing somewhere: javascript:, vbscript:, data:,
// file:. Spaces and a "<" may come first; a scheme's case does not count.
func scriptURL(dest string) bool {
	// Character references count as what they stand for in a destination (CommonMark):
	// "&#106;avascript:" is "javascript:" (a code reviewer's).
	dest = strings.ToLower(strings.TrimLeft(html.UnescapeString(dest), " \t<"))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:", "file:"} {
		if strings.HasPrefix(dest, scheme) {
			return true
		}
	}
	return false
}

// runAt is the length of the run of backticks at line[i].
func runAt(line string, i int) int {
	n := 0
	for i+n < len(line) && line[i+n] == '`' {
		n++
	}
	return n
}

// closingRun is where, from line[from], a run of exactly n backticks starts; -1 if none.
func closingRun(line string, from, n int) int {
	for i := from; i < len(line); {
		if line[i] != '`' {
			i++
			continue
		}
		m := runAt(line, i)
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// startsTag says whether c after "<" begins raw HTML: a letter, "/", "!" or "?".
func startsTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}
