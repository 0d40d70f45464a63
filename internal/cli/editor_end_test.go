package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// startEditor runs the line editor on a pipe for input and a buffer for output, with a
// printer writing through its screen as a party terminal's does. It returns once the
// program is attached.
func startEditor(t *testing.T, ctx context.Context) (pr *printer, sc *screen, input *io.PipeWriter, out *testkit.Buffer, ended <-chan bool) {
	t.Helper()
	return startEditorWith(t, ctx, func(context.Context, string) bool { return false })
}

// startEditorWith is startEditor whose lines go to handle.
func startEditorWith(t *testing.T, ctx context.Context, handle func(context.Context, string) bool) (pr *printer, sc *screen, input *io.PipeWriter, out *testkit.Buffer, ended <-chan bool) {
	t.Helper()
	in, input := io.Pipe()
	out = &testkit.Buffer{}
	sc = &screen{out: out}
	pr = newPrinter(sc)
	pr.above = sc.above
	pr.w.frame = printFrame // as a party terminal's
	done := make(chan bool, 1)
	go func() {
		done <- runEditor(ctx, in, sc, pr, handle)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc.mu.Lock()
		attached := sc.prog != nil
		sc.mu.Unlock()
		if attached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the editor never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return pr, sc, input, out, done
}

// TestEditorEndingWithItsTerminalFreesWriters: when the terminal goes away (a closed tmux
// pane, an ssh session dropped), reading it fails and the editor's program ends by itself
// while the party's events are still being printed. A line printed then used to wait for
// the ended program for ever, holding the printer's lock runEditor needs on its way out:
// `concordia join` hung and outlived its terminal (and a SIGTERM).
func TestEditorEndingWithItsTerminalFreesWriters(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, _, input, _, ended := startEditor(t, ctx)
	stop := make(chan struct{})
	writing := make(chan struct{})
	go func() { // the party's events, arriving all the time
		defer close(writing)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			pr.notice("party", fmt.Sprintf("event %d", i))
		}
	}()
	time.Sleep(50 * time.Millisecond)
	input.CloseWithError(syscall.EIO) // what reading a closed pty returns
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the editor did not return after its terminal went away")
	}
	close(stop)
	select {
	case <-writing:
	case <-time.After(20 * time.Second):
		t.Fatal("a line printed as the editor ended is still waiting for it")
	}
}

// TestEditorQuitKeepsLateLines: lines printed while the editor is quitting (Ctrl-C as the
// agent streams) are written out after it, in order, not dropped.
func TestEditorQuitKeepsLateLines(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _, _, out, ended := startEditor(t, ctx)
	const n = 400
	written := writeLines(pr, n, func(i int) {
		if i == n/4 {
			cancel()
		}
	})
	select {
	case <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the editor did not quit")
	}
	<-written
	wantLines(t, out.String(), n)
}

// writeLines prints "line 0" to "line n-1" as party notices on a goroutine of its own,
// calling after(i) after each; the channel closes when all are printed.
func writeLines(pr *printer, n int, after func(i int)) <-chan struct{} {
	written := make(chan struct{})
	go func() {
		defer close(written)
		for i := range n {
			pr.notice("party", fmt.Sprintf("line %d", i))
			after(i)
		}
	}()
	return written
}

// wantLines fails unless the output has every line writeLines printed, in order.
func wantLines(t *testing.T, out string, n int) {
	t.Helper()
	got := strings.ReplaceAll(out, "\r\n", "\n")
	last := -1
	for i := range n {
		at := strings.Index(got, fmt.Sprintf("line %d\n", i))
		if at < 0 {
			t.Fatalf("line %d was lost:\n%q", i, got)
		}
		if at < last {
			t.Fatalf("line %d came before the line printed ahead of it", i)
		}
		last = at
	}
}

