package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Words the terminal's messages share: who asked, counts, roles, modes, rules.

// asked says whose prompts a batch carries: "alice's prompt", "alice's 2 prompts",
// "prompts by alice, bob".
func asked(b batchWho) string {
	authors := b.authors
	switch {
	case b.prompts > 0 && b.mine == b.prompts:
		// The author reads of its own prompts as its own, as an approval says it (a
		// tester's read "hostie rejected bob's prompt", "(for bob's prompt)").
		if b.prompts == 1 {
			return "your prompt"
		}
		return fmt.Sprintf("your %d prompts", b.prompts)
	case len(authors) == 0 && b.prompts > 0:
		// Prompts this terminal never saw (from before it joined): not a command, which
		// carries none and never waits for approval (a reviewer's approval notice said so).
		if b.prompts == 1 {
			return "a prompt from before you joined"
		}
		return "prompts from before you joined"
	case len(authors) == 0:
		return "a host's agent command"
	case len(authors) == 1 && b.prompts > 1:
		return fmt.Sprintf("%s's %d prompts", term.Line(authors[0]), b.prompts)
	case len(authors) == 1:
		return term.Line(authors[0]) + "'s prompt"
	}
	clean := make([]string, len(authors))
	for i, a := range authors {
		clean[i] = term.Line(a)
	}
	return "prompts by " + strings.Join(clean, ", ")
}

// hiddenWords names the changed files a host keeps back (PROTOCOL.md §9, "hidden"):
// "1 file that may hold credentials".
func hiddenWords(n int) string {
	if n == 1 {
		return "1 file that may hold credentials"
	}
	return fmt.Sprintf("%d files that may hold credentials", n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func roleWords(role string) string {
	switch role {
	case wire.RoleHost:
		return "a co-host"
	case wire.RoleViewer:
		return "a viewer (watches, cannot prompt)"
	}
	return "a participant"
}

// isSubset reports whether every tool in a is in b.
func isSubset(a, b []string) bool {
	for _, t := range a {
		if !slices.Contains(b, t) {
			return false
		}
	}
	return true
}

// alwaysWords says which tools are allowed for the rest of the party; host says how to
// take one back.
func alwaysWords(tools []string, host bool) string {
	if len(tools) == 0 {
		return "no tool is always allowed now: every tool use asks as the permission mode says"
	}
	names := make([]string, len(tools))
	for i, t := range tools {
		names[i] = term.Line(t)
	}
	s := "always allowed without asking: " + strings.Join(names, ", ")
	if host {
		s += " (/revoke TOOL makes one ask again)"
	}
	return s
}

// approvalWords says the approval mode, after "approval ", as the host's terminal and a
// joining one both say it (the host's said only "approval off"): mine, for the terminal
// that decides (/approve, /reject).
func approvalWords(on, mine bool) string {
	switch {
	case !on:
		return "off: merged prompts go to claude at once"
	case mine:
		return "on: every merged prompt waits for you (/approve, /reject)"
	}
	return "on: every merged prompt waits for a host's approval"
}

// rulesWords says a party's tool permission mode and approval mode, for someone joining.
func rulesWords(info wire.PartyInfo) string {
	s := fmt.Sprintf("tool permissions: %s%s; approval %s", modeWords(info.PermissionMode),
		timeoutWords(time.Duration(info.PermissionTimeoutMS)*time.Millisecond, info.PermissionMode), approvalWords(info.Approval, false))
	if info.MinPrompts > 1 {
		// Else a lone prompt's wait is first explained by the status line (a tester's).
		s += fmt.Sprintf("; a batch takes at least %d prompts", info.MinPrompts)
	}
	return s
}

// timeoutWords says how long an undecided tool request waits before it is denied:
// "; undecided tool requests are denied after 2m00s". "" when the host did not say (an
// older one) or nothing asks (all).
func timeoutWords(d time.Duration, mode string) string {
	if d <= 0 || mode == wire.PermissionAll {
		return ""
	}
	return "; undecided tool requests are denied after " + fmtDuration(d)
}

func modeWords(mode string) string {
	switch mode {
	case wire.PermissionEdits:
		return "file edits allowed, everything else asks a host (edits)"
	case wire.PermissionPlan:
		return "plan only, nothing is changed (plan)"
	case wire.PermissionAll:
		return "everything allowed without asking (all)"
	case wire.PermissionAsk, "":
		return "every tool use that needs permission asks a host (ask)"
	}
	return term.Line(mode) // a newer host's mode: said as it is, not passed off as ask
}
