package merge

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// This file decides whether two prompts are the same request. It is deliberately
// small and explainable: normalise (NFKC, case fold, Latin accents off), cut into
// words (and character n-grams for scripts written without spaces), drop stop
// words, stem lightly, map a handful of coding synonyms, then compare the two
// word sets. The thresholds were tuned on testdata/corpus.json; see
// docs/merge-quality.md for the figures and how to reproduce them.

// tuning holds the thresholds on the weighted Jaccard similarity of two
// prompts' words. Two prompts where each has words the other lacks ("tests for
// the parser" / "tests for the lexer") need more overlap (swap) than two where
// one only adds words to the other ("add a --verbose flag" / "please add a
// verbose option to the command line", subset), because a word swapped for
// another is how distinct requests usually differ. related marks two unfolded
// requests of different people as possibly conflicting: a hint to the agent,
// never a decision.
type tuning struct {
	swap, subset, related float64
}

// defaultTuning was chosen on the tuning half of testdata/corpus.json
// (TestCorpusSweep prints the neighbourhood).
var defaultTuning = tuning{swap: 0.65, subset: 0.40, related: 0.45}

// features is what the similarity needs to know about one prompt.
type features struct {
	words  map[string]float64 // word -> weight
	sorted []string           // the words, sorted
	nums   map[string]bool    // numbers mentioned ("30", "1", "26")
	neg    bool               // says "don't", "nicht", "不要" ...
	key    string             // exact-match key: every word in order, no stop words removed
	multi  bool               // several list lines: a multi-part request
	seg    map[string]int     // per word, how many direction words come before it first
	dirs   int                // direction words: "to", "from", "into", "instead", …
}

// similarity is the weighted Jaccard similarity of a and b, 0 when a guard
// says they cannot be the same request. swap reports whether each side has
// words the other lacks.
func similarity(a, b *features) (sim float64, swap bool) {
	if a.key != "" && a.key == b.key {
		return 1, false
	}
	if guarded(a, b) {
		return 0, true
	}
	return overlap(a, b)
}

// guarded reports whether a and b cannot be the same request whatever their
// words: one negates and the other does not, they name different numbers
// ("timeout 30 seconds" / "timeout 60 seconds", "prompt one" / "prompt two"), or
// both say which way and name the same things the other way round ("rename foo
// to bar" / "rename bar to foo": a tester's were folded as one request).
func guarded(a, b *features) bool {
	if a.neg != b.neg {
		return true
	}
	if len(a.nums) > 0 && len(b.nums) > 0 && !sameSet(a.nums, b.nums) {
		return true
	}
	return a.dirs > 0 && b.dirs > 0 && otherWayRound(a, b)
}

// otherWayRound reports whether two words both prompts have stand on either side of a
// direction word, the other way round in b: "foo" before "to" and "bar" after it in a,
// "bar" before and "foo" after in b. Words merely reordered ("add tests to the parser" /
// "the parser needs tests added to it": "to" as in "to do") are not (a reviewer's).
func otherWayRound(a, b *features) bool {
	type place struct{ a, b int }
	var shared []place
	for w, sa := range a.seg {
		if sb, ok := b.seg[w]; ok {
			shared = append(shared, place{sa, sb})
		}
	}
	for i, x := range shared {
		for _, y := range shared[i+1:] {
			if (x.a < y.a && x.b > y.b) || (x.a > y.a && x.b < y.b) {
				return true
			}
		}
	}
	return false
}

// overlap is the weighted Jaccard similarity of a's and b's words. Words
// that match only as prefixes of each other (at least minPrefix letters:
// "verbo"/"verbose", "anad"/"anadir", "config"/"configur") count as shared:
// that catches inflections the light stemmer misses, in any language.
func overlap(a, b *features) (sim float64, swap bool) {
	var shared, onlyA, onlyB float64
	// The sorted word lists make prefix pairing independent of map order. usedB marks
	// b's words that are in a or already paired (on the stack for short prompts: this
	// runs for every pair of a batch).
	var buf [64]bool
	usedB := buf[:0]
	if len(b.sorted) <= len(buf) {
		usedB = buf[:len(b.sorted)]
	} else {
		usedB = make([]bool, len(b.sorted))
	}
	for j, w := range b.sorted {
		_, usedB[j] = a.words[w]
	}
	for _, wa := range a.sorted {
		wt := a.words[wa]
		if _, ok := b.words[wa]; ok {
			shared += wt
			continue
		}
		paired := false
		for j, wb := range b.sorted {
			if !usedB[j] && prefixPair(wa, wb) {
				usedB[j], paired = true, true
				shared += (wt + b.words[wb]) / 2
				break
			}
		}
		if !paired {
			onlyA += wt
		}
	}
	for j, wb := range b.sorted {
		if !usedB[j] {
			onlyB += b.words[wb]
		}
	}
	total := shared + onlyA + onlyB
	if total == 0 {
		return 0, false
	}
	return shared / total, onlyA > 0 && onlyB > 0
}

