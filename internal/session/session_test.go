package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// emitted is one window event.
type emitted struct {
	name string
	data any
}

// recorder is a fake Emitter that keeps every window event.
type recorder struct {
	mu   sync.Mutex
	evs  []emitted
	wake chan struct{}
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{}, 1)} }

func (r *recorder) Emit(name string, data any) {
	r.mu.Lock()
	r.evs = append(r.evs, emitted{name, data})
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []emitted {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]emitted(nil), r.evs...)
}

// waitFor waits until pred holds for the events so far.
func (r *recorder) waitFor(t *testing.T, what string, pred func([]emitted) bool) []emitted {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if evs := r.all(); pred(evs) {
			return evs
		}
		select {
		case <-r.wake:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; window events:\n%s", what, dump(r.all()))
		}
	}
}

func dump(evs []emitted) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s %+v\n", e.name, e.data)
	}
	return b.String()
}

// partyEvents are the payloads of party:event, in emission order.
func partyEvents(evs []emitted) []wire.Event {
	var out []wire.Event
	for _, e := range evs {
		if e.name == EventPartyEvent {
			out = append(out, e.data.(wire.Event))
		}
	}
	return out
}

func statuses(evs []emitted) []Status {
	var out []Status
	for _, e := range evs {
		if e.name == EventPartyStatus {
			out = append(out, e.data.(Status))
		}
	}
	return out
}

func ended(evs []emitted) []Ended {
	var out []Ended
	for _, e := range evs {
		if e.name == EventPartyEnded {
			out = append(out, e.data.(Ended))
		}
	}
	return out
}

// hasOutput reports whether the assistant output of evs contains text.
func hasOutput(evs []wire.Event, text string) bool {
	var b strings.Builder
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant {
			b.WriteString(ev.Text)
		}
	}
	return strings.Contains(b.String(), text)
}

// checkOrder fails unless the seqs rise strictly (no duplicate, no reordering).
func checkOrder(t *testing.T, evs []wire.Event, after int64) {
	t.Helper()
	for _, ev := range evs {
		if ev.Seq <= after {
			t.Fatalf("event seq %d (%s) after %d: duplicate or out of order", ev.Seq, ev.Kind, after)
		}
		after = ev.Seq
	}
}

func newManager(t *testing.T, rec *recorder, mod func(*Config)) *Manager {
	t.Helper()
	cfg := Config{Emitter: rec, DataDir: t.TempDir(), Insecure: true}
	if mod != nil {
		mod(&cfg)
	}
	m := New(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("close manager: %v", err)
		}
	})
	return m
}

// joinedWindow is a window (its events in rec) joined to h's party as name.
func joinedWindow(t *testing.T, h *host.Host, name string) (*recorder, *Manager, Info) {
	t.Helper()
	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Join(context.Background(), h.Invite().String(), name)
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	return rec, m, info
}

// joinedThroughProxy is a window joined to h's party as name through a proxy the test can
// pause and cut, trying to reconnect after backoff.
func joinedThroughProxy(t *testing.T, h *host.Host, name string, backoff time.Duration) (*recorder, *Manager, *proxy, Info) {
	t.Helper()
	inv := h.Invite()
	px := newProxy(t, net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port)))
	inv.Port = px.port()
	rec := newRecorder()
	m := newManager(t, rec, func(c *Config) { c.ClientBackoff = []time.Duration{backoff} })
	info, err := m.Join(context.Background(), inv.String(), name)
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	return rec, m, px, info
}

func hostRequest(t *testing.T) HostRequest {
	return HostRequest{
		Name: "hazel", Workdir: t.TempDir(), Window: 100 * time.Millisecond, MinPrompts: 1,
		Merger: "local", ClaudePath: testkit.FakeClaude(t), Listen: "127.0.0.1:0", PublicHost: "127.0.0.1",
	}
}

// remoteOwner is h's party's owner, "remote-host", in h's process (its events drained):
// it leaves at the test's end.
func remoteOwner(t *testing.T, h *host.Host) *party.Local {
	t.Helper()
	owner, _, err := h.Party().JoinLocal("remote-host", wire.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Leave)
	go func() {
		for range owner.Events() {
		}
	}()
	return owner
}

// startRemoteHost runs a party the way another machine's `concordia host` would.
func startRemoteHost(t *testing.T, insecure bool) *host.Host {
	t.Helper()
	return startHostWith(t, func(c *host.Config) { c.Insecure = insecure })
}

// startHostWith is startRemoteHost's host with mod's changes to its config.
func startHostWith(t *testing.T, mod func(*host.Config)) *host.Host {
	t.Helper()
	cfg := host.Config{
		Listen: "127.0.0.1:0", PublicHost: "127.0.0.1", Name: "remote-host", Window: 100 * time.Millisecond,
		MinPrompts: 1, Agent: agent.Config{Path: testkit.FakeClaude(t), WorkDir: t.TempDir()},
		DataDir: t.TempDir(),
	}
	mod(&cfg)
	h, err := host.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start host: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
	})
	return h
}

