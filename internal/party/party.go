// Package party is the host's side of a party: members, prompt intake, the batching
// pipeline, the ordered event log with seq numbers, and the state a participant needs to
// (re)build its view. It knows nothing of sockets (server.go adapts rpc peers to it) or of
// Claude Code (it drives a Runner).
//
// Concurrency rule: one goroutine, run(), owns every field of Party marked "loop-owned".
// Everything else reaches that state by sending a closure on p.ops and, when it needs an
// answer, waiting for the closure to finish. Merges and agent turns run on worker
// goroutines that run() starts and waits for; they report back through p.ops too.
package party

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// Errors a caller can meet; server.go maps them to JSON-RPC codes.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrBadName      = errors.New("bad name")
	ErrEmptyPrompt  = errors.New("empty prompt")
	ErrTooLarge     = errors.New("prompt too large")
	ErrRateLimited  = errors.New("rate limited")
	ErrFull         = errors.New("party full")
	ErrNotMember    = errors.New("not a member")
	ErrClosed       = errors.New("party closed")
)

// Runner is the agent as the party needs it: one turn at a time.
// RunTurn returns an error only when the agent itself failed (the process died or could
// not start); a turn that ran and failed is a TurnResult with IsError.
type Runner interface {
	RunTurn(ctx context.Context, prompt string, out func(stream, text string)) (TurnResult, error)
	// Restart replaces a failed agent, resuming the party's session.
	Restart(ctx context.Context) error
}

// TurnResult is how a turn ended.
type TurnResult struct {
	IsError bool
	Error   string
}

// Subscriber receives the party's events, in seq order. Send must not block: it returns
// false when the subscriber cannot keep up or is gone, and the party then drops it (a
// remote participant reconnects and catches up with `since`).
type Subscriber interface {
	Send(ev wire.Event, raw json.RawMessage) bool
	// Close ends the subscriber's connection (a reconnect replaced it).
	Close(reason string)
}

// Config configures a party.
type Config struct {
	Token      string        // the invite token; compared in constant time
	HostName   string        // the host's display name (PartyInfo.host)
	Window     time.Duration // batching window (default 3s)
	MinPrompts int           // hold batches until this many prompts are pending (default 1)
	Merger     merge.Merger  // nil: local merger
	Runner     Runner        // the agent; required
	AgentName  string        // PartyInfo.agent (default "claude-code")

	MaxParticipants int           // remote members at once (default 32)
	MaxPending      int           // prompts waiting at once (default 200: 200 × 32 KiB stays well inside one host message)
	PromptBurst     int           // per member: prompts allowed at once (default 10)
	PromptEvery     time.Duration // per member: one more prompt allowed per this (default 1s)
	OutputFlush     time.Duration // agent output is coalesced for this long (default 40ms)
	MaxMessage      int           // budget for one host message (default wire.MaxHostMessage)

	Transcript func(ev wire.Event, raw json.RawMessage) // optional: called on run() for every event
	Logger     *slog.Logger
	Now        func() time.Time // tests
}

// Party is one running party. Create with New, start with Run.
type Party struct {
	cfg   Config
	id    string
	rule  pipelineRule
	log   *slog.Logger
	ops   chan func()
	done  chan struct{}
	local merge.Merger

	// loop-owned
	seq        int64
	events     []wire.Event
	sizes      []int // encoded size of each event, for fitting replays into one message
	members    map[string]*member
	byClient   map[string]*member
	former     map[string]wire.Member // client_id → who they were, for a reconnect after a drop
	observers  map[Subscriber]struct{}
	joins      int64
	pending    []pendingPrompt
	lastPrompt time.Time
	phase      string
	busy       bool // a merge or a turn is under way
	outBuf     strings.Builder
	outStream  string
	outTimer   *time.Timer
	nextID     int64
	closed     bool

	workers sync.WaitGroup // merge and turn workers; run() waits for them before returning
	runCtx  context.Context
}

type pendingPrompt struct {
	prompt   wire.Prompt
	at       time.Time
	inFlight bool // taken into the batch being merged; still pending until the agent has it
}

