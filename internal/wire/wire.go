// Package wire holds the Concordia party protocol v1.1 types (docs/PROTOCOL.md §4–§7):
// the JSON shapes that cross the WebSocket between host and participants.
// It has no behaviour beyond validation helpers; host, client and app all use it.
package wire

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// JSON-RPC method names of protocol v1.
const (
	MethodHello    = "Party.hello"
	MethodPrompt   = "Party.prompt"
	MethodGetState = "Party.getState"
	MethodPing     = "Party.ping"
	MethodEvent    = "Client.event"

	// Host methods (v1.1, §7): role host only.
	MethodSetApproval  = "Party.setApproval"
	MethodApprove      = "Party.approve"
	MethodReject       = "Party.reject"
	MethodInterrupt    = "Party.interrupt"
	MethodDecide       = "Party.decide"
	MethodSetRole      = "Party.setRole"
	MethodKick         = "Party.kick"
	MethodRotateInvite = "Party.rotateInvite"
	MethodAgentCommand = "Party.agentCommand"
	// MethodRevokeAlways (an extension of §7, host only): {"tool": str} — that tool asks
	// again, after a Party.decide "always" allowed it.
	MethodRevokeAlways = "Party.revokeAlways"
	// MethodInvites (an extension of §7, host only): {} → the current invites, as
	// Party.rotateInvite answers them but without replacing them (a co-host's /invite).
	MethodInvites = "Party.invites"
	// MethodSetPermissionMode (an extension of §7, host only): {"mode": "ask"|"edits"|
	// "plan"|"all"} → {} — what the agent may do without asking, from now on, as
	// --permission-mode sets it at the start; a settings event says so.
	MethodSetPermissionMode = "Party.setPermissionMode"
	// MethodSendNow (an extension of §7, host only): {} → {} — the prompts waiting for a
	// batch are sent without waiting for --window or --min-prompts: at once when the agent
	// is free, or as soon as it is.
	MethodSendNow = "Party.sendNow"
	// MethodWithdraw (an extension of §4): {"prompt": id} → {} — take back a prompt that
	// is still waiting for a batch. Its author may, and any host; viewers may not.
	MethodWithdraw = "Party.withdraw"
	// MethodEditing (an extension of §7, host only, since 2026-12-07): {"batch": id,
	// "editing": bool} → {} — the calling host has opened (true) or closed (false) an
	// editor on the batch that waits for approval, so that the other hosts know.
	MethodEditing = "Party.editing"
	// MethodEditors (an extension of §7, since 2026-12-07): the host's notification to
	// hosts, params Editors, whenever who edits the batch that waits for approval
	// changes. Not an event: it has no seq, is not journalled, and is never replayed.
	MethodEditors = "Client.editing"
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
	ReasonKicked     = "kicked"
)

// ReasonReconnecting is the reason of a close frame a client sends when it drops its
// connection to open another at once (ours does, to catch up on events it fell behind
// on): the host says its member lost the connection, not that it left (our extension).
const ReasonReconnecting = "reconnecting"

// CloseKicked is the WebSocket close code of a kicked member's connection (§7).
const CloseKicked = 4001

// Application error codes (PROTOCOL.md §6); the JSON-RPC standard ones live in package rpc.
const (
	CodeUnauthorized = -32001
	CodeNotAllowed   = -32002
	CodeRateLimited  = -32003
	CodeTooLarge     = -32004
	CodePartyFull    = -32005
)

// UnauthorizedData is the data of a -32001 that refuses a hello whose session a host
// removed with Party.kick (our extension, since 2026-12-07; PROTOCOL.md §6): the code is
// the same as for a wrong token or session, and a host from before sends no data. By is
// the name of the host who removed it; "" (left out) when the host does not know it (a
// party resumed from a journal of before then).
type UnauthorizedData struct {
	Removed bool   `json:"removed,omitempty"`
	By      string `json:"by,omitempty"`
}

// FullData is the data of a -32005 that refuses a member coming back (its session or
// client_id) whose place went to someone else while it was away (our extension, since
// 2026-12-08; PROTOCOL.md §6): a host from before sends none.
type FullData struct {
	PlaceLost bool `json:"place_lost,omitempty"`
}