func TestHostedPartyShowsParticipantPromptAndReply(t *testing.T) {
	rec := newRecorder()
	var changes sync.WaitGroup
	changes.Add(1)
	var once sync.Once
	m := newManager(t, rec, func(c *Config) { c.OnChange = func() { once.Do(changes.Done) } })

	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	changes.Wait() // OnChange ran when the party became current
	if info.Role != wire.RoleHost || info.You.Name != "hazel" || info.You.Role != wire.RoleHost {
		t.Fatalf("info = %+v", info)
	}
	if info.Party.Merger != wire.MergerLocal || info.Party.WindowMS != 100 {
		t.Fatalf("party info = %+v", info.Party)
	}
	if len(info.State.Participants) != 1 || info.State.Participants[0].Name != "hazel" {
		t.Fatalf("participants = %+v", info.State.Participants)
	}
	if s := m.Snapshot(); s.Role != wire.RoleHost || s.Participants != 1 || s.Invite != info.Invite || s.Status != StatusConnected {
		t.Fatalf("snapshot = %+v", s)
	}
	inv, err := invite.Parse(info.Invite)
	if err != nil {
		t.Fatalf("invite %q: %v", info.Invite, err)
	}
	if got, err := m.Invite(); err != nil || got != info.Invite {
		t.Fatalf("Invite() = %q, %v", got, err)
	}

	bob, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "bob"})
	if err != nil {
		t.Fatalf("bob joins: %v", err)
	}
	defer bob.Close()
	if _, err := bob.Prompt(context.Background(), "hello from bob"); err != nil {
		t.Fatalf("bob prompts: %v", err)
	}
	evs := rec.waitFor(t, "the agent's reply to bob", func(e []emitted) bool {
		return hasOutput(partyEvents(e), "echo: hello from bob")
	})
	pe := partyEvents(evs)
	checkOrder(t, pe, info.State.Seq)
	var sawJoin, sawPrompt, sawBatch bool
	for _, ev := range pe {
		switch {
		case ev.Kind == wire.KindParticipants && ev.Joined != nil && ev.Joined.Name == "bob":
			sawJoin = true
		case ev.Kind == wire.KindPrompt && ev.Prompt.User == "bob":
			sawPrompt = true
		case ev.Kind == wire.KindBatch:
			sawBatch = true
		}
	}
	if !sawJoin || !sawPrompt || !sawBatch {
		t.Fatalf("join %v, prompt %v, batch %v in:\n%s", sawJoin, sawPrompt, sawBatch, dump(evs))
	}
	if s := m.Snapshot(); s.Participants != 2 {
		t.Fatalf("snapshot participants = %d, want 2", s.Participants)
	}

	// The host prompts from the window too.
	ack, err := m.Prompt(context.Background(), "and one from hazel")
	if err != nil || ack.ID == "" || ack.Seq <= info.State.Seq {
		t.Fatalf("Prompt = %+v, %v", ack, err)
	}
	rec.waitFor(t, "the reply to the host", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: and one from hazel") })

	if err := m.End(context.Background()); err != nil {
		t.Fatalf("End: %v", err)
	}
	if got := ended(rec.all()); len(got) != 1 || got[0].Reason != "you ended the party" {
		t.Fatalf("party:ended = %+v", got)
	}
	select {
	case <-bob.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("bob was not told that the party ended")
	}
	if !errors.Is(bob.Err(), client.ErrEnded) {
		t.Fatalf("bob's end: %v", bob.Err())
	}
	if s := m.Snapshot(); s != (Snapshot{}) {
		t.Fatalf("snapshot after End = %+v", s)
	}
	if _, err := m.Prompt(context.Background(), "late"); !errors.Is(err, ErrNoParty) {
		t.Fatalf("Prompt after End = %v, want ErrNoParty", err)
	}
	// A new party can be hosted after the last one ended.
	if _, err := m.Host(context.Background(), hostRequest(t)); err != nil {
		t.Fatalf("second Host: %v", err)
	}
}