type member struct {
	wire.Member
	clientID string
	sub      Subscriber
	conn     any // identity of the connection; a reconnect replaces it
	tokens   float64
	refill   time.Time
	order    int64 // join order, for a stable participants list
}

// New makes a party. It does nothing until Run.
func New(cfg Config) *Party {
	if cfg.Window <= 0 {
		cfg.Window = 3 * time.Second
	}
	if cfg.MinPrompts < 1 {
		cfg.MinPrompts = 1
	}
	if cfg.AgentName == "" {
		cfg.AgentName = "claude-code"
	}
	if cfg.MaxParticipants <= 0 {
		cfg.MaxParticipants = 32
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 200
	}
	if cfg.PromptBurst <= 0 {
		cfg.PromptBurst = 10
	}
	if cfg.PromptEvery <= 0 {
		cfg.PromptEvery = time.Second
	}
	if cfg.OutputFlush <= 0 {
		cfg.OutputFlush = 40 * time.Millisecond
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = wire.MaxHostMessage
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	local := merge.Merger(merge.NewLocal())
	if cfg.Merger == nil {
		cfg.Merger = local
	}
	return &Party{
		cfg:       cfg,
		id:        randomID(6),
		rule:      pipelineRule{window: cfg.Window, minPrompts: cfg.MinPrompts},
		log:       cfg.Logger,
		ops:       make(chan func(), 64),
		done:      make(chan struct{}),
		local:     local,
		members:   map[string]*member{},
		byClient:  map[string]*member{},
		former:    map[string]wire.Member{},
		observers: map[Subscriber]struct{}{},
		phase:     wire.PhaseIdle,
	}
}

// ID is the party's id.
func (p *Party) ID() string { return p.id }

// Done is closed when Run has returned.
func (p *Party) Done() <-chan struct{} { return p.done }

// Run owns the party's state until ctx ends. It returns after every worker has stopped.
func (p *Party) Run(ctx context.Context) error {
	defer close(p.done)
	p.runCtx = ctx
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		p.schedule(timer)
		select {
		case <-ctx.Done():
			p.shutdown()
			return nil
		case op := <-p.ops:
			op()
		case <-timer.C:
		}
	}
}

// shutdown runs on the loop: it stops taking work and waits for workers, still serving
// their reports so that they can finish.
func (p *Party) shutdown() {
	p.closed = true
	p.flushOutput()
	waited := make(chan struct{})
	go func() { p.workers.Wait(); close(waited) }()
	for {
		select {
		case op := <-p.ops:
			op()
		case <-waited:
			p.flushOutput()
			return
		}
	}
}

// do runs f on the loop and waits for it. It fails once the party has stopped.
func (p *Party) do(f func()) error {
	finished := make(chan struct{})
	select {
	case p.ops <- func() { f(); close(finished) }:
	case <-p.done:
		return ErrClosed
	}
	select {
	case <-finished:
		return nil
	case <-p.done:
		return ErrClosed
	}
}

// post runs f on the loop without waiting (workers' reports). It is dropped after Run ends.
func (p *Party) post(f func()) {
	select {
	case p.ops <- f:
	case <-p.done:
	}
}

// ---- members ---------------------------------------------------------------

// JoinRequest is a hello, from a remote peer or an in-process member.
type JoinRequest struct {
	Name     string
	Token    string
	ClientID string
	Since    int64
	Role     string     // wire.RoleHost for the host's own terminal or window; "" = participant
	Sub      Subscriber // receives events with seq above the reply's state.seq
	Conn     any        // identity of the connection (for Leave)
	// Reply is called on the loop with the hello result before any later event is sent to
	// Sub, so a transport can queue the reply ahead of the events.
	Reply func(wire.HelloResult)
}

// Join admits a member. Remote members must present the token; Role host skips it (the
// host is in-process).
func (p *Party) Join(req JoinRequest) (wire.HelloResult, error) {
	var res wire.HelloResult
	var err error
	derr := p.do(func() { res, err = p.join(req) })
	if derr != nil {
		return res, derr
	}
	return res, err
}

