package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os/exec"
	"runtime"
	"strings"
)

// repl reads the local terminal: prompts, /quit, /exit and /shell. It returns when the
// user quits (true), when input ends (false) or when ctx ends. Reading stdin cannot be
// interrupted, so the reader goroutine may outlive repl until the process exits; it only
// ever sends on lines, which nobody closes.
func repl(ctx context.Context, in io.Reader, pr *printer, send func(text string) error) (quit bool) {
	lines := make(chan string)
	eof := make(chan error, 1)
	go func() {
		r := bufio.NewReaderSize(in, 64<<10)
		for {
			line, err := r.ReadString('\n')
			if line != "" || err == nil {
				select {
				case lines <- strings.TrimRight(line, "\r\n"):
				case <-ctx.Done():
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
			return false
		case err := <-eof:
			if !errors.Is(err, io.EOF) {
				pr.notice("error", "reading the terminal: "+err.Error())
			}
			return false
		case line := <-lines:
			trimmed := strings.TrimSpace(line)
			switch {
			case trimmed == "":
			case trimmed == "/quit" || trimmed == "/exit":
				return true
			case trimmed == "/shell" || strings.HasPrefix(trimmed, "/shell "):
				shell(ctx, strings.TrimSpace(strings.TrimPrefix(trimmed, "/shell")), pr)
			case strings.HasPrefix(trimmed, "/help"):
				pr.notice("system", "type a prompt and press Enter; /quit or /exit leaves; /shell CMD runs CMD on this machine only")
			default:
				if err := send(line); err != nil {
					pr.notice("error", "prompt not sent: "+err.Error())
				}
			}
		}
	}
}

// shell runs cmd on this machine only; its output goes to this terminal and nowhere else.
func shell(ctx context.Context, cmd string, pr *printer) {
	if cmd == "" {
		pr.notice("system", "usage: /shell CMD (runs CMD on this machine only)")
		return
	}
	var c *exec.Cmd
	if runtime.GOOS == "windows" {
		c = exec.CommandContext(ctx, "cmd", "/C", cmd)
	} else {
		c = exec.CommandContext(ctx, "sh", "-c", cmd)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.midLine {
		pr.w.Write([]byte("\n"))
		pr.midLine = false
	}
	// No stdin: the prompt loop owns the terminal's input.
	c.Stdout, c.Stderr = pr.w, pr.w
	if err := c.Run(); err != nil {
		pr.noticeLocked("error", "/shell: "+err.Error())
	}
}