func TestJoinPartyFlow(t *testing.T) {
	h := startRemoteHost(t, false) // TLS, fingerprint pinned
	hostView := remoteOwner(t, h)

	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Join(context.Background(), "  "+h.Invite().String()+"\n", " carol ")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if info.Role != wire.RoleParticipant || info.You.Name != "carol" || info.Party.Host != "remote-host" || info.AskedName != "" {
		t.Fatalf("info = %+v", info)
	}
	if info.Invite != h.Invite().String() {
		t.Fatalf("info.Invite = %q, want %q", info.Invite, h.Invite())
	}
	if len(info.State.Participants) != 2 {
		t.Fatalf("participants = %+v", info.State.Participants)
	}
	// The state carries the party's history, so the window starts complete.
	if len(info.State.Events) == 0 || info.State.Events[len(info.State.Events)-1].Seq != info.State.Seq {
		t.Fatalf("state events end at %v, seq %d", info.State.Events, info.State.Seq)
	}
	st := statuses(rec.all())
	if len(st) < 2 || st[0].Status != StatusConnecting || st[len(st)-1].Status != StatusConnected {
		t.Fatalf("statuses = %+v", st)
	}

	if _, err := hostView.Prompt("from the host"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the host's prompt answered", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: from the host") })
	// A prompt carol takes back while the agent works is never sent.
	if _, err := hostView.Prompt("slow FAKE_SLOW=1500"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the slow turn under way", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: s") })
	ack, err := m.Prompt(context.Background(), "never mind")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Withdraw(context.Background(), ack.ID); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	if err := m.Withdraw(context.Background(), ack.ID); err == nil || !strings.Contains(err.Error(), "that prompt is no longer waiting") {
		t.Fatalf("Withdraw again: %v", err)
	}
	rec.waitFor(t, "the withdrawn event", func(e []emitted) bool {
		for _, ev := range partyEvents(e) {
			if ev.Kind == wire.KindWithdrawn && *ev.Withdrawn == (wire.Withdrawn{Prompt: ack.ID, User: "carol", By: "carol", ByMember: info.You.ID}) {
				return true
			}
		}
		return false
	})
	if _, err := m.Prompt(context.Background(), "from carol"); err != nil {
		t.Fatalf("Prompt: %v", err)
	}
	evs := rec.waitFor(t, "carol's prompt answered", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: from carol") })
	checkOrder(t, partyEvents(evs), info.State.Seq)
	if hasOutput(partyEvents(evs), "never mind") {
		t.Fatal("the withdrawn prompt reached the agent")
	}
	if err := m.End(context.Background()); !errors.Is(err, ErrNotHost) {
		t.Fatalf("End as participant = %v, want ErrNotHost", err)
	}

	// The host ends the party: the window is told once, with the reason.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	evs = rec.waitFor(t, "party:ended", func(e []emitted) bool { return len(ended(e)) > 0 })
	if got := ended(evs); len(got) != 1 || got[0].Reason != "the host ended the party" {
		t.Fatalf("party:ended = %+v", got)
	}
	if st := statuses(evs); st[len(st)-1].Status != StatusClosed {
		t.Fatalf("last status = %+v", st[len(st)-1])
	}
	if s := m.Snapshot(); s.Role != "" {
		t.Fatalf("snapshot after the end = %+v", s)
	}
}

