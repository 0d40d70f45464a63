package term

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrap breaks each line of text wider than width columns at spaces, so that no word is
// cut (a terminal's own wrapping, or a hard wrap, cut help text and notices mid-word).
// Escape sequences count no width and are never cut; a wide character counts two. Lines
// after the first of a wrapped line start with indent, which counts as indentWidth
// columns (a tab's width is the caller's to know). A word longer than any line is cut
// where it stands. A width under 20 (or an indent over half of it) leaves text as it is.
func Wrap(text string, width int, indent string, indentWidth int) string {
	if width < 20 || indentWidth > width/2 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = wrapLine(l, width, indent, indentWidth)
		}
	}
	return strings.Join(lines, "\n")
}

func wrapLine(line string, width int, indent string, indentWidth int) string {
	lead := len(line) - len(strings.TrimLeft(line, " ")) // the line's own indentation: kept
	var b strings.Builder
	b.WriteString(line[:lead])
	col, start := lead, lead // start: where words begin on the output line being written
	rest := line[lead:]
	for rest != "" {
		// The next word and the spaces before it, which are kept inside a line (a column's
		// padding) and dropped where the line breaks.
		gap := len(rest) - len(strings.TrimLeft(rest, " "))
		rest = rest[gap:]
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		rest = rest[end:]
		if word == "" {
			break // trailing spaces
		}
		n := ansi.StringWidth(word)
		// No room after what is there: a new line, unless the word is longer than any
		// line (then it is cut where it stands, as a hard wrap would).
		if col > start && col+gap+n > width && n <= width-indentWidth {
			b.WriteString("\n" + indent)
			col, start = indentWidth, indentWidth
		}
		if col > start {
			b.WriteString(strings.Repeat(" ", gap))
			col += gap
		}
		for col+n > width { // longer than a whole line: cut where the line is full
			head := ansi.Truncate(word, width-col, "") // escape sequences kept whole
			used := ansi.StringWidth(head)
			if used == 0 { // not one character fits: the whole word, over the width
				break
			}
			b.WriteString(head + "\n" + indent)
			word = ansi.TruncateLeft(word, used, "")
			n = ansi.StringWidth(word)
			col, start = indentWidth, indentWidth
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}

// ExpandTabs puts spaces for each tab, to the next multiple of 8 columns as a terminal
// does, so that Wrap counts the columns the terminal will show: a tab counted as one
// column let a tab-indented line of code run past the width, and the terminal cut it
// mid-word (a tester's). Escape sequences count no width, as in Wrap.
func ExpandTabs(text string) string {
	if !strings.Contains(text, "\t") {
		return text
	}
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		col := 0
		for j, part := range strings.Split(line, "\t") {
			if j > 0 {
				n := 8 - col%8
				b.WriteString(strings.Repeat(" ", n))
				col += n
			}
			b.WriteString(part)
			col += ansi.StringWidth(part)
		}
	}
	return b.String()
}
