package transcript

import (
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestReplyTextEscapesRawHTML: the agent's raw HTML reaches the export as text a viewer
// will not render (a tester's export carried <img onerror=…> and <script> as they were);
// code, comparisons and the rest of the Markdown stay as written.
func TestReplyTextEscapesRawHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Here: <img src=x onerror=alert(1)> and <script>alert(2)</script>`, `Here: &lt;img src=x onerror=alert(1)> and &lt;script>alert(2)&lt;/script>`},
		{"<!-- hidden --> <?xml ?> <!DOCTYPE html>", "&lt;!-- hidden --> &lt;?xml ?> &lt;!DOCTYPE html>"},
		{"if a < b and b <= c, 1<2", "if a < b and b <= c, 1<2"},
		{"use `<div>` here, or ``a `<b>` c``", "use `<div>` here, or ``a `<b>` c``"},
		{"```html\n<div onclick=x>\n```\nafter <b>bold</b>", "```html\n<div onclick=x>\n```\nafter &lt;b>bold&lt;/b>"},
		{"~~~~\n<a>\n~~~\nstill <a> code\n~~~~\n<a>", "~~~~\n<a>\n~~~\nstill <a> code\n~~~~\n&lt;a>"},
		{"**bold** _it_ [link](https://x.test) <https://x.test>", "**bold** _it_ [link](https://x.test) &lt;https://x.test>"},
		{"an unclosed `<span> is not code", "an unclosed `&lt;span> is not code"},
		// A reviewer's bypasses: each got raw HTML past the escaping.
		{"\\`<img src=x onerror=alert(1)>`", "\\`&lt;img src=x onerror=alert(1)>`"},                           // an escaped backtick opens no code span
		{"1. item\n   ```\n<img src=x onerror=alert(1)>", "1. item\n   ```\n&lt;img src=x onerror=alert(1)>"}, // a fence in a list item ends with it
		{"```x`y\n<img src=x onerror=alert(1)>", "```x`y\n&lt;img src=x onerror=alert(1)>"},                   // a backtick in the info string: no fence
		{"`<b>`` <i>", "`&lt;b>`` &lt;i>"}, // a run of two does not close a run of one
		{"``a ` <b> ``", "``a ` <b> ``"},
		{"```\n<b>\n   ```\n<i>", "```\n<b>\n   ```\n&lt;i>"}, // a closing fence may be indented
		// A reviewer's export kept the agent's tracking pixel and a javascript: link live.
		{"![logo](https://evil.example/pixel.png?party=leak) and [docs](javascript:alert(document.domain))",
			"!\\[logo](https://evil.example/pixel.png?party=leak) and [docs]\\(javascript:alert(document.domain))"},
		{"[a](JavaScript:x) [b]( <vbscript:y>) [c](data:text/html,z) [d](file:///etc/passwd) [e](https://ok.test)",
			"[a]\\(JavaScript:x) [b]\\( &lt;vbscript:y>) [c]\\(data:text/html,z) [d]\\(file:///etc/passwd) [e](https://ok.test)"},
		{"code keeps it: `![x](y)`\n```\n![x](y)\n```", "code keeps it: `![x](y)`\n```\n![x](y)\n```"},
		// A code reviewer's and a tester's bypasses: a reference definition, a character
		// reference, a destination on the next line.
		{"see [y][s]\n[s]: javascript:alert(1)\n  [t]: <file:///etc/passwd>\n[ok]: https://ok.test",
			"see [y][s]\n\\[s]: javascript:alert(1)\n  \\[t]: &lt;file:///etc/passwd>\n[ok]: https://ok.test"},
		{"[c](&#106;avascript:alert(5)) [d](&#x6A;avascript:x)", "[c]\\(&#106;avascript:alert(5)) [d]\\(&#x6A;avascript:x)"},
		{"[e](\njavascript:alert(7))", "[e]\\(\njavascript:alert(7))"},
		// A fence left open is closed, so that what follows is not code (a tester's).
		{"look:\n```\ncode", "look:\n```\ncode\n```\n"},
		{"~~~~\nx\n", "~~~~\nx\n~~~~\n"},
	}
	for _, c := range cases {
		if got := replyText(c.in); got != c.want {
			t.Errorf("replyText(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	md := String(Meta{}, []wire.Event{
		{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "x"}},
		{Seq: 2, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "x", Merger: "local"}},
		{Seq: 3, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Done <script>alert(1)</script>"},
		{Seq: 4, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}},
	})
	if strings.Contains(md, "<script>") || !strings.Contains(md, "Done &lt;script>alert(1)&lt;/script>") {
		t.Errorf("the export:\n%s", md)
	}
	if out := replyText(strings.Repeat("plain text\n", 3)); out != strings.Repeat("plain text\n", 3) {
		t.Errorf("text without HTML changed: %q", out)
	}
}
