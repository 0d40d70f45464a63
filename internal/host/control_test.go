package host

// Host control (PROTOCOL.md §7) through real sockets against the fake Claude program: every
// decision path, checked by what each member sees and by what reached the agent.
//
// Some members are raw JSON-RPC peers written only from PROTOCOL.md (rawPeer: a gorilla
// WebSocket, hand-made requests, error codes and close codes read off the wire); others are
// internal/client.Client, which implements party.Controller (a co-host over the wire); the
// party's owner is the in-process member a host's window or terminal is (party.Local).

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

const waitLimit = 20 * time.Second // a deadline for waits; nothing here should take near it

// recorder keeps the events one member got, in order, and wakes waiters on each.
type recorder struct {
	name string
	mu   sync.Mutex
	evs  []wire.Event
	raws []json.RawMessage // the event's JSON as it came (raw peers only)
	wake chan struct{}
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, wake: make(chan struct{}, 1)}
}

func (r *recorder) add(ev wire.Event, raw json.RawMessage) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.raws = append(r.raws, raw)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *recorder) events() []wire.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

// rawOf is the JSON of the event with seq, as it came over the wire.
func (r *recorder) rawOf(seq int64) json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, ev := range r.evs {
		if ev.Seq == seq {
			return r.raws[i]
		}
	}
	return nil
}

// waitFor waits until pred holds for the events so far (woken by each event, no polling).
func (r *recorder) waitFor(t *testing.T, what string, pred func([]wire.Event) bool) []wire.Event {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		if evs := r.events(); pred(evs) {
			return evs
		}
		select {
		case <-r.wake:
		case <-deadline.C:
			t.Fatalf("%s: timed out waiting for %s; got:\n%s", r.name, what, dumpEvents(r.events()))
		}
	}
}

func dumpEvents(evs []wire.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		raw, _ := json.Marshal(ev)
		fmt.Fprintf(&b, "  %s\n", raw)
	}
	return b.String()
}

// watcher is anything whose events can be waited for (recorder, participant).
type watcher interface {
	waitFor(t *testing.T, what string, pred func([]wire.Event) bool) []wire.Event
}

// watchLocal records an in-process member's events until its channel closes.
func watchLocal(t *testing.T, name string, l *party.Local) *recorder {
	r := newRecorder(name)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range l.Events() {
			r.add(ev, nil)
		}
	}()
	t.Cleanup(func() { l.Leave(); <-done })
	return r
}

// ---- a raw JSON-RPC 2.0 participant, from PROTOCOL.md alone ----

type rawError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type rawReply struct {
	Result json.RawMessage
	Error  *rawError
	Closed bool // the connection ended before a reply
}

// rawPeer is one WebSocket connection speaking JSON-RPC by hand. Only its read loop reads;
// writes are serialised by wmu.
type rawPeer struct {
	t    *testing.T
	name string
	conn *websocket.Conn
	rec  *recorder
	you  wire.Member // from the hello reply
	seq  int64       // state.seq of the hello reply

	wmu   sync.Mutex
	mu    sync.Mutex // guards next, calls, end
	next  int64
	calls map[int64]chan rawReply
	end   error // why the read loop ended
	done  chan struct{}
}

// dialRaw opens a connection to the party the invite names (TLS pinned to its fingerprint).
func dialRaw(t *testing.T, inv invite.Invite, name string) *rawPeer {
	t.Helper()
	scheme := "ws"
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if inv.Fingerprint != "" {
		scheme = "wss"
		fp := strings.ToLower(inv.Fingerprint)
		d.TLSClientConfig = &tls.Config{
			InsecureSkipVerify: true, // the fingerprint check below replaces the CA check
			VerifyPeerCertificate: func(certs [][]byte, _ [][]*x509.Certificate) error {
				if len(certs) == 0 {
					return errors.New("no certificate")
				}
				if sum := sha256.Sum256(certs[0]); hex.EncodeToString(sum[:]) != fp {
					return errors.New("fingerprint mismatch")
				}
				return nil
			},
		}
	}
	url := scheme + "://" + net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port)) + "/rpc"
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, url, err)
	}
	p := &rawPeer{t: t, name: name, conn: conn, rec: newRecorder(name), calls: map[int64]chan rawReply{}, done: make(chan struct{})}
	go p.read()
	t.Cleanup(p.close)
	return p
}