// TestEditorStartedAfterTheEndKeepsLines: a stop that comes as the editor starts (a
// signal during a host's start) asked the program to quit before the screen was
// attached, so nothing was held, and lines printed meanwhile were dropped (a reviewer
// lost some in 2 runs of 3).
func TestEditorStartedAfterTheEndKeepsLines(t *testing.T) {
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		in, _ := io.Pipe()
		out := &testkit.Buffer{}
		sc := &screen{out: out}
		pr := newPrinter(sc)
		const n = 300
		written := writeLines(pr, n, func(int) {})
		runEditor(ctx, in, sc, pr, func(context.Context, string) bool { return false })
		<-written
		wantLines(t, out.String(), n)
	}
}

// TestAsideKeepsTheReplysLineWhole: someone joining while the agent is mid-line is told
// above the line being streamed, which stays one line; the notice used to cut it in two.
func TestAsideKeepsTheReplysLineWhole(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _, _, out, ended := startEditor(t, ctx)
	two := 2
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hello wor"})
	pr.event(wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "carol"}, Count: &two})
	pr.event(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "carol", Text: "and tests"}})
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "ld, all in one line\n"})
	pr.flush() // the reply's text held for its frame
	cancel()
	<-ended
	got := regexp.MustCompile(`\x1b\[[0-9;?]*[a-zA-Z]`).ReplaceAllString(strings.ReplaceAll(out.String(), "\r\n", "\n"), "")
	joined := strings.Index(got, "[party] carol joined (2 in the party)\n")
	prompt := strings.Index(got, "[party] carol: and tests\n")
	line := strings.Index(got, "Hello world, all in one line\n")
	if joined < 0 || prompt < 0 || line < 0 || strings.Contains(got, "Hello wor\n[party]") || strings.Contains(got, "\nld, all") {
		t.Fatalf("want the notices and the reply's line whole:\n%q", got)
	}
	if !(joined < prompt && prompt < line) {
		t.Fatalf("the notices should come above the line being streamed:\n%q", got)
	}
}

// TestPartyNewsKeepsTheReplysLineWhole: a host turning approval on, or changing a role,
// while the agent is mid-line is told above the line being streamed (a tester saw
// "echo: FAKE_", the notices, then "SLOW=6000 …" on a line of its own).
func TestPartyNewsKeepsTheReplysLineWhole(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _, _, out, ended := startEditor(t, ctx)
	pr.event(wire.Event{Kind: wire.KindSettings, Settings: &wire.Settings{}})
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "echo: FAKE_"})
	pr.event(wire.Event{Kind: wire.KindSystem, Text: "hana turned approval on"})
	pr.event(wire.Event{Kind: wire.KindSystem, Text: "hana turned approval on"}) // a repeat: once
	pr.event(wire.Event{Kind: wire.KindSettings, Settings: &wire.Settings{Approval: true}})
	one := 1
	pr.event(wire.Event{Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m5", Name: "zoe", Role: wire.RoleViewer}, Count: &one})
	pr.event(wire.Event{Kind: wire.KindSystem, Text: "hana made zoe a viewer"})
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "SLOW=6000 abc\n"})
	pr.flush()
	cancel()
	<-ended
	got := regexp.MustCompile(`\x1b\[[0-9;?]*[a-zA-Z]`).ReplaceAllString(strings.ReplaceAll(out.String(), "\r\n", "\n"), "")
	line := strings.Index(got, "echo: FAKE_SLOW=6000 abc\n")
	news := strings.Index(got, "[system] hana turned approval on\n")
	role := strings.Index(got, "[system] hana made zoe a viewer\n")
	if line < 0 || news < 0 || role < 0 || news > line || role > line {
		t.Fatalf("want the party's news above the reply's whole line:\n%q", got)
	}
	if n := strings.Count(got, "hana turned approval on"); n != 1 {
		t.Errorf("the notice shown %d times, want once:\n%q", n, got)
	}
}