func (p *Party) join(req JoinRequest) (wire.HelloResult, error) {
	if p.closed {
		return wire.HelloResult{}, ErrClosed
	}
	if req.Role != wire.RoleHost && subtle.ConstantTimeCompare([]byte(req.Token), []byte(p.cfg.Token)) != 1 {
		return wire.HelloResult{}, ErrUnauthorized
	}
	name := term.Line(req.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return wire.HelloResult{}, fmt.Errorf("%w: a name is 1 to 64 printable characters", ErrBadName)
	}
	role := wire.RoleParticipant
	if req.Role == wire.RoleHost {
		role = wire.RoleHost
	}

	// The same person reconnecting replaces their old connection; no join event.
	if req.ClientID != "" {
		if m, ok := p.byClient[req.ClientID]; ok {
			if m.sub != nil {
				m.sub.Close(wire.ReasonReplaced)
			}
			m.sub, m.conn = req.Sub, req.Conn
			res := p.helloResult(m.Member, req.Since)
			if req.Reply != nil {
				req.Reply(res)
			}
			return res, nil
		}
	}
	if role == wire.RoleParticipant && p.remoteCount() >= p.cfg.MaxParticipants {
		return wire.HelloResult{}, ErrFull
	}
	id := ""
	if was, ok := p.former[req.ClientID]; ok && req.ClientID != "" {
		// Back after a drop: same id, and the same name unless someone took it meanwhile.
		id, name = was.ID, was.Name
		delete(p.former, req.ClientID)
	}
	if id == "" {
		id = p.newID("m")
	}
	p.joins++
	m := &member{
		Member:   wire.Member{ID: id, Name: p.uniqueName(name), Role: role},
		order:    p.joins,
		clientID: req.ClientID,
		sub:      req.Sub,
		conn:     req.Conn,
		tokens:   float64(p.cfg.PromptBurst),
		refill:   p.cfg.Now(),
	}
	// Listed in its own hello reply; the join event (next seq) follows the reply.
	p.members[m.ID] = m
	if m.clientID != "" {
		p.byClient[m.clientID] = m
	}
	res := p.helloResult(m.Member, req.Since)
	if req.Reply != nil {
		req.Reply(res)
	}
	joined := m.Member
	n := len(p.members)
	p.emit(wire.Event{Kind: wire.KindParticipants, Joined: &joined, Count: &n})
	return res, nil
}

// Leave removes the member whose connection is conn. A connection that was already
// replaced by a reconnect is ignored.
func (p *Party) Leave(memberID string, conn any) {
	_ = p.do(func() {
		m, ok := p.members[memberID]
		if !ok || m.conn != conn {
			return
		}
		delete(p.members, memberID)
		if m.clientID != "" {
			delete(p.byClient, m.clientID)
			p.former[m.clientID] = m.Member
		}
		left := m.Member
		n := len(p.members)
		p.emit(wire.Event{Kind: wire.KindParticipants, Left: &left, Count: &n})
	})
}

func (p *Party) remoteCount() int {
	n := 0
	for _, m := range p.members {
		if m.Role == wire.RoleParticipant {
			n++
		}
	}
	return n
}

