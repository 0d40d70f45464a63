package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
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
	// The program draws nothing there (foregroundOutput), and whole lines go to bg.
	background func() bool
	// bg is where lines go while another process group has the terminal (nil: straight
	// to out); printed, the lines handed to the program it has not written yet (nil: not
	// kept). Both have locks of their own: the program's writes use them.
	bg      *backgroundOut
	printed *printedLines
}

// inBackground says whether out is, now, a terminal another process group has.
func (s *screen) inBackground() bool { return s.background != nil && s.background() }

// direct writes whole lines (no newline at the end) for a terminal the program does not
// draw on (bg's), after those the program has not written yet: they came first.
func (s *screen) direct(lines string) error {
	if w := int(s.width.Load()); w > 1 {
		lines = fitLines(lines, w)
	}
	bg := s.bg
	if bg == nil {
		bg = &backgroundOut{out: s.out} // keeps nothing
	}
	var before []string
	if s.printed != nil {
		before = s.printed.takeAll()
	}
	return bg.write(append(before, strings.Split(lines, "\n")...))
}

// toProgram hands text (whole lines) to the program to print above the editor. The
// caller holds mu.
func (s *screen) toProgram(text string) {
	if w := int(s.width.Load()); w > 1 {
		text = fitLines(text, w)
	}
	if s.printed != nil {
		s.printed.add(text)
	}
	s.prog.Send(tea.Println(text)())
}

// programOutput is what the editor's program draws on.
func (s *screen) programOutput() io.Writer { return editorOutput(s.out, s.printed, s.bg) }

// releaseHeld prints the lines kept while the terminal was another's and stopped writers
// in the background (backgroundOut), once it is this process's again.
func (s *screen) releaseHeld() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseHeldLocked()
}

// releaseHeldLocked is releaseHeld for a caller that holds mu: before any newer line, so
// that none comes out ahead of them (a reviewer's, after fg: the shell gives the terminal
// back before it continues the process). Above the editor while it runs; kept with what
// the editor's quit keeps while it quits; else straight to out.
func (s *screen) releaseHeldLocked() {
	if s.bg == nil || !s.bg.holds() || s.inBackground() {
		return
	}
	text := strings.Join(s.bg.release(), "\n")
	switch {
	case s.prog == nil:
		_, _ = io.WriteString(s.out, text+"\n")
	case s.holding:
		s.held = append(s.held, text+"\n"...)
	default:
		s.toProgram(text)
	}
}

// letGo ends the keeping of lines for a terminal that stops background writers, as the
// terminal's party ends: what was kept is written, in the background too (the process is
// let write there: it goes), and so is what comes after. Kept, the draft the editor gave
// back and "party ended; its journal is …" were lost with the process (a reviewer's).
func (s *screen) letGo() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bg == nil {
		return
	}
	if s.inBackground() {
		allowBackgroundWrites()
	}
	if lines := s.bg.release(); len(lines) > 0 {
		_, _ = io.WriteString(s.out, strings.Join(lines, "\n")+"\n")
	}
	s.bg = nil
}

// foregroundOutput is a terminal drawn on only while the process is in its foreground
// (editorOutput). A SIGSTOP cannot be caught: the editor learns it was stopped, and that
// its shell now has the terminal, only from the continuedMsg sent after the SIGCONT, and a
// frame due before that (the status line's clock) was drawn over the shell and then
// erased, taking the shell's lines with it (seen in the job-control test: "typed at the
// shell" cut to "ty"). So every write is checked here, as it happens. In the background a
// frame's lines printed above the editor (printed) go to bg by themselves, and the rest
// of it nowhere; only the sequence that shows the cursor passes (the shell's cursor was
// hidden by ours), unless the terminal stops background writers. When the terminal is
// given back the editor draws itself whole again.
type foregroundOutput struct {
	*os.File   // a term.File: Bubble Tea reads the terminal's size from it
	printed    *printedLines
	bg         *backgroundOut
	background func() bool // another process group has the terminal
	quiet      func() bool // the terminal stops background writers (stty tostop)
}

