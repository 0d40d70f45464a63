// Package term makes untrusted text safe for a terminal: names, prompts and agent output
// from peers must not move the cursor, change colours or set the window title.
package term

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/credential"
	"golang.org/x/text/unicode/norm"
)

// Clean removes ANSI/VT escape sequences and control characters from s, keeping
// newlines and tabs. Invalid UTF-8 becomes U+FFFD.
func Clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, cleaned) {
		return s // nothing to take out or mend: most text
	}
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\x1b':
			i = skipEscape(rs, i)
		case r == 0x9b: // C1 CSI
			i = skipCSI(rs, i+1)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			// A lone CR would let text overwrite what came before it on the line.
			if i+1 < len(rs) && rs[i+1] == '\n' {
				continue
			}
			b.WriteRune('\n')
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			// drop
		case unicode.Is(unicode.Bidi_Control, r):
			// Bidi overrides can make text read differently from what it is.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleaned says whether Clean takes r out or changes it: every control character but
// newline and tab (ESC and C1 CSI start the sequences it skips; a CR becomes a newline),
// the line and paragraph separators, and bidi controls.
func cleaned(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r))
}

// Line is Clean for one-line values such as names: line breaks become spaces.
func Line(s string) string {
	s = Clean(s)
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	return strings.TrimSpace(s)
}

// skipEscape returns the index of the last rune of the escape sequence starting at i.
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[':
		return skipCSI(rs, i+2)
	case ']', 'P', 'X', '^', '_':
		// OSC/DCS/SOS/PM/APC: up to BEL or ST (ESC \).
		for j := i + 2; j < len(rs); j++ {
			if rs[j] == '\a' {
				return j
			}
			if rs[j] == '\x1b' && j+1 < len(rs) && rs[j+1] == '\\' {
				return j + 1
			}
		}
		return len(rs) - 1
	default:
		return i + 1
	}
}

// skipCSI returns the index of the final byte of a CSI sequence whose parameters start at j.
func skipCSI(rs []rune, j int) int {
	for ; j < len(rs); j++ {
		if rs[j] >= 0x40 && rs[j] <= 0x7e {
			return j
		}
	}
	return len(rs) - 1
}

// Name is the canonical form of a display name: NFKC-normalised (so "ａｌｉｃｅ" is
// "alice"), with invisible and format characters removed (zero-width spaces and joiners,
// bidi controls, variation selectors, fillers) and runs of white space made one space.
// Two names that look alike then compare alike.
func Name(s string) string {
	s = norm.NFKC.String(Line(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case invisible(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// invisible reports whether r draws nothing (or nothing a person can tell apart).
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.IsControl(r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) ||
		r == '\u115F' || r == '\u1160' || r == '\u3164' || r == '\uFFA0' || r == '\u2800'
}

// NameProblem says why a cleaned name (Name) cannot be a member's, as a phrase ("a name
// cannot contain [ or ]"), or "" when it can: the host's rule, which the window's
// settings and the terminal check before connecting too.
func NameProblem(name string) string {
	switch {
	case name == "" || utf8.RuneCountInString(name) > 64:
		return "a name is 1 to 64 visible characters"
	case strings.ContainsAny(name, "[]") || strings.ContainsAny(Skeleton(name), "[]"):
		// "[system] …" in a name would pass for a notice in every terminal.
		return "a name cannot contain [ or ]"
	case youName.MatchString(Skeleton(strings.ToLower(name))):
		// Every other member's terminal would say "hostie made you a co-host" and "hostie
		// removed you from the party" of this member (a tester's).
		return "a name cannot be \"you\" (each member's own lines call them that)"
	case youInName.MatchString(Skeleton(strings.ToLower(name))):
		// "bob — you" would pass for the reader's own line in /who (a tester's).
		return "a name cannot end in \"— you\" (how member lists mark your own name)"
	case roleInName.MatchString(name) || roleInName.MatchString(Skeleton(strings.ToLower(name))):
		// "eve (host)" would pass for a host in every member list (a tester's), and so
		// would "eve (hоst)" with a Cyrillic "о", "eve (H0ST)" or "eve (host" without
		// its bracket (another tester's).
		return "a name cannot hold a role in brackets, such as (host)"
	case credential.HoldsToken(name):
		// A key pasted into the name field would be every member's to read, and kept in
		// the settings file in plain text (a window tester's, with no keyring).
		return "a name cannot hold what looks like an API key or token (everyone in the party sees the name)"
	}
	return ""
}

// youName matches a name's skeleton that is "you" alone.
var youName = regexp.MustCompile(`^\s*you\s*$`)

// youInName matches a name's skeleton that ends as a member list marks the reader's own
// line ("eve — you"; dashes are "-" in a skeleton).
var youInName = regexp.MustCompile(`-\s*you\s*$`)

// roleInName matches a role, or "you", in round brackets (the last one may be missing at
// the end of the name): how member lists show them.
// It is also matched against the name's skeleton, where a "1" or "|" is an "l": hence
// "[il]" where an "i" is.
var roleInName = regexp.MustCompile(`(?i)\(\s*(host|co[-\s]?host|owner|part[il]c[il]pant|v[il]ewer|you)\s*(\)|$)`)

// PathQuoted says whether a file's path is shown quoted, Go-style (strconv.Quote): when it
// has spaces at an end or two together (easily misread, and lost in Markdown), a
// character a line cannot show (a tab, a newline, bytes that are not UTF-8), or starts
// with a quote, which would be taken back as quoting. The terminal's /changes and the
// export show such a path so, and /diff takes it back (a tester's "tab\there.txt" read
// "tab here.txt", and no /diff found it).
func PathQuoted(p string) bool {
	return p != strings.TrimSpace(p) || strings.Contains(p, "  ") || strings.HasPrefix(p, `"`) || strings.HasPrefix(p, "'") ||
		!utf8.ValidString(p) || strings.ContainsFunc(p, func(r rune) bool { return !unicode.IsPrint(r) })
}
