package term

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks each line of plain text (no escape sequences) that is wider than width
// at spaces, so that no word is cut (a terminal's own wrapping, or a hard wrap, cut help
// text mid-word). Lines after the first of a wrapped line start with indent, which counts
// as indentWidth columns (a tab's width is the caller's to know). A word longer than the
// room left is cut. Widths are counted in runes; width < 20 leaves text as it is.
func Wrap(text string, width int, indent string, indentWidth int) string {
	if width < 20 || indentWidth > width/2 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if utf8.RuneCountInString(l) > width {
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
		n := utf8.RuneCountInString(word)
		if col > start && col+gap+n > width { // no room after what is there: a new line
			b.WriteString("\n" + indent)
			col, start = indentWidth, indentWidth
		}
		if col > start {
			b.WriteString(strings.Repeat(" ", gap))
			col += gap
		}
		for col+n > width { // longer than a whole line: cut
			r := []rune(word)
			k := max(width-col, 1)
			b.WriteString(string(r[:k]) + "\n" + indent)
			word, n = string(r[k:]), n-k
			col, start = indentWidth, indentWidth
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}
