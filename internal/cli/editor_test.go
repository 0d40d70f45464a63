package cli

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestStatusLine: the line above the input says what the party is doing; while the host
// cannot be reached it says that instead of a phase it no longer knows, and a tool request
// says how long a host has left to decide.
func TestStatusLine(t *testing.T) {
	cases := []struct {
		name string
		st   status
		want []string
		not  []string
	}{
		{"idle", status{phase: wire.PhaseIdle, connected: true}, []string{"idle · /help"}, nil},
		{"claude could not start", status{phase: wire.PhaseIdle, connected: true, agentDown: agentNotStarted},
			[]string{"claude is not running: it could not start; the next prompt tries again"}, []string{"idle"}},
		{"claude exited", status{phase: wire.PhaseIdle, connected: true, agentDown: agentExited},
			[]string{"claude is not running: it exited; the next prompt starts it again"}, []string{"idle"}},
		// With --min-prompts the clock grew with no word of what it waits for.
		{"waiting for more prompts", status{phase: wire.PhaseCollecting, since: time.Now().Add(-7 * time.Second), all: 1, mine: 1, min: 3, connected: true},
			[]string{"collecting prompts · a batch waits for 2 more (it takes at least 3) · 7s"}, []string{"/send"}},
		// A host is told how to send a lone prompt (a tester's waited for a second one).
		{"a host waiting for more prompts", status{phase: wire.PhaseCollecting, role: wire.RoleHost, since: time.Now().Add(-7 * time.Second), all: 1, min: 2, connected: true},
			[]string{"collecting prompts · a batch waits for 1 more (it takes at least 2; /send sends what waits now) · 7s"}, nil},
		// A /shell command showed no sign it ran, but a second one refused.
		{"a /shell command", status{phase: wire.PhaseIdle, connected: true, shell: "sleep 4"}, []string{"/shell sleep 4 runs (Ctrl-C stops it) · idle"}, []string{"/help"}},
		// A /changes waiting for the host said nothing: the terminal seemed to ignore it.
		{"a lookup", status{phase: wire.PhaseIdle, connected: true, lookup: "/diff main.go", lookups: 1}, []string{"/diff main.go is being read · idle"}, []string{"/help", "more"}},
		{"lookups", status{phase: wire.PhaseIdle, connected: true, lookup: "/changes", lookups: 3}, []string{"/changes is being read, 2 more lookups after it · idle"}, nil},
		{"enough prompts", status{phase: wire.PhaseCollecting, since: time.Now(), all: 3, min: 3, connected: true}, []string{"collecting prompts"}, []string{"waits for"}},
		{"a tool request", status{phase: wire.PhaseAwaitingPermission, since: time.Now().Add(-23 * time.Second), deadline: time.Now().Add(38 * time.Second), connected: true},
			[]string{"waiting for a tool decision · 23s · denied in ", "s unless a host decides"}, nil},
		{"a tool request past its time", status{phase: wire.PhaseAwaitingPermission, deadline: time.Now().Add(-time.Second), connected: true},
			[]string{"waiting for a tool decision"}, []string{"denied in"}},
		// It used to go on saying "claude is working · 28s" with the host dead.
		{"the host lost", status{phase: wire.PhaseRunning, since: time.Now().Add(-28 * time.Second), mine: 1},
			[]string{"reconnecting to the host (/retry tries now) · 1 prompt of yours waiting"}, []string{"claude is working"}},
		// A host that stopped answering: the input was cleared and the line said idle.
		{"a prompt on its way", status{phase: wire.PhaseIdle, connected: true, sending: time.Now()},
			[]string{"sending your prompt · idle"}, []string{"not answered", "/help"}},
		// A prompt of one's own in the batch held for approval left "1 prompt of yours
		// waiting" without a word (a tester's).
		{"my prompt waits for approval", status{phase: wire.PhaseAwaitingApproval, since: time.Now(), connected: true, heldMine: 1},
			[]string{"waiting for approval, with your prompt"}, nil},
		{"a prompt the host has not answered", status{phase: wire.PhaseIdle, connected: true, sending: time.Now().Add(-32 * time.Second)},
			[]string{"sending your prompt: the host has not answered for 32s · idle"}, nil},
		// The host answered "too fast": not "has not answered for 4s" (a reviewer's).
		{"a prompt refused as too fast", status{phase: wire.PhaseIdle, connected: true, sending: time.Now().Add(-4 * time.Second), again: time.Now().Add(600 * time.Millisecond)},
			[]string{"sending your prompt again in 0.6s: it was refused as too fast · idle"}, []string{"not answered"}},
	}
	// At 40 columns the time left shows; it was cut off.
	narrow := &editor{st: status{phase: wire.PhaseAwaitingPermission, since: time.Now().Add(-time.Second), deadline: time.Now().Add(112 * time.Second), connected: true}, width: 40}
	if got := narrow.statusLine(); !strings.Contains(got, "tool decision · denied in 1m5") {
		t.Errorf("narrow status line %q lacks the time left", got)
	}
	// And then a /shell command that Ctrl-C stops, being a viewer, prompts of one's own
	// (a tester's 100-column terminal lost them all while a request waited).
	shell := &editor{st: status{phase: wire.PhaseAwaitingPermission, since: time.Now().Add(-time.Second), deadline: time.Now().Add(112 * time.Second), connected: true,
		shell: "sleep 4; echo shell-done", role: wire.RoleViewer, mine: 2}, width: 100}
	if got := shell.statusLine(); !strings.Contains(got, "tool decision · denied in 1m5") || !strings.Contains(got, "· /shell runs (Ctrl-C stops it) · viewer · 2 of yours waiting") {
		t.Errorf("narrow status line with a /shell command: %q", got)
	}
	// At 40 columns what does not fit whole is left out, and " · …" says so: the /shell
	// note was cut to "/s…".
	shell.width = 40
	if got := ansi.Strip(shell.statusLine()); !strings.Contains(got, "tool decision · denied in 1m5") || !strings.HasSuffix(got, "s · …") {
		t.Errorf("40-column status line with a /shell command: %q", got)
	}
	shell.width = 52
	if got := ansi.Strip(shell.statusLine()); !strings.Contains(got, "tool decision · denied in 1m5") || !strings.HasSuffix(got, "s · viewer · …") {
		t.Errorf("52-column status line with a /shell command: %q", got)
	}
	// A part left out after others filled the line: they give way to the marker.
	for w := 14; w <= 16; w++ {
		if got := fitParts("x", []string{"aaaa", "bbbb", "cccc"}, w); got != "x aaaa · …" {
			t.Errorf("fitParts at %d columns: %q", w, got)
		}
	}
	if got := fitParts("x", []string{"aaaa", "bbbb", "cccc"}, 20); got != "x aaaa · bbbb · cccc" {
		t.Errorf("fitParts at 20 columns: %q", got)
	}
	idle := &editor{st: status{phase: wire.PhaseIdle, connected: true, role: wire.RoleViewer, mine: 1, all: 3}, width: 44}
	if got := ansi.Strip(idle.statusLine()); got != "  idle · 1 prompt of yours waiting · …" {
		t.Errorf("44-column idle status line: %q", got)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := &editor{st: c.st, width: 200}
			got := e.statusLine()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("status line %q lacks %q", got, w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("status line %q has %q", got, n)
				}
			}
		})
	}
}