// RateLimitedData is the data of a -32003 that refuses Party.prompt, or any request over
// its connection's request rate (our extension, since 2026-12-07; PROTOCOL.md §4 and §6):
// which limit it met (one of the Limit* values), and, when the host knows it, in how many
// milliseconds a try may pass (0, left out: not known; a full queue passes when a batch
// runs). A host from before sends no data, and its other -32003s carry none.
type RateLimitedData struct {
	Limit        string `json:"limit"`
	RetryAfterMS int64  `json:"retry_after_ms,omitempty"`
}

// What a -32003 met (RateLimitedData.Limit).
const (
	LimitBurst    = "burst"    // the member's prompts at once (PromptBurst), refilled one per PromptEvery
	LimitRequests = "requests" // the connection's requests in a burst, refilled one per 50 ms
	LimitQueue    = "queue"    // the prompts waiting, the party's or its address's share: a batch makes room
	LimitBytes    = "bytes"    // the bytes of prompts in a minute, the member's or the party's
)

// Passing reports whether limit is met only for a moment, a try after RetryAfterMS passing
// (the member's burst, the connection's requests), unlike a full queue, which waits for a
// batch, or a minute's bytes.
func Passing(limit string) bool { return limit == LimitBurst || limit == LimitRequests }

// NotHeldData is the data of a -32602 that refuses Party.approve or Party.reject of the batch
// that waited for approval last, once a host decided it (our extension, since 2026-12-07;
// PROTOCOL.md §7): how it was decided (HeldApproved, HeldEdited, HeldRejected or
// HeldApprovalOff) and by whom, the host's name. A host sends none for a batch it knows
// nothing of, nor a host from before that date.
type NotHeldData struct {
	Decided string `json:"decided"`
	By      string `json:"by"`
}

// How a batch that waited for approval was decided (NotHeldData.Decided).
const (
	HeldApproved    = "approved"     // Party.approve, its text as merged
	HeldEdited      = "edited"       // Party.approve with another text
	HeldRejected    = "rejected"     // Party.reject
	HeldApprovalOff = "approval_off" // Party.setApproval false sent it
)

// RemovedBy is who removed a member, in the words that tell it so: by, the name of the host
// who removed it (UnauthorizedData.By), or "a host" when that is not known. The one rule for
// the host's refusal, the client's error, the window's and the terminal's words; each edge
// that starts a sentence with it gives "a host" its capital (a name is as its owner wrote
// it).
func RemovedBy(by string) string {
	if by == "" {
		return "a host"
	}
	return by
}

// Member roles.
const (
	RoleHost        = "host"
	RoleParticipant = "participant"
	RoleViewer      = "viewer"
)

// Pipeline phases (State.phase and the phase event).
const (
	PhaseIdle               = "idle"
	PhaseCollecting         = "collecting"
	PhaseMerging            = "merging"
	PhaseAwaitingApproval   = "awaiting_approval"
	PhaseRunning            = "running"
	PhaseAwaitingPermission = "awaiting_permission"
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
	KindRetry        = "retry"      // v1.1 §5
	KindApproval     = "approval"   // v1.1 §7
	KindRejected     = "rejected"   // v1.1 §7
	KindPermission   = "permission" // v1.1 §7
	KindSettings     = "settings"   // v1.1 §7
	KindWithdrawn    = "withdrawn"  // an extension of §5: a waiting prompt was taken back
)

// Permission modes (--permission-mode, §7).
const (
	PermissionAsk   = "ask"
	PermissionEdits = "edits"
	PermissionPlan  = "plan"
	PermissionAll   = "all"
)

// Permission statuses (the permission event, §7).
const (
	PermissionPending  = "pending"
	PermissionAllowed  = "allowed"
	PermissionDenied   = "denied"
	PermissionTimedOut = "timed_out"
)

// Decisions of Party.decide.
const (
	DecisionAllow  = "allow"
	DecisionDeny   = "deny"
	DecisionAlways = "always"
)