// TestScreenFitsLinesBeforeTheEditor: the first lines (the party's start, before the
// line editor runs) are fitted to the terminal's width at spaces too; a tester's 60-column
// terminal cut them mid-word ("sha" / "re the invite code"). A line written in pieces is
// left as it comes.
func TestScreenFitsLinesBeforeTheEditor(t *testing.T) {
	out := &testkit.Buffer{}
	sc := &screen{out: out}
	sc.setWidth(40)
	fmt.Fprintln(sc, "[system] party created; merging with local, window 0.2s; share the invite code above")
	if got, want := out.String(), "[system] party created; merging with\nlocal, window 0.2s; share the invite\ncode above\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	before := len(out.String())
	fmt.Fprint(sc, "a line written in pieces, ")
	fmt.Fprint(sc, "longer than the terminal is wide, as it comes\n")
	if got := out.String()[before:]; got != "a line written in pieces, longer than the terminal is wide, as it comes\n" {
		t.Errorf("pieces printed %q", got)
	}
}

// TestFinishEndsTheLine: leaving while the agent streams left the shell's prompt glued to
// the reply's unfinished line (found by a tester).
func TestFinishEndsTheLine(t *testing.T) {
	out := &testkit.Buffer{}
	pr := newPrinter(out)
	pr.w.frame = printFrame
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "[piece 15/60]..."})
	pr.finish()
	if got := out.String(); got != "[piece 15/60]...\n" {
		t.Fatalf("printed %q, want the line ended", got)
	}
	pr.finish() // twice: nothing more
	if got := out.String(); got != "[piece 15/60]...\n" {
		t.Fatalf("printed %q after a second finish", got)
	}
}

// TestRepliesKeepTheReplysLineWhole: a command's answer (here an error) typed while the
// agent is mid-line goes above the line being streamed, and a repeated command is answered
// again (a tester saw the line cut in two, and the second answer dropped as a repeat).
func TestRepliesKeepTheReplysLineWhole(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _, _, out, ended := startEditor(t, ctx)
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Hello wor"})
	pr.reply("error", "/withdraw: you have no prompt waiting")
	pr.reply("error", "/withdraw: you have no prompt waiting")
	pr.event(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "ld, all in one line\n"})
	pr.flush()
	cancel()
	<-ended
	got := regexp.MustCompile(`\x1b\[[0-9;?]*[a-zA-Z]`).ReplaceAllString(strings.ReplaceAll(out.String(), "\r\n", "\n"), "")
	if n := strings.Count(got, "[error] /withdraw: you have no prompt waiting\n"); n != 2 {
		t.Fatalf("the answer shown %d times, want 2:\n%q", n, got)
	}
	if !strings.Contains(got, "Hello world, all in one line\n") || strings.Index(got, "[error]") > strings.Index(got, "Hello world") {
		t.Fatalf("want the answers above the reply's whole line:\n%q", got)
	}
}