// Leaving a party and joining it again from the same window comes back as the same
// member: a tester's earlier prompts were no longer "you" (another member of the same
// name), and a viewer a host had made could have come back a participant.
func TestJoinAgainAfterLeavingIsTheSameMember(t *testing.T) {
	h := startRemoteHost(t, true)
	rec := newRecorder()
	m := newManager(t, rec, nil)
	first, err := m.Join(context.Background(), h.Invite().String(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Leave(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := m.Join(context.Background(), h.Invite().String(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if again.You.ID != first.You.ID || again.You.Name != "carol" {
		t.Fatalf("joined again as %+v, was %+v", again.You, first.You)
	}
	if err := m.Leave(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Under another name: someone else, as the name typed says (the host gives a member
	// coming back its old name, so the same client_id would have made this "carol").
	other, err := m.Join(context.Background(), h.Invite().String(), "Carol B")
	if err != nil {
		t.Fatal(err)
	}
	if other.You.ID == first.You.ID || other.You.Name != "Carol B" {
		t.Fatalf("joined as Carol B: %+v (carol was %+v)", other.You, first.You)
	}
	if err := m.Leave(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestJoinFailures(t *testing.T) {
	secure := startRemoteHost(t, false)
	inv := secure.Invite()
	wrongToken := inv
	wrongToken.Token = strings.Repeat("x", 24)
	wrongFP := inv
	wrongFP.Fingerprint = strings.Repeat("ab", 32)
	closed := inv
	closed.Port = freePort(t)

	tests := []struct {
		name string
		link string
		user string
		want []error
	}{
		{"bad link", "concordia://host-without-port/tok", "dan", []error{ErrBadRequest, invite.ErrInvalid}},
		{"web address", "https://example.org", "dan", []error{ErrBadRequest, invite.ErrInvalid}},
		{"empty name", inv.String(), "  ", []error{ErrBadRequest}},
		{"wrong token", wrongToken.String(), "dan", []error{client.ErrRefused}},
		{"fingerprint mismatch", wrongFP.String(), "dan", []error{client.ErrFingerprint}},
		{"nobody listening", closed.String(), "dan", []error{client.ErrUnreachable}},
	}
	rec := newRecorder()
	m := newManager(t, rec, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Join(context.Background(), tt.link, tt.user)
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Fatalf("Join = %v, want it to match %v", err, w)
				}
			}
			if s := m.Snapshot(); s.Role != "" {
				t.Fatalf("a failed join left a party: %+v", s)
			}
		})
	}
	if got := ended(rec.all()); len(got) != 0 {
		t.Fatalf("failed joins emitted party:ended: %+v", got)
	}
	// The window is free again: a good join works.
	if _, err := m.Join(context.Background(), inv.String(), "dan"); err != nil {
		t.Fatalf("join after failures: %v", err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// proxy forwards loopback TCP connections to a target; it can cut every connection
// and refuse new ones for a while, as a flaky network would.
type proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	paused bool
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		paused := p.paused
		p.mu.Unlock()
		if paused {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) setPaused(v bool) {
	p.mu.Lock()
	p.paused = v
	p.mu.Unlock()
}

// TestRetryNow: a window reconnecting with a long wait before its next attempt reaches the
// host as soon as it asks (the banner's Retry now), instead of when the backoff says.
func TestRetryNow(t *testing.T) {
	h := startRemoteHost(t, true)
	rec, m, px, _ := joinedThroughProxy(t, h, "erin", time.Hour)
	if err := m.RetryNow(); err != nil { // connected: nothing to do, and no shortcut saved for later
		t.Fatalf("RetryNow while connected: %v", err)
	}
	before := len(rec.all())
	px.setPaused(true)
	px.cut()
	rec.waitFor(t, "reconnecting", func(e []emitted) bool {
		st := statuses(e[before:])
		return len(st) > 0 && st[len(st)-1].Status == StatusReconnecting
	})
	time.Sleep(100 * time.Millisecond) // a saved shortcut would have connected by now (not an assertion)
	if s := m.Snapshot(); s.Status != StatusReconnecting {
		t.Fatalf("status %q before Retry now, want still reconnecting (the next try is an hour away)", s.Status)
	}
	// A page loaded now is told it reconnects, and how long is left of the hour.
	if cur, ok, err := m.Current(context.Background()); err != nil || !ok || cur.Status == nil ||
		cur.Status.Status != StatusReconnecting || cur.Status.Error == "" || cur.Status.RetryMS <= 0 || cur.Status.RetryMS > time.Hour.Milliseconds() {
		t.Fatalf("Current while reconnecting: %v %v %+v", ok, err, cur.Status)
	}
	px.setPaused(false)
	if err := m.RetryNow(); err != nil {
		t.Fatalf("RetryNow: %v", err)
	}
	rec.waitFor(t, "connected after Retry now", func(e []emitted) bool {
		st := statuses(e[before:])
		return len(st) > 0 && st[len(st)-1].Status == StatusConnected
	})
	if cur, ok, err := m.Current(context.Background()); err != nil || !ok || cur.Status != nil {
		t.Fatalf("Current once connected: %v %v %+v, want no status (connected)", ok, err, cur.Status)
	}
	if err := m.Leave(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.RetryNow(); !errors.Is(err, ErrNoParty) {
		t.Fatalf("RetryNow after leaving = %v, want ErrNoParty", err)
	}
}

func TestReconnectResyncsTheWindow(t *testing.T) {
	h := startRemoteHost(t, true)
	hostView := remoteOwner(t, h)
	rec, m, px, info := joinedThroughProxy(t, h, "erin", 20*time.Millisecond)
	if _, err := hostView.Prompt("before the drop"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the first reply", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: before the drop") })
	before := len(rec.all())

	// The network fails; while erin is away, the party goes on.
	px.setPaused(true)
	px.cut()
	rec.waitFor(t, "reconnecting", func(e []emitted) bool {
		for _, s := range statuses(e[before:]) {
			if s.Status == StatusReconnecting && s.Attempt >= 1 && s.Error != "" && s.RetryMS == 20 {
				return true
			}
		}
		return false
	})
	if s := m.Snapshot(); s.Status != StatusReconnecting {
		t.Fatalf("snapshot status = %q, want reconnecting", s.Status)
	}
	if _, err := m.Prompt(context.Background(), "while away"); !errors.Is(err, client.ErrNotConnected) {
		t.Fatalf("Prompt while disconnected = %v, want ErrNotConnected", err)
	}
	if _, err := hostView.Prompt("said while erin was away"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let the turn run while erin is away (not an assertion)
	px.setPaused(false)

	evs := rec.waitFor(t, "connected again", func(e []emitted) bool {
		st := statuses(e[before:])
		return len(st) > 0 && st[len(st)-1].Status == StatusConnected
	})
	// Exactly one full resync, before the connected status, holding the whole history.
	var states []wire.State
	var stateAt int
	for i, e := range evs[before:] {
		if e.name == EventPartyState {
			states = append(states, e.data.(wire.State))
			stateAt = before + i
		}
	}
	if len(states) != 1 {
		t.Fatalf("%d party:state events, want 1:\n%s", len(states), dump(evs[before:]))
	}
	st := states[0]
	if len(st.Events) == 0 || st.Events[0].Seq != 1 || st.Events[len(st.Events)-1].Seq != st.Seq {
		t.Fatalf("resync is not the whole history: first %v, seq %d", st.Events[:1], st.Seq)
	}
	checkOrder(t, st.Events, 0)
	var sawAway bool
	for _, ev := range st.Events {
		if ev.Kind == wire.KindPrompt && ev.Prompt.Text == "said while erin was away" {
			sawAway = true
		}
	}
	if !sawAway {
		t.Fatal("the resync misses the prompt sent while erin was away")
	}
	if len(st.Participants) != 2 {
		t.Fatalf("resync participants = %+v", st.Participants)
	}
	// Live events continue after the resync, none repeated.
	if _, err := m.Prompt(context.Background(), "back again"); err != nil {
		t.Fatalf("Prompt after reconnect: %v", err)
	}
	evs = rec.waitFor(t, "the reply after reconnecting", func(e []emitted) bool { return hasOutput(partyEvents(e), "echo: back again") })
	checkOrder(t, partyEvents(evs[stateAt:]), st.Seq)
	checkOrder(t, partyEvents(evs[:stateAt]), info.State.Seq)
	if got := ended(evs); len(got) != 0 {
		t.Fatalf("a reconnect ended the party: %+v", got)
	}

	if err := m.Leave(context.Background()); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	if got := ended(rec.all()); len(got) != 1 || got[0].Reason != "you left the party" {
		t.Fatalf("party:ended = %+v", got)
	}
}

func TestHostRequestProblems(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*HostRequest)
		want   string
	}{
		{"empty name", func(r *HostRequest) { r.Name = " " }, "display name is empty"},
		{"no workdir", func(r *HostRequest) { r.Workdir = "" }, "Choose the folder"},
		{"workdir is a file", func(r *HostRequest) { r.Workdir = file }, "not a folder"},
		{"zero window", func(r *HostRequest) { r.Window = 0 }, "batching window"},
		{"min prompts", func(r *HostRequest) { r.MinPrompts = 0 }, "Min prompts"},
		{"merger", func(r *HostRequest) { r.Merger = "magic" }, "merger"},
	}
	m := newManager(t, newRecorder(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hostRequest(t)
			tt.change(&r)
			_, err := m.Host(context.Background(), r)
			if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Host = %v, want ErrBadRequest saying %q", err, tt.want)
			}
		})
	}
}

func TestHostWithoutClaude(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	r := hostRequest(t)
	r.ClaudePath = filepath.Join(t.TempDir(), "no-such-claude")
	_, err := m.Host(context.Background(), r)
	if !errors.Is(err, agent.ErrNotInstalled) {
		t.Fatalf("Host = %v, want agent.ErrNotInstalled", err)
	}
	if !strings.Contains(err.Error(), "npm install -g @anthropic-ai/claude-code") {
		t.Fatalf("the error has no install hint: %v", err)
	}
	// Not left half-started.
	r.ClaudePath = testkit.FakeClaude(t)
	if _, err := m.Host(context.Background(), r); err != nil {
		t.Fatalf("Host after the failure: %v", err)
	}
}

func TestOneParty(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	ctx := context.Background()
	for name, f := range map[string]func() error{
		"Prompt": func() error { _, err := m.Prompt(ctx, "x"); return err },
		"Leave":  func() error { return m.Leave(ctx) },
		"End":    func() error { return m.End(ctx) },
		"Invite": func() error { _, err := m.Invite(); return err },
	} {
		if err := f(); !errors.Is(err, ErrNoParty) {
			t.Errorf("%s without a party = %v, want ErrNoParty", name, err)
		}
	}
	info, err := m.Host(ctx, hostRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Host(ctx, hostRequest(t)); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Host = %v, want ErrBusy", err)
	}
	if _, err := m.Join(ctx, info.Invite, "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Join while hosting = %v, want ErrBusy", err)
	}
}

func TestPromptChecks(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	if _, err := m.Host(context.Background(), hostRequest(t)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text string
		want error
	}{
		{"empty", "", ErrEmptyPrompt},
		{"white space", " \n\t ", ErrEmptyPrompt},
		{"over the limit", strings.Repeat("a", wire.MaxPromptBytes+1), ErrPromptTooLarge},
		{"at the limit", strings.Repeat("a", wire.MaxPromptBytes), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Prompt(context.Background(), tt.text)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Prompt = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCloseEndsTheHostedParty(t *testing.T) {
	rec := newRecorder()
	m := New(Config{Emitter: rec, DataDir: t.TempDir(), Insecure: true})
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := invite.Parse(info.Invite)
	bob, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case <-bob.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("bob was not told")
	}
	if !errors.Is(bob.Err(), client.ErrEnded) {
		t.Fatalf("bob: %v", bob.Err())
	}
	if _, err := m.Host(context.Background(), hostRequest(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Host after Close = %v, want ErrClosed", err)
	}
	if got := ended(rec.all()); len(got) != 1 {
		t.Fatalf("party:ended = %+v", got)
	}
}

// TestResyncBookkeeping drives the participant's event handling directly, for the
// cases a real host rarely produces: a reply whose events do not fit one message.
func TestResyncBookkeeping(t *testing.T) {
	ev := func(seq int64, kind string) wire.Event { return wire.Event{Seq: seq, Kind: kind} }
	count := func(n int) *int { return &n }
	tests := []struct {
		name string
		run  func(t *testing.T, a *active)
		// wantInitial is the seq of Join's state; wantStates the seqs of party:state;
		// wantLive the seqs emitted as party:event.
		wantInitial int64
		wantStates  []int64
		wantLive    []int64
	}{
		{
			name: "first hello complete",
			run: func(t *testing.T, a *active) {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 2, Events: []wire.Event{ev(1, "system"), ev(2, "system")}}})
				a.onEvent(ev(1, "system"))
				a.onEvent(ev(2, "system"))
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onEvent(ev(3, "prompt"))
			},
			wantInitial: 2, wantLive: []int64{3},
		},
		{
			name: "truncated first hello is completed by the catch-up",
			run: func(t *testing.T, a *active) {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 3, Truncated: true, Events: []wire.Event{ev(1, "system")}}})
				a.onEvent(ev(1, "system"))
				a.onEvent(ev(2, "system")) // fetched with getState
				a.onEvent(ev(3, "system"))
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onEvent(ev(4, "system"))
			},
			wantInitial: 3, wantLive: []int64{4},
		},
		{
			name: "failed catch-up claims only what came",
			run: func(t *testing.T, a *active) {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 5, Truncated: true, Events: []wire.Event{ev(1, "system")}}})
				a.onEvent(ev(1, "system"))
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onEvent(ev(6, "system"))
			},
			wantInitial: 1, wantLive: []int64{6},
		},
		{
			name: "reconnect emits one full state, then live events",
			run: func(t *testing.T, a *active) {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 1, Events: []wire.Event{ev(1, "system")}}})
				a.onEvent(ev(1, "system"))
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onEvent(ev(2, "prompt"))
				a.onStatus(client.Status{State: client.StatusReconnecting, Attempt: 1})
				a.onHello(wire.HelloResult{State: wire.State{Seq: 4, Events: []wire.Event{ev(3, "system"), ev(4, "system")}}})
				a.onEvent(ev(3, "system"))
				a.onEvent(ev(4, "system"))
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onEvent(ev(4, "system")) // a duplicate is dropped
				a.onEvent(ev(5, "system"))
			},
			wantInitial: 1, wantStates: []int64{4}, wantLive: []int64{2, 5},
		},
		{
			name: "reconnect with nothing missed still resyncs",
			run: func(t *testing.T, a *active) {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 1, Events: []wire.Event{ev(1, "system")}}})
				a.onEvent(ev(1, "system"))
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onHello(wire.HelloResult{State: wire.State{Seq: 1}})
				a.onStatus(client.Status{State: client.StatusConnected})
			},
			wantInitial: 1, wantStates: []int64{1},
		},
		{
			name: "participant count follows live events only",
			run: func(t *testing.T, a *active) {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 1, Participants: make([]wire.Member, 3), Events: []wire.Event{{Seq: 1, Kind: wire.KindParticipants, Count: count(1)}}}})
				a.onEvent(wire.Event{Seq: 1, Kind: wire.KindParticipants, Count: count(1)})
				a.onStatus(client.Status{State: client.StatusConnected})
				if a.members != 3 {
					t.Fatalf("members after hello = %d, want 3 (history must not count)", a.members)
				}
				a.onEvent(wire.Event{Seq: 2, Kind: wire.KindParticipants, Count: count(4)})
				if a.members != 4 {
					t.Fatalf("members = %d, want 4", a.members)
				}
			},
			wantInitial: 1, wantLive: []int64{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			m := New(Config{Emitter: rec})
			a := &active{m: m, role: wire.RoleParticipant, first: true}
			tt.run(t, a)
			if a.first || a.initial.Seq != tt.wantInitial {
				t.Fatalf("initial state seq %d (first %v), want %d", a.initial.Seq, a.first, tt.wantInitial)
			}
			if n := len(a.initial.Events); n > 0 && a.initial.Events[n-1].Seq != a.initial.Seq {
				t.Fatalf("initial state ends at event %d but claims seq %d", a.initial.Events[n-1].Seq, a.initial.Seq)
			}
			var states, live []int64
			for _, e := range rec.all() {
				switch e.name {
				case EventPartyState:
					st := e.data.(wire.State)
					checkOrder(t, st.Events, 0)
					if len(st.Events) == 0 || st.Events[0].Seq != 1 || st.Events[len(st.Events)-1].Seq != st.Seq {
						t.Fatalf("party:state is not the whole history: %+v", st)
					}
					states = append(states, st.Seq)
				case EventPartyEvent:
					live = append(live, e.data.(wire.Event).Seq)
				}
			}
			if fmt.Sprint(states) != fmt.Sprint(tt.wantStates) && !(len(states) == 0 && len(tt.wantStates) == 0) {
				t.Fatalf("party:state seqs %v, want %v", states, tt.wantStates)
			}
			if fmt.Sprint(live) != fmt.Sprint(tt.wantLive) && !(len(live) == 0 && len(tt.wantLive) == 0) {
				t.Fatalf("party:event seqs %v, want %v", live, tt.wantLive)
			}
		})
	}
}

