package host

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// participant is a joined client that records what it was given.
type participant struct {
	name string
	c    *client.Client
	mu   sync.Mutex
	evs  []wire.Event
	seen map[int64]int
	stat []client.Status
	wake chan struct{}
}

func (p *participant) onEvent(ev wire.Event) {
	p.mu.Lock()
	p.evs = append(p.evs, ev)
	p.seen[ev.Seq]++
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *participant) events() []wire.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]wire.Event(nil), p.evs...)
}

func (p *participant) waitFor(t *testing.T, what string, pred func([]wire.Event) bool) []wire.Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if evs := p.events(); pred(evs) {
			return evs
		}
		select {
		case <-p.wake:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%s: timed out waiting for %s; got %d events", p.name, what, len(p.events()))
		}
	}
}

func join(t *testing.T, inv invite.Invite, name string, backoff ...time.Duration) *participant {
	t.Helper()
	p := &participant{name: name, seen: map[int64]int{}, wake: make(chan struct{}, 1)}
	c, err := client.Join(context.Background(), client.Config{
		Invite: inv, Name: name, OnEvent: p.onEvent, Backoff: backoff,
		OnStatus: func(s client.Status) { p.mu.Lock(); p.stat = append(p.stat, s); p.mu.Unlock() },
	})
	if err != nil {
		t.Fatalf("%s join: %v", name, err)
	}
	p.c = c
	t.Cleanup(c.Close)
	return p
}

func startHost(t *testing.T, cfg Config) *Host {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Agent.Path == "" {
		cfg.Agent.Path = testkit.FakeClaude(t)
	}
	if cfg.Agent.WorkDir == "" {
		cfg.Agent.WorkDir = t.TempDir()
	}
	if cfg.Name == "" {
		cfg.Name = "hosty"
	}
	h, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return h
}

func kinds(evs []wire.Event, kind string) []wire.Event {
	var out []wire.Event
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func reply(evs []wire.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		if ev.Kind == wire.KindOutput && ev.Stream == wire.StreamAssistant {
			b.WriteString(ev.Text)
		}
	}
	return b.String()
}

// TestPartyOfThreeOverTLS runs a host and three participants over real TLS sockets with
// the fake Claude program: all prompts land in one merged batch, the agent gets exactly
// that text, and every participant sees the same event log.
func TestPartyOfThreeOverTLS(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "claude.log")
	h := startHost(t, Config{
		Window: 400 * time.Millisecond,
		Agent:  agent.Config{Env: []string{"FAKECLAUDE_LOG=" + logFile}},
	})
	inv := h.Invite()
	if !inv.Secure() || inv.Host != "127.0.0.1" {
		t.Fatalf("invite %s: want TLS on loopback", inv)
	}
	ps := []*participant{join(t, inv, "alice"), join(t, inv, "bob"), join(t, inv, "carol")}
	ps[2].waitFor(t, "three joined", func(e []wire.Event) bool {
		j := kinds(e, wire.KindParticipants)
		return len(j) > 0 && *j[len(j)-1].Count == 3
	})
	texts := []string{"add a --verbose flag", "fix the typo in README", "Add a --verbose flag!"}
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.c.Prompt(context.Background(), texts[i]); err != nil {
				t.Errorf("%s prompt: %v", p.name, err)
			}
		}()
	}
	wg.Wait()
	var logs [][]wire.Event
	for _, p := range ps {
		logs = append(logs, p.waitFor(t, "the turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 }))
	}
	b := kinds(logs[0], wire.KindBatch)
	if len(b) != 1 || len(b[0].Batch.Prompts) != 3 {
		t.Fatalf("want one batch with 3 prompts, got %+v", b)
	}
	merged := b[0].Batch.Merged
	for _, want := range []string{"verbose", "typo", "alice", "bob", "carol"} {
		if !strings.Contains(merged, want) {
			t.Errorf("merged prompt lacks %q:\n%s", want, merged)
		}
	}
	if got := reply(logs[0]); !strings.Contains(got, "echo: ") || !strings.Contains(got, "typo") {
		t.Errorf("reply %q", got)
	}
	// The merged text is exactly what reached the agent.
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), strconv.Quote(merged)[1:20]) {
		t.Errorf("agent log does not hold the merged prompt:\n%s", raw)
	}
	// Everyone saw the same log up to the turn, once each.
	for i, p := range ps {
		if reply(logs[i]) != reply(logs[0]) {
			t.Errorf("%s saw another reply", p.name)
		}
		p.mu.Lock()
		for seq, n := range p.seen {
			if n != 1 {
				t.Errorf("%s got seq %d %d times", p.name, seq, n)
			}
		}
		p.mu.Unlock()
	}
	if tr := kinds(logs[0], wire.KindTurn)[0].Turn; tr.Status != wire.TurnDone {
		t.Fatalf("turn %+v", tr)
	}
}