func (p *Party) uniqueName(name string) string {
	taken := func(n string) bool {
		for _, m := range p.members {
			if strings.EqualFold(m.Name, n) {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		c := name + "-" + strconv.Itoa(i)
		if !taken(c) {
			return c
		}
	}
}

func (p *Party) helloResult(you wire.Member, since int64) wire.HelloResult {
	return wire.HelloResult{You: you, Party: p.info(), State: p.state(since)}
}

func (p *Party) info() wire.PartyInfo {
	return wire.PartyInfo{
		ID:         p.id,
		Host:       p.cfg.HostName,
		WindowMS:   p.cfg.Window.Milliseconds(),
		MinPrompts: p.cfg.MinPrompts,
		Merger:     p.cfg.Merger.Name(),
		Agent:      p.cfg.AgentName,
	}
}

// ---- state -----------------------------------------------------------------

// State returns the party's state with the events after since.
func (p *Party) State(since int64) (wire.State, error) {
	var st wire.State
	err := p.do(func() { st = p.state(since) })
	return st, err
}

func (p *Party) state(since int64) wire.State {
	st := wire.State{
		Seq:          p.seq,
		Phase:        p.phase,
		Participants: p.memberList(),
		Pending:      make([]wire.Prompt, 0, len(p.pending)),
		Events:       []wire.Event{},
	}
	for _, pp := range p.pending {
		st.Pending = append(st.Pending, pp.prompt)
	}
	if since < 0 {
		since = 0
	}
	if since >= p.seq {
		return st
	}
	// Fit the replay into one host message: measure the rest, then add events oldest first.
	head, _ := json.Marshal(st)
	budget := p.cfg.MaxMessage - len(head) - 4096
	start := int(since) // events[i] has seq i+1
	used := 0
	for i := start; i < len(p.events); i++ {
		// At least one event per reply, so that paging always progresses (an event is far
		// below the host's message limit: prompts are at most 32 KiB, output is cut at 32 KiB).
		if used+p.sizes[i]+1 > budget && len(st.Events) > 0 {
			st.Truncated = true
			break
		}
		used += p.sizes[i] + 1
		st.Events = append(st.Events, p.events[i])
	}
	return st
}

func (p *Party) memberList() []wire.Member {
	ms := make([]*member, 0, len(p.members))
	for _, m := range p.members {
		ms = append(ms, m)
	}
	// Stable order: host first, then by join order.
	sort.Slice(ms, func(i, j int) bool {
		if (ms[i].Role == wire.RoleHost) != (ms[j].Role == wire.RoleHost) {
			return ms[i].Role == wire.RoleHost
		}
		return ms[i].order < ms[j].order
	})
	list := make([]wire.Member, len(ms))
	for i, m := range ms {
		list[i] = m.Member
	}
	return list
}

// Info describes the party as the hello reply does.
func (p *Party) Info() wire.PartyInfo {
	var info wire.PartyInfo
	_ = p.do(func() { info = p.info() })
	return info
}

// ---- prompts and the pipeline ----------------------------------------------

// Prompt takes a prompt from a member.
func (p *Party) Prompt(memberID, text string) (wire.PromptResult, error) {
	var res wire.PromptResult
	var err error
	if derr := p.do(func() { res, err = p.prompt(memberID, text) }); derr != nil {
		return res, derr
	}
	return res, err
}

func (p *Party) prompt(memberID, text string) (wire.PromptResult, error) {
	m, ok := p.members[memberID]
	if !ok {
		return wire.PromptResult{}, ErrNotMember
	}
	if len(text) > wire.MaxPromptBytes {
		return wire.PromptResult{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(text), wire.MaxPromptBytes)
	}
	if strings.TrimSpace(text) == "" {
		return wire.PromptResult{}, ErrEmptyPrompt
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	now := p.cfg.Now()
	if !m.take(now, p.cfg.PromptBurst, p.cfg.PromptEvery) {
		return wire.PromptResult{}, fmt.Errorf("%w: at most %d prompts at once, then one per %s", ErrRateLimited, p.cfg.PromptBurst, p.cfg.PromptEvery)
	}
	if len(p.pending) >= p.cfg.MaxPending {
		return wire.PromptResult{}, fmt.Errorf("%w: %d prompts are already waiting", ErrRateLimited, len(p.pending))
	}
	pr := wire.Prompt{ID: p.newID("p"), User: m.Name, Text: text}
	p.pending = append(p.pending, pendingPrompt{prompt: pr, at: now})
	p.lastPrompt = now
	seq := p.emit(wire.Event{Kind: wire.KindPrompt, Prompt: &pr})
	if !p.busy {
		p.setPhase(wire.PhaseCollecting)
	}
	return wire.PromptResult{ID: pr.ID, Seq: seq}, nil
}

// take spends one prompt token, refilling one per every.
func (m *member) take(now time.Time, burst int, every time.Duration) bool {
	if el := now.Sub(m.refill); el > 0 {
		m.tokens += float64(el) / float64(every)
		if m.tokens > float64(burst) {
			m.tokens = float64(burst)
		}
	}
	m.refill = now
	if m.tokens < 1 {
		return false
	}
	m.tokens--
	return true
}

// schedule arms the loop's timer for the next pipeline decision, or cuts a batch now.
func (p *Party) schedule(timer *time.Timer) {
	timer.Stop()
	if p.closed {
		return
	}
	waiting := p.waiting()
	if len(waiting) == 0 {
		return
	}
	cut, wait := p.rule.due(p.cfg.Now(), !p.busy, len(waiting), waiting[0].at, p.lastPrompt)
	if cut {
		p.cutBatch()
		return
	}
	if wait > 0 {
		timer.Reset(wait)
	}
}

// waiting returns the pending prompts not yet in a batch.
func (p *Party) waiting() []pendingPrompt {
	var w []pendingPrompt
	for _, pp := range p.pending {
		if !pp.inFlight {
			w = append(w, pp)
		}
	}
	return w
}

func (p *Party) cutBatch() {
	var prompts []wire.Prompt
	for i := range p.pending {
		if !p.pending[i].inFlight {
			p.pending[i].inFlight = true
			prompts = append(prompts, p.pending[i].prompt)
		}
	}
	batchID := p.newID("b")
	p.busy = true
	p.setPhase(wire.PhaseMerging)
	if len(prompts) > 1 {
		p.emit(wire.Event{Kind: wire.KindSystem, Text: fmt.Sprintf("merging %d prompts", len(prompts))})
	}
	ctx := p.runCtx
	merger := p.cfg.Merger
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		res, err := merger.Merge(ctx, prompts)
		if err != nil || strings.TrimSpace(res.Text) == "" {
			reason := "empty result"
			if err != nil {
				reason = err.Error()
			}
			p.log.Warn("merge failed, merging locally", "err", reason)
			res, _ = p.local.Merge(context.WithoutCancel(ctx), prompts)
			res.Notices = append([]merge.Notice{{Kind: wire.KindError, Text: "merging failed (" + reason + "); merged locally"}}, res.Notices...)
		}
		p.post(func() { p.merged(ctx, batchID, prompts, res) })
	}()
}

// merged runs on the loop when a batch's merge is done: the batch goes to the agent.
func (p *Party) merged(ctx context.Context, batchID string, prompts []wire.Prompt, res merge.Result) {
	for _, n := range res.Notices {
		kind := n.Kind
		if kind != wire.KindError {
			kind = wire.KindSystem
		}
		p.emit(wire.Event{Kind: kind, Text: n.Text})
	}
	ids := make([]string, len(prompts))
	carried := make(map[string]bool, len(prompts))
	for i, pr := range prompts {
		ids[i] = pr.ID
		carried[pr.ID] = true
	}
	merger := res.Merger
	if merger != wire.MergerGemini {
		merger = wire.MergerLocal
	}
	// The agent accepts the batch now: its prompts stop being pending.
	kept := p.pending[:0]
	for _, pp := range p.pending {
		if !carried[pp.prompt.ID] {
			kept = append(kept, pp)
		}
	}
	p.pending = kept
	p.emit(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: batchID, Prompts: ids, Merged: res.Text, Merger: merger}})
	p.setPhase(wire.PhaseRunning)

	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		p.runTurn(ctx, batchID, res.Text)
	}()
}