// minPrefix is the shortest word that may match a longer one by prefix.
const minPrefix = 4

func prefixPair(x, y string) bool {
	if len(x) > len(y) {
		x, y = y, x
	}
	return len(x) >= minPrefix && strings.HasPrefix(y, x) && utf8.RuneCountInString(x) >= minPrefix
}

// sameRequest reports whether two prompts should fold into one item.
func (t tuning) sameRequest(a, b *features) bool {
	sim, swap := similarity(a, b)
	return t.same(sim, swap, a, b)
}

// same is sameRequest for a similarity already computed.
func (t tuning) same(sim float64, swap bool, a, b *features) bool {
	// A list of requests that contains a single one is not that one request:
	// hold it to the stricter threshold.
	if swap || a.multi != b.multi {
		return sim >= t.swap
	}
	return sim >= t.subset
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// script classes for cutting text into runs.
const (
	clsSep = iota
	clsWord
	clsDigit
	clsHan
	clsHiragana
	clsKatakana
	clsHangul
)

func classOf(r rune) int {
	switch {
	case unicode.Is(unicode.Han, r):
		return clsHan
	case unicode.Is(unicode.Hiragana, r):
		return clsHiragana
	case unicode.Is(unicode.Katakana, r) || r == 'ー':
		return clsKatakana
	case unicode.Is(unicode.Hangul, r):
		return clsHangul
	case unicode.IsDigit(r):
		return clsDigit
	case unicode.IsLetter(r) || unicode.In(r, unicode.Mn, unicode.Mc):
		return clsWord
	}
	return clsSep
}

// contractions are expanded before cutting so that "don't" reads as a
// negation and "it's" as "it". Both apostrophes (' and ’) count; an apostrophe
// that opens a quote ('recieve') is left alone.
var (
	negContraction = regexp.MustCompile(`(\pL)n['’]t\b`)
	contraction    = regexp.MustCompile(`(\pL)['’](?:s|re|ll|ve|d|m)\b`)
)

// features is built by one pass over the prompt's runs (maximal stretches of
// one script class); tokenizer holds that pass's state.
type tokenizer struct {
	f          *features
	prevDigit  bool // the previous run was a number ("30 seconds": a unit follows)
	pendingNeg bool // a negation word waits for the next word ("not too much" is no negation)
	listLines  int
}

// extract computes the features of one prompt. It is pure and safe for
// concurrent use (the case folder is made per call: cases.Caser is stateful).
func extract(text string) *features {
	f := &features{words: map[string]float64{}, nums: map[string]bool{}, seg: map[string]int{}}
	f.multi = countListLines(text) >= 2
	s := norm.NFKC.String(text)
	s = cases.Fold().String(s)
	if strings.ContainsAny(s, "'’") {
		s = negContraction.ReplaceAllString(s, "$1 not")
		s = contraction.ReplaceAllString(s, "$1")
	}

	tk := &tokenizer{f: f}
	var keyParts []string
	runStart, runCls, prevEnd := -1, clsSep, -1
	flush := func(end int) {
		if runStart < 0 {
			return
		}
		run := s[runStart:end]
		keyParts = append(keyParts, run)
		// "README.md", "utils.py": the extension adds nothing to the name.
		isExt := runCls == clsWord && runStart > 0 && prevEnd == runStart-1 && s[prevEnd] == '.' && extensions[run]
		if !isExt {
			tk.addRun(run, runCls)
		}
		prevEnd = end
		runStart = -1
	}
	for i, r := range s {
		c := classOf(r)
		if c != runCls || c == clsSep {
			flush(i)
			runCls = c
			if c != clsSep {
				runStart = i
			}
		}
	}
	flush(len(s))
	if tk.pendingNeg {
		f.neg = true
	}
	f.key = strings.Join(keyParts, " ")
	for w := range f.words {
		f.sorted = append(f.sorted, w)
	}
	sort.Strings(f.sorted)
	return f
}

// countListLines counts the lines that start like a list item ("- ", "* ",
// "• ", "1. ", "2) "): a prompt with several is a multi-part request.
func countListLines(text string) int {
	n := 0
	for _, line := range splitLines(text) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "* "), strings.HasPrefix(line, "• "):
			n++
		default:
			i := 0
			for i < len(line) && line[i] >= '0' && line[i] <= '9' {
				i++
			}
			if i > 0 && i < len(line) && (line[i] == '.' || line[i] == ')') {
				n++
			}
		}
	}
	return n
}