// TestEveryoneSeesTheTimeLeft: a participant's terminal says how long a host has to decide
// (only hosts were told), from the host's expires and the clocks' difference as live events
// show it; someone made a host while a request waits is told how to answer it.
func TestEveryoneSeesTheTimeLeft(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	now := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	c.pr.now = func() time.Time { return now }
	hostNow := now.Add(-10 * time.Minute) // the host's clock is ten minutes behind
	c.pr.event(wire.Event{TS: hostNow.Add(-time.Second), Kind: wire.KindSystem, Text: "hello"})
	expires := hostNow.Add(time.Minute)
	c.pr.event(wire.Event{TS: hostNow, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Status: wire.PermissionPending, Expires: &expires}})
	if !strings.Contains(out.String(), "[permission] claude asks to use Bash: touch x (") || !strings.Contains(out.String(), "); undecided, it is denied in 1m00s\n") {
		t.Fatalf("the participant's notice:\n%s", out.String())
	}
	c.pr.event(wire.Event{TS: hostNow, Kind: wire.KindPhase, Phase: wire.PhaseAwaitingPermission})
	if st := c.pr.statusLocked(); st.deadline.Sub(now).Round(time.Second) != time.Minute {
		t.Errorf("status deadline %v from now, want 1m", st.deadline.Sub(now))
	}
	out.Reset()
	now = now.Add(20 * time.Second)
	c.pr.event(wire.Event{TS: hostNow.Add(20 * time.Second), Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m1", Name: "me", Role: wire.RoleHost}})
	c.pr.event(wire.Event{TS: hostNow.Add(20 * time.Second), Kind: wire.KindSystem, Text: "hana made me a co-host"}) // said with it
	if !strings.Contains(out.String(), "/always (allow Bash for the rest of the party; a command that names a file that usually holds secrets still asks); undecided, it is denied in 40s\n") {
		t.Fatalf("made a host while a request waits:\n%s", out.String())
	}
}

// TestPromptKeptWhileReconnecting: Enter on a prompt while the host cannot be reached
// keeps it (it used to be cleared, and the send fail), in the history: left in the input,
// the next prompt typed ran on from it into one (a tester's). Commands still go.
func TestPromptKeptWhileReconnecting(t *testing.T) {
	lines := make(chan string, 1)
	e := newEditor(false, lines)
	e.st.connected = false
	var said []string
	e.keptBack = func(text, _ string) { said = append(said, text) }
	type keys = tea.KeyMsg
	e.ta.SetValue("fix the parser")
	_, cmd := e.Update(keys{Type: tea.KeyEnter})
	select {
	case l := <-lines:
		t.Fatalf("sent %q while reconnecting", l)
	default:
	}
	if e.ta.Value() != "" || !strings.Contains(e.errText, "not sent") || !strings.Contains(e.errText, "Up brings the prompt back") {
		t.Fatalf("editor holds %q, says %q", e.ta.Value(), e.errText)
	}
	// And a line that stays in the scrollback says which prompt (the line under the input
	// goes once the host is back: a tester's had no word of it).
	if cmd == nil {
		t.Fatal("no line printed for the prompt kept back")
	}
	cmd()
	if !slices.Equal(said, []string{"fix the parser"}) {
		t.Fatalf("printed a line for %q", said)
	}
	e.Update(keys{Type: tea.KeyRunes, Runes: []rune("and the lexer")})
	e.Update(keys{Type: tea.KeyEnter})
	if e.ta.Value() != "" {
		t.Fatalf("the second prompt ran on from the first: %q", e.ta.Value())
	}
	e.ta.SetValue("/retry")
	e.Update(keys{Type: tea.KeyEnter})
	if l := <-lines; l != "/retry" {
		t.Fatalf("sent %q, want /retry", l)
	}
	// Once the host is back the notice goes by itself (it stayed until a key).
	e.Update(statusMsg(status{phase: wire.PhaseIdle, connected: true}))
	if e.errText != "" {
		t.Errorf("still says %q once connected", e.errText)
	}
	// Up brings back each prompt kept, the last first.
	e.Update(keys{Type: tea.KeyUp})
	e.Update(keys{Type: tea.KeyUp})
	if e.ta.Value() != "and the lexer" {
		t.Fatalf("Up Up brought back %q", e.ta.Value())
	}
	e.Update(keys{Type: tea.KeyUp})
	if e.ta.Value() != "fix the parser" {
		t.Fatalf("Up Up Up brought back %q", e.ta.Value())
	}
	e.Update(keys{Type: tea.KeyEnter})
	if l := <-lines; l != "fix the parser" {
		t.Fatalf("sent %q once connected", l)
	}
}

// TestReconnectRestartsThePhaseClock: after a reconnect in the same phase (a resumed host
// asks again), the status line's time counts from the batch's retry the catch-up holds,
// not from before the drop. (A turn that simply went on counts from its start, as the
// host's does: TestBackBeforeWhatWasMissed.)
func TestReconnectRestartsThePhaseClock(t *testing.T) {
	p := newPrinter(&strings.Builder{})
	hello := wire.HelloResult{You: wire.Member{ID: "m1", Name: "bob", Role: wire.RoleParticipant}, State: wire.State{Phase: wire.PhaseAwaitingPermission}}
	p.hello(hello)
	p.r.phaseSince, p.r.turnSince = time.Now().Add(-time.Minute), time.Now().Add(-time.Minute) // a minute ago
	p.r.inTurnBatch = "b1"
	p.hello(hello) // reconnected
	p.catchUp(true)
	p.event(wire.Event{Seq: 9, TS: time.Now().Add(-5 * time.Second), Kind: wire.KindRetry, RetryBatch: "b1", Resumed: true})
	p.catchUp(false)
	if since := time.Since(p.statusLocked().since); since > 10*time.Second {
		t.Fatalf("the phase's time counts from %v ago after the reconnect", since.Round(time.Second))
	}
}

// TestWordsAreTextNotKeys: a word that arrives in one read (a paste without bracketed
// paste, keys bunched up over a slow link) is one key message named after the word; the
// editor took "enter" for Enter (sending the prompt cut short), "up" for history,
// "ctrl+d" for leaving, and lost "left", "down" and "end" to the textarea's bindings.
func TestWordsAreTextNotKeys(t *testing.T) {
	lines := make(chan string, 4)
	e := newEditor(false, lines)
	e.history = []string{"an earlier prompt"}
	e.hpos = len(e.history)
	typeWords := func(words ...string) {
		for i, w := range words {
			if i > 0 {
				e.Update(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			}
			e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
		}
	}
	typeWords("up")
	typeWords("", "the", "word", "enter", "here", "scroll", "down", "to", "the", "end", "of", "the", "left", "page", "ctrl+d")
	want := "up the word enter here scroll down to the end of the left page ctrl+d"
	if got := e.ta.Value(); got != want {
		t.Fatalf("the input holds %q, want %q", got, want)
	}
	select {
	case l := <-lines:
		t.Fatalf("a typed word sent %q", l)
	default:
	}
	e.ta.Reset()
	typeWords("ctrl+d") // on an empty line, as a word: text, not leaving
	if got := e.ta.Value(); got != "ctrl+d" {
		t.Fatalf("the input holds %q, want the word", got)
	}
	// The keys themselves still work.
	e.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if l := <-lines; l != "ctrl+d" {
		t.Fatalf("Enter sent %q", l)
	}
	e.Update(tea.KeyMsg{Type: tea.KeyUp})
	if got := e.ta.Value(); got != "ctrl+d" {
		t.Fatalf("Up recalled %q, want the last prompt", got)
	}
}

// TestTooLongAPromptIsSaidToStay: a prompt over the limit stays in the input, and its
// refusal, said under the input until the next key, is said in the scrollback too, as
// every prompt the editor keeps back is (a user tester's viewer had nothing left there).
func TestTooLongAPromptIsSaidToStay(t *testing.T) {
	lines := make(chan string, 1)
	e := newEditor(false, lines)
	var said []string
	e.keptBack = func(text, why string) { said = append(said, why) }
	long := strings.Repeat("x", wire.MaxPromptBytes+1)
	e.ta.SetValue(long)
	_, cmd := e.Update(tea.KeyMsg{Type: tea.KeyEnter})
	select {
	case l := <-lines:
		t.Fatalf("sent %d bytes", len(l))
	default:
	}
	if e.ta.Value() != long || !strings.Contains(e.errText, "the limit is") {
		t.Fatalf("input of %d bytes, error %q", len(e.ta.Value()), e.errText)
	}
	if cmd == nil {
		t.Fatal("no line printed for the prompt over the limit")
	}
	cmd()
	if len(said) != 1 || !strings.Contains(said[0], "the limit is 32,768 (32 KiB)") || !strings.Contains(said[0], "still in the input line") {
		t.Fatalf("printed %q", said)
	}
}

// TestViewerKeepsTheText: a viewer's Enter on a prompt would only be refused; the text was
// lost with it (found by a tester). It is kept in the history, with the reason; and out of
// the input, where commands typed next were appended to it (found by another).
func TestViewerKeepsTheText(t *testing.T) {
	lines := make(chan string, 2)
	e := newEditor(false, lines)
	e.st.role = wire.RoleViewer
	var said []string
	e.keptBack = func(text, why string) { said = append(said, text+": "+why) }
	e.ta.SetValue("a prompt")
	_, cmd := e.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if e.ta.Value() != "" || !strings.Contains(e.errText, "you are a viewer") || !strings.Contains(e.errText, "Up brings the text back") {
		t.Fatalf("input %q, error %q", e.ta.Value(), e.errText)
	}
	// And a line that stays in the scrollback (the one under the input went with the next
	// output, and nothing was left of it: a tester's; piped, it is a lasting line).
	if cmd == nil {
		t.Fatal("no line printed for the viewer's prompt")
	}
	cmd()
	if !slices.Equal(said, []string{"a prompt: " + viewerWhy}) {
		t.Fatalf("printed %q", said)
	}
	select {
	case l := <-lines:
		t.Fatalf("sent %q", l)
	default:
	}
	// Made a participant, the reason goes by itself (it stayed until a key: a tester).
	e.Update(statusMsg(status{phase: wire.PhaseIdle, connected: true, role: wire.RoleViewer}))
	if e.errText != viewerText {
		t.Fatalf("still a viewer, the reason went: %q", e.errText)
	}
	e.Update(statusMsg(status{phase: wire.PhaseIdle, connected: true, role: wire.RoleHost}))
	if e.errText != "" {
		t.Fatalf("made a co-host, the editor still says %q", e.errText)
	}
	e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/who")})
	e.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if l := <-lines; l != "/who" {
		t.Fatalf("a viewer's command: %q", l)
	}
	e.Update(tea.KeyMsg{Type: tea.KeyUp})
	e.Update(tea.KeyMsg{Type: tea.KeyUp})
	if got := e.ta.Value(); got != "a prompt" {
		t.Fatalf("Up brings back %q, want the refused prompt", got)
	}
}

// TestGivenBackIntoTheInput: a prompt taken back with /withdraw comes into the input to be
// corrected and sent again, alone in an empty input, else above what was typed since.
func TestGivenBackIntoTheInput(t *testing.T) {
	lines := make(chan string, 2)
	e := newEditor(false, lines)
	e.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	e.Update(giveBackMsg("fix teh typo\nand more"))
	if got := e.ta.Value(); got != "fix teh typo\nand more" {
		t.Fatalf("the empty input holds %q", got)
	}
	if e.ta.Height() != 2 {
		t.Errorf("the input is %d rows for two lines", e.ta.Height())
	}
	e.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if l := <-lines; l != "fix teh typo\nand more" {
		t.Fatalf("Enter sent %q", l)
	}
	e.ta.SetValue("typed meanwhile")
	e.Update(giveBackMsg("the prompt"))
	if got := e.ta.Value(); got != "the prompt\n\ntyped meanwhile" {
		t.Fatalf("the input holds %q, want the prompt, then what was typed", got)
	}
}

// TestTypingGoesOnWhereItWasWhenAPromptComesBack: the keys typed after a prompt comes back
// go where the cursor was in what was typed, not after the prompt given back (a tester's
// "fast11" refused as too fast came back while "fast12" was typed: "fast11fast12").
func TestTypingGoesOnWhereItWasWhenAPromptComesBack(t *testing.T) {
	e := newEditor(false, make(chan string, 1))
	e.Update(tea.WindowSizeMsg{Width: 20, Height: 24})
	typeKeys := func(s string) {
		for _, r := range s {
			e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
	typeKeys("fa")
	e.Update(giveBackMsg("fast11"))
	typeKeys("st12")
	if got := e.ta.Value(); got != "fast11\n\nfast12" {
		t.Fatalf("the input holds %q, want the prompt given back, then what was typed", got)
	}

	// In the middle of two lines, one of them longer than the box is wide, and a prompt of
	// two lines given back.
	e.ta.SetValue("one two three four five six seven\nlast")
	e.ta.CursorUp()
	e.ta.CursorUp()
	e.ta.SetCursor(4) // before "two"
	e.Update(giveBackMsg("p1\np2"))
	typeKeys("X")
	if got := e.ta.Value(); got != "p1\np2\n\none Xtwo three four five six seven\nlast" {
		t.Fatalf("the input holds %q, want X typed where the cursor was", got)
	}

	// A prompt given back with a "\r\n" in it (the input makes two lines of it).
	e.ta.SetValue("xy")
	e.ta.SetCursor(1)
	e.Update(giveBackMsg("a\r\nb"))
	typeKeys("Z")
	if got := e.ta.Value(); !strings.HasSuffix(got, "\n\nxZy") {
		t.Fatalf("the input holds %q, want Z typed where the cursor was", got)
	}
}

// TestNoHostToDecide: a tool request in a party with no host connected says so; the wait
// read as a host taking its time (found by a tester with a host that only watches).
func TestNoHostToDecide(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant) // nobody in it is a host
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Bash", Status: wire.PermissionPending}})
	if !strings.Contains(out.String(), "[system] no host is in the party to decide") {
		t.Fatalf("no word of the missing host:\n%s", out.String())
	}
	out.Reset()
	n := 4
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m7", Name: "hana", Role: wire.RoleHost}, Count: &n})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Bash", Status: wire.PermissionPending}})
	if strings.Contains(out.String(), "no host") {
		t.Fatalf("a host is there, yet:\n%s", out.String())
	}
}

