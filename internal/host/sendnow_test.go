package host

import (
	"testing"

	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
)

// Party.sendNow (an extension of §7) over the wire: a participant may not; with nothing
// waiting it is -32602; a co-host sends the lone prompt that --min-prompts holds, and the
// fake claude answers it.
func TestSendNowOverTheWire(t *testing.T) {
	c := newCtl(t, Config{Insecure: true, MinPrompts: 2})
	alice := c.raw(t, "alice")
	carol := c.cohost(t, "carol")
	carol.failsSaying(wire.MethodSendNow, map[string]any{}, rpc.CodeInvalidParams, "no prompts are waiting to be sent")
	alice.ok(wire.MethodPrompt, map[string]any{"text": "alone"}, nil)
	alice.fails(wire.MethodSendNow, map[string]any{}, wire.CodeNotAllowed)
	carol.ok(wire.MethodSendNow, map[string]any{}, nil)
	evs := alice.rec.waitFor(t, "the lone prompt's turn", nTurns(1))
	if !hasSystem(evs, "carol sent the waiting prompt without waiting for more") {
		t.Errorf("no word of who sent it in %+v", kinds(evs, wire.KindSystem))
	}
}