var _ Emitter = (*recorder)(nil)

// TestEndSaysWhatTheAgentLeftRunning: a background job the agent's tool left running (in
// a session of its own, as the real CLI starts a tool's shell) is stopped when the window
// ends the party, and the window's "ended" reason says so.
func TestEndSaysWhatTheAgentLeftRunning(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are found by their environment only on Linux")
	}
	rec := newRecorder()
	m := newManager(t, rec, nil)
	if _, err := m.Host(context.Background(), hostRequest(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Prompt(context.Background(), "start a job FAKE_DETACH"); err != nil {
		t.Fatal(err)
	}
	var pid int
	detached := regexp.MustCompile(`detached (\d+)\b`)
	rec.waitFor(t, "the job's pid", func(e []emitted) bool {
		if !hasTurnEnd(e) { // the reply may stream in several pieces: wait for all of it
			return false
		}
		var reply strings.Builder
		for _, ev := range partyEvents(e) {
			if ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant {
				reply.WriteString(ev.Text)
			}
		}
		m := detached.FindStringSubmatch(reply.String())
		if m == nil {
			return false
		}
		pid, _ = strconv.Atoi(m[1])
		return true
	})
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	})
	if err := m.End(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ended(rec.all()); len(got) != 1 || got[0].Reason != "you ended the party; stopped 1 process that the agent had left running: sleep 300" {
		t.Fatalf("party:ended = %+v", got)
	}
	if testkit.Alive(pid) {
		t.Fatalf("the job (pid %d) outlived the party", pid)
	}
}

