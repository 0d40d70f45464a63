package party

// The bytes of prompts a member, and the whole party, may send, refilled over a minute.
// Each prompt is kept in the journal (and a withdrawn one stays there), so prompts are
// what members can grow the host's disk with: a reviewer's 90 participants, each sending
// 32 KiB and withdrawing it at once, wrote 17 MB in 20 s, about 3 GB an hour. The prompt
// count limit (PromptBurst, PromptEvery) alone let that through.

import (
	"fmt"
	"time"
)

// byteBucket holds up to a minute's worth of bytes, refilled evenly over the minute.
type byteBucket struct {
	left float64
	at   time.Time
}

// take spends n bytes of a bucket that holds perMinute at most, refilled at that rate;
// false (nothing spent) when fewer are left.
func (b *byteBucket) take(now time.Time, n, perMinute int) bool {
	if b.at.IsZero() {
		b.left, b.at = float64(perMinute), now
	}
	if el := now.Sub(b.at); el > 0 {
		b.left = min(float64(perMinute), b.left+float64(perMinute)*el.Minutes())
		b.at = now
	}
	if b.left < float64(n) {
		return false
	}
	b.left -= float64(n)
	return true
}

// takePromptBytes spends a prompt's bytes from its member's bucket and the party's, or
// says which is spent. Runs on the loop.
func (p *Party) takePromptBytes(m *member, n int, now time.Time) error {
	if per := p.cfg.PromptBytes; per > 0 && !m.promptBytes.take(now, n, per) {
		return fmt.Errorf("%w: you sent more than %s of prompts in the last minute", ErrRateLimited, kib(per))
	}
	if per := p.cfg.PartyPromptBytes; per > 0 && !p.promptBytes.take(now, n, per) {
		return fmt.Errorf("%w: the party took more than %s of prompts in the last minute", ErrRateLimited, kib(per))
	}
	return nil
}

// kib writes a byte count as people read it: "1 MiB", "512 KiB".
func kib(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
