// Package quietterm keeps the program from asking the terminal for its background colour
// when it starts.
//
// Bubble Tea v1's init asks Lip Gloss whether the background is dark, and Lip Gloss then
// asks the terminal (OSC 11, then a cursor-position report) and reads its answer for up
// to 5 seconds. On a terminal that does not answer, every command stalled for those 5
// seconds and what the person typed meanwhile was read as the answer and lost. This
// package tells Lip Gloss the answer first, so it never asks.
//
// It must initialise before Bubble Tea. Go initialises packages in import-path order
// among those whose imports are ready (the spec's "Package initialization"), so this is a
// module of its own whose path, concordia.invalid/…, sorts before github.com/…; the main
// module uses it through a replace directive. (.invalid is a reserved domain: the path
// can never be fetched from anywhere.) Bubble Tea v2 drops the init; moving to it would
// make this package unnecessary.
package quietterm

import (
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

func init() {
	lipgloss.SetHasDarkBackground(DarkBackground(os.Getenv("COLORFGBG")))
}

// DarkBackground reads COLORFGBG ("fg;bg", set by many terminals): a background of ANSI
// colour 7 (white) or 9–15 (the bright ones) is light; anything else, or nothing, is dark,
// which the line editor's few colours (a grey placeholder and prompt) suit either way.
func DarkBackground(colorfgbg string) bool {
	i := strings.LastIndexByte(colorfgbg, ';')
	if i < 0 {
		return true
	}
	bg, err := strconv.Atoi(colorfgbg[i+1:])
	if err != nil {
		return true
	}
	return bg != 7 && (bg < 9 || bg > 15)
}