// TestJoinWithAHostInvite: a window that joins a headless host with its host invite is a
// host, and never offers that link as the party's invite (whoever got it would be a
// host): it learns the party's invites from the host, the host invite among them.
func TestJoinWithAHostInvite(t *testing.T) {
	h := startHostWith(t, func(c *host.Config) { c.Name, c.Insecure, c.HostInvite = "server", true, true })
	hostLink, ok := h.HostInvite()
	if !ok {
		t.Fatal("no host invite")
	}
	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Join(context.Background(), hostLink.String(), "ops")
	if err != nil {
		t.Fatal(err)
	}
	if info.You.Role != wire.RoleHost || info.Invite == hostLink.String() {
		t.Fatalf("joined as %s, invite shown %q (the host link is %s)", info.You.Role, info.Invite, hostLink)
	}
	rec.waitFor(t, "the party's invites", func(e []emitted) bool {
		for _, x := range e {
			if x.name == EventPartyInvites {
				return true
			}
		}
		return false
	})
	inv, err := m.Invites()
	if err != nil || inv.Invite != h.Invite().String() || inv.ViewerInvite != h.ViewerInvite().String() || inv.HostInvite != hostLink.String() {
		t.Fatalf("Invites() = %+v, %v; want the party's three", inv, err)
	}
}

