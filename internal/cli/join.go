package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

func runJoin(ctx context.Context, args []string, io IO) int {
	var name string
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
	first := true
	c, err := client.Join(ctx, client.Config{
		Invite:  inv,
		Name:    name,
		Logger:  newLogger(io, verbose),
		OnEvent: pr.event,
		OnHello: func(h wire.HelloResult) {
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
