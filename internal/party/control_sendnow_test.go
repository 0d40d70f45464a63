package party

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// TestSendNowSendsWhatWaits: a prompt that --min-prompts holds waited for a second one
// that never came, and a host had no way to send it (a tester's). Party.sendNow sends what
// waits: at once when the agent is free, as soon as it is otherwise.
func TestSendNowSendsWhatWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fr := &fakeRunner{hold: make(chan struct{})}
		p, col, id := start(t, Config{Runner: fr, MinPrompts: 3, Window: 10 * time.Millisecond})
		boss := joinHost(t, p)
		ctx := context.Background()
		if err := boss.SendNow(ctx); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "no prompts are waiting") {
			t.Fatalf("SendNow with nothing waiting: %v", err)
		}
		promptAs(t, p, id, "one")
		time.Sleep(100 * time.Millisecond) // ten windows: held for two more
		if n := count(col.all(), wire.KindBatch); n != 0 {
			t.Fatalf("%d batches before SendNow", n)
		}
		if err := p.SendNow(id); !errors.Is(err, ErrNotAllowed) {
			t.Fatalf("a participant's SendNow: %v", err)
		}
		if err := boss.SendNow(ctx); err != nil {
			t.Fatal(err)
		}
		evs := col.waitFor(t, "the lone prompt's batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 1 })
		if b := batches(evs); len(b[0].Prompts) != 1 {
			t.Fatalf("batch %+v", b[0])
		}
		if !hasText(evs, wire.KindSystem, "boss sent the waiting prompt without waiting for more") {
			t.Errorf("no word of who sent it: %s", dump(evs))
		}
		// While the agent works, what waits goes as soon as it is free.
		promptAs(t, p, id, "two")
		promptAs(t, p, id, "three")
		if err := boss.SendNow(ctx); err != nil {
			t.Fatal(err)
		}
		col.waitFor(t, "the word of it", func(e []wire.Event) bool {
			return hasText(e, wire.KindSystem, "boss sent the 2 waiting prompts without waiting for more; they go to the agent as soon as it is free")
		})
		fr.hold <- struct{}{}
		evs = col.waitFor(t, "the second batch", func(e []wire.Event) bool { return count(e, wire.KindBatch) == 2 })
		if b := batches(evs); len(b[1].Prompts) != 2 {
			t.Fatalf("second batch %+v", b[1])
		}
		// Sent while the agent works, then withdrawn: nothing is left for it, and a prompt
		// that comes next waits for --min-prompts (a reviewer's went alone once the turn
		// ended).
		five := promptAs(t, p, id, "five")
		if err := boss.SendNow(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.Withdraw(id, five.ID); err != nil {
			t.Fatal(err)
		}
		promptAs(t, p, id, "six")
		fr.hold <- struct{}{}
		col.waitFor(t, "its turn", func(e []wire.Event) bool { return count(e, wire.KindTurn) == 2 })
		time.Sleep(100 * time.Millisecond)
		if n := count(col.all(), wire.KindBatch); n != 2 {
			t.Fatalf("%d batches: a prompt after a SendNow went without one", n)
		}
	})
}

// With approval on, SendNow says the batch waits for a host's approval, not that it goes to
// the agent (a reviewer's).
func TestSendNowWithApprovalSaysItWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, col, id := start(t, Config{MinPrompts: 3, Window: 10 * time.Millisecond, Approval: true})
		boss := joinHost(t, p)
		promptAs(t, p, id, "one")
		promptAs(t, p, id, "two")
		if err := boss.SendNow(context.Background()); err != nil {
			t.Fatal(err)
		}
		col.waitFor(t, "the word and the approval", func(e []wire.Event) bool {
			return hasText(e, wire.KindSystem, "boss sent the 2 waiting prompts without waiting for more; once merged, they wait for a host's approval") &&
				count(e, wire.KindApproval) == 1
		})
		// Nothing else waits: Send now is not the approval's Send, and says so (a tester's
		// read only "no prompts are waiting to be sent").
		if err := boss.SendNow(context.Background()); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "the merged prompt that waits for approval goes when a host approves it") {
			t.Fatalf("Send now with only a merged prompt waiting for approval: %v", err)
		}
		// While that merged prompt waits, it is what holds the next one (a tester's was told
		// "once the agent is free", with the agent idle).
		promptAs(t, p, id, "three")
		if err := boss.SendNow(context.Background()); err != nil {
			t.Fatal(err)
		}
		col.waitFor(t, "the word", func(e []wire.Event) bool {
			return hasText(e, wire.KindSystem, "boss sent the waiting prompt without waiting for more; it goes next, once the merged prompt waiting for approval is sent or rejected")
		})
	})
}

// hasText reports whether evs hold an event of kind with exactly text.
func hasText(evs []wire.Event, kind, text string) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Text == text {
			return true
		}
	}
	return false
}

// TestRotatedBy: the system event of a rotation is told by its words of now and of before
// (a journal of then, read by a resumed party's members), with who made the invites.
func TestRotatedBy(t *testing.T) {
	for _, c := range []struct {
		text, by string
		ok       bool
	}{
		{"carol" + RotatedNotice, "carol", true},
		{"bob smith made new invites; the earlier links no longer work", "bob smith", true},
		{"carol made bob a viewer", "", false},
	} {
		if by, ok := RotatedBy(c.text); by != c.by || ok != c.ok {
			t.Errorf("RotatedBy(%q) = %q, %v; want %q, %v", c.text, by, ok, c.by, c.ok)
		}
	}
	if RotatedNotice != " made new invites; the earlier links let nobody new in" {
		t.Errorf("RotatedNotice = %q", RotatedNotice)
	}
}
