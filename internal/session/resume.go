package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// RecentLimit is how many parties RecentParties lists at most.
const RecentLimit = 10

// States of a RecentParty (as `concordia parties` says them).
const (
	PartyRunning         = "running"           // a host holds its journal
	PartyEnded           = "ended"             // it ended cleanly
	PartyNotEndedCleanly = "not_ended_cleanly" // killed, or the machine stopped
)

// RecentParty is a party kept in the data directory (docs/PROTOCOL.md §8); its JSON is the
// window's RecentParty.
type RecentParty struct {
	ID         string    `json:"id"`
	Host       string    `json:"host"` // the host's name: "<host>'s party"
	Created    time.Time `json:"created"`
	LastActive time.Time `json:"last_active"`
	Turns      int       `json:"turns"`
	State      string    `json:"state"` // PartyRunning, PartyEnded or PartyNotEndedCleanly
	Workdir    string    `json:"workdir"`
	// Workspace is what the party shares of its working directory when resumed as it was
	// (off, changes or tree): the window asks before bringing back a party that shares
	// the whole folder, and passes what it showed as ResumeOptions.ShareAtMost.
	Workspace string `json:"workspace"`
	// Incomplete: its journal could not be written to its end (a full disk), so it cannot
	// be resumed (journal.ErrIncomplete).
	Incomplete bool `json:"incomplete,omitempty"`
	// LostEnd: its journal could not be written to its end, and it can be resumed past
	// what it lost, with nothing from before run again (journal.Summary.LostEnd).
	LostEnd bool `json:"lost_end,omitempty"`
	// FirstPrompt is the start of its first prompt, on one line: two parties of one host
	// and folder read the same otherwise (a window tester's). Peer text: shown as text.
	FirstPrompt string `json:"first_prompt,omitempty"`
	// EndCut says its last turn when the party's end cut it short, as `concordia parties`
	// does: "the last turn, for alice's prompt, was cut short when the party ended"; a resume
	// does not run it again ("" = it was not, or it is not said: journal.Summary.EndCutShown
	// decides, and the window shows it whenever given). Names are peer text: shown as text.
	EndCut string `json:"end_cut,omitempty"`
}

// firstPromptShown is the most of a party's first prompt a list shows: its first line
// that is not blank, cleaned of controls, cut at about a line's width.
func firstPromptShown(text string) string { return shownStart(text, firstPromptRunes) }

// shownStart is text's first line that is not blank, cleaned of controls, cut at about n
// runes.
func shownStart(text string, n int) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(term.Line(l)); l != "" {
			if r := []rune(l); len(r) > n {
				l = strings.TrimSpace(string(r[:n])) + "…"
			}
			return l
		}
	}
	return ""
}

const firstPromptRunes = 90

// ResumeOptions change what a resumed party would otherwise take from its journal.
type ResumeOptions struct {
	// ShareAtMost caps what the resumed party shares of its working directory: the level
	// it had, or this one when that is less ("" = the level it had). The window passes
	// the level it showed the person (or the answer to its question), so a party whose
	// sharing grew meanwhile (in a terminal, another window) never comes back sharing more
	// than the person was shown.
	ShareAtMost string
	// WithoutUnanswered resumes it without what it left unanswered (party.Restore.Without):
	// its waiting prompts are withdrawn and a turn cut short is not run again, both said to
	// the party. The window's "Resume without them", after its question (Unanswered).
	WithoutUnanswered bool
	// AskedAt is the journal's last seq when the question was asked (Unanswered.LastSeq; 0:
	// not known). A resume without what was left unanswered is refused when the journal went
	// on since (another run added prompts): it would withdraw prompts the person never saw
	// (a reviewer's).
	AskedAt int64
}

// ErrRunning: the party to resume is running already (a host holds its journal).
var ErrRunning = errors.New("the party is running already")