// TestWrongFingerprintIsRefused: a client given another fingerprint must not connect.
func TestWrongFingerprintIsRefused(t *testing.T) {
	h := startHost(t, Config{})
	inv := h.Invite()
	inv.Fingerprint = strings.Repeat("ab", 32)
	_, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "eve"})
	if !errors.Is(err, client.ErrFingerprint) {
		t.Fatalf("want ErrFingerprint, got %v", err)
	}
	inv = h.Invite()
	inv.Token = strings.Repeat("x", 43)
	_, err = client.Join(context.Background(), client.Config{Invite: inv, Name: "eve"})
	if !errors.Is(err, client.ErrRefused) {
		t.Fatalf("want ErrRefused, got %v", err)
	}
}

// TestCrashRestartsAndResumes: the agent dies mid-turn; the party restarts it with
// --resume and the retried batch succeeds.
func TestCrashRestartsAndResumes(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "claude.log")
	h := startHost(t, Config{
		Window: 50 * time.Millisecond, Insecure: true,
		Agent: agent.Config{Env: []string{"FAKECLAUDE_LOG=" + logFile, "FAKECLAUDE_CRASH_ONCE=" + filepath.Join(dir, "crashed")}},
	})
	p := join(t, h.Invite(), "alice")
	if _, err := p.c.Prompt(context.Background(), "please FAKE_CRASH now"); err != nil {
		t.Fatal(err)
	}
	evs := p.waitFor(t, "turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	if tr := kinds(evs, wire.KindTurn)[0].Turn; tr.Status != wire.TurnDone {
		t.Fatalf("retried turn should succeed: %+v", tr)
	}
	if len(kinds(evs, wire.KindError)) == 0 {
		t.Fatal("the crash was not reported")
	}
	raw, _ := os.ReadFile(logFile)
	if !strings.Contains(string(raw), "--resume") {
		t.Fatalf("the restarted agent did not resume the session:\n%s", raw)
	}
}

// proxy forwards TCP to target and can cut every live connection, to simulate a drop.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// TestReconnectCatchesUp: the connection drops while the party goes on; the client comes
// back with `since`, gets every missed event, and nothing twice.
func TestReconnectCatchesUp(t *testing.T) {
	h := startHost(t, Config{Window: 50 * time.Millisecond})
	inv := h.Invite()
	px := newProxy(t, net.JoinHostPort(inv.Host, strconv.Itoa(inv.Port)))
	viaProxy := inv
	viaProxy.Port = px.port()
	bob := join(t, inv, "bob")
	alice := join(t, viaProxy, "alice", 50*time.Millisecond)
	if _, err := alice.c.Prompt(context.Background(), "first"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "first turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 1 })
	px.cut()
	// While alice is away, bob's prompt runs.
	if _, err := bob.c.Prompt(context.Background(), "second, while alice is away"); err != nil {
		t.Fatal(err)
	}
	bob.waitFor(t, "second turn", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 2 })
	got := alice.waitFor(t, "catch-up", func(e []wire.Event) bool { return len(kinds(e, wire.KindTurn)) == 2 })
	if r := reply(got); !strings.Contains(r, "echo: first") || !strings.Contains(r, "echo: second, while alice is away") {
		t.Fatalf("alice missed output: %q", r)
	}
	alice.mu.Lock()
	defer alice.mu.Unlock()
	for seq, n := range alice.seen {
		if n != 1 {
			t.Errorf("seq %d delivered %d times", seq, n)
		}
	}
	for i := 1; i < len(alice.evs); i++ {
		first := alice.evs[i].Seq
		if alice.evs[i].FirstSeq != 0 { // output merged for a busy connection: first_seq..seq
			first = alice.evs[i].FirstSeq
		}
		if first != alice.evs[i-1].Seq+1 {
			t.Fatalf("gap or disorder at %d: %d..%d after %d", i, first, alice.evs[i].Seq, alice.evs[i-1].Seq)
		}
	}
	reconnecting := false
	for _, s := range alice.stat {
		reconnecting = reconnecting || s.State == client.StatusReconnecting
	}
	if !reconnecting {
		t.Fatal("no reconnecting status was reported")
	}
}

