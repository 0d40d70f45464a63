package transcript

import "strings"

// replyText is the agent's reply as the document carries it: its Markdown as written,
// except raw HTML, whose "<" before a tag, a comment or a declaration is written as
// "&lt;" outside code (fenced blocks and code spans keep theirs). The reply is the
// agent's, so untrusted: a viewer that renders a Markdown file's HTML would otherwise run
// what the agent wrote (a tester's export carried its <img onerror=…> and <script> as
// they were; the window shows them as text). Markdown shows "&lt;" as "<".
func replyText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	fence := "" // the open fence's marker (``` or ~~~, with its length), "" outside one
	for _, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if marker := fenceMarker(trimmed); indent < 4 && marker != "" {
			switch {
			case fence == "":
				fence = marker
			case strings.HasPrefix(marker, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, marker[:1])) == "":
				fence = ""
			}
			b.WriteString(line)
			continue
		}
		if fence != "" {
			b.WriteString(line)
			continue
		}
		b.WriteString(escapeTags(line))
	}
	return b.String()
}

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

// escapeTags writes "<" as "&lt;" where it starts a tag, comment or declaration, outside
// the line's code spans.
func escapeTags(line string) string {
	if !strings.Contains(line, "<") {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] == '`' {
			// A code span: the run of backticks up to the same run again, kept whole.
			n := 0
			for i+n < len(line) && line[i+n] == '`' {
				n++
			}
			run := line[i : i+n]
			if end := strings.Index(line[i+n:], run); end >= 0 {
				b.WriteString(line[i : i+n+end+n])
				i += n + end + n
				continue
			}
			b.WriteString(run)
			i += n
			continue
		}
		if line[i] == '<' && i+1 < len(line) && startsTag(line[i+1]) {
			b.WriteString("&lt;")
			i++
			continue
		}
		b.WriteByte(line[i])
		i++
	}
	return b.String()
}

// startsTag says whether c after "<" begins raw HTML: a letter, "/", "!" or "?".
func startsTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}
