package party

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// helloError sends a hello with params over a new connection and returns its refusal.
func helloError(t *testing.T, url string, params wire.HelloParams) (code int, message string, data json.RawMessage) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": wire.MethodHello, "params": params})
	if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("hello reply: %v", err)
	}
	var reply struct {
		Result *wire.HelloResult `json:"result"`
		Error  *struct {
			Code    int             `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.Error == nil {
		t.Fatalf("hello %+v was let in", params)
	}
	// The connection closes after the refusal, as for any other (1008).
	_, _, err = ws.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("after the refusal: %v, want close 1008", err)
	}
	return reply.Error.Code, reply.Error.Message, reply.Error.Data
}

// A member a host removed who comes back with its session is refused with -32001, as a
// wrong session is, and told so: data.removed and data.by, and a message that says it (a
// removed tester's terminal read the refusal of a wrong token). Not slowed as a guess is.
// A session the party never gave gets no data.
func TestHelloOfARemovedMemberSaysSo(t *testing.T) {
	p, url := serveParty(t, ServerOptions{RefusalBurst: 1, RefusalRate: 0.2})
	hosty := joinAs(t, p, "hosty", "", wire.RoleHost)
	res, err := p.Join(JoinRequest{Name: "bob", Token: token, Sub: newCollector(), Conn: newCollector()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kick(hosty, res.You.ID, ""); err != nil {
		t.Fatal(err)
	}
	// The refusals' burst spent: a guess now waits 5 s.
	if code, _, data := helloError(t, url, wire.HelloParams{Name: "bob", Session: "no-such-session-0123456789"}); code != wire.CodeUnauthorized || len(data) != 0 {
		t.Fatalf("an unknown session: code %d, data %s", code, data)
	}
	start := time.Now()
	code, msg, data := helloError(t, url, wire.HelloParams{Name: "bob", Session: res.You.Session})
	if code != wire.CodeUnauthorized {
		t.Fatalf("a removed member's session: code %d, want %d", code, wire.CodeUnauthorized)
	}
	var d wire.UnauthorizedData
	if err := json.Unmarshal(data, &d); err != nil || d != (wire.UnauthorizedData{Removed: true, By: "hosty"}) {
		t.Fatalf("a removed member's refusal: data %s (%v)", data, err)
	}
	if msg != "unauthorized: hosty removed you from this party" {
		t.Errorf("message %q", msg)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("a removed member's refusal took %s: slowed as a guess", el)
	}
}

// After a resume, the journal's record of the removal says it too: by whom when the
// record says, "a host" (no data.by) for a record of before 2026-12-07. A member the party
// only forgot (too many away) was removed by nobody.
func TestARemovedMemberIsToldAfterAResume(t *testing.T) {
	r := &Restore{Seq: 3, NextID: 9, Members: []journal.Member{
		{ID: "m2", Name: "bob", Role: wire.RoleParticipant, Session: "s-bob", Kicked: true, KickedBy: "alice"},
		{ID: "m3", Name: "cy", Role: wire.RoleParticipant, Session: "s-cy", Kicked: true},
		{ID: "m4", Name: "dee", Role: wire.RoleParticipant, Session: "s-dee", Kicked: true, Forgotten: true},
	}}
	p, _, _ := start(t, Config{Restore: r})
	for _, c := range []struct {
		session string
		want    *RemovedError
	}{{"s-bob", &RemovedError{By: "alice"}}, {"s-cy", &RemovedError{}}, {"s-dee", nil}} {
		_, err := p.Join(JoinRequest{Name: "x", Session: c.session, Sub: newCollector(), Conn: newCollector()})
		var got *RemovedError
		if !errors.Is(err, ErrUnauthorized) || errors.As(err, &got) != (c.want != nil) || c.want != nil && *got != *c.want {
			t.Errorf("session %s after a resume: %v, want %v", c.session, err, c.want)
		}
	}
	if (&RemovedError{}).Error() != "unauthorized: a host removed you from this party" {
		t.Errorf("no name: %q", (&RemovedError{}).Error())
	}
}
