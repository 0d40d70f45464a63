package cli

import (
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/concordia-party/concordia/internal/term"
)

// screen is the printer's writer while the editor runs: it holds the unfinished last line
// and hands complete lines to the program, which prints them above the input. Before the
// program runs and after it ends it writes to out directly. mu guards all of it; nothing
// here is called from the program's Update, so sending to the program under mu cannot
// deadlock.
//
// Lines go to the program with Send, never Program.Println: Println waits for the program
// to take the line even after the program has ended (its terminal gone: the read fails),
// and a join whose pane was closed hung there for good, holding the printer's lock that
// runEditor needs on its way out (seen in the terminal tests, ignoring SIGTERM). Send
// gives up once the program's context ends, at the start of its shutdown. So that
// nothing written while a quit is under way is lost to that, hold (called before the
// editor is asked to quit) keeps what comes next for detach to write out.
type screen struct {
	mu      sync.Mutex
	out     io.Writer
	prog    *tea.Program // nil when the editor is not running
	partial string       // the unfinished line (no newline yet)
	holding bool         // the program is quitting: Write keeps text in held
	held    []byte
	// width is the terminal's width once the program knows it (0: unknown). Atomic, not
	// under mu: the program's Update sets it, and Write holds mu while it sends to the
	// program.
	width atomic.Int64
	// rawMid: what was written directly (no program) ended mid-line.
	rawMid bool
	// background says whether out is a terminal another process group has (nil: never).
	// The program draws nothing there (editorOutput), and whole lines are written
	// straight to out, as a background job's are.
	background func() bool
}

// inBackground says whether out is, now, a terminal another process group has.
func (s *screen) inBackground() bool { return s.background != nil && s.background() }

// direct writes whole lines (no newline at the end) to out, for a terminal the program
// does not draw on: each line starts at the left edge (the terminal may be raw).
func (s *screen) direct(lines string) error {
	if w := int(s.width.Load()); w > 1 {
		lines = fitLines(lines, w)
	}
	_, err := io.WriteString(s.out, strings.ReplaceAll(lines, "\n", "\r\n")+"\r\n")
	return err
}

// setWidth is told the terminal's width by the editor (from the program's Update).
func (s *screen) setWidth(w int) { s.width.Store(int64(w)) }

func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prog == nil {
		// Whole lines are fitted to the width too (the start-up lines, before the program
		// runs, were cut mid-word by the terminal); a line written in pieces is left to it.
		if w := int(s.width.Load()); w > 1 && !s.rawMid && len(b) > 0 && b[len(b)-1] == '\n' {
			if _, err := io.WriteString(s.out, fitLines(string(b[:len(b)-1]), w)+"\n"); err != nil {
				return 0, err
			}
			return len(b), nil
		}
		if len(b) > 0 {
			s.rawMid = b[len(b)-1] != '\n'
		}
		return s.out.Write(b)
	}
	if s.holding {
		s.held = append(s.held, b...)
		return len(b), nil
	}
	text := s.partial + string(b)
	i := strings.LastIndexByte(text, '\n')
	if i >= 0 {
		done := text[:i]
		if s.inBackground() {
			if err := s.direct(done); err != nil {
				return 0, err
			}
		} else {
			if w := int(s.width.Load()); w > 1 {
				done = fitLines(done, w)
			}
			s.prog.Send(tea.Println(done)())
		}
		text = text[i+1:]
	}
	if text != s.partial || i >= 0 {
		s.partial = text
		s.prog.Send(partialMsg(text))
	}
	return len(b), nil
}

// attach starts sending lines to p.
func (s *screen) attach(p *tea.Program) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prog = p
}

// above prints text (whole lines) above the unfinished line, which stays as it is; false
// when the program is not running (or quitting), and nothing was printed.
func (s *screen) above(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prog == nil || s.holding {
		return false
	}
	if s.inBackground() {
		return s.direct(text) == nil
	}
	if w := int(s.width.Load()); w > 1 {
		text = fitLines(text, w)
	}
	s.prog.Send(tea.Println(text)())
	return true
}

// maxLinkLine is the longest line with an invite that fitLines leaves whole.
const maxLinkLine = 400

// inviteLine is a line as our terminal prints an invite ("invite code: concordia://…",
// "viewer invite: …", "host invite: …"), indented or not, colours taken off.
var inviteLine = regexp.MustCompile(`^\s*(invite code|viewer invite|host invite): concordia://\S+$`)

// fitLines cuts lines to the terminal's width w: a line the terminal wraps itself may take
// more rows than the program counts, and the input area it redraws below can leave pieces
// of itself on the screen. An invite line is left whole, up to maxLinkLine: a link cut
// into lines cannot be copied with a double click or pasted into a chat (a tester's
// /invite printed every link in two pieces), and the terminal's own wrap of it measured
// clean in tmux. Only our own invite lines: text from peers or the agent is always cut.
func fitLines(text string, w int) string {
	if !strings.Contains(text, "concordia://") {
		return wrapLines(text, w-1)
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if !inviteLine.MatchString(ansi.Strip(l)) || ansi.StringWidth(l) > maxLinkLine {
			lines[i] = wrapLines(l, w-1)
		}
	}
	return strings.Join(lines, "\n")
}

// wrapLines fits text to width columns: at spaces (a tester's notices were cut mid-word,
// "/rot" / "ate"), and where a terminal is too narrow for that, anywhere.
func wrapLines(text string, width int) string {
	if width < 20 {
		return ansi.Hardwrap(text, width, true)
	}
	return term.Wrap(text, width, "", 0)
}

// hold keeps what is written from now on for detach: the program is about to quit, and
// a line sent once its event loop has taken the quit would be dropped (Send gives up when
// the program's context ends, at the start of its shutdown).
func (s *screen) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holding = s.prog != nil
}

// detach goes back to writing out directly, with the unfinished line and what was held,
// if any, first.
func (s *screen) detach() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prog = nil
	rest := append([]byte(s.partial), s.held...)
	s.partial, s.held, s.holding = "", nil, false
	if len(rest) > 0 {
		s.out.Write(rest)
	}
}
