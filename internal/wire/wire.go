// Package wire holds the Concordia party protocol v1 types (PROTOCOL.md §4–§6):
// the JSON shapes that cross the WebSocket between host and participants.
// It has no behaviour beyond validation helpers; host, client and app all use it.
package wire

import "time"

// JSON-RPC method names of protocol v1.
const (
	MethodHello    = "Party.hello"
	MethodPrompt   = "Party.prompt"
	MethodGetState = "Party.getState"
	MethodPing     = "Party.ping"
	MethodEvent    = "Client.event"
)

// Limits of protocol v1.
const (
	// MaxPromptBytes is the largest prompt, in bytes of UTF-8, inclusive.
	MaxPromptBytes = 32768
	// MaxPeerMessage is the largest message a participant may send to the host.
	MaxPeerMessage = 1 << 20
	// MaxHostMessage is the largest message the host sends.
	MaxHostMessage = 16 << 20
	// RPCPath is the WebSocket path on the host's listener.
	RPCPath = "/rpc"
)

// Close reasons the host sends in the WebSocket close frame. A participant that sees
// ReasonPartyEnded or ReasonReplaced stops reconnecting.
const (
	ReasonPartyEnded = "party ended"
	ReasonReplaced   = "replaced by a new connection of the same participant"
)

// Application error codes (PROTOCOL.md §6); the JSON-RPC standard ones live in package rpc.
const (
	CodeUnauthorized = -32001
	CodeNotAllowed   = -32002
	CodeRateLimited  = -32003
	CodeTooLarge     = -32004
	CodePartyFull    = -32005
)

// Member roles.
const (
	RoleHost        = "host"
	RoleParticipant = "participant"
)

// Pipeline phases (State.phase and the phase event).
const (
	PhaseIdle             = "idle"
	PhaseCollecting       = "collecting"
	PhaseMerging          = "merging"
	PhaseAwaitingApproval = "awaiting_approval"
	PhaseRunning          = "running"
)

// Event kinds.
const (
	KindParticipants = "participants"
	KindSystem       = "system"
	KindPrompt       = "prompt"
	KindPhase        = "phase"
	KindBatch        = "batch"
	KindOutput       = "output"
	KindTurn         = "turn"
	KindError        = "error"
)

// Output streams.
const (
	StreamAssistant = "assistant"
	StreamTool      = "tool"
	StreamStderr    = "stderr"
)

// Turn statuses.
const (
	TurnDone        = "done"
	TurnError       = "error"
	TurnInterrupted = "interrupted"
)

// Merger names.
const (
	MergerGemini = "gemini"
	MergerLocal  = "local"
)

// Member is a person in the party.
type Member struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// PartyInfo describes the party in the hello reply.
type PartyInfo struct {
	ID         string `json:"id"`
	Host       string `json:"host"`
	WindowMS   int64  `json:"window_ms"`
	MinPrompts int    `json:"min_prompts"`
	Merger     string `json:"merger"`
	Agent      string `json:"agent"`
}

// Prompt is one participant's request.
type Prompt struct {
	ID   string `json:"id"`
	User string `json:"user"`
	Text string `json:"text"`
}

// Batch is a set of prompts merged into the text that went to the agent.
type Batch struct {
	ID      string   `json:"id"`
	Prompts []string `json:"prompts"`
	Merged  string   `json:"merged"`
	Merger  string   `json:"merger"`
}

// Turn is the outcome of one batch on the agent.
type Turn struct {
	Batch      string `json:"batch"`
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
}

// Event is one entry of the party's ordered log, sent as Client.event.
// Fields beyond seq, ts and kind depend on the kind; unknown ones are ignored by readers.
type Event struct {
	Seq  int64     `json:"seq"`
	TS   time.Time `json:"ts"`
	Kind string    `json:"kind"`

	Joined *Member `json:"joined,omitempty"` // participants
	Left   *Member `json:"left,omitempty"`   // participants
	Count  *int    `json:"count,omitempty"`  // participants

	Text   string `json:"text,omitempty"`   // system, output, error
	Stream string `json:"stream,omitempty"` // output

	Prompt *Prompt `json:"prompt,omitempty"` // prompt
	Phase  string  `json:"phase,omitempty"`  // phase
	Batch  *Batch  `json:"batch,omitempty"`  // batch
	Turn   *Turn   `json:"turn,omitempty"`   // turn
}

// State is the party as a participant needs it to (re)build its view.
type State struct {
	Seq          int64    `json:"seq"`
	Phase        string   `json:"phase"`
	Participants []Member `json:"participants"`
	Pending      []Prompt `json:"pending"`
	Events       []Event  `json:"events"`
	Truncated    bool     `json:"truncated"`
}

// HelloParams are Party.hello's parameters.
type HelloParams struct {
	Name     string `json:"name"`
	Token    string `json:"token"`
	ClientID string `json:"client_id,omitempty"`
	Since    int64  `json:"since,omitempty"`
}

// HelloResult is Party.hello's reply.
type HelloResult struct {
	You   Member    `json:"you"`
	Party PartyInfo `json:"party"`
	State State     `json:"state"`
}

// PromptParams are Party.prompt's parameters.
type PromptParams struct {
	Text string `json:"text"`
}

// PromptResult is Party.prompt's reply.
type PromptResult struct {
	ID  string `json:"id"`
	Seq int64  `json:"seq"`
}

// GetStateParams are Party.getState's parameters.
type GetStateParams struct {
	Since int64 `json:"since,omitempty"`
}
