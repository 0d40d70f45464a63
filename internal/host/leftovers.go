package host

import (
	"fmt"

	"github.com/concordia-party/concordia/internal/reap"
)

// stopLeftovers stops what this run's agent left running (its tools' background jobs, in
// sessions of their own: see package reap), once claude itself is stopped; LeftAtEnd says
// what. Called by Shutdown alone, after the party's members are gone.
func (h *Host) stopLeftovers() {
	if h.cfg.KeepAgentJobs {
		return
	}
	left, err := reap.Stop(h.runID, reap.Grace)
	if err != nil {
		h.log.Warn("look for processes the agent left running", "err", err)
	}
	if len(left) > 0 {
		h.log.Info("stopped processes the agent left running", "count", len(left))
	}
	h.leftAtEnd = left
}

// LeftAtEnd says what Shutdown stopped that the agent had left running ("" when nothing),
// for the host's own terminal or window: the party's members are gone by then. Only
// after Shutdown has returned.
func (h *Host) LeftAtEnd() string {
	if len(h.leftAtEnd) == 0 {
		return ""
	}
	return leftoverWords(h.leftAtEnd, "the agent had left running")
}

// stopPrevious stops what the agent of the run before a resume left running (its host
// was killed: nothing stopped it then) and tells the party. On the runner's first start,
// under its lock: before any new agent.
func (r *runner) stopPrevious(id string) {
	ps, err := reap.Stop(id, reap.Grace)
	if err != nil {
		r.log.Warn("look for processes the previous run left", "err", err)
	}
	if len(ps) > 0 && r.notice != nil {
		r.notice(leftoverWords(ps, "the agent of the run before this resume had left running"))
	}
}

// leftoverWords says which processes were stopped: "stopped 2 processes that WHO: sleep
// 300, npm run dev".
func leftoverWords(ps []reap.Proc, who string) string {
	what, cmds := reap.Describe(ps)
	return fmt.Sprintf("stopped %s that %s: %s", what, who, cmds)
}