// TestTextLeftInTheInputIsPrinted: a party that ended (or a host's removal) while a prompt
// was being typed took the text with the input (a tester's); it is printed at the end,
// to be copied.
func TestTextLeftInTheInputIsPrinted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, _, input, out, ended := startEditor(t, ctx)
	if _, err := io.WriteString(input, "half a prompt"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "half a prompt") { // drawn: the editor has it
		if time.Now().After(deadline) {
			t.Fatalf("never drawn: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // the party ended
	<-ended
	_ = input.Close()
	if got := out.String(); !strings.Contains(got, "[system] what you were typing was not sent:\n    half a prompt\n") {
		t.Fatalf("the end printed %q", got[max(0, len(got)-300):])
	}
}

// TestScreenWritesLinesItselfInTheBackground: while another process group has the
// terminal (a shell, after it stopped the host), the editor draws nothing there, so the
// party's lines are written straight to the terminal, as a background job's are, each
// from the left edge; back in the foreground they go to the editor again.
func TestScreenWritesLinesItselfInTheBackground(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // what is sent to this program is dropped: out shows only direct writes
	out := &testkit.Buffer{}
	var background atomic.Bool
	background.Store(true)
	sc := &screen{out: out, prog: tea.NewProgram(nil, tea.WithContext(ctx)), background: background.Load}
	fmt.Fprint(sc, "one\ntwo\nthr")
	if got, want := out.String(), "one\r\ntwo\r\n"; got != want {
		t.Fatalf("in the background the screen wrote %q, want %q", got, want)
	}
	if !sc.above("above") {
		t.Fatal("above printed nothing in the background")
	}
	if got, want := out.String(), "one\r\ntwo\r\nabove\r\n"; got != want {
		t.Fatalf("above in the background wrote %q, want %q", got, want)
	}
	// In the foreground the line goes to the editor's program, which prints it above itself.
	drawn := &testkit.Buffer{}
	prog := tea.NewProgram(blankModel{}, tea.WithInput(nil), tea.WithOutput(drawn), tea.WithoutSignalHandler())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_, _ = prog.Run()
	}()
	defer func() { prog.Quit(); <-ran }()
	sc.mu.Lock()
	sc.prog = prog
	sc.mu.Unlock()
	background.Store(false)
	fmt.Fprint(sc, "ee\n")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(drawn.String(), "three"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("in the foreground the line never reached the editor's program: %q", drawn.String())
		}
	}
	if got := out.String(); strings.Contains(got, "three") {
		t.Fatalf("in the foreground the screen wrote to the terminal itself: %q", got)
	}
}

// blankModel is a program that draws nothing of its own: only what is printed above it.
type blankModel struct{}

func (blankModel) Init() tea.Cmd                         { return nil }
func (m blankModel) Update(tea.Msg) (tea.Model, tea.Cmd) { return m, nil }
func (blankModel) View() string                          { return "" }

// pipeTerm is a terminal as the tests see it: what is written to it, read back.
type pipeTerm struct {
	w    *os.File
	mu   sync.Mutex
	got  strings.Builder
	done chan struct{}
}

func newPipeTerm(t *testing.T) *pipeTerm {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pt := &pipeTerm{w: w, done: make(chan struct{})}
	go func() {
		defer close(pt.done)
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			pt.mu.Lock()
			pt.got.Write(buf[:n])
			pt.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { w.Close(); <-pt.done; r.Close() })
	return pt
}

func (pt *pipeTerm) String() string {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	return pt.got.String()
}

// waitFor waits until what the terminal got holds want.
func (pt *pipeTerm) waitFor(t *testing.T, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(pt.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never got %q:\n%q", want, pt.String())
		}
	}
}

// TestLinesOfAFrameDroppedInTheBackground: a party line handed to the editor's program
// just before the process was stopped, whose frame came due once the shell had the
// terminal, went with the frame and never showed, not even after fg (a reviewer's): a
// frame's lines are written by themselves in the background. And a terminal that stops
// background writers (stty tostop) gets them only once it is this process's again: a
// write would have stopped the host, and its party with it.
func TestLinesOfAFrameDroppedInTheBackground(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		t.Run(fmt.Sprintf("tostop=%v", quiet), func(t *testing.T) {
			pt := newPipeTerm(t)
			var background atomic.Bool
			isQuiet := func() bool { return quiet }
			bg := &backgroundOut{out: pt.w, quiet: isQuiet}
			printed := &printedLines{}
			out := &foregroundOutput{File: pt.w, printed: printed, bg: bg, background: background.Load, quiet: isQuiet}
			ed := newEditor(false, make(chan string, 1))
			p := tea.NewProgram(ed, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler())
			sc := &screen{out: pt.w, background: background.Load, bg: bg, printed: printed}
			sc.attach(p)
			ran := make(chan struct{})
			go func() { defer close(ran); _, _ = p.Run() }()
			defer func() { p.Quit(); <-ran }()
			p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
			pt.waitFor(t, "› ") // the editor is drawn

			// The line goes to the program in the foreground; its frame finds the shell.
			sc.mu.Lock()
			background.Store(true)
			sc.toProgram("a line from the party")
			sc.mu.Unlock()
			time.Sleep(100 * time.Millisecond) // its frame comes due, and finds the shell
			if !quiet {
				pt.waitFor(t, "a line from the party\r\n") // by itself
			}
			fmt.Fprint(sc, "a line while in the background\n")
			time.Sleep(100 * time.Millisecond) // frames come due: a few
			if quiet {
				if got := pt.String(); strings.Contains(got, "a line from the party") || strings.Contains(got, "a line while in the background") {
					t.Fatalf("a terminal that stops background writers was written to in the background:\n%q", got)
				}
			} else {
				pt.waitFor(t, "a line from the party\r\n")
				pt.waitFor(t, "a line while in the background\r\n")
			}
			background.Store(false) // fg
			sc.releaseHeld()
			p.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
			pt.waitFor(t, "a line from the party")
			pt.waitFor(t, "a line while in the background")
			got := pt.String()
			if n := strings.Count(got, "a line from the party"); n != 1 {
				t.Fatalf("the line shows %d times:\n%q", n, got)
			}
			if i, j := strings.Index(got, "a line from the party"), strings.Index(got, "a line while in the background"); i > j {
				t.Fatalf("the lines came out of order:\n%q", got)
			}
		})
	}
}