// TestMyWaitingPromptsByMemberID: the status line counts this member's waiting prompts by
// member id, as /withdraw finds them: not an earlier member's of the same name, and its own
// after a rename (it counted by name).
func TestMyWaitingPromptsByMemberID(t *testing.T) {
	c, _, _, _ := newCommander(wire.RoleParticipant) // m1, "me"
	c.pr.event(wire.Event{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "me", Member: "m9", Text: "an older me's"}})
	c.pr.event(wire.Event{Seq: 2, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "me-2", Member: "m1", Text: "mine, renamed"}})
	c.pr.event(wire.Event{Seq: 3, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p3", User: "me", Member: "m9", Text: "the older me again"}})
	if st := c.pr.statusOf(); st.mine != 1 || st.all != 3 {
		t.Fatalf("mine %d of %d, want 1 of 3", st.mine, st.all)
	}
}

// TestNewLineKeepsTheFirstInView: Ctrl-J (or a typed line that wraps) grew the input after
// the textarea had scrolled to the new row, so its first line was hidden until Up (found
// by a tester). Every line shows while they fit.
func TestNewLineKeepsTheFirstInView(t *testing.T) {
	e := newEditor(false, make(chan string, 1))
	// As the program does: a view drawn after every message (the textarea scrolls only
	// over what its last view held).
	update := func(msg tea.Msg) { e.Update(msg); e.View() }
	update(tea.WindowSizeMsg{Width: 40, Height: 24})
	typeText := func(s string) { update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }
	typeText("line one")
	update(tea.KeyMsg{Type: tea.KeyCtrlJ})
	typeText("line two")
	update(tea.KeyMsg{Type: tea.KeyEnter, Alt: true})
	typeText("line three")
	for _, want := range []string{"line one", "line two", "line three"} {
		if v := e.ta.View(); !strings.Contains(v, want) {
			t.Errorf("the input shows %q, without %q", v, want)
		}
	}
	e.ta.Reset()
	e.fit()
	for range 50 { // wraps twice at 40 columns
		update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
		update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b")})
		update(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")})
	}
	if v := e.ta.View(); !strings.HasPrefix(strings.TrimSpace(ansi.Strip(v)), "› ab ab") {
		t.Errorf("a wrapped line's first row is hidden: %q", v)
	}
}

// The input is as high as the textarea wraps its text, word by word: counted by
// characters, a tester's prompt of short words and a long run wrapped onto 4 rows got a
// box of 3, its first row out of view until Home.
func TestInputHeightFollowsTheWordWrap(t *testing.T) {
	for _, width := range []int{12, 30, 80, 300} {
		e := newEditor(false, make(chan string, 1))
		e.Update(tea.WindowSizeMsg{Width: width, Height: 24})
		text := strings.Repeat("ab ", 30) + strings.Repeat("Z", 100)
		e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text)})
		e.View()
		want := strings.Count(wordWrapped(text, e.ta.Width()), "\n") + 1
		if e.rows != want {
			t.Errorf("width %d: %d rows counted, the text wraps onto %d", width, e.rows, want)
		}
		if h := e.ta.Height(); h != min(want, maxEditorRows) {
			t.Errorf("width %d: the box is %d rows for %d rows of text", width, h, want)
		}
		// The first row, with its prompt mark, is in view while the cursor is at the end.
		if v := ansi.Strip(e.View()); !strings.Contains(v, "› ab ab") && want <= maxEditorRows {
			t.Errorf("width %d: the first row is out of view:\n%s", width, v)
		}
	}
}