// Output streams.
const (
	StreamAssistant = "assistant"
	StreamTool      = "tool"
	StreamStderr    = "stderr"
	// StreamToolOutput (our extension) is what a tool returned, bounded, right after the
	// tool line that sums it up: for a view that opens a tool step to its output.
	StreamToolOutput = "tool_output"
)

// Turn statuses.
const (
	TurnDone        = "done"
	TurnError       = "error"
	TurnInterrupted = "interrupted"
)

// TurnNotRunAgain is the error of the turn that was on the agent when its host stopped,
// when the party is resumed without running it again (PROTOCOL.md §8, our extension): its
// status is TurnError, though the host chose it and nothing failed.
const TurnNotRunAgain = "the host stopped during this turn, and resumed the party without running it again"

// TurnPartyEnded is the error of the turn that was on the agent when the party ended (the
// host ended or stopped it): its status is TurnInterrupted.
const TurnPartyEnded = "the party ended"

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
	// Session is the member's own secret for rejoining (§7); only in its own hello reply.
	Session string `json:"session,omitempty"`
}

// PartyInfo describes the party in the hello reply.
type PartyInfo struct {
	ID         string `json:"id"`
	Host       string `json:"host"`
	WindowMS   int64  `json:"window_ms"`
	MinPrompts int    `json:"min_prompts"`
	Merger     string `json:"merger"`
	Agent      string `json:"agent"`
	// v1.1 §7
	Approval       bool   `json:"approval"`
	PermissionMode string `json:"permission_mode"`
	// v1.1 §9
	Workspace string `json:"workspace"`
	// CannotShare (an extension of §9) is true in a party that cannot share its working
	// directory in this run: it was started with --share-workspace off, so no starting point
	// was recorded, and Party.setWorkspace refuses every level but off. Absent otherwise.
	CannotShare bool `json:"cannot_share,omitempty"`
	// ShareError (an extension of §9), with CannotShare, says why when the run meant to
	// share the folder and could not: its first snapshot failed ("the working directory
	// is too large to track changes in: …"). Absent when the run was started with sharing
	// off.
	ShareError string `json:"share_error,omitempty"`
	// SharePending (an extension of §9, since 2026-12-08) is true while the working
	// directory's first snapshot is still being taken (a large folder takes seconds): it
	// is not shared yet, and may turn out not to be (a system event says which, to those
	// told it was pending). Absent otherwise.
	SharePending bool `json:"share_pending,omitempty"`
	// Always (an extension of §7): the tools a host allowed for the rest of the party with
	// Party.decide "always", sorted; [] when none.
	Always []string `json:"always"`
	// PermissionTimeoutMS (an extension of §7, since 2026-12-07): how long an undecided
	// tool request waits before it is denied as timed_out (--permission-timeout), in ms,
	// so that a member can say so before any request waits. Absent from an older host.
	PermissionTimeoutMS int64 `json:"permission_timeout_ms,omitempty"`
}

// Prompt is one participant's request.
type Prompt struct {
	ID   string `json:"id"`
	User string `json:"user"`
	Text string `json:"text"`
	// Member (an extension of §4/§5) is the author's member id: names are unique only among
	// the members connected at one time, ids for the party's life. Party.withdraw checks
	// authorship by it, also after a resume (the journal keeps it).
	Member string `json:"member,omitempty"`
}

// Batch is a set of prompts merged into the text that went to the agent.
type Batch struct {
	ID      string   `json:"id"`
	Prompts []string `json:"prompts"`
	Merged  string   `json:"merged"`
	Merger  string   `json:"merger"`
	// EditedBy (an extension of §7) names the host who edited the merged prompt while it
	// waited for approval, when one did: merged is that host's text. Absent otherwise.
	EditedBy string `json:"edited_by,omitempty"`
	// EditedByMember (an extension, since 2026-12-07) is the member id of EditedBy: a
	// client tells "as you edited it" by it, never by name.
	EditedByMember string `json:"edited_by_member,omitempty"`
	// Sent (an extension of §5) is the exact text the agent got, when it is not Merged: a
	// note that the request before failed, a blank line, then Merged. Absent otherwise.
	Sent string `json:"sent,omitempty"`
}