// TestHeldLinesComeFirstAndAreNotLost: lines kept for a terminal that stops background
// writers come out before any newer one once the terminal is the process's again (a
// reviewer's came after: the shell gives the terminal back before it continues the
// process), and as the terminal's party ends in the background they are written, not lost
// with the process (the draft the editor gave back, "party ended; its journal is …").
func TestHeldLinesComeFirstAndAreNotLost(t *testing.T) {
	out := &testkit.Buffer{}
	var background atomic.Bool
	background.Store(true)
	sc := &screen{out: out, background: background.Load, bg: &backgroundOut{out: out, quiet: func() bool { return true }}}
	fmt.Fprint(sc, "older, kept\n")
	if out.String() != "" {
		t.Fatalf("written in the background: %q", out.String())
	}
	background.Store(false)
	fmt.Fprint(sc, "newer\n")
	if got, want := out.String(), "older, kept\nnewer\n"; got != want {
		t.Fatalf("after fg the terminal got %q, want %q", got, want)
	}

	before := len(out.String())
	background.Store(true)
	fmt.Fprint(sc, "party ended; its journal is …\n")
	sc.letGo()
	if got, want := out.String()[before:], "party ended; its journal is …\n"; got != want {
		t.Fatalf("as the party ended in the background the terminal got %q, want %q", got, want)
	}
	fmt.Fprint(sc, "the last word\n")
	if !strings.HasSuffix(out.String(), "the last word\n") {
		t.Fatalf("after letGo a line was kept: %q", out.String())
	}
}