// runTurn runs on a worker: one batch on the agent, retried once on a restarted agent.
func (p *Party) runTurn(ctx context.Context, batchID, text string) {
	start := p.cfg.Now()
	out := func(stream, s string) { p.post(func() { p.output(stream, s) }) }
	res, err := p.cfg.Runner.RunTurn(ctx, text, out)
	if err != nil && ctx.Err() == nil {
		p.log.Warn("agent failed, restarting", "err", err)
		why := oneLine(err.Error())
		p.post(func() {
			p.emit(wire.Event{Kind: wire.KindError, Text: "claude stopped unexpectedly: " + why})
			p.emit(wire.Event{Kind: wire.KindSystem, Text: "restarting claude and retrying the batch"})
		})
		if rerr := p.cfg.Runner.Restart(ctx); rerr != nil {
			err = fmt.Errorf("restart claude: %w", rerr)
		} else {
			res, err = p.cfg.Runner.RunTurn(ctx, text, out)
		}
		if err != nil && ctx.Err() == nil {
			// Reported below; get a fresh agent ready so that the next batch still runs.
			if rerr := p.cfg.Runner.Restart(ctx); rerr != nil {
				p.log.Warn("agent restart after failed retry", "err", rerr)
			}
		}
	}
	turn := wire.Turn{Batch: batchID, Status: wire.TurnDone, DurationMS: p.cfg.Now().Sub(start).Milliseconds()}
	switch {
	case ctx.Err() != nil:
		turn.Status, turn.Error = wire.TurnInterrupted, "the party ended"
	case err != nil:
		turn.Status, turn.Error = wire.TurnError, "claude failed twice: "+oneLine(err.Error())
	case res.IsError:
		turn.Status, turn.Error = wire.TurnError, oneLine(res.Error)
		if turn.Error == "" {
			turn.Error = "claude reported an error"
		}
	}
	p.post(func() { p.turnDone(turn) })
}