// TestCleanEndIsOnDiskBeforeTheCloseWait: the journal's "ended" record is written once
// everyone has been told, not after the wait for members' close replies. A conformance
// tester's member that never answered its close frame kept a Ctrl-C'd host 10 s in that
// wait; killed there, the party was listed as "not ended cleanly".
//
// The record is looked for when the member's close frame arrives: the host sends it as
// its wait starts, and cannot end the wait before the member answers it (or gives up, in
// 10 s). Polling the file while Shutdown ran instead raced with it: a host whose wait
// ended early finished between two looks at the file, and the test failed.
func TestCleanEndIsOnDiskBeforeTheCloseWait(t *testing.T) {
	h := startHost(t, Config{Insecure: true})
	inv := h.Invite()
	ws, _, err := websocket.DefaultDialer.Dial(inv.WebSocketURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	hello, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello, "params": wire.HelloParams{Name: "mute", Token: inv.Token}})
	if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.ReadMessage(); err != nil { // its hello reply
		t.Fatal(err)
	}
	path := h.TranscriptPath()
	// The member answers no close frame (gorilla's default handler would): when the
	// host's comes, the record must already be on disk.
	var endedBeforeClose, closeCame bool
	ws.SetCloseHandler(func(int, string) error {
		closeCame = true
		b, _ := os.ReadFile(path)
		endedBeforeClose = strings.Contains(string(b), `"type":"ended"`)
		return nil
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		h.Shutdown(ctx)
	}()
	for { // the host's events, up to its close frame (or the connection's end)
		if _, _, err := ws.ReadMessage(); err != nil {
			break
		}
	}
	ws.Close() // the host's wait ends here rather than after 10 s
	<-done
	switch {
	case !closeCame:
		t.Fatal("the host closed the connection without a close frame")
	case !endedBeforeClose:
		t.Fatal("the ended record was not on disk when the host sent its close frame and started waiting for the member's reply")
	}
}

// TestShutdownTellsParticipants: ending the party ends the clients with ErrEnded.
func TestShutdownTellsParticipants(t *testing.T) {
	h := startHost(t, Config{Insecure: true})
	p := join(t, h.Invite(), "alice")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("client did not stop")
	}
	if !errors.Is(p.c.Err(), client.ErrEnded) {
		t.Fatalf("client error %v, want ErrEnded", p.c.Err())
	}
}

func TestInviteHost(t *testing.T) {
	cases := []struct{ listen, want string }{
		{"127.0.0.1:0", "127.0.0.1"},
		{"[::1]:8765", "::1"},
		{"192.0.2.7:8765", "192.0.2.7"},
		{"myhost.lan:8765", "myhost.lan"},
	}
	for _, c := range cases {
		if got := InviteHost(c.listen); got != c.want {
			t.Errorf("InviteHost(%q) = %q, want %q", c.listen, got, c.want)
		}
	}
	if got := InviteHost(":8765"); got != LANAddress() {
		t.Errorf("unspecified listen should use the LAN address, got %q", got)
	}
}

// Ending the party in the middle of a turn: every participant still gets the turn's end
// (interrupted) and then the host's notice, before the connection closes. The notice used
// to go first and the connections to close before the turn had ended, so participants never
// saw how their turn finished.
func TestShutdownMidTurnShowsTheTurnsEnd(t *testing.T) {
	h := startHost(t, Config{Insecure: true})
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), "FAKE_STREAM=400:20 please"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor(t, "the first delta", func(evs []wire.Event) bool { return reply(evs) != "" })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-alice.c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("client did not stop")
	}
	evs := alice.events()
	turnAt, noticeAt := -1, -1
	for i, ev := range evs {
		switch {
		case ev.Kind == wire.KindTurn && ev.Turn != nil:
			turnAt = i
			if ev.Turn.Status != wire.TurnInterrupted {
				t.Errorf("the turn ended %q, want %q", ev.Turn.Status, wire.TurnInterrupted)
			}
		case ev.Kind == wire.KindSystem && ev.Text == "the host ended the party":
			noticeAt = i
		}
	}
	if turnAt < 0 || noticeAt < 0 || noticeAt < turnAt {
		t.Fatalf("turn end at %d, the host's notice at %d of %d events: want both, the turn's end first", turnAt, noticeAt, len(evs))
	}
	for _, ev := range evs[turnAt+1:] {
		if ev.Kind == wire.KindOutput {
			t.Fatalf("output after the turn's end: %+v", ev)
		}
	}
}

// blockingMerger is a Gemini-like merger that answers only when its context ends.
type blockingMerger struct {
	once    *sync.Once
	started chan struct{}
}