// hasTurnEnd says whether a turn event is among the window's events.
func hasTurnEnd(e []emitted) bool {
	for _, ev := range partyEvents(e) {
		if ev.Kind == wire.KindTurn {
			return true
		}
	}
	return false
}

// After a reconnect the window hears the party as the new hello describes it, just after
// the resync: a resumed host may merge otherwise (a tester's window kept "Merger: Gemini"
// after its host came back without a key).
func TestReconnectSaysThePartyAfresh(t *testing.T) {
	ev := func(seq int64, kind string) wire.Event { return wire.Event{Seq: seq, Kind: kind} }
	rec := newRecorder()
	m := New(Config{Emitter: rec})
	a := &active{m: m, role: wire.RoleParticipant, first: true}
	a.onHello(wire.HelloResult{Party: wire.PartyInfo{ID: "p1", Merger: wire.MergerGemini}, State: wire.State{Seq: 1, Events: []wire.Event{ev(1, "system")}}})
	a.onEvent(ev(1, "system"))
	a.onStatus(client.Status{State: client.StatusConnected})
	a.party = wire.PartyInfo{ID: "p1", Merger: wire.MergerGemini} // what Join keeps
	a.onHello(wire.HelloResult{Party: wire.PartyInfo{ID: "p1", Merger: wire.MergerLocal, WindowMS: 500}, State: wire.State{Seq: 2, Events: []wire.Event{ev(1, "system"), ev(2, "system")}}})
	a.onEvent(ev(2, "system"))
	a.onStatus(client.Status{State: client.StatusConnected})
	var names []string
	var info wire.PartyInfo
	for _, e := range rec.all() {
		names = append(names, e.name)
		if e.name == EventPartyInfo {
			info = e.data.(wire.PartyInfo)
		}
	}
	i := len(names) - 1
	for i >= 0 && names[i] != EventPartyInfo {
		i--
	}
	if i < 1 || names[i-1] != EventPartyState {
		t.Fatalf("window events %q: want party:info just after party:state", names)
	}
	if info.Merger != wire.MergerLocal || info.WindowMS != 500 {
		t.Fatalf("party:info %+v, want the new hello's", info)
	}
}