// Turn is the outcome of one batch on the agent.
type Turn struct {
	Batch      string `json:"batch"`
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
	// Denied counts the tool requests of this turn that were denied or timed out (an
	// extension of §7: a turn with denials is never shown as a plain "done").
	Denied int `json:"denied,omitempty"`
	// Unsent says the agent could not start, so never got this batch: its prompts were not
	// sent, and their authors' clients may offer them back to be sent again (our extension).
	Unsent bool `json:"unsent,omitempty"`
	// AgentDown says no agent is running after this turn: it could not start (unsent too),
	// or it stopped and could not be started again. The next batch tries again (our
	// extension; clients say "not running" rather than "idle").
	AgentDown bool `json:"agent_down,omitempty"`
	// ByMember (an extension, since 2026-12-07), on a turn a host stopped (status
	// interrupted, error "stopped by NAME"): that host's member id, by which a client says
	// "stopped by you", never by name.
	ByMember string `json:"by_member,omitempty"`
}

// Approval is a merged batch waiting for a host (§7).
type Approval struct {
	Batch   string   `json:"batch"`
	Prompts []string `json:"prompts"`
	Merged  string   `json:"merged"`
	Merger  string   `json:"merger"`
}

// Rejected is a batch a host dropped (§7).
type Rejected struct {
	Batch   string   `json:"batch"`
	Prompts []string `json:"prompts"`
	By      string   `json:"by"`
	// ByMember (an extension, since 2026-12-07) is the member id of By: a client tells "you
	// rejected" by it, never by name.
	ByMember string `json:"by_member,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Withdrawn is a waiting prompt taken back before any batch carried it (an extension of
// §5): User wrote it, By took it back (the author, or a host).
type Withdrawn struct {
	Prompt string `json:"prompt"`
	User   string `json:"user"`
	By     string `json:"by"`
	// ByMember (an extension, from 2026-12-03) is the member id of By: a name may be taken
	// by someone else once its member has gone, an id never is.
	ByMember string `json:"by_member,omitempty"`
	// Resumed (an extension, from 2026-12-07): withdrawn by a resume that did not take it
	// up (PROTOCOL.md §8: --without-unanswered, or a journal that lost its end), not by a
	// person's hand; By is the party's owner. Its author is asked to send it again.
	Resumed bool `json:"resumed,omitempty"`
}

// Permission is the agent's request to use a tool, and what was decided (§7).
type Permission struct {
	ID      string `json:"id"`
	Tool    string `json:"tool"`
	Summary string `json:"summary"`
	Batch   string `json:"batch"`
	Status  string `json:"status"`
	By      string `json:"by,omitempty"`
	// ByMember (an extension, since 2026-12-07) is the member id of By, on a decision: a
	// client tells "allowed by you" by it, never by name.
	ByMember string `json:"by_member,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Detail (an extension of §7, pending only): what a host needs beyond the summary to
	// decide, as plain text of several lines: the text a Write would write, an Edit's old
	// ("- ") and new ("+ ") text, a Bash command's description, the agent's plan. At most
	// 8 KiB; absent when the summary says it all.
	Detail string `json:"detail,omitempty"`
	// Expires (an extension of §7, pending only): when the request is denied as timed_out
	// if no host has decided by then (the host's clock; --permission-timeout after it was
	// asked).
	Expires *time.Time `json:"expires,omitempty"`
	// Uncovered (an extension of §7, pending only): an "always" for the tool would not
	// cover this request (an edit outside the folder, of a file that runs by itself or
	// usually holds secrets; a read of such a file): it asks each time, and a client
	// offers no "always" for it (a window tester was offered one on a .env write).
	Uncovered bool `json:"uncovered,omitempty"`
}

// AsText is a batch's text as the party sends it to the agent (§4): Claude Code runs a
// message that starts with "/" as a slash command (/clear, /compact), so such a text goes
// with one leading space, and the batch event says so (its merged text is exactly what the
// agent got; a tester saw "/clear" in the event and " /clear" at the API).
func AsText(text string) string {
	if strings.HasPrefix(text, "/") {
		return " " + text
	}
	return text
}

