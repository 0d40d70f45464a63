package invite

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const (
	tok = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 43 characters, like NewToken
	fp  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Invite
	}{
		{"name insecure", "concordia://example.com:8765/" + tok, Invite{Host: "example.com", Port: 8765, Token: tok}},
		{"name secure", "concordia://example.com:8765/" + tok + "?fp=" + fp, Invite{Host: "example.com", Port: 8765, Token: tok, Fingerprint: fp}},
		{"ipv4", "concordia://192.168.1.20:1/" + tok, Invite{Host: "192.168.1.20", Port: 1, Token: tok}},
		{"ipv6 loopback", "concordia://[::1]:8765/" + tok, Invite{Host: "::1", Port: 8765, Token: tok}},
		{"ipv6 full", "concordia://[2001:db8::42]:65535/" + tok + "?fp=" + fp, Invite{Host: "2001:db8::42", Port: 65535, Token: tok, Fingerprint: fp}},
		{"single label host", "concordia://laptop:8765/" + tok, Invite{Host: "laptop", Port: 8765, Token: tok}},
		{"fp upper-case stored lower", "concordia://h:8765/" + tok + "?fp=" + strings.ToUpper(fp), Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"surrounding white space", " \t\nconcordia://h:8765/" + tok + "\r\n ", Invite{Host: "h", Port: 8765, Token: tok}},
		{"scheme any case", "Concordia://h:8765/" + tok, Invite{Host: "h", Port: 8765, Token: tok}},
		{"token minimum length", "concordia://h:8765/" + strings.Repeat("-", 22), Invite{Host: "h", Port: 8765, Token: strings.Repeat("-", 22)}},
		{"token all classes", "concordia://h:8765/azAZ09-_azAZ09-_azAZ09", Invite{Host: "h", Port: 8765, Token: "azAZ09-_azAZ09-_azAZ09"}},
		// As links arrive through chat and mail.
		{"in angle brackets", "<concordia://h:8765/" + tok + "?fp=" + fp + ">", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"in quotes", `"concordia://h:8765/` + tok + `"`, Invite{Host: "h", Port: 8765, Token: tok}},
		{"end of a sentence", "concordia://h:8765/" + tok + ".", Invite{Host: "h", Port: 8765, Token: tok}},
		{"in parentheses with a full stop", "(concordia://h:8765/" + tok + "?fp=" + fp + ").", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		// Square brackets (a tester: the README says brackets, and "[…]" read as part of the
		// fingerprint), and a closing quote or bracket with nothing before the link.
		{"in square brackets", "[concordia://h:8765/" + tok + "?fp=" + fp + "]", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"in a message's square brackets", "see [concordia://h:8765/" + tok + "?fp=" + fp + "] ok", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"ipv6 in square brackets", "[concordia://[::1]:8765/" + tok + "]", Invite{Host: "::1", Port: 8765, Token: tok}},
		{"a closing quote after it", "concordia://h:8765/" + tok + "?fp=" + fp + `"`, Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"a closing bracket and a full stop after it", "concordia://h:8765/" + tok + "].", Invite{Host: "h", Port: 8765, Token: tok}},
		// A chat message with the link in it, pasted whole.
		{"in a message", "Join my party: concordia://h:8765/" + tok + "?fp=" + fp + " thanks!", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"in a message, bracketed", "Join: <concordia://h:8765/" + tok + ">, see you", Invite{Host: "h", Port: 8765, Token: tok}},
		{"in a message's parentheses", "(the link: concordia://h:8765/" + tok + ")", Invite{Host: "h", Port: 8765, Token: tok}},
		{"then more lines", "concordia://h:8765/" + tok + "\nsee you at ten", Invite{Host: "h", Port: 8765, Token: tok}},
		// Copied from a terminal that cut the long line at its width.
		{"wrapped", "concordia://h:8765/" + tok + "?fp=" + fp[:20] + "\n" + fp[20:], Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"wrapped in the token", "concordia://h:8765/" + tok[:30] + "\n" + tok[30:] + "?fp=" + fp, Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"wrapped before its fingerprint", "concordia://h:8765/" + tok + "\n?fp=" + fp, Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"then a line of text", "concordia://h:8765/" + tok + "\nthanks", Invite{Host: "h", Port: 8765, Token: tok}},
		// Text before the link whose lower case is longer or shorter (a reviewer: it panicked).
		{"after a dotted capital I", "İyi eğlenceler! concordia://h:8765/" + tok, Invite{Host: "h", Port: 8765, Token: tok}},
		{"after invalid UTF-8", "\xff\xff\xff concordia://h:8765/" + tok, Invite{Host: "h", Port: 8765, Token: tok}},
		{"after a Kelvin sign", "\u212a: concordia://h:8765/" + tok, Invite{Host: "h", Port: 8765, Token: tok}},
		// One "/" after it, which some apps add (a user tester's was "got 65"), and a query
		// percent-encoded, as some chat apps write it (%3F for ?, %3D for =).
		{"a slash after the fingerprint", "concordia://h:8765/" + tok + "?fp=" + fp + "/", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"a slash after the token", "concordia://h:8765/" + tok + "/", Invite{Host: "h", Port: 8765, Token: tok}},
		{"a slash and a full stop", "concordia://h:8765/" + tok + "?fp=" + fp + "/.", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"percent-encoded query", "concordia://h:8765/" + tok + "%3Ffp%3D" + fp, Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"percent-encoded query, lower case", "concordia://h:8765/" + tok + "%3ffp%3d" + fp, Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"percent-encoded, in a message", "join me: concordia://h:8765/" + tok + "%3Ffp%3D" + fp + " thanks", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
		{"wrapped twice, CRLF", "concordia://h:8765/" + tok[:10] + "\r\n" + tok[10:] + "?fp=" + fp[:30] + "\r\n" + fp[30:] + "\n", Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			again, err := Parse(got.String())
			if err != nil || again != got {
				t.Fatalf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // a substring of the message after "invalid invite: "
	}{
		{"empty", "", "empty"},
		{"only white space", "  \n", "empty"},
		{"no scheme", "example.com:8765/" + tok, "missing concordia://"},
		{"https", "https://example.com:8765/" + tok, `scheme is "https"`},
		{"http looks like web", "http://example.com/", "web address"},
		{"ws", "ws://example.com:8765/rpc", `scheme is "ws"`},
		{"wss", "wss://example.com:8765/rpc", `scheme is "wss"`},
		{"other scheme", "concord://h:8765/" + tok, `scheme is "concord"`},
		// Chat text around a link: its last word is the scheme, not the whole sentence (a
		// tester's message quoted "hey can you join my thing at https" as one).
		{"web address in a sentence", "hey can you join my thing at https://127.0.0.1:8765/abc", `scheme is "https", but an invite starts with concordia:// (this looks like a web address)`},
		{"another link in a sentence", "ok team: meet at zoom://room/123 at 3pm", `the text has a zoom:// link, but no concordia:// invite`},
		{"single slash", "concordia:/h:8765/" + tok, "missing concordia://"},
		{"missing host", "concordia://:8765/" + tok, "missing host"},
		{"missing authority", "concordia:///" + tok, "missing host"},
		{"empty brackets", "concordia://[]:8765/" + tok, "missing host"},
		{"missing port", "concordia://h/" + tok, "missing port"},
		{"missing port number", "concordia://h:/" + tok, "missing port number"},
		{"ipv6 missing port", "concordia://[::1]/" + tok, "missing port"},
		{"ipv6 junk after bracket", "concordia://[::1]x:8765/" + tok, "expected :PORT"},
		{"ipv6 unclosed", "concordia://[::1:8765/" + tok, "missing ]"},
		// A link cut after its IPv6 host: its ] is not taken for a closing bracket.
		{"ipv6 host only", "concordia://[::1]", "missing port after [::1]"},
		{"ipv6 host only, in text", "see concordia://[::1]", "missing port after [::1]"},
		{"non-numeric port", "concordia://h:abc/" + tok, `port "abc" is not a number`},
		{"signed port", "concordia://h:+80/" + tok, "not a number"},
		{"port zero", "concordia://h:0/" + tok, "out of range"},
		{"port too big", "concordia://h:65536/" + tok, "out of range"},
		{"port huge", "concordia://h:99999999999999999999999/" + tok, "out of range"},
		{"unbracketed ipv6", "concordia://::1:8765/" + tok, "must be in brackets"},
		{"unbracketed ipv6 full", "concordia://2001:db8::1:8765/" + tok, "must be in brackets"},
		{"bracketed ipv4", "concordia://[1.2.3.4]:8765/" + tok, "not a valid IPv6"},
		{"bracketed name", "concordia://[host]:8765/" + tok, "not a valid IPv6"},
		{"ipv6 zone", "concordia://[fe80::1%25eth0]:8765/" + tok, "not a valid IPv6"},
		{"bad ipv4", "concordia://256.1.1.1:8765/" + tok, "not a valid IPv4"},
		{"host bad char", "concordia://ex ample:8765/" + tok, "invalid character"},
		{"host empty label", "concordia://a..b:8765/" + tok, "empty label"},
		{"host trailing dot", "concordia://a.b.:8765/" + tok, "empty label"},
		{"stray bracket", "concordia://a]:8765/" + tok, "stray bracket"},
		{"missing token no slash", "concordia://h:8765", "missing token"},
		{"missing token slash", "concordia://h:8765/", "missing token"},
		{"missing token with fp", "concordia://h:8765/?fp=" + fp, "missing token"},
		{"token bad char", "concordia://h:8765/" + tok + "!", `invalid character '!'`},
		{"token percent", "concordia://h:8765/" + tok + "%20", `invalid character '%'`},
		{"token plus", "concordia://h:8765/" + tok[:30] + "+" + tok[:10], `invalid character '+'`},
		{"token non-ascii", "concordia://h:8765/" + tok + "é", "invalid character"},
		{"token too short", "concordia://h:8765/" + strings.Repeat("a", 21), "too short: 21 characters"},
		{"token too long", "concordia://h:8765/" + strings.Repeat("a", 257), "too long"},
		{"extra path", "concordia://h:8765/" + tok + "/more", "unexpected path"},
		{"two trailing slashes", "concordia://h:8765/" + tok + "//", "unexpected path"},
		{"two slashes after fp", "concordia://h:8765/" + tok + "?fp=" + fp + "//", `fp has "//" after its 64 hex characters; remove it`},
		{"a mark after fp", "concordia://h:8765/" + tok + "?fp=" + fp + "x", `fp has "x" after its 64 hex characters`},
		{"a slash in fp", "concordia://h:8765/" + tok + "?fp=" + fp[:20] + "/" + fp[20:], `non-hex character '/' at position 21`},
		{"a slash for fp", "concordia://h:8765/" + tok + "?fp=/", `non-hex character '/' at position 1`},
		{"percent-encoded, fp cut short", "concordia://h:8765/" + tok + "%3Ffp%3D" + fp[:20], "got 20"},
		{"percent-encoded, fp apart", "concordia://h:8765/" + tok + " %3Ffp%3D" + fp, "fingerprint (?fp=) is cut off or apart"},
		// Half escaped, apart: a pin all the same (a reviewer's was read without it, and the
		// token would have gone to whoever answers, without TLS).
		{"half-encoded ?, fp apart", "concordia://h:8765/" + tok + " %3Ffp=" + fp, "fingerprint (?fp=) is cut off or apart"},
		{"half-encoded =, fp apart", "concordia://h:8765/" + tok + " ?fp%3D" + fp, "fingerprint (?fp=) is cut off or apart"},
		{"percent-encoded host", "concordia://h%2Eexample:8765/" + tok, `invalid character '%'`},
		{"rpc path", "concordia://h:8765/rpc/" + tok, "unexpected path"},
		{"fp short", "concordia://h:8765/" + tok + "?fp=" + fp[:63], "64 hex characters"},
		{"fp long", "concordia://h:8765/" + tok + "?fp=" + fp + "0", "64 hex characters"},
		{"fp non-hex", "concordia://h:8765/" + tok + "?fp=" + fp[:63] + "g", "non-hex"},
		{"fp colons", "concordia://h:8765/" + tok + "?fp=01:23", "64 hex characters"},
		{"fp empty", "concordia://h:8765/" + tok + "?fp=", "empty fp"},
		{"fp no value", "concordia://h:8765/" + tok + "?fp", "empty fp"},
		{"fp twice", "concordia://h:8765/" + tok + "?fp=" + fp + "&fp=" + fp, "more than once"},
		{"unknown parameter", "concordia://h:8765/" + tok + "?fp=" + fp + "&x=1", `unknown parameter "x"`},
		{"unknown parameter only", "concordia://h:8765/" + tok + "?name=bob", `unknown parameter "name"`},
		{"parameter case", "concordia://h:8765/" + tok + "?FP=" + fp, `unknown parameter "FP"`},
		{"empty query", "concordia://h:8765/" + tok + "?", "empty query"},
		{"trailing ampersand", "concordia://h:8765/" + tok + "?fp=" + fp + "&", `unknown parameter ""`},
		{"fragment", "concordia://h:8765/" + tok + "#frag", "fragment"},
		{"fragment after fp", "concordia://h:8765/" + tok + "?fp=" + fp + "#", "fragment"},
		{"user info", "concordia://bob@h:8765/" + tok, "user info"},
		{"user info password", "concordia://bob:pw@h:8765/" + tok, "user info"},
		{"inner white space", "concordia://h:8765/" + tok[:20] + " " + tok[20:], "invalid character ' '"},
		{"a message with a link cut short", "join: concordia://h:8765/" + tok + "?fp=" + fp[:27] + " thanks", "got 27"},
		// The text has a pin: a reading without it would connect without TLS (a reviewer).
		{"wrapped, fingerprint cut short", "concordia://h:8765/" + tok + "\n?fp=" + fp[:50], "got 50"},
		{"wrapped, a mark after the fingerprint", "concordia://h:8765/" + tok + "\n?fp=" + fp + "!", "invalid"},
		{"fingerprint apart from the link", "concordia://h:8765/" + tok + " ?fp=" + fp, "fingerprint (?fp=) is cut off or apart"},
		{"in a message, fingerprint apart", "join: concordia://h:8765/" + tok + " ?fp=" + fp, "fingerprint (?fp=) is cut off or apart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error containing %q", tt.in, got, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "invalid invite: ") {
				t.Errorf("message %q lacks the prefix", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
			if got != (Invite{}) {
				t.Errorf("got %+v with the error, want the zero Invite", got)
			}
		})
	}
}

func TestStringAndURL(t *testing.T) {
	tests := []struct {
		name    string
		inv     Invite
		str, ws string
		secure  bool
	}{
		{"name insecure", Invite{Host: "h.example", Port: 8765, Token: tok},
			"concordia://h.example:8765/" + tok, "ws://h.example:8765/rpc", false},
		{"ipv4 secure", Invite{Host: "10.0.0.2", Port: 443, Token: tok, Fingerprint: fp},
			"concordia://10.0.0.2:443/" + tok + "?fp=" + fp, "wss://10.0.0.2:443/rpc", true},
		{"ipv6 secure", Invite{Host: "::1", Port: 8765, Token: tok, Fingerprint: fp},
			"concordia://[::1]:8765/" + tok + "?fp=" + fp, "wss://[::1]:8765/rpc", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.inv.String(); got != tt.str {
				t.Errorf("String = %q, want %q", got, tt.str)
			}
			if got := tt.inv.WebSocketURL(); got != tt.ws {
				t.Errorf("WebSocketURL = %q, want %q", got, tt.ws)
			}
			if got := tt.inv.Secure(); got != tt.secure {
				t.Errorf("Secure = %v, want %v", got, tt.secure)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := Invite{Host: "h", Port: 8765, Token: tok, Fingerprint: fp}
	tests := []struct {
		name string
		edit func(*Invite)
		want string // "" = valid
	}{
		{"valid", func(*Invite) {}, ""},
		{"valid insecure", func(i *Invite) { i.Fingerprint = "" }, ""},
		{"valid ipv6", func(i *Invite) { i.Host = "fe80::1" }, ""},
		{"missing host", func(i *Invite) { i.Host = "" }, "missing host"},
		{"bracketed host", func(i *Invite) { i.Host = "[::1]" }, "must not be bracketed"},
		{"host with port", func(i *Invite) { i.Host = "h:80" }, "not a valid IPv6"},
		{"bad host", func(i *Invite) { i.Host = "a/b" }, "invalid character"},
		{"port zero", func(i *Invite) { i.Port = 0 }, "out of range"},
		{"port big", func(i *Invite) { i.Port = 70000 }, "out of range"},
		{"short token", func(i *Invite) { i.Token = "abc" }, "too short"},
		{"bad token", func(i *Invite) { i.Token = tok + "=" }, "invalid character"},
		{"upper fp", func(i *Invite) { i.Fingerprint = strings.ToUpper(fp) }, "lower-case"},
		{"short fp", func(i *Invite) { i.Fingerprint = "abcd" }, "64 hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := ok
			tt.edit(&inv)
			err := inv.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if again, err := Parse(inv.String()); err != nil || again != inv {
					t.Fatalf("round trip: %+v, %v", again, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an invalid-invite error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tk, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tk) != 43 {
			t.Fatalf("token %q has length %d, want 43", tk, len(tk))
		}
		raw, err := base64.RawURLEncoding.DecodeString(tk)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not 32 bytes of base64url: %v", tk, err)
		}
		if seen[tk] {
			t.Fatalf("token %q repeated", tk)
		}
		seen[tk] = true
		inv := Invite{Host: "h", Port: 1, Token: tk}
		if err := inv.Validate(); err != nil {
			t.Fatalf("fresh token rejected: %v", err)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"concordia://example.com:8765/" + tok,
		"concordia://example.com:8765/" + tok + "?fp=" + fp,
		"concordia://[::1]:8765/" + tok,
		"concordia://[2001:db8::1]:1/" + tok + "?fp=" + strings.ToUpper(fp),
		"concordia://10.0.0.1:65535/" + tok,
		" concordia://h:8765/" + tok + "\n",
		"https://example.com:8765/" + tok,
		"concordia://::1:8765/" + tok,
		"concordia://h:8765/" + tok + "/x",
		"concordia://h:8765/" + tok + "?fp=&x=1#f",
		"concordia://u@h:0/short",
		"concordia://[fe80::1%25eth0]:8765/" + tok,
		"concordia://[::ffff:1.2.3.4]:8765/" + tok,
		"",
		// Chat messages and wrapped links (find/extract), and text whose lower case has
		// another length (it panicked).
		"İ concordia://",
		"\xff concordia://h:1/" + tok + "\n?fp=" + fp,
		"join: <concordia://h:1/" + tok + ">!",
		"concordia://h:1/" + tok[:20] + "\n" + tok[20:] + " thanks",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		inv, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if err := inv.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted %+v that fails Validate: %v", s, inv, err)
		}
		// A text with a pin never gives a link without one (it would connect without TLS).
		if at := schemeAt(s); at >= 0 && containsFold(s[at:], "?fp=") && inv.Fingerprint == "" {
			t.Fatalf("Parse(%q) = %+v dropped the pin", s, inv)
		}
		again, err := Parse(inv.String())
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but its String %q is rejected: %v", s, inv.String(), err)
		}
		if again != inv {
			t.Fatalf("round trip of %q: %+v != %+v", s, again, inv)
		}
		if err := CheckComplete(inv); err != nil && (!errors.Is(err, ErrInvalid) || !errors.Is(err, ErrCutShort)) {
			t.Fatalf("CheckComplete(%+v) error %v does not wrap ErrInvalid and ErrCutShort", inv, err)
		}
	})
}

// TestCheckComplete: the tokens Concordia makes pass; a token cut short (or longer than
// Concordia's) is called out, wrapping ErrInvalid and ErrCutShort.
func TestCheckComplete(t *testing.T) {
	made, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	ok := []string{made, strings.Repeat("0123456789abcdef", 2)}
	for _, tok := range ok {
		inv, err := Parse("concordia://127.0.0.1:8765/" + tok + "?fp=" + strings.Repeat("ab", 32))
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckComplete(inv); err != nil {
			t.Errorf("CheckComplete(%q) = %v, want nil", tok, err)
		}
	}
	for _, tc := range []struct{ tok, want string }{
		{made[:30], "its token has 30 characters, but a Concordia invite's has 43"},
		{made[:42], "its token has 42 characters"},
		{strings.Repeat("0123456789ABCDEF", 2), "its token has 32 characters"}, // not lower-case hex
		{made + "x", "more than a Concordia invite's 43"},
	} {
		inv, err := Parse("concordia://127.0.0.1:8765/" + tc.tok)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckComplete(inv)
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrCutShort) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckComplete(%q) = %v, want ErrCutShort with %q", tc.tok, err, tc.want)
		}
	}
}

// TestCutOffLinksSaySo: a link cut in its ?fp= part says it may have been cut off.
func TestCutOffLinksSaySo(t *testing.T) {
	tok, _ := NewToken()
	base := "concordia://127.0.0.1:8765/" + tok
	for _, s := range []string{base + "?", base + "?f", base + "?fp", base + "?fp=", base + "?fp=" + strings.Repeat("a", 40), base[:len(base)-30]} {
		_, err := Parse(s)
		if err == nil || !strings.Contains(err.Error(), "was the link cut off?") {
			t.Errorf("Parse(%q) = %v, want a cut-off hint", s, err)
		}
	}
}

// TestFind: the link alone, from a clipboard holding a chat message, for the join field.
func TestFind(t *testing.T) {
	link := "concordia://h:8765/" + tok + "?fp=" + fp
	for _, in := range []string{link, "Join my party: " + link + " thanks!", "<" + link + ">", link[:40] + "\n" + link[40:]} {
		got, inv, err := Find(in)
		if err != nil || got != link || inv.Token != tok {
			t.Errorf("Find(%q) = %q, %+v, %v; want the link", in, got, inv, err)
		}
	}
	if got, _, err := Find("no link here"); err == nil || got != "" {
		t.Errorf("Find of text without a link: %q, %v", got, err)
	}
}

// A text past MaxText is not read: a paste of 512 KiB ending in "]" took 10 s to read (a
// security reviewer's). Up to it, it is read as before.
func TestLongTextIsRefused(t *testing.T) {
	link := "concordia://127.0.0.1:8765/" + strings.Repeat("A", 43)
	if _, err := Parse(strings.Repeat(" ", MaxText-len(link)) + link); err != nil {
		t.Fatalf("a link at the end of %d bytes: %v", MaxText, err)
	}
	_, err := Parse("concordia://" + strings.Repeat("]", MaxText))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "too long to look for an invite in") {
		t.Fatalf("a text past the limit: %v", err)
	}
}

// BenchmarkParseLongText: the longest text read, of brackets that are trimmed one by one
// (trimEnd counted the brackets again at each: quadratic).
func BenchmarkParseLongText(b *testing.B) {
	s := "concordia://" + strings.Repeat("]", MaxText-20)
	for b.Loop() {
		_, _ = Parse(s)
	}
}