// A name the host made unique ("remote-host" is taken: "remote-host-2") says which name was
// asked for, so that the window can say why it is another.
func TestJoinUnderATakenName(t *testing.T) {
	h := startRemoteHost(t, false)
	remoteOwner(t, h)
	m := newManager(t, newRecorder(), nil)
	info, err := m.Join(context.Background(), h.Invite().String(), "remote-host")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if info.You.Name == "remote-host" || info.AskedName != "remote-host" {
		t.Fatalf("joined as %q, asked name %q; want another name and the one asked for", info.You.Name, info.AskedName)
	}
}

// A catch-up of a hello whose history was cut says how far it has come after each page,
// as party:status with no retry counting down (a long party over a slow link stood at
// "Connecting…" for 17 s); nothing is said once it is complete.
func TestACatchUpSaysHowFarItHasCome(t *testing.T) {
	for _, first := range []bool{true, false} {
		t.Run(fmt.Sprintf("first join %v", first), func(t *testing.T) {
			rec := newRecorder()
			a := &active{m: New(Config{Emitter: rec}), role: wire.RoleParticipant, first: true}
			from := int64(0)
			if !first {
				a.onHello(wire.HelloResult{State: wire.State{Seq: 10}})
				for seq := int64(1); seq <= 10; seq++ {
					a.onEvent(wire.Event{Seq: seq, Kind: wire.KindSystem})
				}
				a.onStatus(client.Status{State: client.StatusConnected})
				a.onStatus(client.Status{State: client.StatusReconnecting, Attempt: 2, RetryIn: 4 * time.Second, Err: errors.New("refused")})
				from = 10
			} else {
				a.onStatus(client.Status{State: client.StatusConnecting, Attempt: 1})
			}
			before := len(rec.all()) // the setup's
			a.onHello(wire.HelloResult{State: wire.State{Seq: from + 50, Truncated: true}})
			for page := int64(1); page <= 3; page++ {
				for seq := from + (page-1)*20 + 1; seq <= min(from+page*20, from+50); seq++ {
					a.onEvent(wire.Event{Seq: seq, Kind: wire.KindSystem})
				}
				a.onCatchUp(min(from+page*20, from+50), from+50)
				if page == 1 && (a.conn.History == nil || a.conn.RetryMS != 0) {
					// What a page loaded again meanwhile is given (Current): a reviewer's
					// showed the last try's error and a countdown.
					t.Fatalf("the connection kept during the catch-up: %+v", a.conn)
				}
			}
			a.onStatus(client.Status{State: client.StatusConnected})
			a.onCatchUp(from+50, from+50) // a late word changes nothing
			var said []HistoryProgress
			for _, st := range statuses(rec.all()[before:]) {
				if st.History == nil {
					continue
				}
				if st.RetryMS != 0 || st.Error != "" || st.Status == client.StatusConnected {
					t.Fatalf("a catch-up's status: %+v", st)
				}
				said = append(said, *st.History)
			}
			if want := []HistoryProgress{{20, 50}, {40, 50}}; !slices.Equal(said, want) {
				t.Fatalf("said %v, want %v", said, want)
			}
		})
	}
}
