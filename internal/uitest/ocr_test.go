package uitest

import (
	"strconv"
	"strings"
	"testing"
)

// tsvRows builds tesseract TSV output: a header, then one level-5 (word) row per word given
// as block, par, line, left, top, width, height, text (at the reading's scale).
func tsvRows(words ...[]string) string {
	rows := []string{"level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"}
	rows = append(rows, "4\t1\t1\t1\t1\t0\t0\t0\t10\t10\t-1\t") // a line row: skipped
	for i, w := range words {
		rows = append(rows, strings.Join([]string{"5", "1", w[0], w[1], w[2], strconv.Itoa(i + 1), w[3], w[4], w[5], w[6], "96.5", w[7]}, "\t"))
	}
	return strings.Join(rows, "\n") + "\n"
}

// The readings of a screenshot are parsed into lines and scaled back to window pixels, and a
// phrase is found by its words, ignoring case and the punctuation around them.
func TestParseTSVAndFind(t *testing.T) {
	tsv := tsvRows(
		[]string{"1", "1", "1", "200", "100", "80", "20", "Create"},
		[]string{"1", "1", "1", "290", "100", "40", "20", "a"},
		[]string{"1", "1", "1", "340", "100", "60", "20", "party"},
		[]string{"2", "1", "1", "1000", "1300", "80", "24", "Create"},
		[]string{"2", "1", "1", "1090", "1304", "60", "20", "party"},
		[]string{"3", "1", "1", "100", "400", "70", "20", "»Join"},
		[]string{"3", "1", "1", "180", "400", "50", "20", "with"},
		[]string{"3", "1", "1", "240", "400", "40", "20", "an"},
		[]string{"3", "1", "1", "290", "400", "90", "20", "invite..."},
		[]string{"3", "1", "1", "290", "400", "90", "20", " "}, // an empty word: skipped
	)
	s := screen{lines: parseTSV(tsv, 2)}
	if got, want := s.text(), "Create a party\nCreate party\n»Join with an invite...\n"; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
	tests := []struct {
		name   string
		phrase string
		x, y   int
		ok     bool
	}{
		{"words in a row, not the same words apart", "Create party", 537, 656, true},
		{"case and punctuation ignored", "join with an INVITE", 120, 205, true},
		{"a single word", "a", 155, 55, true},
		{"absent", "End party", 0, 0, false},
		{"longer than any line", "Create a party now", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y, ok := s.find(tt.phrase)
			if x != tt.x || y != tt.y || ok != tt.ok {
				t.Errorf("find(%q) = %d, %d, %v; want %d, %d, %v", tt.phrase, x, y, ok, tt.x, tt.y, tt.ok)
			}
		})
	}
}