// StartError is a Resume that failed, with what the party was to start with (for a
// precise sentence: the listen address, the Claude Code path).
type StartError struct {
	Listen, ClaudePath string
	Err                error
}

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// RecentParties lists the parties in the data directory, the most recently active first,
// RecentLimit at most. No data directory or no parties is an empty list.
func (m *Manager) RecentParties() ([]RecentParty, error) {
	out := []RecentParty{}
	if m.cfg.DataDir == "" {
		return out, nil
	}
	list, err := m.recent.List(m.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		if len(out) == RecentLimit {
			break
		}
		state := PartyNotEndedCleanly
		switch {
		case journal.InUse(s.Path):
			state = PartyRunning
		case s.Ended:
			state = PartyEnded
		}
		out = append(out, RecentParty{
			ID: s.Header.Party, Host: s.Header.Host, Created: s.Header.Created, LastActive: s.LastActive,
			Turns: s.Turns, State: state, Workdir: s.Settings.WorkDir, Workspace: s.SharingLevel(),
			Incomplete: s.Incomplete, LostEnd: s.LostEnd, FirstPrompt: firstPromptShown(s.FirstPrompt),
			EndCut: term.Line(party.EndCutWords(s.EndCutShown())),
		})
	}
	return out, nil
}

// Resume brings back a party from its journal, as `concordia host --resume ID` does with
// no flags: the same id, invites, port and history, its settings as the journal has them,
// and the window's person as the party's owner again; opt changes what it says. A party
// running already fails with ErrRunning; an unknown id with host.ErrNoParty (before a
// window in a party is told it is busy); start problems as a *StartError.
func (m *Manager) Resume(ctx context.Context, partyID string, opt ResumeOptions) (Info, error) {
	if _, err := m.journalOf("resume", partyID); err != nil {
		return Info{}, err
	}
	if err := m.begin(); err != nil {
		return Info{}, err
	}
	started := false
	defer func() {
		if !started {
			m.abort()
		}
	}()
	res, err := host.OpenResume(m.cfg.DataDir, partyID, 0)
	if errors.Is(err, journal.ErrInUse) {
		return Info{}, fmt.Errorf("%w: %s", ErrRunning, partyID)
	}
	if err != nil {
		return Info{}, err
	}
	req, maxParticipants, err := m.resumeRequest(res, opt)
	if err != nil {
		res.Close()
		return Info{}, err
	}
	if opt.WithoutUnanswered && opt.AskedAt > 0 && res.Summary.LastSeq != opt.AskedAt {
		res.Close()
		return Info{}, badRequest(errors.New("This party ran again since you were asked what to do with what it left unanswered: click Resume again to see what it holds now."))
	}
	res.Restore.Without = opt.WithoutUnanswered
	ctx, cancel := m.opContext(ctx)
	defer cancel()
	a, info, err := m.startHost(ctx, req, res, maxParticipants)
	if err != nil {
		res.Close() // idempotent: a host that started and stopped closed it already
		return Info{}, &StartError{Listen: req.Listen, ClaudePath: req.ClaudePath, Err: err}
	}
	started = true
	if err := m.commit(a); err != nil {
		return Info{}, err
	}
	return info, nil
}

// sameEncryption refuses a party hosted with TLS where this host has none, or the other way
// round: its invites would no longer work.
func (m *Manager) sameEncryption(s journal.Settings) error {
	if m.cfg.Insecure != (s.Fingerprint == "") {
		return badRequest(errors.New("This party was hosted with different encryption settings; its invites would no longer work, so it cannot be resumed here."))
	}
	return nil
}

// resumeRequest is the party's journalled settings as a HostRequest (checked).
func (m *Manager) resumeRequest(res *host.Resume, opt ResumeOptions) (HostRequest, int, error) {
	s := res.Summary.Settings
	if err := m.sameEncryption(s); err != nil {
		return HostRequest{}, 0, err
	}
	h, _, err := net.SplitHostPort(s.Listen)
	if err != nil {
		h = ""
	}
	req := HostRequest{
		Name:    res.Summary.Header.Host,
		Workdir: s.WorkDir,
		// The same port, so that the invites people hold still work.
		Listen: net.JoinHostPort(h, strconv.Itoa(s.Port)), PublicHost: s.PublicHost,
		Window: time.Duration(s.WindowMS) * time.Millisecond, MinPrompts: s.MinPrompts,
		Merger: s.Merge, ClaudePath: s.Claude, ClaudeArgs: s.ClaudeArgs,
		PermissionMode: s.PermissionMode, Approve: s.Approval,
		PermissionTimeout: time.Duration(s.PermissionTimeout) * time.Millisecond,
		TurnTimeout:       time.Duration(s.TurnTimeout) * time.Millisecond,
		ShareWorkspace:    res.WorkspaceLevel(),
	}
	if r := res.Restore; r != nil && r.HasSettings { // as a host last set them
		req.Approve = r.Approval
		if r.PermissionMode != "" {
			req.PermissionMode = r.PermissionMode
		}
	}
	if most := strings.ToLower(strings.TrimSpace(opt.ShareAtMost)); most != "" {
		if err := settings.CheckShareWorkspace(most); err != nil {
			return HostRequest{}, 0, badRequest(err)
		}
		if wire.WorkspaceRank(most) < wire.WorkspaceRank(req.ShareWorkspace) {
			req.ShareWorkspace = most
		}
	}
	if req.Merger == "" {
		req.Merger = settings.MergerAuto
	}
	if req.MinPrompts <= 0 {
		req.MinPrompts = 1
	}
	if err := req.check(); err != nil {
		return HostRequest{}, 0, err
	}
	return req, s.MaxParticipants, nil
}

