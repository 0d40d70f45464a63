package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/wire"
)

func runJoin(ctx context.Context, args []string, io IO) int {
	var name, transcriptPath string
	var verbose bool
	fs := newFlagSet("join", "concordia join INVITE [--name NAME]", `
Join a party in this terminal. INVITE is the concordia:// link the host printed
(flags may stand before or after it). Type a prompt and press Enter; /quit or /exit
leaves; /shell CMD runs CMD on this machine only (nothing is sent); /who lists the
members; /help lists your commands (a co-host gets the host's). A dropped
connection is retried (after 1, 2, 4, 8, then every 15 seconds) and everything missed
is shown once it is back. When input ends, this keeps following the party until
Ctrl-C or the end of the party.`, io.Err)
	fs.StringVar(&name, "name", defaultName(io.Getenv), "your display `name` in the party")
	fs.BoolVar(&verbose, "verbose", false, "log diagnostics to stderr")
	fs.StringVar(&transcriptPath, "transcript", "", "when you leave or the party ends, write what this terminal saw to this `file`, as Markdown (like concordia export)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	switch {
	case len(pos) == 0:
		return usageError(fs, io.Err, "missing INVITE (the concordia:// link the host printed)")
	case len(pos) > 1:
		return usageError(fs, io.Err, "unexpected argument %q (only one INVITE)", pos[1])
	case strings.TrimSpace(name) == "":
		return usageError(fs, io.Err, "--name must not be empty")
	}
	inv, err := invite.Parse(pos[0])
	if err != nil {
		return usageError(fs, io.Err, "%v", err)
	}
	pr := newPrinter(io.Out)
	pr.color = colorFor(io.Out, io.Getenv)
	saved := &seenLog{}
	first := true
	c, err := client.Join(ctx, client.Config{
		Invite:  inv,
		Name:    name,
		Logger:  newLogger(io, verbose),
		OnEvent: func(ev wire.Event) { saved.add(ev); pr.event(ev) },
		OnHello: func(h wire.HelloResult) {
			saved.hello(h)
			pr.hello(h)
			if first {
				first = false
				pr.notice("party", fmt.Sprintf("joined %s's party as %s (%s: %s)", term.Line(h.Party.Host), term.Line(h.You.Name), people(len(h.State.Participants)), names(h.State.Participants)))
				if h.You.Role == wire.RoleViewer {
					pr.notice("system", "you joined as a viewer: you watch the party and cannot send prompts (a host can make you a participant)")
				}
				return
			}
			pr.notice("system", "reconnected; catching up")
		},
		OnStatus: func(s client.Status) {
			if s.State == client.StatusReconnecting {
				pr.notice("system", fmt.Sprintf("connection lost (%v); reconnecting in %s (attempt %d)", s.Err, s.RetryIn, s.Attempt))
			}
		},
	})
	if err != nil {
		pr.notice("error", err.Error())
		return ExitError
	}
	defer c.Close()
	if transcriptPath != "" {
		defer func() {
			c.Close() // no more events: the file has all this terminal saw
			if err := saved.write(transcriptPath); err != nil {
				pr.notice("error", "cannot write the transcript: "+err.Error())
				return
			}
			pr.notice("system", "transcript written to "+transcriptPath)
		}()
	}

	cmd := &commander{
		pr:       pr,
		prompt:   func(ctx context.Context, text string) error { _, err := c.Prompt(ctx, text); return err },
		ctl:      c,
		ws:       c,
		describe: describe,
	}
	quit := make(chan struct{})
	go func() {
		if repl(ctx, io.In, pr, cmd.line) {
			close(quit)
		}
	}()
	select {
	case <-ctx.Done():
		return ExitOK
	case <-quit:
		return ExitOK
	case <-c.Done():
		err := c.Err()
		switch {
		case errors.Is(err, client.ErrEnded):
			pr.notice("system", "the host ended the party")
			return ExitOK
		case errors.Is(err, client.ErrClosed):
			return ExitOK
		case errors.Is(err, client.ErrKicked):
			pr.notice("error", "a host removed you from the party")
			return ExitError
		}
		pr.notice("error", "disconnected: "+err.Error())
		return ExitError
	}
}

func names(ms []wire.Member) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = term.Line(m.Name)
		if m.Role != wire.RoleParticipant {
			out[i] += " (" + m.Role + ")"
		}
	}
	return strings.Join(out, ", ")
}

// seenLog keeps the events a joined terminal saw, for --transcript. OnEvent and OnHello
// run on the client's delivery goroutine and write runs after Close: mu guards it all.
type seenLog struct {
	mu     sync.Mutex
	events []wire.Event
	meta   transcript.Meta
}

func (s *seenLog) hello(h wire.HelloResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.meta.Host, s.meta.Party, s.meta.Viewer = h.Party.Host, h.Party.ID, h.You.Name
}

func (s *seenLog) add(ev wire.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
}

func (s *seenLog) write(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	meta := s.meta
	meta.Saved = time.Now()
	var b strings.Builder
	if err := transcript.Markdown(&b, meta, s.events); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