// wordWrapped wraps s at width as a reader would: words move down whole, a word longer
// than a row is cut, and a last row that fills the width is followed by an empty one (the
// cursor's).
func wordWrapped(s string, width int) string {
	var rows []string
	row := ""
	for _, w := range strings.Fields(s) {
		for len(w) > 0 {
			switch {
			case row == "" && len(w) > width-1:
				rows, w = append(rows, w[:width]), w[width:]
			case row == "":
				row, w = w, ""
			case len(row)+1+len(w) < width:
				row, w = row+" "+w, ""
			default:
				rows, row = append(rows, row+" "), ""
			}
		}
	}
	if len(row) >= width {
		rows, row = append(rows, row), ""
	}
	return strings.Join(append(rows, row), "\n")
}

// Lines past the input's height are kept: the textarea dropped each new line past 8 (its
// MaxHeight), and a tester's ten lines typed with Ctrl-J went to claude as "L8L9L10".
func TestManyLinesAreKept(t *testing.T) {
	e := newEditor(false, make(chan string, 1))
	update := func(msg tea.Msg) { e.Update(msg); e.View() }
	update(tea.WindowSizeMsg{Width: 40, Height: 24})
	var want []string
	for i := 1; i <= 12; i++ {
		if i > 1 {
			update(tea.KeyMsg{Type: tea.KeyCtrlJ})
		}
		update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(fmt.Sprintf("L%d", i))})
		want = append(want, fmt.Sprintf("L%d", i))
	}
	if got := e.ta.Value(); got != strings.Join(want, "\n") {
		t.Fatalf("the input holds %q", got)
	}
	if h := e.ta.Height(); h != maxEditorRows {
		t.Errorf("the input is %d rows high, want %d (it scrolls past them)", h, maxEditorRows)
	}
	// And it says so: a tester's first rows seemed gone.
	if v := strings.Join(strings.Fields(ansi.Strip(e.View())), " "); !strings.Contains(v, overflowText(12)) {
		t.Errorf("the view does not say the prompt is longer than the box:\n%s", v)
	}
	e.ta.SetValue("short")
	e.fit()
	if v := ansi.Strip(e.View()); strings.Contains(v, "all of it is sent") {
		t.Errorf("a short prompt is said to be longer than the box:\n%s", v)
	}
}

