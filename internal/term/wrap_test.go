package term

import "testing"

func TestExpandTabs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"no tabs", "no tabs"},
		{"\tx", "        x"},
		{"ab\tc", "ab      c"},
		{"abcdefgh\tc", "abcdefgh        c"},
		{"\t\tx\n\ty", "                x\n        y"},
		{"\x1b[1mab\x1b[0m\tc", "\x1b[1mab\x1b[0m      c"}, // escapes take no column
		{"日本\tx", "日本    x"},                               // wide characters take two
	} {
		if got := ExpandTabs(c.in); got != c.want {
			t.Errorf("ExpandTabs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