func (m blockingMerger) Merge(ctx context.Context, _ []wire.Prompt) (merge.Result, error) {
	m.once.Do(func() { close(m.started) })
	<-ctx.Done()
	return merge.Result{}, ctx.Err()
}
func (blockingMerger) Name() string { return wire.MergerGemini }

// Ending the party while a merge is under way cancels the merge (its result is not
// wanted) instead of waiting for it: the shutdown is quick and clean. It used to wait
// until its whole deadline was spent, then cut the connections and kill claude at once
// and report an error.
func TestShutdownDuringAMergeIsQuick(t *testing.T) {
	m := blockingMerger{once: new(sync.Once), started: make(chan struct{})}
	h := startHost(t, Config{Insecure: true, Merger: m, Window: 20 * time.Millisecond})
	alice := join(t, h.Invite(), "alice")
	if _, err := alice.c.Prompt(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the merge did not start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	start := time.Now()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("shutdown took %v with a merge under way: it waited for the merge", d)
	}
}

// TestPartyInTheHomeFolderSaysSo: the agent's folder is the host's home folder, or holds
// it: everyone is told the agent can reach everything the host owns (the window asks
// first; `concordia host` run in ~ did not say a word).
func TestPartyInTheHomeFolderSaysSo(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	project := filepath.Join(home, "src", "app")
	if err := os.MkdirAll(project, 0o700); err != nil {
		t.Fatal(err)
	}
	said := func(h *Host) bool {
		v, st, err := h.Party().Watch()
		if err != nil {
			t.Fatal(err)
		}
		defer v.Leave()
		return slices.ContainsFunc(st.Events, func(ev wire.Event) bool { return strings.Contains(ev.Text, "whole home folder") })
	}
	for dir, want := range map[string]bool{home: true, filepath.Dir(home): true, project: false} {
		if got := said(startHost(t, Config{DataDir: t.TempDir(), Agent: agent.Config{WorkDir: dir}})); got != want {
			t.Errorf("a party in %s: told of the home folder %v, want %v", dir, got, want)
		}
	}
}

// TestSecondPartyInTheSameFolder: a party started in a folder where another one runs (from
// the same data directory) says so: two agents there would change the same files.
func TestSecondPartyInTheSameFolder(t *testing.T) {
	dataDir, work := t.TempDir(), t.TempDir()
	first := startHost(t, Config{DataDir: dataDir, Agent: agent.Config{WorkDir: work}, Name: "alice"})
	second := startHost(t, Config{DataDir: dataDir, Agent: agent.Config{WorkDir: work}})
	elsewhere := startHost(t, Config{DataDir: dataDir})
	said := func(h *Host) string {
		v, st, err := h.Party().Watch()
		if err != nil {
			t.Fatal(err)
		}
		defer v.Leave()
		for _, ev := range st.Events {
			if strings.Contains(ev.Text, "another party on the host's machine is running in ") {
				return ev.Text
			}
		}
		return ""
	}
	want := "another party on the host's machine is running in this party's folder (alice's party, " + first.Party().ID() + "): two agents will change the same files"
	if got := said(second); got != want {
		t.Fatalf("the second party says %q, want %q", got, want)
	}
	if got := said(first); got != "" {
		t.Fatalf("the first party says %q", got)
	}
	if got := said(elsewhere); got != "" {
		t.Fatalf("a party in another folder says %q", got)
	}
	// Nested folders: one agent's files are the other's too.
	inner := filepath.Join(work, "sub")
	if err := os.Mkdir(inner, 0o700); err != nil {
		t.Fatal(err)
	}
	nested := startHost(t, Config{DataDir: dataDir, Agent: agent.Config{WorkDir: inner}})
	if got := said(nested); !strings.HasPrefix(got, "another party on the host's machine is running in a folder that holds this party's (") || !strings.HasSuffix(got, "): two agents may change the same files") || strings.Contains(got, work) {
		t.Fatalf("a party in a folder inside another's says %q", got)
	}
	dataDir2 := t.TempDir()
	startHost(t, Config{DataDir: dataDir2, Agent: agent.Config{WorkDir: inner}, Name: "ida"})
	outer := startHost(t, Config{DataDir: dataDir2, Agent: agent.Config{WorkDir: work}})
	if got := said(outer); !strings.HasPrefix(got, "another party on the host's machine is running in a folder inside this party's (ida's party, ") {
		t.Fatalf("a party around another's folder says %q", got)
	}
}

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		parent, child string
		want          bool
	}{
		{"/a", "/a/b", true},
		{"/a", "/a/b/c", true},
		{"/a", "/a", false},
		{"/a", "/ab", false},
		{"/a/b", "/a", false},
		{"/a", "/..a/b", false},
		{"/a", "/a/..b", true}, // a folder named "..b" inside /a
	} {
		if got := within(c.parent, c.child); got != c.want {
			t.Errorf("within(%q, %q) = %v, want %v", c.parent, c.child, got, c.want)
		}
	}
}