func (tk *tokenizer) addRun(run string, cls int) {
	f := tk.f
	prevDigit := tk.prevDigit
	tk.prevDigit = cls == clsDigit
	if tk.pendingNeg && cls != clsDigit {
		tk.pendingNeg = false
		if !notNegating[stripLatinAccents(run)] {
			f.neg = true
		}
	}
	switch cls {
	case clsDigit:
		// Numbers are compared as a set (a guard), and count as words.
		f.nums[run] = true
		tk.add(run, 1)
	case clsWord:
		w := stripLatinAccents(run)
		if negations[w] {
			tk.pendingNeg = true
			return
		}
		if directions[w] {
			f.dirs++
		}
		if n, ok := numberWords[w]; ok {
			f.nums[n] = true // "one" and "1" are the same number, and the same word
			tk.add(n, 1)
			return
		}
		if stopWords[w] || utf8.RuneCountInString(w) < 2 || prevDigit && units[w] {
			return
		}
		w = canonical(stem(w))
		tk.add(w, weightOf(w))
	case clsKatakana:
		// Katakana words are mostly loanwords, written as one unit.
		if utf8.RuneCountInString(run) >= 2 {
			f.words[run] = 1
		}
	case clsHiragana:
		// Particles, inflections and politeness: grammar, not content.
		if strings.HasSuffix(run, "ない") || strings.Contains(run, "ないで") {
			f.neg = true
		}
	case clsHan:
		rs := []rune(run)
		for i, r := range rs {
			if hanNegations[r] {
				f.neg = true
			}
			if !hanStop[r] {
				f.words[string(r)] = hanUnigramWeight
			}
			if i+1 < len(rs) && !hanStop[r] && !hanStop[rs[i+1]] {
				f.words[string(rs[i:i+2])] = 1
			}
		}
	case clsHangul:
		if hangulStop[run] {
			return
		}
		rs := []rune(run)
		for i := 0; i+1 < len(rs); i++ {
			f.words[string(rs[i:i+2])] = 1
		}
	}
}

// add counts word w with its weight, and where it first comes among the direction words.
func (tk *tokenizer) add(w string, weight float64) {
	if _, ok := tk.f.words[w]; !ok {
		tk.f.seg[w] = tk.f.dirs
	}
	tk.f.words[w] = weight
}

// directions are the words that say which way a change goes: with them, the same
// words in another order are another request.
var directions = setOf("to", "into", "from", "instead", "than", "over", "before", "after", "zu", "nach", "von", "vers")

// numberWords are the numbers people write as words, compared as numbers.
var numberWords = map[string]string{"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12"}

// hanUnigramWeight: a Han character is a morpheme, so single characters count,
// but less than the two-character words that carry most meaning.
const hanUnigramWeight = 0.5

// stripLatinAccents turns "módulo" into "modulo" and "füge" into "fuge", so that
// people who skip accents still match. Only Latin letters lose their marks: in
// other scripts a mark can change the letter.
func stripLatinAccents(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		if r < utf8.RuneSelf || !unicode.Is(unicode.Latin, r) {
			b.WriteRune(r)
			continue
		}
		for _, d := range norm.NFD.String(string(r)) {
			if !unicode.Is(unicode.Mn, d) {
				b.WriteRune(d)
			}
		}
	}
	return b.String()
}

