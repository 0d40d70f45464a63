package party

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// hostCollector is a collector that is also told who edits the held batch, as a host's
// connection is (editorsSender).
type hostCollector struct {
	*collector
	edMu sync.Mutex
	eds  []wire.Editors
}

func newHostCollector() *hostCollector { return &hostCollector{collector: newCollector()} }

func (c *hostCollector) SendEditors(ed wire.Editors) bool {
	c.edMu.Lock()
	c.eds = append(c.eds, ed)
	c.edMu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
	return true
}

// told is what c was told so far, one "batch:name,name" a notification.
func (c *hostCollector) told() []string {
	c.edMu.Lock()
	defer c.edMu.Unlock()
	var out []string
	for _, ed := range c.eds {
		names := make([]string, 0, len(ed.Editors))
		for _, m := range ed.Editors {
			names = append(names, m.Name)
		}
		out = append(out, ed.Batch+":"+strings.Join(names, ","))
	}
	return out
}

// waitTold waits until c was told exactly want (the loop tells each host in turn, inline).
func (c *hostCollector) waitTold(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Equal(c.told(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("told %q, want %q", c.told(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// editingParty is a party with approval on, a participant alice, the owner hana and a
// co-host gus (both told who edits), and a batch of alice's that waits for approval.
type editingParty struct {
	p              *Party
	col            *collector
	alice          string
	hana, gus      string
	hanaC, gusC    *hostCollector
	batch          string
	hanaRes, gusRs wire.HelloResult
}

func newEditingParty(t *testing.T) *editingParty {
	t.Helper()
	p, col, alice := start(t, Config{Approval: true})
	e := &editingParty{p: p, col: col, alice: alice, hanaC: newHostCollector(), gusC: newHostCollector()}
	var err error
	if e.hanaRes, err = p.Join(JoinRequest{Name: "hana", Role: wire.RoleHost, Sub: e.hanaC, Conn: e.hanaC}); err != nil {
		t.Fatal(err)
	}
	if e.gusRs, err = p.Join(JoinRequest{Name: "gus", Token: token, ClientID: "gus-client", Sub: e.gusC, Conn: e.gusC}); err != nil {
		t.Fatal(err)
	}
	e.hana, e.gus = e.hanaRes.You.ID, e.gusRs.You.ID
	if err := p.SetRole(e.hana, e.gus, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	promptAs(t, p, alice, "fix the login")
	col.waitFor(t, "the approval", func(evs []wire.Event) bool {
		for _, ev := range evs {
			if ev.Kind == wire.KindApproval {
				e.batch = ev.Approval.Batch
				return true
			}
		}
		return false
	})
	return e
}

// Only a host may say it edits, only of the batch that waits, and saying it twice
// changes nothing; participants are never told.
func TestEditingIsForHostsOfTheHeldBatch(t *testing.T) {
	e := newEditingParty(t)
	aliceC := e.col
	if err := e.p.Editing(e.alice, e.batch, true); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a participant's editing: %v", err)
	}
	if err := e.p.Editing(e.gus, "b-none", true); !errors.Is(err, ErrInvalid) {
		t.Fatalf("editing a batch that does not wait: %v", err)
	}
	e.hanaC.waitTold(t) // nothing yet
	for range 2 {
		if err := e.p.Editing(e.gus, e.batch, true); err != nil {
			t.Fatal(err)
		}
	}
	want := e.batch + ":gus"
	e.hanaC.waitTold(t, want)
	e.gusC.waitTold(t, want) // the editor is told too: a client leaves itself out
	if err := e.p.Editing(e.hana, e.batch, true); err != nil {
		t.Fatal(err)
	}
	e.hanaC.waitTold(t, want, e.batch+":gus,hana")
	for _, ev := range aliceC.all() {
		if strings.Contains(fmt.Sprint(ev), "editing") {
			t.Fatalf("an event said it: %+v", ev)
		}
	}
	// A batch a host decided is refused as approve refuses it.
	if err := e.p.Approve(e.hana, e.batch, nil); err != nil {
		t.Fatal(err)
	}
	var de *DecidedError
	if err := e.p.Editing(e.gus, e.batch, true); !errors.As(err, &de) || de.By != "hana" {
		t.Fatalf("editing a decided batch: %v", err)
	}
}

// Whatever ends gus's editing, the other hosts are told nobody edits any more.
func TestEditingEnds(t *testing.T) {
	edit := "fix the login, and the logout"
	for _, tt := range []struct {
		name string
		end  func(t *testing.T, e *editingParty) error
	}{
		{"gus closes the editor", func(t *testing.T, e *editingParty) error { return e.p.Editing(e.gus, e.batch, false) }},
		{"gus sends his edit", func(t *testing.T, e *editingParty) error { return e.p.Approve(e.gus, e.batch, &edit) }},
		{"gus rejects it", func(t *testing.T, e *editingParty) error { return e.p.Reject(e.gus, e.batch, "") }},
		{"hana sends it", func(t *testing.T, e *editingParty) error { return e.p.Approve(e.hana, e.batch, nil) }},
		{"hana rejects it", func(t *testing.T, e *editingParty) error { return e.p.Reject(e.hana, e.batch, "no") }},
		{"hana turns approval off", func(t *testing.T, e *editingParty) error { return e.p.SetApproval(e.hana, false) }},
		{"gus disconnects", func(t *testing.T, e *editingParty) error { e.p.Lost(e.gus, e.gusC, "it broke off"); return nil }},
		{"gus is made a participant", func(t *testing.T, e *editingParty) error { return e.p.SetRole(e.hana, e.gus, wire.RoleParticipant) }},
		{"gus is removed", func(t *testing.T, e *editingParty) error { return e.p.Kick(e.hana, e.gus, "") }},
		{"gus's connection is replaced", func(t *testing.T, e *editingParty) error {
			gus2 := newHostCollector()
			_, err := e.p.Join(JoinRequest{Name: "gus", Session: e.gusRs.You.Session, Sub: gus2, Conn: gus2})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEditingParty(t)
			if err := e.p.Editing(e.gus, e.batch, true); err != nil {
				t.Fatal(err)
			}
			e.hanaC.waitTold(t, e.batch+":gus")
			if err := tt.end(t, e); err != nil {
				t.Fatal(err)
			}
			e.hanaC.waitTold(t, e.batch+":gus", e.batch+":")
		})
	}
}

// A host who comes in while someone edits is told at once: one who joins, and one made a
// host.
func TestEditingIsToldToNewHosts(t *testing.T) {
	e := newEditingParty(t)
	if err := e.p.Editing(e.gus, e.batch, true); err != nil {
		t.Fatal(err)
	}
	ida := newHostCollector()
	res, err := e.p.Join(JoinRequest{Name: "ida", Token: token, Sub: ida, Conn: ida})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if got := ida.told(); len(got) != 0 {
		t.Fatalf("a participant was told %q", got)
	}
	if err := e.p.SetRole(e.hana, res.You.ID, wire.RoleHost); err != nil {
		t.Fatal(err)
	}
	ida.waitTold(t, e.batch+":gus")
	// A host whose connection is replaced by its reconnect, and one back after a drop.
	hana2 := newHostCollector()
	if _, err := e.p.Join(JoinRequest{Name: "hana", Session: e.hanaRes.You.Session, Sub: hana2, Conn: hana2}); err != nil {
		t.Fatal(err)
	}
	hana2.waitTold(t, e.batch+":gus")
	e.p.Lost(e.hana, hana2, "it broke off")
	hana3 := newHostCollector()
	if _, err := e.p.Join(JoinRequest{Name: "hana", Session: e.hanaRes.You.Session, Sub: hana3, Conn: hana3}); err != nil {
		t.Fatal(err)
	}
	hana3.waitTold(t, e.batch+":gus")
}

// Over the wire: Party.editing is a host method like the others (-32002 before the params
// are looked at, -32602 for what is missing or not waiting), and the other hosts get a
// Client.editing notification that no participant ever gets.
func TestEditingOverTheWire(t *testing.T) {
	const htok = "host-token-host-token-host-token-xx"
	_, url := serveConfig(t, Config{HostToken: htok, Approval: true}, ServerOptions{}, false)
	type msg struct {
		ID     *int            `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
		Error  *struct{ Code int }
	}
	dial := func(name, tok string) (*websocket.Conn, chan msg) {
		t.Helper()
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		in := make(chan msg, 1000)
		go func() {
			defer close(in)
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var m msg
				if json.Unmarshal(data, &m) == nil {
					in <- m
				}
			}
		}()
		wsSend(t, ws, 0, wire.MethodHello, wire.HelloParams{Name: name, Token: tok})
		return ws, in
	}
	// next reads in until a message pred takes.
	next := func(in chan msg, what string, pred func(msg) bool) msg {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case m, ok := <-in:
				if !ok {
					t.Fatalf("closed before %s", what)
				}
				if pred(m) {
					return m
				}
			case <-timeout:
				t.Fatalf("no %s", what)
			}
		}
	}
	reply := func(id int) func(msg) bool { return func(m msg) bool { return m.ID != nil && *m.ID == id } }
	gusWS, gus := dial("gus", htok)
	next(gus, "gus's hello", reply(0))
	_, hana := dial("hana", htok)
	next(hana, "hana's hello", reply(0))
	annWS, ann := dial("ann", token)
	next(ann, "ann's hello", reply(0))

	wsSend(t, annWS, 1, wire.MethodPrompt, wire.PromptParams{Text: "fix the login"})
	var batch string
	next(ann, "the approval", func(m msg) bool {
		var ev wire.Event
		if m.Method != wire.MethodEvent || json.Unmarshal(m.Params, &ev) != nil || ev.Kind != wire.KindApproval {
			return false
		}
		batch = ev.Approval.Batch
		return true
	})
	code := func(ws *websocket.Conn, in chan msg, id int, params any) int {
		t.Helper()
		wsSend(t, ws, id, wire.MethodEditing, params)
		if m := next(in, "the reply", reply(id)); m.Error != nil {
			return m.Error.Code
		}
		return 0
	}
	for i, tt := range []struct {
		ws     *websocket.Conn
		in     chan msg
		params any
		want   int
	}{
		{annWS, ann, map[string]any{"batch": batch, "editing": true}, wire.CodeNotAllowed},
		{annWS, ann, map[string]any{}, wire.CodeNotAllowed},
		{gusWS, gus, map[string]any{"editing": true}, rpc.CodeInvalidParams},
		{gusWS, gus, map[string]any{"batch": batch}, rpc.CodeInvalidParams},
		{gusWS, gus, map[string]any{"batch": "b-none", "editing": true}, rpc.CodeInvalidParams},
		{gusWS, gus, map[string]any{"batch": batch, "editing": true}, 0},
		{gusWS, gus, map[string]any{"batch": batch, "editing": true}, 0},
	} {
		if got := code(tt.ws, tt.in, 10+i, tt.params); got != tt.want {
			t.Fatalf("%d: Party.editing %v: %d, want %d", i, tt.params, got, tt.want)
		}
	}
	m := next(hana, "Client.editing", func(m msg) bool { return m.Method == wire.MethodEditors })
	var ed wire.Editors
	if err := json.Unmarshal(m.Params, &ed); err != nil || ed.Batch != batch || len(ed.Editors) != 1 || ed.Editors[0].Name != "gus" {
		t.Fatalf("hana was told %s (%v)", m.Params, err)
	}
	if code(gusWS, gus, 30, map[string]any{"batch": batch, "editing": false}) != 0 {
		t.Fatal("closing the editor was refused")
	}
	m = next(hana, "Client.editing", func(m msg) bool { return m.Method == wire.MethodEditors })
	if err := json.Unmarshal(m.Params, &ed); err != nil || ed.Batch != batch || ed.Editors == nil || len(ed.Editors) != 0 {
		t.Fatalf("hana was told %s (%v)", m.Params, err)
	}
	// ann saw everything up to a reply sent after the notifications: none was for her.
	wsSend(t, annWS, 40, wire.MethodPing, map[string]any{})
	for {
		m := next(ann, "anything", func(msg) bool { return true })
		if m.Method == wire.MethodEditors {
			t.Fatalf("a participant was told who edits: %s", m.Params)
		}
		if reply(40)(m) {
			break
		}
	}
}
