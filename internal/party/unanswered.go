package party

import (
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// Unanswered is what a stopped party holds that its agent never answered, as a resume
// takes it up (PROTOCOL.md §8: nothing acknowledged is lost): prompts no batch carried
// (waiting, or held for approval), queued again, and the batch whose turn its host stopped
// during, run again. `concordia parties` and the window's Resume say it from this one
// reading, so that they never differ.
type Unanswered struct {
	Pending []wire.Prompt // oldest first
	Cut     *wire.Batch   // nil: no turn was cut short
	CutBy   []string      // the names of Cut's authors, each once
	// Approval: the party holds a batch for a host's approval before the agent has it (as
	// the resume starts it: the last setting a host chose, else its run's), so the waiting
	// prompts are not sent unseen. The cut turn runs again all the same.
	Approval bool
}

// FindUnanswered is what a resume of the party would take up: s and rc read its journal
// (rc given its events), as host.OpenResume reads it. A journal cut short, whether it
// cannot be resumed (Incomplete) or is resumed past what it lost (LostEnd, which runs
// nothing from before again), takes up nothing. Whether a host runs it now is the caller's
// to know.
func FindUnanswered(s *journal.Summary, rc *Recovery) Unanswered {
	if rc == nil || s == nil || s.Incomplete || s.LostEnd {
		return Unanswered{}
	}
	if s.CutAt > 0 {
		rc.Cut(s.CutAt) // as the resume does (host.OpenResume): not run again (a reviewer's)
	}
	rc.Alive(s.Alive)
	r := rc.Restore(s.Members)
	u := Unanswered{Pending: r.Pending, Cut: r.Unfinished, CutBy: r.UnfinishedBy, Approval: s.Settings.Approval}
	if r.HasSettings {
		u.Approval = r.Approval
	}
	return u
}

// EndCutWords says the party's last turn, which its end cut short (journal.Summary.EndCut;
// a resume does not run it again, PROTOCOL.md §8): "the last turn, for alice's prompt, was
// cut short when the party ended"; "" for nil. `concordia parties`, Recent parties and the
// resume said nothing of it, only the end's notice did (a tester's). Its prompts are named
// as the terminal names a batch's: "alice's prompt", "alice's 2 prompts", "3 prompts
// (alice's, bob's and carol's)" (not "the 3 prompts of alice, bob and carol", which read
// apart from the terminal's, a reviewer's). Names are peer text.
func EndCutWords(c *journal.EndCut) string {
	if c == nil {
		return ""
	}
	const cut = " was cut short when the party ended"
	var whose string
	switch n := len(c.By); {
	case n == 0: // an agent command, or prompts the journal does not hold
		return "the last turn" + cut
	case n == 1 && c.Prompts <= 1:
		whose = c.By[0] + "'s prompt"
	case n == 1:
		whose = fmt.Sprintf("%s's %d prompts", c.By[0], c.Prompts)
	default:
		whose = fmt.Sprintf("%d prompts (%s's and %s's)", c.Prompts, strings.Join(c.By[:n-1], "'s, "), c.By[n-1])
	}
	return "the last turn, for " + whose + "," + cut
}

// None reports that a resume would take up nothing.
func (u Unanswered) None() bool { return len(u.Pending) == 0 && u.Cut == nil }

// Them is how Words' again names what was left: "it" (one prompt, or the cut turn alone),
// else "them" ("" when nothing).
func (u Unanswered) Them() string {
	switch {
	case u.None():
		return ""
	case len(u.Pending)+btoi(u.Cut != nil) == 1:
		return "it"
	}
	return "them"
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Words says it: what ("1 prompt never reached the agent, and its last turn was cut
// short"; "" when nothing) and again, what a resume does with it: "takes them up again",
// or for one prompt alone "takes it up again", or for a cut turn alone "runs it again" (a
// tester read "takes them up again" after a turn alone, with no "them" to take up).
func (u Unanswered) Words() (what, again string) {
	if u.None() {
		return "", ""
	}
	var parts []string
	switch n := len(u.Pending); n {
	case 0:
	case 1:
		parts = append(parts, "1 prompt never reached the agent")
	default:
		parts = append(parts, fmt.Sprintf("%d prompts never reached the agent", n))
	}
	again = "takes them up again"
	if len(u.Pending) == 1 && u.Cut == nil {
		again = "takes it up again" // "1 prompt … takes them up again" (a tester's)
	}
	if u.Cut != nil {
		if len(parts) == 0 {
			again = "runs it again"
		}
		parts = append(parts, "its last turn was cut short")
	}
	return strings.Join(parts, ", and "), again
}
