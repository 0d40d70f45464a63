package party

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// The bytes of prompts a member, and the party, may send in a minute are bounded: a
// reviewer's 90 participants sending and withdrawing 32 KiB prompts grew the journal by
// 3 GB an hour. A minute later they may send again.
func TestPromptBytesAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _, ann := start(t, Config{PromptBurst: 1000, PromptBytes: 64 << 10, PartyPromptBytes: 128 << 10, MinPrompts: 1000, Window: time.Hour})
		bob := joinAs(t, p, "bob", token, wire.RoleParticipant)
		cid := joinAs(t, p, "cid", token, wire.RoleParticipant)
		big := strings.Repeat("x", 30<<10)
		a1 := promptAs(t, p, ann, big)
		a2 := promptAs(t, p, ann, big)
		if _, err := p.Prompt(ann, big); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "you sent more than 64 KiB of prompts in the last minute") {
			t.Fatalf("ann's third 30 KiB prompt in a minute: %v", err)
		}
		promptAs(t, p, bob, big)
		promptAs(t, p, bob, big)
		if _, err := p.Prompt(cid, big); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "the party took more than 128 KiB of prompts in the last minute") {
			t.Fatalf("cid's 30 KiB after the party's 120 KiB: %v", err)
		}
		promptAs(t, p, cid, "a short one still goes")
		// Withdrawn, they still count: they are in the journal.
		for _, r := range []wire.PromptResult{a1, a2} {
			if err := p.Withdraw(ann, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Prompt(ann, big); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("ann's prompt after withdrawing hers: %v", err)
		}
		time.Sleep(time.Minute)
		promptAs(t, p, ann, big)
		promptAs(t, p, cid, big)
	})
}

// A prompt the party's budget refuses spends nothing of its member's.
func TestPromptBytesRefusedSpendNothing(t *testing.T) {
	p, _, ann := start(t, Config{PromptBurst: 1000, PromptBytes: 64 << 10, PartyPromptBytes: 40 << 10, MinPrompts: 1000, Window: time.Hour})
	big := strings.Repeat("x", 30<<10)
	promptAs(t, p, ann, big)
	if _, err := p.Prompt(ann, big); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "the party took more than") {
		t.Fatalf("the second 30 KiB with 10 KiB left to the party: %v", err)
	}
	var left float64
	_ = p.do(func() { left = p.members[ann].promptBytes.left })
	if want := float64(34 << 10); left < want-1 || left > want+64 { // a moment's refill at most
		t.Fatalf("ann has %.0f bytes left, want about %.0f: the party's refusal spent hers", left, want)
	}
}
