package party

import "time"

// pipelineRule decides when a batch is cut (DESIGN.md, "A window that always closes"):
// the agent is idle, at least minPrompts are pending, and either window has passed since
// the last prompt or 3×window since the oldest pending one. It is a pure function so that
// the rule is tested on its own, without clocks or goroutines.
type pipelineRule struct {
	window     time.Duration
	minPrompts int
}

// due reports whether a batch should be cut now and, if not, when to look again
// (zero when nothing will change by waiting: agent busy or too few prompts).
func (r pipelineRule) due(now time.Time, agentIdle bool, pending int, oldest, last time.Time) (cut bool, wait time.Duration) {
	if !agentIdle || pending == 0 || pending < r.minPrompts {
		return false, 0
	}
	quiet := last.Add(r.window)
	capAt := oldest.Add(3 * r.window)
	deadline := quiet
	if capAt.Before(deadline) {
		deadline = capAt
	}
	if !now.Before(deadline) {
		return true, 0
	}
	return false, deadline.Sub(now)
}