// TestCtrlZSaysWhy: Ctrl-Z (which reaches a raw terminal's program as a key) does not
// suspend, and says so; the text typed stays. It used to do nothing at all. It is a
// [system] line above the input, as every other word of the party's terminal is, not a
// line under the box; and the host's says what its /quit does there: end the party (a
// tester's host read "/quit leaves", untagged, under the box).
func TestCtrlZSaysWhy(t *testing.T) {
	for _, c := range []struct {
		name     string
		ownParty bool
		want     string
	}{
		{"member", false, "Ctrl-Z does not suspend a party terminal: stopped, it would miss the party. /shell CMD runs a command here; /quit leaves"},
		{"host", true, "Ctrl-Z does not suspend the party's own terminal: stopped, it would stop the party for everyone. /shell CMD runs a command here; /quit ends the party"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEditor(false, make(chan string, 1))
			e.ownParty = c.ownParty
			var said []string
			e.notice = func(text string) { said = append(said, text) }
			e.ta.SetValue("half a prompt")
			_, cmd := e.Update(tea.KeyMsg{Type: tea.KeyCtrlZ})
			if cmd != nil {
				cmd()
			}
			if e.ta.Value() != "half a prompt" || !slices.Equal(said, []string{c.want}) {
				t.Fatalf("editor holds %q, said %q, want %q", e.ta.Value(), said, c.want)
			}
			if e.errText != "" || strings.Contains(e.View(), "Ctrl-Z") {
				t.Errorf("also said under the box (%q):\n%s", e.errText, e.View())
			}
		})
	}
}

// TestPrinterNeverWaitsForTheStatusLine: the status line's sink waits until the editor's
// event loop runs (tea.Program.Send). An event printed in the moment before it starts
// must not hold the printer's lock while it waits: runEditor, still setting up, takes that
// lock (setInputSink) before it starts the loop. A tester's join froze that way, with no
// editor.
func TestPrinterNeverWaitsForTheStatusLine(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b)
	p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "bob", Role: wire.RoleParticipant}, Party: wire.PartyInfo{PermissionMode: wire.PermissionAsk, Always: []string{}}})
	loop := make(chan struct{}) // closed: the editor's loop runs, and takes what was sent
	got := make(chan status, 8)
	p.setStatusSink(func(st status) {
		<-loop
		got <- st
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.event(wire.Event{Kind: wire.KindPhase, Phase: wire.PhaseRunning})
		p.setInputSink(func(string) {})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		close(loop) // let the stuck sink go, so the test ends
		t.Fatal("the printer waited for the status line's sink under its lock")
	}
	close(loop)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case st := <-got:
			if st.phase == wire.PhaseRunning {
				p.setStatusSink(nil)
				return
			}
		case <-deadline:
			t.Fatal("the status line never got the running phase")
		}
	}
}