func (p *Party) turnDone(turn wire.Turn) {
	p.flushOutput()
	p.emit(wire.Event{Kind: wire.KindTurn, Turn: &turn})
	if turn.Status == wire.TurnError {
		p.emit(wire.Event{Kind: wire.KindError, Text: "the batch failed: " + turn.Error})
	}
	p.busy = false
	if len(p.waiting()) > 0 {
		p.setPhase(wire.PhaseCollecting)
	} else {
		p.setPhase(wire.PhaseIdle)
	}
}

// output coalesces streamed agent text into fewer events: a burst of deltas within
// OutputFlush becomes one event. Order across streams is kept.
func (p *Party) output(stream, text string) {
	if text == "" {
		return
	}
	if p.outStream != stream && p.outBuf.Len() > 0 {
		p.flushOutput()
	}
	p.outStream = stream
	p.outBuf.WriteString(text)
	if stream != wire.StreamAssistant && !strings.HasSuffix(text, "\n") {
		// Tool and stderr output are whole lines: keep them apart when coalesced.
		p.outBuf.WriteByte('\n')
	}
	if p.outBuf.Len() >= 32<<10 {
		p.flushOutput()
		return
	}
	if p.outTimer == nil {
		p.outTimer = time.AfterFunc(p.cfg.OutputFlush, func() { p.post(p.flushOutput) })
	}
}

func (p *Party) flushOutput() {
	if p.outTimer != nil {
		p.outTimer.Stop()
		p.outTimer = nil
	}
	if p.outBuf.Len() == 0 {
		return
	}
	text := p.outBuf.String()
	p.outBuf.Reset()
	p.emit(wire.Event{Kind: wire.KindOutput, Stream: p.outStream, Text: text})
}

// Notice sends a system or error event from the host (e.g. "claude started").
func (p *Party) Notice(kind, text string) {
	if kind != wire.KindError {
		kind = wire.KindSystem
	}
	_ = p.do(func() { p.emit(wire.Event{Kind: kind, Text: text}) })
}

// ---- events ----------------------------------------------------------------

func (p *Party) setPhase(phase string) {
	if p.phase == phase {
		return
	}
	p.phase = phase
	p.emit(wire.Event{Kind: wire.KindPhase, Phase: phase})
}

// emit appends an event to the log and sends it to every member. Runs on the loop.
func (p *Party) emit(ev wire.Event) int64 {
	if ev.Kind != wire.KindOutput {
		p.flushOutput() // output that came first is sent first
	}
	p.seq++
	ev.Seq = p.seq
	ev.TS = p.cfg.Now().UTC()
	raw, err := json.Marshal(ev)
	if err != nil {
		// Cannot happen for these types; keep the log consistent regardless.
		p.log.Error("encode event", "err", err)
	}
	p.events = append(p.events, ev)
	p.sizes = append(p.sizes, len(raw))
	if p.cfg.Transcript != nil {
		p.cfg.Transcript(ev, raw)
	}
	for id, m := range p.members {
		if m.sub == nil {
			continue
		}
		if !m.sub.Send(ev, raw) {
			// Too slow or gone: drop the connection, keep the member until it leaves; a
			// reconnect with the same client_id catches up from `since`.
			p.log.Info("dropping slow subscriber", "member", id)
			m.sub = nil
		}
	}
	for o := range p.observers {
		if !o.Send(ev, raw) {
			delete(p.observers, o)
		}
	}
	return ev.Seq
}

func (p *Party) newID(prefix string) string {
	p.nextID++
	return prefix + strconv.FormatInt(p.nextID, 10)
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
