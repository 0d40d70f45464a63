package term

import (
	"strings"
)

// Skeleton is what a cleaned name (Name) looks like to a person, for telling whether two
// names would be taken for one another: letters of other scripts that are drawn like Latin
// ones become those (Cyrillic "а", Greek "ο"), as do the digits and signs drawn like
// letters ("0" is "o"; "1", "|" and a capital "I" are "l"), dashes become "-" and
// brackets drawn like square or round ones become those; a small "rn" is "m" and a small
// "vv" is "w" ("ARNE" is no "AME"); then case is folded. Two names with the same skeleton
// would pass for one another in a member list. It is a comparison key, never shown: "Ian"
// and "lan" both have "lan". Alike compares two names with it.
//
// The table is ours and covers the look-alikes of Latin letters in the scripts and signs a
// keyboard or a copy-paste most often brings (Cyrillic, Greek, Armenian, Latin variants);
// it is not Unicode's full confusables list (UTS #39), which would treat far more pairs as
// one at the price of a data file.
func Skeleton(name string) string { return skeleton(name, true) }

func skeleton(name string, digraphs bool) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		if p, ok := lookAlike[r]; ok {
			r = p
		}
		b.WriteRune(r)
	}
	s := b.String()
	if digraphs && (strings.Contains(s, "rn") || strings.Contains(s, "vv")) {
		s = strings.NewReplacer("rn", "m", "vv", "w").Replace(s)
	}
	return strings.ToLower(s)
}

// Alike reports whether two cleaned names (Name) would be taken for one another: the same
// but for case, or the same skeleton as written or in lower case (a capital "I" is drawn
// like "l" in "Ian" and "lan", and like "i" in "ALICE" and "аlice" with a Cyrillic "а").
func Alike(a, b string) bool { return KeyOf(a).Alike(KeyOf(b)) }

// NameKey is what Alike compares of a name, worked out once (KeyOf) for comparing one
// name with many.
type NameKey struct{ written, lower string }

// KeyOf is the NameKey of a cleaned name.
func KeyOf(name string) NameKey {
	// In lower case "RN" would become "m": the digraphs are read as written only.
	return NameKey{written: Skeleton(name), lower: skeleton(strings.ToLower(name), false)}
}

// Alike reports whether the names of k and o would be taken for one another (Alike).
// Names the same but for case have the same lower-case skeleton.
func (k NameKey) Alike(o NameKey) bool { return k.written == o.written || k.lower == o.lower }

// lookAlike maps a character to the Latin letter it is drawn like. Case is folded after it,
// so an upper-case look-alike may map to either case, except where the case matters: a
// capital "I" is drawn like a small "l", not like a small "i".
var lookAlike = map[rune]rune{
	// Brackets drawn like round or square ones ("eve ❨host❩", "⁅system⁆").
	'\u2768': '(', '\u2769': ')', '\u276A': '(', '\u276B': ')', '\u27EE': '(', '\u27EF': ')',
	'\u2045': '[', '\u2046': ']', '\u3014': '[', '\u3015': ']', '\u3010': '[', '\u3011': ']',
	'\u27E6': '[', '\u27E7': ']', '\u298B': '[', '\u298C': ']', '\u3016': '[', '\u3017': ']',

	// Dashes and minus signs ("co‐host").
	'\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-',
	'\u2212': '-', '\uFE58': '-', '\u2043': '-',

	// Digits and signs drawn like letters.
	'0': 'o', '1': 'l', '|': 'l', 'I': 'l', '\u01C0': 'l', // ǀ
	'\u0131': 'i', // dotless ı
	'\u0251': 'a', // ɑ
	'\u0261': 'g', // ɡ
	'\u026A': 'i', // ɪ
	'\u029F': 'l', // ʟ

	// Cyrillic.
	'\u0430': 'a', '\u0410': 'a', // а А
	'\u0412': 'b',                // В
	'\u0441': 'c', '\u0421': 'c', // с С
	'\u0501': 'd',                // ԁ
	'\u0435': 'e', '\u0415': 'e', // е Е
	'\u04BB': 'h', '\u041D': 'h', // һ Н
	'\u0456': 'i', '\u0406': 'l', // і І
	'\u0458': 'j', '\u0408': 'j', // ј Ј
	'\u041A': 'k',                // К
	'\u04CF': 'l', '\u04C0': 'l', // ӏ Ӏ
	'\u041C': 'm',                // М
	'\u043E': 'o', '\u041E': 'o', // о О
	'\u0440': 'p', '\u0420': 'p', // р Р
	'\u051B': 'q', '\u051A': 'q', // ԛ Ԛ
	'\u0455': 's', '\u0405': 's', // ѕ Ѕ
	'\u0422': 't',                // Т
	'\u051D': 'w', '\u051C': 'w', // ԝ Ԝ
	'\u0445': 'x', '\u0425': 'x', // х Х
	'\u0443': 'y', '\u0423': 'y', // у У
	'\u04AF': 'y', '\u04AE': 'y', // ү Ү

	// Greek.
	'\u03B1': 'a', '\u0391': 'a', // α Α
	'\u0392': 'b',                // Β
	'\u0395': 'e',                // Ε
	'\u0397': 'h',                // Η
	'\u03B9': 'i', '\u0399': 'l', // ι Ι
	'\u039A': 'k', '\u03BA': 'k', // Κ κ
	'\u039C': 'm',                // Μ
	'\u039D': 'n', '\u03BD': 'v', // Ν ν
	'\u03BF': 'o', '\u039F': 'o', // ο Ο
	'\u03C1': 'p', '\u03A1': 'p', // ρ Ρ
	'\u03A4': 't',                // Τ
	'\u03C5': 'u', '\u03A5': 'y', // υ Υ
	'\u03C7': 'x', '\u03A7': 'x', // χ Χ
	'\u0396': 'z', // Ζ

	// Armenian.
	'\u0585': 'o', '\u0555': 'o', // օ Օ
	'\u0578': 'n', // ո
	'\u057D': 'u', // ս
	'\u0570': 'h', // հ
	'\u0566': 'q', // զ
}

// NameSet holds names for asking whether a name is Alike any of them, each question in
// constant time. The zero value is empty and ready to use.
type NameSet struct{ written, lower map[string]struct{} }

// Add puts a name's key in the set.
func (s *NameSet) Add(k NameKey) {
	if s.written == nil {
		s.written, s.lower = make(map[string]struct{}), make(map[string]struct{})
	}
	s.written[k.written] = struct{}{}
	s.lower[k.lower] = struct{}{}
}

// HasAlike reports whether a name in the set is Alike the name of k.
func (s *NameSet) HasAlike(k NameKey) bool {
	_, w := s.written[k.written]
	_, l := s.lower[k.lower]
	return w || l
}