// AlwaysReason is the reason of a permission allowed by Party.decide "always", and of
// each later use of the tool that the "always" allowed without asking anyone (§7).
func AlwaysReason(tool string) string { return alwaysPrefix + tool }

const alwaysPrefix = "always allow "

// ByAlways reports whether p was allowed by an "always" (AlwaysReason): the decision
// itself, or, for a request nobody was asked about, a use it allowed.
func (p Permission) ByAlways() bool {
	return p.Status == PermissionAllowed && strings.HasPrefix(p.Reason, alwaysPrefix)
}

// RemovedWith is whose waiting prompts our host's notice of a removal says are withdrawn
// with them ("hana removed carol from the party: spam (carol's waiting prompt is
// withdrawn)", Party.kick): the withdrawn events right after it are the removal's, not a
// host's by hand. "" for any other text.
func RemovedWith(notice string) string {
	if !strings.Contains(notice, " removed ") {
		return ""
	}
	if m := removedWith.FindStringSubmatch(notice); m != nil {
		return m[1]
	}
	return ""
}

var removedWith = regexp.MustCompile(`\(([^()]+)'s (?:\d+ )?waiting prompts? (?:is|are) withdrawn\)$`)

// Why a member is gone, on a participants event with left (an extension of §5: written by
// a resumed host, §8, and by a kick, §7). Without one, the member left and may come back
// with its session.
const (
	WhyHostStopped = "host_stopped" // connected when the host stopped without ending the party
	WhyPartyEnded  = "party_ended"  // connected when a host ended the party
	WhyKicked      = "kicked"       // a host removed it: its session no longer works
	// WhyLost: its connection ended without its leaving (no close frame from it, no answer
	// to pings, or too slow to keep up); it may come back with its session.
	WhyLost = "connection_lost"
)

// Event is one entry of the party's ordered log, sent as Client.event.
// Fields beyond seq, ts and kind depend on the kind; unknown ones are ignored by readers.
type Event struct {
	Seq int64 `json:"seq"`
	// FirstSeq (v1.1, output events only) is set when one output event stands for the
	// consecutive output events FirstSeq..Seq of one stream, merged for a participant whose
	// connection was busy: Text is their texts concatenated; they all count as received.
	FirstSeq int64 `json:"first_seq,omitempty"`

	TS   time.Time `json:"ts"`
	Kind string    `json:"kind"`

	Joined  *Member `json:"joined,omitempty"`  // participants
	Left    *Member `json:"left,omitempty"`    // participants
	Changed *Member `json:"changed,omitempty"` // participants (a role changed)
	Count   *int    `json:"count,omitempty"`   // participants

	Text string `json:"text,omitempty"` // system, output, error
	// By and ByMember (an extension of §5, system only, since 2026-12-07): the member whose
	// act the notice says, its text starting with By and a space ("hana turned approval
	// on"); About and AboutMember: the member the act is on, named in it ("hana made alice a
	// co-host", "… sent alice's prompt"). A client says "you" of its own member by these ids
	// (SaidTo), never by name: a newcomer may have the name of a member who has gone.
	By          string `json:"by,omitempty"`
	ByMember    string `json:"by_member,omitempty"`
	About       string `json:"about,omitempty"`
	AboutMember string `json:"about_member,omitempty"`
	// Why (an extension of §5, participants with left only) says why the member is gone,
	// for a client to say in its own words (WhyHostStopped, WhyPartyEnded); Text then
	// says it in the host's.
	Why    string `json:"why,omitempty"`
	Stream string `json:"stream,omitempty"` // output

	Prompt *Prompt `json:"prompt,omitempty"` // prompt
	Phase  string  `json:"phase,omitempty"`  // phase
	Batch  *Batch  `json:"batch,omitempty"`  // batch
	Turn   *Turn   `json:"turn,omitempty"`   // turn

	RetryBatch string `json:"-"` // retry: encoded as "batch" (see MarshalJSON)
	// RetrySent (an extension of §5, retry only, encoded as "sent"): the exact text the
	// batch runs again with, when it is not the batch's merged text: a note that part of it
	// may be done, then that text (a conformance tester's: batch.merged is exactly what
	// went to the agent, and the second run's was not).
	RetrySent string `json:"-"`
	// Resumed (an extension of §5, retry only): the batch runs again because the host was
	// resumed (§8), not because the agent died.
	Resumed bool `json:"resumed,omitempty"`
	// RanMS (an extension of §5, a resumed retry only, since 2026-12-07): how long the first
	// run had run when the host stopped, as its journal saw it (0: not known). A client
	// that closes the first run's card says that time, not one with the host's downtime in it.
	RanMS      int64       `json:"ran_ms,omitempty"`
	Approval   *Approval   `json:"approval,omitempty"`   // approval
	Rejected   *Rejected   `json:"rejected,omitempty"`   // rejected
	Permission *Permission `json:"permission,omitempty"` // permission
	Withdrawn  *Withdrawn  `json:"withdrawn,omitempty"`  // withdrawn

	// settings: both always present on a settings event
	Settings *Settings `json:"-"`

	Files []FileChange `json:"-"` // changes: always present on a changes event (see MarshalJSON)
	// Hidden (an extension of §9, changes only): how many changed files are kept from
	// members because they usually hold credentials (the "changes" level).
	Hidden int `json:"hidden,omitempty"`
	// More (an extension of §9, changes only): how many more changed files there are than
	// the list names (it names at most MaxListed).
	More int `json:"more,omitempty"`
	// TreeOnly (an extension of §9, output and changes only) marks what the party showed
	// only because it shared the whole folder (tree): the text of a file that usually
	// holds credentials, a change list naming such files. Once the sharing is narrower, a
	// replay of the history (a hello, Party.getState) carries the event without them.
	TreeOnly bool `json:"tree_only,omitempty"`
}

