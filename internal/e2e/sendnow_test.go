package e2e

import "testing"

// TestSendALonePrompt: in a party started with --min-prompts 2, a lone prompt waits for a
// second one; the host's /send sends it, and claude answers (a tester's waited for good).
func TestSendALonePrompt(t *testing.T) {
	h, inv := host(t, nil, "--insecure", "--min-prompts", "2")
	bob := start(t, nil, "join", "--name", "bob", inv)
	bob.expect(`joined hosty's party as bob`)
	bob.send("say hello")
	h.expect(`^\[party\] bob: say hello$`)
	h.send("/send")
	bob.expect(`^\[system\] hosty sent the waiting prompt without waiting for more$`)
	bob.expect(`claude finished`)
	h.send("/send")
	h.expect(`no prompts are waiting to be sent`)
}
