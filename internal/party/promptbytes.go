package party

// The bytes of prompts a member, and the whole party, may send, refilled over a minute.
// Each prompt is kept in the journal (and a withdrawn one stays there), so prompts are
// what members can grow the host's disk with: a reviewer's 90 participants, each sending
// 32 KiB and withdrawing it at once, wrote 17 MB in 20 s, about 3 GB an hour. The prompt
// count limit (PromptBurst, PromptEvery) alone let that through.

import (
	"fmt"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// byteBucket holds up to a minute's worth of bytes, refilled evenly over the minute.
type byteBucket struct {
	left float64
	at   time.Time
}

// refill adds what a minute's rate has made since the last look, up to perMinute; a new
// bucket starts full.
func (b *byteBucket) refill(now time.Time, perMinute int) {
	if b.at.IsZero() {
		b.left, b.at = float64(perMinute), now
	}
	if el := now.Sub(b.at); el > 0 {
		b.left = min(float64(perMinute), b.left+float64(perMinute)*el.Minutes())
		b.at = now
	}
}

// until is how long the bucket takes to hold n bytes again, refilled at perMinute (never,
// 0, for more than a full bucket: no wait makes room for it).
func (b *byteBucket) until(n, perMinute int) time.Duration {
	if n > perMinute || perMinute <= 0 || b.left >= float64(n) {
		return 0
	}
	return time.Duration((float64(n) - b.left) / float64(perMinute) * float64(time.Minute))
}

// takePromptBytes spends a prompt's bytes from its member's bucket and the party's, or
// says which has too few left (then neither is spent). Runs on the loop.
func (p *Party) takePromptBytes(m *member, n int, now time.Time) error {
	per, party := p.cfg.PromptBytes, p.cfg.PartyPromptBytes
	if per > 0 {
		if m.promptBytes.refill(now, per); m.promptBytes.left < float64(n) {
			return &RateLimitError{Limit: wire.LimitBytes, RetryAfter: m.promptBytes.until(n, per),
				Why: fmt.Sprintf("you sent more than %s of prompts in the last minute", kib(per))}
		}
	}
	if party > 0 {
		if p.promptBytes.refill(now, party); p.promptBytes.left < float64(n) {
			return &RateLimitError{Limit: wire.LimitBytes, RetryAfter: p.promptBytes.until(n, party),
				Why: fmt.Sprintf("the party took more than %s of prompts in the last minute", kib(party))}
		}
	}
	if per > 0 {
		m.promptBytes.left -= float64(n)
	}
	if party > 0 {
		p.promptBytes.left -= float64(n)
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
