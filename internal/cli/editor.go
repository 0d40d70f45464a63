package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	xterm "golang.org/x/term"

	// Before Bubble Tea's init: see the package.
	_ "concordia.invalid/quietterm"

	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// The line editor of an interactive party terminal, built on Bubble Tea (inline, not the
// alternate screen) and the Bubbles textarea. Bubble Tea was chosen because it owns the
// bottom of the screen and prints everything else above it (Program.Println), so agent
// output and notices never break the line being typed; it reads bracketed pastes as one
// message; and the textarea is a multi-line editor without a line-length limit (the
// terminal is in raw mode, so the tty's 4,095-byte canonical-mode cut does not apply).
//
// What is on screen, bottom up: the input (one to eight rows, growing with its lines), a
// status line (phase, elapsed time, your prompts waiting), and the agent's current,
// unfinished line. Complete lines go above through screen, the printer's writer.

// interactive reports whether the party terminal gets the line editor: stdin and stdout
// both terminals, and TERM not "dumb". Otherwise (pipes, files, scripts) input stays one
// prompt per line and output stays plain.
func interactive(in io.Reader, out io.Writer, getenv func(string) string) bool {
	if getenv("TERM") == "dumb" {
		return false
	}
	fi, ok1 := in.(*os.File)
	fo, ok2 := out.(*os.File)
	return ok1 && ok2 && xterm.IsTerminal(int(fi.Fd())) && xterm.IsTerminal(int(fo.Fd()))
}

// Messages the program receives from outside Update.
type (
	partialMsg  string    // the agent's unfinished line changed
	statusMsg   status    // the party's phase changed
	tickMsg     time.Time // redraw the spinner and the elapsed time
	lineDone    struct{}  // the line handed to the commander has been handled
	quitMsg     struct{}  // the commander said quit, or the context ended
	errMsg      struct{ s string }
	giveBackMsg string // a prompt withdrawn, back into the input to be corrected
)

// status is what the status line shows; the printer computes it from its roster.
type status struct {
	phase string    // a wire.Phase* value
	since time.Time // when the phase began (for running: when the turn began)
	mine  int       // this member's prompts waiting for a batch
	all   int       // all prompts waiting
	min   int       // the party's min_prompts: fewer waiting wait for more, however long
	shell string    // the /shell command running here, "" when none
	// lookup: the oldest /changes, /diff or /tree waiting for the host's answer ("" when
	// none), and how many wait in all.
	lookup  string
	lookups int
	role    string
	// deadline: awaiting_permission, when the oldest request is denied if nobody decides.
	deadline time.Time
	// connected is false while a joined terminal has lost the host: what it last knew of
	// the phase may no longer be true.
	connected bool
	// sending: when this terminal's prompt went to the host and has no answer yet (zero:
	// none in flight). A host that stops answering is otherwise invisible: the input is
	// cleared and the status reads idle.
	sending time.Time
	// again: when the prompt being sent, which the host refused as too fast, is sent
	// again (zero: it is not waiting to be).
	again time.Time
	// heldMine: the batch waiting for approval carries prompts of this member's.
	heldMine int
	// agentDown says why claude is not running (roster.agentDown); "" while it is.
	agentDown string
	// recall: this member's prompts the party gave back to send again, oldest first
	// (roster.recall, which only grows): the editor adds each to its history once.
	recall *[]string
}

// editor is the Bubble Tea model. Only the program's goroutine touches it.
type editor struct {
	ta      textarea.Model
	width   int
	onWidth func(int) // told the terminal's width when it changes (the screen wraps with it)
	partial string
	st      status
	frame   int
	color   bool
	history []string
	hpos    int    // index into history while browsing; len(history) when not
	draft   string // what was typed before browsing began
	errText string // a local error shown under the input until the next key
	left    string // what the input held when the editor ended (runEditor says it was not sent)
	lines   chan<- string
	// stops: Ctrl-C and Ctrl-D on an empty line stop what the line being handled waits for
	// (runEditor); nil in tests of the editor alone.
	stops *lineStops
	quit  bool
	// background: the process is in the background of its terminal (continued from
	// outside after a stop): nothing is drawn, so as not to paint over the shell.
	background bool
	// recalled is how many of status.recall are in the history already.
	recalled int
	// given is the text giveBack last put into the input, until the input is sent or
	// cleared: a Ctrl-C that clears it says so (clearedWords).
	given string
	// ownParty: the party's own terminal (concordia host), where Ctrl-C on an empty line
	// ends the party rather than leaving it.
	ownParty bool
	// rows is how many rows the input's text takes (fit).
	rows int
	// measure is a textarea of ta's text width that fit wraps each line in, to count its
	// rows as ta wraps them.
	measure textarea.Model
	// keptBack, when set, prints a lasting line for a prompt the editor kept back, and
	// why: while the host cannot be reached (the line under the input goes once it is
	// back, and the scrollback had no word of the prompt: a tester's), of a viewer (the
	// next output replaced the line under the input, and nothing was left: a tester's;
	// piped, the same prompt's refusal is a lasting line), or too long. It runs as a
	// command, off the program's loop: it prints through the screen, which sends to the
	// program.
	keptBack func(text, why string)
	// notice, when set, prints a lasting [system] line (say): run as a command, as
	// keptBack is.
	notice func(text string)
}