// TestLinesTypedAheadWaitTheirTurn: lines typed while the one before is still being
// handled (the host has not answered yet) wait in order, each its own line: a tester's
// "p1" Enter … "p8" Enter sent p1 and p2, then the box held "p3p4p5p6p7p8" and said
// "still handling the previous line".
func TestLinesTypedAheadWaitTheirTurn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var mu sync.Mutex
	var handled []string
	_, _, input, out, ended := startEditorWith(t, ctx, func(_ context.Context, line string) bool {
		<-release // the host answers slowly
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, line)
		return false
	})
	var want []string
	for i := 1; i <= 8; i++ {
		want = append(want, fmt.Sprintf("p%d", i))
		if _, err := io.WriteString(input, want[i-1]+"\r"); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := slices.Clone(handled)
		mu.Unlock()
		if len(got) == len(want) {
			if !slices.Equal(got, want) {
				t.Fatalf("handled %q, want %q", got, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("handled %q, want %q; the screen: %q", got, want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Contains(out.String(), "still handling") {
		t.Errorf("a line was refused: %q", out.String())
	}
	cancel()
	<-ended
	_ = input.Close()
}

// waitHandled waits until handled holds n lines.
func waitHandled(t *testing.T, mu *sync.Mutex, handled *[]string, n int, out *testkit.Buffer) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := slices.Clone(*handled)
		mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("handled %q, want %d lines; the screen: %q", got, n, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCtrlCActsAtOnce: a prompt refused as too fast waits its turn (paced), and Ctrl-C on
// an empty line, queued behind it, waited as long (a reviewer's): it stops the wait, the
// line typed before it is said not sent, and Ctrl-C is handled.
func TestCtrlCActsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var handled []string
	_, _, input, out, ended := startEditorWith(t, ctx, func(ctx context.Context, line string) bool {
		if line == "p1" {
			<-waitsOf(ctx).Done() // waits its turn
		}
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, line)
		return false
	})
	if _, err := io.WriteString(input, "p1\rp2\r"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := io.WriteString(input, "\x03"); err != nil {
		t.Fatal(err)
	}
	got := waitHandled(t, &mu, &handled, 2, out)
	if want := []string{"p1", interruptLine}; !slices.Equal(got, want) {
		t.Errorf("handled %q, want %q", got, want)
	}
	waitOut(t, out, `prompt not sent ("p2"): Ctrl-C was pressed before its turn; Up brings it back`)
	cancel()
	<-ended
	_ = input.Close()
}

// waitOut waits until out holds want.
func waitOut(t *testing.T, out *testkit.Buffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("never said %q: %q", want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCtrlDIsNeverTypedAhead: with as many lines typed ahead as wait, Ctrl-D was refused as
// one more, "prompt not sent ("\x04")" (a reviewer's); it is handled.
func TestCtrlDIsNeverTypedAhead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var mu sync.Mutex
	var handled []string
	_, _, input, out, ended := startEditorWith(t, ctx, func(_ context.Context, line string) bool {
		<-release
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, line)
		return false
	})
	for i := 0; i <= maxTypedAhead+1; i++ { // one handled, maxTypedAhead waiting, one kept back
		if _, err := fmt.Fprintf(input, "p%d\r", i); err != nil {
			t.Fatal(err)
		}
	}
	waitOut(t, out, fmt.Sprintf(`prompt not sent ("p%d")`, maxTypedAhead+1))
	if _, err := io.WriteString(input, "\x04"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	got := waitHandled(t, &mu, &handled, 2, out)
	if want := []string{"p0", eofLine}; !slices.Equal(got, want) {
		t.Errorf("handled %q, want %q", got, want)
	}
	if s := out.String(); strings.Contains(s, `\x04`) {
		t.Errorf("Ctrl-D was said not sent: %q", s)
	}
	cancel()
	<-ended
	_ = input.Close()
}

// TestLinesTypedAheadAreSaidAtTheEnd: lines still waiting their turn when the party ended
// went without a word (a reviewer's); each is printed, as what the input held is.
func TestLinesTypedAheadAreSaidAtTheEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var handled []string
	_, _, input, out, ended := startEditorWith(t, ctx, func(ctx context.Context, line string) bool {
		mu.Lock()
		handled = append(handled, line)
		mu.Unlock()
		<-ctx.Done() // the host never answers
		return false
	})
	if _, err := io.WriteString(input, "p1\rp2\rp3\r"); err != nil {
		t.Fatal(err)
	}
	waitHandled(t, &mu, &handled, 1, out)
	time.Sleep(100 * time.Millisecond)
	cancel() // the party ended
	<-ended
	_ = input.Close()
	// Said while the editor still holds the terminal (raw: "\r\n") or after it let go: a
	// loaded run's p2 came as the editor ended, p3 after it.
	for _, want := range []string{"a line typed ahead was not sent:\n    p2\n", "a line typed ahead was not sent:\n    p3\n"} {
		if got := strings.ReplaceAll(out.String(), "\r\n", "\n"); !strings.Contains(got, want) {
			t.Errorf("the end did not say %q: %q", want, got[max(0, len(got)-300):])
		}
	}
}