// TestTimeLeftIsOnTheRequestsLine: a participant's notice of a request with a detail says
// the time left on the request's own line; after the detail it read as part of the file's
// text (a tester's "second line; undecided, it is denied in 2m00s").
func TestTimeLeftIsOnTheRequestsLine(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	now := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	c.pr.now = func() time.Time { return now }
	c.pr.event(wire.Event{TS: now, Kind: wire.KindSystem, Text: "hello"})
	expires := now.Add(2 * time.Minute)
	c.pr.event(wire.Event{TS: now, Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Write", Summary: "a.txt", Status: wire.PermissionPending, Expires: &expires,
		Detail: "first line\nsecond line"}})
	if want := "Write: a.txt (for a host's agent command); undecided, it is denied in 2m00s\n    first line\n    second line\n"; !strings.Contains(out.String(), want) {
		t.Fatalf("the participant's notice:\n%s", out.String())
	}
}

// TestUpRecallsPromptsOfAFailedTurn: a turn that fails (claude failed twice, or could not
// start) asks its authors to send their prompts again, and a tester's terminal could not
// recall a prompt it had not typed itself (another terminal, before a reconnect). The
// line editor now has this member's prompts of that turn in its history, and says so;
// a failed turn without any of them changes nothing.
// recallParty is a printer for member m1 ("me", as role) whose status goes to a line
// editor as the terminal's does (its newest status only), for the tests of what Up recalls.
type recallParty struct {
	t   *testing.T
	b   *bytes.Buffer
	p   *printer
	e   *editor
	got chan status
}

func newRecallParty(t *testing.T, role string) *recallParty {
	r := &recallParty{t: t, b: &bytes.Buffer{}, got: make(chan status, 64)}
	r.p = newPrinter(r.b)
	r.p.hello(wire.HelloResult{You: wire.Member{ID: "m1", Name: "me", Role: role}, Party: wire.PartyInfo{PermissionMode: wire.PermissionAsk, Always: []string{}}})
	r.p.setStatusSink(func(st status) { r.got <- st })
	t.Cleanup(func() { r.p.setStatusSink(nil) })
	r.e = newEditor(false, make(chan string, 1))
	r.e.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return r
}

// settle hands the editor the newest status, as the status pump does.
func (r *recallParty) settle() {
	r.t.Helper()
	var st status
	for deadline := time.After(5 * time.Second); ; {
		select {
		case st = <-r.got:
			continue
		case <-time.After(100 * time.Millisecond):
			r.e.Update(statusMsg(st))
			return
		case <-deadline:
			r.t.Fatal("no status")
		}
	}
}

// up is what Up n times shows in the input (the input left empty again after).
func (r *recallParty) up(n int) string {
	for range n {
		r.e.Update(tea.KeyMsg{Type: tea.KeyUp})
	}
	v := r.e.ta.Value()
	for range n {
		r.e.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	return v
}

func (r *recallParty) ev(seq int64, ev wire.Event) { ev.Seq = seq; r.p.event(ev) }

func (r *recallParty) prompt(seq int64, id, member, text string) {
	r.ev(seq, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, Member: member, User: member, Text: text}})
}

func TestUpRecallsPromptsOfAFailedTurn(t *testing.T) {
	r := newRecallParty(t, wire.RoleParticipant)
	b, e, ev, prompt := r.b, r.e, r.ev, r.prompt
	up := func() string { return r.up(1) }
	prompt(1, "p1", "m1", "mine, typed elsewhere")
	prompt(2, "p2", "m2", "bob's")
	ev(3, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1", "p2"}, Merged: "both", Merger: wire.MergerLocal}})
	ev(4, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnError, Error: "claude failed twice: exit 1; the turn did not finish: send the prompts again to try once more"}})
	r.settle()
	if v := up(); v != "mine, typed elsewhere" {
		t.Fatalf("Up recalls %q, want this member's prompt of the failed turn", v)
	}
	if !strings.Contains(b.String(), "[system] press Up to get back your prompt from that turn and send it again") {
		t.Errorf("not said:\n%s", b.String())
	}
	// Through approval too; a turn that fails with none of this member's adds nothing.
	e.ta.SetValue("a draft")
	prompt(5, "p3", "m1", "held, then failed")
	ev(6, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Prompts: []string{"p3"}, Merged: "held"}})
	ev(7, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p3"}, Merged: "held", Merger: wire.MergerLocal}})
	ev(8, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnError, Error: "claude could not start", Unsent: true}})
	r.settle()
	if v := e.ta.Value(); v != "a draft" {
		t.Fatalf("the draft became %q", v)
	}
	e.ta.SetValue("")
	if v := up(); v != "held, then failed" {
		t.Fatalf("Up recalls %q after the approved batch failed", v)
	}
	// A failed turn of another batch than the one this terminal saw start (a replay cut
	// short lost its start) recalls nothing.
	b.Reset()
	prompt(9, "p5", "m1", "mine, in a batch whose end was lost")
	ev(10, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b6", Prompts: []string{"p5"}, Merged: "y", Merger: wire.MergerLocal}})
	ev(11, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b7", Status: wire.TurnError, Error: "boom"}})
	prompt(12, "p4", "m2", "bob's again")
	ev(13, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b3", Prompts: []string{"p4"}, Merged: "x", Merger: wire.MergerLocal}})
	ev(14, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b3", Status: wire.TurnError, Error: "boom"}})
	r.settle()
	if v := up(); v != "held, then failed" || strings.Contains(b.String(), "press Up") || !strings.Contains(b.String(), "claude's turn failed") {
		t.Fatalf("after a failed turn of others' only: Up recalls %q; printed:\n%s", v, b.String())
	}
}

// TestUpRecallsButDoesNotInviteSendingAgainWhenArgsRefused: a turn unsent because Claude
// Code refused the party's extra arguments fails the same way for anything sent again in
// this party (agent.ErrArgsRefused, party's lastingStart). Up still recalls the prompt,
// but the terminal does not say "to send again" just after "it will not start in this
// party" (a reviewer's).
func TestUpRecallsButDoesNotInviteSendingAgainWhenArgsRefused(t *testing.T) {
	r := newRecallParty(t, wire.RoleParticipant)
	refused := "claude could not start: " + (&agent.ArgsRefusedError{Args: []string{"--bogus-flag"}, Said: "error: unknown option '--bogus-flag'"}).Error()
	r.prompt(1, "p1", "m1", "mine, never sent")
	r.ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "mine", Merger: wire.MergerLocal}})
	r.ev(3, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnError, Error: refused, Unsent: true, AgentDown: true}})
	r.settle()
	if v := r.up(1); v != "mine, never sent" {
		t.Fatalf("Up recalls %q, want this member's prompt of the unsent turn", v)
	}
	out := r.b.String()
	if !strings.Contains(out, "so it will not start in this party") {
		t.Fatalf("the turn's error is not said:\n%s", out)
	}
	if strings.Contains(out, "to send again") || !strings.Contains(out, "[system] press Up to get back your prompt from that turn, to send once the party is hosted again (here it would fail the same way)") {
		t.Errorf("Up is offered to send again in a party claude will not start in:\n%s", out)
	}
}