func (p *rawPeer) read() {
	defer close(p.done)
	for {
		_, msg, err := p.conn.ReadMessage()
		if err != nil {
			p.mu.Lock()
			p.end = err
			p.mu.Unlock()
			return
		}
		var m struct {
			ID     *int64          `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			Error  *rawError       `json:"error"`
		}
		if err := json.Unmarshal(msg, &m); err != nil {
			p.t.Errorf("%s: host sent a message that is not JSON: %q", p.name, msg)
			continue
		}
		switch {
		case m.Method == wire.MethodEvent:
			var ev wire.Event
			if err := json.Unmarshal(m.Params, &ev); err != nil {
				p.t.Errorf("%s: bad event %s: %v", p.name, m.Params, err)
				continue
			}
			p.rec.add(ev, m.Params)
		case m.Method != "":
			p.t.Errorf("%s: unexpected host call %s", p.name, m.Method)
		case m.ID != nil:
			p.mu.Lock()
			ch := p.calls[*m.ID]
			delete(p.calls, *m.ID)
			p.mu.Unlock()
			if ch != nil {
				ch <- rawReply{Result: m.Result, Error: m.Error}
			}
		}
	}
}

// call sends a request and waits for its reply (or the end of the connection).
func (p *rawPeer) call(method string, params any) rawReply {
	p.t.Helper()
	ch := make(chan rawReply, 1)
	p.mu.Lock()
	p.next++
	id := p.next
	p.calls[id] = ch
	p.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		p.t.Fatal(err)
	}
	p.wmu.Lock()
	err = p.conn.WriteMessage(websocket.TextMessage, msg)
	p.wmu.Unlock()
	if err != nil {
		return rawReply{Closed: true}
	}
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r
	case <-p.done:
		select {
		case r := <-ch:
			return r
		default:
			return rawReply{Closed: true}
		}
	case <-timer.C:
		p.t.Fatalf("%s: no reply to %s", p.name, method)
		return rawReply{}
	}
}

// ok calls method and requires success; the result is decoded into out when it is not nil.
func (p *rawPeer) ok(method string, params any, out any) {
	p.t.Helper()
	r := p.call(method, params)
	if r.Error != nil || r.Closed {
		p.t.Fatalf("%s: %s(%v) failed: %+v", p.name, method, params, r)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result, out); err != nil {
			p.t.Fatalf("%s: %s result %s: %v", p.name, method, r.Result, err)
		}
	}
}

// fails calls method and requires the error code.
func (p *rawPeer) fails(method string, params any, code int) {
	p.t.Helper()
	r := p.call(method, params)
	if r.Error == nil || r.Error.Code != code {
		p.t.Fatalf("%s: %s(%v) = %+v, want error %d", p.name, method, params, r, code)
	}
}

// failsSaying is fails, with the error's message too: a sentence for the person writing
// the client.
func (p *rawPeer) failsSaying(method string, params any, code int, message string) {
	p.t.Helper()
	r := p.call(method, params)
	if r.Error == nil || r.Error.Code != code || r.Error.Message != message {
		p.t.Fatalf("%s: %s(%v) = %+v, want error %d %q", p.name, method, params, r, code, message)
	}
}

// hello says hello with params; on success it records who we are.
func (p *rawPeer) hello(params map[string]any) (wire.HelloResult, *rawError) {
	p.t.Helper()
	r := p.call(wire.MethodHello, params)
	if r.Error != nil || r.Closed {
		if r.Error == nil {
			r.Error = &rawError{Message: "closed"}
		}
		return wire.HelloResult{}, r.Error
	}
	var res wire.HelloResult
	if err := json.Unmarshal(r.Result, &res); err != nil {
		p.t.Fatalf("%s: hello result %s: %v", p.name, r.Result, err)
	}
	p.you, p.seq = res.You, res.State.Seq
	return res, nil
}

// closed waits for the host to end the connection and returns its close frame.
func (p *rawPeer) closed() *websocket.CloseError {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(waitLimit):
		p.t.Fatalf("%s: the connection stayed open", p.name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ce *websocket.CloseError
	if !errors.As(p.end, &ce) {
		p.t.Fatalf("%s: connection ended with %v, not a close frame", p.name, p.end)
	}
	return ce
}

func (p *rawPeer) close() {
	_ = p.conn.Close()
	<-p.done
}

// ---- the party under test ----

// ctl is a hosted party with its owner in-process (as the host's window is) and the fake
// Claude program logging what reached it.
type ctl struct {
	h      *Host
	log    string
	owner  *party.Local
	own    *recorder
	ownerN string
}

func newCtl(t *testing.T, cfg Config) *ctl {
	t.Helper()
	log := filepath.Join(t.TempDir(), "claude.log")
	cfg.Agent.Env = append(cfg.Agent.Env, "FAKECLAUDE_LOG="+log)
	if cfg.Window == 0 {
		cfg.Window = 20 * time.Millisecond
	}
	h := startHost(t, cfg)
	owner, res, err := h.Party().JoinLocal("hosty", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	if res.You.Role != wire.RoleHost {
		t.Fatalf("owner joined as %q", res.You.Role)
	}
	return &ctl{h: h, log: log, owner: owner, own: watchLocal(t, "hosty", owner), ownerN: "hosty"}
}

// raw joins a raw peer with the participant invite.
func (c *ctl) raw(t *testing.T, name string) *rawPeer {
	t.Helper()
	return c.rawWith(t, name, c.h.Invite())
}

func (c *ctl) rawWith(t *testing.T, name string, inv invite.Invite) *rawPeer {
	t.Helper()
	p := dialRaw(t, inv, name)
	if _, err := p.hello(map[string]any{"name": name, "token": inv.Token}); err != nil {
		t.Fatalf("%s hello: %+v", name, err)
	}
	return p
}

// cohost joins a raw peer and has the owner make it a host; it returns once the peer has
// seen its own role change.
func (c *ctl) cohost(t *testing.T, name string) *rawPeer {
	t.Helper()
	p := c.raw(t, name)
	c.promote(t, p.you.ID, p.rec)
	p.you.Role = wire.RoleHost
	return p
}

func (c *ctl) promote(t *testing.T, id string, w watcher) {
	t.Helper()
	if err := c.owner.SetRole(context.Background(), id, wire.RoleHost); err != nil {
		t.Fatalf("promote %s: %v", id, err)
	}
	w.waitFor(t, "the promotion", func(e []wire.Event) bool { return changedTo(e, id) == wire.RoleHost })
}

// logLine is one line of FAKECLAUDE_LOG.
type logLine struct {
	Text    *string `json:"text"`
	Command *string `json:"command"`
	Session string  `json:"session"`
}

// agentLog is what reached the fake Claude program: user texts and agent commands.
func (c *ctl) agentLog(t *testing.T) (texts, commands []string, sessions []string) {
	t.Helper()
	raw, err := os.ReadFile(c.log)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line == "" {
			continue
		}
		var l logLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("agent log line %q: %v", line, err)
		}
		switch {
		case l.Text != nil:
			texts = append(texts, *l.Text)
			sessions = append(sessions, l.Session)
		case l.Command != nil:
			commands = append(commands, *l.Command)
			sessions = append(sessions, l.Session)
		}
	}
	return texts, commands, sessions
}

// ---- event helpers ----

func changedTo(evs []wire.Event, id string) string {
	role := ""
	for _, ev := range evs {
		if ev.Kind == wire.KindParticipants && ev.Changed != nil && ev.Changed.ID == id {
			role = ev.Changed.Role
		}
	}
	return role
}

func permissions(evs []wire.Event, status string) []wire.Permission {
	var out []wire.Permission
	for _, ev := range evs {
		if ev.Kind == wire.KindPermission && ev.Permission != nil && (status == "" || ev.Permission.Status == status) {
			out = append(out, *ev.Permission)
		}
	}
	return out
}

func approvals(evs []wire.Event) []wire.Approval {
	var out []wire.Approval
	for _, ev := range evs {
		if ev.Kind == wire.KindApproval && ev.Approval != nil {
			out = append(out, *ev.Approval)
		}
	}
	return out
}

func batchesOf(evs []wire.Event) []wire.Batch {
	var out []wire.Batch
	for _, ev := range evs {
		if ev.Kind == wire.KindBatch && ev.Batch != nil {
			out = append(out, *ev.Batch)
		}
	}
	return out
}

func turnsOf(evs []wire.Event) []wire.Turn {
	var out []wire.Turn
	for _, ev := range evs {
		if ev.Kind == wire.KindTurn && ev.Turn != nil {
			out = append(out, *ev.Turn)
		}
	}
	return out
}

func phases(evs []wire.Event) []string {
	var out []string
	for _, ev := range evs {
		if ev.Kind == wire.KindPhase {
			out = append(out, ev.Phase)
		}
	}
	return out
}

func hasSystem(evs []wire.Event, text string) bool {
	return slices.ContainsFunc(evs, func(ev wire.Event) bool { return ev.Kind == wire.KindSystem && ev.Text == text })
}

// replyOf is the assistant text of one batch's turn: the output between its batch and turn
// events.
func replyOf(evs []wire.Event, batch string) string {
	var b strings.Builder
	in := false
	for _, ev := range evs {
		switch {
		case ev.Kind == wire.KindBatch && ev.Batch != nil:
			in = ev.Batch.ID == batch
		case ev.Kind == wire.KindTurn && ev.Turn != nil && ev.Turn.Batch == batch:
			in = false
		case in && ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant:
			b.WriteString(ev.Text)
		}
	}
	return b.String()
}

func nTurns(n int) func([]wire.Event) bool {
	return func(e []wire.Event) bool { return len(turnsOf(e)) >= n }
}

func nApprovals(n int) func([]wire.Event) bool {
	return func(e []wire.Event) bool { return len(approvals(e)) >= n }
}

func nPermissions(status string, n int) func([]wire.Event) bool {
	return func(e []wire.Event) bool { return len(permissions(e, status)) >= n }
}

// rpcCode is the JSON-RPC error code of a client.Client call's error (0 when none).
func rpcCode(err error) int {
	var re *rpc.Error
	if errors.As(err, &re) {
		return re.Code
	}
	return 0
}

func ptr(s string) *string { return &s }

// everyone waits on each watcher for pred and runs check on what it saw.
func everyone(t *testing.T, what string, ws []watcher, pred func([]wire.Event) bool, check func(name string, evs []wire.Event)) {
	t.Helper()
	for i, w := range ws {
		evs := w.waitFor(t, what, pred)
		check(fmt.Sprintf("member %d", i), evs)
	}
}

// ---- the decision paths ----

func TestHostControl(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  Config
		run  func(t *testing.T, c *ctl)
	}{
		{
			name: "approve as merged (raw co-host)",
			cfg:  Config{Approve: true, Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				var pr wire.PromptResult
				alice.ok(wire.MethodPrompt, map[string]any{"text": "add a --verbose flag"}, &pr)
				evs := carol.rec.waitFor(t, "the approval", nApprovals(1))
				ap := approvals(evs)[0]
				if !slices.Equal(ap.Prompts, []string{pr.ID}) || ap.Merged != "add a --verbose flag" || ap.Merger != wire.MergerLocal {
					t.Fatalf("approval %+v", ap)
				}
				if !slices.Contains(phases(evs), wire.PhaseAwaitingApproval) {
					t.Errorf("no awaiting_approval phase: %v", phases(evs))
				}
				var st wire.State
				alice.ok(wire.MethodGetState, map[string]any{"since": alice.seq}, &st)
				if st.Phase != wire.PhaseAwaitingApproval || len(st.Pending) != 1 || st.Pending[0].ID != pr.ID {
					t.Errorf("state while waiting: phase %q, pending %+v", st.Phase, st.Pending)
				}
				carol.ok(wire.MethodApprove, map[string]any{"batch": ap.Batch}, nil)
				everyone(t, "the turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					b := batchesOf(evs)
					if len(b) != 1 || b[0].ID != ap.Batch || b[0].Merged != ap.Merged || !slices.Equal(b[0].Prompts, ap.Prompts) {
						t.Errorf("%s: batches %+v, want the approved one", who, b)
					}
					if tr := turnsOf(evs)[0]; tr.Status != wire.TurnDone || tr.Batch != ap.Batch {
						t.Errorf("%s: turn %+v", who, tr)
					}
					if !hasSystem(evs, "carol approved alice's prompt") {
						t.Errorf("%s: no approval notice", who)
					}
				})
				if texts, _, _ := c.agentLog(t); !slices.Equal(texts, []string{ap.Merged}) {
					t.Errorf("agent got %q, want the approved text", texts)
				}
				// The batch is gone: approving it again names nothing.
				carol.fails(wire.MethodApprove, map[string]any{"batch": ap.Batch}, rpc.CodeInvalidParams)
			},
		},
		{
			name: "approve edited (client co-host)",
			cfg:  Config{Approve: true, Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				bob := join(t, c.h.Invite(), "bob")
				c.promote(t, bob.c.Hello().You.ID, bob)
				alice.ok(wire.MethodPrompt, map[string]any{"text": "add a flag"}, nil)
				ap := approvals(bob.waitFor(t, "the approval", nApprovals(1)))[0]
				// An empty edit is refused and the batch keeps waiting.
				if err := bob.c.Approve(ctx, ap.Batch, ptr("  \n ")); rpcCode(err) != rpc.CodeInvalidParams {
					t.Fatalf("empty edit: %v, want -32602", err)
				}
				edited := "Add a --verbose flag to the CLI and document it in README.md (edited by bob)"
				if err := bob.c.Approve(ctx, ap.Batch, &edited); err != nil {
					t.Fatal(err)
				}
				everyone(t, "the turn", []watcher{alice.rec, bob, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					b := batchesOf(evs)
					if len(b) != 1 || b[0].ID != ap.Batch || b[0].Merged != edited {
						t.Errorf("%s: batches %+v, want exactly the edited text", who, b)
					}
					if !hasSystem(evs, "bob edited and sent alice's prompt") {
						t.Errorf("%s: no edit notice", who)
					}
					if got := replyOf(evs, ap.Batch); got != "echo: "+edited {
						t.Errorf("%s: reply %q", who, got)
					}
				})
				if texts, _, _ := c.agentLog(t); !slices.Equal(texts, []string{edited}) {
					t.Errorf("agent got %q, want the edited text", texts)
				}
			},
		},
		{
			name: "reject (raw co-host); a prompt that came meanwhile waits for the next batch",
			cfg:  Config{Approve: true, Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				var p1, p2 wire.PromptResult
				alice.ok(wire.MethodPrompt, map[string]any{"text": "delete the tests"}, &p1)
				a1 := approvals(carol.rec.waitFor(t, "the approval", nApprovals(1)))[0]
				alice.ok(wire.MethodPrompt, map[string]any{"text": "keep the tests"}, &p2)
				carol.ok(wire.MethodReject, map[string]any{"batch": a1.Batch, "reason": "not this one"}, nil)
				everyone(t, "the next approval", []watcher{alice.rec, carol.rec, c.own}, nApprovals(2), func(who string, evs []wire.Event) {
					var rej []wire.Rejected
					for _, ev := range evs {
						if ev.Kind == wire.KindRejected {
							rej = append(rej, *ev.Rejected)
						}
					}
					want := wire.Rejected{Batch: a1.Batch, Prompts: []string{p1.ID}, By: "carol", Reason: "not this one"}
					if len(rej) != 1 || rej[0].Batch != want.Batch || !slices.Equal(rej[0].Prompts, want.Prompts) || rej[0].By != want.By || rej[0].Reason != want.Reason {
						t.Errorf("%s: rejected %+v, want %+v", who, rej, want)
					}
					if a2 := approvals(evs)[1]; !slices.Equal(a2.Prompts, []string{p2.ID}) || a2.Merged != "keep the tests" {
						t.Errorf("%s: next approval %+v, want only the later prompt", who, a2)
					}
					if len(batchesOf(evs)) != 0 {
						t.Errorf("%s: a batch was sent: %+v", who, batchesOf(evs))
					}
				})
				if texts, _, _ := c.agentLog(t); len(texts) != 0 {
					t.Errorf("the rejected batch reached the agent: %q", texts)
				}
				a2 := approvals(carol.rec.events())[1]
				carol.ok(wire.MethodApprove, map[string]any{"batch": a2.Batch}, nil)
				alice.rec.waitFor(t, "the turn", nTurns(1))
				if texts, _, _ := c.agentLog(t); !slices.Equal(texts, []string{"keep the tests"}) {
					t.Errorf("agent got %q", texts)
				}
			},
		},
		{
			name: "withdraw a waiting prompt: the author (raw) and a host (client); others refused",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				bob := join(t, c.h.Invite(), "bob")
				vic := c.rawWith(t, "vic", c.h.ViewerInvite())
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_SLOW=60000 a long job"}, nil)
				alice.rec.waitFor(t, "the first output", func(e []wire.Event) bool { return len(kinds(e, wire.KindOutput)) > 0 })
				var typo, bobs wire.PromptResult
				alice.ok(wire.MethodPrompt, map[string]any{"text": "a prompt with a typo"}, &typo)
				res, err := bob.c.Prompt(ctx, "bob changed his mind")
				if err != nil {
					t.Fatal(err)
				}
				bobs = res
				alice.fails(wire.MethodWithdraw, map[string]any{"prompt": bobs.ID}, wire.CodeNotAllowed)
				vic.fails(wire.MethodWithdraw, map[string]any{"prompt": typo.ID}, wire.CodeNotAllowed)
				alice.fails(wire.MethodWithdraw, map[string]any{}, rpc.CodeInvalidParams)
				alice.failsSaying(wire.MethodWithdraw, map[string]any{"prompt": "p999"}, rpc.CodeInvalidParams,
					"that prompt is no longer waiting: a batch took it, or it was rejected or withdrawn")
				// Params of the wrong type are said in the protocol's words, not Go's (a tester's).
				alice.failsSaying(wire.MethodWithdraw, map[string]any{"prompt": 5}, rpc.CodeInvalidParams,
					"invalid params: prompt must be a string, not a number")
				alice.ok(wire.MethodWithdraw, map[string]any{"prompt": typo.ID}, nil)
				if err := bob.c.Withdraw(ctx, typo.ID); rpcCode(err) != rpc.CodeInvalidParams {
					t.Errorf("withdrawing it again: %v", err)
				}
				c.promote(t, bob.c.Hello().You.ID, bob)
				if err := bob.c.Withdraw(ctx, bobs.ID); err != nil {
					t.Fatal(err)
				}
				everyone(t, "both withdrawals", []watcher{alice.rec, vic.rec, bob, c.own}, func(e []wire.Event) bool { return len(kinds(e, wire.KindWithdrawn)) == 2 }, func(who string, evs []wire.Event) {
					var got []wire.Withdrawn
					for _, ev := range kinds(evs, wire.KindWithdrawn) {
						got = append(got, *ev.Withdrawn)
					}
					want := []wire.Withdrawn{{Prompt: typo.ID, User: "alice", By: "alice", ByMember: alice.you.ID}, {Prompt: bobs.ID, User: "bob", By: "bob", ByMember: bob.c.Hello().You.ID}}
					if !slices.Equal(got, want) {
						t.Errorf("%s: withdrawn %+v, want %+v", who, got, want)
					}
				})
				var st wire.State
				alice.ok(wire.MethodGetState, map[string]any{}, &st)
				if len(st.Pending) != 0 {
					t.Errorf("still pending: %+v", st.Pending)
				}
				if err := c.owner.Interrupt(ctx); err != nil {
					t.Fatal(err)
				}
				alice.rec.waitFor(t, "the turn", nTurns(1))
				alice.ok(wire.MethodPrompt, map[string]any{"text": "the next one"}, nil)
				alice.rec.waitFor(t, "the second turn", nTurns(2))
				if texts, _, _ := c.agentLog(t); !slices.Equal(texts, []string{"FAKE_SLOW=60000 a long job", "the next one"}) {
					t.Errorf("the agent got %q: a withdrawn prompt reached it", texts)
				}
			},
		},
		{
			name: "approval toggled while a batch waits sends it (settings events)",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				carol.ok(wire.MethodSetApproval, map[string]any{"on": true}, nil)
				evs := alice.rec.waitFor(t, "settings on", func(e []wire.Event) bool { return len(kinds(e, wire.KindSettings)) == 1 })
				on := kinds(evs, wire.KindSettings)[0]
				if on.Settings == nil || !on.Settings.Approval || on.Settings.PermissionMode != wire.PermissionAsk {
					t.Fatalf("settings event %+v", on.Settings)
				}
				var raw map[string]any
				if err := json.Unmarshal(alice.rec.rawOf(on.Seq), &raw); err != nil {
					t.Fatal(err)
				}
				if raw["approval"] != true || raw["permission_mode"] != wire.PermissionAsk {
					t.Errorf("settings event on the wire: %v", raw)
				}
				var pr wire.PromptResult
				alice.ok(wire.MethodPrompt, map[string]any{"text": "wait for me"}, &pr)
				ap := approvals(carol.rec.waitFor(t, "the approval", nApprovals(1)))[0]
				carol.ok(wire.MethodSetApproval, map[string]any{"on": false}, nil)
				everyone(t, "the turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					s := kinds(evs, wire.KindSettings)
					if len(s) != 2 || s[1].Settings == nil || s[1].Settings.Approval {
						t.Errorf("%s: settings events %+v", who, s)
					}
					if b := batchesOf(evs); len(b) != 1 || b[0].ID != ap.Batch || b[0].Merged != "wait for me" {
						t.Errorf("%s: batches %+v", who, b)
					}
					if !hasSystem(evs, "carol turned approval off; alice's prompt that waited for approval is sent now") {
						t.Errorf("%s: no notice", who)
					}
				})
				if raw := alice.rec.rawOf(kinds(alice.rec.events(), wire.KindSettings)[1].Seq); !strings.Contains(string(raw), `"approval":false`) {
					t.Errorf("settings off on the wire: %s", raw)
				}
				// A late joiner reads the setting in the hello reply.
				late := dialRaw(t, c.h.Invite(), "late")
				res, err := late.hello(map[string]any{"name": "late", "token": c.h.Invite().Token})
				if err != nil || res.Party.Approval || res.Party.PermissionMode != wire.PermissionAsk {
					t.Errorf("late hello: %+v %+v", res.Party, err)
				}
			},
		},
		{
			name: "allow (raw co-host)",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK make a file"}, nil)
				asking := func(e []wire.Event) bool {
					ph := phases(e)
					return nPermissions(wire.PermissionPending, 1)(e) && ph[len(ph)-1] == wire.PhaseAwaitingPermission
				}
				everyone(t, "the request", []watcher{alice.rec, carol.rec, c.own}, asking, func(who string, evs []wire.Event) {
					p := permissions(evs, wire.PermissionPending)[0]
					b := batchesOf(evs)
					if p.Tool != "Bash" || p.Summary != "touch file-1" || len(b) != 1 || p.Batch != b[0].ID {
						t.Errorf("%s: request %+v (batches %+v)", who, p, b)
					}
				})
				id := permissions(carol.rec.events(), wire.PermissionPending)[0].ID
				carol.ok(wire.MethodDecide, map[string]any{"permission": id, "decision": "allow"}, nil)
				everyone(t, "the turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					a := permissions(evs, wire.PermissionAllowed)
					if len(a) != 1 || a[0].ID != id || a[0].By != "carol" || a[0].Tool != "Bash" {
						t.Errorf("%s: allowed %+v", who, a)
					}
					tr := turnsOf(evs)[0]
					if tr.Status != wire.TurnDone || tr.Denied != 0 {
						t.Errorf("%s: turn %+v", who, tr)
					}
					if got := replyOf(evs, tr.Batch); !strings.Contains(got, "tools: allowed") {
						t.Errorf("%s: reply %q", who, got)
					}
					ph := phases(evs)
					i := slices.Index(ph, wire.PhaseAwaitingPermission)
					if i < 0 || i+1 >= len(ph) || ph[i+1] != wire.PhaseRunning {
						t.Errorf("%s: phases %v: want running again after the decision", who, ph)
					}
				})
				// Decided: a second decision names nothing.
				carol.fails(wire.MethodDecide, map[string]any{"permission": id, "decision": "deny"}, rpc.CodeInvalidParams)
			},
		},
		{
			name: "deny with a reason (raw co-host), over TLS",
			cfg:  Config{},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK make a file"}, nil)
				id := permissions(carol.rec.waitFor(t, "the request", nPermissions(wire.PermissionPending, 1)), wire.PermissionPending)[0].ID
				carol.fails(wire.MethodDecide, map[string]any{"permission": id, "decision": "maybe"}, rpc.CodeInvalidParams)
				carol.fails(wire.MethodDecide, map[string]any{"permission": id}, rpc.CodeInvalidParams)
				carol.ok(wire.MethodDecide, map[string]any{"permission": id, "decision": "deny", "reason": "no writes today"}, nil)
				// A co-host can read the invites (an extension) without replacing them.
				var inv wire.Invites
				carol.ok(wire.MethodInvites, map[string]any{}, &inv)
				if inv.Invite != c.h.Invite().String() || inv.ViewerInvite != c.h.ViewerInvite().String() {
					t.Errorf("Party.invites = %+v, want %s and %s", inv, c.h.Invite(), c.h.ViewerInvite())
				}
				alice.fails(wire.MethodInvites, map[string]any{}, wire.CodeNotAllowed)
				everyone(t, "the turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					d := permissions(evs, wire.PermissionDenied)
					if len(d) != 1 || d[0].ID != id || d[0].By != "carol" || d[0].Reason != "no writes today" {
						t.Errorf("%s: denied %+v", who, d)
					}
					tr := turnsOf(evs)[0]
					if tr.Status != wire.TurnDone || tr.Denied != 1 {
						t.Errorf("%s: turn %+v, want done with one denial", who, tr)
					}
					if got := replyOf(evs, tr.Batch); !strings.Contains(got, "denied: carol (a host of this party) denied this tool use. Reason: no writes today") {
						t.Errorf("%s: the agent did not get the reason: %q", who, got)
					}
				})
			},
		},
		{
			// Claude Code asks for parallel tool calls at once; a user tester's two requests
			// were listed last first, so /allow's "oldest" answered the newest. They wait
			// together, in the order the agent made them.
			name: "parallel requests wait together, in the agent's order",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK=3 FAKE_PAR three files"}, nil)
				pending := permissions(alice.rec.waitFor(t, "three requests", nPermissions(wire.PermissionPending, 3)), wire.PermissionPending)
				var got []string
				for _, p := range pending {
					got = append(got, p.Summary)
				}
				if want := []string{"touch file-1", "touch file-2", "touch file-3"}; !slices.Equal(got, want) {
					t.Fatalf("requests waiting %q, want %q", got, want)
				}
				for _, p := range pending {
					if err := c.owner.Decide(ctx, p.ID, wire.DecisionAllow, ""); err != nil {
						t.Fatal(err)
					}
				}
				evs := alice.rec.waitFor(t, "the turn", nTurns(1))
				if got := replyOf(evs, turnsOf(evs)[0].Batch); !strings.Contains(got, "tools: allowed | allowed | allowed") {
					t.Errorf("reply %q", got)
				}
			},
		},
		{
			name: "always allows the tool for the rest of the party (the owner's, not a co-host's)",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				bob := join(t, c.h.Invite(), "bob")
				c.promote(t, bob.c.Hello().You.ID, bob)
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK=2 two files"}, nil)
				id := permissions(bob.waitFor(t, "the request", nPermissions(wire.PermissionPending, 1)), wire.PermissionPending)[0].ID
				// A co-host's "always" is refused: it is a standing permission on the owner's
				// computer, as "all" is (a reviewer's). The request waits on for the owner.
				var re *rpc.Error
				if err := bob.c.Decide(ctx, id, wire.DecisionAlways, ""); !errors.As(err, &re) || re.Code != wire.CodeNotAllowed {
					t.Fatalf("a co-host's always: %v", err)
				}
				if err := c.owner.Decide(ctx, id, wire.DecisionAlways, ""); err != nil {
					t.Fatal(err)
				}
				evs := alice.rec.waitFor(t, "the turn", nTurns(1))
				// The second asks nobody, and is said as allowed by the owner's "always" (a
				// tester's left no word of it, in the terminals or the export).
				always := func(p wire.Permission) bool {
					return p.Status == wire.PermissionAllowed && p.By == "hosty" && p.Reason == "always allow Bash"
				}
				if all := permissions(evs, ""); len(all) != 3 || all[1].ID != id || !always(all[1]) || all[2].ID == id || !always(all[2]) {
					t.Errorf("permission events %+v: want one request, allowed always by hosty, and the second allowed by it unasked", all)
				}
				if got := replyOf(evs, turnsOf(evs)[0].Batch); !strings.Contains(got, "tools: allowed | allowed") {
					t.Errorf("reply %q", got)
				}
				// A later turn asks nobody.
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK once more"}, nil)
				evs = alice.rec.waitFor(t, "the second turn", nTurns(2))
				if all := permissions(evs, ""); len(all) != 4 || !always(all[3]) || len(permissions(evs, wire.PermissionPending)) != 1 {
					t.Errorf("permission events after the second turn %+v, want one more, allowed unasked", all)
				}
				if tr := turnsOf(evs)[1]; tr.Status != wire.TurnDone || !strings.Contains(replyOf(evs, tr.Batch), "tools: allowed") {
					t.Errorf("second turn %+v: %q", tr, replyOf(evs, tr.Batch))
				}
				// Everyone sees what is always allowed, a late joiner in its hello too.
				if st := kinds(evs, wire.KindSettings); len(st) != 1 || !slices.Equal(st[0].Settings.Always, []string{"Bash"}) {
					t.Errorf("settings events %+v: want one, always [Bash]", st)
				}
				late := dialRaw(t, c.h.Invite(), "late")
				if res, err := late.hello(map[string]any{"name": "late", "token": c.h.Invite().Token}); err != nil || !slices.Equal(res.Party.Always, []string{"Bash"}) {
					t.Errorf("late hello: %+v %+v", res.Party, err)
				}
				// A host takes it back (an extension of §7): the tool asks again.
				alice.fails(wire.MethodRevokeAlways, map[string]any{"tool": "Bash"}, wire.CodeNotAllowed)
				carol := c.cohost(t, "carol")
				carol.fails(wire.MethodRevokeAlways, map[string]any{}, rpc.CodeInvalidParams)
				carol.fails(wire.MethodRevokeAlways, map[string]any{"tool": "Write"}, rpc.CodeInvalidParams)
				if err := bob.c.RevokeAlways(ctx, "Bash"); err != nil {
					t.Fatal(err)
				}
				// The settings event comes first and the notice after it, maybe in a later frame.
				evs = alice.rec.waitFor(t, "the revocation", func(evs []wire.Event) bool {
					return len(kinds(evs, wire.KindSettings)) == 2 && hasSystem(evs, "bob made Bash ask again: it is no longer always allowed")
				})
				if st := kinds(evs, wire.KindSettings)[1].Settings; st.Always == nil || len(st.Always) != 0 || !hasSystem(evs, "bob made Bash ask again: it is no longer always allowed") {
					t.Errorf("after the revocation: settings %+v", st)
				}
				if raw := alice.rec.rawOf(kinds(evs, wire.KindSettings)[1].Seq); !strings.Contains(string(raw), `"always":[]`) {
					t.Errorf("settings on the wire: %s", raw)
				}
				carol.fails(wire.MethodRevokeAlways, map[string]any{"tool": "Bash"}, rpc.CodeInvalidParams) // already revoked
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK and again"}, nil)
				evs = alice.rec.waitFor(t, "a new request", nPermissions(wire.PermissionPending, 2))
				pid := permissions(evs, wire.PermissionPending)[1].ID
				carol.ok(wire.MethodDecide, map[string]any{"permission": pid, "decision": "allow"}, nil)
				alice.rec.waitFor(t, "the third turn", nTurns(3))
			},
		},
		{
			name: "timeout denies and the turn goes on",
			cfg:  Config{Insecure: true, PermissionTimeout: 300 * time.Millisecond},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				before := time.Now()
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK nobody answers"}, nil)
				everyone(t, "the turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					p := permissions(evs, wire.PermissionPending)
					to := permissions(evs, wire.PermissionTimedOut)
					if len(p) != 1 || len(to) != 1 || to[0].ID != p[0].ID || to[0].By != "" || !strings.Contains(to[0].Reason, "300ms") {
						t.Errorf("%s: pending %+v, timed out %+v", who, p, to)
					}
					// The pending request says when it times out (an extension); the decision does not.
					if e := p[0].Expires; e == nil || e.Before(before.Add(300*time.Millisecond)) || e.After(time.Now().Add(300*time.Millisecond)) {
						t.Errorf("%s: pending expires %v, want 300ms after it was asked", who, e)
					}
					if to[0].Expires != nil {
						t.Errorf("%s: the decision carries expires %v", who, to[0].Expires)
					}
					tr := turnsOf(evs)[0]
					if tr.Status != wire.TurnDone || tr.Denied != 1 {
						t.Errorf("%s: turn %+v", who, tr)
					}
					if got := replyOf(evs, tr.Batch); !strings.Contains(got, "denied: Nobody decided on this tool use in time") {
						t.Errorf("%s: reply %q", who, got)
					}
				})
				id := permissions(carol.rec.events(), wire.PermissionTimedOut)[0].ID
				carol.fails(wire.MethodDecide, map[string]any{"permission": id, "decision": "allow"}, rpc.CodeInvalidParams)
			},
		},
		{
			name: "interrupt while a tool request waits (raw co-host)",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				carol.fails(wire.MethodInterrupt, map[string]any{}, rpc.CodeInvalidParams) // nothing runs yet
				alice.ok(wire.MethodPrompt, map[string]any{"text": "FAKE_ASK then stop"}, nil)
				carol.rec.waitFor(t, "the request", nPermissions(wire.PermissionPending, 1))
				carol.ok(wire.MethodInterrupt, map[string]any{}, nil)
				everyone(t, "the turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					tr := turnsOf(evs)[0]
					if tr.Status != wire.TurnInterrupted || tr.Error != "stopped by carol" {
						t.Errorf("%s: turn %+v", who, tr)
					}
					if got := replyOf(evs, tr.Batch); got != "Let me check." {
						t.Errorf("%s: partial reply %q, want the text before the request kept", who, got)
					}
					d := permissions(evs, wire.PermissionDenied)
					if len(d) != 1 || d[0].By != "" || d[0].Reason != "the turn ended before a decision" {
						t.Errorf("%s: the request was not closed: %+v", who, d)
					}
					if !hasSystem(evs, "carol stopped the turn") {
						t.Errorf("%s: no notice", who)
					}
				})
				// The agent is still there for the next batch.
				alice.ok(wire.MethodPrompt, map[string]any{"text": "after the stop"}, nil)
				evs := alice.rec.waitFor(t, "the next turn", nTurns(2))
				if tr := turnsOf(evs)[1]; tr.Status != wire.TurnDone || replyOf(evs, tr.Batch) != "echo: after the stop" {
					t.Errorf("next turn %+v: %q", tr, replyOf(evs, tr.Batch))
				}
			},
		},
		{
			name: "interrupt while the reply streams (client co-host)",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				bob := join(t, c.h.Invite(), "bob")
				c.promote(t, bob.c.Hello().You.ID, bob)
				const prompt = "FAKE_SLOW=60000 a long job"
				alice.ok(wire.MethodPrompt, map[string]any{"text": prompt}, nil)
				bob.waitFor(t, "the first output", func(e []wire.Event) bool { return len(kinds(e, wire.KindOutput)) > 0 })
				if err := bob.c.Interrupt(ctx); err != nil {
					t.Fatal(err)
				}
				everyone(t, "the turn", []watcher{alice.rec, bob, c.own}, nTurns(1), func(who string, evs []wire.Event) {
					tr := turnsOf(evs)[0]
					got := replyOf(evs, tr.Batch)
					if tr.Status != wire.TurnInterrupted || tr.Error != "stopped by bob" {
						t.Errorf("%s: turn %+v", who, tr)
					}
					if full := "echo: " + prompt; got == "" || got == full || !strings.HasPrefix(full, got) {
						t.Errorf("%s: partial reply %q, want a kept prefix of %q", who, got, full)
					}
				})
			},
		},
		{
			name: "viewer refused; participants may not call host methods",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				// Before hello, and with a wrong token: -32001 and the connection closes.
				early := dialRaw(t, c.h.Invite(), "early")
				early.fails(wire.MethodPrompt, map[string]any{"text": "hi"}, wire.CodeUnauthorized)
				if ce := early.closed(); ce.Code != websocket.ClosePolicyViolation {
					t.Errorf("close after a request before hello: %v", ce)
				}
				wrong := dialRaw(t, c.h.Invite(), "wrong")
				if _, err := wrong.hello(map[string]any{"name": "wrong", "token": strings.Repeat("A", 32)}); err == nil || err.Code != wire.CodeUnauthorized {
					t.Errorf("hello with a wrong token: %+v", err)
				}

				alice := c.raw(t, "alice")
				vic := c.rawWith(t, "vic", c.h.ViewerInvite())
				if vic.you.Role != wire.RoleViewer || vic.you.Session == "" || alice.you.Role != wire.RoleParticipant {
					t.Fatalf("roles: vic %+v, alice %+v", vic.you, alice.you)
				}
				vic.fails(wire.MethodPrompt, map[string]any{"text": "let me in"}, wire.CodeNotAllowed)
				// Whatever the prompt holds (a conformance tester's {"text": 5} got -32602); a
				// participant's is refused for what it holds.
				vic.fails(wire.MethodPrompt, map[string]any{"text": 5}, wire.CodeNotAllowed)
				vic.fails(wire.MethodPrompt, []any{1}, wire.CodeNotAllowed)
				alice.fails(wire.MethodPrompt, map[string]any{"text": 5}, rpc.CodeInvalidParams)
				// Every host method answers -32002 to both, before the params are looked at.
				calls := []struct {
					method string
					params any
				}{
					{wire.MethodSetApproval, map[string]any{"on": true}},
					{wire.MethodApprove, map[string]any{}},
					{wire.MethodReject, map[string]any{"batch": "b1"}},
					{wire.MethodInterrupt, map[string]any{}},
					{wire.MethodDecide, map[string]any{"permission": "nope", "decision": "allow"}},
					{wire.MethodSetRole, map[string]any{"member": vic.you.ID, "role": "host"}},
					{wire.MethodKick, map[string]any{"member": alice.you.ID}},
					{wire.MethodRotateInvite, map[string]any{}},
					{wire.MethodAgentCommand, map[string]any{"command": "/compact"}},
				}
				for _, cl := range calls {
					vic.fails(cl.method, cl.params, wire.CodeNotAllowed)
					alice.fails(cl.method, cl.params, wire.CodeNotAllowed)
				}
				// The viewer still watches everything.
				alice.ok(wire.MethodPrompt, map[string]any{"text": "hello agent"}, nil)
				evs := vic.rec.waitFor(t, "the turn", nTurns(1))
				if len(kinds(evs, wire.KindPrompt)) != 1 || replyOf(evs, turnsOf(evs)[0].Batch) != "echo: hello agent" {
					t.Errorf("viewer saw:\n%s", dumpEvents(evs))
				}
				if texts, commands, _ := c.agentLog(t); !slices.Equal(texts, []string{"hello agent"}) || len(commands) != 0 {
					t.Errorf("agent got %q %q", texts, commands)
				}
			},
		},
		{
			name: "co-host: promoted, promotes over the wire, demoted",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				bob := join(t, c.h.Invite(), "bob")
				bobID := bob.c.Hello().You.ID
				if bob.c.Hello().You.Role != wire.RoleParticipant {
					t.Fatalf("bob joined as %+v", bob.c.Hello().You)
				}
				carol.ok(wire.MethodSetRole, map[string]any{"member": bobID, "role": "host"}, nil)
				everyone(t, "bob's promotion", []watcher{alice.rec, carol.rec, bob, c.own}, func(e []wire.Event) bool {
					// The role change, then its notice.
					return changedTo(e, bobID) == wire.RoleHost && hasSystem(e, "carol made bob a co-host")
				}, func(string, []wire.Event) {})
				if r := bob.c.Hello().You.Role; r != wire.RoleHost {
					t.Errorf("bob's client says role %q after the promotion", r)
				}
				if err := bob.c.SetApproval(ctx, true); err != nil {
					t.Fatal(err)
				}
				alice.rec.waitFor(t, "settings", func(e []wire.Event) bool {
					s := kinds(e, wire.KindSettings)
					return len(s) == 1 && s[0].Settings.Approval
				})
				// The owner's role is fixed; bad members and roles are invalid params.
				for _, bad := range []struct{ member, role string }{
					{c.owner.ID(), wire.RoleParticipant}, {"m999", wire.RoleHost}, {alice.you.ID, "admin"},
				} {
					if err := bob.c.SetRole(ctx, bad.member, bad.role); rpcCode(err) != rpc.CodeInvalidParams {
						t.Errorf("setRole %+v: %v, want -32602", bad, err)
					}
				}
				if err := bob.c.SetRole(ctx, carol.you.ID, wire.RoleViewer); err != nil {
					t.Fatal(err)
				}
				carol.rec.waitFor(t, "the demotion", func(e []wire.Event) bool { return changedTo(e, carol.you.ID) == wire.RoleViewer })
				carol.fails(wire.MethodSetApproval, map[string]any{"on": false}, wire.CodeNotAllowed)
				carol.fails(wire.MethodPrompt, map[string]any{"text": "can I still?"}, wire.CodeNotAllowed)
				var st wire.State
				alice.ok(wire.MethodGetState, map[string]any{}, &st)
				roles := map[string]string{}
				for _, m := range st.Participants {
					roles[m.Name] = m.Role
				}
				want := map[string]string{"hosty": "host", "alice": "participant", "carol": "viewer", "bob": "host"}
				if fmt.Sprint(roles) != fmt.Sprint(want) {
					t.Errorf("participants %v, want %v", roles, want)
				}
				// A co-host stepping down reads as such (it was "bob made bob a participant").
				if err := bob.c.SetRole(ctx, bobID, wire.RoleParticipant); err != nil {
					t.Fatal(err)
				}
				alice.rec.waitFor(t, "bob's step down", func(e []wire.Event) bool { return hasSystem(e, "bob made themselves a participant") })
				// A member's session is a secret: only its own hello reply carries it.
				for _, m := range st.Participants {
					if m.Session != "" {
						t.Errorf("state lists %s with a session", m.Name)
					}
				}
				for _, ev := range alice.rec.events() {
					if raw := alice.rec.rawOf(ev.Seq); strings.Contains(string(raw), `"session"`) {
						t.Errorf("an event carries a session: %s", raw)
					}
				}
			},
		},
		{
			name: "kick closes with 4001 and kills the session, over TLS",
			cfg:  Config{},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				dave := join(t, c.h.Invite(), "dave")
				carol.ok(wire.MethodKick, map[string]any{"member": alice.you.ID, "reason": "spamming"}, nil)
				if ce := alice.closed(); ce.Code != wire.CloseKicked || ce.Text != "kicked" {
					t.Errorf("kicked connection closed with %d %q, want 4001 kicked", ce.Code, ce.Text)
				}
				everyone(t, "alice leaving", []watcher{carol.rec, dave, c.own}, func(e []wire.Event) bool {
					return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Left != nil && ev.Left.ID == alice.you.ID })
				}, func(who string, evs []wire.Event) {
					if !hasSystem(evs, "carol removed alice from the party: spamming") {
						t.Errorf("%s: no notice", who)
					}
				})
				back := dialRaw(t, c.h.Invite(), "alice again")
				if _, err := back.hello(map[string]any{"name": "alice", "session": alice.you.Session}); err == nil || err.Code != wire.CodeUnauthorized {
					t.Errorf("hello with a kicked session: %+v, want -32001", err)
				}
				carol.fails(wire.MethodKick, map[string]any{"member": alice.you.ID}, rpc.CodeInvalidParams) // gone
				carol.fails(wire.MethodKick, map[string]any{"member": c.owner.ID()}, rpc.CodeInvalidParams)
				carol.fails(wire.MethodKick, map[string]any{"member": carol.you.ID}, rpc.CodeInvalidParams)
				// A client that is kicked stops for good instead of reconnecting.
				carol.ok(wire.MethodKick, map[string]any{"member": dave.c.Hello().You.ID}, nil)
				select {
				case <-dave.c.Done():
				case <-time.After(waitLimit):
					t.Fatal("the kicked client keeps going")
				}
				if !errors.Is(dave.c.Err(), client.ErrKicked) {
					t.Errorf("kicked client: %v, want ErrKicked", dave.c.Err())
				}
			},
		},
		{
			name: "rotate: old invites refused, members stay",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				oldP, oldV := c.h.Invite(), c.h.ViewerInvite()
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				var inv wire.Invites
				carol.ok(wire.MethodRotateInvite, map[string]any{}, &inv)
				newP, err := invite.Parse(inv.Invite)
				if err != nil {
					t.Fatal(err)
				}
				newV, err := invite.Parse(inv.ViewerInvite)
				if err != nil {
					t.Fatal(err)
				}
				if newP.Token == oldP.Token || newV.Token == oldV.Token || newP.Token == newV.Token ||
					newP.String() != c.h.Invite().String() || newV.String() != c.h.ViewerInvite().String() || newP.Port != oldP.Port {
					t.Fatalf("rotated invites %+v; old %s %s; host now %s %s", inv, oldP, oldV, c.h.Invite(), c.h.ViewerInvite())
				}
				for _, old := range []invite.Invite{oldP, oldV} {
					p := dialRaw(t, old, "stale")
					if _, err := p.hello(map[string]any{"name": "stale", "token": old.Token}); err == nil || err.Code != wire.CodeUnauthorized {
						t.Errorf("hello with an old token: %+v, want -32001", err)
					}
				}
				if p := c.rawWith(t, "newbie", newP); p.you.Role != wire.RoleParticipant {
					t.Errorf("new invite joins as %q", p.you.Role)
				}
				if p := c.rawWith(t, "newviewer", newV); p.you.Role != wire.RoleViewer {
					t.Errorf("new viewer invite joins as %q", p.you.Role)
				}
				alice.ok(wire.MethodPrompt, map[string]any{"text": "still here"}, nil)
				evs := alice.rec.waitFor(t, "the turn", nTurns(1))
				if !hasSystem(evs, "carol made new invites; the earlier links let nobody new in") {
					t.Error("no rotation notice")
				}
			},
		},
		{
			name: "session rejoin after rotation (raw and client)",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				inv := c.h.Invite()
				px := newProxy(t, net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port)))
				viaProxy := inv
				viaProxy.Port = px.port()
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				statuses := make(chan client.Status, 256) // few: connecting, connected, reconnecting...
				brec := newRecorder("bob")
				bob, jerr := client.Join(ctx, client.Config{
					Invite: viaProxy, Name: "bob", Backoff: []time.Duration{20 * time.Millisecond},
					OnEvent:  func(ev wire.Event) { brec.add(ev, nil) },
					OnStatus: func(s client.Status) { statuses <- s },
				})
				if jerr != nil {
					t.Fatal(jerr)
				}
				t.Cleanup(bob.Close)
				waitStatus := func(state string) {
					t.Helper()
					timer := time.NewTimer(waitLimit)
					defer timer.Stop()
					for {
						select {
						case s := <-statuses:
							if s.State == state {
								return
							}
						case <-timer.C:
							t.Fatalf("bob never got to %s (err %v)", state, bob.Err())
						}
					}
				}
				waitStatus(client.StatusConnected)
				bobID := bob.Hello().You.ID
				c.promote(t, bobID, brec)
				carol.ok(wire.MethodRotateInvite, map[string]any{}, nil)
				newInv := c.h.Invite()

				// alice left before; she comes back with her session and catches up.
				alice.close()
				carol.rec.waitFor(t, "alice leaving", func(e []wire.Event) bool {
					return slices.ContainsFunc(e, func(ev wire.Event) bool { return ev.Left != nil && ev.Left.ID == alice.you.ID })
				})
				carol.ok(wire.MethodSetApproval, map[string]any{"on": true}, nil)
				back := dialRaw(t, newInv, "alice back")
				res, err := back.hello(map[string]any{"name": "someone else", "session": alice.you.Session, "since": alice.seq})
				if err != nil {
					t.Fatalf("rejoin with session: %+v", err)
				}
				if res.You.ID != alice.you.ID || res.You.Name != "alice" || res.You.Role != wire.RoleParticipant || !res.Party.Approval {
					t.Errorf("rejoined as %+v (party %+v), want alice as she was", res.You, res.Party)
				}
				if len(kinds(res.State.Events, wire.KindSettings)) != 1 || res.State.Events[0].Seq != alice.seq+1 {
					t.Errorf("catch-up from since=%d:\n%s", alice.seq, dumpEvents(res.State.Events))
				}

				// carol, still connected, joins again with her session: the new connection
				// replaces the old one, keeps her role, and nobody sees a join.
				carol2 := dialRaw(t, newInv, "carol again")
				res2, err := carol2.hello(map[string]any{"name": "carol", "session": carol.you.Session})
				if err != nil || res2.You.ID != carol.you.ID || res2.You.Role != wire.RoleHost {
					t.Fatalf("carol's second connection: %+v %+v", res2.You, err)
				}
				if ce := carol.closed(); ce.Code != websocket.CloseNormalClosure || ce.Text != wire.ReasonReplaced {
					t.Errorf("replaced connection closed with %v", ce)
				}
				carol2.ok(wire.MethodSetApproval, map[string]any{"on": false}, nil)
				for _, ev := range c.own.waitFor(t, "settings", func(e []wire.Event) bool { return len(kinds(e, wire.KindSettings)) == 2 }) {
					if ev.Seq > res2.State.Seq && ev.Kind == wire.KindParticipants && (ev.Joined != nil || ev.Left != nil) {
						t.Errorf("a replacing connection showed as a join or leave: %+v", ev)
					}
				}

				// bob's client loses its connection; it rejoins with its session although
				// the invite it was given no longer works.
				px.cut()
				waitStatus(client.StatusReconnecting)
				waitStatus(client.StatusConnected)
				if you := bob.Hello().You; you.ID != bobID || you.Role != wire.RoleHost {
					t.Errorf("bob came back as %+v", you)
				}
				if err := bob.SetApproval(ctx, true); err != nil {
					t.Errorf("bob's host method after rejoining: %v", err)
				}
				// An unknown session is refused.
				ghost := dialRaw(t, newInv, "ghost")
				if _, err := ghost.hello(map[string]any{"name": "ghost", "session": "no-such-session"}); err == nil || err.Code != wire.CodeUnauthorized {
					t.Errorf("hello with an unknown session: %+v", err)
				}
				// Again, now that the replaced connection has surely been let go of.
				for _, ev := range c.own.events() {
					if ev.Seq > res2.State.Seq && ev.Kind == wire.KindParticipants && (ev.Joined != nil && ev.Joined.ID == carol.you.ID || ev.Left != nil && ev.Left.ID == carol.you.ID) {
						t.Errorf("carol's replaced connection showed as a join or leave: %+v", ev)
					}
				}
			},
		},
		{
			name: "a participant's /clear is text; a host's /compact is a command",
			cfg:  Config{Insecure: true},
			run: func(t *testing.T, c *ctl) {
				alice := c.raw(t, "alice")
				carol := c.cohost(t, "carol")
				alice.ok(wire.MethodPrompt, map[string]any{"text": "/clear"}, nil)
				evs := alice.rec.waitFor(t, "the turn", nTurns(1))
				b := batchesOf(evs)
				// Sent, and shown, with a leading space: exactly what the agent got (§5).
				if len(b) != 1 || b[0].Merged != " /clear" || turnsOf(evs)[0].Status != wire.TurnDone {
					t.Fatalf("batch %+v turn %+v", b, turnsOf(evs))
				}
				if got := replyOf(evs, b[0].ID); got != "echo:  /clear" {
					t.Errorf("reply %q: the agent should have answered the text", got)
				}
				alice.fails(wire.MethodAgentCommand, map[string]any{"command": "/compact"}, wire.CodeNotAllowed)
				carol.fails(wire.MethodAgentCommand, map[string]any{"command": "compact"}, rpc.CodeInvalidParams)
				carol.fails(wire.MethodAgentCommand, map[string]any{"command": "/compact\n/clear"}, rpc.CodeInvalidParams)
				carol.ok(wire.MethodAgentCommand, map[string]any{"command": "/compact"}, nil)
				everyone(t, "the command's turn", []watcher{alice.rec, carol.rec, c.own}, nTurns(2), func(who string, evs []wire.Event) {
					b := batchesOf(evs)
					if len(b) != 2 || b[1].Merged != "/compact" || b[1].Merger != "command" || len(b[1].Prompts) != 0 {
						t.Errorf("%s: batches %+v", who, b)
					}
					if tr := turnsOf(evs)[1]; tr.Status != wire.TurnDone || tr.Batch != b[len(b)-1].ID {
						t.Errorf("%s: turn %+v", who, tr)
					}
					if !hasSystem(evs, "carol ran the agent command /compact") {
						t.Errorf("%s: no notice", who)
					}
				})
				alice.ok(wire.MethodPrompt, map[string]any{"text": "same session?"}, nil)
				alice.rec.waitFor(t, "the last turn", nTurns(3))
				texts, commands, sessions := c.agentLog(t)
				if !slices.Equal(texts, []string{" /clear", "same session?"}) {
					t.Errorf("agent texts %q: the participant's /clear must arrive as text with one leading space", texts)
				}
				if !slices.Equal(commands, []string{"/compact"}) {
					t.Errorf("agent commands %q, want only the host's /compact", commands)
				}
				if len(sessions) != 3 || sessions[0] != sessions[2] {
					t.Errorf("sessions %q: the participant's /clear must not clear the session", sessions)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newCtl(t, tc.cfg))
		})
	}
}