// The runner remembers the party's permission mode for the agents it starts from then on:
// a restart, or a fresh session after a failed resume, comes back in it (not in plan mode
// once the plan was approved).
func TestRunnerStartsAgentsInThePartysMode(t *testing.T) {
	r := &runner{cfg: agent.Config{PermissionMode: agent.ClaudeModePlan}, agent: agent.New(agent.Config{PermissionMode: agent.ClaudeModePlan}), log: slog.New(slog.DiscardHandler)}
	r.SetPermissionMode(wire.PermissionAsk)
	if got := nextStartMode(r); got != agent.ClaudeModeDefault {
		t.Fatalf("a fresh agent would start in %q, want default", got)
	}
	r.SetPermissionMode("nonsense") // logged, and the mode stays
	if m := *r.mode.Load(); m != agent.ClaudeModeDefault {
		t.Fatalf("mode after a bad one: %q", m)
	}
}

// SwitchPermissionMode runs on the party's loop, so it must not wait for the runner's lock,
// which a start or restart of claude holds for seconds, and under which the runner may send
// the party a notice (through the loop: a deadlock). A reviewer found the first version
// taking it. The switch itself happens once the lock is free.
func TestSwitchPermissionModeNeverWaitsForTheRunner(t *testing.T) {
	r := newRunner(agent.Config{PermissionMode: agent.ClaudeModeDefault}, slog.New(slog.DiscardHandler))
	r.mu.Lock() // a start under way
	returned := make(chan struct{})
	go func() {
		r.SwitchPermissionMode(wire.PermissionPlan)
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		r.mu.Unlock()
		t.Fatal("SwitchPermissionMode waited for the runner's lock")
	}
	r.mu.Unlock()
	r.waitSwitch(context.Background())
	if got := nextStartMode(r); got != agent.ClaudeModePlan {
		t.Fatalf("the next claude would start in %q, want plan", got)
	}
	if err := r.close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// nextStartMode is the Claude Code permission mode the runner's next claude starts in.
func nextStartMode(r *runner) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applyMode()
	return r.cfg.PermissionMode
}

func TestUnreachableInvite(t *testing.T) {
	for _, tt := range []struct {
		listen, inv string
		warn        bool
	}{
		{"127.0.0.1:0", "192.0.2.2", true},
		{"localhost:8765", "example.com", true},
		{"[::1]:8765", "2001:db8::1", true},
		{"127.0.0.1:8765", "::1", true},
		{"[::1]:8765", "127.0.0.1", true},
		{"localhost:8765", "::1", false},
		{"[0:0:0:0:0:0:0:1]:8765", "127.0.0.1", true},
		{"127.0.0.1:8765", "::ffff:127.0.0.1", false},
		{"127.0.0.1:0", "127.0.0.1", false},
		{"127.0.0.1:0", "localhost", false},
		{":8765", "192.0.2.2", false},
		{"0.0.0.0:8765", "192.0.2.2", false},
		{"192.0.2.2:8765", "192.0.2.2", false},
		{"not an address", "192.0.2.2", false},
	} {
		got := UnreachableInvite(tt.listen, tt.inv)
		if (got != "") != tt.warn {
			t.Errorf("UnreachableInvite(%q, %q) = %q, want a warning: %v", tt.listen, tt.inv, got, tt.warn)
		}
	}
}

// A data directory the party cannot use is told as the data directory's problem (a
// tester's, unwritable, was taken for a port, then named with no way out): Start's error
// is a DataDirError naming it. (Root writes anywhere, so a file stands in for the
// folder here.) Nothing of the party runs once Start has failed: the working folder's
// first snapshot went on in the background, and when it failed too its notice waited
// for good for a party never made (the test's folders were written to while they were
// being removed: a CI run's failure).
func TestDataDirErrorsSayTheFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, insecure := range []bool{true, false} { // the journal's error, and the TLS identity's
		_, err := Start(context.Background(), Config{Listen: "127.0.0.1:0", DataDir: file, Insecure: insecure, Name: "hosty",
			Agent: agent.Config{Path: testkit.FakeClaude(t), WorkDir: t.TempDir()}})
		var de *DataDirError
		if !errors.As(err, &de) || de.Dir != file {
			t.Fatalf("insecure %v: Start with a file for its data directory: %v", insecure, err)
		}
	}
}