// TestUpRecallsAPromptWithdrawnForThisMember: a prompt of this member's that a resume did
// not take up (or another's hand withdrew) is to be sent again, and a tester's host, its
// terminal started anew by the resume, could not recall it: the line editor has it, and
// says so; the resume's withdrawal is said as the resume's, not as "you withdrew"; one this
// member withdrew came back to the input line already, and is not added.
func TestUpRecallsAPromptWithdrawnForThisMember(t *testing.T) {
	r := newRecallParty(t, wire.RoleHost)
	r.prompt(1, "p1", "m1", "mine, left by the resume")
	r.prompt(2, "p2", "m2", "bob's, left too")
	r.prompt(3, "p5", "m1", "mine too, left by the resume")
	r.ev(4, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "m1", By: "me", ByMember: "m1", Resumed: true}})
	r.ev(5, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p2", User: "m2", By: "me", ByMember: "m1", Resumed: true}})
	r.ev(6, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p5", User: "m1", By: "me", ByMember: "m1", Resumed: true}})
	r.settle()
	// Both, though the editor saw only the newest status (a reviewer's lost the first).
	if v1, v2 := r.up(1), r.up(2); v1 != "mine too, left by the resume" || v2 != "mine, left by the resume" {
		t.Fatalf("Up recalls %q, then %q: want this member's two prompts the resume withdrew", v1, v2)
	}
	out := r.b.String()
	for _, want := range []string{
		"your prompt is withdrawn: the party was resumed without it: mine, left by the resume",
		"[system] Up recalls your prompt, to send again",
		"m2's prompt is withdrawn: the party was resumed without it: bob's, left too",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("not said: %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "you withdrew") || strings.Count(out, "Up recalls") != 1 {
		t.Errorf("said as by hand, Up offered for another's, or offered more than once for one resume:\n%s", out)
	}
	// Withdrawn by another host's hand: the same. By this member's own: not added, also
	// from a host before by_member (its name is all there is).
	r.b.Reset()
	r.prompt(7, "p3", "m1", "taken out by a co-host")
	r.ev(8, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p3", User: "m1", By: "cohost", ByMember: "m9"}})
	r.prompt(9, "p4", "m1", "withdrawn myself")
	r.ev(10, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p4", User: "m1", By: "me", ByMember: "m1"}})
	r.prompt(11, "p6", "m1", "withdrawn myself, older host")
	r.ev(12, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p6", User: "m1", By: "m1"}})
	r.settle()
	if v := r.up(1); v != "taken out by a co-host" || strings.Count(r.b.String(), "Up recalls") != 1 {
		t.Fatalf("Up recalls %q; printed:\n%s", v, r.b.String())
	}
	// Held for approval, then rejected (a resume without it rejects it): the same.
	r.b.Reset()
	r.prompt(13, "p7", "m1", "held, then rejected")
	r.ev(14, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b8", Prompts: []string{"p7"}, Merged: "held"}})
	r.ev(15, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b8", Prompts: []string{"p7"}, By: "me", Reason: "the party was resumed without it: send again what is still wanted"}})
	r.settle()
	if v := r.up(1); v != "held, then rejected" || !strings.Contains(r.b.String(), "Up recalls your prompt") ||
		!strings.Contains(r.b.String(), "is not sent: the party was resumed without it") || strings.Contains(r.b.String(), "you rejected") {
		t.Fatalf("after a rejection: Up recalls %q; printed:\n%s", v, r.b.String())
	}
}

// TestClearedTextComesBack: Ctrl-C (or Ctrl-U) clears the input into the history; a host
// who cleared a half-written prompt to type /allow lost it for good (a tester's).
func TestClearedTextComesBack(t *testing.T) {
	for _, key := range []tea.KeyType{tea.KeyCtrlC, tea.KeyCtrlU} {
		lines := make(chan string, 2)
		e := newEditor(false, lines)
		e.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("my long draft")})
		e.Update(tea.KeyMsg{Type: key})
		if e.ta.Value() != "" {
			t.Fatalf("%v left %q", key, e.ta.Value())
		}
		if key == tea.KeyCtrlC && e.errText != clearedText+"; Ctrl-C again to leave" {
			t.Errorf("Ctrl-C said %q", e.errText)
		}
		e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/allow")})
		e.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if l := <-lines; l != "/allow" {
			t.Fatalf("sent %q", l)
		}
		e.Update(tea.KeyMsg{Type: tea.KeyUp})
		e.Update(tea.KeyMsg{Type: tea.KeyUp})
		if got := e.ta.Value(); got != "my long draft" {
			t.Fatalf("%v: Up twice brings back %q, want the cleared draft", key, got)
		}
		select {
		case l := <-lines:
			t.Fatalf("%v sent %q", key, l)
		default:
		}
	}
}

// TestCtrlCThatClearsSaysWhatTheNextDoes: a Ctrl-C that clears the input says so, and what
// a Ctrl-C on the line now empty does. A prompt given back to the box (a stopped one, one
// not sent) is not the person's typing: clearing it says it was not sent, and Up brings it
// back. A host's stopped prompt came back into the box, and the Ctrl-C pressed to leave
// only cleared it, with no word that a second was needed (a reviewer's).
func TestCtrlCThatClearsSaysWhatTheNextDoes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		typed    string // typed into the box
		given    string // given back into it
		ownParty bool
		shell    string
		want     string
	}{
		{"typed, a member", "my draft", "", false, "", "cleared; Up brings the text back; Ctrl-C again to leave"},
		{"typed, the party's own terminal", "my draft", "", true, "", "cleared; Up brings the text back; Ctrl-C again asks to end the party"},
		{"typed, a /shell command running", "my draft", "", true, "sleep 9", "cleared; Up brings the text back; Ctrl-C again stops the /shell command"},
		{"given back, a member", "", "fix the parser", false, "", "cleared the prompt given back to you, not sent; Up brings it back; Ctrl-C again to leave"},
		{"given back, the party's own terminal", "", "fix the parser", true, "", "cleared the prompt given back to you, not sent; Up brings it back; Ctrl-C again asks to end the party"},
		{"given back above a draft", "my draft", "fix the parser", true, "", "cleared the prompt given back to you, not sent; Up brings it back; Ctrl-C again asks to end the party"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := make(chan string, 2)
			e := newEditor(false, lines)
			e.ownParty = tc.ownParty
			e.Update(tea.WindowSizeMsg{Width: 200, Height: 24})
			e.Update(statusMsg(status{phase: wire.PhaseIdle, connected: true, shell: tc.shell}))
			if tc.typed != "" {
				e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(tc.typed)})
			}
			if tc.given != "" {
				e.Update(giveBackMsg(tc.given))
			}
			want := e.ta.Value()
			e.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
			if e.ta.Value() != "" || e.errText != tc.want {
				t.Fatalf("Ctrl-C left %q and said %q, want %q", e.ta.Value(), e.errText, tc.want)
			}
			select {
			case l := <-lines:
				t.Fatalf("the Ctrl-C that cleared sent %q", l)
			default:
			}
			e.Update(tea.KeyMsg{Type: tea.KeyUp})
			if got := e.ta.Value(); got != want {
				t.Fatalf("Up brings back %q, want %q", got, want)
			}
			// Up, then Ctrl-C: what was brought back is cleared again, as typed text.
			e.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
			if !strings.HasPrefix(e.errText, clearedText+";") {
				t.Fatalf("a recalled text cleared: said %q", e.errText)
			}
			e.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
			if l := <-lines; l != interruptLine {
				t.Fatalf("Ctrl-C on the empty line sent %q", l)
			}
		})
	}
}

