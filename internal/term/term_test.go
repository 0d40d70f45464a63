package term

import "testing"

func TestClean(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "hello world", "hello world"},
		{"keeps newlines and tabs", "a\n\tb", "a\n\tb"},
		{"colour", "\x1b[31mred\x1b[0m", "red"},
		{"cursor move", "ok\x1b[2J\x1b[Hgone", "okgone"},
		{"title via OSC BEL", "\x1b]0;pwned\abody", "body"},
		{"title via OSC ST", "\x1b]2;pwned\x1b\\body", "body"},
		{"C1 CSI", "a\u009b31mb", "ab"},
		{"bell and backspace", "a\a\bb", "ab"},
		{"CRLF", "a\r\nb", "a\nb"},
		{"lone CR", "secret\rshown", "secret\nshown"},
		{"bidi override", "abc\u202edef", "abcdef"},
		{"unicode kept", "grüße 日本", "grüße 日本"},
		{"truncated escape", "x\x1b[", "x"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Clean(c.in); got != c.want {
				t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got := Line("  al\nice\t\x1b[1m "); got != "al ice" {
		t.Errorf("Line = %q", got)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("\x1b[31mx")
	f.Add("\x1b]0;t\a")
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		for _, r := range out {
			if r == '\x1b' || r == '\a' || r == '\r' || r == 0x9b {
				t.Fatalf("Clean(%q) left control %q in %q", s, r, out)
			}
		}
	})
}

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice", "alice"},
		{"ali\u200bce", "alice"},                   // zero-width space
		{"ali\u200dce\ufe0f", "alice"},             // joiner, variation selector
		{"\u202eecila", "ecila"},                   // bidi override
		{"ａｌｉｃｅ", "alice"},                         // fullwidth
		{"  bob \u00a0\u3000 smith ", "bob smith"}, // spaces folded
		{"\u3164", ""},                             // a filler only
		{"e\x1b[31mve", "eve"},
	}
	for _, tc := range tests {
		if got := Name(tc.in); got != tc.want {
			t.Errorf("Name(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