const maxEditorRows = 8

// maxTypedAhead is how many lines typed ahead wait for the ones before them to be handled;
// one more is kept back (typedAheadText). Ctrl-C and Ctrl-D are never kept back: room
// for controlAhead more is kept for them.
const (
	maxTypedAhead = 32
	controlAhead  = 8
)

var (
	typedAheadText = fmt.Sprintf("%d lines typed ahead wait already: this one was not sent; Up brings it back", maxTypedAhead)
	typedAheadWhy  = fmt.Sprintf("%d lines typed ahead wait to be handled; Up brings it back", maxTypedAhead)
)

// continuedMsg: the process continued after a stop, and a shell may have put its own
// terminal settings back (onContinue, retakeInput). The editor makes its input raw again
// and asks for the rest: bracketed paste, the hidden cursor, and a whole repaint (size:
// the terminal's size now, zero when unknown).
//
// Not tea.Exec of a command that runs nothing, which lets the terminal go and takes it
// again: Bubble Tea's renderer restarts its ticker then while the goroutine it just
// stopped may still be stopping it, and a tester's terminal, stopped and continued (tmux
// continues a stopped pane at once, so each stop is two continues), drew nothing more
// until the party ended, while the keys typed blind still went out.
type continuedMsg struct {
	width, height int
	raw           func() // makes the input raw again (nil: not a terminal)
	// background: continued in the background of its terminal: the shell has it, and the
	// editor draws nothing until it is given the terminal again (a tester's editor kept
	// drawing its input line over the shell's prompt, and a prompt typed there ran as a
	// shell command).
	background bool
}

// backgroundMsg: the process was put in the background of its terminal while it ran.
type backgroundMsg struct{}

// notConnectedText is shown under the input after a prompt was kept back while the host
// cannot be reached, until it can.
// clearedText is said when Ctrl-C clears the input: the text is in the history; and
// clearedGivenText when what it cleared held a prompt the terminal had given back
// (giveBack), which the person did not type and may not know is there (clearedWords).
const (
	clearedText      = "cleared; Up brings the text back"
	clearedGivenText = "cleared the prompt given back to you, not sent; Up brings it back"
)

// leftUnsentText heads the text left in the input when the editor ended.
const leftUnsentText = "what you were typing was not sent:"

const notConnectedText = "not sent: not connected to the host right now; Up brings the prompt back to send once reconnected"

// notConnectedWhy and viewerWhy are why a prompt was kept back, in its lasting line.
const (
	notConnectedWhy = "not connected to the host right now; Up brings it back, to send once reconnected"
	viewerWhy       = "you are a viewer: you cannot send prompts (a host can make you a participant); Up brings it back"
)

// viewerText is shown under the input after a viewer's prompt was kept back, until the
// next key or until this member may send prompts again.
const viewerText = "you are a viewer: you cannot send prompts (a host can make you a participant); Up brings the text back"

// placeholder is what the empty input line says to a member of role ("" before the hello).
func placeholder(role string) string {
	if role == wire.RoleViewer {
		return "you are watching: prompts are for participants; /help lists commands"
	}
	return "type a prompt; Enter sends, Alt-Enter or Ctrl-J adds a line, /help lists commands"
}

func newEditor(color bool, lines chan<- string) *editor {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxWidth = 0
	// No bound on the lines: the textarea takes MaxHeight as the most lines its text may
	// have, and dropped each new line past 8 without a word (a tester's ten lines went as
	// "L8L9L10"). How many rows show is fit's (maxEditorRows).
	ta.MaxHeight = 0
	ta.Placeholder = placeholder("")
	ta.SetPromptFunc(2, func(line int) string {
		if line == 0 {
			return "› "
		}
		return "  "
	})
	ta.KeyMap.InsertNewline.SetKeys("alt+enter", "ctrl+j")
	ta.FocusedStyle.CursorLine = ta.FocusedStyle.Text
	if !color {
		ta.FocusedStyle.Placeholder = ta.FocusedStyle.Text
		ta.FocusedStyle.Prompt = ta.FocusedStyle.Text
	}
	ta.SetHeight(1)
	ta.Focus()
	return &editor{ta: ta, measure: newMeasure(), color: color, lines: lines, width: 80, st: status{connected: true}}
}

