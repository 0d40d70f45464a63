package cli

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestFreshRows: each row a frame writes text to is cleared whole first, a short last line
// clears what is below it, and what is not a frame passes as it is (TestTerminalWidened…
// in internal/e2e shows why, in tmux).
func TestFreshRows(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// A move up, a printed line, the status line, a line left as it was, the input line.
		{"\x1b[2Aprinted\x1b[K\r\nstatus\x1b[K\r\n\n› in\x1b[K\r",
			"\x1b[2A\x1b[2Kprinted\x1b[K\r\n\x1b[2Kstatus\x1b[K\r\n\n\x1b[2K› in\x1b[K\x1b[J\r"},
		// A move up one row, as Bubble Tea writes it (ansi.CursorUp(1)).
		{ansi.CursorUp(1) + "status\x1b[K\r\n› in\x1b[K\r", "\x1b[A\x1b[2Kstatus\x1b[K\r\n\x1b[2K› in\x1b[K\x1b[J\r"},
		// The first frame: a carriage return first.
		{"\rstatus\x1b[K\r\n› in\x1b[K\r", "\r\x1b[2Kstatus\x1b[K\r\n\x1b[2K› in\x1b[K\x1b[J\r"},
		// A last line as wide as the terminal has no erase after it (it would take its last
		// cell), and none is added; nor twice where the program clears below itself.
		{"\x1b[1Astatus\x1b[K\r\nxxxx\r", "\x1b[1A\x1b[2Kstatus\x1b[K\r\n\x1b[2Kxxxx\r"},
		{"\x1b[1Astatus\x1b[K\r\n› in\x1b[K\x1b[J\r", "\x1b[1A\x1b[2Kstatus\x1b[K\r\n\x1b[2K› in\x1b[K\x1b[J\r"},
		// Not frames.
		{ansi.ShowCursor, ansi.ShowCursor},
		{"\x1b[?2004h", "\x1b[?2004h"},
		{"", ""},
	} {
		if got := string(freshRows([]byte(c.in))); got != c.want {
			t.Errorf("freshRows(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}
