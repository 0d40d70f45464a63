package party

import (
	"errors"
	"testing"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// A host whose /approve or /reject of the batch that waited lost the race to another host's
// decision is told who decided it, and how, in the refusal's words and, over the wire, in
// its data (a tester's host read only "no merged prompt is waiting for approval"). The
// host who decided it is told it was them.
func TestApproveOfADecidedBatchSaysWhoDecidedIt(t *testing.T) {
	p, col, alice := start(t, Config{Approval: true})
	hana, bob := newCollector(), newCollector()
	hres, err := p.Join(JoinRequest{Name: "hana", Role: wire.RoleHost, Sub: hana, Conn: hana})
	if err != nil {
		t.Fatal(err)
	}
	bres, err := p.Join(JoinRequest{Name: "bob", Role: wire.RoleHost, Sub: bob, Conn: bob})
	if err != nil {
		t.Fatal(err)
	}
	held := func(n int) string {
		t.Helper()
		var id string
		col.waitFor(t, "the approval", func(evs []wire.Event) bool {
			seen := 0
			for _, ev := range evs {
				if ev.Kind == wire.KindApproval {
					seen++
					id = ev.Approval.Batch
				}
			}
			return seen == n
		})
		return id
	}
	edit := "edited"
	for i, tt := range []struct {
		decide          func(batch string) error
		decided, others string // how, and the words others are told
		you             string // the words bob is told
	}{
		{func(b string) error { return p.Approve(bres.You.ID, b, nil) }, wire.HeldApproved, "bob already approved it", "you already approved it"},
		{func(b string) error { return p.Approve(bres.You.ID, b, &edit) }, wire.HeldEdited, "bob already edited and sent it", "you already edited and sent it"},
		{func(b string) error { return p.Reject(bres.You.ID, b, "no") }, wire.HeldRejected, "bob already rejected it", "you already rejected it"},
		{func(string) error { return p.SetApproval(bres.You.ID, false) }, wire.HeldApprovalOff, "bob turned approval off, which sent it", "you turned approval off, which sent it"},
	} {
		promptAs(t, p, alice, "one")
		batch := held(i + 1)
		if err := tt.decide(batch); err != nil {
			t.Fatal(err)
		}
		const gone = "that merged prompt is no longer waiting for approval: "
		for _, try := range []func() error{
			func() error { return p.Reject(hres.You.ID, batch, "no") },
			func() error { return p.Approve(hres.You.ID, batch, nil) },
		} {
			err := try()
			var de *DecidedError
			if !errors.As(err, &de) || !errors.Is(err, ErrInvalid) || err.Error() != ErrInvalid.Error()+": "+gone+tt.others {
				t.Fatalf("%s: hana's decision after bob's: %v", tt.decided, err)
			}
			var re *rpc.Error
			if !errors.As(rpcError(err), &re) || re.Code != rpc.CodeInvalidParams || re.Message != gone+tt.others ||
				re.Data != (wire.NotHeldData{Decided: tt.decided, By: "bob"}) {
				t.Fatalf("%s: over the wire: %#v", tt.decided, rpcError(err))
			}
		}
		if err := p.Approve(bres.You.ID, batch, nil); err == nil || err.Error() != ErrInvalid.Error()+": "+gone+tt.you {
			t.Fatalf("%s: bob's again: %v", tt.decided, err)
		}
		if tt.decided == wire.HeldApprovalOff {
			break
		}
	}
	// A batch the party knows nothing of gets the words it had.
	if err := p.Approve(hres.You.ID, "b-none", nil); errors.As(err, new(*DecidedError)) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("an unknown batch: %v", err)
	}
}