// stem strips a few English inflections ("fixes", "fixing", "fixed" -> "fix";
// "files", "file" -> "fil"). It is intentionally light: over-stemming merges
// distinct words, and the stems only ever meet each other.
func stem(w string) string {
	if len(w) < 4 || !isASCII(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	for _, suf := range []string{"ation", "ing", "ed"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			// No undoubling ("running" -> "runn"): "settings" -> "set" would
			// turn a noun into a generic verb.
			w = w[:len(w)-len(suf)]
			break
		}
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// canonical maps a stem to its synonym group's name.
func canonical(w string) string {
	if c, ok := synonyms[w]; ok {
		return c
	}
	return w
}

// weightOf gives generic coding verbs half weight: "add" and "fix" say little
// about which request it is.
func weightOf(w string) float64 {
	if genericVerbs[w] {
		return 0.5
	}
	return 1
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// stopWords are function words and politeness in the languages we expect,
// compared after case folding and accent stripping.
var stopWords = setOf(
	// English
	"a", "an", "the", "to", "of", "in", "on", "at", "for", "with", "and", "or", "is", "are", "be",
	"been", "was", "were", "it", "its", "this", "that", "these", "those", "please", "pls", "plz",
	"can", "could", "would", "will", "should", "shall", "you", "we", "me", "my", "our", "your",
	"us", "so", "what", "whats", "there", "theres", "here", "then", "than", "also", "too", "just",
	"some", "if", "by", "from", "as", "into", "out", "up", "let", "lets", "do", "does", "did",
	"doing", "done", "hey", "hi", "ok", "okay", "thanks", "thank", "thx", "kindly", "maybe",
	"need", "needs", "want", "wants", "like", "much", "very", "really", "all", "any", "them",
	"they", "it's", "bit", "trouble", "instead", "now", "again", "still", "other", "which",
	"how", "why", "when", "where", "who", "am", "has", "have", "had", "yet", "but", "about",
	"lgtm", "sgtm",
	// German
	"bitte", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
	"und", "oder", "im", "zu", "zum", "zur", "mit", "fur", "auf", "von", "vom", "ist", "sind",
	"es", "hinzu", "mal", "doch", "auch", "noch", "bei", "aus", "an", "am", "wir", "ihr", "du",
	"sie", "dass", "wie", "was", "danke",
	// Spanish
	"el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "al", "en", "y", "o",
	"para", "por", "favor", "con", "que", "se", "lo", "mi", "tu", "su", "gracias", "porfa",
	// French
	"le", "les", "une", "du", "au", "aux", "et", "ou", "pour", "par", "avec", "dans", "sur",
	"est", "ce", "cette", "ces", "vous", "plait", "merci", "il",
	// Russian
	"в", "на", "и", "или", "с", "по", "для", "пожалуйста", "это", "к", "из", "а", "же",
	// Portuguese and Italian (the common ones)
	"por", "os", "as", "um", "uma", "il", "lo", "gli", "per", "di", "e", "obrigado", "grazie",
)

// extensions are file name extensions dropped after a name ("README.md" is "README").
var extensions = setOf("md", "txt", "rst", "go", "py", "js", "ts", "tsx", "jsx", "rs", "java", "kt",
	"c", "h", "cc", "cpp", "hpp", "cs", "rb", "php", "swift", "html", "css", "scss", "json", "yaml",
	"yml", "toml", "sh", "sql", "lua")

// notNegating are words after which a negation is no negation of the request
// ("if it's not too much trouble", "not sure", "not only").
var notNegating = setOf("too", "sure", "only", "just", "yet")

// units after a number say nothing the number does not ("30 seconds", "30s").
var units = setOf("s", "ms", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
	"h", "hour", "hours", "day", "days", "kb", "mb", "gb", "px", "percent")

// negations flip a request ("don't add X" is not "add X").
var negations = setOf(
	"not", "no", "never", "dont", "nicht", "kein", "keine", "keinen", "nie", "nunca", "jamas",
	"pas", "jamais", "не", "нет", "никогда", "nao", "non",
)

var hanNegations = map[rune]bool{'不': true, '别': true, '別': true, '没': true, '勿': true}

// hanStop are Chinese function characters, dropped as unigrams and from bigrams.
var hanStop = map[rune]bool{
	'的': true, '了': true, '请': true, '請': true, '把': true, '给': true, '給': true,
	'一': true, '个': true, '個': true, '吧': true, '吗': true, '嗎': true, '在': true, '和': true,
	'也': true, '就': true, '是': true,
}

var hangulStop = setOf("주세요", "해주세요", "좀", "제발", "부탁해요", "부탁합니다", "그리고")

// genericVerbs (stems) weigh half.
var genericVerbs = stemSet("add", "fix", "make", "use", "update", "remove", "change", "set",
	"run", "improve", "implement", "write", "create", "get", "put", "do", "check", "handle")

// synonyms maps stems to one name per group. Small and coding-specific on
// purpose; every entry is a wording the corpus showed people use interchangeably.
var synonyms = stemMap(map[string][]string{
	"flag":   {"option"},
	"fix":    {"correct", "repair"},
	"remove": {"delete"},
	"revert": {"undo", "rollback"},
	"typo":   {"spelling", "misspelling", "misspelled"},
	"doc":    {"documentation"},
	"fail":   {"failure"},
	"second": {"sec", "secs"},
})

func stemSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[stem(w)] = true
	}
	return m
}

func stemMap(groups map[string][]string) map[string]string {
	m := map[string]string{}
	for name, alts := range groups {
		for _, a := range alts {
			m[stem(a)] = stem(name)
		}
	}
	return m
}