// Settings are the party settings a settings event carries.
type Settings struct {
	Approval       bool   `json:"approval"`
	PermissionMode string `json:"permission_mode"`
	Workspace      string `json:"workspace,omitempty"` // v1.1 §9: the sharing level
	// Always (an extension of §7): the tools allowed for the rest of the party, sorted;
	// [] when none. nil only in a settings event decoded from a journal written before it.
	Always []string `json:"always"`
	// Merger (an extension of §7): the merger the party uses now, MergerGemini or
	// MergerLocal, as party.merger in the hello reply; "" in an event from a host without it.
	Merger string `json:"merger,omitempty"`
	// ShareError (an extension of §9), as party.share_error: set in this run's settings
	// events once the working directory's first snapshot failed (the event that turns the
	// sharing off says why). Absent otherwise; a settings event without it changes nothing
	// of what a member knew from the hello.
	ShareError string `json:"share_error,omitempty"`
}

// State is the party as a participant needs it to (re)build its view.
type State struct {
	Seq          int64    `json:"seq"`
	Phase        string   `json:"phase"`
	Participants []Member `json:"participants"`
	Pending      []Prompt `json:"pending"`
	Events       []Event  `json:"events"`
	Truncated    bool     `json:"truncated"`
	// RawEvents, when set by the host, are Events already encoded: MarshalJSON splices
	// them in instead of encoding every event of a long replay again.
	RawEvents []json.RawMessage `json:"-"`
}

// HelloParams are Party.hello's parameters.
type HelloParams struct {
	Name     string `json:"name"`
	Token    string `json:"token,omitempty"`
	Session  string `json:"session,omitempty"` // v1.1: rejoin as this member instead of a token
	ClientID string `json:"client_id,omitempty"`
	Since    int64  `json:"since,omitempty"`
}

// HelloResult is Party.hello's reply.
type HelloResult struct {
	You   Member    `json:"you"`
	Party PartyInfo `json:"party"`
	State State     `json:"state"`
	// ViewerKept (our extension of §4, since 2026-12-07) says why a hello with the
	// participant token made a viewer: ViewerReturned, the member its client_id names, whom
	// a host made a viewer, came back; ViewerRemoved, a new member, whose client_id's
	// member a host removed while a viewer. Empty otherwise.
	ViewerKept string `json:"viewer_kept,omitempty"`
}

