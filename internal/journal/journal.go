// Package journal keeps a party on disk: one append-only file of JSON lines per party in the
// data directory (<data-dir>/parties/<party-id>.jsonl, 0600 in a 0700 directory), holding
// everything `concordia host --resume` needs and everything `concordia export` shows
// (PROTOCOL.md §8): a header (id, host, creation time, both invite tokens, settings), every
// event in seq order, member records (sessions, so members rejoin after a resume), the
// agent's session id, new invite tokens after a rotation, resumes, an "ended" record on a
// clean end, and, while a turn runs and nothing else is written, a timed "alive" record now
// and then (so that a resume after a crash knows how long the cut turn ran).
//
// Each line is one JSON object whose "type" says what it is (see Record). The file is only
// ever appended to. A line that cannot be read — the torn last line of a host that was
// killed while writing — is skipped, never fatal; Open cuts a torn tail before appending so
// that the next record starts on a line of its own.
//
// Durability: every record is handed to the operating system (one write) before the party
// sends the event to anyone, so a host that is killed loses nothing that anyone saw; the
// file is also fsynced after prompt, batch, turn and rejected events, member records, at
// the end, and after the agent's session id (what a resume continues) and the header, whose
// directory is synced too, so a machine that crashes loses at most the output streamed
// since the last of those.
//
// The Writer also reads events back (Events) for replays older than the party's memory
// window, through a sparse in-memory index of seq → file offset. One mutex guards the
// Writer; it is safe for concurrent use.
package journal

import (
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// Version is the journal format written by this code.
const Version = 1

// Record types (the "type" of a line).
const (
	TypeHeader  = "header"  // the first line: Header
	TypeEvent   = "event"   // one event, exactly as sent
	TypeMember  = "member"  // a member's current record (the last one for an id wins)
	TypeInvites = "invites" // new invite tokens after a rotation
	TypeSession = "agent_session"
	TypeRun     = "agent_run" // a host run's agent marker (package reap), before its agent starts
	TypeResumed = "resumed"   // the party was brought back (its settings, as resumed)
	TypeEnded   = "ended"     // a clean end
	// TypeAlive: a turn was still running at "at" (Writer.Alive), written while nothing
	// else is (a tool request waits for a host, a tool runs quietly), so that a resume
	// after a crash does not time the cut turn to its last event (Summary.Alive). Since
	// 2026-12-07; older readers skip it as a record they do not know.
	TypeAlive = "alive"
	// TypeSeqFloor: the journal may lack events members saw (Summary.LostTail), so the
	// party's next event is numbered past seq_floor; written, and synced, by the Open
	// that found it, so that a resume refused after it, or a second loss, still knows.
	TypeSeqFloor = "seq_floor"
)

// Header is the journal's first line.
type Header struct {
	Version     int       `json:"version"`
	Party       string    `json:"party"`
	Host        string    `json:"host"` // the host's display name
	Created     time.Time `json:"created"`
	Token       string    `json:"token"`        // participant invite token
	ViewerToken string    `json:"viewer_token"` // viewer invite token
	// HostToken joins as a host (the host invite of a host with no terminal of its own,
	// --no-local-repl); "" when the party has none.
	HostToken string   `json:"host_token,omitempty"`
	Settings  Settings `json:"settings"`
}

// Settings are the party's settings as the host was started with them; a resumed record
// carries the settings of that run.
type Settings struct {
	Listen            string `json:"listen"`                // as given (":8765", "127.0.0.1:0")
	Port              int    `json:"port"`                  // the port actually bound
	PublicHost        string `json:"public_host"`           // the host written into the invites
	Fingerprint       string `json:"fingerprint,omitempty"` // "" with --insecure
	WindowMS          int64  `json:"window_ms"`
	MinPrompts        int    `json:"min_prompts"`
	Merge             string `json:"merge"` // auto, gemini, local
	GeminiModel       string `json:"gemini_model,omitempty"`
	PermissionMode    string `json:"permission_mode"`
	Approval          bool   `json:"approval"`
	PermissionTimeout int64  `json:"permission_timeout_ms"`
	TurnTimeout       int64  `json:"turn_timeout_ms"`
	MaxParticipants   int    `json:"max_participants,omitempty"`
	// Workspace is the sharing level the run started with (--share-workspace); "" in
	// journals written before it was recorded.
	Workspace  string   `json:"workspace,omitempty"`
	WorkDir    string   `json:"workdir"`
	Claude     string   `json:"claude"`
	ClaudeArgs []string `json:"claude_args"`
}

// Member is what a member needs to come back after a resume. Kicked members are recorded
// too: their session must stay dead.
type Member struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Session  string `json:"session"`
	ClientID string `json:"client_id,omitempty"`
	Owner    bool   `json:"owner,omitempty"`
	Kicked   bool   `json:"kicked,omitempty"`
	// Forgotten (with Kicked): the party let go of an away member to bound its memory,
	// not a host's removal (rules.go).
	Forgotten bool `json:"forgotten,omitempty"`
	// KickedBy (with Kicked, since 2026-12-07): the name of the host who removed it, which
	// a resumed party tells that member's hello with its dead session; "" in a record of
	// before, or when forgotten.
	KickedBy string `json:"kicked_by,omitempty"`
}

// Record is one line. Only the fields of its Type are set.
type Record struct {
	Type string `json:"type"`

	Header *Header `json:"header,omitempty"` // header

	Event  json.RawMessage `json:"event,omitempty"`  // event
	Member *Member         `json:"member,omitempty"` // member

	// invites
	Token       string `json:"token,omitempty"`
	ViewerToken string `json:"viewer_token,omitempty"`
	HostToken   string `json:"host_token,omitempty"` // "": the party has no host invite

	AgentSession string    `json:"agent_session,omitempty"` // agent_session
	AgentRun     string    `json:"agent_run,omitempty"`     // agent_run: its reap marker id
	At           time.Time `json:"at,omitzero"`             // resumed, ended, alive
	Resumed      *Settings `json:"resumed,omitempty"`       // resumed
	SeqFloor     int64     `json:"seq_floor,omitempty"`     // seq_floor
	// LostEnd (seq_floor): the floor is a cut mark's: a failed write lost the journal's
	// end while the party went on (Summary.LostEnd).
	LostEnd bool `json:"lost_end,omitempty"`
	// Boot is the id of the machine's boot a run started in (header, resumed; Linux),
	// so that a resume can tell that the machine went down since (Summary.LostTail).
	Boot string `json:"boot,omitempty"`
}

// Tokens are a party's invite tokens: the participant's, the viewer's and, when the party
// has one, the host invite's ("" otherwise).
type Tokens struct {
	Participant, Viewer, Host string
}

// Dir is the directory of the journals in dataDir.
func Dir(dataDir string) string { return filepath.Join(dataDir, "parties") }

// Path is the journal of partyID in dataDir.
func Path(dataDir, partyID string) string {
	return filepath.Join(Dir(dataDir), partyID+".jsonl")
}

// syncs says which events are made durable at once (fsync): the promises a party makes.
func syncs(kind string) bool {
	switch kind {
	case wire.KindPrompt, wire.KindBatch, wire.KindTurn, wire.KindRejected, wire.KindWithdrawn:
		return true
	}
	return false
}
