package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	xterm "golang.org/x/term"
)

// repl reads the local terminal and hands each line to handle (a commander's line), which
// says whether the person quits. It returns when they quit (true), when input ends (false)
// or when ctx ends. Reading stdin cannot be interrupted, so the reader goroutine may outlive
// repl until the process exits; it only ever sends on lines, which nobody closes.
//
// When the terminal is interactive (sc is not nil) the line editor reads it instead
// (editor.go): multi-line prompts, pastes, history, a status line.
func repl(ctx context.Context, in io.Reader, sc *screen, pr *printer, handle func(ctx context.Context, line string) (quit bool)) (quit bool) {
	if sc != nil {
		return runEditor(ctx, in, sc, pr, handle)
	}
	lines := make(chan string)
	eof := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		r := bufio.NewReaderSize(in, 64<<10)
		for {
			line, err := r.ReadString('\n')
			if line != "" || err == nil {
				select {
				case lines <- strings.TrimRight(line, "\r\n"):
				case <-done:
					return
				}
			}
			if err != nil {
				eof <- err
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), errPartyOver) {
				unread(lines, eof, pr, "")
			}
			return false
		case err := <-eof:
			if !errors.Is(err, io.EOF) {
				pr.notice("error", "reading the terminal: "+err.Error())
			}
			return false
		case line := <-lines:
			if ctx.Err() != nil {
				// Ended while the line before was handled: this one is not handled either.
				if errors.Is(context.Cause(ctx), errPartyOver) {
					unread(lines, eof, pr, line)
				}
				return false
			}
			if handle(ctx, line) {
				return true
			}
		}
	}
}

// unreadWait is how long a script's terminal whose party ended reads the lines already in
// its pipe, to say them not sent.
const unreadWait = 300 * time.Millisecond

// unread says which prompts still in a script's input the party ended before they were
// read (a tester's three piped lines after a held one were never mentioned): the lines
// that come within unreadWait, or until input ends, after first (read, not handled). Blank
// lines and commands are no prompts. Input that has not ended by then is not read: said
// so, not left to look as if those were all (a reviewer's).
func unread(lines <-chan string, eof <-chan error, pr *printer, first string) {
	var prompts []string
	add := func(line string) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "/") && !strings.HasPrefix(t, "//") {
			return
		}
		prompts = append(prompts, strconv.Quote(firstLine(strings.TrimPrefix(t, "/"))))
	}
	add(first)
	timeout := time.After(unreadWait)
	later := "" // what is said of the input after them, when it has not ended
read:
	for {
		select {
		case line := <-lines:
			add(line)
		case <-eof:
			break read
		case <-timeout:
			later = "; any later input is not sent either"
			break read
		}
	}
	if len(prompts) == 0 {
		return
	}
	const most = 5
	list := strings.Join(prompts[:min(len(prompts), most)], ", ")
	if n := len(prompts) - most; n > 0 {
		list += fmt.Sprintf(" and %d more", n)
	}
	if len(prompts) == 1 {
		pr.reply("error", "prompt not sent ("+list+"): the party ended before it was read"+later)
		return
	}
	pr.reply("error", fmt.Sprintf("%d prompts not sent (%s): the party ended before they were read%s", len(prompts), list, later))
}

// newTerminal makes the printer for a party terminal, and the screen the line editor
// draws on when stdin and stdout are a terminal (nil otherwise: plain lines for scripts).
// Streamed agent text is written a frame at a time (printFrame); the caller must call
// pr.flush before it returns.
func newTerminal(io IO) (*printer, *screen) {
	pr := newPrinter(io.Out)
	pr.color = colorFor(io.Out, io.Getenv)
	pr.screen.frame = printFrame
	if !interactive(io.In, io.Out, io.Getenv) {
		return pr, nil
	}
	sc := &screen{out: io.Out}
	if f, ok := io.Out.(*os.File); ok { // known before the program says it: for the first lines
		if w, _, err := xterm.GetSize(int(f.Fd())); err == nil {
			sc.setWidth(w)
		}
		if jobControl {
			sc.background = func() bool { return inBackground(f) }
			sc.bg = &backgroundOut{out: f, quiet: func() bool { return stopsBackgroundWriters(f) }}
			sc.printed = &printedLines{} // only a foregroundOutput takes them (editorOutput)
		}
	}
	pr.screen.w = sc
	pr.above = sc.above
	pr.background = sc.inBackground
	pr.width = func() int { return int(sc.width.Load()) }
	return pr, sc
}
