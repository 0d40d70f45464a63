package host

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
)

// ErrNoParty: --resume named a party that has no journal in the data directory.
var ErrNoParty = errors.New("no such party in the data directory")

// Resume is a party read back from its journal, ready for Start (Config.Resume). Close it
// when it is not started after all.
type Resume struct {
	Summary *journal.Summary
	Restore *party.Restore
	w       *journal.Writer
}

// OpenResume reads the journal of partyID in dataDir ("" = the party written to last) and
// opens it for appending. window is the party's memory window (0 = the default).
func OpenResume(dataDir, partyID string, window int) (*Resume, error) {
	if partyID == "" {
		id, err := journal.Latest(dataDir)
		if err != nil {
			return nil, err
		}
		partyID = id
	}
	if !journal.ValidID(partyID) {
		return nil, fmt.Errorf("%q is not a party id", partyID)
	}
	path := journal.Path(dataDir, partyID)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (see `concordia parties`)", ErrNoParty, partyID)
	}
	rc := party.NewRecovery(window)
	w, s, err := journal.Open(path, rc.Event)
	if err != nil {
		return nil, err
	}
	if s.CutAt > 0 && !s.LostEnd {
		// A resume after the one that followed a cut: what was unanswered at the cut
		// stays unanswered (that resume said so).
		rc.Cut(s.CutAt)
	}
	rc.Alive(s.Alive) // the cut turn ran at least until then
	r := rc.Restore(s.Members)
	r.Ended, r.EndedAt, r.LostEnd = s.Ended, s.EndedAt, s.LostEnd
	r.EndCut = s.EndCut
	if s.SeqFloor > r.Seq {
		// Members may hold seqs past the journal's last (a power loss took its unsynced
		// end, a durability tester's): new events are numbered past what could be lost,
		// and so are ids (a lost t7 must not come back as another request).
		r.Gap = s.SeqFloor - r.Seq
		r.NextID += r.Gap
	}
	if r.Workspace == "" {
		// No settings event named a level: participants saw the one the run started with.
		// A resume that shares another one says so (party.Restore).
		r.Workspace = s.SharingLevel()
	}
	return &Resume{Summary: s, Restore: r, w: w}, nil
}

// WorkspaceLevel is what the resumed party shares of the working directory (§9) unless
// told otherwise (journal.Summary.SharingLevel).
func (r *Resume) WorkspaceLevel() string { return r.Summary.SharingLevel() }

// Close gives up a Resume that was not started.
func (r *Resume) Close() error { return r.w.Close() }

// settings is what the journal records of this run.
func (h *Host) settings(port int, fp string) journal.Settings {
	c := h.cfg
	return journal.Settings{
		Listen: c.Listen, Port: port, PublicHost: h.inv.Host, Fingerprint: fp,
		WindowMS: c.Window.Milliseconds(), MinPrompts: c.MinPrompts,
		Merge: c.MergeMode, GeminiModel: c.GeminiModel,
		PermissionMode: c.PermissionMode, Approval: c.Approve,
		PermissionTimeout: c.PermissionTimeout.Milliseconds(), TurnTimeout: c.TurnTimeout.Milliseconds(),
		MaxParticipants: c.Party.MaxParticipants, Workspace: c.ShareWorkspace,
		WorkDir: c.Agent.WorkDir, Claude: c.Agent.Path, ClaudeArgs: append([]string{}, c.Agent.Args...),
	}
}

// openJournal creates the party's journal, or takes over the resumed one and records the
// resume. Its id is pc.ID.
func (h *Host) openJournal(pc *party.Config, port int, fp string) (*journal.Writer, error) {
	set := h.settings(port, fp)
	if pc.ID == "" {
		pc.ID = party.NewID()
	}
	if r := h.cfg.Resume; r != nil {
		err := r.w.Resumed(time.Now(), set)
		if err == nil && pc.HostToken != r.Summary.HostToken {
			// A host invite made for this run, or dropped by it: kept, so that the next
			// resume knows which links work.
			err = r.w.Invites(journal.Tokens{Participant: pc.Token, Viewer: pc.ViewerToken, Host: pc.HostToken})
		}
		if err != nil {
			// Nobody was sent anything: the journal is put back as it was, to be resumed
			// once there is room (a tester's resume on a full disk locked the party out).
			r.w.Abandon()
			// The floor a cut journal's Open recorded stays, marks off: the next resume
			// numbers past it as this one would have (a tester's was told "nothing was
			// changed").
			return nil, fmt.Errorf("%w (the party was not resumed: free some space and resume again)", err)
		}
		pc.Restore = r.Restore
		h.agentSession = r.Summary.AgentSession
		return r.w, nil
	}
	return journal.Create(h.cfg.DataDir, journal.Header{
		Party: pc.ID, Host: h.cfg.Name, Created: time.Now().UTC(),
		Token: pc.Token, ViewerToken: pc.ViewerToken, HostToken: pc.HostToken, Settings: set,
	})
}

// sessionSeen journals the agent's session id when it changed (after each turn).
func (h *Host) sessionSeen(id string) {
	h.sessMu.Lock()
	defer h.sessMu.Unlock()
	if id == "" || id == h.agentSession {
		return
	}
	h.agentSession = id
	if err := h.journal.AgentSession(id); err != nil {
		h.log.Error("journal the agent's session", "err", err)
	}
}