// TestErrorUnderTheInputWrapsAtSpaces: the line under the input was cut at the width,
// mid-word ("…Up brings the text ba" / "ck", a tester's).
func TestErrorUnderTheInputWrapsAtSpaces(t *testing.T) {
	e := newEditor(false, make(chan string, 1))
	e.Update(tea.WindowSizeMsg{Width: 37, Height: 24})
	e.errText = viewerText
	view := ansi.Strip(e.View())
	_, under, _ := strings.Cut(view, "you are a viewer")
	lines := strings.Split("you are a viewer"+under, "\n")
	for _, w := range strings.Fields(viewerText) {
		found := false
		for _, l := range lines {
			for _, lw := range strings.Fields(l) {
				found = found || lw == w
			}
		}
		if !found {
			t.Errorf("the word %q is cut in:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if n := len([]rune(strings.TrimRight(l, " "))); n > 37 {
			t.Errorf("a line of %d columns: %q", n, l)
		}
	}
}

// A draft, Up into the history, then Ctrl-C: the draft typed before browsing is kept too
// (a reviewer's: Down gave nothing back, and it was in no history).
func TestClearingWhileBrowsingKeepsTheDraft(t *testing.T) {
	lines := make(chan string, 2)
	e := newEditor(false, lines)
	e.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("old")})
	e.Update(tea.KeyMsg{Type: tea.KeyEnter})
	<-lines
	e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("my long draft")})
	e.Update(tea.KeyMsg{Type: tea.KeyUp}) // browsing: "old" shown
	if e.ta.Value() != "old" {
		t.Fatalf("Up shows %q", e.ta.Value())
	}
	e.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	found := false
	for range 3 {
		e.Update(tea.KeyMsg{Type: tea.KeyUp})
		found = found || e.ta.Value() == "my long draft"
	}
	if !found {
		t.Fatalf("the draft is gone: history %q", e.history)
	}
}

// TestANarrowerTerminalShowsTheWholeDraft: a draft re-wrapped onto two rows by a narrower
// terminal showed one of them (a tester's, at 60 columns), until a key moved the cursor.
func TestANarrowerTerminalShowsTheWholeDraft(t *testing.T) {
	e := newEditor(false, make(chan string, 1))
	update := func(msg tea.Msg) { e.Update(msg); e.View() }
	update(tea.WindowSizeMsg{Width: 120, Height: 24})
	update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a draft that is fairly long so that it wraps when the terminal becomes narrow, more words here")})
	update(tea.WindowSizeMsg{Width: 60, Height: 24})
	if v := ansi.Strip(e.View()); !strings.Contains(v, "› a draft") || !strings.Contains(v, "more words here") {
		t.Fatalf("at 60 columns the draft shows as:\n%s", v)
	}
	update(tea.WindowSizeMsg{Width: 120, Height: 24})
	if h := e.ta.Height(); h != 1 {
		t.Errorf("wide again, the input is %d rows high, want 1", h)
	}
}