// Unanswered is what resuming a party would take up at once (party.Unanswered), for the
// window to say before its Resume does it: a tester's Resume sent a prompt hours old to
// the agent within a second, unreviewed, its author not even connected. Its JSON is the
// window's ResumeUnanswered. Names and texts are peer text: shown as text.
type Unanswered struct {
	// Text says it as `concordia parties` does: "1 prompt never reached the agent, and its
	// last turn was cut short"; "" when a resume takes up nothing.
	Text string `json:"text"`
	// Prompts are the waiting prompts, oldest first: each author's name and the start of
	// the text, on one line.
	Prompts []UnansweredPrompt `json:"prompts"`
	// Turn is the start of the request whose turn was cut short, on one line ("" = none):
	// a resume sends it to the agent again.
	Turn string `json:"turn,omitempty"`
	// Cut: a turn was cut short (Turn says its start; it may be "" for a request of blank
	// lines only).
	Cut bool `json:"cut,omitempty"`
	// TurnBy are the names of the cut turn's authors, each once (none for an agent command:
	// a host's).
	TurnBy []string `json:"turn_by,omitempty"`
	// Approval: the resumed party holds the waiting prompts' batch for a host's approval
	// before the agent has it.
	Approval bool `json:"approval,omitempty"`
	// LastSeq is the journal's last event as it was read (ResumeOptions.AskedAt).
	LastSeq int64 `json:"last_seq"`
}

// UnansweredPrompt is a prompt that never reached the agent.
type UnansweredPrompt struct {
	User string `json:"user"`
	Text string `json:"text"`
}

// unansweredRunes is the most of a waiting prompt's start the window's question is given:
// it shows one line of it, cut to the width, and the rest in its tooltip (a tester could not
// read past 60 characters).
const unansweredRunes = 500

// Unanswered reads party partyID's journal once and says what a resume would take up:
// prompts that never reached the agent and a turn cut short (as `concordia parties` says
// them). Nothing for a party running now (it is not resumed) or whose journal was cut
// short. Read only when asked: the list's periodic reading does not read it.
func (m *Manager) Unanswered(partyID string) (Unanswered, error) {
	out := Unanswered{Prompts: []UnansweredPrompt{}}
	path, err := m.journalOf("resume", partyID)
	if err != nil {
		return out, err
	}
	if journal.InUse(path) {
		return out, nil // running: Resume refuses it (ErrRunning)
	}
	rc := party.NewRecovery(1) // only what is left open is wanted, not the recent events
	s, err := journal.ReadBrief(path, rc.Event)
	if err != nil {
		return out, err
	}
	if err := m.sameEncryption(s.Settings); err != nil {
		// Refused before the question, not after it is answered (a tester's).
		return out, err
	}
	u := party.FindUnanswered(s, rc)
	out.Text, _ = u.Words()
	out.LastSeq = s.LastSeq
	for _, p := range u.Pending {
		out.Prompts = append(out.Prompts, UnansweredPrompt{User: term.Line(p.User), Text: shownStart(p.Text, unansweredRunes)})
	}
	if u.Cut != nil {
		out.Cut = true
		out.Turn = shownStart(u.Cut.Merged, unansweredRunes)
		for _, by := range u.CutBy {
			out.TurnBy = append(out.TurnBy, term.Line(by))
		}
	}
	out.Approval = u.Approval && len(u.Pending) > 0
	return out, nil
}
