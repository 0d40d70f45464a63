package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// oddTreeWS lists one folder whose name needs quotes.
type oddTreeWS struct{ fakeWS }

func (oddTreeWS) Tree(_ context.Context, p string) (wire.TreeResult, error) {
	if p == "" {
		return wire.TreeResult{Entries: []wire.TreeEntry{{Name: " lead", Dir: true}}}, nil
	}
	return wire.TreeResult{Entries: []wire.TreeEntry{}}, nil
}

// A folder /tree shows quoted can be given back to /tree as shown: its "/" inside the
// quotes (a reviewer's `" lead"/` was refused).
func TestTreeNamesCanBeGivenBack(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.ws = oddTreeWS{}
	c.line(context.Background(), "/tree")
	if !strings.Contains(out.String(), `    " lead/"`) {
		t.Fatalf("/tree:\n%s", out.String())
	}
	out.Reset()
	c.line(context.Background(), `/tree " lead/"`)
	if !strings.Contains(out.String(), `" lead/" is empty`) {
		t.Fatalf(`/tree " lead/":`+"\n%s", out.String())
	}
}

// /who while the host cannot be reached says its list is from before (a tester read the
// old list as the party now).
func TestWhoWhileReconnecting(t *testing.T) {
	c, _, _, out := newCommander(wire.RoleParticipant)
	c.line(context.Background(), "/who")
	if strings.Contains(out.String(), "reconnecting") {
		t.Fatalf("/who while connected:\n%s", out.String())
	}
	out.Reset()
	c.pr.connection(false)
	c.line(context.Background(), "/who")
	if !strings.Contains(out.String(), "in the party when this terminal last reached the host (it is reconnecting):") {
		t.Fatalf("/who while reconnecting:\n%s", out.String())
	}
}