// HelloResult.ViewerKept values.
const (
	ViewerReturned = "returned"
	ViewerRemoved  = "removed"
)

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

// WithdrawParams are Party.withdraw's parameters.
type WithdrawParams struct {
	Prompt string `json:"prompt"`
}

// SetPermissionModeParams are Party.setPermissionMode's parameters.
type SetPermissionModeParams struct {
	Mode string `json:"mode"`
}

// SetApprovalParams are Party.setApproval's parameters.
type SetApprovalParams struct {
	On bool `json:"on"`
}

// ApproveParams are Party.approve's parameters; Text, when set, replaces the merged text.
type ApproveParams struct {
	Batch string  `json:"batch"`
	Text  *string `json:"text,omitempty"`
}

// EditingParams are Party.editing's parameters.
type EditingParams struct {
	Batch   string `json:"batch"`
	Editing bool   `json:"editing"`
}

// Editors is a Client.editing notification's params: the hosts that have an editor open on
// Batch, the batch that waits for approval (or waited: Editors is empty once it is
// decided), in the order they opened it.
type Editors struct {
	Batch   string   `json:"batch"`
	Editors []Member `json:"editors"`
}

// RejectParams are Party.reject's parameters.
type RejectParams struct {
	Batch  string `json:"batch"`
	Reason string `json:"reason,omitempty"`
}

// DecideParams are Party.decide's parameters.
type DecideParams struct {
	Permission string `json:"permission"`
	Decision   string `json:"decision"`
	Reason     string `json:"reason,omitempty"`
}

// SetRoleParams are Party.setRole's parameters.
type SetRoleParams struct {
	Member string `json:"member"`
	Role   string `json:"role"`
}

// KickParams are Party.kick's parameters.
type KickParams struct {
	Member string `json:"member"`
	Reason string `json:"reason,omitempty"`
}

// Invites is Party.rotateInvite's reply: the new participant and viewer invites, and the
// host invite when the party has one (an extension: a host with no terminal of its own).
type Invites struct {
	Invite       string `json:"invite"`
	ViewerInvite string `json:"viewer_invite"`
	HostInvite   string `json:"host_invite,omitempty"`
}

// AgentCommandParams are Party.agentCommand's parameters.
type AgentCommandParams struct {
	Command string `json:"command"`
}

// Empty is the {} reply of the host methods.
type Empty struct{}

// The workspace (v1.1, §9).

// Workspace sharing levels (--share-workspace).
const (
	WorkspaceOff     = "off"
	WorkspaceChanges = "changes"
	WorkspaceTree    = "tree"
)

// WorkspaceRank orders the sharing levels from sharing nothing (0) to the whole folder (2);
// an unknown level ranks as nothing.
func WorkspaceRank(level string) int {
	switch level {
	case WorkspaceChanges:
		return 1
	case WorkspaceTree:
		return 2
	}
	return 0
}

// Workspace methods and the changes event kind.
const (
	MethodChanges = "Party.changes"
	MethodDiff    = "Party.diff"
	MethodTree    = "Party.tree"
	KindChanges   = "changes"
	// MethodSetWorkspace (an extension of §9, host only): {"level": "off"|"changes"|"tree"}.
	MethodSetWorkspace = "Party.setWorkspace"
)

// RevokeAlwaysParams are Party.revokeAlways's parameters.
type RevokeAlwaysParams struct {
	Tool string `json:"tool"`
}

// SetWorkspaceParams are Party.setWorkspace's parameters.
type SetWorkspaceParams struct {
	Level string `json:"level"`
}

