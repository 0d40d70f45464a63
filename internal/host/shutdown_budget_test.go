package host

import (
	"context"
	"testing"
	"time"
)

// TestHalfOfWhatIsLeft: each step of Shutdown gets half of the time its context has left,
// so that a wedged step leaves the next ones the other half; endBudget without a deadline.
func TestHalfOfWhatIsLeft(t *testing.T) {
	parent, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx, stop := halfOfWhatIsLeft(parent)
	d, ok := ctx.Deadline()
	stop()
	if left := time.Until(d); !ok || left > 5*time.Second || left < 4*time.Second {
		t.Fatalf("half of 10 s left: deadline in %v (set %v)", left, ok)
	}
	ctx, stop = halfOfWhatIsLeft(context.Background())
	d, ok = ctx.Deadline()
	stop()
	if left := time.Until(d); !ok || left > endBudget || left < endBudget-time.Second {
		t.Fatalf("no deadline: %v left (set %v), want about %v", left, ok, endBudget)
	}
}
