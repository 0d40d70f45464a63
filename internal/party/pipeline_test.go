package party

import (
	"testing"
	"time"
)

func TestPipelineRule(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := 3 * time.Second
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	cases := []struct {
		name         string
		min          int
		now          time.Duration
		idle         bool
		pending      int
		oldest, last time.Duration
		cut          bool
		wait         time.Duration
	}{
		{"nothing pending", 1, 10 * time.Second, true, 0, 0, 0, false, 0},
		{"agent busy", 1, 10 * time.Second, false, 3, 0, 0, false, 0},
		{"below min prompts holds", 3, 100 * time.Second, true, 2, 0, 0, false, 0},
		{"window not yet passed", 1, 2 * time.Second, true, 1, 0, 0, false, time.Second},
		{"window passed since last", 1, 3 * time.Second, true, 1, 0, 0, true, 0},
		{"steady typing: last prompt just now, but 3x window since oldest", 1, 9 * time.Second, true, 5, 0, 8900 * time.Millisecond, true, 0},
		{"steady typing before cap waits for the cap", 1, 7 * time.Second, true, 5, 0, 6900 * time.Millisecond, false, 2 * time.Second},
		{"min prompts reached and quiet", 2, 5 * time.Second, true, 2, 0, 1 * time.Second, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := pipelineRule{window: w, minPrompts: c.min}
			cut, wait := r.due(at(c.now), c.idle, c.pending, at(c.oldest), at(c.last))
			if cut != c.cut || wait != c.wait {
				t.Errorf("due = (%v, %v), want (%v, %v)", cut, wait, c.cut, c.wait)
			}
		})
	}
}
