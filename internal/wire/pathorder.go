package wire

import "strings"

// ComparePaths orders slash-separated paths as a person reads a list of them: folder by
// folder (a folder's files stay together: "src/a.go" before "src.txt"), and numbers within
// a name by their value ("r2" before "r10": a tester's change list read r1, r10, r2). A cmp
// function, for slices.SortFunc; names that differ only in a number's leading zeros are
// ordered by their bytes, each folder's on its own ("img/01/…" and "img/1/…" are two
// folders, each kept together), so no two different paths compare equal.
func ComparePaths(a, b string) int {
	// Most pairs are decided where they first differ, as by their bytes: there, neither
	// has a digit (no number is being read) nor a '/' (no name ends). A path that is the
	// other's beginning comes first either way.
	k := 0
	for k < len(a) && k < len(b) && a[k] == b[k] {
		k++
	}
	switch {
	case k == len(a) || k == len(b):
		return len(a) - len(b)
	case !isDigit(a[k]) && !isDigit(b[k]) && a[k] != '/' && b[k] != '/':
		return int(a[k]) - int(b[k])
	}
	// Else name by name from the number they differ in (or the byte): what comes before
	// it is the same in both, and a number starts after a byte that is not a digit.
	for k > 0 && isDigit(a[k-1]) {
		k--
	}
	return comparePaths(a[k:], b[k:])
}

// comparePaths is ComparePaths name by name.
func comparePaths(a, b string) int {
	ra, rb := a, b
	for ra != "" || rb != "" {
		var sa, sb string
		sa, ra, _ = strings.Cut(ra, "/")
		sb, rb, _ = strings.Cut(rb, "/")
		if c := compareNames(sa, sb); c != 0 {
			return c
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b) // "a" and "a/"
}

// compareNames compares two names with their runs of digits taken as numbers; names that
// differ only in leading zeros compare equal.
func compareNames(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			da, db := digitRun(a), digitRun(b)
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}
