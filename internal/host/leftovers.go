package host

import (
	"fmt"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/reap"
	"github.com/concordia-party/concordia/internal/wire"
)

// leftoverGrace is how long what an agent left running gets between SIGTERM and SIGKILL.
const leftoverGrace = 2 * time.Second

// agentRun journals the marker of a claude process as it starts: if this host dies, its
// --resume stops what that process's tools left running.
func (h *Host) agentRun(id string) {
	if err := h.journal.AgentRun(id); err != nil {
		h.log.Error("journal the agent's process", "err", err)
	}
}

// leftovers tells the party what claude left running when it exited, now stopped. At the
// party's end, when nobody is left to tell, they are kept for LeftAtEnd.
func (h *Host) leftovers(ps []reap.Proc) {
	h.log.Info("stopped processes claude left running", "count", len(ps))
	select {
	case <-h.party.Done():
		h.leftMu.Lock()
		h.leftAtEnd = append(h.leftAtEnd, ps...)
		h.leftMu.Unlock()
	default:
		h.party.Notice(wire.KindSystem, leftoverWords(ps, "claude had left running"))
	}
}

// LeftAtEnd says what Shutdown stopped that claude had left running ("" when nothing), for
// the host's own terminal or window: the party's members are gone by then.
func (h *Host) LeftAtEnd() string {
	h.leftMu.Lock()
	defer h.leftMu.Unlock()
	if len(h.leftAtEnd) == 0 {
		return ""
	}
	return leftoverWords(h.leftAtEnd, "claude had left running")
}

// stopPreviousRun stops what the agent of the run before a resume left running (its host
// was killed: nothing stopped it then), and tells the party.
func (h *Host) stopPreviousRun(id string) {
	ps, err := reap.Stop(id, leftoverGrace)
	if err != nil {
		h.log.Warn("look for processes the previous run left", "err", err)
		return
	}
	if len(ps) > 0 {
		h.party.Notice(wire.KindSystem, leftoverWords(ps, "the agent of the run before this resume had left running"))
	}
}

// leftoverWords says which processes were stopped: "stopped 2 processes that WHO: sleep
// 300, npm run dev".
func leftoverWords(ps []reap.Proc, who string) string {
	cmds := make([]string, 0, len(ps))
	for i, p := range ps {
		if i == 5 {
			cmds = append(cmds, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		cmds = append(cmds, p.Command)
	}
	what := "1 process"
	if len(ps) != 1 {
		what = fmt.Sprintf("%d processes", len(ps))
	}
	return fmt.Sprintf("stopped %s that %s: %s", what, who, strings.Join(cmds, ", "))
}