// FileChange is one file changed since the party began.
type FileChange struct {
	Path      string `json:"path"`
	Status    string `json:"status"` // added | modified | deleted | renamed
	From      string `json:"from,omitempty"`
	Additions int    `json:"additions"`
	Deletions int    `json:"deletions"`
	// Binary (our extension, since 2026-12-05): git counts no lines of it, so Additions
	// and Deletions are 0 and say nothing; absent for a text file.
	Binary bool `json:"binary,omitempty"`
	// Large (our extension, since 2026-12-05): larger than the host tracks (64 MiB), so
	// only its size and time are compared; Additions and Deletions are of the line that
	// says so, not of the file. Absent for a file the host tracks.
	Large bool `json:"large,omitempty"`
	// Link (our extension, since 2026-12-06): a symbolic link, listed and never followed:
	// Additions and Deletions are 0, and Party.diff refuses its path. Absent otherwise.
	Link bool `json:"link,omitempty"`
	// Rev (our extension, since 2026-12-06): changes whenever the file's content does, and
	// is the same in two lists when the content is: a client tells a file rewritten with as
	// many lines added and deleted from one left alone (a window tester's turn that
	// rewrote a file listed no file changed). Opaque; absent for a deleted file and for
	// one made from a secret.
	Rev string `json:"rev,omitempty"`
}

// MoreWorthNaming orders changed files by how much a person needs to see them, for a
// list that names only some: the changes to files that were there at the start first,
// then new files from the shallowest folders down (a bulk of new files, an unpacked
// archive or node_modules, hid the one source file changed beside it). A cmp function,
// for slices.SortStableFunc.
func MoreWorthNaming(a, b FileChange) int {
	if (a.Status == "added") != (b.Status == "added") {
		if a.Status == "added" {
			return 1
		}
		return -1
	}
	return strings.Count(a.Path, "/") - strings.Count(b.Path, "/")
}

// ChangesResult is Party.changes' reply.
type ChangesResult struct {
	Files []FileChange `json:"files"`
	Base  string       `json:"base"`
	// Hidden (an extension of §9): changed files not listed because they usually hold
	// credentials, as the changes event's.
	Hidden int `json:"hidden,omitempty"`
	// More (an extension of §9): changed files not listed, past MaxListed, as the changes
	// event's.
	More int `json:"more,omitempty"`
}

// MaxListed is how many files a change list names at most (a changes event, Party.changes);
// More counts the rest. A reviewer's 200,000 new files made one changes event of 19.5 MiB,
// past the host's 16 MiB message limit: every member was dropped, and again on each
// reconnect, as the hello replayed it.
const MaxListed = 2000

// PathParams are Party.diff's and Party.tree's parameters.
type PathParams struct {
	Path string `json:"path"`
}

// FileDiff is Party.diff's reply.
type FileDiff struct {
	Path      string `json:"path"`
	Diff      string `json:"diff"`
	Truncated bool   `json:"truncated"`
	Binary    bool   `json:"binary"`
}

// TreeEntry is one entry of Party.tree's reply.
type TreeEntry struct {
	Name string `json:"name"`
	Dir  bool   `json:"dir"`
	Size int64  `json:"size"`
	// Link marks a symbolic link, listed but never followed nor read (our extension).
	Link bool `json:"link,omitempty"`
}

// TreeResult is Party.tree's reply.
type TreeResult struct {
	Entries []TreeEntry `json:"entries"`
}

// MergedHow says, in the words people read, how a batch's prompts were merged by merger
// (MergerGemini, MergerLocal): "merged by Gemini", "merged locally" ("merged by local"
// read as a person's name: a tester's); another name as it is, "merged by NAME".
func MergedHow(merger string) string {
	switch merger {
	case MergerGemini:
		return "merged by Gemini"
	case MergerLocal:
		return "merged locally"
	}
	return "merged by " + merger
}

// MergingHow is MergedHow for a party that merges so: "merging with Gemini", "merging
// locally" (a host's start line said "merging with local").
func MergingHow(merger string) string {
	switch merger {
	case MergerGemini:
		return "merging with Gemini"
	case MergerLocal:
		return "merging locally"
	}
	return "merging with " + merger
}

// AgentLabel is the name people read for a party's agent (PartyInfo.agent is an id): "Claude
// Code" for "claude-code" or none, any other id as it is (a tester's window showed
// "claude-code" under the party's name).
func AgentLabel(id string) string {
	if id == "" || id == "claude-code" {
		return "Claude Code"
	}
	return id
}
