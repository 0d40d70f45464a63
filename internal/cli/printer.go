package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// printer renders party events for a terminal the way the original tool did: agent
// output as plain text, notices as "[system] …", "[party] …", "[error] …". Everything a
// peer wrote passes through term.Clean first. mu makes it safe from the event goroutine
// and the REPL at once.
type printer struct {
	mu      sync.Mutex
	w       io.Writer
	midLine bool // the last thing printed was agent text without a trailing newline
	you     string
}

func newPrinter(w io.Writer) *printer { return &printer{w: w} }

// notice prints one "[tag] text" line, on a line of its own.
func (p *printer) notice(tag, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noticeLocked(tag, text)
}

func (p *printer) noticeLocked(tag, text string) {
	if p.midLine {
		fmt.Fprintln(p.w)
		p.midLine = false
	}
	text = term.Clean(text)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	fmt.Fprintf(p.w, "[%s] %s\n", tag, lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(p.w, "    %s\n", l)
	}
}

// event prints one party event.
func (p *printer) event(ev wire.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev.Kind {
	case wire.KindParticipants:
		count := 0
		if ev.Count != nil {
			count = *ev.Count
		}
		switch {
		case ev.Joined != nil:
			p.noticeLocked("party", fmt.Sprintf("%s joined (%s)", term.Line(ev.Joined.Name), people(count)))
		case ev.Left != nil:
			p.noticeLocked("party", fmt.Sprintf("%s left (%s)", term.Line(ev.Left.Name), people(count)))
		}
	case wire.KindSystem:
		p.noticeLocked("system", ev.Text)
	case wire.KindError:
		p.noticeLocked("error", ev.Text)
	case wire.KindPrompt:
		if ev.Prompt != nil {
			p.noticeLocked("party", term.Line(ev.Prompt.User)+": "+ev.Prompt.Text)
		}
	case wire.KindBatch:
		if b := ev.Batch; b != nil {
			if len(b.Prompts) == 1 {
				p.noticeLocked("system", "sending the prompt to claude")
			} else {
				p.noticeLocked("system", fmt.Sprintf("sending %d prompts to claude, merged (%s):\n%s", len(b.Prompts), b.Merger, b.Merged))
			}
		}
	case wire.KindOutput:
		p.output(ev.Stream, ev.Text)
	case wire.KindTurn:
		if t := ev.Turn; t != nil {
			d := (time.Duration(t.DurationMS) * time.Millisecond).Round(100 * time.Millisecond)
			switch t.Status {
			case wire.TurnDone:
				p.noticeLocked("system", fmt.Sprintf("claude finished (%s)", d))
			case wire.TurnInterrupted:
				p.noticeLocked("system", "claude was interrupted: "+t.Error)
			default:
				p.noticeLocked("error", fmt.Sprintf("claude's turn failed after %s: %s", d, t.Error))
			}
		}
	}
}

func (p *printer) output(stream, text string) {
	text = term.Clean(text)
	switch stream {
	case wire.StreamAssistant:
		fmt.Fprint(p.w, text)
		p.midLine = !strings.HasSuffix(text, "\n")
	case wire.StreamTool:
		if p.midLine {
			fmt.Fprintln(p.w)
		}
		for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			fmt.Fprintf(p.w, "  » %s\n", l)
		}
		p.midLine = false
	default:
		p.noticeLocked("system", "claude: "+text)
	}
}

func people(n int) string {
	if n == 1 {
		return "1 in the party"
	}
	return fmt.Sprintf("%d in the party", n)
}