func tick() tea.Cmd {
	return tea.Tick(200*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (e *editor) Init() tea.Cmd { return tea.Batch(textarea.Blink, tick()) }

func (e *editor) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		e.width = msg.Width
		if e.onWidth != nil {
			e.onWidth(msg.Width)
		}
		e.ta.SetWidth(max(msg.Width-1, 10))
		// Its rows again: a tester's draft, re-wrapped onto two rows by a narrower terminal,
		// showed one of them.
		e.fit()
		return e, nil
	case partialMsg:
		e.partial = string(msg)
		return e, nil
	case statusMsg:
		if msg.connected && e.errText == notConnectedText || msg.role != wire.RoleViewer && e.errText == viewerText {
			e.errText = "" // it is, now; or this member is no longer a viewer
		}
		if msg.recall != nil && len(*msg.recall) > e.recalled {
			// Prompts of this member's given back (a failed turn's, one withdrawn by another
			// or by a resume): Up recalls them, to send again. Each once, however many
			// statuses came between (a reviewer's two lost all but the last).
			e.recall((*msg.recall)[e.recalled:])
			e.recalled = len(*msg.recall)
		}
		e.st = status(msg)
		e.ta.Placeholder = placeholder(e.st.role)
		return e, nil
	case tickMsg:
		e.frame++
		return e, tick()
	case errMsg:
		e.errText = msg.s
		return e, nil
	case giveBackMsg:
		e.giveBack(string(msg))
		return e, nil
	case backgroundMsg:
		// The shell's cursor was hidden by ours: shown again for it.
		e.background = true
		return e, tea.ShowCursor
	case continuedMsg:
		if msg.background {
			e.background = true
			return e, tea.ShowCursor
		}
		e.background = false
		if msg.raw != nil {
			msg.raw()
		}
		cmds := []tea.Cmd{tea.EnableBracketedPaste, tea.HideCursor}
		if msg.width > 0 && msg.height > 0 {
			// A size message makes the renderer draw every line again.
			size := tea.WindowSizeMsg{Width: msg.width, Height: msg.height}
			cmds = append(cmds, func() tea.Msg { return size })
		}
		return e, tea.Sequence(cmds...)
	case quitMsg:
		e.quit = true
		e.left = e.ta.Value()
		return e, tea.Quit
	case tea.KeyMsg:
		return e.key(msg)
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	return e, cmd
}

func (e *editor) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	e.errText = ""
	if k.Paste {
		// A paste is text, never a command: newlines in it stay in the prompt.
		text := strings.ReplaceAll(string(k.Runes), "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
		e.ta.InsertString(text)
		e.fit()
		return e, nil
	}
	if k.Type == tea.KeyRunes && !k.Alt {
		// Typed text is text. Bubble Tea reads a word that arrives in one read (a paste
		// without bracketed paste, keys bunched up over a slow link) as one key, whose name
		// is the word itself: matched by name, "enter", "up" or "ctrl+d" typed as words
		// sent the prompt, recalled history or left the party, and the textarea's own
		// bindings ate "left", "down" and "end".
		e.ta.InsertString(string(k.Runes))
		e.fit()
		return e, nil
	}
	switch k.String() {
	case "ctrl+c":
		if v := e.ta.Value(); v != "" {
			// Cleared, not lost: a host clears a half-written prompt to type /allow when a
			// tool request comes, and the draft was gone for good (a tester's).
			given := e.given != "" && strings.Contains(v, e.given)
			e.cleared(v)
			e.ta.Reset()
			e.given = ""
			e.fit()
			e.errText = e.clearedWords(given)
			return e, nil
		}
		return e.submit(interruptLine) // stops a /shell command, or leaves
	case "ctrl+u":
		if v := e.ta.Value(); strings.TrimSpace(v) != "" {
			e.cleared(v) // what it deletes, as Ctrl-C's (the textarea deletes it below)
		}
	case "ctrl+z":
		// Not a suspend: a stopped terminal reads nothing, and a stopped host stops the
		// party for everyone. Said, so that the key is not simply dead: as a [system] line
		// above, as the other keys' answers are (Ctrl-C's "again within 10 seconds"), in
		// this terminal's own words (a tester's host read "/quit leaves", untagged, under
		// the box: its /quit ends the party).
		return e, e.say(e.suspendWords())
	case "ctrl+d":
		if e.ta.Value() == "" {
			return e.submit(eofLine)
		}
	case "enter":
		v := e.ta.Value()
		if strings.HasSuffix(v, "\\") && e.ta.Line() == e.ta.LineCount()-1 {
			// A line ending in \ continues on the next line, as in a shell.
			e.ta.SetValue(strings.TrimSuffix(v, "\\") + "\n")
			e.fit()
			return e, nil
		}
		if strings.TrimSpace(v) == "" {
			return e, nil
		}
		if n := len(v); n > wire.MaxPromptBytes {
			e.errText = fmt.Sprintf("this prompt is %s bytes; the limit is %s (32 KiB). Shorten it or send it in parts; nothing was sent.", thousands(n), thousands(wire.MaxPromptBytes))
			// Said in the scrollback too, as every prompt not sent is: the line under the
			// input goes with the next key.
			return e, e.sayKeptBack(v, tooLargeWords(n)+" (it is still in the input line)")
		}
		if t := strings.TrimSpace(v); e.st.role == wire.RoleViewer && (!strings.HasPrefix(t, "/") || strings.HasPrefix(t, "//")) {
			// It would only be refused. Kept in the history (a host may make this member a
			// participant), out of the input: commands typed next are not appended to it.
			e.remember(v)
			e.ta.Reset()
			e.fit()
			e.errText = viewerText
			return e, e.sayKeptBack(v, viewerWhy)
		}
		if t := strings.TrimSpace(v); !e.st.connected && (!strings.HasPrefix(t, "/") || strings.HasPrefix(t, "//")) {
			// It would only fail. Kept in the history, out of the input, as a viewer's is:
			// left in the input, the next prompt typed ran on from it into one (a tester's).
			e.remember(v)
			e.ta.Reset()
			e.fit()
			e.errText = notConnectedText
			return e, e.sayKeptBack(v, notConnectedWhy)
		}
		return e.submit(v)
	case "up":
		if e.ta.Line() == 0 && len(e.history) > 0 && e.hpos > 0 {
			if e.hpos == len(e.history) {
				e.draft = e.ta.Value()
			}
			e.hpos--
			e.ta.SetValue(e.history[e.hpos])
			e.fit()
			return e, nil
		}
	case "down":
		if e.ta.Line() == e.ta.LineCount()-1 && e.hpos < len(e.history) {
			e.hpos++
			if e.hpos == len(e.history) {
				e.ta.SetValue(e.draft)
			} else {
				e.ta.SetValue(e.history[e.hpos])
			}
			e.fit()
			return e, nil
		}
	}
	var cmd tea.Cmd
	// Room first: the textarea scrolls its view to the cursor within its height, and a row
	// added by this key (a new line, a wrap) would keep the first row hidden after fit
	// grows the input to show it.
	e.ta.SetHeight(maxEditorRows)
	e.ta, cmd = e.ta.Update(k)
	e.fit()
	return e, cmd
}

// suspendWords says why Ctrl-Z does not suspend this terminal, and what to use instead.
func (e *editor) suspendWords() string {
	if e.ownParty {
		return "Ctrl-Z does not suspend the party's own terminal: stopped, it would stop the party for everyone. /shell CMD runs a command here; /quit ends the party"
	}
	return "Ctrl-Z does not suspend a party terminal: stopped, it would miss the party. /shell CMD runs a command here; /quit leaves"
}

// say is the command that prints text as a lasting [system] line above the input
// (notice), or nil where nothing prints (the editor tested alone).
func (e *editor) say(text string) tea.Cmd {
	say := e.notice
	if say == nil {
		return nil
	}
	return func() tea.Msg { say(text); return nil }
}

// sayKeptBack is the command that prints the lasting line for a prompt kept back, and
// why (keptBack), or nil.
func (e *editor) sayKeptBack(text, why string) tea.Cmd {
	say := e.keptBack
	if say == nil {
		return nil
	}
	return func() tea.Msg { say(text, why); return nil }
}

// submit hands text to the commander's goroutine and clears the input.
func (e *editor) submit(text string) (tea.Model, tea.Cmd) {
	if control(text) {
		// Never refused as a line typed ahead (a tester's Ctrl-C with the queue full was
		// "prompt not sent ("\x03")"), nor kept in the history; and it acts at once: the
		// line being handled stops waiting (lineStops).
		e.stops.ahead(text)
		select {
		case e.lines <- text:
		default:
			// controlAhead of them wait already, to leave or stop: this one adds nothing.
			e.stops.undo()
		}
		e.ta.Reset()
		e.fit()
		return e, nil
	}
	queued := false
	if len(e.lines) < maxTypedAhead {
		select {
		case e.lines <- text:
			queued = true
		default:
		}
	}
	if !queued {
		// As many lines wait as the queue holds: this one is kept back, out of the input,
		// never left there for the next line typed to run on from (a tester's lines,
		// typed faster than the host answered, were sent as "p3p4p5p6p7p8").
		e.remember(text)
		e.ta.Reset()
		e.fit()
		e.errText = typedAheadText
		return e, e.sayKeptBack(text, typedAheadWhy)
	}
	if !strings.HasPrefix(text, "/quit") {
		e.remember(text)
	}
	e.ta.Reset()
	e.given = ""
	e.fit()
	return e, nil
}

// clearedWords is what a Ctrl-C that cleared the input says: that it did (given: of a
// prompt given back to the box), and what the next one does, on the line now empty. A
// host's stopped prompt came back into the box, and the Ctrl-C pressed to leave only
// cleared it, with no word that a second was needed (a reviewer's).
func (e *editor) clearedWords(given bool) string {
	s := clearedText
	if given {
		s = clearedGivenText
	}
	switch {
	case e.st.shell != "": // the status line says Ctrl-C stops it: it does, on an empty line
		return s + "; Ctrl-C again stops the /shell command"
	case e.ownParty:
		return s + "; Ctrl-C again asks to end the party" // it asks first (a reviewer read "ends")
	default:
		return s + "; Ctrl-C again to leave"
	}
}

// cleared keeps what Ctrl-C or Ctrl-U clears: the input's text and, while browsing the
// history, the draft typed before it, which the clear would otherwise drop (a reviewer's:
// a draft, Up, Ctrl-C, and Down gave nothing back).
func (e *editor) cleared(v string) {
	if d := e.draft; e.hpos < len(e.history) && strings.TrimSpace(d) != "" {
		e.remember(d)
	}
	if strings.TrimSpace(v) != "" {
		e.remember(v)
	}
}

// remember adds text to the history (Up recalls it), once if it was the last one too.
func (e *editor) remember(text string) {
	if len(e.history) == 0 || e.history[len(e.history)-1] != text {
		e.history = append(e.history, text)
	}
	e.hpos = len(e.history)
	e.draft = ""
}

// recall adds texts to the end of the history without leaving what is being browsed or
// typed: Up from the input reaches them first.
func (e *editor) recall(texts []string) {
	browsing := e.hpos < len(e.history)
	for _, text := range texts {
		if len(e.history) == 0 || e.history[len(e.history)-1] != text {
			e.history = append(e.history, text)
		}
	}
	if !browsing {
		e.hpos = len(e.history)
	}
}

// giveBack puts text into the input: alone when it is empty, else above what was typed
// (a blank line between), so that neither is lost, with the cursor left where it was in
// what was typed: a tester typing on while a prompt came back had the next keys run on
// from its end ("fast11fast12"), to be sent as one prompt.
func (e *editor) giveBack(text string) {
	e.given = text
	typed := e.ta.Value()
	if strings.TrimSpace(typed) == "" {
		e.ta.SetValue(text)
	} else {
		li := e.ta.LineInfo()
		below := e.ta.LineCount() - 1 - e.ta.Line() // the rows of what was typed under the cursor's
		col := li.StartColumn + li.ColumnOffset
		e.ta.SetValue(text + "\n\n" + typed) // the cursor is at the end
		// Counted from the end: the input makes a line of each "\r" of text too (a
		// reviewer's "a\r\nb" put the cursor inside the text given back).
		for target := e.ta.LineCount() - 1 - below; e.ta.Line() > target; {
			e.ta.CursorUp()
		}
		e.ta.SetCursor(col)
	}
	e.hpos = len(e.history)
	e.fit()
}

// fit grows the input with its lines, up to maxEditorRows. Each line's rows are the
// textarea's own word wrap, counted in measure: its width divided into the line's was one
// row short whenever a word moved down whole, and a tester's first row went out of view.
func (e *editor) fit() {
	rows := e.ta.LineCount()
	if w := e.ta.Width(); w > 0 {
		if e.measure.Width() != w {
			e.measure.SetWidth(w)
		}
		rows = 0
		for _, l := range strings.Split(e.ta.Value(), "\n") {
			e.measure.SetValue(l)
			rows += max(1, e.measure.LineInfo().Height)
		}
	}
	e.rows = rows
	e.ta.SetHeight(min(max(rows, 1), maxEditorRows))
}

// newMeasure is a textarea with nothing beside its text: its width is the text's.
func newMeasure() textarea.Model {
	m := textarea.New()
	m.Prompt, m.ShowLineNumbers = "", false
	m.CharLimit, m.MaxWidth, m.MaxHeight = 0, 0, 0
	return m
}

// overflowText is said under an input longer than the box: a tester's 60 words showed
// from the eighth row on, the first seven seemingly gone (all of it is sent).
func overflowText(rows int) string {
	return fmt.Sprintf("↑ this prompt is %d rows, the box %d: all of it is sent", rows, maxEditorRows)
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (e *editor) View() string {
	if e.quit || e.background {
		return ""
	}
	var b strings.Builder
	if e.partial != "" {
		// Tabs as the columns they take: Hardwrap counts a tab as none (a reviewer's).
		wrapped := strings.Split(ansi.Hardwrap(term.ExpandTabs(e.partial), max(e.width, 10), true), "\n")
		if len(wrapped) > 10 {
			wrapped = wrapped[len(wrapped)-10:]
		}
		b.WriteString(strings.Join(wrapped, "\n"))
		b.WriteString("\n")
	}
	b.WriteString(e.statusLine())
	b.WriteString("\n")
	b.WriteString(e.ta.View())
	if e.rows > maxEditorRows && e.errText == "" {
		b.WriteString("\n")
		b.WriteString(paint(e.color, "2", ansi.Wrap(overflowText(e.rows), max(e.width, 10), "")))
	}
	if e.errText != "" {
		b.WriteString("\n")
		// At spaces (a long word alone is cut): a tester's read "…Up brings the text ba" / "ck".
		b.WriteString(paint(e.color, "31", ansi.Wrap(e.errText, max(e.width, 10), "")))
	}
	return b.String()
}

// sendingSlow is when "sending your prompt" says how long the host has not answered.
const sendingSlow = 3 * time.Second

func (e *editor) statusLine() string {
	st := e.st
	var parts []string
	busy := true
	switch {
	case !st.connected:
		parts = append(parts, "reconnecting to the host (/retry tries now)")
	default:
		parts, busy = phaseParts(st)
	}
	if st.shell != "" {
		busy = true
		parts = append([]string{"/shell " + term.Line(st.shell) + " runs (Ctrl-C stops it)"}, parts...)
	}
	if st.lookup != "" {
		busy = true
		l := term.Line(st.lookup) + " is being read"
		if st.lookups > 1 {
			l = fmt.Sprintf("%s is being read, %d more lookup%s after it", term.Line(st.lookup), st.lookups-1, plural(st.lookups-1))
		}
		parts = append([]string{l}, parts...)
	}
	if !st.sending.IsZero() {
		busy = true
		if !st.again.IsZero() {
			// The host did answer: "too fast", and when to try again (a reviewer's read
			// "the host has not answered for 4s" of a prompt refused four times).
			left := max(time.Until(st.again), 0)
			parts = append([]string{"sending your prompt again in " + fmtDuration(left.Round(100*time.Millisecond)) + ": it was refused as too fast"}, parts...)
		} else if d := time.Since(st.sending); d >= sendingSlow {
			parts = append([]string{fmt.Sprintf("sending your prompt: the host has not answered for %s", fmtDuration(d.Truncate(time.Second)))}, parts...)
		} else {
			parts = append([]string{"sending your prompt"}, parts...)
		}
	}
	switch {
	case st.mine == 1:
		parts = append(parts, "1 prompt of yours waiting")
	case st.mine > 1:
		parts = append(parts, fmt.Sprintf("%d prompts of yours waiting", st.mine))
	}
	if st.all > st.mine {
		parts = append(parts, fmt.Sprintf("%d waiting in all", st.all))
	}
	if st.role == wire.RoleViewer {
		parts = append(parts, "you are a viewer")
	}
	lead := " "
	if busy {
		lead = spinner[e.frame%len(spinner)]
	}
	if !busy {
		parts = append(parts, "/help")
	}
	width := max(e.width-1, 10)
	line := fitParts(lead, parts, width)
	if ansi.StringWidth(lead+" "+strings.Join(parts, " · ")) > width && st.connected && st.phase == wire.PhaseAwaitingPermission && !st.deadline.IsZero() {
		// Too narrow for it all: the time left before the request is denied comes first
		// (cut off, it read "waiting for a tool decision · 1s · d…").
		// Then, shorter, what else a person must know: a /shell command that Ctrl-C stops
		// (not leaves), that this member only watches, its own prompts waiting (a tester's
		// narrow terminal lost them all).
		if left := time.Until(st.deadline).Round(time.Second); left > 0 {
			short := []string{"tool decision · denied in " + fmtDuration(left)}
			if st.shell != "" {
				short = append(short, "/shell runs (Ctrl-C stops it)")
			}
			if st.role == wire.RoleViewer {
				short = append(short, "viewer")
			}
			if st.mine > 0 {
				short = append(short, fmt.Sprintf("%d of yours waiting", st.mine))
			}
			line = fitParts(lead, short, width)
		}
	}
	return paint(e.color, "2", ansi.Truncate(line, width, "…"))
}

// fitParts joins parts with " · " after lead, within width columns. A part that does not fit
// whole is left out, and a later, shorter one may take its place; " · …" then says something
// is missing, and room is kept for it (at 40 columns "/shell runs (Ctrl-C stops it)" was cut
// to "/s…"). Only a first part wider than the line is cut.
func fitParts(lead string, parts []string, width int) string {
	if len(parts) == 0 {
		return lead
	}
	marker := " · …"
	kept := []string{parts[0]}
	left := false
	line := func() string { return lead + " " + strings.Join(kept, " · ") }
	for _, p := range parts[1:] {
		room := width
		if left {
			room -= ansi.StringWidth(marker)
		}
		if ansi.StringWidth(line()+" · "+p) <= room {
			kept = append(kept, p)
			continue
		}
		left = true
		// Room for the marker: parts kept before it was needed give way, the last first
		// (a reviewer's "x aaaa · bbbb" left "cccc" out without a word).
		for len(kept) > 1 && ansi.StringWidth(line()+marker) > width {
			kept = kept[:len(kept)-1]
		}
	}
	if left && ansi.StringWidth(line()+marker) <= width {
		return line() + marker
	}
	return line()
}

// phaseParts describes the pipeline's phase and how long it has lasted; busy is false
// when idle.
func phaseParts(st status) (parts []string, busy bool) {
	busy = true
	switch st.phase {
	case wire.PhaseCollecting:
		parts = append(parts, "collecting prompts")
		if n := st.min - st.all; n > 0 && st.all > 0 {
			// Else the clock grows with no end in sight (--min-prompts).
			send := ""
			if st.role == wire.RoleHost {
				send = "; /send sends what waits now"
			}
			parts = append(parts, fmt.Sprintf("a batch waits for %d more (it takes at least %d%s)", n, st.min, send))
		}
	case wire.PhaseMerging:
		parts = append(parts, "merging")
	case wire.PhaseAwaitingApproval:
		// A prompt of one's own in it left the waiting count, so it is said here (a tester
		// read "1 prompt of yours waiting" vanish as the batch went to approval).
		switch {
		case st.heldMine == 1:
			parts = append(parts, "waiting for approval, with your prompt")
		case st.heldMine > 1:
			parts = append(parts, fmt.Sprintf("waiting for approval, with %d prompts of yours", st.heldMine))
		default:
			parts = append(parts, "waiting for approval")
		}
	case wire.PhaseAwaitingPermission:
		parts = append(parts, "waiting for a tool decision")
	case wire.PhaseRunning:
		parts = append(parts, "claude is working")
	default:
		busy = false
		if st.agentDown != "" {
			// As the window's header says "Agent not running": "idle" read as all well.
			parts = append(parts, "claude is not running: "+st.agentDown)
		} else {
			parts = append(parts, "idle")
		}
	}
	if busy && !st.since.IsZero() {
		parts = append(parts, fmtDuration(time.Since(st.since).Truncate(time.Second)))
	}
	if st.phase == wire.PhaseAwaitingPermission && !st.deadline.IsZero() {
		if left := time.Until(st.deadline).Round(time.Second); left > 0 {
			parts = append(parts, "denied in "+fmtDuration(left)+" unless a host decides")
		}
	}
	return parts, busy
}

// paint wraps s in an SGR colour when color is on.
func paint(color bool, sgr, s string) string {
	if !color || s == "" {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}

// thousands writes n with commas: 32,768.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// foregroundEvery is how often a terminal in the background is looked at again
// (onForeground, waitForeground).
const foregroundEvery = 250 * time.Millisecond

// waitForeground returns at once when in is not a terminal another process group has;
// else it waits until this process is given it (true) or ctx ends (false). A party
// terminal started in the background (`concordia host … &`) stopped itself as the line
// editor made the terminal raw (SIGTTOU, a tester's), its party frozen and its joiners
// told only that the host could not be reached. Meanwhile the party's lines are printed
// plainly, as a background job's are.
func waitForeground(ctx context.Context, in io.Reader, pr *printer) bool {
	f, ok := in.(*os.File)
	if !ok || !inBackground(f) {
		return true
	}
	pr.notice("system", "running in the background: the party goes on, and this terminal's line editor starts once it is brought to the foreground (fg)")
	tick := time.NewTicker(foregroundEvery)
	defer tick.Stop()
	for inBackground(f) {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

// runEditor runs the line editor on the terminal until the person quits (true) or ctx
// ends (false). Each submitted text is handled by handle on a goroutine of its own, one
// at a time, so a slow host call never freezes typing.
func runEditor(ctx context.Context, in io.Reader, sc *screen, pr *printer, handle func(ctx context.Context, line string) (quit bool)) (quit bool) {
	if !waitForeground(ctx, in, pr) {
		sc.letGo() // the terminal's party ends without its editor
		return false
	}
	sc.releaseHeld() // what a terminal that stops background writers kept meanwhile
	// Lines typed while one is being handled (a prompt waits for the host's answer) wait
	// here in order, each handled as its own line.
	lines := make(chan string, maxTypedAhead+controlAhead)
	stops := &lineStops{}
	ed := newEditor(pr.color, lines)
	ed.stops = stops
	ed.onWidth = sc.setWidth
	ed.ownParty = pr.ownParty
	ed.notice = func(text string) { pr.reply("system", text) } // above the agent's unfinished line, as a reply
	ed.keptBack = func(text, why string) {
		pr.reply("error", "prompt not sent ("+strconv.Quote(firstLine(text))+"): "+why)
	}
	// Not tea.WithContext: a killed program drops the lines it has not drawn yet. When
	// ctx ends the program is asked to quit, which draws them first.
	p := tea.NewProgram(ed, tea.WithInput(editorInput(in)), tea.WithOutput(sc.programOutput()), tea.WithoutSignalHandler())
	// The sinks before the screen is attached: setting one takes the printer's lock, which
	// a writer holds while it waits in Send for the program once the screen is attached.
	// The status sink's Send never runs under that lock (statusPump).
	pr.setStatusSink(func(st status) { p.Send(statusMsg(st)) })
	pr.setInputSink(func(text string) { p.Send(giveBackMsg(text)) })
	// Attached before anything may ask the program to quit: hold, before it, would find
	// no program and hold nothing, and lines sent after the quit would be dropped.
	sc.attach(p)
	finished := make(chan struct{})
	defer close(finished)
	quiet := quietEnd{in: in}
	quitEditor := func() {
		sc.hold()
		quiet.begin()
		p.Send(quitMsg{})
	}
	go func() {
		select {
		case <-ctx.Done():
			quitEditor()
		case <-finished:
		}
	}()
	done := make(chan struct{})
	quitCh := make(chan bool, 1)
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case line := <-lines:
				if ctx.Err() != nil {
					// Taken as the terminal's context ended: said not sent, as those
					// left in the queue are.
					sayTypedAheadUnsent(pr, line)
					return
				}
				waits, end, skip := stops.begin(ctx, line)
				if skip != "" {
					// Typed before a Ctrl-C or Ctrl-D that acts first: not handled.
					if !control(line) {
						pr.reply("error", notSentWords(line)+": "+skip+" was pressed before its turn"+upWords(line))
					}
					continue
				}
				quit := handle(withWaits(ctx, waits), line)
				end()
				if quit {
					quitCh <- true
					quitEditor()
					return
				}
			}
		}
	}()
	// Back from a stop, or from the background, the terminal is made the editor's again
	// (raw, redrawn).
	stopCont := onContinue(func() {
		sc.releaseHeld()
		p.Send(retakeInput(in, sc.out))
	})
	stopFg := onForeground(in, func(fg bool) {
		if fg {
			sc.releaseHeld()
			p.Send(retakeInput(in, sc.out))
		} else {
			p.Send(backgroundMsg{})
		}
	})
	_, err := p.Run()
	stopFg()
	stopCont()
	sc.detach() // first: a writer may hold the printer's lock while it writes to sc
	sc.letGo()
	pr.setStatusSink(nil)
	pr.setInputSink(nil)
	if err != nil && ctx.Err() == nil {
		pr.notice("error", "the terminal's line editor stopped: "+err.Error())
	}
	// Lines typed ahead and not handled yet when the party ended, this member was removed
	// or a /quit was handled: said not sent, as what the input held is (they were
	// dropped without a word).
	for drained := false; !drained; {
		select {
		case line := <-lines:
			sayTypedAheadUnsent(pr, line)
		default:
			drained = true
		}
	}
	if left := strings.TrimRight(ed.left, "\n"); strings.TrimSpace(left) != "" {
		// The party ended, or a host removed this member, while a prompt was being typed:
		// it went with the input (a tester's). Printed, to be copied.
		pr.notice("system", leftUnsentText+"\n"+left)
	}
	select {
	case q := <-quitCh:
		return q
	default:
		return false // ctx ended, or the program without a quit (its input closed)
	}
}

// typedAheadUnsentText heads a line typed ahead that had not been handled when the editor
// ended.
const typedAheadUnsentText = "a line typed ahead was not sent:"

// sayTypedAheadUnsent prints a line typed ahead that the editor's end left unhandled, to be
// copied; nothing for Ctrl-C and Ctrl-D.
func sayTypedAheadUnsent(pr *printer, line string) {
	if text := strings.TrimRight(line, "\n"); !control(line) && strings.TrimSpace(text) != "" {
		pr.notice("system", typedAheadUnsentText+"\n"+text)
	}
}

// notSentWords begins what is said of a line not handled: a prompt, or a command not run.
func notSentWords(line string) string {
	if t := strings.TrimSpace(line); strings.HasPrefix(t, "/") && !strings.HasPrefix(t, "//") {
		return "not run (" + strconv.Quote(firstLine(t)) + ")"
	}
	return "prompt not sent (" + strconv.Quote(firstLine(line)) + ")"
}

// upWords says that Up brings line back, but of /quit, which the history does not keep.
func upWords(line string) string {
	if strings.HasPrefix(line, "/quit") {
		return ""
	}
	return "; Up brings it back"
}

// tooLargeWords says that a prompt of n bytes is over the host's limit, and what to do, in
// a line's words: the same for a person's prompt (the line editor) and a script's.
func tooLargeWords(n int) string {
	return fmt.Sprintf("it is %s bytes; the limit is %s (32 KiB): shorten it or send it in parts", thousands(n), thousands(wire.MaxPromptBytes))
}