func (t *foregroundOutput) Write(b []byte) (int, error) {
	lines := t.printed.take(b)
	if !t.background() || string(b) == ansi.ShowCursor && !t.quiet() {
		if _, err := t.File.Write(freshRows(b)); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	if len(lines) > 0 {
		if err := t.bg.write(lines); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// WriteString hides the file's own, which io.WriteString would call instead of Write.
func (t *foregroundOutput) WriteString(s string) (int, error) { return t.Write([]byte(s)) }

// freshRows is frame, one frame of the editor's program, with each row it writes text to
// cleared whole first (ESC[2K), and, when its last line is shorter than the terminal, what
// is below it cleared too (ESC[J). A terminal that reflows its rows on a resize (tmux,
// VTE, kitty, Windows Terminal) marks a row a narrowing wrapped as continued, and a row the
// program then writes its text to and erases to the end of stays marked: once the
// terminal grew again, the lines printed there ran on into each other (a tester's
// "[system] sending the prompt to claude        echo: …" on one line), and the rows the
// old frame was wrapped into stayed under the new one ("idle · /help" twice). A whole-row
// clear unmarks a row. Bubble Tea writes a frame at once, after a move up to its first
// row, its lines joined by "\r\n" (a line left as it was by "\n"), and ends it with "\r";
// anything else (showing the cursor, say) is returned as it is.
func freshRows(frame []byte) []byte {
	if len(frame) == 0 || frame[len(frame)-1] != '\r' {
		return frame
	}
	i := 0
	if bytes.HasPrefix(frame, []byte("\x1b[")) { // the move up: CSI n A
		j := 2
		for j < len(frame) && frame[j] >= '0' && frame[j] <= '9' {
			j++
		}
		if j < len(frame) && frame[j] == 'A' {
			i = j + 1
		}
	}
	out := make([]byte, 0, len(frame)+64)
	out = append(out, frame[:i]...)
	rowStart := true
	for _, c := range frame[i : len(frame)-1] {
		if rowStart && c != '\n' && c != '\r' {
			out = append(out, ansi.EraseEntireLine...)
		}
		if c != '\r' {
			rowStart = c == '\n'
		}
		out = append(out, c)
	}
	if bytes.HasSuffix(out, []byte(ansi.EraseLineRight)) {
		out = append(out, ansi.EraseScreenBelow...)
	}
	return append(out, '\r')
}

// printedLines are the lines the screen handed the editor's program to print above
// itself and the program has not written yet, oldest first. The program writes them with
// its next frame, whole and in order; a frame that the terminal must not get (another
// process group has it: foregroundOutput) has its lines written by themselves, or they
// were lost (a reviewer's: a line queued just before a SIGSTOP never showed, not even
// after fg).
type printedLines struct {
	mu    sync.Mutex
	lines []string
}

// maxPrintedLines bounds printedLines: lines no frame ever holds (the program ended
// first) are let go.
const maxPrintedLines = 4096

func (p *printedLines) add(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, strings.Split(text, "\n")...)
	if n := len(p.lines) - maxPrintedLines; n > 0 {
		p.lines = append(p.lines[:0:0], p.lines[n:]...)
	}
}

// takeAll removes every line and returns them.
func (p *printedLines) takeAll() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	lines := p.lines
	p.lines = nil
	return lines
}

// take removes the lines frame holds, each after the one before, and returns them. The
// program writes a printed line whole, then the sequence that clears the rest of the row
// (when it is shorter) and CR LF: a line is taken only so, not where its text shows in the
// editor's own rows (its last row has no CR LF).
func (p *printedLines) take(frame []byte) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var got []string
	at := 0
	for len(p.lines) > 0 {
		i, n := lineIn(frame[at:], p.lines[0])
		if i < 0 {
			break
		}
		at += i + n
		got = append(got, p.lines[0])
		p.lines = p.lines[1:]
	}
	return got
}

// lineIn finds line as the program prints it in b: its index and length, or -1.
func lineIn(b []byte, line string) (int, int) {
	best, n := -1, 0
	for _, end := range []string{ansi.EraseLineRight + "\r\n", "\r\n"} {
		if i := bytes.Index(b, []byte(line+end)); i >= 0 && (best < 0 || i < best) {
			best, n = i, len(line)+len(end)
		}
	}
	return best, n
}

// backgroundOut takes the party's lines while another process group has the terminal:
// written straight to it, as a background job's are, or, when the terminal stops a
// process that writes to it from the background (stty tostop), kept until it is this
// process's again (screen.releaseHeld): a write would have stopped the host, and its
// party with it (a reviewer's).
type backgroundOut struct {
	mu    sync.Mutex
	out   io.Writer
	quiet func() bool // the terminal stops background writers (nil: never)
	held  []string
	cut   int // lines let go past maxHeldLines
}

// maxHeldLines bounds what backgroundOut keeps: past it, the oldest lines go, and are
// counted.
const maxHeldLines = 2000

// write writes lines (each without its newline), each from the left edge (the terminal
// may be raw), or keeps them.
func (b *backgroundOut) write(lines []string) error {
	return b.writeOr([]byte(strings.Join(lines, "\r\n")+"\r\n"), lines)
}

// writeRaw writes what the screen writes before the editor runs (whole lines or not), or
// keeps it as write does.
func (b *backgroundOut) writeRaw(p []byte) error {
	return b.writeOr(p, strings.Split(strings.TrimSuffix(string(p), "\n"), "\n"))
}

// writeOr writes p, or, when the terminal stops background writers, keeps lines, p's.
func (b *backgroundOut) writeOr(p []byte, lines []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.quiet == nil || !b.quiet() {
		_, err := b.out.Write(p)
		return err
	}
	b.held = append(b.held, lines...)
	if n := len(b.held) - maxHeldLines; n > 0 {
		b.held = append(b.held[:0:0], b.held[n:]...)
		b.cut += n
	}
	return nil
}

// holds says whether lines are kept.
func (b *backgroundOut) holds() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.held) > 0 || b.cut > 0
}

// release returns the lines kept, and empties it; a line first says how many earlier
// ones went.
func (b *backgroundOut) release() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := b.held
	if b.cut > 0 {
		lines = append([]string{fmt.Sprintf("(%s earlier lines, printed while in the background, are not shown)", thousands(b.cut))}, lines...)
	}
	b.held, b.cut = nil, 0
	return lines
}

// setWidth is told the terminal's width by the editor (from the program's Update).
func (s *screen) setWidth(w int) { s.width.Store(int64(w)) }

func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseHeldLocked()
	if s.prog == nil && s.bg != nil && s.inBackground() {
		// Before the editor runs (waitForeground): a terminal that stops background
		// writers would stop the host here too.
		if err := s.bg.writeRaw(b); err != nil {
			return 0, err
		}
		return len(b), nil
	}
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
			s.toProgram(done)
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
	s.releaseHeldLocked()
	s.toProgram(text)
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
// "/rot" / "ate"), and where a terminal is too narrow for that, anywhere. Tabs become the
// spaces the terminal would show, so that they are counted.
func wrapLines(text string, width int) string {
	text = term.ExpandTabs(text)
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
